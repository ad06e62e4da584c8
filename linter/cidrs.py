"""CIDRs as sets of addresses: unions, coverage and containment, whatever the spelling.

`0.0.0.0/1` + `128.0.0.0/1` is all of IPv4 as much as `0.0.0.0/0` is; `0::/0` is `::/0`. Imports
nothing of ours, so the parsers, the engine and the reporters can all use it.
"""
from __future__ import annotations

import ipaddress
from typing import Iterable, Union

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]

ALL_IPV4 = ipaddress.IPv4Network("0.0.0.0/0")
ALL_IPV6 = ipaddress.IPv6Network("::/0")


def network(cidr: object) -> Network | None:
    """The network a CIDR text names (host bits ignored, as AWS does), or None when it is not one."""
    if not isinstance(cidr, str) or "/" not in cidr:
        return None
    try:
        return ipaddress.ip_network(cidr.strip(), strict=False)
    except ValueError:
        return None


def union(cidrs: Iterable[object]) -> tuple[Network, ...]:
    """The collapsed union of the CIDRs that parse (IPv4 first, then IPv6); the rest are left out."""
    parsed = [n for n in (network(c) for c in cidrs) if n is not None]
    v4 = ipaddress.collapse_addresses(n for n in parsed if n.version == 4)
    v6 = ipaddress.collapse_addresses(n for n in parsed if n.version == 6)
    return (*v4, *v6)


def covers_everything(cidrs: Iterable[object]) -> tuple[str, ...]:
    """`("0.0.0.0/0",)`, `("::/0",)`, both or neither: the address families the union covers whole."""
    networks = union(cidrs)
    return tuple(text for whole, text in ((ALL_IPV4, "0.0.0.0/0"), (ALL_IPV6, "::/0")) if whole in networks)


def union_contains(cidrs: Iterable[object], inner: object) -> bool | None:
    """Whether every address of `inner` is in the union of `cidrs`; None when `inner` is not a CIDR."""
    wanted = network(inner)
    if wanted is None:
        return None
    outer = [n for n in union(cidrs) if n.version == wanted.version]
    return any(wanted.subnet_of(n) for n in outer)  # type: ignore[arg-type]  # collapsed blocks are maximal
