"""Every file the tool writes for one compilation, by name rather than by position: what a
render writes (iterated in the order they are moved into place), and beside them the IIIF
manifest, the preview page and its folder, the contact sheet, the bag and the publish
records."""

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
    chapters: Path | None  # none without chapters (a storyboard with no titled segment)
    thumbnail: Path
    manifest: Path
    languages: tuple[Captions, ...] = ()  # `<id>.<tag>.srt/.vtt`, one pair per language
    transcript_html: Path | None = None  # the text alternative
    transcript_txt: Path | None = None

    @classmethod
    def of(
        cls,
        folder: str | Path,
        id: str,
        languages: tuple[str, ...] = (),
        chapters: bool = True,
    ) -> Outputs:
        folder = Path(folder)
        return cls(
            mp4=folder / f"{id}.mp4",
            srt=folder / f"{id}.srt",
            vtt=folder / f"{id}.vtt",
            chapters=folder / f"{id}.chapters.txt" if chapters else None,
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
        """Every output of a planned compilation: its languages' caption files, and the chapter
        list when it has chapters."""
        languages = tuple(t.language for t in timeline.tracks)
        return cls.of(folder, timeline.id, languages, chapters=bool(timeline.chapters))

    # Beside the render's files, never moved into place with them:
    @property
    def _stem(self) -> Path:
        return self.mp4.with_suffix("")

    def _beside(self, suffix: str) -> Path:
        return self.mp4.with_name(self._stem.name + suffix)

    @property
    def chapters_file(self) -> Path:
        """Where the chapter list is, or was: a render without chapters removes it."""
        return self._beside(".chapters.txt")

    @property
    def iiif(self) -> Path:
        return self._beside(".iiif.json")

    @property
    def preview_page(self) -> Path:
        return self._beside(".preview.html")

    @property
    def preview_folder(self) -> Path:
        return self._beside(".preview")

    @property
    def sheet(self) -> Path:
        return self._beside(".sheet.pdf")

    @property
    def bag(self) -> Path:
        return self._beside(".bag")

    @property
    def youtube_record(self) -> Path:
        return self._beside(".youtube.json")

    @property
    def archive_record(self) -> Path:
        return self._beside(".archive-org.json")

    def captions(self, language: str) -> Captions | None:
        return next((c for c in self.languages if c.language == language), None)

    def __iter__(self) -> Iterator[Path]:
        yield from (self.mp4, self.srt, self.vtt)
        if self.chapters is not None:
            yield self.chapters
        yield self.thumbnail
        for captions in self.languages:
            yield captions.srt
            yield captions.vtt
        if self.transcript_html is not None:
            yield self.transcript_html
        if self.transcript_txt is not None:
            yield self.transcript_txt
        yield self.manifest
