"""Rules are compiled when they load: what cannot run is a rule-file error naming file, key path and reason."""
from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from linter.config import Config
from linter.engine import RuleFileError, load_rules
from linter.engine.predicates import (
    COMBINATORS, CONDITIONS, LEVEL_CONDITIONS, PREDICATES, SUBJECTS, UNVERIFIED_FIELDS, ReportAt, SubjectKind,
)
from linter.scan import ScanRequest, scan

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "rules" / "schema.json").read_text(encoding="utf-8"))
FIXTURES = Path(__file__).parent / "fixtures" / "rules"


def rule_file(check: object, message: str = "{receiver} blocked", **extra: object) -> tuple[str, str]:
    data = {"id": "CAL900", "name": "test-rule", "level": "error", "title": "t", "message": message,
            "check": check, "docs": {"what": "w", "why": "w", "fix": "f", "references": ["r"]}, **extra}
    return "CAL900.yaml", yaml.safe_dump(data, sort_keys=False)


def errors_of(check: object, message: str = "{receiver} blocked", **extra: object) -> list[str]:
    with pytest.raises(RuleFileError) as raised:
        load_rules([rule_file(check, message, **extra)])
    return raised.value.errors


PAIR = {"for_each": "node-pair", "require": {"admits": {"flow": "bgp"}}, "report_at": "receiver"}


def test_a_valid_rule_compiles() -> None:
    [rule] = load_rules([rule_file(PAIR)])
    [check] = rule.checks
    assert check.subject is SubjectKind.NODE_PAIR and check.report_at is ReportAt.RECEIVER
    assert check.flow is not None and check.flow.name == "bgp" and check.fix_flow is check.flow


def test_a_predicate_that_does_not_fit_its_subject() -> None:
    # this one used to load, then raise AttributeError at run time
    check = {"for_each": "node-group", "require": {"admits": {"flow": "bgp"}}, "report_at": "subject"}
    assert errors_of(check, "{node}") == [
        "CAL900.yaml: check/require/admits: admits judges a node-pair, not a node-group (for_each: node-group)"]


def test_the_key_path_reaches_into_nested_predicates_and_cases() -> None:
    inner = {"not": {"all": [{"rule-direction": "ingress"}, {"pool-nat-outgoing": True}]}}
    check = {"cases": [PAIR, {"for_each": "sg-rule", "require": inner, "report_at": "subject"}]}
    [error] = errors_of(check, "{receiver}{rule}")
    assert error.startswith("CAL900.yaml: check/cases/1/require/not/all/1/pool-nat-outgoing: ")
    assert "judges a pool, not a sg-rule" in error


def test_a_report_place_the_subject_does_not_have() -> None:
    check = {"for_each": "pool", "require": {"pool-nat-outgoing": True}, "report_at": "receiver"}
    assert errors_of(check, "{pool}") == [
        "CAL900.yaml: check/report_at: a pool case is reported at subject, not receiver"]


def test_pairs_belong_to_node_pair_cases() -> None:
    check = {"for_each": "pool", "pairs": "all", "require": {"pool-nat-outgoing": True}, "report_at": "subject"}
    [error] = errors_of(check, "{pool}")
    assert error.startswith("CAL900.yaml: check/pairs: only a node-pair case chooses its pairs")


def test_an_unknown_condition() -> None:
    check = {**PAIR, "applies_if": ["calico-networking", "bpg"]}
    [error] = errors_of(check)
    assert error.startswith("CAL900.yaml: check/applies_if/1: ") and "'bpg'" in error


def test_an_unknown_level_condition() -> None:
    [error] = errors_of(PAIR, level_if={"all_pools_nat": "warning"})
    assert error.startswith("CAL900.yaml: level_if: ") and "all_pools_nat" in error


@pytest.mark.parametrize(("message", "reason"), [
    ("{recever} blocks BGP", "message: {recever} is never filled by check (it fills: flow, receiver, rule, sender)"),
    ("{node} blocks BGP", "message: {node} is never filled by check"),
    ("{receiver:>20}", "message: {receiver:>20} is not a placeholder"),
    ("{0} blocks", "message: {0} is not a placeholder"),
    ("{receiver!r}", "message: {receiver!r} is not a placeholder"),
    ("{receiver blocks", "message: not a valid message template"),
])
def test_a_placeholder_the_message_cannot_fill(message: str, reason: str) -> None:
    [error] = errors_of(PAIR, message)
    assert error.startswith(f"CAL900.yaml: {reason}"), error


def test_a_placeholder_one_case_cannot_fill() -> None:
    sender = {**PAIR, "report_at": "sender"}
    [error] = errors_of({"cases": [PAIR, sender]}, "{rule}: {receiver}")
    assert error == "CAL900.yaml: message: {rule} is never filled by check/cases/1 (it fills: flow, receiver, sender)"


def test_the_unverified_message_may_name_the_reason_and_the_message() -> None:
    load_rules([rule_file(PAIR, unverified_message="{receiver}: {reason} ({message})")])
    [error] = errors_of(PAIR, unverified_message="{receiver}: {reasno}")
    assert error.startswith("CAL900.yaml: unverified_message: {reasno} is never filled by check")


def test_a_title_takes_no_message_field() -> None:
    [error] = errors_of(PAIR, title="{receiver} is blocked")
    assert error.startswith("CAL900.yaml: title: a title takes flow placeholders only")


def test_every_error_of_a_file_is_listed() -> None:
    check = {"for_each": "node-group", "require": {"all": [{"admits": {"flow": "bgp"}}, {"pool-nat-outgoing": True}]},
             "report_at": "subject"}
    assert len(errors_of(check, "{node}")) == 2


def test_the_vocabulary_tables_and_the_schema_agree() -> None:
    definitions = SCHEMA["$defs"]
    assert set(definitions["predicate"]["properties"]) == {*COMBINATORS, *PREDICATES}
    assert definitions["condition"]["enum"] == list(CONDITIONS)
    assert definitions["case"]["properties"]["for_each"]["enum"] == [k.value for k in SubjectKind]
    assert definitions["case"]["properties"]["report_at"]["enum"] == [r.value for r in ReportAt]
    assert set(SCHEMA["properties"]["level_if"]["properties"]) == set(LEVEL_CONDITIONS)


# For each subject and report place: a throw-away rule whose message names every field SUBJECTS promises, run
# over the cross-rule fixtures. `all: [P, not: P]` fails wherever P is decided, so every subject is reported.
ALWAYS_FAILS = {
    SubjectKind.NODE_PAIR: {"admits": {"flow": "bgp"}},
    SubjectKind.NODE_GROUP: {"src-dst-check-disabled": True},
    SubjectKind.SG_RULE: {"rule-on-node": True},
    SubjectKind.POOL: {"pool-overlaps-vpc": True},
    SubjectKind.BGP_PEER: {"peer-admits": {"flow": "bgp"}},
}


@pytest.mark.parametrize(("kind", "report_at"), [(k, r) for k, places in SUBJECTS.items() for r in places],
                         ids=lambda v: v.value)
def test_the_fields_each_subject_promises_are_filled(kind: SubjectKind, report_at: ReportAt) -> None:
    base = ALWAYS_FAILS.get(kind)
    require = {"all": [base, {"not": base}]} if base else {"calico-accepts": True}
    fields = set(SUBJECTS[kind][report_at]) | {f for name in (base or {}) for f in PREDICATES[name].fields}
    message = " ".join(f"<{{{f}}}>" for f in sorted(fields))
    unverified = message + " <{reason}> <{message}>"
    rules = load_rules([rule_file({"for_each": kind.value, "require": require, "report_at": report_at.value},
                                  message, unverified_message=unverified)])
    paths = tuple(str(p) for p in sorted((FIXTURES / "_cross").iterdir()))
    paths += (str(FIXTURES / "invalid-calico-resource"), str(FIXTURES / "bgp-peer-blocked"))
    report, _ = scan(ScanRequest(paths, Config(), str(FIXTURES), datetime.date(2026, 12, 1)), rules)
    messages = [f.message for f in report.findings if f.rule == "CAL900"]
    assert messages, "the fixtures hold no such subject"
    assert not [m for m in messages if "{" in m], messages


def test_the_cli_exits_2_naming_the_file_the_key_and_the_reason(monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:
    from click.testing import CliRunner

    from linter import cli

    check = {"for_each": "node-group", "require": {"admits": {"flow": "bgp"}}, "report_at": "subject"}
    monkeypatch.setattr(cli, "load_rules", lambda: load_rules([rule_file(check, "{node}")]))
    result = CliRunner().invoke(cli.cli, ["scan", str(tmp_path)])
    assert result.exit_code == 2
    assert "invalid rule file: CAL900.yaml: check/require/admits: admits judges a node-pair" in result.output


def test_the_packaged_rules_load_without_jsonschema_when_their_digest_is_the_recorded_one() -> None:
    # rules/validated.json (docs/generate.py) records the rule files that passed the schema: no import, no check
    code = "import sys; from linter.engine import load_rules; load_rules(); print('jsonschema' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_a_changed_packaged_rule_is_validated_again() -> None:
    # the same name as a packaged rule, different text: the digest differs, the schema finds the error
    [name, text] = min((p.name, p.read_text(encoding="utf-8")) for p in (ROOT / "rules").glob("CAL0*.yaml"))
    broken = text.replace("level: ", "level: loud\nunknown_key: 1\nold_level: ", 1)
    with pytest.raises(RuleFileError) as raised:
        load_rules([(name, broken)])
    assert any("unknown_key" in error or "loud" in error for error in raised.value.errors)
