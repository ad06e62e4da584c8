"""Every directory under tests/fixtures/cases is scanned; its files carry their expected findings.

Annotations (semgrep's `# ruleid:`, pylint's functional tests), on the line above the resource or block
a finding is reported at, or at the end of that line:
    # expect: CAL003            a warning/error of this rule is reported on the next code line
    # expect: CAL003 warning    ... at exactly this level
    # expect-note: CAL001       an UNKNOWN ("could not verify") note of this rule
    # ok: CAL003                no finding of this rule on the next code line
JSON cannot hold comments: an `expected.yaml` beside it lists `{rule, file, line, level?}` entries.
Strict both ways: every finding must be expected and every expectation must be found.
"""
from __future__ import annotations

import datetime
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from linter.config import Config, config_from_mapping, read_config_file
from linter.engine import load_rules
from linter.model import Level
from linter.scan import ScanRequest, scan

CASES = Path(__file__).parent / "fixtures" / "cases"
ANNOTATION = re.compile(r"(?:#|//)\s*(expect|expect-note|ok)\s*:\s*(CAL\d{3}(?:\s*,\s*CAL\d{3})*)\s*(error|warning|note)?")
COMMENT_ONLY = re.compile(r"^\s*(#|//)")
RULES = load_rules()


def case_dirs() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if p.is_dir())


def _target_line(lines: list[str], index: int) -> int:
    if not COMMENT_ONLY.match(lines[index]):
        return index + 1
    for later in range(index + 1, len(lines)):
        if lines[later].strip() and not COMMENT_ONLY.match(lines[later]):
            return later + 1
    return index + 1


def annotations(case: Path) -> tuple[Counter, set]:
    """(expected (file, line, rule, level|None) counts, forbidden (file, line, rule))."""
    expected: Counter = Counter()
    forbidden: set = set()
    for path in sorted(case.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(case).as_posix()
        if path.name == "expected.yaml":
            for entry in yaml.safe_load(path.read_text()) or []:
                expected[(entry["file"], entry["line"], entry["rule"], entry.get("level"))] += 1
            continue
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        for index, line in enumerate(lines):
            for match in ANNOTATION.finditer(line):
                kind, ids, level = match.groups()
                target = _target_line(lines, index)
                for rule in re.split(r"\s*,\s*", ids):
                    if kind == "ok":
                        forbidden.add((relative, target, rule))
                    else:
                        expected[(relative, target, rule, "note" if kind == "expect-note" else level)] += 1
    return expected, forbidden


def run_case(case: Path):
    config = Config()
    config_file = case / ".calico-lint.yaml"
    if config_file.exists():
        config = config_from_mapping(read_config_file(config_file), case, str(config_file))
    request = ScanRequest((str(case),), config, case.as_posix(), datetime.date(2026, 12, 1))
    report, _ = scan(request, RULES)
    return report


@pytest.mark.parametrize("case", case_dirs(), ids=lambda p: p.name)
def test_case(case: Path) -> None:
    expected, forbidden = annotations(case)
    report = run_case(case)
    found: Counter = Counter()
    unexpected = []
    for finding in report.findings:
        if finding.suppressed:
            continue
        relative = Path(finding.where.file).relative_to(case).as_posix()
        key = (relative, finding.where.line, finding.rule)
        level = finding.level.value
        exact = (*key, level)
        loose = (*key, None)
        if finding.unverified:
            match = exact if expected[exact] > found[exact] else None
        else:
            match = exact if expected[exact] > found[exact] else loose if expected[loose] > found[loose] else None
        if match is None:
            unexpected.append(f"{relative}:{finding.where.line} {finding.rule} {level}: {finding.message}")
        else:
            found[match] += 1
        assert key not in forbidden, f"forbidden finding {key}: {finding.message}"
    missing = [f"{f}:{line} {rule} {level or ''}" for (f, line, rule, level), n in expected.items() if found[(f, line, rule, level)] < n]
    assert not unexpected and not missing, f"unexpected: {unexpected}\nmissing: {missing}"


def test_every_rule_has_failing_and_passing_fixtures() -> None:
    expects: set[str] = set()
    oks: set[str] = set()
    for case in case_dirs():
        expected, forbidden = annotations(case)
        expects.update(rule for (_, _, rule, _) in expected)
        oks.update(rule for (_, _, rule) in forbidden)
    ids = {r.id for r in RULES}
    assert ids - expects == set(), f"rules without a failing fixture: {sorted(ids - expects)}"
    assert ids - oks == set(), f"rules without a passing fixture: {sorted(ids - oks)}"


def test_levels_are_known() -> None:
    assert {r.doc.level for r in RULES} <= set(Level)
