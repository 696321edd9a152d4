"""Shared fixtures: a tiny base scenario (2 suppliers x 2 SKUs x 2 periods) and the examples."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from engine.scenario.schema import (
    Duty,
    Finance,
    Horizon,
    Lane,
    Offer,
    PriceBreak,
    Scenario,
    Shutdown,
    Sku,
    Supplier,
)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "scenarios"
DTC_BRAND = EXAMPLES / "dtc-brand"
MIDSIZE = EXAMPLES / "midsize-portfolio"


# Hypothesis: the "ci" profile draws the same examples on every run (derandomized, no example
# database), so CI passes or fails on the code alone; it is chosen by HYPOTHESIS_PROFILE
# (.ci/run sets it) or, failing that, by the CI variable most CI services set. A developer's
# run keeps Hypothesis's default random search.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default")
)

# A test that uses one of these fixtures carries the marker, whoever writes it (pyproject.toml
# registers the markers; ``pytest -m "not slow and not browser and not dask"`` runs the fast tests).
MARKER_OF_FIXTURE = {"browser": "browser", "dask_client": "dask"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        for fixture, marker in MARKER_OF_FIXTURE.items():
            if fixture in used:
                item.add_marker(marker)


def tiny_scenario() -> Scenario:
    """Two SKUs, a Chinese and a Vietnamese factory, sea and air from each, two weeks."""
    return Scenario(
        name="tiny",
        description="2 suppliers x 2 SKUs x 2 periods",
        horizon=Horizon(start_date=dt.date(2027, 1, 4), periods=2, period_length_days=7),
        finance=Finance(annual_cost_of_capital=0.12, opening_cash=50_000.0),
        overrides={"cn-down": {"suppliers.CN-1.capacity_units_per_week": 0}},
        scenarios={"primary-down": ("cn-down",)},
        skus=(
            Sku(
                sku="A",
                selling_price=20.0,
                unit_weight_kg=1.0,
                unit_volume_cbm=0.01,
                holding_cost_rate_annual=0.25,
                critical=True,
                demand_mean_units_per_period=100.0,
            ),
            Sku(
                sku="B",
                selling_price=35.0,
                unit_weight_kg=2.0,
                unit_volume_cbm=0.02,
                holding_cost_rate_annual=0.25,
                demand_mean_units_per_period=50.0,
                demand_std_units_per_period=10.0,
            ),
        ),
        suppliers=(
            Supplier(
                supplier="CN-1",
                country="CN",
                origin_port="CNYTN",
                capacity_units_per_week=1000.0,
                production_lead_time_days_mean=30.0,
                deposit_share=0.3,
            ),
            Supplier(
                supplier="VN-1",
                country="VN",
                origin_port="VNSGN",
                capacity_units_per_week=500.0,
                production_lead_time_days_mean=35.0,
                deposit_share=0.3,
                balance_days_after_shipment=30,
            ),
        ),
        offers=(
            Offer(supplier="CN-1", sku="A", moq_units=100.0),
            Offer(supplier="VN-1", sku="A", moq_units=200.0, tooling_cost=1500.0),
            Offer(
                supplier="CN-1", sku="B", price_break_type="incremental", order_multiple_units=10.0
            ),
        ),
        price_breaks=(
            PriceBreak(supplier="CN-1", sku="A", min_qty_units=0.0, unit_price=5.0),
            PriceBreak(supplier="CN-1", sku="A", min_qty_units=500.0, unit_price=4.5),
            PriceBreak(supplier="VN-1", sku="A", min_qty_units=0.0, unit_price=5.5),
            PriceBreak(supplier="CN-1", sku="B", min_qty_units=0.0, unit_price=9.0),
        ),
        lanes=(
            Lane(
                lane="CN-SEA",
                origin_port="CNYTN",
                mode="sea_lcl",
                cost_per_cbm=120.0,
                cost_per_shipment=150.0,
                transit_days_mean=35.0,
            ),
            Lane(
                lane="CN-AIR",
                origin_port="CNYTN",
                mode="air",
                cost_per_kg=6.0,
                volumetric_factor_kg_per_cbm=167.0,
                transit_days_mean=8.0,
            ),
            Lane(
                lane="VN-SEA",
                origin_port="VNSGN",
                mode="sea_lcl",
                cost_per_cbm=110.0,
                cost_per_shipment=150.0,
                transit_days_mean=30.0,
            ),
        ),
        duties=(
            Duty(sku="*", origin_country="CN", duty_rate=0.05, extra_tariff_rate=0.25),
            Duty(sku="*", origin_country="VN", duty_rate=0.05),
        ),
        calendars=(
            Shutdown(
                supplier="CN-1",
                start_date=dt.date(2027, 1, 30),
                end_date=dt.date(2027, 2, 20),
                reason="Chinese New Year",
            ),
        ),
    )


@pytest.fixture
def tiny() -> Scenario:
    return tiny_scenario()


@pytest.fixture(autouse=True, scope="session")
def _private_run_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Commands save runs to the run store: keep them out of the user's real store."""
    path = tmp_path_factory.mktemp("run-store") / "runs.sqlite"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCING_RUN_STORE", str(path))
        patch.delenv("SOURCING_SCHEDULER", raising=False)  # never a developer's cluster
        yield path


@pytest.fixture(scope="module")
def dask_client() -> Iterator[Any]:
    """One LocalCluster of two single-threaded worker processes per test module."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster, set_as_default=False) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def typer_command_built_once() -> Iterator[None]:
    """Typer rebuilds the click command on every ``CliRunner.invoke`` (half the time of a quick
    command): build it once per module, for modules that invoke it hundreds of times."""
    import functools

    import typer.testing

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typer.testing, "_get_command", functools.cache(typer.testing._get_command))
        yield
