"""Rendering timelines to MP4 files and their sidecars, one at a time or in batches."""

from .job import RenderResult
from .pool import Outcome, render, render_many

__all__ = ["Outcome", "RenderResult", "render", "render_many"]
