"""linter.aws: how AWS reads a rule's protocol, ports and booleans, once for Terraform and CloudFormation."""
from __future__ import annotations

from pathlib import Path

import pytest

from linter.aws import boolean, port_range, protocol_number
from linter.cloudformation import load_template
from linter.model import ALL_PROTOCOLS, ICMP, ICMPV6, TCP, UDP, PortRange, Unknown
from linter.terraform import load_modules


@pytest.mark.parametrize(("value", "expected"), [
    ("tcp", TCP), (" UDP ", UDP), ("icmp", ICMP), ("icmpv6", ICMPV6), ("-1", ALL_PROTOCOLS), ("all", ALL_PROTOCOLS),
    (-1, ALL_PROTOCOLS), ("4", 4), (94, 94), (6.0, TCP), ("58", ICMPV6),
])
def test_protocols_as_aws_names_them(value: object, expected: int) -> None:
    assert protocol_number(value, "protocol") == expected


@pytest.mark.parametrize("value", ["gre", 256, -2, True, None, "6.5"])
def test_what_aws_takes_for_no_protocol_is_unknown(value: object) -> None:
    assert isinstance(protocol_number(value, "IpProtocol"), Unknown)


@pytest.mark.parametrize(("protocol", "low", "high", "expected"), [
    (TCP, 179, 179, PortRange(179, 179)),
    (UDP, "4789", "4790", PortRange(4789, 4790)),
    (TCP, 0, 65535, None),  # every port
    (ICMP, None, None, None),  # ports count for TCP and UDP only
    (ICMP, -1, -1, None),
    (ALL_PROTOCOLS, 0, 0, None),
    (Unknown("var.protocol"), None, None, None),  # the unknown protocol decides first
])
def test_ports_as_aws_reads_them(protocol: int | Unknown, low: object, high: object, expected: object) -> None:
    assert port_range(protocol, low, high) == expected


@pytest.mark.parametrize(("protocol", "low", "high", "named"), [
    (TCP, -1, -1, "tcp ports -1 to -1"),
    (TCP, 179, None, "tcp ports 179 to none"),
    (TCP, None, 179, "tcp ports none to 179"),
    (TCP, None, None, "tcp ports none to none"),
    (TCP, -1, 179, "tcp ports -1 to 179"),
    (TCP, 200, 100, "tcp ports 200 to 100"),
    (UDP, 0, 70000, "udp ports 0 to 70000"),
])
def test_ports_aws_rejects_are_never_read_as_valid(protocol: int, low: object, high: object, named: str) -> None:
    # "Must specify both from and to ports with TCP/UDP": UNKNOWN, naming the value (DESIGN §6)
    assert port_range(protocol, low, high) == Unknown(f"{named}, which AWS rejects")


def test_unreadable_ports_and_booleans_are_unknown() -> None:
    assert isinstance(port_range(TCP, "a", 179), Unknown)
    assert port_range(TCP, Unknown("var.from"), 179) == Unknown("var.from")
    assert (boolean("FALSE", "x"), boolean(True, "x"), boolean(None, "x")) == (False, True, None)
    assert boolean("no", "SourceDestCheck") == Unknown("SourceDestCheck 'no'")
    assert protocol_number("4.7", "protocol") == Unknown("protocol '4.7', which AWS rejects")


def test_terraform_and_cloudformation_read_a_missing_bound_alike(tmp_path: Path) -> None:
    (tmp_path / "tf").mkdir()
    (tmp_path / "tf" / "main.tf").write_text(
        'resource "aws_security_group" "nodes" {\n  ingress {\n    protocol  = "tcp"\n    from_port = 179\n'
        '    self      = true\n  }\n}\n')
    template = tmp_path / "template.yaml"
    template.write_text(
        "Resources:\n  NodeSg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: n\n"
        "      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 179}\n")
    [terraform] = [r for r in load_modules([str(tmp_path / "tf")]).model.sg_rules if r.direction.value == "ingress"]
    [cloudformation] = [r for r in load_template(str(template)).sg_rules if r.direction.value == "ingress"]
    assert terraform.ports == cloudformation.ports == Unknown("tcp ports 179 to none, which AWS rejects")
