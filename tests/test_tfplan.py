"""Terraform plan JSON -> the model: the same cluster as HCL and as its plan gives the same findings."""
from __future__ import annotations

import copy
import datetime
import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linter.config import Config
from linter.engine import load_rules
from linter.model import Level, Unknown
from linter.terraform.plan import load_plan
from linter.scan import ScanRequest, scan

FIXTURES = Path(__file__).parent / "fixtures" / "tfplan"
CLUSTER = FIXTURES / "cluster"
PLAN = FIXTURES / "cluster.tfplan.json"
RULES = load_rules()
TODAY = datetime.date(2025, 1, 1)


def _findings(paths: list[Path], root: Path, config: Config = Config()) -> list[tuple]:
    request = ScanRequest(tuple(str(p) for p in paths), config, root.as_posix(), TODAY)
    report, _model = scan(request, RULES)
    return sorted((f.rule, f.where.address, f.where.file, f.where.line, f.level.value, f.message, f.suppressed,
                   tuple((r.where.file, r.where.line, r.why) for r in f.related)) for f in report.findings)


def _minimal(resources: list[dict], changes: list[dict] | None = None, configuration: dict | None = None,
             children: list[dict] | None = None, version: str = "1.2") -> str:
    plan = {"format_version": version, "terraform_version": "1.5.7",
            "planned_values": {"root_module": {"resources": resources, "child_modules": children or []}},
            "resource_changes": changes or [],
            "configuration": {"root_module": configuration or {}}}
    return json.dumps(plan, indent=2)


def _resource(address: str, values: dict, index: int | None = None, mode: str = "managed") -> dict:
    base = re.sub(r'\[[^\]]*\]', "", address).split(".")
    resource = {"address": address, "mode": mode, "type": base[-2], "name": base[-1], "values": values}
    if index is not None:
        resource["index"] = index
    return resource


def _change(address: str, after_unknown: dict, actions: tuple[str, ...] = ("create",)) -> dict:
    return {"address": address, "change": {"actions": list(actions), "after_unknown": after_unknown}}


# ------------------------------------------------------------------------------------------ HCL == plan


def test_hcl_and_plan_give_identical_findings_at_hcl_lines() -> None:
    from_hcl = _findings([CLUSTER], FIXTURES)
    from_plan = _findings([PLAN], FIXTURES, Config(tf_root=CLUSTER.as_posix()))
    assert from_plan == from_hcl
    rules = {f[0] for f in from_hcl}
    assert {"CAL003", "CAL004", "CAL007", "CAL008", "CAL009"} <= rules
    assert all(f[2].endswith(".tf") for f in from_plan)
    # the inline rule is located at its own ingress block, as in HCL
    assert ("CAL008", "aws_security_group.controllers", (CLUSTER / "main.tf").as_posix(), 30) in \
        {f[:4] for f in from_plan}
    # the inline suppression in main.tf applies to the plan finding
    assert [f[6] for f in from_plan if f[0] == "CAL005"] == [True]


def test_hcl_and_plan_give_the_same_columns() -> None:
    def columns(paths: list[Path], config: Config = Config()) -> list[tuple]:
        request = ScanRequest(tuple(str(p) for p in paths), config, FIXTURES.as_posix(), datetime.date(2026, 12, 1))
        return sorted((f.rule, f.where.address, f.where.line, f.where.column) for f in scan(request, RULES)[0].findings)

    from_hcl = columns([CLUSTER])
    assert columns([PLAN], Config(tf_root=CLUSTER.as_posix())) == from_hcl
    assert any(column > 1 for *_, column in from_hcl)  # an inline block, indented in its resource


def test_plan_beside_its_tf_files_uses_them(tmp_path: Path) -> None:
    shutil.copytree(CLUSTER, tmp_path / "cluster")
    shutil.copy(PLAN, tmp_path / "cluster" / "tfplan.json")
    found = _findings([tmp_path / "cluster" / "tfplan.json"], tmp_path)
    assert found == _findings([tmp_path / "cluster" / "main.tf"], tmp_path)  # the HCL module alone
    model = load_plan(str(tmp_path / "cluster" / "tfplan.json"))
    assert (tmp_path / "cluster" / "main.tf").as_posix() in model.files
    assert any(s.rules == ("CAL005",) for s in model.suppressions)


def test_plan_without_tf_points_at_the_plan_address_line() -> None:
    found = _findings([PLAN], FIXTURES)
    text = PLAN.read_text().splitlines()
    assert found and all(f[2] == PLAN.as_posix() for f in found)
    for rule, address, _file, line, *_rest in found:
        assert text[line - 1].strip().startswith(f'"address": "{address}'), (rule, address, line)
    # same rules, resources, levels and messages as from HCL
    assert sorted((f[0], f[1], f[4], f[5]) for f in found) == \
        sorted((f[0], f[1], f[4], f[5]) for f in _findings([CLUSTER], FIXTURES))


def test_plan_model_resolves_unknown_ids_through_configuration() -> None:
    model = load_plan(str(PLAN), tf_root=str(CLUSTER))
    nodes = {n.key: n for n in model.node_groups}
    assert set(nodes) == {"aws_instance.controller", "module.workers.aws_autoscaling_group.workers"}
    controller = nodes["aws_instance.controller"]
    assert controller.security_groups == ("aws_security_group.controllers",)
    assert controller.subnets == ("aws_subnet.a",)
    assert controller.multiple is True
    workers = nodes["module.workers.aws_autoscaling_group.workers"]
    assert workers.security_groups == ("aws_security_group.workers",)  # var.sg_id through the module call
    assert workers.subnets == ("aws_subnet.a", "aws_subnet.b")
    assert [r.why for r in workers.related] == ["launch template"]
    assert {s.key: s.vpc for s in model.subnets} == {"aws_subnet.a": "aws_vpc.main", "aws_subnet.b": "aws_vpc.main"}


# ------------------------------------------------------------------------------------------ plan details


def test_deleted_resources_do_not_count(tmp_path: Path) -> None:
    text = _minimal(
        [_resource("aws_instance.kept", {"source_dest_check": True}),
         _resource("aws_instance.going", {"source_dest_check": True})],
        [_change("aws_instance.kept", {}), _change("aws_instance.going", {}, ("delete",)),
         _change("aws_instance.gone", {}, ("delete",))])
    model = load_plan(str(tmp_path / "plan.json"), text=text)
    assert [n.key for n in model.node_groups] == ["aws_instance.kept"]
    assert model.problems == ()
    # the real fixture also has a deleted instance (only in resource_changes and prior_state)
    assert "aws_instance.old_worker" not in {n.key for n in load_plan(str(PLAN)).node_groups}


def test_after_unknown_without_configuration_is_unknown(tmp_path: Path) -> None:
    text = _minimal(
        [_resource("aws_instance.web", {"source_dest_check": False})],
        [_change("aws_instance.web", {"subnet_id": True, "vpc_security_group_ids": True, "network_interface": True})],
        {"resources": [{"address": "aws_instance.web", "mode": "managed", "type": "aws_instance", "name": "web",
                        "expressions": {"vpc_security_group_ids": {"references": ["var.sg_ids"]}}}]})
    node = load_plan(str(tmp_path / "plan.json"), text=text).node_groups[0]
    assert node.subnets == (Unknown("aws_instance.web.subnet_id (known after apply)"),)
    assert node.security_groups == (Unknown("var.sg_ids"),)
    assert node.src_dst_check is False


def test_references_to_counted_resources(tmp_path: Path) -> None:
    subnets = [_resource(f"aws_subnet.private[{i}]", {"cidr_block": f"10.0.{i}.0/24"}, index=i) for i in range(2)]
    text = _minimal(
        subnets + [_resource("aws_instance.web[0]", {}, index=0), _resource("aws_instance.web[1]", {}, index=1),
                   _resource("aws_autoscaling_group.asg", {})],
        [_change("aws_instance.web[0]", {"subnet_id": True}), _change("aws_instance.web[1]", {"subnet_id": True}),
         _change("aws_autoscaling_group.asg", {"vpc_zone_identifier": True})],
        {"resources": [
            {"address": "aws_instance.web", "expressions": {
                "subnet_id": {"references": ["aws_subnet.private", "count.index"]}}},
            {"address": "aws_autoscaling_group.asg", "expressions": {
                "vpc_zone_identifier": {"references": ["aws_subnet.private"]}}}]})
    nodes = {n.key: n for n in load_plan(str(tmp_path / "plan.json"), text=text).node_groups}
    assert isinstance(nodes["aws_instance.web"].subnets[0], Unknown)  # which instance: not guessed
    assert nodes["aws_autoscaling_group.asg"].subnets == ("aws_subnet.private[0]", "aws_subnet.private[1]")


def test_module_child_modules_addresses(tmp_path: Path) -> None:
    inner = {"address": "module.k8s.module.workers",
             "resources": [_resource("module.k8s.module.workers.aws_instance.node", {"source_dest_check": True})]}
    child = [{"address": "module.k8s[0]", "child_modules": [],
              "resources": [_resource('module.k8s[0].aws_instance.ctrl["a"]', {}, index=None),
                            _resource('module.k8s[0].data.aws_ami.x', {}, mode="data")]},
             {"address": "module.k8s", "child_modules": [inner], "resources": []}]
    child[0]["resources"][0]["index"] = "a"
    model = load_plan(str(tmp_path / "plan.json"), text=_minimal([], children=child))
    assert sorted(n.key for n in model.node_groups) == ["module.k8s.aws_instance.ctrl",
                                                        "module.k8s.module.workers.aws_instance.node"]
    assert all(n.deployment == (tmp_path / "plan.json").as_posix() for n in model.node_groups)
    text = (tmp_path / "plan.json")
    assert not text.exists()  # text= was given: nothing read


def test_instances_of_one_resource_are_grouped(tmp_path: Path) -> None:
    text = _minimal([_resource("aws_instance.web[0]", {}, index=0), _resource("aws_instance.web[1]", {}, index=1)])
    nodes = load_plan(str(tmp_path / "p.json"), text=text).node_groups
    assert [(n.key, n.multiple) for n in nodes] == [("aws_instance.web", True)]
    single = _minimal([_resource("aws_instance.web[0]", {}, index=0)])
    assert [n.multiple for n in load_plan(str(tmp_path / "p.json"), text=single).node_groups] == [False]


def test_hashed_user_data_is_read_from_configuration(tmp_path: Path) -> None:
    script = "#!/bin/sh\naws ec2 modify-instance-attribute --instance-id i-1 --no-source-dest-check\n"
    text = _minimal([_resource("aws_instance.web", {"user_data": "0" * 40, "source_dest_check": True})],
                    configuration={"resources": [{"address": "aws_instance.web", "expressions": {
                        "user_data": {"constant_value": script}}}]})
    assert load_plan(str(tmp_path / "p.json"), text=text).node_groups[0].src_dst_check is False


# ------------------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize("text, line, words", [
    ('{\n  "format_version": "1.2",\n  "planned_values": {,\n}', 3, "does not parse"),
    ('{"format_version": "2.0", "planned_values": {}}', 1, "format_version '2.0' is not supported"),
    ('[1, 2]', 1, "not an object"),
    ('{"format_version": "1.0", "planned_values": "x"}', 1, "planned_values"),
    ('{"format_version": "1.0", "planned_values": {"root_module": {"resources": [1]}}}', 1, "not an object"),
    ('{"format_version": "1.0", "planned_values": {"root_module": {"resources": [{"address": "a.b"}]}}}', 1, "type"),
])
def test_bad_plans_are_cal000(tmp_path: Path, text: str, line: int, words: str) -> None:
    model = load_plan(str(tmp_path / "bad.json"), text=text)
    assert len(model.problems) == 1
    problem = model.problems[0]
    assert problem.level is Level.ERROR and words in problem.message
    assert problem.where.line == line and problem.where.file == (tmp_path / "bad.json").as_posix()
    assert model.node_groups == ()


def test_unreadable_plan_file_is_cal000(tmp_path: Path) -> None:
    model = load_plan(str(tmp_path / "missing.json"))
    assert len(model.problems) == 1 and "cannot read" in model.problems[0].message


_BASE = json.loads(PLAN.read_text())
_json = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                     max_leaves=8)
_PATHS = [("planned_values",), ("planned_values", "root_module"), ("planned_values", "root_module", "resources"),
          ("planned_values", "root_module", "resources", 6), ("planned_values", "root_module", "resources", 3, "values"),
          ("planned_values", "root_module", "child_modules", 0), ("resource_changes",), ("resource_changes", 6, "change"),
          ("resource_changes", 3, "change", "after_unknown"), ("configuration",),
          ("configuration", "root_module", "resources", 3, "expressions"),
          ("configuration", "root_module", "module_calls", "workers"), ("format_version",)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_PATHS), _json)
def test_fuzz_never_raises(path: tuple, value: object) -> None:
    plan = copy.deepcopy(_BASE)
    target = plan
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    model = load_plan("/nonexistent/plan.json", text=json.dumps(plan))
    assert all(p.message for p in model.problems)


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=60))
def test_fuzz_text_never_raises(text: str) -> None:
    load_plan("/nonexistent/plan.json", text=text)


def test_for_each_module_instances_are_judged_per_instance_as_from_hcl(tmp_path: Path) -> None:
    """The plan of two for_each module instances: each keeps its own group, as the HCL reader has it."""
    def instance(key: str) -> dict:
        prefix = f'module.pool["{key}"]'
        rule = {"protocol": "-1", "from_port": 0, "to_port": 0, "self": True, "cidr_blocks": [],
                "security_groups": [], "ipv6_cidr_blocks": [], "prefix_list_ids": [], "description": ""}
        group = _resource(f"{prefix}.aws_security_group.this", {
            "ingress": [rule], "egress": [{**rule, "self": False, "cidr_blocks": ["0.0.0.0/0"]}],
            "tags": {"kubernetes.io/cluster/demo": "owned"}})
        nodes = [_resource(f"{prefix}.aws_instance.node[{i}]", {"source_dest_check": False,
                                                               "tags": {"kubernetes.io/cluster/demo": "owned"}},
                           index=i) for i in range(2)]
        return {"address": prefix, "resources": [group, *nodes], "child_modules": []}

    changes = [_change(f'module.pool["{k}"].aws_instance.node[{i}]', {"vpc_security_group_ids": True})
               for k in "ab" for i in range(2)]
    configuration = {"module_calls": {"pool": {"source": "./m", "module": {"resources": [
        {"address": "aws_instance.node", "expressions": {
            "vpc_security_group_ids": {"references": ["aws_security_group.this.id", "aws_security_group.this"]}}},
        {"address": "aws_security_group.this", "expressions": {}}]}}}}
    plan = tmp_path / "plan.json"
    plan.write_text(_minimal([], changes, configuration, children=[instance("a"), instance("b")]))
    model = load_plan(str(plan))
    assert sorted((n.label, n.security_groups) for n in model.node_groups) == [
        ("module.pool.aws_instance.node [a]", ('module.pool.aws_security_group.this["a"]',)),
        ("module.pool.aws_instance.node [b]", ('module.pool.aws_security_group.this["b"]',))]
    request = ScanRequest((str(plan),), Config(), tmp_path.as_posix(), TODAY)
    report, _ = scan(request, RULES)
    assert sorted(f.message for f in report.findings if f.rule == "CAL001") == [
        "module.pool.aws_instance.node [a] does not admit BGP (TCP 179) from module.pool.aws_instance.node [b]",
        "module.pool.aws_instance.node [b] does not admit BGP (TCP 179) from module.pool.aws_instance.node [a]"]
