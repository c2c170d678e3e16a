"""Rendering one compilation or many: prepare each, encode every missing piece of all of them
on one pool of workers (local processes, or a Dask cluster), and finish each compilation as
soon as its own pieces are ready. One broken storyboard never stops the others.
"""

from __future__ import annotations

import concurrent.futures as futures
import contextlib
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from .. import batch
from ..batch import Storyboard
from ..errors import SlideshowError
from .cache import PieceCache, size_limit
from .job import Job, RenderResult, finish, prepare, thumbnail
from .workers import encode_pieces, encode_soundtrack, init_worker, split_work

# progress(compilation id, pieces done, pieces in all) as pieces finish.
Progress = Callable[[str, int, int], None]


Outcome = batch.Outcome[RenderResult]


def render(
    storyboard: Storyboard,
    out: str | Path = "output",
    *,
    force: bool = False,
    jobs: int | None = None,
    cache_root: str | Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    cluster: str | None = None,
    base_url: str | None = None,
    free_transitions: bool = True,
) -> RenderResult:
    """Render a storyboard to `out/<id>.mp4` and its sidecars; raises SlideshowError on failure."""
    report = (lambda _id, done, total: progress(done, total)) if progress else None
    (outcome,) = render_many(  # raise_errors: a failure raises, so there is a result
        [storyboard],
        out,
        force=force,
        jobs=jobs,
        cache_root=cache_root,
        progress=report,
        cluster=cluster,
        raise_errors=True,
        base_url=base_url,
        free_transitions=free_transitions,
    )
    assert outcome.result is not None
    return outcome.result


def render_many(
    storyboards: Sequence[Storyboard],
    out: str | Path = "output",
    *,
    force: bool = False,
    jobs: int | None = None,
    cache_root: str | Path | None = None,
    progress: Progress | None = None,
    cluster: str | None = None,
    raise_errors: bool = False,
    on_prepared: Callable[[list[Job]], None] | None = None,
    base_url: str | None = None,
    free_transitions: bool = True,
) -> list[Outcome]:
    """Render many storyboards on one shared pool; an Outcome per storyboard, in order.

    A storyboard that fails, for a mistake or for a bug of ours, never stops the others (unless
    raise_errors): its Outcome says why, and a bug's details go to the crash log it names."""
    cache = PieceCache(Path(cache_root) if cache_root else None)
    limit = size_limit()  # a bad setting stops the render before any work
    began = time.time()
    outcomes = [Outcome(batch.name(s)) for s in storyboards]
    prepared: dict[int, Job] = {}
    for index, storyboard in enumerate(storyboards):
        try:
            prepared[index] = prepare(storyboard, out, cache, force, free_transitions)
        except Exception as exc:
            if raise_errors:
                raise
            outcomes[index].error = _reason(exc, outcomes[index].storyboard)
    if on_prepared:
        on_prepared(list(prepared.values()))
    work = _Batch(prepared, outcomes, cache, progress, raise_errors)
    work.run(jobs, cluster)
    for index, job in prepared.items():
        _iiif(job, outcomes[index], out, base_url, raise_errors)
    if limit is not None:
        # Everything this render read or wrote was touched since it began, and so was what
        # other renders running now will read (they mark it when they start): it all stays.
        with contextlib.suppress(OSError):  # only housekeeping: the outputs are written
            cache.prune(None, limit, keep_used_since=min(began, time.time() - 3600))
    return outcomes


def _iiif(job: Job, outcome: Outcome, out, base_url: str | None, raise_errors: bool) -> None:
    """The IIIF manifest of a rendered compilation, when it is known where it will be served."""
    publish = job.loaded.model.publish
    url = base_url or (publish.iiif.base_url if publish and publish.iiif else None)
    if not url or not outcome.ok:
        return
    from .. import iiif

    try:
        iiif.write(job.loaded, job.timeline, out, url)
    except OSError as exc:
        if raise_errors:
            raise SlideshowError(f"cannot write the IIIF manifest: {exc.strerror}") from None
        outcome.error = f"cannot write the IIIF manifest: {exc.strerror}"


def _reason(exc: BaseException, storyboard: str) -> str:
    return batch.reason(exc, f"rendering {storyboard}")


class _Batch:
    def __init__(self, prepared, outcomes, cache, progress, raise_errors):
        self.prepared: dict[int, Job] = prepared
        self.outcomes: list[Outcome] = outcomes
        self.cache: PieceCache = cache
        self.progress = progress
        self.raise_errors = raise_errors
        self.remaining: dict[int, int] = {}
        self.done: dict[int, int] = {}
        self.live = False  # workers announce each piece as it finishes

    def tasks(self, workers: int, remote: bool) -> list[tuple[int, int, Callable, tuple]]:
        """(job index, pieces in the task, function, arguments), longest kinds first."""
        # Workers on this machine write into the cache themselves; remote ones send back bytes.
        local_cache = None if remote else self.cache.root
        tasks: list[tuple[int, int, Callable, tuple]] = []
        for index, job in self.prepared.items():
            if job.skipped:
                continue
            if job.audio_missing:
                # Its AAC spreads over as many threads as there are workers (up to four): the
                # soundtrack is often the longest task, and the rest end before it.
                threads = min(workers, 4)
                sound = (job.timeline, job.audio_key, local_cache, threads, job.sound_stamps)
                tasks.append((index, 0, encode_soundtrack, sound))
        for index, job in self.prepared.items():
            if job.skipped:
                continue
            timeline = job.timeline
            # Four runs a worker balance the load (the soundtrack is one long task); each run
            # reuses its plates.
            # In-process, plates are shared anyway, so every piece is its own task.
            runs = (
                split_work(job.missing, workers, workers * 4)
                if workers > 1
                else [[p] for p in job.missing]
            )
            for run in runs:
                arguments = (run, timeline.fps, timeline.look.quality, index, local_cache)
                tasks.append((index, len(run), encode_pieces, arguments))
        return tasks

    def run(self, jobs: int | None, cluster: str | None) -> None:
        workers = max(1, jobs or os.cpu_count() or 1)
        if cluster:
            client = _dask_client(cluster)
            try:
                workers = sum(client.nthreads().values()) or 1
                self._run(workers, client.get_executor(pure=False))
            finally:
                client.close()
        else:
            self._run(workers, None)

    def _run(self, workers: int, executor) -> None:
        queue = None
        tasks = self.tasks(workers, remote=executor is not None)
        for index, job in self.prepared.items():
            self.remaining[index] = sum(1 for t in tasks if t[0] == index)
            self.done[index] = len(job.pieces) - len(job.missing)
            self._report(index)
            if self.remaining[index] == 0:
                self._finish(index)
        if not tasks:
            return
        if executor is None and workers == 1:
            for index, _, function, args in tasks:
                if self.outcomes[index].error is None:
                    self._collect(index, function, args)
            return
        if executor is None:
            # fork where it is safe and fast (Linux), so scripts, notebooks and stdin work.
            context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
            queue = context.Queue()
            executor = futures.ProcessPoolExecutor(
                min(workers, len(tasks)),
                mp_context=context,
                initializer=init_worker,
                initargs=(queue,),
            )
        self.live = queue is not None
        pending: dict[futures.Future, tuple[int, int]] = {}
        try:
            for index, count, function, args in tasks:
                pending[executor.submit(function, *args)] = (index, count)
            self._while_waiting()
            while pending:
                finished, _ = futures.wait(
                    pending, timeout=0.2, return_when=futures.FIRST_COMPLETED
                )
                if queue is not None:
                    while not queue.empty():  # a piece finished in a worker
                        index = queue.get()
                        self.done[index] += 1
                        self._report(index)
                for future in finished:
                    index, count = pending.pop(future)
                    self._settle(index, count, future)
                    if self.outcomes[index].error is not None:
                        for other, (job_index, _) in list(pending.items()):
                            if job_index == index and other.cancel():
                                pending.pop(other)
        except BaseException:
            if isinstance(executor, futures.ProcessPoolExecutor):
                # Stop the workers and let the pool fail what was pending by itself: cancelling
                # futures as well races with that (Python 3.11 then prints a traceback).
                for process in list(getattr(executor, "_processes", {}).values()):
                    process.terminate()
                executor.shutdown(wait=True)
            else:
                for future in pending:
                    future.cancel()
                executor.shutdown(wait=False, cancel_futures=True)
            raise
        if queue is not None:
            while not queue.empty():
                queue.get()
        executor.shutdown(wait=True)

    def _while_waiting(self) -> None:
        """Work of the main process, done while the workers encode."""
        for index, job in self.prepared.items():
            if not job.skipped and self.outcomes[index].error is None:
                with contextlib.suppress(Exception):  # finish() makes it again, and reports it
                    thumbnail(job, self.cache)

    def _collect(self, index: int, function, args) -> None:
        try:
            results = function(*args)
        except Exception as exc:
            self._fail(index, exc)
            return
        count = len(args[0]) if function is encode_pieces else 0
        self._store(index, count, results)

    def _settle(self, index: int, count: int, future: futures.Future) -> None:
        if self.outcomes[index].error is not None:
            return
        try:
            results = future.result()
        except futures.process.BrokenProcessPool:
            raise
        except Exception as exc:  # a mistake, or a bug in a worker: go on with the rest
            self._fail(index, exc)
            return
        self._store(index, count, results)

    def _store(self, index: int, count: int, results) -> None:
        for key, encoded in results:
            if encoded is not None:
                self.cache.put(key, encoded)
        if not self.live:
            self.done[index] += count
        self.remaining[index] -= 1
        self._report(index)
        if self.remaining[index] == 0:
            self._finish(index)

    def _finish(self, index: int) -> None:
        self.done[index] = len(self.prepared[index].pieces)
        self._report(index)
        try:
            self.outcomes[index].result = finish(self.prepared[index], self.cache)
        except Exception as exc:
            self._fail(index, exc)

    def _fail(self, index: int, exc: Exception) -> None:
        if self.raise_errors:
            raise exc
        self.outcomes[index].error = _reason(exc, self.outcomes[index].storyboard)

    def _report(self, index: int) -> None:
        if self.progress:
            job = self.prepared[index]
            self.progress(job.id, self.done[index], len(job.pieces))


def _dask_client(address: str):
    """A client of the Dask scheduler at address."""
    try:
        from distributed import Client
    except ImportError:
        raise SlideshowError(
            "rendering on a cluster needs Dask: pip install 'slideshow[cluster]'"
        ) from None
    try:
        return Client(address, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise SlideshowError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
