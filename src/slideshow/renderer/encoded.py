"""What an encoder made: the packets of one piece (video) or of the soundtrack (audio), with the
codec headers they need. The piece cache stores it; the container joins it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Encoded:
    """Packets of one piece and the codec headers they need. Video packets are one per frame,
    numbered from 0; audio packets carry their own timestamps and durations in samples."""

    extradata: bytes
    packets: list[bytes]
    keyframes: list[bool]
    pts: list[int] | None = None
    durations: list[int] | None = None
