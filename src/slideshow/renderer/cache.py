"""The piece cache: encoded pieces stored by content key, safe to delete and to share.

Location: $SLIDESHOW_CACHE if set, else the user's cache folder (platformdirs), in `pieces/`.
Writes go to a temporary name and are renamed into place, so two renders at once never see a
half-written piece.
"""

from __future__ import annotations

import json
import os
import struct
import tempfile
import time
from pathlib import Path

import platformdirs

from .encoding import Encoded

_MAGIC = b"SSPIECE1"


def default_root() -> Path:
    env = os.environ.get("SLIDESHOW_CACHE")
    return Path(env) if env else Path(platformdirs.user_cache_dir("slideshow")) / "pieces"


class PieceCache:
    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root else default_root()

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.piece"

    def has(self, key: str) -> bool:
        return self._path(key).is_file()

    def get(self, key: str) -> Encoded | None:
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        try:
            if not data.startswith(_MAGIC):
                return None
            (size,) = struct.unpack_from("<I", data, len(_MAGIC))
            start = len(_MAGIC) + 4
            head = json.loads(data[start : start + size])
            offset = start + size
            packets = []
            for length in head["sizes"]:
                packets.append(data[offset : offset + length])
                offset += length
            if offset != len(data):
                return None
            os.utime(path)  # recently used: pruning keeps it
            return Encoded(
                bytes.fromhex(head["extradata"]),
                packets,
                head["keyframes"],
                head.get("pts"),
                head.get("durations"),
            )
        except (ValueError, KeyError, struct.error):
            return None

    def put(self, key: str, encoded: Encoded) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        head = json.dumps(
            {
                "extradata": encoded.extradata.hex(),
                "sizes": [len(p) for p in encoded.packets],
                "keyframes": encoded.keyframes,
                "pts": encoded.pts,
                "durations": encoded.durations,
            }
        ).encode()
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(_MAGIC + struct.pack("<I", len(head)) + head)
                for packet in encoded.packets:
                    out.write(packet)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def usage(self) -> tuple[int, int]:
        """(number of pieces, bytes) in the cache."""
        count = size = 0
        for path in self.root.glob("*/*.piece"):
            try:
                size += path.stat().st_size
                count += 1
            except OSError:
                pass
        return count, size

    def prune(
        self, older_than_days: float | None = 30, max_bytes: int | None = None
    ) -> tuple[int, int]:
        """Delete pieces unused for longer than older_than_days, then the least recently used
        until the cache is at most max_bytes. Returns (pieces removed, bytes freed)."""
        entries = []
        for path in self.root.glob("*/*.piece"):
            try:
                stat = path.stat()
            except OSError:
                continue
            entries.append((stat.st_mtime, stat.st_size, path))
        entries.sort()
        now = time.time()
        removed = freed = 0
        total = sum(size for _, size, _ in entries)
        for mtime, size, path in entries:
            old = older_than_days is not None and now - mtime > older_than_days * 86400
            big = max_bytes is not None and total > max_bytes
            if not (old or big):
                continue
            try:
                path.unlink()
            except OSError:
                continue
            removed += 1
            freed += size
            total -= size
        for leftover in self.root.glob("*/.*.tmp"):  # writes that a killed render left behind
            if now - leftover.stat().st_mtime > 3600:
                leftover.unlink(missing_ok=True)
        return removed, freed
