"""The benchmark harness runs end to end on its smallest setting and writes its results.

A smoke test only: tiny replication counts and sizes, no timing asserted (benchmarks are not
tests; ``python -m bench`` gives the figures).
"""

from __future__ import annotations

import csv
import json
from dataclasses import replace

import pytest

import bench.harness
import bench.simulation
from bench.cli import main
from bench.harness import run_sections

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
