"""The JSON report (DESIGN, "Contracts the first slice needs"): a stable shape, keys in order.

Named json_report so that it does not shadow the standard library's json.
"""
from __future__ import annotations

import json
from typing import Callable, Sequence

from linter.model import Finding, Notice, Related, Report, RuleDoc
from linter.reporters._common import (
    TOOL_NAME,
    display_path,
    rules_by_id,
    sorted_findings,
    summarize,
    suppression_reason,
)

SCHEMA_VERSION = 1


def render(
    report: Report,
    *,
    read_lines: Callable[[str], Sequence[str]] | None = None,
    color: bool = False,
    quiet: bool = False,
) -> str:
    rules = rules_by_id(report.rules)
    summary = summarize(report)
    document = {
        "version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": report.tool_version},
        "findings": [_finding(finding, rules, report.root) for finding in sorted_findings(report.findings)],
        "notifications": [_notification(notice, report.root) for notice in report.notices],
        "summary": {
            "error": summary.errors,
            "warning": summary.warnings,
            "note": summary.notes,
            "suppressed": summary.suppressed,
            "files": summary.files,
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _finding(finding: Finding, rules: dict[str, RuleDoc], root: str) -> dict[str, object]:
    rule = rules.get(finding.rule)
    return {
        "rule": finding.rule,
        "name": rule.name if rule is not None else "",
        "level": finding.level.value,
        "message": finding.message,
        "file": display_path(finding.where.file, root),
        "line": finding.where.line,
        "column": finding.where.column or 1,
        "resource": finding.where.address,
        "related": [_related(related, root) for related in finding.related],
        "suppressed": {"reason": suppression_reason(finding)} if finding.suppressed else None,
    }


def _related(related: Related, root: str) -> dict[str, object]:
    return {
        "file": display_path(related.where.file, root),
        "line": related.where.line,
        "resource": related.where.address,
        "why": related.why,
    }


def _notification(notice: Notice, root: str) -> dict[str, object]:
    return {
        "level": notice.level.value,
        "message": notice.message,
        "file": display_path(notice.file, root) if notice.file else None,
    }
