"""ex6's thresholds and the bias/variance diagnosis, measured (prints the figures ex6's and
autograder/diagnosis.py's docstrings quote).

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/ex6_history.py [N_SEEDS] [N_MODEL_SEEDS]

1. The solution (solutions/ex6_train_numpy.py) on data seeds 0..N_SEEDS−1 (default 200) with training
   seeds 100000 + data seed, on make_moons and on the 8×8 digits: test accuracy min / 1st percentile /
   mean / max, training time mean / max, and what :func:`autograder.diagnosis.diagnose` says of the
   history it returns (kinds, largest validation-loss rise, largest accuracy gap, lowest final
   training accuracy).
2. Two deliberately overfitting models (the solution's train with 512 hidden units, no L2, a learning
   rate of 0.05, 300 epochs, no early stopping, and 30 % — or 10 % — of the examples to train on) and
   two deliberately underfitting ones (softmax regression; the solution with a learning rate of 1e-5)
   on N_MODEL_SEEDS seeds (default 20): the same diagnosis figures.
"""
from __future__ import annotations

import sys
import time
from collections import Counter

import numpy as np

from autograder import authoring
from autograder.data import digits, moons
from autograder.diagnosis import diagnose
from autograder.exercises.ex6 import DIGITS_THRESHOLD, MOONS_THRESHOLD

SOLUTION = authoring.student_script("ex6", authoring.parse(authoring.source_path("ex6").read_text(encoding="utf-8")),
                                    keep_solutions=True)
NS: dict = {"__name__": "bench"}
exec(compile(SOLUTION, "<ex6 solution>", "exec"), NS)
train = NS["train"]
THRESHOLDS = {"moons": MOONS_THRESHOLD, "digits": DIGITS_THRESHOLD}


def softmax_regression(X, T, seed, epochs=200, learning_rate=0.5, val_fraction=0.2):
    """No hidden layer (high bias on the moons): full-batch gradient descent, the same history."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(X.shape[1])
    n_val = int(round(val_fraction * X.shape[1]))
    val, fit = order[:n_val], order[n_val:]
    mean, std = X[:, fit].mean(axis=1, keepdims=True), X[:, fit].std(axis=1, keepdims=True) + 1e-8
    Xf, Tf, Xv, Tv = (X[:, fit] - mean) / std, T[:, fit], (X[:, val] - mean) / std, T[:, val]
    W, b = np.zeros((T.shape[0], X.shape[0])), np.zeros((T.shape[0], 1))
    history = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}

    def probs(Xs):
        Z = W @ Xs + b
        Y = np.exp(Z - Z.max(axis=0))
        return Y / Y.sum(axis=0)

    for _ in range(epochs):
        Y = probs(Xf)
        D = (Y - Tf) / Xf.shape[1]
        W -= learning_rate * D @ Xf.T
        b -= learning_rate * D.sum(axis=1, keepdims=True)
        for (lk, ak), (Xs, Ts) in ((("loss", "accuracy"), (Xf, Tf)), (("val_loss", "val_accuracy"), (Xv, Tv))):
            P = probs(Xs)
            history[lk].append(float(-np.mean(np.sum(Ts * np.log(P + 1e-12), axis=0))))
            history[ak].append(float(np.mean(P.argmax(axis=0) == Ts.argmax(axis=0))))
    return (lambda Xn: np.argmax(probs((Xn - mean) / std), axis=0)), history


def overfitting(X, T, seed):
    """Little data, a big network, no regularisation, a high learning rate, long training: 30 % of the
    examples to train on."""
    return train(X, T, seed, n_hidden=512, lam=0.0, epochs=300, patience=10**9, val_fraction=0.7,
                 learning_rate=0.05)


def memorising(X, T, seed):
    """The same with 10 % of the examples to train on: it learns them by heart."""
    return train(X, T, seed, n_hidden=512, lam=0.0, epochs=300, patience=10**9, val_fraction=0.9,
                 learning_rate=0.05)


def slow_learner(X, T, seed):
    return train(X, T, seed, learning_rate=1e-5, epochs=30, patience=10**9)


def _fmt(values, how):
    values = [v for v in values if v is not None]
    return "-" if not values else f"{how(values):.3f}"


def measure(label, fn, seeds, data_sets=("moons", "digits")):
    if not len(seeds):
        return
    for name in data_sets:
        load = moons if name == "moons" else digits
        accuracies, times, diagnoses = [], [], []
        for seed in seeds:
            split = load(seed)
            start = time.perf_counter()
            predict, history = fn(split.X_train, split.T_train, 100000 + seed)
            times.append(time.perf_counter() - start)
            accuracies.append(float(np.mean(predict(split.X_test) == split.y_test)))
            diagnoses.append(diagnose(history, THRESHOLDS[name]))
        a = np.array(accuracies)
        print(f"{label} {name}: accuracy min {a.min():.3f} p1 {np.percentile(a, 1):.3f} mean {a.mean():.3f} "
              f"max {a.max():.3f} over {len(a)} seeds; train time mean {np.mean(times):.2f} s max {max(times):.2f} s")
        kinds = Counter(f"{d.kind}/{d.rule}" for d in diagnoses)
        print(f"  diagnosis {dict(kinds)}; epochs {min(d.epochs for d in diagnoses)}–{max(d.epochs for d in diagnoses)}; "
              f"val-loss rise max {_fmt([d.val_rise for d in diagnoses], max)} min {_fmt([d.val_rise for d in diagnoses], min)}; "
              f"gap max {_fmt([d.gap for d in diagnoses], max)} min {_fmt([d.gap for d in diagnoses], min)}; "
              f"final training accuracy min {_fmt([d.accuracy_end for d in diagnoses], min)} "
              f"max {_fmt([d.accuracy_end for d in diagnoses], max)}; "
              f"training-loss drop min {_fmt([d.loss_drop for d in diagnoses], min)}")


def main(argv):
    n_seeds = int(argv[1]) if len(argv) > 1 else 200
    n_models = int(argv[2]) if len(argv) > 2 else 20
    measure("solution", train, range(n_seeds))
    measure("overfitting (30 % of the data to train, 512 units, no L2, lr 0.05, 300 epochs)", overfitting,
            range(n_models))
    measure("overfitting (10 % of the data to train, 512 units, no L2, lr 0.05, 300 epochs)", memorising,
            range(n_models))
    measure("underfitting (softmax regression)", softmax_regression, range(n_models))
    measure("underfitting (learning rate 1e-5, 30 epochs)", slow_learner, range(n_models))


if __name__ == "__main__":
    main(sys.argv)
