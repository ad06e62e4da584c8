"""linter/docs.py: the rule pages (markdown, terminal) and the README table."""
from __future__ import annotations

import dataclasses

import pytest

from linter.reporters import rule_docs as docs
from reporter_support import RULES, assert_snapshot

BY_ID = {rule.id: rule for rule in RULES}


@pytest.mark.parametrize("rule_id", ["CAL001", "CAL005", "CAL012"])
def test_rule_pages(rule_id: str) -> None:
    assert_snapshot(f"rule-{rule_id}.md", docs.rule_page_markdown(BY_ID[rule_id]))
    assert_snapshot(f"rule-{rule_id}.txt", docs.rule_page_text(BY_ID[rule_id]))


def test_rules_table() -> None:
    assert_snapshot("rules-table.md", docs.rules_table_markdown(tuple(reversed(RULES))))


def test_table_cells_stay_on_one_line_and_escape_pipes() -> None:
    table = docs.rules_table_markdown([BY_ID["CAL001"]]).splitlines()
    assert len(table) == 3
    rule = dataclasses.replace(BY_ID["CAL001"], what="one | two\nthree")
    assert docs.rules_table_markdown([rule]).splitlines()[2].endswith("| one \\| two three |")


def test_sections_follow_the_documented_order() -> None:
    page = docs.rule_page_markdown(BY_ID["CAL001"])
    headings = [line for line in page.splitlines() if line.startswith("## ")]
    assert headings == ["## What", "## Why", "## Example", "## Use instead", "## Fix", "## References"]


def test_empty_sections_are_left_out() -> None:
    page = docs.rule_page_markdown(BY_ID["CAL012"])
    assert "## Example" not in page and "## References" not in page


def test_snippets_are_verbatim_and_fenced_safely() -> None:
    snippet = 'locals {\n  doc = <<EOT\n```\nEOT\n}\n'
    rule = dataclasses.replace(BY_ID["CAL003"], example=snippet)
    page = docs.rule_page_markdown(rule)
    assert "````hcl\n" + snippet + "````" in page


@pytest.mark.parametrize(("snippet", "language"), [
    ('resource "aws_instance" "x" {\n}\n', "hcl"),
    ("source_dest_check = false\n", "hcl"),
    ("apiVersion: projectcalico.org/v3\nkind: IPPool\n", "yaml"),
    ('{"Resources": {}}\n', "json"),
    ("Resources:\n  Node:\n    Type: AWS::EC2::Instance\n", "yaml"),
])
def test_fence_language(snippet: str, language: str) -> None:
    page = docs.rule_page_markdown(dataclasses.replace(BY_ID["CAL003"], example=snippet))
    assert f"```{language}\n{snippet}```" in page
