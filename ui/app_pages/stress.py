"""Stress test: play a plan (or two) day by day through disruptions, many seeded times."""

from __future__ import annotations

import streamlit as st

from engine.api import (
    DecisionRules,
    DefectPauseRule,
    ExpediteRule,
    LateShiftRule,
    Scenario,
    ScenarioError,
)
from ui import jobs, loading, plans, state, tasks, views, widgets

JOB_STRESS = "stress"


def stress_scenario() -> tuple[Scenario | None, str | None]:
    """The scenario to simulate: the current one, optionally with a what-if layered on top
    (e.g. a certain 30-day shutdown), with the disruptions the user picks."""
    space = state.workspace()
    if space is None or space.base is None:
        return None, None
    options = loading.whatifs(space.base)
    keys = ["", *options]
    state.keep_valid(state.W_ST_WHATIF, keys)
    name = st.selectbox(
        "What happens: a what-if on top of the scenario for this test",
        keys,
        format_func=lambda k: (
            "none: the scenario's own disruptions" if not k else f"{k}: {options[k]}"
        ),
        key=state.W_ST_WHATIF,
    )
    try:
        scenario = loading.with_whatif(space, name or None).scenario
    except ScenarioError as error:
        st.error("That what-if does not fit this scenario:")
        widgets.problems_table(error.problems, key="stress.problems")
        return None, None
    labels = [plans.disruption_label(d) for d in scenario.disruptions]
    indices = list(range(len(labels)))
    key = state.disruptions_key(name)
    state.keep_valid(key, indices)
    chosen = st.multiselect(
        "Disruptions to play (each drawn by its chance in every replication)",
        indices,
        default=state.default_unless_set(key, indices),
        format_func=lambda i: labels[i],
        key=key,
    )
    certain = st.checkbox(
        "Make the chosen disruptions certain (chance 100 %)", key=state.W_ST_CERTAIN
    )
    label = " / ".join(p for p in (state.scenario_label(), name) if p)
    return plans.with_disruptions(scenario, chosen, certain), label


def rules() -> DecisionRules:
    with st.expander("Decision rules: how the planner reacts during the run"):
        late = st.checkbox(
            "Shift volume to the backup after late POs in a row", key=state.W_ST_LATE
        )
        cols = st.columns(2)
        late_n = cols[0].number_input(
            "late POs in a row", min_value=1, value=3, key=state.W_ST_LATE_N, disabled=not late
        )
        late_share = cols[1].slider(
            "share shifted (%)", 5, 50, 20, step=5, key=state.W_ST_LATE_SHARE, disabled=not late
        )
        defect = st.checkbox(
            "Pause a supplier whose defect rate crosses a threshold", key=state.W_ST_DEFECT
        )
        rate = st.slider(
            "defect rate threshold (%)",
            1,
            30,
            5,
            key=state.W_ST_DEFECT_RATE,
            disabled=not defect,
        )
        expedite = st.checkbox("Expedite by air when cover runs low", key=state.W_ST_EXPEDITE)
        days = st.number_input(
            "cover below (days)",
            min_value=1.0,
            value=14.0,
            key=state.W_ST_EXPEDITE_DAYS,
            disabled=not expedite,
        )
    return DecisionRules(
        late_shift=LateShiftRule(int(late_n), late_share / 100) if late else None,
        defect_pause=DefectPauseRule(rate / 100) if defect else None,
        expedite=ExpediteRule(float(days)) if expedite else None,
    )


def plan_pickers(scenario: Scenario) -> tuple[tasks.PlanChoice, tasks.PlanChoice | None]:
    choices, problem = plans.plan_choices(scenario)
    if problem:
        st.warning(f"The run store could not be read, so only policies are offered: {problem}")
    keys = list(choices)
    cols = st.columns(2)
    a = widgets.plan_picker("Plan A", choices, state.W_ST_PLAN_A, cols[0])
    b_keys = ["", *keys]
    state.keep_valid(state.W_ST_PLAN_B, b_keys)
    b = cols[1].selectbox(
        "Plan B (optional: compare on the same random numbers)",
        b_keys,
        format_func=lambda k: "none" if not k else choices[k].label,
        key=state.W_ST_PLAN_B,
    )
    if not any(c.kind == "plan" for c in choices.values()):
        st.caption("No optimized plan of this scenario yet: optimize one to test it here.")
    return choices[a], (choices[b] if b else None)


st.title("Stress test")
st.caption(
    "The plan against bad luck: demand, lead times, defects, shutdowns, port delays and tariff "
    "changes drawn at random, day by day, many times over, with every cash movement."
)
current = widgets.need_scenario()
if current is None:
    st.stop()
simulated, label = stress_scenario()
if simulated is None:
    st.stop()
plan_a, plan_b = plan_pickers(current)
decision_rules = rules()
cols = st.columns(2)
replications = cols[0].number_input(
    "Replications", min_value=2, max_value=5000, value=100, step=10, key=state.W_ST_REPS
)
seed = cols[1].number_input(
    "Seed (same seed, same result)", min_value=0, value=0, key=state.W_ST_SEED
)
busy = jobs.running(JOB_STRESS) is not None
plans_tested = 1 if plan_b is None else 2
work_units = int(replications) * plans_tested
st.caption(jobs.estimate_note(JOB_STRESS, label or current.name, work_units, simulated))
if st.button("Run stress test", key=state.W_ST_RUN, type="primary", disabled=busy):
    request = tasks.StressRequest(
        scenario=simulated,
        scenario_name=label or current.name,
        plan_a=plan_a,
        plan_b=plan_b,
        rules=decision_rules,
        replications=int(replications),
        seed=int(seed),
        parameters={
            "what_if": st.session_state.get(state.W_ST_WHATIF) or None,
            "disruptions": [plans.disruption_label(d) for d in simulated.disruptions],
            "rules": {
                "late_shift": decision_rules.late_shift is not None,
                "defect_pause": decision_rules.defect_pause is not None,
                "expedite": decision_rules.expedite is not None,
            },
        },
    )
    both = " of each plan" if plan_b is not None else ""
    jobs.submit(
        JOB_STRESS,
        f"Stress test ({int(replications)} replications{both})",
        tasks.run_stress,
        request,
        work_units=work_units,
        unit="replications" if plan_b is None else "replications (both plans counted)",
        scenario=simulated,
    )
    st.rerun()
jobs.watch(JOB_STRESS)
widgets.job_error(JOB_STRESS)
outcome = state.result(JOB_STRESS)
if outcome is not None:
    st.divider()
    views.show_stress(outcome, "stress.result")
