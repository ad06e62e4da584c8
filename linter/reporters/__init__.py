"""Reporters: pure functions of a Report. FORMATS is the one table of output formats (name -> render).

Adding a format is one module with a `render` of the shared signature and one line here.
"""
from __future__ import annotations

from typing import Callable, Mapping, Protocol, Sequence

from linter.model import Report
from linter.reporters import github, gitlab, json_report, junit, sarif, text


class Render(Protocol):
    """`read_lines(path)` gives code frames (it must not raise); `quiet`: the findings and nothing else
    (no notices, no summary), where a format has more; the machine formats are always whole."""

    def __call__(self, report: Report, *, read_lines: Callable[[str], Sequence[str]] | None = None,
                 color: bool = False, quiet: bool = False) -> str: ...


FORMATS: Mapping[str, Render] = {
    "text": text.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "github": github.render,
    "gitlab": gitlab.render,
}
