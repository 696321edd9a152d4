"""Charts of the Suppliers page (Altair): trends per quarter and lead-time distributions."""

from __future__ import annotations

import altair as alt
import pandas as pd


def quarterly(
    frame: pd.DataFrame, value: str, low: str, high: str, title: str, fmt: str
) -> alt.Chart:
    """A measure per quarter and supplier, with its 95 % interval as a band of error bars."""
    base = alt.Chart(frame).encode(
        x=alt.X("period:N", title=None, axis=alt.Axis(labelAngle=0)),
        color=alt.Color("supplier:N", legend=alt.Legend(title=None, orient="top")),
    )
    line = base.mark_line(point=True).encode(
        y=alt.Y(f"{value}:Q", title=title, axis=alt.Axis(format=fmt)),
        tooltip=["supplier:N", "period:N", alt.Tooltip(f"{value}:Q", format=fmt)],
    )
    bars = base.mark_errorbar().encode(y=f"{low}:Q", y2=f"{high}:Q")
    return (bars + line).properties(height=260)


def lead_time_distribution(observed: pd.DataFrame, models: pd.DataFrame) -> alt.Chart:
    """Observed production days (bars, share of POs) against model probabilities (lines).

    Args:
        observed: Columns ``days`` and ``share``.
        models: Columns ``days``, ``probability`` and ``model`` (e.g. typed-in, calibrated).
    """
    bars = (
        alt.Chart(observed)
        .mark_bar(opacity=0.5, color="#888888")
        .encode(
            x=alt.X("days:Q", title="PO to ship (days)"),
            y=alt.Y("share:Q", title="share of POs", axis=alt.Axis(format="%")),
            tooltip=["days:Q", alt.Tooltip("share:Q", format=".1%")],
        )
    )
    lines = (
        alt.Chart(models)
        .mark_line()
        .encode(
            x="days:Q",
            y="probability:Q",
            color=alt.Color("model:N", legend=alt.Legend(title=None, orient="top")),
            tooltip=["model:N", "days:Q", alt.Tooltip("probability:Q", format=".1%")],
        )
    )
    return (bars + lines).properties(height=280)
