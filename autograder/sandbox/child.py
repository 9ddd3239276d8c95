"""The student process: runs a submission's code and answers the grader's requests.

Started by :class:`autograder.sandbox.Sandbox` as ``python -I -S -u -c
BOOTSTRAP``: isolated mode, no site-packages processing (so editable
installs of the grader are invisible). The bootstrap reads from standard input
(a file without a name: nothing to find on disk) this module and the sandbox's own
modules (``confine``, ``wire``, ``catalog``, ``helpers``), compiled by the
grader under neutral file names, with the settings and the student's cells,
then calls :func:`main`; standard input becomes ``/dev/null``. So no private
path of the grader (its installation, the course and output folders) is in
the process's command line, ``sys.argv``, ``sys.path``, environment, modules
or any file it can open. ``sys.path`` holds the standard library and the
folders of the allowed packages. The grader's package, the reference and the
solutions are blocked by an import hook. Nothing it receives holds an
expected value: it gets inputs and sends back outputs.

On Linux as root, ``confine.py`` also puts it in its own PID, mount and
network namespaces, covers the grader's private paths, makes the file system
read-only and drops every capability; then (on Linux, root or not) a seccomp
filter refuses the system calls that could undo that or reach the kernel's
riskier interfaces. All of it before the student's code runs.

Payload keys: ``child`` (this module's code, taken by the bootstrap),
``modules`` (name: code), ``cells`` (a list of [filename, source]) and
``config``. Config keys: ``paths`` (extra sys.path entries),
``req_fd``/``resp_fd`` (the channel),
``limits`` (``memory_bytes``, ``cpu_seconds``, ``file_bytes``, ``processes``,
``scratch_bytes``), ``blocked`` (top-level module names), ``workdir``,
``confine`` (bool) and ``private`` (paths to cover; dropped once covered).
"""
import builtins
import linecache
import os
import sys
import traceback
import warnings


def _apply_limits(limits):
    try:
        import resource
    except ImportError:  # not on POSIX: the parent's wall timeout still holds
        return
    for name, key in (("RLIMIT_AS", "memory_bytes"), ("RLIMIT_CPU", "cpu_seconds"),
                      ("RLIMIT_FSIZE", "file_bytes"), ("RLIMIT_CORE", "core_bytes")):
        value = limits.get(key)
        if value is None or not hasattr(resource, name):
            continue
        res = getattr(resource, name)
        # CPU: SIGXCPU at the soft limit (its reason can be told), SIGKILL a second later
        hard = int(value) + 1 if name == "RLIMIT_CPU" else int(value)
        try:
            resource.setrlimit(res, (int(value), hard))
        except (ValueError, OSError):
            pass


class _Blocker:
    """A meta-path finder that refuses the grader's own packages."""

    def __init__(self, blocked):
        self.blocked = frozenset(blocked)

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in self.blocked:
            raise ImportError(f"a submission cannot import {name!r}")
        return None


class _Sources:
    """A meta-path finder for the sandbox's own modules, sent compiled by the grader: no path of
    its installation is on ``sys.path`` or in a module's ``__file__``."""

    def __init__(self, code):
        self.code = code

    def find_spec(self, name, path=None, target=None):
        if name not in self.code:
            return None
        from importlib.machinery import ModuleSpec

        return ModuleSpec(name, self)

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        exec(self.code[module.__name__], module.__dict__)


def _forget_stdin():
    """Standard input (the payload) becomes /dev/null: nothing of it stays reachable."""
    fd = os.open(os.devnull, os.O_RDONLY)
    if fd != 0:
        os.dup2(fd, 0)
        os.close(fd)


def _needed_paths(config):
    """What the interpreter may still read once the private paths are covered."""
    keep = [sys.executable, sys.prefix, sys.base_prefix, os.path.dirname(os.__file__),
            config.get("workdir", os.getcwd())]
    venv = os.path.dirname(os.path.dirname(os.path.abspath(sys.executable)))
    if os.path.isfile(os.path.join(venv, "pyvenv.cfg")):  # subprocesses (joblib's workers) need the venv
        keep.append(venv)
    for entry in config.get("paths", []):
        keep.append(entry)
        if os.path.isdir(entry):  # a folder of links to the allowed packages: keep their targets
            links = (os.path.join(entry, name) for name in os.listdir(entry))
            keep.extend(os.path.realpath(link) for link in links if os.path.islink(link))
    return keep


def _limit_processes(limit):
    if limit is None:
        return
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_NPROC, (int(limit), int(limit)))
    except (ImportError, AttributeError, ValueError, OSError):
        pass


def _die_with_grader(parent) -> None:
    """SIGKILL when the grader process that started this one ends (Linux: PR_SET_PDEATHSIG), however it
    ends: a worker killed, or stopped (Ctrl-C) while it was starting this process, leaves no student
    process behind. A grader already gone before that took effect: exit now."""
    if not sys.platform.startswith("linux") or not isinstance(parent, int):
        return
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:
        os._exit(1)


def _set_path(config, modules):
    """Under -I -S, sys.path holds only the standard library: add the allowed packages. The sandbox's
    own modules come from the payload, first (a package of the same name cannot shadow them)."""
    paths = list(config.get("paths", []))
    sys.path[:] = paths + [p for p in sys.path if p and p not in paths]
    if modules:
        sys.meta_path.insert(0, _Sources(modules))


# ------------------------------------------------------------------ the warm template (zygote)
# A process started like a student process, that imports NumPy and the sandbox's modules, runs nothing of
# any student's, and forks one fresh student process per request (``autograder/sandbox/zygote.py`` is the
# grader's side). Control channel: a SOCK_SEQPACKET socket; a request is the byte b"F" with four file
# descriptors (the payload file, the request pipe's read end, the reply pipe's write end, the output file);
# the zygote answers {"pid": n} or {"error": text}. The student process is forked twice, through a process
# that exits at once, so that it becomes the grader's own child (the grader is a child subreaper): its
# parent, its exit status and its death with the grader are what they are for a process the grader started.
# The zygote ends when the grader closes the channel or dies.

def _fork_child(fds, middle):
    """In the student process: wait until it is the grader's child, become what ``python -I -S -u -c
    BOOTSTRAP`` started in a new session would be at ``main``, run it, exit; never returns."""
    import marshal
    import time

    code = 0
    try:
        while os.getppid() == middle:  # the middle process is exiting: then the grader adopts this one
            time.sleep(0.0002)
        os.setsid()
        payload_fd, req_r, resp_w, out_fd = fds
        with os.fdopen(payload_fd, "rb") as fh:
            payload = marshal.loads(fh.read())
        os.dup2(out_fd, 1)
        os.dup2(out_fd, 2)
        os.close(out_fd)
        _close_fds_but((0, 1, 2, req_r, resp_w))  # as Popen's close_fds: nothing of the zygote's stays open
        config = payload["config"]
        config["req_fd"], config["resp_fd"] = req_r, resp_w
        os.environ.update(config.pop("env", {}))
        os.chdir(config.get("workdir", "/"))
        # a fresh interpreter seeds NumPy's global generator from the OS; a fork would share the zygote's
        numpy = sys.modules.get("numpy")
        if numpy is not None:
            numpy.random.seed()
        main(payload)
    except SystemExit as exc:
        code = exc.code if type(exc.code) is int else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - a grader-side bug: said on the output, as an interpreter would
        traceback.print_exc()
        code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _close_fds_but(keep):
    try:
        open_fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        open_fds = range(3, 1024)
    for fd in open_fds:
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass


def _fork_twice(fds):
    """The student process's id, once it is no longer this zygote's descendant (see above)."""
    import struct

    got, tell = os.pipe()
    middle = os.fork()
    if middle == 0:  # the middle process: fork the student process, say its id, exit
        try:
            os.close(got)
            me = os.getpid()
            pid = os.fork()
            if pid == 0:
                os.close(tell)
                _fork_child(fds, me)
            os.write(tell, struct.pack("!q", pid))
        finally:
            os._exit(0)
    os.close(tell)
    try:
        data = os.read(got, 8)
    finally:
        os.close(got)
        os.waitpid(middle, 0)  # gone: the student process is the grader's child now
    if len(data) != 8:
        raise OSError("the student process was not forked")
    return struct.unpack("!q", data)[0]


def _zygote(payload):
    import marshal
    import socket

    _forget_stdin()
    config = payload.pop("config")
    _die_with_grader(config.get("parent"))
    _set_path(config, payload.pop("modules", {}))
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    import confine  # noqa: F401 - imported once here, for every process forked
    import encodings.unicode_escape  # noqa: F401 - confine.lock_down's, else imported by every process forked
    for name in config.get("preload", ()):
        __import__(name)
    import catalog  # noqa: F401
    import helpers  # noqa: F401
    import wire  # noqa: F401

    ctrl = socket.socket(fileno=config["ctrl_fd"])
    ctrl.send(marshal.dumps({"ready": os.getpid()}))
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(ctrl, 16, 4)
        except OSError:
            data, fds = b"", []
        if not data:  # the grader closed the channel (or died)
            os._exit(0)
        try:
            if data != b"F" or len(fds) != 4:
                raise OSError("bad request")
            reply = {"pid": _fork_twice(fds)}
        except OSError as exc:
            reply = {"error": str(exc)}
        finally:
            for fd in fds:
                os.close(fd)
        ctrl.send(marshal.dumps(reply))


def main(payload=None):
    if payload is None:  # run by hand: python -I -S child.py < payload
        import marshal

        payload = marshal.loads(sys.stdin.buffer.read())
    if payload.pop("zygote", False):
        return _zygote(payload)
    _forget_stdin()
    config = payload.pop("config")
    _die_with_grader(config.get("parent"))
    private = config.pop("private", [])
    limits = config.get("limits", {})
    _apply_limits(limits)
    _set_path(config, payload.pop("modules", {}))
    import confine

    req_fd, resp_fd = config["req_fd"], config["resp_fd"]
    report = {}
    if config.get("confine", True):
        report = confine.enter_namespaces(keep_fds=(req_fd, resp_fd), cpu_seconds=limits.get("cpu_seconds"))
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")

    import numpy as np
    import catalog
    import helpers
    import wire

    write_all, pack, encode, decode = wire.write_all, wire.pack, wire.encode, wire.decode
    read_frame, unpack = wire.read_frame, wire.unpack

    objects = {}

    def keep(obj):
        objects[len(objects) + 1] = obj
        return len(objects)

    def catalog_fn(node):
        params = decode(node.get("params", {"__dict__": {}}), blobs_in[0])
        try:
            return catalog.build(node["__fn__"], params)
        except KeyError:
            raise wire.WireError(f"unknown catalog function {node['__fn__']!r}") from None

    def special(tag, node):
        if tag == "__object__":
            return objects[int(node["handle"])]
        if tag == "__rng__":
            return np.random.default_rng(int(node["__rng__"]))
        if tag == "__fn__":
            return catalog_fn(node)
        raise wire.WireError(f"cannot decode {tag}")

    blobs_in = [[]]

    def send(message, value=None, has_value=False, limit=None, encoded=None):
        """Write one frame; a reply bigger than the grader's ``limit`` (bytes) is replaced by a
        refusal the grader reports as such (it would refuse the frame and end the process).
        ``encoded``: the value already encoded, as (tree, blobs)."""
        blobs = []
        if encoded is not None:
            message["value"], blobs = encoded
        elif has_value:
            message["value"] = encode(value, blobs, keep)
        frame = pack(message, blobs)
        del blobs
        if type(limit) is int and len(frame) - 8 > limit:
            size = len(frame) - 8
            del frame
            frame = pack({"kind": message.get("kind"), "id": message.get("id"), "nonce": message.get("nonce"),
                          "ok": False, "too_large": size}, [])
        write_all(resp_fd, frame)

    def text(value, limit):
        # what a student's exception says about itself: its __str__ may raise or return anything
        try:
            value = value() if callable(value) else value
            return value[:limit] if type(value) is str else "<not a string>"
        except BaseException:  # noqa: BLE001
            return "<unprintable>"

    short = wire.MAX_SHORT

    def error_number(exc):
        # an OSError's errno (EFBIG: a write past the output cap); a student's exception may make
        # the attribute anything, or raise when it is read
        try:
            number = getattr(exc, "errno", None)
        except BaseException:  # noqa: BLE001
            return None
        return number if type(number) is int and 0 < number < 2**31 else None

    def error_info(exc):
        # only the student's own frames: their code is compiled under "<…>" names
        try:
            frames = [f for f in traceback.extract_tb(exc.__traceback__) if str(f.filename).startswith("<")]
            where = [[text(f.filename, short), f.lineno if type(f.lineno) is int else 0, text(f.name, short),
                      text(f.line or "", short)] for f in frames[-5:]]
        except BaseException:  # noqa: BLE001
            where = []
        return {"type": text(lambda: type(exc).__name__, short), "message": text(lambda: str(exc), wire.MAX_TEXT),
                "where": where, "errno": error_number(exc)}

    float_dtypes = ("float16", "float32", "float64")

    def plain(tree):
        # plain data only: no object left in this process, nothing that could not cross
        if type(tree) is dict:
            if "__object__" in tree or "__unsupported__" in tree:
                return False
            return all(plain(v) for v in tree.values())
        if type(tree) is list:
            return all(plain(v) for v in tree)
        return True

    def chain(fn, x, items, state, said, slice_s, room, blobs):
        """``fn(x, item, state)`` for the items in turn, each call given the (x, state) the previous one
        returned, exactly as the grader would pass them back (see ``Sandbox.chain``): a copy made by the
        wire both ways. Goes on only while a result is a pair of a float array of x's shape and a dict of
        plain data (what the grader takes back as it is), and stops after ``slice_s`` seconds or ``room``
        bytes. Each call's first three RuntimeWarnings are added to ``said`` (as a call's reply would
        carry them). Returns the results encoded as a call's reply encodes its value, their arrays
        appended to ``blobs``: the trees."""
        import time

        shape = list(x.shape) if type(x) is np.ndarray else None
        trees, size = [], 0
        deadline = time.monotonic() + float(slice_s)
        for item in items:
            # each call starts from the warning filters a call's request starts from (the previous call
            # may have changed them), and its warnings are recorded as its own reply would record them
            with warnings.catch_warnings(record=True) as step:
                warnings.simplefilter("always", RuntimeWarning)
                value = fn(x, item, state)
            said.extend([text(lambda w=w: str(w.message), short) for w in step
                         if issubclass(w.category, RuntimeWarning)][:3])
            first = len(blobs)
            tree = encode(value, blobs, keep)
            trees.append(tree)
            pair = (tree.get("__tuple__", tree.get("__list__")) if type(tree) is dict and len(tree) == 1
                    else None)
            if not (shape is not None and type(pair) is list and len(pair) == 2 and type(pair[0]) is dict
                    and pair[0].get("dtype") in float_dtypes and pair[0].get("shape") == shape
                    and type(pair[1]) is dict and "__dict__" in pair[1] and plain(pair[1])):
                break  # what the grader would not pass back as it is: it goes on from here
            x, state = decode(tree, blobs)  # a copy: the next call may change the arrays it is given
            size += sum(len(b) for b in blobs[first:])
            if len(trees) >= 1000 or size > room or time.monotonic() >= deadline:
                break
        return trees

    # the student's code, cell by cell, in one namespace
    cells = payload.pop("cells")
    workdir = config.get("workdir", os.getcwd())
    if report.get("mount_ns"):
        confine.lock_down(report, private, _needed_paths(config), workdir,
                          limits.get("scratch_bytes", 64 * 1024**2))
    del private  # nothing the student's code can reach (this frame's locals) names the grader's paths
    _limit_processes(limits.get("processes"))
    namespace = {"__name__": "submission", "__builtins__": builtins}
    sys.meta_path.insert(0, _Blocker(config.get("blocked", ())))
    os.chdir(workdir)
    if config.get("confine", True):
        # last: after every mount and capability change above (which the filter forbids), before any
        # of the student's code; threads and processes it starts inherit it
        confine.restrict_syscalls(report)
    # cell by cell, as a notebook runs: a cell whose top level raises (SystemExit included) stops
    # there and is reported, the next cells still run; only when no cell ran to its end is the
    # submission not loaded. Before each cell the grader is told which one runs, so a load that
    # times out or crashes names it.
    broken = []
    for filename, source in cells:
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        send({"kind": "cell", "cell": filename})
        try:
            code = compile(source, filename, "exec")
            exec(code, namespace)
        except BaseException as exc:  # noqa: BLE001 - everything the code raises is reported
            broken.append({"cell": filename, "error": error_info(exc)})
    if cells and len(broken) == len(cells):
        send({"kind": "load_error", "error": broken[0]["error"], "broken": broken[1:wire.MAX_BROKEN + 1]})
        return
    names = {k: ("class" if isinstance(v, type) else "module" if type(v).__name__ == "module"
                 else "function" if callable(v) else "value")
             for k, v in namespace.items() if not k.startswith("__") and len(k) <= short}
    if len(names) > wire.MAX_NAMES:  # the grader takes no more: functions and classes first
        ranked = sorted(names, key=lambda k: names[k] not in ("function", "class"))
        names = {k: names[k] for k in ranked[:wire.MAX_NAMES]}
    send({"kind": "ready", "names": names, "confinement": report, "broken": broken[:wire.MAX_BROKEN]})

    while True:
        try:
            header, blobs = unpack(read_frame(req_fd))
        except EOFError:
            return
        blobs_in[0] = blobs
        reply = {"kind": "reply", "id": header.get("id"), "nonce": header.get("nonce")}
        caught = warnings.catch_warnings(record=True)
        seen = caught.__enter__()
        said = []
        warnings.simplefilter("always", RuntimeWarning)
        try:
            args = decode(header.get("args", {"__list__": []}), blobs, special)
            kwargs = decode(header.get("kwargs", {"__dict__": {}}), blobs, special)
            op, name = header["op"], header.get("name")
            if op == "call":
                result = namespace[name](*args, **kwargs)
                if header.get("return_args"):
                    result = (result, list(args))
            elif op == "new":
                result = namespace[name](*args, **kwargs)
            elif op == "method":
                result = getattr(objects[int(header["handle"])], name)(*args, **kwargs)
                if header.get("return_args"):
                    result = (result, list(args))
            elif op == "getattr":
                result = getattr(objects[int(header["handle"])], name)
            elif op == "setattr":
                setattr(objects[int(header["handle"])], name, args[0])
                result = None
            elif op == "helper":
                result = helpers.run(name, *args, **kwargs)
            elif op == "chain":
                x, items, state = args
                limit = header.get("max_reply")
                chain_blobs = []
                trees = chain(namespace[name], x, items, state, said, kwargs.get("slice_s", 0.5),
                              (limit if type(limit) is int else 1 << 20) // 2, chain_blobs)
                encoded = ({"__list__": trees}, chain_blobs)
            else:
                raise wire.WireError(f"unknown op {op!r}")
            reply["ok"] = True
            caught.__exit__(None, None, None)
            if op == "chain":  # each call's first three, once each (the grader shows each once)
                reply["warnings"] = list(dict.fromkeys(said))
            else:
                reply["warnings"] = [text(lambda: str(w.message), short) for w in seen
                                     if issubclass(w.category, RuntimeWarning)][:3]
            if op == "new":
                reply["handle"] = keep(result)
                send(reply)
            elif op == "chain":
                send(reply, limit=header.get("max_reply"), encoded=encoded)
            else:
                send(reply, result, has_value=True, limit=header.get("max_reply"))
        except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt too
            caught.__exit__(None, None, None)
            reply["ok"] = False
            reply["error"] = error_info(exc)
            if said:  # a chain's calls before the one that raised: what their replies would have said
                reply["warnings"] = list(dict.fromkeys(said))
            send(reply)


if __name__ == "__main__":
    main()
