"""The files a render writes for one compilation, by name rather than by position."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .timeline import Timeline


@dataclass(frozen=True)
class Captions:
    """One transcript language's caption files."""

    language: str
    srt: Path
    vtt: Path


@dataclass(frozen=True)
class Outputs:
    """Where each output of compilation `id` goes in an output folder (the contract's table).

    Iterating gives them in the order they are moved into place: the manifest last, since its
    presence says the rest is complete.
    """

    mp4: Path
    srt: Path
    vtt: Path
    chapters: Path
    thumbnail: Path
    manifest: Path
    languages: tuple[Captions, ...] = ()  # `<id>.<tag>.srt/.vtt`, one pair per language
    transcript_html: Path | None = None  # the text alternative
    transcript_txt: Path | None = None

    @classmethod
    def of(cls, folder: str | Path, id: str, languages: tuple[str, ...] = ()) -> Outputs:
        folder = Path(folder)
        return cls(
            mp4=folder / f"{id}.mp4",
            srt=folder / f"{id}.srt",
            vtt=folder / f"{id}.vtt",
            chapters=folder / f"{id}.chapters.txt",
            thumbnail=folder / f"{id}.jpg",
            manifest=folder / f"{id}.json",
            languages=tuple(
                Captions(tag, folder / f"{id}.{tag}.srt", folder / f"{id}.{tag}.vtt")
                for tag in languages
            ),
            transcript_html=folder / f"{id}.transcript.html",
            transcript_txt=folder / f"{id}.transcript.txt",
        )

    @classmethod
    def for_timeline(cls, folder: str | Path, timeline: Timeline) -> Outputs:
        """Every output of a planned compilation, its languages' caption files included."""
        return cls.of(folder, timeline.id, tuple(t.language for t in timeline.tracks))

    def captions(self, language: str) -> Captions | None:
        return next((c for c in self.languages if c.language == language), None)

    def __iter__(self) -> Iterator[Path]:
        yield from (self.mp4, self.srt, self.vtt, self.chapters, self.thumbnail)
        for captions in self.languages:
            yield captions.srt
            yield captions.vtt
        if self.transcript_html is not None:
            yield self.transcript_html
        if self.transcript_txt is not None:
            yield self.transcript_txt
        yield self.manifest
