"""Benchmark: a class of 1,000 students × ex1–ex5 (5,000 submissions) graded on this machine.

Builds the class as .py files (what `grader grade EX FOLDER` grades): per exercise, most students hand in
the solution, some one of the course's classic mistakes (the demo's, `autograder/course/demo.py`), some
the untouched stub, some a file with a syntax error, some one whose top level raises. Then grades each
exercise with `grade_batch` (what `grader grade --jobs J` runs: public and hidden checks, one result file
per student, gradebook.csv), timing the whole, and sampling the memory of the grader's processes (the
parent, its workers and the student processes: the peak of their summed RSS, and the largest single one).

Proof that every result is present once and right: for each exercise, each distinct file is graded once
more on its own (in this process, `grade_file`), and every one of the class's results must equal the
result of its file (score, and each check's points): grading is deterministic, so any lost, duplicated or
mixed-up result shows. Counts of files and CSV rows are checked too.

Baselines in the same run: the floor of one new interpreter per submission (`python -c "import numpy"`,
median of 10, times the number of submissions, divided by the workers), and the same grading of the first
N_COLD students with `GRADER_ZYGOTE=0` (a new interpreter per student process, as before the template),
extrapolated to the class.

Usage: python bench/bench_class.py [--students 1000] [--jobs 2] [--cold 50]
Prints the figures; asserts only the proof of correctness (exit code 1 if a result is missing or wrong).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = ("ex1", "ex2", "ex3", "ex4", "ex5")
KEY = "nn-grader-bench-class-key"


def kinds_for(ex: str) -> dict[str, str]:
    """kind -> the file's text."""
    from autograder.course.demo import MISTAKES

    solution = next((ROOT / "solutions").glob(f"{ex}_*.py")).read_text()
    stub = (ROOT / "exercises" / next((ROOT / "solutions").glob(f"{ex}_*.py")).name).read_text()
    _, old, new = MISTAKES[ex]
    assert old in solution, (ex, old)
    return {
        "correct": solution,
        "mistake": solution.replace(old, new),
        "stub": stub,
        "syntax error": solution[: len(solution) // 2] + "\ndef (:\n",
        "raises": "raise RuntimeError('top level')\n" + solution,
    }


def profile(i: int) -> str:
    """What student i hands in: 70 % correct, 15 % a mistake, 10 % the stub, 3 % syntax error, 2 % raises."""
    r = (i * 37) % 100
    return ("correct" if r < 70 else "mistake" if r < 85 else "stub" if r < 95 else
            "syntax error" if r < 98 else "raises")


def build(root: Path, n: int) -> dict[str, dict[str, str]]:
    """root/<ex>/<student>/<file>.py; returns {ex: {student: kind}}."""
    plan = {}
    for ex in EXERCISES:
        texts = kinds_for(ex)
        name = next((ROOT / "solutions").glob(f"{ex}_*.py")).name
        plan[ex] = {}
        for i in range(n):
            student = f"s{i:04d}"
            kind = profile(i + EXERCISES.index(ex))
            folder = root / ex / student
            folder.mkdir(parents=True)
            (folder / name).write_text(texts[kind])
            plan[ex][student] = kind
    return plan


class MemorySampler(threading.Thread):
    """Every 0.1 s, the summed RSS of this process and all its descendants; keeps the peak and the largest one."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak_total = self.peak_one = 0
        self.stop = threading.Event()

    @staticmethod
    def _tree() -> list[int]:
        parents: dict[int, list[int]] = {}
        for name in os.listdir("/proc"):
            if name.isdigit():
                try:
                    with open(f"/proc/{name}/stat", "rb") as fh:
                        ppid = int(fh.read().rsplit(b")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                parents.setdefault(ppid, []).append(int(name))
        out, todo = [], [os.getpid()]
        while todo:
            pid = todo.pop()
            out.append(pid)
            todo.extend(parents.get(pid, []))
        return out

    @staticmethod
    def _rss(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/statm") as fh:
                return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            return 0

    def run(self):
        while not self.stop.is_set():
            sizes = [self._rss(p) for p in self._tree()]
            self.peak_total = max(self.peak_total, sum(sizes))
            self.peak_one = max(self.peak_one, max(sizes, default=0))
            self.stop.wait(0.1)


def grade_class(root: Path, out: Path, jobs: int, students: list[str] | None = None) -> float:
    from autograder.batch import grade_batch
    from autograder.submissions import Submission

    start = time.perf_counter()
    each = []
    for ex in EXERCISES:
        subs = sorted((Submission(p.parent.name, p) for p in (root / ex).glob("*/*.py")
                       if students is None or p.parent.name in students), key=lambda s: s.student)
        t = time.perf_counter()
        grade_batch(ex, subs, out, jobs=jobs, lang="en", hidden_key=KEY)
        each.append(f"{ex} {time.perf_counter() - t:.1f} s")
    if students is None:
        print("  per exercise: " + ", ".join(each))
    return time.perf_counter() - start


def signature(result: dict) -> tuple:
    return (result["score"], result["max_score"], bool(result.get("error")),
            tuple((c["name"], c["points"]) for c in result["checks"]))


def verify(root: Path, out: Path, plan: dict) -> list[str]:
    from autograder.cases import CaseSource
    from autograder.grading import grade_file

    problems = []
    source = CaseSource(KEY)
    for ex in EXERCISES:
        expected = {}
        for kind in sorted(set(plan[ex].values())):
            student = next(s for s, k in plan[ex].items() if k == kind)
            path = next((root / ex / student).glob("*.py"))
            expected[kind] = signature(grade_file(ex, path, hidden=True, lang="en", case_source=source,
                                                  hidden_key=KEY).to_dict())
        files = sorted((out / ex).glob("*.json"))
        if len(files) != len(plan[ex]):
            problems.append(f"{ex}: {len(files)} result files for {len(plan[ex])} students")
        seen = set()
        for f in files:
            rec = json.loads(f.read_text())
            student = rec["student"]
            if student in seen:
                problems.append(f"{ex}: {student} twice")
            seen.add(student)
            if student not in plan[ex]:
                problems.append(f"{ex}: unknown student {student}")
            elif signature(rec) != expected[plan[ex][student]]:
                problems.append(f"{ex}: {student} ({plan[ex][student]}) graded differently from its file alone")
        with open(out / ex / "gradebook.csv", newline="") as fh:
            rows = list(csv.reader(fh))[1:]
        if sorted(r[0] for r in rows) != sorted(plan[ex]):
            problems.append(f"{ex}: gradebook.csv rows differ from the class")
        full = {k: v[0] for k, v in expected.items()}
        print(f"  {ex}: {len(files)} results; score by kind: " + ", ".join(f"{k} {v:g}" for k, v in full.items()))
    return problems


def floor_ms() -> float:
    times = []
    for _ in range(10):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import numpy"], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cold", type=int, default=50, help="students graded again with GRADER_ZYGOTE=0 (0: none)")
    args = parser.parse_args()
    n_subs = args.students * len(EXERCISES)
    with tempfile.TemporaryDirectory() as tmp:
        root, out = Path(tmp) / "class", Path(tmp) / "grades"
        t = time.perf_counter()
        plan = build(root, args.students)
        print(f"{args.students} students x {len(EXERCISES)} exercises = {n_subs} submissions built in "
              f"{time.perf_counter() - t:.1f} s; mix per exercise: " +
              ", ".join(f"{k} {sum(1 for v in plan['ex1'].values() if v == k)}" for k in
                        ("correct", "mistake", "stub", "syntax error", "raises")))
        sampler = MemorySampler()
        sampler.start()
        wall = grade_class(root, out, args.jobs)
        sampler.stop.set()
        sampler.join()
        print(f"graded with --jobs {args.jobs}: {wall:.1f} s, {n_subs / wall:.1f} submissions/s "
              f"({1000 * wall * args.jobs / n_subs:.1f} ms of a worker per submission); goal: <= 120 s")
        print(f"peak memory: {sampler.peak_total / 2**20:.0f} MiB summed over the grader's processes "
              f"(the largest one {sampler.peak_one / 2**20:.0f} MiB)")
        problems = verify(root, out, plan)
        print("proof: every result present once and equal to its file graded alone: "
              + ("yes" if not problems else f"NO ({len(problems)} problems)"))
        for p in problems[:20]:
            print("   ", p)
        floor = floor_ms()
        print(f"baseline, the floor of one interpreter per submission: python -c 'import numpy' {floor:.0f} ms "
              f"x {n_subs} / {args.jobs} workers = {floor * n_subs / args.jobs / 1000:.0f} s")
        if args.cold:
            cold_students = sorted(plan["ex1"])[: args.cold]
            os.environ["GRADER_ZYGOTE"] = "0"
            cold_out = Path(tmp) / "grades-cold"
            cold = grade_class(root, cold_out, args.jobs, set(cold_students))
            del os.environ["GRADER_ZYGOTE"]
            warm = grade_class(root, Path(tmp) / "grades-warm", args.jobs, set(cold_students))
            k = args.cold * len(EXERCISES)
            print(f"baseline, a new interpreter per student process (GRADER_ZYGOTE=0), first {args.cold} students: "
                  f"{cold:.1f} s for {k} submissions ({k / cold:.1f}/s) vs {warm:.1f} s with the template "
                  f"({k / warm:.1f}/s) in the same run")
        shutil.rmtree(root, ignore_errors=True)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
