"""CIDR unions: coverage and containment decided on the addresses, never on the spelling."""
from __future__ import annotations

import ipaddress

from hypothesis import given, strategies as st

from linter.cidrs import covers_everything, network, union, union_contains


def test_the_whole_address_space_however_written() -> None:
    assert covers_everything(["0.0.0.0/0"]) == ("0.0.0.0/0",)
    assert covers_everything(["0.0.0.0/1", "128.0.0.0/1"]) == ("0.0.0.0/0",)
    assert covers_everything(["0::/0"]) == ("::/0",)
    assert covers_everything(["::/1", "8000::/1", "0.0.0.0/0"]) == ("0.0.0.0/0", "::/0")


def test_almost_everything_is_not_everything() -> None:
    assert covers_everything(["0.0.0.0/1", "128.0.0.0/2"]) == ()
    assert covers_everything(["0.0.0.0/0 junk", "10.0.0.0/8", 7, None]) == ()
    assert covers_everything([]) == ()


def test_host_bits_are_ignored_as_aws_does() -> None:
    assert network("10.1.2.3/8") == ipaddress.ip_network("10.0.0.0/8")
    assert network("10.1.2.3") is None  # an address is not a CIDR
    assert union(["10.0.0.0/25", "10.0.0.128/25", "fd00::/8"]) == (
        ipaddress.ip_network("10.0.0.0/24"), ipaddress.ip_network("fd00::/8"))


def test_containment_across_blocks() -> None:
    assert union_contains(["10.0.0.0/24", "10.0.1.0/24"], "10.0.0.0/23") is True
    assert union_contains(["10.0.0.0/24", "10.0.2.0/24"], "10.0.0.0/23") is False
    assert union_contains(["10.0.0.0/8"], "fd00::/64") is False
    assert union_contains(["10.0.0.0/8"], "nonsense") is None


_SMALL = st.tuples(st.integers(0, 255), st.integers(24, 32)).map(
    lambda t: ipaddress.ip_network((0x0A000000 + t[0], t[1]), strict=False))


@given(st.lists(_SMALL, max_size=8), _SMALL)
def test_containment_agrees_with_counting_addresses(outer: list, inner: ipaddress.IPv4Network) -> None:
    addresses = {int(a) for n in outer for a in n}
    expected = all(int(a) in addresses for a in inner)
    assert union_contains([str(n) for n in outer], str(inner)) is expected
