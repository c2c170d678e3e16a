"""Text on frames: captions on a translucent band, title and credits cards.

Right-to-left scripts (Hebrew, Yiddish) are laid out by Pillow's raqm engine with FriBiDi;
where FriBiDi is missing, python-bidi reorders each line first.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, features

from .fonts import font_version

MAX_CAPTION_LINES = 3
CAPTION_SIZE = 0.045  # of the frame height: 48 px at 1080p
MIN_CAPTION_SCALE = 0.75  # shrink this far before cutting a long caption
SAFE_WIDTH = 0.84  # captions stay inside the central 84% (title safe plus margin)
BAND_ALPHA = 150  # of 255: dark enough for white text on any photo, the photo still shows


@functools.lru_cache(maxsize=1)
def _layout() -> tuple[ImageFont.Layout, bool]:
    if features.check_feature("raqm"):
        return ImageFont.Layout.RAQM, bool(features.check_feature("fribidi"))
    return ImageFont.Layout.BASIC, False


def font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    """The font at a size, opened once while its file stays as it is (`render --watch` lives
    across edits of the files)."""
    return _font(str(path), size, *font_version(path))


@functools.lru_cache(maxsize=64)
def _font(path: str, size: int, modified: int, length: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, layout_engine=_layout()[0])


def _visual(line: str) -> str:
    """The line as drawn: raqm with FriBiDi orders it itself; otherwise python-bidi does."""
    _engine, has_bidi = _layout()
    if has_bidi or not _is_rtl(line):
        return line
    from bidi import get_display

    return get_display(line)


def _is_rtl(text: str) -> bool:
    return any("\u0590" <= ch <= "\u08ff" or "\ufb1d" <= ch <= "\ufefc" for ch in text)


def wrap(text: str, face: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Greedy word wrap in logical order; explicit newlines are kept."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words = paragraph.split()
        if not words:
            continue
        line = words[0]
        for word in words[1:]:
            trial = f"{line} {word}"
            if face.getlength(_visual(trial)) <= width:
                line = trial
            else:
                lines.append(line)
                line = word
        lines.append(line)
    # A single word wider than the line is split by characters, at the longest prefix that
    # fits (found by halving: a 3000-character "word" is measured a few dozen times, not
    # millions).
    out: list[str] = []
    for line in lines:
        while len(line) > 1 and face.getlength(_visual(line)) > width:
            fits, wide = 1, len(line)  # line[:fits] fits (or is one character); line[:wide] not
            while wide - fits > 1:
                middle = (fits + wide) // 2
                if face.getlength(_visual(line[:middle])) <= width:
                    fits = middle
                else:
                    wide = middle
            out.append(line[:fits])
            line = line[fits:]
        out.append(line)
    return out


@dataclass(frozen=True)
class CaptionLayout:
    lines: tuple[str, ...]
    size: int
    cut: bool  # the caption did not fit in MAX_CAPTION_LINES even at the smallest size


def layout_caption(
    text: str, font_path: Path, width: int, height: int, max_lines: int = MAX_CAPTION_LINES
) -> CaptionLayout:
    """Wrap to the safe width; shrink up to MIN_CAPTION_SCALE, then cut with an ellipsis."""
    base = max(12, round(height * CAPTION_SIZE))
    size = base
    while True:
        lines = wrap(text, font(font_path, size), width * SAFE_WIDTH)
        if len(lines) <= max_lines:
            return CaptionLayout(tuple(lines), size, False)
        smaller = round(size * 0.92)
        if smaller < base * MIN_CAPTION_SCALE:
            break
        size = smaller
    kept = lines[:max_lines]
    kept[-1] = kept[-1].rstrip(" .,;:") + "…"
    face = font(font_path, size)
    while face.getlength(_visual(kept[-1])) > width * SAFE_WIDTH and len(kept[-1]) > 2:
        kept[-1] = kept[-1][:-2] + "…"
    return CaptionLayout(tuple(kept), size, True)


def band_height(caption: CaptionLayout, font_path: Path, lines: int | None = None) -> int:
    """The height of a caption's band (of `lines` lines at its size, if given)."""
    face = font(font_path, caption.size)
    ascent, descent = face.getmetrics()
    count = len(caption.lines) if lines is None else lines
    return round((ascent + descent) * 1.15) * count + 2 * round(caption.size * 0.45)


def draw_caption(
    frame: Image.Image, caption: CaptionLayout, font_path: Path, position: str, lift: int = 0
):
    """Draw the caption on an RGB frame, in place, over a translucent band; a bottom one
    `lift` pixels higher than usual (above burned-in subtitles)."""
    width, height = frame.size
    if not caption.lines:  # nothing visible to draw (the text was only invisible characters)
        return
    face = font(font_path, caption.size)
    ascent, descent = face.getmetrics()
    line_height = round((ascent + descent) * 1.15)
    pad = round(caption.size * 0.45)
    band_h = line_height * len(caption.lines) + 2 * pad
    margin = round(height * 0.05)  # action-safe margin from the frame edge
    top = margin if position == "top" else height - margin - band_h - lift
    widest = max(face.getlength(_visual(line)) for line in caption.lines)
    band_w = min(width, round(widest + 4 * pad))
    left = (width - band_w) // 2
    overlay = Image.new("RGBA", (band_w, band_h), (0, 0, 0, BAND_ALPHA))
    if frame.mode == "RGBA":
        frame.alpha_composite(overlay, (left, top))
    else:
        frame.paste(overlay, (left, top), overlay)
    draw = ImageDraw.Draw(frame)
    for index, line in enumerate(caption.lines):
        y = top + pad + index * line_height + line_height // 2
        draw.text((width / 2, y), _visual(line), font=face, fill=(255, 255, 255), anchor="mm")


def draw_card(
    frame: Image.Image,
    font_path: Path,
    bold_path: Path,
    title: str | None,
    subtitle: str | None = None,
    lines: tuple[str, ...] = (),
) -> None:
    """A title card (title, subtitle) or credits card (heading, lines), centred, in place."""
    width, height = frame.size
    draw = ImageDraw.Draw(frame)
    blocks: list[tuple[ImageFont.FreeTypeFont, list[str], tuple[int, int, int]]] = []
    if title:
        face = font(bold_path, max(14, round(height * 0.075)))
        blocks.append((face, wrap(title, face, width * 0.8), (255, 255, 255)))
    if subtitle:
        face = font(font_path, max(12, round(height * 0.042)))
        blocks.append((face, wrap(subtitle, face, width * 0.8), (200, 200, 200)))
    if lines:
        size = max(10, round(height * 0.036))
        total = sum(len(wrap(x, font(font_path, size), width * 0.8)) for x in lines)
        while size > 10 and total * size * 1.4 > height * 0.7:
            size -= 2
            total = sum(len(wrap(x, font(font_path, size), width * 0.8)) for x in lines)
        face = font(font_path, size)
        wrapped = [w for line in lines for w in wrap(line, face, width * 0.8)]
        blocks.append((face, wrapped, (230, 230, 230)))
    heights = []
    for face, block, _ in blocks:
        ascent, descent = face.getmetrics()
        heights.append(round((ascent + descent) * 1.3) * len(block))
    gap = round(height * 0.04)
    y = (height - sum(heights) - gap * (len(blocks) - 1)) / 2
    for (face, block, colour), block_h in zip(blocks, heights):
        line_h = block_h / max(len(block), 1)
        for index, line in enumerate(block):
            draw.text(
                (width / 2, y + line_h * (index + 0.5)),
                _visual(line),
                font=face,
                fill=colour,
                anchor="mm",
            )
        y += block_h + gap
