"""The plate under a caption made straight into YUV by libswscale (plates.bare_plate) shows the
same picture as drawing it in RGB with Pillow and converting it: for every fit, background and
shape of photo, and with transparency (which takes the RGB way)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from slideshow.digest import sha256_file
from slideshow.renderer.video import fonts
from slideshow.renderer.video.plates import PhotoPlate, bare_plate, render_plate, to_yuv


def scan(path, size, mode="RGB"):
    """A smooth picture with some detail: gradients and a few bars."""
    width, height = size
    x, y = np.meshgrid(np.linspace(0, 1, width), np.linspace(0, 1, height))
    rgb = np.stack([x * 200 + 30, y * 180 + 40, (1 - x) * 150 + 50], axis=-1)
    rgb[:, width // 3 : width // 3 + max(2, width // 40)] = 240
    picture = Image.fromarray(rgb.astype(np.uint8))
    if mode == "RGBA":
        alpha = np.full((height, width), 255, dtype=np.uint8)
        alpha[: height // 4] = 0
        picture.putalpha(Image.fromarray(alpha))
    picture.save(path)
    return path


@pytest.mark.parametrize(
    ("size", "fit", "background", "mode"),
    [
        ((640, 480), "contain", "blur", "RGB"),  # pillarboxed
        ((333, 517), "contain", "blur", "RGB"),  # portrait, odd sizes: placed on even pixels
        ((900, 300), "contain", "black", "RGB"),  # letterboxed
        ((640, 480), "contain", "#336699", "RGB"),
        ((640, 480), "cover", "blur", "RGB"),
        ((200, 100), "cover", "blur", "RGB"),  # enlarged
        ((640, 480), "contain", "blur", "RGBA"),  # transparency: the RGB way
    ],
)
def test_the_plate_made_in_yuv_is_the_plate_drawn_in_rgb(tmp_path, size, fit, background, mode):
    path = scan(tmp_path / "scan.png", size, mode)
    font = str(fonts.bundled_font())
    spec = PhotoPlate(
        320, 180, font, font, file=str(path), name="scan.png", digest=sha256_file(path),
        fit=fit, background=background,
    )  # fmt: skip
    made = bare_plate(spec).astype(int)
    drawn = to_yuv(render_plate(spec)).astype(int)
    assert made.shape == drawn.shape == (270, 320)
    assert np.array_equal(bare_plate(spec), made)  # the same bytes each time
    for name, rows in (("Y", slice(0, 180)), ("UV", slice(180, 270))):
        error = np.abs(made[rows] - drawn[rows])
        # Two resamplers, and the photo up to a pixel off (on even pixels, an even size): close
        # everywhere but along the photo's edges.
        assert np.percentile(error, 97) <= 4, (name, np.percentile(error, 97))
        assert error.mean() <= 2, (name, error.mean())
