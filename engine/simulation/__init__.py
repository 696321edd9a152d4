"""Stress tests: a SimPy discrete-event simulation of a sourcing plan or policy.

Day by day: demand per SKU, POs from the optimizer's schedule or an inventory policy with a
split rule, production with random lead times, capacity and shutdown calendars, QC rejects
with the supplier's remedy, transit by mode, arrivals, lost sales or backorders, every cash
movement on its date, disruptions sampled per replication and decision rules that react.
Seeded Monte Carlo over replications (in parallel if asked), with common random numbers when
two drivers are compared.

The public API is re-exported here; ``docs`` of each module state the modelling choices.
"""

from engine.simulation.cycles import CashCycle, cash_cycle, lot_cash_cycle, lot_timelines
from engine.simulation.events import CASH_KINDS, EVENT_COLUMNS, Event, EventKind
from engine.simulation.options import DemandDistribution, SimulationOptions
from engine.simulation.orders import OrderRequest, OrderSource
from engine.simulation.policies import (
    RQ,
    SS,
    BaseStock,
    Driver,
    DriverKind,
    PlanPolicy,
    SplitRule,
    suggested_policy,
)
from engine.simulation.rules import DecisionRules, DefectPauseRule, ExpediteRule, LateShiftRule
from engine.simulation.runner import (
    Comparison,
    Progress,
    ReplicationResult,
    StressResult,
    compare,
    run_replication,
    simulate,
    stress_test,
)
from engine.simulation.world import World, build_world

__all__ = [
    "CASH_KINDS",
    "EVENT_COLUMNS",
    "RQ",
    "SS",
    "BaseStock",
    "CashCycle",
    "Comparison",
    "DecisionRules",
    "DefectPauseRule",
    "DemandDistribution",
    "Driver",
    "DriverKind",
    "Event",
    "EventKind",
    "ExpediteRule",
    "LateShiftRule",
    "OrderRequest",
    "OrderSource",
    "PlanPolicy",
    "Progress",
    "ReplicationResult",
    "SimulationOptions",
    "SplitRule",
    "StressResult",
    "World",
    "build_world",
    "cash_cycle",
    "compare",
    "lot_cash_cycle",
    "lot_timelines",
    "run_replication",
    "simulate",
    "stress_test",
    "suggested_policy",
]
