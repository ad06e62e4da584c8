"""Clusters (DESIGN §6): the node groups of one deployment that can talk, and the part of the model each sees.

A cluster is the nodes of one deployment in one VPC, or in VPCs that a peering connection or a transit
gateway of the same deployment joins. A node group whose VPC cannot be known is judged with every
cluster of its deployment. Each cluster is judged on its own part of the model: its VPCs' subnets,
security groups and rules (plus those of the deployment whose VPC cannot be known), its nodes, and the
Calico configuration that applies to its deployment. Calico configuration that applies to no cluster is
still judged by the pool rules, with the configuration it was found with.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from linter.engine.facts import Facts, NodeSelection
from linter.model import (
    CALICO_FIELDS, RUN_FIELDS, CalicoScope, Model, NodeGroup, Peering, Placement, TransitAttachment, Unknown,
)

EVERYWHERE = CalicoScope()
_TOPOLOGY_SPECIAL = frozenset({"node_groups"})


@dataclass(frozen=True, slots=True)
class Cluster:
    name: str
    deployment: str
    vpcs: tuple[str, ...]  # the VPCs that can talk (empty: none is known)
    nodes: tuple[NodeGroup, ...]  # its node groups, with those of the deployment whose VPC is unknown


@dataclass(frozen=True, slots=True)
class Context:
    """One part of the model judged on its own: a cluster, or Calico configuration that applies to none."""

    name: str
    model: Model
    cluster: Cluster | None = None
    ambiguous: bool = False  # Calico configuration above several deployments: it applies to none


@dataclass(frozen=True, slots=True)
class Plan:
    facts: Facts  # over the whole model: node selection, lookups
    clusters: tuple[Cluster, ...]
    contexts: tuple[Context, ...]
    ambiguous_files: tuple[str, ...] = ()  # Calico files that apply to no deployment


class _Groups:
    """Union-find over VPC keys."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def join(self, a: str, b: str) -> None:
        first, second = self.find(a), self.find(b)
        if first != second:
            self.parent[max(first, second)] = min(first, second)


class Scopes:
    """Where each Calico element applies: its own deployment when one embeds it, else where its file sits."""

    def __init__(self, placement: Placement) -> None:
        self.files = dict(placement.files)

    def of(self, element: Any) -> CalicoScope:
        deployment = getattr(element, "deployment", "")
        if deployment:
            return CalicoScope(frozenset({deployment}), why="embedded in the deployment")
        return self.files.get(element.where.file, EVERYWHERE)


def _applies(scope: CalicoScope, deployment: str) -> bool:
    return scope.deployments is None or deployment in scope.deployments


def _calico_elements(model: Model) -> Iterator[tuple[str, Any]]:
    """Every Calico element, with the field that holds it (the fields without a deployment are Calico too)."""
    for name in model.__dataclass_fields__:
        if name in RUN_FIELDS or name in _TOPOLOGY_SPECIAL:
            continue
        values = getattr(model, name)
        # a field holds one kind of element: its first says whether it has a deployment (once per field,
        # not per element: this runs once per cluster)
        if values and (name in CALICO_FIELDS or not hasattr(values[0], "deployment")):
            for element in values:
                yield name, element


def _is_topology(name: str, model: Model) -> bool:
    if name in RUN_FIELDS or name in CALICO_FIELDS or name in _TOPOLOGY_SPECIAL:
        return False
    values = getattr(model, name)
    return bool(values) and hasattr(values[0], "deployment")


def calico_deployments(model: Model, scopes: Scopes) -> frozenset[str]:
    """The deployments that Calico configuration applies to: evidence that their compute resources are nodes.
    Configuration that applies everywhere counts only when the scan holds one deployment."""
    deployments = {n.deployment for n in model.node_groups}
    found: set[str] = set()
    for _name, element in _calico_elements(model):
        scope = scopes.of(element)
        if scope.deployments is None:
            if len(deployments) == 1:
                found |= deployments
        else:
            found |= scope.deployments
    return frozenset(found)


def plan(model: Model, placement: Placement = Placement(), selection: NodeSelection = NodeSelection()) -> Plan:
    scopes = Scopes(placement)
    facts = Facts(model, selection, calico_deployments(model, scopes))
    clusters = _clusters(facts, placement)
    topology = _Topology(model)
    contexts = [Context(c.name, _cluster_model(model, c, topology, scopes), c) for c in clusters]
    unjudged, ambiguous = _unjudged_calico(model, scopes, clusters)
    for key, (scope, elements) in unjudged.items():
        contexts.append(_calico_context(key, scope, elements, model, topology, scopes, placement))
    return Plan(facts, tuple(clusters), tuple(contexts), tuple(sorted(ambiguous)))


# ------------------------------------------------------------------------------------------ clusters


def _clusters(facts: Facts, placement: Placement) -> list[Cluster]:
    model = facts.model
    joined: dict[str, _Groups] = {}
    links: tuple[Peering | TransitAttachment, ...] = (*model.peerings, *model.transit_attachments)
    for link in links:
        groups = joined.setdefault(link.deployment, _Groups())
        if isinstance(link, Peering):
            ends = (link.vpc, link.peer_vpc)
        else:
            ends = (link.vpc, f"gateway:{link.gateway}")
        first, second = ends
        if isinstance(first, str) and isinstance(second, str) and not isinstance(getattr(link, "gateway", ""), Unknown):
            groups.join(first, second)
    placed: dict[str, dict[str, list[NodeGroup]]] = {}
    floating: dict[str, list[NodeGroup]] = {}
    for node in facts.nodes:
        vpc = facts.node_vpc(node)
        if vpc is None:
            floating.setdefault(node.deployment, []).append(node)
        else:
            root = joined.setdefault(node.deployment, _Groups()).find(vpc)
            placed.setdefault(node.deployment, {}).setdefault(root, []).append(node)
    names = dict(placement.deployment_names)
    given = dict(placement.cluster_names)
    clusters: list[Cluster] = []
    for deployment in sorted(set(placed) | set(floating), key=lambda d: names.get(d, d)):
        base = given.get(deployment) or names.get(deployment) or deployment
        components = placed.get(deployment, {})
        unplaced = tuple(floating.get(deployment, ()))
        groups = joined.get(deployment, _Groups())
        members: dict[str, list[str]] = {}
        for vpc in groups.parent:
            if not vpc.startswith("gateway:"):
                members.setdefault(groups.find(vpc), []).append(vpc)
        if not components:
            clusters.append(Cluster(base, deployment, (), unplaced))
            continue
        for root in sorted(components):
            vpcs = tuple(sorted(members.get(root, [root])))
            name = base if len(components) == 1 else f"{base} ({' + '.join(vpcs)})"
            clusters.append(Cluster(name, deployment, vpcs, tuple(components[root]) + unplaced))
    return clusters


class _Topology:
    """The deployments' AWS elements by the VPC they sit in (or none known), for cutting the model per cluster."""

    def __init__(self, model: Model) -> None:
        self.fields = [name for name in model.__dataclass_fields__ if _is_topology(name, model)]
        self.by_vpc: dict[tuple[str, str], dict[str, list[Any]]] = {}
        self.floating: dict[str, dict[str, list[Any]]] = {}
        self.everything: dict[str, dict[str, list[Any]]] = {}
        # the VPC of every element that has one (security groups, subnets, network ACLs), by its key
        owners = {(e.deployment, e.key): e.vpc for name in self.fields for e in getattr(model, name)
                  if hasattr(e, "key") and hasattr(e, "vpc")}
        for name in self.fields:
            for element in getattr(model, name):
                deployment = element.deployment
                self.everything.setdefault(deployment, {}).setdefault(name, []).append(element)
                vpcs = (element.key,) if name == "vpcs" else _vpcs_of(element, owners)
                if not vpcs:
                    self.floating.setdefault(deployment, {}).setdefault(name, []).append(element)
                for vpc in vpcs:
                    self.by_vpc.setdefault((deployment, vpc), {}).setdefault(name, []).append(element)

    def of(self, deployment: str, vpcs: tuple[str, ...]) -> dict[str, tuple[Any, ...]]:
        if not vpcs:
            parts = [self.everything.get(deployment, {})]
        else:
            parts = [self.by_vpc.get((deployment, v), {}) for v in vpcs] + [self.floating.get(deployment, {})]
        merged: dict[str, tuple[Any, ...]] = {}
        for name in self.fields:
            merged[name] = tuple({id(e): e for part in parts for e in part.get(name, ())}.values())
        return merged


_OWNER_ATTRIBUTES = ("group", "subnet", "nacl")  # an element that belongs to one of these sits in its VPC


def _vpcs_of(element: Any, owners: dict[tuple[str, str], Any]) -> tuple[str, ...]:
    """The VPC keys an AWS element belongs to; () when it cannot be known (it joins every cluster)."""
    ends = [getattr(element, name, None) for name in ("vpc", "peer_vpc")]
    for attribute in _OWNER_ATTRIBUTES:
        owner = getattr(element, attribute, None)
        if ends[0] is None and isinstance(owner, str):
            ends = [owners.get((element.deployment, owner))]
    known = tuple(e for e in ends if isinstance(e, str))
    return known if len(known) == len([e for e in ends if e is not None]) else ()


def _calico_parts(model: Model, keep: Any) -> dict[str, tuple[Any, ...]]:
    parts: dict[str, list[Any]] = {}
    for name, element in _calico_elements(model):
        if keep(element):
            parts.setdefault(name, []).append(element)
    return {name: tuple(values) for name, values in parts.items()}


def _cluster_model(model: Model, cluster: Cluster, topology: _Topology, scopes: Scopes) -> Model:
    calico = _calico_parts(model, lambda e: _applies(scopes.of(e), cluster.deployment))
    return Model(**topology.of(cluster.deployment, cluster.vpcs), **calico, node_groups=cluster.nodes)


# ------------------------------------------------------------------------------------------ configuration of no cluster


def _unjudged_calico(model: Model, scopes: Scopes,
                     clusters: list[Cluster]) -> tuple[dict[str, tuple[CalicoScope, list[Any]]], set[str]]:
    """Calico elements that no cluster's context judges, by the scope they share."""
    with_clusters = {c.deployment for c in clusters}
    unjudged: dict[str, tuple[CalicoScope, list[Any]]] = {}
    ambiguous: set[str] = set()
    for _name, element in _calico_elements(model):
        scope = scopes.of(element)
        if scope.deployments is None:
            if clusters:
                continue
            key = "(everywhere)"
        elif scope.deployments & with_clusters:
            continue
        elif not scope.deployments:
            ambiguous.add(element.where.file)
            key = f"(applies to no deployment) {scope.unit}"
        else:
            key = " + ".join(sorted(scope.deployments))
        unjudged.setdefault(key, (scope, []))[1].append(element)
    return dict(sorted(unjudged.items())), ambiguous


def _calico_context(key: str, scope: CalicoScope, elements: list[Any], model: Model, topology: _Topology,
                    scopes: Scopes, placement: Placement) -> Context:
    """Configuration of no cluster, judged with the configuration that applies everywhere and the AWS
    elements of the deployments it applies to (none for an ambiguous document)."""
    chosen = {id(e) for e in elements}
    calico = _calico_parts(model, lambda e: id(e) in chosen or scopes.of(e).deployments is None)
    deployments: Iterable[str] = scope.deployments if scope.deployments is not None else \
        sorted({getattr(e, "deployment") for n in topology.fields for e in getattr(model, n)})
    parts = [topology.of(d, ()) for d in deployments]
    aws = {name: tuple(e for part in parts for e in part.get(name, ())) for name in topology.fields}
    names = dict(placement.deployment_names)
    if scope.deployments:
        label = " + ".join(names.get(d, d) for d in sorted(scope.deployments))
    elif scope.deployments is None:
        label = "the whole scan"
    else:
        label = scope.unit or "the repository root"
    return Context(label, Model(**aws, **calico), None, ambiguous=scope.deployments == frozenset())

