"""Course data sets for the training exercises, in the course's layout; nothing is downloaded.

Every loader returns a :class:`Split` ``(X_train, T_train, X_test, y_test)``:
examples are **columns** — ``X_train`` ``(n_features, m_train)`` and
``X_test`` ``(n_features, m_test)`` float64, raw (no scaling: digit pixels
0–16, MNIST pixels 0–255), ``T_train`` one-hot ``(n_classes, m_train)``
float64 and ``y_test`` integer labels ``(m_test,)``. The same seed always
gives the same split.

* :func:`moons` — scikit-learn's ``make_moons`` (two rows of ``T``);
* :func:`digits` — scikit-learn's bundled 8×8 digits (64 features, 10 classes);
* :func:`mnist_npz` — MNIST or Fashion-MNIST from a local file in the Keras
  ``.npz`` format (``x_train (N, 28, 28)``, ``y_train (N,)``, ``x_test``,
  ``y_test``; uint8 pixels), subsampled by seed, 784 features;
* :func:`course_digits` — what the digits checks use: the ``.npz`` named by
  ``$GRADER_DIGITS_NPZ`` when the instructor sets it, else :func:`digits`.
  :func:`digits_source` says which, for messages.

scikit-learn is imported only inside the loaders that need it (it comes with
the ``keras`` extra); without it they raise :class:`DataUnavailable`, which
says what to install. :func:`mnist_npz` needs NumPy only.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

#: the environment variable naming a Keras-format .npz (MNIST / Fashion-MNIST) for the digits checks.
DIGITS_NPZ_ENV = "GRADER_DIGITS_NPZ"
#: examples drawn from an .npz for training and for testing (its own train and test parts).
NPZ_TRAIN, NPZ_TEST = 10_000, 2_000


class Split(NamedTuple):
    """A train/test split, examples as columns; ``y_test`` stays in the grader's process."""

    X_train: np.ndarray  # (n_features, m_train) float64
    T_train: np.ndarray  # (n_classes, m_train) one-hot float64
    X_test: np.ndarray   # (n_features, m_test) float64
    y_test: np.ndarray   # (m_test,) int64


class DataUnavailable(RuntimeError):
    """A data set cannot be loaded here (scikit-learn missing, or a bad .npz); the message says why."""


def one_hot(y, n_classes: int) -> np.ndarray:
    """Integer labels ``(m,)`` -> one-hot columns ``(n_classes, m)`` float64."""
    y = np.asarray(y, dtype=np.int64)
    out = np.zeros((n_classes, y.size))
    out[y, np.arange(y.size)] = 1.0
    return out


def _sklearn_datasets():
    try:
        from sklearn import datasets
    except ImportError as exc:
        raise DataUnavailable(
            "the make_moons and digits data sets come from scikit-learn, which is not installed here: "
            "install it with  pip install 'nn-grader[keras]'  (or  pip install scikit-learn)") from exc
    return datasets


def moons(seed: int, n_train: int = 500, n_test: int = 1000, noise: float = 0.2) -> Split:
    """Two interleaving half circles with Gaussian noise (``make_moons``), 2 features, 2 classes."""
    X, y = _sklearn_datasets().make_moons(n_samples=n_train + n_test, noise=noise, random_state=int(seed))
    X, y = X.T.astype(np.float64), y.astype(np.int64)
    return Split(X[:, :n_train].copy(), one_hot(y[:n_train], 2), X[:, n_train:].copy(), y[n_train:].copy())


@lru_cache(maxsize=1)
def _digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    bunch = _sklearn_datasets().load_digits()
    data, target = bunch.data.astype(np.float64), bunch.target.astype(np.int64)
    data.setflags(write=False)
    target.setflags(write=False)
    return data, target


def digits(seed: int, test_fraction: float = 0.25) -> Split:
    """scikit-learn's 1797 8×8 digits (pixels 0–16), split at random by ``seed``: 64 features, 10 classes."""
    data, target = _digits_arrays()
    order = np.random.default_rng(int(seed)).permutation(target.size)
    n_test = int(round(test_fraction * target.size))
    test, train = order[:n_test], order[n_test:]
    return Split(data[train].T.copy(), one_hot(target[train], 10), data[test].T.copy(), target[test].copy())


@lru_cache(maxsize=2)
def _npz_arrays(path: str, mtime: float) -> tuple[np.ndarray, ...]:
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [k for k in ("x_train", "y_train", "x_test", "y_test") if k not in npz.files]
            if missing:
                raise DataUnavailable(f"{path} is not a Keras-format .npz: it has no {', '.join(missing)} "
                                      f"(it holds {', '.join(npz.files) or 'nothing'})")
            arrays = tuple(np.asarray(npz[k]) for k in ("x_train", "y_train", "x_test", "y_test"))
    except (OSError, ValueError) as exc:
        raise DataUnavailable(f"cannot read {path} as an .npz file: {exc}") from None
    x_train, y_train, x_test, y_test = arrays
    if x_train.ndim < 2 or x_test.shape[1:] != x_train.shape[1:] or len(x_train) != len(y_train) \
            or len(x_test) != len(y_test):
        raise DataUnavailable(f"{path}: x_train {x_train.shape}, y_train {y_train.shape}, x_test {x_test.shape}, "
                              f"y_test {y_test.shape} do not fit together")
    for a in arrays:
        a.setflags(write=False)
    return arrays


def mnist_npz(path, seed: int = 0, n_train: int | None = NPZ_TRAIN, n_test: int | None = NPZ_TEST) -> Split:
    """MNIST-like images from a Keras-format ``.npz`` (``keras.datasets.mnist.load_data`` writes one).

    ``n_train`` examples are drawn (by ``seed``, without replacement) from
    ``x_train`` and ``n_test`` from ``x_test``; ``None``, or more than there
    are, takes them all in random order. Images are flattened (28×28 -> 784
    features) and kept raw (0–255); the number of classes is the largest
    label + 1.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise DataUnavailable(f"no such file: {path} (set ${DIGITS_NPZ_ENV} to a Keras-format .npz, or unset it)")
    x_train, y_train, x_test, y_test = _npz_arrays(str(path.resolve()), path.stat().st_mtime)
    rng = np.random.default_rng(int(seed))

    def draw(x, y, n):
        n = len(y) if n is None else min(int(n), len(y))
        pick = rng.choice(len(y), size=n, replace=False)
        return x[pick].reshape(n, -1).T.astype(np.float64), y[pick].astype(np.int64)

    X_tr, y_tr = draw(x_train, y_train, n_train)
    X_te, y_te = draw(x_test, y_test, n_test)
    n_classes = int(max(y_train.max(), y_test.max())) + 1
    return Split(X_tr, one_hot(y_tr, n_classes), X_te, y_te)


def digits_source() -> str | None:
    """The .npz the digits checks use (``$GRADER_DIGITS_NPZ``), or None for scikit-learn's 8×8 digits."""
    return os.environ.get(DIGITS_NPZ_ENV) or None


def course_digits(seed: int) -> Split:
    """The digits data of the course: the configured .npz when there is one, else the 8×8 digits."""
    path = digits_source()
    return mnist_npz(path, seed) if path else digits(seed)
