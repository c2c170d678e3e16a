"""Plates: the finished still picture of a shot (photo fitted on its background, caption burned
in, or a card), made once per shot and kept as a YUV 4:2:0 array for blending and encoding.

A caption is a layer blended onto the picture in YUV (`caption_layer`), for still and moving
shots alike, so the picture under it is cached apart and an edited caption costs no decoding.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar, Literal

import av
import numpy as np
from av.video.reformatter import Interpolation
from PIL import Image, ImageFilter

from ...digest import sha256_json
from ...schema import CaptionPosition, Fit
from ...timeline import CardKind, Look, PhotoShot, Shot
from ..keys import font_digest
from . import text
from .decoding import load_photo
from .yuv import flat, planes

CARD_BACKGROUND = (17, 17, 17)


@dataclass(frozen=True)
class _Plate:
    """What every plate has: the frame size and the caption fonts."""

    width: int
    height: int
    font: str
    bold_font: str

    def key(self) -> str:
        """The plate's name in the piece cache: the same for equal plates on any machine (the
        photo's digest stands for its file, a font's for its path), and the same as the one
        plate class before kinds had classes (`_KEY_FIELDS`), so what was cached stands."""
        data: dict[str, Any] = {k: getattr(self, k, default) for k, default in _KEY_FIELDS.items()}
        data["kind"] = self.kind  # type: ignore[attr-defined]
        data["lines"] = list(data["lines"])
        for font in ("font", "bold_font"):
            if data[font]:
                data[font] = font_digest(data[font])
        # Newer fields, left out at their defaults: the keys of what was cached before stand.
        for name, default in (("caption_lift", 0), ("caption_lines", text.MAX_CAPTION_LINES)):
            if data[name] == default:
                data.pop(name)
        return sha256_json(data)


@dataclass(frozen=True)
class PhotoPlate(_Plate):
    """A photo fitted on its background, its caption burned in; with no file, a caption alone
    (what burned-in subtitles are drawn from)."""

    file: str | None = None
    name: str | None = None  # the photo's path as written, for messages
    digest: str | None = None  # SHA-256 of the photo file
    fit: Fit = "contain"
    background: str = "blur"
    caption: str | None = None
    caption_position: CaptionPosition = "bottom"
    caption_lift: int = 0  # pixels a bottom caption sits higher: above burned-in subtitles
    caption_lines: int = text.MAX_CAPTION_LINES  # subtitles take two
    kind: ClassVar[Literal["photo"]] = "photo"

    @property
    def photo(self) -> tuple[str, str]:
        """(the file, its path as the storyboard writes it)."""
        if self.file is None:
            raise ValueError("a caption alone shows no photo")
        return self.file, self.name or self.file

    def without_caption(self) -> PhotoPlate:
        """The picture under the caption (cached apart: a caption is blended on)."""
        return replace(self, caption=None)

    def caption_layout(self) -> text.CaptionLayout:
        assert self.caption is not None
        return text.layout_caption(
            self.caption, Path(self.font), self.width, self.height, self.caption_lines
        )


@dataclass(frozen=True)
class CardPlate(_Plate):
    """A title or credits card: text on a dark ground."""

    kind: CardKind = "title"
    title: str | None = None
    subtitle: str | None = None
    lines: tuple[str, ...] = ()

    def without_caption(self) -> CardPlate:
        return self


PlateSpec = PhotoPlate | CardPlate

# Every field the key names, with its value where a kind has no such field.
_KEY_FIELDS: dict[str, object] = {
    "kind": None,
    "width": None,
    "height": None,
    "font": None,
    "bold_font": None,
    "digest": None,
    "fit": "contain",
    "background": "blur",
    "caption": None,
    "caption_position": "bottom",
    "title": None,
    "subtitle": None,
    "lines": (),
    "caption_lift": 0,
    "caption_lines": text.MAX_CAPTION_LINES,
}


def plate_spec(shot: Shot, look: Look, fonts: tuple[Path, Path], digest: str | None) -> PlateSpec:
    regular, bold = fonts
    if isinstance(shot, PhotoShot):
        return PhotoPlate(
            look.width,
            look.height,
            font=str(regular),
            bold_font=str(bold),
            file=shot.file,
            name=shot.photo,
            digest=digest,
            fit=shot.fit,
            background=look.background,
            caption=shot.caption,
            caption_position=look.caption_position,
        )
    return CardPlate(
        look.width,
        look.height,
        font=str(regular),
        bold_font=str(bold),
        kind=shot.kind,
        title=shot.title,
        subtitle=shot.subtitle,
        lines=shot.lines,
    )


def render_plate(spec: PlateSpec) -> Image.Image:
    """The plate as an RGB image (its warnings: plate_warnings)."""
    size = (spec.width, spec.height)
    if isinstance(spec, CardPlate):
        frame = Image.new("RGB", size, CARD_BACKGROUND)
        text.draw_card(
            frame, Path(spec.font), Path(spec.bold_font), spec.title, spec.subtitle, spec.lines
        )
        return frame
    frame = compose_photo(spec)
    if spec.caption:
        layout = spec.caption_layout()
        text.draw_caption(
            frame, layout, Path(spec.font), spec.caption_position, spec.caption_lift
        )
    return frame


def plate_warnings(spec: PlateSpec) -> list[str]:
    """What render_plate would warn about, without rendering (a caption's layout only): a
    render whose plates all come from the cache still says it."""
    if isinstance(spec, CardPlate) or not spec.caption:
        return []
    return _caption_warnings(spec, spec.caption_layout())


def _caption_warnings(spec: PhotoPlate, layout) -> list[str]:
    if not layout.cut:
        return []
    return [
        f"photo {spec.name!r}: the caption is longer than {text.MAX_CAPTION_LINES} lines "
        "and was cut on screen; the caption files keep all of it"
    ]


def bare_plate(spec: PlateSpec) -> np.ndarray:
    """The plate without its caption as I420 (what the video shows under a caption layer).

    A photo without transparency is fitted and converted in one step by libswscale (Lanczos,
    bit-exact and accurately rounded, so every machine makes the same bytes) straight into
    YUV, and placed on its background made the same way: at 1080p 25 ms instead of Pillow's
    Lanczos (64 ms) and a conversion of the whole frame (18 ms). It sits on even pixels (4:2:0
    chroma), at most one pixel from the middle. Anything else goes through `render_plate`."""
    if isinstance(spec, CardPlate):
        return to_yuv(render_plate(spec))
    width, height = spec.width, spec.height
    file, name = spec.photo
    photo = load_photo(file, (width, height), name, spec.digest)
    if photo.mode != "RGB":
        return to_yuv(compose_photo(spec, photo))
    pw, ph = photo.size
    if spec.fit == "cover":
        scale = max(width / pw, height / ph)
        seen = (min(pw, round(width / scale)), min(ph, round(height / scale)))
        left, top = (pw - seen[0]) // 2, (ph - seen[1]) // 2
        return _scaled_yuv(photo.crop((left, top, left + seen[0], top + seen[1])), width, height)
    scale = min(width / pw, height / ph)
    fitted = [max(2, 2 * round(pw * scale / 2)), max(2, 2 * round(ph * scale / 2))]
    fitted = [min(fitted[0], width), min(fitted[1], height)]
    frame = _background_yuv(photo, spec, (width, height))
    x, y = (width - fitted[0]) // 4 * 2, (height - fitted[1]) // 4 * 2
    picture = _scaled_yuv(photo, fitted[0], fitted[1])
    for target, source, step in zip(
        planes(frame, width, height), planes(picture, fitted[0], fitted[1]), (1, 2, 2)
    ):
        target[y // step : (y + fitted[1]) // step, x // step : (x + fitted[0]) // step] = source
    return frame


# libswscale's flags for plates: the same bytes on every machine, rounded accurately.
_EXACT = Interpolation.ACCURATE_RND | Interpolation.BITEXACT


def _scaled_yuv(
    image: Image.Image, width: int, height: int, how: Interpolation = Interpolation.LANCZOS
) -> np.ndarray:
    """An RGB image resized (by `how`) into BT.709 limited-range I420, by swscale's exact C
    code."""
    video = av.VideoFrame.from_ndarray(np.asarray(image, dtype=np.uint8), format="rgb24")
    scaled = video.reformat(
        width=width,
        height=height,
        format="yuv420p",
        dst_colorspace="itu709",
        interpolation=how | _EXACT,
    )
    return scaled.to_ndarray()


def _background_yuv(photo: Image.Image, spec: PhotoPlate, size: tuple[int, int]) -> np.ndarray:
    """The letterbox fill as I420: the blurred photo made small and scaled up in one step, or
    a flat colour."""
    if spec.background == "blur":
        return _scaled_yuv(_blurred(photo, size), size[0], size[1], Interpolation.BICUBIC)
    colour = background_for(photo, spec, (2, 2))
    y, u, v = (int(p.flat[0]) for p in planes(to_yuv(colour), 2, 2))
    return flat(size[0], size[1], (y, u, v))


def compose_photo(spec: PhotoPlate, photo: Image.Image | None = None) -> Image.Image:
    """The photo fitted to the frame: whole over a background (contain), or filling it (cover);
    as RGB, for pictures and for photos with transparency."""
    width, height = spec.width, spec.height
    if photo is None:
        # Enough pixels to fill the frame either way; JPEG draft decoding never goes below it.
        file, name = spec.photo
        photo = load_photo(file, (width, height), name, spec.digest)
    pw, ph = photo.size
    scale = max(width / pw, height / ph) if spec.fit == "cover" else min(width / pw, height / ph)
    fitted_size = (max(1, round(pw * scale)), max(1, round(ph * scale)))
    fitted = photo.resize(fitted_size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    if spec.fit == "cover":
        left = (fitted_size[0] - width) // 2
        top = (fitted_size[1] - height) // 2
        fitted = fitted.crop((left, top, left + width, top + height))
        if fitted.mode == "RGBA":
            return _flatten(fitted, Image.new("RGB", (width, height), (0, 0, 0)))
        return fitted
    frame = background_for(photo, spec, (width, height))
    position = ((width - fitted_size[0]) // 2, (height - fitted_size[1]) // 2)
    if fitted.mode == "RGBA":
        frame.paste(fitted, position, fitted)
    else:
        frame.paste(fitted, position)
    return frame


def background_for(photo: Image.Image, spec: PhotoPlate, size: tuple[int, int]) -> Image.Image:
    """The letterbox fill behind a `contain` photo: blurred photo, black or a colour."""
    if spec.background == "black":
        return Image.new("RGB", size, (0, 0, 0))
    if spec.background.startswith("#"):
        colour = tuple(int(spec.background[i : i + 2], 16) for i in (1, 3, 5))
        return Image.new("RGB", size, colour)
    return _blurred(photo, size).resize(size, Image.Resampling.BICUBIC)


def _blurred(photo: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The blurred background's small picture: the photo itself, filling the frame at 1/16 of
    its size, blurred and darkened; scaled up, it fills the frame."""
    small = (max(1, size[0] // 16), max(1, size[1] // 16))
    source = photo.convert("RGB") if photo.mode != "RGB" else photo
    pw, ph = source.size
    scale = max(small[0] / pw, small[1] / ph)
    cover = source.resize(
        (max(small[0], round(pw * scale)), max(small[1], round(ph * scale))),
        Image.Resampling.BOX,
        reducing_gap=2.0,
    )
    left = (cover.width - small[0]) // 2
    top = (cover.height - small[1]) // 2
    cover = cover.crop((left, top, left + small[0], top + small[1]))
    cover = cover.filter(ImageFilter.GaussianBlur(2))
    return Image.eval(cover, lambda v: v * 5 // 10)


def _flatten(image: Image.Image, background: Image.Image) -> Image.Image:
    background.paste(image, (0, 0), image)
    return background


def to_yuv(frame: Image.Image) -> np.ndarray:
    """RGB to a BT.709 limited-range I420 array of shape (height * 3 / 2, width): chroma
    averaged bilinearly, as swscale does by default, but by its exact C code (the default's
    SIMD paths may round differently from one CPU to another; 1.3 ms more at 1080p)."""
    return _scaled_yuv(frame, frame.width, frame.height, Interpolation.BILINEAR)


@dataclass
class CaptionLayer:
    """A caption as I420 over rows top..bottom, premultiplied: a frame's pixel p becomes
    (p * keep + add + 128) >> 8, with keep the share of the picture left (0..256)."""

    top: int
    keep: np.ndarray  # luma, int32 0..256
    add: np.ndarray  # I420 of the band rows, premultiplied and scaled by 256, int32
    chroma_keep: np.ndarray

    def apply(self, y: np.ndarray, u: np.ndarray, v: np.ndarray) -> None:
        """Blend onto a frame's Y, U and V planes in place."""
        width = y.shape[1]
        rows = self.keep.shape[0]
        ay, au, av_ = planes(self.add, width, rows)
        luma = y[self.top : self.top + rows]
        luma[:] = (luma * self.keep + ay + 128) >> 8
        top, crow, keep = self.top // 2, rows // 2, self.chroma_keep
        for plane, add in ((u, au), (v, av_)):
            region = plane[top : top + crow]
            region[:] = (region * keep + add + 128) >> 8


def caption_layer(spec: PlateSpec) -> CaptionLayer | None:
    """The shot's caption as a layer to blend onto frames made in YUV (None without one, and
    for a card).

    The caption is drawn exactly as on an RGB frame, once over black and once over white: the
    difference is how much of the picture shows through, the render over black is what the
    caption adds. Blending in YUV then gives what drawing in RGB would have, since the RGB to
    YUV conversion is linear."""
    if isinstance(spec, CardPlate) or not spec.caption:
        return None
    size = (spec.width, spec.height)
    layout = spec.caption_layout()
    renders = []
    for ground in (0, 255):
        frame = Image.new("RGB", size, (ground, ground, ground))
        text.draw_caption(
            frame, layout, Path(spec.font), spec.caption_position, spec.caption_lift
        )
        renders.append(frame)
    over_black = renders[0]
    black, white = (np.asarray(r.getchannel("G")) for r in renders)
    rows = np.nonzero((black > 0).any(axis=1) | (white < 255).any(axis=1))[0]
    if rows.size == 0:
        return None
    top, bottom = rows[0] - rows[0] % 2, rows[-1] + 1 + (rows[-1] + 1) % 2
    # 255 where the picture shows fully, 0 where the caption covers it
    shows = white[top:bottom].astype(np.int32) - black[top:bottom]
    keep = (shows * 256 + 127) // 255
    band = to_yuv(over_black.crop((0, top, spec.width, bottom))).astype(np.int32)
    chroma_keep = (
        keep[0::2, 0::2] + keep[1::2, 0::2] + keep[0::2, 1::2] + keep[1::2, 1::2] + 2
    ) // 4
    add = band * 256
    y, u, v = planes(add, spec.width, bottom - top)
    y -= 16 * keep  # black is 16 in limited-range luma, 128 in chroma
    u -= 128 * chroma_keep
    v -= 128 * chroma_keep
    return CaptionLayer(int(top), keep, add, chroma_keep)
