"""A policy compiled to flat arrays for the vectorized Monte Carlo.

``compile_plan`` turns a compiled world and a policy driver (``BaseStock``, ``SS``, ``RQ``) into
arrays indexed by **order part**: one part per SKU x supplier of the policy's split rule (the
same ``SplitRule.resolve`` the SimPy engine uses), with everything an order of that part needs:
its share, the offer's MOQ, order multiple and price tiers, the supplier's lead-time parameters,
payment terms and calendar, and the lane's freight. Shipping pairs (supplier x lane) index the
shipments that lots of one supplier on one lane and one day share.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.scenario.schema import PriceBreakType
from engine.simulation.policies import RQ, SS, BaseStock, _PolicySchedule
from engine.simulation.world import World

__all__ = ["FastPlan", "compile_plan"]

PolicyDriver = BaseStock | SS | RQ
"""The drivers the fast path runs."""


@dataclass(frozen=True, eq=False)
class FastPlan:
    """A world and a policy as arrays (``P`` parts, ``S`` suppliers, ``Q`` shipping pairs).

    Attributes:
        schedule: The policy's schedule (its ``quantities`` and ``review_days`` are used).
        part_sku: SKU index of each part, ``[P]``.
        part_share: Share of the SKU's order, ``[P]``.
        part_supplier: Supplier index, ``[P]``.
        part_pair: Shipping pair index, ``[P]``.
        moq: Offer MOQ, ``[P]``.
        multiple: Offer order multiple, ``[P]``.
        tier_start: First unit of each price tier, ``[P, T]`` (``inf`` past the last tier).
        tier_price: Unit price of each tier, ``[P, T]``.
        incremental: Whether the offer's breaks are incremental, ``[P]``.
        variable_freight: Lane freight per unit of the SKU, ``[P]``.
        insurance_rate: Lane insurance rate, ``[P]``.
        unit_volume: SKU volume per unit, cbm, ``[P]``.
        deposit_share: Supplier deposit share, ``[P]``.
        balance_days: Supplier balance days after shipment, ``[P]``.
        lead_mean: Mean production days of the supplier, ``[S]``.
        lead_mu: Lognormal ``mu`` of production days (0 without spread), ``[S]``.
        lead_sigma: Lognormal ``sigma`` (0 without spread), ``[S]``.
        quoted_days: Promised production days of the supplier, ``[S]``.
        on_time_base: Share of lots the spread alone finishes by the promised date, ``[S]``.
        on_time_rate: Stated on-time rate, ``[S]``.
        slip_scale: Mean slip of a late lot, days, ``[S]``.
        makes: Whether the supplier makes anything (capacity above 0), ``[S]``.
        worked: Cumulative working days of the known calendar, ``[S, A + 1]``.
        worked_flat: ``worked`` row by row, row ``s`` raised by ``s * worked_step`` (one
            increasing array: a single search finds the ready day of any supplier's lot).
        worked_step: The raise between rows.
        pair_transit_mean: Lane transit mean per shipping pair, days, ``[Q]``.
        pair_transit_std: Lane transit std, days, ``[Q]``.
        pair_shipment_cost: Lane cost per shipment, ``[Q]``.
        pair_container_cost: Lane cost per container, ``[Q]``.
        pair_container_cbm: Lane container capacity, cbm (0 = none), ``[Q]``.
    """

    schedule: _PolicySchedule
    part_sku: np.ndarray
    part_share: np.ndarray
    part_supplier: np.ndarray
    part_pair: np.ndarray
    moq: np.ndarray
    multiple: np.ndarray
    tier_start: np.ndarray
    tier_price: np.ndarray
    incremental: np.ndarray
    variable_freight: np.ndarray
    insurance_rate: np.ndarray
    unit_volume: np.ndarray
    deposit_share: np.ndarray
    balance_days: np.ndarray
    lead_mean: np.ndarray
    lead_mu: np.ndarray
    lead_sigma: np.ndarray
    quoted_days: np.ndarray
    on_time_base: np.ndarray
    on_time_rate: np.ndarray
    slip_scale: np.ndarray
    makes: np.ndarray
    worked: np.ndarray
    worked_flat: np.ndarray
    worked_step: float
    pair_transit_mean: np.ndarray
    pair_transit_std: np.ndarray
    pair_shipment_cost: np.ndarray
    pair_container_cost: np.ndarray
    pair_container_cbm: np.ndarray

    @property
    def review_days(self) -> int:
        return self.schedule.review_days


def _schedule(world: World, driver: PolicyDriver) -> _PolicySchedule:
    if not isinstance(driver, BaseStock | SS | RQ):
        raise ValueError(
            "the fast path runs base-stock, (s, S) and (r, Q) policies, "
            f"not {type(driver).__name__}"
        )
    rules = driver.rules
    if rules.late_shift or rules.defect_pause or rules.expedite:
        raise ValueError("the fast path has no decision rules: run the SimPy engine")
    if world.direct_fulfilment:
        raise ValueError("the fast path plays a 3PL, not direct fulfilment: run the SimPy engine")
    schedule = driver.schedule(world)
    assert isinstance(schedule, _PolicySchedule)
    return schedule


def compile_plan(world: World, driver: PolicyDriver) -> FastPlan:
    """Compile a policy on a world into part, supplier and shipping-pair arrays.

    Args:
        world: ``build_world(scenario, options)``.
        driver: A ``BaseStock``, ``SS`` or ``RQ`` policy without decision rules.

    Returns:
        The arrays.

    Raises:
        ValueError: For a plan driver, decision rules, or a split the engine rejects.
    """
    schedule = _schedule(world, driver)
    parts = [(k, *part) for k, split in enumerate(schedule.split) for part in split]
    pairs: dict[tuple[str, str], int] = {}
    for _, supplier, _, lane in parts:
        pairs.setdefault((supplier, lane), len(pairs))
    offers = [world.offer(supplier, world.skus[k]) for k, supplier, _, _ in parts]
    width = max((len(o.tiers) for o in offers), default=1)
    tier_start = np.full((len(parts), width), np.inf)
    tier_price = np.zeros((len(parts), width))
    for j, offer in enumerate(offers):
        for i, tier in enumerate(offer.tiers):
            tier_start[j, i] = 0.0 if i == 0 else tier.min_qty_units
            tier_price[j, i] = tier.unit_price
    lanes = [world.lanes[lane] for _, _, _, lane in parts]
    rows = [world.supplier(supplier).row for _, supplier, _, _ in parts]
    infos = world.suppliers
    slip = world.options.late_slip_days_mean
    pair_lanes = [world.lanes[lane] for _, lane in pairs]
    worked = np.zeros((len(infos), world.array_days + 1))
    for s in infos:
        worked[s.index, 1:] = np.cumsum(s.known_factor)
    step = float(worked[:, -1].max(initial=0.0)) + 1.0
    return FastPlan(
        schedule=schedule,
        part_sku=np.array([k for k, _, _, _ in parts], dtype=np.intp),
        part_share=np.array([share for _, _, share, _ in parts], dtype=float),
        part_supplier=np.array(
            [world.supplier_index[supplier] for _, supplier, _, _ in parts], dtype=np.intp
        ),
        part_pair=np.array([pairs[(s, lane)] for _, s, _, lane in parts], dtype=np.intp),
        moq=np.array([o.moq_units for o in offers], dtype=float),
        multiple=np.array([o.order_multiple_units for o in offers], dtype=float),
        tier_start=tier_start,
        tier_price=tier_price,
        incremental=np.array(
            [o.price_break_type is PriceBreakType.INCREMENTAL for o in offers], dtype=bool
        ),
        variable_freight=np.array(
            [world.variable_freight[(lane, world.skus[k])] for k, _, _, lane in parts], dtype=float
        ),
        insurance_rate=np.array([lane.insurance_rate for lane in lanes], dtype=float),
        unit_volume=world.unit_volume[[k for k, _, _, _ in parts]].astype(float),
        deposit_share=np.array([row.deposit_share for row in rows], dtype=float),
        balance_days=np.array([row.balance_days_after_shipment for row in rows], dtype=np.int64),
        lead_mean=np.array([s.row.production_lead_time_days_mean for s in infos], dtype=float),
        lead_mu=np.array([s.lognormal_mu for s in infos], dtype=float),
        lead_sigma=np.array([s.lognormal_sigma for s in infos], dtype=float),
        quoted_days=np.array([s.quoted_days for s in infos], dtype=float),
        on_time_base=np.array([s.on_time_base for s in infos], dtype=float),
        on_time_rate=np.array([s.row.on_time_rate for s in infos], dtype=float),
        slip_scale=np.array(
            [s.row.production_lead_time_days_std or slip for s in infos], dtype=float
        ),
        makes=np.array([s.capacity_per_day > 0 for s in infos], dtype=bool),
        worked=worked,
        worked_flat=(worked + step * np.arange(len(infos))[:, None]).ravel(),
        worked_step=step,
        pair_transit_mean=np.array([lane.transit_days_mean for lane in pair_lanes], dtype=float),
        pair_transit_std=np.array([lane.transit_days_std for lane in pair_lanes], dtype=float),
        pair_shipment_cost=np.array([lane.cost_per_shipment for lane in pair_lanes], dtype=float),
        pair_container_cost=np.array([lane.container_cost for lane in pair_lanes], dtype=float),
        pair_container_cbm=np.array(
            [lane.container_capacity_cbm for lane in pair_lanes], dtype=float
        ),
    )
