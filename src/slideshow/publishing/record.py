"""The publish record beside the outputs (`<id>.youtube.json`): what was sent, what is done.

It is what makes publishing idempotent: a video is inserted only when the record has none,
an interrupted upload resumes its session, and finished steps are never repeated.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

STEPS = ("upload", "thumbnail", "captions", "playlist")


@dataclass
class Record:
    path: Path
    video_id: str | None = None
    session_uri: str | None = None  # the resumable upload session, while the upload is open
    sha256: str | None = None  # of the MP4 that was (or is being) uploaded
    bytes: int | None = None
    done: list[str] = field(default_factory=list)
    metadata: dict | None = None  # the snippet and status last sent

    @classmethod
    def load(cls, path: Path) -> Record:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError) as exc:
            from ..errors import SlideshowError

            raise SlideshowError(
                f"{path}: the publish record cannot be read ({exc}); it says which video this "
                "compilation already is on YouTube, so fix or restore it rather than delete it"
            ) from None
        data.pop("path", None)
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(path, **known)

    def save(self) -> None:
        data = asdict(self)
        data.pop("path")
        fd, tmp = tempfile.mkstemp(
            dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".part"
        )
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2, ensure_ascii=False)
            out.write("\n")
        os.replace(tmp, self.path)

    def mark(self, step: str) -> None:
        if step not in self.done:
            self.done.append(step)
        self.save()

    def left(self, wanted: list[str]) -> list[str]:
        return [s for s in wanted if s not in self.done]
