"""Terraform plan JSON (`terraform show -json tfplan`) -> evaluated resources -> the model.

Values come from `planned_values` (root module and nested `child_modules`); an attribute that
`resource_changes[].change.after_unknown` marks unknown and that the planned values leave unset is
UNKNOWN, unless the `configuration` section names the managed resources it references (the
security groups of an instance, the subnet of an interface): those become `Ref`s, as the HCL
evaluator would produce. The same `linter.terraform.to_model` mapping then gives the same model
as the HCL source. Findings point at the `.tf` files beside the plan (or under `--tf-root`) when
they are there, else at the plan file itself.
"""
from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Iterator

from linter.confine import Confinement, Refused
from linter.model import Model, ParseProblem, Suppression, Unknown, Where, merge_models
from linter.suppression_comments import scan_comment_suppressions
from linter.terraform.values import COLUMN, LINE, PLANNED, Ref, TfInstance, TfResource

SUPPORTED_MAJOR = ("0", "1")
# keys of a resource object in planned_values that are not its attributes
_KEY = r'\[(?:\d+|"(?:[^"\\]|\\.)*")\]'
_INSTANCE_KEYS = re.compile(_KEY)
_MODULE_SEGMENT = re.compile(r'module\.[A-Za-z_][\w-]*(?P<key>' + _KEY + r')?\.')
_REFERENCE = re.compile(
    r'^(?P<type>[A-Za-z_][\w-]*)\.(?P<name>[A-Za-z_][\w-]*)(?P<key>' + _KEY + r')?(?:\.(?P<attr>[A-Za-z_][\w-]*))?')
_NOT_RESOURCES = frozenset({"var", "local", "data", "module", "count", "each", "path", "terraform", "self"})
_INDEXING = frozenset({"count", "each", "path", "terraform", "self"})  # never a value of their own here
# attributes that hold a list of ids/CIDRs: references become a list
_LIST_ATTRS = frozenset({"vpc_security_group_ids", "security_groups", "subnet_ids", "vpc_zone_identifier",
                         "security_group_ids", "cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids",
                         "security_group_names", "private_ips", "target_group_arns", "values"})
# nested blocks the mapping iterates: computed (unknown) but unset in the configuration = absent
_BLOCKS = frozenset({"ingress", "egress", "network_interface", "network_interfaces", "attachment",
                     "launch_template", "mixed_instances_policy", "tag", "set", "launch_template_specification"})
_SHA1 = re.compile(r"^[0-9a-f]{40}$")


class _Shape(ValueError):
    """The JSON parses but is not a plan of the expected shape."""


def load_plan(path: str, *, tf_root: str | None = None, text: str | None = None,
              confinement: Confinement | None = None) -> Model:
    """One plan JSON file -> the model (its problems as CAL000, never an exception)."""
    plan_path = _norm(path)
    confinement = confinement or Confinement.around([plan_path, *([tf_root] if tf_root else [])])
    if text is None:
        read = confinement.read_text(plan_path)
        if isinstance(read, Refused):
            return _problem(plan_path, read.line, 1, f"cannot read file: {read.reason}")
        text = read
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return _problem(plan_path, error.lineno, error.colno, f"plan JSON does not parse: {error.msg}")
    except ValueError:  # the one other ValueError of json.loads: Python's limit on digits of an int
        limit = getattr(sys, "get_int_max_str_digits", lambda: 0)()
        return _problem(plan_path, 1, 1, f"plan JSON holds an integer of more than {limit:,} digits (Python's limit)")
    except RecursionError:
        return _problem(plan_path, 1, 1, "plan JSON is nested too deeply")
    lines_dir = _tf_dir(plan_path, tf_root, confinement)
    suppressions: tuple[Suppression, ...] = ()
    files: tuple[str, ...] = (plan_path,)
    try:
        resources = _read_plan(data, plan_path, text)
        if lines_dir is not None:
            resources, sources = _with_hcl_lines(resources, lines_dir, confinement)
            suppressions = tuple(s for path, text in sources for s in scan_comment_suppressions(text, path))
            files += tuple(path for path, _text in sources)
    except _Shape as error:
        return _problem(plan_path, 1, 1, str(error))
    except RecursionError:
        return _problem(plan_path, 1, 1, "plan JSON is nested too deeply")
    from linter.terraform.to_model import resources_to_model
    from linter.terraform.embedded import embedded_models

    return merge_models([resources_to_model(resources), embedded_models(resources),
                         Model(suppressions=suppressions, files=files)])


def _norm(path: str) -> str:
    return os.path.normpath(os.path.abspath(path)).replace(os.sep, "/")


def _problem(path: str, line: int, column: int, message: str) -> Model:
    return Model(problems=(ParseProblem(Where(path, max(line, 1), max(column, 1), ""), message),), files=(path,))


# ------------------------------------------------------------------------------------------ the plan


@dataclass
class _Raw:
    """One resource of planned_values, before grouping (instances in plan order)."""

    address: str  # without instance keys
    module: str  # module path without instance keys
    mode: str
    type: str
    name: str
    # (key, full address, values, the keys of the module instances it is in: one per module call, None if single)
    instances: list[tuple[Any, str, dict[str, Any], tuple[Any, ...]]] = field(default_factory=list)


def _read_plan(data: Any, plan_path: str, text: str) -> list[TfResource]:
    if not isinstance(data, dict):
        raise _Shape("not a Terraform plan: the JSON is not an object")
    version = data.get("format_version")
    if not isinstance(version, str) or not version:
        raise _Shape("not a Terraform plan: no format_version")
    if version.split(".")[0] not in SUPPORTED_MAJOR:
        raise _Shape(f"plan JSON format_version {version!r} is not supported (0.x and 1.x are)")
    planned = data.get("planned_values", {})
    if not isinstance(planned, dict):
        raise _Shape("plan JSON: planned_values is not an object")
    changes = _changes(data.get("resource_changes", []))
    configuration = data.get("configuration", {})
    root_config = configuration.get("root_module", {}) if isinstance(configuration, dict) else {}
    raws: dict[str, _Raw] = {}
    root = planned.get("root_module", {})
    if not isinstance(root, dict):
        raise _Shape("plan JSON: planned_values.root_module is not an object")
    for resource in _planned_resources(root, 0):
        full = resource.get("address")
        if not isinstance(full, str) or not full:
            raise _Shape("plan JSON: a planned resource has no address")
        change = changes.get(full)
        if change is not None and _actions(change) == ["delete"]:
            continue  # not left in place: does not count
        _add_raw(raws, resource, full)
    config_index = _ConfigIndex(root_config if isinstance(root_config, dict) else {})
    keys = {address: [(_module_key(m), k) for k, _a, _v, m in raw.instances]
            for address, raw in raws.items() if raw.mode == "managed"}
    lines = _plan_lines(text)
    found: list[TfResource] = []
    for raw in raws.values():
        expressions = config_index.expressions(raw.module, raw.address)
        instances = []
        for key, full, values, module_keys in raw.instances:
            change = changes.get(full)
            after_unknown = change.get("after_unknown") if isinstance(change, dict) else None
            fill = _Filler(raw.module, keys, config_index, module_keys)
            # as the HCL reader keys them: the module instance keys first (`"a/0"`), so both agree
            module_key = _module_key(module_keys)
            instances.append(TfInstance(_instance_key(module_key, key),
                                        fill.values(values, after_unknown, expressions, full, raw.type), module_key))
        line, column = lines.get(raw.instances[0][1], lines.get(raw.address, (1, 1)))
        found.append(_relined(TfResource(
            address=raw.address, type=raw.type, name=raw.name, module=raw.module,
            where=Where(plan_path, line, column, raw.address), instances=tuple(instances), mode=raw.mode,
            deployment=plan_path, extras={PLANNED: True}), line, None))
    return found


Position = tuple[int, int]  # (line, column) of an HCL block


def _changes(value: Any) -> dict[str, dict]:
    if not isinstance(value, list):
        raise _Shape("plan JSON: resource_changes is not a list")
    changes: dict[str, dict] = {}
    for change in value:
        if isinstance(change, dict) and isinstance(change.get("address"), str):
            inner = change.get("change")
            changes.setdefault(change["address"], inner if isinstance(inner, dict) else {})
    return changes


def _actions(change: dict) -> list[Any]:
    actions = change.get("actions")
    return actions if isinstance(actions, list) else []


def _planned_resources(module: dict, depth: int) -> Iterator[dict]:
    if depth > 100:
        raise _Shape("plan JSON: modules nested too deeply")
    resources = module.get("resources", [])
    children = module.get("child_modules", [])
    if not isinstance(resources, list) or not isinstance(children, list):
        raise _Shape("plan JSON: a module's resources/child_modules is not a list")
    for resource in resources:
        if not isinstance(resource, dict):
            raise _Shape("plan JSON: a planned resource is not an object")
        yield resource
    for child in children:
        if not isinstance(child, dict):
            raise _Shape("plan JSON: a child module is not an object")
        yield from _planned_resources(child, depth + 1)


def strip_keys(address: str) -> str:
    """`module.a[0].aws_instance.web["x"]` -> `module.a.aws_instance.web`."""
    return _INSTANCE_KEYS.sub("", address)


def _add_raw(raws: dict[str, _Raw], resource: dict, full: str) -> None:
    mode = "data" if resource.get("mode") == "data" else "managed"
    kind, name = resource.get("type"), resource.get("name")
    if not isinstance(kind, str) or not isinstance(name, str):
        raise _Shape(f"plan JSON: resource {full} has no type or name")
    stripped = strip_keys(full)
    local = f"{kind}.{name}" if mode == "managed" else f"data.{kind}.{name}"
    module = stripped[: -len(local)].rstrip(".") if stripped.endswith(local) else ""
    address = f"{module}.{local}" if module else local
    values = resource.get("values", {})
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise _Shape(f"plan JSON: values of {full} is not an object")
    index = resource.get("index")
    key = index if isinstance(index, (int, str)) and not isinstance(index, bool) else None
    raw = raws.setdefault(address, _Raw(address, module, mode, kind, name))
    raw.instances.append((key, full, values, _module_instance_keys(full)))


def _module_instance_keys(full: str) -> tuple[Any, ...]:
    """`module.a["x"].module.b.module.c[0].aws_instance.web` -> ("x", None, 0): each module call's key."""
    found: list[Any] = []
    position = 0
    while (match := _MODULE_SEGMENT.match(full, position)) is not None:
        key = match.group("key")
        found.append(None if key is None else json.loads(key[1:-1]) if key.startswith('["') else int(key[1:-1]))
        position = match.end()
    return tuple(found)


def _module_key(module_keys: tuple[Any, ...]) -> str | None:
    """The HCL reader's TfInstance.module_key: the counted/for_each module instances' keys (`"a/0"`)."""
    return "/".join(str(k) for k in module_keys if k is not None) or None


def _instance_key(module_key: str | None, key: Any) -> Any:
    if module_key is None:
        return key
    return module_key if key is None else f"{module_key}/{key}"


_ADDRESS_LINE = re.compile(r'"address"\s*:\s*"((?:[^"\\]|\\.)*)"')


def _plan_lines(text: str) -> dict[str, tuple[int, int]]:
    """Full address (as written in the plan) -> (line, column) of its first `"address": "..."`."""
    found: dict[str, tuple[int, int]] = {}
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    for match in _ADDRESS_LINE.finditer(text):
        try:
            address = json.loads(f'"{match.group(1)}"')
        except json.JSONDecodeError:
            continue
        if address in found:
            continue
        line = _bisect(line_starts, match.start())
        found[address] = (line, match.start() - line_starts[line - 1] + 1)
    return found


def _bisect(starts: list[int], offset: int) -> int:
    low, high = 0, len(starts)
    while low + 1 < high:
        middle = (low + high) // 2
        if starts[middle] <= offset:
            low = middle
        else:
            high = middle
    return low + 1


# ------------------------------------------------------------------------------------------ configuration


class _ConfigIndex:
    """`configuration.root_module` (and module_calls) -> the expressions of each resource, each module
    indexed once (by address) on first use: a plan of N resources costs N lookups, not N scans."""

    def __init__(self, root: dict) -> None:
        self.root = root
        self._modules: dict[str, tuple[dict, dict]] = {}
        self._resources: dict[str, dict[str, dict]] = {}

    def _module(self, module: str) -> tuple[dict, dict]:
        """(the module's configuration, the expressions of the call that made it)."""
        found = self._modules.get(module)
        if found is None:
            found = self._modules[module] = self._find_module(module)
        return found

    def _find_module(self, module: str) -> tuple[dict, dict]:
        config: dict = self.root
        call_expressions: Any = {}
        for name in module.split(".")[1::2] if module else []:
            calls = config.get("module_calls", {})
            call = calls.get(name) if isinstance(calls, dict) else None
            inner = call.get("module") if isinstance(call, dict) else None
            if not isinstance(inner, dict):
                return {}, {}
            call_expressions = call.get("expressions", {}) if isinstance(call, dict) else {}
            config = inner
        return config, call_expressions if isinstance(call_expressions, dict) else {}

    def call_expressions(self, module: str) -> dict:
        return self._module(module)[1]

    def expressions(self, module: str, address: str) -> dict:
        local = address[len(module) + 1:] if module else address
        return self._indexed(module).get(local, {})

    def _indexed(self, module: str) -> dict[str, dict]:
        """The module's resources: local address -> expressions (the first resource of an address wins)."""
        index = self._resources.get(module)
        if index is None:
            index = self._resources[module] = {}
            resources = self._module(module)[0].get("resources", [])
            for resource in resources if isinstance(resources, list) else []:
                if isinstance(resource, dict) and isinstance(resource.get("address"), str):
                    expressions = resource.get("expressions", {})
                    index.setdefault(resource["address"], expressions if isinstance(expressions, dict) else {})
        return index


@dataclass(frozen=True, slots=True)
class _Filler:
    """Planned values + after_unknown + configuration -> evaluated values (as the HCL evaluator gives)."""

    module: str
    keys: dict[str, list[tuple[str | None, Any]]]  # managed resource address -> (module key, own key) in plan order
    config: "_ConfigIndex"
    module_keys: tuple[Any, ...] = ()  # the module instance being filled: references stay inside it

    def values(self, planned: dict, after_unknown: Any, expressions: dict, full: str, kind: str) -> dict[str, Any]:
        values = _mark_blocks(planned, None)
        unknown = after_unknown if isinstance(after_unknown, dict) else {}
        for name, flag in unknown.items():
            if not _has_true(flag):
                continue
            expr = expressions.get(name)
            text = f"{full}.{name} (known after apply)"
            current = values.get(name)
            if current is None and flag is True:
                if expr is None and name in _BLOCKS:
                    values.pop(name, None)  # computed, not configured: no such block
                    continue
                values[name] = self.from_expression(expr, text, name)
            else:
                values[name] = self.fill(current, flag, expr, text, name)
        user_data = expressions.get("user_data")
        if isinstance(values.get("user_data"), str) and _SHA1.match(values["user_data"]) \
                and isinstance(user_data, dict) and isinstance(user_data.get("constant_value"), str):
            values["user_data"] = user_data["constant_value"]  # the state keeps only its hash
        _check_blocks(values, full, 0)
        values[LINE] = 0  # replaced by the resource line
        return values

    def fill(self, current: Any, flag: Any, expr: Any, text: str, name: str) -> Any:
        """A value partly unknown: fill the unknown parts from the configuration."""
        if flag is True:
            if current is not None:
                return current
            return self.from_expression(expr, text, name)
        if isinstance(flag, dict) and isinstance(current, dict):
            merged = dict(current)
            sub_exprs = expr if isinstance(expr, dict) and not _is_expression(expr) else {}
            for key, sub in flag.items():
                if _has_true(sub):
                    merged[key] = self.fill(current.get(key), sub, sub_exprs.get(key), f"{text}.{key}", key)
            return merged
        if isinstance(flag, list) and isinstance(current, list):
            if any(isinstance(item, dict) for item in current):
                return self.fill_blocks(current, flag, expr, text)
            known = [item for item, unknown in zip(current, flag + [False] * len(current))
                     if not _has_true(unknown) and item is not None]
            missing = sum(1 for item in flag if _has_true(item))
            refs = [item for item in self.references(expr) if isinstance(item, Ref)]
            extra = [Unknown(text)] * max(missing - len(refs), 0)
            return list(dict.fromkeys(refs + known + extra)) if _hashable(known) else refs + known + extra
        if current is None:
            return self.from_expression(expr, text, name)
        return current

    def fill_blocks(self, current: list, flag: list, expr: Any, text: str) -> list:
        configured = [b for b in expr if isinstance(b, dict)] if isinstance(expr, list) else []
        used: set[int] = set()
        filled = []
        for position, block in enumerate(current):
            unknown = flag[position] if position < len(flag) else False
            if not isinstance(block, dict) or not _has_true(unknown):
                filled.append(block)
                continue
            match = _matching_block(block, configured, used)
            sub_exprs = configured[match] if match is not None else {}
            filled.append(self.fill(block, unknown, sub_exprs, f"{text}[{position}]", ""))
        return filled

    def from_expression(self, expr: Any, text: str, name: str) -> Any:
        """An attribute that planned values leave unknown, from its configuration expression."""
        if isinstance(expr, list):  # nested blocks
            return [self.block(b, f"{text}[{i}]") for i, b in enumerate(expr) if isinstance(b, dict)]
        if not isinstance(expr, dict) or not _is_expression(expr):
            return [Unknown(text)] if name in _BLOCKS or name == "values" else Unknown(text)
        if "constant_value" in expr:
            return expr["constant_value"]
        listed = name in _LIST_ATTRS or name.endswith("_ids")
        items = self.references(expr, listed)
        if listed:
            return items if items else Unknown(text)
        refs = [item for item in items if isinstance(item, Ref)]
        if len(items) == 1 and len(refs) == 1:
            return refs[0]
        return Unknown(text)

    def block(self, exprs: dict, text: str) -> dict[str, Any]:
        values: dict[str, Any] = {LINE: 0}
        for key, expr in exprs.items():
            values[key] = self.from_expression(expr, f"{text}.{key}", key)
        return values

    def references(self, expr: Any, listed: bool = True) -> list[Ref | Unknown]:
        """The values an expression's `references` name: Refs to managed aws_* resources, else Unknown."""
        raw = expr.get("references") if isinstance(expr, dict) else None
        if not isinstance(raw, list):
            return []
        texts = [r for r in raw if isinstance(r, str)]
        indexed_by_instance = any(t.split(".")[0] in ("count", "each") for t in texts)
        bases: dict[str, dict[str | None, str | None]] = {}  # base -> {key: attribute}
        others: list[Ref | Unknown] = []
        for reference in texts:
            head = reference.split(".")[0].split("[")[0]
            if head in _INDEXING:
                continue
            match = _REFERENCE.match(reference)
            if head == "var" and self.module and match is not None:
                passed = self.variable(match.group("name"), listed)
                others.extend(i for i in passed if i not in others)
                continue
            if head in _NOT_RESOURCES or match is None or not match.group("type").startswith("aws_"):
                root = Unknown(".".join(reference.split(".")[:3 if head in ("data", "module") else 2]))
                if root not in others:
                    others.append(root)
                continue
            base = f"{match.group('type')}.{match.group('name')}"
            keys = bases.setdefault(base, {})
            key, attribute = match.group("key"), match.group("attr")
            if key not in keys or (keys[key] is None and attribute is not None):
                keys[key] = attribute
        items: list[Ref | Unknown] = []
        here = _module_key(self.module_keys)
        for base, keys in bases.items():
            address = f"{self.module}.{base}" if self.module else base
            # the instances of the same module instance: a reference never leaves it
            own = [k for m, k in self.keys.get(address, []) if m == here] if address in self.keys else None
            keyed = {k: a for k, a in keys.items() if k is not None}
            if keyed:
                items.extend(Ref(address + _key_text(_instance_key(here, _parse_key(k))) if here else address + k,
                                 a or keys.get(None) or "id") for k, a in keyed.items())
            elif _counted(own) and (indexed_by_instance or not listed):
                items.append(Unknown(f"{base}[...] (an instance chosen by an expression)"))
            elif _counted(own):  # a splat: every instance
                items.extend(Ref(address + _key_text(_instance_key(here, k)), keys.get(None) or "id")
                             for k in own or ())
            else:
                items.append(Ref(address + _key_text(here if address in self.keys else None), keys.get(None) or "id"))
        return items + others


    def variable(self, name: str, listed: bool) -> list[Ref | Unknown]:
        """`var.NAME` inside a module: what the module call passes, in the caller's module."""
        expr = self.config.call_expressions(self.module).get(name)
        caller = ".".join(self.module.split(".")[:-2])
        if isinstance(expr, dict) and "references" in expr:
            return _Filler(caller, self.keys, self.config, self.module_keys[:-1]).references(expr, listed)
        return [Unknown(f"{self.module}.var.{name}")]


def _check_blocks(values: dict, text: str, depth: int) -> None:
    """Nested blocks are lists (of objects) in every plan Terraform writes; anything else is malformed."""
    if depth > 50:
        raise _Shape(f"plan JSON: {text} is nested too deeply")
    for name, value in values.items():
        if name in _BLOCKS and value is not None and not isinstance(value, list):
            raise _Shape(f"plan JSON: {text}.{name} is not a list of blocks")
        if isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    _check_blocks(item, f"{text}.{name}", depth + 1)


def _counted(keys: list[Any] | None) -> bool:
    return keys is not None and (len(keys) > 1 or (len(keys) == 1 and keys[0] is not None))


def _parse_key(text: str) -> Any:
    """`[0]` -> 0, `["a"]` -> "a"."""
    inner = text[1:-1]
    return json.loads(inner) if inner.startswith('"') else int(inner)


def _key_text(key: Any) -> str:
    return "" if key is None else (f"[{json.dumps(key)}]" if isinstance(key, str) else f"[{key}]")


def _is_expression(expr: dict) -> bool:
    return "constant_value" in expr or "references" in expr


def _has_true(flag: Any) -> bool:
    if flag is True:
        return True
    if isinstance(flag, list):
        return any(_has_true(f) for f in flag)
    if isinstance(flag, dict):
        return any(_has_true(f) for f in flag.values())
    return False


def _hashable(items: list) -> bool:
    return all(isinstance(i, (str, int, float, bool)) for i in items)


def _matching_block(block: dict, configured: list[dict], used: set[int]) -> int | None:
    """The configuration block whose constant values agree with a planned block (first unused)."""
    candidates = []
    for position, exprs in enumerate(configured):
        agree = True
        for key, expr in exprs.items():
            if isinstance(expr, dict) and "constant_value" in expr and block.get(key) is not None:
                if not _same(block[key], expr["constant_value"]):
                    agree = False
                    break
        if agree:
            candidates.append(position)
    for position in candidates:
        if position not in used:
            used.add(position)
            return position
    return candidates[0] if candidates else None


def _same(planned: Any, constant: Any) -> bool:
    """Planned values are typed by the schema; constants are as written (`"179"` vs 179)."""
    if isinstance(planned, list) and isinstance(constant, list):
        return sorted(map(str, planned)) == sorted(map(str, constant))
    if isinstance(planned, bool) or isinstance(constant, bool):
        return str(planned).lower() == str(constant).lower()
    return str(planned) == str(constant)


def _mark_blocks(values: dict, line: int | None) -> dict[str, Any]:
    """A copy of planned values; every dict inside a list (a nested block) gets LINE."""
    copied: dict[str, Any] = {}
    for key, value in values.items():
        copied[key] = _mark_value(value, line)
    if line is not None:
        copied[LINE] = line
    return copied


def _mark_value(value: Any, line: int | None) -> Any:
    if isinstance(value, list):
        return [_mark_blocks(item, 0) if isinstance(item, dict) else _mark_value(item, line) for item in value]
    if isinstance(value, dict):
        return {key: _mark_value(item, line) for key, item in value.items()}
    return value


# ------------------------------------------------------------------------------------------ lines


def _tf_dir(plan_path: str, tf_root: str | None, confinement: Confinement) -> str | None:
    directory = _norm(tf_root) if tf_root else os.path.dirname(plan_path)
    listing = confinement.listing(directory)
    if listing is not None and any(name.endswith(".tf") and kind == "file" for name, kind in listing):
        return directory
    return None


def _with_hcl_lines(resources: list[TfResource], directory: str,
                    confinement: Confinement) -> tuple[list[TfResource], tuple[tuple[str, str], ...]]:
    """Resources located at their HCL blocks (when the .tf files declare them); the files read."""
    from linter.terraform.modules import declarations

    declared = declarations(directory, confinement)
    located: list[TfResource] = []
    for resource in resources:
        found = declared.blocks.get(resource.address)
        if found is None:
            located.append(_relined(resource, resource.where.line, None))
            continue
        where, block = found
        located.append(_relined(_at(resource, where), where.line, _nested_positions(block)))
    return located, declared.sources


def _at(resource: TfResource, where: Where) -> TfResource:
    return TfResource(resource.address, resource.type, resource.name, resource.module,
                      Where(where.file, where.line, where.column, resource.address), resource.instances,
                      resource.count_unknown, resource.mode, resource.deployment, resource.end_line,
                      resource.extras)


def _relined(resource: TfResource, line: int, blocks: dict[str, list[tuple[dict, Position]]] | None) -> TfResource:
    """Give the resource's LINE to its values and each nested block the line of its HCL block."""
    instances = tuple(TfInstance(i.key, _set_lines(i.values, (line, 1), blocks), i.module_key)
                      for i in resource.instances)
    return TfResource(resource.address, resource.type, resource.name, resource.module, resource.where,
                      instances, resource.count_unknown, resource.mode, resource.deployment, resource.end_line,
                      resource.extras)


def _set_lines(values: dict, position: Position, blocks: dict[str, list[tuple[dict, Position]]] | None) -> dict:
    result: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, list) and any(isinstance(item, dict) for item in value):
            declared = (blocks or {}).get(key, [])
            used: set[int] = set()
            items = []
            for item in value:
                if not isinstance(item, dict):
                    items.append(item)
                    continue
                index = _matching_block(item, [exprs for exprs, _position in declared], used)
                items.append(_set_lines(item, declared[index][1] if index is not None else position, None))
            result[key] = items
        else:
            result[key] = value
    result[LINE], result[COLUMN] = position
    return result


def _nested_positions(block: Any) -> dict[str, list[tuple[dict, Position]]]:
    """Nested blocks of a resource block: {block type: [(constant attributes, (line, column))]}."""
    nested: dict[str, list[tuple[dict, Position]]] = {}
    for inner in block.body.blocks:
        nested.setdefault(inner.type, []).append((_constants(inner.body), (inner.line, inner.column)))
    return nested


def _constants(body: Any) -> dict[str, dict]:
    """Literal attributes of an HCL block, shaped like configuration expressions."""
    from linter.terraform.evaluate import Scope, evaluate, finalize, has_unknown

    found: dict[str, dict] = {}
    for attribute in body.attributes:
        value = finalize(evaluate(attribute.expr, Scope()))
        if not has_unknown(value) and isinstance(value, (str, int, float, bool, list)) \
                and not (isinstance(value, list) and not _hashable(value)):
            found[attribute.name] = {"constant_value": value}
    return found
