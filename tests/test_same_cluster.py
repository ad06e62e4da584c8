"""The same cluster written in Terraform and in CloudFormation gives the same findings.

tests/fixtures/same_cluster/terraform/main.tf and .../cloudformation/cluster.yaml describe one
cluster (VPC, two subnets in two AZs, a controller instance, a worker ASG with a launch template,
security groups where one BGP and one IP-in-IP direction is missing), each beside the same Calico
pool. Terraform resource names equal the CloudFormation logical ids, so addresses and messages
compare once Terraform's `aws_<type>.` prefix is stripped.
"""
from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

from linter.config import Config
from linter.engine import load_rules
from linter.model import Report
from linter.scan import ScanRequest, scan

CLUSTER = Path(__file__).parent / "fixtures" / "same_cluster"
RULES = load_rules()
_TF_TYPE = re.compile(r"\baws_[a-z0-9_]+\.")

Key = tuple[str, str, str, str, frozenset]


def _scan(directory: Path) -> Report:
    request = ScanRequest((str(directory),), Config(), directory.as_posix(), datetime.date(2026, 12, 1))
    report, _ = scan(request, RULES)
    return report


def _normal(text: str) -> str:
    return _TF_TYPE.sub("", text)


def _keys(report: Report) -> set[Key]:
    return {
        (f.rule, f.level.value, _normal(f.where.address), _normal(f.message),
         frozenset((_normal(r.where.address), _normal(r.why)) for r in f.related))
        for f in report.findings
        if not f.suppressed
    }


@pytest.fixture(scope="module")
def terraform() -> Report:
    return _scan(CLUSTER / "terraform")


@pytest.fixture(scope="module")
def cloudformation() -> Report:
    return _scan(CLUSTER / "cloudformation")


def test_both_inputs_parse(terraform: Report, cloudformation: Report) -> None:
    assert terraform.problems == ()
    assert cloudformation.problems == ()


def test_the_fixture_has_findings_to_compare(terraform: Report, cloudformation: Report) -> None:
    for report in (terraform, cloudformation):
        rules = {f.rule for f in report.findings}
        assert {"CAL001", "CAL002", "CAL003"} <= rules, sorted(rules)


def test_same_findings(terraform: Report, cloudformation: Report) -> None:
    tf, cfn = _keys(terraform), _keys(cloudformation)
    assert tf == cfn, f"only in Terraform: {sorted(tf - cfn, key=str)}\nonly in CloudFormation: {sorted(cfn - tf, key=str)}"


def test_same_number_of_findings(terraform: Report, cloudformation: Report) -> None:
    """Sets could hide a duplicate on one side: one finding per (rule, resource, peer) on both."""
    assert len(terraform.findings) == len(cloudformation.findings)


def test_findings_point_at_the_same_resources(terraform: Report, cloudformation: Report) -> None:
    expected = {
        ("CAL001", "WorkerSg"),  # the workers do not admit BGP from each other
        ("CAL002", "WorkerSg"),  # nor IP-in-IP from the controller
        ("CAL003", "Workers"),  # a launch template cannot turn the check off
    }
    for report in (terraform, cloudformation):
        assert {(f.rule, _normal(f.where.address)) for f in report.findings} == expected

