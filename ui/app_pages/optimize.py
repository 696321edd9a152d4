"""Optimize: the cheapest plan, planners' fixed splits against the free optimum, and the
cost-of-resilience curve."""

from __future__ import annotations

import streamlit as st

from engine.api import (
    BudgetMode,
    Scenario,
    SolveOptions,
    TierChoice,
    default_workers,
    landed_cost_table,
)
from ui import jobs, state, tasks, views, widgets

JOB_OPTIMIZE = "optimize"
JOB_FRONTIER = "frontier"


def suppliers_by_cost(scenario: Scenario) -> dict[str, list[str]]:
    """Per SKU, the suppliers with an offer, cheapest landed cost first."""
    table = landed_cost_table(scenario)
    ranked: dict[str, list[str]] = {}
    for sku, options in table.groupby("sku", sort=False):
        ranked[str(sku)] = list(dict.fromkeys(options["supplier"]))
    return ranked


def solver_options() -> SolveOptions:
    st.markdown("**Solver**")
    cols = st.columns(4)
    work = cols[0].number_input(
        "Work budget (x)",
        min_value=0.05,
        value=1.0,
        step=0.25,
        key=state.W_OPT_WORK,
        help="Scales the solver's work (nodes, checks, re-plans): the same plan on an idle or a "
        "busy machine. 2 does about twice the work.",
    )
    limit = cols[1].number_input(
        "Safety time limit (s)",
        min_value=1.0,
        value=600.0,
        step=60.0,
        key=state.W_OPT_TIME,
        help="Ends a solve that runs too long; the result then says which stages it cut "
        "(from there the plan depends on the machine).",
    )
    gap = cols[2].number_input(
        "Gap (%)",
        min_value=0.0,
        max_value=50.0,
        value=0.5,
        step=0.1,
        key=state.W_OPT_GAP,
        help="The plan counts as optimal when it is proven within this much of the best.",
    )
    tiers = cols[3].selectbox(
        "Price tiers",
        [t.value for t in TierChoice],
        format_func=lambda v: {
            "per_po": "per PO (each PO gets the tier it reaches)",
            "horizon": "agreed for the horizon (solves faster)",
        }.get(v, v),
        key=state.W_OPT_TIERS,
    )
    by_time = st.checkbox(
        "Budget in seconds instead (the time limit shared among the stages: more plan on a "
        "fast machine, but not repeatable)",
        key=state.W_OPT_TIME_BUDGET,
    )
    return solve_options(float(limit), float(gap), float(work), bool(by_time), TierChoice(tiers))


def solve_options(
    limit: float, gap_pct: float, work: float, by_time: bool, tiers: TierChoice
) -> SolveOptions:
    return SolveOptions(
        time_limit_seconds=limit,
        mip_rel_gap=gap_pct / 100,
        threads=default_workers(),
        tier_choice=tiers,
        budget=BudgetMode.TIME if by_time else BudgetMode.WORK,
        work_scale=work,
    )


def split_controls(scenario: Scenario) -> dict[str, tuple[str, str, float]]:
    ranked = {k: v for k, v in suppliers_by_cost(scenario).items() if len(v) >= 2}
    st.markdown("**Fixed splits** (planner): fix a SKU's split between a primary and a backup")
    state.keep_valid(state.W_OPT_SPLIT_SKUS, list(ranked))
    chosen = st.multiselect(
        "SKUs to split",
        list(ranked),
        key=state.W_OPT_SPLIT_SKUS,
        placeholder="none: let the optimizer choose",
        help="With a split, the free optimum of those SKUs is solved too, so you see what "
        "the split costs.",
    )
    splits: dict[str, tuple[str, str, float]] = {}
    for sku in chosen:
        suppliers = ranked[sku]
        state.keep_valid(state.split_key(sku, "primary"), suppliers)
        cols = st.columns([1, 1, 2])
        primary = cols[0].selectbox(
            f"{sku}: primary", suppliers, index=0, key=state.split_key(sku, "primary")
        )
        others = [s for s in suppliers if s != primary]
        state.keep_valid(state.split_key(sku, "backup"), others)
        backup = cols[1].selectbox(
            f"{sku}: backup", others, index=0, key=state.split_key(sku, "backup")
        )
        share = cols[2].slider(
            f"{sku}: primary share (%)",
            min_value=50,
            max_value=100,
            value=70,
            step=5,
            key=state.split_key(sku, "share"),
        )
        cols[2].caption(f"{share}/{100 - share}: {primary} {share} %, {backup} {100 - share} %")
        splits[sku] = (primary, backup, share / 100)
    return splits


def optimize_section(scenario: Scenario) -> None:
    options = solver_options()
    splits = split_controls(scenario)
    busy = jobs.running(JOB_OPTIMIZE) is not None
    st.caption(jobs.estimate_note(JOB_OPTIMIZE, state.scenario_label(), scenario=scenario))
    if st.button("Optimize", key=state.W_OPT_RUN, type="primary", disabled=busy):
        request = tasks.OptimizeRequest(
            scenario=scenario,
            scenario_name=state.scenario_label(),
            options=options,
            splits=splits,
        )
        label = f"Optimizing {scenario.name}" + (
            f" ({tasks.split_label(splits)})" if splits else ""
        )
        jobs.submit(
            JOB_OPTIMIZE, label, tasks.run_optimize, request, solver=True, scenario=scenario
        )
        st.rerun()
    jobs.watch(JOB_OPTIMIZE)
    widgets.job_error(JOB_OPTIMIZE)
    outcome = state.result(JOB_OPTIMIZE)
    if outcome is not None:
        st.divider()
        views.show_plan(outcome, "optimize.result")


def frontier_section(scenario: Scenario) -> None:
    st.subheader("The cost of resilience")
    st.caption(
        "What each backup share, or each classic split, costs against the free optimum. Every "
        "point is a full solve with the solver settings above."
    )
    skus = [s.sku for s in scenario.skus]
    critical = [s.sku for s in scenario.skus if s.critical]
    cols = st.columns([2, 1])
    state.keep_valid(state.W_FR_SKUS, skus)
    protect = cols[0].multiselect(
        "SKUs to protect",
        skus,
        default=state.default_unless_set(state.W_FR_SKUS, critical),
        key=state.W_FR_SKUS,
    )
    kind = cols[1].radio(
        "Sweep",
        ["backup shares", "splits"],
        format_func=lambda k: (
            "backup share 0 – 50 %" if k == "backup shares" else "splits 100/0, 80/20, 70/30, 50/50"
        ),
        key=state.W_FR_KIND,
    )
    busy = jobs.running(JOB_FRONTIER) is not None
    st.caption(jobs.estimate_note(JOB_FRONTIER, state.scenario_label(), scenario=scenario))
    if st.button("Draw the curve", key=state.W_FR_RUN, disabled=busy or not protect):
        request = tasks.FrontierRequest(
            scenario=scenario,
            scenario_name=state.scenario_label(),
            options=current_options(),
            skus=tuple(protect),
            splits=kind == "splits",
        )
        jobs.submit(
            JOB_FRONTIER,
            f"Cost of resilience on {scenario.name}",
            tasks.run_frontier,
            request,
            unit="solves",
            solver=True,
            scenario=scenario,
        )
        st.rerun()
    jobs.watch(JOB_FRONTIER)
    widgets.job_error(JOB_FRONTIER)
    outcome = state.result(JOB_FRONTIER)
    if outcome is not None:
        views.show_frontier(outcome, "frontier.result")


def current_options() -> SolveOptions:
    session = st.session_state
    return solve_options(
        float(session.get(state.W_OPT_TIME, 600.0)),
        float(session.get(state.W_OPT_GAP, 0.5)),
        float(session.get(state.W_OPT_WORK, 1.0)),
        bool(session.get(state.W_OPT_TIME_BUDGET, False)),
        TierChoice(session.get(state.W_OPT_TIERS, TierChoice.PER_PO.value)),
    )


st.title("Optimize")
st.caption(
    "Who makes how much of each SKU, when, and how it ships, at the lowest total landed cost "
    "(purchase, freight, duty, holding, cash tied up, lost sales) within your risk policy."
)
current = widgets.need_scenario()
if current is None:
    st.stop()
optimize_section(current)
st.divider()
frontier_section(current)
