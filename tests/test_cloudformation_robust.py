"""The CloudFormation parser never raises, and importing it does not import cfn-lint."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linter.model import Model
from linter.cloudformation.template import is_cloudformation, load_template, load_template_text

FIXTURES = Path(__file__).parent / "fixtures" / "cfn_parser"
SEEDS = [(FIXTURES / name).read_text() for name in
         ("network.yaml", "conditions.yaml", "compute.yaml", "standalone.json", "nested/parent.yaml")]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_importing_the_parser_does_not_import_cfnlint() -> None:
    code = "import sys, linter.cloudformation.template; print('cfnlint' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def _check(model: Model) -> None:
    assert isinstance(model, Model)
    for problem in model.problems:
        assert problem.where.line >= 1


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["delete", "insert", "duplicate"]))
        if action == "delete":
            text = text[:position] + text[position + draw(st.integers(1, 40)):]
        elif action == "insert":
            piece = draw(st.sampled_from(["{", "}", "[", "]", ":", "!Ref ", "!GetAtt ", "!Sub ", "\t", "&a ",
                                          "*a", "- ", "\n  ", '"', "\\/", "${", "-1", "Fn::If", "\x00", "é"]))
            text = text[:position] + piece + text[position:]
        else:
            end = min(len(text), position + draw(st.integers(1, 200)))
            text = text[:end] + text[position:end] + text[end:]
    return text


@SETTINGS
@given(mutated())
def test_mutated_templates_never_raise(text: str) -> None:
    _check(load_template("/fuzz/template.yaml", text=text))
    is_cloudformation(text)


@SETTINGS
@given(st.text(max_size=300))
def test_random_text_never_raises(text: str) -> None:
    _check(load_template("/fuzz/template.yaml", text=text))
    _check(load_template_text(text, file="/fuzz/main.tf", deployment="/fuzz", address_prefix="x.y", line_offset=3))


_KEYS = st.sampled_from([
    "Ref", "Fn::GetAtt", "Fn::Sub", "Fn::If", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::Base64",
    "Fn::FindInMap", "Fn::ImportValue", "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Condition",
    "Type", "Properties", "SecurityGroupIngress", "SecurityGroupEgress", "IpProtocol", "FromPort",
    "ToPort", "SourceSecurityGroupId", "GroupId", "CidrIp", "NetworkInterfaces", "NetworkInterfaceId",
    "LaunchTemplate", "LaunchTemplateId", "LaunchTemplateData", "UserData", "VPCZoneIdentifier",
    "TemplateURL", "Parameters", "Outputs", "Value", "A", "B", "Metadata", "calico-lint", "ignore", "id",
])
_SCALARS = st.one_of(
    st.sampled_from(["A", "B", "A.GroupId", "B.Outputs.X", "AWS::NoValue", "AWS::Region", "-1", "tcp", "4",
                     "false", "${A}", "${B.GroupId}", "${!A}", "${", "AWS::EC2::SecurityGroup",
                     "AWS::EC2::Instance", "AWS::AutoScaling::AutoScalingGroup", "AWS::EC2::LaunchTemplate",
                     "AWS::EC2::NetworkInterface", "AWS::CloudFormation::Stack", "AWS::EC2::SecurityGroupIngress",
                     "AWS::EKS::Nodegroup", "child.yaml", "."]),
    st.integers(-2, 70000), st.booleans(), st.none(),
)
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=4)), max_leaves=25)


@SETTINGS
@given(st.dictionaries(st.sampled_from(["A", "B", "C"]), st.dictionaries(_KEYS, _VALUES, max_size=4), max_size=3),
       st.dictionaries(st.sampled_from(["A", "B", "C"]), _VALUES, max_size=2),
       st.dictionaries(st.sampled_from(["A", "B"]), st.dictionaries(_KEYS, _VALUES, max_size=2), max_size=2))
def test_random_structures_never_raise(resources: dict, conditions: dict, parameters: dict) -> None:
    template = {"Resources": resources, "Conditions": conditions, "Parameters": parameters,
                "Outputs": {"X": {"Value": {"Ref": "A"}}}}
    _check(load_template((FIXTURES / "nested" / "fuzz.json").as_posix(), text=json.dumps(template)))


def test_error_at_end_of_input_is_located_on_the_last_line(tmp_path) -> None:
    from linter.cloudformation.template import load_template

    text = ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Node:\n    Type: AWS::EC2::Instance\n"
            "    Properties:\n      SourceDestCheck: [false")
    path = tmp_path / "t.yaml"
    path.write_text(text)
    problems = load_template(str(path)).problems
    assert [p.where.line for p in problems] == [6]
