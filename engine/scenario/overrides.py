"""Named what-if overrides: dotted keys that change a raw scenario before it is validated.

A scenario YAML can hold named **overrides** (what-ifs) and named **scenarios** that combine
them::

    overrides:
      gz-shutdown:
        suppliers.GZ-01.capacity_units_per_week: 0
      cheap-capital:
        finance.annual_cost_of_capital: 0.08
      split-70-30:
        risk_policy.fixed_splits.SKU-A: {GZ-01: 0.7, HCM-01: 0.3}
    scenarios:
      stress-gz: [gz-shutdown, cheap-capital]

Merge order
    defaults < base files < the chosen scenario's overrides, in the order listed < set values
    (``--set key=value`` on the command line, or the UI). Defaults are filled in by validation,
    after the overrides. Two overrides of one named scenario may not set the same key (nor one
    a key inside the other's, such as a whole row and one of its cells): that is an error naming
    both. Set values are the last layer and may change anything. Every applied change is
    logged, e.g. ``suppliers.GZ-01.capacity_units_per_week: 1200 -> 0 (override 'gz-shutdown')``.

Key grammar
    Settings: a dotted path into the settings, e.g. ``finance.annual_cost_of_capital``,
    ``horizon.periods``, ``risk_policy.max_share_per_region.CN`` or
    ``risk_policy.fixed_splits.SKU-A`` (the value may be a mapping). The value replaces what is
    at the key; missing groups on the way are created. ``disruptions`` is replaced as a whole
    list. ``name``, ``overrides`` and ``scenarios`` can not be overridden.

    Tables: ``<table>.<row key>.<column>`` sets one cell, e.g.
    ``suppliers.GZ-01.capacity_units_per_week``, ``offers.GZ-01:SKU-A.moq_units``,
    ``price_breaks.GZ-01:SKU-A:500.unit_price`` or ``demand.SKU-A:3.mean_units``; null blanks the
    cell. The row key is the row's key columns joined with ``:`` (skus: sku; suppliers:
    supplier; offers: supplier:sku; price_breaks: supplier:sku:min_qty_units; lanes: lane;
    duties: sku:origin_country:effective_from; calendars: supplier:start_date; demand:
    sku:period; in_transit: sku:supplier:arrival_period). Numbers match numerically (``500``
    matches ``500.0``), text exactly, and an empty part matches a blank cell (``duties.*:CN:``
    is the row with no effective_from). The part after the last dot is the column when it is a
    name, so ``price_breaks.GZ-01:SKU-A:0.5`` is a whole row. ``<table>.<row key>`` with a
    mapping of column: value replaces that row, or adds it if there is none (its key columns are
    filled from the key); with null it deletes the row. If several rows share a key, the change
    applies to each.

    A key naming an unknown table or top-level setting, or a row that does not exist, is an
    error; column names and values are checked later by validation.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

import yaml

from engine.scenario.errors import Problem, ScenarioError
from engine.scenario.raw import RawScenario, RawTable
from engine.scenario.schema import ROW_MODELS, TABLE_KEYS, TABLE_NAMES, Settings
from engine.scenario.yaml_input import load_yaml

FIXED_SETTINGS: tuple[str, ...] = ("name", "overrides", "scenarios")
"""Settings that no override may change."""

OVERRIDABLE_SETTINGS: tuple[str, ...] = tuple(
    key for key in Settings.model_fields if key not in FIXED_SETTINGS
)
"""Top-level settings an override key may start with."""

NUMERIC_KEY_COLUMNS: dict[str, tuple[bool, ...]] = {
    table: tuple(ROW_MODELS[table].model_fields[c].annotation in (int, float) for c in columns)
    for table, columns in TABLE_KEYS.items()
}
"""For each table, which of its key columns hold numbers (matched numerically)."""

SET_VALUES_ORIGIN = "--set"
"""Default origin shown for the last layer (``--set`` values or the UI)."""

_COLUMN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_EXAMPLES_SHOWN = 5


class Marker(Enum):
    """Stands in for a value that is not there, in a :class:`Change`."""

    UNSET = "(unset)"  # the setting or cell was absent (or is blanked)
    NEW_ROW = "(new row)"  # the row did not exist before
    DELETED = "(deleted)"  # the row was deleted

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return self.value


UNSET = Marker.UNSET
NEW_ROW = Marker.NEW_ROW
DELETED = Marker.DELETED


@dataclass(frozen=True)
class Change:
    """One applied change: the key, the value before and after, and where it came from.

    ``old`` and ``new`` are the values as stored (CSV cells are text), a whole row as a dict,
    or a :class:`Marker` (``UNSET``, ``NEW_ROW``, ``DELETED``).
    """

    key: str
    old: Any
    new: Any
    origin: str  # e.g. "override 'gz-shutdown'" or "--set"

    def __str__(self) -> str:
        return f"{self.key}: {_show(self.old)} -> {_show(self.new)} ({self.origin})"


# --------------------------------------------------------------------------- public API


def apply_override(
    raw: RawScenario, changes: Mapping[str, Any], origin: str
) -> tuple[RawScenario, list[Change]]:
    """Apply one mapping of ``dotted.key -> value`` to a copy of a raw scenario.

    Keys are applied in the mapping's order (see the module docstring for the grammar).

    Args:
        raw: the scenario as read; it is not changed.
        changes: dotted keys and their new values.
        origin: where the changes come from, shown in each change and problem, e.g.
            ``"override 'gz-shutdown'"``.

    Returns:
        A new raw scenario with the changes applied, and the list of changes made.

    Raises:
        ScenarioError: listing every key that could not be applied.
    """
    problems: list[Problem] = []
    result = copy.deepcopy(raw)
    edits = _parse_layer(changes, origin, raw.settings_source, problems)
    applied = _apply_edits(result, edits, origin, problems)
    if problems:
        raise ScenarioError(problems)
    return result, applied


def resolve_scenario(
    raw: RawScenario,
    scenario_name: str | None = None,
    set_values: Mapping[str, Any] | None = None,
    *,
    set_origin: str = SET_VALUES_ORIGIN,
) -> tuple[RawScenario, list[Change]]:
    """Apply a named scenario's overrides, then the set values, to a copy of a raw scenario.

    Merge order: defaults < base files < the named scenario's overrides in the order listed <
    ``set_values``. Two overrides of the named scenario that set the same key (or one a key
    inside the other's) are an error; ``set_values`` may change anything.

    Args:
        raw: the scenario as read; it is not changed.
        scenario_name: an entry of ``scenarios``, or a single entry of ``overrides`` (a
            scenario wins if both have the name); None applies no override.
        set_values: the last layer of ``dotted.key -> value`` changes (CLI ``--set``, the UI).
        set_origin: how the set values are named in changes and problems.

    Returns:
        A new raw scenario with every layer applied, and every change made, in order.

    Raises:
        ScenarioError: with every problem found (unknown names, bad keys, conflicts).
    """
    problems: list[Problem] = []
    source = raw.settings_source
    layers: list[tuple[str, list[_Edit]]] = []
    if scenario_name is not None:
        overrides = _named_overrides(raw, scenario_name, problems)
        for name, mapping in overrides:
            origin = f"override '{name}'"
            layers.append((origin, _parse_layer(mapping, origin, source, problems)))
        _mark_conflicts(layers, scenario_name, source)
    if set_values:
        layers.append((set_origin, _parse_layer(set_values, set_origin, source, problems)))
    result = copy.deepcopy(raw)
    applied: list[Change] = []
    for origin, edits in layers:
        applied.extend(_apply_edits(result, edits, origin, problems))
    if problems:
        raise ScenarioError(problems)
    return result, applied


def parse_set_values(items: Sequence[str]) -> dict[str, Any]:
    """Parse ``key=value`` strings (CLI ``--set``) into a mapping; values are read as YAML.

    ``0``, ``0.3``, ``true``, ``null``, ``2025-03-01`` and ``{GZ-01: 0.7, HCM-01: 0.3}`` all
    work; an empty value is null. A later item for the same key wins.

    Args:
        items: the strings as given, e.g. ``["finance.annual_cost_of_capital=0.08"]``.

    Returns:
        The keys and their parsed values, in the order given.

    Raises:
        ScenarioError: listing every malformed item.
    """
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            problems.append(
                Problem(
                    "--set", None, key or None, f"'{item}'", "key=value, e.g. horizon.periods=26"
                )
            )
            continue
        try:
            values[key] = load_yaml(text)
        except yaml.YAMLError as error:
            reason = getattr(error, "problem", None) or "not valid YAML"
            problems.append(
                Problem(
                    "--set",
                    None,
                    key,
                    f"unreadable value '{text}' ({reason})",
                    "a number, text, true/false, null, a date or a YAML mapping like {A: 1}",
                )
            )
    if problems:
        raise ScenarioError(problems)
    return values


# --------------------------------------------------------------------------- parsed keys


@dataclass(frozen=True)
class _SettingTarget:
    parts: tuple[str, ...]


@dataclass(frozen=True)
class _CellTarget:
    table: str
    row_key: tuple[str, ...]
    column: str


@dataclass(frozen=True)
class _RowTarget:
    table: str
    row_key: tuple[str, ...]


_Target = _SettingTarget | _CellTarget | _RowTarget


@dataclass(frozen=True)
class _Edit:
    """One key of a layer: where it points, or the problem that keeps it from being applied."""

    key: str
    target: _Target | None
    value: Any
    problem: Problem | None = None


class _BadKey(Exception):
    """A key that can not be applied: what was found and what is allowed, in plain words."""

    def __init__(self, found: str, allowed: str) -> None:
        super().__init__(found)
        self.found = found
        self.allowed = allowed


def _parse_layer(changes: Any, origin: str, source: str, problems: list[Problem]) -> list[_Edit]:
    """Parse every key of one layer; a bad key becomes an edit carrying its problem."""
    if not isinstance(changes, Mapping):
        problems.append(
            Problem(
                source,
                None,
                None,
                f"{_kind(changes)} in {origin}",
                "a mapping of dotted.key: value",
            )
        )
        return []
    edits: list[_Edit] = []
    for key, value in changes.items():
        try:
            edits.append(_Edit(key, _parse_key(key, value), value))
        except _BadKey as error:
            edits.append(_Edit(key, None, value, _problem(source, key, error, origin)))
    return edits


def _parse_key(key: Any, value: Any) -> _Target:
    if not isinstance(key, str):
        raise _BadKey(f"the key {key!r}, which is not text", "dotted.key: value")
    parts = key.split(".")
    if any(not part for part in parts):
        raise _BadKey(
            "an empty part in the key",
            "names joined by single dots, e.g. finance.annual_cost_of_capital",
        )
    head = parts[0]
    if head in TABLE_NAMES:
        return _parse_table_key(head, key[len(head) + 1 :], value)
    if head in FIXED_SETTINGS:
        raise _BadKey(
            f"'{head}' can not be overridden",
            "change it in the scenario file; overrides may set "
            + ", ".join(OVERRIDABLE_SETTINGS)
            + " or a table",
        )
    if head in OVERRIDABLE_SETTINGS:
        return _SettingTarget(tuple(parts))
    allowed = f"a setting ({', '.join(OVERRIDABLE_SETTINGS)}) or a table ({', '.join(TABLE_NAMES)})"
    close = difflib.get_close_matches(head, [*OVERRIDABLE_SETTINGS, *TABLE_NAMES], n=1)
    if close:
        allowed += f"; did you mean '{close[0]}'?"
    raise _BadKey(f"unknown setting or table '{head}'", allowed)


def _parse_table_key(table: str, rest: str, value: Any) -> _Target:
    columns = TABLE_KEYS[table]
    pattern = ":".join(f"<{c}>" for c in columns)
    if not rest:
        raise _BadKey(
            f"the whole table '{table}'",
            f"{table}.{pattern}.<column> to set a cell, or {table}.{pattern} to replace, add "
            "or (with null) delete a row",
        )
    row_text, column = rest, None
    head, dot, tail = rest.rpartition(".")
    if dot and _COLUMN.match(tail):
        row_text, column = head, tail
    row_key = tuple(row_text.split(":"))
    if len(row_key) != len(columns):
        raise _BadKey(
            f"row key '{row_text}' has {_count(len(row_key), 'part')}",
            f"{_count(len(columns), 'part')} joined with ':' ({pattern}), e.g. "
            f"{table}.{pattern}" + (f".{column}" if column else ""),
        )
    if column is not None:
        return _CellTarget(table, row_key, column)
    if value is not None and not isinstance(value, Mapping):
        raise _BadKey(
            f"{_kind(value)} for the whole row '{row_text}'",
            "a mapping of column: value to replace or add the row, or null to delete it; "
            f"to set one cell use {table}.{row_text}.<column>",
        )
    return _RowTarget(table, row_key)


# --------------------------------------------------------------------------- conflicts


def _footprint(target: _Target) -> tuple[Any, ...]:
    """What a target touches, as a path: a key conflicts with any key that is a prefix of it."""
    if isinstance(target, _SettingTarget):
        return ("settings", *target.parts)
    numeric = NUMERIC_KEY_COLUMNS[target.table]
    parts = zip(target.row_key, numeric, strict=True)
    row = (target.table, tuple(_normal_part(p, n) for p, n in parts))
    if isinstance(target, _CellTarget):
        return ("table", *row, target.column)
    return ("table", *row)


def _mark_conflicts(layers: list[tuple[str, list[_Edit]]], scenario_name: str, source: str) -> None:
    """Turn each edit that touches what an edit of an earlier layer touches into a problem.

    Two keys conflict when they are the same or one is a prefix of the other (a whole row and
    one of its cells, a group of settings and one of its entries): the result would depend on
    the order the overrides are listed in.
    """
    seen: list[tuple[str, str, tuple[Any, ...]]] = []  # (origin, key, footprint)
    for origin, edits in layers:
        footprints: list[tuple[str, str, tuple[Any, ...]]] = []
        for position, edit in enumerate(edits):
            if edit.target is None:
                continue
            b = _footprint(edit.target)
            clash = next(((o, k) for o, k, a in seen if a[: len(b)] == b or b[: len(a)] == a), None)
            if clash is None:
                footprints.append((origin, edit.key, b))
                continue
            first_origin, first_key = clash
            if first_key == edit.key:
                found = f"set by both {first_origin} and {origin}"
            else:
                found = f"'{first_key}' set by {first_origin} overlaps '{edit.key}' set by {origin}"
            allowed = (
                f"each key set by one override of scenario '{scenario_name}' only; "
                "drop it from one of them, or give the value with --set"
            )
            problem = Problem(source, None, edit.key, found, allowed)
            edits[position] = replace(edit, target=None, problem=problem)
        seen.extend(footprints)


# --------------------------------------------------------------------------- names


def _named_overrides(
    raw: RawScenario, scenario_name: str, problems: list[Problem]
) -> list[tuple[str, Any]]:
    """The (name, mapping) of each override the name stands for, in order."""
    source = raw.settings_source
    overrides = _mapping_setting(
        raw, "overrides", "a mapping of override name -> {dotted.key: value}", problems
    )
    scenarios = _mapping_setting(
        raw, "scenarios", "a mapping of scenario name -> [override names]", problems
    )
    if scenario_name in scenarios:
        listed = scenarios[scenario_name]
        field = f"scenarios.{scenario_name}"
        if not isinstance(listed, list | tuple):
            problems.append(
                Problem(
                    source,
                    None,
                    field,
                    _kind(listed),
                    "a list of override names, e.g. [gz-shutdown, cheap-capital]",
                )
            )
            return []
        names: list[str] = []
        for name in listed:
            if not isinstance(name, str) or name not in overrides:
                problems.append(
                    Problem(
                        source,
                        None,
                        field,
                        f"override {_quoted(name)}, which is not defined",
                        "one of the overrides: " + _listing(overrides),
                    )
                )
            elif name in names:
                problems.append(
                    Problem(
                        source, None, field, f"override '{name}' listed twice", "each override once"
                    )
                )
            else:
                names.append(name)
    elif scenario_name in overrides:
        names = [scenario_name]
    else:
        problems.append(
            Problem(
                source,
                None,
                None,
                f"no scenario or override named {_quoted(scenario_name)}",
                f"a scenario ({_listing(scenarios)}) or an override ({_listing(overrides)})",
            )
        )
        return []
    chosen: list[tuple[str, Any]] = []
    for name in names:
        mapping = overrides[name]
        if mapping is None:
            mapping = {}
        if not isinstance(mapping, Mapping):
            problems.append(
                Problem(
                    source,
                    None,
                    f"overrides.{name}",
                    _kind(mapping),
                    "a mapping of dotted.key: value",
                )
            )
            continue
        chosen.append((name, mapping))
    return chosen


def _mapping_setting(
    raw: RawScenario, key: str, allowed: str, problems: list[Problem]
) -> Mapping[Any, Any]:
    value = raw.settings.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.append(Problem(raw.settings_source, None, key, _kind(value), allowed))
        return {}
    return value


# --------------------------------------------------------------------------- applying


def _apply_edits(
    raw: RawScenario, edits: list[_Edit], origin: str, problems: list[Problem]
) -> list[Change]:
    """Apply parsed edits to ``raw`` in place; edits that fail become problems."""
    changes: list[Change] = []
    for edit in edits:
        if edit.target is None:
            if edit.problem is not None:
                problems.append(edit.problem)
            continue
        try:
            if isinstance(edit.target, _SettingTarget):
                changes.append(_set_setting(raw.settings, edit, origin))
            elif isinstance(edit.target, _CellTarget):
                changes.extend(_set_cell(raw, edit, edit.target, origin))
            else:
                changes.extend(_set_row(raw, edit, edit.target, origin))
        except _BadKey as error:
            problems.append(_problem(raw.settings_source, edit.key, error, origin))
    return changes


def _set_setting(settings: dict[str, Any], edit: _Edit, origin: str) -> Change:
    assert isinstance(edit.target, _SettingTarget)
    parts = edit.target.parts
    node = settings
    for depth, part in enumerate(parts[:-1], start=1):
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        if not isinstance(child, dict):
            path = ".".join(parts[:depth])
            if isinstance(child, list):
                raise _BadKey(f"'{path}' is a list", f"replace the whole list: {path}: [...]")
            raise _BadKey(
                f"'{path}' is {_show(child)}, not a group of settings",
                f"a key that stops at '{path}'",
            )
        node = child
    old = copy.deepcopy(node[parts[-1]]) if parts[-1] in node else UNSET
    node[parts[-1]] = copy.deepcopy(edit.value)
    return Change(edit.key, old, copy.deepcopy(edit.value), origin)


def _set_cell(raw: RawScenario, edit: _Edit, target: _CellTarget, origin: str) -> list[Change]:
    table = raw.tables.get(target.table)
    indexes = _matching_rows(table, target.table, target.row_key)
    if table is None or not indexes:
        raise _no_row(raw, target.table, target.row_key, "or give the whole row to add it")
    changes = []
    for index in indexes:
        row = table.rows[index]
        old = copy.deepcopy(row[target.column]) if target.column in row else UNSET
        if edit.value is None:
            row.pop(target.column, None)
            new: Any = UNSET
        else:
            row[target.column] = copy.deepcopy(edit.value)
            new = copy.deepcopy(edit.value)
        changes.append(Change(edit.key, old, new, origin))
    _add_columns(table, [target.column])
    return changes


def _set_row(raw: RawScenario, edit: _Edit, target: _RowTarget, origin: str) -> list[Change]:
    table = raw.tables.get(target.table)
    indexes = _matching_rows(table, target.table, target.row_key)
    if edit.value is None:
        if table is None or not indexes:
            raise _no_row(raw, target.table, target.row_key, "nothing to delete")
        changes = [Change(edit.key, copy.deepcopy(table.rows[i]), DELETED, origin) for i in indexes]
        for index in reversed(indexes):
            del table.rows[index]
            if index < len(table.row_numbers):
                del table.row_numbers[index]
        return changes
    new_row = _new_row(target, edit.value)
    if table is None:
        table = raw.tables[target.table] = RawTable(
            name=target.table, source=_new_table_source(raw, target.table)
        )
    _add_columns(table, list(new_row))
    if not indexes:
        table.rows.append(new_row)  # no spreadsheet row number: it is not in any file
        return [Change(edit.key, NEW_ROW, copy.deepcopy(new_row), origin)]
    changes = []
    for index in indexes:
        old = table.rows[index]
        table.rows[index] = copy.deepcopy(new_row)
        changes.append(Change(edit.key, old, copy.deepcopy(new_row), origin))
    return changes


def _new_row(target: _RowTarget, value: Mapping[Any, Any]) -> dict[str, Any]:
    """The row a whole-row value stands for: key columns from the key, then the rest."""
    row: dict[str, Any] = {}
    table = target.table
    keys = zip(TABLE_KEYS[table], NUMERIC_KEY_COLUMNS[table], target.row_key, strict=True)
    for column, numeric, part in keys:
        given = value.get(column)
        if given is not None and not _same(given, part, numeric):
            raise _BadKey(
                f"key column '{column}' is {_show(given)} but the key says {_quoted(part)}",
                "leave the key columns out (they come from the key) or make them match it",
            )
        if given is not None:
            row[column] = copy.deepcopy(given)
        elif part != "":
            row[column] = part
    for column, cell in value.items():
        if str(column) not in row and cell is not None:
            row[str(column)] = copy.deepcopy(cell)
    return row


def _add_columns(table: RawTable, columns: list[str]) -> None:
    """Add columns the override wrote to the header, so validation sees (and checks) them."""
    for column in columns:
        if column not in table.columns:
            table.columns.append(column)


def _new_table_source(raw: RawScenario, name: str) -> str:
    suffix = "[settings]"
    if raw.settings_source.endswith(suffix):
        return f"{raw.settings_source[: -len(suffix)]}[{name}]"
    return f"{name}.csv"


# --------------------------------------------------------------------------- row keys


def _matching_rows(table: RawTable | None, name: str, row_key: tuple[str, ...]) -> list[int]:
    """Indexes of the rows of ``table`` (the table ``name``) whose key is ``row_key``."""
    if table is None:
        return []
    keys = list(zip(TABLE_KEYS[name], NUMERIC_KEY_COLUMNS[name], row_key, strict=True))
    return [
        index
        for index, row in enumerate(table.rows)
        if all(_same(row.get(column), part, numeric) for column, numeric, part in keys)
    ]


def _same(cell: Any, part: str, numeric: bool) -> bool:
    """Whether a key cell matches a row-key part: numbers numerically, text exactly.

    A cell is compared as a number if its column holds numbers or the cell itself is one (a
    workbook cell); a text cell of a text column must match exactly ("0123" is not "123").
    """
    if cell is None or cell == "":
        return part == ""
    if part == "":
        return False
    number, wanted = _number(cell), _number(part)
    as_number = numeric or (isinstance(cell, int | float) and not isinstance(cell, bool))
    if as_number and number is not None and wanted is not None:
        return number == wanted
    if isinstance(cell, dt.date):
        return cell.isoformat() == part
    return str(cell) == part


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _normal_part(part: str, numeric: bool) -> tuple[str, Any]:
    """A row-key part in a form where equal keys compare equal ("500" and "500.0")."""
    number = _number(part) if numeric else None
    return ("number", number) if number is not None else ("text", part)


def _key_text(row: Mapping[str, Any], columns: tuple[str, ...]) -> str:
    return ":".join("" if row.get(c) in (None, "") else _show(row.get(c)) for c in columns)


def _no_row(raw: RawScenario, name: str, row_key: tuple[str, ...], hint: str) -> _BadKey:
    table = raw.tables.get(name)
    columns = TABLE_KEYS[name]
    wanted = ":".join(row_key)
    source = table.source if table is not None else _new_table_source(raw, name)
    found = f"no row '{wanted}' in {source}"
    if table is None or not table.rows:
        return _BadKey(found, f"the {name} table has no rows; give the whole row to add it")
    existing = list(dict.fromkeys(_key_text(row, columns) for row in table.rows))
    close = difflib.get_close_matches(wanted, existing, n=_EXAMPLES_SHOWN, cutoff=0.5)
    shown = (close + [k for k in existing if k not in close])[:_EXAMPLES_SHOWN]
    more = ", ..." if len(existing) > len(shown) else ""
    return _BadKey(
        found,
        f"an existing {':'.join(columns)}, e.g. {', '.join(shown)}{more}; {hint}",
    )


# --------------------------------------------------------------------------- words


def _problem(source: str, key: Any, error: _BadKey, origin: str) -> Problem:
    return Problem(source, None, str(key), f"{error.found} (in {origin})", error.allowed)


def _show(value: Any) -> str:
    """A value as the user would write it: 1200, 0.08, GZ-01, {GZ-01: 0.7}, (unset)."""
    if isinstance(value, Marker):
        return value.value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value if value else "''"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping | list | tuple):
        try:
            text = yaml.safe_dump(
                _plain(value), default_flow_style=True, sort_keys=False, width=1_000_000
            )
        except yaml.YAMLError:
            return repr(value)
        return text.strip()
    return str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str):
        return f"the text '{value}'"
    return f"the value {_show(value)}"


def _quoted(value: Any) -> str:
    return f"'{value}'"


def _listing(names: Mapping[Any, Any]) -> str:
    return ", ".join(str(name) for name in names) if names else "none defined"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
