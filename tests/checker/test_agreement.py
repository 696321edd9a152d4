"""The independent checker agrees with the solver, and says where when it does not.

The case found (issue 12): time-limited plans of dtc-brand had a PO of exactly a tier's break
quantity (1,440 knives, 1,500 skillets) priced at the tier *below* it. The model let an
all-units tier run up to and including the next break, the checker prices a PO that reaches a
break at that (cheaper) tier, so it reported a broken ``tier_choice`` and the app pointed to a
table that did not exist. Now the model's tier ends one order multiple below the next break.

The second case: with SKL-10IN fixed at 70/30, the model left the third supplier's offer out
*before* it computed the SKU's safety stock and the first period its shortfall counts (from
the fastest arc), so the split plan's safety-stock shortfall cost differed from the checker's
(which, as docs/optimizer.md says, uses every arc). Now both use every arc, in every variant.
"""

from __future__ import annotations

import pandas as pd
import pytest

from engine.api import check_and_optimize
from engine.checker import check_plan, first_shortfall_period, safety_stock_units, scenario_arcs
from engine.checker.report import compare_with_checker
from engine.models.build import build_model, tier_bounds
from engine.models.data import build_model_data
from engine.models.session import HighsSession
from engine.plan_types import SolveOptions, TierChoice
from engine.scenario import load_scenario
from tests.checker.builders import monthly
from tests.conftest import DTC_BRAND


def _cn_a_po(data: object) -> tuple:
    return next(
        p for p, info in data.pos.items() if p[:2] == ("CN-1", "A") and info.upper_units >= 500
    )


def test_a_po_at_the_break_is_priced_at_the_next_tier() -> None:
    """CN-1 sells A at 5.00 below 500 units and 4.50 from 500: tier 1 ends at 499 units, and
    the model cannot price a PO of 500 units at 5.00 (before the fix it could)."""
    data = build_model_data(monthly())
    po = _cn_a_po(data)
    assert tier_bounds(data, po, 1, TierChoice.PER_PO) == (100.0, 499.0)
    assert tier_bounds(data, po, 1, TierChoice.HORIZON)[1] == data.pos[po].upper_units
    model = build_model(data, TierChoice.PER_PO)
    model.order_qty[po].setlb(500.0)
    model.order_qty[po].setub(500.0)
    model.tier_chosen[(*po, 1)].setlb(1.0)
    session = HighsSession(model, threads=1)
    assert session.run(10.0, 1e-9).infeasible
    model.tier_chosen[(*po, 1)].setlb(0.0)
    assert HighsSession(model, threads=1).run(10.0, 1e-9).has_solution


def test_a_disagreement_says_what_where_and_by_how_much() -> None:
    """The plan the old model allowed: the checker lists the broken tier choice with its PO."""
    scenario = monthly()
    plan = pd.DataFrame(
        [
            {
                "supplier": "CN-1",
                "sku": "A",
                "lane": "CN-SEA",
                "period_placed": 1,
                "quantity_units": 500.0,
                "tier": 1,
            }
        ]
    )
    result, _ = check_and_optimize(scenario, SolveOptions(time_limit_seconds=20, threads=1))
    forged = result.__class__(**{**result.__dict__, "purchase_orders": plan})
    verdict = compare_with_checker(forged, check_plan(scenario, plan))
    assert not verdict.agrees
    broken = verdict.differences[verdict.differences["kind"] == "constraint"]
    row = broken[broken["item"] == "tier_choice"].iloc[0]
    assert "CN-1" in row["where"] and "A" in row["where"]
    assert (row["solver"], row["checker"]) == (5.0, 4.5)
    assert row["difference"] == pytest.approx(0.5)
    assert "DISAGREES" in verdict.summary()
    costs = verdict.differences[verdict.differences["kind"] == "cost"]
    assert not costs.empty  # a different plan: the solver's costs are another plan's


def test_a_fixed_split_keeps_the_skus_safety_stock() -> None:
    free = build_model_data(load_scenario(DTC_BRAND))
    split_scenario = load_scenario(DTC_BRAND, "split-70-30")
    split = build_model_data(split_scenario)
    assert ("YW-TC", "SKL-10IN") in free.offers and ("YW-TC", "SKL-10IN") not in split.offers
    assert split.safety_stock == free.safety_stock
    assert split.safety_stock_from == free.safety_stock_from
    arcs = scenario_arcs(split_scenario, "SKL-10IN")
    assert split.safety_stock["SKL-10IN"] == pytest.approx(
        safety_stock_units(split_scenario, "SKL-10IN", arcs)
    )
    assert split.safety_stock_from["SKL-10IN"] == first_shortfall_period(split_scenario, arcs)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("folder", "variant", "seconds"),
    [(DTC_BRAND, None, 10.0), (DTC_BRAND, "split-70-30", 10.0), (DTC_BRAND, "tight-cash", 20.0)],
    ids=["dtc-brand", "dtc-brand-70-30", "dtc-brand-tight-cash"],
)
def test_checker_agrees_on_time_limited_plans_of_the_examples(
    folder: object, variant: str | None, seconds: float
) -> None:
    scenario = load_scenario(folder, variant)
    options = SolveOptions(time_limit_seconds=seconds, threads=1)
    result, check = check_and_optimize(scenario, options)
    assert result.has_plan and check is not None
    verdict = compare_with_checker(result, check)
    assert verdict.agrees, verdict.differences.to_string()
    assert verdict.differences.empty
