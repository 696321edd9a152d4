"""The synthetic scenario generator and the two bundled example scenarios."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter, defaultdict
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from engine.scenario import load
from engine.scenario.checks import scenario_problems
from engine.scenario.generate import MODE_ORDER, generate_scenario
from engine.scenario.schema import REQUIRED_TABLES, ROW_MODELS, TABLE_NAMES, Scenario, Settings
from engine.scenario.write import write_scenario
from tests.conftest import DTC_BRAND, MIDSIZE

EXAMPLES = (DTC_BRAND, MIDSIZE)

SIZES: list[dict[str, Any]] = [
    {"skus": 1, "suppliers": 1},
    {"skus": 3, "suppliers": 2, "modes": 1, "tiers": 1},
    {"skus": 40, "suppliers": 7, "modes": 5, "periods": 26, "period_length_days": 7},
    {"skus": 60, "suppliers": 12, "offers_per_sku": (1, 6), "tiers": 5, "critical_share": 0.5},
    {"skus": 25, "suppliers": 3, "offers_per_sku": (3, 5), "periods": 3, "period_length_days": 7},
    {"skus": 200, "suppliers": 30, "modes": 4, "periods": 60, "critical_share": 1.0},
]


def _size_id(size: dict[str, Any]) -> str:
    return "-".join(f"{key}={value}" for key, value in size.items())


# --------------------------------------------------------------------------- determinism


def test_same_seed_same_scenario() -> None:
    first = generate_scenario(skus=30, suppliers=6, seed=11)
    second = generate_scenario(skus=30, suppliers=6, seed=11)
    assert first == second
    assert first.model_dump() == second.model_dump()


def test_different_seeds_differ() -> None:
    first = generate_scenario(skus=30, suppliers=6, seed=1)
    second = generate_scenario(skus=30, suppliers=6, seed=2)
    assert first != second
    assert first.skus != second.skus
    assert first.price_breaks != second.price_breaks


def test_global_random_state_untouched() -> None:
    np.random.seed(5)
    random.seed(5)
    numpy_before, python_before = np.random.random(), random.random()
    np.random.seed(5)
    random.seed(5)
    generate_scenario(skus=20, suppliers=4, seed=3)
    assert np.random.random() == numpy_before
    assert random.random() == python_before


# --------------------------------------------------------------------------- sizes


@pytest.mark.parametrize("size", SIZES, ids=_size_id)
def test_sizes_are_honoured(size: dict[str, Any]) -> None:
    scenario = generate_scenario(**size, seed=4)
    modes = size.get("modes", 3)
    tiers = size.get("tiers", 3)
    fewest, most = size.get("offers_per_sku", (2, 4))
    suppliers = size["suppliers"]
    assert len(scenario.skus) == size["skus"]
    assert len(scenario.suppliers) == suppliers
    assert scenario.horizon.periods == size.get("periods", 12)
    assert scenario.horizon.period_length_days == size.get("period_length_days", 30)

    offers = Counter(offer.sku for offer in scenario.offers)
    for sku in scenario.skus:
        low = max(min(fewest, suppliers), 2 if sku.critical else 1)
        assert low <= offers[sku.sku] <= max(min(most, suppliers), low), sku.sku
    assert len(set((o.supplier, o.sku) for o in scenario.offers)) == len(scenario.offers)

    per_offer = Counter((p.supplier, p.sku) for p in scenario.price_breaks)
    assert set(per_offer) == {(o.supplier, o.sku) for o in scenario.offers}
    assert set(per_offer.values()) == {tiers}

    ports = {supplier.origin_port for supplier in scenario.suppliers}
    assert {lane.origin_port for lane in scenario.lanes} == ports
    for port in ports:
        lanes = scenario.lanes_from(port)
        assert [lane.mode for lane in lanes] == list(MODE_ORDER[:modes])


def test_suppliers_spread_over_countries() -> None:
    scenario = generate_scenario(skus=50, suppliers=10, seed=0)
    assert len({s.country for s in scenario.suppliers}) >= 3
    assert len({s.origin_port for s in scenario.suppliers}) >= 4


def test_critical_share() -> None:
    scenario = generate_scenario(skus=50, suppliers=5, critical_share=0.3, seed=0)
    assert sum(sku.critical for sku in scenario.skus) == 15
    single = generate_scenario(skus=10, suppliers=1, critical_share=0.5, seed=0)
    assert not any(sku.critical for sku in single.skus)


@pytest.mark.parametrize(
    "arguments",
    [
        {"skus": 0, "suppliers": 2},
        {"skus": 2, "suppliers": 0},
        {"skus": 2, "suppliers": 2, "modes": 0},
        {"skus": 2, "suppliers": 2, "modes": 6},
        {"skus": 2, "suppliers": 2, "periods": 0},
        {"skus": 2, "suppliers": 2, "offers_per_sku": (3, 2)},
        {"skus": 2, "suppliers": 2, "offers_per_sku": (0, 2)},
        {"skus": 2, "suppliers": 2, "tiers": 0},
        {"skus": 2, "suppliers": 2, "critical_share": 1.5},
    ],
)
def test_bad_sizes_are_refused(arguments: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        generate_scenario(**arguments)


# --------------------------------------------------------------------------- consistency


def _horizon_capacity(scenario: Scenario) -> dict[str, float]:
    """Units each supplier can make over the horizon, less its shutdowns."""
    start, end = scenario.horizon.start_date, scenario.horizon.end_date
    days = (end - start).days + 1
    lost: dict[str, float] = defaultdict(float)
    for shutdown in scenario.calendars:
        first, last = max(shutdown.start_date, start), min(shutdown.end_date, end)
        overlap = max((last - first).days + 1, 0)
        lost[shutdown.supplier] += overlap * (1.0 - shutdown.capacity_factor)
    return {
        s.supplier: s.capacity_units_per_week * (days - lost[s.supplier]) / 7.0
        for s in scenario.suppliers
    }


@pytest.mark.parametrize("size", SIZES, ids=_size_id)
def test_generated_scenario_is_consistent(size: dict[str, Any]) -> None:
    scenario = generate_scenario(**size, seed=9)
    offers = {(o.supplier, o.sku): o for o in scenario.offers}
    suppliers = {s.supplier: s for s in scenario.suppliers}

    for (supplier, sku), offer in offers.items():
        tiers = scenario.price_tiers(supplier, sku)
        assert tiers[0].min_qty_units == 0
        quantities = [t.min_qty_units for t in tiers]
        prices = [t.unit_price for t in tiers]
        assert quantities == sorted(set(quantities))
        assert all(later <= earlier for earlier, later in pairwise(prices))
        assert all(p > 0 for p in prices)
        if len(tiers) > 1:
            assert offer.moq_units <= tiers[1].min_qty_units
        for quantity in [offer.moq_units, *quantities]:
            assert quantity % offer.order_multiple_units == 0
        per_period = suppliers[supplier].capacity_units_per_week * (
            scenario.horizon.period_length_days / 7.0
        )
        assert offer.moq_units <= per_period
        assert scenario.duty_for(sku, suppliers[supplier].country) is not None
        assert scenario.sku(sku).selling_price > tiers[0].unit_price

    ports = {lane.origin_port for lane in scenario.lanes}
    assert all(s.origin_port in ports for s in scenario.suppliers)
    assert all(s.qualified or s.qualification_cost > 0 for s in scenario.suppliers)

    offering: dict[str, list[str]] = defaultdict(list)
    for supplier, sku in offers:
        offering[sku].append(supplier)
    if size["suppliers"] >= 2:
        assert all(len(offering[s.sku]) >= 2 for s in scenario.skus if s.critical)
    policy = scenario.risk_policy
    assert all(len(v) * policy.max_share_per_supplier >= 1.0 for v in offering.values())
    assert policy.min_backup_share_critical * policy.min_suppliers_critical <= 1.0

    capacity = _horizon_capacity(scenario)
    demand = {s.sku: sum(mean for mean, _ in scenario.demand_series(s.sku)) for s in scenario.skus}
    assert sum(capacity.values()) >= 1.5 * sum(demand.values())
    for sku, units in demand.items():
        assert sum(capacity[s] for s in offering[sku]) >= 1.5 * units, sku

    assert scenario_problems(scenario) == []


def test_written_and_read_back_unchanged(tmp_path: Path) -> None:
    scenario = generate_scenario(skus=25, suppliers=5, modes=5, seed=8)
    write_scenario(scenario, tmp_path / "folder")
    assert load(tmp_path / "folder").scenario == scenario
    assert load(tmp_path / "folder", "primary-down").scenario != scenario


@pytest.mark.slow
def test_large_scenario_is_fast() -> None:
    started = time.perf_counter()
    scenario = generate_scenario(skus=2000, suppliers=20, seed=0)
    elapsed = time.perf_counter() - started
    assert len(scenario.skus) == 2000
    assert elapsed < 5.0, f"2000 SKUs x 20 suppliers took {elapsed:.1f} s"


# --------------------------------------------------------------------------- the examples


def _settings(folder: Path) -> dict[str, Any]:
    settings = yaml.safe_load((folder / "scenario.yaml").read_text(encoding="utf-8"))
    assert isinstance(settings, dict)
    return settings


def _table_paths(folder: Path) -> dict[str, Path]:
    listed = _settings(folder).get("tables") or {}
    paths = {name: folder / str(listed.get(name, f"{name}.csv")) for name in TABLE_NAMES}
    return {name: path for name, path in paths.items() if path.is_file()}


@pytest.mark.parametrize("folder", EXAMPLES, ids=lambda p: p.name)
def test_example_settings_validate(folder: Path) -> None:
    settings = _settings(folder)
    settings.pop("tables", None)
    parsed = Settings.model_validate(settings)
    assert parsed.name == folder.name


@pytest.mark.parametrize("folder", EXAMPLES, ids=lambda p: p.name)
def test_example_tables_validate_row_by_row(folder: Path) -> None:
    paths = _table_paths(folder)
    assert set(paths) >= REQUIRED_TABLES
    for name, path in paths.items():
        model = ROW_MODELS[name]
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert list(frame.columns) == list(model.model_fields), path.name
        assert len(frame) > 0, path.name
        for record in frame.to_dict(orient="records"):
            model.model_validate({k: v for k, v in record.items() if v.strip() != ""})


@pytest.mark.slow
@pytest.mark.parametrize("folder", EXAMPLES, ids=lambda p: p.name)
def test_example_loads_clean_under_every_what_if(folder: Path) -> None:
    base = load(folder)
    assert base.warnings == []
    names = [*base.scenario.scenarios, *base.scenario.overrides]
    assert names
    for name in names:
        loaded = load(folder, name)
        assert loaded.changes, name
        assert loaded.warnings == [], name


def test_dtc_brand_tells_its_story() -> None:
    scenario = load(DTC_BRAND).scenario
    assert len(scenario.skus) == 5
    assert sum(sku.critical for sku in scenario.skus) == 2
    assert (scenario.horizon.periods, scenario.horizon.period_length_days) == (26, 7)
    assert scenario.horizon.start_date <= dt.date(2027, 2, 6) <= scenario.horizon.end_date
    kinds = {s.supplier: s.kind for s in scenario.suppliers}
    assert kinds == {"GZ-01": "factory", "HCM-01": "factory", "YW-TC": "trading_company"}
    assert {lane.mode for lane in scenario.lanes} == {"sea_fcl", "sea_lcl", "air", "express"}
    assert {o.price_break_type for o in scenario.offers} == {"all_units", "incremental"}
    shut = {c.supplier for c in scenario.calendars if c.capacity_factor < 1}
    assert {"GZ-01", "HCM-01"} <= shut
    assert {d.sku for d in scenario.demand} == {"BTL-750"}
    assert {"primary-down", "planner-splits", "tariff-shock", "direct"} <= set(scenario.scenarios)
    tariff = load(DTC_BRAND, "tariff-shock").scenario
    assert all(d.extra_tariff_rate == 0.5 for d in tariff.duties if d.origin_country == "CN")


def test_midsize_portfolio_shape() -> None:
    scenario = load(MIDSIZE).scenario
    assert len(scenario.skus) == 40
    assert 8 <= sum(sku.critical for sku in scenario.skus) <= 10
    assert len({sku.sku.split("-")[0] for sku in scenario.skus}) >= 4
    assert len(scenario.suppliers) == 7
    countries = Counter(s.country for s in scenario.suppliers)
    assert countries["CN"] == 3 and countries["VN"] == 2 and len(countries) >= 4
    assert any(s.kind == "trading_company" for s in scenario.suppliers)
    assert "rail" in {lane.mode for lane in scenario.lanes}
    assert (scenario.horizon.periods, scenario.horizon.period_length_days) == (12, 30)
