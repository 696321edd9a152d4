"""Each disruption fires when, and only when, its window (or probability) says.

The cases are deterministic (no spread anywhere) unless the test is about probability.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine.scenario.schema import Scenario
from engine.simulation import PlanPolicy, SimulationOptions, run_replication
from engine.simulation.disruptions import sample_disruptions
from engine.simulation.randomness import Purpose, generator
from tests.simulation.builders import events_of, first_day, one_sku, po_table, with_changes


def plan(*placements: tuple[int, float], lane: str = "SEA1") -> PlanPolicy:
    """POs of SKU A from F1 placed on the given days (periods of 1 day)."""
    return PlanPolicy(po_table(*[("F1", "A", lane, day + 1, qty) for day, qty in placements]))


def run(scenario: Scenario, driver: PlanPolicy, **options: object):
    return run_replication(scenario, driver, seed=1, options=SimulationOptions(**options))


def shutdown(start: int, length: int, **fields: object) -> dict[str, object]:
    base = {
        "kind": "supplier_shutdown",
        "supplier": "F1",
        "start_day": start,
        "length_days": length,
    }
    return base | fields


# --------------------------------------------------------------------------- supplier shutdown


def test_shutdown_pauses_production_that_overlaps_it_and_only_that():
    scenario = one_sku(lead_days=10, disruptions=[shutdown(5, 10)])
    result = run(scenario, plan((0, 10), (3, 10), (15, 10), (30, 10)))
    ready = {po: first_day(result, "lot_ready", po) for po in range(4)}
    # PO 0 works days 0-4, pauses 5-14, works 15-19: ready day 20 (10 late)
    # PO 1 works days 3-4, pauses, works 15-22: ready day 23; both late
    # PO 2 starts the day the shutdown ends, PO 3 long after: unaffected
    assert ready == {0: 20, 1: 23, 2: 25, 3: 40}
    late = set(events_of(result, "late")["po"])
    assert late == {0, 1}
    starts = events_of(result, "disruption_start")
    ends = events_of(result, "disruption_end")
    assert starts[["day", "supplier"]].values.tolist() == [[5, "F1"]]
    assert ends["day"].tolist() == [15]


def test_shutdown_with_probability_zero_never_happens():
    scenario = one_sku(lead_days=10, disruptions=[shutdown(5, 10, probability=0.0)])
    result = run(scenario, plan((0, 10)))
    assert first_day(result, "lot_ready", 0) == 10
    assert events_of(result, "disruption_start").empty
    assert result.measures["disruptions"] == 0


def test_disruption_probability_and_random_start_over_replications():
    scenario = one_sku(
        periods=100, disruptions=[shutdown(0, 10, probability=0.3, random_start=True)]
    )
    starts = []
    for replication in range(2000):
        rng = generator(7, replication, Purpose.DISRUPTIONS)
        realised = sample_disruptions(scenario, rng, horizon_days=100).items
        starts.extend(r.start for r in realised)
        assert all(r.end - r.start == 10 for r in realised)
    share = len(starts) / 2000
    assert share == pytest.approx(0.3, abs=3 * np.sqrt(0.3 * 0.7 / 2000))
    assert min(starts) >= 0 and max(starts) <= 99
    assert np.mean(starts) == pytest.approx(49.5, abs=4)


def test_random_lengths_are_uniform_around_the_stated_length():
    scenario = one_sku(periods=100, disruptions=[shutdown(0, 10, random_start=True)])
    lengths = [
        r.end - r.start
        for replication in range(2000)
        for r in sample_disruptions(
            scenario, generator(3, replication, Purpose.DISRUPTIONS), 100, random_lengths=True
        ).items
    ]
    assert min(lengths) == 1 and max(lengths) == 19
    assert np.mean(lengths) == pytest.approx(10, abs=0.5)


def test_a_disruption_does_not_shift_the_draws_of_the_others():
    base = [shutdown(0, 5, probability=0.5, random_start=True)] * 2
    changed = [shutdown(0, 5, probability=0.9, random_start=True, length_days=7), base[1]]
    for replication in range(50):
        a = sample_disruptions(
            one_sku(disruptions=base), generator(1, replication, Purpose.DISRUPTIONS), 60
        )
        b = sample_disruptions(
            one_sku(disruptions=changed), generator(1, replication, Purpose.DISRUPTIONS), 60
        )
        second_a = [(r.start, r.end) for r in a.items if r.index == 1]
        second_b = [(r.start, r.end) for r in b.items if r.index == 1]
        assert second_a == second_b


# --------------------------------------------------------------------------- lead-time shock


def test_lead_time_shock_hits_pos_placed_in_its_window_only():
    shock = {
        "kind": "lead_time_shock",
        "supplier": "F1",
        "start_day": 10,
        "length_days": 10,
        "extra_days": 5,
        "factor": 2.0,
    }
    scenario = one_sku(lead_days=4, disruptions=[shock])
    result = run(scenario, plan((9, 1), (10, 1), (19, 1), (20, 1)))
    lead = {po: first_day(result, "lot_ready", po) - day for po, day in enumerate([9, 10, 19, 20])}
    assert lead == {0: 4, 1: 4 * 2 + 5, 2: 4 * 2 + 5, 3: 4}


# --------------------------------------------------------------------------- port delay


@pytest.mark.parametrize(
    ("ship_day", "delayed"),
    [
        (4, False),  # arrives day 9, the day before the window
        (5, True),  # at sea when the window starts, arrives on its first day: held
        (19, True),  # leaves on the window's last day
        (20, False),  # leaves the day after
    ],
)
def test_port_delay_holds_shipments_whose_journey_meets_it(ship_day, delayed):
    delay = {
        "kind": "port_delay",
        "origin_port": "P1",
        "start_day": 10,
        "length_days": 10,
        "extra_days": 7,
    }
    scenario = one_sku(transit_days=5, disruptions=[delay])
    result = run(scenario, plan((ship_day, 1)))
    assert first_day(result, "arrived", 0) == ship_day + 5 + (7 if delayed else 0)


def test_port_delay_of_another_mode_or_port_does_not_hold():
    delays = [
        {
            "kind": "port_delay",
            "origin_port": "P1",
            "mode": "air",
            "start_day": 0,
            "length_days": 30,
            "extra_days": 7,
        },
        {
            "kind": "port_delay",
            "origin_port": "P9",
            "start_day": 0,
            "length_days": 30,
            "extra_days": 7,
        },
    ]
    result = run(one_sku(transit_days=5, disruptions=delays), plan((3, 1)))
    assert first_day(result, "arrived", 0) == 8


# --------------------------------------------------------------------------- defect spike


def test_defect_spike_rejects_lots_inspected_in_its_window_only():
    spike = {
        "kind": "defect_spike",
        "supplier": "F1",
        "start_day": 10,
        "length_days": 5,
        "defect_rate": 1.0,
    }
    scenario = one_sku(lead_days=2, disruptions=[spike])
    result = run(scenario, plan((7, 100), (8, 100), (12, 100), (13, 100)))
    rejected = events_of(result, "qc_rejected").set_index("po")["quantity"].to_dict()
    # inspected on days 9, 10, 14, 15: the middle two in the window
    assert rejected == {1: 100.0, 2: 100.0}
    assert result.measures["units_rejected"] == 200
    assert result.measures["units_received"] == 200


# --------------------------------------------------------------------------- demand spike


def _demand(result, sku):
    events = events_of(result, "demand")
    return events[events["sku"] == sku].set_index("day")["quantity"]


def test_demand_spike_multiplies_demand_on_its_days_only():
    spike = {"kind": "demand_spike", "sku": "A", "start_day": 3, "length_days": 3, "factor": 2.0}
    result = run(one_sku(periods=10, demand_mean=10.0, disruptions=[spike]), plan_none())
    assert _demand(result, "A").tolist() == [10, 10, 10, 20, 20, 20, 10, 10, 10, 10]


def test_demand_spike_of_one_sku_leaves_the_others_draws_alone(tiny):
    spike = {"kind": "demand_spike", "sku": "A", "start_day": 3, "length_days": 3, "factor": 2.0}
    plain = run_replication(tiny, plan_none(), seed=5)
    spiked = run_replication(with_changes(tiny, disruptions=[spike]), plan_none(), seed=5)
    a_plain, a_spiked = _demand(plain, "A"), _demand(spiked, "A")
    # SKU A (100 a week, no spread) gains 3 days x 100/7, rounded; nothing before day 3
    assert a_spiked.sum() - a_plain.sum() == pytest.approx(300 / 7, abs=1)
    assert a_spiked.loc[:2].equals(a_plain.loc[:2])
    # SKU B (random, not spiked) sees the very same draws
    assert _demand(plain, "B").equals(_demand(spiked, "B"))


def plan_none() -> PlanPolicy:
    return PlanPolicy(po_table())


# --------------------------------------------------------------------------- tariff change


@pytest.mark.parametrize(("arrival_day", "rate"), [(9, 0.25), (10, 0.5), (30, 0.5)])
def test_tariff_change_applies_to_arrivals_from_its_day(arrival_day, rate):
    change = {
        "kind": "tariff_change",
        "origin_country": "CN",
        "start_day": 10,
        "extra_tariff_rate": 0.5,
    }
    scenario = one_sku(
        unit_price=10.0, duty_rate=0.05, extra_tariff_rate=0.25, disruptions=[change]
    )
    result = run(scenario, plan((arrival_day, 10)))
    duty = events_of(result, "duty")
    assert duty["day"].tolist() == [arrival_day]
    assert duty["amount"].iloc[0] == pytest.approx(-(0.05 + rate) * 100)


def test_tariff_change_that_does_not_happen_changes_nothing():
    change = {
        "kind": "tariff_change",
        "origin_country": "CN",
        "start_day": 0,
        "extra_tariff_rate": 0.5,
        "probability": 0.0,
    }
    scenario = one_sku(unit_price=10.0, duty_rate=0.05, disruptions=[change])
    result = run(scenario, plan((3, 10)))
    assert events_of(result, "duty")["amount"].iloc[0] == pytest.approx(-5.0)
