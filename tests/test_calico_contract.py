"""Calico configuration behind the flows beyond BGP/IPIP/VXLAN: WireGuard, Typha, BGP peering, IPv6 pools."""
from __future__ import annotations

from pathlib import Path

import pytest

from linter.calico.documents import load_calico_file
from linter.calico.resources import split_peer_ip
from linter.model import BgpConfig, BgpPeer, EncapMode, Model, Unknown


def read(tmp_path: Path, text: str) -> Model:
    path = tmp_path / "calico.yaml"
    path.write_text(text)
    return load_calico_file(str(path))


def calico_node(env: dict[str, str], extra: str = "") -> str:
    lines = "\n".join(f"            - name: {k}\n              value: {v!r}" for k, v in env.items()) or "            []"
    return f"""{extra}
kind: DaemonSet
apiVersion: apps/v1
metadata: {{name: calico-node}}
spec:
  template:
    spec:
      containers:
        - name: calico-node
          image: calico/node:v3.32.1
          env:
{lines}
"""


def test_felix_wireguard_settings(tmp_path: Path) -> None:
    model = read(tmp_path, """apiVersion: projectcalico.org/v3
kind: FelixConfiguration
metadata: {name: default}
spec: {wireguardEnabled: true, wireguardEnabledV6: false}
---
apiVersion: projectcalico.org/v3
kind: FelixConfiguration
metadata: {name: node.a}
spec: {wireguardEnabled: "${wg}"}
""")
    assert [(f.key, f.wireguard, f.wireguard_v6, f.environment) for f in model.felix] == [
        ("FelixConfiguration/default", True, False, False),
        ("FelixConfiguration/node.a", Unknown("${wg}"), None, False)]


def test_calico_node_wireguard_environment_overrides(tmp_path: Path) -> None:
    model = read(tmp_path, calico_node({"FELIX_WIREGUARDENABLED": "True"}))
    (felix,) = model.felix
    assert (felix.key, felix.wireguard, felix.wireguard_v6, felix.environment) == (
        "DaemonSet/calico-node", True, None, True)
    assert read(tmp_path, calico_node({})).felix == ()


@pytest.mark.parametrize(("value", "runs"), [("calico-typha", True), ("none", False), ("", False)])
def test_typha_from_calico_node_and_its_config_map(tmp_path: Path, value: str, runs: bool) -> None:
    config_map = f"""kind: ConfigMap
apiVersion: v1
metadata: {{name: calico-config}}
data: {{typha_service_name: "{value}"}}
---"""
    text = calico_node({}, config_map).replace("            []", """            - name: FELIX_TYPHAK8SSERVICENAME
              valueFrom: {configMapKeyRef: {name: calico-config, key: typha_service_name}}""")
    model = read(tmp_path, text)
    assert {c.key: c.typha for c in model.calico} == {"ConfigMap/calico-config": runs, "DaemonSet/calico-node": runs}


def test_typha_deployment_runs_unless_scaled_to_zero(tmp_path: Path) -> None:
    deployment = """kind: Deployment
apiVersion: apps/v1
metadata: {name: calico-typha}
spec:
  replicas: %s
  template: {spec: {containers: [{name: calico-typha, image: calico/typha:v3.32.1}]}}
"""
    assert [c.typha for c in read(tmp_path, deployment % 3).calico] == [True]
    assert [c.typha for c in read(tmp_path, deployment % 0).calico] == [False]
    other = deployment.replace("calico-typha", "web").replace("calico/typha", "nginx") % 1
    assert read(tmp_path, other).calico == ()


def test_operator_always_deploys_typha(tmp_path: Path) -> None:
    model = read(tmp_path, """apiVersion: operator.tigera.io/v1
kind: Installation
metadata: {name: default}
spec:
  cni: {type: AmazonVPC}
""")
    assert [c.typha for c in model.calico] == [True]


def test_bgp_configuration_and_peers(tmp_path: Path) -> None:
    model = read(tmp_path, """apiVersion: projectcalico.org/v3
kind: BGPConfiguration
metadata: {name: default}
spec: {nodeToNodeMeshEnabled: false}
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: peer-with-route-reflectors}
spec:
  nodeSelector: all()
  peerSelector: route-reflector == 'true'
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: tor}
spec: {node: node-a, peerIP: "10.0.0.1:1179", asNumber: 64512}
""")
    (config,) = model.bgp_configs
    assert (config.key, config.name, config.mesh, config.where.line) == ("BGPConfiguration/default", "default", False, 1)
    assert [(p.key, p.node, p.node_selector, p.peer_selector, p.peer_ip, p.peer_port) for p in model.bgp_peers] == [
        ("BGPPeer/peer-with-route-reflectors", None, "all()", "route-reflector == 'true'", None, None),
        ("BGPPeer/tor", "node-a", None, None, "10.0.0.1", 1179)]
    assert isinstance(config, BgpConfig) and all(isinstance(p, BgpPeer) for p in model.bgp_peers)


@pytest.mark.parametrize(("text", "expected"), [
    ("10.0.0.1", ("10.0.0.1", None)), ("10.0.0.1:179", ("10.0.0.1", 179)), ("fd00::1", ("fd00::1", None)),
    ("[fd00::1]:1179", ("fd00::1", 1179)), (None, (None, None))])
def test_peer_ip_with_optional_port(text: str | None, expected: tuple) -> None:
    assert split_peer_ip(text) == expected


def test_calico_node_ipv6_pool(tmp_path: Path) -> None:
    model = read(tmp_path, calico_node({"IP6": "autodetect", "CALICO_IPV6POOL_CIDR": "fd00:10::/48",
                                        "CALICO_IPV6POOL_VXLAN": "CrossSubnet", "CALICO_IPV4POOL_CIDR": "10.8.0.0/16"}))
    v4, v6 = model.pools
    assert (v6.key, v6.cidr, v6.vxlan, v6.ipip, v6.nat_outgoing, v6.fallback) == (
        "DaemonSet/calico-node (IPv6)", "fd00:10::/48", EncapMode.CROSS_SUBNET, EncapMode.NEVER, False, True)
    assert v4.cidr == "10.8.0.0/16"
    # IPv6 off, or nothing says the node takes an IPv6 address: no IPv6 pool
    assert len(read(tmp_path, calico_node({"CALICO_IPV6POOL_CIDR": "fd00::/48",
                                           "FELIX_IPV6SUPPORT": "false"})).pools) == 1
    assert len(read(tmp_path, calico_node({})).pools) == 1
    bad = read(tmp_path, calico_node({"IP6": "autodetect", "CALICO_IPV6POOL_CIDR": "10.0.0.0/8"}))
    assert [p.field for p in bad.config_problems] == ["CALICO_IPV6POOL_CIDR"]


def test_pool_node_selectors(tmp_path: Path) -> None:
    model = read(tmp_path, """apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: edge}
spec: {cidr: 10.9.0.0/16, nodeSelector: "zone == 'edge'"}
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: default}
spec: {cidr: 10.10.0.0/16}
---
apiVersion: operator.tigera.io/v1
kind: Installation
metadata: {name: default}
spec:
  calicoNetwork:
    ipPools: [{cidr: 10.11.0.0/16, nodeSelector: "!has(edge)"}]
""")
    assert [p.node_selector for p in model.pools] == ["zone == 'edge'", "all()", "!has(edge)"]
