"""Publishing rendered compilations to YouTube and the Internet Archive: resumable, idempotent,
quota-aware."""

from .many import PublishOutcome, batch_report, publish_many
from .upload import PublishResult, publish

__all__ = ["PublishOutcome", "PublishResult", "batch_report", "publish", "publish_many"]
