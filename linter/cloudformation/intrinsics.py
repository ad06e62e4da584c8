"""CloudFormation intrinsic functions, evaluated where the template alone determines them.

Values out of `Scope.value` are plain Python (str, int, float, bool, None, list, dict), `Unknown`,
`ResRef` (a resource of this deployment, by its model key) or `NO_VALUE` (`Ref AWS::NoValue`, which
removes the property or list item holding it). Nested stacks are reached through `children`, a
callable that the loader supplies (it reads the child template once and memoises it).
"""
from __future__ import annotations

import json
import re
import reprlib
from dataclasses import dataclass
from typing import Any, Callable

from linter.model import Unknown


@dataclass(frozen=True, slots=True)
class ResRef:
    """`Ref X` / `Fn::GetAtt X.Attr` where X is a resource: `key` is X's model key."""

    key: str
    type: str
    attribute: str  # "Ref" for Ref


@dataclass(frozen=True, slots=True)
class JoinedRefs:
    """`Fn::Join` of resource references: opaque as a string, but a List parameter or
    `Fn::Split` on the same delimiter gets the references back (nested stacks pass lists so)."""

    items: tuple[Any, ...]
    delimiter: str


class _NoValue:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE = _NoValue()

PSEUDO_PARAMETERS = frozenset({
    "AWS::AccountId", "AWS::NotificationARNs", "AWS::Partition", "AWS::Region", "AWS::StackId",
    "AWS::StackName", "AWS::URLSuffix",
})
_SUB_VAR = re.compile(r"\$\{([^}]*)\}")
_MAX_DEPTH = 60


def line_col(node: Any) -> tuple[int, int] | None:
    """1-based (line, column) of a decoded node, from cfn-lint's marks (YAML and JSON differ)."""
    mark = getattr(node, "start_mark", None)
    if mark is None or not isinstance(getattr(mark, "line", None), int):
        return None
    if hasattr(mark, "index"):  # a PyYAML mark: 0-based line and column
        return mark.line + 1, mark.column + 1
    return mark.line + 1, max(int(mark.column), 1)  # cfn-lint's JSON mark: 0-based line


def describe(raw: Any, limit: int = 80) -> str:
    """A short text for an expression, for Unknown(...)."""
    if isinstance(raw, dict) and len(raw) == 1:
        (name, arg), = raw.items()
        if name == "Ref":
            return f"Ref {arg}"
        if name == "Fn::GetAtt":
            if isinstance(arg, list):
                return "Fn::GetAtt " + ".".join(str(a) for a in arg)
            return f"Fn::GetAtt {arg}"
        text = f"{name} {_compact(arg, limit)}"
    else:
        text = _compact(raw, limit)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _compact(raw: Any, limit: int) -> str:
    """JSON of `raw`, encoded lazily and only to a little past `limit` (aliases can make `raw` huge)."""
    if isinstance(raw, str):
        return raw
    chunks: list[str] = []
    size = 0
    try:
        for chunk in json.JSONEncoder(default=str, separators=(",", ":")).iterencode(raw):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                break
    except (TypeError, ValueError, RecursionError):
        return reprlib.repr(raw)
    return "".join(chunks)


def as_text(value: Any) -> str | None:
    """A scalar as CloudFormation would stringify it, else None."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def _parameter_value(definition: Any, given: Any, name: str) -> Any:
    """A parameter's value: what was passed, else its default, else Unknown."""
    ptype = str(definition.get("Type", "String")) if isinstance(definition, dict) else "String"
    if ptype.startswith("AWS::SSM::Parameter::Value"):
        return Unknown(f"parameter {name} (resolved from SSM)")
    if given is None:
        default = definition.get("Default") if isinstance(definition, dict) else None
        if default is None:
            return Unknown(f"parameter {name} (no default)")
        given = default
    if isinstance(given, (Unknown, ResRef)):
        return given
    if ptype.startswith("List<") or ptype == "CommaDelimitedList":
        if isinstance(given, list):
            return given
        if isinstance(given, JoinedRefs) and given.delimiter == ",":
            return list(given.items)
        text = as_text(given)
        return Unknown(f"parameter {name}") if text is None else [p.strip() for p in text.split(",")]
    if isinstance(given, list):
        return given
    text = as_text(given)
    return Unknown(f"parameter {name}") if text is None else text


class Scope:
    """One template evaluated with its parameters: a top-level template or a nested stack."""

    def __init__(
        self,
        template: dict,
        *,
        file: str,
        prefix: str,
        parameters: dict[str, Any],
        children: Callable[["Scope", str], "Scope | None"] | None = None,
        tf_markers: bool = False,
        fixed_line: int | None = None,
        ancestors: tuple[str, ...] = (),
    ) -> None:
        self.template = template
        self.file = file
        # a template embedded in Terraform: every element is located at the Terraform resource
        self.fixed_line = fixed_line
        self.ancestors = ancestors  # files of the enclosing stacks (a nested stack cycle stops)
        self.prefix = prefix  # "" for a top-level template, "Parent." for a nested one
        self.tf_markers = tf_markers  # "${" outside Fn::Sub is a Terraform unknown
        self._children = children
        resources = template.get("Resources")
        resources = resources if isinstance(resources, dict) else {}
        self.resources: dict[str, dict] = {
            str(k): v for k, v in resources.items() if isinstance(v, dict)
        }
        # the decoded keys carry the marks: the resource's first line
        self.resource_nodes: dict[str, Any] = {str(k): k for k in resources}
        declared = template.get("Parameters")
        declared = declared if isinstance(declared, dict) else {}
        self.parameters: dict[str, Any] = {
            str(name): _parameter_value(definition, parameters.get(str(name)), str(name))
            for name, definition in declared.items()
        }
        conditions = template.get("Conditions")
        self._condition_defs = conditions if isinstance(conditions, dict) else {}
        self._conditions: dict[str, bool | Unknown] = {}
        self._evaluating: set[str] = set()

    # -------------------------------------------------------------------------------- identity

    def key(self, logical_id: str) -> str:
        return f"{self.prefix}{logical_id}"

    def resource_type(self, logical_id: str) -> str:
        resource = self.resources.get(logical_id)
        return str(resource.get("Type", "")) if resource is not None else ""

    def child(self, logical_id: str) -> "Scope | None":
        if self._children is None or self.resource_type(logical_id) != "AWS::CloudFormation::Stack":
            return None
        return self._children(self, logical_id)

    # -------------------------------------------------------------------------------- conditions

    def condition(self, name: Any) -> bool | Unknown:
        name = str(name)
        if name in self._conditions:
            return self._conditions[name]
        if name in self._evaluating or name not in self._condition_defs:
            return Unknown(f"Condition {name}")
        self._evaluating.add(name)
        result = self._truth(self._condition_defs[name], 0)
        self._evaluating.discard(name)
        self._conditions[name] = result
        return result

    def resource_exists(self, logical_id: str) -> bool | Unknown:
        resource = self.resources.get(logical_id)
        if resource is None:
            return False
        name = resource.get("Condition")
        return True if name is None else self.condition(name)

    def _truth(self, raw: Any, depth: int) -> bool | Unknown:
        if depth > _MAX_DEPTH:
            return Unknown("condition nested too deep")
        if isinstance(raw, dict) and len(raw) == 1:
            (name, arg), = raw.items()
            if name == "Condition":
                return self.condition(arg)
            if name == "Fn::Not" and isinstance(arg, list) and len(arg) == 1:
                inner = self._truth(arg[0], depth + 1)
                return inner if isinstance(inner, Unknown) else not inner
            if name in ("Fn::And", "Fn::Or") and isinstance(arg, list) and arg:
                return _combine([self._truth(a, depth + 1) for a in arg], name == "Fn::And", raw)
            if name == "Fn::Equals" and isinstance(arg, list) and len(arg) == 2:
                left, right = (self.value(a, depth=depth + 1) for a in arg)
                if isinstance(left, ResRef) or isinstance(right, ResRef):
                    return _equals_ref(left, right, raw)
                if isinstance(left, Unknown) or isinstance(right, Unknown):
                    return Unknown(describe(raw))
                left_text, right_text = as_text(left), as_text(right)
                if left_text is None or right_text is None:
                    return Unknown(describe(raw))
                return left_text == right_text
        value = self.value(raw, depth=depth + 1)
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        return Unknown(describe(raw))

    # -------------------------------------------------------------------------------- values

    def value(self, raw: Any, *, lenient: bool = False, depth: int = 0) -> Any:
        """Evaluate raw. `lenient` turns unknown pieces of strings into `${...}` text (for user data)."""
        if depth > _MAX_DEPTH:
            return Unknown("expression nested too deep")
        if isinstance(raw, dict):
            if len(raw) == 1:
                (name, arg), = raw.items()
                function = _FUNCTIONS.get(str(name))
                if function is not None:
                    return function(self, arg, raw, lenient, depth + 1)
                if str(name).startswith("Fn::"):
                    return Unknown(describe(raw))
            result = {}
            for key, item in raw.items():
                evaluated = self.value(item, lenient=lenient, depth=depth + 1)
                if evaluated is not NO_VALUE:
                    result[str(key)] = evaluated
            return result
        if isinstance(raw, list):
            items = [self.value(item, lenient=lenient, depth=depth + 1) for item in raw]
            return [item for item in items if item is not NO_VALUE]
        if isinstance(raw, str):
            if self.tf_markers and "${" in raw and not lenient:
                return Unknown(str(raw))
            return str(raw)
        return raw

    def output(self, name: str, *, lenient: bool = False, depth: int = 0) -> Any:
        outputs = self.template.get("Outputs")
        entry = outputs.get(name) if isinstance(outputs, dict) else None
        if not isinstance(entry, dict) or "Value" not in entry:
            return Unknown(f"output {name} of {self.prefix.rstrip('.') or self.file}")
        condition = entry.get("Condition")
        if condition is not None and self.condition(condition) is not True:
            return Unknown(f"output {name} (Condition {condition})")
        return self.value(entry["Value"], lenient=lenient, depth=depth + 1)

    def ref(self, name: str, raw: Any) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.parameters:
            return self.parameters[name]
        if name in PSEUDO_PARAMETERS:
            return Unknown(name)
        if name in self.resources:
            if self.resource_exists(name) is False:
                return Unknown(f"Ref {name} (a resource whose condition is false)")
            return ResRef(self.key(name), self.resource_type(name), "Ref")
        return Unknown(describe(raw))

    def get_att(self, logical_id: str, attribute: str, raw: Any, lenient: bool, depth: int) -> Any:
        if logical_id not in self.resources:
            return Unknown(describe(raw))
        if attribute.startswith("Outputs."):
            child = self.child(logical_id)
            if child is None:
                return Unknown(f"{self.key(logical_id)}.{attribute}")
            return child.output(attribute[len("Outputs."):], lenient=lenient, depth=depth)
        return ResRef(self.key(logical_id), self.resource_type(logical_id), attribute)


def _equals_ref(left: Any, right: Any, raw: Any) -> bool | Unknown:
    """A resource's id is unknown before deployment, but never empty, and equal to itself."""
    if left == right:
        return True
    if "" in (left, right):
        return False
    return Unknown(describe(raw))


def _combine(values: list[bool | Unknown], conjunction: bool, raw: Any) -> bool | Unknown:
    decided = [v for v in values if not isinstance(v, Unknown)]
    if conjunction and False in decided:
        return False
    if not conjunction and True in decided:
        return True
    if len(decided) < len(values):
        return Unknown(describe(raw))
    return conjunction


# ------------------------------------------------------------------------------------ functions


def _fn_ref(scope: Scope, arg: Any, raw: Any, lenient: bool, depth: int) -> Any:
    if not isinstance(arg, str):
        return Unknown(describe(raw))
    return scope.ref(str(arg), raw)


def _fn_get_att(scope: Scope, arg: Any, raw: Any, lenient: bool, depth: int) -> Any:
    if isinstance(arg, str) and "." in arg:
        logical_id, attribute = arg.split(".", 1)
    elif isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
        logical_id = arg[0]
        attribute = scope.value(arg[1], depth=depth)
        if not isinstance(attribute, str):
            return Unknown(describe(raw))
    else:
        return Unknown(describe(raw))
    return scope.get_att(str(logical_id), str(attribute), raw, lenient, depth)


def _fn_sub(scope: Scope, arg: Any, raw: Any, lenient: bool, depth: int) -> Any:
    variables: dict = {}
    if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
        template, variables = arg
    else:
        template = arg
    if not isinstance(template, str):
        return Unknown(describe(raw))
    template = str(template)
    whole = _SUB_VAR.fullmatch(template)
    if whole is not None and not whole.group(1).startswith("!") and whole.group(1) not in variables:
        single = _sub_variable(scope, whole.group(1).strip(), variables, raw, lenient, depth)
        if isinstance(single, ResRef):
            return single  # "${NodeSG}" is Ref NodeSG
    parts: list[str] = []
    unknown: Unknown | None = None
    position = 0
    for match in _SUB_VAR.finditer(template):
        parts.append(template[position:match.start()])
        position = match.end()
        name = match.group(1)
        if name.startswith("!"):
            parts.append("${" + name[1:] + "}")
            continue
        text = as_text(_sub_variable(scope, name.strip(), variables, raw, lenient, depth))
        if text is None:
            unknown = unknown or Unknown(describe(raw))
            text = "${" + name + "}"
        parts.append(text)
    parts.append(template[position:])
    if unknown is not None and not lenient:
        return unknown
    return "".join(parts)


def _sub_variable(scope: Scope, name: str, variables: dict, raw: Any, lenient: bool, depth: int) -> Any:
    if name in variables:
        return scope.value(variables[name], lenient=lenient, depth=depth)
    if "." in name and name.split(".", 1)[0] in scope.resources:
        logical_id, attribute = name.split(".", 1)
        return scope.get_att(logical_id, attribute, raw, lenient, depth)
    value = scope.ref(name, {"Ref": name})
    return Unknown(name) if value is NO_VALUE else value


def _fn_if(scope: Scope, arg: Any, raw: Any, lenient: bool, depth: int) -> Any:
    if not (isinstance(arg, list) and len(arg) == 3):
        return Unknown(describe(raw))
    condition = scope.condition(arg[0]) if isinstance(arg[0], str) else Unknown(describe(raw))
    if condition is True:
        return scope.value(arg[1], lenient=lenient, depth=depth)
    if condition is False:
        return scope.value(arg[2], lenient=lenient, depth=depth)
    when_true = scope.value(arg[1], lenient=lenient, depth=depth)
    when_false = scope.value(arg[2], lenient=lenient, depth=depth)
    if when_true == when_false:
        return when_true
    if lenient and isinstance(when_true, str) and isinstance(when_false, str):
        return when_true + "\n" + when_false  # user data: either branch may run
    return Unknown(f"{describe(raw)} ({condition.expr})")


def _fn_join(scope: Scope, arg: Any, raw: Any, lenient: bool, depth: int) -> Any:
    if not (isinstance(arg, list) and len(arg) == 2):
        return Unknown(describe(raw))
    delimiter = scope.value(arg[0], depth=depth)
    items = scope.value(arg[1], lenient=lenient, depth=depth)
    if not isinstance(delimiter, str) or not isinstance(items, list):
        return Unknown(describe(raw))
    if len(items) == 1 and isinstance(items[0], ResRef):
        return items[0]
    if not lenient and any(isinstance(i, ResRef) for i in items) and all(
            isinstance(i, ResRef) or ((text := as_text(i)) is not None and delimiter not in text) for i in items):
        return JoinedRefs(tuple(items), delimiter)
    texts = []
    for item in items:
        text = as_text(item)
        if text is None:
            if not lenient:
                return Unknown(describe(raw))
            text = "${" + describe(item if not isinstance(item, Unknown) else item.expr) + "}"
        texts.append(text)
    return delimiter.join(texts)


def _fn_select(scope: Scope, arg: Any, raw: Any, lenient: bool, depth: int) -> Any:
    if not (isinstance(arg, list) and len(arg) == 2):
        return Unknown(describe(raw))
    index = scope.value(arg[0], depth=depth)
    items = scope.value(arg[1], lenient=lenient, depth=depth)
    try:
        position = int(index) if not isinstance(index, bool) else None
    except (TypeError, ValueError, OverflowError):  # OverflowError: an inf/nan index
        position = None
    if position is None or not isinstance(items, list):
        return Unknown(describe(raw))
    if 0 <= position < len(items):
        return items[position]
    return Unknown(describe(raw))


def _fn_split(scope: Scope, arg: Any, raw: Any, lenient: bool, depth: int) -> Any:
    if not (isinstance(arg, list) and len(arg) == 2):
        return Unknown(describe(raw))
    delimiter = scope.value(arg[0], depth=depth)
    text = scope.value(arg[1], depth=depth)
    if isinstance(text, JoinedRefs) and text.delimiter == delimiter:
        return list(text.items)
    if not isinstance(delimiter, str) or not delimiter or not isinstance(text, str):
        return Unknown(describe(raw))
    return text.split(delimiter)


def _fn_base64(scope: Scope, arg: Any, raw: Any, lenient: bool, depth: int) -> Any:
    # the encoded text is what runs on the node: keep it readable
    return scope.value(arg, lenient=lenient, depth=depth)


def _fn_find_in_map(scope: Scope, arg: Any, raw: Any, lenient: bool, depth: int) -> Any:
    if not (isinstance(arg, list) and len(arg) in (3, 4)):
        return Unknown(describe(raw))
    keys = [scope.value(a, depth=depth) for a in arg[:3]]
    mappings = scope.template.get("Mappings")
    node: Any = mappings if isinstance(mappings, dict) else {}
    for key in keys:
        text = as_text(key)
        if text is None or not isinstance(node, dict) or text not in node:
            if len(arg) == 4 and isinstance(arg[3], dict) and "DefaultValue" in arg[3] and text is not None:
                return scope.value(arg[3]["DefaultValue"], lenient=lenient, depth=depth)
            return Unknown(describe(raw))
        node = node[text]
    return scope.value(node, lenient=lenient, depth=depth)


def _unknown(scope: Scope, arg: Any, raw: Any, lenient: bool, depth: int) -> Any:
    return Unknown(describe(raw))


_FUNCTIONS: dict[str, Callable[[Scope, Any, Any, bool, int], Any]] = {
    "Ref": _fn_ref,
    "Fn::GetAtt": _fn_get_att,
    "Fn::Sub": _fn_sub,
    "Fn::If": _fn_if,
    "Fn::Join": _fn_join,
    "Fn::Select": _fn_select,
    "Fn::Split": _fn_split,
    "Fn::Base64": _fn_base64,
    "Fn::FindInMap": _fn_find_in_map,
    "Fn::ImportValue": _unknown,
    "Fn::GetAZs": _unknown,
    "Fn::Cidr": _unknown,
    "Fn::Transform": _unknown,
    "Fn::ToJsonString": _unknown,
    "Fn::Length": _unknown,
    "Fn::GetParam": _unknown,
    "Fn::ForEach": _unknown,
}
