"""Which Calico flows the configuration in effect needs: Typha, WireGuard, the BGP topology, pool selectors."""
from __future__ import annotations

import pytest

from linter.engine.facts import Facts
from linter.engine.flows import flow
from linter.engine.selectors import UNDECLARED_LABELS, SelectorError, parse_selector
from linter.engine.verdict import Verdict
from linter.model import (
    BgpConfig, BgpPeer, CalicoNetwork, EncapMode, FelixConfig, IpPool, Model, Networking, NodeGroup, NodeKind, Unknown,
    Where,
)

HERE = Where("x.yaml")


def node(key: str, labels: dict[str, str] | None = None) -> NodeGroup:
    return NodeGroup(key, NodeKind.AUTOSCALING_GROUP, HERE, (), (), False, HERE, multiple=True,
                     labels=tuple(labels.items()) if labels is not None else None)


def verdict(model: Model, name: str, receiver: NodeGroup, sender: NodeGroup) -> Verdict:
    return Facts(model).flow_needed(flow(name), receiver, sender).verdict


A, B = node("aws_autoscaling_group.workers", {"role": "worker"}), node("aws_autoscaling_group.rr", {"rr": "true"})
BARE = node("aws_autoscaling_group.bare")


@pytest.mark.parametrize(("settings", "expected"), [
    ((), Verdict.FAIL), ((True,), Verdict.PASS), ((False, True), Verdict.PASS), ((Unknown("x"),), Verdict.UNKNOWN)])
def test_typha_runs_when_any_document_says_so(settings: tuple, expected: Verdict) -> None:
    model = Model(calico=tuple(CalicoNetwork(f"c{i}", HERE, typha=v) for i, v in enumerate(settings)))
    assert verdict(model, "typha", A, B) is expected


def test_wireguard_environment_overrides_resources() -> None:
    resource = FelixConfig("FelixConfiguration/default", None, HERE, wireguard=True, wireguard_v6=False)
    environment = FelixConfig("DaemonSet/calico-node", None, HERE, wireguard=False, environment=True)
    assert verdict(Model(felix=(resource,)), "wireguard", A, B) is Verdict.PASS
    assert verdict(Model(felix=(resource, environment)), "wireguard", A, B) is Verdict.FAIL
    assert verdict(Model(felix=(resource,)), "wireguard-v6", A, B) is Verdict.FAIL
    assert verdict(Model(), "wireguard", A, B) is Verdict.FAIL  # Felix's default is off


def test_bgp_follows_the_peering_topology_when_the_mesh_is_off() -> None:
    mesh_off = (BgpConfig("BGPConfiguration/default", "default", HERE, mesh=False),)
    to_reflectors = BgpPeer("BGPPeer/rr", HERE, node_selector="all()", peer_selector="rr == 'true'")
    assert verdict(Model(), "bgp", A, A) is Verdict.PASS  # the mesh: every pair
    assert verdict(Model(bgp_configs=mesh_off), "bgp", A, B) is Verdict.FAIL  # no peers at all
    model = Model(bgp_configs=mesh_off, bgp_peers=(to_reflectors,))
    assert verdict(model, "bgp", A, B) is Verdict.PASS  # a worker peers with the reflectors
    assert verdict(model, "bgp", B, A) is Verdict.PASS  # and Calico configures the reflectors' end
    assert verdict(model, "bgp", A, A) is Verdict.FAIL  # workers do not peer with each other
    assert verdict(model, "bgp", BARE, A) is Verdict.UNKNOWN  # no labels declared: cannot tell


def test_a_pool_serves_the_nodes_its_selector_selects() -> None:
    edge = IpPool("IPPool/edge", "10.9.0.0/16", EncapMode.ALWAYS, EncapMode.NEVER, True, HERE, "IPPool",
                  node_selector="role == 'worker'")
    model = Model(pools=(edge,))
    assert verdict(model, "ipip", A, B) is Verdict.PASS  # A's pods are IP-in-IP destinations
    assert verdict(model, "ipip", B, A) is Verdict.FAIL  # B's pods are not in the pool
    assert verdict(model, "ipip", BARE, A) is Verdict.UNKNOWN


def test_ipv6_pools_need_their_own_flows() -> None:
    v6 = IpPool("IPPool/v6", "fd00::/48", EncapMode.NEVER, EncapMode.CROSS_SUBNET, False, HERE, "IPPool")
    v4 = IpPool("IPPool/v4", "10.9.0.0/16", EncapMode.NEVER, EncapMode.NEVER, True, HERE, "IPPool")
    model = Model(pools=(v4, v6))
    facts = Facts(model)
    assert facts.flow_in_use(flow("vxlan-v6")).passed and facts.flow_in_use(flow("vxlan")).failed
    assert facts.flow_in_use(flow("bgp-v6")).passed
    assert Facts(Model(pools=(v4,))).flow_in_use(flow("bgp-v6")).failed


@pytest.mark.parametrize(("text", "labels", "expected"), [
    ("all()", UNDECLARED_LABELS, True), ("has(rr)", UNDECLARED_LABELS, None), ("!has(rr)", {}, True),
    ("rr == 'true' && zone in {'a', 'b'}", {"rr": "true", "zone": "c"}, False),
    ("rr != 'true'", {}, True), ("zone not in {'a'}", {"zone": "b"}, True),
    ("(rr == 'true') || role == \"worker\"", {"role": "worker"}, True),
    ("name starts with 'ip-10'", {"name": "ip-10-0-0-1"}, True)])
def test_calico_selectors(text: str, labels: dict, expected: bool | None) -> None:
    assert parse_selector(text).matches(labels) is expected


@pytest.mark.parametrize("text", ["rr ==", "has(rr", "rr ~ 'x'", "rr == true"])
def test_bad_selectors_are_refused(text: str) -> None:
    with pytest.raises(SelectorError):
        parse_selector(text)


def test_policy_only_calico_needs_typha_and_wireguard_but_no_routing_flows() -> None:
    policy_only = (CalicoNetwork("Installation/default", HERE, networking=Networking.POLICY_ONLY, bgp=False,
                                 typha=True),)
    model = Model(calico=policy_only)
    assert verdict(model, "typha", A, B) is Verdict.PASS
    assert verdict(model, "ipip", A, B) is Verdict.FAIL and verdict(model, "bgp", A, B) is Verdict.FAIL
