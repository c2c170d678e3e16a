"""The publish record beside the outputs (`<id>.youtube.json`): what was sent, what is done.

It is what makes publishing idempotent: a video is inserted only when the record has none,
an interrupted upload resumes its session, and finished steps are never repeated.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import ClassVar, TypeVar

from ..atomic import write_text
from ..errors import SlideshowError

STEPS = ("upload", "thumbnail", "captions", "playlist")
L = TypeVar("L", bound="Ledger")


@dataclass
class Ledger:
    """A JSON record beside the outputs of what was sent where, written whole each time (a
    temporary file renamed into place); a damaged one stops the run rather than being
    replaced, since it is what says which remote object a compilation already is."""

    path: Path
    LOST: ClassVar[str] = "it says what was already published"

    @classmethod
    def load(cls: type[L], path: Path) -> L:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError) as exc:
            raise SlideshowError(
                f"{path}: the record cannot be read ({exc}); {cls.LOST}, so fix or restore it "
                "rather than delete it"
            ) from None
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "path"}
        return cls(path, **known)

    def save(self) -> None:
        data = asdict(self)
        data.pop("path")
        write_text(self.path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


@dataclass
class Record(Ledger):
    LOST: ClassVar[str] = "it says which video this compilation already is on YouTube"
    video_id: str | None = None
    session_uri: str | None = None  # the resumable upload session, while the upload is open
    sha256: str | None = None  # of the MP4 that was (or is being) uploaded
    bytes: int | None = None
    done: list[str] = field(default_factory=list)
    metadata: dict | None = None  # the snippet and status last sent
    # Caption tracks sent, by language: {"id": YouTube's caption id, "sha256": of the file}
    captions: dict[str, dict] = field(default_factory=dict)

    def mark(self, step: str) -> None:
        if step not in self.done:
            self.done.append(step)
        self.save()

    def left(self, wanted: list[str]) -> list[str]:
        return [s for s in wanted if s not in self.done]
