"""Cross-table and sanity checks: a clean base scenario, then one edit per check (as data)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from engine.scenario.checks import CHECKS, scenario_problems
from engine.scenario.errors import Problem, Severity
from engine.scenario.schema import (
    DemandRow,
    DemandSpike,
    Duty,
    Finance,
    Horizon,
    InTransit,
    Lane,
    Offer,
    PortDelay,
    PriceBreak,
    RiskPolicy,
    Scenario,
    ShippingMode,
    Shutdown,
    Sku,
    Supplier,
    SupplierShutdown,
    TariffChange,
)

ERROR = Severity.ERROR
WARNING = Severity.WARNING

Edit = Callable[[Scenario], Scenario]


def base() -> Scenario:
    """Two SKUs (A critical), a Chinese and a Vietnamese factory, 12 weeks from 2027-01-04.

    Row numbers (header = 1): skus A 2, B 3; suppliers CN-1 2, VN-1 3; offers CN-1:A 2,
    VN-1:A 3, CN-1:B 4, VN-1:B 5; price_breaks CN-1:A@0 2, CN-1:A@500 3, VN-1:A 4, CN-1:B 5,
    VN-1:B 6; duties *:CN 2, *:VN 3, A:CN from 2027-02-01 4.
    """
    return Scenario(
        name="checks-base",
        horizon=Horizon(start_date=dt.date(2027, 1, 4), periods=12, period_length_days=7),
        finance=Finance(annual_cost_of_capital=0.12),
        risk_policy=RiskPolicy(
            max_share_per_supplier=0.8,
            max_share_per_region={"Guangdong": 0.9, "VN": 0.6},
            min_backup_share_critical=0.2,
            min_suppliers_critical=2,
            max_lead_time_days=90.0,
            fixed_splits={"B": {"CN-1": 0.7, "VN-1": 0.3}},
        ),
        disruptions=(
            SupplierShutdown(
                kind="supplier_shutdown", supplier="CN-1", start_day=28, length_days=30
            ),
            PortDelay(
                kind="port_delay", origin_port="CNYTN", start_day=0, length_days=14, extra_days=10.0
            ),
            DemandSpike(kind="demand_spike", sku="A", start_day=0, length_days=14, factor=1.5),
            TariffChange(
                kind="tariff_change", origin_country="VN", start_day=42, extra_tariff_rate=0.1
            ),
        ),
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
                opening_stock_units=100.0,
                demand_mean_units_per_period=50.0,
                demand_std_units_per_period=10.0,
            ),
        ),
        suppliers=(
            Supplier(
                supplier="CN-1",
                country="CN",
                region="Guangdong",
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
                qualified=False,
                qualification_cost=5000.0,
            ),
        ),
        offers=(
            Offer(supplier="CN-1", sku="A", moq_units=200.0),
            Offer(supplier="VN-1", sku="A", moq_units=300.0, tooling_cost=1500.0),
            Offer(supplier="CN-1", sku="B", moq_units=100.0, order_multiple_units=10.0),
            Offer(supplier="VN-1", sku="B", moq_units=100.0),
        ),
        price_breaks=(
            PriceBreak(supplier="CN-1", sku="A", min_qty_units=0.0, unit_price=5.0),
            PriceBreak(supplier="CN-1", sku="A", min_qty_units=500.0, unit_price=4.5),
            PriceBreak(supplier="VN-1", sku="A", min_qty_units=0.0, unit_price=5.5),
            PriceBreak(supplier="CN-1", sku="B", min_qty_units=0.0, unit_price=9.0),
            PriceBreak(supplier="VN-1", sku="B", min_qty_units=0.0, unit_price=9.5),
        ),
        lanes=(
            Lane(
                lane="CN-SEA",
                origin_port="CNYTN",
                mode=ShippingMode.SEA_LCL,
                cost_per_cbm=120.0,
                transit_days_mean=35.0,
            ),
            Lane(
                lane="CN-AIR",
                origin_port="CNYTN",
                mode=ShippingMode.AIR,
                cost_per_kg=6.0,
                volumetric_factor_kg_per_cbm=167.0,
                transit_days_mean=8.0,
            ),
            Lane(
                lane="VN-SEA",
                origin_port="VNSGN",
                mode=ShippingMode.SEA_LCL,
                cost_per_cbm=110.0,
                transit_days_mean=30.0,
            ),
        ),
        duties=(
            Duty(sku="*", origin_country="CN", duty_rate=0.05, extra_tariff_rate=0.25),
            Duty(sku="*", origin_country="VN", duty_rate=0.05),
            Duty(
                sku="A",
                origin_country="CN",
                duty_rate=0.05,
                extra_tariff_rate=0.5,
                effective_from=dt.date(2027, 2, 1),
            ),
        ),
        calendars=(
            Shutdown(
                supplier="CN-1",
                start_date=dt.date(2027, 2, 6),
                end_date=dt.date(2027, 2, 14),
                reason="Chinese New Year",
            ),
        ),
        demand=(
            DemandRow(sku="B", period=1, mean_units=80.0),
            DemandRow(sku="B", period=2, mean_units=60.0),
        ),
        in_transit=(InTransit(sku="A", supplier="CN-1", quantity_units=300.0, arrival_period=2),),
    )


# --------------------------------------------------------------------------- edits


def _replace(table: str, index: int, **changes: Any) -> Edit:
    """Change cells of one row."""

    def edit(scenario: Scenario) -> Scenario:
        rows = list(getattr(scenario, table))
        rows[index] = rows[index].model_copy(update=changes)
        return scenario.model_copy(update={table: tuple(rows)})

    return edit


def _append(table: str, *new: Any) -> Edit:
    """Add rows at the end of a table."""

    def edit(scenario: Scenario) -> Scenario:
        return scenario.model_copy(update={table: (*getattr(scenario, table), *new)})

    return edit


def _drop(table: str, index: int) -> Edit:
    """Delete one row."""

    def edit(scenario: Scenario) -> Scenario:
        rows = list(getattr(scenario, table))
        del rows[index]
        return scenario.model_copy(update={table: tuple(rows)})

    return edit


def _policy(**changes: Any) -> Edit:
    """Change risk_policy settings."""

    def edit(scenario: Scenario) -> Scenario:
        policy = scenario.risk_policy.model_copy(update=changes)
        return scenario.model_copy(update={"risk_policy": policy})

    return edit


def _disruption(index: int, **changes: Any) -> Edit:
    """Change one disruption."""

    def edit(scenario: Scenario) -> Scenario:
        events = list(scenario.disruptions)
        events[index] = events[index].model_copy(update=changes)
        return scenario.model_copy(update={"disruptions": tuple(events)})

    return edit


def _chain(*edits: Edit) -> Edit:
    def edit(scenario: Scenario) -> Scenario:
        for step in edits:
            scenario = step(scenario)
        return scenario

    return edit


def _sku(code: str, **fields: Any) -> Sku:
    values: dict[str, Any] = {
        "selling_price": 20.0,
        "unit_weight_kg": 1.0,
        "unit_volume_cbm": 0.01,
        "holding_cost_rate_annual": 0.25,
    }
    return Sku(sku=code, **(values | fields))


def _supplier(code: str, **fields: Any) -> Supplier:
    values: dict[str, Any] = {
        "country": "CN",
        "region": "Guangdong",
        "origin_port": "CNYTN",
        "capacity_units_per_week": 800.0,
        "production_lead_time_days_mean": 30.0,
        "deposit_share": 0.3,
    }
    return Supplier(supplier=code, **(values | fields))


def _texts(problems: list[Problem]) -> list[str]:
    return [str(problem) for problem in problems]


# --------------------------------------------------------------------------- tests


def test_base_scenario_has_no_problems() -> None:
    assert scenario_problems(base()) == []


def test_every_check_is_a_small_named_function() -> None:
    assert all(callable(check) and check.__doc__ for check in CHECKS)


CASES: list[tuple[str, Edit, Severity, list[str], int]] = [
    # (name, edit of the base, severity, fragments of one problem, number of problems)
    # ---- errors: duplicate keys
    (
        "duplicate SKU",
        _append("skus", _sku("A", demand_mean_units_per_period=1.0)),
        ERROR,
        ["skus.csv, row 4, field 'sku'", "SKU A is listed twice (also row 2)", "one row per sku"],
        1,
    ),
    (
        "two tiers at one quantity",
        _append(
            "price_breaks",
            PriceBreak(supplier="CN-1", sku="A", min_qty_units=500.0, unit_price=4.4),
        ),
        ERROR,
        [
            "price_breaks.csv, row 7, field 'supplier, sku, min_qty_units'",
            "the tier at 500 units of supplier CN-1's offer for SKU A is listed twice (also row 3)",
        ],
        1,
    ),
    # ---- errors: unknown references
    (
        "offer for unknown SKU",
        _chain(
            _append("offers", Offer(supplier="CN-1", sku="Z")),
            _append(
                "price_breaks",
                PriceBreak(supplier="CN-1", sku="Z", min_qty_units=0.0, unit_price=1.0),
            ),
        ),
        ERROR,
        ["offers.csv, row 6, field 'sku'", "unknown SKU 'Z'", "a SKU code from skus.csv: A, B"],
        2,
    ),
    (
        "price break for unknown supplier",
        _append(
            "price_breaks", PriceBreak(supplier="XX-9", sku="A", min_qty_units=0.0, unit_price=1.0)
        ),
        ERROR,
        ["price_breaks.csv, row 7, field 'supplier'", "unknown supplier 'XX-9'", "CN-1, VN-1"],
        1,
    ),
    (
        "demand for unknown SKU",
        _append("demand", DemandRow(sku="Z", period=1, mean_units=5.0)),
        ERROR,
        ["demand.csv, row 4, field 'sku'", "unknown SKU 'Z'"],
        1,
    ),
    (
        "in transit from unknown supplier",
        _replace("in_transit", 0, supplier="XX-9"),
        ERROR,
        ["in_transit.csv, row 2, field 'supplier'", "unknown supplier 'XX-9'"],
        1,
    ),
    (
        "duty on unknown SKU",
        _replace("duties", 2, sku="Z"),
        ERROR,
        ["duties.csv, row 4, field 'sku'", "unknown SKU 'Z'", "or * for every SKU"],
        1,
    ),
    (
        "shutdown of unknown supplier",
        _replace("calendars", 0, supplier="XX-9"),
        ERROR,
        ["calendars.csv, row 2, field 'supplier'", "unknown supplier 'XX-9'"],
        1,
    ),
    (
        "price break without an offer",
        _chain(
            _drop("offers", 3),
            _policy(fixed_splits={}, max_share_per_supplier=1.0, max_share_per_region={}),
        ),
        ERROR,
        [
            "price_breaks.csv, row 6, field 'supplier, sku'",
            "a price of supplier VN-1 for SKU B, but offers.csv has no offer of VN-1 for B",
        ],
        1,
    ),
    (
        "offer with no price breaks",
        _drop("price_breaks", 4),
        ERROR,
        [
            "offers.csv, row 5, field 'supplier, sku'",
            "the offer of supplier VN-1 for SKU B has no price",
        ],
        1,
    ),
    (
        "supplier with no lane",
        _replace("suppliers", 1, origin_port="VNHPH"),
        ERROR,
        [
            "suppliers.csv, row 3, field 'origin_port'",
            "supplier with no lane",
            "port VNHPH",
            "a port that lanes.csv ships from (CNYTN, VNSGN), or a lane from VNHPH",
        ],
        1,
    ),
    (
        "unused supplier with no lane",
        _append("suppliers", _supplier("VN-2", country="VN", region="", origin_port="VNHPH")),
        WARNING,
        ["suppliers.csv, row 4, field 'origin_port'", "it has no offer"],
        1,
    ),
    (
        "disruption of unknown supplier",
        _disruption(0, supplier="XX-9"),
        ERROR,
        [
            "scenario.yaml, field 'disruptions.0.supplier'",
            "supplier_shutdown of unknown supplier 'XX-9'",
        ],
        1,
    ),
    (
        "port delay at unknown port",
        _disruption(1, origin_port="USLAX"),
        ERROR,
        [
            "scenario.yaml, field 'disruptions.1.origin_port'",
            "port_delay at port 'USLAX'",
            "CNYTN, VNSGN",
        ],
        1,
    ),
    (
        "demand spike of unknown SKU",
        _disruption(2, sku="Z"),
        ERROR,
        ["field 'disruptions.2.sku'", "demand_spike for unknown SKU 'Z'"],
        1,
    ),
    (
        "fixed split of unknown SKU",
        _policy(fixed_splits={"B": {"CN-1": 0.7, "VN-1": 0.3}, "Z": {"CN-1": 1.0}}),
        ERROR,
        ["scenario.yaml, field 'risk_policy.fixed_splits.Z'", "unknown SKU 'Z'"],
        1,
    ),
    (
        "fixed split naming unknown supplier",
        _policy(fixed_splits={"B": {"CN-1": 0.7, "XX-9": 0.3}}),
        ERROR,
        ["field 'risk_policy.fixed_splits.B.XX-9'", "names unknown supplier 'XX-9'"],
        1,
    ),
    (
        "region cap matching no supplier",
        _policy(max_share_per_region={"Guangdong": 0.9, "VN": 0.6, "CN": 0.5}),
        ERROR,
        [
            "field 'risk_policy.max_share_per_region.CN'",
            "region 'CN', which no supplier is in",
            "its country when region is blank: Guangdong, VN",
        ],
        1,
    ),
    # ---- errors: values
    (
        "first tier above the MOQ",
        _replace("price_breaks", 0, min_qty_units=250.0),
        ERROR,
        [
            "price_breaks.csv, row 2, field 'min_qty_units'",
            "first tier of supplier CN-1's offer for SKU A starts at 250 units, above its MOQ of "
            "200 units",
            "a first tier at 0 units (or at most the MOQ)",
        ],
        1,
    ),
    (
        "demand after the horizon",
        _append("demand", DemandRow(sku="B", period=13, mean_units=5.0)),
        ERROR,
        [
            "demand.csv, row 4, field 'period'",
            "in period 13, after the horizon's last period 12",
            "a period from 1 to 12",
        ],
        1,
    ),
    (
        "SKU with no demand",
        _replace("skus", 0, demand_mean_units_per_period=None),
        ERROR,
        ["skus.csv, row 2, field 'demand_mean_units_per_period'", "SKU A has no demand"],
        1,
    ),
    (
        "arrival after the horizon",
        _replace("in_transit", 0, arrival_period=14),
        ERROR,
        [
            "in_transit.csv, row 2, field 'arrival_period'",
            "300 units of SKU A from supplier CN-1 arriving in period 14",
        ],
        1,
    ),
    (
        "shutdown ending before it starts",
        _replace("calendars", 0, end_date=dt.date(2027, 2, 1)),
        ERROR,
        ["calendars.csv, row 2, field 'end_date'", "ends 2027-02-01, before it starts 2027-02-06"],
        1,
    ),
    # ---- errors: share policy
    (
        "fixed split not adding up to 1",
        _policy(fixed_splits={"B": {"CN-1": 0.7, "VN-1": 0.2}}),
        ERROR,
        [
            "scenario.yaml, field 'risk_policy.fixed_splits.B'",
            "adds up to 0.9 (CN-1 0.7 + VN-1 0.2)",
            "shares that add up to 1",
        ],
        1,
    ),
    (
        "fixed split to a supplier with no offer",
        _chain(
            _append("suppliers", _supplier("CN-2")),
            _policy(fixed_splits={"B": {"CN-1": 0.7, "CN-2": 0.3}}),
        ),
        ERROR,
        [
            "field 'risk_policy.fixed_splits.B.CN-2'",
            "gives supplier CN-2 0.3 of SKU B",
            "CN-2 has no offer for B",
            "offers.csv: CN-1, VN-1",
        ],
        1,
    ),
    (
        "supplier cap too low",
        _policy(max_share_per_supplier=0.45),
        ERROR,
        [
            "field 'risk_policy.max_share_per_supplier'",
            "SKU A has 2 suppliers with an offer (CN-1, VN-1); at most 0.45 each covers only 0.9",
            "at least 0.5 (1 / 2)",
        ],
        2,
    ),
    (
        "critical SKU with one supplier",
        _chain(_drop("offers", 1), _drop("price_breaks", 2)),
        ERROR,
        [
            "skus.csv, row 2, field 'critical'",
            "critical SKU A has one supplier with an offer: CN-1",
            "at least 2 suppliers with an offer",
        ],
        3,
    ),
    (
        "backup shares above 1",
        _policy(min_backup_share_critical=0.6),
        ERROR,
        [
            "field 'risk_policy.min_backup_share_critical'",
            "critical SKUs (A) need at least 2 "
            "suppliers with at least 0.6 each, 1.2 of their volume",
            "at most 0.5",
        ],
        1,
    ),
    (
        "region caps below 1",
        _policy(max_share_per_region={"Guangdong": 0.5, "VN": 0.4}),
        ERROR,
        [
            "field 'risk_policy.max_share_per_region'",
            "every supplier of SKU B is in a capped "
            "region: Guangdong 0.5 (CN-1), VN 0.4 (VN-1); together they allow only 0.9",
        ],
        2,
    ),
    # ---- errors: capacity and lead time
    (
        "MOQ above the horizon's capacity",
        _replace("offers", 1, moq_units=7000.0),
        ERROR,
        [
            "offers.csv, row 3, field 'moq_units'",
            "an MOQ of 7,000 units for SKU A",
            "500 units per week x 84 days = 6,000 units",
        ],
        1,
    ),
    (
        "no offer within the lead-time limit",
        _policy(max_lead_time_days=35.0),
        ERROR,
        [
            "field 'risk_policy.max_lead_time_days'",
            "every offer for SKU A takes longer than 35 days: the fastest is supplier CN-1 by "
            "lane CN-AIR, 30 production + 8 transit = 38 days",
        ],
        2,
    ),
    # ---- warnings
    (
        "SKU demand above its suppliers' capacity",
        _replace("skus", 0, demand_mean_units_per_period=2000.0),
        WARNING,
        [
            "skus.csv, row 2, field 'sku'",
            "SKU A needs 23,700 units over the horizon "
            "(12 periods of 7 days): demand 24,000 units less 300 units on hand or in transit",
            "its suppliers (CN-1, VN-1) can make 16,714.29 units after shutdowns",
        ],
        2,
    ),
    (
        "total demand above capacity",
        _replace("skus", 0, demand_mean_units_per_period=2000.0),
        WARNING,
        [
            "suppliers.csv, field 'capacity_units_per_week'",
            "the SKUs need 24,240 units",
            "can make 16,714.29 units in it (CN-1 10,714.29, VN-1 6,000, after shutdowns)",
        ],
        2,
    ),
    (
        "MOQ above one period's capacity",
        _replace("offers", 1, moq_units=600.0),
        WARNING,
        [
            "offers.csv, row 3, field 'moq_units'",
            "an MOQ of 600 units for SKU A, more than "
            "supplier VN-1 makes in one period (500 units in 7 days)",
        ],
        1,
    ),
    (
        "price rising with quantity",
        _replace("price_breaks", 1, unit_price=5.2),
        WARNING,
        [
            "price_breaks.csv, row 3, field 'unit_price'",
            "costs 5.20 USD, more than the 5.00 USD of the tier at 0 units",
        ],
        1,
    ),
    (
        "no duty row",
        _replace("duties", 1, sku="B"),
        WARNING,
        [
            "offers.csv, row 3, field 'supplier, sku'",
            "no duty row for SKU A from VN (supplier VN-1): duty is taken as 0",
        ],
        1,
    ),
    (
        "duty only from a later date",
        _chain(_drop("duties", 2), _replace("duties", 0, effective_from=dt.date(2027, 2, 1))),
        WARNING,
        [
            "offers.csv, row 2",
            "no duty row for SKU A from CN (supplier CN-1) in effect "
            "at the horizon start 2027-01-04 (the first takes effect 2027-02-01)",
        ],
        2,
    ),
    (
        "selling price below factory price",
        _replace("skus", 1, selling_price=8.0),
        WARNING,
        [
            "skus.csv, row 3, field 'selling_price'",
            "SKU B sells at 8.00 USD, below its cheapest "
            "factory price 9.00 USD (supplier CN-1, tier at 0 units)",
        ],
        1,
    ),
    (
        "free qualification",
        _replace("suppliers", 1, qualification_cost=0.0),
        WARNING,
        [
            "suppliers.csv, row 3, field 'qualification_cost'",
            "supplier VN-1 is not qualified, but qualifying it costs 0.00 USD",
        ],
        1,
    ),
]


@pytest.mark.parametrize(
    ("edit", "severity", "fragments", "count"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_check_reports_problem(
    edit: Edit, severity: Severity, fragments: list[str], count: int
) -> None:
    problems = scenario_problems(edit(base()))
    matches = [p for p in problems if all(fragment in str(p) for fragment in fragments)]
    assert len(matches) == 1, _texts(problems)
    assert matches[0].severity is severity
    assert len(problems) == count, _texts(problems)


FINE: list[tuple[str, Edit]] = [
    ("first tier at the MOQ", _replace("price_breaks", 0, min_qty_units=200.0)),
    ("shutdown of one day", _replace("calendars", 0, end_date=dt.date(2027, 2, 6))),
    (
        "shares adding up within rounding",
        _policy(fixed_splits={"B": {"CN-1": 0.7, "VN-1": 0.3000000001}}),
    ),
    (
        "region cap by country when region is blank",
        _policy(max_share_per_region={"Guangdong": 0.9, "VN": 0.1}),
    ),
    (
        "duty-free on a DDP lane",
        _chain(_drop("duties", 1), _replace("lanes", 2, duty_included=True)),
    ),
    ("lead time exactly at the limit", _policy(max_lead_time_days=38.0)),
    (
        "unused unqualified supplier with a lane",
        _append("suppliers", _supplier("CN-3", qualified=False, qualification_cost=100.0)),
    ),
]


@pytest.mark.parametrize("edit", [pytest.param(case[1], id=case[0]) for case in FINE])
def test_edit_within_the_rules_is_clean(edit: Edit) -> None:
    assert _texts(scenario_problems(edit(base()))) == []


def test_supplier_switched_off_is_not_an_moq_error() -> None:
    """A what-if that sets a capacity to 0 leaves the offer unused, not the scenario broken."""
    scenario = _replace("suppliers", 0, capacity_units_per_week=0.0)(base())
    assert _texts(scenario_problems(scenario)) == []  # VN-1 still covers the demand


def test_several_problems_are_all_reported_in_table_order() -> None:
    scenario = _chain(
        _policy(fixed_splits={"B": {"CN-1": 0.5, "VN-1": 0.3}}),
        _append("skus", _sku("A", demand_mean_units_per_period=1.0)),
        _replace("suppliers", 1, qualification_cost=0.0),
        _replace("offers", 1, moq_units=7000.0),
        _replace("price_breaks", 1, unit_price=5.2),
        _append("demand", DemandRow(sku="B", period=13, mean_units=5.0)),
    )(base())
    problems = scenario_problems(scenario)
    assert [(p.source, p.row, p.field, p.severity) for p in problems] == [
        ("scenario.yaml", None, "risk_policy.fixed_splits.B", ERROR),
        ("skus.csv", 4, "sku", ERROR),
        ("suppliers.csv", 3, "qualification_cost", WARNING),
        ("offers.csv", 3, "moq_units", ERROR),
        ("price_breaks.csv", 3, "unit_price", WARNING),
        ("demand.csv", 4, "period", ERROR),
    ]


def test_sources_and_row_numbers_name_the_users_file_and_row() -> None:
    scenario = _chain(
        _replace("offers", 1, moq_units=7000.0),
        _policy(min_backup_share_critical=0.6),
    )(base())
    problems = scenario_problems(
        scenario,
        sources={"offers": "book.xlsx[offers]", "settings": "book.xlsx[settings]"},
        row_numbers={"offers": [10, 12, 14, 16]},
    )
    assert _texts(problems) == [
        "error: book.xlsx[settings], field 'risk_policy.min_backup_share_critical': critical "
        "SKUs (A) need at least 2 suppliers with at least 0.6 each, 1.2 of their volume; "
        "min_backup_share_critical x min_suppliers_critical at most 1: a "
        "min_backup_share_critical of at most 0.5",
        "error: book.xlsx[offers], row 12, field 'moq_units': an MOQ of 7,000 units for SKU A, "
        "more than supplier VN-1 can make over the whole horizon (500 units per week x 84 days "
        "= 6,000 units); an MOQ of at most 6,000 units, or more capacity_units_per_week for "
        "VN-1, or a longer horizon",
    ]


def test_shutdown_outside_the_horizon_does_not_reduce_capacity() -> None:
    late = _replace("calendars", 0, start_date=dt.date(2027, 6, 1), end_date=dt.date(2027, 6, 30))
    scenario = _chain(late, _replace("skus", 0, demand_mean_units_per_period=2000.0))(base())
    texts = _texts(scenario_problems(scenario))
    assert any("can make 18,000 units" in text for text in texts), texts
