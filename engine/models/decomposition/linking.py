"""What ties the SKUs together, priced by Lagrangian multipliers (docs/optimality.md).

The whole model, split by SKU. Each SKU's block (``engine.models.decomposition.blocks``) holds
its own copies of the shared columns: ``y_k`` of a shipment's ``shipment_used`` (one PO of the
SKU per shipment), ``n_k`` of its ``containers`` (continuous), ``q_k`` of a supplier's
``uses_supplier``. The linking constraints and their multipliers (each >= 0):

- ``y_k <= y`` (a SKU ships only on a shipment that runs):           ``ship``, per PO;
- ``sum_k n_k <= n`` (the containers hold every SKU's volume):       ``box``, per shipment;
- ``q_k <= q`` (a SKU buys only from a qualified supplier):          ``qualify``, per offer;
- ``sum_k units_k,w <= capacity_w`` (one factory for every SKU):     ``capacity``, per window;
- ``sum_{s in R, k} units_s,k - cap_R sum_k units_k <= 0``:          ``region``, per region.

Dualized, the SKUs' blocks pay ``ship`` per shipment they use, ``box`` per (fractional)
container they fill, ``qualify`` for a supplier's audit, and ``capacity`` and ``region`` per
unit ordered; what is left, the *shared block*, is per shipment
``min over y in {0,1}, n in [first y, N y] of (F + fee - sum_k ship_k) y + (C - box) n``
(F its fixed cost, fee the least customs fee of its POs, C a container's cost, ``first`` 1
when every PO has volume, N the containers its POs' upper bounds fill) and per supplier
``min over q in {0,1} of (Q - sum_k qualify_k) q``, both in closed form, plus the constant
``-sum_w capacity_w cap_w``. Some optimal plan of the whole model has ``y = max_k y_k``,
``n = ceil(volume / capacity)``, a customs fee of at least ``fee y`` and ``q = max_k q_k``, so
these bounds on the shared columns keep every optimum: for any multipliers, the blocks' proven
bounds plus the shared block are a lower bound on the whole optimum (weak duality). The
working-capital ceiling is left out (a relaxation: a bound without it is a bound with it).
``box`` is kept within [0, C] (above C the shared block would buy N containers for nothing).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from engine.models.data import ModelData

FAMILIES = ("ship", "box", "qualify", "capacity", "region")


@dataclass(frozen=True)
class Multipliers:
    """One price per linking constraint (module docstring), by family."""

    ship: np.ndarray  # per PO (the whole data's POs in order)
    box: np.ndarray  # per shipment
    qualify: np.ndarray  # per qualification pair
    capacity: np.ndarray  # per capacity window
    region: np.ndarray  # per region

    def flat(self) -> np.ndarray:
        return np.concatenate([getattr(self, name) for name in FAMILIES])


@dataclass(frozen=True)
class SharedBlock:
    """The shared block's optimum for some multipliers: its value and its columns."""

    value: float
    shipment_used: np.ndarray  # per shipment, 0 or 1
    containers: np.ndarray  # per shipment
    qualified: np.ndarray  # per qualification supplier, 0 or 1


@dataclass(frozen=True)
class Linking:
    """The linking structure of a model's data, as arrays (see the module docstring)."""

    shipment_of_po: np.ndarray  # per PO: its shipment's place
    shipment_cost: np.ndarray  # per shipment: F + the least customs fee of its POs
    container_cost: np.ndarray  # per shipment: C (0 without containers)
    container_first: np.ndarray  # per shipment: 1 if a running shipment fills a container
    container_most: np.ndarray  # per shipment: N
    qualify_suppliers: tuple[str, ...]
    qualification_cost: np.ndarray  # per qualification supplier
    qualify_pairs: dict[tuple[str, str], int]  # (supplier, SKU) -> pair place
    supplier_of_pair: np.ndarray  # per pair: its supplier's place
    capacity: np.ndarray  # per window: units
    capacity_load: sparse.csr_matrix  # POs x windows: the share of a PO's units counted
    region_load: sparse.csr_matrix  # POs x regions: 1[s in R] - cap_R
    total_demand: float  # units, the region rows' scale

    @classmethod
    def of(cls, data: ModelData) -> Linking:
        pos = list(data.pos)
        position = {p: i for i, p in enumerate(pos)}
        shipments = list(data.shipments)
        place = {sh: i for i, sh in enumerate(shipments)}
        shipment_cost, box_cost, first, most = [], [], [], []
        for sh in shipments:
            members = data.shipments[sh]
            fee = min(data.pos[p].customs_fee for p in members)
            shipment_cost.append(data.shipment_fixed_cost[sh] + fee)
            cost, cbm = data.container_cost.get(sh, (0.0, 0.0))
            volumes = [data.pos[p].arc.volume_cbm for p in members]
            box_cost.append(cost if cbm > 0 else 0.0)
            first.append(1.0 if cbm > 0 and min(volumes) > 0 else 0.0)
            full = sum(v * data.pos[p].upper_units for v, p in zip(volumes, members, strict=True))
            most.append(float(math.ceil(full / cbm - 1e-9)) if cbm > 0 else 0.0)
        qualify = tuple(s for s, cost in data.qualification_cost.items() if cost > 0)
        pairs = {o: i for i, o in enumerate(o for o in data.offers if o[0] in set(qualify))}
        windows = list(data.capacity)
        rows, cols, shares = [], [], []
        for w, key in enumerate(windows):
            for p, share in data.capacity_load.get(key, ()):
                rows.append(position[p])
                cols.append(w)
                shares.append(share)
        regions = [
            r for r in data.max_share_per_region if any(v == r for v in data.region_of.values())
        ]
        region_rows, region_cols, region_values = [], [], []
        for r_place, r in enumerate(regions):
            cap = data.max_share_per_region[r]
            for i, p in enumerate(pos):
                region_rows.append(i)
                region_cols.append(r_place)
                region_values.append((data.region_of[p[0]] == r) - cap)
        n = len(pos)
        return cls(
            shipment_of_po=np.asarray([place[(p[0], p[2], p[3])] for p in pos], dtype=np.int64),
            shipment_cost=np.asarray(shipment_cost, dtype=float),
            container_cost=np.asarray(box_cost, dtype=float),
            container_first=np.asarray(first, dtype=float),
            container_most=np.asarray(most, dtype=float),
            qualify_suppliers=qualify,
            qualification_cost=np.asarray([data.qualification_cost[s] for s in qualify]),
            qualify_pairs=pairs,
            supplier_of_pair=np.asarray([qualify.index(s) for (s, _) in pairs], dtype=np.int64),
            capacity=np.asarray([data.capacity[key] for key in windows], dtype=float),
            capacity_load=sparse.csr_matrix(
                (shares, (rows, cols)), shape=(n, len(windows)), dtype=float
            ),
            region_load=sparse.csr_matrix(
                (region_values, (region_rows, region_cols)), shape=(n, len(regions)), dtype=float
            ),
            total_demand=float(sum(data.demand.values())),
        )

    # ------------------------------------------------------------------ multipliers

    def zeros(self) -> Multipliers:
        return Multipliers(
            np.zeros(self.shipment_of_po.size),
            np.zeros(self.shipment_cost.size),
            np.zeros(len(self.qualify_pairs)),
            np.zeros(self.capacity.size),
            np.zeros(self.region_load.shape[1]),
        )

    def shared_costs_split(self) -> Multipliers:
        """Each shipment's and audit's cost split evenly over the SKUs that may use it, and
        containers at their full price: a start when no LP prices are at hand."""
        members = np.bincount(self.shipment_of_po, minlength=self.shipment_cost.size)
        users = np.bincount(self.supplier_of_pair, minlength=len(self.qualify_suppliers))
        zero = self.zeros()
        return self.projected(
            Multipliers(
                (self.shipment_cost / np.maximum(members, 1))[self.shipment_of_po],
                self.container_cost.copy(),
                (self.qualification_cost / np.maximum(users, 1))[self.supplier_of_pair]
                if users.size
                else zero.qualify,
                zero.capacity,
                zero.region,
            )
        )

    def projected(self, m: Multipliers) -> Multipliers:
        """The nearest multipliers the bound is valid for (>= 0; ``box`` at most C)."""
        return Multipliers(
            np.maximum(m.ship, 0.0),
            np.clip(m.box, 0.0, self.container_cost),
            np.maximum(m.qualify, 0.0),
            np.maximum(m.capacity, 0.0),
            np.maximum(m.region, 0.0),
        )

    def unit_price(self, m: Multipliers) -> np.ndarray:
        """Per PO: what one more unit ordered pays for capacity and the region caps."""
        return self.capacity_load @ m.capacity + self.region_load @ m.region

    def block_cost(
        self, block_base: np.ndarray, block: object, m: Multipliers, unit_price: np.ndarray
    ) -> np.ndarray:
        """A SKU block's column costs under ``m`` (``block``: a ``SkuBlock``)."""
        cost = block_base.copy()
        index = block.po_index  # type: ignore[attr-defined]
        qty, ship, box = block.qty_col, block.ship_col, block.box_col  # type: ignore[attr-defined]
        np.add.at(cost, qty[qty >= 0], unit_price[index[qty >= 0]])
        np.add.at(cost, ship[ship >= 0], m.ship[index[ship >= 0]])
        has_box = box >= 0
        np.add.at(cost, box[has_box], m.box[self.shipment_of_po[index[has_box]]])
        for col, s in zip(block.qualify_col, block.qualify_suppliers, strict=True):  # type: ignore[attr-defined]
            if col >= 0:
                cost[col] += m.qualify[self.qualify_pairs[(s, block.sku)]]  # type: ignore[attr-defined]
        return cost

    # ------------------------------------------------------------------ the shared block

    def shared(self, m: Multipliers) -> SharedBlock:
        """The shared block's optimum in closed form (module docstring)."""
        paid = np.bincount(self.shipment_of_po, weights=m.ship, minlength=self.shipment_cost.size)
        running = self.shipment_cost - paid + (self.container_cost - m.box) * self.container_first
        used = (running < 0).astype(float)
        audit = self.qualification_cost - np.bincount(
            self.supplier_of_pair, weights=m.qualify, minlength=len(self.qualify_suppliers)
        )
        qualified = (audit < 0).astype(float)
        value = (
            float(np.minimum(running, 0.0).sum())
            + float(np.minimum(audit, 0.0).sum())
            - float(m.capacity @ self.capacity)
        )
        return SharedBlock(value, used, used * self.container_first, qualified)

    def subgradient(
        self,
        m: Multipliers,
        shared: SharedBlock,
        qty: np.ndarray,
        ship: np.ndarray,
        box: np.ndarray,
        qualify: np.ndarray,
    ) -> Multipliers:
        """The linking constraints' left sides less right sides at the blocks' plans (per PO:
        units ``qty``, shipment copies ``ship``, container copies ``box``; per pair the
        supplier copies ``qualify``) and the shared block's optimum."""
        containers = np.bincount(
            self.shipment_of_po, weights=box, minlength=self.shipment_cost.size
        )
        has_box = self.container_cost > 0
        return Multipliers(
            ship - shared.shipment_used[self.shipment_of_po],
            np.where(has_box, containers - shared.containers, 0.0),
            qualify - shared.qualified[self.supplier_of_pair],
            self.capacity_load.T @ qty - self.capacity,
            self.region_load.T @ qty,
        )

    def scale(self) -> Multipliers:
        """Each linking row's scale: units rows per unit of their capacity (or of the whole
        demand), the others as they are (0-1 columns), so one step size suits every family."""
        ones = self.zeros()
        return Multipliers(
            ones.ship + 1.0,
            ones.box + 1.0,
            ones.qualify + 1.0,
            1.0 / np.maximum(self.capacity, 1.0),
            ones.region + 1.0 / max(self.total_demand, 1.0),
        )

    def direction(self, m: Multipliers, g: Multipliers) -> Multipliers:
        """The scaled subgradient, without the parts the projection would undo (a price at 0
        that the constraint's slack would push below 0, a container price at C pushed up)."""
        scale = self.scale()
        moves = {f: getattr(scale, f) * getattr(g, f) for f in FAMILIES}
        for f in FAMILIES:
            moves[f] = np.where((getattr(m, f) <= 0) & (moves[f] < 0), 0.0, moves[f])
        moves["box"] = np.where(
            (m.box >= self.container_cost) & (moves["box"] > 0), 0.0, moves["box"]
        )
        return Multipliers(*(moves[f] for f in FAMILIES))

    def stepped(self, m: Multipliers, d: Multipliers, step: float) -> Multipliers:
        """``m`` moved ``step`` along the scaled direction ``d`` (``direction``), projected."""
        scale = self.scale()
        return self.projected(
            Multipliers(
                *(getattr(m, f) + step * getattr(scale, f) * getattr(d, f) for f in FAMILIES)
            )
        )
