"""Rule files -> compiled `Rule`s. Rule files are data (rules/*.yaml), validated by rules/schema.json, then
compiled against the vocabulary (engine.predicates): a rule that loads is a rule that runs.

Every predicate, condition, `for_each` subject, `report_at`, `level_if` and message placeholder is checked
here; what does not fit is a RuleFileError naming the file, the key path and the reason (exit 2).
"""
from __future__ import annotations

import hashlib
import json
import string
from dataclasses import dataclass, field
from enum import Enum
from importlib import resources
from typing import Any, Callable, Iterable, Mapping, TypeVar

from linter.engine.facts import Facts, NodeSelection
from linter.engine.flows import CalicoFlow, expand_placeholders, flow_of_literal, unknown_placeholders
from linter.engine.predicates import (
    COMBINATORS, CONDITIONS, LEVEL_CONDITIONS, PREDICATES, SUBJECTS, UNVERIFIED_FIELDS, AllOf, AnyOf,
    ArgumentError, Flow, Not, Predicate, ReportAt, SubjectKind, Atom, atoms_of,
)
from linter.engine.verdict import Outcome
from linter.model import Direction, Level, Placement, RuleDoc

BUILTIN = "builtin"
BUILTIN_FIELDS = frozenset({"message"})  # CAL000 and CAL013 report the problem's own words
DEFAULT_UNVERIFIED = "could not verify, depends on {reason}: {message}"


class RuleFileError(Exception):
    """One or more rule files are invalid: the run stops (exit 2) listing every error."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True, slots=True)
class Condition:
    name: str
    holds: Callable[[Facts], Outcome]


@dataclass(frozen=True, slots=True)
class LevelIf:
    name: str
    holds: Callable[[Facts], bool]
    level: Level


@dataclass(frozen=True, slots=True)
class Check:
    """One compiled case of a rule: what it judges, when, what must hold, and where a failure is reported."""

    subject: SubjectKind
    conditions: tuple[Condition, ...]
    require: Predicate
    report_at: ReportAt
    fields: Mapping[str, str]  # the message fields the case gives ({flow}: the words of the flow it judges)
    flow: CalicoFlow | None = None  # the catalogue flow a node-pair case judges
    flows: tuple[CalicoFlow, ...] = ()  # every catalogue flow it names, in order (CAL008's message)
    all_pairs: bool = False  # `pairs: all`: every pair, not only those Calico sends the flow between
    fix_flow: CalicoFlow | None = None  # the flow a receiver's missing ingress rule would admit


@dataclass(frozen=True, slots=True)
class Rule:
    doc: RuleDoc
    checks: tuple[Check, ...]  # empty for built-in rules (CAL000, CAL013)
    level_if: tuple[LevelIf, ...] = ()
    unverified_message: str = DEFAULT_UNVERIFIED

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
    placement: Placement = Placement()  # where Calico configuration applies (default: everywhere)


VALIDATED = "validated.json"  # the digest of the packaged rules as docs/generate.py last validated them


def rules_digest(schema: str, files: Iterable[tuple[str, str]]) -> str:
    """The sha256 of a schema and rule files (names and texts): equal digests, equal validation."""
    digest = hashlib.sha256(schema.encode("utf-8"))
    for name, text in files:
        digest.update(b"\0" + name.encode("utf-8") + b"\0" + text.encode("utf-8"))
    return digest.hexdigest()


def packaged_rules_digest() -> str:
    """The digest of the packaged rule files and schema (what `load_rules()` loads)."""
    package = resources.files("linter.rules")
    files = sorted((p.name, p.read_text(encoding="utf-8")) for p in package.iterdir() if p.name.endswith(".yaml"))
    return rules_digest(package.joinpath("schema.json").read_text(encoding="utf-8"), files)


def load_rules(files: Iterable[tuple[str, str]] | None = None) -> tuple[Rule, ...]:
    """Parse, validate and compile rule files: (name, text) pairs, by default the packaged rules/*.yaml.
    Files whose digest is the one recorded in rules/validated.json were valid: the schema check (and the
    import of jsonschema, most of a short run's start-up) is skipped; compiling still checks the rest."""
    import yaml

    package = resources.files("linter.rules")
    schema_text = package.joinpath("schema.json").read_text(encoding="utf-8")
    if files is None:
        files = sorted((p.name, p.read_text(encoding="utf-8")) for p in package.iterdir() if p.name.endswith(".yaml"))
    files = list(files)
    validate = None if rules_digest(schema_text, files) == _recorded_digest() else _validator(json.loads(schema_text))
    errors: list[str] = []
    rules: list[Rule] = []
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 10x faster, on every run
    for name, text in files:
        try:
            data = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
        except yaml.YAMLError as error:
            errors.append(f"{name}: not valid YAML: {error}")
            continue
        problems = validate(data) if validate is not None else []
        errors.extend(f"{name}: {problem}" for problem in problems)
        if problems:
            continue
        if name != f"{data['id']}.yaml":
            errors.append(f"{name}: the file name must be the rule id ({data['id']}.yaml)")
            continue
        compiler = _Compiler(name)
        rule = compiler.rule(data)
        errors += compiler.errors
        if rule is not None and not compiler.errors:
            rules.append(rule)
    ids = [r.id for r in rules]
    errors += [f"rule id {i} is declared twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
    if errors:
        raise RuleFileError(errors)
    return tuple(sorted(rules, key=lambda r: r.id))


def _recorded_digest() -> str | None:
    try:
        recorded = json.loads(resources.files("linter.rules").joinpath(VALIDATED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return recorded.get("sha256") if isinstance(recorded, dict) else None


def _validator(schema: Mapping[str, Any]) -> Callable[[Any], list[str]]:
    """The schema check of one rule file's data: its problems as `key/path: reason`."""
    import jsonschema
    from jsonschema.exceptions import best_match

    validator = jsonschema.Draft202012Validator(schema)

    def problems(data: Any) -> list[str]:
        # a oneOf error ("not valid under any of the given schemas") is reported by its most relevant branch
        found = sorted((best_match([e]) for e in validator.iter_errors(data)), key=lambda e: list(e.absolute_path))
        return [f"{'/'.join(str(p) for p in problem.absolute_path) or '(top level)'}: {problem.message}"
                for problem in found]

    return problems


E = TypeVar("E", bound=Enum)


class _Compiler:
    """Compiles one schema-valid rule file, collecting every error as `file: key/path: reason`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.errors: list[str] = []

    def error(self, path: str, reason: str) -> None:
        self.errors.append(f"{self.name}: {path}: {reason}")

    def rule(self, data: Mapping[str, Any]) -> Rule | None:
        texts = self._texts(data)
        if any(unknown_placeholders(t) for t in texts.values()):
            for path, text in texts.items():
                for placeholder in unknown_placeholders(text):
                    self.error(path, f"unknown flow placeholder {placeholder}")
            return None
        doc = _doc(data)
        unverified = expand_placeholders(data.get("unverified_message", DEFAULT_UNVERIFIED))
        check = data["check"]
        checks: list[Check] = []
        if check == BUILTIN:
            filled = [("check", BUILTIN_FIELDS)]
        else:
            cases = [("check", check)] if "cases" not in check else [
                (f"check/cases/{i}", case) for i, case in enumerate(check["cases"])]
            compiled = [(path, self.check(case, path)) for path, case in cases]
            checks = [c for _, c in compiled if c is not None]
            filled = [(path, _fields_filled(c)) for path, c in compiled if c is not None]
        self._placeholders("message", doc.message, filled)
        self._placeholders("unverified_message", unverified, [(p, f | UNVERIFIED_FIELDS) for p, f in filled])
        self._title(doc.title)
        return Rule(doc, tuple(checks), self._level_if(data.get("level_if", {})), unverified)

    @staticmethod
    def _texts(data: Mapping[str, Any]) -> dict[str, str]:
        texts = {key: data[key] for key in ("title", "message", "unverified_message") if key in data}
        texts.update({f"docs/{k}": v for k, v in data["docs"].items() if isinstance(v, str)})
        texts.update({f"docs/references/{i}": r for i, r in enumerate(data["docs"]["references"])})
        return texts

    def check(self, case: Mapping[str, Any], path: str) -> Check | None:
        errors = len(self.errors)
        kind = self._enum(SubjectKind, case["for_each"], f"{path}/for_each")
        report_at = self._enum(ReportAt, case["report_at"], f"{path}/report_at")
        conditions = self._conditions(case.get("applies_if", ()), f"{path}/applies_if")
        if kind is None or report_at is None:
            return None
        self._placement(case, path, kind, report_at)
        require = self.predicate(case["require"], f"{path}/require", kind)
        if require is None or len(self.errors) > errors:
            return None
        flows = tuple(dict.fromkeys(a.argument.calico for a in atoms_of(require)
                                    if isinstance(a.argument, Flow) and a.argument.calico is not None))
        if kind is SubjectKind.NODE_PAIR and len(flows) > 1:
            self.error(f"{path}/require", f"a node-pair case judges one flow, this one names {sorted(f.name for f in flows)}")
            return None
        judged = flows[0] if flows else None
        fields = dict(case.get("fields", {}))
        if judged is not None:
            fields.setdefault("flow", judged.words)
        fix_flow = None
        if isinstance(require, Atom) and require.name == "admits" and require.argument.direction is Direction.INGRESS:
            fix_flow = require.argument.calico
        return Check(kind, conditions, require, report_at, fields, judged, flows, case.get("pairs") == "all", fix_flow)

    def _conditions(self, names: Iterable[str], path: str) -> tuple[Condition, ...]:
        found = []
        for i, name in enumerate(names):
            if name in CONDITIONS:
                found.append(Condition(name, CONDITIONS[name]))
            else:
                self.error(f"{path}/{i}", f"unknown condition {name!r} (known: {', '.join(CONDITIONS)})")
        return tuple(found)

    def _placement(self, case: Mapping[str, Any], path: str, kind: SubjectKind, report_at: ReportAt) -> None:
        """`report_at` must be a place the subject has; `pairs` is a node-pair case's alone."""
        if report_at not in SUBJECTS[kind]:
            places = ", ".join(r.value for r in SUBJECTS[kind])
            self.error(f"{path}/report_at", f"a {kind.value} case is reported at {places}, not {report_at.value}")
        if "pairs" in case and kind is not SubjectKind.NODE_PAIR:
            self.error(f"{path}/pairs", f"only a node-pair case chooses its pairs, this one is for_each: {kind.value}")
        elif case.get("pairs", "all") != "all":
            self.error(f"{path}/pairs", f"{case['pairs']!r} is not a pair scope (all)")

    def predicate(self, data: Any, path: str, kind: SubjectKind) -> Predicate | None:
        if not isinstance(data, Mapping) or len(data) != 1:
            self.error(path, "a predicate is a mapping with exactly one key")
            return None
        (name, argument), = data.items()
        here = f"{path}/{name}"
        if name in ("all", "any"):
            if not isinstance(argument, list) or not argument:
                self.error(here, f"{name} takes a non-empty list of predicates")
                return None
            parts = [self.predicate(p, f"{here}/{i}", kind) for i, p in enumerate(argument)]
            if any(p is None for p in parts):
                return None
            kept = tuple(p for p in parts if p is not None)
            return AllOf(kept) if name == "all" else AnyOf(kept)
        if name == "not":
            part = self.predicate(argument, here, kind)
            return Not(part) if part is not None else None
        spec = PREDICATES.get(name)
        if spec is None:
            self.error(here, f"unknown predicate (known: {', '.join([*COMBINATORS, *PREDICATES])})")
            return None
        if kind not in spec.subjects:
            judges = " or ".join(sorted(s.value for s in spec.subjects))
            self.error(here, f"{name} judges a {judges}, not a {kind.value} (for_each: {kind.value})")
            return None
        try:
            parsed = spec.parse(argument)
        except ArgumentError as error:
            self.error(here, str(error))
            return None
        if isinstance(parsed, Flow) and parsed.calico is None:
            literal = flow_of_literal(parsed.protocol, parsed.port)
            if literal is not None:
                self.error(here, f"{dict(argument)} spells the {literal.name} flow: name it (flow: {literal.name})")
                return None
        return Atom(name, parsed, spec.judge)

    def _enum(self, kind: type[E], value: Any, path: str) -> E | None:
        try:
            return kind(value)
        except ValueError:
            self.error(path, f"{value!r} is not one of {', '.join(str(k.value) for k in kind)}")
            return None

    def _level_if(self, data: Mapping[str, Any]) -> tuple[LevelIf, ...]:
        found = []
        for name, value in data.items():
            level = self._enum(Level, value, f"level_if/{name}")
            if name not in LEVEL_CONDITIONS:
                self.error(f"level_if/{name}", f"unknown condition (known: {', '.join(LEVEL_CONDITIONS)})")
            elif level is not None:
                found.append(LevelIf(name, LEVEL_CONDITIONS[name], level))
        return tuple(found)

    def _title(self, title: str) -> None:
        """A title is shown as written (after the flow placeholders): a `{field}` in it would print literally."""
        try:
            fields = [name for _, name, _, _ in string.Formatter().parse(title) if name is not None]
        except ValueError:
            fields = ["(a lone brace)"]
        if fields:
            self.error("title", "a title takes flow placeholders only (such as {flow:bgp}), not message fields")

    def _placeholders(self, key: str, text: str, filled: list[tuple[str, frozenset[str]]]) -> None:
        """Every `{placeholder}` of a message must be filled by every case that can report it."""
        try:
            parsed = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(text)
                      if name is not None]
        except ValueError as error:
            self.error(key, f"not a valid message template ({error}); write a literal brace as {{{{ or }}}}")
            return
        for name, spec, conversion in parsed:
            shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            if not name.isidentifier() or spec or conversion:
                self.error(key, f"{shown} is not a placeholder: write {{name}} (or a flow placeholder such as {{flow:bgp}})")
                continue
            for path, fields in filled:
                if name not in fields:
                    known = ", ".join(sorted(fields)) or "none"
                    self.error(key, f"{shown} is never filled by {path} (it fills: {known})")


def _doc(data: Mapping[str, Any]) -> RuleDoc:
    """The rule's documentation, with the flow placeholders (`{flow:bgp}`) in their catalogue words."""
    docs = {k: (expand_placeholders(v) if isinstance(v, str) else v) for k, v in data["docs"].items()}
    return RuleDoc(
        id=data["id"], name=data["name"], level=Level(data["level"]), title=expand_placeholders(data["title"]),
        message=expand_placeholders(data["message"]), what=docs["what"].strip(), why=docs["why"].strip(),
        fix=docs["fix"].strip(), example=docs.get("example", ""), use_instead=docs.get("use_instead", ""),
        references=tuple(expand_placeholders(r) for r in docs["references"]), tags=tuple(data.get("tags", ())),
        security_severity=float(data.get("security_severity", 5.0)),
    )


def _fields_filled(check: Check) -> frozenset[str]:
    """The placeholders a finding of this check has: its subject's, its predicates', the case's own."""
    fields = set(SUBJECTS[check.subject].get(check.report_at, frozenset())) | set(check.fields)
    for atom in atoms_of(check.require):
        fields |= PREDICATES[atom.name].fields
    return frozenset(fields)
