"""JUnit XML: one test case per rule and resource, for CI systems that show test reports."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Callable, Sequence

from linter.model import Finding, Report
from linter.reporters._common import TOOL_NAME, display_path, sorted_findings, suppression_reason


def render(
    report: Report,
    *,
    read_lines: Callable[[str], Sequence[str]] | None = None,
    color: bool = False,
    quiet: bool = False,
) -> str:
    cases = [_testcase(group, report.root) for group in _by_rule_and_resource(report.findings)]
    failures = sum(1 for case in cases if case.find("failure") is not None)
    suite = ET.Element("testsuite", {
        "name": TOOL_NAME,
        "tests": str(len(cases)),
        "failures": str(failures),
        "errors": "0",
        "skipped": str(len(cases) - failures),
    })
    suite.extend(cases)
    ET.indent(suite, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"


def _by_rule_and_resource(findings: Sequence[Finding]) -> list[list[Finding]]:
    """Findings grouped by (rule, resource), in the order of each group's first finding."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for finding in sorted_findings(findings):
        groups.setdefault((finding.rule, finding.where.address or finding.where.file), []).append(finding)
    return list(groups.values())


def _testcase(group: list[Finding], root: str) -> ET.Element:
    first = group[0]
    path = display_path(first.where.file, root)
    resource = first.where.address or path
    name = f"{resource} ({path}:{first.where.line})"
    case = ET.Element("testcase", {"classname": first.rule, "name": name})
    active = sorted((f for f in group if not f.suppressed), key=lambda f: -f.level.rank)
    if active:
        worst = active[0]
        failure = ET.SubElement(case, "failure", {"message": worst.message, "type": worst.level.value})
        failure.text = "\n".join(_describe(finding, root) for finding in active)
    else:
        reasons = "; ".join(dict.fromkeys(suppression_reason(f) for f in group))
        ET.SubElement(case, "skipped", {"message": f"suppressed: {reasons}"})
    return case


def _describe(finding: Finding, root: str) -> str:
    where = finding.where
    lines = [
        f"{finding.level.value}: {finding.message}",
        f"  at {display_path(where.file, root)}:{where.line}:{where.column}"
        + (f" ({where.address})" if where.address else ""),
    ]
    for related in finding.related:
        place = f"{display_path(related.where.file, root)}:{related.where.line}"
        address = f" ({related.where.address})" if related.where.address else ""
        lines.append(f"  \u21b3 {place}{address}: {related.why}")
    return "\n".join(lines)
