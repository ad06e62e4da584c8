"""Benchmark (not a test): findings and time grow linearly with a root module of many small VPCs.

    python bench/clusters.py                      # 1k, 2k, 5k, 10k resources; prints a table
    python bench/clusters.py --sizes 1000,10000 --format hcl,plan

Inputs come from bench/generate.py (seeded: many small Kubernetes VPCs, none peered). For each size,
calico-lint scans them once in a child process (`--format json`); the table gives wall seconds, the
findings (warnings and errors; notes apart), findings and milliseconds per 1,000 resources, and the
pairs that cross VPCs (a finding whose receiver and a sender sit in different VPCs: always 0). Linear
growth shows as flat per-1,000 columns; a square would multiply them by 10 from 1k to 10k.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402  (bench/ is not a package: run as a script)

SIZES = (1000, 2000, 5000, 10000)


def _cluster_of(address: str) -> str:
    """Generated addresses carry their cluster's name (`aws_security_group.c0042_nodes`)."""
    name = address.split(".")[-1]
    return name.split("_", 1)[0]


def measure(target: Path, resources: int) -> dict[str, float]:
    command = [sys.executable, "-m", "linter", "scan", str(target), "--format", "json", "--no-color"]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=target.parent)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"calico-lint failed ({done.returncode}): {done.stderr[-2000:]}")
    findings = json.loads(done.stdout)["findings"]
    counted = [f for f in findings if f["level"] != "note"]
    crossing = sum(1 for f in findings for r in f["related"]
                   if r["why"].startswith("sender") and _cluster_of(r["resource"]) != _cluster_of(f["resource"]))
    per_k = resources / 1000
    return {"resources": resources, "seconds": seconds, "findings": len(counted), "notes": len(findings) - len(counted),
            "findings_per_k": len(counted) / per_k, "ms_per_k": 1000 * seconds / per_k, "crossing": crossing}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--format", default="hcl", help="hcl and/or plan, comma-separated")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for kind in args.format.split(","):
            for size in (int(s) for s in args.sizes.split(",")):
                if kind == "hcl":
                    made = generate.write_terraform(Path(scratch, f"hcl-{size}"), size, args.seed)
                else:
                    made = generate.write_plan(Path(scratch, f"plan-{size}", "plan.json"), size, args.seed)
                row = {"input": kind, "clusters": made.clusters, **measure(made.path, made.resources)}
                rows.append(row)
                print(f"{kind:<5} {row['resources']:>6} resources {row['clusters']:>5} VPCs  {row['seconds']:7.2f} s  "
                      f"{row['findings']:>6} findings ({row['notes']} notes)  {row['findings_per_k']:6.1f} findings/1k  "
                      f"{row['ms_per_k']:7.0f} ms/1k  {row['crossing']} cross-VPC pairs", flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
