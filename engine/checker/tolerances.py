"""The checker's tolerances (quantities compare with ``tolerance_units``, given per check)."""

from __future__ import annotations

import math

__all__ = ["EPS", "MONEY_RELATIVE_TOLERANCE", "SHARE_TOLERANCE", "ceil_whole"]


SHARE_TOLERANCE: float = 1e-6
"""Relative slack on share constraints (share cap, region cap, backup share)."""


MONEY_RELATIVE_TOLERANCE: float = 1e-6
"""Relative slack on money limits (the working-capital ceiling)."""


EPS: float = 1e-9
"""Relative slack of float noise (rounding up days, comparing prices, a queue emptied)."""


def ceil_whole(x: float) -> int:
    """``ceil`` that ignores float noise (3.0000000000000004 -> 3)."""
    return math.ceil(x - EPS * max(1.0, abs(x)))
