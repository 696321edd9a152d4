"""One entry point: the vectorized engine runs whenever it covers the run, and says so.

Decision rules and the event log need the SimPy engine (chosen, with the reason; forcing the
vectorized engine on them is a clear error); ``sourcing stress`` prints the engine that ran
and ``--engine`` forces one. Same seed, same numbers.
"""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.scenario.load import load_scenario
from engine.simulation import (
    BaseStock,
    DecisionRules,
    DefectPauseRule,
    ExpediteRule,
    LateShiftRule,
    SimulationOptions,
)
from engine.simulation.vectorized import Engine, choose_engine, stress_on_engine
from tests.conftest import DTC_BRAND
from tests.simulation.builders import one_sku
from tests.simulation.vectorized_checks import EXAMPLES, plan_of

PLAIN = BaseStock({"A": 100.0}, review_days=7)


@pytest.mark.parametrize(
    ("rules", "named"),
    [
        (DecisionRules(expedite=ExpediteRule()), "expedite"),
    ],
)
def test_a_decision_rule_runs_on_the_simpy_engine(rules: DecisionRules, named: str) -> None:
    driver = BaseStock({"A": 100.0}, review_days=7, rules=rules)
    choice = choose_engine(driver)
    assert choice.engine is Engine.SIMPY
    assert named in choice.reason
    with pytest.raises(ValueError, match=f"does not play the {named} rule"):
        choose_engine(driver, requested="fast")


def test_the_late_shift_and_defect_pause_rules_run_on_the_vectorized_engine() -> None:
    rules = DecisionRules(late_shift=LateShiftRule(), defect_pause=DefectPauseRule(0.1))
    assert choose_engine(BaseStock({"A": 100.0}, rules=rules)).engine is Engine.FAST


def test_the_event_log_runs_on_the_simpy_engine_and_the_rest_on_the_vectorized_one() -> None:
    assert choose_engine(PLAIN, SimulationOptions(record_events=True)).engine is Engine.SIMPY
    assert choose_engine(PLAIN).engine is Engine.FAST
    assert choose_engine(PLAIN, requested="simpy").engine is Engine.SIMPY
    with pytest.raises(ValueError, match="unknown engine"):
        choose_engine(PLAIN, requested="warp")


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


def test_recurring_outages_and_direct_fulfilment_run_on_the_vectorized_engine() -> None:
    """Two features the vectorized engine took over (``test_vectorized_features``)."""
    from engine.scenario.schema import FulfilmentModel, RecurringOutage

    scenario = load_scenario(DTC_BRAND)
    outage = RecurringOutage(
        kind="recurring_outage", supplier="GZ-01", mean_up_days=60, mean_down_days=5
    )
    with_outage = scenario.model_copy(update={"disruptions": (*scenario.disruptions, outage)})
    assert choose_engine(PLAIN, scenario=with_outage).engine is Engine.FAST
    fulfilment = scenario.fulfilment.model_copy(update={"model": FulfilmentModel.DIRECT})
    direct = scenario.model_copy(update={"fulfilment": fulfilment})
    assert choose_engine(PLAIN, scenario=direct).engine is Engine.FAST
