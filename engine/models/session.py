"""One HiGHS instance holding a built model, re-solved many times without rebuilding.

The model is either the fast build (``engine.models.matrix.model.MatrixModel``: the matrix
straight from the data with NumPy) or a Pyomo model, which Pyomo compiles to a sparse matrix
(``engine.models.matrix.pyomo_form``); both give the same matrix, columns in the same order,
and it goes to HiGHS in one ``passModel``. Columns are addressed by (variable name, index).
The decomposition heuristic then works on that instance directly: it fixes columns, relaxes
integrality, hands HiGHS a start and re-solves, which costs milliseconds instead of a rebuild.
Nothing here leaves ``engine.models``: callers get plain numbers and arrays.
"""

from __future__ import annotations

import ctypes
import itertools
import math
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.core.base.var import VarData

from engine import cancel
from engine.models.matrix.assembly import LinearForm
from engine.models.matrix.model import MatrixModel
from engine.models.matrix.pyomo_form import pyomo_form, variable_key
from engine.models.strategy import RunLimit

PROGRESS_EVERY_SECONDS = 2.0

_scheduler_lock = threading.Lock()
_scheduler_threads: list[int] = []  # the thread count HiGHS's global scheduler was made with


def use_threads(threads: int) -> None:
    """Let the next HiGHS runs of this process use ``threads``.

    HiGHS starts one scheduler per process with the thread count of its first run and refuses
    (an error, no plan) any later run that asks for another count, so a change of thread
    count (a second solve with other settings, in the app or the API) resets the scheduler
    first. Runs of one process that overlap must use the same count.
    """
    with _scheduler_lock:
        if _scheduler_threads and _scheduler_threads[0] != threads:
            highspy.Highs.resetGlobalScheduler(True)
            _scheduler_threads.clear()
        if not _scheduler_threads:
            _scheduler_threads.append(threads)


@dataclass(frozen=True)
class RunOutcome:
    """What one HiGHS run ended with."""

    model_status: highspy.HighsModelStatus
    objective: float | None  # of the best plan HiGHS holds, None if none
    best_bound: float | None
    seconds: float

    @property
    def time_limited(self) -> bool:
        """Ended by its seconds (not by its work, its gap or a proof)."""
        return self.model_status == highspy.HighsModelStatus.kTimeLimit

    @property
    def has_solution(self) -> bool:
        return self.objective is not None

    @property
    def infeasible(self) -> bool:
        return self.model_status in (
            highspy.HighsModelStatus.kInfeasible,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        )

    @property
    def proven(self) -> bool:
        """Solved to the requested gap (or to optimality)."""
        return self.model_status == highspy.HighsModelStatus.kOptimal  # pybind enums: not `is`


class HighsSession:
    """The model's columns in one HiGHS instance, addressable by (variable name, index)."""

    def __init__(self, model: pyo.ConcreteModel | MatrixModel, threads: int) -> None:
        self._variables: list[VarData] | None = None
        if isinstance(model, MatrixModel):
            form = model.form
        else:  # variables fixed in Pyomo have no column
            form, self._variables = pyomo_form(model)
        self._families: dict[str, tuple[list, np.ndarray]] = {}
        self._column_of: dict[tuple[str, object], int] | None = None
        names = [name for name, _ in form.column_keys]
        for start, end in _runs(names):
            keys = [key for _, key in form.column_keys[start:end]]
            self._families[names[start]] = (keys, np.arange(start, end, dtype=np.int32))
        self.lower, self.upper = form.lower, form.upper
        self.integrality = form.integrality
        self.base_integrality = self.integrality.copy()  # what ``reset`` returns to
        self._integer_now = self.integrality.copy()  # integrality HiGHS holds now
        self.model = model
        self.form = form
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("threads", threads)
        self.threads = threads
        pass_form(self.highs, form)

    # ------------------------------------------------------------------ columns

    def column_at(self, name: str, index: object) -> int | None:
        """The column of variable ``name`` at ``index`` (None: no such column, or fixed)."""
        if self._column_of is None:
            self._column_of = {
                (name, key): int(c)
                for name, (keys, columns) in self._families.items()
                for key, c in zip(keys, columns, strict=True)
            }
        return self._column_of.get((name, index))

    def column(self, var: VarData) -> int | None:
        """The HiGHS column of a Pyomo variable (None for a variable fixed in Pyomo)."""
        return self.column_at(*variable_key(var))

    def family(self, name: str) -> tuple[list, np.ndarray]:
        """The indices and columns of variable ``name`` (empty if the model has none)."""
        return self._families.get(name, ([], np.zeros(0, dtype=np.int32)))

    def columns_by_sku(self, *names: str) -> dict[str, np.ndarray]:
        """The columns of the named variables, by SKU (index position 1 of each), sorted."""
        by_sku: dict[str, list[int]] = {}
        for name in names:
            keys, columns = self.family(name)
            for index, column in zip(keys, columns.tolist(), strict=True):
                by_sku.setdefault(index[1], []).append(column)
        return {k: np.asarray(sorted(set(cs)), dtype=np.int32) for k, cs in by_sku.items()}

    def columns_of(self, *names: str) -> np.ndarray:
        """The columns of the named variables (those the model has)."""
        parts = [self.family(name)[1] for name in names]
        return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int32)

    @property
    def integer_columns(self) -> np.ndarray:
        """Columns integer in the base state (see ``set_base``)."""
        return np.flatnonzero(self.base_integrality != 0).astype(np.int32)

    def set_base(self, relaxed: np.ndarray) -> None:
        """The state ``reset`` returns to: the model's integrality less ``relaxed`` columns."""
        self.base_integrality = self.integrality.copy()
        self.base_integrality[relaxed] = 0
        self.reset()

    def reset(self) -> None:
        """Every column back to its own bounds and the base integrality."""
        n = self.highs.getNumCol()
        every = np.arange(n, dtype=np.int32)
        self.highs.changeColsBounds(n, every, self.lower, self.upper)
        self.highs.changeColsIntegrality(n, every, self.base_integrality)
        self._integer_now = self.base_integrality.copy()

    def fix(self, columns: np.ndarray, values: np.ndarray) -> None:
        """Fix integer columns at (rounded) values."""
        if columns.size == 0:
            return
        rounded = np.clip(np.round(values[columns]), self.lower[columns], self.upper[columns])
        self.highs.changeColsBounds(columns.size, columns, rounded, rounded)

    def relax(self, columns: np.ndarray) -> None:
        """Drop integrality of columns (their bounds stay)."""
        if columns.size == 0:
            return
        self.highs.changeColsIntegrality(
            columns.size, columns, np.zeros(columns.size, dtype=np.uint8)
        )
        self._integer_now[columns] = 0

    # ------------------------------------------------------------------ solving

    def run(
        self,
        limit: RunLimit | float,
        mip_rel_gap: float,
        start: np.ndarray | None = None,
        on_progress: Callable[[float | None, float | None], None] | None = None,
    ) -> RunOutcome:
        """Solve what the instance holds now within ``limit`` (its work and seconds; a number:
        seconds only), from ``start`` if given (a full plan). ``on_progress`` hears the best
        plan's cost and the best bound while a MIP runs (every ``PROGRESS_EVERY_SECONDS`` at
        most; either may be None)."""
        highs = self.highs
        use_threads(self.threads)
        if not isinstance(limit, RunLimit):
            limit = RunLimit(float(limit))
        seconds = max(float(limit.seconds), 0.01)
        if not self._integer_now.any():
            # HiGHS holds an LP to the instance's run time so far, a MIP to its own (HiGHS
            # issue 1477, until HiGHS 2.0): an LP after earlier runs gets its seconds too
            seconds += highs.getRunTime()
        highs.setOptionValue("time_limit", seconds)
        highs.setOptionValue("mip_rel_gap", float(mip_rel_gap))
        work = limit.work
        highs.setOptionValue("mip_max_nodes", _int_limit(work.nodes))
        highs.setOptionValue("simplex_iteration_limit", _int_limit(work.lp_iterations))
        highs.setOptionValue("mip_allow_restart", work.restarts)
        if start is not None:
            solution = highspy.HighsSolution()
            solution.col_value = list(start)
            solution.value_valid = True
            highs.setSolution(solution)
        started = time.perf_counter()
        if on_progress is None and work.checks is None and not cancel.active():
            highs.run()
        else:
            watch = _mip_watch(on_progress, work.checks)
            highs.cbMipInterrupt.subscribe(watch)
            try:
                highs.run()
            finally:
                highs.cbMipInterrupt.unsubscribe(watch)
        seconds = time.perf_counter() - started
        status = highs.getModelStatus()
        info = highs.getInfo()
        has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
        objective = _finite(info.objective_function_value) if has_solution else None
        # a pure LP has no MIP bound (HiGHS reports 0): its optimum is its bound
        bound = _finite(info.mip_dual_bound) if self._integer_now.any() else objective
        return RunOutcome(status, objective, bound, seconds)

    def solution(self) -> np.ndarray:
        return np.asarray(self.highs.getSolution().col_value, dtype=float)

    def vector(self, values: dict[tuple[str, tuple], float]) -> np.ndarray:
        """Column values from values keyed by (variable name, index); missing ones are 0."""
        vector = np.zeros(self.highs.getNumCol(), dtype=float)
        for name, (keys, columns) in self._families.items():
            for key, column in zip(keys, columns, strict=True):
                vector[column] = values.get((name, key if isinstance(key, tuple) else (key,)), 0.0)
        return vector

    def values(self, vector: np.ndarray) -> dict[tuple[str, tuple], float]:
        """Column values keyed by (variable name, index), ``vector``'s reverse."""
        return {
            (name, key if isinstance(key, tuple) else (key,)): float(vector[column])
            for name, (keys, columns) in self._families.items()
            for key, column in zip(keys, columns, strict=True)
        }

    def complete(self, vector: np.ndarray, limit: RunLimit | float) -> RunOutcome:
        """Keep the integer columns of ``vector`` and solve for the rest (one LP)."""
        self.fix(self.integer_columns, vector)
        return self.run(limit, 1e-9)

    def cost_if_feasible(self, vector: np.ndarray, tolerance: float = 1e-6) -> float | None:
        """The cost of a complete plan ``vector`` (a value for every column) if it meets the
        model's bounds, rows and base integrality (``set_base``) within ``tolerance`` (of
        each bound's size, at least 1), else None: a check of a plan without a solve."""
        form = self.form

        def within(x: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> bool:
            with np.errstate(invalid="ignore"):  # infinite bounds: inf - inf
                low = lower - tolerance * np.maximum(np.abs(lower), 1.0)
                high = upper + tolerance * np.maximum(np.abs(upper), 1.0)
            return bool(np.all(x >= low) and np.all(x <= high))

        integer = vector[self.base_integrality != 0]
        if not within(vector, self.lower, self.upper) or np.any(
            np.abs(integer - np.round(integer)) > tolerance
        ):
            return None
        if not within(form.matrix @ vector, form.row_lower, form.row_upper):
            return None
        return float(form.cost @ vector + form.offset)

    def load(self, values: np.ndarray) -> None:
        """Write a plan's column values into the model (its Pyomo variables, or the fast
        build's plan values)."""
        if isinstance(self.model, MatrixModel):
            self.model.load(values)
            return
        for var, value in zip(self._variables or [], values, strict=True):
            var.set_value(float(value), skip_validation=True)


def _runs(names: list[str]) -> list[tuple[int, int]]:
    """(start, end) of each run of equal names (a variable's columns are contiguous)."""
    if not names:
        return []
    edges = [0, *[i for i in range(1, len(names)) if names[i] != names[i - 1]], len(names)]
    return list(itertools.pairwise(edges))


def _mip_watch(
    on_progress: Callable[[float | None, float | None], None] | None,
    max_checks: int | None,
) -> Callable[[object], None]:
    """A HiGHS MIP interrupt callback. HiGHS calls it each time it checks its limits (a few
    times a second, at fixed points of its search): it stops the run at the ``max_checks``-th
    call (deterministic work, unlike seconds) and passes on the plan's cost and the bound to
    ``on_progress``, at most every ``PROGRESS_EVERY_SECONDS`` (this timing only paces the
    messages; it decides nothing)."""
    last = [time.perf_counter()]
    checks = [0]
    cancelled = cancel.flag()  # read here: HiGHS may call back from its own threads

    def watch(event: object) -> None:
        checks[0] += 1
        # HiGHS keeps the flag from an instance's last interrupted run: set it every time
        # (and a cancelled job's run ends at the next check: engine.cancel)
        stop = (max_checks is not None and checks[0] >= max_checks) or cancelled()
        event.interrupt(stop)  # type: ignore[attr-defined]
        now = time.perf_counter()
        if on_progress is not None and now - last[0] >= PROGRESS_EVERY_SECONDS:
            last[0] = now
            out = event.data_out  # type: ignore[attr-defined]
            on_progress(_finite(out.mip_primal_bound), _finite(out.mip_dual_bound))

    return watch


_BANNER = {"quiet": False}


def quiet_banner() -> None:
    """Keep HiGHS's banner off the terminal: HiGHS prints it once per process, when the first
    instance is made, so one is made here with the process's stdout (file descriptor 1, which
    HiGHS writes to) pointed at /dev/null. Forked processes inherit the silence; spawned ones
    (the first plans by SKU, the decomposition's blocks) call this in their tasks."""
    if _BANNER["quiet"]:
        return
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            highspy.Highs()
            ctypes.CDLL(None).fflush(None)  # C's buffered stdout, before it is restored
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    _BANNER["quiet"] = True


def _int_limit(value: int | None) -> int:
    """A HiGHS integer limit: ``value``, or none (HiGHS's largest int) for None."""
    return highspy.kHighsIInf if value is None else int(value)


def _finite(value: float | None) -> float | None:
    if value is None or not math.isfinite(value) or abs(value) >= highspy.kHighsInf:
        return None
    return float(value)


def pass_form(highs: highspy.Highs, form: LinearForm) -> None:
    """Hand HiGHS the form in one ``passModel`` of NumPy arrays (kHighsInf is inf; the
    constant goes to the objective offset)."""
    matrix = form.matrix
    status = highs.passModel(
        matrix.shape[1],
        matrix.shape[0],
        matrix.nnz,
        int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMinimize),
        form.offset,
        form.cost,
        form.lower,
        form.upper,
        form.row_lower,
        form.row_upper,
        matrix.indptr.astype(np.int32),
        matrix.indices.astype(np.int32),
        matrix.data,
        form.integrality.astype(np.int32),
    )
    if status == highspy.HighsStatus.kError:
        raise RuntimeError("HiGHS refused the model's matrix")
