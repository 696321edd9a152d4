"""Resilience: which split to run for a risk weight, what it costs in the plan and what it
saves under disruptions, on average and in the bad tail (docs/resilience.md)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from engine import api
from ui import formats, jobs, state, views, widgets
from ui.tasks import ResilienceRequest, run_resilience

JOB_RESILIENCE = "resilience"
KEY = "resilience"


def frontier_chart(table: pd.DataFrame, currency: str, level: float) -> alt.Chart:
    """Plan premium (x) against the mean and the CVaR of the total cost under disruptions."""
    long = pd.concat(
        [
            table.assign(
                measure="mean",
                cost=table["mean_cost"],
                low=table["mean_low"],
                high=table["mean_high"],
            ),
            table.assign(
                measure=f"CVaR {level:.0%} (bad tail)",
                cost=table["cvar_cost"],
                low=table["cvar_low"],
                high=table["cvar_high"],
            ),
        ]
    )[["candidate", "premium", "measure", "cost", "low", "high", "efficient", "recommended"]]
    base = alt.Chart(long).encode(
        x=alt.X("premium:Q", title=f"plan premium over the free optimum ({currency})"),
        color=alt.Color("measure:N", title=None),
    )
    points = base.mark_point(filled=True, size=90).encode(
        y=alt.Y(
            "cost:Q",
            title=f"total cost under disruptions ({currency})",
            scale=alt.Scale(zero=False),
        ),
        shape=alt.Shape("recommended:N", title="recommended"),
        tooltip=[
            "candidate",
            "measure",
            alt.Tooltip("cost:Q", format=",.0f"),
            alt.Tooltip("low:Q", format=",.0f"),
            alt.Tooltip("high:Q", format=",.0f"),
            "efficient",
        ],
    )
    bars = base.mark_rule().encode(y="low:Q", y2="high:Q")
    labels = base.mark_text(align="left", dx=6).encode(y="cost:Q", text="candidate:N")
    return (bars + points + labels).properties(height=360)


def money_columns(table: pd.DataFrame) -> dict[str, formats.Kind]:
    """The resilience table's cost columns whose names do not say money (``mean_low``,
    ``score``, ``premium``, ``cvar_saving_high``): every other number there is money."""
    return {
        str(c): formats.Kind.MONEY
        for c in table.columns
        if formats.kind_of(str(c)) is formats.Kind.NUMBER
        and pd.api.types.is_numeric_dtype(table[c])
        and not pd.api.types.is_bool_dtype(table[c])
    }


st.title("Resilience")
st.caption(
    "Is a backup worth it? Each split is planned by the optimizer (its premium over the free "
    "optimum) and played through the scenario's disruptions on the same random numbers: total "
    "cost = landed cost + lost sales + expediting + capital cost, on average and in the worst "
    "replications (CVaR)."
)
current = widgets.need_scenario()
if current is None:
    st.stop()
critical = [s.sku for s in current.skus if s.critical]
every_sku = [s.sku for s in current.skus]
state.keep_valid(state.W_RE_SKUS, every_sku)
skus = st.multiselect(
    "SKUs to protect",
    every_sku,
    default=state.default_unless_set(state.W_RE_SKUS, critical),
    key=state.W_RE_SKUS,
)
splits = st.radio(
    "Candidates",
    ["backup shares 0-50 %", "classic splits 100/0, 80/20, 70/30, 60/40, 50/50"],
    horizontal=True,
    key=f"{KEY}.kind",
).startswith("classic")
cols = st.columns(4)
risk_weight = cols[0].number_input(
    "Risk weight λ (mean + λ x CVaR)", min_value=0.0, value=0.5, step=0.1, key=f"{KEY}.lambda"
)
level = cols[1].slider("CVaR level (%)", 80, 99, 95, key=f"{KEY}.level") / 100
replications = cols[2].number_input(
    "Most replications", min_value=4, max_value=5000, value=200, step=50, key=f"{KEY}.reps"
)
seed = cols[3].number_input("Seed", min_value=0, value=0, key=f"{KEY}.seed")
work = st.select_slider(
    "Optimizer work per plan (more: better plans, slower)",
    [0.1, 0.2, 0.5, 1.0, 2.0],
    value=0.5,
    key=f"{KEY}.work",
)
stochastic = st.checkbox(
    "Add the stochastic allocation as a candidate (a two-stage model over 200 sampled "
    "disruption scenarios, one period per SKU)",
    key=f"{KEY}.stochastic",
)
st.caption(jobs.estimate_note(JOB_RESILIENCE, state.scenario_label(), scenario=current))
busy = jobs.running(JOB_RESILIENCE) is not None
if st.button(
    "Find the split to run", type="primary", disabled=busy or not skus, key=state.W_RE_RUN
):
    request = ResilienceRequest(
        scenario=current,
        skus=tuple(skus),
        splits=splits,
        shares=None,
        risk_weight=float(risk_weight),
        level=float(level),
        replications=int(replications),
        seed=int(seed),
        work=float(work),
        stochastic=200 if stochastic else 0,
        scenario_name=state.scenario_label(),
    )
    jobs.submit(JOB_RESILIENCE, "Resilience frontier", run_resilience, request, scenario=current)
    st.rerun()
jobs.watch(JOB_RESILIENCE)
widgets.job_error(JOB_RESILIENCE)
outcome = state.task_result(JOB_RESILIENCE)
if isinstance(outcome, api.ResilienceResult):
    st.divider()
    st.success(outcome.sentence)
    if outcome.stochastic_sentence:
        st.info(outcome.stochastic_sentence)
    currency = current.finance.currency
    st.altair_chart(frontier_chart(outcome.table, currency, outcome.level), width="stretch")
    views.table(outcome.table, currency, f"{KEY}.table", money_columns(outcome.table))
    views.downloads(outcome.tables(), "resilience", f"{KEY}.download", main="resilience")
