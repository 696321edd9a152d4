"""Daily demand of one replication, drawn up front for every SKU and day of the horizon.

Per SKU ``k`` and day ``d`` the world holds the day's mean ``m_d = period mean / Lp`` and std
``s_d = period std / sqrt(Lp)``; a demand spike multiplies both by its factor ``f_d``.

* An explicit series (``SimulationOptions.demand_series``) is used as given, times ``f_d``.
* A SKU with no spread on any day (and no Poisson days) is deterministic: the cumulative mean
  ``sum(m f)`` is rounded half up to whole units and differenced, so every day is whole units
  and the horizon total is the rounded total (100 a week over 7 days: 14, 14, 15, 14, 14, 15,
  14).
* Otherwise a Poisson day draws ``Poisson(m_d f_d)`` and a normal day draws
  ``Normal(m_d f_d, s_d f_d)`` rounded half up and truncated at 0 (the truncation adds a little
  to the mean when ``s_d`` is large against ``m_d``).

Each SKU draws from its own stream, always ``H`` standard normals then ``H`` Poissons, so the
draws of a SKU do not depend on the other SKUs or on the plan (common random numbers).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.simulation.disruptions import RealisedDisruptions
from engine.simulation.world import World

__all__ = ["round_half_up", "sample_demand"]


def round_half_up(x: np.ndarray | float) -> np.ndarray:
    """Round to whole numbers, halves up (2.5 -> 3)."""
    return np.floor(np.asarray(x, dtype=float) + 0.5)


def sample_demand(
    world: World, rngs: Sequence[np.random.Generator], disruptions: RealisedDisruptions
) -> np.ndarray:
    """Demand of every SKU on every horizon day.

    Args:
        world: The compiled scenario.
        rngs: One demand generator per SKU (``Streams.demand``).
        disruptions: The replication's realised disruptions (demand spikes).

    Returns:
        Array ``[SKU, day]`` of units demanded, ``horizon_days`` days.
    """
    days = world.horizon_days
    demand = np.zeros((len(world.skus), days))
    for k, sku in enumerate(world.skus):
        factor = disruptions.demand_multiplier(sku, days)
        mean = world.demand_mean[k] * factor
        if k in world.explicit_demand:
            demand[k] = world.explicit_demand[k] * factor
            continue
        if world.demand_fixed[k]:
            cumulative = round_half_up(np.cumsum(mean))
            demand[k] = np.diff(cumulative, prepend=0.0)
            continue
        rng = rngs[k]
        z = rng.standard_normal(days)
        poisson = rng.poisson(np.where(world.demand_poisson[k], mean, 0.0)).astype(float)
        normal = np.maximum(round_half_up(mean + world.demand_std[k] * factor * z), 0.0)
        demand[k] = np.where(world.demand_poisson[k], poisson, normal)
    return demand
