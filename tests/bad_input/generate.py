"""Write ``cases.csv``, the bad-input corpus: one-change copies of ``scenarios/dtc-brand``.

Each row is one case: a mutation of the example (see ``tests/bad_input/mutate.py`` for the
language), the command it runs through, the exit code it must end with and the words its
message must contain (``|``-separated, case-insensitive). Regenerate after changing it:

    .venv/bin/python -m tests.bad_input.generate
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import annotated_types

from engine.scenario import limits
from engine.scenario.schema import ROW_MODELS

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases.csv"
COMMANDS = ("validate", "landed-cost", "optimize", "stress")
FILES = {name: f"{name}.csv" for name in ROW_MODELS}
NUMBER_CELLS = ("inf", "1e999", "nan", "abc", "TRUE")
"""Cell values no numeric field accepts."""
ISSUE_FIELDS = {
    ("suppliers", "capacity_units_per_week"),
    ("suppliers", "production_lead_time_days_mean"),
    ("skus", "selling_price"),
    ("price_breaks", "unit_price"),
    ("lanes", "transit_days_mean"),
    ("demand", "mean_units"),
    ("in_transit", "quantity_units"),
}
"""Fields the issue found accepting inf: every command gets their inf/1e999 cases."""


def _bounds(info: Any) -> tuple[float | None, float | None]:
    low = high = None
    for item in info.metadata:
        if isinstance(item, annotated_types.Ge | annotated_types.Gt):
            low = float(getattr(item, "ge", getattr(item, "gt", 0.0)))
        if isinstance(item, annotated_types.Le | annotated_types.Lt):
            high = float(getattr(item, "le", getattr(item, "lt", 0.0)))
    return low, high


def _numeric(info: Any) -> bool:
    text = str(info.annotation)
    return "float" in text or "int" in text


def cell_cases() -> list[tuple[str, str, int, str]]:
    """(mutation, command, exit code, words) for every numeric field of every table."""
    rows = []
    for table, model in ROW_MODELS.items():
        for column, info in model.model_fields.items():
            if not _numeric(info):
                continue
            low, high = _bounds(info)
            values = list(NUMBER_CELLS)
            if low is not None:
                values.append(f"{low - 1:g}")
            if high is not None:
                values.append(f"{high * 10 + 1:g}")
            for value in values:
                mutation = f"cell {table} 2 {column} {value}"
                commands = (
                    COMMANDS
                    if (table, column) in ISSUE_FIELDS
                    and value
                    in (
                        "inf",
                        "1e999",
                    )
                    else ("validate",)
                )
                for command in commands:
                    rows.append((mutation, command, 1, f"{FILES[table]}|{column}"))
    return rows


BIG = limits.MAX_TABLE_ROWS

EVERY_COMMAND: list[tuple[str, int, str]] = [
    # --- dates (the issue: 9999-12-01 overflowed, 2027-02-30 was not located)
    ("yaml horizon.start_date 9999-12-01", 1, "horizon.start_date|2199-12-31"),
    ("yaml horizon.start_date 2027-02-30", 1, "horizon.start_date|day value"),
    ("yaml horizon.start_date soon", 1, "horizon.start_date|date"),
    ("yaml horizon.start_date 1850-01-01", 1, "horizon.start_date|1900-01-01"),
    ("yaml horizon.start_date 2199-12-01", 1, "horizon|ends by 2199-12-31"),
    ("cell calendars 2 start_date 2027-13-01", 1, "calendars.csv|start_date"),
    ("cell calendars 2 end_date 9999-12-31", 1, "calendars.csv|end_date|2199-12-31"),
    ("cell duties 2 effective_from 2027-02-30", 1, "duties.csv|effective_from"),
    # --- YAML structure
    ("yaml-append finance:\\n  annual_cost_of_capital: 0.1\\n", 1, "scenario.yaml|finance|twice"),
    ("yaml-deep 5000", 1, "scenario.yaml|nested more than 20"),
    ("yaml-append extra: &a [1, 2]\\nmore: *a\\n", 1, "scenario.yaml|alias"),
    ("yaml-replace name: x\\n\\tbad: [", 1, "scenario.yaml|unreadable YAML"),
    ("yaml-replace - just\\n- a list\\n", 1, "scenario.yaml|mapping of settings"),
    ("yaml-replace ", 1, "scenario.yaml|mapping of settings"),
    ("yaml finance.opening_cash .inf", 1, "finance.opening_cash|finite"),
    ("yaml finance.opening_cash 1e13", 1, "finance.opening_cash|less than"),
    ("yaml finance.annual_cost_of_capital .nan", 1, "annual_cost_of_capital|finite"),
    ("yaml fulfilment.days_to_customer 1e999", 1, "days_to_customer|finite"),
    ("yaml fulfilment.dso_days 100000", 1, "dso_days|less than"),
    ("yaml horizon.periods 100000", 1, "horizon.periods|less than"),
    ("yaml horizon.periods true", 1, "horizon.periods|true/false"),
    ("yaml horizon.period_length_days 7.5", 1, "horizon.period_length_days|integer"),
    ("yaml risk_policy.max_lead_time_days .inf", 1, "max_lead_time_days|finite"),
    ("yaml risk_policy.max_share_per_supplier 2", 1, "max_share_per_supplier|less than"),
    ("yaml risk_policy.min_suppliers_critical 1000", 1, "min_suppliers_critical|less than"),
    ("yaml disruptions.0.start_day 1000000000000", 1, "disruptions.0|start_day"),
    ("yaml disruptions.1.extra_days .inf", 1, "disruptions.1|extra_days|finite"),
    ("yaml disruptions.2.extra_days 1e999", 1, "disruptions.2|extra_days|finite"),
    ("yaml disruptions.4.factor 1e999", 1, "disruptions.4|factor|finite"),
    ("yaml disruptions.4.factor 1000", 1, "disruptions.4|factor|less than"),
    ("yaml disruptions.5.extra_tariff_rate .inf", 1, "disruptions.5|extra_tariff_rate"),
    ("yaml finance.surprise 1", 1, "finance.surprise|unknown key"),
    ("yaml-big 1100000", 1, "scenario.yaml|bytes|at most 1,000,000"),
    # --- table paths: never read outside the scenario folder
    ("tables skus /etc/passwd", 1, "tables.skus|absolute path|inside the scenario"),
    ("tables skus @outside-absolute", 1, "tables.skus|absolute path"),
    ("tables skus ../outside.csv", 1, "tables.skus|leads out of the folder"),
    ("tables skus sub/../../outside.csv", 1, "tables.skus|leads out of the folder"),
    ("tables calendars /dev/zero", 1, "tables.calendars|absolute path"),
    ("tables skus 42", 1, "tables.skus|42"),
    ("tables skus '\"a\\0b.csv\"'", 1, "tables.skus|not a valid file name"),
    ("tables skus " + "x" * 300 + ".csv", 1, "tables.skus|file name too long"),
    ("tables nonsense x.csv", 1, "tables.nonsense|one of"),
    ("symlink skus.csv @outside", 1, "tables.skus|symbolic link leading out"),
    ("symlink skus.csv /etc/passwd", 1, "tables.skus|symbolic link leading out"),
    ("symlink calendars.csv /dev/zero", 1, "tables.calendars|symbolic link leading out"),
    ("symlink skus.csv skus.csv", 1, "tables.skus|loop"),
    ("fifo calendars.csv", 1, "tables.calendars|named pipe"),
    ("fifo skus.csv", 1, "tables.skus|named pipe"),
    ("mkdir skus.csv", 1, "tables.skus|a folder"),
    ("delete skus.csv", 1, "skus.csv|file not found"),
    ("fifo scenario.yaml", 1, "scenario.yaml|named pipe"),
    ("mkdir scenario.yaml", 1, "scenario.yaml|a folder"),
    ("symlink scenario.yaml scenario.yaml", 1, "scenario.yaml|loop"),
    # --- CSV structure
    ("unclosed-quote skus", 1, "skus.csv|quote"),
    ("header-only skus", 1, "skus.csv|no rows under the header"),
    ("header-only suppliers", 1, "suppliers.csv|no rows under the header"),
    ("file skus.csv ", 1, "skus.csv|empty table"),
    ("semicolons skus", 1, "skus.csv|separated by semicolons"),
    ("tabs suppliers", 1, "suppliers.csv|separated by tabs"),
    ("blank-first-row skus", 1, "skus.csv|blank row 1"),
    ("duplicate-column skus selling_price 1", 1, "skus.csv|selling_price|more than once"),
    ("extra-cells skus", 1, "skus.csv|row 3|cells"),
    ("rename-column skus selling_price sale_price", 1, "skus.csv|sale_price|unknown column"),
    ("latin1 skus", 1, "skus.csv|unreadable"),
    ("many-rows demand", 1, f"demand.csv|more than {BIG:,} rows"),
    ("big-file demand 21000000", 1, "demand.csv|bytes|at most 20,000,000"),
    # --- --set (the issue: .inf through --set was accepted)
    ("set skus.SKL-10IN.selling_price .inf", 1, "skus.csv|selling_price|finite"),
    ("set skus.SKL-10IN.selling_price 1e999", 1, "skus.csv|selling_price|finite"),
    ("set suppliers.GZ-01.production_lead_time_days_mean 1e308", 1, "less than or equal"),
    (
        "set suppliers.GZ-01.balance_days_after_shipment 1000000000000000000000000000000",
        1,
        "balance_days_after_shipment|less than",
    ),
    ("set lanes.YTN-ONT-FCL.transit_days_mean .inf", 1, "lanes.csv|transit_days_mean|finite"),
    ("set horizon.start_date 9999-12-01", 1, "horizon.start_date|2199-12-31"),
    ("set finance {a: 1, a: 2}", 1, "--set|twice"),
    ("set-raw nokey", 1, "--set|key=value"),
    # --- workbooks
    ("xlsx-cell skus 2 selling_price bool:true", 1, "scenario.xlsx[skus]|selling_price|true/false"),
    ("xlsx-cell suppliers 2 capacity_units_per_week str:inf", 1, "capacity_units_per_week|finite"),
    ("xlsx-setting horizon.start_date int:46000", 1, "horizon.start_date|a date like"),
    ("xlsx-setting finance.opening_cash bool:true", 1, "opening_cash|true/false"),
    ("xlsx-blank-first-row skus", 1, "scenario.xlsx[skus]|blank row 1"),
    ("xlsx-duplicate-column skus selling_price", 1, "scenario.xlsx[skus]|more than once"),
    ("xlsx-header-only skus", 1, "scenario.xlsx[skus]|no rows under the header"),
    ("xlsx-garbage", 1, "scenario.xlsx|unreadable workbook"),
]

PLAN = "plan-file supplier,sku,lane,period_placed,quantity_units\\n"
"""A PO table for ``stress --plan``, then one row."""


SOME_COMMANDS: list[tuple[str, str, int, str]] = [
    ("args --time-limit inf", "optimize", 2, "time-limit|finite"),
    ("args --gap nan", "optimize", 2, "gap"),
    ("args --gap inf", "stress", 2, "gap"),
    ("args --time-limit -1", "stress", 2, "time-limit"),
    ("args --qty inf", "landed-cost", 2, "qty|finite"),
    ("args --qty -5", "landed-cost", 2, "qty"),
    ("args --policy nonsense", "stress", 1, "unknown policy"),
    ("args --sku NOPE", "landed-cost", 1, "unknown SKU"),
    ("args --scenario no-such-what-if", "validate", 1, "no-such-what-if"),
    ("args --problems-out @out/problems.csv", "validate", 0, "wrote 0 problem"),
    # --- more broken workbooks (validate: each costs a workbook written and read)
    ("xlsx-append-setting finance.opening_cash int:0", "validate", 1, "settings]|each key once"),
    ("xlsx-delete-sheet skus", "validate", 1, "scenario.xlsx|no 'skus' sheet"),
    ("xlsx-add-sheet nonsense", "validate", 1, "scenario.xlsx[nonsense]|sheet 'nonsense'"),
    ("xlsx-cell demand 2 mean_units str:1e999", "validate", 1, "[demand]|mean_units|finite"),
    ("xlsx-cell calendars 2 start_date str:2027-02-30", "validate", 1, "[calendars]|start_date"),
    # a number in a date-formatted cell is a date in Excel: here one before the start
    ("xlsx-cell calendars 2 end_date int:46000", "validate", 1, "end_date|before it starts"),
    ("xlsx-setting horizon.start_date str:9999-12-01", "validate", 1, "start_date|2199-12-31"),
    ("xlsx-cell in_transit 2 quantity_units bool:true", "validate", 1, "quantity_units|true/false"),
    (
        "xlsx-cell suppliers 2 balance_days_after_shipment int:1000000000000",
        "validate",
        1,
        "balance_days_after_shipment|less than",
    ),
    ("xlsx-cell lanes 2 transit_days_mean str:.inf", "validate", 1, "[lanes]|transit_days_mean"),
    ("xlsx-cell skus 2 selling_price str:TRUE", "validate", 1, "[skus]|selling_price"),
    ("xlsx-setting description 'str:{a: 1, a: 2}'", "validate", 1, "settings]|unreadable value"),
    ("args --plan /dev/zero", "stress", 1, "--plan|a device"),
    ("args --plan @out/missing.csv", "stress", 1, "--plan|no such file"),
    (PLAN + "GZ-01,SKL-10IN,YTN-ONT-FCL,1,inf", "stress", 1, "row 2|quantity_units|finite"),
    (PLAN + "GZ-01,SKL-10IN,YTN-ONT-FCL,1.5,100", "stress", 1, "row 2|period_placed|whole"),
    ("plan-file not,a\\nplan,at all", "stress", 1, "PO table|lacks the columns"),
    ("args --shares 0,x", "frontier", 1, "--shares|not a share"),
    ("args --shares 0,inf", "frontier", 1, "--shares|not a share"),
    ("yaml horizon.start_date 9999-12-01", "frontier", 1, "horizon.start_date"),
    ("cell suppliers 2 capacity_units_per_week inf", "frontier", 1, "capacity_units_per_week"),
]


def all_cases() -> list[dict[str, Any]]:
    rows = cell_cases()
    for mutation, code, words in EVERY_COMMAND:
        rows += [(mutation, command, code, words) for command in COMMANDS]
    rows += [(m, c, code, w) for m, c, code, w in SOME_COMMANDS]
    return [
        {"case": f"{number:04d}", "mutation": m, "command": c, "exit_code": code, "message": w}
        for number, (m, c, code, w) in enumerate(rows, start=1)
    ]


def main() -> None:
    with CASES.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["case", "mutation", "command", "exit_code", "message"])
        writer.writeheader()
        writer.writerows(all_cases())
    print(f"wrote {CASES}: {len(all_cases())} cases")


if __name__ == "__main__":
    main()
