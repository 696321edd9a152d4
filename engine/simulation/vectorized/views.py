"""The measures of a vectorized run, taken by the SimPy engine's own measure functions.

``replication_views`` turns a finished ``VectorRun`` into one ``ReplicationView`` per
replication: an object with the attributes of a finished ``engine.simulation.state.Replication``
that ``engine.simulation.measures`` reads (cash book, end-of-day records, unit and supplier
tallies, the pipeline by stage, the rules' counters, the realised disruptions). The measures
are then ``replication_measures`` itself: one definition of each measure.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from engine.simulation.disruptions import RealisedDisruptions
from engine.simulation.events import EventKind, Recorder
from engine.simulation.rules import DecisionRules, RuleEngine
from engine.simulation.vectorized.run import VectorRun
from engine.simulation.world import World

__all__ = ["CashTotals", "ReplicationView", "replication_views"]


@dataclass(frozen=True)
class CashTotals:
    """A replication's cash book after the run (``state.CashBook``'s fields)."""

    opening: float
    balance: float
    inflows: float
    outflows: float
    by_kind: dict[EventKind, float]


@dataclass(frozen=True, eq=False)
class ReplicationView:
    """One replication of a vectorized run, as the measure functions read a ``Replication``."""

    world: World
    replication: int
    cash: CashTotals
    cash_end: np.ndarray
    inventory_value_end: np.ndarray
    receivables_end: np.ndarray
    payables_end: np.ndarray
    on_hand_end: np.ndarray
    backlog_end: np.ndarray
    purchases_horizon: float
    landed_total: float
    landed_units: float
    demand_units: np.ndarray
    served_from_stock: np.ndarray
    stockout_days: np.ndarray
    lost_units: np.ndarray
    sold_units: np.ndarray
    revenue: np.ndarray
    cogs: np.ndarray
    units_ordered: np.ndarray
    units_received: np.ndarray
    units_rejected: np.ndarray
    units_remade: np.ndarray
    opening_transit: np.ndarray
    supplier_pos: list[int]
    supplier_lots: list[int]
    supplier_late: list[int]
    supplier_inspected: list[float]
    supplier_rejected: list[float]
    lead_times: list[list[int]]
    stages: dict[str, np.ndarray]
    rules: RuleEngine
    disruptions: RealisedDisruptions

    def pipeline_by_stage(self) -> dict[str, np.ndarray]:
        return self.stages


def replication_views(run: VectorRun, first_replication: int = 0) -> Iterator[ReplicationView]:
    """One view per replication of a finished run, numbered from ``first_replication``."""
    world = run.world
    opening = world.scenario.finance.opening_cash
    cash_end, receivables_end, payables_end = run.balances()
    totals = {kind: flow.sum(axis=1) for kind, flow in run.flows.items()}
    stages = run.stages
    ordered = run.units_ordered()
    pos = run.supplier_pos()
    lead_rep, lead_supplier, lead_days = run.lead_times()
    order = np.lexsort((lead_supplier, lead_rep))
    lead_rep, lead_supplier, lead_days = lead_rep[order], lead_supplier[order], lead_days[order]
    cuts = np.searchsorted(lead_rep, np.arange(run.n + 1))
    m = len(world.suppliers)
    price = world.selling_price

    def rules(r: int) -> RuleEngine:
        engine = run.rules.engine_of(r, RuleEngine(DecisionRules(), world, Recorder(r, False)))
        return engine if run.expedite is None else run.expedite.engine_of(r, engine)

    for r in range(run.n):
        mine_supplier = lead_supplier[cuts[r] : cuts[r + 1]]
        mine_days = lead_days[cuts[r] : cuts[r + 1]]
        lead_times = [mine_days[mine_supplier == i].tolist() for i in range(m)]
        sold = run.sold_units[r]
        yield ReplicationView(
            world=world,
            replication=first_replication + r,
            cash=CashTotals(
                opening=opening,
                balance=float(cash_end[r, -1]) if run.days else opening,
                inflows=float(run.inflows[r]),
                outflows=float(run.outflows[r]),
                by_kind={kind: float(total[r]) for kind, total in totals.items()},
            ),
            cash_end=cash_end[r],
            inventory_value_end=run.inventory_value_end[r],
            receivables_end=receivables_end[r],
            payables_end=payables_end[r],
            on_hand_end=run.on_hand_end[:, r, :].T,
            backlog_end=run.backlog_end[:, r, :].T,
            purchases_horizon=float(run.purchases_horizon[r]),
            landed_total=float(run.landed_total[r]),
            landed_units=float(run.landed_units[r]),
            demand_units=run.demand_units[r],
            served_from_stock=run.served[r],
            stockout_days=run.short_days[r],
            lost_units=run.lost_units[r],
            sold_units=sold,
            revenue=sold * price,
            cogs=run.cogs[r],
            units_ordered=ordered[r],
            units_received=run.units_received[r],
            units_rejected=run.units_rejected[r],
            units_remade=run.units_remade[r],
            opening_transit=run.opening_transit,
            supplier_pos=pos[r].tolist(),
            supplier_lots=run.finished[r].astype(int).tolist(),
            supplier_late=run.late[r].astype(int).tolist(),
            supplier_inspected=run.inspected[r].tolist(),
            supplier_rejected=run.rejected[r].tolist(),
            lead_times=lead_times,
            stages={name: stage[r] for name, stage in stages.items()},
            rules=rules(r),
            disruptions=run.draws.realised(r),
        )
