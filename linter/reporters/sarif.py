"""SARIF 2.1.0 that GitHub code scanning accepts as is (OASIS schema + SARIF Multitool "Gh;Sarif" clean)."""
from __future__ import annotations

import json
import posixpath
from typing import Callable, Sequence
from urllib.parse import quote

from linter.reporters.rule_docs import rule_page_markdown, rule_page_text
from linter.model import Finding, Fix, Level, Notice, ParseProblem, Related, Report, RuleDoc, Where
from linter.reporters._common import (
    FINGERPRINT_KEY,
    HELP_URI,
    INFORMATION_URI,
    TOOL_NAME,
    display_path,
    inside_root,
    sorted_findings,
)

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
PARSE_RULE = "CAL000"
_PROBLEM_SEVERITY = {Level.ERROR: "error", Level.WARNING: "warning", Level.NOTE: "recommendation"}

Json = dict[str, object]


def render(
    report: Report,
    *,
    read_lines: Callable[[str], Sequence[str]] | None = None,
    color: bool = False,
    quiet: bool = False,
) -> str:
    rules = _rules_that_ran(report)
    index = {rule.id: position for position, rule in enumerate(rules)}
    run: Json = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "informationUri": INFORMATION_URI,
                "semanticVersion": report.tool_version,
                "rules": [_rule(rule) for rule in rules],
            }
        },
        "invocations": [_invocation(report, index.get(PARSE_RULE))],
    }
    if report.root:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": _directory_uri(report.root)}}
    run["results"] = [_result(f, index[f.rule], report.root) for f in sorted_findings(report.findings)]
    run["columnKind"] = "unicodeCodePoints"
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------------------------------ rules


def _rules_that_ran(report: Report) -> list[RuleDoc]:
    """report.rules in id order, plus a bare descriptor for any rule a finding names but no file declared."""
    known = {rule.id: rule for rule in report.rules}
    for finding in report.findings:
        if finding.rule not in known:
            known[finding.rule] = RuleDoc(
                id=finding.rule, name=finding.rule.lower(), level=finding.level, title=finding.rule,
                message="", what=finding.rule, why="", fix="",
            )
    return [known[rule_id] for rule_id in sorted(known)]


def _rule(rule: RuleDoc) -> Json:
    tags = list(dict.fromkeys((*rule.tags, "security")))
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": _sentence(rule.title)},
        "fullDescription": {"text": _sentence(rule.what)},
        "help": {"text": rule_page_text(rule), "markdown": rule_page_markdown(rule)},
        "helpUri": HELP_URI.format(id=rule.id),
        "defaultConfiguration": {"level": rule.level.value},
        "properties": {
            "tags": tags,
            "precision": "high",
            "problem.severity": _PROBLEM_SEVERITY[rule.level],
            "security-severity": f"{rule.security_severity:.1f}",
        },
    }


# ------------------------------------------------------------------------------------------ results


def _result(finding: Finding, rule_index: int, root: str) -> Json:
    result: Json = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": finding.level.value,
        "message": {"text": _sentence(finding.message)},
        "locations": [_location(finding.where, root)],
    }
    if finding.related:
        result["relatedLocations"] = [
            _related(related, number, root) for number, related in enumerate(finding.related, start=1)
        ]
    result["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    if finding.fix is not None:
        result["fixes"] = [_fix(finding.fix, root)]
    if finding.suppressed:
        result["suppressions"] = [_suppression(finding)]
    return result


def _location(where: Where, root: str) -> Json:
    location: Json = {"physicalLocation": _physical(where, root)}
    if where.address:
        location["logicalLocations"] = [
            {"name": _short_name(where.address), "fullyQualifiedName": where.address, "kind": "resource"}
        ]
    return location


def _related(related: Related, number: int, root: str) -> Json:
    location: Json = {"id": number, **_location(related.where, root)}
    location["message"] = {"text": _sentence(related.why)}
    return location


def _physical(where: Where, root: str) -> Json:
    return {
        "artifactLocation": _artifact(where.file, root),
        "region": {"startLine": max(where.line, 1), "startColumn": max(where.column, 1)},
    }


def _fix(fix: Fix, root: str) -> Json:
    line, column = max(fix.where.line, 1), max(fix.where.column, 1)
    if fix.delete_lines > 0:  # whole lines out, from the start of `line`
        deleted = {"startLine": line, "startColumn": 1, "endLine": line + fix.delete_lines, "endColumn": 1}
    else:  # an insertion point: an empty region
        deleted = {"startLine": line, "startColumn": column, "endLine": line, "endColumn": column}
    replacement: Json = {"deletedRegion": deleted}
    if fix.replacement:
        replacement["insertedContent"] = {"text": fix.replacement}
    return {
        "description": {"text": _sentence(fix.description)},
        "artifactChanges": [
            {"artifactLocation": _artifact(fix.where.file, root), "replacements": [replacement]}
        ],
    }


def _suppression(finding: Finding) -> Json:
    if finding.suppression is not None:
        suppression: Json = {"kind": "inSource"}
        if finding.suppression.reason:
            suppression["justification"] = finding.suppression.reason
        return suppression
    return {"kind": "external", "justification": "baseline"}


def _short_name(address: str) -> str:
    """The unqualified name: `aws_instance.node` -> `node`; `IPPool/default` stays whole."""
    if "/" in address:
        return address
    return address.rsplit(".", 1)[-1]


# ------------------------------------------------------------------------------------------ invocation


def _invocation(report: Report, parse_rule_index: int | None) -> Json:
    return {
        "executionSuccessful": True,
        "toolConfigurationNotifications": [_notice(notice, report.root) for notice in report.notices],
        "toolExecutionNotifications": [
            _problem(problem, report.root, parse_rule_index) for problem in _sorted_problems(report)
        ],
    }


def _sorted_problems(report: Report) -> list[ParseProblem]:
    return sorted(report.problems, key=lambda p: (p.where.file, p.where.line, p.where.column, p.message))


def _notice(notice: Notice, root: str) -> Json:
    notification: Json = {"level": notice.level.value, "message": {"text": _sentence(notice.message)}}
    if notice.file:
        notification["locations"] = [{"physicalLocation": {"artifactLocation": _artifact(notice.file, root)}}]
    return notification


def _problem(problem: ParseProblem, root: str, parse_rule_index: int | None) -> Json:
    notification: Json = {
        "level": problem.level.value,
        "message": {"text": _sentence(problem.message)},
        "locations": [{"physicalLocation": _physical(problem.where, root)}],
    }
    if parse_rule_index is not None:
        notification["associatedRule"] = {"id": PARSE_RULE, "index": parse_rule_index}
    return notification


# ------------------------------------------------------------------------------------------ URIs and text


def _artifact(file: str, root: str) -> Json:
    """Repo-relative URI against %SRCROOT%, or an absolute file:// URI for a file outside the root."""
    if inside_root(file, root):
        return {"uri": quote(display_path(file, root), safe="/"), "uriBaseId": SRCROOT}
    if posixpath.isabs(file):
        return {"uri": "file://" + quote(posixpath.normpath(file), safe="/")}
    return {"uri": quote(file, safe="/")}


def _directory_uri(root: str) -> str:
    path = posixpath.normpath(root)
    return "file://" + quote(path if path.endswith("/") else path + "/", safe="/")


def _sentence(text: str) -> str:
    """SARIF messages are sentences (Multitool SARIF2001): end them with a period."""
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else text + "."
