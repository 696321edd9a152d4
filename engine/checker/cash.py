"""The cash timeline, the working capital at each period's end, and its ceiling."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from engine.checker.days import clamp_period, day_to_period, period_start_day
from engine.checker.pricing import PricedOrder
from engine.checker.results import Violation, violation
from engine.checker.shipments import (
    customs_fees_cost,
    freight_fixed_cost,
    qualification_cost,
    shipments,
    tooling_cost,
)
from engine.checker.sku_parameters import unit_value
from engine.checker.tolerances import MONEY_RELATIVE_TOLERANCE
from engine.scenario.schema import Scenario

__all__ = ["CASH_COLUMNS", "cash_timeline", "check_working_capital", "working_capital_timeline"]


CASH_COLUMNS: tuple[str, ...] = (
    "period",
    "deposits",
    "balances",
    "freight",
    "duty_and_fees",
    "tooling_and_qualification",
    "cash_out",
    "receipts",
    "net",
    "cumulative_out",
    "cumulative_receipts",
    "cash_tied_up",
    "cash",
    "working_capital",
)
"""Columns of ``PlanCheck.cash``: money per period (``net = receipts - cash_out``,
``cash_tied_up = cumulative_out - cumulative_receipts``, ``cash = opening_cash -
cash_tied_up``, ``working_capital`` at the period's end: ``working_capital_timeline``)."""


def cash_timeline(
    scenario: Scenario, orders: Sequence[PricedOrder], inventory: pd.DataFrame
) -> pd.DataFrame:
    """Cash out and in per period, as the contract dates it.

    Deposit ``d c`` in the PO's period; balance ``(1 - d) c`` on day ``D + b`` (not before the
    PO's day), ``D`` the PO's ready day (``po_days``); freight (variable, insurance, fixed) on
    the shipment day ``D``; duty and customs fees on the first day of the arrival period; receipts
    ``served * selling_price`` on day ``(t-1)Lp + dso_days``; tooling and qualification in
    period 1. Days before 0 fall in period 1,
    past the horizon in period N.

    Args:
        scenario: The scenario.
        orders: The priced POs.
        inventory: The inventory table (served units).

    Returns:
        One row per period, columns ``CASH_COLUMNS``.
    """
    periods = scenario.horizon.periods
    lp = scenario.horizon.period_length_days
    flows = {
        name: [0.0] * periods for name in ("deposits", "balances", "freight", "duty", "one_off")
    }
    flows["one_off"][0] = tooling_cost(orders) + qualification_cost(orders)
    receipts = [0.0] * periods

    def add(name: str, day: float, amount: float) -> None:
        flows[name][clamp_period(day_to_period(day, lp), periods) - 1] += amount

    for order in orders:
        supplier = order.arc.supplier
        po_day = order.days.placed_day
        ship_day = order.days.ready_day
        deposit = supplier.deposit_share * order.purchase
        add("deposits", po_day, deposit)
        add(
            "balances",
            max(ship_day + supplier.balance_days_after_shipment, po_day),
            order.purchase - deposit,
        )
        add("freight", ship_day, order.freight_variable + order.insurance)
        add("duty", period_start_day(order.arrival_period, lp), order.duty)
    for shipment in shipments(orders).values():
        first = shipment[0]
        add("freight", first.days.ready_day, freight_fixed_cost(shipment))
        add("duty", period_start_day(first.arrival_period, lp), customs_fees_cost(shipment))
    prices = {item.sku: item.selling_price for item in scenario.skus}
    for sku, period, served in zip(
        inventory["sku"].tolist(),
        inventory["period"].tolist(),
        inventory["served_units"].tolist(),
        strict=True,
    ):
        day = period_start_day(period, lp) + scenario.fulfilment.dso_days
        receipts[clamp_period(day_to_period(day, lp), periods) - 1] += served * prices[sku]
    cash = pd.DataFrame(
        {
            "period": range(1, periods + 1),
            "deposits": flows["deposits"],
            "balances": flows["balances"],
            "freight": flows["freight"],
            "duty_and_fees": flows["duty"],
            "tooling_and_qualification": flows["one_off"],
        }
    )
    cash["cash_out"] = cash[
        ["deposits", "balances", "freight", "duty_and_fees", "tooling_and_qualification"]
    ].sum(axis=1)
    cash["receipts"] = receipts
    cash["net"] = cash["receipts"] - cash["cash_out"]
    cash["cumulative_out"] = cash["cash_out"].cumsum()
    cash["cumulative_receipts"] = cash["receipts"].cumsum()
    cash["cash_tied_up"] = cash["cumulative_out"] - cash["cumulative_receipts"]
    cash["cash"] = scenario.finance.opening_cash - cash["cash_tied_up"]
    cash["working_capital"] = working_capital_timeline(scenario, orders, inventory)
    return cash[list(CASH_COLUMNS)]


def working_capital_timeline(
    scenario: Scenario, orders: Sequence[PricedOrder], inventory: pd.DataFrame
) -> list[float]:
    """Working capital at the end of each period (docs/finance.md), as the model counts it:
    stock on hand at the SKU's unit value; goods shipped and not yet counted on hand (period
    ``< arrival_period``) at purchase + freight + insurance (+ their shipment's fixed freight);
    deposits and balances paid by then less the purchase of goods shipped by then; receivables:
    sales of earlier or the same periods whose receipts fall in a later period. Days date as in
    ``cash_timeline``."""
    periods = scenario.horizon.periods
    lp = scenario.horizon.period_length_days
    working = [0.0] * periods

    def period_of(day: float) -> int:
        return clamp_period(day_to_period(day, lp), periods)

    def add_from(first: int, until: int, amount: float) -> None:
        for t in range(max(first, 1), min(until, periods + 1)):
            working[t - 1] += amount

    for order in orders:
        supplier = order.arc.supplier
        po_day, ship_day = order.days.placed_day, order.days.ready_day
        deposit = supplier.deposit_share * order.purchase
        shipped = period_of(ship_day)
        add_from(period_of(po_day), periods + 1, deposit)
        balance_day = max(ship_day + supplier.balance_days_after_shipment, po_day)
        add_from(period_of(balance_day), periods + 1, order.purchase - deposit)
        add_from(shipped, periods + 1, -order.purchase)
        in_transit = order.purchase + order.freight_variable + order.insurance
        add_from(shipped, order.arrival_period, in_transit)
    for shipment in shipments(orders).values():
        first = shipment[0]
        add_from(
            period_of(first.days.ready_day), first.arrival_period, freight_fixed_cost(shipment)
        )
    prices = {item.sku: item.selling_price for item in scenario.skus}
    for sku, period, served, end in zip(
        inventory["sku"].tolist(),
        inventory["period"].tolist(),
        inventory["served_units"].tolist(),
        inventory["end_inventory_units"].tolist(),
        strict=True,
    ):
        working[period - 1] += end * unit_value(scenario, sku)
        receipt = period_of(period_start_day(period, lp) + scenario.fulfilment.dso_days)
        add_from(period, receipt, served * prices[sku])
    return working


def check_working_capital(scenario: Scenario, cash: pd.DataFrame) -> list[Violation]:
    """``working capital <= working_capital_ceiling`` at the end of every period
    (``working_capital``; ``working_capital_timeline``)."""
    ceiling = scenario.finance.working_capital_ceiling
    if ceiling is None:
        return []
    slack = MONEY_RELATIVE_TOLERANCE * max(1.0, ceiling)
    working: list[float] = cash["working_capital"].tolist()
    return [
        violation(
            "working_capital",
            f"period {t}",
            amount,
            ceiling,
            f"{amount:,.2f} of working capital at the end of period {t}, over the "
            f"working_capital_ceiling of {ceiling:,.2f}",
        )
        for t, amount in enumerate(working, start=1)
        if amount > ceiling + slack
    ]
