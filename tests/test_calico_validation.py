"""CAL011: Calico resources that Calico would reject, with messages that name the field and the allowed values."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from linter.model import ConfigProblem, Where
from linter.calico.documents import load_calico_file

FIXTURES = Path(__file__).parent / "fixtures" / "calico_parser"


def problems(name: str) -> list[tuple[str, str, str]]:
    model = load_calico_file(str(FIXTURES / name))
    return [(p.key, p.field, p.message) for p in model.config_problems]


@pytest.mark.parametrize(
    "name",
    ["v1_pool_ok.yaml", "v3_ok.yaml", "list.yaml", "installation_default.yaml", "installation_pools.yaml",
     "installation_eks.yaml", "installation_amazonvpc.yaml", "calico_node.yaml", "helm_values.yaml",
     "placeholders.yaml"],
)
def test_valid_resources_have_no_problem(name: str) -> None:
    assert problems(name) == []


def test_v3_pool_and_felix_problems() -> None:
    assert problems("v3_bad.yaml") == [
        ("IPPool/typo", "ipipMode", "ipipMode: 'crosssubnet' is not one of Never, Always, CrossSubnet"),
        ("IPPool/typo", "natOutgoing", "natOutgoing: 'true' is not of type boolean"),
        ("IPPool/both", "cidr", "cidr: '10.245.0.0/33' is not a valid CIDR"),
        ("IPPool/both", "ipipMode", "ipipMode: IPIP and VXLAN cannot both be enabled on one pool"),
        ("IPPool/v6-ipip", "ipipMode", "ipipMode: IPIP is not supported on IPv6 pools"),
        ("IPPool/casing", "cidr", "cidr: required field is missing"),
        ("IPPool/casing", "IPIPMode", "IPIPMode: unknown field (did you mean ipipMode?)"),
        ("IPPool/casing", "nat-outgoing", "nat-outgoing: unknown field (did you mean natOutgoing?)"),
        ("FelixConfiguration/default", "awsSrcDstCheck",
         "awsSrcDstCheck: 'disable' is not one of DoNothing, Enable, Disable"),
    ]


def test_rejected_pool_is_still_emitted_with_what_can_be_read() -> None:
    model = load_calico_file(str(FIXTURES / "v3_bad.yaml"))
    typo = model.pools[0]
    assert typo.cidr == "10.244.0.0/16" and typo.key == "IPPool/typo"
    assert typo.ipip.expr == "ipipMode: 'crosssubnet'" and typo.nat_outgoing.expr == "natOutgoing: 'true'"
    assert model.config_problems[0] == ConfigProblem(
        "IPPool/typo", "ipipMode", "ipipMode: 'crosssubnet' is not one of Never, Always, CrossSubnet",
        Where(str(FIXTURES / "v3_bad.yaml"), 1, 1, "IPPool/typo"))


def test_v1_pool_problems() -> None:
    assert problems("v1_pool_bad.yaml") == [
        ("ipPool/192.168.0.0/16", "spec.ipip.mode", "spec.ipip.mode: 'CrossSubnet' is not one of always, cross-subnet"),
        ("ipPool/192.168.0.0/16", "spec.nat-outgoing", "spec.nat-outgoing: 'yes' is not of type boolean"),
        ("ipPool/10.300.0.0/16", "spec.natOutgoing", "spec.natOutgoing: unknown field (did you mean nat-outgoing?)"),
        ("ipPool/10.300.0.0/16", "metadata.cidr", "metadata.cidr: '10.300.0.0/16' is not a valid CIDR"),
        ("ipPool/fd00:10::/64", "spec.ipip", "spec.ipip: IPIP is not supported on IPv6 pools"),
    ]


def test_installation_problems() -> None:
    assert problems("installation_bad.yaml") == [
        ("Installation/default", "calicoNetwork.bgp", "calicoNetwork.bgp: 'enabled' is not one of Enabled, Disabled"),
        ("Installation/default", "calicoNetwork.ipPools[0].encapsulation",
         "calicoNetwork.ipPools[0].encapsulation: 'IPIPCrosssubnet' is not one of "
         "IPIPCrossSubnet, IPIP, VXLAN, VXLANCrossSubnet, None"),
        ("Installation/default", "calicoNetwork.ipPools[0].natOutgoing",
         "calicoNetwork.ipPools[0].natOutgoing: true is not one of Enabled, Disabled"),
        ("Installation/default", "calicoNetwork.ipPools[1].cidr", "calicoNetwork.ipPools[1].cidr: required field is missing"),
        ("Installation/default", "calicoNetwork.ipPools[2].encapsulation",
         "calicoNetwork.ipPools[2].encapsulation: IPIP is not supported on IPv6 pools"),
    ]


def test_helm_values_problems_name_the_values_path() -> None:
    text = "installation:\n  kubernetesProvider: eks\n  calicoNetwork:\n    ipPools:\n      - cidr: 10.0.0.0/8\n" \
           "        encapsulation: vxlan\n"
    model = load_calico_file("/r/values.yaml", text=text)
    assert [(p.key, p.message) for p in model.config_problems] == [
        ("HelmValues/installation", "installation.calicoNetwork.ipPools[0].encapsulation: 'vxlan' is not one of "
                                    "IPIPCrossSubnet, IPIP, VXLAN, VXLANCrossSubnet, None"),
        ("HelmValues/installation", "installation.kubernetesProvider: 'eks' is not one of \"\", EKS, GKE, AKS, "
                                    "OpenShift, DockerEnterprise, RKE2, TKG, Kind"),
    ]


def test_calico_node_env_problems() -> None:
    assert problems("calico_node_bad.yaml") == [
        ("DaemonSet/canal", "FELIX_AWSSRCDSTCHECK", "FELIX_AWSSRCDSTCHECK: 'Off' is not one of Disable, Enable, DoNothing"),
        ("DaemonSet/canal", "CALICO_IPV4POOL_IPIP", "CALICO_IPV4POOL_IPIP: 'sometimes' is not one of Always, CrossSubnet, Never"),
        ("DaemonSet/canal", "CALICO_IPV4POOL_NAT_OUTGOING",
         "CALICO_IPV4POOL_NAT_OUTGOING: 'maybe' is not one of true, false"),
        ("DaemonSet/canal", "CALICO_IPV4POOL_CIDR", "CALICO_IPV4POOL_CIDR: '10.244.0.0' is not a valid CIDR"),
    ]


def test_calico_node_both_encapsulations_and_ipv6_cidr() -> None:
    text = """kind: DaemonSet
apiVersion: apps/v1
metadata: {name: calico-node}
spec:
  template:
    spec:
      containers:
        - name: calico-node
          env:
            - {name: CALICO_IPV4POOL_IPIP, value: Always}
            - {name: CALICO_IPV4POOL_VXLAN, value: CrossSubnet}
            - {name: CALICO_IPV4POOL_CIDR, value: "fd00::/64"}
"""
    model = load_calico_file("/r/n.yaml", text=text)
    assert [p.message for p in model.config_problems] == [
        "CALICO_IPV4POOL_CIDR: 'fd00::/64' is not an IPv4 CIDR",
        "CALICO_IPV4POOL_IPIP: IPIP and VXLAN (CALICO_IPV4POOL_VXLAN) cannot both be enabled on one pool",
    ]


def test_v3_pool_with_v1_syntax_and_missing_name() -> None:
    text = "apiVersion: projectcalico.org/v3\nkind: IPPool\nspec:\n  cidr: 10.0.0.0/16\n  ipip: {enabled: true}\n"
    model = load_calico_file("/r/p.yaml", text=text)
    assert [(p.key, p.message) for p in model.config_problems] == [
        ("IPPool/<no name>", "metadata.name: required field is missing"),
        ("IPPool/<no name>", "ipip: calicoctl v1 field, not accepted by projectcalico.org/v3: use ipipMode"),
    ]


def installation(spec: str) -> list[str]:
    text = f"apiVersion: operator.tigera.io/v1\nkind: Installation\nmetadata:\n  name: default\nspec:\n{spec}"
    return [p.message for p in load_calico_file("/r/i.yaml", text=text).config_problems]


def test_operator_rejects_ipip_and_unencapsulated_pools_without_bgp() -> None:
    assert installation("""  kubernetesProvider: EKS
  calicoNetwork:
    ipPools:
      - cidr: 10.0.0.0/16
      - cidr: 10.1.0.0/16
        encapsulation: None
      - cidr: 10.2.0.0/16
        encapsulation: VXLAN
      - cidr: 10.2.0.0/16
        encapsulation: VXLAN
""") == [
        "calicoNetwork.ipPools[0].encapsulation: IPIP encapsulation requires that BGP is enabled, "
        "but calicoNetwork.bgp is Disabled",
        "calicoNetwork.ipPools[1].encapsulation: unencapsulated IP pools require that BGP is enabled, "
        "but calicoNetwork.bgp is Disabled",
        "calicoNetwork.ipPools[3].cidr: IP pool 10.2.0.0/16 is specified more than once",
    ]
    felix_routing = "  calicoNetwork:\n    bgp: Disabled\n    clusterRoutingMode: Felix\n    ipPools: [{cidr: 10.0.0.0/16}]\n"
    assert installation(felix_routing) == []


def test_operator_rules_for_non_calico_cni_and_host_local_ipam() -> None:
    assert installation("""  cni: {type: AmazonVPC}
  calicoNetwork:
    bgp: Enabled
    ipPools:
      - {cidr: 10.0.0.0/16, encapsulation: IPIP}
      - {cidr: 10.1.0.0/16}
""") == [
        "calicoNetwork.bgp: BGP is not supported with a non-Calico CNI (cni.type AmazonVPC)",
        "calicoNetwork.ipPools[0].encapsulation: IPIP is invalid with a non-Calico CNI (cni.type AmazonVPC): use None",
    ]
    host_local = "  cni: {type: Calico, ipam: {type: HostLocal}}\n  calicoNetwork:\n" \
                 "    ipPools: [{cidr: 10.0.0.0/16, encapsulation: VXLAN}]\n"
    assert installation(host_local) == [
        "calicoNetwork.ipPools[0].encapsulation: VXLAN is invalid with Calico CNI and HostLocal IPAM"]


def test_a_note_shows_a_value_of_any_size_in_a_bounded_string() -> None:
    from linter.calico.values import LINE, brief

    assert brief("IPIP") == "'IPIP'" and brief({"mode": "Always", LINE: 3}) == "{'mode': 'Always'}"
    assert brief([1, {"a": None}, (2.5,), True]) == "[1, {'a': None}, [2.5], True]"
    shared: list = ["x" * 1000]
    for _ in range(30):
        shared = [shared, shared]  # 2^30 leaves: a repr() would never end
    assert len(brief(shared)) == 160 and brief(shared).endswith("…")
    assert brief(10 ** 5000) == "<an integer of more than 150 digits>"  # repr() raises past 4,300 digits
    assert len(brief("y" * 10_000_000, limit=40)) == 40


values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 70000) | st.sampled_from(
        ["Always", "Never", "CrossSubnet", "IPIP", "VXLAN", "10.0.0.0/16", "${var.x}", "x", ""]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["cidr", "ipipMode", "vxlanMode", "natOutgoing", "blockSize", "disabled", "nodeSelector",
                         "ipPools", "encapsulation", "bgp", "calicoNetwork", "mtu", "IPIPMode", "other"]),
        children, max_size=4),
    max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(spec=values, schema=st.sampled_from(["ippool", "felixconfiguration", "installation"]))
def test_the_schema_check_cut_to_the_schema_finds_what_a_check_of_the_whole_value_finds(spec, schema) -> None:
    from jsonschema import Draft7Validator

    from linter.calico import validate

    whole = validate._masked(validate.strip_lines(spec if spec is not None else {}))
    expected = sorted((tuple(map(str, e.absolute_path)), e.validator) for e in
                      Draft7Validator(validate.load_schema(schema)).iter_errors(whole))
    cut = validate._fitted(spec if spec is not None else {}, validate.load_schema(schema))
    found = sorted((tuple(map(str, e.absolute_path)), e.validator) for e in
                   Draft7Validator(validate.load_schema(schema)).iter_errors(cut))
    assert found == expected
    assert validate.near_miss_fields(cut, validate.load_schema(schema), "") == \
        validate.near_miss_fields(whole, validate.load_schema(schema), "")
