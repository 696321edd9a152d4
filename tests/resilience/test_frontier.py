"""The resilience frontier on a small scenario whose primary often stops: plans, CRN, choice."""

from __future__ import annotations

import numpy as np
import pytest

from engine.comparisons.frontier import backup_share_points
from engine.plan_types import SolveOptions
from engine.resilience.frontier import (
    FREE_LABEL,
    CandidateCosts,
    PlannedCandidate,
    plan_candidates,
    resilience_decision,
)
from engine.resilience.total_cost import TOTAL_COST_PARTS
from engine.scenario.schema import Horizon, Scenario, SupplierShutdown
from tests.conftest import tiny_scenario

OPTIONS = SolveOptions(time_limit_seconds=30.0, mip_rel_gap=0.01, threads=1, work_scale=0.2)


def often_down() -> Scenario:
    """``tiny`` over five months, SKU A (critical, lost sale 60, demand 100 +- 30 a month)
    from CN-1 or VN-1; CN-1 stops for the whole horizon in half of the replications."""
    base = tiny_scenario()
    skus = tuple(
        s.model_copy(
            update={
                "opening_stock_units": 300.0,
                "lost_sale_penalty_per_unit": 60.0 if s.sku == "A" else None,
                "demand_std_units_per_period": 30.0 if s.sku == "A" else 10.0,
            }
        )
        for s in base.skus
    )
    shutdown = SupplierShutdown(
        kind="supplier_shutdown", supplier="CN-1", start_day=0, length_days=150, probability=0.5
    )
    changed = base.model_copy(
        update={
            "horizon": Horizon(
                start_date=base.horizon.start_date, periods=5, period_length_days=30
            ),
            "disruptions": (shutdown,),
            "skus": skus,
        }
    )
    return Scenario.model_validate(changed.model_dump())


@pytest.fixture(scope="module")
def planned() -> list[PlannedCandidate]:
    scenario = often_down()
    return plan_candidates(
        scenario, backup_share_points(scenario, ["A"], (0.0, 0.25)), ["A"], OPTIONS
    )


def test_the_candidates_are_planned_checked_and_priced(planned: list[PlannedCandidate]) -> None:
    assert [c.label for c in planned] == [FREE_LABEL, "backup 25%"]
    assert all(c.checker_agrees for c in planned)
    free, backup = planned
    assert free.premium is not None and free.premium.difference == 0.0
    assert backup.premium is not None and backup.premium.difference > 0  # a backup costs
    assert backup.premium.low is not None and backup.premium.low <= backup.premium.difference
    shares = backup.result.shares.set_index(["sku", "supplier"])["share"]
    assert shares[("A", "VN-1")] >= 0.25 - 1e-6


def test_the_total_cost_is_the_sum_of_its_parts(planned: list[PlannedCandidate]) -> None:
    evaluate = CandidateCosts(often_down(), planned, seed=0)
    costs = evaluate(range(3))
    assert costs.shape == (3, 2)
    for part in evaluate.parts:
        assert part["total_cost"] == pytest.approx(
            sum(float(part[p]) for p in TOTAL_COST_PARTS[:-1])  # type: ignore[arg-type]
        )
        assert all(float(part[p]) >= 0 for p in TOTAL_COST_PARTS)  # type: ignore[arg-type]
    # the same seed and replication, the same cost (also when asked again)
    assert np.array_equal(CandidateCosts(often_down(), planned, seed=0)(range(3)), costs)


def test_common_random_numbers_tighten_paired_differences(
    planned: list[PlannedCandidate],
) -> None:
    scenario = often_down()
    n = 60
    same = CandidateCosts(scenario, planned, seed=0)(range(n))
    other = CandidateCosts(scenario, planned, seed=1)(range(n))
    paired = same[:, 1] - same[:, 0]  # both plans on the same random numbers
    independent = other[:, 1] - same[:, 0]  # the backup plan on other random numbers
    # demand noise is common to both plans: pairing removes it (with no demand noise the
    # shutdown coin alone drives the difference and pairing gains little)
    assert paired.std(ddof=1) < 0.6 * independent.std(ddof=1)


def test_the_recommendation_is_stable_across_seeds(planned: list[PlannedCandidate]) -> None:
    scenario = often_down()
    chosen = set()
    for seed in (0, 1, 2):
        result = resilience_decision(
            scenario, planned, risk_weight=0.5, replications=80, batch=20, seed=seed
        )
        chosen.add(result.table.loc[result.table["recommended"], "candidate"].item())
        assert result.separation.verdict.value == "separated"
        assert "run backup 25%" in result.sentence
        assert result.table["efficient"].any()
        assert result.costs.shape == (result.separation.n, 3)  # replication + 2 candidates
    assert chosen == {"backup 25%"}


def test_a_bad_risk_weight_is_refused(planned: list[PlannedCandidate]) -> None:
    with pytest.raises(ValueError, match="risk weight"):
        resilience_decision(often_down(), planned, risk_weight=-1.0, replications=4)
