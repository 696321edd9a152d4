"""One benchmark figure against its baseline and target: ``BenchRow`` and how it is judged."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

__all__ = ["ROW_COLUMNS", "BenchRow", "Goal", "Target", "equal_within", "figure"]


class Goal(StrEnum):
    """What a target asks of a number."""

    AT_MOST = "<="
    AT_LEAST = ">="


@dataclass(frozen=True)
class Target:
    """A target on a figure's value or on its ratio to the baseline.

    Attributes:
        goal: At most or at least.
        threshold: The limit.
        on_ratio: True when the target is on ``value / baseline value``, else on the value.
        text: How the issue states it, e.g. ``"<= 30 s for 1,000 replications"``.
    """

    goal: Goal
    threshold: float
    on_ratio: bool
    text: str


@dataclass(frozen=True)
class BenchRow:
    """One figure of a benchmark run.

    Attributes:
        section: Benchmark section (``simulation``, ``optimizer``).
        case: What was run, e.g. ``stress 100 SKUs x 365 d``.
        figure: What the number is.
        value: The number.
        unit: Its unit.
        value_half_width: Half-width of its 99 % confidence interval (Monte Carlo figures).
        baseline: What it is compared with, in the same run.
        baseline_value: The baseline's number, same unit.
        baseline_half_width: Half-width of the baseline's 99 % interval.
        ratio: ``value / baseline_value``.
        target: The target as stated, or blank.
        met: Whether the target is met (None without a target).
        margin: By how much, as a factor that is at least 1 when met: limit / value for an
            upper limit, value / limit for a lower one, half-width / |difference| for
            equality within Monte Carlo error.
        by_how_much: The same in words.
        note: Anything a reader needs (extrapolations, settings, published values).
    """

    section: str
    case: str
    figure: str
    value: float
    unit: str
    value_half_width: float = math.nan
    baseline: str = ""
    baseline_value: float = math.nan
    baseline_half_width: float = math.nan
    ratio: float = math.nan
    target: str = ""
    met: bool | None = None
    margin: float = math.nan
    by_how_much: str = ""
    note: str = ""

    def record(self) -> dict[str, Any]:
        """The row as a plain dict (NaN kept as NaN)."""
        return asdict(self)


ROW_COLUMNS: tuple[str, ...] = tuple(BenchRow.__dataclass_fields__)
"""Columns of results.csv (then the machine columns)."""


def _ratio(value: float, baseline_value: float) -> float:
    if math.isnan(baseline_value) or baseline_value == 0:
        return math.nan
    return value / baseline_value


def _judge(actual: float, target: Target, unit: str) -> tuple[bool, float, str]:
    """Met, margin and words for a number against a target."""
    limit = target.threshold
    shown = f"{actual:.3g}{'x' if target.on_ratio else ' ' + unit}"
    wanted = f"{target.goal.value} {limit:g}{'x' if target.on_ratio else ' ' + unit}"
    if target.goal is Goal.AT_MOST:
        margin = limit / actual if actual > 0 else math.inf
        if margin >= 1:
            return True, margin, f"met: {margin:.2f}x under the limit ({shown} vs {wanted})"
        return False, margin, f"missed: {1 / margin:.2f}x over the limit ({shown} vs {wanted})"
    margin = actual / limit if limit > 0 else math.inf
    if margin >= 1:
        return True, margin, f"met: {margin:.2f}x above the target ({shown} vs {wanted})"
    short = 1 / margin if margin > 0 else math.inf
    return False, margin, f"missed: {short:.2f}x short of the target ({shown} vs {wanted})"


def figure(
    section: str,
    case: str,
    name: str,
    value: float,
    unit: str,
    *,
    baseline: str = "",
    baseline_value: float = math.nan,
    target: Target | None = None,
    note: str = "",
) -> BenchRow:
    """A figure with its ratio to the baseline and, if it has one, its target judged."""
    ratio = _ratio(value, baseline_value)
    met: bool | None = None
    margin, words = math.nan, ""
    if target is not None:
        actual = ratio if target.on_ratio else value
        if not math.isnan(actual):
            met, margin, words = _judge(actual, target, unit)
        else:
            words = "not judged: no baseline"
    return BenchRow(
        section=section,
        case=case,
        figure=name,
        value=value,
        unit=unit,
        baseline=baseline,
        baseline_value=baseline_value,
        ratio=ratio,
        target=target.text if target else "",
        met=met,
        margin=margin,
        by_how_much=words,
        note=note,
    )


def equal_within(
    section: str,
    case: str,
    name: str,
    unit: str,
    value: tuple[float, float],
    baseline: str,
    baseline_value: tuple[float, float],
    difference_half_width: float,
    note: str = "",
) -> BenchRow:
    """Two Monte Carlo means that should agree: ``value`` and ``baseline_value`` are
    ``(mean, half-width of its 99 % interval)``; met when the difference lies within the 99 %
    interval of the difference (``difference_half_width``)."""
    difference = value[0] - baseline_value[0]
    met = abs(difference) <= difference_half_width
    margin = difference_half_width / abs(difference) if difference else math.inf
    words = (
        f"{'met' if met else 'missed'}: difference {difference:+.4g} "
        f"{'within' if met else 'outside'} ±{difference_half_width:.3g} (99 %)"
    )
    return BenchRow(
        section=section,
        case=case,
        figure=name,
        value=value[0],
        unit=unit,
        value_half_width=value[1],
        baseline=baseline,
        baseline_value=baseline_value[0],
        baseline_half_width=baseline_value[1],
        ratio=_ratio(value[0], baseline_value[0]),
        target="equal within Monte Carlo error",
        met=met,
        margin=margin,
        by_how_much=words,
        note=note,
    )
