"""The student distribution (issue 10): the checker, and nothing to copy.

The wheel is built by ``tools/student_dist.py`` (what ``make student-dist`` runs)
and installed into a fresh virtual environment with the README's student line,
exactly as written (pip reaches PyPI for numpy, click, rich and Jupyter). Then:
the reference, the solutions and the instructor modules cannot be imported
there; no installed file holds an import of them, a solution line or a formula
line of the reference (the check modules compute none: reference values on the
checks' own draws come from the fixtures); ``grader
check`` gives the same JSON as the instructor install (this repository's
``.venv``) on solved and on mistaken files, naming the same mistake; the
notebooks' check cells score the same; instructor commands are refused with one
line and exit code 2.
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    from pip._vendor import tomli as tomllib

from autograder import authoring, registry
from autograder.grading import exercise_module

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "tools" / "student_dist.py"
INSTRUCTOR_GRADER = Path(sys.executable).parent / "grader"
#: the exercises graded against the reference (their public checks read the fixtures)
CHECKED = tuple(e.id for e in registry.EXERCISES if importlib.util.find_spec(f"reference_impl.mistakes_{e.id}"))

#: modules that embed the reference, build hidden cases, hold the course secret or serve only the
#: instructor: none of them may ship (the build's allow-list keeps them out; this says it did)
INSTRUCTOR_ONLY = ("autograder/reference_cases.py", "autograder/selfcheck.py", "autograder/authoring.py",
                   "autograder/secret.py", "autograder/cli_course.py", "autograder/cli_reports.py",
                   "autograder/feedback.py", "autograder/report.py", "autograder/export.py",
                   "autograder/course/__init__.py", "autograder/course/release.py")

#: Lines the check modules once computed themselves (issue 10: the sigmoid, the stable softmax, the
#: MLP forward loop, batch-norm statistics), solution code; the values now come with the cases or
#: from the fixtures (autograder.cases.reference_case). The scan must see them if they came back.
FORMER_GRADER_SIDE_FORMULAS = {
    "autograder/exercises/ex1.py": (
        "return np.exp(-np.logaddexp(0.0, -z))",
        "e = np.exp(z - z.max(axis=0, keepdims=True))",
        "return e / e.sum(axis=0, keepdims=True)",
    ),
    "autograder/exercises/ex2.py": (
        "for (W, b), name in zip(params, activations):",
        "z = W @ a + b",
    ),
    "autograder/exercises/ex8.py": (
        "mean = x.mean(axis=1, keepdims=True)",
    ),
}

# a "formula line": arithmetic, a matrix product, or a NumPy math call
FORMULA = re.compile(r"[*/@]| [+-] |\bnp\.(exp|log|logaddexp|sqrt|tanh|maximum|minimum|sign|where|mean|var|sum|abs)\b"
                     r"|\.(mean|var|sum|max)\(")
IMPORTS_PRIVATE = re.compile(r"^\s*(from|import)\s+(reference_impl|solutions)\b", re.MULTILINE)


# ------------------------------------------------------------------ what is scanned for
def _code_lines(text: str) -> list[str]:
    """Stripped lines of Python source, without docstrings, comments, imports and decorators."""
    out, in_doc = [], False
    for line in text.splitlines():
        s = line.strip()
        if s.startswith(('"""', "'''")):
            if not (len(s) > 3 and s.endswith(('"""', "'''"))):
                in_doc = not in_doc
            continue
        if in_doc or not s or s.startswith(("#", "import ", "from ", "@")):
            continue
        out.append(s)
    return out


def solution_lines() -> set[str]:
    """Lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` in solutions/*.py, longer than 12."""
    lines = set()
    for path in sorted((ROOT / "solutions").glob("*.py")):
        inside = False
        for line in path.read_text(encoding="utf-8").splitlines():
            s = line.strip()
            if s.startswith("### BEGIN SOLUTION"):
                inside = True
            elif s.startswith("### END SOLUTION"):
                inside = False
            elif inside and len(s) > 12 and not s.startswith("#"):
                lines.add(s)
    return lines


def reference_lines() -> set[str]:
    """Formula lines of reference_impl/*.py (the reference, mistakes_ex*.py, variants.py), longer than 12."""
    return {s for path in sorted((ROOT / "reference_impl").glob("*.py"))
            for s in _code_lines(path.read_text(encoding="utf-8")) if len(s) > 12 and FORMULA.search(s)}


def leaks(files: dict[str, str]) -> dict[str, set[str]]:
    """name -> the solution and reference lines found in that file's text."""
    wanted = solution_lines() | reference_lines()
    found = {}
    for name, text in files.items():
        hits = {line.strip() for line in text.splitlines()} & wanted
        if hits:
            found[name] = hits
    return found


def test_the_scan_finds_what_it_looks_for():
    sol, ref = solution_lines(), reference_lines()
    assert "mask = (rng.random(a.shape) < p) / p" in sol  # ex3's solution
    assert "mask = (rng.random(a.shape) < p) / p" in ref  # reference_impl/dropout.py
    assert len(sol) > 100 and len(ref) > 100
    assert leaks({"copied.py": "def f(a, p, rng):\n    mask = (rng.random(a.shape) < p) / p\n"}) == \
        {"copied.py": {"mask = (rng.random(a.shape) < p) / p"}}
    # the instructor package does hold them: the scan would see a leak
    assert leaks({"dropout.py": (ROOT / "reference_impl" / "dropout.py").read_text()})


@pytest.mark.parametrize("name", sorted(FORMER_GRADER_SIDE_FORMULAS))
def test_the_scan_would_see_the_formulas_the_check_modules_computed(name):
    text = (ROOT / name).read_text(encoding="utf-8")
    assert leaks({name: text}) == {}
    lines = FORMER_GRADER_SIDE_FORMULAS[name]
    assert all(line in solution_lines() or FORMULA.search(line) for line in lines)
    planted = text + "\n\ndef _planted(z, x, params, activations):\n" + "".join(f"    {ln}\n" for ln in lines)
    assert leaks({name: planted}) == {name: set(lines)}


def _build_tool():
    import importlib.util

    spec = importlib.util.spec_from_file_location("student_dist", BUILD)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_build_refuses_modules_that_import_the_reference_or_what_does_not_ship():
    tool = _build_tool()
    files = tool.shipped_files()
    assert tool.check_imports(ROOT, files) == []
    # adding the reference's selfcheck or the hidden cases to the allow-list would be refused
    problems = tool.check_imports(ROOT, files + ["autograder/selfcheck.py", "autograder/reference_cases.py"])
    assert any(p.startswith("autograder/selfcheck.py:") and "imports reference_impl" in p for p in problems)
    assert any(p.startswith("autograder/reference_cases.py:") and "imports reference_impl" in p for p in problems)
    # a shipped module that needs an instructor module when imported: refused too
    problems = tool.check_imports(ROOT, files + ["autograder/feedback.py"])
    assert any("autograder.export" in p and "does not ship" in p for p in problems), problems


# ------------------------------------------------------------------ build and install
def _env(venv: Path | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "GRADER_LANG")}
    if venv is not None:
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(venv)
    return env


def _run(cmd, cwd, venv=None, timeout=600, check=True):
    done = subprocess.run([str(c) for c in cmd], cwd=cwd, env=_env(venv), capture_output=True, text=True,
                          timeout=timeout)
    if check:
        assert done.returncode == 0, f"{cmd} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def readme_student_line() -> str:
    lines = [ln for ln in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
             if ln.startswith("pip install ") and "nn_grader_student" in ln]
    assert len(lines) == 1, lines
    return lines[0].split("  #")[0].strip()


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    """The built wheel and a fresh virtual environment where the README's student line installed it."""
    tmp = tmp_path_factory.mktemp("student-dist")
    out = tmp / "dist"
    built = _run([sys.executable, BUILD, "--out", out], cwd=ROOT)
    wheel = Path(built.stdout.strip().splitlines()[-1])
    assert wheel.parent == out and wheel.is_file()
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", venv], cwd=tmp)
    words = shlex.split(readme_student_line())
    assert words[:2] == ["pip", "install"]
    # exactly the README's line, run with the new environment's pip, in the folder holding the wheel
    _run([venv / "bin" / "python", "-m", "pip", *words[1:], "--disable-pip-version-check"], cwd=out)
    work = tmp / "work"
    work.mkdir()
    return {"wheel": wheel, "venv": venv, "python": venv / "bin" / "python", "grader": venv / "bin" / "grader",
            "work": work}


def test_readme_names_the_wheel_that_is_built(student):
    assert re.fullmatch(r"pip install '(.+\.whl)\[notebook\]'", readme_student_line()).group(1) == \
        student["wheel"].name


def test_the_notebook_extra_brings_jupyter_and_a_kernel(student):
    done = _run([student["venv"] / "bin" / "jupyter", "notebook", "--version"], cwd=student["work"],
                venv=student["venv"])
    assert re.match(r"\d+\.", done.stdout.strip()), done.stdout
    _run([student["python"], "-c", "import ipykernel"], cwd=student["work"])


def test_wheel_ships_the_allow_list_and_no_instructor_module(student):
    with zipfile.ZipFile(student["wheel"]) as z:
        names = {n for n in z.namelist() if not n.endswith("/")}
    package = {n for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert all(n.startswith("autograder/") for n in package), sorted(package)
    assert not package & set(INSTRUCTOR_ONLY)
    assert not [n for n in package if n.startswith("autograder/course/")]
    # every check module and every public fixture of this checkout ships
    for ex in registry.EXERCISES:
        if (ROOT / "autograder" / "exercises" / f"{ex.id}.py").is_file():
            assert f"autograder/exercises/{ex.id}.py" in package
    for fixture in (ROOT / "autograder" / "fixtures").glob("*.json"):
        assert f"autograder/fixtures/{fixture.name}" in package
    assert "autograder/_student.py" in package
    with zipfile.ZipFile(student["wheel"]) as z:
        metadata = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    requires = [ln.split(": ", 1)[1] for ln in metadata.splitlines() if ln.startswith("Requires-Dist: ")]
    base = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert sorted(r for r in requires if "extra ==" not in r) == sorted(base)  # numpy, click, rich: no more
    assert any(r.startswith("notebook") and 'extra == "notebook"' in r for r in requires)


def test_reference_solutions_and_instructor_modules_cannot_be_imported(student):
    probe = ("import importlib, json\nout = {}\n"
             "for name in ('reference_impl', 'solutions', 'autograder.reference_cases', 'autograder.selfcheck',"
             " 'autograder.authoring', 'autograder.secret', 'autograder.course', 'autograder.cli_course'):\n"
             "    try:\n        importlib.import_module(name)\n        out[name] = 'imported'\n"
             "    except ModuleNotFoundError as exc:\n        out[name] = exc.name\n"
             "import autograder.notebook, autograder.cli\nprint(json.dumps(out))\n")
    got = json.loads(_run([student["python"], "-c", probe], cwd=student["work"]).stdout)
    assert got == {name: name for name in got}, got
    # the same probe in the instructor install imports all but solutions/, a folder of the repository
    # and no package (so the probe can tell)
    theirs = json.loads(_run([sys.executable, "-c", probe], cwd=student["work"]).stdout)
    assert {name: v for name, v in theirs.items() if name != "solutions"} == \
        {name: "imported" for name in theirs if name != "solutions"}, theirs


@pytest.fixture(scope="module")
def installed_files(student):
    """relative name -> text of every file of the installed distribution (its RECORD)."""
    listing = ("import json, importlib.metadata as m\n"
               "print(json.dumps([str(f.locate()) for f in m.files('nn-grader-student')]))\n")
    paths = json.loads(_run([student["python"], "-c", listing], cwd=student["work"]).stdout)
    files = {}
    for path in map(Path, paths):
        if path.is_file():
            site = next((p for p in path.parents if p.name == "site-packages"), student["venv"])
            files[path.relative_to(site).as_posix()] = path.read_bytes().decode("utf-8", "replace")
    assert "autograder/exercises/ex3.py" in files and "autograder/fixtures/ex1.json" in files
    return files


def test_installed_files_hold_no_reference_or_solution_code(installed_files):
    assert not [n for n in installed_files if {"reference_impl", "solutions"} & set(Path(n).parts)]
    importing = [n for n, text in installed_files.items() if IMPORTS_PRIVATE.search(text)]
    assert importing == []
    # no hidden-case key ships: neither the old default nor the validation key (autograder/secret.py)
    assert [n for n, text in installed_files.items()
            if "nn-grader-hidden" in text or "nn-grader-validation" in text] == []


def test_check_modules_hold_no_solution_formulas(installed_files):
    found = leaks(installed_files)
    assert found == {}, {n: sorted(h) for n, h in found.items()}


# ------------------------------------------------------------------ same checks, same results
def _solved(ex_id: str) -> str:
    return authoring.student_script(ex_id, authoring.parse(authoring.source_path(ex_id).read_text(encoding="utf-8")),
                                    keep_solutions=True)


def _edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


#: one known formula edited per file: (exercise, file name, [(old, new)], the mistake it must be named as)
MISTAKEN = [
    ("ex3", "ex3_no_scale.py", [("mask = (rng.random(a.shape) < p) / p", "mask = (rng.random(a.shape) < p) * 1.0")],
     "dropout_no_scale"),
    ("ex1", "ex1_sigmoid_sign.py", [("out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))", "out[pos] = 1.0 / (1.0 + np.exp(z[pos]))"),
                                    ("out[~pos] = ez / (1.0 + ez)", "out[~pos] = 1.0 / (1.0 + ez)")],
     "forward_sigmoid_sign"),
    # the checks that read reference values on their own draws from the fixtures (reference_case)
    ("ex1", "ex1_softmax_not_normalised.py", [("return e / np.sum(e, axis=0, keepdims=True)", "return e")],
     "forward_softmax_not_normalised"),
    ("ex2", "ex2_net_no_m.py", [("delta2 = (y - t) / m", "delta2 = y - t")], "backprop_net_no_m"),
    ("ex4", "ex4_half_penalty_no_two.py", [("return float(lam * sum(np.sum(W ** 2) for W in weights))",
                                            "return float(0.5 * lam * sum(np.sum(W ** 2) for W in weights))"),
                                           ("return 2 * lam * W", "return lam * W")], "wd_grad_no_two"),
    ("ex8", "ex8_unbiased_var.py", [("var = x.var(axis=1, keepdims=True)", "var = x.var(axis=1, ddof=1, keepdims=True)")],
     "bn_unbiased_var"),
]


def _check(grader: Path, ex_id: str, path: Path, venv=None) -> tuple[int, dict]:
    done = _run([grader, "check", ex_id, path.name, "--json"], cwd=path.parent, venv=venv, check=False)
    assert done.returncode in (0, 1), f"{grader} check {ex_id}: {done.returncode}\n{done.stderr[-2000:]}"
    return done.returncode, json.loads(done.stdout)


@pytest.mark.parametrize("ex_id", CHECKED)
def test_check_of_a_solved_file_matches_the_instructor_install(student, ex_id):
    path = student["work"] / f"{authoring.source_path(ex_id).stem}.py"
    path.write_text(_solved(ex_id), encoding="utf-8")
    rc, mine = _check(student["grader"], ex_id, path, student["venv"])
    rc_instructor, theirs = _check(INSTRUCTOR_GRADER, ex_id, path)
    assert mine == theirs
    assert (rc, rc_instructor) == (0, 0)
    assert mine["error"] is None and mine["score"] == mine["max_score"] > 0
    assert [c["name"] for c in mine["checks"]] == [c.name for c in exercise_module(ex_id).CHECKS if not c.hidden]


@pytest.mark.parametrize("ex_id,name,edits,mistake", MISTAKEN, ids=[m[3] for m in MISTAKEN])
def test_check_of_a_mistaken_file_names_the_same_mistake(student, ex_id, name, edits, mistake):
    text = _solved(ex_id)
    for old, new in edits:
        text = _edit(text, old, new)
    path = student["work"] / name
    path.write_text(text, encoding="utf-8")
    rc, mine = _check(student["grader"], ex_id, path, student["venv"])
    _, theirs = _check(INSTRUCTOR_GRADER, ex_id, path)
    assert mine == theirs
    assert rc == 1 and mine["score"] < mine["max_score"]
    named = exercise_module(ex_id).MISTAKES[mistake]("en")
    failed = [c for c in mine["checks"] if not c["passed"]]
    assert any(named in c["message"] for c in failed), [c["message"] for c in failed]


@pytest.mark.parametrize("ex_id", CHECKED)
def test_public_checks_read_only_fixtures_for_the_reference_and_every_known_mistake(ex_id, monkeypatch):
    """In process, no wheel: without the instructor-only module that computes cases (as in the student
    install), the public checks give the reference and each known mistake the same results; a check that
    asks for a reference value the fixtures lack (a stale fixture) would raise instead."""
    from reference_impl import variants

    from autograder.grading import grade_impl
    from autograder.impl import LocalImpl

    namespaces = [variants.namespace()] + [variants.namespace(mistake=m) for m in exercise_module(ex_id).MISTAKES]

    def grade_all():
        return [grade_impl(ex_id, LocalImpl(ns), hidden=False, lang="en").to_dict() for ns in namespaces]

    with_reference = grade_all()
    monkeypatch.setitem(sys.modules, "autograder.reference_cases", None)
    assert grade_all() == with_reference


CELLS_PROBE = """\
import contextlib, io, json, sys
from autograder.notebook import check_cell
from autograder.grading import exercise_module
ex_id, path = sys.argv[1], sys.argv[2]
namespace = {"__name__": "__main__"}
exec(compile(open(path, encoding="utf-8").read(), path, "exec"), namespace)
out = {}
for cell in dict.fromkeys(c.cell for c in exercise_module(ex_id).CHECKS if not c.hidden):
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        score = check_cell(ex_id, cell, namespace)
    out[cell] = [float(score), printed.getvalue()]
print(json.dumps(out))
"""


@pytest.mark.parametrize("mistaken", [False, True], ids=["solved", "dropout_no_scale"])
def test_notebook_check_cells_score_the_same(student, mistaken):
    text = _solved("ex3")
    if mistaken:
        text = _edit(text, *MISTAKEN[0][2][0])
    path = student["work"] / f"cells_{int(mistaken)}.py"
    path.write_text(text, encoding="utf-8")
    mine = json.loads(_run([student["python"], "-c", CELLS_PROBE, "ex3", path], cwd=student["work"]).stdout)
    theirs = json.loads(_run([sys.executable, "-c", CELLS_PROBE, "ex3", path], cwd=student["work"]).stdout)
    assert mine == theirs
    public = [c for c in exercise_module("ex3").CHECKS if not c.hidden]
    full = {cell: sum(c.points for c in public if c.cell == cell) for cell in dict.fromkeys(c.cell for c in public)}
    scores = {cell: score for cell, (score, _) in mine.items()}
    printed = "".join(p for _, p in mine.values())
    if mistaken:
        assert scores["dropout_forward"] < full["dropout_forward"]
        assert exercise_module("ex3").MISTAKES["dropout_no_scale"]("en") in printed
    else:
        assert scores == full and "✗" not in printed


# ------------------------------------------------------------------ the CLI of the student install
def test_list_is_the_same_and_instructor_commands_are_refused(student):
    mine = _run([student["grader"], "list", "--json"], cwd=student["work"], venv=student["venv"]).stdout
    assert json.loads(mine) == json.loads(_run([INSTRUCTOR_GRADER, "list", "--json"], cwd=student["work"]).stdout)
    for args, lang in ((["grade", "ex1", "."], "en"), (["grade", "ex1", "--lang", "es"], "es"),
                       (["validate"], "en"), (["release", "ex3", "--course", "x"], "en"), (["selfcheck"], "en"),
                       (["fixtures", "--lang=es"], "es")):
        done = _run([student["grader"], *args], cwd=student["work"], venv=student["venv"], check=False)
        expected = {"en": f"this is the student install; `grader {args[0]}` needs the instructor package",
                    "es": f"esta es la instalación del estudiante; `grader {args[0]}` necesita el paquete del "
                          "profesor"}[lang]
        assert (done.returncode, done.stdout, done.stderr) == (2, "", expected + "\n"), args
    assert _commands(student["grader"], student) == ["check", "limits", "list"]
    # the instructor package keeps every command
    assert {"grade", "validate", "release", "selfcheck", "export", "check"} <= set(_commands(INSTRUCTOR_GRADER, student))


def _commands(grader: Path, student) -> list[str]:
    """The command names `grader --help` lists."""
    helped = _run([grader, "--help"], cwd=student["work"], venv=student["venv"] if grader == student["grader"] else None)
    listed = helped.stdout.split("Commands:\n", 1)[1]
    return [line.split()[0] for line in listed.splitlines() if line.startswith("  ") and line.split()]
