"""Small statistics used by the scorecards and the calibration: intervals and a trend slope."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

__all__ = ["CONFIDENCE", "mean_interval", "p90", "slope_interval", "wilson_interval"]

CONFIDENCE = 0.95
"""Two-sided level of every interval reported."""


def wilson_interval(
    successes: float, trials: float, level: float = CONFIDENCE
) -> tuple[float, float]:
    """Wilson score interval of a rate ``successes / trials`` (NaN, NaN without trials)."""
    if trials <= 0:
        return math.nan, math.nan
    z = stats.norm.ppf(0.5 + level / 2)
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = (
        z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    )
    return max(0.0, centre - half), min(1.0, centre + half)


def mean_interval(values: np.ndarray, level: float = CONFIDENCE) -> tuple[float, float]:
    """Student-t interval of the mean (NaN, NaN with fewer than 2 values)."""
    n = len(values)
    if n < 2:
        return math.nan, math.nan
    mean = float(np.mean(values))
    half = stats.t.ppf(0.5 + level / 2, n - 1) * float(np.std(values, ddof=1)) / math.sqrt(n)
    return mean - half, mean + half


def p90(values: np.ndarray) -> float:
    """90th percentile, linear between order statistics (numpy's default); NaN if empty."""
    return float(np.quantile(values, 0.9)) if len(values) else math.nan


def slope_interval(
    x: np.ndarray, y: np.ndarray, level: float = CONFIDENCE
) -> tuple[float, float, float]:
    """Least-squares slope of ``y`` on ``x`` with its t interval (NaNs with < 3 points or one x)."""
    n = len(x)
    if n < 3 or float(np.ptp(x)) == 0.0:
        return math.nan, math.nan, math.nan
    result = stats.linregress(x, y)
    half = stats.t.ppf(0.5 + level / 2, n - 2) * result.stderr
    return float(result.slope), float(result.slope - half), float(result.slope + half)
