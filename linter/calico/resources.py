"""Calico API resources: calicoctl v1 `ipPool`, v3 `IPPool`, `FelixConfiguration`.

Each reader takes one decoded document (values may be `Unknown`) located at `where` and keyed `key`,
and returns the model elements it describes plus its CAL011 problems.
"""
from __future__ import annotations

from typing import Any

from linter.model import BgpConfig, BgpPeer, CalicoNetwork, ConfigProblem, EncapMode, FelixConfig, IpPool, Model, SrcDstCheck, Unknown, Where
from linter.calico.validate import Problem, cidr_problem, parse_cidr, validate_spec
from linter.calico.values import brief, scalar

ORIGIN_V1 = "ipPool (calicoctl v1)"
_V1_MODES = {"always": EncapMode.ALWAYS, "cross-subnet": EncapMode.CROSS_SUBNET}
_ENCAP_NAMES = {mode.value: mode for mode in EncapMode}

# calicoctl v1 had no CRD: its schema (libcalico-go v1 api.IPPoolSpec) written out by hand
_V1_SPEC_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "ipip": {
            "type": "object",
            "properties": {
                "enabled": {"type": "boolean"},
                "mode": {"type": "string", "enum": ["always", "cross-subnet"]},
            },
        },
        "nat-outgoing": {"type": "boolean"},
        "disabled": {"type": "boolean"},
    },
}


def get(mapping: Any, *path: str) -> Any:
    """mapping[path[0]][path[1]]..., None where a level is missing or not a mapping."""
    value = mapping
    for name in path:
        if not isinstance(value, dict):
            return None
        value = value.get(name)
    return value


def problems_to_model(problems: list[Problem], key: str, where: Where) -> tuple[ConfigProblem, ...]:
    return tuple(ConfigProblem(key=key, field=field, message=message, where=where) for field, message in problems)


def read_bool(value: Any, default: bool, field: str) -> bool | Unknown:
    value = scalar(value)
    if value is None:
        return default
    if isinstance(value, (bool, Unknown)):
        return value
    return Unknown(f"{field}: {brief(value)}")


def read_cidr(value: Any, field: str) -> str | Unknown:
    value = scalar(value)
    if isinstance(value, Unknown):
        return value
    if not isinstance(value, str):
        return Unknown(f"{field}: {brief(value)}" if value is not None else f"{field} unset")
    network = parse_cidr(value)
    return str(network) if network is not None else Unknown(f"{field}: {brief(value)}")


def is_ipv6(cidr: str | Unknown) -> bool:
    return isinstance(cidr, str) and ":" in cidr


def ipv6_ipip_problem(field: str, cidr: str | Unknown, ipip: EncapMode | Unknown) -> Problem | None:
    if is_ipv6(cidr) and ipip not in (EncapMode.NEVER,) and not isinstance(ipip, Unknown):
        return (field, f"{field}: IPIP is not supported on IPv6 pools")
    return None


def both_encapsulations_problem(field: str, ipip: Any, vxlan: Any) -> Problem | None:
    if isinstance(ipip, EncapMode) and isinstance(vxlan, EncapMode) and EncapMode.NEVER not in (ipip, vxlan):
        return (field, f"{field}: IPIP and VXLAN cannot both be enabled on one pool")
    return None


# ------------------------------------------------------------------------------------------ v1 ipPool


def read_v1_pool(document: dict[str, Any], where: Where, key: str | None) -> Model:
    raw_cidr = scalar(get(document, "metadata", "cidr"))
    key = key or f"ipPool/{raw_cidr if isinstance(raw_cidr, str) else '<no cidr>'}"
    where = Where(where.file, where.line, where.column, key)
    spec = get(document, "spec")
    problems = validate_spec(spec, _V1_SPEC_SCHEMA, prefix="spec")
    if raw_cidr is None:
        problems.append(("metadata.cidr", "metadata.cidr: required field is missing"))
    elif (cidr_issue := cidr_problem("metadata.cidr", raw_cidr)) is not None:
        problems.append(cidr_issue)
    cidr = read_cidr(raw_cidr, "metadata.cidr")
    ipip = _v1_ipip(get(spec, "ipip"))
    if (issue := ipv6_ipip_problem("spec.ipip", cidr, ipip)) is not None:
        problems.append(issue)
    if is_ipv6(cidr):
        ipip = EncapMode.NEVER
    pool = IpPool(
        key=key, cidr=cidr, ipip=ipip, vxlan=EncapMode.NEVER,
        nat_outgoing=read_bool(get(spec, "nat-outgoing"), False, "spec.nat-outgoing"),
        where=where, origin=ORIGIN_V1, disabled=read_bool(get(spec, "disabled"), False, "spec.disabled"),
    )
    return Model(pools=(pool,), config_problems=problems_to_model(problems, key, where))


def _v1_ipip(block: Any) -> EncapMode | Unknown:
    block = scalar(block)
    if block is None:
        return EncapMode.NEVER  # no ipip block: IPIP disabled
    if isinstance(block, Unknown):
        return block
    if not isinstance(block, dict):
        return Unknown(f"spec.ipip: {brief(block)}")
    enabled = read_bool(block.get("enabled"), True, "spec.ipip.enabled")
    if enabled is False:
        return EncapMode.NEVER
    mode = scalar(block.get("mode"))
    if isinstance(mode, Unknown):
        return mode
    if mode is None or mode == "":
        resolved: EncapMode | Unknown = EncapMode.ALWAYS
    elif isinstance(mode, str) and mode in _V1_MODES:
        resolved = _V1_MODES[mode]
    else:
        return Unknown(f"spec.ipip.mode: {brief(mode)}")
    return resolved if enabled is True else enabled


# ------------------------------------------------------------------------------------------ v3 IPPool


def read_v3_pool(document: dict[str, Any], where: Where, key: str | None, api_version: str) -> Model:
    name = scalar(get(document, "metadata", "name"))
    key = key or f"IPPool/{name if isinstance(name, str) else '<no name>'}"
    where = Where(where.file, where.line, where.column, key)
    spec = get(document, "spec")
    problems = validate_spec(spec, "ippool", prefix="")
    if name is None:
        problems.append(("metadata.name", "metadata.name: required field is missing"))
    if isinstance(spec, dict) and "ipip" in spec:
        problems.append(("ipip", "ipip: calicoctl v1 field, not accepted by projectcalico.org/v3: use ipipMode"))
    raw_cidr = get(spec, "cidr")
    if (cidr_issue := cidr_problem("cidr", scalar(raw_cidr))) is not None:
        problems.append(cidr_issue)
    cidr = read_cidr(raw_cidr, "cidr")
    ipip = _mode(get(spec, "ipipMode"), "ipipMode")
    vxlan = _mode(get(spec, "vxlanMode"), "vxlanMode")
    for issue in (both_encapsulations_problem("ipipMode", ipip, vxlan), ipv6_ipip_problem("ipipMode", cidr, ipip)):
        if issue is not None:
            problems.append(issue)
    if is_ipv6(cidr):
        ipip = EncapMode.NEVER
    pool = IpPool(
        key=key, cidr=cidr, ipip=ipip, vxlan=vxlan,
        nat_outgoing=read_bool(get(spec, "natOutgoing"), False, "natOutgoing"),
        where=where, origin=f"IPPool ({api_version})",
        disabled=read_bool(get(spec, "disabled"), False, "disabled"),
        node_selector=read_selector(get(spec, "nodeSelector"), "nodeSelector"),
    )
    return Model(pools=(pool,), config_problems=problems_to_model(problems, key, where))


def _mode(value: Any, field: str) -> EncapMode | Unknown:
    value = scalar(value)
    if value is None or value == "":
        return EncapMode.NEVER
    if isinstance(value, Unknown):
        return value
    if isinstance(value, str) and value in _ENCAP_NAMES:
        return _ENCAP_NAMES[value]
    return Unknown(f"{field}: {brief(value)}")


# ------------------------------------------------------------------------------------------ FelixConfiguration


def read_felix(document: dict[str, Any], where: Where, key: str | None) -> Model:
    name = scalar(get(document, "metadata", "name"))
    key = key or f"FelixConfiguration/{name if isinstance(name, str) else '<no name>'}"
    where = Where(where.file, where.line, where.column, key)
    spec = get(document, "spec")
    problems = validate_spec(spec, "felixconfiguration", prefix="")
    value = scalar(get(spec, "awsSrcDstCheck"))
    check: SrcDstCheck | Unknown | None
    if value is None or isinstance(value, Unknown):
        check = value
    elif isinstance(value, str) and value in {c.value for c in SrcDstCheck}:
        check = SrcDstCheck(value)  # the CRD's enum: exactly as written
    else:
        check = Unknown(f"awsSrcDstCheck: {brief(value)}")
    felix = FelixConfig(key=key, aws_src_dst_check=check, where=where,
                        wireguard=read_optional_bool(get(spec, "wireguardEnabled"), "wireguardEnabled"),
                        wireguard_v6=read_optional_bool(get(spec, "wireguardEnabledV6"), "wireguardEnabledV6"))
    return Model(felix=(felix,), config_problems=problems_to_model(problems, key, where))


def read_optional_bool(value: Any, field: str) -> bool | Unknown | None:
    """A boolean field that may be unset (None): the caller knows the default."""
    value = scalar(value)
    if value is None:
        return None
    return read_bool(value, False, field)


def read_selector(value: Any, field: str) -> str | Unknown:
    """A Calico label selector; unset or empty selects every node (`all()`)."""
    value = scalar(value)
    if value is None or (isinstance(value, str) and not value.strip()):
        return "all()"
    return value if isinstance(value, (str, Unknown)) else Unknown(f"{field}: {brief(value)}")


def _optional_text(value: Any, field: str) -> str | Unknown | None:
    value = scalar(value)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value.strip() if isinstance(value, str) else value if isinstance(value, Unknown) else Unknown(f"{field}: {brief(value)}")


# ------------------------------------------------------------------------------------------ BGP


def read_bgp_configuration(document: dict[str, Any], where: Where, key: str | None) -> Model:
    name = scalar(get(document, "metadata", "name"))
    key = key or f"BGPConfiguration/{name if isinstance(name, str) else '<no name>'}"
    where = Where(where.file, where.line, where.column, key)
    spec = get(document, "spec")
    mesh = read_optional_bool(get(spec, "nodeToNodeMeshEnabled"), "nodeToNodeMeshEnabled")
    name_value = name if isinstance(name, (str, Unknown)) else Unknown("metadata.name unset")
    return Model(bgp_configs=(BgpConfig(key=key, name=name_value, where=where, mesh=mesh),))


def read_bgp_peer(document: dict[str, Any], where: Where, key: str | None) -> Model:
    name = scalar(get(document, "metadata", "name"))
    key = key or f"BGPPeer/{name if isinstance(name, str) else '<no name>'}"
    where = Where(where.file, where.line, where.column, key)
    spec = get(document, "spec")
    address, port = split_peer_ip(_optional_text(get(spec, "peerIP"), "peerIP"))
    peer = BgpPeer(key=key, where=where, node=_optional_text(get(spec, "node"), "node"),
                   node_selector=_optional_text(get(spec, "nodeSelector"), "nodeSelector"),
                   peer_selector=_optional_text(get(spec, "peerSelector"), "peerSelector"),
                   peer_ip=address, peer_port=port)
    return Model(bgp_peers=(peer,))


def split_peer_ip(value: str | Unknown | None) -> tuple[str | Unknown | None, int | None]:
    """`10.0.0.1`, `10.0.0.1:1179`, `[fd00::1]:1179`, `fd00::1` -> (address, port or None)."""
    if not isinstance(value, str):
        return value, None
    text = value
    if text.startswith("[") and "]" in text:
        address, _, rest = text[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    elif text.count(":") == 1:
        address, _, port = text.partition(":")
    else:
        address, port = text, ""
    if port and not port.isdigit():
        return Unknown(f"peerIP: {brief(value)}"), None
    return address, int(port) if port else None



# ------------------------------------------------------------------------------------------ Typha in manifests


def read_typha_deployment(document: dict[str, Any], where: Where, key: str | None) -> Model:
    """A `calico-typha` Deployment (or one running a `calico/typha` image): Typha runs unless scaled to 0."""
    name = scalar(get(document, "metadata", "name"))
    containers = get(document, "spec", "template", "spec", "containers")
    images = [c.get("image") for c in containers if isinstance(c, dict)] if isinstance(containers, list) else []
    if name != "calico-typha" and not any(isinstance(i, str) and "calico/typha" in i for i in images):
        return Model()
    key = key or f"Deployment/{name if isinstance(name, str) else 'calico-typha'}"
    replicas = scalar(get(document, "spec", "replicas"))
    runs: bool | Unknown = replicas if isinstance(replicas, Unknown) else replicas != 0
    return Model(calico=(CalicoNetwork(key=key, where=Where(where.file, where.line, where.column, key), typha=runs),))


def read_typha_setting(document: dict[str, Any], where: Where, key: str | None) -> Model:
    """calico.yaml's `calico-config` ConfigMap: `typha_service_name` other than `none` turns Typha on."""
    if scalar(get(document, "metadata", "name")) != "calico-config":
        return Model()
    data = get(document, "data")
    if not isinstance(data, dict) or "typha_service_name" not in data:
        return Model()
    value = scalar(data["typha_service_name"])
    runs: bool | Unknown = value if isinstance(value, Unknown) else \
        isinstance(value, str) and value.strip().lower() not in ("", "none")
    key = key or "ConfigMap/calico-config"
    return Model(calico=(CalicoNetwork(key=key, where=Where(where.file, where.line, where.column, key), typha=runs),))
