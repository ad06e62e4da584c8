"""Benchmarks: how long calico-lint takes on inputs of realistic and large size.

    python bench/run.py            # prints a table; nothing is asserted (timed tests are flaky)
    python bench/run.py --quick    # fewer repetitions

Cases are generated into a temporary directory so the numbers are reproducible from a checkout.
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def terraform_cluster(directory: Path, rules: int) -> None:
    """One module: a VPC, subnets, two node groups and `rules` standalone security group rules."""
    parts = ['resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n',
             'resource "aws_subnet" "az" {\n  count      = 3\n  vpc_id     = aws_vpc.main.id\n'
             '  cidr_block = cidrsubnet(aws_vpc.main.cidr_block, 8, count.index)\n}\n']
    for group in ("controllers", "workers"):
        parts.append(f'resource "aws_security_group" "{group}" {{\n  vpc_id = aws_vpc.main.id\n}}\n')
        parts.append(f'resource "aws_instance" "{group}" {{\n  count = 3\n  ami = "ami-1"\n'
                     f'  subnet_id = element(aws_subnet.az.*.id, count.index)\n'
                     f'  vpc_security_group_ids = [aws_security_group.{group}.id]\n}}\n')
    for index in range(rules):
        group, peer = ("controllers", "workers") if index % 2 else ("workers", "controllers")
        port = 1000 + index
        parts.append(f'resource "aws_security_group_rule" "r{index}" {{\n  type = "ingress"\n'
                     f'  security_group_id = aws_security_group.{group}.id\n  protocol = "tcp"\n'
                     f'  from_port = {port}\n  to_port = {port}\n'
                     f'  source_security_group_id = aws_security_group.{peer}.id\n}}\n')
    (directory / "main.tf").write_text("\n".join(parts))


def cloudformation_template(path: Path, rules: int) -> None:
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "Resources:",
             "  Nodes:", "    Type: AWS::EC2::SecurityGroup", "    Properties:", "      GroupDescription: nodes",
             "  Node:", "    Type: AWS::EC2::Instance", "    Properties:", "      ImageId: ami-1",
             "      SecurityGroupIds: [!Ref Nodes]"]
    for index in range(rules):
        lines += [f"  Rule{index}:", "    Type: AWS::EC2::SecurityGroupIngress", "    Properties:",
                  "      GroupId: !Ref Nodes", "      IpProtocol: tcp", f"      FromPort: {1000 + index}",
                  f"      ToPort: {1000 + index}", "      SourceSecurityGroupId: !Ref Nodes"]
    path.write_text("\n".join(lines) + "\n")


def timed(args: list[str], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "linter", *args], cwd=REPO, capture_output=True, check=False)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), min(samples)


def main(argv: list[str]) -> int:
    runs = 3 if "--quick" in argv else 7
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        cases: list[tuple[str, list[str]]] = [("startup: calico-lint rules", ["rules"]),
                                              ("bundled example (Terraform + IPPool)", ["scan", "examples/terraform-cluster"])]
        for size in (100, 1000):
            directory = root / f"tf{size}"
            directory.mkdir()
            terraform_cluster(directory, size)
            cases.append((f"Terraform, {size} SG rules, 2 node groups", ["scan", str(directory)]))
        template = root / "cfn1000.yaml"
        cloudformation_template(template, 1000)
        cases.append(("CloudFormation, 1000 SG ingress resources", ["scan", str(template)]))
        print(f"{'case':<46} {'median s':>9} {'best s':>8}   ({runs} runs each, {sys.version.split()[0]})")
        for name, args in cases:
            median, best = timed(args, runs)
            print(f"{name:<46} {median:>9.3f} {best:>8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
