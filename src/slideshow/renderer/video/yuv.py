"""Views of I420 pictures: stacked arrays (Y rows, then U, then V) and PyAV frames."""

from __future__ import annotations

import numpy as np


def frame_planes(video) -> list[np.ndarray]:
    """Writable views of a yuv420p av.VideoFrame's Y, U and V planes (rows may be padded)."""
    return [
        np.frombuffer(p, dtype=np.uint8).reshape(p.height, p.line_size)[:, : p.width]
        for p in video.planes
    ]


def flat(width: int, height: int, colour: tuple[int, int, int]) -> np.ndarray:
    """An I420 array of one colour, given as (Y, U, V)."""
    frame = np.empty((height * 3 // 2, width), dtype=np.uint8)
    for plane, value in zip(planes(frame, width, height), colour):
        plane[:] = value
    return frame


def planes(frame: np.ndarray, width: int, height: int):
    """Views of the Y, U and V planes of an I420 array (height * 3 / 2 rows of width).

    The chroma planes are cut by element count, not by rows: when height is not a multiple
    of 4, a chroma plane ends in the middle of a row of the stacked array."""
    flat = frame.reshape(-1)
    luma = width * height
    chroma = (width // 2) * (height // 2)
    return (
        flat[:luma].reshape(height, width),
        flat[luma : luma + chroma].reshape(height // 2, width // 2),
        flat[luma + chroma : luma + 2 * chroma].reshape(height // 2, width // 2),
    )
