"""Fashion-MNIST, offline: Debian's dataset-fashion-mnist files, the $GRADER_FASHION_MNIST override (a folder
of the four idx files, or a Keras-format .npz), and one clear message for every way it can be missing or
broken. The tests marked `fashion` read the real files (CI requires them: tests/conftest.py)."""
import gzip
import os
import subprocess
import sys

import numpy as np
import pytest

from autograder import data
from autograder.data import FASHION_ENV, FASHION_FILES, DataUnavailable, fashion_mnist, fashion_mnist_source


@pytest.fixture
def no_fashion(monkeypatch, tmp_path):
    """Neither the variable nor Debian's folder."""
    monkeypatch.delenv(FASHION_ENV, raising=False)
    monkeypatch.setattr(data, "FASHION_DEBIAN_DIR", tmp_path / "absent")


def _write_idx(path, array, magic):
    header = np.array([magic, len(array), *array.shape[1:]], dtype=">u4").tobytes()
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def _tiny_folder(folder, n_train=30, n_test=20):
    """Four idx files in the original layout: images whose pixels encode their label, labels 0..9."""
    folder.mkdir(exist_ok=True)
    parts = []
    for name_x, name_y, n in ((FASHION_FILES[0], FASHION_FILES[1], n_train), (FASHION_FILES[2], FASHION_FILES[3], n_test)):
        y = np.arange(n) % 10
        x = np.repeat(y[:, None, None] * 20, 28, axis=1).repeat(28, axis=2)
        _write_idx(folder / name_x, x, 2051)
        _write_idx(folder / name_y, y, 2049)
        parts.append((x, y))
    return parts


# ------------------------------------------------------------------ the real files
@pytest.mark.fashion
def test_the_real_files_load_as_columns_of_raw_pixels():
    split = fashion_mnist(0, 500, 200)
    assert split.X_train.shape == (784, 500) and split.X_test.shape == (784, 200)
    assert split.T_train.shape == (10, 500) and np.all(split.T_train.sum(axis=0) == 1)
    assert split.X_train.min() == 0 and split.X_train.max() == 255 and split.X_train.dtype == np.float64
    assert set(np.unique(split.y_test)) == set(range(10))
    again = fashion_mnist(0, 500, 200)
    assert np.array_equal(split.X_train, again.X_train) and np.array_equal(split.y_test, again.y_test)
    other = fashion_mnist(1, 500, 200)
    assert not np.array_equal(split.X_train, other.X_train)


@pytest.mark.fashion
def test_the_real_files_are_the_whole_data_set():
    split = fashion_mnist(0, None, None)
    assert split.X_train.shape == (784, 60_000) and split.X_test.shape == (784, 10_000)
    assert np.all(np.bincount(split.y_test) == 1000)  # 1000 test images of each class


@pytest.mark.fashion
def test_a_folder_in_the_variable_is_read_like_debians(monkeypatch, tmp_path):
    debian = data.FASHION_DEBIAN_DIR
    for name in FASHION_FILES:
        (tmp_path / name).symlink_to(debian / name)
    monkeypatch.setenv(FASHION_ENV, str(tmp_path))
    assert fashion_mnist_source() == tmp_path
    monkeypatch.delenv(FASHION_ENV)
    expected = fashion_mnist(3, 100, 100)
    monkeypatch.setenv(FASHION_ENV, str(tmp_path))
    got = fashion_mnist(3, 100, 100)
    assert np.array_equal(got.X_train, expected.X_train) and np.array_equal(got.y_test, expected.y_test)


# ------------------------------------------------------------------ the override, and what can go wrong
def test_the_variable_wins_over_debians_folder(monkeypatch, tmp_path):
    parts = _tiny_folder(tmp_path / "mine")
    monkeypatch.setenv(FASHION_ENV, str(tmp_path / "mine"))
    split = fashion_mnist(0, None, None)
    assert split.X_train.shape == (784, 30) and split.X_test.shape == (784, 20)
    # each image's pixels are 20 × its label: the labels travel with their images
    assert np.array_equal(split.X_test[0] / 20, split.y_test)
    assert sorted(split.y_test) == sorted(parts[1][1])


def test_a_keras_npz_in_the_variable(monkeypatch, tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "fashion.npz"
    np.savez(path, x_train=rng.integers(0, 256, (40, 28, 28), dtype=np.uint8), y_train=np.arange(40) % 10,
             x_test=rng.integers(0, 256, (10, 28, 28), dtype=np.uint8), y_test=np.arange(10))
    monkeypatch.setenv(FASHION_ENV, str(path))
    split = fashion_mnist(0, 25, None)
    assert split.X_train.shape == (784, 25) and split.X_test.shape == (784, 10) and split.T_train.shape == (10, 25)


def test_nothing_installed_says_how_to_install_it(no_fashion):
    assert fashion_mnist_source() is None
    with pytest.raises(DataUnavailable, match="apt install dataset-fashion-mnist") as info:
        fashion_mnist(0)
    assert FASHION_ENV in str(info.value) and "nothing is downloaded" in str(info.value)


@pytest.mark.parametrize("problem", ["missing path", "missing file", "truncated", "not idx"])
def test_a_broken_source_is_one_clear_message(monkeypatch, tmp_path, problem):
    folder = tmp_path / "fm"
    _tiny_folder(folder)
    target, expected = folder, None
    if problem == "missing path":
        target, expected = tmp_path / "nowhere", "no such file or folder"
    elif problem == "missing file":
        (folder / FASHION_FILES[3]).unlink()
        expected = f"lacks {FASHION_FILES[3]}"
    elif problem == "truncated":
        raw = gzip.decompress((folder / FASHION_FILES[0]).read_bytes())
        (folder / FASHION_FILES[0]).write_bytes(gzip.compress(raw[:-100]))
        expected = "truncated"
    else:
        (folder / FASHION_FILES[1]).write_bytes(gzip.compress(b"PK\x03\x04 not an idx file"))
        expected = "is not an idx file"
    data._idx_arrays.cache_clear()
    monkeypatch.setenv(FASHION_ENV, str(target))
    with pytest.raises(DataUnavailable, match=expected):
        fashion_mnist(0)


def test_grading_ex12_without_the_data_stops_with_one_line(tmp_path):
    """Not the student's fault: no grade, exit code 2, the fix in one line, no traceback."""
    from autograder import authoring

    env = {**os.environ, FASHION_ENV: str(tmp_path / "nowhere")}
    stub = authoring.EXERCISES / "ex12_keras_search.py"
    grader = os.path.join(os.path.dirname(sys.executable), "grader")
    proc = subprocess.run([grader, "check", "ex12", str(stub)], env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"${FASHION_ENV}={tmp_path / 'nowhere'}: no such file or folder" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
