"""The engine: rule files compiled into checks, evaluated against the model, then suppressions.

`rules` loads and validates rule files; `facts` indexes a model once; `predicates` is the closed
vocabulary rule files compose; `verdict` is PASS / FAIL / UNKNOWN; `run` turns verdicts into findings;
`suppress` applies inline, Metadata and baseline suppressions (and the built-in CAL013).
"""
from __future__ import annotations

from linter.engine.rules import BUILTIN, EngineOptions, Rule, RuleFileError, load_rules
from linter.engine.run import Evaluation, rule_level, run

__all__ = ["BUILTIN", "EngineOptions", "Evaluation", "Rule", "RuleFileError", "load_rules", "rule_level", "run"]
