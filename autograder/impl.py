"""Implementations a check can run against, all with the :class:`~autograder.sandbox.Sandbox` interface.

* :class:`~autograder.sandbox.Sandbox` — the student's code in its own process (``grader check``/``grade``);
* :class:`LocalImpl` — functions in this process: the reference, a known-mistake
  variant of it, or a notebook's own namespace when a test cell grades itself
  under nbgrader.

Every value crosses :mod:`autograder.sandbox.wire` both ways even in process,
so inputs are fresh copies and outputs are plain data exactly as they would
arrive from the sandbox: the same submission gets the same result either way.
"""
from __future__ import annotations

import os
import traceback
import warnings

from .sandbox import Handle, StudentRaised, Unsupported, catalog, helpers, to_wire, wire


class LocalImpl:
    """Call functions of ``namespace`` (a dict of name -> object) in this process."""

    def __init__(self, namespace: dict):
        self.namespace = dict(namespace)
        self.names = {k: ("class" if isinstance(v, type) else "function" if callable(v) else "value")
                      for k, v in self.namespace.items() if not k.startswith("__")}
        self.generation = 1
        self._objects: dict[int, object] = {}
        self.last_call = ""
        self.warnings: list[str] = []

    # the Sandbox interface ------------------------------------------------
    def call(self, name, *args, return_args=False, timeout=None, **kwargs):
        self.last_call = f"{name}()"
        return self._run(lambda a, k: self._lookup(name)(*a, **k), args, kwargs, return_args)

    def chain(self, name, x, items, state, timeout=None) -> list:
        """:meth:`Sandbox.chain <autograder.sandbox.Sandbox.chain>`: here one call a time (the first)."""
        items = list(items)
        return [self.call(name, x, items[0], state)] if items else []

    def new(self, name, *args, timeout=None, **kwargs) -> Handle:
        a, k = self._inbound(args, kwargs)
        try:
            obj = self._lookup(name)(*a, **k)
        except Exception as exc:  # noqa: BLE001 - reported like the sandbox reports it
            raise _raised(exc) from None
        return Handle(self._keep(obj), name, self.generation)

    def method(self, handle: Handle, name, *args, return_args=False, timeout=None, **kwargs):
        obj = self._objects[handle.number]
        self.last_call = f"{name}()"
        return self._run(lambda a, k: getattr(obj, name)(*a, **k), args, kwargs, return_args)

    def getattr(self, handle: Handle, name, timeout=None):
        obj = self._objects[handle.number]
        return self._run(lambda a, k: getattr(obj, name), (), {}, False)

    def setattr(self, handle: Handle, name, value, timeout=None):
        obj = self._objects[handle.number]
        (value,), _ = self._inbound((value,), {})
        setattr(obj, name, value)

    def helper(self, name, *args, timeout=None, **kwargs):
        """Run one of the grader's procedures (``sandbox/helpers.py``) on this namespace's objects."""
        self.last_call = f"{name}()"
        return self._run(lambda a, k: helpers.run(name, *a, **k), args, kwargs, False)

    def output_tail(self, limit: int = 4000) -> str:
        return ""

    # internals ------------------------------------------------------------
    def _lookup(self, name):
        try:
            return self.namespace[name]
        except KeyError:
            raise StudentRaised("NameError", f"name {name!r} is not defined", []) from None

    def _keep(self, obj) -> int:
        self._objects[len(self._objects) + 1] = obj
        return len(self._objects)

    def _special(self, tag, node):
        if tag == "__object__":
            return self._objects[int(node["handle"])]
        if tag == "__rng__":
            import numpy as np

            return np.random.default_rng(int(node["__rng__"]))
        if tag == "__fn__":
            params = wire.decode(node["params"], self._blobs)
            return catalog.build(node["__fn__"], params)
        raise wire.WireError(tag)

    def _inbound(self, args, kwargs):
        blobs: list[bytes] = []
        tree = wire.encode([to_wire(list(args)), to_wire(dict(kwargs))], blobs)
        self._blobs = blobs
        a, k = wire.decode(tree, blobs, self._special)
        return a, k

    def _outbound(self, value):
        blobs: list[bytes] = []
        tree = wire.encode(value, blobs, self._keep)

        def special(tag, node):
            if tag == "__object__":
                return Handle(int(node["handle"]), str(node["__object__"]), self.generation)
            if tag == "__unsupported__":
                return Unsupported(str(node["__unsupported__"]))
            raise wire.WireError(tag)

        return wire.decode(tree, blobs, special)

    def _run(self, fn, args, kwargs, return_args):
        a, k = self._inbound(args, kwargs)
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always", RuntimeWarning)
            try:
                result = fn(a, k)
            except Exception as exc:  # noqa: BLE001 - reported like the sandbox reports it
                raise _raised(exc) from None
        self.warnings.extend(str(w.message)[:200] for w in seen if issubclass(w.category, RuntimeWarning))
        if return_args:
            result = (result, list(a))
        try:
            return self._outbound(result)
        except Exception as exc:  # noqa: BLE001
            raise _raised(exc) from None


#: the file name given to frames of a Jupyter kernel's cells (compiled to temporary files with
#: random names, which would make the message differ from run to run)
KERNEL_CELL = "<kernel cell>"
_GRADER = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _raised(exc: BaseException) -> StudentRaised:
    # only the student's frames: the grader's own (this module's lambdas, the checks) are left out
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not os.path.abspath(f.filename).startswith(_GRADER)]
    where = [[KERNEL_CELL if "ipykernel_" in f.filename else f.filename, f.lineno, f.name, (f.line or "")[:200]]
             for f in frames][-5:]
    code = getattr(exc, "errno", None)
    return StudentRaised(type(exc).__name__, str(exc)[:2000], where,
                         errno=code if type(code) is int and 0 < code <= 4095 else None)
