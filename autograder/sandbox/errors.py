"""The sandbox protocol's values and errors, as the grader's code sees them.

:class:`Limits` (what one submission may use); the errors a request can end with
(:class:`SandboxError` and its kinds: :class:`StudentRaised`, :class:`LoadFailed`,
:class:`TimedOut`, :class:`Crashed`, :class:`BadReply`) and :class:`BrokenCell`;
the markers that stand for something in the student process or are built there
(:class:`Handle`, :class:`Rng`, :class:`CatalogFunction`, :func:`to_wire`) and
:class:`Unsupported`, a value that could not cross the wire. Nothing here starts a
process or touches a file: :mod:`.process` does, and fills these from the child's
replies within bounds.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import wire


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
    """Something the submission did that ended a request. ``kind`` names it for messages;
    ``cell``: while loading, the cell that was running (``<cell 5>``), when known."""

    kind = "error"
    cell: str | None = None


class StudentRaised(SandboxError):
    """The student's code raised an exception (``exc_type``, ``detail``, ``where``; ``errno``: its
    ``errno`` when it had a valid one, e.g. ``errno.EFBIG`` for a write past the output cap)."""

    kind = "raised"

    def __init__(self, exc_type: str, detail: str, where: list, errno: int | None = None):
        self.exc_type, self.detail, self.where, self.errno = exc_type, detail, where, errno
        loc = f" ({where[-1][0]}, line {where[-1][1]})" if where else ""
        super().__init__(f"{exc_type}: {detail}{loc}")


class LoadFailed(StudentRaised):
    """The submission's top-level code raised (syntax error included): in every one of its cells
    (the first one's error; ``broken``: the others, as :class:`BrokenCell`)."""

    kind = "load"
    broken: tuple = ()


@dataclass(frozen=True)
class BrokenCell:
    """A cell whose top-level code raised while loading (the next cells still ran)."""

    filename: str
    exc_type: str
    detail: str
    where: list
    errno: int | None = None  # as StudentRaised's


class TimedOut(SandboxError):
    kind = "timeout"

    def __init__(self, seconds: float, during: str):
        self.seconds, self.during = seconds, during
        super().__init__(f"{during} did not finish within {seconds:g} s")


class Crashed(SandboxError):
    """The student process died. ``key`` and ``fields`` name how, when the grader can tell, among
    :mod:`autograder.messages`' ``crash_*`` texts (:meth:`text` in a language; ``reason``: in English).
    A plain sentence works as well (English in both languages)."""

    kind = "crash"

    def __init__(self, key: str = "crash_not_running", **fields):
        self.key, self.fields = key, fields
        self.reason = self.text("en")
        super().__init__(self.reason)

    def text(self, lang: str = "en") -> str:
        from ..messages import MESSAGES, t

        return t(self.key, lang, **self.fields) if self.key in MESSAGES else self.key

    def __reduce__(self):  # pickled (a worker's error) with its key and fields, not its English text
        return _crashed, (self.key, self.fields, self.__dict__)


def _crashed(key: str, fields: dict, state: dict) -> Crashed:
    exc = Crashed(key, **fields)
    exc.__dict__.update(state)
    return exc


class BadReply(SandboxError):
    """The student process sent something the grader does not accept: a forged, malformed or
    oversized message (see :mod:`.wire` on why forged frames are possible but harmless).
    ``key`` and ``fields`` name the reason among :mod:`autograder.messages`' texts; a
    :class:`wire.WireError` in ``fields["error"]`` is translated too. A plain sentence works
    as well (English in both languages)."""

    kind = "bad_reply"

    def __init__(self, key: str = "reply_unreadable", **fields):
        self.key, self.fields = key, fields
        super().__init__(self.text("en"))

    def text(self, lang: str = "en") -> str:
        """The reason in ``lang`` (without the call it concerns)."""
        from ..messages import MESSAGES, t

        if self.key not in MESSAGES:
            return self.key
        fields = dict(self.fields)
        error = fields.pop("error", None)
        if isinstance(error, wire.WireError):
            key = f"wire_{error.code}"
            fields["detail"] = t(key, lang, **_sizes(error.fields)) if key in MESSAGES and error.code != "format" \
                else t("wire_format", lang, detail=str(error))
        elif error is not None:
            fields["detail"] = wire.clip(str(error), wire.MAX_SHORT)
        return t(self.key, lang, **_sizes(fields))


def _size(n: int) -> str:
    """A byte count for messages (units are the same in every language)."""
    if n >= 1024**4:
        return "more than 1 TB"
    if n >= 1024**3:
        return f"{n / 1024**3:.1f} GB"
    if n >= 1024**2:
        return f"{n / 1024**2:.1f} MB"
    return f"{n / 1024:.1f} KB" if n >= 1024 else f"{n} bytes"


def _sizes(fields: dict) -> dict:
    """``size``, ``limit`` and ``allowance`` fields given in bytes, as text (``limit`` is a count
    unless ``size`` is there too)."""
    out = dict(fields)
    if "size" in out:
        for key in ("size", "limit", "allowance"):
            if isinstance(out.get(key), int):
                out[key] = _size(out[key])
    return out


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


#: types that hold no marker: passed through as they are (most of a request's values)
_PLAIN = frozenset({type(None), bool, int, float, str,
                    wire.np.ndarray, wire.np.float64, wire.np.float32, wire.np.int64})


def to_wire(value):
    """Replace grader-side markers (Handle, Rng, CatalogFunction) by tagged wire nodes."""
    if type(value) in _PLAIN:
        return value
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


@dataclass(frozen=True)
class Unsupported:
    """A returned value that could not cross the wire (complex array, custom object…)."""

    what: str
