"""Which engine runs a stress test: the vectorized one whenever it plays everything asked.

The vectorized engine plays plans (the optimizer's, or read from a file) and policies, every
disruption kind of the scenario, capacity with the calendar, QC with its remedies, the
late-shift and defect-pause rules and the whole cash timeline. It does not play the expedite
rule (day by day it picks, per SKU short of cover, the lot in production that will be ready
soonest and moves it to another lane: not done yet), recurring outages and direct fulfilment
(stock near the factory, duty as units sell: added to the SimPy engine after this one was
built), and keeps no event log (``record_events``): for those the SimPy engine runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from engine.scenario.schema import Scenario
from engine.simulation.options import SimulationOptions
from engine.simulation.policies import Driver

__all__ = ["Engine", "EngineChoice", "choose_engine", "needs_event_engine"]


class Engine(StrEnum):
    """The two stress-test engines."""

    SIMPY = "simpy"  # the discrete-event reference: every feature, the event log
    FAST = "fast"  # the vectorized engine: replications as an array axis


@dataclass(frozen=True)
class EngineChoice:
    """The engine that runs, and why.

    Attributes:
        engine: The engine.
        reason: One line for the user, e.g. "vectorized: every feature is covered".
    """

    engine: Engine
    reason: str


def needs_event_engine(
    driver: Driver,
    options: SimulationOptions | None = None,
    scenario: Scenario | None = None,
) -> list[str]:
    """What in this run only the SimPy engine plays (empty: the vectorized engine can)."""
    rules = driver.rules
    needs = [
        f"the {name} rule" for name, rule in (("expedite", rules.expedite),) if rule is not None
    ]
    if options is not None and options.record_events:
        needs.append("the event log")
    return needs


def choose_engine(
    driver: Driver,
    options: SimulationOptions | None = None,
    requested: Engine | str | None = None,
    scenario: Scenario | None = None,
) -> EngineChoice:
    """The engine for a stress test of ``driver``.

    Args:
        driver: What drives the orders (with its decision rules).
        options: The run's options (``record_events`` asks for the event log).
        requested: ``simpy`` or ``fast`` to force one; None to choose.
        scenario: The scenario played (its disruption kinds and fulfilment model).

    Returns:
        The engine and the reason.

    Raises:
        ValueError: If ``fast`` is forced on a run it cannot play, or an unknown engine.
    """
    needs = needs_event_engine(driver, options, scenario)
    if requested is not None:
        try:
            engine = Engine(requested)
        except ValueError:
            raise ValueError(f"unknown engine '{requested}'; use simpy or fast") from None
        if engine is Engine.FAST and needs:
            raise ValueError(
                f"the vectorized engine does not play {', '.join(needs)}: "
                "run with --engine simpy (or leave the engine to choose)"
            )
        return EngineChoice(engine, f"{engine.value}: as asked")
    if needs:
        return EngineChoice(Engine.SIMPY, f"simpy: {', '.join(needs)} needs the event engine")
    return EngineChoice(Engine.FAST, "fast (vectorized): every feature of this run is covered")
