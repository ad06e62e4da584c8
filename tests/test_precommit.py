"""`pre-commit try-repo` of this repository against a sample repository runs the hook and fails on a bad .tf."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pre-commit") is None and not (Path(os.sys.executable).parent / "pre-commit").exists(),
                    reason="pre-commit is not installed (pip install -e '.[test]' installs it)")
def test_try_repo_fails_on_a_bad_terraform_file(tmp_path: Path) -> None:
    sample = tmp_path / "sample"
    (sample / "infra").mkdir(parents=True)
    (sample / "infra" / "main.tf").write_text('resource "aws_instance" "node" {\n  ami = "ami-1"\n}\n')
    (sample / "infra" / "vars.tf").write_text('variable "unused" {\n  default = 1\n}\n')
    (sample / "README.md").write_text("not linted\n")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "NO_COLOR": "1",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    for command in (["git", "init", "-q"], ["git", "add", "."], ["git", "commit", "-qm", "sample"]):
        subprocess.run(command, cwd=sample, check=True, env=env)
    executable = shutil.which("pre-commit") or str(Path(os.sys.executable).parent / "pre-commit")
    # only vars.tf changed: the hook still lints its whole module directory, main.tf included
    result = subprocess.run([executable, "try-repo", str(REPO), "calico-lint", "--files", "infra/vars.tf"],
                            cwd=sample, capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "infra/main.tf:1:1: CAL003" in result.stdout
