"""The warm template (``autograder/sandbox/zygote.py``): each submission still gets a fresh process of its own.

What a process forked from the zygote must be, as one started by a new interpreter is: the grader's own
child (its parent, its exit status), nothing of another submission's state, NumPy's global generator
seeded anew, no descriptor of the zygote's, the same confinement, the same environment; and the zygote
must recover when it is killed and serve several threads at once.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
import time

import pytest

from autograder.sandbox import Limits, Sandbox, StudentRaised, confinement, zygote

pytestmark = pytest.mark.skipif(not zygote.usable(zygote.PACKAGES),
                                reason="the zygote is used on Linux only (elsewhere each process is a new interpreter)")

PROBE = """
import os, sys
import numpy as np

def parent():
    return os.getppid()

def draw():
    return float(np.random.rand())

def fds():
    return sorted(int(n) for n in os.listdir("/proc/self/fd"))

def env():
    return dict(os.environ)

def threads():
    return len(os.listdir("/proc/self/task"))

def mark(value):
    np.pi = value
    global MARK
    MARK = value
    return value

def seen():
    return [float(np.pi), globals().get("MARK")]

def die(sig):
    os.kill(os.getpid(), sig)
"""


def _box(**limits) -> Sandbox:
    return Sandbox([("<cell 1>", PROBE)], Limits(**limits))


def test_the_student_process_comes_from_the_zygote_and_is_the_graders_child():
    with _box() as box:
        box.start()
        assert isinstance(box._proc, zygote.ZygoteProcess)
        # confined, it sees no parent (PID namespace); unconfined, its parent is this process
        assert box.call("parent") in (0, os.getpid())
    with Sandbox([("<cell 1>", PROBE)], Limits(), confine=False) as box:
        box.start()
        assert box.call("parent") == os.getpid()


def test_no_state_crosses_from_one_submission_to_the_next():
    with _box() as box:
        box.start()
        assert box.call("mark", 3.0) == 3.0
        assert box.call("seen") == [3.0, 3.0]
    with _box() as box:
        box.start()
        assert box.call("seen") == [pytest.approx(3.141592653589793), None]


def test_numpys_global_generator_is_seeded_anew_in_every_process():
    draws = set()
    for _ in range(3):
        with _box() as box:
            box.start()
            draws.add(box.call("draw"))
    assert len(draws) == 3


def test_the_student_process_holds_no_descriptor_of_the_zygote():
    with Sandbox([("<cell 1>", PROBE)], Limits(), confine=False) as box:
        box.start()
        # stdin, stdout, stderr, the request and reply pipes, and the one listdir opened
        assert len(box.call("fds")) <= 6


def test_environment_and_confinement_are_those_of_a_new_interpreter(monkeypatch):
    monkeypatch.setenv("GRADER_HIDDEN_KEY", "not-for-students")
    with _box() as box:
        box.start()
        warm_env, warm_report = box.call("env"), dict(box.confinement)
        assert box.call("threads") == 1
    monkeypatch.setenv("GRADER_ZYGOTE", "0")
    with _box() as box:
        box.start()
        assert not isinstance(box._proc, zygote.ZygoteProcess)
        cold_env, cold_report = box.call("env"), dict(box.confinement)
    assert "GRADER_HIDDEN_KEY" not in warm_env
    assert set(warm_env) == set(cold_env)
    assert warm_env["HOME"] != cold_env["HOME"]  # each its own folder
    assert {k: v for k, v in warm_env.items() if k not in ("HOME", "TMPDIR")} == \
           {k: v for k, v in cold_env.items() if k not in ("HOME", "TMPDIR")}
    assert warm_report == cold_report


def test_the_zygote_holds_no_secret_and_runs_no_student_code(monkeypatch):
    monkeypatch.setenv("GRADER_HIDDEN_KEY", "not-for-students")
    with _box() as box:
        box.start()
        pid = zygote.get().pid
    with open(f"/proc/{pid}/environ", "rb") as fh:
        environ = fh.read()
    assert b"not-for-students" not in environ and b"GRADER_HIDDEN_KEY" not in environ
    with open(f"/proc/{pid}/status") as fh:
        threads = [line for line in fh if line.startswith("Threads:")]
    assert threads == ["Threads:\t1\n"]  # forking from a threaded process could deadlock its children


def test_a_killed_signal_and_exit_status_are_reported_as_for_a_new_interpreter():
    with Sandbox([("<cell 1>", PROBE)], Limits(), confine=False) as box:
        box.start()
        with pytest.raises(Exception) as info:
            box.call("die", int(signal.SIGSEGV))
        assert "segmentation fault" in str(info.value)


def test_a_killed_zygote_is_replaced_and_nothing_is_lost():
    with _box() as box:
        box.start()
        old = zygote.get()
        os.killpg(old.pid, signal.SIGKILL)
        old.proc.wait(timeout=5)
        assert box.call("seen")[1] is None  # the running process is the grader's child: it goes on
    with _box() as box:
        box.start()
        assert isinstance(box._proc, zygote.ZygoteProcess)
        assert zygote.get().pid != old.pid


def test_threads_share_one_zygote():
    results, errors = [], []

    def grade():
        try:
            for _ in range(3):
                with _box() as box:
                    box.start()
                    results.append(box.call("mark", 1.0))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=grade) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and results == [1.0] * 9


def _zombie_children() -> set[str]:
    found = set()
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as fh:
                    fields = fh.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == os.getpid() and fields[0] == b"Z":
                found.add(name)
    return found


def test_no_zombie_is_left_behind():
    before = _zombie_children()  # another test's in this process, if any: not the zygote's to reap
    for _ in range(5):
        with _box() as box:
            box.start()
            with pytest.raises(StudentRaised):
                box.call("mark")  # a missing argument: the process goes on
    deadline = time.monotonic() + 5
    while True:
        zygote.sweep()
        left = _zombie_children() - before
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert left == set()


def test_confinement_is_unchanged_by_the_zygote(monkeypatch):
    warm = confinement()
    monkeypatch.setenv("GRADER_ZYGOTE", "0")
    assert confinement() == warm


@pytest.mark.skipif(sys.platform != "linux", reason="Linux")
def test_grader_check_starts_the_zygote_early(tmp_path):
    """``api.check`` of a NumPy exercise starts the template before it imports what grading needs."""
    import subprocess

    code = ("import sys\n"
            "from autograder import api\n"
            "from autograder.sandbox import zygote\n"
            "zygote.prestart()\n"
            "print('numpy' in sys.modules, len(zygote._zygotes))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["False", "1"], out.stderr


def test_the_zygotes_folder_is_removed_once_it_is_ready_or_closed():
    """Nothing is left in the temporary folder: each ``grader check`` used to leave a ``grader-zygote-*``."""
    ready = zygote.get()
    ready.wait_ready()
    assert not os.path.exists(ready._dir)
    unready = zygote.Zygote()  # closed before it said it was ready
    assert os.path.isdir(unready._dir)
    unready.close()
    assert not os.path.exists(unready._dir)


def test_a_speculative_zygote_is_closed_unless_it_was_asked_for_since():
    """``grader check`` starts the NumPy template before it knows the exercise (autograder/entry.py);
    ``api.check`` of a Keras exercise closes it, of a NumPy one keeps it."""
    zygote.close_all()
    zygote.prestart(speculative=True)
    unused = zygote.get()
    zygote.discard_speculative()
    assert not unused.alive
    unused.proc.wait(timeout=5)
    zygote.prestart(speculative=True)
    zygote.prestart()  # a NumPy exercise's check: the template is wanted
    wanted = zygote.get()
    zygote.discard_speculative()
    assert wanted.alive and wanted is not unused
    zygote.prestart(speculative=True)  # one this process had already: never speculative
    zygote.discard_speculative()
    assert wanted.alive and zygote.get() is wanted
    with _box() as box:
        box.start()
        assert box.call("seen")[1] is None
