"""Publishing rendered compilations to YouTube: resumable, idempotent, quota-aware."""

from .upload import PublishOutcome, PublishResult, publish, publish_many

__all__ = ["PublishOutcome", "PublishResult", "publish", "publish_many"]
