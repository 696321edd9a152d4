"""Options of a simulation run (everything the scenario does not say)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["DemandDistribution", "SimulationOptions"]


class DemandDistribution(StrEnum):
    """How a day's demand is drawn from the period's mean and standard deviation.

    The period's mean ``m`` and std ``s`` are spread over its ``Lp`` days as independent days
    with mean ``m / Lp`` and variance ``s**2 / Lp`` (so the period's total keeps mean ``m`` and
    variance ``s**2``).
    """

    AUTO = "auto"  # deterministic if s = 0, Poisson if |s^2 - m| <= tolerance * m, else normal
    POISSON = "poisson"  # Poisson(m / Lp) per day, whatever s
    NORMAL = "normal"  # Normal(m / Lp, s / sqrt(Lp)) rounded to whole units, truncated at 0


@dataclass(frozen=True)
class SimulationOptions:
    """Settings of a simulation run.

    Attributes:
        drain_days: Days simulated after the horizon: no demand and no new orders, but goods
            in the pipeline keep moving and payments and receipts keep falling due, so the
            cash of the horizon's sales comes in. Measures of service and working capital are
            taken over the horizon; the cash curve covers the drain too.
        demand_distribution: See ``DemandDistribution``.
        poisson_tolerance: AUTO uses Poisson when ``|s**2 - m| <= poisson_tolerance * m``.
        demand_series: Explicit daily demand per SKU code (units per day, one value per
            horizon day; shorter series are padded with 0). Used as given, without
            randomness; a demand spike still multiplies it. SKUs not listed use the
            scenario's distribution.
        late_tolerance_days: A lot counts as late when it is ready more than this many days
            after its due day.
        late_slip_days_mean: Mean slip of a late PO of a supplier whose lead time has no
            spread (std 0); with a spread the slip's mean is the std.
        random_disruption_lengths: When True, a disruption with ``random_start`` also gets a
            random length, uniform on the whole days ``1 .. 2 * length_days - 1`` (mean
            ``length_days``).
        record_events: Keep the event records (needed for the events frame and the lot-level
            cash cycle; off for fast Monte Carlo).
    """

    drain_days: int = 0
    demand_distribution: DemandDistribution = DemandDistribution.AUTO
    poisson_tolerance: float = 0.05
    demand_series: Mapping[str, Sequence[float]] = field(default_factory=dict)
    late_tolerance_days: float = 0.0
    late_slip_days_mean: float = 7.0
    random_disruption_lengths: bool = False
    record_events: bool = True

    def __post_init__(self) -> None:
        if self.drain_days < 0:
            raise ValueError(f"drain_days must be >= 0, got {self.drain_days}")
        if self.poisson_tolerance < 0:
            raise ValueError(f"poisson_tolerance must be >= 0, got {self.poisson_tolerance}")
        if self.late_slip_days_mean <= 0:
            raise ValueError(f"late_slip_days_mean must be > 0, got {self.late_slip_days_mean}")
        if self.late_tolerance_days < 0:
            raise ValueError(f"late_tolerance_days must be >= 0, got {self.late_tolerance_days}")
