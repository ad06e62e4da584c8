"""Messages a person reads (issue 12 item 9): a note shows the Terraform expression it depends on, on one
line, never an internal representation (`[Ref(address=...)]`) nor a raw multi-line expression."""
from __future__ import annotations

import datetime
from pathlib import Path

from linter.config import Config
from linter.engine import load_rules
from linter.scan import ScanRequest, scan
from linter.terraform.values import Ref, terraform_text
from linter.model import Unknown, one_line

MAIN = '''
module "vpc" {
  source = "terraform-aws-modules/vpc/aws"
}

variable "extra_cidr" {
  type = string
}

resource "aws_security_group" "k8s_nodes" {
  ingress {
    protocol    = "tcp"
    from_port   = 179
    to_port     = 179
    cidr_blocks = [
      var.extra_cidr == "" ? "10.0.0.0/16"
      : var.extra_cidr,
    ]
  }
}

resource "aws_instance" "k8s_masters" {
  count                  = 2
  ami                    = "ami-1"
  vpc_security_group_ids = [module.vpc.master_sg_id]
  source_dest_check      = false
}

resource "aws_instance" "k8s_edge" {
  count                  = 2
  ami                    = "ami-1"
  subnet_id              = "subnet-2"
  vpc_security_group_ids = [aws_security_group.k8s_nodes.id]
  source_dest_check      = false
}

resource "aws_instance" "k8s_workers" {
  count                  = 2
  ami                    = "ami-1"
  subnet_id              = "subnet-1"
  vpc_security_group_ids = [[aws_security_group.k8s_nodes.id]]
  source_dest_check      = false
}
'''


def notes(tmp_path: Path) -> list[str]:
    (tmp_path / "main.tf").write_text(MAIN)
    request = ScanRequest((str(tmp_path),), Config(), tmp_path.as_posix(), datetime.date(2026, 12, 1))
    report, _ = scan(request, load_rules())
    return [f.message for f in report.findings if f.unverified]


def test_notes_name_the_expression_on_one_line(tmp_path: Path) -> None:
    found = notes(tmp_path)
    assert any("depends on module.vpc.master_sg_id" in m for m in found), found
    assert any('depends on var.extra_cidr == "" ? "10.0.0.0/16" : var.extra_cidr' in m for m in found), found
    assert any("depends on [aws_security_group.k8s_nodes.id]" in m for m in found), found
    for message in found:
        assert "\n" not in message and "Ref(" not in message and "Unknown(" not in message, message


def test_values_are_written_as_terraform_writes_them() -> None:
    assert terraform_text([Ref("aws_security_group.a", "id"), "x", 1, True, None]) == \
        '[aws_security_group.a.id, "x", 1, true, null]'
    assert terraform_text({"a": Unknown("var.b")}) == "{a = var.b}"
    assert one_line("a ?\n   b\n : c") == "a ? b : c"
    assert one_line("x" * 300).endswith("…") and len(one_line("x" * 300)) == 160
