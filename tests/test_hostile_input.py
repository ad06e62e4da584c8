"""The linter run on a hostile pull request (issue 9): confined reads, bounded work, no lost findings.

Each test is one attack and its expected outcome: the exit code, a CAL000 or a note, bounded time
and memory, and a planted secret absent from every output format. Symlinks, devices and big files are
made in tmp dirs; what can be committed lives in tests/fixtures/hostile/. Memory-heavy attacks run in
a subprocess under an address-space limit and a timeout.
"""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from linter.cli import cli

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "hostile"
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "terraform-cluster"


def lint(*args: str) -> tuple[int, str]:
    """The CLI in-process: (exit code, standard output)."""
    result = CliRunner().invoke(cli, ["scan", *args], catch_exceptions=False)
    return result.exit_code, result.output


# ------------------------------------------------------------------------------ nothing skipped silently


def test_a_nonexistent_path_is_a_usage_error(tmp_path: Path) -> None:
    code, output = lint(str(tmp_path / "nope"))
    assert code == 2 and "does not exist" in output


def test_a_run_that_finds_nothing_of_ours_says_so(tmp_path: Path) -> None:
    (tmp_path / "notes.yaml").write_text("just: a list\n")
    code, output = lint(str(tmp_path), "--format", "json")
    assert code == 0
    assert any("nothing was checked" in n["message"] for n in json.loads(output)["notifications"])


# ------------------------------------------------------------------------------ --output


def test_output_files_are_replaced_whole(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text("a report of an earlier run")
    code, _ = lint(str(EXAMPLE), "--format", "json", "--output", str(report))
    assert code == 1 and json.loads(report.read_text())["findings"]
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary file left


def test_a_failed_run_leaves_no_stale_report(tmp_path: Path) -> None:
    report = tmp_path / "report.sarif"
    report.write_text("a report of an earlier run")
    missing_dir = tmp_path / "gone" / "other.sarif"
    code, _ = lint(str(EXAMPLE), "--format", "sarif", "--output", str(report),
                   "--format", "json", "--output", str(missing_dir))
    assert code == 2
    assert not report.exists() and [p.name for p in tmp_path.iterdir()] == []
