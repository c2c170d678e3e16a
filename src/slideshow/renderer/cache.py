"""The piece cache: encoded pieces stored by content key, safe to delete and to share.

Location: $SLIDESHOW_CACHE if set, else the user's cache folder (platformdirs), in `pieces/`.
Writes go to a temporary name, are flushed to the disk and renamed into place, so two renders
at once never see a half-written piece, nor does a render after a power cut. Every piece
carries its SHA-256 and is checked when read: a damaged one is removed and made again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import struct
import tempfile
import time
from pathlib import Path

import platformdirs

from ..atomic import alive
from ..digest import sha256_file, sha256_json
from ..errors import RenderError, SlideshowError
from .encoded import Encoded

# A piece file: the packets one after another, then a JSON trailer (codec headers, sizes,
# keyframe flags, timestamps, and the SHA-256 of all of it) and the trailer's length, so a piece
# can be written while it is encoded, checked whole when it is opened, and read back one packet
# at a time. Pieces of the format before (no SHA-256) are checked by their structure only.
_MAGIC = b"SSPIECE3"
_MAGIC_UNCHECKED = b"SSPIECE2"


class Missing(RenderError):
    """A piece or soundtrack the render needs is not in the cache (removed, or damaged)."""


def default_root() -> Path:
    env = os.environ.get("SLIDESHOW_CACHE")
    return Path(env) if env else Path(platformdirs.user_cache_dir("slideshow")) / "pieces"


DEFAULT_LIMIT_MB = 10_000  # about 70 three-minute 1080p compilations' pieces and pictures


def size_limit() -> int | None:
    """Bytes the cache may hold after a render: $SLIDESHOW_CACHE_MAX_MB, else 10 GB; 0 means
    no limit. The least recently used pieces go first, never those the render just used."""
    text = os.environ.get("SLIDESHOW_CACHE_MAX_MB", "").strip()
    try:
        megabytes = float(text) if text else DEFAULT_LIMIT_MB
    except ValueError:
        raise SlideshowError(
            f"SLIDESHOW_CACHE_MAX_MB is {text!r}: give the cache's size limit in MB "
            "(0 for no limit)"
        ) from None
    return None if megabytes <= 0 else int(megabytes * 1e6)


class PieceWriter:
    """Streams one piece into the cache; it appears under its key only when complete."""

    def __init__(self, path: Path):
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, self.tmp = tempfile.mkstemp(
                dir=path.parent, prefix=f".{os.getpid()}.", suffix=".tmp"
            )
        except OSError as exc:
            raise SlideshowError(
                f"cannot write to the piece cache at {path.parent.parent} ({exc.strerror}); "
                "set SLIDESHOW_CACHE to a folder you can write to"
            ) from None
        self.out = os.fdopen(fd, "wb")
        self.out.write(_MAGIC)
        self.hash = hashlib.sha256()
        self.extradata = b""
        self.sizes: list[int] = []
        self.keyframes: list[bool] = []
        self.pts: list[int] = []
        self.durations: list[int] = []

    def add(
        self,
        packet: bytes,
        keyframe: bool = True,
        pts: int | None = None,
        duration: int | None = None,
    ) -> None:
        self.out.write(packet)
        self.hash.update(packet)
        self.sizes.append(len(packet))
        self.keyframes.append(keyframe)
        if pts is not None:
            self.pts.append(pts)
            self.durations.append(duration or 0)

    def close(self) -> None:
        head = {
            "extradata": self.extradata.hex(),
            "sizes": self.sizes,
            "keyframes": self.keyframes,
            "pts": self.pts or None,
            "durations": self.durations or None,
        }
        trailer = json.dumps({**head, "sha256": _sealed(self.hash, head)}).encode()
        self.out.write(trailer + struct.pack("<I", len(trailer)))
        self.out.flush()
        os.fsync(self.out.fileno())
        self.out.close()
        # The cache deleted while the piece was written (safe at any time): the piece is lost
        # with it, and the render that needs it encodes it again (job.finish).
        with contextlib.suppress(FileNotFoundError):
            os.replace(self.tmp, self.path)

    def abort(self) -> None:
        self.out.close()
        Path(self.tmp).unlink(missing_ok=True)

    def __enter__(self) -> PieceWriter:
        return self

    def __exit__(self, kind, value, tb) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()


def _sealed(packets: hashlib._Hash, head: dict) -> str:
    """The SHA-256 of a piece: its packets (hashed so far), then its headers."""
    whole = packets.copy()
    whole.update(json.dumps(head, sort_keys=True).encode())
    return whole.hexdigest()


class PieceReader:
    """A cached piece's headers, and its packets read one at a time."""

    def __init__(self, path: Path, head: dict):
        self.path = path
        self.extradata = bytes.fromhex(head["extradata"])
        self.sizes: list[int] = head["sizes"]
        self.keyframes: list[bool] = head["keyframes"]
        self.pts: list[int] | None = head.get("pts")
        self.durations: list[int] | None = head.get("durations")

    def packets(self):
        with open(self.path, "rb") as handle:
            handle.seek(len(_MAGIC))
            for size in self.sizes:
                packet = handle.read(size)
                if len(packet) != size:
                    raise OSError(f"{self.path}: the piece was cut short while reading it")
                yield packet


class PieceCache:
    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root else default_root()

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.piece"

    def has(self, key: str) -> bool:
        """Whether the piece is cached; marks it used, so a render running at the same time
        does not trim it away before this one reads it."""
        path = self._path(key)
        try:
            os.utime(path)
        except FileNotFoundError:
            return False
        except OSError:  # another user's piece in a shared cache, a read-only copy: usable
            return path.is_file()
        return True

    def open(self, key: str) -> PieceReader | None:
        """The piece's headers, the whole piece checked; None if absent or damaged (a damaged
        piece is removed, so that it is made again). Its packets are read again as they are
        streamed (a long soundtrack is not held in memory)."""
        found = self._checked(key, keep=False)
        return PieceReader(found[0], found[1]) if found else None

    def _checked(self, key: str, keep: bool) -> tuple[Path, dict, bytes | None] | None:
        """(path, trailer, the packets' bytes if keep) of an intact piece, marked used; a
        damaged one is removed."""
        path = self._path(key)
        try:
            found = _checked(path, keep)
        except OSError:  # absent, or cannot be read now: not ours to remove
            return None
        if found is None:
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        with contextlib.suppress(OSError):  # another user's, or a read-only copy
            os.utime(path)  # recently used: pruning keeps it
        return path, *found

    def verify(self) -> tuple[int, list[Path]]:
        """Check every piece: (pieces checked, damaged pieces removed)."""
        checked, removed = 0, []
        for path in sorted(self.root.glob("*/*.piece")):
            checked += 1
            try:
                intact = _checked(path, keep=False) is not None
            except OSError:
                continue
            if not intact:
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed.append(path)
        return checked, removed

    def get(self, key: str) -> Encoded | None:
        """The whole piece, read once and checked as it is read; None if absent or damaged."""
        found = self._checked(key, keep=True)
        if found is None:
            return None
        _, head, payload = found
        assert payload is not None
        packets, at = [], 0
        for size in head["sizes"]:
            packets.append(payload[at : at + size])
            at += size
        extradata = bytes.fromhex(head["extradata"])
        keyframes, pts, durations = head["keyframes"], head.get("pts"), head.get("durations")
        return Encoded(extradata, packets, keyframes, pts, durations)

    def writer(self, key: str) -> PieceWriter:
        return PieceWriter(self._path(key))

    def put(self, key: str, encoded: Encoded) -> None:
        with self.writer(key) as writer:
            writer.extradata = encoded.extradata
            for index, packet in enumerate(encoded.packets):
                writer.add(
                    packet,
                    encoded.keyframes[index],
                    encoded.pts[index] if encoded.pts else None,
                    encoded.durations[index] if encoded.durations else None,
                )

    def put_blobs(self, key: str, meta: dict, blobs: list[bytes]) -> None:
        """Keep byte strings that are not video (a plate, a camera's world, a thumbnail),
        with a little JSON about them, in the same files as the pieces."""
        self.put(key, Encoded(json.dumps(meta).encode(), blobs, [True] * len(blobs)))

    def get_blobs(self, key: str) -> tuple[dict, list[bytes]] | None:
        """What put_blobs kept: (meta, blobs), or None if absent or damaged."""
        stored = self.get(key)
        if stored is None:
            return None
        try:
            return json.loads(stored.extradata or b"{}"), stored.packets
        except ValueError:
            return None

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
        self,
        older_than_days: float | None = 30,
        max_bytes: int | None = None,
        keep_used_since: float | None = None,
    ) -> tuple[int, int]:
        """Delete pieces unused for longer than older_than_days, then the least recently used
        until the cache is at most max_bytes, never one used since keep_used_since (a time).
        Returns (pieces removed, bytes freed)."""
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
            if not (old or big) or (keep_used_since is not None and mtime >= keep_used_since):
                continue
            try:
                path.unlink()
            except OSError:
                continue
            removed += 1
            freed += size
            total -= size
        for leftover in self.root.glob("*/.*.tmp"):  # writes that a killed render left behind
            try:
                writer = int(leftover.name.split(".")[1])
            except (IndexError, ValueError):
                writer = None  # an older name: by its age
            try:
                dead = writer is not None and writer != os.getpid() and not alive(writer)
                if dead or now - leftover.stat().st_mtime > 3600:
                    leftover.unlink(missing_ok=True)
            except OSError:  # renamed into place by a render running now
                pass
        return removed, freed


def _checked(path: Path, keep: bool) -> tuple[dict, bytes | None] | None:
    """A piece file's trailer (and with keep, its packets' bytes, read in the same pass) if
    the piece is whole and intact, else None; OSError if it cannot be read."""
    with open(path, "rb") as handle:
        magic = handle.read(len(_MAGIC))
        if magic not in (_MAGIC, _MAGIC_UNCHECKED):
            return None
        try:
            handle.seek(-4, os.SEEK_END)
            end = handle.tell()
            (size,) = struct.unpack("<I", handle.read(4))
            if not len(_MAGIC) <= end - size <= end:
                return None
            handle.seek(end - size)
            head = json.loads(handle.read(size))
            if len(_MAGIC) + sum(head["sizes"]) != end - size:
                return None
            bytes.fromhex(head["extradata"])
            if len(head["keyframes"]) != len(head["sizes"]):
                return None
        except (ValueError, KeyError, TypeError, struct.error, OSError):
            return None
        left = end - size - len(_MAGIC)
        handle.seek(len(_MAGIC))
        if magic == _MAGIC_UNCHECKED:  # the format before: its structure is all there is
            return head, handle.read(left) if keep else None
        packets, kept = hashlib.sha256(), []
        while left > 0:
            block = handle.read(min(left, 1 << 20))
            if not block:
                return None
            packets.update(block)
            if keep:
                kept.append(block)
            left -= len(block)
        stated = head.pop("sha256", None)
        if stated != _sealed(packets, head):
            return None
        return head, b"".join(kept) if keep else None


class DigestCache:
    """SHA-256 of media files, remembered by path, size, modification time and inode, so
    checking whether a long recording changed does not mean reading all of it again."""

    def __init__(self, root: Path):
        self.path = Path(root) / "digests.json"
        self.known: dict[str, list] = {}
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
            # The memo carries its own checksum: a damaged one is dropped, never believed.
            if isinstance(stored, dict) and stored.get("sha256") == sha256_json(
                stored.get("files")
            ):
                self.known = stored["files"]
        except (OSError, ValueError):
            pass
        self.changed = False

    def digest(self, file: Path, fresh: bool = False) -> str:
        """The file's SHA-256; from the memo while its size, time and inode stand, unless
        fresh."""
        stat = file.stat()
        stamp = [stat.st_size, stat.st_mtime_ns, stat.st_ino]
        key = str(file.resolve())
        entry = self.known.get(key)
        if entry and entry[:3] == stamp and not fresh:
            return entry[3]
        digest = sha256_file(file)
        self.known[key] = [*stamp, digest]
        self.changed = True
        return digest

    def save(self) -> None:
        if not self.changed:
            return
        try:  # only a memo: when it cannot be written, the digests are computed again next time
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".digests.", suffix=".tmp")
        except OSError:
            return
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump({"files": self.known, "sha256": sha256_json(self.known)}, out)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.changed = False
