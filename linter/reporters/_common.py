"""What every reporter shares: display paths, the one finding order, the summary counts."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from linter.model import (  # noqa: F401 (re-exported)
    Finding,
    Level,
    Report,
    RuleDoc,
    Where,
    display_path,
    inside_root,
)

TOOL_NAME = "calico-lint"
INFORMATION_URI = "https://github.com/calico-lint/calico-lint"
HELP_URI = INFORMATION_URI + "/blob/main/docs/rules/{id}.md"
FINGERPRINT_KEY = "calicoLint/v1"


def shown_address(where: Where, root: str) -> str:
    """The resource address worth printing beside a location (not when it only repeats the path)."""
    return "" if where.address == display_path(where.file, root) else where.address


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda finding: finding.order)


def rules_by_id(rules: Sequence[RuleDoc]) -> dict[str, RuleDoc]:
    return {rule.id: rule for rule in rules}


def suppression_reason(finding: Finding) -> str:
    """The reason a suppressed finding is suppressed (empty when it is not suppressed)."""
    if finding.suppression is not None:
        return finding.suppression.reason
    return "baseline" if finding.baselined else ""


@dataclass(frozen=True, slots=True)
class Summary:
    errors: int
    warnings: int
    notes: int
    suppressed: int
    files: int

    def count(self, level: Level) -> int:
        return {Level.ERROR: self.errors, Level.WARNING: self.warnings, Level.NOTE: self.notes}[level]


def summarize(report: Report) -> Summary:
    active = [finding.level for finding in report.findings if not finding.suppressed]
    return Summary(
        errors=active.count(Level.ERROR),
        warnings=active.count(Level.WARNING),
        notes=active.count(Level.NOTE),
        suppressed=sum(1 for finding in report.findings if finding.suppressed),
        files=len(set(report.files)),
    )


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def summary_line(summary: Summary) -> str:
    """`3 errors, 1 warning, 2 notes in 14 files (1 suppressed)` / `No problems found in 14 files.`"""
    files = plural(summary.files, "file")
    suppressed = f" ({summary.suppressed} suppressed)" if summary.suppressed else ""
    parts = [
        plural(n, word)
        for n, word in ((summary.errors, "error"), (summary.warnings, "warning"), (summary.notes, "note"))
        if n
    ]
    if not parts:
        return f"No problems found in {files}{suppressed}."
    return f"{', '.join(parts)} in {files}{suppressed}"
