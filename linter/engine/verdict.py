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
    failed = [o for o in items if o.failed]
    if failed:
        return Outcome(Verdict.FAIL, _evidence(failed))
    unknowns = [o for o in items if o.verdict is Verdict.UNKNOWN]
    if unknowns:
        return Outcome(Verdict.UNKNOWN, _evidence(items), unknowns[0].reason)
    return Outcome(Verdict.PASS, _evidence(items))


def any_of(outcomes: Iterable[Outcome]) -> Outcome:
    """PASS if any passes, else UNKNOWN if any is unknown, else FAIL."""
    items = list(outcomes)
    passed = [o for o in items if o.passed]
    if passed:
        return Outcome(Verdict.PASS, _evidence(passed))
    unknowns = [o for o in items if o.verdict is Verdict.UNKNOWN]
    if unknowns:
        return Outcome(Verdict.UNKNOWN, (), unknowns[0].reason)
    return Outcome(Verdict.FAIL, _evidence(items))


def _evidence(outcomes: list[Outcome]) -> tuple[Where, ...]:
    seen: dict[Where, None] = {}
    for outcome in outcomes:
        for where in outcome.evidence:
            seen.setdefault(where, None)
    return tuple(seen)
