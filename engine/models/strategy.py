"""The solve strategy's knobs in one place, and the budget that turns them into run limits.

A solve (``engine.models.solve``) runs in stages (``SolveStage``). With a **work** budget
(the default) every HiGHS run of a stage is limited in deterministic work, never in seconds:

- ``nodes``: branch-and-bound nodes (HiGHS's ``mip_max_nodes``);
- ``checks``: HiGHS's limit checks, counted by its MIP interrupt callback. HiGHS checks its
  limits at fixed points of its search (the root node's cut rounds included, which no node
  limit bounds), so the count is the same on an idle or a busy machine;
- ``lp_iterations``: simplex iterations of an LP run (``simplex_iteration_limit``);
- a count of steps (fix-and-optimize re-plans).

HiGHS runs on one thread: its MIP search differs with the thread count (measured: 200 nodes
of dtc-brand end at 270,725 on one thread and 327,337 on two), so a result that must not
depend on the machine cannot use more. The cores go to the SKU-by-SKU first plans, each on its
own process with its own work limit, so the plans do not depend on the number of processes.

The time limit stays as an outer safety limit: a stage it ends is recorded
(``Budget.cut``) and reported, because from there on the plan depends on the machine.
A **time** budget (``BudgetMode.TIME``) gives the stages shares of the time limit instead
(``TimeShares``), the behaviour before work budgets.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from engine.plan_types import BudgetMode, SolveOptions, SolveStage


@dataclass(frozen=True)
class RunWork:
    """The work one HiGHS run may do (None: no limit of that kind)."""

    nodes: int | None = None
    checks: int | None = None
    lp_iterations: int | None = None
    restarts: bool = True
    """Whether HiGHS may restart its search from the root (presolve again, new cut rounds)
    when its search has fixed many integers (``mip_allow_restart``). Off for the re-plans of a
    few SKUs: there the restarts took up to a third of the time and no node limit counts them
    (docs/optimality.md, "The exact marginal cost's re-plans")."""

    def scaled(self, factor: float) -> RunWork:
        def scale(value: int | None) -> int | None:
            return None if value is None else max(1, math.ceil(value * factor))

        return RunWork(
            scale(self.nodes), scale(self.checks), scale(self.lp_iterations), self.restarts
        )


@dataclass(frozen=True)
class RunLimit:
    """The limits of one HiGHS run: its work and its seconds."""

    seconds: float
    work: RunWork = field(default_factory=RunWork)


@dataclass(frozen=True)
class TimeShares:
    """The stages' shares of the time limit in a TIME budget (each an end point or a cap as a
    share of the whole, or seconds)."""

    first_look: float = 0.05  # at most this share, and ``first_look_max_seconds``
    first_look_max_seconds: float = 2.0
    lp_bound: float = 0.15  # at most, for the LP relaxation after the first look
    sku_bounds: float = 0.05  # the per-SKU bounds end this share after the heuristic's end
    first_plans_end: float = 0.4  # the SKU-by-SKU first plans end here
    heuristic_end: float = 0.85  # and the fix-and-optimize rounds here
    polish_reserve: float = 0.1  # kept for polishing and proving
    min_run: float = 0.03  # the least a whole-model run gets
    polish_min_seconds: float = 5.0  # HiGHS's presolve of a large model alone takes seconds
    group_max_seconds: float = 5.0  # per SKU or pair re-planned
    min_step_seconds: float = 0.5
    retry_seconds: float = 2.0  # a SKU without a plan in its time gets once more, this long
    process_start_seconds: float = 3.0  # a fresh process imports Pyomo, HiGHS and SciPy
    check_grace_seconds: float = 5.0  # the combined plan's check may run past the heuristic


@dataclass(frozen=True)
class SolveStrategy:
    """Every stage's work (per HiGHS run unless said otherwise) and the time shares.

    Sized on dtc-brand on this project's 2-core machine; what each example takes is measured
    in docs/optimality.md ("Measured with work budgets")."""

    first_look: RunWork = RunWork(nodes=100, checks=12)
    first_look_max_columns: int = 20_000  # a larger model skips it (its root takes minutes)
    whole_search_max_columns: int = 100_000  # a larger model skips the whole model's search
    # for a better plan or bound (improve, proof): at bench size M (410,780 columns) the improve
    # stage's root node ran 12 minutes and raised the bound by 59 USD
    lp_bound: RunWork = RunWork(lp_iterations=200_000)
    support_plan: RunWork = RunWork(nodes=500, checks=100)  # over the LP's POs: first plan
    support_max_pos: int = 200  # POs the LP uses, at most, for that first plan
    sku_plan: RunWork = RunWork(nodes=500, checks=100)  # per SKU, first plans (else)
    sku_retry_factor: float = 3.0  # a SKU without a plan tries again with this much more
    fix_group: RunWork = RunWork(nodes=100, checks=25)  # per SKU or pair re-opened
    fix_max_groups: int = 8  # re-plans of SKUs or pairs, in all
    # at catalogue sizes (engine.models.neighbourhoods): groups of SKUs in small submodels
    neighbourhood_plan: RunWork = RunWork(nodes=200, checks=40)  # per submodel
    neighbourhood_max_skus: int = 6  # SKUs in one submodel, at most
    neighbourhood_max_groups: int = 120  # submodels, in all
    improve: RunWork = RunWork(nodes=20, checks=20)
    polish: RunWork = RunWork(nodes=500, checks=60)
    proof: RunWork = RunWork(nodes=10, checks=15)
    # a few SKUs re-planned from another plan, and the exact marginal cost's re-plans
    # (dtc-brand's 70/30 on SKL-10IN: not proven within 1,000 nodes, proven within 5,000)
    start_replan: RunWork = RunWork(nodes=1_000, restarts=False)
    marginal_replan: RunWork = RunWork(nodes=5_000, restarts=False)
    reference_columns: int = 10_000  # whole-model stages of a smaller model get more work,
    max_size_scale: float = 1000.0  # up to this factor (its nodes cost less): see Budget.sized
    min_size_scale: float = 0.3  # and of a larger one less, down to this factor
    plan_min_scale: float = 1.0  # the first plans and the polish: at least the default work
    sku_step_gap: float = 0.01  # a one-SKU plan within 1 %: the whole model improves it
    improve_gap: float = 0.002  # fix and optimize: a re-plan within this gap is done
    time: TimeShares = TimeShares()


DEFAULT_STRATEGY = SolveStrategy()


class Budget:
    """One solve's limits: each run's work (or, in a TIME budget, its share of the time), the
    outer safety deadline, and the stages that deadline cut."""

    def __init__(self, options: SolveOptions, strategy: SolveStrategy = DEFAULT_STRATEGY) -> None:
        self.options = options
        self.strategy = strategy
        self.started = time.perf_counter()
        self.total_seconds = options.time_limit_seconds
        self.deadline = self.started + self.total_seconds
        self.cut: list[SolveStage] = []
        self.size_scale = 1.0

    def sized(self, columns: int) -> None:
        """Scale the work of the whole-model stages of a model with ``columns`` columns by the
        square of ``reference_columns / columns`` (the budget was sized on dtc-brand's 9,361
        columns), within ``[min_size_scale, max_size_scale]``. A smaller model gets more (its
        nodes cost less and its search needs fewer: a small scenario is proven as it was with
        seconds); a larger one less (its root node's cut rounds cost more and move its
        bound little: midsize-portfolio's 29,877 columns spent 46 of 112 s improving neither
        plan nor bound by more than 1.3 points of gap, docs/optimality.md)."""
        strategy = self.strategy
        scale = (strategy.reference_columns / max(columns, 1)) ** 2
        self.size_scale = min(max(scale, strategy.min_size_scale), strategy.max_size_scale)

    @property
    def by_time(self) -> bool:
        return self.options.budget is BudgetMode.TIME

    def end(self, share: float | None) -> float:
        """The perf_counter time a stage ends: its share in a TIME budget, else the deadline."""
        if share is None or not self.by_time:
            return self.deadline
        return self.started + share * self.total_seconds

    def limit(
        self,
        work: RunWork,
        end_share: float | None = None,
        cap_seconds: float | None = None,
        runs_left: int = 1,
        floor_seconds: float = 0.0,
        min_scale: float = 0.0,
        whole_model: bool = False,
        shrinks: bool = False,
    ) -> RunLimit:
        """A run's limits. WORK: ``work`` (scaled) within the safety deadline (or
        ``floor_seconds``). TIME: the time to ``end_share`` over the ``runs_left`` runs still
        to share it, at most ``cap_seconds``, at least ``floor_seconds``. ``min_scale``: the
        least work scale (the stages that make a first plan: a plan beats none).
        ``whole_model``: a run of the whole model, given more work when the model is small
        (``sized``) and, with ``shrinks`` (a search of the whole model for a better bound or
        plan, not a first plan), less when it is large."""
        now = time.perf_counter()
        if not self.by_time:
            seconds = max(self.deadline - now, floor_seconds, 0.01)
            size = 1.0
            if whole_model:
                size = self.size_scale if shrinks else max(self.size_scale, 1.0)
            scale = max(self.options.work_scale, min_scale) * size
            return RunLimit(seconds, work.scaled(scale))
        seconds = (self.end(end_share) - now) / max(runs_left, 1)
        if cap_seconds is not None:
            seconds = min(seconds, cap_seconds)
        return RunLimit(max(seconds, floor_seconds, 0.01))

    def open(self, end_share: float | None = None) -> bool:
        """Whether a stage ending at ``end_share`` (TIME) or the deadline may go on."""
        return time.perf_counter() < self.end(end_share)

    def room_for(self, share: float) -> bool:
        """Whether a last run may start: before the deadline (WORK), or with at least
        ``share`` of the time limit left (TIME)."""
        left = self.deadline - time.perf_counter()
        return left >= share * self.total_seconds if self.by_time else left > 0

    def note_cut(self, stage: SolveStage) -> None:
        """Record that the safety limit (not the work budget) ended ``stage``."""
        if not self.by_time and stage not in self.cut:
            self.cut.append(stage)

    def steps(self, count: int) -> int | None:
        """A count of steps scaled by the work scale (None, no count, in a TIME budget)."""
        return None if self.by_time else max(1, math.ceil(count * self.options.work_scale))
