"""Writing whole or not at all: every file the tool writes goes to a temporary name beside its
final one (`.<name>.<pid>.part`) and is renamed into place, so a reader never finds a
half-written file under a final name. The one writer for storyboards, outputs, previews,
manifests and publish records; and what an error of the system while writing says, naming
the file by its final name (`os_error_message`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
from collections.abc import Iterator
from pathlib import Path

from .errors import SlideshowError


def part_of(path: Path) -> Path:
    """The temporary name this process writes `path` under."""
    return path.with_name(f".{path.name}.{os.getpid()}.part")


def final_of(path: str) -> str:
    """The final name a temporary one (part_of) stands for; any other path as it is."""
    return re.sub(r"(^|/)\.([^/]+)\.\d+\.part$", r"\1\2", path)


@contextlib.contextmanager
def writing(path: Path) -> Iterator[Path]:
    """Yields the temporary path to write; renames it to `path` when the block ends, removes
    it when the block fails. An OSError (full disk, no permission) becomes a SlideshowError
    naming the file."""
    part = part_of(path)
    try:
        yield part
        flush(part)
        os.replace(part, path)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise SlideshowError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def write_bytes(path: Path, data: bytes) -> None:
    with writing(path) as part:
        part.write_bytes(data)


def write_text(path: Path, text: str) -> None:
    with writing(path) as part:
        part.write_text(text, encoding="utf-8")


class FileSet:
    """Files written under temporary names, then renamed into place together, in the order
    they were added (so the last one added can say the rest is complete); on failure none is
    left behind."""

    def __init__(self) -> None:
        self.parts: dict[Path, Path] = {}  # final name: temporary file

    def part(self, target: Path) -> Path:
        self.parts[target] = part_of(target)
        return self.parts[target]

    def write_text(self, target: Path, text: str) -> None:
        self.part(target).write_text(text, encoding="utf-8")

    def write_bytes(self, target: Path, data: bytes) -> None:
        self.part(target).write_bytes(data)

    def publish(self, order: Iterator[Path] | list[Path]) -> None:
        order = list(order)
        for target in order:  # all on the disk before any has its final name
            flush(self.parts[target])
        for target in order:
            os.replace(self.parts[target], target)

    def discard(self) -> None:
        for part in self.parts.values():
            part.unlink(missing_ok=True)


def flush(path: Path) -> None:
    """The file's bytes on the disk (not only in the system's memory): a rename after a power
    cut then never names a file that was not all written."""
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def remove_leftovers(folder: Path, name: str) -> None:
    """Temporary files of `name`'s outputs whose writer was killed: they never carry a final
    name, and a process still alive is left to finish its own."""
    for leftover in folder.glob(f".{name}.*.part"):
        try:
            pid = int(leftover.name.rsplit(".", 2)[-2])
        except ValueError:
            continue
        if pid != os.getpid() and not alive(pid):
            leftover.unlink(missing_ok=True)


def alive(pid: int) -> bool:
    """Whether a process of this number runs (another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# What to do about an error of the system, by its errno name: after "<path>: <what>; ".
_OS_ADVICE = {
    "ENOSPC": "no space left on the disk; free some space, or write elsewhere (--out)",
    "EDQUOT": "the disk quota is used up; free some space, or write elsewhere (--out)",
    "EROFS": "the disk is read-only; write elsewhere (--out)",
    "EACCES": "permission denied; use a folder you may write to (--out), or ask for access",
    "EPERM": "not permitted; use a folder you may write to (--out), or ask for access",
    "EISDIR": "a folder stands where a file is to be written; move or rename that folder",
    "ENOTDIR": "a file stands where a folder is needed; move or rename that file",
    "ENAMETOOLONG": "the name is too long for this disk; use a shorter folder (--out)",
    "EMFILE": "too many open files; close other programs, or render fewer at once (--jobs)",
}


def os_error_message(exc: OSError) -> str:
    """One line for an error of the system (a full disk, a read-only folder, a folder where a
    file goes): the path it concerns and what to do."""
    name = errno.errorcode.get(exc.errno or 0, "")
    # A rename names its target second; a file being written, by its temporary name.
    given = exc.filename2 if exc.filename2 is not None else exc.filename
    path = final_of(str(given)) if given is not None else ""
    what = _OS_ADVICE.get(name) or (exc.strerror or str(exc)).rstrip(".")
    return f"{path}: {what}" if path else what
