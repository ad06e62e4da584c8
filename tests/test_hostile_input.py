"""The linter run on a hostile pull request (issue 9): confined reads, bounded work, no lost findings.

Each test is one attack and its expected outcome: the exit code, a CAL000 or a note, bounded time
and memory, and a planted secret absent from every output format. Symlinks, devices and big files are
made in tmp dirs; what can be committed lives in tests/fixtures/hostile/. Memory-heavy attacks run in
a subprocess under an address-space limit and a timeout.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
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


# ------------------------------------------------------------------------------ confinement

SECRET = "SECRET-7f3a9c-DO-NOT-LEAK"
FORMATS = ("json", "sarif", "junit", "github")


def _run_all_formats(target: Path, out: Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    """One subprocess run writing every format; (exit code, all outputs and stderr concatenated)."""
    args = [sys.executable, "-m", "linter", "scan", str(target), "--format", "text"]
    for fmt in FORMATS:
        args += ["--format", fmt, "--output", str(out / f"report.{fmt}")]
    result = subprocess.run(args, capture_output=True, text=True, timeout=60, cwd=target,
                            env={**os.environ, "NO_COLOR": "1", **(env or {})})
    texts = [result.stdout, result.stderr] + [(out / f"report.{fmt}").read_text() for fmt in FORMATS]
    return result.returncode, "\n".join(texts)


def _plant_outside(tmp_path: Path) -> tuple[Path, Path]:
    """A repository (with .git) whose infra/ reaches for files outside it; (repository, outside)."""
    outside = tmp_path / "outside"
    (outside / "module").mkdir(parents=True)
    (outside / "secret.txt").write_text(SECRET)
    (outside / "pool.yaml").write_text(
        f"apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: p\nspec:\n"
        f"  cidr: 10.9.0.0/16\n  ipipMode: {SECRET}\n")
    (outside / "module" / "main.tf").write_text(
        f'resource "aws_security_group" "leak" {{\n  name = "{SECRET}"\n}}\n')
    (outside / "nested.yaml").write_text(
        f"Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: {SECRET}\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    infra = repo / "infra"
    infra.mkdir()
    (infra / "main.tf").write_text(FIXTURES.joinpath("reads_outside.tf").read_text())
    (infra / "stack.yaml").write_text(FIXTURES.joinpath("nested_outside.yaml").read_text())
    (infra / "link.yaml").symlink_to(outside / "pool.yaml")
    (infra / "secret.tf").symlink_to(outside / "secret.txt")
    (infra / "inside.sh").write_text("#!/bin/sh\necho inside\n")
    return repo, outside


def test_nothing_read_from_outside_reaches_any_output(tmp_path: Path) -> None:
    repo, outside = _plant_outside(tmp_path)
    code, outputs = _run_all_formats(repo / "infra", tmp_path, env={"CALICO_LINT_TOKEN": SECRET})
    assert code in (0, 1), outputs
    assert SECRET not in outputs
    assert str(outside) not in outputs.replace(str(outside) + "/pool.yaml", "")  # no path learnt by abspath()
    assert "Traceback" not in outputs
    assert "outside the scanned tree" in outputs


def test_refused_reads_are_unknown_outside_the_tree(tmp_path: Path) -> None:
    from linter.terraform.modules import load_terraform

    repo, _ = _plant_outside(tmp_path)
    load = load_terraform([str(repo / "infra")])
    values = next(r for r in load.resources if r.address == "null_resource.reads").instances[0].values
    for name in ("environ", "relative", "template", "exists", "base64", "absolute"):
        assert "outside the scanned tree" in str(values[name]), (name, values[name])
    assert values["inside"] == "#!/bin/sh\necho inside\n"
    assert values["inside_exists"] is True and values["repo_file"].endswith("/repo/infra/inside.sh")
    assert not any(r.address.startswith("module.outside") for r in load.resources)
    assert any("outside the scanned tree" in note for note in load.notes)
    assert any("secret.tf" in p.where.file and "outside the scanned tree" in p.message for p in load.problems)


def test_the_walk_survives_dangling_looping_and_special_files(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    root.mkdir()
    (root / "dangling.yaml").symlink_to(root / "nowhere.yaml")
    (root / "loop.yaml").symlink_to(root / "loop.yaml")
    (root / "zero.yaml").symlink_to("/dev/zero")
    os.mkfifo(root / "fifo.yaml")
    (root / "up").symlink_to(tmp_path)  # a directory link out of the tree: never walked
    (root / "pool.yaml").write_text(
        "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: p\nspec:\n  cidr: 10.9.0.0/16\n"
        "  ipipMode: Sometimes\n")
    code, output = lint(str(root), "--format", "json")
    report = json.loads(output)
    assert code == 1 and {f["rule"] for f in report["findings"]} >= {"CAL011"}
    notes = {f["file"]: f["message"] for f in report["findings"] if f["rule"] == "CAL000"}
    assert "dangling symbolic link" in notes[str(root / "dangling.yaml")]
    assert "symbolic link loop" in notes[str(root / "loop.yaml")]
    assert "outside the scanned tree" in notes[str(root / "zero.yaml")]
    assert "FIFO" in notes[str(root / "fifo.yaml")]


def test_devices_are_never_read_even_inside_the_roots(tmp_path: Path) -> None:
    from linter.confine import Confinement, Refused

    everything = Confinement(("/",))
    refused = everything.read_bytes("/dev/zero")
    assert isinstance(refused, Refused) and "character device" in refused.reason
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 2048)
    refused = everything.read_bytes(str(big), limit=1024)
    assert isinstance(refused, Refused) and "limit of 1,024 bytes" in refused.reason


# ------------------------------------------------------------------------------ bounded work

MEMORY_LIMIT = 1024 ** 3  # 1 GiB of address space for the linter under attack
TIME_LIMIT = 20  # seconds before the subprocess is killed; each attack must end far sooner


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def scan_bounded(target: Path) -> tuple[int, dict, float]:
    """The CLI in a subprocess under a memory limit and a timeout: (exit code, JSON report, seconds)."""
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "linter", "scan", str(target), "--format", "json"],
                            capture_output=True, text=True, timeout=TIME_LIMIT, preexec_fn=_limited,
                            cwd=target if target.is_dir() else target.parent)
    elapsed = time.monotonic() - start
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr, result.stderr[-2000:]
    return result.returncode, json.loads(result.stdout), elapsed


@pytest.mark.parametrize("attack,expected", [
    ("tf_strings_doubled", ""),  # the values are UNKNOWN (next test); no rule reads a null_resource
    ("tf_nested_for", "evaluation steps per root module"),
    ("tf_instances", "instances per root module"),
    ("tf_shared_lists", ""),
    ("tf_yamldecode", ""),
    ("calico_laughs", "aliases expand to more than"),
    ("cfn_laughs", "aliases expand to more than 250,000 nodes"),
    ("tf_regex", ""),
])
def test_attacks_end_fast_naming_the_limit(attack: str, expected: str) -> None:
    code, report, elapsed = scan_bounded(FIXTURES / attack)
    assert code in (0, 1) and elapsed < 8, (code, elapsed)
    assert expected in json.dumps(report)


@pytest.mark.parametrize("attack,value,limit", [
    ("tf_strings_doubled", "v", "characters per string"),
    ("tf_shared_lists", "w", "elements or"),
    ("tf_yamldecode", "v", "aliases expand to more than 1,000,000 nodes"),
])
def test_values_over_a_limit_are_unknown_naming_it(attack: str, value: str, limit: str) -> None:
    from linter.terraform.modules import load_terraform

    [resource] = load_terraform([str(FIXTURES / attack)]).resources
    found = resource.instances[0].values[value]
    assert limit in str(found), found  # UNKNOWN, or a list of UNKNOWNs, that names the limit


def test_terraform_regex_is_linear_and_invalid_patterns_are_errors(tmp_path: Path) -> None:
    from linter.terraform.modules import load_terraform

    start = time.monotonic()
    [resource] = load_terraform([str(FIXTURES / "tf_regex")]).resources
    values = resource.instances[0].values
    assert time.monotonic() - start < 2
    assert values["matches"] == [] and values["replaced"].endswith("y")
    assert str(values["invalid"]).startswith("<unknown: regex(")  # RE2 has no backreferences: Terraform rejects it


def test_a_symlink_to_dev_zero_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "calico.yaml").symlink_to("/dev/zero")
    (tmp_path / "main.tf").symlink_to("/dev/zero")
    code, report, elapsed = scan_bounded(tmp_path)
    assert code == 1 and elapsed < 8
    assert {f["rule"] for f in report["findings"]} == {"CAL000"}


# ------------------------------------------------------------------------------ one broken file


def test_one_broken_file_never_costs_the_others(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import linter.calico
    import linter.terraform

    (tmp_path / "pool.yaml").write_text(
        "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: p\nspec:\n  cidr: 10.9.0.0/16\n")
    (tmp_path / "main.tf").write_text(EXAMPLE.joinpath("main.tf").read_text())

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("a reader's bug")

    monkeypatch.setattr(linter.calico, "load_calico_file", broken)
    code, output = lint(str(tmp_path), "--format", "json")
    findings = json.loads(output)["findings"]
    assert code == 1
    [internal] = [f for f in findings if f["rule"] == "CAL000"]
    assert internal["file"].endswith("pool.yaml") and "internal error reading this file" in internal["message"]
    assert "please report it" in internal["message"]
    assert any(f["file"].endswith("main.tf") and f["rule"] != "CAL000" for f in findings)
    monkeypatch.setattr(linter.terraform, "load_modules", broken)
    code, output = lint(str(tmp_path), "--format", "json", "--no-cache")  # the code changed: not the last report
    assert code == 1 and {f["rule"] for f in json.loads(output)["findings"]} == {"CAL000"}


@pytest.mark.parametrize("name,text", [
    ("ports.tf", 'resource "aws_security_group_rule" "r" {\n  type = "ingress"\n  from_port = 1e400\n'
                 '  to_port = 1e400\n  protocol = "tcp"\n  security_group_id = "sg-1"\n  cidr_blocks = ["0.0.0.0/0"]\n}\n'),
    ("same_name.tf", 'resource "aws_security_group" "g" {\n  ingress = []\n  ingress {\n    from_port = 179\n  }\n}\n'),
    ("inf.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  R:\n    Type: AWS::EC2::SecurityGroupIngress\n"
                 "    Properties:\n      GroupId: sg-1\n      IpProtocol: tcp\n      FromPort: .inf\n      ToPort: .inf\n"
                 "      CidrIp: 0.0.0.0/0\n"),
    ("plan.json", '{"format_version": "1.2", "planned_values": {"root_module": {"resources": [{"address": "aws_security_group_rule.r",'
                  ' "mode": "managed", "type": "aws_security_group_rule", "name": "r", "values": {"from_port": '
                  + "9" * 5000 + '}}]}}}'),
])
def test_numbers_that_are_not_ports_are_not_crashes(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text)
    code, output = lint(str(tmp_path), "--format", "json")
    assert code in (0, 1) and "internal error" not in output


# ------------------------------------------------------------------------------ encodings and sizes


def test_utf16_and_bom_plans_are_read(tmp_path: Path) -> None:
    plan = {"format_version": "1.2", "planned_values": {"root_module": {"resources": [
        {"address": "aws_instance.k8s_node", "mode": "managed", "type": "aws_instance", "name": "k8s_node",
         "values": {"ami": "ami-1", "source_dest_check": True, "tags": {"kubernetes.io/cluster/c": "owned"}}}]}}}
    text = json.dumps(plan)
    (tmp_path / "utf16.json").write_bytes("\ufeff".encode("utf-16-le") + text.encode("utf-16-le"))
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + text.encode())
    code, output = lint(str(tmp_path), "--format", "json")
    files = {f["file"].rsplit("/", 1)[-1] for f in json.loads(output)["findings"] if f["rule"] == "CAL003"}
    assert code == 1 and files == {"utf16.json", "bom.json"}


def test_a_file_of_ours_over_the_size_limit_is_a_cal000(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import linter.confine

    monkeypatch.setattr(linter.confine, "MAX_FILE_BYTES", 4096)  # what 64 MiB is, made quick to test
    monkeypatch.setattr(linter.confine.Confinement.read_bytes, "__defaults__", (4096,))
    (tmp_path / "plan.json").write_text('{"format_version": "1.2", "planned_values": {}, "pad": "'
                                        + "x" * 8192 + '"}')
    (tmp_path / "big-data.json").write_text('{"pad": "' + "x" * 8192 + '"}')  # not ours: ignored
    (tmp_path / "latin1.yaml").write_bytes(b"apiVersion: projectcalico.org/v3\nkind: IPPool # caf\xe9\n")
    code, output = lint(str(tmp_path), "--format", "json")
    problems = {f["file"].rsplit("/", 1)[-1]: f["message"] for f in json.loads(output)["findings"]}
    assert code == 1 and set(problems) == {"plan.json", "latin1.yaml"}
    assert "limit of 4,096 bytes" in problems["plan.json"] and "not UTF-8" in problems["latin1.yaml"]


# ------------------------------------------------------------------------------ CIDRs as sets


def _cal008(target: Path) -> dict[str, str]:
    code, output = lint(str(target), "--format", "json", "--select", "CAL008")
    assert code in (0, 1), output
    return {f["resource"]: f["message"] for f in json.loads(output)["findings"] if f["level"] != "note"}


def test_bgp_open_to_the_internet_however_written() -> None:
    found = _cal008(FIXTURES / "cal008_dodges")
    assert set(found) == {"aws_security_group_rule.halves", "aws_security_group_rule.ipv6_spelled_long",
                          "aws_security_group_rule.prefix_list"}
    assert "0.0.0.0/1, 128.0.0.0/1" in found["aws_security_group_rule.halves"]


def test_a_cloudformation_prefix_list_is_resolved() -> None:
    assert set(_cal008(FIXTURES / "cal008_prefix_list")) == {"Bgp"}


# a document of millions of nodes as written, no alias needed: composing it alone took 48 s and 2.4 GB
# (a 10 MB Calico file) or 8 s and 600 MB (a 3 MB CloudFormation template)
@pytest.mark.parametrize("name,text,limit", [
    ("ippool.yaml", "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p}\nspec:\n"
     "  cidr: 10.0.0.0/16\n  junk: [" + ",".join(["0"] * 3_000_000) + "]\n", "more than 1,000,000 nodes"),
    ("template.json", json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16", "Tags": [0] * 1_000_000}}}}),
     "more than 250,000 nodes"),
    ("template.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\nJunk: [" + "0," * 2_500_000 + "0]\n",
     "CloudFormation itself accepts at most 1 MB"),
])
def test_huge_documents_are_refused_before_they_are_built(tmp_path: Path, name: str, text: str, limit: str) -> None:
    (tmp_path / name).write_text(text)
    code, report, elapsed = scan_bounded(tmp_path)
    assert code == 1 and elapsed < 8, (code, elapsed)
    assert [f for f in report["findings"] if f["rule"] == "CAL000" and limit in f["message"]], report["findings"]


@pytest.mark.parametrize("text,limit", [
    # operators send the file to the full parser: 2 MB of `1+1,` took 35 s and 1.6 GB there
    ("locals {\n  x = [" + ",".join(["1+1"] * 200_000) + "]\n}\n", "more than 500,000 tokens for the full parser"),
    ("locals {\n  x = [" + ",".join(["1"] * 600_000) + "]\n}\n", "more than 1,000,000 tokens in one file"),
])
def test_huge_terraform_files_are_refused_before_they_are_parsed(tmp_path: Path, text: str, limit: str) -> None:
    (tmp_path / "main.tf").write_text(text + 'resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n}\n')
    code, report, elapsed = scan_bounded(tmp_path)
    assert code == 1 and elapsed < 8, (code, elapsed)
    assert [f for f in report["findings"] if f["rule"] == "CAL000" and limit in f["message"]], report["findings"]


def test_the_json_fallback_counts_nodes_before_cfn_lints_pure_python_decoder() -> None:
    # the YAML scanner errors that send a template to JSON (a tab, an escape) come from PyYAML's Python
    # scanner; libyaml words them otherwise, so the fallback is called here directly
    import yaml

    from linter.cloudformation.decode import _json_fallback

    scanner_error = yaml.scanner.ScannerError(problem="found character '\\t' that cannot start any token")
    big = '{"Resources": {}, "Junk": [' + "0," * 300_000 + "0]}"
    start = time.monotonic()
    template, errors = _json_fallback(big, scanner_error)
    assert template is None and "more than 250,000 nodes" in errors[0].message and time.monotonic() - start < 2
    template, errors = _json_fallback('{"Resources": {"A": {"Type": "AWS::EC2::VPC"}}}', scanner_error)
    assert errors == () and template["Resources"]["A"]["Type"] == "AWS::EC2::VPC"


def test_a_configuration_file_is_bounded_like_every_yaml_file(tmp_path: Path) -> None:
    # the scanned tree's .calico-lint.yaml is the pull request's too: its aliases once hung the run
    laughs = ["x-shared:", "  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"] + [
        f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    (tmp_path / ".calico-lint.yaml").write_text("\n".join(laughs) + "\nnodes:\n  include: *a8\n")
    (tmp_path / "main.tf").write_text('resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n}\n')
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "linter", "scan", "."], capture_output=True, text=True,
                            timeout=TIME_LIMIT, preexec_fn=_limited, cwd=tmp_path)
    assert result.returncode == 2 and time.monotonic() - start < 8
    assert "aliases expand to more than 1,000,000 nodes" in result.stdout + result.stderr
