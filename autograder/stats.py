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
