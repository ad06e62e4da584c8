"""linter.calico.documents: every Calico form read into the model (fixtures in tests/fixtures/calico_parser)."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linter.model import (
    CalicoNetwork,
    EncapMode,
    FelixConfig,
    IpPool,
    Level,
    Model,
    Networking,
    ParseProblem,
    SrcDstCheck,
    Unknown,
    Where,
)
from linter.calico.documents import (
    load_calico_file,
    load_calico_objects,
    load_helm_values,
    looks_like_kubernetes,
)

FIXTURES = Path(__file__).parent / "fixtures" / "calico_parser"
NEVER, ALWAYS, CROSS = EncapMode.NEVER, EncapMode.ALWAYS, EncapMode.CROSS_SUBNET
TEMPLATE_NOTE = "template not rendered: render it (e.g. `helm template`) and scan the output"


def load(name: str) -> Model:
    return load_calico_file(str(FIXTURES / name))


def at(name: str, line: int, key: str) -> Where:
    return Where(str(FIXTURES / name), line, 1, key)


def pool_values(model: Model) -> list[tuple]:
    return [(p.key, p.cidr, p.ipip, p.vxlan, p.nat_outgoing, p.disabled, p.fallback) for p in model.pools]


def node_model(env: str, extra: str = "") -> Model:
    text = f"""{extra}
kind: DaemonSet
apiVersion: apps/v1
metadata:
  name: calico-node
spec:
  template:
    spec:
      containers:
        - name: calico-node
          image: calico/node:v3.32.1
          env:
{env}
"""
    return load_calico_file("/repo/calico.yaml", text=text)


def env(**values: str) -> str:
    return "\n".join(f"            - name: {k}\n              value: {v!r}" for k, v in values.items()) or "            []"


# ------------------------------------------------------------------------------------------ calicoctl v1


def test_v1_ip_pools_with_defaults() -> None:
    model = load("v1_pool_ok.yaml")
    assert model.pools == (
        IpPool("ipPool/192.168.0.0/16", "192.168.0.0/16", CROSS, NEVER, True,
               at("v1_pool_ok.yaml", 2, "ipPool/192.168.0.0/16"), "ipPool (calicoctl v1)"),
        IpPool("ipPool/10.1.0.0/16", "10.1.0.0/16", ALWAYS, NEVER, False,
               at("v1_pool_ok.yaml", 12, "ipPool/10.1.0.0/16"), "ipPool (calicoctl v1)"),
        IpPool("ipPool/10.2.0.0/16", "10.2.0.0/16", NEVER, NEVER, False,
               at("v1_pool_ok.yaml", 19, "ipPool/10.2.0.0/16"), "ipPool (calicoctl v1)", disabled=True),
    )
    assert model.config_problems == ()
    assert model.files == (str(FIXTURES / "v1_pool_ok.yaml"),)


def test_v1_pool_without_ipip_block_has_no_ipip() -> None:
    text = "apiVersion: v1\nkind: ipPool\nmetadata:\n  cidr: 10.9.0.0/16\n"
    (pool,) = load_calico_file("/r/p.yaml", text=text).pools
    assert (pool.ipip, pool.nat_outgoing) == (NEVER, False)


# ------------------------------------------------------------------------------------------ v3 / crd v1


def test_v3_pools_and_felix_in_a_multi_document_file() -> None:
    model = load("v3_ok.yaml")
    assert pool_values(model) == [
        ("IPPool/default-ipv4-ippool", "10.244.0.0/16", CROSS, NEVER, True, False, False),
        ("IPPool/vxlan-pool", "10.245.0.0/16", NEVER, ALWAYS, False, True, False),
        ("IPPool/v6", "fd00:1::/48", NEVER, NEVER, False, False, False),
    ]
    assert [p.origin for p in model.pools] == [
        "IPPool (projectcalico.org/v3)", "IPPool (crd.projectcalico.org/v1)", "IPPool (projectcalico.org/v3)"]
    assert model.pools[0].where == at("v3_ok.yaml", 8, "IPPool/default-ipv4-ippool")
    assert model.felix == (FelixConfig("FelixConfiguration/default", "Disable",
                                       at("v3_ok.yaml", 34, "FelixConfiguration/default")),)
    assert model.config_problems == () and model.problems == () and model.calico == ()


def test_felix_without_aws_setting_is_none() -> None:
    text = "apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: default}\nspec: {}\n"
    (felix,) = load_calico_file("/r/f.yaml", text=text).felix
    assert felix.aws_src_dst_check is None


def test_kind_list_items_are_read_at_their_own_lines() -> None:
    model = load("list.yaml")
    assert [(p.key, p.where.line, p.ipip, p.vxlan, p.nat_outgoing) for p in model.pools] == [
        ("IPPool/first", 4, ALWAYS, NEVER, False),
        ("IPPool/second", 15, NEVER, CROSS, True),
    ]


# ------------------------------------------------------------------------------------------ operator


def test_installation_without_pools_is_the_operator_default_pool() -> None:
    model = load("installation_default.yaml")
    where = at("installation_default.yaml", 1, "Installation/default")
    assert model.pools == (IpPool("Installation/default", "192.168.0.0/16", ALWAYS, NEVER, True, where,
                                  "Installation (operator.tigera.io/v1)"),)
    assert model.calico == (CalicoNetwork("Installation/default", where, bgp=True, networking=Networking.CALICO,
                                          typha=True),)


def test_installation_on_eks_defaults_to_vxlan_and_no_bgp() -> None:
    model = load("installation_eks.yaml")
    assert pool_values(model) == [("Installation/default", "172.16.0.0/16", NEVER, ALWAYS, True, False, False)]
    assert (model.calico[0].bgp, model.calico[0].networking) == (False, Networking.CALICO)


def test_installation_with_amazon_vpc_cni_is_policy_only_without_pools() -> None:
    model = load("installation_amazonvpc.yaml")
    assert model.pools == ()
    assert (model.calico[0].bgp, model.calico[0].networking) == (False, Networking.POLICY_ONLY)


def test_installation_pools_take_operator_defaults() -> None:
    model = load("installation_pools.yaml")
    assert pool_values(model) == [
        ("Installation/default", "10.48.0.0/16", ALWAYS, NEVER, True, False, False),
        ("Installation/default", "10.49.0.0/16", NEVER, CROSS, False, False, False),
        ("Installation/default", "fd00:48::/64", NEVER, NEVER, False, False, False),  # IPv6: None, Disabled
    ]
    assert {p.where for p in model.pools} == {at("installation_pools.yaml", 1, "Installation/default")}
    assert model.calico[0].bgp is True
    assert model.config_problems == ()


def test_installation_with_empty_pool_list_creates_no_pool() -> None:
    text = "apiVersion: operator.tigera.io/v1\nkind: Installation\nmetadata: {name: default}\n" \
           "spec: {calicoNetwork: {ipPools: []}}\n"
    assert load_calico_file("/r/i.yaml", text=text).pools == ()


def test_helm_values_file_reads_like_an_installation() -> None:
    model = load("helm_values.yaml")
    where = at("helm_values.yaml", 2, "HelmValues/installation")
    assert model.pools == (IpPool("HelmValues/installation", "10.60.0.0/16", CROSS, NEVER, True, where,
                                  "tigera-operator Helm values"),)
    assert model.calico == (CalicoNetwork("HelmValues/installation", where, bgp=True, networking=Networking.CALICO,
                                          typha=True),)


def test_helm_values_from_terraform() -> None:
    where = Where("/repo/main.tf", 12, 1, "helm_release.calico")
    values = {"installation": {"kubernetesProvider": "EKS", "calicoNetwork": {"bgp": Unknown("var.bgp")}}}
    model = load_helm_values(values, where=where, key="helm_release.calico")
    assert pool_values(model) == [("helm_release.calico", "172.16.0.0/16", NEVER, ALWAYS, True, False, False)]
    assert model.pools[0].where == where
    assert model.calico[0].bgp == Unknown("var.bgp")
    assert load_helm_values({"installation": {"enabled": False, "cni": {"type": "Calico"}}},
                            where=where, key="helm_release.calico") == Model()


# ------------------------------------------------------------------------------------------ calico-node


def test_calico_node_reads_env_and_resolves_config_map() -> None:
    model = load("calico_node.yaml")
    where = at("calico_node.yaml", 11, "DaemonSet/calico-node")
    assert model.pools == (IpPool("DaemonSet/calico-node", "10.244.0.0/16", ALWAYS, NEVER, True, where,
                                  "calico-node environment", fallback=True),)
    assert model.calico == (CalicoNetwork("DaemonSet/calico-node", where, bgp=True, networking=Networking.CALICO,
                                          typha=False),)
    assert model.felix == (FelixConfig("DaemonSet/calico-node", SrcDstCheck.DISABLE, where, environment=True),)
    assert model.config_problems == ()


def test_calico_node_defaults() -> None:
    model = node_model(env())
    (pool,) = model.pools
    assert (pool.ipip, pool.vxlan, pool.nat_outgoing, pool.fallback) == (NEVER, NEVER, True, True)
    assert isinstance(pool.cidr, Unknown)  # kubeadm podSubnet, else 192.168.0.0/16: not guessed
    assert (model.calico[0].bgp, model.calico[0].networking, model.felix) == (True, Networking.CALICO, ())


def test_calico_node_found_by_image_whatever_the_names() -> None:
    model = load("calico_node_bad.yaml")
    assert [p.key for p in model.pools] == ["DaemonSet/canal"]


@pytest.mark.parametrize(
    ("backend", "bgp", "networking", "pools"),
    [
        ("bird", True, Networking.CALICO, 1),
        ("BIRD", True, Networking.CALICO, 1),
        ("vxlan", False, Networking.CALICO, 1),
        ("none", False, Networking.POLICY_ONLY, 0),
        ("k8s,bgp", Unknown("CALICO_NETWORKING_BACKEND: 'k8s,bgp'"), Networking.CALICO, 1),
    ],
)
def test_calico_node_backends(backend: str, bgp: object, networking: Networking, pools: int) -> None:
    model = node_model(env(CALICO_NETWORKING_BACKEND=backend, CALICO_IPV4POOL_VXLAN="CrossSubnet"))
    assert (model.calico[0].bgp, model.calico[0].networking, len(model.pools)) == (bgp, networking, pools)
    assert model.config_problems == ()


def test_backend_none_with_calico_ipam_is_still_calico_networking() -> None:
    config_map = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: calico-config}\n"
                  "data: {cni_network_config: '{\"ipam\": {\"type\": \"calico-ipam\"}}'}\n---")
    model = node_model(env(CALICO_NETWORKING_BACKEND="none"), extra=config_map)
    assert (model.calico[0].bgp, model.calico[0].networking, len(model.pools)) == (False, Networking.CALICO, 1)


def test_no_default_pools_means_no_env_pool() -> None:
    model = node_model(env(NO_DEFAULT_POOLS="true", CALICO_IPV4POOL_CIDR="10.0.0.0/16"))
    assert model.pools == () and len(model.calico) == 1


def test_env_values_are_case_insensitive() -> None:
    model = node_model(env(CALICO_IPV4POOL_IPIP="cross-subnet", CALICO_IPV4POOL_NAT_OUTGOING="FALSE",
                           FELIX_AWSSRCDSTCHECK="DISABLE"))
    assert (model.pools[0].ipip, model.pools[0].nat_outgoing) == (CROSS, False)
    assert [f.aws_src_dst_check for f in model.felix] == [SrcDstCheck.DISABLE]


def test_unresolved_config_map_is_unknown_and_placeholders_are_unknown() -> None:
    model = load("placeholders.yaml")
    v3, node = model.pools
    assert (v3.cidr, v3.ipip, v3.nat_outgoing) == (Unknown("${pod_cidr}"), Unknown("{{ .Values.ipipMode }}"), True)
    assert (node.cidr, node.ipip) == (Unknown("$(POD_CIDR)"), Unknown("${ipip_mode}"))
    assert model.calico[0].bgp == Unknown("configMapKeyRef elsewhere/calico_backend")
    assert model.config_problems == ()  # placeholders are never invalid


def test_other_daemonsets_and_documents_are_ignored() -> None:
    text = """apiVersion: apps/v1
kind: DaemonSet
metadata: {name: kube-proxy}
spec: {template: {spec: {containers: [{name: kube-proxy, image: k8s/kube-proxy}]}}}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ippools.crd.projectcalico.org}
spec: {group: crd.projectcalico.org, names: {kind: IPPool}}
"""
    model = load_calico_file("/r/x.yaml", text=text)
    assert (model.pools, model.calico, model.config_problems, model.problems) == ((), (), (), ())
    assert model.files == ("/r/x.yaml",)


# ------------------------------------------------------------------------------------------ embedded in Terraform


def test_objects_embedded_in_terraform_are_located_at_the_resource() -> None:
    where = Where("/repo/calico.tf", 30, 1, "kubectl_manifest.pool")
    objects = [
        {"apiVersion": "projectcalico.org/v3", "kind": "IPPool", "metadata": {"name": "p", "__line__": 3},
         "spec": {"cidr": Unknown("var.pod_cidr"), "ipipMode": "Always", "natOutgoing": Unknown("var.nat")},
         "__line__": 31},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "calico-config"},
         "data": {"calico_backend": "vxlan"}},
        {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "calico-node"},
         "spec": {"template": {"spec": {"containers": [{"name": "calico-node", "env": [
             {"name": "CALICO_NETWORKING_BACKEND",
              "valueFrom": {"configMapKeyRef": {"name": "calico-config", "key": "calico_backend"}}}]}]}}}},
    ]
    model = load_calico_objects(objects, where=where, key_prefix="kubectl_manifest.pool")
    assert [(p.key, p.where, p.cidr, p.ipip, p.nat_outgoing) for p in model.pools] == [
        ("kubectl_manifest.pool", where, Unknown("var.pod_cidr"), ALWAYS, Unknown("var.nat")),
        ("kubectl_manifest.pool", where, Unknown("CALICO_IPV4POOL_CIDR unset: kubeadm podSubnet, else 192.168.0.0/16"),
         NEVER, True),
    ]
    assert model.calico[0].bgp is False
    assert model.config_problems == () and model.files == ()
    unkeyed = load_calico_objects(objects[:1], where=where)
    assert unkeyed.pools[0].key == "IPPool/p" and unkeyed.pools[0].where == Where("/repo/calico.tf", 30, 1, "IPPool/p")


# ------------------------------------------------------------------------------------------ bad files


def test_unrendered_template_is_one_note() -> None:
    model = load("template.yaml")
    assert model.problems == (ParseProblem(Where(str(FIXTURES / "template.yaml"), 7, 3), TEMPLATE_NOTE, Level.NOTE),)
    assert model.pools == ()


def test_broken_calico_yaml_is_cal000_at_the_error_line() -> None:
    model = load("broken_calico.yaml")
    assert model.problems == (ParseProblem(Where(str(FIXTURES / "broken_calico.yaml"), 7, 12),
                                           "invalid YAML: mapping values are not allowed in this context"),)
    assert model.pools == ()


def test_broken_yaml_of_someone_else_is_ignored_silently() -> None:
    assert load("broken_other.yaml") == Model()


def test_unreadable_bytes_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"\x80\x81\x00garbage")  # (\xff\xfe would be a UTF-16 byte-order mark)
    assert load_calico_file(str(path)) == Model()


def test_json_is_read() -> None:
    text = '{"apiVersion": "projectcalico.org/v3", "kind": "IPPool", "metadata": {"name": "j"},\n' \
           '\t"spec": {"cidr": "10.1.0.0/16", "vxlanMode": "Always", "natOutgoing": true}}'
    assert pool_values(load_calico_file("/r/p.json", text=text)) == [
        ("IPPool/j", "10.1.0.0/16", NEVER, ALWAYS, True, False, False)]


def test_suppression_comments_are_collected() -> None:
    model = load("suppressed.yaml")
    (suppression,) = model.suppressions
    assert (suppression.rules, suppression.reason, suppression.target_line) == (
        ("CAL005",), "NAT is done by our egress gateway", 2)
    assert model.pools[0].where.line == 2


def test_looks_like_kubernetes() -> None:
    assert looks_like_kubernetes("apiVersion: v1\nkind: ipPool\n")
    assert looks_like_kubernetes('{"apiVersion": "v1", "kind": "List"}')
    assert looks_like_kubernetes("imagePullSecrets: {}\ninstallation:\n  enabled: true\n")
    assert not looks_like_kubernetes("- hosts: all\n  tasks: []\n")
    assert not looks_like_kubernetes("name: chart\nversion: 1.0\n")


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_random_text_never_raises(text: str) -> None:
    assert isinstance(load_calico_file("/r/random.yaml", text=text), Model)


_CALICO_LINES = st.sampled_from([
    "apiVersion: projectcalico.org/v3", "apiVersion: v1", "apiVersion: operator.tigera.io/v1", "kind: IPPool",
    "kind: ipPool", "kind: Installation", "kind: DaemonSet", "kind: List", "items:", "- kind: IPPool", "spec:",
    "  cidr: 10.0.0.0/16", "  ipipMode: Always", "  ipip: 3", "  calicoNetwork:", "    ipPools: 5",
    "    ipPools:", "    - cidr: [1]", "  template: {spec: {containers: [{name: calico-node, env: 7}]}}",
    "metadata: []", "metadata:", "  name: x", "  cidr: {a: 1}", "---", "installation: {cni: 3}", "{{ x }}", "  - 1",
])


@settings(max_examples=150, deadline=None)
@given(st.lists(_CALICO_LINES, max_size=12))
def test_calico_shaped_garbage_never_raises(lines: list[str]) -> None:
    assert isinstance(load_calico_file("/r/random.yaml", text="\n".join(lines)), Model)


def test_calicoctl_lists_and_top_level_sequences() -> None:
    v1_list = "- apiVersion: v1\n  kind: ipPool\n  metadata:\n    cidr: 10.1.0.0/16\n" \
              "- apiVersion: v1\n  kind: ipPool\n  metadata:\n    cidr: 10.2.0.0/16\n"
    assert looks_like_kubernetes(v1_list)
    assert [(p.key, p.where.line) for p in load_calico_file("/r/l.yaml", text=v1_list).pools] == [
        ("ipPool/10.1.0.0/16", 1), ("ipPool/10.2.0.0/16", 5)]
    v3_list = "apiVersion: projectcalico.org/v3\nkind: IPPoolList\nitems:\n- apiVersion: projectcalico.org/v3\n" \
              "  kind: IPPool\n  metadata: {name: a}\n  spec: {cidr: 10.3.0.0/16}\n"
    assert [(p.key, p.where.line) for p in load_calico_file("/r/l.yaml", text=v3_list).pools] == [("IPPool/a", 4)]


def test_terraform_template_that_breaks_yaml_is_a_note() -> None:
    text = "apiVersion: crd.projectcalico.org/v1\nkind: IPPool\nmetadata:\n  name: p\nspec:\n" \
           "  cidr: ${pod_cidr}\n  ${network_encapsulation}\n  natOutgoing: true\n"
    (problem,) = load_calico_file("/r/ippool.yaml", text=text).problems
    assert (problem.level, problem.message) == (Level.NOTE, TEMPLATE_NOTE)


def test_unrendered_templates_of_other_charts_are_not_ours(tmp_path) -> None:
    from linter.calico.documents import load_calico_file

    app = tmp_path / "deployment.yaml"
    app.write_text("apiVersion: apps/v1\nkind: Deployment\nspec:\n  {{- if .Values.x }}\n  replicas: 2\n  {{- end }}\n")
    pool = tmp_path / "pool.yaml"
    pool.write_text("apiVersion: projectcalico.org/v3\nkind: IPPool\nspec:\n  {{- if .Values.ipip }}\n"
                    "  ipipMode: Always\n  {{- end }}\n")
    assert load_calico_file(str(app)).problems == ()
    (note,) = load_calico_file(str(pool)).problems
    assert note.level.value == "note" and "template not rendered" in note.message
