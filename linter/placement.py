"""Where Calico configuration applies (DESIGN §6), decided from paths alone: no file is read here.

A Calico document applies to the deployments under its nearest ancestor directory that holds any
deployment (all of them when it holds several). When that directory is the repository root and holds
several deployments, the document is ambiguous: it applies to none. With one deployment in the scan,
everything applies to it. `--calico`/`calico.paths` (and what the configuration file states) apply
everywhere; `clusters:` decides what proximity cannot.
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from linter.config import ClusterSpec
from linter.model import CalicoScope, Placement, display_path, inside_root


@dataclass(frozen=True, slots=True)
class Deployment:
    key: str  # the model's deployment: a root module directory, a plan or a template file
    home: str  # the directory that holds it


def deployment_of(key: str, is_directory: bool) -> Deployment:
    return Deployment(key, key if is_directory else posixpath.dirname(key))


def _under(path: str, directory: str) -> bool:
    return path == directory or inside_root(path, directory)


def place(deployments: Sequence[Deployment], calico_files: Iterable[str], everywhere: Sequence[str],
          root: str, clusters: Sequence[ClusterSpec] = ()) -> Placement:
    """The scope of every Calico file, and the names of deployments and clusters."""
    homes = {d.key: d.home for d in deployments}
    named = _cluster_members(deployments, clusters)
    files: dict[str, CalicoScope] = {}
    for path in sorted(set(calico_files)):
        files[path] = _scope(path, homes, everywhere, root, clusters, named)
    names = {d.key: display_path(d.key, root) for d in deployments}
    cluster_names = {key: spec.name for spec in clusters for key in named.get(spec.name, ())}
    return Placement(tuple(files.items()), tuple(sorted(names.items())), tuple(sorted(cluster_names.items())))


def _cluster_members(deployments: Sequence[Deployment], clusters: Sequence[ClusterSpec]) -> dict[str, frozenset[str]]:
    """`clusters:` entry name -> the deployments its paths name (a directory names what is under it)."""
    members: dict[str, frozenset[str]] = {}
    for spec in clusters:
        members[spec.name] = frozenset(d.key for d in deployments
                                       if any(_under(d.key, p) or _under(d.home, p) for p in spec.deployments))
    return members


def _scope(path: str, homes: Mapping[str, str], everywhere: Sequence[str], root: str,
           clusters: Sequence[ClusterSpec], named: Mapping[str, frozenset[str]]) -> CalicoScope:
    if any(_under(path, p) for p in everywhere):
        return CalicoScope(None, why="given with --calico or calico.paths: applies everywhere")
    for spec in clusters:
        if any(_under(path, p) for p in spec.calico):
            return CalicoScope(named[spec.name], why=f"clusters: {spec.name}")
    if len(homes) <= 1:
        return CalicoScope(None, why="the only deployment of the scan")
    directory = posixpath.dirname(path)
    while True:
        holders = frozenset(key for key, home in homes.items() if _under(home, directory))
        if holders:
            if _under(root, directory) and len(holders) > 1:
                return CalicoScope(frozenset(), unit=_unit(path, root),
                                   why="above several deployments at the repository root: applies to none")
            return CalicoScope(holders, why=f"the nearest directory with a deployment: {display_path(directory, root)}")
        parent = posixpath.dirname(directory)
        if parent == directory:
            return CalicoScope(frozenset(), unit=_unit(path, root), why="no deployment above it")
        directory = parent


def _unit(path: str, root: str) -> str:
    """Documents that apply to no deployment are judged with the others of their top-level directory."""
    relative = display_path(path, root)
    return relative.split("/", 1)[0] if "/" in relative else ""
