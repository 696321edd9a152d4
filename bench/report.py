"""Printing a benchmark run and writing results.csv and results.json."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.harness import Run
from bench.rows import ROW_COLUMNS, BenchRow

__all__ = ["MACHINE_COLUMNS", "print_run", "write_results"]

MACHINE_COLUMNS: tuple[str, ...] = (
    "run_at",
    "cpu_model",
    "cpu_count",
    "usable_cores",
    "ram_gb",
    "platform",
    "python",
    "versions",
)
"""Machine columns repeated on every row of results.csv (so runs can be stacked)."""


def _number(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    if x == 0 or 1e-3 <= abs(x) < 1e6:
        return f"{x:,.4g}" if abs(x) < 1e4 else f"{x:,.0f}"
    return f"{x:.3e}"


def _with_interval(value: float, half: float) -> str:
    text = _number(value)
    return f"{text} ± {_number(half)}" if text and not math.isnan(half) else text


def _result(row: BenchRow) -> str:
    if row.met is None:
        return row.by_how_much
    colour = "green" if row.met else "red"
    return f"[{colour}]{row.by_how_much}[/{colour}]"


def _case_table(case: str, rows: list[BenchRow]) -> Table:
    table = Table(title=case, title_justify="left", title_style="bold")
    for column in ("figure", "value", "unit", "baseline", "baseline value", "ratio", "target"):
        table.add_column(column, overflow="fold")
    table.add_column("met? by how much", overflow="fold")
    for row in rows:
        table.add_row(
            row.figure,
            _with_interval(row.value, row.value_half_width),
            row.unit,
            row.baseline,
            _with_interval(row.baseline_value, row.baseline_half_width),
            _number(row.ratio),
            row.target,
            _result(row),
        )
    return table


def print_run(run: Run, machine: dict[str, Any], console: Console | None = None) -> None:
    """Print the figures case by case (± = half-width of the 99 % interval), their notes, the
    skipped sections and the machine."""
    if console is None:
        console = Console()
        if not console.is_terminal:
            console = Console(width=160)
    cases: dict[str, list[BenchRow]] = {}
    for row in run.rows:
        cases.setdefault(row.case, []).append(row)
    for case, rows in cases.items():
        console.print(_case_table(case, rows))
        notes = [f"  {row.figure}: {row.note}" for row in rows if row.note]
        if notes:
            console.print(*notes, sep="\n")
    console.print("ratio = value / baseline value; ± = half-width of the 99 % interval")
    for section, why in run.skipped.items():
        console.print(f"Section {section} skipped: {why}.")
    versions = ", ".join(f"{k} {v}" for k, v in machine["versions"].items() if v)
    load = machine["load_average_1min"]
    console.print(
        f"Machine: {machine['cpu_model']}, {machine['usable_cores']} of {machine['cpu_count']} "
        f"cores, {machine['ram_gb']} GB RAM, {machine['platform']}, {machine['python']}"
        + (f", load average {load:.1f}" if load is not None else "")
        + f"; {versions}"
    )


def _machine_columns(machine: dict[str, Any]) -> dict[str, Any]:
    columns = {key: machine.get(key) for key in MACHINE_COLUMNS if key != "versions"}
    columns["versions"] = "; ".join(f"{k}={v}" for k, v in machine["versions"].items() if v)
    return columns


def _json_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_results(
    out: Path, run: Run, machine: dict[str, Any], settings: dict[str, Any]
) -> tuple[Path, Path]:
    """Write ``results.csv`` (one row per figure, machine columns repeated) and ``results.json``
    (``machine``, ``settings``, ``skipped`` and ``rows``) into ``out``.

    Returns:
        The two paths.
    """
    out.mkdir(parents=True, exist_ok=True)
    csv_path, json_path = out / "results.csv", out / "results.json"
    extra = _machine_columns(machine)
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*ROW_COLUMNS, *MACHINE_COLUMNS])
        writer.writeheader()
        for row in run.rows:
            writer.writerow(row.record() | extra)
    document = {
        "machine": machine,
        "settings": settings,
        "skipped": run.skipped,
        "rows": [{k: _json_value(v) for k, v in row.record().items()} for row in run.rows],
    }
    json_path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return csv_path, json_path
