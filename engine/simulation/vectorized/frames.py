"""The per-SKU, per-supplier and daily frames of a vectorized run, for a chunk at once.

Column for column those of ``engine.simulation.measures``'s ``sku_frame``, ``supplier_frame``
and ``daily_frame`` (the same names, order and definitions; the exact agreement tests compare
the frames themselves), built for every replication of a chunk in one go: building three
frames per replication costs more than the simulation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine.finance.working_capital import net_working_capital
from engine.simulation.measures import DAILY_COLUMNS
from engine.simulation.vectorized.run import VectorRun

__all__ = ["chunk_frames"]


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator``, NaN where the denominator is about 0 (``measures._ratio``)."""
    ok = np.abs(denominator) > 1e-12
    return np.where(ok, numerator / np.where(ok, denominator, 1.0), np.nan)


def _lead_time_stats(run: VectorRun) -> tuple[np.ndarray, np.ndarray]:
    """``[R, S]`` mean and sample std of the lead times (NaN without lots; std 0 for one)."""
    rep, supplier, days = run.lead_times()
    m = len(run.world.suppliers)
    cell = rep * m + supplier
    size = run.n * m
    count = np.bincount(cell, minlength=size).astype(float)
    total = np.bincount(cell, weights=days, minlength=size)
    mean = np.where(count > 0, total / np.maximum(count, 1.0), np.nan)
    spread = np.bincount(cell, weights=(days - mean[cell]) ** 2, minlength=size)
    std = np.where(count > 1, np.sqrt(spread / np.maximum(count - 1, 1.0)), np.nan)
    std = np.where(count == 1, 0.0, std)
    return mean.reshape(run.n, m), std.reshape(run.n, m)


def chunk_frames(
    run: VectorRun, first_replication: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(skus, suppliers, daily)`` of every replication of a finished run."""
    world = run.world
    h, n = world.horizon_days, run.n
    k, m, days = len(world.skus), len(world.suppliers), run.days
    replication = first_replication + np.arange(n)
    demand = run.demand_units
    price = world.selling_price
    stages = run.stages
    on_hand = run.on_hand_end[:h].mean(axis=0)
    backlog = run.backlog_end[:h].mean(axis=0)
    skus = pd.DataFrame(
        {
            "replication": np.repeat(replication, k),
            "sku": np.tile(np.array(world.skus, dtype=object), n),
            "demand_units": demand.ravel(),
            "served_from_stock_units": run.served.ravel(),
            "fill_rate": np.where(
                demand > 0, run.served / np.where(demand > 0, demand, 1), np.nan
            ).ravel(),
            "stockout_days": run.short_days.ravel(),
            "lost_units": run.lost_units.ravel(),
            "lost_revenue": (run.lost_units * price).ravel(),
            "mean_on_hand_units": on_hand.ravel(),
            "mean_backorder_units": backlog.ravel(),
            "backorder_units_end": run.backlog_end[h - 1].ravel(),
            "units_ordered": run.units_ordered().ravel(),
            "units_received": run.units_received.ravel(),
            "units_rejected": run.units_rejected.ravel(),
            "units_in_pipeline_end": sum(stages.values(), np.zeros((n, k))).ravel(),
            "revenue": (run.sold_units * price).ravel(),
        }
    )
    lots = run.finished.astype(int)
    late = run.late.astype(int)
    mean, std = _lead_time_stats(run)
    suppliers = (
        pd.DataFrame(
            {
                "replication": np.repeat(replication, m),
                "supplier": np.tile(np.array([s.code for s in world.suppliers], dtype=object), n),
                "pos": run.supplier_pos().ravel(),
                "lots_finished": lots.ravel(),
                "late_lots": late.ravel(),
                "on_time_rate": _ratio((lots - late).astype(float), lots.astype(float)).ravel(),
                "units_inspected": run.inspected.ravel(),
                "units_rejected": run.rejected.ravel(),
                "defect_rate": _ratio(run.rejected, run.inspected).ravel(),
                "lead_time_mean_days": mean.ravel(),
                "lead_time_std_days": std.ravel(),
            }
        )
        if m
        else pd.DataFrame()
    )
    cash, receivables, payables = run.balances()
    daily = pd.DataFrame(
        {
            "replication": np.repeat(replication, days),
            "day": np.tile(np.arange(days), n),
            "cash": cash.ravel(),
            "inventory_value": run.inventory_value_end.ravel(),
            "receivables": receivables.ravel(),
            "payables": payables.ravel(),
            "working_capital": net_working_capital(
                run.inventory_value_end.ravel(), receivables.ravel(), payables.ravel()
            ),
            "on_hand_units": run.on_hand_end.sum(axis=2).T.ravel(),
            "backorder_units": run.backlog_end.sum(axis=2).T.ravel(),
        },
        columns=list(DAILY_COLUMNS),
    )
    return skus, suppliers, daily
