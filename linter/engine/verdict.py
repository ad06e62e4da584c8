"""Three-valued results with their evidence: what every predicate returns."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Iterable

from linter.model import Unknown, Where


class Verdict(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Outcome:
    verdict: Verdict
    evidence: tuple[Where, ...] = ()  # the rules/resources that decided it
    reason: str = ""  # for UNKNOWN: the expression it depends on

    @property
    def passed(self) -> bool:
        return self.verdict is Verdict.PASS

    @property
    def failed(self) -> bool:
        return self.verdict is Verdict.FAIL


PASS = Outcome(Verdict.PASS)
FAIL = Outcome(Verdict.FAIL)


def unknown(reason: str) -> Outcome:
    return Outcome(Verdict.UNKNOWN, reason=reason)


def of_bool(value: bool | Unknown, evidence: tuple[Where, ...] = ()) -> Outcome:
    if isinstance(value, Unknown):
        return unknown(value.expr)
    return Outcome(Verdict.PASS if value else Verdict.FAIL, evidence)


def negate(outcome: Outcome) -> Outcome:
    flipped = {Verdict.PASS: Verdict.FAIL, Verdict.FAIL: Verdict.PASS}.get(outcome.verdict, Verdict.UNKNOWN)
    return Outcome(flipped, outcome.evidence, outcome.reason)


def all_of(outcomes: Iterable[Outcome]) -> Outcome:
    """FAIL if any fails, else UNKNOWN if any is unknown, else PASS (evidence of the deciding ones)."""
    items = list(outcomes)
    reason: str | None = None  # the first unknown's
    for outcome in items:
        if outcome.verdict is Verdict.FAIL:
            return Outcome(Verdict.FAIL, _evidence([o for o in items if o.verdict is Verdict.FAIL]))
        if reason is None and outcome.verdict is Verdict.UNKNOWN:
            reason = outcome.reason
    evidence = _evidence(items)
    if reason is not None:
        return Outcome(Verdict.UNKNOWN, evidence, reason)
    return Outcome(Verdict.PASS, evidence) if evidence else PASS


def any_of(outcomes: Iterable[Outcome]) -> Outcome:
    """PASS if any passes, else UNKNOWN if any is unknown, else FAIL."""
    items = list(outcomes)
    reason: str | None = None
    for outcome in items:
        if outcome.verdict is Verdict.PASS:
            return Outcome(Verdict.PASS, _evidence([o for o in items if o.verdict is Verdict.PASS]))
        if reason is None and outcome.verdict is Verdict.UNKNOWN:
            reason = outcome.reason
    if reason is not None:
        return Outcome(Verdict.UNKNOWN, (), reason)
    evidence = _evidence(items)
    return Outcome(Verdict.FAIL, evidence) if evidence else FAIL


def _evidence(outcomes: list[Outcome]) -> tuple[Where, ...]:
    with_evidence = [outcome.evidence for outcome in outcomes if outcome.evidence]
    if not with_evidence:
        return ()  # the common case: constants and unknowns carry none
    seen: dict[Where, None] = {}
    for evidence in with_evidence:
        for where in evidence:
            seen.setdefault(where, None)
    return tuple(seen)
