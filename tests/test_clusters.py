"""Repositories with many deployments and clusters (issue 11): nodes by evidence, clusters, scoped Calico."""
from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest

from linter.config import ClusterSpec, Config
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


def _vpc_stack(name: str, cidr: str, extra: str = "", instance: str = "") -> str:
    """A VPC with one subnet, a security group that admits nothing, and two worker instances."""
    return f"""
resource "aws_vpc" "{name}" {{
  cidr_block = "{cidr}.0.0/16"
}}
resource "aws_subnet" "{name}" {{
  vpc_id     = aws_vpc.{name}.id
  cidr_block = "{cidr}.1.0/24"
}}
resource "aws_security_group" "{name}" {{
  vpc_id = aws_vpc.{name}.id
{extra}
}}
resource "aws_instance" "workers_{name}" {{
  count                  = 2
  subnet_id              = aws_subnet.{name}.id
  vpc_security_group_ids = [aws_security_group.{name}.id]
  source_dest_check      = false
{instance}
}}
"""


def _pairs_of(report: Report, rule: str = "CAL001") -> set[tuple[str, str]]:
    """(receiver's group, sender) of every finding of the rule."""
    return {(f.where.address, r.where.address) for f in report.findings if f.rule == rule for r in f.related
            if r.why.startswith("sender")}


def test_a_root_of_100_vpcs_gives_no_cross_vpc_pair(tmp_path: Path) -> None:
    text = "".join(_vpc_stack(f"v{i}", f"10.{i}") for i in range(100))
    report = _scan(_write(tmp_path, {"main.tf": text}))
    pairs = _pairs_of(report)
    assert len(pairs) == 100
    assert all(group.removeprefix("aws_security_group.") == sender.removeprefix("aws_instance.workers_")
               for group, sender in pairs), sorted(pairs)[:5]


def test_peered_vpcs_and_a_transit_gateway_join_clusters(tmp_path: Path) -> None:
    text = _vpc_stack("a", "10.1") + _vpc_stack("b", "10.2") + _vpc_stack("c", "10.3") + _vpc_stack("d", "10.4") + """
resource "aws_vpc_peering_connection" "ab" {
  vpc_id      = aws_vpc.a.id
  peer_vpc_id = aws_vpc.b.id
}
resource "aws_ec2_transit_gateway" "hub" {
}
resource "aws_ec2_transit_gateway_vpc_attachment" "c" {
  vpc_id             = aws_vpc.c.id
  transit_gateway_id = aws_ec2_transit_gateway.hub.id
}
resource "aws_ec2_transit_gateway_vpc_attachment" "d" {
  vpc_id             = aws_vpc.d.id
  transit_gateway_id = aws_ec2_transit_gateway.hub.id
}
"""
    pairs = {(g.removeprefix("aws_security_group."), s.removeprefix("aws_instance.workers_"))
             for g, s in _pairs_of(_scan(_write(tmp_path, {"main.tf": text})))}
    assert pairs == {(r, s) for group in ("ab", "cd") for r in group for s in group}


def test_a_node_group_whose_vpc_is_unknown_is_judged_with_every_cluster(tmp_path: Path) -> None:
    text = _vpc_stack("a", "10.1") + _vpc_stack("b", "10.2") + """
resource "aws_instance" "workers_x" {
  count             = 2
  subnet_id         = var.subnet
  source_dest_check = false
}
"""
    pairs = _pairs_of(_scan(_write(tmp_path, {"main.tf": text})))
    senders = {s for g, s in pairs if g == "aws_security_group.a"}
    assert senders == {"aws_instance.workers_a", "aws_instance.workers_x"}
    assert ("aws_security_group.a", "aws_instance.workers_b") not in pairs


FELIX_OFF = """apiVersion: projectcalico.org/v3
kind: FelixConfiguration
metadata:
  name: default
spec:
  awsSrcDstCheck: Disable
"""
POLICY_ONLY = """apiVersion: operator.tigera.io/v1
kind: Installation
metadata:
  name: default
spec:
  cni:
    type: AmazonVPC
"""
NEVER_POOL = """apiVersion: projectcalico.org/v3
kind: IPPool
metadata:
  name: {name}
spec:
  cidr: 192.168.0.0/16
  ipipMode: Never
  natOutgoing: true
"""


def _cluster_root(name: str, cidr: str) -> str:
    return _vpc_stack(name, cidr).replace("  source_dest_check      = false\n", "")


def _by_root(report: Report) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for finding in report.findings:
        if not finding.unverified and finding.where.file.endswith(".tf"):
            found.setdefault(Path(finding.where.file).parent.name, set()).add(finding.rule)
    return found


def test_calico_configuration_of_one_cluster_never_changes_another(tmp_path: Path) -> None:
    root = _write(tmp_path, {
        "envs/prod/main.tf": _cluster_root("prod", "10.1"), "envs/prod/calico/felix.yaml": FELIX_OFF,
        "envs/staging/main.tf": _cluster_root("staging", "10.2"), "envs/staging/installation.yaml": POLICY_ONLY,
        "envs/dev/main.tf": _cluster_root("dev", "10.3"), "envs/dev/pool.yaml": NEVER_POOL.format(name="dev"),
    })
    found = _by_root(_scan(root))
    assert found["prod"] == {"CAL001", "CAL002", "CAL009"}  # Felix turns the check off in prod only
    assert not {"CAL001", "CAL002", "CAL003"} & found.get("staging", set())  # policy-only: no routing rules
    assert found["dev"] == {"CAL001", "CAL003", "CAL009"}  # IPIP Never: no CAL002; CAL003 an error
    for name in ("prod", "staging", "dev"):
        alone = _by_root(_scan(root, (f"envs/{name}",)))
        assert alone.get(name) == found.get(name)


def test_a_document_above_several_deployments_applies_to_none_until_clusters_says(tmp_path: Path) -> None:
    root = _write(tmp_path, {"prod/main.tf": _cluster_root("prod", "10.1"), "staging/main.tf": _cluster_root("staging", "10.2"),
                             "calico/felix.yaml": FELIX_OFF})
    report = _scan(root)
    assert {"prod", "staging"} <= {r for r, rules in _by_root(report).items() if "CAL003" in rules}
    notes = [n for n in report.notices if "applies to none" in n.message]
    assert len(notes) == 1 and "calico/felix.yaml" in notes[0].message and "clusters:" in notes[0].message
    config = Config(clusters=(ClusterSpec("prod", (str(root / "prod"),), (str(root / "calico"),)),))
    configured = _scan(root, config=config)
    assert "CAL003" not in _by_root(configured)["prod"] and "CAL003" in _by_root(configured)["staging"]
    assert not any("applies to none" in n.message for n in configured.notices)


def test_a_document_applies_to_every_deployment_of_its_nearest_directory(tmp_path: Path) -> None:
    """A cluster split over a network root and a nodes root shares the Calico configuration beside them."""
    root = _write(tmp_path, {"eu/a/main.tf": _cluster_root("a", "10.1"), "eu/b/main.tf": _cluster_root("b", "10.2"),
                             "eu/calico/felix.yaml": FELIX_OFF, "us/main.tf": _cluster_root("us", "10.3")})
    found = _by_root(_scan(root))
    assert "CAL003" not in found["a"] | found["b"]
    assert "CAL003" in found["us"]


def test_the_default_pool_is_assumed_per_cluster_and_the_note_names_it(tmp_path: Path) -> None:
    root = _write(tmp_path, {"prod/main.tf": _cluster_root("prod", "10.1"), "prod/pool.yaml": NEVER_POOL.format(name="p"),
                             "staging/main.tf": _cluster_root("staging", "10.2")})
    report = _scan(root)
    notes = [n.message for n in report.notices if "No Calico IP pool found" in n.message]
    assert len(notes) == 1 and "cluster staging" in notes[0] and "prod" not in notes[0]
    levels = {Path(f.where.file).parent.name: f.level.value for f in report.findings if f.rule == "CAL003"}
    assert levels == {"prod": "error", "staging": "warning"}


def _group(name: str) -> str:
    return f"""
resource "aws_security_group" "{name}" {{
  vpc_id = aws_vpc.main.id
  egress {{
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}
resource "aws_instance" "workers_{name}" {{
  subnet_id              = aws_subnet.main.id
  vpc_security_group_ids = [aws_security_group.{name}.id]
  source_dest_check      = false
}}
"""


def test_one_finding_per_receiving_group_names_every_sender_and_fixes_them_all(tmp_path: Path) -> None:
    names = ["a", "b", "c", "d", "e", "f"]
    network = """
resource "aws_vpc" "main" {
  cidr_block = "10.1.0.0/16"
}
resource "aws_subnet" "main" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.1.1.0/24"
}
"""
    report = _scan(_write(tmp_path, {"main.tf": network + "".join(_group(n) for n in names)}))
    bgp = [f for f in report.findings if f.rule == "CAL001"]
    assert len(bgp) == len(names)  # one per receiving group, not one per pair (30)
    finding = next(f for f in bgp if f.where.address == "aws_security_group.b")
    senders = sorted(r.where.address for r in finding.related if r.why.startswith("sender"))
    assert senders == [f"aws_instance.workers_{n}" for n in names if n != "b"]
    assert finding.message.endswith("from aws_instance.workers_a, aws_instance.workers_c, aws_instance.workers_d and 2 more")
    assert finding.fix is not None and finding.fix.replacement.count("from_port   = 179") == 5


def test_path_order_changes_no_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from linter.cli import cli

    _write(tmp_path, {"prod/main.tf": _cluster_root("prod", "10.1"), "prod/pool.yaml": NEVER_POOL.format(name="p"),
                      "staging/main.tf": _cluster_root("staging", "10.2"), "web/main.tf": WEB,
                      "calico/felix.yaml": FELIX_OFF})
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    outputs = set()
    for order in (["prod", "staging", "web", "calico"], ["web", "calico", "staging", "prod"]):
        for fmt in ("text", "json", "sarif"):
            result = CliRunner().invoke(cli, ["scan", *order, "--format", fmt], env={"NO_COLOR": "1"})
            outputs.add((fmt, result.stdout))
    assert len(outputs) == 3


EXAMPLE = Path(__file__).resolve().parent.parent / "examples"


def _outputs(report: Report, root: Path) -> list[tuple[str, str, str, int, str, tuple[str, ...]]]:
    return sorted((f.rule, f.level.value, Path(f.where.file).relative_to(root).as_posix(), f.where.line, f.message,
                   tuple(sorted(r.where.address for r in f.related))) for f in report.findings)


def test_the_hook_on_main_tf_alone_reports_exactly_what_ci_reports(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "examples")
    (tmp_path / ".git").mkdir()
    _write(tmp_path, {"web/main.tf": WEB, "calico-docs/pool.yaml": NEVER_POOL.format(name="docs")})
    ci = _scan(tmp_path)
    hook = _scan(tmp_path, ("examples/terraform-cluster/main.tf",))
    mine = [o for o in _outputs(ci, tmp_path) if o[2].startswith("examples/")]
    assert {o[0] for o in mine} >= {"CAL001", "CAL003", "CAL004"}
    assert _outputs(hook, tmp_path) == mine


def test_the_hook_on_a_module_lints_the_roots_that_call_it(tmp_path: Path) -> None:
    module = _cluster_root("nodes", "10.1")
    root = _write(tmp_path, {"modules/cluster/main.tf": module, "envs/prod/main.tf": 'module "c" {\n  source = "../../modules/cluster"\n}\n',
                             "envs/prod/felix.yaml": FELIX_OFF, "envs/dev/main.tf": _cluster_root("dev", "10.2")})
    hook = _scan(root, ("modules/cluster/main.tf",))
    assert {Path(f.where.file).parent.name for f in hook.findings} == {"cluster"}
    assert {f.where.address.split(".")[0] for f in hook.findings} == {"module"}  # evaluated inside envs/prod
    assert "CAL003" not in {f.rule for f in hook.findings}  # with prod's Felix configuration
    assert _keys(hook) == _keys(_scan(root), "/modules/")


def test_the_hook_lints_the_deployments_that_share_calico_configuration(tmp_path: Path) -> None:
    root = _write(tmp_path, {"eu/network/main.tf": _cluster_root("a", "10.1"), "eu/nodes/main.tf": _cluster_root("b", "10.2"),
                             "eu/calico/pool.yaml": NEVER_POOL.format(name="eu"), "us/main.tf": _cluster_root("us", "10.3")})
    for changed in ("eu/network/main.tf", "eu/calico/pool.yaml"):
        hook = _scan(root, (changed,))
        assert {Path(f.where.file).parent.name for f in hook.findings if f.where.file.endswith(".tf")} == {"network", "nodes"}
        assert _keys(hook) == _keys(_scan(root), "/eu/")


def test_calico_paths_apply_to_every_cluster(tmp_path: Path) -> None:
    root = _write(tmp_path, {"prod/main.tf": _cluster_root("prod", "10.1"), "staging/main.tf": _cluster_root("staging", "10.2"),
                             "addons/felix.yaml": FELIX_OFF})
    report = _scan(root, ("prod", "staging"), Config(calico_paths=(str(root / "addons"),)))
    assert not any(f.rule == "CAL003" for f in report.findings)


def test_clusters_in_the_configuration_file_are_relative_to_it(tmp_path: Path) -> None:
    from linter.config import config_from_mapping, read_config_file

    config_file = _write(tmp_path, {".calico-lint.yaml": "clusters:\n  - name: eu-1\n    deployments: [eu/network, eu/nodes]\n"
                                    "    calico: [addons/eu]\n"}) / ".calico-lint.yaml"
    config = config_from_mapping(read_config_file(config_file), tmp_path, str(config_file))
    assert config.clusters == (ClusterSpec("eu-1", (str(tmp_path / "eu/network"), str(tmp_path / "eu/nodes")),
                                           (str(tmp_path / "addons/eu"),)),)


def test_describe_lists_the_clusters(tmp_path: Path) -> None:
    text = _vpc_stack("a", "10.1") + _vpc_stack("b", "10.2")
    root = _write(tmp_path, {"main.tf": text})
    model = build_model(discover([str(root)]), Config()).model
    data = describe_data(model, Config(), root.as_posix())
    assert [(c["vpcs"], c["nodes"]) for c in data["clusters"]] == [
        (["aws_vpc.a"], ["aws_instance.workers_a"]), (["aws_vpc.b"], ["aws_instance.workers_b"])]
    assert {n["resource"]: n["clusters"] for n in data["node_groups"]}["aws_instance.workers_b"] == [data["clusters"][1]["name"]]


def test_a_stack_without_kubernetes_beside_a_cluster_gives_nothing(tmp_path: Path) -> None:
    root = _write(tmp_path, {"web/main.tf": WEB, "cluster/main.tf": _cluster_root("k", "10.1"),
                             "cluster/pool.yaml": NEVER_POOL.format(name="k")})
    report = _scan(root)
    assert {Path(f.where.file).parent.name for f in report.findings} == {"cluster"}
    assert not any("No Kubernetes node" in n.message for n in report.notices)
