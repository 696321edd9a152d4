"""Daily demand of many replications, one day at a time (``engine.simulation.demand``'s rules).

A demand spike multiplies a day's mean and std by its factor in the replications where it
happens. An explicit series is used as given (times the factor); a SKU without spread is the
difference of the rounded cumulative mean (per replication, as the factors differ); otherwise
Poisson or a normal rounded half up and truncated at 0.
"""

from __future__ import annotations

import numpy as np

from engine.simulation.world import World

__all__ = ["DemandDraws"]


class DemandDraws:
    """The demand of ``R`` replications, drawn day by day from one generator.

    Args:
        world: The compiled scenario.
        replications: How many replications.
    """

    def __init__(self, world: World, replications: int) -> None:
        k = len(world.skus)
        self.mean = world.demand_mean
        self.std = world.demand_std
        self.explicit = np.zeros(k, dtype=bool)
        self.series = np.zeros_like(world.demand_mean)
        for j, values in world.explicit_demand.items():
            self.explicit[j] = True
            self.series[j] = values
        self.fixed = np.asarray(world.demand_fixed, dtype=bool) & ~self.explicit
        self.random = ~(self.explicit | self.fixed)
        self.poisson = world.demand_poisson & self.random[:, None]
        self.cumulative = np.zeros((replications, k))
        self.rounded = np.zeros((replications, k))
        self.replications = replications

    def day(self, rng: np.random.Generator, day: int, factor: np.ndarray | None) -> np.ndarray:
        """``[R, K]`` units demanded on horizon day ``day`` (``factor``: spike multipliers)."""
        f = np.ones((self.replications, self.mean.shape[0])) if factor is None else factor
        mean = self.mean[:, day] * f
        demand = np.zeros_like(mean)
        if self.explicit.any():
            demand[:, self.explicit] = (self.series[:, day] * f)[:, self.explicit]
        if self.fixed.any():
            self.cumulative[:, self.fixed] += mean[:, self.fixed]
            rounded = np.floor(self.cumulative[:, self.fixed] + 0.5)
            demand[:, self.fixed] = rounded - self.rounded[:, self.fixed]
            self.rounded[:, self.fixed] = rounded
        poisson = self.poisson[:, day]
        normal = self.random & ~poisson
        if normal.any():
            z = rng.standard_normal((self.replications, int(normal.sum())))
            drawn = mean[:, normal] + self.std[normal, day] * f[:, normal] * z
            demand[:, normal] = np.maximum(np.floor(drawn + 0.5), 0.0)
        if poisson.any():
            demand[:, poisson] = rng.poisson(mean[:, poisson])
        return demand
