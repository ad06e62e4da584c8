"""CloudFormation templates into the model: linter/cloudformation."""
from __future__ import annotations

from pathlib import Path

import pytest

from linter.model import (
    CidrSource,
    Direction,
    GroupSource,
    Model,
    NodeKind,
    PortRange,
    PrefixListSource,
    Unknown,
)
from linter.cloudformation.template import (
    CfnOptions,
    is_cloudformation,
    load_template,
    load_template_text,
    parse_cfn_params_file,
)

FIXTURES = Path(__file__).parent / "fixtures" / "cfn_parser"


def path_of(name: str) -> str:
    return (FIXTURES / name).as_posix()


def line_of(name: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing needle, so tests do not hard-code line numbers."""
    seen = 0
    for number, line in enumerate((FIXTURES / name).read_text().splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in {name}")


def load(name: str, parameters: tuple[tuple[str, str], ...] = ()) -> Model:
    return load_template(path_of(name), CfnOptions(parameters))


def rule_at(model: Model, name: str, needle: str):
    line = line_of(name, needle)
    rules = [r for r in model.sg_rules if r.where.line == line]
    assert len(rules) == 1, (needle, line, model.sg_rules)
    return rules[0]


def rules_of(model: Model, address: str):
    return [r for r in model.sg_rules if r.where.address == address]


def node(model: Model, key: str):
    found = [n for n in model.node_groups if n.key == key]
    assert len(found) == 1, (key, [n.key for n in model.node_groups])
    return found[0]


# ------------------------------------------------------------------------------------ network.yaml


@pytest.fixture(scope="module")
def network() -> Model:
    return load("network.yaml")


def test_network_parses_without_problems(network: Model) -> None:
    assert network.problems == ()
    assert network.files == (path_of("network.yaml"),)


def test_every_element_carries_the_deployment(network: Model) -> None:
    elements = (network.vpcs + network.subnets + network.security_groups + network.sg_rules
                + network.peerings + network.node_groups)
    assert elements
    assert {e.deployment for e in elements} == {path_of("network.yaml")}


def test_vpc_with_secondary_cidr_block(network: Model) -> None:
    vpc = next(v for v in network.vpcs if v.key == "Vpc")
    assert vpc.cidrs == ("10.0.0.0/16", "10.1.0.0/16")
    assert (vpc.where.line, vpc.where.column, vpc.where.address) == (line_of("network.yaml", "  Vpc:"), 3, "Vpc")


def test_subnets_and_peering(network: Model) -> None:
    subnets = {s.key: s for s in network.subnets}
    assert subnets["SubnetA"].cidr == "10.0.1.0/24"
    assert subnets["SubnetA"].vpc == "Vpc"
    assert subnets["SubnetA"].zone == "eu-west-1a"
    assert subnets["SubnetB"].vpc == "Vpc"  # !GetAtt Vpc.VpcId
    assert isinstance(subnets["SubnetB"].cidr, Unknown)  # Fn::Cidr
    assert isinstance(subnets["SubnetB"].zone, Unknown)  # Fn::GetAZs
    (peering,) = network.peerings
    assert (peering.key, peering.vpc, peering.peer_vpc) == ("Peering", "Vpc", "PeerVpc")


def test_security_groups_default_egress(network: Model) -> None:
    groups = {g.key: g for g in network.security_groups}
    assert groups["NodeSG"].default_egress_all is True  # no SecurityGroupEgress: AWS's allow-all
    assert groups["OtherSG"].default_egress_all is False
    assert groups["NodeSG"].vpc == "Vpc"


def test_inline_ingress_rules(network: Model) -> None:
    bgp = rule_at(network, "network.yaml", "# bgp")
    assert (bgp.group, bgp.direction, bgp.protocol, bgp.ports) == ("NodeSG", Direction.INGRESS, 6, PortRange(179, 179))
    assert bgp.sources == (GroupSource("OtherSG"),)  # !GetAtt OtherSG.GroupId
    assert bgp.where.address == "NodeSG"
    ipip = rule_at(network, "network.yaml", "# ipip")
    assert (ipip.protocol, ipip.ports, ipip.sources) == (4, None, (GroupSource("OtherSG"),))
    everything = rule_at(network, "network.yaml", "# all")
    assert (everything.protocol, everything.ports, everything.sources) == (-1, None, (CidrSource("10.0.0.0/16"),))
    vxlan = rule_at(network, "network.yaml", "# vxlan")
    assert (vxlan.protocol, vxlan.ports) == (17, PortRange(4789, 4789))
    assert vxlan.sources == (GroupSource(Unknown("sg-0123456789abcdef0")),)
    icmp = rule_at(network, "network.yaml", "# pmtu")  # ICMP type 3 code 4: not protocol 4
    assert (icmp.protocol, icmp.ports) == (1, None)
    imported = rule_at(network, "network.yaml", "# ipip-int")
    assert imported.protocol == 4
    (source,) = imported.sources
    assert isinstance(source, GroupSource) and isinstance(source.group, Unknown)
    assert "ImportValue" in source.group.expr


def test_inline_egress_rules(network: Model) -> None:
    egress = rule_at(network, "network.yaml", "# egress-all")
    assert (egress.group, egress.direction, egress.protocol) == ("OtherSG", Direction.EGRESS, -1)
    assert egress.sources == (CidrSource("10.0.0.0/8"),)
    bgp = rule_at(network, "network.yaml", "# egress-bgp")
    assert bgp.sources == (GroupSource("NodeSG"),)
    assert bgp.ports == PortRange(179, 179)


def test_instance_with_string_false_source_dest_check(network: Model) -> None:
    router = node(network, "Router")
    assert router.kind is NodeKind.INSTANCE
    assert router.security_groups == ("NodeSG", "OtherSG")
    assert router.subnets == ("SubnetA",)
    assert router.src_dst_check is False
    assert router.src_dst_where.line == line_of("network.yaml", "  Router:")
    assert router.multiple is False
    assert router.name_tag == "router-1"
    plain = node(network, "Plain")
    assert plain.security_groups == ("NodeSG",)  # SecurityGroups (names) with !Ref
    assert plain.src_dst_check is True
    assert plain.name_tag is None


def test_suppressions_from_metadata_and_comments(network: Model) -> None:
    by_rule = {s.rules: s for s in network.suppressions}
    template = by_rule[("CAL006",)]
    assert template.target_line == 0  # template-level Metadata: the whole file
    assert template.reason == "we want IPIP Always everywhere"
    resource = by_rule[("CAL001",)]
    assert resource.target_line == line_of("network.yaml", "  Router:")
    assert resource.where.line == line_of("network.yaml", "- id: CAL001")
    assert resource.reason == "router does not run BGP"
    comment = by_rule[("CAL003",)]
    assert comment.target_line == line_of("network.yaml", "  Router:")
    assert comment.where.line == line_of("network.yaml", "ignore[CAL003]")


# ------------------------------------------------------------------------------------ JSON


def test_standalone_rules_in_json_with_duplicate_key() -> None:
    model = load("standalone.json")
    assert model.problems == ()  # duplicated NodeSG: CloudFormation keeps the last one
    (group,) = model.security_groups
    assert group.key == "NodeSG"
    assert group.where.line == line_of("standalone.json", '"NodeSG": {', 2)
    assert group.vpc == Unknown("vpc-0abc")
    bgp = rules_of(model, "Bgp")[0]
    assert (bgp.group, bgp.protocol, bgp.ports, bgp.sources) == ("NodeSG", 6, PortRange(179, 179), (GroupSource("NodeSG"),))
    assert bgp.where.line == line_of("standalone.json", '"Bgp"')
    ipip = rules_of(model, "Ipip")[0]
    assert (ipip.protocol, ipip.sources) == (4, (GroupSource(Unknown("sg-0123456789abcdef0")),))
    v6 = rules_of(model, "V6")[0]
    assert (v6.protocol, v6.ports, v6.sources) == (-1, None, (CidrSource("::/0"),))
    prefix = rules_of(model, "PrefixList")[0]
    assert prefix.sources == (PrefixListSource("pl-12345678"),)
    imported = rules_of(model, "Imported")[0]
    assert isinstance(imported.group, Unknown)
    assert imported.ports == PortRange(179, 179)  # "179" strings
    out = rules_of(model, "Out")[0]
    assert (out.direction, out.protocol, out.sources) == (Direction.EGRESS, 94, (GroupSource("NodeSG"),))


def test_json_decoder_path_keeps_the_last_duplicate() -> None:
    model = load("escaped_duplicate.json")
    assert model.problems == ()
    (group,) = model.security_groups
    assert group.default_egress_all is False  # the second definition, with SecurityGroupEgress: []
    (rule,) = model.sg_rules
    assert (rule.protocol, rule.sources) == (4, (GroupSource("NodeSG"),))
    assert rule.where.line == line_of("escaped_duplicate.json", '{"IpProtocol": "4"')
    assert group.where.line == line_of("escaped_duplicate.json", '"NodeSG"', 2)


# ------------------------------------------------------------------------------------ conditions, parameters


def test_conditions_and_parameter_defaults() -> None:
    model = load("conditions.yaml")
    assert model.problems == ()
    addresses = {r.where.address for r in model.sg_rules}
    assert "DevOnly" not in addresses  # Condition IsDev is false
    assert "NeverRule" not in addresses  # And(false, unknown) is false
    inline = rules_of(model, "NodeSG")
    assert [r.protocol for r in inline][:2] == [6, 4]  # the VXLAN entry is AWS::NoValue (EnableVxlan false)
    bgp = rule_at(model, "conditions.yaml", "# bgp-param")
    assert bgp.ports == PortRange(179, 179)  # Number parameter default
    assert bgp.sources == (CidrSource(Unknown("parameter NodeCidr (no default)")),)
    protocol = rule_at(model, "conditions.yaml", "# proto-param")
    assert (protocol.protocol, protocol.sources) == (4, (GroupSource("NodeSG"),))
    undecided = rule_at(model, "conditions.yaml", "# unknown-if")
    assert isinstance(undecided.protocol, Unknown)  # AWS::Region is unknown
    (maybe,) = rules_of(model, "MaybeRule")  # gated by an undecidable condition: UNKNOWN
    assert maybe.protocol == 6
    assert len(maybe.sources) == 1 and isinstance(maybe.sources[0], Unknown)
    (prod,) = rules_of(model, "ProdRule")  # Or(true, unknown) is true
    assert prod.sources == (GroupSource("NodeSG"),)
    nodes = node(model, "Nodes")
    assert nodes.subnets == (Unknown("subnet-aaa"), Unknown("subnet-bbb"))  # List<> default
    assert nodes.security_groups == ("NodeSG",)


def test_parameters_override_defaults() -> None:
    model = load("conditions.yaml", (("Env", "dev"), ("EnableVxlan", "true"), ("NodeCidr", "10.9.0.0/16"),
                                     ("BgpPort", "1179"), ("Subnets", "subnet-x,subnet-y")))
    addresses = {r.where.address for r in model.sg_rules}
    assert "DevOnly" in addresses
    assert "ProdRule" in addresses  # Or(false, unknown): unknown, so present but UNKNOWN
    bgp = rule_at(model, "conditions.yaml", "# bgp-param")
    assert bgp.ports == PortRange(1179, 1179)
    assert bgp.sources == (CidrSource("10.9.0.0/16"),)
    vxlan = [r for r in rules_of(model, "NodeSG") if r.protocol == 17]
    assert vxlan and vxlan[0].ports == PortRange(4789, 4789)
    assert node(model, "Nodes").subnets == (Unknown("subnet-x"), Unknown("subnet-y"))


@pytest.mark.parametrize("name, expected", [
    ("params-cli.json", (("Env", "dev"), ("NodeCidr", "10.0.0.0/16"))),
    ("params-cfnlint.json", (("Env", "dev"), ("EnableVxlan", "true"), ("BgpPort", "1179"),
                             ("Subnets", "subnet-x,subnet-y,subnet-z"))),
    ("params-plain.json", (("NodeCidr", "192.168.0.0/16"), ("Protocol", "tcp"))),
])
def test_parameter_file_forms(name: str, expected: tuple) -> None:
    assert parse_cfn_params_file(path_of(name)) == (expected, None)


@pytest.mark.parametrize("name", ["params-bad.json", "no-such-file.json", "broken.yaml"])
def test_bad_parameter_files_give_an_error(name: str) -> None:
    params, error = parse_cfn_params_file(path_of(name))
    assert params == () and error


def test_parameter_file_applies() -> None:
    params, _ = parse_cfn_params_file(path_of("params-plain.json"))
    model = load("conditions.yaml", params)
    assert rule_at(model, "conditions.yaml", "# bgp-param").sources == (CidrSource("192.168.0.0/16"),)
    tcp = rule_at(model, "conditions.yaml", "# proto-param")
    # tcp without ports: AWS refuses the rule ("Must specify both from and to ports with TCP/UDP"): UNKNOWN
    assert tcp.protocol == 6 and tcp.ports == Unknown("tcp ports none to none, which AWS rejects")


# ------------------------------------------------------------------------------------ compute


@pytest.fixture(scope="module")
def compute() -> Model:
    return load("compute.yaml")


def test_launch_template_and_asg(compute: Model) -> None:
    workers = node(compute, "Workers")
    assert workers.kind is NodeKind.AUTOSCALING_GROUP
    assert workers.multiple is True
    assert workers.subnets == ("SubnetA", "SubnetB")
    assert workers.security_groups == ("NodeSG", Unknown("sg-0ffffffffffffffff"))  # NetworkInterfaces[].Groups
    assert workers.src_dst_check is False  # Fn::Base64 Fn::Sub user data runs --no-source-dest-check
    assert workers.src_dst_where.address == "Workers"
    assert [(r.why, r.where.line) for r in workers.related] == [
        ("launch template", line_of("compute.yaml", "  WorkerTemplate:"))]
    assert workers.name_tag == "worker"  # from the launch template's instance tags


def test_mixed_instances_policy_by_template_name(compute: Model) -> None:
    mixed = node(compute, "MixedWorkers")
    assert mixed.security_groups == ("NodeSG", Unknown("sg-0ffffffffffffffff"))
    assert mixed.src_dst_check is False


def test_launch_template_cannot_disable_the_check(compute: Model) -> None:
    named = node(compute, "NamedWorkers")
    assert named.security_groups == ("NodeSG",)
    assert named.src_dst_check is True
    assert named.name_tag == "named-worker"


def test_unused_launch_template_and_loose_eni_are_not_nodes(compute: Model) -> None:
    keys = {n.key for n in compute.node_groups}
    assert not keys & {"UnusedTemplate", "WorkerTemplate", "PlainTemplate", "OldConfig", "LooseEni", "RouterEni"}


def test_launch_configuration_with_join_user_data(compute: Model) -> None:
    old = node(compute, "OldWorkers")
    assert old.security_groups == ("NodeSG",)
    assert old.src_dst_check is False  # --source-dest-check "{\"Value\": false}"
    assert [r.why for r in old.related] == ["launch configuration"]


def test_instance_through_a_network_interface(compute: Model) -> None:
    router = node(compute, "Router")
    assert router.security_groups == ("NodeSG",)
    assert router.subnets == ("SubnetB",)
    assert router.src_dst_check is False
    assert router.src_dst_where.address == "RouterEni"
    assert router.src_dst_where.line == line_of("compute.yaml", "  RouterEni:")


def test_instance_with_inline_interface_and_unknown_check(compute: Model) -> None:
    master = node(compute, "Master")
    assert master.security_groups == ("NodeSG",)
    assert master.subnets == ("SubnetA",)
    assert master.src_dst_check == Unknown("parameter MasterCheck (no default)")


def test_user_data_overrides_an_explicit_true(compute: Model) -> None:
    assert node(compute, "Worker0").src_dst_check is False


def test_eks_nodegroups(compute: Model) -> None:
    managed = node(compute, "Managed")
    assert managed.kind is NodeKind.EKS_NODE_GROUP
    assert managed.security_groups == Unknown("EKS-managed security group")
    assert managed.subnets == ("SubnetA", "SubnetB")
    assert (managed.src_dst_check, managed.multiple, managed.name_tag) == (True, True, "managed-nodes")
    with_template = node(compute, "ManagedWithTemplate")
    assert with_template.security_groups == ("NodeSG",)
    assert [r.why for r in with_template.related] == ["launch template"]


# ------------------------------------------------------------------------------------ nested stacks


@pytest.fixture(scope="module")
def nested() -> Model:
    return load("nested/parent.yaml")


def test_nested_stacks_are_read_once_with_their_parameters(nested: Model) -> None:
    assert nested.files == (path_of("nested/parent.yaml"), path_of("nested/child.yaml"), path_of("broken.yaml"))
    subnets = {s.key: s for s in nested.subnets}
    assert subnets["Workers.Subnet"].cidr == "10.0.8.0/24"
    assert subnets["MoreWorkers.Subnet"].cidr == "10.0.9.0/24"
    assert subnets["Workers.Subnet"].vpc == "Vpc"  # the parent's VPC, passed as a parameter
    assert subnets["Workers.Subnet"].where.file == path_of("nested/child.yaml")
    worker = node(nested, "Workers.Node")
    assert worker.security_groups == ("Workers.NodeSG",)
    assert worker.deployment == path_of("nested/parent.yaml")
    assert worker.where.address == "Workers.Node"


def test_nested_parameters_and_outputs_resolve_groups(nested: Model) -> None:
    from_child = rule_at(nested, "nested/parent.yaml", "# from-child")
    assert from_child.sources == (GroupSource("Workers.NodeSG"),)  # !GetAtt Workers.Outputs.NodeSGId
    from_remote = rule_at(nested, "nested/parent.yaml", "# from-remote")  # S3 TemplateURL: UNKNOWN
    assert isinstance(from_remote.sources[0].group, Unknown)
    (peer,) = rules_of(nested, "Workers.FromPeer")
    assert (peer.group, peer.sources) == ("Workers.NodeSG", (GroupSource("ParentSG"),))
    assert rules_of(nested, "MoreWorkers.FromPeer") == []  # HasPeer false: PeerSG defaults to ""


def test_nested_list_parameter_from_a_join_of_references(nested: Model) -> None:
    assert node(nested, "Workers.Extra").security_groups == ("ParentSG", Unknown("sg-0123456789abcdef0"))
    assert node(nested, "MoreWorkers.Extra").security_groups == (Unknown("sg-1"), Unknown("sg-2"))


def test_nested_decoder_error_is_reported_at_the_child(nested: Model) -> None:
    (problem,) = nested.problems
    assert problem.where.file == path_of("broken.yaml")


# ------------------------------------------------------------------------------------ CDK, problems


def test_cdk_output_uses_construct_paths() -> None:
    model = load("cdk.out/App.template.json")
    assert model.problems == ()
    instance = node(model, "NodesInstance0ABCDEF12")
    assert instance.label == "App/Nodes/Instance/Resource"
    assert instance.display == "App/Nodes/Instance/Resource"
    assert instance.security_groups == ("NodesSG1A2B3C4D",)
    (ipip,) = rules_of(model, "NodesSGfromAppNodesSG1A2B3C4DIPPROTO4ABCD1234")
    assert (ipip.protocol, ipip.sources) == (4, (GroupSource("NodesSG1A2B3C4D"),))
    (suppression,) = model.suppressions
    assert suppression.rules == ("CAL003",)
    assert suppression.target_line == instance.where.line


def test_decoder_error_is_cal000_at_its_line() -> None:
    model = load("broken.yaml")
    (problem,) = model.problems
    assert problem.where.file == path_of("broken.yaml")
    assert problem.where.line == line_of("broken.yaml", "VpcId")  # where the YAML parser gives up
    assert problem.where.address == ""
    assert model.security_groups == () and model.node_groups == ()


def test_non_utf8_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup # caf\xe9\n")
    (problem,) = load_template(path.as_posix()).problems
    assert problem.where.line == 3
    assert "UTF-8" in problem.message


def test_missing_file_is_a_problem(tmp_path: Path) -> None:
    assert load_template((tmp_path / "nope.yaml").as_posix()).problems


def test_top_level_that_is_not_a_mapping() -> None:
    model = load_template("/x/list.yaml", text="- a\n- b\n")
    assert len(model.problems) == 1


def test_text_argument_is_used_instead_of_reading() -> None:
    model = load_template("/nowhere/t.yaml", text="Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n")
    assert [g.key for g in model.security_groups] == ["Sg"]
    assert model.security_groups[0].where.file == "/nowhere/t.yaml"


# ------------------------------------------------------------------------------------ Terraform-embedded


EMBEDDED = """{
  "Resources": {
    "NodeSG": {
      "Type": "AWS::EC2::SecurityGroup",
      "Properties": {
        "VpcId": "${aws_vpc.main.id}",
        "SecurityGroupIngress": [
          {"IpProtocol": "tcp", "FromPort": 179, "ToPort": 179, "CidrIp": "${var.cidr}"},
          {"IpProtocol": "4", "SourceSecurityGroupId": {"Fn::Sub": "${NodeSG}"}}
        ]
      }
    },
    "AutoScalingGroup": {
      "Type": "AWS::AutoScaling::AutoScalingGroup",
      "Metadata": {"calico-lint": {"ignore": [{"id": "CAL003", "reason": "felix"}]}},
      "Properties": {
        "MinSize": "1",
        "MinSize": "2",
        "LaunchConfigurationName": "${aws_launch_configuration.master.name}",
        "VPCZoneIdentifier": [{"Ref": "Subnet"}]
      }
    }
  },
  "Parameters": {"Subnet": {"Type": "String"}}
}
"""


def test_template_embedded_in_terraform() -> None:
    model = load_template_text(EMBEDDED, file="/repo/main.tf", deployment="/repo", line_offset=12,
                               address_prefix="aws_cloudformation_stack.nodes", parameters=(("Subnet", "subnet-1"),))
    assert model.problems == ()
    (group,) = model.security_groups
    assert group.key == "aws_cloudformation_stack.nodes.NodeSG"
    assert (group.where.file, group.where.line, group.where.address) == ("/repo/main.tf", 12, group.key)
    assert group.vpc == Unknown("${aws_vpc.main.id}")
    assert group.deployment == "/repo"
    bgp, ipip = model.sg_rules
    assert bgp.sources == (CidrSource(Unknown("${var.cidr}")),)
    assert ipip.sources == (GroupSource(group.key),)
    (asg,) = model.node_groups
    assert asg.key == "aws_cloudformation_stack.nodes.AutoScalingGroup"
    assert isinstance(asg.security_groups, Unknown)
    assert asg.subnets == (Unknown("subnet-1"),)
    (suppression,) = model.suppressions
    assert (suppression.where.file, suppression.target_line) == ("/repo/main.tf", 12)


def test_embedded_parse_error_is_at_the_terraform_resource() -> None:
    model = load_template_text("Resources: [\n", file="/repo/main.tf", deployment="/repo",
                               address_prefix="aws_cloudformation_stack.x", line_offset=40)
    (problem,) = model.problems
    assert (problem.where.file, problem.where.line, problem.where.address) == ("/repo/main.tf", 40, "")
    assert model.node_groups == () and model.files == ()


# ------------------------------------------------------------------------------------ sniffing


@pytest.mark.parametrize("text, expected", [
    ('AWSTemplateFormatVersion: "2010-09-09"\n', True),
    ("Resources:\n  A:\n    Type: AWS::EC2::VPC\n", True),
    ('{"Resources": {"A": {"Type": "AWS::EC2::VPC"}}}', True),
    ("apiVersion: projectcalico.org/v3\nkind: IPPool\n", False),
    ("resources:\n  limits: {cpu: 1}\n", False),
    ('{"format_version": "1.2", "planned_values": {}, "x": "AWSTemplateFormatVersion"}', False),
])
def test_is_cloudformation(text: str, expected: bool) -> None:
    assert is_cloudformation(text) is expected


def _apply(path, fix) -> str:
    lines = path.read_text().splitlines(keepends=True)
    lines.insert(fix.where.line - 1, fix.replacement)
    return "".join(lines)


@pytest.mark.parametrize("suffix,text", [
    (".yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Node:\n    Type: AWS::EC2::Instance\n"
              "    Properties:\n      ImageId: ami-1\n"),
    (".json", '{\n  "Resources": {\n    "Node": {\n      "Type": "AWS::EC2::Instance",\n      "Properties": {\n'
              '        "ImageId": "ami-1"\n      }\n    }\n  }\n}\n'),
])
def test_disable_check_fix_is_a_valid_template_that_disables_the_check(tmp_path, suffix, text) -> None:
    from linter.cloudformation.template import load_template

    path = tmp_path / f"t{suffix}"
    path.write_text(text)
    (node,) = load_template(str(path)).node_groups
    assert node.src_dst_check is True and node.disable_check_fix is not None
    path.write_text(_apply(path, node.disable_check_fix))
    fixed = load_template(str(path))
    assert fixed.problems == () and [n.src_dst_check for n in fixed.node_groups] == [False]
