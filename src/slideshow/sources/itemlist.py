"""Item lists exported from a catalogue or finding aid: CSV or XLSX, one row per photograph.

Columns are recognised by their header, case, spaces and underscores ignored, catalogue
exports' names among them (CollectionBuilder's `filename`, `object_location`, `identifier`,
`image_alt_text`); an unknown column is a warning (it may be a typo of one we know). Rows become
photos in order; a filled `segment` (or `chapter`) cell starts a segment. `title` is read by
what the list is: where every photo has one (a catalogue's items), titles are captions; where
only some rows have one, a title starts a segment. `description` is the caption where no
caption or title is. XLSX is read with openpyxl, time cells as the H:MM:SS that Excel shows;
CSV by its delimiter, quotes doubled inside quoted cells as the format has them.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..timecode import parse_time

COLUMNS = {
    "file": "file",
    "filename": "file",
    "image": "file",
    "photo": "file",
    "path": "file",
    "objectlocation": "location",  # a catalogue's file or address of the item
    "caption": "caption",
    "description": "description",
    "at": "at",
    "time": "at",
    "duration": "duration",
    "segment": "segment",
    "title": "title",
    "chapter": "segment",
    "alt": "alt",
    "alttext": "alt",
    "imagealttext": "alt",
    "citation": "citation",
    "identifier": "citation",
    "itemnumber": "citation",
    "item": "citation",
}


@dataclass
class Row:
    line: int  # the row's number in the file, for messages (the header is row 1)
    file: str | None = None
    caption: str | None = None
    at: str | None = None  # as a timecode
    duration: str | None = None
    segment: str | None = None
    alt: str | None = None
    citation: str | None = None
    title: str | None = None  # read as a caption or a segment (see the module's rule)
    description: str | None = None
    location: str | None = None  # object_location: the file where no file column is


@dataclass
class ItemList:
    path: Path
    rows: list[Row] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _key(header: object) -> str:
    return re.sub(r"[\s_\-.#]+", "", str(header or "")).lower()


def read_item_list(path: Path) -> ItemList:
    """Rows of a CSV or XLSX item list; raises ValueError (with the file named) when it
    cannot be read at all."""
    result = ItemList(path)
    table = _xlsx(path) if path.suffix.lower() in (".xlsx", ".xlsm") else _csv(path)
    if not table:
        raise ValueError(f"{path}: the item list is empty")
    header, *body = table
    names: list[str | None] = []
    for column, cell in enumerate(header, start=1):
        key = _key(cell)
        if key in COLUMNS:
            names.append(COLUMNS[key])
        elif key:
            close = difflib.get_close_matches(key, list(COLUMNS), n=1, cutoff=0.75)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            result.warnings.append(
                f"{path}: column {column} '{cell}' is not one slideshow reads; it is left out{hint}"
            )
            names.append(None)
        else:
            names.append(None)
    if "file" not in names and "location" in names:
        names = ["file" if n == "location" else n for n in names]
    if "file" not in names:
        raise ValueError(
            f"{path}: no column of file names (a header such as 'file' or 'filename'); "
            f"the headers are: {', '.join(str(h) for h in header if h)}"
        )
    for number, cells in enumerate(body, start=2):
        row = Row(number)
        for name, cell in zip(names, cells):
            if name is None or cell is None or str(cell).strip() == "":
                continue
            value = _text(cell)
            if name in ("at", "duration"):
                try:
                    parse_time(value)
                except ValueError as exc:
                    result.warnings.append(f"{path}: row {number}: {name} {value!r}: {exc}")
                    continue
            setattr(row, name, value)
        if any(getattr(row, n) for n in ("file", "caption", "segment", "title", "description")):
            result.rows.append(row)
    _titles_and_descriptions(result.rows)
    return result


def _titles_and_descriptions(rows: list[Row]) -> None:
    """Titles as captions where every photo has one, else as segments; descriptions as the
    caption where there is none."""
    photos = [r for r in rows if r.file]
    titles_are_captions = bool(photos) and all(r.title for r in photos)
    for row in rows:
        if row.title:
            if titles_are_captions:
                row.caption = row.caption or row.title
            else:
                row.segment = row.segment or row.title
        if row.description and not row.caption:
            row.caption = row.description


def _text(cell: object) -> str:
    """A cell as text; Excel times (and durations) as the H:MM:SS it shows."""
    if isinstance(cell, dt.datetime):
        cell = cell.time()
    if isinstance(cell, dt.time):
        seconds = cell.hour * 3600 + cell.minute * 60 + cell.second + cell.microsecond / 1e6
        return _clock(seconds)
    if isinstance(cell, dt.timedelta):
        return _clock(cell.total_seconds())
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _clock(seconds: float) -> str:
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    fraction = round(seconds - whole, 3)
    tail = f"{fraction:.3f}"[1:] if fraction else ""
    return f"{hours}:{minutes:02d}:{secs:02d}{tail}"


def _csv(path: Path) -> list[list[object]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    # Only the delimiter is guessed: quoting is the format's own (RFC 4180: a quote inside a
    # quoted cell is doubled), which the sniffer can guess wrong. Cells may hold line breaks.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, doublequote=True)
    return [list(row) for row in reader if any(c.strip() for c in row)]


def _xlsx(path: Path) -> list[list[object]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ValueError(f"{path}: not a spreadsheet that can be read ({exc})") from None
    try:
        sheet = book.worksheets[0]
        return [
            list(row)
            for row in sheet.iter_rows(values_only=True)
            if any(c is not None and str(c).strip() for c in row)
        ]
    finally:
        book.close()
