"""Run-level facts derived once from the model: indexes, the Calico network in effect, node selection."""
from __future__ import annotations

import fnmatch
import ipaddress
import re
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

from linter.cidrs import union_contains
from linter.model import (
    BgpPeer, DEFAULT_SUBNET, TCP, Direction, EncapMode, IpPool, Model, Networking, NodeGroup, PortRange, SecurityGroup, SgRule,
    SrcDstCheck, Subnet, Unknown, Vpc, Where,
)
from linter.engine.flows import CalicoFlow
from linter.engine.nacls import Gap, NaclIndex, all_gaps, first_gap, free_number
from linter.engine.selectors import UNDECLARED_LABELS, SelectorError, parse_selector
from linter.engine.verdict import FAIL, PASS, Outcome, all_of, any_of, unknown

# Calico's own default, used to decide which node rules apply when no pool is found (DESIGN §1)
ASSUMED_POOL = IpPool(
    key="(assumed default pool)", cidr="192.168.0.0/16", ipip=EncapMode.ALWAYS, vxlan=EncapMode.NEVER,
    nat_outgoing=True, where=Where(""), origin="Calico's default",
)
DEFAULT_EXCLUDED_WORDS = frozenset({"bastion", "nat", "vpn", "jump", "vault", "etcd"})
_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])")


@dataclass(frozen=True, slots=True)
class NodeSelection:
    include: tuple[str, ...] = ()  # globs on address / Name tag: these are nodes whatever else says
    exclude: tuple[str, ...] = ()  # globs excluded in addition to the default words


# a Kubernetes word in an address or Name tag is evidence of a node (DESIGN §6)
KUBERNETES_WORDS = frozenset({"k8s", "kube", "kubernetes", "eks", "k3s", "rke", "rke2", "node", "master", "worker",
                              "controller", "controlplane", "minion"})
KUBERNETES_PORTS = {10250: "kubelet's port 10250", 6443: "the API server's port 6443", 179: "BGP's port 179"}
# Kubernetes words split at non-alphanumerics and camelCase humps only: k8s, k3s, rke2 stay whole
_T = TypeVar("_T")
_TOKEN_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def words(text: str) -> list[str]:
    """`BastionHost` -> bastion host; `etcd0` -> etcd 0; `vpn_instance` -> vpn instance."""
    return [w.lower() for w in _WORD_SPLIT.split(text) if w]


def _kubernetes_word(token: str) -> bool:
    """`workers`, `worker0`, `k8s`, `rke2`: plurals and trailing instance numbers count."""
    for stem in {token, token.rstrip("0123456789")}:
        if stem in KUBERNETES_WORDS or (stem.endswith("s") and stem[:-1] in KUBERNETES_WORDS) \
                or (stem.endswith("es") and stem[:-2] in KUBERNETES_WORDS):
            return True
    return False


def kubernetes_word(text: str) -> str | None:
    """The first Kubernetes word among the tokens of an address or name (`control-plane` is one)."""
    tokens = [t.lower() for t in _TOKEN_SPLIT.split(text) if t]
    for first, second in zip(tokens, tokens[1:] + [""]):
        if first == "control" and second in ("plane", "planes"):
            return "control-plane"
        if _kubernetes_word(first):
            return first
    return None


def _names(group: NodeGroup) -> list[str]:
    names = [group.key, group.label] + ([group.name_tag] if isinstance(group.name_tag, str) else [])
    return list(dict.fromkeys(n for n in names if n))


def excluded(group: NodeGroup, selection: NodeSelection) -> str | None:
    """Why a compute resource is not a node: nodes.exclude always; the default words unless nodes.include names it."""
    names = _names(group)
    hit = next((g for g in selection.exclude for n in names if fnmatch.fnmatchcase(n, g)), None)
    if hit:
        return f"matches nodes.exclude {hit!r}"
    if included(group, selection):
        return None
    for name in names:
        found = DEFAULT_EXCLUDED_WORDS.intersection(words(name))
        if found:
            return f"the word {sorted(found)[0]!r} in {name!r} marks it as not a node"
    return None


def included(group: NodeGroup, selection: NodeSelection) -> str | None:
    names = _names(group)
    hit = next((g for g in selection.include for n in names if fnmatch.fnmatchcase(n, g)), None)
    return f"matches nodes.include {hit!r}" if hit else None


def name_evidence(group: NodeGroup) -> str | None:
    for name in _names(group):
        word = kubernetes_word(name)
        if word:
            return f"the Kubernetes word {word!r} in {name!r}"
    return None


def _network(cidr: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return None


def cidr_overlaps(a: str, b: str) -> bool | None:
    x, y = _network(a), _network(b)
    if x is None or y is None:
        return None
    return x.version == y.version and x.overlaps(y)  # type: ignore[arg-type]


NO_EVIDENCE = "nothing says it runs Kubernetes"


def _known_subnets(node: NodeGroup) -> int:
    return 0 if isinstance(node.subnets, Unknown) else len({k for k in node.subnets if isinstance(k, str)})


class Facts:
    """Indexes over one model. Built once per run; read-only afterwards."""

    def __init__(self, model: Model, selection: NodeSelection = NodeSelection(),
                 calico_deployments: frozenset[str] | None = None, preselected: bool = False) -> None:
        """`calico_deployments`: where Calico configuration applies (None: every deployment that has some);
        `preselected`: the model's node groups are the nodes already (a cluster's part of the model)."""
        self.model = model
        self._groups: dict[tuple[str, str], SecurityGroup] = {(g.deployment, g.key): g for g in model.security_groups}
        self._subnets: dict[tuple[str, str], Subnet] = {(s.deployment, s.key): s for s in model.subnets}
        self._nacls = NaclIndex(model)
        self._vpcs: dict[tuple[str, str], Vpc] = {(v.deployment, v.key): v for v in model.vpcs}
        self._default_groups: dict[str, list[SecurityGroup]] = {}
        for group in model.security_groups:
            if group.vpc_default:
                self._default_groups.setdefault(group.deployment, []).append(group)
        rules: dict[tuple[str, str, Direction], list[SgRule]] = {}
        floating: dict[tuple[str, Direction], list[SgRule]] = {}
        for rule in model.sg_rules:
            if isinstance(rule.group, Unknown):
                floating.setdefault((rule.deployment, rule.direction), []).append(rule)
            else:
                rules.setdefault((rule.deployment, rule.group, rule.direction), []).append(rule)
        self._rules = {k: tuple(v) for k, v in rules.items()}
        self._floating = {k: tuple(v) for k, v in floating.items()}
        if calico_deployments is None:
            has_calico = bool(model.pools or model.felix or model.calico)
            calico_deployments = frozenset(n.deployment for n in model.node_groups) if has_calico else frozenset()
        self._calico_deployments = calico_deployments
        self._memo: dict[tuple[object, ...], Any] = {}  # answers that depend on the (immutable) model alone
        # every compute resource, whether it is taken as a Kubernetes node, and why (describe shows it)
        self.selection: tuple[tuple[NodeGroup, bool, str], ...] = tuple(
            (n, True, "") if preselected else (n, *self._node_verdict(n, selection)) for n in model.node_groups)
        self.nodes: tuple[NodeGroup, ...] = tuple(n for n, taken, _ in self.selection if taken)
        self.passed_over = sum(1 for n, taken, why in self.selection if not taken and why == NO_EVIDENCE)
        self.pools_found = tuple(p for p in model.pools if not p.fallback)
        self.effective_pools = self._effective_pools()
        self.pool_assumed = not model.pools or (not self.pools_found and not self.effective_pools)
        if self.pool_assumed:
            self.effective_pools = (ASSUMED_POOL,)
        self._index_node_groups()

    # --- node selection

    def _node_verdict(self, node: NodeGroup, selection: NodeSelection) -> tuple[bool, str]:
        """A compute resource is a node only with evidence that it runs Kubernetes (DESIGN §6)."""
        ruled_out = excluded(node, selection)
        if ruled_out:
            return False, ruled_out
        evidence = included(node, selection) or (node.kubernetes[0] if node.kubernetes else None) \
            or name_evidence(node) or self._port_evidence(node)
        if evidence is None and node.deployment in self._calico_deployments:
            evidence = "Calico configuration applies to its deployment"
        return (True, evidence) if evidence else (False, NO_EVIDENCE)

    def _port_evidence(self, node: NodeGroup) -> str | None:
        """A TCP rule of its security groups whose from_port or to_port is a Kubernetes port."""
        if isinstance(node.security_groups, Unknown):
            return None
        for key in node.security_groups:
            if not isinstance(key, str):
                continue
            for direction in Direction:
                for rule in self.rules_of(node.deployment, key, direction):
                    if rule.protocol != TCP or not isinstance(rule.ports, PortRange):
                        continue
                    port = next((p for p in (rule.ports.low, rule.ports.high) if p in KUBERNETES_PORTS), None)
                    if port is not None:
                        return f"{rule.where.address or key} names {KUBERNETES_PORTS[port]}"
        return None

    # --- network ACLs

    def nacl_gap(self, entry: CalicoFlow, receiver: NodeGroup, sender: NodeGroup) -> "Gap | Outcome":
        """The first network ACL crossing that drops the flow from sender to receiver (engine.nacls)."""
        return first_gap(self._nacls, entry, receiver, sender, self._subnets)

    def nacl_gaps(self, entry: CalicoFlow, receiver: NodeGroup, sender: NodeGroup) -> list[Gap]:
        return all_gaps(self._nacls, entry, receiver, sender, self._subnets)

    def nacl_free_number(self, gap: Gap, taken: frozenset[int] = frozenset()) -> int | None:
        return free_number(self._nacls, gap, taken)

    # --- lookups

    def group(self, deployment: str, key: str) -> SecurityGroup | None:
        return self._groups.get((deployment, key))

    def subnet(self, deployment: str, key: str) -> Subnet | None:
        return self._subnets.get((deployment, key))

    def vpc(self, deployment: str, key: str) -> Vpc | None:
        return self._vpcs.get((deployment, key))

    def rules_of(self, deployment: str, group: str, direction: Direction) -> tuple[SgRule, ...]:
        return self._rules.get((deployment, group, direction), ())

    def floating_rules(self, deployment: str, direction: Direction) -> tuple[SgRule, ...]:
        """Rules whose security group could not be resolved: they may belong to any group."""
        return self._floating.get((deployment, direction), ())

    def first_defined_group(self, node: NodeGroup) -> SecurityGroup | None:
        groups = self.groups_of(node)
        if isinstance(groups, Unknown):
            return None
        for key in groups:
            if isinstance(key, str) and (group := self.group(node.deployment, key)) is not None:
                return group
        return None

    def node_group_keys(self, deployment: str) -> frozenset[str]:
        """The security groups attached to some node of the deployment."""
        return self._node_group_keys.get(deployment, frozenset())

    def nodes_with_unknown_groups(self, deployment: str) -> tuple[NodeGroup, ...]:
        return self._undecided_nodes.get(deployment, ())

    def _index_node_groups(self) -> None:
        keys: dict[str, set[str]] = {}
        undecided: dict[str, list[NodeGroup]] = {}
        for node in self.nodes:
            groups = node.security_groups
            if isinstance(groups, Unknown) or any(isinstance(k, Unknown) for k in groups):
                undecided.setdefault(node.deployment, []).append(node)
            if not isinstance(groups, Unknown):
                keys.setdefault(node.deployment, set()).update(k for k in groups if isinstance(k, str))
            if groups == () and (default := self.default_group(node)) is not None:
                keys.setdefault(node.deployment, set()).add(default.key)
        self._node_group_keys = {d: frozenset(k) for d, k in keys.items()}
        self._undecided_nodes = {d: tuple(n) for d, n in undecided.items()}

    def memoised(self, key: tuple[object, ...], compute: Callable[[], _T]) -> _T:
        """`compute()`, once per key: for answers asked again for every pair that depend on less than the pair."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[no-any-return]

    # --- the Calico network in effect

    def _effective_pools(self) -> tuple[IpPool, ...]:
        # a disabled pool is still in effect: it only stops new allocations, pods keep its addresses and settings
        return self.pools_found or tuple(p for p in self.model.pools if p.fallback)

    def _settings(self, attribute: str) -> list[object]:
        return [getattr(c, attribute) for c in self.model.calico if getattr(c, attribute) is not None]

    def calico_networking(self) -> Outcome:
        return self.memoised(("calico_networking",), self._calico_networking)

    def _calico_networking(self) -> Outcome:
        values = self._settings("networking")
        if any(v is Networking.POLICY_ONLY for v in values):
            return FAIL
        unknowns = [v for v in values if isinstance(v, Unknown)]
        return unknown(unknowns[0].expr) if unknowns else PASS

    def bgp(self) -> Outcome:
        values = self._settings("bgp")
        if not values or any(v is True for v in values):
            return PASS
        unknowns = [v for v in values if isinstance(v, Unknown)]
        return unknown(unknowns[0].expr) if unknowns else FAIL

    def uses(self, encapsulation: str, family: int = 4) -> Outcome:
        modes = [getattr(p, encapsulation) for p in self.pools_of_family(family)]
        if any(m in (EncapMode.ALWAYS, EncapMode.CROSS_SUBNET) for m in modes):
            return PASS
        unknowns = [m for m in modes if isinstance(m, Unknown)]
        return unknown(unknowns[0].expr) if unknowns else FAIL

    def pools_of_family(self, family: int) -> tuple[IpPool, ...]:
        return self.memoised(("pools_of_family", family),
                             lambda: tuple(p for p in self.effective_pools if pool_family(p) == family))

    def ipv6_pools(self) -> Outcome:
        return PASS if self.pools_of_family(6) else FAIL

    def typha(self) -> Outcome:
        """Typha runs when any Calico document says so (the operator always deploys it)."""
        values = self._settings("typha")
        if any(v is True for v in values):
            return PASS
        unknowns = [v for v in values if isinstance(v, Unknown)]
        return unknown(unknowns[0].expr) if unknowns else FAIL

    def wireguard(self, family: int) -> Outcome:
        """Felix's wireguardEnabled(V6): calico-node's FELIX_* environment overrides the resources."""
        field = "wireguard" if family == 4 else "wireguard_v6"
        stated = [(f.environment, getattr(f, field)) for f in self.model.felix if getattr(f, field) is not None]
        values = [v for env, v in stated if env] or [v for _, v in stated]
        if any(v is True for v in values):
            return PASS
        unknowns = [v for v in values if isinstance(v, Unknown)]
        return unknown(unknowns[0].expr) if unknowns else FAIL

    def mesh(self) -> Outcome:
        """The node-to-node mesh: on unless the `default` BGPConfiguration turns it off."""
        values = [c.mesh for c in self.model.bgp_configs if c.name == "default" and c.mesh is not None]
        values += [c.mesh for c in self.model.bgp_configs if isinstance(c.name, Unknown) and c.mesh is False]
        if any(v is False for v in values):
            return FAIL
        unknowns = [v for v in values if isinstance(v, Unknown)]
        return unknown(unknowns[0].expr) if unknowns else PASS

    def selects(self, selector: str | Unknown | None, node: NodeGroup, what: str) -> Outcome:
        """Whether a Calico selector (None: every node) selects the node group, by its declared labels."""
        key = ("selects", selector, node.labels, node.display, what)  # all the answer reads of the node
        return self.memoised(key, lambda: self._selects(selector, node, what))

    def _selects(self, selector: str | Unknown | None, node: NodeGroup, what: str) -> Outcome:
        if selector is None:
            return PASS
        if isinstance(selector, Unknown):
            return unknown(selector.expr)
        try:
            parsed = parse_selector(selector)
        except SelectorError:
            return unknown(f"{what} {selector!r}")
        if isinstance(node.labels, Unknown) or node.labels is None:
            verdict = parsed.matches(UNDECLARED_LABELS)  # decided without labels: `all()`
            if verdict is not None:
                return PASS if verdict else FAIL
            if isinstance(node.labels, Unknown):
                return unknown(node.labels.expr)
            return unknown(f"whether {what} {selector!r} selects {node.display} (it declares no node labels)")
        verdict = parsed.matches(dict(node.labels))
        if verdict is None:
            return unknown(f"the labels of {node.display} that {what} {selector!r} reads")
        return PASS if verdict else FAIL

    def pool_serves(self, pool: IpPool, node: NodeGroup) -> Outcome:
        return self.selects(pool.node_selector, node, f"{pool.key} nodeSelector")

    def bgp_peers_join(self, a: NodeGroup, b: NodeGroup) -> Outcome:
        """Whether a BGPPeer with a peerSelector peers the two node groups (either way: Calico configures both ends)."""
        outcomes: list[Outcome] = []
        for peer in self.model.bgp_peers:
            if peer.peer_selector is None:
                continue
            nodes = peer.node if peer.node is not None else peer.node_selector
            for local, remote in ((a, b), (b, a)):
                local_match = (unknown(f"which node group holds node {_text(peer.node)} of {peer.key}")
                               if peer.node is not None else self.selects(nodes, local, f"{peer.key} nodeSelector"))
                outcomes.append(all_of([local_match, self.selects(peer.peer_selector, remote,
                                                                  f"{peer.key} peerSelector")]))
        return any_of(outcomes) if outcomes else FAIL

    def peer_nodes(self, peer: BgpPeer) -> list[tuple[NodeGroup, Outcome]]:
        """The node groups a BGPPeer at an address applies to (`node`, `nodeSelector`, else every node)."""
        if not isinstance(peer.peer_ip, str) or _network(peer.peer_ip) is None:
            return []
        found = []
        for node in self.nodes:
            if peer.node is not None:
                selected = unknown(f"which node group holds node {_text(peer.node)} of {peer.key}")
            else:
                selected = self.selects(peer.node_selector, node, f"{peer.key} nodeSelector")
            if not selected.failed:
                found.append((node, selected))
        return found

    def bgp_pair(self, receiver: NodeGroup, sender: NodeGroup) -> Outcome:
        """BGP runs between the two: with the mesh on every pair peers, else the pairs BGPPeers join."""
        mesh = self.mesh()
        if mesh.passed:
            return PASS
        return any_of([mesh, self.bgp_peers_join(receiver, sender)])

    def flow_in_use(self, entry: CalicoFlow) -> Outcome:
        """Whether the Calico network in effect sends this flow at all (the catalogue's `need`)."""
        return self.memoised(("flow_in_use", entry), lambda: self._flow_in_use(entry))

    def _flow_in_use(self, entry: CalicoFlow) -> Outcome:
        needs = {
            "bgp": self.bgp, "ipip": lambda: self.uses("ipip"), "vxlan": lambda: self.uses("vxlan"),
            "typha": self.typha, "wireguard": lambda: self.wireguard(4), "wireguard-v6": lambda: self.wireguard(6),
            "bgp-v6": lambda: all_of([self.bgp(), self.ipv6_pools()]), "vxlan-v6": lambda: self.uses("vxlan", 6),
        }
        in_use = needs[entry.need]()
        return all_of([self.calico_networking(), in_use]) if entry.routing else in_use

    def flow_needed(self, entry: CalicoFlow, receiver: NodeGroup, sender: NodeGroup) -> Outcome:
        """Whether Calico sends this flow from `sender` to `receiver` (Typha: every node may host it)."""
        key = ("flow_needed", entry, id(receiver), id(sender))  # every case of the flow asks it of every pair
        found = self._memo.get(key)
        if found is None or found[0] is not receiver or found[1] is not sender:  # (the pair is kept: ids stay theirs)
            found = self._memo[key] = (receiver, sender, self._flow_needed(entry, receiver, sender))
        return found[2]  # type: ignore[no-any-return]

    def _flow_needed(self, entry: CalicoFlow, receiver: NodeGroup, sender: NodeGroup) -> Outcome:
        if entry.routing:
            return all_of([self.calico_networking(), self._pair_flow(entry, receiver, sender)])
        return self._pair_flow(entry, receiver, sender)

    def _pair_flow(self, entry: CalicoFlow, receiver: NodeGroup, sender: NodeGroup) -> Outcome:
        if entry.need in ("ipip", "vxlan"):
            return self.pair_needs(entry.need, receiver, sender)
        if entry.need == "vxlan-v6":
            return self.pair_needs("vxlan", receiver, sender, family=6)
        if entry.need in ("bgp", "bgp-v6"):
            return all_of([self.flow_in_use(entry), self.bgp_pair(receiver, sender)])
        return self.flow_in_use(entry)

    def all_pools_encapsulate_always(self) -> bool:
        return bool(self.effective_pools) and all(
            p.ipip is EncapMode.ALWAYS or p.vxlan is EncapMode.ALWAYS for p in self.effective_pools)

    def pair_needs(self, encapsulation: str, receiver: NodeGroup, sender: NodeGroup, family: int = 4) -> Outcome:
        """Whether a pool that serves the receiver (its pods are the destination) encapsulates from the sender."""
        outcomes: list[Outcome] = []
        for pool in self.pools_of_family(family):
            mode = getattr(pool, encapsulation)
            if mode is EncapMode.NEVER:
                continue
            serves = self.pool_serves(pool, receiver)
            if isinstance(mode, Unknown):
                outcomes.append(all_of([unknown(mode.expr), serves]))
            elif mode is EncapMode.ALWAYS:
                outcomes.append(serves)
            else:
                outcomes.append(all_of([serves, self.may_cross_subnets(receiver, sender)]))
        return any_of(outcomes) if outcomes else FAIL

    def may_cross_subnets(self, receiver: NodeGroup, sender: NodeGroup) -> Outcome:
        """Whether traffic between the two groups can cross subnets: it does when either spans two subnets
        (some of its instances sit apart from any one peer), whatever the other's placement."""
        nodes = list({id(receiver): receiver, id(sender): sender}.values())
        if any(_known_subnets(n) > 1 for n in nodes):
            return PASS
        keys: set[str] = set()
        for node in nodes:
            if isinstance(node.subnets, Unknown):
                return unknown(node.subnets.expr)
            for key in node.subnets:
                if isinstance(key, Unknown):
                    return unknown(key.expr)
                keys.add(key)
        return PASS if len(keys) > 1 else FAIL

    def felix_disables_check(self) -> Outcome:
        values = [f.aws_src_dst_check for f in self.model.felix if f.aws_src_dst_check is not None]
        if any(v is SrcDstCheck.DISABLE for v in values):
            return PASS
        unknowns = [v for v in values if isinstance(v, Unknown)]
        return unknown(unknowns[0].expr) if unknowns else FAIL

    def some_rule_allows_protocol(self, protocol: int) -> Outcome:
        """Whether any ingress rule names exactly this protocol (not -1): CAL012 is about such rules."""
        return PASS if any(r.protocol == protocol and r.direction is Direction.INGRESS
                           for r in self.model.sg_rules) else FAIL

    # --- topology

    def nodes_span_subnets(self) -> Outcome:
        if self.model.peerings and self.nodes:
            return PASS
        keys: set[tuple[str, str]] = set()
        reason = ""
        for node in self.nodes:
            if isinstance(node.subnets, Unknown):
                reason = reason or node.subnets.expr
                continue
            for key in node.subnets:
                if isinstance(key, Unknown):
                    reason = reason or key.expr
                else:
                    keys.add((node.deployment, key))
        if len(keys) > 1:
            return PASS
        return unknown(reason) if reason else FAIL

    def single_vpc(self) -> Outcome:
        if not self.nodes or self.model.peerings:
            return FAIL
        return PASS if len({(v.deployment, v.key) for v in self.model.vpcs}) <= 1 else FAIL

    def node_cidrs(self, node: NodeGroup) -> tuple[list[str], str]:
        """CIDRs the node's instances can take addresses from (subnets, else VPC) and an unknown reason."""
        cidrs: list[str] = []
        if not isinstance(node.subnets, Unknown) and node.subnets:
            for key in node.subnets:
                subnet = self.subnet(node.deployment, key) if isinstance(key, str) else None
                if subnet is None or isinstance(subnet.cidr, Unknown):
                    return self._vpc_cidrs(node, key.expr if isinstance(key, Unknown) else
                                           subnet.cidr.expr if subnet is not None and isinstance(subnet.cidr, Unknown)
                                           else f"subnet {key}")
                cidrs.append(subnet.cidr)
            return cidrs, ""
        reason = node.subnets.expr if isinstance(node.subnets, Unknown) else "no subnet given"
        return self._vpc_cidrs(node, reason)

    def node_ipv6_cidrs(self, node: NodeGroup) -> tuple[list[str], str]:
        """The IPv6 blocks of the node's subnets, and an unknown reason (AWS often assigns them)."""
        if isinstance(node.subnets, Unknown) or not node.subnets:
            return [], node.subnets.expr if isinstance(node.subnets, Unknown) else f"the subnets of {node.display}"
        cidrs: list[str] = []
        for key in node.subnets:
            subnet = self.subnet(node.deployment, key) if isinstance(key, str) else None
            if subnet is None:
                return [], key.expr if isinstance(key, Unknown) else f"subnet {key}"
            if not isinstance(subnet.ipv6_cidr, str):
                return [], subnet.ipv6_cidr.expr if isinstance(subnet.ipv6_cidr, Unknown) else \
                    f"the IPv6 block of {subnet.key} (none declared)"
            cidrs.append(subnet.ipv6_cidr)
        return cidrs, ""

    def _vpc_cidrs(self, node: NodeGroup, reason: str) -> tuple[list[str], str]:
        vpc_key = self.node_vpc(node)
        vpc = self.vpc(node.deployment, vpc_key) if vpc_key is not None else None
        if vpc is not None and vpc.cidrs and all(isinstance(c, str) for c in vpc.cidrs):
            return [c for c in vpc.cidrs if isinstance(c, str)], ""
        return [], reason

    def groups_of(self, node: NodeGroup) -> tuple[str | Unknown, ...] | Unknown:
        """A node's security groups; with none of its own, its VPC's default group when the scan manages it."""
        if node.security_groups == () and (default := self.default_group(node)) is not None:
            return (default.key,)
        return node.security_groups

    def default_group(self, node: NodeGroup) -> SecurityGroup | None:
        """The VPC's default group that a node given no group of its own gets, when the scan manages it."""
        vpc = self.node_vpc(node)
        in_default_vpc = vpc is None and not isinstance(node.subnets, Unknown) and bool(node.subnets) and all(
            isinstance(k, str) and k.startswith(DEFAULT_SUBNET) for k in node.subnets)
        for group in self._default_groups.get(node.deployment, ()):
            if (vpc is not None and group.vpc == vpc) or (in_default_vpc and group.vpc is None):
                return group
        return None

    def node_vpc(self, node: NodeGroup) -> str | None:
        """The VPC a node group sits in, from its subnets or its security groups (AWS keeps an instance's
        groups in the instance's VPC); None when neither says."""
        if not isinstance(node.subnets, Unknown):
            for key in node.subnets:
                subnet = self.subnet(node.deployment, key) if isinstance(key, str) else None
                if subnet is not None and isinstance(subnet.vpc, str):
                    return subnet.vpc
        if not isinstance(node.security_groups, Unknown):
            for key in node.security_groups:
                group = self.group(node.deployment, key) if isinstance(key, str) else None
                if group is not None and isinstance(group.vpc, str):
                    return group.vpc
        return None

    def vpc_cidr_covers(self, vpc_key: str, text: str, peer: NodeGroup) -> Outcome:
        """Whether the CIDR block of VPC `vpc_key` holds every address the peer can take."""
        vpc = self.vpc(peer.deployment, vpc_key)
        primary = vpc.cidrs[0] if vpc is not None and vpc.cidrs else None
        if self.node_vpc(peer) == vpc_key and (vpc is None or len(vpc.cidrs) == 1):
            return PASS  # the VPC has one block: every subnet of it is inside
        if isinstance(primary, str):
            return self.cidrs_cover([primary], peer)
        placed = self.node_vpc(peer)
        if placed is not None and vpc is not None and self.vpc(peer.deployment, placed) is not None:
            return FAIL  # two VPCs of the scan
        return unknown(text if placed is not None else f"which VPC {peer.display} is in")

    def cidrs_cover(self, cidrs: list[str], peer: NodeGroup) -> Outcome:
        """Whether the union of `cidrs` holds every subnet (else the VPC) the peer can be placed in."""
        placed, reason = self.node_cidrs(peer)
        if not placed:
            return unknown(reason or f"where {peer.display} is placed")
        if all(union_contains(cidrs, c) is True for c in placed):
            return PASS
        return FAIL

    def address_ranges(self) -> list[tuple[str, Where]]:
        """Every known VPC and subnet CIDR of the scan, for CAL007."""
        ranges = [(c, v.where) for v in self.model.vpcs for c in v.cidrs if isinstance(c, str)]
        ranges += [(s.cidr, s.where) for s in self.model.subnets if isinstance(s.cidr, str)]
        return ranges

    def unknown_ranges(self) -> list[str]:
        found = [c.expr for v in self.model.vpcs for c in v.cidrs if isinstance(c, Unknown)]
        return found + [s.cidr.expr for s in self.model.subnets if isinstance(s.cidr, Unknown)]


def pool_family(pool: IpPool) -> int:
    """4 or 6: from the CIDR, else as the pool's source says (an unknown CIDR of an IPv4 setting is IPv4)."""
    if isinstance(pool.cidr, str) and ":" in pool.cidr:
        return 6
    return pool.family or 4


def _text(value: object) -> str:
    return value.expr if isinstance(value, Unknown) else str(value)
