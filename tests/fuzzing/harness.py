"""Fuzz every parser of calico-lint in-process, then the engine, with mutated real configurations.

    python tests/fuzzing/harness.py --inputs 100000 --seed 1 --jobs 2 [--only terraform|plan|cloudformation|calico]
                                    [--start 0] [--crash-dir DIR] [--timeout 2] [--memory-mb 4096]
    python tests/fuzzing/harness.py --replay DIR_OR_FILE...

Input `i` is a pure function of (--seed, i): `--start i --inputs 1` replays it. Each goes through its
family's entry point (`load_modules` on a scratch directory holding the file, `load_plan`,
`load_template`, `load_calico_file`), then `engine.run` and the suppressions. A crash is an exception
escaping them, or an input over --timeout seconds of CPU time (a SIGPROF timer per input: CPU, not wall
time, as the machine may be shared; a watchdog kills a worker stuck in C code after 10x that, wall time). Reproducers (`<family>-<index>.<ext>` and a `.txt` with the traceback) and the
slowest input go to --crash-dir. Exit status 1 when anything crashed.
"""
from __future__ import annotations

import argparse
import datetime
import faulthandler
import multiprocessing
import os
import queue
import random
import resource
import shutil
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

if __package__ in (None, ""):  # run as a script: `fuzzing` is the directory above this file
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fuzzing.mutators import FAMILIES, Input, Seed, load_seeds, make_input  # noqa: E402

CHUNK = 200  # inputs per task: few messages, little work lost when a worker is killed


class InputTimeout(BaseException):
    """The per-input alarm: not an Exception, so no `except Exception` in the code under test swallows it."""


@dataclass(frozen=True)
class Crash:
    index: int
    family: str
    signature: str  # exception type and the innermost frame of ours: one line per distinct bug
    detail: str


@dataclass
class Tally:
    inputs: int = 0
    seconds: float = 0.0
    by_family: dict[str, int] = field(default_factory=dict)
    crashes: list[Crash] = field(default_factory=list)
    slowest: tuple[float, int] = (0.0, -1)  # (seconds, index)

    def add(self, other: Tally) -> None:
        self.inputs += other.inputs
        self.seconds += other.seconds
        for family, count in other.by_family.items():
            self.by_family[family] = self.by_family.get(family, 0) + count
        self.crashes.extend(other.crashes)
        self.slowest = max(self.slowest, other.slowest)


class Target:
    """What one worker loads once: seeds, rules, a scratch directory per family."""

    def __init__(self, seed: int, families: Sequence[str], timeout: float) -> None:
        from linter.engine import load_rules

        self.seed, self.families, self.timeout = seed, tuple(families), timeout
        self.seeds: dict[str, list[Seed]] = load_seeds()
        self.rules = load_rules()
        self.scratch = Path(tempfile.mkdtemp(prefix="calico-lint-fuzz-"))
        for family in FAMILIES:
            (self.scratch / family).mkdir()

    def input_at(self, index: int) -> Input:
        rng = random.Random(f"{self.seed}:{index}")
        return make_input(rng, rng.choice(self.families), self.seeds)

    def check(self, item: Input) -> None:
        """Parse and lint one input; raises whatever escapes."""
        from linter.engine import run
        from linter.engine.suppress import apply_suppressions
        from linter.model import Level

        model = self._parse(item)
        findings = run(model, self.rules).findings
        ids = [rule.id for rule in self.rules]
        apply_suppressions(findings, model, ids, frozenset(ids), Level.WARNING, datetime.date(2026, 1, 1))

    def _parse(self, item: Input) -> Any:
        directory = self.scratch / item.family
        for old in directory.iterdir():
            old.unlink()
        path = directory / item.name
        if item.family == "terraform":
            from linter.terraform import load_modules

            for name, text in item.companions:
                (directory / name).write_text(text, encoding="utf-8")
            path.write_bytes(item.text.encode("utf-8", "surrogatepass"))
            return load_modules([directory.as_posix()]).model
        if item.family == "plan":
            from linter.terraform import load_plan

            return load_plan(path.as_posix(), text=item.text)
        if item.family == "cloudformation":
            from linter.cloudformation import load_template

            return load_template(path.as_posix(), text=item.text)
        from linter.calico import load_calico_file

        return load_calico_file(path.as_posix(), text=item.text)

    def run_one(self, index: int, item: Input | None = None) -> tuple[float, Crash | None, str]:
        item = item or self.input_at(index)
        crash = None
        start = time.process_time()
        signal.setitimer(signal.ITIMER_PROF, self.timeout)
        try:
            self.check(item)
        except InputTimeout:
            crash = Crash(index, item.family, f"timeout over {self.timeout:g} s", traceback.format_exc())
        except Exception as error:  # noqa: BLE001 (the harness's job: record anything that escapes)
            crash = Crash(index, item.family, _signature(error), traceback.format_exc())
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
        return time.process_time() - start, crash, item.family

    def run_range(self, start: int, stop: int, watchdog: Watchdog | None = None) -> Tally:
        tally = Tally()
        began = time.perf_counter()
        for index in range(start, stop):
            if watchdog:
                watchdog.arm(index)
            elapsed, crash, family = self.run_one(index)
            tally.inputs += 1
            tally.by_family[family] = tally.by_family.get(family, 0) + 1
            tally.slowest = max(tally.slowest, (elapsed, index))
            if crash:
                tally.crashes.append(crash)
        tally.seconds = time.perf_counter() - began
        return tally


def _signature(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if "/linter/" in f.filename] or frames
    where = f"{Path(ours[-1].filename).name}:{ours[-1].lineno} in {ours[-1].name}" if ours else "?"
    return f"{type(error).__name__} at {where}"


def _on_alarm(signum: int, frame: Any) -> None:
    raise InputTimeout()


# ------------------------------------------------------------------------------------------ workers


class Watchdog:
    """Kills this worker when one input runs past what the SIGPROF timer can interrupt (a long C call)."""

    def __init__(self, work_dir: str, seconds: float) -> None:
        self.seconds = seconds
        self.index_fd = os.open(f"{work_dir}/{os.getpid()}.index", os.O_RDWR | os.O_CREAT)
        self.stacks = open(f"{work_dir}/{os.getpid()}.stack", "w")  # noqa: SIM115 (lives as long as the worker)

    def arm(self, index: int) -> None:
        os.pwrite(self.index_fd, b"%12d\n" % index, 0)  # which input a killed worker was on
        faulthandler.dump_traceback_later(self.seconds, file=self.stacks, exit=True)


def _worker(seed: int, families: Sequence[str], timeout: float, memory_mb: int, work_dir: str,
            tasks: Any, results: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles ^C
    if memory_mb:  # a memory bomb is a MemoryError (a crash), not the machine swapping
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))
    signal.signal(signal.SIGPROF, _on_alarm)
    target = Target(seed, families, timeout)
    watchdog = Watchdog(work_dir, timeout * 10)
    while (task := tasks.get()) is not None:
        results.put((os.getpid(), task, target.run_range(*task, watchdog)))
        faulthandler.cancel_dump_traceback_later()
    shutil.rmtree(target.scratch, ignore_errors=True)


def fuzz(seed: int, inputs: int, jobs: int = 1, families: Sequence[str] = FAMILIES, start: int = 0,
         timeout: float = 2.0, memory_mb: int = 4096, log: Any = None) -> Tally:
    """Run inputs [start, start + inputs); in this process when jobs == 1 (alarm only, no memory limit)."""
    if jobs <= 1:
        previous = signal.signal(signal.SIGPROF, _on_alarm)
        target = Target(seed, families, timeout)
        try:
            return target.run_range(start, start + inputs)
        finally:
            signal.signal(signal.SIGPROF, previous)
            shutil.rmtree(target.scratch, ignore_errors=True)
    return _fuzz_in_workers(seed, inputs, jobs, families, start, timeout, memory_mb, log)


def _fuzz_in_workers(seed: int, inputs: int, jobs: int, families: Sequence[str], start: int, timeout: float,
                     memory_mb: int, log: Any) -> Tally:
    context = multiprocessing.get_context()
    tasks, results = context.Queue(), context.Queue()
    pending = [(i, min(i + CHUNK, start + inputs)) for i in range(start, start + inputs, CHUNK)]
    for task in pending:
        tasks.put(task)
    work_dir = tempfile.mkdtemp(prefix="calico-lint-fuzz-workers-")
    args = (seed, tuple(families), timeout, memory_mb, work_dir, tasks, results)
    workers = {}

    def spawn() -> None:
        process = context.Process(target=_worker, args=args, daemon=True)
        process.start()
        workers[process.pid] = process

    for _ in range(jobs):
        spawn()
    try:
        return _collect(tasks, results, workers, spawn, pending, work_dir, timeout, log)
    finally:  # also on ^C or SIGTERM: no worker outlives the run
        for process in workers.values():
            process.terminate()
        shutil.rmtree(work_dir, ignore_errors=True)


def _collect(tasks: Any, results: Any, workers: dict, spawn: Any, pending: list, work_dir: str, timeout: float,
             log: Any) -> Tally:
    tally, done, began, last_log = Tally(), set(), time.perf_counter(), 0.0
    while len(done) < len(pending):
        try:
            pid, task, part = results.get(timeout=5)
            tally.add(part)
            done.add(task)
        except queue.Empty:  # look for killed workers
            for pid, process in list(workers.items()):
                if not process.is_alive():
                    del workers[pid]
                    _killed_worker(pid, work_dir, tasks, tally, done, pending, timeout)
                    spawn()
        if log and time.perf_counter() - last_log > 30:
            last_log = time.perf_counter()
            _progress(log, tally, time.perf_counter() - began)
    for _ in workers:
        tasks.put(None)
    for process in workers.values():
        process.join(10)
    tally.seconds = time.perf_counter() - began
    return tally


def _killed_worker(pid: int, work_dir: str, tasks: Any, tally: Tally, done: set, pending: list, timeout: float) -> None:
    """A worker died (watchdog or the kernel): its input is a crash, the rest of its task runs again."""
    index_file, stack_file = Path(work_dir, f"{pid}.index"), Path(work_dir, f"{pid}.stack")
    index = int(index_file.read_text() or -1) if index_file.exists() else -1
    stack = stack_file.read_text() if stack_file.exists() else ""
    task = next((t for t in pending if t[0] <= index < t[1]), None)
    if task is None or task in done:
        return
    tally.crashes.append(Crash(index, "?", f"worker killed (hang over {timeout * 10:g} s, or out of memory)",
                               stack))
    tally.inputs += 1
    done.add(task)
    if index + 1 < task[1]:
        pending.append((index + 1, task[1]))
        tasks.put((index + 1, task[1]))


def _progress(log: Any, tally: Tally, seconds: float) -> None:
    rate = tally.inputs / seconds if seconds else 0.0
    print(f"{time.strftime('%H:%M:%S')} inputs {tally.inputs} crashes {len(tally.crashes)} "
          f"{rate:.0f} inputs/s slowest {tally.slowest[0]:.3f} s (#{tally.slowest[1]})", file=log, flush=True)


# ------------------------------------------------------------------------------------------ reports


def save_input(target: Target, index: int, crash_dir: Path, detail: str = "") -> Path:
    item = target.input_at(index)
    path = crash_dir / f"{item.family}-{index}{_suffix(item.name)}"
    path.write_bytes(item.text.encode("utf-8", "surrogatepass"))
    notes = path.with_suffix(path.suffix + ".txt")
    if notes.exists():  # the slowest input was also a crash: keep its traceback
        notes.write_text(f"{notes.read_text()}\n{detail}\n")
    else:
        notes.write_text(f"{item.origin}\nseed {target.seed} index {index}\n\n{detail}\n")
    return path


def _suffix(name: str) -> str:
    return ".tf.json" if name.endswith(".tf.json") else Path(name).suffix


def replay(paths: Sequence[str], timeout: float) -> list[tuple[Path, float, Crash | None]]:
    """Run saved reproducers again (family from the file name `<family>-<index>.<ext>`)."""
    signal.signal(signal.SIGPROF, _on_alarm)
    target = Target(0, FAMILIES, timeout)
    files = [f for p in map(Path, paths) for f in (sorted(p.iterdir()) if p.is_dir() else [p])
             if not f.name.endswith(".txt") and f.name.split("-")[0] in FAMILIES]
    outcomes = []
    for file in files:
        family = file.name.split("-")[0]
        suffix = _suffix(file.name)
        name = {"terraform": "terraform.tfvars" if suffix == ".tfvars" else "main" + suffix,
                "plan": "plan.json"}.get(family, "input" + suffix)
        text = file.read_bytes().decode("utf-8", "surrogatepass")
        elapsed, crash, _ = target.run_one(-1, Input(family, name, text, (), "replay"))
        outcomes.append((file, elapsed, crash))
    shutil.rmtree(target.scratch, ignore_errors=True)
    return outcomes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inputs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start", type=int, default=0, help="first input index")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", choices=FAMILIES, action="append", help="a family (repeatable)")
    parser.add_argument("--crash-dir", type=Path, help="where reproducers go (default: a new temporary directory)")
    parser.add_argument("--timeout", type=float, default=2.0, help="seconds per input before it counts as a crash")
    parser.add_argument("--memory-mb", type=int, default=4096, help="address-space limit per worker (0: none)")
    parser.add_argument("--replay", nargs="+", metavar="PATH", help="run saved reproducers instead")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))  # run the cleanup of the workers
    if args.replay:
        outcomes = replay(args.replay, args.timeout)
        for file, elapsed, crash in outcomes:
            print(f"{file}: {elapsed:.3f} s {crash.signature if crash else 'ok'}")
            if crash:
                print(crash.detail)
        return 1 if any(crash for _, _, crash in outcomes) else 0
    crash_dir = args.crash_dir or Path(tempfile.mkdtemp(prefix="calico-lint-crashes-"))
    crash_dir.mkdir(parents=True, exist_ok=True)
    families = tuple(args.only or FAMILIES)
    tally = fuzz(args.seed, args.inputs, args.jobs, families, args.start, args.timeout, args.memory_mb, sys.stdout)
    report(tally, Target(args.seed, families, args.timeout), crash_dir)
    return 1 if tally.crashes else 0


def report(tally: Tally, target: Target, crash_dir: Path) -> None:
    print(f"inputs run: {tally.inputs} ({', '.join(f'{f} {n}' for f, n in sorted(tally.by_family.items()))})")
    by_signature: dict[str, list[Crash]] = {}
    for crash in sorted(tally.crashes, key=lambda c: c.index):
        by_signature.setdefault(crash.signature, []).append(crash)
    print(f"crashes: {len(tally.crashes)} ({len(by_signature)} distinct) -> {crash_dir}")
    (crash_dir / "crashes.txt").write_text("".join(f"{c.index}\t{c.family}\t{c.signature}\n" for c in tally.crashes))
    for signature, crashes in sorted(by_signature.items(), key=lambda item: -len(item[1])):
        for crash in crashes[:3]:  # a few reproducers per distinct crash
            if crash.index >= 0:
                save_input(target, crash.index, crash_dir, crash.detail)
        print(f"  {len(crashes):6d} x {signature}  (first: input {crashes[0].index}, {crashes[0].family})")
    print(f"inputs/s: {tally.inputs / tally.seconds if tally.seconds else 0:.0f} ({tally.seconds:.1f} s)")
    seconds, index = tally.slowest
    if index >= 0:
        path = save_input(target, index, crash_dir, f"slowest input: {seconds:.3f} s")
        print(f"slowest input: {seconds:.3f} s (input {index}) -> {path}")
    shutil.rmtree(target.scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
