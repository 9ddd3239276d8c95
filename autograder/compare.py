"""Compare a returned value with the expected one and describe the difference.

Rule (SPEC): ``|got − expected| ≤ atol + rtol·|expected|`` elementwise with
rtol 1e-6 and atol 1e-10·max|expected| for float64 results; float32 results
are compared at rtol 1e-4 and atol 1e-6·max|expected|, and the feedback notes the dtype. NaN matches NaN
(so a known mistake that produces NaN can be recognised), −0.0 equals 0.0.
Lists and scalars are read with ``np.asarray(out, dtype=float64)``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .messages import Text, t
from .sandbox import Unsupported

RTOL = 1e-6
RTOL_FLOAT32 = 1e-4
ATOL_SCALE = 1e-10
ATOL_SCALE_FLOAT32 = 1e-6  # float32 carries ~7 digits: entries that cancel near zero need more room


#: what a wrong array is, when it is the expected one changed in a simple way (:func:`pattern`)
PATTERNS = {
    "sign": Text(" Every value has the opposite sign: a sign is flipped (a minus sign missing or extra, or a "
                 "subtraction the wrong way round).",
                 " Todos los valores tienen el signo contrario: hay un signo cambiado (falta o sobra un signo menos, "
                 "o una resta está al revés)."),
    "factor": Text(" Every value is {k:.6g} times the expected one: a constant factor is missing, extra or "
                   "inverted.",
                   " Todos los valores son {k:.6g} veces los esperados: falta, sobra o está invertido un factor "
                   "constante."),
    "offset": Text(" Every value is off by the same constant, {c:.6g}: a term is missing or extra.",
                   " Todos los valores se desvían en la misma constante, {c:.6g}: falta o sobra un término."),
    "complement": Text(" Every value is {c:.6g} minus the expected one: a comparison or a subtraction the wrong way "
                       "round?",
                       " Todos los valores son {c:.6g} menos los esperados: ¿una comparación o una resta al revés?"),
    "transposed": Text(" The values are the expected ones, transposed.",
                       " Los valores son los esperados, traspuestos."),
    "reshaped": Text(" The values are the expected ones in another shape (keepdims=True, or a reshape, is "
                     "missing?).",
                     " Los valores son los esperados con otra forma (¿falta keepdims=True, o un reshape?)."),
}


@dataclass(frozen=True)
class Mismatch:
    """Why a value is not the expected one: ``kind`` is unsupported, not_numeric,
    shape, nonfinite or values; the other fields fill the message. ``arrays``: (got, expected) as
    float64 arrays, for :func:`pattern` (computed only when the mismatch is described)."""

    kind: str
    fields: dict
    dtype: str | None = None
    arrays: tuple = field(default=(), compare=False, repr=False)

    def describe(self, what: str, lang: str = "en") -> str:
        text = t(self.kind, lang, what=what, **self.fields)
        if self.dtype and self.dtype != "float64":
            text = text.rstrip(".") + t("dtype_note", lang, dtype=self.dtype) + "."
        found = pattern(*self.arrays) if self.arrays else None
        if found is not None:
            key, values = found
            text = text + PATTERNS[key](lang, **values)
        return text


def pattern(got: np.ndarray, expected: np.ndarray) -> tuple[str, dict] | None:
    """(key of :data:`PATTERNS`, its fields) when ``got`` is ``expected`` with one simple change — the sign
    flipped, scaled or shifted by one constant, subtracted from one constant, transposed or reshaped —
    within the comparison's tolerance; None otherwise. With fewer than 4 values any ratio would fit: a single value (a cost) is said
    to be scaled only by a whole number or its inverse (m, 2, the number of entries…) or to have its sign
    flipped."""
    if not (np.all(np.isfinite(got)) and np.all(np.isfinite(expected))):
        return None
    if expected.size == 1 and got.size == 1:
        return _scalar_pattern(float(got.ravel()[0]), float(expected.ravel()[0]))
    if expected.size < 4:
        return None
    if got.shape != expected.shape:
        if got.shape == expected.shape[::-1] and got.ndim == 2 and compare(got.T, expected) is None:
            return "transposed", {}
        if got.size == expected.size and compare(got.reshape(expected.shape), expected) is None:
            return "reshaped", {}
        return None
    if expected.ndim == 2 and expected.shape[0] == expected.shape[1] and compare(got.T, expected) is None:
        return "transposed", {}
    if np.any(expected) and compare(-got, expected) is None:
        return "sign", {}
    denominator = float(np.sum(expected * expected))
    if denominator > 0:
        k = float(np.sum(got * expected)) / denominator
        if k != 0 and abs(k - 1) > 1e-3 and compare(got, k * expected) is None:
            return "factor", {"k": k}
    c = float(np.mean(got - expected))
    if c != 0 and np.any(got != got.flat[0]) and compare(got, expected + c) is None:
        return "offset", {"c": c}
    c = float(np.mean(got + expected))
    if c != 0 and np.any(got != got.flat[0]) and compare(got, c - expected) is None:
        return "complement", {"c": c}
    return None


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
            return Mismatch("shape", {"expected": expected.shape, "got": arr.shape}, dtype, (arr, expected))
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
    }, dtype, (arr, expected))


def matches(got, expected, rtol: float = RTOL) -> bool:
    return compare(got, expected, rtol) is None


def _scalar_pattern(got: float, expected: float) -> tuple[str, dict] | None:
    if expected == 0 or got == 0:
        return None
    k = got / expected
    if abs(k + 1) <= RTOL:
        return "sign", {}
    whole = abs(k) if abs(k) > 1 else 1 / abs(k)
    if round(whole) >= 2 and abs(whole - round(whole)) <= RTOL * whole:
        return "factor", {"k": k}
    return None
