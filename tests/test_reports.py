"""Feedback pages, the class report, the LMS/Gradescope exports and their CLI commands.

Every record here comes from real grading (``grade_batch`` on the solutions, the
stubs and student-written wrong code, a broken notebook included); the pages
are checked for what they must show and, above all, for what they must never
show: hidden inputs, expected values, indices, shapes or test source.
"""
import html
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from autograder import cli_reports
from autograder.batch import grade_batch
from autograder.submissions import Submission
from autograder.exercises import ex3, ex4
from autograder.export import gradescope_results, lms_csv, read_records, write_exports
from autograder.feedback import feedback_html, write_feedback
from autograder.report import class_report_html, histogram, write_report
from autograder.results import CheckResult, GradedSubmission

ROOT = Path(__file__).resolve().parents[1]

BACKWARD = """
def dropout_backward(dout, mask):
    return dout if mask is None else dout * mask
"""
NO_SCALE = """
import numpy as np

def dropout_forward(a, p, train=True, rng=None):
    if not train:
        return a, None
    mask = (rng.random(a.shape) < p).astype(float)
    return a * mask, mask
""" + BACKWARD
# right for the public p values (>= 0.5), p read as the drop probability below: fails only a hidden check
SMALL_P_FLIPPED = """
import numpy as np

def dropout_forward(a, p, train=True, rng=None):
    if not train:
        return a, None
    rng = rng if rng is not None else np.random.default_rng()
    q = p if p >= 0.5 else 1 - p
    mask = (rng.random(a.shape) < q) / q
    return a * mask, mask
""" + BACKWARD
# tries to smuggle the hidden inputs out through its exception text, dressed as a mistake sentence
LEAKER = """
def dropout_forward(a, p, train=True, rng=None):
    raise ValueError(" Likely mistake: LEAK shape=%s p=%r" % (a.shape, p))

def dropout_backward(dout, mask):
    raise ValueError(" Likely mistake: LEAK " + repr(dout.shape))
"""
EX4_BASE = """
import numpy as np

def l2_penalty(weights, lam):
    return lam * sum(np.sum(W * W) for W in weights)

def l2_grad(W, lam):
    return 2 * lam * W

def sgd_weight_decay_step(W, dW, eta, lam):
    return W * (1 - 2 * eta * lam) - eta * dW

def l1_penalty(weights, lam):
    return lam * sum(np.abs(W).sum() for W in weights)

def sgd_l1_step(W, dW, eta, lam):
    return W - eta * lam * np.sign(W) - eta * dW

def regularized_update(params, grads, eta, lam):
    return [(sgd_weight_decay_step(W, dW, eta, lam), b - eta * db) for (W, b), (dW, db) in zip(params, grads)]
"""
DECAYED_BIASES = EX4_BASE + """
def regularized_update(params, grads, eta, lam):
    out = []
    for (W, b), (dW, db) in zip(params, grads):
        out.append((sgd_weight_decay_step(W, dW, eta, lam), sgd_weight_decay_step(b, db, eta, lam)))
    return out
"""
L2_NO_LAM = EX4_BASE + """
def l2_penalty(weights, lam):
    return sum(np.sum(W ** 2) for W in weights)
"""

FORWARD_FRESH = "dropout_forward (hidden): fresh shapes and keep probabilities"
DEFAULT_RNG = "dropout_forward (hidden): works with the default rng"
MASK_VALUES = "dropout_forward: mask values are 0 or 1/p"
UPDATE_HIDDEN = "regularized_update (hidden): fresh inputs"


def _write(root: Path, student: str, name: str, text: str) -> Submission:
    folder = root / student
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return Submission(student, path)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A real class graded into GRADES: ex3 for seven students, ex4 for three."""
    base = tmp_path_factory.mktemp("class")
    subs, grades = base / "submitted", base / "grades"
    ex3_subs = [Submission("alice", ROOT / "solutions" / "ex3_dropout.ipynb"),
                Submission("bob", ROOT / "exercises" / "ex3_dropout.py"),
                _write(subs, "carol", "ex3_dropout.py", NO_SCALE),
                _write(subs, "dave", "ex3_dropout.py", NO_SCALE),
                _write(subs, "erin", "ex3_dropout.ipynb", '{"cells": [ {"cell_type": "code", '),
                _write(subs, "hank", "ex3_dropout.py", SMALL_P_FLIPPED),
                _write(subs, "ivan", "ex3_dropout.py", LEAKER)]
    ex4_subs = [Submission("alice", ROOT / "solutions" / "ex4_weight_decay.ipynb"),
                _write(subs, "carol", "ex4_weight_decay.py", DECAYED_BIASES),
                _write(subs, "gina", "ex4_weight_decay.py", L2_NO_LAM)]
    records = {"ex3": {r.student: r for r in grade_batch("ex3", ex3_subs, grades, jobs=4)},
               "ex4": {r.student: r for r in grade_batch("ex4", ex4_subs, grades, jobs=3)}}
    spanish = grade_batch("ex3", [_write(subs, "carla", "ex3_dropout.py", NO_SCALE)], base / "grades_es", lang="es")
    return {"base": base, "grades": grades, "records": records, "es": spanish[0]}


def _check(record: GradedSubmission, name: str) -> CheckResult:
    """The check whose English title is ``name`` (a record graded in Spanish has both titles)."""
    return next(c for c in record.checks if c.title.en == name)


def _assert_no_hidden_source(page: str):
    for marker in ("BEGIN HIDDEN", "END HIDDEN", "hidden=True", "reference_impl", "<script", "src=", "href=",
                   "@import", "url("):
        assert marker not in page, marker


# ------------------------------------------------------------------ the records are what the tests assume
def test_the_class_was_graded_as_expected(graded):
    ex3_records, ex4_records = graded["records"]["ex3"], graded["records"]["ex4"]
    assert {s: r.score for s, r in ex3_records.items()} == {
        "alice": 10, "bob": 0, "carol": 7, "dave": 7, "erin": 0, "hank": 9, "ivan": 0}
    assert ex3_records["erin"].error() and "not a valid notebook" in ex3_records["erin"].error()
    hank_failed = {c.name for c in ex3_records["hank"].checks if not c.passed}
    assert hank_failed == {FORWARD_FRESH}  # fails a hidden check only
    assert ex4_records["alice"].score == ex4_records["alice"].max_score == 10


# ------------------------------------------------------------------ redact
def test_public_checks_are_shown_unchanged(graded):
    carol = graded["records"]["ex3"]["carol"]
    check = _check(carol, MASK_VALUES)
    assert check.student_message("en") == check.message == check.text.en
    # every language is in the record; the one asked for is chosen when it is shown
    assert check.student_message("es") == check.text.es != check.text.en
    assert "los valores de la máscara" in check.student_message("es")


def test_failed_hidden_check_keeps_only_the_named_mistake(graded):
    carol = graded["records"]["ex3"]["carol"]
    check = _check(carol, FORWARD_FRESH)
    assert "3.33333" in check.message  # hidden data the student must not see
    en = check.student_message("en", "ex3")
    assert en == "Failed on the hidden test inputs. Likely mistake: " + ex3.MISTAKES["dropout_no_scale"].en
    es = check.student_message("es", "ex3")
    assert es == "Falla con las entradas ocultas. Error probable: " + ex3.MISTAKES["dropout_no_scale"].es
    assert check.student_message("en") == en  # without the exercise id, the check's id names it
    rng_check = _check(carol, DEFAULT_RNG)
    assert "AttributeError" in rng_check.message
    assert rng_check.student_message("en", "ex3") == "Failed on the hidden test inputs."


def test_passing_hidden_check_says_ok(graded):
    check = _check(graded["records"]["ex3"]["alice"], FORWARD_FRESH)
    assert check.student_message("en", "ex3") == "ok"
    assert check.student_message("es", "ex3") == "correcto"


def test_hidden_check_of_an_unloadable_submission_says_it_was_not_run(graded):
    check = _check(graded["records"]["ex3"]["erin"], FORWARD_FRESH)
    assert check.student_message("en", "ex3") == "Not run: the submission could not be loaded."


def test_a_fake_mistake_sentence_cannot_smuggle_hidden_inputs_out(graded):
    ivan = graded["records"]["ex3"]["ivan"]
    check = _check(ivan, FORWARD_FRESH)
    assert "LEAK shape=" in check.message
    assert check.student_message("en", "ex3") == "Failed on the hidden test inputs."


def test_found_mistakes_are_ids_in_the_record_not_text(graded):
    carol = graded["records"]["ex3"]["carol"]
    assert _check(carol, MASK_VALUES).mistakes == ("dropout_no_scale",)
    assert _check(carol, MASK_VALUES).outcome == "failed"
    assert _check(graded["es"], MASK_VALUES).mistakes == ("dropout_no_scale",)
    assert _check(graded["records"]["ex3"]["hank"], FORWARD_FRESH).mistakes == ("dropout_p_is_drop",)
    assert _check(graded["records"]["ex3"]["alice"], MASK_VALUES).mistakes == ()
    # ivan's code raises an exception whose text imitates a mistake sentence: it names nothing
    ivan = _check(graded["records"]["ex3"]["ivan"], FORWARD_FRESH)
    assert ivan.mistakes == () and ivan.outcome == "raised"
    # and so they are in the record's JSON form, as its file holds it
    on_disk = json.loads((graded["grades"] / "ex3" / "carol.json").read_text(encoding="utf-8"))
    assert next(c for c in on_disk["checks"] if c["titles"]["en"] == MASK_VALUES)["mistakes"] == ["dropout_no_scale"]


def test_the_dict_form_of_a_check_is_redacted_as_the_check(graded):
    """``redact.student_message`` on a check's JSON form says what the check itself says."""
    from autograder.redact import student_message

    for record in (graded["records"]["ex3"]["carol"], graded["records"]["ex3"]["erin"], graded["es"]):
        for check in record.checks:
            for lang in ("en", "es"):
                assert student_message(check.to_dict(), lang, "ex3") == check.student_message(lang, "ex3")


# ------------------------------------------------------------------ the records' JSON form
def test_a_graded_submission_is_its_file(graded):
    """What `grade_batch` returns is what it wrote: the file is ``to_dict()``, and reads back as the same."""
    for ex, records in graded["records"].items():
        for student, rec in records.items():
            on_disk = json.loads((graded["grades"] / ex / f"{student}.json").read_text(encoding="utf-8"))
            assert on_disk == rec.to_dict()
            assert GradedSubmission.from_dict(on_disk).to_dict() == on_disk
    carla = graded["es"]
    on_disk = json.loads((graded["base"] / "grades_es" / "ex3" / "carla.json").read_text(encoding="utf-8"))
    assert on_disk == carla.to_dict() and GradedSubmission.from_dict(on_disk, "es").to_dict() == on_disk


def test_a_graded_submission_survives_its_json_round_trip(graded):
    """Notes, the course's record_error, extras and the keys of other writers (collect's identity) are
    kept: ``from_dict(x.to_dict()) == x``, through JSON text too, in the language it was read in."""
    from dataclasses import replace

    from autograder.messages import Msg

    notes = (Msg("Cell 3 is not a cell: skipped.", "La celda 3 no es una celda: se omite."),
             Msg("test_dropout_forward was deleted.", "test_dropout_forward se había borrado."))
    identity = {"lms": "moodle", "lms_user_id": "123456", "full_name": "Ana María López"}
    extras = {"learning_curve": {"loss": [1.0, 0.5], "val_loss": [1.2, 0.8]}}
    cases = []
    for lang in ("en", "es"):
        for rec in read_records(graded["grades"], "ex3") + read_records(graded["base"] / "grades_es", "ex3"):
            rec = GradedSubmission.from_dict(rec.to_dict(), lang)
            cases += [rec,
                      replace(rec, result=replace(rec.result, notes_text=notes, extras=extras), info=identity,
                              record_error="not recorded: gradebook: OperationalError: database is locked")]
    assert any(c.error() for c in cases) and any(c.record_error for c in cases)
    for x in cases:
        data = x.to_dict()
        assert GradedSubmission.from_dict(data, x.lang) == x
        assert GradedSubmission.from_dict(json.loads(json.dumps(data, ensure_ascii=False)), x.lang) == x
        if x.record_error:
            assert data["record_error"] == x.record_error and data["full_name"] == "Ana María López"
            assert data["notes"] == [n(x.lang) for n in notes] and data["notes_i18n"] == [n.to_dict() for n in notes]
            assert data["extras"] == extras
        else:
            assert "record_error" not in data and "notes" not in data


# ------------------------------------------------------------------ feedback pages
def test_feedback_page_shows_every_check_and_the_total(graded):
    carol = graded["records"]["ex3"]["carol"]
    page = feedback_html(carol, "en")
    assert page.startswith("<!DOCTYPE html>")
    assert "ex3 — Inverted dropout" in page and "carol" in page
    assert "Score: 7 / 10" in page
    for c in carol.checks:
        assert html.escape(c.name) in page
    assert page.count('class="pass"') == 7 and page.count('class="fail"') == 3  # ex3 has 10 checks since 0bdca34
    assert html.escape(_check(carol, MASK_VALUES).message) in page  # public: the full message
    _assert_no_hidden_source(page)


def test_feedback_page_in_spanish(graded):
    carla = graded["es"]
    page = feedback_html(carla, "es")
    assert 'lang="es"' in page and "ex3 — Dropout invertido" in page
    assert "Nota: 7 / 10" in page and "Comprobación" in page and "no superada" in page
    assert "Falla con las entradas ocultas. Error probable: " + html.escape(ex3.MISTAKES["dropout_no_scale"].es) in page
    assert html.escape(_check(carla, MASK_VALUES).message) in page  # graded in Spanish
    assert "3,33333" not in page and "3.33333" not in page


def test_feedback_never_shows_hidden_data(graded):
    # hank fails only a hidden check: nothing of its message but the mistake may show
    hank = graded["records"]["ex3"]["hank"]
    original = _check(hank, FORWARD_FRESH).message
    for lang in ("en", "es"):
        page = feedback_html(hank, lang)
        for leaked in ("3.33333", "1.42857", "should be", "found", "expected", "index"):
            assert leaked in original or leaked in ("expected", "index")
            assert leaked not in page, (lang, leaked)
        assert html.escape(ex3.MISTAKES["dropout_p_is_drop"](lang)) in page
        _assert_no_hidden_source(page)
    # carol (ex4) fails public and hidden checks with value mismatches: the hidden inputs,
    # expected values and indices stay out, while the public ones are shown
    carol = graded["records"]["ex4"]["carol"]
    hidden = _check(carol, UPDATE_HIDDEN).message
    detail = hidden.split(" Likely mistake: ")[0]
    assert "expected" in detail and "index" in detail
    page = feedback_html(carol, "en")
    assert html.escape(detail) not in page
    label = re.search(r"\[(params [^\]]+)\]", detail).group(1)
    assert html.escape(label) not in page
    public_text = " ".join(c.message for c in carol.checks if not c.hidden)
    for number in re.findall(r"-?\d+\.\d+", detail):
        assert number in public_text or number not in page, number
    row = re.search(r"<tr[^>]*><td>" + re.escape(html.escape(UPDATE_HIDDEN)) + r".*?</tr>", page).group(0)
    assert "expected" not in row and "index" not in row and "→" not in row
    _assert_no_hidden_source(page)
    # ivan's exception texts carry the hidden shapes: the public ones show, the hidden ones never
    ivan = graded["records"]["ex3"]["ivan"]
    page = feedback_html(ivan, "en")
    for c in ivan.checks:
        shown = html.escape(c.message) in page
        assert shown != c.hidden, c.name


def test_feedback_of_an_unloadable_submission_shows_the_error(graded):
    erin = graded["records"]["ex3"]["erin"]
    page = feedback_html(erin, "en")
    assert "Your submission could not be loaded" in page
    assert html.escape(erin.error()) in page
    assert erin.path not in page  # the instructor's file system stays out
    assert "No se pudo cargar tu entrega" in feedback_html(erin, "es")


def test_feedback_escapes_text():
    record = GradedSubmission.from_dict(
        {"exercise": "ex3", "student": "<b>x</b>", "score": 0.0, "max_score": 1.0, "path": "p",
         "error": "<script>alert(1)</script>",
         "checks": [{"name": "a<b", "points": 0.0, "max_points": 1.0, "passed": False, "hidden": False,
                     "message": "x & <y>"}]})
    page = feedback_html(record)
    assert "<script>" not in page and "<b>x</b>" not in page
    assert "&lt;script&gt;" in page and "a&lt;b" in page and "x &amp; &lt;y&gt;" in page


def test_write_feedback_writes_one_page_per_student(graded, tmp_path):
    paths = write_feedback(graded["grades"], "ex3", tmp_path / "ex3", "en")
    assert [p.name for p in paths] == [f"{s}.html" for s in sorted(graded["records"]["ex3"])]
    assert all(p.read_text(encoding="utf-8").startswith("<!DOCTYPE html>") for p in paths)
    assert not list((tmp_path / "ex3").glob(".*"))  # no temporary files left


# ------------------------------------------------------------------ class report
def test_report_histogram_pass_rates_and_mistakes(graded):
    records = read_records(graded["grades"], "ex3")
    page = class_report_html(records, "ex3", "en")
    _assert_no_hidden_source(page)
    assert "Class report: ex3 — Inverted dropout" in page
    assert "<th>Submissions</th><td>7</td>" in page
    assert "<th>Median score</th><td>7 / 10</td>" in page
    assert "<th>Mean score</th><td>4.71 / 10</td>" in page  # (10 + 7 + 7 + 9) / 7
    # histogram: an inline SVG with one bar per point 0..10
    svg = re.search(r'<svg[^>]*class="histogram".*?</svg>', page, re.DOTALL).group(0)
    assert svg.count('<rect class="bar"') == 11
    for count, score in ((3, 0), (2, 7), (1, 9), (1, 10), (0, 5)):
        assert f"<title>{count} student(s) scored {score}</title>" in svg
    # pass rates over the 6 loadable submissions, worst first
    rows = re.findall(r'<tr class="rate"><td>(.*?)(?:<span|</td>).*?<td class="num">(\d+) / (\d+)</td>', page)
    assert len(rows) == len(records[0].checks)
    assert all(int(total) == 6 for _, _, total in rows)
    rates = [int(passed) for _, passed, _ in rows]
    assert rates == sorted(rates)
    assert html.unescape(rows[0][0]) == FORWARD_FRESH and rates[0] == 1  # only alice
    # the named mistakes with their students, most frequent first
    mistakes = re.findall(r'<tr class="mistake" id="(\w+)">.*?<td class="num">(\d+)</td><td>(.*?)</td>', page)
    assert mistakes == [("dropout_no_scale", "2", "carol, dave"), ("dropout_p_is_drop", "1", "hank")]
    assert html.escape(ex3.MISTAKES["dropout_no_scale"].en) in page
    # the unloadable submission and its error
    assert re.search(r'<tr class="unloadable"><td>erin</td><td>[^<]*not a valid notebook', page)


def test_report_in_spanish_and_for_another_exercise(graded):
    page = class_report_html(read_records(graded["grades"], "ex4"), "weight-decay", "es")
    assert "Informe de la clase: ex4 — Regularización L2 y L1" in page
    assert "Errores conocidos más frecuentes" in page and "<svg" in page
    mistakes = dict(re.findall(r'<tr class="mistake" id="(\w+)">.*?<td>(?:.*?)</td><td class="num">\d+</td><td>(.*?)</td>',
                               page))
    assert mistakes["wd_update_decay_biases"] == "carol"
    assert mistakes["wd_l2_no_lam"] == "gina"
    assert html.escape(ex4.MISTAKES["wd_l2_no_lam"].es) in page
    assert "Entregas que no se pudieron cargar" not in page


def test_report_of_no_records_is_a_page_too():
    page = class_report_html([], "ex3", "en")
    assert "No submissions." in page and "<th>Submissions</th><td>0</td>" in page


def test_histogram_bins():
    assert [b.count for b in histogram([0, 7, 7, 10], 10)] == [1, 0, 0, 0, 0, 0, 0, 2, 0, 0, 1]
    halves = histogram([2.5, 2.0, 14.5, 15.0], 15)
    assert len(halves) == 16 and halves[2].count == 2 and halves[14].count == 1 and halves[15].count == 1
    wide = histogram([0.0, 12.5, 25.0, 24.9], 25)  # more than 20 points: 10 bins, the last closed
    assert len(wide) == 10 and [wide[0].count, wide[5].count, wide[9].count] == [1, 1, 2]
    assert sum(b.count for b in histogram([0.25, 1.5], 1.5)) == 2


def test_write_report(graded, tmp_path):
    path = write_report(graded["grades"], "ex3", tmp_path / "reports" / "ex3.html", "en")
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# ------------------------------------------------------------------ exports
def test_lms_csv_across_two_exercises(graded):
    lines = lms_csv(graded["grades"]).splitlines()
    assert lines[0] == "student,full_name,lms,lms_user_id,ex3,ex4,total"
    # no course around these grades: no names or LMS ids to give
    rows = {line.split(",")[0]: line.split(",")[4:] for line in lines[1:] if line.split(",")[1:4] == ["", "", ""]}
    assert len(rows) == len(lines) - 1
    assert list(rows) == sorted(rows)
    ex4_scores = {s: r.score for s, r in graded["records"]["ex4"].items()}
    assert rows["alice"] == ["10", "10", "20"]
    assert rows["bob"] == ["0", "", "0"]  # no ex4 submission: empty, not 0
    assert rows["carol"] == ["7", f"{ex4_scores['carol']:g}", f"{7 + ex4_scores['carol']:g}"]
    assert rows["gina"] == ["", f"{ex4_scores['gina']:g}", f"{ex4_scores['gina']:g}"]
    assert set(rows) == set(graded["records"]["ex3"]) | set(graded["records"]["ex4"])


def test_gradescope_results(graded):
    carol = graded["records"]["ex3"]["carol"]
    result = gradescope_results(carol)
    json.dumps(result)
    assert result["score"] == 7.0 and "7/10" in result["output"]
    assert sum(t["score"] for t in result["tests"]) == result["score"]
    assert sum(t["max_score"] for t in result["tests"]) == carol.max_score
    assert "execution_time" not in result
    for test, check in zip(result["tests"], carol.checks):
        assert test["name"] == check.name
        assert test["visibility"] == ("after_published" if check.hidden else "visible")
        assert test["output"] == check.student_message("en", "ex3")
    assert "3.33333" not in json.dumps(result)
    erin = gradescope_results(graded["records"]["ex3"]["erin"], "es")
    assert erin["score"] == 0 and "No se pudo cargar la entrega" in erin["output"]


def test_write_exports(graded, tmp_path):
    paths = write_exports(graded["grades"], tmp_path)
    assert paths[0] == tmp_path / "grades.csv"
    assert paths[0].read_text(encoding="utf-8") == lms_csv(graded["grades"])
    assert len(paths) == 1 + 7 + 3
    carol = json.loads((tmp_path / "gradescope" / "ex4" / "carol" / "results.json").read_text(encoding="utf-8"))
    assert carol["score"] == graded["records"]["ex4"]["carol"].score


def test_unreadable_record_is_named(tmp_path):
    (tmp_path / "ex3").mkdir()
    (tmp_path / "ex3" / "zoe.json").write_text("{half", encoding="utf-8")
    with pytest.raises(ValueError, match="zoe.json"):
        read_records(tmp_path, "ex3")


# ------------------------------------------------------------------ CLI
@pytest.fixture
def grader():
    """``grader`` with the report commands (registered on a fresh group if cli.py does not yet)."""
    from autograder.cli import main

    if {"feedback", "report", "export"} <= set(main.commands):
        return main
    return cli_reports.register(click.Group("grader"))


def test_cli_help(grader):
    runner = CliRunner()
    for cmd in ("feedback", "report", "export"):
        result = runner.invoke(grader, [cmd, "--help"])
        assert result.exit_code == 0 and "--grades" in result.output and "--out" in result.output


def test_cli_feedback(graded, grader, tmp_path):
    result = CliRunner().invoke(grader, ["feedback", "dropout", "--grades", str(graded["grades"]),
                                         "--out", str(tmp_path), "--lang", "es"])
    assert result.exit_code == 0, result.output
    pages = sorted((tmp_path / "ex3").glob("*.html"))
    assert [p.stem for p in pages] == sorted(graded["records"]["ex3"])
    for page in pages:
        assert f"wrote {page}" in result.output
    assert "Dropout invertido" in pages[0].read_text(encoding="utf-8")


def test_cli_report(graded, grader, tmp_path):
    out = tmp_path / "r" / "ex3.html"
    result = CliRunner().invoke(grader, ["report", "ex3", "--grades", str(graded["grades"]), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output and "7 submission(s)" in result.output
    assert 'class="histogram"' in out.read_text(encoding="utf-8")


def test_cli_report_default_path(graded, grader, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(grader, ["report", "ex4", "--grades", str(graded["grades"])])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "reports" / "ex4.html").is_file()


def test_cli_export(graded, grader, tmp_path):
    result = CliRunner().invoke(grader, ["export", "--grades", str(graded["grades"]), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert f"wrote {tmp_path / 'grades.csv'} (ex3, ex4)" in result.output
    assert "wrote 10 Gradescope results.json" in result.output
    assert (tmp_path / "gradescope" / "ex3" / "alice" / "results.json").is_file()


def test_cli_exit_2_when_there_is_nothing_to_read(graded, grader, tmp_path):
    runner = CliRunner()
    for args in (["feedback", "ex5", "--grades", str(graded["grades"]), "--out", str(tmp_path)],
                 ["report", "ex3", "--grades", str(tmp_path / "none"), "--out", str(tmp_path / "r.html")],
                 ["export", "--grades", str(tmp_path / "none"), "--out", str(tmp_path)]):
        result = runner.invoke(grader, args)
        assert result.exit_code == 2, (args, result.output)
        assert "no " in result.output and "results in" in result.output and "grader grade" in result.output
    assert not list(tmp_path.rglob("*.html")) and not (tmp_path / "grades.csv").exists()
    result = runner.invoke(grader, ["report", "ex99", "--grades", str(graded["grades"])])
    assert result.exit_code == 2 and "unknown exercise" in result.output


def test_cli_bad_record_exits_1_naming_it(grader, tmp_path):
    (tmp_path / "ex3").mkdir()
    (tmp_path / "ex3" / "zoe.json").write_text("[]", encoding="utf-8")
    result = CliRunner().invoke(grader, ["report", "ex3", "--grades", str(tmp_path), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 1 and "zoe.json" in result.output


def test_reports_import_nothing_heavy(graded, tmp_path):
    code = textwrap.dedent(f"""
        import sys
        from autograder.feedback import write_feedback
        from autograder.report import write_report
        from autograder.export import write_exports
        from autograder import cli_reports
        grades = {str(graded["grades"])!r}
        write_feedback(grades, "ex3", {str(tmp_path / "f")!r})
        write_report(grades, "ex3", {str(tmp_path / "r.html")!r})
        write_exports(grades, {str(tmp_path / "e")!r})
        heavy = [m for m in ("tensorflow", "keras", "nbgrader", "torch", "sklearn") if m in sys.modules]
        assert not heavy, heavy
    """)
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_input_free_outcomes_of_hidden_checks_are_shown_and_nothing_else():
    """What a hidden check may show is decided by its outcome, never by what its message looks like."""
    from autograder.messages import BOTH, t

    for outcome, message in (("not_defined", t("not_defined", BOTH, name="dropout_backward")),
                             ("not_loaded", t("not_loaded", BOTH))):
        check = CheckResult.from_dict({"hidden": True, "passed": False, "outcome": outcome,
                                       "messages": message.to_dict()}, "ex3")
        assert check.student_message("en", "ex3") == message.en
        assert check.student_message("es", "ex3") == message.es
    # the same text as a grader template, from the student's code (outcome "raised"), is not shown
    for message in (t("not_defined", "en", name="x"), "dropout_forward() raised ValueError (ex3.py, line 3): `x` is "
                    "not defined.", "`(3, 4)` is not defined. 1.5"):
        for outcome in ("raised", "failed", None):
            check = CheckResult.from_dict({"hidden": True, "passed": False, "outcome": outcome, "message": message},
                                          "ex3")
            assert check.student_message("en", "ex3") == "Failed on the hidden test inputs."
