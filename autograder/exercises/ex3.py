"""ex3 dropout: inverted dropout, graded by distribution and consistency, never by the random stream.

Statistical bound: the number of kept units K of n ~ Binomial(n, p) must
satisfy |K − np| ≤ 5.3·sqrt(np(1−p)); a correct solution fails it with
probability ≈ 1.2e-7 per call (normal approximation, n ≥ 20 000 here).
Every other property is exact. Seeds are fixed, so a given submission
always gets the same grade.
"""
from __future__ import annotations

import numpy as np

from ..checks import Check, Fail, Mistake, mistake_catalog
from ..compare import as_float_array, compare
from ..messages import Text
from ..sandbox import Rng

Z = 5.3

MISTAKES = mistake_catalog(
    Mistake("dropout_no_scale", "the mask is not divided by p (inverted dropout keeps E[out] = a by scaling kept units by 1/p).",
            "la máscara no se divide entre p (el dropout invertido mantiene E[out] = a escalando por 1/p las unidades que se conservan).",
            targets=("mask_values",)),
    Mistake("dropout_p_is_drop", "p is used as the probability of dropping a unit; in this course p is the probability of keeping it.",
            "se usa p como probabilidad de apagar una unidad; en este curso p es la probabilidad de conservarla.",
            targets=("keep_rate",)),
    Mistake("dropout_scaled_at_test", "the output is scaled at test time; with inverted dropout, test mode returns a unchanged.",
            "se escala la salida en modo test; con dropout invertido, el modo test devuelve a sin cambios.",
            targets=("test_mode",)),
    Mistake("dropout_backward_no_mask", "the backward pass ignores the mask: the gradient flows only through kept units, scaled like them.",
            "el paso hacia atrás ignora la máscara: el gradiente solo pasa por las unidades conservadas, escalado igual que ellas.",
            targets=("backward",)),
    Mistake("dropout_ignores_rng", "the mask is drawn from NumPy's global generator (np.random.rand…) instead of the rng argument.",
            "la máscara se genera con el generador global de NumPy (np.random.rand…) en lugar del argumento rng.",
            targets=("seeded",)),
    Mistake("dropout_scale_by_p", "kept units are multiplied by p; inverted dropout divides them by p.",
            "las unidades conservadas se multiplican por p; el dropout invertido las divide entre p.",
            targets=("mask_values",)),
    Mistake("dropout_test_mask_ones", "test mode returns a mask of ones; it should return None.",
            "el modo test devuelve una máscara de unos; debería devolver None.",
            targets=("test_mode",)),
    Mistake("dropout_backward_rescales", "the backward pass divides by p again, but the mask already contains the 1/p factor.",
            "el paso hacia atrás vuelve a dividir entre p, pero la máscara ya contiene el factor 1/p.",
            targets=("backward",)),
)

SPECS: list = []  # no comparison with the reference: random outputs are graded by their properties


def _forward(ctx, a, p, seed):
    got = ctx.impl.call("dropout_forward", a, p, train=True, rng=Rng(seed))
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Fail(ctx.text(Text("dropout_forward must return a pair (out, mask); it returned {got}.",
                                 "dropout_forward debe devolver un par (out, mask); devolvió {got}."),
                            got=type(got).__name__))
    out, mask = (as_float_array(v)[0] for v in got)
    for label, v in (("out", out), ("mask", mask)):
        if v is None or v.shape != a.shape:
            raise Fail(ctx.text(Text("{label} should have the shape of a, {shape}; got {got}.",
                                     "{label} debería tener la forma de a, {shape}; se obtuvo {got}."),
                                label=label, shape=a.shape, got=None if v is None else v.shape))
        _finite(ctx, label, v)
    return out, mask


def _finite(ctx, label, v):
    """NaN or inf is said as such, before any other diagnosis (a NaN is never equal to itself)."""
    bad = ~np.isfinite(v)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise Fail(ctx.text(Text("{label} contains {n} non-finite value(s) (NaN or inf), the first {value} at index "
                                 "{index}.",
                                 "{label} contiene {n} valor(es) no finito(s) (NaN o inf), el primero {value} en el "
                                 "índice {index}."),
                            label=label, n=int(bad.sum()), value=v[first], index=list(first)))


def _assert_mixed(ctx, mask):
    """Some units kept and some dropped: a degenerate mask earns none of the forward checks.
    Callers use ≥ 91 units and 0.5 ≤ p ≤ 0.8, so a correct mask fails with probability < 1e-8."""
    kept = int(np.count_nonzero(mask))
    if 0 < kept < mask.size:
        return
    raise Fail(ctx.text(Text("the mask {what} every unit; it should keep each one with probability p.",
                             "la máscara {what} todas las unidades; debería conservar cada una con probabilidad p."),
                        what=ctx.text(Text("keeps", "conserva") if kept else Text("drops", "apaga"))))


def _inputs(ctx, shape=(100, 200)):
    a = ctx.rng.standard_normal(shape)
    a[a == 0] = 1.0  # keep every unit nonzero, so kept units are visible in out
    return a


def check_shapes(ctx):
    a = _inputs(ctx, (7, 13))
    _, mask = _forward(ctx, a, 0.5, 1)
    _assert_mixed(ctx, mask)


def check_out_is_a_times_mask(ctx):
    a = _inputs(ctx, (30, 40))
    out, mask = _forward(ctx, a, 0.8, 2)
    _assert_mixed(ctx, mask)
    mismatch = compare(out, a * mask)
    if mismatch:
        raise Fail(mismatch.describe("out vs a * mask", ctx.lang))


def _assert_mask_values(ctx, mask, p):
    values = np.unique(mask)
    allowed = np.array([0.0, 1.0 / p])
    bad = values[~np.isclose(values[:, None], allowed[None, :], rtol=1e-6, atol=0).any(axis=1)]
    if bad.size == 0:
        return
    message = ctx.text(Text("mask values should be 0 or 1/p = {inv:.6g}; found {bad}.",
                            "los valores de la máscara deberían ser 0 o 1/p = {inv:.6g}; aparece {bad}."),
                       inv=1 / p, bad=", ".join(f"{v:.6g}" for v in bad[:3]))
    if np.allclose(values, [0.0, 1.0]) or np.allclose(values, [1.0]):
        message += ctx.mistake("dropout_no_scale")
    elif np.isclose(values.max(), 1 / (1 - p)):
        message += ctx.mistake("dropout_p_is_drop")
    elif np.isclose(values.max(), p):
        message += ctx.mistake("dropout_scale_by_p")
    raise Fail(message)


def _assert_keep_rate(ctx, mask, p):
    n = mask.size
    kept = int(np.count_nonzero(mask))
    bound = Z * np.sqrt(n * p * (1 - p))
    if abs(kept - n * p) <= bound:
        return
    message = ctx.text(Text("kept {kept} of {n} units ({rate:.4f}); with keep probability p = {p} expected {expect:.0f} ± {bound:.0f}.",
                            "se conservaron {kept} de {n} unidades ({rate:.4f}); con probabilidad de conservar p = {p} se esperaban {expect:.0f} ± {bound:.0f}."),
                       kept=kept, n=n, rate=kept / n, p=p, expect=n * p, bound=bound)
    if abs(kept - n * (1 - p)) <= bound:
        message += ctx.mistake("dropout_p_is_drop")
    raise Fail(message)


def check_mask_values(ctx):
    a = _inputs(ctx, (50, 60))
    _, mask = _forward(ctx, a, 0.8, 3)
    _assert_mixed(ctx, mask)
    _assert_mask_values(ctx, mask, 0.8)


def check_keep_rate(ctx):
    a = _inputs(ctx, (100, 200))
    _, mask = _forward(ctx, a, 0.7, 4)
    _assert_keep_rate(ctx, mask, 0.7)


def check_test_mode(ctx):
    a = _inputs(ctx, (20, 30))
    got = ctx.impl.call("dropout_forward", a, 0.5, train=False, rng=Rng(5))
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Fail(ctx.text(Text("dropout_forward must return a pair (out, mask) in test mode too.",
                                 "dropout_forward debe devolver un par (out, mask) también en modo test.")))
    out, mask = got
    mismatch = compare(out, a)
    if mismatch:
        message = mismatch.describe("out (test mode)", ctx.lang)
        arr = as_float_array(out)[0]
        if arr is not None and arr.shape == a.shape and (np.allclose(arr, 0.5 * a) or np.allclose(arr, a / 0.5)):
            message += ctx.mistake("dropout_scaled_at_test")
        raise Fail(message)
    if mask is not None:
        message = ctx.text(Text("in test mode the mask should be None; got a {kind}.",
                                "en modo test la máscara debería ser None; se obtuvo {kind}."),
                           kind=type(mask).__name__)
        arr = as_float_array(mask)[0]
        if arr is not None and arr.size and np.all(arr == 1):
            message += ctx.mistake("dropout_test_mask_ones")
        raise Fail(message)


def check_seeded(ctx):
    a = _inputs(ctx, (20, 50))
    out1, _ = _forward(ctx, a, 0.5, 11)
    out2, _ = _forward(ctx, a, 0.5, 11)
    out3, _ = _forward(ctx, a, 0.5, 12)
    if not np.array_equal(out1, out2):
        raise Fail(ctx.text(Text("two calls with generators seeded alike gave different outputs.",
                                 "dos llamadas con generadores de la misma semilla dieron salidas distintas."))
                   + ctx.mistake("dropout_ignores_rng"))
    if np.array_equal(out1, out3):  # 1000 units at p = 0.5: equal by chance with probability 2^-1000
        raise Fail(ctx.text(Text("generators with different seeds gave the same mask: draw it from the rng argument.",
                                 "generadores con semillas distintas dieron la misma máscara: genérala con el argumento rng.")))


def check_default_rng(ctx):
    a = _inputs(ctx, (100, 200))
    got = ctx.impl.call("dropout_forward", a, 0.6)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Fail(ctx.text(Text("dropout_forward(a, p) must work without rng and return (out, mask).",
                                 "dropout_forward(a, p) debe funcionar sin rng y devolver (out, mask).")))
    mask = as_float_array(got[1])[0]
    if mask is None or mask.shape != a.shape:
        raise Fail(ctx.text(Text("without rng, the mask should still have the shape of a.",
                                 "sin rng, la máscara debería seguir teniendo la forma de a.")))
    _finite(ctx, "mask", mask)
    kept, n = int(np.count_nonzero(mask)), a.size
    if abs(kept - 0.6 * n) > Z * np.sqrt(n * 0.24):
        raise Fail(ctx.text(Text("without rng, kept {kept} of {n} units; expected about {e:.0f}.",
                                 "sin rng, se conservaron {kept} de {n} unidades; se esperaban unas {e:.0f}."),
                            kept=kept, n=n, e=0.6 * n))


def check_backward(ctx):
    shape = (6, 9)
    dout = ctx.rng.standard_normal(shape)
    mask = (ctx.rng.random(shape) < 0.7) / 0.7
    got = ctx.impl.call("dropout_backward", dout, mask)
    mismatch = compare(got, dout * mask)
    if mismatch:
        message = mismatch.describe("dropout_backward(dout, mask)", ctx.lang)
        if compare(got, dout) is None:
            message += ctx.mistake("dropout_backward_no_mask")
        elif compare(got, dout * mask / 0.7) is None:
            message += ctx.mistake("dropout_backward_rescales")
        raise Fail(message)
    got = ctx.impl.call("dropout_backward", dout, None)
    mismatch = compare(got, dout)
    if mismatch:
        raise Fail(mismatch.describe("dropout_backward(dout, None)", ctx.lang))


def check_hidden_forward(ctx):
    """Fresh shapes and keep probabilities: every forward property at once."""
    for p in (0.3, 0.9):
        shape = tuple(int(s) for s in ctx.rng.integers(120, 180, size=2))
        a = _inputs(ctx, shape)
        out, mask = _forward(ctx, a, p, int(ctx.rng.integers(2**31)))
        mismatch = compare(out, a * mask)
        if mismatch:
            raise Fail(mismatch.describe(f"out vs a * mask (p = {p})", ctx.lang))
        _assert_mask_values(ctx, mask, p)
        _assert_keep_rate(ctx, mask, p)


CHECKS = [
    Check("dropout_forward: returns (out, mask) shaped like a", 1, check_shapes, ("dropout_forward",), cell="dropout_forward",
          id="shapes", title_es="dropout_forward: devuelve (out, mask) con la forma de a"),
    Check("dropout_forward: out == a * mask", 1, check_out_is_a_times_mask, ("dropout_forward",), cell="dropout_forward",
          id="out_is_a_times_mask", title_es="dropout_forward: out == a * mask"),
    Check("dropout_forward: mask values are 0 or 1/p", 1, check_mask_values, ("dropout_forward",), cell="dropout_forward",
          id="mask_values", title_es="dropout_forward: los valores de la máscara son 0 o 1/p"),
    Check("dropout_forward: keep rate within a binomial bound of p", 2, check_keep_rate, ("dropout_forward",), cell="dropout_forward",
          id="keep_rate", title_es="dropout_forward: proporción de unidades conservadas dentro de la cota binomial en torno a p"),
    Check("dropout_forward: test mode returns a and mask None", 1, check_test_mode, ("dropout_forward",), cell="dropout_forward",
          id="test_mode", title_es="dropout_forward: el modo test devuelve a y la máscara None"),
    Check("dropout_forward: same seed, same mask; other seed, other mask", 1, check_seeded, ("dropout_forward",), cell="dropout_forward",
          id="seeded", title_es="dropout_forward: misma semilla, misma máscara; otra semilla, otra máscara"),
    Check("dropout_backward: dout * mask, and dout when mask is None", 1, check_backward, ("dropout_backward",), cell="dropout_backward",
          id="backward", title_es="dropout_backward: dout * mask, y dout cuando mask es None"),
    Check("dropout_forward (hidden): fresh shapes and keep probabilities", 1, check_hidden_forward, ("dropout_forward",), hidden=True, cell="dropout_forward",
          id="hidden_forward", title_es="dropout_forward (oculta): formas y probabilidades de conservar nuevas"),
    Check("dropout_forward (hidden): works with the default rng", 1, check_default_rng, ("dropout_forward",), hidden=True, cell="dropout_forward",
          id="hidden_default_rng", title_es="dropout_forward (oculta): funciona con el rng por defecto"),
]
