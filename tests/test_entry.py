"""The ``grader`` program as a student runs it (``autograder/entry.py``): ``grader check`` starts the
student process's template before parsing its command line and ends without tearing the interpreter
down; what it prints, its exit codes and what it leaves behind must be those of the command itself."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from autograder import authoring
from autograder.entry import _checks

GRADER = Path(sys.executable).with_name("grader")


def _grader(args, cwd: Path, tmp: Path) -> subprocess.CompletedProcess:
    """``grader ARGS`` in ``cwd``, with its own temporary folder ``tmp`` (to see what it leaves there)."""
    assert GRADER.is_file(), f"no installed grader program beside {sys.executable} (make install)"
    env = dict(os.environ, TMPDIR=str(tmp), GRADER_LANG="en")
    return subprocess.run([str(GRADER), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def places(tmp_path):
    """A working folder, and a temporary folder of the grader's own. Not under pytest's folder, which only
    its owner may enter: a confined student process runs as nobody and must reach its folder there."""
    tmp = Path(tempfile.mkdtemp(prefix="grader-entry-test-"))
    tmp.chmod(0o755)
    yield tmp_path, tmp
    shutil.rmtree(tmp, ignore_errors=True)


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
