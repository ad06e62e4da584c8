"""YAML reading for Calico documents: line numbers, cheap document sniffing, placeholders.

Documents are composed by libyaml (fast) and only the ones we read are constructed: a 1.4 MB
CustomResourceDefinition costs a compose, never a construct.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from linter.model import Unknown
from linter.safe_yaml import too_many_written, unfit as unfit_reason

LINE = "__line__"  # 1-based line of a mapping, added to every constructed dict
# keys that evaluators add to dicts and that are never Calico field names (ours, and linter.terraform.values')
META_KEYS = frozenset({LINE, "__attr_lines__"})

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# `${pod_cidr}`, `{{ .Values.x }}`, `{% if %}`, `$(VAR)` (Kubernetes env expansion)
_ENV_REFERENCE = re.compile(r"\$\([A-Za-z_][A-Za-z0-9_]*\)")
_DELIMITED = (("${", "}"), ("{{", "}}"), ("{%", "%}"))
_TEMPLATE_MARKERS = ("{{", "{%")

_CALICO_KINDS = frozenset({"ipPool", "IPPool", "FelixConfiguration", "Installation", "List", "IPPoolList",
                           "FelixConfigurationList", "DaemonSet", "ConfigMap", "BGPConfiguration", "BGPPeer",
                           "BGPPeerList", "BGPConfigurationList", "Deployment"})


class _LineLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """SafeLoader that records each mapping's 1-based line under `__line__`."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE] = node.start_mark.line + 1
        return mapping




@dataclass(frozen=True, slots=True)
class YamlFailure:
    """Why a text is not YAML: the message and the 1-based line/column of the problem."""

    message: str
    line: int
    column: int
    as_json_too: bool = False  # the text is YAML, just unfit to read: reading it as JSON would fail the same way


def load_relevant_documents(text: str) -> list[dict[str, Any]] | YamlFailure:
    """Every top-level mapping that may be Calico configuration, constructed with line numbers.

    Other documents (CRDs, Services, ...) are composed (so syntax errors anywhere are seen) but not built.
    """
    too_many = too_many_written(text)
    if too_many is not None:
        return YamlFailure(too_many, 1, 1, as_json_too=True)
    loader = _LineLoader(text)
    documents: list[dict[str, Any]] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            unfit = None if node is None or _is_irrelevant_mapping(node) else unfit_reason(node)
            if unfit is not None:
                return YamlFailure(unfit, node.start_mark.line + 1, node.start_mark.column + 1, as_json_too=True)
            if node is not None and _is_relevant(node):
                value = loader.construct_document(node)
                # calicoctl v1 accepted (and printed) a top-level list of resources
                documents.extend(item for item in (value if isinstance(value, list) else [value])
                                 if isinstance(item, dict))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = " ".join(part for part in (error.context, error.problem) if part) or str(error)
        return YamlFailure(message, mark.line + 1 if mark else 1, mark.column + 1 if mark else 1)
    except yaml.YAMLError as error:
        return YamlFailure(str(error).splitlines()[0] if str(error) else "invalid YAML", 1, 1)
    except (ValueError, TypeError, RecursionError, OverflowError) as error:
        # a timestamp-looking value that is no date, an unhashable key, absurd nesting
        return YamlFailure(f"invalid YAML value: {error}", 1, 1)
    finally:
        loader.dispose()
    return documents


def _is_irrelevant_mapping(node: yaml.Node) -> bool:
    return isinstance(node, yaml.MappingNode) and not _is_relevant(node)  # cheap: looks at its keys only


def _is_relevant(node: yaml.Node) -> bool:
    if isinstance(node, yaml.SequenceNode):
        return any(_is_relevant(item) for item in node.value)
    if not isinstance(node, yaml.MappingNode):
        return False
    keys = {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    if "installation" in keys:
        return True
    kind = keys.get("kind")
    return isinstance(kind, yaml.ScalarNode) and kind.value in _CALICO_KINDS


def has_template_markers(text: str, error_line: int = 0) -> bool:
    """`{{`/`{%` anywhere, or a Terraform `${...}` at (or just before) the line where parsing failed."""
    if any(marker in text for marker in _TEMPLATE_MARKERS):
        return True
    lines = text.splitlines()[max(error_line - 3, 0):error_line]
    return any("${" in line for line in lines)


def mentions_calico(text: str) -> bool:
    return "projectcalico.org" in text or "operator.tigera.io" in text


def has_placeholder(value: str) -> bool:
    """Linear: a regular expression for `${...}` retries from every `${` of "${${${..." (quadratic)."""
    for opening, closing in _DELIMITED:
        start = value.find(opening)
        if start >= 0 and value.rfind(closing) >= start + len(opening):
            return True
    return "$(" in value and _ENV_REFERENCE.search(value) is not None


def scalar(value: Any) -> Any:
    """A value as Calico would see it: placeholders are Unknown; Unknown stays Unknown."""
    if isinstance(value, str) and has_placeholder(value):
        return Unknown(value)
    return value


def line_of(value: Any, default: int) -> int:
    if isinstance(value, dict):
        line = value.get(LINE)
        if isinstance(line, int):
            return line
    return default


def brief(value: Any, limit: int = 160) -> str:
    """A value as a note or message shows it: its repr without line keys, cut at `limit` characters.

    Built lazily, so a value of any size (an alias-expanded list, a 16 MB string) costs about `limit` steps.
    """
    text = ""
    for token in _repr_tokens(value, 0, limit):
        text += token
        if len(text) > limit:
            return text[: limit - 1] + "…"
    return text


def _repr_tokens(value: Any, depth: int, limit: int) -> Any:
    if isinstance(value, Unknown):
        yield f"<unknown: {value.expr[:limit]}>"
    elif isinstance(value, dict):
        if depth > 16:
            yield "{…}"
            return
        yield "{"
        separator = ""
        for key, item in value.items():
            if key in META_KEYS:
                continue
            yield separator
            yield from _repr_tokens(key, depth + 1, limit)
            yield ": "
            yield from _repr_tokens(item, depth + 1, limit)
            separator = ", "
        yield "}"
    elif isinstance(value, (list, tuple, set, frozenset)):  # YAML's !!set is a set
        if depth > 16:
            yield "[…]"
            return
        yield "["
        for index, item in enumerate(value):
            yield ", " if index else ""
            yield from _repr_tokens(item, depth + 1, limit)
        yield "]"
    elif isinstance(value, (str, bytes)):  # YAML's !!binary is bytes
        yield repr(value[: limit + 1])
    elif isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 512:
        yield "<an integer of more than 150 digits>"  # repr() of a long int is quadratic, and past 4,300 digits an error
    else:
        yield repr(value)


def strip_lines(value: Any) -> Any:
    """A copy without `__line__` keys (for schema validation and messages)."""
    if isinstance(value, dict):
        return {k: strip_lines(v) for k, v in value.items() if k not in META_KEYS}
    if isinstance(value, list):
        return [strip_lines(item) for item in value]
    return value
