"""Finance measures shared by the optimizer, the stress test, the CLI and the app: one
definition of working capital and the cash-conversion cycle (``docs/finance.md``)."""

from engine.finance.working_capital import (
    BalanceSheet,
    CycleDays,
    WorkingCapital,
    average_working_capital,
    balance_sheet_cycle,
    cycle_days,
    net_working_capital,
    peak_working_capital,
    working_capital_measures,
)

__all__ = [
    "BalanceSheet",
    "CycleDays",
    "WorkingCapital",
    "average_working_capital",
    "balance_sheet_cycle",
    "cycle_days",
    "net_working_capital",
    "peak_working_capital",
    "working_capital_measures",
]
