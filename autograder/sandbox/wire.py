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

#: the largest frame either side accepts (bytes).
MAX_FRAME = 512 * 1024 * 1024

# Bound once at import, before any student code runs, so monkeypatching the
# numpy namespace later cannot change how values are encoded.
_ndarray = np.ndarray
_generic = np.generic
_asarray = np.asarray
_frombuffer = np.frombuffer
_tobytes = np.ndarray.tobytes
_ascontiguous = np.ascontiguousarray
_dtype = np.dtype


class Tagged(dict):
    """An already-tagged node (``__object__``, ``__rng__``, ``__fn__``) that :func:`encode`
    passes through; its ``params`` entry, if any, is encoded as a value."""


class WireError(Exception):
    """A frame or value that does not follow the format."""


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
    if isinstance(value, (_ndarray, _generic)):
        arr = _asarray(value)
        name = arr.dtype.name
        if name not in DTYPES:
            return {"__unsupported__": f"a {name} array"}
        arr = _ascontiguous(arr)
        blobs.append(_tobytes(arr))
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


def decode(tree, blobs, special=None):
    """Rebuild a value from :func:`encode`'s tree; ``special(tag, node)`` handles
    the tags ``__object__``, ``__rng__``, ``__fn__`` and ``__unsupported__``.
    """
    if isinstance(tree, dict):
        if "__array__" in tree:
            dtype = tree["dtype"]
            if dtype not in DTYPES:
                raise WireError(f"dtype {dtype!r} is not allowed")
            shape = tuple(int(s) for s in tree["shape"])
            raw = blobs[int(tree["__array__"])]
            arr = _frombuffer(raw, dtype=_dtype(dtype))
            if arr.size != math.prod(shape):
                raise WireError("array size does not match its shape")
            return arr.reshape(shape).copy()
        if "__list__" in tree:
            return [decode(v, blobs, special) for v in tree["__list__"]]
        if "__tuple__" in tree:
            return tuple(decode(v, blobs, special) for v in tree["__tuple__"])
        if "__dict__" in tree:
            return {str(k): decode(v, blobs, special) for k, v in tree["__dict__"].items()}
        if "__float__" in tree:
            return float(tree["__float__"])
        for tag in ("__object__", "__rng__", "__fn__", "__unsupported__"):
            if tag in tree:
                if special is None:
                    raise WireError(f"unexpected {tag}")
                return special(tag, tree)
        raise WireError("unknown tagged value")
    if isinstance(tree, list):
        raise WireError("bare JSON list")
    return tree


def pack(message: dict, blobs: list[bytes]) -> bytes:
    """One frame: header JSON (with blob sizes) followed by the blobs."""
    header = dict(message)
    header["blobs"] = [len(b) for b in blobs]
    head = json.dumps(header, allow_nan=False).encode()
    body = struct.pack("!I", len(head)) + head + b"".join(blobs)
    return struct.pack("!Q", len(body)) + body


def unpack(body: bytes) -> tuple[dict, list[bytes]]:
    """Split a frame body (without its 8-byte length) into header and blobs."""
    if len(body) < 4:
        raise WireError("truncated frame")
    (n,) = struct.unpack("!I", body[:4])
    try:
        header = json.loads(body[4:4 + n])
    except (ValueError, UnicodeDecodeError) as exc:
        raise WireError(f"bad header: {exc}") from None
    if not isinstance(header, dict):
        raise WireError("header is not an object")
    blobs, pos = [], 4 + n
    for size in header.get("blobs", []):
        size = int(size)
        if size < 0 or pos + size > len(body):
            raise WireError("blob outside the frame")
        blobs.append(body[pos:pos + size])
        pos += size
    return header, blobs


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
