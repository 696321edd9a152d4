"""Reading PO histories: every problem at once, located; partial rows kept; Excel like CSV."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from engine.history.read import HistoryError, read_history
from engine.scenario import load_scenario
from engine.scenario.errors import Severity
from tests.conftest import DTC_BRAND
from tests.history.small import HEADER, SMALL_ROWS, write_history


def located(error: HistoryError) -> set[tuple[int | None, str | None]]:
    return {(p.row, p.field) for p in error.problems if p.severity is Severity.ERROR}


def test_partial_rows_are_kept(tmp_path: Path) -> None:
    history = read_history(write_history(tmp_path))
    frame = history.frame.set_index("po")
    assert len(frame) == 5
    assert pd.isna(frame.loc["P4", "actual_arrival_date"])  # shipped, not arrived
    assert pd.isna(frame.loc["P5", "actual_ship_date"])  # open
    assert frame.loc["P1", "quantity_rejected"] == 10
    assert frame.loc["P1", "row"] == 2


def test_every_problem_is_located(tmp_path: Path) -> None:
    rows = (
        "B1,GZ-01,SKL-10IN,2026-13-01,1000,7.80,2026-02-05,,,,,,sea_fcl",  # bad date
        "B2,GZ-01,SKL-10IN,2026-01-01,-5,7.80,2026-02-05,,,,,,sea_fcl",  # negative quantity
        "B3,GZ-01,SKL-10IN,2026-01-01,100,7.80,2026-02-05,2026-02-05,2026-03-01,100,120,,sea_fcl",
        "B4,GZ-01,SKL-10IN,2026-01-01,100,7.80,,,,,,,sea_fcl",  # no promise
        "B5,GZ-01,SKL-10IN,2026-01-01,100,7.80,2026-02-05,2026-01-20,2026-01-10,100,0,,boat",
        "B5,GZ-01,SKL-10IN,2026-01-02,100,abc,2026-02-05,,2026-03-01,,,,sea_fcl",
        ",GZ-01,SKL-10IN,2026-01-02,100,7.8,2026-02-05,,,,,,sea_fcl",
    )
    with pytest.raises(HistoryError) as caught:
        read_history(write_history(tmp_path, rows))
    assert located(caught.value) == {
        (2, "po_date"),
        (3, "quantity_ordered"),
        (4, "quantity_rejected"),  # 120 rejected of 100 received
        (5, "promised_ship_date"),  # no promise at all
        (6, "shipping_mode"),  # 'boat'
        (6, "actual_arrival_date"),  # before the ship date
        (7, "unit_price_agreed"),  # 'abc'
        (7, "quantity_received"),  # arrived, nothing received
        (7, "po"),  # PO B5 / SKL-10IN twice
        (8, "po"),  # empty
    }
    text = str(caught.value)
    assert "history.csv, row 6, field 'shipping_mode': 'boat'" in text
    assert "one of: sea_fcl" in text


def test_missing_columns_and_wrong_files(tmp_path: Path) -> None:
    path = write_history(tmp_path, SMALL_ROWS, HEADER.replace("quantity_ordered,", "qty,"))
    with pytest.raises(HistoryError) as caught:
        read_history(path)
    assert (1, "quantity_ordered") in located(caught.value)
    with pytest.raises(HistoryError, match="no such file"):
        read_history(tmp_path / "missing.csv")
    (tmp_path / "history.json").write_text("{}")
    with pytest.raises(HistoryError, match=r"'\.json' file"):
        read_history(tmp_path / "history.json")


def test_unknown_supplier_is_a_warning(tmp_path: Path) -> None:
    rows = (SMALL_ROWS[0].replace("GZ-01", "XX-99", 1),)
    history = read_history(write_history(tmp_path, rows), load_scenario(DTC_BRAND))
    assert [(w.row, w.field, w.severity) for w in history.warnings] == [
        (2, "supplier", Severity.WARNING)
    ]


def test_excel_reads_like_csv(tmp_path: Path) -> None:
    csv_history = read_history(write_history(tmp_path))
    workbook = tmp_path / "history.xlsx"
    frame = pd.read_csv(tmp_path / "history.csv")
    with pd.ExcelWriter(workbook) as writer:
        pd.DataFrame({"note": ["cover sheet"]}).to_excel(writer, sheet_name="about", index=False)
        frame.to_excel(writer, sheet_name="po_history", index=False)
    excel_history = read_history(workbook)
    assert excel_history.source == "history.xlsx[po_history]"
    pd.testing.assert_frame_equal(excel_history.frame, csv_history.frame)


def test_excel_problems_name_the_sheet(tmp_path: Path) -> None:
    frame = pd.read_csv(write_history(tmp_path), dtype=str)
    frame.loc[1, "quantity_ordered"] = "lots"
    workbook = tmp_path / "bad.xlsx"
    frame.to_excel(workbook, index=False, sheet_name="Sheet1")
    with pytest.raises(HistoryError, match=r"bad.xlsx\[Sheet1\], row 3, field 'quantity_ordered'"):
        read_history(workbook)
