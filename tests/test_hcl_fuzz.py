"""The parser never raises: arbitrary text and mutated valid HCL give a body or ParseProblems."""
from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linter.terraform.hcl import Body, parse_hcl
from linter.terraform.modules import load_terraform

VALID = '''variable "n" {
  default = 2
}
locals {
  name = "${var.n}-x"
  m    = { for k, v in { a = 1 } : k => v if v > 0 }
}
resource "aws_security_group" "s" {
  count = var.n == 2 ? 1 : 0
  tags = {
    format("k/%v", local.name) = "owned"
  }
  ingress {
    from_port   = 179
    cidr_blocks = [cidrsubnet("10.0.0.0/16", 8, count.index)]
  }
  user_data = <<-EOF
    #!/bin/sh
    echo ${local.name}
  EOF
}
'''

ALPHABET = st.sampled_from(list('{}[]()"=:.,?!<>-+*/%$#\n \t\\~') + list("abcxyz019_") + ["${", "%{", "<<EOF\n",
                                                                                          "EOF\n", "//", "/*"])


def check(text: str) -> None:
    body, problems = parse_hcl(text, "/f.tf")
    assert (body is None) == bool(problems)
    assert body is None or isinstance(body, Body)
    for problem in problems:
        assert problem.where.line >= 1 and problem.where.column >= 1
        assert problem.message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_arbitrary_text_never_raises(text: str) -> None:
    check(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ALPHABET, max_size=60).map("".join))
def test_token_soup_never_raises(text: str) -> None:
    check(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(VALID)), st.integers(0, 8), st.text(max_size=6))
def test_mutated_valid_hcl_never_raises(position: int, delete: int, insert: str) -> None:
    check(VALID[:position] + insert + VALID[position + delete:])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.integers(0, len(VALID)), st.integers(0, 8), st.lists(ALPHABET, max_size=4).map("".join))
def test_mutated_module_loads_without_raising(tmp_path: Path, position: int, delete: int, insert: str) -> None:
    (tmp_path / "main.tf").write_text(VALID[:position] + insert + VALID[position + delete:])
    load = load_terraform([str(tmp_path)])
    assert load.problems or load.resources is not None
