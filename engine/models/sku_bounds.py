"""A lower bound on the whole plan's cost from each SKU's own model (issue 12, item 6).

Each SKU's model keeps its own POs, tiers, offers, stock, policy and every supplier's whole
capacity, and leaves out what SKUs share: shipment fixed costs and customs entries (paid once
per shipment, whichever SKUs ride on it) cost nothing, containers are counted in fractions (so
a SKU pays its volume's share of a container: the whole model's container count is at least
the sum of these fractions), supplier qualification costs nothing, and the region caps and the
working-capital ceiling (limits on all SKUs together) are dropped. Every plan of the whole
model, restricted to one SKU, is then a plan of that SKU's model costing at most that SKU's
part of the whole cost, so the SKUs' optima add up to at most the whole optimum, and so do
their HiGHS bounds (each at most its optimum). Giving each SKU every supplier's whole capacity
keeps it a relaxation: the whole model shares that capacity.

The Lagrangian decomposition (``engine.models.decomposition``) prices the shared costs and the
capacity instead (a stronger bound; this one is its start with those prices at 0) and has
replaced this stage in the solve; the sum stays for its property test and for comparison.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from engine.models.data import ModelData, PoKey
from engine.models.heuristic import RELAXED_VARIABLES, pos_by_sku, sku_data
from engine.models.matrix.choice import solver_model
from engine.models.session import HighsSession
from engine.models.strategy import RunLimit
from engine.plan_types import TierChoice

SHARED_INTEGERS = ("containers",)  # counted in fractions in a SKU's own model


def sku_bound_data(data: ModelData, sku: str, sku_pos: list[PoKey] | None = None) -> ModelData:
    """One SKU's model data with the shared costs and joint limits left out (see above)."""
    one = sku_data(data, sku, data.capacity, 1.0, sku_pos)
    return replace(
        one,
        pos={p: replace(po, customs_fee=0.0) for p, po in one.pos.items()},
        shipment_fixed_cost=dict.fromkeys(one.shipment_fixed_cost, 0.0),
        qualification_cost={},
        max_share_per_region={},
        working_capital_ceiling=None,
    )


def sku_bound(
    data: ModelData, tier_choice: TierChoice, limit: RunLimit
) -> tuple[float | None, bool]:
    """HiGHS's bound on a one-SKU bound model (``sku_bound_data``) within ``limit``, and
    whether its seconds (not its work) ended the run. None: no bound (an infeasible SKU
    model means an infeasible whole model, which the first look reports)."""
    session = HighsSession(solver_model(data, tier_choice), threads=1)
    session.set_base(session.columns_of(*RELAXED_VARIABLES, *SHARED_INTEGERS))
    outcome = session.run(limit, 1e-6)
    return outcome.best_bound, outcome.time_limited


def summed_sku_bound(
    data: ModelData,
    tier_choice: TierChoice,
    limit_for: Callable[[int], RunLimit],
    on_step: Callable[[str], None] | None = None,
) -> tuple[float | None, bool]:
    """The sum of every SKU's bound (None if one has none), and whether the safety limit
    ended a run. ``limit_for(j)`` gives the limits of the j-th SKU's run."""
    total = 0.0
    cut = False
    by_sku = pos_by_sku(data)
    for j, sku in enumerate(data.skus):
        if on_step:
            on_step(f"bounding the cost SKU by SKU: {sku} ({j + 1}/{len(data.skus)})")
        bound, time_limited = sku_bound(
            sku_bound_data(data, sku, by_sku[sku]), tier_choice, limit_for(j)
        )
        cut = cut or time_limited
        if bound is None:
            return None, cut
        total += bound
    return total, cut
