"""Run student code in a separate, limited process and talk to it over a private channel.

Data flow: the grader's checks call :meth:`Sandbox.call` (or ``new``,
``method``, ``getattr``, ``setattr``) with *inputs*; the request crosses a
pipe to ``child.py``, which runs the student's function and sends back its
*outputs*, decoded here by :mod:`.wire` as plain data. Expected values never
leave the grader's process.

Limits: wall timeouts per request, per check and per submission and for
loading (the whole process group is killed, grandchildren included), and in
the child an address-space limit, a CPU-time limit, a cap on the size of
files it writes (its printed output goes to a file) and, for NumPy
exercises, no new processes or threads. The child sees only NumPy (a folder
of links to the allowed packages), runs in its own empty working directory,
gets a minimal environment and cannot import the grader, the reference or
the solutions. On Linux as root it is also confined (``confine.py``): own
PID, mount and network namespaces, the grader's files covered, a read-only
file system, no capabilities. :func:`confinement` reports what holds here.
When a request times out or the process dies, the next request starts a
fresh process (the student's code is run again), so one bad function costs
only the checks that call it.
"""
from __future__ import annotations

import importlib.util
import json
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
    """Something the submission did that ended a request. ``kind`` names it for messages."""

    kind = "error"


class StudentRaised(SandboxError):
    """The student's code raised an exception (``exc_type``, ``detail``, ``where``)."""

    kind = "raised"

    def __init__(self, exc_type: str, detail: str, where: list):
        self.exc_type, self.detail, self.where = exc_type, detail, where
        loc = f" ({where[-1][0]}, line {where[-1][1]})" if where else ""
        super().__init__(f"{exc_type}: {detail}{loc}")


class LoadFailed(StudentRaised):
    """The submission's top-level code raised (syntax error included)."""

    kind = "load"


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
    kind = "bad_reply"


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

    # ------------------------------------------------------------ lifecycle
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def start(self) -> dict[str, str]:
        """Start the process and run the student's code; returns the names it defined.

        Raises LoadFailed, TimedOut or Crashed.
        """
        self.close()
        self._dir = tempfile.mkdtemp(prefix="grader-run-")
        work = Path(self._dir) / "work"
        work.mkdir()
        cells_file = Path(self._dir) / "cells.json"
        cells_file.write_text(json.dumps(self.cells), encoding="utf-8")
        req_r, self._req_w = os.pipe()
        self._resp_r, resp_w = os.pipe()
        config = {
            "paths": _student_paths(self.limits.packages),
            "cells": str(cells_file),
            "req_fd": req_r,
            "resp_fd": resp_w,
            "workdir": str(work),
            "blocked": list(BLOCKED),
            "limits": {"memory_bytes": self.limits.memory_bytes, "cpu_seconds": self.limits.cpu_seconds,
                       "file_bytes": self.limits.output_bytes, "core_bytes": 0,
                       "processes": self.limits.processes, "scratch_bytes": self.limits.scratch_bytes},
            "confine": self.confine,
            "private": private_paths(self.private),
        }
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work), "TMPDIR": str(work),
               "LANG": "C.UTF-8",
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "PYTHONDONTWRITEBYTECODE": "1",
               # Keras exercises: quiet, deterministic, CPU only
               "TF_CPP_MIN_LOG_LEVEL": "3", "TF_DETERMINISTIC_OPS": "1", "TF_ENABLE_ONEDNN_OPTS": "0",
               "KERAS_BACKEND": "tensorflow", "CUDA_VISIBLE_DEVICES": ""}
        self._out = open(Path(self._dir) / "output.txt", "wb")
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-I", "-S", "-u", str(CHILD), json.dumps(config)],
                stdin=subprocess.DEVNULL, stdout=self._out, stderr=subprocess.STDOUT,
                cwd=str(work), env=env, pass_fds=(req_r, resp_w), start_new_session=True,
            )
        finally:
            os.close(req_r)
            os.close(resp_w)
        self.generation += 1
        self.starts += 1
        header, _ = self._read(self.limits.load_timeout_s, "loading your code")
        if header.get("kind") == "load_error":
            err = header.get("error", {})
            self.close()
            raise LoadFailed(err.get("type", "Error"), err.get("message", ""), err.get("where", []))
        if header.get("kind") != "ready":
            self.close()
            raise BadReply("unexpected first message from the submission")
        self.names = dict(header.get("names", {}))
        self.confinement = dict(header.get("confinement") or {})
        return self.names

    def close(self):
        if self._proc is not None:
            try:
                os.killpg(self._proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self._proc.wait()
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
            data = (Path(self._dir) / "output.txt").read_bytes()
        except OSError:
            return ""
        return data[-limit:].decode("utf-8", "replace")

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

    def call(self, name, *args, return_args=False, timeout=None, **kwargs):
        """Call the student's function ``name``; with return_args, returns (result, args after the call)."""
        return self._request("call", name, args, kwargs, None, return_args, timeout)

    def new(self, name, *args, timeout=None, **kwargs) -> Handle:
        """Instantiate the student's class ``name``; returns a handle to the object."""
        return self._request("new", name, args, kwargs, None, False, timeout)

    def method(self, handle: Handle, name, *args, return_args=False, timeout=None, **kwargs):
        return self._request("method", name, args, kwargs, handle, return_args, timeout)

    def getattr(self, handle: Handle, name, timeout=None):
        return self._request("getattr", name, (), {}, handle, False, timeout)

    def setattr(self, handle: Handle, name, value, timeout=None):
        return self._request("setattr", name, (value,), {}, handle, False, timeout)

    def helper(self, name, *args, timeout=None, **kwargs):
        """Run one of the grader's procedures (``sandbox/helpers.py``) in the student process."""
        return self._request("helper", name, args, kwargs, None, False, timeout)

    def _request(self, op, name, args, kwargs, handle, return_args, timeout):
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
        nonce = os.urandom(8).hex()
        message = {"id": self._next_id, "nonce": nonce, "op": op, "name": name,
                   "handle": handle.number if handle else None, "return_args": return_args,
                   "args": self._encode_args(list(args), blobs),
                   "kwargs": self._encode_args(dict(kwargs), blobs)}
        try:
            wire.write_all(self._req_w, wire.pack(message, blobs))
        except (BrokenPipeError, OSError):
            reason = self._death_reason()
            raise Crashed(reason) from None
        budget = min(left, check_left if check_left is not None else left)
        try:
            header, reply_blobs = self._read(min(timeout, budget), what)
        except TimedOut:
            if budget >= timeout:
                self.timed_out.add(name)
                raise
            if check_left is not None and check_left < left:
                raise TimedOut(self.limits.check_timeout_s, f"this check ({what})") from None
            raise TimedOut(self.limits.total_timeout_s, "the whole submission") from None
        if header.get("kind") != "reply" or header.get("id") != self._next_id or header.get("nonce") != nonce:
            self.close()
            raise BadReply("the submission's process sent a message that is not the answer to the request")
        self.warnings.extend(str(w) for w in header.get("warnings", [])[:3])
        if not header.get("ok"):
            err = header.get("error", {})
            raise StudentRaised(err.get("type", "Error"), err.get("message", ""), err.get("where", []))
        if op == "new":
            return Handle(int(header["handle"]), name, self.generation)
        try:
            return wire.decode(header.get("value"), reply_blobs, self._special)
        except (wire.WireError, KeyError, ValueError, TypeError) as exc:
            raise BadReply(f"could not read the returned value ({exc})") from None

    def _encode_args(self, value, blobs):
        return wire.encode(to_wire(value), blobs, None)

    def _special(self, tag, node):
        if tag == "__object__":
            return Handle(int(node["handle"]), str(node["__object__"]), self.generation)
        if tag == "__unsupported__":
            return Unsupported(str(node["__unsupported__"]))
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

    def _read(self, timeout: float, during: str):
        deadline = time.monotonic() + timeout
        buf = bytearray()
        need = 8
        body_len = None
        sel = selectors.DefaultSelector()
        sel.register(self._resp_r, selectors.EVENT_READ)
        try:
            while len(buf) < need:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    self.close()
                    raise TimedOut(timeout, during)
                chunk = os.read(self._resp_r, min(need - len(buf), 1 << 20))
                if not chunk:
                    raise Crashed(self._death_reason())
                buf += chunk
                if body_len is None and len(buf) >= 8:
                    (body_len,) = struct.unpack("!Q", bytes(buf[:8]))
                    if body_len > wire.MAX_FRAME:
                        self.close()
                        raise BadReply("the submission sent more data than the grader accepts")
                    need = 8 + body_len
        finally:
            sel.close()
        try:
            return wire.unpack(bytes(buf[8:]))
        except wire.WireError as exc:
            self.close()
            raise BadReply(f"unreadable message from the submission ({exc})") from None


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
