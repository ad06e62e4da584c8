"""Reporters: pure functions of a Report. FORMATS is the one table of output formats (name -> render).

Adding a format is one module with a `render` of the shared signature and one line here.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Callable, Iterator, Mapping, Protocol, Sequence

if TYPE_CHECKING:
    from linter.model import Report


class Render(Protocol):
    """`read_lines(path)` gives code frames (it must not raise); `quiet`: the findings and nothing else
    (no notices, no summary), where a format has more; the machine formats are always whole."""

    def __call__(self, report: Report, *, read_lines: Callable[[str], Sequence[str]] | None = None,
                 color: bool = False, quiet: bool = False) -> str: ...


class _Renders(Mapping[str, Render]):
    """format -> its module's `render`, the module imported when the format is first used (a run renders
    one or two of them: the others cost nothing)."""

    def __init__(self, modules: Mapping[str, str]) -> None:
        self._modules = dict(modules)

    def __getitem__(self, name: str) -> Render:
        module = importlib.import_module(f"linter.reporters.{self._modules[name]}")
        render: Render = module.render
        return render

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __len__(self) -> int:
        return len(self._modules)


FORMATS: Mapping[str, Render] = _Renders({
    "text": "text",
    "json": "json_report",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
    "gitlab": "gitlab",
})
