"""The command line as users run it: exit codes, formats, snapshots of whole outputs, baseline, config."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reporter_support import assert_snapshot

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = "examples/terraform-cluster"


def run(*args: str, cwd: Path = REPO, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "linter", *args], cwd=cwd, capture_output=True, text=True,
                          env=environment, timeout=120)


def redact(text: str) -> str:
    from linter import __version__

    text = text.replace(REPO.as_posix(), "[ROOT]")
    return re.sub(r'(?<=")' + re.escape(__version__) + r'(?=")', "[VERSION]", text)


@pytest.mark.parametrize("fmt,name", [("text", "e2e-example.txt"), ("json", "e2e-example.json"),
                                      ("sarif", "e2e-example.sarif"), ("junit", "e2e-example.junit.xml"),
                                      ("github", "e2e-example.github.txt"), ("gitlab", "e2e-example.gitlab.json")])
def test_example_output_snapshots(fmt: str, name: str) -> None:
    result = run("scan", EXAMPLE, "--format", fmt)
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    assert_snapshot(name, redact(result.stdout))


def test_several_outputs_in_one_run(tmp_path: Path) -> None:
    sarif_file, json_file = tmp_path / "out.sarif", tmp_path / "out.json"
    result = run("scan", EXAMPLE, "--format", "sarif", "--output", str(sarif_file), "--format", "json",
                 "--output", str(json_file), "--format", "text")
    assert result.returncode == 1
    assert "CAL003" in result.stdout
    assert json.loads(sarif_file.read_text())["version"] == "2.1.0"
    assert json.loads(json_file.read_text())["version"] == 1


def test_exit_codes(tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "main.tf").write_text('resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n')
    assert run("scan", str(clean)).returncode == 0
    assert run("scan", EXAMPLE, "--fail-on", "error").returncode == 1
    assert run("scan", EXAMPLE, "--select", "CAL005", "--fail-on", "error").returncode == 0
    assert run("scan", EXAMPLE, "--select", "CAL999").returncode == 2
    assert run("scan", EXAMPLE, "--format", "yaml").returncode == 2


def test_sarif_is_written_even_when_clean(tmp_path: Path) -> None:
    out = tmp_path / "clean.sarif"
    result = run("scan", str(tmp_path), "--format", "sarif", "--output", str(out))
    assert result.returncode == 0
    assert json.loads(out.read_text())["runs"][0]["results"] == []


def test_rules_and_explain() -> None:
    listing = run("rules")
    assert listing.returncode == 0
    from linter.engine import load_rules

    assert re.findall(r"^CAL\d{3}", listing.stdout, re.MULTILINE) == [r.id for r in load_rules()]
    page = run("explain", "CAL003")
    assert page.returncode == 0
    assert "source_dest_check = false" in page.stdout and "Why" in page.stdout
    assert run("explain", "CAL999").returncode == 2


def test_describe_formats() -> None:
    tree = run("describe", EXAMPLE)
    assert tree.returncode == 0 and "aws_instance.workers" in tree.stdout
    data = json.loads(run("describe", EXAMPLE, "--format", "json").stdout)
    assert {n["resource"] for n in data["node_groups"] if n["node"]} == {"aws_instance.controller", "aws_instance.workers"}
    assert run("describe", EXAMPLE, "--format", "mermaid").stdout.startswith("flowchart LR")
    assert run("describe", EXAMPLE, "--format", "dot").stdout.startswith("digraph")


def test_invalid_config_names_the_key(tmp_path: Path) -> None:
    (tmp_path / ".calico-lint.yaml").write_text("fail_on: sometimes\nnodes: {include: [1]}\n")
    result = run("scan", str(tmp_path))
    assert result.returncode == 2
    assert "fail_on" in result.stderr and "nodes.include.0" in result.stderr


def test_config_in_pyproject_is_found_upward(tmp_path: Path) -> None:
    shutil.copytree(REPO / EXAMPLE, tmp_path / "infra")
    (tmp_path / "pyproject.toml").write_text('[tool.calico-lint]\nselect = ["CAL005"]\nfail_on = "error"\n')
    result = run("scan", "infra", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert {f["rule"] for f in json.loads(result.stdout)["findings"]} == {"CAL005"}


def test_baseline_reports_only_new_problems(tmp_path: Path) -> None:
    shutil.copytree(REPO / EXAMPLE, tmp_path / "infra")
    assert run("scan", "infra", "--write-baseline", "baseline.json", cwd=tmp_path).returncode == 0
    assert run("scan", "infra", "--baseline", "baseline.json", cwd=tmp_path).returncode == 0
    main = tmp_path / "infra" / "main.tf"
    main.write_text("# a comment that shifts every line\n\n" + main.read_text().replace("  source_dest_check      = false\n", ""))
    result = run("scan", "infra", "--baseline", "baseline.json", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1
    new = [f for f in json.loads(result.stdout)["findings"] if f["suppressed"] is None and f["level"] != "note"]
    assert [(f["rule"], f["resource"]) for f in new] == [("CAL003", "aws_instance.workers")]


def test_invalid_rule_file_stops_the_run(tmp_path: Path) -> None:
    from linter.engine import RuleFileError, load_rules

    with pytest.raises(RuleFileError) as error:
        load_rules([("CAL001.yaml", "id: CAL001\nname: Bad Name\nlevel: fatal\n")])
    text = "\n".join(error.value.errors)
    assert "name" in text and "level" in text and "required" in text


def test_no_traceback_on_bad_inputs(tmp_path: Path) -> None:
    (tmp_path / "bad.tf").write_bytes(b'resource "x" {\n  a = \xff\xfe\n')
    (tmp_path / "bad.yaml").write_text("apiVersion: projectcalico.org/v3\nkind: IPPool\nspec: [\n")
    (tmp_path / "tpl.yaml").write_text("apiVersion: v1\nkind: {{ .Kind }}\n")
    (tmp_path / "cfn.json").write_text('{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {')
    (tmp_path / "plan.json").write_text('{"format_version": "1.2", "planned_values": ')
    result = run("scan", str(tmp_path), "--format", "json")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1
    rules = [f["rule"] for f in json.loads(result.stdout)["findings"]]
    assert rules.count("CAL000") >= 4


def test_sarif_fixes_apply_and_remove_their_findings(tmp_path: Path) -> None:
    """The mechanical fixes (source_dest_check = false, the missing ingress block) are real Terraform."""
    shutil.copytree(REPO / EXAMPLE, tmp_path / "infra")
    before = json.loads(run("scan", "infra", "--format", "sarif", cwd=tmp_path).stdout)["runs"][0]["results"]
    fixed = [r for r in before if r.get("fixes")]
    assert {r["ruleId"] for r in fixed} == {"CAL001", "CAL003"}
    edits: dict[str, list[tuple[int, str]]] = {}
    for result in fixed:
        for change in result["fixes"][0]["artifactChanges"]:
            for replacement in change["replacements"]:
                edits.setdefault(change["artifactLocation"]["uri"], []).append(
                    (replacement["deletedRegion"]["startLine"], replacement["insertedContent"]["text"]))
    for uri, changes in edits.items():
        path = tmp_path / uri
        lines = path.read_text().splitlines(keepends=True)
        for line, text in sorted(changes, reverse=True):  # bottom-up keeps earlier line numbers valid
            lines.insert(line - 1, text)
        path.write_text("".join(lines))
    after = json.loads(run("scan", "infra", "--format", "json", cwd=tmp_path).stdout)["findings"]
    remaining = {(f["rule"], f["resource"]) for f in after}
    fixed_pairs = {(r["ruleId"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]) for r in fixed}
    assert not (remaining & fixed_pairs), remaining
    assert "CAL000" not in {f["rule"] for f in after}


def test_calico_configuration_outside_the_scan(tmp_path: Path) -> None:
    shutil.copytree(REPO / EXAMPLE, tmp_path / "infra")
    (tmp_path / "addons").mkdir()
    (tmp_path / "infra" / "calico.yaml").rename(tmp_path / "addons" / "pool.yaml")
    without = json.loads(run("scan", "infra", "--format", "json", cwd=tmp_path).stdout)
    assert "CAL004" not in {f["rule"] for f in without["findings"]}
    assert any("No Calico IP pool found" in n["message"] for n in without["notifications"])
    with_pool = json.loads(run("scan", "infra", "--calico", "addons", "--format", "json", cwd=tmp_path).stdout)
    assert {("CAL004", "addons/pool.yaml"), ("CAL005", "addons/pool.yaml")} <= \
        {(f["rule"], f["file"]) for f in with_pool["findings"]}
    (tmp_path / ".calico-lint.yaml").write_text("calico:\n  paths: [addons]\n")
    from_config = json.loads(run("scan", "infra", "--format", "json", cwd=tmp_path).stdout)
    assert from_config["findings"] == with_pool["findings"]


def test_unwritable_output_is_a_usage_error(tmp_path: Path) -> None:
    result = run("scan", EXAMPLE, "--format", "sarif", "--output", str(tmp_path / "missing" / "out.sarif"))
    assert result.returncode == 2
    assert "cannot write" in result.stderr and "Traceback" not in result.stderr


def test_strict_turns_unverified_results_into_failures(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "node_sg_id" {}\n'
        'resource "aws_instance" "node" {\n  count                  = 2\n  ami                    = "ami-1"\n'
        '  vpc_security_group_ids = [var.node_sg_id]\n  source_dest_check      = false\n}\n')
    relaxed = run("scan", str(tmp_path), "--format", "json")
    assert relaxed.returncode == 0, relaxed.stdout
    notes = [f for f in json.loads(relaxed.stdout)["findings"] if f["rule"] == "CAL001"]
    assert notes and notes[0]["level"] == "note" and "var.node_sg_id" in notes[0]["message"]
    strict = run("scan", str(tmp_path), "--strict")
    assert strict.returncode == 1


def test_exit_zero_reports_but_does_not_fail() -> None:
    result = run("scan", EXAMPLE, "--exit-zero")
    assert result.returncode == 0 and "CAL001" in result.stdout
    assert run("scan", EXAMPLE, "--exit-zero", "--select", "CAL999").returncode == 2
