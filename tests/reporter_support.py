"""Hand-built Reports for the reporter tests, and the snapshot helper they share."""
from __future__ import annotations

import os
import re
from pathlib import Path

from linter import __version__
from linter.model import (
    Finding,
    Fix,
    Level,
    Notice,
    ParseProblem,
    Related,
    Report,
    RuleDoc,
    Suppression,
    Where,
)

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE_ENV = "CALICO_LINT_UPDATE_SNAPSHOTS"
ROOT = "/home/dev/infra"
OUTSIDE = "/opt/shared-modules/k8s/main.tf"


def redact(text: str) -> str:
    """The tool version changes every release: snapshots hold a placeholder."""
    return re.sub(r'(?<=")' + re.escape(__version__) + r'(?=")', "[VERSION]", text)


def assert_snapshot(name: str, text: str) -> None:
    """Compare `text` to tests/snapshots/<name>; CALICO_LINT_UPDATE_SNAPSHOTS=1 rewrites it."""
    path = SNAPSHOTS / name
    if os.environ.get(UPDATE_ENV) == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
        return
    assert path.exists(), f"no snapshot {path}: run with {UPDATE_ENV}=1 to create it"
    with open(path, encoding="utf-8", newline="") as handle:
        expected = handle.read()
    assert text == expected, f"output differs from {path} (run with {UPDATE_ENV}=1 to accept it)"


def at(relative: str, line: int, column: int = 1, address: str = "") -> Where:
    return Where(f"{ROOT}/{relative}", line, column, address)


RULES = (
    RuleDoc(
        id="CAL000", name="parse-error", level=Level.ERROR, title="The file could not be parsed",
        message="{message}",
        what="A Terraform, CloudFormation or Calico file that calico-lint could not read.\n",
        why="A linter that skips what it cannot read reports a clean result for a configuration it never saw.\n",
        fix="Fix the syntax error at the reported line.\n",
        example='resource "aws_security_group" "nodes" {\n  name = "a"\n  name = "b"\n}\n',
        use_instead='resource "aws_security_group" "nodes" {\n  name = "a"\n}\n',
        references=("https://developer.hashicorp.com/terraform/language/syntax/configuration",),
        tags=("correctness",), security_severity=5.0,
    ),
    RuleDoc(
        id="CAL001", name="bgp-blocked", level=Level.ERROR,
        title="Node security groups do not admit BGP (TCP 179) from other nodes",
        message="{receiver} does not admit TCP 179 from {sender}",
        what="A node group's security groups do not admit TCP port 179 from another node group.\n",
        why="Calico nodes peer over BGP; without TCP 179 | no routes are exchanged.\n",
        fix="Add an ingress rule for TCP 179 from the node security group.\n",
        example='resource "aws_security_group" "nodes" {\n  name = "nodes"\n}\n',
        use_instead=(
            'resource "aws_security_group_rule" "bgp" {\n  type      = "ingress"\n'
            '  from_port = 179\n  to_port   = 179\n  protocol  = "tcp"\n  self      = true\n}\n'
        ),
        references=("https://docs.tigera.io/calico/latest/getting-started/kubernetes/requirements",),
        tags=("networking", "bgp"), security_severity=7.5,
    ),
    RuleDoc(
        id="CAL003", name="src-dst-check-enabled", level=Level.ERROR,
        title="Source/destination check is left on for a node",
        message="{node}: source/destination check is not disabled",
        what="A node keeps AWS's source/destination check.\n",
        why="AWS drops pod traffic addressed outside the VPC range.\n",
        fix="Set `source_dest_check = false`.\n",
        example='resource "aws_instance" "worker" {\n  ami = var.ami\n}\n',
        use_instead='resource "aws_instance" "worker" {\n  ami               = var.ami\n  source_dest_check = false\n}\n',
        references=("https://docs.tigera.io/calico/latest/reference/resources/felixconfig",),
        tags=("networking",), security_severity=5.0,
    ),
    RuleDoc(
        id="CAL005", name="pool-without-nat", level=Level.WARNING, title="A pool has no outgoing NAT",
        message="{pool}: natOutgoing is off",
        what="An IP pool without `natOutgoing: true`.\n",
        why="Pods reach anything outside AWS only through NAT to the node address.\n",
        fix="Set `natOutgoing: true` on the pool.\n",
        example="apiVersion: projectcalico.org/v3\nkind: IPPool\nspec:\n  natOutgoing: false\n",
        use_instead="apiVersion: projectcalico.org/v3\nkind: IPPool\nspec:\n  natOutgoing: true\n",
        tags=("networking",), security_severity=3.0,
    ),
    RuleDoc(
        id="CAL012", name="ipip-as-protocol-94", level=Level.WARNING,
        title="An IPIP rule uses protocol 94 instead of 4",
        message="{rule} allows protocol 94, not 4",
        what="A security group rule meant for IP-in-IP allows protocol 94.\n",
        why="IP-in-IP is protocol 4; 94 is a different protocol.\n",
        fix="Use protocol `4`.\n",
        tags=("networking",), security_severity=4.0,
    ),
)

SOURCES = {
    f"{ROOT}/main.tf": [
        'resource "aws_instance" "controllers" {\n',
        "  count         = 3\n",
        "  ami           = var.ami\n",
        '  instance_type = "m5.large"\n',
        "}\n",
        "\n",
        "# calico-lint: ignore[CAL003] the router forwards, the check stays on\n",
        'resource "aws_instance" "router" {\n',
        "\tami = var.ami\n",
        "}\n",
    ],
    f"{ROOT}/modules/k8s/security.tf": [
        'resource "aws_security_group" "nodes" {\n',
        '  name = "nodes"\n',
        "}\n",
    ],
    f"{ROOT}/broken.tf": ['resource "aws_vpc" "main" {\n', '  cidr_block = "10.0.0.0/16"\n', "  name = = 1\n"],
}


def read_lines(path: str) -> list[str]:
    return SOURCES.get(path, [])


def sample_report() -> Report:
    parse = ParseProblem(at("broken.tf", 3, 10, "broken.tf"), "unexpected token '=' (expected an expression)")
    findings = (
        Finding(
            rule="CAL003", level=Level.ERROR,
            message="aws_instance.controllers: source/destination check is not disabled, "
                    "so AWS drops pod traffic addressed outside the VPC range",
            where=at("main.tf", 1, 1, "aws_instance.controllers"),
            identity="aws_instance.controllers",
            fix=Fix("Disable the source/destination check", at("main.tf", 5, 1, "aws_instance.controllers"),
                    "  source_dest_check = false\n"),
        ),
        Finding(
            rule="CAL003", level=Level.ERROR,
            message="aws_instance.router: source/destination check is not disabled",
            where=at("main.tf", 8, 1, "aws_instance.router"), identity="aws_instance.router",
            suppression=Suppression(("CAL003",), "the router forwards, the check stays on",
                                    at("main.tf", 7, 1), target_line=8),
        ),
        Finding(
            rule="CAL001", level=Level.ERROR,
            message="module.k8s.aws_security_group.nodes does not admit TCP 179 from "
                    "module.k8s.aws_autoscaling_group.workers",
            where=at("modules/k8s/security.tf", 1, 1, "module.k8s.aws_security_group.nodes"),
            related=(
                Related(at("modules/k8s/workers.tf", 12, 1, "module.k8s.aws_autoscaling_group.workers"),
                        "the sending node group"),
                Related(at("modules/k8s/workers.tf", 2, 1, "module.k8s.aws_launch_template.workers"),
                        "its launch template, which attaches the security group"),
            ),
            identity="module.k8s.aws_security_group.nodes<-module.k8s.aws_autoscaling_group.workers",
        ),
        Finding(
            rule="CAL001", level=Level.NOTE,
            message="could not verify that aws_security_group.extra admits TCP 179 from aws_instance.controllers: "
                    "depends on var.node_sg_id",
            where=at("modules/k8s/security.tf", 1, 1, "module.k8s.aws_security_group.nodes"),
            identity="module.k8s.aws_security_group.nodes<-aws_instance.controllers",
        ),
        Finding(
            rule="CAL005", level=Level.WARNING,
            message="IPPool/default-ipv4-ippool: natOutgoing is off, so pods cannot reach the internet",
            where=at("calico/pools.yaml", 4, 3, "IPPool/default-ipv4-ippool"),
            identity="IPPool/default-ipv4-ippool",
        ),
        Finding(
            rule="CAL012", level=Level.WARNING,
            message="aws_security_group_rule.ipip allows protocol 94, not 4",
            where=at("modules/k8s/security.tf", 20, 1, "module.k8s.aws_security_group_rule.ipip"),
            identity="module.k8s.aws_security_group_rule.ipip", baselined=True,
        ),
        Finding(
            rule="CAL000", level=Level.ERROR, message=parse.message, where=parse.where, identity="broken.tf",
        ),
    )
    notices = (
        Notice(Level.NOTE, "No Calico IP pool found: assuming Calico's default pool "
                           "(192.168.0.0/16, IPIP Always, NAT outgoing, BGP on)"),
        Notice(Level.WARNING, "Helm values could not be read: template not rendered", f"{ROOT}/charts/values.yaml"),
    )
    files = tuple(f"{ROOT}/{name}" for name in (
        "main.tf", "broken.tf", "modules/k8s/security.tf", "modules/k8s/workers.tf", "calico/pools.yaml",
    ))
    return Report(findings=findings, rules=RULES, notices=notices, problems=(parse,), files=files,
                  root=ROOT, tool_version=__version__)


def empty_report() -> Report:
    return Report(findings=(), rules=RULES, files=(f"{ROOT}/main.tf",), root=ROOT, tool_version=__version__)


def outside_root_report() -> Report:
    """A finding in a module outside the root, and a path that needs percent-encoding."""
    findings = (
        Finding(rule="CAL003", level=Level.ERROR, message="aws_instance.node: check not disabled",
                where=Where(OUTSIDE, 3, 1, "module.shared.aws_instance.node"),
                related=(Related(at("env prod/main.tf", 7, 1, "module.shared"), "the module call"),)),
    )
    return Report(findings=findings, rules=RULES, files=(OUTSIDE, f"{ROOT}/env prod/main.tf"),
                  root=ROOT, tool_version=__version__)
