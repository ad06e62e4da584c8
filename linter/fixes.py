"""The mechanical fixes applied to the files' text: insertions (and whole-line deletions) only, so the
rest of each file, its formatting and comments, stays as it was. Pure: the CLI reads and writes.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from linter.model import Finding, Fix


@dataclass(frozen=True, slots=True)
class FileFix:
    """One file's text before and after its fixes."""

    file: str
    before: str
    after: str
    fixed: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class FixPlan:
    files: tuple[FileFix, ...]
    not_fixed: tuple[tuple[Finding, str], ...]  # (finding, why it was not fixed)

    @property
    def fixed(self) -> tuple[Finding, ...]:
        return tuple(finding for file in self.files for finding in file.fixed)


def plan_fixes(findings: Iterable[Finding], read_text: Callable[[str], str | None],
               can_write: Callable[[str], str | None]) -> FixPlan:
    """Every active finding's fix, grouped by file. `read_text(file)` gives the file's text (None: it
    cannot be read); `can_write(file)` says why a file may not be changed (None: it may)."""
    by_file: dict[str, list[Finding]] = {}
    not_fixed: list[tuple[Finding, str]] = []
    for finding in findings:
        if finding.suppressed:
            continue
        if finding.fix is None:
            not_fixed.append((finding, "no mechanical fix"))
        else:
            by_file.setdefault(finding.fix.where.file, []).append(finding)
    files: list[FileFix] = []
    for file in sorted(by_file):
        refusal = can_write(file)
        text = read_text(file) if refusal is None else None
        if text is None:
            not_fixed.extend((finding, refusal or "the file cannot be read") for finding in by_file[file])
            continue
        after, applied, skipped = apply_fixes(text, by_file[file])
        not_fixed.extend(skipped)
        if applied:
            files.append(FileFix(file, text, after, tuple(applied)))
    return FixPlan(tuple(files), tuple(not_fixed))


def apply_fixes(text: str, findings: Sequence[Finding]) -> tuple[str, list[Finding], list[tuple[Finding, str]]]:
    """`text` with the findings' fixes applied: (new text, findings fixed, (finding, why) not fixed).
    Edits go in from the bottom up so earlier positions stay valid; the same edit twice is made once."""
    lines = _lines(text)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    if text and not text.endswith("\n") and any(f.fix is not None and f.fix.where.line > len(lines) for f in findings):
        text += newline  # something goes after the last line: end it first
        lines = _lines(text)
    edits: dict[tuple[int, int, str], list[Finding]] = {}
    skipped: list[tuple[Finding, str]] = []
    for finding in findings:
        fix = finding.fix
        assert fix is not None
        span = _span(lines, fix)
        if span is None:
            skipped.append((finding, f"line {fix.where.line} is not in the file (it changed since the scan?)"))
            continue
        edits.setdefault((*span, fix.replacement), []).append(finding)
    # bottom up; at one position the last edit first, so that insertions keep the findings' order
    ordered = sorted(((start, end, order, replacement, owners) for order, ((start, end, replacement), owners)
                      in enumerate(edits.items())), key=lambda edit: edit[:3], reverse=True)
    applied: list[Finding] = []
    result = text
    floor = len(text)  # edits must not overlap: each ends at or before the start of the one below it
    for start, end, _order, replacement, owners in ordered:
        if end > floor:
            skipped.extend((finding, "overlaps another fix") for finding in owners)
            continue
        inserted = replacement.replace("\r\n", "\n").replace("\n", newline)
        result = result[:start] + inserted + result[end:]
        floor = start
        applied.extend(owners)
    return result, applied, skipped


def _lines(text: str) -> list[str]:
    """Lines as the parsers count them (only \\n ends a line; str.splitlines also splits on \\f, \\u2028...)."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _span(lines: Sequence[str], fix: Fix) -> tuple[int, int] | None:
    """The (start, end) offsets a fix replaces: an insertion point, or whole lines from `line`."""
    line, column = fix.where.line, max(fix.where.column, 1)
    if not 1 <= line <= len(lines) + 1:
        return None
    start = sum(len(text) for text in lines[: line - 1])
    if fix.delete_lines > 0:
        if line + fix.delete_lines - 1 > len(lines):
            return None
        return start, start + sum(len(text) for text in lines[line - 1: line - 1 + fix.delete_lines])
    current = lines[line - 1] if line <= len(lines) else ""
    if column - 1 > len(current.rstrip("\r\n")):
        return None
    if line == 1 and current.startswith("\ufeff"):
        column += 1  # after the byte-order mark
    return start + column - 1, start + column - 1


def unified_diff(plan: FixPlan, shown: Callable[[str], str]) -> str:
    """`--diff`: what the fixes would change, one unified diff per file (paths as `shown` names them)."""
    parts: list[str] = []
    for file in plan.files:
        name = shown(file.file)
        parts.extend(difflib.unified_diff(_lines(file.before), _lines(file.after),
                                          f"a/{name}", f"b/{name}"))
    return "".join(part if part.endswith("\n") else part + "\n\\ No newline at end of file\n" for part in parts)
