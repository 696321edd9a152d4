"""The decomposition by SKU at a bench size: its blocks built by each build, and its bound.

``python -m bench.decomposition --size M --workers 2 --iterations 1 --nodes 100 --checks 10``

In one run, on the seeded scenario of the size (``bench.sizes``): the scenario's model data
(``build_model_data``), every SKU's block built with the fast build (``engine.models.matrix``)
in this process (as ``lagrangian_bound`` builds them) and on the backend, and with the Pyomo
model on the backend (the baseline: as the blocks were built before), a check that every way
gives the same arrays, then the Lagrangian bound (``lagrangian_bound``, its blocks solved on
the backend) from the fast blocks and from the Pyomo blocks with the same work; with
``--repair-nodes``, the last step's joined plan checked by the independent checker as it is
and after ``repair_by_sku``, with its gap to the bound. The bound's
total time is its blocks' build plus its iterations; both bounds must be identical (the same
matrices, the same work). A reduced work (``--iterations``, ``--nodes``, ``--checks``) keeps a
run at M within minutes: each iteration at M solves 500 blocks. Prints one line per figure,
with the machine's load.
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter
from dataclasses import fields

import numpy as np

from bench.sizes import SIZES
from engine.checker import check_plan
from engine.models.data import ModelData, build_model_data
from engine.models.decomposition import (
    DecompositionWork,
    LagrangianBound,
    build_blocks,
    lagrangian_bound,
)
from engine.models.decomposition.blocks import SkuBlock
from engine.models.decomposition.plans import purchase_orders
from engine.models.decomposition.repair import repair_by_sku
from engine.models.matrix.choice import ModelBuild
from engine.models.session import quiet_banner
from engine.models.strategy import RunLimit, RunWork
from engine.parallel import Backend, ProcessBackend, SerialBackend
from engine.plan_types import TierChoice
from engine.scenario.schema import Scenario

SAFETY_SECONDS = 7_200.0  # the bound's wall-clock safety limit: far above a run's time


def same_blocks(first: list[SkuBlock], second: list[SkuBlock]) -> bool:
    """Every block's arrays and fields equal, bit for bit."""
    if len(first) != len(second):
        return False
    for a, b in zip(first, second, strict=True):
        for f in fields(SkuBlock):
            x, y = getattr(a, f.name), getattr(b, f.name)
            same = np.array_equal(x, y) if isinstance(x, np.ndarray) else x == y
            if not same:
                return False
    return True


def _load() -> str:
    return "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg())


def _say(text: str) -> None:
    print(f"[bench decomposition] {text}", flush=True)


def repair_rows(
    scenario: Scenario, data: ModelData, result: LagrangianBound, per_sku: RunWork
) -> None:
    """The last step's joined plan checked as it is (the baseline) and after
    ``repair_by_sku`` (each SKU's run within ``per_sku``), by the independent checker."""
    assert result.bound is not None and result.plans
    joined = result.plans[-1]
    before = check_plan(scenario, purchase_orders(data, joined))
    _say(
        f"joined plan, as it is: {len(before.violations)} violations "
        f"{dict(Counter(v.constraint for v in before.violations))}, "
        f"cost {before.total_cost:,.0f} USD"
    )
    started = time.perf_counter()
    repaired = repair_by_sku(
        data, joined, TierChoice.PER_PO, RunLimit(SAFETY_SECONDS, per_sku), on_step=_say
    )
    seconds = time.perf_counter() - started
    if repaired.plan is None:
        _say(f"repair: no plan ({seconds:.1f} s): SKU {repaired.failed} has none")
        return
    after = check_plan(scenario, purchase_orders(data, repaired.plan))
    gap = (after.total_cost - result.bound) / after.total_cost
    _say(
        f"repaired plan: {len(after.violations)} violations "
        f"{dict(Counter(v.constraint for v in after.violations))}, cost "
        f"{after.total_cost:,.0f} USD, gap to the bound {gap:.2%}, {seconds:.1f} s "
        f"({repaired.kept} SKUs kept their POs, {repaired.replanned} re-planned), "
        f"time-limited {repaired.time_limited}, {_load()}"
    )


def run(
    size: str,
    workers: int,
    work: DecompositionWork,
    bounds: bool,
    repair: RunWork | None,
    baseline: bool = True,
) -> None:
    scenario = SIZES[size].scenario()
    _say(f"size {size}, {workers} worker(s), {_load()}")
    started = time.perf_counter()
    data = build_model_data(scenario)
    _say(f"build_model_data: {time.perf_counter() - started:.2f} s, {len(data.pos):,} POs")
    backend: Backend = (
        ProcessBackend(workers, start_method="spawn") if workers > 1 else SerialBackend()
    )
    before, after = "Pyomo on the backend", "fast in this process"
    ways: dict[str, tuple[ModelBuild, Backend | None]] = {
        after: (ModelBuild.MATRIX, None),  # as lagrangian_bound builds them now
        "fast on the backend": (ModelBuild.MATRIX, backend),
        before: (ModelBuild.PYOMO, backend),  # as it built them before
    }
    if not baseline:
        ways = {after: ways[after]}
    built: dict[str, tuple[list[SkuBlock], float]] = {}
    with backend:
        for way, (build, where) in ways.items():
            started = time.perf_counter()
            blocks = build_blocks(data, TierChoice.PER_PO, where, build)
            seconds = time.perf_counter() - started
            built[way] = (blocks, seconds)
            _say(f"{len(blocks)} blocks built, {way}: {seconds:.1f} s, {_load()}")
        same = all(same_blocks(built[after][0], blocks) for blocks, _ in built.values())
        _say(f"same blocks every way: {same}")
        if baseline:
            ratio = built[before][1] / max(built[after][1], 1e-9)
            _say(
                f"block build: {after} {built[after][1]:.1f} s, {before} "
                f"{built[before][1]:.1f} s ({ratio:.1f}x)"
            )
        if not bounds:
            return
        results = {}
        for way in [w for w in (after, before) if w in built]:
            blocks, build_seconds = built[way]
            result = lagrangian_bound(
                data,
                TierChoice.PER_PO,
                work=work,
                backend=backend,
                blocks=blocks,
                safety_seconds=SAFETY_SECONDS,
            )
            results[way] = result
            _say(
                f"bound, blocks {way}: {result.bound:,.2f} USD, iterations "
                f"{result.seconds:.1f} s, total with the blocks' build "
                f"{build_seconds + result.seconds:.1f} s, time-limited {result.time_limited}, "
                f"{_load()}"
            )
        if baseline:
            same = results[before].history == results[after].history
            _say(f"identical bounds: {same}")
    if repair is not None:
        repair_rows(scenario, data, results[after], repair)


def main() -> None:
    quiet_banner()  # the repair runs HiGHS in this process: no banner among the figures
    parser = argparse.ArgumentParser(prog="python -m bench.decomposition", description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="M")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--iterations", type=int, default=1)
    parser.add_argument("--nodes", type=int, default=100)
    parser.add_argument("--checks", type=int, default=10)
    parser.add_argument("--no-bound", action="store_true", help="the blocks' build only")
    parser.add_argument(
        "--no-baseline", action="store_true", help="the fast build only (no Pyomo blocks)"
    )
    parser.add_argument(
        "--repair-nodes",
        type=int,
        default=None,
        help="also repair the joined plan SKU by SKU, each SKU's run within this many nodes",
    )
    args = parser.parse_args()
    work = DecompositionWork(
        iterations=args.iterations, block=RunWork(nodes=args.nodes, checks=args.checks)
    )
    repair = None if args.repair_nodes is None else RunWork(nodes=args.repair_nodes, checks=30)
    run(args.size, args.workers, work, not args.no_bound, repair, not args.no_baseline)


if __name__ == "__main__":
    main()
