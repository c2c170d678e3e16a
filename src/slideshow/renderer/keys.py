"""Content keys: the names under which the piece cache keeps what a render makes.

A key is the SHA-256 of everything that decides the bytes of what it names (settings, the
digests of the media and fonts, the encoder's version), so an edit changes exactly the keys
of what it touches, and equal work is found again wherever it was made.
"""

from __future__ import annotations

import functools

import av

from ..digest import sha256_file, sha256_json
from ..timeline import Timeline
from ..version import __version__
from .video.fonts import font_version

# Bump when the way pieces are encoded changes (5: B-frame parameter sets; 6: a fade of an even
# number of frames touches black; 7: photos turned upright when they also carry a colour
# profile, or their orientation in XMP: plates cached before showed them sideways).
ENCODER_VERSION = "7"
# Bump when the way cached pieces are joined into the stream changes, so outputs made before
# are joined again (from the cache: nothing is encoded). 2: conformance (issue 27): order
# counts two apart, distinct ids of IDR pictures in a row, an IDR picture every GOP.
ASSEMBLY_VERSION = "2"


def content_key(*parts: object) -> str:
    """The cache key of what parts describe (pieces, plates, worlds, thumbnails)."""
    return sha256_json([ENCODER_VERSION, *[str(p) for p in parts]])


def font_digest(path: str) -> str:
    """SHA-256 of a font file, read once per process while the file stays as it is: plate keys
    and render keys both use it (and `render --watch` lives across edits of the files)."""
    return _font_digest(path, *font_version(path))


@functools.lru_cache(maxsize=32)
def _font_digest(path: str, modified: int, size: int) -> str:
    return sha256_file(path)


def render_key(timeline: Timeline, digests: dict[str, str], fonts, free: bool = True) -> str:
    """Names a whole render: the outputs are up to date when their manifest carries it."""
    return sha256_json(
        {
            "free_transitions": free,
            "timeline": timeline.to_json(),
            "media": digests,
            "fonts": [font_digest(str(f)) for f in fonts],
            "tool": __version__,
            "encoder": ENCODER_VERSION,
            "assembly": ASSEMBLY_VERSION,
            "av": av.__version__,
        }
    )


def audio_key(timeline: Timeline, digests: dict[str, str]) -> str:
    """Names the encoded soundtrack: the clips, where they go, loudness and quality."""
    return sha256_json(
        {
            "clips": [
                [c.start, c.frames, digests[c.file], str(c.source_start), c.fade_in, c.fade_out]
                for c in timeline.audio
            ],
            "frames": timeline.frames,
            "fps": str(timeline.fps),
            "loudness": timeline.look.loudness,
            "quality": timeline.look.quality,
            "encoder": ENCODER_VERSION,
            "av": av.__version__,
        }
    )
