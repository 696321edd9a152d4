"""Supplier scorecards from a PO history: delivery, quality, lead time and cost, with the POs
behind each figure, confidence intervals, a trend and a weighted score.

Definitions (``docs/po-history.md`` has them with examples):

* **On time**: a PO is judged on its ship date when it has a promised ship date (or a quoted
  lead time) and a ship date: on time when ``actual_ship_date <= promised_ship_date +
  tolerance``; else on its arrival against ``promised_arrival_date``. A PO whose promised date
  has passed (by the history's last PO, ship or arrival date) with nothing shipped or arrived
  is late. Other POs are not judged.
* **In full**: an arrived PO with ``quantity_received >= quantity_ordered * (1 -
  in_full_tolerance)``.
* **OTIF**: on time and in full (a late PO is not OTIF whether or not it has arrived).
* **Lead time**: PO date to arrival (days), production = PO date to ship, transit = ship to
  arrival (where the ship date is known); mean with its t interval, std (n - 1), P90 (linear
  between order statistics).
* **Defects**: rejected / received units over the arrived POs, in % and PPM, Wilson interval on
  units (the simulation's model: each unit rejected independently).
* **Price variance**: ``sum(q * (invoiced - reference)) / sum(q * reference)`` over POs with an
  invoiced price, ``q`` the ordered units; the reference is the agreed price, or the
  scenario's price-break price for the PO quantity (``OfferInfo.unit_price``).
* **Rates** carry a Wilson interval, means a t interval; ``*_pos`` is how many POs each uses.
* **Score** (0-100): the weighted mean of the components a supplier has data for: OTIF
  ``100 * otif_rate``; quality ``100 * max(0, 1 - defect_rate / 5 %)``; cost
  ``100 * clip(1 - price variance vs agreed / 10 %, 0, 1)`` (paying less than agreed scores
  100); lead time ``100 * max(0, 1 - CV / 0.5)`` with ``CV = std / mean`` of the lead time.
  Default weights: OTIF 0.4, quality 0.3, cost 0.2, lead time 0.1. ``score_ci_low`` /
  ``score_ci_high``: the score with the OTIF rate and the defect rate at the ends of their 95 %
  intervals (cost and lead time at their estimates).
* **Trend**: the least-squares slope per quarter (PO date) of each PO's on-time (0/1), lead
  time, reject share and invoiced/agreed price, with its 95 % interval: ``improving`` or
  ``worsening`` when the interval excludes 0, else ``flat``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from engine.history.read import History
from engine.history.stats import mean_interval, p90, slope_interval, wilson_interval
from engine.scenario.schema import Scenario

__all__ = [
    "ALL_PERIODS",
    "DEFECT_RATE_CEILING",
    "LEAD_TIME_CV_CEILING",
    "PRICE_VARIANCE_CEILING",
    "ScoreWeights",
    "Scorecards",
    "history_as_of",
    "outcomes",
    "parse_weights",
    "scorecards",
]

ALL_PERIODS = "all"
"""The ``period`` of the figures over the whole history (the others are quarters, 2026Q1)."""
DEFECT_RATE_CEILING = 0.05
PRICE_VARIANCE_CEILING = 0.10
LEAD_TIME_CV_CEILING = 0.5
DAYS_PER_QUARTER = 365.25 / 4


@dataclass(frozen=True)
class ScoreWeights:
    """Weights of the overall score's components (any non-negative numbers, not all 0)."""

    otif: float = 0.4
    quality: float = 0.3
    cost: float = 0.2
    lead_time: float = 0.1

    def __post_init__(self) -> None:
        values = [getattr(self, f.name) for f in fields(self)]
        if any(not math.isfinite(v) or v < 0 for v in values) or sum(values) <= 0:
            raise ValueError(
                "score weights must be finite, 0 or more, and not all 0; got "
                + ", ".join(f"{f.name}={getattr(self, f.name)}" for f in fields(self))
            )


def parse_weights(text: str) -> ScoreWeights:
    """``"otif=0.5,quality=0.3"`` -> weights (names not given keep their default)."""
    names = [f.name for f in fields(ScoreWeights)]
    values: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, number = part.partition("=")
        name = name.strip()
        if name not in names:
            raise ValueError(f"unknown score weight '{name}'; use {', '.join(names)}")
        try:
            values[name] = float(number)
        except ValueError:
            raise ValueError(f"score weight {name}: '{number}' is not a number") from None
    return ScoreWeights(**values)


@dataclass(frozen=True)
class Scorecards:
    """The scorecard tables.

    Attributes:
        suppliers: One row per supplier and period (quarters, then ``all``).
        supplier_skus: The same per supplier x SKU.
        trend: One row per supplier and measure: slope per quarter, interval, direction.
        outcomes: One row per PO: how it was judged (the figures' raw material).
        as_of: The last date in the history (open POs past their promise are late by it).
    """

    suppliers: pd.DataFrame
    supplier_skus: pd.DataFrame
    trend: pd.DataFrame
    outcomes: pd.DataFrame
    as_of: dt.date

    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "suppliers": self.suppliers,
            "supplier_skus": self.supplier_skus,
            "trend": self.trend,
            "po_outcomes": self.outcomes,
        }


# --------------------------------------------------------------------------- per PO


def history_as_of(frame: pd.DataFrame) -> dt.date:
    """The last thing the history knows happened: a PO placed, shipped or arrived."""
    columns = ("po_date", "actual_ship_date", "actual_arrival_date")
    return max(d for c in columns for d in frame[c] if isinstance(d, dt.date))


def _days(later: object, earlier: object) -> float:
    if isinstance(later, dt.date) and isinstance(earlier, dt.date):
        return float((later - earlier).days)
    return math.nan


def _judge(row: pd.Series, as_of: dt.date, tolerance: dt.timedelta) -> tuple[object, str]:
    ps, pa = row["promised_ship_date"], row["promised_arrival_date"]
    ship, arrival = row["actual_ship_date"], row["actual_arrival_date"]
    has = lambda v: isinstance(v, dt.date)  # noqa: E731
    if has(ps):
        if has(ship):
            return bool(ship <= ps + tolerance), "ship"
        if not has(arrival) and ps + tolerance < as_of:
            return False, "ship (overdue)"
    if has(pa):
        if has(arrival):
            return bool(arrival <= pa + tolerance), "arrival"
        if pa + tolerance < as_of:
            return False, "arrival (overdue)"
    return None, ""


def outcomes(
    history: History,
    scenario: Scenario | None = None,
    late_tolerance_days: int = 0,
    in_full_tolerance: float = 0.0,
) -> pd.DataFrame:
    """One row per PO with its judgements: ``on_time``, ``in_full``, ``otif`` (True, False or
    None = not judged), ``judged_on``, lead times in days, reject share and the scenario's
    price for the quantity (NaN when the scenario has no such offer)."""
    frame = history.frame.copy()
    as_of = history_as_of(frame)
    tolerance = dt.timedelta(days=late_tolerance_days)
    judged = [_judge(row, as_of, tolerance) for _, row in frame.iterrows()]
    frame["on_time"] = pd.Series([j[0] for j in judged], index=frame.index, dtype=object)
    frame["judged_on"] = [j[1] for j in judged]
    arrived = frame["actual_arrival_date"].map(lambda d: isinstance(d, dt.date))
    full = frame["quantity_received"] >= frame["quantity_ordered"] * (1 - in_full_tolerance) - 1e-9
    frame["in_full"] = pd.Series(
        [bool(f) if a else None for f, a in zip(full, arrived, strict=True)],
        index=frame.index,
        dtype=object,
    )
    frame["otif"] = pd.Series(
        [
            False if t is False else (None if t is None or f is None else bool(f))
            for t, f in zip(frame["on_time"], frame["in_full"], strict=True)
        ],
        index=frame.index,
        dtype=object,
    )
    frame["lead_time_days"] = [
        _days(a, p) for a, p in zip(frame["actual_arrival_date"], frame["po_date"], strict=True)
    ]
    frame["production_days"] = [
        _days(s, p) for s, p in zip(frame["actual_ship_date"], frame["po_date"], strict=True)
    ]
    frame["transit_days"] = [
        _days(a, s)
        for a, s in zip(frame["actual_arrival_date"], frame["actual_ship_date"], strict=True)
    ]
    frame["quarter"] = [f"{d.year}Q{(d.month - 1) // 3 + 1}" for d in frame["po_date"]]
    frame["scenario_unit_price"] = _scenario_prices(frame, scenario)
    return frame


def _scenario_prices(frame: pd.DataFrame, scenario: Scenario | None) -> list[float]:
    if scenario is None:
        return [math.nan] * len(frame)
    from engine.simulation.world import build_world

    world = build_world(scenario)
    prices = []
    for supplier, sku, qty in zip(
        frame["supplier"], frame["sku"], frame["quantity_ordered"], strict=True
    ):
        key = (supplier, sku)
        prices.append(world.offer(*key).unit_price(qty) if key in world.offers else math.nan)
    return prices


# --------------------------------------------------------------------------- aggregation


def _rate(flags: pd.Series) -> tuple[int, float, float, float]:
    judged = [
        bool(f) for f in flags if f is not None and not (isinstance(f, float) and math.isnan(f))
    ]
    n = len(judged)
    hits = sum(judged)
    low, high = wilson_interval(hits, n)
    return n, (hits / n if n else math.nan), low, high


def _spread(values: pd.Series) -> dict[str, float]:
    v = values.dropna().to_numpy(dtype=float)
    low, high = mean_interval(v)
    return {
        "pos": len(v),
        "mean_days": float(v.mean()) if len(v) else math.nan,
        "ci_low_days": low,
        "ci_high_days": high,
        "std_days": float(v.std(ddof=1)) if len(v) > 1 else math.nan,
        "p90_days": p90(v),
    }


def _variance(group: pd.DataFrame, reference: str) -> tuple[int, float]:
    ok = group["invoiced_unit_price"].notna() & group[reference].notna()
    q = group.loc[ok, "quantity_ordered"]
    ref = group.loc[ok, reference]
    base = float((q * ref).sum())
    if not ok.any() or base <= 0:
        return int(ok.sum()), math.nan
    return int(ok.sum()), float((q * (group.loc[ok, "invoiced_unit_price"] - ref)).sum()) / base


def _figures(group: pd.DataFrame, weights: ScoreWeights) -> dict[str, float]:
    row: dict[str, float] = {"pos": len(group)}
    for name in ("on_time", "in_full", "otif"):
        n, rate, low, high = _rate(group[name])
        row |= {
            f"{name}_pos": n,
            f"{name}_rate": rate,
            f"{name}_ci_low": low,
            f"{name}_ci_high": high,
        }
    for name, column in (
        ("lead_time", "lead_time_days"),
        ("production", "production_days"),
        ("transit", "transit_days"),
    ):
        row |= {f"{name}_{k}": v for k, v in _spread(group[column]).items()}
    arrived = group["quantity_received"].notna()
    received = float(group.loc[arrived, "quantity_received"].sum())
    rejected = float(group.loc[arrived, "quantity_rejected"].sum())
    rate = rejected / received if received > 0 else math.nan
    low, high = wilson_interval(rejected, received)
    row |= {
        "defect_pos": int(arrived.sum()),
        "received_units": received,
        "rejected_units": rejected,
        "defect_pct": 100 * rate,
        "defect_ci_low_pct": 100 * low,
        "defect_ci_high_pct": 100 * high,
        "defect_ppm": 1e6 * rate,
    }
    n, variance = _variance(group, "unit_price_agreed")
    row |= {"price_pos": n, "price_variance_agreed_pct": 100 * variance}
    n, variance = _variance(group, "scenario_unit_price")
    row |= {"price_scenario_pos": n, "price_variance_scenario_pct": 100 * variance}
    row["score"] = _score(row, weights)
    row["score_ci_low"] = _score(row, weights, "otif_ci_low", "defect_ci_high_pct")
    row["score_ci_high"] = _score(row, weights, "otif_ci_high", "defect_ci_low_pct")
    return row


def _score(
    row: dict[str, float],
    weights: ScoreWeights,
    otif: str = "otif_rate",
    defect: str = "defect_pct",
) -> float:
    """The weighted score of a row, with the OTIF rate and defect % read from the given
    columns (their interval ends give the score's interval)."""
    cv = (
        row["lead_time_std_days"] / row["lead_time_mean_days"]
        if row["lead_time_mean_days"]
        else math.nan
    )
    components = {
        "otif": 100 * row[otif],
        "quality": 100 * max(0.0, 1 - row[defect] / 100 / DEFECT_RATE_CEILING),
        "cost": 100
        * min(1.0, max(0.0, 1 - row["price_variance_agreed_pct"] / 100 / PRICE_VARIANCE_CEILING)),
        "lead_time": 100 * max(0.0, 1 - cv / LEAD_TIME_CV_CEILING),
    }
    total = weight = 0.0
    for name, value in components.items():
        w = getattr(weights, name)
        if math.isfinite(value) and w > 0:
            total += w * value
            weight += w
    return total / weight if weight > 0 else math.nan


def _table(judged: pd.DataFrame, keys: list[str], weights: ScoreWeights) -> pd.DataFrame:
    rows = []
    for key, group in judged.groupby(keys, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        base = dict(zip(keys, key, strict=True))
        for quarter, part in group.groupby("quarter", sort=True):
            rows.append(base | {"period": quarter} | _figures(part, weights))
        rows.append(base | {"period": ALL_PERIODS} | _figures(group, weights))
    return pd.DataFrame(rows)


def _trend(judged: pd.DataFrame) -> pd.DataFrame:
    start = min(judged["po_date"])
    rows = []
    for supplier, group in judged.groupby("supplier", sort=True):
        quarters = np.array([(d - start).days / DAYS_PER_QUARTER for d in group["po_date"]])
        with np.errstate(divide="ignore", invalid="ignore"):
            reject = group["quantity_rejected"] / group["quantity_received"].where(
                group["quantity_received"] > 0
            )
        series = {
            "on_time": group["on_time"].map(lambda v: math.nan if v is None else float(v)),
            "lead_time_days": group["lead_time_days"],
            "reject_share": reject,
            "price_ratio_to_agreed": group["invoiced_unit_price"] / group["unit_price_agreed"],
        }
        better_when_up = {"on_time": True}
        for measure, values in series.items():
            y = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
            ok = np.isfinite(y)
            slope, low, high = slope_interval(quarters[ok], y[ok])
            direction = "flat"
            if math.isfinite(low) and (low > 0 or high < 0):
                up = low > 0
                direction = "improving" if up == better_when_up.get(measure, False) else "worsening"
            elif not math.isfinite(slope):
                direction = "too few POs"
            rows.append(
                {
                    "supplier": supplier,
                    "measure": measure,
                    "pos": int(ok.sum()),
                    "slope_per_quarter": slope,
                    "ci_low": low,
                    "ci_high": high,
                    "direction": direction,
                }
            )
    return pd.DataFrame(rows)


def scorecards(
    history: History,
    scenario: Scenario | None = None,
    weights: ScoreWeights | None = None,
    late_tolerance_days: int = 0,
    in_full_tolerance: float = 0.0,
) -> Scorecards:
    """Scorecards per supplier and per supplier x SKU, per quarter and overall.

    Args:
        history: The validated PO history.
        scenario: For the price variance against its price breaks (None: not computed).
        weights: Weights of the overall score (default ``ScoreWeights()``).
        late_tolerance_days: Days after the promised date still counted on time.
        in_full_tolerance: Share short of the ordered quantity still counted in full.
    """
    weights = weights or ScoreWeights()
    judged = outcomes(history, scenario, late_tolerance_days, in_full_tolerance)
    return Scorecards(
        suppliers=_table(judged, ["supplier"], weights),
        supplier_skus=_table(judged, ["supplier", "sku"], weights),
        trend=_trend(judged),
        outcomes=judged,
        as_of=history_as_of(history.frame),
    )
