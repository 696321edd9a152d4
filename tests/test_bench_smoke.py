"""The benchmark harness runs end to end on its smallest setting and writes its results.

A smoke test only: tiny replication counts and sizes, no timing asserted (benchmarks are not
tests; ``python -m bench`` gives the figures).
"""

from __future__ import annotations

import csv
import json
import math
import time
from dataclasses import replace

import pytest

import bench.harness
import bench.optimizer
import bench.simulation
from bench.cli import main
from bench.harness import run_sections
from bench.isolate import CaseFailed, run_case
from bench.sizes import Size

COLUMNS = [
    "section",
    "case",
    "figure",
    "value",
    "unit",
    "value_half_width",
    "baseline",
    "baseline_value",
    "baseline_half_width",
    "ratio",
    "target",
    "met",
    "margin",
    "by_how_much",
    "note",
    "run_at",
    "cpu_model",
    "cpu_count",
    "usable_cores",
    "ram_gb",
    "platform",
    "python",
    "versions",
]

TINY = replace(
    bench.simulation.QUICK,
    stress_skus=3,
    stress_suppliers=2,
    stress_days=20,
    stress_replications=2,
    r4_days=30,
    r4_simpy_replications=3,
    r4_stockpyl_replications=3,
    r4_numpy_replications=5,
    r4_wide_skus=3,
    r4_wide_simpy_replications=1,
    r4_wide_numpy_replications=2,
)


@pytest.mark.slow
def test_quick_simulation_section_writes_csv_and_json(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(bench.simulation, "QUICK", TINY)
    code = main(["--sections", "simulation", "--quick", "--sizes", "S", "--out", str(tmp_path)])
    assert code == 0
    with (tmp_path / "results.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == COLUMNS
        rows = list(reader)
    figures = {row["figure"] for row in rows}
    assert "stress test time for 1,000 replications" in figures
    assert "SimPy engine throughput" in figures
    assert "R4 fill rate, NumPy fast path" in figures
    assert all(row["section"] == "simulation" and row["value"] for row in rows)
    document = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert set(document) == {"machine", "settings", "skipped", "rows"}
    assert {"cpu_count", "ram_gb", "platform", "python", "versions"} <= set(document["machine"])
    assert document["machine"]["versions"]["simpy"]
    assert document["settings"] == {"sections": ["simulation"], "sizes": ["S"], "quick": True}
    assert len(document["rows"]) == len(rows)
    assert "stress test time for 1,000 replications" in capsys.readouterr().out


def test_sections_not_there_yet_are_skipped(monkeypatch):
    monkeypatch.setattr(bench.harness, "SECTIONS", ("not_written_yet", "simulation"))
    run = run_sections(["not_written_yet"], ["S"], quick=True)
    assert run.rows == ()
    assert run.skipped == {"not_written_yet": "bench/not_written_yet.py is not there yet"}


def test_unknown_sections_and_sizes_are_refused():
    with pytest.raises(SystemExit):
        main(["--sections", "everything"])
    with pytest.raises(SystemExit):
        main(["--sizes", "XL"])


TINY_OPTIMIZER = replace(
    bench.optimizer.QUICK,
    sizes={"S": Size("S", skus=3, suppliers=2, periods=4)},  # 3 periods: infeasible
    time_limits={"S": 5.0},
    direct_repeats=1,
    speedup_sizes=("S",),
)


@pytest.mark.slow
def test_quick_optimizer_section_writes_its_figures(tmp_path, monkeypatch):
    monkeypatch.setattr(bench.optimizer, "QUICK", TINY_OPTIMIZER)
    code = main(["--sections", "optimizer", "--quick", "--sizes", "S", "--out", str(tmp_path)])
    assert code == 0
    document = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    rows = {row["figure"]: row for row in document["rows"]}
    assert all(row["section"] == "optimizer" for row in document["rows"])
    for name in (
        "model data (build_model_data)",
        "Pyomo model (build_model)",
        "translation into HiGHS (HighsSession)",
        "model build: data + Pyomo + translation",
        "model build share of total time",
        "gap at the end",
        "objective",
        "peak memory of optimize",
        "time to a first plan",
        "total time on 1 local process",
        "total time on a Dask LocalCluster of 2 workers",
    ):
        assert name in rows, name
    assert rows["independent checker's violations"]["met"] is True
    assert rows["the same plan on 1 process, local processes and Dask"]["met"] is True
    build = rows["model build: data + Pyomo + translation"]
    assert build["value"] > 0 and build["baseline_value"] > 0 and build["ratio"] > 0
    assert rows["model build share of total time"]["met"] in (True, False)
    assert rows["gap at the end"]["met"] in (True, False)
    # the direct highspy build holds the very matrix Pyomo translated
    for name in ("matrix rows", "matrix columns", "matrix nonzeros", "matrix integer columns"):
        assert rows[name]["value"] > 0 and rows[name]["ratio"] == 1, name


def test_optimizer_reports_a_stopped_case_as_missed(monkeypatch):
    def stopped(function, kwargs, timeout=None, memory_limit_mb=None):
        if function.endswith("optimize_case"):
            raise CaseFailed("optimize took too long", "time", 900.0, 5000.0)
        raise CaseFailed("build ran out of memory", "memory", 30.0, 9000.0)

    monkeypatch.setattr(bench.optimizer, "run_case", stopped)
    rows = {row.figure: row for row in bench.optimizer.run(["M"], quick=False)}
    timed = rows["time to a plan within 1 % (total, build included)"]
    assert timed.met is False and "at least 15.00x over" in timed.by_how_much
    assert rows["gap at the end"].met is False
    assert "not measured" in rows["model build: data + Pyomo + translation"].by_how_much
    assert math.isnan(rows["peak memory of optimize"].value)


def sleep_case(seconds: float, megabytes: int = 0) -> dict[str, float]:
    """A case for ``run_case``'s limits: holds ``megabytes`` of memory for ``seconds``."""
    held = bytearray(b"\x01") * (megabytes * 2**20)
    time.sleep(seconds)
    return {"held": float(len(held))}


@pytest.mark.slow
def test_run_case_stops_a_case_at_its_time_and_memory_limits():
    with pytest.raises(CaseFailed) as late:
        run_case("tests.test_bench_smoke:sleep_case", {"seconds": 60}, timeout=1.0)
    assert late.value.reason == "time" and late.value.seconds < 30
    with pytest.raises(CaseFailed) as big:
        run_case(
            "tests.test_bench_smoke:sleep_case",
            {"seconds": 60, "megabytes": 400},
            memory_limit_mb=300.0,
        )
    assert big.value.reason == "memory" and big.value.peak_rss_mb > 300
