"""Network ACLs in the model (Terraform and CloudFormation) and AWS's evaluation of them (engine.nacls)."""
from __future__ import annotations

from pathlib import Path

import pytest

from linter.cloudformation.template import CfnOptions, load_template
from linter.engine.facts import Facts
from linter.engine.flows import flow
from linter.engine.nacls import Gap
from linter.model import (
    Direction, Model, NaclAction, NaclAssociation, NaclRule, NetworkAcl, NodeGroup, NodeKind, PortRange, Subnet,
    Unknown, Where,
)
from linter.terraform import load_modules

HERE = Where("main.tf")
A, B = Subnet("a", "10.0.1.0/24", HERE, vpc="vpc"), Subnet("b", "10.0.2.0/24", HERE, vpc="vpc")
NODES = NodeGroup("nodes", NodeKind.AUTOSCALING_GROUP, HERE, (), ("a", "b"), False, HERE, multiple=True)
ACL = NetworkAcl("acl", Where("main.tf", 7, 1, "acl"), vpc="vpc", subnets=("a", "b"))


def entry(number: int | Unknown, direction: Direction, action: NaclAction, protocol: int = -1,
          ports: PortRange | None = None, cidr: str = "0.0.0.0/0") -> NaclRule:
    return NaclRule("acl", number, direction, action, protocol, ports, cidr, Where("main.tf", 20, 1, f"e{number}"))


ALLOW_ALL = (entry(100, Direction.INGRESS, NaclAction.ALLOW), entry(100, Direction.EGRESS, NaclAction.ALLOW))


def gap(*rules: NaclRule, name: str = "bgp", acls: tuple[NetworkAcl, ...] = (ACL,), **extra) -> Gap | str:
    model = Model(subnets=(A, B), network_acls=acls, nacl_rules=rules, **extra)
    found = Facts(model).nacl_gap(flow(name), NODES, NODES)
    return found if isinstance(found, Gap) else found.verdict.value


def test_allow_all_passes_and_no_entry_denies() -> None:
    assert gap(*ALLOW_ALL) == "pass"
    found = gap()
    assert isinstance(found, Gap) and found.before is None and "implicit deny" in found.detail


def test_lowest_number_first_and_first_match_wins() -> None:
    deny_bgp = entry(50, Direction.INGRESS, NaclAction.DENY, 6, PortRange(179, 179))
    found = gap(*ALLOW_ALL, deny_bgp)
    assert isinstance(found, Gap) and found.before == 50 and found.crossing.direction is Direction.INGRESS
    later = entry(150, Direction.INGRESS, NaclAction.DENY, 6, PortRange(179, 179))
    assert gap(*ALLOW_ALL, later) == "pass"  # the allow-all at 100 decided first


def test_tcp_replies_need_the_ephemeral_ports_both_ways() -> None:
    bgp_only = [entry(100, d, NaclAction.ALLOW, 6, PortRange(179, 179), "10.0.0.0/16") for d in Direction]
    found = gap(*bgp_only)
    assert isinstance(found, Gap) and found.crossing.ports == PortRange(32768, 60999)
    windows = [entry(110, d, NaclAction.ALLOW, 6, PortRange(49152, 65535), "10.0.0.0/16") for d in Direction]
    assert isinstance(gap(*bgp_only, *windows), Gap)  # part of Linux's range only
    wide = [entry(110, d, NaclAction.ALLOW, 6, PortRange(1024, 65535), "10.0.0.0/16") for d in Direction]
    assert gap(*bgp_only, *wide) == "pass"
    # UDP flows have no replies: each side sends to the flow's own port
    vxlan = [entry(100, d, NaclAction.ALLOW, 17, PortRange(4789, 4789), "10.0.0.0/16") for d in Direction]
    assert gap(*vxlan, name="vxlan") == "pass"


def test_address_blocks_are_sets() -> None:
    # two allow entries, one per subnet, hold the other subnet whichever way round
    halves = [entry(n, d, NaclAction.ALLOW, -1, None, c) for d in Direction
              for n, c in ((100, "10.0.1.0/24"), (110, "10.0.2.0/24"))]
    assert gap(*halves, name="ipip") == "pass"
    # a deny of one address inside the far subnet, before the allow: some nodes are cut off
    one_host = entry(90, Direction.INGRESS, NaclAction.DENY, -1, None, "10.0.2.7/32")
    assert isinstance(gap(*halves, one_host, name="ipip"), Gap)


def test_one_subnet_crosses_no_acl() -> None:
    single = NodeGroup("nodes", NodeKind.AUTOSCALING_GROUP, HERE, (), ("a",), False, HERE, multiple=True)
    model = Model(subnets=(A,), network_acls=(ACL,))
    assert Facts(model).nacl_gap(flow("bgp"), single, single).passed


def test_which_acl_serves_a_subnet() -> None:
    free = NetworkAcl("acl", HERE, vpc="vpc")  # names no subnet: the subnets keep AWS's default ACL
    assert gap(acls=(free,)) == "pass"
    assert isinstance(gap(acls=(free,), nacl_associations=(NaclAssociation("acl", "a", HERE),)), Gap)
    default = NetworkAcl("default", HERE, vpc="vpc", default=True)  # Terraform's aws_default_network_acl
    assert isinstance(gap(acls=(default,)), Gap)
    assert gap(acls=(free,), nacl_associations=(NaclAssociation("acl", Unknown("var.subnet"), HERE),)) == "unknown"


def test_unknown_entries_are_unknown() -> None:
    assert gap(*ALLOW_ALL, entry(Unknown("var.n"), Direction.INGRESS, NaclAction.DENY)) == "unknown"
    assert gap(entry(100, Direction.INGRESS, NaclAction.ALLOW, -1, None, Unknown("var.cidr")),  # type: ignore[arg-type]
               ALLOW_ALL[1]) == "unknown"


def test_ipv6_flows_use_the_ipv6_blocks() -> None:
    a6 = Subnet("a", "10.0.1.0/24", HERE, vpc="vpc", ipv6_cidr="2600:1f18::/64")
    b6 = Subnet("b", "10.0.2.0/24", HERE, vpc="vpc", ipv6_cidr="2600:1f18:0:1::/64")
    model = Model(subnets=(a6, b6), network_acls=(ACL,), nacl_rules=ALLOW_ALL)  # 0.0.0.0/0 holds no IPv6 node
    found = Facts(model).nacl_gap(flow("vxlan-v6"), NODES, NODES)
    assert isinstance(found, Gap) and ":" in found.crossing.peer_cidr


TF = """
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_network_acl" "nodes" {
  vpc_id     = aws_vpc.main.id
  subnet_ids = [aws_subnet.a.id]
  ingress {
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    cidr_block = "10.0.0.0/16"
    from_port  = 179
    to_port    = 179
  }
}
resource "aws_network_acl_rule" "out" {
  network_acl_id  = aws_network_acl.nodes.id
  rule_number     = 90
  egress          = true
  protocol        = "-1"
  rule_action     = "deny"
  ipv6_cidr_block = "::/0"
}
resource "aws_network_acl_association" "b" {
  network_acl_id = aws_network_acl.nodes.id
  subnet_id      = "subnet-0b"
}
resource "aws_default_network_acl" "default" {
  default_network_acl_id = aws_vpc.main.default_network_acl_id
}
"""


def test_terraform_network_acls(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TF)
    model = load_modules([tmp_path.as_posix()]).model
    assert [(a.key, a.vpc, a.subnets, a.default) for a in model.network_acls] == [
        ("aws_network_acl.nodes", "aws_vpc.main", ("aws_subnet.a",), False),
        ("aws_default_network_acl.default", "aws_vpc.main", (), True)]
    assert [(r.nacl, r.number, r.direction, r.action, r.protocol, r.ports, r.cidr, r.where.line)
            for r in model.nacl_rules] == [
        ("aws_network_acl.nodes", 100, Direction.INGRESS, NaclAction.ALLOW, 6, PortRange(179, 179), "10.0.0.0/16", 10),
        ("aws_network_acl.nodes", 90, Direction.EGRESS, NaclAction.DENY, -1, None, "::/0", 19)]
    assert [(a.nacl, a.subnet) for a in model.nacl_associations] == [("aws_network_acl.nodes", "subnet-0b")]


CFN = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Acl:
    Type: AWS::EC2::NetworkAcl
    Properties: {VpcId: vpc-1}
  Entry:
    Type: AWS::EC2::NetworkAclEntry
    Properties:
      NetworkAclId: !Ref Acl
      RuleNumber: 100
      Protocol: 17
      RuleAction: allow
      Egress: true
      CidrBlock: 10.0.0.0/16
      PortRange: {From: 4789, To: 4789}
  Assoc:
    Type: AWS::EC2::SubnetNetworkAclAssociation
    Properties: {SubnetId: !Ref Subnet, NetworkAclId: !Ref Acl}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: vpc-1, CidrBlock: 10.0.1.0/24}
"""


def test_cloudformation_network_acls(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(CFN)
    model = load_template(path.as_posix(), CfnOptions())
    assert [a.key for a in model.network_acls] == ["Acl"]
    assert [(r.nacl, r.number, r.direction, r.action, r.protocol, r.ports, r.cidr) for r in model.nacl_rules] == [
        ("Acl", 100, Direction.EGRESS, NaclAction.ALLOW, 17, PortRange(4789, 4789), "10.0.0.0/16")]
    assert [(a.nacl, a.subnet) for a in model.nacl_associations] == [("Acl", "Subnet")]


@pytest.mark.parametrize("number", [1, 50])
def test_a_fix_numbers_its_entry_before_the_deny(number: int) -> None:
    deny = entry(number + 1, Direction.INGRESS, NaclAction.DENY, 6, PortRange(179, 179))
    model = Model(subnets=(A, B), network_acls=(ACL,), nacl_rules=(*ALLOW_ALL, deny))
    facts = Facts(model)
    found = facts.nacl_gap(flow("bgp"), NODES, NODES)
    assert isinstance(found, Gap) and facts.nacl_free_number(found) == number


def test_a_deployment_without_network_acls_crosses_none() -> None:
    unplaced = NodeGroup("nodes", NodeKind.AUTOSCALING_GROUP, HERE, (), Unknown("var.subnets"), False, HERE,
                         multiple=True)
    assert Facts(Model()).nacl_gap(flow("bgp"), unplaced, unplaced).passed  # AWS's default ACL allows all
    assert not Facts(Model(network_acls=(ACL,))).nacl_gap(flow("bgp"), unplaced, unplaced).passed


TWO_GROUPS = """
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_subnet" "b" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.2.0/24"
}
resource "aws_network_acl" "nodes" {
  vpc_id     = aws_vpc.main.id
  subnet_ids = [aws_subnet.a.id, aws_subnet.b.id]
}
resource "aws_instance" "k8s_a" { subnet_id = aws_subnet.a.id }
resource "aws_instance" "k8s_b" { subnet_id = aws_subnet.b.id }
"""


def test_one_finding_per_acl_naming_every_pair_with_one_fix(tmp_path: Path) -> None:
    import datetime

    from linter.config import Config
    from linter.engine import load_rules
    from linter.scan import ScanRequest, scan

    (tmp_path / "main.tf").write_text(TWO_GROUPS)
    rules = [r for r in load_rules() if r.id == "CAL016"]
    report, _ = scan(ScanRequest((tmp_path.as_posix(),), Config(), tmp_path.as_posix(), datetime.date(2026, 12, 1)),
                     rules)
    bgp = [f for f in report.findings if "BGP" in f.message]
    assert len(bgp) == 1, [f.message for f in report.findings]
    (finding,) = bgp
    assert "aws_instance.k8s_a and aws_instance.k8s_b" in finding.message
    assert finding.fix is not None and finding.fix.replacement.count("aws_network_acl_rule") == 8  # 2 ways x 2 legs x 2
