"""Small scenarios for the simulation tests, built from the schema models.

``one_sku`` builds one SKU ``A`` bought from one factory ``F1`` (optionally a backup ``F2``)
with every cost, spread and delay 0 unless asked for, so a test states only what it checks.
Day 0 is 2027-01-04.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd

from engine.scenario.schema import Scenario

START = dt.date(2027, 1, 4)


def one_sku(
    *,
    periods: int = 60,
    period_length_days: int = 1,
    demand_mean: float = 0.0,
    demand_std: float = 0.0,
    selling_price: float = 10.0,
    opening_stock: float = 0.0,
    holding_rate: float = 0.0,
    unit_price: float = 1.0,
    lead_days: float = 0.0,
    lead_std: float = 0.0,
    on_time_rate: float = 1.0,
    defect_rate: float = 0.0,
    remedy: str = "credit",
    deposit_share: float = 0.0,
    balance_days: int = 0,
    capacity_per_week: float = 1e9,
    transit_days: float = 0.0,
    transit_std: float = 0.0,
    lane_cost_per_unit: float = 0.0,
    lane_cost_per_shipment: float = 0.0,
    air: bool = False,
    air_cost_per_unit: float = 2.0,
    air_transit_days: float = 2.0,
    backup: bool = False,
    backup_price: float = 1.5,
    backup_lead_days: float = 0.0,
    duty_rate: float = 0.0,
    extra_tariff_rate: float = 0.0,
    fee_per_shipment: float = 0.0,
    dso_days: float = 0.0,
    fulfilment_cost: float = 0.0,
    shortage: str = "lost_sales",
    opening_cash: float = 0.0,
    disruptions: Sequence[dict[str, Any]] = (),
    calendars: Sequence[dict[str, Any]] = (),
    in_transit: Sequence[dict[str, Any]] = (),
) -> Scenario:
    """A one-SKU scenario; every unnamed cost, spread and delay is 0."""
    suppliers = [
        {
            "supplier": "F1",
            "country": "CN",
            "origin_port": "P1",
            "capacity_units_per_week": capacity_per_week,
            "production_lead_time_days_mean": lead_days,
            "production_lead_time_days_std": lead_std,
            "on_time_rate": on_time_rate,
            "defect_rate": defect_rate,
            "defect_remedy": remedy,
            "deposit_share": deposit_share,
            "balance_days_after_shipment": balance_days,
        }
    ]
    offers = [{"supplier": "F1", "sku": "A"}]
    breaks = [{"supplier": "F1", "sku": "A", "min_qty_units": 0.0, "unit_price": unit_price}]
    lanes = [
        {
            "lane": "SEA1",
            "origin_port": "P1",
            "mode": "sea_fcl",
            "cost_per_unit": lane_cost_per_unit,
            "cost_per_shipment": lane_cost_per_shipment,
            "transit_days_mean": transit_days,
            "transit_days_std": transit_std,
        }
    ]
    duties = [
        {
            "sku": "*",
            "origin_country": "CN",
            "duty_rate": duty_rate,
            "extra_tariff_rate": extra_tariff_rate,
            "fee_per_shipment": fee_per_shipment,
        }
    ]
    if air:
        lanes.append(
            {
                "lane": "AIR1",
                "origin_port": "P1",
                "mode": "air",
                "cost_per_unit": air_cost_per_unit,
                "transit_days_mean": air_transit_days,
            }
        )
    if backup:
        suppliers.append(
            {
                "supplier": "F2",
                "country": "VN",
                "origin_port": "P2",
                "capacity_units_per_week": capacity_per_week,
                "production_lead_time_days_mean": backup_lead_days,
                "deposit_share": 0.0,
            }
        )
        offers.append({"supplier": "F2", "sku": "A"})
        breaks.append(
            {"supplier": "F2", "sku": "A", "min_qty_units": 0.0, "unit_price": backup_price}
        )
        lanes.append(
            {
                "lane": "SEA2",
                "origin_port": "P2",
                "mode": "sea_fcl",
                "transit_days_mean": transit_days,
            }
        )
        duties.append({"sku": "*", "origin_country": "VN", "duty_rate": 0.0})
    return Scenario.model_validate(
        {
            "name": "one-sku",
            "horizon": {
                "start_date": START,
                "periods": periods,
                "period_length_days": period_length_days,
            },
            "finance": {"annual_cost_of_capital": 0.0, "opening_cash": opening_cash},
            "fulfilment": {
                "dso_days": dso_days,
                "cost_per_unit": fulfilment_cost,
                "shortage": shortage,
            },
            "disruptions": list(disruptions),
            "skus": [
                {
                    "sku": "A",
                    "selling_price": selling_price,
                    "unit_weight_kg": 1.0,
                    "unit_volume_cbm": 0.01,
                    "holding_cost_rate_annual": holding_rate,
                    "opening_stock_units": opening_stock,
                    "demand_mean_units_per_period": demand_mean,
                    "demand_std_units_per_period": demand_std,
                }
            ],
            "suppliers": suppliers,
            "offers": offers,
            "price_breaks": breaks,
            "lanes": lanes,
            "duties": duties,
            "calendars": list(calendars),
            "in_transit": list(in_transit),
        }
    )


def po_table(*rows: tuple[str, str, str, int, float]) -> pd.DataFrame:
    """A PO table from ``(supplier, sku, lane, period_placed, quantity_units)`` rows."""
    return pd.DataFrame(
        rows, columns=["supplier", "sku", "lane", "period_placed", "quantity_units"]
    )


def day(offset: int) -> dt.date:
    """The calendar date of a simulated day."""
    return START + dt.timedelta(days=offset)


def events_of(result: Any, kind: str) -> pd.DataFrame:
    """The events of one kind of a replication result."""
    events = result.events
    return events[events["kind"] == kind].reset_index(drop=True)


def first_day(result: Any, kind: str, po: int | None = None) -> int | None:
    """The first day an event of a kind happens (for one PO if given), or None."""
    events = events_of(result, kind)
    if po is not None:
        events = events[events["po"] == po]
    return None if events.empty else int(events["day"].iloc[0])


def with_changes(scenario: Scenario, **fields: Any) -> Scenario:
    """A copy of a scenario with some top-level fields replaced, validated again."""
    return Scenario.model_validate(scenario.model_dump() | fields)
