"""Operating and cash conversion cycle of lots, from a timeline of their events.

For one lot (Ross, Westerfield & Jordan, ch. 18):

* inventory period = sale day - purchase day,
* receivables period = customer payment day - sale day,
* payables period = supplier payment day - purchase day,
* operating cycle = inventory period + receivables period,
* cash cycle = operating cycle - payables period.

``lot_timelines`` reads the days from a replication's events (record them with
``SimulationOptions(record_events=True)``), one row per PO:

* purchase day: the day the goods were bought, i.e. title passed: the ``shipped`` day
  (unit-weighted over the PO's shipments);
* supplier payment day: deposits, balances and credits of the PO, weighted by amount;
* sale day: the PO's arrived units are matched first in, first out against the SKU's sales
  (opening stock and opening in-transit goods are sold first, in arrival order), and the
  matched sale days are unit-weighted;
* customer payment day: sales are matched first in, first out against the SKU's sales receipts
  (by money) and the receipt days weighted alike.

Only units that were sold count; ``sold_share`` says which share of the PO's arrived units that
is. A lot with a sold unit not yet paid for at the end of the run has no customer payment day
(NaN) and so no cycle yet.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from engine.simulation.events import EventKind

__all__ = ["CashCycle", "cash_cycle", "fifo_match", "lot_cash_cycle", "lot_timelines"]


@dataclass(frozen=True)
class CashCycle:
    """The periods of one lot (or an average lot), in days."""

    inventory_period: float
    receivables_period: float
    payables_period: float

    @property
    def operating_cycle(self) -> float:
        """Inventory period + receivables period."""
        return self.inventory_period + self.receivables_period

    @property
    def cash_cycle(self) -> float:
        """Operating cycle - payables period."""
        return self.operating_cycle - self.payables_period


def cash_cycle(
    purchase_day: float, supplier_payment_day: float, sale_day: float, customer_payment_day: float
) -> CashCycle:
    """The cycle of a lot from the four days of its timeline.

    Args:
        purchase_day: Day the inventory is bought (received on credit).
        supplier_payment_day: Day the supplier is paid.
        sale_day: Day the goods are sold.
        customer_payment_day: Day the customer pays.

    Returns:
        Its inventory, receivables and payables periods (and the two cycles).
    """
    return CashCycle(
        inventory_period=sale_day - purchase_day,
        receivables_period=customer_payment_day - sale_day,
        payables_period=supplier_payment_day - purchase_day,
    )


def fifo_match(
    supply: np.ndarray, consumption: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Match two sequences of quantities first in, first out.

    Args:
        supply: Quantities in the order they come in.
        consumption: Quantities in the order they go out.

    Returns:
        ``(supply_index, consumption_index, quantity)`` of every overlap.
    """
    a = np.concatenate(([0.0], np.cumsum(supply)))
    c = np.concatenate(([0.0], np.cumsum(consumption)))
    end = min(a[-1], c[-1])
    cuts = np.unique(np.concatenate((a[a <= end], c[c <= end])))
    if cuts.size < 2:
        empty = np.zeros(0, dtype=int)
        return empty, empty, np.zeros(0)
    left, right = cuts[:-1], cuts[1:]
    keep = right - left > 1e-12
    left, right = left[keep], right[keep]
    i = np.searchsorted(a, left, side="right") - 1
    j = np.searchsorted(c, left, side="right") - 1
    return i, j, right - left


def _weighted(days: pd.Series, weights: pd.Series) -> float:
    """The weighted mean of the known days (a NaN day and its weight are left out together)."""
    known = np.isfinite(days.to_numpy(dtype=float))
    total = float(weights[known].sum())
    if abs(total) <= 1e-12:
        return float("nan")
    return float((days[known] * weights[known]).sum() / total)


def lot_timelines(events: pd.DataFrame) -> pd.DataFrame:
    """One row per PO with its purchase, payment, sale and receipt days and its periods.

    Args:
        events: A replication's events frame (one replication).

    Returns:
        Columns ``po, sku, supplier, units_sold, sold_share, purchase_day,
        supplier_payment_day, sale_day, customer_payment_day, inventory_period,
        receivables_period, payables_period, operating_cycle, cash_cycle``.
    """
    columns = [
        "po",
        "sku",
        "supplier",
        "units_sold",
        "sold_share",
        "purchase_day",
        "supplier_payment_day",
        "sale_day",
        "customer_payment_day",
        "inventory_period",
        "receivables_period",
        "payables_period",
        "operating_cycle",
        "cash_cycle",
    ]
    rows = []
    for sku, group in events[events["sku"] != ""].groupby("sku", sort=True):
        g_kind = group["kind"]
        supply = group[
            g_kind.isin([EventKind.OPENING_STOCK.value, EventKind.ARRIVED.value])
        ].reset_index(drop=True)
        sales = group[g_kind == EventKind.SALE.value].reset_index(drop=True)
        receipts = group[g_kind == EventKind.SALES_RECEIPT.value].reset_index(drop=True)
        if supply.empty or sales.empty:
            continue
        i, j, qty = fifo_match(supply["quantity"].to_numpy(), sales["quantity"].to_numpy())
        # receipt day of each sale: sales matched to receipts by money
        sale_receipt_day = np.full(len(sales), np.nan)
        if not receipts.empty:
            si, ri, money = fifo_match(sales["value"].to_numpy(), receipts["amount"].to_numpy())
            paid_days = receipts["day"].to_numpy()[ri]
            for s in np.unique(si):
                mask = si == s
                sale_receipt_day[s] = np.average(paid_days[mask], weights=money[mask])
        matched = pd.DataFrame(
            {
                "po": supply["po"].to_numpy()[i],
                "quantity": qty,
                "sale_day": sales["day"].to_numpy()[j],
                "receipt_day": sale_receipt_day[j],
            }
        )
        arrived = supply[supply["po"] >= 0].groupby("po")["quantity"].sum()
        for po, lot in matched[matched["po"] >= 0].groupby("po", sort=True):
            po_events = events[events["po"] == po]
            shipped = po_events[po_events["kind"] == EventKind.SHIPPED.value]
            payments = po_events[
                po_events["kind"].isin(
                    [
                        EventKind.DEPOSIT.value,
                        EventKind.BALANCE.value,
                        EventKind.SUPPLIER_CREDIT.value,
                    ]
                )
            ]
            sold = float(lot["quantity"].sum())
            purchase_day = _weighted(shipped["day"], shipped["quantity"])
            payment_day = _weighted(payments["day"], -payments["amount"])
            sale_day = _weighted(lot["sale_day"], lot["quantity"])
            # the lot's cycle ends when its last sold unit is paid for: until then it has none
            paid = bool(lot["receipt_day"].notna().all())
            receipt_day = _weighted(lot["receipt_day"], lot["quantity"]) if paid else np.nan
            cycle = cash_cycle(purchase_day, payment_day, sale_day, receipt_day)
            rows.append(
                {
                    "po": int(str(po)),
                    "sku": sku,
                    "supplier": str(shipped["supplier"].iloc[0]) if len(shipped) else "",
                    "units_sold": sold,
                    "sold_share": sold / float(arrived.get(po, np.nan)),
                    "purchase_day": purchase_day,
                    "supplier_payment_day": payment_day,
                    "sale_day": sale_day,
                    "customer_payment_day": receipt_day,
                    "inventory_period": cycle.inventory_period,
                    "receivables_period": cycle.receivables_period,
                    "payables_period": cycle.payables_period,
                    "operating_cycle": cycle.operating_cycle,
                    "cash_cycle": cycle.cash_cycle,
                }
            )
    return pd.DataFrame(rows, columns=columns)


def lot_cash_cycle(events: pd.DataFrame) -> CashCycle:
    """The unit-weighted average cycle over the lots whose cycle finished in one replication.

    A lot counts once its four days are known: a lot not yet sold, or whose customers have not
    paid by the end of the run, has no cycle yet and is left out (it is not counted as paid on
    day 0).

    Args:
        events: A replication's events frame.

    Returns:
        The average periods (NaN without any finished lot).
    """
    lots = lot_timelines(events)
    periods = ["inventory_period", "receivables_period", "payables_period"]
    lots = lots[np.isfinite(lots[periods].to_numpy(dtype=float)).all(axis=1)]
    weights = lots["units_sold"]
    return CashCycle(
        inventory_period=_weighted(lots["inventory_period"], weights),
        receivables_period=_weighted(lots["receivables_period"], weights),
        payables_period=_weighted(lots["payables_period"], weights),
    )
