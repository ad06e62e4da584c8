"""One run: discover -> parse -> model -> engine -> suppressions -> Report. Reads files; prints nothing."""
from __future__ import annotations

import contextlib
import datetime as _dt
import gc
import os
from dataclasses import dataclass, replace
from typing import Callable, Iterator, Sequence, TypeVar

from linter import __version__
from linter.cache import ContentCache, digest
from linter.config import Config, rule_aliases
from linter.confine import Confinement, ReadLog
from linter.changes import changed_scan, survey
from linter.discover import Inputs, discover
from linter.placement import Deployment, deployment_of, place
from linter.engine import EngineOptions, Rule, run
from linter.engine.facts import NodeSelection
from linter.model import (
    CalicoNetwork, EncapMode, FelixConfig, Finding, IpPool, Level, Model, Notice, ParseProblem, Placement, Report,
    Where,
    merge_models,
)
from linter.engine.suppress import apply_suppressions
from linter.run_cache import cached_report, run_key, store_report


NOTHING_FOUND = "no Terraform, CloudFormation or Calico file found in the scanned paths: nothing was checked"


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a run is: the pipeline reports it, the CLI decides whether and how to show it."""

    files_read: int
    rules_checked: int = 0
    rules_total: int = 0


ProgressCallback = Callable[[Progress], None]


def _ignore_progress(_progress: Progress) -> None:
    return None


@dataclass(frozen=True, slots=True)
class ScanRequest:
    paths: tuple[str, ...]
    config: Config
    root: str  # absolute POSIX path: outputs are relative to it
    today: _dt.date
    baseline: frozenset[str] = frozenset()
    progress: ProgressCallback | None = None
    # other paths named on the command line (--calico, --var-file, ...): readable like the scanned paths
    trusted: tuple[str, ...] = ()
    cache_dir: str | None = None  # the content cache's directory (absolute; None: no cache)
    workers: int = 1  # processes that may parse files (the CLI gives the cores it may use)
    rules_digest: str = ""  # the digest of the rule files `rules` come from ("": no run cache for them)


@dataclass(frozen=True, slots=True)
class Built:
    model: Model
    notices: tuple[Notice, ...] = ()  # what the parsers could not follow (remote modules, ...)
    deployments: tuple[Deployment, ...] = ()  # root modules, plans, top-level templates


def build_model(inputs: Inputs, config: Config, progress: ProgressCallback = _ignore_progress,
                confinement: Confinement | None = None, cache: ContentCache | None = None,
                workers: int = 1) -> Built:
    """The merged model of the inputs; every read confined (by default, to the inputs' own directories)."""
    if confinement is None:
        confinement = Confinement.around([*inputs.terraform_dirs, *(p for p, _ in inputs.plans + inputs.templates
                                                                     + inputs.calico)])
    models: list[Model] = []
    notices: list[Notice] = []
    deployments: list[Deployment] = []
    read = 0

    def add(model: Model, files: int = 1) -> None:
        nonlocal read
        models.append(model)
        read += files
        progress(Progress(read))

    if inputs.terraform_dirs:
        from linter.terraform import TerraformInputs, load_modules

        tf_inputs = TerraformInputs(config.var_files, config.variables, confinement, cache, workers)
        loaded = isolated(lambda: load_modules(inputs.terraform_dirs, tf_inputs), inputs.terraform_dirs[0])
        if isinstance(loaded, Model):  # one directory broke the joint load: each on its own, so only it is lost
            for directory in inputs.terraform_dirs:
                one = isolated(lambda: load_modules([directory], tf_inputs), directory)
                if isinstance(one, Model):
                    add(one, 1)
                    continue
                notices.extend(Notice(Level.NOTE, note) for note in one.notes)
                deployments.extend(deployment_of(root, True) for root in one.roots)
                add(one.model, len(one.model.files))
        else:
            notices.extend(Notice(Level.NOTE, note) for note in loaded.notes)
            deployments.extend(deployment_of(root, True) for root in loaded.roots)
            add(loaded.model, len(loaded.model.files))
    for plan, text in inputs.plans:
        from linter.terraform import load_plan

        deployments.append(deployment_of(plan, False))
        add(isolated(lambda: load_plan(plan, tf_root=config.tf_root, text=text, confinement=confinement), plan))
    if inputs.templates:
        from linter.cloudformation import (
            CfnOptions,
            load_template,
            parse_cfn_params_file,
        )

        parameters = list(config.cfn_parameters)
        for params_file in config.cfn_parameter_files:
            params, error = parse_cfn_params_file(params_file, confinement)
            if error:
                models.append(Model(problems=(ParseProblem(Where(params_file), error),)))
            parameters.extend(params)
        options = CfnOptions(tuple(parameters), confinement)
        # parents first: a template read as a local nested stack is not linted again on its own
        ordered = sorted(inputs.templates, key=lambda item: "AWS::CloudFormation::Stack" not in item[1])
        read_as_nested: set[str] = set()
        for path, text in ordered:
            if path in read_as_nested:
                continue
            template_model = isolated(lambda: load_template(path, options, text=text), path)
            read_as_nested.update(f for f in template_model.files if f != path)
            deployments.append(deployment_of(path, False))
            add(template_model, len(set(template_model.files) | {path}))
    if inputs.calico:
        from linter.calico import load_calico_file

        # a values file a helm_release uses is judged in the release's context, not again on its own
        embedded = {path for model in models for path in model.embedded_files}
        for path, text in inputs.calico:
            if path not in embedded:
                add(isolated(lambda: load_calico_file(path, text=text), path))
    models.append(_stated_calico(config))
    problems = tuple(ParseProblem(Where(path), f"cannot read: {why}") for path, why in inputs.unreadable)
    problems += tuple(ParseProblem(Where(path), why, Level.NOTE) for path, why in inputs.not_read)
    models.append(Model(problems=problems))
    return Built(merge_models(models), tuple(notices), tuple(deployments))


_T = TypeVar("_T")


def isolated(load: Callable[[], _T], file: str) -> _T | Model:
    """What `load` returns, or a CAL000 on `file` when it fails unexpectedly: one broken file never costs
    the findings of the others (issue 9); exit 2 stays for usage, configuration and rule-file errors."""
    try:
        return load()
    except Exception as error:  # noqa: BLE001 - the one per-file parser boundary (a bug in one reader)
        message = f"internal error reading this file: {type(error).__name__}: {error}: please report it"
        return Model(problems=(ParseProblem(Where(file), message[:2000]),), files=(file,))


def placement_of(built: Built, inputs: Inputs, config: Config, root: str) -> Placement:
    """Where the scan's Calico configuration applies (DESIGN §6)."""
    everywhere = config.calico_paths + ((config.source,) if config.source else ())
    return place(built.deployments, [path for path, _ in inputs.calico], everywhere, root, config.clusters)


def _stated_calico(config: Config) -> Model:
    """Pools and settings stated in the configuration file for pools kept elsewhere."""
    where = Where(config.source or "", 1, 1, "config")
    pools = tuple(
        IpPool(f"config/{p.get('name', p['cidr'])}", p["cidr"], EncapMode(p.get("ipipMode", "Never")),
               EncapMode(p.get("vxlanMode", "Never")), bool(p.get("natOutgoing", False)), where,
               origin=f"stated in {config.source or 'the configuration'}")
        for p in config.calico_pools)
    calico: tuple[CalicoNetwork, ...] = ()
    if config.calico_bgp is not None:
        calico = (CalicoNetwork("config/calico", where, bgp=config.calico_bgp),)
    felix: tuple[FelixConfig, ...] = ()
    if config.calico_src_dst_check is not None:
        felix = (FelixConfig("config/felix", config.calico_src_dst_check, where),)
    return Model(pools=pools, calico=calico, felix=felix)


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """A scan builds long-lived syntax trees and a model and leaves little cyclic garbage: the collector would
    walk them again at every full collection (a third of a large parse). Off for the scan, then as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def scan(request: ScanRequest, rules: Sequence[Rule]) -> tuple[Report, Model]:
    """The report and the model it judged (the files' syntax from the content cache, when there is one)."""
    cache = ContentCache(request.cache_dir, __version__) if request.cache_dir else None
    with _cyclic_gc_paused():
        report, model = _scan(request, rules, cache, run_cache=False)
    if cache is not None:
        cache.trim()
    assert model is not None
    return report, model


def scan_report(request: ScanRequest, rules: Sequence[Rule]) -> Report:
    """The report alone, as the CLI wants it: from the run cache when the request names its rules' digest and
    nothing the last such scan saw has changed (linter.run_cache)."""
    cache = ContentCache(request.cache_dir, __version__) if request.cache_dir else None
    with _cyclic_gc_paused():
        report, _model = _scan(request, rules, cache, run_cache=bool(request.rules_digest))
    if cache is not None:
        cache.trim()
    return report


def _scan(request: ScanRequest, rules: Sequence[Rule], cache: ContentCache | None,
          run_cache: bool) -> tuple[Report, Model | None]:
    config = request.config
    # the configuration file's own directory too: inside the repository it adds nothing, outside it no PR wrote it
    confinement = Confinement.around(request.paths, request.root).widened((*request.trusted, *filter(None, [config.source])))
    paths, placement = _what_ci_lints(request, config)
    inputs = discover(paths, config.exclude, config.calico_paths, confinement)
    log = ReadLog()
    key = None
    if cache is not None and run_cache:
        key = run_key(cache, _asked(request, rules, paths, placement, inputs, confinement))
        cached = cached_report(cache, key)
        if cached is not None:
            return cached, None
        confinement = confinement.recording(log)
    progress = request.progress or _ignore_progress
    built = build_model(inputs, config, progress, confinement, cache, request.workers)
    model = _suppressions_by_id(built.model, rules)
    selected = config.selected_rules([r.id for r in rules])
    files = tuple(sorted(set(model.files) | {p for p, _ in inputs.templates} | {p for p, _ in inputs.calico}
                         | {p for p, _ in inputs.plans}))

    def checked(done: int, total: int) -> None:
        progress(Progress(len(files), done, total))

    options = EngineOptions(selected, dict(config.severity),
                            NodeSelection(config.nodes_include, config.nodes_exclude), request.root, checked,
                            placement or placement_of(built, inputs, config, request.root))
    evaluation = run(model, rules, options)
    cal013 = next((r.doc.level for r in rules if r.id == "CAL013"), Level.WARNING)
    cal013 = config.severity.get("CAL013", cal013)
    suppressed = apply_suppressions(evaluation.findings, model, [r.id for r in rules], selected, cal013,
                                    request.today, request.baseline)
    findings = suppressed.findings
    if config.strict:
        findings = tuple(_strict(f) for f in findings)
    ran = tuple(r.doc for r in rules if r.id in selected)
    notices = built.notices + evaluation.notices
    if not files and not model.problems:
        notices += (Notice(Level.WARNING, NOTHING_FOUND),)
    report = Report(findings=tuple(sorted(findings, key=lambda finding: finding.order)), rules=ran, notices=notices,
                    problems=model.problems, files=files, root=request.root, tool_version=__version__)
    if cache is not None and key is not None:
        store_report(cache, key, confinement.roots, log, report)
    return report, model


def _asked(request: ScanRequest, rules: Sequence[Rule], paths: Sequence[str], placement: Placement | None,
           inputs: Inputs, confinement: Confinement) -> tuple[object, ...]:
    """Everything a scan's report depends on besides what it reads through its Confinement."""
    def digested(pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        return tuple((path, digest(text)) for path, text in pairs)

    found = (inputs.terraform_dirs, digested(inputs.plans), digested(inputs.templates), digested(inputs.calico),
             inputs.unreadable, inputs.not_read)
    asked = (request.paths, request.config, request.root, request.today.isoformat(), request.baseline,
             request.trusted, request.rules_digest, tuple(rule.id for rule in rules))
    return asked + (tuple(paths), placement, found, confinement.roots)


def _what_ci_lints(request: ScanRequest, config: Config) -> tuple[Sequence[str], Placement | None]:
    """Changed files (every path a file, as the pre-commit hook passes them): the clusters they belong to,
    with the Calico configuration CI gives them, and CI's placement. Directories: themselves."""
    if not request.paths or not all(os.path.isfile(p) for p in request.paths):
        return request.paths, None
    surveyed = survey(request.root, config.exclude)
    everywhere = config.calico_paths + ((config.source,) if config.source else ())
    changed = changed_scan(request.paths, surveyed, request.root, everywhere, config.clusters)
    return changed.paths, changed.placement


def _suppressions_by_id(model: Model, rules: Sequence[Rule]) -> Model:
    """`ignore[bgp-blocked]` is `ignore[CAL001]`: suppressions may name rules by name, in any case."""
    aliases = {alias.upper(): rule_id for alias, rule_id in rule_aliases(r.doc for r in rules).items()}
    suppressions = tuple(replace(s, rules=tuple(aliases.get(name.upper(), name) for name in s.rules))
                         for s in model.suppressions)
    return replace(model, suppressions=suppressions)


def _strict(finding: Finding) -> Finding:
    """--strict: a result that could not be verified fails like an error."""
    if finding.unverified:
        return replace(finding, level=Level.ERROR)
    return finding


def exit_code(report: Report, fail_on: Level) -> int:
    failing = [f for f in report.findings if not f.suppressed and f.level.rank >= fail_on.rank]
    return 1 if failing else 0
