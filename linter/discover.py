"""Paths -> the inputs to parse: Terraform module directories, plans, templates, Calico documents."""
from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

SKIPPED_DIRS = frozenset({".terraform", ".git", "node_modules", "__pycache__", ".venv", ".tox"})
YAML_SUFFIXES = (".yaml", ".yml", ".template")
_CFN_MARK = re.compile(r"AWSTemplateFormatVersion|[\"']?Type[\"']?\s*:\s*[\"']?AWS::")
_PLAN_MARK = re.compile(r"\"format_version\"")
_K8S_MARK = re.compile(r"^\s*[\"']?(apiVersion|kind)[\"']?\s*:", re.MULTILINE)
_HELM_VALUES_MARK = re.compile(r"^installation\s*:", re.MULTILINE)
OURS_MARK = re.compile(r"projectcalico\.org|operator\.tigera\.io")


@dataclass(frozen=True, slots=True)
class Inputs:
    terraform_dirs: tuple[str, ...] = ()
    plans: tuple[str, ...] = ()
    templates: tuple[tuple[str, str], ...] = ()  # (path, text)
    calico: tuple[tuple[str, str], ...] = ()  # (path, text)
    unreadable: tuple[tuple[str, str], ...] = ()  # (path, why)


@dataclass
class _Collector:
    terraform_dirs: dict[str, None] = field(default_factory=dict)
    plans: dict[str, None] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)
    calico: dict[str, str] = field(default_factory=dict)
    unreadable: dict[str, str] = field(default_factory=dict)


def classify_text(path: str, text: str) -> str | None:
    """'plan', 'cloudformation', 'calico' or None, by content (DESIGN §5)."""
    if path.endswith(".json") and _PLAN_MARK.search(text[:4096]) and "planned_values" in text:
        return "plan"
    if _CFN_MARK.search(text):
        return "cloudformation"
    if _K8S_MARK.search(text) or _HELM_VALUES_MARK.search(text):
        return "calico"
    return None


def repository_root(start: Path) -> Path | None:
    """The top level of the git work tree holding `start` (a `.git` directory, or file in a worktree)."""
    directory = start if start.is_dir() else start.parent
    for folder in (directory, *directory.parents):
        if (folder / ".git").exists():
            return folder
    return None


def output_root(paths: Sequence[str], cwd: Path) -> Path:
    """What output paths are relative to: the repository holding the cwd, else the one holding the
    scanned paths, else the cwd itself."""
    scanned = [Path(os.path.normpath(p)) for p in paths]
    candidates = [root for root in (repository_root(cwd), *(repository_root(p) for p in scanned[:1])) if root]
    holding_all = [root for root in candidates if all(p == root or root in p.parents for p in scanned)]
    return (holding_all or candidates or [cwd])[0]


def discover(paths: Sequence[str], excludes: Sequence[str] = (), extra_calico: Sequence[str] = ()) -> Inputs:
    """Walk the paths. A file named explicitly is sniffed whatever its extension; a `.tf` file brings its module."""
    found = _Collector()
    for raw in paths:
        path = Path(raw).absolute()
        if path.is_dir():
            _walk(path, excludes, found)
        elif path.exists():
            _add_file(path, found, explicit=True)
        else:
            found.unreadable[path.as_posix()] = "no such file or directory"
    for raw in extra_calico:
        path = Path(raw).absolute()
        if path.is_dir():
            sub = _Collector()
            _walk(path, excludes, sub)
            found.calico.update(sub.calico)
        elif path.exists():
            text, why = _read(path)
            if text is not None:
                found.calico[path.as_posix()] = text
            else:
                found.unreadable[path.as_posix()] = why
        else:
            found.unreadable[path.as_posix()] = "no such file or directory (--calico)"
    return Inputs(tuple(found.terraform_dirs), tuple(found.plans), tuple(found.templates.items()),
                  tuple(found.calico.items()), tuple(found.unreadable.items()))


def _excluded(path: Path, excludes: Iterable[str]) -> bool:
    text = path.as_posix()
    return any(fnmatch.fnmatch(text, g) or fnmatch.fnmatch(path.name, g) or fnmatch.fnmatch(text, f"*/{g}")
               for g in excludes)


def _walk(root: Path, excludes: Sequence[str], found: _Collector) -> None:
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS and not _excluded(Path(directory, d), excludes))
        for name in sorted(filenames):
            path = Path(directory, name)
            if not _excluded(path, excludes):
                _add_file(path, found, explicit=False)


def _read(path: Path) -> tuple[str | None, str]:
    """(text, "") or (None, why it cannot be read)."""
    try:
        return path.read_text(encoding="utf-8"), ""
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    except OSError as error:
        return None, error.strerror or str(error)


def _add_file(path: Path, found: _Collector, explicit: bool) -> None:
    suffix = path.suffix.lower()
    if suffix in (".tf", ".tfvars") or path.name.endswith(".tf.json"):
        if suffix == ".tf" or path.name.endswith(".tf.json") or explicit:
            found.terraform_dirs.setdefault(path.parent.as_posix(), None)
        return
    if not explicit and suffix not in (".json",) + YAML_SUFFIXES:
        return
    if not explicit and path.stat().st_size >= 8_000_000:
        return
    text, why = _read(path)
    if text is None:
        if explicit:  # a file found by walking may not be ours: ignored silently
            found.unreadable[path.as_posix()] = why
        return
    kind = classify_text(path.as_posix(), text)
    if kind == "plan":
        found.plans.setdefault(path.as_posix(), None)
    elif kind == "cloudformation":
        found.templates[path.as_posix()] = text
    elif kind == "calico" or OURS_MARK.search(text):
        found.calico[path.as_posix()] = text
