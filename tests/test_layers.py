"""Imports point toward the model (STYLE.md): cli -> discover -> parsers -> model <- engine <- rules."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "linter"

FAMILIES = ("linter.terraform", "linter.cloudformation", "linter.calico")
SHARED = ("linter.model", "linter.cidrs", "linter.limits", "linter.confine", "linter.safe_yaml", "linter.aws",
          "linter.suppression_comments", "linter.cache", "linter.codec", "linter.pool")  # what every parser may use

# module (or package prefix) -> the modules and packages of ours it may import (itself always)
ALLOWED = {
    "linter.model": (),
    "linter.cidrs": (),
    "linter.limits": (),
    "linter.cache": (),
    "linter.codec": (),
    "linter.pool": (),
    "linter.run_cache": ("linter.model", "linter.cache", "linter.codec", "linter.confine"),
    "linter.safe_yaml": ("linter.limits",),
    "linter.confine": ("linter.model", "linter.limits"),
    "linter.aws": ("linter.model",),
    "linter.suppression_comments": ("linter.model",),
    "linter.terraform": SHARED + ("linter.calico", "linter.cloudformation"),  # entry points only, below
    "linter.cloudformation": SHARED,
    "linter.calico": SHARED,
    "linter.engine": ("linter.model", "linter.cidrs", "linter.limits"),
    "linter.reporters.describe": ("linter.model", "linter.reporters", "linter.config", "linter.engine"),
    "linter.reporters": ("linter.model",),
    "linter.discover": ("linter.model", "linter.confine", "linter.limits"),
    "linter.config": ("linter.model", "linter.safe_yaml"),  # the config file is bounded like all YAML
    "linter.placement": ("linter.model", "linter.config"),
    "linter.changes": ("linter.model", "linter.config", "linter.discover", "linter.placement"),
    "linter.options": ("linter.model", "linter.config"),
    "linter.fixes": ("linter.model",),
    "linter.scan": ("linter",) ,
    "linter.cli": ("linter",),
    "linter.__main__": ("linter.cli",),
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


def _owner(module: str) -> str:
    """The most specific ALLOWED key that holds `module`."""
    holders = [key for key in ALLOWED if module == key or module.startswith(key + ".")]
    return max(holders, key=len)


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def test_imports_point_toward_the_model() -> None:
    violations = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        if module == "linter":
            continue
        owner = _owner(module)
        family = next((f for f in FAMILIES if _within(module, f)), None)
        for name in _imports(path):
            if not _within(name, "linter") or name == "linter" and owner in ("linter.scan", "linter.cli", "linter.__main__"):
                continue
            if _within(name, owner) or family and _within(name, family):
                continue
            other_family = next((f for f in FAMILIES if _within(name, f)), None)
            if other_family and name != other_family:
                violations.append(f"{module} imports {name}: another family only through its entry point")
            elif not any(_within(name, allowed) for allowed in ALLOWED[owner]):
                violations.append(f"{module} imports {name}")
    assert not violations, violations


def test_the_layer_rules_cover_every_module() -> None:
    modules = [_module_name(p) for p in PACKAGE.rglob("*.py")]
    assert all(m == "linter" or any(_within(m, key) for key in ALLOWED) for m in modules)


def test_only_the_cli_prints_or_exits() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        # the CLI, and the maintainer script that regenerates linter/calico/schemas/*.json by hand
        if path.name in ("cli.py", "__main__.py") or path.relative_to(PACKAGE).as_posix() == "calico/schemas/generate.py":
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


def test_version_is_answered_before_click_and_the_cli_are_imported() -> None:
    # start-up is all `--version` costs: the script's entry point answers it with nothing imported
    code = ("import sys; sys.argv = ['calico-lint', '--version']; from linter.__main__ import main; main(); "
            "print(','.join(m for m in ('click', 'linter.cli', 'linter.model') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    version, imported = result.stdout.splitlines()
    assert imported == ""
    from click.testing import CliRunner
    from linter.cli import cli

    assert CliRunner().invoke(cli, ["--version"]).output.strip() == version  # what click's version_option says
