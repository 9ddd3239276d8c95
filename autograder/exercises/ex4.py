"""ex4 weight-decay: L2 and L1 penalties, their gradient and the regularised SGD steps.

Everything here is deterministic, so most checks compare outputs with the
reference: public ones on the committed fixtures (``autograder/fixtures/ex4.json``),
hidden ones on inputs drawn fresh with the hidden seed (new shapes, λ and η).
Comparisons use the project's rule (float64: rtol 1e-6, atol 1e-10·max|expected|;
float32 results at rtol 1e-4); penalties are read with ``np.asarray(out, float64)``,
so a float, an ``np.float64`` or a 0-d array are all accepted.

Property checks (no comparison with the reference's own l2_grad or update):

* ``l2_grad`` against centered differences (h = 1e-5, float64) of the
  student's own ``l2_penalty`` applied to ``[W]``; the penalty is quadratic, so
  the differences are exact up to rounding and the bound is the usual relative
  error 1e-6. When the student's ``l2_penalty`` is not λΣw² (or cannot run),
  the differences are taken of λΣw² instead and the feedback says so, so a
  wrong penalty costs only the penalty's own checks (λΣw² and its differences
  are the reference's on the check's own W, ``PENALTY_SPEC``, from the
  fixtures for the public draw).
* ``regularized_update`` returns one ``(W, b)`` pair per layer (list or tuple
  pairs, in a list or tuple) shaped like the input, with biases that take the
  plain step ``b − η db`` (weight decay must not reach them), and with λ = 0 it
  is plain SGD for every parameter.

One error is scored once: when ``regularized_update``'s weights are, layer by layer, exactly what the
student's own ``sgd_weight_decay_step`` returns on the same (W, dW, η, λ), its biases are b − η db, and
that step is itself wrong there (it differs from the case's expected weights), the update's comparison
checks and its λ = 0 check keep their points with a note that names the step (``depends_ok``); the
step's own checks score its error. Only the student's step and the cases' data are used for this: no
weight formula here. A missing step, or one that raises, explains nothing.

Inputs follow the contract: 2-D float64 arrays (W of shape (n_k, n_{k−1}),
b of shape (n_k, 1)); the grader passes copies, so functions may mutate and
return them. ``sgd_l1_step`` cases always contain exact zeros in W (np.sign(0) = 0).
"""
from __future__ import annotations

import numpy as np

from ..cases import reference_case
from ..checks import CaseSpec, Check, Fail, Mistake, compare_check, mistake_catalog
from ..compare import as_float_array, compare
from ..messages import Text, t
from ..sandbox import SandboxError, StudentRaised

MISTAKES = mistake_catalog(
    Mistake("wd_l2_half", "the penalty has a factor ½ (λ/2 Σ w²); the lecture's penalty is λ Σ w², without ½.",
            "la penalización lleva un factor ½ (λ/2 Σ w²); la de clase es λ Σ w², sin ½.",
            targets=("l2_penalty",)),
    Mistake("wd_l2_norm", "the penalty uses the norm ‖W‖ (a square root) instead of the sum of squares Σ w².",
            "la penalización usa la norma ‖W‖ (una raíz cuadrada) en lugar de la suma de cuadrados Σ w².",
            targets=("l2_penalty",)),
    Mistake("wd_l2_no_lam", "the penalty is not multiplied by λ (lam).",
            "la penalización no se multiplica por λ (lam).",
            targets=("l2_penalty",)),
    Mistake("wd_grad_no_two", "the gradient of λ w² is 2λw: the factor 2 is missing (λW returned).",
            "el gradiente de λ w² es 2λw: falta el factor 2 (se devolvió λW).",
            targets=("l2_grad",)),
    Mistake("wd_step_decay_factor", "the weights decay by (1 − ηλ); the derivative of λ w² is 2λw, so the factor is (1 − 2ηλ).",
            "los pesos decaen por (1 − ηλ); la derivada de λ w² es 2λw, así que el factor es (1 − 2ηλ).",
            targets=("sgd_weight_decay_step",)),
    Mistake("wd_step_decay_plus", "the decay has the wrong sign, W(1 + 2ηλ): gradient descent subtracts the penalty's gradient, so the weights shrink by (1 − 2ηλ).",
            "el decaimiento tiene el signo cambiado, W(1 + 2ηλ): el descenso por gradiente resta el gradiente de la penalización, así que los pesos se encogen por (1 − 2ηλ).",
            targets=("sgd_weight_decay_step",)),
    Mistake("wd_l1_squared", "the L1 penalty squares the weights (that is L2); L1 is λ Σ |w|.",
            "la penalización L1 eleva los pesos al cuadrado (eso es L2); L1 es λ Σ |w|.",
            targets=("l1_penalty",)),
    Mistake("wd_l1_no_abs", "the absolute value is missing: λ Σ w lets positive and negative weights cancel; L1 is λ Σ |w|.",
            "falta el valor absoluto: λ Σ w deja que los pesos positivos y negativos se cancelen; L1 es λ Σ |w|.",
            targets=("l1_penalty",)),
    Mistake("wd_l1_step_w", "the L1 step uses W instead of sign(W) (that shrinks like L2); it is W − ηλ sign(W) − η dW.",
            "el paso L1 usa W en lugar de sign(W) (eso encoge como L2); es W − ηλ sign(W) − η dW.",
            targets=("sgd_l1_step",)),
    Mistake("wd_l1_step_sign_dw", "the L1 step takes the sign of the gradient dW; the penalty's gradient is λ sign(W), the sign of the weights.",
            "el paso L1 toma el signo del gradiente dW; el gradiente de la penalización es λ sign(W), el signo de los pesos.",
            targets=("sgd_l1_step",)),
    Mistake("wd_l1_step_sign_at_zero", "weights that are exactly 0 are pushed by ±ηλ: the sign must be np.sign, with sign(0) = 0.",
            "los pesos exactamente 0 reciben un empuje de ±ηλ: el signo debe ser np.sign, con sign(0) = 0.",
            targets=("sgd_l1_step",)),
    Mistake("wd_l1_step_sign_divide", "sign(W) is computed as W / |W|, which is NaN where W = 0: use np.sign, with sign(0) = 0.",
            "sign(W) se calcula como W / |W|, que da NaN donde W = 0: usa np.sign, con sign(0) = 0.",
            targets=("sgd_l1_step",)),
    Mistake("wd_update_decay_biases", "weight decay is applied to the biases too; only the weights decay, the biases take the plain step b − η db.",
            "el decaimiento se aplica también a los sesgos; solo decaen los pesos, los sesgos dan el paso normal b − η db.",
            targets=("regularized_update_structure",)),
    Mistake("wd_update_decay_factor", "the weights decay by (1 − ηλ) instead of (1 − 2ηλ): the derivative of λ w² is 2λw, so W(1 − 2ηλ) − η dW.",
            "los pesos decaen por (1 − ηλ) en lugar de (1 − 2ηλ): la derivada de λ w² es 2λw, así que W(1 − 2ηλ) − η dW.",
            targets=("regularized_update",)),
    Mistake("wd_update_weights_only", "only the updated weights are returned; return the list of (W, b) pairs, with b − η db.",
            "solo se devuelven los pesos actualizados; devuelve la lista de pares (W, b), con b − η db.",
            targets=("regularized_update_structure",)),
    Mistake("wd_update_unchanged", "the parameters come back unchanged: assigning W = … inside the loop only rebinds the loop variable; build and return a new list of (W, b) pairs (or update the arrays in place, W -= …).",
            "los parámetros vuelven sin cambios: asignar W = … dentro del bucle solo cambia la variable del bucle; construye y devuelve una lista nueva de pares (W, b) (o modifica los arrays en el sitio, W -= …).",
            targets=("regularized_update",)),
    Mistake("wd_l2_mean", "the penalty averages the squares (np.mean) instead of adding them; the lecture's penalty is the sum λ Σ w² over every entry of every weight matrix.",
            "la penalización promedia los cuadrados (np.mean) en lugar de sumarlos; la de clase es la suma λ Σ w² sobre todos los elementos de todas las matrices de pesos.",
            targets=("l2_penalty",)),
    Mistake("wd_l2_last_only", "only the last weight matrix counts: the loop overwrites the total (total = …) instead of accumulating it (total += …); the penalty adds λ Σ w² over every matrix.",
            "solo cuenta la última matriz de pesos: el bucle sobrescribe el total (total = …) en lugar de acumularlo (total += …); la penalización suma λ Σ w² sobre todas las matrices.",
            targets=("l2_penalty",)),
    Mistake("wd_l2_double", "the penalty has a factor 2 (2λ Σ w²); the 2 belongs to its gradient, 2λW: the penalty is λ Σ w².",
            "la penalización lleva un factor 2 (2λ Σ w²); el 2 es de su gradiente, 2λW: la penalización es λ Σ w².",
            targets=("l2_penalty",)),
    Mistake("wd_grad_sign", "the gradient has the wrong sign (−2λW): the gradient of λ Σ w² is +2λW; the minus sign belongs to the descent step, W − η·2λW.",
            "el gradiente tiene el signo cambiado (−2λW): el gradiente de λ Σ w² es +2λW; el signo menos es del paso de descenso, W − η·2λW.",
            targets=("l2_grad",)),
    Mistake("wd_grad_no_lam", "the gradient is not multiplied by λ (2W returned); the gradient of λ Σ w² is 2λW.",
            "el gradiente no se multiplica por λ (se devolvió 2W); el gradiente de λ Σ w² es 2λW.",
            targets=("l2_grad",)),
    Mistake("wd_step_no_eta", "the decay is not multiplied by the learning rate, W(1 − 2λ): the whole gradient dW + 2λW is scaled by η, so the factor is (1 − 2ηλ).",
            "el decaimiento no se multiplica por la tasa de aprendizaje, W(1 − 2λ): todo el gradiente dW + 2λW se escala por η, así que el factor es (1 − 2ηλ).",
            targets=("sgd_weight_decay_step",)),
    Mistake("wd_step_decay_after", "the decay is applied after the gradient step, (W − η dW)(1 − 2ηλ), so it shrinks η dW too; only W decays: W(1 − 2ηλ) − η dW.",
            "el decaimiento se aplica después del paso del gradiente, (W − η dW)(1 − 2ηλ), así que también encoge η dW; solo decae W: W(1 − 2ηλ) − η dW.",
            targets=("sgd_weight_decay_step",)),
    Mistake("wd_step_grad_plus", "the gradient is added (+ η dW): gradient descent subtracts it, W(1 − 2ηλ) − η dW.",
            "el gradiente se suma (+ η dW): el descenso por gradiente lo resta, W(1 − 2ηλ) − η dW.",
            targets=("sgd_weight_decay_step",)),
    Mistake("wd_l1_no_lam", "the L1 penalty is not multiplied by λ (lam); it is λ Σ |w|.",
            "la penalización L1 no se multiplica por λ (lam); es λ Σ |w|.",
            targets=("l1_penalty",)),
    Mistake("wd_l1_last_only", "only the last weight matrix counts: the loop overwrites the total (total = …) instead of accumulating it (total += …); the L1 penalty adds λ Σ |w| over every matrix.",
            "solo cuenta la última matriz de pesos: el bucle sobrescribe el total (total = …) en lugar de acumularlo (total += …); la penalización L1 suma λ Σ |w| sobre todas las matrices.",
            targets=("l1_penalty",)),
    Mistake("wd_l1_step_abs", "the L1 step subtracts ηλ|W| (the penalty) instead of ηλ sign(W) (its gradient); it is W − ηλ sign(W) − η dW.",
            "el paso L1 resta ηλ|W| (la penalización) en lugar de ηλ sign(W) (su gradiente); es W − ηλ sign(W) − η dW.",
            targets=("sgd_l1_step",)),
    Mistake("wd_l1_step_plus", "the L1 term has the wrong sign (+ηλ sign(W) pushes the weights away from 0); descent subtracts it: W − ηλ sign(W) − η dW.",
            "el término L1 tiene el signo cambiado (+ηλ sign(W) aleja los pesos de 0); el descenso lo resta: W − ηλ sign(W) − η dW.",
            targets=("sgd_l1_step",)),
    Mistake("wd_l1_step_no_eta", "the L1 term is not multiplied by the learning rate (λ sign(W)); the whole gradient is scaled by η: W − ηλ sign(W) − η dW.",
            "el término L1 no se multiplica por la tasa de aprendizaje (λ sign(W)); todo el gradiente se escala por η: W − ηλ sign(W) − η dW.",
            targets=("sgd_l1_step",)),
    Mistake("wd_update_no_decay", "lam is ignored: the weights take the plain step W − η dW; with weight decay they take W(1 − 2ηλ) − η dW.",
            "se ignora lam: los pesos dan el paso normal W − η dW; con decaimiento de pesos dan W(1 − 2ηλ) − η dW.",
            targets=("regularized_update",)),
    Mistake("wd_update_bias_not_updated", "the biases come back unchanged; they take the plain gradient step b − η db (only the decay leaves them out).",
            "los sesgos vuelven sin cambios; dan el paso de gradiente normal b − η db (solo el decaimiento no les afecta).",
            targets=("regularized_update", "regularized_update_structure", "regularized_update_lam_zero")),
    Mistake("wd_update_grad_plus", "the gradients are added (+ η dW, + η db): gradient descent subtracts them, W(1 − 2ηλ) − η dW and b − η db.",
            "los gradientes se suman (+ η dW, + η db): el descenso por gradiente los resta, W(1 − 2ηλ) − η dW y b − η db.",
            targets=("regularized_update", "regularized_update_structure", "regularized_update_lam_zero")),
    Mistake("wd_update_decay_no_eta", "the weights decay by (1 − 2λ) instead of (1 − 2ηλ): the decay is not multiplied by η; the step is W(1 − 2ηλ) − η dW.",
            "los pesos decaen por (1 − 2λ) en lugar de (1 − 2ηλ): el decaimiento no se multiplica por η; el paso es W(1 − 2ηλ) − η dW.",
            targets=("regularized_update",)),
    Mistake("wd_update_l1", "the weights take the L1 step (W − ηλ sign(W) − η dW); regularized_update uses L2 weight decay: W(1 − 2ηλ) − η dW.",
            "los pesos dan el paso L1 (W − ηλ sign(W) − η dW); regularized_update usa decaimiento de pesos L2: W(1 − 2ηλ) − η dW.",
            targets=("regularized_update",)),
)


# ------------------------------------------------------------------ inputs
def _sizes(rng, n_layers):
    """Layer widths n_0, …, n_L, each in 2..6."""
    return [int(s) for s in rng.integers(2, 7, size=n_layers + 1)]


def _shapes(arrays) -> str:
    return ", ".join(str(a.shape) for a in arrays)


def _lam(rng, low, high):
    return round(float(rng.uniform(low, high)), 3)


def _penalty_inputs(rng):
    """Lists of 1, 3 and 2 weight matrices of a small MLP; the last with larger weights."""
    cases = []
    for n_layers, lam, scale in ((1, _lam(rng, 0.05, 0.2), 1.0), (3, _lam(rng, 0.005, 0.02), 1.0),
                                 (2, _lam(rng, 0.2, 0.6), 3.0)):
        sizes = _sizes(rng, n_layers)
        weights = [scale * rng.standard_normal((sizes[k + 1], sizes[k])) for k in range(n_layers)]
        cases.append({"weights": weights, "lam": lam, "_label": f"weights {_shapes(weights)}; λ = {lam:g}"})
    return cases


def _grad_inputs(rng):
    cases = []
    for lam in (_lam(rng, 0.05, 0.2), _lam(rng, 0.3, 0.9)):
        W = rng.standard_normal(tuple(_sizes(rng, 1)[::-1]))
        cases.append({"W": W, "lam": lam, "_label": f"W {W.shape}, λ = {lam:g}"})
    return cases


def _step_inputs(rng, zeros=False):
    cases = []
    for eta, lam in ((0.5, 0.2), (round(float(rng.uniform(0.01, 0.2)), 3), _lam(rng, 0.001, 0.05)),
                     (round(float(rng.uniform(0.2, 1.0)), 3), _lam(rng, 0.05, 0.3))):
        shape = tuple(_sizes(rng, 1)[::-1])
        W = 2.0 * rng.standard_normal(shape)
        if zeros:  # exact zeros in W: about a quarter of the entries, at least one
            zero = rng.random(shape) < 0.25
            zero.flat[int(rng.integers(W.size))] = True
            W[zero] = 0.0
        dW = rng.standard_normal(shape)
        label = f"W {shape}" + (f", #(W == 0) = {int((W == 0).sum())}" if zeros else "")
        cases.append({"W": W, "dW": dW, "eta": eta, "lam": lam, "_label": f"{label}, η = {eta:g}, λ = {lam:g}"})
    return cases


def _l1_step_inputs(rng):
    return _step_inputs(rng, zeros=True)


def _network(rng, n_layers, scale=1.0):
    """params [(W, b), …] and grads [(dW, db), …] of an MLP with random widths."""
    sizes = _sizes(rng, n_layers)
    params, grads = [], []
    for k in range(n_layers):
        shape_w, shape_b = (sizes[k + 1], sizes[k]), (sizes[k + 1], 1)
        params.append((scale * rng.standard_normal(shape_w), scale * rng.standard_normal(shape_b)))
        grads.append((rng.standard_normal(shape_w), rng.standard_normal(shape_b)))
    return sizes, params, grads


def _update_inputs(rng):
    cases = []
    for n_layers, eta, lam in ((2, 0.5, 0.1), (3, round(float(rng.uniform(0.05, 0.5)), 3), _lam(rng, 0.01, 0.2))):
        sizes, params, grads = _network(rng, n_layers)
        cases.append({"params": params, "grads": grads, "eta": eta, "lam": lam,
                      "_label": f"params {'→'.join(map(str, sizes))}, η = {eta:g}, λ = {lam:g}"})
    return cases


# ------------------------------------------------------------------ procedures
def _l2_penalty(impl, inputs):
    return {"l2_penalty(weights, lam)": impl.call("l2_penalty", inputs["weights"], inputs["lam"])}


def _l1_penalty(impl, inputs):
    return {"l1_penalty(weights, lam)": impl.call("l1_penalty", inputs["weights"], inputs["lam"])}


def _l2_grad(impl, inputs):
    return {"l2_grad(W, lam)": impl.call("l2_grad", inputs["W"], inputs["lam"])}


def _weight_decay_step(impl, inputs):
    args = (inputs["W"], inputs["dW"], inputs["eta"], inputs["lam"])
    return {"sgd_weight_decay_step(W, dW, eta, lam)": impl.call("sgd_weight_decay_step", *args)}


def _l1_step(impl, inputs):
    args = (inputs["W"], inputs["dW"], inputs["eta"], inputs["lam"])
    return {"sgd_l1_step(W, dW, eta, lam)": impl.call("sgd_l1_step", *args)}


def _pair_outputs(out) -> dict:
    """{"W1": …, "b1": …, …} from a returned list of pairs; an item that is not a
    pair is kept as "Wk" alone, with a flag "item k is not a pair" (so "weights only" can be
    recognised, and only in a result that really drops the biases: the reference has no flag, so
    judge never compares it, and a result of pairs with right weights and wrong biases lacks it)."""
    outputs = {}
    if isinstance(out, (list, tuple)):
        for k, item in enumerate(out, 1):
            if isinstance(item, (list, tuple)) and len(item) == 2:
                outputs[f"W{k}"], outputs[f"b{k}"] = item
            else:
                outputs[f"W{k}"] = item
                outputs[f"item {k} is not a pair"] = 1.0
    return outputs


def _regularized_update(impl, inputs):
    out = impl.call("regularized_update", inputs["params"], inputs["grads"], inputs["eta"], inputs["lam"])
    return _pair_outputs(out)


L2_PENALTY = CaseSpec("ex4.l2_penalty", _penalty_inputs, _l2_penalty,
                      mistakes=("wd_l2_half", "wd_l2_norm", "wd_l2_no_lam", "wd_l2_mean", "wd_l2_last_only",
                                "wd_l2_double"))
L2_GRAD = CaseSpec("ex4.l2_grad", _grad_inputs, _l2_grad, mistakes=("wd_grad_no_two", "wd_grad_sign", "wd_grad_no_lam"))
WEIGHT_DECAY_STEP = CaseSpec("ex4.sgd_weight_decay_step", _step_inputs, _weight_decay_step,
                             mistakes=("wd_step_decay_factor", "wd_step_decay_plus", "wd_step_no_eta",
                                       "wd_step_decay_after", "wd_step_grad_plus"))
L1_PENALTY = CaseSpec("ex4.l1_penalty", _penalty_inputs, _l1_penalty,
                      mistakes=("wd_l1_squared", "wd_l1_no_abs", "wd_l1_no_lam", "wd_l1_last_only"))
L1_STEP = CaseSpec("ex4.sgd_l1_step", _l1_step_inputs, _l1_step,
                   mistakes=("wd_l1_step_w", "wd_l1_step_sign_dw", "wd_l1_step_sign_at_zero", "wd_l1_step_sign_divide",
                             "wd_l1_step_abs", "wd_l1_step_plus", "wd_l1_step_no_eta"))
REGULARIZED_UPDATE = CaseSpec("ex4.regularized_update", _update_inputs, _regularized_update,
                              mistakes=("wd_update_decay_biases", "wd_update_decay_factor",
                                        "wd_update_weights_only", "wd_update_unchanged", "wd_update_no_decay",
                                        "wd_update_bias_not_updated", "wd_update_grad_plus", "wd_update_decay_no_eta",
                                        "wd_update_l1"))


# ------------------------------------------------------------------ property checks
H = 1e-5
GRAD_RTOL = 1e-6
OWN_PENALTY = Text("your l2_penalty([W], lam)", "tu l2_penalty([W], lam)")
CHECK_GRAD_PENALTY = "l2_grad: matches centered differences of your l2_penalty"


def _centered(penalty, W):
    """(index, centered difference with step H of penalty(V) in that entry of W), entry by entry; the
    difference is None where penalty gives None."""
    for idx in np.ndindex(W.shape):
        plus, minus = W.copy(), W.copy()
        plus[idx] += H
        minus[idx] -= H
        f_plus, f_minus = penalty(plus), penalty(minus)
        yield idx, None if f_plus is None or f_minus is None else (f_plus - f_minus) / (2 * H)


def _penalty_differences(impl, inputs):
    """l2_penalty([W], lam) and its centered differences in every entry of W (run on the reference only)."""
    W, lam = inputs["W"], inputs["lam"]

    def penalty(V):
        return float(impl.call("l2_penalty", [V], lam))

    numeric = np.zeros_like(W)
    for idx, difference in _centered(penalty, W):
        numeric[idx] = difference
    return {"l2_penalty([W], lam)": penalty(W), "centered differences": numeric}


#: the reference's λ Σ w² (and its differences) on the check's own W, for when the student's penalty is wrong
PENALTY_SPEC = CaseSpec("ex4.l2_grad_penalty", None, _penalty_differences, asked_by=CHECK_GRAD_PENALTY)

SPECS = [L2_PENALTY, L2_GRAD, WEIGHT_DECAY_STEP, L1_PENALTY, L1_STEP, REGULARIZED_UPDATE, PENALTY_SPEC]


def _student_penalty(ctx, W, lam):
    """The student's l2_penalty([W], lam) as a float, or None when it cannot be read or run."""
    if "l2_penalty" not in ctx.impl.names:
        return None
    try:
        value = ctx.impl.call("l2_penalty", [W], lam)
    except StudentRaised:
        return None
    arr, _ = as_float_array(value)
    if arr is None or arr.size != 1 or not np.isfinite(arr).all():
        return None
    return float(arr.reshape(()))


def check_l2_grad_matches_penalty(ctx):
    W = ctx.rng.standard_normal((3, 4))
    lam = 0.3
    got = ctx.impl.call("l2_grad", W, lam)
    arr, kind = as_float_array(got)
    if arr is None or arr.shape != W.shape:
        raise Fail(ctx.text(Text("l2_grad(W, lam) should return an array shaped like W, {shape}; got {got}.",
                                 "l2_grad(W, lam) debería devolver un array con la forma de W, {shape}; se obtuvo {got}."),
                            shape=W.shape, got=kind if arr is None else arr.shape))

    contract = reference_case(PENALTY_SPEC, {"W": W, "lam": lam}).accepted["reference"]  # λ Σ w², the reference's
    penalty = contract["l2_penalty([W], lam)"]
    own = _student_penalty(ctx, W, lam)
    use_own = own is not None and abs(own - penalty) <= 1e-10 * abs(penalty) + 1e-12
    numeric = np.array(contract["centered differences"], dtype=np.float64)
    if use_own:
        for idx, difference in _centered(lambda V: _student_penalty(ctx, V, lam), W):
            if difference is None:  # it ran at W, so this is a change of behaviour: λΣw²'s from here on
                use_own = False
                break
            numeric[idx] = difference
    note = "" if use_own else ctx.text(Text(
        " (Your l2_penalty is not λ Σ w² here, so l2_grad was compared with centered differences of λ Σ w²; l2_penalty's own checks report its error.)",
        " (Tu l2_penalty no es λ Σ w² aquí, así que l2_grad se comparó con diferencias centradas de λ Σ w²; los checks de l2_penalty informan de su error.)"))
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.abs(arr - numeric) / np.maximum(np.abs(arr) + np.abs(numeric), 1e-30)
    rel = np.where(np.isfinite(rel), rel, np.inf)
    worst = float(np.max(rel))
    if worst < GRAD_RTOL:
        return note.map(str.strip) if note else None
    idx = np.unravel_index(int(np.argmax(rel)), W.shape)
    message = ctx.text(Text("l2_grad(W, lam) does not match centered differences of {source} (h = {h:g}): relative error {err:.3g} > {tol:g}, worst at index {index}: l2_grad gave {got:.6g}, the differences give {num:.6g}.",
                            "l2_grad(W, lam) no coincide con las diferencias centradas de {source} (h = {h:g}): error relativo {err:.3g} > {tol:g}, el peor en el índice {index}: l2_grad dio {got:.6g} y las diferencias dan {num:.6g}."),
                       source=ctx.text(OWN_PENALTY) if use_own else "λ Σ w²",
                       h=H, err=worst, tol=GRAD_RTOL, index=tuple(int(i) for i in idx),
                       got=float(arr[idx]), num=float(numeric[idx]))
    for mistake_id, wrong in (("wd_grad_no_two", lam * W), ("wd_grad_sign", -2.0 * lam * W),
                              ("wd_grad_no_lam", 2.0 * W)):
        if compare(arr, wrong) is None:
            message += ctx.mistake(mistake_id)
            break
    raise Fail(message + note)


def _kind(ctx, value) -> str:
    """What came back, in the student's language ("an array of shape (4, 6)", "a value of type dict")."""
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return ctx.text(Text("an array of shape {shape}", "un array de forma {shape}"), shape=value.shape)
    return ctx.text(Text("a value of type {type}", "un valor de tipo {type}"), type=type(value).__name__)


def _pairs(ctx, out, params):
    """The returned pairs as float arrays, after checking the structure against ``params``."""
    if not isinstance(out, (list, tuple)):
        raise Fail(ctx.text(Text("regularized_update should return a list of (W, b) pairs; it returned {got}.",
                                 "regularized_update debería devolver una lista de pares (W, b); devolvió {got}."),
                            got=_kind(ctx, out)))
    if len(out) != len(params):
        raise Fail(ctx.text(Text("regularized_update returned {got} item(s) for a network of {n} layers; it should return one (W, b) pair per layer.",
                                 "regularized_update devolvió {got} elemento(s) para una red de {n} capas; debería devolver un par (W, b) por capa."),
                            got=len(out), n=len(params)))
    pairs = []
    for k, (item, (W, b)) in enumerate(zip(out, params), 1):
        if not (isinstance(item, (list, tuple)) and len(item) == 2):
            message = ctx.text(Text("item {k} of the result should be a pair (W{k}, b{k}); it is {got}.",
                                    "el elemento {k} del resultado debería ser un par (W{k}, b{k}); es {got}."),
                               k=k, got=_kind(ctx, item))
            if getattr(item, "shape", None) == W.shape:
                message += ctx.mistake("wd_update_weights_only")
            raise Fail(message)
        (new_w, kind_w), (new_b, kind_b) = as_float_array(item[0]), as_float_array(item[1])
        for name, arr, kind, expected in (("W", new_w, kind_w, W.shape), ("b", new_b, kind_b, b.shape)):
            if arr is None or arr.shape != expected:
                raise Fail(ctx.text(Text("{name}{k} in the result should have the shape of the input {name}{k}, {shape}; got {got}.",
                                         "{name}{k} en el resultado debería tener la forma del {name}{k} de entrada, {shape}; se obtuvo {got}."),
                                    name=name, k=k, shape=expected, got=kind if arr is None else arr.shape))
        pairs.append((item[0], item[1]))
    return pairs


def _unchanged(pairs, params) -> bool:
    return all(compare(w, W) is None and compare(b, B) is None for (w, b), (W, B) in zip(pairs, params))


def _bias_mistake(ctx, new_b, b, db, eta):
    """The known mistake a wrong bias (other than a decayed one) shows: unchanged, or the gradient added."""
    if compare(new_b, b) is None:
        return ctx.mistake("wd_update_bias_not_updated")
    if compare(new_b, b + eta * db) is None:
        return ctx.mistake("wd_update_grad_plus")
    return ""


# ------------------------------------------------------------------ "your sgd_weight_decay_step is at fault"
OWN_STEP = "sgd_weight_decay_step"


def _own_steps(ctx, params, grads, eta, lam) -> list | None:
    """The student's own sgd_weight_decay_step(W, dW, eta, lam) for every layer, as it returned them, or None
    when the submission has none, it raises, or a result is not an array of numbers."""
    if OWN_STEP not in ctx.impl.names:
        return None
    steps = []
    for (W, _), (dW, _) in zip(params, grads):
        try:
            value = ctx.impl.call(OWN_STEP, W, dW, eta, lam)
        except SandboxError:
            return None
        if as_float_array(value)[0] is None:
            return None
        steps.append(value)
    return steps


def _correct_given_own_step(ctx, got: dict, expected: dict, params, grads, eta, lam, label: str):
    """One error scored once: a note (``depends_ok``) when regularized_update's result ``got`` ({"W1": …,
    "b1": …}) is, layer by layer, the student's own sgd_weight_decay_step(W, dW, eta, lam) for the weights,
    with every bias as ``expected`` (b − η db), while that step is itself wrong here (it differs from the
    expected weights): the update is right given the step, whose own checks score the error. None otherwise
    (no pairs, a wrong bias, weights that are not the step's, a step that is missing, raises or is right)."""
    if set(got) != set(expected) or any(compare(got[f"b{k}"], expected[f"b{k}"]) is not None
                                        for k in range(1, len(params) + 1)):
        return None
    steps = _own_steps(ctx, params, grads, eta, lam)
    if steps is None:
        return None
    if any(compare(got[f"W{k}"], as_float_array(own)[0]) is not None for k, own in enumerate(steps, 1)):
        return None
    for k, own in enumerate(steps, 1):
        mismatch = compare(own, expected[f"W{k}"])
        if mismatch is not None:
            where = f"{OWN_STEP}(W{k}, dW{k}, eta, lam)" + (f" [{label}]" if label else "")
            return t("depends_ok", ctx.lang, other=OWN_STEP, detail=mismatch.describe(where, ctx.lang).rstrip("."))
    return None


def explain_update(ctx, case, got):
    """compare_check's ``explain`` for regularized_update: the note of :func:`_correct_given_own_step`."""
    inputs = case.inputs
    return _correct_given_own_step(ctx, got, next(iter(case.accepted.values())), inputs["params"], inputs["grads"],
                                   inputs["eta"], inputs["lam"], case.label)


def check_update_structure_and_biases(ctx):
    _, params, grads = _network(ctx.rng, 3)
    eta, lam = 0.25, 0.2  # decay factor 0.9: a decayed bias is far outside the tolerance
    out = ctx.impl.call("regularized_update", params, grads, eta, lam)
    pairs = _pairs(ctx, out, params)
    for k, ((_, new_b), (_, b), (_, db)) in enumerate(zip(pairs, params, grads), 1):
        mismatch = compare(new_b, b - eta * db)
        if mismatch is None:
            continue
        message = mismatch.describe(ctx.text(Text("b{k} (expected b{k} − η db{k}, η = {eta:g}, λ = {lam:g})",
                                                  "b{k} (se esperaba b{k} − η db{k}, η = {eta:g}, λ = {lam:g})"),
                                             k=k, eta=eta, lam=lam), ctx.lang)
        if any(compare(new_b, b * f - eta * db) is None for f in (1 - 2 * eta * lam, 1 - eta * lam)):
            message += ctx.mistake("wd_update_decay_biases")
        elif _unchanged(pairs, params):
            message += ctx.mistake("wd_update_unchanged")
        else:
            message += _bias_mistake(ctx, new_b, b, db, eta)
        raise Fail(message)


def check_update_lam_zero(ctx):
    _, params, grads = _network(ctx.rng, 2)
    eta = 0.3
    out = ctx.impl.call("regularized_update", params, grads, eta, 0.0)
    pairs = _pairs(ctx, out, params)
    got = {f"{name}{k}": value for k, pair in enumerate(pairs, 1) for name, value in zip("Wb", pair)}
    expected = {f"{name}{k}": value for k, ((W, b), (dW, db)) in enumerate(zip(params, grads), 1)
                for name, value in (("W", W - eta * dW), ("b", b - eta * db))}
    if any(compare(got[label], value) is not None for label, value in expected.items()):
        kept = _correct_given_own_step(ctx, got, expected, params, grads, eta, 0.0, f"η = {eta:g}, λ = 0")
        if kept is not None:
            return kept
    for k, ((new_w, new_b), (W, b), (dW, db)) in enumerate(zip(pairs, params, grads), 1):
        for name, got, expected in (("W", new_w, W - eta * dW), ("b", new_b, b - eta * db)):
            mismatch = compare(got, expected)
            if mismatch is None:
                continue
            message = mismatch.describe(ctx.text(Text("{name}{k} with λ = 0 (expected {name}{k} − η d{name}{k}, η = {eta:g})",
                                                      "{name}{k} con λ = 0 (se esperaba {name}{k} − η d{name}{k}, η = {eta:g})"),
                                                 name=name, k=k, eta=eta), ctx.lang)
            if _unchanged(pairs, params):
                message += ctx.mistake("wd_update_unchanged")
            elif name == "b":
                message += _bias_mistake(ctx, got, b, db, eta)
            elif compare(got, W + eta * dW) is None:
                message += ctx.mistake("wd_update_grad_plus")
            raise Fail(message)


# ------------------------------------------------------------------ the checks
_L2 = ("l2_penalty",)
_GRAD = ("l2_grad",)
_STEP = ("sgd_weight_decay_step",)
_L1 = ("l1_penalty",)
_L1_STEP = ("sgd_l1_step",)
_UPDATE = ("regularized_update",)

CHECKS = [
    compare_check("l2_penalty: fixtures", L2_PENALTY, 1, _L2, cell="l2",
                  id="l2_penalty", title_es="l2_penalty: casos públicos"),
    compare_check("l2_grad: fixtures", L2_GRAD, 0.5, _GRAD, cell="l2",
                  id="l2_grad", title_es="l2_grad: casos públicos"),
    Check(CHECK_GRAD_PENALTY, 0.5, check_l2_grad_matches_penalty, _GRAD, cell="l2",
          id="l2_grad_matches_penalty", title_es="l2_grad: coincide con las diferencias centradas de tu l2_penalty"),
    compare_check("sgd_weight_decay_step: fixtures", WEIGHT_DECAY_STEP, 1, _STEP, cell="l2",
                  id="sgd_weight_decay_step", title_es="sgd_weight_decay_step: casos públicos"),
    compare_check("l1_penalty: fixtures", L1_PENALTY, 0.5, _L1, cell="l1",
                  id="l1_penalty", title_es="l1_penalty: casos públicos"),
    compare_check("sgd_l1_step: fixtures (W with exact zeros)", L1_STEP, 1, _L1_STEP, cell="l1",
                  id="sgd_l1_step", title_es="sgd_l1_step: casos públicos (W con ceros exactos)"),
    compare_check("regularized_update: fixtures", REGULARIZED_UPDATE, 1, _UPDATE, cell="regularized_update",
                  explain=explain_update, id="regularized_update", title_es="regularized_update: casos públicos"),
    Check("regularized_update: (W, b) pairs shaped like params; biases take b − η db", 0.5,
          check_update_structure_and_biases, _UPDATE, cell="regularized_update", id="regularized_update_structure",
          title_es="regularized_update: pares (W, b) con la forma de params; los sesgos dan el paso b − η db"),
    Check("regularized_update: with lam = 0 it is plain SGD", 0.5, check_update_lam_zero, _UPDATE,
          cell="regularized_update", id="regularized_update_lam_zero",
          title_es="regularized_update: con lam = 0 es SGD sin regularización"),
    # hidden: the same comparisons on fresh inputs (new shapes, η and λ)
    compare_check("l2_penalty (hidden): fresh inputs", L2_PENALTY, 0.5, _L2, hidden=True, cell="l2",
                  id="l2_penalty_hidden", title_es="l2_penalty (oculta): entradas nuevas"),
    compare_check("l2_grad (hidden): fresh inputs", L2_GRAD, 0.5, _GRAD, hidden=True, cell="l2",
                  id="l2_grad_hidden", title_es="l2_grad (oculta): entradas nuevas"),
    compare_check("sgd_weight_decay_step (hidden): fresh inputs", WEIGHT_DECAY_STEP, 0.5, _STEP, hidden=True, cell="l2",
                  id="sgd_weight_decay_step_hidden", title_es="sgd_weight_decay_step (oculta): entradas nuevas"),
    compare_check("l1_penalty (hidden): fresh inputs", L1_PENALTY, 0.5, _L1, hidden=True, cell="l1",
                  id="l1_penalty_hidden", title_es="l1_penalty (oculta): entradas nuevas"),
    compare_check("sgd_l1_step (hidden): fresh inputs", L1_STEP, 0.5, _L1_STEP, hidden=True, cell="l1",
                  id="sgd_l1_step_hidden", title_es="sgd_l1_step (oculta): entradas nuevas"),
    compare_check("regularized_update (hidden): fresh inputs", REGULARIZED_UPDATE, 1, _UPDATE, hidden=True,
                  cell="regularized_update", explain=explain_update, id="regularized_update_hidden",
                  title_es="regularized_update (oculta): entradas nuevas"),
]
