"""Gradescope: the ``autograder.zip`` of one exercise, and the grading it runs inside Gradescope's container.

Gradescope's autograder specification (its documentation, "Autograder Specifications"): the zip is
unpacked into ``/autograder/source``; ``setup.sh`` runs once when the image is built; for each
submission, ``run_autograder`` runs with the student's files in ``/autograder/submission`` and must
write ``/autograder/results/results.json``::

    {"score": float, "execution_time": int, "output": str, "output_format": "text",
     "visibility": "visible", "stdout_visibility": "hidden",
     "tests": [{"name": str, "name_format": "text", "number": str, "score": float, "max_score": float,
                "status": "passed" | "failed", "output": str, "output_format": "text",
                "visibility": "visible" | "after_due_date", "tags": [str]}]}

What we put there:

* one test per check, in the check's order; public checks ``visible``, hidden checks
  ``after_due_date`` (Gradescope shows them once the due date has passed), with the message a
  student may read (:meth:`CheckResult.student_message`: a failed hidden check never shows its
  inputs);
* the submission is graded by :func:`autograder.grading.grade_file`, in the same sandbox and
  confinement as ``grader grade``, with the hidden checks, keyed by the course's secret that
  ``grader gradescope`` copies into the zip (``hidden_key``: the zip goes to Gradescope, never to
  students);
* anything that stops grading (no submission file, a broken notebook, a crash of the grader itself)
  still writes a ``results.json``: score 0 and one line saying why, so Gradescope never shows
  "the autograder failed to produce output".

The zip holds ``setup.sh`` (installs the wheel, with the ``keras`` extra for Keras/scikit-learn
exercises, and Fashion-MNIST for ex12), ``run_autograder`` (``python3 -m autograder.gradescope run``),
``config.json`` (exercise, language), ``hidden_key`` and the instructor package as a wheel built
from this repository (``reference_impl`` included: it computes the hidden cases).
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import sys
import tempfile
import time
import zipfile
from pathlib import Path

#: Gradescope's root; ``$GRADER_GRADESCOPE_ROOT`` stands in for it (tests, a dry run on one's machine)
ROOT = Path("/autograder")
ROOT_ENV = "GRADER_GRADESCOPE_ROOT"
#: what a test's output may hold (Gradescope stores it; a submission's text is bounded before it)
MAX_OUTPUT = 8000

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu).
set -euo pipefail
apt-get update -q
apt-get install -y -q python3 python3-pip python3-venv{apt}
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --quiet "$(ls /autograder/source/*.whl){extra}"
"""
RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for each submission: grade /autograder/submission into /autograder/results.
cd "${GRADER_GRADESCOPE_ROOT:-/autograder}/source"
PYTHON=/autograder/venv/bin/python
[ -x "$PYTHON" ] || PYTHON=python3
exec "$PYTHON" -m autograder.gradescope run
"""


def _root() -> Path:
    return Path(os.environ.get(ROOT_ENV) or ROOT)


def _plain(text: str) -> str:
    text = str(text)
    return text if len(text) <= MAX_OUTPUT else text[:MAX_OUTPUT] + " …"


def results_document(result, lang: str, seconds: float) -> dict:
    """Gradescope's results.json for one graded submission (an :class:`~autograder.results.ExerciseResult`)."""
    tests = []
    for number, check in enumerate(result.checks, 1):
        tests.append({
            "name": check.title(lang), "name_format": "text", "number": str(number),
            "score": float(check.points), "max_score": float(check.max_points),
            "status": "passed" if check.passed else "failed",
            "output": _plain(check.student_message(lang, result.exercise)), "output_format": "text",
            "visibility": "after_due_date" if check.hidden else "visible",
            "tags": [check.id] + (["hidden"] if check.hidden else []),
        })
    output = [result.error] if result.error else []
    output += list(result.notes)
    return {"score": float(result.score), "execution_time": int(round(seconds)),
            "output": _plain("\n".join(output)), "output_format": "text", "test_output_format": "text",
            "visibility": "visible", "stdout_visibility": "hidden", "tests": tests}


def failed_document(message: str, seconds: float = 0.0) -> dict:
    """results.json for a submission that could not be graded at all: score 0 and why."""
    return {"score": 0.0, "execution_time": int(round(seconds)), "output": _plain(message), "output_format": "text",
            "visibility": "visible", "stdout_visibility": "hidden", "tests": []}


def run(root: Path | None = None) -> dict:
    """Grade ``root/submission`` as ``root/source/config.json`` says and write ``root/results/results.json``;
    returns the document. Never raises for a submission's fault or the grader's: the document says it."""
    root = Path(root or _root())
    start = time.perf_counter()
    results = root / "results"
    results.mkdir(parents=True, exist_ok=True)
    try:
        document = _grade(root, start)
    except Exception as exc:  # noqa: BLE001 - a results.json must be written whatever happened
        document = failed_document(f"The autograder could not grade this submission ({type(exc).__name__}: "
                                   f"{str(exc)[:500]}). Tell your instructor.", time.perf_counter() - start)
    (results / "results.json").write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return document


def _grade(root: Path, start: float) -> dict:
    from .grading import grade_file
    from .messages import t
    from .submissions import find_submission_file

    config = json.loads((root / "source" / "config.json").read_text(encoding="utf-8"))
    exercise, lang = str(config["exercise"]), str(config.get("lang", "en"))
    key = (root / "source" / "hidden_key").read_text(encoding="utf-8").strip()
    folder = root / "submission"
    path = find_submission_file(folder, exercise) if folder.is_dir() else None
    if path is None:
        from . import registry

        ex = registry.get(exercise)
        return failed_document(t("gradescope_no_file", lang, ex=ex.id, slug=ex.slug.replace("-", "_")),
                               time.perf_counter() - start)
    result = grade_file(exercise, path, hidden=True, lang=lang, hidden_key=key)
    return results_document(result, lang, time.perf_counter() - start)


# ------------------------------------------------------------------ building the zip
class BuildError(RuntimeError):
    """The zip could not be built (not run from the repository); the message says why."""


#: the extras a Gradescope image installs with the wheel (the others are the instructor's workstation's)
WHEEL_EXTRAS = ("keras",)


def _requirement(req: str, extra: str | None = None) -> str:
    """A pyproject requirement as a Requires-Dist line's value, under ``extra`` when given."""
    if extra is None:
        return req
    spec, _, marker = req.partition(";")
    marker = f"({marker.strip()}) and extra == \"{extra}\"" if marker.strip() else f"extra == \"{extra}\""
    return f"{spec.strip()}; {marker}"


def _wheel(out: Path) -> Path:
    """The instructor package (this repository's ``autograder`` and ``reference_impl``) as a pure-Python wheel
    in ``out``, written here (PEP 427) from pyproject.toml: no build backend, no download."""
    import base64
    import hashlib
    import tomllib

    from . import __version__

    repo = Path(__file__).resolve().parent.parent
    pyproject = repo / "pyproject.toml"
    if not pyproject.is_file() or not (repo / "reference_impl").is_dir():
        raise BuildError(f"{repo} is not the nn-grader repository (no pyproject.toml or reference_impl/): "
                         "build the zip from a clone")
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    requires = [_requirement(r) for r in project.get("dependencies", [])]
    for extra in WHEEL_EXTRAS:
        requires += [_requirement(r, extra) for r in project["optional-dependencies"][extra]]
    metadata = "".join([f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {__version__}\n",
                        f"Summary: {project.get('description', '')}\n",
                        f"Requires-Python: {project.get('requires-python', '>=3.10')}\n",
                        *(f"Provides-Extra: {e}\n" for e in WHEEL_EXTRAS),
                        *(f"Requires-Dist: {r}\n" for r in requires)])
    scripts = "".join(f"{k} = {v}\n" for k, v in project.get("scripts", {}).items())
    dist = f"nn_grader-{__version__}.dist-info"
    files = {str(p.relative_to(repo)): p.read_bytes()
             for package in ("autograder", "reference_impl") for p in sorted((repo / package).rglob("*"))
             if p.is_file() and p.suffix in (".py", ".json") and "__pycache__" not in p.parts}
    files[f"{dist}/METADATA"] = metadata.encode()
    files[f"{dist}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: nn-grader\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files[f"{dist}/entry_points.txt"] = f"[console_scripts]\n{scripts}".encode()
    record = []
    for name, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append(f"{dist}/RECORD,,")
    files[f"{dist}/RECORD"] = ("\n".join(record) + "\n").encode()
    wheel = out / f"nn_grader-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return wheel


def build(exercise: str, out_dir, hidden_key: str, lang: str = "en") -> Path:
    """Write ``out_dir/autograder-<exercise>.zip`` for Gradescope; returns its path. The files sit at the
    zip's root, as Gradescope requires."""
    from . import registry

    ex = registry.get(exercise)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"autograder-{ex.id}.zip"
    with tempfile.TemporaryDirectory(prefix="gradescope-") as tmp:
        stage = Path(tmp)
        wheel = _wheel(stage)
        apt = " dataset-fashion-mnist" if ex.id == "ex12" else ""
        extra = "[keras]" if ex.needs != "numpy" else ""
        files = {
            "setup.sh": SETUP_SH.format(apt=apt, extra=extra),
            "run_autograder": RUN_AUTOGRADER,
            "config.json": json.dumps({"exercise": ex.id, "lang": lang}, indent=1) + "\n",
            "hidden_key": hidden_key.strip() + "\n",
        }
        partial = target.with_suffix(".zip.part")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as z:
            for name, text in files.items():
                info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
                mode = 0o755 if name in ("setup.sh", "run_autograder") else 0o644
                if name == "hidden_key":
                    mode = 0o600
                info.external_attr = (stat.S_IFREG | mode) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, text)
            z.write(wheel, wheel.name)
        shutil.move(partial, target)  # no half-made zip is ever left under the final name
    return target


def main(argv=None) -> int:
    """``python -m autograder.gradescope run [ROOT]``: what ``run_autograder`` calls."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] != "run" or len(args) > 2:
        print("usage: python -m autograder.gradescope run [ROOT]   (ROOT: /autograder)", file=sys.stderr)
        return 2
    document = run(Path(args[1]) if len(args) == 2 else None)
    print(f"score {document['score']:g}; {len(document['tests'])} tests written to results/results.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
