"""A two-stage stochastic allocation (sample average approximation), at an aggregated grain:
one period per SKU for the whole horizon (docs/resilience.md, "Stochastic allocation").

First stage: the share ``x[s,k]`` of SKU ``k``'s planned units ``Q_k`` given to supplier ``s``
(only offered pairs; ``sum_s x[s,k] = 1``; ``x[s,k] <= cap[s,k]``). Second stage, per sampled
scenario ``w`` (equal weights ``1/N``): supplier ``s`` delivers ``a[w,s] x[s,k] Q_k`` (its
availability, e.g. 0 when it is down the whole horizon) paid at ``c[s,k]`` per unit delivered;
the recourse is an expedite ``e[w,k] <= E[w,k]`` at ``c_e[w,k]`` per unit, then lost sales
``l[w,k]`` at ``pi_k`` and leftovers ``o[w,k]`` at ``h_k``:

    l[w,k] >= D[w,k] - sum_s a[w,s] x[s,k] Q_k - e[w,k]
    o[w,k] >= sum_s a[w,s] x[s,k] Q_k + e[w,k] - D[w,k]
    cost[w] = sum_k ( sum_s c[s,k] a[w,s] x[s,k] Q_k + c_e[w,k] e[w,k] + pi_k l + h_k o )

Objective: ``(1/N) sum_w cost[w] + lambda CVaR_alpha(cost)`` with the Rockafellar-Uryasev
linearisation ``CVaR = t + (1 / ((1 - alpha) N)) sum_w z[w]``, ``z[w] >= cost[w] - t``,
``z >= 0``. An LP, solved by HiGHS. Callers pass and get plain arrays: no Pyomo object leaves
this module.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from engine.models.session import HighsSession

__all__ = [
    "TwoStageData",
    "TwoStageSolution",
    "objective_of",
    "scenario_costs",
    "solve_two_stage",
]

SOLVE_SECONDS = 120.0  # a safety limit: these LPs solve in well under a second


@dataclass(frozen=True, eq=False)
class TwoStageData:
    """The aggregated model's data (arrays indexed [scenario, supplier, sku] as named).

    Attributes:
        unit_cost: ``c[s,k]``, landed cost per unit delivered.
        offered: ``[s,k]`` whether supplier ``s`` offers SKU ``k``.
        share_cap: ``cap[s,k]``, most share of the SKU's units (1 = none).
        planned_units: ``Q_k``.
        availability: ``a[w,s]`` in [0, 1].
        demand: ``D[w,k]``.
        expedite_cost: ``c_e[w,k]`` per unit.
        expedite_units: ``E[w,k]``, most units the recourse can expedite.
        lost_sale_penalty: ``pi_k``.
        leftover_cost: ``h_k``.
    """

    unit_cost: np.ndarray
    offered: np.ndarray
    share_cap: np.ndarray
    planned_units: np.ndarray
    availability: np.ndarray
    demand: np.ndarray
    expedite_cost: np.ndarray
    expedite_units: np.ndarray
    lost_sale_penalty: np.ndarray
    leftover_cost: np.ndarray

    @property
    def scenarios(self) -> int:
        return int(self.demand.shape[0])


@dataclass(frozen=True)
class TwoStageSolution:
    """The first-stage shares, the objective and each scenario's cost."""

    shares: np.ndarray  # [s, k]
    objective: float
    scenario_costs: np.ndarray  # [w]
    value_at_risk: float  # t at the optimum (VaR_alpha of the sample when lambda > 0)


def scenario_costs(data: TwoStageData, shares: np.ndarray) -> np.ndarray:
    """Each scenario's cost of fixed shares with the best recourse (expedite while it is
    cheaper than a lost sale, up to its limit): the second stage in closed form."""
    supply = np.einsum("ws,sk,k->wk", data.availability, shares, data.planned_units)
    bought = np.einsum(
        "ws,sk,sk,k->w", data.availability, shares, data.unit_cost, data.planned_units
    )
    short = np.maximum(data.demand - supply, 0.0)
    worth = data.expedite_cost < data.lost_sale_penalty[None, :]
    expedited = np.where(worth, np.minimum(short, data.expedite_units), 0.0)
    lost = short - expedited
    left = np.maximum(supply - data.demand, 0.0)
    return bought + (
        data.expedite_cost * expedited
        + data.lost_sale_penalty[None, :] * lost
        + data.leftover_cost[None, :] * left
    ).sum(axis=1)


def _build(data: TwoStageData, level: float, risk_weight: float) -> pyo.ConcreteModel:
    m = pyo.ConcreteModel("two_stage_allocation")
    n_w, n_s = data.availability.shape
    n_k = data.demand.shape[1]
    pairs = [(s, k) for s in range(n_s) for k in range(n_k) if data.offered[s, k]]
    m.W = pyo.RangeSet(0, n_w - 1)
    m.K = pyo.RangeSet(0, n_k - 1)
    m.x = pyo.Var(pairs, bounds=lambda _m, s, k: (0.0, min(float(data.share_cap[s, k]), 1.0)))
    m.e = pyo.Var(m.W, m.K, bounds=lambda _m, w, k: (0.0, float(data.expedite_units[w, k])))
    m.lost = pyo.Var(m.W, m.K, within=pyo.NonNegativeReals)
    m.left = pyo.Var(m.W, m.K, within=pyo.NonNegativeReals)
    m.t = pyo.Var()
    m.z = pyo.Var(m.W, within=pyo.NonNegativeReals)
    _all_units_allocated(m, data, pairs)
    supply = {
        (w, k): sum(
            data.availability[w, s] * data.planned_units[k] * m.x[s, k]
            for s in range(n_s)
            if (s, k) in m.x
        )
        for w in range(n_w)
        for k in range(n_k)
    }
    _balance(m, data, supply)
    cost = {
        w: sum(
            data.unit_cost[s, k] * data.availability[w, s] * data.planned_units[k] * m.x[s, k]
            for (s, k) in pairs
        )
        + sum(
            data.expedite_cost[w, k] * m.e[w, k]
            + data.lost_sale_penalty[k] * m.lost[w, k]
            + data.leftover_cost[k] * m.left[w, k]
            for k in range(n_k)
        )
        for w in range(n_w)
    }
    _cvar_excess(m, cost)
    m.cost_expr = pyo.Expression(m.W, rule=lambda _m, w: cost[w])
    mean = sum(cost.values()) / n_w
    cvar = m.t + sum(m.z[w] for w in m.W) / ((1.0 - level) * n_w)
    m.objective = pyo.Objective(expr=mean + risk_weight * cvar, sense=pyo.minimize)
    if risk_weight == 0:
        m.t.fix(0.0)
        for w in m.W:
            m.z[w].fix(0.0)
        m.cvar_excess.deactivate()
    return m


def _all_units_allocated(m: pyo.ConcreteModel, data: TwoStageData, pairs: list) -> None:
    """``sum_s x[s,k] = 1`` for every SKU: the planned units are all ordered."""
    skus = sorted({k for _, k in pairs})
    m.allocated = pyo.Constraint(
        skus, rule=lambda _m, k: sum(m.x[s, kk] for (s, kk) in pairs if kk == k) == 1.0
    )


def _balance(m: pyo.ConcreteModel, data: TwoStageData, supply: dict) -> None:
    """``l >= D - supply - e`` and ``o >= supply + e - D`` per scenario and SKU."""
    m.short = pyo.Constraint(
        m.W, m.K, rule=lambda _m, w, k: m.lost[w, k] >= data.demand[w, k] - supply[w, k] - m.e[w, k]
    )
    m.over = pyo.Constraint(
        m.W, m.K, rule=lambda _m, w, k: m.left[w, k] >= supply[w, k] + m.e[w, k] - data.demand[w, k]
    )


def _cvar_excess(m: pyo.ConcreteModel, cost: dict) -> None:
    """Rockafellar-Uryasev: ``z[w] >= cost[w] - t``."""
    m.cvar_excess = pyo.Constraint(m.W, rule=lambda _m, w: m.z[w] >= cost[w] - m.t)


def solve_two_stage(
    data: TwoStageData, level: float = 0.95, risk_weight: float = 0.0
) -> TwoStageSolution:
    """Solve the sample average approximation (see the module docstring).

    Raises:
        ValueError: when HiGHS finds no solution (e.g. a share cap leaves a SKU no supplier).
    """
    if not 0.0 <= level < 1.0 or risk_weight < 0:
        raise ValueError("the CVaR level must be in [0, 1) and the risk weight at least 0")
    model = _build(data, level, risk_weight)
    session = HighsSession(model, threads=1)
    outcome = session.run(SOLVE_SECONDS, 0.0)
    if not outcome.has_solution or outcome.infeasible:
        raise ValueError("the stochastic allocation has no solution: check the share caps")
    values = session.solution()

    def value(var: pyo.Var) -> float:
        column = session.column(var)
        return float(var.value if column is None else values[column])

    shares = np.zeros(data.unit_cost.shape)
    for (s, k), var in model.x.items():
        shares[s, k] = value(var)
    costs = scenario_costs(data, shares)
    t = value(model.t)
    return TwoStageSolution(
        shares=shares,
        objective=objective_of(costs, level, risk_weight, t),
        scenario_costs=costs,
        value_at_risk=t,
    )


def objective_of(costs: np.ndarray, level: float, risk_weight: float, t: float) -> float:
    """``mean + lambda (t + E[(cost - t)+] / (1 - alpha))``: the objective at a given ``t``
    (CVaR itself at ``t = VaR``)."""
    excess = float(np.maximum(costs - t, 0.0).mean()) / (1.0 - level)
    return float(costs.mean()) + risk_weight * (t + excess if risk_weight else 0.0)
