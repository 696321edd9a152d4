"""``sourcing resilience`` end to end on the small often-down scenario."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from engine.cli import app
from engine.scenario import write_scenario
from tests.resilience.test_frontier import often_down

runner = CliRunner()


def test_the_command_recommends_a_split_and_writes_the_table(tmp_path: Path) -> None:
    source = tmp_path / "often-down"
    write_scenario(often_down(), source)
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "resilience",
            str(source),
            "--sku",
            "A",
            "--shares",
            "0,0.25",
            "--replications",
            "40",
            "--batch",
            "20",
            "--work",
            "0.2",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "run backup 25%" in result.output
    table = pd.read_csv(out / "resilience.csv")
    assert list(table["candidate"]) == ["free optimum", "backup 25%"]
    assert table["recommended"].tolist() == [False, True]
    assert (out / "results.xlsx").exists() and (out / "resilience.html").exists()


def test_bad_input_is_a_clear_error(tmp_path: Path) -> None:
    source = tmp_path / "often-down"
    write_scenario(often_down(), source)
    result = runner.invoke(app, ["resilience", str(source), "--sku", "NOPE"])
    assert result.exit_code != 0
    assert "unknown SKU(s) NOPE" in result.output
    assert "Traceback" not in result.output
