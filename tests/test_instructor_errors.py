"""Errors that help, and a Ctrl-C that acts (issue 11), on real parts: the real CLI in a subprocess, real
nbgrader (or a real import failure of it), real SQLite files, real read-only mounts, real signals.

* without nbgrader, every course command says in one line what to install (exit code 2), writing nothing;
* a gradebook.db that is not a database is named with its fix, in one line (exit code 2), changing
  nothing, and the fix it gives works;
* a course that cannot be written is named in one line (exit code 2), with nothing half-made; so is a
  disk that fills up while grading;
* Ctrl-C during `grader grade --jobs 2` (outside a course and in one) stops within seconds, says what was
  saved and how to resume (exit code 130), leaves no worker or student process, and the same command
  then grades only the rest; a grader killed outright takes its workers and student processes with it.
"""
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from autograder.course import CourseDir, nb, notebook_name
from tests import ex3_sources
from autograder.course.grade import grade_course
from autograder.course.setup import init_course
from autograder.sandbox import CHILD_MARK

EX = "ex3"
NAME = notebook_name(EX)
INSTALL = "pip install -e '.[course]'"
RUN = "from autograder.cli import main; main(prog_name='grader')"


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "GRADER_LANG"}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.update(extra)
    return env


def grader(*args, cwd=None, env=None, prefix=(), timeout=300) -> subprocess.CompletedProcess:
    """The real CLI in its own process (``prefix``: a wrapper such as ``unshare``)."""
    return subprocess.run([*prefix, sys.executable, "-c", RUN, *map(str, args)], cwd=cwd, env=env or _env(),
                          capture_output=True, text=True, timeout=timeout)


def tree(root: Path) -> dict | None:
    """Every file under ``root`` with its content hash and modification time, and every folder: what a
    command that writes nothing leaves as it was. None when ``root`` does not exist."""
    if not os.path.lexists(root):
        return None
    out = {}
    for path in sorted(Path(root).rglob("*")):
        rel = str(path.relative_to(root))
        if path.is_dir():
            out[rel] = "folder"
        else:
            out[rel] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    return out


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    """The single line a refused command printed on stderr (asserting there is one, and no traceback)."""
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    return lines[0]


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> CourseDir:
    """A real course (ex3) with alice's submission (the solution) graded into grades/ and the gradebook."""
    course = init_course(tmp_path_factory.mktemp("base") / "course", [EX])
    folder = course.submitted("alice", EX)
    folder.mkdir(parents=True)
    shutil.copy(course.source(EX) / NAME, folder / NAME)
    run = grade_course(course, EX)
    assert run.graded == ["alice"] and not run.unrecorded
    return course


@pytest.fixture
def course(base, tmp_path) -> CourseDir:
    """A copy of the base course of one's own."""
    shutil.copytree(base.root, tmp_path / "course", symlinks=True)
    return CourseDir(tmp_path / "course")


# ------------------------------------------------------------------ 1. nbgrader not installed

@pytest.fixture(scope="module")
def no_nbgrader(tmp_path_factory) -> dict:
    """An environment where `import nbgrader` fails as it does on a machine without the course extra."""
    folder = tmp_path_factory.mktemp("blocked")
    (folder / "nbgrader").mkdir()
    (folder / "nbgrader" / "__init__.py").write_text('raise ImportError("nbgrader is blocked for this test")\n')
    return _env(PYTHONPATH=str(folder))


@pytest.mark.parametrize("args, lang", [
    (["init", "{new}"], "en"),
    (["init", "{new}", "-e", EX], "es"),
    (["demo", "{new}"], "en"),
    (["release", EX, "--course", "{course}"], "en"),
    (["grade", EX, "--course", "{course}", "--jobs", "2"], "en"),
    (["grade", EX, "--course", "{course}", "--lang", "es"], "es"),
    (["collect", EX, "--from-exchange", "--course", "{course}"], "en"),
], ids=["init", "init-es", "demo", "release", "grade", "grade-es", "collect-exchange"])
def test_without_nbgrader_a_course_command_says_what_to_install_and_writes_nothing(course, tmp_path, no_nbgrader,
                                                                                   args, lang):
    new = tmp_path / "new-course"
    before = tree(course.root)
    env = dict(no_nbgrader, GRADER_LANG="es") if lang == "es" and "--lang" not in args else no_nbgrader
    proc = grader(*(a.format(new=new, course=course.root) for a in args), env=env)
    line = one_line_error(proc)
    assert INSTALL in line and f"grader {args[0]}" in line and "nbgrader is blocked for this test" in line
    if lang == "es":
        assert "necesita nbgrader" in line and "No se ha escrito nada" in line
    else:
        assert "needs nbgrader" in line and "Nothing was written" in line
    assert not os.path.lexists(new)              # nothing half-made…
    assert tree(course.root) == before           # …and nothing changed


def test_without_nbgrader_the_commands_that_do_not_need_it_still_work(course, tmp_path, no_nbgrader):
    """The check is where nbgrader is needed, not everywhere: grading files and collecting from a folder work."""
    klass = tmp_path / "class" / "bob"
    klass.mkdir(parents=True)
    shutil.copy(course.source(EX) / NAME, klass / NAME)
    proc = grader("grade", EX, klass.parent, "--out", tmp_path / "grades", "--json", env=no_nbgrader)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)[0]["score"] == 10
    proc = grader("collect", EX, "--from-folder", klass.parent, "--course", course.root, env=no_nbgrader)
    assert proc.returncode == 0, proc.stderr
    assert (course.submitted("bob", EX) / NAME).is_file()


# ------------------------------------------------------------------ 2. a broken gradebook.db

def _corrupt(course: CourseDir, how: str) -> None:
    data = course.gradebook.read_bytes()
    if how == "junk":
        course.gradebook.write_bytes(random.Random(11).randbytes(100))
    else:  # a copy cut short: the SQLite header is right, the pages are not all there
        course.gradebook.write_bytes(data[:len(data) // 2])


@pytest.mark.parametrize("how", ["junk", "truncated"])
def test_a_broken_gradebook_is_named_with_its_fix_and_nothing_changes(course, tmp_path, how):
    _corrupt(course, how)
    klass = tmp_path / "lms" / "carol"
    klass.mkdir(parents=True)
    shutil.copy(course.source(EX) / NAME, klass / NAME)
    commands = {
        "grade": ["grade", EX, "--course", course.root, "--jobs", "2"],
        "init": ["init", course.root, "-e", EX],
        "release": ["release", EX, "--course", course.root],
        "collect": ["collect", EX, "--from-folder", klass.parent, "--course", course.root],
        "export": ["export", "--grades", course.grades(), "--out", course.root / "exports"],
    }
    before = tree(course.root)
    for name, args in commands.items():
        line = one_line_error(grader(*args))
        assert line.startswith(f"Error: {course.gradebook} is not a readable nbgrader gradebook"), (name, line)
        assert "nothing was changed" in line and "Restore it from a backup" in line, (name, line)
        assert f"mv {course.gradebook} {course.gradebook}.broken" in line, (name, line)
        assert ("database disk image is malformed" if how == "truncated" else "file is not a database") in line
        assert tree(course.root) == before, name
    line = one_line_error(grader("grade", EX, "--course", course.root, "--lang", "es"))
    assert "no es un libro de calificaciones de nbgrader legible" in line and "copia de seguridad" in line


def test_the_fix_a_broken_gradebook_message_gives_works(course):
    """Move it away and run `grader grade EX`: a new gradebook holds every saved result again, not regraded."""
    _corrupt(course, "junk")
    line = one_line_error(grader("grade", EX, "--course", course.root))
    assert "mv " in line
    saved = (course.grades(EX) / "alice.json").stat().st_mtime_ns
    course.gradebook.rename(course.gradebook.with_name("gradebook.db.broken"))
    proc = grader("grade", EX, "--course", course.root)
    assert proc.returncode == 0, proc.stderr
    assert "graded 0, already graded 1" in proc.stderr
    assert (course.grades(EX) / "alice.json").stat().st_mtime_ns == saved  # taken as saved, not regraded
    with nb.gradebook(course) as gb:
        sub = gb.find_submission(EX, "alice")
        assert {g.name: g.auto_score for n in sub.notebooks for g in n.grades} == \
            {"test_dropout_forward": 9.0, "test_dropout_backward": 1.0}


# ------------------------------------------------------------------ 3. a course that cannot be written

def _mechanism(tmp: Path) -> str | None:
    """How this machine makes a folder unwritable for the grader: permission bits (not root), a read-only
    bind mount in a private mount namespace (root), or the immutable attribute (root); None if none works."""
    if os.geteuid() != 0:
        return "chmod"
    probe = tmp / "probe"
    probe.mkdir()
    if shutil.which("unshare"):
        proc = subprocess.run(["unshare", "-m", "sh", "-c", _BIND + ' && ! touch "$0/x" 2>/dev/null', probe],
                              capture_output=True)
        if proc.returncode == 0:
            return "bind"
    if shutil.which("chattr") and subprocess.run(["chattr", "+i", probe], capture_output=True).returncode == 0:
        try:
            (probe / "x").touch()
        except OSError:
            return "chattr"
        finally:
            subprocess.run(["chattr", "-i", probe], capture_output=True)
    return None


_BIND = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" "$0"'


def run_readonly(mechanism: str, folder: Path, *args, cwd=None) -> subprocess.CompletedProcess:
    """The CLI with ``folder`` (and everything under it) unwritable."""
    if mechanism == "bind":  # the mount lives and dies with the command's own mount namespace
        return grader(*args, cwd=cwd, prefix=["unshare", "-m", "sh", "-c", _BIND + ' && exec "$@"', folder])
    on, off = (["chmod", "-R", "a-w"], ["chmod", "-R", "u+w"]) if mechanism == "chmod" else \
        (["chattr", "-R", "+i"], ["chattr", "-R", "-i"])
    subprocess.run([*on, folder], check=True)
    try:
        return grader(*args, cwd=cwd)
    finally:
        subprocess.run([*off, folder], check=True)


@pytest.fixture(scope="module")
def mechanism(tmp_path_factory) -> str:
    found = _mechanism(tmp_path_factory.mktemp("ro"))
    if found is None:
        pytest.skip("no way to make a folder read-only for root here (no mount namespace, no chattr); "
                    "test_a_file_where_a_folder_is_expected covers the same refusal")
    return found


REASONS = ("read-only file system", "operation not permitted", "permission denied")


def test_a_read_only_course_is_named_and_nothing_is_written(course, mechanism):
    root = course.root
    commands = {
        "grade": ["grade", EX, "--course", root, "--jobs", "2", "--force"],
        "grade-files": ["grade", EX, course.submitted("alice", EX), "--out", root / "files"],
        "init-new": ["init", root / "new", "-e", EX],
        "init": ["init", root, "-e", EX],
        "release": ["release", EX, "--course", root],
        "collect": ["collect", EX, "--from-folder", course.submitted(), "--course", root],
        "feedback": ["feedback", EX, "--grades", course.grades(), "--out", root / "feedback_html"],
        "report": ["report", EX, "--grades", course.grades(), "--out", root / "reports" / "ex3.html"],
        "export": ["export", "--grades", course.grades(), "--out", root / "exports"],
    }
    before = tree(root)
    for name, args in commands.items():
        line = one_line_error(run_readonly(mechanism, root, *args))
        assert line.startswith(f"Error: Cannot write in {root}"), (name, line)
        assert any(r in line for r in REASONS) and "nothing was written" in line, (name, line)
        assert tree(root) == before, name
    line = one_line_error(run_readonly(mechanism, root, "grade", EX, "--course", root, "--lang", "es"))
    assert f"No se puede escribir en {root}" in line and "no se ha escrito nada" in line


def test_init_where_one_folder_is_read_only_leaves_nothing_half_made(course, mechanism):
    """`grader init` writes the config, the keys, the exchange, then source/: with source/ read-only, none
    of them is touched (the config would otherwise be rewritten first)."""
    (course.root / ".grader" / "hidden_key").unlink()  # init would create it
    before = tree(course.root)
    line = one_line_error(run_readonly(mechanism, course.source(EX).parent, "init", course.root, "-e", EX))
    assert f"Cannot write in {course.root / 'source'}" in line
    assert tree(course.root) == before


def test_a_disk_that_fills_up_while_grading_is_said_in_one_line(tmp_path, mechanism, tmpdir_for_sandboxes):
    """The checks pass (a folder can still take an empty file), then the first result does not fit: one line
    naming that file (exit code 2), and the pool stopped behind it."""
    if mechanism != "bind":
        pytest.skip("needs a mount namespace to make a small full file system")
    klass = tmp_path / "class"
    for i in range(4):
        (klass / f"s{i}").mkdir(parents=True)
        (klass / f"s{i}" / "ex3_dropout.py").write_text(SUBMISSION.format(sleep=0))
    disk = tmp_path / "disk"
    disk.mkdir()
    # full but for two pages: the run's marker and one result fit, the next result does not
    fill = ('mount -t tmpfs -o size=64k none "$0" && (head -c 1M /dev/zero > "$0/fill" 2>/dev/null; '
            'truncate -s -8k "$0/fill" && exec "$@")')
    marker = f"NN_GRADER_TEST_RUN={uuid.uuid4().hex}"
    proc = subprocess.run(["unshare", "-m", "sh", "-c", fill, disk, sys.executable, "-c", RUN, "grade", EX, klass,
                           "--jobs", "2", "--out", disk / "grades"], capture_output=True, text=True, timeout=300,
                          env=_env(TMPDIR=str(tmpdir_for_sandboxes), **dict([marker.split("=")])))
    line = one_line_error(proc)
    assert line.startswith(f"Error: {disk / 'grades' / EX}{os.sep}s") and line.endswith(
        ".json: no space left on the device. Fix it (permissions, free space, a file where a folder is expected), "
        "then run the command again."), line
    assert _ours(marker, tmpdir_for_sandboxes) == []


@pytest.mark.parametrize("where", ["grades", "autograded"])
def test_a_file_where_a_folder_is_expected(course, where):
    (course.root / where).rename(course.root / f"{where}.moved")  # the base course has both
    (course.root / where).write_text("not a folder\n")
    before = tree(course.root)
    line = one_line_error(grader("grade", EX, "--course", course.root, "--force"))
    assert line == (f"Error: {course.root / where} is a file where a folder is expected; nothing was written. "
                    "Move it away or choose another folder, then run the command again.")
    assert tree(course.root) == before


# ------------------------------------------------------------------ 4. Ctrl-C during grader grade

SUBMISSION = "import time\ntime.sleep({sleep})\n" + ex3_sources.CORRECT.replace("{", "{{").replace("}", "}}")


def _ours(marker: str, tmpdir: Path) -> list[str]:
    """Processes of this test's run still alive: the grader's own (they carry ``marker`` in their environment)
    and its sandboxed student processes (CHILD_MARK in their command line, their home under ``tmpdir``)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{pid}/environ", "rb") as fh:
                env = fh.read().split(b"\0")
        except OSError:
            continue
        if marker.encode() in env or (CHILD_MARK in cmd and any(e.startswith(f"HOME={tmpdir}".encode()) for e in env)):
            found.append(f"{pid}: {cmd[:120]}")
    return found


@pytest.fixture
def tmpdir_for_sandboxes():
    """A TMPDIR of this test's own, so that its student processes can be told from others' (their HOME is in
    it). Not under pytest's tmp_path: its 0700 parent is closed to the user `nobody` they run as."""
    folder = Path(tempfile.mkdtemp(prefix="nn-grader-test-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _interrupt(args, folder: Path, tmpdir: Path, cwd=None, signum=signal.SIGINT, settle: float = 0.0):
    """Start `grader grade ARGS`, wait for 2 results in ``folder`` and a student process at work, send
    ``signum``; returns (seconds to exit, process, its stderr, processes left ``settle`` seconds later at most)."""
    marker = f"NN_GRADER_TEST_RUN={uuid.uuid4().hex}"
    env = _env(TMPDIR=str(tmpdir), **dict([marker.split("=")]))
    proc = subprocess.Popen([sys.executable, "-c", RUN, *map(str, args)], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None and not (
                len(list(folder.glob("s*.json"))) >= 2 and any(CHILD_MARK in p for p in _ours(marker, tmpdir))):
            time.sleep(0.05)
        assert proc.poll() is None, proc.stderr.read()
        start = time.monotonic()
        proc.send_signal(signum)
        proc.wait(timeout=60)
        seconds = time.monotonic() - start
    finally:
        if proc.poll() is None:
            proc.kill()
    def leftovers():  # processes, and the student processes' temporary folders
        return _ours(marker, tmpdir) + [str(p) for p in tmpdir.glob("grader-run-*")]

    left = leftovers()
    while left and time.monotonic() < start + seconds + settle:
        time.sleep(0.05)
        left = leftovers()
    return seconds, proc, proc.stderr.read(), left


def test_ctrl_c_outside_a_course_stops_at_once_and_the_same_command_resumes(tmp_path, tmpdir_for_sandboxes):
    klass, out = tmp_path / "class", tmp_path / "grades"
    for i in range(20):
        (klass / f"s{i:02d}").mkdir(parents=True)
        (klass / f"s{i:02d}" / "ex3_dropout.py").write_text(SUBMISSION.format(sleep=4 if i in (2, 3) else 0))
    args = ["grade", EX, klass, "--jobs", "2", "--out", out]
    seconds, proc, err, left = _interrupt(args, out / EX, tmpdir_for_sandboxes)
    print(f"\nCtrl-C to exit, outside a course (--jobs 2): {seconds:.2f} s")
    assert seconds < 5, f"took {seconds:.2f} s"  # about 0.3 s here; generous for a loaded machine
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "Aborted" not in err
    saved = sorted(p.stem for p in (out / EX).glob("s*.json"))
    assert 2 <= len(saved) < 20
    assert (f"Stopped: {len(saved)} of 20 graded and saved in {out / EX}{os.sep}; run the same command again to "
            f"grade the other {20 - len(saved)} (already graded ones are skipped; --force regrades all).") in err
    assert left == [], left                      # no worker, no student process, no temporary folder
    for p in (out / EX).glob("s*.json"):
        json.loads(p.read_text())                # every result written is whole
    kept = {p.name: p.stat().st_mtime_ns for p in (out / EX).glob("s*.json")}

    again = grader(*args, "--json")
    assert again.returncode == 0, again.stderr
    assert f"Resuming an unfinished run: {len(saved)} of 20 already graded in {out / EX} are kept" in again.stderr
    records = json.loads(again.stdout)
    assert sorted(r["student"] for r in records) == [f"s{i:02d}" for i in range(20)]
    assert all(r["score"] == r["max_score"] == 10 for r in records), \
        [(r["student"], r["error"], [c["message"] for c in r["checks"] if not c["passed"]]) for r in records
         if r["score"] != 10]
    assert {n: (out / EX / n).stat().st_mtime_ns for n in kept} == kept  # the saved ones were not graded again
    assert not (out / EX / ".unfinished").exists()
    third = grader(*args, "--json")  # a run after a finished one grades everything again, as before
    assert third.returncode == 0 and "Resuming" not in third.stderr
    assert all((out / EX / n).stat().st_mtime_ns != kept[n] for n in kept)


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["KILL", "TERM"])
def test_a_killed_grader_takes_its_workers_and_student_processes_with_it(tmp_path, tmpdir_for_sandboxes, signum):
    """No chance to clean up (SIGKILL) or Python's default (SIGTERM): the workers die with the parent
    and kill their student processes, within seconds rather than at their own time limits."""
    klass, out = tmp_path / "class", tmp_path / "grades"
    for i in range(6):
        (klass / f"s{i}").mkdir(parents=True)
        (klass / f"s{i}" / "ex3_dropout.py").write_text(SUBMISSION.format(sleep=0 if i < 2 else 30))
    _, proc, _, left = _interrupt(["grade", EX, klass, "--jobs", "2", "--out", out], out / EX,
                                  tmpdir_for_sandboxes, signum=signum, settle=5)
    assert proc.returncode == -signum
    assert left == [], left


def test_ctrl_c_in_a_course_stops_at_once_and_the_same_command_resumes(course, tmpdir_for_sandboxes):
    solution = json.loads((course.source(EX) / NAME).read_text())
    slow = json.loads(json.dumps(solution))
    slow["cells"].insert(0, {"cell_type": "code", "id": "slow", "metadata": {}, "outputs": [],
                             "execution_count": None, "source": ["import time\n", "time.sleep(4)\n"]})
    for i in range(10):
        folder = course.submitted(f"s{i:02d}", EX)
        folder.mkdir(parents=True)
        (folder / NAME).write_text(json.dumps(slow if i in (2, 3) else solution))
    args = ["grade", EX, "--jobs", "2", "--lang", "es"]
    seconds, proc, err, left = _interrupt(args, course.grades(EX), tmpdir_for_sandboxes, cwd=course.root)
    print(f"\nCtrl-C to exit, in a course (--jobs 2): {seconds:.2f} s")
    assert seconds < 5, f"took {seconds:.2f} s"
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "Aborted" not in err
    saved = sorted(p.stem for p in course.grades(EX).glob("*.json"))  # alice's from before, and the new ones
    assert 3 <= len(saved) < 11
    assert (f"Detenido: {len(saved)} de 11 corregidas y guardadas en {course.grades(EX)}{os.sep}; vuelve a ejecutar "
            f"la misma orden para corregir las otras {11 - len(saved)}") in err
    assert left == [], left

    again = grader("grade", EX, "--jobs", "2", cwd=course.root)
    assert again.returncode == 0, again.stderr
    assert f"graded {11 - len(saved)}, already graded {len(saved)}" in again.stderr
    with nb.gradebook(course) as gb:
        assert sorted(s.student.id for s in gb.assignment_submissions(EX)) == sorted(
            ["alice", *(f"s{i:02d}" for i in range(10))])


def test_a_swallowed_ctrl_c_still_stops_the_batch_after_the_result_it_is_saving(tmp_path, monkeypatch):
    """Whatever swallows the KeyboardInterrupt (a finalizer, a library's ``except BaseException``), the
    SIGINT is remembered and the batch stops once the submission it is saving is saved."""
    from autograder import batch, submissions

    klass = tmp_path / "class"
    for i in range(4):
        (klass / f"s{i}").mkdir(parents=True)
        (klass / f"s{i}" / "ex3.py").write_text("def dropout_backward(dout, mask):\n    return dout\n")
    subs, _ = submissions.discover([klass], "ex3")
    seen = []

    def progress(rec):  # the SIGINT "arrives" while the first result is saved, and is swallowed
        seen.append(rec.student)
        batch.STOP.set()

    try:
        with pytest.raises(KeyboardInterrupt):
            batch.grade_batch("ex3", subs, tmp_path / "out", progress=progress)
    finally:
        batch.STOP.clear()
    assert seen == ["s0"]
    assert sorted(p.stem for p in (tmp_path / "out" / "ex3").glob("s*.json")) == ["s0"]  # saved, then stopped
