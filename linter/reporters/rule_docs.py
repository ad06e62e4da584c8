"""Rule documentation rendered from RuleDoc: docs/rules/CAL00N.md, `explain`, the README table.

One source for every place a rule is explained (the SARIF `help` too), so they cannot drift apart.
"""
from __future__ import annotations

import json
import re
import textwrap
from typing import Sequence

from linter.model import RuleDoc
from linter.reporters._common import HELP_URI

DOCS_RULES_DIR = "docs/rules"
_TEXT_WIDTH = 88


def rule_page_markdown(rule: RuleDoc) -> str:
    """The docs/rules/<ID>.md page."""
    parts = [
        f"# {rule.id}: {_clean(rule.title)}",
        f"- ID: `{rule.id}`\n- Name: `{rule.name}`\n- Level: `{rule.level.value}`",
    ]
    parts += [f"## {heading}\n\n{_clean(body)}" for heading, body in _prose(rule) if body.strip()]
    if rule.example.strip():
        parts.append(f"## Example\n\n{_fenced(rule.example)}")
    if rule.use_instead.strip():
        parts.append(f"## Use instead\n\n{_fenced(rule.use_instead)}")
    if rule.fix.strip():
        parts.append(f"## Fix\n\n{_clean(rule.fix)}")
    if rule.references:
        parts.append("## References\n\n" + "\n".join(f"- {_clean(ref)}" for ref in rule.references))
    return "\n\n".join(parts) + "\n"


def rule_page_text(rule: RuleDoc) -> str:
    """The same page for a terminal (`calico-lint explain CAL003`)."""
    parts = [f"{rule.id} ({rule.name}, {rule.level.value}): {_clean(rule.title)}"]
    parts += [f"{heading}\n{_wrap(body)}" for heading, body in _prose(rule) if body.strip()]
    if rule.example.strip():
        parts.append(f"Example\n{_code(rule.example)}")
    if rule.use_instead.strip():
        parts.append(f"Use instead\n{_code(rule.use_instead)}")
    if rule.fix.strip():
        parts.append(f"Fix\n{_wrap(rule.fix)}")
    if rule.references:
        parts.append("References\n" + "\n".join(f"  - {_clean(ref)}" for ref in rule.references))
    return "\n\n".join(parts) + "\n"


def rules_table_markdown(rules: Sequence[RuleDoc]) -> str:
    """The README rules table, one row per rule in id order."""
    rows = ["| ID | Name | Level | What |", "|---|---|---|---|"]
    for rule in sorted(rules, key=lambda r: r.id):
        link = f"[{rule.id}]({DOCS_RULES_DIR}/{rule.id}.md)"
        rows.append(f"| {link} | `{rule.name}` | {rule.level.value} | {_cell(rule.what)} |")
    return "\n".join(rows) + "\n"


def rules_list_text(rules: Sequence[RuleDoc]) -> str:
    """`calico-lint rules`: one line per rule."""
    return "".join(f"{r.id}  {r.level.value:<7}  {r.name:<36}  {r.title}\n" for r in sorted(rules, key=lambda r: r.id))


def rules_list_json(rules: Sequence[RuleDoc]) -> str:
    """`calico-lint rules --format json`: what a script needs to know of each rule."""
    entries = [{"id": r.id, "name": r.name, "level": r.level.value, "title": r.title, "tags": list(r.tags),
                "security_severity": r.security_severity, "help_uri": HELP_URI.format(id=r.id)}
               for r in sorted(rules, key=lambda r: r.id)]
    return json.dumps(entries, indent=2, ensure_ascii=False) + "\n"


def _prose(rule: RuleDoc) -> list[tuple[str, str]]:
    return [("What", rule.what), ("Why", rule.why)]


def _clean(text: str) -> str:
    """Prose as the rule file holds it (YAML `>` leaves a trailing newline)."""
    return text.strip()


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _wrap(text: str) -> str:
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "\n\n".join(
        textwrap.fill(" ".join(p.split()), width=_TEXT_WIDTH, initial_indent="  ", subsequent_indent="  ")
        for p in paragraphs
    )


def _code(snippet: str) -> str:
    return textwrap.indent(snippet.strip("\n"), "    ")


def _fenced(snippet: str) -> str:
    """A fenced block long enough not to be closed by a fence inside the snippet."""
    longest = max((len(run) for run in re.findall(r"`{3,}", snippet)), default=2)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{_language(snippet)}\n{snippet.strip(chr(10))}\n{fence}"


def _language(snippet: str) -> str:
    """The fence's info string, guessed from the snippet: hcl, json or yaml."""
    text = snippet.lstrip()
    if text.startswith(("{", "[")):
        return "json"
    if re.search(r'^\s*(resource|data|module|variable|locals|provider)\b.*\{\s*$', snippet, re.M):
        return "hcl"
    if re.search(r"^\s*[\w.-]+\s*=", snippet, re.M):
        return "hcl"
    return "yaml"
