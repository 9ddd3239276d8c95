"""ex12 keras-search: Keras models in scikit-learn searches and in bayes_opt, on the real Fashion-MNIST.

Correct variants keep their points; each known mistake of build_model, search and tune loses the
check it targets, named. The submissions are graded in process (``LocalImpl``: the same checks, the
values crossing the same wire) with tiny budgets (2 epochs, 16 hidden units), and the function a test
is not about raises NotImplementedError, so that each grading takes seconds; the Keras wrapper's
fit_kwargs trap is also graded in the sandbox, as a student's file. The solution's full marks and the
stub's zero, in the sandbox, are in tests/exercises/test_common.py.
"""
import textwrap

import numpy as np
import pytest

from autograder import registry
from autograder.exercises import ex12
from autograder.grading import grade_file, grade_impl
from autograder.impl import LocalImpl

pytestmark = [pytest.mark.keras, pytest.mark.fashion]

POINTS = {c.id: c.points for c in ex12.CHECKS}
STRUCTURE = {"build_model", "build_hyperparameters", "fitted_search", "cv_folds", "candidates", "search_epochs",
             "tune"}

HEADER = '''
import keras
import numpy as np
from keras.wrappers import SKLearnClassifier
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, StratifiedKFold, KFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer

def build_model(X, y, n_hidden=16, learning_rate=1e-3, dropout=0.0):
    model = keras.Sequential([keras.Input(shape=(X.shape[1],)), keras.layers.Dense(int(n_hidden), activation="relu"),
                              keras.layers.Dropout(float(dropout)), keras.layers.Dense(y.shape[1], activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=float(learning_rate)),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model

GRID = {"model_kwargs": [{"n_hidden": 8, "learning_rate": 3e-3}, {"n_hidden": 16, "learning_rate": 1e-3}]}

def search(X, y, seed):
    raise NotImplementedError

def tune(X, y, seed):
    raise NotImplementedError
'''

#: a tune whose objective is cheap (no training): right structure, accuracies in [0, 1]
CHEAP_TUNE = '''
def tune(X, y, seed):
    from bayes_opt import BayesianOptimization
    def score(log10_learning_rate, n_hidden):
        return 0.9 - 0.01 * abs(log10_learning_rate + 3) - 0.0001 * n_hidden
    optimizer = BayesianOptimization(f=score, pbounds={"log10_learning_rate": (-4, -2), "n_hidden": (8, 64)},
                                     random_state=seed, verbose=0)
    optimizer.maximize(init_points=3, n_iter=3)
    return optimizer
'''


def _namespace(*bodies: str) -> dict:
    namespace: dict = {"__name__": "submission"}
    source = HEADER + "".join(textwrap.dedent(body) for body in bodies)
    exec(compile(source, "submission.py", "exec"), namespace)
    return {k: v for k, v in namespace.items() if k in registry.get("ex12").names}


_GRADED: dict = {}


def _grade(*bodies: str):
    """Grade (public checks) the HEADER followed by ``bodies``, each dedented, in this process; a submission
    graded by two tests is graded once (each grading trains Keras models)."""
    if bodies not in _GRADED:
        result = grade_impl("ex12", LocalImpl(_namespace(*bodies)), hidden=False, lang="en")
        assert result.error is None, result.error
        _GRADED[bodies] = result
    return _GRADED[bodies]


def _named(result, check_id, mistake):
    check = result.check(check_id)
    assert not check.passed, (check_id, check.message)
    assert mistake in check.mistakes, (check_id, mistake, check.message)
    assert ex12.MISTAKES[mistake].en.split(":")[0][:40] in check.message, check.message


def _passed(result, ids):
    return {i: result.check(i).message for i in ids if not result.check(i).passed}


def test_points_split():
    assert sum(POINTS.values()) == registry.get("ex12").points == 12
    assert sum(c.points for c in ex12.CHECKS if c.hidden) == 1.5
    # the ids key gradebook columns: they never change
    assert list(POINTS) == ["build_model", "build_hyperparameters", "fitted_search", "cv_folds", "candidates",
                            "search_epochs", "test_accuracy", "test_accuracy_hidden", "tune"]


def test_the_data_is_fashion_mnist_as_rows():
    split = ex12.fashion_split(0)
    assert split.X_train.shape == (1500, 784) and split.X_test.shape == (1000, 784)
    assert split.X_train.dtype == np.float32 and 0.0 <= split.X_train.min() and split.X_train.max() <= 1.0
    assert set(np.unique(split.y_train)) == set(range(10)) and set(np.unique(split.y_test)) == set(range(10))
    again = ex12.fashion_split(0)
    assert np.array_equal(split.X_test, again.X_test) and np.array_equal(split.y_test, again.y_test)


# ------------------------------------------------------------------ correct, but different
CORRECT_SEARCHES = {
    "RandomizedSearchCV over a list of model_kwargs, 4 folds": '''
        def search(X, y, seed):
            keras.utils.set_random_seed(seed)
            grid = {"model_kwargs": [{"n_hidden": 8}, {"n_hidden": 16}, {"n_hidden": 12}]}
            found = RandomizedSearchCV(SKLearnClassifier(model=build_model), grid, n_iter=2, cv=4, random_state=seed)
            found.fit(X, y, epochs=2, batch_size=64, verbose=0)
            return found
    ''',
    "a Pipeline ending in the wrapper, sklearnclassifier__model_kwargs": '''
        def search(X, y, seed):
            keras.utils.set_random_seed(seed)
            pipe = make_pipeline(FunctionTransformer(), SKLearnClassifier(model=build_model))
            grid = {"sklearnclassifier__model_kwargs": GRID["model_kwargs"]}
            return GridSearchCV(pipe, grid, cv=StratifiedKFold(3, shuffle=True, random_state=seed)).fit(
                X, y, sklearnclassifier__epochs=2, sklearnclassifier__verbose=0)
    ''',
}


@pytest.mark.parametrize("name", list(CORRECT_SEARCHES))
def test_correct_search_forms_keep_the_structure_points(name):
    result = _grade(CORRECT_SEARCHES[name], CHEAP_TUNE)
    assert _passed(result, STRUCTURE) == {}


def test_tune_with_plain_bounds_and_a_dropout_keeps_its_points():
    result = _grade('''
        def tune(X, y, seed):
            from bayes_opt import BayesianOptimization
            optimizer = BayesianOptimization(f=lambda learning_rate, dropout: 0.8 - dropout / 10 + learning_rate,
                                             pbounds={"learning_rate": (1e-4, 1e-2), "dropout": (0.0, 0.5)},
                                             random_state=seed, verbose=0)
            optimizer.maximize(init_points=4, n_iter=2)
            return optimizer
    ''')
    assert result.check("tune").passed, result.check("tune").message


def test_a_functional_model_with_extra_layers_keeps_the_build_points():
    result = _grade('''
        def build_model(X, y, n_hidden=16, learning_rate=1e-3, dropout=0.0):
            inputs = keras.Input(shape=(X.shape[1],))
            h = keras.layers.Dense(n_hidden)(inputs)
            h = keras.layers.BatchNormalization()(h)
            h = keras.layers.Activation("relu")(h)
            h = keras.layers.Dropout(dropout)(h)
            outputs = keras.layers.Dense(y.shape[1])(h)
            outputs = keras.layers.Softmax()(outputs)
            model = keras.Model(inputs, outputs)
            model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="categorical_crossentropy")
            return model
    ''')
    assert _passed(result, {"build_model", "build_hyperparameters"}) == {}


# ------------------------------------------------------------------ build_model's mistakes
BUILD_MISTAKES = {
    "build_hardcoded_sizes": '''
        def build_model(X, y, n_hidden=16, learning_rate=1e-3, dropout=0.0):
            model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(n_hidden, activation="relu"),
                                      keras.layers.Dropout(dropout), keras.layers.Dense(10, activation="softmax")])
            model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="categorical_crossentropy")
            return model
    ''',
    "build_not_compiled": '''
        def build_model(X, y, n_hidden=16, learning_rate=1e-3, dropout=0.0):
            return keras.Sequential([keras.Input(shape=(X.shape[1],)), keras.layers.Dense(n_hidden, activation="relu"),
                                     keras.layers.Dropout(dropout), keras.layers.Dense(y.shape[1], activation="softmax")])
    ''',
    "build_ignores_n_hidden": '''
        def build_model(X, y, n_hidden=16, learning_rate=1e-3, dropout=0.0):
            model = keras.Sequential([keras.Input(shape=(X.shape[1],)), keras.layers.Dense(64, activation="relu"),
                                      keras.layers.Dropout(dropout), keras.layers.Dense(y.shape[1], activation="softmax")])
            model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="categorical_crossentropy")
            return model
    ''',
    "build_ignores_learning_rate": '''
        def build_model(X, y, n_hidden=16, learning_rate=1e-3, dropout=0.0):
            model = keras.Sequential([keras.Input(shape=(X.shape[1],)), keras.layers.Dense(n_hidden, activation="relu"),
                                      keras.layers.Dropout(dropout), keras.layers.Dense(y.shape[1], activation="softmax")])
            model.compile(optimizer="adam", loss="categorical_crossentropy")
            return model
    ''',
    "build_ignores_dropout": '''
        def build_model(X, y, n_hidden=16, learning_rate=1e-3, dropout=0.0):
            model = keras.Sequential([keras.Input(shape=(X.shape[1],)), keras.layers.Dense(n_hidden, activation="relu"),
                                      keras.layers.Dropout(0.2), keras.layers.Dense(y.shape[1], activation="softmax")])
            model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="categorical_crossentropy")
            return model
    ''',
}


@pytest.mark.parametrize("mistake", list(BUILD_MISTAKES))
def test_build_mistakes_lose_their_check_and_are_named(mistake):
    result = _grade(BUILD_MISTAKES[mistake])
    for check_id in ex12.MISTAKES[mistake].targets:
        _named(result, check_id, mistake)
    others = {"build_model", "build_hyperparameters"} - set(ex12.MISTAKES[mistake].targets)
    if mistake not in ("build_hardcoded_sizes", "build_not_compiled"):  # those leave nothing to inspect
        assert _passed(result, others) == {}


# ------------------------------------------------------------------ search's mistakes
SEARCH_MISTAKES = {
    "search_few_folds": ('''
        def search(X, y, seed):
            return GridSearchCV(SKLearnClassifier(model=build_model), GRID, cv=2).fit(X, y, epochs=2, verbose=0)
    ''', {"fitted_search", "candidates", "search_epochs"}),
    "search_few_candidates": ('''
        def search(X, y, seed):
            grid = {"model_kwargs": [{"n_hidden": 16}]}
            return GridSearchCV(SKLearnClassifier(model=build_model), grid, cv=3).fit(X, y, epochs=2, verbose=0)
    ''', {"fitted_search", "cv_folds", "search_epochs"}),
    "search_grid_not_model": ('''
        def search(X, y, seed):
            grid = {"fit_kwargs": [{"epochs": 2, "verbose": 0}, {"epochs": 3, "verbose": 0}]}
            return GridSearchCV(SKLearnClassifier(model=build_model), grid, cv=3).fit(X, y)
    ''', {"fitted_search", "cv_folds", "search_epochs"}),
    "search_not_a_search": ('''
        def search(X, y, seed):
            return SKLearnClassifier(model=build_model).fit(X, y, epochs=2, verbose=0)
    ''', set()),
    "search_not_fitted": ('''
        def search(X, y, seed):
            return GridSearchCV(SKLearnClassifier(model=build_model), GRID, cv=3)
    ''', set()),
    "search_returned_none": ('''
        def search(X, y, seed):
            GridSearchCV(SKLearnClassifier(model=build_model), GRID, cv=3).fit(X, y, epochs=2, verbose=0)
    ''', set()),
    "search_not_keras_wrapper": ('''
        from sklearn.neural_network import MLPClassifier
        def search(X, y, seed):
            grid = {"hidden_layer_sizes": [(8,), (16,)]}
            return GridSearchCV(MLPClassifier(max_iter=20, random_state=seed), grid, cv=3).fit(X, y)
    ''', {"cv_folds"}),
}


@pytest.mark.parametrize("mistake", list(SEARCH_MISTAKES))
def test_search_mistakes_lose_their_check_and_are_named(mistake):
    body, still_passing = SEARCH_MISTAKES[mistake]
    result = _grade(body)
    targets = set(ex12.MISTAKES[mistake].targets) - {"test_accuracy_hidden"}  # graded without the hidden checks
    for check_id in targets:
        _named(result, check_id, mistake)
    assert _passed(result, still_passing) == {}


def test_the_fit_kwargs_trap_is_named_in_the_sandbox(tmp_path):
    """Keras 3's SKLearnClassifier loses fit_kwargs when scikit-learn clones it: one epoch per model."""
    path = tmp_path / "ex12_keras_search.py"
    path.write_text(HEADER + textwrap.dedent('''
        def search(X, y, seed):
            keras.utils.set_random_seed(seed)
            classifier = SKLearnClassifier(model=build_model, fit_kwargs={"epochs": 4, "verbose": 0})
            return GridSearchCV(classifier, GRID, cv=3).fit(X, y)
    '''), encoding="utf-8")
    result = grade_file("ex12", path, hidden=False, lang="es")
    assert result.error is None, result.error
    check = result.check("search_epochs")
    assert not check.passed and "search_fit_kwargs_lost" in check.mistakes
    assert "1 época" in check.message and "fit_kwargs" in check.message  # Spanish feedback
    assert _passed(result, {"build_model", "build_hyperparameters", "fitted_search", "cv_folds", "candidates"}) == {}


# ------------------------------------------------------------------ tune's mistakes
TUNE_MISTAKES = {
    "tune_not_bayes_opt": '''
        def tune(X, y, seed):
            return {"n_hidden": 64, "learning_rate": 1e-3}
    ''',
    "tune_few_probes": CHEAP_TUNE.replace("init_points=3, n_iter=3", "init_points=2, n_iter=1"),
    "tune_targets_not_accuracy": CHEAP_TUNE.replace("return 0.9 - ", "return -2.3 + "),
    "tune_unknown_bounds": CHEAP_TUNE.replace("log10_learning_rate", "lr"),
}


@pytest.mark.parametrize("mistake", list(TUNE_MISTAKES))
def test_tune_mistakes_lose_their_check_and_are_named(mistake):
    _named(_grade(TUNE_MISTAKES[mistake]), "tune", mistake)


def test_a_tune_that_never_trains_well_fails_without_a_mistake_to_name():
    result = _grade(CHEAP_TUNE.replace("return 0.9 - ", "return 0.3 - "))
    check = result.check("tune")
    assert not check.passed and "best validation accuracy found is 0.29" in check.message


def test_the_learning_curve_is_attached_for_the_feedback_page():
    result = _grade(CORRECT_SEARCHES["RandomizedSearchCV over a list of model_kwargs, 4 folds"], CHEAP_TUNE)
    curve = result.extras["learning_curve"]
    assert {"loss", "val_loss", "accuracy", "val_accuracy"} <= set(curve)
    assert 1 <= len(curve["loss"]) <= ex12.CURVE_EPOCHS and curve["threshold"] == ex12.THRESHOLD
    assert all(0.0 <= a <= 1.0 for a in curve["val_accuracy"])
