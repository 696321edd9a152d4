"""Explain an infeasible scenario in the user's words: which SKU, which limit, by how much."""

from __future__ import annotations

import pyomo.environ as pyo

from engine.models.build import build_model
from engine.models.data import ModelData
from engine.models.solve import solve_model
from engine.plan_types import SolveOptions, SolveStatus, TierChoice

SLACK_USED = 1e-6


def static_diagnosis(data: ModelData) -> list[str]:
    """Reasons visible before solving: a critical SKU with too few suppliers able to deliver."""
    reasons = []
    horizon_days = len(data.periods) * data.period_length_days
    for k in sorted(data.critical):
        usable = sorted({s for (s, kk) in data.pos_by_offer if kk == k})
        if len(usable) >= data.min_suppliers_critical:
            continue
        offered = sorted(s for (s, kk) in data.offers if kk == k)
        blocked = [s for s in offered if s not in usable]
        reason = (
            f"SKU {k} is critical and needs {data.min_suppliers_critical} suppliers, but only "
            f"{len(usable)} can deliver it ({', '.join(usable) or 'none'}): short by "
            f"{data.min_suppliers_critical - len(usable)} supplier(s)"
        )
        if blocked:
            reason += (
                f"; {', '.join(blocked)} cannot deliver within the {horizon_days}-day horizon, "
                "the maximum lead time or its capacity"
            )
        reasons.append(reason)
    return reasons


def elastic_diagnosis(data: ModelData, options: SolveOptions, tier_choice: TierChoice) -> list[str]:
    """Re-solve with priced slacks on the policy limits and report the ones that had to give."""
    model = build_model(data, tier_choice, elastic=True)
    outcome = solve_model(model, options)
    if outcome.status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        return [
            "no plan satisfies the scenario even with the risk policy relaxed; check MOQs "
            "against capacity and the shutdown calendars"
        ]
    reasons = []
    for k in model.SUPPLIER_GAP_SKUS:
        gap = pyo.value(model.supplier_gap[k])
        if gap > SLACK_USED:
            reasons.append(
                f"SKU {k}: the policy asks for {data.min_suppliers_critical} suppliers; "
                f"the best plan can use {data.min_suppliers_critical - round(gap)} "
                f"(short by {round(gap)})"
            )
    for s, k in model.BACKUP_GAP_OFFERS:
        gap = pyo.value(model.backup_gap[(s, k)])
        if gap > SLACK_USED:
            reasons.append(
                f"SKU {k}, supplier {s}: the minimum backup share of "
                f"{data.min_backup_share:.0%} is short by {gap:,.0f} units "
                "(MOQ, order multiples or capacity stand in the way)"
            )
    for t in model.CASH_GAP_PERIODS:
        gap = pyo.value(model.cash_gap[t])
        if gap > SLACK_USED:
            reasons.append(
                f"period {t}: working capital exceeds the working-capital ceiling of "
                f"{data.working_capital_ceiling:,.0f} by {gap:,.0f}"
            )
    return reasons or ["the scenario is infeasible but no single policy limit explains it"]
