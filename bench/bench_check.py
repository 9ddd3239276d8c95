"""Benchmark: `grader check` of a NumPy exercise beside the floor `python -c "import numpy"`.

Runs, interleaved so that both see the same machine: the floor; `grader check EX` on the exercise's
solution (a correct file) with the warm template (the default); and with `GRADER_ZYGOTE=0` (a new
interpreter per student process, as before the template). Prints the median wall time of each and the
ratio to the floor (issue 15's goal: at most 2x). Then the per-submission overhead of the sandbox in a
batch: one student process started, loaded with a correct file, asked one call and closed, in a process
that has done it before (as a batch worker), median of 40, with the template and without
(`GRADER_ZYGOTE=0`), confined as this machine allows (`grader limits` says how). Goal: at most 15 ms.
Asserts nothing.

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
    print("per-submission overhead in a batch (goal: <= 15 ms):")
    overhead()


def overhead(runs: int = 40) -> None:
    code = f"""
import os, statistics, time
from autograder.sandbox import Limits, Sandbox, confinement
src = open({str(next((ROOT / "solutions").glob("ex3_*.py")))!r}).read()
times = []
for i in range({runs} + 5):
    t = time.perf_counter()
    with Sandbox([("<cell 1>", src)], Limits()) as box:
        box.start()
        box.call("dropout_backward", 1.0, None)
    times.append(time.perf_counter() - t)
times = times[5:]
conf = confinement()
print(f"{{1000 * statistics.median(times):5.1f}} ms (min {{1000 * min(times):.1f}}, max {{1000 * max(times):.1f}})"
      f"; confined: {{'pid_ns' in conf and conf.get('pid_ns')}}")
"""
    for name, env in (("with the template", {}), ("GRADER_ZYGOTE=0", {"GRADER_ZYGOTE": "0"})):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env=dict(os.environ, **env), check=True)
        print(f"  sandbox start + 1 call + close, {name:18s} {out.stdout.strip()}")


if __name__ == "__main__":
    main()
