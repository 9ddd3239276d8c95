"""Hostile submissions graded by ``grader grade --jobs 2`` (a real subprocess, the default limits)
in one batch with correct submissions around them: each ends with a recorded result, a clear
message and no points it did not earn; the batch goes on and nobody else's result changes.

ex3 (dropout) carries the process-level attacks, ex1 (activations) the data-level ones (lists,
float32, wrong shapes, NaN/inf, rigged ndarray/float64 subclasses). Cases whose protection
needs the Linux confinement (root: namespaces, covered paths, read-only file system) are skipped
with that reason elsewhere; README "Limits" lists what holds where.
"""
import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import autograder
from autograder import authoring, registry
from autograder.sandbox import confinement

ROOT = Path(autograder.__file__).resolve().parent.parent
CONFINED = confinement()
MOUNT_NS = bool(CONFINED.get("mount_ns") and CONFINED.get("read_only") and CONFINED.get("proc_private"))
NEEDS_CONFINEMENT = "needs the Linux confinement (grader run as root): elsewhere student code reads and writes " \
                    "what the grader's user can"
HIDDEN_KEY = "hostile-suite-key-7f3a9c"
MARKER = f"hostile-leftover-{os.getpid()}"


def solved(ex_id: str) -> str:
    return authoring.student_script(ex_id, authoring.parse(authoring.source_path(ex_id).read_text()),
                                    keep_solutions=True)


def stub(ex_id: str) -> str:
    return (authoring.EXERCISES / f"{authoring.source_path(ex_id).stem}.py").read_text()


SOLVED3, STUB3 = solved("ex3"), stub("ex3")
BACKWARD_OK = ("def dropout_backward(dout, mask):\n"
               "    return dout if mask is None else dout * mask\n")
FORWARD_OK = ("def dropout_forward(a, p, train=True, rng=None):\n"
              "    if not train:\n        return a, None\n"
              "    rng = np.random.default_rng() if rng is None else rng\n"
              "    mask = (rng.random(a.shape) < p) / p\n"
              "    return a * mask, mask\n")


def forward_after(prelude: str) -> str:
    """A correct dropout_forward that first runs ``prelude`` (indented into the function)."""
    body = "".join("    " + line + "\n" for line in prelude.splitlines())
    return "import numpy as np\n" + FORWARD_OK.replace("    if not train:", body + "    if not train:", 1) + BACKWARD_OK


def notebook(cells: list[str]) -> str:
    return json.dumps({"cells": [{"cell_type": "code", "source": c, "metadata": {}, "outputs": [],
                                  "execution_count": None, "id": f"c{i}"} for i, c in enumerate(cells)],
                       "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def duplicated_graded_cell() -> str:
    """The solution notebook with its first graded cell duplicated (nbgrader issue 1083)."""
    nb = json.loads((ROOT / "solutions" / "ex3_dropout.ipynb").read_text())
    i = next(i for i, c in enumerate(nb["cells"]) if c.get("metadata", {}).get("nbgrader", {}).get("solution"))
    twin = copy.deepcopy(nb["cells"][i])
    twin["id"] = twin.get("id", "x") + "-copy"
    nb["cells"].insert(i + 1, twin)
    return json.dumps(nb)


FAKE = "{'student': 'correct_a', 'score': 0.0, 'max_score': 10.0, 'checks': [], 'error': None}"

# name: (file name, content, expected score, text in the error or in every failed check's message)
HOSTILE3 = {
    "loop_at_import": ("ex3.py", "while True:\n    pass\n", 0, "did not finish loading"),
    "loop_in_function": ("ex3.py", forward_after("while True:\n    pass"), 1, "did not return"),
    "memory_hog_at_import": ("ex3.py", "hog = bytearray(64 * 1024**3)\n", 0, "MemoryError"),
    "memory_hog_in_function": ("ex3.py", forward_after("hog = [0.0] * 10**10"), 1, "MemoryError"),
    "sys_exit_at_import": ("ex3.py", "import sys\nsys.exit(0)\n", 0, "SystemExit"),
    "os_exit_in_function": ("ex3.py", "import os\n" + forward_after("os._exit(0)"), 1, "stopped the Python process"),
    "system_exit_in_function": ("ex3.py", forward_after("raise SystemExit(0)"), 1, "SystemExit"),
    "keyboard_interrupt": ("ex3.py", forward_after("raise KeyboardInterrupt"), 1, "KeyboardInterrupt"),
    "segfault_in_function": ("ex3.py", "import ctypes\n" + forward_after("ctypes.string_at(0)"), 1,
                             "segmentation fault"),
    "recursion": ("ex3.py", "def dropout_forward(a, p, train=True, rng=None):\n"
                            "    return dropout_forward(a, p, train, rng)\n" + BACKWARD_OK, 1, "RecursionError"),
    "prints_200_mb": ("ex3.py", "import sys\n" + forward_after(
        "for _ in range(200 * 1024):\n    sys.stdout.write('x' * 1023 + '\\n')"), 1, "printed or wrote more than"),
    "prints_200_mb_at_import": ("ex3.py", "for _ in range(200 * 1024):\n    print('x' * 1023)\n" + SOLVED3, 0,
                                "printed or wrote more than"),
    "monkeypatches_numpy": ("ex3.py", "import numpy as np, builtins\n"
                                      "np.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: True\n"
                                      "np.array_equal = lambda *a, **k: True\n"
                                      "np.testing.assert_allclose = lambda *a, **k: None\n"
                                      "builtins.abs = lambda x: 0\nbuiltins.isinstance = lambda *a: True\n"
                                      "def dropout_forward(a, p, train=True, rng=None):\n    return a * 0, a * 0\n"
                                      "def dropout_backward(dout, mask):\n    return dout * 0\n", 0, ""),
    "imports_reference": ("ex3.py", "try:\n    from reference_impl import dropout_forward, dropout_backward\n"
                                    "except ImportError:\n    pass\n"
                                    "try:\n    from autograder.exercises import ex3\nexcept ImportError:\n    pass\n",
                          0, "None of the names"),
    "prints_fake_json": ("ex3.py", "import json\nprint(json.dumps({'exercise': 'ex3', 'score': 10.0, "
                                   "'max_score': 10.0, 'checks': [], 'error': None}))\n" + STUB3,
                         0, "NotImplementedError"),
    "writes_fake_results_nearby": ("ex3.py", "import json, os\n"
                                             "for base in (os.getcwd(), os.environ.get('HOME', '.'), '..'):\n"
                                             "    try:\n"
                                             "        os.makedirs(os.path.join(base, 'grades', 'ex3'), exist_ok=True)\n"
                                             "        with open(os.path.join(base, 'grades', 'ex3', "
                                             "'writes_fake_results_nearby.json'), 'w') as f:\n"
                                             "            json.dump({'score': 10.0}, f)\n"
                                             "    except OSError:\n"
                                             "        pass\n" + STUB3, 0, "NotImplementedError"),
    "rigged_ndarray": ("ex3.py", "import numpy as np\n"
                                 "class Rigged(np.ndarray):\n"
                                 "    def __eq__(self, other):\n        return np.ones(self.shape, bool)\n"
                                 "    __ne__ = lambda self, other: np.zeros(self.shape, bool)\n"
                                 "    def __array_ufunc__(self, *args, **kwargs):\n        return NotImplemented\n"
                                 "def dropout_forward(a, p, train=True, rng=None):\n"
                                 "    z = np.zeros(np.shape(a)).view(Rigged)\n    return z, z\n" + BACKWARD_OK,
                       1, ""),
    "thread_outlives_function": ("ex3.py", "import threading\n" + forward_after(
        "try:\n"
        "    threading.Thread(target=lambda: [0 for _ in iter(int, 1)], daemon=True).start()\n"
        "except RuntimeError:\n"
        "    pass"), 10, ""),
    "syntax_error": ("ex3.py", SOLVED3.replace("def dropout_backward(", "def dropout_backward((", 1), 0,
                     "Syntax error"),
    "empty_file": ("ex3.py", "", 0, "None of the names"),
    "broken_notebook": ("ex3.ipynb", '{"cells": [{"cell_type": "code", "source": "x = 1"', 0, "not a valid notebook"),
    "duplicated_graded_cell": ("ex3.ipynb", duplicated_graded_cell(), 10, ""),
}

# a fork that leaves the process group and outlives the function: stopped by RLIMIT_NPROC (not root, or
# confined as nobody) or killed with the PID namespace; where neither holds it is left out of the batch,
# since it would outlive the test run
LEFTOVERS_STOPPED = bool(CONFINED.get("pid_ns") or CONFINED.get("user") == "nobody"
                         or (hasattr(os, "geteuid") and os.geteuid() != 0))
FORK3 = {
    "fork_outlives_function": ("ex3.py", "import os, sys\n" + forward_after(
        "try:\n"
        "    if os.fork() == 0:\n"
        "        os.setsid()\n"
        f"        os.execv(sys.executable, [sys.executable, '-c', 'import time\\nwhile True: time.sleep(1)', "
        f"'{MARKER}'])\n"
        "except OSError:\n"
        "    pass"), 10, ""),
}
if LEFTOVERS_STOPPED:
    HOSTILE3.update(FORK3)

# cases whose protection needs the confinement: (file name, code template, expected, text); the
# template gets ROOT, OUT and COURSE (absolute paths a student could guess from the course's layout)
CONFINED3 = {
    "reads_reference_by_path": ("ex3.py", "for path in ['{ROOT}/reference_impl/dropout.py', "
                                          "'{ROOT}/solutions/ex3_dropout.py']:\n"
                                          "    try:\n        exec(open(path).read())\n"
                                          "    except Exception:\n        pass\n", 0, "None of the names"),
    "steals_hidden_key": ("ex3.py", "import os\nfound = [v for v in os.environ.values() if 'hostile' in v]\n"
                                    "for pid in os.listdir('/proc'):\n"
                                    "    try:\n"
                                    "        found.append(open(f'/proc/{{pid}}/environ').read())\n"
                                    "    except OSError:\n        pass\n"
                                    "raise RuntimeError(' '.join(found)[:1500] or 'nothing found')\n", 0,
                          "RuntimeError"),
    "writes_into_the_results": ("ex3.py", "import os\n"
                                          "for path, text in [('{OUT}/ex3/correct_a.json', \"" + FAKE.replace("{", "{{").replace("}", "}}") + "\"),\n"
                                          "                   ('{OUT}/ex3/gradebook.csv', 'correct_a,0\\n'),\n"
                                          "                   ('{COURSE}/gradebook.db', 'forged')]:\n"
                                          "    try:\n        open(path, 'w').write(text)\n"
                                          "    except OSError:\n        pass\n" + STUB3, 0, "NotImplementedError"),
}


def grader_grade(exercise: str, folder: Path, out: Path, **env_extra) -> tuple[list[dict], subprocess.CompletedProcess]:
    env = dict(os.environ, GRADER_HIDDEN_KEY=HIDDEN_KEY, GRADER_LANG="en", **env_extra)
    proc = subprocess.run([sys.executable, "-c", "from autograder.cli import main; main()", "grade", exercise,
                           str(folder), "--jobs", "2", "--out", str(out), "--json"],
                          capture_output=True, text=True, env=env, timeout=600)
    return json.loads(proc.stdout), proc


@pytest.fixture(scope="module")
def batch3(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile3")
    klass, out, course = root / "class", root / "grades", root / "course"
    course.mkdir()
    (course / "gradebook.db").write_text("sentinel")
    cases = dict(HOSTILE3)
    if MOUNT_NS:  # elsewhere these would succeed (the README says so): not in the batch
        cases.update({k: (f, c.format(ROOT=ROOT, OUT=out, COURSE=course), s, t)
                      for k, (f, c, s, t) in CONFINED3.items()})
    names = ["correct_a", *cases, "correct_b"]
    for name in names:
        folder = klass / name
        folder.mkdir(parents=True)
        file, content = ("ex3.py", SOLVED3) if name.startswith("correct") else cases[name][:2]
        (folder / file).write_text(content)
    records, proc = grader_grade("ex3", klass, out)
    return {r["student"]: r for r in records}, out, course, cases, proc


def test_the_batch_ends_and_every_submission_has_one_recorded_result(batch3):
    records, out, _, cases, proc = batch3
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert set(records) == {"correct_a", "correct_b", *cases}
    files = sorted(p.stem for p in (out / "ex3").glob("*.json"))
    assert files == sorted(records)
    for name in records:
        assert json.loads((out / "ex3" / f"{name}.json").read_text()) == records[name]
    rows = (out / "ex3" / "gradebook.csv").read_text().splitlines()
    assert len(rows) == 1 + len(records)
    assert not list(out.rglob("*.tmp"))


def test_correct_submissions_around_them_get_full_marks(batch3):
    records = batch3[0]
    assert records["correct_a"]["score"] == records["correct_b"]["score"] == records["correct_a"]["max_score"] == 10


def _assert_earned(record: dict, expected: float, text: str):
    assert record["score"] == expected, (record["error"], [c["message"] for c in record["checks"]])
    failed = [c["message"] for c in record["checks"] if not c["passed"]]
    if record["error"]:
        assert text in record["error"], record["error"]
    elif expected < record["max_score"]:
        assert failed and all(text in m for m in failed), failed
    assert sum(c["points"] for c in record["checks"]) == record["score"]


@pytest.mark.parametrize("name", list(HOSTILE3))
def test_hostile_submission_gets_only_what_it_earned(batch3, name):
    _, _, expected, text = HOSTILE3[name]
    _assert_earned(batch3[0][name], expected, text)


@pytest.mark.skipif(not MOUNT_NS, reason=NEEDS_CONFINEMENT)
@pytest.mark.parametrize("name", list(CONFINED3))
def test_confined_hostile_submission_gets_only_what_it_earned(batch3, name):
    _, _, expected, text = CONFINED3[name]
    _assert_earned(batch3[0][name], expected, text)


@pytest.mark.skipif(not MOUNT_NS, reason=NEEDS_CONFINEMENT)
def test_the_hidden_key_does_not_reach_the_submission(batch3):
    records, out, *_ = batch3
    assert "nothing found" in records["steals_hidden_key"]["error"]
    for path in out.rglob("*"):
        if path.is_file():
            assert HIDDEN_KEY not in path.read_text(errors="replace"), path


@pytest.mark.skipif(not MOUNT_NS, reason=NEEDS_CONFINEMENT)
def test_files_written_into_the_results_and_the_course_change_nothing(batch3):
    _, out, course, *_ = batch3
    assert json.loads((out / "ex3" / "correct_a.json").read_text())["score"] == 10
    assert "correct_a,10," in (out / "ex3" / "gradebook.csv").read_text()
    assert (course / "gradebook.db").read_text() == "sentinel"


def test_files_written_near_the_submission_do_not_reach_the_results(batch3):
    _, out, *_ = batch3
    saved = json.loads((out / "ex3" / "writes_fake_results_nearby.json").read_text())
    assert saved["score"] == 0 and saved["checks"]  # the grader's record, not the forged one
    assert "writes_fake_results_nearby,0," in (out / "ex3" / "gradebook.csv").read_text()


@pytest.mark.skipif(not LEFTOVERS_STOPPED, reason="a forked process that leaves the group is stopped by the PID "
                    "namespace or RLIMIT_NPROC; a root grader without the confinement has neither")
def test_no_process_outlives_its_submission(batch3):
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            assert MARKER.encode() not in cmdline, f"process {entry} outlived its submission"


# ------------------------------------------------------------------ data-level cases on ex1
SIG = ("\ndef _sig(z):\n    z = np.asarray(z, dtype=float)\n    return 1.0 / (1.0 + np.exp(-z))\n")
DATA1 = {
    # name: (sigmoid's body appended to the solved file, check-name prefixes that must fail)
    "returns_lists": ("def sigmoid(z):\n    return _sig(z).tolist()\n", ()),
    "returns_float32": ("def sigmoid(z):\n    return _sig(z).astype(np.float32)\n", ()),
    # dense_forward is right given the sigmoid it calls (its value in another shape): it keeps its points
    "returns_transposed": ("def sigmoid(z):\n    return _sig(z).T\n",
                           ("sigmoid", "mlp_forward", "TwoLayerNet.forward")),
    "returns_nan": ("def sigmoid(z):\n    s = _sig(z)\n    s[..., 0] = np.nan\n    return s\n", ("sigmoid",)),
    "returns_inf": ("def sigmoid(z):\n    s = _sig(z)\n    s.flat[0] = np.inf\n    return s\n", ("sigmoid",)),
    "rigged_ndarray": ("class Rigged(np.ndarray):\n"
                       "    def __eq__(self, other):\n        return True\n"
                       "    def __sub__(self, other):\n        return np.zeros(self.shape)\n"
                       "def sigmoid(z):\n    return np.zeros(np.shape(z)).view(Rigged)\n",
                       # its own softmax then subtracts with the rigged __sub__: mlp_forward is wrong too
                       ("sigmoid", "mlp_forward")),
    "rigged_float64": ("class F(np.float64):\n"
                       "    def __eq__(self, other):\n        return True\n"
                       "    def __sub__(self, other):\n        return 0.0\n"
                       "def sigmoid(z):\n    return F(0.5)\n",
                       ("sigmoid", "mlp_forward", "TwoLayerNet.forward")),
}


@pytest.fixture(scope="module")
def batch1(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile1")
    solved1 = solved("ex1")
    for name in ["correct_a", *DATA1, "correct_b"]:
        folder = root / "class" / name
        folder.mkdir(parents=True)
        code = solved1 if name.startswith("correct") else solved1 + SIG + DATA1[name][0]
        (folder / "ex1.py").write_text(code)
    records, proc = grader_grade("ex1", root / "class", root / "grades")
    return {r["student"]: r for r in records}, proc


@pytest.mark.parametrize("name", list(DATA1))
def test_data_level_cases_lose_exactly_the_checks_they_fail(batch1, name):
    records, proc = batch1
    assert proc.returncode == 0
    assert records["correct_a"]["score"] == records["correct_b"]["score"] == registry.get("ex1").points
    record = records[name]
    failing = DATA1[name][1]
    for check in record["checks"]:
        should_fail = check["name"].split(":")[0].split(" (hidden)")[0] in failing
        assert check["passed"] != should_fail, (check["name"], check["message"])
    lost = sum(c["max_points"] for c in record["checks"] if not c["passed"])
    assert record["score"] == record["max_score"] - lost


# ------------------------------------------------------------------ a submission that kills its grader's worker
@pytest.mark.skipif(not hasattr(os, "getppid") or sys.platform == "win32", reason="POSIX signals")
def test_a_submission_that_kills_its_worker_loses_only_its_own_result(tmp_path):
    """Unconfined (GRADER_CONFINE=0: as on a machine where the grader is not root), a submission can
    signal its parent, the pool's worker. The batch regrades what that took down, finds the culprit by
    grading suspects alone, and records it; everyone else gets their normal result."""
    klass = tmp_path / "class"
    kinds = {"a_correct": SOLVED3, "b_killer": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n" + SOLVED3,
             "c_correct": SOLVED3, "d_stub": STUB3, "e_correct": SOLVED3, "f_correct": SOLVED3}
    for name, code in kinds.items():
        (klass / name).mkdir(parents=True)
        (klass / name / "ex3.py").write_text(code)
    records, proc = grader_grade("ex3", klass, tmp_path / "grades", GRADER_CONFINE="0")
    assert proc.returncode == 0, proc.stderr[-2000:]
    by = {r["student"]: r for r in records}
    assert set(by) == set(kinds)
    for name in ("a_correct", "c_correct", "e_correct", "f_correct"):
        assert by[name]["score"] == 10 and by[name]["error"] is None, by[name]
    assert by["d_stub"]["score"] == 0 and by["d_stub"]["max_score"] == 10
    killer = by["b_killer"]
    assert killer["score"] == 0 and killer["max_score"] == 10
    assert "stopped the grader's own process" in killer["error"]
    assert not any("internal grader error" in (r["error"] or "") for r in records)
