"""Item lists exported from a catalogue or finding aid: CSV or XLSX, one row per photograph.

Columns are recognised by their header, case, spaces and underscores ignored; an unknown column
is a warning (it may be a typo of one we know). Rows become photos in order; a filled
`segment` (or `title`) cell starts a segment. XLSX is read with openpyxl, time cells as the
H:MM:SS that Excel shows.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
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
    "caption": "caption",
    "description": "caption",
    "at": "at",
    "time": "at",
    "duration": "duration",
    "segment": "segment",
    "title": "segment",
    "chapter": "segment",
    "alt": "alt",
    "alttext": "alt",
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
        if any(getattr(row, n) for n in ("file", "caption", "segment")):
            result.rows.append(row)
    return result


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
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[object]] = [
        list(row) for row in csv.reader(text.splitlines(), dialect) if any(c.strip() for c in row)
    ]
    return rows


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
