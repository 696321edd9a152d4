"""A vectorized NumPy Monte Carlo of inventory policies, for screening many scenarios fast.

``fast_stress_test(scenario, policy, replications, rng)`` plays a ``BaseStock``, ``SS`` or
``RQ`` policy day by day for many replications at once, as arrays (replications x SKUs), and
reports ``FAST_MEASURES``: the SimPy engine's measures of the same names and definitions
(``engine.simulation.measures``): ``fill_rate``, ``stockout_days``, ``lost_units``,
``lost_revenue``, ``mean_on_hand_units``, ``mean_backorder_units``, ``backorder_units_end``,
``holding_cost``, ``units_ordered``, ``units_received``, ``supplier_payments``,
``freight_paid``, ``fulfilment_paid``, ``demand_units``, ``sold_units`` and ``revenue``.
``tests/simulation/test_fast.py`` checks every one of them against the SimPy engine.

What it plays as the engine does:

* demand per SKU and day from the scenario (Poisson, normal rounded and truncated at 0,
  deterministic, or an explicit ``demand_series``), lost sales or backorders as the scenario's
  ``fulfilment.shortage`` says, backorders served first; ``drain_days`` after the horizon;
* the policy's periodic review (``review_days``) on the inventory position (on hand + pipeline
  - backorders), its split across suppliers and lanes (``SplitRule``), each part raised to the
  offer's MOQ and rounded up to its order multiple, at the offer's tier price (all-units or
  incremental);
* random production times (lognormal, with the on-time-rate slip) over the supplier's known
  calendar (calendars.csv shutdowns), random transit times drawn once per shipment (lots of
  one supplier on one lane on one day travel together), opening stock and goods in transit;
* supplier payments (deposit on the PO day, balance on the ready day plus the balance days),
  freight and insurance at shipment (per-shipment and container costs on the shipment's
  volume), fulfilment per unit sold, holding cost on end-of-day stock at the unit value.

What it leaves out (run the SimPy engine for these):

* disruptions of every kind (supplier shutdowns, lead-time shocks, port delays, defect and
  demand spikes, tariff changes) -- ``FastResult.left_out`` names those the scenario has;
* supplier capacity and the first-in-first-out production queue (lots are made in their
  production time whatever the load) and a supplier with zero capacity aside;
* QC rejects and their remedy (remakes, credits): no unit is rejected;
* decision rules (late shift, defect pause, expedite) and the optimizer's PO plans
  (``PlanPolicy``): both are refused with a ``ValueError``;
* cash timing beyond the totals above: no cash curve, duty and customs fees, sales receipts,
  working capital (DIO, DSO, DPO, CCC, peak working capital), landed cost per unit, COGS;
* supplier KPIs (on-time rate, lead-time statistics) and the event log.

The random numbers come from the one ``numpy.random.Generator`` passed in, so a run is
reproducible from it; they are not the engine's per-entity streams, so the fast path agrees
with the engine in distribution (within Monte Carlo error), not replication by replication.
"""

from engine.simulation.fast.run import FAST_MEASURES, FastResult, fast_stress_test, simulate_fast

__all__ = ["FAST_MEASURES", "FastResult", "fast_stress_test", "simulate_fast"]
