"""Text, JSON, JUnit and GitHub reporters: whole-output snapshots plus the contracts they keep."""
from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from linter.model import Finding, Level, Report, Where
from linter.reporters import FORMATS, Render, github, gitlab, json_report, junit, sarif, text
from reporter_support import (
    ROOT,
    assert_snapshot,
    empty_report,
    outside_root_report,
    read_lines,
    redact,
    sample_report,
)

REPORTERS = {"text": text, "json": json_report, "sarif": sarif, "junit": junit, "github": github, "gitlab": gitlab}
EXTENSIONS = {"text": "txt", "json": "json", "sarif": "sarif", "junit": "junit.xml", "github": "github.txt",
              "gitlab": "gitlab.json"}
REPORTS = {"sample": sample_report, "empty": empty_report, "outside-root": outside_root_report}


@pytest.mark.parametrize("report_name", sorted(REPORTS))
@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_snapshot(fmt: str, report_name: str) -> None:
    output = REPORTERS[fmt].render(REPORTS[report_name]())
    assert_snapshot(f"{report_name}.{EXTENSIONS[fmt]}", redact(output))


def test_text_snapshot_with_code_frames() -> None:
    assert_snapshot("sample-frames.txt", text.render(sample_report(), read_lines=read_lines))


def test_text_snapshot_in_colour() -> None:
    assert_snapshot("sample-color.txt", text.render(sample_report(), read_lines=read_lines, color=True))


def test_the_format_table_is_every_reporter() -> None:
    assert FORMATS == {fmt: module.render for fmt, module in REPORTERS.items()}


def test_every_reporter_has_the_signature_the_table_promises() -> None:
    promised = inspect.signature(Render.__call__)
    expected = promised.replace(parameters=list(promised.parameters.values())[1:])  # without self
    for module in REPORTERS.values():
        assert inspect.signature(module.render) == expected, module.__name__
    kinds = [p.kind for p in expected.parameters.values()]
    assert kinds[1:] == [inspect.Parameter.KEYWORD_ONLY] * (len(kinds) - 1)


@pytest.mark.parametrize("module", sorted(REPORTERS.values(), key=lambda m: m.__name__), ids=lambda m: m.__name__)
def test_reporters_are_pure(module: object) -> None:
    """No file, env, cwd or printing: the CLI does that."""
    tree = ast.parse(Path(inspect.getfile(module)).read_text(encoding="utf-8"))  # type: ignore[arg-type]
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [alias.name for alias in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
            assert not {"os", "sys", "pathlib", "subprocess", "time", "datetime"} & set(filter(None, names))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in {"open", "print", "input"}


def test_no_colour_unless_asked() -> None:
    assert "\x1b[" not in text.render(sample_report(), read_lines=read_lines)
    assert "\x1b[" in text.render(sample_report(), color=True)


def test_text_hides_suppressed_and_counts_them() -> None:
    output = text.render(sample_report())
    assert "aws_instance.router" not in output
    assert "module.k8s.aws_security_group_rule.ipip" not in output
    assert output.endswith("3 errors, 1 warning, 1 note in 5 files (2 suppressed)\n")


def test_text_summary_when_clean() -> None:
    assert text.render(empty_report()) == "No problems found in 1 file.\n"


def test_text_code_frame_keeps_tabs_under_the_caret() -> None:
    finding = Finding("CAL003", Level.ERROR, "m", Where(f"{ROOT}/main.tf", 9, 2, "aws_instance.router"))
    report = Report(findings=(finding,), rules=(), root=ROOT)
    lines = text.render(report, read_lines=read_lines).splitlines()
    caret = next(line for line in lines if line.rstrip().endswith("^"))
    assert caret.endswith("| \t^")


def test_text_code_frame_of_a_long_line_is_a_window_with_the_caret_on_the_column() -> None:
    # a plan JSON is one line of megabytes: a frame shows the part around the column, never the line
    line = "".join(f"{n:05d}," for n in range(2000))
    column = line.index("01234") + 1
    finding = Finding("CAL003", Level.ERROR, "m", Where(f"{ROOT}/plan.json", 1, column))
    output = text.render(Report(findings=(finding,), rules=(), root=ROOT), read_lines=lambda _path: [line])
    shown, caret = output.splitlines()[1:3]
    assert len(shown) < 200 and shown.endswith("\u2026") and "| \u2026" in shown
    assert shown[caret.index("^"):].startswith("01234")


def test_text_code_frame_of_a_short_line_is_the_whole_line() -> None:
    finding = Finding("CAL003", Level.ERROR, "m", Where(f"{ROOT}/main.tf", 1, 3))
    output = text.render(Report(findings=(finding,), rules=(), root=ROOT), read_lines=lambda _path: ["x = 1"])
    assert output.splitlines()[1:3] == ["  > 1 | x = 1", "      |   ^"]


def test_text_code_frame_skipped_when_line_is_missing() -> None:
    finding = Finding("CAL003", Level.ERROR, "m", Where(f"{ROOT}/nowhere.tf", 3, 1))
    output = text.render(Report(findings=(finding,), rules=(), root=ROOT), read_lines=read_lines)
    assert "|" not in output


def test_json_shape_and_key_order() -> None:
    document = json.loads(json_report.render(sample_report()))
    assert list(document) == ["version", "tool", "findings", "notifications", "summary"]
    assert document["version"] == 1
    assert list(document["tool"]) == ["name", "version"]
    keys = ["rule", "name", "level", "message", "file", "line", "column", "resource", "related", "suppressed"]
    for finding in document["findings"]:
        assert list(finding) == keys
        for related in finding["related"]:
            assert list(related) == ["file", "line", "resource", "why"]
    assert [list(n) for n in document["notifications"]] == [["level", "message", "file"]] * 2
    assert document["summary"] == {"error": 3, "warning": 1, "note": 1, "suppressed": 2, "files": 5}


def test_json_findings_sorted_and_suppressed_kept() -> None:
    findings = json.loads(json_report.render(sample_report()))["findings"]
    keys = [(f["file"], f["line"], f["rule"], f["resource"]) for f in findings]
    assert keys == sorted(keys)
    suppressed = {f["resource"]: f["suppressed"] for f in findings if f["suppressed"]}
    assert suppressed == {
        "aws_instance.router": {"reason": "the router forwards, the check stays on"},
        "module.k8s.aws_security_group_rule.ipip": {"reason": "baseline"},
    }


def test_paths_relative_inside_root_absolute_outside() -> None:
    document = json.loads(json_report.render(outside_root_report()))
    finding = document["findings"][0]
    assert finding["file"] == "/opt/shared-modules/k8s/main.tf"
    assert finding["related"][0]["file"] == "env prod/main.tf"


def test_output_does_not_depend_on_finding_order() -> None:
    report = sample_report()
    shuffled = Report(findings=tuple(reversed(report.findings)), rules=tuple(reversed(report.rules)),
                      notices=report.notices, problems=report.problems, files=report.files,
                      root=report.root, tool_version=report.tool_version)
    for module in REPORTERS.values():
        assert module.render(shuffled) == module.render(report), module.__name__


def test_junit_parses_and_groups_by_rule_and_resource() -> None:
    suite = ET.fromstring(junit.render(sample_report()))
    assert suite.tag == "testsuite" and suite.get("name") == "calico-lint"
    cases = suite.findall("testcase")
    assert len(cases) == int(suite.get("tests", "")) == 6
    by_name = {(case.get("classname"), case.get("name")): case for case in cases}
    nodes = by_name[("CAL001", "module.k8s.aws_security_group.nodes (modules/k8s/security.tf:1)")]
    failure = nodes.find("failure")
    assert failure is not None and failure.get("type") == "error"
    assert "modules/k8s/workers.tf:12" in (failure.text or "")
    assert "could not verify" in (failure.text or "")  # the note on the same resource
    router = by_name[("CAL003", "aws_instance.router (main.tf:8)")]
    skipped = router.find("skipped")
    assert skipped is not None and skipped.get("message") == "suppressed: the router forwards, the check stays on"


def test_junit_escapes_markup() -> None:
    finding = Finding("CAL003", Level.ERROR, 'a <b> & "c"\nd', Where(f"{ROOT}/x.tf", 1, 1, "aws_instance.x"))
    output = junit.render(Report(findings=(finding,), rules=(), root=ROOT))
    failure = ET.fromstring(output).find("testcase/failure")
    assert failure is not None and failure.get("message") == 'a <b> & "c"\nd'


def test_github_escaping() -> None:
    assert github.escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert github.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_github_commands() -> None:
    finding = Finding("CAL003", Level.NOTE, "50% sure\nmaybe", Where(f"{ROOT}/dir,x/a:b.tf", 4, 2, ""))
    output = github.render(Report(findings=(finding,), rules=sample_report().rules, root=ROOT))
    assert output == (
        "::notice file=dir%2Cx/a%3Ab.tf,line=4,col=2,title=CAL003 src-dst-check-enabled::50%25 sure%0Amaybe\n"
    )
    assert "router" not in github.render(sample_report())  # suppressed: not emitted


def test_gitlab_code_quality_issues() -> None:
    report = sample_report()
    issues = json.loads(gitlab.render(report))
    active = [f for f in report.findings if not f.suppressed]
    assert len(issues) == len(active) and issues
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert not issue["location"]["path"].startswith("/") and issue["location"]["lines"]["begin"] >= 1
        assert issue["description"].startswith(issue["check_name"] + " ")
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)  # GitLab keeps one issue per fingerprint
    assert "router" not in json.dumps(issues)  # suppressed: not an issue


def test_gitlab_fingerprints_stay_unique_for_repeated_identities_and_ignore_lines() -> None:
    finding = Finding("CAL003", Level.ERROR, "m", Where(f"{ROOT}/main.tf", 3, 1, "aws_instance.a"), identity="same")
    twice = Report(findings=(finding, dataclasses.replace(finding, where=finding.where.at(9))), rules=(), root=ROOT)
    prints = [issue["fingerprint"] for issue in json.loads(gitlab.render(twice))]
    assert len(set(prints)) == 2 and prints[0] == finding.fingerprint
