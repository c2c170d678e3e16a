"""The YouTube metadata of a compilation, composed from its storyboard and plan."""

from __future__ import annotations

from ..loader import LoadedStoryboard
from ..planner import YOUTUBE_MIN_CHAPTER_SECONDS, YOUTUBE_MIN_CHAPTERS
from ..timeline import Timeline

MAX_DESCRIPTION_BYTES = 5000


def chapters_allowed(timeline: Timeline) -> bool:
    """YouTube's rules: the first at 0:00, at least three, each at least 10 s long."""
    chapters = timeline.chapters
    if len(chapters) < YOUTUBE_MIN_CHAPTERS or chapters[0].start != 0:
        return False
    ends = [c.start for c in chapters[1:]] + [timeline.frames]
    least = YOUTUBE_MIN_CHAPTER_SECONDS * timeline.fps
    return all(end - c.start >= least for c, end in zip(chapters, ends))


def description(loaded: LoadedStoryboard, timeline: Timeline) -> str:
    """The storyboard's description, then the chapter list, then the credits."""
    parts = []
    if loaded.model.description:
        parts.append(loaded.model.description.strip())
    if chapters_allowed(timeline):
        parts.append(
            "\n".join(
                f"{timeline.clock(c.start, millis=False)} {c.title}" for c in timeline.chapters
            )
        )
    if loaded.model.credits:
        parts.append("\n".join(loaded.model.credits))
    return "\n\n".join(parts)


def video_body(loaded: LoadedStoryboard, timeline: Timeline) -> dict:
    """The videos.insert / videos.update resource: snippet and status."""
    model = loaded.model
    youtube = model.publish.youtube if model.publish and model.publish.youtube else None
    settings = youtube or _defaults()
    snippet = {
        "title": settings.title or model.title[:100],
        "description": description(loaded, timeline),
        "categoryId": str(settings.category),
        "defaultLanguage": model.language,
        "defaultAudioLanguage": model.language,
    }
    if settings.tags:
        snippet["tags"] = list(settings.tags)
    status = {
        "privacyStatus": settings.privacy,
        "selfDeclaredMadeForKids": settings.made_for_kids,
    }
    if settings.publish_at:
        status["publishAt"] = settings.publish_at
    return {"snippet": snippet, "status": status}


def playlist(loaded: LoadedStoryboard) -> str | None:
    model = loaded.model
    return model.publish.youtube.playlist if model.publish and model.publish.youtube else None


def _defaults():
    from ..schema import YouTube

    return YouTube()
