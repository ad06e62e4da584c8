"""CloudFormation templates (YAML, JSON, CDK output, nested stacks) -> the model.

Decoding is cfn-lint's (`cfnlint.decode`), imported only when a template is read. Intrinsic
functions are evaluated where the template (with its parameters) determines them; the rest is
`Unknown`. A template that does not decode contributes one CAL000 and nothing else.
"""
from __future__ import annotations

import json
import os
import posixpath
import re
from dataclasses import dataclass
from typing import Any

from linter.confine import OUTSIDE, Confinement, Refused
from linter.limits import MAX_CFN_TEMPLATE_CHARS
from linter.model import Level, Model, ParseProblem, Suppression, Unknown, Where, merge_models

_SNIFF_VERSION = re.compile(r"\bAWSTemplateFormatVersion\b")
_SNIFF_RESOURCES = re.compile(r"""^[ \t{]*'?Resources'?[ \t]*:|"Resources"\s*:""", re.MULTILINE)
_SNIFF_TYPE = re.compile(r"""["']?Type["']?[ \t]*:[ \t]*["']?AWS::[A-Za-z0-9]+::""")
_MAX_NESTING = 8


@dataclass(frozen=True, slots=True)
class CfnOptions:
    parameters: tuple[tuple[str, str], ...] = ()  # from --cfn-param / --cfn-params, top-level templates
    # what nested stacks may be read from; None: the template's directory (and its repository root)
    confinement: Confinement | None = None


def is_cloudformation(doc_text: str) -> bool:
    """Cheap sniff: AWSTemplateFormatVersion, or Resources whose Type starts with AWS::."""
    if '"planned_values"' in doc_text and '"format_version"' in doc_text:
        return False  # a Terraform plan (it may embed a template_body)
    if _SNIFF_VERSION.search(doc_text):
        return True
    return bool(_SNIFF_RESOURCES.search(doc_text) and _SNIFF_TYPE.search(doc_text))


# ------------------------------------------------------------------------------------ parameters


def parse_cfn_params_file(path: str, confinement: Confinement | None = None) -> tuple[tuple[tuple[str, str], ...], str | None]:
    """Parameters from a file: `[{"ParameterKey", "ParameterValue"}]` (the AWS CLI's form),
    `{"Parameters": {...}}` (cfn-lint's and CodePipeline's) or a plain `{name: value}`."""
    text = (confinement or Confinement.around([path])).read_text(path)
    if isinstance(text, Refused):
        return (), f"cannot read parameters file {path}: {text.reason}"
    try:
        data = json.loads(text)
    except ValueError as err:
        data = _yaml_or_none(text)
        if data is None:
            return (), f"parameters file {path} is not valid JSON: {err}"
    return _params_of(data, path)


def _yaml_or_none(text: str) -> Any:
    import yaml

    from linter.safe_yaml import safe_load

    try:
        return safe_load(text)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):  # UnfitYaml is a ValueError
        return None


def _params_of(data: Any, path: str) -> tuple[tuple[tuple[str, str], ...], str | None]:
    if isinstance(data, dict) and isinstance(data.get("Parameters"), dict):
        data = data["Parameters"]
    pairs: list[tuple[str, str]] = []
    if isinstance(data, list):
        for entry in data:
            if not isinstance(entry, dict) or "ParameterKey" not in entry:
                return (), f"parameters file {path}: each entry needs ParameterKey and ParameterValue"
            if "ParameterValue" in entry:  # UsePreviousValue entries have none
                pairs.append((str(entry["ParameterKey"]), _param_text(entry["ParameterValue"])))
    elif isinstance(data, dict):
        pairs = [(str(key), _param_text(value)) for key, value in data.items()]
    else:
        return (), (f"parameters file {path}: expected a list of ParameterKey/ParameterValue, "
                    "{\"Parameters\": {...}} or {name: value}")
    return tuple(pairs), None


def _param_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_param_text(item) for item in value)
    return "" if value is None else str(value)


# ------------------------------------------------------------------------------------ loading


def load_template(path: str, options: CfnOptions = CfnOptions(), *, text: str | None = None) -> Model:
    """The model of a top-level template and the local nested stacks it references.

    `path` should be absolute (the CLI passes absolute paths); it is the deployment's name.
    """
    file = path.replace(os.sep, "/")
    confinement = options.confinement or Confinement.around([file])
    if text is None:
        text, problem = _read(file, confinement)
        if problem is not None:
            return Model(problems=(problem,), files=(file,))
    loader = _Loader(deployment=file, confinement=confinement)
    return loader.load_top(file, text, dict(options.parameters), address_prefix="", fixed_line=None)


def load_template_text(text: str, *, file: str, deployment: str, address_prefix: str, line_offset: int,
                       parameters: tuple[tuple[str, str], ...] = (), confinement: Confinement | None = None) -> Model:
    """A template embedded in Terraform (`aws_cloudformation_stack.template_body`).

    Addresses are f"{address_prefix}.{LogicalId}"; every element and problem is located at
    (file, line_offset), the Terraform resource. A string holding `${` outside Fn::Sub is a Terraform
    interpolation that stayed unknown: Unknown.
    """
    loader = _Loader(deployment=deployment, confinement=confinement or Confinement.around([file]))
    prefix = f"{address_prefix}." if address_prefix else ""
    return loader.load_top(file.replace(os.sep, "/"), text, dict(parameters), address_prefix=prefix,
                           fixed_line=max(int(line_offset), 1))


def _read(file: str, confinement: Confinement) -> tuple[str, ParseProblem | None]:
    text = confinement.read_text(file)
    if isinstance(text, Refused):
        return "", ParseProblem(Where(file, text.line, 1, ""), f"cannot read template: {text.reason}")
    return text, None


class _Loader:
    """One top-level template's load: decodes each file once, builds nested scopes on demand."""

    def __init__(self, deployment: str, confinement: Confinement) -> None:
        self.deployment = deployment
        self.confinement = confinement
        self.decoded: dict[str, tuple[Any, str]] = {}  # file -> (template or None, text)
        self.problems: list[ParseProblem] = []
        self.files: list[str] = []
        self.scopes: list[Any] = []
        self.children: dict[str, Any] = {}
        self.in_progress: set[str] = set()

    def load_top(self, file: str, text: str, parameters: dict[str, Any], *, address_prefix: str,
                 fixed_line: int | None) -> Model:
        from linter.cloudformation.intrinsics import Scope

        if fixed_line is None:
            self.files.append(file)
        template = self._decode(file, text, fixed_line)
        if fixed_line is None:
            self.decoded[file] = (template, text)
        if template is None:
            return Model(problems=tuple(self.problems), files=tuple(self.files))
        top = Scope(template, file=file, prefix=address_prefix, parameters=parameters,
                    children=self._child, tf_markers=fixed_line is not None, fixed_line=fixed_line,
                    ancestors=(file,))
        self.scopes.append(top)
        self._load_all_children(top)
        return self._model()

    def _decode(self, file: str, text: str, fixed_line: int | None) -> Any:
        from linter.cloudformation.decode import decode_text

        if len(text) > MAX_CFN_TEMPLATE_CHARS:  # before decoding: composing alone would take seconds and GBs
            self.problems.append(ParseProblem(Where(file, fixed_line or 1, 1, ""), (
                f"CloudFormation template of {len(text):,} characters: over calico-lint's limit of "
                f"{MAX_CFN_TEMPLATE_CHARS:,} (CloudFormation itself accepts at most 1 MB); not read")))
            return None
        template, errors = decode_text(text)
        if errors:
            last_line = max(1, len(text.splitlines()))
            for error in errors[:1]:  # the first error is the one to fix; the rest often follow from it
                # an error at end of input is reported past the last line: code review cannot show that
                line, column = (error.line, error.column) if error.line <= last_line else (last_line, 1)
                where = Where(file, fixed_line or line, 1 if fixed_line else column, "")
                self.problems.append(ParseProblem(where, f"CloudFormation template does not parse: {error.message}"))
            return None
        if not isinstance(template, dict):
            line = fixed_line or 1
            self.problems.append(ParseProblem(Where(file, line, 1, ""),
                                              "not a CloudFormation template: the top level is not a mapping"))
            return None
        return template

    def _load_all_children(self, top: Any) -> None:
        pending = [top]
        while pending:
            scope = pending.pop(0)
            for logical_id in scope.resources:
                child = scope.child(logical_id)
                if child is not None and child not in pending:
                    pending.append(child)

    def _child(self, parent: Any, logical_id: str) -> Any:
        key = parent.key(logical_id)
        if key in self.children:
            return self.children[key]
        if key in self.in_progress:
            return None  # a stack whose parameters need its own outputs
        self.in_progress.add(key)
        try:
            scope = self._build_child(parent, logical_id, key)
        finally:
            self.in_progress.discard(key)
        self.children[key] = scope
        if scope is not None:
            self.scopes.append(scope)
        return scope

    def _build_child(self, parent: Any, logical_id: str, key: str) -> Any:
        from linter.cloudformation.intrinsics import NO_VALUE, Scope

        if parent.resource_exists(logical_id) is False or len(parent.ancestors) > _MAX_NESTING:
            return None
        props = parent.resources[logical_id].get("Properties")
        props = props if isinstance(props, dict) else {}
        path = _local_template(parent.file, parent.value(props.get("TemplateURL")))
        if path is None or path in parent.ancestors:
            return None
        refused = self.confinement.refusal(path)
        if refused is not None and refused.outside:
            from linter.cloudformation.intrinsics import line_col

            line = parent.fixed_line or (line_col(parent.resources[logical_id]) or (1, 1))[0]
            self.problems.append(ParseProblem(Where(parent.file, line, 1, key),
                                              f"nested stack {key}: its TemplateURL is {OUTSIDE}: not read, "
                                              "its resources are UNKNOWN", Level.NOTE))
            return None
        if refused is not None:  # missing, not a regular file, not a path at all: not a template of the scan
            return None
        template = self._decode_file(path)
        if template is None:
            return None
        passed = parent.value(props["Parameters"]) if "Parameters" in props else {}
        if passed is NO_VALUE:
            passed = {}
        if not isinstance(passed, dict):
            unknown = passed if isinstance(passed, Unknown) else Unknown(f"Parameters of {key}")
            declared = template.get("Parameters")
            passed = {str(name): unknown for name in declared} if isinstance(declared, dict) else {}
        return Scope(template, file=path, prefix=f"{key}.", parameters=passed, children=self._child,
                     ancestors=parent.ancestors + (path,))

    def _decode_file(self, path: str) -> Any:
        if path not in self.decoded:
            self.files.append(path)
            text, problem = _read(path, self.confinement)
            if problem is not None:
                self.problems.append(problem)
                template = None
            else:
                template = self._decode(path, text, None)
            self.decoded[path] = (template, text)
        return self.decoded[path][0]

    def _model(self) -> Model:
        from linter.cloudformation.to_model import map_deployment, metadata_suppressions
        from linter.suppression_comments import scan_comment_suppressions

        elements = map_deployment(self.scopes, self.deployment)
        suppressions: list[Suppression] = []
        seen_files: set[str] = set()
        for scope in self.scopes:
            suppressions.extend(metadata_suppressions(scope))
            if scope.fixed_line is None and scope.file not in seen_files:
                seen_files.add(scope.file)
                suppressions.extend(scan_comment_suppressions(self.decoded[scope.file][1], scope.file))
        extra = Model(problems=tuple(self.problems), suppressions=tuple(suppressions),
                      files=tuple(self.files))
        return merge_models([elements, extra])


def _local_template(parent_file: str, url: Any) -> str | None:
    """The local file a TemplateURL names (whether it exists or may be read is for the caller to tell)."""
    if not isinstance(url, str) or not url.strip():
        return None
    url = url.strip()
    if url.startswith("file://"):
        url = url[len("file://"):]
    elif "://" in url:
        return None  # https://, s3://: not in the scan
    path = url if posixpath.isabs(url) else posixpath.join(posixpath.dirname(parent_file), url)
    return posixpath.normpath(path)


__all__ = ["CfnOptions", "is_cloudformation", "load_template", "load_template_text",
           "parse_cfn_params_file"]
