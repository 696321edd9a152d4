"""Growable column tables (POs, lots, shipped lots) and day-keyed buckets of row indices."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

__all__ = ["Buckets", "Table"]


class Table:
    """Columns of equal length that grow by appending rows in batches.

    Args:
        columns: Column name -> dtype.
    """

    def __init__(self, columns: dict[str, type]) -> None:
        self._size = 0
        self._data: dict[str, np.ndarray] = {
            name: np.zeros(64, dtype=dtype) for name, dtype in columns.items()
        }

    def __len__(self) -> int:
        return self._size

    def __getattr__(self, name: str) -> np.ndarray:
        data = self.__dict__.get("_data", {})
        if name in data:
            return data[name][: self._size]
        raise AttributeError(name)

    def column(self, name: str) -> np.ndarray:
        """The stored column itself (writes change the table)."""
        return self._data[name][: self._size]

    def append(self, **values: np.ndarray) -> np.ndarray:
        """Append rows (every column given) and return their indices."""
        n = len(next(iter(values.values())))
        need = self._size + n
        for name, column in self._data.items():
            if need > column.size:
                grown = np.zeros(max(need, 2 * column.size), dtype=column.dtype)
                grown[: self._size] = column[: self._size]
                self._data[name] = grown
            self._data[name][self._size : need] = values[name]
        rows = np.arange(self._size, need)
        self._size = need
        return rows


class Buckets:
    """Row indices filed under a day; ``take(day)`` empties the day's bucket."""

    def __init__(self) -> None:
        self._days: dict[int, list[np.ndarray]] = defaultdict(list)

    def file(self, days: np.ndarray, rows: np.ndarray) -> None:
        """File each row under its day."""
        if rows.size == 0:
            return
        order = np.argsort(days, kind="stable")
        days, rows = days[order], rows[order]
        cuts = np.flatnonzero(np.diff(days)) + 1
        for part_days, part in zip(np.split(days, cuts), np.split(rows, cuts), strict=True):
            self._days[int(part_days[0])].append(part)

    def take(self, day: int) -> np.ndarray:
        parts = self._days.pop(day, None)
        if not parts:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate(parts)

    def has(self, day: int) -> bool:
        return bool(self._days.get(day))

    def peek(self, day: int) -> np.ndarray:
        """The rows filed under ``day``, left in place."""
        parts = self._days.get(day)
        if not parts:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate(parts)
