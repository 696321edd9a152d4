"""The deterministic replay of a plan: does the simulation execute it as the plan counts it?

``replay_plan(scenario, purchase_orders)`` takes the scenario's **deterministic copy**
(``deterministic_copy``: every demand, production and transit spread 0, on-time rates 1,
defect rates 0, no disruptions), prices the plan on it with the independent checker (the
plan's own figures: the optimizer's, which the checker reproduces, when the scenario has no
defect rates; with them the optimizer counts the good units), simulates the plan
on it once, and compares the two figure by figure (docs/optimizer.md, "The deterministic
replay"):

* ``arrivals`` per SKU and period: each lot in the period its arrival day counts from
  (``engine.lead_time.arrival_period``); tolerance 0.
* ``end_stock`` per SKU and period (on hand at the end of the period's last day): tolerance
  ``max(e, x)``, ``e`` the units that arrive during the period but count from the next one
  (the plan rounds arrivals up to a period start, so they are on hand a few days early in
  the simulation) and ``x = min(early units so far, planned lost units so far)``, what the
  simulation may sell early of what the plan loses.
* ``lost_units`` per SKU and period: tolerance ``x``; over the horizon (and ``fill_rate``,
  divided by the demand): the sum of each SKU's last ``x``.
* ``purchase``, ``freight`` (variable, fixed and insurance), ``duty_and_fees``,
  ``tooling_and_qualification`` and ``capital`` (payment terms and pipeline carrying): money
  paid as the plan dates it; tolerance 0, except duty and fees, which the plan takes from the
  duty rows in effect at the start of the arrival period and the simulation on the arrival
  day (the difference of the two for early lots).
* ``holding``: the plan counts the stock by the day as the simulation does (each period's end
  stock for ``Lp`` days, its units sold for ``(Lp - 1) / 2`` days, each lot from its arrival
  day): tolerance the daily holding rate times, per SKU and period, ``(Lp - 1) / 2`` times the
  units sold where the plan loses sales (the stock runs out before the period ends),
  ``Lp x`` (early units sold early) and ``Lp`` (whole units a day: the simulation's daily
  demand is within a unit of the even spread).

Money compares within ``MONEY_TOLERANCE`` besides, units within ``UNITS_TOLERANCE`` (float
noise).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

import pandas as pd

from engine.checker import PlanCheck, check_plan
from engine.landed_cost import DAYS_PER_YEAR
from engine.lead_time import arrival_period
from engine.plan_types import TierChoice
from engine.scenario.schema import Duty, Scenario
from engine.simulation.events import EventKind
from engine.simulation.options import SimulationOptions
from engine.simulation.policies import PlanPolicy
from engine.simulation.runner import simulate
from engine.simulation.world import build_world

__all__ = [
    "COMPARISON_COLUMNS",
    "MONEY_TOLERANCE",
    "TIMING_CONSTRAINTS",
    "UNITS_TOLERANCE",
    "ReplayReport",
    "deterministic_copy",
    "replay_plan",
]

TIMING_CONSTRAINTS = frozenset({"arrival", "period_arriving"})
"""Checker findings that say a plan's POs do not arrive when it says."""
UNITS_TOLERANCE = 1e-6
MONEY_TOLERANCE = 0.01
COMPARISON_COLUMNS: tuple[str, ...] = (
    "figure",
    "sku",
    "period",
    "planned",
    "replayed",
    "difference",
    "tolerance",
    "ok",
)
"""Columns of ``ReplayReport.comparison``: one row per figure (per SKU and period where it
has them; ``sku`` empty and ``period`` 0 for totals)."""


@dataclass(frozen=True)
class ReplayReport:
    """A plan and its deterministic replay, figure by figure.

    Attributes:
        scenario: Scenario name.
        comparison: ``COMPARISON_COLUMNS``: planned, replayed, difference, tolerance, ok.
        timing_violations: What the plan says about when its POs arrive that the rule
            contradicts (the checker's ``arrival`` and ``period_arriving`` findings).
    """

    scenario: str
    comparison: pd.DataFrame
    timing_violations: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when the plan's arrival periods are the rule's and every figure replays
        within its tolerance."""
        return not self.timing_violations and bool(self.comparison["ok"].all())

    def total(self, figure: str) -> pd.Series:
        """The horizon row of a figure (``planned, replayed, difference, tolerance, ok``)."""
        rows = self.comparison[
            (self.comparison["figure"] == figure) & (self.comparison["period"] == 0)
        ]
        if rows.empty:
            raise KeyError(f"no figure {figure!r}")
        return rows.iloc[0]

    @property
    def summary(self) -> pd.DataFrame:
        """The horizon rows, and for the per-period figures the row furthest outside its
        tolerance (or, when all are within, the largest difference) and whether every row is
        ok."""
        totals = self.comparison[self.comparison["period"] == 0]
        rows = [totals]
        detail = self.comparison[self.comparison["period"] > 0]
        for figure, group in detail.groupby("figure", sort=False):
            excess = group["difference"].abs() - group["tolerance"]
            pick = excess if (excess > 0).any() else group["difference"].abs()
            label = cast(int, pick.idxmax())  # the comparison has a RangeIndex
            worst = cast(pd.Series, group.loc[label]).copy()  # one row
            worst["figure"] = f"{figure} (worst SKU-period)"
            worst["ok"] = bool(group["ok"].all())
            rows.append(worst.to_frame().T)
        return pd.concat(rows, ignore_index=True)[list(COMPARISON_COLUMNS)]

    def metrics(self) -> dict[str, float | str]:
        """The headline of the replay, for the run store: fill rate and lost units (replayed
        and planned) and whether every figure agrees."""
        fill, lost = self.total("fill_rate"), self.total("lost_units")
        return {
            "replay_fill_rate": float(fill["replayed"]),
            "planned_fill_rate": float(fill["planned"]),
            "replay_lost_units": float(lost["replayed"]),
            "planned_lost_units": float(lost["planned"]),
            "replay": "agrees" if self.ok else "differs",
        }

    @property
    def differences(self) -> pd.DataFrame:
        """The rows outside their tolerance (empty when the replay agrees)."""
        return self.comparison[~self.comparison["ok"]].reset_index(drop=True)


def deterministic_copy(scenario: Scenario) -> Scenario:
    """The scenario with its randomness removed: demand, production and transit spreads 0,
    on-time rates 1, defect rates 0, no disruptions (its means unchanged)."""
    return scenario.model_copy(
        update={
            "skus": tuple(
                s.model_copy(update={"demand_std_units_per_period": 0.0}) for s in scenario.skus
            ),
            "demand": tuple(d.model_copy(update={"std_units": 0.0}) for d in scenario.demand),
            "suppliers": tuple(
                s.model_copy(
                    update={
                        "production_lead_time_days_std": 0.0,
                        "quoted_lead_time_days": None,  # promised at the mean: no lot moves
                        "on_time_rate": 1.0,
                        "defect_rate": 0.0,
                    }
                )
                for s in scenario.suppliers
            ),
            "lanes": tuple(
                lane.model_copy(update={"transit_days_std": 0.0}) for lane in scenario.lanes
            ),
            "disruptions": (),
        }
    )


def _drain_days(scenario: Scenario) -> int:
    """Days after the horizon by which every payment of a plan's POs has fallen due."""
    balance = max((max(s.balance_days_after_shipment, 0) for s in scenario.suppliers), default=0)
    return math.ceil(balance) + scenario.horizon.period_length_days + 1


def _row(
    figure: str, planned: float, replayed: float, tolerance: float, sku: str = "", period: int = 0
) -> dict[str, object]:
    difference = replayed - planned
    slack = MONEY_TOLERANCE if figure in _MONEY else UNITS_TOLERANCE
    return {
        "figure": figure,
        "sku": sku,
        "period": period,
        "planned": planned,
        "replayed": replayed,
        "difference": difference,
        "tolerance": tolerance,
        "ok": abs(difference) <= tolerance + slack + 1e-9 * abs(planned),
    }


_MONEY = {
    "purchase",
    "freight",
    "duty_and_fees",
    "tooling_and_qualification",
    "capital",
    "holding",
}


def _paid(events: pd.DataFrame, *kinds: EventKind) -> float:
    return float(-events.loc[events["kind"].isin([k.value for k in kinds]), "amount"].sum())


def _capital(
    scenario: Scenario, events: pd.DataFrame, variable_freight: Mapping[tuple[str, str], float]
) -> float:
    """Cost of capital of the cash each PO paid before its goods arrived: supplier cash
    (deposit, balance), its insurance and its variable freight, each from its payment day to
    the lot's arrival day, at ``annual_cost_of_capital / 365`` a day."""
    rate = scenario.finance.annual_cost_of_capital / DAYS_PER_YEAR
    lots = events[events["po"] >= 0]
    arrived = lots[lots["kind"] == EventKind.ARRIVED.value].groupby("po")["day"].max()
    total = 0.0
    paid = lots[lots["kind"].isin([EventKind.DEPOSIT.value, EventKind.BALANCE.value])]
    for po, day, amount in zip(paid["po"], paid["day"], paid["amount"], strict=True):
        if po in arrived.index:
            total += -amount * max(int(arrived[po]) - int(day), 0)
    shipped = lots[lots["kind"] == EventKind.INSURANCE.value]
    for po, lane, sku, quantity, amount, day in zip(
        *(shipped[c] for c in ("po", "lane", "sku", "quantity", "amount", "day")), strict=True
    ):
        if po in arrived.index:
            variable = variable_freight[(lane, sku)] * quantity
            total += (-amount + variable) * max(int(arrived[po]) - int(day), 0)
    return rate * total


def _duty_tolerance(scenario: Scenario, early_lots: pd.DataFrame) -> float:
    """What duty and fees may differ by: for each lot arriving before the period it counts
    from, its landed value times the change of the duty rate between the two days, plus the
    change of the customs fee."""
    start = scenario.horizon.start_date.toordinal()
    lp = scenario.horizon.period_length_days
    country = {s.supplier: s.country for s in scenario.suppliers}
    total = 0.0
    for day, sku, supplier, value in zip(
        *(early_lots[c] for c in ("day", "sku", "supplier", "value")), strict=True
    ):
        on_day = dt.date.fromordinal(start + int(day))
        counted = dt.date.fromordinal(start + (arrival_period(int(day), lp) - 1) * lp)
        a = scenario.duty_for(sku, country[supplier], on_day)
        b = scenario.duty_for(sku, country[supplier], counted)
        if a != b:
            total += abs(_rate(a) - _rate(b)) * abs(value) + abs(_fee(a) - _fee(b))
    return total


def _rate(duty: Duty | None) -> float:
    return 0.0 if duty is None else duty.duty_rate + duty.extra_tariff_rate


def _fee(duty: Duty | None) -> float:
    return 0.0 if duty is None else duty.fee_per_shipment


def replay_plan(
    scenario: Scenario,
    purchase_orders: pd.DataFrame,
    tier_choice: TierChoice | str = TierChoice.PER_PO,
) -> ReplayReport:
    """Simulate a plan once on the scenario's deterministic copy and compare it with the
    plan's own figures (see the module docstring).

    Args:
        scenario: The scenario the plan is for.
        purchase_orders: The plan's PO table (as ``sourcing optimize`` writes it).
        tier_choice: How the plan's tiers were chosen (for pricing it).

    Returns:
        The comparison, figure by figure.
    """
    copy = deterministic_copy(scenario)
    check: PlanCheck = check_plan(copy, purchase_orders, tier_choice=tier_choice)
    world = build_world(copy, SimulationOptions(drain_days=_drain_days(copy)))
    result = simulate(world, PlanPolicy(purchase_orders), seed=0, replication=0)
    events = result.events
    lp = copy.horizon.period_length_days
    periods = copy.horizon.periods
    horizon_days = periods * lp

    day = events["day"].to_numpy()
    period_of_day = day // lp + 1
    events = events.assign(period_of_day=period_of_day)
    arrived = events[events["kind"] == EventKind.ARRIVED.value]
    arrived = arrived.assign(
        counted=[arrival_period(int(d), lp) for d in arrived["day"]],
    )
    early = arrived[arrived["counted"] != arrived["period_of_day"]]
    early_units = early.groupby(["sku", "period_of_day"])["quantity"].sum()
    sold = events[events["kind"] == EventKind.SALE.value]
    lost = events[(events["kind"] == EventKind.LOST_SALE.value) & (events["day"] < horizon_days)]
    opening = {s.sku: s.opening_stock_units for s in copy.skus}

    rows: list[dict[str, object]] = []
    inventory = check.inventory.set_index(["sku", "period"])
    extra_sales_total = 0.0  # the most units the simulation may sell that the plan loses
    holding_tolerance = 0.0
    unit_value = dict(zip(world.skus, world.unit_value.tolist(), strict=True))
    for item in copy.skus:
        k = item.sku
        daily_rate = item.holding_cost_rate_annual / DAYS_PER_YEAR * unit_value[k]
        got = arrived[arrived["sku"] == k]
        arrivals_by = got.groupby("counted")["quantity"].sum()
        in_by_day = got.groupby("period_of_day")["quantity"].sum()
        sold_by = sold[sold["sku"] == k].groupby("period_of_day")["quantity"].sum()
        lost_by = lost[lost["sku"] == k].groupby("period_of_day")["quantity"].sum()
        stock = opening[k]
        early_so_far = lost_so_far = 0.0
        for t in range(1, periods + 1):
            plan_row = cast(pd.Series, inventory.loc[(k, t)])  # one row: (sku, period) is unique
            early_now = float(early_units.get((k, t), 0.0))
            early_so_far += early_now
            lost_so_far += float(plan_row["lost_sales_units"])
            extra_sales = min(early_so_far, lost_so_far)
            stock += float(in_by_day.get(t, 0.0)) - float(sold_by.get(t, 0.0))
            planned_in = float(plan_row["arrivals_units"] + plan_row["in_transit_units"])
            rows.append(_row("arrivals", planned_in, float(arrivals_by.get(t, 0.0)), 0.0, k, t))
            planned_stock = float(plan_row["end_inventory_units"])
            rows.append(_row("end_stock", planned_stock, stock, max(early_now, extra_sales), k, t))
            planned_lost = float(plan_row["lost_sales_units"])
            rows.append(
                _row("lost_units", planned_lost, float(lost_by.get(t, 0.0)), extra_sales, k, t)
            )
            stockout = (lp - 1) / 2 * float(plan_row["served_units"]) if planned_lost > 0 else 0.0
            holding_tolerance += daily_rate * (stockout + lp * extra_sales + lp)
        extra_sales_total += min(early_so_far, lost_so_far)

    demand = float(check.inventory["demand_units"].sum())
    planned_lost = float(check.inventory["lost_sales_units"].sum())
    measures = result.measures
    rows.append(
        _row(
            "fill_rate",
            1.0 - planned_lost / demand if demand > 0 else math.nan,
            float(measures["fill_rate"]),
            extra_sales_total / demand if demand > 0 else 0.0,
        )
    )
    rows.append(_row("lost_units", planned_lost, float(lost["quantity"].sum()), extra_sales_total))
    cost = check.cost
    plan_money = {
        "purchase": cost("purchase"),
        "freight": cost("freight_variable") + cost("freight_fixed") + cost("insurance"),
        "duty_and_fees": cost("duty") + cost("customs_fees"),
        "tooling_and_qualification": cost("tooling") + cost("qualification"),
        "capital": cost("payment_terms_capital") + cost("pipeline_carrying"),
        "holding": cost("holding"),
    }
    po_events = events[events["po"] >= 0]
    replay_money = {
        "purchase": _paid(
            po_events, EventKind.DEPOSIT, EventKind.BALANCE, EventKind.SUPPLIER_CREDIT
        ),
        "freight": _paid(events, EventKind.FREIGHT, EventKind.INSURANCE),
        "duty_and_fees": _paid(events, EventKind.DUTY, EventKind.CUSTOMS_FEE),
        "tooling_and_qualification": _paid(events, EventKind.TOOLING, EventKind.QUALIFICATION),
        "capital": _capital(copy, events, world.variable_freight),
        "holding": float(measures["holding_cost"]),
    }
    early_lots = early[early["po"] >= 0]
    tolerance = {
        "duty_and_fees": _duty_tolerance(copy, early_lots),
        "holding": holding_tolerance,
    }
    for figure, planned in plan_money.items():
        rows.append(_row(figure, planned, replay_money[figure], tolerance.get(figure, 0.0)))
    comparison = pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))
    return ReplayReport(
        scenario=copy.name,
        comparison=comparison,
        timing_violations=tuple(
            f"{v.where}: {v.message}"
            for v in check.violations
            if v.constraint in TIMING_CONSTRAINTS
        ),
    )
