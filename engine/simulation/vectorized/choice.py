"""Which engine runs a stress test: the vectorized one whenever it plays everything asked.

The vectorized engine plays every driver (the optimizer's plans, plans read from a file,
policies), every disruption kind of the scenario (recurring outages too), capacity with the
calendar, QC with its remedies, every decision rule (late shift, defect pause, expedite), both
fulfilment models (3PL and direct) and the whole cash timeline. It keeps no event log
(``record_events``): for that the SimPy engine runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from engine.simulation.options import SimulationOptions

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


def needs_event_engine(options: SimulationOptions | None = None) -> list[str]:
    """What in this run only the SimPy engine plays (empty: the vectorized engine can)."""
    if options is not None and options.record_events:
        return ["the event log"]
    return []


def choose_engine(
    options: SimulationOptions | None = None, requested: Engine | str | None = None
) -> EngineChoice:
    """The engine for a stress test.

    Args:
        options: The run's options (``record_events`` asks for the event log).
        requested: ``simpy`` or ``fast`` to force one; None to choose.

    Returns:
        The engine and the reason.

    Raises:
        ValueError: If ``fast`` is forced on a run it cannot play, or an unknown engine.
    """
    needs = needs_event_engine(options)
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
