"""The statistical bounds of the distribution checks (random outputs are graded by their distribution,
never by the random stream). Every bound is at ``Z`` = 5.3 standard deviations: a correct submission
fails one with probability ≈ 1.2e-7 (two-sided normal tail), and a check that applies k of them fails
with probability below k · 1.2e-7. NumPy-free and SciPy-free (students' machines have neither
requirement): plain ``math``.
"""
from __future__ import annotations

import math

#: standard deviations of every statistical bound
Z = 5.3


def std_ratio_bounds(n: int, z: float = Z) -> tuple[float, float]:
    """Bounds of s/σ for the sample std s (ddof=1) of n normal draws: Wilson–Hilferty quantiles of
    χ²(n−1) at ±z (within 1e-7 of the exact quantiles for n ≥ 1000)."""
    k = n - 1
    c = math.sqrt(2.0 / (9.0 * k))
    lo = k * (1.0 - 2.0 / (9.0 * k) - z * c) ** 3
    hi = k * (1.0 - 2.0 / (9.0 * k) + z * c) ** 3
    return math.sqrt(lo / k), math.sqrt(hi / k)


def mean_bound(sigma: float, n: int, z: float = Z) -> float:
    """Half-width of the bound on the sample mean of n draws of standard deviation sigma: z·σ/√n."""
    return z * sigma / math.sqrt(n)


def tail_bounds(n: int, c: float, z: float = Z) -> tuple[float, float, float]:
    """(expected count, p, half-width) of draws beyond c standard deviations among n normal draws."""
    p = math.erfc(c / math.sqrt(2.0))
    return n * p, p, z * math.sqrt(n * p * (1.0 - p))


#: the false-failure probability of one bound at ``Z`` (two-sided normal tail, ≈ 1.16e-7)
TAIL = math.erfc(Z / math.sqrt(2.0))


def std_resolution(n: int, z: float = Z) -> float:
    """The smallest relative error r of a std that :func:`std_ratio_bounds` resolves on n draws: a std
    σ(1 ± r) has its own ±z band wholly outside σ's, so it fails with probability above 1 − (normal tail
    at z) while σ itself passes with the same probability (hi/lo − 1, which is also ≥ 1 − lo/hi)."""
    lo, hi = std_ratio_bounds(n, z)
    return hi / lo - 1.0


def kl_bernoulli(x: float, q: float) -> float:
    """KL(Bernoulli(x) ‖ Bernoulli(q)) in nats, 0·log 0 = 0; 0 < q < 1."""
    out = 0.0
    if x > 0.0:
        out += x * math.log(x / q)
    if x < 1.0:
        out += (1.0 - x) * math.log((1.0 - x) / (1.0 - q))
    return out


def group_rate_limit(groups: int, alpha: float = TAIL) -> float:
    """The largest ``L·KL(K/L ‖ q)`` (:func:`kl_bernoulli`) each of ``groups`` disjoint groups of a 0/1 table
    may show before it is called dependent, so that all of them pass with probability ≥ 1 − alpha.

    The test (ex3's independence of dropout masks: the rows, then the columns of the mask): the table's
    entries are independent Bernoulli(p) for some unknown p. Given its total T of ones among N entries,
    the ones then form a uniformly random T-subset, whatever p is, so a group (a row) of L entries holds
    K ~ Hypergeometric(N, T, L), of mean L·q with q = T/N. Sampling without replacement is at least as
    concentrated as with replacement (Hoeffding 1963, Theorem 4: E f(K) ≤ E f(Binomial(L, q)) for convex
    f), so the Chernoff bounds of Binomial(L, q) hold: P(K/L ≥ u) ≤ exp(−L·KL(u ‖ q)) for u > q, and
    likewise below q. With c = ln(2·groups/alpha), a group exceeds c with probability ≤ 2e^(−c) =
    alpha/groups, and some group of the table with probability ≤ alpha (union bound). Exact: no normal
    approximation, any p, any group size."""
    return math.log(2.0 * groups / alpha)
