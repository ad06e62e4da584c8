"""The command line: the only module that reads argv, env and cwd, prints, or exits."""
from __future__ import annotations

import contextlib
import datetime as _dt
import os
import shutil
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable, Mapping, Sequence

import click

from linter import __version__
from linter.config import Config, ConfigError, config_from_mapping, find_config, read_config_file, rule_aliases
from linter.engine import Rule, RuleFileError, load_rules
from linter.model import Finding, Report
from linter.options import InputOptions, ScanOptions, with_inputs, with_scan_flags
from linter.reporters import FORMATS

if TYPE_CHECKING:
    from linter.fixes import FixPlan
    from linter.scan import Progress, ScanRequest

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


# ------------------------------------------------------------------------------------------ shared


def _rules() -> tuple[Rule, ...]:
    try:
        return load_rules()
    except RuleFileError as error:
        for line in error.errors:
            click.echo(f"calico-lint: invalid rule file: {line}", err=True)
        sys.exit(EXIT_USAGE)


def _aliases(rules: Sequence[Rule]) -> dict[str, str]:
    return rule_aliases(rule.doc for rule in rules)


def _file_config(inputs: InputOptions, aliases: Mapping[str, str]) -> Config:
    """The configuration file's Config (--config, else the nearest one above the first path or the cwd)."""
    try:
        path: Path | None
        if inputs.config_path:
            if not Path(inputs.config_path).is_file():
                raise ConfigError(f"{inputs.config_path}: no such file")
            path = Path(inputs.config_path)
        else:
            path = find_config(Path(inputs.paths[0])) or find_config(Path.cwd())
        if path is None:
            return Config()
        return config_from_mapping(read_config_file(path), path.parent, str(path), aliases)
    except ConfigError as error:
        click.echo(f"calico-lint: invalid configuration: {error}", err=True)
        sys.exit(EXIT_USAGE)


def _with_flags(merge: Callable[[], Config]) -> Config:
    """A flag that does not fit (an unknown rule, a --var without `=`) is a usage error."""
    try:
        return merge()
    except ConfigError as error:
        raise click.UsageError(str(error)) from error


def _input_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options that decide the model: `scan` and `describe` take the same ones, so they see the same."""
    options = [
        click.argument("paths", nargs=-1, type=click.Path(exists=True)),
        click.option("--config", "config_path", type=click.Path(dir_okay=False),
                     help="Configuration file (default: the nearest .calico-lint.yaml or pyproject.toml "
                          "[tool.calico-lint]); .toml files are read as TOML."),
        click.option("--exclude", multiple=True, help="Skip paths matching this glob (repeatable)."),
        click.option("--var", "variables", multiple=True, help="Terraform variable NAME=VALUE (repeatable)."),
        click.option("--var-file", "var_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
                     help="Terraform .tfvars file."),
        click.option("--tf-root", "tf_root", type=click.Path(exists=True, file_okay=False),
                     help="Directory of the .tf files of a scanned plan JSON (for lines and suppressions)."),
        click.option("--cfn-param", "cfn_params", multiple=True, help="CloudFormation parameter NAME=VALUE."),
        click.option("--cfn-params", "cfn_param_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
                     help="CloudFormation parameter file (JSON)."),
        click.option("--calico", "calico_paths", multiple=True, type=click.Path(exists=True),
                     help="Calico configuration kept outside the scanned paths."),
        click.option("--root", type=click.Path(exists=True, file_okay=False),
                     help="Directory that output paths are relative to (default: the git repository's top "
                          "level, else the current directory)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _root(inputs: InputOptions) -> str:
    """--root, else the git repository's top level (from the cwd or the scanned paths), else the cwd."""
    from linter.discover import output_root

    root = Path(inputs.root) if inputs.root else output_root(inputs.paths, Path.cwd())
    return Path(os.path.normpath(root)).as_posix()


def use_color(flag: bool | None, environ: Mapping[str, str], isatty: bool) -> bool:
    """--color/--no-color, else FORCE_COLOR (0 or false: off), else off for NO_COLOR or TERM=dumb,
    else on for a terminal."""
    if flag is not None:
        return flag
    force = environ.get("FORCE_COLOR", "")
    if force:
        return force.lower() not in ("0", "false")
    if environ.get("NO_COLOR", "") or environ.get("TERM") == "dumb":
        return False
    return isatty


def _read_lines(path: str) -> Sequence[str]:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


# ------------------------------------------------------------------------------------------ progress


class ProgressLine:
    """`calico-lint: 120 files read, 5/14 rules checked` on stderr, redrawn in place once a run has
    taken `delay` seconds (short runs show nothing), erased when the run ends."""

    def __init__(self, stream: IO[str], clock: Callable[[], float] = time.monotonic, delay: float = 0.5,
                 interval: float = 0.1) -> None:
        self._stream, self._clock, self._delay, self._interval = stream, clock, delay, interval
        self._start = clock()
        self._drawn_at: float | None = None
        self._width = 0

    def __call__(self, progress: Progress) -> None:
        now = self._clock()
        if now - self._start < self._delay or (self._drawn_at is not None and now - self._drawn_at < self._interval):
            return
        files = f"{progress.files_read} file{'' if progress.files_read == 1 else 's'} read"
        rules = f", {progress.rules_checked}/{progress.rules_total} rules checked" if progress.rules_total else ""
        text = f"calico-lint: {files}{rules}"
        self._stream.write("\r" + text.ljust(self._width))
        self._stream.flush()
        self._width, self._drawn_at = max(self._width, len(text)), now

    def close(self) -> None:
        if self._width:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()


def _progress(quiet: bool) -> ProgressLine | None:
    """Progress only where someone watches it: on a terminal, unless --quiet."""
    if quiet or not sys.stderr.isatty() or os.environ.get("TERM") == "dumb":
        return None
    return ProgressLine(sys.stderr)


# ------------------------------------------------------------------------------------------ scan


@cli.command()
@_input_options
@click.option("--format", "formats", multiple=True, type=click.Choice(tuple(FORMATS)), help="Output format (repeatable).")
@click.option("--output", "outputs", multiple=True, type=click.Path(dir_okay=False), help="File for the matching --format.")
@click.option("--select", multiple=True, help="Only these rules (ids or names, comma-separated, any case).")
@click.option("--ignore", multiple=True, help="Skip these rules (ids or names, comma-separated, any case).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "note"]), help="Lowest level that fails the run.")
@click.option("--baseline", type=click.Path(dir_okay=False), help="Report only findings not in this baseline file.")
@click.option("--write-baseline", type=click.Path(dir_okay=False), help="Write every current finding to this baseline file.")
@click.option("--strict", is_flag=True, default=None, help="Results that could not be verified fail the run.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings (errors still exit 2).")
@click.option("--color/--no-color", default=None,
              help="Colour the text output (default: on a terminal; FORCE_COLOR, NO_COLOR and TERM=dumb are honoured).")
@click.option("--quiet", "-q", is_flag=True, help="Print the findings and nothing else (no progress, notices or summary).")
@click.option("--statistics", is_flag=True, help="Print how many findings each rule has instead of the findings.")
@click.option("--fix", is_flag=True, help="Apply the mechanical fixes to the files, then report what is left.")
@click.option("--diff", is_flag=True, help="Print the mechanical fixes as a unified diff; change nothing.")
@click.option("--cache-dir", type=click.Path(file_okay=False),
              help="Directory of the content cache (default: cache_dir in the configuration, else "
                   "$XDG_CACHE_HOME/calico-lint, else ~/.cache/calico-lint).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the content cache.")
def scan(**values: Any) -> None:
    """Lint PATHS (default: the current directory)."""
    from linter.engine.suppress import read_baseline, write_baseline as render_baseline
    from linter.model import display_path
    from linter.scan import exit_code

    options = ScanOptions.from_click(values)
    options = replace(options, inputs=options.inputs.absolute(Path.cwd()))
    rules = _rules()
    aliases = _aliases(rules)
    file_config = _file_config(options.inputs, aliases)
    config = _with_flags(lambda: with_scan_flags(file_config, options, aliases))
    pairs = _output_pairs(options)
    baseline_path = options.baseline or config.baseline
    known_fingerprints: frozenset[str] = frozenset()
    if baseline_path and not options.write_baseline:
        try:
            known_fingerprints = read_baseline(Path(baseline_path).read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise click.UsageError(f"cannot read baseline {baseline_path}: {error}") from error
    root = _root(options.inputs)
    request = _request(options, config, root, known_fingerprints)
    if options.diff:
        _print_diff(_run(request, rules, options.quiet), root)
    written = [out for _, out in pairs if out is not None] + ([options.write_baseline] if options.write_baseline else [])
    _discard(written)  # from here on, a run that fails leaves no report of an earlier run behind
    report = _run(request, rules, options.quiet)
    if options.fix:
        report = _fix_and_rescan(report, _plan(report), request, rules, options.quiet)
    files = _emit(report, pairs, options, config.source)
    if options.write_baseline:
        files.append((options.write_baseline, render_baseline(report.findings, lambda p: display_path(p, root))))
    _write_atomically(files)
    if options.write_baseline:
        sys.exit(0)
    sys.exit(0 if options.exit_zero else exit_code(report, config.fail_on))


def _request(options: ScanOptions, config: Config, root: str, baseline: frozenset[str] = frozenset()) -> ScanRequest:
    from linter.scan import ScanRequest

    from linter.engine.rules import packaged_rules_digest
    from linter.pool import available_cores

    inputs = options.inputs
    trusted = (*inputs.calico_paths, *inputs.var_files, *inputs.cfn_param_files, *filter(None, [inputs.tf_root]))
    cache_dir = None if options.no_cache else cache_directory(options.cache_dir, config.cache_dir, os.environ,
                                                                  Path.home(), Path.cwd())
    return ScanRequest(inputs.paths, config, root, _dt.date.today(), baseline, trusted=trusted,
                       cache_dir=cache_dir, workers=available_cores(), rules_digest=packaged_rules_digest())


def cache_directory(option: str | None, configured: str | None, environ: Mapping[str, str], home: Path,
                    cwd: Path) -> str:
    """--cache-dir, else the configuration's cache_dir, else $XDG_CACHE_HOME/calico-lint (an absolute
    XDG_CACHE_HOME only, as the XDG spec says), else ~/.cache/calico-lint."""
    if option:
        return os.path.normpath(cwd / option)
    if configured:
        return configured
    xdg = environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else home / ".cache"
    return os.path.normpath(base / "calico-lint")


def _run(request: ScanRequest, rules: Sequence[Rule], quiet: bool) -> Report:
    """One scan, with progress on a terminal."""
    from linter.scan import scan_report

    progress = _progress(quiet)
    try:
        report = scan_report(replace(request, progress=progress), rules)
    finally:
        if progress:
            progress.close()
    return report


def _output_pairs(options: ScanOptions) -> list[tuple[str, str | None]]:
    """(format, file or None for stdout), in the order given."""
    if len(options.outputs) > max(len(options.formats), 1):
        raise click.UsageError("more --output than --format options")
    chosen = options.formats or ("text",)
    outputs: list[str | None] = [*options.outputs, *[None] * len(chosen)]
    pairs = [(fmt, None if out in (None, "-") else out) for fmt, out in zip(chosen, outputs)]
    if sum(1 for _, out in pairs if out is None) > 1:
        raise click.UsageError("only one --format can go to standard output: give the others an --output")
    return pairs


def _emit(report: Report, pairs: Sequence[tuple[str, str | None]], options: ScanOptions,
          config_file: str | None = None) -> list[tuple[str, str]]:
    """Print what goes to stdout (--statistics takes the place of a text report there); return the
    (file, text) pairs to write."""
    from linter.reporters.text import render_statistics

    color = use_color(options.color, os.environ, sys.stdout.isatty())
    stdout_format = next((fmt for fmt, out in pairs if out is None), None)
    files: list[tuple[str, str]] = []
    # code frames only from files the scan read: never from a refused symlink a CAL000 points at
    shown = set(report.files) | {config_file or ""}
    read: dict[str, Sequence[str]] = {}  # each file read once, however many findings it holds

    def frames(path: str) -> Sequence[str]:
        if path not in read:
            read[path] = _read_lines(path) if path in shown else ()
        return read[path]

    if "sarif" in (fmt for fmt, _ in pairs):
        from linter.reporters.sarif import cuts

        for cut in cuts(report):  # the log says it too, in a toolExecutionNotification
            click.echo(f"calico-lint: warning: SARIF output cut: {cut}", err=True)
    for fmt, out in pairs:
        if out is not None:
            files.append((out, FORMATS[fmt](report, read_lines=frames, quiet=options.quiet)))
        elif not (options.statistics and fmt == "text"):
            text = FORMATS[fmt](report, read_lines=frames, color=color and fmt == "text", quiet=options.quiet)
            click.echo(text, nl=False, color=color and fmt == "text")
    if options.statistics:
        to_stderr = stdout_format not in (None, "text")
        colored = color and not to_stderr
        click.echo(render_statistics(report, color=colored), nl=False, err=to_stderr, color=colored)
    return files


# ------------------------------------------------------------------------------------------ fixes


def _plan(report: Report) -> FixPlan:
    from linter.fixes import plan_fixes

    return plan_fixes(report.findings, _read_text, lambda file: _refusal(file, report.root))


def _read_text(path: str) -> str | None:
    try:
        return Path(path).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _refusal(file: str, root: str) -> str | None:
    """Why a fix may not change `file` (None: it may): only regular files inside the repository root."""
    path = Path(file)
    if path.is_symlink():
        return "a symbolic link: not changed"
    resolved, top = path.resolve(), Path(root).resolve()
    if resolved != top and top not in resolved.parents:
        return f"outside the repository root {root}: not changed"
    return None if path.is_file() else "not a regular file"


def _print_diff(report: Report, root: str) -> None:
    """`--diff`: the fixes as a unified diff on stdout; exit 1 when there is one (ruff's habit)."""
    from linter.fixes import unified_diff
    from linter.model import display_path

    plan = _plan(report)
    click.echo(unified_diff(plan, lambda file: display_path(file, root)), nl=False)
    _say_not_fixed(plan, report)
    sys.exit(1 if plan.files else 0)


def _apply(plan: FixPlan) -> None:
    _write_atomically([(file.file, file.after) for file in plan.files])  # all files or none


def _fix_and_rescan(report: Report, plan: FixPlan, request: ScanRequest, rules: Sequence[Rule],
                    quiet: bool) -> Report:
    """Apply the fixes, scan again, and say what was fixed (a fix that leaves its finding is a bug: said too)."""
    _apply(plan)
    after = _run(request, rules, quiet) if plan.files else report
    left = {finding.fingerprint for finding in after.findings if not finding.suppressed}
    stuck = [finding for finding in plan.fixed if finding.fingerprint in left]
    for finding in stuck:
        click.echo(f"calico-lint: warning: the fix for {finding.rule} at {_place(finding, report)} did not "
                   f"remove its finding (please report it)", err=True)
    if not quiet:
        count, files = len(plan.fixed) - len(stuck), len(plan.files)
        click.echo(f"calico-lint: fixed {count} finding{'s' * (count != 1)} in {files} file{'s' * (files != 1)}",
                   err=True)
    return after


def _place(finding: Finding, report: Report) -> str:
    from linter.model import display_path

    return f"{display_path(finding.where.file, report.root)}:{finding.where.line}"


def _say_not_fixed(plan: FixPlan, report: Report, err: bool = True) -> None:
    names = {rule.id: rule.name for rule in report.rules}
    for finding, why in plan.not_fixed:
        click.echo(f"not fixed: {_place(finding, report)}: {finding.rule} [{names.get(finding.rule, '')}] "
                   f"{finding.level.value}: {finding.message} ({why})", err=err)


@cli.command()
@_input_options
@click.option("--select", multiple=True, help="Only these rules (ids or names, comma-separated, any case).")
@click.option("--ignore", multiple=True, help="Skip these rules (ids or names, comma-separated, any case).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "note"]), help="Lowest level that fails the run.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff; change nothing.")
@click.option("--quiet", "-q", is_flag=True, help="Print only what could not be fixed.")
def fix(select: tuple[str, ...], ignore: tuple[str, ...], fail_on: str | None, diff: bool, quiet: bool,
        **values: Any) -> None:
    """Apply the mechanical fixes to PATHS (HCL, CloudFormation YAML and JSON) and list what is left."""
    from linter.scan import exit_code

    inputs = InputOptions.from_click(values).absolute(Path.cwd())
    options = ScanOptions(inputs, select=select, ignore=ignore, fail_on=fail_on, quiet=quiet, fix=True, diff=diff)
    rules = _rules()
    aliases = _aliases(rules)
    file_config = _file_config(inputs, aliases)
    config = _with_flags(lambda: with_scan_flags(file_config, options, aliases))
    root = _root(inputs)
    request = _request(options, config, root)
    report = _run(request, rules, quiet)
    if diff:
        _print_diff(report, root)
    plan = _plan(report)
    if not quiet:
        for finding in plan.fixed:
            assert finding.fix is not None
            click.echo(f"fixed: {_place(finding, report)}: {finding.rule} {finding.fix.description}")
    after = _fix_and_rescan(report, plan, request, rules, quiet=True)
    left = _plan(after)
    _say_not_fixed(left, after, err=False)
    if not quiet:
        count = len(plan.fixed)
        click.echo(f"Fixed {count} finding{'s' * (count != 1)}; {len(left.not_fixed)} left.")
    sys.exit(exit_code(after, config.fail_on))


# ------------------------------------------------------------------------------------------ rules, explain


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
            if target.exists():  # a fixed file keeps its permissions
                shutil.copymode(target, handle.name)
        for temporary, current in staged:
            os.replace(temporary, current)
    except OSError as error:
        for temporary, _path in staged:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        click.echo(f"calico-lint: cannot write {current}: {error.strerror or error}", err=True)
        sys.exit(EXIT_USAGE)


@cli.command(name="rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
def list_rules(fmt: str) -> None:
    """List the rules."""
    from linter.reporters.rule_docs import rules_list_json, rules_list_text

    docs = [rule.doc for rule in _rules()]
    click.echo(rules_list_json(docs) if fmt == "json" else rules_list_text(docs), nl=False)


@cli.command()
@click.argument("rule_id")
def explain(rule_id: str) -> None:
    """Show a rule's documentation (by id or name, any case): what, why, example, fix, references."""
    from linter.reporters.rule_docs import rule_page_text

    rules = _rules()
    wanted = _aliases(rules).get(rule_id.strip().lower())
    rule = next((r for r in rules if r.id == wanted), None)
    if rule is None:
        click.echo(f"calico-lint: no rule {rule_id!r} (see `calico-lint rules`)", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(rule_page_text(rule.doc))


# ------------------------------------------------------------------------------------------ describe


@cli.command()
@_input_options
@click.option("--format", "fmt", type=click.Choice(["text", "json", "mermaid", "dot"]), default="text")
def describe(fmt: str, **values: Any) -> None:
    """Show the model inferred from PATHS: node groups, subnets, security groups, pools, what was assumed."""
    from linter.discover import discover
    from linter.reporters.describe import render_description
    from linter.scan import build_model, placement_of

    inputs = InputOptions.from_click(values).absolute(Path.cwd())
    file_config = _file_config(inputs, _aliases(_rules()))
    config = _with_flags(lambda: with_inputs(file_config, inputs))
    found = discover(inputs.paths, config.exclude, config.calico_paths)
    built = build_model(found, config)
    root = _root(inputs)
    click.echo(render_description(built.model, config, fmt, root, placement_of(built, found, config, root)))


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
