"""Pure functions the grader can pass *as arguments* to student code (e.g. ``f`` of
``numerical_gradient``). Only a name and array parameters cross the wire; both
sides build the same function from this catalog. Standard library and NumPy only
(the student process loads this file by path).

Each entry: name -> (make(params) -> f, gradient(params, x) -> ∂f/∂x).
"""
import numpy as np


def _sin_quadratic(params):
    """f(x) = Σ a ⊙ sin(x) + ½ Σ b ⊙ x²  (a, b shaped like x)."""
    a, b = params["a"], params["b"]
    return lambda x: float(np.sum(a * np.sin(x)) + 0.5 * np.sum(b * x * x))


def _sin_quadratic_grad(params, x):
    return params["a"] * np.cos(x) + params["b"] * x


CATALOG = {
    "sin_quadratic": (_sin_quadratic, _sin_quadratic_grad),
}


def build(name, params):
    """The function called ``name`` with ``params``; KeyError for an unknown name."""
    make, _ = CATALOG[name]
    return make(params)


def gradient(name, params, x):
    """The exact gradient of catalog function ``name`` at x."""
    _, grad = CATALOG[name]
    return grad(params, x)
