"""Pages people read, checked for accessibility in a real browser: axe-core (from the npm
registry, installed by .ci/run) in Debian's chromium, the page opened from disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from browser import CHROMIUM, launch

import slideshow

ROOT = Path(__file__).resolve().parent.parent
AXE = Path(__file__).parent / "viewers" / "axe-core-4.11.0" / "package" / "axe.min.js"
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or not AXE.is_file(), reason="needs chromium and axe-core (.ci/run)"
)


def _violations(url: str) -> list[dict]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        page.goto(url)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "axe.run(document, {runOnly: {type: 'tag', values: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
        )
        browser.close()
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["html"][:120] for n in v["nodes"]]}
        for v in result["violations"]
    ]


def test_the_text_alternative_has_no_accessibility_violations(demo, tmp_path):
    """The page a render writes as `<id>.transcript.html`, made from the plan alone: the
    alternative needs no video, so none is encoded here."""
    from slideshow.alternative import text_alternative

    page = tmp_path / "demo.transcript.html"
    page.write_text(text_alternative(slideshow.check(demo).timeline).html(), encoding="utf-8")
    violations = _violations(page.as_uri())
    assert violations == [], json.dumps(violations, indent=1, ensure_ascii=False)


def test_the_preview_page_has_no_accessibility_violations(demo, tmp_path):
    page = slideshow.preview(demo, tmp_path / "out").page
    violations = _violations(page.as_uri())
    assert violations == [], json.dumps(violations, indent=1, ensure_ascii=False)


def test_the_checker_finds_what_it_should(tmp_path):
    """A page with an image without alt text and no language: the checker must object."""
    page = tmp_path / "bad.html"
    page.write_text(
        "<!doctype html><html><head><title>x</title></head><body><main>"
        '<img src="x.png"></main></body></html>'
    )
    assert {"image-alt", "html-has-lang"} <= {v["id"] for v in _violations(page.as_uri())}
