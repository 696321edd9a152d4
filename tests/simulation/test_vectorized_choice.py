"""One entry point: the vectorized engine runs whenever it covers the run, and says so.

The event log needs the SimPy engine (chosen, with the reason; forcing the vectorized engine
on it is a clear error); ``sourcing stress`` prints the engine that ran
and ``--engine`` forces one. Same seed, same numbers.
"""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.simulation import (
    SimulationOptions,
)
from engine.simulation.vectorized import Engine, choose_engine, stress_on_engine
from tests.simulation.builders import one_sku
from tests.simulation.vectorized_checks import EXAMPLES, plan_of


def test_forcing_the_vectorized_engine_on_the_event_log_is_refused() -> None:
    with pytest.raises(ValueError, match="does not play the event log"):
        choose_engine(SimulationOptions(record_events=True), requested="fast")


def test_the_event_log_runs_on_the_simpy_engine_and_the_rest_on_the_vectorized_one() -> None:
    assert choose_engine(SimulationOptions(record_events=True)).engine is Engine.SIMPY
    assert choose_engine().engine is Engine.FAST
    assert choose_engine(requested="simpy").engine is Engine.SIMPY
    with pytest.raises(ValueError, match="unknown engine"):
        choose_engine(requested="warp")


def test_the_entry_point_runs_the_chosen_engine_with_the_same_numbers_for_the_same_seed() -> None:
    scenario = one_sku(periods=60, demand_mean=10.0, demand_std=4.0, lead_days=5.0, lead_std=2.0)
    driver = plan_of((1, 200), (20, 200), (40, 200))
    fast, choice = stress_on_engine(scenario, driver, 40, seed=3)
    again, _ = stress_on_engine(scenario, driver, 40, seed=3)
    other, _ = stress_on_engine(scenario, driver, 40, seed=4)
    assert choice.engine is Engine.FAST
    assert fast.events.empty and fast.replications == 40 and fast.seed == 3
    assert fast.measures.equals(again.measures)
    assert not fast.measures.equals(other.measures)
    simpy, forced = stress_on_engine(scenario, driver, 5, seed=3, engine="simpy")
    assert forced.engine is Engine.SIMPY
    assert list(simpy.measures.columns) == list(fast.measures.columns)
    assert np.isfinite(fast.measure("fill_rate")["mean"])


def test_sourcing_stress_says_which_engine_ran(tmp_path) -> None:
    runner = CliRunner()
    common = ["stress", str(EXAMPLES / "dtc-brand"), "--policy", "base_stock", "--no-store"]
    common += ["--replications", "4"]
    chosen = runner.invoke(app, [*common, "--out", str(tmp_path / "a")])
    assert chosen.exit_code == 0, chosen.output
    assert "engine: fast (vectorized)" in chosen.output
    forced = runner.invoke(app, [*common, "--engine", "simpy", "--out", str(tmp_path / "b")])
    assert forced.exit_code == 0, forced.output
    assert "engine: simpy" in forced.output
    wrong = runner.invoke(app, [*common, "--engine", "warp", "--out", str(tmp_path / "c")])
    assert wrong.exit_code != 0
    assert "unknown engine 'warp'" in wrong.output
