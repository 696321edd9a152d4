"""What the ``sourcing`` commands share: the console, the options of scenario and solver, the
scenario's loading with its applied changes shown, the result folder and the backend.

Front ends (``engine.cli`` and the commands registered on it, e.g. ``engine.cli.resilience``)
import these; this module imports no command.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape

from engine.cli.errors import finite_option
from engine.export import write_tables
from engine.parallel import SCHEDULER_ENV, Backend, backend_from
from engine.plan_types import BudgetMode, SolveOptions, TierChoice
from engine.scenario import LoadedScenario, load
from engine.scenario.overrides import parse_set_values
from engine.scenario.write import TargetExistsError

console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 140)

ScenarioArg = Annotated[
    Path, typer.Argument(help="Scenario folder, scenario YAML file or .xlsx workbook.")
]
NameOpt = Annotated[
    str | None,
    typer.Option("--scenario", "-s", help="Named scenario or override from the YAML to apply."),
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set", help="Change one value, e.g. --set suppliers.GZ-01.capacity_units_per_week=0"
    ),
]
ForceOpt = Annotated[
    bool, typer.Option("--force", metavar="", help="Replace output files that exist.")
]
VerboseOpt = Annotated[
    bool,
    typer.Option(
        "--verbose", "-v", metavar="", help="Show every applied change with its whole value."
    ),
]
CHANGE_LINE_CHARS = 120
"""An applied change longer than this is shown by its key only, unless --verbose."""


def load_scenario_shown(
    path: Path, scenario_name: str | None, set_items: list[str] | None, verbose: bool = False
) -> LoadedScenario:
    """The scenario with its named scenario and ``--set`` changes applied, each change and
    warning shown."""
    loaded = load(path, scenario_name, parse_set_values(set_items or []))
    for change in loaded.changes:
        text = str(change)
        if len(text) > CHANGE_LINE_CHARS and not verbose:
            text = f"{change.key} ({change.origin}; --verbose shows the values)"
        console.print(f"[dim]applied {escape(text)}[/dim]", highlight=False)
    for warning in loaded.warnings:
        console.print(f"[yellow]{escape(str(warning))}[/yellow]", highlight=False)
    return loaded


TimeOpt = Annotated[
    float,
    typer.Option(
        min=1.0,
        callback=finite_option,
        help="Safety limit of a solve, seconds: with the default work budget a stage it ends is "
        "reported (from there the plan depends on the machine); with --time-budget, the "
        "solve's whole time.",
    ),
]
WorkOpt = Annotated[
    float,
    typer.Option(
        "--work",
        min=0.01,
        callback=finite_option,
        help="Work budget: scales every stage's HiGHS node, check and re-plan limits "
        "(deterministic: the same plan on an idle or a busy machine). 2 does about twice "
        "the work.",
    ),
]
TimeBudgetOpt = Annotated[
    bool,
    typer.Option(
        "--time-budget",
        metavar="",
        help="Budget the stages in shares of --time-limit instead of work (the behaviour "
        "before work budgets: more plan on a fast machine, not repeatable).",
    ),
]
DEFAULT_SAFETY_SECONDS = 600.0


def solve_options(
    time_limit: float,
    gap: float,
    threads: int,
    work: float,
    time_budget: bool,
    tier_choice: TierChoice = TierChoice.PER_PO,
) -> SolveOptions:
    """The solve options of the CLI's solver flags."""
    return SolveOptions(
        time_limit_seconds=time_limit,
        mip_rel_gap=gap,
        threads=threads,
        tier_choice=tier_choice,
        budget=BudgetMode.TIME if time_budget else BudgetMode.WORK,
        work_scale=work,
    )


def quiet_solver() -> None:
    """Keep HiGHS's banner off the terminal (``engine.models.session.quiet_banner``)."""
    from engine.models.session import quiet_banner

    quiet_banner()


def budget_words(options: SolveOptions) -> str:
    """The budget in a progress title: 'work x1' or 'up to 60 s'."""
    if options.budget is BudgetMode.TIME:
        return f"up to {options.time_limit_seconds:g} s"
    return f"work x{options.work_scale:g}, safety limit {options.time_limit_seconds:g} s"


GapOpt = Annotated[
    float,
    typer.Option(
        min=0.0,
        max=1.0,
        callback=finite_option,
        help="Relative MIP gap at which a plan counts as optimal.",
    ),
]
ThreadsOpt = Annotated[int, typer.Option(min=1, help="Solver threads.")]
CoresOpt = Annotated[
    int | None,
    typer.Option(
        "--threads",
        min=1,
        help="Cores for the solve (default: all): HiGHS threads, and processes for the first "
        "SKU-by-SKU plans of scenarios with many SKUs.",
    ),
]
TierOpt = Annotated[
    TierChoice,
    typer.Option(
        help="per_po: every PO gets the tier it reaches; horizon: one agreed tier per "
        "supplier x SKU for the whole horizon."
    ),
]
OutDirOpt = Annotated[
    Path | None,
    typer.Option(
        help="Folder for the result tables (CSV + one Excel workbook); default "
        "results/<scenario>/<command>-<time>."
    ),
]


def results_folder(out: Path | None, scenario_name: str, command: str, force: bool) -> Path:
    """``out``, or a new ``results/<scenario>/<command>-<time>``; refused when not empty."""
    if out is None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        out = Path("results") / scenario_name / f"{command}-{stamp}"
    if out.exists() and any(out.iterdir()) and not force:
        raise TargetExistsError(f"{out} exists and is not empty; use --force to replace it")
    return out


def write_results(tables: dict[str, pd.DataFrame], folder: Path) -> None:
    """Every table as CSV and all in one ``results.xlsx``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        write_tables({name: frame}, folder / f"{name}.csv", overwrite=True)
    write_tables(tables, folder / "results.xlsx", overwrite=True)
    console.print(f"wrote {folder}/ (CSV per table and results.xlsx)", highlight=False)


WorkersOpt = Annotated[
    int | None,
    typer.Option(
        min=1,
        help="Local worker processes; default one per core, 1 = in this process. "
        "Ignored with a Dask scheduler.",
    ),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        help="Run on the Dask cluster of this scheduler, e.g. tcp://10.0.0.5:8786; default "
        f"${SCHEDULER_ENV} if set, else this machine. The same seed gives the same result."
    ),
]


def connect_backend(workers: int | None, scheduler: str | None) -> Backend:
    """The backend the options ask for, connected (a Dask scheduler is reached now, so a wrong
    address fails before any work); says where the work runs."""
    backend = backend_from(workers, scheduler)
    backend.slots()
    console.print(f"[dim]running {escape(backend.description)}[/dim]", highlight=False)
    return backend
