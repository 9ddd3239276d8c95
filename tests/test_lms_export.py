"""Grades the LMS takes back as they are: `collect` keeps who each student is, `export` writes
Moodle's offline grading worksheet and Canvas' gradebook import with those identities."""
from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder.course import CourseDir
from autograder.course.collect import collect_from_folder, collect_from_zip
from autograder.course.roster import ROSTER_FILE, split_name

MOODLE_HEADER = ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum grade",
                 "Grade can be changed", "Last modified (submission)", "Last modified (grade)", "Feedback comments"]
FORMULA_NAME = "=HYPERLINK(1+2)"


def nb(marker: str) -> bytes:
    return json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "source": f"# {marker}\n",
                                  "outputs": [], "execution_count": None}],
                       "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()


def make_zip(path: Path, entries: dict[str, bytes], when=(2026, 10, 3, 8, 15, 0)) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, when)
            info.flag_bits |= 0x800  # names in UTF-8, as Moodle writes them
            zf.writestr(info, data)
    return path


def write_record(course: Path, ex: str, student: str, score: float) -> None:
    """A grade record as `grader grade` writes it (GradedSubmission.to_dict()'s form, as a version before
    check ids wrote it)."""
    checks = [{"name": "first", "points": min(score, 5.0), "max_points": 5.0, "passed": score >= 5,
               "hidden": False, "message": ""},
              {"name": "second", "points": max(score - 5.0, 0.0), "max_points": 5.0, "passed": score == 10,
               "hidden": True, "message": ""}]
    rec = {"exercise": ex, "score": float(score), "max_score": 10.0, "checks": checks, "error": None,
           "student": student, "path": str(course / "submitted" / student / ex), "sha256": "0" * 64}
    path = course / "grades" / ex / f"{student}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rec), encoding="utf-8")


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # UTF-8 without a BOM
    return list(csv.reader(io.StringIO(raw.decode("utf-8"))))


def by_first(rows: list[list[str]], key: int = 0) -> dict[str, list[str]]:
    return {row[key]: row for row in rows}


# --------------------------------------------------------------------------- a class from Moodle and Canvas

@pytest.fixture(scope="module")
def lms_class(tmp_path_factory):
    """A real course (gradebook and all): Moodle ex3 and ex4 downloads, Canvas ex3 and ex4 downloads,
    grades for them, then `grader export`."""
    from autograder.cli import main
    from autograder.course import nb as nbg
    from autograder.course.setup import init_course

    base = tmp_path_factory.mktemp("lms")
    course = init_course(base / "course", ["ex3", "ex4"]).root
    with nbg.gradebook(CourseDir(course)) as gb:  # typed in by the instructor: must stay
        gb.update_or_create_student("zoe_celik", first_name="Zoe", last_name="Celik (edited)")
        gb.update_or_create_student("frank", first_name="Frank", last_name="Ruiz", email="frank@example.org")

    moodle3 = make_zip(base / "moodle-ex3.zip", {
        "Ana María López_123456_assignsubmission_file_/ex3_dropout.ipynb": nb("ana"),
        "Ana López_11_assignsubmission_file_/ex3_dropout.ipynb": nb("first ana lopez"),
        "Ana López_12_assignsubmission_file_/ex3.py": b"x = 1\n",
        f"{FORMULA_NAME}_13_assignsubmission_file_/ex3_dropout.ipynb": nb("formula"),
        "Lía_77_assignsubmission_file_/ex3_dropout.ipynb": nb("lia"),
    })
    moodle4 = make_zip(base / "moodle-ex4.zip", {  # Moodle numbers participants anew in each assignment
        "Ana María López_123999_assignsubmission_file_/ex4_weight_decay.ipynb": nb("ana ex4"),
        "Zoë Çelik_124001_assignsubmission_file_/ex4_weight_decay.ipynb": nb("zoe ex4"),
    })
    canvas3 = make_zip(base / "canvas-ex3.zip", {
        "perezluis_late_5150_777_ex3_dropout.ipynb": nb("luis"),
        "kimjoon_LATE_6160_778_ex3_dropout-1.ipynb": nb("joon"),
    })
    canvas4 = make_zip(base / "canvas-ex4.zip", {
        "lia_4343_780_ex4_weight_decay.ipynb": nb("lia ex4"),
        "nguyenmai_7070_781_ex4_weight_decay.ipynb": nb("mai ex4"),
    })
    reports = {name: collect_from_zip(course, ex, z) for name, ex, z in (
        ("moodle3", "ex3", moodle3), ("moodle4", "ex4", moodle4), ("canvas3", "ex3", canvas3),
        ("canvas4", "ex4", canvas4))}
    scores = {"ex3": {"ana_maria_lopez": 7, "ana_lopez_11": 10, "ana_lopez_12": 2.5, "hyperlink_1_2": 0,
                      "lia": 9, "perezluis": 6, "kimjoon": 8},
              "ex4": {"ana_maria_lopez": 9.5, "zoe_celik": 10, "lia": 4, "nguyenmai": 5}}
    for ex, by_student in scores.items():
        for student, score in by_student.items():
            write_record(course, ex, student, score)
    result = CliRunner().invoke(main, ["export", "--grades", str(course / "grades"), "--out", str(course / "exports"),
                                       "--canvas-assignment", "ex3=9001"])
    return {"course": course, "reports": reports, "scores": scores, "result": result,
            "exports": course / "exports"}


def test_collect_read_every_person(lms_class):
    reports = lms_class["reports"]
    for report in reports.values():
        assert report.error is None and not report.skipped, [(s.path, s.reason) for s in report.skipped]
    assert reports["moodle3"].students == ["ana_lopez_11", "ana_lopez_12", "ana_maria_lopez", "hyperlink_1_2", "lia"]
    assert reports["canvas3"].students == ["kimjoon", "perezluis"]  # `late_` and `LATE_` names alike
    ana = next(c for c in reports["moodle3"].collected if c.student == "ana_maria_lopez")
    assert (ana.lms, ana.lms_id, ana.full_name) == ("moodle", "123456", "Ana María López")
    luis = next(c for c in reports["canvas3"].collected if c.student == "perezluis")
    assert (luis.lms, luis.lms_id) == ("canvas", "5150")


def test_roster_keeps_identities_per_lms_and_per_assignment(lms_class):
    roster = json.loads((lms_class["course"] / ROSTER_FILE).read_text(encoding="utf-8"))["students"]
    ana = roster["ana_maria_lopez"]
    assert ana["full_name"] == "Ana María López"
    assert ana["moodle"]["participants"] == {"ex3": "123456", "ex4": "123999"}  # ex4 added, ex3 kept
    assert (ana["lms_user_id"], ana["lms_user_id_from"]) == ("123456", "moodle")  # the first number stays
    assert roster["ana_lopez_11"]["full_name"] == roster["ana_lopez_12"]["full_name"] == "Ana López"
    assert roster["hyperlink_1_2"]["full_name"] == FORMULA_NAME
    assert roster["kimjoon"]["canvas"] == {"name": "kimjoon", "user_id": "6160"}
    # Lía came from Moodle, then from Canvas: Canvas' lower-case "lia" does not replace her name,
    # her stable Canvas user id replaces the per-assignment Moodle number
    lia = roster["lia"]
    assert (lia["full_name"], lia["full_name_from"]) == ("Lía", "moodle")
    assert (lia["lms_user_id"], lia["lms_user_id_from"]) == ("4343", "canvas")
    assert lia["moodle"] == {"full_name": "Lía", "participants": {"ex3": "77"}}
    assert lia["canvas"] == {"name": "lia", "user_id": "4343"}


def test_gradebook_has_names_and_lms_ids(lms_class):
    from autograder.course import nb as nbg

    with nbg.gradebook(CourseDir(lms_class["course"])) as gb:
        people = {s.id: (s.first_name, s.last_name, s.lms_user_id) for s in gb.students}
    assert people["ana_maria_lopez"] == ("Ana", "María López", "123456")
    assert people["ana_lopez_11"] == ("Ana", "López", "11")
    assert people["lia"] == (None, "Lía", "4343")
    assert people["perezluis"] == (None, "perezluis", "5150")
    assert people["zoe_celik"] == ("Zoe", "Celik (edited)", "124001")  # the instructor's names stay
    assert people["frank"] == ("Frank", "Ruiz", None)


def test_export_command_output(lms_class):
    result, out = lms_class["result"], lms_class["exports"]
    assert result.exit_code == 0, result.output
    assert f"wrote {out / 'grades.csv'} (ex3, ex4)" in result.output
    assert f"wrote 2 Moodle grading worksheet(s) under {out / 'moodle'}" in result.output
    assert f"wrote {out / 'canvas' / 'grades.csv'}" in result.output
    assert "wrote 11 Gradescope results.json" in result.output
    # graded people an LMS does not know are named, not silently dropped
    assert "moodle/ex3_grading_worksheet.csv: 2 graded student(s) unknown to Moodle are left out: kimjoon, " \
           "perezluis" in result.output
    assert "moodle/ex4_grading_worksheet.csv: 1 graded student(s) have no Moodle participant number for ex4" \
           in result.output and "skip their row: lia" in result.output
    assert "canvas/grades.csv: 5 graded student(s) unknown to Canvas are left out" in result.output


def test_moodle_worksheet_ex3(lms_class):
    course = lms_class["course"]
    rows = read_csv(lms_class["exports"] / "moodle" / "ex3_grading_worksheet.csv")
    assert rows[0] == MOODLE_HEADER
    assert all(len(row) == len(MOODLE_HEADER) for row in rows)
    body = by_first(rows[1:], key=1)
    assert set(body) == {"Ana María López", "Ana López", f"'{FORMULA_NAME}", "Lía", "Zoë Çelik"}
    assert len(rows) == 7  # the header, and both Ana López
    ana = body["Ana María López"]
    assert ana[:7] == ["Participant 123456", "Ana María López", "", "Submitted for grading - Graded", "7", "10.00",
                       "Yes"]
    stamp = (course / "submitted" / "ana_maria_lopez" / "ex3" / "timestamp.txt").read_text()
    assert ana[7] == stamp and datetime.fromisoformat(ana[7]).replace(tzinfo=None) == datetime(2026, 10, 3, 8, 15)
    assert datetime.fromisoformat(ana[8]).tzinfo is not None  # when the grade was written, for Moodle's check
    assert ana[9] == "ex3 Inverted dropout: 7/10. 1 of 2 checks passed."
    # the two Ana López keep their own participant numbers and grades
    same_name = {row[0]: row[4] for row in rows[1:] if row[1] == "Ana López"}
    assert same_name == {"Participant 11": "10", "Participant 12": "2.5"}
    assert body[f"'{FORMULA_NAME}"][:5] == ["Participant 13", f"'{FORMULA_NAME}", "", "Submitted for grading - Graded",
                                            "0"]
    # Zoë submitted ex4 only: a row, no grade, no participant number for ex3 (Moodle passes over it)
    assert body["Zoë Çelik"] == ["", "Zoë Çelik", "", "No submission", "", "10.00", "Yes", "", "", ""]


def test_moodle_worksheet_ex4(lms_class):
    rows = read_csv(lms_class["exports"] / "moodle" / "ex4_grading_worksheet.csv")
    assert rows[0] == MOODLE_HEADER
    ids = {row[1]: row[0] for row in rows[1:]}
    grades = {row[1]: row[4] for row in rows[1:]}
    assert ids["Ana María López"] == "Participant 123999" and grades["Ana María López"] == "9.5"
    assert ids["Zoë Çelik"] == "Participant 124001" and grades["Zoë Çelik"] == "10"
    assert grades["Ana López"] == "" and {r[3] for r in rows[1:] if r[1] == "Ana López"} == {"No submission"}
    assert (ids["Lía"], grades["Lía"]) == ("", "4")  # graded from Canvas' ex4: warned about above


def test_canvas_gradebook_import(lms_class):
    rows = read_csv(lms_class["exports"] / "canvas" / "grades.csv")
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "ex3 (9001)", "ex4"]
    assert rows[1] == ["Points Possible", "", "", "", "", "10", "10"]
    body = by_first(rows[2:], key=1)
    assert body == {"6160": ["kimjoon", "6160", "", "", "", "8", ""],
                    "4343": ["Lía", "4343", "", "", "", "9", "4"],
                    "7070": ["nguyenmai", "7070", "", "", "", "", "5"],   # no ex3 submission: a row, empty grade
                    "5150": ["perezluis", "5150", "", "", "", "6", ""]}


def test_plain_grades_csv(lms_class):
    rows = read_csv(lms_class["exports"] / "grades.csv")
    assert rows[0] == ["student", "full_name", "lms", "lms_user_id", "ex3", "ex4", "total"]
    body = by_first(rows[1:])
    assert list(body) == sorted(body)
    assert body["ana_maria_lopez"] == ["ana_maria_lopez", "Ana María López", "moodle", "123456", "7", "9.5", "16.5"]
    assert body["zoe_celik"] == ["zoe_celik", "Zoë Çelik", "moodle", "124001", "", "10", "10"]
    assert body["hyperlink_1_2"] == ["hyperlink_1_2", f"'{FORMULA_NAME}", "moodle", "13", "0", "", "0"]
    assert body["lia"] == ["lia", "Lía", "canvas", "4343", "9", "4", "13"]
    assert body["frank"] == ["frank", "Frank Ruiz", "", "", "", "", ""]  # in nbgrader's gradebook only
    assert set(body) == {"ana_lopez_11", "ana_lopez_12", "ana_maria_lopez", "frank", "hyperlink_1_2", "kimjoon",
                         "lia", "nguyenmai", "perezluis", "zoe_celik"}


def test_no_cell_starts_a_formula(lms_class):
    for path in lms_class["exports"].rglob("*.csv"):
        for row in read_csv(path):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@")), (path, cell)


def test_export_in_spanish_keeps_moodle_columns(lms_class, tmp_path):
    from autograder.cli import main

    result = CliRunner().invoke(main, ["export", "--grades", str(lms_class["course"] / "grades"), "--out",
                                       str(tmp_path), "--lang", "es"])
    assert result.exit_code == 0, result.output
    assert "escritas 2 hojas de calificación de Moodle" in result.output and "aviso:" in result.output
    rows = read_csv(tmp_path / "moodle" / "ex3_grading_worksheet.csv")
    assert rows[0] == MOODLE_HEADER  # Moodle matches its own (English) column names
    zoe = next(row for row in rows if row[1] == "Zoë Çelik")
    assert zoe[3] == "Sin entrega"
    canvas = read_csv(tmp_path / "canvas" / "grades.csv")
    assert canvas[0][5:] == ["ex3", "ex4"]  # no --canvas-assignment: plain names


def test_bad_canvas_assignment_option_is_a_usage_error(lms_class, tmp_path):
    from autograder.cli import main

    for value in ("ex3", "ex3=abc", "ex99=12"):
        result = CliRunner().invoke(main, ["export", "--grades", str(lms_class["course"] / "grades"), "--out",
                                           str(tmp_path), "--canvas-assignment", value])
        assert result.exit_code == 2, (value, result.output)
    assert not (tmp_path / "grades.csv").exists()


# --------------------------------------------------------------------------- collect's identity rules

@pytest.fixture
def course(tmp_path):
    root = tmp_path / "course"
    root.mkdir()
    (root / "nbgrader_config.py").write_text("c = get_config()\n")
    return root


def roster_of(course: Path) -> dict:
    return json.loads((course / ROSTER_FILE).read_text(encoding="utf-8"))["students"]


def test_blackboard_username_and_receipt_name(course, tmp_path):
    src = tmp_path / "bb"
    src.mkdir()
    (src / "ex3_jdoe_attempt_2026-10-01-12-00-00_ex3_dropout.ipynb").write_bytes(nb("jdoe"))
    (src / "ex3_jdoe_attempt_2026-10-01-12-00-00.txt").write_text(
        "Name: John Doe (jdoe)\nAssignment: ex3\nDate Submitted: Wednesday, October 1, 2026\n", encoding="utf-8")
    (src / "ex3_mrossi_attempt_2026-10-01-08-00-00_ex3_dropout.py").write_text("x = 1\n")
    report = collect_from_folder(course, "ex3", src)
    assert report.students == ["jdoe", "mrossi"]
    roster = roster_of(course)
    assert roster["jdoe"]["blackboard"] == {"username": "jdoe", "full_name": "John Doe"}
    assert (roster["jdoe"]["full_name"], roster["jdoe"]["lms_user_id"]) == ("John Doe", "jdoe")
    assert roster["mrossi"] == {"blackboard": {"username": "mrossi"}, "lms_user_id": "mrossi",
                                "lms_user_id_from": "blackboard"}  # no receipt: no name made up
    assert not (course / "gradebook.db").exists()  # no gradebook in this course: none is created


def test_a_worse_name_never_replaces_a_better_one(tmp_path):
    def course_at(name):
        root = tmp_path / name
        root.mkdir()
        (root / "nbgrader_config.py").write_text("c = get_config()\n")
        return root

    moodle = {"Kïm_55_assignsubmission_file_/ex4_weight_decay.ipynb": nb("moodle")}
    canvas = {"kim_900_1_ex3_dropout.ipynb": nb("canvas")}
    first_moodle = course_at("a")
    collect_from_zip(first_moodle, "ex4", make_zip(tmp_path / "m.zip", moodle))
    collect_from_zip(first_moodle, "ex3", make_zip(tmp_path / "c.zip", canvas))
    first_canvas = course_at("b")
    collect_from_zip(first_canvas, "ex3", make_zip(tmp_path / "c.zip", canvas))
    assert roster_of(first_canvas)["kim"]["full_name"] == "kim"
    collect_from_zip(first_canvas, "ex4", make_zip(tmp_path / "m.zip", moodle))
    for root in (first_moodle, first_canvas):
        kim = roster_of(root)["kim"]
        assert (kim["full_name"], kim["full_name_from"]) == ("Kïm", "moodle")
        assert (kim["lms_user_id"], kim["lms_user_id_from"]) == ("900", "canvas")
        assert kim["moodle"]["participants"] == {"ex4": "55"} and kim["canvas"]["user_id"] == "900"


def test_blind_marking_folders_give_no_name(course, tmp_path):
    z = make_zip(tmp_path / "blind.zip", {"Participant_4711_assignsubmission_file_/ex3_dropout.ipynb": nb("x")})
    report = collect_from_zip(course, "ex3", z)
    assert report.students == ["participant"]
    entry = roster_of(course)["participant"]
    assert "full_name" not in entry and entry["moodle"] == {"participants": {"ex3": "4711"}}


def test_a_broken_roster_is_left_alone(course, tmp_path):
    (course / ROSTER_FILE).write_text("{half", encoding="utf-8")
    z = make_zip(tmp_path / "m.zip", {"Ana_1_assignsubmission_file_/ex3.ipynb": nb("a")})
    report = collect_from_zip(course, "ex3", z)
    assert report.ok and any(ROSTER_FILE in w and "not stored" in w for w in report.warnings)
    assert (course / ROSTER_FILE).read_text(encoding="utf-8") == "{half"


def test_export_of_a_course_with_a_broken_roster_still_writes(course, tmp_path):
    from autograder.export import export_all

    (course / ROSTER_FILE).write_text("[]", encoding="utf-8")
    write_record(course, "ex3", "ana", 4)
    result = export_all(course / "grades", tmp_path / "out")
    assert result.moodle == [] and result.canvas is None
    assert any("not a roster" in w for w in result.warnings)
    assert read_csv(result.plain)[1] == ["ana", "", "", "", "4", "4"]


@pytest.mark.parametrize("name, expected", [
    ("Ana María López", ("Ana", "María López")), ("Lía", (None, "Lía")), ("  ", (None, None)),
    ("Jean  Paul   Sartre", ("Jean", "Paul Sartre")),
])
def test_split_name(name, expected):
    assert split_name(name) == expected
