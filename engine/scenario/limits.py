"""Every limit an input must keep, in one place (listed for users in ``docs/input-limits.md``).

A value past a limit is refused with a located message before anything is computed from it, so
no plan, landed cost or stress figure is ever built from an infinite or absurd input.
"""

from __future__ import annotations

import datetime as dt

# ---- numbers in the scenario (schema.py)

MAX_DAYS = 3_650
"""Lead times, transit days, payment terms, delays: at most 10 years, in days."""

MAX_QUANTITY_UNITS = 1e9
"""Any quantity in units (capacity per week, MOQ, carton, stock, demand, in transit)."""

MAX_UNIT_MONEY = 1e9
"""Any money per unit, per kg or per cbm (prices, freight rates, penalties)."""

MAX_MONEY = 1e12
"""Any other amount of money (one-off costs, fees per shipment, cash, ceilings)."""

MAX_RATE = 1_000.0
"""Rates that may exceed 1 (annual holding cost rate, extra tariff): at most 1,000 (100,000 %),
a guard against a slip of magnitude (hand-made test cases use a holding cost of 2 a unit-week,
a rate of 104 a year)."""

MAX_FACTOR = 100.0
"""Multipliers of a disruption (lead time x factor, demand x factor)."""

MAX_UNIT_WEIGHT_KG = 100_000.0
MAX_UNIT_VOLUME_CBM = 1_000.0
MAX_CONTAINER_CBM = 10_000.0
MAX_VOLUMETRIC_KG_PER_CBM = 10_000.0

MAX_PERIODS = 520
"""Planning periods of the horizon (and any period number in a table)."""

MAX_PERIOD_LENGTH_DAYS = 366

MAX_HORIZON_DAYS = MAX_PERIODS * MAX_PERIOD_LENGTH_DAYS
"""A day index into the horizon (disruption start and length)."""

MAX_SUPPLIERS_CRITICAL = 100
MAX_CODE_LENGTH = 100
"""Characters of a code (SKU, supplier, lane, port, scenario name)."""

MAX_TEXT_LENGTH = 10_000
"""Characters of free text (names, descriptions, reasons)."""

EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2199, 12, 31)
"""Every date, and the horizon's last day, lies in this range."""

# ---- files (read.py)

MAX_SETTINGS_BYTES = 1_000_000
"""Size of the scenario YAML file."""

MAX_YAML_DEPTH = 20
"""Nesting of lists and mappings in the YAML (a scenario needs 5 levels)."""

MAX_TABLE_BYTES = 20_000_000
"""Size of one CSV table file."""

MAX_TABLE_ROWS = 200_000
"""Data rows of one table (CSV file or workbook sheet)."""

MAX_TABLE_COLUMNS = 200
"""Columns of one table."""

MAX_WORKBOOK_BYTES = 50_000_000
"""Size of an .xlsx workbook."""

MAX_UPLOAD_BYTES = 100_000_000
"""Total size of the files uploaded to the app, after unpacking a .zip."""

# ---- messages (cli.py)

PROBLEMS_SHOWN_PER_KIND = 5
"""Problems printed per kind (same file, field and severity); the rest are counted."""
