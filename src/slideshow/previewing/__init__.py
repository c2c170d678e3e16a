"""`slideshow preview`: see a storyboard before rendering it (an animatic page, a contact
sheet)."""

from .build import PreviewResult, preview, preview_many

__all__ = ["PreviewResult", "preview", "preview_many"]
