"""The command line's options as data: built by the CLI from click's values, merged over the file's Config.

Precedence: defaults < the configuration file < these flags. Nothing here reads argv, env or the cwd:
the CLI passes the directory relative paths are relative to.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Mapping, Sequence

from linter.config import Config, ConfigError, resolve_rules
from linter.model import Level


@dataclass(frozen=True, slots=True)
class InputOptions:
    """What decides the model: `scan` and `describe` share all of it, so they show the same model."""

    paths: tuple[str, ...]
    config_path: str | None
    exclude: tuple[str, ...]
    variables: tuple[str, ...]  # --var NAME=VALUE
    var_files: tuple[str, ...]
    tf_root: str | None
    cfn_params: tuple[str, ...]  # --cfn-param NAME=VALUE
    cfn_param_files: tuple[str, ...]
    calico_paths: tuple[str, ...]
    root: str | None  # --root: what output paths are relative to

    @classmethod
    def from_click(cls, values: Mapping[str, Any]) -> InputOptions:
        return cls(**{f.name: values[f.name] for f in fields(cls)})

    def absolute(self, cwd: Path) -> InputOptions:
        """Every path made absolute against `cwd` and normalised (`sub/..` is where it points, so a run
        from a subdirectory reads the same files under the same names); the paths default to the cwd."""
        def one(value: str | None) -> str | None:
            return os.path.normpath(cwd / value) if value else None

        def each(values: Sequence[str]) -> tuple[str, ...]:
            return tuple(os.path.normpath(cwd / value) for value in values)

        return replace(
            self, paths=each(self.paths or (".",)), config_path=one(self.config_path), var_files=each(self.var_files),
            tf_root=one(self.tf_root), cfn_param_files=each(self.cfn_param_files),
            calico_paths=each(self.calico_paths), root=one(self.root),
        )


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """Everything `calico-lint scan` was asked, as one value."""

    inputs: InputOptions
    formats: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str | None = None
    baseline: str | None = None
    write_baseline: str | None = None
    strict: bool | None = None
    exit_zero: bool = False
    color: bool | None = None
    quiet: bool = False
    statistics: bool = False
    fix: bool = False  # apply the mechanical fixes, then report what is left
    diff: bool = False  # print the fixes as a diff, change nothing
    cache_dir: str | None = None  # --cache-dir
    no_cache: bool = False  # --no-cache

    @classmethod
    def from_click(cls, values: Mapping[str, Any]) -> ScanOptions:
        """From click's keyword values; a click option without a field here is a bug, not ignored."""
        own = [f.name for f in fields(cls) if f.name != "inputs"]
        leftover = set(values) - set(own) - {f.name for f in fields(InputOptions)}
        if leftover:
            raise TypeError(f"scan options without a field in ScanOptions: {sorted(leftover)}")
        return cls(InputOptions.from_click(values), **{name: values[name] for name in own})


def pairs(values: Sequence[str], option: str) -> tuple[tuple[str, str], ...]:
    """NAME=VALUE options -> (name, value) pairs."""
    result = []
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"{option} expects NAME=VALUE, got {value!r}")
        result.append((name.strip(), text))
    return tuple(result)


def split_rules(values: Sequence[str], aliases: Mapping[str, str], option: str) -> frozenset[str]:
    """`--select CAL001,bgp-blocked --select cal003` -> ids; an unknown rule is an error."""
    return resolve_rules([part for value in values for part in value.split(",")], aliases, option)


def with_inputs(config: Config, inputs: InputOptions) -> Config:
    """The file's Config with the input flags added (lists extend the file's, single values replace)."""
    return replace(
        config,
        exclude=config.exclude + inputs.exclude,
        variables=config.variables + pairs(inputs.variables, "--var"),
        var_files=config.var_files + inputs.var_files,
        tf_root=inputs.tf_root or config.tf_root,
        cfn_parameters=config.cfn_parameters + pairs(inputs.cfn_params, "--cfn-param"),
        cfn_parameter_files=config.cfn_parameter_files + inputs.cfn_param_files,
        calico_paths=config.calico_paths + inputs.calico_paths,
    )


def with_scan_flags(config: Config, options: ScanOptions, aliases: Mapping[str, str]) -> Config:
    """The file's Config with every scan flag over it."""
    config = with_inputs(config, options.inputs)
    return replace(
        config,
        select=split_rules(options.select, aliases, "--select") if options.select else config.select,
        ignore=config.ignore | split_rules(options.ignore, aliases, "--ignore"),
        fail_on=Level(options.fail_on) if options.fail_on else config.fail_on,
        strict=config.strict if options.strict is None else options.strict,
    )
