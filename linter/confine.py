"""What a scan may read: regular files whose resolved path lies inside the scan roots (or the repository
root that holds them), at most `MAX_FILE_BYTES` of each, decoded as Terraform's and AWS's tools decode them.

Every read of an input goes through a `Confinement`: the files found by walking, and those a
configuration names (Terraform `file()`, `templatefile()`, modules, CloudFormation `TemplateURL`, ...).
A pull request cannot make the linter read `/proc/self/environ` or follow a committed symlink out of the
tree, and a refused read says why (`Refused`). The roots are data handed to the parsers, never global.
"""
from __future__ import annotations

import codecs
import errno
import hashlib
import os
import posixpath
import stat
from dataclasses import dataclass, field
from typing import Callable, Iterable

from linter.limits import MAX_FILE_BYTES

OUTSIDE = "outside the scanned tree"
NUL_IN_PATH = "not a path: it holds a NUL byte"


@dataclass(frozen=True, slots=True)
class Refused:
    """A read that did not happen, and why (`reason` reads after the path: "x: outside the scanned tree")."""

    path: str
    reason: str
    outside: bool = False  # the path resolves outside the roots (as opposed to missing, special, too big...)
    line: int = 1  # where the problem is (the first byte that is not UTF-8)


PATH_MAX = 4096  # Linux's: no longer path can be opened, and realpath() would lstat each of its parts first
TOO_LONG = f"not a path: longer than {PATH_MAX:,} characters"


def _unusable(path: str) -> str | None:
    """Why `path` cannot name a file at all (decided without a system call)."""
    if "\0" in path:
        return NUL_IN_PATH
    if len(path) > PATH_MAX:
        return TOO_LONG
    return None


def _posix(path: str) -> str:
    return path.replace(os.sep, "/")


def _resolved(path: str) -> str:
    return _posix(os.path.realpath(path))


def _repository_root(directory: str) -> str | None:
    """The nearest directory at or above `directory` holding `.git` (a directory, or a worktree's file)."""
    current = directory
    while True:
        if os.path.lexists(posixpath.join(current, ".git")):
            return current
        parent = posixpath.dirname(current)
        if parent == current:
            return None
        current = parent


class ReadLog:
    """What a scan saw through its Confinement: every check, read and listing, with a digest of its answer.
    Asking the same questions again later (`unchanged`) tells whether anything the scan depended on has
    changed: the run cache's test. Mutable, and owned by the one scan that fills it."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str, int], str] = {}  # (question, path, size) -> digest of the answer

    def note(self, question: str, path: str, size: int, answer: object) -> None:
        self.seen.setdefault((question, path, size), _digest_of(answer))

    @staticmethod
    def unchanged(roots: tuple[str, ...], seen: Iterable[tuple[str, str, int, str]]) -> bool:
        """Whether every (question, path, size, digest) still gets the same answer under `roots`."""
        asking = Confinement(roots)
        for question, path, size, answer in seen:
            if question not in _QUESTIONS or _digest_of(_QUESTIONS[question](asking, path, size)) != answer:
                return False
        return True


def _digest_of(answer: object) -> str:
    if isinstance(answer, bytes):
        return "bytes:" + hashlib.sha256(answer).hexdigest()
    return repr(answer)  # bools, None, Refused, listings: small values with a stable repr


@dataclass(frozen=True, slots=True)
class Confinement:
    """The directories a scan may read below (resolved, absolute, POSIX)."""

    roots: tuple[str, ...] = ()
    log: ReadLog | None = field(default=None, compare=False)  # a scan that records what it saw (run cache)

    @staticmethod
    def around(paths: Iterable[str], working_dir: str = "") -> "Confinement":
        """The roots for scanning `paths`: each directory (a file's own directory) and its repository root.

        A tree with no `.git` above it (an exported checkout) has the working directory as its repository
        root when that holds it, unless that is `/`.
        """
        roots: dict[str, None] = {}
        fallback = _resolved(working_dir) if working_dir else ""
        for raw in paths:
            path = os.path.abspath(raw)
            directory = _resolved(path if os.path.isdir(path) else os.path.dirname(path))
            roots.setdefault(directory, None)
            repository = _repository_root(directory)
            if repository is None and fallback not in ("", "/") and directory.startswith(fallback + "/"):
                repository = fallback
            if repository is not None:
                roots.setdefault(repository, None)
        return Confinement(tuple(roots))

    def widened(self, paths: Iterable[str]) -> "Confinement":
        """These roots and those `around(paths)` gives (paths named on the command line are trusted)."""
        extra = Confinement.around(paths).roots
        return Confinement(tuple(dict.fromkeys(self.roots + extra)), self.log)

    def recording(self, log: ReadLog) -> "Confinement":
        """The same roots, every answer noted in `log`."""
        return Confinement(self.roots, log)

    def holds(self, path: str) -> bool:
        """Whether `path`, symlinks resolved, is inside one of the roots."""
        resolved = "\0" if _unusable(path) else _resolved(os.path.abspath(path))
        held = "\0" not in resolved and any(root == "/" or resolved == root or resolved.startswith(root + "/") for root in self.roots)
        if self.log is not None:
            self.log.note("holds", path, 0, held)
        return held

    def kind(self, path: str) -> str:
        """What `path` is, symlinks followed: "directory", "file" (regular), "other" or "" (nothing)."""
        try:
            mode = os.stat(path).st_mode
        except (OSError, ValueError):  # ValueError: a NUL byte in the path
            found = ""
        else:
            found = "directory" if stat.S_ISDIR(mode) else "file" if stat.S_ISREG(mode) else "other"
        if self.log is not None:
            self.log.note("kind", path, 0, found)
        return found

    def listing(self, path: str) -> tuple[tuple[str, str], ...] | None:
        """The (name, kind) of each entry of a directory inside the roots, sorted by name; None when it
        may not or cannot be listed."""
        found: tuple[tuple[str, str], ...] | None = None
        if self.directory(path) is None:
            try:
                found = tuple(sorted((entry.name, _entry_kind(entry)) for entry in os.scandir(path)))
            except OSError:
                found = None
        if self.log is not None:
            self.log.note("listing", path, 0, found)
        return found

    def refusal(self, path: str) -> Refused | None:
        """None when `path` may be read: an existing regular file inside the roots; else why not."""
        refused = self._refusal(path)
        if self.log is not None:
            self.log.note("refusal", path, 0, refused)
        return refused

    def _refusal(self, path: str) -> Refused | None:
        unusable = _unusable(path)
        if unusable is not None:
            return Refused(path, unusable)
        if not self.holds(path):
            return Refused(path, OUTSIDE, outside=True)
        try:
            mode = os.stat(path).st_mode
        except OSError as error:
            return Refused(path, _why_missing(path, error))
        if not stat.S_ISREG(mode):
            return Refused(path, f"not a regular file ({_kind(mode)})")
        return None

    def directory(self, path: str) -> Refused | None:
        """None when `path` is a directory inside the roots that may be listed; else why not."""
        refused: Refused | None = None
        if not self.holds(path):
            refused = Refused(path, OUTSIDE, outside=True)
        elif not os.path.isdir(path):
            refused = Refused(path, "not a directory")
        if self.log is not None:
            self.log.note("directory", path, 0, refused)
        return refused

    def read_bytes(self, path: str, limit: int = MAX_FILE_BYTES) -> bytes | Refused:
        data = self._read_bytes(path, limit)
        if self.log is not None:
            self.log.note("read", path, limit, data)
        return data

    def _read_bytes(self, path: str, limit: int) -> bytes | Refused:
        refused = self._refusal(path)
        if refused is not None:
            return refused
        try:
            with open(_resolved(path), "rb") as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # replaced since the check
                    return Refused(path, "not a regular file")
                data = handle.read(limit + 1)
        except OSError as error:
            return Refused(path, f"cannot read: {error.strerror or error}")
        if len(data) > limit:
            return Refused(path, f"larger than calico-lint's limit of {limit:,} bytes per file")
        return data

    def head(self, path: str, size: int) -> bytes | Refused:
        """The first `size` bytes (to tell whether a file over the limit is one of ours)."""
        data = self._head(path, size)
        if self.log is not None:
            self.log.note("head", path, size, data)
        return data

    def _head(self, path: str, size: int) -> bytes | Refused:
        refused = self._refusal(path)
        if refused is not None:
            return refused
        try:
            with open(_resolved(path), "rb") as handle:
                return handle.read(size)
        except OSError as error:
            return Refused(path, f"cannot read: {error.strerror or error}")

    def read_text(self, path: str, limit: int = MAX_FILE_BYTES) -> str | Refused:
        data = self.read_bytes(path, limit)
        if isinstance(data, Refused):
            return data
        text = decode_text(data)
        if text is None:
            return Refused(path, undecodable_reason(data), line=undecodable_line(data))
        return text


_QUESTIONS: dict[str, Callable[[Confinement, str, int], object]] = {
    "holds": lambda confinement, path, _size: confinement.holds(path),
    "kind": lambda confinement, path, _size: confinement.kind(path),
    "listing": lambda confinement, path, _size: confinement.listing(path),
    "refusal": lambda confinement, path, _size: confinement.refusal(path),
    "directory": lambda confinement, path, _size: confinement.directory(path),
    "read": lambda confinement, path, size: confinement.read_bytes(path, size),
    "head": lambda confinement, path, size: confinement.head(path, size),
}


def _entry_kind(entry: os.DirEntry[str]) -> str:
    try:
        return "directory" if entry.is_dir() else "file" if entry.is_file() else "other"
    except OSError:
        return "other"


def _why_missing(path: str, error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "a symbolic link loop"
    if os.path.islink(path) and error.errno == errno.ENOENT:
        return "a dangling symbolic link"
    return error.strerror or str(error)


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "a special file"


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))  # UTF-32 LE starts like UTF-16 LE


def decode_text(data: bytes) -> str | None:
    """UTF-8, or the encoding its byte-order mark names (PowerShell's `>` writes UTF-16); None if neither."""
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), "utf-8")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def undecodable_reason(data: bytes) -> str:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"not UTF-8 text (byte {error.start + 1}: {error.reason}; UTF-16 needs its byte-order mark)"
    return "not text in the encoding its byte-order mark names"


def undecodable_line(data: bytes) -> int:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return data.count(b"\n", 0, error.start) + 1
    return 1
