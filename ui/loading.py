"""Getting scenarios in and out of the app: bundled examples, uploads, edited tables, downloads.

The edited scenario lives in the session's working folder as ``scenario.yaml`` + one CSV per
table, and is checked by loading that folder with ``engine.api.load``, so every problem points
at the file, spreadsheet row and field the user can see in the editor (row 2 = first row).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd
import yaml

from engine.api import (
    MAX_UPLOAD_BYTES,
    REQUIRED_TABLES,
    ROW_MODELS,
    TABLE_NAMES,
    LoadedScenario,
    Problem,
    Scenario,
    ScenarioError,
    Severity,
    load,
    parse_set_values,
    write_scenario,
    write_tables,
)
from ui import formats
from ui.state import Workspace

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES_DIR = ROOT / "scenarios"
SCENARIO_FILE = "scenario.yaml"
UPLOAD_SUFFIXES = ("zip", "xlsx", "xlsm", "yaml", "yml", "csv")
SET_VALUES_SOURCE = "--set"
"""How the engine names the last layer of changes (here: the set values typed in the app)."""


# ---------------------------------------------------------------- opening


def examples() -> list[str]:
    """Names of the bundled example scenarios (folders under ``scenarios/``)."""
    if not EXAMPLES_DIR.is_dir():
        return []
    return sorted(p.name for p in EXAMPLES_DIR.iterdir() if (p / SCENARIO_FILE).is_file())


def open_example(name: str) -> Workspace:
    """A workspace holding a bundled example, checked."""
    loaded = load(EXAMPLES_DIR / name)
    return open_scenario(loaded.scenario, f"example {name}")


def open_scenario(scenario: Scenario, source: str) -> Workspace:
    """A new workspace (with its own working folder) holding a validated scenario, checked."""
    folder = Path(tempfile.mkdtemp(prefix="sourcing-ui-"))
    write_scenario(scenario, folder, overwrite=True)
    settings = (folder / SCENARIO_FILE).read_text(encoding="utf-8")
    space = Workspace(
        source=source, folder=folder, tables=tables_of(scenario), settings_yaml=settings
    )
    check(space)
    return space


def tables_of(scenario: Scenario) -> dict[str, pd.DataFrame]:
    """Every table of a scenario as an editable frame (dates as text, enums as their values)."""
    tables = {}
    for name in TABLE_NAMES:
        columns = list(ROW_MODELS[name].model_fields)
        rows = [row.model_dump(mode="json") for row in getattr(scenario, name)]
        frame = pd.DataFrame(rows, columns=columns)
        for column in frame.columns:  # blank or mixed columns: editable text, not "None"
            if frame[column].dtype == object:
                frame[column] = frame[column].astype("string")
        tables[name] = frame
    return tables


def read_upload(files: Iterable[tuple[str, bytes]]) -> LoadedScenario:
    """Read uploaded files: one ``.xlsx`` workbook, a ``.zip`` of YAML + CSV (or of a
    workbook), or a scenario YAML with its CSV files.

    Raises:
        ScenarioError: With every problem found (unreadable archives and unsupported files
            included), never another exception for bad input.
    """
    folder = Path(tempfile.mkdtemp(prefix="sourcing-upload-"))
    problems: list[Problem] = []
    count = 0
    budget = [MAX_UPLOAD_BYTES]  # bytes still allowed, uploads and unpacked zip entries
    for name, data in files:
        count += 1
        _store_upload(folder, name, data, problems, budget)
    if count == 0:
        problems.append(
            Problem("upload", None, None, "no file", "a .xlsx workbook, a .zip, or YAML + CSV")
        )
    if problems:
        raise ScenarioError(problems)
    target = _scenario_file(folder)
    try:
        loaded = load(target)
    except OSError as error:
        raise ScenarioError(
            [Problem(target.name, None, None, f"unreadable ({error})", "a readable file")]
        ) from None
    loaded.warnings.extend(_unused(folder, target, loaded.scenario))
    return loaded


UNUSED = "not used: the scenario was read from"


def _unused(folder: Path, target: Path, scenario: Scenario) -> list[Problem]:
    """A warning for every uploaded file the scenario was not read from (a second workbook,
    a CSV no table names, notes): every uploaded file is used or reported."""
    used = {target.resolve()}
    if target.suffix.lower() in (".yaml", ".yml"):
        names = {f"{name}.csv" for name in TABLE_NAMES}
        try:
            settings = yaml.safe_load(target.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            settings = {}
        written = settings.get("tables") if isinstance(settings, dict) else None
        if isinstance(written, dict):
            names |= {str(v) for v in written.values()}
        used |= {(target.parent / n).resolve() for n in names}
    return [
        Problem(
            str(path.relative_to(folder)),
            None,
            None,
            f"{UNUSED} {target.name}",
            "only the scenario's own files (remove this one, or open it alone)",
            severity=Severity.WARNING,
        )
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.resolve() not in used
    ]


def _store_upload(
    folder: Path, name: str, data: bytes, problems: list[Problem], budget: list[int]
) -> None:
    safe = PurePosixPath(name.replace("\\", "/")).name or "upload"
    suffix = safe.rsplit(".", 1)[-1].lower() if "." in safe else ""
    if suffix not in UPLOAD_SUFFIXES:
        problems.append(
            Problem(
                safe,
                None,
                None,
                f"a file of type '.{suffix}'" if suffix else "a file without a type",
                "a .xlsx workbook, a .zip of scenario.yaml and its CSV files, or those files",
            )
        )
        return
    if not _spend(budget, len(data), safe, problems):
        return
    if suffix != "zip":
        (folder / safe).write_bytes(data)
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for entry in archive.infolist():
                path = PurePosixPath(entry.filename)
                if entry.is_dir() or path.is_absolute() or ".." in path.parts:
                    continue
                if path.parts[0] == "__MACOSX" or path.name.startswith("."):
                    continue
                if not _spend(budget, entry.file_size, f"{safe}: {entry.filename}", problems):
                    return  # zipfile stops reading an entry at its stated size
                target = folder.joinpath(*path.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(entry))
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError) as error:
        problems.append(
            Problem(
                safe,
                None,
                None,
                f"not a readable zip archive ({error})",
                "a .zip holding scenario.yaml and its CSV files, or a workbook",
            )
        )


def _spend(budget: list[int], size: int, source: str, problems: list[Problem]) -> bool:
    """Take ``size`` bytes from the upload's budget; False (with the problem) past it."""
    budget[0] -= size
    if budget[0] >= 0:
        return True
    problems.append(
        Problem(
            source,
            None,
            None,
            "more than the upload limit",
            f"at most {MAX_UPLOAD_BYTES:,} bytes in all, unpacked (docs/input-limits.md)",
        )
    )
    return False


def _scenario_file(folder: Path) -> Path:
    """The one YAML (or, failing that, the one workbook) among the uploaded files."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    yamls = [p for p in files if p.suffix.lower() in (".yaml", ".yml")]
    books = [p for p in files if p.suffix.lower() in (".xlsx", ".xlsm")]
    named = [p for p in yamls if p.name.lower() in ("scenario.yaml", "scenario.yml")]
    if len(yamls) == 1 or len(named) == 1:
        return named[0] if len(named) == 1 else yamls[0]
    if not yamls and len(books) == 1:
        return books[0]
    found = ", ".join(sorted(p.name for p in [*yamls, *books])) or "only CSV files"
    raise ScenarioError(
        [
            Problem(
                "upload",
                None,
                None,
                f"no single scenario among the files ({found})",
                "exactly one scenario YAML (with its CSV files) or one .xlsx workbook",
            )
        ]
    )


# ---------------------------------------------------------------- checking edits


def check(space: Workspace) -> None:
    """Write the workspace's tables and settings to its folder and load them: the base, then
    with the what-if and set values. Updates ``base``, ``loaded`` and ``problems``."""
    write_folder(space.folder, space.tables, space.settings_yaml)
    space.base, space.loaded = None, None
    try:
        base = load(space.folder)
    except ScenarioError as error:
        space.problems = list(error.problems)
        return
    space.base = base.scenario
    if space.whatif and space.whatif not in whatifs(base.scenario):
        space.whatif = None
    try:
        values = parse_set_values(set_value_lines(space.set_values))
        space.loaded = load(space.folder, space.whatif, values)
    except ScenarioError as error:
        space.problems = list(error.problems)
        return
    space.problems = list(space.loaded.warnings)


def set_value_lines(text: str) -> list[str]:
    """The ``key = value`` lines of a text box (blank lines and ``#`` comments skipped)."""
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def write_folder(folder: Path, tables: Mapping[str, pd.DataFrame], settings_yaml: str) -> None:
    """Write ``scenario.yaml`` and a CSV per table (an empty optional table is left out)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in TABLE_NAMES:
        target = folder / f"{name}.csv"
        frame = tables.get(name)
        if frame is None or (frame.empty and name not in REQUIRED_TABLES):
            target.unlink(missing_ok=True)
            continue
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([str(c) for c in frame.columns])
        for row in frame.itertuples(index=False):
            writer.writerow([_cell_text(v) for v in row])
        target.write_text(buffer.getvalue(), encoding="utf-8")
    (folder / SCENARIO_FILE).write_text(settings_yaml, encoding="utf-8")


def _cell_text(value: Any) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return ""
        return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


# ---------------------------------------------------------------- what-ifs


def whatifs(scenario: Scenario) -> dict[str, str]:
    """Named scenarios, then overrides not already named so, each with what it changes in
    words (``duty rate of SKL-10IN from CN set to 35.0 %; ...``)."""
    names = [*scenario.scenarios, *(n for n in scenario.overrides if n not in scenario.scenarios)]
    return {name: whatif_words(whatif_values(scenario, name)) for name in names}


def whatif_words(values: Mapping[str, Any]) -> str:
    """A what-if's changes in words."""
    return "; ".join(f"{key_words(key)} set to {value_words(key, v)}" for key, v in values.items())


def key_words(key: str) -> str:
    """``duties.SKL-10IN.CN.duty_rate`` -> ``duties SKL-10IN CN: duty rate``."""
    parts = str(key).split(".")
    field = parts[-1].replace("_", " ")
    where = " ".join(_row_words(p) for p in parts[:-1] if p != "risk_policy")
    return f"{where}: {field}" if where else field


def _row_words(part: str) -> str:
    """A row key as written in overrides: ``SKL-10IN:CN:`` -> ``SKL-10IN from CN``."""
    pieces = [p for p in part.split(":") if p]
    if len(pieces) == 2:
        return f"{pieces[0]} from {pieces[1]}"
    return " ".join(pieces).replace("_", " ")


def value_words(key: str, value: Any) -> str:
    """A what-if's value as the app shows numbers (a rate as %, money, days)."""
    name = str(key).split(".")[-1]
    if value is None or value == "":
        return "none"
    if isinstance(value, Mapping):
        inner = "share" if "fixed_splits" in str(key) else name
        return ", ".join(f"{k} {value_words(inner, v)}" for k, v in value.items())
    if isinstance(value, list):
        return f"{len(value)} {name.replace('_', ' ')} (listed under the table)"
    if hasattr(value, "value") and not isinstance(value, (int, float, str)):
        return str(value.value)  # a marker: (unset), (new row), (deleted)
    if isinstance(value, str) and formats.number(value) is None:
        return value
    return formats.named(name, value)


def change_words(change: Any) -> str:
    """One applied change in words: ``duties SKL-10IN CN: duty rate 25.0 % -> 35.0 %``."""
    old, new = value_words(change.key, change.old), value_words(change.key, change.new)
    return f"{key_words(change.key)}: {old} → {new} ({change.origin})"


def whatif_values(scenario: Scenario, name: str) -> dict[str, Any]:
    """The dotted changes of a named scenario (its overrides in order) or of one override."""
    names = scenario.scenarios.get(name) or ((name,) if name in scenario.overrides else ())
    values: dict[str, Any] = {}
    for part in names:
        values.update(scenario.overrides.get(part, {}))
    return values


def with_whatif(
    space: Workspace, name: str | None, extra: Mapping[str, Any] | None = None
) -> LoadedScenario:
    """The workspace's scenario with a second what-if's changes layered under its set values,
    and ``extra`` changes over everything.

    Raises:
        ScenarioError: If the combination is not a valid scenario.
    """
    base = space.base
    values = parse_set_values(set_value_lines(space.set_values))
    if name and base is not None:
        values = {**whatif_values(base, name), **values}
    return load(space.folder, space.whatif, {**values, **(extra or {})})


def direct_fulfilment(scenario: Scenario) -> dict[str, Any]:
    """Direct-fulfilment settings: from an override that switches to it, else the current
    ones with the model changed."""
    current = scenario.fulfilment.model_dump(mode="json")
    for mapping in scenario.overrides.values():
        if mapping.get("fulfilment.model") == "direct":
            values = {
                k.split(".", 1)[1]: v for k, v in mapping.items() if k.startswith("fulfilment.")
            }
            return {**current, **values}
    return {**current, "model": "direct"}


# ---------------------------------------------------------------- downloads and tables


def scenario_xlsx(scenario: Scenario) -> bytes:
    """A scenario as an Excel workbook (the ``write_scenario`` format)."""
    with tempfile.TemporaryDirectory(prefix="sourcing-ui-") as tmp:
        path = write_scenario(scenario, Path(tmp) / f"{scenario.name}.xlsx", overwrite=True)
        return path.read_bytes()


def folder_zip(folder: Path) -> bytes:
    """The YAML + CSV files of a working folder as a zip archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            if path.suffix in (".yaml", ".csv"):
                archive.write(path, path.name)
    return buffer.getvalue()


def tables_xlsx(tables: Mapping[str, pd.DataFrame]) -> bytes:
    """Result tables as one Excel workbook, a sheet each."""
    shown = {name: frame for name, frame in tables.items() if frame is not None} or {
        "empty": pd.DataFrame()
    }
    with tempfile.TemporaryDirectory(prefix="sourcing-ui-") as tmp:
        path = write_tables(shown, Path(tmp) / "results.xlsx", overwrite=True)
        return path.read_bytes()


def problems_frame(problems: Iterable[Problem]) -> pd.DataFrame:
    """Problems as a table: severity, file, row, field, what was found and what is allowed."""
    rows = [
        {
            "severity": p.severity.value,
            "file": "set values" if p.source == SET_VALUES_SOURCE else p.source,
            "row": p.row,
            "field": p.field or "",
            "found": p.found,
            "allowed": p.allowed,
        }
        for p in problems
    ]
    frame = pd.DataFrame(rows, columns=["severity", "file", "row", "field", "found", "allowed"])
    frame["row"] = frame["row"].astype("Int64")
    return frame


def errors_in(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity is Severity.ERROR]


def table_of_problem(problem: Problem) -> str | None:
    """The table a problem is about (``suppliers.csv`` -> ``suppliers``), or None."""
    stem = problem.source.rsplit("/", 1)[-1]
    if stem.endswith("]") and "[" in stem:
        stem = stem[stem.index("[") + 1 : -1]
    stem = stem.removesuffix(".csv")
    return stem if stem in TABLE_NAMES else None


def changed_cells(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """True where ``after`` differs from ``before`` (a whole row where it is new)."""
    mask = pd.DataFrame(True, index=after.index, columns=after.columns)
    common = [c for c in after.columns if c in before.columns]
    rows = min(len(before), len(after))
    if rows:
        left = before[common].iloc[:rows].reset_index(drop=True).map(_cell_text)
        right = after[common].iloc[:rows].reset_index(drop=True).map(_cell_text)
        mask.loc[mask.index[:rows], common] = (left != right).to_numpy()
    return mask
