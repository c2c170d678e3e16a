"""The YouTube metadata of a compilation, composed from its storyboard and plan."""

from __future__ import annotations

from .. import youtube_rules
from ..loader import LoadedStoryboard
from ..schema import YouTube
from ..timeline import Timeline


def chapters_allowed(timeline: Timeline) -> bool:
    """Whether YouTube would show the timeline's chapters (youtube_rules.chapters_shown)."""
    spans = [(c.start, c.end) for c in timeline.chapter_spans()]
    return youtube_rules.chapters_shown(spans, timeline.fps)


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


def youtube_settings(loaded: LoadedStoryboard) -> YouTube:
    """The storyboard's `publish: youtube:` settings, or their defaults."""
    publish = loaded.model.publish
    return publish.youtube if publish and publish.youtube else YouTube()


def localized_description(loaded: LoadedStoryboard, timeline: Timeline, text: str | None) -> str:
    """A translated description, then the same chapter list and credits."""
    parts = [text.strip()] if text else []
    rest = description(loaded, timeline)
    if loaded.model.description and rest.startswith(loaded.model.description.strip()):
        rest = rest[len(loaded.model.description.strip()) :].lstrip("\n")
    if rest:
        parts.append(rest)
    return "\n\n".join(parts)


def video_body(loaded: LoadedStoryboard, timeline: Timeline) -> dict:
    """The videos.insert / videos.update resource: snippet, status and, when the storyboard
    gives them, localizations (title and description per language)."""
    model = loaded.model
    settings = youtube_settings(loaded)
    snippet: dict[str, object] = {
        "title": settings.title or model.title[: youtube_rules.MAX_TITLE_CHARS],
        "description": description(loaded, timeline),
        "categoryId": str(settings.category),
        "defaultLanguage": model.language,
        "defaultAudioLanguage": model.spoken,
    }
    if settings.tags:
        snippet["tags"] = list(settings.tags)
    status: dict[str, object] = {
        "privacyStatus": settings.privacy,
        "selfDeclaredMadeForKids": settings.made_for_kids,
    }
    if settings.publish_at:
        status["publishAt"] = settings.publish_at
    body: dict[str, object] = {"snippet": snippet, "status": status}
    if settings.localizations:
        # Without a translated description, YouTube shows the default one.
        body["localizations"] = {
            tag: {"title": local.title}
            | (
                {"description": localized_description(loaded, timeline, local.description)}
                if local.description
                else {}
            )
            for tag, local in settings.localizations.items()
        }
    return body


def parts(body: dict) -> str:
    """The `part` parameter naming what a video body carries."""
    return ",".join(p for p in ("snippet", "status", "localizations") if p in body)


def playlist(loaded: LoadedStoryboard) -> str | None:
    return youtube_settings(loaded).playlist
