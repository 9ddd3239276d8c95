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


# ------------------------------------------------------------------ ex11: test functions to minimise
#: calls of the counted functions (ex11's objectives) since :func:`take_calls` last read them
_CALLS = [0]


def _counted(fn, params):
    """fn, plus the optional ``offset`` of params, counting its calls."""
    offset = float(np.asarray(params.get("offset", 0.0)).reshape(-1)[0])

    def f(x):
        _CALLS[0] += 1
        return fn(x) + offset
    return f


def take_calls():
    """How many times the counted functions were called since the last call of this function (then 0)."""
    n, _CALLS[0] = _CALLS[0], 0
    return n


def _wave(params):
    """f(x) = sin(3u) + u² − 0.7u, u = x[0] − shift[0] (1-D; minimum −0.50036 at u ≈ −0.3594 on [−1, 2]).

    Each ex11 objective adds ``params["offset"]`` (default 0) and counts its calls (:func:`take_calls`)."""
    s = float(np.asarray(params["shift"]).reshape(-1)[0])

    def f(x):
        u = float(np.asarray(x, dtype=np.float64).reshape(-1)[0]) - s
        return float(np.sin(3.0 * u) + u * u - 0.7 * u)
    return _counted(f, params)


def _quadratic(params):
    """f(x) = Σ w ⊙ (x − center)² (w > 0; minimum 0 at x = center)."""
    c = np.asarray(params["center"], dtype=np.float64).reshape(-1)
    w = np.asarray(params["weights"], dtype=np.float64).reshape(-1)

    def f(x):
        u = np.asarray(x, dtype=np.float64).reshape(-1) - c
        return float(np.sum(w * u * u))
    return _counted(f, params)


def _branin(params):
    """Branin's function of u = x − shift, divided by ``scale`` (minimum 0.397887/scale at three points of
    [−5, 10] × [0, 15] shifted)."""
    s = np.asarray(params["shift"], dtype=np.float64).reshape(-1)
    scale = float(np.asarray(params["scale"]).reshape(-1)[0])
    b, c, t = 5.1 / (4.0 * np.pi ** 2), 5.0 / np.pi, 1.0 / (8.0 * np.pi)

    def f(x):
        u = np.asarray(x, dtype=np.float64).reshape(-1) - s
        x1, x2 = u[0], u[1]
        return float(((x2 - b * x1 ** 2 + c * x1 - 6.0) ** 2 + 10.0 * (1.0 - t) * np.cos(x1) + 10.0) / scale)
    return _counted(f, params)


def _no_gradient(params, x):
    raise NotImplementedError("this catalog function is only evaluated")


CATALOG = {
    "sin_quadratic": (_sin_quadratic, _sin_quadratic_grad),
    "bo_wave": (_wave, _no_gradient),
    "bo_quadratic": (_quadratic, _no_gradient),
    "bo_branin": (_branin, _no_gradient),
}


def build(name, params):
    """The function called ``name`` with ``params``; KeyError for an unknown name."""
    make, _ = CATALOG[name]
    return make(params)


def gradient(name, params, x):
    """The exact gradient of catalog function ``name`` at x."""
    _, grad = CATALOG[name]
    return grad(params, x)
