"""Photographs in a folder (or matched by a glob), in order, with the captions embedded in them.

Captions come from IPTC Caption-Abstract, else XMP dc:description, else EXIF ImageDescription;
a citation from IPTC Object Name, else XMP dc:identifier. All read through Pillow (its IPTC,
XMP and EXIF readers), never by hand. Text is taken as UTF-8 whatever the IPTC character set
says (Photoshop and Lightroom write UTF-8 and often leave it unmarked), and read as Latin-1
only when it is not UTF-8.
"""

from __future__ import annotations

import glob
import re
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image, IptcImagePlugin
from PIL.ImageFile import ImageFile

from ..media import DECODE_SECONDS, open_image, time_limit

# What the renderer reads (Pillow's formats that archives use for scans and derivatives).
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".tif", ".tiff", ".png", ".webp", ".bmp", ".gif", ".jp2"}


@dataclass(frozen=True)
class PhotoFacts:
    path: Path
    caption: str | None = None
    caption_field: str | None = None  # where the caption came from, for --dry-run
    citation: str | None = None
    citation_field: str | None = None
    taken: datetime | None = None  # EXIF DateTimeOriginal
    problem: str | None = None  # what could not be read
    readable: bool = True  # False: not an image the renderer can read (left out)


def natural_key(path: Path) -> list:
    """`Item 2` before `Item 10`: digits compare as numbers."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", path.name)]


def find_photos(source: str) -> list[Path]:
    """The images in a folder, or matched by a glob, in natural order of their names."""
    path = Path(source)
    if path.is_dir():
        found = [p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES]
    else:
        found = [Path(p) for p in glob.glob(source) if Path(p).suffix.lower() in IMAGE_SUFFIXES]
    return sorted((p for p in found if p.is_file()), key=natural_key)


def in_order(facts: list[PhotoFacts]) -> list[PhotoFacts]:
    """By EXIF DateTimeOriginal where every photo has one; else as found (natural order)."""
    if facts and all(f.taken for f in facts):
        return sorted(facts, key=lambda f: (f.taken, natural_key(f.path)))
    return list(facts)


def read_facts(path: Path) -> PhotoFacts:
    """The embedded caption, citation and date of a photo; a damaged block of metadata is
    reported in `problem` and the rest still used."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with time_limit(DECODE_SECONDS, "reading it"), open_image(path) as image:
                return _facts(path, image)
    except Exception as exc:
        return PhotoFacts(path, problem=f"not an image that can be read ({exc})", readable=False)


def _facts(path: Path, image: ImageFile) -> PhotoFacts:
    problems = []
    iptc: dict = {}
    xmp: dict = {}
    exif: Image.Exif | None = None
    try:
        iptc = IptcImagePlugin.getiptcinfo(image) or {}
    except Exception as exc:
        problems.append(f"IPTC ({exc})")
    try:
        xmp = image.getxmp() if hasattr(image, "getxmp") else {}
    except Exception as exc:
        problems.append(f"XMP ({exc})")
    try:
        exif = image.getexif()
    except Exception as exc:
        problems.append(f"EXIF ({exc})")
    description = _xmp_value(xmp, "description")
    identifier = _xmp_value(xmp, "identifier")
    caption_choices = [
        ("IPTC Caption-Abstract", _iptc_text(iptc.get((2, 120)))),
        ("XMP dc:description", description),
        ("EXIF ImageDescription", _exif_text(exif.get(0x010E) if exif else None)),
    ]
    citation_choices = [
        ("IPTC Object Name", _iptc_text(iptc.get((2, 5)))),
        ("XMP dc:identifier", identifier),
    ]
    caption_field, caption = next(((f, v) for f, v in caption_choices if v), (None, None))
    citation_field, citation = next(((f, v) for f, v in citation_choices if v), (None, None))
    taken = None
    try:
        stamp = exif.get_ifd(0x8769).get(0x9003) if exif else None
        if isinstance(stamp, str) and stamp.strip():
            taken = datetime.strptime(stamp.strip()[:19], "%Y:%m:%d %H:%M:%S")
    except (ValueError, KeyError, TypeError) as exc:
        problems.append(f"EXIF date ({exc})")
    problem = "metadata partly unreadable: " + "; ".join(problems) if problems else None
    return PhotoFacts(path, caption, caption_field, citation, citation_field, taken, problem)


def _iptc_text(value: object) -> str | None:
    if isinstance(value, list):  # a repeated dataset: its parts in order
        value = b" ".join(v for v in value if isinstance(v, bytes))
    if not isinstance(value, bytes):
        return None
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        text = value.decode("latin-1")
    return _clean(text)


def _exif_text(value: object) -> str | None:
    if isinstance(value, bytes):
        try:
            return _clean(value.decode("utf-8"))
        except UnicodeDecodeError:
            return _clean(value.decode("latin-1"))
    return _clean(value) if isinstance(value, str) else None


def _xmp_value(xmp: dict, name: str) -> str | None:
    """dc:<name> from Pillow's XMP dictionary: a plain value, or the x-default (else the
    first) entry of a language alternative, bag or sequence."""
    node: object = xmp.get("xmpmeta", xmp).get("RDF", {}) if isinstance(xmp, dict) else None
    descriptions = node.get("Description") if isinstance(node, dict) else None
    for description in descriptions if isinstance(descriptions, list) else [descriptions]:
        if isinstance(description, dict) and name in description:
            return _clean(_first(description[name]))
    return None


def _first(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in ("Alt", "Bag", "Seq"):
            if key in value:
                return _first(value[key])
        if "li" in value:
            items = value["li"] if isinstance(value["li"], list) else [value["li"]]
            default = [i for i in items if isinstance(i, dict) and i.get("lang") == "x-default"]
            return _first((default or items)[0]) if items else None
        if "text" in value:
            return value["text"] if isinstance(value["text"], str) else None
    if isinstance(value, list) and value:
        return _first(value[0])
    return None


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.replace("\x00", "").strip()
    return text or None
