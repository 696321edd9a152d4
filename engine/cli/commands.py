"""The ``sourcing`` command: validate scenarios, compare landed costs, generate test scenarios.

Exit codes (``engine.cli.exit_codes``, docs/input-limits.md): 0 success, 1 a problem with the input
(every problem is listed, the first few of each kind), 2 a usage error, 3 no plan found,
4 the independent checker disagrees with the plan.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
import typer
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from engine.checker.report import CheckVerdict
from engine.cli.errors import (
    errors,
    finite_option,
    friendly_errors,
    no_plan_advice,
    parse_shares,
    read_plan,
    write_problems,
)
from engine.cli.exit_codes import CheckFailedError, NoPlanError
from engine.cli.finance import cycle
from engine.cli.options import (
    DEFAULT_SAFETY_SECONDS,
    CoresOpt,
    ForceOpt,
    GapOpt,
    NameOpt,
    OutDirOpt,
    ScenarioArg,
    SchedulerOpt,
    SetOpt,
    ThreadsOpt,
    TierOpt,
    TimeBudgetOpt,
    TimeOpt,
    VerboseOpt,
    WorkersOpt,
    WorkOpt,
    budget_words,
    connect_backend,
    console,
    load_scenario_shown,
    quiet_solver,
    results_folder,
    solve_options,
    write_results,
)
from engine.cli.resilience import register as register_resilience
from engine.cli.runs import (
    NoStoreOpt,
    StoreOpt,
    describe_scenario,
    run_parameters,
    runs_app,
    save_run,
)
from engine.comparisons.plans import CANNOT_TELL, HELD_FIXED, PlanDifference, plan_difference
from engine.export import write_tables
from engine.parallel import SCHEDULER_ENV, default_workers
from engine.plan_types import BudgetMode, OptimizeResult, SolveOptions, TierChoice
from engine.runs import HEADLINE_MEASURES
from engine.scenario import ScenarioError, load, write_scenario
from engine.scenario.overrides import parse_set_values
from engine.scenario.write import TargetExistsError

if TYPE_CHECKING:
    from engine.scenario.schema import Scenario
    from engine.workflows import CompareRun, StressRun

app = typer.Typer(
    name="sourcing",
    help="Where to buy, how much, and how to ship: landed cost for importers and DTC brands.\n\n"
    "Examples:\n\n"
    "  sourcing validate scenarios/dtc-brand\n\n"
    "  sourcing landed-cost scenarios/dtc-brand --sku MUG-12OZ --out landed.xlsx\n\n"
    "  sourcing generate --skus 500 --suppliers 20 --out big-scenario",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(runs_app, name="runs")
app.command("cycle")(cycle)


@app.command()
@friendly_errors
def validate(
    path: ScenarioArg,
    scenario_name: NameOpt = None,
    set_: SetOpt = None,
    verbose: VerboseOpt = False,
    problems_out: Annotated[
        Path | None,
        typer.Option(
            "--problems-out",
            help="Also write every problem (none left out) to this CSV file.",
        ),
    ] = None,
) -> None:
    """Check a scenario and list every problem (exit 1 if any is an error).

    Example: sourcing validate scenarios/dtc-brand --scenario primary-down
    """
    try:
        loaded = load_scenario_shown(path, scenario_name, set_, verbose)
    except ScenarioError as error:
        if problems_out is not None:
            write_problems(error.problems, problems_out)
        raise
    if problems_out is not None:
        write_problems(loaded.warnings, problems_out)
    scenario = loaded.scenario
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
        float | None,
        typer.Option(
            min=0.0, callback=finite_option, help="Price every option at this PO quantity (units)."
        ),
    ] = None,
    top: Annotated[int, typer.Option(help="Rows shown per SKU, cheapest first; 0 = all.")] = 6,
    out: Annotated[
        Path | None, typer.Option(help="Write the full table (.csv, .xlsx, .html).")
    ] = None,
    force: ForceOpt = False,
) -> None:
    """Per-unit landed cost of every SKU x supplier x mode x price tier, with its parts.

    Example: sourcing landed-cost scenarios/dtc-brand --top 3 --out landed.xlsx
    """
    from engine.landed_cost import landed_cost_table

    scenario = load_scenario_shown(path, scenario_name, set_).scenario
    table = landed_cost_table(scenario, order_qty_units=qty)
    if sku:
        unknown = sorted(set(sku) - set(table["sku"]))
        if unknown:
            raise ValueError(
                f"unknown SKU(s) {', '.join(unknown)}; the scenario has "
                f"{', '.join(s.sku for s in scenario.skus)}"
            )
        table = table[table["sku"].isin(sku)]
    _print_landed_cost(table, top, scenario.finance.currency)
    if out is not None:
        write_tables({"landed_cost": table}, out, overwrite=force)
        console.print(f"wrote {out}")


def _print_landed_cost(table: pd.DataFrame, top: int, currency: str) -> None:
    other = table["insurance"] + table["shipment_fees"] + table["pipeline_carrying"]
    table = table.assign(
        other=other + table["payment_terms_capital"], lead_time_days=table["lead_time_days"].round()
    )
    columns = [
        ("supplier", "supplier"),
        ("mode", "mode"),
        ("tier", "tier"),
        ("order_qty_units", "PO units"),
        ("factory_price", "FOB"),
        ("freight", "freight"),
        ("duty", "duty"),
        ("other", "other*"),
        ("landed_cost_per_unit", "landed"),
        ("lead_time_days", "days"),
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
    console.print(
        "[dim]* other = insurance + per-shipment fees + pipeline carrying + payment terms; "
        "--out writes every part[/dim]"
    )


def _fmt(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1000:
        return f"{value:.0f}"
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

    Example: sourcing generate --skus 500 --suppliers 20 --out big-scenario
    """
    from engine.scenario.generate import generate_scenario

    scenario = generate_scenario(
        skus=skus,
        suppliers=suppliers,
        modes=modes,
        periods=periods,
        period_length_days=period_length_days,
        seed=seed,
    )
    written = write_scenario(scenario, out, overwrite=force)
    console.print(
        f"wrote {written}: {len(scenario.skus)} SKUs, {len(scenario.suppliers)} suppliers, "
        f"{len(scenario.offers)} offers, {len(scenario.lanes)} lanes, {periods} periods"
    )


@app.command()
@friendly_errors
def optimize(
    path: ScenarioArg,
    scenario_name: NameOpt = None,
    set_: SetOpt = None,
    verbose: VerboseOpt = False,
    time_limit: TimeOpt = DEFAULT_SAFETY_SECONDS,
    work: WorkOpt = 1.0,
    time_budget: TimeBudgetOpt = False,
    gap: GapOpt = 0.005,
    threads: CoresOpt = None,
    tier_choice: TierOpt = TierChoice.PER_PO,
    scheduler: SchedulerOpt = None,
    out: OutDirOpt = None,
    force: ForceOpt = False,
    store: StoreOpt = None,
    no_store: NoStoreOpt = False,
) -> None:
    """Plan who makes how much of each SKU, when, and how it ships, at the lowest landed cost.

    With --scheduler (or $SOURCING_SCHEDULER) a large catalogue's SKU subproblems run on that
    Dask cluster, else on --threads local processes: the same plan either way.

    Example: sourcing optimize scenarios/dtc-brand --scenario primary-down --work 0.5
    """
    from engine.workflows import run_optimize

    scenario = load_scenario_shown(path, scenario_name, set_, verbose).scenario
    on_cluster = scheduler or os.environ.get(SCHEDULER_ENV, "").strip()
    backend = connect_backend(None, scheduler) if on_cluster else None
    folder = results_folder(out, scenario.name, "optimize", force)
    options = solve_options(
        time_limit, gap, threads or default_workers(), work, time_budget, tier_choice
    )
    quiet_solver()
    title = f"optimizing '{scenario.name}' ({budget_words(options)})"
    try:
        with console.status(title + "...") as status:
            run = run_optimize(
                scenario,
                options,
                on_step=lambda step: status.update(f"{title}: {step}"),
                backend=backend,
            )
    finally:
        if backend is not None:
            backend.close()
    result = run.result
    print_plan(result, scenario.finance.currency)
    if not result.has_plan:
        raise NoPlanError(no_plan_advice(result, options))
    if run.verdict is not None:
        print_check(run.verdict)
    if run.replay is not None:
        print_replay(run.replay)
    if run.working_capital is not None:
        working = run.working_capital.measures
        console.print(
            f"working capital (the plan day by day, docs/finance.md): peak "
            f"{working.peak:,.0f}, average {working.average:,.0f} "
            f"{scenario.finance.currency}; CCC {working.cycle.ccc_days:,.1f} days"
        )
    write_results(dict(run.tables), folder)
    if not run.checked:
        raise CheckFailedError(
            f"the independent checker disagrees with the plan of '{scenario.name}' (see above); "
            f"it was written to {folder}/ for inspection but not saved as a run: do not use it"
        )
    save_run(
        run.kind,
        scenario,
        describe_scenario(scenario.name, scenario_name, set_),
        run.tables,
        run.metrics,
        run_parameters(path, scenario_name, set_, options),
        store,
        no_store,
    )


def _status(result: OptimizeResult) -> str:
    """The solve status as coloured markup: green optimal, yellow feasible, red otherwise."""
    colour = {"optimal": "green", "feasible": "yellow"}.get(result.status.value, "red")
    return f"[{colour}]{result.status.value}[/{colour}]"


def print_plan(result: OptimizeResult, currency: str) -> None:
    line = f"{_status(result)} '{result.scenario_name}'"
    if result.objective is not None:
        line += f": total landed cost {result.objective:,.0f} {currency}"
    if result.gap is not None:
        line += f", gap {result.gap:.2%}"
    line += (
        f" (tiers {result.tier_choice.value}; build {result.build_seconds:.1f} s, "
        f"solve {result.solve_seconds:.1f} s)"
    )
    line += _budget_note(result)
    console.print(line, highlight=False)
    for reason in result.diagnosis:
        console.print(f"  [red]{escape(reason)}[/red]", highlight=False)
    if not result.has_plan:
        return
    costs = Table(title=f"cost breakdown ({currency})", title_justify="left")
    costs.add_column("component")
    costs.add_column("cost", justify="right")
    for _, row in result.costs.iterrows():
        if abs(row["cost"]) >= 0.005 or row["component"] == "total":
            costs.add_row(str(row["component"]), f"{row['cost']:,.0f}")
    console.print(costs)
    shares = result.shares.pivot_table(
        index="sku", columns="supplier", values="share", aggfunc="sum", fill_value=0.0
    )
    grid = Table(title="allocation: share of each SKU's units", title_justify="left")
    grid.add_column("SKU")
    for supplier in shares.columns:
        grid.add_column(str(supplier), justify="right")
    for sku, row in shares.iterrows():
        grid.add_row(str(sku), *(f"{v:.0%}" if v > 0 else "-" for v in row))
    console.print(grid)
    pos = (
        result.purchase_orders.assign(value=lambda f: f["quantity_units"] * f["unit_landed_cost"])
        .sort_values("value", ascending=False)
        .head(10)
    )
    top = Table(
        title=f"top POs by landed value (of {len(result.purchase_orders)})", title_justify="left"
    )
    for label in (
        "supplier",
        "SKU",
        "mode",
        "placed",
        "arrives",
        "units",
        "tier",
        "unit price",
        "unit landed",
    ):
        top.add_column(label, justify="left" if label in ("supplier", "SKU", "mode") else "right")
    for _, row in pos.iterrows():
        top.add_row(
            str(row["supplier"]),
            str(row["sku"]),
            str(row["mode"]),
            str(row["period_placed"]),
            str(row["period_arriving"]),
            f"{row['quantity_units']:,.0f}",
            str(row["tier"]),
            f"{row['unit_price']:,.2f}",
            f"{row['unit_landed_cost']:,.2f}",
        )
    console.print(top)


def print_check(verdict: CheckVerdict) -> None:
    """Say whether the independent checker agrees; if not, every difference (constraint or
    cost component, where, solver against checker)."""
    if verdict.agrees:
        console.print(f"[green]checked[/green]: {escape(verdict.summary())}", highlight=False)
        return
    console.print(f"[red]checker disagrees[/red]: {escape(verdict.summary())}", highlight=False)
    table = Table("kind", "what", "where", "solver", "checker", "difference")
    for row in verdict.differences.itertuples(index=False):
        table.add_row(
            str(row.kind),
            escape(str(row.item)),
            escape(str(row.where)),
            _fmt(row.solver),
            _fmt(row.checker),
            _fmt(row.difference),
        )
    console.print(table)
    for message in verdict.differences["message"]:
        console.print(f"  [red]{escape(str(message))}[/red]", highlight=False)


def print_replay(replay: Any) -> None:
    """The plan's deterministic replay beside its own figures (docs/optimizer.md)."""
    fill, lost = replay.total("fill_rate"), replay.total("lost_units")
    line = (
        f"fill rate {fill['replayed']:.1%} (planned {fill['planned']:.1%}), lost "
        f"{lost['replayed']:,.0f} units (planned {lost['planned']:,.0f})"
    )
    if replay.ok:
        console.print(
            f"[green]replayed[/green] without randomness: {line}; every figure as planned "
            "(within the day/period rounding of docs/optimizer.md)",
            highlight=False,
        )
        return
    console.print(
        f"[red]replay differs from the plan[/red] without randomness: {line}; the plan "
        "cannot be executed as written",
        highlight=False,
    )
    for message in replay.timing_violations:
        console.print(f"  [red]{escape(message)}[/red]", highlight=False)
    differences = replay.differences
    if differences.empty:
        return
    table = Table(
        title=f"replay differences (of {len(differences)}; all in the replay table)",
        title_justify="left",
    )
    for label in ("figure", "SKU", "period", "planned", "replayed", "tolerance"):
        table.add_column(label, justify="left" if label in ("figure", "SKU") else "right")
    for _, row in differences.head(10).iterrows():
        table.add_row(
            str(row["figure"]),
            str(row["sku"]) or "-",
            str(row["period"]) if row["period"] else "all",
            f"{row['planned']:,.2f}",
            f"{row['replayed']:,.2f}",
            f"{row['tolerance']:,.2f}",
        )
    console.print(table)


@app.command()
@friendly_errors
def frontier(
    path: ScenarioArg,
    scenario_name: NameOpt = None,
    set_: SetOpt = None,
    verbose: VerboseOpt = False,
    sku: Annotated[
        list[str] | None, typer.Option(help="SKUs to protect; default the critical SKUs.")
    ] = None,
    splits: Annotated[
        bool,
        typer.Option(
            "--splits",
            metavar="",
            help="Sweep fixed splits 100/0, 80/20, 70/30, 50/50 "
            "between each SKU's primary and backup instead of backup shares.",
        ),
    ] = False,
    shares: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated backup shares (or primary shares with --splits), e.g. 0,0.1,0.3"
        ),
    ] = None,
    time_limit: TimeOpt = DEFAULT_SAFETY_SECONDS,
    work: WorkOpt = 1.0,
    time_budget: TimeBudgetOpt = False,
    gap: GapOpt = 0.005,
    threads: ThreadsOpt = 1,
    tier_choice: TierOpt = TierChoice.PER_PO,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    out: OutDirOpt = None,
    force: ForceOpt = False,
    store: StoreOpt = None,
    no_store: NoStoreOpt = False,
) -> None:
    """Cost of resilience: total cost of each backup share or split against the free optimum.

    The solves run side by side (--workers, --scheduler).

    Example: sourcing frontier scenarios/dtc-brand --splits
    """
    from engine.workflows import frontier_skus, run_frontier

    scenario = load_scenario_shown(path, scenario_name, set_, verbose).scenario
    folder = results_folder(out, scenario.name, "frontier", force)
    skus = frontier_skus(scenario, sku or None)
    options = solve_options(time_limit, gap, threads, work, time_budget, tier_choice)
    values = parse_shares(shares) if shares else None
    quiet_solver()
    backend = connect_backend(workers, scheduler)
    with backend, Progress(console=console, transient=True) as progress:
        task = progress.add_task("solving the free optimum and the cases", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        run = run_frontier(
            scenario,
            skus,
            options,
            splits=splits,
            shares=values,
            backend=backend,
            progress=advance,
            on_step=lambda step: progress.update(task, description=step),
        )
    for k, (primary, backup) in run.pairs.items():
        console.print(f"{k}: primary {primary}, backup {backup}", highlight=False)
    table = run.table
    grid = Table(
        title=f"cost of resilience for {', '.join(skus)} ({scenario.finance.currency})",
        title_justify="left",
    )
    for label in (
        "case",
        "status",
        "total cost",
        "gap",
        "extra vs free",
        "interval of the gaps",
        "exact marginal*",
        "lost sales",
        "split deviation",
    ):
        grid.add_column(label, justify="left" if label in ("case", "status") else "right")
    for _, row in table.iterrows():
        free_row = row["case"] == "free optimum"
        grid.add_row(
            str(row["case"]),
            str(row["status"]) + ("" if row.get("policy_binds", True) else ", free plan"),
            _measure(row["total_cost"], "money"),
            "-" if pd.isna(row["gap"]) else f"{row['gap']:.1%}",
            "" if free_row else _measure(row["extra_cost_vs_free"], "money"),
            "" if free_row else _interval(row),
            "" if free_row else _marginal(row),
            _measure(row["lost_sales"], "money"),
            _measure(row["split_deviation"], "money"),
        )
    console.print(grid)
    legend = (
        "extra vs free: this plan's cost less the free optimum's. interval of the gaps: "
        "where the difference of the two optima lies, [bound - free plan, plan - free bound]; "
        f"'{CANNOT_TELL}' when it holds 0. * exact marginal: only "
        f"{', '.join(skus)} re-planned under the policy, {HELD_FIXED} at the free plan "
        "(proven optimal; '?' when not proven). 'free plan': the free optimum's plan already "
        "meets the policy, so it is the plan of that case too, with the free optimum's bound. "
        "See docs/comparisons.md."
    )
    console.print(f"[dim]{escape(legend)}[/dim]", highlight=False)
    write_results(run.tables, folder)
    save_run(
        run.kind,
        scenario,
        describe_scenario(scenario.name, scenario_name, set_),
        run.tables,
        run.metrics,
        run_parameters(path, scenario_name, set_, options, skus=skus, splits=splits, shares=values),
        store,
        no_store,
    )


def _interval(row: pd.Series) -> str:
    """``[low, high]`` of a frontier row's difference, and whether the gaps can tell."""
    if pd.isna(row["extra_cost_vs_free"]):
        return "-"
    difference = PlanDifference(
        row["extra_cost_vs_free"],
        None if pd.isna(row["extra_cost_low"]) else row["extra_cost_low"],
        None if pd.isna(row["extra_cost_high"]) else row["extra_cost_high"],
    )
    return difference.interval_text() + (" cannot tell" if difference.within_gaps else "")


def _marginal(row: pd.Series) -> str:
    if pd.isna(row["exact_marginal_cost"]):
        return "-"
    return _measure(row["exact_marginal_cost"], "money") + ("" if row["marginal_proven"] else "?")


def _measure(value: float, kind: str) -> str:
    if value is None or pd.isna(value):
        return "-"
    if kind == "pct":
        return f"{value:.1%}"
    if kind == "money2":
        return f"{value:,.2f}"
    if kind == "money":
        return f"{0.0 if abs(value) < 0.5 else value:,.0f}"  # never "-0"
    return f"{value:,.1f}"


@app.command()
@friendly_errors
def stress(
    path: ScenarioArg,
    scenario_name: NameOpt = None,
    set_: SetOpt = None,
    plan: Annotated[
        Path | None,
        typer.Option(
            help="A PO table (CSV or Excel, as `sourcing optimize` writes) to test "
            "instead of optimizing."
        ),
    ] = None,
    policy: Annotated[
        str | None,
        typer.Option(
            help="Test an inventory policy instead of a plan: base_stock, s_S or r_Q "
            "(levels from each SKU's demand, lead time and service level)."
        ),
    ] = None,
    compare_with: Annotated[
        str | None,
        typer.Option(
            "--compare",
            help="A second plan, optimized under this named scenario or "
            "override (e.g. split-70-30), run on the same random numbers.",
        ),
    ] = None,
    replications: Annotated[int, typer.Option(min=2, help="Monte Carlo replications.")] = 200,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same result.")] = 0,
    engine: Annotated[
        str | None,
        typer.Option(
            help="simpy or fast (vectorized); default: fast whenever it covers the run "
            "(docs/simulation-engines.md)."
        ),
    ] = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    time_limit: TimeOpt = DEFAULT_SAFETY_SECONDS,
    work: WorkOpt = 1.0,
    time_budget: TimeBudgetOpt = False,
    gap: GapOpt = 0.005,
    out: OutDirOpt = None,
    force: ForceOpt = False,
    store: StoreOpt = None,
    no_store: NoStoreOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Stress-test a plan (or policy) through the scenario's disruptions, many seeded times.

    Example: sourcing stress scenarios/dtc-brand --scenario shutdown-30d --compare split-70-30
    """
    from engine.api import optimize as solve
    from engine.simulation import Driver, DriverKind, PlanPolicy, build_world, suggested_policy
    from engine.workflows import run_compare, run_stress

    scenario = load_scenario_shown(path, scenario_name, set_, verbose).scenario
    folder = results_folder(out, scenario.name, "stress", force)
    options = solve_options(time_limit, gap, default_workers(), work, time_budget)
    quiet_solver()
    backend = connect_backend(workers, scheduler)

    def optimized_plan(target: Any, label: str) -> Any:
        with console.status(f"optimizing {label} ({budget_words(options)})..."):
            result = solve(target, options)
        print_plan_line(result, label)
        if not result.has_plan:
            raise NoPlanError(
                f"for {label}, nothing to stress-test: {no_plan_advice(result, options)}"
            )
        return PlanPolicy(result.purchase_orders)

    driver_a: Driver
    if plan is not None:
        frame = read_plan(plan)
        driver_a, label_a = PlanPolicy(frame), plan.name
        if "tier" in frame.columns:  # a PO table as `sourcing optimize` writes it
            from engine.api import replay_plan

            print_replay(replay_plan(scenario, frame))
    elif policy is not None:
        kinds = {k.value: k for k in DriverKind if k is not DriverKind.PLAN}
        if policy not in kinds:
            raise ValueError(f"unknown policy '{policy}'; use one of {', '.join(kinds)}")
        driver_a, label_a = suggested_policy(build_world(scenario), kinds[policy]), policy
    elif compare_with is None:
        driver_a, label_a = optimized_plan(scenario, "the plan"), "optimized plan"
    driver_b = None
    plan_costs = None
    if compare_with is not None:
        other = load(path, compare_with, parse_set_values(set_ or [])).scenario
        if plan is None and policy is None:  # the two plans start from each other's
            driver_a, driver_b, plan_costs = _paired_plans(scenario, other, compare_with, options)
            label_a = "optimized plan"
        else:
            driver_b = optimized_plan(other, f"the '{compare_with}' plan")
    runs = replications * (2 if driver_b is not None else 1)
    with backend, Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"simulating {replications} replications", total=runs)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        if driver_b is None:
            run: StressRun | CompareRun = run_stress(
                scenario,
                driver_a,
                replications,
                seed,
                label=label_a,
                engine=engine,
                backend=backend,
                progress=advance,
            )
        else:
            run = run_compare(
                scenario,
                (driver_a, driver_b),
                replications,
                seed,
                labels=(label_a, f"'{compare_with}' plan"),
                plan_costs=plan_costs,
                engine=engine,
                backend=backend,
                progress=advance,
            )
    _print_stress(run, scenario, replications, seed, compare_with or "")
    console.print(f"[dim]engine: {escape(run.engine.reason)}[/dim]", highlight=False)
    write_results(dict(run.tables), folder)
    save_run(
        run.kind,
        scenario,
        describe_scenario(scenario.name, scenario_name, set_)
        + ("" if compare_with is None else f" vs {compare_with}"),
        run.tables,
        run.metrics,
        run_parameters(
            path,
            scenario_name,
            set_,
            options,
            plan=None if plan is None else str(plan),
            policy=policy,
            compare=compare_with,
            replications=replications,
            seed=seed,
            engine=run.engine.engine.value,
        ),
        store,
        no_store,
    )


def _print_stress(
    run: StressRun | CompareRun, scenario: Scenario, replications: int, seed: int, name_b: str
) -> None:
    """The headline measures of a stress test (mean [95% CI], P5 - P95) or of a comparison
    (both means, the paired difference [95% CI])."""
    from engine.workflows import StressRun

    grid = Table(
        title=f"stress test of '{scenario.name}': {replications} replications, seed "
        f"{seed} (mean [95% CI] and P5-P95; money in {scenario.finance.currency})",
        title_justify="left",
    )
    grid.add_column("measure")
    paired = not isinstance(run, StressRun)
    if isinstance(run, StressRun):
        grid.add_column(run.label, justify="right")
        grid.add_column("P5 - P95", justify="right")
        summary = run.result.summary.set_index("measure")
    else:
        grid.add_column(run.labels[0], justify="right")
        grid.add_column(name_b, justify="right")
        grid.add_column("difference [95% CI, paired]", justify="right")
        summary = run.comparison.summary.set_index("measure")
    for name, label, kind in HEADLINE_MEASURES:
        if name not in summary.index:
            continue
        row = summary.loc[[name]].iloc[0]  # the measure's row (a Series, for the type)
        if paired:
            grid.add_row(
                label,
                _measure(row["mean_a"], kind),
                _measure(row["mean_b"], kind),
                f"{_measure(row['mean_difference'], kind)} "
                f"[{_measure(row['ci_low'], kind)}, {_measure(row['ci_high'], kind)}]",
            )
        else:
            grid.add_row(
                label,
                f"{_measure(row['mean'], kind)} "
                f"[{_measure(row['ci_low'], kind)}, {_measure(row['ci_high'], kind)}]",
                f"{_measure(row['p5'], kind)} - {_measure(row['p95'], kind)}",
            )
    console.print(grid)


@app.command()
@friendly_errors
def sweep(
    path: ScenarioArg,
    what_ifs: Annotated[
        list[str] | None,
        typer.Option(
            "--scenario",
            "-s",
            help="A named scenario or override to compare; repeat for each.",
        ),
    ] = None,
    all_: Annotated[
        bool,
        typer.Option("--all", metavar="", help="Every named scenario of the file (scenarios:)."),
    ] = False,
    base: Annotated[
        bool,
        typer.Option(metavar="", help="Include the scenario without what-ifs as the first row."),
    ] = True,
    set_: SetOpt = None,
    landed_cost_only: Annotated[
        bool,
        typer.Option(
            "--landed-cost-only", metavar="", help="Price each what-if without optimizing."
        ),
    ] = False,
    stress_replications: Annotated[
        int,
        typer.Option("--stress", min=0, help="Stress-test each plan with this many replications."),
    ] = 0,
    seed: Annotated[int, typer.Option(help="Random seed of the stress tests.")] = 0,
    time_limit: TimeOpt = DEFAULT_SAFETY_SECONDS,
    work: WorkOpt = 1.0,
    time_budget: TimeBudgetOpt = False,
    gap: GapOpt = 0.005,
    threads: ThreadsOpt = 1,
    tier_choice: TierOpt = TierChoice.PER_PO,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    out: OutDirOpt = None,
    force: ForceOpt = False,
) -> None:
    """Compare what-ifs side by side: landed cost, optimized plan and (with --stress) fill rate.

    Each what-if is one task; they run side by side (--workers, --scheduler).

    Example: sourcing sweep scenarios/dtc-brand -s tariff-shock -s primary-down --stress 50
    """
    from engine.workflows import sweep as sw

    names = list(what_ifs or [])
    if all_:
        names += [n for n in sw.named_scenarios(path) if n not in names]
    options = sw.SweepOptions(
        optimize=not landed_cost_only,
        solve=solve_options(time_limit, gap, threads, work, time_budget, tier_choice),
        stress_replications=stress_replications,
        seed=seed,
    )
    cases = sw.load_what_ifs(path, names, parse_set_values(set_ or []), include_base=base)
    for case in cases:
        console.print(
            f"[dim]{escape(case.name)}: {len(case.changes)} change(s)[/dim]", highlight=False
        )
    scenario = cases[0].scenario
    folder = results_folder(out, scenario.name, "sweep", force)
    quiet_solver()
    backend = connect_backend(workers, scheduler)
    with backend, Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"running {len(cases)} what-if(s)", total=len(cases))

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        table = sw.sweep(cases, options, backend, advance)
    _print_sweep(table, scenario.finance.currency, base, not landed_cost_only)
    write_results({"sweep": table}, folder)


def _against_base(row: pd.Series, base: pd.Series, compared: str, optimized: bool) -> str:
    """A what-if's difference against the base; for plans, with the interval of the gaps."""
    if pd.isna(row[compared]) or pd.isna(base[compared]):
        return "-"
    if not optimized:
        return f"{row[compared] - base[compared]:+,.0f}"

    def bound(of: pd.Series) -> float | None:
        return None if pd.isna(of["best_bound"]) else float(of["best_bound"])

    difference = plan_difference(row[compared], bound(row), base[compared], bound(base))
    return escape(difference.verdict().replace(", true difference in", ""))


def _print_sweep(table: pd.DataFrame, currency: str, has_base: bool, optimized: bool) -> None:
    stressed = bool(table["replications"].notna().any())
    grid = Table(title=f"what-ifs compared (money in {currency})", title_justify="left")
    compared = "total_cost" if optimized else "cheapest_landed_cost_total"
    labels = ["what-if", "status", "total cost"] if optimized else ["what-if", "landed total*"]
    labels += ["vs base"] if has_base else []
    labels += ["cheapest landed / unit*"] + (["lost sales"] if optimized else [])
    labels += ["fill rate [95% CI]", "peak working capital"] if stressed else []
    for label in labels:
        grid.add_column(label, justify="left" if label in ("what-if", "status") else "right")
    for _, row in table.iterrows():
        cells = [escape(str(row["what_if"]))]
        cells += [str(row["status"])] if optimized else []
        cells.append(_measure(row[compared], "money"))
        if has_base:
            cells.append(_against_base(row, table.iloc[0], compared, optimized))
        cells.append(_measure(row["cheapest_landed_cost_per_unit"], "money2"))
        cells += [_measure(row["lost_sales"], "money")] if optimized else []
        if stressed:
            cells += [
                f"{_measure(row['fill_rate'], 'pct')} [{_measure(row['fill_rate_ci_low'], 'pct')}"
                f", {_measure(row['fill_rate_ci_high'], 'pct')}]",
                _measure(row["peak_working_capital"], "money"),
            ]
        grid.add_row(*cells)
    console.print(grid)
    console.print(
        "[dim]* each SKU's cheapest landed cost per unit, weighted by its demand (landed "
        "total: the horizon's demand at those prices)[/dim]"
    )
    for _, row in table.iterrows():
        if row["diagnosis"]:
            console.print(
                f"  [red]{escape(str(row['what_if']))}: {escape(str(row['diagnosis']))}[/red]",
                highlight=False,
            )


def _paired_plans(
    scenario: Any, other: Any, other_name: str, options: SolveOptions
) -> tuple[Any, Any, pd.DataFrame]:
    """The optimized plan and the what-if's, each a start of the other (never worse with fewer
    constraints), their cost difference told honestly, and both as simulation drivers."""
    from engine.comparisons.plans import result_difference
    from engine.simulation import PlanPolicy
    from engine.workflows import run_paired_plans

    limit = options.time_limit_seconds
    title = f"optimizing the plan and the '{other_name}' plan (up to {limit:g} s each)"
    labels = {"base": "the plan", "variant": f"the '{other_name}' plan"}
    with console.status(title + "...") as status:
        paired = run_paired_plans(
            scenario,
            other,
            other_name,
            options,
            on_step=lambda which, step: status.update(f"{labels[which]}: {step}"),
            on_solved=lambda which, result: print_plan_line(result, labels[which]),
        )
    currency = scenario.finance.currency
    difference = result_difference(paired.variant, paired.base)
    if difference is not None:
        console.print(
            f"plan cost of '{escape(other_name)}' against the optimized plan: "
            f"{escape(difference.verdict(currency))}",
            highlight=False,
        )
    if paired.marginal is not None:
        console.print(f"  {escape(paired.marginal.text(currency))}", highlight=False)
    return (
        PlanPolicy(paired.base.purchase_orders),
        PlanPolicy(paired.variant.purchase_orders),
        paired.plan_costs,
    )


def print_plan_line(result: OptimizeResult, label: str) -> None:
    """One status line of a plan, named: ``the plan: feasible: cost 1,234, gap 0.4%``."""
    gap = "" if result.gap is None else f", gap {result.gap:.1%}"
    cost = "" if result.objective is None else f": cost {result.objective:,.0f}"
    console.print(
        f"  {escape(label)}: {_status(result)}{cost}{gap}{_budget_note(result)}", highlight=False
    )


def _budget_note(result: OptimizeResult) -> str:
    """What limited the solve and where its bound comes from, for a status line."""
    note = ""
    if result.bound_source is not None and result.gap is not None:
        note += f" (bound: {result.bound_source.value})"
    if result.budget is BudgetMode.TIME:
        return note + "; [yellow]time budget: another run may differ[/yellow]"
    if result.cut_by_time_limit:
        stages = ", ".join(stage.value for stage in result.cut_by_time_limit)
        note += f"; [yellow]the safety time limit cut: {stages} (not repeatable)[/yellow]"
    return note


# --------------------------------------------------------------------------- PO history
# Supplier scorecards, the rules replayed on the history and calibration (engine/history,
# docs/po-history.md).

HistoryOpt = Annotated[
    Path, typer.Option("--history", help="The PO history, .csv or .xlsx (docs/po-history.md).")
]


@app.command()
@friendly_errors
def scorecard(
    path: ScenarioArg,
    history: HistoryOpt,
    scenario_name: NameOpt = None,
    set_: SetOpt = None,
    weights: Annotated[
        str, typer.Option(help="Score weights, e.g. otif=0.4,quality=0.3,cost=0.2,lead_time=0.1")
    ] = "",
    late_tolerance_days: Annotated[
        int, typer.Option(min=0, help="Days after the promised date still on time.")
    ] = 0,
    late_after: Annotated[
        int, typer.Option(min=1, help="Rules replay: late POs in a row that shift volume.")
    ] = 3,
    shift_share: Annotated[float, typer.Option(min=0, max=1, help="Share shifted.")] = 0.2,
    defect_threshold: Annotated[
        float, typer.Option(min=0, max=1, help="Reject rate over the last lots that pauses.")
    ] = 0.05,
    defect_window: Annotated[int, typer.Option(min=1, help="Lots the reject rate is over.")] = 3,
    pause_days: Annotated[int, typer.Option(min=1, help="Days a paused supplier stays off.")] = 30,
    out: OutDirOpt = None,
    force: ForceOpt = False,
) -> None:
    """Supplier scorecards from a PO history, and the decision rules replayed on it.

    Example: sourcing scorecard scenarios/dtc-brand --history scenarios/dtc-brand/po_history.csv
    """
    from engine.history import report
    from engine.history.read import read_history
    from engine.history.rules_replay import replay_rules
    from engine.history.scorecards import parse_weights, scorecards
    from engine.simulation import DecisionRules, DefectPauseRule, LateShiftRule

    scenario = load_scenario_shown(path, scenario_name, set_).scenario
    loaded = read_history(history, scenario)
    for warning in loaded.warnings:
        console.print(f"[yellow]{escape(str(warning))}[/yellow]", highlight=False)
    folder = results_folder(out, scenario.name, "scorecard", force)
    cards = scorecards(loaded, scenario, parse_weights(weights), late_tolerance_days)
    rules = DecisionRules(
        LateShiftRule(late_after, shift_share),
        DefectPauseRule(defect_threshold, defect_window, pause_days),
    )
    replay = replay_rules(scenario, loaded, rules)
    console.print(report.scorecard_table(cards))
    console.print(report.replay_table(replay))
    tables = cards.tables() | replay.tables()
    write_results(tables, folder)
    write_tables(tables, folder / "scorecard.html", overwrite=True)


@app.command()
@friendly_errors
def calibrate(
    path: ScenarioArg,
    history: HistoryOpt,
    out: Annotated[
        Path, typer.Option(help="Where to write the calibrated scenario (folder or .xlsx).")
    ],
    scenario_name: NameOpt = None,
    set_: SetOpt = None,
    min_pos: Annotated[
        int, typer.Option(min=3, help="POs a figure needs to replace the typed-in value.")
    ] = 10,
    force: ForceOpt = False,
) -> None:
    """Fit the suppliers' lead times, on-time and defect rates and prices to a PO history and
    write the calibrated scenario (never over an existing one without --force).

    Example: sourcing calibrate scenarios/dtc-brand --history
    scenarios/dtc-brand/po_history.csv --out calibrated
    """
    from engine.history import report
    from engine.history.calibrate import calibrate as fit
    from engine.history.calibrate import write_calibrated
    from engine.history.read import read_history
    from engine.scenario.read import scenario_file

    scenario = load_scenario_shown(path, scenario_name, set_).scenario
    loaded = read_history(history, scenario)
    if not force and scenario_file(out).exists():
        raise TargetExistsError(f"{out} already holds a scenario; use --force to replace it")
    with console.status("fitting lead-time distributions..."):
        calibration = fit(scenario, loaded, min_pos)
    console.print(report.calibration_table(calibration))
    written = write_calibrated(calibration, out, force)
    report_path = (
        out.with_name(f"{out.stem}_calibration_changes.csv")
        if written == out
        else out / "calibration_changes.csv"
    )
    write_tables(calibration.tables(), report_path, overwrite=True)
    console.print(
        f"wrote the calibrated scenario {written} (it validates) and the change report "
        f"{report_path}",
        highlight=False,
    )


UI_APP = Path(__file__).resolve().parents[2] / "ui" / "server.py"
"""The Streamlit app's server script (``ui/server.py`` serves ``ui/app.py``): ``ui/`` sits
beside ``engine/`` in the source checkout."""


@app.command("ui")
def ui_command(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to serve the app on.")] = 8501,
    headless: Annotated[
        bool,
        typer.Option(
            "--headless/--open-browser",
            metavar="",
            help="Do not open a browser (on a server, in CI).",
        ),
    ] = False,
) -> None:
    """Open the app in your browser: scenario, landed cost, optimize, stress test, finance, runs.

    Example: sourcing ui --port 8502
    """
    import importlib.util
    import os
    import subprocess

    if not UI_APP.is_file():
        errors.print(
            f"[bold red]error:[/bold red] the app is not at {UI_APP}: `sourcing ui` runs from "
            "a source checkout installed with `pip install -e .`",
            highlight=False,
        )
        raise typer.Exit(1)
    if importlib.util.find_spec("streamlit") is None:
        errors.print(
            "[bold red]error:[/bold red] streamlit is not installed: pip install -e .",
            highlight=False,
        )
        raise typer.Exit(1)
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(UI_APP),
        "--server.port",
        str(port),
        "--server.headless",
        "true" if headless else "false",
        "--browser.gatherUsageStats",
        "false",
    ]
    console.print(f"serving the app on http://localhost:{port} (Ctrl+C stops it)")
    sys.stdout.flush()
    if os.name == "posix":  # become the server, so that signals reach it directly
        os.execv(sys.executable, command)
    try:
        code = subprocess.call(command)
    except KeyboardInterrupt:
        code = 0
    raise typer.Exit(code)


register_resilience(app)  # `sourcing resilience` (its own module, engine.cli.resilience)


def main() -> None:
    app()
