"""A small PO history of dtc-brand's GZ-01 / SKL-10IN with figures worked out by hand."""

from __future__ import annotations

from pathlib import Path

HEADER = (
    "po,supplier,sku,po_date,quantity_ordered,unit_price_agreed,promised_ship_date,"
    "actual_ship_date,actual_arrival_date,quantity_received,quantity_rejected,invoiced_unit_price,"
    "shipping_mode"
)
# P1 on time (production 35 d, transit 33 d), in full, 10 rejected
# P2 late (ship 6 days after the promise), 950 of 1000 received
# P3 on time (early), in full, 40 rejected, invoiced 7.50 against 7.30 agreed
# P4 late, shipped, not arrived (open)
# P5 open, its promise (2026-05-06) after the last date in the file (2026-04-10): not judged
SMALL_ROWS = (
    "P1,GZ-01,SKL-10IN,2026-01-01,1000,7.80,2026-02-05,2026-02-05,2026-03-10,1000,10,7.80,sea_fcl",
    "P2,GZ-01,SKL-10IN,2026-01-10,1000,7.80,2026-02-14,2026-02-20,2026-03-25,950,0,7.80,sea_fcl",
    "P3,GZ-01,SKL-10IN,2026-02-01,2000,7.30,2026-03-08,2026-03-01,2026-04-06,2000,40,7.50,sea_fcl",
    "P4,GZ-01,SKL-10IN,2026-03-01,1000,7.80,2026-04-05,2026-04-10,,,,7.80,sea_fcl",
    "P5,GZ-01,SKL-10IN,2026-04-01,1000,7.80,2026-05-06,,,,,,sea_fcl",
)


def write_history(folder: Path, rows: tuple[str, ...] = SMALL_ROWS, header: str = HEADER) -> Path:
    path = folder / "history.csv"
    path.write_text("\n".join((header, *rows)) + "\n", encoding="utf-8")
    return path
