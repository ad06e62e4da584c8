"""CAL011: check Calico resources against the compact schemas in `linter/calico/schemas/` (package data).

Messages name the field and the allowed values: `ipipMode: 'crosssubnet' is not one of Never, Always, CrossSubnet`.
Unknown values (placeholders, unresolved Terraform) are never reported.
"""
from __future__ import annotations

import ipaddress
import json
from functools import cache
from importlib import resources
from typing import Any

from linter.model import Unknown
from linter.calico.values import META_KEYS, brief, has_placeholder, strip_lines

# (field, message) pairs; the caller turns them into ConfigProblems
Problem = tuple[str, str]

_UNKNOWN = "\x00calico-lint-unknown\x00"  # stands in for an Unknown value during validation


@cache
def load_schema(name: str) -> dict[str, Any]:
    """A compact schema shipped as package data (`ippool`, `felixconfiguration`, `installation`)."""
    text = resources.files("linter.calico").joinpath("schemas").joinpath(f"{name}.json").read_text(encoding="utf-8")
    return json.loads(text)


def validate_spec(spec: Any, schema: str | dict[str, Any], prefix: str = "") -> list[Problem]:
    """Schema problems of a resource's `spec` (fields relative to spec, e.g. `ipipMode`).

    `schema` is the name of a packaged schema (`ippool`, ...) or a schema itself.
    """
    from jsonschema import Draft7Validator

    if isinstance(schema, str):
        schema = load_schema(schema)
    instance = _fitted(spec if spec is not None else {}, schema)
    problems: list[Problem] = []
    reported: set[str] = set()
    errors = Draft7Validator(schema).iter_errors(instance)
    # one problem per field; an enum error (it names the allowed values) before a type error
    for error in sorted(errors, key=lambda e: ([str(p) for p in e.absolute_path], e.validator != "enum")):
        if error.instance == _UNKNOWN:
            continue
        for field, message in _describe(error, prefix):
            if field not in reported:
                reported.add(field)
                problems.append((field, message))
    problems.extend(near_miss_fields(instance, schema, prefix))
    return problems


# keywords that look inside a value's children: without them a schema node judges only the value's type
_CHILD_KEYWORDS = frozenset({
    "properties", "additionalProperties", "patternProperties", "propertyNames", "dependencies", "items",
    "additionalItems", "contains", "uniqueItems", "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
    "$ref",
})


def _fitted(value: Any, schema: Any) -> Any:
    """The instance the schema sees: without line keys, Unknowns masked, and cut where the schema stops.

    Only as deep as the schema describes (a list where a string belongs is judged by its type, not
    walked), so validation is linear in the schema's part of the document, not in the whole of it.
    """
    if isinstance(value, Unknown) or (isinstance(value, str) and has_placeholder(value)):
        return _UNKNOWN
    if not isinstance(value, (dict, list)):
        return value
    if not isinstance(schema, dict) or not _CHILD_KEYWORDS.isdisjoint(schema.keys() - {"properties", "items"}) \
            or _matches_containers(schema):
        return _masked(strip_lines(value))  # a keyword this cut does not model: the whole value
    if isinstance(value, dict):
        properties = schema.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        # other keys stay (`required`, the near-miss check) but their values are not the schema's
        return {k: _fitted(v, properties[k]) if k in properties else None
                for k, v in value.items() if k not in META_KEYS}
    items = schema.get("items")
    if isinstance(items, dict):
        return [_fitted(item, items) for item in value]
    return [None] * len(value)  # only the length can matter (maxItems, minItems)


def _matches_containers(schema: dict[str, Any]) -> bool:
    """An `enum`/`const` that a list or mapping could equal (then the value must be seen whole)."""
    allowed = list(schema.get("enum") or ()) + ([schema["const"]] if "const" in schema else [])
    return any(isinstance(v, (dict, list)) for v in allowed)


def _masked(value: Any) -> Any:
    if isinstance(value, Unknown) or (isinstance(value, str) and has_placeholder(value)):
        return _UNKNOWN
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(item) for item in value]
    return value


def _describe(error: Any, prefix: str) -> list[Problem]:
    field = join_path(prefix, error.absolute_path)
    shown = field or "spec"
    if error.validator == "enum":
        allowed = ", ".join(str(v) if v != "" else '""' for v in error.validator_value)
        return [(field, f"{shown}: {_show(error.instance)} is not one of {allowed}")]
    if error.validator == "type":
        return [(field, f"{shown}: {_show(error.instance)} is not of type {error.validator_value}")]
    if error.validator == "required":
        missing = [name for name in error.validator_value
                   if isinstance(error.instance, dict) and name not in error.instance]
        return [(join_path(field, [name]), f"{join_path(field, [name])}: required field is missing")
                for name in missing]
    message, instance_repr = error.message, repr(error.instance)
    if message.startswith(instance_repr):  # jsonschema's messages open with the value's whole repr
        message = _show(error.instance) + message[len(instance_repr):]
    return [(field, f"{shown}: {message}")]


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return brief(value)


def join_path(prefix: str, parts: Any) -> str:
    path = prefix
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path = f"{path}.{part}" if path else str(part)
    return path


def _squash(name: str) -> str:
    return name.replace("-", "").replace("_", "").lower()


def near_miss_fields(instance: Any, schema: dict[str, Any], prefix: str) -> list[Problem]:
    """Keys that differ from a known field only by case or dashes (`IPIPMode`, `nat-outgoing`).

    Calico's strict decoding rejects them, and a plain schema check would silently ignore the setting.
    """
    problems: list[Problem] = []
    if isinstance(instance, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(instance):
            problems.extend(near_miss_fields(item, schema["items"], f"{prefix}[{index}]"))
        return problems
    properties = schema.get("properties")
    if not isinstance(instance, dict) or not isinstance(properties, dict):
        return problems
    known = {_squash(name): name for name in properties}
    for key, value in instance.items():
        if not isinstance(key, str):
            continue
        if key in properties:
            problems.extend(near_miss_fields(value, properties[key], join_path(prefix, [key])))
        elif _squash(key) in known:
            field = join_path(prefix, [key])
            problems.append((field, f"{field}: unknown field (did you mean {known[_squash(key)]}?)"))
    return problems


def cidr_problem(field: str, value: Any) -> Problem | None:
    """A CIDR that Calico cannot parse (host bits are allowed: Calico masks them)."""
    if not isinstance(value, str) or has_placeholder(value):
        return None
    if parse_cidr(value) is None:
        return (field, f"{field}: {brief(value)} is not a valid CIDR")
    return None


def parse_cidr(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    if "/" not in value:
        return None
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return None
