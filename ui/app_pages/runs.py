"""Runs: every optimize, frontier and stress run kept; list, reopen, compare, relabel,
download, delete. ``runs?run=<id>`` opens a run (a link to it); an id that is not in the
store (deleted, or of another store) is said so, not a blank page."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from engine.api import RunKind, RunStore, RunStoreError, default_store_path
from ui import formats, loading, plans, state, tasks, views, widgets

KINDS = ["", *[k.value for k in RunKind]]
RUN_PARAM = "run"  # the address's parameter naming a run to open: runs?run=<id>
# columns of the run list (every metric is one click away); no bare strings in a page script:
# Streamlit would show them
LISTED = (
    "run_id",
    "created_at",
    "kind",
    "scenario_name",
    "label",
    "status",
    "total_cost",
    "gap",
    "extra_cost_vs_free",
    "fill_rate_mean",
    "lost_revenue_mean",
    "peak_working_capital_mean",
    "fill_rate_mean_a",
    "fill_rate_mean_b",
)


def listing(store: RunStore) -> pd.DataFrame:
    kind = st.selectbox(
        "Kind",
        KINDS,
        format_func=lambda k: k or "every kind",
        key=state.W_RUNS_KIND,
    )
    runs = store.list_runs(RunKind(kind) if kind else None)
    if runs.empty:
        st.info(
            "No runs yet. Every optimize, cost-of-resilience and stress run you make is kept "
            "here, also after you close the browser."
        )
        return runs
    shown = runs.copy()
    shown["created_at"] = pd.to_datetime(shown["created_at"]).dt.strftime("%Y-%m-%d %H:%M UTC")
    columns = [c for c in LISTED if c in shown.columns]
    currency = widgets.currency()
    views.table(shown[columns], currency, key="runs.table")
    with st.expander("Every metric of every run"):
        views.table(shown, currency, key="runs.table.all")
    return runs


def describe(runs: pd.DataFrame, run_id: str) -> str:
    row = runs[runs["run_id"] == run_id].iloc[0]
    return plans.run_name({str(k): v for k, v in row.items()})


def compare_section(store: RunStore, runs: pd.DataFrame) -> None:
    ids = list(runs["run_id"])
    state.keep_valid(state.W_RUNS_COMPARE, ids)
    chosen = st.multiselect(
        "Compare runs side by side",
        ids,
        format_func=lambda r: describe(runs, r),
        key=state.W_RUNS_COMPARE,
    )
    if len(chosen) >= 2:
        table = store.compare(chosen)
        st.dataframe(formats.by_row_name(table, widgets.currency()), key="runs.compared")
        views.show_run_cost_differences(table, widgets.currency())
        st.download_button(
            "Download the comparison (.csv)",
            table.to_csv().encode("utf-8"),
            file_name="runs-compared.csv",
            key="runs.compared.csv",
            on_click="ignore",
        )


def use_scenario(run_id: str) -> None:
    try:
        run = RunStore().get(run_id)
    except RunStoreError as error:
        state.set_error("runs", str(error))
        return
    state.set_workspace(loading.open_scenario(run.scenario, f"run {run_id}"))
    state.set_error("runs", None)


def ask_delete(run_id: str) -> None:
    state.set_confirm_delete(run_id)


def confirm_delete() -> None:
    run_id = state.confirm_delete()
    state.set_confirm_delete(None)
    if not run_id:
        return
    try:
        RunStore().delete(run_id)
    except RunStoreError as error:
        state.set_error("runs", str(error))
        return
    st.session_state.pop(state.W_RUNS_OPEN, None)
    if st.query_params.get(RUN_PARAM) == run_id:
        del st.query_params[RUN_PARAM]
    state.set_error("runs", None)


def linked_run(ids: list[str]) -> None:
    """The run the address asks for (``?run=<id>``) becomes the open one; an id the store
    does not hold gets a message."""
    asked = st.query_params.get(RUN_PARAM)
    if not asked:
        return
    if asked in ids:
        st.session_state[state.W_RUNS_OPEN] = asked
        return
    st.error(
        f"Run {asked} is not in this run store: it was deleted, or saved in another store. "
        "Choose one of the runs below."
    )


def follow_choice() -> None:
    """The address follows the open run, so it can be bookmarked or sent."""
    st.query_params[RUN_PARAM] = st.session_state[state.W_RUNS_OPEN]


def open_section(store: RunStore, runs: pd.DataFrame) -> None:
    ids = list(runs["run_id"])
    state.keep_valid(state.W_RUNS_OPEN, ids)
    linked_run(ids)
    run_id = st.selectbox(
        "Open a run",
        ids,
        format_func=lambda r: describe(runs, r),
        key=state.W_RUNS_OPEN,
        on_change=follow_choice,
    )
    if not run_id:
        return
    try:
        run = store.get(run_id)
    except RunStoreError as error:  # e.g. deleted in another tab since the list was read
        st.error(f"Run {run_id} cannot be opened: {error}")
        return
    st.subheader(f"{run.kind.value} run {run.run_id}")
    if run.label:  # a compare run's label names both plans: too long for a heading
        st.markdown(f"**{run.label}**")
    st.caption(
        f"Scenario {run.scenario_name} · saved {run.created_at:%Y-%m-%d %H:%M} UTC · "
        + formats.parameters_text(run.parameters, run.scenario.finance.currency)
    )
    cols = st.columns([3, 1, 1, 1])
    label = cols[0].text_input("Label", value=run.label, key=f"{state.W_RUNS_LABEL}.{run_id}")
    if cols[1].button("Save label", key=state.W_RUNS_RELABEL):
        store.relabel(run_id, label)
        st.rerun()
    cols[2].download_button(
        "Scenario snapshot (.xlsx)",
        partial(store.scenario_bytes, run_id),
        file_name=f"scenario-{run_id}.xlsx",
        key="runs.scenario.xlsx",
        on_click="ignore",
    )
    cols[3].button(
        "Use this scenario",
        key=state.W_RUNS_USE,
        on_click=use_scenario,
        args=(run_id,),
        help="Open the run's scenario on the Scenario page, to change it and run again.",
    )
    if state.confirm_delete() == run_id:
        st.warning(f"Delete run {run_id} and its tables for good?")
        left, right = st.columns(2)
        left.button(
            "Yes, delete it",
            key=state.W_RUNS_CONFIRM,
            on_click=confirm_delete,
            type="primary",
            icon=":material/delete_forever:",
        )
        right.button(
            "Cancel", key=state.W_RUNS_CANCEL, on_click=state.set_confirm_delete, args=(None,)
        )
    else:
        st.button(
            "Delete this run",
            key=state.W_RUNS_DELETE,
            on_click=ask_delete,
            args=(run_id,),
            icon=":material/delete:",
        )
    st.divider()
    views.show_outcome(run.kind.value, tasks.outcome_of_run(run), f"runs.{run_id}")


st.title("Runs")
st.caption(
    "Every optimize, cost-of-resilience and stress run made here or with the `sourcing` "
    f"command, kept in {default_store_path()}."
)
widgets.job_error("runs")
try:
    store = RunStore()
    runs = listing(store)
    if not runs.empty:
        compare_section(store, runs)
        st.divider()
        open_section(store, runs)
    else:
        linked_run([])
except RunStoreError as error:
    st.error(f"The run store cannot be used: {error}")
