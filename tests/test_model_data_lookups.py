"""``build_model_data`` computes the look-ups many POs share once (a timing per supplier, lane
and period; a factory's units per supplier and period; a duty row per SKU, country and
arrival period; each capacity window's POs): every PO must still get exactly what its own
look-up gives, and the capacity windows and each PO's windows must list the same pairs (the
windows' own rule: tests/test_lead_time.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.lead_time import SupplierCalendar
from engine.models.data import build_model_data
from engine.scenario.generate import generate_scenario
from engine.scenario.schema import Scenario


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    """Shutdowns in its calendars; a second duty row from the third period on (a tariff
    change mid-horizon), so POs of one SKU and country arriving apart pay apart."""
    base = generate_scenario(
        skus=10, suppliers=4, modes=2, periods=8, offers_per_sku=(2, 3), tiers=2, seed=11
    )
    first = base.duties[0]
    change = base.horizon.start_date + dt.timedelta(days=2 * base.horizon.period_length_days)
    later = first.model_copy(update={"effective_from": change, "duty_rate": first.duty_rate + 0.1})
    return base.model_copy(update={"duties": (*base.duties, later)})


def test_every_po_gets_its_own_timing_capacity_and_duty(scenario: Scenario) -> None:
    data = build_model_data(scenario)
    lp, n = scenario.horizon.period_length_days, scenario.horizon.periods
    suppliers = {s.supplier: s for s in scenario.suppliers}
    lanes = {lane.lane: lane for lane in scenario.lanes}
    calendars = {s: SupplierCalendar(scenario, sup, n * lp) for s, sup in suppliers.items()}
    assert scenario.finance.customs_base.value == "FOB"
    changed = 0  # POs paying the later row
    for (s, k, lane, t), po in data.pos.items():
        calendar = calendars[s]
        assert po.timing == calendar.timing((t - 1) * lp, lanes[lane])
        end = calendar.capacity_end((t - 1) * lp)
        assert end is not None
        assert po.upper_units <= calendar.units_between((t - 1) * lp, end) + 1e-9
        arrival = scenario.horizon.start_date + dt.timedelta(days=(po.period_arrival - 1) * lp)
        row = scenario.duty_for(k, suppliers[s].country, arrival)
        rate = 0.0 if row is None else row.duty_rate + row.extra_tariff_rate
        duty_per_c, _ = po.cost_coefficients["duty"]
        if not lanes[lane].duty_included:  # FOB: the duty is the rate on the purchase
            assert duty_per_c == pytest.approx(rate)
        changed += row is not None and row.effective_from is not None
    assert changed  # the tariff change reached some POs


def test_capacity_windows_and_each_pos_windows_agree(scenario: Scenario) -> None:
    data = build_model_data(scenario)
    pairs = {(key, po) for key, load in data.capacity_load.items() for po, _ in load}
    assert pairs == {
        ((po[0], window), po) for po, windows in data.production.items() for window, _ in windows
    }
    assert set(data.production) == set(data.pos)
    for (s, (a, b)), load in data.capacity_load.items():
        members = [p for p in data.pos if p[0] == s and a <= p[3] <= b]
        assert [po for po, _ in load] == sorted(members, key=lambda p: p[3])  # period by period
    for po, windows in data.production.items():  # in the order of the supplier's windows
        order = [w for (s, w) in data.capacity if s == po[0]]
        assert [w for w, _ in windows] == sorted((w for w, _ in windows), key=order.index)
