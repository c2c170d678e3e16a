"""YouTube's quota as it counts now: uploads (`videos.insert`) have a daily allowance of their
own (100 on a new project), and every other call shares 10,000 units a day."""

from __future__ import annotations

UPLOADS_PER_DAY = 100
UNITS_PER_DAY = 10_000

# Units per call, by step (`captions:<tag>` and `recaptions:<tag>` by their prefix).
COSTS = {
    "insert": 0,  # counted as an upload, not in units
    "update": 50,  # videos.update
    "thumbnail": 50,  # thumbnails.set
    "captions": 400,  # captions.insert
    "recaptions": 450,  # captions.update
    "playlist": 50,  # playlistItems.insert
    "list": 1,
}


def cost(step: str) -> int:
    return COSTS[step.split(":", 1)[0]]


def spend(steps: list[str]) -> tuple[int, int]:
    """(uploads, units) that the steps use."""
    uploads = sum(1 for s in steps if s == "insert")
    return uploads, sum(cost(s) for s in steps)


def summary(uploads: int, units: int) -> str:
    return (
        f"would spend {uploads} upload{'s' if uploads != 1 else ''} (of {UPLOADS_PER_DAY} a day) "
        f"and {units:,} quota units (of {UNITS_PER_DAY:,} a day)"
    )
