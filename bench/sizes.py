"""The benchmark sizes (issue 6), as seeded synthetic scenarios (``engine.scenario.generate``)."""

from __future__ import annotations

from dataclasses import dataclass

from engine.scenario.generate import generate_scenario
from engine.scenario.schema import Scenario

__all__ = ["DEFAULT_SIZES", "SIZES", "Size", "parse_sizes"]


@dataclass(frozen=True)
class Size:
    """A scenario size: SKUs x suppliers (2-4 offers per SKU, 3 price tiers) x modes x periods.

    Attributes:
        name: ``S``, ``M`` or ``L``.
        skus: Number of SKUs.
        suppliers: Number of suppliers.
        modes: Lanes per origin port.
        periods: Planning periods (30 days each).
        offers_per_sku: Fewest and most offers per SKU.
        tiers: Price breaks per offer.
    """

    name: str
    skus: int
    suppliers: int
    modes: int = 3
    periods: int = 12
    offers_per_sku: tuple[int, int] = (2, 4)
    tiers: int = 3

    def scenario(self, seed: int = 0) -> Scenario:
        """The seeded scenario of this size."""
        return generate_scenario(
            skus=self.skus,
            suppliers=self.suppliers,
            modes=self.modes,
            periods=self.periods,
            offers_per_sku=self.offers_per_sku,
            tiers=self.tiers,
            seed=seed,
        )


SIZES: dict[str, Size] = {
    "S": Size("S", skus=50, suppliers=5),
    "M": Size("M", skus=500, suppliers=20),
    "L": Size("L", skus=2000, suppliers=20),
}
"""S = 50 SKUs x 5 suppliers; M = 500 x 20; L = 2,000 x 20; each x 3 modes x 12 periods."""

DEFAULT_SIZES: tuple[str, ...] = ("S", "M")
"""Sizes run unless ``--sizes`` asks otherwise: L only when asked (its build takes minutes)."""


def parse_sizes(text: str) -> tuple[str, ...]:
    """``"S,M"`` -> ``("S", "M")``.

    Raises:
        ValueError: On an unknown size.
    """
    names = tuple(part.strip().upper() for part in text.split(",") if part.strip())
    unknown = [name for name in names if name not in SIZES]
    if unknown or not names:
        raise ValueError(f"sizes must be some of {', '.join(SIZES)}, got {text!r}")
    return names
