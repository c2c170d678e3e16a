"""`slideshow package`: a BagIt bag per compilation, for keeping and for transfer.

The payload is what the render made (the MP4 and every sidecar, the render manifest among them)
and the storyboard; with `with_media`, also the photographs, recordings and transcripts it used,
under the paths the storyboard writes. Manifests in SHA-256 and SHA-512 (the bagit library).
Packaging again a bag that is up to date changes nothing; a bag whose payload was altered after
packaging is reported, never rewritten.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .batch import Outcome, Storyboard, each
from .check import check
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
    work = Path(tempfile.mkdtemp(dir=out, prefix=f".{timeline.id}.bag."))
    try:
        for name, source in payload.items():
            target = work / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        bagit.make_bag(str(work), info, checksums=CHECKSUMS)
        if bag.exists():
            shutil.rmtree(bag)
        os.replace(work, bag)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return PackageResult(timeline.id, bag, status, len(payload))


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
