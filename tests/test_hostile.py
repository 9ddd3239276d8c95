"""Hostile submissions in a batch with correct ones around them: each ends with a recorded
result, a clear message and no points it did not earn, and the batch goes on."""
import json

import pytest

from autograder import authoring
from autograder.batch import Submission, grade_batch
from autograder.sandbox import Limits

LIMITS = Limits(load_timeout_s=3.0, call_timeout_s=1.5, total_timeout_s=30.0)

SOURCE = authoring.source_path("ex3")
SOLVED = authoring.student_script("ex3", authoring.parse(SOURCE.read_text()), keep_solutions=True)
STUB = (authoring.EXERCISES / "ex3_dropout.py").read_text()
BACKWARD_OK = ("def dropout_backward(dout, mask):\n"
               "    return dout if mask is None else dout * mask\n")

HOSTILE = {
    # name: (code, expected score, text expected in the error or in every failed message)
    "loop_at_import": ("while True:\n    pass\n", 0, "did not finish loading"),
    "loop_in_function": ("def dropout_forward(a, p, train=True, rng=None):\n    while True:\n        pass\n"
                         + BACKWARD_OK, 1, "did not return"),
    "sys_exit_at_import": ("import sys\nsys.exit(0)\n", 0, "SystemExit"),
    "os_exit_in_function": ("import os\ndef dropout_forward(a, p, train=True, rng=None):\n    os._exit(0)\n"
                            + BACKWARD_OK, 1, "stopped the Python process"),
    "keyboard_interrupt": ("def dropout_forward(a, p, train=True, rng=None):\n    raise KeyboardInterrupt\n"
                           + BACKWARD_OK, 1, "KeyboardInterrupt"),
    "monkeypatch_numpy": ("import numpy as np, builtins\n"
                          "np.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: True\n"
                          "np.array_equal = lambda *a, **k: True\nnp.testing.assert_allclose = lambda *a, **k: None\n"
                          "builtins.abs = lambda x: 0\n"
                          "def dropout_forward(a, p, train=True, rng=None):\n    return a * 0, a * 0\n"
                          "def dropout_backward(dout, mask):\n    return dout * 0\n", 0, ""),
    "imports_reference": ("try:\n    from reference_impl import dropout_forward, dropout_backward\n"
                          "except ImportError:\n    pass\n", 0, "None of the names"),
    "fake_json_output": ("print(json.dumps({'exercise': 'ex3', 'score': 10.0, 'max_score': 10.0, 'checks': [], 'error': None}))\n"
                         .replace("print(", "import json\nprint(", 1) + STUB, 0, "NotImplementedError"),
    "writes_fake_results": ("import json, os\n"
                            "fake = {'student': 'writes_fake_results', 'score': 10.0, 'max_score': 10.0}\n"
                            "for base in (os.getcwd(), os.environ.get('HOME', '.'), '..'):\n"
                            "    try:\n"
                            "        os.makedirs(os.path.join(base, 'grades', 'ex3'), exist_ok=True)\n"
                            "        with open(os.path.join(base, 'grades', 'ex3', 'writes_fake_results.json'), 'w') as f:\n"
                            "            json.dump(fake, f)\n"
                            "    except OSError:\n"
                            "        pass\n" + STUB, 0, "NotImplementedError"),
    "recursion": ("def dropout_forward(a, p, train=True, rng=None):\n    return dropout_forward(a, p, train, rng)\n"
                  + BACKWARD_OK, 1, "RecursionError"),
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    subs = []
    for name in ["correct_a", *HOSTILE, "correct_b"]:
        folder = root / name
        folder.mkdir()
        code = SOLVED if name.startswith("correct") else HOSTILE[name][0]
        (folder / "ex3_dropout.py").write_text(code)
        subs.append(Submission(name, folder / "ex3_dropout.py"))
    out = root / "grades"
    records = grade_batch("ex3", subs, out, jobs=2, limits=LIMITS)
    return {r["student"]: r for r in records}, out


def test_every_submission_has_a_recorded_result(batch):
    records, out = batch
    assert set(records) == {"correct_a", "correct_b", *HOSTILE}
    for name in records:
        assert json.loads((out / "ex3" / f"{name}.json").read_text())["student"] == name


def test_correct_submissions_around_them_get_full_marks(batch):
    records, _ = batch
    assert records["correct_a"]["score"] == records["correct_b"]["score"] == 10


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_submission_gets_only_what_it_earned(batch, name):
    records, _ = batch
    _, expected, text = HOSTILE[name]
    record = records[name]
    assert record["score"] == expected
    failed = [c["message"] for c in record["checks"] if not c["passed"]]
    if record["error"]:
        assert text in record["error"]
    else:
        assert failed and all(text in m for m in failed), failed


def test_files_written_by_a_submission_do_not_reach_the_results(batch):
    records, out = batch
    saved = json.loads((out / "ex3" / "writes_fake_results.json").read_text())
    assert saved["score"] == 0 and saved["checks"]  # the grader's record, not the forged one
    assert "writes_fake_results,0," in (out / "ex3" / "gradebook.csv").read_text()
