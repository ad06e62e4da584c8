"""Terraform expression evaluation: what can be known statically, and `Unknown` for the rest.

`evaluate(expr, scope)` works on the AST of `linter.terraform.hcl`. The `Scope` says what the root
names mean (`var`, `local`, resources, ...); `linter.terraform.modules` implements it per module.
Errors that Terraform would report (a missing key, a bad type) evaluate to `EvalError`, an
`Unknown` that `try`/`can` can tell apart from a value that is merely not known yet.
"""
from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import math
import os
import re
from dataclasses import dataclass
from typing import Any, Callable

from linter.confine import Confinement, Refused
from linter.limits import (MAX_EVALUATION_STEPS, MAX_REGEX_MEMORY, MAX_STRING_CHARS, MAX_VALUE_CHARS,
                           MAX_VALUE_NODES, over)
from linter.model import Unknown
from linter.terraform import hcl
from linter.terraform.values import EncodedTemplate, META_KEYS, PartialTemplate, Ref, UnknownElement


@dataclass(frozen=True, slots=True)
class EvalError(Unknown):
    """An expression Terraform would reject (wrong type, missing key): unknown, and `try` skips it."""


class Lazy:
    """A value resolved on demand (a resource, a module): attributes and indexes are looked up lazily."""

    def get_attr(self, name: str, node: Any) -> Any:
        return EvalError(node.text)

    def index(self, key: Any, node: Any) -> Any:
        return EvalError(node.text)

    def as_value(self, text: str) -> Any:
        """What the object is when used as a whole (in a function, an operator, a final value)."""
        return Unknown(text)


STEPS_SPENT = over("evaluation steps per root module", MAX_EVALUATION_STEPS)
TOO_LONG = over("characters per string", MAX_STRING_CHARS)
TOO_BIG = over(f"elements or {MAX_VALUE_CHARS:,} characters per value", MAX_VALUE_NODES)


class Budget:
    """The evaluation steps one root module may take: every expression evaluated, element built or visited,
    256 characters of string built. Once spent, whatever is left to evaluate is UNKNOWN naming the limit."""

    def __init__(self, steps: int = MAX_EVALUATION_STEPS) -> None:
        self.left = steps

    def spend(self, steps: int = 1) -> bool:
        self.left -= steps
        return self.left >= 0

    @property
    def spent(self) -> bool:
        return self.left < 0


class Scope:
    """Names visible to an expression. Subclasses resolve `var`, `local`, resources, modules...

    `reads` is what `file()` and its kind may read: by default nothing (every read is refused);
    `budget` is the work evaluation may do (shared by every scope of one root module).
    """

    def __init__(self, bindings: dict[str, Any] | None = None, base_dir: str = "",
                 reads: Confinement = Confinement(), budget: Budget | None = None,
                 read_log: dict[str, str] | None = None) -> None:
        self.bindings = bindings or {}
        self.base_dir = base_dir
        self.reads = reads
        self.budget = budget if budget is not None else Budget()
        # file() / templatefile() results by path, for the load to tell which files a resource embeds
        self.read_log = read_log

    def with_bindings(self, bindings: dict[str, Any]) -> "Scope":
        return Scope({**self.bindings, **bindings}, self.base_dir, self.reads, self.budget, self.read_log)

    def isolated(self, bindings: dict[str, Any]) -> "Scope":
        """A scope with only these names (templatefile's variables)."""
        return Scope(dict(bindings), self.base_dir, self.reads, self.budget, self.read_log)

    def lookup_root(self, root: hcl.Variable, steps: list[Any]) -> tuple[Any, int]:
        """The value of the root name (and how many of the following steps it consumed)."""
        if root.name in self.bindings:
            return self.bindings[root.name], 0
        return Unknown(root.text), 0


# ------------------------------------------------------------------------------------------ helpers


def has_unknown(value: Any) -> bool:
    """True if value is or holds an Unknown, a Ref or a lazy object (not a plain known value)."""
    if isinstance(value, (Unknown, Ref, Lazy)):
        return True
    if isinstance(value, list):
        return any(has_unknown(item) for item in value)
    if isinstance(value, dict):
        return any(has_unknown(item) for key, item in value.items() if key not in META_KEYS)
    return False


def finalize(value: Any) -> Any:
    """A value as it leaves the evaluator: lazy objects and errors become plain Unknowns."""
    if isinstance(value, EvalError):
        return Unknown(value.expr)
    if isinstance(value, Lazy):
        final = value.as_value(repr(value))
        return final if not isinstance(final, Lazy) else Unknown(repr(value))
    if isinstance(value, list):
        return [finalize(item) for item in value]
    if isinstance(value, dict):
        return {key: (item if key in META_KEYS else finalize(item)) for key, item in value.items()}
    return value


def _materialize(value: Any, text: str) -> Any:
    return value.as_value(text) if isinstance(value, Lazy) else value


def number_text(value: int | float) -> str:
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e17:
            return str(int(value))
        return repr(value)
    return str(value)


def to_string(value: Any) -> str | None:
    """Terraform's automatic conversion to string; None when not convertible."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return number_text(value)
    return None


def to_number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        if not math.isfinite(number):
            return None
        return int(number) if number.is_integer() and re.fullmatch(r"\s*-?\d+\s*", value) else number
    return None


def to_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value == "true":
        return True
    if value == "false":
        return False
    return None


def _norm_number(value: float | int) -> int | float:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e17:
        return int(value)
    return value


def equal(left: Any, right: Any) -> bool | None:
    """Terraform's ==; None when it cannot be decided."""
    if isinstance(left, (Unknown, Lazy)) or isinstance(right, (Unknown, Lazy)):
        return None
    if isinstance(left, Ref) or isinstance(right, Ref):
        return True if left == right else None
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return left == right
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return False
        return _all_equal(zip(left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        left_keys = [k for k in left if k not in META_KEYS]
        right_keys = [k for k in right if k not in META_KEYS]
        if sorted(left_keys) != sorted(right_keys):
            return False
        return _all_equal((left[k], right[k]) for k in left_keys)
    if type(left) is not type(right):
        return False
    return left == right


def _all_equal(pairs: Any) -> bool | None:
    undecided = False
    for a, b in pairs:
        result = equal(a, b)
        if result is False:
            return False
        if result is None:
            undecided = True
    return None if undecided else True


def _sorted_keys(mapping: dict[str, Any]) -> list[str]:
    return sorted(k for k in mapping if k not in META_KEYS)


# ------------------------------------------------------------------------------------------ evaluation


def evaluate(expr: Any, scope: Scope) -> Any:
    method = _EVALUATORS.get(type(expr))
    if method is None:
        return EvalError(getattr(expr, "text", "?"))
    if not scope.budget.spend():
        return Unknown(f"{getattr(expr, 'text', '?')} ({STEPS_SPENT})")
    return method(expr, scope)


def value_size(value: Any, budget: Budget) -> tuple[int, int] | None:
    """(elements, characters) of a value seen as a tree, each visit paid from `budget`; None when over
    MAX_VALUE_NODES / MAX_VALUE_CHARS (a list holding one list many times is as big as its expansion)."""
    nodes = chars = 0
    stack = [value]
    while stack:
        item = stack.pop()
        nodes += 1
        if isinstance(item, str):
            chars += len(item)
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(v for k, v in item.items() if k not in META_KEYS)
        elif isinstance(item, PartialTemplate):
            stack.extend(item.parts)
        if nodes > MAX_VALUE_NODES or chars > MAX_VALUE_CHARS:
            return None
    if not budget.spend(nodes + chars // 256):
        return None
    return nodes, chars


_LIMIT_REASON = re.compile(r"\((over calico-lint's limit [^()]*)\)$")


def _over_limit(values: Any) -> str:
    """The limit an UNKNOWN among `values` is over ("" if none): what is built from it is over it too."""
    for value in values:
        match = _LIMIT_REASON.search(value.expr) if isinstance(value, Unknown) else None
        if match:
            return match.group(1)
    return ""


def bounded(value: Any, scope: Scope, text: str) -> Any:
    """The value when it is within the limits of one value (strings, collections); else UNKNOWN naming them."""
    if isinstance(value, str):
        if len(value) > MAX_STRING_CHARS:
            return Unknown(f"{text} ({TOO_LONG})")
        return value if scope.budget.spend(len(value) // 256) else Unknown(f"{text} ({STEPS_SPENT})")
    if isinstance(value, (list, dict)) and value_size(value, scope.budget) is None:
        return Unknown(f"{text} ({STEPS_SPENT if scope.budget.spent else TOO_BIG})")
    return value


def _literal(expr: hcl.Literal, scope: Scope) -> Any:
    return expr.value


def _template(expr: hcl.Template, scope: Scope) -> Any:
    parts = expr.parts
    if len(parts) == 1 and not isinstance(parts[0], (str, hcl.TemplateIf, hcl.TemplateFor)):
        return _materialize(evaluate(parts[0], scope), expr.text)  # "${x}" is x itself
    out: list[Any] = []
    failed = _render(parts, scope, out, [0])
    if failed is not None:
        return EvalError(expr.text) if failed == "" else Unknown(f"{expr.text} ({failed})")
    if len(out) > MAX_VALUE_NODES:  # "${a}${a}" doubling of a partly unknown template doubles its parts
        return Unknown(f"{expr.text} ({TOO_BIG})")
    if any(not isinstance(part, str) for part in out):
        return PartialTemplate(expr.text, _merge_strings(out))
    return bounded("".join(out), scope, expr.text)


def _render(parts: tuple[Any, ...], scope: Scope, out: list[Any], size: list[int]) -> str | None:
    """Template parts rendered onto `out` (text, and the Unknown/Ref of what stays unknown), `%{ if }` and
    `%{ for }` as Terraform runs them; `size` counts the characters so far. Returns None, "" (Terraform
    rejects the template) or the bound it hit."""
    for part in parts:
        before = len(out)
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, hcl.TemplateIf):
            condition = _converted(evaluate(part.condition, scope), part.text, to_bool)
            if isinstance(condition, EvalError):
                return ""
            if not isinstance(condition, bool):
                out.append(Unknown(part.text))  # which branch is unknown: so is its text
            elif (failed := _render(part.then if condition else part.otherwise, scope, out, size)) is not None:
                return failed
            continue
        elif isinstance(part, hcl.TemplateFor):
            failed = _render_for(part, scope, out, size)
            if failed is not None:
                return failed
            continue
        else:
            value = _materialize(evaluate(part, scope), part.text)
            if isinstance(value, EvalError):
                return ""
            if limit := _over_limit([value]):
                return limit
            if isinstance(value, PartialTemplate):
                out.extend(value.parts)
            elif has_unknown(value):
                out.append(value if isinstance(value, (Unknown, Ref)) else Unknown(part.text))
            elif (text := to_string(value)) is not None:
                out.append(text)
            else:
                return ""
        size[0] += sum(len(p) for p in out[before:] if isinstance(p, str))
        if size[0] > MAX_STRING_CHARS:
            return TOO_LONG  # before joining: "${a}${a}" doubling is stopped here
    return None


def _render_for(part: hcl.TemplateFor, scope: Scope, out: list[Any], size: list[int]) -> str | None:
    collection = _materialize(evaluate(part.collection, scope), part.text)
    if isinstance(collection, EvalError):
        return ""
    if isinstance(collection, (Unknown, Ref)):
        out.append(Unknown(part.text))
        return None
    pairs = iteration_pairs(collection)
    if pairs is None:
        return ""
    for key, value in pairs:
        names = {part.value_var: value} if part.key_var is None else {part.key_var: key, part.value_var: value}
        failed = _render(part.body, scope.with_bindings(names), out, size)
        if failed is not None:
            return failed
    return None


def _merge_strings(parts: list[Any]) -> tuple[Any, ...]:
    merged: list[Any] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif not (isinstance(part, str) and part == ""):
            merged.append(finalize(part))
    return tuple(merged)


def _variable(expr: hcl.Variable, scope: Scope) -> Any:
    value, _ = scope.lookup_root(expr, [])
    return value


def _traversal(expr: Any, scope: Scope) -> Any:
    steps: list[Any] = []
    node = expr
    while isinstance(node, (hcl.GetAttr, hcl.Index)):
        steps.append(node)
        node = node.obj
    steps.reverse()
    if isinstance(node, hcl.Variable):
        value, consumed = scope.lookup_root(node, steps)
    else:
        value, consumed = evaluate(node, scope), 0
    for step in steps[consumed:]:
        value = _step(value, step, scope)
    return value


def _step(value: Any, step: Any, scope: Scope) -> Any:
    if isinstance(step, hcl.GetAttr):
        return get_attr(value, step.name, step)
    key = evaluate(step.key, scope)
    return index(value, key, step)


def get_attr(value: Any, name: str, node: Any) -> Any:
    if isinstance(value, Lazy):
        return value.get_attr(name, node)
    if isinstance(value, EvalError):
        return EvalError(node.text)
    if isinstance(value, UnknownElement):  # one field of each element: still one per position
        return UnknownElement(node.text, f"{value.collection}[*].{name}", value.position)
    if isinstance(value, (Unknown, Ref)):
        return Unknown(node.text)
    if isinstance(value, dict):
        if name in value and name not in META_KEYS:
            return value[name]
        return EvalError(node.text)
    if isinstance(value, list) and name.isdigit():  # legacy `a.0`
        return index(value, int(name), node)
    return EvalError(node.text)


def index(value: Any, key: Any, node: Any) -> Any:
    if isinstance(key, EvalError):
        return EvalError(node.text)
    if isinstance(key, (Unknown, Ref, Lazy)):
        return Unknown(node.text)
    if isinstance(value, Lazy):
        return value.index(key, node)
    if isinstance(value, EvalError):
        return EvalError(node.text)
    if isinstance(value, (Unknown, Ref)):
        return element_of(value, key, node.text)
    if isinstance(value, list):
        number = to_number(key)
        if not isinstance(number, int) or isinstance(number, bool):
            if isinstance(number, float) and number.is_integer():
                number = int(number)
            else:
                return EvalError(node.text)
        if 0 <= number < len(value):
            return value[number]
        return EvalError(node.text)
    if isinstance(value, dict):
        text = to_string(key)
        if text is not None and text in value and text not in META_KEYS:
            return value[text]
        return EvalError(node.text)
    return EvalError(node.text)


def element_of(collection: Unknown | Ref, key: Any, text: str) -> Unknown:
    """An unknown list at a known position: unknown, but told apart from the other positions."""
    number = to_number(key)
    if not isinstance(number, int) or isinstance(key, bool):
        return Unknown(text)
    if isinstance(collection, UnknownElement):
        name = f"{collection.collection}[{collection.position}]"
    else:
        name = str(collection) if isinstance(collection, Ref) else collection.expr
    return UnknownElement(text, name, number)


def _splat(expr: hcl.Splat, scope: Scope) -> Any:
    value = _materialize(evaluate(expr.obj, scope), expr.text)
    if isinstance(value, EvalError):
        return EvalError(expr.text)
    if isinstance(value, (Unknown, Ref)):
        return Unknown(expr.text)
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        for kind, step in expr.steps:
            if kind == "attr":
                item = get_attr(item, step, expr)
            else:
                item = index(item, evaluate(step, scope), expr)
        out.append(item)
    return out


def _call(expr: hcl.Call, scope: Scope) -> Any:
    name = expr.name
    if name in ("try", "can"):
        return _try_can(expr, scope)
    spec = _FUNCTIONS.get(name)
    if spec is None:
        return Unknown(expr.text)
    function, tolerant = spec
    args = [_materialize(evaluate(arg, scope), expr.text) for arg in expr.args]
    if expr.expand_final and args:
        last = args.pop()
        if isinstance(last, list):
            args.extend(last)
        elif isinstance(last, EvalError):
            return EvalError(expr.text)
        else:
            return Unknown(expr.text)
    if any(isinstance(arg, EvalError) for arg in args):
        return EvalError(expr.text)
    if not tolerant and any(has_unknown(arg) for arg in args):
        limit = _over_limit(args)
        return Unknown(f"{expr.text} ({limit})" if limit else expr.text)
    try:
        result = function(_Call(expr, scope), *args)
    except _Undecided as undecided:
        why = str(undecided)
        return Unknown(f"{expr.text} ({why})" if why else expr.text)
    except _TooLong:
        return Unknown(f"{expr.text} ({TOO_LONG})")
    except (_Bad, TypeError, ValueError, KeyError, IndexError, ZeroDivisionError, OverflowError,
            RecursionError):
        return EvalError(expr.text)
    return bounded(result, scope, expr.text)


def _try_can(expr: hcl.Call, scope: Scope) -> Any:
    if expr.name == "can":
        if len(expr.args) != 1:
            return EvalError(expr.text)
        value = evaluate(expr.args[0], scope)
        if isinstance(value, EvalError):
            return False
        return Unknown(expr.text) if isinstance(value, Unknown) else True
    for arg in expr.args:
        value = evaluate(arg, scope)
        if isinstance(value, EvalError):
            continue
        if isinstance(value, Unknown):
            return Unknown(expr.text)
        return value
    return EvalError(expr.text)


def _unary(expr: hcl.Unary, scope: Scope) -> Any:
    value = _materialize(evaluate(expr.operand, scope), expr.text)
    if isinstance(value, EvalError):
        return EvalError(expr.text)
    if has_unknown(value):
        return Unknown(expr.text)
    if expr.op == "!":
        boolean = to_bool(value)
        return EvalError(expr.text) if boolean is None else not boolean
    number = to_number(value)
    return EvalError(expr.text) if number is None else -number


def _binary(expr: hcl.Binary, scope: Scope) -> Any:
    op = expr.op
    left = _materialize(evaluate(expr.left, scope), expr.text)
    if op in ("&&", "||"):
        decisive = op == "||"
        left_bool = _logic_operand(left)
        if left_bool is decisive:
            return decisive
        right_bool = _logic_operand(_materialize(evaluate(expr.right, scope), expr.text))
        if right_bool is decisive:
            return decisive
        if isinstance(left_bool, EvalError) or isinstance(right_bool, EvalError):
            return EvalError(expr.text)
        if left_bool is None or right_bool is None:
            return Unknown(expr.text)
        return not decisive
    right = _materialize(evaluate(expr.right, scope), expr.text)
    if isinstance(left, EvalError) or isinstance(right, EvalError):
        return EvalError(expr.text)
    if op in ("==", "!="):
        result = equal(left, right)
        if result is None:
            return Unknown(expr.text)
        return result if op == "==" else not result
    if has_unknown(left) or has_unknown(right):
        return Unknown(expr.text)
    a, b = to_number(left), to_number(right)
    if a is None or b is None:
        return EvalError(expr.text)
    try:
        return _arithmetic(op, a, b)
    except (ZeroDivisionError, OverflowError, ValueError):
        return EvalError(expr.text)


def _logic_operand(value: Any) -> Any:
    if isinstance(value, EvalError):
        return value
    if has_unknown(value):
        return None
    boolean = to_bool(value)
    return EvalError("") if boolean is None else boolean


def _arithmetic(op: str, a: int | float, b: int | float) -> Any:
    if op == "+":
        return _norm_number(a + b)
    if op == "-":
        return _norm_number(a - b)
    if op == "*":
        return _norm_number(a * b)
    if op == "/":
        if b == 0:
            raise ZeroDivisionError
        return _norm_number(a / b)
    if op == "%":
        if b == 0:
            raise ZeroDivisionError
        return _norm_number(math.fmod(a, b))
    if op == "<":
        return a < b
    if op == ">":
        return a > b
    if op == "<=":
        return a <= b
    if op == ">=":
        return a >= b
    raise ValueError(op)


def _conditional(expr: hcl.Conditional, scope: Scope) -> Any:
    condition = _materialize(evaluate(expr.condition, scope), expr.text)
    if isinstance(condition, EvalError):
        return EvalError(expr.text)
    if has_unknown(condition):
        true = evaluate(expr.true, scope)
        false = evaluate(expr.false, scope)
        if not has_unknown(true) and equal(true, false) is True:
            return true
        return Unknown(expr.text)
    boolean = to_bool(condition)
    if boolean is None:
        return EvalError(expr.text)
    return evaluate(expr.true if boolean else expr.false, scope)


def _tuple(expr: hcl.TupleExpr, scope: Scope) -> Any:
    return bounded([evaluate(item, scope) for item in expr.items], scope, expr.text)


def _object(expr: hcl.ObjectExpr, scope: Scope) -> Any:
    out: dict[str, Any] = {}
    for key_expr, value_expr in expr.items:
        key = _materialize(evaluate(key_expr, scope), expr.text)
        if isinstance(key, EvalError):
            return EvalError(expr.text)
        if has_unknown(key):
            return Unknown(expr.text)
        text = to_string(key)
        if text is None:
            return EvalError(expr.text)
        out[text] = evaluate(value_expr, scope)
    return bounded(out, scope, expr.text)


def _for(expr: hcl.ForExpr, scope: Scope) -> Any:
    collection = _materialize(evaluate(expr.collection, scope), expr.text)
    if isinstance(collection, EvalError):
        return EvalError(expr.text)
    if isinstance(collection, (Unknown, Ref)):
        return Unknown(expr.text)
    pairs = iteration_pairs(collection)
    if pairs is None:
        return EvalError(expr.text)
    items: list[Any] = []
    grouped: dict[str, Any] = {}
    for key, value in pairs:
        names = {expr.value_var: value}
        if expr.key_var is not None:
            names[expr.key_var] = key
        inner = scope.with_bindings(names)
        if expr.condition is not None:
            keep = _converted(evaluate(expr.condition, inner), expr.text, to_bool)
            if not isinstance(keep, bool):
                return keep  # the Unknown or EvalError of the whole expression
            if not keep:
                continue
        if expr.key is None:
            items.append(evaluate(expr.value, inner))
            continue
        key_text = _converted(evaluate(expr.key, inner), expr.text, to_string)
        if not isinstance(key_text, str):
            return key_text
        value_result = evaluate(expr.value, inner)
        if expr.group:
            grouped.setdefault(key_text, []).append(value_result)
        elif key_text in grouped:
            return EvalError(expr.text)  # duplicate key without `...`
        else:
            grouped[key_text] = value_result
    return bounded(items if expr.key is None else grouped, scope, expr.text)


def _converted(value: Any, text: str, convert: Callable[[Any], Any]) -> Any:
    """A known value converted (to_bool, to_string); else the Unknown or EvalError that `text` stands for."""
    value = _materialize(value, text)
    if isinstance(value, EvalError):
        return EvalError(text)
    if has_unknown(value):
        return Unknown(text)
    converted = convert(value)
    return EvalError(text) if converted is None else converted


def iteration_pairs(collection: Any) -> list[tuple[Any, Any]] | None:
    """(key, value) pairs of a list (index keys) or map (sorted keys); None if not iterable."""
    if isinstance(collection, list):
        return list(enumerate(collection))
    if isinstance(collection, dict):
        return [(key, collection[key]) for key in _sorted_keys(collection)]
    return None


_EVALUATORS: dict[type, Callable[[Any, Scope], Any]] = {
    hcl.Literal: _literal,
    hcl.Template: _template,
    hcl.Variable: _variable,
    hcl.GetAttr: _traversal,
    hcl.Index: _traversal,
    hcl.Splat: _splat,
    hcl.Call: _call,
    hcl.Unary: _unary,
    hcl.Binary: _binary,
    hcl.Conditional: _conditional,
    hcl.TupleExpr: _tuple,
    hcl.ObjectExpr: _object,
    hcl.ForExpr: _for,
}


# ------------------------------------------------------------------------------------------ functions


class _Bad(Exception):
    """Terraform would reject this call."""


class _TooLong(Exception):
    """The string a function would build is over MAX_STRING_CHARS: checked before building it."""


def _within(length: int) -> None:
    if length > MAX_STRING_CHARS:
        raise _TooLong


class _Undecided(Exception):
    """An argument that matters is unknown."""


@dataclass(frozen=True, slots=True)
class _Call:
    expr: hcl.Call
    scope: Scope


def _need_known(*values: Any) -> None:
    for value in values:
        if isinstance(value, (Unknown, Ref, Lazy)):
            raise _Undecided


def _as_list(value: Any) -> list[Any]:
    _need_known(value)
    if isinstance(value, list):
        return value
    raise _Bad


def _as_map(value: Any) -> dict[str, Any]:
    _need_known(value)
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k not in META_KEYS}
    raise _Bad


def _as_str(value: Any) -> str:
    _need_known(value)
    text = to_string(value)
    if text is None:
        raise _Bad
    return text


def _as_int(value: Any) -> int:
    _need_known(value)
    number = to_number(value)
    if number is None or (isinstance(number, float) and not number.is_integer()):
        raise _Bad
    return int(number)


def _as_number(value: Any) -> int | float:
    _need_known(value)
    number = to_number(value)
    if number is None:
        raise _Bad
    return number


def _f_element(call: _Call, items: Any, position: Any) -> Any:
    if isinstance(items, (Unknown, Ref)):
        _need_known(position)
        return element_of(items, position, call.expr.text)
    items = _as_list(items)
    if not items:
        raise _Bad
    return items[_as_int(position) % len(items)]


def _f_length(call: _Call, value: Any) -> Any:
    _need_known(value)
    if isinstance(value, (list, str)):
        return len(value)
    if isinstance(value, dict):
        return len(_as_map(value))
    raise _Bad


def _f_concat(call: _Call, *lists: Any) -> Any:
    out: list[Any] = []
    for item in lists:
        out.extend(_as_list(item))
    return out


def _f_flatten(call: _Call, value: Any) -> Any:
    out: list[Any] = []

    def walk(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            elif isinstance(item, (Unknown, Lazy)):
                raise _Undecided  # it may be a list
            else:
                out.append(item)

    walk(_as_list(value))
    return out


def _f_distinct(call: _Call, value: Any) -> Any:
    # items that cannot be compared (unknown values, references to different resources) are kept
    out: list[Any] = []
    for item in _as_list(value):
        if not any(equal(item, seen) is True for seen in out):
            out.append(item)
    return out


def _f_lookup(call: _Call, mapping: Any, key: Any, *default: Any) -> Any:
    mapping = _as_map(mapping)
    key = _as_str(key)
    if key in mapping:
        return mapping[key]
    if default:
        return default[0]
    raise _Bad


def _f_merge(call: _Call, *maps: Any) -> Any:
    out: dict[str, Any] = {}
    for mapping in maps:
        if mapping is None:
            continue
        out.update(_as_map(mapping))
    return out


def _f_keys(call: _Call, mapping: Any) -> Any:
    return _sorted_keys(_as_map(mapping))


def _f_values(call: _Call, mapping: Any) -> Any:
    mapping = _as_map(mapping)
    return [mapping[key] for key in _sorted_keys(mapping)]


def _f_toset(call: _Call, value: Any) -> Any:
    items = _f_distinct(call, _as_list(value))
    if all(isinstance(item, str) for item in items):
        return sorted(items)
    if all(isinstance(item, (int, float)) and not isinstance(item, bool) for item in items):
        return sorted(items)
    return items


def _f_tolist(call: _Call, value: Any) -> Any:
    return list(_as_list(value))


def _f_tomap(call: _Call, value: Any) -> Any:
    return _as_map(value)


def _f_tostring(call: _Call, value: Any) -> Any:
    if value is None:
        return None
    return _as_str(value)


def _f_tonumber(call: _Call, value: Any) -> Any:
    if value is None:
        return None
    return _as_number(value)


def _f_tobool(call: _Call, value: Any) -> Any:
    if value is None:
        return None
    _need_known(value)
    boolean = to_bool(value)
    if boolean is None:
        raise _Bad
    return boolean


_VERB = re.compile(r"%([-+ 0#]*)(\d*)(?:\.(\d+))?([a-zA-Z%])")


def _f_format(call: _Call, spec: Any, *args: Any) -> Any:
    spec = _as_str(spec)
    position = length = 0
    out: list[str] = []
    last = 0
    for match in _VERB.finditer(spec):
        out.append(spec[last:match.start()])
        last = match.end()
        flags, width, precision, verb = match.groups()
        if verb == "%":
            out.append("%")
            continue
        if position >= len(args):
            raise _Bad
        value = args[position]
        position += 1
        out.append(_format_verb(value, verb, flags, width, precision))
        length += len(out[-2]) + len(out[-1])
        _within(length)  # many wide verbs: stopped as the text grows, not once it is built
    out.append(spec[last:])
    return "".join(out)


def _format_verb(value: Any, verb: str, flags: str, width: str, precision: str | None) -> str:
    _need_known(value)
    if verb in ("s", "v"):
        if verb == "v" and "#" in flags:
            text = json.dumps(value)
        elif verb == "v" and isinstance(value, (list, dict)):
            text = json.dumps(value, separators=(",", ":"))
        else:
            text = _as_str(value)
        if precision is not None:
            text = text[: int(precision)]
    elif verb == "q":
        text = json.dumps(_as_str(value))
    elif verb == "d":
        text = str(_as_int(value))
    elif verb in ("f", "F", "e", "E", "g", "G"):
        text = ("%" + ("." + precision if precision is not None else "") + verb.lower()) % _as_number(value)
    elif verb == "t":
        boolean = to_bool(value)
        if boolean is None:
            raise _Bad
        text = "true" if boolean else "false"
    elif verb in ("x", "X", "o", "b"):
        number = _as_int(value)
        text = format(number, {"x": "x", "X": "X", "o": "o", "b": "b"}[verb])
    else:
        raise _Bad
    if width:
        size = int(width)
        if size > 10_000:
            raise _Bad
        if "-" in flags:
            text = text.ljust(size)
        elif "0" in flags and verb in "dfeg":
            text = text.rjust(size, "0")
        else:
            text = text.rjust(size)
    return text


def _f_formatlist(call: _Call, spec: Any, *args: Any) -> Any:
    lengths = {len(_as_list(arg)) for arg in args if isinstance(arg, list)}
    if len(lengths) > 1:
        raise _Bad
    count = lengths.pop() if lengths else 1
    return [_f_format(call, spec, *[arg[i] if isinstance(arg, list) else arg for arg in args])
            for i in range(count)]


def _f_join(call: _Call, separator: Any, *lists: Any) -> Any:
    separator = _as_str(separator)
    items: list[str] = []
    for item in lists:
        items.extend(_as_str(value) for value in _as_list(item))
    _within(sum(map(len, items)) + len(separator) * len(items))  # the same long string listed 1,000 times
    return separator.join(items)


def _f_split(call: _Call, separator: Any, text: Any) -> Any:
    separator, text = _as_str(separator), _as_str(text)
    if text == "":
        return []
    if separator == "":
        if len(text) > MAX_VALUE_NODES:
            raise _TooLong
        return list(text)
    return text.split(separator)


def _re2(pattern: str) -> Any:
    """A compiled RE2 pattern: Terraform's engine, linear in the text, never a backtracking hang."""
    try:
        import re2
    except ImportError as error:  # a dependency (pyproject): without it, no regex is evaluated
        raise _Undecided("google-re2 is not installed") from error
    options = re2.Options()
    options.log_errors = False  # an invalid pattern is Terraform's error (EvalError), not noise on stderr
    options.max_mem = MAX_REGEX_MEMORY
    try:
        return re2.compile(pattern, options)
    except re2.error as error:
        raise _Bad from error


def _f_replace(call: _Call, text: Any, search: Any, replacement: Any) -> Any:
    text, search, replacement = _as_str(text), _as_str(search), _as_str(replacement)
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        pattern = _re2(search[1:-1])
        references = len(re.findall(r"\$\{?\w+\}?", replacement))
        _within(len(text) + sum(len(replacement) + references * (m.end() - m.start()) for m in pattern.finditer(text)))
        python_replacement = re.sub(r"\$\{?(\w+)\}?", r"\\g<\1>", replacement.replace("\\", "\\\\"))
        return pattern.sub(python_replacement, text)
    count = text.count(search)
    _within(len(text) + count * max(len(replacement) - len(search), 0))
    return text.replace(search, replacement)


def _f_regex(call: _Call, pattern: Any, text: Any) -> Any:
    compiled = _re2(_as_str(pattern))
    match = compiled.search(_as_str(text))
    if match is None:
        raise _Bad
    if compiled.groupindex:
        return {name: match.group(name) for name in compiled.groupindex}
    if compiled.groups:
        return list(match.groups())
    return match.group(0)


def _f_regexall(call: _Call, pattern: Any, text: Any) -> Any:
    compiled = _re2(_as_str(pattern))
    out: list[Any] = []
    for match in compiled.finditer(_as_str(text)):
        if compiled.groupindex:
            out.append({name: match.group(name) for name in compiled.groupindex})
        elif compiled.groups:
            out.append(list(match.groups()))
        else:
            out.append(match.group(0))
    return out


def _network(prefix: Any) -> Any:
    try:
        return ipaddress.ip_network(_as_str(prefix), strict=False)
    except ValueError as error:
        raise _Bad from error


def _f_cidrsubnet(call: _Call, prefix: Any, newbits: Any, netnum: Any) -> Any:
    network = _network(prefix)
    bits, number = _as_int(newbits), _as_int(netnum)
    new_prefix = network.prefixlen + bits
    if bits < 0 or new_prefix > network.max_prefixlen or number < 0 or number >= 2 ** bits:
        raise _Bad
    size = 2 ** (network.max_prefixlen - new_prefix)
    address = int(network.network_address) + number * size
    return str(ipaddress.ip_network((address, new_prefix)))


def _f_cidrsubnets(call: _Call, prefix: Any, *newbits: Any) -> Any:
    network = _network(prefix)
    out: list[str] = []
    current = int(network.network_address)
    for bits in newbits:
        length = network.prefixlen + _as_int(bits)
        if length > network.max_prefixlen:
            raise _Bad
        size = 2 ** (network.max_prefixlen - length)
        current = (current + size - 1) // size * size
        subnet = ipaddress.ip_network((current, length))
        if not subnet.subnet_of(network):
            raise _Bad
        out.append(str(subnet))
        current += size
    return out


def _f_cidrhost(call: _Call, prefix: Any, hostnum: Any) -> Any:
    network = _network(prefix)
    number = _as_int(hostnum)
    if number < 0:
        number += network.num_addresses
    if not 0 <= number < network.num_addresses:
        raise _Bad
    return str(ipaddress.ip_address(int(network.network_address) + number))


def _f_cidrnetmask(call: _Call, prefix: Any) -> Any:
    network = _network(prefix)
    if network.version != 4:
        raise _Bad
    return str(network.netmask)


def _f_coalesce(call: _Call, *args: Any) -> Any:
    for arg in args:
        if isinstance(arg, (Unknown, Ref, Lazy)):
            raise _Undecided
        if arg is not None and arg != "":
            return arg
    raise _Bad


def _f_coalescelist(call: _Call, *args: Any) -> Any:
    for arg in args:
        if len(_as_list(arg)) > 0:
            return arg
    raise _Bad


def _f_compact(call: _Call, value: Any) -> Any:
    out = []
    for item in _as_list(value):
        if isinstance(item, (Unknown, Lazy)):
            raise _Undecided
        if item is not None and item != "":
            out.append(item)
    return out


def _f_contains(call: _Call, items: Any, value: Any) -> Any:
    results = [equal(item, value) for item in _as_list(items)]
    if any(result is True for result in results):
        return True
    if any(result is None for result in results):
        raise _Undecided
    return False


def _f_range(call: _Call, *args: Any) -> Any:
    numbers = [_as_number(arg) for arg in args]
    start: int | float
    stop: int | float
    step: int | float
    if len(numbers) == 1:
        start, stop, step = 0, numbers[0], 1
    elif len(numbers) == 2:
        start, stop, step = numbers[0], numbers[1], (1 if numbers[1] >= numbers[0] else -1)
    elif len(numbers) == 3:
        start, stop, step = numbers
    else:
        raise _Bad
    if step == 0 or abs((stop - start) / step) > 1024:
        raise _Bad
    out = []
    current = start
    while (step > 0 and current < stop) or (step < 0 and current > stop):
        out.append(_norm_number(current))
        current += step
    return out


def _f_zipmap(call: _Call, keys: Any, values: Any) -> Any:
    keys, values = _as_list(keys), _as_list(values)
    if len(keys) != len(values):
        raise _Bad
    return {_as_str(key): value for key, value in zip(keys, values)}


def _f_slice(call: _Call, items: Any, start: Any, end: Any) -> Any:
    items = _as_list(items)
    first, last = _as_int(start), _as_int(end)
    if first < 0 or last > len(items) or first > last:
        raise _Bad
    return items[first:last]


def _f_index(call: _Call, items: Any, value: Any) -> Any:
    for position, item in enumerate(_as_list(items)):
        result = equal(item, value)
        if result is None:
            raise _Undecided
        if result:
            return position
    raise _Bad


def _numbers(args: tuple[Any, ...]) -> list[int | float]:
    if not args:
        raise _Bad
    return [_as_number(arg) for arg in args]


def _f_min(call: _Call, *args: Any) -> Any:
    return min(_numbers(args))


def _f_max(call: _Call, *args: Any) -> Any:
    return max(_numbers(args))


def _f_abs(call: _Call, value: Any) -> Any:
    return abs(_as_number(value))


def _f_ceil(call: _Call, value: Any) -> Any:
    return math.ceil(_as_number(value))


def _f_floor(call: _Call, value: Any) -> Any:
    return math.floor(_as_number(value))


def _f_substr(call: _Call, text: Any, offset: Any, length: Any) -> Any:
    text = _as_str(text)
    start, size = _as_int(offset), _as_int(length)
    if start < 0:
        start += len(text)
    if start < 0 or start > len(text):
        raise _Bad
    return text[start:] if size < 0 else text[start: start + size]


def _f_startswith(call: _Call, text: Any, prefix: Any) -> Any:
    return _as_str(text).startswith(_as_str(prefix))


def _f_endswith(call: _Call, text: Any, suffix: Any) -> Any:
    return _as_str(text).endswith(_as_str(suffix))


def _f_base64encode(call: _Call, text: Any) -> Any:
    if isinstance(text, PartialTemplate):  # the encoded text is unknown, what it says still readable
        return EncodedTemplate(call.expr.text, text.parts)
    return base64.b64encode(_as_str(text).encode("utf-8")).decode("ascii")


def _f_base64decode(call: _Call, text: Any) -> Any:
    try:
        return base64.b64decode(_as_str(text), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError) as error:
        raise _Bad from error


def _json_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items() if key not in META_KEYS}
    if isinstance(value, list):
        return [_json_ready(item) for item in value]
    return value


def _f_jsonencode(call: _Call, value: Any) -> Any:
    if not has_unknown(value):
        return json.dumps(_json_ready(value), separators=(",", ":"), sort_keys=True)
    _need_known(value)
    # the JSON around unknown leaves (a list of subnet ids) stays readable
    return PartialTemplate(call.expr.text, _merge_strings(_json_parts(value)))


def _json_parts(value: Any) -> list[Any]:
    if isinstance(value, Ref):
        return ['"', value, '"']
    if isinstance(value, PartialTemplate):
        inner = [json.dumps(part)[1:-1] if isinstance(part, str) else part for part in value.parts]
        return ['"', *inner, '"']
    if isinstance(value, Unknown):
        return [value]
    if isinstance(value, Lazy):
        return [Unknown(repr(value))]
    if isinstance(value, list):
        out: list[Any] = ["["]
        for position, item in enumerate(value):
            if position:
                out.append(",")
            out.extend(_json_parts(item))
        return out + ["]"]
    if isinstance(value, dict):
        out = ["{"]
        for position, key in enumerate(_sorted_keys(value)):
            if position:
                out.append(",")
            out.append(json.dumps(key) + ":")
            out.extend(_json_parts(value[key]))
        return out + ["}"]
    return [json.dumps(value)]


def _f_jsondecode(call: _Call, text: Any) -> Any:
    return _from_data(json.loads(_as_str(text)))


def _from_data(value: Any) -> Any:
    if isinstance(value, float):
        return _norm_number(value)
    if isinstance(value, dict):
        return {str(key): _from_data(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_from_data(item) for item in value]
    return value


def _f_yamlencode(call: _Call, value: Any) -> Any:
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml: the Python emitter took 3 s on a 2 MB string
    return yaml.dump(_json_ready(value), Dumper=dumper, default_flow_style=False, sort_keys=True)


def _f_yamldecode(call: _Call, text: Any) -> Any:
    import yaml

    from linter.safe_yaml import UnfitYaml, safe_load

    try:
        data = safe_load(_as_str(text))
    except UnfitYaml as error:
        raise _Undecided(str(error)) from error
    except yaml.YAMLError as error:
        raise _Bad from error
    return _from_data(_plain_yaml(data))


def _plain_yaml(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _plain_yaml(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain_yaml(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)  # dates and the like


def _full_path(call: _Call, path: Any) -> str:
    """The path a file function names (relative to the root module, as Terraform reads it), if it may be read."""
    text = _as_str(path)
    full = os.path.normpath(os.path.join(call.scope.base_dir, text))
    if not call.scope.reads.holds(full):
        raise _Undecided(OUTSIDE_TREE)  # and nothing about it (not even whether it exists) reaches an output
    return full


OUTSIDE_TREE = "outside the scanned tree"


def _read_bytes(call: _Call, path: Any) -> bytes:
    data = call.scope.reads.read_bytes(_full_path(call, path), MAX_STRING_CHARS)
    if isinstance(data, Refused):
        raise _Undecided(data.reason if data.outside or data.reason.startswith("larger") else "")
    return data


def _read_file(call: _Call, path: Any) -> str:
    data = _read_bytes(call, path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _Undecided("not UTF-8 text") from error


def _f_file(call: _Call, path: Any) -> Any:
    return _logged(call, path, _read_file(call, path))


def _logged(call: _Call, path: Any, result: Any) -> Any:
    if call.scope.read_log is not None and isinstance(result, str):
        call.scope.read_log[_full_path(call, path)] = result
    return result


def _f_filebase64(call: _Call, path: Any) -> Any:
    return base64.b64encode(_read_bytes(call, path)).decode("ascii")


def _f_fileexists(call: _Call, path: Any) -> Any:
    full = _full_path(call, path)
    return call.scope.reads.refusal(full) is None


def _f_templatefile(call: _Call, path: Any, variables: Any = None) -> Any:
    text = _read_file(call, path)
    bindings = _as_map(variables) if variables is not None else {}
    try:
        template = hcl.parse_template(text)
    except (hcl.HclError, RecursionError) as error:
        raise _Bad from error
    return _logged(call, path, _template(template, call.scope.isolated(bindings)))


def _f_unknown(call: _Call, *args: Any) -> Any:
    raise _Undecided


def _f_identity(call: _Call, value: Any) -> Any:
    return value


def _f_lower(call: _Call, text: Any) -> Any:
    return _as_str(text).lower()


def _f_upper(call: _Call, text: Any) -> Any:
    return _as_str(text).upper()


def _f_title(call: _Call, text: Any) -> Any:
    return re.sub(r"\b(\w)", lambda m: m.group(1).upper(), _as_str(text))


def _f_trimspace(call: _Call, text: Any) -> Any:
    return _as_str(text).strip()


def _f_trim(call: _Call, text: Any, chars: Any) -> Any:
    return _as_str(text).strip(_as_str(chars))


def _f_trimprefix(call: _Call, text: Any, prefix: Any) -> Any:
    text, prefix = _as_str(text), _as_str(prefix)
    return text[len(prefix):] if prefix and text.startswith(prefix) else text


def _f_trimsuffix(call: _Call, text: Any, suffix: Any) -> Any:
    text, suffix = _as_str(text), _as_str(suffix)
    return text[: -len(suffix)] if suffix and text.endswith(suffix) else text


def _f_chomp(call: _Call, text: Any) -> Any:
    return re.sub(r"(\r?\n)+$", "", _as_str(text))


def _f_indent(call: _Call, spaces: Any, text: Any) -> Any:
    size = _as_int(spaces)
    if not 0 <= size <= 10_000:
        raise _Bad
    text = _as_str(text)
    _within(len(text) + text.count("\n") * size)
    return text.replace("\n", "\n" + " " * size)


def _f_strrev(call: _Call, text: Any) -> Any:
    return _as_str(text)[::-1]


def _f_sort(call: _Call, items: Any) -> Any:
    return sorted(_as_str(item) for item in _as_list(items))


def _f_reverse(call: _Call, items: Any) -> Any:
    return list(reversed(_as_list(items)))


def _f_sum(call: _Call, items: Any) -> Any:
    values = [_as_number(item) for item in _as_list(items)]
    if not values:
        raise _Bad
    return _norm_number(sum(values))


def _f_one(call: _Call, items: Any) -> Any:
    items = _as_list(items)
    if len(items) > 1:
        raise _Bad
    return items[0] if items else None


def _f_alltrue(call: _Call, items: Any) -> Any:
    values = [to_bool(_need_known_value(item)) for item in _as_list(items)]
    if any(value is None for value in values):
        raise _Bad
    return all(values)


def _f_anytrue(call: _Call, items: Any) -> Any:
    values = [to_bool(_need_known_value(item)) for item in _as_list(items)]
    if any(value is None for value in values):
        raise _Bad
    return any(values)


def _need_known_value(value: Any) -> Any:
    _need_known(value)
    return value


def _f_setunion(call: _Call, *sets: Any) -> Any:
    return _f_toset(call, [item for group in sets for item in _as_list(group)])


def _f_setintersection(call: _Call, first: Any, *others: Any) -> Any:
    items = _f_toset(call, _as_list(first))
    for other in others:
        other_items = _as_list(other)
        items = [item for item in items if any(equal(item, o) for o in other_items)]
    return items


def _f_chunklist(call: _Call, items: Any, size: Any) -> Any:
    items, size = _as_list(items), _as_int(size)
    if size < 0:
        raise _Bad
    if size == 0:
        return [items]
    return [items[i: i + size] for i in range(0, len(items), size)]


def _f_list(call: _Call, *items: Any) -> Any:
    return list(items)


def _f_map(call: _Call, *items: Any) -> Any:
    if len(items) % 2:
        raise _Bad
    return {_as_str(items[i]): items[i + 1] for i in range(0, len(items), 2)}


def _f_basename(call: _Call, path: Any) -> Any:
    return os.path.basename(_as_str(path))


def _f_dirname(call: _Call, path: Any) -> Any:
    return os.path.dirname(_as_str(path)) or "."


def _f_abspath(call: _Call, path: Any) -> Any:
    return _full_path(call, path).replace(os.sep, "/")


def _hash(name: str) -> Callable[..., Any]:
    def function(call: _Call, text: Any) -> Any:
        return hashlib.new(name, _as_str(text).encode("utf-8")).hexdigest()

    return function


def _f_transpose(call: _Call, mapping: Any) -> Any:
    out: dict[str, list[str]] = {}
    mapping = _as_map(mapping)
    for key in _sorted_keys(mapping):
        for value in _as_list(mapping[key]):
            out.setdefault(_as_str(value), []).append(key)
    return out


def _f_log(call: _Call, number: Any, base: Any) -> Any:
    return _norm_number(math.log(_as_number(number), _as_number(base)))


def _f_pow(call: _Call, base: Any, exponent: Any) -> Any:
    result = _as_number(base) ** _as_number(exponent)
    if isinstance(result, complex) or abs(result) > 1e300:
        raise _Bad
    return _norm_number(result)


def _f_signum(call: _Call, number: Any) -> Any:
    value = _as_number(number)
    return (value > 0) - (value < 0)


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _f_parseint(call: _Call, text: Any, base: Any) -> Any:
    """Go's big.Int SetString: bases 2-62, a sign, no prefix; letters fold case up to base 36."""
    radix, digits = _as_int(base), _as_str(text)
    if not 2 <= radix <= 62:
        raise _Bad
    sign = -1 if digits.startswith("-") else 1
    digits = digits[1:] if digits[:1] in "+-" else digits
    if not digits or len(digits) > 1000:
        raise _Bad
    value = 0
    for char in digits:
        digit = _DIGITS.find(char.lower() if radix <= 36 else char)
        if not 0 <= digit < radix:
            raise _Bad
        value = value * radix + digit
    return sign * value


def _f_strcontains(call: _Call, text: Any, part: Any) -> Any:
    return _as_str(part) in _as_str(text)


def _f_templatestring(call: _Call, template: Any, variables: Any) -> Any:
    try:
        parsed = hcl.parse_template(_as_str(template))
    except (hcl.HclError, RecursionError) as error:
        raise _Bad from error
    return _template(parsed, call.scope.isolated(_as_map(variables)))


def _f_matchkeys(call: _Call, values: Any, keys: Any, searchset: Any) -> Any:
    values, keys, wanted = _as_list(values), _as_list(keys), _as_list(searchset)
    if len(values) != len(keys):
        raise _Bad
    out = []
    for value, key in zip(values, keys):
        found = [equal(key, w) for w in wanted]
        if any(f is None for f in found) and not any(f is True for f in found):
            raise _Undecided
        if any(f is True for f in found):
            out.append(value)
    return out


def _f_setproduct(call: _Call, *sets: Any) -> Any:
    lists = [_as_list(item) for item in sets]
    if len(lists) < 2:
        raise _Bad
    product: list[list[Any]] = [[]]
    for items in lists:
        product = [row + [item] for row in product for item in items]
        if len(product) > MAX_VALUE_NODES:
            raise _Undecided
    return product


def _f_setsubtract(call: _Call, first: Any, second: Any) -> Any:
    removed = _as_list(second)
    kept = []
    for item in _f_toset(call, _as_list(first)):
        found = [equal(item, other) for other in removed]
        if any(f is None for f in found) and not any(f is True for f in found):
            raise _Undecided
        if not any(f is True for f in found):
            kept.append(item)
    return kept


def _f_base64gzip(call: _Call, text: Any) -> Any:
    import gzip

    return base64.b64encode(gzip.compress(_as_str(text).encode("utf-8"), mtime=0)).decode("ascii")


def _f_csvdecode(call: _Call, text: Any) -> Any:
    import csv
    import io

    try:
        rows = list(csv.reader(io.StringIO(_as_str(text)), strict=True))
    except csv.Error as error:
        raise _Bad from error
    if not rows:
        return []
    header, records = rows[0], rows[1:]
    if any(len(record) != len(header) for record in records):
        raise _Bad
    return [dict(zip(header, record)) for record in records]


_TEXT_ENCODINGS = {"utf-8": "utf-8", "utf-16le": "utf-16-le", "utf-16be": "utf-16-be", "utf-16": "utf-16",
                   "windows-1252": "cp1252", "iso-8859-1": "latin-1", "us-ascii": "ascii", "shift_jis": "shift_jis"}


def _codec(name: Any) -> str:
    codec = _TEXT_ENCODINGS.get(_as_str(name).lower())
    if codec is None:
        raise _Bad
    return codec


def _f_textencodebase64(call: _Call, text: Any, encoding: Any) -> Any:
    return base64.b64encode(_as_str(text).encode(_codec(encoding))).decode("ascii")


def _f_textdecodebase64(call: _Call, text: Any, encoding: Any) -> Any:
    try:
        return base64.b64decode(_as_str(text), validate=True).decode(_codec(encoding))
    except (ValueError, UnicodeDecodeError) as error:
        raise _Bad from error


def _f_urlencode(call: _Call, text: Any) -> Any:
    from urllib.parse import quote_plus

    return quote_plus(_as_str(text), safe="")


def _b64hash(name: str) -> Callable[..., Any]:
    def function(call: _Call, text: Any) -> Any:
        return base64.b64encode(hashlib.new(name, _as_str(text).encode("utf-8")).digest()).decode("ascii")

    return function


def _file_hash(name: str, encode: bool) -> Callable[..., Any]:
    """filemd5, filesha1, filesha256, filesha512, filebase64sha256, filebase64sha512 of a file in the tree."""
    def function(call: _Call, path: Any) -> Any:
        digest = hashlib.new(name, _read_bytes(call, path))
        return base64.b64encode(digest.digest()).decode("ascii") if encode else digest.hexdigest()

    return function


_UUID_NAMESPACES = {"dns": "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "url": "6ba7b811-9dad-11d1-80b4-00c04fd430c8",
                    "oid": "6ba7b812-9dad-11d1-80b4-00c04fd430c8", "x500": "6ba7b814-9dad-11d1-80b4-00c04fd430c8"}


def _f_uuidv5(call: _Call, namespace: Any, name: Any) -> Any:
    import uuid

    space = _as_str(namespace)
    return str(uuid.uuid5(uuid.UUID(_UUID_NAMESPACES.get(space, space)), _as_str(name)))


def _f_formatdate(call: _Call, spec: Any, timestamp: Any) -> Any:
    from linter.terraform.timefuncs import format_date

    return format_date(_as_str(spec), _as_str(timestamp))


def _f_timeadd(call: _Call, timestamp: Any, duration: Any) -> Any:
    from linter.terraform.timefuncs import time_add

    return time_add(_as_str(timestamp), _as_str(duration))


def _f_timecmp(call: _Call, first: Any, second: Any) -> Any:
    from linter.terraform.timefuncs import time_compare

    return time_compare(_as_str(first), _as_str(second))


# (function, tolerant): a tolerant function receives Unknown/Ref arguments and decides itself
_FUNCTIONS: dict[str, tuple[Callable[..., Any], bool]] = {
    "element": (_f_element, True), "length": (_f_length, True), "concat": (_f_concat, True),
    "flatten": (_f_flatten, True), "distinct": (_f_distinct, True), "lookup": (_f_lookup, True),
    "merge": (_f_merge, True), "keys": (_f_keys, True), "values": (_f_values, True),
    "toset": (_f_toset, True), "tolist": (_f_tolist, True), "tomap": (_f_tomap, True),
    "tostring": (_f_tostring, False), "tonumber": (_f_tonumber, False), "tobool": (_f_tobool, False),
    "format": (_f_format, False), "formatlist": (_f_formatlist, False), "join": (_f_join, False),
    "split": (_f_split, False), "replace": (_f_replace, False), "regex": (_f_regex, False),
    "regexall": (_f_regexall, False), "lower": (_f_lower, False), "upper": (_f_upper, False),
    "title": (_f_title, False), "trimspace": (_f_trimspace, False), "trim": (_f_trim, False),
    "trimprefix": (_f_trimprefix, False), "trimsuffix": (_f_trimsuffix, False),
    "chomp": (_f_chomp, False), "indent": (_f_indent, False), "strrev": (_f_strrev, False),
    "cidrsubnet": (_f_cidrsubnet, False), "cidrsubnets": (_f_cidrsubnets, False),
    "cidrhost": (_f_cidrhost, False), "cidrnetmask": (_f_cidrnetmask, False),
    "coalesce": (_f_coalesce, True), "coalescelist": (_f_coalescelist, True),
    "compact": (_f_compact, True), "contains": (_f_contains, True), "range": (_f_range, False),
    "zipmap": (_f_zipmap, True), "slice": (_f_slice, True), "index": (_f_index, True),
    "min": (_f_min, False), "max": (_f_max, False), "abs": (_f_abs, False), "ceil": (_f_ceil, False),
    "floor": (_f_floor, False), "substr": (_f_substr, False), "startswith": (_f_startswith, False),
    "endswith": (_f_endswith, False), "base64encode": (_f_base64encode, True),
    "base64decode": (_f_base64decode, False), "jsonencode": (_f_jsonencode, True),
    "jsondecode": (_f_jsondecode, False), "yamlencode": (_f_yamlencode, False),
    "yamldecode": (_f_yamldecode, False), "file": (_f_file, False), "fileexists": (_f_fileexists, False),
    "templatefile": (_f_templatefile, True), "filebase64": (_f_filebase64, False),
    "sort": (_f_sort, False), "reverse": (_f_reverse, True), "sum": (_f_sum, False),
    "one": (_f_one, True), "alltrue": (_f_alltrue, True), "anytrue": (_f_anytrue, True),
    "setunion": (_f_setunion, True), "setintersection": (_f_setintersection, True),
    "chunklist": (_f_chunklist, True), "list": (_f_list, True), "map": (_f_map, True),
    "basename": (_f_basename, False), "dirname": (_f_dirname, False), "abspath": (_f_abspath, False),
    "md5": (_hash("md5"), False), "sha1": (_hash("sha1"), False), "sha256": (_hash("sha256"), False),
    "transpose": (_f_transpose, False), "sensitive": (_f_identity, True),
    "nonsensitive": (_f_identity, True), "uuid": (_f_unknown, True), "timestamp": (_f_unknown, True),
    "plantimestamp": (_f_unknown, True), "bcrypt": (_f_unknown, True), "rsadecrypt": (_f_unknown, True),
    "log": (_f_log, False), "pow": (_f_pow, False), "signum": (_f_signum, False), "parseint": (_f_parseint, False),
    "strcontains": (_f_strcontains, False), "templatestring": (_f_templatestring, True),
    "matchkeys": (_f_matchkeys, True), "setproduct": (_f_setproduct, True), "setsubtract": (_f_setsubtract, True),
    "base64gzip": (_f_base64gzip, False), "csvdecode": (_f_csvdecode, False),
    "textencodebase64": (_f_textencodebase64, False), "textdecodebase64": (_f_textdecodebase64, False),
    "urlencode": (_f_urlencode, False), "sha512": (_hash("sha512"), False),
    "base64sha256": (_b64hash("sha256"), False), "base64sha512": (_b64hash("sha512"), False),
    "filemd5": (_file_hash("md5", False), False), "filesha1": (_file_hash("sha1", False), False),
    "filesha256": (_file_hash("sha256", False), False), "filesha512": (_file_hash("sha512", False), False),
    "filebase64sha256": (_file_hash("sha256", True), False), "filebase64sha512": (_file_hash("sha512", True), False),
    "uuidv5": (_f_uuidv5, False), "formatdate": (_f_formatdate, False), "timeadd": (_f_timeadd, False),
    "timecmp": (_f_timecmp, False),
}
