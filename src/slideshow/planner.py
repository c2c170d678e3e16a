"""The planner: a loaded storyboard becomes a Timeline in whole frames, by the contract's rules.

Pure: it reads only the validated model and the probed media facts, and decodes nothing.
Every time is rounded to a frame once, here.
"""

from __future__ import annotations

import math
from dataclasses import replace
from fractions import Fraction

from . import youtube_rules
from .errors import Problem, StoryboardError
from .loader import LoadedStoryboard
from .timecode import format_time
from .timeline import (
    AudioClip,
    CardShot,
    Chapter,
    Cue,
    Look,
    Motion,
    PhotoShot,
    Shot,
    Timeline,
    Track,
    Transition,
)


def plan(loaded: LoadedStoryboard) -> Timeline:
    """The Timeline of a loaded storyboard; raises StoryboardError if its times cannot be met."""
    timeline, problems, _ = _Planner(loaded).run()
    if problems:
        raise StoryboardError(problems)
    return timeline


def planned(loaded: LoadedStoryboard) -> tuple[Timeline, list[Problem], list[Problem]]:
    """(timeline, errors, warnings) of planning this storyboard; the timeline is only
    meaningful without errors."""
    return _Planner(loaded).run()


def to_frames(seconds: Fraction, fps: Fraction) -> int:
    """Round half up, so a time exactly between two frames always lands on the later one."""
    return math.floor(Fraction(seconds) * fps + Fraction(1, 2))


# A photo shown with more than this many output pixels per photo pixel looks soft.
ENLARGED = 2.0


class _Planner:
    def __init__(self, loaded: LoadedStoryboard):
        self.loaded = loaded
        self.model = loaded.model
        self.fps = self.model.video.frame_rate
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.shots: list[Shot] = []
        self.audio: list[AudioClip] = []
        self.photo_cues: list[tuple[int, Cue]] = []  # (segment, a photo's caption as a cue)
        self.transcript_cues: dict[str, list[Cue]] = {}  # per language
        self.segment_languages: list[tuple[str, ...]] = []
        self.cue_warnings: set[tuple[str, int]] = set()
        self.chapters: list[Chapter] = []
        self.chapter_paths: list[tuple] = []
        self.cursor = 0

    def frames(self, seconds: Fraction) -> int:
        return to_frames(seconds, self.fps)

    def error(self, path: tuple, message: str) -> None:
        self.problems.append(self.loaded.source.problem(path, message))

    def warn(self, path: tuple, message: str) -> None:
        self.warnings.append(self.loaded.source.problem(path, "warning: " + message))

    def run(self) -> tuple[Timeline, list[Problem], list[Problem]]:
        model = self.model
        if model.intro:
            length = self.frames(model.intro.duration)
            if length < 1:
                self.error(("intro", "duration"), "the intro needs a duration of at least a frame")
            self._card("title", length, model.intro.title or model.title, model.intro.subtitle)
        for s, segment in enumerate(model.segments):
            self._segment(s, segment)
        if model.outro:
            length = self.frames(model.outro.duration)
            if length < 1:
                self.error(("outro", "duration"), "the outro needs a duration of at least a frame")
            self._card("credits", length, model.outro.title, None, tuple(model.credits))
        shots = self._transitions()
        chapters = self._chapters()
        tracks = self._tracks()
        self._publish_checks()
        look = Look(
            width=model.video.width,
            height=model.video.height,
            quality=model.video.quality,
            loudness=None if model.loudness == "off" else float(model.loudness),
            font=model.style.font,
            caption_position=model.style.caption_position,
            background=model.style.background,
            subtitles=model.style.subtitles,
        )
        timeline = Timeline(
            id=self.loaded.id,
            title=model.title,
            fps=self.fps,
            frames=self.cursor,
            look=look,
            shots=tuple(shots),
            audio=tuple(self.audio),
            captions=self._track_cues(model.spoken),
            chapters=tuple(chapters),
            description=model.description,
            language=model.language,
            credits=tuple(model.credits),
            spoken_language=model.spoken,
            tracks=tracks,
            segment_languages=tuple(self.segment_languages),
            subtitles=tuple(
                sorted(self.transcript_cues.get(look.subtitles, []), key=lambda c: c.start)
            )
            if look.subtitles
            else (),
        )
        return timeline, self.problems, self.warnings

    def _track_cues(self, language: str) -> tuple[Cue, ...]:
        """A language's transcript cues, and the captions of photos in segments that have no
        transcript in it, in output order."""
        cues = list(self.transcript_cues.get(language, []))
        cues += [cue for s, cue in self.photo_cues if language not in self.segment_languages[s]]
        return tuple(sorted(cues, key=lambda c: (c.start, c.end)))

    def _tracks(self) -> tuple[Track, ...]:
        """A track per transcript language; a segment with a recording that lacks a language
        the others have is a warning, and the subtitles must be in a language there is."""
        languages = list(dict.fromkeys(x for langs in self.segment_languages for x in langs))
        for s, segment in enumerate(self.model.segments):
            missing = [x for x in languages if x not in self.segment_languages[s]]
            if segment.audio and missing and self.segment_languages[s]:
                self.warn(
                    ("segments", s, "transcript"),
                    f"this segment has no transcript in {', '.join(missing)}, which other "
                    "segments have: viewers of that language see nothing here",
                )
            elif segment.audio and missing:
                self.warn(
                    ("segments", s, "audio"),
                    f"this segment has no transcript, while others have one in "
                    f"{', '.join(languages)}",
                )
        subtitles = self.model.style.subtitles
        if subtitles is not None and subtitles not in languages:
            have = (
                f"the transcripts are in {', '.join(languages)}" if languages else "there are none"
            )
            self.error(
                ("style", "subtitles"),
                f"`subtitles`: no transcript in {subtitles!r} to draw on the picture; {have}",
            )
        return tuple(Track(x, self._track_cues(x)) for x in languages)

    def _card(self, kind, length, title, subtitle, lines=(), segment=None):
        defaults = self.model.defaults
        way_in = defaults.transition if self.shots else "cut"
        transition = Transition(way_in, self.frames(defaults.transition_duration))
        self.shots.append(
            CardShot(
                index=len(self.shots),
                start=self.cursor,
                end=self.cursor + max(length, 1),
                kind=kind,
                transition=transition,
                title=title,
                subtitle=subtitle,
                lines=lines,
                segment=segment,
            )
        )
        self.cursor += max(length, 1)

    def _segment(self, s: int, segment) -> None:
        path = ("segments", s)
        start_frame = self.cursor
        if segment.title:
            self.chapters.append(Chapter(start_frame, segment.title))
            self.chapter_paths.append(path + ("title",))
        if segment.audio and not segment.photos:  # a title card for the recording's length
            total, _, _ = self._clip(s, segment)
            self._card("title", total, segment.title or self.model.title, None, segment=s)
            lengths = []
        elif segment.audio:
            lengths = self._timed_photos(s, segment)
        else:
            lengths = []
            for p, photo in enumerate(segment.photos):
                if photo.at is not None:
                    self.error(
                        path + ("photos", p, "at"),
                        f"photo {photo.file!r}: `at` needs a recording in the segment; "
                        "use `duration` in a segment without audio",
                    )
                seconds = photo.duration or self.model.defaults.photo_duration
                lengths.append(self.frames(seconds))
        for p, (photo, length) in enumerate(zip(segment.photos, lengths)):
            if length < self.fps:
                shown = format(float(length / self.fps), ".2f")
                self.error(
                    path + ("photos", p),
                    f"photo {photo.file!r} would be shown for only {shown} s; "
                    "a photo needs at least one second",
                )
            self._photo_shot(s, p, photo, max(length, 1))
        languages = self._transcript_files(s, segment) if segment.audio else {}
        self.segment_languages.append(tuple(languages))
        for language, (key, written) in languages.items():
            self._transcript(s, segment, start_frame, language, key, written)

    def _clip(self, s: int, segment) -> tuple[int, Fraction, Fraction]:
        """Place the segment's stretch of its recording: its length in frames, and where it
        starts and ends in the recording."""
        path = ("segments", s)
        audio = segment.audio
        info = self.loaded.recordings[audio.file]
        start = audio.start or Fraction(0)
        end = audio.end if audio.end is not None else info.duration
        recorded = format_time(info.duration)
        if start >= info.duration:
            self.error(
                path + ("audio", "start"),
                f"`start` {format_time(start)} is past the end of {audio.file!r} ({recorded})",
            )
            end = start + 1
        elif end > info.duration + Fraction(1, 1000):
            self.error(
                path + ("audio", "end"),
                f"`end` {format_time(end)} is past the end of {audio.file!r} ({recorded})",
            )
        total = max(self.frames(end - start), 1)
        self.audio.append(
            AudioClip(
                segment=s,
                start=self.cursor,
                frames=total,
                file=str(self.loaded.resolve(audio.file)),
                source=audio.file,
                source_start=start,
                fade_in=min(self.frames(audio.fade_in), total // 2),
                fade_out=min(self.frames(audio.fade_out), total - total // 2),
            )
        )
        return total, start, end

    def _timed_photos(self, s: int, segment) -> list[int]:
        """Shot lengths of a segment paced by its recording (timing rule 2)."""
        path = ("segments", s)
        total, start, end = self._clip(s, segment)
        # Anchors: the frame (relative to the segment) where each stretch begins.
        anchors = [0]
        previous = start
        for p, photo in enumerate(segment.photos):
            if photo.at is None:
                continue
            where = path + ("photos", p, "at")
            label = f"photo {photo.file!r}: `at` {format_time(photo.at)}"
            if not start <= photo.at < end:
                self.error(
                    where,
                    f"{label} is outside the segment's recording "
                    f"({format_time(start)} to {format_time(end)})",
                )
                continue
            if p == 0:
                if self.frames(photo.at - start) != 0:
                    self.error(
                        where,
                        f"{label}: the first photo always starts with the segment at "
                        f"{format_time(start)}; remove its `at` or put a photo before it",
                    )
                continue
            if photo.at <= previous:
                self.error(where, f"{label} comes before the photo listed above it")
                continue
            previous = photo.at
            anchors.append(self.frames(photo.at - start))
        # Group photos into stretches starting at each anchored photo.
        groups: list[list[int]] = [[]]
        for p, photo in enumerate(segment.photos):
            if p and photo.at is not None and len(groups) < len(anchors):
                groups.append([])
            groups[-1].append(p)
        bounds = anchors[: len(groups)] + [total]
        lengths = [0] * len(segment.photos)
        for g, members in enumerate(groups):
            self._share(s, segment, members, bounds[g + 1] - bounds[g], lengths)
        return lengths

    def _share(self, s, segment, members, stretch: int, lengths: list[int]) -> None:
        fixed = {
            p: self.frames(segment.photos[p].duration)
            for p in members
            if segment.photos[p].duration is not None
        }
        flexible = [p for p in members if p not in fixed]
        needed = sum(fixed.values())
        stretch_s = format(float(stretch / self.fps), "g")
        if needed > stretch:
            first = next(iter(fixed))
            self.error(
                ("segments", s, "photos", first, "duration"),
                f"photo {segment.photos[first].file!r}: the fixed durations here add up to "
                f"{float(needed / self.fps):g} s, but this stretch of the recording lasts "
                f"{stretch_s} s",
            )
            for p in members:  # keep lengths plausible so no follow-on errors are reported
                lengths[p] = fixed.get(p, math.ceil(self.fps))
            return
        if not flexible and needed < stretch:
            last = members[-1]
            self.error(
                ("segments", s, "photos", last),
                f"photo {segment.photos[last].file!r}: the photos of this stretch last "
                f"{float(needed / self.fps):g} s, but the recording runs {stretch_s} s until "
                "the next `at` or the segment's end; remove one `duration` so that photo "
                "fills the rest",
            )
        base, extra = divmod(stretch - needed, len(flexible)) if flexible else (0, 0)
        for p in members:
            lengths[p] = fixed.get(p, 0)
        for i, p in enumerate(flexible):
            lengths[p] = base + (1 if i < extra else 0)

    def _photo_shot(self, s: int, p: int, photo, length: int) -> None:
        defaults = self.model.defaults
        motion = photo.motion or defaults.motion
        kind = photo.transition or defaults.transition
        if not self.shots:
            kind = "cut"
        transition_seconds = photo.transition_duration or defaults.transition_duration
        frames = 0 if kind == "cut" else self.frames(transition_seconds)
        shot = PhotoShot(
            index=len(self.shots),
            start=self.cursor,
            end=self.cursor + length,
            transition=Transition(kind, frames),
            segment=s,
            photo=photo.file,
            file=str(self.loaded.resolve(photo.file)),
            caption=photo.caption,
            alt=photo.alt,
            fit=photo.fit or defaults.fit,
            motion=Motion(motion.type, motion.from_, motion.to),
        )
        self.shots.append(shot)
        self._enlargement(s, p, photo, shot)
        if photo.caption:
            self.photo_cues.append((s, Cue(shot.start, shot.end, photo.caption)))
        self.cursor += length

    def _enlargement(self, s: int, p: int, photo, shot: PhotoShot) -> None:
        """Warn when a photo has too few pixels for how large it is shown: it will look soft.
        Its framing decides: the whole photo fitted to the frame, or a Ken Burns move's
        tightest rectangle."""
        info = self.loaded.images.get(photo.file)
        if info is None or not info.width or not info.height:
            return
        width, height = self.model.video.width, self.model.video.height
        shown = [(1.0, 1.0)]
        if shot.motion.kind == "kenburns":
            shown += [(r[2], r[3]) for r in (shot.motion.start, shot.motion.end) if r]
        fit = max if shot.fit == "cover" else min
        scale = max(fit(width / (info.width * w), height / (info.height * h)) for w, h in shown)
        if scale > ENLARGED:
            self.warn(
                ("segments", s, "photos", p),
                f"photo {photo.file!r} has {info.width}x{info.height} pixels and is shown "
                f"enlarged {scale:.1f} times at {width}x{height}: it will look soft (a larger "
                "scan, or a tighter crop only where the scan allows)",
            )

    def _transcript_files(self, s: int, segment) -> dict[str, tuple[object, str]]:
        """The segment's transcripts by language: (its key in the storyboard, the file)."""
        from .languages import check_tag

        transcript = segment.transcript
        if not transcript:
            return {}
        if isinstance(transcript, str):
            return {self.model.spoken: ("", transcript)}
        found: dict[str, tuple[object, str]] = {}
        for key, written in transcript.items():
            path = ("segments", s, "transcript", key)
            try:
                language = check_tag(str(key))
            except ValueError as exc:
                self.problems.append(
                    self.loaded.source.problem(path, f"`transcript`: {exc}", key=True)
                )
                continue
            if language in found:
                message = (
                    f"two transcripts in {language!r}: {found[language][1]!r} and {written!r}; "
                    "give one file per language"
                )
                self.problems.append(self.loaded.source.problem(path, message, key=True))
                continue
            found[language] = (key, written)
        return found

    def _transcript(self, s: int, segment, start_frame: int, language: str, key, written: str):
        """The cues of one transcript that fall in the segment's stretch of its recording, in
        output frames; warnings for cues too short or too fast to read."""
        audio = segment.audio
        start = audio.start or Fraction(0)
        clip = self.audio[-1]
        path = ("segments", s, "transcript") + ((key,) if key != "" else ())
        cues = self.transcript_cues.setdefault(language, [])
        count = 0
        for cue in self.loaded.transcripts[written]:
            lo = max(cue.start, start)
            hi = cue.end if audio.end is None else min(cue.end, audio.end)
            if hi <= lo:
                continue
            first = start_frame + self.frames(lo - start)
            last = min(start_frame + self.frames(hi - start), start_frame + clip.frames)
            if last > first:
                cues.append(Cue(first, last, cue.text, cue.italic))
                count += 1
                self._readable(path, written, cue)
        if not count:
            end = format_time(start + self.seconds(clip.frames))
            self.warn(
                path,
                f"transcript {written!r}: no cue falls in this segment's stretch of the "
                f"recording ({format_time(start)}–{end})",
            )

    def seconds(self, frames: int) -> Fraction:
        return Fraction(frames) / self.fps

    def _readable(self, path: tuple, written: str, cue) -> None:
        """The contract's reading limits: a cue of at least a second, at most 20 characters a
        second (spaces counted, line breaks not); warned at the cue's line in its file."""
        file = str(self.loaded.resolve(written))
        if (file, cue.line) in self.cue_warnings:
            return
        length = cue.end - cue.start
        characters = len(cue.text.replace("\n", ""))
        if length < youtube_rules.MIN_CUE_SECONDS:
            message = f"the cue lasts {float(length):.2f} s; under 1 s it is gone before it is read"
        elif characters / length > youtube_rules.MAX_CUE_CPS:
            message = (
                f"the cue has {float(characters / length):.0f} characters a second; at more than "
                f"{youtube_rules.MAX_CUE_CPS} it is hard to read (split it, or give it more time)"
            )
        else:
            return
        self.cue_warnings.add((file, cue.line))
        self.warnings.append(Problem(file, cue.line, 1, "warning: " + message, path))

    def _transitions(self) -> list[Shot]:
        """Clamp each transition so it takes at most half of either neighbouring shot."""
        shots = list(self.shots)
        for i in range(1, len(shots)):
            shot, before = shots[i], shots[i - 1]
            t = shot.transition
            if t.kind == "cut" or t.frames == 0:
                shots[i] = replace(shot, transition=Transition("cut", 0))
                continue
            # At most half of each neighbour, so transitions never overlap one another.
            limit = 2 * min(before.frames // 2, shot.frames // 2)
            if t.frames > limit:
                if isinstance(shot, PhotoShot):
                    self.warn(
                        ("segments", shot.segment, "photos", self._photo_index(shot)),
                        f"photo {shot.photo!r}: the {t.kind} is shortened to "
                        f"{float(limit / self.fps):.2f} s to fit between its neighbours",
                    )
                t = Transition(t.kind, limit)
            shots[i] = replace(shot, transition=t)
        return shots

    def _photo_index(self, shot: Shot) -> int:
        count = sum(1 for x in self.shots[: shot.index] if x.segment == shot.segment)
        return count

    def _chapters(self) -> list[Chapter]:
        """Chapters by the contract's rule, with warnings for what YouTube would ignore. What
        comes before the first titled segment becomes a chapter of its own when it lasts at
        least 10 s, and is folded into the first titled segment's chapter otherwise."""
        chapters, paths = list(self.chapters), list(self.chapter_paths)
        if not chapters:
            return []
        if chapters[0].start != 0:
            if youtube_rules.chapter_too_short(0, chapters[0].start, self.fps):
                chapters[0] = Chapter(0, chapters[0].title)
            else:
                model = self.model
                chapters.insert(0, Chapter(0, (model.intro and model.intro.title) or model.title))
                paths.insert(0, ("intro", "title") if model.intro else ("title",))
        if len(chapters) < youtube_rules.MIN_CHAPTERS:
            self.warn(
                paths[0],
                f"YouTube shows chapters only when there are at least "
                f"{youtube_rules.MIN_CHAPTERS}; this storyboard has {len(chapters)}",
            )
        ends = [c.start for c in chapters[1:]] + [self.cursor]
        for chapter, end, path in zip(chapters, ends, paths):
            if youtube_rules.chapter_too_short(chapter.start, end, self.fps):
                self.warn(
                    path,
                    f"the chapter {chapter.title!r} lasts under "
                    f"{youtube_rules.MIN_CHAPTER_SECONDS} s; YouTube ignores chapters that short",
                )
        return chapters

    def _publish_checks(self) -> None:
        """What YouTube would refuse, found now rather than after a long upload."""
        model = self.model
        if not (model.publish and model.publish.youtube and model.description):
            return
        for problem in youtube_rules.description_problems(model.description):
            self.error(("description",), problem)
