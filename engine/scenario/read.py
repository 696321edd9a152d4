"""Read a scenario from disk (YAML + CSV tables, or one Excel workbook) into its raw form.

Nothing is validated here beyond what reading needs; every problem met on the way (a missing
file, unreadable YAML, a sheet that is not there) is gathered and raised together.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path
from typing import Any

import yaml

from engine.scenario.errors import Problem, ScenarioError
from engine.scenario.files import FileRefused, regular_file, table_file
from engine.scenario.limits import (
    MAX_SETTINGS_BYTES,
    MAX_TABLE_BYTES,
    MAX_TABLE_COLUMNS,
    MAX_TABLE_ROWS,
    MAX_WORKBOOK_BYTES,
    MAX_YAML_DEPTH,
)
from engine.scenario.raw import RawScenario, RawTable
from engine.scenario.schema import REQUIRED_TABLES, TABLE_NAMES
from engine.scenario.yaml_input import load_yaml

SETTINGS_SHEET = "settings"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
YAML_SUFFIXES = (".yaml", ".yml")
SPLIT_ONCE_PREFIXES = ("overrides.", "scenarios.")
"""Settings keys under these prefixes hold user-chosen names and are split only once."""


def scenario_file(path: Path) -> Path:
    """The YAML or workbook a path stands for: a folder means its ``scenario.yaml``."""
    if path.is_dir():
        for name in ("scenario.yaml", "scenario.yml", "scenario.xlsx"):
            if os.path.lexists(path / name):  # a folder or a link loop here is reported
                return path / name
        return path / "scenario.yaml"
    return path


def read_raw(path: Path) -> RawScenario:
    """Read the scenario at ``path`` (a folder, a YAML file or a workbook)."""
    path = scenario_file(Path(path))
    allowed = "a scenario YAML file, a folder holding scenario.yaml, or an Excel workbook (.xlsx)"
    try:
        found = regular_file(path)
    except FileRefused as refused:
        raise ScenarioError([Problem(str(path), None, None, str(refused), allowed)]) from None
    if found is None:
        raise ScenarioError([Problem(str(path), None, None, "no such file", allowed)])
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        _check_size(path, path.name, MAX_WORKBOOK_BYTES)
        return _read_workbook(path)
    if suffix in YAML_SUFFIXES:
        _check_size(path, path.name, MAX_SETTINGS_BYTES)
        return _read_yaml_and_csv(path)
    raise ScenarioError(
        [
            Problem(
                path.name,
                None,
                None,
                f"a '{path.suffix}' file",
                "a .yaml/.yml scenario file or an .xlsx workbook",
            )
        ]
    )


def _check_size(path: Path, source: str, limit: int) -> None:
    size = path.stat().st_size
    if size > limit:
        raise ScenarioError([_too_big(source, size, limit)])


def _too_big(source: str, size: int, limit: int) -> Problem:
    return Problem(
        source,
        None,
        None,
        f"{size:,} bytes",
        f"at most {limit:,} bytes (docs/input-limits.md)",
    )


# --------------------------------------------------------------------------- YAML + CSV


def _read_yaml_and_csv(path: Path) -> RawScenario:
    problems: list[Problem] = []
    try:
        settings = load_yaml(path.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        reason = getattr(error, "problem", None) or str(error)
        raise ScenarioError(
            [Problem(path.name, row, None, f"unreadable YAML ({reason})", "valid YAML")]
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(
            [Problem(path.name, None, None, str(error), "a readable UTF-8 file")]
        ) from None
    if not isinstance(settings, dict):
        raise ScenarioError(
            [
                Problem(
                    path.name,
                    None,
                    None,
                    f"a {type(settings).__name__}",
                    "a mapping of settings (name, horizon, finance, ...)",
                )
            ]
        )
    table_paths = _table_paths(path, settings.pop("tables", None), problems)
    tables: dict[str, RawTable] = {}
    row_problems: list[Problem] = []
    for name, table_path in table_paths.items():
        table = _read_csv(name, table_path, path.parent, problems, row_problems)
        if table is not None:
            tables[name] = table
    if problems:
        raise ScenarioError(problems + row_problems)
    return RawScenario(
        settings=settings, settings_source=path.name, tables=tables, problems=row_problems
    )


def _table_paths(yaml_path: Path, listed: Any, problems: list[Problem]) -> dict[str, Path]:
    """Where each table lives: the ``tables`` mapping, else ``<table>.csv`` beside the YAML;
    every path stays inside the YAML's folder (``files.table_file``)."""
    folder = yaml_path.parent
    if listed is None:
        listed = {}
    if not isinstance(listed, dict):
        problems.append(
            Problem(
                yaml_path.name,
                None,
                "tables",
                f"a {type(listed).__name__}",
                "a mapping of table name to CSV file",
            )
        )
        listed = {}
    for name in listed:
        if name not in TABLE_NAMES:
            problems.append(
                Problem(
                    yaml_path.name,
                    None,
                    f"tables.{name}",
                    f"table '{name}'",
                    "one of: " + ", ".join(TABLE_NAMES),
                )
            )
    paths: dict[str, Path] = {}
    for name in TABLE_NAMES:
        written = listed.get(name, f"{name}.csv")
        found = table_file(folder, written, yaml_path.name, f"tables.{name}")
        if isinstance(found, Path):
            paths[name] = found
        elif isinstance(found, Problem):
            problems.append(found)
        elif name in listed or name in REQUIRED_TABLES:
            problems.append(
                Problem(
                    str(written), None, None, "file not found", f"the {name} table as a CSV file"
                )
            )
    return paths


def _relative(path: Path, folder: Path) -> str:
    try:
        return str(path.relative_to(folder))
    except ValueError:
        return str(path)


DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "bars"}
"""Separators a spreadsheet may save instead of commas, and their names in a message."""


def _read_csv(
    name: str, path: Path, folder: Path, problems: list[Problem], row_problems: list[Problem]
) -> RawTable | None:
    """Read one CSV table; a malformed row is reported in ``row_problems`` and skipped, a
    table that cannot be read as a whole in ``problems``."""
    source = _relative(path, folder)
    size = path.stat().st_size
    if size > MAX_TABLE_BYTES:
        problems.append(_too_big(source, size, MAX_TABLE_BYTES))
        return None
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            lines = _csv_records(handle, source, problems)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        problems.append(
            Problem(
                source, None, None, f"unreadable ({error})", "a comma-separated UTF-8 text file"
            )
        )
        return None
    if lines is None:
        return None
    header = _header(name, lines, source, problems)
    if header is None:
        return None
    table = RawTable(name=name, source=source, columns=header)
    for number, cells in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            row_problems.append(
                Problem(
                    source,
                    number,
                    None,
                    f"{len(cells)} cells",
                    f"at most {len(header)}, one per header column",
                )
            )
            continue
        row = {
            col: cell.strip()
            for col, cell in zip(header, cells, strict=False)
            if col and cell.strip() != ""
        }
        table.rows.append(row)
        table.row_numbers.append(number)
    return table


def _csv_records(handle: Any, source: str, problems: list[Problem]) -> list[list[str]] | None:
    """The file's records (header first), or None after adding the problem: more rows than
    ``MAX_TABLE_ROWS``, or a quoted cell that swallows following rows (a quote not closed)."""
    reader = csv.reader(handle)
    records: list[list[str]] = []
    last_line = 0
    for cells in reader:
        if len(records) > MAX_TABLE_ROWS:
            problems.append(_too_many_rows(source))
            return None
        for cell in cells:
            if "\n" in cell and "," in cell:  # a cell spanning rows that hold commas
                problems.append(
                    Problem(
                        source,
                        len(records) + 1,
                        None,
                        f"a quoted cell running over lines {last_line + 1}-{reader.line_num} "
                        '(a quote " that is not closed?)',
                        'every quote closed on its row, "like this"',
                    )
                )
                return None
        records.append(cells)
        last_line = reader.line_num
    return records


def _too_many_rows(source: str) -> Problem:
    return Problem(
        source,
        None,
        None,
        f"more than {MAX_TABLE_ROWS:,} rows",
        f"at most {MAX_TABLE_ROWS:,} rows per table (docs/input-limits.md)",
    )


def _header(
    name: str, records: list[Any], source: str, problems: list[Problem]
) -> list[str] | None:
    """The column names of a table (CSV records or sheet rows, header first), or None after
    adding the problem: an empty table, a blank first row, a header-only required table,
    another separator than commas, a repeated or surplus column."""

    def blank(cells: Any) -> bool:
        return not any(_text(cell) for cell in cells)

    filled = [number for number, cells in enumerate(records, start=1) if not blank(cells)]
    what = f"the {name} table: a header row naming the columns, then one row per item"
    if not filled:
        problems.append(Problem(source, None, None, "an empty table (no header, no rows)", what))
        return None
    if filled[0] != 1:
        problems.append(
            Problem(
                source,
                1,
                None,
                f"a blank row 1 (the first filled row is row {filled[0]})",
                "the column names on row 1, no blank rows above them",
            )
        )
        return None
    header = [_text(cell) for cell in records[0]]
    named = [column for column in header if column]
    if len(named) == 1:
        for mark, label in DELIMITERS.items():
            if mark in named[0]:
                problems.append(
                    Problem(
                        source,
                        1,
                        None,
                        f"columns separated by {label} ('{named[0][:60]}')",
                        "comma-separated values: save as 'CSV UTF-8 (comma delimited)'",
                    )
                )
                return None
    if len(named) > MAX_TABLE_COLUMNS:
        problems.append(
            Problem(
                source, 1, None, f"{len(named)} columns", f"at most {MAX_TABLE_COLUMNS} columns"
            )
        )
        return None
    repeated = sorted({c for c in header if c and header.count(c) > 1})
    if repeated:
        problems.append(
            Problem(
                source,
                1,
                ", ".join(repeated),
                "the column(s) " + ", ".join(f"'{c}'" for c in repeated) + " more than once",
                "each column once (which one should count is not clear)",
            )
        )
        return None
    if len(filled) == 1 and name in REQUIRED_TABLES:
        problems.append(
            Problem(source, None, None, "no rows under the header: the table is empty", what)
        )
        return None
    return header


def _text(cell: Any) -> str:
    return "" if cell is None else str(cell).strip()


# --------------------------------------------------------------------------- workbook


def _read_workbook(path: Path) -> RawScenario:
    import openpyxl  # imported here: only workbook users pay for it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ScenarioError(
            [
                Problem(
                    path.name,
                    None,
                    None,
                    f"unreadable workbook ({error})",
                    "an .xlsx workbook saved by Excel or LibreOffice",
                )
            ]
        ) from None
    problems: list[Problem] = []
    sheets = {sheet.title.strip().lower(): sheet for sheet in book.worksheets}
    settings: dict[str, Any] = {}
    if SETTINGS_SHEET in sheets:
        settings = _settings_from_sheet(sheets[SETTINGS_SHEET], path.name, problems)
    else:
        problems.append(
            Problem(
                path.name,
                None,
                None,
                "no 'settings' sheet",
                "a sheet 'settings' with columns key and value",
            )
        )
    for title in sheets:
        if title != SETTINGS_SHEET and title not in TABLE_NAMES:
            problems.append(
                Problem(
                    f"{path.name}[{title}]",
                    None,
                    None,
                    f"sheet '{title}'",
                    "one of: settings, " + ", ".join(TABLE_NAMES),
                )
            )
    tables: dict[str, RawTable] = {}
    for name in TABLE_NAMES:
        if name in sheets:
            table = _table_from_sheet(name, sheets[name], f"{path.name}[{name}]", problems)
            if table is not None:
                tables[name] = table
        elif name in REQUIRED_TABLES:
            problems.append(
                Problem(
                    path.name,
                    None,
                    None,
                    f"no '{name}' sheet",
                    f"a sheet '{name}' with the {name} table",
                )
            )
    book.close()
    if problems:
        raise ScenarioError(problems)
    return RawScenario(settings=settings, settings_source=f"{path.name}[settings]", tables=tables)


def _cell_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return value.strip()
    return value


def _table_from_sheet(
    name: str, sheet: Any, source: str, problems: list[Problem]
) -> RawTable | None:
    records: list[tuple[Any, ...]] = []
    filled = 0  # blank rows (a sheet formatted far down) do not count towards the limit
    for cells in sheet.iter_rows(values_only=True):
        if any(_text(cell) for cell in cells):
            filled += 1
            if filled > MAX_TABLE_ROWS + 1:
                problems.append(_too_many_rows(source))
                return None
            records.append(cells)
        else:
            records.append(())
    header = _header(name, records, source, problems)
    if header is None:
        return None
    table = RawTable(name=name, source=source, columns=[h for h in header if h])
    for number, cells in enumerate(records[1:], start=2):
        row = {
            col: _cell_value(value)
            for col, value in zip(header, cells, strict=False)
            if col and value is not None and _cell_value(value) != ""
        }
        if row:
            table.rows.append(row)
            table.row_numbers.append(number)
    return table


def _settings_from_sheet(sheet: Any, book_name: str, problems: list[Problem]) -> dict[str, Any]:
    """Rebuild the settings mapping from ``key | value`` rows with dotted keys."""
    source = f"{book_name}[{SETTINGS_SHEET}]"
    settings: dict[str, Any] = {}
    first_row: dict[str, int] = {}
    for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
        key, value = [*cells, None, None][:2]
        if key is None or str(key).strip() in ("", "key"):
            continue
        key = str(key).strip()
        if key in first_row:
            problems.append(
                Problem(
                    source,
                    number,
                    key,
                    f"the key again (first on row {first_row[key]})",
                    "each key once",
                )
            )
            continue
        first_row[key] = number
        value = _cell_value(value)
        if isinstance(value, str):
            try:
                value = load_yaml(value) if value else None
            except yaml.YAMLError:
                problems.append(
                    Problem(
                        source,
                        number,
                        key,
                        f"unreadable value {value!r}",
                        "a number, text, true/false, a date, or YAML",
                    )
                )
                continue
        parts = _split_key(key)
        if len(parts) > MAX_YAML_DEPTH:
            problems.append(
                Problem(source, number, key[:80], f"{len(parts)} levels", "a shorter dotted key")
            )
            continue
        target = settings
        for part in parts[:-1]:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                problems.append(
                    Problem(
                        source, number, key, "a key inside a plain value", "keys that do not clash"
                    )
                )
                break
        else:
            target[parts[-1]] = value
    return settings


def _split_key(key: str) -> list[str]:
    for prefix in SPLIT_ONCE_PREFIXES:
        if key.startswith(prefix):
            return [prefix[:-1], key[len(prefix) :]]
    return key.split(".")
