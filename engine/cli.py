"""The ``sourcing`` command: validate scenarios, compare landed costs, generate test scenarios.

Exit codes: 0 success, 1 a problem with the input (every problem is listed), 2 a usage error.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from engine.export import write_tables
from engine.scenario import LoadedScenario, ScenarioError, Severity, load, write_scenario
from engine.scenario.overrides import parse_set_values
from engine.scenario.write import TargetExistsError

app = typer.Typer(
    name="sourcing",
    help="Where to buy, how much, and how to ship: landed cost for importers and DTC brands.\n\n"
    "Examples:\n\n"
    "  sourcing validate scenarios/dtc-brand\n\n"
    "  sourcing landed-cost scenarios/dtc-brand --sku MUG-12OZ --out landed.xlsx\n\n"
    "  sourcing generate --skus 500 --suppliers 20 --out /tmp/big",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])

ScenarioArg = Annotated[
    Path, typer.Argument(help="Scenario folder, scenario YAML file or .xlsx workbook.")
]
NameOpt = Annotated[
    str | None,
    typer.Option("--scenario", "-s", help="Named scenario or override from the YAML to apply."),
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="Change one value, e.g. --set suppliers.GZ-01.capacity_units_per_week=0"),
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace output files that exist.")]


def friendly_errors(command: F) -> F:
    """Turn input problems into a readable message and exit code 1, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ScenarioError as error:
            count = sum(p.severity is Severity.ERROR for p in error.problems)
            errors.print(f"[bold red]{count} problem(s) found:[/bold red]")
            for problem in error.problems:
                colour = "red" if problem.severity is Severity.ERROR else "yellow"
                errors.print(f"  [{colour}]{escape(str(problem))}[/{colour}]", highlight=False)
            raise typer.Exit(1) from None
        except (TargetExistsError, ValueError, OSError) as error:
            errors.print(f"[bold red]error:[/bold red] {escape(str(error))}", highlight=False)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _load(path: Path, scenario_name: str | None, set_items: list[str] | None) -> LoadedScenario:
    loaded = load(path, scenario_name, parse_set_values(set_items or []))
    for change in loaded.changes:
        console.print(f"[dim]applied {escape(str(change))}[/dim]", highlight=False)
    for warning in loaded.warnings:
        console.print(f"[yellow]{escape(str(warning))}[/yellow]", highlight=False)
    return loaded


@app.command()
@friendly_errors
def validate(path: ScenarioArg, scenario_name: NameOpt = None, set_: SetOpt = None) -> None:
    """Check a scenario and list every problem (exit 1 if any is an error).

    Example: sourcing validate scenarios/dtc-brand --scenario primary-down
    """
    scenario = _load(path, scenario_name, set_).scenario
    console.print(
        f"[green]OK[/green] scenario '{scenario.name}': {len(scenario.skus)} SKUs, "
        f"{len(scenario.suppliers)} suppliers, {len(scenario.offers)} offers, "
        f"{len(scenario.lanes)} lanes, {scenario.horizon.periods} periods of "
        f"{scenario.horizon.period_length_days} days from {scenario.horizon.start_date}",
        highlight=False,
    )


@app.command("landed-cost")
@friendly_errors
def landed_cost(
    path: ScenarioArg,
    scenario_name: NameOpt = None,
    set_: SetOpt = None,
    sku: Annotated[list[str] | None, typer.Option(help="Only these SKUs.")] = None,
    qty: Annotated[
        float | None, typer.Option(help="Price every option at this PO quantity (units).")
    ] = None,
    top: Annotated[int, typer.Option(help="Rows shown per SKU, cheapest first; 0 = all.")] = 6,
    out: Annotated[Path | None, typer.Option(help="Write the full table (.csv, .xlsx, .html).")] = None,
    force: ForceOpt = False,
) -> None:
    """Per-unit landed cost of every SKU x supplier x mode x price tier, with its parts.

    Example: sourcing landed-cost scenarios/dtc-brand --top 3 --out landed.xlsx
    """
    from engine.landed_cost import landed_cost_table

    scenario = _load(path, scenario_name, set_).scenario
    table = landed_cost_table(scenario, order_qty_units=qty)
    if sku:
        unknown = sorted(set(sku) - set(table["sku"]))
        if unknown:
            raise ValueError(f"unknown SKU(s) {', '.join(unknown)}; the scenario has "
                             f"{', '.join(s.sku for s in scenario.skus)}")
        table = table[table["sku"].isin(sku)]
    _print_landed_cost(table, top, scenario.finance.currency)
    if out is not None:
        write_tables({"landed_cost": table}, out, overwrite=force)
        console.print(f"wrote {out}")


def _print_landed_cost(table: pd.DataFrame, top: int, currency: str) -> None:
    columns = [
        ("supplier", "supplier"), ("mode", "mode"), ("tier", "tier"),
        ("order_qty_units", "PO qty"), ("factory_price", "FOB"), ("freight", "freight"),
        ("insurance", "ins."), ("duty", "duty"), ("shipment_fees", "fees"),
        ("pipeline_carrying", "pipeline"), ("payment_terms_capital", "terms"),
        ("landed_cost_per_unit", "landed"), ("lead_time_days", "days"),
    ]
    for sku, rows in table.groupby("sku", sort=True):
        shown = rows if top <= 0 else rows.head(top)
        grid = Table(title=f"{sku}: landed cost per unit ({currency})", title_justify="left")
        for _, label in columns:
            grid.add_column(label, justify="left" if label in ("supplier", "mode") else "right")
        for _, row in shown.iterrows():
            grid.add_row(*(_fmt(row[name]) for name, _ in columns))
        console.print(grid)
        if len(shown) < len(rows):
            console.print(f"[dim]{len(rows) - len(shown)} more option(s); --top 0 shows all[/dim]")


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.2f}"
    return str(value)


@app.command()
@friendly_errors
def generate(
    out: Annotated[Path, typer.Option(help="Folder (YAML + CSV) or .xlsx workbook to write.")],
    skus: Annotated[int, typer.Option(min=1, help="Number of SKUs.")] = 50,
    suppliers: Annotated[int, typer.Option(min=1, help="Number of suppliers.")] = 5,
    modes: Annotated[int, typer.Option(min=1, max=5, help="Shipping modes per port.")] = 3,
    periods: Annotated[int, typer.Option(min=1, help="Planning periods.")] = 12,
    period_length_days: Annotated[int, typer.Option(min=1, help="Days per period.")] = 30,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same scenario.")] = 0,
    force: ForceOpt = False,
) -> None:
    """Write a seeded synthetic scenario of any size, for tests and benchmarks.

    Example: sourcing generate --skus 500 --suppliers 20 --out /tmp/big
    """
    from engine.scenario.generate import generate_scenario

    scenario = generate_scenario(
        skus=skus, suppliers=suppliers, modes=modes, periods=periods,
        period_length_days=period_length_days, seed=seed,
    )
    written = write_scenario(scenario, out, overwrite=force)
    console.print(
        f"wrote {written}: {len(scenario.skus)} SKUs, {len(scenario.suppliers)} suppliers, "
        f"{len(scenario.offers)} offers, {len(scenario.lanes)} lanes, {periods} periods"
    )


def main() -> None:
    app()


if __name__ == "__main__":
    main()
