"""`preview`: a storyboard's animatic page (and, on request, its contact sheet), made from the
same check and plan as a render, with no video encoded."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..atomic import write_bytes, write_text, writing
from ..batch import Outcome, Storyboard, each
from ..checking import check
from ..digest import sha256_json
from ..errors import SlideshowError
from ..outputs import Outputs
from ..renderer.cache import PieceCache
from ..renderer.keys import audio_key
from ..renderer.layout import lay_out
from ..renderer.workers import die_with_parent
from ..version import __version__
from .assets import PEAKS_PER_SECOND, cached_peaks, picture, soundtrack_and_peaks
from .page import build_page
from .rows import plan_rows


@dataclass
class PreviewResult:
    id: str
    page: Path
    sheet: Path | None
    seconds: float
    warnings: list[str] = field(default_factory=list)  # besides the check's
    checked: list[str] = field(default_factory=list)  # the check's warnings, FILE:LINE:COL


def preview_many(
    storyboards: Sequence[Storyboard],
    out: str | Path = "output",
    *,
    sheet: bool = False,
    report: Callable[[Outcome[PreviewResult]], None] | None = None,
) -> list[Outcome[PreviewResult]]:
    """Preview each storyboard in turn (as `preview`); one that fails never stops the others
    (batch.each). report(outcome) is called as each one ends."""
    cache = PieceCache()
    return each(
        storyboards, lambda board: preview(board, out, sheet=sheet, cache=cache), "previewing",
        report,
    )


def preview(
    storyboard: Storyboard,
    out: str | Path = "output",
    *,
    sheet: bool = False,
    cache: PieceCache | None = None,
) -> PreviewResult:
    """Write `<id>.preview.html` (and its folder `<id>.preview/`) into out; with sheet, also
    `<id>.sheet.pdf`. Raises StoryboardError for a storyboard with mistakes (nothing is
    written then) and SlideshowError for media that cannot be read."""
    began = time.perf_counter()
    checked = check(storyboard)
    loaded, timeline = checked.valid()
    cache = cache or PieceCache()
    out = Path(out)
    outputs = Outputs.of(out, timeline.id)
    folder = outputs.preview_folder
    folder_name = folder.name
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SlideshowError(f"cannot create the output folder {folder}: {exc.strerror}") from None
    layout = lay_out(loaded, timeline, cache)
    fonts, specs = layout.fonts, layout.specs
    key = audio_key(timeline, layout.digests)
    distinct = list(dict.fromkeys(spec.without_caption() for spec in specs))
    peaks = cached_peaks(key, cache)
    with _soundtrack_maker(peaks is None) as sound_pool:
        # The soundtrack, when it must be made, in a process of its own: it is the longest
        # task, and the pictures share no lock with it there.
        sound = (
            None
            if peaks is not None
            else sound_pool.submit(
                soundtrack_and_peaks,
                timeline,
                key,
                PieceCache(cache.root),
                layout.sound_stamps,
            )
        )
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            made = dict(zip(distinct, pool.map(lambda spec: picture(spec, cache), distinct)))
        if sound is not None:
            peaks = sound.result()
    assert peaks is not None
    keep: set[str] = {"version.js"}
    names = {}
    for spec, (screen, thumb) in made.items():
        stem = spec.key()[:20]
        names[spec] = (f"{stem}.jpg", f"{stem}.t.jpg")
        _write_once(folder / names[spec][0], screen)
        _write_once(folder / names[spec][1], thumb)
        keep.update(names[spec])
    soundtrack = f"soundtrack-{key[:20]}.m4a"
    keep.add(soundtrack)
    if not (folder / soundtrack).exists():
        _write_soundtrack(folder / soundtrack, timeline, key, cache)
    shot_warnings = {shot.index: layout.shot_warnings(shot.index) for shot in timeline.shots}
    plan = plan_rows(timeline, list(checked.warnings), shot_warnings)
    pictures = [names[spec.without_caption()] for spec in specs]
    version = sha256_json([__version__, timeline.to_json(), pictures, soundtrack])[:16]
    html = build_page(
        timeline, plan, folder_name, pictures, soundtrack, peaks, PEAKS_PER_SECOND, version
    )
    page = outputs.preview_page
    write_text(page, html)
    write_text(folder / "version.js", f'slideshowPreviewVersion("{version}");\n')
    for stale in folder.iterdir():
        if stale.name not in keep and not stale.name.startswith("."):
            stale.unlink(missing_ok=True)
    sheet_path = None
    if sheet:
        from .sheet import sheet_pdf

        sheet_path = outputs.sheet
        thumbs = [folder / p[1] for p in pictures]
        write_bytes(sheet_path, sheet_pdf(timeline, plan, thumbs, fonts))
    warnings = [w for ws in layout.plate_warnings.values() for w in ws]
    notes = [str(w) for w in checked.warnings]
    return PreviewResult(
        timeline.id, page, sheet_path, time.perf_counter() - began, warnings, notes
    )


@contextlib.contextmanager
def _soundtrack_maker(needed: bool):
    """A one-process pool for the soundtrack (forked where that is safe: Linux), stopped on
    the way out, even by Ctrl-C; a thread when nothing is to be made."""
    if not needed:
        with ThreadPoolExecutor(max_workers=1) as threads:
            yield threads
        return
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    pool = ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=die_with_parent)
    try:
        yield pool
    except BaseException:
        for process in list(getattr(pool, "_processes", {}).values()):
            process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _write_once(path: Path, data: bytes) -> None:
    """Files named by their content are written once."""
    if not path.exists():
        write_bytes(path, data)


def _write_soundtrack(path: Path, timeline, key: str, cache: PieceCache) -> None:
    from ..renderer.container.mux import write_m4a

    encoded = cache.open(key)
    if encoded is None:
        raise SlideshowError("the soundtrack vanished from the cache; preview again")
    with writing(path) as part:
        write_m4a(part, timeline, encoded)
