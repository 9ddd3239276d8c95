"""Benchmark grading on a Dask cluster against local grading, in the same run.

The same class (N generated submissions of each of ex1–ex5, built as bench_grading.py builds them:
solved, stubs, a missing function, syntax errors) is graded with ``grade_batch``:

1. locally, ``jobs=1`` and ``jobs=2`` (process pools started by each run, as ``grader grade`` does);
2. on a Dask cluster on the loopback (real ``dask scheduler`` and ``dask worker --nthreads 1``
   processes), with one worker and then with two. Workers live across runs, as a cluster's do: each
   cluster run is preceded by a warm-up batch of one submission per exercise (not timed).

Usage: python bench/bench_cluster.py [--n 40]
Prints one line per configuration (submissions/s); nothing is asserted. The grader's process and
the workers share this machine's cores: on a 2-core machine two workers compete with the client
and the scheduler, so the figure shows the overhead of the cluster path more than its scaling.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_grading import make_class  # noqa: E402

from autograder.batch import grade_batch  # noqa: E402
from autograder.submissions import discover  # noqa: E402

EXERCISES = ("ex1", "ex2", "ex3", "ex4", "ex5")
DASK = Path(sys.executable).parent / "dask"
KEY = "nn-grader-bench-hidden-key"


def grade_all(classes: dict, out: Path, **how) -> tuple[int, float, int]:
    """(submissions, seconds, at full marks) of grading every class."""
    n = full = 0
    start = time.perf_counter()
    for ex_id, subs in classes.items():
        records = grade_batch(ex_id, subs, out / "-".join(f"{k}{v}" for k, v in how.items()).replace("/", "_"),
                              hidden_key=KEY, **how)
        n += len(records)
        full += sum(r.score == r.max_score for r in records)
    return n, time.perf_counter() - start, full


def start(args: list[str], folder: Path, name: str) -> subprocess.Popen:
    return subprocess.Popen([str(DASK), *args], cwd=folder, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=open(folder / f"{name}.log", "wb"))


def stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for proc in procs:
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=40, help="submissions per exercise")
    args = parser.parse_args()
    from distributed import Client

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        classes, warm = {}, {}
        for ex_id in EXERCISES:
            make_class(ex_id, tmp / "class" / ex_id, args.n)
            classes[ex_id] = discover([tmp / "class" / ex_id], ex_id)[0]
            warm[ex_id] = classes[ex_id][:1]
        total = sum(map(len, classes.values()))
        print(f"{total} submissions ({args.n} of each of {', '.join(EXERCISES)}), {os.cpu_count()} cores")

        def say(label, result):
            n, wall, full = result
            print(f"{label:<28} {n} in {wall:5.1f} s = {n / wall:5.1f} submissions/s ({full} at full marks)",
                  flush=True)

        for jobs in (1, 2):
            say(f"local, jobs={jobs}", grade_all(classes, tmp / "out", jobs=jobs))
        info = tmp / "scheduler.json"
        procs = [start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file",
                        str(info)], tmp, "scheduler")]
        try:
            while not info.is_file() or not info.read_text().strip():
                time.sleep(0.1)
            address = json.loads(info.read_text())["address"]
            with Client(address, timeout=30, set_as_default=False) as client:
                for workers in (1, 2):
                    procs.append(start(["worker", "--scheduler-file", str(info), "--nthreads", "1", "--no-dashboard",
                                        "--host", "127.0.0.1"], tmp, f"worker{workers}"))
                    client.wait_for_workers(workers, timeout=120)
                    grade_all(warm, tmp / "warm", scheduler=address)
                    say(f"Dask, {workers} worker(s) x 1 thread", grade_all(classes, tmp / "out", scheduler=address))
        finally:
            stop(procs)


if __name__ == "__main__":
    main()
