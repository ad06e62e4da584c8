"""The calico-node DaemonSet's environment (`calico.yaml` installs): backend, default pool, Felix src/dst check.

Semantics follow calico-node (node/pkg/lifecycle/startup/startup.go): unset `CALICO_IPV4POOL_IPIP` is
`Never`, unset `CALICO_IPV4POOL_NAT_OUTGOING` is true, `NO_DEFAULT_POOLS=true` creates no pool; values
are case-insensitive. The pool the environment describes is a fallback: it exists only when no IPPool
resource does (the engine decides).
"""
from __future__ import annotations

from typing import Any, Mapping

from linter.model import CalicoNetwork, EncapMode, FelixConfig, IpPool, Model, Networking, SrcDstCheck, Unknown, Where
from linter.calico.resources import get, problems_to_model, read_cidr
from linter.calico.validate import Problem, parse_cidr
from linter.calico.values import brief, scalar

ORIGIN_NODE = "calico-node environment"

_MODES = {"always": EncapMode.ALWAYS, "crosssubnet": EncapMode.CROSS_SUBNET, "cross-subnet": EncapMode.CROSS_SUBNET,
          "never": EncapMode.NEVER, "off": EncapMode.NEVER}
_BOOLS = {"true": True, "t": True, "1": True, "false": False, "f": False, "0": False}
_SRC_DST = {value.value.lower(): value for value in SrcDstCheck}
_BGP_BACKENDS = {"bird": True, "gobgp": True, "vxlan": False, "none": False}

# ConfigMap name -> its `data`, from the same file (or the same Terraform resource)
ConfigMaps = Mapping[str, Mapping[str, Any]]


def calico_node_container(document: dict[str, Any]) -> dict[str, Any] | None:
    """The container named `calico-node`, else the first running a `calico/node` image."""
    containers = get(document, "spec", "template", "spec", "containers")
    if not isinstance(containers, list):
        return None
    candidates = [c for c in containers if isinstance(c, dict)]
    for container in candidates:
        if container.get("name") == "calico-node":
            return container
    for container in candidates:
        image = container.get("image")
        if isinstance(image, str) and "calico/node" in image:
            return container
    return None


def read_calico_node(document: dict[str, Any], container: dict[str, Any], where: Where, key: str | None,
                     config_maps: ConfigMaps) -> Model:
    name = scalar(get(document, "metadata", "name"))
    key = key or f"DaemonSet/{name if isinstance(name, str) else 'calico-node'}"
    where = Where(where.file, where.line, where.column, key)
    env = container_env(container, config_maps)
    problems: list[Problem] = []
    backend = env.get("CALICO_NETWORKING_BACKEND")
    bgp, networking = _backend(backend, env, config_maps)
    felix = _choice(env, "FELIX_AWSSRCDSTCHECK", _SRC_DST, None, "Disable, Enable, DoNothing", problems)
    network = CalicoNetwork(key=key, where=where, bgp=bgp, networking=networking,
                            typha=typha_in_use(env.get("FELIX_TYPHAK8SSERVICENAME")))
    wireguard = _choice(env, "FELIX_WIREGUARDENABLED", _BOOLS, None, "true, false", problems)
    wireguard_v6 = _choice(env, "FELIX_WIREGUARDENABLEDV6", _BOOLS, None, "true, false", problems)
    felix_env: tuple[FelixConfig, ...] = ()
    if felix is not None or wireguard is not None or wireguard_v6 is not None:
        felix_env = (FelixConfig(key=key, aws_src_dst_check=felix, where=where, wireguard=wireguard,
                                 wireguard_v6=wireguard_v6, environment=True),)
    pools: tuple[IpPool, ...] = ()
    no_default = _choice(env, "NO_DEFAULT_POOLS", _BOOLS, False, "true, false", problems)
    ipip = _choice(env, "CALICO_IPV4POOL_IPIP", _MODES, EncapMode.NEVER, "Always, CrossSubnet, Never", problems)
    vxlan = _choice(env, "CALICO_IPV4POOL_VXLAN", _MODES, EncapMode.NEVER, "Always, CrossSubnet, Never", problems)
    nat = _choice(env, "CALICO_IPV4POOL_NAT_OUTGOING", _BOOLS, True, "true, false", problems)
    cidr = _cidr(env.get("CALICO_IPV4POOL_CIDR"), problems)
    if isinstance(ipip, EncapMode) and isinstance(vxlan, EncapMode) and EncapMode.NEVER not in (ipip, vxlan):
        problems.append(("CALICO_IPV4POOL_IPIP", "CALICO_IPV4POOL_IPIP: IPIP and VXLAN "
                         "(CALICO_IPV4POOL_VXLAN) cannot both be enabled on one pool"))
    if no_default is not True and networking is not Networking.POLICY_ONLY:
        pools = (IpPool(key=key, cidr=cidr, ipip=ipip, vxlan=vxlan, nat_outgoing=nat, where=where,
                        origin=ORIGIN_NODE, fallback=True),)
        pools += _ipv6_pool(env, key, where, problems)
    return Model(pools=pools, calico=(network,), felix=felix_env,
                 config_problems=problems_to_model(problems, key, where))


def typha_in_use(service: Any) -> bool | Unknown:
    """Felix connects to Typha when FELIX_TYPHAK8SSERVICENAME names a service (`none`, unset: directly)."""
    if isinstance(service, Unknown):
        return service
    return isinstance(service, str) and service.strip().lower() not in ("", "none")


def _ipv6_pool(env: Mapping[str, Any], key: str, where: Where, problems: list[Problem]) -> tuple[IpPool, ...]:
    """calico-node's IPv6 default pool: when the node takes an IPv6 address (IP6) or a pool CIDR is given.

    calico-node creates it (CALICO_IPV6POOL_CIDR, else a random ULA /48) unless IPv6 is off
    (FELIX_IPV6SUPPORT false); VXLAN is its only encapsulation; NAT is off unless asked for.
    """
    ip6, cidr_value = env.get("IP6"), env.get("CALICO_IPV6POOL_CIDR")
    support = _choice(env, "FELIX_IPV6SUPPORT", _BOOLS, None, "true, false", problems)
    wanted: bool | Unknown = False
    if isinstance(ip6, Unknown):
        wanted = ip6
    elif isinstance(cidr_value, Unknown):
        wanted = cidr_value
    elif (isinstance(ip6, str) and ip6.strip().lower() not in ("", "none")) or \
            (isinstance(cidr_value, str) and cidr_value.strip()):
        wanted = True
    if wanted is False or support is False:
        return ()
    if isinstance(wanted, Unknown):
        return ()  # whether the nodes have IPv6 at all is a placeholder: no pool is claimed
    vxlan = _choice(env, "CALICO_IPV6POOL_VXLAN", _MODES, EncapMode.NEVER, "Always, CrossSubnet, Never", problems)
    nat = _choice(env, "CALICO_IPV6POOL_NAT_OUTGOING", _BOOLS, False, "true, false", problems)
    cidr = _cidr6(cidr_value, problems)
    return (IpPool(key=f"{key} (IPv6)", cidr=cidr, ipip=EncapMode.NEVER, vxlan=vxlan, nat_outgoing=nat,
                   where=where, origin=f"{ORIGIN_NODE} (IPv6)", fallback=True, family=6),)


def _cidr6(value: Any, problems: list[Problem]) -> str | Unknown:
    if value is None or (isinstance(value, str) and not value.strip()):
        return Unknown("CALICO_IPV6POOL_CIDR unset: calico-node picks a random ULA /48")
    if isinstance(value, str) and not isinstance(scalar(value), Unknown):
        network = parse_cidr(value)
        if network is None or network.version != 6:
            problems.append(("CALICO_IPV6POOL_CIDR", f"CALICO_IPV6POOL_CIDR: {brief(value)} is not an IPv6 CIDR"))
            return Unknown(f"CALICO_IPV6POOL_CIDR: {brief(value)}")
    return read_cidr(value, "CALICO_IPV6POOL_CIDR")


def container_env(container: dict[str, Any], config_maps: ConfigMaps) -> dict[str, Any]:
    """Environment name -> value (str or Unknown); later entries win, `env` over `envFrom`.

    An `envFrom` ConfigMap that is not in the file contributes nothing (calico.yaml's optional
    `kubernetes-services-endpoint` holds only the API server address).
    """
    env: dict[str, Any] = {}
    for source in _list(container.get("envFrom")):
        ref = get(source, "configMapRef", "name")
        data = config_maps.get(ref) if isinstance(ref, str) else None
        prefix = get(source, "prefix")
        if data is not None:
            prefix = prefix if isinstance(prefix, str) else ""
            env.update({f"{prefix}{k}": _text(v) for k, v in data.items() if isinstance(k, str)})
    for item in _list(container.get("env")):
        name = get(item, "name")
        if isinstance(name, str):
            env[name] = _env_value(item, config_maps)
    return env


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _env_value(item: dict[str, Any], config_maps: ConfigMaps) -> Any:
    value_from = item.get("valueFrom")
    if value_from is not None:
        ref = get(value_from, "configMapKeyRef")
        map_name, map_key = get(ref, "name"), get(ref, "key")
        data = config_maps.get(map_name) if isinstance(map_name, str) else None
        if data is not None and isinstance(map_key, str) and map_key in data:
            return _text(data[map_key])
        what = f"configMapKeyRef {map_name}/{map_key}" if ref is not None else f"valueFrom of {item.get('name')}"
        return Unknown(what)
    return _text(item.get("value"))


def _text(value: Any) -> Any:
    value = scalar(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _choice(env: Mapping[str, Any], name: str, table: Mapping[str, Any], default: Any, allowed: str,
            problems: list[Problem]) -> Any:
    value = env.get(name)
    if isinstance(value, Unknown):
        return value
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if isinstance(value, str) and value.strip().lower() in table:
        return table[value.strip().lower()]
    problems.append((name, f"{name}: {brief(value)} is not one of {allowed}"))
    return Unknown(f"{name}: {brief(value)}")


def _cidr(value: Any, problems: list[Problem]) -> str | Unknown:
    if value is None or (isinstance(value, str) and not value.strip()):
        return Unknown("CALICO_IPV4POOL_CIDR unset: kubeadm podSubnet, else 192.168.0.0/16")
    if isinstance(value, str) and not isinstance(scalar(value), Unknown):
        network = parse_cidr(value)
        if network is None:
            problems.append(("CALICO_IPV4POOL_CIDR", f"CALICO_IPV4POOL_CIDR: {brief(value)} is not a valid CIDR"))
        elif network.version != 4:
            problems.append(("CALICO_IPV4POOL_CIDR", f"CALICO_IPV4POOL_CIDR: {brief(value)} is not an IPv4 CIDR"))
            return Unknown(f"CALICO_IPV4POOL_CIDR: {brief(value)}")
    return read_cidr(value, "CALICO_IPV4POOL_CIDR")


def _backend(value: Any, env: Mapping[str, Any],
             config_maps: ConfigMaps) -> tuple[bool | Unknown, Networking | Unknown]:
    if isinstance(value, Unknown):
        return value, value
    if value is None or (isinstance(value, str) and not value.strip()):
        return True, Networking.CALICO  # calico-node's default backend is bird
    backend = value.strip().lower() if isinstance(value, str) else str(value)
    if backend not in _BGP_BACKENDS:
        return Unknown(f"CALICO_NETWORKING_BACKEND: {brief(value)}"), Networking.CALICO
    if backend == "none" and not _uses_calico_ipam(env, config_maps):
        return False, Networking.POLICY_ONLY
    return _BGP_BACKENDS[backend], Networking.CALICO


def _uses_calico_ipam(env: Mapping[str, Any], config_maps: ConfigMaps) -> bool:
    """Backend `none` still means Calico networking when a pool is set or the CNI config uses calico-ipam."""
    cidr = env.get("CALICO_IPV4POOL_CIDR")
    if isinstance(cidr, str) and cidr.strip():
        return True
    return any(isinstance(v, str) and "calico-ipam" in v for data in config_maps.values() for v in data.values())
