"""Benchmarks: calico-lint against Checkov and cfn-lint on the same generated inputs, in one run.

    bench/peers.sh                   # once: Checkov and cfn-lint in their own venv (~/.cache/calico-lint-bench)
    python bench/run.py              # every case at 1k and 10k resources; prints a table; asserts nothing
    python bench/run.py --quick --sizes 1000 --only hcl,hook --json numbers.json

Cases (inputs from bench/generate.py, seeded): `startup` (--version), `hcl` (a Terraform root module of
many small Kubernetes VPCs), `plan` (its `terraform show -json` plan), `cfn` (a CloudFormation template),
`hook` (the pre-commit hook given one changed .tf file of the module). `cfn` and `hook` use the first
size of --sizes. Each command runs in a child process, started by a small launcher; wall and CPU seconds
(user + system of the child and its children, from os.wait4), peak RSS of the largest single process
("peak MiB") and of the whole process group ("all MiB", sampled) are medians over the runs. A run is
killed at --timeout seconds or --memory-limit GiB (the machine is shared); its time is then a lower bound.
`--profile DIR` times nothing: it profiles one cold calico-lint run per case (stopped, with its profile
kept, at the same bounds) and writes the top 25 by cumulative and by own time beside each .prof.
calico-lint runs cold (`--no-cache` and an empty XDG_CACHE_HOME) and warm (a cache warmed by one untimed
run); without a cache in calico-lint, warm = cold. Its modules are byte-compiled first, as an install is.
Ratios are peer / calico-lint: above 1 = calico-lint is faster. The bare-parse rows (python-hcl2, json,
cfn-lint's decoder) are the floor of reading the input.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402  (bench/ is not a package: run as a script)

CASES = ("startup", "hcl", "plan", "cfn", "hook")
DEFAULT_PEERS = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "calico-lint-bench" / "peers-venv"
CHECKOV_QUIET = ["--quiet", "--compact", "-o", "json", "--skip-download"]  # --skip-download: no network call

BARE_HCL = """import pathlib, sys, hcl2
for arg in sys.argv[1:]:
    p = pathlib.Path(arg)
    for f in (sorted(p.glob("*.tf")) if p.is_dir() else [p]):
        hcl2.loads(f.read_text())
"""
# cProfile of calico-lint that stops itself (keeping the profile) at a time or memory bound
PROFILE = """import cProfile, resource, signal, sys, time
out, seconds, limit = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
sys.argv = ["calico-lint", *sys.argv[4:]]
class Stop(BaseException):
    pass
start = time.monotonic()
def check(signum, frame):
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    if time.monotonic() - start > seconds or rss > limit:
        raise Stop(f"after {time.monotonic() - start:.0f} s at {rss / 2**20:.0f} MiB")
from linter.cli import main
signal.signal(signal.SIGALRM, check)
signal.setitimer(signal.ITIMER_REAL, 0.5, 0.5)
profile = cProfile.Profile()
try:
    profile.runcall(main)
except Stop as stop:
    open(out.rsplit(".", 1)[0] + ".stopped", "w").write(str(stop))
except SystemExit:
    pass
finally:
    signal.setitimer(signal.ITIMER_REAL, 0)
    profile.dump_stats(out)
"""
BARE_JSON = "import json, sys\nfor arg in sys.argv[1:]:\n    json.load(open(arg))\n"
BARE_CFN = "import sys\nfrom cfnlint.decode import cfn_yaml\nfor arg in sys.argv[1:]:\n    cfn_yaml.load(arg)\n"


@dataclass
class Sample:
    wall: float
    cpu: float  # user + system seconds of the child and the children it reaped
    rss_mib: float  # peak RSS of the largest single process (ru_maxrss)
    total_mib: float  # peak RSS of the whole process group, sampled 4 times a second
    rc: int
    killed: str  # why the run was killed, or ""


@dataclass
class Row:
    case: str
    label: str
    tool: str  # calico-lint | checkov | cfn-lint | floor
    command: list[str]
    samples: list[Sample] = field(default_factory=list)
    note: str = ""
    ok: bool = True

    def median(self, attribute: str) -> float:
        return statistics.median(getattr(s, attribute) for s in self.samples)

    @property
    def killed(self) -> bool:
        return any(s.killed for s in self.samples)


@dataclass
class Settings:
    repeat: int
    budget: float
    timeout: float
    memory_limit: float  # GiB of the whole process group
    work: Path
    calico: list[str]
    cache: str | None  # where --no-cache goes: "global", "scan" or None (no cache in calico-lint)
    peers: Path
    profile: Path | None


# ---------------------------------------------------------------------------------------- measuring


def measure(command: list[str], env: dict[str, str], settings: Settings, log: Path) -> Sample:
    """One run of `command`, started by a small launcher process (`run.py --child`): the kernel counts the
    RSS of the process that forks into the child's peak, so this process, which holds the generated
    inputs, must not be that parent."""
    spec = {"command": command, "timeout": settings.timeout, "limit": settings.memory_limit * 2**30,
            "out": str(log.with_suffix(".out")), "err": str(log.with_suffix(".err")), "cwd": str(settings.work)}
    done = subprocess.run([sys.executable, "-S", __file__, "--child", json.dumps(spec)], env=env,
                          capture_output=True, text=True, check=True)
    return Sample(**json.loads(done.stdout))


def _group_rss(group: int) -> int:
    """Bytes resident in the processes of a process group (from /proc; 0 where there is none)."""
    total = 0
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[2]) == group:  # fields from the 3rd: [2] is the 5th (pgrp), [21] the 24th (rss)
            total += int(fields[21]) * page
    return total


def child_main(spec_text: str) -> int:
    """The launcher: run the command in its own process group, watch time and memory, print a Sample."""
    spec = json.loads(spec_text)
    reason: list[str] = []
    peak = [0]
    with open(spec["out"], "wb") as out, open(spec["err"], "wb") as err:
        start = time.perf_counter()
        child = subprocess.Popen(spec["command"], stdout=out, stderr=err, cwd=spec["cwd"], start_new_session=True)
        stop = threading.Event()

        def watch() -> None:
            while not stop.wait(0.25):
                peak[0] = max(peak[0], _group_rss(child.pid))
                if time.perf_counter() - start > spec["timeout"]:
                    reason.append(f"killed at {spec['timeout']:.0f} s")
                elif peak[0] > spec["limit"]:
                    reason.append(f"killed at {spec['limit'] / 2**30:.0f} GiB of RSS")
                if reason:
                    os.killpg(child.pid, signal.SIGKILL)
                    return

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        _pid, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        stop.set()
        watcher.join()
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4: tell Popen
    if child.returncode < 0 and not reason:
        reason.append(f"killed by signal {-child.returncode}")
    print(json.dumps(asdict(Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
                                   max(peak[0] / 2**20, usage.ru_maxrss / 1024), child.returncode,
                                   "; ".join(reason)))))
    return 0


def accepted(tool: str, rc: int) -> bool:
    """Linters exit nonzero when they find something; only their own errors count as a failure."""
    if tool in ("calico-lint", "checkov"):
        return rc in (0, 1)
    if tool == "cfn-lint":
        return 0 <= rc < 16 and rc % 2 == 0  # bit flags: 2 error, 4 warning, 8 informational
    return rc == 0


def run_row(row: Row, settings: Settings, env: dict[str, str], prepare: Callable[[], None] | None = None,
            warm_up: bool = False) -> Row:
    """Repeat until --repeat runs or the row's --budget seconds are spent (at least one run).
    `warm_up`: one untimed run first (the floors: python-hcl2 builds its grammar cache on first use)."""
    log = settings.work / "logs" / f"{row.case}-{row.label}".replace(" ", "_").replace("/", "_")
    if warm_up:
        measure(row.command, env, settings, log)
    spent = 0.0
    while len(row.samples) < settings.repeat and (not row.samples or spent < settings.budget):
        if prepare is not None:
            prepare()
        sample = measure(row.command, env, settings, log)
        row.samples.append(sample)
        spent += sample.wall
        if sample.killed or not accepted(row.tool, sample.rc):
            break
    last = row.samples[-1]
    if last.killed:
        row.note = last.killed
    elif not accepted(row.tool, last.rc):
        row.ok = False
        tail = log.with_suffix(".err").read_text(errors="replace").strip().splitlines()[-2:]
        row.note = f"FAILED rc={last.rc}: " + " | ".join(line.strip()[:80] for line in tail)
    else:
        row.note = _summary(row.tool, log.with_suffix(".out"), "--version" in row.command)
    print(f"  {row.case:<14} {row.label:<30} {len(row.samples)} run(s), median {row.median('wall'):.2f} s"
          f"  {row.note}", file=sys.stderr, flush=True)
    return row


def _summary(tool: str, out: Path, version: bool) -> str:
    """What the tool reported, so that a fast run that read nothing shows."""
    text = out.read_text(errors="replace")
    if version:
        return text.strip().splitlines()[0] if text.strip() else ""
    if tool == "checkov" and text.strip():
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return "output is not JSON"
        reports = data if isinstance(data, list) else [data]
        summaries = [r.get("summary", r) for r in reports if isinstance(r, dict)]
        count = sum(s.get("resource_count", 0) for s in summaries)
        failed = sum(s.get("failed", 0) for s in summaries)
        errors = sum(s.get("parsing_errors", 0) for s in summaries)
        return f"{count} resources, {failed} failed checks" + (f", {errors} parsing errors" if errors else "")
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if tool == "calico-lint" and lines:
        return lines[-1].strip()[:60]
    if tool == "cfn-lint":
        return f"{sum(1 for line in lines if line[:1] in 'EWI' and line[1:5].isdigit())} matches"
    return ""


# ------------------------------------------------------------------------------------ calico-lint


def compile_bytecode() -> None:
    """Compile calico-lint's modules as `pip install` does: an editable checkout run with PYTHONDONTWRITEBYTECODE
    (or a read-only one) compiles every module on every start, which the installed peers never do."""
    import importlib.util

    spec = importlib.util.find_spec("linter")
    if spec is not None and spec.submodule_search_locations:
        subprocess.run([sys.executable, "-m", "compileall", "-q", *spec.submodule_search_locations],
                       capture_output=True, check=False)


def calico_command() -> list[str]:
    script = Path(sys.executable).parent / "calico-lint"
    return [str(script)] if script.exists() else [sys.executable, "-m", "linter"]


def cache_support(calico: list[str]) -> str | None:
    """Where `--no-cache` goes, or None when calico-lint has no cache yet."""
    for where, args in (("scan", ["scan", "--help"]), ("global", ["--help"])):
        shown = subprocess.run(calico + args, capture_output=True, text=True, check=False).stdout
        if "--no-cache" in shown:
            return where
    return None


def calico_scan(settings: Settings, paths: list[str], cold: bool) -> list[str]:
    flag = ["--no-cache"] if cold and settings.cache else []
    if settings.cache == "global":
        return [*settings.calico, *flag, "scan", *paths]
    return [*settings.calico, "scan", *flag, *paths]


def fresh_dir(parent: Path, name: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=parent))


def calico_rows(case: str, settings: Settings, paths: list[str], warm_from: Path | None = None) -> list[Row]:
    """Cold (empty cache dir per run), then warm: one untimed run fills the cache, the timed runs reuse it.
    `warm_from` (the hook case): each warm run starts from a copy of that cache instead."""
    caches = settings.work / "caches"
    env = dict(os.environ)

    def empty_cache() -> None:
        env["XDG_CACHE_HOME"] = str(fresh_dir(caches, f"{case}-cold"))

    cold = run_row(Row(case, "calico-lint cold", "calico-lint", calico_scan(settings, paths, cold=True)),
                   settings, env, empty_cache)
    if settings.cache is None:
        warm = Row(case, "calico-lint warm", "calico-lint", cold.command, list(cold.samples),
                   "no cache in calico-lint yet: warm = cold", cold.ok)
        return [cold, warm]
    warm_env = dict(os.environ)
    if warm_from is None:
        warm_env["XDG_CACHE_HOME"] = str(fresh_dir(caches, f"{case}-warm"))
        measure(calico_scan(settings, paths, cold=False), warm_env, settings, settings.work / "logs" / f"{case}-warming")
        prepare = None
    else:
        def prepare() -> None:
            copy = fresh_dir(caches, f"{case}-warm")
            shutil.copytree(warm_from, copy, dirs_exist_ok=True)
            warm_env["XDG_CACHE_HOME"] = str(copy)
    warm = run_row(Row(case, "calico-lint warm", "calico-lint", calico_scan(settings, paths, cold=False)),
                   settings, warm_env, prepare)
    return [cold, warm]


def profile(case: str, settings: Settings, paths: list[str], into: Path) -> list[Row]:
    """One cold run under cProfile, stopped (and its profile kept) at --timeout or near --memory-limit:
    <into>/<case>.prof and a .txt of the top 25 by cumulative and by own time. No rows: nothing is timed."""
    import pstats

    into.mkdir(parents=True, exist_ok=True)
    target = into / f"{case.replace(' ', '-')}.prof"
    env = dict(os.environ, XDG_CACHE_HOME=str(fresh_dir(settings.work / "caches", f"{case}-profile")))
    scan = calico_scan(settings, paths, cold=True)
    command = [sys.executable, "-c", PROFILE, str(target), str(settings.timeout - 5),
               str(settings.memory_limit * 0.85 * 2**30), *scan[len(settings.calico):]]
    sample = measure(command, env, settings, settings.work / "logs" / f"{case}-profile")
    if not target.exists():
        print(f"  profile of {case}: none ({sample.killed or f'rc={sample.rc}'})", file=sys.stderr)
        return []
    stopped = target.with_suffix(".stopped")
    with open(target.with_suffix(".txt"), "w") as report:
        if stopped.exists():
            report.write(f"STOPPED EARLY: {stopped.read_text()}\n")
        stats = pstats.Stats(str(target), stream=report)
        for order in ("cumulative", "tottime"):
            stats.sort_stats(order).print_stats(25)
    why = f", stopped: {stopped.read_text()}" if stopped.exists() else ""
    print(f"  profile of {case}: {target} ({sample.wall:.1f} s, {sample.rss_mib:.0f} MiB under cProfile{why})",
          file=sys.stderr)
    return []


# ------------------------------------------------------------------------------------------ peers


def peer_row(case: str, label: str, tool: str, args: list[str], settings: Settings) -> Row | None:
    executable = settings.peers / "bin" / tool
    if not executable.exists():
        print(f"  {case:<14} {label:<30} skipped: no {executable} (run bench/peers.sh)", file=sys.stderr)
        return None
    return run_row(Row(case, label, tool, [str(executable), *args]), settings, dict(os.environ))


def floor_row(case: str, label: str, script: str, paths: list[str], settings: Settings) -> Row:
    return run_row(Row(case, label, "floor", [sys.executable, "-c", script, *paths]), settings, dict(os.environ),
                   warm_up=True)


def present(rows: list[Row | None]) -> list[Row]:
    return [row for row in rows if row is not None]


# ------------------------------------------------------------------------------------------ cases


def repository(directory: Path) -> Path:
    """Each case's inputs are a repository of their own (a `.git` directory is all it takes): calico-lint's
    root, and the repository a scan of named files surveys, is the case's, not the whole work directory."""
    (directory / ".git").mkdir(parents=True, exist_ok=True)
    return directory


def case_startup(settings: Settings) -> list[Row]:
    env = dict(os.environ, XDG_CACHE_HOME=str(fresh_dir(settings.work, "startup")))
    calico = run_row(Row("startup", "calico-lint --version", "calico-lint", [*settings.calico, "--version"]),
                     settings, env)
    return present([calico,
                    peer_row("startup", "checkov --version", "checkov", ["--version"], settings),
                    peer_row("startup", "cfn-lint --version", "cfn-lint", ["--version"], settings),
                    floor_row("startup", "bare python start", "pass", [], settings)])


def case_hcl(size: int, settings: Settings, seed: int) -> list[Row]:
    made = generate.write_terraform(repository(settings.work / f"hcl-{size}"), size, seed)
    case = f"hcl {made.resources}"
    print(f"{case}: {made.files} files, {made.clusters} VPCs in {made.path}", file=sys.stderr)
    directory = str(made.path)
    if settings.profile is not None:
        return profile(case, settings, [directory], settings.profile)
    return present([*calico_rows(case, settings, [directory]),
                    peer_row(case, "checkov", "checkov", ["-d", directory, "--framework", "terraform",
                                                          *CHECKOV_QUIET], settings),
                    floor_row(case, "bare python-hcl2 parse", BARE_HCL, [directory], settings)])


def case_plan(size: int, settings: Settings, seed: int) -> list[Row]:
    made = generate.write_plan(repository(settings.work / f"plan-{size}") / "plan.json", size, seed)
    case = f"plan {made.resources}"
    print(f"{case}: {made.path.stat().st_size / 2**20:.1f} MiB in {made.path}", file=sys.stderr)
    plan = str(made.path)
    if settings.profile is not None:
        return profile(case, settings, [plan], settings.profile)
    return present([*calico_rows(case, settings, [plan]),
                    peer_row(case, "checkov", "checkov", ["-f", plan, "--framework", "terraform_plan",
                                                          *CHECKOV_QUIET], settings),
                    floor_row(case, "bare json.load", BARE_JSON, [plan], settings)])


def case_cfn(size: int, settings: Settings, seed: int) -> list[Row]:
    made = generate.write_cloudformation(repository(settings.work / f"cfn-{size}") / "template.yaml", size, seed)
    case = f"cfn {made.resources}"
    template = str(made.path)
    if settings.profile is not None:
        return profile(case, settings, [template], settings.profile)
    return present([*calico_rows(case, settings, [template]),
                    peer_row(case, "cfn-lint", "cfn-lint", [template], settings),
                    peer_row(case, "checkov", "checkov", ["-f", template, "--framework", "cloudformation",
                                                          *CHECKOV_QUIET], settings),
                    floor_row(case, "bare cfn-lint decode", BARE_CFN, [template], settings)])


def case_hook(size: int, settings: Settings, seed: int) -> list[Row]:
    """The pre-commit hook after a commit that edits one file: the cache holds the whole module as it was."""
    made = generate.write_terraform(repository(settings.work / f"hook-{size}"), size, seed)
    case = f"hook {made.resources}"
    before: Path | None = None
    if settings.cache is not None:
        before = fresh_dir(settings.work / "caches", "hook-before")
        measure(calico_scan(settings, [str(made.path)], cold=False), dict(os.environ, XDG_CACHE_HOME=str(before)),
                settings, settings.work / "logs" / "hook-warming")
    changed = generate.change_one_file(made.path)
    print(f"{case}: `scan {changed.name}` of a {made.files}-file module", file=sys.stderr)
    one = str(changed)
    if settings.profile is not None:
        return profile(case, settings, [one], settings.profile)
    return present([*calico_rows(case, settings, [one], warm_from=before),
                    peer_row(case, "checkov -f (the file only)", "checkov", ["-f", one, "--framework", "terraform",
                                                                            *CHECKOV_QUIET], settings),
                    floor_row(case, "bare python-hcl2 (the file)", BARE_HCL, [one], settings)])


# ------------------------------------------------------------------------------------------ output


def _ratio(row: Row, base: Row | None, attribute: str) -> str:
    if base is None or not base.samples or row is base or not row.ok or not base.ok:
        return ""
    value = row.median(attribute) / max(base.median(attribute), 1e-9)
    if base.killed and row.killed:
        return "?"
    prefix = "<" if base.killed else ">" if row.killed else ""  # a killed run is a lower bound of its time
    digits = 0 if value >= 10 else 2 if value >= 0.1 else 3
    return f"{prefix}{value:.{digits}f}×"


def table(rows: list[Row]) -> str:
    head = (f"{'case':<12} {'command':<29} {'runs':>4} {'wall s':>8} {'CPU s':>8} {'peak MiB':>8} {'all MiB':>7} {'rc':>3}"
            f"  {'÷cold wall':>10} {'÷cold CPU':>9} {'÷warm wall':>10} {'÷warm CPU':>9}  note")
    lines = [head, "-" * len(head)]
    previous = None
    for row in rows:
        cold = next((r for r in rows if r.case == row.case and r.label == "calico-lint cold"), None)
        warm = next((r for r in rows if r.case == row.case and r.label == "calico-lint warm"), None)
        is_calico = row.tool == "calico-lint"
        wall = f"{'>' if row.killed else ''}{row.median('wall'):.2f}"
        lines.append(
            f"{row.case if row.case != previous else '':<12} {row.label:<29} {len(row.samples):>4} {wall:>8}"
            f" {row.median('cpu'):>8.2f} {row.median('rss_mib'):>8.0f} {row.median('total_mib'):>7.0f} {row.samples[-1].rc:>3}"
            f"  {'' if is_calico else _ratio(row, cold, 'wall'):>10} {'' if is_calico else _ratio(row, cold, 'cpu'):>9}"
            f" {'' if is_calico else _ratio(row, warm, 'wall'):>10} {'' if is_calico else _ratio(row, warm, 'cpu'):>9}"
            f"  {row.note}")
        previous = row.case
    return "\n".join(lines)


def versions(settings: Settings) -> dict[str, str]:
    def version(command: list[str]) -> str:
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)
        except OSError:
            return "missing"
        return (done.stdout.strip() or done.stderr.strip()).splitlines()[-1] if done.returncode == 0 else "missing"

    return {"calico-lint": version([*settings.calico, "--version"]),
            "checkov": version([str(settings.peers / "bin" / "checkov"), "--version"]),
            "cfn-lint": version([str(settings.peers / "bin" / "cfn-lint"), "--version"]),
            "python": platform.python_version(), "cpus": str(os.cpu_count())}


# -------------------------------------------------------------------------------------------- main


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="calico-lint vs Checkov and cfn-lint on generated inputs")
    parser.add_argument("--quick", action="store_true", help="one run per command")
    parser.add_argument("--repeat", type=int, help="runs per command (default 5, --quick 1)")
    parser.add_argument("--budget", type=float, default=150.0,
                        help="stop repeating a command after this many seconds of its runs (default 150)")
    parser.add_argument("--timeout", type=float, default=300.0, help="kill a run after this many seconds")
    parser.add_argument("--memory-limit", type=float, default=6.0,
                        help="kill a run whose processes hold more than this many GiB (default 6; the machine is shared)")
    parser.add_argument("--sizes", default="1000,10000", help="resource counts of hcl and plan (default 1000,10000)")
    parser.add_argument("--only", action="append", help=f"cases, comma-separated: {','.join(CASES)}")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--peers", type=Path, default=DEFAULT_PEERS, help=f"peers venv (default {DEFAULT_PEERS})")
    parser.add_argument("--setup-peers", action="store_true", help="run bench/peers.sh first")
    parser.add_argument("--json", type=Path, help="also write every number to this file")
    parser.add_argument("--work", type=Path, help="keep inputs, logs and caches here (default: a temp dir)")
    parser.add_argument("--profile", type=Path, help="instead of timing: profile one cold calico-lint run per case into this directory")
    args = parser.parse_args(argv)
    only = [c for value in args.only or [",".join(CASES)] for c in value.split(",") if c]
    unknown = sorted(set(only) - set(CASES))
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}; the cases are {', '.join(CASES)}")
    args.only = only
    args.sizes = [int(s) for s in args.sizes.split(",") if s]
    args.repeat = args.repeat or (1 if args.quick else 5)
    return args


def main(argv: list[str]) -> int:
    args = parse(argv)
    if args.setup_peers:
        env = dict(os.environ, CALICO_LINT_BENCH_PEERS=str(args.peers))
        subprocess.run(["bash", str(Path(__file__).with_name("peers.sh"))], env=env, check=True)
    temp = None
    if args.work is None:
        temp = tempfile.TemporaryDirectory(prefix="calico-lint-bench-")
        args.work = Path(temp.name)
    (args.work / "caches").mkdir(parents=True, exist_ok=True)
    (args.work / "logs").mkdir(exist_ok=True)
    calico = calico_command()
    compile_bytecode()
    settings = Settings(args.repeat, args.budget, args.timeout, args.memory_limit, args.work.resolve(), calico,
                        cache_support(calico),
                        args.peers, args.profile.resolve() if args.profile else None)
    about = versions(settings)
    load = os.getloadavg()
    print(f"{', '.join(f'{k} {v}' for k, v in about.items())}; load {load[0]:.2f}; seed {args.seed}; "
          f"up to {settings.repeat} runs per command; cache: "
          f"{'--no-cache (' + settings.cache + ')' if settings.cache else 'none in calico-lint yet (warm = cold)'}",
          file=sys.stderr)
    rows: list[Row] = []
    try:
        if "startup" in args.only:
            rows += case_startup(settings)
        for size in args.sizes:
            if "hcl" in args.only:
                rows += case_hcl(size, settings, args.seed)
            if "plan" in args.only:
                rows += case_plan(size, settings, args.seed)
        if "cfn" in args.only:
            rows += case_cfn(args.sizes[0], settings, args.seed)
        if "hook" in args.only:
            rows += case_hook(args.sizes[0], settings, args.seed)
    finally:
        if rows:
            print()
            print(table(rows))
            print(f"\nmedians; ratios are peer / calico-lint (>1: calico-lint is faster); load "
                  f"{load[0]:.2f} -> {os.getloadavg()[0]:.2f}; {about['cpus']} CPUs")
            if settings.cache is None:
                print("calico-lint has no cache yet (no --no-cache in its help): the warm rows repeat the cold ones")
        if args.json and rows:
            args.json.write_text(json.dumps({"about": about, "seed": args.seed, "cache": settings.cache,
                                             "rows": [asdict(r) | {"median_wall": r.median("wall"),
                                                                    "median_cpu": r.median("cpu"),
                                                                    "median_rss_mib": r.median("rss_mib")}
                                                      for r in rows]}, indent=1))
        if temp is not None:
            temp.cleanup()
    return 0 if all(r.ok for r in rows) else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        sys.exit(child_main(sys.argv[2]))
    sys.exit(main(sys.argv[1:]))
