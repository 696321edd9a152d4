"""Random draws of the vectorized Monte Carlo, as arrays, from one generator.

The distributions are the SimPy engine's (``demand``, ``production``), drawn for many
replications and lots at once; the random numbers themselves differ (one generator instead of
one stream per entity), so the two agree in distribution, not draw by draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.simulation.fast.plan import FastPlan
from engine.simulation.world import World

__all__ = ["DemandModel", "production_days", "ready_days", "shipment_transit"]

_EPS = 1e-9


def _round_half_up(x: np.ndarray) -> np.ndarray:
    return np.floor(x + 0.5)


@dataclass(frozen=True, eq=False)
class DemandModel:
    """Each horizon day's demand distribution per SKU (see ``engine.simulation.demand``).

    Attributes:
        mean: Mean per SKU and day, ``[K, H]``.
        std: Std per SKU and day (normal days), ``[K, H]``.
        poisson: Whether a SKU-day is Poisson, ``[K, H]``.
        random: Whether a SKU is random at all, ``[K]``.
        fixed: Demand of the deterministic SKUs (0 for random ones), ``[K, H]``.
    """

    mean: np.ndarray
    std: np.ndarray
    poisson: np.ndarray
    random: np.ndarray
    fixed: np.ndarray

    @classmethod
    def of(cls, world: World) -> DemandModel:
        """The demand model of a compiled world (explicit series and fixed SKUs resolved)."""
        fixed = np.zeros_like(world.demand_mean)
        random = np.ones(len(world.skus), dtype=bool)
        for k in range(len(world.skus)):
            if k in world.explicit_demand:
                fixed[k] = world.explicit_demand[k]
                random[k] = False
            elif world.demand_fixed[k]:
                fixed[k] = np.diff(_round_half_up(np.cumsum(world.demand_mean[k])), prepend=0.0)
                random[k] = False
        poisson = world.demand_poisson & random[:, None]
        return cls(world.demand_mean, world.demand_std, poisson, random, fixed)

    def day(self, rng: np.random.Generator, day: int, replications: int) -> np.ndarray:
        """Demand of every replication and SKU on one horizon day, ``[R, K]``."""
        demand = np.repeat(self.fixed[None, :, day], replications, axis=0)
        poisson = self.poisson[:, day]
        normal = self.random & ~poisson
        if normal.any():
            z = rng.standard_normal((replications, int(normal.sum())))
            drawn = _round_half_up(self.mean[normal, day] + self.std[normal, day] * z)
            demand[:, normal] = np.maximum(drawn, 0.0)
        if poisson.any():
            lam = self.mean[poisson, day]
            demand[:, poisson] = rng.poisson(lam, (replications, lam.size))
        return demand


def production_days(rng: np.random.Generator, plan: FastPlan, supplier: np.ndarray) -> np.ndarray:
    """Whole working days of production of lots of the given suppliers (no shocks).

    Lognormal with the supplier's mean and std (the mean without spread); with the promised
    ``Q`` days and ``p`` the share the spread finishes by it, an on-time lot slips with
    probability ``1 - rho / p`` to ``Q + max(1, ceil(e * L))`` days and a late lot keeps the
    promise (``Q`` days) with probability ``(rho - p) / (1 - p)``; rounded half up
    (``engine.simulation.production``).
    """
    n = supplier.size
    z = rng.standard_normal(n)
    u = rng.random(n)
    e = rng.standard_exponential(n)
    mean = plan.lead_mean[supplier]
    sigma = plan.lead_sigma[supplier]
    quoted = plan.quoted_days[supplier]
    base = np.where(sigma > 0, np.exp(plan.lead_mu[supplier] + sigma * z), mean)
    p = plan.on_time_base[supplier]
    rho = plan.on_time_rate[supplier]
    on_time = base <= quoted
    with np.errstate(divide="ignore", invalid="ignore"):
        slips = on_time & (rho < p) & (u < 1.0 - rho / p)
        keeps = ~on_time & (rho > p) & (u < (rho - p) / (1.0 - p))
    slip = np.maximum(1.0, np.ceil(e * plan.slip_scale[supplier] - _EPS))
    base = np.where(slips, quoted + slip, np.where(keeps, quoted, base))
    return _round_half_up(base)


def ready_days(plan: FastPlan, supplier: np.ndarray, day: int, working: np.ndarray) -> np.ndarray:
    """Ready day of lots started on ``day``: the first day ``D >= day`` by which the known
    calendar has accrued ``working`` working days; ``-1`` when never (past the calendar, or a
    supplier without capacity). ``engine.lead_time.ready_day`` for many lots at once.
    """
    length = plan.worked.shape[1]
    # the suppliers' rows laid end to end, each above the last: one search serves them all
    offset = plan.worked_step * supplier
    target = plan.worked[supplier, day] + offset + working - _EPS
    found = np.searchsorted(plan.worked_flat, target, side="left") - supplier * length
    ready = np.maximum(found, day)
    return np.where((found < length) & plan.makes[supplier], ready, -1)


def shipment_transit(
    rng: np.random.Generator, plan: FastPlan, replications: int, days: int
) -> np.ndarray | None:
    """Transit days of every possible shipment ``[R, Q, days]`` (one per replication, shipping
    pair and ship day, so lots that leave together arrive together), or None when no lane has a
    spread (then every shipment takes the rounded mean).
    """
    mean, std = plan.pair_transit_mean, plan.pair_transit_std
    spread = (std > 0) & (mean > 0)
    if not spread.any():
        return None
    z = rng.standard_normal((replications, mean.size, days))
    safe_mean = np.where(spread, mean, 1.0)
    sigma = np.sqrt(np.log1p((std / safe_mean) ** 2))
    mu = np.log(safe_mean) - sigma**2 / 2
    drawn = np.exp(mu[None, :, None] + sigma[None, :, None] * z)
    transit = np.where(spread[None, :, None], drawn, mean[None, :, None])
    return _round_half_up(transit).astype(np.int64)
