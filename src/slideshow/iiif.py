"""`<id>.iiif.json`: a IIIF Presentation 3 manifest for a rendered compilation, so it shows in
IIIF viewers (Universal Viewer, Mirador, Aviary-style players) beside an archive's holdings.

One Canvas as long as the compilation, the MP4 painted on it, each caption file as a
supplementing WebVTT annotation, each chapter as a Range over its stretch of the Canvas (a
media fragment `#t=start,end`), the thumbnail, and the storyboard's facts as label/value pairs.
Written only when a base URL says where the files will be served from.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from .atomic import write_text
from .languages import english_name
from .loader import LoadedStoryboard
from .outputs import Outputs
from .timeline import Timeline

CONTEXT = "http://iiif.io/api/presentation/3/context.json"


def manifest(loaded: LoadedStoryboard, timeline: Timeline, base_url: str) -> dict:
    """The manifest, as JSON data, for files served under base_url."""
    base = base_url.rstrip("/")
    outputs = Outputs.for_timeline(".", timeline)

    def url(path: Path) -> str:
        return f"{base}/{quote(path.name)}"

    language = timeline.language
    # A caption track per transcript language (else the one caption file, in the spoken one).
    captions = [(c.language, c.vtt) for c in outputs.languages] or [(timeline.spoken, outputs.vtt)]
    width, height = timeline.look.width, timeline.look.height
    duration = round(float(timeline.duration), 3)
    canvas = f"{base}/{quote(timeline.id)}/canvas"
    model = loaded.model

    def text(value: str) -> dict:
        return {language: [value]}

    thumbnail = [
        {
            "id": url(outputs.thumbnail),
            "type": "Image",
            "format": "image/jpeg",
            "width": 1280,
            "height": 720,
        }
    ]

    data: dict = {
        "@context": CONTEXT,
        "id": url(outputs.iiif),
        "type": "Manifest",
        "label": text(timeline.title),
        "metadata": [
            {"label": {"en": ["Identifier"]}, "value": {"none": [timeline.id]}},
            {"label": {"en": ["Duration"]}, "value": {"none": [timeline.clock(timeline.frames)]}},
        ],
        "thumbnail": thumbnail,
        "items": [
            {
                "id": canvas,
                "type": "Canvas",
                "width": width,
                "height": height,
                "duration": duration,
                "thumbnail": thumbnail,
                "items": [
                    {
                        "id": f"{canvas}/page",
                        "type": "AnnotationPage",
                        "items": [
                            {
                                "id": f"{canvas}/page/video",
                                "type": "Annotation",
                                "motivation": "painting",
                                "body": {
                                    "id": url(outputs.mp4),
                                    "type": "Video",
                                    "format": "video/mp4",
                                    "width": width,
                                    "height": height,
                                    "duration": duration,
                                },
                                "target": canvas,
                            }
                        ],
                    }
                ],
                "annotations": [
                    {
                        "id": f"{canvas}/captions",
                        "type": "AnnotationPage",
                        "items": [
                            {
                                "id": f"{canvas}/captions/{tag}",
                                "type": "Annotation",
                                "motivation": "supplementing",
                                "body": {
                                    "id": url(vtt),
                                    "type": "Text",
                                    "format": "text/vtt",
                                    "language": tag,
                                    "label": {"en": [f"Captions ({english_name(tag)})"]},
                                },
                                "target": canvas,
                            }
                            for tag, vtt in captions
                        ],
                    }
                ],
            }
        ],
    }
    if outputs.transcript_html is not None:  # the text alternative, for who cannot watch
        data["rendering"] = [
            {
                "id": url(outputs.transcript_html),
                "type": "Text",
                "format": "text/html",
                "label": {"en": ["Transcript with descriptions of the photographs"]},
            }
        ]
    if model.description:
        data["summary"] = text(model.description.strip())
    if model.credits:
        data["metadata"].append({"label": {"en": ["Credits"]}, "value": {language: model.credits}})
        data["requiredStatement"] = {
            "label": {"en": ["Attribution"]},
            "value": {language: ["; ".join(model.credits)]},
        }
    if timeline.chapters:
        data["structures"] = [
            {
                "id": f"{base}/{quote(timeline.id)}/range/{number}",
                "type": "Range",
                "label": text(span.title),
                "items": [
                    {
                        "id": f"{canvas}#t={_seconds(timeline, span.start)},"
                        f"{_seconds(timeline, span.end)}",
                        "type": "Canvas",
                    }
                ],
            }
            for number, span in enumerate(timeline.chapter_spans(), start=1)
        ]
    return data


def _seconds(timeline: Timeline, frame: int) -> str:
    return f"{float(timeline.seconds(frame)):.3f}".rstrip("0").rstrip(".")


def write(loaded: LoadedStoryboard, timeline: Timeline, out: str | Path, base_url: str) -> Path:
    """Write `<out>/<id>.iiif.json` whole (a temporary file renamed into place)."""
    path = Outputs.for_timeline(out, timeline).iiif
    data = manifest(loaded, timeline, base_url)
    write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return path
