"""ex3 (dropout) submissions' pieces, for tests that need a real submission to grade."""
import json

FORWARD = '''def dropout_forward(a, p, train=True, rng=None):
    if not train:
        return a, None
    if rng is None:
        rng = np.random.default_rng()
    mask = (rng.random(a.shape) < p) / p
    return a * mask, mask
'''
BACKWARD = '''def dropout_backward(dout, mask):
    return dout if mask is None else dout * mask
'''
#: the whole correct file (full marks)
CORRECT = "import numpy as np\n\n" + FORWARD + "\n" + BACKWARD
#: a classic mistake: no 1/p scaling, and the output scaled by p in test mode (7/10)
WRONG_FORWARD = '''def dropout_forward(a, p, train=True, rng=None):
    if not train:
        return a * p, None
    if rng is None:
        rng = np.random.default_rng()
    mask = (rng.random(a.shape) < p).astype(float)
    return a * mask, mask
'''


def student_notebook(released: dict, answers: dict) -> dict:
    """The released notebook with the answer cells ``sol_<name>`` replaced by ``answers[name]``."""
    nbk = json.loads(json.dumps(released))
    for cell in nbk["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        if grade_id.startswith("sol_") and grade_id[4:] in answers:
            cell["source"] = answers[grade_id[4:]].splitlines(True)
    return nbk


def submit(course, student: str, name: str, data: bytes, stamp: str | None, exercise: str = "ex3") -> None:
    """Hand in ``data`` as ``student``'s ``name`` in the course (``submitted/<student>/<exercise>/``), with
    nbgrader's timestamp.txt holding ``stamp`` (none when None)."""
    folder = course.submitted(student, exercise)
    folder.mkdir(parents=True)
    (folder / name).write_bytes(data)
    if stamp is not None:
        (folder / "timestamp.txt").write_text(stamp)
