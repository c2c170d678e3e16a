"""One compilation's render, in the two halves that bracket the encoding of its pieces:
`prepare` (read, plan, decide what must be encoded) and `finish` (mux, sidecars, rename).
"""

from __future__ import annotations

import io
import json
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import av

from ..alternative import text_alternative
from ..atomic import FileSet, remove_leftovers
from ..checking import Checked, check
from ..digest import sha256_file
from ..errors import SlideshowError
from ..loader import LoadedStoryboard
from ..media import Stamp
from ..outputs import Outputs
from ..timeline import Timeline
from ..version import __version__
from .audio.aac import AAC
from .cache import Missing, PieceCache
from .container import sidecars
from .keys import ASSEMBLY_VERSION, ENCODER_VERSION, audio_key, content_key, render_key
from .layout import lay_out
from .video.assemble import video_frames
from .video.encoding import QUALITIES
from .video.pieces import Piece, is_encoded
from .video.planning import plan_pieces
from .video.plates import PhotoPlate, PlateSpec, render_plate


@dataclass
class RenderResult:
    id: str
    outputs: Outputs
    duration: float
    seconds: float
    skipped: bool = False  # everything was up to date
    pieces: int = 0
    encoded: int = 0  # pieces that had to be encoded (not found in the cache)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Job:
    """A compilation between prepare() and finish()."""

    checked: Checked
    loaded: LoadedStoryboard
    timeline: Timeline
    out: Path
    outputs: Outputs
    render_key: str
    digests: dict[str, str]
    sound_stamps: dict[str, Stamp]  # the recordings', when digested
    specs: list[PlateSpec]
    pieces: list[Piece]
    missing: list[Piece]  # distinct pieces not in the cache
    audio_key: str
    audio_missing: bool
    began: float
    skipped: bool = False
    warnings: list[str] = field(default_factory=list)
    thumbnail: bytes | None = None  # JPEG, once made

    @property
    def id(self) -> str:
        return self.timeline.id



def prepare(
    storyboard: str | Path | LoadedStoryboard | Checked,
    out: str | Path,
    cache: PieceCache,
    force: bool,
    free_transitions: bool = True,
) -> Job:
    """Check the storyboard (unless it comes checked), lay out its plates and pieces, and find
    what the cache lacks. Raises StoryboardError for a storyboard with mistakes. With
    free_transitions, crossfades and fades between stills are made by weighted prediction
    (assemble.py) instead of being encoded."""
    began = time.perf_counter()
    checked = check(storyboard)
    loaded, timeline = checked.valid()
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SlideshowError(f"cannot create the output folder {out}: {exc.strerror}") from None
    outputs = Outputs.for_timeline(out, timeline)
    remove_leftovers(out, timeline.id)
    layout = lay_out(loaded, timeline, cache, fresh=force)
    key = render_key(timeline, layout.digests, layout.fonts, free_transitions)
    job = Job(
        checked=checked,
        loaded=loaded,
        timeline=timeline,
        out=out,
        outputs=outputs,
        render_key=key,
        digests=layout.digests,
        sound_stamps=layout.sound_stamps,
        specs=layout.specs,
        pieces=[],
        missing=[],
        audio_key=audio_key(timeline, layout.digests),
        audio_missing=False,
        began=began,
        warnings=[w for ws in layout.plate_warnings.values() for w in ws] + layout.warnings,
    )
    if not force and _up_to_date(outputs, key):
        job.skipped = True
        return job
    job.pieces = plan_pieces(timeline, layout.specs, layout.subtitles, free=free_transitions)
    job.missing = _missing(job.pieces, cache)
    job.audio_missing = not cache.has(job.audio_key)  # checked whole when muxed
    return job


def finish(job: Job, cache: PieceCache) -> RenderResult:
    """Mux the cached pieces and soundtrack, write the sidecars, rename all into place. What
    went missing from the cache since it was encoded (the cache deleted, a damaged piece
    removed on reading) is encoded again here, and the muxing done again, once."""
    if job.skipped:
        timeline = job.timeline
        return RenderResult(
            job.id, job.outputs, float(timeline.duration), time.perf_counter() - job.began,
            skipped=True,
        )  # fmt: skip
    try:
        return _finish(job, cache)
    except Missing:
        _encode_again(job, cache)
        return _finish(job, cache)


def _encode_again(job: Job, cache: PieceCache) -> None:
    """Encode here, into the cache, every piece of the job (and the soundtrack) it lacks."""
    from .workers import encode_pieces, encode_soundtrack

    timeline = job.timeline
    if cache.open(job.audio_key) is None:
        encode_soundtrack(timeline, job.audio_key, cache.root, stamps=job.sound_stamps)
    lacking = _missing(job.pieces, cache, checked=True)
    if lacking:
        encode_pieces(lacking, timeline.fps, timeline.look.quality, None, cache.root)


def _finish(job: Job, cache: PieceCache) -> RenderResult:
    from .container.mux import write_mp4

    timeline, outputs = job.timeline, job.outputs
    files = FileSet()
    try:
        soundtrack = cache.open(job.audio_key)
        if soundtrack is None:
            raise Missing("the soundtrack vanished from the cache while rendering; try again")
        video, extradata = video_frames(job.pieces, cache, timeline)
        write_mp4(files.part(outputs.mp4), timeline, video, extradata, soundtrack)
        texts = {outputs.srt: sidecars.srt(timeline), outputs.vtt: sidecars.vtt(timeline)}
        if outputs.chapters is not None:
            texts[outputs.chapters] = sidecars.chapters_text(timeline)
        for captions in outputs.languages:
            track = timeline.track(captions.language)
            assert track is not None
            texts[captions.srt] = sidecars.srt(timeline, track.cues)
            texts[captions.vtt] = sidecars.vtt(timeline, track.cues, track.language)
        if outputs.transcript_html is not None and outputs.transcript_txt is not None:
            alternative = text_alternative(timeline)
            texts[outputs.transcript_html] = alternative.html()
            texts[outputs.transcript_txt] = alternative.text()
        for target, content in texts.items():
            files.write_text(target, content)
        files.write_bytes(outputs.thumbnail, thumbnail(job, cache))
        loaded = job.loaded
        info = {
            "render_key": job.render_key,
            "storyboard": str(loaded.path),
            "storyboard_sha256": loaded.checksum,
            "media": [
                {"path": written_as, "sha256": digest}
                for written_as, digest in _media_list(loaded, job.digests)
            ],
            "tool": {"name": "slideshow", "version": __version__},
            "ffmpeg": {"pyav": av.__version__, "libav": _ffmpeg_version()},
            "encoder": _x264_summary(timeline),
            "outputs": {t.name: sha256_file(w) for t, w in files.parts.items()},
        }
        files.write_text(outputs.manifest, sidecars.manifest(timeline, info))
        if outputs.chapters is None:  # a chapter list left from a render that had chapters
            outputs.chapters_file.unlink(missing_ok=True)
        # In the order of Outputs, the manifest last: its presence says the rest is complete.
        files.publish(list(outputs))
    except BaseException:
        files.discard()
        raise
    return RenderResult(
        job.id,
        outputs,
        float(timeline.duration),
        time.perf_counter() - job.began,
        pieces=sum(1 for p in job.pieces if is_encoded(p)),  # a free transition is not one
        encoded=len(job.missing),
        warnings=job.warnings,
    )


def _x264_summary(timeline: Timeline) -> dict:
    q = QUALITIES[timeline.look.quality]
    return {
        "codec": "libx264",
        "crf": q.crf,
        "key_crf": q.key_crf,
        "still_preset": q.still_preset,
        "motion_preset": q.motion_preset,
        "aac_coder": AAC[timeline.look.quality].coder,
        "pieces": ENCODER_VERSION,
        "assembly": ASSEMBLY_VERSION,
    }


def _media_list(loaded: LoadedStoryboard, digests: dict[str, str]):
    names = list(loaded.images) + list(loaded.recordings) + list(loaded.transcripts)
    for written_as in names:
        yield written_as, digests.get(str(loaded.resolve(written_as)))


def _up_to_date(outputs: Outputs, key: str) -> bool:
    """Whether the outputs are this render's, whole: the manifest (renamed into place last)
    carries the render key, and every other output is the file the manifest names by its
    SHA-256 (a render killed between renames, or a file changed since, is done again)."""
    if not all(t.exists() for t in outputs):
        return False
    try:
        manifest = json.loads(outputs.manifest.read_text(encoding="utf-8"))
        made = manifest.get("outputs", {})
        if manifest.get("render_key") != key:
            return False
        return all(
            made.get(t.name) == sha256_file(t) for t in outputs if t != outputs.manifest
        )
    except (OSError, ValueError, AttributeError):
        return False


def _missing(pieces: list[Piece], cache: PieceCache, checked: bool = False) -> list[Piece]:
    """The distinct encoded pieces the cache lacks; with checked, also those it holds damaged
    (each piece read whole)."""
    seen: set[str] = set()
    missing = []
    for piece in pieces:
        if not is_encoded(piece) or piece.key in seen:
            continue
        seen.add(piece.key)
        held = cache.open(piece.key) is not None if checked else cache.has(piece.key)
        if not held:
            missing.append(piece)
    return missing


def thumbnail(job: Job, cache: PieceCache) -> bytes:
    """The 1280x720 thumbnail (the first photo, titled) as JPEG bytes. Kept in the cache by
    what it shows, and made while the workers encode, so it never holds up the muxing."""
    if job.thumbnail is None:
        photo = next((s for s in job.specs if isinstance(s, PhotoPlate)), None)
        spec: PlateSpec
        if photo is not None:
            title = job.timeline.title
            spec = replace(photo, width=1280, height=720, caption=title, caption_lift=0)
            spec = replace(spec, caption_position="bottom")
        else:  # only cards: the first, as it is
            spec = replace(job.specs[0], width=1280, height=720)
        key = content_key("thumbnail", spec.key())
        stored = cache.get_blobs(key)
        if stored is not None and len(stored[1]) == 1:
            job.thumbnail = stored[1][0]
        else:
            buffer = io.BytesIO()
            render_plate(spec).save(buffer, "JPEG", quality=90, optimize=True)
            job.thumbnail = buffer.getvalue()
            cache.put_blobs(key, {}, [job.thumbnail])
    return job.thumbnail


def _ffmpeg_version() -> str:
    info = getattr(av, "ffmpeg_version_info", None)
    return str(info) if info else "unknown"
