"""What-if sweeps: one row per what-if, the same table in one process and on a Dask cluster,
the `sourcing sweep` command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.parallel import DaskBackend, ProcessBackend
from engine.plan_types import SolveOptions
from engine.scenario import ScenarioError, write_scenario
from engine.scenario.schema import Scenario
from engine.workflows.sweep import SWEEP_COLUMNS, SweepOptions, load_what_ifs, sweep, what_if_sweep
from tests.conftest import DTC_BRAND, tiny_scenario

OPTIONS = SweepOptions(solve=SolveOptions(time_limit_seconds=20))


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny scenario over 12 weeks with two more what-ifs, written as YAML + CSV."""
    data = tiny_scenario().model_dump()
    data["horizon"]["periods"] = 12
    data["overrides"]["tariff-up"] = {"duties.*:CN:.extra_tariff_rate": 0.5}
    data["overrides"]["no-dual-sourcing"] = {"risk_policy.min_suppliers_critical": 1}
    data["scenarios"]["tariff-shock"] = ["tariff-up"]
    scenario = Scenario.model_validate(data)
    return write_scenario(scenario, tmp_path_factory.mktemp("sweep") / "tiny")


@pytest.fixture(scope="module")
def serial(tiny_folder: Path) -> pd.DataFrame:
    return what_if_sweep(tiny_folder, ["tariff-shock", "no-dual-sourcing", "cn-down"], OPTIONS)


def test_one_row_per_what_if_in_the_order_asked(serial: pd.DataFrame) -> None:
    assert list(serial.columns) == list(SWEEP_COLUMNS)
    assert list(serial["what_if"]) == ["base", "tariff-shock", "no-dual-sourcing", "cn-down"]
    rows = serial.set_index("what_if")
    assert list(rows["status"]) == ["optimal", "optimal", "optimal", "infeasible"]
    assert rows.loc["base", "checked"] is True
    assert rows.loc["base", "changes"] == ""
    assert "override 'tariff-up'" in rows.loc["tariff-shock", "changes"]
    # a dearer tariff on China costs more; dropping the dual-sourcing rule costs less
    assert rows.loc["tariff-shock", "total_cost"] > rows.loc["base", "total_cost"]
    assert rows.loc["tariff-shock", "duty"] > rows.loc["base", "duty"]
    assert rows.loc["no-dual-sourcing", "total_cost"] <= rows.loc["base", "total_cost"]
    assert (
        rows.loc["tariff-shock", "cheapest_landed_cost_per_unit"]
        > rows.loc["base", "cheapest_landed_cost_per_unit"]
    )
    # with the Chinese factory down, SKU B has no supplier and the plan no solution
    assert rows.loc["cn-down", "skus_without_option"] == "B"
    assert "needs 2 suppliers" in rows.loc["cn-down", "diagnosis"]
    assert pd.isna(rows.loc["cn-down", "total_cost"])
    assert rows["fill_rate"].isna().all()  # not stressed


@pytest.mark.slow
def test_the_same_table_on_a_dask_cluster(
    serial: pd.DataFrame, tiny_folder: Path, dask_client: Any
) -> None:
    seen: list[tuple[int, int]] = []
    on_dask = what_if_sweep(
        tiny_folder,
        ["tariff-shock", "no-dual-sourcing", "cn-down"],
        OPTIONS,
        DaskBackend(client=dask_client),
        lambda done, total: seen.append((done, total)),
    )
    pd.testing.assert_frame_equal(serial, on_dask)
    assert seen == [(i, 4) for i in range(1, 5)]


@pytest.mark.slow
def test_stressed_sweep_is_the_same_in_one_process_and_on_dask(
    tiny_folder: Path, dask_client: Any
) -> None:
    options = SweepOptions(solve=OPTIONS.solve, stress_replications=4, seed=5)
    cases = load_what_ifs(tiny_folder, ["tariff-shock"])
    here = sweep(cases, options)
    there = sweep(cases, options, DaskBackend(client=dask_client))
    pd.testing.assert_frame_equal(here, there)
    assert (here["replications"] == 4).all()
    assert here["fill_rate"].between(0, 1).all()
    assert (here["fill_rate_ci_low"] <= here["fill_rate"]).all()


@pytest.mark.slow
def test_landed_cost_only_on_the_bundled_example() -> None:
    """Landed cost only: the bundled example's MILP is too slow for the test suite today."""
    names = ["tariff-shock", "primary-down", "planner-splits"]
    table = what_if_sweep(
        DTC_BRAND, names, SweepOptions(optimize=False), ProcessBackend(2), include_base=True
    )
    rows = table.set_index("what_if")
    assert list(rows.index) == ["base", *names]
    assert (rows["status"] == "skipped").all()
    assert rows["total_cost"].isna().all()
    per_unit = rows["cheapest_landed_cost_per_unit"]
    assert per_unit["tariff-shock"] > per_unit["base"]
    assert per_unit["planner-splits"] == per_unit["base"]  # splits do not change prices


def test_bad_requests_are_clear(tiny_folder: Path) -> None:
    with pytest.raises(ValueError, match="more than once: cn-down"):
        load_what_ifs(tiny_folder, ["cn-down", "cn-down"])
    with pytest.raises(ValueError, match="no what-if to run"):
        load_what_ifs(tiny_folder, [], include_base=False)
    with pytest.raises(ValueError, match="needs an optimized plan"):
        SweepOptions(optimize=False, stress_replications=10)
    with pytest.raises(ScenarioError, match="no-such-what-if"):
        load_what_ifs(tiny_folder, ["no-such-what-if"])


runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.mark.slow
def test_sweep_command_runs_every_named_scenario(tiny_folder: Path, tmp_path: Path) -> None:
    code, out = run(
        "sweep",
        str(tiny_folder),
        "--all",
        "--scenario",
        "no-dual-sourcing",
        "--time-limit",
        "20",
        "--workers",
        "2",
        "--out",
        str(tmp_path / "s"),
    )
    assert code == 0, out
    assert "running on 2 local processes" in out
    assert "what-ifs compared" in out
    table = pd.read_csv(tmp_path / "s" / "sweep.csv")
    assert list(table["what_if"]) == ["base", "no-dual-sourcing", "primary-down", "tariff-shock"]
    assert (tmp_path / "s" / "results.xlsx").exists()


@pytest.mark.slow
def test_sweep_command_landed_cost_only(tmp_path: Path) -> None:
    code, out = run(
        "sweep",
        str(DTC_BRAND),
        "-s",
        "tariff-shock",
        "--no-base",
        "--landed-cost-only",
        "--workers",
        "1",
        "--out",
        str(tmp_path / "s"),
    )
    assert code == 0, out
    assert "running in this process" in out
    table = pd.read_csv(tmp_path / "s" / "sweep.csv")
    assert list(table["what_if"]) == ["tariff-shock"]
    code, out = run("sweep", str(DTC_BRAND), "--landed-cost-only", "--stress", "5")
    assert code == 1
    assert "needs an optimized plan" in out
