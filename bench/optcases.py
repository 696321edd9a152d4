"""The optimizer benchmark's cases, each run in its own process by ``bench.isolate``.

* ``build_stages``: generate the scenario, then time its ``ModelData``, its Pyomo model and its
  translation into HiGHS (``HighsSession``) one by one; save the translated HiGHS matrix as
  NumPy arrays (``.npz``) for the baseline; then time the fast build (``MatrixModel``) and its
  ``passModel``, and check that HiGHS holds the same matrix from it.
* ``direct_highs``: the baseline. Load those arrays and build the same matrix in a fresh
  ``highspy.Highs`` straight from them (``passModel`` with NumPy arrays: the floor of any
  builder), best of a few; then solve it with plain HiGHS under the same time limit, gap and
  threads (no relaxation, no decomposition).
* ``optimize_case``: ``engine.models.optimize`` on the scenario, as a user runs it, with the
  translation inside it timed (``HighsSession`` in ``engine.models.solve`` wrapped; the engine
  itself is unchanged).

Each returns plain numbers; scenario generation is timed apart and never counted as build.
"""

from __future__ import annotations

import math
import re
import time
from typing import Any

import highspy
import numpy as np

import engine.models.solve as solve_module
from engine.checker import check_plan
from engine.models import optimize
from engine.models.build import build_model
from engine.models.data import build_model_data
from engine.models.matrix.model import MatrixModel
from engine.models.session import HighsSession
from engine.parallel import Backend, DaskBackend
from engine.plan_types import SolveOptions, TierChoice
from engine.scenario.generate import generate_scenario
from engine.scenario.schema import Scenario

__all__ = ["build_stages", "direct_highs", "lp_arrays", "optimize_case", "pass_arrays"]

PLAN_STEP = re.compile(r"plan costs|: plan [0-9]")
"""A solve's step that reports a plan's cost (engine.models.solve's progress)."""


def _scenario(
    skus: int,
    suppliers: int,
    modes: int,
    periods: int,
    offers_per_sku: list[int],
    tiers: int,
    seed: int,
) -> Scenario:
    return generate_scenario(
        skus=skus,
        suppliers=suppliers,
        modes=modes,
        periods=periods,
        offers_per_sku=(int(offers_per_sku[0]), int(offers_per_sku[1])),
        tiers=tiers,
        seed=seed,
    )


def lp_arrays(highs: highspy.Highs) -> dict[str, np.ndarray | np.generic]:
    """The model a ``highspy.Highs`` holds, as NumPy arrays (``getLp``)."""
    lp = highs.getLp()
    matrix = lp.a_matrix_
    integrality = np.fromiter((int(v) for v in lp.integrality_), dtype=np.int32)
    if integrality.size == 0:
        integrality = np.zeros(lp.num_col_, dtype=np.int32)
    return {
        "num_col": np.int64(lp.num_col_),
        "num_row": np.int64(lp.num_row_),
        "a_format": np.int64(int(matrix.format_)),
        "sense": np.int64(int(lp.sense_)),
        "offset": np.float64(lp.offset_),
        "col_cost": np.asarray(lp.col_cost_, dtype=np.float64),
        "col_lower": np.asarray(lp.col_lower_, dtype=np.float64),
        "col_upper": np.asarray(lp.col_upper_, dtype=np.float64),
        "row_lower": np.asarray(lp.row_lower_, dtype=np.float64),
        "row_upper": np.asarray(lp.row_upper_, dtype=np.float64),
        "a_start": np.asarray(matrix.start_, dtype=np.int32),
        "a_index": np.asarray(matrix.index_, dtype=np.int32),
        "a_value": np.asarray(matrix.value_, dtype=np.float64),
        "integrality": integrality,
    }


def pass_arrays(arrays: dict[str, np.ndarray]) -> highspy.Highs:
    """A fresh ``highspy.Highs`` holding the matrix of ``arrays`` (one ``passModel``)."""
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    status = highs.passModel(
        int(arrays["num_col"]),
        int(arrays["num_row"]),
        int(arrays["a_value"].size),
        int(arrays["a_format"]),
        int(arrays["sense"]),
        float(arrays["offset"]),
        arrays["col_cost"],
        arrays["col_lower"],
        arrays["col_upper"],
        arrays["row_lower"],
        arrays["row_upper"],
        arrays["a_start"],
        arrays["a_index"],
        arrays["a_value"],
        arrays["integrality"],
    )
    if status == highspy.HighsStatus.kError:
        raise RuntimeError("highspy passModel refused the matrix")
    return highs


def build_stages(
    skus: int,
    suppliers: int,
    modes: int,
    periods: int,
    offers_per_sku: list[int],
    tiers: int,
    seed: int,
    tier_choice: str,
    matrix_path: str,
) -> dict[str, Any]:
    """Time ModelData, the Pyomo model and the translation into HiGHS; save the matrix.

    Returns:
        ``generate_seconds``, ``data_seconds``, ``pyomo_seconds``, ``translation_seconds``,
        ``save_seconds``, ``fast_build_seconds``, ``fast_pass_seconds``,
        ``fast_matrix_identical`` (1.0: HiGHS holds the same arrays from both builds) and the
        matrix's ``rows``, ``columns``, ``nonzeros`` and ``integer_columns``.
    """
    started = time.perf_counter()
    scenario = _scenario(skus, suppliers, modes, periods, offers_per_sku, tiers, seed)
    generated = time.perf_counter()
    data = build_model_data(scenario)
    data_done = time.perf_counter()
    model = build_model(data, TierChoice(tier_choice))
    pyomo_done = time.perf_counter()
    session = HighsSession(model, threads=1)
    translated = time.perf_counter()
    arrays = lp_arrays(session.highs)
    np.savez(matrix_path, allow_pickle=False, **arrays)
    saved = time.perf_counter()
    del session, model  # one model in memory at a time
    fast_started = time.perf_counter()
    fast_model = MatrixModel(data, TierChoice(tier_choice))
    fast_built = time.perf_counter()
    fast_session = HighsSession(fast_model, threads=1)
    fast_passed = time.perf_counter()
    fast_arrays = lp_arrays(fast_session.highs)
    return {
        "scenario": scenario.name,
        "generate_seconds": generated - started,
        "data_seconds": data_done - generated,
        "pyomo_seconds": pyomo_done - data_done,
        "translation_seconds": translated - pyomo_done,
        "save_seconds": saved - translated,
        "fast_build_seconds": fast_built - fast_started,
        "fast_pass_seconds": fast_passed - fast_built,
        "fast_matrix_identical": float(
            all(np.array_equal(arrays[key], fast_arrays[key]) for key in arrays)
        ),
        "rows": int(arrays["num_row"]),
        "columns": int(arrays["num_col"]),
        "nonzeros": int(arrays["a_value"].size),
        "integer_columns": int(np.count_nonzero(arrays["integrality"])),
    }


def _relative_gap(objective: float | None, bound: float | None) -> float | None:
    """As the engine reports it: |objective - bound| / |objective|."""
    if objective is None or bound is None:
        return None
    return abs(objective - min(bound, objective)) / max(abs(objective), 1e-9)


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) and abs(value) < highspy.kHighsInf else None


def direct_highs(
    matrix_path: str, time_limit_seconds: float, mip_rel_gap: float, threads: int, repeats: int
) -> dict[str, Any]:
    """The baseline: build the saved matrix straight into highspy (best of ``repeats``), then
    solve it with plain HiGHS.

    Returns:
        ``build_seconds`` (best), ``build_seconds_all``, the model's ``rows``, ``columns``,
        ``nonzeros``, ``integer_columns`` as HiGHS holds them, and the solve's ``status``,
        ``objective``, ``best_bound``, ``gap`` and ``solve_seconds``.
    """
    with np.load(matrix_path) as saved:
        arrays = {name: saved[name] for name in saved.files}
    times: list[float] = []
    highs: highspy.Highs | None = None
    for _ in range(max(1, repeats)):
        highs = None  # one model at a time
        started = time.perf_counter()
        highs = pass_arrays(arrays)
        times.append(time.perf_counter() - started)
    assert highs is not None
    lp = highs.getLp()
    integer_columns = sum(1 for v in lp.integrality_ if int(v) != 0)
    highs.setOptionValue("time_limit", float(time_limit_seconds))
    highs.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    highs.setOptionValue("threads", int(threads))
    started = time.perf_counter()
    highs.run()
    solve_seconds = time.perf_counter() - started
    info = highs.getInfo()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    objective = _finite(info.objective_function_value) if has_solution else None
    bound = _finite(info.mip_dual_bound)
    return {
        "build_seconds": min(times),
        "build_seconds_all": times,
        "rows": highs.getNumRow(),
        "columns": highs.getNumCol(),
        "nonzeros": highs.getNumNz(),
        "integer_columns": integer_columns,
        "status": highs.modelStatusToString(highs.getModelStatus()),
        "objective": objective,
        "best_bound": bound,
        "gap": _relative_gap(objective, bound),
        "solve_seconds": solve_seconds,
    }


def optimize_case(
    skus: int,
    suppliers: int,
    modes: int,
    periods: int,
    offers_per_sku: list[int],
    tiers: int,
    seed: int,
    tier_choice: str,
    time_limit_seconds: float,
    mip_rel_gap: float,
    threads: int,
    dask_workers: int = 0,
) -> dict[str, Any]:
    """``engine.models.optimize`` as a user runs it, timed from the scenario to the result,
    its SKU subproblems on ``threads`` local processes or, with ``dask_workers``, on a Dask
    LocalCluster of that many single-threaded workers (started before the clock).

    Returns:
        ``status``, ``objective``, ``best_bound``, ``gap``, ``bound_source``,
        ``cut_by_time_limit`` (the stages the safety limit ended); ``total_seconds`` (the
        call), ``first_plan_seconds`` (the first step that reports a plan's cost: a plan of
        the relaxation, polished at the end), ``build_seconds`` (data + model, as ``optimize``
        reports it), ``translation_seconds`` (the ``HighsSession`` of the whole model, NaN if
        the engine no longer makes one where this case looks) and ``solve_seconds`` (as
        ``optimize`` reports it: translation included); ``checker_violations`` and
        ``checker_cost`` (the independent checker on the plan), ``checker_seconds``.
    """
    scenario = _scenario(skus, suppliers, modes, periods, offers_per_sku, tiers, seed)
    options = SolveOptions(
        time_limit_seconds=time_limit_seconds,
        mip_rel_gap=mip_rel_gap,
        threads=threads,
        tier_choice=TierChoice(tier_choice),
    )
    if not dask_workers:
        return _optimize_timed(scenario, options, None)
    import distributed

    with (
        distributed.LocalCluster(
            n_workers=dask_workers, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster, set_as_default=False) as client,
    ):
        return _optimize_timed(scenario, options, DaskBackend(client=client))


def _optimize_timed(
    scenario: Scenario, options: SolveOptions, backend: Backend | None
) -> dict[str, Any]:
    translations: list[float] = []
    original = solve_module.HighsSession

    class TimedSession(original):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            started = time.perf_counter()
            super().__init__(*args, **kwargs)
            translations.append(time.perf_counter() - started)

    first_plan: list[float] = []

    def heard(step: str) -> None:
        if not first_plan and PLAN_STEP.search(step):
            first_plan.append(time.perf_counter() - started)

    solve_module.HighsSession = TimedSession  # type: ignore[misc]  # timed for the benchmark
    try:
        started = time.perf_counter()
        result = optimize(scenario, options, heard, backend=backend)
        total = time.perf_counter() - started
    finally:
        solve_module.HighsSession = original  # type: ignore[misc]  # restored
    checked = time.perf_counter()
    check = check_plan(scenario, result.purchase_orders) if result.has_plan else None
    return {
        "scenario": scenario.name,
        "status": result.status.value,
        "objective": result.objective,
        "best_bound": result.best_bound,
        "gap": result.gap,
        "total_seconds": total,
        "build_seconds": result.build_seconds,
        "translation_seconds": translations[0] if translations else math.nan,
        "translations": len(translations),
        "solve_seconds": result.solve_seconds,
        "purchase_orders": len(result.purchase_orders),
        "first_plan_seconds": first_plan[0] if first_plan else math.nan,
        "bound_source": "" if result.bound_source is None else result.bound_source.value,
        "cut_by_time_limit": ", ".join(stage.value for stage in result.cut_by_time_limit),
        "checker_violations": math.nan if check is None else len(check.violations),
        "checker_cost": math.nan if check is None else check.total_cost,
        "checker_seconds": time.perf_counter() - checked,
    }
