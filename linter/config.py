"""Configuration: defaults < .calico-lint.yaml / [tool.calico-lint] < command-line flags."""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping

from linter.model import Level, SrcDstCheck, RuleDoc

CONFIG_NAMES = (".calico-lint.yaml", ".calico-lint.yml")
TOOL_TABLE = "calico-lint"  # [tool.calico-lint] in pyproject.toml
# sections whose keys are ours (kebab-case or snake_case); the other mappings' keys are user data
_SECTIONS = ("nodes", "calico", "terraform", "cloudformation")


class ConfigError(Exception):
    """The configuration file is invalid (exit 2)."""


@dataclass(frozen=True, slots=True)
class ClusterSpec:
    """One entry of `clusters:`: the deployments that form a cluster and the Calico configuration it runs."""

    name: str
    deployments: tuple[str, ...]  # absolute paths: deployment directories or files (and what is under them)
    calico: tuple[str, ...] = ()  # absolute paths: Calico files or directories that apply to those deployments


@dataclass(frozen=True, slots=True)
class Config:
    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()
    severity: Mapping[str, Level] = field(default_factory=dict)
    fail_on: Level = Level.WARNING
    strict: bool = False
    exclude: tuple[str, ...] = ()
    baseline: str | None = None
    nodes_include: tuple[str, ...] = ()
    nodes_exclude: tuple[str, ...] = ()
    calico_paths: tuple[str, ...] = ()
    calico_pools: tuple[Mapping[str, Any], ...] = ()
    calico_bgp: bool | None = None
    calico_src_dst_check: SrcDstCheck | None = None
    var_files: tuple[str, ...] = ()
    variables: tuple[tuple[str, str], ...] = ()
    cfn_parameters: tuple[tuple[str, str], ...] = ()
    cfn_parameter_files: tuple[str, ...] = ()
    tf_root: str | None = None  # --tf-root: the .tf files of scanned plan JSON
    clusters: tuple[ClusterSpec, ...] = ()  # what proximity cannot decide (DESIGN §6)
    cache_dir: str | None = None  # the content cache's directory (absolute); None: the CLI's default
    source: str | None = None  # the file it came from

    def selected_rules(self, all_ids: list[str]) -> frozenset[str]:
        chosen = set(all_ids if self.select is None else self.select)
        return frozenset(chosen - set(self.ignore))


def rule_aliases(rules: Iterable[RuleDoc]) -> dict[str, str]:
    """Every way to name a rule (its id, its name; any case) -> its id."""
    aliases: dict[str, str] = {}
    for rule in rules:
        aliases[rule.id.lower()] = rule.id
        aliases[rule.name.lower()] = rule.id
    return aliases


def resolve_rules(names: Iterable[str], aliases: Mapping[str, str], origin: str) -> frozenset[str]:
    """Rule ids or names (any case) -> ids; an unknown one is an error naming where it came from."""
    wanted = [name.strip() for name in names if name.strip()]
    unknown = sorted({name for name in wanted if name.lower() not in aliases})
    if unknown:
        raise ConfigError(f"{origin}: unknown rule {', '.join(unknown)} (see `calico-lint rules`)")
    return frozenset(aliases[name.lower()] for name in wanted)


def find_config(start: Path) -> Path | None:
    """The nearest .calico-lint.yaml, or pyproject.toml with [tool.calico-lint], from start upward."""
    directory = start if start.is_dir() else start.parent
    for folder in (directory, *directory.parents):
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
        if (folder / ".git").exists():
            break
    return None


def _has_tool_table(pyproject: Path) -> bool:
    """Whether it holds [tool.calico-lint]; a pyproject.toml that mentions us but is not TOML is an error."""
    text = _read(pyproject)
    if TOOL_TABLE not in text:
        return False
    return TOOL_TABLE in _toml(text, pyproject).get("tool", {})


def read_config_file(path: Path) -> Mapping[str, Any]:
    """A .calico-lint.yaml, a pyproject.toml's [tool.calico-lint], or a TOML file of our keys."""
    text = _read(path)
    if path.suffix.lower() == ".toml":
        document = _toml(text, path)
        tool = document.get("tool", {})
        if path.name == "pyproject.toml" or (isinstance(tool, dict) and TOOL_TABLE in tool):
            if not isinstance(tool, dict) or TOOL_TABLE not in tool:
                raise ConfigError(f"{path}: no [tool.{TOOL_TABLE}] table")
            data = tool[TOOL_TABLE]
        else:
            data = document
    else:
        import yaml

        from linter.safe_yaml import UnfitYaml, safe_load

        try:  # the file is the scanned tree's (a pull request's): bounded like every YAML we read
            data = safe_load(text) or {}
        except UnfitYaml as error:
            raise ConfigError(f"{path}: not read: {error}") from error
        except yaml.YAMLError as error:
            raise ConfigError(f"{path}: not valid YAML: {error}") from error
    data = snake_case_keys(data, str(path))
    validate_config(data, str(path))
    return data


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from error


def _toml(text: str, path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from error


def snake_case_keys(data: Any, origin: str) -> Any:
    """`fail-on` (TOML's habit) and `fail_on` are the same key, at the top and in our sections."""
    if not isinstance(data, dict):
        return data
    top = _snake(data, origin, "")
    return {key: _snake(value, origin, key + ".") if key in _SECTIONS and isinstance(value, dict) else value
            for key, value in top.items()}


def _snake(mapping: Mapping[Any, Any], origin: str, prefix: str) -> dict[Any, Any]:
    result: dict[Any, Any] = {}
    spelt: dict[Any, Any] = {}
    for key, value in mapping.items():
        name = key.replace("-", "_") if isinstance(key, str) else key
        if name in result:
            raise ConfigError(f"{origin}: {prefix}{name}: given twice, as {prefix}{spelt[name]} and {prefix}{key}")
        result[name], spelt[name] = value, key
    return result


def validate_config(data: Any, origin: str) -> None:
    import jsonschema

    schema = json.loads(resources.files("linter").joinpath("config_schema.json").read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        lines = []
        for error in errors:
            key = ".".join(str(p) for p in error.absolute_path) or "(top level)"
            lines.append(f"{origin}: {key}: {error.message}")
        raise ConfigError("\n".join(lines))


def config_from_mapping(data: Mapping[str, Any], base: Path, source: str | None = None,
                        aliases: Mapping[str, str] | None = None) -> Config:
    """Relative paths in the file are relative to the file's directory; rules are named by `aliases`
    (from `rule_aliases`: ids or names, any case; an unknown one is an error), else taken as ids."""
    def paths(values: Any) -> tuple[str, ...]:
        return tuple(str((base / v).absolute()) for v in values or ())

    origin = source or "configuration"

    def rules(values: Iterable[str], key: str) -> frozenset[str]:
        if aliases is None:
            return frozenset(v.strip().upper() for v in values)
        return resolve_rules(values, aliases, f"{origin}: {key}")

    def rule_id(name: str) -> str:
        return aliases[name.strip().lower()] if aliases is not None else name.strip().upper()

    severity = data.get("severity", {})
    rules(severity, "severity")  # refuses every unknown key at once
    levels = {rule_id(name): Level(value) for name, value in severity.items()}

    nodes = data.get("nodes", {})
    calico = data.get("calico", {})
    terraform = data.get("terraform", {})
    cfn = data.get("cloudformation", {})
    return Config(
        select=rules(data["select"], "select") if "select" in data else None,
        ignore=rules(data.get("ignore", ()), "ignore"),
        severity=levels,
        fail_on=Level(data.get("fail_on", "warning")),
        strict=bool(data.get("strict", False)),
        exclude=tuple(data.get("exclude", ())),
        baseline=str((base / data["baseline"]).absolute()) if "baseline" in data else None,
        nodes_include=tuple(nodes.get("include", ())),
        nodes_exclude=tuple(nodes.get("exclude", ())),
        calico_paths=paths(calico.get("paths")),
        calico_pools=tuple(calico.get("pools", ())),
        calico_bgp=calico.get("bgp"),
        calico_src_dst_check=SrcDstCheck(calico["awsSrcDstCheck"]) if "awsSrcDstCheck" in calico else None,
        var_files=paths(terraform.get("var_files")),
        variables=tuple((k, _text(v)) for k, v in terraform.get("vars", {}).items()),
        cfn_parameters=tuple((k, _text(v)) for k, v in cfn.get("parameters", {}).items()),
        cfn_parameter_files=paths(cfn.get("parameter_files")),
        clusters=tuple(ClusterSpec(c["name"], paths(c["deployments"]), paths(c.get("calico")))
                       for c in data.get("clusters", ())),
        cache_dir=str((base / data["cache_dir"]).absolute()) if "cache_dir" in data else None,
        source=source,
    )


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
