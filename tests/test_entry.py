"""The ``grader`` program as a student runs it (``autograder/entry.py``): ``grader check`` starts the
student process's template before parsing its command line and ends without tearing the interpreter
down; what it prints, its exit codes and what it leaves behind must be those of the command itself."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import authoring
from autograder.entry import _checks, _plain

GRADER = Path(sys.executable).with_name("grader")


def _grader(args, cwd: Path, tmp: Path) -> subprocess.CompletedProcess:
    """``grader ARGS`` in ``cwd``, with its own temporary folder ``tmp`` (to see what it leaves there)."""
    assert GRADER.is_file(), f"no installed grader program beside {sys.executable} (make install)"
    env = dict(os.environ, TMPDIR=str(tmp), GRADER_LANG="en")
    return subprocess.run([str(GRADER), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def places(tmp_path):
    """A working folder, and a temporary folder of the grader's own, both inside pytest's folder, which
    only its owner may enter (0700): a confined student process that runs as nobody must still reach its
    folder there (confine._closed_above)."""
    work, tmp = tmp_path / "work", tmp_path / "tmp"
    work.mkdir()
    tmp.mkdir()
    assert not tmp_path.parent.stat().st_mode & 0o001
    return work, tmp


def _left(tmp: Path) -> list[str]:
    return sorted(p.name for p in tmp.iterdir() if not p.name.startswith("grader-site-"))  # the shared link farm


@pytest.mark.parametrize("argv, checks", [
    (["check", "ex3"], True),
    (["check", "ex3", "my.ipynb", "--json"], True),
    (["check"], False),                       # click's usage error, as before
    (["check", "ex3", "--help"], False),
    (["check", "-h"], False),
    (["grade", "ex3"], False),
    (["list"], False),
    ([], False),
])
def test_only_a_check_of_something_starts_the_template_first(argv, checks):
    assert _checks(argv) is checks


@pytest.mark.parametrize("argv, plain", [
    (["check", "ex3"], ("ex3", None, False, None)),
    (["check", "--json", "ex3", "my.py", "--lang", "es"], ("ex3", "my.py", True, "es")),
    (["check", "ex3", "--lang=en"], ("ex3", None, False, "en")),
    (["check", "ex3", "--lang", "fr"], None),      # click names the languages offered
    (["check", "ex3", "--lang"], None),            # click says the option needs a value
    (["check", "ex3", "a.py", "b.py"], None),      # one PATH too many
    (["check", "ex3", "--jsn"], None),             # no such option
    (["check", "ex3", "-"], None),
    (["check", "ex3", "."], None),                 # a folder: click refuses it as PATH
    (["check", "ex3", "--help"], None),
])
def test_only_the_plainest_lines_bypass_click(argv, plain):
    assert _plain(argv) == plain


def test_a_correct_file_gets_full_marks_and_leaves_nothing_behind(places):
    work, tmp = places
    done = _grader(["check", "ex3", str(authoring.SOLUTIONS / "ex3_dropout.py"), "--json"], work, tmp)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["score"] == result["max_score"] > 0
    assert done.stderr == ""
    assert _left(tmp) == []


def test_a_failing_check_exits_1_with_its_table(places):
    work, tmp = places
    done = _grader(["check", "ex3", str(authoring.EXERCISES / "ex3_dropout.py")], work, tmp)
    assert done.returncode == 1, done.stderr
    assert "ex3: 0 /" in done.stdout and "Total: 0 /" in done.stdout
    assert _left(tmp) == []


def test_a_usage_error_is_one_message_exit_2_and_leaves_nothing_behind(places):
    work, tmp = places
    done = _grader(["check", "ex3", "missing.py"], work, tmp)
    assert done.returncode == 2
    assert "missing.py does not exist" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""
    assert _left(tmp) == []


def test_other_commands_run_as_before(places):
    work, tmp = places
    done = _grader(["list", "--json"], work, tmp)
    assert done.returncode == 0, done.stderr
    assert "ex3" in {e["id"] for e in json.loads(done.stdout)}


def _click(args, cwd: Path, tmp: Path) -> subprocess.CompletedProcess:
    """``grader ARGS`` through click alone (autograder.cli.main, as before entry.py)."""
    code = "import sys; sys.argv = ['grader'] + sys.argv[1:]; from autograder.cli import main; main()"
    env = dict(os.environ, TMPDIR=str(tmp), GRADER_LANG="en")
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


def _cases(folder: Path) -> dict[str, list[str]]:
    solution = authoring.SOLUTIONS / "ex3_dropout.py"
    (folder / "twins").mkdir()
    (folder / "twins" / "ex3_dropout.py").write_text(solution.read_text())
    (folder / "twins" / "ex3_dropout.ipynb").write_text((authoring.EXERCISES / "ex3_dropout.ipynb").read_text())
    (folder / "broken.py").write_text("raise SystemExit(4)\n")
    return {
        "full marks": ["check", "ex3", str(solution)],
        "a stub": ["check", "ex3", str(authoring.EXERCISES / "ex3_dropout.py")],
        "json, options first": ["check", "--json", "ex3", str(solution)],
        "spanish": ["check", "ex3", str(solution), "--lang", "es"],
        "spanish, one word": ["check", "ex3", str(solution), "--lang=es"],
        "unloadable": ["check", "ex3", str(folder / "broken.py")],
        "two files differ": ["check", "ex3"],
        "missing file": ["check", "ex3", "missing.py"],
        "unknown exercise": ["check", "exx"],
        "a Keras exercise's missing file": ["check", "ex7", "missing.py"],
        "nothing in the folder": ["check", "ex1"],
    }


def test_the_plain_lines_print_and_exit_as_click_does(places):
    """Byte for byte: standard output, standard error and the exit code of each line, through the fast
    path and through click."""
    work, tmp = places
    cases = _cases(work)
    seen = set()
    for name, args in cases.items():
        cwd = work / "twins" if name == "two files differ" else work
        fast, slow = _grader(args, cwd, tmp), _click(args, cwd, tmp)
        assert (fast.returncode, fast.stdout, fast.stderr) == (slow.returncode, slow.stdout, slow.stderr), name
        seen.add(fast.returncode)
        if name == "two files differ":  # the note, before the table
            assert "ex3_dropout.ipynb" in fast.stderr and "Total:" in fast.stdout
        assert "Traceback" not in fast.stderr, name
    assert seen == {0, 1, 2, 3}  # every exit code of grader check was compared
    assert _left(tmp) == []
