"""Imports point toward the model (STYLE.md): cli -> discover -> parsers -> model <- engine <- rules."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "linter"

# module (or package prefix) -> our modules it must never import
FORBIDDEN = {
    "linter.model": ("linter.",),
    "linter.parsers": ("linter.engine", "linter.predicates", "linter.facts", "linter.reporters", "linter.cli",
                       "linter.scan", "linter.suppress", "linter.config"),
    "linter.engine": ("linter.parsers", "linter.reporters", "linter.cli", "linter.scan"),
    "linter.predicates": ("linter.parsers", "linter.reporters", "linter.cli", "linter.scan"),
    "linter.facts": ("linter.parsers", "linter.reporters", "linter.cli", "linter.scan"),
    "linter.reporters": ("linter.parsers", "linter.engine", "linter.cli", "linter.scan", "linter.facts"),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_imports_point_toward_the_model() -> None:
    violations = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        for owner, banned in FORBIDDEN.items():
            if module == owner or module.startswith(owner + "."):
                for name in _imports(path):
                    if any(name == b.rstrip(".") or name.startswith(b) for b in banned) and name != module:
                        violations.append(f"{module} imports {name}")
    assert not violations, violations


def test_only_the_cli_prints_or_exits() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        # the CLI, and the maintainer script that regenerates linter/schemas/*.json by hand
        if path.name in ("cli.py", "__main__.py") or path.relative_to(PACKAGE).as_posix() == "schemas/generate.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("print", "exit"):
                offenders.append(f"{path.name}:{node.lineno} {node.func.id}()")
            if isinstance(node, ast.Attribute) and node.attr in ("exit", "argv", "environ", "getcwd", "cwd") \
                    and isinstance(node.value, ast.Name) and node.value.id in ("sys", "os", "Path"):
                offenders.append(f"{path.name}:{node.lineno} {node.value.id}.{node.attr}")
    assert not offenders, offenders


def test_startup_does_not_import_heavy_libraries() -> None:
    code = ("import sys, linter.cli, linter.scan, linter.engine; "
            "print(','.join(m for m in ('cfnlint', 'hcl2', 'lark', 'jsonschema') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
