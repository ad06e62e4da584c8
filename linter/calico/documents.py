"""Calico configuration -> model: IP pools, Felix configuration, cluster networking, CAL011 problems.

Reads calicoctl v1 `ipPool`, `IPPool`, `FelixConfiguration`, `BGPConfiguration` and `BGPPeer`
(projectcalico.org/v3, crd.projectcalico.org/v1), the operator's `Installation`, the calico-node DaemonSet's
environment, the `calico-typha` Deployment and the tigera-operator chart's values, from YAML/JSON files
(multi-document, `kind: List`) or from objects embedded in Terraform. Other Kubernetes documents are
ignored; ConfigMaps resolve `valueFrom`, and `calico-config` says whether Typha runs. Never raises on bad input.
"""
from __future__ import annotations

import json
import re
from typing import Any, Sequence

from linter.confine import Confinement, Refused, decode_text
from linter.model import Level, Model, ParseProblem, Where, merge_models
from linter.calico.node import ConfigMaps, calico_node_container, read_calico_node
from linter.calico.operator import is_helm_values, read_helm_values, read_installation
from linter.calico.resources import (
    get, read_bgp_configuration, read_bgp_peer, read_felix, read_v1_pool, read_v3_pool, read_typha_deployment,
    read_typha_setting,
)
from linter.calico.values import (
    YamlFailure,
    has_template_markers,
    line_of,
    load_relevant_documents,
    mentions_calico,
    scalar,
)
from linter.suppression_comments import scan_comment_suppressions

__all__ = ["load_calico_file", "looks_like_kubernetes", "load_calico_objects", "load_helm_values"]

TEMPLATE_NOTE = "template not rendered: render it (e.g. `helm template`) and scan the output"
HELM_VALUES_KEY = "HelmValues/installation"

_V3_GROUPS = ("projectcalico.org/", "crd.projectcalico.org/")
_LIST_KINDS = ("List", "IPPoolList", "FelixConfigurationList", "BGPPeerList", "BGPConfigurationList")
_SNIFF_API = re.compile(r"(?:^[\s-]*|[{,]\s*)[\"']?apiVersion[\"']?\s*:", re.MULTILINE)
_SNIFF_KIND = re.compile(r"(?:^[\s-]*|[{,]\s*)[\"']?kind[\"']?\s*:", re.MULTILINE)
_SNIFF_HELM = re.compile(r"^[\"']?installation[\"']?\s*:", re.MULTILINE)


def looks_like_kubernetes(text: str) -> bool:
    """Cheap sniff for discovery: `apiVersion` and `kind` keys, or the tigera chart's `installation:`."""
    if _SNIFF_API.search(text) and _SNIFF_KIND.search(text):
        return True
    return _SNIFF_HELM.search(text) is not None


def load_calico_file(path: str, *, text: str | None = None) -> Model:
    """The Calico configuration in one YAML/JSON file (read from `path` unless `text` is given)."""
    if text is None:
        data = Confinement.around([path]).read_bytes(path)
        if isinstance(data, Refused):
            return Model(problems=(ParseProblem(Where(path), f"cannot read file: {data.reason}"),), files=(path,))
        text = decode_text(data)
        if text is None:
            return Model()  # not a text file: not ours
    documents = load_relevant_documents(text)
    if isinstance(documents, YamlFailure):
        documents = _json_fallback(text, documents)
    if isinstance(documents, YamlFailure):
        return _unparsable(path, text, documents)
    model = _read_documents([(doc, Where(path, line_of(doc, 1))) for doc in documents], key_prefix=None)
    return model.merged(Model(suppressions=scan_comment_suppressions(text, path), files=(path,)))


def load_calico_objects(objects: Sequence[dict[str, Any]], *, where: Where, key_prefix: str | None = None) -> Model:
    """Manifests embedded in Terraform, already decoded; every element is located at `where`.

    With `key_prefix` (the Terraform address) every element is keyed by it, else by `Kind/name`.
    """
    return _read_documents([(obj, where) for obj in objects if isinstance(obj, dict)], key_prefix=key_prefix)


def load_helm_values(values: dict[str, Any], *, where: Where, key: str) -> Model:
    """The tigera-operator chart's values (`installation: ...`), read like an Installation spec."""
    return read_helm_values(values, where, key)


# ------------------------------------------------------------------------------------------ documents


def _read_documents(located: list[tuple[dict[str, Any], Where]], key_prefix: str | None) -> Model:
    flat = [item for doc, where in located for item in _flatten(doc, where, key_prefix is None)]
    config_maps = _config_maps(doc for doc, _ in flat)
    return merge_models([_read_document(doc, where, key_prefix, config_maps) for doc, where in flat])


def _flatten(document: dict[str, Any], where: Where, own_lines: bool) -> list[tuple[dict[str, Any], Where]]:
    """A document, or the items of a `kind: List`, each at its own line when it has one."""
    kind = scalar(document.get("kind"))
    # `kind: List`, and calicoctl's `IPPoolList`/`FelixConfigurationList` (`calicoctl get -o yaml`)
    if not (kind in _LIST_KINDS and isinstance(document.get("items"), list)):
        return [(document, where)]
    flat: list[tuple[dict[str, Any], Where]] = []
    for item in document["items"]:
        if isinstance(item, dict):
            item_where = where.at(line_of(item, where.line)) if own_lines else where
            flat.extend(_flatten(item, item_where, own_lines))
    return flat


def _config_maps(documents: Any) -> ConfigMaps:
    found: dict[str, Any] = {}
    for document in documents:
        if scalar(document.get("kind")) == "ConfigMap" and isinstance(get(document, "metadata", "name"), str):
            data = get(document, "data")
            found[document["metadata"]["name"]] = data if isinstance(data, dict) else {}
    return found


def _read_document(document: dict[str, Any], where: Where, key: str | None, config_maps: ConfigMaps) -> Model:
    api_version = scalar(document.get("apiVersion"))
    kind = scalar(document.get("kind"))
    if not isinstance(kind, str) or not isinstance(api_version, str):
        if kind is None and api_version is None and is_helm_values(document):
            return read_helm_values(document, where, key or HELM_VALUES_KEY)
        return Model()
    if kind == "ipPool" and api_version == "v1":
        return read_v1_pool(document, where, key)
    if api_version.startswith(_V3_GROUPS):
        if kind == "IPPool":
            return read_v3_pool(document, where, key, api_version)
        if kind == "FelixConfiguration":
            return read_felix(document, where, key)
        if kind == "BGPConfiguration":
            return read_bgp_configuration(document, where, key)
        if kind == "BGPPeer":
            return read_bgp_peer(document, where, key)
        return Model()
    if kind == "Installation" and api_version.startswith("operator.tigera.io/"):
        return read_installation(document, where, key)
    if kind == "DaemonSet":
        container = calico_node_container(document)
        if container is not None:
            return read_calico_node(document, container, where, key, config_maps)
    if kind == "Deployment":
        return read_typha_deployment(document, where, key)
    if kind == "ConfigMap":
        return read_typha_setting(document, where, key)
    return Model()


# ------------------------------------------------------------------------------------------ bad files


def _json_fallback(text: str, failure: YamlFailure) -> list[dict[str, Any]] | YamlFailure:
    """JSON that PyYAML rejects (e.g. tabs, `\\/` escapes) is still JSON; lines are then unknown."""
    if failure.as_json_too or not text.lstrip().startswith(("{", "[")):
        return failure
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return failure
    return [value] if isinstance(value, dict) else failure


_ABOUT_CALICO = re.compile(r"calico|tigera", re.IGNORECASE)


def _unparsable(path: str, text: str, failure: YamlFailure) -> Model:
    where = Where(path, failure.line, failure.column)
    if has_template_markers(text, failure.line):
        # an unrendered template about Calico gets one note; any other chart's templates are not ours
        if not _ABOUT_CALICO.search(text):
            return Model()
        return Model(problems=(ParseProblem(where, TEMPLATE_NOTE, Level.NOTE),), files=(path,))
    if mentions_calico(text):
        return Model(problems=(ParseProblem(where, f"invalid YAML: {failure.message}"),),
                     suppressions=scan_comment_suppressions(text, path), files=(path,))
    return Model()
