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
  :func:`digits_source` says which, for messages;
* :func:`fashion_mnist` — Zalando's Fashion-MNIST (28×28 grey images of 10 kinds
  of clothing, 60 000 training and 10 000 test images), subsampled by seed, 784
  features. Looked up, in this order: the path in ``$GRADER_FASHION_MNIST`` (a
  folder holding the four original ``*-idx*-ubyte.gz`` files, or a Keras-format
  ``.npz``), then Debian's package ``dataset-fashion-mnist``
  (``/usr/share/datasets/fashion-mnist``, installed by ``apt install
  dataset-fashion-mnist``). :func:`fashion_mnist_source` says which (None when
  neither is there); nothing is ever downloaded.

scikit-learn is imported only inside the loaders that need it (it comes with
the ``keras`` extra); without it they raise :class:`DataUnavailable`, which
says what to install. :func:`mnist_npz` needs NumPy only.
"""
from __future__ import annotations

import gzip
import os
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

#: the environment variable naming a Keras-format .npz (MNIST / Fashion-MNIST) for the digits checks.
DIGITS_NPZ_ENV = "GRADER_DIGITS_NPZ"
#: examples drawn from an .npz for training and for testing (its own train and test parts).
NPZ_TRAIN, NPZ_TEST = 10_000, 2_000
#: the environment variable naming Fashion-MNIST (a folder of its idx .gz files, or a Keras-format .npz).
FASHION_ENV = "GRADER_FASHION_MNIST"
#: where Debian's ``dataset-fashion-mnist`` package puts the files.
FASHION_DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
#: the four files of the original distribution (and of the Debian package): images, labels; train, test.
FASHION_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                 "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
#: Fashion-MNIST's ten classes, by label (English, Spanish).
FASHION_CLASSES = (("T-shirt/top", "camiseta"), ("trouser", "pantalón"), ("pullover", "jersey"), ("dress", "vestido"),
                   ("coat", "abrigo"), ("sandal", "sandalia"), ("shirt", "camisa"), ("sneaker", "zapatilla"),
                   ("bag", "bolso"), ("ankle boot", "botín"))


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


def _draw(arrays, seed: int, n_train: int | None, n_test: int | None) -> Split:
    """``n_train`` / ``n_test`` examples drawn by ``seed`` (without replacement) from the train / test parts,
    images flattened to columns (float64, raw pixels); None, or more than there are, takes them all."""
    x_train, y_train, x_test, y_test = arrays
    rng = np.random.default_rng(int(seed))

    def draw(x, y, n):
        n = len(y) if n is None else min(int(n), len(y))
        pick = rng.choice(len(y), size=n, replace=False)
        return x[pick].reshape(n, -1).T.astype(np.float64), y[pick].astype(np.int64)

    X_tr, y_tr = draw(x_train, y_train, n_train)
    X_te, y_te = draw(x_test, y_test, n_test)
    n_classes = int(max(y_train.max(), y_test.max())) + 1
    return Split(X_tr, one_hot(y_tr, n_classes), X_te, y_te)


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
    return _draw(_npz_arrays(str(path.resolve()), path.stat().st_mtime), seed, n_train, n_test)


def digits_source() -> str | None:
    """The .npz the digits checks use (``$GRADER_DIGITS_NPZ``), or None for scikit-learn's 8×8 digits."""
    return os.environ.get(DIGITS_NPZ_ENV) or None


def course_digits(seed: int) -> Split:
    """The digits data of the course: the configured .npz when there is one, else the 8×8 digits."""
    path = digits_source()
    return mnist_npz(path, seed) if path else digits(seed)


# ------------------------------------------------------------------ Fashion-MNIST
def _read_idx(path: Path, magic: int, item_shape: tuple[int, ...]) -> np.ndarray:
    """One gzip-compressed idx file (big-endian header: magic, count, then the item's dimensions) as uint8."""
    header = 4 * (2 + len(item_shape))
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as exc:
        raise DataUnavailable(f"cannot read {path}: {exc}") from None
    head = np.frombuffer(raw[:header], dtype=">u4") if len(raw) >= header else np.zeros(0)
    if head.size < 2 or int(head[0]) != magic or tuple(int(d) for d in head[2:]) != item_shape:
        raise DataUnavailable(f"{path} is not an idx file of {magic=} and items {item_shape}")
    count = int(head[1])
    data = np.frombuffer(raw, dtype=np.uint8, offset=header)
    if data.size != count * int(np.prod(item_shape, dtype=np.int64)):
        raise DataUnavailable(f"{path} is truncated: {data.size} bytes of data for {count} items of {item_shape}")
    return data.reshape((count, *item_shape))


@lru_cache(maxsize=1)
def _idx_arrays(folder: str) -> tuple[np.ndarray, ...]:
    root = Path(folder)
    x_train = _read_idx(root / FASHION_FILES[0], 2051, (28, 28))
    y_train = _read_idx(root / FASHION_FILES[1], 2049, ())
    x_test = _read_idx(root / FASHION_FILES[2], 2051, (28, 28))
    y_test = _read_idx(root / FASHION_FILES[3], 2049, ())
    if len(x_train) != len(y_train) or len(x_test) != len(y_test):
        raise DataUnavailable(f"{folder}: {len(x_train)} training images but {len(y_train)} labels, "
                              f"{len(x_test)} test images but {len(y_test)} labels")
    for a in (x_train, y_train, x_test, y_test):
        a.setflags(write=False)
    return x_train, y_train, x_test, y_test


def _has_idx_files(folder: Path) -> bool:
    return all((folder / name).is_file() for name in FASHION_FILES)


def fashion_mnist_source() -> Path | None:
    """Where Fashion-MNIST is read from: ``$GRADER_FASHION_MNIST`` when set, else Debian's folder when its
    files are there, else None. A set variable is returned even when it names nothing (the loader says so)."""
    configured = os.environ.get(FASHION_ENV)
    if configured:
        return Path(configured).expanduser()
    return FASHION_DEBIAN_DIR if _has_idx_files(FASHION_DEBIAN_DIR) else None


def fashion_mnist(seed: int = 0, n_train: int | None = NPZ_TRAIN, n_test: int | None = NPZ_TEST) -> Split:
    """Fashion-MNIST from :func:`fashion_mnist_source`, subsampled by ``seed``: 784 features (raw 0–255), 10 classes.

    Raises :class:`DataUnavailable` saying how to install it when it is not here.
    """
    source = fashion_mnist_source()
    if source is None:
        raise DataUnavailable(
            f"Fashion-MNIST is not installed here: install Debian's package (apt install dataset-fashion-mnist, "
            f"which puts it in {FASHION_DEBIAN_DIR}) or set ${FASHION_ENV} to a folder holding its four files "
            f"({', '.join(FASHION_FILES)}) or to a Keras-format .npz; nothing is downloaded")
    if source.is_dir():
        if not _has_idx_files(source):
            missing = [name for name in FASHION_FILES if not (source / name).is_file()]
            raise DataUnavailable(f"${FASHION_ENV}={source}: the folder lacks {', '.join(missing)}")
        return _draw(_idx_arrays(str(source.resolve())), seed, n_train, n_test)
    if source.is_file():
        return mnist_npz(source, seed, n_train, n_test)
    raise DataUnavailable(f"${FASHION_ENV}={source}: no such file or folder")
