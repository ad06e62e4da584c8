"""The HCL fast path builds exactly what Lark and the builder build, on every input it accepts (and gives up,
to Lark, on the rest): fixtures, generated configurations of its subset, and those mutated at random."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from linter.terraform import hcl
from linter.terraform.hcl_fast import fast_body

FIXTURES = Path(__file__).parent / "fixtures"
FILES = sorted([*FIXTURES.rglob("*.tf"), *FIXTURES.rglob("*.tfvars")])


def _lark(source: str) -> hcl.Body | None:
    try:
        return hcl._parse_once(source)
    except (hcl.HclError, RecursionError):
        return None


def agrees(source: str) -> bool:
    fast = fast_body(source)
    return fast is None or fast == _lark(source)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_the_fast_path_agrees_on_every_fixture(path: Path) -> None:
    assert agrees(path.read_text(encoding="utf-8").replace("\r\n", "\n"))


def test_the_fast_path_reads_a_plain_module() -> None:
    source = ('# a VPC\nresource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"  // the block\n'
              '  tags = {\n    Name = "main-${var.env}"\n    "kubernetes.io/cluster/x" = "owned",\n  }\n'
              '  list = [1, 2.5, true, null, aws_subnet.a[0].id, lookup(var.m, "k"),\n  ]\n}\n\nlocals {}\n')
    fast = fast_body(source)
    assert fast is not None and fast == _lark(source)


@pytest.mark.parametrize("source", [
    "a = 1 + 2\n", "a = b ? c : d\n", "a = [for x in y : x]\n", "a = b[*].c\n", "a = <<EOT\nx\nEOT\n",
    'a = "%{ if x }y%{ endif }"\n', "a = -1\n", "a = !b\n", "a = (b)\n", 'a = "x\\u0041"\n', "a = 1 b = 2\n",
    "a = b.0\n", "a = f(x...)\n", "a = 1e5\n", "a {b = 1}\n", "a = provider::p::f(1)\n", 'a = "$${x}"\n',
    "a = 1\n}\n", "a = [1 2]\n", "a = {b.c = 1}\n",
])
def test_the_fast_path_gives_the_rest_to_lark(source: str) -> None:
    assert fast_body(source) is None


# ------------------------------------------------------------------------------------------ generated

_NAMES = st.sampled_from(["a", "b_c", "x-y", "var", "local", "each", "count", "aws_vpc", "for_each", "true",
                          "null", "tags", "Name"])
_GAPS = st.sampled_from(["", " ", "  ", "\t"])
_LINES = st.sampled_from(["\n", "\n  ", "\n\n", " # note\n", " // note\n", "\n/* c */\n", " /* a\nb */\n"])
_TEXT = st.lists(st.sampled_from(list("abc xyz-_./:09é") + ["\\n", '\\"', "\\\\", "\\t"]), max_size=8).map("".join)


def _string(draw: st.DrawFn, depth: int) -> str:
    pieces = draw(st.lists(st.one_of(_TEXT, st.builds(lambda r: "${" + r + "}", _reference(depth))), max_size=3))
    return '"' + "".join(pieces) + '"'


@st.composite
def _reference_strategy(draw: st.DrawFn, depth: int) -> str:
    text = draw(_NAMES)
    for step in draw(st.lists(st.sampled_from(["attr", "index"]), max_size=3)):
        text += "." + draw(_NAMES) if step == "attr" else "[" + str(draw(st.integers(0, 12))) + "]"
    return text


def _reference(depth: int) -> st.SearchStrategy[str]:
    return _reference_strategy(depth)


@st.composite
def _expression(draw: st.DrawFn, depth: int = 0) -> str:
    choices = ["int", "float", "string", "reference"] + (["tuple", "object", "call"] if depth < 3 else [])
    kind = draw(st.sampled_from(choices))
    gap, line = draw(_GAPS), draw(st.sampled_from(["", "\n", "\n    "]))
    if kind == "int":
        return str(draw(st.integers(0, 10**6)))
    if kind == "float":
        return f"{draw(st.integers(0, 99))}.{draw(st.integers(0, 99))}"
    if kind == "string":
        return _string(draw, depth)
    if kind == "reference":
        return draw(_reference(depth))
    items = draw(st.lists(_expression(depth + 1), max_size=3))
    if kind == "tuple":
        return "[" + line + ("," + gap + line).join(items) + draw(st.sampled_from(["", ",", ",\n"])) + line + "]"
    if kind == "call":
        return draw(_NAMES) + "(" + ("," + gap).join(items) + ")"
    keys = draw(st.lists(st.one_of(_NAMES, st.builds(lambda t: '"' + t + '"', _TEXT)), min_size=len(items),
                         max_size=len(items)))
    separator = draw(st.sampled_from([",", "\n", ",\n"]))
    elements = [f"{key}{gap}{draw(st.sampled_from(['=', ':']))}{gap}{value}" for key, value in zip(keys, items)]
    return "{" + line + separator.join(elements) + line + "}"


@st.composite
def _body(draw: st.DrawFn, depth: int = 0) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 4))):
        if depth < 2 and draw(st.booleans()):
            labels = " ".join(draw(st.lists(st.one_of(_NAMES, st.builds(lambda t: '"' + t + '"', _TEXT)),
                                            max_size=2)))
            inner = draw(_body(depth + 1))
            lines.append(f"{draw(_NAMES)} {labels} {{\n{inner}}}")
        else:
            lines.append(f"{draw(_NAMES)}{draw(_GAPS)}={draw(_GAPS)}{draw(_expression())}")
    return "".join(line + draw(_LINES) for line in lines)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_body())
def test_generated_configurations_parse_the_same_both_ways(source: str) -> None:
    assert agrees(source)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_body(), st.lists(st.tuples(st.integers(0, 10**4), st.sampled_from(
    list("\n{}[](),.:=\"'$%#/*\\ -+!?<>@") + ["${", "/*", "for ", "if ", "in "])), min_size=1, max_size=3))
def test_mutated_configurations_parse_the_same_both_ways(source: str, edits: list[tuple[int, str]]) -> None:
    for position, text in edits:
        at = position % (len(source) + 1)
        source = source[:at] + text + source[at:]
    assert agrees(source)
