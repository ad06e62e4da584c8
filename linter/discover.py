"""Paths -> the inputs to parse: Terraform module directories, plans, templates, Calico documents.

Every file is read through the scan's `Confinement`: a symlink out of the tree, to a device or a FIFO,
or dangling, is not read (a note says so for a name of ours); a file of ours that is too large or not
text is a CAL000, never skipped in silence.
"""
from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from linter.confine import OUTSIDE, Confinement, Refused, decode_text, undecodable_reason

SKIPPED_DIRS = frozenset({".terraform", ".git", "node_modules", "__pycache__", ".venv", ".tox"})
YAML_SUFFIXES = (".yaml", ".yml", ".template")
SNIFF_BYTES = 65_536  # how much of a file over the size limit is read to tell whether it is ours
_CFN_MARK = re.compile(r"AWSTemplateFormatVersion|[\"']?Type[\"']?\s*:\s*[\"']?AWS::")
_PLAN_MARK = re.compile(r"\"format_version\"")
_K8S_MARK = re.compile(r"^\s*[\"']?(apiVersion|kind)[\"']?\s*:", re.MULTILINE)
_HELM_VALUES_MARK = re.compile(r"^installation\s*:", re.MULTILINE)
OURS_MARK = re.compile(r"projectcalico\.org|operator\.tigera\.io")
# A walked file with another extension (`.golden`, kOps' `*_content`) is ours only when its head says so:
# a CloudFormation template's top-level key, or a Kubernetes document that mentions Calico.
_HEAD_BYTES = 8192
_HEAD_CFN = re.compile(r'^\s*(?:\{\s*)?["\']?AWSTemplateFormatVersion["\']?\s*:', re.MULTILINE)
_HEAD_K8S = re.compile(r"^apiVersion\s*:", re.MULTILINE)
NOT_CONFIG_SUFFIXES = frozenset(
    ".go .py .pyc .js .mjs .ts .tsx .jsx .java .kt .scala .rb .rs .c .h .cc .cpp .hpp .cs .php .pl .lua .swift .sh "
    ".bash .ps1 .bat .md .rst .txt .adoc .html .htm .css .scss .less .svg .png .jpg .jpeg .gif .ico .webp .bmp "
    ".pdf .zip .gz .tgz .bz2 .xz .tar .jar .war .whl .so .dylib .dll .exe .bin .o .a .class .lock .sum .mod "
    ".pem .crt .key .pub .woff .woff2 .ttf .otf .eot .mp3 .mp4 .mov .avi .wasm .ipynb .csv .tsv .xml .toml .ini "
    ".cfg .conf .properties .gradle .hcl .j2 .jinja .tpl .tmpl .gotmpl .proto .sql .graphql .dockerignore "
    ".gitignore .gitattributes .editorconfig .env .log".split())


@dataclass(frozen=True, slots=True)
class Inputs:
    terraform_dirs: tuple[str, ...] = ()
    plans: tuple[tuple[str, str], ...] = ()  # (path, text)
    templates: tuple[tuple[str, str], ...] = ()  # (path, text)
    calico: tuple[tuple[str, str], ...] = ()  # (path, text)
    unreadable: tuple[tuple[str, str], ...] = ()  # (path, why): a CAL000 each
    not_read: tuple[tuple[str, str], ...] = ()  # (path, why): symlinks and special files left alone, a note each


@dataclass
class _Collector:
    confinement: Confinement
    terraform_dirs: dict[str, None] = field(default_factory=dict)
    plans: dict[str, str] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)
    calico: dict[str, str] = field(default_factory=dict)
    unreadable: dict[str, str] = field(default_factory=dict)
    not_read: dict[str, str] = field(default_factory=dict)


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


def _looks_ours(path: str, text: str) -> bool:
    return classify_text(path, text) is not None or OURS_MARK.search(text) is not None


def discover(paths: Sequence[str], excludes: Sequence[str] = (), extra_calico: Sequence[str] = (),
             confinement: Confinement | None = None) -> Inputs:
    """Walk the paths. A file named explicitly is sniffed whatever its extension; a `.tf` file brings its module.

    Without `confinement`, reads are confined to the paths themselves (and their repository root).
    """
    found = _Collector(confinement or Confinement.around([*paths, *extra_calico]))
    for raw in paths:
        path = Path(raw).absolute()
        if path.is_dir():
            _walk(path, excludes, found)
        elif path.exists() or path.is_symlink():
            _add_file(path, found, explicit=True)
        else:
            found.unreadable[path.as_posix()] = "no such file or directory"
    for raw in extra_calico:
        path = Path(raw).absolute()
        if not found.confinement.holds(str(path)):
            found.unreadable[path.as_posix()] = f"{OUTSIDE} (a calico path)"
        elif path.is_dir():
            sub = _Collector(found.confinement)
            _walk(path, excludes, sub)
            found.calico.update(sub.calico)
            found.unreadable.update(sub.unreadable)
            found.not_read.update(sub.not_read)
        elif path.exists():
            text = _read(path, found, explicit=True)
            if text is not None:
                found.calico[path.as_posix()] = text
        else:
            found.unreadable[path.as_posix()] = "no such file or directory (--calico)"
    return Inputs(tuple(found.terraform_dirs), tuple(found.plans.items()), tuple(found.templates.items()),
                  tuple(found.calico.items()), tuple(found.unreadable.items()), tuple(found.not_read.items()))


def _excluded(path: Path, excludes: Iterable[str]) -> bool:
    text = path.as_posix()
    return any(fnmatch.fnmatch(text, g) or fnmatch.fnmatch(path.name, g) or fnmatch.fnmatch(text, f"*/{g}")
               for g in excludes)


def _walk(root: Path, excludes: Sequence[str], found: _Collector) -> None:
    # os.walk never descends into a symlinked directory (followlinks=False): no loops, no way out
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS and not _excluded(Path(directory, d), excludes))
        for name in sorted(filenames):
            path = Path(directory, name)
            if not _excluded(path, excludes):
                _add_file(path, found, explicit=False)


def _read(path: Path, found: _Collector, explicit: bool) -> str | None:
    """The text of a candidate file, or None: then it is recorded as unreadable / not read when it counts."""
    key = path.as_posix()
    data = found.confinement.read_bytes(key)
    if isinstance(data, Refused):
        if explicit:
            found.unreadable[key] = data.reason
        elif data.reason.startswith("larger than"):
            head = found.confinement.head(key, SNIFF_BYTES)
            if not isinstance(head, Refused) and _looks_ours(key, head.decode("utf-8", "replace")):
                found.unreadable[key] = f"not read: {data.reason}"
        else:  # a symlink out of the tree, dangling or looping, a FIFO or device under one of our names
            found.not_read[key] = f"not read: {data.reason}"
        return None
    text = decode_text(data)
    if text is None:
        if explicit or _looks_ours(key, data.decode("utf-8", "replace")):
            found.unreadable[key] = undecodable_reason(data)
        return None  # a file found by walking that is not text and not ours: not ours
    return text


def _head_is_ours(path: Path, suffix: str, found: _Collector) -> bool:
    """Sniff, do not parse: the first bytes of a file whose extension says nothing."""
    if suffix in NOT_CONFIG_SUFFIXES or path.name.startswith("."):
        return False
    head = found.confinement.head(path.as_posix(), _HEAD_BYTES)
    if isinstance(head, Refused) or b"\0" in head:
        return False
    text = head.decode("utf-8", "replace")
    return bool(_HEAD_CFN.search(text) or (_HEAD_K8S.search(text) and OURS_MARK.search(text)))


def _add_file(path: Path, found: _Collector, explicit: bool) -> None:
    suffix = path.suffix.lower()
    if suffix in (".tf", ".tfvars") or path.name.endswith(".tf.json"):
        if suffix == ".tf" or path.name.endswith(".tf.json") or explicit:
            found.terraform_dirs.setdefault(path.parent.as_posix(), None)
        return
    if not explicit and suffix not in (".json",) + YAML_SUFFIXES and not _head_is_ours(path, suffix, found):
        return
    text = _read(path, found, explicit)
    if text is None:
        return
    kind = classify_text(path.as_posix(), text)
    if kind == "plan":
        found.plans[path.as_posix()] = text
    elif kind == "cloudformation":
        found.templates[path.as_posix()] = text
    elif kind == "calico" or OURS_MARK.search(text):
        found.calico[path.as_posix()] = text

