"""ex9 search: real scikit-learn searches in the sandbox. Correct variants keep full marks; fewer folds or
candidates, scaling outside the pipeline (leakage), no scaling, a network without a search, a search around
the pipeline, an unfitted or non-refit search, nothing returned and a too slow search lose exactly their points
with a message naming the mistake.

The submissions use small searches (3 folds, 4 candidates, ≈ 0.5 s each) to keep the file fast.
"""
import textwrap

import pytest

from autograder import registry
from autograder.exercises import ex9
from autograder.exercises.ex9 import MISTAKES
from autograder.grading import grade_file, grade_impl
from autograder.impl import LocalImpl

TYPE = "search: a fitted GridSearchCV or RandomizedSearchCV over a neural network"
FOLDS = "search: cross-validation with at least 3 folds"
CANDIDATES = "search: at least 4 distinct candidates"
SCALING = "search: the scaler is a step of the searched pipeline (no leakage)"
ACCURACY = "search: test accuracy ≥ 0.90 on breast cancer"
HIDDEN = "search (hidden): test accuracy ≥ 0.90 on a fresh split and seed"
STRUCTURE = {TYPE, FOLDS, CANDIDATES, SCALING}
POINTS = {c.name: c.points for c in ex9.CHECKS}

HEADER = '''
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

GRID = {"mlpclassifier__hidden_layer_sizes": [(8,), (16,)], "mlpclassifier__alpha": [1e-3, 1.0]}
BARE_GRID = {"hidden_layer_sizes": [(8,), (16,)], "alpha": [1e-3, 1.0]}

def net(seed):
    return MLPClassifier(max_iter=300, learning_rate_init=0.01, random_state=seed)
'''


def _grade(tmp_path, body, lang="en"):
    path = tmp_path / "ex9_search.py"
    path.write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    result = grade_file("ex9", path, hidden=True, lang=lang)
    assert result.error is None, result.error
    return {c.name: c for c in result.checks}, result


def _failed(checks):
    return {name for name, c in checks.items() if not c.passed}


def _lost(checks):
    return sum(POINTS[name] for name in _failed(checks))


def test_points_split():
    assert sum(POINTS.values()) == registry.get("ex9").points == 10
    assert sum(c.points for c in ex9.CHECKS if c.hidden) == 2
    # the ids key gradebook columns: they never change
    assert [c.id for c in ex9.CHECKS] == ["fitted_search", "cv_folds", "candidates", "scaler_in_pipeline",
                                          "test_accuracy", "test_accuracy_hidden"]


def _named_by_its_targets(result, mistake):
    """Every check the mistake targets fails and names it by id."""
    for check_id in MISTAKES[mistake].targets:
        check = result.check(check_id)
        assert not check.passed and mistake in check.mistakes, (check_id, check.message)


# ------------------------------------------------------------------ correct, but different
CORRECT = {
    "grid, make_pipeline, cv=3": '''
        def search(X, y, seed):
            return GridSearchCV(make_pipeline(StandardScaler(), net(seed)), GRID, cv=3).fit(X, y)
    ''',
    "random search, MinMaxScaler, scipy distribution, 4 folds, fit then return": '''
        from scipy.stats import loguniform

        def search(X, y, seed):
            pipe = Pipeline([("minmax", MinMaxScaler()),
                             ("net", MLPClassifier(max_iter=500, learning_rate_init=0.01, random_state=seed))])
            space = {"net__alpha": loguniform(1e-4, 1.0), "net__hidden_layer_sizes": [(10,), (20,)]}
            s = RandomizedSearchCV(pipe, space, n_iter=4, random_state=seed,
                                   cv=StratifiedKFold(4, shuffle=True, random_state=seed))
            s.fit(X, y)
            return s
    ''',
    "scaler then PCA then the network, n_jobs=2, roc_auc scoring": '''
        from sklearn.decomposition import PCA

        def search(X, y, seed):
            pipe = make_pipeline(StandardScaler(), PCA(n_components=10), net(seed))
            return GridSearchCV(pipe, GRID, cv=3, n_jobs=2, scoring="roc_auc").fit(X, y)
    ''',
}


@pytest.mark.parametrize("body", list(CORRECT.values()), ids=list(CORRECT))
def test_correct_variants_get_full_marks(tmp_path, body):
    checks, result = _grade(tmp_path, body)
    assert [(c.name, c.message) for c in checks.values() if not c.passed] == []
    assert result.score == 10
    assert "test accuracy 0.9" in checks[ACCURACY].message and "the search took" in checks[ACCURACY].message


@pytest.mark.keras
def test_keras_through_the_scikit_learn_wrapper_gets_full_marks(tmp_path):
    checks, result = _grade(tmp_path, '''
        import keras
        from keras.wrappers import SKLearnClassifier

        def build(X, y, hidden=16, lr=0.01):
            model = keras.Sequential([keras.Input(shape=(X.shape[1],)), keras.layers.Dense(hidden, activation="relu"),
                                      keras.layers.Dense(y.shape[1], activation="softmax")])
            model.compile(optimizer=keras.optimizers.Adam(lr), loss="categorical_crossentropy")
            return model

        def search(X, y, seed):
            keras.utils.set_random_seed(seed)
            wrapped = SKLearnClassifier(model=build, fit_kwargs={"epochs": 30, "batch_size": 32, "verbose": 0})
            grid = {"sklearnclassifier__model_kwargs": [{"hidden": h, "lr": lr} for h in (8, 16) for lr in (0.003, 0.01)]}
            folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=seed)
            return GridSearchCV(make_pipeline(StandardScaler(), wrapped), grid, cv=folds).fit(X, y)
    ''')
    assert [(c.name, c.message) for c in checks.values() if not c.passed] == []
    assert "SKLearnClassifier" in checks[TYPE].message


# ------------------------------------------------------------------ too small a search
def test_two_folds_lose_the_folds_points_only(tmp_path):
    checks, result = _grade(tmp_path, '''
        def search(X, y, seed):
            return GridSearchCV(make_pipeline(StandardScaler(), net(seed)), GRID, cv=2).fit(X, y)
    ''')
    assert _failed(checks) == {FOLDS}
    assert "used 2 cross-validation split(s)" in checks[FOLDS].message
    assert MISTAKES["search_few_folds"].en in checks[FOLDS].message
    _named_by_its_targets(result, "search_few_folds")
    assert result.score == 10 - 1.5


def test_two_candidates_and_repeated_candidates_lose_the_candidates_points_only(tmp_path):
    checks, result = _grade(tmp_path, '''
        def search(X, y, seed):
            twice = [{"mlpclassifier__alpha": [1e-3, 1.0]}, {"mlpclassifier__alpha": [1e-3, 1.0]}]
            return GridSearchCV(make_pipeline(StandardScaler(), net(seed)), twice, cv=3).fit(X, y)
    ''')
    assert _failed(checks) == {CANDIDATES}
    assert "2 distinct candidate setting(s) (4 in cv_results_)" in checks[CANDIDATES].message
    assert MISTAKES["search_few_candidates"].en in checks[CANDIDATES].message
    _named_by_its_targets(result, "search_few_candidates")
    assert result.score == 10 - 1.5


# ------------------------------------------------------------------ scaling and leakage
def test_scaling_before_the_search_is_leakage_and_breaks_raw_predictions(tmp_path):
    checks, result = _grade(tmp_path, '''
        def search(X, y, seed):
            X_scaled = StandardScaler().fit_transform(X)        # fitted on every fold at once
            return GridSearchCV(net(seed), BARE_GRID, cv=3).fit(X_scaled, y)
    ''')
    assert _failed(checks) == {SCALING, ACCURACY, HIDDEN}
    message = checks[SCALING].message
    assert "no scaler" in message and "fitted on transformed inputs" in message
    assert MISTAKES["search_scaled_before"].en in message
    assert MISTAKES["search_scaled_before"].en in checks[ACCURACY].message
    _named_by_its_targets(result, "search_scaled_before")
    assert "test accuracy 0.3" in checks[ACCURACY].message     # the raw test inputs saturate the network


def test_scaling_twice_is_caught_by_the_scaler_fitted_on_other_data(tmp_path):
    checks, result = _grade(tmp_path, '''
        def search(X, y, seed):
            X = MinMaxScaler().fit_transform(X)                  # the pipeline's scaler then sees [0, 1] data
            return GridSearchCV(make_pipeline(StandardScaler(), net(seed)), GRID, cv=3).fit(X, y)
    ''')
    assert SCALING in _failed(checks) and _failed(checks) <= {SCALING, ACCURACY, HIDDEN}
    message = checks[SCALING].message
    assert "the pipeline's StandardScaler leaves a feature with standard deviation" in message
    assert MISTAKES["search_scaled_before"].en in message


def test_no_scaling_at_all_loses_the_scaling_points_even_when_accurate(tmp_path):
    checks, result = _grade(tmp_path, '''
        def search(X, y, seed):
            return GridSearchCV(net(seed), BARE_GRID, cv=3).fit(X, y)
    ''')
    failed = _failed(checks)
    assert SCALING in failed and failed <= {SCALING, HIDDEN}        # 0.944 on the public split: Adam copes
    assert checks[ACCURACY].passed
    assert MISTAKES["search_no_scaling"].en in checks[SCALING].message
    assert MISTAKES["search_scaled_before"].en not in checks[SCALING].message
    _named_by_its_targets(result, "search_no_scaling")


@pytest.mark.parametrize("key", ["nn-grader-tests-hidden-key", "another-course-key-0001", "another-course-key-0002"])
def test_no_scaling_with_plain_sgd_also_loses_the_accuracy(tmp_path, monkeypatch, key):
    """The diagnosis holds on any course's hidden draw (an erratic unscaled SGD network with a lucky
    CV fold once passed for a search fitted on a scaled copy)."""
    monkeypatch.setenv("GRADER_HIDDEN_KEY", key)
    checks, result = _grade(tmp_path, '''
        def search(X, y, seed):
            return GridSearchCV(MLPClassifier(solver="sgd", random_state=seed), BARE_GRID, cv=3).fit(X, y)
    ''')
    failed = _failed(checks)
    assert {SCALING, ACCURACY} <= failed <= {SCALING, ACCURACY, HIDDEN}
    assert "test accuracy 0.629" in checks[ACCURACY].message    # stuck on the majority class
    for name in failed:
        assert MISTAKES["search_no_scaling"].en in checks[name].message


# ------------------------------------------------------------------ not a search
def test_a_plain_network_loses_the_search_checks(tmp_path):
    checks, result = _grade(tmp_path, '''
        def search(X, y, seed):
            return make_pipeline(StandardScaler(), net(seed)).fit(X, y)
    ''')
    assert _failed(checks) == STRUCTURE
    assert "search returned a Pipeline (from sklearn.pipeline), not a GridSearchCV" in checks[TYPE].message
    assert "StandardScaler → MLPClassifier" in checks[TYPE].message
    assert MISTAKES["search_not_a_search"].en in checks[TYPE].message
    _named_by_its_targets(result, "search_not_a_search")
    for name in STRUCTURE - {TYPE}:
        assert "no cross-validated search to inspect: search returned a Pipeline" in checks[name].message
    assert checks[ACCURACY].passed and checks[HIDDEN].passed       # the accuracy is the model's, search or not
    assert result.score == 10 - 6


def test_a_bare_mlp_classifier_is_named(tmp_path):
    checks, _ = _grade(tmp_path, '''
        def search(X, y, seed):
            return net(seed).fit(X, y)
    ''')
    assert STRUCTURE <= _failed(checks)
    assert "search returned a MLPClassifier" in checks[TYPE].message
    assert MISTAKES["search_not_a_search"].en in checks[TYPE].message


def test_a_search_inside_a_pipeline_is_leakage(tmp_path):
    checks, result = _grade(tmp_path, '''
        def search(X, y, seed):
            return make_pipeline(StandardScaler(), GridSearchCV(net(seed), BARE_GRID, cv=3)).fit(X, y)
    ''')
    assert _failed(checks) == STRUCTURE
    assert MISTAKES["search_pipeline_outside"].en in checks[TYPE].message
    _named_by_its_targets(result, "search_pipeline_outside")


def test_a_search_over_another_model_loses_the_first_check(tmp_path):
    checks, result = _grade(tmp_path, '''
        from sklearn.linear_model import LogisticRegression

        def search(X, y, seed):
            pipe = make_pipeline(StandardScaler(), LogisticRegression())
            return GridSearchCV(pipe, {"logisticregression__C": [0.01, 0.1, 1, 10]}, cv=3).fit(X, y)
    ''')
    assert _failed(checks) == {TYPE}
    assert "StandardScaler → LogisticRegression" in checks[TYPE].message
    assert MISTAKES["search_not_network"].en in checks[TYPE].message
    _named_by_its_targets(result, "search_not_network")


def test_unfitted_and_non_refit_searches(tmp_path):
    checks, result = _grade(tmp_path, '''
        def search(X, y, seed):
            return GridSearchCV(make_pipeline(StandardScaler(), net(seed)), GRID, cv=3)
    ''')
    assert _failed(checks) == set(POINTS)
    assert MISTAKES["search_not_fitted"].en in checks[TYPE].message
    _named_by_its_targets(result, "search_not_fitted")
    assert "NotFittedError" in checks[ACCURACY].message

    checks, result = _grade(tmp_path, '''
        def search(X, y, seed):
            return GridSearchCV(make_pipeline(StandardScaler(), net(seed)), GRID, cv=3, refit=False).fit(X, y)
    ''')
    assert _failed(checks) == {TYPE, SCALING, ACCURACY, HIDDEN}
    for name in (TYPE, SCALING, ACCURACY, HIDDEN):
        assert MISTAKES["search_no_refit"].en in checks[name].message
    _named_by_its_targets(result, "search_no_refit")


def test_returning_none_gets_a_clear_message_in_both_languages(tmp_path):
    body = '''
        def search(X, y, seed):
            s = GridSearchCV(make_pipeline(StandardScaler(), net(seed)), GRID, cv=3)
            s.fit(X, y)                                          # forgot the return
    '''
    checks, result = _grade(tmp_path, body)
    assert result.score == 0
    for c in checks.values():
        assert "search(X, y, seed) returned None" in c.message
        assert MISTAKES["search_returned_none"].en in c.message
    _named_by_its_targets(result, "search_returned_none")
    checks, result = _grade(tmp_path, body, lang="es")
    assert "search(X, y, seed) devolvió None" in checks[TYPE].message
    assert MISTAKES["search_returned_none"].es in checks[TYPE].message
    assert result.check("fitted_search").title("es") == ("search: un GridSearchCV o RandomizedSearchCV ajustado "
                                                         "sobre una red neuronal")
    _named_by_its_targets(result, "search_returned_none")


def test_a_search_over_the_time_limit_fails_with_advice(tmp_path, monkeypatch):
    monkeypatch.setattr(ex9, "SEARCH_TIMEOUT_S", 2.0)
    checks, result = _grade(tmp_path, '''
        import time

        def search(X, y, seed):
            time.sleep(60)
    ''')
    assert result.score == 0
    for c in checks.values():
        assert "search() did not finish within 2 s" in c.message
        assert MISTAKES["search_too_slow"].en in c.message
    _named_by_its_targets(result, "search_too_slow")


# ------------------------------------------------------------------ in process (a notebook's check cell)
def test_in_process_grading_agrees_and_runs_the_search_once_per_seed(tmp_path):
    namespace = {}
    exec(HEADER + textwrap.dedent('''
        calls = []

        def search(X, y, seed):
            calls.append(seed)
            X_scaled = StandardScaler().fit_transform(X)
            return GridSearchCV(make_pipeline(StandardScaler(), net(seed)), GRID, cv=3).fit(X_scaled, y)
    '''), namespace)
    result = grade_impl("ex9", LocalImpl({"search": namespace["search"]}), hidden=True, lang="es")
    checks = {c.name: c for c in result.checks}
    assert _failed(checks) == {SCALING, ACCURACY, HIDDEN}
    assert MISTAKES["search_scaled_before"].es in checks[SCALING].message
    assert len(namespace["calls"]) == 2 and namespace["calls"][0] == ex9.PUBLIC_SEARCH_SEED
