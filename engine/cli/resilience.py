"""``sourcing resilience``: which split to run for a risk weight, and what it buys.

Registered on the ``sourcing`` app by ``register`` (called by ``engine.cli``); the options and
helpers it shares with the other commands come from ``engine.cli.options``.
"""

from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

__all__ = ["print_table", "register"]

SKIP_IN_CONSOLE = ("free optimum",)


def register(app: typer.Typer) -> None:
    """Add the ``resilience`` command to ``app`` (the ``sourcing`` app)."""
    from engine.cli import options as base
    from engine.cli.errors import finite_option, friendly_errors, parse_shares

    @app.command()
    @friendly_errors
    def resilience(
        path: base.ScenarioArg,
        scenario_name: base.NameOpt = None,
        set_: base.SetOpt = None,
        sku: Annotated[
            list[str] | None, typer.Option(help="SKUs to protect; default the critical SKUs.")
        ] = None,
        splits: Annotated[
            bool,
            typer.Option(
                "--splits",
                metavar="",
                help="Candidates are the fixed splits 100/0, 80/20, 70/30, 60/40, 50/50 between "
                "each SKU's primary and backup instead of minimum backup shares.",
            ),
        ] = False,
        shares: Annotated[
            str | None,
            typer.Option(
                help="Comma-separated backup shares (primary shares with --splits), "
                "e.g. 0,0.2,0.3; default 0 to 0.5 by 0.1."
            ),
        ] = None,
        risk_weight: Annotated[
            float,
            typer.Option(
                min=0.0,
                callback=finite_option,
                help="lambda: the split minimising mean + lambda x CVaR is recommended "
                "(0 = the average only).",
            ),
        ] = 0.5,
        cvar_level: Annotated[
            float,
            typer.Option(
                min=0.5,
                max=0.999,
                callback=finite_option,
                help="CVaR level: 0.95 is the mean cost of the worst 5 % of replications.",
            ),
        ] = 0.95,
        replications: Annotated[
            int,
            typer.Option(
                min=4,
                help="Most replications: batches are added until the best split is separated "
                "from the runner-up, or this many ran.",
            ),
        ] = 400,
        batch: Annotated[int, typer.Option(min=2, help="Replications per batch.")] = 50,
        precision: Annotated[
            float,
            typer.Option(
                min=0.0,
                max=0.5,
                callback=finite_option,
                help="Two splits whose scores differ by less than this share of the best "
                "score count as the same.",
            ),
        ] = 0.005,
        stochastic: Annotated[
            int,
            typer.Option(
                min=0,
                help="Add the two-stage stochastic allocation (sample average over this many "
                "disruption and demand scenarios, aggregated to one period) as a candidate; "
                "0 = off.",
            ),
        ] = 0,
        seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same result.")] = 0,
        engine: Annotated[
            str,
            typer.Option(
                help="Stress-test engine: fast (vectorized) or simpy (the reference; slower) "
                "(docs/simulation-engines.md)."
            ),
        ] = "fast",
        time_limit: base.TimeOpt = base.DEFAULT_SAFETY_SECONDS,
        work: base.WorkOpt = 1.0,
        time_budget: base.TimeBudgetOpt = False,
        gap: base.GapOpt = 0.005,
        threads: base.ThreadsOpt = 1,
        out: base.OutDirOpt = None,
        force: base.ForceOpt = False,
    ) -> None:
        """Which split to run: plan premium against total cost under disruptions, mean and tail.

        Every candidate is planned by the optimizer (premium over the free optimum, with the
        interval the gaps allow) and stress-tested on the same random numbers; the total cost
        per replication is landed cost + lost sales + expediting + capital cost
        (docs/resilience.md).

        Example: sourcing resilience scenarios/dtc-brand --splits --risk-weight 0.5 --work 0.2
        """
        from engine.resilience.frontier import (
            candidate_points,
            plan_candidates,
            resilience_decision,
        )
        from engine.workflows import frontier_skus

        scenario = base.load_scenario_shown(path, scenario_name, set_).scenario
        folder = base.results_folder(out, scenario.name, "resilience", force)
        skus = frontier_skus(scenario, sku)
        options = base.solve_options(time_limit, gap, threads, work, time_budget)
        console = base.console
        with console.status("choosing the candidates..."):
            points, pairs, free = candidate_points(
                scenario, skus, options, splits, parse_shares(shares) if shares else None
            )
        for k, (primary, backup) in pairs.items():
            console.print(f"{k}: primary {primary}, backup {backup}", highlight=False)
        stochastic_label = None
        if stochastic:
            from engine.resilience.stochastic import stochastic_point

            with console.status(f"solving the stochastic allocation ({stochastic} scenarios)..."):
                point, saa = stochastic_point(
                    scenario, skus, cvar_level, risk_weight, seed, stochastic
                )
            points.append(point)
            stochastic_label = point.label
            for k, split in saa.items():
                text = ", ".join(f"{supplier} {share:.1%}" for supplier, share in split.items())
                console.print(f"stochastic allocation of {k}: {text}", highlight=False)
        title = (
            f"planning {len(points)} candidates and the free optimum ({base.budget_words(options)})"
        )
        with console.status(title + "...") as status:
            planned = plan_candidates(
                scenario,
                points,
                skus,
                options,
                lambda step: status.update(f"{title}: {step}"),
                free,
            )
        if stochastic_label not in [c.label for c in planned]:
            stochastic_label = None  # not planned (its status was said): no value to report
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task(
                f"simulating {len(planned)} plans on common random numbers", total=replications
            )
            result = resilience_decision(
                scenario,
                planned,
                level=cvar_level,
                risk_weight=risk_weight,
                replications=replications,
                batch=batch,
                seed=seed,
                precision=precision,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
                engine=engine,
                stochastic=stochastic_label,
            )
        print_table(console, result.table, scenario.finance.currency, skus, cvar_level)
        console.print(escape(result.sentence), highlight=False)
        if result.stochastic_sentence:
            console.print(escape(result.stochastic_sentence), highlight=False)
        base.write_results(result.tables(), folder)
        written = folder / "resilience.html"
        result.table.to_html(written, index=False)
        console.print(f"wrote {written}", highlight=False)


def _interval(row: pd.Series, name: str) -> str:
    return f"{_money(row[name])} [{_money(row[name + '_low'])}, {_money(row[name + '_high'])}]"


def _money(value: float | None) -> str:
    return "-" if value is None or pd.isna(value) else f"{float(value):,.0f}"


def print_table(
    console: Console, table: pd.DataFrame, currency: str, skus: list[str], level: float
) -> None:
    """The frontier as a console table."""
    grid = Table(
        title=f"resilience of {', '.join(skus)}: total cost under disruptions per replication "
        f"({currency}; mean and CVaR {level:.0%} with 95 % intervals)",
        title_justify="left",
    )
    for label in (
        "candidate",
        "plan premium [gaps]",
        "mean [95% CI]",
        f"P{level * 100:g}",
        f"CVaR {level:.0%} [95% CI]",
        "mean saving",
        "tail saving",
        "score",
        "",
    ):
        grid.add_column(label, justify="left" if label == "candidate" else "right")
    for _, row in table.iterrows():
        marks = ("efficient" if row["efficient"] else "") + (
            " << run" if row["recommended"] else ""
        )
        grid.add_row(
            str(row["candidate"]),
            _interval(row, "premium"),
            f"{_money(row['mean_cost'])} [{_money(row['mean_low'])}, {_money(row['mean_high'])}]",
            _money(row["var_cost"]),
            f"{_money(row['cvar_cost'])} [{_money(row['cvar_low'])}, {_money(row['cvar_high'])}]",
            _money(row["mean_saving"]),
            _money(row["cvar_saving"]),
            _money(row["score"]),
            marks.strip(),
        )
    console.print(grid)
