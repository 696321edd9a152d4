"""Terminal tables of the scorecards, the rules replay and the calibration (rich)."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import Any

from rich.table import Table

from engine.history.calibrate import Calibration
from engine.history.rules_replay import RulesReplay
from engine.history.scorecards import ALL_PERIODS, Scorecards

__all__ = ["calibration_table", "replay_table", "scorecard_table"]


def _pct(rate: float, low: float, high: float) -> str:
    if rate is None or not math.isfinite(rate):
        return "-"
    return f"{rate:.0%} [{low:.0%}, {high:.0%}]"


def _num(value: float, digits: int = 1) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{value:,.{digits}f}"


def _rate_cell(row: Mapping[Hashable, Any], name: str) -> str:
    rate = _pct(row[f"{name}_rate"], row[f"{name}_ci_low"], row[f"{name}_ci_high"])
    return f"{rate} n={row[f'{name}_pos']}"


def scorecard_table(cards: Scorecards) -> Table:
    """The whole-history figures per supplier, with intervals and the POs behind them."""
    table = Table(
        title=f"supplier scorecards, whole history to {cards.as_of} (rates with 95 % interval)",
        title_justify="left",
    )
    for column in (
        "supplier",
        "POs",
        "on time",
        "in full",
        "OTIF",
        "lead time d (mean / P90)",
        "production d",
        "transit d",
        "defects % (PPM)",
        "price vs agreed",
        "vs price breaks",
        "score [range]",
    ):
        table.add_column(column, justify="left" if column == "supplier" else "right")
    overall = cards.suppliers[cards.suppliers["period"] == ALL_PERIODS]
    for r in overall.to_dict("records"):
        table.add_row(
            r["supplier"],
            str(r["pos"]),
            _rate_cell(r, "on_time"),
            _rate_cell(r, "in_full"),
            _rate_cell(r, "otif"),
            f"{_num(r['lead_time_mean_days'])} / {_num(r['lead_time_p90_days'])} "
            f"n={r['lead_time_pos']}",
            f"{_num(r['production_mean_days'])} ± {_num(r['production_std_days'])}",
            f"{_num(r['transit_mean_days'])} ± {_num(r['transit_std_days'])}",
            f"{_num(r['defect_pct'], 2)} ({_num(r['defect_ppm'], 0)})",
            f"{_num(r['price_variance_agreed_pct'], 2)} %",
            f"{_num(r['price_variance_scenario_pct'], 2)} %",
            f"{_num(r['score'], 0)} [{_num(r['score_ci_low'], 0)}, {_num(r['score_ci_high'], 0)}]",
        )
    return table


def replay_table(replay: RulesReplay) -> Table:
    """Per supplier and rule: firings, POs moved, units moved and the price difference."""
    table = Table(title="decision rules replayed on the history", title_justify="left")
    for column in ("supplier", "rule", "fired", "POs moved", "units moved", "price difference"):
        table.add_column(column, justify="left" if column in ("supplier", "rule") else "right")
    fired = replay.firings[replay.firings["event"].isin(["shift on", "pause"])]
    counts = fired.groupby(["supplier", "rule"]).size()
    moved = replay.moves.groupby(["supplier", "rule"]).agg(
        pos=("po", "count"), units=("moved_units", "sum"), money=("price_difference", "sum")
    )
    keys = sorted(set(counts.index) | set(moved.index))
    for supplier, rule in keys:
        m = moved.loc[(supplier, rule)] if (supplier, rule) in moved.index else None
        table.add_row(
            supplier,
            rule,
            str(int(counts.get((supplier, rule), 0))),
            "0" if m is None else str(int(m["pos"])),
            "0" if m is None else f"{m['units']:,.0f}",
            "0" if m is None else f"{m['money']:+,.0f}",
        )
    return table


def calibration_table(calibration: Calibration) -> Table:
    """The change report, field by field."""
    table = Table(
        title="calibration: scenario value -> fitted [95 % interval]", title_justify="left"
    )
    for column in (
        "supplier / lane",
        "field",
        "current",
        "fitted [95 % CI]",
        "POs",
        "applied",
        "why",
    ):
        table.add_column(column, justify="right" if column in ("current", "POs") else "left")
    for row in calibration.changes.to_dict("records"):
        digits = 1 if "days" in row["field"] else 4
        fitted = "-"
        if math.isfinite(row["fitted"]):
            low, high = row["ci_low"], row["ci_high"]
            fitted = f"{row['fitted']:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"
        table.add_row(
            row["supplier"] or row["lane"],
            row["field"],
            f"{row['current']:.{digits}f}",
            fitted,
            str(row["pos"]),
            "yes" if row["applied"] else "no",
            row["reason"],
        )
    return table
