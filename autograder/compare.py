"""Compare a returned value with the expected one and describe the difference.

Rule (SPEC): ``|got − expected| ≤ atol + rtol·|expected|`` elementwise with
rtol 1e-6 and atol 1e-10·max|expected| for float64 results; float32 results
are compared at rtol 1e-4 and atol 1e-6·max|expected|, and the feedback notes the dtype. NaN matches NaN
(so a known mistake that produces NaN can be recognised), −0.0 equals 0.0.
Lists and scalars are read with ``np.asarray(out, dtype=float64)``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .messages import t
from .sandbox import Unsupported

RTOL = 1e-6
RTOL_FLOAT32 = 1e-4
ATOL_SCALE = 1e-10
ATOL_SCALE_FLOAT32 = 1e-6  # float32 carries ~7 digits: entries that cancel near zero need more room


@dataclass(frozen=True)
class Mismatch:
    """Why a value is not the expected one: ``kind`` is unsupported, not_numeric,
    shape, nonfinite or values; the other fields fill the message."""

    kind: str
    fields: dict
    dtype: str | None = None

    def describe(self, what: str, lang: str = "en") -> str:
        text = t(self.kind, lang, what=what, **self.fields)
        if self.dtype and self.dtype != "float64":
            text = text.rstrip(".") + t("dtype_note", lang, dtype=self.dtype) + "."
        return text


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _index(flat: int, shape) -> str:
    return str(tuple(int(i) for i in np.unravel_index(flat, shape))) if shape else "()"


def as_float_array(got):
    """(array float64, original dtype name) or (None, description of what came back)."""
    if isinstance(got, Unsupported):
        return None, got.what
    if got is None:
        return None, "None"
    dtype = got.dtype.name if isinstance(got, np.ndarray) else None
    try:
        arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return None, f"a value of type {type(got).__name__}"
    return arr, dtype


def compare(got, expected, rtol: float = RTOL) -> Mismatch | None:
    """None when ``got`` matches ``expected`` (array-like of float64), else a Mismatch."""
    expected = np.asarray(expected, dtype=np.float64)
    arr, dtype = as_float_array(got)
    if arr is None:
        kind = "unsupported" if isinstance(got, Unsupported) else "not_numeric"
        return Mismatch(kind, {"detail": dtype})
    low_precision = dtype in ("float32", "float16")
    if low_precision:
        rtol = max(rtol, RTOL_FLOAT32)
    if arr.shape != expected.shape:
        if arr.size == 1 and expected.size == 1:
            arr = arr.reshape(expected.shape)
        else:
            return Mismatch("shape", {"expected": expected.shape, "got": arr.shape}, dtype)
    if arr.size == 0:
        return None
    finite_expected = np.isfinite(expected)
    bad_nonfinite = finite_expected & ~np.isfinite(arr)
    if bad_nonfinite.any():
        first = int(np.flatnonzero(bad_nonfinite)[0])
        return Mismatch("nonfinite", {"count": int(bad_nonfinite.sum()), "index": _index(first, arr.shape)}, dtype)
    scale = float(np.max(np.abs(expected[finite_expected]), initial=0.0))
    atol = (ATOL_SCALE_FLOAT32 if low_precision else ATOL_SCALE) * scale
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(arr - expected)
        close = err <= atol + rtol * np.abs(expected)
    # non-finite expected values must be matched exactly (NaN with NaN, inf with inf)
    same_nonfinite = ~finite_expected & ((np.isnan(expected) & np.isnan(arr)) | (expected == arr))
    ok = np.where(finite_expected, close, same_nonfinite)
    if ok.all():
        return None
    bad = np.flatnonzero(~ok)
    first = int(bad[0])
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):  # a tiny expected value: inf
        errs = np.where(finite_expected, err, np.inf).ravel()[bad]
        exp_bad = np.abs(expected.ravel()[bad])
        # relative error over entries whose expected value is nonzero (inf when all are zero)
        rel = np.where(exp_bad > 0, errs / np.where(exp_bad > 0, exp_bad, 1.0), np.inf)
    return Mismatch("values", {
        "count": int(bad.size), "size": int(arr.size), "index": _index(first, arr.shape),
        "expected": _fmt(expected.ravel()[first]), "got": _fmt(arr.ravel()[first]),
        "max_abs": float(np.max(errs)), "max_rel": float(np.max(rel)),
    }, dtype)


def matches(got, expected, rtol: float = RTOL) -> bool:
    return compare(got, expected, rtol) is None
