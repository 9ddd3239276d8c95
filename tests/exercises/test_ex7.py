"""ex7 keras: weak or wrong models lose the right points with a clear message (real TensorFlow).

Each grading trains real models (~25 s), so each submission below carries several faults at once.
"""
import textwrap

import pytest

from autograder.exercises import ex7
from autograder.exercises.ex7 import MISTAKES
from autograder.feedback import feedback_html
from autograder.grading import grade_file

pytestmark = pytest.mark.keras

NO_REGULARISATION = '''
import keras

def count_params(layer_sizes):
    return sum(a * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))   # biases forgotten

def build_xor_model():                                                      # no hidden layer: linear
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy")
    return model

def build_digits_model(n_features, n_classes):                             # accurate but unregularised
    model = keras.Sequential([keras.Input(shape=(n_features,)), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(n_classes, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy", metrics=["accuracy"])
    return model
'''

UNDERFITTING = '''
import keras

def count_params(layer_sizes):
    return sum((a + 1) * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))

def build_xor_model():                                                      # never compiled
    return keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(8, activation="tanh"),
                             keras.layers.Dense(1, activation="sigmoid")])

def build_digits_model(n_features, n_classes):                             # regularised, but cannot learn
    l2 = keras.regularizers.L2(1e-4)
    model = keras.Sequential([keras.Input(shape=(n_features,)), keras.layers.Dense(2, kernel_regularizer=l2),
                              keras.layers.BatchNormalization(), keras.layers.Dropout(0.5),
                              keras.layers.Dense(n_classes, activation="softmax", kernel_regularizer=l2)])
    model.compile(optimizer=keras.optimizers.SGD(1e-5), loss="categorical_crossentropy")
    return model
'''


def _grade(tmp_path, code):
    path = tmp_path / "ex7_keras.py"
    path.write_text(textwrap.dedent(code))
    result = grade_file("ex7", path, hidden=True, lang="en")
    assert result.error is None, result.error
    return {c.name: c for c in result.checks}, result


def test_check_ids_are_stable():
    # the ids key gradebook columns: they never change
    assert [c.id for c in ex7.CHECKS] == ["count_params", "count_params_hidden", "xor_model", "xor_trained",
                                          "digits_l2", "digits_dropout", "digits_batchnorm", "digits_output",
                                          "digits_accuracy", "digits_accuracy_hidden"]


def test_unregularised_model_and_linear_xor(tmp_path):
    checks, result = _grade(tmp_path, NO_REGULARISATION)
    failed = {name for name, c in checks.items() if not c.passed}
    assert failed == {
        "count_params: known layer sizes", "count_params (hidden): fresh layer sizes",
        "build_xor_model: all 4 XOR points right after training",
        "build_digits_model: L2 kernel_regularizer on every Dense layer",
        "build_digits_model: a Dropout layer", "build_digits_model: a BatchNormalization layer",
    }
    assert MISTAKES["keras_count_no_bias"].en in checks["count_params: known layer sizes"].message
    for check_id in MISTAKES["keras_count_no_bias"].targets:  # public and hidden sizes: named by id in both
        assert result.check(check_id).mistakes == ("keras_count_no_bias",)
    assert "of the 4 XOR points" in checks["build_xor_model: all 4 XOR points right after training"].message
    assert "2 of 2 Dense layers have none" in checks["build_digits_model: L2 kernel_regularizer on every Dense layer"].message
    # an unregularised model can still be accurate: only the structure checks cost it
    assert checks["build_digits_model: test accuracy ≥ 0.90 after training"].passed
    assert result.score == 15 - 2.5 - 3 - 3
    curve = result.extras["learning_curve"]  # compiled with metrics=["accuracy"]: both accuracy curves
    assert {"loss", "val_loss", "accuracy", "val_accuracy"} <= set(curve) and curve["threshold"] == 0.90


def test_underfitting_digits_model_and_uncompiled_xor(tmp_path):
    checks, result = _grade(tmp_path, UNDERFITTING)
    failed = {name for name, c in checks.items() if not c.passed}
    assert failed == {
        "build_xor_model: a compiled model from 2 inputs to 1 or 2 outputs",
        "build_xor_model: all 4 XOR points right after training",
        "build_digits_model: test accuracy ≥ 0.90 after training",
        "build_digits_model (hidden): test accuracy ≥ 0.90 on a fresh split",
    }
    assert "not compiled" in checks["build_xor_model: a compiled model from 2 inputs to 1 or 2 outputs"].message
    message = checks["build_digits_model: test accuracy ≥ 0.90 after training"].message
    assert "test accuracy 0." in message and "threshold 0.90" in message
    assert result.score == 15 - 4 - 5
    curve = result.extras["learning_curve"]  # no accuracy metric: the loss curves only, and a diagnosis from them
    assert set(curve) == {"loss", "val_loss", "threshold"}
    assert "Diagnosis" in feedback_html({**result.to_dict(), "student": "s", "path": "x"}, "en")


def test_the_solution_attaches_loss_and_accuracy_curves():
    from autograder import authoring

    result = grade_file("ex7", authoring.SOLUTIONS / "ex7_keras.ipynb", hidden=False, lang="en")
    assert result.full_marks
    curve = result.extras["learning_curve"]
    assert set(curve) == {"loss", "val_loss", "accuracy", "val_accuracy", "threshold"}
    assert 1 <= len(curve["loss"]) <= ex7.DIGITS_EPOCHS and len(curve["accuracy"]) == len(curve["loss"])
    assert all(0 <= v <= 1 for v in curve["val_accuracy"])
    page = feedback_html({**result.to_dict(), "student": "s", "path": "x"}, "en")
    assert 'class="learning-curve accuracy"' in page and "Diagnosis:" in page
