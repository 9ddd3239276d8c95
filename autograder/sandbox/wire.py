"""The wire format between the grader and the sandboxed student process.

A message is one frame: an 8-byte big-endian length, then a JSON header of
``header_len`` bytes (4-byte length first) and the raw bytes of the arrays
it refers to. Values are encoded as a tree of plain JSON with tagged
objects:

    {"__array__": i, "dtype": "float64", "shape": [2, 3]}   i-th blob
    {"__list__": [...]}, {"__tuple__": [...]}, {"__dict__": {"key": ...}}
    {"__float__": "nan" | "inf" | "-inf"}
    {"__object__": "TypeName", "handle": 7}    an object left in the student process
    {"__rng__": seed}                          a numpy Generator built on the student side
    {"__fn__": "name", "params": {...}}        a pure function from the child's catalog
    {"__unsupported__": "description"}         something that cannot cross (complex, object arrays…)

Decoding never unpickles and never calls code: arrays are rebuilt with
``np.frombuffer`` from an allow-listed dtype, so whatever the student's
process sends arrives as plain data. This module imports only the standard
library and NumPy, and is loaded both by the grader (``autograder.sandbox.wire``)
and, by path, by the student process, which cannot import the grader.

What the grader accepts (:class:`Bounds`, checked by :func:`unpack` and :func:`decode`).
The student's code runs in the same process as the loop that answers the grader, so it can
always write its own frames on the reply descriptor (it can find it in ``/proc/self/fd`` or by
trying every descriptor) and read the request's nonce from the interpreter's frames. Forged
replies therefore cannot be made impossible, only harmless: everything a frame claims is
bounded and validated here before it costs the grader memory or time, so a forged frame can
claim only what the student's function could also have returned (any value, any exception
text) and nothing the grader would not accept from an honest reply:

* the frame's length, before any of it is read: the grader's bound for that message (for a
  reply, a few times the bytes of the request's arrays plus a fixed allowance; the caller may
  pass more where it expects bigger outputs);
* the JSON header's length, and before ``json.loads`` runs, its structure, by a linear scan of
  the bytes in bounded memory: nesting depth, number of containers and of values;
* the number of blobs, each inside the frame and used by at most one array, whose byte size
  must match its allow-listed dtype and shape (so decoding copies each byte at most once);
* strings that reach messages (exception type, message, ``where``, warnings, names) are clipped
  by the grader with :func:`clip`, whatever the child claims.
"""
from __future__ import annotations

import json
import math
import os
import struct

import numpy as np

#: dtypes allowed to cross the wire.
DTYPES = frozenset({
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64",
})

#: the largest frame either side accepts (bytes); the grader sets smaller bounds per message.
MAX_FRAME = 512 * 1024 * 1024
#: the grader's bound on a message that carries no outputs (``ready``, ``load_error``), and on
#: any JSON header unless the caller allows more.
MAX_HEADER = 1024 * 1024
#: JSON nesting depth: :func:`encode` stops at 32 levels of values, two JSON levels each.
MAX_DEPTH = 100
#: JSON containers (objects and arrays) and values (containers, scalars, keys) in one header.
MAX_CONTAINERS = 100_000
MAX_VALUES = 500_000
#: arrays in one message.
MAX_BLOBS = 10_000
#: strings the grader shows: exception messages, and short ones (type names, ``where`` entries,
#: warnings, names).
MAX_TEXT = 2000
MAX_SHORT = 200
#: names a submission's ``ready`` message may list
MAX_NAMES = 10_000
#: notebook cells whose top level raised that a ``ready`` or ``load_error`` message may list
MAX_BROKEN = 32

# Bound once at import, before any student code runs, so monkeypatching the
# numpy namespace later cannot change how values are encoded.
_ndarray = np.ndarray
_generic = np.generic
_asarray = np.asarray
_frombuffer = np.frombuffer
_tobytes = np.ndarray.tobytes
#: each allowed dtype by name, and the name of each (native byte order: an array in another byte order is
#: converted before it is sent, so its bytes are read back as they were meant)
_DTYPE_OF = {name: np.dtype(name) for name in DTYPES}
_NAME_OF = {dtype: name for name, dtype in _DTYPE_OF.items()}


class Tagged(dict):
    """An already-tagged node (``__object__``, ``__rng__``, ``__fn__``) that :func:`encode`
    passes through; its ``params`` entry, if any, is encoded as a value."""


class WireError(Exception):
    """A frame or value that does not follow the format or exceeds a bound.

    ``code`` names the kind for translated messages: ``format``, ``too_large`` (``what``,
    ``size``, ``limit`` in bytes), ``too_deep`` (``limit``), ``too_many_values``,
    ``too_many_containers``, ``too_many_arrays`` (``limit``).
    """

    def __init__(self, message: str, code: str = "format", **fields):
        super().__init__(message)
        self.code, self.fields = code, fields


class Bounds:
    """What one message from the student process may hold (bytes, counts, depth)."""

    __slots__ = ("frame", "header", "depth", "containers", "values", "blobs")

    def __init__(self, frame: int = MAX_FRAME, header: int = MAX_HEADER, depth: int = MAX_DEPTH,
                 containers: int = MAX_CONTAINERS, values: int = MAX_VALUES, blobs: int = MAX_BLOBS):
        self.frame, self.header, self.depth = int(frame), min(int(header), int(frame)), int(depth)
        self.containers, self.values, self.blobs = int(containers), int(values), int(blobs)

    def __repr__(self):
        return "Bounds(" + ", ".join(f"{k}={getattr(self, k)}" for k in self.__slots__) + ")"


def clip(value, limit: int = MAX_SHORT) -> str:
    """``value`` as text of at most about ``limit`` characters (non-strings are described, not
    printed: a forged header may put anything where a string belongs)."""
    if not isinstance(value, str):
        value = "" if value is None else repr(value) if isinstance(value, (int, float, bool)) else \
            f"<{type(value).__name__}>"
    if len(value) <= limit:
        return value
    return value[:limit] + f"… [{len(value) - limit} more characters]"


def _float(x):
    if math.isnan(x):
        return {"__float__": "nan"}
    if math.isinf(x):
        return {"__float__": "inf" if x > 0 else "-inf"}
    return x


def encode(value, blobs, handles=None, depth=0):
    """Encode ``value`` into a JSON-able tree, appending array bytes to ``blobs``.

    ``handles`` (student side only) is a callable that stores an arbitrary
    object and returns its handle number; without it such objects are
    encoded as unsupported.
    """
    if depth > 32:
        return {"__unsupported__": "a structure nested more than 32 levels deep"}
    t = type(value)
    if value is None or t is bool or t is str:
        return value
    if t is int:
        return value if abs(value) < 2**63 else {"__unsupported__": "an integer too large for int64"}
    if t is float:
        return _float(value)
    if t is _ndarray or isinstance(value, (_ndarray, _generic)):
        arr = value if t is _ndarray else _asarray(value)
        name = _NAME_OF.get(arr.dtype)
        if name is None:
            name = arr.dtype.name
            if name not in DTYPES:
                return {"__unsupported__": f"a {name} array"}
            arr = arr.astype(_DTYPE_OF[name])  # another byte order: sent in the native one
        blobs.append(_tobytes(arr))  # C order, whatever the array's own layout
        return {"__array__": len(blobs) - 1, "dtype": name, "shape": list(arr.shape)}
    if t is Tagged:
        return {k: (encode(v, blobs, handles, depth + 1) if k == "params" else v) for k, v in value.items()}
    if t is list or t is tuple:
        return {"__list__" if t is list else "__tuple__": [encode(v, blobs, handles, depth + 1) for v in value]}
    if t is dict:
        if not all(type(k) is str for k in value):
            return {"__unsupported__": "a dict with non-string keys"}
        return {"__dict__": {k: encode(v, blobs, handles, depth + 1) for k, v in value.items()}}
    # subclasses of the basic types: keep only the plain value
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return encode(int(value), blobs, handles, depth + 1)
    if isinstance(value, float):
        return _float(float(value))
    if isinstance(value, (list, tuple)):
        return encode(list(value) if isinstance(value, list) else tuple(value), blobs, handles, depth + 1)
    if handles is not None:
        return {"__object__": type(value).__name__, "handle": handles(value)}
    return {"__unsupported__": f"an object of type {type(value).__name__}"}


def decode(tree, blobs, special=None, max_depth: int = MAX_DEPTH):
    """Rebuild a value from :func:`encode`'s tree; ``special(tag, node)`` handles
    the tags ``__object__``, ``__rng__``, ``__fn__`` and ``__unsupported__``.

    Every array's blob is used at most once and its byte size must match its dtype and
    shape, so the values built are never bigger than the frame they came in.
    """
    return _decode(tree, blobs, special, 0, max_depth, set())


def _decode(tree, blobs, special, depth, max_depth, used):
    if depth > max_depth:
        raise WireError(f"a value nested more than {max_depth} levels deep", "too_deep", limit=max_depth)
    if type(tree) is dict:
        if "__array__" in tree:
            return _array(tree, blobs, used)
        if "__list__" in tree:
            items = tree["__list__"]
            if type(items) is not list:
                raise WireError("__list__ is not a JSON array")
            return [_decode(v, blobs, special, depth + 1, max_depth, used) for v in items]
        if "__tuple__" in tree:
            items = tree["__tuple__"]
            if type(items) is not list:
                raise WireError("__tuple__ is not a JSON array")
            return tuple(_decode(v, blobs, special, depth + 1, max_depth, used) for v in items)
        if "__dict__" in tree:
            items = tree["__dict__"]
            if type(items) is not dict:
                raise WireError("__dict__ is not a JSON object")
            return {str(k): _decode(v, blobs, special, depth + 1, max_depth, used) for k, v in items.items()}
        if "__float__" in tree:
            name = tree["__float__"]
            if name not in ("nan", "inf", "-inf"):
                raise WireError("__float__ is not nan, inf or -inf")
            return float(name)
        for tag in ("__object__", "__rng__", "__fn__", "__unsupported__"):
            if tag in tree:
                if special is None:
                    raise WireError(f"unexpected {tag}")
                return special(tag, tree)
        raise WireError("unknown tagged value")
    if type(tree) is list:
        raise WireError("bare JSON list")
    if tree is None or type(tree) in (bool, int, float, str):
        return tree
    raise WireError(f"unexpected JSON value of type {type(tree).__name__}")


def _array(tree, blobs, used):
    dtype, shape, index = tree.get("dtype"), tree.get("shape"), tree.get("__array__")
    kind = _DTYPE_OF.get(dtype) if type(dtype) is str else None
    if kind is None:
        raise WireError(f"dtype {clip(dtype, 40)!r} is not allowed")
    if type(shape) is not list or len(shape) > 32 or not all(type(n) is int and n >= 0 for n in shape):
        raise WireError("an array shape that is not a list of at most 32 non-negative integers")
    if type(index) is not int or not 0 <= index < len(blobs):
        raise WireError("an array that refers to no blob of the frame")
    if index in used:
        raise WireError("two arrays that share one blob")
    used.add(index)
    raw = blobs[index]
    if len(raw) != math.prod(shape) * kind.itemsize:
        raise WireError("array size does not match its shape")
    return _frombuffer(raw, dtype=kind).reshape(shape).copy()


def pack(message: dict, blobs: list[bytes]) -> bytes:
    """One frame: header JSON (with blob sizes) followed by the blobs."""
    header = dict(message)
    header["blobs"] = [len(b) for b in blobs]
    head = json.dumps(header, allow_nan=False).encode()
    body = struct.pack("!I", len(head)) + head + b"".join(blobs)
    return struct.pack("!Q", len(body)) + body


def unpack(body, bounds: Bounds | None = None) -> tuple[dict, list]:
    """Split a frame body (without its 8-byte length) into header and blobs.

    ``body`` may be bytes, a bytearray or a memoryview (blobs are then views of it, not copies).
    With ``bounds`` (the grader, reading the student process), the header's length and
    structure are checked before it is parsed; without, only the format (the student process,
    reading the grader's requests).
    """
    body = memoryview(body)
    if len(body) < 4:
        raise WireError("truncated frame")
    (n,) = struct.unpack("!I", body[:4])
    if 4 + n > len(body):
        raise WireError("header outside the frame")
    if bounds is not None and n > bounds.header:
        raise WireError(f"a header of {n} bytes", "too_large", what="header", size=n, limit=bounds.header)
    head = bytes(body[4:4 + n])
    if bounds is not None:
        scan_header(head, bounds)
    try:
        header = json.loads(head)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise WireError(f"bad header: {clip(str(exc), MAX_SHORT)}") from None
    del head
    if not isinstance(header, dict):
        raise WireError("header is not an object")
    sizes = header.get("blobs", [])
    if type(sizes) is not list:
        raise WireError("blob sizes are not a list")
    if bounds is not None and len(sizes) > bounds.blobs:
        raise WireError(f"{len(sizes)} arrays", "too_many_arrays", limit=bounds.blobs)
    blobs, pos = [], 4 + n
    for size in sizes:
        if type(size) is not int or size < 0 or pos + size > len(body):
            raise WireError("blob outside the frame")
        blobs.append(body[pos:pos + size])
        pos += size
    return header, blobs


#: the header scan: chunk size, and the bytes it looks for
_SCAN_CHUNK = 1 << 20
_QUOTE, _OPEN1, _OPEN2, _CLOSE1, _CLOSE2, _COMMA, _COLON = b'"[{]},:'


def scan_header(head: bytes, bounds: Bounds) -> None:
    """Check a JSON header's structure before ``json.loads`` builds it: nesting depth, number of
    containers and of values, in one pass over the bytes in chunks (memory: about twice the
    header plus a few MB; time: linear, no backtracking).

    Escapes are removed first (``\\\\`` pairs, then ``\\"``), so in valid JSON the quotes left
    delimit strings; brackets and separators are counted outside them. Counts are upper bounds
    of what ``json.loads`` would build (every value or key follows ``[``, ``{``, ``,`` or ``:``),
    so a header that passes cannot cost more than the bounds allow; one that is not valid JSON
    may be refused here or by ``json.loads``.
    """
    # upper bounds from the raw bytes (inside strings too): a header they keep within the bounds needs
    # no scan (a reply's header has a handful of brackets; the scan costs ~40 us of each request)
    opens = head.count(b"[") + head.count(b"{")
    if opens <= min(bounds.depth, bounds.containers) and \
            opens + head.count(b",") + head.count(b":") + 1 <= bounds.values:
        return
    text = head.replace(b"\\\\", b"").replace(b'\\"', b"")
    data = _frombuffer(text, dtype=np.uint8)
    inside = np.uint8(0)
    depth = max_depth = opens = seps = 0
    for start in range(0, len(data), _SCAN_CHUNK):
        chunk = data[start:start + _SCAN_CHUNK]
        parity = np.bitwise_xor.accumulate((chunk == _QUOTE).view(np.uint8))
        parity ^= inside
        inside = parity[-1]
        outside = chunk[parity == 0]
        del parity
        up = (outside == _OPEN1) | (outside == _OPEN2)
        down = (outside == _CLOSE1) | (outside == _CLOSE2)
        opens += int(np.count_nonzero(up))
        seps += int(np.count_nonzero((outside == _COMMA) | (outside == _COLON)))
        if opens > bounds.containers:
            raise WireError(f"more than {bounds.containers} containers", "too_many_containers",
                            limit=bounds.containers)
        if opens + seps + 1 > bounds.values:
            raise WireError(f"more than {bounds.values} values", "too_many_values", limit=bounds.values)
        steps = up.astype(np.int8) - down.astype(np.int8)
        steps = steps[steps != 0]
        if steps.size:
            levels = np.cumsum(steps, dtype=np.int64)
            levels += depth
            max_depth = max(max_depth, int(levels.max()))
            depth = int(levels[-1])
        if max_depth > bounds.depth:
            raise WireError(f"a header nested more than {bounds.depth} levels deep", "too_deep",
                            limit=bounds.depth)


def read_exact(fd: int, n: int) -> bytes:
    """Blocking read of exactly n bytes from fd (student side)."""
    chunks, got = [], 0
    while got < n:
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise EOFError("channel closed")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_frame(fd: int) -> bytes:
    """Blocking read of one frame body from fd (student side)."""
    (n,) = struct.unpack("!Q", read_exact(fd, 8))
    if n > MAX_FRAME:
        raise WireError("frame too large")
    return read_exact(fd, n)


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
