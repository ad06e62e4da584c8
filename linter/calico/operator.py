"""The tigera operator's `Installation` (operator.tigera.io/v1) and the tigera-operator chart's values.

Defaults follow tigera/operator (pkg/controller/ippool/defaults.go, core_controller.go): with no
`ipPools` and Calico CNI, one pool 192.168.0.0/16 IPIP (EKS: 172.16.0.0/16 VXLAN), NAT Enabled; BGP
Enabled except on EKS; a CNI other than Calico (e.g. AmazonVPC) is policy-only and gets no pool.
The operator always deploys Typha ("Operator based installations always include Typha"), policy-only too.
"""
from __future__ import annotations

from typing import Any

from linter.model import CalicoNetwork, EncapMode, IpPool, Model, Networking, Unknown, Where
from linter.calico.resources import get, is_ipv6, problems_to_model, read_cidr, read_selector
from linter.calico.validate import Problem, cidr_problem, validate_spec
from linter.calico.values import brief, scalar

ORIGIN_INSTALLATION = "Installation (operator.tigera.io/v1)"
ORIGIN_HELM = "tigera-operator Helm values"

_NEVER = EncapMode.NEVER
_ENCAPSULATIONS: dict[str, tuple[EncapMode, EncapMode]] = {  # name -> (ipip, vxlan)
    "IPIP": (EncapMode.ALWAYS, _NEVER),
    "IPIPCrossSubnet": (EncapMode.CROSS_SUBNET, _NEVER),
    "VXLAN": (_NEVER, EncapMode.ALWAYS),
    "VXLANCrossSubnet": (_NEVER, EncapMode.CROSS_SUBNET),
    "None": (_NEVER, _NEVER),
}
_DEFAULT_POOL = ("192.168.0.0/16", "IPIP")
_EKS_DEFAULT_POOL = ("172.16.0.0/16", "VXLAN")


def read_installation(document: dict[str, Any], where: Where, key: str | None) -> Model:
    name = scalar(get(document, "metadata", "name"))
    key = key or f"Installation/{name if isinstance(name, str) else 'default'}"
    return read_operator_spec(get(document, "spec"), Where(where.file, where.line, where.column, key),
                              key, ORIGIN_INSTALLATION, prefix="")


def is_helm_values(document: Any) -> bool:
    """The tigera-operator chart's values: a top-level `installation` holding Installation spec fields."""
    installation = get(document, "installation")
    return isinstance(installation, dict) and any(
        field in installation for field in ("calicoNetwork", "kubernetesProvider", "cni"))


def read_helm_values(values: Any, where: Where, key: str) -> Model:
    installation = get(values, "installation")
    if not isinstance(installation, dict) or scalar(installation.get("enabled")) is False:
        return Model()
    return read_operator_spec(installation, Where(where.file, where.line, where.column, key),
                              key, ORIGIN_HELM, prefix="installation")


def read_operator_spec(spec: Any, where: Where, key: str, origin: str, prefix: str) -> Model:
    problems = validate_spec(spec, "installation", prefix=prefix)
    spec = spec if isinstance(spec, dict) else {}
    networking = _networking(scalar(get(spec, "cni", "type")))
    provider = scalar(get(spec, "kubernetesProvider"))
    eks: bool | Unknown = provider if isinstance(provider, Unknown) else provider == "EKS"
    bgp = _bgp(scalar(get(spec, "calicoNetwork", "bgp")), networking, eks)
    calico_network = CalicoNetwork(key=key, where=where, networking=networking, bgp=bgp, typha=True)
    pools_value = scalar(get(spec, "calicoNetwork", "ipPools"))
    field = f"{prefix}.calicoNetwork.ipPools" if prefix else "calicoNetwork.ipPools"
    pools: list[IpPool] = []
    encapsulations: list[tuple[str, Any, Any]] = []  # (field of the pool, encapsulation in effect, cidr)
    if isinstance(pools_value, Unknown):
        pools.append(IpPool(key, pools_value, pools_value, pools_value, pools_value, where, origin))
    elif isinstance(pools_value, list):
        for index, entry in enumerate(pools_value):
            pool, encapsulation = _pool(entry, f"{field}[{index}]", networking, key, where, origin, problems)
            pools.append(pool)
            encapsulations.append((f"{field}[{index}]", encapsulation, pool.cidr))
    elif pools_value is None and networking is Networking.CALICO:
        pools.append(_default_pool(eks, key, where, origin))
    problems.extend(_operator_problems(spec, encapsulations, networking, bgp, prefix))
    return Model(pools=tuple(pools), calico=(calico_network,),
                 config_problems=problems_to_model(problems, key, where))


def _operator_problems(spec: dict[str, Any], encapsulations: list[tuple[str, Any, Any]],
                       networking: Networking | Unknown, bgp: bool | Unknown, prefix: str) -> list[Problem]:
    """What the operator's own validation rejects (tigera/operator pkg/controller/ippool/validation.go)."""
    bgp_field = f"{prefix}.calicoNetwork.bgp" if prefix else "calicoNetwork.bgp"
    cni_type, ipam = scalar(get(spec, "cni", "type")), scalar(get(spec, "cni", "ipam", "type"))
    felix_routing = scalar(get(spec, "calicoNetwork", "clusterRoutingMode")) == "Felix"
    needs_bgp = (networking is Networking.CALICO and ipam in (None, "Calico") and bgp is False
                 and not felix_routing)
    problems: list[Problem] = []
    if networking is Networking.POLICY_ONLY and scalar(get(spec, "calicoNetwork", "bgp")) == "Enabled":
        problems.append((bgp_field, f"{bgp_field}: BGP is not supported with a non-Calico CNI (cni.type {cni_type})"))
    seen: set[str] = set()
    for field, encapsulation, cidr in encapsulations:
        problem = None
        if needs_bgp and encapsulation in ("IPIP", "IPIPCrossSubnet"):
            problem = f"{encapsulation} encapsulation requires that BGP is enabled, but {bgp_field} is Disabled"
        elif needs_bgp and encapsulation == "None":
            problem = f"unencapsulated IP pools require that BGP is enabled, but {bgp_field} is Disabled"
        elif networking is Networking.CALICO and ipam == "HostLocal" and encapsulation in ("VXLAN", "VXLANCrossSubnet"):
            problem = f"{encapsulation} is invalid with Calico CNI and HostLocal IPAM"
        elif networking is Networking.POLICY_ONLY and isinstance(encapsulation, str) and encapsulation != "None":
            problem = f"{encapsulation} is invalid with a non-Calico CNI (cni.type {cni_type}): use None"
        if problem is not None:
            problems.append((f"{field}.encapsulation", f"{field}.encapsulation: {problem}"))
        if isinstance(cidr, str):
            if cidr in seen:
                problems.append((f"{field}.cidr", f"{field}.cidr: IP pool {cidr} is specified more than once"))
            seen.add(cidr)
    return problems


def _networking(cni_type: Any) -> Networking | Unknown:
    if isinstance(cni_type, Unknown):
        return cni_type
    if cni_type is None or cni_type == "Calico":
        return Networking.CALICO
    return Networking.POLICY_ONLY


def _bgp(value: Any, networking: Networking | Unknown, eks: bool | Unknown) -> bool | Unknown:
    if isinstance(value, Unknown):
        return value
    if value == "Enabled":
        return True
    if value == "Disabled":
        return False
    if value is not None:
        return Unknown(f"calicoNetwork.bgp: {brief(value)}")
    if networking is Networking.POLICY_ONLY:
        return False
    if isinstance(networking, Unknown):
        return networking
    return eks if isinstance(eks, Unknown) else not eks


def _default_pool(eks: bool | Unknown, key: str, where: Where, origin: str) -> IpPool:
    if isinstance(eks, Unknown):
        return IpPool(key, eks, eks, eks, True, where, origin)
    cidr, encapsulation = _EKS_DEFAULT_POOL if eks else _DEFAULT_POOL
    ipip, vxlan = _ENCAPSULATIONS[encapsulation]
    return IpPool(key, cidr, ipip, vxlan, True, where, origin)


def _pool(entry: Any, field: str, networking: Networking | Unknown, key: str, where: Where, origin: str,
          problems: list[Problem]) -> tuple[IpPool, Any]:
    """The pool an `ipPools` entry describes, and the encapsulation in effect (after defaults)."""
    entry = scalar(entry)
    if not isinstance(entry, dict):
        unknown = entry if isinstance(entry, Unknown) else Unknown(f"{field}: {brief(entry)}")
        return IpPool(key, unknown, unknown, unknown, unknown, where, origin), unknown
    raw_cidr = scalar(entry.get("cidr"))
    if (issue := cidr_problem(f"{field}.cidr", raw_cidr)) is not None:
        problems.append(issue)
    cidr = read_cidr(raw_cidr, f"{field}.cidr")
    ipv6 = is_ipv6(cidr)
    default_encapsulation = "IPIP" if networking is Networking.CALICO and not ipv6 else "None"
    encapsulation = scalar(entry.get("encapsulation"))
    if encapsulation is None:
        encapsulation = default_encapsulation if not isinstance(networking, Unknown) else networking
    ipip, vxlan = _encapsulation(encapsulation, f"{field}.encapsulation")
    if ipv6 and ipip not in (_NEVER,) and not isinstance(ipip, Unknown):
        problems.append((f"{field}.encapsulation", f"{field}.encapsulation: IPIP is not supported on IPv6 pools"))
        ipip = _NEVER
    nat = scalar(entry.get("natOutgoing"))
    nat_outgoing: bool | Unknown
    if nat is None:
        nat_outgoing = not ipv6
    elif isinstance(nat, Unknown):
        nat_outgoing = nat
    elif nat in ("Enabled", "Disabled"):
        nat_outgoing = nat == "Enabled"
    else:
        nat_outgoing = Unknown(f"{field}.natOutgoing: {brief(nat)}")
    selector = read_selector(entry.get("nodeSelector"), f"{field}.nodeSelector")
    return IpPool(key, cidr, ipip, vxlan, nat_outgoing, where, origin, node_selector=selector), encapsulation


def _encapsulation(value: Any, field: str) -> tuple[EncapMode | Unknown, EncapMode | Unknown]:
    if isinstance(value, Unknown):
        return value, value
    if isinstance(value, str) and value in _ENCAPSULATIONS:
        return _ENCAPSULATIONS[value]
    unknown = Unknown(f"{field}: {brief(value)}")
    return unknown, unknown
