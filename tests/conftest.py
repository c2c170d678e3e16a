from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import media


@pytest.fixture
def assets(tmp_path: Path) -> Path:
    """A folder with a few photos and recordings, as an archivist's assets folder."""
    media.photo(tmp_path / "red.jpg", (200, 40, 40))
    media.photo(tmp_path / "green.png", (40, 200, 40))
    media.photo(tmp_path / "blue.jpg", (40, 40, 200))
    media.recording(tmp_path / "talk.wav", 20.0)
    return tmp_path


@pytest.fixture
def storyboard(assets: Path):
    """Write a storyboard into the assets folder and return its path."""

    def make(text: str, name: str = "story.yaml") -> Path:
        return media.write(assets / name, text)

    return make


@pytest.fixture(autouse=True)
def _cache(tmp_path_factory, monkeypatch):
    """Each test session gets its own piece cache, never the user's."""
    root = tmp_path_factory.getbasetemp() / "piece-cache"
    monkeypatch.setenv("SLIDESHOW_CACHE", str(root))


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """The bundled demo storyboard, copied so a test can edit it (its media where they are)."""
    root = Path(__file__).resolve().parent.parent
    text = (root / "compilations" / "demo.yaml").read_text(encoding="utf-8")
    board = tmp_path / "demo.yaml"
    board.write_text(
        text.replace("media_root: ../assets/demo", f"media_root: {root / 'assets' / 'demo'}"),
        encoding="utf-8",
    )
    return board
