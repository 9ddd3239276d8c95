"""Grader-written procedures that run *inside* the student's process, on objects that cannot
leave it (a Keras model, a fitted scikit-learn search): training with the grader's settings,
predicting, describing the object's structure.

They run next to the student's code, so what they report about structure is the student
process's word (a hostile submission could patch them); scores that matter are computed in
the grader's process from returned predictions on inputs whose labels never enter this
process. Standard library and NumPy at module level (the student process gets this module
compiled from the grader, see ``Sandbox.start``); Keras and scikit-learn are imported inside the functions that need them.
"""
import numpy as np


def seed_everything(seed):
    """Seed Python, NumPy and (when present) Keras/TensorFlow."""
    import random

    random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)
    try:
        import keras
    except ImportError:
        return None
    keras.utils.set_random_seed(int(seed))
    return None


def keras_fit(model, x, y, epochs=100, batch_size=32, validation_split=0.0, patience=10, seed=0):
    """model.fit on (examples as rows) x, y with EarlyStopping on the validation split when there is one.

    Returns the history: {metric: [float per epoch]}.
    """
    import keras

    keras.utils.set_random_seed(int(seed))
    callbacks = []
    if validation_split > 0:
        callbacks.append(keras.callbacks.EarlyStopping(monitor="val_loss", patience=int(patience),
                                                       restore_best_weights=True))
    history = model.fit(np.asarray(x, dtype=np.float32), np.asarray(y, dtype=np.float32), epochs=int(epochs),
                        batch_size=int(batch_size), validation_split=float(validation_split),
                        callbacks=callbacks, verbose=0, shuffle=True)
    return {k: [float(v) for v in vals] for k, vals in history.history.items()}


def keras_predict(model, x):
    """The model's outputs for x (examples as rows), float64 (examples as rows)."""
    return np.asarray(model.predict(np.asarray(x, dtype=np.float32), verbose=0), dtype=np.float64)


def keras_describe(model):
    """Layers (class, units, activation, dropout rate, kernel regularizer), parameter count, compile state."""
    layers = []
    for layer in model.layers:
        cfg = layer.get_config()
        reg = getattr(layer, "kernel_regularizer", None)
        layers.append({
            "class": type(layer).__name__,
            "units": cfg.get("units"),
            "activation": cfg.get("activation") if isinstance(cfg.get("activation"), str) else None,
            "rate": cfg.get("rate"),
            "kernel_regularizer": None if reg is None else {
                "class": type(reg).__name__,
                "l2": float(getattr(reg, "l2", 0.0) or 0.0),
                "l1": float(getattr(reg, "l1", 0.0) or 0.0),
            },
        })
    compiled = getattr(model, "optimizer", None) is not None and getattr(model, "compiled", True)
    return {"layers": layers, "n_params": int(model.count_params()), "compiled": bool(compiled),
            "loss": str(getattr(model, "loss", None))}


def sklearn_describe(search):
    """Type of the search, its folds and candidates, and the steps of the estimator it tuned."""
    est = getattr(search, "best_estimator_", None) or getattr(search, "estimator", None)
    steps = [type(s).__name__ for _, s in getattr(est, "steps", [])] or [type(est).__name__]
    results = getattr(search, "cv_results_", None) or {}
    return {
        "class": type(search).__name__,
        "module": type(search).__module__,
        "n_splits": int(getattr(search, "n_splits_", 0) or 0),
        "n_candidates": len(results.get("params", [])),
        "estimator_steps": steps,
        "best_params": {str(k): repr(v) for k, v in (getattr(search, "best_params_", None) or {}).items()},
        "best_score": float(getattr(search, "best_score_", float("nan"))),
    }


def sklearn_predict(estimator, x):
    return np.asarray(estimator.predict(x))


def catalog_calls():
    """How many times the catalog's counted functions (ex11's objectives) were called since the last
    call of this helper (then 0): the student process's word, a property check, not a score's guard."""
    try:
        from . import catalog  # the grader's own process (LocalImpl)
    except ImportError:
        import catalog  # the student process: the sandbox's modules are top level there
    return int(catalog.take_calls())


HELPERS = {f.__name__: f for f in (seed_everything, keras_fit, keras_predict, keras_describe,
                                   sklearn_describe, sklearn_predict, catalog_calls)}


def run(name, *args, **kwargs):
    try:
        fn = HELPERS[name]
    except KeyError:
        raise ValueError(f"unknown helper {name!r}") from None
    return fn(*args, **kwargs)
