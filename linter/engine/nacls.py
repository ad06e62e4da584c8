"""Network ACLs on the path between two node groups: stateless, numbered, first match wins.

A packet that leaves one subnet for another crosses the sending subnet's ACL outbound and the receiving
subnet's ACL inbound (traffic inside one subnet crosses none). AWS evaluates an ACL's entries by number,
lowest first; the first entry whose protocol, destination ports and address block match decides, and
what none matches is denied. ACLs keep no state, so a TCP flow's replies are packets of their own: from
the destination port back to the client's ephemeral port. Nodes run Linux, whose ephemeral range is
32768-60999 (net.ipv4.ip_local_port_range): replies to those ports must pass both ACLs too. (AWS's
guide suggests 1024-65535 to serve every client OS; an ACL admitting that range passes.)
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Iterator

from linter.engine.flows import CalicoFlow
from linter.engine.verdict import PASS, Outcome, unknown
from linter.model import (
    ALL_PROTOCOLS, PROTOCOLS_WITH_PORTS, TCP, Direction, Model, NaclAction, NaclRule, NetworkAcl, NodeGroup,
    PortRange, Subnet, Unknown, Where,
)

EPHEMERAL = PortRange(32768, 60999)  # Linux's default net.ipv4.ip_local_port_range
_FIRST_FREE_AFTER_ALL = 100  # where a fix puts its entry when the ACL has none (AWS's console starts at 100)
_LAST_NUMBER = 32766

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class Crossing:
    """One packet stream a flow needs through one ACL: direction, protocol, ports, and the far end's block."""

    acl: NetworkAcl
    direction: Direction
    protocol: int
    ports: PortRange | None
    peer_cidr: str
    what: str  # "BGP (TCP 179)" or "the replies of BGP (TCP 179)"


@dataclass(frozen=True, slots=True)
class Gap:
    """A crossing the ACL drops, where, and the entry number an allow entry would need to be below."""

    crossing: Crossing
    where: Where  # the denying entry, else the ACL (its implicit deny)
    before: int | None  # the number of the denying entry (None: the implicit deny)
    detail: str


class NaclIndex:
    """ACLs, their entries and which ACL serves each subnet, per deployment. Built once per run."""

    def __init__(self, model: Model) -> None:
        self._acls = {(a.deployment, a.key): a for a in model.network_acls}
        rules: dict[tuple[str, str, Direction], list[NaclRule]] = {}
        self._floating: list[NaclRule] = []
        for rule in model.nacl_rules:
            if isinstance(rule.nacl, Unknown):
                self._floating.append(rule)
            else:
                rules.setdefault((rule.deployment, rule.nacl, rule.direction), []).append(rule)
        self._rules = rules
        self._explicit: dict[tuple[str, str], list[str | Unknown]] = {}
        self._undecided: dict[str, str] = {}  # deployment -> why some association's subnet or ACL is unknown
        for acl in model.network_acls:
            if isinstance(acl.subnets, Unknown):
                self._undecided.setdefault(acl.deployment, acl.subnets.expr)
                continue
            for subnet in acl.subnets:
                self._associate(acl.deployment, subnet, acl.key)
        for association in model.nacl_associations:
            self._associate(association.deployment, association.subnet, association.nacl)
        self._defaults = {(a.deployment, a.vpc): a for a in model.network_acls if a.default and isinstance(a.vpc, str)}
        self._any_default = {a.deployment: a for a in model.network_acls if a.default}

    def _associate(self, deployment: str, subnet: str | Unknown, acl: str | Unknown) -> None:
        if isinstance(subnet, Unknown):
            self._undecided.setdefault(deployment, subnet.expr)
        else:
            self._explicit.setdefault((deployment, subnet), []).append(acl)

    def acl_of(self, subnet: Subnet | None, deployment: str, key: str) -> NetworkAcl | None | Unknown:
        """The ACL a subnet's traffic crosses; None: AWS's own default ACL, which allows everything."""
        named = self._explicit.get((deployment, key), [])
        if named:
            acl_key = named[-1]
            if isinstance(acl_key, Unknown):
                return acl_key
            found = self._acls.get((deployment, acl_key))
            return found if found is not None else Unknown(f"network ACL {acl_key} is not defined in the scan")
        if deployment in self._undecided:
            return Unknown(self._undecided[deployment])
        vpc = subnet.vpc if subnet is not None else None
        if isinstance(vpc, str) and (deployment, vpc) in self._defaults:
            return self._defaults[(deployment, vpc)]
        if deployment in self._any_default:
            default = self._any_default[deployment]
            return Unknown(f"whether {default.key} is the default ACL of {key}'s VPC")
        return None

    def declares_any(self, deployment: str) -> bool:
        """Whether the deployment manages any network ACL: with none, every subnet has AWS's default ACL."""
        return any(d == deployment for d, _ in self._acls) or any(d == deployment for d, _ in self._explicit) \
            or deployment in self._undecided or any(r.deployment == deployment for r in self._floating)

    def rules(self, acl: NetworkAcl, direction: Direction) -> list[NaclRule]:
        return self._rules.get((acl.deployment, acl.key, direction), [])

    def floating(self, deployment: str) -> list[NaclRule]:
        return [r for r in self._floating if r.deployment == deployment]


def _network(cidr: object) -> Network | None:
    if not isinstance(cidr, str):
        return None
    try:
        return ipaddress.ip_network(cidr.strip(), strict=False)
    except ValueError:
        return None


def _port_match(rule: NaclRule, protocol: int, ports: PortRange | None) -> bool | str | Unknown:
    """True: matches every wanted port; "partial": some; False: none; Unknown."""
    if isinstance(rule.protocol, Unknown):
        return rule.protocol
    if rule.protocol != ALL_PROTOCOLS and rule.protocol != protocol:
        return False
    if rule.protocol == ALL_PROTOCOLS or protocol not in PROTOCOLS_WITH_PORTS or ports is None or rule.ports is None:
        return True
    if isinstance(rule.ports, Unknown):
        return rule.ports
    if rule.ports.low <= ports.low and ports.high <= rule.ports.high:
        return True
    return "partial" if rule.ports.low <= ports.high and ports.low <= rule.ports.high else False


def _split(remaining: list[Network], block: Network) -> tuple[list[Network], list[Network]]:
    """(the parts of `remaining` inside `block`, the parts outside it)."""
    inside: list[Network] = []
    outside: list[Network] = []
    for network in remaining:
        if network.version != block.version:
            outside.append(network)
        elif network.subnet_of(block):  # type: ignore[arg-type]
            inside.append(network)
        elif block.subnet_of(network):  # type: ignore[arg-type]
            inside.append(block)
            outside.extend(network.address_exclude(block))  # type: ignore[arg-type]
        else:
            outside.append(network)
    return inside, outside


def crossing_gap(index: NaclIndex, crossing: Crossing) -> Gap | Outcome:
    """Walk the ACL's entries in AWS's order: PASS when allow entries take every address of the far end
    before a deny does; the first deny that takes some of them (or the implicit deny) is a Gap."""
    far = _network(crossing.peer_cidr)
    if far is None:
        return unknown(f"the address block {crossing.peer_cidr}")
    entries = index.rules(crossing.acl, crossing.direction)
    if any(isinstance(r.number, Unknown) for r in entries):
        return unknown(next(r.number.expr for r in entries if isinstance(r.number, Unknown)))
    floating = [r for r in index.floating(crossing.acl.deployment) if r.direction is crossing.direction]
    if floating:
        return unknown(f"the network ACL of {floating[0].where.address} ({_expr(floating[0].nacl)})")
    remaining: list[Network] = [far]
    for rule in sorted(entries, key=lambda r: r.number if isinstance(r.number, int) else 0):
        match = _port_match(rule, crossing.protocol, crossing.ports)
        if match is False:
            continue
        block = _network(rule.cidr)
        if block is None:
            return unknown(_expr(rule.cidr))
        inside, outside = _split(remaining, block)
        if not inside:
            continue
        if isinstance(match, Unknown):
            return unknown(match.expr)
        if isinstance(rule.action, Unknown):
            return unknown(rule.action.expr)
        if rule.action is NaclAction.DENY:
            number = rule.number if isinstance(rule.number, int) else None
            return Gap(crossing, rule.where, number, f"entry {rule.number} denies {_stream(crossing)}")
        if match is True:
            remaining = outside
            if not remaining:
                return PASS
    return Gap(crossing, crossing.acl.where, None, f"no entry allows {_stream(crossing)} (the implicit deny)")


def _stream(crossing: Crossing) -> str:
    way = "inbound" if crossing.direction is Direction.INGRESS else "outbound"
    side = "from" if crossing.direction is Direction.INGRESS else "to"
    return f"{way} {crossing.what} {side} {crossing.peer_cidr}"


def _expr(value: object) -> str:
    return value.expr if isinstance(value, Unknown) else str(value)


def _subnets(node: NodeGroup, family: int, subnet_of: "dict[tuple[str, str], Subnet]") -> list[tuple[str, Subnet | None, str | Unknown]] | Unknown:
    """(subnet key, subnet, its block of the family) for each subnet the node group can use."""
    if isinstance(node.subnets, Unknown):
        return node.subnets
    found: list[tuple[str, Subnet | None, str | Unknown]] = []
    for key in node.subnets:
        if isinstance(key, Unknown):
            return key
        subnet = subnet_of.get((node.deployment, key))
        block: str | Unknown
        if subnet is None:
            block = Unknown(f"the address block of subnet {key}")
        else:
            cidr = subnet.cidr if family == 4 else subnet.ipv6_cidr
            block = cidr if cidr is not None else Unknown(f"the IPv6 block of {subnet.key} (none declared)")
        found.append((key, subnet, block))
    return found


def crossings(index: NaclIndex, flow: CalicoFlow, receiver: NodeGroup, sender: NodeGroup,
              subnet_of: "dict[tuple[str, str], Subnet]") -> Iterator[Crossing | Outcome]:
    """Every ACL crossing the flow from sender to receiver needs (Outcome: one that cannot be known)."""
    if not index.declares_any(sender.deployment) and not index.declares_any(receiver.deployment):
        return  # whatever subnets the nodes sit in, each has AWS's default ACL, which allows everything
    sources, targets = _subnets(sender, flow.family, subnet_of), _subnets(receiver, flow.family, subnet_of)
    for side in (sources, targets):
        if isinstance(side, Unknown):
            yield unknown(side.expr)
            return
    assert not isinstance(sources, Unknown) and not isinstance(targets, Unknown)
    ports = PortRange(flow.port, flow.port) if flow.port is not None else None
    for source_key, source, source_block in sources:
        for target_key, target, target_block in targets:
            if source_key == target_key:
                continue  # inside one subnet no ACL is crossed
            out_acl = index.acl_of(source, sender.deployment, source_key)
            in_acl = index.acl_of(target, receiver.deployment, target_key)
            legs = [(out_acl, Direction.EGRESS, target_block, ports, flow.words),
                    (in_acl, Direction.INGRESS, source_block, ports, flow.words)]
            if flow.protocol == TCP:  # replies: from the service port back to the client's ephemeral port
                replies = f"the replies of {flow.words}"
                legs += [(in_acl, Direction.EGRESS, source_block, EPHEMERAL, f"TCP {EPHEMERAL.low}-{EPHEMERAL.high} ({replies})"),
                         (out_acl, Direction.INGRESS, target_block, EPHEMERAL, f"TCP {EPHEMERAL.low}-{EPHEMERAL.high} ({replies})")]
            for acl, direction, block, wanted, what in legs:
                if acl is None:
                    continue
                if isinstance(acl, Unknown):
                    yield unknown(acl.expr)
                elif isinstance(block, Unknown):
                    yield unknown(block.expr)
                else:
                    protocol = TCP if wanted is EPHEMERAL else flow.protocol
                    yield Crossing(acl, direction, protocol, wanted, block, what)


def first_gap(index: NaclIndex, flow: CalicoFlow, receiver: NodeGroup, sender: NodeGroup,
              subnet_of: "dict[tuple[str, str], Subnet]") -> Gap | Outcome:
    """The first crossing an ACL drops; else PASS, or UNKNOWN when one cannot be decided."""
    undecided: Outcome | None = None
    for crossing in crossings(index, flow, receiver, sender, subnet_of):
        verdict = crossing if isinstance(crossing, Outcome) else crossing_gap(index, crossing)
        if isinstance(verdict, Gap):
            return verdict
        if not verdict.passed and undecided is None:
            undecided = verdict
    return undecided if undecided is not None else PASS


def all_gaps(index: NaclIndex, flow: CalicoFlow, receiver: NodeGroup, sender: NodeGroup,
             subnet_of: "dict[tuple[str, str], Subnet]") -> list[Gap]:
    """Every crossing an ACL drops (once each), so that one fix can add every missing entry."""
    found: dict[tuple, Gap] = {}
    for crossing in crossings(index, flow, receiver, sender, subnet_of):
        if isinstance(crossing, Crossing):
            verdict = crossing_gap(index, crossing)
            key = (crossing.acl.deployment, crossing.acl.key, crossing.direction, crossing.protocol, crossing.ports,
                   crossing.peer_cidr)
            if isinstance(verdict, Gap):
                found.setdefault(key, verdict)
    return list(found.values())


def free_number(index: NaclIndex, gap: Gap, taken: frozenset[int] = frozenset()) -> int | None:
    """An entry number that puts a new allow entry before the one that drops the flow, unused in its ACL."""
    used = {r.number for r in index.rules(gap.crossing.acl, gap.crossing.direction) if isinstance(r.number, int)}
    used |= taken
    if gap.before is not None:
        return next((n for n in range(gap.before - 1, 0, -1) if n not in used), None)
    start = max(used, default=_FIRST_FREE_AFTER_ALL - 1) + 1
    return next((n for n in range(start, _LAST_NUMBER + 1) if n not in used), None)

