"""The student process: start it, talk to it over a private channel, stop it.

Data flow: the grader's checks call :meth:`Sandbox.call` (or ``new``,
``method``, ``getattr``, ``setattr``, and ``chain`` for an update rule's
calls over a trajectory) with *inputs*; the request crosses a
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

For NumPy exercises on Linux the process is forked from a warm template that
has imported NumPy (:mod:`.zygote`: about 10 ms instead of 90 ms a start);
it is still a fresh process of its own, this process's child, with the same
environment, limits and confinement. :mod:`.launch` holds what every student
process starts with.
"""
from __future__ import annotations

import os
import selectors
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import wire, zygote
from .errors import (
    BadReply, BrokenCell, Crashed, Handle, Limits, LoadFailed, StudentRaised, TimedOut, Unsupported, to_wire,
)
from .launch import BOOTSTRAP, CHILD_MARK, CHILD_PATH, child_env, write_payload  # noqa: F401 - also this module's
from .paths import BLOCKED, _can_cover, _student_paths, private_paths

#: the student processes this process started and has not closed yet: process id -> their temporary folder
_LIVE: dict[int, str] = {}


def kill_children() -> None:
    """Kill (SIGKILL, the whole process group) every student process this process started and has not
    closed, wait (a second at most) until each is gone, and remove their temporary folders: for a grader
    process told to stop now (Ctrl-C), which has no time to close its sandboxes. A SIGKILL is not a death:
    on a loaded machine a killed process may still run for some milliseconds, so a grader that exits right
    after sending it could leave one behind for whoever looks next; this process is their parent and
    reaps them."""
    killed = list(_LIVE.items())
    for pid, _ in killed:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    deadline = time.monotonic() + 1.0
    for pid, folder in killed:
        while True:
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:  # reaped already, or not this process's child
                break
            if done or time.monotonic() > deadline:
                break
            time.sleep(0.002)
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


#: a reply may hold this many times the bytes of the request's arrays, plus REPLY_ALLOWANCE
#: (outputs with no array input: a new object's attributes, Glorot draws of a given shape); a
#: caller expecting more passes ``max_reply`` (bytes) to the request
REPLY_FACTOR = 4
REPLY_ALLOWANCE = 8 * 1024**2
#: a reply's JSON header: outputs returned as lists of numbers are accepted (SPEC), and 150 000
#: floats in a list take about 3.5 MB; the header's structure is bounded by wire.Bounds' counts
REPLY_HEADER = 8 * 1024**2
#: a chain of calls (:meth:`Sandbox.chain`) starts no new call after this many seconds
CHAIN_SLICE_S = 0.5
#: the first message (``ready`` or ``load_error``) carries no outputs
FIRST_MESSAGE = wire.Bounds(frame=wire.MAX_HEADER + 4, header=wire.MAX_HEADER)
#: after this many reads that return less than SMALL_READ bytes of one unfinished frame, the
#: grader waits TRICKLE_PAUSE_S between reads: a frame sent a byte at a time costs it little CPU
SMALL_READS, SMALL_READ, TRICKLE_PAUSE_S = 64, 16 * 1024, 0.01
NAME_KINDS = frozenset({"class", "module", "function", "value"})
#: the largest error number an ``error`` entry may carry (Linux's MAX_ERRNO); others read as none
MAX_ERRNO = 4095


def _error_fields(err) -> tuple[str, str, list, int | None]:
    """(type, message, where, errno) of an ``error`` entry, clipped whatever the student process claims."""
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
    number = err.get("errno")
    return (wire.clip(kind) if isinstance(kind, str) and kind else "Error",
            wire.clip(err.get("message", ""), wire.MAX_TEXT), where,
            number if type(number) is int and 0 < number <= MAX_ERRNO else None)


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



def _signal_reason(returncode: int | None, limits: Limits) -> Crashed:
    """How the process ended, from its return code (None: it is still there but stopped answering)."""
    if returncode is None:
        return Crashed("crash_no_answer")
    if returncode >= 0:
        return Crashed("crash_exit_code", code=returncode)
    sig = -returncode
    if sig == getattr(signal, "SIGXFSZ", None):
        return Crashed("crash_output_cap", mb=limits.output_bytes // 1024**2)
    if sig == getattr(signal, "SIGXCPU", None):
        return Crashed("crash_cpu", seconds=limits.cpu_seconds)
    if sig == signal.SIGSEGV:
        return Crashed("crash_segfault")
    if sig == signal.SIGKILL:
        return Crashed("crash_killed")
    return Crashed("crash_signal", name=signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig))


def _nameless(name: str, folder: str):
    """A new file without a name, open for reading and writing: in memory where the system has them
    (Linux: memfd; the student process's output there is capped as a file on disk would be, and it costs
    no disk work), else in ``folder`` (O_TMPFILE, or unlinked at once)."""
    if hasattr(os, "memfd_create"):
        try:
            return os.fdopen(os.memfd_create(f"grader-{name}", os.MFD_CLOEXEC), "w+b")
        except OSError:
            pass
    return tempfile.TemporaryFile(dir=folder)


def _zygote(limits: Limits):
    """This process's warm template for ``limits.packages`` (see :mod:`.zygote`), or None to start an
    interpreter per process (another package set, not Linux, ``$GRADER_ZYGOTE=0``, or it cannot start)."""
    if not zygote.usable(limits.packages):
        return None
    try:
        return zygote.get(limits.packages)
    except (OSError, zygote.ZygoteError):
        return None


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
        os.set_blocking(self._req_w, False)  # a request is written within its timeout (see _write)
        self._replies = selectors.DefaultSelector()  # one for the process's life: a request costs no new one
        self._replies.register(self._resp_r, selectors.EVENT_READ)
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
            "parent": os.getpid(),  # the student process dies with this one, whatever ends it
            # only where they will be covered (Linux, root): elsewhere they would only be news to the child
            "private": private_paths(self.private) if self.confine and _can_cover() else [],
        }
        env = child_env(work)
        self._out = _nameless("output", self._dir)
        # neither the settings (private paths) nor child.py's path go on the command line, which the
        # student's code can read: they travel on standard input, a file that has no name
        cells = [[str(f), str(src)] for f, src in self.cells]
        warm = _zygote(self.limits)
        payload = _nameless("payload", self._dir)
        try:
            write_payload(payload, config, cells, env if warm is not None else None)
            _STOP["starting"] += 1  # a stop_now() meanwhile waits until the new process is in _LIVE
            try:
                self._proc = None
                if warm is not None:  # forked from the warm template: the same process, without the start-up
                    try:
                        self._proc = warm.spawn(payload.fileno(), req_r, resp_w, self._out.fileno())
                    except (OSError, zygote.ZygoteError):
                        warm.close()  # an interpreter instead, below; the next start makes a new zygote
                        write_payload(payload, config, cells, None)
                if self._proc is None:
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
                try:  # not (yet) the leader of its own group: a process just forked, before its setsid()
                    os.kill(self._proc.pid, signal.SIGKILL)
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
        if getattr(self, "_replies", None) is not None:
            self._replies.close()
            self._replies = None
        if getattr(self, "_out", None) is not None:
            self._last_output = self._read_output()
            self._out.close()
            self._out = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def _read_output(self, limit: int = 4000) -> str:
        try:
            fd = self._out.fileno()
            data = os.pread(fd, limit, max(0, os.fstat(fd).st_size - limit))
        except (OSError, ValueError):
            return ""
        return data.decode("utf-8", "replace")

    def output_tail(self, limit: int = 4000) -> str:
        """The end of what the student's code printed (current or last process)."""
        if getattr(self, "_out", None) is not None:
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

    def chain(self, name, x, items, state, timeout=None) -> list:
        """``name(x, item, state)`` for ``items`` in turn, each call given the ``(x, state)`` the previous
        one returned: the results of the first calls (at least one, at most ``len(items)``), each as
        :meth:`call` would return it. One request instead of one per item, with the same outcome as the
        calls one by one: the student process passes a result back itself only where the grader would
        pass it back unchanged (a pair of a float16/32/64 array of x's shape and a dict of plain data,
        both copied as the wire copies them), and stops at any other result, after
        :data:`CHAIN_SLICE_S` seconds, or when its reply grows large; the caller goes on from the last
        result. Each call gets ``timeout`` (default ``limits.call_timeout_s``), as with :meth:`call`;
        the request waits that long plus the slice. A call that raises raises here
        (:class:`StudentRaised`), as the calls one by one would at that call."""
        items = list(items)
        if not items:
            return []
        results = self._request("chain", name, (x, items, state), {"slice_s": CHAIN_SLICE_S}, None, False,
                                timeout, extra_s=CHAIN_SLICE_S, said=3 * len(items))
        if type(results) is not list or not 1 <= len(results) <= len(items):
            self.close()
            raise BadReply("reply_value", error="not the results of a chain of calls")
        return results

    def reply_bounds(self, request_bytes: int, max_reply: int | None = None) -> wire.Bounds:
        """What a reply to a request carrying ``request_bytes`` of arrays may hold."""
        frame = REPLY_FACTOR * int(request_bytes) + REPLY_ALLOWANCE
        if max_reply is not None:
            frame = max(frame, int(max_reply))
        frame = min(frame, wire.MAX_FRAME)
        return wire.Bounds(frame=frame, header=REPLY_HEADER)

    def _request(self, op, name, args, kwargs, handle, return_args, timeout, max_reply=None, extra_s=0.0,
                 said=3):
        """``extra_s``: seconds the request may take beyond ``timeout`` (a chain's slice); ``said``: the
        RuntimeWarnings the reply may carry."""
        timeout = self.limits.call_timeout_s if timeout is None else timeout
        if self._deadline is None:
            self._deadline = time.monotonic() + self.limits.total_timeout_s
        left = self._deadline - time.monotonic()
        what = f"{name}()" if op in ("call", "method", "new", "helper", "chain") else f"reading {name}"
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
                raise Crashed("crash_object_lost")
            self.start()
        if handle is not None and handle.generation != self.generation:
            raise Crashed("crash_object_lost")
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
        wait = min(timeout + extra_s, budget)
        start = time.monotonic()
        try:
            self._write(wire.pack(message, blobs), wait, what)
            del blobs
            header, reply_blobs = self._read(wait - (time.monotonic() - start), what, bounds)
        except TimedOut:
            if budget >= timeout + extra_s:
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
            self.warnings.extend(wire.clip(w) for w in warnings[:said])
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
    def _death_reason(self) -> Crashed:
        """The error for a process found dead (its pipe closed): how it ended, once it is reaped."""
        if self._proc is None:
            return Crashed("crash_not_running")
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
        sel = None  # made only when the pipe is full (most requests fit in it at once)
        try:
            while view:
                try:
                    written = os.write(self._req_w, view[:1 << 20])
                except BlockingIOError:
                    written = 0
                except OSError:  # BrokenPipeError included: the process is gone
                    raise self._death_reason() from None
                view = view[written:]
                if view:
                    if sel is None:
                        sel = selectors.DefaultSelector()
                        sel.register(self._req_w, selectors.EVENT_WRITE)
                    left = deadline - time.monotonic()
                    if left <= 0 or not sel.select(left):
                        self.close()
                        raise TimedOut(timeout, during)
        finally:
            if sel is not None:
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
        sel = self._replies  # closed with the process (self.close())
        while body_len is None or len(body) < body_len:
            left = deadline - time.monotonic()
            if left <= 0 or not sel.select(left):
                self.close()
                raise TimedOut(timeout, during)
            want = 8 - len(head) if body_len is None else min(body_len - len(body), 1 << 20)
            chunk = os.read(self._resp_r, want)
            if not chunk:
                raise self._death_reason()
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
        try:
            return wire.unpack(body, bounds)
        except wire.WireError as exc:
            self.close()
            raise BadReply("reply_unreadable", error=exc) from None



def confinement(limits: Limits = Limits()) -> dict:
    """What confines student code on this machine, measured by starting an empty submission:
    the child's report (namespaces, covered paths, read-only file system, capabilities)."""
    with Sandbox([("<probe>", "")], limits) as box:
        box.start()
        return dict(box.confinement)
