"""The risk policy: share caps, region caps, critical SKUs' suppliers, fixed splits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from engine.checker.pricing import PricedOrder
from engine.checker.results import Violation, violation
from engine.checker.shares import sku_totals
from engine.checker.tolerances import SHARE_TOLERANCE
from engine.scenario.schema import Scenario, Supplier

__all__ = [
    "check_critical",
    "check_fixed_splits",
    "check_region_caps",
    "check_share_cap",
    "supplier_region",
]


def _over(found: float, limit: float, total: float, tolerance_units: float) -> bool:
    """Whether units ``found`` exceed ``limit`` by more than the share and unit tolerances."""
    return found - limit > tolerance_units + SHARE_TOLERANCE * total


def check_share_cap(
    scenario: Scenario, units: Mapping[tuple[str, str], float], tolerance_units: float
) -> list[Violation]:
    """``X_s,k <= cap_s,k * X_k`` (``share_cap``, ``share_cap_by_offer``): ``cap_s,k`` the
    lowest of the caps that apply (``RiskPolicy.share_cap``)."""
    policy = scenario.risk_policy
    totals = sku_totals(units)
    return [
        violation(
            "share_cap" if cap >= policy.max_share_per_supplier else "share_cap_by_offer",
            f"supplier {supplier}, SKU {sku}",
            qty / totals[sku],
            cap,
            f"supplier {supplier} gets {qty / totals[sku]:.6g} of SKU {sku}'s volume, over its "
            f"share cap of {cap:g}",
        )
        for (supplier, sku), qty in sorted(units.items())
        if _over(
            qty,
            (cap := policy.share_cap(supplier, sku)) * totals[sku],
            totals[sku],
            tolerance_units,
        )
    ]


def supplier_region(supplier: Supplier) -> str:
    """The region share caps use: the supplier's region, or its country when blank."""
    return supplier.region or supplier.country


def check_region_caps(
    scenario: Scenario, orders: Sequence[PricedOrder], tolerance_units: float
) -> list[Violation]:
    """``sum over suppliers in R, all SKUs of X_s,k <= cap_R * sum_k X_k`` (``region_cap``)."""
    caps = scenario.risk_policy.max_share_per_region
    total = sum(o.line.quantity_units for o in orders)
    in_region: dict[str, float] = defaultdict(float)
    for order in orders:
        in_region[supplier_region(order.arc.supplier)] += order.line.quantity_units
    violations: list[Violation] = []
    for region, cap in caps.items():
        qty = in_region.get(region, 0.0)
        if _over(qty, cap * total, total, tolerance_units):
            violations.append(
                violation(
                    "region_cap",
                    f"region {region}",
                    qty / total,
                    cap,
                    f"suppliers in {region} get {qty / total:.6g} of the total volume, over "
                    f"its cap of {cap:g}",
                )
            )
    return violations


def check_critical(
    scenario: Scenario, units: Mapping[tuple[str, str], float], tolerance_units: float
) -> list[Violation]:
    """Critical SKUs that are ordered: at least ``min_suppliers_critical`` suppliers with a PO
    (``critical_suppliers``), each with ``X_s,k >= min_backup_share_critical * X_k``
    (``backup_share``)."""
    policy = scenario.risk_policy
    totals = sku_totals(units)
    violations: list[Violation] = []
    for item in scenario.skus:
        x_k = totals.get(item.sku, 0.0)
        if not item.critical or x_k <= tolerance_units:
            continue
        used = sorted(s for (s, k), q in units.items() if k == item.sku and q > tolerance_units)
        if len(used) < policy.min_suppliers_critical:
            violations.append(
                violation(
                    "critical_suppliers",
                    f"SKU {item.sku}",
                    len(used),
                    policy.min_suppliers_critical,
                    f"critical SKU {item.sku} is ordered from {len(used)} supplier(s) "
                    f"({', '.join(used)}), fewer than min_suppliers_critical "
                    f"{policy.min_suppliers_critical}",
                )
            )
        floor = policy.min_backup_share_critical
        for supplier in used:
            qty = units[(supplier, item.sku)]
            if _over(floor * x_k, qty, x_k, tolerance_units):
                violations.append(
                    violation(
                        "backup_share",
                        f"supplier {supplier}, SKU {item.sku}",
                        qty / x_k,
                        floor,
                        f"supplier {supplier} gets {qty / x_k:.6g} of critical SKU {item.sku}, "
                        f"below the min_backup_share_critical of {floor:g}",
                    )
                )
    return violations


def check_fixed_splits(
    scenario: Scenario, units: Mapping[tuple[str, str], float], tolerance_units: float
) -> list[Violation]:
    """Suppliers outside a SKU's fixed split get nothing (``fixed_split``)."""
    violations: list[Violation] = []
    for sku, split in scenario.risk_policy.fixed_splits.items():
        for (supplier, k), qty in sorted(units.items()):
            if k == sku and supplier not in split and qty > tolerance_units:
                violations.append(
                    violation(
                        "fixed_split",
                        f"supplier {supplier}, SKU {sku}",
                        qty,
                        0.0,
                        f"supplier {supplier} is not in SKU {sku}'s fixed split "
                        f"({', '.join(split)}) but gets {qty:g} units",
                    )
                )
    return violations
