"""Fuzzing what users hand us: nothing that validates may crash.

Storyboards built from the schema's shape with hostile values, and mutations of the bundled
and test storyboards (dropped keys, wrong types, empty and whitespace-only text, huge numbers,
hostile strings, duplicated items, a file saved half-way). For each one:
`slideshow validate` exits 0 or 1, every message at FILE:LINE:COL; a storyboard that
validates renders (exit 0) or fails with a clear message (exit 1): never exit 3, a traceback,
a hang, or a partial output. Transcripts get the same treatment on their own.

A short, fixed budget runs in CI (derandomized, no example database); a night run takes
SLIDESHOW_FUZZ_EXAMPLES=5000.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import re
import signal
import tempfile
from pathlib import Path

import av
import media
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import slideshow
from slideshow.cli import main
from slideshow.errors import MediaError
from slideshow.transcripts import parse_transcript

ROOT = Path(__file__).resolve().parent.parent
NIGHT = int(os.environ.get("SLIDESHOW_FUZZ_EXAMPLES", "0"))


def budget(ci_examples: int):
    return settings(
        max_examples=NIGHT or ci_examples,
        deadline=None,
        derandomize=not NIGHT,  # CI: the same examples every run; a night run explores
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# --- the media every fuzzed storyboard can name --------------------------------------------

MEDIA = Path(tempfile.mkdtemp(prefix="slideshow-fuzz-"))
media.photo(MEDIA / "red.jpg", (200, 40, 40), size=(96, 64))
media.photo(MEDIA / "tall.png", (40, 200, 40), size=(40, 90))
media.recording(MEDIA / "talk.wav", 3.0, rate=8000)
(MEDIA / "talk.vtt").write_text(
    "WEBVTT\n\n00:00.500 --> 00:01.500\nFirst words\n\n00:01.500 --> 00:02.900\nשלום, мир\n",
    encoding="utf-8",
)
(MEDIA / "talk.ru.vtt").write_text(
    "WEBVTT\n\n00:00.500 --> 00:01.500\nПервые слова\n\n00:01.500 --> 00:02.900\nשלום\n",
    encoding="utf-8",
)
(MEDIA / "notes.txt").write_text("not an image\n", encoding="utf-8")


def _phone_photo(path: Path) -> None:
    """As phones write them: stored sideways, EXIF orientation 6 and a colour profile."""
    from PIL import Image, ImageCms

    exif = Image.Exif()
    exif[0x0112] = 6
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.new("RGB", (96, 64), (40, 40, 200)).save(
        path, exif=exif.tobytes(), icc_profile=profile, quality=90
    )


_phone_photo(MEDIA / "turned.jpg")
(MEDIA / "tagged.srt").write_text(
    "\ufeff1\n00:00:00,500 --> 00:00:01,500\n<i>We waited.</i>\n\nfor years\n\n"
    "2\n00:00:01,500 --> 00:00:01,500\n{\\an8}<font color=red>none</font>\n"
    "3\n00:00:01,600 --> 00:00:02,900\n<b>Then</b> &amp; now\n",
    encoding="utf-8",
)
FILES = [
    "red.jpg", "tall.png", "turned.jpg", "talk.wav", "talk.vtt", "tagged.srt", "missing.jpg",
    "notes.txt", "", ".",
]  # fmt: skip


# --- values ----------------------------------------------------------------------------------

HOSTILE_TEXT = [
    "",
    " ",
    "\t\n",
    "\u200f\u200e",
    "\u202e reversed",
    "<b>bold</b> & 'quotes'",
    "-->",
    "{\\i1}x{\\i0}",
    "%s %d {0}",
    "x" * 3000,
    "word " * 400,
    "שלח את עמי",
    "Отпусти народ мой",
    "ייִדיש",
    "🙂👨‍👩‍👧",
    "line\nbreaks\n\n\nmany",
    "null",
    "~",
    "I-495",
]
NUMBERS = [0, -1, 0.001, 0.5, 1, 2, 2.5, 3, 10, 1e9, 10**30, -1e-9, float("inf"), float("nan")]
TIMECODES = ["0:01", "0:00.5", "00:02.000", "1:00:00", "99:99", "0:60", "abc", "", "-1", "1e3"]

texts = st.sampled_from(HOSTILE_TEXT) | st.text(max_size=40)
numbers = st.sampled_from(NUMBERS) | st.floats(allow_nan=False, width=32) | st.integers()
times = st.sampled_from(NUMBERS[:8]) | st.sampled_from(TIMECODES)
files = st.sampled_from(FILES)
junk = st.one_of(
    texts, numbers, st.booleans(), st.none(), st.lists(st.integers(), max_size=3), st.just({})
)


def maybe(strategy):
    """Mostly the right kind of value, sometimes anything at all."""
    return st.one_of(strategy, strategy, strategy, junk)


def exactly(strategy):
    return strategy


# Values a careful archivist might write: valid, yet awkward (scripts, lengths, markup).
fine_texts = st.sampled_from([t for t in HOSTILE_TEXT if t.strip() and "<" not in t]) | st.text(
    min_size=1, max_size=40
).filter(lambda t: t.strip() and "<" not in t and ">" not in t)
fine_times = st.sampled_from([0.5, 1, 1.5, 2, "0:01", "0:00.750", "00:02.000"])


def extra(loose: bool, *values):
    return list(values) if loose else []


def board_strategy(text, time, file, loose: bool):
    """Storyboards shaped like the schema; with loose, any value may be hostile."""
    pick = maybe if loose else exactly
    corners = [0, 0.1, 0.25, 0.5, 1, *extra(loose, 0.9, 1.5, -0.2)]
    rects = st.lists(
        st.sampled_from(corners), min_size=3 if loose else 4, max_size=5 if loose else 4
    )
    motion = st.sampled_from(["none", "kenburns", *extra(loose, "zoom")]) | st.builds(
        lambda r: {"type": "kenburns", "from": r[0], "to": r[1]}, st.tuples(rects, rects)
    )
    photo = file | st.fixed_dictionaries(
        {"file": pick(file)},
        optional={
            "caption": pick(text),
            "alt": text,
            "duration": pick(time),
            "fit": st.sampled_from(["contain", "cover", *extra(loose, "stretch")]),
            "motion": pick(motion),
            "transition": st.sampled_from(["cut", "crossfade", "fade"]),
            "transition_duration": pick(time),
        },
    )
    audio = st.just("talk.wav") | st.fixed_dictionaries(
        {"file": st.sampled_from(["talk.wav", *extra(loose, "nope.wav", "red.jpg")])},
        optional={
            "start": pick(st.sampled_from([0, 0.25, "0:00.5"])),
            "end": pick(st.sampled_from([2, 2.9, "0:03"])),
            "fade_in": pick(time),
            "fade_out": pick(time),
        },
    )
    segment = st.fixed_dictionaries(
        {"photos": pick(st.lists(photo, min_size=0 if loose else 1, max_size=3))},
        optional={
            "title": pick(text),
            "audio": pick(audio),
            "transcript": st.sampled_from(
                ["talk.vtt", "tagged.srt", *extra(loose, "red.jpg", "nope.vtt")]
            )
            | st.fixed_dictionaries(
                {},
                optional={
                    "en": st.just("talk.vtt"),
                    "ru": st.sampled_from(["talk.ru.vtt", *extra(loose, "nope.vtt")]),
                    "he": st.just("talk.ru.vtt"),
                    **({"iw": st.just("talk.vtt"), "x y": st.just("talk.vtt")} if loose else {}),
                },
            ),
        },
    )
    youtube = st.fixed_dictionaries(
        {},
        optional={
            "title": pick(text),
            "tags": st.lists(text, max_size=4),
            "privacy": st.sampled_from(["private", "public", *extra(loose, "secret")]),
            "localizations": st.dictionaries(
                st.sampled_from(["ru", "he", "yi", *extra(loose, "iw", "??")]),
                st.fixed_dictionaries({"title": pick(text)}, optional={"description": text}),
                max_size=2,
            ),
        },
    )
    return st.fixed_dictionaries(
        {
            "title": pick(text),
            "video": st.fixed_dictionaries(
                {"size": st.sampled_from(["64x64", "96x64", "128x72"])},
                optional={
                    "fps": st.sampled_from([1, 12.5, 24, 29.97, 30, 60, *extra(loose, 0, -5, 1e3)]),
                    "quality": st.sampled_from(["draft", "draft", "standard", *extra(loose, "x")]),
                },
            ),
            "segments": pick(st.lists(segment, min_size=1, max_size=3)),
        },
        optional={
            "id": st.sampled_from(["fuzz", "a.b-c_d", *extra(loose, "../up", "a b", "")]),
            "description": pick(text),
            "language": st.sampled_from(["en", "he", "ru-RU", *extra(loose, "english", "")]),
            "spoken_language": st.sampled_from(["en", "ru", "yi", *extra(loose, "ji", "zz")]),
            "credits": pick(st.lists(text, max_size=3)),
            "loudness": st.sampled_from([-16, -70, -5, "off", False, *extra(loose, "loud", 0)]),
            "style": st.fixed_dictionaries(
                {},
                optional={
                    "font": st.sampled_from(["DejaVu Sans", *extra(loose, "No Such", "x.ttf")]),
                    "caption_position": st.sampled_from(["top", "bottom"]),
                    "background": st.sampled_from(
                        ["blur", "black", "#1a1a1a", *extra(loose, "red")]
                    ),
                    "subtitles": st.sampled_from(
                        ["off", False, "en", "ru", "he", *extra(loose, "xx", 5, "")]
                    ),
                },
            ),
            "defaults": st.fixed_dictionaries(
                {},
                optional={
                    "fit": st.sampled_from(["contain", "cover"]),
                    "motion": motion,
                    "transition": st.sampled_from(["cut", "crossfade", "fade"]),
                    "transition_duration": pick(time),
                    "photo_duration": pick(time),
                },
            ),
            "intro": pick(
                st.fixed_dictionaries(
                    {}, optional={"title": pick(text), "subtitle": text, "duration": pick(time)}
                )
            ),
            "outro": pick(
                st.fixed_dictionaries({}, optional={"title": text, "duration": pick(time)})
            ),
            "publish": st.fixed_dictionaries({"youtube": youtube}),
        },
    )


careful_files = st.sampled_from(["red.jpg", "tall.png", "turned.jpg"])
boards = st.one_of(
    board_strategy(fine_texts, fine_times, careful_files, loose=False),
    board_strategy(fine_texts, fine_times, careful_files, loose=False),
    board_strategy(texts, times, files, loose=True),
)


# --- mutations of storyboards people wrote -----------------------------------------------


def _bases() -> list[tuple[str, object]]:
    """(media_root, data) of the bundled demo and of storyboards like the tests'."""
    demo = yaml.safe_load((ROOT / "compilations" / "demo.yaml").read_text(encoding="utf-8"))
    demo["media_root"] = str(ROOT / "assets" / "demo")
    small = {
        "title": "Small",
        "video": {"size": "96x64", "quality": "draft"},
        "intro": {"title": "Hello", "duration": 1},
        "outro": {"duration": 1},
        "credits": ["Archive I-495"],
        "segments": [
            {
                "title": "Talk",
                "audio": {"file": "talk.wav", "start": 0.5, "end": 2.5},
                "transcript": "talk.vtt",
                "photos": ["red.jpg", {"file": "tall.png", "caption": "Tall", "at": 1.5}],
            },
            {"photos": [{"file": "red.jpg", "duration": 1, "motion": "kenburns"}]},
        ],
    }
    gallery = {
        "title": "Gallery",
        "video": {"size": "64x64", "fps": 12.5, "quality": "draft"},
        "loudness": "off",
        "defaults": {"transition": "fade", "transition_duration": 0.5, "photo_duration": 1.5},
        "style": {"caption_position": "top", "background": "#203040"},
        "segments": [
            {
                "title": "Silent",
                "photos": [
                    {"file": "tall.png", "fit": "cover", "caption": "Отпусти народ мой"},
                    {
                        "file": "red.jpg",
                        "motion": {
                            "type": "kenburns",
                            "from": [0, 0, 1, 1],
                            "to": [0.2, 0.2, 0.5, 0.5],
                        },
                    },
                ],
            },
            {"audio": {"file": "talk.wav", "end": 2}, "transcript": "talk.vtt"},
        ],
    }
    return [
        (str(ROOT / "assets" / "demo"), demo),
        (str(MEDIA), small),
        (str(MEDIA), gallery),
    ]


BASES = _bases()


def _places(data, path=()):
    """Every (container, key) in nested data, with the path to it."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield data, key
            yield from _places(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield data, index
            yield from _places(value, (*path, index))


@st.composite
def mutants(draw):
    root, base = draw(st.sampled_from(BASES))
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 2))):
        places = list(_places(data))
        if not places:
            break
        container, key = draw(st.sampled_from(places))
        how = draw(
            st.sampled_from([*["drop", "duplicate", "text"] * 2, "number", "wrong", "empty"])
        )
        if how == "drop":
            del container[key]
        elif how == "wrong":
            container[key] = draw(junk)
        elif how == "text":
            container[key] = draw(texts)
        elif how == "number":
            container[key] = draw(numbers)
        elif how == "duplicate" and isinstance(container, list):
            container.insert(key, copy.deepcopy(container[key]))
        elif how == "empty":
            container[key] = (
                type(container[key])() if isinstance(container[key], (list, dict, str)) else None
            )
    return root, data


def to_yaml(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


# --- running the command line in-process --------------------------------------------------


class Hang(BaseException):
    """Raised by the alarm: a command that ran far longer than a tiny render takes."""


def _alarm(signum, frame):
    raise Hang


def run(*args: str) -> tuple[int, str]:
    """Exit status and stderr of `slideshow ARGS`, in this process."""
    err, out = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(60)
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            try:
                main(list(args))
                code = 0
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
    except Hang:
        pytest.fail(f"`slideshow {' '.join(args)}` hung\n{err.getvalue()}")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return code, err.getvalue()


PLACE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<column>\d+): ")
SECONDS_RENDERED = 12  # longer plans are validated only: a render must stay well under a second


def check_storyboard(text: str, folder: Path) -> None:
    board = folder / "board.yaml"
    board.write_text(text, encoding="utf-8")
    code, err = run("validate", str(board))
    assert code in (0, 1), err
    assert "Traceback" not in err and "internal error" not in err, err
    if code == 1:
        lines = [line for line in err.splitlines() if line]
        assert lines[-1].startswith("error: "), err
        problems = [line for line in lines if PLACE.match(line)]
        assert problems, err
        for line in problems:
            assert PLACE.match(line)["file"] == str(board), line
        return
    checked = slideshow.check(board)
    timeline = checked.timeline
    assert checked.ok and timeline is not None
    if (
        timeline.duration > SECONDS_RENDERED
        or timeline.look.width * timeline.look.height > 128 * 72
    ):
        return
    out = folder / "out"
    code, err = run("render", str(board), "--out", str(out), "--jobs", "1")
    assert code in (0, 1), err
    assert "Traceback" not in err and "internal error" not in err, err
    written = sorted(p.name for p in out.iterdir()) if out.exists() else []
    assert not [name for name in written if name.endswith(".part")], written
    if code == 0:
        assert set(written) >= {f"{timeline.id}.mp4", f"{timeline.id}.json"}, written
        with av.open(str(out / f"{timeline.id}.mp4")) as container:  # every planned frame
            assert container.streams.video[0].frames == timeline.frames
    else:
        assert not [name for name in written if name.startswith(timeline.id)], (written, err)
    # The preview and its contact sheet, from the same storyboard.
    seen = folder / "seen"
    code, err = run("preview", str(board), "--out", str(seen), "--sheet")
    assert code in (0, 1), err
    assert "Traceback" not in err and "internal error" not in err, err
    written = sorted(p.name for p in seen.iterdir()) if seen.exists() else []
    assert not [name for name in written if name.endswith(".part")], written
    if code == 0:
        assert {f"{timeline.id}.preview.html", f"{timeline.id}.sheet.pdf"} <= set(written)


@pytest.fixture(scope="module")
def work():
    with tempfile.TemporaryDirectory(prefix="slideshow-fuzz-work-") as folder:
        yield Path(folder)


def _fresh(work: Path) -> Path:
    return Path(tempfile.mkdtemp(dir=work))


@budget(ci_examples=20)
@given(data=boards)
# Found by the fuzzer: at 1 fps (a 2-frame GOP) x264 wrote no B slice to make crossfades of.
@example(
    data={
        "title": "T",
        "video": {"size": "64x64", "fps": 1},
        "segments": [{"photos": ["red.jpg", "red.jpg"]}],
    }
)
def test_storyboards_built_from_the_schema(work, data):
    data = {**data, "media_root": str(MEDIA)}
    check_storyboard(to_yaml(data), _fresh(work))


@budget(ci_examples=20)
@given(mutant=mutants(), cut=st.one_of(st.none(), st.none(), st.none(), st.floats(0, 1)))
def test_mutations_of_real_storyboards(work, mutant, cut):
    root, data = mutant
    if isinstance(data, dict):
        data = {**data, "media_root": root}
    text = to_yaml(data)
    if cut is not None:  # saved half-way through an edit
        text = text[: int(len(text) * cut)]
    check_storyboard(text, _fresh(work))


# --- transcripts ------------------------------------------------------------------------------

stamps = st.tuples(
    st.integers(0, 2), st.integers(0, 70), st.integers(0, 70), st.integers(0, 1200)
).map(lambda t: f"{t[0]:02d}:{t[1]:02d}:{t[2]:02d}{{sep}}{t[3]:03d}")
cue_lines = st.one_of(
    st.tuples(stamps, stamps).map(lambda pair: f"{pair[0]} --> {pair[1]}"),
    stamps.map(lambda stamp: f"{stamp} --> {stamp}"),  # a cue of no length
    st.tuples(stamps, st.sampled_from(["- >", "-- >", "->"]), stamps).map(" ".join),
    texts,
    st.sampled_from(["NOTE x", "NOTE1", "STYLE", "REGION", "-->", "1", "", "WEBVTT"]),
    st.sampled_from(["00:00 --> 00:01", "\ufeffwords", "<i>in italics</i>", "{\\an8}top"]),
    st.sampled_from(['<font color="#ff0">yellow</font>', "<v Anna K.>a voice</v>", "a &amp; b"]),
)
# Markup never reaches a cue's text (issue 28: `<i>` was burned in), nor does a BOM.
MARKUP = ("<i>", "</i>", "<b>", "<font", "{\\an8}", "<v ", "\ufeff")


@budget(ci_examples=200)
@given(
    header=st.sampled_from(["WEBVTT\n\n", "\ufeffWEBVTT\n\n", "", "1\n"]),
    lines=st.lists(cue_lines, max_size=20),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_transcripts_read_or_say_why(header, lines, newline):
    separator = "." if header.strip("\ufeff").startswith("WEBVTT") else ","
    text = header + newline.join(line.replace("{sep}", separator) for line in lines)
    try:
        cues = parse_transcript(text, "t.vtt")
    except MediaError as exc:
        assert str(exc).startswith("t.vtt: "), exc
        return
    assert cues and all(c.end > c.start and c.text for c in cues)
    assert not any(mark in c.text for c in cues for mark in MARKUP), [c.text for c in cues]


@budget(ci_examples=10)
@given(
    lines=st.lists(cue_lines, min_size=1, max_size=8),
    start=st.sampled_from([None, 0, 0.5, 1]),
    end=st.sampled_from([None, 2, 2.9]),
)
def test_fuzzed_transcripts_in_a_render(work, lines, start, end):
    folder = _fresh(work)
    (folder / "t.vtt").write_text(
        "WEBVTT\n\n" + "\n".join(line.replace("{sep}", ".") for line in lines), "utf-8"
    )
    clip = {"file": str(MEDIA / "talk.wav")}
    clip.update({k: v for k, v in (("start", start), ("end", end)) if v is not None})
    data = {
        "title": "Transcript",
        "video": {"size": "64x64", "quality": "draft"},
        "segments": [
            {"audio": clip, "transcript": str(folder / "t.vtt"), "photos": [str(MEDIA / "red.jpg")]}
        ],
    }
    check_storyboard(to_yaml(data), folder)


def test_regressions_found_by_the_fuzzer(work):
    """Each storyboard the fuzzer once crashed on, kept so it never comes back."""
    found = [
        # Whitespace-only title: the thumbnail's caption layout was empty (max() of nothing).
        {"title": " ", "video": {"size": "64x64"}, "segments": [{"photos": ["red.jpg"]}]},
        # A Ken Burns frame 6e-42 of the photo high: division by zero fitting it.
        {
            "title": "Tiny frame",
            "video": {"size": "64x64", "quality": "draft"},
            "segments": [
                {
                    "photos": [
                        {
                            "file": "red.jpg",
                            "motion": {
                                "type": "kenburns",
                                "from": [0, 0, 1, 1],
                                "to": [0.2, 0.2, 0.5, 5.921887310236677e-42],
                            },
                        }
                    ]
                }
            ],
        },
        # File names too long for the file system: checking they exist raised.
        {
            "title": "Long names",
            "video": {"size": "64x64", "quality": "draft"},
            "style": {"font": "f" * 3000 + ".ttf"},
            "segments": [{"audio": "a" * 3000, "photos": ["red.jpg"]}],
        },
        {
            "title": "Long font name",
            "video": {"size": "64x64", "quality": "draft"},
            "style": {"font": "f" * 3000 + ".ttf"},
            "segments": [{"photos": [{"file": "red.jpg", "duration": 1}]}],
        },
        # A 3000-letter word in the credits: wrapping measured every prefix of it (hours).
        {
            "title": "\u200f\u200e",
            "video": {"size": "64x64", "fps": 1, "quality": "draft"},
            "credits": ["x" * 3000],
            "outro": {"duration": 1},
            "segments": [{"title": "\u200f\u200e", "photos": ["red.jpg"]}],
        },
    ]
    for data in found:
        check_storyboard(to_yaml({**data, "media_root": str(MEDIA)}), _fresh(work))


# --- YouTube's answers --------------------------------------------------------------------

STATUSES = [200, 201, 204, 301, 308, 400, 401, 403, 404, 409, 410, 429, 500, 502, 503]
BODIES = [
    b"",
    b"{",
    b"null",
    b"[]",
    b'{"error": "text"}',
    b'{"error": {"errors": []}}',
    b'{"error": {"errors": [{"reason": "quotaExceeded"}]}}',
    b'{"error": {"errors": [{"reason": "uploadLimitExceeded"}]}}',
    b'{"error": {"errors": [{"reason": "rateLimitExceeded"}]}}',
    b'{"kind": "youtube#video"}',
    b'{"id": 5}',
    b"<html>Bad gateway</html>",
    "\u00ff\u00fe".encode("latin-1"),
]
answers = st.tuples(
    st.sampled_from(["insert", "put", "thumbnail", "captions", "playlist", "token"]),
    st.tuples(
        st.just("answer"),
        st.sampled_from(STATUSES),
        st.sampled_from(BODIES),
        st.sampled_from(["application/json", "text/html", "application/octet-stream"]),
    ),
)


@pytest.fixture(scope="module")
def published_board(work):
    """A tiny compilation, rendered once: each example publishes it to a fresh stand-in."""
    board = work / "publish.yaml"
    board.write_text(
        f"title: Publish\nmedia_root: {MEDIA}\nvideo: {{size: 64x64, quality: draft}}\n"
        "loudness: off\npublish: {youtube: {playlist: PL1}}\n"
        "segments:\n  - photos: [{file: red.jpg, duration: 2, caption: Отказ}]\n",
        encoding="utf-8",
    )
    slideshow.render(board, work / "published")
    return board


@budget(ci_examples=8)
@given(faults=st.lists(answers, max_size=4))
# Found by the fuzzer: Google's auth library failed on a token answer of `null` or nothing.
@example(faults=[("token", ("answer", 201, b"null", "application/json"))])
@example(faults=[("token", ("answer", 200, b"", "application/json"))])
# ... and googleapiclient's own retry logic on a 403 whose body is `[]`.
@example(faults=[("insert", ("answer", 403, b"[]", "application/json"))])
# ... and a chunk sent again after a 401 went out empty (the upload hung for a minute).
@example(faults=[("put", ("answer", 401, b"", "application/json"))])
def test_publishing_survives_any_answer(work, published_board, faults):
    """Whatever YouTube (or a proxy in front of it) answers, publishing ends in a clean
    message or a published video, and its record stays readable."""
    from youtube_standin import StandIn

    from slideshow.errors import SlideshowError
    from slideshow.publishing import publish
    from slideshow.publishing.youtube import Retry

    out = _fresh(work)
    for name in ("mp4", "json", "jpg", "vtt", "srt"):  # no chapters: no titled segment
        source = work / "published" / f"publish.{name}"
        (out / source.name).write_bytes(source.read_bytes())
    with StandIn() as server:
        server.state.faults.extend(faults)
        token = out / "token.json"
        token.write_text(
            '{"token": "expired", "refresh_token": "r", "client_id": "c", "client_secret": "s",'
            f' "token_uri": "{server.url}/token", "expiry": "2000-01-01T00:00:00Z"}}'
        )
        previous = os.environ.get("SLIDESHOW_YOUTUBE_ENDPOINT")
        os.environ["SLIDESHOW_YOUTUBE_ENDPOINT"] = server.url
        try:
            publish(published_board, out, token=str(token), retry=Retry(tries=3, base=0.001))
        except SlideshowError as exc:
            assert str(exc).strip(), "an empty message"
        finally:
            if previous is None:
                del os.environ["SLIDESHOW_YOUTUBE_ENDPOINT"]
            else:
                os.environ["SLIDESHOW_YOUTUBE_ENDPOINT"] = previous
        assert not server.state.broken
    record = out / "publish.youtube.json"
    if record.exists():
        json.loads(record.read_text(encoding="utf-8"))


# --- what `init` reads: item lists and OHMS files --------------------------------------------

headers = st.sampled_from(
    ["file", "File Name", "caption", "Capton", "at", "duration", "segment", "title", "alt", "x"]
)
cells = st.one_of(
    st.sampled_from(["red.jpg", "tall.png", "missing.jpg", "talk.wav", "", " "]),
    st.sampled_from(["0:01", "0:02.5", "9:99", "-1", "abc", "1e400", "0"]),
    texts,
)
item_lists = st.lists(st.lists(cells, min_size=1, max_size=6), min_size=0, max_size=6)
points = st.lists(
    st.tuples(st.sampled_from(["0", "1", "2.5", "-3", "x", "", "99999"]), texts), max_size=4
)
transcripts_in_ohms = st.sampled_from(
    [
        "",
        "<vtt_transcript><![CDATA[WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nHi<br>there\n]]>"
        "</vtt_transcript>",
        "<vtt_transcript><![CDATA[WEBVTT\n\n00:00:01.000 --> 00:00:00.000\nOpen end\n]]>"
        "</vtt_transcript>",
        "<vtt_transcript>not vtt</vtt_transcript>",
        "<sync>1:|1(2)|9(9)</sync><transcript>One two three\nfour</transcript>",
        "<sync>x:|a(b)</sync><transcript>words</transcript>",
        "<transcript></transcript>",
    ]
)


def test_init_regressions_found_by_the_fuzzer(work):
    """Item lists the fuzzer once made `init` write an invalid storyboard from."""
    folder = _fresh(work)
    (folder / "items.csv").write_text("file\ntalk.wav\nred.jpg\n", encoding="utf-8")
    _init_result(folder, str(folder / "items.csv"), str(MEDIA))  # a recording named as a photo


def _init_result(folder: Path, *sources: str) -> None:
    """`init` ends cleanly, and what it writes validates as it is."""
    board = folder / "made.yaml"
    code, err = run("init", *sources, "-o", str(board), "--force")
    assert code in (0, 1), err
    assert "Traceback" not in err and "internal error" not in err, err
    if code == 0:
        checked = slideshow.check(board)
        assert checked.ok, (board.read_text(encoding="utf-8"), checked.problems)


@budget(ci_examples=15)
@given(header=st.lists(headers, min_size=1, max_size=6), rows=item_lists, xlsx=st.booleans())
@example(header=["file"], rows=[["x" * 3000]], xlsx=False)  # a name too long for the disk
@example(header=["segment", "file"], rows=[["0:02.5"]], xlsx=False)  # a title YAML 1.1 reads as 2.5
@example(header=["file"], rows=[["~0"]], xlsx=False)  # `~user` of a user that does not exist
@example(
    header=["file"] * 4 + ["at"], rows=[["red.jpg"] * 4 + ["0:01"]], xlsx=False
)  # `at` on the first
def test_init_reads_any_item_list(work, header, rows, xlsx):
    folder = _fresh(work)
    if xlsx:
        from openpyxl import Workbook

        book = Workbook()
        for row in [header, *rows]:
            book.active.append(["".join(ch for ch in c if ch.isprintable()) for c in row])
        book.save(folder / "items.xlsx")
        items = folder / "items.xlsx"
    else:
        items = folder / "items.csv"
        items.write_text("\n".join(",".join(r) for r in [header, *rows]), encoding="utf-8")
    _init_result(folder, str(items), str(MEDIA), str(MEDIA / "talk.wav"))


@budget(ci_examples=15)
@given(
    title=texts,
    index=points,
    transcript=transcripts_in_ohms,
    cut=st.one_of(st.none(), st.none(), st.floats(0, 1)),
)
def test_init_reads_any_ohms_file(work, title, index, transcript, cut):
    from xml.sax.saxutils import escape

    folder = _fresh(work)
    marks = "".join(
        f"<point><time>{escape(t)}</time><title>{escape(name)}</title></point>" for t, name in index
    )
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<ROOT xmlns="https://www.weareavp.com/nunncenter/'
        f'ohms"><record><title>{escape(title)}</title><file_name>talk.wav</file_name>'
        f"<index>{marks}</index>{transcript}</record></ROOT>"
    )
    text = "".join(ch for ch in text if ch.isprintable() or ch in "\n\t")
    if cut is not None:
        text = text[: int(len(text) * cut)]
    (folder / "index.xml").write_text(text, encoding="utf-8")
    _init_result(folder, str(folder / "index.xml"), str(MEDIA / "talk.wav"))
