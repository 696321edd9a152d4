"""The plan under the calibrated suppliers beside the typed-in ones: two stress tests run with
the same seed share their random numbers (``engine.simulation.randomness``: streams are keyed
by seed, replication and supplier / SKU / lane index, and calibration changes values, not the
tables' order), so their measures pair replication by replication."""

from __future__ import annotations

import pandas as pd

from engine.simulation.measures import summarize

__all__ = ["paired_difference"]


def paired_difference(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Per measure: both means and the mean paired difference ``b - a`` with its 95 % interval.

    Args:
        a: One row per replication of the first stress test (``StressResult.measures``).
        b: The same of the second, run with the same seed and number of replications.

    Returns:
        Columns ``measure``, ``n``, ``mean_a``, ``mean_b``, ``mean_difference``, ``ci_low``,
        ``ci_high``.
    """
    if list(a["replication"]) != list(b["replication"]):
        raise ValueError("the two stress tests do not have the same replications")
    measures = [c for c in a.columns if c != "replication" and c in b.columns]
    numeric = [c for c in measures if pd.api.types.is_numeric_dtype(a[c])]
    differences = b[numeric] - a[numeric]
    summary = summarize(differences)
    summary = summary.rename(columns={"mean": "mean_difference"})
    summary.insert(2, "mean_a", [a[m].mean() for m in summary["measure"]])
    summary.insert(3, "mean_b", [b[m].mean() for m in summary["measure"]])
    return summary[["measure", "n", "mean_a", "mean_b", "mean_difference", "ci_low", "ci_high"]]
