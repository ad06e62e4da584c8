"""GitLab Code Quality (a subset of Code Climate's issue format): the merge request widget's findings.

https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format: an array of issues with
description, check_name, fingerprint, severity and location.path / location.lines.begin.
"""
from __future__ import annotations

import hashlib
import json
from typing import Callable, Sequence

from linter.model import Finding, Level, Report, RuleDoc
from linter.reporters._common import display_path, rules_by_id, shown_address, sorted_findings

# GitLab's scale is info, minor, major, critical, blocker; an unverified note is information
_SEVERITY = {Level.ERROR: "critical", Level.WARNING: "major", Level.NOTE: "info"}


def render(
    report: Report,
    *,
    read_lines: Callable[[str], Sequence[str]] | None = None,
    color: bool = False,
    quiet: bool = False,
) -> str:
    rules = rules_by_id(report.rules)
    issues = []
    seen: dict[str, int] = {}
    for finding in sorted_findings(report.findings):
        if finding.suppressed:
            continue
        # GitLab shows one issue per fingerprint: a repeat gets its own, still independent of lines
        repeat = seen[finding.fingerprint] = seen.get(finding.fingerprint, -1) + 1
        issues.append(_issue(finding, rules, report.root, repeat))
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


def _issue(finding: Finding, rules: dict[str, RuleDoc], root: str, repeat: int) -> dict[str, object]:
    rule = rules.get(finding.rule)
    name = f" [{rule.name}]" if rule is not None and rule.name else ""
    address = shown_address(finding.where, root)
    fingerprint = finding.fingerprint if not repeat else hashlib.sha256(
        f"{finding.fingerprint}\x00{repeat}".encode("utf-8")).hexdigest()
    return {
        "description": f"{finding.rule}{name}: {finding.message}" + (f" ({address})" if address else ""),
        "check_name": finding.rule,
        "fingerprint": fingerprint,
        "severity": _SEVERITY[finding.level],
        "location": {"path": display_path(finding.where.file, root), "lines": {"begin": max(finding.where.line, 1)}},
    }
