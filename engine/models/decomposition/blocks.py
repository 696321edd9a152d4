"""One SKU's subproblem of the Lagrangian decomposition as a plain matrix, and its solve.

A block is the SKU's own model (``engine.models.heuristic.sku_data``: its POs, tiers,
offers, stock, policy and every supplier's whole capacity) with the costs SKUs share set to
nothing: its shipment, container, customs and audit columns are its own *copies* of the
shared ones, priced by the multipliers (``engine.models.decomposition.linking``); the region
caps and the working-capital ceiling are left out (the region caps are priced on its
``order_qty`` columns). Its containers, order multiples and stockouts are continuous (a SKU
may fill part of a container another SKU fills; the other two as in the solve's relaxation).

The block is built once into NumPy arrays by the fast build (``engine.models.matrix``; the
Pyomo model gives the same arrays), so it can be sent to a worker process or a Dask worker and
solved there with only its costs changed: the same matrix, the same options and one HiGHS
thread give the same answer wherever it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import highspy
import numpy as np

from engine.models.build import build_model
from engine.models.data import ModelData, PoKey
from engine.models.heuristic import RELAXED_VARIABLES, VariableValues, sku_data
from engine.models.matrix.assembly import LinearForm, build_form
from engine.models.matrix.choice import DEFAULT_BUILD, ModelBuild
from engine.models.matrix.pyomo_form import pyomo_form
from engine.models.session import quiet_banner, use_threads
from engine.models.strategy import RunLimit
from engine.plan_types import TierChoice

SHARED_COPIES = ("shipment_used", "containers", "customs_fee", "uses_supplier")
"""The SKU's copies of what SKUs share: their costs come from the multipliers."""


@dataclass(frozen=True)
class SkuBlock:
    """One SKU's subproblem: a HiGHS matrix (column-wise) and where its linked columns are.

    Per PO of the SKU (in ``pos`` order, ``po_index`` its place in the whole data's POs):
    ``qty_col`` its ``order_qty`` column, ``ship_col`` its shipment copy, ``box_col`` its
    container copy (-1: the lane has no containers). ``qualify_col`` the supplier copies
    (``qualify_pairs`` their places in the linking structure's pairs)."""

    sku: str
    pos: tuple[PoKey, ...]
    po_index: np.ndarray
    qty_col: np.ndarray
    ship_col: np.ndarray
    box_col: np.ndarray
    qualify_col: np.ndarray
    qualify_suppliers: tuple[str, ...]
    base_cost: np.ndarray  # the SKU's own costs; the shared copies at 0
    offset: float
    lower: np.ndarray
    upper: np.ndarray
    integrality: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    start: np.ndarray
    index: np.ndarray
    value: np.ndarray
    names: tuple[tuple[str, tuple], ...]  # each column's (variable, index), for plans


@dataclass(frozen=True)
class BlockOutcome:
    """A block's solve: HiGHS's proven bound (None: none), its best plan's cost and column
    values (None: none found), and whether the safety time limit (not the work) ended it."""

    bound: float | None
    objective: float | None
    values: np.ndarray | None
    time_limited: bool


def block_data(data: ModelData, sku: str, sku_pos: list[PoKey]) -> ModelData:
    """The SKU's model data with the shared costs and joint limits out (module docstring)."""
    one = sku_data(data, sku, data.capacity, 1.0, sku_pos)
    return replace(
        one,
        pos={p: replace(po, customs_fee=0.0) for p, po in one.pos.items()},
        shipment_fixed_cost=dict.fromkeys(one.shipment_fixed_cost, 0.0),
        container_cost={sh: (0.0, cbm) for sh, (_, cbm) in one.container_cost.items()},
        max_share_per_region={},
        working_capital_ceiling=None,
    )


def build_block(
    one: ModelData,
    po_index: np.ndarray,
    tier_choice: TierChoice,
    build: ModelBuild = DEFAULT_BUILD,
) -> SkuBlock:
    """Compile a SKU's block from its ``block_data`` with ``build`` (the fast build by
    default; the Pyomo model gives the same block: tests/test_decomposition_blocks.py);
    ``po_index``: its POs' places in the whole data's POs."""
    if build is ModelBuild.PYOMO:
        form, _ = pyomo_form(build_model(one, tier_choice))
    else:
        form = build_form(one, tier_choice).form
    return _block_of_form(one, po_index, form)


def _block_of_form(one: ModelData, po_index: np.ndarray, form: LinearForm) -> SkuBlock:
    """The block of a SKU's compiled model: its arrays, the linked columns found by their
    (variable, index) keys (a variable a build leaves out, or fixes, has none: -1)."""
    sku = one.skus[0]
    sku_pos = list(one.pos)
    column = {key: c for c, key in enumerate(form.column_keys)}

    def col(name: str, index: object) -> int:
        return column.get((name, index), -1)

    def columns_of(*names: str) -> np.ndarray:
        chosen = [c for c, (name, _) in enumerate(form.column_keys) if name in names]
        return np.asarray(chosen, dtype=np.int64)

    integrality = np.asarray(form.integrality, dtype=np.uint8).copy()
    integrality[columns_of(*RELAXED_VARIABLES, "containers")] = 0
    cost = np.asarray(form.cost, dtype=float).copy()
    cost[columns_of(*SHARED_COPIES)] = 0.0  # priced by the multipliers alone
    qualify = tuple(
        str(s) for name, s in form.column_keys if name == "uses_supplier" and (s, sku) in one.offers
    )
    names = tuple(
        (name, key if isinstance(key, tuple) else (key,)) for name, key in form.column_keys
    )
    matrix = form.matrix.tocsc(copy=True)
    matrix.sort_indices()  # each column's rows in order, whichever build
    shipment = [(p[0], p[2], p[3]) for p in sku_pos]
    return SkuBlock(
        sku=sku,
        pos=tuple(sku_pos),
        po_index=np.asarray(po_index, dtype=np.int64),
        qty_col=np.asarray([col("order_qty", p) for p in sku_pos], dtype=np.int64),
        ship_col=np.asarray([col("shipment_used", sh) for sh in shipment], dtype=np.int64),
        box_col=np.asarray([col("containers", sh) for sh in shipment], dtype=np.int64),
        qualify_col=np.asarray([col("uses_supplier", s) for s in qualify], dtype=np.int64),
        qualify_suppliers=qualify,
        base_cost=cost,
        offset=float(form.offset),
        lower=np.asarray(form.lower, dtype=float),
        upper=np.asarray(form.upper, dtype=float),
        integrality=integrality,
        row_lower=np.asarray(form.row_lower, dtype=float),
        row_upper=np.asarray(form.row_upper, dtype=float),
        start=np.asarray(matrix.indptr, dtype=np.int32),
        index=np.asarray(matrix.indices, dtype=np.int32),
        value=np.asarray(matrix.data, dtype=float),
        names=names,
    )


def build_block_task(
    task: tuple[ModelData, np.ndarray], *, tier_choice: TierChoice, build: ModelBuild
) -> SkuBlock:
    """``build_block`` as a backend task (engine.parallel): (block data, PO places)."""
    one, po_index = task
    return build_block(one, po_index, tier_choice, build)


def solve_block(
    block: SkuBlock,
    cost: np.ndarray,
    limit: RunLimit,
    start: np.ndarray | None = None,
    mip_rel_gap: float = 1e-6,
) -> BlockOutcome:
    """Minimise ``cost`` (plus the block's constant) over the block within ``limit``, from
    ``start`` (a plan of the block) if given."""
    use_threads(1)
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    highs.passModel(_lp(block, cost))
    if start is not None:
        solution = highspy.HighsSolution()
        solution.col_value = list(start)
        solution.value_valid = True
        highs.setSolution(solution)
    highs.setOptionValue("time_limit", max(float(limit.seconds), 0.01))
    highs.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    work = limit.work
    if work.nodes is not None:
        highs.setOptionValue("mip_max_nodes", int(work.nodes))
    if work.checks is not None:
        highs.cbMipInterrupt.subscribe(_stop_at_check(work.checks))
    highs.run()
    status = highs.getModelStatus()
    info = highs.getInfo()
    solved = info.primal_solution_status == 2  # kSolutionStatusFeasible
    objective = _finite(info.objective_function_value) if solved else None
    integer = bool(block.integrality.any())
    bound = (
        _finite(info.mip_dual_bound)
        if integer
        else (objective if status == highspy.HighsModelStatus.kOptimal else None)
    )
    values = np.asarray(highs.getSolution().col_value, dtype=float) if solved else None
    return BlockOutcome(bound, objective, values, status == highspy.HighsModelStatus.kTimeLimit)


def solve_block_task(
    task: tuple[SkuBlock, np.ndarray, np.ndarray | None], *, limit: RunLimit
) -> BlockOutcome:
    """``solve_block`` as a backend task: (block, costs, start), the limit shared."""
    quiet_banner()  # a spawned process: no HiGHS banner on the terminal
    block, cost, start = task
    return solve_block(block, cost, limit, start)


def block_plan(block: SkuBlock, values: np.ndarray) -> VariableValues:
    """A block's solution as the variable values ``engine.models.heuristic.combine`` joins."""
    return {name: float(v) for name, v in zip(block.names, values, strict=True) if name[0]}


def _stop_at_check(max_checks: int) -> Callable[[object], None]:
    """Stop a MIP at HiGHS's ``max_checks``-th limit check (deterministic work)."""
    checks = [0]

    def watch(event: object) -> None:
        checks[0] += 1
        event.interrupt(checks[0] >= max_checks)  # type: ignore[attr-defined]

    return watch


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) and abs(value) < highspy.kHighsInf else None


def _lp(block: SkuBlock, cost: np.ndarray) -> highspy.HighsLp:
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = block.lower.size, block.row_lower.size
    lp.col_cost_ = cost
    lp.offset_ = block.offset
    lp.col_lower_, lp.col_upper_ = block.lower, block.upper
    lp.row_lower_, lp.row_upper_ = block.row_lower, block.row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = lp.num_col_, lp.num_row_
    lp.a_matrix_.start_ = block.start
    lp.a_matrix_.index_ = block.index
    lp.a_matrix_.value_ = block.value
    lp.integrality_ = [highspy.HighsVarType(int(i)) for i in block.integrality]
    return lp
