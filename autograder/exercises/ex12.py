"""ex12 keras-search: a Keras model tuned by scikit-learn's GridSearchCV and by Bayesian optimisation.

Contract: docs/contract-ex12.md (SPEC.md is read-only here). ``X`` is ``(m, 784)`` float32, Fashion-MNIST pixels scaled to
[0, 1], one image per **row**; ``y`` is ``(m,)`` integer labels 0–9.

* ``build_model(X, y, n_hidden=64, learning_rate=1e-3, dropout=0.0)``: the compiled Keras model
  ``keras.wrappers.SKLearnClassifier`` asks for (it calls ``model(X=X, y=y, **model_kwargs)`` with
  one-hot ``y`` of shape ``(m, n_classes)``): sizes read from ``X`` and ``y``, a hidden Dense layer of
  ``n_hidden`` units, a Dropout of rate ``dropout``, a softmax output, Adam at ``learning_rate``.
* ``search(X, y, seed)``: a fitted ``GridSearchCV``/``RandomizedSearchCV`` over
  ``SKLearnClassifier(model=build_model)`` (optionally the last step of a Pipeline) whose candidates
  vary ``build_model``'s hyper-parameters through ``model_kwargs``.
* ``tune(X, y, seed)``: a ``bayes_opt.BayesianOptimization`` after ``maximize``, whose bounds are
  named after ``build_model``'s hyper-parameters (``log10_`` prefix: the log scale) and whose targets
  are validation accuracies.

Why Keras 3's wrapper and not scikeras (the study guide's). Measured here with scikit-learn 1.9.1,
Keras 3.15.1 and scikeras 0.13.0 (its latest release, 2024-04): ``sklearn.base.is_classifier`` is
False for ``scikeras.wrappers.KerasClassifier`` (its tags predate scikit-learn 1.6's
``__sklearn_tags__``), so ``GridSearchCV(cv=3)`` silently uses plain ``KFold`` instead of stratified
folds; it is True for ``keras.wrappers.SKLearnClassifier``, which also needs no extra package.
Keras' wrapper has its own trap, also measured: its ``__sklearn_clone__`` drops ``fit_kwargs``, so a
``SKLearnClassifier(fit_kwargs={"epochs": 10})`` inside a search trains every fold and the refit
model for one epoch (test accuracy ≈ 0.72 instead of ≈ 0.80). The contract passes the training
settings to ``search.fit(X, y, epochs=…)``; the ``search_epochs`` check names the trap.

How it runs. The grader draws 1500 training and 1000 test images from Fashion-MNIST (its train and
test parts, by the split seed: ``autograder/data.py``, which finds Debian's ``dataset-fashion-mnist``
or ``$GRADER_FASHION_MNIST``; nothing is downloaded), calls the student's functions in the sandbox,
inspects the returned objects there (``sandbox/helpers.py``: ``keras_describe``,
``sklearn_describe``, ``keras_search_describe``, ``bayes_describe``: the student process's word on
structure), asks ``search.predict(X_test)`` and computes the accuracy *here*, against test labels that
never enter the student's process. The public search (split 0, search seed 1) is shared by the checks
that need it; the hidden check runs a second search on a split and seed drawn with the hidden key.
For the feedback page the grader trains ``build_model`` with the search's best ``model_kwargs`` once
more (20 epochs at most, 20 % validation split, early stopping with patience 5) and attaches the
learning curves (public run only; never scored).

Checks (12 points; public 10.5, hidden 1.5)
* build_model: a compiled model whose sizes come from X and y (softmax rows of n_classes) (1.5);
* build_model: n_hidden, learning_rate and dropout are used (two settings) (1.5);
* search: a fitted, refit GridSearchCV/RandomizedSearchCV over keras.wrappers.SKLearnClassifier (1);
* search: at least 3 cross-validation folds (1);
* search: at least 2 distinct candidates that vary build_model's hyper-parameters (1);
* search: the refit model trained for more than one epoch (1);
* search: test accuracy ≥ THRESHOLD on the public split (2); the same on a fresh split and seed (hidden, 1.5);
* tune: a BayesianOptimization with ≥ 6 probes over build_model's hyper-parameters, targets in [0, 1]
  (validation accuracies), best ≥ 0.70 (1.5).

Thresholds, from measurements (this machine, 2 cores shared with other work, TensorFlow 2.21 CPU,
scikit-learn 1.9.1; split seed s = 0…N−1 with search seed 1000 + s; 1000 test images, so one error
is 0.001; script: ``bench/ex12_thresholds.py``):
* the solution (GridSearchCV over 2 candidates, n_hidden 32 / lr 3e-3 and n_hidden 128 / lr 1e-3,
  3 stratified folds, 8 epochs of batch 64): over 60 seeds test accuracy min 0.754,
  5th percentile 0.768, mean 0.793, standard deviation 0.017, max 0.833; none below 0.72;
* the same search fallen into the wrapper's fit_kwargs trap (each model trained 1 epoch of batch
  32): over 50 seeds min 0.670, mean 0.709, standard deviation 0.021, max 0.749; 31 of 50 below
  0.72.
Threshold 0.72: the solution's accuracies look normal (mean and standard deviation above), so a
correct search fails a hidden draw with probability ≈ Φ((0.72 − mean)/sd), about 1e-5; the trap fails
it in about 6 draws of 10 (and loses the epochs check in every one); an untrained or constant model (≈ 0.10)
always does. A network without a hidden layer passes: the same search without the hidden layer scored
min 0.766, mean 0.785, max 0.808 over 20 seeds (with 1500 images and 8 epochs a hidden layer barely
helps on Fashion-MNIST). The threshold separates working searches from broken ones; the structure
checks (n_hidden used, candidates that vary it) do the rest.
Time: the solution's search took 18.7 s on average and 35.9 s at most while the machine ran other work
(8–11 s alone); the limits are 120 s per search and per tune.
"""
from __future__ import annotations

import math
import time
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from ..checks import Check, Fail, Mistake, mistake_catalog
from ..grading import describe_error
from ..messages import Msg, Text
from ..sandbox import Handle, SandboxError, TimedOut
from . import ex9

N_TRAIN, N_TEST = 1500, 1000
THRESHOLD = 0.72
#: the best validation accuracy a tuning must report (a working score function on 500 validation images)
TUNE_MIN_TARGET = 0.70
MIN_CANDIDATES = 2
MIN_PROBES = 6
SEARCH_TIMEOUT_S = 120.0
TUNE_TIMEOUT_S = 120.0
BUILD_TIMEOUT_S = 60.0
PREDICT_TIMEOUT_S = 30.0
PUBLIC_DATA_SEED, PUBLIC_SEARCH_SEED = 0, 1
#: build_model's hyper-parameters (what model_kwargs and tune's bounds may name)
HYPER = ("n_hidden", "learning_rate", "dropout")
#: the two settings build_model is called with by the hyper-parameter check: (n_hidden, learning_rate, dropout)
SETTINGS = ((12, 0.004, 0.3), (20, 0.0005, 0.1))
#: the learning curve shown on the feedback page
CURVE_EPOCHS, CURVE_PATIENCE = 20, 5

_SEARCH_CHECKS = ("fitted_search", "cv_folds", "candidates", "search_epochs", "test_accuracy",
                  "test_accuracy_hidden")
MISTAKES = mistake_catalog(
    # the ids ex9's shared search helpers name (ex9.describe, ex9.search_handle)
    Mistake("search_returned_none",
            "search returns nothing: end with `return search` (`search.fit(X, y, …)` returns the search itself).",
            "search no devuelve nada: termina con `return search` (`search.fit(X, y, …)` devuelve la propia "
            "búsqueda).", targets=_SEARCH_CHECKS),
    Mistake("search_not_a_search",
            "search returns the classifier itself, without a search: wrap SKLearnClassifier(model=build_model) in "
            "GridSearchCV(classifier, {\"model_kwargs\": [...]}, cv=…), fit that and return it.",
            "search devuelve el propio clasificador, sin búsqueda: envuelve SKLearnClassifier(model=build_model) en "
            "GridSearchCV(clasificador, {\"model_kwargs\": [...]}, cv=…), ajústalo y devuélvelo.",
            targets=("fitted_search",)),
    Mistake("search_not_fitted",
            "the search is returned without being fitted: call search.fit(X, y, epochs=…) before returning it.",
            "la búsqueda se devuelve sin ajustar: llama a search.fit(X, y, epochs=…) antes de devolverla.",
            targets=("fitted_search",)),
    Mistake("search_no_refit",
            "refit=False: the search keeps no best model and cannot predict. Leave refit=True (the default).",
            "refit=False: la búsqueda no guarda el mejor modelo y no puede predecir. Deja refit=True (el valor por "
            "defecto).", targets=("fitted_search", "search_epochs", "test_accuracy", "test_accuracy_hidden")),
    Mistake("search_few_folds",
            "too few folds: pass cv=StratifiedKFold(n_splits=3, shuffle=True, random_state=seed) (or more folds).",
            "demasiado pocos pliegues: pasa cv=StratifiedKFold(n_splits=3, shuffle=True, random_state=seed) (o más "
            "pliegues).", targets=("cv_folds",)),
    Mistake("search_too_slow",
            "the search takes too long: keep it small (3 folds, 2–4 candidates, about 8 epochs, a hidden layer of "
            "at most a few hundred units).",
            "la búsqueda tarda demasiado: mantenla pequeña (3 pliegues, 2–4 candidatos, unas 8 épocas, una capa "
            "oculta de como mucho unos cientos de unidades).", targets=_SEARCH_CHECKS),
    # ex12's own
    Mistake("search_not_keras_wrapper",
            "the search does not tune a Keras model through keras.wrappers.SKLearnClassifier(model=build_model): "
            "that wrapper is what makes your build_model a scikit-learn classifier.",
            "la búsqueda no ajusta un modelo de Keras mediante keras.wrappers.SKLearnClassifier(model=build_model): "
            "ese envoltorio es lo que convierte tu build_model en un clasificador de scikit-learn.",
            targets=("fitted_search",)),
    Mistake("search_few_candidates",
            "the search compares fewer than 2 settings: give it a list of at least 2 model_kwargs dicts, e.g. "
            "{\"model_kwargs\": [{\"n_hidden\": 32}, {\"n_hidden\": 128}]}.",
            "la búsqueda compara menos de 2 configuraciones: dale una lista de al menos 2 dicts model_kwargs, p. ej. "
            "{\"model_kwargs\": [{\"n_hidden\": 32}, {\"n_hidden\": 128}]}.", targets=("candidates",)),
    Mistake("search_grid_not_model",
            "the candidates differ only in training settings (fit_kwargs, epochs…), not in the model: vary "
            "build_model's hyper-parameters (n_hidden, learning_rate, dropout) through model_kwargs.",
            "los candidatos solo difieren en ajustes de entrenamiento (fit_kwargs, épocas…), no en el modelo: varía "
            "los hiperparámetros de build_model (n_hidden, learning_rate, dropout) mediante model_kwargs.",
            targets=("candidates",)),
    Mistake("search_fit_kwargs_lost",
            "the epochs were given as SKLearnClassifier(fit_kwargs=…): when scikit-learn clones the wrapper for each "
            "fold (and for the refit), Keras 3's wrapper drops fit_kwargs, so every model trained for one epoch. "
            "Pass them to the search's fit instead: search.fit(X, y, epochs=8, batch_size=64, verbose=0).",
            "las épocas se dieron como SKLearnClassifier(fit_kwargs=…): cuando scikit-learn clona el envoltorio para "
            "cada pliegue (y para el reentrenamiento), el envoltorio de Keras 3 pierde fit_kwargs, así que cada "
            "modelo se entrenó una sola época. Pásalos al fit de la búsqueda: search.fit(X, y, epochs=8, "
            "batch_size=64, verbose=0).", targets=("search_epochs",)),
    Mistake("build_hardcoded_sizes",
            "build_model writes the sizes of Fashion-MNIST (784 inputs, 10 classes) instead of reading them: use "
            "keras.Input(shape=(X.shape[1],)) and Dense(y.shape[1], activation=\"softmax\") (y arrives one-hot).",
            "build_model escribe los tamaños de Fashion-MNIST (784 entradas, 10 clases) en vez de leerlos: usa "
            "keras.Input(shape=(X.shape[1],)) y Dense(y.shape[1], activation=\"softmax\") (y llega en one-hot).",
            targets=("build_model",)),
    Mistake("build_not_compiled",
            "build_model returns a model that is not compiled: call model.compile(optimizer=keras.optimizers."
            "Adam(learning_rate=learning_rate), loss=\"categorical_crossentropy\", metrics=[\"accuracy\"]).",
            "build_model devuelve un modelo sin compilar: llama a model.compile(optimizer=keras.optimizers."
            "Adam(learning_rate=learning_rate), loss=\"categorical_crossentropy\", metrics=[\"accuracy\"]).",
            targets=("build_model",)),
    Mistake("build_ignores_n_hidden",
            "build_model ignores n_hidden: the hidden layer must be Dense(n_hidden, activation=\"relu\"), or the "
            "search compares identical models.",
            "build_model ignora n_hidden: la capa oculta debe ser Dense(n_hidden, activation=\"relu\"); si no, la "
            "búsqueda compara modelos idénticos.", targets=("build_hyperparameters",)),
    Mistake("build_ignores_learning_rate",
            "build_model ignores learning_rate: compile with keras.optimizers.Adam(learning_rate=learning_rate) "
            "(the string \"adam\" always uses 0.001).",
            "build_model ignora learning_rate: compila con keras.optimizers.Adam(learning_rate=learning_rate) (la "
            "cadena \"adam\" usa siempre 0.001).", targets=("build_hyperparameters",)),
    Mistake("build_ignores_dropout",
            "build_model ignores dropout: add keras.layers.Dropout(dropout) after the hidden layer.",
            "build_model ignora dropout: añade keras.layers.Dropout(dropout) tras la capa oculta.",
            targets=("build_hyperparameters",)),
    Mistake("tune_not_bayes_opt",
            "tune must return the bayes_opt.BayesianOptimization object after optimizer.maximize(…) (the "
            "bayesian-optimization package).",
            "tune debe devolver el objeto bayes_opt.BayesianOptimization tras optimizer.maximize(…) (el paquete "
            "bayesian-optimization).", targets=("tune",)),
    Mistake("tune_few_probes",
            "the optimisation evaluated too few settings: maximize(init_points=3, n_iter=3) evaluates 6 (a few "
            "random starts, then the Gaussian process's proposals).",
            "la optimización evaluó demasiado pocas configuraciones: maximize(init_points=3, n_iter=3) evalúa 6 "
            "(unos pocos puntos aleatorios y luego las propuestas del proceso gaussiano).", targets=("tune",)),
    Mistake("tune_targets_not_accuracy",
            "the function the optimizer maximises does not return a validation accuracy in [0, 1] (a loss, or its "
            "negative?): BayesianOptimization maximises, so return the accuracy on the held-out part.",
            "la función que maximiza el optimizador no devuelve una exactitud de validación en [0, 1] (¿una pérdida, "
            "o su negativo?): BayesianOptimization maximiza, así que devuelve la exactitud en la parte reservada.",
            targets=("tune",)),
    Mistake("tune_unknown_bounds",
            "the bounds are not named after build_model's hyper-parameters: use n_hidden, learning_rate, dropout "
            "(or log10_learning_rate for a log scale) as the keys of pbounds.",
            "los límites no llevan el nombre de los hiperparámetros de build_model: usa n_hidden, learning_rate, "
            "dropout (o log10_learning_rate para una escala logarítmica) como claves de pbounds.",
            targets=("tune",)),
)
SPECS: list = []  # no comparison with the reference: scored by structure and held-out accuracy


# ------------------------------------------------------------------ data
class Split(NamedTuple):
    """Fashion-MNIST, examples as rows (scikit-learn's and Keras' layout); ``y_test`` stays here."""

    X_train: np.ndarray  # (1500, 784) float32 in [0, 1]
    y_train: np.ndarray  # (1500,) int64
    X_test: np.ndarray   # (1000, 784) float32 in [0, 1]
    y_test: np.ndarray   # (1000,) int64


@lru_cache(maxsize=4)
def fashion_split(seed: int) -> Split:
    """1500 training and 1000 test images drawn by ``seed`` from Fashion-MNIST's train and test parts."""
    from ..data import fashion_mnist

    X_tr, T_tr, X_te, y_te = fashion_mnist(int(seed), N_TRAIN, N_TEST)
    return Split((X_tr.T / 255.0).astype(np.float32), T_tr.argmax(axis=0).astype(np.int64),
                 (X_te.T / 255.0).astype(np.float32), y_te.astype(np.int64))


def _public(ctx) -> ex9.Run:
    return ex9.run_search(ctx, PUBLIC_DATA_SEED, PUBLIC_SEARCH_SEED, data=fashion_split)


# ------------------------------------------------------------------ build_model
def _probe(n_features: int, n_classes: int, m: int = 6):
    """Small inputs and one-hot targets of other sizes than Fashion-MNIST's."""
    rng = np.random.default_rng(12)
    X = rng.random((m, n_features)).astype(np.float32)
    return X, np.eye(n_classes, dtype=np.float32)[np.arange(m) % n_classes]


def _build(ctx, X, Y, **hyper) -> tuple[Handle, dict]:
    """build_model(X=X, y=Y, **hyper) in the student's process: the model's handle and its description."""
    try:
        model = ctx.impl.call("build_model", X=X, y=Y, timeout=BUILD_TIMEOUT_S, **hyper)
    except SandboxError as exc:
        message = describe_error(exc, ctx.lang, "build_model()")
        if "784" in str(exc):
            message += ctx.mistake("build_hardcoded_sizes")
        raise Fail(message) from None
    info = ctx.impl.helper("keras_describe", model) if isinstance(model, Handle) else None
    if not isinstance(info, dict) or "layers" not in info:
        raise Fail(ctx.text(Text("build_model returned {what}, not a Keras model.",
                                 "build_model devolvió {what}, no un modelo de Keras."), what=ex9.describe_value(ctx, model)))
    if not info.get("compiled"):
        raise Fail(ctx.text(Text("build_model returns a model that is not compiled.",
                                 "build_model devuelve un modelo sin compilar.")) + ctx.mistake("build_not_compiled"))
    return model, info


def check_build(ctx):
    X, Y = _probe(5, 3)
    model, _ = _build(ctx, X, Y)
    try:
        out = ctx.impl.helper("keras_predict", model, X, timeout=PREDICT_TIMEOUT_S)
    except SandboxError as exc:
        message = ctx.text(Text("the model of build_model(X, y) with X of shape {xs} and y of shape {ys} cannot "
                                "predict X: {error}",
                                "el modelo de build_model(X, y) con X de forma {xs} e y de forma {ys} no puede "
                                "predecir X: {error}"), xs=X.shape, ys=Y.shape, error=describe_error(exc, ctx.lang, "model.predict(X)"))
        raise Fail(message + ctx.mistake("build_hardcoded_sizes")) from None
    out = np.asarray(out, dtype=np.float64) if isinstance(out, np.ndarray) else None
    if out is None or out.shape != Y.shape:
        message = ctx.text(Text("with X of shape {xs} and one-hot y of shape {ys}, the model outputs {shape}; "
                                "expected {ys} (one row per example, one column per class).",
                                "con X de forma {xs} e y one-hot de forma {ys}, el modelo da {shape}; se esperaba "
                                "{ys} (una fila por ejemplo, una columna por clase)."),
                           xs=X.shape, ys=Y.shape, shape=None if out is None else out.shape)
        if out is not None and out.ndim == 2 and out.shape[1] == 10:
            message += ctx.mistake("build_hardcoded_sizes")
        raise Fail(message)
    if not (np.all(np.isfinite(out)) and np.all(out >= 0) and np.allclose(out.sum(axis=1), 1.0, atol=1e-4)):
        raise Fail(ctx.text(Text("the model's outputs are not probabilities (rows of a softmax summing to 1): "
                                 "the output layer needs activation=\"softmax\".",
                                 "las salidas del modelo no son probabilidades (filas de una softmax que suman 1): "
                                 "la capa de salida necesita activation=\"softmax\".")))
    return ctx.text(Text("a compiled model from {n} inputs to {c} softmax outputs.",
                         "un modelo compilado de {n} entradas a {c} salidas softmax."), n=X.shape[1], c=Y.shape[1])


def check_hyperparameters(ctx):
    X, Y = _probe(6, 4)
    problems, named = [], []
    for n_hidden, lr, rate in SETTINGS:
        _, info = _build(ctx, X, Y, n_hidden=n_hidden, learning_rate=lr, dropout=rate)
        layers = info["layers"]
        dense = [layer for layer in layers if layer["class"] == "Dense"]
        rates = [layer.get("rate") for layer in layers if layer["class"] == "Dropout"]
        got_lr = info.get("learning_rate")
        call = f"build_model(X, y, n_hidden={n_hidden}, learning_rate={lr}, dropout={rate})"
        if not any(layer.get("units") == n_hidden for layer in dense[:-1]):
            problems.append(ctx.text(Text("{call}: no hidden Dense layer of {n} units (units: {units}).",
                                          "{call}: ninguna capa Dense oculta de {n} unidades (unidades: {units})."),
                                     call=call, n=n_hidden, units=[layer.get("units") for layer in dense]))
            named.append("build_ignores_n_hidden")
        if got_lr is None or not math.isclose(got_lr, lr, rel_tol=1e-5):
            problems.append(ctx.text(Text("{call}: the optimizer's learning rate is {got}.",
                                          "{call}: la tasa de aprendizaje del optimizador es {got}."),
                                     call=call, got="?" if got_lr is None else f"{got_lr:.6g}"))
            named.append("build_ignores_learning_rate")
        if not any(r is not None and math.isclose(float(r), rate, rel_tol=1e-5) for r in rates):
            problems.append(ctx.text(Text("{call}: no Dropout layer of rate {rate} (rates: {rates}).",
                                          "{call}: ninguna capa Dropout de tasa {rate} (tasas: {rates})."),
                                     call=call, rate=rate, rates=rates))
            named.append("build_ignores_dropout")
    if problems:
        raise Fail(Msg.join(" ", problems) + Msg.join("", [ctx.mistake(m) for m in dict.fromkeys(named)]))
    return ctx.text(Text("n_hidden, learning_rate and dropout are used.",
                         "se usan n_hidden, learning_rate y dropout."))


# ------------------------------------------------------------------ search
def _keras_info(ctx, run: ex9.Run) -> dict:
    handle = ex9.search_handle(ctx, run)
    info = ex9.ask_once(run, "keras_search", lambda: ctx.impl.helper("keras_search_describe", handle))
    if not isinstance(info, dict):
        raise Fail(ctx.text(Text("the returned object could not be inspected.",
                                 "no se pudo inspeccionar el objeto devuelto.")))
    return info


def check_search(ctx):
    run = _public(ctx)
    info = ex9.describe(ctx, run)
    cls = info.get("class")
    if not ex9.is_search(info):
        message = ctx.text(Text("search returned a {cls} (from {module}), not a GridSearchCV or RandomizedSearchCV "
                                "from sklearn.model_selection.",
                                "search devolvió un {cls} (de {module}), no un GridSearchCV o RandomizedSearchCV de "
                                "sklearn.model_selection."), cls=cls, module=str(info.get("module", "")))
        if cls in ("SKLearnClassifier", "Pipeline", "Sequential", "Functional"):
            message += ctx.mistake("search_not_a_search")
        raise Fail(message)
    if not info.get("n_candidates"):
        raise Fail(ctx.text(Text("the {cls} has no cv_results_.", "el {cls} no tiene cv_results_."), cls=cls)
                   + ctx.mistake("search_not_fitted"))
    if ex9.best_estimator(ctx, run) is None:
        raise Fail(ctx.text(Text("the {cls} has no best_estimator_.", "el {cls} no tiene best_estimator_."),
                            cls=cls) + ctx.mistake("search_no_refit"))
    keras_info = _keras_info(ctx, run)
    wrapper, module = keras_info.get("wrapper_class"), str(keras_info.get("wrapper_module") or "")
    if wrapper != "SKLearnClassifier" or not module.startswith("keras"):
        raise Fail(ctx.text(Text("the {cls} tunes a {wrapper} (from {module}), not keras.wrappers.SKLearnClassifier.",
                                 "el {cls} ajusta un {wrapper} (de {module}), no keras.wrappers.SKLearnClassifier."),
                            cls=cls, wrapper=wrapper, module=module) + ctx.mistake("search_not_keras_wrapper"))
    return ctx.text(Text("{cls} over SKLearnClassifier(model={model}).", "{cls} sobre SKLearnClassifier(model={model})."),
                    cls=cls, model=keras_info.get("model_name") or "?")


check_folds = ex9.folds_check(_public)


def _model_kwargs(candidate) -> dict | None:
    """The build_model arguments a candidate sets (its ``model_kwargs``, maybe inside a Pipeline step)."""
    if not isinstance(candidate, dict):
        return None
    for key, value in candidate.items():
        if str(key).split("__")[-1] == "model_kwargs" and isinstance(value, dict):
            return value
    return None


def check_candidates(ctx):
    run = _public(ctx)
    info = ex9.describe(ctx, run)
    ex9.require_search(ctx, info)
    candidates = _keras_info(ctx, run).get("candidates") or []
    distinct = {repr(sorted(c.items())) if isinstance(c, dict) else repr(c) for c in candidates}
    if len(distinct) < MIN_CANDIDATES:
        raise Fail(ctx.text(Text("the search compared {d} distinct setting(s); it needs at least {k}.",
                                 "la búsqueda comparó {d} configuración(es) distinta(s); necesita al menos {k}."),
                            d=len(distinct), k=MIN_CANDIDATES) + ctx.mistake("search_few_candidates"))
    kwargs = [_model_kwargs(c) for c in candidates]
    varied = {repr(sorted((k, v) for k, v in (kw or {}).items() if k in HYPER)) for kw in kwargs}
    if len(varied) < MIN_CANDIDATES:
        raise Fail(ctx.text(Text("the {d} candidates build the same model: their model_kwargs do not vary "
                                 "{hyper} (the candidates: {shown}).",
                                 "los {d} candidatos construyen el mismo modelo: sus model_kwargs no varían "
                                 "{hyper} (los candidatos: {shown})."),
                            d=len(distinct), hyper=", ".join(HYPER), shown=str(candidates[:4])[:300])
                   + ctx.mistake("search_grid_not_model"))
    return ctx.text(Text("{d} candidates; best {best}.", "{d} candidatos; el mejor, {best}."),
                    d=len(distinct), best=str(_keras_info(ctx, run).get("best_params"))[:200])


def check_epochs(ctx):
    run = _public(ctx)
    info = ex9.describe(ctx, run)
    ex9.require_search(ctx, info)
    if ex9.best_estimator(ctx, run) is None:
        raise Fail(ctx.text(Text("the search has no refit model to look at.",
                                 "la búsqueda no tiene modelo reentrenado que mirar.")) + ctx.mistake("search_no_refit"))
    keras_info = _keras_info(ctx, run)
    epochs = keras_info.get("epochs_trained")
    if not isinstance(epochs, int) or epochs < 2:
        message = ctx.text(Text("the refit model trained for {n} epoch(s).", "el modelo reentrenado se entrenó "
                                "{n} época(s)."), n=epochs if isinstance(epochs, int) else "?")
        fit_kwargs = keras_info.get("fit_kwargs")
        if isinstance(fit_kwargs, dict) and fit_kwargs:
            message += ctx.mistake("search_fit_kwargs_lost")
        else:
            message += ctx.text(Text(" Pass the training settings to the search's fit: search.fit(X, y, epochs=8, "
                                     "batch_size=64, verbose=0).",
                                     " Pasa los ajustes de entrenamiento al fit de la búsqueda: search.fit(X, y, "
                                     "epochs=8, batch_size=64, verbose=0)."))
        raise Fail(message)
    return ctx.text(Text("the refit model trained for {n} epochs.", "el modelo reentrenado se entrenó {n} épocas."),
                    n=epochs)


def _test_labels(ctx, run: ex9.Run) -> np.ndarray:
    handle = ex9.search_handle(ctx, run)
    X = run.split.X_test
    try:
        out = ex9.ask_once(run, "predict_test",
                       lambda: ctx.impl.helper("sklearn_predict", handle, X, timeout=PREDICT_TIMEOUT_S))
    except SandboxError as exc:
        message = describe_error(exc, ctx.lang, "search.predict(X)")
        if ex9.best_estimator(ctx, run) is None:
            message += ctx.mistake("search_no_refit")
        raise Fail(message) from None
    arr = np.asarray(out) if isinstance(out, np.ndarray) else None
    m = X.shape[0]
    if arr is not None and arr.ndim == 2 and arr.shape == (m, 10):
        arr = arr.argmax(axis=1)  # probabilities: read leniently
    if arr is None or arr.shape != (m,) or arr.dtype.kind not in "biuf" or not np.all(np.isfinite(arr)):
        raise Fail(ctx.text(Text("search.predict(X) on {m} images returned {what}; expected {m} labels 0–9.",
                                 "search.predict(X) con {m} imágenes devolvió {what}; se esperaban {m} etiquetas "
                                 "0–9."), m=m, what=ex9.describe_value(ctx, out)))
    return arr.astype(np.float64)


def _attach_curve(ctx, run: ex9.Run) -> None:
    """Train build_model with the search's best model_kwargs once more, with a validation split, for the
    feedback page's learning curves (never scored; any failure just leaves the page without them)."""
    try:
        kwargs = _model_kwargs(_keras_info(ctx, run).get("best_params")) or {}
        kwargs = {k: v for k, v in kwargs.items() if k in HYPER and isinstance(v, (int, float))}
        X, y = run.split.X_train, run.split.y_train
        T = np.eye(10, dtype=np.float32)[y]
        ctx.impl.helper("seed_everything", run.seed)
        model = ctx.impl.call("build_model", X=X, y=T, timeout=BUILD_TIMEOUT_S, **kwargs)
        history = ctx.impl.helper("keras_fit", model, X, T, epochs=CURVE_EPOCHS, batch_size=64,
                                  validation_split=0.2, patience=CURVE_PATIENCE, seed=run.seed,
                                  timeout=SEARCH_TIMEOUT_S)
    except (SandboxError, Fail):
        return
    try:
        from ..plots import clean_curve
    except ImportError:  # the student distribution does not ship the plots: no feedback page there
        return
    curve = clean_curve(history, max_epochs=CURVE_EPOCHS, threshold=THRESHOLD) if isinstance(history, dict) else None
    if curve:
        ctx.attach("learning_curve", curve)


def _accuracy(ctx, run: ex9.Run) -> Msg:
    labels = _test_labels(ctx, run)
    accuracy = float(np.mean(labels == run.split.y_test))
    fields = dict(acc=accuracy, m=run.split.y_test.size, thr=THRESHOLD, s=run.seconds)
    if accuracy >= THRESHOLD:
        return ctx.text(Text("test accuracy {acc:.3f} on {m} Fashion-MNIST images (threshold {thr:.2f}); the search "
                             "took {s:.1f} s.",
                             "exactitud en test {acc:.3f} con {m} imágenes de Fashion-MNIST (umbral {thr:.2f}); la "
                             "búsqueda tardó {s:.1f} s."), **fields)
    message = ctx.text(Text("test accuracy {acc:.3f} on {m} Fashion-MNIST images; it must reach {thr:.2f}. A "
                            "one-hidden-layer network trained for 8 epochs gets about 0.79 here.",
                            "exactitud en test {acc:.3f} con {m} imágenes de Fashion-MNIST; debe llegar a {thr:.2f}. "
                            "Una red con una capa oculta entrenada 8 épocas obtiene aquí alrededor de 0.79."),
                       **fields)
    try:
        keras_info = _keras_info(ctx, run)
    except Fail:
        raise Fail(message) from None
    epochs, fit_kwargs = keras_info.get("epochs_trained"), keras_info.get("fit_kwargs")
    if isinstance(epochs, int) and epochs < 2 and isinstance(fit_kwargs, dict) and fit_kwargs:
        message += ctx.mistake("search_fit_kwargs_lost")
    raise Fail(message)


def check_accuracy(ctx):
    run = _public(ctx)
    try:
        return _accuracy(ctx, run)
    finally:
        if run.error is None and isinstance(run.result, Handle):
            _attach_curve(ctx, run)


def check_accuracy_hidden(ctx):
    data_seed, search_seed = (int(s) for s in ctx.rng.integers(1, 2**31 - 1, size=2))
    return _accuracy(ctx, ex9.run_search(ctx, data_seed, search_seed, data=fashion_split))


# ------------------------------------------------------------------ tune
def _hyper_name(key: str) -> str:
    for prefix in ("log10_", "log_"):
        if key.startswith(prefix):
            return key[len(prefix):]
    return key


def check_tune(ctx):
    split = fashion_split(PUBLIC_DATA_SEED)
    start = time.monotonic()
    try:
        optimizer = ctx.impl.call("tune", split.X_train, split.y_train, PUBLIC_SEARCH_SEED, timeout=TUNE_TIMEOUT_S)
    except SandboxError as exc:
        if isinstance(exc, TimedOut) and exc.during != "the whole submission":
            raise Fail(ctx.text(Text("tune() did not finish within {s:g} s: evaluate fewer or smaller settings.",
                                     "tune() no terminó en {s:g} s: evalúa menos configuraciones o más pequeñas."),
                                s=exc.seconds) + ctx.mistake("tune_few_probes")) from None
        raise Fail(describe_error(exc, ctx.lang, "tune()")) from None
    seconds = time.monotonic() - start
    info = ctx.impl.helper("bayes_describe", optimizer) if isinstance(optimizer, Handle) else None
    if not isinstance(info, dict) or info.get("class") != "BayesianOptimization" \
            or not str(info.get("module", "")).startswith("bayes_opt"):
        what = ex9.describe_value(ctx, optimizer) if not isinstance(info, dict) else ctx.text(
            Text("a {cls} (from {module})", "un {cls} (de {module})"), cls=info.get("class"), module=info.get("module"))
        raise Fail(ctx.text(Text("tune returned {what}, not a bayes_opt.BayesianOptimization.",
                                 "tune devolvió {what}, no un bayes_opt.BayesianOptimization."), what=what)
                   + ctx.mistake("tune_not_bayes_opt"))
    keys = info.get("keys") or []
    unknown = [k for k in keys if _hyper_name(k) not in HYPER]
    if not keys or unknown:
        raise Fail(ctx.text(Text("the optimizer's bounds are {keys}; each must name one of build_model's "
                                 "hyper-parameters ({hyper}; log10_ prefix for a log scale).",
                                 "los límites del optimizador son {keys}; cada uno debe nombrar un hiperparámetro de "
                                 "build_model ({hyper}; prefijo log10_ para una escala logarítmica)."),
                            keys=keys, hyper=", ".join(HYPER)) + ctx.mistake("tune_unknown_bounds"))
    probes = info.get("probes") or []
    if len(probes) < MIN_PROBES:
        raise Fail(ctx.text(Text("the optimizer evaluated {n} setting(s); it needs at least {k}.",
                                 "el optimizador evaluó {n} configuración(es); necesita al menos {k}."),
                            n=len(probes), k=MIN_PROBES) + ctx.mistake("tune_few_probes"))
    targets = [p.get("target") for p in probes]
    bad = [t for t in targets if not isinstance(t, float) or not math.isfinite(t) or not 0.0 <= t <= 1.0]
    if bad:
        raise Fail(ctx.text(Text("{n} of the {total} targets are not accuracies in [0, 1] (e.g. {example}).",
                                 "{n} de los {total} objetivos no son exactitudes en [0, 1] (p. ej. {example})."),
                            n=len(bad), total=len(targets), example=bad[0]) + ctx.mistake("tune_targets_not_accuracy"))
    best = max(targets)
    best_params = next(p.get("params") for p in probes if p.get("target") == best)
    if best < TUNE_MIN_TARGET:
        raise Fail(ctx.text(Text("the best validation accuracy found is {best:.3f}; a working score function (build, "
                                 "train about 8 epochs, measure on held-out images) reaches at least {thr:.2f}.",
                                 "la mejor exactitud de validación encontrada es {best:.3f}; una función de "
                                 "puntuación que funcione (construir, entrenar unas 8 épocas, medir con imágenes "
                                 "reservadas) llega al menos a {thr:.2f}."), best=best, thr=TUNE_MIN_TARGET))
    return ctx.text(Text("{n} settings evaluated in {s:.1f} s; best validation accuracy {best:.3f} at {params}.",
                         "{n} configuraciones evaluadas en {s:.1f} s; mejor exactitud de validación {best:.3f} en "
                         "{params}."), n=len(probes), s=seconds, best=best, params=str(best_params)[:200])


_SEARCH = ("search", "build_model")
CHECKS = [
    Check("build_model: a compiled model sized from X and y, softmax output", 1.5, check_build, ("build_model",),
          cell="build_model", id="build_model",
          title_es="build_model: un modelo compilado con los tamaños de X e y y salida softmax"),
    Check("build_model: n_hidden, learning_rate and dropout are used", 1.5, check_hyperparameters,
          ("build_model",), cell="build_model", id="build_hyperparameters",
          title_es="build_model: se usan n_hidden, learning_rate y dropout"),
    Check("search: a fitted GridSearchCV or RandomizedSearchCV over keras.wrappers.SKLearnClassifier", 1,
          check_search, _SEARCH, cell="search", id="fitted_search",
          title_es="search: un GridSearchCV o RandomizedSearchCV ajustado sobre keras.wrappers.SKLearnClassifier"),
    Check(f"search: cross-validation with at least {ex9.MIN_FOLDS} folds", 1, check_folds, _SEARCH, cell="search",
          id="cv_folds", title_es=f"search: validación cruzada con al menos {ex9.MIN_FOLDS} pliegues"),
    Check(f"search: at least {MIN_CANDIDATES} candidates varying build_model's hyper-parameters", 1,
          check_candidates, _SEARCH, cell="search", id="candidates",
          title_es=f"search: al menos {MIN_CANDIDATES} candidatos que varían los hiperparámetros de build_model"),
    Check("search: the models train for more than one epoch", 1, check_epochs, _SEARCH, cell="search",
          id="search_epochs", title_es="search: los modelos se entrenan más de una época"),
    Check(f"search: test accuracy ≥ {THRESHOLD:.2f} on Fashion-MNIST", 2, check_accuracy, _SEARCH, cell="search",
          id="test_accuracy", title_es=f"search: exactitud en test ≥ {THRESHOLD:.2f} con Fashion-MNIST"),
    Check(f"search (hidden): test accuracy ≥ {THRESHOLD:.2f} on a fresh split and seed", 1.5, check_accuracy_hidden,
          _SEARCH, hidden=True, cell="search", id="test_accuracy_hidden",
          title_es=f"search (oculta): exactitud en test ≥ {THRESHOLD:.2f} con una partición y una semilla nuevas"),
    Check(f"tune: Bayesian optimisation (bayes_opt) over build_model's hyper-parameters, ≥ {MIN_PROBES} settings", 1.5,
          check_tune, ("tune", "build_model"), cell="tune", id="tune",
          title_es=f"tune: optimización bayesiana (bayes_opt) sobre los hiperparámetros de build_model, "
                   f"≥ {MIN_PROBES} configuraciones"),
]
