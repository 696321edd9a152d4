"""Scenarios: the schema, reading and writing files, what-if overrides and validation."""

from engine.scenario.errors import Problem, ScenarioError, Severity
from engine.scenario.load import LoadedScenario, load, load_scenario
from engine.scenario.schema import Scenario
from engine.scenario.write import TargetExistsError, write_scenario

__all__ = [
    "LoadedScenario",
    "Problem",
    "Scenario",
    "ScenarioError",
    "Severity",
    "TargetExistsError",
    "load",
    "load_scenario",
    "write_scenario",
]
