"""ex7 keras: count_params, the XOR network, a regularised digits classifier.

The student's functions build (and compile) models inside the student's
process; the grader trains them there with its own settings through
``sandbox/helpers.py`` (same epochs, batch size, seed, and EarlyStopping on a
20 % validation split, best weights restored), asks for predictions on test
inputs, and computes accuracy here, against labels that never enter the
student's process. Seeds are fixed (Keras' ``set_random_seed``,
``TF_DETERMINISTIC_OPS=1``, CPU only), so a submission always gets the same
grade.

Structure is checked from the model itself (its layers and their
configuration, as reported from inside the student's process), never from
source text: an L2 ``kernel_regularizer`` on every Dense layer, a Dropout
layer with 0 < rate < 1, a BatchNormalization layer, a softmax output of
``n_classes`` units, a compiled model.

Data: scikit-learn's 8×8 digits (or MNIST from a local .npz, see
``autograder/data.py``), pixels scaled to [0, 1], examples as rows for Keras.
Threshold: hidden-test accuracy ≥ 0.90 (the solution's accuracy over the
seeds measured: see tests/exercises/test_ex7.py and the issue note).

Learning curves: the public accuracy check attaches the training run's
``History.history`` (``loss``, ``val_loss``, and ``accuracy``, ``val_accuracy``
when the model is compiled with ``metrics=["accuracy"]``), cleaned by
:func:`autograder.plots.clean_curve`, with ``threshold`` 0.90 for the
underfitting rule; the feedback page draws it with a bias/variance diagnosis
(:mod:`autograder.diagnosis`). Never scored.

Points (15): count_params 1.5 public + 1 hidden; XOR 1 (compiled, right
shapes) + 3 (100 % after training); digits structure 3.5 public; digits
accuracy 2.5 public + 2.5 hidden.
"""
from __future__ import annotations

import numpy as np

from ..checks import Check, Fail, Mistake, mistake_catalog
from ..compare import as_float_array
from ..messages import Text

DIGITS_THRESHOLD = 0.90
XOR_EPOCHS = 500
DIGITS_EPOCHS = 60
PATIENCE = 8
SEED = 7

#: no reference variants for this exercise: the mistakes are named by the checks themselves
MISTAKES = mistake_catalog(
    Mistake(
        "keras_count_no_bias",
        "the biases are not counted: a Dense layer from n_in to n_out has (n_in + 1)·n_out parameters.",
        "no se cuentan los sesgos: una capa Dense de n_in a n_out tiene (n_in + 1)·n_out parámetros.",
        targets=("count_params", "count_params_hidden")),
)
SPECS: list = []


def _expected_count(sizes) -> int:
    return int(sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:])))


def _check_counts(ctx, cases):
    for sizes in cases:
        got = ctx.impl.call("count_params", list(sizes))
        arr = as_float_array(got)[0]
        expected = _expected_count(sizes)
        if arr is None or arr.size != 1 or float(arr.reshape(-1)[0]) != expected:
            message = ctx.text(Text("count_params({sizes}) returned {got}; expected {expected}.",
                                    "count_params({sizes}) devolvió {got}; se esperaba {expected}."),
                               sizes=list(sizes), got=got, expected=expected)
            if arr is not None and arr.size == 1 and float(arr.reshape(-1)[0]) == sum(a * b for a, b in zip(sizes[:-1], sizes[1:])):
                message += ctx.mistake("keras_count_no_bias")
            raise Fail(message)


def check_count_public(ctx):
    _check_counts(ctx, [(784, 10), (2, 8, 1), (64, 64, 10)])


def check_count_hidden(ctx):
    cases = [tuple(int(n) for n in ctx.rng.integers(1, 300, size=k)) for k in (2, 3, 4)]
    _check_counts(ctx, cases)


# ------------------------------------------------------------------ models
def _describe(ctx, model):
    info = ctx.impl.helper("keras_describe", model)
    if not isinstance(info, dict) or "layers" not in info:
        raise Fail(ctx.text(Text("the returned object is not a Keras model.", "el objeto devuelto no es un modelo de Keras.")))
    return info


def _build(ctx, name, *args):
    ctx.impl.helper("seed_everything", SEED)
    model = ctx.impl.call(name, *args)
    info = _describe(ctx, model)
    if not info["compiled"]:
        raise Fail(ctx.text(Text("{name} returns a model that is not compiled: call model.compile(optimizer=…, loss=…).",
                                 "{name} devuelve un modelo sin compilar: llama a model.compile(optimizer=…, loss=…)."),
                            name=name))
    return model, info


XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


def _labels(outputs: np.ndarray) -> np.ndarray:
    """Class labels from a model's outputs (rows): one sigmoid column thresholded at 0.5, else argmax."""
    return (outputs[:, 0] > 0.5).astype(int) if outputs.shape[1] == 1 else outputs.argmax(axis=1)


def _targets(y: np.ndarray, n_out: int) -> np.ndarray:
    return y.reshape(-1, 1).astype(float) if n_out == 1 else np.eye(n_out)[y]


def check_xor_model(ctx):
    model, _ = _build(ctx, "build_xor_model")
    out = as_float_array(ctx.impl.helper("keras_predict", model, XOR_X))[0]
    if out is None or out.ndim != 2 or out.shape[0] != 4 or out.shape[1] not in (1, 2):
        raise Fail(ctx.text(Text("on the 4 XOR inputs (shape (4, 2)) the model should output (4, 1) or (4, 2); got {shape}.",
                                 "con las 4 entradas de XOR (forma (4, 2)) el modelo debería dar (4, 1) o (4, 2); dio {shape}."),
                            shape=None if out is None else out.shape))


def check_xor_trained(ctx):
    model, _ = _build(ctx, "build_xor_model")
    n_out = as_float_array(ctx.impl.helper("keras_predict", model, XOR_X))[0].shape[1]
    # XOR_EPOCHS epochs of one batch of the 4 points, as XOR_EPOCHS steps in one epoch (same updates)
    ctx.impl.helper("keras_fit_steps", model, XOR_X, _targets(XOR_Y, n_out), steps=XOR_EPOCHS, seed=SEED)
    labels = _labels(as_float_array(ctx.impl.helper("keras_predict", model, XOR_X))[0])
    right = int(np.sum(labels == XOR_Y))
    if right < 4:
        raise Fail(ctx.text(Text("after {epochs} epochs the model classifies {right} of the 4 XOR points; it must get all 4 "
                                 "(a hidden layer with a nonlinear activation, and a learning rate around 0.05).",
                                 "tras {epochs} épocas el modelo clasifica {right} de los 4 puntos de XOR; debe acertar los 4 "
                                 "(una capa oculta con activación no lineal y una tasa de aprendizaje de unos 0.05)."),
                            epochs=XOR_EPOCHS, right=right))


def _digits(seed):
    """The course's digits (8×8, or MNIST from the instructor's .npz), rows for Keras, pixels in [0, 1]."""
    from ..data import course_digits

    X_train, T_train, X_test, y_test = course_digits(seed)
    scale = 16.0 if X_train.max() <= 16 else 255.0
    return X_train.T / scale, T_train.T, X_test.T / scale, np.asarray(y_test)


def _digits_model(ctx):
    X_train, T_train, _, _ = _digits(SEED)
    return _build(ctx, "build_digits_model", X_train.shape[1], T_train.shape[1])


def check_l2(ctx):
    _, info = _digits_model(ctx)
    dense = [layer for layer in info["layers"] if layer["class"] == "Dense"]
    bare = [i for i, layer in enumerate(dense) if not layer["kernel_regularizer"] or not layer["kernel_regularizer"]["l2"]]
    if not dense or bare:
        raise Fail(ctx.text(Text("every Dense layer needs kernel_regularizer=keras.regularizers.L2(λ) with λ > 0; "
                                 "{n} of {total} Dense layers have none.",
                                 "cada capa Dense necesita kernel_regularizer=keras.regularizers.L2(λ) con λ > 0; "
                                 "{n} de {total} capas Dense no la tienen."), n=len(bare), total=len(dense)))


def check_dropout(ctx):
    _, info = _digits_model(ctx)
    rates = [layer["rate"] for layer in info["layers"] if layer["class"] == "Dropout"]
    if not any(r is not None and 0 < r < 1 for r in rates):
        raise Fail(ctx.text(Text("the model needs a Dropout layer with 0 < rate < 1 (found rates {rates}).",
                                 "el modelo necesita una capa Dropout con 0 < rate < 1 (tasas encontradas: {rates})."),
                            rates=rates))


def check_batchnorm(ctx):
    _, info = _digits_model(ctx)
    if not any(layer["class"] == "BatchNormalization" for layer in info["layers"]):
        raise Fail(ctx.text(Text("the model needs a BatchNormalization layer.",
                                 "el modelo necesita una capa BatchNormalization.")))


def check_output(ctx):
    X_train, T_train, _, _ = _digits(SEED)
    _, info = _digits_model(ctx)
    dense = [layer for layer in info["layers"] if layer["class"] == "Dense"]
    last = info["layers"][-1]
    ok = bool(dense) and dense[-1]["units"] == T_train.shape[1] and (
        dense[-1]["activation"] == "softmax" or (last["class"] == "Activation" and last["activation"] == "softmax")
        or last["class"] == "Softmax")
    if not ok:
        raise Fail(ctx.text(Text("the output should be a Dense layer of n_classes = {n} units with a softmax activation.",
                                 "la salida debería ser una capa Dense de n_classes = {n} unidades con activación softmax."),
                            n=T_train.shape[1]))


def _attach_curve(ctx, history: dict) -> None:
    """Attach the training run's curves for the feedback page: cleaned (finite floats, one value per epoch at
    most: the history comes from the student's process), with the threshold for the underfitting rule."""
    try:
        from ..plots import clean_curve
    except ImportError:  # the student distribution does not ship the plots: no feedback page there
        return
    raw = {**{k: history.get(alias) for k, alias in (("accuracy", "acc"), ("val_accuracy", "val_acc"))}, **history}
    curve = clean_curve(raw, max_epochs=DIGITS_EPOCHS, threshold=DIGITS_THRESHOLD)
    if curve:
        ctx.attach("learning_curve", curve)


def _accuracy_check(seed_of):
    def check(ctx):
        seed = seed_of(ctx)
        X_train, T_train, X_test, y_test = _digits(seed)
        model, _ = _build(ctx, "build_digits_model", X_train.shape[1], T_train.shape[1])
        history = ctx.impl.helper("keras_fit", model, X_train, T_train, epochs=DIGITS_EPOCHS, batch_size=32,
                                  validation_split=0.2, patience=PATIENCE, seed=seed)
        out = as_float_array(ctx.impl.helper("keras_predict", model, X_test))[0]
        if out is None or out.shape != (X_test.shape[0], T_train.shape[1]):
            raise Fail(ctx.text(Text("predictions on {m} test digits should have shape ({m}, {c}); got {shape}.",
                                     "las predicciones sobre {m} dígitos de test deberían tener forma ({m}, {c}); se obtuvo {shape}."),
                                m=X_test.shape[0], c=T_train.shape[1], shape=None if out is None else out.shape))
        accuracy = float(np.mean(out.argmax(axis=1) == y_test))
        if isinstance(history, dict):
            # the history comes from the student's process: cleaned (finite floats, one value per epoch at
            # most) and drawn with its bias/variance diagnosis, whose underfitting rule uses the threshold
            _attach_curve(ctx, history)
        epochs = len(history.get("loss", [])) if isinstance(history, dict) else 0
        note = ctx.text(Text("test accuracy {acc:.3f} after {epochs} epochs (threshold {thr:.2f}).",
                             "exactitud en test {acc:.3f} tras {epochs} épocas (umbral {thr:.2f})."),
                        acc=accuracy, epochs=epochs, thr=DIGITS_THRESHOLD)
        if accuracy < DIGITS_THRESHOLD:
            raise Fail(note)
        return note
    return check


CHECKS = [
    Check("count_params: known layer sizes", 1.5, check_count_public, ("count_params",), cell="count_params",
          id="count_params", title_es="count_params: tamaños de capa conocidos"),
    Check("count_params (hidden): fresh layer sizes", 1.0, check_count_hidden, ("count_params",), hidden=True,
          cell="count_params", id="count_params_hidden", title_es="count_params (oculta): tamaños de capa nuevos"),
    Check("build_xor_model: a compiled model from 2 inputs to 1 or 2 outputs", 1.0, check_xor_model,
          ("build_xor_model",), cell="xor", id="xor_model",
          title_es="build_xor_model: un modelo compilado de 2 entradas a 1 o 2 salidas"),
    Check("build_xor_model: all 4 XOR points right after training", 3.0, check_xor_trained, ("build_xor_model",),
          cell="xor", id="xor_trained",
          title_es="build_xor_model: los 4 puntos de XOR bien clasificados tras el entrenamiento"),
    Check("build_digits_model: L2 kernel_regularizer on every Dense layer", 1.0, check_l2, ("build_digits_model",),
          cell="digits", id="digits_l2",
          title_es="build_digits_model: kernel_regularizer L2 en todas las capas Dense"),
    Check("build_digits_model: a Dropout layer", 1.0, check_dropout, ("build_digits_model",), cell="digits",
          id="digits_dropout", title_es="build_digits_model: una capa Dropout"),
    Check("build_digits_model: a BatchNormalization layer", 1.0, check_batchnorm, ("build_digits_model",),
          cell="digits", id="digits_batchnorm", title_es="build_digits_model: una capa BatchNormalization"),
    Check("build_digits_model: softmax output of n_classes units", 0.5, check_output, ("build_digits_model",),
          cell="digits", id="digits_output",
          title_es="build_digits_model: salida softmax de n_classes unidades"),
    Check("build_digits_model: test accuracy ≥ 0.90 after training", 2.5,
          _accuracy_check(lambda ctx: SEED), ("build_digits_model",), cell="digits", id="digits_accuracy",
          title_es="build_digits_model: exactitud en test ≥ 0.90 tras el entrenamiento"),
    Check("build_digits_model (hidden): test accuracy ≥ 0.90 on a fresh split", 2.5,
          _accuracy_check(lambda ctx: int(ctx.rng.integers(2**31))), ("build_digits_model",), hidden=True,
          cell="digits", id="digits_accuracy_hidden",
          title_es="build_digits_model (oculta): exactitud en test ≥ 0.90 con una partición nueva"),
]
