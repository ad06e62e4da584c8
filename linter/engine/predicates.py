"""The closed vocabulary that rule files compose (rules/schema.json lists it), implemented once.

The tables at the end (SUBJECTS, PREDICATES, CONDITIONS, LEVEL_CONDITIONS) are the vocabulary: the rule
compiler (engine.rules) checks every rule file against them at load time, and the engine runs what it
compiled. A new predicate is one function here and one entry in PREDICATES (and its schema entry).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable, Iterator, Mapping, Union

from linter.cidrs import covers_everything, union_contains
from linter.engine.facts import Facts, cidr_overlaps
from linter.engine.flows import CalicoFlow, flow
from linter.model import (
    ALL_PROTOCOLS, PROTOCOL_NAMES, PROTOCOLS_WITH_PORTS, TCP, BgpPeer, CidrSource, ConfigProblem, Direction, EncapMode,
    GroupSource, IpPool, NodeGroup, PrefixListSource, SgRule, Unknown, VpcCidrSource,
)
from linter.engine.verdict import FAIL, PASS, Outcome, all_of, any_of, negate, of_bool, unknown

INTERNET = ("0.0.0.0/0", "::/0")


class ArgumentError(ValueError):
    """A predicate argument the vocabulary cannot take: a rule-file error, raised while compiling."""


@dataclass(frozen=True, slots=True)
class NodePair:
    receiver: NodeGroup
    sender: NodeGroup

    @property
    def is_self(self) -> bool:
        return self.receiver is self.sender


@dataclass(frozen=True, slots=True)
class Flow:
    """What a predicate tests: a catalogue flow in one direction, or a protocol literal (CAL012's 94)."""

    direction: Direction
    protocol: int
    port: int | None
    family: int = 4
    calico: CalicoFlow | None = None

    @staticmethod
    def of(spec: Mapping[str, Any]) -> "Flow":
        direction = Direction(spec.get("direction", "ingress"))
        if "flow" in spec:
            return Flow.of_catalogue(flow(spec["flow"]), direction)
        protocol = spec["protocol"]
        number = PROTOCOL_NAMES[protocol] if isinstance(protocol, str) else int(protocol)
        return Flow(direction, number, spec.get("port"))

    @staticmethod
    def of_catalogue(entry: CalicoFlow, direction: Direction = Direction.INGRESS) -> "Flow":
        return Flow(direction, entry.protocol, entry.port, entry.family, entry)


@dataclass(frozen=True, slots=True)
class PeerLink:
    """A node group and a BGPPeer at an address (a route reflector or router that is no node group of the scan)."""

    node: NodeGroup
    peer: BgpPeer

    @property
    def address(self) -> str:
        return self.peer.peer_ip if isinstance(self.peer.peer_ip, str) else ""

    @property
    def port(self) -> int:
        return self.peer.peer_port if self.peer.peer_port is not None else flow("bgp").port or 0


Subject = Union[NodePair, NodeGroup, SgRule, IpPool, ConfigProblem, PeerLink]


class SubjectKind(str, Enum):
    """What a case judges one by one (`for_each`)."""

    NODE_PAIR = "node-pair"
    NODE_GROUP = "node-group"
    SG_RULE = "sg-rule"
    POOL = "pool"
    CONFIG_PROBLEM = "config-problem"
    BGP_PEER = "bgp-peer"


class ReportAt(str, Enum):
    """Where a failing subject is reported (`report_at`)."""

    RECEIVER = "receiver"
    SENDER = "sender"
    SUBJECT = "subject"
    EVIDENCE = "evidence"


# ------------------------------------------------------------------------------------------ compiled predicates


@dataclass(frozen=True, slots=True)
class Atom:
    """One predicate of the vocabulary with its argument, already parsed (a Flow, a Direction, ...)."""

    name: str
    argument: Any
    judge: Callable[[Any, Any, Facts], Outcome]


@dataclass(frozen=True, slots=True)
class AllOf:
    parts: tuple["Predicate", ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    parts: tuple["Predicate", ...]


@dataclass(frozen=True, slots=True)
class Not:
    part: "Predicate"


Predicate = Union[Atom, AllOf, AnyOf, Not]


def evaluate(predicate: Predicate, subject: Subject, facts: Facts) -> Outcome:
    if isinstance(predicate, Atom):
        return predicate.judge(predicate.argument, subject, facts)
    if isinstance(predicate, Not):
        return negate(evaluate(predicate.part, subject, facts))
    outcomes = (evaluate(p, subject, facts) for p in predicate.parts)
    return all_of(outcomes) if isinstance(predicate, AllOf) else any_of(outcomes)


def atoms_of(predicate: Predicate) -> Iterator[Atom]:
    """Every predicate of the vocabulary in a compiled tree, in order."""
    if isinstance(predicate, Atom):
        yield predicate
    elif isinstance(predicate, Not):
        yield from atoms_of(predicate.part)
    else:
        for part in predicate.parts:
            yield from atoms_of(part)


# ------------------------------------------------------------------------------------------ flows


def protocol_matches(rule: SgRule, flow: Flow) -> Outcome:
    if isinstance(rule.protocol, Unknown):
        return unknown(rule.protocol.expr)
    if rule.protocol == ALL_PROTOCOLS:
        return PASS
    if rule.protocol != flow.protocol:
        return FAIL
    if flow.port is None or flow.protocol not in PROTOCOLS_WITH_PORTS or rule.ports is None:
        return PASS
    if isinstance(rule.ports, Unknown):
        return unknown(rule.ports.expr)
    return of_bool(rule.ports.contains(flow.port))


def source_covers(source: object, rule: SgRule, peer: NodeGroup, facts: Facts) -> Outcome:
    """Whether one source (destination, for egress) of a rule includes every instance of the peer."""
    if isinstance(source, Unknown):
        return unknown(source.expr)
    if isinstance(source, PrefixListSource):
        text = source.prefix_list.expr if isinstance(source.prefix_list, Unknown) else source.prefix_list
        return unknown(f"prefix list {text}")
    if isinstance(source, GroupSource):
        group = rule.group if source.group is None else source.group
        if isinstance(group, Unknown):
            return unknown(group.expr)
        peer_groups = facts.groups_of(peer)
        if isinstance(peer_groups, Unknown):
            return unknown(peer_groups.expr)
        if group in peer_groups:
            return PASS
        unknown_groups = [k for k in peer_groups if isinstance(k, Unknown)]
        return unknown(unknown_groups[0].expr) if unknown_groups else FAIL
    if isinstance(source, CidrSource):
        if isinstance(source.cidr, Unknown):
            return unknown(source.cidr.expr)
        return cidrs_cover([source.cidr], peer, facts)
    if isinstance(source, VpcCidrSource):
        return facts.vpc_cidr_covers(source.vpc, source.text, peer)
    return FAIL


def cidrs_cover(cidrs: list[str], peer: NodeGroup, facts: Facts) -> Outcome:
    """The union of the CIDRs holds the peer: all of IPv4 (nodes talk over IPv4: ::/0 covers none of them),
    or every subnet it can be placed in."""
    if "0.0.0.0/0" in covers_everything(cidrs):
        return PASS
    return facts.cidrs_cover(cidrs, peer)


def _known_cidrs(rule: SgRule, facts: Facts) -> list[str]:
    """The CIDRs a rule's sources name, where they are known (a VPC's block from the VPC)."""
    found: list[str] = []
    for source in rule.sources:
        if isinstance(source, CidrSource) and isinstance(source.cidr, str):
            found.append(source.cidr)
        elif isinstance(source, VpcCidrSource):
            vpc = facts.vpc(rule.deployment, source.vpc)
            found.extend(c for c in (vpc.cidrs[:1] if vpc is not None else ()) if isinstance(c, str))
    return found


def union_admits(rules: list[SgRule], peer: NodeGroup, facts: Facts) -> Outcome:
    """Several rules' CIDRs together (one per subnet, say) may hold every place the peer can be in."""
    cidrs = [(rule.where, _known_cidrs(rule, facts)) for rule in rules]
    every = [c for _, found in cidrs for c in found]
    if len(every) < 2 or not cidrs_cover(every, peer, facts).passed:
        return FAIL
    return Outcome(PASS.verdict, tuple(dict.fromkeys(where for where, found in cidrs if found)))


def ipv6_source_covers(source: object, rule: SgRule, peer: NodeGroup, facts: Facts) -> Outcome:
    """For flows over IPv6: a CIDR source must hold the peer's IPv6 addresses (0.0.0.0/0 holds none)."""
    if isinstance(source, VpcCidrSource):
        return FAIL  # a VPC's cidr_block is its IPv4 block
    if not isinstance(source, CidrSource) or isinstance(source.cidr, Unknown):
        return source_covers(source, rule, peer, facts)
    if "::/0" in covers_everything([source.cidr]):
        return PASS
    cidrs, reason = facts.node_ipv6_cidrs(peer)
    if not cidrs:
        return unknown(reason or f"the IPv6 addresses of {peer.display}")
    if all(union_contains([source.cidr], c) is True for c in cidrs):
        return PASS
    return FAIL if reason == "" else unknown(reason)


def rule_allows(rule: SgRule, flow: Flow, peer: NodeGroup, facts: Facts) -> Outcome:
    matched = protocol_matches(rule, flow)
    if matched.failed:
        return FAIL
    return _judged(rule, matched, flow, peer, facts)


def _judged(rule: SgRule, matched: Outcome, flow: Flow, peer: NodeGroup, facts: Facts) -> Outcome:
    """A rule whose protocol and port do not fail the flow: whether its sources hold the peer."""
    covering = ipv6_source_covers if flow.family == 6 else source_covers
    covers = any_of(covering(s, rule, peer, facts) for s in rule.sources)
    outcome = all_of([matched, covers])
    return Outcome(outcome.verdict, (rule.where,) if outcome.passed else (), outcome.reason)


@dataclass(frozen=True, slots=True)
class _Admission:
    """What a holder's groups answer for one flow before any peer is looked at: per group and rule, in order,
    an outcome already decided (an unknown group, a default egress, a protocol that does not match) or a rule
    whose sources each peer is judged against. Made once per holder and flow, not once per pair."""

    steps: tuple[Outcome | tuple[SgRule, Outcome], ...]
    matching: tuple[SgRule, ...]  # rules that let the flow's protocol and port through
    floating: tuple[SgRule, ...]  # rules of an unknown group whose protocol matches


def _admission(flow: Flow, holder: NodeGroup, groups: tuple[str | Unknown, ...], facts: Facts) -> _Admission:
    steps: list[Outcome | tuple[SgRule, Outcome]] = []
    matching: list[SgRule] = []
    for key in groups:
        if isinstance(key, Unknown):
            steps.append(unknown(key.expr))
            continue
        group = facts.group(holder.deployment, key)
        if group is None:
            steps.append(unknown(f"security group {key} is not defined in the scan"))
            continue
        if flow.direction is Direction.EGRESS and group.default_egress_all:
            steps.append(Outcome(PASS.verdict, (group.where,)))
            continue
        for rule in facts.rules_of(holder.deployment, key, flow.direction):
            matched = protocol_matches(rule, flow)
            steps.append(FAIL if matched.failed else (rule, matched))
            if matched.passed:
                matching.append(rule)
    floating = tuple(rule for rule in facts.floating_rules(holder.deployment, flow.direction)
                     if not protocol_matches(rule, flow).failed)
    return _Admission(tuple(steps), tuple(matching), floating)


def admits(flow: Flow, pair: NodePair, facts: Facts) -> Outcome:
    """Ingress: the receiver's groups admit the flow from the sender. Egress: the sender's let it out."""
    holder, peer = (pair.receiver, pair.sender) if flow.direction is Direction.INGRESS else (pair.sender, pair.receiver)
    groups = facts.groups_of(holder)
    if isinstance(groups, Unknown):
        return unknown(groups.expr)
    if not groups:
        return unknown(f"{holder.display} has no security group of its own (the VPC's default group applies)")
    admission = facts.memoised(("admission", flow, holder.deployment, groups),
                               lambda: _admission(flow, holder, groups, facts))
    outcomes: list[Outcome] = []
    for step in admission.steps:
        if isinstance(step, Outcome):
            outcomes.append(step)
        else:
            outcomes.append(_judged(step[0], step[1], flow, peer, facts))
    if flow.family == 4 and not any(o.passed for o in outcomes):
        outcomes.append(union_admits(list(admission.matching), peer, facts))
    for rule in admission.floating:
        if not rule_allows(rule, flow, peer, facts).failed:
            outcomes.append(unknown(f"the security group of {rule.where.address} ({_unknown_text(rule.group)})"))
    return any_of(outcomes) if outcomes else FAIL


def nacls_admit(flow: Flow, pair: NodePair, facts: Facts) -> Outcome:
    """The network ACLs between the pair's subnets pass the flow both ways it crosses them (and TCP's replies).
    A FAIL names the ACL as its evidence and says in its reason which crossing is dropped."""
    if flow.calico is None:
        return FAIL
    gap = facts.nacl_gap(flow.calico, pair.receiver, pair.sender)
    if isinstance(gap, Outcome):
        return gap
    return Outcome(FAIL.verdict, (gap.crossing.acl.where, gap.where), gap.detail)


def peer_admits(flow: Flow, link: PeerLink, facts: Facts) -> Outcome:
    """Ingress: the node's groups admit BGP from the peer's address; egress: they let it out to the peer."""
    address = link.address
    family = 6 if ":" in address else 4
    wanted = Flow(flow.direction, TCP, link.port, family, flow.calico)
    node = link.node
    if isinstance(node.security_groups, Unknown):
        return unknown(node.security_groups.expr)
    outcomes: list[Outcome] = []
    for key in node.security_groups:
        if isinstance(key, Unknown):
            outcomes.append(unknown(key.expr))
            continue
        group = facts.group(node.deployment, key)
        if group is None:
            outcomes.append(unknown(f"security group {key} is not defined in the scan"))
            continue
        if wanted.direction is Direction.EGRESS and group.default_egress_all:
            outcomes.append(Outcome(PASS.verdict, (group.where,)))
            continue
        for rule in facts.rules_of(node.deployment, key, wanted.direction):
            matched = protocol_matches(rule, wanted)
            if matched.failed:
                continue
            covers = any_of(_address_covered(s, address, rule, facts) for s in rule.sources)
            outcome = all_of([matched, covers])
            outcomes.append(Outcome(outcome.verdict, (rule.where,) if outcome.passed else (), outcome.reason))
    return any_of(outcomes) if outcomes else FAIL


def _address_covered(source: object, address: str, rule: SgRule, facts: Facts) -> Outcome:
    """Whether a rule's source (destination) holds one address outside the node groups."""
    host = f"{address}/{128 if ':' in address else 32}"
    if isinstance(source, Unknown):
        return unknown(source.expr)
    if isinstance(source, CidrSource):
        return unknown(source.cidr.expr) if isinstance(source.cidr, Unknown) else \
            of_bool(union_contains([source.cidr], host) is True)
    if isinstance(source, VpcCidrSource):
        vpc = facts.vpc(rule.deployment, source.vpc)
        blocks = [c for c in (vpc.cidrs if vpc is not None else ()) if isinstance(c, str)]
        return of_bool(union_contains(blocks, host) is True) if blocks else unknown(source.text)
    if isinstance(source, PrefixListSource):
        return unknown(f"prefix list {_unknown_text(source.prefix_list)}")
    # a security group holds the peer only if the peer runs in the scanned VPCs and belongs to it
    inside = [c for c, _ in facts.address_ranges() if union_contains([c], host) is True]
    return unknown(f"whether the peer {address} is in the security group") if inside else FAIL


def _unknown_text(value: object) -> str:
    return value.expr if isinstance(value, Unknown) else str(value)


# ------------------------------------------------------------------------------------------ nodes


def src_dst_check_disabled(_: object, node: NodeGroup, facts: Facts) -> Outcome:
    if node.src_dst_check is False:
        return PASS
    felix = facts.felix_disables_check()
    if felix.passed:
        return felix
    if isinstance(node.src_dst_check, Unknown):
        return unknown(node.src_dst_check.expr)
    return FAIL if felix.failed else felix  # Felix's setting is unknown: so is the verdict


# ------------------------------------------------------------------------------------------ rules


def rule_direction(direction: Direction, rule: SgRule, _: Facts) -> Outcome:
    return of_bool(rule.direction is direction)


def rule_admits(flow: Flow, rule: SgRule, _: Facts) -> Outcome:
    return protocol_matches(rule, flow)


def rule_open_to_internet(_: object, rule: SgRule, __: Facts) -> Outcome:
    """The union of the rule's CIDRs covers all of IPv4 or all of IPv6, however written (0.0.0.0/1 +
    128.0.0.0/1, 0::/0; prefix lists of the scan are already their entries)."""
    return of_bool(bool(covers_everything(s.cidr for s in rule.sources if isinstance(s, CidrSource))))


def rule_on_node(_: object, rule: SgRule, facts: Facts) -> Outcome:
    if isinstance(rule.group, Unknown):
        return unknown(rule.group.expr)
    if rule.group in facts.node_group_keys(rule.deployment):
        return PASS
    undecided = facts.nodes_with_unknown_groups(rule.deployment)
    return unknown(f"the security groups of {undecided[0].display}") if undecided else FAIL


# ------------------------------------------------------------------------------------------ pools


def pool_nat_outgoing(_: object, pool: IpPool, __: Facts) -> Outcome:
    return of_bool(pool.nat_outgoing)


def pool_encapsulates(how: str, pool: IpPool, _: Facts) -> Outcome:
    wanted = (EncapMode.ALWAYS,) if how == "always" else (EncapMode.ALWAYS, EncapMode.CROSS_SUBNET)
    modes = (pool.ipip, pool.vxlan)
    if any(m in wanted for m in modes):
        return PASS
    unknowns = [m for m in modes if isinstance(m, Unknown)]
    return unknown(unknowns[0].expr) if unknowns else FAIL


def pool_overlaps_vpc(_: object, pool: IpPool, facts: Facts) -> Outcome:
    if isinstance(pool.cidr, Unknown):
        return unknown(pool.cidr.expr)
    hits = tuple(where for cidr, where in facts.address_ranges() if cidr_overlaps(pool.cidr, cidr))
    if hits:
        return Outcome(PASS.verdict, hits)
    unknowns = facts.unknown_ranges()
    return unknown(unknowns[0]) if unknowns else FAIL


def calico_accepts(_: object, __: ConfigProblem, ___: Facts) -> Outcome:
    return FAIL


# ------------------------------------------------------------------------------------------ the vocabulary


def _flow_argument(spec: Any) -> Flow:
    try:
        return Flow.of(spec)
    except KeyError as error:
        raise ArgumentError(f"unknown flow or protocol {error.args[0]!r}") from None
    except ValueError as error:
        raise ArgumentError(str(error)) from None


def _direction_argument(value: Any) -> Direction:
    try:
        return Direction(value)
    except ValueError:
        raise ArgumentError(f"{value!r} is not a direction (ingress, egress)") from None


def _true_argument(value: Any) -> bool:
    if value is not True:
        raise ArgumentError(f"takes `true`, not {value!r}")
    return True


def _encapsulation_argument(value: Any) -> str:
    if value not in ("any", "always"):
        raise ArgumentError(f"{value!r} is not one of any, always")
    return str(value)


@dataclass(frozen=True, slots=True)
class PredicateSpec:
    subjects: frozenset[SubjectKind]  # what it can judge: any other `for_each` is a rule-file error
    parse: Callable[[Any], Any]  # the rule file's argument -> what `judge` takes (ArgumentError if it cannot)
    judge: Callable[[Any, Any, Facts], Outcome]
    fields: frozenset[str] = frozenset()  # message placeholders its evidence fills (run._locate)


def _spec(subject: SubjectKind, parse: Callable[[Any], Any], judge: Callable[[Any, Any, Facts], Outcome],
          *fields: str) -> PredicateSpec:
    return PredicateSpec(frozenset({subject}), parse, judge, frozenset(fields))


PREDICATES: Mapping[str, PredicateSpec] = {
    "admits": _spec(SubjectKind.NODE_PAIR, _flow_argument, admits),
    "nacls-admit": _spec(SubjectKind.NODE_PAIR, _flow_argument, nacls_admit, "acl", "detail"),
    "peer-admits": _spec(SubjectKind.BGP_PEER, _flow_argument, peer_admits),
    "src-dst-check-disabled": _spec(SubjectKind.NODE_GROUP, _true_argument, src_dst_check_disabled),
    "rule-direction": _spec(SubjectKind.SG_RULE, _direction_argument, rule_direction),
    "rule-admits": _spec(SubjectKind.SG_RULE, _flow_argument, rule_admits),
    "rule-open-to-internet": _spec(SubjectKind.SG_RULE, _true_argument, rule_open_to_internet),
    "rule-on-node": _spec(SubjectKind.SG_RULE, _true_argument, rule_on_node),
    "pool-nat-outgoing": _spec(SubjectKind.POOL, _true_argument, pool_nat_outgoing),
    "pool-encapsulates": _spec(SubjectKind.POOL, _encapsulation_argument, pool_encapsulates),
    "pool-overlaps-vpc": _spec(SubjectKind.POOL, _true_argument, pool_overlaps_vpc, "overlap"),
    "calico-accepts": _spec(SubjectKind.CONFIG_PROBLEM, _true_argument, calico_accepts),
}
COMBINATORS = ("all", "any", "not")

# `applies_if`: run-level facts that gate a whole case
CONDITIONS: Mapping[str, Callable[[Facts], Outcome]] = {
    "calico-networking": Facts.calico_networking,
    "nodes-span-subnets": Facts.nodes_span_subnets,
    "single-vpc": Facts.single_vpc,
    "protocol-94-allowed": lambda facts: facts.some_rule_allows_protocol(94),
}

# `level_if`: run-level facts that change a rule's level
LEVEL_CONDITIONS: Mapping[str, Callable[[Facts], bool]] = {
    "all_pools_encapsulate_always": Facts.all_pools_encapsulate_always,
}

# for each subject, where it can be reported and the message placeholders that fills (run._locate fills them)
_PAIR_FIELDS = frozenset({"receiver", "sender"})
SUBJECTS: Mapping[SubjectKind, Mapping[ReportAt, frozenset[str]]] = {
    SubjectKind.NODE_PAIR: {ReportAt.RECEIVER: _PAIR_FIELDS | {"rule"}, ReportAt.EVIDENCE: _PAIR_FIELDS | {"rule"},
                            ReportAt.SENDER: _PAIR_FIELDS},
    SubjectKind.NODE_GROUP: {ReportAt.SUBJECT: frozenset({"node"})},
    SubjectKind.SG_RULE: {ReportAt.SUBJECT: frozenset({"rule", "cidr", "flow"})},
    SubjectKind.POOL: {ReportAt.SUBJECT: frozenset({"pool", "cidr", "span", "mode"})},
    SubjectKind.CONFIG_PROBLEM: {ReportAt.SUBJECT: frozenset({"key", "problem", "field"})},
    SubjectKind.BGP_PEER: {ReportAt.SUBJECT: frozenset({"node", "peer", "address", "port"})},
}
UNVERIFIED_FIELDS = frozenset({"reason", "message"})  # what an UNKNOWN note's message adds
