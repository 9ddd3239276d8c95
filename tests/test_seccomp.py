"""The seccomp filter of the confined student process, and what the process can learn of the grader.

Real sandboxed submissions call the refused system calls through ctypes and report what the
kernel answered, as data: EPERM (ENOSYS for clone3) under the filter. The same calls made by an
unconfined submission get other answers (the kernel's own: EFAULT, EINVAL, success…), so an EPERM
seen here comes from the filter, not from the arguments or the missing capabilities. The filter
needs Linux on x86_64 or aarch64 (not root); the control without it needs root; the tests say so
when they skip.
"""
import json
import os
import re
import subprocess
import struct
import sys
from pathlib import Path

import pytest

import autograder
from autograder import authoring
from autograder.sandbox import Limits, Sandbox, confine, confinement

ROOT = Path(autograder.__file__).resolve().parent.parent
PACKAGE = Path(autograder.__file__).resolve().parent
FAST = Limits(call_timeout_s=5.0, load_timeout_s=10.0)
CONFINED = confinement(FAST)
MACHINE = os.uname().machine if hasattr(os, "uname") else ""
# decided by the platform, not by the report: a filter that fails to install where it should fails here
SECCOMP = sys.platform.startswith("linux") and MACHINE in ("x86_64", "aarch64") and \
    os.environ.get("GRADER_CONFINE", "1") != "0"
NEEDS_SECCOMP = ("needs the seccomp filter: Linux on x86_64 or aarch64 with the confinement on "
                 f"(here: {sys.platform}/{MACHINE or '?'}, GRADER_CONFINE={os.environ.get('GRADER_CONFINE', '1')})")
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
LINUX_ROOT = IS_ROOT and sys.platform.startswith("linux") and MACHINE in ("x86_64", "aarch64")
COLUMN = {"x86_64": 0, "aarch64": 1}.get(MACHINE, 0)
NR = {name: numbers[COLUMN] for name, numbers in confine.REFUSED.items()}
NR.update(clone=confine.CLONE[COLUMN], clone3=confine.CLONE3[COLUMN], getpid={0: 39, 1: 172}[COLUMN])

# A submission that tries the refused calls, each with arguments the kernel itself would refuse with
# another error (NULL pointers, a bad descriptor, a process that does not exist, invalid flags), so
# nothing is done even where nothing filters. Each result is the errno's name, or "OK".
PROBE = '''
import ctypes, errno, os
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
NR = {nr!r}
CLONE_NEWUSER, CLONE_THREAD = 0x10000000, 0x00010000


def _name(code):
    return errno.errorcode.get(code, str(code))


def _sys(name, *args):
    ctypes.set_errno(0)
    if libc.syscall(ctypes.c_long(NR[name]), *[ctypes.c_long(a) for a in args]) == -1:
        return _name(ctypes.get_errno())
    return "OK"


def probe():
    got = {{
        "mount": _sys("mount", 0, 0, 0, 0, 0),
        "umount2": _sys("umount2", 0, 0),
        "pivot_root": _sys("pivot_root", 0, 0),
        "chroot": _sys("chroot", 0),
        "ptrace": _sys("ptrace", 16, 0x3FFFFFFF, 0, 0),          # PTRACE_ATTACH to no process
        "process_vm_readv": _sys("process_vm_readv", 0x3FFFFFFF, 0, 1, 0, 1, 0),
        "setns": _sys("setns", -1, 0),
        "bpf": _sys("bpf", 0, 0, 0),
        "keyctl": _sys("keyctl", 0, 0, 0, 0, 0),
        "add_key": _sys("add_key", 0, 0, 0, 0, 0),
        "perf_event_open": _sys("perf_event_open", 0, 0, -1, -1, 0),
        "userfaultfd": _sys("userfaultfd", -1),
        "io_uring_setup": _sys("io_uring_setup", 1, 0),
        "fsopen": _sys("fsopen", 0, 0),
        "open_tree": _sys("open_tree", -1, 0, 0),
        "init_module": _sys("init_module", 0, 0, 0),
        # a thread in a new user namespace: the kernel alone says EINVAL (CLONE_THREAD needs CLONE_SIGHAND)
        "clone": _sys("clone", CLONE_NEWUSER | CLONE_THREAD, 0, 0, 0, 0),
        "clone3": _sys("clone3", 0, 0),
        "getpid": _sys("getpid"),
    }}
    if os.uname().machine == "x86_64":
        got["x32 getpid"] = _sys_x32(39)  # getpid through the x32 ABI
    # last: where nothing filters, this one succeeds and the process is in a new user namespace
    ctypes.set_errno(0)
    got["unshare"] = "OK" if libc.unshare(CLONE_NEWUSER) == 0 else _name(ctypes.get_errno())
    if hasattr(os, "unshare"):  # Python 3.12+
        try:
            os.unshare(os.CLONE_NEWUSER)
            got["os.unshare"] = "OK"
        except OSError as exc:
            got["os.unshare"] = _name(exc.errno)
    return got


def _sys_x32(number):
    ctypes.set_errno(0)
    if libc.syscall(ctypes.c_long(0x40000000 | number)) == -1:
        return _name(ctypes.get_errno())
    return "OK"


def seccomp_mode():
    return [line.split()[1] for line in open("/proc/self/status") if line.startswith("Seccomp:")][0]
'''.format(nr=NR)


def expected() -> dict:
    want = {name: "EPERM" for name in ("mount", "umount2", "pivot_root", "chroot", "ptrace", "process_vm_readv",
                                       "setns", "bpf", "keyctl", "add_key", "perf_event_open", "userfaultfd",
                                       "io_uring_setup", "fsopen", "open_tree", "init_module", "clone", "unshare")}
    want.update(clone3="ENOSYS", getpid="OK")
    if MACHINE == "x86_64":
        want["x32 getpid"] = "EPERM"
    if hasattr(os, "unshare"):
        want["os.unshare"] = "EPERM"
    return want


@pytest.mark.skipif(not SECCOMP, reason=NEEDS_SECCOMP)
def test_refused_system_calls_fail_inside_the_sandbox_and_the_report_says_so():
    with Sandbox([("<cell 1>", PROBE)], FAST) as sb:
        sb.start()
        assert sb.call("probe") == expected()
        assert sb.call("seccomp_mode") == "2"  # SECCOMP_MODE_FILTER, seen by the kernel
        assert sb.confinement["seccomp"] is True
        assert sb.confinement["syscalls_refused"] == len(confine.REFUSED) + 1


@pytest.mark.skipif(not LINUX_ROOT, reason="the control runs the same calls unconfined as root on Linux (x86_64 or "
                                             "aarch64), where the kernel answers them itself")
def test_without_the_filter_the_kernel_answers_those_calls_otherwise():
    with Sandbox([("<cell 1>", PROBE)], FAST, confine=False) as sb:
        sb.start()
        if sb.call("seccomp_mode") != "0":
            pytest.skip("the grader itself runs under a seccomp filter (a container's): the control means nothing")
        free = sb.call("probe")
    want = expected()
    assert set(free) == set(want)
    same = {name: free[name] for name in want if free[name] == want[name] and name != "getpid"}
    assert not same, f"these answers do not tell the filter apart: {same}"
    assert free["unshare"] == "OK"  # root, unconfined: a new user namespace, which the filter refuses


@pytest.mark.skipif(not LINUX_ROOT, reason="shows the filter refusing what root with every capability can do: "
                                             "needs root on Linux (x86_64 or aarch64)")
def test_the_filter_refuses_what_root_could_otherwise_do():
    script = ("import ctypes, json, os, sys\n"
              "from autograder.sandbox import confine\n"
              "libc = ctypes.CDLL(None, use_errno=True)\n"
              "report = confine.restrict_syscalls({}) if sys.argv[1] == 'on' else {}\n"
              "ok = libc.unshare(0x00020000) == 0\n"  # CLONE_NEWNS: root may, in its own process
              "print(json.dumps({'report': report, 'unshare': ok or ctypes.get_errno()}))\n")
    runs = {}
    for mode in ("off", "on"):
        proc = subprocess.run([sys.executable, "-c", script, mode], capture_output=True, text=True, timeout=60,
                              cwd=ROOT)
        assert proc.returncode == 0, proc.stderr
        runs[mode] = json.loads(proc.stdout)
    assert runs["off"]["unshare"] is True
    assert runs["on"]["unshare"] == 1  # EPERM
    assert runs["on"]["report"] == {"seccomp": True, "syscalls_refused": len(confine.REFUSED) + 1}


THREADS = '''
import os, subprocess, sys, threading
from concurrent.futures import ThreadPoolExecutor
import numpy as np


def thread():
    out = []
    t = threading.Thread(target=lambda: out.append(threading.get_native_id()))
    t.start()
    t.join()
    return len(out) == 1 and out[0] != threading.get_native_id()


def pool():
    with ThreadPoolExecutor(4) as ex:
        return [float(v) for v in ex.map(lambda k: (np.ones((50, 50)) * k).sum(), range(8))]


def fork():
    pid = os.fork()
    if pid == 0:
        os._exit(7)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def spawn():
    code = "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('Seccomp:')][0])"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip()
'''


@pytest.mark.skipif(not SECCOMP, reason=NEEDS_SECCOMP)
def test_threads_and_processes_keep_working_under_the_filter():
    # the limits of the Keras exercises (threads and processes allowed): pthread_create and
    # posix_spawn try clone3, get ENOSYS and fall back to clone, which the filter lets through
    with Sandbox([("<cell 1>", THREADS)], Limits(call_timeout_s=20.0, load_timeout_s=10.0, processes=None)) as sb:
        sb.start()
        assert sb.confinement["seccomp"] is True
        assert sb.call("thread") is True
        assert sb.call("pool") == [2500.0 * k for k in range(8)]
        assert sb.call("fork") == 7
        assert sb.call("spawn") == "2"  # a started program runs under the same filter


def solved(ex_id: str) -> str:
    return authoring.student_script(ex_id, authoring.parse(authoring.source_path(ex_id).read_text()),
                                    keep_solutions=True)


@pytest.mark.skipif(not SECCOMP, reason=NEEDS_SECCOMP)
def test_a_submission_that_tries_them_is_graded_beside_a_correct_one(tmp_path):
    """``grader grade``: one submission reports what the kernel answered (as its error), one tries
    every call at import and then is correct, one is correct; the batch grades all three."""
    report = PROBE + "raise RuntimeError(' '.join(f'{k}={v}' for k, v in sorted(probe().items())))\n"
    quiet = PROBE + ("_got = probe()\n"
                     "if any(v == 'OK' for k, v in _got.items() if k != 'getpid'):\n"
                     "    raise RuntimeError(f'not refused: {_got}')\n") + solved("ex3")
    klass, out = tmp_path / "class", tmp_path / "grades"
    for name, code in {"correct": solved("ex3"), "reports": report, "tries_then_correct": quiet}.items():
        (klass / name).mkdir(parents=True)
        (klass / name / "ex3.py").write_text(code)
    env = dict(os.environ, GRADER_LANG="en")
    proc = subprocess.run([sys.executable, "-c", "from autograder.cli import main; main()", "grade", "ex3",
                           str(klass), "--jobs", "2", "--out", str(out), "--json"],
                          capture_output=True, text=True, env=env, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    records = {r["student"]: r for r in json.loads(proc.stdout)}
    assert records["correct"]["score"] == records["correct"]["max_score"] > 0
    assert records["tries_then_correct"]["score"] == records["correct"]["max_score"], records["tries_then_correct"]
    error = records["reports"]["error"]
    assert records["reports"]["score"] == 0 and "RuntimeError" in error
    for name, answer in expected().items():
        assert f"{name}={answer}" in error, (name, error)


def _own_seccomp_mode() -> str:
    return [line.split()[1] for line in open("/proc/self/status") if line.startswith("Seccomp:")][0]


@pytest.mark.skipif(not SECCOMP, reason=NEEDS_SECCOMP)
def test_grader_limits_reports_the_filter_and_grader_confine_0_turns_it_off(monkeypatch):
    from click.testing import CliRunner

    from autograder.cli import main

    held = json.loads(CliRunner().invoke(main, ["limits", "ex3", "--json"]).output)["confinement"]
    assert held["seccomp"] is True and held["syscalls_refused"] == len(confine.REFUSED) + 1
    assert "seccomp=True" in CliRunner().invoke(main, ["limits", "ex3"]).output
    monkeypatch.setenv("GRADER_CONFINE", "0")
    assert json.loads(CliRunner().invoke(main, ["limits", "ex3", "--json"]).output)["confinement"] == {}
    with Sandbox([("<cell 1>", PROBE)], FAST) as sb:
        sb.start()
        assert sb.call("seccomp_mode") == _own_seccomp_mode()  # inherited from the grader at most, none added


# ------------------------------------------------------------------ what the process can learn
SNOOP = '''
import os, sys


def _read(path, limit=1 << 20):
    try:
        with open(path, "rb") as fh:
            return fh.read(limit).decode("utf-8", "replace")
    except OSError as exc:
        return type(exc).__name__


def _links(folder):
    out = {}
    if not os.path.isdir(folder):  # no /proc (macOS)
        return out
    for name in os.listdir(folder):
        try:
            out[name] = os.readlink(os.path.join(folder, name))
        except OSError:
            pass
    return out


def _files(top, depth=2):
    """Names and contents of the files under ``top`` the process can read."""
    found = {}
    try:
        entries = list(os.scandir(top))
    except OSError:
        return found
    for entry in entries:
        if entry.is_dir(follow_symlinks=False) and depth:
            found.update(_files(entry.path, depth - 1))
        elif entry.is_file(follow_symlinks=False):
            found[entry.path] = _read(entry.path, 1 << 16)
    return found


def seen(tops):
    environ = _read("/proc/self/environ")
    if environ == "PermissionError":  # as nobody, after the change of user: os.environ holds the same
        environ = "\\0".join(f"{k}={v}" for k, v in os.environ.items())
    readable = {}
    for top in tops:
        top = os.path.expandvars(top)
        readable.update(_files(top))
    return {
        "cmdline": _read("/proc/self/cmdline"),
        "argv": sys.argv,
        "orig_argv": getattr(sys, "orig_argv", []),
        "environ": environ,
        "sys.path": sys.path,
        "modules": sorted(str(getattr(m, "__file__", "")) for m in list(sys.modules.values())),
        "fds": _links("/proc/self/fd"),
        "cwd": os.getcwd(),
        "readable": readable,
    }
'''


@pytest.mark.parametrize("confined", [
    pytest.param(True, id="confined", marks=pytest.mark.skipif(
        not CONFINED.get("mount_ns"), reason="needs root on Linux (mount namespace) for the confined variant")),
    pytest.param(False, id="unconfined")])
def test_the_student_process_learns_no_private_path(tmp_path, monkeypatch, confined):
    """Command line, sys.argv, environment, sys.path, its modules' files, its open descriptors and
    every file it can read near it name none of the grader's private paths: the project, the
    grader's package, the class folder, the output folder. (The interpreter's own path is the
    exception: this project's tests run from a virtualenv inside the project, and the process
    can always find its interpreter, /proc/self/exe. Names of covered folders still show in
    /proc/self/mountinfo when confined; their content does not.)"""
    klass, out = tmp_path / "class", tmp_path / "grades"
    klass.mkdir()
    out.mkdir()
    (klass / "other.py").write_text("answer = 42\n")
    # the grader's PATH could name a private folder (an activated venv): it does not reach the process
    monkeypatch.setenv("PATH", f"{klass}/bin{os.pathsep}{os.environ.get('PATH', '')}")
    with Sandbox([("<cell 1>", SNOOP)], FAST, private=[klass, out], confine=confined) as sb:
        sb.start()
        # its own places (working folder, the run's folder above it, $HOME, $TMPDIR); confined, /tmp too
        # (covered), where unconfined it reads the machine's /tmp like any process of the grader's user
        seen = sb.call("seen", [".", "..", "$HOME", "$TMPDIR"] + (["/tmp"] if confined else []))
        # nothing on the grader's side either: the settings and cells went through a nameless file
        assert sorted(p.name for p in Path(sb._dir).iterdir()) == (["work"] if hasattr(os, "memfd_create")
                                                                  else ["output.txt", "work"])
    assert seen["argv"] == ["-c"]
    if sys.platform.startswith("linux"):
        assert seen["fds"]["0"] == "/dev/null"  # the payload is out of reach
    interpreter = {str(Path(sys.executable).parent.parent), os.path.realpath(sys.executable), sys.executable,
                   str(Path(sys.prefix)), sys.base_prefix}
    text = json.dumps(seen)
    for path in sorted(interpreter, key=len, reverse=True):
        text = text.replace(json.dumps(path)[1:-1], "<interpreter>")
    for private in (PACKAGE, klass, out, ROOT):
        assert json.dumps(str(private))[1:-1] not in text, (private, _around(text, str(private)))
    assert "child.py" not in text and "answer = 42" not in text


def _around(text: str, needle: str) -> str:
    i = text.find(json.dumps(needle)[1:-1])
    return text[max(0, i - 200): i + 200]


@pytest.mark.skipif(not os.path.isfile("/usr/include/asm-generic/unistd.h"),
                    reason="compares with the kernel's headers (linux-libc-dev), not installed here")
def test_system_call_numbers_match_the_kernel_headers():
    def numbers(header):
        text = Path(header).read_text()
        return {m.group(1): int(m.group(2)) for m in re.finditer(r"#define __NR_(\w+)\s+(\d+)\b", text)}

    tables = [("/usr/include/x86_64-linux-gnu/asm/unistd_64.h", 0), ("/usr/include/asm-generic/unistd.h", 1)]
    checked = 0
    for header, column in tables:
        if not os.path.isfile(header):
            continue
        known = numbers(header)
        ours = {name: nrs[column] for name, nrs in confine.REFUSED.items()}
        ours.update(clone=confine.CLONE[column], clone3=confine.CLONE3[column],
                    seccomp=confine.SECCOMP_SYSCALL[("x86_64", "aarch64")[column]])
        for name, nr in ours.items():
            if name in known:  # a header older than the call (open_tree_attr: Linux 6.15) lacks it
                assert known[name] == nr, (header, name)
                checked += 1
    assert checked >= 40


def _run_filter(program: bytes, arch: int, nr: int, args=(0,) * 6) -> int:
    """What the kernel's classic-BPF interpreter returns for one system call (``struct seccomp_data``)."""
    data = struct.pack("=IIQ6Q", nr & 0xFFFFFFFF, arch, 0, *args)  # int nr, u32 arch, u64 ip, u64 args[6]
    count, pc, acc = len(program) // 8, 0, 0
    for _ in range(count):  # no loops in classic BPF: every jump goes forward
        code, jt, jf, k = struct.unpack_from("=HBBI", program, 8 * pc)
        if code == 0x20:  # ld word at k
            (acc,) = struct.unpack_from("=I", data, k)
            pc += 1
        elif code == 0x06:  # ret k
            return k
        elif code == 0x05:  # ja
            pc += 1 + k
        elif code in (0x15, 0x35, 0x45):  # jeq, jge, jset
            hit = acc == k if code == 0x15 else acc >= k if code == 0x35 else bool(acc & k)
            pc += 1 + (jt if hit else jf)
        else:
            raise AssertionError(f"unexpected instruction {code:#x} at {pc}")
        assert pc < count, "jumped past the end"
    raise AssertionError("no return")


def test_the_filter_program_decides_each_call_as_documented():
    """The program run by a small BPF interpreter (the same on every platform): each refused call of
    each architecture, clone by its flags, clone3, a foreign architecture and the x32 ABI."""
    prog = confine.seccomp_program()
    assert len(prog) % 8 == 0 and len(prog) // 8 <= 4096  # BPF_MAXINSNS
    allow, eperm = confine.SECCOMP_RET_ALLOW, confine.SECCOMP_RET_ERRNO | 1
    enosys = confine.SECCOMP_RET_ERRNO | 38
    thread_flags = 0x003D0F00  # what glibc's pthread_create passes (CLONE_VM|FS|FILES|SIGHAND|THREAD|…)
    for arch, column, getpid in ((confine.AUDIT_ARCH_X86_64, 0, 39), (confine.AUDIT_ARCH_AARCH64, 1, 172)):
        refused = {nrs[column] for nrs in confine.REFUSED.values()}
        for name, nrs in confine.REFUSED.items():
            assert _run_filter(prog, arch, nrs[column]) == eperm, name
        clone = confine.CLONE[column]
        assert _run_filter(prog, arch, clone, (thread_flags,) + (0,) * 5) == allow
        assert _run_filter(prog, arch, clone, (0x11,) + (0,) * 5) == allow  # fork: SIGCHLD
        for flag in (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000):
            assert _run_filter(prog, arch, clone, (flag | 0x11,) + (0,) * 5) == eperm, hex(flag)
        assert _run_filter(prog, arch, confine.CLONE3[column]) == enosys
        for nr in range(0, 470):  # everything else goes through
            if nr not in refused and nr not in (clone, confine.CLONE3[column]):
                assert _run_filter(prog, arch, nr) == allow, nr
        assert _run_filter(prog, arch, getpid) == allow
    assert _run_filter(prog, confine.AUDIT_ARCH_X86_64, 0x40000000 | 39) == eperm  # x32 getpid
    assert _run_filter(prog, confine.AUDIT_ARCH_X86_64, -1) == eperm
    for foreign in (0x40000003, 0x40000028):  # i386, arm: every call refused
        assert _run_filter(prog, foreign, 20) == eperm
