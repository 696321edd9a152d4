"""Shipments and one-off costs (``engine.checker.shipments``), by hand."""

from __future__ import annotations

from engine.checker import check_plan
from engine.scenario.schema import Duty
from tests.checker.builders import a500, approx, edit, monthly, plan, po


def test_freight_fixed_once_per_shipment_shared_by_two_skus() -> None:
    # A and B from CN-1 by CN-SEA in period 1 travel together: 150 once; A again in period 2
    # is another shipment: 150. B by air in period 1 is a shipment on a lane without a fixed
    # cost: 0. Total 300.
    rows = plan(
        a500(1),
        po("CN-1", "B", "CN-SEA", 1, 100.0),
        po("CN-1", "A", "CN-SEA", 2, 100.0),
        po("CN-1", "B", "CN-AIR", 1, 100.0),
    )
    check = check_plan(monthly(), rows)
    assert check.ok
    assert check.cost("freight_fixed") == approx(300.0)


def test_containers_are_counted_per_shipment_with_ceil() -> None:
    # Containers of 4 cbm at 2,000. Period 1: 500 A x 0.01 + 100 B x 0.02 = 7 cbm ->
    # ceil(7 / 4) = 2 containers (not 2 + 1 if each PO filled its own) -> 150 + 4,000.
    # Period 2: 100 A = 1 cbm -> 1 container -> 150 + 2,000. Total 6,300.
    scenario = edit(
        monthly(), "lanes", {"lane": "CN-SEA"}, container_capacity_cbm=4.0, container_cost=2_000.0
    )
    rows = plan(a500(1), po("CN-1", "B", "CN-SEA", 1, 100.0), po("CN-1", "A", "CN-SEA", 2, 100.0))
    check = check_plan(scenario, rows)
    assert check.cost("freight_fixed") == approx(6_300.0)


def test_customs_fee_is_the_largest_fee_of_the_shipment() -> None:
    # The * row for CN charges 50 per entry, a B row 80. Period 1 ships A and B together:
    # one entry at max(50, 80) = 80. Period 2 ships A alone: 50. Total 130.
    scenario = edit(monthly(), "duties", {"origin_country": "CN"}, fee_per_shipment=50.0)
    b_row = Duty(
        sku="B", origin_country="CN", duty_rate=0.05, extra_tariff_rate=0.25, fee_per_shipment=80.0
    )
    scenario = scenario.model_copy(update={"duties": (*scenario.duties, b_row)})
    rows = plan(a500(1), po("CN-1", "B", "CN-SEA", 1, 100.0), po("CN-1", "A", "CN-SEA", 2, 100.0))
    check = check_plan(scenario, rows)
    assert check.cost("customs_fees") == approx(130.0)


def test_tooling_once_per_offer() -> None:
    # Two POs of VN-1's offer for A: its 1,500 tooling once; CN-1's offers have none.
    rows = plan(po("VN-1", "A", "VN-SEA", 1, 300.0), po("VN-1", "A", "VN-SEA", 2, 300.0), a500())
    check = check_plan(monthly(), rows)
    assert check.cost("tooling") == approx(1_500.0)


def test_qualification_once_per_unqualified_supplier_with_a_po() -> None:
    # VN-1 (not qualified, 2,000) gets two POs: 2,000 once. CN-1 is qualified. An unqualified
    # supplier without a PO costs nothing: add 999 to a CN-1 that is qualified -> still 0.
    scenario = edit(
        monthly(), "suppliers", {"supplier": "VN-1"}, qualified=False, qualification_cost=2_000.0
    )
    scenario = edit(scenario, "suppliers", {"supplier": "CN-1"}, qualification_cost=999.0)
    rows = plan(po("VN-1", "A", "VN-SEA", 1, 300.0), po("VN-1", "A", "VN-SEA", 2, 300.0), a500())
    check = check_plan(scenario, rows)
    assert check.cost("qualification") == approx(2_000.0)
    unused = edit(scenario, "suppliers", {"supplier": "CN-1"}, qualified=False)
    assert check_plan(unused, plan(po("VN-1", "A", "VN-SEA", 1, 300.0))).cost(
        "qualification"
    ) == approx(2_000.0)
