"""`slideshow package`: a BagIt bag per compilation, for keeping and for transfer.

The payload is what the render made (the MP4 and every sidecar, the render manifest among them)
and the storyboard; with `with_media`, also the photographs, recordings and transcripts it used,
under the paths the storyboard writes. Manifests in SHA-256 and SHA-512 (the bagit library).
Packaging again a bag that is up to date changes nothing; a bag whose payload was altered after
packaging is reported, never rewritten.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .atomic import alive
from .batch import Outcome, Storyboard, each
from .checking import check
from .digest import sha256_file
from .errors import SlideshowError
from .loader import LoadedStoryboard
from .outputs import Outputs
from .version import __version__

CHECKSUMS = ["sha256", "sha512"]


@dataclass
class PackageResult:
    id: str
    bag: Path
    status: str  # "packaged", "replaced" (the compilation had changed) or "up to date"
    files: int = 0


def package_many(
    storyboards: Sequence[Storyboard],
    out: str | Path = "output",
    *,
    with_media: bool = False,
    report: Callable[[Outcome[PackageResult]], None] | None = None,
) -> list[Outcome[PackageResult]]:
    """Bag each compilation in turn (as `package`); one that fails never stops the others
    (batch.each). report(outcome) is called as each one ends."""
    return each(
        storyboards, lambda board: package(board, out, with_media=with_media), "packaging", report
    )


def package(
    storyboard: Storyboard,
    out: str | Path = "output",
    *,
    with_media: bool = False,
) -> PackageResult:
    """Bag one compilation as `<out>/<id>.bag`, rendering it first if needed."""
    import bagit

    from .renderer import render

    checked = check(storyboard)
    loaded, timeline = checked.valid()
    out = Path(out)
    render(checked, out)  # skips itself when the outputs are up to date
    payload = _payload(loaded, Outputs.for_timeline(out, timeline), with_media)
    bag = Outputs.of(out, timeline.id).bag
    status = "packaged"
    if bag.exists():
        previous = _existing(bag)
        if previous == {name: sha256_file(path) for name, path in payload.items()}:
            return PackageResult(timeline.id, bag, "up to date", len(payload))
        status = "replaced"
    manifest = json.loads(Outputs.of(out, timeline.id).manifest.read_text(encoding="utf-8"))
    info: dict[str, str | list[str]] = {
        "Source-Organization": "slideshow",
        "External-Identifier": timeline.id,
        "External-Description": loaded.model.description or loaded.model.title,
        "Title": loaded.model.title,
        "Bag-Software-Agent": f"slideshow {__version__} (bagit)",
        "Slideshow-Render-Key": manifest.get("render_key", ""),
        "Slideshow-Storyboard-SHA256": loaded.checksum,
    }
    if loaded.model.credits:
        info["Credits"] = list(loaded.model.credits)
    _remove_stale(bag)
    work = bag.with_name(f".{bag.name}.{os.getpid()}.new")
    shutil.rmtree(work, ignore_errors=True)
    try:
        work.mkdir()
        for name, source in payload.items():
            target = work / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        bagit.make_bag(str(work), info, checksums=CHECKSUMS)
        _follow_umask(work)
        _swap_in(work, bag)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return PackageResult(timeline.id, bag, status, len(payload))


def _swap_in(new: Path, bag: Path) -> None:
    """The complete new bag under the bag's name, in one step where the system allows: on
    Linux the two folders are exchanged at once (renameat2 RENAME_EXCHANGE), so a reader (or
    a kill) never finds no bag or half of one; elsewhere the old bag is moved aside first. The
    old bag is then removed."""
    if not bag.exists():
        os.replace(new, bag)
        return
    if _exchange(new, bag):
        shutil.rmtree(new, ignore_errors=True)  # the old bag, now under the temporary name
        return
    old = bag.with_name(f".{bag.name}.{os.getpid()}.old")
    os.replace(bag, old)
    os.replace(new, bag)
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Exchange two paths atomically (Linux renameat2); False where that is not possible."""
    if sys.platform != "linux":
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_cwd, exchange = -100, 2  # AT_FDCWD, RENAME_EXCHANGE
    done = renameat2(at_cwd, os.fsencode(a), at_cwd, os.fsencode(b), exchange)
    return done == 0


def _remove_stale(bag: Path) -> None:
    """Bags being made or replaced by a package run that was killed: never a bag's name."""
    for stale in bag.parent.glob(f".{bag.name}.*"):
        parts = stale.name.rsplit(".", 2)
        try:
            pid = int(parts[-2])
        except (IndexError, ValueError):  # an older version's random name: by its age
            with contextlib.suppress(OSError):
                if time.time() - stale.stat().st_mtime > 3600:
                    shutil.rmtree(stale, ignore_errors=True)
            continue
        if pid != os.getpid() and not alive(pid):
            shutil.rmtree(stale, ignore_errors=True)


def _follow_umask(root: Path) -> None:
    """Folders and files with the modes the user's umask gives (bagit makes its data folder
    private, 0700, whatever the umask)."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(root, 0o777 & ~mask)
    for path in root.rglob("*"):
        os.chmod(path, (0o777 if path.is_dir() else 0o666) & ~mask)


def _payload(loaded: LoadedStoryboard, outputs: Outputs, with_media: bool) -> dict[str, Path]:
    """Name in the bag's data/ folder: the file to copy there."""
    files = {path.name: path for path in outputs if path.exists()}
    if outputs.iiif.exists():
        files[outputs.iiif.name] = outputs.iiif
    files[f"storyboard/{loaded.path.name}"] = loaded.path
    if with_media:
        for written in [*loaded.images, *loaded.recordings, *loaded.transcripts]:
            name = Path(written)
            inside = name.name if name.is_absolute() or ".." in name.parts else name.as_posix()
            files[f"media/{inside}"] = loaded.resolve(written)
    return files


def _existing(bag: Path) -> dict[str, str]:
    """The payload an existing bag holds (name: SHA-256), once it is shown to be intact."""
    import bagit

    try:
        kept = bagit.Bag(str(bag))
        kept.validate()
    except bagit.BagError as exc:
        raise SlideshowError(
            f"{bag} is not a valid bag any more ({_reason(bag, exc)}): something changed it "
            "after it was packaged. It is left as it is; move it away to package again."
        ) from None
    return {
        name.removeprefix("data/"): hashes["sha256"]
        for name, hashes in kept.payload_entries().items()
    }


def _reason(bag: Path, exc: Exception) -> str:
    """Which payload files differ from the bag's own manifest, else what bagit says."""
    import bagit

    try:
        entries = bagit.Bag(str(bag)).payload_entries()
    except bagit.BagError:
        entries = {}
    changed = []
    for name, hashes in entries.items():
        path = bag / name
        if not path.is_file():
            changed.append(f"{name} is missing")
        elif sha256_file(path) != hashes.get("sha256"):
            changed.append(f"{name} differs from its checksum")
    if changed:
        return "; ".join(changed)
    return getattr(exc, "message", "") or str(exc) or type(exc).__name__
