"""The command line: the only module that reads argv, env and cwd, prints, or exits."""
from __future__ import annotations

import contextlib
import datetime as _dt
import importlib
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Sequence

import click

from linter import __version__
from linter.config import Config, ConfigError, config_from_mapping, find_config, read_config_file
from linter.engine import Rule, RuleFileError, load_rules
from linter.model import Level

FORMATS = ("text", "json", "sarif", "junit", "github")
REPORTERS = {"text": "text", "json": "json_report", "sarif": "sarif", "junit": "junit", "github": "github"}
EXIT_USAGE = 2


class _DefaultToScan(click.Group):
    """`calico-lint PATH` means `calico-lint scan PATH`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            args = ["scan", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_DefaultToScan, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="calico-lint")
def cli() -> None:
    """Find the AWS settings that break Calico, in Terraform, CloudFormation and Calico configuration."""


def _rules() -> tuple[Rule, ...]:
    try:
        return load_rules()
    except RuleFileError as error:
        for line in error.errors:
            click.echo(f"calico-lint: invalid rule file: {line}", err=True)
        sys.exit(EXIT_USAGE)


def _load_config(config_path: str | None, paths: Sequence[str]) -> Config:
    try:
        if config_path:
            path = Path(config_path).absolute()
            if not path.is_file():
                raise ConfigError(f"{config_path}: no such file")
        else:
            start = Path(paths[0]).absolute() if paths else Path.cwd()
            path = find_config(start) or find_config(Path.cwd())
        if path is None:
            return Config()
        return config_from_mapping(read_config_file(path), path.parent, str(path))
    except ConfigError as error:
        click.echo(f"calico-lint: invalid configuration: {error}", err=True)
        sys.exit(EXIT_USAGE)


def _split_ids(values: Sequence[str], known: set[str]) -> frozenset[str]:
    ids = {v.strip().upper() for value in values for v in value.split(",") if v.strip()}
    unknown = sorted(ids - known)
    if unknown:
        raise click.BadParameter(f"unknown rule id {', '.join(unknown)} (see `calico-lint rules`)")
    return frozenset(ids)


def _pairs(values: Sequence[str], option: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{option} expects NAME=VALUE, got {value!r}")
        pairs.append((name.strip(), text))
    return tuple(pairs)


def _read_lines(path: str) -> Sequence[str]:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--format", "formats", multiple=True, type=click.Choice(FORMATS), help="Output format (repeatable).")
@click.option("--output", "outputs", multiple=True, type=click.Path(dir_okay=False), help="File for the matching --format.")
@click.option("--select", multiple=True, help="Only these rules (comma-separated ids).")
@click.option("--ignore", multiple=True, help="Skip these rules (comma-separated ids).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "note"]), help="Lowest level that fails the run.")
@click.option("--config", "config_path", type=click.Path(), help="Configuration file (default: .calico-lint.yaml).")
@click.option("--exclude", multiple=True, help="Skip paths matching this glob (repeatable).")
@click.option("--var", "variables", multiple=True, help="Terraform variable NAME=VALUE (repeatable).")
@click.option("--var-file", "var_files", multiple=True, type=click.Path(exists=True, dir_okay=False), help="Terraform .tfvars file.")
@click.option("--tf-root", "tf_root", type=click.Path(exists=True, file_okay=False), help="Directory of the .tf files of a scanned plan JSON (for lines and suppressions).")
@click.option("--cfn-param", "cfn_params", multiple=True, help="CloudFormation parameter NAME=VALUE.")
@click.option("--cfn-params", "cfn_param_files", multiple=True, type=click.Path(exists=True, dir_okay=False), help="CloudFormation parameter file (JSON).")
@click.option("--calico", "calico_paths", multiple=True, type=click.Path(exists=True), help="Calico configuration kept outside the scanned paths.")
@click.option("--baseline", type=click.Path(dir_okay=False), help="Report only findings not in this baseline file.")
@click.option("--write-baseline", type=click.Path(dir_okay=False), help="Write every current finding to this baseline file.")
@click.option("--strict", is_flag=True, default=None, help="Results that could not be verified fail the run.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings (errors still exit 2).")
@click.option("--color/--no-color", default=None, help="Colour the text output (default: on a terminal, unless NO_COLOR).")
def scan(paths: tuple[str, ...], formats: tuple[str, ...], outputs: tuple[str, ...], select: tuple[str, ...],
         ignore: tuple[str, ...], fail_on: str | None, config_path: str | None, exclude: tuple[str, ...],
         variables: tuple[str, ...], var_files: tuple[str, ...], tf_root: str | None, cfn_params: tuple[str, ...],
         cfn_param_files: tuple[str, ...], calico_paths: tuple[str, ...], baseline: str | None,
         write_baseline: str | None, strict: bool | None, exit_zero: bool, color: bool | None) -> None:
    """Lint PATHS (default: the current directory)."""
    from linter.scan import ScanRequest, exit_code, scan as run_scan
    from linter.engine.suppress import read_baseline, write_baseline as render_baseline

    paths = paths or (".",)
    rules = _rules()
    known = {r.id for r in rules}
    config = _load_config(config_path, paths)
    try:
        config = replace(
            config,
            select=_split_ids(select, known) if select else config.select,
            ignore=config.ignore | _split_ids(ignore, known),
            fail_on=Level(fail_on) if fail_on else config.fail_on,
            exclude=config.exclude + exclude,
            variables=config.variables + _pairs(variables, "--var"),
            var_files=config.var_files + tuple(str(Path(f).absolute()) for f in var_files),
            tf_root=str(Path(tf_root).absolute()) if tf_root else config.tf_root,
            cfn_parameters=config.cfn_parameters + _pairs(cfn_params, "--cfn-param"),
            cfn_parameter_files=config.cfn_parameter_files + tuple(str(Path(f).absolute()) for f in cfn_param_files),
            calico_paths=config.calico_paths + tuple(str(Path(p).absolute()) for p in calico_paths),
            strict=config.strict if strict is None else strict,
        )
    except click.BadParameter as error:
        raise click.UsageError(str(error)) from error
    if len(outputs) > max(len(formats), 1):
        raise click.UsageError("more --output than --format options")
    chosen = formats or ("text",)
    pairs = [(fmt, None if out in (None, "-") else out)
             for fmt, out in zip(chosen, list(outputs) + [None] * len(chosen))]
    if sum(1 for _, out in pairs if out is None) > 1:
        raise click.UsageError("only one --format can go to standard output: give the others an --output")
    baseline_path = baseline or config.baseline
    known_fingerprints: frozenset[str] = frozenset()
    if baseline_path and not write_baseline:
        try:
            known_fingerprints = read_baseline(Path(baseline_path).read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise click.UsageError(f"cannot read baseline {baseline_path}: {error}") from error
    written = [out for _, out in pairs if out is not None] + ([write_baseline] if write_baseline else [])
    _discard(written)  # from here on, a run that fails leaves no report of an earlier run behind
    root = Path.cwd().as_posix()
    request = ScanRequest(tuple(str(Path(p).absolute()) for p in paths), config, root, _dt.date.today(),
                          known_fingerprints)
    report, _ = run_scan(request, rules)
    use_color = color if color is not None else (sys.stdout.isatty() and "NO_COLOR" not in os.environ)
    files: list[tuple[str, str]] = []
    for fmt, out in pairs:
        reporter = importlib.import_module(f"linter.reporters.{REPORTERS[fmt]}")
        text = reporter.render(report, read_lines=_read_lines, color=bool(use_color and out is None and fmt == "text"))
        if out is None:
            click.echo(text, nl=not text.endswith("\n"))
        else:
            files.append((out, text))
    if write_baseline:
        from linter.model import display_path

        files.append((write_baseline, render_baseline(report.findings, lambda p: display_path(p, root))))
    _write_atomically(files)
    if write_baseline:
        sys.exit(0)
    sys.exit(0 if exit_zero else exit_code(report, config.fail_on))


def _discard(paths: Sequence[str]) -> None:
    for path in paths:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        except OSError as error:
            click.echo(f"calico-lint: cannot replace {path}: {error.strerror or error}", err=True)
            sys.exit(EXIT_USAGE)


def _write_atomically(files: Sequence[tuple[str, str]]) -> None:
    """Every file whole or none: each goes to a temporary file beside it, then all are renamed."""
    import tempfile

    staged: list[tuple[str, str]] = []
    current = ""
    try:
        for current, text in files:
            target = Path(current)
            handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target.parent,
                                                 prefix=f".{target.name}.", suffix=".tmp", delete=False)
            staged.append((handle.name, current))
            with handle:
                handle.write(text)
        for temporary, current in staged:
            os.replace(temporary, current)
    except OSError as error:
        for temporary, _path in staged:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        click.echo(f"calico-lint: cannot write {current}: {error.strerror or error}", err=True)
        sys.exit(EXIT_USAGE)


@cli.command(name="rules")
def list_rules() -> None:
    """List the rules."""
    for rule in _rules():
        click.echo(f"{rule.id}  {rule.doc.level.value:<7}  {rule.doc.name:<36}  {rule.doc.title}")


@cli.command()
@click.argument("rule_id")
def explain(rule_id: str) -> None:
    """Show a rule's documentation: what, why, example, fix, references."""
    from linter.reporters.rule_docs import rule_page_text

    wanted = rule_id.strip().upper()
    rule = next((r for r in _rules() if r.id == wanted or r.doc.name == rule_id.strip().lower()), None)
    if rule is None:
        click.echo(f"calico-lint: no rule {rule_id!r} (see `calico-lint rules`)", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(rule_page_text(rule.doc))


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "mermaid", "dot"]), default="text")
@click.option("--config", "config_path", type=click.Path())
@click.option("--calico", "calico_paths", multiple=True, type=click.Path(exists=True))
def describe(paths: tuple[str, ...], fmt: str, config_path: str | None, calico_paths: tuple[str, ...]) -> None:
    """Show the model inferred from PATHS: node groups, subnets, security groups, pools, what was assumed."""
    from linter.reporters.describe import render_description
    from linter.discover import discover
    from linter.scan import build_model

    paths = paths or (".",)
    config = _load_config(config_path, paths)
    config = replace(config, calico_paths=config.calico_paths + tuple(str(Path(p).absolute()) for p in calico_paths))
    inputs = discover([str(Path(p).absolute()) for p in paths], config.exclude, config.calico_paths)
    model = build_model(inputs, config).model
    click.echo(render_description(model, config, fmt, Path.cwd().as_posix()))


def main() -> None:
    try:
        cli.main(prog_name="calico-lint")
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception:  # noqa: BLE001 - the one top-level handler: a bug must exit 2, not 1 ("findings")
        import traceback

        traceback.print_exc()
        click.echo("calico-lint: internal error (a bug): please report it with the traceback above", err=True)
        sys.exit(EXIT_USAGE)
