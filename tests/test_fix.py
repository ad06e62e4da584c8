"""`calico-lint fix`, `scan --fix` and `--diff`: the mechanical fixes written into the files."""
from __future__ import annotations

import datetime
import difflib
import json
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from linter.cli import cli
from linter.config import Config
from linter.engine import load_rules
from linter.fixes import apply_fixes, plan_fixes, unified_diff
from linter.model import Finding, Fix, Level, Report, Where
from linter.scan import ScanRequest, scan

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLE = REPO / "examples" / "terraform-cluster"
RULES = load_rules()


def _finding(line: int, text: str, column: int = 1, delete: int = 0, name: str = "f") -> Finding:
    return Finding("CAL003", Level.ERROR, name, Where("/r/main.tf", line, column, name),
                   fix=Fix("d", Where("/r/main.tf", line, column), text, delete))


# ------------------------------------------------------------------------------------------ text edits


def test_insertions_go_before_their_line_bottom_up_in_the_findings_order() -> None:
    text = "a {\n}\nb {\n}\n"
    after, fixed, skipped = apply_fixes(text, [_finding(2, "  x\n", name="1"), _finding(4, "  z\n"),
                                               _finding(2, "  y\n", name="2")])
    assert after == "a {\n  x\n  y\n}\nb {\n  z\n}\n"
    assert len(fixed) == 3 and skipped == []


def test_line_endings_bom_and_a_missing_final_newline_are_kept() -> None:
    assert apply_fixes("a\r\nb\r\n", [_finding(2, "x\n")])[0] == "a\r\nx\r\nb\r\n"
    assert apply_fixes("\ufeffa\n", [_finding(1, "x\n")])[0] == "\ufeffx\na\n"
    assert apply_fixes("a {\n}", [_finding(3, "b\n")])[0] == "a {\n}\nb\n"
    assert apply_fixes("a\fb\nc\n", [_finding(2, "x\n")])[0] == "a\fb\nx\nc\n"  # only \n ends a line


def test_the_same_edit_twice_is_made_once_and_overlaps_are_refused() -> None:
    after, fixed, _ = apply_fixes("a\nb\n", [_finding(2, "x\n", name="1"), _finding(2, "x\n", name="2")])
    assert after == "a\nx\nb\n" and len(fixed) == 2
    after, fixed, skipped = apply_fixes("a\nb\nc\n", [_finding(1, "", delete=2, name="out"), _finding(2, "y\n", name="in")])
    assert after == "a\ny\nb\nc\n" and [f.message for f in fixed] == ["in"]  # the lower edit goes in first
    assert [(f.message, why) for f, why in skipped] == [("out", "overlaps another fix")]
    assert apply_fixes("a\nb\nc\n", [_finding(1, "", delete=2)])[0] == "c\n"


def test_a_line_that_is_not_there_is_not_fixed() -> None:
    after, fixed, skipped = apply_fixes("a\n", [_finding(5, "x\n"), _finding(1, "x", column=9)])
    assert after == "a\n" and fixed == [] and len(skipped) == 2


def test_plan_lists_what_it_cannot_fix() -> None:
    unfixable = Finding("CAL004", Level.ERROR, "no fix here", Where("/r/pool.yaml", 1, 1))
    elsewhere = Finding("CAL003", Level.ERROR, "x", Where("/elsewhere/main.tf", 1, 1),
                        fix=Fix("d", Where("/elsewhere/main.tf", 1, 1), "x\n"))
    plan = plan_fixes([_finding(1, "x\n"), unfixable, elsewhere], lambda f: "a\n",
                      lambda f: None if f.startswith("/r/") else "outside")
    assert [f.file for f in plan.files] == ["/r/main.tf"]
    assert [(f.rule, why) for f, why in plan.not_fixed] == [("CAL004", "no mechanical fix"), ("CAL003", "outside")]
    assert unified_diff(plan, lambda f: f.removeprefix("/r/")) == "--- a/main.tf\n+++ b/main.tf\n@@ -1 +1,2 @@\n+x\n a\n"


# ------------------------------------------------------------------------------------------ every fixture


def case_roots(root: Path) -> list[Path]:
    """The shallowest directories under `root` that hold files: each is one scan (its subfolders with it)."""
    found: list[Path] = []
    for directory in sorted(p for p in root.rglob("*") if p.is_dir()):
        if any(child.is_file() for child in directory.iterdir()) and not any(r in directory.parents for r in found):
            found.append(directory)
    return found


def _scan(path: Path) -> Report:
    request = ScanRequest((str(path),), Config(), path.as_posix(), datetime.date(2026, 12, 1))
    return scan(request, RULES)[0]


def _read(path: str) -> str | None:
    return Path(path).read_text(encoding="utf-8")


@pytest.mark.parametrize("case", case_roots(FIXTURES), ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_every_fixtures_fixes_apply_and_their_findings_go(case: Path, tmp_path: Path) -> None:
    copy = tmp_path / case.name
    shutil.copytree(case, copy)
    before = _scan(copy)
    plan = plan_fixes(before.findings, _read, lambda f: None)
    if not plan.files:
        return
    for file in plan.files:
        changed = [line for line in difflib.ndiff(file.before.split("\n"), file.after.split("\n")) if line[:1] in "-+"]
        assert all(line.startswith("+") for line in changed), f"{file.file}: a fix changed existing lines"
        Path(file.file).write_text(file.after, encoding="utf-8")
    after = _scan(copy)
    left = {f.fingerprint for f in after.findings if not f.suppressed}
    assert [f"{f.rule} {f.where.address}" for f in plan.fixed if f.fingerprint in left] == []
    parse_errors = Counter(f.where.file for f in after.findings if f.rule == "CAL000")
    assert parse_errors == Counter(f.where.file for f in before.findings if f.rule == "CAL000")
    assert plan_fixes(after.findings, _read, lambda f: None).files == ()  # idempotent: nothing left to do


def test_the_fixtures_have_fixes_in_hcl_yaml_and_json() -> None:
    """So that the test above applies each kind of fix at least once."""
    kinds = {Path(file.file).suffix for case in case_roots(FIXTURES)
             for file in plan_fixes(_scan(case).findings, _read, lambda f: None).files}
    assert {".tf", ".yaml", ".json"} <= kinds, kinds


# ------------------------------------------------------------------------------------------ the CLI


@pytest.fixture
def infra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    shutil.copytree(EXAMPLE, tmp_path / "infra")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "infra"


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), env={"NO_COLOR": "1"}, catch_exceptions=False)


def test_diff_changes_nothing_and_fails_when_there_is_something_to_fix(infra: Path) -> None:
    before = (infra / "main.tf").read_text()
    result = invoke("scan", "infra", "--diff")
    assert result.exit_code == 1
    assert result.stdout.startswith("--- a/infra/main.tf\n+++ b/infra/main.tf\n")
    assert "+  source_dest_check = false" in result.stdout and "not fixed:" in result.stderr
    assert (infra / "main.tf").read_text() == before


def test_scan_fix_writes_the_fixes_and_reports_what_is_left(infra: Path) -> None:
    (infra / "main.tf").chmod(0o640)
    sarif = json.loads(invoke("scan", "infra", "--format", "sarif").stdout)["runs"][0]["results"]
    fixable = {(r["ruleId"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]) for r in sarif if "fixes" in r}
    assert len(fixable) == 2
    result = invoke("scan", "infra", "--fix", "--format", "json")
    remaining = {(f["rule"], f["resource"]) for f in json.loads(result.stdout)["findings"]}
    assert not fixable & remaining and remaining
    assert "calico-lint: fixed 2 findings in 1 file" in result.stderr
    assert "source_dest_check = false" in (infra / "main.tf").read_text()
    assert (infra / "main.tf").stat().st_mode & 0o777 == 0o640
    assert invoke("scan", "infra", "--diff").stdout == ""  # idempotent


def test_fix_command_lists_what_it_fixed_and_what_it_cannot(infra: Path) -> None:
    result = invoke("fix", "infra")
    assert result.exit_code == 1  # CAL004 and others have no mechanical fix
    lines = result.stdout.splitlines()
    assert {line.split(": ")[2].split()[0] for line in lines if line.startswith("fixed:")} == {"CAL001", "CAL003"}
    assert any(line.startswith("not fixed: infra/calico.yaml:2: CAL004") for line in lines)
    assert lines[-1] == "Fixed 2 findings; 4 left."
    again = invoke("fix", "infra", "--select", "CAL003")
    assert again.exit_code == 0 and again.stdout == "Fixed 0 findings; 0 left.\n"


def test_fix_leaves_symbolic_links_alone(infra: Path, tmp_path: Path) -> None:
    # a link inside the repository (one out of it is not even read: tests/test_hostile_input.py)
    target = tmp_path / "shared" / "main.tf"
    target.parent.mkdir()
    shutil.move(infra / "main.tf", target)
    os.symlink(target, infra / "main.tf")
    before = target.read_text()
    result = invoke("fix", "infra", "--select", "CAL003")
    assert "a symbolic link: not changed" in result.stdout and target.read_text() == before
    outside = tmp_path.parent / f"{tmp_path.name}-outside.tf"
    shutil.move(target, outside)
    os.unlink(infra / "main.tf")
    os.symlink(outside, infra / "main.tf")
    result = invoke("fix", "infra", "--select", "CAL003")
    assert outside.read_text() == before
