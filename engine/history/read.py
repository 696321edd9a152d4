"""Read a PO history (CSV or Excel) into a tidy frame, with every problem located at once.

One row per PO line: a supplier, a SKU, when it was ordered, how much at what agreed price,
what was promised and what happened. The format is documented in ``docs/po-history.md``.
Open POs (nothing arrived yet) and POs without a ship date are kept: each figure of the
scorecard uses the rows that carry what it needs, and says how many.

Problems use the scenario's ``Problem`` (file, row, field, what was found, what is allowed);
the header is row 1, the first PO row 2.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from engine.scenario.errors import Problem, ScenarioError, Severity
from engine.scenario.schema import Scenario, ShippingMode

__all__ = [
    "COLUMNS",
    "OPTIONAL_COLUMNS",
    "PROMISE_COLUMNS",
    "REQUIRED_COLUMNS",
    "History",
    "HistoryError",
    "read_history",
    "validate_rows",
]

REQUIRED_COLUMNS = (
    "po",
    "supplier",
    "sku",
    "po_date",
    "quantity_ordered",
    "unit_price_agreed",
)
PROMISE_COLUMNS = ("promised_ship_date", "promised_arrival_date", "quoted_lead_time_days")
"""At least one of these per row: the date the PO is judged against."""
OPTIONAL_COLUMNS = (
    *PROMISE_COLUMNS,
    "actual_ship_date",
    "actual_arrival_date",
    "quantity_received",
    "quantity_rejected",
    "invoiced_unit_price",
    "shipping_mode",
    "freight_paid",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
DATE_COLUMNS = (
    "po_date",
    "promised_ship_date",
    "promised_arrival_date",
    "actual_ship_date",
    "actual_arrival_date",
)
SHEET_NAME = "po_history"
"""The sheet read from a workbook (the first sheet when there is none of that name)."""


class HistoryError(ScenarioError):
    """Raised with every problem found in a PO history."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        errors = [p for p in problems if p.severity is Severity.ERROR]
        lines = [f"{len(errors)} problem(s) in the PO history:"] + [f"  {p}" for p in problems]
        self.args = ("\n".join(lines),)


@dataclass(frozen=True)
class History:
    """A validated PO history.

    Attributes:
        source: The file name the rows came from.
        frame: One row per PO line, columns ``COLUMNS`` plus ``row`` (the file's row number)
            and ``promised_ship_date`` filled from ``quoted_lead_time_days`` where only that
            is given. Dates are ``datetime.date`` objects (or NaT/None), numbers floats
            (NaN where not given).
        warnings: Problems that do not stop the history being used.
    """

    source: str
    frame: pd.DataFrame
    warnings: list[Problem] = field(default_factory=list)


# --------------------------------------------------------------------------- reading cells


def _read_cells(path: Path) -> tuple[str, list[str], list[tuple[int, dict[str, Any]]]]:
    """The header and the non-empty rows (with their row numbers) of a CSV or workbook."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise HistoryError(
            [Problem(str(path), None, None, "no such file", "a PO history .csv or .xlsx file")]
        )
    if suffix in (".xlsx", ".xlsm"):
        return _read_workbook(path)
    if suffix != ".csv":
        raise HistoryError(
            [Problem(path.name, None, None, f"a '{suffix}' file", "a .csv or .xlsx PO history")]
        )
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            lines = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise HistoryError(
            [Problem(path.name, None, None, f"unreadable ({error})", "a UTF-8 CSV file")]
        ) from None
    if not lines:
        raise HistoryError([Problem(path.name, 1, None, "an empty file", "a header row")])
    header = [c.strip() for c in lines[0]]
    rows = []
    for number, cells in enumerate(lines[1:], start=2):
        if any(c.strip() for c in cells):
            rows.append((number, dict(zip(header, (c.strip() for c in cells), strict=False))))
    return path.name, header, rows


def _read_workbook(path: Path) -> tuple[str, list[str], list[tuple[int, dict[str, Any]]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise HistoryError(
            [Problem(path.name, None, None, f"unreadable workbook ({error})", "an .xlsx file")]
        ) from None
    sheet = book[SHEET_NAME] if SHEET_NAME in book.sheetnames else book.worksheets[0]
    source = f"{path.name}[{sheet.title}]"
    values = list(sheet.iter_rows(values_only=True))
    book.close()
    if not values:
        raise HistoryError([Problem(source, 1, None, "an empty sheet", "a header row")])
    header = ["" if c is None else str(c).strip() for c in values[0]]
    rows = []
    for number, cells in enumerate(values[1:], start=2):
        if any(c is not None and str(c).strip() for c in cells):
            rows.append((number, dict(zip(header, cells, strict=False))))
    return source, header, rows


# --------------------------------------------------------------------------- parsing values


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip()[:10])


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError
    number = float(value.strip()) if isinstance(value, str) else float(value)
    if not math.isfinite(number):
        raise ValueError
    return number


_RULES: dict[str, tuple[Callable[[Any], Any], Callable[[Any], bool], str]] = {
    "po_date": (_date, lambda v: True, "a date YYYY-MM-DD"),
    "promised_ship_date": (_date, lambda v: True, "a date YYYY-MM-DD"),
    "promised_arrival_date": (_date, lambda v: True, "a date YYYY-MM-DD"),
    "actual_ship_date": (_date, lambda v: True, "a date YYYY-MM-DD, or empty if not shipped"),
    "actual_arrival_date": (_date, lambda v: True, "a date YYYY-MM-DD, or empty for an open PO"),
    "quantity_ordered": (_number, lambda v: v > 0, "a number of units above 0"),
    "unit_price_agreed": (_number, lambda v: v >= 0, "a price of 0 or more"),
    "quoted_lead_time_days": (_number, lambda v: v >= 0, "days, 0 or more"),
    "quantity_received": (_number, lambda v: v >= 0, "units, 0 or more"),
    "quantity_rejected": (_number, lambda v: v >= 0, "units, 0 or more"),
    "invoiced_unit_price": (_number, lambda v: v >= 0, "a price of 0 or more"),
    "freight_paid": (_number, lambda v: v >= 0, "an amount of 0 or more"),
    "shipping_mode": (
        lambda v: ShippingMode(str(v).strip().lower()).value,
        lambda v: True,
        "one of: " + ", ".join(m.value for m in ShippingMode),
    ),
}


def _row_problems(source: str, number: int, rec: dict[str, Any]) -> list[Problem]:
    """Checks across the fields of one parsed row."""
    out: list[Problem] = []

    def bad(column: str, found: str, allowed: str) -> None:
        out.append(Problem(source, number, column, found, allowed))

    if all(rec.get(c) is None for c in PROMISE_COLUMNS):
        bad(
            "promised_ship_date",
            "no promised date and no quoted lead time",
            "one of promised_ship_date, promised_arrival_date or quoted_lead_time_days",
        )
    po_date = rec.get("po_date")
    for column in ("promised_ship_date", "promised_arrival_date", "actual_ship_date"):
        if po_date is not None and rec.get(column) is not None and rec[column] < po_date:
            bad(column, f"{rec[column]}, before the PO date {po_date}", "on or after the PO date")
    ship, arrival = rec.get("actual_ship_date"), rec.get("actual_arrival_date")
    if arrival is not None and po_date is not None and arrival < po_date:
        bad("actual_arrival_date", f"{arrival}, before the PO date {po_date}", "after it")
    elif arrival is not None and ship is not None and arrival < ship:
        bad("actual_arrival_date", f"{arrival}, before the ship date {ship}", "on or after it")
    received, rejected = rec.get("quantity_received"), rec.get("quantity_rejected")
    if arrival is not None and received is None:
        bad("quantity_received", "empty on an arrived PO", "the units received")
    if arrival is None and received is not None:
        bad("actual_arrival_date", "empty while quantity_received is given", "the arrival date")
    if rejected is not None and received is None:
        bad("quantity_rejected", f"{rejected:g} with nothing received", "empty or 0")
    elif rejected is not None and received is not None and rejected > received:
        bad("quantity_rejected", f"{rejected:g}, more than the {received:g} received", "at most it")
    return out


def validate_rows(
    source: str,
    header: list[str],
    rows: list[tuple[int, dict[str, Any]]],
    scenario: Scenario | None = None,
) -> History:
    """Validate parsed rows (see ``read_history``)."""
    problems: list[Problem] = []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    for column in missing:
        problems.append(Problem(source, 1, column, "column missing", "a column of this name"))
    if not any(c in header for c in PROMISE_COLUMNS):
        problems.append(
            Problem(source, 1, None, "no promise column", "one of " + ", ".join(PROMISE_COLUMNS))
        )
    unknown = [c for c in header if c and c not in COLUMNS]
    warnings = [
        Problem(
            source,
            1,
            c,
            "unknown column (ignored)",
            "one of " + ", ".join(COLUMNS),
            Severity.WARNING,
        )
        for c in unknown
    ]
    if missing:
        raise HistoryError(problems + warnings)
    records: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], int] = {}
    for number, cells in rows:
        rec: dict[str, Any] = {"row": number}
        for column in ("po", "supplier", "sku"):
            value = cells.get(column)
            if _blank(value):
                problems.append(Problem(source, number, column, "empty", "a code"))
                rec[column] = None
            else:
                rec[column] = str(value).strip()
        for column, (parse, ok, allowed) in _RULES.items():
            value = cells.get(column)
            if _blank(value):
                rec[column] = None
                if column in REQUIRED_COLUMNS:
                    problems.append(Problem(source, number, column, "empty", allowed))
                continue
            try:
                parsed = parse(value)
            except (TypeError, ValueError):
                problems.append(Problem(source, number, column, f"'{value}'", allowed))
                rec[column] = None
                continue
            if not ok(parsed):
                problems.append(Problem(source, number, column, f"{value}", allowed))
                rec[column] = None
                continue
            rec[column] = parsed
        problems.extend(_row_problems(source, number, rec))
        key = (rec["po"], rec["sku"])
        if None not in key:
            if key in seen:
                problems.append(
                    Problem(
                        source,
                        number,
                        "po",
                        f"PO {key[0]} for SKU {key[1]} again (first on row {seen[key]})",
                        "one row per PO and SKU",
                    )
                )
            seen.setdefault(key, number)
        records.append(rec)
    if not rows:
        problems.append(Problem(source, 2, None, "no PO rows", "at least one PO"))
    if scenario is not None:
        warnings.extend(_against_scenario(source, records, scenario))
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        raise HistoryError(problems + warnings)
    frame = pd.DataFrame(records, columns=["row", *COLUMNS])
    quoted = frame["quoted_lead_time_days"]
    fill = frame["promised_ship_date"].isna() & quoted.notna()
    frame.loc[fill, "promised_ship_date"] = [
        d + dt.timedelta(days=round(q))
        for d, q in zip(frame.loc[fill, "po_date"], quoted[fill], strict=True)
    ]
    frame["quantity_rejected"] = frame["quantity_rejected"].where(
        frame["quantity_rejected"].notna() | frame["quantity_received"].isna(), 0.0
    )
    numeric = [
        c
        for c in COLUMNS
        if c not in DATE_COLUMNS and c not in ("po", "supplier", "sku", "shipping_mode")
    ]
    frame[numeric] = frame[numeric].astype(float)
    return History(source=source, frame=frame, warnings=warnings)


def _against_scenario(
    source: str, records: list[dict[str, Any]], scenario: Scenario
) -> list[Problem]:
    """Warnings for suppliers and SKUs the scenario does not know (their rows still score)."""
    suppliers = {s.supplier for s in scenario.suppliers}
    skus = {k.sku for k in scenario.skus}
    out: list[Problem] = []
    reported: set[tuple[str, str]] = set()
    for rec in records:
        for column, known in (("supplier", suppliers), ("sku", skus)):
            value = rec.get(column)
            if value is not None and value not in known and (column, value) not in reported:
                reported.add((column, value))
                out.append(
                    Problem(
                        source,
                        rec["row"],
                        column,
                        f"'{value}' is not in the scenario "
                        "(scored, but not compared or calibrated)",
                        f"one of {', '.join(sorted(known))}",
                        Severity.WARNING,
                    )
                )
    return out


def read_history(path: Path | str, scenario: Scenario | None = None) -> History:
    """Read and validate the PO history at ``path`` (``.csv``, or ``.xlsx`` with a sheet
    ``po_history`` or else its first sheet).

    Args:
        path: The file.
        scenario: When given, suppliers and SKUs it does not know are warned about.

    Raises:
        HistoryError: with every problem found (file, row, field, found, allowed).
    """
    source, header, rows = _read_cells(Path(path))
    return validate_rows(source, header, rows, scenario)
