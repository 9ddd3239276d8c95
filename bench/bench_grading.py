"""Benchmark the student and instructor paths.

1. `grader check EX` wall time, median of several cold runs (a new process each
   time, as a student runs it), on the solved script of each exercise.
2. `grader grade EX` throughput on a folder of N generated submissions per
   exercise (solved, stubs, solved-but-missing-a-function, syntax errors),
   with --jobs J.
3. For the training exercises (ex6–ex9): the wall time of grading one solved
   submission with public and hidden checks (`grader grade` on one file).

Usage: python bench/bench_grading.py [--runs 7] [--n 100] [--jobs 2] [EX ...]
(with EX given, only those exercises; ex6–ex9 are timed on one submission)
Prints one line per measurement; nothing is asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder import authoring


def solved_script(ex_id: str) -> str:
    src = authoring.source_path(ex_id)
    return authoring.student_script(ex_id, authoring.parse(src.read_text()), keep_solutions=True)


def grader(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.setdefault("GRADER_HIDDEN_KEY", "nn-grader-bench-hidden-key")  # grading outside a course needs a key
    return subprocess.run([sys.executable, "-c", "from autograder.cli import main; main()", *args],
                          capture_output=True, text=True, env=env)


def bench_check(ex_id: str, folder: Path, runs: int) -> None:
    path = folder / f"{authoring.source_path(ex_id).stem}.py"
    path.write_text(solved_script(ex_id))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        out = grader("check", ex_id, str(path), "--json")
        times.append(time.perf_counter() - start)
        assert out.returncode == 0, out.stdout + out.stderr
    print(f"check {ex_id}: median {statistics.median(times) * 1000:.0f} ms over {runs} cold runs "
          f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})")


def make_class(ex_id: str, root: Path, n: int) -> None:
    solved = solved_script(ex_id)
    stub = (authoring.EXERCISES / f"{authoring.source_path(ex_id).stem}.py").read_text()
    first_def = solved.index("\ndef ") + 1
    kinds = {
        0: solved, 1: solved, 2: stub,
        3: solved[:first_def] + solved[first_def:].replace("def ", "def renamed_", 1),  # one name missing
        4: solved.replace("\ndef ", "\ndef (", 1),  # a syntax error
    }
    for i in range(n):
        folder = root / f"student{i:03d}"
        folder.mkdir(parents=True)
        (folder / f"{authoring.source_path(ex_id).stem}.py").write_text(kinds[i % 5])


def bench_grade(ex_id: str, folder: Path, n: int, jobs: int) -> None:
    klass = folder / f"class_{ex_id}"
    make_class(ex_id, klass, n)
    start = time.perf_counter()
    out = grader("grade", ex_id, str(klass), "--jobs", str(jobs), "--out", str(folder / "grades"), "--json")
    wall = time.perf_counter() - start
    records = json.loads(out.stdout)
    full = sum(r["score"] == r["max_score"] for r in records)
    print(f"grade {ex_id}: {len(records)} submissions in {wall:.1f} s with --jobs {jobs} "
          f"= {len(records) / wall:.1f} submissions/s ({full} at full marks)")


def bench_one(ex_id: str, folder: Path) -> None:
    sub = folder / f"one_{ex_id}" / "student"
    sub.mkdir(parents=True)
    path = sub / f"{authoring.source_path(ex_id).stem}.py"
    path.write_text(solved_script(ex_id))
    start = time.perf_counter()
    out = grader("grade", ex_id, str(path), "--out", str(folder / "grades_one"), "--json")
    wall = time.perf_counter() - start
    record = json.loads(out.stdout)[0]
    print(f"grade {ex_id}: one submission in {wall:.1f} s (score {record['score']:g}/{record['max_score']:g})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("exercises", nargs="*")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    authored = authoring.authored_exercises()
    ids = [e for e in authored if e in {"ex1", "ex2", "ex3", "ex4", "ex5"} and (not args.exercises or e in args.exercises)]
    training = [e for e in ("ex6", "ex7", "ex8", "ex9") if e in authored and (not args.exercises or e in args.exercises)]
    with tempfile.TemporaryDirectory() as tmp:
        for ex_id in ids:
            bench_check(ex_id, Path(tmp), args.runs)
        for ex_id in ids:
            bench_grade(ex_id, Path(tmp), args.n, args.jobs)
        for ex_id in training:
            bench_one(ex_id, Path(tmp))


if __name__ == "__main__":
    main()
