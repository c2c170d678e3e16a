"""`slideshow preview`: see a storyboard before rendering it (an animatic page, a contact
sheet)."""

from .build import PreviewResult, preview

__all__ = ["PreviewResult", "preview"]
