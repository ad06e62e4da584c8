"""The CLI's behaviour: options as one value, rules named any way, configuration files, progress, colour."""
from __future__ import annotations

import dataclasses
import datetime
import io
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from linter.cli import ProgressLine, cli, describe, scan, use_color
from linter.config import Config
from linter.engine import load_rules
from linter.options import InputOptions, ScanOptions
from linter.scan import Progress, ScanRequest, scan as run_scan

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "terraform-cluster"
RULES = load_rules()

NODE = '''resource "aws_security_group" "nodes" {
  ingress {
    protocol  = "-1"
    from_port = 0
    to_port   = 0
    self      = true
  }
  egress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
}

variable "check" {
  default = true
}

resource "aws_instance" "workers" {
  count                  = 2
  ami                    = "ami-1"
  vpc_security_group_ids = [aws_security_group.nodes.id]
  source_dest_check      = var.check
}
'''


def invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env={"NO_COLOR": "1", **(env or {})}, catch_exceptions=False)


def findings(result) -> list[dict]:
    return json.loads(result.stdout)["findings"]


@pytest.fixture
def infra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "main.tf").write_text(NODE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ------------------------------------------------------------------------------------------ one dataclass


def test_every_scan_option_is_a_field_of_scan_options() -> None:
    fields = {f.name for f in dataclasses.fields(ScanOptions)} - {"inputs"}
    fields |= {f.name for f in dataclasses.fields(InputOptions)}
    assert {param.name for param in scan.params} == fields


def test_describe_takes_the_same_input_options_as_scan() -> None:
    inputs = {f.name for f in dataclasses.fields(InputOptions)}
    assert inputs <= {param.name for param in describe.params}
    assert {p.opts[0] for p in scan.params if p.name in inputs} == {p.opts[0] for p in describe.params if p.name in inputs}


def test_an_option_without_a_field_is_a_bug_not_ignored() -> None:
    values = {p.name: None for p in scan.params} | {"surprise": 1}
    with pytest.raises(TypeError, match="surprise"):
        ScanOptions.from_click(values)


def test_describe_sees_the_variables_scan_sees(infra: Path) -> None:
    def check_of(*args: str) -> object:
        data = json.loads(invoke("describe", ".", "--format", "json", *args).stdout)
        return next(n["src_dst_check"] for n in data["node_groups"] if n["resource"] == "aws_instance.workers")

    assert check_of() is True
    assert check_of("--var", "check=false") is False
    (infra / "off.tfvars").write_text("check = false\n")
    assert check_of("--var-file", "off.tfvars") is False
    assert invoke("describe", ".", "--var", "check").exit_code == 2  # NAME=VALUE, as for scan


# ------------------------------------------------------------------------------------------ rules by id or name


def test_rules_by_id_or_name_in_any_case(infra: Path) -> None:
    by_id = findings(invoke("scan", ".", "--format", "json", "--select", "CAL003"))
    assert by_id and {f["rule"] for f in by_id} == {"CAL003"}
    for spelling in ("cal003", "src-dst-check-enabled", "Src-Dst-Check-Enabled", " CAL003 ,CAL003"):
        assert findings(invoke("scan", ".", "--format", "json", "--select", spelling)) == by_id, spelling
    ignored = findings(invoke("scan", ".", "--format", "json", "--ignore", "src-dst-check-enabled"))
    assert "CAL003" not in {f["rule"] for f in ignored}


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_unknown_rules_on_the_command_line_are_refused(infra: Path, option: str) -> None:
    result = invoke("scan", ".", option, "CAL001,bgp-blockd")
    assert result.exit_code == 2 and "unknown rule bgp-blockd" in result.stderr


@pytest.mark.parametrize("text,wanted", [
    ("select: [CAL999]\n", "select: unknown rule CAL999"),
    ("ignore: [CAL003, nope]\n", "ignore: unknown rule nope"),
    ("severity: {CAL998: note}\n", "severity: unknown rule CAL998"),
])
def test_unknown_rules_in_the_configuration_are_refused(infra: Path, text: str, wanted: str) -> None:
    (infra / ".calico-lint.yaml").write_text(text)
    result = invoke("scan", ".")
    assert result.exit_code == 2 and wanted in result.stderr


def test_the_configuration_names_rules_any_way(infra: Path) -> None:
    (infra / ".calico-lint.yaml").write_text("select: [cal003]\nseverity: {Src-Dst-Check-Enabled: note}\n")
    result = invoke("scan", ".", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert {(f["rule"], f["level"]) for f in findings(result)} == {("CAL003", "note")}


def test_suppression_comments_name_rules_any_way(infra: Path) -> None:
    (infra / "main.tf").write_text(NODE.replace('resource "aws_instance"',
                                                '# calico-lint: ignore[src-dst-check-enabled] routes pods\nresource "aws_instance"'))
    result = invoke("scan", ".", "--format", "json", "--select", "CAL003,CAL013")
    assert [(f["rule"], f["suppressed"]) for f in findings(result)] == [("CAL003", {"reason": "routes pods"})]


# ------------------------------------------------------------------------------------------ configuration files


def test_pyproject_takes_kebab_case_keys(infra: Path) -> None:
    (infra / "pyproject.toml").write_text('[tool.calico-lint]\nselect = ["CAL003"]\nfail-on = "error"\n'
                                          '[tool.calico-lint.terraform]\nvar-files = ["off.tfvars"]\n')
    (infra / "off.tfvars").write_text("check = true\n")
    result = invoke("scan", ".")
    assert result.exit_code == 0, result.stdout + result.stderr  # CAL003 is a warning: fail-on error passes
    assert "CAL003" in result.stdout


def test_a_key_given_in_both_spellings_is_refused(infra: Path) -> None:
    (infra / ".calico-lint.yaml").write_text("fail-on: error\nfail_on: note\n")
    result = invoke("scan", ".")
    assert result.exit_code == 2 and "fail_on: given twice, as fail-on and fail_on" in result.stderr


def test_a_malformed_tool_table_header_is_an_error(infra: Path) -> None:
    (infra / "pyproject.toml").write_text('[tool.calico-lint\nselect = ["CAL001"]\n')
    result = invoke("scan", ".")
    assert result.exit_code == 2 and "not valid TOML" in result.stderr


def test_a_pyproject_about_other_tools_is_not_ours(infra: Path) -> None:
    (infra / "pyproject.toml").write_text('[tool.ruff]\nline-length = 100\n')
    assert invoke("scan", ".").exit_code == 1  # the CAL003 warning: the default configuration


def test_config_option_reads_toml_as_toml(infra: Path) -> None:
    (infra / "calico.toml").write_text('select = ["CAL003"]\nfail-on = "error"\n')
    result = invoke("scan", ".", "--config", "calico.toml")
    assert result.exit_code == 0, result.stderr
    (infra / "pyproject.toml").write_text('[tool.calico-lint]\nfail_on = "error"\n')
    assert invoke("scan", ".", "--config", "pyproject.toml").exit_code == 0
    (infra / "pyproject.toml").write_text('[project]\nname = "x"\n')
    result = invoke("scan", ".", "--config", "pyproject.toml")
    assert result.exit_code == 2 and "no [tool.calico-lint] table" in result.stderr


# ------------------------------------------------------------------------------------------ rules --format json


def test_rules_as_json() -> None:
    result = invoke("rules", "--format", "json")
    assert result.exit_code == 0
    listed = json.loads(result.stdout)
    assert [(r["id"], r["name"], r["level"]) for r in listed] == [(r.id, r.doc.name, r.doc.level.value) for r in RULES]
    assert all(r["help_uri"].endswith(f"/{r['id']}.md") for r in listed)


# ------------------------------------------------------------------------------------------ output


def test_quiet_prints_the_findings_and_nothing_else(infra: Path) -> None:
    loud, quiet = invoke("scan", "."), invoke("scan", ".", "--quiet")
    assert "CAL003" in quiet.stdout and "warning" in quiet.stdout
    assert "in 1 file" in loud.stdout and "in 1 file" not in quiet.stdout
    assert quiet.exit_code == loud.exit_code == 1


def test_quiet_clean_run_prints_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("scan", ".", "-q")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_statistics_count_the_findings_of_each_rule() -> None:
    counted = Counter(f["rule"] for f in findings(invoke("scan", str(EXAMPLE), "--format", "json"))
                      if f["suppressed"] is None)
    result = invoke("scan", str(EXAMPLE), "--statistics")
    lines = result.stdout.splitlines()
    assert result.exit_code == 1
    table = {line.split()[1]: int(line.split()[0]) for line in lines[:-1]}
    assert table == dict(counted)
    assert [int(line.split()[0]) for line in lines[:-1]] == sorted(counted.values(), reverse=True)
    assert "(1 fixable)" in result.stdout and lines[-1].endswith("files")
    beside_json = invoke("scan", str(EXAMPLE), "--statistics", "--format", "json")
    assert json.loads(beside_json.stdout)["version"] == 1 and "CAL001" in beside_json.stderr


# ------------------------------------------------------------------------------------------ progress


def test_the_pipeline_reports_progress_through_the_callback_and_prints_nothing(capsys) -> None:
    seen: list[Progress] = []
    request = ScanRequest((str(EXAMPLE),), Config(), REPO.as_posix(), datetime.date(2026, 12, 1), progress=seen.append)
    report, _ = run_scan(request, RULES)
    assert capsys.readouterr() == ("", "")
    reading = [p for p in seen if not p.rules_total]
    judging = [p for p in seen if p.rules_total]
    assert reading and [p.files_read for p in reading] == sorted(p.files_read for p in reading)
    assert [p.rules_checked for p in judging] == list(range(1, len(RULES) + 1))
    assert judging[-1].files_read == len(report.files)


def test_progress_line_waits_then_draws_in_place_then_erases() -> None:
    now = [0.0]
    stream = io.StringIO()
    line = ProgressLine(stream, clock=lambda: now[0], delay=0.5, interval=0.1)
    line(Progress(3))
    assert stream.getvalue() == ""  # a short run shows nothing
    now[0] = 0.6
    line(Progress(10))
    now[0] = 0.65
    line(Progress(11))  # too soon to redraw
    now[0] = 0.8
    line(Progress(12, 2, 14))
    line.close()
    drawn = stream.getvalue().split("\r")
    assert drawn[1:3] == ["calico-lint: 10 files read", "calico-lint: 12 files read, 2/14 rules checked"]
    assert drawn[-2].strip() == "" and drawn[-1] == ""


def test_no_progress_when_stderr_is_not_a_terminal(infra: Path) -> None:
    assert invoke("scan", ".").stderr == ""


# ------------------------------------------------------------------------------------------ colour


@pytest.mark.parametrize("flag,environ,isatty,expected", [
    (None, {}, True, True),
    (None, {}, False, False),
    (None, {"NO_COLOR": "1"}, True, False),
    (None, {"NO_COLOR": ""}, True, True),  # NO_COLOR counts only when not empty
    (None, {"TERM": "dumb"}, True, False),
    (None, {"FORCE_COLOR": "1"}, False, True),
    (None, {"FORCE_COLOR": "1", "NO_COLOR": "1", "TERM": "dumb"}, False, True),
    (None, {"FORCE_COLOR": "0"}, True, False),
    (True, {"NO_COLOR": "1", "TERM": "dumb"}, False, True),
    (False, {"FORCE_COLOR": "1"}, True, False),
])
def test_colour_decision(flag, environ, isatty, expected) -> None:
    assert use_color(flag, environ, isatty) is expected


def _in_process(*args: str, **env: str) -> str:
    """In-process output goes to a pipe too (not a terminal): click strips colour there unless told."""
    environ = {"NO_COLOR": None, "FORCE_COLOR": None, "TERM": None, **env}  # None: unset for the run
    return CliRunner().invoke(cli, ["scan", str(EXAMPLE), *args], env=environ, catch_exceptions=False).stdout


def test_forced_colour_survives_a_pipe() -> None:
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    piped = subprocess.run([sys.executable, "-m", "linter", "scan", str(EXAMPLE)], capture_output=True, text=True,
                           env={**environment, "FORCE_COLOR": "1"}, timeout=120).stdout
    assert "\x1b[" in piped
    assert "\x1b[" in _in_process("--color", NO_COLOR="1")
    assert "\x1b[" not in _in_process()
    assert "\x1b[" not in _in_process(TERM="dumb", NO_COLOR="")
    assert "\x1b[" not in _in_process("--format", "json", "--color")  # colour is for the text report only
