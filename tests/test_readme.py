"""The README as a newcomer follows it, and the references every rule cites."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from linter.engine import load_rules

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def _yaml_blocks() -> list:
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", README, re.S)]


def test_every_rule_reference_is_a_published_page() -> None:
    for rule in load_rules():
        for reference in rule.doc.references:
            assert "seed" not in reference and "shared/" not in reference, (rule.id, reference)
            assert re.search(r"https://\S+", reference) or "README" in reference, (rule.id, reference)


def test_the_precommit_snippet_names_our_hook_and_a_revision_a_user_can_get() -> None:
    config = next(b for b in _yaml_blocks() if isinstance(b, dict) and "repos" in b)
    repo, = config["repos"]
    hooks = {hook["id"] for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert {hook["id"] for hook in repo["hooks"]} <= hooks
    tags = subprocess.run(["git", "tag", "--list"], cwd=REPO, capture_output=True, text=True).stdout.split()
    rev = repo["rev"]
    # a tag that exists, a commit, or the branch that `pre-commit autoupdate` (which the README says to run) pins
    assert rev in tags or re.fullmatch(r"[0-9a-f]{40}", rev) or (
        rev == "main" and f"pre-commit autoupdate --repo {repo['repo']}" in README), rev


def test_the_options_the_readme_lists_exist() -> None:
    from linter.cli import scan

    known = {opt for param in scan.params for opt in (*param.opts, *param.secondary_opts)}
    listed = set(re.findall(r"^\| `(--[a-z-]+)", README, re.M))
    assert listed and listed <= known, listed - known


def test_the_readme_lists_every_limit_with_its_value() -> None:
    from linter import limits

    section = README.split("## On untrusted pull requests", 1)[1].split("\n## ", 1)[0]
    for name in (n for n in vars(limits) if n.startswith("MAX_")):
        value = getattr(limits, name)
        shown = f"{value // 1024 ** 2} MiB" if value % 1024 ** 2 == 0 else f"{value:,}"
        assert f"| `{name}` | {shown} |" in section, name
