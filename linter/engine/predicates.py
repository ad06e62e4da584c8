"""The closed vocabulary that rule files compose (rules/schema.json lists it), implemented once."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Union

from linter.cidrs import covers_everything
from linter.engine.facts import Facts, cidr_overlaps
from linter.engine.flows import PROTOCOL_NUMBERS, CalicoFlow, flow
from linter.model import (
    ALL_PROTOCOLS, PROTOCOLS_WITH_PORTS, CidrSource, ConfigProblem, Direction, EncapMode,
    GroupSource, IpPool, NodeGroup, PrefixListSource, SgRule, Unknown, VpcCidrSource,
)
from linter.engine.verdict import FAIL, PASS, Outcome, all_of, any_of, negate, of_bool, unknown

INTERNET = ("0.0.0.0/0", "::/0")


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
            entry = flow(spec["flow"])
            return Flow(direction, entry.protocol, entry.port, entry.family, entry)
        protocol = spec["protocol"]
        number = PROTOCOL_NUMBERS[protocol] if isinstance(protocol, str) else int(protocol)
        return Flow(direction, number, spec.get("port"))


Subject = Union[NodePair, NodeGroup, SgRule, IpPool, ConfigProblem]


def evaluate(predicate: Mapping[str, Any], subject: Subject, facts: Facts) -> Outcome:
    (name, argument), = predicate.items()
    if name == "all":
        return all_of(evaluate(p, subject, facts) for p in argument)
    if name == "any":
        return any_of(evaluate(p, subject, facts) for p in argument)
    if name == "not":
        return negate(evaluate(argument, subject, facts))
    return _PREDICATES[name](argument, subject, facts)


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
        if isinstance(peer.security_groups, Unknown):
            return unknown(peer.security_groups.expr)
        if group in peer.security_groups:
            return PASS
        unknown_groups = [k for k in peer.security_groups if isinstance(k, Unknown)]
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


def rule_allows(rule: SgRule, flow: Flow, peer: NodeGroup, facts: Facts) -> Outcome:
    matched = protocol_matches(rule, flow)
    if matched.failed:
        return FAIL
    covers = any_of(source_covers(s, rule, peer, facts) for s in rule.sources)
    outcome = all_of([matched, covers])
    return Outcome(outcome.verdict, (rule.where,) if outcome.passed else (), outcome.reason)


def admits(spec: Mapping[str, Any], pair: NodePair, facts: Facts) -> Outcome:
    """Ingress: the receiver's groups admit the flow from the sender. Egress: the sender's let it out."""
    flow = Flow.of(spec)
    holder, peer = (pair.receiver, pair.sender) if flow.direction is Direction.INGRESS else (pair.sender, pair.receiver)
    if isinstance(holder.security_groups, Unknown):
        return unknown(holder.security_groups.expr)
    if not holder.security_groups:
        return unknown(f"{holder.display} has no security group of its own (the VPC's default group applies)")
    outcomes: list[Outcome] = []
    matching: list[SgRule] = []  # rules that let the flow's protocol and port through
    for key in holder.security_groups:
        if isinstance(key, Unknown):
            outcomes.append(unknown(key.expr))
            continue
        group = facts.group(holder.deployment, key)
        if group is None:
            outcomes.append(unknown(f"security group {key} is not defined in the scan"))
            continue
        if flow.direction is Direction.EGRESS and group.default_egress_all:
            outcomes.append(Outcome(PASS.verdict, (group.where,)))
            continue
        for rule in facts.rules_of(holder.deployment, key, flow.direction):
            outcomes.append(rule_allows(rule, flow, peer, facts))
            if protocol_matches(rule, flow).passed:
                matching.append(rule)
    if not any(o.passed for o in outcomes):
        outcomes.append(union_admits(matching, peer, facts))
    for rule in facts.floating_rules(holder.deployment, flow.direction):
        if not rule_allows(rule, flow, peer, facts).failed:
            outcomes.append(unknown(f"the security group of {rule.where.address} ({_unknown_text(rule.group)})"))
    return any_of(outcomes) if outcomes else FAIL


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


def rule_direction(direction: str, rule: SgRule, _: Facts) -> Outcome:
    return of_bool(rule.direction.value == direction)


def rule_admits(spec: Mapping[str, Any], rule: SgRule, _: Facts) -> Outcome:
    return protocol_matches(rule, Flow.of(spec))


def rule_open_to_internet(_: object, rule: SgRule, __: Facts) -> Outcome:
    cidrs = [s.cidr for s in rule.sources if isinstance(s, CidrSource)]
    return of_bool(any(c in INTERNET for c in cidrs if isinstance(c, str)))


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


_PREDICATES: dict[str, Callable[[Any, Any, Facts], Outcome]] = {
    "admits": admits,
    "src-dst-check-disabled": src_dst_check_disabled,
    "rule-direction": rule_direction,
    "rule-admits": rule_admits,
    "rule-open-to-internet": rule_open_to_internet,
    "rule-on-node": rule_on_node,
    "pool-nat-outgoing": pool_nat_outgoing,
    "pool-encapsulates": pool_encapsulates,
    "pool-overlaps-vpc": pool_overlaps_vpc,
    "calico-accepts": calico_accepts,
}
