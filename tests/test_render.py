"""What an instructor reads in a pipe, a log or a narrow terminal: the class tables at 80 columns
(ids whole, no word split across lines) and at 200, and the grading progress as counted lines
when the output is not a terminal (as a bar when it is)."""
import re
import threading
from io import StringIO

import pytest
from rich.console import Console

from autograder.cli_course import demo_table
from autograder import registry
from autograder.course.demo import EXERCISES, N_STUDENTS, NOTHING, OPTIONAL, DemoResult, _profile
from autograder.grading import exercise_module
from autograder.render import CLASS_TABLE_LISTED, class_table, progress_bar
from autograder.results import GradedSubmission

BOX = "│┃┏━┳┓┡╇┩└─┴┘┗┻┛┣╋┫╭╮╰╯┼├┤┬"
IDS = ["student01", "student02", "student03", "ana_maria_lopez", "maria_jose_fernandez_garcia", "li"]
ERROR = ("ana_maria_lopez/ex5_optimizers.ipynb is not a valid notebook (Expecting ',' delimiter: line 1 "
         "column 4097 (char 4096)). Re-download it or restore it from a checkpoint.")


def _names(ex: str) -> list[str]:
    return [c.name for c in exercise_module(ex).CHECKS]


def _record(student: str, names: list[str], failed: list[str], error: str | None = None) -> GradedSubmission:
    """A record of ex5 whose score is the number of checks passed, 0 when it could not be loaded."""
    checks = [{"name": n, "passed": n not in failed, "points": 0.0 if error or n in failed else 1.0,
               "max_points": 1.0} for n in names]
    score = 0.0 if error else float(sum(c["passed"] for c in checks))
    rec = GradedSubmission.from_dict({"exercise": "ex5", "student": student, "score": score,
                                      "max_score": float(len(names)), "checks": checks, "error": error})
    assert (rec.score, rec.max_score) == (score, len(names))
    return rec


def _class() -> tuple[list[GradedSubmission], list[str]]:
    """ex5 as a class would hand it in: the longest check names of the course, some failed."""
    names = _names("ex5")
    by_length = sorted(names, key=len, reverse=True)
    records = [_record("student01", names, []),
               _record("student02", names, by_length[:3]),                  # the three longest names
               _record("student03", names, names[:CLASS_TABLE_LISTED + 2]),  # more than are listed
               _record("ana_maria_lopez", names, [], error=ERROR),
               _record("maria_jose_fernandez_garcia", names, by_length[3:4]),
               _record("li", names, names)]                                  # nothing passed
    return records, names


def _render(renderable, width: int) -> list[str]:
    console = Console(width=width, file=StringIO(), color_system=None)
    console.print(renderable)
    return console.file.getvalue().splitlines()


def _words(lines: list[str]) -> list[str]:
    return [w for line in lines for w in re.split(rf"[\s{BOX}]+", line) if w]


@pytest.mark.parametrize("width", [80, 200])
def test_the_class_table_shows_every_id_whole_and_splits_no_word(width):
    records, names = _class()
    lines = _render(class_table(records, "ex5"), width)
    assert max(len(line) for line in lines) <= width
    shown = _words(lines)
    for sid in IDS:
        assert sid in shown, (sid, "\n".join(lines))           # on one line, whole, never "studen…"
    # every word on the screen is a word that was given: a name folded mid-word would leave fragments
    given = set(_words([" ".join(names), ERROR, "ex5: 6 submissions student score failed checks / error",
                        "… and 2 more", f"no check passed ({len(names)} of {len(names)} failed)",
                        "1 at full marks, 4 with failed checks, 1 not loaded; mean"]))
    given |= {f"{r.score:g}" for r in records} | {f"{r.max_score:g}" for r in records} | set(IDS)
    strays = [w for w in shown if w not in given and not re.fullmatch(r"[\d.]+", w)]
    assert strays == [], "\n".join(lines)
    text = "\n".join(lines)
    assert "… and 2 more" in text and f"no check passed ({len(names)} of {len(names)} failed)" in text
    assert re.search(rf"^1 at full marks, 4 with failed checks, 1 not loaded; mean \d+\.\d / {len(names)}", text, re.M)
    if width == 200:  # wide enough: each failed name on one line of its own
        assert all(any(name in line for line in lines) for name in names[:CLASS_TABLE_LISTED])


def test_the_class_table_speaks_spanish():
    records, _ = _class()
    text = "\n".join(_render(class_table(records, "ex5", "es"), 80))
    for words in ("ex5: 6 entregas", "estudiante", "nota", "comprobaciones fallidas / error", "… y 2 más",
                  "1 con la nota máxima, 4 con comprobaciones fallidas, 1 sin cargar; media"):
        assert words in text, text


def test_the_demo_table_is_readable_at_80_columns():
    graded = EXERCISES + tuple(OPTIONAL)
    result = DemoResult(course=None, max_scores={ex: registry.get(ex).points for ex in graded})
    for i in range(N_STUDENTS):
        for ex in graded:
            profile = _profile(i, ex, N_STUDENTS, True)
            if profile == NOTHING:
                continue
            result.profiles.setdefault(f"student{i + 1:02d}", {})[ex] = profile
            result.scores.setdefault(f"student{i + 1:02d}", {})[ex] = (
                registry.get(ex).points if profile == "correct" else 7.5)
    lines = _render(demo_table(result, 45), 80)
    assert max(len(line) for line in lines) <= 80
    shown = _words(lines)
    assert all(f"student{i + 1:02d}" in shown for i in range(N_STUDENTS)), "\n".join(lines)
    # the optional exercise is the caption: who handed it in, their score, what they handed in
    text = " ".join(lines)
    assert "ex12 (optional, 2 handed in): student01 12/12, student02 7.5/12 (learning rate ignored)" in " ".join(
        text.split()), text
    notes = " ".join(p for row in result.profiles.values() for p in row.values())
    maxima = " ".join(f"{ex} {ex}: /{registry.get(ex).points:g} {registry.get(ex).points:g}/{registry.get(ex).points:g}"
                      for ex in graded)
    given = set(_words([notes, "demo class: 30 students, graded in 45 s student total what they handed in all correct",
                        maxima, f"/{sum(registry.get(ex).points for ex in EXERCISES):g}",
                        "(optional, 2 handed in): 7.5/12, (learning rate ignored)"])) | set(result.scores)
    strays = [w for w in shown if w not in given and not re.fullmatch(r"[\d./]+,?", w) and w.rstrip(",") not in given]
    assert strays == [], "\n".join(lines)


def _pipe() -> Console:
    """A console that is not a terminal, as stderr is in a pipe, a log file or CI."""
    return Console(file=StringIO(), width=80)


def test_progress_in_a_pipe_is_a_count_at_the_end():
    console = _pipe()
    assert not console.is_terminal
    with progress_bar(console, 30, "ex3") as advance:
        for _ in range(30):
            advance({"student": "x"})
    lines = console.file.getvalue().splitlines()
    assert len(lines) == 1 and re.fullmatch(r"ex3: 30/30 submissions graded \(\d+ s\)", lines[0]), lines


def test_progress_in_a_pipe_says_the_count_every_few_seconds():
    console = _pipe()
    with progress_bar(console, 4, "ex1", every_s=0.0) as advance:
        for _ in range(4):
            advance({})
    assert [line.split(" (")[0] for line in console.file.getvalue().splitlines()] == \
        [f"ex1: {i}/4 submissions graded" for i in range(1, 5)]


def test_progress_counts_once_per_submission_from_several_threads():
    console = _pipe()
    with progress_bar(console, 200, "ex2", every_s=3600) as advance:
        threads = [threading.Thread(target=lambda: [advance({}) for _ in range(50)]) for _ in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    lines = console.file.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ex2: 200/200 submissions graded"), lines


def test_progress_in_spanish_and_as_a_bar_on_a_terminal():
    console = _pipe()
    with progress_bar(console, 2, "ex4", "es") as advance:
        advance({})
        advance({})
    assert console.file.getvalue().startswith("ex4: 2/2 entregas corregidas (")
    terminal = Console(file=StringIO(), width=80, force_terminal=True, color_system=None)
    with progress_bar(terminal, 3, "ex4") as advance:
        for _ in range(3):
            advance({})
    drawn = terminal.file.getvalue()
    assert "grading ex4" in drawn and "3/3" in drawn and "submissions graded" not in drawn
