"""The scenario's disruptions drawn for many replications at once, and their effects as arrays.

The sampling is ``engine.simulation.disruptions.sample_disruptions`` for ``R`` replications:
per disruption a uniform (does it happen), a random start on ``0 .. H-1`` and a random length
on ``1 .. 2 * length_days - 1`` (used with ``random_start`` and
``SimulationOptions.random_disruption_lengths``). A recurring outage takes a uniform (does it
happen) and then, in each replication where it does, its windows from ``outage_windows`` (the
engine's rule: up and down times drawn in turn from day 0), from the same generator. The
effects are those of ``RealisedDisruptions``, evaluated for arrays of replications;
``realised(r)`` gives back the engine's own ``RealisedDisruptions`` of one replication.
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
    SupplierShutdown,
    TariffChange,
)
from engine.simulation.disruptions import (
    NEVER_ENDS,
    RealisedDisruption,
    RealisedDisruptions,
    outage_windows,
)

__all__ = ["DisruptionDraws", "draw_disruptions"]


@dataclass(frozen=True, eq=False)
class DisruptionDraws:
    """Which disruption happens in which replication, and its window.

    Attributes:
        items: The scenario's disruptions, in order.
        happened: ``[D, R]`` whether each happens in each replication.
        start: ``[D, R]`` first day of its window.
        end: ``[D, R]`` first day after it (``NEVER_ENDS`` for a tariff change).
        windows: Recurring outage ``j`` -> ``(rep, start, end)`` of each of its windows, by
            replication then start (``happened[j, r]``: it has a window in replication ``r``;
            ``start`` and ``end`` are unused for it).
    """

    items: tuple[Disruption, ...]
    happened: np.ndarray
    start: np.ndarray
    end: np.ndarray
    windows: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]

    def _of(self, kind: type) -> list[int]:
        return [j for j, d in enumerate(self.items) if isinstance(d, kind)]

    def realised(self, r: int) -> RealisedDisruptions:
        """The engine's ``RealisedDisruptions`` of replication ``r``."""
        items: list[RealisedDisruption] = []
        for j, d in enumerate(self.items):
            if not self.happened[j, r]:
                continue
            if j in self.windows:
                rep, start, end = self.windows[j]
                first, last = np.searchsorted(rep, [r, r + 1])
                items += [
                    RealisedDisruption(j, d, int(start[i]), int(end[i])) for i in range(first, last)
                ]
            else:
                items.append(RealisedDisruption(j, d, int(self.start[j, r]), int(self.end[j, r])))
        return RealisedDisruptions(tuple(items))

    def covering(self, j: int, rep: np.ndarray, day: np.ndarray | int) -> np.ndarray:
        """Whether disruption ``j`` covers ``day`` in replications ``rep``."""
        return self.happened[j, rep] & (self.start[j, rep] <= day) & (day < self.end[j, rep])

    def stops(self, supplier: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(rep, start, end)`` of every window that stops a supplier (its shutdowns that
        happen and its recurring outages' windows)."""
        parts = []
        for j, d in enumerate(self.items):
            if isinstance(d, SupplierShutdown) and d.supplier == supplier:
                rep = np.flatnonzero(self.happened[j])
                parts.append((rep, self.start[j, rep], self.end[j, rep]))
            elif isinstance(d, RecurringOutage) and d.supplier == supplier:
                parts.append(self.windows[j])
        if not parts:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        rep, start, end = (np.concatenate(column) for column in zip(*parts, strict=True))
        return rep, start, end

    def lead_time_shock(
        self, supplier: str, rep: np.ndarray, day: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(factor, extra_days)`` of POs placed on ``day`` in replications ``rep``."""
        factor, extra = np.ones(rep.size), np.zeros(rep.size)
        for j in self._of(LeadTimeShock):
            d = self.items[j]
            assert isinstance(d, LeadTimeShock)
            if d.supplier == supplier:
                on = self.covering(j, rep, day)
                factor = np.where(on, factor * d.factor, factor)
                extra = np.where(on, extra + d.extra_days, extra)
        return factor, extra

    def port_delay_days(
        self,
        origin_port: np.ndarray,
        mode: np.ndarray,
        rep: np.ndarray,
        ship_day: int,
        arrival_day: np.ndarray,
    ) -> np.ndarray:
        """Extra transit days of shipments (ports and modes given per shipment)."""
        extra = np.zeros(rep.size, dtype=np.int64)
        for j in self._of(PortDelay):
            d = self.items[j]
            assert isinstance(d, PortDelay)
            meets = (
                (origin_port == d.origin_port)
                & ((mode == d.mode.value) if d.mode is not None else True)
                & self.happened[j, rep]
                & (self.start[j, rep] <= arrival_day)
                & (ship_day < self.end[j, rep])
            )
            extra += np.where(meets, math.ceil(d.extra_days - 1e-9), 0)
        return extra

    def defect_rate(
        self, supplier: np.ndarray, rep: np.ndarray, day: int, base: np.ndarray
    ) -> np.ndarray:
        """Reject rate of lots inspected on ``day`` (the highest spike in force, else ``base``)."""
        rate = np.full(rep.size, -1.0)
        for j in self._of(DefectSpike):
            d = self.items[j]
            assert isinstance(d, DefectSpike)
            on = (supplier == d.supplier) & self.covering(j, rep, day)
            rate = np.where(on, np.maximum(rate, d.defect_rate), rate)
        return np.where(rate >= 0, rate, base)

    def demand_multiplier(self, skus: tuple[str, ...], day: int) -> np.ndarray | None:
        """``[R, K]`` multiplier of each SKU's demand on ``day`` (None: 1 everywhere)."""
        factor = None
        every = np.arange(self.happened.shape[1])
        for j in self._of(DemandSpike):
            d = self.items[j]
            assert isinstance(d, DemandSpike)
            on = self.covering(j, every, day)
            if not on.any():
                continue
            if factor is None:
                factor = np.ones((every.size, len(skus)))
            columns = np.array(
                [k for k, sku in enumerate(skus) if d.sku in (sku, "*")], dtype=np.intp
            )
            factor[np.ix_(on, columns)] *= d.factor
        return factor

    def extra_tariff(
        self, country: np.ndarray, sku: np.ndarray, rep: np.ndarray, day: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(set, rate)``: whether a tariff change sets the extra tariff of goods arriving on
        ``day`` (per lot) and the rate it sets (the latest start wins; a SKU's change beats
        ``*`` at the same start)."""
        best_start = np.full(rep.size, -np.inf)
        best_own = np.zeros(rep.size, dtype=bool)
        rate = np.zeros(rep.size)
        found = np.zeros(rep.size, dtype=bool)
        for j in self._of(TariffChange):
            d = self.items[j]
            assert isinstance(d, TariffChange)
            own = sku == d.sku
            applies = (
                (country == d.origin_country)
                & (own | (d.sku == "*"))
                & self.happened[j, rep]
                & (self.start[j, rep] <= day)
            )
            start = self.start[j, rep]
            better = applies & (
                ~found | (start > best_start) | ((start == best_start) & (own >= best_own))
            )
            best_start = np.where(better, start, best_start)
            best_own = np.where(better, own, best_own)
            rate = np.where(better, d.extra_tariff_rate, rate)
            found |= better
        return found, rate


def draw_disruptions(
    scenario: Scenario,
    rng: np.random.Generator,
    replications: int,
    horizon_days: int,
    random_lengths: bool = False,
) -> DisruptionDraws:
    """Draw every disruption for ``replications`` replications (see the module docstring)."""
    items = tuple(scenario.disruptions)
    happened = np.zeros((len(items), replications), dtype=bool)
    start = np.zeros((len(items), replications), dtype=np.int64)
    end = np.zeros((len(items), replications), dtype=np.int64)
    windows: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for j, d in enumerate(items):
        u = rng.random(replications)
        if isinstance(d, RecurringOutage):
            windows[j] = _outage_windows(d, rng, np.flatnonzero(u < d.probability), horizon_days)
            happened[j, np.unique(windows[j][0])] = True
            continue
        random_start = rng.integers(0, max(horizon_days, 1), replications)
        happened[j] = u < d.probability
        if isinstance(d, TariffChange):
            start[j], end[j] = d.start_day, NEVER_ENDS
            continue
        length = np.full(replications, d.length_days)
        if d.random_start:
            start[j] = random_start
            if random_lengths:
                length = rng.integers(1, 2 * d.length_days, replications)
        else:
            start[j] = d.start_day
        end[j] = start[j] + length
    return DisruptionDraws(items, happened, start, end, windows)


def _outage_windows(
    outage: RecurringOutage, rng: np.random.Generator, reps: np.ndarray, horizon_days: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(rep, start, end)`` of the windows of a recurring outage in replications ``reps``."""
    rep, start, end = [], [], []
    for r in reps.tolist():
        for first, last in outage_windows(outage, rng, horizon_days):
            rep.append(r)
            start.append(first)
            end.append(last)
    return (
        np.array(rep, dtype=np.int64),
        np.array(start, dtype=np.int64),
        np.array(end, dtype=np.int64),
    )
