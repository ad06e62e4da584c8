"""The run cache: a scan's report kept with everything the scan saw, so that a scan of an unchanged tree reads
its report instead of computing it.

The key holds what the scan was asked (paths, configuration, root, date, baseline, the rule files' digest) and
what it is made of (calico-lint's files and version, the installed distributions, Python's version), and the
entry holds every answer the scan's Confinement gave (each file's bytes by sha256, each listing, each check:
linter.confine.ReadLog). An entry is used only when every one of those questions still gets the same answer;
anything else (an edited, added or removed file anywhere the scan looked) is a miss, and the fresh report
replaces the entry. Reports are stored with linter.codec (plain JSON, no pickle) in the content cache.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Iterable

import linter.model as model
from linter.cache import ContentCache, digest
from linter.codec import CodecError, canonical, decoder, encode, types_of
from linter.confine import ReadLog
from linter.model import Report

KIND = "run-report"
_decode = decoder(types_of(model))


def run_key(cache: ContentCache, asked: Iterable[Any]) -> str:
    """The key of a scan asked `asked` (frozen values: the request, the inputs found, ...)."""
    return digest(cache.version, _code_digest(), _environment(), *(canonical(part) for part in asked))


def cached_report(cache: ContentCache, key: str) -> Report | None:
    """The report stored under `key` when everything its scan saw is unchanged, else None."""
    payload = cache.get(KIND, key)
    if payload is None:
        return None
    try:
        entry = json.loads(payload)
        roots, seen = tuple(entry["roots"]), [tuple(item) for item in entry["seen"]]
        if not all(isinstance(root, str) for root in roots) or not all(len(item) == 4 for item in seen):
            return None
        if not ReadLog.unchanged(roots, seen):  # type: ignore[arg-type]
            return None
        report = _decode(entry["report"])
    except (ValueError, KeyError, TypeError, CodecError, RecursionError):
        return None
    return report if isinstance(report, Report) else None


def store_report(cache: ContentCache, key: str, roots: tuple[str, ...], log: ReadLog, report: Report) -> None:
    seen = [[question, path, size, answer] for (question, path, size), answer in log.seen.items()]
    try:
        payload = json.dumps({"roots": list(roots), "seen": seen, "report": encode(report)}, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        return  # a report the codec cannot hold is not kept
    cache.put(KIND, key, payload)


def _code_digest() -> str:
    """calico-lint's own files (code, rule schema, Calico schemas, grammar tables), by content."""
    package = Path(__file__).resolve().parent
    files = sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                   and p.suffix in (".py", ".json", ".gz", ".yaml"))
    return digest(*(part for path in files for part in (path.relative_to(package).as_posix(), path.read_bytes())))


def _environment() -> str:
    """Python's version and every installed distribution's name and version (their metadata directories):
    an upgraded parser library is another environment."""
    names: list[str] = [sys.version]
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as listing:
                names.extend(item.name for item in listing if item.name.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
    return digest(*sorted(names))
