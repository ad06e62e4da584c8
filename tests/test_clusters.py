"""Repositories with many deployments and clusters (issue 11): nodes by evidence, clusters, scoped Calico."""
from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from linter.config import Config
from linter.engine import load_rules
from linter.engine.facts import kubernetes_word
from linter.model import Report
from linter.reporters.describe import describe_data
from linter.scan import ScanRequest, build_model, scan
from linter.discover import discover

RULES = load_rules()
TODAY = datetime.date(2026, 12, 1)

WEB = """
resource "aws_vpc" "web" {
  cidr_block = "10.200.0.0/16"
}
resource "aws_subnet" "web" {
  vpc_id     = aws_vpc.web.id
  cidr_block = "10.200.1.0/24"
}
resource "aws_security_group" "web" {
  vpc_id = aws_vpc.web.id
  ingress {
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_instance" "web" {
  count                  = 2
  subnet_id              = aws_subnet.web.id
  vpc_security_group_ids = [aws_security_group.web.id]
  tags = {
    Name = "shop-frontend"
  }
}
"""


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _scan(root: Path, paths: tuple[str, ...] = (".",), config: Config = Config()) -> Report:
    request = ScanRequest(tuple(str(root / p) for p in paths), config, root.as_posix(), TODAY)
    report, _ = scan(request, RULES)
    return report


@pytest.mark.parametrize("text, word", [
    ("aws_instance.workers", "workers"), ("aws_autoscaling_group.k8s_nodes", "k8s"), ("eksWorkerPool", "eks"),
    ("module.rke2.aws_instance.server", "rke2"), ("master0", "master0"), ("aws_instance.control-plane", "control-plane"),
    ("ControllerInstance", "controller"), ("minions", "minions"), ("KubeNodes", "kube"),
])
def test_kubernetes_words_are_tokens(text: str, word: str) -> None:
    assert kubernetes_word(text) == word


@pytest.mark.parametrize("text", ["aws_instance.nodejs", "aws_instance.k8", "aws_instance.eksport", "Workerless",
                                  "aws_instance.web", "aws_instance.kubelet_host", "aws_instance.controls"])
def test_other_tokens_are_not_kubernetes_words(text: str) -> None:
    assert kubernetes_word(text) is None


def test_a_stack_without_kubernetes_gives_nothing_and_one_note(tmp_path: Path) -> None:
    report = _scan(_write(tmp_path, {"main.tf": WEB}))
    assert [f for f in report.findings if not f.unverified] == []
    notes = [n.message for n in report.notices if "No Kubernetes node" in n.message]
    assert len(notes) == 1 and "1 compute resource passed over" in notes[0] and "nodes.include" in notes[0]


def test_nodes_include_marks_nodes(tmp_path: Path) -> None:
    report = _scan(_write(tmp_path, {"main.tf": WEB}), config=Config(nodes_include=("aws_instance.web",)))
    assert {f.rule for f in report.findings} >= {"CAL001", "CAL003"}
    assert not any("No Kubernetes node" in n.message for n in report.notices)


def test_describe_says_which_evidence_made_each_node(tmp_path: Path) -> None:
    root = _write(tmp_path, {"main.tf": WEB + 'resource "aws_instance" "workers" {\n  subnet_id = aws_subnet.web.id\n}\n'})
    model = build_model(discover([str(root)]), Config()).model
    nodes = {n["resource"]: (n["node"], n["why"]) for n in describe_data(model, Config(), root.as_posix())["node_groups"]}
    assert nodes["aws_instance.workers"] == (True, "the Kubernetes word 'workers' in 'aws_instance.workers'")
    assert nodes["aws_instance.web"] == (False, "nothing says it runs Kubernetes")


def test_nodes_include_overrules_the_default_words_but_not_nodes_exclude(tmp_path: Path) -> None:
    root = _write(tmp_path, {"main.tf": 'resource "aws_instance" "nat_router" {\n  subnet_id = "subnet-1"\n}\n'})
    model = build_model(discover([str(root)]), Config()).model
    include = Config(nodes_include=("aws_instance.nat_*",))
    both = Config(nodes_include=("aws_instance.nat_*",), nodes_exclude=("*router*",))
    taken = [describe_data(model, c, root.as_posix())["node_groups"][0]["node"] for c in (Config(), include, both)]
    assert taken == [False, True, False]


def _root(group: str, rules: str) -> str:
    return f"""
resource "aws_security_group" "{group}" {{
{rules}
}}
resource "aws_launch_template" "workers" {{
  vpc_security_group_ids = [aws_security_group.{group}.id]
}}
resource "aws_autoscaling_group" "workers" {{
  vpc_zone_identifier = ["subnet-1"]
  launch_template {{
    id = aws_launch_template.workers.id
  }}
}}
"""


OPEN = """  ingress {
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
  }"""


def _keys(report: Report, under: str = "") -> set[tuple[str, str, int, str]]:
    return {(f.rule, f.where.file, f.where.line, f.message) for f in report.findings if under in f.where.file}


def test_two_roots_with_the_same_addresses_do_not_see_each_other(tmp_path: Path) -> None:
    root = _write(tmp_path, {"envs/prod/main.tf": _root("prod", ""), "envs/staging/main.tf": _root("staging", OPEN)})
    alone = _scan(root, ("envs/prod",))
    assert {f.rule for f in alone.findings if not f.unverified} >= {"CAL001", "CAL009"}
    together = _scan(root)
    assert _keys(together, "/envs/prod/") == _keys(alone)
    assert _keys(together, "/envs/staging/") == _keys(_scan(root, ("envs/staging",)))
