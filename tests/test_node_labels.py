"""Node labels the configuration declares (for Calico selectors): EKS labels and kubelet --node-labels."""
from __future__ import annotations

from pathlib import Path

from linter.aws import kubelet_node_labels, node_labels
from linter.model import Unknown
from linter.terraform import load_modules


def test_kubelet_node_labels_in_user_data() -> None:
    script = ("#!/bin/bash\n/etc/eks/bootstrap.sh demo --kubelet-extra-args \\\n"
              "  '--node-labels=rr=true,zone=a --max-pods=50'\n")
    assert kubelet_node_labels(script) == {"rr": "true", "zone": "a"}
    assert kubelet_node_labels("kubelet --node-labels role=edge") == {"role": "edge"}
    assert kubelet_node_labels("echo hello") == {}


def test_declared_labels_and_user_data_merge() -> None:
    assert node_labels({"role": "worker", "__line__": 3}, "--node-labels=rr=true") == (("role", "worker"), ("rr", "true"))
    assert node_labels(None) is None
    assert node_labels(Unknown("var.labels")) == Unknown("var.labels")


def test_terraform_eks_labels(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('''
resource "aws_eks_node_group" "reflectors" {
  cluster_name = "demo"
  subnet_ids   = ["subnet-1"]
  labels       = { rr = "true" }
}
resource "aws_instance" "k8s_node" {
  user_data = "kubelet --node-labels=role=edge"
}
''')
    nodes = {n.key: n.labels for n in load_modules([tmp_path.as_posix()]).model.node_groups}
    assert nodes == {"aws_eks_node_group.reflectors": (("rr", "true"),), "aws_instance.k8s_node": (("role", "edge"),)}
