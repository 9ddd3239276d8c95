"""ex6 train-numpy: the student's ``train(X, T, seed) -> predict``, scored by test accuracy.

How it runs. For each data set the grader calls ``train(X_train, T_train,
seed)`` in the student's process (``X`` raw, ``(n_features, m)``; ``T``
one-hot ``(n_classes, m)``), gets back ``predict`` (a handle: the function
stays in the student's process), calls ``predict(X_test)`` there and computes
the accuracy *here*, against test labels that never enter the student's
process. One training per (data set, seed) is shared by the checks that need
it. Data: ``autograder/data.py`` — make_moons (500 training and 1000 test
points, noise 0.2) and scikit-learn's 8×8 digits (1348 training and 449 test
images, pixels 0–16), or MNIST / Fashion-MNIST from the Keras ``.npz`` named
by ``$GRADER_DIGITS_NPZ`` (10 000 training and 2 000 test images drawn by
seed, pixels 0–255) for the digits checks.

``train`` may return ``predict`` or ``(predict, history)``, ``history`` the
student's own learning curves in Keras' ``History.history`` shape: never
scored, drawn with a bias/variance diagnosis on the feedback page of the
public make_moons run, ignored with a note when malformed
(docs/contract-ex6-history.md: the contract, the checks made on it).

Checks (15 points; public 10, hidden 5)
* ``predict`` returns integer labels of shape ``(m,)`` with values in
  ``0..n_classes−1`` (public, on the public moons run, 2). The accuracy checks
  read labels leniently — scores of shape ``(n_classes, m)`` or ``(m,
  n_classes)`` through argmax, ``(1, m)``/``(m, 1)`` flattened, integral
  floats — and say so, so a format slip costs only this check.
* make_moons accuracy ≥ 0.92 with the public seed (public, 4); the same on a
  fresh split and training seed drawn with the hidden key (hidden, 3).
* digits accuracy ≥ 0.92 with the public seed (public, 3); the same on a fresh
  split and training seed (hidden, 2). With an ``.npz`` configured the
  threshold is ``$GRADER_DIGITS_MIN_ACCURACY``, default 0.80.
* ``train`` trains and ``predict`` answers on both public data sets within the
  time limits (public, 1).

Limits: 25 s per ``train`` call and 10 s per ``predict`` call; all calls of a
submission share the exercise's 120 s (public and hidden: four trainings).
A training that times out fails only the checks that need it.

NumPy only. The student's process can import only NumPy and the standard
library: an ``import`` of scikit-learn, TensorFlow, PyTorch… inside ``train``
fails there and the checks say "NumPy only"; one at the top level of the
file makes the submission unloadable (the load error names the module). In a
notebook's check cell (in process, where those packages exist) the code
reachable from ``train`` — its functions, classes, module globals and
``import`` statements — is inspected instead, with the same message.

Thresholds, from measurements (2-core machine, NumPy 2.4, one BLAS thread;
``bench/ex6_history.py``). The solution is a one-hidden-layer ReLU MLP, 64
hidden units, Adam with the learning rate decaying linearly from 0.01 to
0.001 over at most 200 epochs of mini-batches of 64, L2 1e-4, inputs
standardised; it holds 20 % of the training data out for validation, records
its history each epoch and stops early (patience 10 epochs, best weights
kept). Data seeds 0–199 with training seeds 100000–100199:
* make_moons: solution min 0.949, 1st percentile 0.954, mean 0.967, max 0.980
  over 200 seeds (29–129 epochs); softmax regression (standardised inputs,
  2000 full-batch steps) min 0.846, mean 0.868, max 0.888 over the same 200
  seeds: threshold 0.92 sits 0.03 above the best linear run and 0.029 below
  the worst solution run (≈ 4 standard errors of a 1000-point accuracy).
* 8×8 digits: solution min 0.944, 1st percentile 0.960, mean 0.976, max 0.998
  over 200 seeds (14–200 epochs); threshold 0.92, 0.024 below the worst run
  (≈ 2.3 standard errors of a 449-point accuracy; before the validation
  hold-out and early stopping the worst run was 0.962). Softmax regression
  gets 0.947–0.984 (mean 0.967, 50 seeds) and passes: the digits are nearly
  linearly separable, the moons are where the hidden layer counts.
* Fashion-MNIST (.npz, 10 000 / 2 000): measured with the solution before the
  validation hold-out: min 0.837, mean 0.854 over 10 seeds (1.8 s each);
  softmax regression ≈ 0.79; default .npz threshold 0.80.
  MNIST was not available here; MLPs of this size reach ≈ 0.95 on it, so an
  instructor grading on MNIST may set ``GRADER_DIGITS_MIN_ACCURACY=0.9``.
* Solution training time: 0.10 s (moons) and 0.61 s (digits) on average, at
  most 2.7 s (a run that trains all 200 epochs on the digits).

The hidden checks draw their seeds from the hidden key, so every seed must
pass: the margins above are over 200 seeds, and the tests grade the solution
under several hidden keys. Accuracy does not depend on the machine (data and
training seed are fixed), only the time does; the 25 s limit leaves a factor
of about 9 over the solution's slowest training.

A data set that cannot be loaded (scikit-learn missing, a bad ``.npz``, a bad
``$GRADER_DIGITS_MIN_ACCURACY``) raises :class:`~autograder.data.DataUnavailable`
out of the check: a problem of the grader's installation is never turned
into a student's zero.
"""
from __future__ import annotations

import dis
import os
import sys
import types
from dataclasses import dataclass

import numpy as np

from ..checks import Check, Fail, Mistake, mistake_catalog
from ..data import DataUnavailable, Split, course_digits, digits_source, moons
from ..grading import describe_error
from ..messages import Msg, Text
from ..sandbox import Handle, SandboxError, StudentRaised, TimedOut, Unsupported

MOONS_THRESHOLD = 0.92
DIGITS_THRESHOLD = 0.92
#: default threshold for an .npz configured with $GRADER_DIGITS_NPZ; $GRADER_DIGITS_MIN_ACCURACY overrides both
NPZ_THRESHOLD = 0.80
THRESHOLD_ENV = "GRADER_DIGITS_MIN_ACCURACY"
TRAIN_TIMEOUT_S = 25.0
PREDICT_TIMEOUT_S = 10.0
#: data seed and training seed of the public runs
PUBLIC_DATA_SEED, PUBLIC_TRAIN_SEED = 0, 1

#: every check trains (or reuses a training), so a train that cannot run at all fails each of them
_EVERY_CHECK = ("predict_labels", "moons_accuracy", "moons_accuracy_hidden", "digits_accuracy",
                "digits_accuracy_hidden", "train_time")
#: no reference variants for this exercise: the mistakes are named by the checks themselves; targets: the
#: checks that name a mistake whatever else the submission does (an accuracy check reads scores returned by
#: predict through argmax and names train_predict_scores only when they cannot be read; a train slow on one
#: data set fails that data set's checks and always the time check)
MISTAKES = mistake_catalog(
    Mistake(
        "train_not_numpy",
        "this exercise is graded with NumPy (and the standard library) only: build the network from your own "
        "NumPy functions, without scikit-learn, TensorFlow/Keras or PyTorch. Keep imports for experiments "
        "(plots, loading data) inside `if __name__ == \"__main__\":`, which the grader skips.",
        "este ejercicio se corrige solo con NumPy (y la biblioteca estándar): construye la red con tus propias "
        "funciones de NumPy, sin scikit-learn, TensorFlow/Keras ni PyTorch. Deja los imports para experimentos "
        "(gráficas, cargar datos) dentro de `if __name__ == \"__main__\":`, que el corrector no ejecuta.",
        targets=_EVERY_CHECK),
    Mistake(
        "train_predict_scores",
        "predict returns the network's outputs (probabilities or scores) instead of class labels: return "
        "np.argmax(Y, axis=0), integers of shape (m,).",
        "predict devuelve las salidas de la red (probabilidades o puntuaciones) en lugar de las etiquetas de "
        "clase: devuelve np.argmax(Y, axis=0), enteros de forma (m,).",
        targets=("predict_labels",)),
    Mistake(
        "train_predict_float_labels",
        "predict returns the labels as floats; return integers (np.argmax already gives them, or use .astype(int)).",
        "predict devuelve las etiquetas como números reales; devuelve enteros (np.argmax ya los da, o usa .astype(int)).",
        targets=("predict_labels",)),
    Mistake(
        "train_too_slow",
        "train takes too long: vectorise over the examples of a mini-batch (no Python loop over examples) "
        "and use a few thousand updates at most.",
        "train tarda demasiado: vectoriza sobre los ejemplos de cada minilote (sin bucles de Python sobre "
        "ejemplos) y usa como mucho unos miles de actualizaciones.",
        targets=("train_time",)),
    Mistake(
        "train_not_a_function",
        "train must return a function predict(X) -> labels (e.g. a function defined inside train that uses "
        "the trained weights).",
        "train debe devolver una función predict(X) -> etiquetas (p. ej. una función definida dentro de train "
        "que usa los pesos entrenados).",
        targets=_EVERY_CHECK),
)
SPECS: list = []  # no comparison with the reference: scored by accuracy on held-out data


# ------------------------------------------------------------------ data
@dataclass(frozen=True)
class Task:
    """A data set the checks train on: its name in messages and its threshold."""

    key: str
    name: Text
    threshold: float

    def split(self, seed: int) -> Split:
        return moons(seed) if self.key == "moons" else course_digits(seed)


def moons_task() -> Task:
    return Task("moons", Text("make_moons", "make_moons"), MOONS_THRESHOLD)


def digits_task() -> Task:
    path = digits_source()
    name = (Text(os.path.basename(path), os.path.basename(path)) if path
            else Text("the 8×8 digits", "los dígitos 8×8"))
    default = NPZ_THRESHOLD if path else DIGITS_THRESHOLD
    raw = os.environ.get(THRESHOLD_ENV)
    if not raw:
        return Task("digits", name, default)
    try:
        threshold = float(raw)
    except ValueError:
        threshold = -1.0
    if not 0.0 <= threshold <= 1.0:
        raise DataUnavailable(f"${THRESHOLD_ENV} must be a number between 0 and 1, not {raw!r}")
    return Task("digits", name, threshold)


# ------------------------------------------------------------------ NumPy only, in process
def _root(name: str) -> str:
    return name.partition(".")[0]


def _codes(code: types.CodeType):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _codes(const)


def foreign_modules(impl) -> list[str]:
    """Packages other than NumPy and the standard library that the code reachable from ``train`` uses.

    Only for an implementation living in this process (a notebook's check
    cell): the sandbox offers NumPy alone, so there an import simply fails.
    Follows ``train``'s global names into the student's own functions and
    classes, and reads every ``import`` statement on the way.
    """
    namespace = getattr(impl, "namespace", None)
    train = namespace.get("train") if isinstance(namespace, dict) else None
    g = getattr(train, "__globals__", None)
    if not isinstance(g, dict):
        return []
    allowed = set(sys.stdlib_module_names) | {"numpy", "builtins", "__main__"}
    own = g.get("__name__")
    found: list[str] = []

    def note(root: str):
        if root and root not in allowed and root != own and root not in found:
            found.append(root)

    stack, seen = [train], set()
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, type):
            members = [getattr(v, "__func__", v) for v in vars(obj).values()]
            codes = [m.__code__ for m in members if isinstance(m, types.FunctionType)]
        elif isinstance(obj, types.FunctionType):
            codes = [obj.__code__]
        else:
            continue
        for code in (c for top in codes for c in _codes(top)):
            for ins in dis.get_instructions(code):
                if ins.opname == "IMPORT_NAME" and isinstance(ins.argval, str):
                    note(_root(ins.argval))
            for name in code.co_names:
                if name not in g:
                    continue
                value = g[name]
                if isinstance(value, types.FunctionType) and value.__globals__ is g:
                    stack.append(value)
                elif isinstance(value, type) and value.__module__ == own:
                    stack.append(value)
                elif isinstance(value, types.ModuleType):
                    note(_root(value.__name__))
                else:
                    module = getattr(value, "__module__", None)
                    if isinstance(module, str):
                        note(_root(module))
    return found


def _assert_numpy_only(ctx):
    found = foreign_modules(ctx.impl)
    if found:
        raise Fail(ctx.text(Text("train uses {modules}.", "train usa {modules}."), modules=", ".join(found))
                   + ctx.mistake("train_not_numpy"))


# ------------------------------------------------------------------ one training
@dataclass
class Run:
    """The outcome of one training: what predict(X_test) returned, or what went wrong (and in which call)."""

    split: Split
    output: object = None
    error: SandboxError | None = None
    call: str = ""
    returned: str = ""  # what train returned when it was not a function
    predict: Handle | None = None  # the student's predict, for the decision-boundary plot
    history: object = None  # what train returned next to predict (the (predict, history) form), unread
    has_history: bool = False


def _run_key(task: Task, data_seed: int, train_seed: int) -> tuple:
    return task.key, digits_source() if task.key == "digits" else None, int(data_seed), int(train_seed)


def run_task(ctx, task: Task, data_seed: int, train_seed: int) -> Run:
    """Train on ``task``'s split for ``data_seed`` and predict its test inputs, once per submission (the
    runs live in ``ctx.state``, shared by the checks of one submission)."""
    _assert_numpy_only(ctx)
    runs = ctx.state.setdefault("runs", {})
    key = _run_key(task, data_seed, train_seed)
    if key in runs:
        return runs[key]
    split = task.split(data_seed)
    run = Run(split)
    try:
        run.call = "train()"
        predict = ctx.impl.call("train", split.X_train, split.T_train, int(train_seed), timeout=TRAIN_TIMEOUT_S)
        if isinstance(predict, (tuple, list)) and len(predict) == 2 and isinstance(predict[0], Handle):
            predict, run.history = predict  # the (predict, history) form: the history is only drawn
            run.has_history = True
        if not isinstance(predict, Handle):
            run.returned = "None" if predict is None else (
                f"{type(predict).__name__} {tuple(predict.shape)}" if isinstance(predict, np.ndarray)
                else type(predict).__name__)
        else:
            run.call = "predict()"
            run.predict = predict
            run.output = ctx.impl.method(predict, "__call__", split.X_test, timeout=PREDICT_TIMEOUT_S)
    except SandboxError as exc:
        run.error = exc
    runs[key] = run
    return run


def _fail_run(ctx, task: Task, run: Run):
    """Raise Fail with the reason a run did not give predictions (no-op when it did)."""
    exc = run.error
    if exc is None and run.returned:
        raise Fail(ctx.text(Text("train returned {what}.", "train devolvió {what}."), what=run.returned)
                   + ctx.mistake("train_not_a_function"))
    if exc is None:
        return
    if isinstance(exc, StudentRaised) and exc.exc_type in ("ModuleNotFoundError", "ImportError"):
        raise Fail(ctx.text(Text("{call} raised {exc}: {detail}.", "{call} lanzó {exc}: {detail}."),
                            call=run.call, exc=exc.exc_type, detail=exc.detail) + ctx.mistake("train_not_numpy"))
    if isinstance(exc, StudentRaised) and run.call == "predict()" and exc.exc_type == "AttributeError" \
            and "__call__" in exc.detail:
        raise Fail(ctx.text(Text("train returned an object that cannot be called ({detail}).",
                                 "train devolvió un objeto al que no se puede llamar ({detail})."),
                            detail=exc.detail) + ctx.mistake("train_not_a_function"))
    if isinstance(exc, TimedOut) and exc.during != "the whole submission":
        if run.call == "train()":
            raise Fail(ctx.text(Text("train() did not finish within {s:g} s on {data}.",
                                     "train() no terminó en {s:g} s con {data}."),
                                s=exc.seconds, data=ctx.text(task.name)) + ctx.mistake("train_too_slow"))
        raise Fail(ctx.text(Text("predict(X) did not return within {s:g} s on {m} test examples.",
                                 "predict(X) no terminó en {s:g} s con {m} ejemplos de test."),
                            s=exc.seconds, m=run.split.X_test.shape[1]))
    raise Fail(describe_error(exc, ctx.lang, run.call))


# ------------------------------------------------------------------ reading the labels
@dataclass
class Labels:
    """Labels read from predict's output: ``values`` (None when unreadable), the format ``problem``
    (a message, None when the output is exactly right), the ``mistake`` it suggests, and how the
    values were obtained (``via``, for the accuracy checks' note)."""

    values: np.ndarray | None
    problem: Msg | None = None
    mistake: str | None = None
    via: str | None = None


def read_labels(ctx, output, m: int, n_classes: int) -> Labels:
    should = ctx.text(Text(" It should return integer labels of shape ({m},).",
                           " Debería devolver etiquetas enteras de forma ({m},)."), m=m)
    arr = None
    if not isinstance(output, (Unsupported, Handle, str, dict)) and output is not None:
        try:
            arr = np.asarray(output)
        except (TypeError, ValueError):
            arr = None
    if arr is None or arr.dtype.kind not in "biuf":
        what = output.what if isinstance(output, Unsupported) else (
            "None" if output is None else ctx.text(Text("a {type}", "un {type}"), type=type(output).__name__))
        return Labels(None, ctx.text(Text("predict(X) returned {what}.", "predict(X) devolvió {what}."),
                                     what=what) + should)
    shape = arr.shape
    got = ctx.text(Text("predict(X) on {m} test examples returned {dtype} of shape {shape}.",
                        "predict(X) con {m} ejemplos de test devolvió {dtype} de forma {shape}."),
                   m=m, dtype=arr.dtype.name, shape=shape)
    problem = mistake = via = None
    if shape == (m,):
        values = arr
    elif len(shape) == 2 and shape[0] == n_classes and shape[1] == m:
        values, via = arr.argmax(axis=0), "argmax(axis=0)"
        problem, mistake = got + should, "train_predict_scores"
    elif len(shape) == 2 and shape[0] == m and shape[1] == n_classes:
        values, via = arr.argmax(axis=1), "argmax(axis=1)"
        problem, mistake = got + should, "train_predict_scores"
    elif len(shape) == 2 and arr.size == m:
        values, via = arr.reshape(m), "reshape"
        problem = got + should
    else:
        return Labels(None, got + should)
    if values.dtype.kind == "f":
        if not np.all(np.isfinite(values)) or np.any(values != np.round(values)):
            bad = values[~np.isfinite(values) | (values != np.round(values))][0]
            message = got + ctx.text(Text(" Its values are not class labels (e.g. {v:.4g}).",
                                          " Sus valores no son etiquetas de clase (p. ej. {v:.4g})."), v=bad) + should
            return Labels(None, message, "train_predict_scores")
        problem = problem or got + should
        mistake = mistake or "train_predict_float_labels"
        via = via or "astype(int)"
    elif values.dtype.kind == "b":
        problem = problem or got + should
        via = via or "astype(int)"
    values = values.astype(np.int64)
    if problem is None and values.size and (values.min() < 0 or values.max() >= n_classes):
        problem = got + ctx.text(Text(" Labels should lie in 0…{k1}; found {v}.",
                                      " Las etiquetas deberían estar en 0…{k1}; aparece {v}."),
                                 k1=n_classes - 1, v=int(values.min() if values.min() < 0 else values.max()))
    return Labels(values, problem, mistake, via)


# ------------------------------------------------------------------ checks
def _accuracy(ctx, task: Task, data_seed: int, train_seed: int) -> Msg:
    run = run_task(ctx, task, data_seed, train_seed)
    _fail_run(ctx, task, run)
    split = run.split
    m, n_classes = split.X_test.shape[1], split.T_train.shape[0]
    labels = read_labels(ctx, run.output, m, n_classes)
    if labels.values is None:
        raise Fail(labels.problem + (ctx.mistake(labels.mistake) if labels.mistake else ""))
    accuracy = float(np.mean(labels.values == split.y_test))
    fields = dict(acc=accuracy, m=m, data=ctx.text(task.name), thr=task.threshold)
    how = "" if labels.via is None else ctx.text(
        Text(" (labels read from predict's output with {via}: see the labels check)",
             " (etiquetas leídas de la salida de predict con {via}: mira la comprobación de las etiquetas)"),
        via=labels.via)
    if accuracy >= task.threshold:
        return ctx.text(Text("test accuracy {acc:.3f} on {m} examples of {data} (threshold {thr:g}){how}.",
                             "exactitud en test {acc:.3f} con {m} ejemplos de {data} (umbral {thr:g}){how}."),
                        how=how, **fields)
    message = ctx.text(Text("test accuracy {acc:.3f} on {m} examples of {data}{how}; it must reach {thr:g}.",
                            "exactitud en test {acc:.3f} con {m} ejemplos de {data}{how}; debe llegar a {thr:g}."),
                       how=how, **fields)
    if task.key == "moons":
        message += ctx.text(Text(" A linear model gets about 0.87 here: the moons need a hidden layer with a "
                                 "nonlinear activation (ReLU, tanh), trained long enough (loss still falling?).",
                                 " Un modelo lineal obtiene aquí alrededor de 0.87: las lunas necesitan una capa "
                                 "oculta con activación no lineal (ReLU, tanh), entrenada lo suficiente (¿sigue "
                                 "bajando la pérdida?)."))
    else:
        message += ctx.text(Text(" Standardise the raw inputs (statistics of X_train, applied in predict too), "
                                 "and check the learning rate and the number of updates.",
                                 " Estandariza las entradas en bruto (estadísticas de X_train, aplicadas también en "
                                 "predict), y revisa la tasa de aprendizaje y el número de actualizaciones."))
    raise Fail(message)


def _hidden_seeds(ctx) -> tuple[int, int]:
    """A fresh data seed and training seed, drawn from the check's generator (the hidden key's)."""
    data_seed, train_seed = (int(s) for s in ctx.rng.integers(1, 2**31 - 1, size=2))
    return data_seed, train_seed


def check_labels(ctx):
    task = moons_task()
    run = run_task(ctx, task, PUBLIC_DATA_SEED, PUBLIC_TRAIN_SEED)
    _fail_run(ctx, task, run)
    m = run.split.X_test.shape[1]
    labels = read_labels(ctx, run.output, m, run.split.T_train.shape[0])
    if labels.problem is not None:
        raise Fail(labels.problem + (ctx.mistake(labels.mistake) if labels.mistake else ""))


GRID = 40  # decision-boundary plot: GRID × GRID points


def _attach_boundary(ctx, run: Run) -> None:
    """The student's predictions on a grid over the test points, for the feedback page's plot."""
    if run.predict is None or run.error is not None:
        return
    X = run.split.X_test
    xs = np.linspace(X[0].min() - 0.5, X[0].max() + 0.5, GRID)
    ys = np.linspace(X[1].min() - 0.5, X[1].max() + 0.5, GRID)
    gx, gy = np.meshgrid(xs, ys)
    try:
        out = ctx.impl.method(run.predict, "__call__", np.vstack([gx.ravel(), gy.ravel()]), timeout=PREDICT_TIMEOUT_S)
    except SandboxError:
        return
    grid = read_labels(ctx, out, GRID * GRID, 2).values
    test = read_labels(ctx, run.output, X.shape[1], 2).values
    if grid is None or test is None:
        return
    ctx.attach("decision_boundary", {
        "x": xs.tolist(), "y": ys.tolist(), "labels": grid.reshape(GRID, GRID).astype(int).tolist(),
        "points": X.T.tolist(), "point_labels": run.split.y_test.astype(int).tolist(),
        "predicted": test.astype(int).tolist()})


# ------------------------------------------------------------------ the student's history (never scored)
#: the curves a history may hold (Keras' names); other keys are ignored
HISTORY_KEYS = ("loss", "accuracy", "val_loss", "val_accuracy")
#: the most epochs a history may hold (``autograder.plots.MAX_EPOCHS``, the plots' bound; the plots module is
#: imported only where curves are attached: the student distribution does not ship it)
MAX_HISTORY_EPOCHS = 500


def _numbers(values) -> np.ndarray | None:
    """``values`` as a 1-D float array when it is a list, tuple or 1-D array of real numbers, else None."""
    if isinstance(values, np.ndarray):
        arr = values
    elif isinstance(values, (list, tuple)):
        items = []
        for v in values:
            if isinstance(v, np.ndarray) and v.ndim == 0:
                v = v.item()
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                return None
            items.append(float(v))
        arr = np.array(items, dtype=np.float64)
    else:
        return None
    if arr.ndim != 1 or arr.dtype.kind not in "iuf":
        return None
    return arr.astype(np.float64)


def read_history(ctx, raw) -> tuple[dict | None, Msg | None]:
    """The student's history as a learning curve (``{"loss": [floats], …}``, see :mod:`autograder.plots`)
    and None, or None and what is wrong with it. Checked: a dict holding a ``"loss"`` list; each of
    ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy`` present a list (or 1-D array) of finite
    numbers, all of one length, 1 to :data:`MAX_HISTORY_EPOCHS` epochs; losses ≥ 0, accuracies in
    [0, 1]. Other keys are ignored. Pure: never raises on a malformed history."""
    if not isinstance(raw, dict):
        what = raw.what if isinstance(raw, Unsupported) else type(raw).__name__
        return None, ctx.text(Text("it is {what}, not a dict of lists", "es {what}, no un dict de listas"),
                              what=what)
    present = [k for k in HISTORY_KEYS if k in raw]
    if "loss" not in present:
        keys = ", ".join(repr(str(k)[:30]) for k in list(raw)[:6]) or "-"
        return None, ctx.text(Text('it has no "loss" (its keys: {keys})', 'no tiene "loss" (sus claves: {keys})'),
                              keys=keys)
    curve, lengths = {}, {}
    for key in present:
        values = raw[key]
        n = len(values) if isinstance(values, (list, tuple, np.ndarray)) and np.ndim(values) >= 1 else None
        if n is not None and n > MAX_HISTORY_EPOCHS:
            return None, ctx.text(Text('history["{key}"] has {n} values; at most {max} epochs are drawn: record one '
                                       "value per epoch",
                                       'history["{key}"] tiene {n} valores; se dibujan como mucho {max} épocas: '
                                       "registra un valor por época"), key=key, n=n, max=MAX_HISTORY_EPOCHS)
        arr = _numbers(values)
        if arr is None:
            return None, ctx.text(Text('history["{key}"] is not a list of numbers', 'history["{key}"] no es una lista '
                                       "de números"), key=key)
        if arr.size == 0:
            return None, ctx.text(Text('history["{key}"] is empty', 'history["{key}"] está vacía'), key=key)
        bad = np.flatnonzero(~np.isfinite(arr))
        if bad.size:
            return None, ctx.text(Text('history["{key}"] holds {v} at epoch {i}', 'history["{key}"] contiene {v} en '
                                       "la época {i}"), key=key, v=float(arr[bad[0]]), i=int(bad[0]) + 1)
        if "accuracy" in key and (arr.min() < 0 or arr.max() > 1):
            v = float(arr.min() if arr.min() < 0 else arr.max())
            return None, ctx.text(Text('history["{key}"] has {v:.4g}: an accuracy is a fraction between 0 and 1',
                                       'history["{key}"] tiene {v:.4g}: una exactitud es una fracción entre 0 y 1'),
                                  key=key, v=v)
        if "loss" in key and arr.min() < 0:
            return None, ctx.text(Text('history["{key}"] has {v:.4g}: a cross-entropy is never negative',
                                       'history["{key}"] tiene {v:.4g}: una entropía cruzada nunca es negativa'),
                                  key=key, v=float(arr.min()))
        curve[key], lengths[key] = arr.tolist(), arr.size
    if len(set(lengths.values())) > 1:
        sizes = ", ".join(f"{k} {n}" for k, n in lengths.items())
        return None, ctx.text(Text("its lists have different lengths ({sizes}): one value per epoch in each",
                                   "sus listas tienen longitudes distintas ({sizes}): un valor por época en cada "
                                   "una"), sizes=sizes)
    return curve, None


def _attach_history(ctx, run: Run) -> Msg | str:
    """Attach the history ``train`` returned on the public make_moons run (with the threshold, for the
    underfitting rule); a malformed one is left out and the note returned says why ("" otherwise)."""
    if run is None or not run.has_history:
        return ""
    curve, problem = read_history(ctx, run.history)
    if curve is None:
        return ctx.text(Text(" Note (not scored): the history train returned is not drawn on your feedback page: "
                             "{problem}. It should be a dict like Keras' History.history: \"loss\", \"accuracy\", "
                             "\"val_loss\", \"val_accuracy\", one number per epoch.",
                             " Nota (no puntúa): el history que devuelve train no se dibuja en tu página de "
                             "comentarios: {problem}. Debería ser un dict como el History.history de Keras: "
                             "\"loss\", \"accuracy\", \"val_loss\", \"val_accuracy\", un número por época."),
                        problem=problem)
    try:
        from ..plots import clean_curve
    except ImportError:  # the student distribution: no feedback page to draw it on
        return ""
    ctx.attach("learning_curve", clean_curve(curve, threshold=MOONS_THRESHOLD))
    return ""


def check_moons(ctx):
    task = moons_task()

    def extras():  # the public run's plots: the decision boundary and the student's learning curves
        run = ctx.state.get("runs", {}).get(_run_key(task, PUBLIC_DATA_SEED, PUBLIC_TRAIN_SEED))
        if run is None:
            return ""
        _attach_boundary(ctx, run)
        return _attach_history(ctx, run)

    try:
        message = _accuracy(ctx, task, PUBLIC_DATA_SEED, PUBLIC_TRAIN_SEED)
    except Fail as exc:
        raise Fail(exc.message + extras()) from None
    return message + extras()


def check_digits(ctx):
    return _accuracy(ctx, digits_task(), PUBLIC_DATA_SEED, PUBLIC_TRAIN_SEED)


def check_time(ctx):
    for task in (moons_task(), digits_task()):
        _fail_run(ctx, task, run_task(ctx, task, PUBLIC_DATA_SEED, PUBLIC_TRAIN_SEED))


def check_moons_hidden(ctx):
    return _accuracy(ctx, moons_task(), *_hidden_seeds(ctx))


def check_digits_hidden(ctx):
    return _accuracy(ctx, digits_task(), *_hidden_seeds(ctx))


_NEEDS = ("train",)
# Moons checks before digits checks: a training that times out is not called again in that process
# (the sandbox's rule), so a slow digits training must not cost the moons checks.
CHECKS = [
    Check("predict: integer labels of shape (m,)", 2, check_labels, _NEEDS, cell="train", id="predict_labels",
          title_es="predict: etiquetas enteras de forma (m,)"),
    Check(f"make_moons: test accuracy ≥ {MOONS_THRESHOLD:.2f}", 4, check_moons, _NEEDS, cell="train",
          id="moons_accuracy", title_es=f"make_moons: exactitud en test ≥ {MOONS_THRESHOLD:.2f}"),
    Check(f"make_moons (hidden): test accuracy ≥ {MOONS_THRESHOLD:.2f} on a fresh split and seed", 3,
          check_moons_hidden, _NEEDS, hidden=True, cell="train", id="moons_accuracy_hidden",
          title_es=f"make_moons (oculta): exactitud en test ≥ {MOONS_THRESHOLD:.2f} con una partición y una semilla "
                   "nuevas"),
    Check("digits: test accuracy ≥ the threshold", 3, check_digits, _NEEDS, cell="train", id="digits_accuracy",
          title_es="dígitos: exactitud en test ≥ el umbral"),
    Check("digits (hidden): test accuracy ≥ the threshold on a fresh split and seed", 2, check_digits_hidden,
          _NEEDS, hidden=True, cell="train", id="digits_accuracy_hidden",
          title_es="dígitos (oculta): exactitud en test ≥ el umbral con una partición y una semilla nuevas"),
    Check(f"train: trains and predicts within {TRAIN_TIMEOUT_S:g} s per data set", 1, check_time, _NEEDS,
          cell="train", id="train_time",
          title_es=f"train: entrena y predice en {TRAIN_TIMEOUT_S:g} s como máximo con cada conjunto de datos"),
]
