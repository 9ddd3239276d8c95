"""`grader demo`: a whole course graded end to end, offline, from the exercises in this repository.

Builds an nbgrader course (ex1–ex5, ex10 and ex11, and the optional Keras exercise ex12 when
Fashion-MNIST is installed), validates and releases every exercise, generates a class of 30 students
from the solutions — most correct, some with one of the course's classic mistakes, some who did not
attempt an exercise, one broken notebook, one infinite loop; two who handed in the optional ex12 —
collects them, grades every exercise in parallel into the gradebook, writes feedback pages, class
reports and the LMS export, and returns a summary.
"""
from __future__ import annotations

import json
import shutil
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from . import CourseDir, notebook_name
from .grade import grade_course
from .release import release
from .setup import init_course

EXERCISES = ("ex1", "ex2", "ex3", "ex4", "ex5", "ex10", "ex11")
#: optional exercises, graded for the first few students only (a Keras search costs ~40 s a submission):
#: exercise -> what students 1, 2, … handed in; the others hand in nothing
OPTIONAL = {"ex12": ("correct", "learning rate ignored")}
N_STUDENTS = 30

#: one classic mistake per exercise, as an edit of the solution's code: (what, old, new)
MISTAKES = {
    "ex1": ("softmax over rows", "axis=0, keepdims=True", "axis=1, keepdims=True"),
    "ex2": ("ReLU′(0) = 1", "return (z > 0).astype(float)", "return (z >= 0).astype(float)"),
    "ex3": ("dropout without /p", "mask = (rng.random(a.shape) < p) / p", "mask = (rng.random(a.shape) < p) * 1.0"),
    "ex4": ("decay (1 − ηλ)", "return W * (1 - 2 * eta * lam) - eta * dW", "return W * (1 - eta * lam) - eta * dW"),
    "ex5": ("Nesterov as plain momentum", "next_w = w + mu * velocity - lr * dw", "next_w = w + velocity"),
    "ex10": ("layer norm with ε outside the root", "inv_std = 1.0 / np.sqrt(var + eps)",
             "inv_std = 1.0 / (np.sqrt(var) + eps)"),
    "ex11": ("EI with Φ and φ swapped", "imp * norm_cdf(z) + sigma * norm_pdf(z)",
             "imp * norm_pdf(z) + sigma * norm_cdf(z)"),
    "ex12": ("learning rate ignored", "optimizer=keras.optimizers.Adam(learning_rate=float(learning_rate))",
             'optimizer="adam"'),
}
#: what a student who hands nothing in for an optional exercise has (no submission is written)
NOTHING = "nothing handed in"


def unavailable(ex: str) -> str | None:
    """Why an optional exercise cannot be part of the demo here (ex12: Fashion-MNIST missing), or None."""
    if ex == "ex12":
        from ..data import fashion_mnist_source

        if fashion_mnist_source() is None:
            return "Fashion-MNIST is not installed (apt install dataset-fashion-mnist)"
    return None


def exercises() -> tuple[str, ...]:
    """The demo's exercises on this machine: EXERCISES, and the optional ones whose data are here."""
    return EXERCISES + tuple(ex for ex in OPTIONAL if unavailable(ex) is None)
LOOP = "    while True:  # the student's infinite loop\n        pass\n"
#: written into every demo course this command makes: only such a folder is ever replaced
MARKER = ".grader-demo"


class DemoRefused(Exception):
    """The demo's folder exists and is not a demo course (``path``): nothing is touched."""

    def __init__(self, path: Path):
        self.path = path
        super().__init__(self.text("en"))

    def text(self, lang: str = "en") -> str:
        from ..messages import t

        return t("demo_refused", lang, path=str(self.path))


def _clear_demo_folder(root: Path) -> None:
    """Make room for the demo: an absent or empty folder is used, a demo course made by this command
    (it holds :data:`MARKER`) is replaced, anything else is refused."""
    if not root.exists():
        return
    if root.is_dir() and not root.is_symlink():
        if not any(root.iterdir()):
            return
        if (root / MARKER).is_file():
            shutil.rmtree(root)
            return
    raise DemoRefused(root)


@dataclass
class DemoResult:
    course: CourseDir
    scores: dict = field(default_factory=dict)      # student -> {exercise: score}
    max_scores: dict = field(default_factory=dict)  # exercise -> max
    profiles: dict = field(default_factory=dict)    # student -> what they submitted
    files: list = field(default_factory=list)


def _edit_solutions(nb: dict, old: str, new: str) -> dict:
    out = json.loads(json.dumps(nb))
    hits = 0
    for cell in out["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            text = "".join(cell["source"])
            if old in text:
                hits += 1
                cell["source"] = text.replace(old, new).splitlines(True)
    if not hits:
        raise ValueError(f"demo mistake {old!r} not found in the solution")
    return out


def _loop_first_function(nb: dict) -> dict:
    """The solution with an endless loop at the start of its first function."""
    out = json.loads(json.dumps(nb))
    for cell in out["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            lines = "".join(cell["source"]).splitlines(True)
            at = next(i for i, ln in enumerate(lines) if ln.startswith("def ")) + 1
            cell["source"] = lines[:at] + [LOOP] + lines[at:]
            return out
    raise ValueError("no solution cell")


def _profile(i: int, ex: str, n: int, pathological: bool) -> str:
    """What student i of n handed in for exercise ex."""
    if ex in OPTIONAL:
        return OPTIONAL[ex][i] if i < len(OPTIONAL[ex]) else NOTHING
    if pathological and i == n - 1 and ex == "ex3":
        return "broken notebook"
    if pathological and i == n - 2 and ex == "ex3":
        return "infinite loop"
    if i >= n - 5 and ex in ("ex4", "ex5"):
        return "not attempted"
    if 0.4 * n <= i < 0.8 * n and (i + EXERCISES.index(ex)) % 3 == 0:
        return MISTAKES[ex][0]
    return "correct"


def build_class(course: CourseDir, n: int = N_STUDENTS, pathological: bool = True,
                exercise_ids: tuple[str, ...] = EXERCISES) -> dict:
    """Write submitted/<student>/<ex>/<notebook> for a class of n; returns the profiles (a student who
    handed nothing in for an optional exercise has no profile for it).
    ``pathological`` adds the broken notebook and the infinite loop."""
    profiles: dict = {}
    for ex in exercise_ids:
        name = notebook_name(ex)
        solution = json.loads((course.source(ex) / name).read_text(encoding="utf-8"))
        student_version = json.loads((course.release(ex) / name).read_text(encoding="utf-8"))
        for i in range(n):
            student = f"student{i + 1:02d}"
            profile = _profile(i, ex, n, pathological)
            if profile == NOTHING:
                continue
            profiles.setdefault(student, {})[ex] = profile
            folder = course.submitted(student, ex)
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / name
            if profile == "broken notebook":
                text = json.dumps(solution)[: len(json.dumps(solution)) // 2]
            elif profile == "infinite loop":
                text = json.dumps(_loop_first_function(solution))
            elif profile == "not attempted":
                text = json.dumps(student_version)
            elif profile == "correct":
                text = json.dumps(solution)
            else:
                _, old, new = MISTAKES[ex]
                text = json.dumps(_edit_solutions(solution, old, new))
            path.write_text(text, encoding="utf-8")
            (folder / "timestamp.txt").write_text("2026-11-20 09:00:00")
    return profiles


def run_demo(root, jobs: int = 2, progress=None, say=None) -> DemoResult:
    """Build, grade and report the demo course in ``root``.

    ``say(key, **fields)`` hears each stage (``key`` names a text of
    :mod:`autograder.messages`); ``progress(exercise, total)`` is entered around the grading of
    each exercise and yields the callback called after each submission
    (:func:`autograder.render.progress_bar` fits). Both are optional.
    """
    root = Path(root)
    _clear_demo_folder(root)
    tell = say or (lambda key, **fields: None)
    exercise_ids = exercises()
    for ex in OPTIONAL:
        if ex not in exercise_ids:
            tell("demo_optional_skipped", ex=ex, reason=unavailable(ex))
    tell("demo_course", path=str(root), exercises=", ".join(exercise_ids))
    start = time.perf_counter()
    root.mkdir(parents=True, exist_ok=True)
    (root / MARKER).write_text("made by `grader demo`: rerunning it replaces this folder\n", encoding="utf-8")
    course = init_course(root, exercise_ids, course_id="nn-demo")
    tell("demo_created", path=str(root), seconds=time.perf_counter() - start)
    for ex in exercise_ids:
        start = time.perf_counter()
        validation = release(course, ex)
        if not validation.ok:
            raise RuntimeError(f"{ex} failed validation: {validation.problems}")
        tell("demo_released", ex=ex, seconds=time.perf_counter() - start)
    result = DemoResult(course, profiles=build_class(course, exercise_ids=exercise_ids))
    tell("demo_class", n=len(result.profiles), jobs=jobs)
    from ..batch import shared_pools
    from ..export import write_exports

    writing = 0.0
    with shared_pools():  # one pool of workers for every exercise
        for ex in exercise_ids:
            writing += _grade_and_report(course, ex, result, jobs, progress)
    start = time.perf_counter()
    result.files += write_exports(course.grades(), course.exports())
    tell("demo_reports", seconds=writing + time.perf_counter() - start)
    return result


def _grade_and_report(course, ex: str, result, jobs: int, progress) -> float:
    """Grade the demo class's ``ex`` into ``result``, write its feedback and report; the seconds writing took."""
    from .. import registry
    from ..feedback import write_feedback
    from ..report import write_report

    handed_in = sum(ex in p for p in result.profiles.values())
    with (progress(ex, handed_in) if progress else nullcontext(None)) as advance:
        graded = grade_course(course, ex, jobs=jobs, progress=advance)
    result.max_scores[ex] = registry.get(ex).points
    for rec in graded.records:
        result.scores.setdefault(rec.student, {})[ex] = rec.score
    start = time.perf_counter()
    result.files += write_feedback(course.grades(), ex, course.feedback_html(ex), "en")
    report = course.reports() / f"{ex}.html"
    write_report(course.grades(), ex, report, "en")
    result.files.append(report)
    return time.perf_counter() - start
