"""`slideshow init`: a first storyboard made from what the archive holds.

Sources, in any combination: folders (or globs) of photographs with embedded captions, an item
list (CSV, XLSX), a recording, a transcript (WebVTT, SRT), an OHMS index. What is written
validates and renders as it is, and reads like a storyboard written by hand: the contract's key
order, shorthands where they suffice, quoted timecodes, paths relative to the storyboard (or its
`media_root`), and comments where something needs the archivist's eye. It is written with
ruamel.yaml, which keeps comments and key order, never by pasting strings.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TypeVar

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from .atomic import write_text
from .errors import MediaError, SlideshowError
from .media import AudioInfo, home, probe_audio
from .sources.itemlist import ItemList, Row, read_item_list
from .sources.ohms import Ohms, read_ohms
from .sources.photos import IMAGE_SUFFIXES, PhotoFacts, find_photos, in_order, read_facts
from .timecode import format_time, parse_time
from .transcripts import parse_transcript
from .youtube_rules import MIN_CHAPTER_SECONDS

AUDIO_SUFFIXES = {".wav", ".mp3", ".m4a", ".aac", ".flac", ".ogg", ".oga", ".opus", ".aif", ".aiff"}
LIST_SUFFIXES = {".csv", ".xlsx", ".xlsm"}
TRANSCRIPT_SUFFIXES = {".vtt", ".srt"}


@dataclass
class InitResult:
    text: str  # the storyboard
    written: Path | None  # where it was written (None: printed, or a dry run)
    found: list[str] = field(default_factory=list)  # what was found, for --dry-run
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Photo:
    path: Path
    caption: str | None = None
    caption_from: str | None = None
    at: str | None = None
    duration: str | None = None
    alt: str | None = None
    starts: str | None = None  # the title of a segment this photo starts (item lists)


@dataclass
class _Segment:
    title: str | None
    start: Fraction | None = None
    end: Fraction | None = None
    photos: list[_Photo] = field(default_factory=list)
    note: str | None = None  # a comment above the segment (an OHMS synopsis)


@dataclass
class _Found:
    photos: list[PhotoFacts] = field(default_factory=list)
    folders: list[Path] = field(default_factory=list)
    lists: list[ItemList] = field(default_factory=list)
    recordings: list[tuple[Path, AudioInfo]] = field(default_factory=list)
    transcripts: list[Path] = field(default_factory=list)
    indexes: list[Ohms] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # An OHMS index whose recording is hosted elsewhere (YouTube, Kaltura) or not beside it:
    # the storyboard names a file for it, marked to check, and is written all the same.
    awaited: Path | None = None


def init(
    sources: list[str],
    output: str | Path | None = None,
    *,
    force: bool = False,
    at_silences: bool = False,
    dry_run: bool = False,
) -> InitResult:
    """Make a storyboard from sources and write it to output ("-" or None: only return it).

    Raises SlideshowError when nothing usable was found, or when output exists and not force.
    """
    to_file = output is not None and str(output) != "-"
    target = Path(str(output)) if to_file else Path.cwd() / "storyboard.yaml"
    if to_file and target.exists() and not force and not dry_run:
        raise SlideshowError(f"{target} exists; give --force to replace it, or another -o name")
    found = _gather(sources)
    segments = _compose(found, at_silences)
    if not any(s.photos for s in segments) and not found.recordings:
        raise SlideshowError(
            "nothing usable found: no photographs and no recording in "
            + ", ".join(sources)
            + ("\n" + "\n".join(found.warnings) if found.warnings else "")
        )
    result = InitResult("", None, warnings=list(found.warnings))
    folder = target.parent.resolve()
    transcript_out: Path | None = None
    ohms = found.indexes[0] if found.indexes else None
    if ohms is not None and ohms.vtt:
        if to_file:
            transcript_out = folder / f"{target.stem}.transcript.vtt"
        else:
            result.warnings.append(
                f"{ohms.path}: its transcript is written beside the storyboard, so only with "
                "-o FILE; it is left out here"
            )
    untimed_out: Path | None = None
    if ohms is not None and ohms.text:
        untimed_out = folder / f"{target.stem}.transcript.txt" if to_file else None
        kept = f"its text is written to {untimed_out.name} " if untimed_out else ""
        result.warnings.append(
            f"{ohms.path}: its transcript has no sync marks, so it is not timed by guess and "
            f"no captions come from it; {kept}for timing against the recording "
            "(slideshow align, or by hand as WebVTT)"
        )
    transcript = transcript_out or (found.transcripts[0] if found.transcripts else None)
    document = _document(sources, found, segments, folder, transcript)
    name = str(output) if to_file else "THIS-FILE"
    document.yaml_set_start_comment(
        "Made by `slideshow init` from: " + ", ".join(str(s) for s in sources) + "\n"
        f"Check the captions and timings marked below, then: slideshow render {name}"
    )
    buffer = io.StringIO()
    _yaml().dump(document, buffer)
    result.text = buffer.getvalue()
    result.found = _report(found, segments)
    if dry_run or not to_file:
        return result
    folder.mkdir(parents=True, exist_ok=True)
    if transcript_out is not None and ohms is not None and ohms.vtt:
        write_text(transcript_out, ohms.vtt)
    if untimed_out is not None and ohms is not None and ohms.text:
        write_text(untimed_out, ohms.text)
    write_text(target, result.text)
    result.written = target
    return result


# --- what the sources hold ----------------------------------------------------------------


def _gather(sources: list[str]) -> _Found:
    found = _Found()
    for source in sources:
        try:
            _gather_one(source, found)
        except OSError as exc:  # a name too long, a folder that cannot be listed...
            found.warnings.append(f"{source}: cannot be read ({exc.strerror or exc})")
    if len(found.indexes) > 1:
        found.warnings.append("more than one OHMS file: only the first is used")
    if found.indexes and not found.recordings:
        _recording_of(found.indexes[0], found)
    return found


def _gather_one(source: str, found: _Found) -> None:
    """What one source holds, into found."""
    path = home(source)
    suffix = path.suffix.lower()
    if path.is_dir() or any(c in source for c in "*?["):
        photos = find_photos(str(path) if path.is_dir() else source)
        if path.is_dir():
            found.folders.append(path)
        if not photos:
            found.warnings.append(f"{source}: no photographs found")
        found.photos += [f for f in (_facts(p, found) for p in photos) if f.readable]
    elif not path.exists():
        found.warnings.append(f"{source}: not found")
    elif suffix in IMAGE_SUFFIXES:
        facts = _facts(path, found)
        if facts.readable:
            found.photos.append(facts)
    elif suffix in LIST_SUFFIXES:
        _read_into(read_item_list, path, found.lists, found)
    elif suffix == ".xml":
        _read_into(read_ohms, path, found.indexes, found)
    elif suffix in TRANSCRIPT_SUFFIXES:
        try:
            parse_transcript(path.read_text(encoding="utf-8-sig"), str(path))
        except (MediaError, OSError, UnicodeDecodeError) as exc:
            found.warnings.append(f"{path}: not a transcript that can be read ({exc})")
            return
        found.transcripts.append(path)
    else:
        try:
            found.recordings.append((path, probe_audio(path)))
        except MediaError as exc:
            what = "a recording" if suffix in AUDIO_SUFFIXES else "something init reads"
            found.warnings.append(f"{source}: not {what} ({exc})")


_Source = TypeVar("_Source", ItemList, Ohms)


def _read_into(
    reader: Callable[[Path], _Source], path: Path, into: list[_Source], found: _Found
) -> None:
    """An item list or an OHMS index read into its list, with its warnings; one that cannot
    be read is a warning too."""
    try:
        read = reader(path)
    except (ValueError, OSError) as exc:
        found.warnings.append(str(exc))
        return
    into.append(read)
    found.warnings += read.warnings


def _facts(path: Path, found: _Found) -> PhotoFacts:
    facts = read_facts(path)
    if facts.problem:
        left = "" if facts.readable else "; left out"
        found.warnings.append(f"{path}: {facts.problem}{left}")
    return facts


def _recording_of(ohms: Ohms, found: _Found) -> None:
    """The recording an OHMS file names, when it is beside it; else a file name for it that
    the storyboard gives, to be checked (found.awaited)."""
    if ohms.media and not ohms.remote:
        candidate = ohms.path.parent / Path(ohms.media.split("?")[0]).name
        try:
            found.recordings.append((candidate, probe_audio(candidate)))
            return
        except MediaError:
            pass
    if not ohms.points:
        where = f" ({ohms.media!r})" if ohms.media else ""
        found.warnings.append(
            f"{ohms.path}: its recording{where} is not beside it; give the recording too"
        )
        return
    found.awaited = ohms.path.parent / (
        Path(ohms.media.split("?")[0]).name
        if ohms.media and not ohms.remote
        else f"{ohms.path.stem}.m4a"
    )
    found.warnings.append(f"{ohms.path}: {_where_recording(ohms)}; {_awaited_note(found)}")


def _where_recording(ohms: Ohms) -> str:
    if ohms.host:
        return f"its recording is on {ohms.host} ({ohms.media})"
    if ohms.remote:
        return f"its recording is at {ohms.media}"
    if ohms.media:
        return f"its recording {ohms.media!r} is not beside it"
    return "it names no recording"


def _awaited_note(found: _Found) -> str:
    name = found.awaited.name if found.awaited else "the recording"
    return (
        f"the storyboard names {name} for it: save the recording as that file (or write its "
        "name there), then render"
    )


# --- putting segments together --------------------------------------------------------------


def _compose(found: _Found, at_silences: bool) -> list[_Segment]:
    photos = _photos(found)
    if not found.recordings and found.awaited is not None:
        # The index gives the segments; the recording's length, as the OHMS record says it
        # (else unknown: the last segment runs to the recording's end).
        known = found.indexes[0].duration
        length = Fraction(str(known)) if known else Fraction(10**7)
        found.recordings.append((found.awaited, AudioInfo(length, 48_000, 2, "?")))
    if not found.recordings:
        return _silent(photos, found)
    recording, info = found.recordings[0]
    if len(found.recordings) > 1:
        found.warnings.append("more than one recording: only the first is used")
    duration = info.duration
    if found.indexes:
        segments = _from_index(found.indexes[0], duration)
        _share_photos(segments, photos)
    elif any(p.starts for p in photos):
        segments = _from_rows(photos, duration, found)
    else:
        segments = [_Segment(None, None, None, photos)]
        if at_silences and len(photos) > 1:
            _at_silences(segments[0], recording, duration)
    for segment in segments:
        if segment.end is not None and segment.start is not None and segment.end <= segment.start:
            found.warnings.append(f"segment {segment.title!r} has no length; left out")
    kept = [s for s in segments if s.end is None or (s.start or 0) < s.end]
    for segment in kept:
        _fit(segment, duration, found)
    return kept


def _fit(segment: _Segment, duration: Fraction, found: _Found) -> None:
    """Keep what the timing rules allow in a segment paced by its recording: `at` inside the
    segment, in order, a second apart (not on the first photo); no fixed durations (the
    recording sets the pace); no more photos in a stretch than it has seconds. What had to go
    is said in a warning, so the storyboard always validates as written."""
    start = segment.start or Fraction(0)
    end = segment.end if segment.end is not None else duration
    previous = start
    for index, photo in enumerate(segment.photos):
        photo.duration = None
        if photo.at is None:
            continue
        try:
            at = parse_time(photo.at)
        except ValueError:
            at = None
        if index == 0 or at is None or not previous + 1 <= at <= end - 1:
            found.warnings.append(
                f"{photo.path.name}: `at` {photo.at} does not fit the segment's timing "
                f"({format_time(start)} to {format_time(end)}, in order); left out"
            )
            photo.at = None
            continue
        previous = at
    # Each stretch (from one `at` to the next) needs a second for each of its photos.
    stretches: list[list[_Photo]] = []
    for index, photo in enumerate(segment.photos):
        if index == 0 or photo.at is not None:
            stretches.append([])
        stretches[-1].append(photo)
    marks = [start] + [parse_time(group[0].at) for group in stretches[1:]] + [end]
    kept: list[_Photo] = []
    for number, group in enumerate(stretches):
        room = int(marks[number + 1] - marks[number])
        if len(group) > room:
            left = ", ".join(p.path.name for p in group[room:])
            found.warnings.append(f"too many photos for {room} s of recording; left out: {left}")
            group = group[:room]  # none at all: the segment becomes a title card
        kept += group
    segment.photos = kept


def _photos(found: _Found) -> list[_Photo]:
    """The photos in order: an item list's rows, else the photographs found."""
    by_name = {f.path.name: f for f in found.photos}
    if not found.lists:
        return [_photo(f) for f in in_order(found.photos)]
    photos = []
    for items in found.lists:
        base = found.folders[0] if found.folders else items.path.parent
        for row in items.rows:
            photo = _row_photo(row, items, base, by_name, found)
            if photo is not None:
                photos.append(photo)
    return photos


def _photo(facts: PhotoFacts) -> _Photo:
    caption = facts.caption
    if facts.citation and (not caption or facts.citation not in caption):
        caption = f"{caption} {facts.citation}" if caption else facts.citation
    source = facts.caption_field or facts.citation_field
    return _Photo(facts.path, caption, source)


def _row_photo(row: Row, items: ItemList, base: Path, by_name, found: _Found) -> _Photo | None:
    if not row.file:
        if row.segment:  # a row that only starts a segment
            return _Photo(Path(), starts=row.segment, at=row.at)
        return None
    path = home(row.file)
    path = path if path.is_absolute() else base / path
    try:
        exists = path.is_file()
    except OSError:  # a name too long for the file system
        exists = False
    if not exists:
        found.warnings.append(f"{items.path}: row {row.line}: the file {row.file!r} was not found")
        return None
    facts = by_name.get(path.name) or _facts(path, found)
    if not facts.readable:
        found.warnings.append(f"{items.path}: row {row.line}: {row.file!r} is left out")
        return None
    embedded = _photo(facts)
    caption = row.caption
    if caption and row.citation and row.citation not in caption:
        caption = f"{caption} {row.citation}"
    return _Photo(
        path,
        caption or embedded.caption,
        f"{items.path.name} row {row.line}" if caption else embedded.caption_from,
        at=row.at,
        duration=row.duration,
        alt=row.alt,
        starts=row.segment,
    )


def _silent(photos: list[_Photo], found: _Found) -> list[_Segment]:
    """Without a recording: segments where item-list rows start them, else one."""
    segments = [_Segment(None)]
    for photo in photos:
        if photo.starts:
            if segments[-1].photos or segments[-1].title:
                segments.append(_Segment(photo.starts))
            else:
                segments[-1].title = photo.starts
        if photo.path != Path():
            photo.at = None  # `at` needs a recording
            if photo.duration is not None and parse_time(photo.duration) < 1:
                found.warnings.append(
                    f"{photo.path.name}: a duration of {photo.duration} is under the second a "
                    "photo needs; left out"
                )
                photo.duration = None
            segments[-1].photos.append(photo)
    return [s for s in segments if s.photos]


def _from_index(ohms: Ohms, duration: Fraction) -> list[_Segment]:
    points = [p for p in ohms.points if p.start < duration]
    segments = []
    for k, point in enumerate(points):
        end = Fraction(points[k + 1].start) if k + 1 < len(points) else None
        note = "\n".join(
            text
            for text in (
                f"Synopsis: {point.synopsis}" if point.synopsis else None,
                f"Keywords: {point.keywords}" if point.keywords else None,
            )
            if text
        )
        segments.append(_Segment(point.title, _exact(point.start), end, note=note or None))
    return segments or [_Segment(ohms.title)]


def _exact(seconds: float) -> Fraction:
    return Fraction(str(round(seconds, 3)))


def _share_photos(segments: list[_Segment], photos: list[_Photo]) -> None:
    """Photos given beside an index go to the segments in order, as the time falls: photo i
    of n to the segment playing at (i + 1/2) / n of the whole."""
    photos = [p for p in photos if p.path != Path()]
    if not photos:
        return
    first = segments[0].start or Fraction(0)
    last = segments[-1].end
    starts = [s.start or Fraction(0) for s in segments]
    span = (last or (starts[-1] + 60)) - first
    for i, photo in enumerate(photos):
        moment = first + span * Fraction(2 * i + 1, 2 * len(photos))
        index = max(k for k, start in enumerate(starts) if start <= moment)
        photo.at = None
        segments[index].photos.append(photo)


def _from_rows(photos: list[_Photo], duration: Fraction, found: _Found) -> list[_Segment]:
    """A row whose segment cell is filled starts a segment of the recording at its `at` (the
    segment before ends there); the rows after it are its photos."""
    segments = [_Segment(None, Fraction(0))]
    for photo in photos:
        if photo.starts:
            at = parse_time(photo.at) if photo.at else None
            current = segments[-1]
            began = True
            if not current.photos and (at is None or at >= (current.start or 0)):
                current.title = photo.starts  # the first rows: it names the opening segment
                current.start = at if at is not None else current.start
            elif at is None:
                began = False
                found.warnings.append(
                    f"segment {photo.starts!r} has no `at`, so it cannot start in the "
                    "recording; its rows continue the segment before"
                )
            elif at > (current.start or 0):
                current.end = at
                segments.append(_Segment(photo.starts, at))
            else:
                began = False
                found.warnings.append(
                    f"segment {photo.starts!r} starts at {format_time(at)}, before the segment "
                    "above it; its rows continue the segment before"
                )
            if began and photo.path != Path():
                photo.at = None  # it starts with its segment
        if photo.path != Path():
            segments[-1].photos.append(photo)
    return segments


def _at_silences(segment: _Segment, recording: Path, duration: Fraction) -> None:
    from .sources.silences import changes, pauses

    start, end = float(segment.start or 0), float(segment.end or duration)
    moments = changes(len(segment.photos), start, end, pauses(recording, start, end))
    for photo, moment in zip(segment.photos[1:], moments):
        photo.at = format_time(_exact(moment))


# --- the document -----------------------------------------------------------------------------


def _yaml() -> YAML:
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    yaml.allow_unicode = True
    return yaml


def _document(sources, found, segments, folder: Path, transcript) -> CommentedMap:
    media = sorted(
        {p for s in segments for p in (x.path for x in s.photos)}
        | {r for r, _ in found.recordings[:1]}
    )
    root = _media_root(media, folder)
    doc = CommentedMap()
    ohms = found.indexes[0] if found.indexes else None
    doc["title"] = _title(found, ohms)
    if ohms is not None and ohms.description:
        doc["description"] = LiteralScalarString(ohms.description.strip() + "\n")
    if ohms is not None and (ohms.interviewees or ohms.interviewers):
        doc["credits"] = CommentedSeq(
            [f"Interviewee: {name}" for name in ohms.interviewees]
            + [f"Interviewer: {name}" for name in ohms.interviewers]
        )
    if root != folder:
        doc["media_root"] = _relative(root, folder)
    seq = CommentedSeq()
    recording = found.recordings[0] if found.recordings else None
    for number, segment in enumerate(segments):
        entry = CommentedMap()
        if segment.title:
            entry["title"] = segment.title
        if recording is not None:
            entry["audio"] = _audio(recording, segment, root)
            if number == 0 and found.awaited is not None and ohms is not None:
                entry.yaml_add_eol_comment(
                    f"Check: {_where_recording(ohms)}; {_awaited_note(found)}", "audio"
                )
            if transcript is not None:
                entry["transcript"] = _relative(Path(transcript).resolve(), root)
        photos = CommentedSeq()
        for index, photo in enumerate(segment.photos):
            item = _photo_entry(photo, root)
            photos.append(item)
            remark = _remark(photo)
            if remark:
                photos.yaml_add_eol_comment(remark, index)
        if photos:
            entry["photos"] = photos
        seq.append(entry)
        notes = [segment.note] if segment.note else []
        length = _length(segment, recording)
        if length is not None and length < MIN_CHAPTER_SECONDS:
            notes.append(
                f"Check: this segment lasts {float(length):.1f} s, under the "
                f"{MIN_CHAPTER_SECONDS} s YouTube needs for a chapter"
            )
        if not photos:
            notes.append("No photographs here: a title card is shown while the recording plays")
        if notes:
            seq.yaml_set_comment_before_after_key(number, before="\n".join(notes), indent=2)
    doc["segments"] = seq
    _quote_ambiguous(doc)
    return doc


def _quote_ambiguous(node) -> None:
    """Quote text that a YAML 1.1 reader (PyYAML, which loads storyboards) would take for
    something else: `0:02.5` is a number there, `yes` a boolean, `~` nothing."""
    import yaml

    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in list(items):
        if isinstance(value, (dict, list)):
            _quote_ambiguous(value)
        elif isinstance(value, str) and not isinstance(value, DoubleQuotedScalarString):
            try:
                same = yaml.safe_load(value) == value
            except yaml.YAMLError:
                same = False
            if not same and "\n" not in value:
                node[key] = DoubleQuotedScalarString(value)


def _title(found: _Found, ohms: Ohms | None) -> str:
    if ohms is not None and ohms.title:
        return ohms.title
    if found.recordings:
        stem = found.recordings[0][0].stem
    elif found.folders:
        stem = found.folders[0].resolve().name
    elif found.lists:
        stem = found.lists[0].path.stem
    else:
        stem = found.photos[0].path.parent.resolve().name if found.photos else "Untitled"
    return stem.replace("_", " ").replace("-", " ").strip().capitalize() or "Untitled"


def _audio(recording, segment: _Segment, root: Path):
    path, info = recording
    file = _relative(path.resolve(), root)
    whole = not segment.start and segment.end is None
    if whole:
        return file
    audio = CommentedMap()
    audio["file"] = file
    if segment.start:
        audio["start"] = DoubleQuotedScalarString(format_time(segment.start))
    if segment.end is not None and segment.end < info.duration:
        audio["end"] = DoubleQuotedScalarString(format_time(segment.end))
    return audio


def _photo_entry(photo: _Photo, root: Path):
    file = _relative(photo.path.resolve(), root)
    keys = {
        "caption": _caption_text(photo.caption) if photo.caption else None,
        "alt": photo.alt,
        "at": DoubleQuotedScalarString(photo.at) if photo.at else None,
        "duration": DoubleQuotedScalarString(photo.duration) if photo.duration else None,
    }
    if not any(keys.values()):
        return file  # the shorthand
    entry = CommentedMap()
    entry["file"] = file
    for key, value in keys.items():
        if value:
            entry[key] = value
    return entry


def _caption_text(text: str):
    return LiteralScalarString(text) if "\n" in text else text


def _remark(photo: _Photo) -> str | None:
    if not photo.caption:
        return "Check: no caption found in the file"
    if _too_long(photo.caption):
        return "Check: over three lines on screen; the caption files keep it all"
    return None


def _too_long(caption: str) -> bool:
    """Whether the caption is cut on screen at 1080p, as the renderer lays it out."""
    from .renderer.video.fonts import bundled_font
    from .renderer.video.text import layout_caption

    return layout_caption(caption, bundled_font(), 1920, 1080).cut


def _length(segment: _Segment, recording) -> Fraction | None:
    if recording is None:
        return None
    end = segment.end if segment.end is not None else recording[1].duration
    return end - (segment.start or 0)


def _media_root(media: list[Path], folder: Path) -> Path:
    """The folder media paths start from: the storyboard's own when the media are below it,
    else the deepest folder holding all of them."""
    resolved = [m.resolve().parent for m in media]
    if not resolved:
        return folder
    if all(folder in p.parents or p == folder for p in resolved):
        return folder
    return Path(os.path.commonpath([str(p) for p in resolved]))


def _relative(path: Path, root: Path) -> str:
    try:
        return os.path.relpath(path, root)
    except ValueError:  # another drive (Windows)
        return str(path)


def _report(found: _Found, segments: list[_Segment]) -> list[str]:
    lines = []
    for path, info in found.recordings[:1]:
        lines.append(f"recording: {path} ({format_time(info.duration)})")
    for transcript in found.transcripts[:1]:
        lines.append(f"transcript: {transcript}")
    for ohms in found.indexes[:1]:
        lines.append(
            f"OHMS index: {ohms.path} ({len(ohms.points)} points, transcript: {ohms.style})"
        )
    for number, segment in enumerate(segments, start=1):
        span = ""
        if segment.start is not None or segment.end is not None:
            end = format_time(segment.end) if segment.end is not None else "end"
            span = f" {format_time(segment.start or Fraction(0))} to {end}"
        lines.append(f"segment {number}: {segment.title or '(untitled)'}{span}")
        for photo in segment.photos:
            where = f" [{photo.caption_from}]" if photo.caption_from else ""
            caption = photo.caption or "(no caption)"
            lines.append(f"  {photo.path.name}: {caption}{where}")
    return lines
