"""Evaluated Terraform: what the HCL evaluator and the plan-JSON reader both produce.

`linter.terraform.to_model` turns these into model elements, so the two Terraform front ends share
one mapping. Values are plain Python (str, int, float, bool, None, list, dict), `Unknown`, or `Ref`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from linter.model import Unknown, Where

# keys that the evaluators add to every evaluated block dict (never Terraform attribute names)
LINE = "__line__"  # 1-based line of the block (or resource)
ATTR_LINES = "__attr_lines__"  # {attribute name: line}
COLUMN = "__column__"  # 1-based column of the block's first character (HCL only)
META_KEYS = frozenset({LINE, ATTR_LINES, COLUMN})  # never Terraform attribute names
# `dynamic` blocks whose for_each is unknown: {DYNAMIC_UNKNOWN: [block type names]} in the dict
# that would have held them (no block is generated for them)
DYNAMIC_UNKNOWN = "__dynamic_unknown__"
# TfResource.extras key: the values come from a plan, where every attribute carries its default
PLANNED = "planned"
# TfResource.extras key: an override file changes the block, so no fix edits the block alone
OVERRIDDEN = "overridden"


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference to an attribute of another resource: `aws_security_group.nodes.id`.

    `address` carries the module path and, for counted/for_each resources, the instance key
    (`module.workers.aws_subnet.private[1]`, `aws_subnet.az["a"]`).
    """

    address: str
    attribute: str

    def __str__(self) -> str:
        return f"{self.address}.{self.attribute}"


@dataclass(frozen=True, slots=True)
class PartialTemplate(Unknown):
    """A string template with interpolations that stay unknown (`"${var.name}-nodes"`, a heredoc).

    It is an `Unknown` (its `expr` is the template's source); `parts` are the known text (str) and,
    in order, each interpolation that could not be rendered (`Unknown` or `Ref`), so that an
    embedded document (CloudFormation `template_body`) can still be read around them.
    """

    parts: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True)
class EncodedTemplate(PartialTemplate):
    """`base64encode(...)` of a partly known text (user data, mostly): unknown, and `parts` are the text
    before it was encoded, so that what it runs can still be read."""

    encoding: str = "base64"


@dataclass(frozen=True, slots=True)
class UnknownAttribute(Unknown):
    """A resource attribute whose value cannot be known (`aws_vpc.main.cidr_block = var.cidr`).

    Its `expr` is what it depends on (`var.cidr`, shown in notes); `of` says whose attribute it is, so
    that the mapping can still tell "this VPC's CIDR" from any other unknown CIDR.
    """

    of: Ref | None = None


@dataclass(frozen=True, slots=True)
class UnknownElement(Unknown):
    """The element at a known position of a list that is not known (`var.subnet_ids[count.index]` in
    instance 1): its value is unknown, but instances that take different positions of one list are
    spread over it (a list of subnets or zones names each one once)."""

    collection: str = ""  # the list, as written (`var.subnet_ids`, `data.aws_availability_zones.all.names`)
    position: int = 0


@dataclass(frozen=True, slots=True)
class TfInstance:
    key: int | str | None  # count.index / each.key; None without count/for_each
    values: dict[str, Any]  # evaluated attributes; nested blocks as lists of dicts (with LINE)
    # the keys of the counted/for_each module instances it belongs to ("a", "a/0"); None outside them
    module_key: str | None = None


@dataclass(frozen=True, slots=True)
class TfResource:
    address: str  # module path + type.name, no instance key: module.workers.aws_autoscaling_group.workers
    type: str
    name: str
    module: str  # "" for the root module, else "module.a.module.b"
    where: Where  # file, first line of the block, address
    instances: tuple[TfInstance, ...]  # empty when count/for_each is 0
    # count/for_each could not be evaluated: `instances` holds one instance evaluated with UNKNOWN keys
    count_unknown: Unknown | None = None
    mode: str = "managed"  # or "data"
    deployment: str = ""  # the root module directory (absolute POSIX path) or plan file
    end_line: int = 0
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def multiple(self) -> bool | Unknown:
        if self.count_unknown is not None:
            return self.count_unknown
        return len(self.instances) >= 2


def unknown_of(value: Any) -> Unknown | None:
    """The first Unknown inside value, if any."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, list):
        for item in value:
            found = unknown_of(item)
            if found is not None:
                return found
    if isinstance(value, dict):
        for key, item in value.items():
            if key in META_KEYS:
                continue
            found = unknown_of(item)
            if found is not None:
                return found
    return None


def terraform_text(value: Any) -> str:
    """A value as Terraform writes it, for messages: `"a"`, `1`, `true`, `null`, `[a, b]`, `{k = v}`, a reference
    (`aws_security_group.nodes.id`) or the expression an unknown stands for; never Python's repr."""
    if isinstance(value, Unknown):
        return value.expr
    if isinstance(value, Ref):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(terraform_text(item) for item in value) + "]"
    if isinstance(value, dict):
        items = [f"{key} = {terraform_text(item)}" for key, item in value.items() if key not in META_KEYS]
        return "{" + ", ".join(items) + "}"
    return str(value)

