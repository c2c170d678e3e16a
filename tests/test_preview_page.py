"""The demo's preview page in a real browser: Debian's chromium driven by Playwright, opened
from disk with every request off the disk refused (the page must work offline)."""

from __future__ import annotations

import json
from pathlib import Path

from browser import launch, needs_chromium

import slideshow

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).parent / "artifacts"
pytestmark = needs_chromium


class Browser:
    def __init__(self, playwright):
        self.browser = launch(playwright, autoplay=True)
        self.failures: list[str] = []
        self.refused: list[str] = []

    def open(self, url: str):
        page = self.browser.new_page(viewport={"width": 1280, "height": 860})
        page.on("console", lambda m: self.failures.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.failures.append(str(e)))
        page.route("**/*", self._offline)
        page.goto(url)
        page.wait_for_function("document.querySelector('[aria-current=true]') !== null")
        return page

    def _offline(self, route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            self.refused.append(route.request.url)
            route.abort()


def _current(page) -> int:
    return int(page.get_attribute("[aria-current=true]", "data-index"))


def test_the_demo_page_plays_seeks_and_follows_the_plan(demo, tmp_path):
    from playwright.sync_api import sync_playwright

    out = tmp_path / "out"
    page_file = slideshow.preview(demo, out).page
    plan = json.loads(slideshow.check(demo).timeline.to_json())
    fps = 30
    with sync_playwright() as playwright:
        browser = Browser(playwright)
        page = browser.open(page_file.as_uri())
        indexes = page.eval_on_selector_all("li.shot", "rows => rows.map(r => +r.dataset.index)")
        assert indexes == [s["index"] for s in plan["shots"]]
        assert _current(page) == 0
        # #t= in seconds and in M:SS: the shot on screen marked, its picture shown.
        for shot, hash_ in (
            (plan["shots"][2], "#t={:.2f}"),
            (plan["shots"][4], "#t=0:{:05.2f}"),
            (plan["shots"][6], "#t={:.1f}"),
        ):
            middle = (shot["start"] + shot["end"]) / 2 / fps
            moment = browser.open(page_file.as_uri() + hash_.format(middle))
            assert _current(moment) == shot["index"]
            thumb = moment.get_attribute(f"li[data-index='{shot['index']}'] img.thumb", "src")
            picture = moment.get_attribute("#picture", "src")
            assert picture == thumb.replace(".t.jpg", ".jpg")
            audio_time = moment.evaluate("document.getElementById('soundtrack').currentTime")
            assert abs(audio_time - middle) < 0.05
            if shot["caption"]:
                assert moment.inner_text("#caption") == shot["caption"]
            moment.close()
        # Play for a second: the time advances and the screen follows.
        page.evaluate("document.getElementById('soundtrack').play()")
        page.wait_for_timeout(1500)
        played = page.evaluate("document.getElementById('soundtrack').currentTime")
        page.evaluate("document.getElementById('soundtrack').pause()")
        assert played > 0.5
        assert "0:0" in page.inner_text("#now")
        # The keyboard: right arrow to the next shot; a click on a row goes there.
        page.focus("li[data-index='0']")
        page.keyboard.press("ArrowRight")
        assert _current(page) == 1
        page.keyboard.press("ArrowRight")
        assert _current(page) == 2
        page.keyboard.press("ArrowLeft")
        assert _current(page) == 1
        page.click("li[data-index='5'] .time")
        assert _current(page) == 5
        start = page.evaluate("document.getElementById('soundtrack').currentTime")
        assert abs(start - plan["shots"][5]["start"] / fps) < 0.05
        # The subtitle: the transcript line at this moment.
        cue = plan["captions"][1]
        page.evaluate(f"location.hash = '#t={(cue['start'] + 3) / fps:.2f}'")
        page.wait_for_function(
            f"document.getElementById('subtitle').textContent === {json.dumps(cue['text'])}"
        )
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "preview.png"))
        browser.browser.close()
    assert browser.failures == []
    assert browser.refused == []


def test_an_open_page_reloads_when_the_preview_is_written_again(demo, tmp_path):
    from playwright.sync_api import sync_playwright

    out = tmp_path / "out"
    page_file = slideshow.preview(demo, out).page
    with sync_playwright() as playwright:
        browser = Browser(playwright)
        page = browser.open(page_file.as_uri() + "#t=45")
        assert _current(page) == 5
        demo.write_text(
            demo.read_text(encoding="utf-8").replace("Freedom Sunday", "Freedom Sunday, edited"),
            encoding="utf-8",
        )
        slideshow.preview(demo, out)
        page.wait_for_function(
            "document.body.innerText.includes('Freedom Sunday, edited')", timeout=10_000
        )
        page.wait_for_function("document.querySelector('[aria-current=true]') !== null")
        assert _current(page) == 5  # it reopened where it was
        browser.browser.close()
    assert browser.failures == []
