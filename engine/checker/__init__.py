"""The independent plan checker: re-verify a purchase-order plan from the raw scenario.

``check_plan`` takes a scenario and a table of purchase orders (one row per PO: ``supplier,
sku, lane, period_placed, quantity_units, tier``) and recomputes, without Pyomo or a solver,
everything ``docs/optimizer.md`` says a plan is: the inventory of every SKU in every period,
every cost component of the objective, the cash timeline, and every constraint, which it
reports as ``Violation`` records in the user's words. A plan the optimizer returns must check
clean (``PlanCheck.ok``) and its objective must equal the checker's total
(``costs_agree``).

Readings of the contract this package fixes (where ``docs/optimizer.md`` is loose):

* A row whose quantity is within ``tolerance_units`` of 0 is not a PO and is ignored; a
  negative quantity is reported (``moq``) and not priced.
* A row that names an unknown supplier, SKU or lane, an offer that does not exist or has no
  price breaks cannot be priced: it is reported (``arc``) and left out of every cost, the
  inventory and the shares. A row on a lane from another port or over the lead-time limit is
  reported (``arc``) but priced and counted as if the arc existed.
* Two rows with the same (supplier, SKU, lane, period placed) are reported
  (``duplicate_po``); each is priced as its own PO (they share a shipment).
* All-units purchase is ``p_i * Q`` at the stated tier ``i`` (in per-PO mode a stated tier
  dearer than the cheapest tier the quantity reaches is a ``tier_choice`` violation; ties in
  price are not). A missing or unknown tier is reported (``tier``) and priced at the cheapest
  tier the quantity reaches. Incremental purchase is ``F(Q)`` whatever the stated tier.
* Safety-stock shortfall counts from period ``t_k^0 + 1`` with ``t_k^0`` the earliest arrival
  period of a PO placed in period 1 over the SKU's arcs, read literally: the first period an
  arc can deliver is a grace period too.
  A SKU without arcs has no shortfall. Its price per unit and period is ``penalty_k / (2N)``.
* ``split_deviation = penalty_k * sum over the split's suppliers |X_s,k - share_s,k X_k|``;
  a supplier outside the split with units is a ``fixed_split`` violation, not a deviation.
* Critical SKUs' supplier count and backup shares apply to SKUs ordered at all
  (``X_k > 0``); a SKU that the plan does not buy is not sourced from anyone.
* When a PO is ready and arrives (``po_days``): this package's own implementation of the rule
  the optimizer and the simulation share (``engine.lead_time``), so that a slip in that one
  place shows here as a disagreement.
* Capacity: the factory works its POs first in, first out at its calendar's daily rate and
  must make the POs placed in period ``t`` by their ready day ``D`` (on the days up to and
  including it; at 0 working days within period ``t``); a day in two shutdowns takes the lower
  factor. Walked as a queue here, stated as interval windows in the optimizer.
* Cash: the contract's timeline schedules deposits, balances, freight (variable, insurance,
  fixed), duty with customs fees, and sales receipts. Those are the **cash** components
  (``CASH_COMPONENTS``: purchase, freight_variable, freight_fixed, insurance, duty,
  customs_fees, and the one-off tooling and qualification, paid in period 1, before
  production starts); capital costs, holding and the
  penalties are **imputed** (``IMPUTED_COMPONENTS``) and never paid. A flow before day 0
  falls in period 1, past the horizon in the last period.

Tolerances: quantities compare with ``tolerance_units``; shares with ``SHARE_TOLERANCE`` (a
share constraint breaks when its excess exceeds ``tolerance_units + SHARE_TOLERANCE * X``);
money (the working-capital ceiling) with ``MONEY_RELATIVE_TOLERANCE`` of the ceiling.

One module per job, imported one way (each only from those above it): ``tolerances``,
``results`` (``Violation``, ``PlanCheck``), ``plan`` (reading the PO table), ``days`` (placed,
ready and arrival days on the supplier's calendar), ``arcs``, ``pricing`` (per-PO costs),
``shipments`` (and the one-offs), ``sku_parameters``, ``shares``, ``inventory`` (the balance),
``costs`` (by component), ``cash`` (timeline, working capital), the constraint families
``order_rules``, ``capacity`` and ``risk_policy``, then ``check`` (``check_plan``). The checker
never imports ``engine.models``: it shares no code with the model it checks.
"""

from engine.checker.arcs import Arc, scenario_arcs
from engine.checker.capacity import capacity_end, units_made
from engine.checker.cash import CASH_COLUMNS
from engine.checker.check import check_plan
from engine.checker.costs import CASH_COMPONENTS, IMPUTED_COMPONENTS
from engine.checker.days import po_days
from engine.checker.inventory import INVENTORY_COLUMNS
from engine.checker.plan import PO_COLUMNS
from engine.checker.pricing import PricedOrder
from engine.checker.results import PlanCheck, Violation, costs_agree
from engine.checker.sku_parameters import (
    first_shortfall_period,
    lost_sale_penalty,
    safety_stock_units,
)
from engine.checker.tolerances import MONEY_RELATIVE_TOLERANCE, SHARE_TOLERANCE

__all__ = [
    "CASH_COLUMNS",
    "CASH_COMPONENTS",
    "IMPUTED_COMPONENTS",
    "INVENTORY_COLUMNS",
    "MONEY_RELATIVE_TOLERANCE",
    "PO_COLUMNS",
    "SHARE_TOLERANCE",
    "Arc",
    "PlanCheck",
    "PricedOrder",
    "Violation",
    "capacity_end",
    "check_plan",
    "costs_agree",
    "first_shortfall_period",
    "lost_sale_penalty",
    "po_days",
    "safety_stock_units",
    "scenario_arcs",
    "units_made",
]
