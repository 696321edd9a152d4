"""Capacity (``engine.checker.capacity``): a factory makes its POs first in, first out by their
ready day."""

from __future__ import annotations

from engine.checker import Violation, capacity_end, check_plan, units_made
from tests.checker.builders import approx, edit, monthly, plan, po
from tests.conftest import tiny_scenario


def test_capacity_violation_numbers() -> None:
    # CN-1 (1,000 a week) is shut on days 26..47. A PO placed on day 30 (period 2) needs 30
    # working days: days 48..77, ready on day 78. The factory may make it on days 30..78, 31
    # of them open: 31,000 / 7 = 4,428.57 units, fewer than 4,500.
    check = check_plan(monthly(), plan(po("CN-1", "A", "CN-SEA", 2, 4_500.0, tier=2)))
    (violation,) = check.violations
    assert (violation.constraint, violation.where) == ("capacity", "supplier CN-1, period 2")
    assert violation.found == approx(4_500.0)
    assert violation.limit == approx(31_000.0 / 7.0)
    assert isinstance(violation, Violation) and "ready day 78" in violation.message


def test_a_po_is_made_from_its_po_day_to_its_ready_day() -> None:
    # Weekly tiny scenario: CN-1 needs 30 working days and is shut on days 26..47.
    # Placed in period 1 (day 0): open on days 0..25 (26) and 48..51 (4), ready on day 52;
    # it may be made on days 0..52: 26 + 5 open days. Placed in period 4 (day 21): open on
    # 21..25 (5) and 48..72 (25), ready on day 73, made on days 21..73: 5 + 26 open days.
    tiny = tiny_scenario()
    cn = tiny.supplier("CN-1")
    assert capacity_end(tiny, cn, 1) == 53
    assert units_made(tiny, cn, 0, 53) == approx(31_000.0 / 7.0)
    assert capacity_end(tiny, cn, 4) == 74
    assert units_made(tiny, cn, 21, 74) == approx(31_000.0 / 7.0)
    # a supplier of 0 working days makes a PO within the period it is placed in
    instant = cn.model_copy(update={"production_lead_time_days_mean": 0.0})
    assert capacity_end(tiny, instant, 4) == 28
    assert units_made(tiny, instant, 21, 28) == approx(5_000.0 / 7.0)  # days 26, 27 shut


def test_pos_placed_in_different_periods_share_the_factory_first_in_first_out() -> None:
    # Weekly tiny scenario over 16 weeks, CN-1 at 1,000 a week (142.86 a day), shut on days
    # 26..47. The PO of period 1 (day 0, ready day 52) may be 4,428.57 alone, the PO of period
    # 2 (day 7: days 7..25 and 48..58, ready on day 59; made on days 7..59, 19 + 12 open days)
    # too, both together at most days 0..59 (26 + 12 open days): 5,428.57 < 2,600 + 3,000.
    # The queue: 2,600 units take days 0..18 (18.2 days), so on day 7 1,600 are still to
    # make before the 3,000 of period 2: 4,600 > 4,428.57.
    tiny = tiny_scenario()
    tiny = tiny.model_copy(update={"horizon": tiny.horizon.model_copy(update={"periods": 16})})
    alone = [po("CN-1", "A", "CN-SEA", 1, 2_600.0), po("CN-1", "A", "CN-SEA", 2, 3_000.0)]
    for row in alone:
        check = check_plan(tiny, plan(row))
        assert not [v for v in check.violations if v.constraint == "capacity"]
    check = check_plan(tiny, plan(*alone))
    (violation,) = [v for v in check.violations if v.constraint == "capacity"]
    assert violation.where == "supplier CN-1, period 2"
    assert violation.found == approx(4_600.0)
    assert violation.limit == approx(31_000.0 / 7.0)
    assert "after 1600 units still to make" in violation.message


def test_partial_shutdown_factor_counts_in_the_capacity() -> None:
    # A half-capacity shutdown instead: a PO placed on day 30 works 18 x 0.5 = 9 days by day
    # 48, then days 48..68 (21): ready on day 69, made on days 30..69: 9 + 22 = 31 full days.
    scenario = edit(monthly(), "calendars", {"supplier": "CN-1"}, capacity_factor=0.5)
    cn = scenario.supplier("CN-1")
    assert capacity_end(scenario, cn, 2) == 70
    assert units_made(scenario, cn, 30, 70) == approx(31_000.0 / 7.0)
