"""AWS semantics shared by Terraform and CloudFormation: how AWS reads a rule's protocol, ports and
booleans; evidence in user data that a node turns its own source/destination check off; Kubernetes evidence.
"""
from __future__ import annotations

import re
from typing import Any, Callable

from linter.model import ALL_PROTOCOLS, PROTOCOL_NAMES, PROTOCOLS_WITH_PORTS, PortRange, Unknown, protocol_name

Describe = Callable[[Any], str]  # how a family writes a value it could not read (repr, an intrinsic's text)


def protocol_number(value: Any, name: str, describe: Describe = repr) -> int | Unknown:
    """An IP protocol as AWS reads it: a name (tcp, udp, icmp, icmpv6, all), -1 for all, or a number 0-255."""
    if isinstance(value, Unknown):
        return value
    if value is None:
        return Unknown(f"{name} not given")
    if isinstance(value, str) and value.strip().lower() in PROTOCOL_NAMES:
        return PROTOCOL_NAMES[value.strip().lower()]
    number = integer(value)
    if number == ALL_PROTOCOLS or (number is not None and 0 <= number <= 255):
        return number
    return Unknown(f"{name} {describe(value)}, which AWS rejects")


def port_range(protocol: int | Unknown, low: Any, high: Any, describe: Describe = repr) -> PortRange | None | Unknown:
    """The ports a rule admits, as AWS reads FromPort/ToPort: None is every port (or a protocol without ports).

    AWS refuses a TCP/UDP rule without both bounds ("Must specify both from and to ports with TCP/UDP"),
    with a bound -1, a bound outside 0-65535, or from above to: such a rule is never read as valid, it is
    UNKNOWN naming what AWS rejects (DESIGN §6).
    """
    if isinstance(protocol, int) and protocol not in PROTOCOLS_WITH_PORTS:
        return None
    bounds = []
    for value in (low, high):
        if isinstance(value, Unknown):
            return value
        number = integer(value) if value is not None else None
        if value is not None and number is None:
            return Unknown(f"port {describe(value)}, which AWS rejects")
        bounds.append(number)
    lo, hi = bounds
    if isinstance(protocol, Unknown):
        return None  # the unknown protocol decides (unknown) first
    if lo is not None and hi is not None and 0 <= lo <= hi <= 65535:
        return None if (lo, hi) == (0, 65535) else PortRange(lo, hi)
    shown = " to ".join("none" if bound is None else str(bound) for bound in (lo, hi))
    return Unknown(f"{protocol_name(protocol)} ports {shown}, which AWS rejects")


def boolean(value: Any, name: str, describe: Describe = repr) -> bool | Unknown | None:
    """A boolean as Terraform and CloudFormation pass it to AWS: true/false or "true"/"false" in any case.
    None: not given (the caller knows AWS's default)."""
    if value is None or isinstance(value, (bool, Unknown)):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return Unknown(f"{name} {describe(value)}")


def integer(value: Any) -> int | None:
    """A whole number as AWS takes it (`6`, `"6"`, `6.0`); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return int(number) if number.is_integer() else None
    return None


# aws ec2 modify-instance-attribute --instance-id ... --no-source-dest-check
# aws ec2 modify-instance-attribute --source-dest-check "{\"Value\": false}"
# aws ec2 modify-network-interface-attribute --no-source-dest-check
_DISABLES = re.compile(
    r"modify-(?:instance|network-interface)-attribute\b[^\n]*?"
    r"(?:--no-source-dest-check\b|--source-dest-check[\s=]+[\"'{\\\s]*(?:\"?Value\\?\"?\s*[:=]\s*)?false)",
    re.IGNORECASE,
)


def disables_src_dst_check(user_data: str) -> bool:
    """True when the script visibly disables the check (multi-line commands joined first)."""
    joined = re.sub(r"\\\r?\n\s*", " ", user_data)
    return bool(_DISABLES.search(joined))


# Kubernetes evidence (DESIGN §6): what says a compute resource runs Kubernetes
_KUBERNETES_TAG = re.compile(r"^(?:kubernetes\.io/cluster/.*|k8s\.io/.*|KubernetesCluster)$")
_KUBERNETES_TAG_TEXT = re.compile(r"kubernetes\.io/cluster/|k8s\.io/|\bKubernetesCluster\b")
_KUBERNETES_BOOT = re.compile(
    r"\b(kubelet|kubeadm|k3s|rke2|nodeadm)\b|(/etc/eks/bootstrap\.sh|\beks[-_ ]bootstrap\b|amazon-eks-ami)",
    re.IGNORECASE,
)


def kubernetes_tag(key: str) -> bool:
    """`kubernetes.io/cluster/<name>`, `k8s.io/...` or `KubernetesCluster`."""
    return bool(_KUBERNETES_TAG.match(key))


def kubernetes_tag_text(text: str) -> str | None:
    """The Kubernetes tag key written in an expression that cannot be evaluated (`"kubernetes.io/cluster/${var.x}"`)."""
    match = _KUBERNETES_TAG_TEXT.search(text)
    return match.group(0).rstrip("/") if match else None


def kubernetes_boot(user_data: str) -> str | None:
    """What in user data (or a launch template's) starts Kubernetes: kubelet, kubeadm, k3s, rke2, the EKS bootstrap."""
    match = _KUBERNETES_BOOT.search(user_data)
    if match is None:
        return None
    return match.group(1).lower() if match.group(1) else "the EKS bootstrap"
