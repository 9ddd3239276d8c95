"""The student process: runs a submission's code and answers the grader's requests.

Started by :class:`autograder.sandbox.Sandbox` as ``python -I -S child.py
CONFIG_JSON``: isolated mode, no site-packages processing (so editable
installs of the grader are invisible), ``sys.path`` reduced to this folder
and the folders NumPy needs. It imports only the standard library, NumPy and
``wire`` (the codec, loaded by path). The grader's package, the reference
and the solutions are blocked by an import hook. Nothing it receives holds an
expected value: it gets inputs and sends back outputs.

On Linux as root, ``confine.py`` also puts it in its own PID, mount and
network namespaces, covers the grader's private paths, makes the file system
read-only and drops every capability before the student's code runs.

Config keys: ``paths`` (extra sys.path entries), ``cells`` (path of a JSON
list of [filename, source]), ``req_fd``/``resp_fd`` (the channel),
``limits`` (``memory_bytes``, ``cpu_seconds``, ``file_bytes``, ``processes``,
``scratch_bytes``), ``blocked`` (top-level module names), ``workdir``,
``confine`` (bool) and ``private`` (paths to cover).
"""
import builtins
import json
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


def main():
    config = json.loads(sys.argv[1])
    limits = config.get("limits", {})
    _apply_limits(limits)
    here = os.path.dirname(os.path.abspath(__file__))
    # under -I -S, sys.path holds only the standard library; add the codec and the allowed packages
    sys.path[:] = [here] + list(config.get("paths", [])) + [p for p in sys.path if p and p != here]
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

    def send(message, value=None, has_value=False):
        blobs = []
        if has_value:
            message["value"] = encode(value, blobs, keep)
        write_all(resp_fd, pack(message, blobs))

    def error_info(exc):
        # only the student's own frames: their code is compiled under "<…>" names
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith("<")]
        return {"type": type(exc).__name__, "message": str(exc)[:2000],
                "where": [[f.filename, f.lineno, f.name, (f.line or "")[:200]] for f in frames][-5:]}

    # the student's code, cell by cell, in one namespace
    with open(config["cells"], encoding="utf-8") as fh:
        cells = json.load(fh)
    workdir = config.get("workdir", os.getcwd())
    if report.get("mount_ns"):
        confine.lock_down(report, config.get("private", []), _needed_paths(config), workdir,
                          limits.get("scratch_bytes", 64 * 1024**2))
    _limit_processes(limits.get("processes"))
    namespace = {"__name__": "submission", "__builtins__": builtins}
    sys.meta_path.insert(0, _Blocker(config.get("blocked", ())))
    os.chdir(workdir)
    for filename, source in cells:
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        try:
            code = compile(source, filename, "exec")
            exec(code, namespace)
        except BaseException as exc:  # noqa: BLE001 - everything the code raises is reported
            send({"kind": "load_error", "error": error_info(exc)})
            return
    names = {k: ("class" if isinstance(v, type) else "module" if type(v).__name__ == "module"
                 else "function" if callable(v) else "value")
             for k, v in namespace.items() if not k.startswith("__")}
    send({"kind": "ready", "names": names, "confinement": report})

    while True:
        try:
            header, blobs = unpack(read_frame(req_fd))
        except EOFError:
            return
        blobs_in[0] = blobs
        reply = {"kind": "reply", "id": header.get("id"), "nonce": header.get("nonce")}
        caught = warnings.catch_warnings(record=True)
        seen = caught.__enter__()
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
            else:
                raise wire.WireError(f"unknown op {op!r}")
            reply["ok"] = True
            caught.__exit__(None, None, None)
            reply["warnings"] = [str(w.message)[:200] for w in seen if issubclass(w.category, RuntimeWarning)][:3]
            if op == "new":
                reply["handle"] = keep(result)
                send(reply)
            else:
                send(reply, result, has_value=True)
        except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt too
            caught.__exit__(None, None, None)
            reply["ok"] = False
            reply["error"] = error_info(exc)
            send(reply)


if __name__ == "__main__":
    main()
