"""Decomposition by SKU (issue 13 items 2-3, issue 12 item 6): a Lagrangian lower bound from
the SKUs' own models with the linking constraints priced, and plans from those models.

- ``blocks``: one SKU's subproblem as a matrix, built and solved anywhere (``engine.parallel``);
- ``linking``: the linking constraints, their multipliers and the shared block;
- ``lagrangian``: the subgradient iterations and the bound;
- ``plans``: the blocks' plans combined and repaired into a plan of the whole model;
- ``repair``: the blocks' joined plan repaired SKU by SKU, without the whole model.
"""

from engine.models.decomposition.lagrangian import (
    DEFAULT_WORK,
    DecompositionWork,
    LagrangianBound,
    build_blocks,
    lagrangian_bound,
)

__all__ = [
    "DEFAULT_WORK",
    "DecompositionWork",
    "LagrangianBound",
    "build_blocks",
    "lagrangian_bound",
]
