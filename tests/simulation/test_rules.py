"""Each decision rule fires when, and only when, its condition holds, and logs its cost."""

from __future__ import annotations

import pytest

from engine.simulation import (
    DecisionRules,
    DefectPauseRule,
    ExpediteRule,
    LateShiftRule,
    PlanPolicy,
    SimulationOptions,
    run_replication,
)
from tests.simulation.builders import events_of, first_day, one_sku, po_table


def plan(placements, rules: DecisionRules) -> PlanPolicy:
    rows = [("F1", "A", "SEA1", day + 1, qty) for day, qty in placements]
    return PlanPolicy(po_table(*rows), rules=rules)


def shutdown(start: int, length: int) -> dict[str, object]:
    return {
        "kind": "supplier_shutdown",
        "supplier": "F1",
        "start_day": start,
        "length_days": length,
    }


# --------------------------------------------------------------------------- late shift

SHIFT = DecisionRules(late_shift=LateShiftRule(consecutive_late=2, shift_share=0.5))


def test_late_shift_fires_after_n_late_lots_and_ends_when_on_time():
    # lead 5 days; a shutdown on days 2-3 makes the POs of days 0 and 1 two days late
    scenario = one_sku(lead_days=5, backup=True, backup_price=1.5, disruptions=[shutdown(2, 2)])
    result = run_replication(scenario, plan([(0, 10), (1, 10), (10, 10), (20, 10)], SHIFT))
    assert events_of(result, "late")["day"].tolist() == [7, 8]
    assert events_of(result, "shift_on")[["day", "supplier"]].values.tolist() == [[8, "F1"]]
    shifted = events_of(result, "shifted")
    assert shifted[["day", "supplier", "quantity", "value"]].values.tolist() == [
        [10, "F2", 5.0, 5 * (1.5 - 1.0)]
    ]
    placed = events_of(result, "po_placed")
    assert placed[["day", "supplier", "quantity"]].values.tolist() == [
        [0, "F1", 10.0],
        [1, "F1", 10.0],
        [10, "F1", 5.0],
        [10, "F2", 5.0],
        [20, "F1", 10.0],  # on time again since day 15: no shift
    ]
    assert events_of(result, "shift_off")["day"].tolist() == [15]
    assert result.measures["shift_fires"] == 1
    assert result.measures["shift_cost"] == pytest.approx(2.5)


def test_late_shift_does_not_fire_on_fewer_late_lots_in_a_row():
    # a one-day shutdown on day 5 delays only the PO of day 1 (day 0's is ready on day 5)
    scenario = one_sku(lead_days=5, backup=True, disruptions=[shutdown(5, 1)])
    result = run_replication(scenario, plan([(0, 10), (1, 10), (10, 10)], SHIFT))
    assert events_of(result, "late")["po"].tolist() == [1]
    assert events_of(result, "shift_on").empty
    assert events_of(result, "shifted").empty
    assert result.measures["shift_fires"] == 0


def test_late_lots_without_the_rule_shift_nothing():
    scenario = one_sku(lead_days=5, backup=True, disruptions=[shutdown(2, 2)])
    result = run_replication(scenario, plan([(0, 10), (1, 10), (10, 10)], DecisionRules()))
    assert len(events_of(result, "late")) == 2
    assert events_of(result, "shift_on").empty
    assert set(events_of(result, "po_placed")["supplier"]) == {"F1"}


# --------------------------------------------------------------------------- defect pause


def defect_spike(start: int, length: int, rate: float) -> dict[str, object]:
    return {
        "kind": "defect_spike",
        "supplier": "F1",
        "start_day": start,
        "length_days": length,
        "defect_rate": rate,
    }


def test_defect_pause_fires_above_the_threshold_and_redirects_to_the_backup():
    rules = DecisionRules(defect_pause=DefectPauseRule(0.5, window_lots=1, pause_days=10))
    scenario = one_sku(backup=True, backup_price=1.5, disruptions=[defect_spike(5, 1, 1.0)])
    result = run_replication(scenario, plan([(d, 10) for d in range(20)], rules))
    assert events_of(result, "pause")[["day", "supplier", "value"]].values.tolist() == [
        [5, "F1", 1.0]
    ]
    assert events_of(result, "resume")["day"].tolist() == [15]
    redirected = events_of(result, "redirected")
    assert redirected["day"].tolist() == list(range(6, 15))
    assert set(redirected["supplier"]) == {"F2"}
    placed = events_of(result, "po_placed")
    assert set(placed.loc[placed["day"].between(6, 14), "supplier"]) == {"F2"}
    assert set(placed.loc[~placed["day"].between(6, 14), "supplier"]) == {"F1"}
    assert result.measures["pause_fires"] == 1
    assert result.measures["pause_cost"] == pytest.approx(9 * 10 * 0.5)


@pytest.mark.parametrize(
    ("threshold", "spike_rate"),
    [(1.0, 1.0), (0.5, 0.3)],  # at the threshold is not above it; well below it
)
def test_defect_pause_does_not_fire_at_or_below_the_threshold(threshold, spike_rate):
    rules = DecisionRules(defect_pause=DefectPauseRule(threshold, window_lots=3, pause_days=10))
    scenario = one_sku(backup=True, disruptions=[defect_spike(0, 30, spike_rate)])
    result = run_replication(scenario, plan([(d, 1000) for d in range(20)], rules), seed=3)
    assert result.measures["defect_rate"] == pytest.approx(spike_rate, abs=0.02)
    assert events_of(result, "pause").empty
    assert set(events_of(result, "po_placed")["supplier"]) == {"F1"}


def test_defect_pause_without_a_backup_skips_the_orders():
    rules = DecisionRules(defect_pause=DefectPauseRule(0.5, window_lots=1, pause_days=10))
    scenario = one_sku(disruptions=[defect_spike(5, 1, 1.0)])
    result = run_replication(scenario, plan([(d, 10) for d in range(20)], rules))
    assert events_of(result, "po_skipped")["day"].tolist() == list(range(6, 15))
    assert result.measures["units_ordered"] == 11 * 10


# --------------------------------------------------------------------------- expedite


def expedite_case(cover_days: float, opening_stock: float = 100.0, air: bool = True):
    # demand 10 a day; one PO of 100 units on day 0, ready day 10, 20 days by sea
    scenario = one_sku(
        periods=40,
        demand_mean=10.0,
        opening_stock=opening_stock,
        lead_days=10,
        transit_days=20,
        air=air,
        air_cost_per_unit=2.0,
        air_transit_days=2,
    )
    rules = DecisionRules(expedite=ExpediteRule(cover_days=cover_days))
    return run_replication(scenario, plan([(0, 100)], rules))


@pytest.mark.parametrize(("cover_days", "day"), [(5.0, 6), (3.0, 8)])
def test_expedite_fires_on_the_first_day_cover_is_below_the_threshold(cover_days, day):
    # on-hand at the start of day d is 100 - 10 d: cover 10 - d days
    result = expedite_case(cover_days)
    expedite = events_of(result, "expedite")
    assert expedite[["day", "lane", "quantity", "value"]].values.tolist() == [
        [day, "AIR1", 100.0, 200.0]
    ]
    arrived = events_of(result, "arrived")
    assert arrived[["day", "lane"]].values.tolist() == [[12, "AIR1"]]
    assert events_of(result, "freight")["amount"].tolist() == [-200.0]
    assert result.measures["expedite_fires"] == 1
    assert result.measures["expedite_cost"] == pytest.approx(200.0)


def test_expedite_does_not_fire_with_enough_cover():
    result = expedite_case(5.0, opening_stock=1000.0)
    assert events_of(result, "expedite").empty
    assert first_day(result, "arrived", 0) == 30


def test_expedite_does_not_fire_without_an_air_lane():
    result = expedite_case(5.0, air=False)
    assert events_of(result, "expedite").empty
    assert first_day(result, "arrived", 0) == 30


def test_rules_are_recorded_in_stress_tests_without_events():
    scenario = one_sku(lead_days=5, backup=True, disruptions=[shutdown(2, 2)])
    result = run_replication(
        scenario,
        plan([(0, 10), (1, 10), (10, 10)], SHIFT),
        options=SimulationOptions(record_events=False),
    )
    assert result.events.empty
    assert result.measures["shift_fires"] == 1
