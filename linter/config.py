"""Configuration: defaults < .calico-lint.yaml / [tool.calico-lint] < command-line flags."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from linter.model import Level

CONFIG_NAMES = (".calico-lint.yaml", ".calico-lint.yml")


class ConfigError(Exception):
    """The configuration file is invalid (exit 2)."""


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
    calico_src_dst_check: str | None = None
    var_files: tuple[str, ...] = ()
    variables: tuple[tuple[str, str], ...] = ()
    cfn_parameters: tuple[tuple[str, str], ...] = ()
    cfn_parameter_files: tuple[str, ...] = ()
    tf_root: str | None = None  # --tf-root: the .tf files of scanned plan JSON
    source: str | None = None  # the file it came from

    def selected_rules(self, all_ids: list[str]) -> frozenset[str]:
        chosen = set(all_ids if self.select is None else self.select)
        return frozenset(chosen - set(self.ignore))


def find_config(start: Path) -> Path | None:
    """The nearest .calico-lint.yaml, or pyproject.toml with [tool.calico-lint], from start upward."""
    directory = start if start.is_dir() else start.parent
    for folder in (directory, *directory.parents):
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "[tool.calico-lint]" in pyproject.read_text(encoding="utf-8", errors="replace"):
            return pyproject
        if (folder / ".git").exists():
            break
    return None


def read_config_file(path: Path) -> Mapping[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from error
    if path.name == "pyproject.toml":
        try:
            import tomllib
        except ModuleNotFoundError:  # Python 3.10
            import tomli as tomllib  # type: ignore[no-redef]
        try:
            data = tomllib.loads(text).get("tool", {}).get("calico-lint", {})
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path}: {error}") from error
    else:
        import yaml

        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as error:
            raise ConfigError(f"{path}: not valid YAML: {error}") from error
    validate_config(data, str(path))
    return data


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


def config_from_mapping(data: Mapping[str, Any], base: Path, source: str | None = None) -> Config:
    """Relative paths in the file are relative to the file's directory."""
    def paths(values: Any) -> tuple[str, ...]:
        return tuple(str((base / v).absolute()) for v in values or ())

    nodes = data.get("nodes", {})
    calico = data.get("calico", {})
    terraform = data.get("terraform", {})
    cfn = data.get("cloudformation", {})
    return Config(
        select=frozenset(data["select"]) if "select" in data else None,
        ignore=frozenset(data.get("ignore", ())),
        severity={k: Level(v) for k, v in data.get("severity", {}).items()},
        fail_on=Level(data.get("fail_on", "warning")),
        strict=bool(data.get("strict", False)),
        exclude=tuple(data.get("exclude", ())),
        baseline=str((base / data["baseline"]).absolute()) if "baseline" in data else None,
        nodes_include=tuple(nodes.get("include", ())),
        nodes_exclude=tuple(nodes.get("exclude", ())),
        calico_paths=paths(calico.get("paths")),
        calico_pools=tuple(calico.get("pools", ())),
        calico_bgp=calico.get("bgp"),
        calico_src_dst_check=calico.get("awsSrcDstCheck"),
        var_files=paths(terraform.get("var_files")),
        variables=tuple((k, _text(v)) for k, v in terraform.get("vars", {}).items()),
        cfn_parameters=tuple((k, _text(v)) for k, v in cfn.get("parameters", {}).items()),
        cfn_parameter_files=paths(cfn.get("parameter_files")),
        source=source,
    )


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
