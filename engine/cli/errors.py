"""The one error path of every ``sourcing`` command: a located message and an exit code.

``friendly_errors`` wraps each command: scenario problems are printed (the first few of each
kind, with a count of the rest), and each kind of failure ends with its ``ExitCode``; never a
traceback. The helpers here check the few inputs that do not come from a scenario (a plan file,
a list of shares) with the same care.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape

from engine.cli.exit_codes import CheckFailedError, ExitCode, NoPlanError
from engine.plan_types import OptimizeResult, SolveOptions, SolveStatus
from engine.runs import RunStoreError
from engine.scenario import Problem, ScenarioError, Severity
from engine.scenario.files import FileRefused, regular_file
from engine.scenario.limits import MAX_TABLE_ROWS, MAX_WORKBOOK_BYTES, PROBLEMS_SHOWN_PER_KIND
from engine.scenario.write import TargetExistsError

errors = Console(stderr=True, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])


def friendly_errors(command: F) -> F:
    """One error path for every command: a located message and the exit code of
    ``ExitCode``, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ScenarioError as error:
            print_problems(error.problems)
            raise typer.Exit(ExitCode.INPUT) from None
        except NoPlanError as error:
            errors.print(f"[bold red]no plan:[/bold red] {escape(str(error))}", highlight=False)
            raise typer.Exit(ExitCode.NO_PLAN) from None
        except CheckFailedError as error:
            errors.print(f"[bold red]not checked:[/bold red] {escape(str(error))}", highlight=False)
            raise typer.Exit(ExitCode.CHECK_FAILED) from None
        except (TargetExistsError, RunStoreError, ValueError, OSError) as error:
            errors.print(f"[bold red]error:[/bold red] {escape(str(error))}", highlight=False)
            raise typer.Exit(ExitCode.INPUT) from None

    return wrapper  # type: ignore[return-value]


def print_problems(problems: list[Problem]) -> None:
    """Every problem, the first ``PROBLEMS_SHOWN_PER_KIND`` of each kind (same severity, file
    and field) and a count of the rest, so a huge table cannot flood the terminal."""
    count = sum(p.severity is Severity.ERROR for p in problems)
    errors.print(f"[bold red]{count} problem(s) found:[/bold red]")
    kinds: dict[tuple[str, str, str | None], list[Problem]] = {}
    for problem in problems:
        kinds.setdefault((problem.severity, problem.source, problem.field), []).append(problem)
    hidden = 0
    for (severity, source, field), group in kinds.items():
        colour = "red" if severity is Severity.ERROR else "yellow"
        for problem in group[:PROBLEMS_SHOWN_PER_KIND]:
            errors.print(f"  [{colour}]{escape(str(problem))}[/{colour}]", highlight=False)
        more = len(group) - PROBLEMS_SHOWN_PER_KIND
        if more > 0:
            hidden += more
            where = source + (f", field '{field}'" if field else "")
            errors.print(f"  [{colour}]... and {more:,} more like these ({escape(where)})[/]")
    if hidden:
        errors.print(
            f"[dim]{hidden:,} problem(s) not shown; `sourcing validate PATH --problems-out "
            "problems.csv` writes every one[/dim]",
            highlight=False,
        )


def finite_option(value: float | None) -> float | None:
    """Option callback: refuse inf and nan (typer reads them as numbers)."""
    if value is not None and not math.isfinite(value):
        raise typer.BadParameter(f"{value} is not a finite number")
    return value


def write_problems(problems: list[Problem], target: Path) -> None:
    """Every problem, none left out, as a CSV file (``validate --problems-out``)."""
    frame = pd.DataFrame(
        [dataclasses.asdict(p) for p in problems],
        columns=["source", "row", "field", "found", "allowed", "severity"],
    )
    frame.to_csv(target, index=False)
    errors.print(f"wrote {len(frame):,} problem(s) to {target}", highlight=False)


def no_plan_advice(result: OptimizeResult, options: SolveOptions) -> str:
    """What was tried and what to try, when the optimizer returns no plan."""
    tried = (
        f"tried '{result.scenario_name}' with tiers {options.tier_choice.value}, up to "
        f"{options.time_limit_seconds:g} s and a {options.mip_rel_gap:.2%} gap: "
    )
    if result.status is SolveStatus.INFEASIBLE:
        found = "no plan meets every rule of the scenario"
        hint = (
            "check the reasons above, then relax what they name (capacity, MOQs, risk_policy "
            "shares or fixed_splits, max_lead_time_days) or run `sourcing validate` for warnings"
        )
    else:
        found = f"the solver stopped ({result.status.value}) before it found a plan"
        hint = (
            "give it more time (--time-limit), try --tier-choice horizon, or run a smaller "
            "scenario (fewer SKUs or periods) to see whether it is feasible"
        )
    reasons = "; ".join(result.diagnosis)
    return tried + found + (f" ({reasons})" if reasons else "") + ". Try: " + hint + "."


def parse_shares(text: str) -> list[float]:
    """``--shares 0,0.1,0.3``: each a number from 0 to 1."""
    values = []
    for part in text.split(","):
        try:
            value = float(part)
        except ValueError:
            value = math.nan
        if not 0.0 <= value <= 1.0:  # also refuses nan
            raise ValueError(
                f"--shares: '{part.strip()}' is not a share; comma-separated numbers from 0 to 1, "
                "e.g. 0,0.1,0.3"
            )
        values.append(value)
    return values


def read_plan(plan: Path) -> pd.DataFrame:
    """The PO table of ``--plan``: a regular file within the table limits whose quantities are
    finite and period numbers whole (the simulation checks the columns and codes)."""
    try:
        found = regular_file(plan)
    except FileRefused as refused:
        raise ValueError(f"--plan {plan}: {refused}; a PO table (.csv or .xlsx)") from None
    if found is None:
        raise ValueError(f"--plan {plan}: no such file; a PO table (.csv or .xlsx)")
    if plan.stat().st_size > MAX_WORKBOOK_BYTES:
        raise ValueError(f"--plan {plan}: larger than {MAX_WORKBOOK_BYTES:,} bytes")
    try:
        if plan.suffix.lower() == ".xlsx":
            frame = pd.read_excel(plan, sheet_name="purchase_orders", nrows=MAX_TABLE_ROWS + 1)
        else:
            frame = pd.read_csv(plan, nrows=MAX_TABLE_ROWS + 1)
    except (ValueError, KeyError, zipfile.BadZipFile, UnicodeDecodeError) as error:
        raise ValueError(f"--plan {plan}: unreadable ({error})") from None
    if len(frame) > MAX_TABLE_ROWS:
        raise ValueError(f"--plan {plan}: more than {MAX_TABLE_ROWS:,} rows")
    for column in ("quantity_units", "period_placed"):
        if column not in frame.columns:
            continue
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(values) | (values < 0)
        if column == "period_placed":
            bad |= np.isfinite(values) & (values != np.round(values))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"--plan {plan}, row {row + 2}, column '{column}': {frame[column].iloc[row]!r}; "
                + ("a whole period number" if column == "period_placed" else "a finite quantity")
            )
    return frame
