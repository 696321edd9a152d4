"""Which of a scenario's disruptions happen in a replication, when, and what they do.

Sampling (``sample_disruptions``): every disruption of ``scenario.disruptions``, in order, takes
exactly three draws from the replication's disruption stream, whatever the outcome (so a
change to one disruption never shifts the draws of the others):

1. ``u`` uniform on [0, 1): the disruption happens when ``u < probability``;
2. a start day, uniform on the horizon's days ``0 .. H-1``, used when ``random_start``
   (else the stated ``start_day``);
3. a length, uniform on ``1 .. 2 * length_days - 1`` days, used when ``random_start`` and
   ``SimulationOptions.random_disruption_lengths`` (else the stated ``length_days``).

A realised window covers the days ``start <= day < start + length``. A ``recurring_outage``
is sampled differently, still with three draws: ``u`` (it happens when ``u < probability``), a
seed for its own generator, and an unused third draw; its generator then draws up and down
times in turn from day 0 (``geometric``: ``Generator.geometric(1 / mean)``, on 1, 2, ... days;
``fixed``: the rounded means) until the horizon ends, one realised window per outage.
What each kind does:

* ``supplier_shutdown``: the supplier's capacity factor is 0 on the window's days (production
  pauses, like a calendar shutdown, and its lots' lead times stretch).
* ``recurring_outage``: each of its windows stops the supplier like a ``supplier_shutdown``.
* ``lead_time_shock``: a PO placed on a window day takes ``production days * factor +
  extra_days`` working days.
* ``port_delay``: a shipment leaving ``origin_port`` (on a lane of ``mode``, or any mode)
  whose journey ``[ship day, scheduled arrival day]`` meets the window arrives
  ``ceil(extra_days)`` days later; shipments already at sea when the window starts are held
  too.
* ``defect_spike``: lots of the supplier inspected on a window day are rejected at the spike's
  ``defect_rate`` (the higher of overlapping spikes) instead of the supplier's.
* ``demand_spike``: the SKU's (or every SKU's, ``*``) demand on a window day is drawn with its
  mean (and std) multiplied by ``factor`` (overlapping spikes multiply).
* ``tariff_change``: from ``start_day`` on, goods from ``origin_country`` (the SKU, or every SKU)
  arriving pay ``extra_tariff_rate`` instead of the duty row's extra tariff (the latest change
  started wins; at the same start a SKU's change beats ``*``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.scenario.schema import (
    DefectSpike,
    DemandSpike,
    Disruption,
    LeadTimeShock,
    PortDelay,
    RecurringOutage,
    Scenario,
    ShippingMode,
    SupplierShutdown,
    TariffChange,
)

__all__ = [
    "RealisedDisruption",
    "RealisedDisruptions",
    "outage_windows",
    "sample_disruptions",
]

NEVER_ENDS: int = 10**9
"""End day of a tariff change (it lasts)."""


@dataclass(frozen=True)
class RealisedDisruption:
    """One disruption that happens in a replication.

    Attributes:
        index: Its position in ``scenario.disruptions``.
        disruption: The scenario's record.
        start: First day.
        end: First day after it (``NEVER_ENDS`` for a tariff change).
    """

    index: int
    disruption: Disruption
    start: int
    end: int

    def covers(self, day: int) -> bool:
        return self.start <= day < self.end

    @property
    def kind(self) -> str:
        return self.disruption.kind


@dataclass(frozen=True)
class RealisedDisruptions:
    """The disruptions that happen in one replication, with look-ups for their effects."""

    items: tuple[RealisedDisruption, ...]

    def of_kind(self, kind: type) -> tuple[RealisedDisruption, ...]:
        return tuple(r for r in self.items if isinstance(r.disruption, kind))

    def shutdown_windows(self, supplier: str) -> list[tuple[int, int]]:
        """``(start, end)`` of every shutdown of a supplier."""
        return [
            (r.start, r.end)
            for r in self.items
            if isinstance(r.disruption, SupplierShutdown | RecurringOutage)
            and r.disruption.supplier == supplier
        ]

    def lead_time_shock(self, supplier: str, day: int) -> tuple[float, float]:
        """``(factor, extra_days)`` for a PO placed on ``day`` (``(1, 0)`` without a shock)."""
        factor, extra = 1.0, 0.0
        for r in self.items:
            d = r.disruption
            if isinstance(d, LeadTimeShock) and d.supplier == supplier and r.covers(day):
                factor *= d.factor
                extra += d.extra_days
        return factor, extra

    def port_delay_days(
        self, origin_port: str, mode: ShippingMode, ship_day: int, arrival_day: int
    ) -> int:
        """Extra transit days of a shipment whose journey meets a port delay's window."""
        extra = 0
        for r in self.items:
            d = r.disruption
            if (
                isinstance(d, PortDelay)
                and d.origin_port == origin_port
                and (d.mode is None or d.mode is mode)
                and r.start <= arrival_day
                and ship_day < r.end
            ):
                extra += math.ceil(d.extra_days - 1e-9)
        return extra

    def defect_rate(self, supplier: str, day: int, base_rate: float) -> float:
        """The reject rate of a lot inspected on ``day``."""
        rates = [
            r.disruption.defect_rate
            for r in self.items
            if isinstance(r.disruption, DefectSpike)
            and r.disruption.supplier == supplier
            and r.covers(day)
        ]
        return max(rates) if rates else base_rate

    def demand_multiplier(self, sku: str, days: int) -> np.ndarray:
        """Multiplier of a SKU's demand mean on each of ``days`` days."""
        factor = np.ones(days)
        for r in self.items:
            d = r.disruption
            if isinstance(d, DemandSpike) and d.sku in (sku, "*"):
                factor[max(r.start, 0) : min(r.end, days)] *= d.factor
        return factor

    def extra_tariff(self, country: str, sku: str, day: int) -> float | None:
        """The extra tariff a tariff change sets for goods arriving on ``day``, or None."""
        best: tuple[int, int, float] | None = None
        for r in self.items:
            d = r.disruption
            if (
                isinstance(d, TariffChange)
                and d.origin_country == country
                and d.sku in (sku, "*")
                and r.start <= day
            ):
                rank = (r.start, 1 if d.sku == sku else 0, d.extra_tariff_rate)
                if best is None or rank[:2] >= best[:2]:
                    best = rank
        return None if best is None else best[2]


def outage_windows(
    outage: RecurringOutage, rng: np.random.Generator, horizon_days: int
) -> list[tuple[int, int]]:
    """``(start, end)`` of each outage of a recurring outage within ``0 .. horizon_days - 1``:
    up and down times drawn in turn from day 0 (see the module docstring)."""

    def draw(mean: float) -> int:
        if outage.distribution == "fixed":
            return max(1, round(mean))
        return int(rng.geometric(1.0 / mean))

    windows: list[tuple[int, int]] = []
    day = 0
    while True:
        day += draw(outage.mean_up_days)
        if day >= horizon_days:
            return windows
        down = draw(outage.mean_down_days)
        windows.append((day, min(day + down, horizon_days)))
        day += down


def sample_disruptions(
    scenario: Scenario,
    rng: np.random.Generator,
    horizon_days: int,
    random_lengths: bool = False,
) -> RealisedDisruptions:
    """Draw which disruptions happen in one replication (see the module docstring).

    Args:
        scenario: The scenario (its ``disruptions``).
        rng: The replication's disruption stream.
        horizon_days: Days in the horizon (random starts are uniform on ``0 .. H-1``).
        random_lengths: Draw the length of a randomly started disruption too.

    Returns:
        The realised disruptions, in the scenario's order.
    """
    items: list[RealisedDisruption] = []
    for index, disruption in enumerate(scenario.disruptions):
        u = float(rng.random())
        if isinstance(disruption, RecurringOutage):
            own = np.random.default_rng(int(rng.integers(0, 2**62)))
            rng.integers(1, 2)  # the third draw, unused
            if u < disruption.probability:
                items.extend(
                    RealisedDisruption(index, disruption, start, end)
                    for start, end in outage_windows(disruption, own, horizon_days)
                )
            continue
        random_start = int(rng.integers(0, max(horizon_days, 1)))
        if isinstance(disruption, TariffChange):
            rng.integers(1, 2)  # the third draw, unused: keeps three draws per disruption
            if u < disruption.probability:
                items.append(
                    RealisedDisruption(index, disruption, disruption.start_day, NEVER_ENDS)
                )
            continue
        length = disruption.length_days
        length_draw = int(rng.integers(1, 2 * length))
        if u >= disruption.probability:
            continue
        start = disruption.start_day
        if disruption.random_start:
            start = random_start
            if random_lengths:
                length = length_draw
        items.append(RealisedDisruption(index, disruption, start, start + length))
    return RealisedDisruptions(tuple(items))
