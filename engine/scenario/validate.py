"""Turn a raw scenario into a validated ``Scenario``, gathering every problem at once."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from engine.scenario.checks import scenario_problems
from engine.scenario.errors import Problem, ScenarioError, Severity
from engine.scenario.raw import RawScenario, RawTable
from engine.scenario.schema import ROW_MODELS, TABLE_NAMES, Scenario, Settings


def validate_raw(raw: RawScenario) -> tuple[Scenario, list[Problem]]:
    """Validate every row and setting, then the cross-table checks.

    Returns:
        The scenario and the warnings about it.

    Raises:
        ScenarioError: with every error and warning found, if there is any error.
    """
    problems: list[Problem] = list(raw.problems)
    settings = _validate_settings(raw, problems)
    tables = {name: _validate_table(table, problems) for name, table in raw.tables.items()}
    if problems:
        raise ScenarioError(problems)
    assert settings is not None
    values: dict[str, Any] = {field: getattr(settings, field) for field in Settings.model_fields}
    values |= {name: tuple(tables.get(name, ())) for name in TABLE_NAMES}
    scenario = Scenario.model_construct(**values)
    sources = {name: table.source for name, table in raw.tables.items()}
    sources["settings"] = raw.settings_source
    row_numbers = {name: table.row_numbers for name, table in raw.tables.items()}
    problems = scenario_problems(scenario, sources, row_numbers)
    if any(p.severity is Severity.ERROR for p in problems):
        raise ScenarioError(problems)
    return scenario, problems


def _validate_settings(raw: RawScenario, problems: list[Problem]) -> Settings | None:
    try:
        return Settings.model_validate(raw.settings)
    except ValidationError as error:
        problems.extend(_problems(error, raw.settings_source, None, dotted=True))
        return None


def _validate_table(table: RawTable, problems: list[Problem]) -> list[BaseModel]:
    model = ROW_MODELS[table.name]
    known = set(model.model_fields)
    unknown = [c for c in table.columns if c and c not in known]
    if unknown:
        problems.append(
            Problem(
                table.source,
                1,
                ", ".join(unknown),
                f"unknown column(s) {', '.join(repr(c) for c in unknown)}",
                "columns: " + ", ".join(model.model_fields),
            )
        )
    required = [name for name, f in model.model_fields.items() if f.is_required()]
    missing = [c for c in required if c not in table.columns]
    if missing and table.rows and len(table.row_numbers) == len(table.rows):
        problems.append(
            Problem(
                table.source,
                1,
                ", ".join(missing),
                f"missing column(s) {', '.join(repr(c) for c in missing)}",
                "every required column: " + ", ".join(required),
            )
        )
    rows: list[BaseModel] = []
    for index, row in enumerate(table.rows):
        number = table.row_numbers[index] if index < len(table.row_numbers) else None
        cells = {k: v for k, v in row.items() if k in known}
        try:
            rows.append(model.model_validate(cells))
        except ValidationError as error:
            found = _problems(error, table.source, number, dotted=False)
            problems.extend(p for p in found if p.field not in missing)
    return rows


def _problems(error: ValidationError, source: str, row: int | None, dotted: bool) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        location = [str(part) for part in item["loc"]]
        if item["type"] == "union_tag_invalid":
            location = location[:2]
        field = ".".join(location) if dotted else (location[0] if location else None)
        problems.append(Problem(source, row, field, _found(item), _allowed(item)))
    return problems


def _found(item: Any) -> str:
    if item["type"] == "missing":
        return "nothing"
    if item["type"] == "extra_forbidden":
        return "an unknown key"
    value = item.get("input")
    if isinstance(value, dict | list):
        return "a " + type(value).__name__
    return f"{value!r}"


def _allowed(item: Any) -> str:
    kind = item["type"]
    if kind == "missing":
        return "a value is required"
    if kind == "extra_forbidden":
        return "remove it or check its spelling"
    if kind == "string_pattern_mismatch":
        return "a code of letters, digits, '-' or '_' (no spaces or dots)"
    message = str(item["msg"])
    for prefix in ("Input should be ", "Value error, ", "Input tag "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    return message
