"""A short deterministic slice of the fuzz harness (tests/fuzzing/harness.py): every family, no crash."""
from __future__ import annotations

import pytest

from fuzzing.harness import Crash, Target, fuzz

SLICE_SEED, SLICE_INPUTS = 2026, 300


def _described(crashes: list[Crash]) -> str:
    return "\n\n".join(f"input {c.index} ({c.family}): {c.signature}\n{c.detail}" for c in crashes[:3])


def test_fuzz_slice_has_no_crash() -> None:
    # a generous CPU limit per input: the suite checks for crashes; the 2 s bound is the long run's
    tally = fuzz(SLICE_SEED, SLICE_INPUTS, jobs=1, timeout=10)
    assert tally.inputs == SLICE_INPUTS
    assert set(tally.by_family) == {"terraform", "plan", "cloudformation", "calico"}
    assert not tally.crashes, _described(tally.crashes)


def test_an_input_is_a_function_of_seed_and_index() -> None:
    first, again = Target(7, ("calico", "terraform"), 2.0), Target(7, ("calico", "terraform"), 2.0)
    assert [first.input_at(i).text for i in range(20)] == [again.input_at(i).text for i in range(20)]
    assert len({first.input_at(i).text for i in range(20)}) > 15  # and inputs differ


def test_an_escaping_exception_is_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: Target, item: object) -> None:
        raise KeyError("planted")

    monkeypatch.setattr(Target, "check", broken)
    tally = fuzz(1, 3, jobs=1)
    assert [c.index for c in tally.crashes] == [0, 1, 2]
    assert tally.crashes[0].signature.startswith("KeyError at")
