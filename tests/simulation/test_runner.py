"""Seeded Monte Carlo: determinism, worker independence, common random numbers, summaries."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from engine.scenario.schema import Scenario
from engine.simulation import (
    BaseStock,
    DecisionRules,
    ExpediteRule,
    LateShiftRule,
    SimulationOptions,
    compare,
    run_replication,
    stress_test,
)
from engine.simulation.measures import summarize, t_quantile
from tests.conftest import tiny_scenario
from tests.simulation.builders import with_changes


def noisy_scenario(periods: int = 16) -> Scenario:
    """The tiny scenario with spread everywhere and a random shutdown, over 16 weeks."""
    base = tiny_scenario()
    dump = base.model_dump()
    for row in dump["suppliers"]:
        row["production_lead_time_days_std"] = 5.0
        row["defect_rate"] = 0.02
        row["on_time_rate"] = 0.4
    for row in dump["lanes"]:
        row["transit_days_std"] = 4.0
    dump["skus"][0]["demand_std_units_per_period"] = 30.0
    dump["horizon"]["periods"] = periods
    dump["disruptions"] = [
        {
            "kind": "supplier_shutdown",
            "supplier": "VN-1",
            "start_day": 0,
            "length_days": 20,
            "probability": 0.5,
            "random_start": True,
        }
    ]
    return with_changes(base, **dump)


DRIVER = BaseStock(
    {"A": 700.0, "B": 350.0},
    review_days=7,
    rules=DecisionRules(
        late_shift=LateShiftRule(consecutive_late=2, shift_share=0.3),
        expedite=ExpediteRule(cover_days=10.0),
    ),
)


def frames(result) -> dict[str, pd.DataFrame]:
    return {
        "measures": result.measures,
        "daily": result.daily,
        "skus": result.skus,
        "suppliers": result.suppliers,
    }


@pytest.fixture(scope="module")
def serial():
    return stress_test(noisy_scenario(), DRIVER, replications=6, seed=42)


def test_same_seed_gives_identical_frames(serial):
    again = stress_test(noisy_scenario(), DRIVER, replications=6, seed=42)
    for name, frame in frames(serial).items():
        pd.testing.assert_frame_equal(frame, frames(again)[name], obj=name)


def test_worker_count_does_not_change_the_result(serial):
    calls: list[tuple[int, int]] = []
    parallel = stress_test(
        noisy_scenario(),
        DRIVER,
        replications=6,
        seed=42,
        workers=2,
        progress=lambda done, total: calls.append((done, total)),
    )
    for name, frame in frames(serial).items():
        pd.testing.assert_frame_equal(frame, frames(parallel)[name], obj=name)
    assert calls[-1] == (6, 6)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_a_replication_does_not_depend_on_how_many_run(serial):
    fewer = stress_test(noisy_scenario(), DRIVER, replications=3, seed=42)
    pd.testing.assert_frame_equal(fewer.measures, serial.measures.iloc[:3])
    single = run_replication(noisy_scenario(), DRIVER, seed=42, replication=4)
    row = serial.measures.iloc[4].to_dict()
    assert single.measures == pytest.approx(row, nan_ok=True)


def test_recording_events_does_not_change_the_measures(serial):
    recorded = run_replication(
        noisy_scenario(), DRIVER, seed=42, replication=2, options=SimulationOptions()
    )
    assert not recorded.events.empty
    assert recorded.measures == pytest.approx(serial.measures.iloc[2].to_dict(), nan_ok=True)


def test_another_seed_gives_other_draws(serial):
    other = stress_test(noisy_scenario(), DRIVER, replications=6, seed=43)
    assert not other.measures["demand_units"].equals(serial.measures["demand_units"])


def test_progress_in_one_process():
    calls: list[tuple[int, int]] = []
    stress_test(
        noisy_scenario(4), DRIVER, replications=3, seed=1, progress=lambda *a: calls.append(a)
    )
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_stress_result_tables(serial):
    assert serial.replications == 6
    assert serial.measures["replication"].tolist() == list(range(6))
    assert set(serial.daily.columns) >= {"replication", "day", "cash"}
    assert len(serial.daily) == 6 * 16 * 7
    curve = serial.cash_curve_summary()
    assert curve.columns.tolist() == ["day", "mean", "p5", "p50", "p95"]
    assert (curve["p5"] <= curve["p50"]).all() and (curve["p50"] <= curve["p95"]).all()
    fill = serial.measure("fill_rate")
    assert fill["ci_low"] <= fill["mean"] <= fill["ci_high"]
    assert fill["p5"] <= fill["p50"] <= fill["p95"]
    assert set(serial.tables()) == {
        "summary",
        "replications",
        "cash_curve",
        "daily",
        "skus",
        "suppliers",
        "events",
    }
    assert set(serial.suppliers["supplier"]) == {"CN-1", "VN-1"}


@pytest.mark.slow
def test_common_random_numbers_tighten_the_paired_difference():
    more_stock = BaseStock({"A": 800.0, "B": 400.0}, review_days=7)
    less_stock = BaseStock({"A": 700.0, "B": 350.0}, review_days=7)
    result = compare(noisy_scenario(), less_stock, more_stock, replications=30, seed=7)
    summary = result.summary.set_index("measure")
    # the very same demand in both runs: the difference is exactly 0
    assert summary.loc["demand_units", "mean_difference"] == 0.0
    assert summary.loc["demand_units", "ci_high"] - summary.loc["demand_units", "ci_low"] == 0.0
    for measure in ("fill_rate", "mean_on_hand_units", "lost_revenue", "peak_working_capital"):
        row = summary.loc[measure]
        paired = row["ci_high"] - row["ci_low"]
        unpaired = row["unpaired_ci_high"] - row["unpaired_ci_low"]
        assert paired < unpaired / 2, measure
    # more stock: more on hand, at least as good a fill rate, on every replication
    diffs = result.differences
    assert (diffs["mean_on_hand_units"] > 0).all()
    assert summary.loc["mean_on_hand_units", "ci_low"] > 0
    assert len(diffs) == 30


def test_summary_statistics_and_t_quantiles():
    assert t_quantile(0.975, 1) == pytest.approx(12.7062, abs=1e-4)
    assert t_quantile(0.975, 2) == pytest.approx(4.3027, abs=1e-4)
    assert t_quantile(0.975, 3) == pytest.approx(3.1824, abs=1e-3)
    assert t_quantile(0.995, 4) == pytest.approx(4.6041, abs=1e-3)
    assert t_quantile(0.975, 5) == pytest.approx(2.5706, abs=1e-3)
    assert t_quantile(0.975, 29) == pytest.approx(2.0452, abs=1e-4)
    assert t_quantile(0.995, 199) == pytest.approx(2.6008, abs=1e-4)
    frame = pd.DataFrame({"replication": range(5), "x": [1.0, 2.0, 3.0, 4.0, 5.0]})
    row = summarize(frame).set_index("measure").loc["x"]
    assert row["mean"] == 3.0
    assert row["p50"] == 3.0
    assert row["p5"] == pytest.approx(1.2)
    half = t_quantile(0.975, 4) * np.std([1, 2, 3, 4, 5], ddof=1) / math.sqrt(5)
    assert row["ci_high"] - row["mean"] == pytest.approx(half)
    assert summarize(pd.DataFrame({"x": [math.nan]}))["n"].tolist() == [0]
