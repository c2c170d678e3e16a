"""The contract's timing rules, by example and as properties of random storyboards."""

from __future__ import annotations

import itertools
from fractions import Fraction
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slideshow import Timeline, plan
from slideshow.loader import LoadedStoryboard
from slideshow.media import AudioInfo, ImageInfo
from slideshow.schema import Storyboard
from slideshow.yaml_source import Source

FPS = 30


def loaded(data: dict, recordings: dict[str, float] | None = None) -> LoadedStoryboard:
    """A LoadedStoryboard without files: the planner reads only the model and probe facts."""
    model = Storyboard.model_validate(data)
    images = {}
    for segment in model.segments:
        for photo in segment.photos:
            images[photo.file] = ImageInfo(320, 180, "JPEG", "RGB")
    result = LoadedStoryboard(
        path=Path("story.yaml"),
        model=model,
        source=Source("story.yaml", data),
        id="story",
        media_root=Path("."),
        checksum="0",
        images=images,
        recordings={
            k: AudioInfo(Fraction(v), 48000, 2, "pcm") for k, v in (recordings or {}).items()
        },
    )
    return result


def test_at_splits_a_segment_into_stretches():
    data = {
        "title": "T",
        "segments": [
            {
                "audio": {"file": "a.wav", "start": 3, "end": "0:40.5"},
                "photos": ["p1.jpg", "p2.jpg", {"file": "p3.jpg", "at": 20}, "p4.jpg"],
            }
        ],
    }
    timeline = plan(loaded(data, {"a.wav": 60}))
    starts = [(s.start, s.end) for s in timeline.shots]
    # 37.5 s = 1125 frames; the anchor at 20 s lands 17 s = 510 frames in.
    assert starts == [(0, 255), (255, 510), (510, 818), (818, 1125)]
    (clip,) = timeline.audio
    assert (clip.start, clip.frames, clip.source_start) == (0, 1125, 3)


def test_fixed_durations_and_shared_rest():
    data = {
        "title": "T",
        "segments": [
            {"audio": "a.wav", "photos": ["p1.jpg", {"file": "p2.jpg", "duration": 8}, "p3.jpg"]}
        ],
    }
    timeline = plan(loaded(data, {"a.wav": 20}))
    assert [s.frames for s in timeline.shots] == [180, 240, 180]


def test_intro_outro_silent_segments_and_chapters():
    data = {
        "title": "Story",
        "intro": {"title": "Hello", "duration": 5},
        "outro": {"duration": 8},
        "credits": ["A"],
        "defaults": {"photo_duration": 4},
        "segments": [
            {"photos": ["a.jpg", {"file": "b.jpg", "duration": 10}]},
            {"title": "Second", "audio": "a.wav", "photos": ["c.jpg"]},
        ],
    }
    timeline = plan(loaded(data, {"a.wav": 12}))
    assert timeline.frames == (5 + 4 + 10 + 12 + 8) * FPS
    assert [s.kind for s in timeline.shots] == ["title", "photo", "photo", "photo", "credits"]
    assert timeline.shots[-1].lines == ("A",)
    assert [(c.start, c.title) for c in timeline.chapters] == [(0, "Hello"), (570, "Second")]
    assert timeline.audio[0].start == 570


def test_a_short_opening_is_folded_into_the_first_chapter():
    """Contract 1.1, "Chapters": under 10 s before the first titled segment joins its chapter;
    10 s or more is a chapter of its own, named after the intro (else the title)."""

    def chapters(intro: float, untitled: float | None = None):
        segments = [{"title": "Talk", "audio": "a.wav", "photos": ["c.jpg"]}]
        if untitled:
            segments.insert(0, {"photos": [{"file": "b.jpg", "duration": untitled}]})
        data = {"title": "Story", "intro": {"duration": intro}, "segments": segments}
        timeline = plan(loaded(data, {"a.wav": 30}))
        return [(c.start, c.title) for c in timeline.chapters]

    assert chapters(4) == [(0, "Talk")]
    assert chapters(9.9) == [(0, "Talk")]
    assert chapters(10) == [(0, "Story"), (10 * FPS, "Talk")]
    assert chapters(4, untitled=6) == [(0, "Story"), (10 * FPS, "Talk")]
    assert chapters(2, untitled=3) == [(0, "Talk")]


def test_transitions_are_centred_on_the_cut():
    data = {
        "title": "T",
        "defaults": {"transition_duration": 1},
        "segments": [{"photos": ["a.jpg", {"file": "b.jpg", "transition": "fade"}, "c.jpg"]}],
    }
    timeline = plan(loaded(data))
    first, second, _third = timeline.shots
    assert first.transition.kind == "cut"
    assert second.transition.kind == "fade"
    assert second.transition.span(second.start) == (second.start - 15, second.start + 15)
    assert timeline.frames == 3 * 6 * FPS  # transitions never change a length


def test_transcript_cues_are_cut_and_shifted(tmp_path):
    from slideshow.transcripts import parse_transcript

    data = {
        "title": "T",
        "intro": {"duration": 2},
        "segments": [
            {
                "audio": {"file": "a.wav", "start": 10, "end": 20},
                "transcript": "t.vtt",
                "photos": [{"file": "a.jpg", "caption": "not used: the transcript wins"}],
            },
        ],
    }
    board = loaded(data, {"a.wav": 30})
    board.transcripts["t.vtt"] = parse_transcript(
        "WEBVTT\n\n00:00:05.000 --> 00:00:12.000\nbefore and in\n\n"
        "00:00:15.000 --> 00:00:16.500\n<i>inside</i>\n\n00:00:25.000 --> 00:00:26.000\nafter\n",
        "t.vtt",
    )
    timeline = plan(board)
    assert [(c.start, c.end, c.text) for c in timeline.captions] == [
        (60, 120, "before and in"),
        (210, 255, "inside"),
    ]


def test_timeline_round_trips_through_json():
    data = {
        "title": "T",
        "video": {"fps": 29.97},
        "intro": {"duration": 3},
        "segments": [
            {
                "title": "A",
                "audio": "a.wav",
                "photos": [
                    {
                        "file": "a.jpg",
                        "caption": "Привет שלום",
                        "motion": {
                            "type": "kenburns",
                            "from": [0, 0, 1, 1],
                            "to": [0.2, 0.2, 0.5, 0.5],
                        },
                    }
                ],
            },
        ],
    }
    timeline = plan(loaded(data, {"a.wav": 7}))
    assert timeline.fps == Fraction(30000, 1001)
    again = Timeline.from_json(timeline.to_json())
    assert again == timeline
    assert '"version": 1' in timeline.to_json()
    text = str(timeline)
    assert "a.jpg (kenburns)" in text and "Привет שלום" in text and "Chapters:" in text


# --- properties ---------------------------------------------------------------------------

durations = st.fractions(min_value=1, max_value=30, max_denominator=100)


@st.composite
def storyboards(draw):
    segments = []
    recordings = {}
    for index in range(draw(st.integers(1, 4))):
        photos_n = draw(st.integers(1, 5))
        if draw(st.booleans()):
            # A recording long enough for every photo to get at least 1.5 s.
            length = draw(st.fractions(min_value=photos_n * 3, max_value=120, max_denominator=10))
            start = draw(st.fractions(min_value=0, max_value=5, max_denominator=10))
            name = f"r{index}.wav"
            recordings[name] = float(start + length + 1)
            photos = [{"file": f"p{k}.jpg"} for k in range(photos_n)]
            # Anchors at evenly spaced positions keep every stretch long enough.
            for k in range(1, photos_n):
                if draw(st.booleans()):
                    photos[k]["at"] = float(start + length * k / photos_n)
            segments.append(
                {
                    "audio": {"file": name, "start": float(start), "end": float(start + length)},
                    "photos": photos,
                }
            )
        else:
            photos = [
                {"file": f"p{k}.jpg", "duration": float(draw(durations))} for k in range(photos_n)
            ]
            segments.append({"photos": photos})
    data = {
        "title": "T",
        "segments": segments,
        "video": {"fps": draw(st.sampled_from([24, 25, 30, 29.97, 60]))},
    }
    if draw(st.booleans()):
        data["intro"] = {"duration": float(draw(durations))}
    if draw(st.booleans()):
        data["outro"] = {"duration": float(draw(durations))}
    return data, recordings


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(storyboards())
def test_plan_invariants(case):
    data, recordings = case
    board = loaded(data, recordings)
    timeline = plan(board)
    fps = timeline.fps
    frames = lambda s: int((Fraction(s) * fps + Fraction(1, 2)) // 1)  # noqa: E731
    shots = timeline.shots
    # Shots tile the timeline: no gap, no overlap, all integer frames.
    assert shots[0].start == 0
    for before, after in itertools.pairwise(shots):
        assert before.end == after.start
    assert shots[-1].end == timeline.frames
    assert all(isinstance(v, int) for s in shots for v in (s.start, s.end))
    # The total is intro + segments + outro, each rounded to frames once.
    model = board.model
    total = frames(model.intro.duration) if model.intro else 0
    for segment in model.segments:
        if segment.audio:
            total += frames(segment.audio.end - segment.audio.start)
        else:
            total += sum(frames(p.duration) for p in segment.photos)
    total += frames(model.outro.duration) if model.outro else 0
    assert timeline.frames == total
    # Anchored photos start on their frame; audio clips sit on their segment's shots.
    for clip in timeline.audio:
        segment = model.segments[clip.segment]
        seg_shots = [s for s in shots if s.segment == clip.segment]
        assert seg_shots[0].start == clip.start
        assert seg_shots[-1].end == clip.start + clip.frames
        for photo, shot in zip(segment.photos, seg_shots):
            if photo.at is not None:
                assert shot.start == clip.start + frames(photo.at - segment.audio.start)
    # Transitions stay inside their neighbours and never overlap one another.
    for i in range(1, len(shots)):
        lo, hi = shots[i].transition.span(shots[i].start)
        assert shots[i - 1].start <= lo <= shots[i].start <= hi <= shots[i].end
        if i + 1 < len(shots):
            assert hi <= shots[i + 1].transition.span(shots[i + 1].start)[0]
