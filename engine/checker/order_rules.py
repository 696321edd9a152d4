"""The constraints on each PO: its periods, quantity and tier, and one PO per key."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from engine.checker.arcs import Arc
from engine.checker.days import po_days
from engine.checker.plan import OrderLine
from engine.checker.pricing import cheapest_reachable_tier
from engine.checker.results import NO_NUMBER, Violation, violation
from engine.checker.tolerances import EPS
from engine.plan_types import TierChoice
from engine.scenario.schema import Offer, PriceBreakType, Scenario

__all__ = [
    "check_duplicates",
    "check_horizon_tiers",
    "check_order_quantity",
    "check_period_arriving",
    "check_periods",
    "check_tier",
]


def check_periods(scenario: Scenario, line: OrderLine, arc: Arc | None) -> list[Violation]:
    """``1 <= t <= N`` (family ``period``) and the arrival period (``po_days``) ``<= N``
    (family ``arrival``)."""
    periods = scenario.horizon.periods
    t = line.period_placed
    if not 1 <= t <= periods:
        return [
            violation(
                "period",
                line.where,
                t,
                periods,
                f"the PO is placed in period {t}, outside the horizon's periods 1..{periods}",
            )
        ]
    if arc is None:
        return []
    days = po_days(scenario, arc.supplier, arc.lane, t)
    if days.arrival_period > periods:
        return [
            violation(
                "arrival",
                line.where,
                days.arrival_period,
                periods,
                f"the PO arrives in period {days.arrival_period} (ready on day "
                f"{days.ready_day}, arriving on day {days.arrival_day}), after the last "
                f"period {periods}",
            )
        ]
    return []


def check_period_arriving(scenario: Scenario, line: OrderLine, arc: Arc) -> list[Violation]:
    """A stated ``period_arriving`` equals the arrival period of ``po_days``."""
    days = po_days(scenario, arc.supplier, arc.lane, line.period_placed)
    expected = days.arrival_period
    if line.period_arriving is None or line.period_arriving == expected:
        return []
    return [
        violation(
            "period_arriving",
            line.where,
            line.period_arriving,
            expected,
            f"the plan says the PO arrives in period {line.period_arriving}; placed in period "
            f"{line.period_placed} it is ready on day {days.ready_day} (the supplier's "
            f"calendar counted) and arrives on day {days.arrival_day}, in period {expected}",
        )
    ]


def check_order_quantity(line: OrderLine, offer: Offer, tolerance_units: float) -> list[Violation]:
    """``Q >= max(moq, order_multiple, 1)`` (``moq``) and ``Q`` a whole multiple of the order
    multiple (``order_multiple``): the minimum-PO rule (``engine.landed_cost.min_po_units``)
    written again here, independent on purpose."""
    qty = line.quantity_units
    minimum = max(offer.moq_units, offer.order_multiple_units, 1.0)
    violations: list[Violation] = []
    if qty < minimum - tolerance_units:
        violations.append(
            violation(
                "moq",
                line.where,
                qty,
                minimum,
                f"{qty:g} units is below the minimum PO of {minimum:g} units "
                f"(MOQ {offer.moq_units:g}, order multiple {offer.order_multiple_units:g})",
            )
        )
    multiple = offer.order_multiple_units
    nearest = round(qty / multiple) * multiple
    if qty > 0 and abs(qty - nearest) > tolerance_units:
        violations.append(
            violation(
                "order_multiple",
                line.where,
                qty,
                multiple,
                f"{qty:g} units is not a whole multiple of the order multiple {multiple:g}",
            )
        )
    return violations


def check_tier(
    line: OrderLine, arc: Arc, tier_choice: TierChoice, tolerance_units: float
) -> list[Violation]:
    """The stated tier exists and is reached, ``Q >= m_i`` (``tier``); for incremental offers
    ``Q <= m_{i+1}`` (``tier_segment``); for all-units in per-PO mode the tier is the cheapest
    the quantity reaches (``tier_choice``)."""
    tiers, qty, tier = arc.tiers, line.quantity_units, line.tier
    if tier is None or not 1 <= tier <= len(tiers):
        return [
            violation(
                "tier",
                line.where,
                NO_NUMBER if tier is None else tier,
                len(tiers),
                f"the PO's tier {tier} is not one of the offer's tiers 1..{len(tiers)}",
            )
        ]
    floor = tiers[tier - 1].min_qty_units
    if qty < floor - tolerance_units:
        return [
            violation(
                "tier",
                line.where,
                qty,
                floor,
                f"{qty:g} units does not reach tier {tier}, which starts at {floor:g} units",
            )
        ]
    if arc.offer.price_break_type is PriceBreakType.INCREMENTAL:
        if tier < len(tiers) and qty > tiers[tier].min_qty_units + tolerance_units:
            ceiling = tiers[tier].min_qty_units
            return [
                violation(
                    "tier_segment",
                    line.where,
                    qty,
                    ceiling,
                    f"{qty:g} units is past the end of incremental tier {tier} at {ceiling:g} "
                    "units",
                )
            ]
        return []
    if tier_choice is TierChoice.PER_PO:
        best = cheapest_reachable_tier(tiers, qty, tolerance_units)
        stated, cheapest = tiers[tier - 1].unit_price, tiers[best].unit_price
        if stated > cheapest + EPS * max(1.0, abs(cheapest)):
            return [
                violation(
                    "tier_choice",
                    line.where,
                    stated,
                    cheapest,
                    f"the PO is priced at tier {tier} ({stated:g} per unit) but {qty:g} units "
                    f"reach tier {best + 1} ({cheapest:g} per unit)",
                )
            ]
    return []


def check_horizon_tiers(lines: Sequence[OrderLine]) -> list[Violation]:
    """Horizon mode: every PO of an offer carries the same (agreed) tier (``horizon_tier``)."""
    stated: dict[tuple[str, str], set[int | None]] = defaultdict(set)
    for line in lines:
        stated[(line.supplier, line.sku)].add(line.tier)
    return [
        violation(
            "horizon_tier",
            f"supplier {supplier}, SKU {sku}",
            len(tiers),
            1,
            f"the offer's POs carry {len(tiers)} tiers "
            f"({', '.join(sorted(str(t) for t in tiers))}); "
            "with tier_choice horizon they share one",
        )
        for (supplier, sku), tiers in stated.items()
        if len(tiers) > 1
    ]


def check_duplicates(lines: Sequence[OrderLine]) -> list[Violation]:
    """At most one PO per (supplier, SKU, lane, period placed) (``duplicate_po``)."""
    counts: dict[str, int] = defaultdict(int)
    for line in lines:
        counts[line.where] += 1
    return [
        violation("duplicate_po", where, count, 1, f"{count} rows for one PO")
        for where, count in counts.items()
        if count > 1
    ]
