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


def test_the_stochastic_allocation_is_valued_in_the_stress_test(tmp_path: Path) -> None:
    source = tmp_path / "often-down"
    write_scenario(often_down(), source)
    out = tmp_path / "out"
    args = ["resilience", str(source), "--sku", "A", "--shares", "0", "--stochastic", "100"]
    options = ["--replications", "40", "--batch", "40", "--work", "0.2", "--out", str(out)]
    result = runner.invoke(app, args + options)
    assert result.exit_code == 0, result.output
    assert "stochastic allocation of A" in result.output
    assert "Value of the stochastic solution in the stress test" in " ".join(result.output.split())
    value = pd.read_csv(out / "stochastic_value.csv")
    assert value["replications"].tolist() == [40]
    assert value["vss_low"][0] <= value["vss"][0] <= value["vss_high"][0]
    table = pd.read_csv(out / "resilience.csv")
    assert "stochastic (SAA)" in table["candidate"].tolist()
