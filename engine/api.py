"""The public Python API: everything the CLI does, as functions returning typed objects."""

from engine.landed_cost import landed_cost_parts_long, landed_cost_table
from engine.scenario import (
    LoadedScenario,
    Problem,
    Scenario,
    ScenarioError,
    load,
    load_scenario,
    write_scenario,
)
from engine.scenario.generate import generate_scenario

__all__ = [
    "LoadedScenario",
    "Problem",
    "Scenario",
    "ScenarioError",
    "generate_scenario",
    "landed_cost_parts_long",
    "landed_cost_table",
    "load",
    "load_scenario",
    "write_scenario",
]
