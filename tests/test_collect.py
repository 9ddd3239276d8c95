"""Collecting submissions into a course folder: LMS folders and zips, nbgrader's exchange, the CLI."""
from __future__ import annotations

import io
import json
import os
import shutil
import sys
import time
import types
import zipfile
from datetime import datetime
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from rich.console import Console

from autograder.cli_course import collect_cmd
from autograder.course import collect, exchange
from autograder.course.collect import (
    collect_from_exchange,
    collect_from_folder,
    collect_from_zip,
    sanitize_student_id,
)

SOLUTION = Path(__file__).resolve().parents[1] / "solutions" / "ex3_dropout.ipynb"


def nb(marker: str) -> bytes:
    """A small valid notebook whose only code cell holds ``marker``."""
    return json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "source": f"# {marker}\n",
                                  "outputs": [], "execution_count": None}],
                       "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()


def put(path: Path, data: bytes, mtime: float | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def make_zip(path: Path, entries: dict[str, bytes], times: dict[str, tuple] | None = None) -> Path:
    times = times or {}
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            zf.writestr(zipfile.ZipInfo(name, times.get(name, (2026, 10, 1, 12, 0, 0))), data)
    return path


def marker_of(path: Path) -> str:
    return json.loads(path.read_text())["cells"][0]["source"].strip("# \n")


def sub(course: Path, student: str, name: str = "ex3_dropout.ipynb") -> Path:
    return course / "submitted" / student / "ex3" / name


def reasons(report) -> str:
    return "\n".join(f"{s.path} :: {s.reason}" for s in report.skipped)


@pytest.fixture
def course(tmp_path):
    root = tmp_path / "course"
    root.mkdir()
    (root / "nbgrader_config.py").write_text("c = get_config()\n")  # what makes a folder a course
    return root


# --------------------------------------------------------------------------- ids

@pytest.mark.parametrize("raw, expected", [
    ("Ana María López", "ana_maria_lopez"),
    ("O'Brien, Seán", "obrien_sean"),
    ("Jürgen Groß", "jurgen_gross"),
    ("Łukasz Żółć", "lukasz_zolc"),
    ("  .hidden  ", "hidden"),
    ("a+b*c/d\\e", "a_b_c_d_e"),
    ("lopezana", "lopezana"),
    ("j.doe-2", "j.doe-2"),
    ("漢字", ""),
])
def test_student_ids_are_safe(raw, expected):
    assert sanitize_student_id(raw) == expected


# --------------------------------------------------------------------------- Moodle

def test_moodle_zip_of_student_folders_with_accents_and_junk(course, tmp_path):
    ana = "Ana María López_123456_assignsubmission_file_"
    bob = "Bob Smith_222_assignsubmission_file_"
    z = make_zip(tmp_path / "moodle.zip", {
        f"{ana}/ex3_dropout.ipynb": nb("ana"),
        f"{ana}/.ipynb_checkpoints/ex3_dropout-checkpoint.ipynb": nb("checkpoint"),
        f"__MACOSX/{ana}/._ex3_dropout.ipynb": b"\x00\x05junk",
        ".DS_Store": b"\x00junk",
        f"{bob}/work/ex3.py": b"def dropout_forward(a, p):\n    pass\n",
        "Bob Smith_222_assignsubmission_onlinetext_/onlinetext.html": b"<p>see file</p>",
    }, times={f"{ana}/ex3_dropout.ipynb": (2026, 10, 3, 8, 15, 0)})
    report = collect_from_zip(course, "ex3", z)
    assert report.error is None, report.error
    assert report.students == ["ana_maria_lopez", "bob_smith"], reasons(report)
    assert {c.lms for c in report.collected} == {"moodle"}
    assert marker_of(sub(course, "ana_maria_lopez")) == "ana"
    py = sub(course, "bob_smith", "ex3_dropout.py")
    assert py.read_text().startswith("def dropout_forward")
    stamp = datetime.fromisoformat(sub(course, "ana_maria_lopez", "timestamp.txt").read_text())
    assert stamp.tzinfo is not None and stamp.astimezone().replace(tzinfo=None) == datetime(2026, 10, 3, 8, 15)
    assert len(report.ignored) == 4 and not report.skipped, (report.ignored, reasons(report))


def test_moodle_flat_files_and_two_people_with_the_same_name(course, tmp_path):
    src = tmp_path / "download"
    put(src / "Ana López_11_assignsubmission_file_ex3_dropout.ipynb", nb("first ana"))
    put(src / "Ana Lopez_12_assignsubmission_file_ex3_dropout.ipynb", nb("second ana"))
    put(src / "Zoë Ñúñez_13_assignsubmission_file_dropout.ipynb", nb("zoe"))
    report = collect_from_folder(course, "dropout", src)
    assert report.students == ["ana_lopez_11", "ana_lopez_12", "zoe_nunez"], reasons(report)
    assert marker_of(sub(course, "ana_lopez_12")) == "second ana"
    assert any("ana_lopez" in w and "different people" in w for w in report.warnings)


# --------------------------------------------------------------------------- Canvas

def test_canvas_keeps_the_latest_resubmission_and_late_logins(course, tmp_path):
    z = make_zip(tmp_path / "submissions.zip", {
        "lopezana_123456_7891011_ex3_dropout.ipynb": nb("v0"),
        "lopezana_123456_7891011_ex3_dropout-1.ipynb": nb("v1"),
        "lopezana_123456_7891011_ex3_dropout-2.ipynb": nb("v2"),
        "doejohn_LATE_555_666_ex3_dropout.ipynb": nb("john"),
        "doejohn_LATE_555_666_ex4_weight_decay.ipynb": nb("wrong exercise"),
        "smithkim_777_888_report.pdf": b"%PDF-1.4",
    }, times={  # the -2 upload carries the oldest entry time: the suffix decides, not the clock
        "lopezana_123456_7891011_ex3_dropout-2.ipynb": (2026, 9, 1, 0, 0, 0),
        "lopezana_123456_7891011_ex3_dropout-1.ipynb": (2026, 10, 5, 0, 0, 0),
    })
    report = collect_from_zip(course, "ex3", z)
    assert report.students == ["doejohn", "lopezana"], reasons(report)
    assert marker_of(sub(course, "lopezana")) == "v2"
    text = reasons(report)
    assert text.count("superseded by resubmission -2") == 2
    assert "ex4_weight_decay.ipynb :: named for another exercise (ex4)" in text
    assert "report.pdf :: not a notebook" in text


# --------------------------------------------------------------------------- Blackboard

def test_blackboard_keeps_the_latest_attempt_and_ignores_receipts(course, tmp_path):
    src = tmp_path / "gradebook_download"
    put(src / "ex3_jdoe_attempt_2026-10-02-09-30-00_ex3_dropout.ipynb", nb("second"), mtime=1_000_000)
    put(src / "ex3_jdoe_attempt_2026-10-01-12-00-00_ex3_dropout.ipynb", nb("first"), mtime=time.time())
    put(src / "ex3_jdoe_attempt_2026-10-01-12-00-00.txt", b"Name: John Doe (jdoe)")
    put(src / "ex3_jdoe_attempt_2026-10-02-09-30-00.txt", b"Name: John Doe (jdoe)")
    put(src / "Dropout homework_mrossi_attempt_2026-10-01-08-00-00_dropout.py", b"x = 1\n")
    report = collect_from_folder(course, "ex3", src)
    assert report.students == ["jdoe", "mrossi"], reasons(report)
    assert marker_of(sub(course, "jdoe")) == "second"
    stamp = datetime.fromisoformat(sub(course, "jdoe", "timestamp.txt").read_text())
    assert stamp.astimezone().replace(tzinfo=None) == datetime(2026, 10, 2, 9, 30)
    assert "older attempt (2026-10-01 12:00:00)" in reasons(report)
    assert len(report.ignored) == 2
    assert sub(course, "mrossi", "ex3_dropout.py").is_file()


# --------------------------------------------------------------------------- plain folders

def test_plain_folder_of_student_folders_and_files(course, tmp_path):
    src = tmp_path / "class"
    now = time.time()
    put(src / "ana" / "ex3_dropout.ipynb", nb("ana new"), mtime=now)
    put(src / "ana" / "old" / "ex3_dropout.ipynb", nb("ana old"), mtime=now - 3600)
    put(src / "ana" / "scratch.ipynb", nb("scratch"))
    put(src / "ana" / ".ipynb_checkpoints" / "ex3_dropout-checkpoint.ipynb", nb("cp"))
    put(src / "bob.ipynb", nb("bob"))
    put(src / "Carla Núñez" / "ex3_dropout.py", b"y = 2\n")
    put(src / "dan" / "notes.txt", b"I did not finish")
    put(src / "ex3_dropout.ipynb", nb("template left by the instructor"))
    report = collect_from_folder(course, "ex3", src)
    assert report.students == ["ana", "bob", "carla_nunez"], reasons(report)
    assert marker_of(sub(course, "ana")) == "ana new"
    assert marker_of(sub(course, "bob")) == "bob"
    assert sub(course, "carla_nunez", "ex3_dropout.py").read_text() == "y = 2\n"
    text = reasons(report)
    assert "old/ex3_dropout.ipynb :: not newer (modification time)" in text
    assert "scratch.ipynb :: not named for ex3" in text
    assert "notes.txt :: not a notebook" in text
    assert "no student folder" in text  # the top-level template is not a student
    ts = datetime.fromisoformat(sub(course, "ana", "timestamp.txt").read_text())
    assert abs(ts.timestamp() - now) < 1e-3
    assert abs(sub(course, "ana").stat().st_mtime - now) < 1e-3


def test_wrapper_folder_in_a_zip_is_looked_through(course, tmp_path):
    z = make_zip(tmp_path / "class.zip", {
        "ex3 submissions/ana/ex3.ipynb": nb("ana"),
        "ex3 submissions/bob/ex3_dropout.ipynb": nb("bob"),
    })
    assert collect_from_zip(course, "ex3", z).students == ["ana", "bob"]


def test_a_single_student_folder(course, tmp_path):
    src = tmp_path / "María"
    put(src / "ex3_dropout.ipynb", nb("maria"))
    report = collect_from_folder(course, "ex3", src)
    assert report.students == ["maria"]


def test_an_nbgrader_submitted_tree_can_be_recollected(course, tmp_path):
    src = tmp_path / "old_course"
    put(src / "submitted" / "ana" / "ex3" / "ex3_dropout.ipynb", nb("ana"))
    put(src / "submitted" / "ana" / "ex3" / "timestamp.txt", b"2026-11-22 18:02:38.140848 UTC")
    put(src / "submitted" / "bob" / "ex3" / "ex3_dropout.ipynb", nb("bob"))
    report = collect_from_folder(course, "ex3", src)
    assert report.students == ["ana", "bob"], reasons(report)
    assert not report.skipped


# --------------------------------------------------------------------------- safety

def test_zip_slip_entries_are_refused(course, tmp_path):
    z = make_zip(tmp_path / "evil.zip", {
        "../../outside/ex3_dropout.ipynb": nb("evil"),
        "/etc/ex3_dropout.ipynb": nb("evil"),
        "ana/../../ex3_dropout.ipynb": nb("evil"),
        "symlinked/ex3_dropout.ipynb": b"/etc/passwd",
        "ana/ex3_dropout.ipynb": nb("ana"),
    })
    with zipfile.ZipFile(z) as zf:  # the names really are stored as written
        assert "../../outside/ex3_dropout.ipynb" in zf.namelist()
    with zipfile.ZipFile(z, "a") as zf:
        info = zipfile.ZipInfo("bob/ex3_dropout.ipynb")
        info.external_attr = (0o120777 << 16)
        zf.writestr(info, "/etc/passwd")
    report = collect_from_zip(course, "ex3", z)
    text = reasons(report)
    assert text.count("zip-slip") == 3, text
    assert "bob/ex3_dropout.ipynb :: symbolic link" in text
    assert "ana" in report.students
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert not any("outside" in p for p in written)
    assert all(p.startswith(("course/submitted/", "evil.zip", "course/nbgrader_config.py")) for p in written), written


def test_files_over_the_size_limit_are_skipped(course, tmp_path, monkeypatch):
    monkeypatch.setattr(collect, "MAX_FILE_BYTES", 2000)
    big = nb("x" * 5000)
    src = tmp_path / "class"
    put(src / "ana" / "ex3_dropout.ipynb", big)
    put(src / "bob" / "ex3_dropout.ipynb", nb("bob"))
    report = collect_from_folder(course, "ex3", src)
    assert report.students == ["bob"]
    assert "larger than" in reasons(report)
    z = make_zip(tmp_path / "big.zip", {"ana/ex3_dropout.ipynb": big, "bob/ex3_dropout.ipynb": nb("bob")})
    report = collect_from_zip(tmp_path / "course2", "ex3", z)
    assert report.students == ["bob"] and "larger than" in reasons(report)


def test_utf8_names_without_the_zip_utf8_flag_are_repaired(course, tmp_path):
    real = "Ana María_7_assignsubmission_file_/ex3_dropout.ipynb"
    fake = "Ana MarXXa_7_assignsubmission_file_/ex3_dropout.ipynb"  # same byte length, ASCII: no flag
    assert len(fake.encode()) == len(real.encode())
    z = make_zip(tmp_path / "old.zip", {fake: nb("ana")})
    z.write_bytes(z.read_bytes().replace(fake.encode(), real.encode()))
    with zipfile.ZipFile(z) as zf:
        assert zf.namelist()[0] != real  # zipfile alone reads it as cp437 mojibake
    assert collect_from_zip(course, "ex3", z).students == ["ana_maria"]


def test_a_broken_notebook_is_collected_with_a_warning(course, tmp_path):
    src = tmp_path / "class"
    put(src / "ana" / "ex3_dropout.ipynb", b'{"cells": [')
    report = collect_from_folder(course, "ex3", src)
    assert report.students == ["ana"]
    assert any("not valid notebook JSON" in w for w in report.warnings)


def test_not_a_zip(course, tmp_path):
    bad = put(tmp_path / "bad.zip", b"this is not a zip")
    report = collect_from_zip(course, "ex3", bad)
    assert report.error and "cannot be read as a zip" in report.error and not report.ok


# --------------------------------------------------------------------------- overwriting

def test_newer_existing_submissions_are_kept_unless_forced(course, tmp_path):
    def canvas(marker, when):
        z = tmp_path / f"{marker}.zip"
        return make_zip(z, {"lopezana_1_2_ex3_dropout.ipynb": nb(marker)},
                        times={"lopezana_1_2_ex3_dropout.ipynb": when})

    first = collect_from_zip(course, "ex3", canvas("oct5", (2026, 10, 5, 0, 0, 0)))
    assert first.students == ["lopezana"] and not first.collected[0].replaced
    again = collect_from_zip(course, "ex3", canvas("oct5", (2026, 10, 5, 0, 0, 0)))
    assert not again.ok and "already holds a submission" in reasons(again)
    older = collect_from_zip(course, "ex3", canvas("oct1", (2026, 10, 1, 0, 0, 0)))
    assert not older.ok and "use --force" in reasons(older)
    assert marker_of(sub(course, "lopezana")) == "oct5"
    newer = collect_from_zip(course, "ex3", canvas("oct9", (2026, 10, 9, 0, 0, 0)))
    assert newer.ok and newer.collected[0].replaced and marker_of(sub(course, "lopezana")) == "oct9"
    forced = collect_from_zip(course, "ex3", canvas("oct1", (2026, 10, 1, 0, 0, 0)), force=True)
    assert forced.ok and marker_of(sub(course, "lopezana")) == "oct1"
    # a .py resubmission replaces the notebook: no stale file is left to be graded
    src = tmp_path / "py"
    put(src / "lopezana" / "ex3_dropout.py", b"z = 3\n")
    collect_from_folder(course, "ex3", src)
    assert sorted(p.name for p in sub(course, "lopezana").parent.iterdir()) == ["ex3_dropout.py", "timestamp.txt"]


# --------------------------------------------------------------------------- nbgrader's exchange

def test_nbgrader_exchange_round_trip(tmp_path, monkeypatch):
    """release → two students fetch and submit → collect, all through nbgrader's own classes."""
    pytest.importorskip("nbgrader")
    from nbgrader.apps import NbGraderAPI
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import ExchangeFetchAssignment, ExchangeSubmit
    from traitlets.config import Config

    course = tmp_path / "course"
    (course / "source" / "ex3").mkdir(parents=True)
    shutil.copy(SOLUTION, course / "source" / "ex3" / "ex3_dropout.ipynb")
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        'c.CourseDirectory.course_id = "nn-course"\n'
        f"c.Exchange.root = {str(course / 'exchange')!r}\n"
        "c.Exchange.path_includes_course = True\n")
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter-data"))
    # nbgrader runs `alembic` as a subprocess to create the gradebook: it must be on PATH
    monkeypatch.setenv("PATH", os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    cfg = exchange._nbgrader_config(collect.CourseDir(course))
    api = NbGraderAPI(config=cfg)
    for step in (api.generate_assignment, api.release_assignment):
        result = step("ex3")
        assert result["success"], result.get("error")
    assert (course / "exchange" / "nn-course" / "outbound" / "ex3" / "ex3_dropout.ipynb").is_file()

    def student(name: str, edit: str):
        home = tmp_path / "home" / name
        home.mkdir(parents=True, exist_ok=True)
        sc = Config()
        sc.CourseDirectory.course_id = "nn-course"
        sc.CourseDirectory.assignment_id = "ex3"
        sc.CourseDirectory.student_id = name  # else nbgrader submits as the Unix user
        sc.Exchange.root = str(course / "exchange")
        sc.Exchange.path_includes_course = True
        sc.Exchange.assignment_dir = str(home)
        sc.Exchange.cache = str(tmp_path / "cache" / name)
        coursedir, auth = CourseDirectory(config=sc), Authenticator(config=sc)
        notebook = home / "nn-course" / "ex3" / "ex3_dropout.ipynb"
        if not notebook.exists():
            ExchangeFetchAssignment(coursedir=coursedir, authenticator=auth, config=sc).start()
        data = json.loads(notebook.read_text())
        data["cells"][0]["source"] = edit
        notebook.write_text(json.dumps(data))
        ExchangeSubmit(coursedir=coursedir, authenticator=auth, config=sc).start()

    student("ana", "ana first")
    student("bob", "bob")
    # collect makes the gradebook afresh, with the test's PATH gone: collect_from_exchange finds alembic itself
    (course / "gradebook.db").unlink()
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    report = collect_from_exchange(course, "ex3")
    assert os.environ["PATH"] == "/usr/bin:/bin"
    assert report.error is None, report.error
    assert report.students == ["ana", "bob"]
    for c in report.collected:
        assert c.destination == sub(course, c.student) and c.lms == "exchange"
        assert "+ex3+" in c.source and c.timestamp.endswith("UTC")
    assert json.loads(sub(course, "ana").read_text())["cells"][0]["source"] == "ana first"

    time.sleep(0.01)
    student("ana", "ana second")
    report = collect_from_exchange(course, "ex3")
    assert report.students == ["ana"] and report.collected[0].replaced
    assert "already holds this submission" in reasons(report)
    assert json.loads(sub(course, "ana").read_text())["cells"][0]["source"] == "ana second"
    forced = collect_from_exchange(course, "ex3", force=True)
    assert forced.students == ["ana", "bob"]


def test_exchange_without_a_course_id_says_so(course):
    pytest.importorskip("nbgrader")
    (course / "nbgrader_config.py").write_text("c = get_config()\n")
    report = collect_from_exchange(course, "ex3")
    assert not report.ok and "course_id" in report.error


# --------------------------------------------------------------------------- command line

@pytest.fixture
def cli():
    group = click.Group()
    group.add_command(collect_cmd)
    return group


def test_cli_collects_from_a_zip(cli, course, tmp_path):
    z = make_zip(tmp_path / "moodle.zip", {"Ana María López_1_assignsubmission_file_/ex3.ipynb": nb("a")})
    console = Console(file=io.StringIO(), width=200, record=True)
    result = CliRunner().invoke(cli, ["collect", "dropout", "--from-zip", str(z), "--course", str(course)],
                                obj=types.SimpleNamespace(console=console))
    assert result.exit_code == 0, result.output
    text = console.export_text()
    assert "ana_maria_lopez" in text and "submitted/ana_maria_lopez/ex3/ex3_dropout.ipynb" in text
    assert "1 collected, 0 skipped" in text


def test_cli_exit_codes(cli, course, tmp_path, monkeypatch):
    runner = CliRunner()
    src = tmp_path / "class"
    put(src / "ana" / "ex3_dropout.ipynb", nb("a"))
    monkeypatch.chdir(course)  # --course defaults to the current folder
    ok = runner.invoke(cli, ["collect", "ex3", "--from-folder", str(src)])
    assert ok.exit_code == 0, ok.output
    assert "ana" in ok.output and sub(course, "ana").is_file()
    again = runner.invoke(cli, ["collect", "ex3", "--from-folder", str(src)])
    assert again.exit_code == 1 and "already holds" in again.output
    assert runner.invoke(cli, ["collect", "ex3", "--from-folder", str(src), "--force"]).exit_code == 0
    bad = put(tmp_path / "bad.zip", b"nope")
    assert runner.invoke(cli, ["collect", "ex3", "--from-zip", str(bad)]).exit_code == 1
    for args in (["collect", "ex3"],
                 ["collect", "ex3", "--from-folder", str(src), "--from-exchange"],
                 ["collect", "ex99", "--from-folder", str(src)],
                 ["collect", "ex3", "--from-folder", str(tmp_path / "missing")],
                 ["collect", "ex3", "--from-folder", str(src), "--course", str(tmp_path / "nope")]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 2, (args, result.output)


@pytest.mark.parametrize("lang, words", [("en", "is not a course folder"), ("es", "no es la carpeta de un curso")])
def test_cli_collect_outside_a_course_is_refused_and_creates_nothing(cli, tmp_path, monkeypatch, lang, words):
    src = tmp_path / "class"
    put(src / "ana" / "ex3_dropout.ipynb", nb("a"))
    here = tmp_path / "not-a-course"
    here.mkdir()
    monkeypatch.chdir(here)
    monkeypatch.setenv("GRADER_LANG", lang)
    result = CliRunner().invoke(cli, ["collect", "ex3", "--from-folder", str(src)])
    assert result.exit_code == 2 and words in result.output, result.output
    assert list(here.iterdir()) == []  # no stray ./submitted
