"""The IIIF manifest in a real IIIF viewer: Universal Viewer (from the npm registry, installed
by .ci/run) in Debian's chromium, driven by Playwright; the files served from 127.0.0.1."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from browser import CHROMIUM, launch
from browser import served as served_folder

import slideshow

VIEWER = Path(__file__).parent / "viewers" / "universalviewer-4.4.0" / "package" / "dist"
pytestmark = pytest.mark.skipif(
    not (VIEWER / "uv.html").is_file() or CHROMIUM is None,
    reason="needs chromium and Universal Viewer (.ci/run installs both)",
)


@pytest.fixture
def served(tmp_path):
    """tmp_path over HTTP on 127.0.0.1, with the viewer under /uv/."""
    shutil.copytree(VIEWER, tmp_path / "uv")
    with served_folder(tmp_path) as address:
        yield tmp_path, address


def test_universal_viewer_plays_the_compilation_and_lists_its_chapters(
    assets, storyboard, served
):
    from playwright.sync_api import sync_playwright

    root, address = served
    path = storyboard(
        "title: Leaving Kiev\nid: kiev\ncredits: [Oral history I-495]\n"
        "video: {size: 320x180, quality: draft}\nloudness: off\nsegments:\n"
        "  - title: Waiting\n    audio: {file: talk.wav, end: 10}\n    photos: [red.jpg]\n"
        "  - title: Letters\n    photos: [{file: green.png, duration: 10}]\n"
    )
    slideshow.render(path, root / "media", base_url=f"{address}/media")
    manifest = f"{address}/media/kiev.iiif.json"
    assert json.loads((root / "media" / "kiev.iiif.json").read_text())["id"] == manifest
    failures: list[str] = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1000, "height": 700})
        page.on("console", lambda m: failures.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: failures.append(str(e)))
        page.on("response", lambda r: failures.append(r.url) if r.status >= 400 else None)
        page.goto(f"{address}/uv/uv.html#?manifest={manifest}")
        page.wait_for_selector("video", state="attached", timeout=30_000)
        page.wait_for_function("document.querySelector('video').readyState >= 1", timeout=30_000)
        source, duration = page.eval_on_selector("video", "v => [v.currentSrc, v.duration]")
        assert source == f"{address}/media/kiev.mp4"
        assert abs(duration - 20) < 0.1
        page.get_by_text("Index", exact=True).click()
        page.get_by_text("Letters").first.wait_for(timeout=10_000)
        text = page.inner_text("body")
        assert "Waiting" in text and "Letters" in text and "Oral history I-495" in text
        page.screenshot(path=str(root / "universal-viewer.png"))  # kept with the test's files
        browser.close()
    assert failures == []
