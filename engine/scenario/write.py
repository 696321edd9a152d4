"""Write a scenario back to disk as YAML + CSV or as one Excel workbook, losing nothing.

Nothing a user saved is overwritten silently: writing to an existing path needs
``overwrite=True``.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import yaml

from engine.scenario.read import SETTINGS_SHEET, SPLIT_ONCE_PREFIXES, WORKBOOK_SUFFIXES
from engine.scenario.schema import REQUIRED_TABLES, ROW_MODELS, TABLE_NAMES, Scenario, Settings


class TargetExistsError(FileExistsError):
    """Raised instead of overwriting something the user saved."""


def write_scenario(scenario: Scenario, path: Path, overwrite: bool = False) -> Path:
    """Write ``scenario`` to a folder (scenario.yaml + CSVs) or to an ``.xlsx`` workbook.

    Returns:
        The scenario file written (the YAML or the workbook).
    """
    path = Path(path)
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        if path.exists() and not overwrite:
            raise TargetExistsError(f"{path} exists; pass overwrite to replace it")
        return _write_workbook(scenario, path)
    yaml_path = path / "scenario.yaml"
    targets = [yaml_path] + [path / f"{name}.csv" for name in TABLE_NAMES]
    existing = [t for t in targets if t.exists()]
    if existing and not overwrite:
        names = ", ".join(t.name for t in existing)
        raise TargetExistsError(f"{path} already holds {names}; pass overwrite to replace them")
    path.mkdir(parents=True, exist_ok=True)
    for name in TABLE_NAMES:
        rows = table_records(scenario, name)
        target = path / f"{name}.csv"
        if rows or name in REQUIRED_TABLES:
            _atomic_write(target, _csv_text(name, rows))
        elif target.exists():
            target.unlink()
    _atomic_write(yaml_path, settings_yaml(scenario))
    return yaml_path


def settings_dict(scenario: Scenario) -> dict[str, Any]:
    """The settings part of a scenario as plain YAML-ready data."""
    data = scenario.model_dump(mode="python", include=set(Settings.model_fields))
    return _plain(data)


def settings_yaml(scenario: Scenario) -> str:
    return yaml.safe_dump(settings_dict(scenario), sort_keys=False, allow_unicode=True)


def table_records(scenario: Scenario, name: str) -> list[dict[str, Any]]:
    """A table's rows as dicts in column order, enums and dates as plain values."""
    return [_plain(row.model_dump(mode="python")) for row in getattr(scenario, name)]


def _plain(value: Any) -> Any:
    """Enums to their values, tuples to lists, recursively (what YAML and CSV can hold)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if hasattr(value, "value") and not isinstance(value, dt.date):
        return value.value
    return value


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _csv_text(name: str, rows: list[dict[str, Any]]) -> str:
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = list(ROW_MODELS[name].model_fields)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell_text(row.get(column)) for column in columns])
    return buffer.getvalue()


def _atomic_write(target: Path, text: str) -> None:
    """Write through a temporary file in the same folder, then rename over the target."""
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", newline="", dir=target.parent, delete=False, suffix=".tmp"
    ) as handle:
        handle.write(text)
    Path(handle.name).replace(target)


# --------------------------------------------------------------------------- workbook


def flatten_settings(settings: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Dotted ``key -> value`` rows for the settings sheet; lists and override sets as YAML."""
    rows: list[tuple[str, Any]] = []
    for key, value in settings.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and value and not dotted.startswith(SPLIT_ONCE_PREFIXES):
            rows.extend(flatten_settings(value, f"{dotted}."))
        elif isinstance(value, dict | list):
            rows.append(
                (dotted, yaml.safe_dump(value, default_flow_style=True, width=10**6).strip())
            )
        elif isinstance(value, str):
            # quote text that YAML would otherwise read as another type ("0.10", "true", ...)
            rows.append((dotted, value if _reads_back(value) else yaml.safe_dump(value).strip()))
        else:
            rows.append((dotted, value))
    return rows


def _reads_back(text: str) -> bool:
    try:
        return yaml.safe_load(text) == text
    except yaml.YAMLError:
        return False


def _write_workbook(scenario: Scenario, path: Path) -> Path:
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SETTINGS_SHEET
    sheet.append(["key", "value"])
    for key, value in flatten_settings(settings_dict(scenario)):
        sheet.append([key, value.isoformat() if isinstance(value, dt.date) else value])
    for name in TABLE_NAMES:
        rows = table_records(scenario, name)
        if not rows and name not in REQUIRED_TABLES:
            continue
        table_sheet = book.create_sheet(name)
        columns = list(ROW_MODELS[name].model_fields)
        table_sheet.append(columns)
        for row in rows:
            table_sheet.append([row.get(column) for column in columns])
    for each in book.worksheets:
        for cell in each[1]:
            cell.font = Font(bold=True)
        each.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".xlsx") as handle:
        temporary = Path(handle.name)
    book.save(temporary)
    temporary.replace(path)
    return path
