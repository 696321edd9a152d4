"""The `sourcing` command: exit codes and messages a user sees."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.scenario import load_scenario, write_scenario
from engine.scenario.schema import Scenario
from tests.conftest import DTC_BRAND

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_validate_example_ok() -> None:
    code, out = run("validate", str(DTC_BRAND))
    assert code == 0, out
    assert "OK scenario 'dtc-brand'" in out


def test_validate_named_scenario_logs_changes() -> None:
    name = next(iter(load_scenario(DTC_BRAND).scenarios))
    code, out = run("validate", str(DTC_BRAND), "--scenario", name)
    assert code == 0, out
    assert "applied " in out


def test_validate_broken_copy_lists_every_problem(tmp_path: Path) -> None:
    shutil.copytree(DTC_BRAND, tmp_path / "copy")
    supplier = load_scenario(DTC_BRAND).suppliers[0].supplier
    skus_csv = tmp_path / "copy" / "skus.csv"
    lines = skus_csv.read_text().splitlines()
    lines[1] = lines[1].replace(",", ",oops,", 1)  # one cell too many on row 2
    skus_csv.write_text("\n".join(lines) + "\n")
    code, out = run(
        "validate",
        str(tmp_path / "copy"),
        "--set",
        f"suppliers.{supplier}.deposit_share=1.5",
        "--set",
        "horizon.periods=0",
    )
    assert code == 1
    assert "problem(s) found" in out
    assert "skus.csv, row 2" in out
    assert "field 'deposit_share'" in out
    assert "horizon.periods" in out


def test_validate_missing_path() -> None:
    code, out = run("validate", "no/such/scenario")
    assert code == 1
    assert "no such file" in out


def test_bad_set_syntax_is_a_clear_error() -> None:
    code, out = run("validate", str(DTC_BRAND), "--set", "finance.annual_cost_of_capital")
    assert code == 1
    assert "finance.annual_cost_of_capital" in out


@pytest.mark.slow
def test_landed_cost_prints_and_writes(tmp_path: Path) -> None:
    code, out = run("landed-cost", str(DTC_BRAND), "--top", "2", "--out", str(tmp_path / "lc.csv"))
    assert code == 0, out
    assert "landed cost per unit" in out
    table = pd.read_csv(tmp_path / "lc.csv")
    assert len(table) > 0
    assert (table["landed_cost_per_unit"] >= table["factory_price"]).all()
    code, out = run("landed-cost", str(DTC_BRAND), "--out", str(tmp_path / "lc.csv"))
    assert code == 1
    assert "--force" in out
    code, out = run("landed-cost", str(DTC_BRAND), "--out", str(tmp_path / "lc.xlsx"))
    assert code == 0
    assert not pd.read_excel(tmp_path / "lc.xlsx").empty


def test_landed_cost_one_sku_and_quantity(tiny: Scenario, tmp_path: Path) -> None:
    write_scenario(tiny, tmp_path / "s")
    code, out = run(
        "landed-cost",
        str(tmp_path / "s"),
        "--sku",
        "A",
        "--qty",
        "600",
        "--out",
        str(tmp_path / "a.html"),
    )
    assert code == 0, out
    assert "A: landed cost" in out
    assert "B: landed cost" not in out
    code, out = run("landed-cost", str(tmp_path / "s"), "--sku", "ZZZ")
    assert code == 1
    assert "unknown SKU(s) ZZZ" in out


def test_landed_cost_rejects_unknown_output_type(tmp_path: Path) -> None:
    code, out = run("landed-cost", str(DTC_BRAND), "--out", str(tmp_path / "lc.pdf"))
    assert code == 1
    assert ".csv, .xlsx, .html" in out


def test_generate_writes_a_valid_scenario_and_refuses_to_overwrite(tmp_path: Path) -> None:
    code, out = run("generate", "--skus", "12", "--suppliers", "4", "--out", str(tmp_path / "g"))
    assert code == 0, out
    scenario = load_scenario(tmp_path / "g")
    assert len(scenario.skus) == 12
    assert len(scenario.suppliers) == 4
    code, out = run("generate", "--skus", "12", "--out", str(tmp_path / "g"))
    assert code == 1
    assert "already holds" in out
    code, _ = run("generate", "--skus", "3", "--suppliers", "2", "--out", str(tmp_path / "g.xlsx"))
    assert code == 0
    assert len(load_scenario(tmp_path / "g.xlsx").skus) == 3


@pytest.mark.parametrize("args", [["validate"], ["landed-cost"], ["bogus"]])
def test_usage_errors_exit_2(args: list[str]) -> None:
    code, _ = run(*args)
    assert code == 2


def test_help_has_examples() -> None:
    code, out = run("--help")
    assert code == 0
    assert "sourcing landed-cost" in out


@pytest.mark.slow
def test_stress_a_policy_through_a_certain_shutdown(tmp_path: Path) -> None:
    code, out = run(
        "stress",
        str(DTC_BRAND),
        "--scenario",
        "shutdown-30d",
        "--policy",
        "base_stock",
        "--replications",
        "4",
        "--out",
        str(tmp_path / "s"),
    )
    assert code == 0, out
    assert "fill rate" in out
    assert "cash-conversion cycle" in out
    summary = pd.read_csv(tmp_path / "s" / "summary.csv").set_index("measure")
    assert 0 < summary.loc["fill_rate", "mean"] < 1
    assert (tmp_path / "s" / "results.xlsx").exists()


@pytest.mark.slow
def test_stress_an_optimized_plan_against_a_second_plan(tmp_path: Path) -> None:
    run(
        "generate",
        "--skus",
        "3",
        "--suppliers",
        "3",
        "--modes",
        "2",
        "--periods",
        "6",
        "--seed",
        "2",
        "--out",
        str(tmp_path / "g"),
    )
    code, out = run("optimize", str(tmp_path / "g"), "--out", str(tmp_path / "plan"))
    assert code == 0, out
    assert "checked" in out
    assert "without randomness: fill rate" in out  # the plan's replay, beside its cost
    replay = pd.read_csv(tmp_path / "plan" / "replay.csv")
    assert {"figure", "planned", "replayed", "tolerance", "ok"} <= set(replay.columns)
    assert "working capital (the plan day by day" in out
    working = pd.read_csv(tmp_path / "plan" / "working_capital.csv")
    assert {"date", "cash", "working_capital"} <= set(working.columns)
    code, out = run(
        "stress",
        str(tmp_path / "g"),
        "--plan",
        str(tmp_path / "plan" / "purchase_orders.csv"),
        "--replications",
        "3",
        "--out",
        str(tmp_path / "s1"),
    )
    assert code == 0, out
    code, out = run(
        "stress",
        str(tmp_path / "g"),
        "--compare",
        "primary-down",
        "--replications",
        "3",
        "--out",
        str(tmp_path / "s2"),
    )
    assert code == 0, out
    assert "difference [95% CI, paired]" in out
    assert (tmp_path / "s2" / "difference.csv").exists()
    assert "plan cost of 'primary-down' against the optimized plan" in out
    costs = pd.read_csv(tmp_path / "s2" / "plan_costs.csv").iloc[0]
    assert costs["difference_low"] <= costs["difference"] <= costs["difference_high"]


def test_stress_rejects_an_unknown_policy() -> None:
    code, out = run("stress", str(DTC_BRAND), "--policy", "magic")
    assert code == 1
    assert "unknown policy 'magic'" in out


@pytest.mark.slow
def test_frontier_flags_differences_inside_the_solver_gap(tmp_path: Path) -> None:
    run(
        "generate",
        "--skus",
        "3",
        "--suppliers",
        "3",
        "--modes",
        "2",
        "--periods",
        "6",
        "--seed",
        "2",
        "--out",
        str(tmp_path / "g"),
    )
    code, out = run(
        "frontier",
        str(tmp_path / "g"),
        "--sku",
        "SKU-0001",
        "--shares",
        "0,0.3",
        "--out",
        str(tmp_path / "f"),
    )
    assert code == 0, out
    assert "cost of resilience for SKU-0001" in out
    table = pd.read_csv(tmp_path / "f" / "frontier.csv")
    assert list(table["case"]) == ["free optimum", "backup 0%", "backup 30%"]
    for _, row in table.iloc[1:].iterrows():
        # never worse with fewer constraints; the interval holds the difference
        assert row["extra_cost_vs_free"] >= -1e-6 * row["total_cost"]
        assert row["extra_cost_low"] <= row["extra_cost_vs_free"] <= row["extra_cost_high"]
        assert row["within_solver_gap"] == (row["extra_cost_low"] <= 0 <= row["extra_cost_high"])
        assert row["exact_marginal_cost"] >= -1e-6 * row["total_cost"]
    assert "interval of the gaps" in out and "held fixed" in out


def test_the_terminal_gets_no_solver_banner_and_short_change_lines(tmp_path: Path) -> None:
    """HiGHS prints a banner on the process's stdout (not Python's): a real process shows
    whether the CLI keeps it off; a long applied change is one short line unless --verbose."""
    import subprocess
    import sys

    run(
        "generate",
        "--skus",
        "2",
        "--suppliers",
        "2",
        "--periods",
        "4",
        "--out",
        str(tmp_path / "g"),
    )
    command = [sys.executable, "-m", "engine.cli", "optimize", str(tmp_path / "g")]
    done = subprocess.run(
        [*command, "--no-store", "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "HiGHS" not in done.stdout + done.stderr
    args = ["stress", str(DTC_BRAND), "--scenario", "shutdown-30d", "--policy", "base_stock"]
    args += ["--replications", "2", "--no-store"]
    code, out = run(*args, "--out", str(tmp_path / "s1"))
    assert code == 0, out
    assert out.splitlines()[0] == (
        "applied disruptions (override 'shutdown-30d'; --verbose shows the values)"
    )
    code, out = run(*args, "--out", str(tmp_path / "s2"), "--verbose")
    assert code == 0, out
    assert out.splitlines()[0].startswith("applied disruptions: [{kind: supplier_shutdown")


def test_cycle_from_todays_balance_sheet() -> None:
    """``sourcing cycle``: DIO 200,000 / (1,200,000 / 365) = 60.8, DSO 9.1, DPO 24.3, CCC 45.6;
    a period without COGS is refused in words (exit 1)."""
    figures = ["--inventory", "200000", "--receivables", "50000", "--payables", "80000"]
    code, out = run("cycle", *figures, "--cogs", "1200000", "--revenue", "2000000")
    assert code == 0, out
    assert "60.8" in out and "9.1" in out and "24.3" in out and "45.6" in out
    code, out = run("cycle", *figures, "--cogs", "0", "--revenue", "2000000")
    assert code == 1
    assert "cogs must be > 0" in out
