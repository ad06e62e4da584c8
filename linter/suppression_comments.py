"""Inline suppression comments, one grammar for every format:

    # calico-lint: ignore[CAL001,CAL002] reason text
    // calico-lint: ignore[CAL003] reason text until=2027-01-31

A comment on its own line applies to the next line that is not blank and not a comment (the first line
of the resource or block below it); a comment after code applies to its own line.
"""
from __future__ import annotations

import re

from linter.model import Suppression, Where

_MARKER = re.compile(
    # `#` or `//` comments; in Terraform's JSON syntax the comment key: "//": "calico-lint: ignore[...] ..."
    r"(?:#|//|\"//\"\s*:\s*\")\s*calico-lint\s*:\s*ignore\s*\[(?P<rules>[^\]]*)\]"
    r"(?P<rest>[^\n]*)$"
)
_JSON_TAIL = re.compile(r'"\s*,?\s*$')
_UNTIL = re.compile(r"\buntil=(\d{4}-\d{2}-\d{2})\b")
_COMMENT_ONLY = re.compile(r'^\s*(#|//|/\*|\*|"//"\s*:)')


def scan_comment_suppressions(text: str, file: str) -> tuple[Suppression, ...]:
    """Every `calico-lint: ignore[...]` comment in text, with the line it applies to."""
    if "calico-lint" not in text:
        return ()
    lines = text.splitlines()
    found: list[Suppression] = []
    for index, line in enumerate(lines):
        if "calico-lint" not in line:
            continue
        match = _MARKER.search(line)
        if match is None:
            continue
        rules = tuple(r.strip().upper() for r in match.group("rules").split(",") if r.strip())
        rest = _JSON_TAIL.sub("", match.group("rest")) if match.group(0).startswith('"//"') else match.group("rest")
        until_match = _UNTIL.search(rest)
        until = until_match.group(1) if until_match else None
        reason = _UNTIL.sub("", rest).strip(" \t-:")
        before = line[: match.start()].strip()
        target = index + 1 if before else _next_code_line(lines, index + 1)
        found.append(
            Suppression(rules=rules, reason=reason, where=Where(file, index + 1, match.start() + 1),
                        target_line=target, until=until)
        )
    return tuple(found)


def _next_code_line(lines: list[str], start: int) -> int:
    """1-based number of the first line at or after 0-based `start` that holds code."""
    for index in range(start, len(lines)):
        if lines[index].strip() and not _COMMENT_ONLY.match(lines[index]):
            return index + 1
    return start + 1
