"""Rendering a timeline to an MP4 and its sidecar files."""

from .run import RenderResult, render

__all__ = ["RenderResult", "render"]
