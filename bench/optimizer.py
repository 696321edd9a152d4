"""Benchmark section ``optimizer``: build and solve the sourcing MILP at sizes S, M and L.

For each size (``bench.sizes``; the seeded generator's scenario) three cases run, each in its
own process (``bench.optcases`` through ``bench.isolate``):

1. **build stages**: ``build_model_data``, ``build_model`` (Pyomo) and the translation into
   HiGHS (``HighsSession(model, threads=1)``), timed one by one; the translated matrix is
   saved as NumPy arrays; then the fast build (``engine.models.matrix``, the build the solve
   uses) and its ``passModel``, beside the Pyomo build of the same run, with a check that
   HiGHS holds the same matrix from both;
2. **baseline**: the same matrix built directly into a fresh ``highspy.Highs`` from those
   arrays (``passModel``, best of ``direct_repeats``): the floor of any builder, so
   ``our build / direct build`` is what the modelling layer costs; then plain HiGHS solves it
   with the same time limit, gap and threads (the baseline of the solve figures and of memory);
3. **optimize**: ``engine.models.optimize(scenario, SolveOptions(time_limit_seconds=S,
   mip_rel_gap=0.01, threads=os.cpu_count()))`` as a user runs it, its default work budget
   with a safety limit S far above its time (so the work, not the clock, ends it): status,
   objective, best bound and where it comes from, gap, build (data + fast build +
   passModel), solve and total time, time to a first plan, peak memory, the independent
   checker's violations; and the build share the Pyomo build's stage times would take of
   the same solve. At the ``speedup_sizes`` (M) the same solve again on 1 local process and
   on a Dask LocalCluster of 2 workers: the speed-up, and whether the three plans agree.

Targets (issue 6): a plan within 1 % of its bound in <= 60 s at M and <= 5 min at L (judged on
the total time, build included, and only when the gap at the end is within 1 %), peak memory
<= 4 GiB at M, model building <= 10 % of the total time at every size. A case stopped at its
time or memory limit, or a solve without a plan, is reported as a missed target with by how
much, never as a crash. L is run only when asked (``--sizes L``): its Pyomo build alone takes
minutes. ``--quick`` runs S only, with T = 10 s.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.isolate import CaseFailed, CaseResult, run_case
from bench.rows import BenchRow, Goal, Target, figure
from bench.sizes import SIZES, Size

__all__ = ["FULL", "QUICK", "OptimizerSettings", "run"]

SECTION = "optimizer"


def _ram_mb() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20
    except (AttributeError, ValueError, OSError):
        return math.inf


@dataclass(frozen=True)
class OptimizerSettings:
    """What the section runs and the targets it judges.

    Attributes:
        sizes: The sizes it may run, by name.
        only: Sizes run whatever was asked (``--quick``: S), or None for the sizes asked.
        time_limits: Size -> the time limit T, s, of plain HiGHS (the baseline) and, without
            ``safety_limits``, the safety limit of ``optimize``'s work budget.
        safety_limits: Size -> the safety limit of ``optimize``'s default work budget, s
            (``SolveOptions.time_limit_seconds``): far above its time, so the work decides.
        speedup_sizes: Sizes also solved on 1 local process and on a Dask LocalCluster of
            ``dask_workers`` workers, against the run on ``threads`` processes.
        mip_rel_gap: The gap asked of the solve (and the gap target).
        time_targets: Size -> seconds for a plan within the gap (build included).
        memory_targets_mb: Size -> peak memory target, MB.
        build_share_target: Most of the total time model building may take.
        direct_repeats: Direct highspy builds timed (the best counts).
        threads: Solver threads (default: every core, ``os.cpu_count()``).
        tier_choice: ``SolveOptions.tier_choice`` value.
        seed: The scenario generator's seed.
        memory_cap_mb: A case above this resident memory is stopped (protects the machine;
            default 75 % of its RAM).
    """

    sizes: dict[str, Size] = field(default_factory=lambda: dict(SIZES))
    only: tuple[str, ...] | None = None
    time_limits: dict[str, float] = field(
        default_factory=lambda: {"S": 60.0, "M": 60.0, "L": 300.0}
    )
    safety_limits: dict[str, float] | None = field(
        default_factory=lambda: {"S": 600.0, "M": 3_600.0, "L": 7_200.0}
    )
    speedup_sizes: tuple[str, ...] = ("M",)
    dask_workers: int = 2
    mip_rel_gap: float = 0.01
    time_targets: dict[str, float] = field(default_factory=lambda: {"M": 60.0, "L": 300.0})
    memory_targets_mb: dict[str, float] = field(default_factory=lambda: {"M": 4 * 1024.0})
    build_share_target: float = 0.10
    direct_repeats: int = 3
    threads: int = field(default_factory=lambda: os.cpu_count() or 1)
    tier_choice: str = "per_po"
    seed: int = 0
    memory_cap_mb: float = field(default_factory=lambda: 0.75 * _ram_mb())

    def build_timeout(self, size: str) -> float:
        """Seconds before the build-stages case is stopped."""
        return 600.0 + 10.0 * self.time_limits[size]

    def solve_timeout(self, size: str) -> float:
        """Seconds before plain HiGHS's case is stopped."""
        return 600.0 + 4.0 * self.time_limits[size]

    def safety_limit(self, size: str) -> float:
        """The safety limit of ``optimize``'s work budget at ``size``."""
        return (self.safety_limits or self.time_limits)[size]

    def optimize_timeout(self, size: str) -> float:
        """Seconds before an ``optimize`` case is stopped."""
        return 600.0 + 1.5 * self.safety_limit(size)


FULL = OptimizerSettings()
QUICK = OptimizerSettings(
    only=("S",),
    time_limits={"S": 10.0, "M": 10.0, "L": 10.0},
    safety_limits=None,
    speedup_sizes=(),
)

BUILD_BASELINE = "direct highspy build of the same matrix (passModel from arrays)"
SOLVE_BASELINE = "plain HiGHS, same matrix, limit, gap and threads"


def _say(message: str) -> None:
    print(f"[bench optimizer] {message}", file=sys.stderr, flush=True)


def _nan(value: Any) -> float:
    return math.nan if value is None else float(value)


@dataclass
class _Outcome:
    """A case's result, or why it has none."""

    result: CaseResult | None = None
    failure: CaseFailed | None = None

    def get(self, key: str) -> float:
        if self.result is None:
            return math.nan
        return _nan(self.result.values.get(key))

    def text(self, key: str) -> str:
        return "" if self.result is None else str(self.result.values.get(key, ""))

    @property
    def why(self) -> str:
        """Why the case has no result, in a few words."""
        failure = self.failure
        if failure is None:
            return "not run"
        if failure.reason == "time":
            return f"stopped at its time limit after {failure.seconds:,.0f} s"
        if failure.reason == "memory":
            return f"stopped above {failure.peak_rss_mb:,.0f} MB after {failure.seconds:,.0f} s"
        first = str(failure).splitlines()[0]
        last = str(failure).strip().splitlines()[-1]
        return f"failed after {failure.seconds:,.0f} s: {first} ... {last}"


def _run(function: str, kwargs: dict[str, Any], timeout: float, cap_mb: float) -> _Outcome:
    try:
        return _Outcome(result=run_case(function, kwargs, timeout=timeout, memory_limit_mb=cap_mb))
    except CaseFailed as failure:
        _say(f"{function}: {str(failure).splitlines()[0]}")
        return _Outcome(failure=failure)


def _missed(
    case: str, name: str, unit: str, target: Target, words: str, value: float = math.nan, **kw: Any
) -> BenchRow:
    """A figure whose target is missed for a reason ``figure`` cannot judge (no plan, stopped)."""
    row = figure(SECTION, case, name, value, unit, target=None, **kw)
    return BenchRow(
        **(row.record() | {"target": target.text, "met": False, "by_how_much": f"missed: {words}"})
    )


def _absent(case: str, name: str, unit: str, why: str, **kw: Any) -> BenchRow:
    row = figure(SECTION, case, name, math.nan, unit, **kw)
    return BenchRow(**(row.record() | {"by_how_much": f"not measured: {why}"}))


def _size_kwargs(size: Size, settings: OptimizerSettings) -> dict[str, Any]:
    return {
        "skus": size.skus,
        "suppliers": size.suppliers,
        "modes": size.modes,
        "periods": size.periods,
        "offers_per_sku": list(size.offers_per_sku),
        "tiers": size.tiers,
        "seed": settings.seed,
        "tier_choice": settings.tier_choice,
    }


def _size_rows(name: str, settings: OptimizerSettings) -> list[BenchRow]:
    size = settings.sizes[name]
    limit = settings.time_limits[name]
    cap = settings.memory_cap_mb
    shape = _size_kwargs(size, settings)
    solve = {
        "time_limit_seconds": limit,
        "mip_rel_gap": settings.mip_rel_gap,
        "threads": settings.threads,
    }
    label = f"{name} ({size.skus} SKUs x {size.suppliers} suppliers)"
    with tempfile.TemporaryDirectory(prefix="bench-optimizer-") as folder:
        matrix = str(Path(folder) / f"matrix-{name}.npz")
        _say(f"{label}: data, Pyomo model and translation into HiGHS, timed")
        stages = _run(
            "bench.optcases:build_stages",
            shape | {"matrix_path": matrix},
            settings.build_timeout(name),
            cap,
        )
        direct = _Outcome()
        if stages.result is not None:
            _say(f"{label}: baseline: the same matrix built directly in highspy, then plain HiGHS")
            direct = _run(
                "bench.optcases:direct_highs",
                {"matrix_path": matrix, "repeats": settings.direct_repeats} | solve,
                settings.solve_timeout(name),
                cap,
            )
    safety = settings.safety_limit(name)
    solve_case = shape | solve | {"time_limit_seconds": safety}
    timeout = settings.optimize_timeout(name)

    def optimized_on(where: str, **kw: Any) -> _Outcome:
        _say(f"{label}: engine.models.optimize on {where}, safety limit {safety:g} s")
        return _run("bench.optcases:optimize_case", solve_case | kw, timeout, cap)

    optimized = optimized_on(f"{settings.threads} local processes")
    rows = _rows(name, size, settings, stages, direct, optimized)
    if name in settings.speedup_sizes:
        one = optimized_on("1 local process", threads=1)
        dask_workers = settings.dask_workers
        on_dask = optimized_on(
            f"a Dask LocalCluster of {dask_workers} workers", dask_workers=dask_workers
        )
        rows.extend(_speedup_rows(name, settings, optimized, one, on_dask))
    return rows


def _rows(
    name: str,
    size: Size,
    settings: OptimizerSettings,
    stages: _Outcome,
    direct: _Outcome,
    optimized: _Outcome,
) -> list[BenchRow]:
    gap_limit = settings.mip_rel_gap
    case = _case(name, size, settings)
    rows: list[BenchRow] = []
    direct_build = direct.get("build_seconds")
    direct_note = ""
    if direct.result is not None:
        runs = ", ".join(f"{t * 1e3:.1f}" for t in direct.result.values["build_seconds_all"])
        direct_note = f"direct builds {runs} ms (best counts)"
    elif stages.result is not None:
        direct_note = f"baseline {direct.why}"
    build: dict[str, Any] = {"baseline": BUILD_BASELINE, "baseline_value": direct_build}

    # --- model building, stage by stage (own process), against the direct build
    if stages.result is None:
        rows.append(_absent(case, "model build: data + Pyomo + translation", "s", stages.why))
    else:
        for key, figure_name in (
            ("data_seconds", "model data (build_model_data)"),
            ("pyomo_seconds", "Pyomo model (build_model)"),
            ("translation_seconds", "translation into HiGHS (HighsSession)"),
        ):
            rows.append(figure(SECTION, case, figure_name, stages.get(key), "s", **build))
        ours = sum(stages.get(k) for k in ("data_seconds", "pyomo_seconds", "translation_seconds"))
        rows.append(
            figure(
                SECTION,
                case,
                "model build: data + Pyomo + translation",
                ours,
                "s",
                **build,
                note=(
                    f"ratio = our build / direct build of the same matrix; {direct_note}; "
                    f"scenario generation {stages.get('generate_seconds'):.2f} s, not counted"
                ),
            )
        )
        rows.extend(_fast_build_rows(case, stages, build))

    # --- optimize (own process): build share, solve, time to a plan within the gap
    total = optimized.get("total_seconds")
    status = optimized.text("status")
    has_plan = status in ("optimal", "feasible")
    gap = optimized.get("gap")
    share_target = Target(
        Goal.AT_MOST,
        100 * settings.build_share_target,
        False,
        f"<= {100 * settings.build_share_target:g} % of total time",
    )
    if optimized.result is None:
        rows.append(_absent(case, "model build share of total time", "%", optimized.why))
    else:
        translation = optimized.get("translation_seconds")
        our_build = optimized.get("build_seconds") + translation
        note = (
            f"inside optimize (fast build): data + model {optimized.get('build_seconds'):.2f} s, "
            f"into HiGHS {translation:.2f} s, of {total:.1f} s"
        )
        if math.isnan(translation):
            note += " (translation not seen: data + model only)"
            our_build = optimized.get("build_seconds")
        rows.append(
            figure(
                SECTION,
                case,
                "model build share of total time",
                100 * our_build / total,
                "%",
                baseline="direct highspy build, share of the same total",
                baseline_value=100 * direct_build / total,
                target=share_target,
                note=note,
            )
        )
        if stages.result is not None:
            rows.append(_pyomo_share_row(case, stages, total, our_build, share_target))
        rows.append(
            figure(
                SECTION,
                case,
                "solve time (after translation)",
                optimized.get("solve_seconds") - (0.0 if math.isnan(translation) else translation),
                "s",
                baseline=SOLVE_BASELINE,
                baseline_value=direct.get("solve_seconds"),
                note=f"status {status}; plain HiGHS: {direct.text('status') or direct.why}",
            )
        )

    rows.append(_time_row(name, case, settings, optimized, direct))
    gap_target = Target(
        Goal.AT_MOST,
        100 * gap_limit,
        False,
        f"<= {100 * gap_limit:g} %"
        + (f" within {settings.time_targets[name]:g} s" if name in settings.time_targets else ""),
    )
    plain_gap = 100 * direct.get("gap")
    plain: dict[str, Any] = {"baseline": SOLVE_BASELINE, "baseline_value": plain_gap}
    plain_note = f"plain HiGHS: {direct.text('status') or direct.why}"
    if optimized.result is None:
        rows.append(_missed(case, "gap at the end", "%", gap_target, optimized.why, **plain))
    elif not has_plan:
        rows.append(
            _missed(
                case,
                "gap at the end",
                "%",
                gap_target,
                f"no plan (status {status}) after {total:.1f} s",
                note=plain_note,
                **plain,
            )
        )
    else:
        rows.append(
            figure(
                SECTION,
                case,
                "gap at the end",
                100 * gap,
                "%",
                target=gap_target,
                note=f"status {status}; {plain_note}",
                **plain,
            )
        )
    for key, figure_name in (("objective", "objective"), ("best_bound", "best bound")):
        value = optimized.get(key)
        row = figure(
            SECTION,
            case,
            figure_name,
            value,
            "cost",
            baseline=SOLVE_BASELINE,
            baseline_value=direct.get(key),
            note=f"status {status or optimized.why}; {plain_note}",
        )
        if math.isnan(value):
            row = BenchRow(**(row.record() | {"by_how_much": "none"}))
        rows.append(row)
    rows.append(_memory_row(name, case, settings, optimized, direct))
    rows.extend(_plan_rows(case, optimized, direct))

    # --- the matrix, as translated and as the direct build holds it (ratio 1 = the same)
    for key, figure_name in (
        ("rows", "matrix rows"),
        ("columns", "matrix columns"),
        ("nonzeros", "matrix nonzeros"),
        ("integer_columns", "matrix integer columns"),
    ):
        if stages.result is not None:
            rows.append(
                figure(
                    SECTION,
                    case,
                    figure_name,
                    stages.get(key),
                    "count",
                    baseline="the direct highspy model",
                    baseline_value=direct.get(key),
                )
            )
    return rows


def _case(name: str, size: Size, settings: OptimizerSettings) -> str:
    return (
        f"optimizer {name}: {size.skus} SKUs x {size.suppliers} suppliers x {size.modes} modes "
        f"x {size.periods} periods, default work (safety limit {settings.safety_limit(name):g} "
        f"s), plain HiGHS T = {settings.time_limits[name]:g} s"
    )


def _plan_rows(case: str, optimized: _Outcome, direct: _Outcome) -> list[BenchRow]:
    """The time to a first plan and the independent checker's verdict on the plan."""
    plain = "plain HiGHS, same matrix and T: its solve time"
    baseline: dict[str, Any] = {"baseline": plain, "baseline_value": direct.get("solve_seconds")}
    plain_note = f"plain HiGHS: {direct.text('status') or direct.why}"
    if optimized.result is None:
        return [_absent(case, "time to a first plan", "s", optimized.why, **baseline)]
    cut = optimized.text("cut_by_time_limit")
    rows = [
        figure(
            SECTION,
            case,
            "time to a first plan",
            optimized.get("first_plan_seconds"),
            "s",
            note=(
                "the first step reporting a plan's cost (a plan of the relaxation: order "
                f"multiples continuous, polished at the end); {plain_note}; bound from "
                f"{optimized.text('bound_source') or 'none'}; "
                + (f"cut by the safety limit: {cut}" if cut else "no stage cut by the safety limit")
            ),
            **baseline,
        )
    ]
    violations = optimized.get("checker_violations")
    checker = Target(Goal.AT_MOST, 0.0, False, "0 violations: a checked plan")
    if math.isnan(violations):
        rows.append(_missed(case, "independent checker's violations", "count", checker, "no plan"))
    else:
        rows.append(
            figure(
                SECTION,
                case,
                "independent checker's violations",
                violations,
                "count",
                target=checker,
                note=(
                    f"checker's cost {optimized.get('checker_cost'):,.2f}, solver's "
                    f"{optimized.get('objective'):,.2f}; {optimized.get('checker_seconds'):.1f} s"
                ),
            )
        )
    return rows


def _speedup_rows(
    name: str,
    settings: OptimizerSettings,
    processes: _Outcome,
    one: _Outcome,
    on_dask: _Outcome,
) -> list[BenchRow]:
    """``optimize`` on 1 local process and on a Dask LocalCluster, beside the run on
    ``settings.threads`` processes (ratio = speed-up), and whether all three plans agree."""
    case = _case(name, settings.sizes[name], settings)
    base: dict[str, Any] = {
        "baseline": f"the same solve on {settings.threads} local processes",
        "baseline_value": processes.get("total_seconds"),
    }
    rows = []
    for outcome, where in (
        (one, "1 local process"),
        (on_dask, f"a Dask LocalCluster of {settings.dask_workers} workers"),
    ):
        figure_name = f"total time on {where}"
        if outcome.result is None:
            rows.append(_absent(case, figure_name, "s", outcome.why, **base))
            continue
        rows.append(
            figure(
                SECTION,
                case,
                figure_name,
                outcome.get("total_seconds"),
                "s",
                note="ratio = this time / the baseline's: the speed-up is its inverse",
                **base,
            )
        )
    runs = (processes, one, on_dask)
    objectives = [o.get("objective") for o in runs]
    same = (
        all(o.result is not None for o in runs)
        and len({(o.text("status"), repr(o.get("objective"))) for o in runs}) == 1
    )
    rows.append(
        figure(
            SECTION,
            case,
            "the same plan on 1 process, local processes and Dask",
            1.0 if same else 0.0,
            "yes=1",
            target=Target(Goal.AT_LEAST, 1.0, False, "identical objectives"),
            note="objectives " + ", ".join(f"{o:,.2f}" for o in objectives),
        )
    )
    return rows


def _fast_build_rows(case: str, stages: _Outcome, build: dict[str, Any]) -> list[BenchRow]:
    """The fast build (engine.models.matrix) beside the Pyomo build of the same run."""
    pyomo = stages.get("pyomo_seconds") + stages.get("translation_seconds")
    fast = stages.get("fast_build_seconds") + stages.get("fast_pass_seconds")
    identical = stages.get("fast_matrix_identical") == 1.0
    same = "HiGHS holds the same matrix from both" if identical else "MATRICES DIFFER"
    return [
        figure(
            SECTION,
            case,
            "fast build (engine.models.matrix, NumPy)",
            stages.get("fast_build_seconds"),
            "s",
            baseline="Pyomo model + translation, same run",
            baseline_value=pyomo,
            note=f"{same}; into HiGHS (passModel) {stages.get('fast_pass_seconds'):.2f} s",
        ),
        figure(
            SECTION,
            case,
            "model build: data + fast build + passModel",
            stages.get("data_seconds") + fast,
            "s",
            **build,
            note=f"ratio = fast build / direct build of the same matrix; {same}",
        ),
    ]


def _pyomo_share_row(
    case: str, stages: _Outcome, total: float, our_build: float, target: Target
) -> BenchRow:
    """The build share the Pyomo build would take of the same solve: its stage times (build
    case) in place of the fast build's."""
    pyomo = sum(stages.get(k) for k in ("data_seconds", "pyomo_seconds", "translation_seconds"))
    with_pyomo = total - our_build + pyomo
    return figure(
        SECTION,
        case,
        "model build share of total time, with the Pyomo build",
        100 * pyomo / with_pyomo,
        "%",
        baseline="fast build, share of its total",
        baseline_value=100 * our_build / total,
        target=target,
        note=(
            f"the same solve with the Pyomo build's stage times (build case, {pyomo:.2f} s) "
            f"in place of the fast build's: {with_pyomo:.1f} s in all"
        ),
    )


def _time_row(
    name: str, case: str, settings: OptimizerSettings, optimized: _Outcome, direct: _Outcome
) -> BenchRow:
    """Total time of ``optimize``, judged as the time to a plan within the gap where the issue
    sets one (M, L)."""
    limit_gap = settings.mip_rel_gap
    figure_name = f"time to a plan within {100 * limit_gap:g} % (total, build included)"
    baseline: dict[str, Any] = {
        "baseline": "plain HiGHS: direct build + solve of the same matrix",
        "baseline_value": direct.get("build_seconds") + direct.get("solve_seconds"),
    }
    if name not in settings.time_targets:
        if optimized.result is None:
            return _absent(case, "total time (build + solve)", "s", optimized.why, **baseline)
        return figure(
            SECTION,
            case,
            "total time (build + solve)",
            optimized.get("total_seconds"),
            "s",
            note=f"status {optimized.text('status')}",
            **baseline,
        )
    seconds = settings.time_targets[name]
    target = Target(
        Goal.AT_MOST,
        seconds,
        False,
        f"plan within {100 * limit_gap:g} % in <= {seconds:g} s",
    )
    if optimized.result is None:
        failure = optimized.failure
        if failure is not None and failure.reason == "time":
            words = (
                f"no plan after {failure.seconds:,.0f} s (stopped): at least "
                f"{failure.seconds / seconds:.2f}x over the {seconds:g} s"
            )
        else:
            words = optimized.why
        return _missed(case, figure_name, "s", target, words, **baseline)
    total = optimized.get("total_seconds")
    status = optimized.text("status")
    gap = optimized.get("gap")
    if status not in ("optimal", "feasible"):
        words = f"no plan (status {status}) after {total:.1f} s ({total / seconds:.2f}x the limit)"
        return _missed(case, figure_name, "s", target, words, value=total, **baseline)
    if math.isnan(gap) or gap > limit_gap + 1e-12:
        words = (
            f"gap {100 * gap:.2f} % after {total:.1f} s ({total / seconds:.2f}x the limit), "
            f"{gap / limit_gap:.1f}x the {100 * limit_gap:g} % asked"
        )
        return _missed(case, figure_name, "s", target, words, value=total, **baseline)
    return figure(SECTION, case, figure_name, total, "s", target=target, **baseline)


def _memory_row(
    name: str, case: str, settings: OptimizerSettings, optimized: _Outcome, direct: _Outcome
) -> BenchRow:
    target = None
    if name in settings.memory_targets_mb:
        limit = settings.memory_targets_mb[name]
        target = Target(Goal.AT_MOST, limit, False, f"<= {limit / 1024:g} GiB")
    baseline: dict[str, Any] = {
        "baseline": "plain HiGHS process (load, direct build, solve)",
        "baseline_value": direct.result.peak_rss_mb if direct.result else math.nan,
    }
    figure_name = "peak memory of optimize"
    if optimized.result is None:
        failure = optimized.failure
        seen = failure.peak_rss_mb if failure is not None else math.nan
        words = f"{optimized.why}; highest seen {seen:,.0f} MB"
        if target is not None and failure is not None and failure.reason == "memory":
            words += f", at least {seen / target.threshold:.2f}x the limit"
            return _missed(case, figure_name, "MB", target, words, value=seen, **baseline)
        return _absent(case, figure_name, "MB", words, **baseline)
    result = optimized.result
    return figure(
        SECTION,
        case,
        figure_name,
        result.peak_rss_mb,
        "MB",
        target=target,
        note=f"{result.start_rss_mb:.0f} MB after imports",
        **baseline,
    )


def run(sizes: Sequence[str], quick: bool) -> list[BenchRow]:
    """The section's figures, size by size.

    Args:
        sizes: Size names asked for (``--sizes``); ``--quick`` runs ``QUICK.only`` instead.
        quick: Run ``QUICK`` (S only, T = 10 s) instead of ``FULL``.

    Returns:
        The rows of every size run.
    """
    settings = QUICK if quick else FULL
    names = list(settings.only) if settings.only is not None else list(sizes)
    skipped = [n for n in sizes if n not in names]
    if skipped:
        _say(f"--quick runs {', '.join(names)} only (not {', '.join(skipped)})")
    rows: list[BenchRow] = []
    for name in names:
        rows.extend(_size_rows(name, settings))
    return rows
