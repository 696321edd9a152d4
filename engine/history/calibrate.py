"""Calibrate a scenario's suppliers on their PO history.

Per supplier of the scenario (``docs/po-history.md`` has the details):

* production lead time mean and std and the on-time rate: one maximum-likelihood fit of the
  simulation's own production-time family to the POs with a ship date
  (``engine.history.lead_time_fit``), with profile-likelihood intervals and a chi-square
  goodness of fit;
* defect rate: rejected / received units over the arrived POs, Wilson interval;
* transit time of each lane with POs (the POs of suppliers at its origin port by its mode,
  with ship and arrival dates): the simulation's transit family, a lognormal rounded to whole
  days, fitted the same way without the slip;
* price drift: the least-squares line of ``invoiced / scenario price-break price`` over the PO
  date, read at the last PO date (where prices are now), t interval; every price break of the
  supplier is multiplied by it.

A figure needs ``min_pos`` POs (default ``MIN_POS``); with fewer the supplier keeps its value
and the change report says why. Everything fitted is written (rounded: days to 0.1, rates and
the price factor to 4 decimals); ``current_inside_ci`` says whether the typed-in value was
already consistent with the history.
"""

from __future__ import annotations

import collections
import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from engine.history.lead_time_fit import fit_lead_times
from engine.history.read import History
from engine.history.scorecards import history_as_of, outcomes
from engine.history.stats import CONFIDENCE, wilson_interval
from engine.scenario import Scenario, load, write_scenario
from engine.scenario.schema import Lane

__all__ = ["MIN_POS", "Calibration", "calibrate", "write_calibrated"]

MIN_POS = 10
"""POs a figure needs before the calibration replaces the typed-in value."""

FIELDS = (
    "production_lead_time_days_mean",
    "production_lead_time_days_std",
    "on_time_rate",
    "defect_rate",
    "price_factor",
)


@dataclass(frozen=True)
class Calibration:
    """The calibrated scenario and what changed.

    Attributes:
        scenario: The scenario with the fitted values (not yet written or re-validated).
        changes: One row per supplier and field: ``current``, ``fitted`` and its ``ci_low`` /
            ``ci_high``, ``pos`` behind it, ``applied`` and the ``reason``.
        fits: One row per fitted lead-time distribution with its goodness of fit.
    """

    scenario: Scenario
    changes: pd.DataFrame
    fits: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"changes": self.changes, "lead_time_fits": self.fits}


def _change(
    supplier: str,
    name: str,
    current: float,
    fitted: float,
    low: float,
    high: float,
    pos: int,
    applied: bool,
    reason: str,
    lane: str = "",
) -> dict[str, object]:
    inside = bool(low <= current <= high) if math.isfinite(low) and math.isfinite(high) else None
    return {
        "supplier": supplier,
        "lane": lane,
        "field": name,
        "current": current,
        "fitted": fitted,
        "ci_low": low,
        "ci_high": high,
        "pos": pos,
        "current_inside_ci": inside,
        "applied": applied,
        "reason": reason,
    }


def _price_level(group: pd.DataFrame) -> tuple[float, float, float, int]:
    """Invoiced / scenario price at the last PO date, with its interval, and the POs used."""
    ok = group["invoiced_unit_price"].notna() & (group["scenario_unit_price"] > 0)
    part = group[ok]
    n = len(part)
    if n < 3:
        return math.nan, math.nan, math.nan, n
    start = min(part["po_date"])
    x = np.array([(d - start).days / 365.25 for d in part["po_date"]])
    y = (part["invoiced_unit_price"] / part["scenario_unit_price"]).to_numpy(dtype=float)
    t = stats.t.ppf(0.5 + CONFIDENCE / 2, n - 2)
    if float(np.ptp(x)) == 0.0:
        half = t * float(np.std(y, ddof=1)) / math.sqrt(n)
        return float(y.mean()), float(y.mean() - half), float(y.mean() + half), n
    fit = stats.linregress(x, y)
    at = float(x.max())
    residual = float(np.sqrt(np.sum((y - fit.intercept - fit.slope * x) ** 2) / (n - 2)))
    half = (
        t * residual * math.sqrt(1 / n + (at - x.mean()) ** 2 / float(np.sum((x - x.mean()) ** 2)))
    )
    level = float(fit.intercept + fit.slope * at)
    return level, level - half, level + half, n


def _matured(group: pd.DataFrame, as_of: dt.date, column: str, start: str) -> np.ndarray:
    """The ``column`` days of the POs whose ``start`` date lies at least the longest such time
    seen before ``as_of``: a later one could still be under way, and keeping only those that
    finished would favour the quick ones."""
    days = group[column].dropna()
    if days.empty:
        return days.to_numpy(dtype=float)
    cutoff = as_of - dt.timedelta(days=int(days.max()))
    matured = group[start].map(lambda d: isinstance(d, dt.date) and d <= cutoff)
    return group.loc[matured & group[column].notna(), column].to_numpy(dtype=float)


def _lanes(
    scenario: Scenario, judged: pd.DataFrame, as_of: dt.date, min_pos: int
) -> tuple[list[Lane], list[dict[str, object]], list[dict[str, object]]]:
    """Transit times of each lane with POs in the history (their supplier's port and mode)."""
    ports = {s.supplier: s.origin_port for s in scenario.suppliers}
    port = judged["supplier"].map(ports)
    same = collections.Counter((lane.origin_port, lane.mode.value) for lane in scenario.lanes)
    lanes: list[Lane] = []
    changes: list[dict[str, object]] = []
    fits: list[dict[str, object]] = []
    for lane in scenario.lanes:
        group = judged[(port == lane.origin_port) & (judged["shipping_mode"] == lane.mode.value)]
        transit = _matured(group, as_of, "transit_days", "actual_ship_date")
        fields = (
            ("transit_days_mean", lane.transit_days_mean),
            ("transit_days_std", lane.transit_days_std),
        )
        if group.empty:
            lanes.append(lane)
            continue
        why = ""
        if same[(lane.origin_port, lane.mode.value)] > 1:
            why = f"kept: more than one lane from {lane.origin_port} by {lane.mode.value}"
        elif len(transit) < min_pos:
            why = (
                f"kept: {len(transit)} POs with ship and arrival dates, calibration needs {min_pos}"
            )
        elif float(np.ptp(transit)) == 0.0:
            why = "kept: every PO took the same number of days (no spread to fit)"
        if why:
            changes.extend(
                _change("", name, now, *(math.nan,) * 3, len(transit), False, why, lane.lane)
                for name, now in fields
            )
            lanes.append(lane)
            continue
        fit = fit_lead_times(transit, slip=False)
        fits.append(
            {"supplier": "", "lane": lane.lane, "family": "lognormal (simulation)"} | fit.__dict__
        )
        reason = f"maximum likelihood on {fit.pos} POs with ship and arrival dates"
        if not math.isnan(fit.p_value):
            reason += f" (goodness of fit p = {fit.p_value:.2f})"
        values = (
            (round(fit.mean_days, 1), fit.mean_ci_low, fit.mean_ci_high),
            (round(fit.std_days, 1), fit.std_ci_low, fit.std_ci_high),
        )
        for (name, now), (value, low, high) in zip(fields, values, strict=True):
            changes.append(
                _change("", name, now, value, low, high, fit.pos, True, reason, lane.lane)
            )
        lanes.append(
            lane.model_copy(
                update={"transit_days_mean": values[0][0], "transit_days_std": values[1][0]}
            )
        )
    return lanes, changes, fits


def calibrate(scenario: Scenario, history: History, min_pos: int = MIN_POS) -> Calibration:
    """Fit the suppliers of ``scenario`` to ``history`` (see the module docstring).

    Args:
        scenario: The scenario as typed in.
        history: Its PO history.
        min_pos: POs a figure needs to replace the typed-in value.
    """
    if min_pos < 3:
        raise ValueError(f"min_pos must be at least 3, got {min_pos}")
    judged = outcomes(history, scenario)
    as_of = history_as_of(history.frame)
    changes: list[dict[str, object]] = []
    fits: list[dict[str, object]] = []
    rows = []
    factors: dict[str, float] = {}
    for row in scenario.suppliers:
        code = row.supplier
        group = judged[judged["supplier"] == code]
        update: dict[str, float] = {}
        production = _matured(group, as_of, "production_days", "po_date")
        lead_fields = (
            ("production_lead_time_days_mean", row.production_lead_time_days_mean),
            ("production_lead_time_days_std", row.production_lead_time_days_std),
            ("on_time_rate", row.on_time_rate),
        )
        if len(production) >= min_pos and float(np.ptp(production)) > 0:
            fit = fit_lead_times(production)
            fits.append(
                {"supplier": code, "family": "lognormal with on-time slip (simulation)"}
                | fit.__dict__
            )
            values = (
                (round(fit.mean_days, 1), fit.mean_ci_low, fit.mean_ci_high),
                (round(fit.std_days, 1), fit.std_ci_low, fit.std_ci_high),
                (round(fit.on_time_rate, 4), fit.on_time_ci_low, fit.on_time_ci_high),
            )
            reason = f"maximum likelihood on {fit.pos} POs with a ship date"
            if not math.isnan(fit.p_value):
                reason += f" (goodness of fit p = {fit.p_value:.2f})"
            for (name, current), (value, low, high) in zip(lead_fields, values, strict=True):
                why = reason
                if name == "on_time_rate" and not fit.on_time_identified:
                    why += "; no lot slips: the rate is the spread's own share by the mean"
                changes.append(_change(code, name, current, value, low, high, fit.pos, True, why))
                update[name] = value
            # the fitted family judges lots at the mean: the simulation's promise is the mean
            update["quoted_lead_time_days"] = values[0][0]
        else:
            why = (
                f"kept: {len(production)} POs with a ship date, calibration needs {min_pos}"
                if len(production) < min_pos
                else "kept: every PO took the same number of days (no spread to fit)"
            )
            for name, current in lead_fields:
                changes.append(
                    _change(
                        code,
                        name,
                        current,
                        math.nan,
                        math.nan,
                        math.nan,
                        len(production),
                        False,
                        why,
                    )
                )
        arrived = group[group["quantity_received"] > 0]
        received = float(arrived["quantity_received"].sum())
        rejected = float(arrived["quantity_rejected"].sum())
        if len(arrived) >= min_pos:
            low, high = wilson_interval(rejected, received)
            value = round(rejected / received, 4)
            changes.append(
                _change(
                    code,
                    "defect_rate",
                    row.defect_rate,
                    value,
                    low,
                    high,
                    len(arrived),
                    True,
                    f"rejected / received over {received:,.0f} units",
                )
            )
            update["defect_rate"] = value
        else:
            changes.append(
                _change(
                    code,
                    "defect_rate",
                    row.defect_rate,
                    math.nan,
                    math.nan,
                    math.nan,
                    len(arrived),
                    False,
                    f"kept: {len(arrived)} POs received, calibration needs {min_pos}",
                )
            )
        level, low, high, n = _price_level(group)
        if n >= min_pos:
            factors[code] = round(level, 4)
            changes.append(
                _change(
                    code,
                    "price_factor",
                    1.0,
                    factors[code],
                    low,
                    high,
                    n,
                    True,
                    "invoiced / price-break price, trend read at the last PO; "
                    "every price break of the supplier multiplied by it",
                )
            )
        else:
            changes.append(
                _change(
                    code,
                    "price_factor",
                    1.0,
                    math.nan,
                    math.nan,
                    math.nan,
                    n,
                    False,
                    f"kept: {n} invoiced POs with a scenario price, calibration needs {min_pos}",
                )
            )
        rows.append(row.model_copy(update=update) if update else row)
    breaks = [
        b.model_copy(update={"unit_price": round(b.unit_price * factors[b.supplier], 4)})
        if b.supplier in factors
        else b
        for b in scenario.price_breaks
    ]
    lanes, lane_changes, lane_fits = _lanes(scenario, judged, as_of, min_pos)
    calibrated = scenario.model_copy(
        update={"suppliers": tuple(rows), "price_breaks": tuple(breaks), "lanes": tuple(lanes)}
    )
    changes.extend(lane_changes)
    fits.extend(lane_fits)
    return Calibration(calibrated, pd.DataFrame(changes), pd.DataFrame(fits))


def write_calibrated(calibration: Calibration, out: Path | str, force: bool = False) -> Path:
    """Write the calibrated scenario to ``out`` (a folder or an ``.xlsx``) and validate it.

    Raises:
        TargetExistsError: if ``out`` holds a scenario and ``force`` is false.
        ScenarioError: if the written scenario does not validate.
    """
    path = write_scenario(calibration.scenario, Path(out), overwrite=force)
    load(path)
    return path
