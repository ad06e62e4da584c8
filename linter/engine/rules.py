"""Rule files -> `Rule`s. Rule files are data (rules/*.yaml), validated by rules/schema.json."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Callable, Iterable, Iterator, Mapping

from linter.engine.facts import NodeSelection
from linter.engine.flows import PROTOCOL_NUMBERS, expand_placeholders, flow_of_literal, unknown_placeholders
from linter.model import Level, RuleDoc

BUILTIN = "builtin"


class RuleFileError(Exception):
    """One or more rule files are invalid: the run stops (exit 2) listing every error."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True, slots=True)
class Rule:
    doc: RuleDoc
    cases: tuple[Mapping[str, Any], ...]  # empty for built-in rules (CAL000, CAL013)
    level_if: Mapping[str, str] = field(default_factory=dict)
    unverified_message: str = "could not verify, depends on {reason}: {message}"

    @property
    def id(self) -> str:
        return self.doc.id


@dataclass(frozen=True, slots=True)
class EngineOptions:
    selected: frozenset[str] | None = None  # None: every rule
    level_overrides: Mapping[str, Level] = field(default_factory=dict)
    nodes: NodeSelection = NodeSelection()
    root: str = ""  # for CAL000 addresses (repo-relative file path)
    on_rule_checked: Callable[[int, int], None] | None = None  # (done, total): progress for the caller




def load_rules(files: Iterable[tuple[str, str]] | None = None) -> tuple[Rule, ...]:
    """Parse and validate rule files: (name, text) pairs, by default the packaged rules/*.yaml."""
    import jsonschema
    import yaml

    package = resources.files("linter.rules")
    schema = json.loads(package.joinpath("schema.json").read_text(encoding="utf-8"))
    if files is None:
        files = sorted((p.name, p.read_text(encoding="utf-8")) for p in package.iterdir() if p.name.endswith(".yaml"))
    validator = jsonschema.Draft202012Validator(schema)
    errors: list[str] = []
    rules: list[Rule] = []
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 10x faster, on every run
    for name, text in files:
        try:
            data = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
        except yaml.YAMLError as error:
            errors.append(f"{name}: not valid YAML: {error}")
            continue
        problems = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
        for problem in problems:
            path = "/".join(str(p) for p in problem.absolute_path) or "(top level)"
            errors.append(f"{name}: {path}: {problem.message}")
        if problems:
            continue
        if name != f"{data['id']}.yaml":
            errors.append(f"{name}: the file name must be the rule id ({data['id']}.yaml)")
            continue
        flow_errors = _flow_errors(data)
        if flow_errors:
            errors += [f"{name}: {e}" for e in flow_errors]
            continue
        rules.append(_rule_of(data))
    ids = [r.id for r in rules]
    errors += [f"rule id {i} is declared twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
    if errors:
        raise RuleFileError(errors)
    return tuple(sorted(rules, key=lambda r: r.id))


def _flow_specs(predicate: Any) -> Iterator[Mapping[str, Any]]:
    """The flow arguments of `admits` / `rule-admits` anywhere in a predicate."""
    if isinstance(predicate, Mapping):
        for key, value in predicate.items():
            if key in ("admits", "rule-admits"):
                yield value
            else:
                yield from _flow_specs(value)
    elif isinstance(predicate, list):
        for item in predicate:
            yield from _flow_specs(item)


def case_flow(case: Mapping[str, Any]) -> str | None:
    """The catalogue flow a node-pair case judges (the one its `admits` names), if any."""
    return next((spec["flow"] for spec in _flow_specs(case["require"]) if "flow" in spec), None)


def flows_named(case: Mapping[str, Any]) -> tuple[str, ...]:
    """Every catalogue flow a case's check names, in order (CAL008's message lists those a rule admits)."""
    return tuple(dict.fromkeys(spec["flow"] for spec in _flow_specs(case["require"]) if "flow" in spec))


def _flow_errors(data: Mapping[str, Any]) -> list[str]:
    """Words and ports come from the flow catalogue: no literal that spells a Calico flow, no unknown name."""
    errors: list[str] = []
    check = data["check"]
    for case in () if check == BUILTIN else check.get("cases", [check]):
        specs = list(_flow_specs(case["require"]))
        for spec in specs:
            literal = "protocol" in spec and _literal_flow(spec)
            if literal:
                errors.append(f"check: {spec} spells the {literal} flow: name it (flow: {literal})")
        named = {spec["flow"] for spec in specs if "flow" in spec}
        if case["for_each"] == "node-pair" and len(named) > 1:
            errors.append(f"check: a node-pair case judges one flow, this one names {sorted(named)}")
    texts = [data["title"], data["message"], data.get("unverified_message", "")] + [
        v for v in data["docs"].values() if isinstance(v, str)] + list(data["docs"].get("references", []))
    errors += [f"unknown flow placeholder {p}" for t in texts for p in unknown_placeholders(t)]
    return errors


def _literal_flow(spec: Mapping[str, Any]) -> str | None:
    protocol = spec["protocol"]
    number = PROTOCOL_NUMBERS[protocol] if isinstance(protocol, str) else int(protocol)
    found = flow_of_literal(number, spec.get("port"))
    return found.name if found is not None else None


def _rule_of(data: Mapping[str, Any]) -> Rule:
    docs = {k: (expand_placeholders(v) if isinstance(v, str) else v) for k, v in data["docs"].items()}
    data = {**data, "title": expand_placeholders(data["title"]), "message": expand_placeholders(data["message"])}
    if "unverified_message" in data:
        data["unverified_message"] = expand_placeholders(data["unverified_message"])
    doc = RuleDoc(
        id=data["id"], name=data["name"], level=Level(data["level"]), title=data["title"], message=data["message"],
        what=docs["what"].strip(), why=docs["why"].strip(), fix=docs["fix"].strip(),
        example=docs.get("example", ""), use_instead=docs.get("use_instead", ""),
        references=tuple(expand_placeholders(r) for r in docs["references"]), tags=tuple(data.get("tags", ())),
        security_severity=float(data.get("security_severity", 5.0)),
    )
    check = data["check"]
    cases: tuple[Mapping[str, Any], ...] = () if check == BUILTIN else tuple(check.get("cases", [check]))
    unverified = data.get("unverified_message", Rule.__dataclass_fields__["unverified_message"].default)
    return Rule(doc, cases, dict(data.get("level_if", {})), unverified)
