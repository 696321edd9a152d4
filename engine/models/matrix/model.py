"""The fast build as a model the solve holds: its ``LinearForm``, and a loaded plan read the
way ``engine.models.results`` reads a Pyomo model (``m.order_qty[po]``, ``m.cost[name]``,
``m.cash_out[t]``...), as numbers. The expressions are ``engine.models.build``'s own
functions evaluated on those numbers, so both builds report a plan the same way."""

from __future__ import annotations

import numpy as np

from engine.models.build import _component_expressions, cash_flow_terms, tiers_of
from engine.models.data import ModelData
from engine.models.matrix.assembly import FastBuild, LinearForm, build_form
from engine.plan_types import TierChoice


class Values(dict):
    """A variable's values by index; an index outside the variable's set reads 0."""

    def __missing__(self, key: object) -> float:
        return 0.0


class MatrixModel:
    """The fast build of ``data`` (``build_form``) and, after ``load``, its plan's values."""

    tier_qty: Values  # the variables ``load`` sets (with every other column family)
    tier_chosen: Values
    order_qty: Values

    def __init__(self, data: ModelData, tier_choice: TierChoice, elastic: bool = False) -> None:
        built: FastBuild = build_form(data, tier_choice, elastic)
        self.data = data
        self.tier_choice = tier_choice
        self.form: LinearForm = built.form
        sets = built.sets
        self.families = built.columns.families
        self.PERIODS = list(data.periods)
        self.SKUS = list(data.skus)
        self.POS = sets.pos
        self.OFFERS = sets.offers
        self.PO_TIERS = sets.po_tiers
        self.SHIPMENTS = sets.shipments
        self.CONTAINER_SHIPMENTS = sets.container_shipments
        self.QUALIFY = sets.qualify
        self.SPLITS = sets.splits
        self.SAFETY_PERIODS = sets.safety_periods

    def load(self, values: np.ndarray) -> None:
        """Read a plan (column values): every variable, then the expressions results use."""
        for name, family in self.families.items():
            part = values[family.start : family.start + len(family.keys)].tolist()
            setattr(self, name, Values(zip(family.keys, part, strict=True)))
        data = self.data
        self.purchase_list = Values()
        for po in self.POS:
            total = 0.0
            for i in tiers_of(self, po):
                tier = data.offers[po[:2]].tiers[i - 1]
                total += tier.unit_price * self.tier_qty[(*po, i)]
                total += tier.incremental_intercept * self.tier_chosen[(*po, i)]
            self.purchase_list[po] = total
        self.purchase_paid = Values(
            (po, data.offers[po[:2]].paid_share * self.purchase_list[po]) for po in self.POS
        )
        self.supplier_units = Values(
            (o, sum(self.order_qty[p] for p in data.pos_by_offer.get(o, []))) for o in self.OFFERS
        )
        self.sku_units = Values((k, 0.0) for k in self.SKUS)
        for (_, k), units in self.supplier_units.items():
            self.sku_units[k] += units
        self.cost = Values(_component_expressions(self))
        out, receipts = cash_flow_terms(self)
        self.cash_out = Values((t, sum(out[t])) for t in self.PERIODS)
        self.cash_in = Values((t, sum(receipts[t])) for t in self.PERIODS)
