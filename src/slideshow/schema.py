"""The storyboard format as a typed model: the one source of validation, defaults and JSON Schema.

Every class mirrors a mapping of STORYBOARD.md; a docstring or description on each field is what
editors show when completing a storyboard.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from . import youtube_rules
from .timecode import parse_time

TIME_JSON_SCHEMA = {
    "anyOf": [
        {"type": "number", "minimum": 0},
        {
            "type": "string",
            "pattern": r"^\s*(?:(?:\d+:)?\d{1,2}:)?\d+(?:\.\d+)?\s*$",
        },
    ],
    "description": 'seconds (12, 12.5) or a quoted timecode ("M:SS", "H:MM:SS.mmm")',
}

Time = Annotated[
    Fraction,
    BeforeValidator(parse_time),
    PlainSerializer(float, return_type=float),
    WithJsonSchema(TIME_JSON_SCHEMA),
]


BLANK = "empty text"  # the loader words it for the place: a required key, a list item, ...


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError(BLANK)
    return value


# Text people read (titles, captions, credits, descriptions, tags). Text that is empty once
# spaces are stripped is always a mistake at its place, never silently taken as absent.
Text = Annotated[
    str, AfterValidator(_not_blank), WithJsonSchema({"type": "string", "pattern": r"\S"})
]

Fit = Literal["contain", "cover"]
TransitionKind = Literal["cut", "crossfade", "fade"]
Quality = Literal["draft", "standard", "master"]
MotionKind = Literal["none", "kenburns"]
CaptionPosition = Literal["bottom", "top"]
Rect = Annotated[
    tuple[
        Annotated[float, Field(ge=0, le=1)],
        Annotated[float, Field(ge=0, le=1)],
        # A frame can show no less than a thousandth of the photo's width or height.
        Annotated[float, Field(ge=0.001, le=1)],
        Annotated[float, Field(ge=0.001, le=1)],
    ],
    Field(description="x, y, width, height as fractions of the photo (0..1)"),
]

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_SIZE = re.compile(r"^(\d+)x(\d+)$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _file_shorthand(value: object) -> object:
    return {"file": value} if isinstance(value, str) else value


class Motion(Model):
    """How the camera moves over a photo."""

    type: MotionKind = "none"
    from_: Rect | None = Field(None, alias="from", description="framing at the start of the shot")
    to: Rect | None = Field(None, description="framing at the end of the shot")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: object) -> object:
        return {"type": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _rects(self) -> Motion:
        if self.type == "none" and (self.from_ or self.to):
            raise ValueError("`from` and `to` need `type: kenburns`")
        if (self.from_ is None) != (self.to is None):
            raise ValueError("give both `from` and `to`, or neither")
        for name, rect in (("from", self.from_), ("to", self.to)):
            if rect and (rect[0] + rect[2] > 1.0001 or rect[1] + rect[3] > 1.0001):
                raise ValueError(
                    f"the `{name}` rectangle {list(rect)} reaches outside the photo: "
                    "x + w and y + h must be at most 1"
                )
        return self


class Photo(Model):
    """A photograph shown while the segment plays."""

    file: str = Field(description="path of the image, relative to media_root")
    caption: Text | None = Field(None, description="burned in and written to the caption files")
    alt: Text | None = Field(
        None, description="what the photograph shows, for people who cannot see it; never drawn"
    )
    at: Time | None = Field(None, description="position in the recording where it appears")
    duration: Time | None = Field(None, description="how long it is shown, in seconds")
    fit: Fit | None = None
    motion: Motion | None = None
    transition: TransitionKind | None = Field(None, description="how this photo comes in")
    transition_duration: Time | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: object) -> object:
        return _file_shorthand(value)


class Audio(Model):
    """A stretch of a recording."""

    file: str
    start: Time | None = Field(None, description="position in the recording; default its start")
    end: Time | None = Field(None, description="position in the recording; default its end")
    fade_in: Time = Fraction(1, 2)
    fade_out: Time = Fraction(1)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: object) -> object:
        return _file_shorthand(value)

    @model_validator(mode="after")
    def _order(self) -> Audio:
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError("`end` must come after `start`")
        return self


class Segment(Model):
    """One stretch of the compilation: a recording (or silence) and the photos shown with it.

    A segment with audio and no photos shows a title card (its title, else the storyboard's)."""

    title: Text | None = Field(None, description="becomes a chapter")
    audio: Audio | None = None
    transcript: str | dict[str, str] | None = Field(
        None,
        description="WebVTT or SRT file (in the spoken language), times in the recording; or "
        "language: file for transcripts in more than one language",
    )
    photos: list[Photo] = Field(
        default_factory=list, description="none: a title card for the length of the audio"
    )

    @model_validator(mode="after")
    def _needs(self) -> Segment:
        if self.transcript and self.audio is None:
            raise ValueError("a `transcript` needs `audio` in the same segment")
        if not self.photos and self.audio is None:
            raise ValueError("a segment needs `photos`, or `audio` to play under a title card")
        return self


class Video(Model):
    size: str = Field("1920x1080", description="WIDTHxHEIGHT, even numbers")
    fps: float = Field(30, gt=0, le=120)
    quality: Quality = "standard"

    @field_validator("size")
    @classmethod
    def _size(cls, value: str) -> str:
        match = _SIZE.match(value.strip())
        if not match:
            raise ValueError(f"expected WIDTHxHEIGHT such as 1920x1080, got {value!r}")
        width, height = int(match[1]), int(match[2])
        if width % 2 or height % 2:
            raise ValueError(f"width and height must be even numbers, got {value!r}")
        if not (64 <= width <= 7680 and 64 <= height <= 4320):
            raise ValueError(f"the size must be between 64x64 and 7680x4320, got {value!r}")
        return f"{width}x{height}"

    @property
    def width(self) -> int:
        return int(self.size.split("x")[0])

    @property
    def height(self) -> int:
        return int(self.size.split("x")[1])

    @property
    def frame_rate(self) -> Fraction:
        """NTSC rates written as 29.97 and friends mean their exact 1000/1001 forms."""
        for nominal in (24, 30, 60):
            if abs(self.fps - nominal * 1000 / 1001) < 0.006:
                return Fraction(nominal * 1000, 1001)
        return Fraction(self.fps).limit_denominator(1001)


class Style(Model):
    font: str = Field("DejaVu Sans", description="a font family name or a .ttf/.otf file")
    caption_position: CaptionPosition = "bottom"
    background: str = Field("blur", description='blur | black | "#rrggbb"')
    subtitles: str | None = Field(
        None, description="off, or a transcript language whose cues are drawn on the picture"
    )

    @field_validator("subtitles", mode="before")
    @classmethod
    def _subtitles(cls, value: object) -> object:
        if value is False or value == "off" or value is None:  # YAML reads a bare off as false
            return None
        if not isinstance(value, str):
            raise ValueError(f"expected off or a language tag such as en, got {value!r}")
        return _tag(value)

    @field_validator("background")
    @classmethod
    def _background(cls, value: str) -> str:
        if value in ("blur", "black") or _COLOUR.match(value):
            return value
        raise ValueError(f'expected blur, black or a colour such as "#1a1a1a", got {value!r}')


class Defaults(Model):
    fit: Fit = "contain"
    motion: Motion = Motion()
    transition: TransitionKind = "crossfade"
    transition_duration: Time = Fraction(1)
    photo_duration: Time = Fraction(6)


class Intro(Model):
    title: Text | None = Field(None, description="default: the storyboard title")
    subtitle: Text | None = None
    duration: Time = Fraction(5)


class Outro(Model):
    title: Text | None = Field(None, description="heading of the closing card")
    duration: Time = Fraction(8)


class Localization(Model):
    """A video's title and description in another language."""

    title: Text
    description: Text | None = None

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        problem = youtube_rules.title_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class YouTube(Model):
    title: Text | None = Field(None, description="default: the storyboard title")
    privacy: Literal["private", "unlisted", "public"] = "private"
    tags: list[Text] = Field(default_factory=list)
    category: int = Field(27, description="YouTube category id; 27 is Education")
    playlist: str | None = None
    made_for_kids: bool = False
    publish_at: str | None = Field(None, description="ISO 8601; only with privacy private")
    localizations: dict[str, Localization] = Field(
        default_factory=dict, description="title and description per language"
    )

    @field_validator("localizations", mode="before")
    @classmethod
    def _localization_tags(cls, value: object) -> object:
        if isinstance(value, dict):
            return {_tag(str(k)) if isinstance(k, str) else k: v for k, v in value.items()}
        return value

    @field_validator("title")
    @classmethod
    def _title(cls, value: str | None) -> str | None:
        problem = None if value is None else youtube_rules.title_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        problem = youtube_rules.tags_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _schedule(self) -> YouTube:
        if self.publish_at and self.privacy != "private":
            raise ValueError("`publish_at` works only with `privacy: private`")
        return self


class IIIF(Model):
    """Where the rendered files will be served, for the IIIF manifest (`<id>.iiif.json`)."""

    base_url: str = Field(description="http(s) address of the folder serving the outputs")

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+(/\S*)?$", value):
            raise ValueError(f"expected an http:// or https:// address, got {value!r}")
        return value


class ArchiveOrg(Model):
    """The compilation's item on the Internet Archive (`slideshow publish --to archive.org`)."""

    identifier: str | None = Field(
        None, description="the item's identifier; default: prefix + the storyboard's id"
    )
    prefix: str | None = Field(None, description="put before the id, e.g. asjm-")
    collection: str = Field("opensource_movies", description="the collection to add it to")
    creator: Text | None = Field(None, description="default: the first credit")
    date: str | None = Field(None, description="YYYY, YYYY-MM or YYYY-MM-DD")
    subjects: list[Text] = Field(default_factory=list, description="default: the YouTube tags")
    licenseurl: str | None = Field(None, description="e.g. a Creative Commons licence's address")

    @field_validator("date")
    @classmethod
    def _date(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^\d{4}(-\d{2}(-\d{2})?)?$", value):
            raise ValueError(f"expected YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
        return value


class Publish(Model):
    youtube: YouTube | None = None
    archive_org: ArchiveOrg | None = None
    iiif: IIIF | None = None


class Storyboard(Model):
    """A compilation: recordings, the photographs shown with them, captions and credits."""

    title: Text
    id: str | None = Field(None, description="names every output file; default: the file name")
    description: Text | None = None
    language: str = Field("en", description="BCP-47 language tag of the storyboard's text")
    spoken_language: str | None = Field(
        None, description="BCP-47 tag of the language spoken in the recordings; default: language"
    )
    credits: list[Text] = Field(default_factory=list)
    media_root: str | None = Field(None, description="folder that relative media paths start from")
    video: Video = Video()
    loudness: float | Literal["off"] = Field(
        -16, description="target integrated loudness in LUFS, or off"
    )
    style: Style = Style()
    defaults: Defaults = Defaults()
    intro: Intro | None = None
    outro: Outro | None = None
    publish: Publish | None = None
    segments: list[Segment] = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str | None) -> str | None:
        if value is not None and not _ID.match(value):
            raise ValueError(
                f"an id may hold letters, digits, '.', '_' and '-' only, got {value!r}"
            )
        return value

    @field_validator("loudness", mode="before")
    @classmethod
    def _loudness(cls, value: object) -> object:
        if value is False or value == "off":  # YAML reads a bare `off` as false
            return "off"
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if not -70 <= value <= -5:
                raise ValueError(f"loudness must be between -70 and -5 LUFS, got {value}")
            return value
        raise ValueError(f"expected a loudness in LUFS such as -16, or off, got {value!r}")

    @field_validator("language", "spoken_language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        return None if value is None else _tag(value)

    @property
    def spoken(self) -> str:
        """The language spoken in the recordings."""
        return self.spoken_language or self.language


def _tag(value: str) -> str:
    from .languages import check_tag

    return check_tag(value)


def json_schema() -> dict:
    """The JSON Schema of the storyboard format, for editors."""
    schema = Storyboard.model_json_schema(by_alias=True)
    # Shorthands: a photo or a recording may be just its file, a motion just its type.
    defs = schema["$defs"]
    for name, short in (("Photo", "path"), ("Audio", "path"), ("Motion", "type")):
        whole = defs.pop(name)
        defs[f"{name}Mapping"] = whole
        text: dict[str, object] = {"type": "string"}
        if short == "type":
            text["enum"] = ["none", "kenburns"]
        defs[name] = {"anyOf": [text, {"$ref": f"#/$defs/{name}Mapping"}]}
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "slideshow storyboard, version 1"
    return schema
