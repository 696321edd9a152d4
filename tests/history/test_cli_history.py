"""`sourcing scorecard` and `sourcing calibrate`: what a user sees and gets."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.scenario import load_scenario
from tests.conftest import DTC_BRAND
from tests.history.small import SMALL_ROWS, write_history

runner = CliRunner()
HISTORY = str(DTC_BRAND / "po_history.csv")


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.mark.slow
def test_scorecard_prints_and_writes_csv_excel_html(tmp_path: Path) -> None:
    code, out = run("scorecard", str(DTC_BRAND), "--history", HISTORY, "--out", str(tmp_path / "s"))
    assert code == 0, out
    assert "supplier scorecards" in out and "GZ-01" in out
    assert "decision rules replayed" in out
    names = {p.name for p in (tmp_path / "s").iterdir()}
    assert {"suppliers.csv", "supplier_skus.csv", "trend.csv", "rule_firings.csv"} <= names
    assert {"results.xlsx", "scorecard.html"} <= names
    code, out = run("scorecard", str(DTC_BRAND), "--history", HISTORY, "--out", str(tmp_path / "s"))
    assert code == 1 and "--force" in out


def test_scorecard_bad_history_lists_located_problems(tmp_path: Path) -> None:
    rows = (
        SMALL_ROWS[0].replace("1000,7.80", "-1,7.80", 1),
        SMALL_ROWS[1].replace("sea_fcl", "boat"),
    )
    path = write_history(tmp_path, rows)
    code, out = run(
        "scorecard", str(DTC_BRAND), "--history", str(path), "--out", str(tmp_path / "o")
    )
    assert code == 1
    assert "2 problem(s)" in out
    assert "row 2, field 'quantity_ordered'" in out
    assert "row 3, field 'shipping_mode'" in out


def test_scorecard_weights_are_checked(tmp_path: Path) -> None:
    code, out = run(
        "scorecard",
        str(DTC_BRAND),
        "--history",
        HISTORY,
        "--weights",
        "speed=1",
        "--out",
        str(tmp_path / "w"),
    )
    assert code == 1 and "unknown score weight 'speed'" in out


@pytest.mark.slow
def test_calibrate_writes_a_valid_scenario_and_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "calibrated"
    code, out = run("calibrate", str(DTC_BRAND), "--history", HISTORY, "--out", str(target))
    assert code == 0, out
    assert "production_lead_time_days_mean" in out and "(it validates)" in out
    assert load_scenario(target).name == "dtc-brand"
    assert (target / "calibration_changes.csv").is_file()
    code, out = run("calibrate", str(DTC_BRAND), "--history", HISTORY, "--out", str(target))
    assert code == 1 and "--force" in out
    code, out = run(
        "calibrate", str(DTC_BRAND), "--history", HISTORY, "--out", str(target), "--force"
    )
    assert code == 0, out
