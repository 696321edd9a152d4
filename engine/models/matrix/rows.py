"""The rows of the fast build: a ``RowBlock`` per constraint family.

Each row is written as Pyomo's compiler writes the family's constraint (its mixed form):
``lhs <= rhs`` and ``lhs == rhs`` as ``lhs - rhs``; ``lhs >= rhs`` as ``rhs - lhs <= 0``,
or as ``lhs >= rhs`` when ``rhs`` is a constant; constants move to the bounds. So the two
builds give HiGHS the same rows, in the same order, with the same signs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

INF = float("inf")


@dataclass(frozen=True)
class RowBlock:
    """One constraint family's rows: entries (row within the block, column, value) and each
    row's bounds and index."""

    name: str
    keys: list
    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


class Rows:
    """Row blocks in the order the families are added (Pyomo's declaration order)."""

    def __init__(self) -> None:
        self.blocks: list[RowBlock] = []

    def add(
        self,
        name: str,
        keys: list,
        entries: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray | float]],
        lower: float | np.ndarray,
        upper: float | np.ndarray,
    ) -> None:
        """A family of ``len(keys)`` rows; ``entries``: parts of (row, column, value)."""
        n = len(keys)
        if n == 0:
            return
        rows = [np.asarray(r, dtype=np.int64) for r, _, _ in entries]
        cols = [np.asarray(c, dtype=np.int64) for _, c, _ in entries]
        values = [
            np.broadcast_to(np.asarray(v, dtype=float), (len(r),))
            for (_, _, v), r in zip(entries, rows, strict=True)
        ]
        self.blocks.append(
            RowBlock(
                name,
                keys,
                np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64),
                np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64),
                np.concatenate(values) if values else np.zeros(0),
                np.broadcast_to(np.asarray(lower, dtype=float), (n,)).copy(),
                np.broadcast_to(np.asarray(upper, dtype=float), (n,)).copy(),
            )
        )

    def add_upper(self, name: str, keys: list, entries: list, upper: float | np.ndarray) -> None:
        self.add(name, keys, entries, -INF, upper)

    def add_equal(self, name: str, keys: list, entries: list, rhs: float | np.ndarray) -> None:
        self.add(name, keys, entries, rhs, rhs)
