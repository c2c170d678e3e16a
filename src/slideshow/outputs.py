"""The files a render writes for one compilation, by name rather than by position."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path


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

    @classmethod
    def of(cls, folder: str | Path, id: str) -> Outputs:
        folder = Path(folder)
        return cls(
            mp4=folder / f"{id}.mp4",
            srt=folder / f"{id}.srt",
            vtt=folder / f"{id}.vtt",
            chapters=folder / f"{id}.chapters.txt",
            thumbnail=folder / f"{id}.jpg",
            manifest=folder / f"{id}.json",
        )

    def __iter__(self) -> Iterator[Path]:
        return (getattr(self, f.name) for f in fields(self))
