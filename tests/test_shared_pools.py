"""``batch.shared_pools``: exercises graded one after another (``grader demo``, a course) share one pool of
workers, which keep their warm templates and hidden cases; a broken pool is replaced, none outlives the
block, and the course lock is not held by the workers that outlive a run."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from autograder import batch
from autograder.batch import grade_batch, shared_pools
from autograder.course import CourseDir
from autograder.course.grade import CourseBusy, course_lock
from autograder.submissions import Submission

ROOT = Path(__file__).resolve().parent.parent
KEY = "shared-pools-test-key"


def _class(tmp_path: Path, ex: str, n: int = 4) -> list[Submission]:
    """n students: the solution, except the last one, who hands in the stub."""
    name = next((ROOT / "solutions").glob(f"{ex}_*.py")).name
    subs = []
    for i in range(n):
        folder = tmp_path / "class" / ex / f"s{i}"
        folder.mkdir(parents=True)
        source = ROOT / ("exercises" if i == n - 1 else "solutions") / name
        (folder / name).write_text(source.read_text())
        subs.append(Submission(f"s{i}", folder / name))
    return subs


def _scores(records) -> list[float]:
    return [r.score for r in records]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie left for its parent to reap has ended too
    with open(f"/proc/{pid}/stat") as fh:
        return fh.read().rsplit(")", 1)[1].split()[0] != "Z"


def _wait_gone(pids, seconds=10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(_alive(p) for p in pids):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="worker processes are looked up in /proc (Linux)")
def test_runs_in_a_block_share_their_workers_and_none_outlives_it(tmp_path):
    ex3, ex4 = _class(tmp_path, "ex3"), _class(tmp_path, "ex4")
    with shared_pools():
        first = grade_batch("ex3", ex3, tmp_path / "out", jobs=2, hidden_key=KEY)
        workers = set(batch._kept[2]._processes)
        second = grade_batch("ex4", ex4, tmp_path / "out", jobs=2, hidden_key=KEY)
        assert set(batch._kept[2]._processes) == workers and len(workers) == 2
    assert _scores(first) == [10, 10, 10, 0] and _scores(second) == [10, 10, 10, 0]
    assert batch._kept is None and _wait_gone(workers)
    # outside a block every run has its own pool, as before
    grade_batch("ex3", ex3, tmp_path / "out2", jobs=2, hidden_key=KEY)
    assert batch._kept is None


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="worker processes are looked up in /proc (Linux)")
def test_a_worker_killed_between_runs_gets_a_new_pool(tmp_path):
    ex3, ex4 = _class(tmp_path, "ex3"), _class(tmp_path, "ex4")
    with shared_pools():
        grade_batch("ex3", ex3, tmp_path / "out", jobs=2, hidden_key=KEY)
        pool = batch._kept[2]
        victim = next(iter(pool._processes))
        os.kill(victim, signal.SIGKILL)
        assert _wait_gone([victim])
        time.sleep(0.5)  # the pool's manager thread notices the death and marks the pool broken
        again = grade_batch("ex4", ex4, tmp_path / "out", jobs=2, hidden_key=KEY)
        assert batch._kept[2] is not pool
    assert _scores(again) == [10, 10, 10, 0]
    assert all((tmp_path / "out" / "ex4" / f"s{i}.json").is_file() for i in range(4))


def test_the_course_lock_is_released_for_processes_that_outlive_the_run(tmp_path):
    """Workers forked while the lock is held share its descriptor: leaving the run releases it for them too."""
    course = CourseDir(tmp_path)
    with course_lock(course):
        child = os.fork()
        if child == 0:  # a worker that lives on
            time.sleep(3)
            os._exit(0)
    try:
        with course_lock(course):  # not CourseBusy
            pass
        with course_lock(course), pytest.raises(CourseBusy):  # the lock still works
            with course_lock(course):
                pass
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
