"""Decoding a photograph once, at the size it is needed, into display-ready sRGB pixels.

Handles what archives hold: EXIF orientation, embedded ICC profiles, CMYK, 16-bit and
grayscale scans, palettes and transparency. JPEGs are decoded at a reduced scale by libjpeg
itself (draft mode) when the output needs fewer pixels than the scan has.
"""

from __future__ import annotations

import hashlib
import io
import warnings

import numpy as np
from PIL import Image, ImageCms

from ...errors import MediaError
from ...media import DECODE_SECONDS, open_image, orientation, time_limit

_SRGB = ImageCms.createProfile("sRGB")


def load_photo(
    path: str, need: tuple[int, int], name: str, digest: str | None = None
) -> Image.Image:
    """The photo as RGB or RGBA, at least `need` pixels on each axis where the scan has them.

    name is the path as the storyboard writes it, for messages. With digest (the SHA-256 the
    render named the photo by), the file is read once and decoded from those bytes only if
    they are the bytes digested: a photo replaced during a render fails that render, and
    nothing made from the new photo is kept under the old one's name.
    """
    image = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = None
            if digest is not None:
                with open(path, "rb") as handle:
                    data = handle.read()
                if hashlib.sha256(data).hexdigest() != digest:
                    raise MediaError(
                        f"photo {name!r} changed while rendering; render again once it is saved"
                    )
            try:
                source = open_image(path, data)
            except MediaError as exc:  # over our size limit
                raise MediaError(f"photo {name!r}: {exc}") from None
            try:
                with time_limit(DECODE_SECONDS, "decoding it"):
                    image = _decode(source, need)
            finally:
                if image is not source:
                    source.close()
    except MediaError as exc:
        text = str(exc)
        raise MediaError(text if text.startswith("photo ") else f"photo {name!r}: {text}") from None
    except FileNotFoundError:
        raise MediaError(f"photo {name!r}: file not found") from None
    except Exception as exc:  # whatever a damaged or hostile file makes a decoder raise
        raise MediaError(f"photo {name!r}: cannot be decoded ({exc}); is it truncated?") from None
    return image


# How each EXIF orientation (0x0112) is undone: the photo as it was taken, upright.
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
def _decode(image: Image.Image, need: tuple[int, int]) -> Image.Image:
    turn = orientation(image)
    rotated = turn in (5, 6, 7, 8)
    want = (need[1], need[0]) if rotated else need
    if image.format == "JPEG":
        # libjpeg scales by 1/2, 1/4 or 1/8 while decoding; draft keeps at least `want`.
        image.draft(image.mode, want)
    icc = image.info.get("icc_profile")
    image.load()
    if turn == 1:  # XMP may come after the pixels (a PNG's iTXt chunk): read once loaded
        turn = orientation(image)
    image = _to_8bit(image)
    if icc:
        image = _to_srgb(image, icc)
    if image.mode == "CMYK":
        image = image.convert("RGB")
    if image.mode in ("P", "PA"):
        image = image.convert("RGBA" if _has_alpha(image) else "RGB")
    if image.mode in ("LA", "La", "RGBa"):
        image = image.convert("RGBA")
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGB")
    if image.mode == "RGBA" and image.getchannel("A").getextrema()[0] == 255:
        image = image.convert("RGB")
    # Turned last, from the orientation read first: the colour conversions above make new
    # images without the EXIF that ImageOps.exif_transpose would look for.
    return image.transpose(_UPRIGHT[turn]) if turn in _UPRIGHT else image


def _to_8bit(image: Image.Image) -> Image.Image:
    """16-bit and 32-bit grayscale scaled (not clipped) to 8 bits."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N"):
        array = np.asarray(image, dtype=np.uint16)
        return Image.fromarray((array >> 8).astype(np.uint8), "L")
    if image.mode == "I":
        array = np.asarray(image, dtype=np.int64)
        top = 65535 if array.max() > 255 else 255
        return Image.fromarray((np.clip(array, 0, top) * 255 // top).astype(np.uint8), "L")
    if image.mode == "F":
        array = np.asarray(image, dtype=np.float32)
        ftop = 1.0 if array.max() <= 1.0 else float(array.max())
        return Image.fromarray((np.clip(array / ftop, 0, 1) * 255).astype(np.uint8), "L")
    return image


def _to_srgb(image: Image.Image, icc: bytes) -> Image.Image:
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        alpha = image.getchannel("A") if image.mode in ("RGBA", "LA") else None
        base = image.convert("RGB" if image.mode in ("RGBA", "P") else image.mode)
        if base.mode not in ("RGB", "L", "CMYK"):
            return image
        converted = ImageCms.profileToProfile(
            base, source, _SRGB, outputMode="RGB", renderingIntent=ImageCms.Intent.PERCEPTUAL
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a broken profile: show the pixels as they are rather than fail
    if converted is None:  # profileToProfile returns None only when told to work in place
        return image
    if alpha is not None:
        converted.putalpha(alpha)
    return converted


def _has_alpha(image: Image.Image) -> bool:
    return image.mode == "PA" or "transparency" in image.info
