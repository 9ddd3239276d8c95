"""Confinement of the student process on Linux when the grader runs as root.

Sent compiled to the student process with ``child.py`` (standard library only). Three steps:

1. :func:`enter_namespaces`, before anything else: new PID, mount and network
   namespaces, then a fork. The forked process is PID 1 of the new PID
   namespace and runs the student's code; when it dies the kernel kills every
   process left in that namespace, so a fork that calls ``setsid()`` to leave
   the process group still dies with the submission. The process the grader
   started only waits for it and exits the same way.
2. :func:`lock_down`, once NumPy and the codec are imported and the cells read:
   a fresh ``/proc`` (only this namespace's processes: not the grader's, whose
   environment holds the hidden-case key), the grader's private paths (the
   project, its packages, the course and output folders, ``$HOME``, the
   temporary folder) covered by empty read-only mounts except for what the
   interpreter needs (the Python installation, the allowed packages), every
   other mount made read-only, a small private tmpfs as the working directory,
   then every capability dropped (so the code cannot undo any of this) and no
   way to regain them (``no_new_privs``, empty bounding set), and the user
   changed to ``nobody`` when the interpreter and its packages are
   world-readable (then the process limit holds too; root is exempt from it).
3. :func:`restrict_syscalls`, last, just before the student's code runs (the
   steps above need what it forbids): a seccomp filter that refuses, with
   EPERM, the system calls that could undo the confinement or reach the
   kernel's riskier interfaces (:data:`REFUSED`, and ``clone`` asking for a
   new namespace); ``clone3`` gets ENOSYS, so that libc falls back to
   ``clone`` and threads keep working. It needs Linux on x86_64 or aarch64,
   not root.

Anywhere else (not Linux, not root, a kernel that refuses) the steps do
nothing and say so in the report the grader receives: the parent's limits
(timeouts, process-group kill, rlimits) still hold.
"""
import ctypes
import os
import signal
import stat
import struct
import sys

CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET = 0x00020000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 0x1, 0x2, 0x4, 0x8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 0x20, 0x1000, 0x4000, 0x40000
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 24, 38
CAP_VERSION_3 = 0x20080522
NOBODY = 65534  # the user student code runs as, when everything it needs is world-readable

#: never covered even when asked (covering them would break the interpreter)
SYSTEM = frozenset(["/", "/usr", "/lib", "/lib64", "/bin", "/sbin", "/etc", "/dev", "/proc", "/sys", "/var"])

_libc = None


def _c():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
        _libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
    return _libc


def possible():
    return sys.platform.startswith("linux") and hasattr(os, "geteuid") and os.geteuid() == 0


def _mount(source, target, fstype, flags, data=None):
    enc = (lambda s: None if s is None else s.encode())
    return _c().mount(enc(source), enc(target), enc(fstype), flags, enc(data)) == 0


def enter_namespaces(keep_fds=(), cpu_seconds=None):
    """Unshare PID, mount and network namespaces and fork; returns (in the new PID 1) which held.

    The original process never returns: it waits for PID 1 and exits with its status
    (the same signal when it was killed). ``keep_fds`` are closed in the waiting
    process so that the grader sees end-of-file when PID 1 dies. A namespace's PID 1
    ignores SIGXCPU, so the CPU limit ends it with the hard limit's SIGKILL; when it had
    used ``cpu_seconds``, the waiting process reports SIGXCPU, as an unconfined one would.
    """
    report = {"pid_ns": False, "net_ns": False, "mount_ns": False}
    if not possible():
        return report
    try:
        if _c().unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET) != 0:
            # a kernel or container that refuses one of them: try the network alone
            report["net_ns"] = _c().unshare(CLONE_NEWNET) == 0
            return report
    except (OSError, AttributeError):
        return report
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        _c().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        report.update(pid_ns=True, net_ns=True, mount_ns=True)
        return report
    for fd in keep_fds:
        try:
            os.close(fd)
        except OSError:
            pass
    while True:
        try:
            _, status, usage = os.wait4(pid, 0)
            break
        except InterruptedError:
            continue
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGKILL and cpu_seconds and usage.ru_utime + usage.ru_stime >= cpu_seconds:
            sig = signal.SIGXCPU
        try:
            signal.signal(sig, signal.SIG_DFL)
        except (OSError, ValueError, RuntimeError):
            pass
        os.kill(os.getpid(), sig)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


def _inside(path, base):
    return path == base or path.startswith(base.rstrip(os.sep) + os.sep)


def _cover(path, keep):
    """Cover ``path`` with an empty mount; what it holds of ``keep`` is bound back in place.

    Returns the number of mounts made (0 when ``path`` is missing, a link or refused).
    """
    if not os.path.lexists(path) or os.path.islink(path):
        return 0
    holds = [k for k in keep if _inside(k, path) and os.path.exists(k)]
    if any(k == path for k in holds):
        return 0
    if not os.path.isdir(path):
        return int(_mount("/dev/null", path, None, MS_BIND))
    if not holds:
        return int(_mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0555"))
    # outermost kept paths only; open them before they disappear under the new mount (links are
    # recreated as links: a venv's bin/python must stay one for the interpreter to find pyvenv.cfg)
    holds = [k for k in holds if not any(o != k and _inside(k, o) for o in holds)]
    links = {k: os.readlink(k) for k in holds if os.path.islink(k)}
    fds = {k: os.open(k, getattr(os, "O_PATH", os.O_RDONLY)) for k in holds if k not in links}
    try:
        if not _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755"):
            return 0
        mounts = 1
        for k, target in links.items():
            os.makedirs(os.path.dirname(k), exist_ok=True)
            os.symlink(target, k)
        for k, fd in fds.items():
            source = f"/proc/self/fd/{fd}"
            if os.path.isdir(source):
                os.makedirs(k, exist_ok=True)
            else:
                os.makedirs(os.path.dirname(k), exist_ok=True)
                open(k, "a").close()
            mounts += _mount(source, k, None, MS_BIND | MS_REC)
        return mounts  # made read-only with every other mount by lock_down
    finally:
        for fd in fds.values():
            os.close(fd)


def _closed_above(paths):
    """The outermost folder above each of ``paths`` that other users cannot pass through (no ``o+x``: a
    temporary folder inside one's own 0700 folder, an interpreter under /root). Covered like a private
    path (a tmpfs anyone may pass, the kept paths bound back in it), so that a process that runs as
    nobody reaches its folder and its interpreter, and sees nothing else there."""
    closed = set()
    for path in paths:
        folder = os.path.dirname(path)
        above = []
        while folder and folder != os.sep:
            above.append(folder)
            folder = os.path.dirname(folder)
        for folder in reversed(above):  # outermost first
            try:
                mode = os.stat(folder).st_mode
            except OSError:
                break
            if not mode & stat.S_IXOTH:
                if folder not in SYSTEM:
                    closed.add(folder)
                break
    return closed


def _others_can_use(paths):
    """True when every path (and the files at its top level) is readable by any user."""
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            continue
        need = stat.S_IROTH | (stat.S_IXOTH if stat.S_ISDIR(st.st_mode) else 0)
        if st.st_mode & need != need:
            return False
        if stat.S_ISDIR(st.st_mode):
            with os.scandir(path) as entries:
                for entry in entries:
                    if entry.is_file() and not entry.stat().st_mode & stat.S_IROTH:
                        return False
    return True


def _become(uid):
    """Leave root for ``uid`` (its capabilities go with it)."""
    try:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    except (OSError, AttributeError):
        return False
    return os.geteuid() == uid


def _drop_capabilities(uid=None):
    """Empty the bounding set, become ``uid`` if given (needs CAP_SETUID: before capset), clear
    every capability and forbid regaining any. Returns (dropped, became uid)."""
    libc = _c()
    for cap in range(64):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    became = uid is not None and _become(uid)

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                    ("inheritable", ctypes.c_uint32)]

    dropped = libc.capset(ctypes.byref(Header(CAP_VERSION_3, 0)), (Data * 2)()) == 0
    no_new = libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0
    return dropped and no_new, became


def lock_down(report, private, keep, workdir, scratch_bytes):
    """Fresh /proc, private paths covered, the rest read-only, a tmpfs at ``workdir``, no
    capabilities. Needs ``report["mount_ns"]``; updates and returns ``report``."""
    report.update(proc_private=False, hidden=0, read_only=False, scratch=False, capabilities_dropped=False)
    if not report.get("mount_ns"):
        return report
    if not _mount("none", "/", None, MS_REC | MS_PRIVATE):
        return report
    report["proc_private"] = _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    keep = sorted({os.path.realpath(k) for k in keep if k} | {os.path.abspath(k) for k in keep if k})
    hidden, done = 0, []
    # outermost first, and nothing inside a path already covered (it is covered with it; covering it
    # again would leave a shadowed mount that cannot be made read-only)
    covered = {os.path.realpath(p) for p in private if p} | _closed_above(keep)
    for path in sorted(covered, key=lambda p: (p.count(os.sep), p)):
        if path not in SYSTEM and not any(_inside(path, d) for d in done):
            hidden += _cover(path, keep)
            done.append(path)
    report["hidden"] = hidden
    as_nobody = _others_can_use(keep)
    owner = f",uid={NOBODY},gid={NOBODY}" if as_nobody else ""
    report["scratch"] = _mount("tmpfs", workdir, "tmpfs", MS_NOSUID | MS_NODEV,
                               f"size={max(int(scratch_bytes), 1 << 20)},mode=0700{owner}")
    shm = "/dev/shm"  # a private one: semaphores of multiprocessing/joblib, not shared with the host
    fresh_shm = os.path.isdir(shm) and _mount("tmpfs", shm, "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777")
    failed = []
    with open("/proc/self/mountinfo", encoding="utf-8") as fh:
        points = [line.split()[4].encode().decode("unicode_escape") for line in fh]
    for point in points:
        if point == workdir or (fresh_shm and point == shm):
            continue
        if not _mount(None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY):
            failed.append(point)
    # what is left writable is kernel-managed (cgroup, sysfs entries root cannot use without capabilities)
    report["read_only"] = not [p for p in failed if not p.startswith("/sys")]
    # as nobody, the process limit (RLIMIT_NPROC, which never applies to root) holds too
    dropped, became = _drop_capabilities(NOBODY if as_nobody else None)
    report["capabilities_dropped"] = dropped
    report["user"] = "nobody" if became else "root"
    return report


# ------------------------------------------------------------------ seccomp
# A classic-BPF program (``struct sock_filter``: u16 code, u8 jt, u8 jf, u32 k) run by the kernel on
# every system call of the student's process and of everything it starts. It reads ``struct
# seccomp_data``: int nr (offset 0), u32 arch (4), u64 instruction_pointer (8), u64 args[6] (16…).
_LD_W_ABS, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06
SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO = 0x7FFF0000, 0x00050000
EPERM, ENOSYS = 1, 38
AUDIT_ARCH_X86_64, AUDIT_ARCH_AARCH64 = 0xC000003E, 0xC00000B7
X32_SYSCALL_BIT = 0x40000000
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC = 1, 1
#: flags of clone() that ask for a new namespace (NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET)
CLONE_NEW_ANY = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000

#: name: (x86_64 number, aarch64 number). Always refused with EPERM: namespaces and mounts (the way
#: out of the confinement), other processes' memory, kernel interfaces that need none of this
#: course's code (BPF, keys, perf, userfaultfd, io_uring, modules, kexec, swap, reboot, quotas).
REFUSED = {
    "unshare": (272, 97), "setns": (308, 268),
    "mount": (165, 40), "umount2": (166, 39), "pivot_root": (155, 41), "chroot": (161, 51),
    "fsopen": (430, 430), "fsconfig": (431, 431), "fsmount": (432, 432), "fspick": (433, 433),
    "open_tree": (428, 428), "move_mount": (429, 429), "mount_setattr": (442, 442),
    "open_tree_attr": (467, 467),  # Linux 6.15
    "open_by_handle_at": (304, 265), "name_to_handle_at": (303, 264),
    "ptrace": (101, 117), "process_vm_readv": (310, 270), "process_vm_writev": (311, 271),
    "pidfd_getfd": (438, 438),
    "bpf": (321, 280), "perf_event_open": (298, 241), "userfaultfd": (323, 282),
    "keyctl": (250, 219), "add_key": (248, 217), "request_key": (249, 218),
    "io_uring_setup": (425, 425), "io_uring_enter": (426, 426), "io_uring_register": (427, 427),
    "kexec_load": (246, 104), "kexec_file_load": (320, 294),
    "init_module": (175, 105), "finit_module": (313, 273), "delete_module": (176, 106),
    "swapon": (167, 224), "swapoff": (168, 225), "reboot": (169, 142),
    "quotactl": (179, 60), "quotactl_fd": (443, 443),
}
#: clone() is refused (EPERM) only with a CLONE_NEW* flag: threads and fork keep working. clone3()
#: passes its flags in memory the filter cannot read, so it fails with ENOSYS, on which glibc's
#: pthread_create, fork and posix_spawn fall back to clone().
CLONE, CLONE3 = (56, 220), (435, 435)
SECCOMP_SYSCALL = {"x86_64": 317, "aarch64": 277}
_ARCHES = {"x86_64": (AUDIT_ARCH_X86_64, 0), "aarch64": (AUDIT_ARCH_AARCH64, 1)}


def seccomp_program():
    """The filter as bytes (``struct sock_filter[]``), for both x86_64 and aarch64.

    Another architecture value (i386 or arm32 system calls made from a 64-bit process) and the
    x32 calls of x86_64 (number with ``__X32_SYSCALL_BIT``) are refused whole, with EPERM.
    """
    code = []  # (opcode, jump-if-true label, jump-if-false label, k); a label is resolved below

    def op(opcode, k=0, jt=None, jf=None):
        code.append((opcode, jt, jf, k))

    op(_LD_W_ABS, 4)  # arch
    for arch, column in _ARCHES.values():
        op(_JEQ, arch, jt=f"arch{column}")
    op(_RET, SECCOMP_RET_ERRNO | EPERM)
    for arch, column in _ARCHES.values():
        code.append(f"arch{column}")
        op(_LD_W_ABS, 0)  # nr
        if arch == AUDIT_ARCH_X86_64:
            op(_JGE, X32_SYSCALL_BIT, jt="deny")
        op(_JEQ, CLONE[column], jt="clone")
        op(_JEQ, CLONE3[column], jt="enosys")
        for numbers in REFUSED.values():
            op(_JEQ, numbers[column], jt="deny")
        op(_RET, SECCOMP_RET_ALLOW)
    code.append("clone")
    op(_LD_W_ABS, 16)  # low 32 bits of args[0], the flags (little-endian; the kernel ignores the rest)
    op(_JSET, CLONE_NEW_ANY, jt="deny")
    op(_RET, SECCOMP_RET_ALLOW)
    code.append("enosys")
    op(_RET, SECCOMP_RET_ERRNO | ENOSYS)
    code.append("deny")
    op(_RET, SECCOMP_RET_ERRNO | EPERM)

    labels, program = {}, []
    for item in code:
        if isinstance(item, str):
            labels[item] = len(program)
        else:
            program.append(item)
    out = bytearray()
    for i, (opcode, jt, jf, k) in enumerate(program):
        offsets = [0 if label is None else labels[label] - i - 1 for label in (jt, jf)]
        if not all(0 <= o <= 255 for o in offsets):
            raise ValueError("seccomp program: jump out of range")
        out += struct.pack("=HBBI", opcode, offsets[0], offsets[1], k)
    return bytes(out)


def restrict_syscalls(report):
    """Install the seccomp filter (:func:`seccomp_program`) on every thread of this process.

    Sets ``no_new_privs`` (which the kernel requires of a process without CAP_SYS_ADMIN; it is set
    already when :func:`lock_down` ran). Needs Linux on x86_64 or aarch64, not root. Records
    ``seccomp`` (installed or not) and ``syscalls_refused`` (how many system calls always fail:
    :data:`REFUSED` and clone3; clone with a namespace flag fails too) in ``report``.
    """
    report.update(seccomp=False, syscalls_refused=0)
    machine = os.uname().machine if hasattr(os, "uname") else ""
    if not sys.platform.startswith("linux") or machine not in _ARCHES:
        return report
    try:
        libc = _c()
        program = seccomp_program()
        buf = ctypes.create_string_buffer(program, len(program))

        class Prog(ctypes.Structure):  # struct sock_fprog
            _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

        prog = Prog(len(program) // 8, ctypes.cast(buf, ctypes.c_void_p))
        ulong = ctypes.c_ulong
        if libc.prctl(PR_SET_NO_NEW_PRIVS, ulong(1), ulong(0), ulong(0), ulong(0)) != 0:
            return report
        # every thread (TSYNC), in case a library started one; the older prctl when seccomp() is missing
        libc.syscall.restype = ctypes.c_long
        done = libc.syscall(ctypes.c_long(SECCOMP_SYSCALL[machine]), ulong(SECCOMP_SET_MODE_FILTER),
                            ulong(SECCOMP_FILTER_FLAG_TSYNC), ctypes.byref(prog)) == 0
        if not done and ctypes.get_errno() == ENOSYS:
            done = libc.prctl(PR_SET_SECCOMP, ulong(SECCOMP_MODE_FILTER), ctypes.byref(prog), ulong(0),
                              ulong(0)) == 0
    except (OSError, AttributeError, ValueError):
        return report
    report.update(seccomp=done, syscalls_refused=len(REFUSED) + 1 if done else 0)
    return report
