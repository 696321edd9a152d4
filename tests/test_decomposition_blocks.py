"""The decomposition's SKU blocks: the fast build (``engine.models.matrix``) gives each block
the very arrays the Pyomo model gives, so the bound and the plans do not depend on the build."""

from __future__ import annotations

import numpy as np
import pytest

from engine.models.data import build_model_data
from engine.models.decomposition import build_blocks
from engine.models.decomposition.blocks import SkuBlock
from engine.models.matrix.choice import ModelBuild
from engine.plan_types import TierChoice
from engine.scenario.generate import generate_scenario
from tests.conftest import tiny_scenario


def _assert_same(first: list[SkuBlock], second: list[SkuBlock]) -> None:
    assert [b.sku for b in first] == [b.sku for b in second]
    for a, b in zip(first, second, strict=True):
        for name in SkuBlock.__dataclass_fields__:
            x, y = getattr(a, name), getattr(b, name)
            if isinstance(x, np.ndarray):
                assert x.dtype == y.dtype and np.array_equal(x, y), (a.sku, name)
            else:
                assert x == y, (a.sku, name)


@pytest.mark.parametrize("tier_choice", list(TierChoice))
@pytest.mark.parametrize("seed", [1, 7])
def test_fast_and_pyomo_blocks_are_identical(seed: int, tier_choice: TierChoice) -> None:
    scenario = generate_scenario(
        skus=4, suppliers=3, modes=2, periods=6, offers_per_sku=(2, 3), tiers=3, seed=seed
    )
    data = build_model_data(scenario)
    fast = build_blocks(data, tier_choice, build=ModelBuild.MATRIX)
    pyomo = build_blocks(data, tier_choice, build=ModelBuild.PYOMO)
    _assert_same(fast, pyomo)
    assert all(b.qty_col.min() >= 0 for b in fast)  # every PO's units are a column
    assert any((b.box_col >= 0).any() for b in fast)  # container lanes: copies priced


def test_the_tiny_scenarios_blocks_are_identical() -> None:
    """Its SKUs share a Chinese factory and its shipments."""
    data = build_model_data(tiny_scenario())
    fast = build_blocks(data, TierChoice.PER_PO, build=ModelBuild.MATRIX)
    _assert_same(fast, build_blocks(data, TierChoice.PER_PO, build=ModelBuild.PYOMO))
    assert all((b.ship_col >= 0).all() for b in fast)
