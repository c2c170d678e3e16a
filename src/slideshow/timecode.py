"""Time values of the storyboard format: seconds or timecodes, parsed exactly as Fractions."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

_TIMECODE = re.compile(r"^(?:(?:(\d+):)?(\d{1,2}):)?(\d+(?:\.\d+)?)$")

FORMS = '12, 12.5, "SS.mmm", "M:SS", "MM:SS.mmm", "H:MM:SS" or "HH:MM:SS.mmm"'


def parse_time(value: object) -> Fraction:
    """Seconds from a number or a timecode string; raises ValueError with a readable message."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"expected a time such as {FORMS}, got {_show(value)}")
    if isinstance(value, int):
        seconds = Fraction(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"expected a time such as {FORMS}, got {value}")
        # Decimal of the repr keeps 0.1 as 1/10, not the nearest binary fraction.
        seconds = Fraction(Decimal(repr(value)))
    elif isinstance(value, str):
        seconds = _parse_timecode(value.strip())
    elif isinstance(value, Fraction):
        seconds = value
    else:
        raise ValueError(f"expected a time such as {FORMS}, got {_show(value)}")
    if seconds < 0:
        raise ValueError(f"a time cannot be negative, got {_show(value)}")
    return seconds


def _parse_timecode(text: str) -> Fraction:
    match = _TIMECODE.match(text)
    if not match:
        raise ValueError(f"expected a time such as {FORMS}, got {text!r}")
    hours, minutes, seconds = match.groups()
    try:
        secs = Fraction(Decimal(seconds))
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only digits
        raise ValueError(f"expected a time, got {text!r}") from exc
    if minutes is not None:
        if secs >= 60:
            raise ValueError(f"seconds must be below 60 in a timecode, got {text!r}")
        if hours is not None and int(minutes) >= 60:
            raise ValueError(f"minutes must be below 60 in a timecode, got {text!r}")
        secs += int(minutes) * 60
    if hours is not None:
        secs += int(hours) * 3600
    return secs


def format_time(seconds: Fraction | float, *, millis: bool = True) -> str:
    """H:MM:SS.mmm (hours only when needed); the form the tool prints back to users."""
    total_ms = round(Fraction(seconds) * 1000)
    hours, rest = divmod(total_ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, ms = divmod(rest, 1000)
    text = f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
    return f"{text}.{ms:03d}" if millis else text


def _show(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "yes/no"
    return repr(value)
