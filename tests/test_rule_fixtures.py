"""Fixtures per rule: tests/fixtures/rules/<rule-name>/<case>/ is scanned with ONLY that rule selected.

Cross-rule cases live in tests/fixtures/rules/_cross/<case>/ and run with the rules their annotations
name. Either way a case's files carry its expected findings.

Annotations (semgrep's `# ruleid:`, pylint's functional tests), on the line above the resource or block
a finding is reported at, or at the end of that line:
    # expect: CAL003            a warning/error of this rule is reported on the next code line
    # expect: CAL003 warning    ... at exactly this level
    # expect-note: CAL001       an UNKNOWN ("could not verify") note of this rule
    # ok: CAL003                no finding of this rule on the next code line
JSON cannot hold comments: an `expected.yaml` beside it lists `{rule, file, line, level?}` entries.
Strict both ways for the rules a case runs: every finding must be expected and every expectation found.
A case in a rule's own folder may only name that rule (anything else belongs in `_cross`).
"""
from __future__ import annotations

import dataclasses
import datetime
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import pytest
import yaml

from linter.config import Config, config_from_mapping, read_config_file
from linter.engine import Rule, load_rules
from linter.model import Level, Report
from linter.scan import ScanRequest, scan

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
CROSS = "_cross"
RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
ANNOTATION = re.compile(r"(?:#|//)\s*(expect|expect-note|ok)\s*:\s*(CAL\d{3}(?:\s*,\s*CAL\d{3})*)\s*(error|warning|note)?")
COMMENT_ONLY = re.compile(r"^\s*(#|//)")
TODAY = datetime.date(2026, 12, 1)
RULES = load_rules()


@dataclass(frozen=True)
class Case:
    path: Path
    owner: str | None  # the rule id of the folder it sits in; None for a cross-rule case
    expected: Counter  # (file, line, rule, level|None) -> count
    forbidden: frozenset[tuple[str, int, str]]

    @property
    def named(self) -> frozenset[str]:
        return frozenset(rule for (_, _, rule, _) in self.expected) | {rule for (_, _, rule) in self.forbidden}

    @property
    def runs(self) -> frozenset[str]:
        return frozenset({self.owner}) if self.owner else self.named

    @property
    def label(self) -> str:
        return f"{self.path.parent.name}/{self.path.name}"


def fixture_cases(root: Path, rules: Sequence[Rule]) -> list[Case]:
    """Every case under root: <rule-name>/<case>/ or _cross/<case>/ (an unknown folder name is an error)."""
    ids = {rule.doc.name: rule.id for rule in rules}
    cases = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if folder.name != CROSS and folder.name not in ids:
            raise ValueError(f"{folder}: no rule is named {folder.name!r} (known: {sorted(ids)})")
        owner = None if folder.name == CROSS else ids[folder.name]
        for case in sorted(p for p in folder.iterdir() if p.is_dir()):
            cases.append(Case(case, owner, *annotations(case)))
    return cases


def _target_line(lines: list[str], index: int) -> int:
    if not COMMENT_ONLY.match(lines[index]):
        return index + 1
    for later in range(index + 1, len(lines)):
        if lines[later].strip() and not COMMENT_ONLY.match(lines[later]):
            return later + 1
    return index + 1


def annotations(case: Path) -> tuple[Counter, frozenset[tuple[str, int, str]]]:
    """(expected (file, line, rule, level|None) counts, forbidden (file, line, rule))."""
    expected: Counter = Counter()
    forbidden: set[tuple[str, int, str]] = set()
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
    return expected, frozenset(forbidden)


def run_case(case: Case, rules: Sequence[Rule]) -> Report:
    config = Config()
    config_file = case.path / ".calico-lint.yaml"
    if config_file.exists():
        config = config_from_mapping(read_config_file(config_file), case.path, str(config_file))
    config = dataclasses.replace(config, select=case.runs)
    request = ScanRequest((str(case.path),), config, case.path.as_posix(), TODAY)
    report, _ = scan(request, rules)
    return report


def case_problems(case: Case, rules: Sequence[Rule]) -> list[str]:
    """What is wrong with the case: findings not expected, expectations not found, stray annotations."""
    if not case.named:
        return ["the case names no rule (add `# expect:` / `# ok:` annotations)"]
    known = {rule.id for rule in rules}
    problems = [f"names unknown rule {rule}" for rule in sorted(case.named - known)]
    if case.owner is not None and case.named != {case.owner}:
        problems.append(f"names {sorted(case.named - {case.owner})} but runs only {case.owner}: move it to {CROSS}/")
    found: Counter = Counter()
    for finding in run_case(case, rules).findings:
        if finding.suppressed:
            continue
        relative = Path(finding.where.file).relative_to(case.path).as_posix()
        key = (relative, finding.where.line, finding.rule)
        level = finding.level.value
        exact = (*key, level)
        loose = (*key, None)
        if finding.unverified:
            match = exact if case.expected[exact] > found[exact] else None
        else:
            match = (exact if case.expected[exact] > found[exact]
                     else loose if case.expected[loose] > found[loose] else None)
        if match is None:
            problems.append(f"unexpected: {relative}:{finding.where.line} {finding.rule} {level}: {finding.message}")
        else:
            found[match] += 1
        if key in case.forbidden:
            problems.append(f"forbidden: {relative}:{finding.where.line} {finding.rule}: {finding.message}")
    problems += [f"missing: {f}:{line} {rule} {level or ''}".rstrip()
                 for (f, line, rule, level), n in case.expected.items() if found[(f, line, rule, level)] < n]
    return problems


def coverage_gaps(cases: Sequence[Case], rules: Sequence[Rule]) -> list[str]:
    """Rules without a failing (`expect`) or a passing (`ok`) fixture in their own folder."""
    expects = {case.owner for case in cases if case.owner and case.expected}
    oks = {case.owner for case in cases if case.owner and case.forbidden}
    gaps = [f"{rule.id}: no failing fixture in {rule.doc.name}/" for rule in rules if rule.id not in expects]
    return gaps + [f"{rule.id}: no passing fixture in {rule.doc.name}/" for rule in rules if rule.id not in oks]


CASES = fixture_cases(FIXTURES, RULES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.label)
def test_case(case: Case) -> None:
    problems = case_problems(case, RULES)
    assert not problems, "\n".join(problems)


def test_every_rule_has_failing_and_passing_fixtures() -> None:
    gaps = coverage_gaps(CASES, RULES)
    assert not gaps, "\n".join(gaps)


def test_levels_are_known() -> None:
    assert {r.doc.level for r in RULES} <= set(Level)


def test_a_folder_named_after_no_rule_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "bgp-blokced" / "case").mkdir(parents=True)
    with pytest.raises(ValueError, match="bgp-blokced"):
        fixture_cases(tmp_path, RULES)


def test_a_rule_folder_case_naming_another_rule_is_reported(tmp_path: Path) -> None:
    case = tmp_path / "bgp-blocked" / "stray"
    case.mkdir(parents=True)
    (case / "main.tf").write_text('# ok: CAL001, CAL003\nresource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n')
    [found] = fixture_cases(tmp_path, RULES)
    assert any("move it to _cross/" in p for p in case_problems(found, RULES))


# A new rule within the vocabulary: one YAML file, one fixture folder, regenerated docs; nothing in linter/.
NEW_RULE_FIXTURE = """\
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}

# ok: CAL099
resource "aws_security_group" "controllers" {
  vpc_id = aws_vpc.main.id

  ingress {
    protocol        = "tcp"
    from_port       = 2380
    to_port         = 2380
    security_groups = [aws_security_group.k8s_workers.id]
  }
}

# expect: CAL099
resource "aws_security_group" "k8s_workers" {
  vpc_id = aws_vpc.main.id
}

resource "aws_instance" "k8s_controller" {
  ami                    = "ami-1"
  subnet_id              = aws_subnet.a.id
  vpc_security_group_ids = [aws_security_group.controllers.id]
  source_dest_check      = false
  tags                   = { "kubernetes.io/cluster/demo" = "owned" }
}

resource "aws_instance" "k8s_worker" {
  ami                    = "ami-1"
  subnet_id              = aws_subnet.a.id
  vpc_security_group_ids = [aws_security_group.k8s_workers.id]
  source_dest_check      = false
  tags                   = { "kubernetes.io/cluster/demo" = "owned" }
}
"""


def _throwaway_rule() -> str:
    """CAL001 on another port: TCP 2380, which is no flow of the catalogue, so the case words it itself."""
    data = yaml.safe_load((RULES_DIR / "CAL001.yaml").read_text(encoding="utf-8"))
    data.update(id="CAL099", name="peer-port-2380-blocked", title="TCP 2380 is not allowed between nodes")
    data["check"]["require"] = {"admits": {"direction": "ingress", "protocol": "tcp", "port": 2380}}
    data["check"]["fields"] = {"flow": "etcd peering (TCP 2380)"}
    return yaml.safe_dump(data, sort_keys=False)


def test_a_new_rule_is_one_yaml_file_one_fixture_folder_and_regenerated_docs(tmp_path: Path) -> None:
    rules_dir = tmp_path / "rules"  # a temporary copy of rules/, plus the throw-away rule
    shutil.copytree(RULES_DIR, rules_dir, ignore=shutil.ignore_patterns("__pycache__"))
    (rules_dir / "CAL099.yaml").write_text(_throwaway_rule(), encoding="utf-8")
    rules = load_rules([(p.name, p.read_text(encoding="utf-8")) for p in sorted(rules_dir.glob("*.yaml"))])
    assert len(rules) == len(RULES) + 1
    fixtures = tmp_path / "fixtures"
    case = fixtures / "peer-port-2380-blocked" / "workers"
    case.mkdir(parents=True)
    (case / "main.tf").write_text(NEW_RULE_FIXTURE)
    cases = fixture_cases(fixtures, rules)
    assert [(c.owner, c.named) for c in cases] == [("CAL099", {"CAL099"})]
    assert case_problems(cases[0], rules) == []
    assert coverage_gaps(cases, [r for r in rules if r.id == "CAL099"]) == []
    # and the fixture can fail: without the controllers' rule the expectation on them is broken
    (case / "main.tf").write_text(NEW_RULE_FIXTURE.replace("2380", "2381", 2))
    assert any(p.startswith("forbidden:") for p in case_problems(fixture_cases(fixtures, rules)[0], rules))
    # regenerated docs: a page and a README row, from the YAML alone
    readme = tmp_path / "README.md"
    shutil.copy(RULES_DIR.parent / "README.md", readme)
    generated = _docs_generator().expected_files(rules, tmp_path)
    assert "peer-port-2380-blocked" in generated[tmp_path / "docs" / "rules" / "CAL099.md"]
    assert "[CAL099](docs/rules/CAL099.md)" in generated[readme]


def _docs_generator():
    import importlib.util

    spec = importlib.util.spec_from_file_location("docs_generate", RULES_DIR.parent / "docs" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
