"""The published base-stock case R4 for the simulators compared (docs/references.md).

Snyder & Shen, Fundamentals of Supply Chain Theory, ch. 4 (values from stockpyl): one SKU, one
supplier, Poisson demand of mean 10 per period, lead time L = 2 periods, holding cost h = 1
and backorder cost p = 19 per unit per period, backorders, base-stock level S = 39: expected
cost per period 11.8292, on hand 9.1415, backorders 0.1415, fill rate 0.98586.

* The SimPy engine and the NumPy fast path: one period is one day; an order placed at the start
  of day t arrives at the start of day t + 2, before that day's demand (as
  ``tests/simulation/test_reference.py``). ``r4_scenario(days, skus)`` repeats the SKU ``skus``
  times (independent copies, one supplier) for a many-SKU case.
* stockpyl orders at the *end* of a period, after its demand, so the same system is its
  single-stage network with ``shipment_lead_time = L + 1 = 3`` (three periods of demand between
  an order and the end of the period it arrives in, as above; its newsvendor of Poisson(30)
  gives the published 39 and 11.8292).
* All three start in the steady state on average: 19 on hand and 10 arriving the next period
  (the engine's order of day 0 brings the position to 39; stockpyl starts at inventory level 9
  with 10 arriving in each of its first three periods).
"""

from __future__ import annotations

import datetime as dt
import math
import time
from typing import Any

import numpy as np

from engine.scenario.schema import Scenario

__all__ = [
    "BACKORDER_COST",
    "BASE_STOCK_LEVEL",
    "DEMAND_MEAN",
    "HOLDING_COST",
    "LEAD_DAYS",
    "PUBLISHED",
    "r4_scenario",
    "stockpyl_r4",
]

DEMAND_MEAN = 10.0
LEAD_DAYS = 2
HOLDING_COST = 1.0
BACKORDER_COST = 19.0
BASE_STOCK_LEVEL = 39.0
PUBLISHED: dict[str, float] = {
    "cost": 11.8292,
    "mean_on_hand_units": 9.1415,
    "mean_backorder_units": 0.1415,
    "fill_rate": 0.98586,
}
"""The published figures (per period and SKU)."""


def r4_scenario(days: int, skus: int = 1) -> Scenario:
    """R4 over ``days`` days (at most 520), with ``skus`` identical, independent SKUs."""
    codes = [f"R4-{i + 1:03d}" for i in range(skus)]
    opening = BASE_STOCK_LEVEL - LEAD_DAYS * DEMAND_MEAN  # 19 on hand, 10 arriving on day 1
    return Scenario.model_validate(
        {
            "name": f"r4-x{skus}",
            "horizon": {
                "start_date": dt.date(2027, 1, 4),
                "periods": days,
                "period_length_days": 1,
            },
            "finance": {"annual_cost_of_capital": 0.0},
            "fulfilment": {"dso_days": 0.0, "shortage": "backorders"},
            "skus": [
                {
                    "sku": code,
                    "selling_price": 10.0,
                    "unit_weight_kg": 1.0,
                    "unit_volume_cbm": 0.01,
                    "holding_cost_rate_annual": 0.0,
                    "opening_stock_units": opening,
                    "demand_mean_units_per_period": DEMAND_MEAN,
                    "demand_std_units_per_period": math.sqrt(DEMAND_MEAN),  # Poisson
                }
                for code in codes
            ],
            "suppliers": [
                {
                    "supplier": "F1",
                    "country": "CN",
                    "origin_port": "P1",
                    "capacity_units_per_week": 1e9,  # unlimited: the input limit (limits.py)
                    "production_lead_time_days_mean": float(LEAD_DAYS),
                    "deposit_share": 0.0,
                }
            ],
            "offers": [{"supplier": "F1", "sku": code} for code in codes],
            "price_breaks": [
                {"supplier": "F1", "sku": code, "min_qty_units": 0.0, "unit_price": 1.0}
                for code in codes
            ],
            "lanes": [
                {"lane": "L1", "origin_port": "P1", "mode": "sea_fcl", "transit_days_mean": 0.0}
            ],
            "duties": [{"sku": "*", "origin_country": "CN", "duty_rate": 0.0}],
            "in_transit": [
                {"sku": code, "supplier": "F1", "quantity_units": DEMAND_MEAN, "arrival_period": 2}
                for code in codes
            ],
        }
    )


def stockpyl_r4(days: int, replications: int, seed: int) -> dict[str, Any]:
    """R4 in stockpyl's simulator (``stockpyl.sim.simulation`` on a single-stage network).

    Each replication is a fresh network simulated with ``rand_seed = seed + replication``
    (stockpyl seeds NumPy's global generator), without progress bar or consistency checks
    (its fastest settings).

    Returns:
        ``seconds`` spent in ``simulation`` and, per replication, the mean cost per period
        (h x on hand + p x backorders at period end), fill rate, on hand and backorders.
    """
    from stockpyl.sim import simulation
    from stockpyl.supply_chain_network import single_stage_system

    seconds = 0.0
    measures: dict[str, list[float]] = {
        "cost": [],
        "fill_rate": [],
        "mean_on_hand_units": [],
        "mean_backorder_units": [],
    }
    for replication in range(replications):
        network = single_stage_system(
            holding_cost=HOLDING_COST,
            stockout_cost=BACKORDER_COST,
            shipment_lead_time=LEAD_DAYS + 1,
            initial_inventory_level=BASE_STOCK_LEVEL - (LEAD_DAYS + 1) * DEMAND_MEAN,
            initial_shipments=DEMAND_MEAN,
            demand_type="P",
            mean=DEMAND_MEAN,
            policy_type="BS",
            base_stock_level=BASE_STOCK_LEVEL,
        )
        start = time.perf_counter()
        simulation(
            network, days, rand_seed=seed + replication, progress_bar=False, consistency_checks="N"
        )
        seconds += time.perf_counter() - start
        node = network.nodes[0]
        product = node.product_indices[0]
        states = node.state_vars[:days]
        level = np.array([s.inventory_level[product] for s in states], dtype=float)
        demand = np.array([s.inbound_order[None][product] for s in states], dtype=float)
        met = np.array([s.demand_met_from_stock[product] for s in states], dtype=float)
        on_hand, backorders = np.maximum(level, 0.0), np.maximum(-level, 0.0)
        measures["cost"].append(
            float((HOLDING_COST * on_hand + BACKORDER_COST * backorders).mean())
        )
        measures["fill_rate"].append(float(met.sum() / demand.sum()))
        measures["mean_on_hand_units"].append(float(on_hand.mean()))
        measures["mean_backorder_units"].append(float(backorders.mean()))
    return {"seconds": seconds, "replications": replications, "days": days, **measures}
