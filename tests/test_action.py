"""The GitHub Action (action.yml) run locally: its `run:` steps, with the inputs as the runner passes
them (environment variables), in a temporary repository. `uses:` steps are not run: setup-python
because this Python stands in for it, upload-sarif because it needs GitHub (its inputs are checked).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
EXAMPLE = REPO / "examples" / "terraform-cluster"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def _installs(step: dict) -> bool:
    return "pip install" in step.get("run", "")


def _value(name: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]]) -> str:
    """The expressions action.yml uses: inputs.<name> and steps.<id>.outputs.<name>."""
    if name.startswith("inputs."):
        return inputs[name.removeprefix("inputs.")]
    step, _, output = name.removeprefix("steps.").partition(".outputs.")
    assert name.startswith("steps.") and output, f"the test cannot evaluate {name!r}"
    return outputs.get(step, {}).get(output, "")


def _expand(text: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]]) -> str:
    return EXPRESSION.sub(lambda m: _value(m.group(1), inputs, outputs), text)


def _condition(text: str | None, inputs: dict[str, str], outputs: dict[str, dict[str, str]]) -> bool:
    if text is None:
        return True
    match = re.fullmatch(r"([\w.-]+)\s*==\s*'([^']*)'", text.strip())
    assert match, f"the test cannot evaluate `if: {text}`"
    return _value(match.group(1), inputs, outputs) == match.group(2)


def run_action(workspace: Path, action_path: Path, path_dirs: list[Path], **given: str) -> dict:
    """action.yml's steps but the install (done once, by the `installed` fixture)."""
    steps = [step for step in ACTION["runs"]["steps"] if not _installs(step)]
    return run_steps(steps, workspace, action_path, path_dirs, **given)


def run_steps(steps: list[dict], workspace: Path, action_path: Path, path_dirs: list[Path], **given: str) -> dict:
    """Run steps as the runner would; returns the outputs, the upload it would make, the logs."""
    inputs = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    inputs.update({name.replace("_", "-"): value for name, value in given.items()})
    outputs: dict[str, dict[str, str]] = {}
    result: dict = {"logs": [], "upload": None, "failed": None}
    for number, step in enumerate(steps):
        if not _condition(step.get("if"), inputs, outputs):
            continue
        if "uses" in step:
            if "upload-sarif" in step["uses"]:
                result["upload"] = {k: _expand(str(v), inputs, outputs) for k, v in step["with"].items()}
            continue
        assert step["shell"] == "bash" and EXPRESSION.search(step["run"]) is None, "inputs must reach scripts as env"
        output_file = workspace.parent / f"output-{number}"
        output_file.write_text("")
        env = {**{k: v for k, v in os.environ.items() if k != "NO_COLOR"},
               **{k: _expand(str(v), inputs, outputs) for k, v in step.get("env", {}).items()},
               "GITHUB_ACTION_PATH": str(action_path), "GITHUB_WORKSPACE": str(workspace),
               "GITHUB_OUTPUT": str(output_file),
               "PATH": os.pathsep.join([*map(str, path_dirs), os.environ["PATH"]])}
        # the runner's `shell: bash` is `bash --noprofile --norc -eo pipefail {0}`
        script = workspace.parent / f"step-{number}.sh"
        script.write_text(step["run"])
        completed = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=workspace,
                                   env=env, capture_output=True, text=True, timeout=300)
        result["logs"].append((step["name"], completed.returncode, completed.stdout, completed.stderr))
        if "id" in step:
            outputs[step["id"]] = dict(line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line)
        if completed.returncode != 0:
            result["failed"] = (step["name"], completed.returncode)
            break
    result["outputs"] = outputs
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The Action's install step, run for real: into a fresh environment (whose python is first on
    PATH), from a copy of this checkout as GITHUB_ACTION_PATH. calico-lint's dependencies come from
    this test environment (a .pth file), so pip installs only calico-lint itself."""
    base = tmp_path_factory.mktemp("action")
    action_path = base / "calico-lint"
    shutil.copytree(REPO, action_path, ignore=shutil.ignore_patterns(
        ".git", "build", "dist", "*.egg-info", "__pycache__", ".venv", ".ci-venv", "tests", "bench", ".hypothesis"))
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    workspace = base / "install-workspace"
    workspace.mkdir()
    install = next(step for step in ACTION["runs"]["steps"] if _installs(step))
    result = run_steps([install], workspace, action_path, [venv / "bin"])
    name, code, stdout, stderr = result["logs"][0]
    if code != 0 and re.search(r"Could not find a version|No matching distribution|connection|Network", stderr, re.I):
        pytest.skip(f"pip could not fetch the build backend: {stderr.strip()[-200:]}")
    assert code == 0, stdout + stderr
    assert (venv / "bin" / "calico-lint").exists()
    return action_path, venv / "bin"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    workspace = tmp_path / "repo"
    (workspace / ".git").mkdir(parents=True)
    shutil.copytree(EXAMPLE, workspace / "infra")
    return workspace


@pytest.mark.slow  # installs calico-lint into a fresh environment first
def test_the_action_installs_scans_writes_sarif_uploads_and_fails_on_findings(installed, repo: Path) -> None:
    action_path, bin_dir = installed
    result = run_action(repo, action_path, [bin_dir], paths="infra", category="calico-lint-infra")
    assert result["failed"] == ("Fail on findings", 1)
    scan = next(log for log in result["logs"] if log[0] == "Run calico-lint")
    assert scan[1] == 0 and "::error file=infra/main.tf," in scan[2]  # annotations in the log (format: github)
    assert result["outputs"]["scan"] == {"exit-code": "1", "sarif-file": "calico-lint.sarif"}
    log = json.loads((repo / "calico-lint.sarif").read_text())
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert uris <= {"infra/main.tf", "infra/calico.yaml"} and uris
    assert result["upload"] == {"sarif_file": "calico-lint.sarif", "category": "calico-lint-infra"}


@pytest.mark.slow  # installs calico-lint into a fresh environment first
def test_the_action_passes_a_clean_repository_and_can_leave_the_upload(installed, repo: Path) -> None:
    action_path, bin_dir = installed
    result = run_action(repo, action_path, [bin_dir], paths="infra", fail_on="error",
                        args="--select CAL005 --exit-zero", upload_sarif="false", format="text",
                        sarif_file="out/report.sarif")
    assert result["failed"] is None and result["upload"] is None
    assert result["outputs"]["scan"]["exit-code"] == "0"
    assert json.loads((repo / "out" / "report.sarif").read_text())["runs"][0]["results"]


@pytest.mark.slow  # installs calico-lint into a fresh environment first
def test_a_usage_error_stops_before_the_upload(installed, repo: Path) -> None:
    action_path, bin_dir = installed
    result = run_action(repo, action_path, [bin_dir], paths="infra missing-dir")
    assert result["failed"] == ("Run calico-lint", 2) and result["upload"] is None


def test_every_input_is_documented_and_reaches_the_scripts_as_env() -> None:
    assert all(spec.get("description") for spec in ACTION["inputs"].values())
    used = {m.group(1) for step in ACTION["runs"]["steps"] for text in (*map(str, step.get("env", {}).values()),
            *map(str, step.get("with", {}).values()), step.get("if", "")) for m in re.finditer(r"inputs\.([\w-]+)", text)}
    assert used == set(ACTION["inputs"])
    install = next(step for step in ACTION["runs"]["steps"] if _installs(step))
    assert '"$GITHUB_ACTION_PATH"' in install["run"]  # from the action's own checkout


def _readme_yaml_blocks() -> list:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", text, re.S)]


def test_the_readme_workflow_uses_the_action_as_it_is() -> None:
    workflow = next(b for b in _readme_yaml_blocks() if isinstance(b, dict) and "jobs" in b)
    assert workflow["permissions"]["security-events"] == "write"
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    ours = next(step for step in steps if step.get("uses", "").startswith("calico-lint/calico-lint@"))
    assert set(ours["with"]) <= set(ACTION["inputs"]) and "category" in ours["with"]
    upload = next(step for step in ACTION["runs"]["steps"] if "upload-sarif" in step.get("uses", ""))
    assert set(upload["with"]) == {"sarif_file", "category"}
