"""The pictures of a planned compilation, laid out once for render and preview alike: every
media file's digest, the caption fonts, each shot's plate (lifted above burned-in subtitles
when the storyboard has them), the subtitles, and what the plates warn about."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import SlideshowError
from ..loader import LoadedStoryboard
from ..media import Stamp, stamp
from ..timeline import PhotoShot, Timeline
from .cache import DigestCache, PieceCache
from .video import subtitles
from .video.fonts import find_font
from .video.planning import shown
from .video.plates import PlateSpec, plate_spec, plate_warnings


@dataclass(frozen=True)
class Layout:
    digests: dict[str, str]  # SHA-256 of every media file, by resolved path
    sound_stamps: dict[str, Stamp]  # each recording's, taken when it was digested
    fonts: tuple[Path, Path]  # regular, bold
    specs: list[PlateSpec]  # shot i's plate
    subtitles: list[subtitles.Subtitle]  # burned-in subtitles (style.subtitles), or none
    plate_warnings: dict[PlateSpec, list[str]]  # each distinct plate's, in order
    warnings: list[str]  # the subtitles'

    def shot_warnings(self, index: int) -> list[str]:
        return self.plate_warnings[self.specs[index]]


def lay_out(
    loaded: LoadedStoryboard, timeline: Timeline, cache: PieceCache, fresh: bool = False
) -> Layout:
    """With fresh (`--force`), every media file is read and digested again: the memo of
    digests by size and modification time is not trusted."""
    digests, stamps = media_digests(loaded, timeline, cache, fresh)
    fonts = fonts_for(timeline, loaded)
    specs = [
        plate_spec(s, timeline.look, fonts, digests[s.file] if isinstance(s, PhotoShot) else None)
        for s in timeline.shots
    ]
    subs = subtitles.subtitles(timeline, fonts)
    if subs:
        look = timeline.look
        rise = subtitles.lift(look.width, look.height, fonts)
        specs = [
            subtitles.lifted(spec, span, subs, rise) for spec, span in zip(specs, shown(timeline))
        ]
    warned = {spec: plate_warnings(spec) for spec in dict.fromkeys(specs)}
    return Layout(digests, stamps, fonts, specs, subs, warned, subtitles.warnings(subs))


def media_digests(
    loaded: LoadedStoryboard, timeline: Timeline, cache: PieceCache, fresh: bool = False
) -> tuple[dict[str, str], dict[str, Stamp]]:
    """Every media file's SHA-256, and each recording's stamp taken just before (media.stamp):
    the soundtrack, made from them later, can tell that they are still the files digested
    (photos are checked by their bytes when decoded, transcripts were read at load)."""
    known = DigestCache(cache.root)
    digests, stamps = {}, {}
    recordings = {clip.file for clip in timeline.audio}
    for file in sorted(_media_files(loaded, timeline)):
        try:
            if file in recordings:
                stamps[file] = stamp(file)
            read = loaded.transcript_digests.get(file)  # the bytes its cues came from
            digests[file] = read if read is not None else known.digest(Path(file), fresh)
        except OSError as exc:
            raise SlideshowError(f"cannot read {file}: {exc.strerror}") from None
    known.save()
    return digests, stamps


def _media_files(loaded: LoadedStoryboard, timeline: Timeline) -> set[str]:
    files = {s.file for s in timeline.shots if isinstance(s, PhotoShot)}
    files |= {c.file for c in timeline.audio}
    files |= {str(loaded.resolve(t)) for t in loaded.transcripts}
    return files


def fonts_for(timeline: Timeline, loaded: LoadedStoryboard) -> tuple[Path, Path]:
    base = loaded.path.parent
    regular = find_font(timeline.look.font, base=base)
    try:
        bold = find_font(timeline.look.font, bold=True, base=base)
    except SlideshowError:
        bold = regular
    return regular, bold
