"""What a stored run is: its kind and the record the store hands back."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pandas as pd

from engine.scenario.schema import Scenario

Metrics = dict[str, float | str | None]
"""Headline figures of a run by name: numbers, short texts (a status) or None (no value)."""


class RunKind(StrEnum):
    """Which command (or UI page) produced a run."""

    OPTIMIZE = "optimize"
    STRESS = "stress"
    FRONTIER = "frontier"
    COMPARE = "compare"


@dataclass(frozen=True, eq=False)
class Run:
    """One stored run: what was run on which scenario, with which options, and what came out.

    Attributes:
        run_id: Short, unique and sortable by time, e.g. ``20261123-091530-ab12``.
        created_at: When it was saved (UTC, tz-aware).
        kind: The command that produced it.
        scenario_name: The scenario's name and the what-if applied, e.g.
            ``dtc-brand / split-70-30``.
        label: The user's label, may be ``""``.
        parameters: The options used (time limit, gap, policy, replications, seed, ...), as JSON.
        metrics: Headline figures (status, total_cost, gap, fill_rate_mean, ...).
        tables: The result tables by name, in the order saved.
        scenario: A snapshot of the scenario the run used.
    """

    run_id: str
    created_at: dt.datetime
    kind: RunKind
    scenario_name: str
    label: str
    parameters: dict[str, Any]
    metrics: Metrics
    tables: dict[str, pd.DataFrame]
    scenario: Scenario

    @property
    def title(self) -> str:
        """The run id followed by its label, if any (how a run is named in comparisons)."""
        return run_title(self.run_id, self.label)


def run_title(run_id: str, label: str) -> str:
    """``run_id`` alone, or ``run_id label`` when the run has a label."""
    return f"{run_id} {label}" if label else run_id
