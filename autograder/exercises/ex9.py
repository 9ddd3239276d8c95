"""ex9 search: the student's ``search(X, y, seed)`` returns a fitted hyper-parameter search.

Contract and data orientation. This exercise follows scikit-learn's convention, not the
course's: ``X`` has shape ``(m, n_features)`` (one **row** per example, raw breast-cancer
features, float64) and ``y`` shape ``(m,)`` (integer labels 0 = malignant, 1 = benign).
``search`` returns a *fitted* ``sklearn.model_selection.GridSearchCV`` or
``RandomizedSearchCV`` (refit on the best candidate, the default) whose estimator is a
``Pipeline`` ending in a neural network (``MLPClassifier``, or Keras through a
scikit-learn wrapper: ``KerasClassifier``/``SKLearnClassifier``), with the feature scaling
as a step of that pipeline. ``seed`` is for the student's randomness (``random_state`` of
the network and of the folds), so the grade is deterministic.

How it runs. The grader splits scikit-learn's breast cancer (569 examples, 30 features)
into 426 training and 143 test examples (stratified, ``train_test_split`` with the seed),
calls ``search(X_train, y_train, seed)`` in the student's process, inspects the returned
object there (``sandbox/helpers.py``: ``sklearn_describe``, and the pipeline's own steps
through handles), asks ``search.predict(X_test)`` and computes the accuracy *here*,
against test labels that never enter the student's process. One search per (split seed,
search seed) is shared by the checks that need it: grading runs two searches (the public
one and, with ``grader grade``, the hidden one).

Checks (10 points; public 8, hidden 2)
* a fitted (and refit) ``GridSearchCV``/``RandomizedSearchCV`` from
  ``sklearn.model_selection`` whose pipeline ends in a neural network (1);
* cross-validation with at least 3 folds: ``n_splits_ ≥ 3`` (1.5);
* at least 4 distinct candidates in ``cv_results_["params"]`` (1.5);
* scaling inside the searched pipeline, fitted on the X the grader passed (2): a
  ``StandardScaler``, ``MinMaxScaler``, ``MaxAbsScaler``, ``RobustScaler``,
  ``QuantileTransformer`` or ``PowerTransformer`` step before the network, so that each
  cross-validation fold fits its own scaler (no leakage from the validation fold).
  Leakage/pre-scaling is detected two ways: (a) the pipeline's steps up to the scaler are
  applied to the raw ``X_train`` in the student's process; a scaler fitted on that X gives
  features of standard deviation about 1 (≤ 0.5 for the min-max kind), one fitted on
  already-scaled data gives the raw scales back (up to ≈ 570 for "worst area"): fail when a
  feature's standard deviation exceeds 20; (b) the search's accuracy on its own training
  inputs (``predict(X_train)`` vs ``y_train``, which the student already has) is compared
  with its cross-validation score ``best_score_``: a search fitted on transformed inputs
  scores ≈ 0.97 in CV but ≈ 0.4–0.6 on the raw inputs; fail when the training accuracy is
  more than 0.15 below ``best_score_``. (b) also tells "scaled before the search" from "no
  scaling at all" when the pipeline has no scaler. Limits: the structure is reported by
  the student's process (a hostile submission could fake it; the accuracy is computed
  here); a leaky transformer of another kind inside the pipeline (e.g. a
  ``FunctionTransformer`` with statistics of the whole X) is not recognised as a scaler,
  so it fails as "no scaler", as does a scaler nested in an inner Pipeline or
  ColumnTransformer (only the top-level steps are read); a scaler fitted on the whole X but
  placed back *into* the pipeline is harmless (the search clones and refits it per fold).
* test accuracy ≥ 0.90 on the public split (seed 0, search seed 1) (2);
* hidden: test accuracy ≥ 0.90 on a fresh split and search seed drawn with the hidden key (2).
  The accuracy checks count whatever the returned object predicts; they do not require a
  search (a plain network loses the structure checks, not these).

Thresholds, from measurements (this machine, scikit-learn 1.9.1, NumPy 2.4, one thread;
split seed = search seed = 0…N−1; 143 test examples, so one error is 0.007).
* The solution: ``Pipeline(StandardScaler, MLPClassifier(max_iter=300, learning_rate_init=0.01))``,
  ``GridSearchCV`` over ``hidden_layer_sizes ∈ {(16,), (32,)} × alpha ∈ {1e-3, 0.1, 1}`` with
  5 stratified shuffled folds (31 fits). Over 200 seeds: test accuracy min 0.944, 5th
  percentile 0.951, mean 0.974, max 1.000; search time mean 2.2 s, max 4.4 s (≈ 2 s in the
  sandbox). The public run (split 0, search seed 1) scores 0.951.
* Other reasonable student searches (4 candidates, 5 folds, 60 seeds): MinMaxScaler and
  ``MLPClassifier`` defaults (200 iterations, not converged) min 0.916, mean 0.962;
  StandardScaler and defaults min 0.937, mean 0.974; MinMaxScaler with ``max_iter=1000``
  min 0.944.
* The solution's search without the scaler: min 0.699, 5th percentile 0.825, mean 0.905,
  max 0.979 over 100 seeds; 30 of 100 below 0.90 (55 below 0.92). The accuracy threshold
  cannot separate it (breast cancer is easy), the scaling check does.
* A search fitted on pre-scaled X and asked about raw inputs: 0.37 (it predicts the
  minority class everywhere).
Threshold 0.90 (≤ 14 errors in 143): 0.044 (6 test examples) below the solution's worst
run in 200 and 0.016 below the worst default-settings MinMax run, while broken searches
(pre-scaled, constant class 0.63 or 0.37, unfitted) stay far below.

Time: one ``search`` call may take 120 s (the exercise's 300 s cover the public and the
hidden search plus loading); ``predict`` 30 s. The solution uses ≈ 2 % of that.
"""
from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from ..checks import Check, Fail, Mistake, mistake_catalog
from ..grading import describe_error
from ..messages import Msg, Text
from ..sandbox import Handle, SandboxError, TimedOut, Unsupported

THRESHOLD = 0.90
MIN_FOLDS = 3
MIN_CANDIDATES = 4
#: a feature of the scaler's output on the raw X_train with a larger standard deviation: not fitted on that X
SCALED_STD_BOUND = 20.0
#: training accuracy this far below best_score_: the search was fitted on other inputs than the X it got
MISMATCH_GAP = 0.15
TEST_FRACTION = 0.25
SEARCH_TIMEOUT_S = 120.0
PREDICT_TIMEOUT_S = 30.0
#: split seed and search seed of the public run
PUBLIC_DATA_SEED, PUBLIC_SEARCH_SEED = 0, 1

SEARCHES = ("GridSearchCV", "RandomizedSearchCV")
NETWORKS = ("MLPClassifier", "KerasClassifier", "SKLearnClassifier")
SCALERS = ("StandardScaler", "MinMaxScaler", "MaxAbsScaler", "RobustScaler", "QuantileTransformer",
           "PowerTransformer")

#: a search that returns nothing or does not finish leaves every check without an object to look at
_EVERY_CHECK = ("fitted_search", "cv_folds", "candidates", "scaler_in_pipeline", "test_accuracy",
                "test_accuracy_hidden")
#: no reference variants for this exercise: the mistakes are named by the checks themselves; targets: the
#: checks that name a mistake whatever else the submission does (the accuracy checks name the scaling
#: mistakes too, but only when the accuracy falls below the threshold)
MISTAKES = mistake_catalog(
    Mistake(
        "search_returned_none",
        "search returns nothing: end with `return search` (`search.fit(X, y)` also returns the search itself).",
        "search no devuelve nada: termina con `return search` (`search.fit(X, y)` también devuelve la propia "
        "búsqueda).",
        targets=_EVERY_CHECK),
    Mistake(
        "search_not_a_search",
        "search returns the model itself, without a search: wrap the pipeline in GridSearchCV(pipe, param_grid, "
        "cv=…) (or RandomizedSearchCV), fit that and return it.",
        "search devuelve el propio modelo, sin búsqueda: envuelve el pipeline en GridSearchCV(pipe, param_grid, "
        "cv=…) (o RandomizedSearchCV), ajústalo y devuélvelo.",
        targets=("fitted_search",)),
    Mistake(
        "search_pipeline_outside",
        "the search is inside a Pipeline (make_pipeline(StandardScaler(), GridSearchCV(…))): there the scaler is "
        "fitted on all of X before the cross-validation, validation folds included (leakage). Put the scaler "
        "inside: GridSearchCV(make_pipeline(StandardScaler(), MLPClassifier(…)), …), and return the search.",
        "la búsqueda está dentro de un Pipeline (make_pipeline(StandardScaler(), GridSearchCV(…))): así el "
        "escalador se ajusta con todo X antes de la validación cruzada, incluidos los pliegues de validación "
        "(fuga de información). Pon el escalador dentro: GridSearchCV(make_pipeline(StandardScaler(), "
        "MLPClassifier(…)), …), y devuelve la búsqueda.",
        targets=("fitted_search",)),
    Mistake(
        "search_not_fitted",
        "the search is returned without being fitted: call search.fit(X, y) before returning it.",
        "la búsqueda se devuelve sin ajustar: llama a search.fit(X, y) antes de devolverla.",
        targets=("fitted_search",)),
    Mistake(
        "search_no_refit",
        "refit=False: the search keeps no best model and cannot predict. Leave refit=True (the default).",
        "refit=False: la búsqueda no guarda el mejor modelo y no puede predecir. Deja refit=True (el valor por "
        "defecto).",
        targets=("fitted_search", "scaler_in_pipeline", "test_accuracy", "test_accuracy_hidden")),
    Mistake(
        "search_not_network",
        "the searched estimator must end in a neural network: MLPClassifier (or a Keras model through a "
        "scikit-learn wrapper).",
        "el estimador de la búsqueda debe terminar en una red neuronal: MLPClassifier (o un modelo de Keras con "
        "un envoltorio de scikit-learn).",
        targets=("fitted_search",)),
    Mistake(
        "search_few_folds",
        "too few folds: pass cv=5 (or StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)); a single "
        "train/validation split or 2 folds give a noisy estimate of each candidate.",
        "demasiado pocos pliegues: pasa cv=5 (o StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)); "
        "una única partición entrenamiento/validación o 2 pliegues dan una estimación ruidosa de cada candidato.",
        targets=("cv_folds",)),
    Mistake(
        "search_few_candidates",
        "the search compares too few settings: give the grid at least 4 combinations (e.g. 2 hidden-layer "
        "sizes × 2 values of alpha), or n_iter ≥ 4 for RandomizedSearchCV.",
        "la búsqueda compara demasiado pocas configuraciones: da a la rejilla al menos 4 combinaciones (p. ej. "
        "2 tamaños de capa oculta × 2 valores de alpha), o n_iter ≥ 4 en RandomizedSearchCV.",
        targets=("candidates",)),
    Mistake(
        "search_no_scaling",
        "the inputs are never scaled: the breast-cancer features range from about 0.001 to 4000, and a network "
        "trains badly on such scales. Make the scaler the pipeline's first step: "
        "make_pipeline(StandardScaler(), MLPClassifier(…)).",
        "las entradas nunca se escalan: las variables de breast cancer van de unos 0.001 a 4000, y una red se "
        "entrena mal con esas escalas. Haz del escalador el primer paso del pipeline: "
        "make_pipeline(StandardScaler(), MLPClassifier(…)).",
        targets=("scaler_in_pipeline",)),
    Mistake(
        "search_scaled_before",
        "X was scaled before the search (e.g. StandardScaler().fit_transform(X)) and the search fitted on the "
        "scaled copy: the scaler saw the validation folds (leakage), and the returned search expects scaled "
        "inputs while it is given raw ones. Fit the search on the raw X with the scaler as a pipeline step.",
        "X se escaló antes de la búsqueda (p. ej. StandardScaler().fit_transform(X)) y la búsqueda se ajustó "
        "con la copia escalada: el escalador vio los pliegues de validación (fuga de información), y la "
        "búsqueda devuelta espera entradas escaladas pero recibe las originales. Ajusta la búsqueda con el X "
        "original y el escalador como paso del pipeline.",
        targets=("scaler_in_pipeline",)),
    Mistake(
        "search_too_slow",
        "the search takes too long: keep it small (3–5 folds, 4–10 candidates, max_iter of a few hundred, "
        "small hidden layers).",
        "la búsqueda tarda demasiado: mantenla pequeña (3–5 pliegues, 4–10 candidatos, max_iter de unos "
        "cientos, capas ocultas pequeñas).",
        targets=_EVERY_CHECK),
)
SPECS: list = []  # no comparison with the reference: scored by structure and held-out accuracy


# ------------------------------------------------------------------ data
@lru_cache(maxsize=1)
def _breast_cancer() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_breast_cancer  # bundled with scikit-learn: nothing is downloaded

    data = load_breast_cancer()
    return np.asarray(data.data, dtype=np.float64), np.asarray(data.target, dtype=np.int64)


@dataclass(frozen=True)
class Split:
    """Breast cancer, examples as rows (scikit-learn's layout); ``y_test`` stays in the grader's process."""

    X_train: np.ndarray  # (426, 30) float64, raw
    y_train: np.ndarray  # (426,) int64
    X_test: np.ndarray   # (143, 30) float64, raw
    y_test: np.ndarray   # (143,) int64


def breast_cancer(seed: int) -> Split:
    """A stratified 75/25 split of scikit-learn's breast cancer; the same seed gives the same split."""
    from sklearn.model_selection import train_test_split

    X, y = _breast_cancer()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=TEST_FRACTION, stratify=y,
                                                        random_state=int(seed) % 2**32)
    return Split(X_train.copy(), y_train.copy(), X_test.copy(), y_test.copy())


# ------------------------------------------------------------------ one search (shared with ex12)
@dataclass
class Run:
    """One call of ``search`` and what was asked about its result (memoised per question)."""

    split: Split
    seed: int
    result: object = None
    error: SandboxError | None = None
    seconds: float = 0.0
    memo: dict = field(default_factory=dict)


def run_search(ctx, data_seed: int, search_seed: int, data=None) -> Run:
    """Call search(X_train, y_train, seed) once per submission, split seed and search seed (the runs live in
    ``ctx.state``, shared by the checks of one submission); ``data(seed)`` makes the split (default: breast
    cancer; ex12 passes Fashion-MNIST's)."""
    runs = ctx.state.setdefault("runs", {})
    key = (int(data_seed), int(search_seed))
    if key not in runs:
        split = (data or breast_cancer)(data_seed)
        run = Run(split, int(search_seed))
        start = time.monotonic()
        try:
            run.result = ctx.impl.call("search", split.X_train, split.y_train, int(search_seed),
                                       timeout=SEARCH_TIMEOUT_S)
        except SandboxError as exc:
            run.error = exc
        run.seconds = time.monotonic() - start
        runs[key] = run
    return runs[key]


def ask_once(run: Run, key: str, fn):
    """``fn()`` once per run; a SandboxError it raises is remembered and raised again."""
    if key not in run.memo:
        try:
            run.memo[key] = (True, fn())
        except SandboxError as exc:
            run.memo[key] = (False, exc)
    ok, value = run.memo[key]
    if not ok:
        raise value
    return value


def describe_value(ctx, value) -> Msg | str:
    if value is None:
        return "None"
    if isinstance(value, Unsupported):
        return value.what
    if isinstance(value, np.ndarray):
        return ctx.text(Text("a {dtype} array of shape {shape}", "un array {dtype} de forma {shape}"),
                        dtype=value.dtype.name, shape=value.shape)
    return ctx.text(Text("a {type}", "un {type}"), type=type(value).__name__)


def search_handle(ctx, run: Run) -> Handle:
    """The returned object, or Fail saying why there is none."""
    exc = run.error
    if exc is not None:
        if isinstance(exc, TimedOut) and exc.during != "the whole submission":
            raise Fail(ctx.text(Text("search() did not finish within {s:g} s.", "search() no terminó en {s:g} s."),
                                s=exc.seconds) + ctx.mistake("search_too_slow"))
        raise Fail(describe_error(exc, ctx.lang, "search()"))
    if not isinstance(run.result, Handle):
        message = ctx.text(Text("search(X, y, seed) returned {what}; it should return the fitted GridSearchCV or "
                                "RandomizedSearchCV.",
                                "search(X, y, seed) devolvió {what}; debería devolver el GridSearchCV o "
                                "RandomizedSearchCV ajustado."), what=describe_value(ctx, run.result))
        if run.result is None:
            message += ctx.mistake("search_returned_none")
        raise Fail(message)
    return run.result


def describe(ctx, run: Run) -> dict:
    handle = search_handle(ctx, run)
    info = ask_once(run, "describe", lambda: ctx.impl.helper("sklearn_describe", handle))
    if not isinstance(info, dict) or not isinstance(info.get("estimator_steps"), list):
        raise Fail(ctx.text(Text("the returned object could not be inspected.",
                                 "no se pudo inspeccionar el objeto devuelto.")))
    return info


def best_estimator(ctx, run: Run) -> Handle | None:
    """The search's refit model (a handle), or None when it has none (refit=False, not fitted)."""
    handle = search_handle(ctx, run)
    try:
        best = ask_once(run, "best_estimator", lambda: ctx.impl.getattr(handle, "best_estimator_"))
    except SandboxError:
        return None
    return best if isinstance(best, Handle) else None


def _pipeline_steps(ctx, run: Run) -> list[str]:
    """Class names of the steps of a returned Pipeline (empty when they cannot be read)."""
    handle = search_handle(ctx, run)
    try:
        steps = ask_once(run, "pipeline_steps", lambda: ctx.impl.getattr(handle, "steps"))
    except SandboxError:
        return []
    if not isinstance(steps, list):
        return []
    return [s[1].type_name if isinstance(s, tuple) and len(s) == 2 and isinstance(s[1], Handle) else "?"
            for s in steps]


def _plain(text) -> str:
    """A parameter's repr without NumPy's scalar wrapper: np.float64(0.5) -> 0.5."""
    return re.sub(r"np\.\w+\(([^()]*)\)", r"\1", str(text))


def is_search(info: dict) -> bool:
    return info.get("class") in SEARCHES and str(info.get("module", "")).startswith("sklearn.model_selection")


def require_search(ctx, info: dict):
    """Fail when the object is not a fitted search: the other structure checks have nothing to look at."""
    if not is_search(info) or not info.get("n_candidates"):
        raise Fail(ctx.text(Text("no cross-validated search to inspect: search returned a {cls}{fitted} "
                                 "(see the first check).",
                                 "no hay ninguna búsqueda con validación cruzada que inspeccionar: search devolvió "
                                 "un {cls}{fitted} (mira la primera comprobación)."),
                            cls=info.get("class"),
                            fitted="" if not is_search(info) else ctx.text(Text(" that is not fitted",
                                                                                 " sin ajustar"))))


def _predict(ctx, run: Run, which: str):
    """Labels predicted by the returned object for X_test, X_train or X_train standardised by the grader
    ("train_scaled": what a search fitted on a scaled copy of X expects), or Fail."""
    handle = search_handle(ctx, run)
    X = run.split.X_test if which == "test" else run.split.X_train
    if which == "train_scaled":
        X = (X - X.mean(axis=0)) / X.std(axis=0)
    try:
        out = ask_once(run, f"predict_{which}",
                   lambda: ctx.impl.helper("sklearn_predict", handle, X, timeout=PREDICT_TIMEOUT_S))
    except SandboxError as exc:
        message = describe_error(exc, ctx.lang, "search.predict(X)")
        info = describe(ctx, run)
        if is_search(info) and info.get("n_candidates") and best_estimator(ctx, run) is None:
            message += ctx.mistake("search_no_refit")
        raise Fail(message) from None
    m = X.shape[0]
    arr = None if isinstance(out, (Unsupported, Handle, str, dict)) or out is None else np.asarray(out)
    if arr is not None and arr.ndim == 2 and arr.size == m:
        arr = arr.reshape(m)
    ok = arr is not None and arr.shape == (m,) and arr.dtype.kind in "biuf" and bool(np.all(np.isfinite(arr)))
    if not ok:
        raise Fail(ctx.text(Text("search.predict(X) on {m} examples returned {what}; expected {m} labels (0 or 1).",
                                 "search.predict(X) con {m} ejemplos devolvió {what}; se esperaban {m} etiquetas "
                                 "(0 o 1)."), m=m, what=describe_value(ctx, out if arr is None else arr)))
    return arr.astype(np.float64)


# ------------------------------------------------------------------ checks
def _public(ctx) -> Run:
    return run_search(ctx, PUBLIC_DATA_SEED, PUBLIC_SEARCH_SEED)


def check_search(ctx):
    run = _public(ctx)
    info = describe(ctx, run)
    cls, module, steps = info.get("class"), str(info.get("module", "")), info["estimator_steps"]
    if not is_search(info):
        message = ctx.text(Text("search returned a {cls} (from {module}), not a GridSearchCV or RandomizedSearchCV "
                                "from sklearn.model_selection.",
                                "search devolvió un {cls} (de {module}), no un GridSearchCV o RandomizedSearchCV de "
                                "sklearn.model_selection."), cls=cls, module=module)
        steps = _pipeline_steps(ctx, run) if cls == "Pipeline" else []
        if steps:
            message += ctx.text(Text(" Its steps: {steps}.", " Sus pasos: {steps}."), steps=" → ".join(steps))
        if any(step in SEARCHES for step in steps):
            message += ctx.mistake("search_pipeline_outside")
        elif cls in NETWORKS or cls == "Pipeline":
            message += ctx.mistake("search_not_a_search")
        raise Fail(message)
    if not info.get("n_candidates"):
        raise Fail(ctx.text(Text("the {cls} has no cv_results_.", "el {cls} no tiene cv_results_."), cls=cls)
                   + ctx.mistake("search_not_fitted"))
    if best_estimator(ctx, run) is None:
        raise Fail(ctx.text(Text("the {cls} has no best_estimator_.", "el {cls} no tiene best_estimator_."),
                            cls=cls) + ctx.mistake("search_no_refit"))
    if steps[-1] not in NETWORKS:
        raise Fail(ctx.text(Text("the {cls} tunes {steps}, whose last step is not a neural network.",
                                 "el {cls} ajusta {steps}, cuyo último paso no es una red neuronal."),
                            cls=cls, steps=" → ".join(steps)) + ctx.mistake("search_not_network"))
    return ctx.text(Text("{cls} over {steps}.", "{cls} sobre {steps}."), cls=cls, steps=" → ".join(steps))


def folds_check(public):
    """The check that the search ``public(ctx)`` returns used at least MIN_FOLDS folds (ex9 and ex12)."""
    def check(ctx):
        info = describe(ctx, public(ctx))
        require_search(ctx, info)
        n = int(info.get("n_splits") or 0)
        if n < MIN_FOLDS:
            raise Fail(ctx.text(Text("the search used {n} cross-validation split(s); it needs at least {k} folds.",
                                     "la búsqueda usó {n} partición(es) de validación cruzada; necesita al menos "
                                     "{k} pliegues."), n=n, k=MIN_FOLDS) + ctx.mistake("search_few_folds"))
        return ctx.text(Text("{n} folds.", "{n} pliegues."), n=n)
    return check


check_folds = folds_check(_public)


def _distinct_candidates(ctx, run: Run, info: dict) -> int:
    handle = search_handle(ctx, run)
    try:
        results = ask_once(run, "cv_results", lambda: ctx.impl.getattr(handle, "cv_results_"))
        params = results.get("params") if isinstance(results, dict) else None
    except SandboxError:
        params = None
    if not isinstance(params, list):
        return int(info.get("n_candidates") or 0)
    return len({repr(sorted(p.items())) if isinstance(p, dict) else repr(p) for p in params})


def check_candidates(ctx):
    run = _public(ctx)
    info = describe(ctx, run)
    require_search(ctx, info)
    total = int(info.get("n_candidates") or 0)
    distinct = _distinct_candidates(ctx, run, info)
    if distinct < MIN_CANDIDATES:
        raise Fail(ctx.text(Text("the search compared {d} distinct candidate setting(s) ({n} in cv_results_); it "
                                 "needs at least {k}.",
                                 "la búsqueda comparó {d} configuración(es) candidata(s) distinta(s) ({n} en "
                                 "cv_results_); necesita al menos {k}."), d=distinct, n=total, k=MIN_CANDIDATES)
                   + ctx.mistake("search_few_candidates"))
    return ctx.text(Text("{d} candidates; best {best}.", "{d} candidatos; el mejor, {best}."),
                    d=distinct, best=", ".join(f"{k}={_plain(v)}" for k, v in info.get("best_params", {}).items()))


def _fitted_on_other_inputs(ctx, run: Run, info: dict) -> tuple[bool, float]:
    """(whether the search was fitted on other inputs than the X it received, training accuracy): it fits
    its own training inputs much worse than its CV score says, that score shows it learned more than the
    majority class, and it fits a standardised copy of its inputs as well as that score says (an unscaled
    network stuck near the majority class, whose predictions swing between classes, is none of this)."""
    best = info.get("best_score")
    try:
        train_acc = float(np.mean(_predict(ctx, run, "train") == run.split.y_train))
    except Fail:
        return False, math.nan
    majority = float(max(np.mean(run.split.y_train), 1.0 - np.mean(run.split.y_train)))
    if not isinstance(best, float) or not math.isfinite(best) or train_acc >= best - MISMATCH_GAP \
            or best < majority + MISMATCH_GAP / 3:
        return False, train_acc
    try:
        scaled_acc = float(np.mean(_predict(ctx, run, "train_scaled") == run.split.y_train))
    except Fail:
        return False, train_acc
    # a network fitted on a scaled copy fits that copy at least about as well as its CV score (training
    # accuracy is rarely below it); an erratic unscaled one with a lucky fold does not
    return scaled_acc >= best - MISMATCH_GAP / 3, train_acc


def _scaler_output_std(ctx, run: Run, upto: int) -> float:
    """The largest feature standard deviation of the pipeline's steps 0..upto applied to the raw X_train."""
    def ask():
        steps = ctx.impl.getattr(best_estimator(ctx, run), "steps")
        Z = run.split.X_train
        for _, step in steps[:upto + 1]:
            Z = ctx.impl.method(step, "transform", Z)
        return Z

    try:
        Z = ask_once(run, f"scaled_{upto}", ask)
        Z = np.asarray(Z, dtype=np.float64)
    except (SandboxError, TypeError, ValueError) as exc:
        raise Fail(ctx.text(Text("the pipeline's steps could not transform X ({detail}).",
                                 "los pasos del pipeline no pudieron transformar X ({detail})."),
                            detail=str(exc)[:200])) from None
    if Z.ndim != 2 or Z.shape[0] != run.split.X_train.shape[0] or not np.all(np.isfinite(Z)):
        return math.inf
    return float(Z.std(axis=0).max())


def check_scaling(ctx):
    run = _public(ctx)
    info = describe(ctx, run)
    require_search(ctx, info)
    steps = info["estimator_steps"]
    scalers = [i for i, name in enumerate(steps[:-1]) if name in SCALERS]
    other_inputs, train_acc = _fitted_on_other_inputs(ctx, run, info)
    mismatch = ctx.text(Text(" The returned search predicts the training inputs it was given with accuracy "
                             "{acc:.2f}, while its cross-validation score is {best:.2f}: it was fitted on "
                             "transformed inputs, not on the X it received.",
                             " La búsqueda devuelta predice las entradas de entrenamiento que recibió con "
                             "exactitud {acc:.2f}, mientras que su puntuación de validación cruzada es {best:.2f}: "
                             "se ajustó con entradas transformadas, no con el X que recibió."),
                        acc=train_acc, best=info.get("best_score", math.nan))
    if not scalers:
        message = ctx.text(Text("the searched estimator is {steps}: no scaler ({names}) before the network, so the "
                                "scaling is not fitted inside each cross-validation fold.",
                                "el estimador de la búsqueda es {steps}: no hay escalador ({names}) antes de la red, "
                                "así que el escalado no se ajusta dentro de cada pliegue de validación cruzada."),
                           steps=" → ".join(steps), names=", ".join(SCALERS[:2]) + ", …")
        if other_inputs:
            raise Fail(message + mismatch + ctx.mistake("search_scaled_before"))
        raise Fail(message + ctx.mistake("search_no_scaling"))
    if best_estimator(ctx, run) is None:
        raise Fail(ctx.text(Text("the search has no best_estimator_ whose scaler could be inspected.",
                                 "la búsqueda no tiene best_estimator_ cuyo escalador se pueda inspeccionar."))
                   + ctx.mistake("search_no_refit"))
    std = _scaler_output_std(ctx, run, scalers[0])
    if std > SCALED_STD_BOUND:
        raise Fail(ctx.text(Text("applied to the X given to search, the pipeline's {scaler} leaves a feature with "
                                 "standard deviation {std:.3g}; a scaler fitted on that X gives about 1. It was "
                                 "fitted on other data (or does not scale, e.g. with_std=False).",
                                 "aplicado al X que recibió search, el {scaler} del pipeline deja una variable con "
                                 "desviación típica {std:.3g}; un escalador ajustado con ese X da alrededor de 1. Se "
                                 "ajustó con otros datos (o no escala, p. ej. with_std=False)."),
                            scaler=steps[scalers[0]], std=std)
                   + (mismatch if other_inputs else "") + ctx.mistake("search_scaled_before"))
    if other_inputs:
        raise Fail(mismatch.map(str.strip) + ctx.mistake("search_scaled_before"))
    return ctx.text(Text("{scaler} inside the pipeline, fitted on the X the search received.",
                         "{scaler} dentro del pipeline, ajustado con el X que recibió la búsqueda."),
                    scaler=steps[scalers[0]])


def _accuracy(ctx, run: Run) -> Msg:
    search_handle(ctx, run)
    labels = _predict(ctx, run, "test")
    accuracy = float(np.mean(labels == run.split.y_test))
    fields = dict(acc=accuracy, m=run.split.y_test.size, thr=THRESHOLD, s=run.seconds)
    if accuracy >= THRESHOLD:
        return ctx.text(Text("test accuracy {acc:.3f} on {m} breast-cancer examples (threshold {thr:.2f}); the search "
                             "took {s:.1f} s.",
                             "exactitud en test {acc:.3f} con {m} ejemplos de breast cancer (umbral {thr:.2f}); la "
                             "búsqueda tardó {s:.1f} s."), **fields)
    message = ctx.text(Text("test accuracy {acc:.3f} on {m} breast-cancer examples; it must reach {thr:.2f}. A scaled "
                            "MLP gets about 0.97 here.",
                            "exactitud en test {acc:.3f} con {m} ejemplos de breast cancer; debe llegar a {thr:.2f}. "
                            "Un MLP con entradas escaladas obtiene aquí alrededor de 0.97."), **fields)
    info = describe(ctx, run)
    other_inputs, _ = _fitted_on_other_inputs(ctx, run, info)
    if other_inputs:
        message += ctx.mistake("search_scaled_before")
    elif not any(name in SCALERS for name in info["estimator_steps"][:-1]):
        message += ctx.mistake("search_no_scaling")
    raise Fail(message)


def check_accuracy(ctx):
    return _accuracy(ctx, _public(ctx))


def check_accuracy_hidden(ctx):
    data_seed, search_seed = (int(s) for s in ctx.rng.integers(1, 2**31 - 1, size=2))
    return _accuracy(ctx, run_search(ctx, data_seed, search_seed))


_NEEDS = ("search",)
CHECKS = [
    Check("search: a fitted GridSearchCV or RandomizedSearchCV over a neural network", 1, check_search, _NEEDS,
          cell="search", id="fitted_search",
          title_es="search: un GridSearchCV o RandomizedSearchCV ajustado sobre una red neuronal"),
    Check(f"search: cross-validation with at least {MIN_FOLDS} folds", 1.5, check_folds, _NEEDS, cell="search",
          id="cv_folds", title_es=f"search: validación cruzada con al menos {MIN_FOLDS} pliegues"),
    Check(f"search: at least {MIN_CANDIDATES} distinct candidates", 1.5, check_candidates, _NEEDS, cell="search",
          id="candidates", title_es=f"search: al menos {MIN_CANDIDATES} candidatos distintos"),
    Check("search: the scaler is a step of the searched pipeline (no leakage)", 2, check_scaling, _NEEDS,
          cell="search", id="scaler_in_pipeline",
          title_es="search: el escalador es un paso del pipeline de la búsqueda (sin fuga de información)"),
    Check(f"search: test accuracy ≥ {THRESHOLD:.2f} on breast cancer", 2, check_accuracy, _NEEDS, cell="search",
          id="test_accuracy", title_es=f"search: exactitud en test ≥ {THRESHOLD:.2f} con breast cancer"),
    Check(f"search (hidden): test accuracy ≥ {THRESHOLD:.2f} on a fresh split and seed", 2, check_accuracy_hidden,
          _NEEDS, hidden=True, cell="search", id="test_accuracy_hidden",
          title_es=f"search (oculta): exactitud en test ≥ {THRESHOLD:.2f} con una partición y una semilla nuevas"),
]
