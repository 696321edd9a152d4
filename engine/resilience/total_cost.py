"""One figure of merit per replication of the stress test: the total cost under disruptions.

``total_cost = landed_cost + lost_sales_cost + expediting_cost + capital_cost``, where, over
the whole simulation (horizon and drain) of one replication:

* ``landed_cost``: what the plan's POs cost as paid: supplier payments (deposits, balances,
  less supplier credits for rejects), freight and insurance, duty and customs fees, and the
  one-offs (tooling, qualification) -- the realized landed cost, in cash.
* ``lost_sales_cost``: lost units of each SKU x its lost-sale penalty (the scenario's
  ``lost_sale_penalty_per_unit``, else the lost margin ``selling_price - u_k``: the optimizer's
  and the checker's rule, ``engine.checker.lost_sale_penalty``).
* ``expediting_cost``: what the decision rules spent (expedites, late-shift re-orders,
  defect-pause redirects).
* ``capital_cost``: the cash tied up: end-of-day working capital (inventory value +
  receivables - payables) over the horizon's days x ``annual_cost_of_capital`` / 365.

Fulfilment and revenue are left out: they follow the units sold, which the lost-sales cost
already prices. Lower is better.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from engine.checker import lost_sale_penalty
from engine.landed_cost import DAYS_PER_YEAR
from engine.scenario.schema import Scenario
from engine.simulation.runner import ReplicationResult

__all__ = ["TOTAL_COST_PARTS", "penalties", "total_cost_frame", "total_cost_parts"]

TOTAL_COST_PARTS: tuple[str, ...] = (
    "landed_cost",
    "lost_sales_cost",
    "expediting_cost",
    "capital_cost",
    "total_cost",
)


def penalties(scenario: Scenario) -> dict[str, float]:
    """Lost-sale penalty per unit of each SKU."""
    return {s.sku: lost_sale_penalty(scenario, s.sku) for s in scenario.skus}


def total_cost_parts(
    result: ReplicationResult,
    penalty_per_unit: Mapping[str, float],
    annual_cost_of_capital: float,
    horizon_days: int,
) -> dict[str, float]:
    """The parts of one replication's total cost (``TOTAL_COST_PARTS``)."""
    measures = pd.DataFrame([dict(result.measures)])
    frame = total_cost_frame(
        measures, result.skus, result.daily, penalty_per_unit, annual_cost_of_capital, horizon_days
    )
    return {part: float(frame[part].iloc[0]) for part in TOTAL_COST_PARTS}


def total_cost_frame(
    measures: pd.DataFrame,
    skus: pd.DataFrame,
    daily: pd.DataFrame,
    penalty_per_unit: Mapping[str, float],
    annual_cost_of_capital: float,
    horizon_days: int,
) -> pd.DataFrame:
    """The parts of each replication's total cost (``TOTAL_COST_PARTS``), one row per row of
    ``measures``, from a stress test's frames (``StressResult.measures``, ``skus``, ``daily``,
    each with its ``replication`` column)."""
    reps = measures["replication"].to_numpy()
    landed = (
        measures["supplier_payments"]
        + measures["freight_paid"]
        + measures["duty_paid"]
        + measures["one_offs_paid"]
    ).to_numpy(float)
    penalty = skus["sku"].map(penalty_per_unit).to_numpy(float)
    lost_value = pd.Series(skus["lost_units"].to_numpy(float) * penalty)
    lost = lost_value.groupby(skus["replication"].to_numpy()).sum()
    expediting = (
        measures["expedite_cost"] + measures["shift_cost"] + measures["pause_cost"]
    ).to_numpy(float)
    days = daily[daily["day"] < horizon_days]
    tied_up = (days["inventory_value"] + days["receivables"] - days["payables"]).groupby(
        days["replication"].to_numpy()
    )
    capital = tied_up.sum().reindex(reps, fill_value=0.0).to_numpy(float)
    frame = pd.DataFrame(
        {
            "landed_cost": landed,
            "lost_sales_cost": lost.reindex(reps, fill_value=0.0).to_numpy(float),
            "expediting_cost": expediting,
            "capital_cost": capital * annual_cost_of_capital / DAYS_PER_YEAR,
        }
    )
    frame["total_cost"] = frame[list(TOTAL_COST_PARTS[:-1])].sum(axis=1)
    return frame
