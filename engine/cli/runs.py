"""``sourcing runs ...``: list, show, compare, label, delete and export stored runs; and the helper
``sourcing optimize``, ``frontier`` and ``stress`` call to save their run.

Exit codes as for every ``sourcing`` command: 0 done, 1 a problem (the message says what and
what to do), 2 a mistyped command.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import numbers
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, TypeVar

import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from engine.comparisons.plans import run_cost_differences
from engine.export import write_tables
from engine.runs import Run, RunKind, RunStore, RunStoreError, default_store_path
from engine.runs.errors import STORE_ENV
from engine.scenario.schema import Scenario
from engine.scenario.write import TargetExistsError

runs_app = typer.Typer(
    name="runs",
    help="Every optimize, frontier and stress run is kept in the run store: list, show, "
    "compare, label, delete and export them.\n\n"
    "Examples:\n\n"
    "  sourcing runs list --kind optimize\n\n"
    "  sourcing runs show 20261123-0915\n\n"
    "  sourcing runs compare 20261123-0915 20261123-1002",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 140)
errors = Console(stderr=True, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])

StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store",
        help=f"Run store file; default ${STORE_ENV} or runs.sqlite in the per-user data folder.",
    ),
]
NoStoreOpt = Annotated[
    bool,
    typer.Option("--no-store", metavar="", help="Do not save this run in the run store."),
]
RunIdArg = Annotated[
    str, typer.Argument(help="Run id, or its first characters (`sourcing runs list`).")
]

KEY_TABLES: dict[RunKind, str] = {
    RunKind.OPTIMIZE: "costs",
    RunKind.STRESS: "summary",
    RunKind.FRONTIER: "frontier",
    RunKind.COMPARE: "difference",
}
"""The table ``sourcing runs show`` prints for each kind of run."""

HEADLINES: dict[RunKind, tuple[str, ...]] = {
    RunKind.OPTIMIZE: ("status", "total_cost", "gap"),
    RunKind.STRESS: ("fill_rate_mean", "peak_working_capital_mean"),
    RunKind.FRONTIER: ("cases", "total_cost[free optimum]"),
    RunKind.COMPARE: ("fill_rate_difference", "peak_working_capital_difference"),
}
"""The metrics ``sourcing runs list`` shows for each kind of run."""


def store_errors(command: F) -> F:
    """A store or file problem becomes a readable message and exit code 1, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (RunStoreError, TargetExistsError, ValueError, OSError) as error:
            errors.print(f"[bold red]error:[/bold red] {escape(str(error))}", highlight=False)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


# --------------------------------------------------------------------------- saving


def describe_scenario(name: str, what_if: str | None, set_items: list[str] | None) -> str:
    """The scenario as a run names it: ``dtc-brand / split-70-30 / --set key=value``."""
    parts = [name]
    if what_if:
        parts.append(what_if)
    if set_items:
        parts.append("--set " + ", ".join(set_items))
    return " / ".join(parts)


def run_parameters(
    source: Path, what_if: str | None, set_items: list[str] | None, *options: Any, **more: Any
) -> dict[str, Any]:
    """A command's options as run parameters: the scenario source and what-if, the fields of
    each options dataclass (e.g. ``SolveOptions``), then ``more``."""
    parameters: dict[str, Any] = {
        "source": str(source),
        "what_if": what_if,
        "set": list(set_items or []),
    }
    for option in options:
        parameters.update(dataclasses.asdict(option))
    parameters.update(more)
    return parameters


def save_run(
    kind: RunKind,
    scenario: Scenario,
    scenario_name: str,
    tables: Mapping[str, pd.DataFrame],
    metrics: Mapping[str, Any],
    parameters: Mapping[str, Any],
    store: Path | None,
    no_store: bool = False,
) -> str | None:
    """Save a command's run and say where; a store problem is reported, not fatal (the
    results folder is already written). Returns the run id, or None if not saved."""
    if no_store:
        return None
    try:
        run_store = RunStore(store)
        run_id = run_store.save(
            kind, scenario, scenario_name, dict(tables), dict(metrics), dict(parameters)
        )
    except RunStoreError as error:
        errors.print(
            f"[yellow]warning:[/yellow] the run was not saved in the run store (the results "
            f"folder has everything): {escape(str(error))}",
            highlight=False,
        )
        return None
    console.print(f"Saved as run {run_id} in {escape(str(run_store.path))}", highlight=False)
    return run_id


# --------------------------------------------------------------------------- commands


@runs_app.command("list")
@store_errors
def list_runs(
    kind: Annotated[RunKind | None, typer.Option(help="Only runs of this kind.")] = None,
    store: StoreOpt = None,
) -> None:
    """List the stored runs, newest first, with their headline figures.

    Example: sourcing runs list --kind stress
    """
    path = (store or default_store_path()).expanduser().absolute()
    frame = RunStore(path, create=False).list_runs(kind) if path.exists() else pd.DataFrame()
    where = escape(str(path))
    if frame.empty:
        what = f"{kind.value} runs" if kind else "runs"
        console.print(
            f"no {what} in {where} yet; `sourcing optimize`, `frontier` and `stress` save one",
            highlight=False,
        )
        return
    grid = Table(title=f"{len(frame)} run(s) in {where}", title_justify="left")
    for label in ("run id", "created (UTC)", "kind", "scenario", "label", "headline"):
        grid.add_column(label)
    for _, row in frame.iterrows():
        run_kind = RunKind(row["kind"])
        headline = ", ".join(
            f"{name} {fmt_named(name, row[name])}"
            for name in HEADLINES[run_kind]
            if name in row.index and not _missing(row[name])
        )
        grid.add_row(
            str(row["run_id"]),
            row["created_at"].strftime("%Y-%m-%d %H:%M:%S"),
            run_kind.value,
            escape(str(row["scenario_name"])),
            escape(str(row["label"])),
            escape(headline),
        )
    console.print(grid)


@runs_app.command("show")
@store_errors
def show(
    run_id: RunIdArg,
    table: Annotated[
        str | None, typer.Option(help="Print this table (default: the run's key table).")
    ] = None,
    rows: Annotated[int, typer.Option(min=1, help="Rows of the table to print.")] = 15,
    store: StoreOpt = None,
) -> None:
    """Show one run: metrics, parameters, its tables and a compact view of the key table.

    Example: sourcing runs show 20261123-0915 --table purchase_orders
    """
    run = _existing(store).get(run_id)
    title = f" '{escape(run.label)}'" if run.label else ""
    console.print(
        f"run [bold]{run.run_id}[/bold]{title}: {run.kind.value} of "
        f"'{escape(run.scenario_name)}', saved {run.created_at:%Y-%m-%d %H:%M:%S} UTC",
        highlight=False,
    )
    console.print(_key_value_table("metrics", run.metrics))
    console.print(_key_value_table("parameters", run.parameters, percent=False))
    sizes = Table(title="tables", title_justify="left")
    for label in ("table", "rows", "columns"):
        sizes.add_column(label, justify="right" if label != "table" else "left")
    for table_name, frame in run.tables.items():
        sizes.add_row(escape(table_name), f"{len(frame):,}", str(frame.shape[1]))
    console.print(sizes)
    name = table or _key_table(run)
    if name is None:
        return
    if name not in run.tables:
        raise ValueError(
            f"run {run.run_id} has no table '{name}'; it has {', '.join(run.tables) or 'none'}"
        )
    console.print(_frame_table(name, run.tables[name], rows))


@runs_app.command("compare")
@store_errors
def compare(
    run_ids: Annotated[list[str], typer.Argument(help="Two or more run ids (or beginnings).")],
    out: Annotated[
        Path | None, typer.Option(help="Also write the comparison (.csv, .xlsx, .html).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", metavar="", help="Replace an --out file.")
    ] = False,
    store: StoreOpt = None,
) -> None:
    """Runs side by side: every metric, and the parameters that differ.

    Example: sourcing runs compare 20261123-0915 20261123-1002
    """
    if len(run_ids) < 2:
        raise ValueError("name at least two runs to compare (`sourcing runs list` shows the ids)")
    frame = _existing(store).compare(run_ids)
    grid = Table(title=f"{frame.shape[1]} runs side by side", title_justify="left")
    grid.add_column("")
    for column in frame.columns:
        grid.add_column(escape(str(column)), justify="right")
    for item, values in frame.iterrows():
        grid.add_row(escape(str(item)), *(escape(fmt_named(str(item), v)) for v in values))
    console.print(grid)
    costs = run_cost_differences(frame)
    for row in costs.iloc[1:].itertuples(index=False):
        console.print(
            f"plan cost of {escape(str(row.run))} against {escape(str(costs.iloc[0]['run']))}: "
            f"{escape(str(row.verdict))}",
            highlight=False,
        )
    if out is not None:
        write_tables({"comparison": frame.reset_index()}, out, overwrite=force)
        console.print(f"wrote {escape(str(out))}", highlight=False)


@runs_app.command("delete")
@store_errors
def delete(
    run_id: RunIdArg,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", metavar="", help="Do not ask to confirm.")
    ] = False,
    store: StoreOpt = None,
) -> None:
    """Delete a run from the store (asks to confirm unless --yes).

    Example: sourcing runs delete 20261123-0915 --yes
    """
    run_store = _existing(store)
    full_id = run_store.resolve(run_id)
    run = run_store.list_runs().set_index("run_id").loc[full_id]
    what = f"run {full_id} ({run['kind']} of '{run['scenario_name']}'"
    what += f", '{run['label']}')" if run["label"] else ")"
    if not yes and not typer.confirm(f"Delete {what}?", default=False):
        console.print("nothing deleted", highlight=False)
        raise typer.Exit(1)
    run_store.delete(full_id)
    console.print(f"deleted {escape(what)}", highlight=False)


@runs_app.command("label")
@store_errors
def label(
    run_id: RunIdArg,
    text: Annotated[str, typer.Argument(help='The new label; "" removes it.')],
    store: StoreOpt = None,
) -> None:
    """Give a run a label, shown by list and compare.

    Example: sourcing runs label 20261123-0915 "70/30 with Vietnam"
    """
    run_store = _existing(store)
    full_id = run_store.resolve(run_id)
    run_store.relabel(full_id, text)
    console.print(f"run {full_id} labelled '{escape(text)}'", highlight=False)


@runs_app.command("export")
@store_errors
def export(
    run_id: RunIdArg,
    out: Annotated[
        Path,
        typer.Option(
            help="A folder (CSV per table, results.xlsx, scenario.xlsx, run.json) or one "
            ".xlsx workbook (the scenario goes beside it as <name>_scenario.xlsx)."
        ),
    ],
    force: Annotated[
        bool, typer.Option("--force", metavar="", help="Replace files that exist.")
    ] = False,
    store: StoreOpt = None,
) -> None:
    """Write a run's tables and its scenario snapshot to files.

    Example: sourcing runs export 20261123-0915 --out results/best-plan
    """
    run_store = _existing(store)
    run = run_store.get(run_id)
    info = _run_info(run)
    if out.suffix.lower() == ".xlsx":
        scenario_file = out.with_name(f"{out.stem}_scenario.xlsx")
        existing = [str(p) for p in (out, scenario_file) if p.exists()]
        if existing and not force:
            raise TargetExistsError(f"{', '.join(existing)} exists; use --force to replace it")
        sheets = {"run": _info_frame(info), **run.tables}
        write_tables(sheets, out, overwrite=True)
        _write_bytes(scenario_file, run_store.scenario_bytes(run.run_id))
        console.print(f"wrote {escape(str(out))} and {escape(str(scenario_file))}", highlight=False)
        return
    if out.suffix:
        raise ValueError(f"cannot export to '{out.name}': give a folder or an .xlsx file")
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not force:
        raise TargetExistsError(f"{out} exists and is not empty; use --force to replace it")
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in run.tables.items():
        write_tables({name: frame}, out / f"{name}.csv", overwrite=True)
    if run.tables:
        write_tables(run.tables, out / "results.xlsx", overwrite=True)
    _write_bytes(out / "scenario.xlsx", run_store.scenario_bytes(run.run_id))
    (out / "run.json").write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n", "utf-8")
    console.print(
        f"wrote {escape(str(out))}/ (CSV per table, results.xlsx, scenario.xlsx, run.json)",
        highlight=False,
    )


# --------------------------------------------------------------------------- formatting


def _existing(store: Path | None) -> RunStore:
    """The store to read from; one that does not exist is an error, not created."""
    return RunStore(store, create=False)


def fmt(value: Any) -> str:
    """A metric or parameter as text: big numbers with thousands separators, 4 digits else."""
    if _missing(value):
        return "-"
    if isinstance(value, bool | np.bool_):
        return str(bool(value)).lower()
    if isinstance(value, numbers.Real):
        number = float(value)
        return f"{number:,.0f}" if abs(number) >= 1000 else f"{number:.4g}"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


PERCENT_WORDS: tuple[str, ...] = ("gap", "rate", "share", "pct")
"""Metrics and parameters whose name holds one of these are shares, shown as percentages."""


def fmt_named(name: str, value: Any) -> str:
    """Like ``fmt``, but a share (gap, fill rate, ...) as a percentage."""
    share = any(word in name for word in PERCENT_WORDS) and not name.startswith("parameters.")
    number = isinstance(value, numbers.Real) and not isinstance(value, bool) and not _missing(value)
    if share and number and abs(float(value)) <= 10:
        return f"{float(value):.2%}"
    return fmt(value)


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _key_value_table(title: str, values: Mapping[str, Any], percent: bool = True) -> Table:
    grid = Table(title=title, title_justify="left")
    grid.add_column("name")
    grid.add_column("value", justify="right")
    for name, value in values.items():
        text = fmt_named(name, value) if percent else fmt(value)
        grid.add_row(escape(name), escape(text))
    if not values:
        grid.add_row("-", "-")
    return grid


def _key_table(run: Run) -> str | None:
    preferred = KEY_TABLES[run.kind]
    if preferred in run.tables:
        return preferred
    return next(iter(run.tables), None)


def _frame_table(name: str, frame: pd.DataFrame, rows: int, max_columns: int = 10) -> Table:
    shown = frame.iloc[:rows, :max_columns]
    more = []
    if len(frame) > rows:
        more.append(f"{len(frame) - rows} more row(s)")
    if frame.shape[1] > max_columns:
        more.append(f"{frame.shape[1] - max_columns} more column(s)")
    note = f" ({'; '.join(more)}; `export` writes all)" if more else ""
    grid = Table(title=f"{name}{note}", title_justify="left")
    for column in shown.columns:
        numeric = pd.api.types.is_numeric_dtype(shown[column])
        grid.add_column(escape(str(column)), justify="right" if numeric else "left")
    for _, values in shown.iterrows():
        grid.add_row(*(escape(fmt(v)) for v in values))
    return grid


def _run_info(run: Run) -> dict[str, Any]:
    return {
        "run_id": run.run_id,
        "created_at": run.created_at.isoformat(),
        "kind": run.kind.value,
        "scenario_name": run.scenario_name,
        "label": run.label,
        "metrics": run.metrics,
        "parameters": run.parameters,
        "tables": {name: len(frame) for name, frame in run.tables.items()},
    }


def _info_frame(info: Mapping[str, Any]) -> pd.DataFrame:
    rows: list[tuple[str, Any]] = []
    for key in ("run_id", "created_at", "kind", "scenario_name", "label"):
        rows.append((key, str(info[key])))
    for section in ("metrics", "parameters"):
        for name, value in info[section].items():
            rows.append((f"{section}.{name}", _cell(value)))
    return pd.DataFrame(rows, columns=["field", "value"])


def _cell(value: Any) -> Any:
    """A metric or parameter as a spreadsheet cell: numbers and text as they are."""
    if value is None or isinstance(value, str | int | float):
        return value
    return json.dumps(value, ensure_ascii=False)


def _write_bytes(target: Path, data: bytes) -> None:
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_bytes(data)
    temporary.replace(target)
