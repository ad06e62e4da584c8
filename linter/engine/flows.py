"""The ONE catalogue of Calico's network flows on AWS: protocol, port, direction, who talks to whom, when.

Rules name these flows (`admits: {flow: bgp}`); messages, fix labels, `explain`, the rule docs and
`describe` take their words and ports from here. Sources: Calico's "network requirements" table
(BGP TCP 179, IP-in-IP protocol 4, VXLAN UDP 4789, Typha TCP 5473 incoming on Typha's hosts,
WireGuard UDP 51820 for IPv4 and 51821 for IPv6, all others bidirectional between all nodes).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from linter.model import IPIP, PROTOCOLS_WITH_PORTS, TCP, UDP, protocol_name



@dataclass(frozen=True, slots=True)
class CalicoFlow:
    name: str  # what rule files name: `admits: {flow: bgp}`
    label: str  # short: describe's columns, fix labels ("BGP", "Typha")
    protocol: int  # IP protocol number
    port: int | None  # destination port (None: the protocol has no ports)
    family: int  # 4 or 6: the node addresses the packets travel between
    bidirectional: bool  # both ends open connections (else: sender -> receiver only)
    between: str  # who talks to whom, in words
    when: str  # when Calico needs it, in words
    need: str  # the fact that decides when it applies (engine.facts.Facts.flow_needed)
    # pods routed by Calico (not policy-only Calico on the AWS VPC CNI); Typha and WireGuard run either way
    routing: bool = True

    @property
    def protocol_words(self) -> str:
        """`TCP 179`, `UDP 4789`, `IP protocol 4`."""
        if self.protocol not in PROTOCOLS_WITH_PORTS:
            return f"IP protocol {self.protocol}"
        name = protocol_name(self.protocol).upper()
        return f"{name} {self.port}" if self.port is not None else name

    @property
    def words(self) -> str:
        """How messages name the flow: `BGP (TCP 179)`, `WireGuard over IPv6 (UDP 51821)`."""
        family = " over IPv6" if self.family == 6 and "IPv6" not in self.label else ""
        return f"{self.label}{family} ({self.protocol_words})"

    @property
    def short(self) -> str:
        """describe's column heading: `BGP`, `BGP/IPv6`."""
        return f"{self.label}/IPv6" if self.family == 6 else self.label

    @property
    def protocol_name(self) -> str:
        """As AWS writes it in a rule: `tcp`, `udp`, or the number."""
        return protocol_name(self.protocol)


FLOWS: tuple[CalicoFlow, ...] = (
    CalicoFlow("bgp", "BGP", TCP, 179, 4, True, "every node with every BGP peer (all nodes in the node-to-node mesh)",
               "while Calico's BGP is on", "bgp"),
    CalicoFlow("ipip", "IP-in-IP", IPIP, None, 4, True, "every node with every other node",
               "while an IPv4 pool uses ipipMode Always (CrossSubnet: between nodes of different subnets)", "ipip"),
    CalicoFlow("vxlan", "VXLAN", UDP, 4789, 4, True, "every node with every other node",
               "while an IPv4 pool uses vxlanMode Always (CrossSubnet: between nodes of different subnets)", "vxlan"),
    CalicoFlow("typha", "Typha", TCP, 5473, 4, False, "every node (Felix) to the nodes that run Typha",
               "while Typha runs (operator installs always; manifests when typha_service_name is not none)", "typha",
               routing=False),
    CalicoFlow("wireguard", "WireGuard", UDP, 51820, 4, True, "every node with every other node",
               "while Felix enables WireGuard for IPv4 (wireguardEnabled)", "wireguard", routing=False),
    CalicoFlow("wireguard-v6", "WireGuard", UDP, 51821, 6, True, "every node with every other node, over IPv6",
               "while Felix enables WireGuard for IPv6 (wireguardEnabledV6)", "wireguard-v6", routing=False),
    CalicoFlow("bgp-v6", "BGP", TCP, 179, 6, True, "every node with every BGP peer, over the nodes' IPv6 addresses",
               "while BGP is on and an IPv6 pool is in effect", "bgp-v6"),
    CalicoFlow("vxlan-v6", "VXLAN", UDP, 4789, 6, True, "every node with every other node, over IPv6",
               "while an IPv6 pool uses vxlanMode Always (CrossSubnet: between nodes of different subnets)", "vxlan-v6"),
)

_BY_NAME: Mapping[str, CalicoFlow] = {f.name: f for f in FLOWS}


def flow(name: str) -> CalicoFlow:
    """The catalogue entry; a KeyError names a flow that rule files must not use (load_rules checks)."""
    return _BY_NAME[name]


def flow_names() -> tuple[str, ...]:
    return tuple(_BY_NAME)


def flow_of_literal(protocol: int, port: int | None) -> CalicoFlow | None:
    """The catalogue flow a protocol/port literal spells (rule files must name it instead)."""
    return next((f for f in FLOWS if f.family == 4 and f.protocol == protocol and f.port == port), None)


# `{flow:bgp}` -> BGP (TCP 179), `{port:bgp}` -> 179, `{protocol:bgp}` -> tcp, `{label:bgp}` -> BGP, ...
_PLACEHOLDER = re.compile(r"\{(flow|port|protocol|label|protocol_words|between|when):([a-z0-9-]+)\}")


def expand_placeholders(text: str) -> str:
    """Rule files' words and ports come from the catalogue: replace `{flow:NAME}`-style placeholders."""
    def replace(match: re.Match[str]) -> str:
        entry = flow(match.group(2))
        part = match.group(1)
        if part == "flow":
            return entry.words
        if part == "protocol":
            return entry.protocol_name
        if part == "port":
            return str(entry.port)
        return str(getattr(entry, part))
    return _PLACEHOLDER.sub(replace, text)


def unknown_placeholders(text: str) -> list[str]:
    return sorted({m.group(0) for m in _PLACEHOLDER.finditer(text) if m.group(2) not in _BY_NAME})
