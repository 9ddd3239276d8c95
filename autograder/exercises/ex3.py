"""ex3 dropout: inverted dropout, graded by distribution and consistency, never by the random stream.

Statistical bounds, with the probability that a correct solution fails them:

* **keep rate** (``keep_rate``, ``hidden_forward`` per mask, ``hidden_default_rng``): the number of kept
  units K of n ~ Binomial(n, p) must satisfy |K − np| ≤ 5.3·sqrt(np(1−p)): ≈ 1.2e-7 per mask (normal
  approximation, n ≥ 14 400 here).
* **independence** (``independent``, ``hidden_forward`` per mask): every row (unit) and every column
  (example) of the mask keeps a share of its entries consistent with the whole mask's share q: a row of
  L entries keeping K fails when L·KL(K/L ‖ q) > ln(2·rows/α), likewise for the columns, α = 1.16e-7
  (:func:`autograder.stats.group_rate_limit`: given the total, an independent mask's kept entries are a
  uniformly random subset, so a row's count is hypergeometric and the binomial Chernoff bound holds for
  it, Hoeffding 1963). Exact bound, for any p: ≤ 2α ≈ 2.3e-7 per mask (rows, then columns). It needs no
  p, so a mask with a wrong keep rate is not blamed twice. A mask drawn once per unit and broadcast over
  the examples (or once per example, over the units) has every row (column) all kept or all dropped, and
  such a line of L entries scores at least L·ln(1/max(q, 1 − q)): ≈ 77 for a column of ``independent``'s
  150 × 250 mask at p = 0.6, against limits of 21.7 (rows) and 22.2 (columns).
* **mixed mask** (``shapes``, ``out_is_a_times_mask``, ``mask_values``, ``independent``): some units
  kept, some dropped: below 1e-8 (≥ 91 units, 0.5 ≤ p ≤ 0.8).
* ``hidden_forward`` applies the keep-rate and independence bounds to two masks: ≤ 7e-7 in all.
* **fresh masks** (``seeded``: other seed, other mask; ``hidden_default_rng``: two calls without rng, two
  masks): two independent masks of n units are equal with probability (p² + (1 − p)²)^n: 2^-1000 for
  ``seeded`` (n = 1000, p = 0.5), 0.52^20000 for ``hidden_default_rng`` (n = 20 000, p = 0.6).

Every other property is exact. Seeds are fixed, so a given submission always gets the same grade.

One error is scored once: p read as the drop probability (``dropout_p_is_drop``) fails ``keep_rate``;
the checks that fail only because of it (mask values 1/(1 − p), a keep rate of 1 − p on fresh or default
draws) keep their points, with a note saying why, when the mask is exactly that mistake's: values 0 and
1/(1 − p) and a keep rate within the binomial bound of 1 − p (and outside p's). Likewise a mask drawn
once per unit or once per example fails ``independent`` (and ``hidden_forward``), and the keep-rate checks
it fails only because its entries come in whole rows or columns keep their points when the share of kept
rows (columns) is within the binomial bound of p. A mask returned without its 1/p (the 0/1 keep mask) while
out = a * keep / p is right (``dropout_mask_unscaled``) is scored by ``mask_values`` (and ``hidden_forward``);
``out_is_a_times_mask`` keeps its points with a note. A mask drawn as one number for the whole layer
(``dropout_one_draw``) cannot be judged by any distributional check: every forward check that draws a mask
fails, each naming it.

Mistakes recognised from the outputs (``ctx.mistake``): the mask's values (0 and 1, 1/(1 − p), p), the keep
rate (1 − p, Φ(p)), out against a, a / p and a * mask / p, the pair returned as (mask, out), the test-mode
output (a · p, a / p, zeros, a thinned mask), masks repeated across seeds or across calls without rng, and
``dropout_backward`` against dout, dout * mask / p, dout * (mask != 0), and raising on ``mask=None``.
"""
from __future__ import annotations

import math

import numpy as np

from ..checks import Check, Fail, Mistake, mistake_catalog
from ..compare import as_float_array, compare
from ..messages import Text
from ..sandbox import Rng, StudentRaised
from ..stats import TAIL, Z, group_rate_limit

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
    Mistake("dropout_mask_shared_across_examples",
            "the mask is drawn once per unit (one number per row, e.g. rng.random((n_k, 1))) and repeated over the "
            "examples, so every example drops the same units; draw one number per entry: rng.random(a.shape).",
            "la máscara se genera una vez por unidad (un número por fila, p. ej. rng.random((n_k, 1))) y se repite en "
            "todos los ejemplos, así que todos apagan las mismas unidades; genera un número por elemento: "
            "rng.random(a.shape).",
            targets=("independent", "hidden_forward")),
    Mistake("dropout_mask_shared_across_units",
            "the mask is drawn once per example (one number per column, e.g. rng.random((1, m))) and repeated over the "
            "units, so whole examples are dropped; draw one number per entry: rng.random(a.shape).",
            "la máscara se genera una vez por ejemplo (un número por columna, p. ej. rng.random((1, m))) y se repite "
            "en todas las unidades, así que se apagan ejemplos enteros; genera un número por elemento: "
            "rng.random(a.shape).",
            targets=("independent", "hidden_forward")),
    Mistake("dropout_normal_draws",
            "the mask compares normal draws with p (rng.standard_normal(…) < p keeps a unit with probability Φ(p), not "
            "p); compare uniform draws: rng.random(a.shape) < p.",
            "la máscara compara valores de una normal con p (rng.standard_normal(…) < p conserva una unidad con "
            "probabilidad Φ(p), no p); compara valores uniformes: rng.random(a.shape) < p.",
            targets=("keep_rate", "hidden_forward", "hidden_default_rng")),
    Mistake("dropout_backward_bool_mask",
            "the backward pass uses the mask as a boolean (dout * (mask != 0)), or multiplies it by p (dout * mask * p), "
            "and so loses its 1/p scale; the gradient is scaled like the forward pass: dout * mask.",
            "el paso hacia atrás usa la máscara como booleano (dout * (mask != 0)), o la multiplica por p "
            "(dout * mask * p), y así pierde su escala 1/p; el gradiente se escala igual que en el paso hacia delante: "
            "dout * mask.",
            targets=("backward",)),
    Mistake("dropout_mask_unscaled",
            "out is scaled by 1/p, but the mask returned is the 0/1 keep mask; the mask holds the scale too, "
            "mask = (U < p) / p, so that out = a * mask and the backward pass is dout * mask.",
            "out se escala por 1/p, pero la máscara devuelta es la de 0 y 1; la máscara también lleva la escala, "
            "mask = (U < p) / p, de modo que out = a * mask y el paso hacia atrás es dout * mask.",
            targets=("mask_values", "hidden_forward")),
    Mistake("dropout_out_not_masked",
            "the mask is drawn but never applied: out = a; in training out = a * mask.",
            "la máscara se genera pero no se aplica: out = a; en entrenamiento out = a * mask.",
            targets=("out_is_a_times_mask", "hidden_forward")),
    Mistake("dropout_out_divided_by_p",
            "out = a / p: only the 1/p scale is applied, not the mask's zeros; in training out = a * mask, with "
            "mask = (U < p) / p.",
            "out = a / p: solo se aplica la escala 1/p, no los ceros de la máscara; en entrenamiento out = a * mask, "
            "con mask = (U < p) / p.",
            targets=("out_is_a_times_mask", "hidden_forward")),
    Mistake("dropout_mask_gt_p",
            "the comparison is reversed: U > p keeps a unit with probability 1 − p; keep it when U < p, "
            "mask = (rng.random(a.shape) < p) / p.",
            "la comparación está invertida: U > p conserva una unidad con probabilidad 1 − p; consérvala cuando "
            "U < p, mask = (rng.random(a.shape) < p) / p.",
            targets=("keep_rate", "hidden_forward", "hidden_default_rng")),
    Mistake("dropout_one_draw",
            "a single number is drawn for the whole layer (rng.random() < p, or rng.binomial(1, p) without a size), so "
            "every unit is kept or dropped together; draw one per entry: rng.random(a.shape) < p.",
            "se genera un único número para toda la capa (rng.random() < p, o rng.binomial(1, p) sin size), así que "
            "todas las unidades se conservan o se apagan a la vez; genera uno por elemento: rng.random(a.shape) < p.",
            targets=("shapes", "hidden_forward")),
    Mistake("dropout_ignores_train",
            "the train flag is ignored: units are dropped in test mode too; with train=False, return (a, None).",
            "se ignora el indicador train: también se apagan unidades en modo test; con train=False, devuelve "
            "(a, None).",
            targets=("test_mode",)),
    Mistake("dropout_test_zeros",
            "test mode returns zeros (out is filled only in the training branch?); with train=False, return a "
            "unchanged: (a, None).",
            "el modo test devuelve ceros (¿out solo se rellena en la rama de entrenamiento?); con train=False, "
            "devuelve a sin cambios: (a, None).",
            targets=("test_mode",)),
    Mistake("dropout_fixed_seed",
            "the mask does not come from the rng argument: generators with different seeds give the same mask (a "
            "generator with a fixed seed, such as np.random.default_rng(0), or a mask drawn once and reused), so "
            "every training step drops the same units; draw it with rng.random(a.shape).",
            "la máscara no sale del argumento rng: generadores con semillas distintas dan la misma máscara (un "
            "generador con semilla fija, como np.random.default_rng(0), o una máscara generada una vez y "
            "reutilizada), así que cada paso de entrenamiento apaga las mismas unidades; genérala con "
            "rng.random(a.shape).",
            targets=("seeded", "hidden_default_rng")),
    Mistake("dropout_default_rng_fixed_seed",
            "without rng the generator has a fixed seed (np.random.default_rng(0), …), so every call without rng drops "
            "the same units; the default is an unseeded generator: np.random.default_rng().",
            "sin rng el generador tiene una semilla fija (np.random.default_rng(0), …), así que cada llamada sin rng "
            "apaga las mismas unidades; por defecto se usa un generador sin semilla: np.random.default_rng().",
            targets=("hidden_default_rng",)),
    Mistake("dropout_returns_swapped",
            "the pair is returned in the wrong order, (mask, out); dropout_forward returns (out, mask).",
            "el par se devuelve en el orden equivocado, (mask, out); dropout_forward devuelve (out, mask).",
            targets=("out_is_a_times_mask", "mask_values", "hidden_forward")),
    Mistake("dropout_backward_none_fails",
            "the backward pass fails when mask is None (test mode): dout * None raises; when mask is None the "
            "gradient passes unchanged, return dout.",
            "el paso hacia atrás falla cuando mask es None (modo test): dout * None lanza un error; cuando mask es "
            "None el gradiente pasa sin cambios, devuelve dout.",
            targets=("backward",)),
)

#: a function that returns the placeholder of an unfinished stub (None, or (None, None))
NOT_IMPLEMENTED = Text("{call} is not implemented yet: it returns {got}, the placeholder of an unfinished function "
                       "(or is a `return` missing?).",
                       "{call} aún no está implementada: devuelve {got}, el valor provisional de una función sin "
                       "terminar (¿o falta un `return`?).")

#: a check that fails only because p is read as the drop probability keeps its points (scored once, in keep_rate)
P_IS_DROP_KEPT = Text("Correct if p were the probability of dropping a unit: the mask keeps about 1 − p = {q:g} of the "
                      "units ({kept} of {n}) and scales them by 1/(1 − p). In this course p is the probability of "
                      "keeping a unit; that one mistake is scored once, by the keep-rate check, so this check keeps "
                      "its points.",
                      "Correcto si p fuera la probabilidad de apagar una unidad: la máscara conserva cerca de "
                      "1 − p = {q:g} de las unidades ({kept} de {n}) y las escala por 1/(1 − p). En este curso p es la "
                      "probabilidad de conservarla; ese único error se puntúa una vez, en la comprobación de la "
                      "proporción conservada, así que esta comprobación conserva sus puntos.")


def _placeholder(ctx, name, got):
    """Fail with "not implemented yet" when ``got`` is the stub's placeholder: None, or a pair of Nones."""
    if got is None:
        raise Fail(ctx.text(NOT_IMPLEMENTED, call=f"{name}()", got="None"))
    if isinstance(got, (tuple, list)) and len(got) == 2 and got[0] is None and got[1] is None:
        raise Fail(ctx.text(NOT_IMPLEMENTED, call=f"{name}()", got="(None, None)"))

SPECS: list = []  # no comparison with the reference: random outputs are graded by their properties


def _forward(ctx, a, p, seed):
    got = ctx.impl.call("dropout_forward", a, p, train=True, rng=Rng(seed))
    _placeholder(ctx, "dropout_forward", got)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Fail(ctx.text(Text("dropout_forward must return a pair (out, mask); it returned {got}.",
                                 "dropout_forward debe devolver un par (out, mask); devolvió {got}."),
                            got=type(got).__name__))
    out, mask = (as_float_array(v)[0] for v in got)
    for label, v in (("out", out), ("mask", mask)):
        if v is None or v.shape != a.shape:
            raise Fail(ctx.text(Text("{label} should have the shape of a, {shape}; got {got}.",
                                     "{label} debería tener la forma de a, {shape}; se obtuvo {got}."),
                                label=label, shape=a.shape, got=None if v is None else v.shape)
                       + _one_draw(ctx, label, v))
        _finite(ctx, label, v)
    return out, mask


def _one_draw(ctx, label, mask):
    """The known mistake of a mask that is one number for the whole layer; an empty message otherwise."""
    if label == "mask" and mask is not None and mask.size == 1:
        return ctx.mistake("dropout_one_draw")
    return ""


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
        if _unscaled(a, out, mask, 0.8):
            return ctx.text(UNSCALED_KEPT)
        raise Fail(mismatch.describe("out vs a * mask", ctx.lang) + _out_mistake(ctx, a, out, mask, 0.8))
    return None


#: out_is_a_times_mask keeps its points when only the returned mask lacks the 1/p (scored once, in mask_values)
UNSCALED_KEPT = Text("out = a * keep / p is right, but the mask returned is the 0/1 keep mask, not (U < p) / p: that "
                     "one mistake is scored once, by the mask-values check, so this check keeps its points.",
                     "out = a * keep / p es correcto, pero la máscara devuelta es la de 0 y 1, no (U < p) / p: ese "
                     "único error se puntúa una vez, en la comprobación de los valores de la máscara, así que esta "
                     "comprobación conserva sus puntos.")


def _unscaled(a, out, mask, p) -> bool:
    """The mask returned is the 0/1 keep mask (some units kept, some dropped) while out = a * mask / p."""
    return (_values_in(mask, [0.0, 1.0]) and 0 < np.count_nonzero(mask) < mask.size
            and compare(out, a * mask / p) is None)


def _swapped(a, out, mask, p) -> bool:
    """(mask, out) returned for (out, mask): the first holds 0 and 1/p, the second is a times it."""
    return _values_in(out, [0.0, 1.0 / p]) and compare(mask, a * out) is None


def _out_mistake(ctx, a, out, mask, p):
    """The known mistake a wrong out (not a * mask) shows; an empty message when none."""
    if _unscaled(a, out, mask, p):
        return ctx.mistake("dropout_mask_unscaled")
    if _swapped(a, out, mask, p):
        return ctx.mistake("dropout_returns_swapped")
    if compare(out, a) is None:
        return ctx.mistake("dropout_out_not_masked")
    if compare(out, a / p) is None:
        return ctx.mistake("dropout_out_divided_by_p")
    return ""


def _values_in(mask, allowed) -> bool:
    # every entry rather than np.unique's (in NumPy 2.3 it imports numpy.ma: 14 ms of a `grader check`)
    values = np.asarray(mask).ravel()
    return bool(np.isclose(values[:, None], np.asarray(allowed)[None, :], rtol=1e-6, atol=0).any(axis=1).all())


def _assert_mask_values(ctx, mask, p, a=None, out=None):
    if _values_in(mask, [0.0, 1.0 / p]):
        return
    values = np.unique(mask)
    allowed = np.array([0.0, 1.0 / p])
    bad = values[~np.isclose(values[:, None], allowed[None, :], rtol=1e-6, atol=0).any(axis=1)]
    message = ctx.text(Text("mask values should be 0 or 1/p = {inv:.6g}; found {bad}.",
                            "los valores de la máscara deberían ser 0 o 1/p = {inv:.6g}; aparece {bad}."),
                       inv=1 / p, bad=", ".join(f"{v:.6g}" for v in bad[:3]))
    if a is not None and _swapped(a, out, mask, p):
        message += ctx.mistake("dropout_returns_swapped")
    elif a is not None and _unscaled(a, out, mask, p):
        message += ctx.mistake("dropout_mask_unscaled")
    elif np.allclose(values, [0.0, 1.0]) or np.allclose(values, [1.0]):
        message += ctx.mistake("dropout_no_scale")
    elif np.isclose(values.max(), 1 / (1 - p)):
        message += ctx.mistake("dropout_p_is_drop")
    elif np.isclose(values.max(), p):
        message += ctx.mistake("dropout_scale_by_p")
    raise Fail(message)


def _rate_bound(n, q):
    """Half-width of the binomial bound on the number of kept units: 5.3·sqrt(nq(1−q))."""
    return Z * math.sqrt(n * q * (1 - q))


def _rate_is(kept, n, q) -> bool:
    """``kept`` of ``n`` units is within the binomial bound of keep probability ``q``."""
    return abs(kept - n * q) <= _rate_bound(n, q)


def _normal_cdf(x):
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def _rate_mistake(ctx, kept, n, p, mask):
    """The known mistake a wrong keep rate matches: 1 − p (the comparison reversed, U > p, when the kept units
    are still scaled by 1/p; otherwise p read as the drop probability) or Φ(p) (normal draws compared with p);
    an empty message when it matches neither."""
    if p != 0.5 and _rate_is(kept, n, 1 - p):
        if _values_in(mask, [0.0, 1.0 / p]):
            return ctx.mistake("dropout_mask_gt_p")
        return ctx.mistake("dropout_p_is_drop")
    if _rate_is(kept, n, _normal_cdf(p)):
        return ctx.mistake("dropout_normal_draws")
    return ""


def _p_is_drop(ctx, mask, p):
    """The note that keeps a check's points when the mask is exactly p read as the drop probability's: values 0
    and 1/(1 − p), a keep rate within the binomial bound of 1 − p and outside p's; None otherwise."""
    if p == 0.5 or not 0 < p < 1 or not _values_in(mask, [0.0, 1.0 / (1 - p)]):
        return None
    kept, n = int(np.count_nonzero(mask)), mask.size
    if not _rate_is(kept, n, 1 - p) or _rate_is(kept, n, p):
        return None
    return ctx.text(P_IS_DROP_KEPT, q=round(1 - p, 6), kept=kept, n=n)


#: a keep-rate check that fails only because the mask is drawn once per row or column keeps its points
SHARED_KEPT = {
    1: Text("The keep rate is right for a mask drawn once per unit (row) and repeated over the examples: {k} of its "
            "{count} units kept ({rate:.3f}; p = {p:g}, {expect:.0f} ± {bound:.0f}). That mistake is scored once, by "
            "the independence check, so this check keeps its points.",
            "La proporción conservada es correcta para una máscara generada una vez por unidad (fila) y repetida en "
            "los ejemplos: se conservan {k} de sus {count} unidades ({rate:.3f}; p = {p:g}, {expect:.0f} ± "
            "{bound:.0f}). Ese error se puntúa una vez, en la comprobación de independencia, así que esta "
            "comprobación conserva sus puntos."),
    0: Text("The keep rate is right for a mask drawn once per example (column) and repeated over the units: {k} of "
            "its {count} examples kept ({rate:.3f}; p = {p:g}, {expect:.0f} ± {bound:.0f}). That mistake is scored "
            "once, by the independence check, so this check keeps its points.",
            "La proporción conservada es correcta para una máscara generada una vez por ejemplo (columna) y repetida "
            "en las unidades: se conservan {k} de sus {count} ejemplos ({rate:.3f}; p = {p:g}, {expect:.0f} ± "
            "{bound:.0f}). Ese error se puntúa una vez, en la comprobación de independencia, así que esta "
            "comprobación conserva sus puntos."),
}


def _shared_kept(ctx, mask, p):
    """The note that keeps a keep-rate check's points when the mask is drawn once per row (or column) and
    repeated, and its rows (columns) are kept at a rate within the binomial bound of p; None otherwise.
    (It only turns a failure into a pass: it adds no false failure.)"""
    keep = np.asarray(mask) != 0
    if keep.ndim != 2 or keep.all() or not keep.any():
        return None
    for axis in (1, 0):
        counts = keep.sum(axis=axis)
        if not np.all((counts == 0) | (counts == keep.shape[axis])):
            continue
        k, count = int(np.count_nonzero(counts)), counts.size
        if _rate_is(k, count, p):
            return ctx.text(SHARED_KEPT[axis], k=k, count=count, rate=k / count, p=p, expect=count * p,
                            bound=_rate_bound(count, p))
    return None


def _assert_keep_rate(ctx, mask, p):
    """Fails unless the keep rate is within the binomial bound of p; returns the note of :func:`_shared_kept`
    when it is off only because the mask is shared along one axis."""
    n = mask.size
    kept = int(np.count_nonzero(mask))
    bound = _rate_bound(n, p)
    if abs(kept - n * p) <= bound:
        return None
    shared = _shared_kept(ctx, mask, p)
    if shared is not None:
        return shared
    message = ctx.text(Text("kept {kept} of {n} units ({rate:.4f}); with keep probability p = {p} expected {expect:.0f} ± {bound:.0f}.",
                            "se conservaron {kept} de {n} unidades ({rate:.4f}); con probabilidad de conservar p = {p} se esperaban {expect:.0f} ± {bound:.0f}."),
                       kept=kept, n=n, rate=kept / n, p=p, expect=n * p, bound=bound)
    raise Fail(message + _rate_mistake(ctx, kept, n, p, mask))


def _kl(rates, q):
    """KL(Bernoulli(rate) ‖ Bernoulli(q)) of each rate, vectorised :func:`autograder.stats.kl_bernoulli`."""
    with np.errstate(divide="ignore", invalid="ignore"):
        kept = np.where(rates > 0, rates * np.log(rates / q), 0.0)
        dropped = np.where(rates < 1, (1 - rates) * np.log((1 - rates) / (1 - q)), 0.0)
    return kept + dropped


_AXES = (
    # axis summed over, one line of it, all its lines, what a line's entries are, the mistake when every line is
    # all kept or all dropped
    (1, Text("row {i} (unit {i})", "la fila {i} (unidad {i})"), Text("rows", "filas"), Text("examples", "ejemplos"),
     "dropout_mask_shared_across_examples"),
    (0, Text("column {i} (example {i})", "la columna {i} (ejemplo {i})"), Text("columns", "columnas"),
     Text("units", "unidades"), "dropout_mask_shared_across_units"),
)


def _assert_independent(ctx, mask):
    """Every row and every column keeps a share of its entries consistent with the whole mask's
    (:func:`autograder.stats.group_rate_limit`; false failure ≤ 2 × 1.16e-7, whatever the keep rate)."""
    keep = np.asarray(mask) != 0
    q = float(keep.mean())
    if not 0 < q < 1:
        return  # all kept or all dropped: the keep-rate and mixed-mask checks say so
    for axis, line, lines, entries, mistake in _AXES:
        counts = keep.sum(axis=axis)
        length = keep.shape[axis]
        scores = length * _kl(counts / length, q)
        limit = group_rate_limit(counts.size, TAIL)
        worst = int(np.argmax(scores))
        if scores[worst] <= limit:
            continue
        message = ctx.text(Text(
            "the mask's entries are not drawn independently: {line} keeps {k} of its {length} {entries}, while the "
            "whole mask keeps {q:.1%}; {length} independent entries would keep about {e:.0f}, and a count this far off "
            "has probability below {prob:.1g} (below {alpha:.2g} for any of the {count} {lines}).",
            "los elementos de la máscara no se generan de forma independiente: {line} conserva {k} de sus {length} "
            "{entries}, mientras que la máscara entera conserva el {q:.1%}; {length} elementos independientes "
            "conservarían unos {e:.0f}, y un recuento tan alejado tiene probabilidad menor que {prob:.1g} (menor que "
            "{alpha:.2g} para cualquiera de las {count} {lines})."),
            line=ctx.text(line, i=worst), k=int(counts[worst]), length=length, entries=ctx.text(entries), q=q,
            e=length * q, prob=max(math.exp(-float(scores[worst])), 1e-300), alpha=TAIL, count=counts.size,
            lines=ctx.text(lines))
        if np.all((counts == 0) | (counts == length)):
            message += ctx.mistake(mistake)
        raise Fail(message)


def check_mask_values(ctx):
    a = _inputs(ctx, (50, 60))
    out, mask = _forward(ctx, a, 0.8, 3)
    _assert_mixed(ctx, mask)
    kept_note = _p_is_drop(ctx, mask, 0.8)
    if kept_note is not None:
        return kept_note
    _assert_mask_values(ctx, mask, 0.8, a, out)


def check_keep_rate(ctx):
    a = _inputs(ctx, (100, 200))
    _, mask = _forward(ctx, a, 0.7, 4)
    return _assert_keep_rate(ctx, mask, 0.7)


def check_independent(ctx):
    a = _inputs(ctx, (150, 250))
    _, mask = _forward(ctx, a, 0.6, 7)
    _assert_mixed(ctx, mask)
    _assert_independent(ctx, mask)


def check_test_mode(ctx):
    a = _inputs(ctx, (20, 30))
    got = ctx.impl.call("dropout_forward", a, 0.5, train=False, rng=Rng(5))
    _placeholder(ctx, "dropout_forward", got)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Fail(ctx.text(Text("dropout_forward must return a pair (out, mask) in test mode too.",
                                 "dropout_forward debe devolver un par (out, mask) también en modo test.")))
    out, mask = got
    mismatch = compare(out, a)
    if mismatch:
        message = mismatch.describe("out (test mode)", ctx.lang)
        arr = as_float_array(out)[0]
        if arr is not None and arr.shape == a.shape:
            if np.allclose(arr, 0.5 * a) or np.allclose(arr, a / 0.5):
                message += ctx.mistake("dropout_scaled_at_test")
            elif not arr.any():
                message += ctx.mistake("dropout_test_zeros")
            elif (arr == 0).any() and np.allclose(arr[arr != 0], a[arr != 0] / 0.5):
                message += ctx.mistake("dropout_ignores_train")
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
    out1, mask1 = _forward(ctx, a, 0.5, 11)
    out2, mask2 = _forward(ctx, a, 0.5, 11)
    _, mask3 = _forward(ctx, a, 0.5, 12)
    if not (np.array_equal(out1, out2) and np.array_equal(mask1, mask2)):
        raise Fail(ctx.text(Text("two calls with generators seeded alike gave different outputs.",
                                 "dos llamadas con generadores de la misma semilla dieron salidas distintas."))
                   + ctx.mistake("dropout_ignores_rng"))
    if np.array_equal(mask1, mask3):  # 1000 units at p = 0.5: equal by chance with probability 2^-1000
        raise Fail(ctx.text(Text("generators with different seeds gave the same mask: draw it from the rng argument.",
                                 "generadores con semillas distintas dieron la misma máscara: genérala con el argumento rng."))
                   + ctx.mistake("dropout_fixed_seed"))


def check_default_rng(ctx):
    a = _inputs(ctx, (100, 200))
    got = ctx.impl.call("dropout_forward", a, 0.6)
    _placeholder(ctx, "dropout_forward", got)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Fail(ctx.text(Text("dropout_forward(a, p) must work without rng and return (out, mask).",
                                 "dropout_forward(a, p) debe funcionar sin rng y devolver (out, mask).")))
    mask = as_float_array(got[1])[0]
    if mask is None or mask.shape != a.shape:
        raise Fail(ctx.text(Text("without rng, the mask should still have the shape of a.",
                                 "sin rng, la máscara debería seguir teniendo la forma de a."))
                   + _one_draw(ctx, "mask", mask))
    _finite(ctx, "mask", mask)
    _assert_fresh_default(ctx, a, mask)
    kept, n = int(np.count_nonzero(mask)), a.size
    if not _rate_is(kept, n, 0.6):
        kept_note = _p_is_drop(ctx, mask, 0.6)
        if kept_note is None:
            kept_note = _shared_kept(ctx, mask, 0.6)
        if kept_note is not None:
            return kept_note
        raise Fail(ctx.text(Text("without rng, kept {kept} of {n} units; expected about {e:.0f}.",
                                 "sin rng, se conservaron {kept} de {n} unidades; se esperaban unas {e:.0f}."),
                            kept=kept, n=n, e=0.6 * n) + _rate_mistake(ctx, kept, n, 0.6, mask))
    return None


def _assert_fresh_default(ctx, a, mask):
    """A second call without rng draws another mask (20 000 units: the same one by chance with probability
    below 0.6^20000); when it is the same, a seeded generator's call tells a fixed default seed from an rng
    argument ignored altogether."""
    got = ctx.impl.call("dropout_forward", a, 0.6)
    again = as_float_array(got[1])[0] if isinstance(got, (tuple, list)) and len(got) == 2 else None
    if again is None or again.shape != mask.shape or not np.array_equal(again, mask):
        return
    message = ctx.text(Text("two calls without rng gave the same mask: without rng each call should draw a new one.",
                            "dos llamadas sin rng dieron la misma máscara: sin rng cada llamada debería generar una "
                            "nueva."))
    seeded = ctx.impl.call("dropout_forward", a, 0.6, train=True, rng=Rng(21))
    seeded_mask = as_float_array(seeded[1])[0] if isinstance(seeded, (tuple, list)) and len(seeded) == 2 else None
    if seeded_mask is not None and seeded_mask.shape == mask.shape and np.array_equal(seeded_mask, mask):
        raise Fail(message + ctx.mistake("dropout_fixed_seed"))
    raise Fail(message + ctx.mistake("dropout_default_rng_fixed_seed"))


def check_backward(ctx):
    shape = (6, 9)
    dout = ctx.rng.standard_normal(shape)
    mask = (ctx.rng.random(shape) < 0.7) / 0.7
    got = ctx.impl.call("dropout_backward", dout, mask)
    _placeholder(ctx, "dropout_backward", got)
    mismatch = compare(got, dout * mask)
    if mismatch:
        message = mismatch.describe("dropout_backward(dout, mask)", ctx.lang)
        if compare(got, dout) is None:
            message += ctx.mistake("dropout_backward_no_mask")
        elif compare(got, dout * mask / 0.7) is None:
            message += ctx.mistake("dropout_backward_rescales")
        elif compare(got, dout * (mask != 0)) is None:
            message += ctx.mistake("dropout_backward_bool_mask")
        raise Fail(message)
    try:
        got = ctx.impl.call("dropout_backward", dout, None)
    except StudentRaised as exc:
        raise Fail(ctx.text(Text("dropout_backward(dout, None) raised {exc}: {detail}",
                                 "dropout_backward(dout, None) lanzó {exc}: {detail}"),
                            exc=exc.exc_type, detail=exc.detail.rstrip(".") + ".")
                   + ctx.mistake("dropout_backward_none_fails")) from None
    _placeholder(ctx, "dropout_backward", got)
    mismatch = compare(got, dout)
    if mismatch:
        raise Fail(mismatch.describe("dropout_backward(dout, None)", ctx.lang))


def check_hidden_forward(ctx):
    """Fresh shapes and keep probabilities: every forward property at once."""
    kept_notes = {}
    for p in (0.3, 0.9):
        shape = tuple(int(s) for s in ctx.rng.integers(120, 180, size=2))
        a = _inputs(ctx, shape)
        out, mask = _forward(ctx, a, p, int(ctx.rng.integers(2**31)))
        mismatch = compare(out, a * mask)
        if mismatch:
            raise Fail(mismatch.describe(f"out vs a * mask (p = {p})", ctx.lang) + _out_mistake(ctx, a, out, mask, p))
        _assert_independent(ctx, mask)
        kept_notes[p] = _p_is_drop(ctx, mask, p), mask
    if all(note is not None for note, _ in kept_notes.values()):
        return kept_notes[0.3][0]  # exactly p read as the drop probability, on every mask: scored once, in keep_rate
    for p, (_, mask) in kept_notes.items():
        _assert_mask_values(ctx, mask, p)
        _assert_keep_rate(ctx, mask, p)
    return None


CHECKS = [
    Check("dropout_forward: returns (out, mask) shaped like a", 1, check_shapes, ("dropout_forward",), cell="dropout_forward",
          id="shapes", title_es="dropout_forward: devuelve (out, mask) con la forma de a"),
    Check("dropout_forward: out == a * mask", 1, check_out_is_a_times_mask, ("dropout_forward",), cell="dropout_forward",
          id="out_is_a_times_mask", title_es="dropout_forward: out == a * mask"),
    Check("dropout_forward: mask values are 0 or 1/p", 1, check_mask_values, ("dropout_forward",), cell="dropout_forward",
          id="mask_values", title_es="dropout_forward: los valores de la máscara son 0 o 1/p"),
    Check("dropout_forward: keep rate within a binomial bound of p", 1, check_keep_rate, ("dropout_forward",), cell="dropout_forward",
          id="keep_rate", title_es="dropout_forward: proporción de unidades conservadas dentro de la cota binomial en torno a p"),
    Check("dropout_forward: mask entries drawn independently for every unit and example", 1, check_independent,
          ("dropout_forward",), cell="dropout_forward", id="independent",
          title_es="dropout_forward: elementos de la máscara generados de forma independiente para cada unidad y cada "
                   "ejemplo"),
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
