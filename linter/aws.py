"""Evidence in user data that a node turns its own source/destination check off."""
from __future__ import annotations

import re

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
