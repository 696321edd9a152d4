"""`sourcing runs ...` and the runs that `sourcing optimize` and `stress` save."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.runs import RunKind, RunStore
from engine.scenario import load_scenario, write_scenario
from engine.scenario.schema import Scenario
from tests.conftest import tiny_scenario

runner = CliRunner()


def run(*args: str, input: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), input=input)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def costs() -> pd.DataFrame:
    return pd.DataFrame(
        {"component": ["purchase", "freight_variable", "total"], "cost": [900.0, 100.0, 1000.0]}
    )


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store" / "runs.sqlite"


@pytest.fixture
def saved(store_path: Path) -> dict[str, str]:
    """Three runs: a base plan, a 70/30 plan (labelled) and a stress test."""
    store = RunStore(store_path)
    scenario = tiny_scenario()
    base = store.save(
        RunKind.OPTIMIZE,
        scenario,
        "tiny",
        {"summary": pd.DataFrame({"field": ["status"], "value": ["optimal"]}), "costs": costs()},
        {"status": "optimal", "total_cost": 1000.0, "gap": 0.004},
        {"time_limit_seconds": 60.0, "what_if": None},
    )
    split = store.save(
        RunKind.OPTIMIZE,
        scenario,
        "tiny / split-70-30",
        {"costs": costs().assign(cost=lambda f: f["cost"] * 1.1)},
        {"status": "optimal", "total_cost": 1100.0, "gap": 0.002},
        {"time_limit_seconds": 60.0, "what_if": "split-70-30"},
        label="planner split",
    )
    stress = store.save(
        RunKind.STRESS,
        scenario,
        "tiny",
        {"summary": pd.DataFrame({"measure": ["fill_rate"], "mean": [0.93]})},
        {"fill_rate_mean": 0.93, "peak_working_capital_mean": 25_000.0},
        {"replications": 20, "seed": 0},
    )
    return {"base": base, "split": split, "stress": stress}


def test_list_with_store_option(store_path: Path, saved: dict[str, str]) -> None:
    code, out = run("runs", "list", "--store", str(store_path))
    assert code == 0, out
    assert "3 run(s)" in out
    for run_id in saved.values():
        assert run_id in out
    assert "planner split" in out
    assert "total_cost 1,100" in out
    assert out.index(saved["stress"]) < out.index(saved["base"])  # newest first
    code, out = run("runs", "list", "--kind", "stress", "--store", str(store_path))
    assert code == 0, out
    assert saved["stress"] in out and saved["base"] not in out
    assert "fill_rate_mean 93.00%" in out


def test_list_uses_the_environment_variable(
    store_path: Path, saved: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCING_RUN_STORE", str(store_path))
    code, out = run("runs", "list")
    assert code == 0, out
    assert saved["split"] in out


def test_reading_commands_do_not_create_a_store(tmp_path: Path) -> None:
    missing = tmp_path / "new.sqlite"
    code, out = run("runs", "list", "--store", str(missing))
    assert code == 0, out
    assert "no runs in" in out
    code, out = run("runs", "show", "20261123", "--store", str(missing))
    assert code == 1
    assert "no run store at" in out and "new.sqlite" in out
    assert not missing.exists()
    RunStore(missing)
    code, out = run("runs", "list", "--kind", "frontier", "--store", str(missing))
    assert code == 0, out
    assert "no frontier runs in" in out


def test_show_metrics_parameters_tables_and_key_table(
    store_path: Path, saved: dict[str, str]
) -> None:
    code, out = run("runs", "show", saved["base"][:-1], "--store", str(store_path))
    if code == 1 and "several run ids" in out:  # two ids shared all but the last character
        code, out = run("runs", "show", saved["base"], "--store", str(store_path))
    assert code == 0, out
    assert f"run {saved['base']}" in out
    assert "optimize of 'tiny'" in out
    assert "total_cost" in out and "1,000" in out
    assert "time_limit_seconds" in out
    assert "summary" in out and "costs" in out
    assert "freight_variable" in out  # the key table of an optimize run: costs
    code, out = run("runs", "show", saved["base"], "--table", "nope", "--store", str(store_path))
    assert code == 1
    assert "has no table 'nope'" in out


def test_compare_two_runs(store_path: Path, saved: dict[str, str], tmp_path: Path) -> None:
    out_file = tmp_path / "cmp.csv"
    code, out = run(
        "runs",
        "compare",
        saved["base"],
        saved["split"],
        "--out",
        str(out_file),
        "--store",
        str(store_path),
    )
    assert code == 0, out
    assert saved["base"] in out and "planner split" in out
    assert "total_cost" in out and "1,100" in out
    assert "parameters.what_if" in out and "split-70-30" in out
    assert "parameters.time_limit_seconds" not in out
    table = pd.read_csv(out_file)
    assert "total_cost" in set(table["item"])
    code, out = run("runs", "compare", saved["base"], "--store", str(store_path))
    assert code == 1
    assert "at least two runs" in out


def test_label(store_path: Path, saved: dict[str, str]) -> None:
    code, out = run("runs", "label", saved["stress"], "worst case", "--store", str(store_path))
    assert code == 0, out
    assert RunStore(store_path).get(saved["stress"]).label == "worst case"
    code, out = run("runs", "list", "--store", str(store_path))
    assert "worst case" in out


def test_delete_asks_first(store_path: Path, saved: dict[str, str]) -> None:
    code, out = run("runs", "delete", saved["stress"], "--store", str(store_path), input="n\n")
    assert code == 1
    assert "nothing deleted" in out
    assert len(RunStore(store_path).list_runs()) == 3
    code, out = run("runs", "delete", saved["stress"], "--store", str(store_path), input="y\n")
    assert code == 0, out
    assert f"deleted run {saved['stress']}" in out
    code, out = run("runs", "delete", saved["split"], "--yes", "--store", str(store_path))
    assert code == 0, out
    assert list(RunStore(store_path).list_runs()["run_id"]) == [saved["base"]]
    code, out = run("runs", "delete", saved["split"], "--yes", "--store", str(store_path))
    assert code == 1
    assert f"No run '{saved['split']}'" in out
    assert "sourcing runs list" in out


@pytest.mark.slow
def test_export_to_a_folder_and_a_workbook(
    store_path: Path, saved: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "export"
    code, out = run(
        "runs", "export", saved["base"], "--out", str(folder), "--store", str(store_path)
    )
    assert code == 0, out
    names = {p.name for p in folder.iterdir()}
    assert names == {"summary.csv", "costs.csv", "results.xlsx", "scenario.xlsx", "run.json"}
    pd.testing.assert_frame_equal(pd.read_csv(folder / "costs.csv"), costs())
    assert load_scenario(folder / "scenario.xlsx") == tiny_scenario()
    info = json.loads((folder / "run.json").read_text())
    assert info["run_id"] == saved["base"]
    assert info["metrics"]["total_cost"] == 1000.0
    code, out = run(
        "runs", "export", saved["base"], "--out", str(folder), "--store", str(store_path)
    )
    assert code == 1
    assert "--force" in out
    code, out = run(
        "runs", "export", saved["base"], "--out", str(folder), "--force", "--store", str(store_path)
    )
    assert code == 0, out

    book = tmp_path / "split.xlsx"
    code, out = run(
        "runs", "export", saved["split"], "--out", str(book), "--store", str(store_path)
    )
    assert code == 0, out
    sheets = pd.read_excel(book, sheet_name=None)
    assert list(sheets) == ["run", "costs"]
    assert "planner split" in set(sheets["run"]["value"].astype(str))
    assert load_scenario(tmp_path / "split_scenario.xlsx") == tiny_scenario()
    code, out = run(
        "runs", "export", saved["split"], "--out", str(book), "--store", str(store_path)
    )
    assert code == 1
    assert "--force" in out


def test_a_corrupt_store_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    path.write_bytes(b"definitely not a database" * 100)
    for args in (["list"], ["show", "x"], ["delete", "x", "--yes"], ["compare", "a", "b"]):
        code, out = run("runs", *args, "--store", str(path))
        assert code == 1
        assert "runs.sqlite" in out
        assert "left untouched" in out
    assert path.read_bytes() == b"definitely not a database" * 100


def test_a_folder_as_store_is_a_clear_error(tmp_path: Path) -> None:
    code, out = run("runs", "list", "--store", str(tmp_path))
    assert code == 1
    assert "is a folder" in out


@pytest.fixture
def tiny_folder(tmp_path: Path) -> Path:
    """The tiny scenario with a 12-week horizon (so the plan has lead time) and a what-if."""
    scenario: Scenario = tiny_scenario()
    horizon = scenario.horizon.model_copy(update={"periods": 12})
    overrides = {**scenario.overrides, "dear-money": {"finance.annual_cost_of_capital": 0.3}}
    scenario = scenario.model_copy(update={"horizon": horizon, "overrides": overrides})
    write_scenario(scenario, tmp_path / "tiny")
    return tmp_path / "tiny"


@pytest.mark.slow
def test_optimize_saves_a_run(tiny_folder: Path, tmp_path: Path) -> None:
    store_path = tmp_path / "opt.sqlite"
    code, out = run(
        "optimize",
        str(tiny_folder),
        "--scenario",
        "dear-money",
        "--time-limit",
        "20",
        "--out",
        str(tmp_path / "plan"),
        "--store",
        str(store_path),
    )
    assert code == 0, out
    assert "Saved as run " in out
    store = RunStore(store_path)
    runs = store.list_runs()
    assert len(runs) == 1
    run_id = runs["run_id"].iloc[0]
    assert run_id in out and str(store_path) in out
    saved = store.get(run_id)
    assert saved.kind is RunKind.OPTIMIZE
    assert saved.scenario_name == "tiny / dear-money"
    assert saved.metrics["status"] == "optimal"
    assert saved.parameters["time_limit_seconds"] == 20.0
    assert saved.parameters["what_if"] == "dear-money"
    assert saved.scenario == load_scenario(tiny_folder, "dear-money")
    written = pd.read_csv(tmp_path / "plan" / "purchase_orders.csv")
    assert len(saved.tables["purchase_orders"]) == len(written) > 0
    assert saved.metrics["total_cost"] == pytest.approx(
        saved.tables["costs"].set_index("component").loc["total", "cost"]
    )

    code, out = run(
        "optimize",
        str(tiny_folder),
        "--time-limit",
        "20",
        "--out",
        str(tmp_path / "plan2"),
        "--store",
        str(store_path),
        "--no-store",
    )
    assert code == 0, out
    assert "Saved as run" not in out
    assert len(store.list_runs()) == 1


@pytest.mark.slow
def test_stress_runs_go_to_the_environment_store(
    tiny_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_path = tmp_path / "env" / "runs.sqlite"
    monkeypatch.setenv("SOURCING_RUN_STORE", str(store_path))
    code, out = run(
        "stress",
        str(tiny_folder),
        "--policy",
        "base_stock",
        "--replications",
        "2",
        "--out",
        str(tmp_path / "s1"),
    )
    assert code == 0, out
    code, out = run(
        "stress",
        str(tiny_folder),
        "--compare",
        "dear-money",
        "--replications",
        "2",
        "--time-limit",
        "20",
        "--out",
        str(tmp_path / "s2"),
    )
    assert code == 0, out
    store = RunStore(store_path)
    compared, stressed = (store.get(r) for r in store.list_runs()["run_id"])
    assert stressed.kind is RunKind.STRESS
    assert stressed.parameters["policy"] == "base_stock"
    assert stressed.parameters["replications"] == 2
    assert 0 <= float(stressed.metrics["fill_rate_mean"] or 0) <= 1
    assert set(stressed.tables) == {"summary", "replications", "fan", "skus", "suppliers"}
    assert compared.kind is RunKind.COMPARE
    assert compared.scenario_name == "tiny vs dear-money"
    assert {"a_summary", "b_summary", "a_fan", "difference", "plan_costs"} <= set(compared.tables)
    assert "fill_rate_difference" in compared.metrics


@pytest.mark.slow
def test_a_broken_store_does_not_fail_the_command(tiny_folder: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"\x00garbage" * 512)
    code, out = run(
        "stress",
        str(tiny_folder),
        "--policy",
        "base_stock",
        "--replications",
        "2",
        "--out",
        str(tmp_path / "s"),
        "--store",
        str(bad),
    )
    assert code == 0, out
    assert "was not saved in the run store" in out
    assert (tmp_path / "s" / "summary.csv").exists()
    assert bad.read_bytes() == b"\x00garbage" * 512
