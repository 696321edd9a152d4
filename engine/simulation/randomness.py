"""Random streams of one replication, derived from the seed and the replication index only.

Replication ``i`` of seed ``s`` draws from ``SeedSequence(s, spawn_key=(i, purpose, entity))``:
one independent ``numpy.random.Generator`` per purpose (``Purpose``) and per entity (each SKU
for demand, each supplier for lead times and defects, each lane for transit times). Nothing
depends on how many replications run or on which worker runs them, so a replication is the
same whatever the number of workers; and two plans simulated with the same seed see the very
same demand, disruptions and (per supplier and lane, draw by draw) lead, transit and QC draws:
common random numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

__all__ = ["Purpose", "Streams", "generator", "streams_for"]


class Purpose(IntEnum):
    """What a stream is used for (its place in the spawn key)."""

    DEMAND = 0
    LEAD_TIME = 1
    DEFECTS = 2
    TRANSIT = 3
    DISRUPTIONS = 4


def generator(
    seed: int, replication: int, purpose: Purpose, entity: int = 0
) -> np.random.Generator:
    """The generator of one purpose and entity in one replication.

    Args:
        seed: The run's seed (non-negative).
        replication: Replication index (0-based).
        purpose: What the draws are for.
        entity: Index of the SKU, supplier or lane in the scenario's table order.

    Returns:
        A fresh PCG64 generator.
    """
    sequence = np.random.SeedSequence(seed, spawn_key=(replication, int(purpose), entity))
    return np.random.Generator(np.random.PCG64(sequence))


@dataclass(frozen=True)
class Streams:
    """Every generator of one replication.

    Attributes:
        demand: One per SKU, in the scenario's SKU order.
        lead_time: One per supplier (production times of its lots).
        defects: One per supplier (QC draws).
        transit: One per lane (transit times of its shipments).
        disruptions: Which disruptions happen, when and for how long.
    """

    demand: tuple[np.random.Generator, ...]
    lead_time: tuple[np.random.Generator, ...]
    defects: tuple[np.random.Generator, ...]
    transit: tuple[np.random.Generator, ...]
    disruptions: np.random.Generator


def streams_for(seed: int, replication: int, skus: int, suppliers: int, lanes: int) -> Streams:
    """The streams of replication ``replication`` of a run seeded with ``seed``.

    Args:
        seed: The run's seed (non-negative).
        replication: Replication index (0-based).
        skus: Number of SKUs.
        suppliers: Number of suppliers.
        lanes: Number of lanes.

    Returns:
        The replication's generators.
    """
    return Streams(
        demand=tuple(generator(seed, replication, Purpose.DEMAND, k) for k in range(skus)),
        lead_time=tuple(
            generator(seed, replication, Purpose.LEAD_TIME, s) for s in range(suppliers)
        ),
        defects=tuple(generator(seed, replication, Purpose.DEFECTS, s) for s in range(suppliers)),
        transit=tuple(generator(seed, replication, Purpose.TRANSIT, lane) for lane in range(lanes)),
        disruptions=generator(seed, replication, Purpose.DISRUPTIONS),
    )
