"""Assemble the fast build: columns, every row family in ``build_model``'s order, the
objective, as one ``LinearForm`` (the arrays HiGHS takes in one ``passModel``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from engine.models.data import ModelData
from engine.models.matrix import families
from engine.models.matrix.columns import ColumnIndex, ModelSets, add_columns
from engine.models.matrix.context import BuildContext
from engine.models.matrix.objective import objective, working_capital_ceiling
from engine.models.matrix.rows import Rows
from engine.plan_types import TierChoice

ROW_FAMILIES: tuple[Callable[[BuildContext, Rows], None], ...] = (
    families.po_size,
    families.order_multiples,
    families.tier_selection,
    families.offer_use,
    families.shipments,
    families.units_placed,
    families.capacity_limit,
    families.inventory_balance,
    families.lost_sales_only_when_out,
    families.safety_stock,
    families.share_cap,
    families.share_cap_by_offer,
    families.region_cap,
    families.critical_supplier_count,
    families.backup_share,
    families.fixed_split,
    working_capital_ceiling,
)
"""The row families in ``build.build_model``'s order (the order of HiGHS's rows)."""


@dataclass(frozen=True)
class LinearForm:
    """A MILP as HiGHS takes it: min cost x + offset, row_lower <= A x <= row_upper,
    lower <= x <= upper, integrality; with each column's and each row's name and index."""

    column_keys: list[tuple[str, object]]
    lower: np.ndarray
    upper: np.ndarray
    integrality: np.ndarray
    cost: np.ndarray
    offset: float
    matrix: sp.csc_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    row_keys: list[tuple[str, object]]


@dataclass(frozen=True)
class FastBuild:
    """A fast build: its sets, its columns and its ``LinearForm``."""

    sets: ModelSets
    columns: ColumnIndex
    form: LinearForm


def build_form(data: ModelData, tier_choice: TierChoice, elastic: bool = False) -> FastBuild:
    """The matrix ``build.build_model(data, tier_choice, elastic)`` compiles to, built from
    ``data`` with NumPy: the same columns, rows (order, signs and bounds), coefficients,
    integrality and objective."""
    sets = ModelSets.of(data, tier_choice, elastic)
    columns = add_columns(data, sets)
    ctx = BuildContext.of(data, tier_choice, elastic, sets, columns)
    rows = Rows()
    for family in ROW_FAMILIES:
        family(ctx, rows)
    cost, offset = objective(ctx)
    lower, upper, integrality = columns.bounds()
    starts = np.cumsum([0] + [len(block.keys) for block in rows.blocks])
    n_rows = int(starts[-1])
    if rows.blocks:
        row = np.concatenate([b.rows + s for b, s in zip(rows.blocks, starts, strict=False)])
        col = np.concatenate([b.cols for b in rows.blocks])
        value = np.concatenate([b.values for b in rows.blocks])
        row_lower = np.concatenate([b.lower for b in rows.blocks])
        row_upper = np.concatenate([b.upper for b in rows.blocks])
    else:
        row = col = np.zeros(0, dtype=np.int64)
        value = row_lower = row_upper = np.zeros(0)
    matrix = sp.coo_matrix((value, (row, col)), shape=(n_rows, columns.size)).tocsc()
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    row_keys = [(b.name, key) for b in rows.blocks for key in b.keys]
    # rows left empty are dropped when their bounds hold (as Pyomo's compiler drops them)
    counts = np.diff(matrix.tocsr().indptr)
    keep = (counts > 0) | (row_lower > 0) | (row_upper < 0)
    if not keep.all():
        matrix = matrix[keep]
        row_lower, row_upper = row_lower[keep], row_upper[keep]
        row_keys = [key for key, kept in zip(row_keys, keep, strict=True) if kept]
    form = LinearForm(
        column_keys=columns.keys(),
        lower=np.ascontiguousarray(lower),
        upper=np.ascontiguousarray(upper),
        integrality=np.ascontiguousarray(integrality),
        cost=cost,
        offset=offset,
        matrix=sp.csc_matrix(matrix),
        row_lower=row_lower,
        row_upper=row_upper,
        row_keys=row_keys,
    )
    return FastBuild(sets, columns, form)
