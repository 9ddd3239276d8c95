"""Run student code in a separate, limited process and talk to it over a private channel.

Data flow: the grader's checks call :meth:`Sandbox.call` (or ``new``,
``method``, ``getattr``, ``setattr``) with *inputs*; the request crosses a
pipe to ``child.py``, which runs the student's function and sends back its
*outputs*, decoded here by :mod:`.wire` as plain data. Expected values never
leave the grader's process. What comes back is accepted only within bounds
(:meth:`Sandbox.reply_bounds`, :class:`wire.Bounds`), checked before it is
parsed; the student's code can forge frames on that pipe, and :mod:`.wire`
explains why they are harmless rather than impossible.

Limits: wall timeouts per request, per check and per submission and for
loading (the whole process group is killed, grandchildren included), and in
the child an address-space limit, a CPU-time limit, a cap on the size of
files it writes (its printed output goes to a file) and, for NumPy
exercises, no new processes or threads. The child sees only NumPy (a folder
of links to the allowed packages), runs in its own empty working directory,
gets a minimal environment and cannot import the grader, the reference or
the solutions. On Linux as root it is also confined (``confine.py``): own
PID, mount and network namespaces, the grader's files covered, a read-only
file system, no capabilities, and (root or not) a seccomp filter refusing the
system calls that could undo that. Its command line and environment name no
private path: the code and settings arrive on standard input.
:func:`confinement` reports what holds here.
When a request times out or the process dies, the next request starts a
fresh process (the student's code is run again), so one bad function costs
only the checks that call it.
"""
from __future__ import annotations

import importlib.util
import marshal
import os
import selectors
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from . import catalog, helpers, wire  # noqa: F401 - catalog and helpers are part of this package's interface

CHILD = Path(__file__).with_name("child.py")
#: the modules the student process runs besides child.py (sent compiled, see :func:`_child_code`)
CHILD_MODULES = ("confine", "wire", "catalog", "helpers")
#: in the student process's command line (for tools that count those processes); names no path
CHILD_MARK = "nn-grader sandbox child"
#: the student process's whole program text on its command line: it reads the payload (the code,
#: the settings, the cells) from standard input, a file with no name (nothing to find on disk)
BOOTSTRAP = (f"# {CHILD_MARK}\n"
             "import marshal, sys\n"
             "p = marshal.loads(sys.stdin.buffer.read())\n"
             "g = {'__name__': 'sandbox_child'}\n"
             "exec(p.pop('child'), g)\n"
             "g['main'](p)\n")
#: the student process's PATH: the grader's may name private folders (an activated venv, $HOME)
CHILD_PATH = "/usr/local/bin:/usr/bin:/bin"

#: the student processes this process started and has not closed yet: process id -> their temporary folder
_LIVE: dict[int, str] = {}


def kill_children() -> None:
    """Kill (SIGKILL, the whole process group) every student process this process started and has not
    closed, and remove their temporary folders: for a grader process told to stop now (Ctrl-C), which has
    no time to close its sandboxes."""
    for pid, folder in list(_LIVE.items()):
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        shutil.rmtree(folder, ignore_errors=True)


_STOP = {"starting": 0, "code": None}


def stop_now(code: int) -> None:
    """:func:`kill_children` and exit with ``code`` at once; while a student process is being started, as
    soon as its id is known, so that none is missed. For a grader worker's SIGTERM handler."""
    if _STOP["starting"]:
        _STOP["code"] = code
        return
    kill_children()
    os._exit(code)


#: top-level packages a submission may not import.
BLOCKED = ("autograder", "reference_impl", "solutions", "tests", "nbgrader")


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed submission."""

    load_timeout_s: float = 20.0
    call_timeout_s: float = 10.0
    check_timeout_s: float = 30.0  # all requests of one check together
    total_timeout_s: float = 120.0  # all requests of one submission together
    memory_bytes: int = 2 * 1024**3
    cpu_seconds: int = 120
    output_bytes: int = 8 * 1024**2
    processes: int | None = 0  # RLIMIT_NPROC: 0 = no fork, no thread; None: no limit (TensorFlow needs threads)
    scratch_bytes: int = 64 * 1024**2  # the private working directory, when confined (a tmpfs)
    packages: tuple[str, ...] | None = ("numpy",)  # None: the grader's whole site-packages


class SandboxError(Exception):
    """Something the submission did that ended a request. ``kind`` names it for messages;
    ``cell``: while loading, the cell that was running (``<cell 5>``), when known."""

    kind = "error"
    cell: str | None = None


class StudentRaised(SandboxError):
    """The student's code raised an exception (``exc_type``, ``detail``, ``where``)."""

    kind = "raised"

    def __init__(self, exc_type: str, detail: str, where: list):
        self.exc_type, self.detail, self.where = exc_type, detail, where
        loc = f" ({where[-1][0]}, line {where[-1][1]})" if where else ""
        super().__init__(f"{exc_type}: {detail}{loc}")


class LoadFailed(StudentRaised):
    """The submission's top-level code raised (syntax error included): in every one of its cells
    (the first one's error; ``broken``: the others, as :class:`BrokenCell`)."""

    kind = "load"
    broken: tuple = ()


@dataclass(frozen=True)
class BrokenCell:
    """A cell whose top-level code raised while loading (the next cells still ran)."""

    filename: str
    exc_type: str
    detail: str
    where: list


class TimedOut(SandboxError):
    kind = "timeout"

    def __init__(self, seconds: float, during: str):
        self.seconds, self.during = seconds, during
        super().__init__(f"{during} did not finish within {seconds:g} s")


class Crashed(SandboxError):
    """The student process died (``reason`` says how when we can tell)."""

    kind = "crash"

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


class BadReply(SandboxError):
    """The student process sent something the grader does not accept: a forged, malformed or
    oversized message (see :mod:`.wire` on why forged frames are possible but harmless).
    ``key`` and ``fields`` name the reason among :mod:`autograder.messages`' texts; a
    :class:`wire.WireError` in ``fields["error"]`` is translated too. A plain sentence works
    as well (English in both languages)."""

    kind = "bad_reply"

    def __init__(self, key: str = "reply_unreadable", **fields):
        self.key, self.fields = key, fields
        super().__init__(self.text("en"))

    def text(self, lang: str = "en") -> str:
        """The reason in ``lang`` (without the call it concerns)."""
        from ..messages import MESSAGES, t

        if self.key not in MESSAGES:
            return self.key
        fields = dict(self.fields)
        error = fields.pop("error", None)
        if isinstance(error, wire.WireError):
            key = f"wire_{error.code}"
            fields["detail"] = t(key, lang, **_sizes(error.fields)) if key in MESSAGES and error.code != "format" \
                else t("wire_format", lang, detail=str(error))
        elif error is not None:
            fields["detail"] = wire.clip(str(error), wire.MAX_SHORT)
        return t(self.key, lang, **_sizes(fields))


def _size(n: int) -> str:
    """A byte count for messages (units are the same in every language)."""
    if n >= 1024**4:
        return "more than 1 TB"
    if n >= 1024**3:
        return f"{n / 1024**3:.1f} GB"
    if n >= 1024**2:
        return f"{n / 1024**2:.1f} MB"
    return f"{n / 1024:.1f} KB" if n >= 1024 else f"{n} bytes"


def _sizes(fields: dict) -> dict:
    """``size``, ``limit`` and ``allowance`` fields given in bytes, as text (``limit`` is a count
    unless ``size`` is there too)."""
    out = dict(fields)
    if "size" in out:
        for key in ("size", "limit", "allowance"):
            if isinstance(out.get(key), int):
                out[key] = _size(out[key])
    return out


#: a reply may hold this many times the bytes of the request's arrays, plus REPLY_ALLOWANCE
#: (outputs with no array input: a new object's attributes, Glorot draws of a given shape); a
#: caller expecting more passes ``max_reply`` (bytes) to the request
REPLY_FACTOR = 4
REPLY_ALLOWANCE = 8 * 1024**2
#: a reply's JSON header: outputs returned as lists of numbers are accepted (SPEC), and 150 000
#: floats in a list take about 3.5 MB; the header's structure is bounded by wire.Bounds' counts
REPLY_HEADER = 8 * 1024**2
#: the first message (``ready`` or ``load_error``) carries no outputs
FIRST_MESSAGE = wire.Bounds(frame=wire.MAX_HEADER + 4, header=wire.MAX_HEADER)
#: after this many reads that return less than SMALL_READ bytes of one unfinished frame, the
#: grader waits TRICKLE_PAUSE_S between reads: a frame sent a byte at a time costs it little CPU
SMALL_READS, SMALL_READ, TRICKLE_PAUSE_S = 64, 16 * 1024, 0.01
NAME_KINDS = frozenset({"class", "module", "function", "value"})


def _error_fields(err) -> tuple[str, str, list]:
    """(type, message, where) of an ``error`` entry, clipped whatever the student process claims."""
    if type(err) is not dict:
        err = {}
    where = []
    entries = err.get("where")
    for entry in (entries[-5:] if type(entries) is list else []):
        if type(entry) is list and entry:
            entry = entry + [""] * (4 - len(entry))
            line = entry[1] if type(entry[1]) is int else 0
            where.append([wire.clip(entry[0]), line, wire.clip(entry[2]), wire.clip(entry[3])])
    kind = err.get("type")
    return (wire.clip(kind) if isinstance(kind, str) and kind else "Error",
            wire.clip(err.get("message", ""), wire.MAX_TEXT), where)


def _names(value) -> dict[str, str]:
    """The ``ready`` message's names: a dict of at most wire.MAX_NAMES short names."""
    if type(value) is not dict:
        raise BadReply("reply_unreadable", error=wire.WireError("names are not an object"))
    if len(value) > wire.MAX_NAMES:
        raise BadReply("reply_unreadable", error=wire.WireError(f"{len(value)} names", "too_many_names",
                                                                limit=wire.MAX_NAMES))
    return {k: (v if isinstance(v, str) and v in NAME_KINDS else "value") for k, v in value.items()
            if isinstance(k, str) and len(k) <= wire.MAX_SHORT}


def _broken(value, filenames) -> tuple[BrokenCell, ...]:
    """A ``broken`` list of a first message: at most wire.MAX_BROKEN cells among ``filenames``."""
    out = []
    for entry in (value[:wire.MAX_BROKEN] if type(value) is list else []):
        if type(entry) is dict and isinstance(entry.get("cell"), str) and entry["cell"] in filenames:
            out.append(BrokenCell(entry["cell"], *_error_fields(entry.get("error"))))
    return tuple(out)


def _confinement_report(value) -> dict:
    """The ``confinement`` report: at most 32 short keys with scalar, short text or short list values."""
    def plain(item):
        if item is None or type(item) in (bool, int, float):
            return item
        return wire.clip(item, 100) if isinstance(item, str) else None

    if type(value) is not dict:
        return {}
    report = {}
    for key, item in list(value.items())[:32]:
        if isinstance(key, str) and len(key) <= 40:
            report[key] = [plain(x) for x in item[:64]] if type(item) is list else plain(item)
    return report


@dataclass(frozen=True)
class Handle:
    """An object that lives in the student process (e.g. a TwoLayerNet instance)."""

    number: int
    type_name: str
    generation: int


class Rng:
    """Ask the child to build ``np.random.default_rng(seed)`` on its side."""

    def __init__(self, seed: int):
        self.seed = int(seed)


class CatalogFunction:
    """A pure function from the child's catalog, passed as an argument (e.g. ``f`` of numerical_gradient)."""

    def __init__(self, name: str, **params):
        self.name, self.params = name, params


def to_wire(value):
    """Replace grader-side markers (Handle, Rng, CatalogFunction) by tagged wire nodes."""
    if isinstance(value, Handle):
        return wire.Tagged({"__object__": value.type_name, "handle": value.number})
    if isinstance(value, Rng):
        return wire.Tagged({"__rng__": value.seed})
    if isinstance(value, CatalogFunction):
        return wire.Tagged({"__fn__": value.name, "params": value.params})
    if isinstance(value, tuple):
        return tuple(to_wire(v) for v in value)
    if isinstance(value, list):
        return [to_wire(v) for v in value]
    if isinstance(value, dict):
        return {k: to_wire(v) for k, v in value.items()}
    return value


_site_cache: dict[tuple[str, ...], str] = {}


def private_paths(extra=()) -> list[str]:
    """Paths a confined submission cannot see: the grader's project (reference, solutions,
    fixtures, course folders inside it), the installed grader packages, the current folder,
    ``$HOME``, the temporary folder (other submissions' runs), plus ``extra`` (the folders of
    the class being graded, the output folder). What the interpreter needs inside them stays."""
    import autograder

    package = Path(autograder.__file__).resolve().parent
    paths = [package.parent, package, Path.cwd(), Path.home(), Path(tempfile.gettempdir())]
    for name in ("reference_impl", "solutions"):
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.submodule_search_locations:
            paths.extend(Path(p) for p in spec.submodule_search_locations)
    paths.extend(Path(p) for p in extra)
    return list(dict.fromkeys(str(p.resolve()) for p in paths))


def _can_cover() -> bool:
    """Whether the child can cover the private paths (``confine.possible()``: Linux, root)."""
    return sys.platform.startswith("linux") and hasattr(os, "geteuid") and os.geteuid() == 0


_code_cache: dict = {}


def _renamed(code, filename: str):
    """``code`` and the code objects inside it with ``co_filename`` set to ``filename``."""
    consts = tuple(_renamed(c, filename) if isinstance(c, type(code)) else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def _child_code() -> dict:
    """child.py and :data:`CHILD_MODULES` as code objects (once per version of the files; from
    ``__pycache__`` when it is fresh) renamed to neutral file names (``sandbox/wire.py``): the
    student process gets no path of the grader's installation. Same interpreter on both sides,
    so marshal's format matches."""
    from importlib.machinery import SourceFileLoader

    here = CHILD.parent
    names = ("child",) + CHILD_MODULES
    stamp = tuple((here / f"{n}.py").stat().st_mtime_ns for n in names)
    if _code_cache.get("stamp") != stamp:
        _code_cache.clear()
        _code_cache["code"] = {n: _renamed(SourceFileLoader(n, str(here / f"{n}.py")).get_code(n), f"sandbox/{n}.py")
                               for n in names}
        _code_cache["stamp"] = stamp
    return _code_cache["code"]


def _farm_ok(farm: Path, links: dict[str, Path]) -> bool:
    """A folder of links that is ours, writable by nobody else, and holds exactly ``links``."""
    try:
        st = farm.lstat()
        if not farm.is_dir() or farm.is_symlink() or st.st_uid != os.getuid() or st.st_mode & 0o022:
            return False
        have = {p.name: Path(os.readlink(p)) for p in farm.iterdir() if p.is_symlink()}
    except OSError:
        return False
    return have == links and len(list(farm.iterdir())) == len(links)


def _student_paths(packages: tuple[str, ...] | None) -> list[str]:
    """sys.path entries for the child: a folder of links to just the allowed packages.

    The folder is shared by every grading process of this user for this site-packages and
    package set (``$TMPDIR/grader-site-<uid>-<hash>``), built once and checked before reuse,
    so batches leave no folder behind per process.
    """
    import hashlib

    import numpy

    site = Path(numpy.__file__).resolve().parent.parent
    if packages is None:
        return [str(site)]
    key = tuple(sorted(packages))
    if key in _site_cache and Path(_site_cache[key]).is_dir():
        return [_site_cache[key]]
    links = {e.name: e for e in site.iterdir() if e.name.split("-")[0].split(".")[0] in key}
    tag = hashlib.sha256(f"{site}|{'|'.join(key)}".encode()).hexdigest()[:12]
    farm = Path(tempfile.gettempdir()) / f"grader-site-{os.getuid() if hasattr(os, 'getuid') else 0}-{tag}"
    if not _farm_ok(farm, links):
        fresh = Path(tempfile.mkdtemp(prefix="grader-site-new-"))
        for name, target in links.items():
            (fresh / name).symlink_to(target)
        fresh.chmod(0o755)  # a confined child may run as nobody
        if farm.is_dir() and not farm.is_symlink() and farm.stat().st_uid == os.getuid():
            shutil.rmtree(farm, ignore_errors=True)  # ours but stale (packages changed)
        try:
            os.rename(fresh, farm)  # atomic; another process may have won the race
        except OSError:
            shutil.rmtree(fresh, ignore_errors=True)
        if not _farm_ok(farm, links):  # someone else's folder in the way: use a private one
            farm = Path(tempfile.mkdtemp(prefix="grader-site-"))
            for name, target in links.items():
                (farm / name).symlink_to(target)
            farm.chmod(0o755)
    _site_cache[key] = str(farm)
    return [str(farm)]


def _signal_reason(returncode: int, limits: Limits) -> str:
    if returncode is None:
        return "the process stopped answering"
    if returncode >= 0:
        return f"the process exited with code {returncode}"
    sig = -returncode
    name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
    if sig == getattr(signal, "SIGXFSZ", None):
        return f"it printed or wrote more than {limits.output_bytes // 1024**2} MB"
    if sig == getattr(signal, "SIGXCPU", None):
        return f"it used more than {limits.cpu_seconds} s of CPU time"
    if sig == signal.SIGSEGV:
        return "it crashed the interpreter (segmentation fault)"
    if sig == signal.SIGKILL:
        return "it was killed (out of memory, or stopped by the grader)"
    return f"it was killed by signal {name}"


class Sandbox:
    """One submission's process. Use as a context manager; requests restart it when needed."""

    def __init__(self, cells: list[tuple[str, str]], limits: Limits = Limits(), private=(),
                 confine: bool | None = None):
        """``private``: paths the student's code must not read or write (besides the defaults of
        :func:`private_paths`); ``confine``: use Linux namespaces when the grader is root
        (default: yes, unless ``$GRADER_CONFINE`` is ``0``, for debugging)."""
        self.cells = list(cells)
        self.limits = limits
        self.private = tuple(str(p) for p in private)
        self.confine = confine if confine is not None else os.environ.get("GRADER_CONFINE", "1") != "0"
        self.confinement: dict = {}
        self._check_deadline = None
        self.names: dict[str, str] = {}
        self.generation = 0
        self.starts = 0
        self._proc = None
        self._dir = None
        self._req_w = self._resp_r = None
        self._next_id = 0
        self.last_call = ""
        self.warnings: list[str] = []
        self.timed_out: set[str] = set()  # functions that hit the timeout are not called again
        self._deadline = None
        self.broken: tuple[BrokenCell, ...] = ()  # cells whose top level raised in the last start

    # ------------------------------------------------------------ lifecycle
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def start(self) -> dict[str, str]:
        """Start the process and run the student's code; returns the names it defined.

        Raises LoadFailed (no cell ran to its end), TimedOut or Crashed (``cell``: the one running);
        the cells that raised while others ran are in :attr:`broken`.
        """
        self.close()
        self.broken = ()
        self._dir = tempfile.mkdtemp(prefix="grader-run-")
        work = Path(self._dir) / "work"
        work.mkdir()
        req_r, self._req_w = os.pipe()
        self._resp_r, resp_w = os.pipe()
        config = {
            "paths": _student_paths(self.limits.packages),
            "req_fd": req_r,
            "resp_fd": resp_w,
            "workdir": str(work),
            "blocked": list(BLOCKED),
            "limits": {"memory_bytes": self.limits.memory_bytes, "cpu_seconds": self.limits.cpu_seconds,
                       "file_bytes": self.limits.output_bytes, "core_bytes": 0,
                       "processes": self.limits.processes, "scratch_bytes": self.limits.scratch_bytes},
            "confine": self.confine,
            # only where they will be covered (Linux, root): elsewhere they would only be news to the child
            "private": private_paths(self.private) if self.confine and _can_cover() else [],
        }
        env = {"PATH": CHILD_PATH, "HOME": str(work), "TMPDIR": str(work),
               "LANG": "C.UTF-8",
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "PYTHONDONTWRITEBYTECODE": "1",
               # Keras exercises: quiet, deterministic, CPU only
               "TF_CPP_MIN_LOG_LEVEL": "3", "TF_DETERMINISTIC_OPS": "1", "TF_ENABLE_ONEDNN_OPTS": "0",
               "KERAS_BACKEND": "tensorflow", "CUDA_VISIBLE_DEVICES": ""}
        self._out = open(Path(self._dir) / "output.txt", "wb")
        # neither the settings (private paths) nor child.py's path go on the command line, which the
        # student's code can read: they travel on standard input, a file that has no name (O_TMPFILE)
        code = _child_code()
        payload = tempfile.TemporaryFile(dir=self._dir)
        try:
            payload.write(marshal.dumps({"child": code["child"], "config": config,
                                         "cells": [[str(f), str(src)] for f, src in self.cells],
                                         "modules": {n: code[n] for n in CHILD_MODULES}}))
            payload.seek(0)
            _STOP["starting"] += 1  # a stop_now() meanwhile waits until the new process is in _LIVE
            try:
                self._proc = subprocess.Popen(
                    [sys.executable, "-I", "-S", "-u", "-c", BOOTSTRAP],
                    stdin=payload, stdout=self._out, stderr=subprocess.STDOUT,
                    cwd=str(work), env=env, pass_fds=(req_r, resp_w), start_new_session=True,
                )
                _LIVE[self._proc.pid] = self._dir
            finally:
                _STOP["starting"] -= 1
                if _STOP["code"] is not None:
                    stop_now(_STOP["code"])
        finally:
            payload.close()
            os.close(req_r)
            os.close(resp_w)
        self.generation += 1
        self.starts += 1
        header = self._first_message()
        filenames = {str(f) for f, _ in self.cells}
        if header.get("kind") == "load_error":
            self.close()
            failed = LoadFailed(*_error_fields(header.get("error")))
            failed.broken = _broken(header.get("broken"), filenames)
            raise failed
        if header.get("kind") != "ready":
            self.close()
            raise BadReply("reply_first")
        try:
            self.names = _names(header.get("names"))
        except BadReply:
            self.close()
            raise
        self.confinement = _confinement_report(header.get("confinement"))
        self.broken = _broken(header.get("broken"), filenames)
        return self.names

    def _first_message(self) -> dict:
        """``ready`` or ``load_error``, after one ``cell`` message per cell saying which one runs
        (a load that times out or crashes names it); all within ``limits.load_timeout_s``."""
        deadline = time.monotonic() + self.limits.load_timeout_s
        filenames = {str(f) for f, _ in self.cells}
        running, announced = None, 0
        while True:
            try:
                header, _ = self._read(deadline - time.monotonic(), "loading your code", FIRST_MESSAGE)
            except TimedOut:
                timed_out = TimedOut(self.limits.load_timeout_s, "loading your code")
                timed_out.cell = running
                raise timed_out from None
            except Crashed as exc:
                exc.cell = running
                raise
            if header.get("kind") != "cell" or announced >= len(self.cells):
                return header
            announced += 1  # a forged one names no cell of this submission or is one too many
            cell = header.get("cell")
            running = cell if isinstance(cell, str) and cell in filenames else None

    def close(self):
        if self._proc is not None:
            try:
                os.killpg(self._proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self._proc.wait()
            _LIVE.pop(self._proc.pid, None)
            self._proc = None
        for fd in (self._req_w, self._resp_r):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._req_w = self._resp_r = None
        if getattr(self, "_out", None) is not None:
            self._out.close()
            self._out = None
        if self._dir is not None:
            self._last_output = self._read_output()
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def _read_output(self, limit: int = 4000) -> str:
        try:
            with open(Path(self._dir) / "output.txt", "rb") as fh:
                fh.seek(max(0, fh.seek(0, os.SEEK_END) - limit))
                data = fh.read(limit)
        except OSError:
            return ""
        return data.decode("utf-8", "replace")

    def output_tail(self, limit: int = 4000) -> str:
        """The end of what the student's code printed (current or last process)."""
        if self._dir is not None:
            return self._read_output(limit)
        return getattr(self, "_last_output", "")[-limit:]

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    # ------------------------------------------------------------ requests
    def begin_check(self):
        """Start the clock of one check: its requests together get ``limits.check_timeout_s``."""
        self._check_deadline = time.monotonic() + self.limits.check_timeout_s

    # ``max_reply``: the bytes the caller expects back at most, when more than the default bound
    # (REPLY_FACTOR times the request's array bytes plus REPLY_ALLOWANCE)
    def call(self, name, *args, return_args=False, timeout=None, max_reply=None, **kwargs):
        """Call the student's function ``name``; with return_args, returns (result, args after the call)."""
        return self._request("call", name, args, kwargs, None, return_args, timeout, max_reply)

    def new(self, name, *args, timeout=None, max_reply=None, **kwargs) -> Handle:
        """Instantiate the student's class ``name``; returns a handle to the object."""
        return self._request("new", name, args, kwargs, None, False, timeout, max_reply)

    def method(self, handle: Handle, name, *args, return_args=False, timeout=None, max_reply=None, **kwargs):
        return self._request("method", name, args, kwargs, handle, return_args, timeout, max_reply)

    def getattr(self, handle: Handle, name, timeout=None, max_reply=None):
        return self._request("getattr", name, (), {}, handle, False, timeout, max_reply)

    def setattr(self, handle: Handle, name, value, timeout=None):
        return self._request("setattr", name, (value,), {}, handle, False, timeout, None)

    def helper(self, name, *args, timeout=None, max_reply=None, **kwargs):
        """Run one of the grader's procedures (``sandbox/helpers.py``) in the student process."""
        return self._request("helper", name, args, kwargs, None, False, timeout, max_reply)

    def reply_bounds(self, request_bytes: int, max_reply: int | None = None) -> wire.Bounds:
        """What a reply to a request carrying ``request_bytes`` of arrays may hold."""
        frame = REPLY_FACTOR * int(request_bytes) + REPLY_ALLOWANCE
        if max_reply is not None:
            frame = max(frame, int(max_reply))
        frame = min(frame, wire.MAX_FRAME)
        return wire.Bounds(frame=frame, header=REPLY_HEADER)

    def _request(self, op, name, args, kwargs, handle, return_args, timeout, max_reply=None):
        timeout = self.limits.call_timeout_s if timeout is None else timeout
        if self._deadline is None:
            self._deadline = time.monotonic() + self.limits.total_timeout_s
        left = self._deadline - time.monotonic()
        what = f"{name}()" if op in ("call", "method", "new", "helper") else f"reading {name}"
        self.last_call = what
        if name in self.timed_out:
            raise TimedOut(timeout, what)
        if left <= 0:
            raise TimedOut(self.limits.total_timeout_s, "the whole submission")
        check_left = None if self._check_deadline is None else self._check_deadline - time.monotonic()
        if check_left is not None and check_left <= 0:
            raise TimedOut(self.limits.check_timeout_s, "this check")
        if not self.alive:
            if handle is not None:
                raise Crashed("the object was lost when the previous call failed")
            self.start()
        if handle is not None and handle.generation != self.generation:
            raise Crashed("the object was lost when the previous call failed")
        blobs: list[bytes] = []
        self._next_id += 1
        # the nonce catches a reply that belongs to another request; it is no secret from the
        # student's code (which shares the process with the loop that answers): see wire.py
        nonce = os.urandom(8).hex()
        message = {"id": self._next_id, "nonce": nonce, "op": op, "name": name,
                   "handle": handle.number if handle else None, "return_args": return_args,
                   "args": self._encode_args(list(args), blobs),
                   "kwargs": self._encode_args(dict(kwargs), blobs)}
        bounds = self.reply_bounds(sum(len(b) for b in blobs), max_reply)
        message["max_reply"] = bounds.frame  # an honest child answers "too large" instead of sending more
        budget = min(left, check_left if check_left is not None else left)
        start = time.monotonic()
        try:
            self._write(wire.pack(message, blobs), min(timeout, budget), what)
            del blobs
            header, reply_blobs = self._read(min(timeout, budget) - (time.monotonic() - start), what, bounds)
        except TimedOut:
            if budget >= timeout:
                self.timed_out.add(name)
                raise TimedOut(timeout, what) from None
            if check_left is not None and check_left < left:
                raise TimedOut(self.limits.check_timeout_s, f"this check ({what})") from None
            raise TimedOut(self.limits.total_timeout_s, "the whole submission") from None
        if header.get("kind") != "reply" or header.get("id") != self._next_id or header.get("nonce") != nonce:
            self.close()
            raise BadReply("reply_not_answer")
        warnings = header.get("warnings")
        if type(warnings) is list:
            self.warnings.extend(wire.clip(w) for w in warnings[:3])
        too_large = header.get("too_large")
        if type(too_large) is int:  # the child's own refusal: the process is still in step
            raise BadReply("reply_too_large", size=too_large, limit=bounds.frame, allowance=REPLY_ALLOWANCE)
        if not header.get("ok"):
            raise StudentRaised(*_error_fields(header.get("error")))
        if op == "new":
            number = header.get("handle")
            if type(number) is not int or not 0 < number < 2**53:
                self.close()
                raise BadReply("reply_value", error="no object handle")
            return Handle(number, name, self.generation)
        try:
            return wire.decode(header.get("value"), reply_blobs, self._special)
        except (wire.WireError, KeyError, ValueError, TypeError, RecursionError) as exc:
            raise BadReply("reply_value", error=exc) from None

    def _encode_args(self, value, blobs):
        return wire.encode(to_wire(value), blobs, None)

    def _special(self, tag, node):
        if tag == "__object__":
            number = node.get("handle")
            if type(number) is not int or not 0 < number < 2**53:
                raise wire.WireError("an object without a valid handle")
            return Handle(number, wire.clip(node["__object__"]), self.generation)
        if tag == "__unsupported__":
            return Unsupported(wire.clip(node["__unsupported__"]))
        raise wire.WireError(f"unexpected {tag} in a reply")

    # ------------------------------------------------------------ reading
    def _death_reason(self) -> str:
        if self._proc is None:
            return "the process is not running"
        try:
            rc = self._proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            rc = None
        reason = _signal_reason(rc, self.limits)
        self.close()
        return reason

    def _write(self, data: bytes, timeout: float, during: str) -> None:
        """Send one request within ``timeout``: a process that stops reading (its code forged an
        early reply and went on running) cannot block the grader."""
        deadline = time.monotonic() + timeout
        view = memoryview(data)
        sel = selectors.DefaultSelector()
        try:
            os.set_blocking(self._req_w, False)
            sel.register(self._req_w, selectors.EVENT_WRITE)
            while view:
                try:
                    written = os.write(self._req_w, view[:1 << 20])
                except BlockingIOError:
                    written = 0
                except OSError:  # BrokenPipeError included: the process is gone
                    raise Crashed(self._death_reason()) from None
                view = view[written:]
                if view:
                    left = deadline - time.monotonic()
                    if left <= 0 or not sel.select(left):
                        self.close()
                        raise TimedOut(timeout, during)
        finally:
            sel.close()

    def _read(self, timeout: float, during: str, bounds: wire.Bounds):
        """One frame from the student process within ``timeout`` and ``bounds``: its declared
        length is checked before the body is read, its header before it is parsed
        (:func:`wire.unpack`), and a frame trickled a few bytes at a time costs little CPU."""
        deadline = time.monotonic() + timeout
        head = bytearray()
        body = bytearray()
        body_len = None
        small = 0
        sel = selectors.DefaultSelector()
        sel.register(self._resp_r, selectors.EVENT_READ)
        try:
            while body_len is None or len(body) < body_len:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    self.close()
                    raise TimedOut(timeout, during)
                want = 8 - len(head) if body_len is None else min(body_len - len(body), 1 << 20)
                chunk = os.read(self._resp_r, want)
                if not chunk:
                    raise Crashed(self._death_reason())
                if body_len is None:
                    head += chunk
                    if len(head) == 8:
                        (body_len,) = struct.unpack("!Q", bytes(head))
                        if body_len > bounds.frame:
                            self.close()
                            raise BadReply("first_too_large" if bounds is FIRST_MESSAGE else "reply_too_large",
                                           size=body_len, limit=bounds.frame, allowance=REPLY_ALLOWANCE)
                    continue
                body += chunk
                if len(chunk) < min(want, SMALL_READ) and len(body) < body_len:
                    small += 1
                    if small > SMALL_READS:
                        time.sleep(TRICKLE_PAUSE_S)
        finally:
            sel.close()
        try:
            return wire.unpack(body, bounds)
        except wire.WireError as exc:
            self.close()
            raise BadReply("reply_unreadable", error=exc) from None


@dataclass(frozen=True)
class Unsupported:
    """A returned value that could not cross the wire (complex array, custom object…)."""

    what: str


def confinement(limits: Limits = Limits()) -> dict:
    """What confines student code on this machine, measured by starting an empty submission:
    the child's report (namespaces, covered paths, read-only file system, capabilities)."""
    with Sandbox([("<probe>", "")], limits) as box:
        box.start()
        return dict(box.confinement)
