"""Risk measures of a cost distribution, and their Monte Carlo intervals.

For a cost ``X`` and a level ``alpha`` (e.g. 0.95):

* ``VaR_alpha`` (value at risk) = the smallest ``t`` with ``P(X <= t) >= alpha``: the
  ``alpha``-quantile (a sample's P95 at 0.95).
* ``CVaR_alpha`` (conditional value at risk, expected shortfall) = the mean cost of the worst
  ``1 - alpha`` of outcomes, in the Rockafellar-Uryasev form
  ``CVaR_alpha = min_t { t + E[(X - t)+] / (1 - alpha) }``, attained at ``t = VaR_alpha``.
  For a discrete distribution this counts an atom at ``VaR`` only for the part of its
  probability that lies in the tail (so CVaR is exact, e.g. ``{0: 0.9, 100: 0.05, 200: 0.05}``
  has ``CVaR_0.92 = (0.05 * 200 + 0.03 * 100) / 0.08 = 162.5``). A sample of ``n``
  replications is the discrete distribution with weight ``1/n`` on each.

Intervals: the mean's is Student t; VaR's and CVaR's are percentile bootstrap intervals
(replications resampled with replacement, ``BOOTSTRAP_RESAMPLES`` times, from an explicit seeded
generator, so the same sample gives the same interval). The bootstrap is consistent for CVaR
but under-covers when few replications fall in the tail: with ``n (1 - alpha) < 5`` the
interval is flagged (``tail_replications``) and should be read as indicative.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.simulation.measures import t_quantile

__all__ = [
    "BOOTSTRAP_RESAMPLES",
    "RiskSummary",
    "bootstrap_indices",
    "cvar",
    "cvar_of_rows",
    "risk_summary",
    "value_at_risk",
]

BOOTSTRAP_RESAMPLES = 1000
"""Resamples of a bootstrap interval."""


def _check_level(level: float) -> None:
    if not 0.0 <= level < 1.0:
        raise ValueError(f"the CVaR level must be in [0, 1), got {level}")


def _sorted(values: np.ndarray, weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        raise ValueError("no values")
    w = np.full(x.size, 1.0 / x.size) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != x.shape or (w < 0).any() or not math.isclose(float(w.sum()), 1.0, rel_tol=1e-9):
        raise ValueError("weights must be non-negative, one per value, and sum to 1")
    order = np.argsort(x, kind="stable")
    return x[order], w[order]


def value_at_risk(values: np.ndarray, level: float, weights: np.ndarray | None = None) -> float:
    """``VaR_level``: the smallest value whose cumulative probability reaches ``level``."""
    _check_level(level)
    x, w = _sorted(values, weights)
    cumulative = np.cumsum(w)
    return float(x[min(int(np.searchsorted(cumulative, level - 1e-12)), x.size - 1)])


def cvar(values: np.ndarray, level: float, weights: np.ndarray | None = None) -> float:
    """``CVaR_level``: the mean of the worst ``1 - level`` of the distribution (see the module
    docstring); ``values`` with probabilities ``weights`` (default equal: a sample)."""
    _check_level(level)
    x, w = _sorted(values, weights)
    var = value_at_risk(x, level, w)
    return var + float(np.sum(w * np.maximum(x - var, 0.0))) / (1.0 - level)


def cvar_of_rows(samples: np.ndarray, level: float) -> np.ndarray:
    """CVaR of each row of ``samples`` (equal weights): the same formula, vectorised."""
    x = np.sort(samples, axis=1)
    n = x.shape[1]
    k = np.minimum(np.ceil(level * n - 1e-9).astype(int), n) - 1  # VaR's index
    var = x[np.arange(x.shape[0]), np.maximum(k, 0)]
    return var + np.maximum(x - var[:, None], 0.0).sum(axis=1) / (n * (1.0 - level))


def bootstrap_indices(n: int, rng: np.random.Generator, resamples: int) -> np.ndarray:
    """``resamples x n`` replication indices drawn with replacement. The same indices serve
    every candidate, so a bootstrap of a difference keeps the pairing of common random
    numbers."""
    return rng.integers(0, n, size=(resamples, n))


@dataclass(frozen=True)
class RiskSummary:
    """Mean, VaR and CVaR of a sample of costs, each with its 95 % Monte Carlo interval."""

    n: int
    level: float
    mean: float
    mean_low: float
    mean_high: float
    var: float
    var_low: float
    var_high: float
    cvar: float
    cvar_low: float
    cvar_high: float
    tail_replications: float
    """``n (1 - level)``: replications in the tail; below 5 the CVaR interval is indicative."""


def risk_summary(
    values: np.ndarray,
    level: float,
    rng: np.random.Generator,
    resamples: int = BOOTSTRAP_RESAMPLES,
) -> RiskSummary:
    """``RiskSummary`` of a sample (one cost per replication)."""
    _check_level(level)
    x = np.asarray(values, dtype=float)
    n = x.size
    if n < 2:
        raise ValueError("at least 2 replications are needed for an interval")
    mean = float(x.mean())
    half = t_quantile(0.975, n - 1) * float(x.std(ddof=1)) / math.sqrt(n)
    samples = x[bootstrap_indices(n, rng, resamples)]
    cvars = cvar_of_rows(samples, level)
    vars_ = np.quantile(samples, level, axis=1, method="inverted_cdf")
    return RiskSummary(
        n=n,
        level=level,
        mean=mean,
        mean_low=mean - half,
        mean_high=mean + half,
        var=value_at_risk(x, level),
        var_low=float(np.quantile(vars_, 0.025)),
        var_high=float(np.quantile(vars_, 0.975)),
        cvar=cvar(x, level),
        cvar_low=float(np.quantile(cvars, 0.025)),
        cvar_high=float(np.quantile(cvars, 0.975)),
        tail_replications=n * (1.0 - level),
    )
