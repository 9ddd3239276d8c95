"""autograder.compare: what a wrong array is said to be, when it is the expected one changed in a simple way."""
import numpy as np
import pytest

from autograder.compare import PATTERNS, compare, pattern
from autograder.messages import BOTH

EXPECTED = np.array([[0.5, -1.25, 2.0, 3.5], [-0.75, 1.5, -2.25, 0.125], [4.0, -0.5, 1.0, -3.0]])


@pytest.mark.parametrize("got,key,fields", [
    (-EXPECTED, "sign", {}),
    (2.0 * EXPECTED, "factor", {"k": 2.0}),
    (EXPECTED / 7.0, "factor", {"k": 1 / 7.0}),
    (EXPECTED + 0.3, "offset", {"c": 0.3}),
    (1.0 - EXPECTED, "complement", {"c": 1.0}),
    (EXPECTED.T, "transposed", {}),
    (EXPECTED.reshape(-1), "reshaped", {}),
    (EXPECTED[:, :3].T.copy(), None, None),  # another array of the transposed shape: nothing to say
])
def test_simple_changes_are_recognised(got, key, fields):
    found = pattern(np.asarray(got, dtype=float), EXPECTED)
    if key is None:
        assert found is None
        return
    assert found is not None and found[0] == key
    for name, value in fields.items():
        assert found[1][name] == pytest.approx(value)


def test_a_square_transpose_and_a_matrix_that_is_not_one():
    square = np.arange(1.0, 10.0).reshape(3, 3)
    assert pattern(square.T.copy(), square) == ("transposed", {})
    other = square.copy()
    other[0, 0] = 5.0
    assert pattern(other, square) is None


def test_unrelated_wrong_values_get_no_pattern():
    rng = np.random.default_rng(0)
    for _ in range(50):
        got = EXPECTED + rng.standard_normal(EXPECTED.shape)
        assert pattern(got, EXPECTED) is None
    # one wrong entry: not a constant factor nor offset
    got = EXPECTED.copy()
    got[1, 2] *= 2
    assert pattern(got, EXPECTED) is None


@pytest.mark.parametrize("got,expected,key,k", [
    (0.129404, 1.29404, "factor", 0.1),      # a mean over 10 entries where the sum over them was asked
    (6.0, 2.0, "factor", 3.0),
    (-2.5, 2.5, "sign", None),
    (2.6, 2.0, None, None),                   # 1.3 times: not a whole factor, nothing to say
    (1.0, 0.0, None, None),
])
def test_a_single_value_is_said_scaled_only_by_a_whole_factor(got, expected, key, k):
    found = pattern(np.array(got), np.array(expected))
    assert (found and found[0]) == key if key else found is None
    if k is not None:
        assert found[1]["k"] == pytest.approx(k)


def test_too_few_values_or_non_finite_say_nothing():
    assert pattern(np.array([2.0, 4.0, 6.0]), np.array([1.0, 2.0, 3.0])) is None  # 3 values: too few to tell
    with_nan = EXPECTED.copy()
    with_nan[0, 0] = np.nan
    assert pattern(2 * with_nan, with_nan) is None


def test_within_tolerance_is_no_factor():
    """A factor within rounding of 1 is not a mistake to explain (and compare would pass it anyway)."""
    assert compare(EXPECTED * (1 + 1e-9), EXPECTED) is None
    assert pattern(EXPECTED * (1 + 1e-4), EXPECTED) is None  # |k − 1| ≤ 1e-3: left to the plain message


def test_describe_appends_the_pattern_in_each_language():
    mismatch = compare(-EXPECTED, EXPECTED)
    both = mismatch.describe("out", BOTH)
    assert both("en").endswith(PATTERNS["sign"]("en"))
    assert both("es").endswith(PATTERNS["sign"]("es"))
    assert "signo contrario" in mismatch.describe("out", "es")
    factor = compare(3 * EXPECTED, EXPECTED).describe("out", "en")
    assert "Every value is 3 times the expected one" in factor
    shape = compare(EXPECTED.T, EXPECTED).describe("out", "es")
    assert "se esperaba la forma (3, 4)" in shape and "traspuestos" in shape


def test_a_plain_mismatch_reads_as_before():
    got = EXPECTED.copy()
    got[0, 1] = 9.0
    text = compare(got, EXPECTED).describe("out", "en")
    assert text.startswith("out: 1 of 12 values differ; the first at index (0, 1)")
    assert not any(p.en.split("{")[0].strip() in text for p in PATTERNS.values())
