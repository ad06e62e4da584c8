"""The persistent content cache: what a pure stage made of a file, kept by the hash of everything it depends on.

One entry per key, `<directory>/v1/<kind>/<key[:2]>/<key>`: a header line (JSON: format, kind, key, the
payload's length and sha256), then the payload, JSON text. Nothing in it runs code on load (no pickle): an
entry from a shared CI cache is data, checked for integrity; an entry that fails any check (truncated, edited,
another format) is a miss, and the caller's fresh result replaces it. Entries are written atomically (a
temporary file renamed over the entry) and the directory is kept under `limit` bytes by evicting the entries
used longest ago (a hit refreshes an entry's time). A cache that cannot be read or written is no cache: the run
goes on without it. The directory is data handed down by the CLI; nothing here reads the environment.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass

FORMAT = "calico-lint-cache/1"
DEFAULT_LIMIT = 256 * 2**20  # bytes: a 10,000-resource repository takes about 10 MiB
_HEADER_MAX = 4096
_OURS = re.compile(r"[0-9a-f]{64}|\.tmp-\w+")  # the names of entries, and of entries being written


@dataclass(frozen=True, slots=True)
class ContentCache:
    directory: str  # absolute
    version: str = ""  # calico-lint's: part of every key, so that another release never reads an entry
    limit: int = DEFAULT_LIMIT  # bytes of entries kept (the oldest beyond it are evicted by `trim`)

    def _path(self, kind: str, key: str) -> str:
        return os.path.join(self.directory, "v1", kind, key[:2], key)

    def get(self, kind: str, key: str) -> str | None:
        """The payload stored under (kind, key), or None: missing, unreadable or failing a check."""
        path = self._path(kind, key)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        payload = _checked_payload(data, kind, key)
        if payload is not None:
            try:
                os.utime(path)  # used now: the last to be evicted
            except OSError:
                pass
        return payload

    def put(self, kind: str, key: str, payload: str) -> None:
        """Store `payload` under (kind, key), replacing what was there, atomically; errors are ignored."""
        body = payload.encode("utf-8")
        header = json.dumps({"format": FORMAT, "kind": kind, "key": key, "length": len(body),
                             "sha256": hashlib.sha256(body).hexdigest()}, separators=(",", ":"))
        path = self._path(kind, key)
        temporary = None
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(path))
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(header.encode("utf-8") + b"\n" + body)
            os.replace(temporary, path)
            temporary = None
        except OSError:
            pass
        finally:
            if temporary is not None:
                try:
                    os.unlink(temporary)
                except OSError:
                    pass

    def trim(self) -> int:
        """Evict the entries used longest ago until the entries take at most `limit` bytes; how many went."""
        entries: list[tuple[float, int, str]] = []
        for folder, _dirs, names in os.walk(os.path.join(self.directory, "v1")):
            for name in names:
                if not _OURS.fullmatch(name):
                    continue  # a file we did not write (a cache_dir pointed at a used directory): left alone
                path = os.path.join(folder, name)
                try:
                    status = os.stat(path)
                except OSError:
                    continue
                entries.append((status.st_mtime, status.st_size, path))
        total = sum(size for _time, size, _path in entries)
        evicted = 0
        for _time, size, path in sorted(entries):
            if total <= self.limit:
                break
            try:
                os.unlink(path)
            except OSError:
                continue
            total -= size
            evicted += 1
        return evicted


def _checked_payload(data: bytes, kind: str, key: str) -> str | None:
    """The payload of an entry's bytes when the header is ours and names this entry, and the payload is whole."""
    newline = data.find(b"\n", 0, _HEADER_MAX)
    if newline < 0:
        return None
    try:
        header = json.loads(data[:newline])
    except ValueError:
        return None
    body = data[newline + 1:]
    if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("kind") != kind \
            or header.get("key") != key or header.get("length") != len(body) \
            or header.get("sha256") != hashlib.sha256(body).hexdigest():
        return None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def digest(*parts: str | bytes) -> str:
    """The sha256 of parts (each length-prefixed: ("ab", "c") and ("a", "bc") differ), as hex."""
    hashed = hashlib.sha256()
    for part in parts:
        raw = part.encode("utf-8") if isinstance(part, str) else part
        hashed.update(len(raw).to_bytes(8, "big") + raw)
    return hashed.hexdigest()
