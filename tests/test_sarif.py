"""SARIF: valid against the OASIS 2.1.0 schema, what GitHub code scanning needs, Multitool-clean."""
from __future__ import annotations

import dataclasses
import json
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from linter.model import Report
from linter.reporters import sarif
from reporter_support import ROOT, SNAPSHOTS, empty_report, outside_root_report, sample_report

SCHEMA = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"
SARIF_SNAPSHOTS = [SNAPSHOTS / name for name in ("e2e-example.sarif", "empty.sarif", "outside-root.sarif", "sample.sarif")]


def _log(report: Report) -> dict:
    return json.loads(sarif.render(report))


def _schema_errors(document: dict) -> list[str]:
    from jsonschema import Draft4Validator

    validator = Draft4Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def test_every_sarif_snapshot_is_checked() -> None:
    assert sorted(SNAPSHOTS.glob("*.sarif")) == SARIF_SNAPSHOTS


@pytest.mark.parametrize("path", SARIF_SNAPSHOTS, ids=lambda p: p.name)
def test_snapshot_is_valid_against_the_oasis_schema(path: Path) -> None:
    assert _schema_errors(json.loads(path.read_text(encoding="utf-8"))) == []


def test_schema_rejects_what_it_should() -> None:
    document = _log(sample_report())
    del document["runs"][0]["results"][0]["message"]
    assert _schema_errors(document)


def test_rules_describe_every_rule_that_ran() -> None:
    report = sample_report()
    driver = _log(report)["runs"][0]["tool"]["driver"]
    assert driver["name"] == "calico-lint" and driver["semanticVersion"] == report.tool_version
    assert [rule["id"] for rule in driver["rules"]] == sorted(rule.id for rule in report.rules)
    bgp = next(rule for rule in driver["rules"] if rule["id"] == "CAL001")
    assert bgp["name"] == "bgp-blocked"
    assert bgp["helpUri"] == "https://github.com/calico-lint/calico-lint/blob/main/docs/rules/CAL001.md"
    assert bgp["help"]["markdown"].startswith("# CAL001: ")
    assert bgp["help"]["text"] and bgp["shortDescription"]["text"] and bgp["fullDescription"]["text"]
    assert bgp["properties"] == {"tags": ["networking", "bgp", "security"], "precision": "high",
                                 "problem.severity": "error", "security-severity": "7.5"}


def test_results_locations_and_rule_index() -> None:
    run = _log(sample_report())["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": f"file://{ROOT}/"}}
    assert run["columnKind"] == "unicodeCodePoints"
    for result in run["results"]:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not physical["artifactLocation"]["uri"].startswith("/")
        assert physical["region"]["startLine"] >= 1
    cal001 = next(r for r in run["results"] if r["ruleId"] == "CAL001" and r["level"] == "error")
    assert cal001["locations"][0]["logicalLocations"][0] == {
        "name": "nodes", "fullyQualifiedName": "module.k8s.aws_security_group.nodes", "kind": "resource"}
    related = cal001["relatedLocations"]
    assert [r["id"] for r in related] == [1, 2]
    assert related[0]["message"]["text"] == "the sending node group."
    assert related[0]["physicalLocation"]["artifactLocation"]["uri"] == "modules/k8s/workers.tf"


def test_fingerprints_do_not_depend_on_lines() -> None:
    report = sample_report()
    moved = dataclasses.replace(report, findings=tuple(
        dataclasses.replace(f, where=f.where.at(f.where.line + 10, f.where.column + 2)) for f in report.findings))
    prints = [r["partialFingerprints"] for r in _log(report)["runs"][0]["results"]]
    assert prints == [r["partialFingerprints"] for r in _log(moved)["runs"][0]["results"]]
    assert len({p["calicoLint/v1"] for p in prints}) == len(prints)


def test_fix_inserts_at_an_empty_region() -> None:
    run = _log(sample_report())["runs"][0]
    fixed = [r for r in run["results"] if "fixes" in r]
    assert len(fixed) == 1
    change = fixed[0]["fixes"][0]["artifactChanges"][0]
    assert change["artifactLocation"] == {"uri": "main.tf", "uriBaseId": "%SRCROOT%"}
    assert change["replacements"] == [{
        "deletedRegion": {"startLine": 5, "startColumn": 1, "endLine": 5, "endColumn": 1},
        "insertedContent": {"text": "  source_dest_check = false\n"},
    }]


def test_suppressions() -> None:
    results = {r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]: r
               for r in _log(sample_report())["runs"][0]["results"]}
    assert results["aws_instance.router"]["suppressions"] == [
        {"kind": "inSource", "justification": "the router forwards, the check stays on"}]
    assert results["module.k8s.aws_security_group_rule.ipip"]["suppressions"][0]["kind"] == "external"
    assert "suppressions" not in results["aws_instance.controllers"]


def test_notifications() -> None:
    invocation = _log(sample_report())["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is True
    assert [n["level"] for n in invocation["toolConfigurationNotifications"]] == ["note", "warning"]
    problem, = invocation["toolExecutionNotifications"]
    assert problem["level"] == "error"
    assert problem["locations"][0]["physicalLocation"]["region"] == {"startLine": 3, "startColumn": 10}
    assert problem["associatedRule"] == {"id": "CAL000", "index": 0}


def test_empty_report_still_produces_a_run() -> None:
    run = _log(empty_report())["runs"][0]
    assert run["results"] == [] and run["tool"]["driver"]["rules"]


def test_file_outside_root_is_an_absolute_uri_and_paths_are_encoded() -> None:
    result = _log(outside_root_report())["runs"][0]["results"][0]
    artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "file:///opt/shared-modules/k8s/main.tf"}
    related = result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]
    assert related == {"uri": "env%20prod/main.tf", "uriBaseId": "%SRCROOT%"}


def test_unknown_rule_still_gets_a_descriptor() -> None:
    report = dataclasses.replace(sample_report(), rules=())
    run = _log(report)["runs"][0]
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} == {r["ruleId"] for r in run["results"]}
    assert _schema_errors(_log(report)) == []


@pytest.mark.slow
@pytest.mark.multitool
def test_snapshots_are_clean_under_the_sarif_multitool(tmp_path: Path) -> None:
    npx = shutil.which("npx")
    if npx is None:
        pytest.skip("npx not found: install Node.js to run Microsoft's SARIF Multitool")
    out = tmp_path / "validation.sarif"
    # The npm wrapper runs the binary through a shell (spawnSync with shell: true), so each
    # argument is quoted for that shell: unquoted, "Gh;Sarif" would end the command at the ';'.
    args = ["validate", *map(str, SARIF_SNAPSHOTS), "--rule-kind", "Gh;Sarif", "--output", str(out)]
    command = [npx, "--yes", "@microsoft/sarif-multitool", *map(shlex.quote, args)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    if not out.exists() and "npm" in completed.stderr and ("ENOTFOUND" in completed.stderr or "ETIMEDOUT" in completed.stderr
                                                           or "EAI_AGAIN" in completed.stderr):
        pytest.skip(f"npx could not fetch @microsoft/sarif-multitool: {completed.stderr.strip()[-200:]}")
    assert out.exists(), f"the Multitool wrote no log:\n{completed.stdout}\n{completed.stderr}"
    run = json.loads(out.read_text(encoding="utf-8"))["runs"][0]
    problems = [
        f"{r['ruleId']} {r.get('level', 'warning')}: {r['message'].get('text', r['message'])}"
        for r in run.get("results", [])
        if r.get("level", "warning") in ("error", "warning")
    ]
    for invocation in run.get("invocations", []):
        problems += [n["message"]["text"] for n in invocation.get("toolExecutionNotifications", [])
                     if n.get("level", "warning") in ("error", "warning")]
    assert problems == [], completed.stdout
