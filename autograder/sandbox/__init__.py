"""Run student code in a separate, limited process and talk to it over a private channel.

Rooms, each holding one thing; every name below is importable from here too:

* :mod:`.errors` — the protocol's values and errors: :class:`Limits`, :class:`SandboxError`
  and its kinds (:class:`StudentRaised`, :class:`LoadFailed`, :class:`TimedOut`,
  :class:`Crashed`, :class:`BadReply`), :class:`BrokenCell`, and the markers and values
  that cross the wire (:class:`Handle`, :class:`Rng`, :class:`CatalogFunction`,
  :func:`to_wire`, :class:`Unsupported`);
* :mod:`.paths` — the file system side: what the student process may not see
  (:func:`private_paths`, :data:`BLOCKED`), the folder of allowed packages it imports
  from, and where its own code comes from (:data:`CHILD`, :data:`CHILD_MODULES`);
* :mod:`.process` — the student process itself: :class:`Sandbox` (start, requests, bounded
  replies, timeouts, close), :func:`kill_children` and :func:`stop_now`, and
  :func:`confinement`. Its docstring tells the data flow and the limits;
* :mod:`.launch` — what a student process starts with (command line, environment, standard
  input); :mod:`.zygote` — the warm template that forks student processes for NumPy exercises.

What runs inside the student process: ``child.py``, with ``confine.py``, ``wire.py``
(also the grader's side of the codec), ``catalog.py`` and ``helpers.py``. The names above
are imported on first use, so that importing a light one imports nothing heavy.
"""
from __future__ import annotations

import importlib

#: each public name and the module that defines it, imported on first use (PEP 562): ``grader check``
#: starts a student process (:mod:`.zygote`, :mod:`.launch`: standard library only) before NumPy is imported
_WHERE = {
    **{name: "errors" for name in ("BadReply", "BrokenCell", "CatalogFunction", "Crashed", "Handle", "Limits",
                                   "LoadFailed", "Rng", "SandboxError", "StudentRaised", "TimedOut",
                                   "Unsupported", "to_wire")},
    **{name: "paths" for name in ("BLOCKED", "CHILD", "CHILD_MODULES", "private_paths")},
    **{name: "launch" for name in ("BOOTSTRAP", "CHILD_MARK", "CHILD_PATH")},
    **{name: "process" for name in ("FIRST_MESSAGE", "MAX_ERRNO", "NAME_KINDS", "REPLY_ALLOWANCE", "REPLY_FACTOR",
                                    "REPLY_HEADER", "Sandbox", "_broken", "confinement", "kill_children",
                                    "stop_now")},
}
_MODULES = ("catalog", "helpers", "wire", "zygote", "launch", "errors", "paths", "process")

__all__ = ["catalog", "helpers", "wire", *_WHERE]


def __getattr__(name: str):
    if name in _MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _WHERE:
        value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
