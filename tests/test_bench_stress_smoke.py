"""The stress benchmark section runs end to end on a tiny setting (no timing asserted)."""

from __future__ import annotations

from dataclasses import replace

import bench.stress

TINY = replace(
    bench.stress.QUICK,
    skus=4,
    suppliers=3,
    periods=6,
    period_days=10,
    replications=4,
    simpy_replications=2,
    work_scale=0.1,
)


def test_the_stress_section_compares_both_engines_on_a_plan_and_a_policy() -> None:
    rows = bench.stress.rows_of(TINY) + bench.stress.policy_rows(TINY, days=20, suppliers=2)
    figures = [row.figure for row in rows]
    assert figures.count("stress test time for 4 replications") == 2
    assert "fill_rate (mean)" in figures
    timing = rows[0]
    assert timing.value > 0 and timing.baseline_value > 0
    assert "vectorized" in timing.note and "SimPy" in timing.note


def test_the_stress_section_times_each_new_feature_on_both_engines() -> None:
    tiny = replace(TINY, feature_replications=4, feature_simpy_replications=2)
    rows = bench.stress.feature_rows(tiny, days=30, suppliers=2)
    timings = [row for row in rows if row.figure == "stress test time for 4 replications"]
    assert len(timings) == 3
    assert all(row.value > 0 and row.baseline_value > 0 for row in timings)
    figures = {row.figure for row in rows}
    assert {"expedite_cost (mean)", "disruptions (mean)", "duty_paid (mean)"} <= figures
