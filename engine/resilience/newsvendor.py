"""The one-period reference case with a closed-form optimal backup share (docs/resilience.md).

One period; ``planned_units`` ordered, a share ``x`` from the backup and ``1 - x`` from the
primary. The primary is disrupted with probability ``p``: it then delivers nothing (and is not
paid); the backup always delivers. Demand ``D`` is uniform on ``[demand_low, demand_high]``.
Per unit: primary cost ``c_p``, backup cost ``c_b``, lost-sale penalty ``pi``, leftover cost
``h``. With supply ``S`` (``planned_units`` when the primary delivers, ``x planned_units``
when not):

    cost(x) = c_b x Q + [primary up] c_p (1 - x) Q + pi (D - S)+ + h (S - D)+.

``E cost`` is convex in ``x`` and its derivative is
``Q [c_b - (1 - p) c_p + p ((pi + h) F(xQ) - pi)]``, so the optimal backup share is the
newsvendor fractile

    x* = F^-1(phi) / Q,   phi = (p pi - c_b + (1 - p) c_p) / (p (pi + h)),

clipped to [0, 1] (``optimal_backup_share``). ``costs`` draws replications from the same
streams the stress test uses (``engine.simulation.randomness``: the disruption stream decides
whether the primary is down, the demand stream draws ``D``), so a grid of shares can be run
through ``selection`` exactly like the simulated frontier.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.simulation.randomness import Purpose, generator

__all__ = ["NewsvendorCase", "costs", "draws", "expected_cost", "optimal_backup_share"]


@dataclass(frozen=True)
class NewsvendorCase:
    """The closed-form case's data (money per unit, units, a probability)."""

    primary_unit_cost: float = 10.0
    backup_unit_cost: float = 12.0
    lost_sale_penalty: float = 40.0
    leftover_unit_cost: float = 2.0
    disruption_probability: float = 0.2
    demand_low: float = 0.0
    demand_high: float = 1000.0
    planned_units: float = 1000.0


def optimal_backup_share(case: NewsvendorCase) -> float:
    """``x*`` of the module docstring."""
    p = case.disruption_probability
    if p <= 0:
        return 0.0
    phi = (
        p * case.lost_sale_penalty - case.backup_unit_cost + (1 - p) * case.primary_unit_cost
    ) / (p * (case.lost_sale_penalty + case.leftover_unit_cost))
    phi = min(max(phi, 0.0), 1.0)
    supply = case.demand_low + phi * (case.demand_high - case.demand_low)
    return min(max(supply / case.planned_units, 0.0), 1.0)


def _mismatch(case: NewsvendorCase, supply: float) -> float:
    """``E[pi (D - s)+ + h (s - D)+]`` for uniform ``D``."""
    a, b = case.demand_low, case.demand_high
    s = min(max(supply, a), b)
    short = (b - s) ** 2 / (2 * (b - a))
    over = (s - a) ** 2 / (2 * (b - a))
    extra = max(a - supply, 0.0) * case.lost_sale_penalty  # supply below every demand
    extra += max(supply - b, 0.0) * case.leftover_unit_cost  # supply above every demand
    return case.lost_sale_penalty * short + case.leftover_unit_cost * over + extra


def expected_cost(case: NewsvendorCase, share: float) -> float:
    """``E cost(x)`` in closed form."""
    q, p = case.planned_units, case.disruption_probability
    return (
        case.backup_unit_cost * share * q
        + (1 - p) * case.primary_unit_cost * (1 - share) * q
        + (1 - p) * _mismatch(case, q)
        + p * _mismatch(case, share * q)
    )


def draws(case: NewsvendorCase, seed: int, replications: range) -> tuple[np.ndarray, np.ndarray]:
    """``(primary down, demand)`` of each replication, from the stress test's streams."""
    down = np.empty(len(replications), dtype=bool)
    demand = np.empty(len(replications))
    for row, i in enumerate(replications):
        down[row] = generator(seed, i, Purpose.DISRUPTIONS).random() < case.disruption_probability
        demand[row] = generator(seed, i, Purpose.DEMAND).uniform(case.demand_low, case.demand_high)
    return down, demand


def costs(
    case: NewsvendorCase, shares: Sequence[float], down: np.ndarray, demand: np.ndarray
) -> np.ndarray:
    """``cost(x)`` of each replication (rows) and share (columns)."""
    x = np.asarray(shares, dtype=float)[None, :]
    q = case.planned_units
    supply = np.where(down[:, None], x * q, q)
    d = demand[:, None]
    return (
        case.backup_unit_cost * x * q
        + np.where(down[:, None], 0.0, case.primary_unit_cost * (1 - x) * q)
        + case.lost_sale_penalty * np.maximum(d - supply, 0.0)
        + case.leftover_unit_cost * np.maximum(supply - d, 0.0)
    )
