"""SARIF 2.1.0 that GitHub code scanning accepts as is (OASIS schema + SARIF Multitool "Gh;Sarif" clean)."""
from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass, replace
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


@dataclass(frozen=True, slots=True)
class Limits:
    """GitHub code scanning's documented maxima: over one, the whole upload is rejected or the field
    cut (docs.github.com, code-security/code-scanning/integrating-with-code-scanning/
    sarif-support-for-code-scanning: "SARIF data | Maximum values", and the reportingDescriptor table).
    Rules per run (25,000) needs no cut: the rules are ours, one file each."""

    results_per_run: int = 25_000
    locations_per_result: int = 1_000  # relatedLocations: a result's one location plus its related ones
    tags_per_rule: int = 20
    rule_name: int = 255
    description: int = 1_024  # shortDescription.text, fullDescription.text


GITHUB = Limits()


def render(
    report: Report,
    *,
    read_lines: Callable[[str], Sequence[str]] | None = None,
    color: bool = False,
    quiet: bool = False,
) -> str:
    return render_within(report, GITHUB)


def render_within(report: Report, limits: Limits) -> str:
    """The SARIF log, cut to `limits`; what was cut is said in a toolExecutionNotification."""
    rules = _rules_that_ran(report)
    index = {rule.id: position for position, rule in enumerate(rules)}
    findings = _kept_findings(report.findings, limits)
    run: Json = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "informationUri": INFORMATION_URI,
                "semanticVersion": report.tool_version,
                "rules": [_rule(rule, limits) for rule in rules],
            }
        },
        "invocations": [_invocation(report, index.get(PARSE_RULE), cuts(report, limits))],
    }
    if report.root:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": _directory_uri(report.root)}}
    run["results"] = [_result(f, index[f.rule], report.root) for f in findings]
    run["columnKind"] = "unicodeCodePoints"
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------------------------------ limits


def cuts(report: Report, limits: Limits | None = None) -> tuple[str, ...]:
    """What the SARIF log leaves out to stay within `limits` (GitHub's), one sentence each (none: nothing cut)."""
    limits = limits or GITHUB
    said: list[str] = []
    total = len(report.findings)
    if total > limits.results_per_run:
        said.append(f"{total - limits.results_per_run} of {total} results were left out: GitHub code scanning "
                    f"rejects more than {limits.results_per_run:,} per run (the most severe are kept)")
    related = limits.locations_per_result - 1
    crowded = sum(1 for f in report.findings if len(f.related) > related)
    if crowded:
        said.append(f"{crowded} result(s) had more than {related:,} related locations: the rest were left out "
                    f"(GitHub code scanning rejects more than {limits.locations_per_result:,} locations per result)")
    for rule in _rules_that_ran(report):
        if len(_tags(rule)) > limits.tags_per_rule:
            said.append(f"rule {rule.id}: tags cut to {limits.tags_per_rule} (GitHub's maximum)")
        if len(rule.name) > limits.rule_name:
            said.append(f"rule {rule.id}: name cut to {limits.rule_name} characters (GitHub's maximum)")
        if any(len(_sentence(text)) > limits.description for text in (rule.title, rule.what)):
            said.append(f"rule {rule.id}: description cut to {limits.description:,} characters (GitHub's maximum)")
    return tuple(said)


def _kept_findings(findings: Sequence[Finding], limits: Limits) -> list[Finding]:
    """The most severe results when there are too many (active before suppressed), each with at most
    as many related locations as GitHub takes; in the usual order."""
    ordered = sorted_findings(findings)
    if len(ordered) > limits.results_per_run:
        ranked = sorted(ordered, key=lambda f: (f.suppressed, -f.level.rank))  # stable: keeps the order within
        kept = set(map(id, ranked[: limits.results_per_run]))
        ordered = [f for f in ordered if id(f) in kept]
    related = limits.locations_per_result - 1
    return [replace(f, related=f.related[:related]) if len(f.related) > related else f for f in ordered]


def _tags(rule: RuleDoc) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*rule.tags, "security")))


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "\u2026"


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


def _rule(rule: RuleDoc, limits: Limits) -> Json:
    tags = list(_tags(rule)[: limits.tags_per_rule])
    return {
        "id": rule.id,
        "name": _clip(rule.name, limits.rule_name),
        "shortDescription": {"text": _clip(_sentence(rule.title), limits.description)},
        "fullDescription": {"text": _clip(_sentence(rule.what), limits.description)},
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


def _invocation(report: Report, parse_rule_index: int | None, cut: Sequence[str]) -> Json:
    return {
        "executionSuccessful": True,
        "toolConfigurationNotifications": [_notice(notice, report.root) for notice in report.notices],
        "toolExecutionNotifications": [
            _problem(problem, report.root, parse_rule_index) for problem in _sorted_problems(report)
        ] + [{"level": "warning", "message": {"text": _sentence(f"Output cut: {what}")}} for what in cut],
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
