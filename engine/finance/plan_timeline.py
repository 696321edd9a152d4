"""A plan's working capital day by day: its deterministic replay, measured as the stress test
measures it (``engine.finance.working_capital``).

The plan's POs are simulated once on the scenario's deterministic copy
(``engine.replay.deterministic_copy``: the means, no spreads, on-time 1, no defects, no
disruptions), so the Finance page, ``sourcing optimize`` and ``sourcing stress`` read one
figure from one timeline: on a deterministic scenario the plan's peak working capital is the
stress test's, day for day.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from engine.finance.working_capital import WorkingCapital, working_capital_measures
from engine.replay import deterministic_copy
from engine.scenario.schema import Scenario
from engine.simulation.options import SimulationOptions
from engine.simulation.policies import PlanPolicy
from engine.simulation.runner import simulate
from engine.simulation.world import build_world

__all__ = ["PlanWorkingCapital", "plan_working_capital"]

TIMELINE_COLUMNS: tuple[str, ...] = (
    "day",
    "date",
    "cash",
    "inventory_value",
    "receivables",
    "payables",
    "working_capital",
)


@dataclass(frozen=True, eq=False)
class PlanWorkingCapital:
    """A plan's working capital.

    Attributes:
        measures: Peak, average and the cycle over the horizon days.
        timeline: One row per horizon day, ``TIMELINE_COLUMNS`` (end-of-day balances).
        min_cash: The lowest end-of-day cash over the horizon.
    """

    measures: WorkingCapital
    timeline: pd.DataFrame
    min_cash: float

    def metrics(self) -> dict[str, float]:
        """The figures as flat metrics (``plan_`` prefixed, for a run's metrics)."""
        cycle = self.measures.cycle
        return {
            "plan_peak_working_capital": self.measures.peak,
            "plan_average_working_capital": self.measures.average,
            "plan_dio_days": cycle.dio_days,
            "plan_dso_days": cycle.dso_days,
            "plan_dpo_days": cycle.dpo_days,
            "plan_ccc_days": cycle.ccc_days,
        }


def plan_working_capital(scenario: Scenario, purchase_orders: pd.DataFrame) -> PlanWorkingCapital:
    """Replay a plan without randomness and measure its working capital.

    Args:
        scenario: The scenario the plan is for.
        purchase_orders: The plan's PO table (as ``sourcing optimize`` writes it).

    Returns:
        The measures and the daily timeline of the horizon.
    """
    copy = deterministic_copy(scenario)
    world = build_world(copy, SimulationOptions(record_events=False))
    result = simulate(world, PlanPolicy(purchase_orders), seed=0, replication=0)
    measures = result.measures
    daily = result.daily
    h = world.horizon_days
    daily = daily[daily["day"] < h]
    working = working_capital_measures(
        daily["inventory_value"].to_numpy(),
        daily["receivables"].to_numpy(),
        daily["payables"].to_numpy(),
        float(measures["cogs"]),
        float(measures["revenue"]),
    )
    start = pd.Timestamp(copy.horizon.start_date)
    timeline = daily.assign(date=start + pd.to_timedelta(daily["day"], unit="D"))
    return PlanWorkingCapital(
        measures=working,
        timeline=timeline[list(TIMELINE_COLUMNS)].reset_index(drop=True),
        min_cash=float(daily["cash"].min()),
    )
