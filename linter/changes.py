"""Changed files (the pre-commit hook) -> what CI would lint for them (DESIGN §6, "the hook and CI agree").

The repository is surveyed as CI sees it, cheaply: files are found and sniffed as discovery does,
nothing is parsed; Terraform module calls and nested stacks are read off the text. A changed file
belongs to deployments (a `.tf` file to its root module, or to the roots that call its module; a
template to itself or the templates that nest it; a Calico document to the deployments it applies
to); those deployments and every deployment that shares Calico configuration with them form the
clusters to lint, with every Calico document CI would apply to them.
"""
from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from linter.config import ClusterSpec
from linter.discover import Inputs, discover
from linter.model import CalicoScope, Placement
from linter.placement import Deployment, deployment_of, place

_MODULE_SOURCE = re.compile(r"""\bsource\s*=\s*"(\.{1,2}/[^"]*)\"""")
_TEMPLATE_URL = re.compile(r"""TemplateURL["']?\s*:\s*["']?([^"'\s,}]+)""")


@dataclass(frozen=True, slots=True)
class Survey:
    """The repository's deployments and Calico files, as CI would find them."""

    deployments: tuple[Deployment, ...]
    calico_files: tuple[str, ...]
    callers: Mapping[str, frozenset[str]]  # Terraform module directory -> the root modules that call it
    nests: Mapping[str, frozenset[str]]  # nested template -> the top-level templates that read it
    entry: Mapping[str, str]  # deployment -> the file that brings it into a scan (a root's first .tf file)


@dataclass(frozen=True, slots=True)
class ChangedScan:
    paths: tuple[str, ...]  # what to scan: one file per deployment, and the Calico files
    placement: Placement  # where Calico configuration applies, as CI decides it


def survey(root: str, excludes: Sequence[str] = ()) -> Survey:
    found = discover([root], excludes)
    callers, entry = _terraform(found.terraform_dirs)
    nests = _nested_templates(found)
    deployments = [deployment_of(d, True) for d in found.terraform_dirs if d not in callers]
    deployments += [deployment_of(p, False) for p, _ in found.plans]
    deployments += [deployment_of(p, False) for p, _ in found.templates if p not in nests]
    entry.update({p: p for p, _ in (*found.plans, *found.templates)})
    return Survey(tuple(deployments), tuple(p for p, _ in found.calico), callers, nests, entry)


def _terraform(directories: Sequence[str]) -> tuple[dict[str, frozenset[str]], dict[str, str]]:
    """Which directories are called as local modules, by which roots; each directory's first .tf file."""
    calls: dict[str, set[str]] = {}
    entry: dict[str, str] = {}
    wanted = set(directories)
    for directory in directories:
        files = sorted(n for n in os.listdir(directory) if n.endswith((".tf", ".tf.json")))
        if files:
            entry[directory] = posixpath.join(directory, files[0])
        for name in files:
            text = Path(directory, name).read_text(encoding="utf-8", errors="replace")
            for source in _MODULE_SOURCE.findall(text):
                target = posixpath.normpath(posixpath.join(directory, source))
                if target in wanted and target != directory:
                    calls.setdefault(directory, set()).add(target)
    called = {t for targets in calls.values() for t in targets}
    roots = [d for d in directories if d not in called]
    callers: dict[str, set[str]] = {}
    for root in roots:
        stack, seen = [root], {root}
        while stack:
            for target in calls.get(stack.pop(), ()):
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
                    callers.setdefault(target, set()).add(root)
    return {d: frozenset(r) for d, r in callers.items()}, entry


def _nested_templates(found: Inputs) -> dict[str, frozenset[str]]:
    """Templates that another template names as a local nested stack."""
    templates = {p for p, _ in found.templates}
    nests: dict[str, set[str]] = {}
    for path, text in found.templates:
        for url in _TEMPLATE_URL.findall(text):
            if "://" in url and not url.startswith("file://"):
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), url.removeprefix("file://")))
            if target in templates and target != path:
                nests.setdefault(target, set()).add(path)
    return {t: frozenset(p) for t, p in nests.items()}


def changed_scan(files: Sequence[str], surveyed: Survey, root: str, everywhere: Sequence[str],
                 clusters: Sequence[ClusterSpec] = ()) -> ChangedScan:
    """The deployments the changed files belong to, those that share Calico configuration with them, and
    the Calico files CI applies to them."""
    placement = place(surveyed.deployments, surveyed.calico_files, everywhere, root, clusters)
    scopes = dict(placement.files)
    keys = {d.key for d in surveyed.deployments}
    chosen: set[str] = set()
    calico: set[str] = set()
    unplaced: list[str] = []  # changed files of no deployment the survey knows: scanned as they are
    for path in (posixpath.normpath(f) for f in files):
        if path in scopes:
            calico.add(path)
            chosen |= _applies_to(scopes[path], keys)
            if scopes[path].deployments == frozenset():  # applies to none: judged with its unit
                calico |= {f for f, s in scopes.items() if s.deployments == frozenset() and s.unit == scopes[path].unit}
            continue
        owners = _deployments_of(path, surveyed, keys)
        chosen |= owners
        if not owners:
            unplaced.append(path)
    chosen |= _sharing(chosen, scopes, clusters, surveyed)
    calico |= {f for f, s in scopes.items() if s.deployments is None or s.deployments & chosen}
    paths = [surveyed.entry.get(d, d) for d in sorted(chosen)] + sorted(calico) + unplaced
    return ChangedScan(tuple(dict.fromkeys(paths)), placement)


def _applies_to(scope: CalicoScope, keys: set[str]) -> set[str]:
    return set(keys) if scope.deployments is None else set(scope.deployments)


def _deployments_of(path: str, surveyed: Survey, keys: set[str]) -> set[str]:
    if path in keys:
        return {path}
    if path in surveyed.nests:
        return set(surveyed.nests[path])
    if path.endswith((".tf", ".tf.json", ".tfvars")):
        directory = posixpath.dirname(path)
        if directory in keys:
            return {directory}
        return set(surveyed.callers.get(directory, ()))
    return set()


def _sharing(chosen: set[str], scopes: Mapping[str, CalicoScope], clusters: Sequence[ClusterSpec],
             surveyed: Survey) -> set[str]:
    """Deployments that share a Calico document (or a `clusters:` entry) with the chosen ones: one cluster."""
    groups = [s.deployments for s in scopes.values() if s.deployments]
    for spec in clusters:
        groups.append(frozenset(d.key for d in surveyed.deployments
                                if any(d.key == p or d.key.startswith(p.rstrip("/") + "/") for p in spec.deployments)))
    grown = set(chosen)
    changed = True
    while changed:
        changed = False
        for group in groups:
            if group & grown and not group <= grown:
                grown |= group
                changed = True
    return grown
