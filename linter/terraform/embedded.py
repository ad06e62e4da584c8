"""Configuration embedded in Terraform resources: Calico manifests, Helm values, CloudFormation templates."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
import re
from typing import Any, Iterator, Sequence

from linter.model import CALICO_FIELDS, GroupSource, Model, ParseProblem, Related, Unknown, merge_models
from linter.terraform.to_model import (
    ResourceIndex, by_deployment, group_key, launch_groups, launch_user_data_disables, subnet_key,
)
from linter.terraform.values import LINE, PartialTemplate, Ref, TfResource

MANIFEST_TYPES = ("kubernetes_manifest", "kubectl_manifest", "helm_release", "aws_cloudformation_stack")


def embedded_models(resources: Sequence[TfResource], files_read: Sequence[tuple[str, str]] = ()) -> Model:
    """Per deployment: an embedded template's references resolve among its own deployment's resources.
    `files_read` (path, text of `file()`/`templatefile()`) tells which files a helm_release takes its values
    from, so that they are judged there only."""
    by_text = {text: path for path, text in files_read}
    return merge_models([_deployment_embedded(group, by_text) for group in by_deployment(resources)])


def _deployment_embedded(resources: Sequence[TfResource], files_by_text: dict[str, str]) -> Model:
    models = [m for r in resources if r.mode == "managed" and r.type in MANIFEST_TYPES
              for m in _embedded(r, files_by_text)]
    index = ResourceIndex()
    for resource in resources:
        if resource.mode == "managed":
            index.add(resource)
    model = _resolve_markers(merge_models(models), index)
    deployment = resources[0].deployment if resources else ""
    # Calico configuration a deployment's own resources carry applies to that deployment
    return dataclasses.replace(model, **{name: tuple(dataclasses.replace(e, deployment=deployment)
                                                     for e in getattr(model, name)) for name in CALICO_FIELDS})


_MARKER = re.compile(r"^\$\{([A-Za-z0-9_.\-\[\]\"]+)\.([a-z_]+)\}$")


def _terraform_ref(value: Any) -> Ref | None:
    """`${module.x.aws_subnet.a[0].id}` (a placeholder left in an embedded template) -> the Ref it was."""
    if isinstance(value, Unknown):
        match = _MARKER.match(value.expr)
        if match:
            return Ref(match.group(1), match.group(2))
    return None


def _resolve_markers(model: Model, index: ResourceIndex) -> Model:
    """Embedded templates name Terraform resources through placeholders: give them their model keys."""
    def group(value: Any) -> Any:
        ref = _terraform_ref(value)
        return value if ref is None or isinstance(key := group_key(ref, index), Unknown) else key

    def subnet(value: Any) -> Any:
        ref = _terraform_ref(value)
        return value if ref is None or isinstance(key := subnet_key(ref, index), Unknown) else key

    nodes = []
    for node in model.node_groups:
        groups, related, check = node.security_groups, node.related, node.src_dst_check
        launch = index.get(_terraform_ref(groups)) if isinstance(groups, Unknown) else None
        if launch is not None and launch.type in ("aws_launch_configuration", "aws_launch_template"):
            found = launch_groups(launch, index)
            groups = found if found is not None else groups
            related = related + (Related(launch.where, launch.type.removeprefix("aws_").replace("_", " ")),)
            check = False if launch_user_data_disables(launch) else check
        elif isinstance(groups, tuple):
            groups = tuple(group(g) for g in groups)
        subnets = tuple(subnet(s) for s in node.subnets) if isinstance(node.subnets, tuple) else node.subnets
        nodes.append(dataclasses.replace(node, security_groups=groups, subnets=subnets, related=related,
                                         src_dst_check=check))
    rules = [dataclasses.replace(rule, group=group(rule.group), sources=tuple(
        GroupSource(group(s.group)) if isinstance(s, GroupSource) else s for s in rule.sources))
        for rule in model.sg_rules]
    return dataclasses.replace(model, node_groups=tuple(nodes), sg_rules=tuple(rules))


def _embedded(resource: TfResource, files_by_text: dict[str, str]) -> Iterator[Model]:
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
            yield from _helm(values, resource, files_by_text)
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
    from linter.calico import load_calico_objects

    return load_calico_objects(objects, where=resource.where, key_prefix=resource.address)


def _calico_yaml(text: str, resource: TfResource) -> Model:
    import yaml

    from linter.safe_yaml import safe_load_all

    try:
        documents = [d for d in safe_load_all(text) if isinstance(d, dict)]
    except (yaml.YAMLError, ValueError, TypeError, RecursionError, OverflowError) as error:
        if "projectcalico.org" in text or "operator.tigera.io" in text:
            return Model(problems=(ParseProblem(resource.where, f"embedded YAML does not parse: {error}"),))
        return Model()
    return _calico_objects(documents, resource)


def _helm(values: dict, resource: TfResource, files_by_text: dict[str, str]) -> Iterator[Model]:
    """The tigera-operator chart's values as the release gives them: its values files merged in order, then
    its `set` overrides; a values file read here is judged here only (in the release's context)."""
    import yaml

    from linter.calico import load_helm_values
    from linter.safe_yaml import safe_load

    chart = values.get("chart")
    if not (isinstance(chart, str) and "tigera-operator" in chart):
        return
    merged: dict[str, Any] = {}
    listed = values.get("values")
    texts = [t for t in listed if isinstance(t, str)] if isinstance(listed, list) else []
    used = tuple(files_by_text[t] for t in texts if t in files_by_text)
    if used:
        yield Model(embedded_files=used)
    for text in texts:
        if isinstance(text, str):
            try:
                loaded = safe_load(text)
            except (yaml.YAMLError, ValueError, TypeError, RecursionError, OverflowError) as error:
                yield Model(problems=(ParseProblem(resource.where, f"helm_release values do not parse: {error}"),))
                continue
            if isinstance(loaded, dict):
                merged = _deep_merge(merged, loaded)
    for block in values.get("set") or []:
        if isinstance(block, dict) and isinstance(block.get("name"), str):
            merged = _deep_merge(merged, _dotted(block["name"], block.get("value", Unknown("set value"))))
    if merged:
        yield load_helm_values(merged, where=resource.where, key=resource.address)


_SET_INDEX = re.compile(r"\[(\d{1,4})\]")


def _dotted(name: str, value: Any) -> dict:
    """Helm's `--set a.b[0].c=v` path as nested values (`\\.` escapes a dot in a key)."""
    steps: list[str | int] = []
    for part in name.replace("\\.", "\0").split("."):
        key = _SET_INDEX.split(part)
        steps.append(key[0].replace("\0", "."))
        steps.extend(int(position) for position in key[1::2])
    result: Any = value
    for step in reversed(steps):
        result = {step: result} if isinstance(step, str) else _IndexedSet(step, result)
    return result


@dataclass(frozen=True, slots=True)
class _IndexedSet:
    """`[n]` in a `set` path: the value at one position of a list."""

    position: int
    value: Any


def _deep_merge(base: Any, extra: Any) -> Any:
    if isinstance(extra, _IndexedSet):
        items = list(base) if isinstance(base, list) else []
        items.extend({} for _ in range(extra.position + 1 - len(items)))
        items[extra.position] = _deep_merge(items[extra.position], extra.value)
        return items
    if not isinstance(extra, dict):
        return extra
    merged = dict(base) if isinstance(base, dict) else {}
    for key, value in extra.items():
        merged[key] = _deep_merge(merged.get(key), value)
    return merged


def _template(body: str, values: dict, resource: TfResource) -> Model:
    from linter.cloudformation import load_template_text

    parameters = values.get("parameters")
    params = tuple((str(k), str(v)) for k, v in parameters.items()
                   if k != LINE and not k.startswith("__") and isinstance(v, (str, int, float, bool))) \
        if isinstance(parameters, dict) else ()
    return load_template_text(body, file=resource.where.file, deployment=resource.deployment,
                              address_prefix=resource.address, line_offset=resource.where.line, parameters=params)
