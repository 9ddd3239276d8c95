"""The check of the course's ``TwoLayerNet`` constructor, shared by ex1 (which builds it) and ex2 (which
extends it): a network the submission builds itself, nothing assigned by the grader.

``TwoLayerNet(n_in, n_hidden, n_out, seed=0)`` must set ``W1`` (n_hidden, n_in), ``b1`` (n_hidden, 1),
``W2`` (n_out, n_hidden), ``b2`` (n_out, 1): finite arrays, weights not all equal (random weights break
the symmetry between hidden units), the same arrays for the same seed, and a default seed. Each
exercise names its own known mistakes (:class:`NetMistakes`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .checks import Fail
from .compare import as_float_array
from .messages import Text
from .sandbox import StudentRaised

PARAMS = ("W1", "b1", "W2", "b2")

_MISSING = Text("TwoLayerNet({args}) has no attribute {name} ({detail}).",
                "TwoLayerNet({args}) no tiene el atributo {name} ({detail}).")
_NOT_ARRAY = Text("TwoLayerNet({args}).{name} should be an array of numbers; it is {got}.",
                  "TwoLayerNet({args}).{name} debería ser un array de números; es {got}.")
_SHAPE = Text("TwoLayerNet({args}).{name} should have shape {expected}; it has shape {got}.",
              "TwoLayerNet({args}).{name} debería tener forma {expected}; tiene forma {got}.")
_NONFINITE = Text("TwoLayerNet({args}).{name} contains NaN or infinite values.",
                  "TwoLayerNet({args}).{name} contiene valores NaN o infinitos.")
_CONSTANT = Text("all entries of TwoLayerNet({args}).{name} are equal ({value:.6g}); random weights break the "
                 "symmetry between hidden units.",
                 "todas las entradas de TwoLayerNet({args}).{name} son iguales ({value:.6g}); los pesos aleatorios "
                 "rompen la simetría entre unidades ocultas.")
_SEED = Text("two networks built with TwoLayerNet({args}) differ in {name}: the same seed must give the same weights.",
             "dos redes construidas con TwoLayerNet({args}) difieren en {name}: la misma semilla debe dar los mismos "
             "pesos.")


@dataclass(frozen=True)
class NetMistakes:
    """The ids of an exercise's known constructor mistakes ("" where it declares none): ``missing`` (an
    attribute not set; without it the AttributeError is the student's own), ``bias_1d`` (a bias of shape
    (n,)), ``bias_shape`` (any other bias shape), ``transposed`` (a weight of the transposed shape),
    ``constant`` (all weights equal), ``unseeded`` (the seed not used)."""

    missing: str = ""
    bias_1d: str = ""
    bias_shape: str = ""
    transposed: str = ""
    constant: str = ""
    unseeded: str = ""


def _label(args: tuple) -> str:
    return ", ".join(str(a) for a in args)


def _params(ctx, args: tuple, mistakes: NetMistakes) -> dict:
    net = ctx.impl.new("TwoLayerNet", *args)
    params = {}
    for name in PARAMS:
        try:
            params[name] = ctx.impl.getattr(net, name)
        except StudentRaised as exc:
            if exc.exc_type != "AttributeError" or not mistakes.missing:
                raise
            raise Fail(ctx.text(_MISSING, args=_label(args), name=name, detail=f"AttributeError: {exc.detail}")
                       + ctx.mistake(mistakes.missing)) from None
    return params


def _arrays(ctx, args: tuple, params: dict, mistakes: NetMistakes) -> dict:
    """The parameters as float arrays of the contract's shapes; a wrong one fails, named when it is a known mistake."""
    n_in, n_hidden, n_out = args[:3]
    label = _label(args)
    shapes = {"W1": (n_hidden, n_in), "b1": (n_hidden, 1), "W2": (n_out, n_hidden), "b2": (n_out, 1)}
    arrays = {}
    for name in PARAMS:
        arr, what = as_float_array(params[name])
        if arr is None:
            raise Fail(ctx.text(_NOT_ARRAY, args=label, name=name, got=what))
        if arr.shape != shapes[name]:
            message = ctx.text(_SHAPE, args=label, name=name, expected=shapes[name], got=arr.shape)
            if name.startswith("b") and mistakes.bias_1d and arr.shape == (shapes[name][0],):
                message += ctx.mistake(mistakes.bias_1d)
            elif name.startswith("b") and mistakes.bias_shape:
                message += ctx.mistake(mistakes.bias_shape)
            elif name.startswith("W") and mistakes.transposed and arr.shape == shapes[name][::-1]:
                message += ctx.mistake(mistakes.transposed)
            raise Fail(message)
        if not np.isfinite(arr).all():
            raise Fail(ctx.text(_NONFINITE, args=label, name=name))
        arrays[name] = arr
    return arrays


def construction_check(mistakes: NetMistakes):
    """A check's ``run``: the constructor as the module docstring says (all sizes distinct, so a transpose
    shows), with the exercise's mistakes named."""

    def run(ctx):
        args = (3, 5, 2, 7)
        arrays = _arrays(ctx, args, _params(ctx, args, mistakes), mistakes)
        for name in ("W1", "W2"):
            w = arrays[name]
            if np.all(w == w.flat[0]):
                message = ctx.text(_CONSTANT, args=_label(args), name=name, value=float(w.flat[0]))
                raise Fail(message + ctx.mistake(mistakes.constant) if mistakes.constant else message)
        again = _params(ctx, args, mistakes)
        for name in PARAMS:
            arr = as_float_array(again[name])[0]
            if arr is None or not np.array_equal(arr, arrays[name]):
                message = ctx.text(_SEED, args=_label(args), name=name)
                raise Fail(message + ctx.mistake(mistakes.unseeded) if mistakes.unseeded else message)
        default = (4, 2, 3)  # the seed left to its default
        _arrays(ctx, default, _params(ctx, default, mistakes), mistakes)
        return None

    return run
