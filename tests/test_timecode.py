from fractions import Fraction

import pytest

from slideshow.timecode import format_time, parse_time


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (12, Fraction(12)),
        (12.5, Fraction(25, 2)),
        (0.1, Fraction(1, 10)),
        ("40.5", Fraction(81, 2)),
        ("0:03", Fraction(3)),
        ("0:40.5", Fraction(81, 2)),
        ("12:05.250", Fraction(725) + Fraction(1, 4)),
        ("1:02:03", Fraction(3723)),
        ("01:02:03.004", Fraction(3723) + Fraction(4, 1000)),
        (" 5 ", Fraction(5)),
    ],
)
def test_time_forms(value, seconds):
    assert parse_time(value) == seconds


@pytest.mark.parametrize("value", ["", "1:2:3:4", "0:75", "1:60:00", "abc", "-3", -1, True, None])
def test_bad_times(value):
    with pytest.raises(ValueError):
        parse_time(value)


def test_format_time():
    assert format_time(Fraction(81, 2)) == "0:40.500"
    assert format_time(3723, millis=False) == "1:02:03"
