"""Apply suppressions (inline comments, CloudFormation Metadata, baseline) and report bad ones (CAL013)."""
from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Mapping, Sequence

from linter.model import Finding, Level, Model, Suppression, Where

SUPPRESSION_RULE = "CAL013"


@dataclass(frozen=True, slots=True)
class SuppressionResult:
    findings: tuple[Finding, ...]  # with `suppression` / `baselined` set, plus CAL013 findings


def apply_suppressions(findings: Sequence[Finding], model: Model, known_rules: Iterable[str],
                       selected: frozenset[str], cal013_level: Level, today: _dt.date,
                       baseline: frozenset[str] = frozenset()) -> SuppressionResult:
    known = frozenset(known_rules)
    addresses = _addresses_by_line(model)
    by_target: dict[tuple[str, int], list[Suppression]] = {}
    whole_file: dict[str, list[Suppression]] = {}
    for suppression in model.suppressions:
        if suppression.target_line == 0:
            whole_file.setdefault(suppression.where.file, []).append(suppression)
        else:
            by_target.setdefault((suppression.where.file, suppression.target_line), []).append(suppression)
    used: set[Suppression] = set()
    result: list[Finding] = []
    for finding in findings:
        match = None
        for anchor in (finding.where, *finding.anchors):
            candidates = by_target.get((anchor.file, anchor.line), []) + whole_file.get(anchor.file, [])
            match = next((s for s in candidates if finding.rule in s.rules and not _expired(s, today)), None)
            if match is not None:
                break
        if match is not None:
            used.add(match)
            finding = replace(finding, suppression=match)
        elif finding.fingerprint in baseline:
            finding = replace(finding, baselined=True)
        result.append(finding)
    if SUPPRESSION_RULE in selected:
        result.extend(_bad_suppressions(model.suppressions, used, known, selected, cal013_level, today, addresses))
    return SuppressionResult(tuple(result))


def _until(suppression: Suppression) -> _dt.date | None:
    try:
        return _dt.date.fromisoformat(suppression.until) if suppression.until else None
    except ValueError:
        return None


def _expired(suppression: Suppression, today: _dt.date) -> bool:
    until = _until(suppression)
    return until is not None and until < today


def _addresses_by_line(model: Model) -> Mapping[tuple[str, int], str]:
    index: dict[tuple[str, int], str] = {}
    elements: Iterable = (*model.security_groups, *model.node_groups, *model.pools, *model.felix, *model.calico,
                          *model.vpcs, *model.subnets)
    for element in elements:
        index.setdefault((element.where.file, element.where.line), element.where.address)
    for rule in model.sg_rules:
        index.setdefault((rule.where.file, rule.where.line), rule.where.address)
    return index


def _bad_suppressions(suppressions: Iterable[Suppression], used: set[Suppression], known: frozenset[str],
                      selected: frozenset[str], level: Level, today: _dt.date,
                      addresses: Mapping[tuple[str, int], str]) -> Iterable[Finding]:
    for suppression in suppressions:
        address = addresses.get((suppression.where.file, suppression.target_line), "")
        # located at the resource it is attached to (DESIGN §5), else at the comment itself
        where = Where(suppression.where.file, suppression.target_line, 1, address) if address else suppression.where
        names = ", ".join(suppression.rules) or "no rule"
        problems: list[str] = []
        unknown_ids = [r for r in suppression.rules if r not in known]
        if not suppression.rules:
            problems.append("names no rule")
        if unknown_ids:
            problems.append(f"names unknown rule {', '.join(unknown_ids)}")
        if not suppression.reason:
            problems.append("gives no reason")
        expired = _expired(suppression, today)
        if expired:
            problems.append(f"expired on {suppression.until}")
        elif suppression.until is not None and _until(suppression) is None:
            problems.append(f"has an invalid until= date {suppression.until!r}")
        relevant = [r for r in suppression.rules if r in selected]
        if relevant and suppression not in used and not expired:
            problems.append("suppresses nothing")
        for problem in problems:
            yield Finding(SUPPRESSION_RULE, level, f"suppression of {names} {problem}", where,
                          anchors=(where,), identity=f"{SUPPRESSION_RULE}|{address or where.file}|{names}|{problem}")


def read_baseline(text: str) -> frozenset[str]:
    data = json.loads(text)
    return frozenset(entry["fingerprint"] for entry in data.get("findings", []))


def write_baseline(findings: Iterable[Finding], relative: Callable[[str], str]) -> str:
    entries = sorted(
        ({"fingerprint": f.fingerprint, "rule": f.rule, "resource": f.where.address, "file": relative(f.where.file)}
         for f in findings if not f.suppressed and f.level is not Level.NOTE),
        key=lambda e: (e["file"], e["rule"], e["resource"], e["fingerprint"]))
    return json.dumps({"version": 1, "findings": entries}, indent=2) + "\n"

