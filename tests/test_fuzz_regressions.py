"""Crashes the fuzz harness found, minimised: each is a clear CAL000 or UNKNOWN now, and the sane twin still reads."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from linter.calico import load_calico_file
from linter.cloudformation import load_template
from linter.model import Unknown
from linter.terraform import load_modules, load_plan
from linter.terraform.hcl import parse_hcl

POOL = "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p}\nspec: {cidr: 10.0.0.0/16, %s}\n"


def _deep_list(levels: int) -> str:
    return "[" * levels + "1" + "]" * levels


@pytest.mark.parametrize("extra, problem", [
    ("x: " + _deep_list(200), "nested more than 64 levels deep"),
    ("x: &a [*a]", "recursive alias"),
])
def test_unfit_calico_documents_are_one_cal000(extra: str, problem: str) -> None:
    model = load_calico_file("/p.yaml", text=POOL % extra)
    assert [p.message for p in model.problems if problem in p.message]
    assert not model.pools


def test_moderate_nesting_and_aliases_still_read() -> None:
    model = load_calico_file("/p.yaml", text=POOL % ("x: &a " + _deep_list(20) + ", y: [*a, *a]"))
    assert not model.problems
    assert [pool.cidr for pool in model.pools] == ["10.0.0.0/16"]


def test_a_calico_json_document_too_deep_is_not_read_again_as_json() -> None:
    text = '{"apiVersion": "projectcalico.org/v3", "kind": "IPPool", "spec": {"x": %s}}' % _deep_list(300)
    model = load_calico_file("/p.json", text=text)
    assert [p for p in model.problems if "nested more than" in p.message]


def test_an_attribute_and_a_block_of_one_name_is_a_parse_problem() -> None:
    body, problems = parse_hcl('resource "aws_security_group" "s" {\n  ingress = []\n  ingress {\n  }\n}\n', "/m.tf")
    assert body is None
    assert "'ingress' is both an attribute (line 2) and a block" in problems[0].message
    assert problems[0].where.line == 3
    body, problems = parse_hcl('resource "aws_security_group" "s" {\n  egress = []\n  ingress {\n  }\n}\n', "/m.tf")
    assert body is not None and not problems


@pytest.mark.skipif(not getattr(sys, "get_int_max_str_digits", lambda: 0)(), reason="no digit limit")
def test_integers_past_the_digit_limit_are_cal000(tmp_path: Path) -> None:
    huge = "1" * 5001
    plan = load_plan(str(tmp_path / "p.json"), text='{"format_version": "1.2", "planned_values": {"x": %s}}' % huge)
    assert "integer of more than" in plan.problems[0].message
    (tmp_path / "main.tf.json").write_text('{"locals": {"n": %s}}' % huge)
    model = load_modules([str(tmp_path)]).model
    assert [p for p in model.problems if "integer of more than" in p.message]


def test_infinite_ports_and_select_indexes_are_unknown() -> None:
    template = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: k8s nodes
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: .inf, ToPort: .nan, CidrIp: !Select [.inf, [10.0.0.0/8]]}
"""
    model = load_template("/t.yaml", text=template)
    assert not model.problems
    (rule,) = model.sg_rules
    assert isinstance(rule.ports, Unknown)
    assert all(isinstance(source.cidr, Unknown) for source in rule.sources)


def test_a_placeholder_search_is_linear() -> None:
    from linter.calico.values import has_placeholder

    hostile = "${" * 50_000  # a regular expression retried from every `${`: minutes
    assert not has_placeholder(hostile)
    assert has_placeholder(hostile + "}") and has_placeholder("a{{ .Values.x }}") and has_placeholder("$(NODE)")
    assert not has_placeholder("{{ x }") and not has_placeholder("{%}") and not has_placeholder("$ {x}")


def test_partly_unknown_templates_doubled_through_locals_stop_at_the_limit(tmp_path: Path) -> None:
    lines = ['variable "u" {}', "locals {", '  s0 = "x${var.u}"']
    lines += [f'  s{i} = "${{local.s{i - 1}}}${{local.s{i - 1}}}"' for i in range(1, 41)]
    lines += ["}", 'resource "aws_security_group" "k8s_nodes" {', "  description = local.s40", "}"]
    (tmp_path / "main.tf").write_text("\n".join(lines) + "\n")
    model = load_modules([str(tmp_path)]).model  # 2^40 template parts if nothing stops it
    assert [group.key for group in model.security_groups] == ["aws_security_group.k8s_nodes"]


def test_a_count_that_refers_to_its_own_resource_is_unknown(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_instance" "k8s_nodes" {\n'
                                      "  count = length(aws_instance.k8s_nodes)\n}\n")
    model = load_modules([str(tmp_path)]).model  # was: TypeError unpacking the cycle's Unknown
    assert not [p for p in model.problems if "internal error" in p.message]


def test_helm_values_that_are_no_list_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('variable "v" {}\nresource "helm_release" "calico" {\n'
                                      '  chart = "tigera-operator"\n  values = var.v\n}\n')
    model = load_modules([str(tmp_path)]).model  # was: TypeError iterating an Unknown
    assert not [p for p in model.problems if "internal error" in p.message]


def test_launch_template_tag_specifications_of_another_type_are_ignored() -> None:
    template = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Lt:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData: {TagSpecifications: 5, SecurityGroupIds: [sg-1]}
  Workers:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: "1"
      MaxSize: "2"
      LaunchTemplate: {LaunchTemplateId: !Ref Lt, Version: "1"}
"""
    model = load_template("/t.yaml", text=template)  # was: TypeError iterating an int
    assert not model.problems


def test_a_path_with_a_nul_byte_is_refused(tmp_path: Path) -> None:
    from linter.confine import Confinement, Refused

    confinement = Confinement.around([str(tmp_path)])
    refused = confinement.read_bytes(f"{tmp_path}/a\0b.yaml")  # was: ValueError from os.path.realpath
    assert isinstance(refused, Refused) and "NUL" in refused.reason
    assert not confinement.holds(f"{tmp_path}/a\0b") and confinement.kind(f"{tmp_path}/a\0b") == ""


@pytest.mark.skipif(not getattr(sys, "get_int_max_str_digits", lambda: 0)(), reason="no digit limit")
def test_an_hcl_integer_past_the_digit_limit_is_a_parse_problem() -> None:
    body, problems = parse_hcl("locals {\n  n = " + "1" * 5001 + "\n}\n", "/m.tf")
    assert body is None and "integer of more than" in problems[0].message and problems[0].where.line == 2


def test_a_long_string_shared_through_nested_aliases_is_one_cal000() -> None:
    lines = ["a0: &a0 " + "x" * 50_000] + [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]"
                                          for i in range(1, 10)]  # 4^9 copies of 50 kB: 13 GB once expanded
    model = load_calico_file("/p.yaml", text=POOL % ("x: {" + ", ".join(lines) + "}"))
    assert [p for p in model.problems if "aliases add more than" in p.message]


def test_describing_a_huge_cloudformation_value_stays_short() -> None:
    from linter.cloudformation.intrinsics import describe

    shared: list = ["x"]
    for _ in range(15):
        shared = [shared] * 4  # 4^15 elements once expanded: serialising it all never ends
    assert len(describe({"Fn::Equals": [shared, "x"]})) <= 80
    assert describe({"Fn::Equals": [[1, {"a": "b"}], "x"]}) == 'Fn::Equals [[1,{"a":"b"}],"x"]'


def test_an_alias_expanded_list_where_a_string_belongs_is_judged_by_its_type_and_shown_short() -> None:
    # fuzz input 64494 of seed 2026: 635,000 nodes under `encapsulation`, walked whole by the schema check
    # (0.94 s) and repr()'d whole into the pool's Unknown (5 MB)
    lines = ["e0: &e0 [lol]"] + [f"e{i}: &e{i} [*e{i - 1}, *e{i - 1}, *e{i - 1}, *e{i - 1}, *e{i - 1}]"
                                 for i in range(1, 8)]  # 5^7 = 78,125 leaves once expanded
    text = ("x: {" + ", ".join(lines) + "}\ninstallation:\n  calicoNetwork:\n    ipPools:\n"
            "    - cidr: 10.0.0.0/16\n      encapsulation: *e7\n")
    model = load_calico_file("/values.yaml", text=text)
    assert [p.message for p in model.config_problems] == [
        "installation.calicoNetwork.ipPools[0].encapsulation: a list is not one of IPIPCrossSubnet, IPIP, VXLAN, "
        "VXLANCrossSubnet, None"]
    (pool,) = model.pools
    assert isinstance(pool.ipip, Unknown) and len(pool.ipip.expr) <= 250


def test_a_path_longer_than_the_system_opens_is_refused_without_a_system_call(tmp_path: Path) -> None:
    # fuzz input 2026/408611: a TemplateURL of 50,000 `/` parts, each lstat()ed by realpath() (1.8 s)
    from linter.confine import Confinement, Refused

    confinement = Confinement.around([str(tmp_path)])
    long_path = f"{tmp_path}/" + "10.0.0.0/16," * 400
    refused = confinement.read_bytes(long_path)
    assert isinstance(refused, Refused) and "longer than 4,096 characters" in refused.reason
    assert not confinement.holds(long_path)
    text = ("Resources:\n  Inner:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n"
            "      TemplateURL: " + "10.0.0.0/16," * 50_000 + "\n")
    model = load_template(str(tmp_path / "t.yaml"), text=text)
    assert not model.problems  # like any TemplateURL that names no file of the scan


def test_yamlencode_of_a_long_escaped_string_round_trips(tmp_path: Path) -> None:
    # fuzz input 2027/77464: jsonencode() nested 20 deep doubles the backslashes each time (a 1 MB string);
    # PyYAML's Python emitter took 1.3 s to yamlencode() it, libyaml's takes 0.01 s
    nested = "path.module"
    for _ in range(16):
        nested = f"jsonencode({nested})"
    (tmp_path / "main.tf").write_text(
        f'locals {{\n  s = {nested}\n  back = yamldecode(yamlencode({{ v = local.s }})).v == local.s\n}}\n'
        'resource "null_resource" "r" {\n  triggers = { same = local.back, size = length(local.s) }\n}\n')
    from linter.terraform.modules import load_terraform

    [resource] = load_terraform([str(tmp_path)]).resources
    triggers = resource.instances[0].values["triggers"]
    assert triggers["same"] is True and triggers["size"] > 100_000
