"""Suppliers: scorecards from the PO history, the decision rules replayed on it, and the
suppliers calibrated on it, as a what-if and in a stress test beside the typed-in ones."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import streamlit as st

from engine import api
from engine.api import (
    ALL_PERIODS,
    Calibration,
    DecisionRules,
    DefectPauseRule,
    History,
    LateShiftRule,
    Scenario,
    ScoreWeights,
)
from ui import history_charts, history_tasks, jobs, loading, plans, state, views, widgets

JOB_SIDE_BY_SIDE = "suppliers.stress"
_HISTORY = "suppliers.history"  # (label, History) of the history in use
_UPLOADED = "suppliers.uploaded"  # digest of the upload last read
_CALIBRATION = "suppliers.calibration"  # ((history label, scenario label, min POs), Calibration)

OVERALL_COLUMNS = {
    "supplier": "supplier",
    "pos": "POs",
    "on_time_rate": "on time",
    "in_full_rate": "in full",
    "otif_rate": "OTIF",
    "otif_pos": "POs judged",
    "lead_time_mean_days": "lead time (days)",
    "lead_time_p90_days": "lead time P90",
    "production_mean_days": "production (days)",
    "transit_mean_days": "transit (days)",
    "defect_pct": "defects %",
    "defect_ppm": "defects PPM",
    "price_variance_agreed_pct": "price vs agreed %",
    "price_variance_scenario_pct": "price vs price breaks %",
    "score": "score",
    "score_ci_low": "score low",
    "score_ci_high": "score high",
}


def choose_history(current: Scenario) -> tuple[str, History] | None:
    """The history in use: an upload or the bundled example; problems shown where found."""
    example = history_tasks.example_history(current.name)
    cols = st.columns([3, 1])
    upload = cols[0].file_uploader(
        "PO history (CSV or Excel, one row per PO line: see docs/po-history.md)",
        type=["csv", "xlsx"],
        key=state.W_SU_UPLOAD,
    )
    if example is not None and cols[1].button(
        "Use the example history", key=state.W_SU_EXAMPLE, help=f"{example.name}, a year of POs"
    ):
        st.session_state[_HISTORY] = (example.name, api.read_history(example, current))
    if upload is not None:
        label, data = upload.name, upload.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        if st.session_state.get(_UPLOADED) != digest:
            history, problems = history_tasks.read_upload(label, data, current)
            if history is None:
                st.error(f"{label} cannot be used: fix these problems and upload it again.")
            elif problems:
                st.warning(f"{label}: {len(problems)} warning(s)")
            if problems:
                widgets.problems_table(problems, key="suppliers.problems")
            if history is None:
                return None
            st.session_state[_UPLOADED] = digest
            st.session_state[_HISTORY] = (label, history)
    held = st.session_state.get(_HISTORY)
    if held is None:
        st.info(
            "Upload your PO history"
            + (" or use the example history of this scenario." if example else ".")
        )
    return held


def weights() -> ScoreWeights:
    with st.expander("Score weights (the overall score is their weighted mean, 0-100)"):
        cols = st.columns(4)
        defaults = ScoreWeights()
        values = {
            name: cols[i].number_input(
                label,
                min_value=0.0,
                value=getattr(defaults, name),
                step=0.05,
                key=f"{state.W_SU_WEIGHTS}.{name}",
            )
            for i, (name, label) in enumerate(
                (
                    ("otif", "OTIF"),
                    ("quality", "quality"),
                    ("cost", "cost"),
                    ("lead_time", "lead-time spread"),
                )
            )
        }
        st.caption(
            "OTIF scores 100 x the OTIF rate; quality 100 at no defects, 0 from 5 %; cost 100 "
            "at the agreed price or below, 0 from 10 % above; lead time 100 without spread, "
            "0 from a coefficient of variation of 0.5."
        )
    if sum(values.values()) <= 0:
        st.warning("All weights are 0: the default weights are used.")
        return defaults
    return ScoreWeights(**values)


def show_scorecards(current: Scenario, history: History) -> None:
    cards = api.scorecards(history, current, weights())
    overall = cards.suppliers[cards.suppliers["period"] == ALL_PERIODS]
    st.markdown(
        f"**Whole history to {cards.as_of}**: rates with their 95 % interval in the quarter "
        "charts; *POs judged* is how many POs the OTIF rate rests on."
    )
    st.dataframe(
        overall[list(OVERALL_COLUMNS)].rename(columns=OVERALL_COLUMNS),
        hide_index=True,
        key="suppliers.overall",
        column_config={
            c: st.column_config.NumberColumn(format="percent")
            for c in ("on time", "in full", "OTIF")
        },
    )
    quarters = cards.suppliers[cards.suppliers["period"] != ALL_PERIODS]
    left, right = st.columns(2)
    with left:
        st.markdown("**On time per quarter (95 % interval)**")
        st.altair_chart(
            history_charts.quarterly(
                quarters, "on_time_rate", "on_time_ci_low", "on_time_ci_high", "on time", "%"
            ),
            width="stretch",
        )
    with right:
        st.markdown("**Defects per quarter, % of units received (95 % interval)**")
        st.altair_chart(
            history_charts.quarterly(
                quarters,
                "defect_pct",
                "defect_ci_low_pct",
                "defect_ci_high_pct",
                "defects %",
                ".2f",
            ),
            width="stretch",
        )
    show_lead_times(current, cards.outcomes)
    with st.expander("Per quarter, per supplier x SKU, trends"):
        st.dataframe(cards.suppliers, hide_index=True, key="suppliers.quarters")
        st.dataframe(cards.supplier_skus, hide_index=True, key="suppliers.skus")
        st.dataframe(cards.trend, hide_index=True, key="suppliers.trend")
    st.download_button(
        "Download the scorecards (Excel)",
        loading.tables_xlsx(cards.tables()),
        file_name=f"{current.name}-scorecards.xlsx",
    )


def show_lead_times(current: Scenario, judged: pd.DataFrame) -> None:
    """Observed production days of one supplier against the scenario's distribution (and the
    calibrated one, once fitted)."""
    rows = {s.supplier: s for s in current.suppliers}
    codes = [c for c in sorted(judged["supplier"].unique()) if c in rows]
    if not codes:
        return
    state.keep_valid(state.W_SU_SUPPLIER, codes)
    code = st.selectbox("Lead times of", codes, key=state.W_SU_SUPPLIER)
    days = judged.loc[judged["supplier"] == code, "production_days"].dropna()
    if days.empty:
        st.caption("No PO of this supplier has a ship date yet.")
        return
    observed = days.value_counts(normalize=True).rename_axis("days").reset_index(name="share")
    grid = np.arange(max(0, int(days.min()) - 10), int(days.max()) + 15)
    models = []
    sources = [("scenario (typed in)", rows[code])]
    held = st.session_state.get(_CALIBRATION)
    if held is not None:
        fitted = {s.supplier: s for s in held[1].scenario.suppliers}
        if code in fitted:
            sources.append(("calibrated", fitted[code]))
    for label, row in sources:
        if row.production_lead_time_days_std <= 0:
            continue
        probabilities = api.lead_time_probabilities(
            grid,
            row.production_lead_time_days_mean,
            row.production_lead_time_days_std,
            row.on_time_rate,
        )
        models.append(pd.DataFrame({"days": grid, "probability": probabilities, "model": label}))
    st.markdown(f"**{code}: PO to ship, {len(days)} POs, against the simulation's distribution**")
    st.altair_chart(
        history_charts.lead_time_distribution(observed, pd.concat(models, ignore_index=True)),
        width="stretch",
    )


def show_replay(current: Scenario, history: History) -> None:
    st.caption(
        "The stress test's decision rules, fed with what really happened: lots judged late "
        "against their promised date when they shipped, rejects counted when they arrived."
    )
    cols = st.columns(5)
    late_n = cols[0].number_input("late POs in a row", 1, 20, 3, key=state.W_SU_LATE_N)
    share = cols[1].slider("share shifted (%)", 5, 100, 20, step=5, key=state.W_SU_LATE_SHARE)
    rate = cols[2].slider("defect threshold (%)", 1, 30, 5, key=state.W_SU_DEFECT_RATE)
    window = cols[3].number_input("over the last lots", 1, 20, 3, key=state.W_SU_DEFECT_WINDOW)
    pause = cols[4].number_input("pause (days)", 1, 365, 30, key=state.W_SU_PAUSE_DAYS)
    rules = DecisionRules(
        late_shift=LateShiftRule(int(late_n), share / 100),
        defect_pause=DefectPauseRule(rate / 100, int(window), int(pause)),
    )
    replay = api.replay_rules(current, history, rules)
    moves = replay.moves
    st.markdown(
        f"**{len(replay.firings[replay.firings['event'].isin(['shift on', 'pause'])])} "
        f"firings; {len(moves)} POs would have moved ({moves['moved_units'].sum():,.0f} units, "
        f"price difference {moves['price_difference'].sum():+,.0f} "
        f"{current.finance.currency}).**"
    )
    st.dataframe(replay.firings, hide_index=True, key="suppliers.firings")
    st.dataframe(moves, hide_index=True, key="suppliers.moves")


def calibration_of(current: Scenario, label: str, history: History) -> Calibration | None:
    min_pos = st.number_input(
        "POs a figure needs to replace the typed-in value",
        3,
        500,
        api.MIN_POS,
        key=state.W_SU_MIN_POS,
    )
    key = (label, state.scenario_label(), int(min_pos))
    held = st.session_state.get(_CALIBRATION)
    if st.button("Fit the suppliers to the history", key=state.W_SU_FIT, type="primary"):
        with st.spinner("Fitting lead-time distributions..."):
            held = (key, api.calibrate(current, history, int(min_pos)))
        st.session_state[_CALIBRATION] = held
    if held is None or held[0] != key:
        return None
    return held[1]


def show_calibration(current: Scenario, label: str, history: History) -> None:
    calibration = calibration_of(current, label, history)
    if calibration is None:
        st.caption(
            "Fits each supplier's lead time (the simulation's own distribution), on-time and "
            "defect rates and price drift, and each lane's transit time; a figure with too few "
            "POs keeps its value."
        )
        return
    st.dataframe(calibration.changes, hide_index=True, key="suppliers.changes")
    with st.expander("Lead-time fits and their goodness of fit"):
        st.dataframe(calibration.fits, hide_index=True, key="suppliers.fits")
    if st.button(
        "Open the calibrated scenario (for every page)",
        key=state.W_SU_APPLY,
        help="Replaces the scenario being worked on; the Scenario page can reopen the original.",
    ):
        state.set_workspace(
            loading.open_scenario(
                calibration.scenario, f"{state.scenario_label()} calibrated on {label}"
            )
        )
        st.session_state.pop(_CALIBRATION, None)
        st.rerun()
    st.subheader("Stress test: typed-in against calibrated suppliers")
    choices, problem = plans.plan_choices(current)
    if problem:
        st.warning(f"The run store could not be read, so only policies are offered: {problem}")
    plan = widgets.plan_picker("Plan or policy", choices, state.W_SU_PLAN)
    cols = st.columns(2)
    replications = cols[0].number_input("Replications", 2, 5000, 100, 10, key=state.W_SU_REPS)
    seed = cols[1].number_input("Seed (same seed, same result)", 0, value=0, key=state.W_SU_SEED)
    name = state.scenario_label() or current.name
    st.caption(jobs.estimate_note(JOB_SIDE_BY_SIDE, name, 2 * int(replications), current))
    busy = jobs.running(JOB_SIDE_BY_SIDE) is not None
    if st.button("Run both stress tests", key=state.W_SU_RUN, disabled=busy):
        request = history_tasks.SideBySideRequest(
            typed=current,
            calibrated=calibration.scenario,
            scenario_name=name,
            plan=choices[plan],
            replications=int(replications),
            seed=int(seed),
        )
        jobs.submit(
            JOB_SIDE_BY_SIDE,
            f"Typed-in vs calibrated suppliers ({int(replications)} replications each)",
            history_tasks.run_side_by_side,
            request,
            work_units=2 * int(replications),
            unit="replications (both counted)",
            scenario=current,
        )
        st.rerun()
    jobs.watch(JOB_SIDE_BY_SIDE)
    widgets.job_error(JOB_SIDE_BY_SIDE)
    outcome = state.result(JOB_SIDE_BY_SIDE)
    if outcome is not None:
        st.caption("Both run with the same seed: the same demand, disruptions and draws.")
        views.show_stress(outcome, "suppliers.result")


st.title("Suppliers")
st.caption(
    "What the PO history says about each supplier: on time, in full, lead times, defects and "
    "prices with the POs behind each figure; what the decision rules would have done; and the "
    "scenario with its suppliers fitted to the history."
)
current = widgets.need_scenario()
if current is None:
    st.stop()
held = choose_history(current)
if held is None:
    st.stop()
label, history = held
st.success(
    f"{label}: {len(history.frame)} PO lines of {history.frame['supplier'].nunique()} suppliers."
)
scorecard_tab, replay_tab, calibration_tab = st.tabs(
    ["Scorecards", "Rules replayed", "Calibration and stress test"]
)
with scorecard_tab:
    show_scorecards(current, history)
with replay_tab:
    show_replay(current, history)
with calibration_tab:
    show_calibration(current, label, history)
