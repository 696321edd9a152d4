"""Named what-if overrides: dotted keys, row keys, merge order, conflicts and error messages."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from engine.scenario.errors import ScenarioError
from engine.scenario.overrides import (
    DELETED,
    NEW_ROW,
    UNSET,
    Change,
    apply_override,
    parse_set_values,
    resolve_scenario,
)
from engine.scenario.raw import RawScenario, RawTable
from engine.scenario.schema import ROW_MODELS, Settings


def _table(name: str, rows: list[dict[str, Any]]) -> RawTable:
    columns = list(dict.fromkeys(column for row in rows for column in row))
    return RawTable(
        name=name,
        source=f"{name}.csv",
        rows=rows,
        row_numbers=list(range(2, len(rows) + 2)),
        columns=columns,
    )


@pytest.fixture
def raw() -> RawScenario:
    """A tiny base: 2 suppliers x 2 SKUs, CSV cells as text, plus overrides and scenarios."""
    settings: dict[str, Any] = {
        "name": "tiny",
        "horizon": {"start_date": "2025-01-06", "periods": 2},
        "finance": {"annual_cost_of_capital": 0.12},
        "risk_policy": {"max_share_per_supplier": 0.8},
        "disruptions": [
            {"kind": "supplier_shutdown", "supplier": "GZ-01", "start_day": 0, "length_days": 7}
        ],
        "overrides": {
            "gz-shutdown": {"suppliers.GZ-01.capacity_units_per_week": 0},
            "cheap-capital": {"finance.annual_cost_of_capital": 0.08},
            "split-70-30": {"risk_policy.fixed_splits.SKU-A": {"GZ-01": 0.7, "HCM-01": 0.3}},
            "costly-capital": {"finance.annual_cost_of_capital": 0.2},
        },
        "scenarios": {
            "stress-gz": ["gz-shutdown", "cheap-capital"],
            "capital-clash": ["cheap-capital", "costly-capital"],
        },
    }
    supplier = {
        "country": "CN",
        "origin_port": "YTN",
        "production_lead_time_days_mean": "30",
        "deposit_share": "0.3",
    }
    tables = {
        "skus": _table(
            "skus",
            [
                {"sku": "SKU-A", "selling_price": "20", "unit_weight_kg": "0.5",
                 "unit_volume_cbm": "0.002", "holding_cost_rate_annual": "0.25"},
                {"sku": "SKU-B", "selling_price": "30", "unit_weight_kg": "0.8",
                 "unit_volume_cbm": "0.003", "holding_cost_rate_annual": "0.25"},
            ],
        ),
        "suppliers": _table(
            "suppliers",
            [
                {"supplier": "GZ-01", **supplier, "capacity_units_per_week": "1200"},
                {"supplier": "HCM-01", **supplier, "country": "VN", "origin_port": "SGN",
                 "capacity_units_per_week": "800"},
            ],
        ),
        "offers": _table(
            "offers",
            [
                {"supplier": s, "sku": k, "moq_units": "100"}
                for s in ("GZ-01", "HCM-01")
                for k in ("SKU-A", "SKU-B")
            ],
        ),
        "price_breaks": _table(
            "price_breaks",
            [
                {"supplier": "GZ-01", "sku": "SKU-A", "min_qty_units": "0", "unit_price": "5"},
                {"supplier": "GZ-01", "sku": "SKU-A", "min_qty_units": "500", "unit_price": "4.5"},
                {"supplier": "HCM-01", "sku": "SKU-A", "min_qty_units": "0", "unit_price": "5.5"},
            ],
        ),
        "duties": _table(
            "duties",
            [
                {"sku": "*", "origin_country": "CN", "duty_rate": "0.1"},
                {"sku": "*", "origin_country": "CN", "duty_rate": "0.1",
                 "extra_tariff_rate": "0.25", "effective_from": "2025-03-01"},
            ],
        ),
        "demand": _table(
            "demand",
            [
                {"sku": "SKU-A", "period": "1", "mean_units": "100"},
                {"sku": "SKU-A", "period": "2", "mean_units": "120"},
            ],
        ),
    }  # fmt: skip
    return RawScenario(settings=settings, settings_source="scenario.yaml", tables=tables)


def _rows(raw: RawScenario, table: str) -> list[dict[str, Any]]:
    return raw.tables[table].rows


def _problems(error: pytest.ExceptionInfo[ScenarioError]) -> list[str]:
    return [str(problem) for problem in error.value.problems]


# --------------------------------------------------------------------------- settings


def test_settings_path_sets_value_and_logs_old(raw: RawScenario) -> None:
    result, changes = apply_override(
        raw, {"finance.annual_cost_of_capital": 0.08}, "override 'cheap-capital'"
    )
    assert result.settings["finance"]["annual_cost_of_capital"] == 0.08
    assert changes == [
        Change("finance.annual_cost_of_capital", 0.12, 0.08, "override 'cheap-capital'")
    ]


def test_settings_path_creates_missing_groups(raw: RawScenario) -> None:
    del raw.settings["risk_policy"]
    result, changes = apply_override(
        raw,
        {
            "risk_policy.max_share_per_region.CN": 0.5,
            "risk_policy.fixed_splits.SKU-A": {"GZ-01": 0.7, "HCM-01": 0.3},
        },
        "override 'x'",
    )
    assert result.settings["risk_policy"] == {
        "max_share_per_region": {"CN": 0.5},
        "fixed_splits": {"SKU-A": {"GZ-01": 0.7, "HCM-01": 0.3}},
    }
    assert [c.old for c in changes] == [UNSET, UNSET]
    assert str(changes[1]) == (
        "risk_policy.fixed_splits.SKU-A: (unset) -> {GZ-01: 0.7, HCM-01: 0.3} (override 'x')"
    )
    # The result is still a valid settings mapping.
    Settings.model_validate(result.settings)


def test_settings_null_group_is_treated_as_empty(raw: RawScenario) -> None:
    raw.settings["risk_policy"] = None  # `risk_policy:` with nothing under it
    result, _ = apply_override(raw, {"risk_policy.max_share_per_region.CN": 0.5}, "o")
    assert result.settings["risk_policy"] == {"max_share_per_region": {"CN": 0.5}}


def test_disruptions_replaced_as_a_whole(raw: RawScenario) -> None:
    new = [{"kind": "demand_spike", "factor": 2.0, "start_day": 7, "length_days": 7}]
    result, changes = apply_override(raw, {"disruptions": new}, "o")
    assert result.settings["disruptions"] == new
    assert changes[0].old == raw.settings["disruptions"]


# --------------------------------------------------------------------------- table cells


def test_table_cell_set_logs_old_value(raw: RawScenario) -> None:
    result, changes = apply_override(
        raw, {"suppliers.GZ-01.capacity_units_per_week": 0}, "override 'gz-shutdown'"
    )
    assert _rows(result, "suppliers")[0]["capacity_units_per_week"] == 0
    assert _rows(result, "suppliers")[1]["capacity_units_per_week"] == "800"
    assert str(changes[0]) == (
        "suppliers.GZ-01.capacity_units_per_week: 1200 -> 0 (override 'gz-shutdown')"
    )


def test_table_cell_blank_then_null_clears(raw: RawScenario) -> None:
    result, changes = apply_override(
        raw,
        {"offers.GZ-01:SKU-B.tooling_cost": 2500, "offers.HCM-01:SKU-A.moq_units": None},
        "o",
    )
    assert _rows(result, "offers")[1]["tooling_cost"] == 2500
    assert "moq_units" not in _rows(result, "offers")[2]
    assert [str(c) for c in changes] == [
        "offers.GZ-01:SKU-B.tooling_cost: (unset) -> 2500 (o)",
        "offers.HCM-01:SKU-A.moq_units: 100 -> (unset) (o)",
    ]
    assert "tooling_cost" in result.tables["offers"].columns


def test_unknown_column_is_left_for_validation(raw: RawScenario) -> None:
    """Unknown columns are written and added to the header, so validation rejects them."""
    result, _ = apply_override(raw, {"suppliers.GZ-01.capcity": 0}, "o")
    assert "capcity" in result.tables["suppliers"].columns


@pytest.mark.parametrize("written", ["500", "500.0", 500, 500.0])
@pytest.mark.parametrize("key_part", ["500", "500.0", "5e2"])
def test_row_key_numbers_match_numerically(raw: RawScenario, written: Any, key_part: str) -> None:
    _rows(raw, "price_breaks")[1]["min_qty_units"] = written
    key = f"price_breaks.GZ-01:SKU-A:{key_part}.unit_price"
    result, changes = apply_override(raw, {key: 4.0}, "o")
    assert [row["unit_price"] for row in _rows(result, "price_breaks")] == ["5", 4.0, "5.5"]
    assert changes == [Change(key, "4.5", 4.0, "o")]


def test_row_key_text_matches_exactly(raw: RawScenario) -> None:
    with pytest.raises(ScenarioError):
        apply_override(raw, {"suppliers.gz-01.capacity_units_per_week": 0}, "o")


def test_text_key_columns_are_not_compared_as_numbers(raw: RawScenario) -> None:
    _rows(raw, "skus")[0]["sku"] = "0123"
    with pytest.raises(ScenarioError):
        apply_override(raw, {"skus.123.selling_price": 1}, "o")
    _rows(raw, "skus")[1]["sku"] = 1001  # a workbook cell holding a number
    result, _ = apply_override(raw, {"skus.1001.selling_price": 1}, "o")
    assert _rows(result, "skus")[1]["selling_price"] == 1


def test_row_key_with_decimal_number(raw: RawScenario) -> None:
    _rows(raw, "price_breaks")[1]["min_qty_units"] = "0.5"
    result, _ = apply_override(raw, {"price_breaks.GZ-01:SKU-A:0.5.unit_price": 1}, "o")
    assert _rows(result, "price_breaks")[1]["unit_price"] == 1
    result, _ = apply_override(raw, {"price_breaks.GZ-01:SKU-A:0.5": None}, "o")
    assert len(_rows(result, "price_breaks")) == 2


def test_blank_key_part_matches_blank_cell(raw: RawScenario) -> None:
    result, _ = apply_override(
        raw,
        {"duties.*:CN:.duty_rate": 0.2, "duties.*:CN:2025-03-01.extra_tariff_rate": 0.5},
        "o",
    )
    assert [row["duty_rate"] for row in _rows(result, "duties")] == [0.2, "0.1"]
    assert _rows(result, "duties")[1]["extra_tariff_rate"] == 0.5


# --------------------------------------------------------------------------- whole rows


def test_row_replaced_keeps_its_row_number(raw: RawScenario) -> None:
    new = {"country": "CN", "origin_port": "SZX", "capacity_units_per_week": 900,
           "production_lead_time_days_mean": 20, "deposit_share": 0.5}  # fmt: skip
    result, changes = apply_override(raw, {"suppliers.GZ-01": new}, "o")
    assert _rows(result, "suppliers")[0] == {"supplier": "GZ-01", **new}
    assert result.tables["suppliers"].row_numbers == [2, 3]
    assert changes[0].old == _rows(raw, "suppliers")[0]
    assert changes[0].new == {"supplier": "GZ-01", **new}
    ROW_MODELS["suppliers"].model_validate(_rows(result, "suppliers")[0])


def test_row_appended_with_key_columns_from_key(raw: RawScenario) -> None:
    result, changes = apply_override(
        raw,
        {"price_breaks.GZ-01:SKU-A:1000": {"unit_price": 4.0}, "suppliers.NB-01": {"x_col": 1}},
        "override 'more'",
    )
    assert _rows(result, "price_breaks")[-1] == {
        "supplier": "GZ-01",
        "sku": "SKU-A",
        "min_qty_units": "1000",
        "unit_price": 4.0,
    }
    assert len(_rows(result, "suppliers")) == 3
    assert result.tables["suppliers"].row_numbers == [2, 3]  # the new row is in no file
    assert "x_col" in result.tables["suppliers"].columns
    assert changes[0].old is NEW_ROW
    assert str(changes[0]) == (
        "price_breaks.GZ-01:SKU-A:1000: (new row) -> "
        "{supplier: GZ-01, sku: SKU-A, min_qty_units: '1000', unit_price: 4.0} (override 'more')"
    )


def test_row_appended_to_a_table_not_given(raw: RawScenario) -> None:
    row = {"end_date": "2025-02-10", "reason": "Chinese New Year"}
    result, _ = apply_override(raw, {"calendars.GZ-01:2025-01-27": row}, "o")
    table = result.tables["calendars"]
    assert table.source == "calendars.csv"
    assert table.rows == [{"supplier": "GZ-01", "start_date": "2025-01-27", **row}]
    assert "calendars" not in raw.tables


def test_row_appended_to_workbook_table_is_named_like_its_sheet(raw: RawScenario) -> None:
    raw.settings_source = "book.xlsx[settings]"
    result, _ = apply_override(raw, {"calendars.GZ-01:2025-01-27": {"end_date": "x"}}, "o")
    assert result.tables["calendars"].source == "book.xlsx[calendars]"


def test_row_key_columns_in_the_value_must_match_the_key(raw: RawScenario) -> None:
    result, _ = apply_override(raw, {"demand.SKU-A:3": {"period": 3.0, "mean_units": 5}}, "o")
    assert _rows(result, "demand")[-1] == {"sku": "SKU-A", "period": 3.0, "mean_units": 5}


def test_row_deleted_keeps_row_numbers_aligned(raw: RawScenario) -> None:
    result, changes = apply_override(raw, {"price_breaks.GZ-01:SKU-A:500": None}, "o")
    table = result.tables["price_breaks"]
    assert [row["unit_price"] for row in table.rows] == ["5", "5.5"]
    assert table.row_numbers == [2, 4]
    assert changes[0].new is DELETED
    assert str(changes[0]).endswith(" -> (deleted) (o)")
    assert str(changes[0]).startswith("price_breaks.GZ-01:SKU-A:500: {supplier: GZ-01, ")


# --------------------------------------------------------------------------- merge order


def test_named_scenario_applies_overrides_in_listed_order(raw: RawScenario) -> None:
    result, changes = resolve_scenario(raw, "stress-gz")
    assert _rows(result, "suppliers")[0]["capacity_units_per_week"] == 0
    assert result.settings["finance"]["annual_cost_of_capital"] == 0.08
    assert [c.origin for c in changes] == ["override 'gz-shutdown'", "override 'cheap-capital'"]
    Settings.model_validate(result.settings)


def test_single_override_name_is_a_scenario(raw: RawScenario) -> None:
    result, changes = resolve_scenario(raw, "split-70-30")
    assert result.settings["risk_policy"]["fixed_splits"] == {
        "SKU-A": {"GZ-01": 0.7, "HCM-01": 0.3}
    }
    assert len(changes) == 1


def test_scenario_wins_over_override_of_the_same_name(raw: RawScenario) -> None:
    raw.settings["scenarios"]["cheap-capital"] = ["gz-shutdown"]
    result, _ = resolve_scenario(raw, "cheap-capital")
    assert result.settings["finance"]["annual_cost_of_capital"] == 0.12
    assert _rows(result, "suppliers")[0]["capacity_units_per_week"] == 0


def test_later_layer_wins(raw: RawScenario) -> None:
    first, _ = apply_override(raw, {"finance.annual_cost_of_capital": 0.08}, "a")
    second, changes = apply_override(first, {"finance.annual_cost_of_capital": 0.2}, "b")
    assert second.settings["finance"]["annual_cost_of_capital"] == 0.2
    assert str(changes[0]) == "finance.annual_cost_of_capital: 0.08 -> 0.2 (b)"


def test_set_values_beat_everything(raw: RawScenario) -> None:
    result, changes = resolve_scenario(
        raw,
        "stress-gz",
        {"finance.annual_cost_of_capital": 0.05, "suppliers.GZ-01.capacity_units_per_week": 10},
    )
    assert result.settings["finance"]["annual_cost_of_capital"] == 0.05
    assert _rows(result, "suppliers")[0]["capacity_units_per_week"] == 10
    assert [str(c) for c in changes] == [
        "suppliers.GZ-01.capacity_units_per_week: 1200 -> 0 (override 'gz-shutdown')",
        "finance.annual_cost_of_capital: 0.12 -> 0.08 (override 'cheap-capital')",
        "finance.annual_cost_of_capital: 0.08 -> 0.05 (--set)",
        "suppliers.GZ-01.capacity_units_per_week: 0 -> 10 (--set)",
    ]


def test_set_values_alone_and_custom_origin(raw: RawScenario) -> None:
    result, changes = resolve_scenario(raw, set_values={"horizon.periods": 4}, set_origin="UI")
    assert result.settings["horizon"]["periods"] == 4
    assert str(changes[0]) == "horizon.periods: 2 -> 4 (UI)"


def test_set_values_may_touch_a_row_an_override_added(raw: RawScenario) -> None:
    raw.settings["overrides"]["add-nb"] = {"suppliers.NB-01": {"capacity_units_per_week": 5}}
    result, _ = resolve_scenario(raw, "add-nb", {"suppliers.NB-01.capacity_units_per_week": 6})
    assert _rows(result, "suppliers")[-1] == {"supplier": "NB-01", "capacity_units_per_week": 6}


def test_no_scenario_returns_an_equal_copy(raw: RawScenario) -> None:
    result, changes = resolve_scenario(raw)
    assert changes == []
    assert result == raw
    assert result is not raw and result.tables["suppliers"] is not raw.tables["suppliers"]


# --------------------------------------------------------------------------- conflicts


def test_two_overrides_setting_one_key_is_an_error(raw: RawScenario) -> None:
    with pytest.raises(ScenarioError) as error:
        resolve_scenario(raw, "capital-clash", {"finance.annual_cost_of_capital": 0.1})
    (problem,) = error.value.problems
    assert problem.field == "finance.annual_cost_of_capital"
    assert problem.source == "scenario.yaml"
    assert "override 'cheap-capital'" in problem.found
    assert "override 'costly-capital'" in problem.found
    assert "capital-clash" in problem.allowed


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"suppliers.GZ-01": None}, {"suppliers.GZ-01.capacity_units_per_week": 0}),
        ({"risk_policy.fixed_splits": {}}, {"risk_policy.fixed_splits.SKU-A": {"GZ-01": 1}}),
        ({"price_breaks.GZ-01:SKU-A:500.unit_price": 1},
         {"price_breaks.GZ-01:SKU-A:500.0.unit_price": 2}),
    ],
    ids=["row-and-its-cell", "group-and-its-entry", "same-row-written-differently"],
)  # fmt: skip
def test_overlapping_keys_in_two_overrides_are_an_error(
    raw: RawScenario, first: dict[str, Any], second: dict[str, Any]
) -> None:
    raw.settings["overrides"].update({"first": first, "second": second})
    raw.settings["scenarios"]["both"] = ["first", "second"]
    with pytest.raises(ScenarioError) as error:
        resolve_scenario(raw, "both")
    (problem,) = error.value.problems
    assert "override 'first'" in problem.found and "override 'second'" in problem.found
    assert problem.field == next(iter(second))


def test_each_clashing_key_is_reported_once(raw: RawScenario) -> None:
    raw.settings["scenarios"]["three"] = ["cheap-capital", "costly-capital", "split-70-30"]
    raw.settings["overrides"]["split-70-30"]["finance.annual_cost_of_capital"] = 0.3
    with pytest.raises(ScenarioError) as error:
        resolve_scenario(raw, "three")
    assert [p.found for p in error.value.problems] == [
        "set by both override 'cheap-capital' and override 'costly-capital'",
        "set by both override 'cheap-capital' and override 'split-70-30'",
    ]


def test_different_keys_in_two_overrides_are_fine(raw: RawScenario) -> None:
    raw.settings["overrides"]["gz-capacity"] = {"suppliers.GZ-01.capacity_units_per_week": 1}
    raw.settings["overrides"]["hcm-capacity"] = {"suppliers.HCM-01.capacity_units_per_week": 2}
    raw.settings["scenarios"]["both"] = ["gz-capacity", "hcm-capacity"]
    _, changes = resolve_scenario(raw, "both")
    assert len(changes) == 2


# --------------------------------------------------------------------------- errors as data

BAD_KEYS: list[tuple[Any, Any, str]] = [
    ("supplier.GZ-01.capacity_units_per_week", 0, "unknown setting or table 'supplier'"),
    ("supplier.GZ-01.capacity_units_per_week", 0, "did you mean 'suppliers'?"),
    ("financ.annual_cost_of_capital", 0.1, "unknown setting or table 'financ'"),
    ("name", "other", "'name' can not be overridden"),
    ("overrides.gz-shutdown", {}, "'overrides' can not be overridden"),
    ("scenarios.stress-gz", [], "'scenarios' can not be overridden"),
    ("finance..annual_cost_of_capital", 0.1, "an empty part in the key"),
    ("suppliers", {}, "the whole table 'suppliers'"),
    ("suppliers.GZ-09.capacity_units_per_week", 0, "no row 'GZ-09' in suppliers.csv"),
    ("suppliers.GZ-09.capacity_units_per_week", 0, "e.g. GZ-01, HCM-01"),
    ("suppliers.GZ-09", None, "no row 'GZ-09' in suppliers.csv"),
    ("offers.GZ-01:SKU-C.moq_units", 1, "an existing supplier:sku, e.g. GZ-01:SKU-B, GZ-01:SKU-A"),
    ("offers.GZ-01.moq_units", 1, "row key 'GZ-01' has 1 part"),
    ("offers.GZ-01.moq_units", 1, "2 parts joined with ':' (<supplier>:<sku>)"),
    ("price_breaks.GZ-01:SKU-A:501.unit_price", 1, "no row 'GZ-01:SKU-A:501'"),
    ("calendars.GZ-01:2025-01-27.capacity_factor", 0.5, "the calendars table has no rows"),
    ("suppliers.GZ-01", 5, "the value 5 for the whole row 'GZ-01'"),
    ("suppliers.GZ-01", {"supplier": "GZ-02"}, "key column 'supplier' is GZ-02"),
    ("horizon.periods.count", 1, "'horizon.periods' is 2, not a group of settings"),
    ("disruptions.0.probability", 0.5, "'disruptions' is a list"),
    (3, 1, "not text"),
]


@pytest.mark.parametrize(("key", "value", "fragment"), BAD_KEYS)
def test_bad_key_is_reported(raw: RawScenario, key: Any, value: Any, fragment: str) -> None:
    with pytest.raises(ScenarioError) as error:
        apply_override(raw, {key: value}, "override 'bad'")
    (problem,) = error.value.problems
    assert fragment in str(problem)
    assert "(in override 'bad')" in problem.found
    assert (problem.source, problem.row, problem.field) == ("scenario.yaml", None, str(key))


def test_all_bad_keys_are_reported_at_once(raw: RawScenario) -> None:
    bad = {key: value for key, value, _ in BAD_KEYS}
    good = {"finance.annual_cost_of_capital": 0.08}
    with pytest.raises(ScenarioError) as error:
        apply_override(raw, {**good, **bad}, "o")
    assert [p.field for p in error.value.problems] == [str(key) for key in bad]


BAD_NAMES: list[tuple[str, str]] = [
    ("no-such", "no scenario or override named 'no-such'"),
    ("no-such", "a scenario (stress-gz, capital-clash, broken, twice, not-a-list)"),
    ("no-such", "or an override (gz-shutdown, cheap-capital, split-70-30, costly-capital"),
    ("broken", "override 'gz-shutdwn', which is not defined"),
    ("broken", "one of the overrides: gz-shutdown, cheap-capital"),
    ("twice", "override 'gz-shutdown' listed twice"),
    ("not-a-list", "a list of override names"),
]


@pytest.mark.parametrize(("name", "fragment"), BAD_NAMES)
def test_bad_scenario_name_is_reported(raw: RawScenario, name: str, fragment: str) -> None:
    raw.settings["scenarios"].update(
        {"broken": ["gz-shutdwn"], "twice": ["gz-shutdown", "gz-shutdown"], "not-a-list": "x"}
    )
    with pytest.raises(ScenarioError) as error:
        resolve_scenario(raw, name)
    assert any(fragment in text for text in _problems(error))


def test_resolve_gathers_every_problem(raw: RawScenario) -> None:
    raw.settings["overrides"]["bad"] = {"supplier.GZ-01.capacity_units_per_week": 0}
    raw.settings["scenarios"]["mixed"] = ["bad", "missing", "cheap-capital", "costly-capital"]
    with pytest.raises(ScenarioError) as error:
        resolve_scenario(raw, "mixed", {"horizon.periods.x": 1, "suppliers.XX.moq_units": 1})
    texts = _problems(error)
    assert len(texts) == 5
    for fragment in [
        "override 'missing', which is not defined",
        "unknown setting or table 'supplier' (in override 'bad')",
        "set by both override 'cheap-capital' and override 'costly-capital'",
        "not a group of settings (in --set)",
        "no row 'XX' in suppliers.csv (in --set)",
    ]:
        assert any(fragment in text for text in texts), fragment


def test_override_that_is_not_a_mapping(raw: RawScenario) -> None:
    raw.settings["overrides"]["listy"] = ["suppliers.GZ-01.capacity_units_per_week"]
    with pytest.raises(ScenarioError) as error:
        resolve_scenario(raw, "listy")
    (problem,) = error.value.problems
    assert problem.field == "overrides.listy"


# --------------------------------------------------------------------------- input untouched


@pytest.mark.parametrize(
    "changes",
    [
        {"finance.annual_cost_of_capital": 0.0, "risk_policy.max_share_per_region.CN": 0.5},
        {"suppliers.GZ-01.capacity_units_per_week": 0, "offers.GZ-01:SKU-A.moq_units": None},
        {"suppliers.GZ-01": {"country": "VN"}, "suppliers.NB-01": {"country": "CN"}},
        {"price_breaks.GZ-01:SKU-A:500": None, "calendars.GZ-01:2025-01-27": {"reason": "x"}},
    ],
    ids=["settings", "cells", "rows", "delete-and-new-table"],
)
def test_input_is_not_mutated(raw: RawScenario, changes: dict[str, Any]) -> None:
    before = copy.deepcopy(raw)
    apply_override(raw, changes, "o")
    resolve_scenario(raw, "stress-gz", changes)
    assert raw == before


def test_failed_override_does_not_mutate_input(raw: RawScenario) -> None:
    before = copy.deepcopy(raw)
    with pytest.raises(ScenarioError):
        apply_override(raw, {"risk_policy.new.deeper": 1, "suppliers.XX.moq_units": 1}, "o")
    assert raw == before


def test_values_are_copied_not_shared(raw: RawScenario) -> None:
    split = {"GZ-01": 0.7, "HCM-01": 0.3}
    result, changes = apply_override(raw, {"risk_policy.fixed_splits.SKU-A": split}, "o")
    split["GZ-01"] = 0.0
    assert result.settings["risk_policy"]["fixed_splits"]["SKU-A"]["GZ-01"] == 0.7
    assert changes[0].new["GZ-01"] == 0.7


# --------------------------------------------------------------------------- Change


@pytest.mark.parametrize(
    ("change", "text"),
    [
        (Change("suppliers.GZ-01.capacity_units_per_week", "1200", 0, "override 'gz-shutdown'"),
         "suppliers.GZ-01.capacity_units_per_week: 1200 -> 0 (override 'gz-shutdown')"),
        (Change("risk_policy.max_lead_time_days", UNSET, 60, "--set"),
         "risk_policy.max_lead_time_days: (unset) -> 60 (--set)"),
        (Change("suppliers.NB-01", NEW_ROW, {"supplier": "NB-01"}, "o"),
         "suppliers.NB-01: (new row) -> {supplier: NB-01} (o)"),
        (Change("suppliers.NB-01", {"supplier": "NB-01"}, DELETED, "o"),
         "suppliers.NB-01: {supplier: NB-01} -> (deleted) (o)"),
        (Change("skus.SKU-A.critical", None, True, "o"), "skus.SKU-A.critical: null -> true (o)"),
        (Change("description", "", "what if", "o"), "description: '' -> what if (o)"),
    ],
)  # fmt: skip
def test_change_str(change: Change, text: str) -> None:
    assert str(change) == text


def test_change_is_frozen() -> None:
    change = Change("horizon.periods", 2, 4, "o")
    with pytest.raises(AttributeError):
        change.new = 5  # type: ignore[misc]


# --------------------------------------------------------------------------- --set


@pytest.mark.parametrize(
    ("item", "key", "value"),
    [
        ("suppliers.GZ-01.capacity_units_per_week=0", "suppliers.GZ-01.capacity_units_per_week", 0),
        ("finance.annual_cost_of_capital=0.3", "finance.annual_cost_of_capital", 0.3),
        ("skus.SKU-A.critical=true", "skus.SKU-A.critical", True),
        ("risk_policy.fixed_splits.SKU-A={GZ-01: 0.7, HCM-01: 0.3}",
         "risk_policy.fixed_splits.SKU-A", {"GZ-01": 0.7, "HCM-01": 0.3}),
        ("suppliers.GZ-01.name=Guangzhou = Best", "suppliers.GZ-01.name", "Guangzhou = Best"),
        ("suppliers.GZ-01=", "suppliers.GZ-01", None),
        (" horizon.periods = 26", "horizon.periods", 26),
    ],
)  # fmt: skip
def test_parse_set_values(item: str, key: str, value: Any) -> None:
    assert parse_set_values([item]) == {key: value}


def test_parse_set_values_later_item_wins() -> None:
    assert parse_set_values(["horizon.periods=4", "horizon.periods=6"]) == {"horizon.periods": 6}


def test_parse_set_values_reports_every_malformed_item() -> None:
    with pytest.raises(ScenarioError) as error:
        parse_set_values(["horizon.periods", "=3", "finance.x={a: [", "horizon.periods=4"])
    texts = _problems(error)
    assert len(texts) == 3
    assert "'horizon.periods'; key=value" in texts[0]
    assert "'=3'" in texts[1]
    assert "unreadable value" in texts[2] and "field 'finance.x'" in texts[2]
