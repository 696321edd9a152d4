"""Working capital and the cash-conversion cycle: the one definition (``docs/finance.md``).

**Net working capital** at the end of a day (or period) is the money the business has in its
goods and its customers, less what it owes its suppliers::

    working capital = inventory + receivables - payables

* ``inventory``: stock on hand at cost (landed cost, average cost per SKU) plus goods in
  transit at cost so far (factory value + freight + insurance; title passes at shipment).
  Opening stock and opening in-transit goods count at the SKU's unit value (its lowest
  first-tier price), from day 0, like any other stock.
* ``receivables``: revenue of goods sold and not yet paid for by the customer (at the selling
  price); a receipt lowers them on the day it is collected.
* ``payables``: the purchase value of goods shipped (title passed) less what the suppliers have
  been paid for them. Deposits and balances paid before shipment make it negative: money paid
  ahead is an asset (supplier prepayments), so it adds to working capital.

Costs that buy no goods (fulfilment, tooling, qualification, holding) are expenses, not
working capital; they show in the cash, not here.

Measures over a timeline of ``days`` end-of-day balances:

* ``peak_working_capital``: the largest working capital (0 if it never goes above 0);
* ``average_working_capital``: its mean over the days;
* ``DIO = mean inventory / (COGS / days)``, ``DSO = mean receivables / (revenue / days)``,
  ``DPO = mean payables / (COGS / days)`` (payables on cost of goods sold, the textbook
  definition), ``CCC = DIO + DSO - DPO``.

A balance sheet (``BalanceSheet``: today's inventory, receivables and payables, and COGS and
revenue over a period) gives the same cycle from one day's balances (``balance_sheet_cycle``).

Every engine uses these functions on its own timeline: the SimPy stress test
(``engine.simulation.measures``), the plan's deterministic replay (the Finance page and the
CLI), and any other engine that must agree with them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "BalanceSheet",
    "CycleDays",
    "WorkingCapital",
    "average_working_capital",
    "balance_sheet_cycle",
    "cycle_days",
    "net_working_capital",
    "peak_working_capital",
    "working_capital_measures",
]

_TINY = 1e-12


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if abs(denominator) > _TINY else math.nan


def net_working_capital(
    inventory_value: np.ndarray, receivables: np.ndarray, payables: np.ndarray
) -> np.ndarray:
    """Working capital on each day: ``inventory + receivables - payables``.

    Args:
        inventory_value: Stock on hand and in transit at cost, per day.
        receivables: Sales not yet collected, per day.
        payables: Purchases shipped less supplier cash paid, per day (negative = prepaid).

    Returns:
        Working capital per day.
    """
    return (
        np.asarray(inventory_value, dtype=float)
        + np.asarray(receivables, dtype=float)
        - np.asarray(payables, dtype=float)
    )


def peak_working_capital(working_capital: np.ndarray) -> float:
    """The largest working capital of a timeline (0 if it never goes above 0, or is empty)."""
    values = np.asarray(working_capital, dtype=float)
    return max(0.0, float(values.max())) if values.size else 0.0


def average_working_capital(working_capital: np.ndarray) -> float:
    """The mean working capital of a timeline (NaN when empty)."""
    values = np.asarray(working_capital, dtype=float)
    return float(values.mean()) if values.size else math.nan


@dataclass(frozen=True)
class CycleDays:
    """Days of inventory, receivables and payables, and the cash-conversion cycle."""

    dio_days: float
    dso_days: float
    dpo_days: float

    @property
    def ccc_days(self) -> float:
        """``DIO + DSO - DPO``."""
        return self.dio_days + self.dso_days - self.dpo_days


def cycle_days(
    mean_inventory: float,
    mean_receivables: float,
    mean_payables: float,
    cogs: float,
    revenue: float,
    days: float,
) -> CycleDays:
    """DIO, DSO and DPO (on COGS) from average balances and the flows of ``days`` days.

    Args:
        mean_inventory: Average inventory at cost (on hand + in transit).
        mean_receivables: Average receivables.
        mean_payables: Average payables (negative when suppliers are prepaid).
        cogs: Cost of goods sold over the days.
        revenue: Revenue over the days.
        days: Length of the period, days.

    Returns:
        The cycle (NaN where a flow is 0).
    """
    return CycleDays(
        dio_days=_ratio(mean_inventory, cogs / days),
        dso_days=_ratio(mean_receivables, revenue / days),
        dpo_days=_ratio(mean_payables, cogs / days),
    )


@dataclass(frozen=True)
class WorkingCapital:
    """The working-capital measures of one timeline."""

    peak: float
    average: float
    cycle: CycleDays


def working_capital_measures(
    inventory_value: np.ndarray,
    receivables: np.ndarray,
    payables: np.ndarray,
    cogs: float,
    revenue: float,
) -> WorkingCapital:
    """Peak and average working capital and the cycle of a timeline of end-of-day balances.

    Args:
        inventory_value: Inventory at cost per day (on hand + in transit).
        receivables: Receivables per day.
        payables: Payables per day.
        cogs: Cost of goods sold over the timeline's days.
        revenue: Revenue over them.

    Returns:
        The measures (NaN cycle days without sales; peak 0 and average NaN when empty).
    """
    inventory_value = np.asarray(inventory_value, dtype=float)
    receivables = np.asarray(receivables, dtype=float)
    payables = np.asarray(payables, dtype=float)
    working = net_working_capital(inventory_value, receivables, payables)
    days = working.size
    if days == 0:
        return WorkingCapital(0.0, math.nan, CycleDays(math.nan, math.nan, math.nan))
    return WorkingCapital(
        peak=peak_working_capital(working),
        average=average_working_capital(working),
        cycle=cycle_days(
            float(inventory_value.mean()),
            float(receivables.mean()),
            float(payables.mean()),
            cogs,
            revenue,
            days,
        ),
    )


@dataclass(frozen=True)
class BalanceSheet:
    """Today's balance sheet, for the company's current cash-conversion cycle.

    Money in the scenario's currency; ``cogs`` and ``revenue`` over the last ``period_days``.
    """

    inventory: float
    receivables: float
    payables: float
    cogs: float
    revenue: float
    period_days: float = 365.0

    def validate_figures(self) -> list[str]:
        """What is wrong with the figures, in words (empty when usable)."""
        problems = []
        for name in ("inventory", "receivables", "payables", "cogs", "revenue"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                problems.append(f"{name} must be a number >= 0, got {value}")
        if not math.isfinite(self.period_days) or self.period_days <= 0:
            problems.append(f"period_days must be > 0, got {self.period_days}")
        if self.cogs <= 0:
            problems.append("cogs must be > 0 (DIO and DPO are days of cost of goods sold)")
        if self.revenue <= 0:
            problems.append("revenue must be > 0 (DSO is days of revenue)")
        return problems


def balance_sheet_cycle(sheet: BalanceSheet) -> CycleDays:
    """The company's cash-conversion cycle from today's balances (the same formulas as a
    timeline's, with one day's balances as the averages).

    Raises:
        ValueError: With every problem of the figures, in words.
    """
    problems = sheet.validate_figures()
    if problems:
        raise ValueError("; ".join(problems))
    return cycle_days(
        sheet.inventory,
        sheet.receivables,
        sheet.payables,
        sheet.cogs,
        sheet.revenue,
        sheet.period_days,
    )
