"""Configuration embedded in Terraform resources: Calico manifests, Helm values, CloudFormation templates."""
from __future__ import annotations

import re
from typing import Any, Iterator, Sequence

from linter.model import Model, ParseProblem, Unknown, merge_models
from linter.parsers.tfvalues import LINE, PartialTemplate, Ref, TfResource

MANIFEST_TYPES = ("kubernetes_manifest", "kubectl_manifest", "helm_release", "aws_cloudformation_stack")


def embedded_models(resources: Sequence[TfResource]) -> Model:
    models = [m for r in resources if r.mode == "managed" and r.type in MANIFEST_TYPES for m in _embedded(r)]
    return merge_models(models)


def _embedded(resource: TfResource) -> Iterator[Model]:
    # one document per resource, never one per instance of a count (DESIGN §4)
    for instance in resource.instances[:1]:
        values = instance.values
        if resource.type == "kubernetes_manifest":
            manifest = values.get("manifest")
            if isinstance(manifest, dict):
                yield _calico_objects([manifest], resource)
        elif resource.type == "kubectl_manifest":
            body = text_with_markers(values.get("yaml_body"))
            if body is not None:
                yield _calico_yaml(body, resource)
        elif resource.type == "helm_release":
            yield from _helm(values, resource)
        elif resource.type == "aws_cloudformation_stack":
            body = text_with_markers(values.get("template_body"))
            if body is not None:
                yield _template(body, values, resource)


def text_with_markers(value: Any) -> str | None:
    """An embedded document's text; interpolations that stay unknown become `${...}` placeholders.

    The placeholder is quoted where it stands outside a string (a JSON value such as
    `"VPCZoneIdentifier": ${jsonencode(var.subnet_ids)}`), so the document still parses and the
    value reads as UNKNOWN.
    """
    if isinstance(value, str):
        return value
    if not isinstance(value, PartialTemplate):
        return None
    text = ""
    for part in value.parts:
        if isinstance(part, str):
            text += part
            continue
        source = str(part) if isinstance(part, Ref) else getattr(part, "expr", "unknown")
        marker = "${" + source.replace('"', "'").replace("${", "").rstrip("}") + "}"
        text += marker if _inside_string(text) else f'"{marker}"'
    return text


def _inside_string(text: str) -> bool:
    """Whether the end of text is inside a double-quoted string (JSON/YAML flow), by quote parity on its line."""
    line = text.rsplit("\n", 1)[-1]
    quotes = len(re.findall(r'(?<!\\)"', line))
    return quotes % 2 == 1


def _calico_objects(objects: list[dict], resource: TfResource) -> Model:
    from linter.parsers.calico import load_calico_objects

    return load_calico_objects(objects, where=resource.where, key_prefix=resource.address)


def _calico_yaml(text: str, resource: TfResource) -> Model:
    import yaml

    try:
        documents = [d for d in yaml.safe_load_all(text) if isinstance(d, dict)]
    except yaml.YAMLError as error:
        if "projectcalico.org" in text or "operator.tigera.io" in text:
            return Model(problems=(ParseProblem(resource.where, f"embedded YAML does not parse: {error}"),))
        return Model()
    return _calico_objects(documents, resource)


def _helm(values: dict, resource: TfResource) -> Iterator[Model]:
    import yaml

    from linter.parsers.calico import load_helm_values

    chart = values.get("chart")
    if not (isinstance(chart, str) and "tigera-operator" in chart):
        return
    merged: dict[str, Any] = {}
    for text in values.get("values") or []:
        if isinstance(text, str):
            try:
                loaded = yaml.safe_load(text)
            except yaml.YAMLError as error:
                yield Model(problems=(ParseProblem(resource.where, f"helm_release values do not parse: {error}"),))
                continue
            if isinstance(loaded, dict):
                merged = _deep_merge(merged, loaded)
    for block in values.get("set") or []:
        if isinstance(block, dict) and isinstance(block.get("name"), str):
            merged = _deep_merge(merged, _dotted(block["name"], block.get("value", Unknown("set value"))))
    if merged:
        yield load_helm_values(merged, where=resource.where, key=resource.address)


def _dotted(name: str, value: Any) -> dict:
    parts = name.replace("\\.", "\0").split(".")
    result: Any = value
    for part in reversed(parts):
        result = {part.replace("\0", "."): result}
    return result


def _deep_merge(base: dict, extra: dict) -> dict:
    merged = dict(base)
    for key, value in extra.items():
        merged[key] = _deep_merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
    return merged


def _template(body: str, values: dict, resource: TfResource) -> Model:
    from linter.parsers.cloudformation import load_template_text

    parameters = values.get("parameters")
    params = tuple((str(k), str(v)) for k, v in parameters.items()
                   if k != LINE and not k.startswith("__") and isinstance(v, (str, int, float, bool))) \
        if isinstance(parameters, dict) else ()
    return load_template_text(body, file=resource.where.file, deployment=resource.deployment,
                              address_prefix=resource.address, line_offset=resource.where.line, parameters=params)
