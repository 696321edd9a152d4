"""The stochastic allocation beside the simulation-based frontier: a two-stage sample-average
model (``engine.models.stochastic``), its convergence and what it is worth.

* **Scenarios** are drawn with the stress test's own streams (``engine.simulation.randomness``
  and ``sample_disruptions``): scenario ``i`` of seed ``s`` is replication ``i``'s disruptions
  and demand. The grain is aggregated: one period per SKU for the whole horizon, a supplier's
  availability is the share of the horizon it is not shut down, and the recourse is air from
  the cheapest supplier that is up (``scenario_data``). Only supplier shutdowns change
  availability at this grain; port delays, lead-time shocks, defect and demand spikes and
  tariff changes are left to the stress test, which judges the resulting plan.
* **Gap** (``mmw_gap``): the multiple-replications procedure of Mak, Morton and Wood (1999):
  a candidate ``x`` from one sample, then ``M`` independent samples of ``n`` scenarios; on each,
  ``G_m = f_m(x) - v_m`` (the candidate's sample objective less the sample's optimum) is at
  least 0 and its mean over-estimates the candidate's optimality gap on average; the report is
  the mean and a one-sided 95 % upper bound. It shrinks as ``n`` grows.
* **EVPI** = the stochastic solution's objective less the wait-and-see objective (each scenario
  solved knowing its outcome), on the same evaluation sample.
* **VSS** at this grain = the objective of the expected-value solution (the model with every
  random quantity at its mean) less the stochastic solution's, on the same evaluation sample.
  The VSS and EVPI that count, the plans judged in the stress test, come from
  ``stress_value`` through ``resilience_decision`` with the stochastic shares as a fixed-split
  candidate (``sourcing resilience --stochastic``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from engine.comparisons.frontier import FrontierPoint, free_scenario, with_policy
from engine.landed_cost import landed_cost_table
from engine.models.stochastic import (
    TwoStageData,
    objective_of,
    scenario_costs,
    solve_two_stage,
)
from engine.resilience.newsvendor import NewsvendorCase, draws
from engine.resilience.total_cost import penalties
from engine.scenario.schema import Scenario, ShippingMode
from engine.simulation.disruptions import sample_disruptions
from engine.simulation.measures import t_quantile
from engine.simulation.randomness import Purpose, generator

__all__ = [
    "GapEstimate",
    "StochasticReport",
    "mmw_gap",
    "newsvendor_data",
    "scenario_data",
    "stochastic_point",
    "stochastic_report",
]

SHARE_DECIMALS = 3  # a fixed split is stated to 0.1 %

DataMaker = Callable[[range], TwoStageData]
"""Data of the scenarios with the given indices (the same index, the same scenario)."""


def newsvendor_data(case: NewsvendorCase, seed: int, scenarios: range) -> TwoStageData:
    """The closed-form case as two-stage data: supplier 0 the primary, 1 the backup."""
    down, demand = draws(case, seed, scenarios)
    n = len(scenarios)
    return TwoStageData(
        unit_cost=np.array([[case.primary_unit_cost], [case.backup_unit_cost]]),
        offered=np.ones((2, 1), dtype=bool),
        share_cap=np.ones((2, 1)),
        planned_units=np.array([case.planned_units]),
        availability=np.column_stack([np.where(down, 0.0, 1.0), np.ones(n)]),
        demand=demand[:, None],
        expedite_cost=np.zeros((n, 1)),
        expedite_units=np.zeros((n, 1)),
        lost_sale_penalty=np.array([case.lost_sale_penalty]),
        leftover_cost=np.array([case.leftover_unit_cost]),
    )


@dataclass(frozen=True)
class _Aggregated:
    """What ``scenario_data`` needs from a scenario, computed once."""

    suppliers: list[str]
    skus: list[str]
    sea_cost: np.ndarray  # [s, k] cheapest non-air landed cost per unit (nan: not offered)
    air_cost: np.ndarray  # [s, k] cheapest air/express landed cost per unit (nan: none)
    share_cap: np.ndarray
    planned_units: np.ndarray
    demand_mean: np.ndarray  # [k, period]
    demand_std: np.ndarray
    penalty: np.ndarray
    leftover: np.ndarray


def _aggregate(scenario: Scenario, skus: Sequence[str]) -> _Aggregated:
    suppliers = [s.supplier for s in scenario.suppliers]
    table = landed_cost_table(scenario)
    fast = table["mode"].isin([ShippingMode.AIR.value, ShippingMode.EXPRESS.value])
    shape = (len(suppliers), len(skus))
    sea, air = np.full(shape, np.nan), np.full(shape, np.nan)
    for (supplier, sku), cost in table[~fast].groupby(["supplier", "sku"])["landed_cost_per_unit"]:
        if sku in skus:
            sea[suppliers.index(str(supplier)), list(skus).index(str(sku))] = cost.min()
    for (supplier, sku), cost in table[fast].groupby(["supplier", "sku"])["landed_cost_per_unit"]:
        if sku in skus:
            air[suppliers.index(str(supplier)), list(skus).index(str(sku))] = cost.min()
    cap = np.array(
        [[scenario.risk_policy.share_cap(s, k) for k in skus] for s in suppliers], dtype=float
    )
    periods = scenario.horizon.periods
    mean = np.zeros((len(skus), periods))
    std = np.zeros((len(skus), periods))
    for j, sku in enumerate(skus):
        for t, (mu, sigma) in enumerate(scenario.demand_series(sku)):
            mean[j, t] = mu
            std[j, t] = math.sqrt(mu) if sigma is None else sigma  # Poisson-like without one
    opening = np.array([scenario.sku(k).opening_stock_units for k in skus])
    transit = np.array(
        [sum(r.quantity_units for r in scenario.in_transit if r.sku == k) for k in skus]
    )
    by_sku = penalties(scenario)
    unit_value = np.nanmin(sea, axis=0)
    rates = np.array([scenario.sku(k).holding_cost_rate_annual for k in skus])
    return _Aggregated(
        suppliers=suppliers,
        skus=list(skus),
        sea_cost=sea,
        air_cost=air,
        share_cap=cap,
        planned_units=np.maximum(mean.sum(axis=1) - opening - transit, 0.0),
        demand_mean=mean,
        demand_std=std,
        penalty=np.array([by_sku[k] for k in skus]),
        leftover=rates * unit_value * 0.5,  # half a year's holding: the leftover's carrying
    )


def scenario_data(scenario: Scenario, skus: Sequence[str], seed: int) -> DataMaker:
    """A ``DataMaker`` for ``skus`` of a scenario at the aggregated grain (module docstring):
    demand net of opening stock and goods in transit, each period's demand drawn normal
    (truncated at 0) from the SKU's demand stream, availability from the disruption stream."""
    agg = _aggregate(scenario, skus)
    horizon_days = scenario.horizon.periods * scenario.horizon.period_length_days
    offered = ~np.isnan(agg.sea_cost)
    index = {s: i for i, s in enumerate(agg.suppliers)}
    sku_index = {s.sku: i for i, s in enumerate(scenario.skus)}
    covered = agg.demand_mean.sum(axis=1) - agg.planned_units  # opening stock and transit

    def make(scenarios: range) -> TwoStageData:
        n = len(scenarios)
        availability = np.ones((n, len(agg.suppliers)))
        demand = np.zeros((n, len(agg.skus)))
        for row, i in enumerate(scenarios):
            realised = sample_disruptions(
                scenario, generator(seed, i, Purpose.DISRUPTIONS), horizon_days
            )
            for supplier, s in index.items():
                down = _days_down(realised.shutdown_windows(supplier), horizon_days)
                availability[row, s] = 1.0 - down / horizon_days
            for j, sku in enumerate(agg.skus):
                rng = generator(seed, i, Purpose.DEMAND, sku_index[sku])
                drawn = np.maximum(rng.normal(agg.demand_mean[j], agg.demand_std[j]), 0.0)
                demand[row, j] = max(drawn.sum() - covered[j], 0.0)
        up = availability > 0.5
        air = np.where(np.isnan(agg.air_cost), np.inf, agg.air_cost)
        best_air = np.min(np.where(up[:, :, None], air[None, :, :], np.inf), axis=1)
        return TwoStageData(
            unit_cost=np.nan_to_num(agg.sea_cost, nan=0.0),
            offered=offered,
            share_cap=agg.share_cap,
            planned_units=agg.planned_units,
            availability=availability,
            demand=demand,
            expedite_cost=np.where(np.isfinite(best_air), best_air, 0.0),
            expedite_units=np.where(np.isfinite(best_air), demand, 0.0),
            lost_sale_penalty=agg.penalty,
            leftover_cost=agg.leftover,
        )

    return make


def _days_down(windows: list[tuple[int, int]], horizon_days: int) -> int:
    days = np.zeros(horizon_days, dtype=bool)
    for start, end in windows:
        days[max(start, 0) : min(end, horizon_days)] = True
    return int(days.sum())


@dataclass(frozen=True)
class GapEstimate:
    """Mak-Morton-Wood's optimality-gap estimate of a candidate solution."""

    scenarios: int  # n per sample
    samples: int  # M
    gap: float  # mean of G_m
    upper: float  # one-sided 95 % upper bound


def mmw_gap(
    make: DataMaker,
    shares: np.ndarray,
    scenarios: int,
    samples: int,
    level: float,
    risk_weight: float,
    first: int,
) -> GapEstimate:
    """The gap of ``shares`` on ``samples`` independent samples of ``scenarios`` scenarios
    starting at scenario index ``first`` (keep them apart from the sample ``shares`` came
    from)."""
    gaps = []
    for m in range(samples):
        data = make(range(first + m * scenarios, first + (m + 1) * scenarios))
        optimum = solve_two_stage(data, level, risk_weight)
        candidate = _objective(data, shares, level, risk_weight)
        gaps.append(max(candidate - optimum.objective, 0.0))
    values = np.array(gaps)
    spread = float(values.std(ddof=1)) if samples > 1 else math.nan
    upper = float(values.mean()) + t_quantile(0.95, samples - 1) * spread / math.sqrt(samples)
    return GapEstimate(scenarios, samples, float(values.mean()), upper)


def _objective(data: TwoStageData, shares: np.ndarray, level: float, risk_weight: float) -> float:
    """The sample objective of fixed shares (the best ``t`` is the sample's VaR)."""
    costs = scenario_costs(data, shares)
    t = float(np.quantile(costs, level, method="inverted_cdf")) if risk_weight else 0.0
    return objective_of(costs, level, risk_weight, t)


@dataclass(frozen=True)
class StochasticReport:
    """The stochastic solution and what it is worth, on an evaluation sample."""

    shares: np.ndarray
    objective: float  # of the stochastic solution on the evaluation sample
    expected_value_objective: float  # of the expected-value solution, same sample
    wait_and_see_objective: float
    vss: float
    evpi: float
    gap: GapEstimate


def _mean_data(data: TwoStageData) -> TwoStageData:
    """One scenario with every random quantity at its mean: the expected-value problem."""

    def mean(a: np.ndarray) -> np.ndarray:
        return a.mean(axis=0, keepdims=True)

    return TwoStageData(
        unit_cost=data.unit_cost,
        offered=data.offered,
        share_cap=data.share_cap,
        planned_units=data.planned_units,
        availability=mean(data.availability),
        demand=mean(data.demand),
        expedite_cost=mean(data.expedite_cost),
        expedite_units=mean(data.expedite_units),
        lost_sale_penalty=data.lost_sale_penalty,
        leftover_cost=data.leftover_cost,
    )


def _one(data: TwoStageData, w: int) -> TwoStageData:
    def pick(a: np.ndarray) -> np.ndarray:
        return a[w : w + 1]

    return TwoStageData(
        unit_cost=data.unit_cost,
        offered=data.offered,
        share_cap=data.share_cap,
        planned_units=data.planned_units,
        availability=pick(data.availability),
        demand=pick(data.demand),
        expedite_cost=pick(data.expedite_cost),
        expedite_units=pick(data.expedite_units),
        lost_sale_penalty=data.lost_sale_penalty,
        leftover_cost=data.leftover_cost,
    )


def stochastic_report(
    make: DataMaker,
    scenarios: int,
    level: float = 0.95,
    risk_weight: float = 0.0,
    evaluation: int = 200,
    gap_samples: int = 5,
) -> StochasticReport:
    """Solve the SAA on scenarios ``0 .. scenarios-1``; judge it, the expected-value solution
    and the wait-and-see solutions on ``evaluation`` other scenarios; estimate its gap on
    ``gap_samples`` further samples of the same size."""
    solved = solve_two_stage(make(range(scenarios)), level, risk_weight)
    held_out = make(range(scenarios, scenarios + evaluation))
    expected = solve_two_stage(_mean_data(make(range(scenarios))), level, 0.0)
    stochastic = _objective(held_out, solved.shares, level, risk_weight)
    deterministic = _objective(held_out, expected.shares, level, risk_weight)
    waits = np.array(
        [
            scenario_costs(_one(held_out, w), solve_two_stage(_one(held_out, w)).shares)[0]
            for w in range(evaluation)
        ]
    )
    t = float(np.quantile(waits, level, method="inverted_cdf")) if risk_weight else 0.0
    wait_and_see = objective_of(waits, level, risk_weight, t)
    gap = mmw_gap(
        make, solved.shares, scenarios, gap_samples, level, risk_weight, scenarios + evaluation
    )
    return StochasticReport(
        shares=solved.shares,
        objective=stochastic,
        expected_value_objective=deterministic,
        wait_and_see_objective=wait_and_see,
        vss=deterministic - stochastic,
        evpi=stochastic - wait_and_see,
        gap=gap,
    )


def stochastic_point(
    scenario: Scenario,
    skus: Sequence[str],
    level: float,
    risk_weight: float,
    seed: int,
    scenarios: int = 200,
) -> tuple[FrontierPoint, dict[str, dict[str, float]]]:
    """The stochastic allocation of ``skus`` as a frontier candidate: the SAA's shares (from
    ``scenarios`` scenarios of the aggregated model) fixed as splits on the free scenario, so
    the optimizer plans it and the stress test judges it beside the others (its VSS there is
    the free optimum's score less its own). Returns the point and the shares."""
    data = scenario_data(scenario, skus, seed)(range(scenarios))
    solved = solve_two_stage(data, level, risk_weight)
    suppliers = [s.supplier for s in scenario.suppliers]
    shares: dict[str, dict[str, float]] = {}
    for j, sku in enumerate(skus):
        rounded = np.round(solved.shares[:, j], SHARE_DECIMALS)
        rounded[int(np.argmax(rounded))] += 1.0 - rounded.sum()  # sum exactly 1
        shares[sku] = {suppliers[i]: float(v) for i, v in enumerate(rounded) if v > 0}
    base = free_scenario(scenario, skus)
    fixed = {**base.risk_policy.fixed_splits, **shares}
    return FrontierPoint("stochastic (SAA)", with_policy(base, fixed_splits=fixed)), shares
