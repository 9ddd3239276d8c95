"""Benchmark: the same class graded by `grader grade --jobs J` and by `nbgrader autograde`.

Builds a course with N students × ex1–ex5 (correct, classic mistakes, not
attempted; no broken notebook or infinite loop, which nbgrader cannot grade
in bounded time), grades it with the grader into one gradebook, then runs
`nbgrader autograde` on every submission of a copy of the course (nbgrader
grades one submission at a time, running student code and the check cells in
one kernel), and compares the per-cell scores of both gradebooks.

Where the grader's time goes is printed too: the main process's time spent recording (the
autograded notebooks, nbgrader's gradebook, the result files written again; from
``CourseGrading.seconds``) and, measured in the same run, the same class graded by ``grade_batch``
alone (no course, no recording) into a scratch folder. Recording overlaps the grading that goes on
in the worker processes, so the run's wall time minus the grading alone is what recording costs.

Both runs grade the exercises one after another in this process with one pool of workers
(``batch.shared_pools``, as ``grader demo`` does); ``--separate`` also times the grading alone with a new
pool per exercise, as separate ``grader grade EX`` commands would have (without their start-up).

Usage: python bench/bench_course.py [--students 10] [--jobs 2] [--no-nbgrader] [--separate]
Prints wall times, the ratio and the agreement; asserts nothing.
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from autograder.batch import grade_batch, shared_pools
from autograder.course import CourseDir, nb
from autograder.course.demo import EXERCISES, build_class
from autograder.course.grade import course_submissions, grade_course
from autograder.course.release import release
from autograder.course.setup import init_course


def scores(course: CourseDir) -> dict:
    with nb.gradebook(course) as gb:
        return {(ex, sub.student.id, g.name): g.auto_score
                for ex in EXERCISES for sub in gb.assignment_submissions(ex)
                for n in sub.notebooks for g in n.grades}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-nbgrader", action="store_true", help="skip `nbgrader autograde` (minutes)")
    parser.add_argument("--separate", action="store_true",
                        help="also time the grading alone with a new pool per exercise (as separate commands)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        course = init_course(Path(tmp) / "ours", EXERCISES)
        for ex in EXERCISES:
            assert release(course, ex, to_exchange=False).ok
        build_class(course, args.students, pathological=False)
        copy = CourseDir(Path(tmp) / "nbgrader")
        shutil.copytree(course.root, copy.root, ignore=shutil.ignore_patterns("gradebook.db", "release"))
        nb.write_config(copy, "nn-course")
        n_subs = args.students * len(EXERCISES)

        from autograder.secret import resolve

        key = resolve(course.root)
        start = time.perf_counter()
        with shared_pools():  # as `grader demo` grades a course: one pool of workers for every exercise
            for ex in EXERCISES:  # the grading alone: no course, no autograded notebook, no gradebook
                grade_batch(ex, course_submissions(course, ex), Path(tmp) / "plain", jobs=args.jobs,
                            hidden_key=key)
        plain = time.perf_counter() - start

        spent: dict[str, float] = {}
        start = time.perf_counter()
        with shared_pools():
            for ex in EXERCISES:
                run = grade_course(course, ex, jobs=args.jobs)
                for part, seconds in run.seconds.items():
                    spent[part] = spent.get(part, 0.0) + seconds
        ours = time.perf_counter() - start
        if args.separate:  # one pool per exercise, as one `grader grade EX` command per exercise has
            start = time.perf_counter()
            for ex in EXERCISES:
                grade_batch(ex, course_submissions(course, ex), Path(tmp) / "separate", jobs=args.jobs,
                            hidden_key=key)
            separate = time.perf_counter() - start
        recording = sum(v for k, v in spent.items() if k != "total")
        print(f"{n_subs} submissions ({args.students} students × {len(EXERCISES)} exercises)")
        print(f"grader, the exercises in one process with one pool (--jobs {args.jobs}): {ours:.1f} s "
              f"({n_subs / ours:.1f} submissions/s), gradebook recording included")
        print(f"  recording, in the main process: {recording:.2f} s ({100 * recording / ours:.0f} % of the run): "
              + ", ".join(f"{k} {v:.2f} s" for k, v in spent.items() if k != "total"))
        print(f"  the same grading without recording (grade_batch --jobs {args.jobs}): {plain:.1f} s; "
              f"the run costs {ours - plain:+.1f} s more ({100 * (ours - plain) / ours:.0f} % of it)")
        if args.separate:
            print(f"  the grading alone with a new pool of workers per exercise: {separate:.1f} s")
        if args.no_nbgrader:
            return

        api = nb.api(copy)
        for ex in EXERCISES:
            nb.check(api.generate_assignment(ex), f"generate_assignment {ex}")
        start = time.perf_counter()
        for ex in EXERCISES:
            for student in copy.students():
                nb.check(api.autograde(ex, student), f"autograde {ex} {student}")
        theirs = time.perf_counter() - start

        a, b = scores(course), scores(copy)
        disagree = [k for k in a if a[k] != b.get(k)]
        print(f"nbgrader autograde: {theirs:.1f} s ({n_subs / theirs:.2f} submissions/s)")
        print(f"ratio: grader is {theirs / ours:.1f}x faster")
        print(f"per-cell scores compared: {len(a)}; agree: {len(a) - len(disagree)}; disagree: {len(disagree)}"
              + (f" e.g. {disagree[:3]}" if disagree else ""))


if __name__ == "__main__":
    main()
