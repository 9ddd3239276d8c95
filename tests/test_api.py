"""The Python API (autograder.api) called directly, on real files: what each function returns, and the
message key of each refusal; then that the command line renders a refusal in the language asked for."""
import ast
import inspect
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder import api, authoring, registry
from autograder.cli import main
from autograder.messages import MESSAGES
from tests import ex3_sources

SOLUTION = authoring.SOLUTIONS / "ex3_dropout.ipynb"
STUB_NB = authoring.EXERCISES / "ex3_dropout.ipynb"
STUB_PY = authoring.EXERCISES / "ex3_dropout.py"
EX = "ex3"


def _refusal(call, *args, **kwargs) -> api.Refused:
    with pytest.raises(api.Refused) as info:
        call(*args, **kwargs)
    return info.value


def _usage(call, *args, **kwargs) -> api.UsageProblem:
    exc = _refusal(call, *args, **kwargs)
    assert isinstance(exc, api.UsageProblem), exc
    return exc


# ------------------------------------------------------------------ check

def test_check_of_the_solution_gets_full_marks_on_public_checks_only():
    outcome = api.check("dropout", SOLUTION)
    assert isinstance(outcome, api.CheckOutcome)
    assert (outcome.exercise, outcome.path, outcome.graded_file, outcome.other_files) == (EX, SOLUTION, SOLUTION, ())
    assert outcome.status == "full"
    assert outcome.result.score == outcome.result.max_score == 8  # ex3's public points (2 more are hidden)
    assert not any(c.hidden for c in outcome.result.checks)


def test_check_of_the_stub_fails_every_check_and_speaks_the_language_asked_for():
    outcome = api.check(EX, STUB_PY, lang="es")
    assert outcome.status == "failed" and outcome.result.score == 0
    assert "aún no está implementada" in outcome.result.checks[0].message


def test_check_of_an_unloadable_file(tmp_path):
    bad = tmp_path / "ex3_dropout.py"
    bad.write_text("def dropout_forward(a, p:\n")
    outcome = api.check(EX, bad)
    assert outcome.status == "unloadable" and "Syntax error" in outcome.result.error


def test_check_picks_the_file_worked_on_last_and_names_the_other(tmp_path):
    """No PATH: of the notebook (the untouched stub) and the .py (solved, newer), the .py is checked."""
    shutil.copy(STUB_NB, tmp_path)
    old = time.time() - 3600
    os.utime(tmp_path / STUB_NB.name, (old, old))
    (tmp_path / "ex3_dropout.py").write_text(ex3_sources.CORRECT)
    heard = []
    outcome = api.check(EX, cwd=tmp_path, say=lambda key, **fields: heard.append((key, fields)))
    assert outcome.path is None and outcome.graded_file == tmp_path / "ex3_dropout.py"
    assert outcome.other_files == (tmp_path / STUB_NB.name,)
    assert outcome.status == "full"
    assert heard == [("check_two_files", {"graded": "ex3_dropout.py", "other": STUB_NB.name, "ex": EX})]


def test_check_twins_with_the_same_code_name_no_other_file(tmp_path):
    shutil.copy(STUB_NB, tmp_path)
    shutil.copy(STUB_PY, tmp_path)
    heard = []
    outcome = api.check(EX, cwd=tmp_path, say=lambda key, **fields: heard.append(key))
    assert outcome.other_files == () and heard == [] and outcome.status == "failed"


def test_check_refusals_carry_their_message_key(tmp_path):
    exc = _usage(api.check, EX, tmp_path / "nowhere" / "ex3_dropout.ipynb")
    assert exc.key == "check_no_file" and exc.fields == {"path": str(tmp_path / "nowhere" / "ex3_dropout.ipynb")}
    assert "does not exist" in exc.text("en") and "no existe" in exc.text("es") and str(exc) == exc.text("en")
    exc = _usage(api.check, EX, cwd=tmp_path)
    assert exc.key == "check_no_submission" and exc.fields == {"ex": EX, "folder": str(tmp_path)}
    assert exc.text("en").startswith("no ex3 submission in") and exc.text("es").startswith("no hay ninguna entrega")


@pytest.mark.parametrize("name, key", [("dropuot", "unknown_exercise_close"), ("zzzz", "unknown_exercise")])
def test_an_unknown_exercise_reads_as_the_registry_says_it_in_english_and_in_spanish(name, key):
    exc = _usage(api.check, name, SOLUTION)
    assert exc.key == key
    with pytest.raises(KeyError) as registry_error:
        registry.get(name)
    assert exc.text("en") == registry_error.value.args[0]  # the same words as before, now in Spanish too
    assert exc.text("es").startswith(f"ejercicio desconocido {name!r}")


def test_an_exercise_without_checks_yet(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "autograder.exercises.ex9" else real(name, *a))
    exc = _usage(api.check, "ex9", SOLUTION)
    assert exc.key == "exercise_no_checks" and exc.fields == {"ex": "ex9", "slug": "search"}
    assert api.find_exercise("ex9", checked=False).id == "ex9"  # the course commands do not need its checks


# ------------------------------------------------------------------ grade (files), then pages and exports

@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A class of three graded with the API: alice (the solution), bob (the stub), carol (a broken notebook)."""
    root = tmp_path_factory.mktemp("class")
    klass = root / "class"
    for student in ("alice", "bob", "carol"):
        (klass / student).mkdir(parents=True)
    shutil.copy(SOLUTION, klass / "alice" / SOLUTION.name)
    shutil.copy(STUB_PY, klass / "bob" / STUB_PY.name)
    (klass / "carol" / SOLUTION.name).write_text("{ not json")
    (klass / "dave").mkdir()  # no submission: a warning, not a refusal
    heard, totals = [], []

    def progress(label, total):
        totals.append((label, total))
        from contextlib import nullcontext

        return nullcontext(lambda record: None)

    outcome = api.grade(EX, [klass], jobs=2, out=root / "grades", progress=progress,
                        say=lambda key, **fields: heard.append((key, fields)))
    return {"root": root, "grades": root / "grades", "outcome": outcome, "heard": heard, "totals": totals}


def test_grade_returns_every_record_and_where_they_are(graded):
    outcome = graded["outcome"]
    assert isinstance(outcome, api.GradeOutcome)
    assert outcome.exercise == EX and outcome.folder == graded["grades"] / EX and outcome.expected == 3
    assert outcome.complete and not outcome.stopped and outcome.course is None and outcome.resumed == 0
    scores = {r.student: r.score for r in outcome.records}
    assert scores == {"alice": 10, "bob": 0, "carol": 0}
    assert any(c.hidden for c in outcome.records[0].checks)  # grade runs the hidden checks too
    for r in outcome.records:  # each as its file holds it
        assert json.loads((outcome.folder / f"{r.student}.json").read_text(encoding="utf-8")) == r.to_dict()
    assert (outcome.folder / "gradebook.csv").is_file()
    assert graded["totals"] == [(EX, 3)]
    assert outcome.warnings == [f"{graded['root'] / 'class' / 'dave'}: no ex3 submission found"]
    assert graded["heard"] == [("warning", {"text": outcome.warnings[0]})]


def test_grade_refusals(tmp_path, monkeypatch):
    exc = _usage(api.grade, EX, cwd=tmp_path)  # not a course, and no PATH
    assert exc.key == "grade_no_paths" and "--course" in exc.text("en") and "RUTAS" in exc.text("es")
    (tmp_path / "empty").mkdir()
    exc = _usage(api.grade, EX, [tmp_path / "empty"], out=tmp_path / "g")
    assert exc.key == "grade_no_submissions" and exc.fields == {"ex": EX, "paths": str(tmp_path / "empty")}
    assert not (tmp_path / "g").exists()
    exc = _usage(api.grade, EX, course_dir=tmp_path)
    assert exc.key == "grade_no_course_config" and "nbgrader_config.py" in exc.text("es")
    monkeypatch.delenv("GRADER_HIDDEN_KEY")
    exc = _usage(api.grade, EX, [SOLUTION], out=tmp_path / "g")
    assert exc.key == "no_hidden_key" and "$GRADER_HIDDEN_KEY" in exc.text("es")


def test_feedback_report_and_export_of_the_graded_class(graded, tmp_path):
    grades = graded["grades"]
    pages = api.feedback("dropout", grades, tmp_path / "fb", lang="es")
    assert isinstance(pages, api.FeedbackOutcome) and pages.folder == tmp_path / "fb" / EX
    assert [p.name for p in pages.pages] == ["alice.html", "bob.html", "carol.html"]
    assert "Dropout invertido" in pages.pages[0].read_text(encoding="utf-8")
    report = api.report(EX, grades, tmp_path / "r.html")
    assert (report.exercise, report.path, report.submissions) == (EX, tmp_path / "r.html", 3)
    exported = api.export(grades, tmp_path / "exports", canvas_assignments={"dropout": 9001})
    assert exported.exercises == [EX] and exported.out == tmp_path / "exports"
    assert exported.exports.plain == tmp_path / "exports" / "grades.csv" and len(exported.exports.gradescope) == 3


def test_pages_and_exports_refusals(graded, tmp_path):
    exc = _usage(api.feedback, "ex5", graded["grades"], tmp_path)
    assert exc.key == "no_results" and "grader grade ex5" in exc.text("en") and "no hay resultados" in exc.text("es")
    exc = _usage(api.export, tmp_path / "none", tmp_path)
    assert exc.key == "no_results_any"
    for value in ("ex3", "ex3=abc"):
        assert _usage(api.export, graded["grades"], tmp_path, canvas_assignments=[value]).key == "bad_canvas_assignment"
    unknown = _usage(api.export, graded["grades"], tmp_path, canvas_assignments=["ex99=1"])
    assert unknown.key.startswith("unknown_exercise")
    assert not list(tmp_path.iterdir())  # nothing written
    (tmp_path / "bad" / EX).mkdir(parents=True)
    (tmp_path / "bad" / EX / "zoe.json").write_text("[]")
    exc = _refusal(api.report, EX, tmp_path / "bad", tmp_path / "r.html")
    assert not isinstance(exc, api.UsageProblem) and exc.key == "bad_record" and "zoe.json" in exc.text("en")


# ------------------------------------------------------------------ the course

@pytest.fixture
def fake_course(tmp_path):
    """A folder that is a course by its config (what `collect` and the checks read), nothing else."""
    root = tmp_path / "course"
    root.mkdir()
    (root / "nbgrader_config.py").write_text("c = get_config()\n")
    return root


def test_collect_from_a_folder_into_a_course(fake_course, tmp_path):
    src = tmp_path / "lms"
    (src / "ana").mkdir(parents=True)
    shutil.copy(SOLUTION, src / "ana" / SOLUTION.name)
    outcome = api.collect("dropout", from_folder=src, course_dir=fake_course)
    assert isinstance(outcome, api.CollectOutcome) and outcome.ok
    assert outcome.course == fake_course.resolve() and outcome.report.students == ["ana"]
    assert (fake_course / "submitted" / "ana" / EX / SOLUTION.name).is_file()


def test_course_refusals(fake_course, tmp_path):
    src = tmp_path / "lms"
    src.mkdir()
    assert _usage(api.collect, EX, course_dir=fake_course).key == "collect_one_source"
    exc = _usage(api.collect, EX, from_folder=src, from_exchange=True, course_dir=fake_course)
    assert exc.key == "collect_one_source_got" and exc.fields == {"given": "--from-folder, --from-exchange"}
    nowhere = tmp_path / "not-a-course"
    nowhere.mkdir()
    assert _usage(api.collect, EX, from_folder=src, course_dir=nowhere).key == "not_a_course"
    assert _usage(api.release, [EX], nowhere).key == "release_not_a_course"
    exc = _usage(api.grade_course, EX, fake_course)  # a course with nothing collected
    assert exc.key == "grade_no_course_submissions" and exc.fields["folder"] == str(fake_course.resolve() / "submitted")
    (tmp_path / "mine.txt").write_text("mine")
    exc = _usage(api.demo, tmp_path)  # not a demo course: refused before anything is written
    assert exc.key == "demo_refused" and (tmp_path / "mine.txt").read_text() == "mine"
    assert list(nowhere.iterdir()) == []


def test_a_course_end_to_end_through_the_api(tmp_path):
    """init, collect, grade (the current folder's course found by itself), grade again, feedback."""
    root = tmp_path / "course"
    made = api.init(root, ["dropout"])
    assert made == api.InitOutcome(root.resolve(), api.COURSE_ID, [EX])
    lms = tmp_path / "lms"
    (lms / "alice").mkdir(parents=True)
    (lms / "bob").mkdir()
    shutil.copy(SOLUTION, lms / "alice" / SOLUTION.name)
    (lms / "bob" / "ex3_dropout.py").write_text(ex3_sources.CORRECT.replace("/ p", "* 1.0"))
    assert api.collect(EX, from_folder=lms, course_dir=root).report.students == ["alice", "bob"]
    first = api.grade(EX, cwd=root)
    assert first.course == root.resolve() and first.gradebook == root.resolve() / "gradebook.db"
    assert first.folder == root.resolve() / "grades" / EX and first.complete
    assert (first.graded, first.skipped, first.unrecorded) == (["alice", "bob"], [], [])
    assert {r.student: r.score for r in first.records}["alice"] == 10
    again = api.grade_course(EX, root)
    assert (again.graded, again.skipped) == ([], ["alice", "bob"])
    assert [(r.student, r.score) for r in again.records] == [(r.student, r.score) for r in first.records]
    pages = api.feedback(EX, root / "grades", root / "feedback_html")
    assert [p.stem for p in pages.pages] == ["alice", "bob"]


# ------------------------------------------------------------------ the command line renders what the API says

def _one_error_line(output: str) -> str:
    assert "Traceback" not in output
    errors = [line for line in output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, output
    return errors[0]


@pytest.mark.parametrize("args, words", [
    (["check", "ex3", "nowhere/ex3_dropout.ipynb", "--lang", "es"], "nowhere/ex3_dropout.ipynb no existe"),
    (["check", "ex3", "--lang", "es"], "no hay ninguna entrega de ex3 en"),
    (["check", "dropuot", "--lang", "es"], "ejercicio desconocido 'dropuot'; ¿querías decir 'dropout'?"),
    (["grade", "ex3", "--lang", "es"], "indica las RUTAS de las entregas, o --course CARPETA"),
    (["grade", "ex3", "--course", "elsewhere", "--lang", "es"], "elsewhere no es la carpeta de un curso"),
    (["report", "ex3", "--grades", "none", "--lang", "es"], "no hay resultados de ex3 en none"),
    (["export", "--canvas-assignment", "ex3", "--lang", "es"], "--canvas-assignment 'ex3': se esperaba EJ=ID"),
])
def test_a_usage_error_is_one_line_in_the_language_asked_for(tmp_path, monkeypatch, args, words):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    line = _one_error_line(result.output)
    assert words in line, line
    assert f"Usage: main {args[0]} " in result.output  # click's usage line names the command


def test_commands_without_lang_speak_grader_lang(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["collect", "ex3"], env={"GRADER_LANG": "es"})
    assert result.exit_code == 2
    assert "indica exactamente una de --from-folder CARPETA" in _one_error_line(result.output)
    result = CliRunner().invoke(main, ["release", "ex3", "--course", str(tmp_path)], env={"GRADER_LANG": "es"})
    assert result.exit_code == 2 and "no es la carpeta de un curso" in _one_error_line(result.output)


def test_a_refusal_that_is_no_usage_error_exits_1(tmp_path):
    (tmp_path / "ex3").mkdir()
    (tmp_path / "ex3" / "zoe.json").write_text("[]")
    result = CliRunner().invoke(main, ["report", "ex3", "--grades", str(tmp_path), "--out", str(tmp_path / "r.html"),
                                       "--lang", "es"])
    assert result.exit_code == 1
    assert "registro de notas no válido" in _one_error_line(result.output) and "zoe.json" in result.output


def test_a_usage_error_in_the_real_cli_in_spanish(tmp_path):
    proc = subprocess.run([sys.executable, "-c", "from autograder.cli import main; main(prog_name='grader')",
                           "grade", "ex3", "--lang", "es"], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "GRADER_LANG": "en"})
    assert proc.returncode == 2 and proc.stdout == ""
    assert _one_error_line(proc.stderr) == "Error: indica las RUTAS de las entregas, o --course CARPETA"


def test_the_grade_summary_lines_in_spanish(graded, tmp_path):
    result = CliRunner().invoke(main, ["grade", "ex3", str(graded["root"] / "class" / "alice"), "--out",
                                       str(tmp_path), "--lang", "es"], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert f"resultados: {tmp_path / 'ex3'}/<estudiante>.json, libro de notas: {tmp_path / 'ex3' / 'gradebook.csv'}" \
        in result.stdout


# ------------------------------------------------------------------ the API and the command line cannot drift

def test_the_command_line_takes_its_defaults_from_the_api():
    def default(command, name):
        return next(p.default for p in main.commands[command].params if p.name == name)

    assert default("grade", "jobs") == api.DEFAULT_JOBS
    assert default("demo", "jobs") == api.DEMO_JOBS
    assert default("demo", "course_dir") == str(api.DEMO_COURSE)
    assert default("feedback", "out") == api.FEEDBACK
    assert default("export", "out") == api.EXPORTS
    assert default("feedback", "grades") == default("report", "grades") == default("export", "grades") == api.GRADES
    assert default("init", "course_id") == api.COURSE_ID
    assert default("init", "timeout") == api.CELL_TIMEOUT_S
    assert default("limits", "exercise") == api.LIMITS_EXERCISE
    assert default("selfcheck", "seed") == api.SELFCHECK_SEED
    assert inspect.signature(api.grade).parameters["jobs"].default == api.DEFAULT_JOBS


def test_every_key_the_api_raises_or_says_is_a_message_in_both_languages():
    tree = ast.parse(Path(api.__file__).read_text(encoding="utf-8"))
    keys = {node.args[0].value for node in ast.walk(tree)
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and getattr(node.func, "id", "") in ("UsageProblem", "Refused", "tell", "say")}
    keys |= {"check_two_files", "warning", "grade_resumed"}
    assert len(keys) > 20
    for key in keys:
        assert key in MESSAGES, key
        assert MESSAGES[key].en and MESSAGES[key].es and MESSAGES[key].es != MESSAGES[key].en, key


def test_the_api_imports_only_what_a_function_needs():
    probe = ("import json, sys\n"
             "from autograder import api\n"
             "light = sorted(m for m in sys.modules\n"
             "               if m.startswith(('autograder.', 'rich', 'nbgrader', 'tensorflow')))\n"
             f"outcome = api.check('ex3', {str(SOLUTION)!r})\n"
             "assert outcome.status == 'full'\n"
             "heavy = [m for m in ('tensorflow', 'keras', 'nbgrader', 'sklearn', 'autograder.course', 'rich.table',"
             " 'autograder.secret', 'autograder.preflight') if m in sys.modules]\n"
             "print(json.dumps([light, heavy]))\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    light, heavy = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(light) <= {"autograder.api", "autograder.registry", "autograder.messages", "autograder.results"}, light
    assert heavy == []
