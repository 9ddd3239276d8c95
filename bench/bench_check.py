"""Benchmark: `grader check` of a NumPy exercise beside the floor `python -c "import numpy"`.

Runs, interleaved so that both see the same machine: the floor; `grader check EX` on the exercise's
solution (a correct file) with the warm template (the default); and with `GRADER_ZYGOTE=0` (a new
interpreter per student process, as before the template). Prints the median wall time of each and the
ratio to the floor (issue 15's goal: at most 2x). Asserts nothing.

Usage: python bench/bench_check.py [--exercise ex3] [--runs 15]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def wall(cmd: list[str], cwd: Path, env: dict) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--exercise", default="ex3")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    from autograder import registry

    ex = registry.get(args.exercise)
    solution = next((ROOT / "solutions").glob(f"{ex.id}_*.py"))
    grader = str(Path(sys.executable).with_name("grader"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as a student's machine
    cold_env = dict(env, GRADER_ZYGOTE="0")
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        shutil.copy(solution, where / solution.name)
        kinds = {
            "python -c 'import numpy' (floor)": ([sys.executable, "-c", "import numpy"], env),
            f"grader check {ex.id}": ([grader, "check", ex.id], env),
            f"grader check {ex.id}, GRADER_ZYGOTE=0": ([grader, "check", ex.id], cold_env),
        }
        times: dict[str, list[float]] = {k: [] for k in kinds}
        for cmd, e in kinds.values():  # warm the file cache and __pycache__
            wall(cmd, where, e)
        for _ in range(args.runs):
            for name, (cmd, e) in kinds.items():
                times[name].append(wall(cmd, where, e))
    floor = statistics.median(next(iter(times.values())))
    print(f"{args.runs} runs each, interleaved; median wall time (min-max); {os.cpu_count()} CPUs")
    for name, values in times.items():
        med = statistics.median(values)
        print(f"  {name:42s} {med * 1000:6.0f} ms ({min(values) * 1000:.0f}-{max(values) * 1000:.0f})"
              f"  {med / floor:4.1f}x the floor")


if __name__ == "__main__":
    main()
