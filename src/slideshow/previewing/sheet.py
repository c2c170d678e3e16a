"""The contact sheet: a printable PDF of every shot (number, time, duration, caption,
citation), chapters marked, for review meetings where curators mark up paper.

Pages are 279.4 x 210 mm, landscape: the width of US Letter and the height of A4, so a page
prints unscaled on either. The text is real text (shaped by HarfBuzz, so Hebrew and Yiddish
read right to left), in the storyboard's caption font where it can be embedded.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..renderer.video.fonts import bundled_font
from ..timeline import Timeline, caption_of
from .rows import Plan, Row
from .rows import clock as _clock

PAGE = (210.0, 279.4)  # mm, portrait numbers: fpdf turns them for landscape
MARGIN = 10.0
COLUMNS, ROWS = 5, 3
GAP = 4.0
INK, MUTED, WARN = (27, 27, 27), (90, 90, 90), (138, 59, 0)


def sheet_pdf(
    timeline: Timeline, plan: Plan, thumbs: list[Path], fonts: tuple[Path, Path]
) -> bytes:
    """The contact sheet as PDF bytes."""
    from fpdf import FPDF

    logging.getLogger("fontTools").setLevel(logging.ERROR)  # subsetting chatter
    pdf = FPDF(orientation="landscape", unit="mm", format=PAGE)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(False)
    pdf.set_creator("slideshow")
    pdf.set_title(f"Contact sheet: {timeline.title}")
    _add_fonts(pdf, fonts)
    pdf.set_text_shaping(True)
    width = pdf.w - 2 * MARGIN
    cell_w = (width - GAP * (COLUMNS - 1)) / COLUMNS
    thumb_h = cell_w * timeline.look.height / timeline.look.width
    top = MARGIN + 16
    cell_h = (pdf.h - top - MARGIN - 8 - GAP * (ROWS - 1)) / ROWS
    per_page = COLUMNS * ROWS
    pages = max(1, -(-len(plan.rows) // per_page))
    for page in range(pages):
        pdf.add_page()
        _header(pdf, timeline, plan, page + 1, pages)
        for slot, row in enumerate(plan.rows[page * per_page : (page + 1) * per_page]):
            x = MARGIN + (slot % COLUMNS) * (cell_w + GAP)
            y = top + (slot // COLUMNS) * (cell_h + GAP)
            _cell(pdf, row, thumbs[row.shot.index], x, y, cell_w, thumb_h, cell_h)
    return bytes(pdf.output())


def _add_fonts(pdf, fonts: tuple[Path, Path]) -> None:
    """The storyboard's font when fpdf can embed it (TrueType or OpenType), else DejaVu Sans."""
    for style, font, fallback in (("", fonts[0], False), ("B", fonts[1], True)):
        try:
            if font.suffix.lower() not in (".ttf", ".otf"):
                raise ValueError(font.suffix)
            pdf.add_font("sheet", style, str(font))
        except Exception:  # a collection, a Type 1 font, one fpdf cannot read: the fallback
            pdf.add_font("sheet", style, str(bundled_font(bold=fallback)))


def _header(pdf, timeline: Timeline, plan: Plan, page: int, pages: int) -> None:
    pdf.set_xy(MARGIN, MARGIN)
    pdf.set_text_color(*INK)
    pdf.set_font("sheet", "B", 14)
    pdf.cell(pdf.w - 2 * MARGIN - 60, 7, timeline.title)
    pdf.set_font("sheet", "", 8)
    pdf.set_text_color(*MUTED)
    pdf.cell(60, 7, "Contact sheet", align="R")
    pdf.set_xy(MARGIN, MARGIN + 7)
    pdf.cell(
        0,
        5,
        f"{timeline.id} · {_clock(float(timeline.duration))} · {len(plan.rows)} shots · "
        f"{timeline.look.width}×{timeline.look.height} at {float(timeline.fps):g} fps",
    )
    pdf.set_xy(MARGIN, pdf.h - MARGIN - 5)
    pdf.cell(0, 5, f"Page {page} of {pages}", align="C")


def _cell(pdf, row: Row, thumb: Path, x, y, w, thumb_h, cell_h) -> None:
    shot = row.shot
    bottom = y + cell_h
    line = 3.3
    if row.chapter is not None:
        pdf.set_xy(x, y)
        pdf.set_fill_color(*INK)
        pdf.set_text_color(255, 255, 255)
        pdf.set_font("sheet", "B", 7.5)
        pdf.rect(x, y, w, 4.2, style="F")
        pdf.set_xy(x + 0.8, y)
        _limited(pdf, w - 1.6, 4.2, f"Chapter {_clock(row.seconds[0])} · {row.chapter}", y + 4.2)
    y += 4.6
    pdf.image(str(thumb), x=x, y=y, w=w, h=thumb_h)
    y += thumb_h + 1.2
    pdf.set_xy(x, y)
    pdf.set_text_color(*INK)
    pdf.set_font("sheet", "B", 8)
    start, end = row.seconds
    timing = f"{shot.index + 1}   {_clock(start)}–{_clock(end)}   {end - start:.1f} s"
    pdf.cell(w, line + 0.4, timing)
    pdf.set_xy(x, y + line + 0.6)
    pdf.set_font("sheet", "", 6.5)
    pdf.set_text_color(*MUTED)
    _limited(pdf, w, 2.8, row.what + (f" · {row.citation}" if row.citation else ""), bottom)
    caption = caption_of(shot)
    if caption:
        pdf.set_xy(x, pdf.get_y() + 0.4)
        pdf.set_text_color(*INK)
        pdf.set_font("sheet", "", 7.5)
        _limited(pdf, w, line, caption, bottom - (2.6 if row.warnings else 0))
    if row.warnings:
        pdf.set_x(x)
        pdf.set_text_color(*WARN)
        pdf.set_font("sheet", "", 6)
        _limited(pdf, w, 2.6, "! " + row.warnings[0], bottom)


def _limited(pdf, w: float, line: float, text: str, bottom: float) -> None:
    """As many lines of text as fit above bottom; the last shortened with an ellipsis."""
    lines = pdf.multi_cell(w, line, text, dry_run=True, output="LINES")
    room = int((bottom - pdf.get_y()) / line + 1e-6)
    if room <= 0:
        return
    if len(lines) > room:
        lines = lines[:room]
        lines[-1] = lines[-1].rstrip()[:-1] + "…"
    x = pdf.get_x()
    for text_line in lines:
        pdf.set_x(x)
        pdf.cell(w, line, text_line, new_x="LEFT", new_y="NEXT")
