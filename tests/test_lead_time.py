"""The one rule for when a PO is ready and arrives (engine/lead_time.py, docs/optimizer.md),
worked by hand around Chinese New Year, and its three users agreeing: the optimizer's data,
the independent checker and the simulation."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.checker import check_plan, po_days
from engine.lead_time import (
    SupplierCalendar,
    arrival_period,
    ready_day,
    round_half_up_days,
    working_days_accrued,
)
from engine.models.data import build_model_data, capacity_windows
from engine.replay import deterministic_copy
from engine.scenario.load import load_scenario
from engine.scenario.schema import Scenario, Shutdown
from engine.simulation.production import Factory
from engine.simulation.world import build_world

BUNDLED = ("scenarios/dtc-brand", "scenarios/midsize-portfolio")


@pytest.fixture(scope="module")
def dtc() -> Scenario:
    return load_scenario("scenarios/dtc-brand")


def test_the_knife_ordered_before_chinese_new_year(dtc: Scenario) -> None:
    """GZ-01 needs 35 working days. Placed on day 0 (Mon 2027-01-04) it works days 0..25
    (26 days) until the factory closes on 2027-01-30 (day 26) to 2027-02-20 (day 47), then
    runs at 60 % until 2027-03-06 (day 61): the 9 days left take 15 days at 0.6, days 48..62,
    so it is ready on day 63. Sea FCL takes 32 days: it arrives on day 95, a Friday of week
    14 (days 91..97), and counts from week 15. Without the calendar it would arrive in week
    ceil((35 + 32) / 7) + 1 = 11."""
    gz = dtc.supplier("GZ-01")
    fcl = next(lane for lane in dtc.lanes if lane.lane == "YTN-ONT-FCL")
    timing = SupplierCalendar(dtc, gz, 26 * 7).timing(0, fcl)
    assert timing is not None
    assert (timing.ready_day, timing.arrival_day, timing.arrival_period) == (63, 95, 15)
    assert timing.production_days == 63 and timing.transit_days == 32
    checked = po_days(dtc, gz, fcl, 1)
    assert (checked.ready_day, checked.arrival_day, checked.arrival_period) == (63, 95, 15)
    knife = build_model_data(dtc).pos[("GZ-01", "KNF-8IN", "YTN-ONT-FCL", 1)]
    assert (knife.period_shipment, knife.period_arrival) == (10, 15)  # day 63 is in week 10
    # the balance falls due 7 days before shipment, day 56: week 9
    assert knife.period_balance == 9


def test_a_po_placed_after_the_shutdown_keeps_its_plain_lead_time(dtc: Scenario) -> None:
    """Placed in week 12 (day 77), after the ramp-up: 35 days, ready on day 112, FCL arrives
    on day 144, a Friday of week 21 (days 140..146), and counts from week 22: week 12 plus
    ceil((35 + 32) / 7) = 10, as without a calendar."""
    gz = dtc.supplier("GZ-01")
    fcl = next(lane for lane in dtc.lanes if lane.lane == "YTN-ONT-FCL")
    timing = SupplierCalendar(dtc, gz, 26 * 7).timing(77, fcl)
    assert timing is not None
    assert (timing.ready_day, timing.arrival_day, timing.arrival_period) == (112, 144, 22)


@pytest.mark.parametrize(
    ("factors", "start", "working", "expected"),
    [
        ([1, 1, 1, 1], 0, 3, 3),
        ([1, 0, 0, 1, 1], 0, 2, 4),  # closed days do not count
        ([0.5, 0.5, 0.5, 0.5], 0, 1, 2),  # a day at 50 % is half a working day
        ([0.6] * 10, 0, 3, 5),  # 5 x 0.6 = 3.0 (float noise does not cost a day)
        ([1, 1], 1, 0, 1),  # no production time: ready the day it is placed
        ([1, 1], 0, 3, None),  # not within the days covered
    ],
)
def test_ready_day(factors: list[float], start: int, working: float, expected: int | None) -> None:
    assert ready_day(working_days_accrued(factors), start, working) == expected


@pytest.mark.parametrize(
    ("day", "period"), [(0, 1), (1, 2), (6, 2), (7, 2), (8, 3), (95, 15), (91, 14)]
)
def test_arrival_counts_from_the_first_period_starting_on_or_after(day: int, period: int) -> None:
    assert arrival_period(day, 7) == period


def test_whole_days_round_half_up() -> None:
    assert [round_half_up_days(x) for x in (34.4, 34.5, 35.0, 0.49)] == [34, 35, 35, 0]


@pytest.mark.slow
@pytest.mark.parametrize("path", BUNDLED)
def test_optimizer_checker_and_simulation_date_every_po_alike(path: str) -> None:
    """Every PO the optimizer may place: the checker's own walk over the calendar and the
    simulation's factory (no randomness, no queue) give the same ready and arrival days."""
    scenario = load_scenario(path)
    data = build_model_data(scenario)
    world = build_world(deterministic_copy(scenario))  # the promised date at the mean
    suppliers = {s.supplier: s for s in scenario.suppliers}
    lanes = {lane.lane: lane for lane in scenario.lanes}
    factories = {s: Factory(world.supplier(s), []) for s in suppliers}
    assert data.pos
    for (supplier, _, lane, period), info in data.pos.items():
        checked = po_days(scenario, suppliers[supplier], lanes[lane], period)
        assert (checked.ready_day, checked.arrival_period) == (
            info.timing.ready_day,
            info.period_arrival,
        )
        assert factories[supplier].due_day(info.timing.placed_day) == info.timing.ready_day


@settings(max_examples=60, deadline=None)
@given(
    production=st.integers(0, 120).map(lambda x: x / 2),
    transit=st.integers(0, 90).map(lambda x: x / 2),
    period_length=st.integers(1, 31),
    shutdowns=st.lists(
        st.tuples(st.integers(0, 150), st.integers(0, 40), st.sampled_from([0.0, 0.2, 0.6])),
        max_size=3,
    ),
    period=st.integers(1, 8),
)
def test_checker_and_engine_rule_agree_on_random_calendars(
    dtc: Scenario,
    production: float,
    transit: float,
    period_length: int,
    shutdowns: list[tuple[int, int, float]],
    period: int,
) -> None:
    start = dtc.horizon.start_date
    calendars = tuple(
        Shutdown(
            supplier="GZ-01",
            start_date=start + dt.timedelta(days=first),
            end_date=start + dt.timedelta(days=first + length),
            capacity_factor=factor,
        )
        for first, length, factor in shutdowns
    )
    scenario = dtc.model_copy(
        update={
            "calendars": calendars,
            "horizon": dtc.horizon.model_copy(update={"period_length_days": period_length}),
        }
    )
    gz = scenario.supplier("GZ-01").model_copy(
        update={"production_lead_time_days_mean": production}
    )
    lane = scenario.lanes[0].model_copy(update={"transit_days_mean": transit})
    placed = (period - 1) * period_length
    timing = SupplierCalendar(scenario, gz, placed + 400).timing(placed, lane)
    checked = po_days(scenario, gz, lane, period)
    assert timing is not None
    assert (timing.ready_day, timing.arrival_day, timing.arrival_period) == (
        checked.ready_day,
        checked.arrival_day,
        checked.arrival_period,
    )


def test_the_knife_may_be_made_up_to_its_ready_day(dtc: Scenario) -> None:
    """GZ-01 (3,000 a week) placed on day 0: days 0..25 open, 26..47 shut, 48..61 at 60 %,
    62 and 63 open; ready on day 63 (26 + 8.4 + 1 = 35.4 >= 35 working days). The factory may
    make the PO on days 0..63: 26 + 8.4 + 2 = 36.4 days, 15,600 units."""
    calendar = SupplierCalendar(dtc, dtc.supplier("GZ-01"), 26 * 7)
    assert calendar.capacity_end(0) == 64
    assert calendar.units_between(0, 64) == pytest.approx(15_600.0)


@settings(max_examples=40, deadline=None)
@given(
    production=st.integers(1, 60).map(lambda x: x / 2),
    period_length=st.sampled_from([1, 5, 7, 14, 30]),
    shutdowns=st.lists(
        st.tuples(st.integers(0, 100), st.integers(0, 30), st.sampled_from([0.0, 0.3, 0.6])),
        max_size=3,
    ),
    units=st.lists(st.integers(0, 4000), min_size=6, max_size=6),
)
def test_capacity_windows_are_the_simulated_factorys_queue(
    dtc: Scenario,
    production: float,
    period_length: int,
    shutdowns: list[tuple[int, int, float]],
    units: list[int],
) -> None:
    """The optimizer's capacity windows hold exactly when the simulated factory, working
    first in, first out at its daily rate, has every PO ready by the rule's ready day, and
    exactly when the checker's queue finds no ``capacity`` violation (GZ-01, 3,000 a week,
    POs of 6 periods in a row on random calendars)."""
    start = dtc.horizon.start_date
    calendars = tuple(
        Shutdown(
            supplier="GZ-01",
            start_date=start + dt.timedelta(days=first),
            end_date=start + dt.timedelta(days=first + length),
            capacity_factor=factor,
        )
        for first, length, factor in shutdowns
    )
    horizon = dtc.horizon.model_copy(  # long enough for every PO to be made
        update={"period_length_days": period_length, "periods": 400 // period_length + 7}
    )
    scenario = dtc.model_copy(
        update={
            "calendars": calendars,
            "horizon": horizon,
            "suppliers": tuple(
                s.model_copy(update={"production_lead_time_days_mean": production})
                if s.supplier == "GZ-01"
                else s
                for s in dtc.suppliers
            ),
        }
    )
    gz = scenario.supplier("GZ-01")
    calendar = SupplierCalendar(scenario, gz, horizon.periods * period_length)
    placed = {t: (t - 1) * period_length for t in range(1, 7)}
    end_day = {t: calendar.capacity_end(day) for t, day in placed.items()}
    assert all(end is not None for end in end_day.values())
    fits = all(
        sum(units[t - 1] for t in range(a, b + 1))
        <= calendar.units_between(placed[a], end_day[b]) + 1e-6
        for a, b in capacity_windows(placed, end_day)  # type: ignore[arg-type]
    )
    factory = Factory(build_world(scenario).supplier("GZ-01"), [])
    in_time = all(
        factory.ready_day(day, calendar.working_days, float(units[t - 1])) == calendar.ready(day)
        for t, day in placed.items()
    )
    assert fits == in_time
    plan = pd.DataFrame(
        [
            {
                "supplier": "GZ-01",
                "sku": "KNF-8IN",
                "lane": "YTN-ONT-FCL",
                "period_placed": t,
                "quantity_units": float(q),
                "tier": None,
            }
            for t, q in enumerate(units, start=1)
            if q > 0
        ],
        columns=["supplier", "sku", "lane", "period_placed", "quantity_units", "tier"],
    )
    checked = check_plan(scenario, plan)
    assert fits == (not checked.violations_of("capacity"))
