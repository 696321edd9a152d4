"""Problems found in a scenario, gathered and reported together in the user's terms."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"  # the scenario cannot be used
    WARNING = "warning"  # usable, but probably not what the user meant


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario, located as precisely as the input allows.

    ``row`` is the spreadsheet row number (the header is row 1, the first data row is row 2),
    or None for settings and whole-table problems.
    """

    source: str  # file or sheet, e.g. "suppliers.csv" or "workbook.xlsx[suppliers]"
    row: int | None
    field: str | None
    found: str
    allowed: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = self.source
        if self.row is not None:
            where += f", row {self.row}"
        if self.field:
            where += f", field '{self.field}'"
        return f"{self.severity.value}: {where}: {self.found}; {self.allowed}"


class ScenarioError(Exception):
    """Raised with every problem found, so the user can fix them all in one go."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity is Severity.ERROR]
        lines = [f"{len(errors)} problem(s) in the scenario:"] + [f"  {p}" for p in problems]
        super().__init__("\n".join(lines))
