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

import numpy as np
import pandas as pd

from engine.checker import lost_sale_penalty
from engine.landed_cost import DAYS_PER_YEAR
from engine.scenario.schema import Scenario
from engine.simulation.runner import ReplicationResult

__all__ = ["TOTAL_COST_PARTS", "penalties", "total_cost_parts"]

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
    m = result.measures
    landed = m["supplier_payments"] + m["freight_paid"] + m["duty_paid"] + m["one_offs_paid"]
    skus: pd.DataFrame = result.skus
    lost = float(
        np.dot(skus["lost_units"].to_numpy(float), [penalty_per_unit[k] for k in skus["sku"]])
    )
    expediting = m["expedite_cost"] + m["shift_cost"] + m["pause_cost"]
    daily = result.daily[result.daily["day"] < horizon_days]
    tied_up = (daily["inventory_value"] + daily["receivables"] - daily["payables"]).sum()
    capital = float(tied_up) * annual_cost_of_capital / DAYS_PER_YEAR
    return {
        "landed_cost": float(landed),
        "lost_sales_cost": lost,
        "expediting_cost": float(expediting),
        "capital_cost": capital,
        "total_cost": float(landed) + lost + float(expediting) + capital,
    }
