"""Terraform expression evaluation: operators, templates, for, splat and the function library."""
from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from linter.model import Unknown
from linter.terraform.modules import TfOptions, load_terraform
from linter.terraform.values import PartialTemplate, Ref, UnknownAttribute

PRELUDE = """
variable "unknown" {}
variable "list" {
  default = ["a", "b", "c"]
}
variable "map" {
  default = { x = 1, y = 2 }
}
locals {
  n    = 3
  name = "demo"
  nested = [["a", "b"], ["c"], []]
}
resource "aws_subnet" "s" {
  count      = 2
  cidr_block = cidrsubnet("10.0.0.0/16", 8, count.index)
}
"""


def evaluate(tmp_path: Path, expression: str, extra: str = "") -> Any:
    (tmp_path / "main.tf").write_text(PRELUDE + extra + f'\nresource "null_resource" "t" {{\n  v = {expression}\n}}\n')
    load = load_terraform([str(tmp_path)])
    assert load.problems == ()
    [resource] = [r for r in load.resources if r.address == "null_resource.t"]
    return resource.instances[0].values["v"]


@pytest.mark.parametrize("expression, expected", [
    ("1 + 2 * 3", 7),
    ("(1 + 2) * 3", 9),
    ("10 / 4", 2.5),
    ("10 / 2", 5),
    ("7 % 3", 1),
    ("-local.n + 1", -2),
    ('"3" + 1', 4),
    ("1 < 2 && 2 <= 2 && 3 > 2 && 3 >= 4", False),
    ("!true || false", False),
    ('1 == 1 && "a" != "b"', True),
    ('1 == "1"', False),
    ('[1, "a"] == [1, "a"]', True),
    ('{a = 1} == {a = 1}', True),
    ("local.n == 3 ? \"yes\" : \"no\"", "yes"),
    ("false ? 1 : 2", 2),
    ('"${local.name}-x-${local.n}"', "demo-x-3"),
    ('"${local.n}"', 3),
    ('"${true}"', True),  # a lone interpolation is its value, unconverted
    ("[for s in var.list : upper(s)]", ["A", "B", "C"]),
    ("[for i, s in var.list : i if s != \"b\"]", [0, 2]),
    ("{for k, v in var.map : k => v * 10}", {"x": 10, "y": 20}),
    ("{for s in [\"a\", \"b\", \"a\"] : s => s...}", {"a": ["a", "a"], "b": ["b"]}),
    ("var.list[1]", "b"),
    ("var.map[\"y\"]", 2),
    ("var.map.x", 1),
    ("[{a = 1}, {a = 2}][*].a", [1, 2]),
    ("[{a = 1}, {a = 2}].*.a", [1, 2]),
    ("null", None),
])
def test_known_expressions(tmp_path: Path, expression: str, expected: Any) -> None:
    value = evaluate(tmp_path, expression)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("expression, expected", [
    ("var.unknown", Unknown("var.unknown")),
    ("var.unknown.id", Unknown("var.unknown.id")),
    ("var.unknown == 1 ? 2 : 3", Unknown("var.unknown == 1 ? 2 : 3")),
    ("var.unknown ? 2 : 2", 2),
    ("var.unknown + 1", Unknown("var.unknown + 1")),
    ("false && var.unknown", False),
    ("true || var.unknown", True),
    ("true && var.unknown", Unknown("true && var.unknown")),
    ("upper(var.unknown)", Unknown("upper(var.unknown)")),
    ("data.aws_availability_zones.all.names", Unknown("data.aws_availability_zones.all.names")),
    ("[for s in var.unknown : s]", Unknown("[for s in var.unknown : s]")),
    ("nosuchfunction(1)", Unknown("nosuchfunction(1)")),
    ("filebase64(\"x\")", Unknown('filebase64("x")')),
])
def test_unknown_expressions(tmp_path: Path, expression: str, expected: Any) -> None:
    assert evaluate(tmp_path, expression) == expected


def test_template_with_unknown_part_keeps_the_known_text(tmp_path: Path) -> None:
    value = evaluate(tmp_path, '"${var.unknown}-nodes-${local.n}"')
    assert isinstance(value, PartialTemplate) and isinstance(value, Unknown)
    assert value.expr == '"${var.unknown}-nodes-${local.n}"'
    assert value.parts == (Unknown("var.unknown"), "-nodes-3")


def test_jsonencode_of_references_is_a_partial_template(tmp_path: Path) -> None:
    value = evaluate(tmp_path, "jsonencode({ids = aws_subnet.s[*].id, n = 1})")
    assert isinstance(value, PartialTemplate)
    assert value.parts == ('{"ids":["', Ref("aws_subnet.s[0]", "id"), '","', Ref("aws_subnet.s[1]", "id"),
                           '"],"n":1}')


def test_heredoc_with_interpolation(tmp_path: Path) -> None:
    value = evaluate(tmp_path, "<<-EOT\n    name: ${local.name}\n    count: ${local.n}\n  EOT")
    assert value == "name: demo\ncount: 3\n"


@pytest.mark.parametrize("expression, expected", [
    ("<<EOT\n%{ for x in var.list }${x}%{ endfor }\nEOT", "abc\n"),
    ("<<EOT\n%{ for i, x in var.list ~}\n${i}=${x}\n%{ endfor ~}\nEOT", "0=a\n1=b\n2=c\n"),
    ("<<EOT\n%{ for k, v in var.map }${k}${v} %{ endfor }\nEOT", "x1 y2 \n"),
    ('"%{ if local.n == 3 }three%{ else }other%{ endif }"', "three"),
    ('"%{ if local.n > 3 }big%{ endif }-${local.name}"', "-demo"),
    ('"%{ for i, s in var.list }${s}%{ if i < 2 },%{ endif }%{ endfor }"', "a,b,c"),
    ('"%%{ if x }literal"', "%{ if x }literal"),
])
def test_template_directives_run_as_terraform_runs_them(tmp_path: Path, expression: str, expected: str) -> None:
    assert evaluate(tmp_path, expression) == expected


def test_a_directive_over_an_unknown_value_keeps_the_text_around_it(tmp_path: Path) -> None:
    value = evaluate(tmp_path, '"a-%{ if var.unknown }x%{ endif }-b"')
    assert isinstance(value, PartialTemplate)
    assert value.parts == ("a-", Unknown("%{ if var.unknown }"), "-b")
    assert isinstance(evaluate(tmp_path, "<<EOT\n%{ for x in var.unknown }${x}%{ endfor }\nEOT"), PartialTemplate)


@pytest.mark.parametrize("expression", ['"%{ if true }a"', '"%{ endif }"', '"%{ for x in [1] }${x}%{ endif }"',
                                        '"%{ wat }"'])
def test_unbalanced_directives_are_rejected(tmp_path: Path, expression: str) -> None:
    (tmp_path / "main.tf").write_text(f'resource "null_resource" "t" {{\n  v = {expression}\n}}\n')
    assert load_terraform([str(tmp_path)]).problems


@pytest.mark.parametrize("expression, expected", [
    ("element(var.list, 4)", "b"),
    ("length(var.list)", 3),
    ("length(var.map)", 2),
    ("length(\"abc\")", 3),
    ("length([var.unknown, 1])", 2),
    ("concat(var.list, [\"d\"])", ["a", "b", "c", "d"]),
    ("concat([var.unknown], [1])", [Unknown("var.unknown"), 1]),
    ("flatten(local.nested)", ["a", "b", "c"]),
    ("distinct([\"a\", \"b\", \"a\"])", ["a", "b"]),
    ("lookup(var.map, \"x\", 0)", 1),
    ("lookup(var.map, \"z\", 0)", 0),
    ("merge(var.map, {z = 3})", {"x": 1, "y": 2, "z": 3}),
    ("keys({b = 1, a = 2})", ["a", "b"]),
    ("values({b = 1, a = 2})", [2, 1]),
    ("toset([\"b\", \"a\", \"b\"])", ["a", "b"]),
    ("tolist(var.list)", ["a", "b", "c"]),
    ("tomap(var.map)", {"x": 1, "y": 2}),
    ("tostring(12)", "12"),
    ("tonumber(\"12\")", 12),
    ("tobool(\"true\")", True),
    ("format(\"%s-%d-%v-%q-%%\", \"a\", 3, true, \"q\")", 'a-3-true-"q"-%'),
    ("format(\"%03d|%-4s|\", 7, \"ab\")", "007|ab  |"),
    ("formatlist(\"%s-x\", var.list)", ["a-x", "b-x", "c-x"]),
    ("join(\",\", var.list)", "a,b,c"),
    ("split(\",\", \"a,b\")", ["a", "b"]),
    ("replace(\"a-b-c\", \"-\", \"_\")", "a_b_c"),
    ("replace(\"a1b22\", \"/[0-9]+/\", \"#\")", "a#b#"),
    ("replace(\"ab\", \"/(a)(b)/\", \"$2$1\")", "ba"),
    ("lower(\"AB\")", "ab"),
    ("upper(\"ab\")", "AB"),
    ("trimspace(\"  a \")", "a"),
    ("cidrsubnet(\"10.0.0.0/16\", 8, 2)", "10.0.2.0/24"),
    ("cidrsubnet(\"10.0.0.0/16\", 4, 15)", "10.0.240.0/20"),
    ("cidrhost(\"10.0.1.0/24\", 5)", "10.0.1.5"),
    ("cidrhost(\"10.0.1.0/24\", -2)", "10.0.1.254"),
    ("cidrnetmask(\"10.0.0.0/12\")", "255.240.0.0"),
    ("cidrsubnets(\"10.0.0.0/16\", 8, 8, 4)", ["10.0.0.0/24", "10.0.1.0/24", "10.0.16.0/20"]),
    ("coalesce(\"\", null, \"x\")", "x"),
    ("coalesce(\"a\", var.unknown)", "a"),
    ("coalescelist([], [1])", [1]),
    ("compact([\"a\", \"\", null, \"b\"])", ["a", "b"]),
    ("try(var.map.z, \"fallback\")", "fallback"),
    ("try(var.map.x, \"fallback\")", 1),
    ("can(var.map.z)", False),
    ("can(var.map.x)", True),
    ("contains(var.list, \"b\")", True),
    ("contains(var.list, \"z\")", False),
    ("range(3)", [0, 1, 2]),
    ("range(1, 7, 2)", [1, 3, 5]),
    ("zipmap([\"a\", \"b\"], [1, 2])", {"a": 1, "b": 2}),
    ("slice(var.list, 1, 3)", ["b", "c"]),
    ("index(var.list, \"c\")", 2),
    ("min(3, 1, 2)", 1),
    ("max(3, 1, 2)", 3),
    ("abs(-2)", 2),
    ("ceil(1.2)", 2),
    ("floor(1.8)", 1),
    ("substr(\"hello\", 1, 3)", "ell"),
    ("substr(\"hello\", 1, -1)", "ello"),
    ("startswith(\"hello\", \"he\")", True),
    ("endswith(\"hello\", \"lo\")", True),
    ("base64encode(\"hi\")", base64.b64encode(b"hi").decode()),
    ("base64decode(\"aGk=\")", "hi"),
    ("jsonencode({b = [1, true], a = \"x\"})", '{"a":"x","b":[1,true]}'),
    ("jsondecode(\"{\\\"a\\\": [1, 2.5]}\")", {"a": [1, 2.5]}),
    ("yamldecode(\"a: 1\\nb: [x, y]\")", {"a": 1, "b": ["x", "y"]}),
    ("yamlencode({a = 1})", "a: 1\n"),
    ("length(aws_subnet.s)", 2),
    ("aws_subnet.s[1].cidr_block", "10.0.1.0/24"),
    ("aws_subnet.s.*.cidr_block", ["10.0.0.0/24", "10.0.1.0/24"]),
    ("element(aws_subnet.s.*.id, 3)", Ref("aws_subnet.s[1]", "id")),
])
def test_functions(tmp_path: Path, expression: str, expected: Any) -> None:
    value = evaluate(tmp_path, expression)
    assert value == expected


@pytest.mark.parametrize("expression", [
    "join(\",\", [var.unknown])",
    "flatten([var.unknown])",
    "merge(var.unknown, {a = 1})",
    "element(var.unknown, 0)",
    "cidrsubnet(var.unknown, 8, 1)",
    "format(\"%s\", var.unknown)",
    "try(var.unknown, 1)",
    "length(var.unknown)",
])
def test_functions_with_unknown_arguments(tmp_path: Path, expression: str) -> None:
    assert isinstance(evaluate(tmp_path, expression), Unknown)


def test_errors_become_unknown_not_crashes(tmp_path: Path) -> None:
    for expression in ("var.list[7]", "var.map.nope", "1 / 0", "\"a\" + 1", "element([], 0)",
                       "cidrsubnet(\"10.0.0.0/24\", 16, 1)", "tonumber(\"x\")", "local.nope"):
        value = evaluate(tmp_path, expression)
        assert type(value) is Unknown, expression


def test_file_and_templatefile(tmp_path: Path) -> None:
    (tmp_path / "user-data.sh").write_text("#!/bin/sh\naws ec2 modify-instance-attribute --no-source-dest-check\n")
    (tmp_path / "config.tpl").write_text("cidr: ${cidr}\nname: ${upper(name)}\n")
    (tmp_path / "loop.tpl").write_text("%{ for x in xs }${x}%{ endfor }\n")
    assert "--no-source-dest-check" in evaluate(tmp_path, 'file("${path.module}/user-data.sh")')
    assert "--no-source-dest-check" in evaluate(tmp_path, 'file("user-data.sh")')
    assert evaluate(tmp_path, 'file("missing.sh")') == Unknown('file("missing.sh")')
    rendered = evaluate(tmp_path, 'templatefile("${path.module}/config.tpl", {cidr = "10.0.0.0/16", name = "a"})')
    assert rendered == "cidr: 10.0.0.0/16\nname: A\n"
    assert evaluate(tmp_path, 'templatefile("loop.tpl", {xs = [1, 2]})') == "12\n"
    assert isinstance(evaluate(tmp_path, 'templatefile("config.tpl", {cidr = var.unknown, name = "a"})'), Unknown)


def test_cli_value_parsing(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "s" {\n  type = string\n}\nvariable "n" {}\nvariable "l" {}\nvariable "w" {}\n'
        'resource "null_resource" "t" {\n  v = [var.s, var.n, var.l, var.w]\n}\n')
    options = TfOptions(variables=(("s", "007"), ("n", "3"), ("l", '["a"]'), ("w", "hello world")))
    [resource] = load_terraform([str(tmp_path)], options).resources
    assert resource.instances[0].values["v"] == ["007", 3, ["a"], "hello world"]


def test_a_data_source_reads_its_arguments_and_refers_to_the_rest(tmp_path: Path) -> None:
    extra = 'data "aws_vpc" "v" {\n  id = "vpc-1"\n}\n'
    assert evaluate(tmp_path, "data.aws_vpc.v.id", extra) == "vpc-1"
    assert evaluate(tmp_path, "data.aws_vpc.v.cidr_block", extra) == Ref("data.aws_vpc.v", "cidr_block")
    assert evaluate(tmp_path, "data.aws_vpc.nothere.id", extra) == Unknown("data.aws_vpc.nothere.id")


def test_an_unknown_attribute_remembers_whose_it_is(tmp_path: Path) -> None:
    extra = 'resource "aws_vpc" "x" {\n  cidr_block = var.unknown\n}\n'
    value = evaluate(tmp_path, "aws_vpc.x.cidr_block", extra)
    assert isinstance(value, UnknownAttribute) and value.expr == "var.unknown"
    assert value.of == Ref("aws_vpc.x", "cidr_block")


@pytest.mark.parametrize("expression, expected", [
    ("log(16, 2)", 4), ("pow(2, 10)", 1024), ("signum(-3)", -1), ("signum(0)", 0),
    ('parseint("FF", 16)', 255), ('parseint("-1010", 2)', -10), ('parseint("zZ", 62)', 35 * 62 + 61),
    ('strcontains("k8s-workers", "work")', True),
    ('templatestring("$${a}-$${b}", {a = "x", b = 1})', "x-1"),
    ('matchkeys(["a", "b", "c"], ["x", "y", "z"], ["y", "z"])', ["b", "c"]),
    ('setproduct(["a", "b"], [1, 2])', [["a", 1], ["a", 2], ["b", 1], ["b", 2]]),
    ('setsubtract(["a", "b", "c"], ["b"])', ["a", "c"]),
    ('csvdecode("name,cidr\\na,10.0.0.0/24\\n")', [{"name": "a", "cidr": "10.0.0.0/24"}]),
    ('textdecodebase64(textencodebase64("hé", "UTF-16LE"), "UTF-16LE")', "hé"),
    ('urlencode("a b&c/d")', "a+b%26c%2Fd"),
    ('base64sha256("hello")', "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="),
    ('substr(sha512("a"), 0, 8)', "1f40fc92"),
    ('uuidv5("dns", "www.terraform.io")', "a5008fae-b28c-5ba5-96cd-82b4c53552d6"),
    ('formatdate("DD MMM YYYY hh:mm ZZZ", "2018-01-02T23:12:01Z")', "02 Jan 2018 23:12 UTC"),
    ('formatdate("EEE, DD MMM YYYY hh:mm:ss ZZZ", "2018-01-02T23:12:01-08:00")', "Tue, 02 Jan 2018 23:12:01 -0800"),
    ('formatdate("HH:mmaa", "2018-01-02T23:12:01Z")', "11:12pm"),
    ('timeadd("2017-11-22T00:00:00Z", "10m")', "2017-11-22T00:10:00Z"),
    ('timeadd("2017-11-22T00:00:00Z", "-1h30m")', "2017-11-21T22:30:00Z"),
    ('timecmp("2017-11-22T00:00:00Z", "2017-11-22T01:00:00+01:00")', 0),
    ("list(1, 2)", [1, 2]), ('map("a", 1)', {"a": 1}),
    ('one([for s in ["a", "b"] : s if s == "b"])', "b"),
    ('alltrue([true, local.n == 3])', True), ('anytrue([])', False),
    ('coalesce("", "x")', "x"), ('chunklist([1, 2, 3], 2)', [[1, 2], [3]]),
    ('trim("?!hi!?", "!?")', "hi"), ('indent(2, "a\\nb")', "a\n  b"), ('chomp("x\\n\\n")', "x"),
    ("sum([1, 2.5])", 3.5), ('strrev("abc")', "cba"), ('title("hello world")', "Hello World"),
    ('try(var.map.nope, "fallback")', "fallback"), ('can(var.map.nope)', False),
    ('cidrsubnets("10.0.0.0/16", 8, 8)', ["10.0.0.0/24", "10.0.1.0/24"]),
    ('transpose({a = ["1", "2"], b = ["2"]})', {"1": ["a"], "2": ["a", "b"]}),
])
def test_pure_builtins(tmp_path: Path, expression: str, expected: Any) -> None:
    assert evaluate(tmp_path, expression) == expected


@pytest.mark.parametrize("expression", ['parseint("12", 63)', 'formatdate("YYYY", "yesterday")',
                                        'timeadd("2017-11-22T00:00:00Z", "ten minutes")', 'csvdecode("a,b\\n1")',
                                        'textencodebase64("x", "EBCDIC-9")', "log(-1, 2)"])
def test_builtins_reject_what_terraform_rejects(tmp_path: Path, expression: str) -> None:
    value = evaluate(tmp_path, expression)
    assert type(value) is Unknown and value.expr == expression


def test_impure_builtins_stay_unknown(tmp_path: Path) -> None:
    for expression in ("timestamp()", "plantimestamp()", "uuid()", 'bcrypt("x")'):
        assert evaluate(tmp_path, expression) == Unknown(expression)
