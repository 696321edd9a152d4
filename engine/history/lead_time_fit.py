"""Maximum-likelihood fit of the simulation's production-time family to observed lead times.

The family (``engine.simulation.production`` with the promise at the mean,
``quoted_lead_time_days = m``, which ``calibrate`` writes with the fit): a base ``B``
lognormal with mean ``m`` and std ``sigma`` (``s**2 = ln(1 + sigma**2 / m**2)``,
``mu = ln m - s**2 / 2``); a lot with ``B <= m`` slips, with probability
``q = max(0, 1 - rho / p)`` where ``p = Phi(s / 2)``, to ``m + K``, ``K = max(1,
ceil(E * sigma))`` with ``E`` standard exponential; the days are rounded half up.
So an observed whole number of days ``l`` has probability

    P(l) = (1 - q) P(B in [l - 1/2, l + 1/2), B <= m) + P(B in [l - 1/2, l + 1/2), B > m)
           + q p P(K = l - round(m)),      P(K = k) = exp(-(k - 1) / sigma) (1 - exp(-1 / sigma)).

The three parameters ``(m, sigma, rho)`` are fitted together by maximising the log-likelihood
over a grid (``GRID_POINTS``; ``m`` between the 10th and 90th percentiles of the data). Each
95 % interval is the profile-likelihood interval: the grid values whose best log-likelihood
over the other two parameters is within ``chi2_1(0.95) / 2`` of the maximum (exact to the
grid step). Above ``p`` the simulation cannot tell ``rho`` from ``p`` (no lot slips), so the
on-time rate reported is the one the simulation produces, ``min(rho, p)``, with its interval
taken over the same confidence set; ``on_time_identified`` says whether ``rho < p``.

Goodness of fit: Pearson's chi-square over whole-day bins pooled to an expected count of at
least 5, with ``bins - 1 - fitted parameters`` degrees of freedom (``p_value`` NaN when fewer
than 5 bins).
Calendar days are read as working days: a history through a shutdown (Chinese New Year) reads
it as longer lead times.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from engine.history.stats import CONFIDENCE

__all__ = ["LeadTimeFit", "fit_lead_times", "lead_time_probabilities"]

_Z = float(stats.norm.ppf(0.5 + CONFIDENCE / 2))
MEAN_STEP_DAYS = 0.1
MAX_MEANS = 300
STD_RANGE = (0.25, 2.5)
GRID_POINTS = 100
"""The likelihood is evaluated on a grid (it jumps where ``round(m)`` changes, so derivatives
do not serve): ``m`` every ``MEAN_STEP_DAYS`` days (coarser when that would take more than
``MAX_MEANS`` steps), ``sigma`` at ``GRID_POINTS`` geometric steps
over ``STD_RANGE`` times the sample std, ``rho`` at ``GRID_POINTS`` steps over 0.005..0.995."""


@dataclass(frozen=True)
class LeadTimeFit:
    """A fitted production-time distribution.

    Attributes:
        pos: Lots (POs with a ship date) the fit uses.
        mean_days, std_days, on_time_rate: The fitted ``m``, ``sigma``, ``rho``.
        *_ci_low, *_ci_high: Their 95 % intervals (NaN when the Hessian is not usable).
        on_time_identified: False when ``rho >= p`` (see the module docstring).
        chi_square, dof, p_value: Goodness of fit.
    """

    pos: int
    mean_days: float
    mean_ci_low: float
    mean_ci_high: float
    std_days: float
    std_ci_low: float
    std_ci_high: float
    on_time_rate: float
    on_time_ci_low: float
    on_time_ci_high: float
    on_time_identified: bool
    chi_square: float
    dof: int
    p_value: float


def _round_half_up(x: float) -> int:
    return math.floor(x + 0.5)


def lead_time_probabilities(
    days: np.ndarray, mean: float, std: np.ndarray | float, rho: np.ndarray | float
) -> np.ndarray:
    """``P(l)`` of the module docstring for whole numbers of days ``days`` (last axis); ``std``
    and ``rho`` may be arrays broadcasting against ``days[..., None]``-shaped grids."""
    days = np.asarray(days, dtype=float)
    std = np.asarray(std, dtype=float)[..., None]
    rho = np.asarray(rho, dtype=float)[..., None]
    s = np.sqrt(np.log1p((std / mean) ** 2))
    mu = math.log(mean) - s * s / 2
    p = special.ndtr(s / 2)
    q = np.maximum(0.0, 1.0 - rho / p)

    def cdf(x: np.ndarray) -> np.ndarray:
        return special.ndtr((np.log(np.maximum(x, 1e-300)) - mu) / s) * (x > 0)

    low, high = days - 0.5, days + 0.5
    below = np.clip(cdf(np.minimum(high, mean)) - cdf(low), 0, None) * (low < mean)
    above = np.clip(cdf(high) - cdf(np.maximum(low, mean)), 0, None) * (high > mean)
    k = days - _round_half_up(mean)
    slip = np.where(k >= 1, np.exp(-(np.maximum(k, 1) - 1) / std) * (-np.expm1(-1 / std)), 0.0)
    return (1 - q) * below + above + q * p * slip


def _goodness(
    days: np.ndarray, mean: float, std: float, rho: float, fitted: int
) -> tuple[float, int, float]:
    values, counts = np.unique(days, return_counts=True)
    grid = np.arange(0, int(values.max()) + 200)
    expected_all = lead_time_probabilities(grid, mean, std, rho) * len(days)
    observed_all = np.zeros(len(grid))
    observed_all[values.astype(int)] = counts
    bins: list[tuple[float, float]] = []
    obs = exp = 0.0
    for o, e in zip(observed_all, expected_all, strict=True):
        obs, exp = obs + o, exp + e
        if exp >= 5:
            bins.append((obs, exp))
            obs = exp = 0.0
    if bins:  # the tail goes into the last bin
        last = bins.pop()
        bins.append((last[0] + obs, last[1] + exp))
    dof = len(bins) - 1 - fitted
    if dof < 1:
        return math.nan, max(dof, 0), math.nan
    chi = float(sum((o - e) ** 2 / e for o, e in bins))
    return chi, dof, float(stats.chi2.sf(chi, dof))


def _range(values: np.ndarray) -> tuple[float, float]:
    return float(values.min()), float(values.max())


def fit_lead_times(days: np.ndarray, slip: bool = True) -> LeadTimeFit:
    """Fit ``(m, sigma, rho)`` to whole-day production times (see the module docstring).

    Args:
        days: Observed production times, whole days, at least 3 and not all equal.
        slip: False fits the lognormal alone, ``(m, sigma)`` (the simulation's transit times:
            ``rho = 1``, no lot slips).
    """
    days = np.asarray(days, dtype=float)
    if len(days) < 3 or float(np.ptp(days)) == 0.0:
        raise ValueError("a lead-time fit needs at least 3 lots that are not all the same")
    values, counts = np.unique(days, return_counts=True)
    spread = float(np.std(days, ddof=1))
    low, high = math.floor(np.quantile(days, 0.1)), math.ceil(np.quantile(days, 0.9))
    step = max(MEAN_STEP_DAYS, (high - low) / MAX_MEANS)
    means = np.arange(low, high + 1e-9, step)
    stds = spread * np.geomspace(STD_RANGE[0], STD_RANGE[1], GRID_POINTS)
    rhos = np.linspace(0.005, 0.995, GRID_POINTS) if slip else np.array([1.0])
    loglik = np.empty((len(means), len(stds), len(rhos)))
    slip_free = np.empty((len(means), len(stds)))  # p = Phi(s / 2) at each (m, sigma)
    for i, mean in enumerate(means):
        probabilities = lead_time_probabilities(values, float(mean), stds[:, None], rhos[None, :])
        loglik[i] = np.sum(counts * np.log(np.maximum(probabilities, 1e-300)), axis=-1)
        slip_free[i] = special.ndtr(np.sqrt(np.log1p((stds / mean) ** 2)) / 2)
    best = np.unravel_index(int(np.argmax(loglik)), loglik.shape)
    mean, std = float(means[best[0]]), float(stds[best[1]])
    p = float(slip_free[best[0], best[1]])
    rho = min(float(rhos[best[2]]), p)
    inside = loglik >= loglik.max() - stats.chi2.ppf(CONFIDENCE, 1) / 2
    rate = np.minimum(rhos[None, None, :], slip_free[:, :, None])[inside]
    mean_ci = _range(means[inside.any(axis=(1, 2))])
    std_ci = _range(stds[inside.any(axis=(0, 2))])
    rho_ci = _range(rate)
    chi, dof, p_value = _goodness(days, mean, std, rho, 3 if slip else 2)
    return LeadTimeFit(
        pos=len(days),
        mean_days=mean,
        mean_ci_low=mean_ci[0],
        mean_ci_high=mean_ci[1],
        std_days=std,
        std_ci_low=std_ci[0],
        std_ci_high=std_ci[1],
        on_time_rate=rho,
        on_time_ci_low=rho_ci[0],
        on_time_ci_high=rho_ci[1],
        on_time_identified=bool(rhos[best[2]] < p),
        chi_square=chi,
        dof=dof,
        p_value=p_value,
    )
