"""The sandboxed student process, its wire format and the submission loader."""
import json
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest

from autograder.loader import LoadError, load_source
from autograder.sandbox import (
    Crashed, Limits, LoadFailed, Rng, Sandbox, StudentRaised, TimedOut, Unsupported, confinement, wire,
)

FAST = Limits(call_timeout_s=2.0, load_timeout_s=5.0)


def _sandbox(code, limits=FAST):
    sb = Sandbox([("<cell 1>", code)], limits)
    sb.start()
    return sb


# ------------------------------------------------------------------ wire
def test_wire_round_trip_keeps_structure_and_dtypes():
    value = {"a": [np.arange(6, dtype=np.float32).reshape(2, 3), (1, 2.5, None)], "b": float("nan"),
             "c": np.float64(3.0), "d": True, "e": "text"}
    blobs = []
    tree = wire.encode(value, blobs)
    header, got_blobs = wire.unpack(wire.pack({"value": tree}, blobs)[8:])
    back = wire.decode(header["value"], got_blobs)
    assert back["a"][0].dtype == np.float32 and back["a"][0].shape == (2, 3)
    np.testing.assert_array_equal(back["a"][0], value["a"][0])
    assert back["a"][1] == (1, 2.5, None)
    assert np.isnan(back["b"]) and back["c"] == 3.0 and back["d"] is True and back["e"] == "text"


def test_wire_sends_any_byte_order_and_layout_as_native_c_order():
    """A big-endian or transposed array arrives with its values (sent as native C-order bytes)."""
    value = np.arange(6.0).reshape(2, 3)
    for arr in (value.astype(">f8"), value.astype(">i4"), value.T, value[:, ::2]):
        blobs = []
        back = wire.decode(wire.encode(arr, blobs), blobs)
        assert back.dtype == arr.dtype.newbyteorder("=") and back.dtype.isnative
        np.testing.assert_array_equal(back, arr)


def test_wire_refuses_object_arrays_and_never_unpickles():
    blobs = []
    tree = wire.encode(np.array([object()], dtype=object), blobs)
    assert "__unsupported__" in tree and blobs == []
    with pytest.raises(wire.WireError):
        wire.decode({"__array__": 0, "dtype": "object", "shape": [1]}, [b"x" * 8])


def test_wire_rejects_a_blob_that_does_not_fit_its_shape():
    with pytest.raises(wire.WireError):
        wire.decode({"__array__": 0, "dtype": "float64", "shape": [3]}, [b"\0" * 8])


# ------------------------------------------------------------------ loader
def _notebook(tmp_path, cells, name="sub.ipynb"):
    nb = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / name
    path.write_text(json.dumps(nb))
    return path


def _code(src, **nbgrader):
    cell = {"cell_type": "code", "source": src, "metadata": {}, "outputs": [], "execution_count": None}
    if nbgrader:
        cell["metadata"]["nbgrader"] = nbgrader
    return cell


def test_notebook_magics_are_not_run_and_test_cells_are_skipped(tmp_path):
    path = _notebook(tmp_path, [
        _code("%matplotlib inline\nimport numpy as np\n!pip install nothing\nfiles = !ls\n"),
        {"cell_type": "markdown", "source": "# title", "metadata": {}},
        _code("%%time\ndef f(x):\n    return 2 * x\n"),
        _code("%%bash\nrm -rf /\n"),
        _code("assert f(1) == 3", grade=True, solution=False, grade_id="t", points=1),
    ])
    src = load_source(path)
    assert [name for name, _ in src.cells] == ["<cell 1>", "<cell 3>"]
    joined = "".join(code for _, code in src.cells)
    assert "pip" not in joined and "rm -rf" not in joined and "assert" not in joined
    with Sandbox(list(src.cells), FAST) as sb:
        assert sb.start()["f"] == "function"
        assert sb.call("f", 2) == 4


def test_broken_notebook_json_is_a_clear_load_error(tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text('{"cells": [ {"cell_type": "code", ')
    with pytest.raises(LoadError) as info:
        load_source(path)
    assert info.value.key == "broken_notebook" and "line" in info.value.details["detail"]


def test_syntax_error_names_cell_and_line(tmp_path):
    # one broken cell is skipped and named (tests/test_per_cell.py); a notebook none of whose cells
    # compiles cannot be loaded at all
    path = _notebook(tmp_path, [_code("x = 1\n"), _code("def f(:\n    pass\n")])
    src = load_source(path)
    assert [name for name, _ in src.cells] == ["<cell 1>"]
    assert [(c.where, c.line, c.defines) for c in src.skipped] == [("cell 2", 1, ("f",))]
    path = _notebook(tmp_path, [_code("y = (\n"), _code("def f(:\n    pass\n")])
    with pytest.raises(LoadError) as info:
        load_source(path)
    assert info.value.key == "syntax_error"
    assert info.value.details["where"] == "cell 1" and info.value.details["line"] == 1
    assert [c.where for c in info.value.skipped] == ["cell 2"]


def test_py_file_and_empty_file(tmp_path):
    (tmp_path / "empty.py").write_text("")
    src = load_source(tmp_path / "empty.py")
    assert src.kind == "py" and src.cells == (("<empty.py>", ""),)
    with pytest.raises(LoadError) as info:
        load_source(tmp_path / "notes.txt")
    assert info.value.key in {"missing_file", "bad_suffix"}


# ------------------------------------------------------------------ sandbox
def test_call_returns_plain_arrays_and_reports_the_raising_line():
    code = "import numpy as np\ndef f(x):\n    return x * 2\ndef g(x):\n    raise ValueError('no ' + str(x.shape))\n"
    with _sandbox(code) as sb:
        np.testing.assert_array_equal(sb.call("f", np.ones((2, 2))), 2 * np.ones((2, 2)))
        with pytest.raises(StudentRaised) as info:
            sb.call("g", np.ones((3, 1)))
    assert info.value.exc_type == "ValueError" and "(3, 1)" in info.value.detail
    assert info.value.where[-1][0] == "<cell 1>" and info.value.where[-1][1] == 5


def test_infinite_loop_times_out_and_the_next_call_gets_a_fresh_process():
    code = "def spin():\n    while True:\n        pass\ndef ok():\n    return 1\n"
    with _sandbox(code, Limits(call_timeout_s=0.5)) as sb:
        with pytest.raises(TimedOut):
            sb.call("spin")
        assert sb.call("ok") == 1
        assert sb.starts == 2


def test_os_exit_is_a_crash_and_sys_exit_is_an_exception():
    code = "import os, sys\ndef die():\n    os._exit(3)\ndef leave():\n    sys.exit(0)\ndef ok():\n    return 2\n"
    with _sandbox(code) as sb:
        with pytest.raises(Crashed) as info:
            sb.call("die")
        assert "code 3" in info.value.reason
        with pytest.raises(StudentRaised) as info:
            sb.call("leave")
        assert info.value.exc_type == "SystemExit"
        assert sb.call("ok") == 2


def test_how_a_process_ended_is_said_in_each_language(tmp_path):
    """The crash's reason is a text of its own, in the language of the message around it (it was English
    inside the Spanish message)."""
    import pickle

    from autograder.grading import grade_file
    from autograder.messages import BOTH

    code = "import os, sys\ndef die():\n    os._exit(3)\n"
    with _sandbox(code) as sb, pytest.raises(Crashed) as info:
        sb.call("die")
    assert info.value.text("en") == info.value.reason == "the process exited with code 3"
    assert info.value.text("es") == "el proceso terminó con el código 3"
    assert pickle.loads(pickle.dumps(info.value)).text("es") == "el proceso terminó con el código 3"
    dies = tmp_path / "ex3_dropout.py"
    dies.write_text("import os\nos._exit(4)\n")
    result = grade_file("ex3", dies, lang=BOTH)
    assert result.error_text("es") == "Tu código detuvo el proceso de Python al cargarse: el proceso terminó con el código 4."
    assert result.error_text("en") == "Your code stopped the Python process while loading: the process exited with code 4."
    calls = tmp_path / "calls" / "ex3_dropout.py"
    calls.parent.mkdir()
    calls.write_text("import os\ndef dropout_forward(a, p, train=True, rng=None):\n    os._exit(0)\n"
                     "def dropout_backward(dout, mask):\n    os._exit(0)\n")
    failed = [c for c in grade_file("ex3", calls, lang=BOTH).checks if c.outcome == "crashed"]
    assert failed and all(c.text("es").endswith("detuvo el proceso de Python: el proceso terminó con el código 0.")
                          for c in failed), [c.text("es") for c in failed]


def test_segfault_is_reported_as_a_crash():
    code = "import ctypes\ndef boom():\n    ctypes.string_at(0)\n"
    with _sandbox(code) as sb, pytest.raises(Crashed) as info:
        sb.call("boom")
    assert "segmentation" in info.value.reason


@pytest.mark.parametrize("module", ["reference_impl", "autograder", "autograder.cases", "solutions"])
def test_grader_packages_cannot_be_imported(module):
    with _sandbox(f"def f():\n    import {module}\n    return 1\n") as sb, pytest.raises(StudentRaised) as info:
        sb.call("f")
    assert info.value.exc_type in {"ImportError", "ModuleNotFoundError"}


def test_import_at_top_level_is_a_load_failure():
    with pytest.raises(LoadFailed) as info:
        _sandbox("import reference_impl\n")
    assert "reference_impl" in info.value.detail


def test_environment_and_working_directory_are_private(monkeypatch):
    monkeypatch.setenv("GRADER_HIDDEN_KEY", "secret-key")
    code = "import os\ndef env():\n    return sorted(os.environ)\ndef cwd():\n    return os.listdir('.')\n"
    with _sandbox(code) as sb:
        assert "GRADER_HIDDEN_KEY" not in sb.call("env")
        assert sb.call("cwd") == []


def test_printing_a_fake_reply_does_not_reach_the_channel():
    code = ('import json\nprint(json.dumps({"kind": "reply", "ok": True, "value": 42}))\n'
            'def f():\n    print("{\\"score\\": 10}")\n    return 1\n')
    with _sandbox(code) as sb:
        assert sb.call("f") == 1
        assert '"score": 10' in sb.output_tail()


def test_rigged_ndarray_subclass_arrives_as_plain_data():
    code = ("import numpy as np\n"
            "class Liar(np.ndarray):\n"
            "    def __eq__(self, other):\n        return True\n"
            "    def __array_finalize__(self, obj):\n        pass\n"
            "def f(x):\n    return np.zeros(3).view(Liar)\n")
    with _sandbox(code) as sb:
        got = sb.call("f", np.ones(3))
    assert type(got) is np.ndarray
    assert not np.array_equal(got, np.ones(3))


def test_unsupported_values_and_generators():
    code = "import numpy as np\ndef c():\n    return np.ones(2) * 1j\ndef r(rng):\n    return rng.random(2)\n"
    with _sandbox(code) as sb:
        assert isinstance(sb.call("c"), Unsupported)
        np.testing.assert_array_equal(sb.call("r", Rng(5)), np.random.default_rng(5).random(2))


def test_memory_limit_turns_a_hog_into_a_memory_error():
    code = "import numpy as np\ndef hog():\n    return np.ones((1 << 30,))\n"  # 8 GiB
    with _sandbox(code, Limits(memory_bytes=1 << 30)) as sb, pytest.raises((StudentRaised, Crashed)) as info:
        sb.call("hog")
    assert "MemoryError" in str(info.value) or "memory" in str(info.value)


def _running(marker: str) -> list[int]:
    """Host pids of processes whose command line holds ``marker``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as fh:
                    if marker.encode() in fh.read():
                        found.append(int(entry))
            except OSError:
                pass
    return found


def _waits_for(marker: str, present: bool, seconds: float = 3.0) -> bool:
    """Whether a process with ``marker`` is running (``present``) or gone within ``seconds``."""
    import time

    deadline = time.monotonic() + seconds
    while bool(_running(marker)) != present:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


SPAWN = ("import subprocess, sys\n"
         "def spawn(setsid):\n"
         "    global child\n"
         "    child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)', '{marker}'],\n"
         "                             start_new_session=setsid)\n"
         "    return 1\n")
WITH_PROCESSES = Limits(call_timeout_s=5.0, load_timeout_s=5.0, processes=None)  # as for Keras exercises


LEAVES_GROUP = pytest.param(True, id="setsid", marks=pytest.mark.skipif(
    not confinement().get("pid_ns"),
    reason="a process that leaves the group (setsid) is killed through a PID namespace, which needs root on "
           "Linux; elsewhere it outlives the submission (README, Limits)"))


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="finds the processes through /proc (Linux)")
@pytest.mark.parametrize("setsid", [pytest.param(False, id="same-group"), LEAVES_GROUP])
def test_processes_started_by_the_submission_die_with_it(setsid):
    marker = f"grandchild-{os.getpid()}-{setsid}"
    sb = _sandbox(SPAWN.format(marker=marker), WITH_PROCESSES)
    assert sb.call("spawn", setsid) == 1
    assert _waits_for(marker, present=True)
    sb.close()
    assert _waits_for(marker, present=False)


NPROC_HOLDS = confinement().get("user") == "nobody" or (hasattr(os, "geteuid") and os.geteuid() != 0)


@pytest.mark.skipif(not NPROC_HOLDS, reason="RLIMIT_NPROC never applies to root: it holds when the grader is not "
                                            "root, or when it is and the confined child runs as nobody")
def test_numpy_exercises_cannot_start_processes_or_threads():
    code = ("import os, threading\n"
            "def fork():\n    return os.fork()\n"
            "def thread():\n    threading.Thread(target=print).start()\n")
    with _sandbox(code) as sb:
        with pytest.raises(StudentRaised) as info:
            sb.call("fork")
        assert info.value.exc_type == "BlockingIOError"
        with pytest.raises(StudentRaised) as info:
            sb.call("thread")
        assert "can't start new thread" in info.value.detail


CONFINED = confinement()


@pytest.mark.skipif(not CONFINED.get("mount_ns"), reason="needs root on Linux (mount namespace); elsewhere the "
                                                         "student process reads and writes what the grader's user can")
def test_confined_code_cannot_read_or_write_the_graders_files(tmp_path):
    import autograder

    root = Path(autograder.__file__).resolve().parent.parent
    secret = tmp_path / "class" / "other_student" / "ex3.py"
    secret.parent.mkdir(parents=True)
    secret.write_text("answer = 42\n")
    code = ("import os\n"
            "def read(path):\n"
            "    try:\n        return open(path).read()\n"
            "    except OSError as exc:\n        return type(exc).__name__\n"
            "def write(path):\n"
            "    try:\n        open(path, 'w').write('forged')\n        return 'written'\n"
            "    except OSError as exc:\n        return type(exc).__name__\n"
            "def listdir(path):\n    return sorted(os.listdir(path))\n"
            "def environ(pid):\n"
            "    try:\n        return open(f'/proc/{pid}/environ').read()\n"
            "    except OSError as exc:\n        return type(exc).__name__\n")
    targets = [root / "reference_impl" / "dropout.py", root / "solutions" / "ex3_dropout.py",
               root / "autograder" / "fixtures" / "ex3.json", secret]
    with Sandbox([("<cell 1>", code)], FAST, private=[tmp_path / "class"]) as sb:
        sb.start()
        for path in targets:
            if path.exists():
                assert sb.call("read", str(path)) in ("FileNotFoundError", ""), path
        for path in (root / "forged.json", Path.home() / "forged.json", tmp_path / "class" / "forged.json",
                     Path(tempfile.gettempdir()) / "forged.json"):
            assert sb.call("write", str(path)) in ("OSError", "FileNotFoundError", "PermissionError"), path
            assert not path.exists()
        assert sb.call("write", "forged.json") == "written"  # its own working folder still works
        assert sb.call("listdir", "/proc") == ["1"] + [e for e in sb.call("listdir", "/proc") if not e.isdigit()]
        assert sb.call("environ", os.getppid()) in ("FileNotFoundError", "PermissionError")
        assert sb.call("environ", 1) == "PermissionError" or "GRADER_HIDDEN_KEY" not in sb.call("environ", 1)


@pytest.mark.skipif(not CONFINED.get("mount_ns"), reason="needs root on Linux (mount namespace)")
def test_confined_code_cannot_undo_its_confinement():
    code = ("import ctypes, os\n"
            "libc = ctypes.CDLL(None, use_errno=True)\n"
            "def umount(path):\n    return libc.umount2(path.encode(), 2)\n"
            "def remount_rw():\n    return libc.mount(None, b'/', None, 0x20 | 0x1000, None)\n"
            "def uid():\n    return os.geteuid()\n"
            "def caps():\n"
            "    return [l.split()[1] for l in open('/proc/self/status') if l.startswith('CapEff')][0]\n")
    with _sandbox(code) as sb:
        assert sb.call("umount", tempfile.gettempdir()) == -1
        assert sb.call("remount_rw") == -1
        assert sb.call("caps") == "0000000000000000"
        assert sb.confinement["capabilities_dropped"] and sb.confinement["read_only"]


@pytest.mark.skipif(not CONFINED.get("mount_ns"), reason="needs root on Linux (mount namespace)")
def test_a_temporary_folder_inside_a_closed_folder_still_works_as_nobody(tmp_path, monkeypatch):
    """$TMPDIR inside a folder only its owner may enter (pytest's own, a 0700 home): the student process runs
    as nobody and must still reach its folder. It used to die on load ("the process exited with code 1"),
    which blamed the student's code: every submission of a class scored 0."""
    closed = tmp_path / "closed"
    (closed / "tmp").mkdir(parents=True)
    closed.chmod(0o700)
    monkeypatch.setattr(tempfile, "tempdir", str(closed / "tmp"))
    code = "import os\ndef where():\n    return [os.geteuid(), os.getcwd(), sorted(os.listdir(os.path.dirname(os.getcwd())))]\n"
    with _sandbox(code) as sb:
        uid, cwd, beside = sb.call("where")
        assert sb.confinement["user"] == "nobody" and uid != 0
        assert cwd.startswith(str(closed / "tmp")) and beside == ["work"]


def test_printing_200_mb_is_stopped_by_the_output_cap():
    code = "import sys\ndef spam():\n    line = 'x' * 1023 + '\\n'\n    for _ in range(200 * 1024):\n        sys.stdout.write(line)\n    return 1\n"
    # CPython ignores SIGXFSZ, so the write past RLIMIT_FSIZE fails with EFBIG inside the student's code
    with _sandbox(code, Limits(call_timeout_s=20.0, output_bytes=8 * 1024**2)) as sb, pytest.raises(StudentRaised) as info:
        sb.call("spam")
    assert "[Errno 27]" in info.value.detail
    from autograder.grading import describe_error

    assert "printed or wrote more than" in describe_error(info.value, "en", "spam()")


@pytest.mark.skipif(not confinement().get("net_ns"),
                    reason="network isolation needs root on Linux (a new network namespace); elsewhere student code "
                           "keeps the host's network, as the README says")
def test_student_code_has_no_network():
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    code = ("import socket\n"
            "def reach(port):\n"
            "    try:\n"
            "        socket.create_connection(('127.0.0.1', port), timeout=2).close()\n"
            "        return 'connected'\n"
            "    except OSError as exc:\n"
            "        return type(exc).__name__\n")
    try:
        with _sandbox(code) as sb:
            assert sb.call("reach", port) != "connected"
    finally:
        server.close()


def test_cpu_limit_stops_a_busy_process():
    code = "def spin():\n    while True:\n        pass\n"
    with _sandbox(code, Limits(call_timeout_s=20.0, load_timeout_s=5.0, cpu_seconds=1)) as sb:
        with pytest.raises(Crashed) as info:
            sb.call("spin")
    assert "CPU time" in info.value.reason


def test_a_check_shares_one_time_budget_across_its_calls():
    code = "import time\ndef slow():\n    time.sleep(0.8)\n    return 1\n"
    with _sandbox(code, Limits(call_timeout_s=1.0, check_timeout_s=1.5, load_timeout_s=5.0)) as sb:
        sb.begin_check()
        assert sb.call("slow") == 1
        with pytest.raises(TimedOut) as info:
            sb.call("slow")
        assert "this check" in str(info.value)
        sb.begin_check()  # the next check starts with a fresh budget, and slow() may be called again
        assert sb.call("slow") == 1


# ------------------------------------------------------------------ errno of the student's exception
SMALL_CAP = Limits(call_timeout_s=5.0, load_timeout_s=5.0, output_bytes=1024**2)  # RLIMIT_FSIZE: 1 MB
WRITE_PAST_CAP = "def write(n):\n    with open('big.bin', 'wb') as fh:\n        fh.write(b'x' * n)\n    return n\n"


def test_a_write_past_the_output_cap_raises_with_errno_efbig():
    import errno

    with _sandbox(WRITE_PAST_CAP, SMALL_CAP) as sb:
        assert sb.call("write", 1000) == 1000
        with pytest.raises(StudentRaised) as info:
            sb.call("write", 3 * 1024**2)
    assert info.value.exc_type == "OSError" and info.value.errno == errno.EFBIG
    # at the top level: the load fails (one cell) or the cell is broken (others ran), with the same number
    with pytest.raises(LoadFailed) as info:
        _sandbox(WRITE_PAST_CAP + "write(3 * 1024**2)\n", SMALL_CAP)
    assert info.value.errno == errno.EFBIG
    with Sandbox([("<cell 1>", "x = 1\n"), ("<cell 2>", WRITE_PAST_CAP + "write(3 * 1024**2)\n")], SMALL_CAP) as sb:
        sb.start()
        assert [(b.filename, b.errno) for b in sb.broken] == [("<cell 2>", errno.EFBIG)]


def test_an_ordinary_raise_has_no_errno_and_a_claimed_one_is_checked():
    import errno

    code = ("def plain():\n    raise ValueError('no')\n"
            "def missing():\n    open('no-such-file')\n"
            "class Odd(Exception):\n"
            "    @property\n    def errno(self):\n        raise RuntimeError('gotcha')\n"
            "def odd():\n    raise Odd('odd')\n"
            "def claims(number):\n    exc = OSError('claims')\n    exc.errno = number\n    raise exc\n")
    with _sandbox(code) as sb:
        with pytest.raises(StudentRaised) as info:
            sb.call("plain")
        assert info.value.errno is None
        with pytest.raises(StudentRaised) as info:
            sb.call("missing")
        assert info.value.errno == errno.ENOENT
        with pytest.raises(StudentRaised) as info:
            sb.call("odd")
        assert info.value.exc_type == "Odd" and info.value.errno is None
        for claim in (True, -27, 0, 10**6, 2**40, "27", 27.0):
            with pytest.raises(StudentRaised) as info:
                sb.call("claims", claim)
            assert info.value.errno is None, claim
        assert sb.starts == 1  # none of it upset the process
