"""Run student code in a separate, limited process and talk to it over a private channel.

Three rooms, each holding one thing; every name below is importable from here too:

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
  :func:`confinement`. Its docstring tells the data flow and the limits.

What runs inside the student process: ``child.py``, with ``confine.py``, ``wire.py``
(also the grader's side of the codec), ``catalog.py`` and ``helpers.py``.
"""
from __future__ import annotations

from . import catalog, helpers, wire  # noqa: F401 - catalog and helpers are part of this package's interface
from .errors import (
    BadReply, BrokenCell, CatalogFunction, Crashed, Handle, Limits, LoadFailed, Rng, SandboxError, StudentRaised,
    TimedOut, Unsupported, to_wire,
)
from .paths import BLOCKED, CHILD, CHILD_MODULES, private_paths
from .process import (
    BOOTSTRAP, CHILD_MARK, CHILD_PATH, FIRST_MESSAGE, MAX_ERRNO, NAME_KINDS, REPLY_ALLOWANCE, REPLY_FACTOR,
    REPLY_HEADER, Sandbox, _broken, confinement, kill_children, stop_now,
)

__all__ = [
    "catalog", "helpers", "wire",
    "BadReply", "BrokenCell", "CatalogFunction", "Crashed", "Handle", "Limits", "LoadFailed", "Rng", "SandboxError",
    "StudentRaised", "TimedOut", "Unsupported", "to_wire",
    "BLOCKED", "CHILD", "CHILD_MODULES", "private_paths",
    "BOOTSTRAP", "CHILD_MARK", "CHILD_PATH", "FIRST_MESSAGE", "MAX_ERRNO", "NAME_KINDS", "REPLY_ALLOWANCE",
    "REPLY_FACTOR", "REPLY_HEADER", "Sandbox", "_broken", "confinement", "kill_children", "stop_now",
]
