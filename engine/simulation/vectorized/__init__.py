"""The vectorized stress-test engine: replications as an array axis (replications x SKUs x days).

It plays what users stress-test, with the SimPy engine's rules and measure functions:

* drivers: the optimizer's PO plans (and plans read from a file) and the base-stock, (s, S)
  and (r, Q) policies with their split rule (``orders``);
* demand with lost sales or backorders, demand spikes (``demand``);
* production times with on-time slips, supplier capacity as a first-in-first-out queue over
  the calendar (calendars.csv shutdowns and reduced days, disruption shutdowns), lead-time
  shocks, the one ready rule of ``engine.lead_time`` (``factories``);
* QC rejects with either remedy (remake, credit), defect spikes, shipments shared by the lots
  of one supplier and lane on one day, transit, port delays, duty and customs fees with tariff
  changes, opening stock and goods in transit (``run``);
* every disruption kind the scenario holds, recurring outages too, drawn per replication
  (``disruptions``);
* both fulfilment models: a 3PL in the market, or direct (stock near the factory, no sea leg,
  duty paid as units sell) (``run``);
* the whole cash timeline (tooling, qualification, deposits, balances, credits, freight,
  insurance, duty, customs fees, fulfilment, sales receipts) and every measure, taken by
  ``engine.simulation.measures``'s own functions on per-replication views (``views``);
* the late-shift and defect-pause decision rules (``rules``) and the expedite rule
  (``expedite``).

It keeps no event log: ``choice.choose_engine`` sends those runs to the SimPy engine and says
so. Draws come from one ``numpy.random.Generator`` (split into child streams for demand,
disruptions, production and QC, and transit), so results agree with the SimPy engine in
distribution (exactly on deterministic cases), not draw by draw. docs/simulation-engines.md
has the agreement tests and the benchmark.
"""

from engine.simulation.vectorized.choice import (
    Engine,
    EngineChoice,
    choose_engine,
    needs_event_engine,
)
from engine.simulation.vectorized.stress import (
    compare_on_engine,
    simulate_vectorized,
    stress_on_engine,
    vectorized_stress_test,
)

__all__ = [
    "Engine",
    "EngineChoice",
    "choose_engine",
    "compare_on_engine",
    "needs_event_engine",
    "simulate_vectorized",
    "stress_on_engine",
    "vectorized_stress_test",
]
