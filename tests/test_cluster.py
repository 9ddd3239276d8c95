"""`grader grade ... --scheduler ADDRESS`: grading on a real Dask cluster (autograder.cluster).

A scheduler and two workers run as separate processes on the loopback (`dask scheduler`, `dask worker`,
each in its own process group, killed with it at the end). The workers get no hidden key in their
environment: the key travels with each task. The scheduler runs with allowed-failures 1 (the README's
setting): a task is rescheduled once when its worker dies.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from autograder import authoring  # noqa: E402
from tests import ex3_sources  # noqa: E402

EX = "ex3"
BIN = Path(sys.executable).parent
GRADER = BIN / "grader"
DASK = BIN / "dask"
SOLUTION = authoring.SOLUTIONS / "ex3_dropout.ipynb"
STUB_PY = authoring.EXERCISES / "ex3_dropout.py"
MISTAKE = "import numpy as np\n\n" + ex3_sources.WRONG_FORWARD + "\n" + ex3_sources.BACKWARD
#: a correct submission whose loading takes a while: time to kill the worker grading it
SLOW = "import time\ntime.sleep(4)\n" + ex3_sources.CORRECT


def _stop(procs):
    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass
    deadline = time.monotonic() + 5
    for proc in procs:
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the group: the nanny's worker process too
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()


from contextlib import contextmanager  # noqa: E402


@contextmanager
def _running_cluster(folder: Path, workers: int = 2, **env_extra):
    """{"address", "workers": [Popen], "folder"}: a scheduler and ``workers`` one-thread workers (with a
    nanny, which restarts a worker that dies), stopped when the block ends."""
    from distributed import Client

    info = folder / "scheduler.json"
    env = {k: v for k, v in os.environ.items() if k != "GRADER_HIDDEN_KEY"}  # the key travels with the tasks
    env["DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES"] = "1"
    env.update(env_extra)
    procs = []
    try:
        procs.append(subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                       "--scheduler-file", str(info)], cwd=folder, env=env, start_new_session=True,
                                      stdout=subprocess.DEVNULL, stderr=open(folder / "scheduler.log", "wb")))
        for n in range(workers):
            procs.append(subprocess.Popen([str(DASK), "worker", "--scheduler-file", str(info), "--nthreads", "1",
                                           "--no-dashboard", "--host", "127.0.0.1", "--death-timeout", "60"],
                                          cwd=folder, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                                          stderr=open(folder / f"worker{n}.log", "wb")))
        deadline = time.monotonic() + 60
        while not info.is_file() or not info.read_text().strip():
            assert time.monotonic() < deadline and procs[0].poll() is None, (folder / "scheduler.log").read_text()
            time.sleep(0.1)
        address = json.loads(info.read_text())["address"]
        with Client(address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=60)
        yield {"address": address, "workers": procs[1:], "folder": folder}
    finally:
        _stop(procs)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler and two one-thread workers, for the module."""
    with _running_cluster(tmp_path_factory.mktemp("dask")) as running:
        yield running


def _grader(*args, env=None, timeout=180):
    return subprocess.run([str(GRADER), *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env)


def _class(folder: Path) -> Path:
    """Six students: the solution (notebook), a solved script, the stub, a known mistake, a broken notebook,
    a syntax error."""
    klass = folder / "class"
    src = authoring.source_path(EX)
    files = {
        "alice/ex3_dropout.ipynb": SOLUTION.read_bytes(),
        "bob/ex3_dropout.py": STUB_PY.read_bytes(),
        "carol/ex3_dropout.ipynb": b"{ not json",
        "dave/ex3_dropout.py": authoring.student_script(EX, authoring.parse(src.read_text()),
                                                        keep_solutions=True).encode(),
        "erin/ex3_dropout.py": MISTAKE.encode(),
        "frank/ex3_dropout.py": b"def dropout_forward(a, p:\n",
    }
    for name, data in files.items():
        (klass / name).parent.mkdir(parents=True, exist_ok=True)
        (klass / name).write_bytes(data)
    return klass


def _files(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_class_on_the_cluster_gives_the_files_of_a_local_run(cluster, tmp_path):
    klass = _class(tmp_path)
    remote = _grader("grade", EX, klass, "--scheduler", cluster["address"], "--out", tmp_path / "remote", "--json")
    assert remote.returncode == 0, remote.stderr
    local = _grader("grade", EX, klass, "--jobs", "2", "--out", tmp_path / "local", "--json")
    assert local.returncode == 0, local.stderr
    assert remote.stdout == local.stdout  # the same records, byte for byte
    scores = {r["student"]: (r["score"], bool(r["error"])) for r in json.loads(remote.stdout)}
    assert scores == {"alice": (10, False), "bob": (0, False), "carol": (0, True), "dave": (10, False),
                      "erin": (7, False), "frank": (0, True)}
    remote_files, local_files = _files(tmp_path / "remote" / EX), _files(tmp_path / "local" / EX)
    assert sorted(remote_files) == ["alice.json", "bob.json", "carol.json", "dave.json", "erin.json", "frank.json",
                                    "gradebook.csv"]
    assert remote_files == local_files  # per-student JSON (paths and digests included) and gradebook.csv
    assert json.loads(remote_files["alice.json"])["path"] == str(klass / "alice" / "ex3_dropout.ipynb")


def test_a_worker_killed_midway_loses_nothing(cluster, tmp_path):
    from distributed import Client

    from autograder.batch import grade_batch
    from autograder.submissions import Submission

    klass = tmp_path / "class"
    sources = {"alice": ex3_sources.CORRECT, "bob": STUB_PY.read_text(), "erin": MISTAKE, "slow": SLOW}
    subs = []
    for student, text in sources.items():
        (klass / student).mkdir(parents=True)
        (klass / student / "ex3_dropout.py").write_text(text)
        subs.append(Submission(student, klass / student / "ex3_dropout.py"))
    out = tmp_path / "grades"
    seen, done = [], {}

    def run():
        try:
            done["records"] = grade_batch(EX, subs, out, scheduler=cluster["address"], progress=seen.append)
        except BaseException as exc:  # noqa: BLE001 - said by the assertions below
            done["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    killed = None
    with Client(cluster["address"], timeout=30, set_as_default=False) as client:
        deadline = time.monotonic() + 60
        while killed is None and time.monotonic() < deadline and thread.is_alive():
            processing = {w: [str(k) for k in keys] for w, keys in client.processing().items()}
            slow = [w for w, keys in processing.items() if any("-slow-" in k for k in keys)]
            # the slow one alone in flight: it is running on its worker now
            if slow and sum(map(len, processing.values())) == 1 and len(seen) == 3:
                pid = client.run(os.getpid, workers=slow)[slow[0]]
                group = os.getpgid(pid)
                victim = next(p for p in cluster["workers"] if p.pid == group)  # one of ours, nothing else
                os.killpg(group, signal.SIGKILL)
                victim.wait(10)
                killed = slow[0]
            time.sleep(0.1)
    thread.join(120)
    assert killed is not None, "the slow submission was never seen running alone"
    assert not thread.is_alive() and "error" not in done, done.get("error")
    records = done["records"]
    assert [r.student for r in records] == ["alice", "bob", "erin", "slow"]
    assert sorted(r.student for r in seen) == ["alice", "bob", "erin", "slow"]  # each recorded once
    assert {r.student: r.score for r in records} == {"alice": 10, "bob": 0, "erin": 7, "slow": 10}
    assert all(r.error() is None for r in records)
    assert sorted(p.name for p in (out / EX).iterdir()) == ["alice.json", "bob.json", "erin.json", "gradebook.csv",
                                                             "slow.json"]
    rows = (out / EX / "gradebook.csv").read_text().splitlines()[1:]
    assert sorted(r.split(",")[:2] for r in rows) == [["alice", "10"], ["bob", "0"], ["erin", "7"], ["slow", "10"]]


def _one_line_error(result):
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2 and len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("address, words", [
    ("tcp://127.0.0.1:{port}", "Connection refused"),
    ("127.0.0.1", "missing port number"),
])
def test_an_unreachable_scheduler_is_one_line_and_nothing_is_written(tmp_path, address, words):
    address = address.format(port=_free_port())
    klass = _class(tmp_path)
    result = _grader("grade", EX, klass, "--scheduler", address, "--out", tmp_path / "out", timeout=60)
    line = _one_line_error(result)
    assert f"Cannot reach the Dask scheduler at {address}" in line and words in line, line
    assert not (tmp_path / "out").exists()


NO_DASK = """
import sys
class Missing:  # Dask is not installed here
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ("dask", "distributed"):
            raise ModuleNotFoundError(f"No module named {name!r}")
sys.meta_path.insert(0, Missing())
from autograder.cli import main
main()
"""


def test_without_dask_the_line_says_how_to_install_it(tmp_path):
    klass = _class(tmp_path)
    result = subprocess.run([sys.executable, "-c", NO_DASK, "grade", EX, str(klass), "--scheduler",
                             "tcp://127.0.0.1:8786", "--out", str(tmp_path / "out"), "--lang", "es"],
                            capture_output=True, text=True, timeout=60)
    line = _one_line_error(result)
    assert "necesita Dask distributed" in line and "pip install -e '.[cluster]'" in line, line
    assert not (tmp_path / "out").exists()


def test_the_package_the_student_check_and_list_do_not_import_dask():
    probe = ("import sys\nfrom autograder.cli import main\n"
             f"for args in (['list'], ['check', 'ex3', {str(SOLUTION)!r}, '--json']):\n"
             "    try:\n        main(args, standalone_mode=False)\n    except SystemExit:\n        pass\n"
             "print(sorted(m for m in ('dask', 'distributed') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_a_course_on_the_cluster_records_what_a_local_run_records(cluster, tmp_path):
    from autograder import api
    from autograder.course import CourseDir, nb

    root = tmp_path / "course"
    api.init(root, [EX])
    for student, data in {"alice": SOLUTION.read_bytes(), "erin": MISTAKE.encode()}.items():
        name = "ex3_dropout.ipynb" if student == "alice" else "ex3_dropout.py"
        folder = CourseDir(root).submitted(student, EX)
        folder.mkdir(parents=True)
        (folder / name).write_bytes(data)
    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    remote = _grader("grade", EX, "--course", root, "--scheduler", cluster["address"], "--json")
    assert remote.returncode == 0, remote.stderr
    local = _grader("grade", EX, "--course", copy, "--json")
    assert local.returncode == 0, local.stderr

    def recorded(course_root):
        course = CourseDir(course_root)
        results = {}
        for path in sorted(course.grades(EX).iterdir()):
            text = path.read_text().replace(str(course_root), "COURSE")
            results[path.name] = text
        with nb.gradebook(course) as gb:
            rows = {sub.student.id: sorted((g.name, g.auto_score, g.max_score) for n in sub.notebooks
                                           for g in n.grades) for sub in gb.assignment_submissions(EX)}
        return results, rows

    assert recorded(root) == recorded(copy)
    scores = {r["student"]: r["score"] for r in json.loads(remote.stdout)}
    assert scores == {"alice": 10, "erin": 7}


def test_a_submission_that_kills_its_worker_is_recorded_and_the_others_are_graded(tmp_path):
    """Unconfined workers (GRADER_CONFINE=0: as where the grader is not root), a submission can kill its
    parent, the Dask worker process. Its task is rescheduled once (allowed-failures 1), ends in KilledWorker,
    is graded once more alone, kills that worker too, and is recorded as not graded; the others get their
    normal results, each once."""
    folder = tmp_path / "dask"
    folder.mkdir()
    klass = tmp_path / "class"
    killer = "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n" + ex3_sources.CORRECT
    for student, text in {"alice": ex3_sources.CORRECT, "bob": STUB_PY.read_text(), "killer": killer}.items():
        (klass / student).mkdir(parents=True)
        (klass / student / "ex3_dropout.py").write_text(text)
    with _running_cluster(folder, workers=1, GRADER_CONFINE="0") as running:
        result = _grader("grade", EX, klass, "--scheduler", running["address"], "--out", tmp_path / "out", "--json",
                         timeout=300)
    assert result.returncode == 0, result.stderr
    records = {r["student"]: r for r in json.loads(result.stdout)}
    assert sorted(records) == ["alice", "bob", "killer"]
    assert records["alice"]["score"] == 10 and records["alice"]["error"] is None
    assert records["bob"]["score"] == 0 and records["bob"]["error"] is None
    assert records["killer"]["score"] == 0 and "stopped the grader's own process" in records["killer"]["error"]
    rows = (tmp_path / "out" / EX / "gradebook.csv").read_text().splitlines()[1:]
    assert sorted(r.split(",")[0] for r in rows) == ["alice", "bob", "killer"]


def test_a_worker_that_exits_removes_its_scratch_folder(tmp_path):
    """A Dask worker's folder of submission folders goes when the worker process exits (they were left in
    the temporary folder, one per worker started)."""
    code = ("import tempfile; from autograder import cluster\n"
            "root = cluster._scratch_root()\n"
            "assert root == cluster._scratch_root() and root.startswith(tempfile.gettempdir())\n"
            "tempfile.mkdtemp(dir=root)  # a submission's folder left in it\n"
            "print(root)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, TMPDIR=str(tmp_path)))
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()).parent == tmp_path
    assert list(tmp_path.iterdir()) == []
