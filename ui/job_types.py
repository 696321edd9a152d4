"""What a job hands back and how it reports: the types that ``ui.tasks`` (the work),
``ui.jobs`` (running it on the server) and ``ui.state`` (the session) share, so that none of
them imports another for them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from engine.api import ResilienceResult
from engine.runs.jobs import Cancelled, Progress

__all__ = ["Cancelled", "Outcome", "Progress", "TaskResult", "outcome_of_run"]


@dataclass(frozen=True)
class Outcome:
    """What a task hands back: tables and metrics, and the run they were saved as.

    Attributes:
        tables: Result tables by name.
        metrics: Headline figures.
        run_id: The stored run (None when saving failed).
        save_error: Why the run could not be saved.
        currency: The scenario's currency, for labels.
        start_date: The horizon's first day, for dates on charts.
        period_days: Days per period.
    """

    tables: dict[str, pd.DataFrame]
    metrics: dict[str, Any]
    run_id: str | None = None
    save_error: str | None = None
    currency: str = "USD"
    start_date: dt.date | None = None
    period_days: int = 7


def outcome_of_run(run: Any) -> Outcome:
    """A stored run as an outcome, so every view can show it again."""
    horizon = run.scenario.horizon
    return Outcome(
        tables=dict(run.tables),
        metrics=dict(run.metrics),
        run_id=run.run_id,
        currency=run.scenario.finance.currency,
        start_date=horizon.start_date,
        period_days=horizon.period_length_days,
    )


TaskResult = Outcome | ResilienceResult
"""What a task hands back: an ``Outcome`` (a run saved in the store) or, for the resilience
page, its ``ResilienceResult`` (shown, not stored as a run)."""
