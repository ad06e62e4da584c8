"""The human report: findings grouped by file, code frames, related locations, notices, a summary."""
from __future__ import annotations

from collections import Counter
from itertools import groupby
from typing import Callable, Sequence

from linter.model import Finding, Level, Report, RuleDoc
from linter.reporters._common import (
    display_path,
    rules_by_id,
    shown_address,
    sorted_findings,
    summarize,
    summary_line,
)

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_LEVEL_COLOR = {Level.ERROR: "\x1b[1;31m", Level.WARNING: "\x1b[1;33m", Level.NOTE: "\x1b[1;36m"}


def render(
    report: Report,
    *,
    read_lines: Callable[[str], Sequence[str]] | None = None,
    color: bool = False,
    quiet: bool = False,
) -> str:
    """The text report. `read_lines(abs_path)` supplies code frames (it must not raise); quiet: findings only."""
    paint = _painter(color)
    rules = rules_by_id(report.rules)
    shown = [finding for finding in sorted_findings(report.findings) if not finding.suppressed]
    blocks: list[str] = []
    for _file, group in groupby(shown, key=lambda finding: finding.where.file):
        # one entry per finding: with code frames they are blocks, separated by a blank line
        entries = [
            "\n".join(_finding_lines(finding, report.root, rules, read_lines, paint)) for finding in group
        ]
        blocks.append(("\n\n" if read_lines is not None else "\n").join(entries))
    if quiet:
        return "\n\n".join(blocks) + "\n" if blocks else ""
    notices = [_notice_line(notice.level, notice.message, notice.file, report.root, paint)
               for notice in report.notices]
    if notices:
        blocks.append("\n".join(notices))
    blocks.append(paint(_BOLD, summary_line(summarize(report))))
    return "\n\n".join(blocks) + "\n"


def render_statistics(report: Report, *, color: bool = False) -> str:
    """`--statistics`: how many findings each rule has (and how many of them `fix` can fix), most first."""
    paint = _painter(color)
    rules = rules_by_id(report.rules)
    shown = [finding for finding in report.findings if not finding.suppressed]
    counts = Counter(finding.rule for finding in shown)
    fixable = Counter(finding.rule for finding in shown if finding.fix is not None)
    width = len(str(max(counts.values(), default=0)))
    lines = []
    for rule_id, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        rule = rules.get(rule_id)
        name = f" [{rule.name}]" if rule is not None and rule.name else ""
        fixes = f" ({fixable[rule_id]} fixable)" if fixable[rule_id] else ""
        lines.append(f"{count:>{width}}  {paint(_BOLD, rule_id)}{name}{fixes}")
    lines.append(paint(_BOLD, summary_line(summarize(report))))
    return "\n".join(lines) + "\n"


Paint = Callable[[str, str], str]


def _painter(color: bool) -> Paint:
    if color:
        return lambda code, text: f"{code}{text}{_RESET}" if text else text
    return lambda _code, text: text


def _finding_lines(
    finding: Finding,
    root: str,
    rules: dict[str, RuleDoc],
    read_lines: Callable[[str], Sequence[str]] | None,
    paint: Paint,
) -> list[str]:
    where = finding.where
    location = f"{display_path(where.file, root)}:{where.line}:{where.column}:"
    rule = rules.get(finding.rule)
    name = f" [{rule.name}]" if rule is not None and rule.name else ""
    level = paint(_LEVEL_COLOR[finding.level], f"{finding.level.value}:")
    address = shown_address(where, root)
    address = f" ({address})" if address else ""
    head = f"{paint(_BOLD, location)} {finding.rule}{name} {level} {finding.message}{paint(_DIM, address)}"
    lines = [head]
    if read_lines is not None:
        caret = paint(_LEVEL_COLOR[finding.level], "^")
        lines.extend(_code_frame(read_lines(where.file), where.line, where.column, caret))
    for related in finding.related:
        place = f"{display_path(related.where.file, root)}:{related.where.line}"
        lines.append(f"  \u21b3 {paint(_BOLD, place)}: {related.why}")
    return lines


_FRAME_WIDTH = 160  # a longer source line (a one-line plan JSON) is shown as this window around the column
_FRAME_BEFORE = 60  # characters of the window before the column


def _code_frame(source: Sequence[str], line: int, column: int, caret: str) -> list[str]:
    """The line with its neighbours and a caret under `column`; nothing when the line is missing."""
    if not 1 <= line <= len(source):
        return []
    first, last = max(1, line - 1), min(len(source), line + 1)
    width = len(str(last))
    start = max(column - 1 - _FRAME_BEFORE, 0) if len(source[line - 1]) > _FRAME_WIDTH else 0
    frame: list[str] = []
    for number in range(first, last + 1):
        text = _window(source[number - 1].rstrip("\r\n"), start)
        marker = ">" if number == line else " "
        frame.append(f"  {marker} {number:>{width}} | {text}".rstrip())
        if number == line:
            # keep tabs from the source so the caret lines up however tabs are shown
            shift = 1 if start else 0  # the window's leading ellipsis
            lead = "".join(ch if ch == "\t" else " " for ch in text[: max(column - 1 - start + shift, 0)])
            frame.append(f"    {'':>{width}} | {lead}{caret}")
    return frame


def _window(text: str, start: int) -> str:
    """At most _FRAME_WIDTH characters of `text` from `start`, an ellipsis where it is cut."""
    if len(text) <= _FRAME_WIDTH and not start:
        return text
    cut = text[start:start + _FRAME_WIDTH]
    return ("\u2026" if start else "") + cut + ("\u2026" if start + _FRAME_WIDTH < len(text) else "")


def _notice_line(level: Level, message: str, file: str | None, root: str, paint: Paint) -> str:
    where = f" ({display_path(file, root)})" if file else ""
    return f"{paint(_LEVEL_COLOR[level], level.value + ':')} {message}{where}"
