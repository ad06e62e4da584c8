"""The HCL front end: our AST over python-hcl2's Lark tree, its workarounds and its errors."""
from __future__ import annotations

import pytest

from linter.terraform import hcl
from linter.terraform.hcl import parse_expression, parse_hcl


def body_of(text: str) -> hcl.Body:
    body, problems = parse_hcl(text, "/x/main.tf")
    assert problems == (), problems
    assert body is not None
    return body


def expr_of(text: str) -> object:
    return parse_expression(text)


def shape(expr: object) -> object:
    """A compact structure of an expression tree, for comparisons."""
    if isinstance(expr, hcl.Binary):
        return (expr.op, shape(expr.left), shape(expr.right))
    if isinstance(expr, hcl.Unary):
        return (expr.op, shape(expr.operand))
    if isinstance(expr, hcl.Conditional):
        return ("?", shape(expr.condition), shape(expr.true), shape(expr.false))
    if isinstance(expr, hcl.Variable):
        return expr.name
    if isinstance(expr, hcl.Literal):
        return expr.value
    if isinstance(expr, hcl.GetAttr):
        return f"{shape(expr.obj)}.{expr.name}"
    return type(expr).__name__


# ------------------------------------------------------------------------------------------ precedence


@pytest.mark.parametrize("text, expected", [
    ("a + b * c", ("+", "a", ("*", "b", "c"))),
    ("a * b + c", ("+", ("*", "a", "b"), "c")),
    ("a - b - c", ("-", ("-", "a", "b"), "c")),
    ("a / b * c", ("*", ("/", "a", "b"), "c")),
    ("a || b && c", ("||", "a", ("&&", "b", "c"))),
    ("a && b || c", ("||", ("&&", "a", "b"), "c")),
    ("a == b && c != d", ("&&", ("==", "a", "b"), ("!=", "c", "d"))),
    ("a + 1 > b * 2", (">", ("+", "a", 1), ("*", "b", 2))),
    ("a < b == c >= d", ("==", ("<", "a", "b"), (">=", "c", "d"))),
    ("!a && b", ("&&", ("!", "a"), "b")),
    ("-a + b", ("+", ("-", "a"), "b")),
    ("(a + b) * c", ("*", ("+", "a", "b"), "c")),
    ("a % b + c", ("+", ("%", "a", "b"), "c")),
    ("a == b ? c : d", ("?", ("==", "a", "b"), "c", "d")),
    ("a == b && c ? d + 1 : e", ("?", ("&&", ("==", "a", "b"), "c"), ("+", "d", 1), "e")),
    ("a ? b : c ? d : e", ("?", "a", "b", ("?", "c", "d", "e"))),
    ("a ? b : c + d", ("?", "a", "b", ("+", "c", "d"))),
    ("var.n - 1", ("-", "var.n", 1)),
    ("5-1", ("-", 5, 1)),
])
def test_operator_precedence_follows_terraform(text: str, expected: object) -> None:
    assert shape(expr_of(text)) == expected


def test_binary_node_text_is_the_source_slice() -> None:
    expr = expr_of("var.a == \"x\" && var.b")
    assert isinstance(expr, hcl.Binary)
    assert expr.text == 'var.a == "x" && var.b'
    assert expr.left.text == 'var.a == "x"'


# ------------------------------------------------------------------------------------------ literals


@pytest.mark.parametrize("text, value", [
    ("1", 1), ("-1", -1), ("1.5", 1.5), ("1e3", 1000), ("true", True), ("false", False), ("null", None),
])
def test_number_and_keyword_literals(text: str, value: object) -> None:
    expr = expr_of(text)
    assert isinstance(expr, hcl.Literal)
    assert expr.value == value and type(expr.value) is type(value)


def test_quoted_string_escapes() -> None:
    expr = expr_of(r'"a\n\t\"q\" \\ $${x} %%{y} \u00e9"')
    assert isinstance(expr, hcl.Template)
    assert expr.parts == ('a\n\t"q" \\ ${x} %{y} é',)


def test_string_with_interpolation_and_directive() -> None:
    expr = expr_of('"x-${var.a}-%{ if b }y%{ endif }"')
    assert isinstance(expr, hcl.Template)
    assert expr.parts[0] == "x-"
    assert isinstance(expr.parts[1], hcl.GetAttr)
    assert isinstance(expr.parts[-1], hcl.TemplateIf) and expr.parts[-1].then == ("y",)


def test_traversals_splats_and_calls() -> None:
    body = body_of(
        'a = aws_subnet.public[0].id\n'
        'b = aws_subnet.public.*.id\n'
        'c = aws_subnet.public[*].tags["Name"]\n'
        'd = f(x, y...)\n'
        'e = provider::aws::arn_parse(x)\n'
        'f = a.0.b\n'
    )
    values = {attribute.name: attribute.expr for attribute in body.attributes}
    assert isinstance(values["a"], hcl.GetAttr) and isinstance(values["a"].obj, hcl.Index)
    assert isinstance(values["b"], hcl.Splat) and values["b"].steps == (("attr", "id"),)
    assert isinstance(values["c"], hcl.Splat) and values["c"].steps[0] == ("attr", "tags")
    assert values["c"].steps[1][0] == "index"
    assert isinstance(values["d"], hcl.Call) and values["d"].expand_final
    assert isinstance(values["e"], hcl.Call) and values["e"].name == "provider::aws::arn_parse"
    assert isinstance(values["f"], hcl.GetAttr) and isinstance(values["f"].obj, hcl.Index)


def test_for_expressions() -> None:
    tuple_for = expr_of("[for k, v in var.m : upper(v) if k != \"x\"]")
    assert isinstance(tuple_for, hcl.ForExpr)
    assert (tuple_for.key_var, tuple_for.value_var, tuple_for.key) == ("k", "v", None)
    assert tuple_for.condition is not None
    object_for = expr_of("{for s in var.l : s.az => s.id...}")
    assert isinstance(object_for, hcl.ForExpr)
    assert object_for.key_var is None and object_for.group and object_for.key is not None


def test_object_keys() -> None:
    expr = expr_of('{a = 1, "b c" = 2, (var.k) = 3, 4 = 5}')
    assert isinstance(expr, hcl.ObjectExpr)
    keys = [key for key, _value in expr.items]
    assert isinstance(keys[0], hcl.Literal) and keys[0].value == "a"
    assert isinstance(keys[1], hcl.Template) and keys[1].parts == ("b c",)
    assert isinstance(keys[2], hcl.GetAttr)
    assert isinstance(keys[3], hcl.Literal) and keys[3].value == "4"


# ------------------------------------------------------------------------------------------ heredocs


def test_heredoc_keeps_text_and_final_newline() -> None:
    body = body_of("x = <<EOF\n  one ${var.a}\n  two $${b}\nEOF\ny = 1\n")
    template = body.attribute("x").expr
    assert isinstance(template, hcl.Template)
    assert template.parts[0] == "  one "
    assert isinstance(template.parts[1], hcl.GetAttr)
    assert template.parts[2] == "\n  two ${b}\n"
    assert body.attribute("y").line == 5


def test_indented_heredoc_is_dedented() -> None:
    body = body_of("x = <<-EOT\n    a\n      b\n\n    c\n    EOT\n")
    assert body.attribute("x").expr.parts == ("a\n  b\n\nc\n",)


def test_heredoc_directive_and_strip_markers() -> None:
    body = body_of("x = <<EOF\n%{ for a in b }${a}%{ endfor }\n  ${~ c ~}  \nEOF\n")
    parts = body.attribute("x").expr.parts
    assert [type(part).__name__ for part in parts] == ["TemplateFor", "Variable"]
    assert [type(part).__name__ for part in parts[0].body] == ["Variable"]


def test_empty_heredoc() -> None:
    body = body_of("x = <<EOF\nEOF\n")
    assert body.attribute("x").expr.parts == ()


# ------------------------------------------------------------------------------------------ workarounds


def test_function_call_as_object_key_is_read_with_its_lines() -> None:
    text = (
        'resource "aws_subnet" "a" {\n'
        '  tags = {\n'
        '    format("kubernetes.io/cluster/%v", var.name) = "owned"\n'
        '    Name = "a"\n'
        '  }\n'
        '  vpc_id = "v"\n'
        '}\n'
    )
    body = body_of(text)
    block = body.blocks[0]
    tags = block.body.attribute("tags")
    assert tags.line == 2
    key, _value = tags.expr.items[0]
    assert isinstance(key, hcl.Call) and key.name == "format"
    assert block.body.attribute("vpc_id").line == 6
    assert block.end_line == 7


def test_multiline_interpolation_in_quoted_string() -> None:
    text = 'x = "${var.a ?\n  var.b : var.c}"\ny = "${\n  var.d\n}-z"\nz = 1\n'
    body = body_of(text)
    x = body.attribute("x").expr
    assert isinstance(x, hcl.Template) and isinstance(x.parts[0], hcl.Conditional)
    y = body.attribute("y").expr
    assert isinstance(y.parts[0], hcl.GetAttr) and y.parts[1] == "-z"
    assert body.attribute("z").line == 6


def test_failed_retry_reports_the_original_error() -> None:
    body, problems = parse_hcl('tags = {\n  format("a", b) = \n}\n', "/x/main.tf")
    assert body is None
    assert problems[0].where.line == 2


# ------------------------------------------------------------------------------------------ errors


def test_duplicate_attribute_is_an_error() -> None:
    body, problems = parse_hcl('resource "a" "b" {\n  x = 1\n  y = 2\n  x = 3\n}\n', "/x/main.tf")
    assert body is None
    assert len(problems) == 1
    assert problems[0].where.line == 4 and problems[0].where.column == 3
    assert "'x' is defined twice" in problems[0].message


def test_same_attribute_in_sibling_blocks_is_fine() -> None:
    body_of('r {\n  ingress {\n    a = 1\n  }\n  ingress {\n    a = 2\n  }\n}\n')


@pytest.mark.parametrize("text, line, fragment", [
    ('resource "a" "b" {\n  x = }\n}\n', 2, "unexpected token '}' — expected an expression"),
    ('resource "a" "b" {\n  x =\n}\n', 2, "expected an expression"),
    ('x = [1, 2\ny = 3\n', 2, "unexpected token 'y'"),
    ('resource "a" "b" {\n  x = 1\n', 3, "unexpected end of file"),
    ('x = <<EOF\nabc\n', 1, "no closing marker"),
    ('x = 1\ny = @\n', 2, "unexpected"),
])
def test_syntax_errors_have_lines_and_clear_messages(text: str, line: int, fragment: str) -> None:
    body, problems = parse_hcl(text, "/x/main.tf")
    assert body is None
    assert len(problems) == 1
    problem = problems[0]
    assert problem.where.file == "/x/main.tf"
    assert problem.where.line == line
    assert fragment in problem.message
    assert "Traceback" not in problem.message


def test_absurd_nesting_is_a_problem_not_a_crash() -> None:
    for text in ("x = " + "[" * 5000 + "]" * 5000 + "\n", "x = " + "a." * 3000 + "b\n"):
        body, problems = parse_hcl(text, "/x/main.tf")
        assert body is None
        assert problems[0].message == "expression nesting is too deep to read"


def test_parse_expression_rejects_garbage() -> None:
    with pytest.raises(hcl.HclError):
        parse_expression("a b c")


# ------------------------------------------------------------------------------------------ lines (contract)


def test_contract_blocks_nested_blocks_and_attributes_have_1_based_lines() -> None:
    """Line numbers are a hard requirement (DESIGN §2): this fails if they disappear."""
    text = (
        "# comment\n"
        'resource "aws_security_group" "nodes" {\n'
        '  name = "nodes"\n'
        "\n"
        "  ingress {\n"
        "    from_port = 179\n"
        "  }\n"
        "}\n"
        "\n"
        'variable "x" {}\n'
    )
    body = body_of(text)
    resource, variable = body.blocks
    assert (resource.type, resource.labels) == ("resource", ("aws_security_group", "nodes"))
    assert (resource.line, resource.column, resource.end_line) == (2, 1, 8)
    assert resource.body.attribute("name").line == 3
    assert resource.body.attribute("name").column == 3
    assert resource.body.attribute("name").expr.line == 3
    ingress = resource.body.blocks[0]
    assert (ingress.line, ingress.column, ingress.end_line) == (5, 3, 7)
    assert ingress.body.attribute("from_port").line == 6
    assert (variable.line, variable.end_line) == (10, 10)


def test_crlf_line_endings() -> None:
    body = body_of('a = 1\r\nresource "x" "y" {\r\n  b = "c"\r\n}\r\n')
    assert body.blocks[0].body.attribute("b").line == 3
    assert body.blocks[0].body.attribute("b").expr.parts == ("c",)


def test_tfvars_are_just_attributes() -> None:
    body = body_of('node_count = 3\nzones = ["a", "b"]\n# comment\n')
    assert [attribute.name for attribute in body.attributes] == ["node_count", "zones"]


@pytest.mark.parametrize("text,line,column", [
    ("a = 1 b = 2\n", 1, 7),
    ('resource "x" "y" {\n  ami = "a" type = "t"\n}\n', 2, 13),
    ("x {} y {}\n", 1, 6),
])
def test_two_definitions_on_one_line_are_rejected_as_terraform_does(text: str, line: int, column: int) -> None:
    body, problems = parse_hcl(text, "f.tf")
    assert body is None
    assert [(p.where.line, p.where.column) for p in problems] == [(line, column)]
    assert "must start on a new line" in problems[0].message


def test_heredocs_and_multi_line_expressions_end_where_they_end() -> None:
    text = ('resource "x" "y" {\n  user_data = <<EOF\nhello\nEOF\n  ami = "a"\n  count = var.n == 2 ? 1 : 0\n\n'
            '  tags = {\n    a = 1, b = 2\n  }\n  single = { a = 1 }\n}\n')
    body, problems = parse_hcl(text, "f.tf")
    assert problems == () and body is not None
