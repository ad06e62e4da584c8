"""GitHub Actions workflow commands: annotations on the pull request's changed lines."""
from __future__ import annotations

from typing import Callable, Sequence

from linter.model import Finding, Level, Notice, Report, RuleDoc
from linter.reporters._common import display_path, rules_by_id, shown_address, sorted_findings

_COMMAND = {Level.ERROR: "error", Level.WARNING: "warning", Level.NOTE: "notice"}


def render(
    report: Report,
    *,
    read_lines: Callable[[str], Sequence[str]] | None = None,
    color: bool = False,
    quiet: bool = False,
) -> str:
    rules = rules_by_id(report.rules)
    lines = [
        _annotation(finding, rules, report.root)
        for finding in sorted_findings(report.findings)
        if not finding.suppressed
    ]
    if not quiet:
        lines += [_notice(notice, report.root) for notice in report.notices]
    return "".join(line + "\n" for line in lines)


def escape_data(text: str) -> str:
    """GitHub's escaping for a command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """GitHub's escaping for a command's property values (file, title)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(level: Level, properties: list[tuple[str, str]], message: str) -> str:
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{_COMMAND[level]}{' ' + props if props else ''}::{escape_data(message)}"


def _annotation(finding: Finding, rules: dict[str, RuleDoc], root: str) -> str:
    where = finding.where
    rule = rules.get(finding.rule)
    title = f"{finding.rule} {rule.name}" if rule is not None and rule.name else finding.rule
    message = finding.message
    address = shown_address(where, root)
    if address:
        message += f" ({address})"
    for related in finding.related:
        message += f"\n\u21b3 {display_path(related.where.file, root)}:{related.where.line}: {related.why}"
    properties = [
        ("file", display_path(where.file, root)),
        ("line", str(where.line)),
        ("col", str(where.column)),
        ("title", title),
    ]
    return _command(finding.level, properties, message)


def _notice(notice: Notice, root: str) -> str:
    properties = [("file", display_path(notice.file, root))] if notice.file else []
    return _command(notice.level, properties + [("title", "calico-lint")], notice.message)
