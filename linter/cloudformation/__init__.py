"""CloudFormation -> Model: templates in YAML or JSON (CDK output included), with nested stacks.

    decode.py      text -> data with lines (cfn-lint's decoder, imported only when a template is read)
    intrinsics.py  Parameters, Conditions, Ref, GetAtt, Sub, If, Join, Select, ... -> values or UNKNOWN
    to_model.py    resources -> model elements
    template.py    one template (and the nested stacks it references) -> Model
"""
from __future__ import annotations

from linter.cloudformation.template import (
    CfnOptions,
    is_cloudformation,
    load_template,
    load_template_text,
    parse_cfn_params_file,
)

__all__ = ["CfnOptions", "is_cloudformation", "load_template", "load_template_text", "parse_cfn_params_file"]
