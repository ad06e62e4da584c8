"""Calico configuration -> Model: IPPool (v1, v3, crd), FelixConfiguration, the operator's Installation,
the calico-node DaemonSet's environment and Helm values.

    values.py      YAML with lines and placeholders -> plain values
    resources.py   IPPool, FelixConfiguration;  operator.py  Installation, Helm values;  node.py  calico-node
    validate.py    what Calico itself rejects (CAL011), against schemas/ generated from Calico's CRDs
    documents.py   a file or embedded documents -> Model
"""
from __future__ import annotations

from linter.calico.documents import load_calico_file, load_calico_objects, load_helm_values, looks_like_kubernetes

__all__ = ["load_calico_file", "load_calico_objects", "load_helm_values", "looks_like_kubernetes"]
