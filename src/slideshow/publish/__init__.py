"""Publishing rendered compilations to YouTube: resumable, idempotent, quota-aware."""

from .run import PublishResult, publish

__all__ = ["PublishResult", "publish"]
