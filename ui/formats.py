"""One set of display formats for every page and download: money with thousands separators and
its currency, shares and rates as %, days as days, dates as dates, counts as whole numbers; no
raw float is ever shown (``268417.41527666315`` reads ``268,417 USD``).

A number's kind comes from its name (``total_cost`` is money, ``gap`` a rate, ``lead_time_days``
days), so tables, run metrics and run parameters are formatted by one rule. Tables shown on a
page go through ``readable``; downloads keep the raw columns and gain readable dates
(``with_dates``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

import pandas as pd


class Kind(StrEnum):
    MONEY = "money"
    MONEY2 = "money2"
    """Money per unit: two decimals."""
    PCT = "pct"
    DAYS = "days"
    SECONDS = "seconds"
    UNITS = "units"
    COUNT = "count"
    DATE = "date"
    NUMBER = "number"


_UNIT_MONEY = ("unit_price", "unit_cost", "unit_landed_cost", "per_unit", "price", "fob")
_PCT = ("share", "rate", "gap", "pct", "percent", "probability", "chance", "fill")
_MONEY = (
    "cost",
    "revenue",
    "cash",
    "value",
    "paid",
    "capital",
    "receipts",
    "net",
    "difference",
    "marginal",
    "bound",
    "spend",
    "balance",
    "deposit",
    "duty",
    "freight",
    "holding",
    "amount",
    "objective",
    "mean_a",
    "mean_b",
    "payable",
    "receivable",
    "inventory",
)
_COUNT = (
    "period",
    "day",
    "tier",
    "replication",
    "replications",
    "seed",
    "purchase_orders",
    "points",
    "rank",
)


def kind_of(name: str) -> Kind:
    """The kind of the number a column or metric called ``name`` holds."""
    lower = str(name).lower()
    if lower.endswith(("_seconds", "seconds")):
        return Kind.SECONDS
    if "_days" in lower or lower.endswith("days") or lower in ("dio", "dso", "dpo", "ccc"):
        return Kind.DAYS
    if "date" in lower or lower.endswith("_at"):
        return Kind.DATE
    if any(word in lower for word in _UNIT_MONEY):
        return Kind.MONEY2
    if any(word in lower for word in _PCT):
        return Kind.PCT
    if "units" in lower or "quantity" in lower or lower in ("moq", "units_ordered"):
        return Kind.UNITS
    if any(word in lower for word in _MONEY):
        return Kind.MONEY
    if any(lower == word or lower.startswith(f"{word}_") for word in _COUNT):
        return Kind.COUNT
    return Kind.NUMBER


def number(value: Any) -> float | None:
    """A finite float, or None."""
    if isinstance(value, bool):
        return float(value)
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return result if math.isfinite(result) else None


def money(value: Any, currency: str, decimals: int = 0) -> str:
    """``268,417 USD``; ``–`` for no number."""
    v = number(value)
    if v is None:
        return "–"
    text = f"{v:,.{decimals}f}"
    if text.lstrip("-").strip("0.,") == "":
        text = text.lstrip("-")  # never -0
    return f"{text} {currency}".strip()


def pct(value: Any, decimals: int = 1) -> str:
    """``3.4 %`` of 0.034."""
    v = number(value)
    return "–" if v is None else f"{v * 100:,.{decimals}f} %"


def days(value: Any) -> str:
    v = number(value)
    return "–" if v is None else f"{v:,.1f} d"


def duration(seconds: Any) -> str:
    """``45 s``, ``3 min 05 s``, ``1 h 02 min``."""
    v = number(seconds)
    if v is None:
        return "–"
    whole = round(v)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def date(value: Any) -> str:
    """``2026-03-02`` (a date, a timestamp or ISO text); ``–`` for none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return str(value)
    if pd.isna(stamp):
        return "–"
    if stamp.hour or stamp.minute:
        return stamp.strftime("%Y-%m-%d %H:%M")
    return stamp.strftime("%Y-%m-%d")


def plain(value: Any) -> str:
    """A number of no known kind: at most two decimals, thousands separated."""
    v = number(value)
    if v is None:
        return "–" if value is None else str(value)
    if v == int(v):
        return f"{int(v):,}"
    return f"{v:,.2f}" if abs(v) >= 1 else f"{v:.3g}"


def value(value: Any, kind: Kind | str, currency: str = "") -> str:
    """``value`` as text by its kind."""
    kind = Kind(kind)
    if isinstance(value, str) and number(value) is None:
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if kind is Kind.MONEY:
        return money(value, currency)
    if kind is Kind.MONEY2:
        return money(value, currency, 2)
    if kind is Kind.PCT:
        return pct(value)
    if kind is Kind.DAYS:
        return days(value)
    if kind is Kind.SECONDS:
        return duration(value)
    if kind is Kind.DATE:
        return date(value)
    if kind in (Kind.UNITS, Kind.COUNT):
        v = number(value)
        return "–" if v is None else f"{v:,.0f}"
    return plain(value)


def named(name: str, value_: Any, currency: str = "") -> str:
    """A metric or parameter ``name = value`` formatted by its name."""
    if value_ is None or (isinstance(value_, float) and math.isnan(value_)):
        return "–"
    return value(value_, kind_of(name), currency)


def readable(
    frame: pd.DataFrame, currency: str = "", kinds: Mapping[str, Kind] | None = None
) -> pd.DataFrame:
    """The table as shown on a page: every number and date formatted by its column's kind
    (``kinds`` names it where the column's name does not tell)."""
    shown = frame.copy()
    for column in shown.columns:
        series = shown[column]
        kind = (kinds or {}).get(str(column)) or kind_of(str(column))
        is_number = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
        if is_number or pd.api.types.is_datetime64_any_dtype(series):
            shown[column] = [value(v, kind, currency) for v in series]
        elif series.dtype == object:
            shown[column] = [
                value(v, kind, currency)
                if isinstance(v, (float, int, dt.date)) and not isinstance(v, bool)
                else ("" if v is None else v)
                for v in series
            ]
    return shown


def parameters_text(parameters: Mapping[str, Any], currency: str = "") -> str:
    """A run's parameters in words: ``gap 0.5 % · time limit 600 s · ...``."""
    parts = []
    for name, item in parameters.items():
        if isinstance(item, (dict, list, tuple)):
            continue
        if name == "mip_rel_gap":
            parts.append(f"gap {pct(item)}")
            continue
        if isinstance(item, bool):
            parts.append(f"{name.replace('_', ' ')} {'yes' if item else 'no'}")
            continue
        shown = item if isinstance(item, str) else named(name, item, currency)
        parts.append(f"{name.replace('_', ' ')} {shown}")
    return " · ".join(parts)


def with_dates(frame: pd.DataFrame, start: dt.date | None, period_days: int) -> pd.DataFrame:
    """A download's table with the date of each period column beside it (``period_placed`` ->
    ``date_placed``): the first day of the 1-based period."""
    if start is None:
        return frame
    out = frame.copy()
    for column in list(frame.columns):
        name = str(column)
        if not name.startswith("period") or not pd.api.types.is_numeric_dtype(frame[column]):
            continue
        target = "date" + name.removeprefix("period") if name != "period" else "date"
        dates = [
            None if pd.isna(p) else start + dt.timedelta(days=(int(p) - 1) * period_days)
            for p in frame[column]
        ]
        position = out.columns.get_loc(column)
        assert isinstance(position, int)  # column names are unique here
        out.insert(position + 1, target, dates)
    return out


def by_row_name(frame: pd.DataFrame, currency: str = "") -> pd.DataFrame:
    """A table whose rows are named metrics (``RunStore.compare``): each cell formatted by its
    row's name (``parameters.mip_rel_gap`` as a rate)."""
    shown = frame.copy().astype(object)
    for name in shown.index:
        short = str(name).removeprefix("parameters.")
        shown.loc[name] = [
            v if isinstance(v, str) else named(short, v, currency) for v in frame.loc[name]
        ]
    return shown.astype(str)
