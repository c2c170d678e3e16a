"""SHA-256 of files and of JSON values: how the tool names what it has seen and made."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path


def sha256_file(path: str | Path) -> str:
    """The hex SHA-256 of a file's bytes, read in blocks (recordings can be gigabytes)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_json(value: object) -> str:
    """The hex SHA-256 of a JSON value, keys sorted, so equal values always get equal names."""
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()
