"""Paths anchored at the repository root, wherever the run starts; SARIF within GitHub's limits."""
from __future__ import annotations

import dataclasses
import json
import posixpath
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from linter.cli import cli
from linter.discover import output_root, repository_root
from linter.model import Finding, Level, Related, Report, Where, display_path, inside_root
from linter.reporters import sarif
from reporter_support import RULES, sample_report
from test_sarif import _schema_errors

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "terraform-cluster"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git work tree (a `.git` directory is all the root needs) with the example under infra/."""
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    shutil.copytree(EXAMPLE, tmp_path / "repo" / "infra")
    (tmp_path / "repo" / "infra" / "sub").mkdir()
    return tmp_path / "repo"


def invoke(cwd: Path, monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.chdir(cwd)
    return CliRunner().invoke(cli, list(args), env={"NO_COLOR": "1"}, catch_exceptions=False)


def test_repository_root_is_the_nearest_git_work_tree(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert repository_root(tmp_path / "a" / "b") == repository_root(tmp_path)  # nothing of its own yet
    (tmp_path / "a" / ".git").write_text("gitdir: /elsewhere/worktrees/a\n")  # a linked worktree's .git file
    assert repository_root(tmp_path / "a" / "b") == tmp_path / "a"
    (tmp_path / "a" / "b" / "main.tf").write_text("")
    assert repository_root(tmp_path / "a" / "b" / "main.tf") == tmp_path / "a"


def test_output_root_prefers_the_repository_that_holds_the_scan(tmp_path: Path) -> None:
    (tmp_path / "one" / ".git").mkdir(parents=True)
    (tmp_path / "two" / ".git").mkdir(parents=True)
    (tmp_path / "two" / "infra").mkdir()
    (tmp_path / "loose").mkdir()
    infra = str(tmp_path / "two" / "infra")
    assert output_root([str(tmp_path / "one")], tmp_path / "one") == tmp_path / "one"
    assert output_root([infra], tmp_path / "loose") == tmp_path / "two"  # cwd in no repository
    assert output_root([infra], tmp_path / "one") == tmp_path / "two"  # cwd in another repository
    assert output_root([str(tmp_path / "one" / ".." / "two" / "infra")], tmp_path / "two") == tmp_path / "two"
    loose = output_root([str(tmp_path / "loose")], tmp_path / "loose")
    assert loose == tmp_path / "loose" or repository_root(tmp_path) == loose


@pytest.mark.parametrize("fmt", ["json", "sarif", "github", "junit", "text"])
def test_every_output_is_the_same_from_the_top_and_from_a_subdirectory(repo: Path, fmt: str,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    top = invoke(repo, monkeypatch, "scan", "infra", "--format", fmt)
    below = invoke(repo / "infra" / "sub", monkeypatch, "scan", "..", "--format", fmt)
    assert top.exit_code == below.exit_code == 1
    assert below.stdout == top.stdout
    assert "infra/main.tf" in top.stdout and str(repo) not in top.stdout.replace(f"file://{repo}/", "")


def test_sarif_locations_are_relative_to_the_repository_with_a_base_id(repo: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    run = json.loads(invoke(repo / "infra" / "sub", monkeypatch, "scan", "..", "--format", "sarif").stdout)["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": f"file://{repo.as_posix()}/"}}
    artifacts = [loc["physicalLocation"]["artifactLocation"] for result in run["results"]
                 for loc in result["locations"] + result.get("relatedLocations", [])]
    artifacts += [change["artifactLocation"] for result in run["results"] for fix in result.get("fixes", [])
                  for change in fix["artifactChanges"]]
    assert artifacts and all(a["uriBaseId"] == "%SRCROOT%" and a["uri"].startswith("infra/") for a in artifacts)


def test_root_option_overrides(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke(repo / "infra" / "sub", monkeypatch, "scan", "..", "--format", "json", "--root", "..")
    assert {f["file"] for f in json.loads(result.stdout)["findings"]} == {"main.tf", "calico.yaml"}


def test_describe_paths_are_relative_to_the_repository(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = json.loads(invoke(repo / "infra" / "sub", monkeypatch, "describe", "..", "--format", "json").stdout)
    assert {n["file"] for n in data["node_groups"]} == {"infra/main.tf"}


def test_baseline_written_from_a_subdirectory_matches_the_top(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    invoke(repo / "infra", monkeypatch, "scan", ".", "--write-baseline", str(repo / "b.json"))
    assert {e["file"] for e in json.loads((repo / "b.json").read_text())["findings"]} == {"infra/main.tf", "infra/calico.yaml"}
    assert invoke(repo, monkeypatch, "scan", "infra", "--baseline", "b.json").exit_code == 0


# ------------------------------------------------------------------------------------------ GitHub's limits


def _many(count: int, related: int = 0) -> Report:
    findings = tuple(
        Finding("CAL003", Level.NOTE if n % 2 else Level.ERROR, f"finding {n}", Where("/r/main.tf", n + 1, 1, f"a.n{n}"),
                related=tuple(Related(Where("/r/main.tf", k + 1, 1), f"peer {k}") for k in range(related)))
        for n in range(count))
    return Report(findings=findings, rules=RULES, root="/r", tool_version="1")


def test_documented_limits() -> None:
    assert sarif.GITHUB == sarif.Limits(results_per_run=25_000, locations_per_result=1_000, tags_per_rule=20,
                                        rule_name=255, description=1_024)


def test_results_over_the_limit_keep_the_most_severe_and_say_so() -> None:
    limits = sarif.Limits(results_per_run=3)
    log = json.loads(sarif.render_within(_many(6), limits))
    run = log["runs"][0]
    assert [r["level"] for r in run["results"]] == ["error"] * 3
    said = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert said == ["Output cut: 3 of 6 results were left out: GitHub code scanning rejects more than 3 per run "
                    "(the most severe are kept)."]
    assert _schema_errors(log) == []


def test_related_locations_over_the_limit_are_cut() -> None:
    limits = sarif.Limits(locations_per_result=4)
    run = json.loads(sarif.render_within(_many(2, related=5), limits))["runs"][0]
    assert [len(r["relatedLocations"]) for r in run["results"]] == [3, 3]
    assert "2 result(s) had more than 3 related locations" in sarif.cuts(_many(2, related=5), limits)[0]


def test_rule_texts_over_the_limit_are_clipped() -> None:
    long = dataclasses.replace(RULES[1], name="n" * 300, what="w" * 2000, tags=tuple(f"t{n}" for n in range(30)))
    report = dataclasses.replace(sample_report(), rules=(long,))
    rule = next(r for r in json.loads(sarif.render(report))["runs"][0]["tool"]["driver"]["rules"] if r["id"] == long.id)
    assert len(rule["name"]) == 255 and len(rule["fullDescription"]["text"]) == 1024 and len(rule["properties"]["tags"]) == 20
    assert len(sarif.cuts(report)) == 3


def test_nothing_is_cut_from_an_ordinary_report() -> None:
    assert sarif.cuts(sample_report()) == ()
    notes = json.loads(sarif.render(sample_report()))["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert not any("cut" in n["message"]["text"] for n in notes)


def test_the_cli_says_on_stderr_when_sarif_was_cut(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sarif, "GITHUB", sarif.Limits(results_per_run=1))
    result = invoke(repo, monkeypatch, "scan", "infra", "--format", "sarif", "--output", "out.sarif")
    assert "calico-lint: warning: SARIF output cut:" in result.stderr
    assert len(json.loads((repo / "out.sarif").read_text())["runs"][0]["results"]) == 1


_PARTS = st.sampled_from(["a", "b", "ab", ".", "..", ""])
_PATHS = st.lists(_PARTS, max_size=4).map(lambda parts: "/" + "/".join(parts))


@settings(max_examples=300, deadline=None)
@given(file=_PATHS, root=st.one_of(st.just(""), _PATHS))
def test_display_path_is_relpath_of_the_normalised_paths(file: str, root: str) -> None:
    # display_path skips relpath for normalised paths (its cost, once per finding): same answer either way
    if root and inside_root(file, root):
        expected = posixpath.relpath(posixpath.normpath(file), posixpath.normpath(root))
    else:
        expected = posixpath.normpath(file)
    assert display_path(file, root) == expected
