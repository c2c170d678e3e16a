"""Probing media without decoding them whole: image headers and audio stream parameters."""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import struct
import threading
import warnings
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image

from .errors import MediaError

# Larger images are refused as possible decompression bombs: 250 megapixels is a 600 dpi scan of
# a 26 x 24 inch poster, beyond any photograph an archive digitises for the web.
MAX_IMAGE_PIXELS = 250_000_000

_ROTATED = {5, 6, 7, 8}  # EXIF orientations that swap width and height


@dataclass(frozen=True)
class ImageInfo:
    width: int  # as displayed, after EXIF orientation
    height: int
    format: str
    mode: str


@dataclass(frozen=True)
class AudioInfo:
    duration: Fraction  # seconds
    sample_rate: int
    channels: int
    codec: str


def home(path: str | Path) -> Path:
    """The path with a leading `~` or `~user` made the home folder, where there is one:
    `~0` names a user that may not exist, which is no reason to fail."""
    try:
        return Path(path).expanduser()
    except RuntimeError:  # "Could not determine home directory"
        return Path(path)


_XMP_ORIENTATION = re.compile(rb"tiff:Orientation(?:=[\"']|>)\s*([1-8])")


def orientation(image: Image.Image) -> int:
    """The photo's orientation: EXIF's, else XMP's `tiff:Orientation` (phones and PNG/AVIF
    writers put it there), else 1 (as stored)."""
    found = image.getexif().get(0x0112)
    if isinstance(found, int) and 1 <= found <= 8:
        return found
    for key in ("xmp", "XML:com.adobe.xmp"):
        xmp = image.info.get(key)
        if isinstance(xmp, str):
            xmp = xmp.encode("utf-8", "replace")
        match = _XMP_ORIENTATION.search(xmp) if isinstance(xmp, bytes) else None
        if match:
            return int(match[1])
    return 1


# A photo that takes longer than this to read or decode is reported, not waited for (files
# made to hang a decoder exist: Pillow's own test suite keeps some).
DECODE_SECONDS = 30.0


@contextlib.contextmanager
def time_limit(seconds: float, doing: str):
    """Raise MediaError when the block runs longer than `seconds` (on Unix, in the main
    thread, where the tool reads and decodes photos; elsewhere no limit)."""
    main = threading.current_thread() is threading.main_thread()
    if not hasattr(signal, "setitimer") or not main:
        yield
        return

    def expired(signum, frame):
        raise MediaError(f"{doing} took more than {seconds:g} s; the file may be damaged")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def probe_image(path: Path) -> ImageInfo:
    """Read an image's header; raises MediaError if it is not an image Pillow can read."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with time_limit(DECODE_SECONDS, "reading its header"), open_image(path) as image:
                width, height = image.size
                turn = orientation(image)
                info = ImageInfo(width, height, image.format or "?", image.mode)
    except FileNotFoundError as exc:
        raise MediaError("file not found") from exc
    except PermissionError as exc:
        raise MediaError("the file cannot be read (permission denied)") from exc
    except IsADirectoryError as exc:
        raise MediaError("this is a folder, not an image file") from exc
    except MediaError:
        raise
    except Exception as exc:  # whatever a damaged or hostile file makes a decoder raise
        raise MediaError(f"not an image that can be read ({_reason(exc)})") from exc
    if width < 1 or height < 1:
        raise MediaError("the image has no pixels")
    if turn in _ROTATED:
        return ImageInfo(height, width, info.format, info.mode)
    return info


def open_image(path: str | Path, data: bytes | None = None) -> Image.Image:
    """Open an image as Pillow's Image.open does, with our own size limit instead of Pillow's.

    Pillow guards against decompression bombs with a process-wide setting; a program that
    imports this library keeps that setting as it had it. Our limit (above Pillow's default,
    for large scans) applies to our own opens only: each format's opener is called the way
    Image.open calls it, then our check runs where Pillow's would.
    With data, the image is those bytes (the file as it was read once), not the file now.
    Raises MediaError for an image over the limit, and Pillow's own errors otherwise.
    """
    if data is not None:
        prefix = data[:16]
    else:
        with open(path, "rb") as handle:  # FileNotFoundError, PermissionError... as Image.open
            prefix = handle.read(16)
    for register in (Image.preinit, Image.init):
        register()
        for name in list(Image.ID):
            factory, accept = Image.OPEN[name]
            accepted = accept(prefix) if accept else True
            if not accepted or isinstance(accepted, str):
                continue
            try:
                # Given a path, the opener opens the file itself and closes it with close().
                if data is not None:
                    image = factory(io.BytesIO(data), str(path))
                else:
                    image = factory(str(path), None)  # type: ignore[arg-type]
            except (SyntaxError, IndexError, TypeError, struct.error):
                continue
            try:
                _check_size(*image.size)
            except MediaError:
                image.close()
                raise
            return image
    raise Image.UnidentifiedImageError("cannot identify image file")


def _check_size(width: int, height: int) -> None:
    if width * height > MAX_IMAGE_PIXELS:
        raise MediaError(
            f"the image is {width}x{height} ({width * height / 1e6:.0f} megapixels), above the "
            f"limit of {MAX_IMAGE_PIXELS / 1e6:.0f} megapixels; scale it down first"
        )


def probe_audio(path: Path) -> AudioInfo:
    """Find the first audio stream and its exact duration; raises MediaError if there is none."""
    try:
        if not path.exists():
            raise MediaError("file not found")
        if path.is_dir():
            raise MediaError("this is a folder, not a recording")
        with av.open(str(path)) as container:
            streams = container.streams.audio
            if not streams:
                raise MediaError("the file holds no audio stream")
            stream = streams[0]
            if stream.duration is not None and stream.time_base is not None:
                duration = Fraction(stream.duration) * stream.time_base
            elif container.duration is not None:
                duration = Fraction(container.duration, av.time_base)
            else:
                raise MediaError("the recording's length cannot be read")
            rate = stream.codec_context.sample_rate
            channels = stream.codec_context.channels
            codec = stream.codec_context.name
    except MediaError:
        raise
    except PermissionError as exc:
        raise MediaError("the file cannot be read (permission denied)") from exc
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise MediaError(f"not a recording that can be read ({_reason(exc)})") from exc
    if duration <= 0 or not rate:
        raise MediaError("the recording is empty")
    return AudioInfo(duration, rate, channels, codec)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    if ": '" in text:  # PyAV appends the path, which the caller names already
        text = text.split(": '")[0]
    return text or type(exc).__name__


Stamp = tuple[int, int, int, int]


def stamp(path: str | Path) -> Stamp:
    """What changes when a file does: its size, modification and change times, inode. The
    change time cannot be set back, so a file rewritten in place with its old size and
    modification time still shows it."""
    info = os.stat(path)
    return info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino


def changed_since(stamps: dict[str, Stamp]) -> list[str]:
    """The files (of those stamped) that are not as they were when stamped, or are gone."""
    changed = []
    for file, before in stamps.items():
        try:
            now = stamp(file)
        except OSError:
            changed.append(file)
            continue
        if now != before:
            changed.append(file)
    return changed
