"""Load a storyboard: parse safely, validate against the schema, check every media file.

All problems in a file are collected and raised together as one StoryboardError.
"""

from __future__ import annotations

import difflib
import hashlib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from . import schema
from .errors import MediaError, Problem, StoryboardError
from .media import AudioInfo, ImageInfo, home, probe_audio, probe_image
from .transcripts import Transcript, TranscriptCue, read_transcript
from .yaml_source import Source, load_yaml


@dataclass
class LoadedStoryboard:
    """A valid storyboard with what was learnt about its media, ready to plan."""

    path: Path
    model: schema.Storyboard
    source: Source
    id: str
    media_root: Path
    checksum: str
    images: dict[str, ImageInfo] = field(default_factory=dict)
    recordings: dict[str, AudioInfo] = field(default_factory=dict)
    transcripts: dict[str, list[TranscriptCue]] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)  # cues left out of transcripts
    # SHA-256 of each transcript's bytes as read (by resolved path): the cues' own source
    transcript_digests: dict[str, str] = field(default_factory=dict)

    def resolve(self, written: str) -> Path:
        """The file a media path of the storyboard names."""
        return resolve_media(self.media_root, written)


def resolve_media(media_root: Path, written: str) -> Path:
    path = home(written)
    return path if path.is_absolute() else media_root / path


def load(path: str | Path) -> LoadedStoryboard:
    """Read, validate and probe one storyboard; raises StoryboardError listing every problem.

    Loading does not plan: `check` loads and plans, and is what the commands use."""
    path = Path(path)
    name = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise StoryboardError([Problem(name, 1, 1, "storyboard file not found")]) from None
    except IsADirectoryError:
        raise StoryboardError([Problem(name, 1, 1, "this is a folder, not a storyboard")]) from None
    except OSError as exc:
        raise StoryboardError([Problem(name, 1, 1, f"cannot read: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise StoryboardError(
            [Problem(name, line, 1, "the file is not UTF-8 text; save it as UTF-8")]
        ) from None
    source, problems = load_yaml(text, name)
    if source is None:
        raise StoryboardError(problems)
    if source.data is None:
        raise StoryboardError([Problem(name, 1, 1, "the storyboard is empty")])
    if not isinstance(source.data, dict):
        raise StoryboardError([source.problem((), "a storyboard must be a mapping of keys")])

    data = source.data
    model = None
    try:
        model = schema.Storyboard.model_validate(data)
    except ValidationError as exc:
        problems += [_problem(source, error) for error in exc.errors()]
    media_root = _media_root(path, data)
    media = _Media(source, media_root)
    for where, kind, written in _media_refs(data):
        media.check(where, kind, written)
    problems += media.problems
    if problems or model is None:
        raise StoryboardError(problems)
    return LoadedStoryboard(
        path=path,
        model=model,
        source=source,
        id=model.id or path.stem,
        media_root=media_root,
        checksum=hashlib.sha256(raw).hexdigest(),
        images=media.images,
        recordings=media.recordings,
        transcripts=media.transcripts,
        warnings=media.warnings,
        transcript_digests=media.transcript_digests,
    )


def _media_root(path: Path, data: dict) -> Path:
    folder = path.parent
    root = data.get("media_root")
    if isinstance(root, str):
        return (folder / home(root)).resolve()
    return folder.resolve()


def _media_refs(data: dict):
    """(path in the YAML, kind, path as written) for every media file the raw data names."""
    segments = data.get("segments")
    if not isinstance(segments, list):
        return
    for s, segment in enumerate(segments):
        if not isinstance(segment, dict):
            continue
        audio = segment.get("audio")
        if isinstance(audio, str):
            yield ("segments", s, "audio"), "audio", audio
        elif isinstance(audio, dict) and isinstance(audio.get("file"), str):
            yield ("segments", s, "audio", "file"), "audio", audio["file"]
        transcript = segment.get("transcript")
        if isinstance(transcript, str):
            yield ("segments", s, "transcript"), "transcript", transcript
        elif isinstance(transcript, dict):
            for language, written in transcript.items():
                if isinstance(written, str):
                    yield ("segments", s, "transcript", language), "transcript", written
        photos = segment.get("photos")
        for p, photo in enumerate(photos if isinstance(photos, list) else []):
            if isinstance(photo, str):
                yield ("segments", s, "photos", p), "image", photo
            elif isinstance(photo, dict) and isinstance(photo.get("file"), str):
                yield ("segments", s, "photos", p, "file"), "image", photo["file"]


class _Media:
    """Probes each media file the storyboard names, once, collecting what it learns."""

    def __init__(self, source: Source, media_root: Path):
        self.source = source
        self.media_root = media_root
        self.images: dict[str, ImageInfo] = {}
        self.recordings: dict[str, AudioInfo] = {}
        self.transcripts: dict[str, list[TranscriptCue]] = {}
        self.transcript_digests: dict[str, str] = {}
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.seen: set[tuple[str, str]] = set()

    def check(self, where: tuple, kind: str, written: str) -> None:
        if (kind, written) in self.seen:
            return
        self.seen.add((kind, written))
        path = resolve_media(self.media_root, written)
        try:
            if kind == "image":
                self.images[written] = probe_image(path)
            elif kind == "audio":
                self.recordings[written] = probe_audio(path)
            else:
                read, digest = _read_transcript(path, written)
                self.transcripts[written] = read.cues
                self.transcript_digests[str(path)] = digest
                self.warnings += [
                    self.source.problem(where, f"warning: transcript {written!r}: {w}")
                    for w in read.warnings
                ]
        except MediaError as exc:
            what = {"image": "photo", "audio": "recording", "transcript": "transcript"}[kind]
            self.problems.append(self.source.problem(where, f"{what} {written!r}: {exc}"))


def _read_transcript(path: Path, written: str) -> tuple[Transcript, str]:
    """The transcript's cues, and the SHA-256 of the bytes they were read from (what the
    render manifest names: the file read once, not again later)."""
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except FileNotFoundError:
        raise MediaError("file not found") from None
    except UnicodeDecodeError:
        raise MediaError("not UTF-8 text; save the transcript as UTF-8") from None
    except OSError as exc:
        raise MediaError(f"cannot be read ({exc.strerror})") from None
    try:
        return read_transcript(text, "the file"), hashlib.sha256(raw).hexdigest()
    except MediaError as exc:
        raise MediaError(str(exc).replace("the file: ", "")) from None


# --- turning pydantic's errors into messages an archivist can act on -------------------------

_KINDS = {
    "string_type": "text",
    "float_type": "a number",
    "float_parsing": "a number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "tuple_type": "a list of four numbers",
    "model_type": "a mapping of keys",
    "model_attributes_type": "a mapping of keys",
    "dict_type": "a mapping of keys",
}


def _path(loc: tuple) -> tuple:
    """Drop pydantic's union-branch markers so the location is a path in the YAML."""
    return tuple(x for x in loc if isinstance(x, int) or ("[" not in x and x not in _BRANCHES))


_BRANCHES = {"str", "float", "int", "bool", "list", "tuple", "none"}


def _key(path: tuple) -> str:
    for index, part in enumerate(reversed(path)):
        if isinstance(part, str):
            if index:
                return f"item {path[-1] + 1} of `{part}`"
            return f"`{part}`"
    return "the storyboard"


def _show(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _problem(source: Source, error: ErrorDetails) -> Problem:
    problem = _describe(source, error)
    photo = _photo_named(source.data, _path(error["loc"]))
    if photo is None:
        return problem
    return Problem(
        problem.file, problem.line, problem.column, f"photo {photo!r}: {problem.message}"
    )


def _photo_named(data: Any, path: tuple) -> str | None:
    """The file of the photo entry that path lies inside, if any, as the storyboard writes it."""
    for index in range(len(path) - 2):
        if path[index] == "photos" and isinstance(path[index + 1], int) and len(path) > index + 2:
            node = data
            try:
                for part in path[: index + 2]:
                    node = node[part]
            except (KeyError, IndexError, TypeError):
                return None
            if isinstance(node, dict) and isinstance(node.get("file"), str):
                return node["file"]
    return None


def _describe(source: Source, error: ErrorDetails) -> Problem:
    path = _path(error["loc"])
    kind = error["type"]
    if (kind == "invalid_key" or "[key]" in error["loc"]) and path:  # a key that is a number
        holder = _key(path[:-1]) if len(path) > 1 else "the storyboard"
        return source.problem(
            path, f"{holder}: unexpected key {path[-1]!r}; keys are names", key=True
        )
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "extra_forbidden":
        key = path[-1]
        valid = _valid_keys(path[:-1])
        message = f"unknown key '{key}'"
        close = difflib.get_close_matches(str(key), valid, n=1, cutoff=0.6)
        if close:
            message += f"; did you mean '{close[0]}'?"
        elif valid:
            message += f"; the keys allowed here are: {', '.join(sorted(valid))}"
        return source.problem(path, message, key=True)
    if kind == "missing":
        where = path[:-1]
        return source.problem(where, f"missing required key '{path[-1]}'", key=True)
    if kind == "value_error":
        message = str(ctx.get("error", error["msg"]))
        if message == schema.BLANK:
            return source.problem(path, _blank(path))
        return source.problem(path, f"{_key(path)}: {message}")
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "")
        return source.problem(path, f"{_key(path)}: expected {expected}, got {_show(value)}")
    if kind in ("too_short", "string_too_short"):
        if kind == "string_too_short":
            return source.problem(path, f"{_key(path)} must not be empty")
        return source.problem(path, f"{_key(path)} needs at least one item")
    if kind == "too_long":
        return source.problem(path, f"{_key(path)}: expected {ctx.get('max_length')} items")
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        words = {
            "greater_than": "greater than",
            "greater_than_equal": "at least",
            "less_than": "less than",
            "less_than_equal": "at most",
        }[kind]
        bound = next(iter(ctx.values()), "")
        bound = f"{bound:g}" if isinstance(bound, float) else bound
        return source.problem(path, f"{_key(path)} must be {words} {bound}, got {_show(value)}")
    if kind in _KINDS:
        return source.problem(path, f"{_key(path)}: expected {_KINDS[kind]}, got {_show(value)}")
    return source.problem(path, f"{_key(path)}: {error['msg']}")


def _blank(path: tuple) -> str:
    """What to say of text that is only spaces, by where it stands."""
    if path == ("title",):
        return "`title` is empty; write the storyboard's title"
    if isinstance(path[-1], int):
        return f"{_key(path)} is empty; write the text, or remove the item"
    return f"{_key(path)} is empty; write the text, or remove the key"


def _valid_keys(path: tuple) -> list[str]:
    """The keys the model accepts at a path of the YAML, for 'did you mean'."""
    annotation: object = schema.Storyboard
    for part in path:
        model = _unwrap(annotation)
        if isinstance(part, int):
            args = [a for a in typing.get_args(model) if a is not type(None)]
            annotation = args[0] if args else None
        elif isinstance(model, type) and issubclass(model, BaseModel):
            fields = {(f.alias or n): f for n, f in model.model_fields.items()}
            if part not in fields:
                return []
            annotation = fields[part].annotation
        else:
            return []
    model = _unwrap(annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return [(f.alias or n) for n, f in model.model_fields.items()]
    return []


def _unwrap(annotation: object) -> object:
    """Optional[X] and Annotated[X, ...] to X."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation
