"""The scenario's indexed look-ups give what a scan of its tables gives, also on copies."""

from __future__ import annotations

import pytest

from engine.scenario import load_scenario
from engine.scenario.generate import generate_scenario
from tests.conftest import DTC_BRAND


def scanned_tiers(scenario, supplier: str, sku: str) -> tuple:
    rows = [p for p in scenario.price_breaks if p.supplier == supplier and p.sku == sku]
    return tuple(sorted(rows, key=lambda p: p.min_qty_units))


@pytest.mark.parametrize("seed", [0, 1])
def test_look_ups_equal_a_scan(seed: int) -> None:
    scenario = generate_scenario(skus=12, suppliers=4, modes=2, periods=4, seed=seed)
    for offer in scenario.offers:
        assert scenario.price_tiers(offer.supplier, offer.sku) == scanned_tiers(
            scenario, offer.supplier, offer.sku
        )
    assert scenario.price_tiers("nobody", "nothing") == ()
    for item in scenario.skus:
        assert scenario.sku(item.sku) is next(s for s in scenario.skus if s.sku == item.sku)
    for supplier in scenario.suppliers:
        assert scenario.supplier(supplier.supplier) is supplier
        port = supplier.origin_port
        assert scenario.lanes_from(port) == tuple(
            lane for lane in scenario.lanes if lane.origin_port == port
        )
    with pytest.raises(StopIteration):
        scenario.sku("no such SKU")


def test_a_copy_with_another_table_does_not_use_the_old_index() -> None:
    scenario = load_scenario(DTC_BRAND)
    first = scenario.price_breaks[0]
    before = scenario.price_tiers(first.supplier, first.sku)  # builds the index
    cheaper = tuple(
        p.model_copy(update={"unit_price": p.unit_price / 2}) for p in scenario.price_breaks
    )
    copy = scenario.model_copy(update={"price_breaks": cheaper})
    after = copy.price_tiers(first.supplier, first.sku)
    assert [p.unit_price for p in after] == [p.unit_price / 2 for p in before]
    assert scenario.price_tiers(first.supplier, first.sku) == before
    assert copy != scenario and scenario == load_scenario(DTC_BRAND)  # the index is no field
