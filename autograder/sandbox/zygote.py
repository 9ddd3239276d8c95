"""A warm template of the student process: started once, it forks a fresh student process per start.

Starting a student process costs an interpreter and NumPy's import (about 0.1 s of CPU) each time; a
class of 1,000 pays it 5,000 times, and ``grader check`` pays it after its own imports. The template (a
"zygote", as Android calls its own) is started exactly as a student process is (``python -I -S -u -c
BOOTSTRAP``, the same minimal environment, ``sys.path`` and blocked imports), imports NumPy (and
TensorFlow and Keras for the exercises that see every installed package: :data:`PRELOAD`) and the
sandbox's own modules, and then runs nothing but a loop (``child._zygote``) that forks on request. It
never runs a student's code, holds no private path, no hidden key and no expected value.

Each fork is then made into a student process as :class:`~.process.Sandbox` would start it: its own
session and process group, its payload (the code, the settings) read from an unnamed file, its output
to the submission's file, its own working directory, ``HOME`` and ``TMPDIR``, NumPy's global generator
seeded from the OS as a fresh interpreter's is, its rlimits, then the confinement (own PID, mount and
network namespaces, covered paths, no capabilities, seccomp) as before. So each submission still gets a
fresh, confined process; what is shared is only memory copied on write from a process that ran no
student code. The CPU-time limit counts from the fork.

The grader's side (:class:`Zygote`) hands the zygote four file descriptors over a private
``SOCK_SEQPACKET`` socket and gets back the process id. The zygote forks twice, through a process
that exits at once, and while it does the grader is a child subreaper (``PR_SET_CHILD_SUBREAPER``,
set only for that moment): so the student process is the grader's own child, as one it started
itself would be. Its parent is the grader (what it does to its parent, it does to the grader, as
before), it dies with the grader (``PR_SET_PDEATHSIG``), and the grader waits for it
(:class:`ZygoteProcess`, a ``subprocess.Popen`` look-alike). What it leaves behind when it dies
goes to init, as before.

Used on Linux for the package sets of :data:`PRELOAD` (:func:`usable`); elsewhere, with
``$GRADER_ZYGOTE=0``, or when the zygote cannot start (TensorFlow missing: then not tried again by
that process), the sandbox starts a new interpreter per process as before. One zygote per grader process and package set, started on first use (or early, by
:func:`prestart`), shared by its threads; it dies with the grader (``PR_SET_PDEATHSIG`` and the end of
its channel), and the processes it forked die with it.
"""
from __future__ import annotations

import marshal
import os
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref

#: the packages whose student processes come from a zygote: NumPy alone (NumPy exercises), or every
#: installed package (None: Keras and scikit-learn exercises), and what the zygote imports for each
PACKAGES = ("numpy",)
#: NumPy loads ``numpy.random`` on first use (10 ms a process); TensorFlow and Keras take about 5 s
PRELOAD = {("numpy",): ("numpy", "numpy.random"),
           None: ("numpy", "numpy.random", "tensorflow", "keras")}
#: how long a zygote may take to import what it preloads and say it is ready, and to answer a fork
START_TIMEOUT_S = 60.0
FORK_TIMEOUT_S = 10.0

_lock = threading.Lock()
_zygotes: dict[tuple, "Zygote"] = {}


class ZygoteError(RuntimeError):
    """The zygote could not start or fork (the caller starts an interpreter instead)."""


def _key(packages):
    return None if packages is None else tuple(packages)


#: package sets whose zygote failed to start in this process (TensorFlow not installed, …): not tried again
_failed: set = set()


def usable(packages) -> bool:
    """Whether a student process limited to ``packages`` may come from a zygote here."""
    return (sys.platform.startswith("linux") and _key(packages) in PRELOAD and _key(packages) not in _failed
            and hasattr(socket, "send_fds") and os.environ.get("GRADER_ZYGOTE", "1") != "0")


class ZygoteProcess:
    """A student process forked by a zygote, now this process's child: as much of ``subprocess.Popen``
    as the sandbox uses: ``pid``, ``poll()``, ``wait(timeout)`` and ``returncode`` (``-signal`` when it
    was killed)."""

    def __init__(self, pid: int):
        self.pid, self.returncode = pid, None

    def poll(self):
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped by someone else: it has ended, how is not known
                pid, status = self.pid, 0
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def __del__(self):
        # dropped before it was waited for (a sandbox never closed): reaped later, as subprocess does
        if self.returncode is None:
            _unreaped.add(self.pid)

    def wait(self, timeout=None):
        if timeout is None and self.returncode is None:  # block in the kernel (the sandbox has killed it)
            try:
                _, status = os.waitpid(self.pid, 0)
                self.returncode = os.waitstatus_to_exitcode(status)
            except ChildProcessError:  # reaped by someone else: it has ended, how is not known
                self.returncode = 0
            return self.returncode
        deadline = None if timeout is None else time.monotonic() + timeout
        pause = 0.0005
        while self.poll() is None:
            if deadline is not None and time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired("student process", timeout)
            time.sleep(pause)
            pause = min(pause * 2, 0.01)
        return self.returncode


#: student processes whose ZygoteProcess was dropped before they were reaped
_unreaped: set[int] = set()


def sweep() -> None:
    """Reap the student processes whose ZygoteProcess was dropped unwaited (a sandbox never closed)."""
    for pid in list(_unreaped):
        try:
            done = os.waitpid(pid, os.WNOHANG)[0]
        except ChildProcessError:
            done = pid
        if done:
            _unreaped.discard(pid)


_adopting = threading.Lock()  # one fork at a time is this process's to adopt


def _children() -> set[int]:
    """This process's children (Linux: /proc/self/task/*/children)."""
    found: set[int] = set()
    try:
        for tid in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{tid}/children") as fh:
                found.update(int(p) for p in fh.read().split())
    except (OSError, ValueError):
        pass
    return found


def _start_ticks(pid: int) -> float:
    """When ``pid`` started, in clock ticks since boot (inf when unknown)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return int(fh.read().rsplit(b")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return float("inf")


def _boot_ticks() -> int:
    """Now, in clock ticks since boot (the unit of a process's start time)."""
    return int(time.clock_gettime(time.CLOCK_BOOTTIME) * os.sysconf("SC_CLK_TCK"))


def _subreaper(on: bool) -> bool:
    """Make this process a child subreaper (Linux: orphans below it become its children), or stop."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(36, int(on), 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def _remove(folder: str) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


class Zygote:
    """The grader's end of one zygote (see the module's docstring). Thread-safe."""

    def __init__(self, packages=PACKAGES):
        from .launch import BOOTSTRAP, child_env
        from .paths import CHILD_MODULES, _child_code, _student_paths

        self.owner = os.getpid()
        self._lock = threading.RLock()
        self._gone = False
        self._dir = tempfile.mkdtemp(prefix="grader-zygote-")
        # removed once the zygote is ready (it no longer needs the folder: each fork gets its own), when
        # it dies, or at the latest when this process exits
        self._remove_dir = weakref.finalize(self, _remove, self._dir)
        os.chmod(self._dir, 0o755)
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._ctrl = mine
        code = _child_code()
        self.packages = _key(packages)
        config = {"paths": _student_paths(self.packages), "ctrl_fd": theirs.fileno(), "parent": os.getpid(),
                  "preload": list(PRELOAD[self.packages])}
        env = child_env(self._dir)  # the student process's, as a new interpreter would get it
        with tempfile.TemporaryFile(dir=self._dir) as payload:
            payload.write(marshal.dumps({"zygote": True, "child": code["child"], "config": config,
                                         "modules": {n: code[n] for n in CHILD_MODULES}}))
            payload.seek(0)
            try:
                self.proc = subprocess.Popen(
                    [sys.executable, "-I", "-S", "-u", "-c", BOOTSTRAP], stdin=payload,
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self._dir, env=env,
                    pass_fds=(theirs.fileno(),), start_new_session=True)
            finally:
                theirs.close()
        self.pid = self.proc.pid
        self._ready = False
        # asked once it is started, not before: the answer (ctypes) costs ~3 ms of `grader check`'s start
        if not (_subreaper(True) and _subreaper(False)):
            self._die()
            raise ZygoteError("this process cannot adopt the processes a zygote forks")

    # ------------------------------------------------------------ the channel
    def _receive(self, timeout: float | None) -> dict | None:
        """One message within ``timeout`` (None: wait), or None."""
        sel = selectors.DefaultSelector()
        try:
            sel.register(self._ctrl, selectors.EVENT_READ)
            if not sel.select(timeout):
                return None
        finally:
            sel.close()
        try:
            data = self._ctrl.recv(4096)
        except OSError:
            data = b""
        if not data:
            self._die()
            raise ZygoteError("the zygote ended")
        try:
            message = marshal.loads(data)
        except (ValueError, EOFError, TypeError):
            message = None
        if type(message) is not dict:
            self._die()
            raise ZygoteError("the zygote sent something unreadable")
        return message

    def _die(self) -> None:
        """The zygote is gone (or must go): kill it; what it forked dies with it (PR_SET_PDEATHSIG)."""
        self._gone = True
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass
        try:
            self._ctrl.close()
        except OSError:
            pass
        self._remove_dir()

    @property
    def alive(self) -> bool:
        return not self._gone and self.proc.poll() is None

    def wait_ready(self) -> None:
        """Until the zygote has imported what it preloads; ZygoteError if it cannot (then this process
        does not try that package set again: its student processes are new interpreters)."""
        with self._lock:
            deadline = time.monotonic() + START_TIMEOUT_S
            while not self._ready:
                left = deadline - time.monotonic()
                try:
                    message = self._receive(left) if left > 0 else None
                except ZygoteError:
                    _failed.add(self.packages)
                    raise
                if message is None:
                    self._die()
                    _failed.add(self.packages)
                    raise ZygoteError(f"the zygote did not start within {START_TIMEOUT_S:g} s")
                self._ready = "ready" in message
            self._remove_dir()

    # ------------------------------------------------------------ what the sandbox asks
    def spawn(self, payload_fd: int, req_r: int, resp_w: int, out_fd: int) -> ZygoteProcess:
        """Fork a student process that reads its payload from ``payload_fd`` (a file at offset 0: the
        ``config`` and ``cells`` of :class:`~.process.Sandbox`), reads requests from ``req_r``, writes
        replies to ``resp_w`` and prints to ``out_fd``. The descriptors stay the caller's to close."""
        with self._lock:
            if self._gone:
                raise ZygoteError("the zygote ended")
            sweep()  # what earlier sandboxes left to reap
            self.wait_ready()
            # adopting from the request until the zygote says the middle process is gone (then the
            # student process is this one's child); not after: what it leaves when it dies goes to init
            with _adopting:
                before, since = _children(), _boot_ticks()
                if not _subreaper(True):
                    raise ZygoteError("this process cannot adopt the processes a zygote forks")
                try:
                    proc = self._fork(payload_fd, req_r, resp_w, out_fd)
                finally:
                    _subreaper(False)
                # another thread's student process that was orphaned meanwhile (its namespace's init, when
                # both were killed) was adopted too: born before this moment, it is no library's new child
                for pid in _children() - before - {proc.pid}:
                    if _start_ticks(pid) < since:
                        _unreaped.add(pid)
                return proc

    def _fork(self, payload_fd: int, req_r: int, resp_w: int, out_fd: int) -> ZygoteProcess:
        try:
            socket.send_fds(self._ctrl, [b"F"], [payload_fd, req_r, resp_w, out_fd])
        except OSError as exc:
            self._die()
            raise ZygoteError(f"the zygote stopped listening: {exc}") from None
        deadline = time.monotonic() + FORK_TIMEOUT_S
        while True:
            left = deadline - time.monotonic()
            message = self._receive(left) if left > 0 else None
            if message is None:
                self._die()
                raise ZygoteError(f"the zygote did not fork within {FORK_TIMEOUT_S:g} s")
            if "pid" in message:
                return ZygoteProcess(int(message["pid"]))
            if "error" in message:
                raise ZygoteError(str(message["error"])[:200])

    def close(self) -> None:
        with self._lock:
            if not self._gone:
                self._die()


def get(packages=PACKAGES) -> Zygote:
    """This process's zygote for ``packages``, started if there is none (or it ended)."""
    key = (os.getpid(), _key(packages))
    with _lock:
        zygote = _zygotes.get(key)
        if zygote is None or not zygote.alive:
            for old_key in [k for k in _zygotes if k[0] != os.getpid()]:
                del _zygotes[old_key]  # a forked process's copy of its parent's: not ours to use or close
            zygote = _zygotes[key] = Zygote(packages)
        return zygote


#: zygotes started by ``prestart(speculative=True)`` and not asked for since (see :func:`discard_speculative`)
_speculative: set = set()


def prestart(packages=PACKAGES, speculative: bool = False) -> None:
    """Start this process's zygote now, without waiting for it: it imports NumPy while the grader
    imports what it needs (``grader check``). Does nothing where :func:`usable` says no.

    ``speculative``: started before it is known whether it will be used (``grader check`` before its
    command line is parsed); :func:`discard_speculative` closes it if it turns out not to be. A zygote
    this process already had is never speculative."""
    if usable(packages):
        had = _zygotes.get((os.getpid(), _key(packages)))
        try:
            zygote = get(packages)
        except (OSError, ZygoteError):
            return
        if speculative and zygote is not had:
            _speculative.add(zygote)
        else:
            _speculative.discard(zygote)


def discard_speculative() -> None:
    """Close the zygotes :func:`prestart` started speculatively that nothing has asked for since."""
    while _speculative:
        _speculative.pop().close()


def close_all() -> None:
    """Kill this process's zygotes (and so what they forked)."""
    with _lock:
        for key in [k for k in _zygotes if k[0] == os.getpid()]:
            _zygotes.pop(key).close()
