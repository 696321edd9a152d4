"""Read a scenario from disk (YAML + CSV tables, or one Excel workbook) into its raw form.

Nothing is validated here beyond what reading needs; every problem met on the way (a missing
file, unreadable YAML, a sheet that is not there) is gathered and raised together.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from engine.scenario.errors import Problem, ScenarioError
from engine.scenario.raw import RawScenario, RawTable
from engine.scenario.schema import REQUIRED_TABLES, TABLE_NAMES

SETTINGS_SHEET = "settings"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
YAML_SUFFIXES = (".yaml", ".yml")
SPLIT_ONCE_PREFIXES = ("overrides.", "scenarios.")
"""Settings keys under these prefixes hold user-chosen names and are split only once."""


def scenario_file(path: Path) -> Path:
    """The YAML or workbook a path stands for: a folder means its ``scenario.yaml``."""
    if path.is_dir():
        for name in ("scenario.yaml", "scenario.yml", "scenario.xlsx"):
            if (path / name).is_file():
                return path / name
        return path / "scenario.yaml"
    return path


def read_raw(path: Path) -> RawScenario:
    """Read the scenario at ``path`` (a folder, a YAML file or a workbook)."""
    path = scenario_file(Path(path))
    if not path.is_file():
        raise ScenarioError(
            [
                Problem(
                    str(path),
                    None,
                    None,
                    "no such file",
                    "a scenario YAML file, a folder "
                    "holding scenario.yaml, or an Excel workbook (.xlsx)",
                )
            ]
        )
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        return _read_workbook(path)
    if path.suffix.lower() in YAML_SUFFIXES:
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


# --------------------------------------------------------------------------- YAML + CSV


def _read_yaml_and_csv(path: Path) -> RawScenario:
    problems: list[Problem] = []
    try:
        settings = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
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
    """Where each table lives: the ``tables`` mapping, else ``<table>.csv`` beside the YAML."""
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
        candidate = folder / str(listed.get(name, f"{name}.csv"))
        if candidate.is_file():
            paths[name] = candidate
        elif name in listed or name in REQUIRED_TABLES:
            problems.append(
                Problem(
                    _relative(candidate, folder),
                    None,
                    None,
                    "file not found",
                    f"the {name} table as a CSV file",
                )
            )
    return paths


def _relative(path: Path, folder: Path) -> str:
    try:
        return str(path.relative_to(folder))
    except ValueError:
        return str(path)


def _read_csv(
    name: str, path: Path, folder: Path, problems: list[Problem], row_problems: list[Problem]
) -> RawTable | None:
    """Read one CSV table; a malformed row is reported in ``row_problems`` and skipped."""
    source = _relative(path, folder)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            lines = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        problems.append(
            Problem(
                source, None, None, f"unreadable ({error})", "a comma-separated UTF-8 text file"
            )
        )
        return None
    if not lines or not any(cell.strip() for cell in lines[0]):
        problems.append(Problem(source, 1, None, "no header row", "a first row naming the columns"))
        return None
    header = [cell.strip() for cell in lines[0]]
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
            tables[name] = _table_from_sheet(name, sheets[name], f"{path.name}[{name}]")
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


def _table_from_sheet(name: str, sheet: Any, source: str) -> RawTable:
    rows = sheet.iter_rows(values_only=True)
    header_cells = next(rows, ())
    header = [str(c).strip() if c is not None else "" for c in header_cells]
    table = RawTable(name=name, source=source, columns=[h for h in header if h])
    for number, cells in enumerate(rows, start=2):
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
    for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
        key, value = [*cells, None, None][:2]
        if key is None or str(key).strip() in ("", "key"):
            continue
        key = str(key).strip()
        value = _cell_value(value)
        if isinstance(value, str):
            try:
                value = yaml.safe_load(value) if value else None
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
