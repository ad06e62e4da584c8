"""Terraform's JSON configuration syntax (`*.tf.json`) -> the same `hcl.Body` as a `.tf` file.

Strings are templates (`"${var.x}"`) except where Terraform reads them literally (a variable's
`default`, a module's `source`) or as an expression (a variable's `type`). Without a provider schema,
an object value is a nested block when its key names a block type that the model reads (`ingress`,
`launch_template`, ...) and an object attribute otherwise (`tags`, `manifest`); a list of objects reads
the same either way. Lines come from a small position-keeping JSON reader.
"""
from __future__ import annotations

import json
import re
import sys
from json.decoder import scanstring  # type: ignore[attr-defined]  # CPython's, not in typeshed
from typing import Any

from linter.model import ParseProblem, Where
from linter.terraform import hcl

# keys whose object values are nested blocks (the rest are object-typed attributes)
BLOCK_KEYS = frozenset({
    "ingress", "egress", "launch_template", "launch_template_specification", "mixed_instances_policy",
    "instances_distribution", "override", "network_interface", "network_interfaces", "attachment", "tag",
    "root_block_device", "ebs_block_device", "metadata_options", "iam_instance_profile", "scaling_config",
    "remote_access", "timeouts", "lifecycle", "provisioner", "connection", "content", "validation",
    "precondition", "postcondition",
})
_LITERAL_KEYS = {"variable": ("default",), "module": ("source", "version")}
_COMMENT = "//"
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_SPACE = re.compile(r"[ \t\n\r]*")


class _Object(dict):  # type: ignore[type-arg]
    """A JSON object with the line of each key, of its `{` and of its `}`."""

    def __init__(self, pairs: list[tuple[str, Any]], lines: dict[str, int], line: int, end_line: int) -> None:
        super().__init__(pairs)
        self.lines = lines
        self.line = line
        self.end_line = end_line


class _Array(list):  # type: ignore[type-arg]
    def __init__(self, items: list[Any], lines: list[int], line: int) -> None:
        super().__init__(items)
        self.lines = lines
        self.line = line


class _JsonError(ValueError):
    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.newlines = [i for i, c in enumerate(text) if c == "\n"]

    def line(self, position: int) -> int:
        low, high = 0, len(self.newlines)
        while low < high:
            middle = (low + high) // 2
            if self.newlines[middle] < position:
                low = middle + 1
            else:
                high = middle
        return low + 1

    def skip(self, position: int) -> int:
        return _SPACE.match(self.text, position).end()  # type: ignore[union-attr]

    def value(self, position: int, depth: int = 0) -> tuple[Any, int]:
        if depth > 200:
            raise _JsonError("nested too deeply", position)
        text = self.text
        position = self.skip(position)
        char = text[position:position + 1]
        if char == "{":
            return self.object(position, depth)
        if char == "[":
            return self.array(position, depth)
        if char == '"':
            try:
                return scanstring(text, position + 1, True)
            except ValueError as error:
                raise _JsonError(f"bad string: {error}", position) from None
        for word, value in (("true", True), ("false", False), ("null", None)):
            if text.startswith(word, position):
                return value, position + len(word)
        match = _NUMBER.match(text, position)
        if match is None:
            raise _JsonError("expected a value", position)
        number = match.group(0)
        if any(c in number for c in ".eE"):
            return float(number), match.end()
        limit = getattr(sys, "get_int_max_str_digits", lambda: 0)()  # 0: no limit (Python < 3.10.7)
        if limit and len(number.lstrip("-")) > limit:
            raise _JsonError(f"an integer of more than {limit:,} digits (Python's limit)", position)
        return int(number), match.end()

    def object(self, start: int, depth: int) -> tuple[_Object, int]:
        pairs: list[tuple[str, Any]] = []
        lines: dict[str, int] = {}
        position = self.skip(start + 1)
        if self.text.startswith("}", position):
            return _Object(pairs, lines, self.line(start), self.line(position)), position + 1
        while True:
            position = self.skip(position)
            if not self.text.startswith('"', position):
                raise _JsonError("expected a key in double quotes", position)
            key_line = self.line(position)
            key, position = self.value(position, depth + 1)
            position = self.skip(position)
            if not self.text.startswith(":", position):
                raise _JsonError("expected ':'", position)
            item, position = self.value(position + 1, depth + 1)
            pairs.append((key, item))
            lines.setdefault(key, key_line)
            position = self.skip(position)
            if self.text.startswith(",", position):
                position += 1
                continue
            if self.text.startswith("}", position):
                return _Object(pairs, lines, self.line(start), self.line(position)), position + 1
            raise _JsonError("expected ',' or '}'", position)

    def array(self, start: int, depth: int) -> tuple[_Array, int]:
        items: list[Any] = []
        lines: list[int] = []
        position = self.skip(start + 1)
        if self.text.startswith("]", position):
            return _Array(items, lines, self.line(start)), position + 1
        while True:
            position = self.skip(position)
            lines.append(self.line(position))
            item, position = self.value(position, depth + 1)
            items.append(item)
            position = self.skip(position)
            if self.text.startswith(",", position):
                position += 1
                continue
            if self.text.startswith("]", position):
                return _Array(items, lines, self.line(start)), position + 1
            raise _JsonError("expected ',' or ']'", position)


def read_json(text: str) -> Any:
    """JSON text -> values whose objects and arrays know their lines. Raises ValueError."""
    reader = _Reader(text)
    value, position = reader.value(0)
    if reader.skip(position) != len(text):
        raise _JsonError("extra data after the JSON value", position)
    return value


def parse_tf_json(text: str, file: str) -> tuple[hcl.Body | None, tuple[ParseProblem, ...]]:
    """A `.tf.json` text as a Body of top-level blocks; on a problem, None and why (CAL000)."""
    try:
        data = read_json(text)
    except _JsonError as error:
        reader = _Reader(text)
        line = reader.line(error.position)
        column = error.position - (reader.newlines[line - 2] if line > 1 else -1)
        return None, (ParseProblem(Where(file, line, column, ""), f"JSON does not parse: {error.message}"),)
    if not isinstance(data, _Object):
        return None, (ParseProblem(Where(file, 1, 1, ""), "a .tf.json file must hold a JSON object"),)
    try:
        blocks = _top_blocks(data)
    except hcl.HclError as error:
        return None, (ParseProblem(Where(file, error.line, error.column, ""), error.message),)
    return hcl.Body((), tuple(blocks)), ()


# ------------------------------------------------------------------------------------------ structure


def _objects(value: Any) -> list[_Object]:
    """An object, or each object of an array of objects (Terraform allows both for repeated items)."""
    if isinstance(value, _Object):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, _Object)]
    return []


def _top_blocks(data: _Object) -> list[hcl.Block]:
    blocks: list[hcl.Block] = []
    for kind, value in data.items():
        if kind == "locals":
            for group in _objects(value):
                body = _body(group, "locals", block_keys=frozenset())
                blocks.append(hcl.Block("locals", (), body, group.line, 1, group.end_line))
        elif kind in ("resource", "data"):
            for by_type in _objects(value):
                for type_name, by_name in by_type.items():
                    for names in _objects(by_name):
                        for name, item in names.items():
                            blocks.extend(_labelled(kind, (type_name, name), item, names.lines[name]))
        elif kind in ("variable", "output", "module"):
            for names in _objects(value):
                for name, item in names.items():
                    blocks.extend(_labelled(kind, (name,), item, names.lines[name]))
    return blocks


def _labelled(kind: str, labels: tuple[str, ...], value: Any, key_line: int) -> list[hcl.Block]:
    found = []
    for item in _objects(value):
        block_keys = BLOCK_KEYS if kind in ("resource", "data") else frozenset({"validation"})
        body = _body(item, kind, block_keys)
        found.append(hcl.Block(kind, labels, body, key_line, 1, item.end_line))
    return found


def _body(data: _Object, kind: str, block_keys: frozenset[str]) -> hcl.Body:
    attributes: list[hcl.Attribute] = []
    blocks: list[hcl.Block] = []
    for key, value in data.items():
        if key == _COMMENT:
            continue
        line = data.lines[key]
        if key == "dynamic" and kind in ("resource", "data"):
            for by_label in _objects(value):
                for label, spec in by_label.items():
                    for item in _objects(spec):
                        body = _body(item, "dynamic", frozenset({"content"}))
                        blocks.append(hcl.Block("dynamic", (label,), body, by_label.lines[label], 1, item.end_line))
            continue
        items = _objects(value)
        all_objects = bool(items) and (not isinstance(value, list) or len(items) == len(value))
        if key in block_keys and all_objects:
            item_lines = value.lines if isinstance(value, _Array) else [line]
            nested_kind = "resource" if kind in ("resource", "data", "dynamic") else key
            nested_keys = BLOCK_KEYS if nested_kind == "resource" else frozenset()
            for item, item_line in zip(items, item_lines):
                blocks.append(hcl.Block(key, (), _body(item, nested_kind, nested_keys), item_line, 1, item.end_line))
            continue
        attributes.append(hcl.Attribute(key, _attribute_expr(kind, key, value, line), line, 1))
    return hcl.Body(tuple(attributes), tuple(blocks))


def _attribute_expr(kind: str, key: str, value: Any, line: int) -> Any:
    if kind == "variable" and key == "type" and isinstance(value, str):
        try:
            return hcl.parse_expression(value)
        except hcl.HclError as error:
            raise hcl.HclError(f"variable type {value!r}: {error.message}", line, 1) from None
    if kind == "dynamic" and key == "iterator" and isinstance(value, str):
        return hcl.Variable(value, value, line)
    if key in _LITERAL_KEYS.get(kind, ()):
        return _literal(value, line)
    return _expr(value, line)


def _literal(value: Any, line: int) -> Any:
    """A JSON value taken as it is (no template evaluation)."""
    text = json.dumps(value)
    if isinstance(value, dict):
        items = tuple((hcl.Literal(k, json.dumps(k), line), _literal(v, line)) for k, v in value.items())
        return hcl.ObjectExpr(items, text, line)
    if isinstance(value, list):
        return hcl.TupleExpr(tuple(_literal(v, line) for v in value), text, line)
    return hcl.Literal(value, text, line)


def _expr(value: Any, line: int) -> Any:
    """A JSON value in an expression position: strings are templates."""
    if isinstance(value, str):
        if "${" not in value and "%{" not in value:
            return hcl.Literal(value, json.dumps(value), line)
        try:
            template = hcl.parse_template(value, line)
        except hcl.HclError as error:
            raise hcl.HclError(f"in {value!r}: {error.message}", line, 1) from None
        return hcl.Template(template.parts, value, line)
    if isinstance(value, _Object):
        items = []
        for key, item in value.items():
            if key == _COMMENT:
                continue
            item_line = value.lines.get(key, line)
            items.append((_expr(key, item_line), _expr(item, item_line)))
        return hcl.ObjectExpr(tuple(items), json.dumps(value), value.line)
    if isinstance(value, list):
        lines = value.lines if isinstance(value, _Array) else [line] * len(value)
        return hcl.TupleExpr(tuple(_expr(v, l) for v, l in zip(value, lines)), json.dumps(value), line)
    return hcl.Literal(value, json.dumps(value), line)
