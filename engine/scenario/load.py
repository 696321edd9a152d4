"""Load a scenario: read the files, apply the chosen what-if, validate, check."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.scenario.errors import Problem
from engine.scenario.overrides import Change, resolve_scenario
from engine.scenario.read import read_raw
from engine.scenario.schema import Scenario
from engine.scenario.validate import validate_raw


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario with the warnings about it and the overrides applied to it."""

    scenario: Scenario
    warnings: list[Problem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)


def load(
    path: Path | str,
    scenario_name: str | None = None,
    set_values: Mapping[str, Any] | None = None,
) -> LoadedScenario:
    """Read, override and validate the scenario at ``path``.

    Args:
        path: a folder holding ``scenario.yaml``, a YAML file, or an ``.xlsx`` workbook.
        scenario_name: a named scenario (or a single named override) to apply.
        set_values: last-layer ``dotted.key -> value`` changes (CLI ``--set``, the UI).

    Raises:
        ScenarioError: with every problem found, if the scenario cannot be used.
    """
    raw = read_raw(Path(path))
    raw, changes = resolve_scenario(raw, scenario_name, set_values)
    scenario, warnings = validate_raw(raw)
    return LoadedScenario(scenario=scenario, warnings=warnings, changes=changes)


def load_scenario(
    path: Path | str,
    scenario_name: str | None = None,
    set_values: Mapping[str, Any] | None = None,
) -> Scenario:
    """The validated scenario at ``path`` (see :func:`load`)."""
    return load(path, scenario_name, set_values).scenario
