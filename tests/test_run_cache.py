"""The run cache: a scan of an unchanged tree reads its report; any change to what the scan read, listed or
checked (or to what it was asked) computes it again, and the report is the one a scan without cache gives."""
from __future__ import annotations

import datetime
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

import linter.scan as scan_module
from linter.cache import ContentCache
from linter.config import Config
from linter.engine import load_rules
from linter.run_cache import KIND
from linter.scan import ScanRequest, scan, scan_report

RULES = load_rules()
TODAY = datetime.date(2026, 6, 1)
NODES = '''resource "aws_security_group" "nodes" {
  name = "k8s-nodes"
}

resource "aws_instance" "k8s_workers" {
  count                  = 2
  vpc_security_group_ids = [aws_security_group.nodes.id]
  user_data              = file("${path.module}/boot.sh")
}
'''


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "infra").mkdir()
    modules = 'module "net" {\n  source = "../modules/net"\n}\n\nmodule "later" {\n  source = "../modules/later"\n}\n'
    (root / "infra" / "main.tf").write_text(NODES + modules)  # modules/later is not there yet
    (root / "infra" / "boot.sh").write_text("#!/bin/sh\n")
    (root / "modules" / "net").mkdir(parents=True)
    (root / "modules" / "net" / "vpc.tf").write_text('resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n')
    return root


class Counting:
    """Counts the scans that built a model (a run-cache miss builds one; a hit does not)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.built = 0
        real = scan_module.build_model

        def counting(*args: object, **kwargs: object) -> scan_module.Built:
            self.built += 1
            return real(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(scan_module, "build_model", counting)


def request(repo: Path, cache: Path, **changes: object) -> ScanRequest:
    base = ScanRequest((str(repo / "infra"),), Config(), str(repo), TODAY, cache_dir=str(cache), rules_digest="r1")
    return replace(base, **changes)


def test_an_unchanged_tree_reads_the_report_a_scan_without_cache_gives(repo: Path, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    counting = Counting(monkeypatch)
    first = scan_report(request(repo, tmp_path / "cache"), RULES)
    second = scan_report(request(repo, tmp_path / "cache"), RULES)
    assert counting.built == 1
    assert second == first == scan(replace(request(repo, tmp_path / "cache"), cache_dir=None), RULES)[0]


@pytest.mark.parametrize("change", [
    lambda repo: (repo / "infra" / "main.tf").write_text(NODES.replace("k8s-nodes", "nodes-2")),  # an edit
    lambda repo: (repo / "infra" / "extra.tf").write_text('variable "x" {}\n'),  # a file added to a module
    lambda repo: (repo / "modules" / "net" / "more.tf").write_text('variable "y" {}\n'),  # to a called module
    lambda repo: (repo / "modules" / "net" / "vpc.tf").unlink(),  # removed
    lambda repo: shutil.rmtree(repo / "modules"),  # the called module's directory gone
    lambda repo: (repo / "modules" / "later").mkdir(),  # a called module's directory that was not there
    lambda repo: (repo / "infra" / "boot.sh").write_text("#!/bin/sh\nkubelet\n"),  # what file() reads
    lambda repo: (repo / "infra" / "terraform.tfvars").write_text('x = "1"\n'),  # variables found by name
])
def test_a_change_to_what_the_scan_read_is_a_miss(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   change) -> None:
    scan_report(request(repo, tmp_path / "cache"), RULES)
    change(repo)
    expected = scan(replace(request(repo, tmp_path / "cache"), cache_dir=None), RULES)[0]
    counting = Counting(monkeypatch)
    assert scan_report(request(repo, tmp_path / "cache"), RULES) == expected
    assert counting.built == 1
    assert scan_report(request(repo, tmp_path / "cache"), RULES) == expected
    assert counting.built == 1  # the fresh report is what the next scan reads


@pytest.mark.parametrize("changes", [
    {"today": TODAY + datetime.timedelta(days=1)},  # suppressions expire
    {"baseline": frozenset({"abc"})},
    {"config": Config(variables=(("x", "2"),))},
    {"config": Config(ignore=frozenset({"CAL003"}))},
    {"rules_digest": "r2"},
    {"root": "/elsewhere"},
])
def test_a_change_to_what_the_scan_was_asked_is_a_miss(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       changes: dict) -> None:
    scan_report(request(repo, tmp_path / "cache"), RULES)
    counting = Counting(monkeypatch)
    scan_report(request(repo, tmp_path / "cache", **changes), RULES)
    assert counting.built == 1


def test_without_the_rules_digest_there_is_no_run_cache(repo: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    counting = Counting(monkeypatch)
    for _ in range(2):
        scan_report(request(repo, tmp_path / "cache", rules_digest=""), RULES)
    assert counting.built == 2


def test_a_damaged_run_entry_is_a_miss_and_is_rewritten(repo: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    scan_report(request(repo, tmp_path / "cache"), RULES)
    [entry] = [p for p in (tmp_path / "cache" / "v1" / KIND).rglob("*") if p.is_file()]
    entry.write_bytes(entry.read_bytes()[:-50])
    counting = Counting(monkeypatch)
    scan_report(request(repo, tmp_path / "cache"), RULES)
    scan_report(request(repo, tmp_path / "cache"), RULES)
    assert counting.built == 1


def test_a_changed_version_is_a_miss(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scan_report(request(repo, tmp_path / "cache"), RULES)
    real = ContentCache

    def other_version(directory: str, version: str = "", limit: int = 1 << 28) -> ContentCache:
        return real(directory, version + ".1", limit)

    monkeypatch.setattr(scan_module, "ContentCache", other_version)
    counting = Counting(monkeypatch)
    scan_report(request(repo, tmp_path / "cache"), RULES)
    assert counting.built == 1
