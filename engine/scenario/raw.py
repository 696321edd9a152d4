"""A scenario as read from disk, before validation: plain mappings that overrides can edit.

The loader reads YAML+CSV or a workbook into a ``RawScenario``; overrides edit it; validation
turns it into a ``Scenario``. Keeping the raw form lets every problem, including one an
override introduced, be reported against the file and row the user wrote.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.scenario.errors import Problem


@dataclass
class RawTable:
    """One table as read: cell values by column name (blank cells left out)."""

    name: str
    source: str  # "suppliers.csv" or "book.xlsx[suppliers]"
    rows: list[dict[str, Any]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)  # spreadsheet row of each row (header = 1)
    columns: list[str] = field(default_factory=list)  # header as written


@dataclass
class RawScenario:
    """Settings mapping (the YAML without ``tables``) and the tables by name."""

    settings: dict[str, Any]
    settings_source: str  # "scenario.yaml" or "book.xlsx[settings]"
    tables: dict[str, RawTable] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # found reading, reported with the rest
