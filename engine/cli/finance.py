"""``sourcing cycle``: the company's cash-conversion cycle from today's balance sheet, beside a
stored plan's (docs/finance.md)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from engine.cli.errors import friendly_errors
from engine.finance.working_capital import BalanceSheet, CycleDays, balance_sheet_cycle

__all__ = ["cycle"]

console = Console(soft_wrap=True)


def _days(value: float) -> str:
    return f"{value:,.1f}"


@friendly_errors
def cycle(
    inventory: Annotated[float, typer.Option(help="Inventory at cost today (incl. in transit).")],
    receivables: Annotated[float, typer.Option(help="Money customers owe today.")],
    payables: Annotated[float, typer.Option(help="Money owed to suppliers today.")],
    cogs: Annotated[float, typer.Option(help="Cost of goods sold over the period.")],
    revenue: Annotated[float, typer.Option(help="Revenue over the period.")],
    days: Annotated[float, typer.Option(help="Length of the period of COGS and revenue.")] = 365.0,
    plan_run: Annotated[
        str | None,
        typer.Option("--plan-run", help="A stored optimize run: its plan's cycle beside yours."),
    ] = None,
) -> None:
    """The company's cash-conversion cycle today (DIO + DSO - DPO, DPO on COGS), beside a plan's.

    Example: sourcing cycle --inventory 200000 --receivables 50000 --payables 80000
    --cogs 1200000 --revenue 2000000 --plan-run 20261202-163639-5855
    """
    today = balance_sheet_cycle(
        BalanceSheet(
            inventory=inventory,
            receivables=receivables,
            payables=payables,
            cogs=cogs,
            revenue=revenue,
            period_days=days,
        )
    )
    columns: dict[str, CycleDays] = {"your company today": today}
    if plan_run is not None:
        from engine.finance.plan_timeline import plan_working_capital
        from engine.runs import RunStore

        run = RunStore().get(plan_run)
        orders = run.tables.get("purchase_orders")
        if orders is None or orders.empty:
            raise ValueError(f"run {plan_run} holds no plan (no purchase orders)")
        plan = plan_working_capital(run.scenario, orders)
        columns[f"plan {plan_run} (days)"] = plan.measures.cycle
        console.print(
            f"plan {plan_run}: peak working capital {plan.measures.peak:,.0f}, average "
            f"{plan.measures.average:,.0f} {run.scenario.finance.currency} "
            "(its deterministic replay, day by day)"
        )
    table = Table(title="cash-conversion cycle (days)")
    table.add_column("measure")
    for name in columns:
        table.add_column(name, justify="right")
    for label, name in (("DIO", "dio_days"), ("DSO", "dso_days"), ("DPO", "dpo_days")):
        table.add_row(label, *(_days(getattr(c, name)) for c in columns.values()))
    table.add_row("CCC", *(_days(c.ccc_days) for c in columns.values()))
    console.print(table)
