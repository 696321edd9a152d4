"""Reading, writing and validating scenario files: round trips and every kind of bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.scenario import ScenarioError, TargetExistsError, load, load_scenario, write_scenario
from engine.scenario.schema import Scenario
from tests.conftest import DTC_BRAND, MIDSIZE

# --------------------------------------------------------------------------- round trips


def test_tiny_round_trip_through_csv_and_workbook(tiny: Scenario, tmp_path: Path) -> None:
    write_scenario(tiny, tmp_path / "folder")
    from_csv = load_scenario(tmp_path / "folder")
    assert from_csv == tiny
    write_scenario(from_csv, tmp_path / "book.xlsx")
    assert load_scenario(tmp_path / "book.xlsx") == tiny


@pytest.mark.slow
@pytest.mark.parametrize("example", [DTC_BRAND, MIDSIZE], ids=lambda p: p.name)
def test_example_round_trip_yaml_csv_excel(example: Path, tmp_path: Path) -> None:
    original = load_scenario(example)
    write_scenario(original, tmp_path / "book.xlsx")
    from_book = load_scenario(tmp_path / "book.xlsx")
    assert from_book == original
    write_scenario(from_book, tmp_path / "again")
    assert load_scenario(tmp_path / "again") == original


@pytest.mark.slow
def test_named_scenario_survives_the_workbook(tmp_path: Path) -> None:
    write_scenario(load_scenario(DTC_BRAND), tmp_path / "book.xlsx")
    for name in load_scenario(DTC_BRAND).scenarios:
        assert load_scenario(tmp_path / "book.xlsx", name) == load_scenario(DTC_BRAND, name)


def test_writing_never_overwrites_silently(tiny: Scenario, tmp_path: Path) -> None:
    write_scenario(tiny, tmp_path / "s")
    with pytest.raises(TargetExistsError, match="already holds"):
        write_scenario(tiny, tmp_path / "s")
    write_scenario(tiny, tmp_path / "b.xlsx")
    with pytest.raises(TargetExistsError):
        write_scenario(tiny, tmp_path / "b.xlsx")
    write_scenario(tiny, tmp_path / "s", overwrite=True)


def test_overrides_are_applied_and_logged(tiny: Scenario, tmp_path: Path) -> None:
    write_scenario(tiny, tmp_path)
    loaded = load(tmp_path, "primary-down")
    assert loaded.scenario.supplier("CN-1").capacity_units_per_week == 0
    assert [str(c) for c in loaded.changes] == [
        "suppliers.CN-1.capacity_units_per_week: 1000 -> 0 (override 'cn-down')"
    ]


# --------------------------------------------------------------------------- bad input as data

# (override key, value, expected fragments of one problem line)
BAD_VALUES = [
    (
        "suppliers.VN-1.deposit_share",
        1.3,
        ["suppliers.csv, row 3, field 'deposit_share'", "1.3", "less than or equal to 1"],
    ),
    (
        "suppliers.CN-1.country",
        "China",
        ["suppliers.csv, row 2, field 'country'", "'China'", "at most 2 characters"],
    ),
    (
        "skus.B.unit_weight_kg",
        "heavy",
        ["skus.csv, row 3, field 'unit_weight_kg'", "'heavy'", "a valid number"],
    ),
    (
        "skus.A.critical",
        "maybe",
        ["skus.csv, row 2, field 'critical'", "'maybe'", "a valid boolean"],
    ),
    (
        "offers.CN-1:B.price_break_type",
        "volume",
        ["offers.csv, row 4, field 'price_break_type'", "'volume'", "'all_units' or 'incremental'"],
    ),
    ("lanes.CN-AIR.mode", "boat", ["lanes.csv, row 3, field 'mode'", "'boat'", "'sea_fcl'"]),
    (
        "calendars.CN-1:2027-01-30.end_date",
        "2027-02-30",
        ["calendars.csv, row 2, field 'end_date'", "'2027-02-30'", "date"],
    ),
    (
        "horizon.periods",
        0,
        ["scenario.yaml, field 'horizon.periods'", "0", "greater than or equal to 1"],
    ),
    (
        "finance.annual_cost_of_capital",
        "twelve",
        ["scenario.yaml, field 'finance.annual_cost_of_capital'", "a valid number"],
    ),
    (
        "finance.bank",
        "HSBC",
        ["scenario.yaml, field 'finance.bank'", "an unknown key", "check its spelling"],
    ),
    (
        "skus.A.unit_volume_cbm",
        -1,
        ["skus.csv, row 2, field 'unit_volume_cbm'", "-1", "greater than 0"],
    ),
]


@pytest.mark.parametrize(("key", "value", "fragments"), BAD_VALUES, ids=[b[0] for b in BAD_VALUES])
def test_bad_value_names_file_row_field_and_what_is_allowed(
    tiny: Scenario, tmp_path: Path, key: str, value: object, fragments: list[str]
) -> None:
    write_scenario(tiny, tmp_path)
    with pytest.raises(ScenarioError) as caught:
        load(tmp_path, set_values={key: value})
    lines = [str(p) for p in caught.value.problems]
    assert any(all(f in line for f in fragments) for line in lines), lines


def _break(folder: Path, file: str, old: str, new: str) -> None:
    path = folder / file
    text = path.read_text()
    assert old in text, f"{old!r} not in {file}"
    path.write_text(text.replace(old, new, 1))


# (description, file edits, expected fragments of one problem line)
BAD_FILES = [
    (
        "unknown column",
        [("skus.csv", "sku,name", "sku,nmae")],
        ["skus.csv, row 1, field 'nmae'", "unknown column", "columns: sku, name"],
    ),
    (
        "missing required column",
        [("lanes.csv", "transit_days_mean", "transit_days")],
        ["lanes.csv, row 1", "missing column(s) 'transit_days_mean'"],
    ),
    (
        "unreadable yaml",
        [("scenario.yaml", "name: tiny", "name: [tiny")],
        ["scenario.yaml", "unreadable YAML", "valid YAML"],
    ),
    (
        "too many cells",
        [("offers.csv", "CN-1,A,", "CN-1,A,x,")],
        ["offers.csv, row 2", "cells", "one per header column"],
    ),
]


@pytest.mark.parametrize(("name", "edits", "fragments"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_is_reported_not_raised(
    tiny: Scenario,
    tmp_path: Path,
    name: str,
    edits: list[tuple[str, str, str]],
    fragments: list[str],
) -> None:
    write_scenario(tiny, tmp_path)
    for file, old, new in edits:
        _break(tmp_path, file, old, new)
    with pytest.raises(ScenarioError) as caught:
        load(tmp_path)
    lines = [str(p) for p in caught.value.problems]
    assert any(all(f in line for f in fragments) for line in lines), lines


def test_missing_table_and_missing_folder(tiny: Scenario, tmp_path: Path) -> None:
    write_scenario(tiny, tmp_path)
    (tmp_path / "duties.csv").unlink()
    with pytest.raises(ScenarioError, match=r"duties.csv: file not found"):
        load(tmp_path)
    with pytest.raises(ScenarioError, match="no such file"):
        load(tmp_path / "nowhere")


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    """A broken copy of the example: three unrelated mistakes, three problems, one error."""
    shutil.copytree(DTC_BRAND, tmp_path / "copy")
    broken = load_scenario(DTC_BRAND)
    supplier = broken.suppliers[0].supplier
    sku = broken.skus[0].sku
    with pytest.raises(ScenarioError) as caught:
        load(
            tmp_path / "copy",
            set_values={
                f"suppliers.{supplier}.deposit_share": 2,
                f"skus.{sku}.selling_price": "cheap",
                "horizon.period_length_days": 0,
            },
        )
    fields = {p.field for p in caught.value.problems}
    assert {"deposit_share", "selling_price", "horizon.period_length_days"} <= fields


def test_workbook_with_unknown_sheet_and_missing_table(tiny: Scenario, tmp_path: Path) -> None:
    import openpyxl

    write_scenario(tiny, tmp_path / "book.xlsx")
    book = openpyxl.load_workbook(tmp_path / "book.xlsx")
    book["lanes"].title = "shipping"
    book.save(tmp_path / "book.xlsx")
    with pytest.raises(ScenarioError) as caught:
        load(tmp_path / "book.xlsx")
    text = str(caught.value)
    assert "book.xlsx[shipping]" in text
    assert "no 'lanes' sheet" in text


def test_corrupt_workbook(tmp_path: Path) -> None:
    (tmp_path / "book.xlsx").write_bytes(b"not a zip file")
    with pytest.raises(ScenarioError, match="unreadable workbook"):
        load(tmp_path / "book.xlsx")
