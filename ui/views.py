"""Result views shared by the pages and the Runs page: each renders an ``Outcome``'s tables,
so a fresh result and a run reopened the next day look the same."""

from __future__ import annotations

from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from engine import api
from ui import charts, formats, loading, plans
from ui.job_types import Outcome
from ui.tasks import HEADLINE_MEASURES

PERCENT = st.column_config.NumberColumn(format="percent")
CHECKER_FIGURES = ("solver", "checker", "difference")
PLAN_WITH_SPLITS = "plan with your splits"
FREE_OPTIMUM = "free optimum"
"""The two plans of an optimize with splits, in its metrics and its chart's legend."""


# ---------------------------------------------------------------- numbers


number = formats.number
money = formats.money


def fmt(value: Any, kind: str, currency: str = "") -> str:
    """A measure as text: ``pct``, ``money``, ``money2`` or ``days`` (``ui.formats``)."""
    return formats.value(value, kind, currency)


def table(
    frame: pd.DataFrame,
    currency: str = "",
    key: str | None = None,
    kinds: dict[str, formats.Kind] | None = None,
) -> None:
    """A table as every page shows one: numbers and dates in the app's formats."""
    st.dataframe(formats.readable(frame, currency, kinds), hide_index=True, key=key)


# ---------------------------------------------------------------- downloads


def downloads(
    tables: dict[str, pd.DataFrame],
    stem: str,
    key: str,
    main: str | None = None,
    outcome: Outcome | None = None,
) -> None:
    """Download buttons: every table as one .xlsx, and the main table as CSV. The raw columns
    are kept (for spreadsheets); each period column gains its date beside it."""
    if outcome is not None:
        tables = {
            name: formats.with_dates(frame, outcome.start_date, outcome.period_days)
            for name, frame in tables.items()
        }
    left, right = st.columns(2)
    left.download_button(
        "Download results (.xlsx)",
        partial(loading.tables_xlsx, tables),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}.xlsx",
        on_click="ignore",
    )
    if main and main in tables:
        right.download_button(
            f"Download {main.replace('_', ' ')} (.csv)",
            tables[main].to_csv(index=False).encode("utf-8"),
            file_name=f"{stem}-{main}.csv",
            mime="text/csv",
            key=f"{key}.csv",
            on_click="ignore",
        )


def saved_note(outcome: Outcome) -> None:
    if outcome.save_error:
        st.warning(f"The run could not be saved to the run store: {outcome.save_error}")
    elif outcome.run_id:
        st.caption(
            f"Saved as run `{outcome.run_id}`: [open it on the Runs page]"
            f"(runs?run={outcome.run_id}) (a link you can keep)."
        )


# ---------------------------------------------------------------- optimize


def status_message(metrics: dict[str, Any], currency: str) -> tuple[str, str]:
    """(level, text): the solve status told honestly, level one of success/warning/error."""
    status = str(metrics.get("status", ""))
    total = money(metrics.get("total_cost"), currency)
    gap = number(metrics.get("gap"))
    gap_text = "" if gap is None else f"{gap:.1%}"
    seconds = number(metrics.get("solve_seconds")) or 0.0
    note = _budget_note(metrics)
    if status == "optimal":
        return (
            "success",
            f"Optimal plan: total landed cost {total} (within {gap_text} of the best).{note}",
        )
    if status == "feasible":
        return (
            "warning",
            f"Feasible plan, gap {gap_text}: total landed cost {total}. The solver stopped at its "
            f"budget after {seconds:.0f} s; a cheaper plan may exist (raise the work budget)."
            + note,
        )
    if status == "no_solution":
        return (
            "error",
            f"No plan found within the budget ({seconds:.0f} s). Raise the work budget or "
            "try the 'horizon' price tiers, which solve faster." + note,
        )
    if status == "infeasible":
        return "error", "No plan can meet this scenario; see why below."
    return "error", f"The solver stopped with status '{status}'."


def _budget_note(metrics: dict[str, Any]) -> str:
    """Where the bound comes from, and whether the run can be repeated (runs saved before work
    budgets have neither)."""
    note = ""
    if metrics.get("bound_source"):
        note += f" Bound: {metrics['bound_source']}."
    if metrics.get("budget") == "time":
        note += " Budget in seconds: another run may give another plan."
    elif metrics.get("cut_by_time_limit"):
        note += (
            f" The safety time limit cut: {metrics['cut_by_time_limit']}; another run may give "
            "another plan (raise the safety limit)."
        )
    return note


def _show_status(metrics: dict[str, Any], currency: str) -> None:
    level, text = status_message(metrics, currency)
    getattr(st, level)(text)


def show_plan(outcome: Outcome, key: str) -> None:
    """Status, cost against the free optimum, allocation, PO timeline, costs, downloads."""
    tables, metrics, currency = outcome.tables, outcome.metrics, outcome.currency
    _show_status(metrics, currency)
    diagnosis = tables.get("diagnosis")
    if diagnosis is not None and not diagnosis.empty:
        for line in diagnosis["diagnosis"]:
            st.error(str(line))
    if str(metrics.get("status")) not in ("optimal", "feasible"):
        return
    _against_free(metrics, currency)
    if metrics.get("checker"):
        _show_checker(metrics["checker"] == "agrees", tables.get("checker"), key)
    _show_replay(metrics, tables.get("replay"))
    shares = tables.get("shares", pd.DataFrame())
    st.subheader("Allocation: share of each SKU's units per supplier")
    if shares.empty or shares["quantity_units"].sum() <= 0:
        st.info("The plan orders nothing.")
    else:
        st.altair_chart(charts.allocation(shares), width="stretch")
        table(allocation_table(shares), currency, key=f"{key}.shares")
    pos = tables.get("purchase_orders", pd.DataFrame())
    st.subheader(f"Purchase orders ({len(pos)})")
    if not pos.empty:
        st.altair_chart(
            charts.po_timeline(pos, outcome.start_date, outcome.period_days, currency),
            width="stretch",
        )
        with st.expander("PO table"):
            table(formats.with_dates(pos, outcome.start_date, outcome.period_days), currency)
    st.subheader(f"Cost breakdown ({currency})")
    free = tables.get("free_costs")
    with_free = free is not None and not free.empty
    costs = (
        {PLAN_WITH_SPLITS if with_free else "plan": tables["costs"]} if "costs" in tables else {}
    )
    if free is not None and not free.empty:
        costs[FREE_OPTIMUM] = free
    if costs:
        st.altair_chart(charts.cost_breakdown(costs, currency), width="stretch")
    downloads(
        tables,
        f"plan-{outcome.run_id or 'latest'}",
        f"{key}.download",
        "purchase_orders",
        outcome,
    )
    saved_note(outcome)


def _show_replay(metrics: dict[str, Any], replay: pd.DataFrame | None) -> None:
    """The plan simulated once without randomness, beside its own figures."""
    if not metrics.get("replay"):
        return
    line = (
        f"fill rate {float(metrics['replay_fill_rate']):.1%} "
        f"(planned {float(metrics['planned_fill_rate']):.1%}), lost "
        f"{float(metrics['replay_lost_units']):,.0f} units "
        f"(planned {float(metrics['planned_lost_units']):,.0f})"
    )
    if metrics["replay"] == "agrees":
        st.caption(
            f"Replayed without randomness: {line}; every figure as planned, within the "
            "day/period rounding."
        )
    else:
        st.warning(
            f"Replayed without randomness, the plan DIFFERS from its own figures: {line}. "
            "It cannot be executed as written: check it before stress-testing or exporting it."
        )
    if replay is not None and not replay.empty:
        with st.expander("Replay: planned and replayed figures"):
            differs = replay[~replay["ok"].astype(bool)]
            table(differs if not differs.empty else replay[replay["period"] == 0])


def _show_checker(agrees: bool, differences: pd.DataFrame | None, key: str) -> None:
    """The independent checker's verdict; when it disagrees, every difference it found."""
    if agrees:
        st.caption("Independent checker: the plan meets every constraint and its cost agrees.")
        return
    st.error(
        "Independent checker DISAGREES with the solver: each broken constraint or cost "
        "component that differs (solver against checker) is listed here."
    )
    if differences is not None and not differences.empty:
        plain = formats.Kind.NUMBER  # money, units or shares, by row
        table(differences, "", f"{key}.checker", dict.fromkeys(CHECKER_FIGURES, plain))
    else:
        st.caption("This run was saved without the checker's differences.")


def allocation_table(shares: pd.DataFrame) -> pd.DataFrame:
    """SKU, supplier, units, achieved share and the planner's target share (if any)."""
    frame = shares.rename(
        columns={"quantity_units": "units", "target_share": "target share"}
    ).copy()
    if "target share" in frame:
        targets = pd.to_numeric(frame["target share"], errors="coerce")
        frame["target share"] = ["" if pd.isna(t) else formats.pct(t, 0) for t in targets]
    columns = [c for c in ("sku", "supplier", "units", "share", "target share") if c in frame]
    return frame[columns].sort_values(["sku", "share"], ascending=[True, False])


def _against_free(metrics: dict[str, Any], currency: str) -> None:
    if metrics.get("free_status") is None:
        st.metric("Total landed cost", money(metrics.get("total_cost"), currency))
        return
    extra = number(metrics.get("extra_cost_vs_free"))
    marginal = number(metrics.get("exact_marginal_cost"))
    one, two, three, four = st.columns(4)
    one.metric(
        PLAN_WITH_SPLITS.capitalize(),
        money(metrics.get("total_cost"), currency),
        help=f"Solver's {_gap_words(metrics.get('gap'))}.",
    )
    two.metric(
        FREE_OPTIMUM.capitalize(),
        money(metrics.get("free_total_cost"), currency),
        help=f"Solver's {_gap_words(metrics.get('free_gap'))}.",
    )
    three.metric(
        "Difference of the two plans",
        money(extra, currency),
        help="The plan with your splits less the free optimum, as the two solves found them.",
    )
    four.metric(
        "Exact marginal cost of the splits",
        money(marginal, currency),
        help=f"Only the split SKUs re-planned under the splits, {api.HELD_FIXED} at the "
        "free optimum's decisions, solved to proven optimality in that smaller model.",
    )
    st.caption(_difference_words(metrics, currency))
    if marginal is not None:
        told = api.MarginalCost(
            (),
            marginal,
            0.0,
            number(metrics.get("marginal_low")),
            number(metrics.get("marginal_high")),
            metrics.get("marginal_proven") == "yes",
        ).text(currency)
        st.caption(f"The splits: {told}. See docs/comparisons.md for what each number means.")


def _gap_words(gap: Any) -> str:
    value = number(gap)
    return "gap: none known" if value is None else f"gap {value:.1%}"


def _difference_words(metrics: dict[str, Any], currency: str) -> str:
    """The difference of the two plans with the interval their gaps allow, in words."""
    extra = number(metrics.get("extra_cost_vs_free"))
    if extra is None:
        return "No difference: one of the two solves found no plan."
    difference = api.PlanDifference(
        extra, number(metrics.get("extra_cost_low")), number(metrics.get("extra_cost_high"))
    )
    gaps = (
        f"plan {_gap_words(metrics.get('gap'))}, free optimum {_gap_words(metrics.get('free_gap'))}"
    )
    return f"Difference {difference.verdict(currency)} ({gaps})."


def show_run_cost_differences(compared: pd.DataFrame, currency: str = "") -> None:
    """Stored runs compared: each plan cost against the first run's, with the gaps' interval."""
    costs = api.run_cost_differences(compared)
    if costs.empty:
        return
    st.caption(
        "Plan costs against the first run: the difference and the interval the solvers' gaps "
        f"allow, [bound - first plan, plan - first bound]; '{api.CANNOT_TELL}' when it holds 0."
    )
    money = formats.Kind.MONEY
    table(costs, currency, "runs.cost_differences", {"low": money, "high": money})


# ---------------------------------------------------------------- frontier


def show_frontier(outcome: Outcome, key: str) -> None:
    frontier_table = outcome.tables.get("frontier", pd.DataFrame())
    if frontier_table.empty:
        st.info("No points.")
        return
    st.markdown(f"**Extra cost of each case against the free optimum ({outcome.currency})**")
    st.altair_chart(charts.frontier(frontier_table, outcome.currency), width="stretch")
    shown = [
        c
        for c in (
            "case",
            "status",
            "total_cost",
            "gap",
            "extra_cost_vs_free",
            "extra_cost_low",
            "extra_cost_high",
            "within_solver_gap",
            "exact_marginal_cost",
            "marginal_proven",
            "policy_binds",
        )
        if c in frontier_table
    ]
    st.caption(
        "extra_cost_vs_free: the point's plan cost less the free optimum's; the true difference "
        "of the two optima lies in [extra_cost_low, extra_cost_high] (the solvers' gaps); "
        f"within_solver_gap: {api.CANNOT_TELL}. exact_marginal_cost: only the protected SKUs "
        f"re-planned under the point's policy, {api.HELD_FIXED} at the free optimum "
        "(proven optimal when marginal_proven). policy_binds off: the free optimum's plan "
        "already meets the point's policy, so it is the point's plan too, with the free "
        "optimum's bound."
    )
    table(frontier_table[shown], outcome.currency, key=f"{key}.table")
    downloads(
        outcome.tables, f"frontier-{outcome.run_id or 'latest'}", f"{key}.download", "frontier"
    )
    saved_note(outcome)


# ---------------------------------------------------------------- stress tests


def plan_names(outcome: Outcome) -> dict[str, str]:
    """Prefix -> the plan's name in the charts' legends and the tables' headers: what the plan
    is, shortly (``plans.short_name``), with A and B in front when two are compared
    (``A · SKU-0001 70/30 CN-001/VN-002``, ``B · free optimum``); ``name_a`` and
    ``name_b`` in the metrics name them outright (3PL and direct, typed-in and calibrated
    suppliers). Their full names are in ``plan_labels``."""
    metrics = outcome.metrics
    if "a_summary" in outcome.tables:
        if metrics.get("name_a") and metrics.get("name_b"):
            return {"a_": str(metrics["name_a"]), "b_": str(metrics["name_b"])}
        if metrics.get("plan_a") == "3PL" and metrics.get("plan_b") == "direct":
            return {"a_": "3PL", "b_": "direct"}
        if metrics.get("plan_a") and metrics.get("plan_b"):
            return {
                "a_": f"A · {plans.short_name(str(metrics['plan_a']))}",
                "b_": f"B · {plans.short_name(str(metrics['plan_b']))}",
            }
        return {"a_": "plan A", "b_": "plan B"}
    return {"": plans.short_name(str(metrics["plan"])) if metrics.get("plan") else "plan"}


def plan_labels(outcome: Outcome) -> str:
    """What was tested, in words ("" when the run does not say)."""
    metrics = outcome.metrics
    if "a_summary" in outcome.tables:
        if metrics.get("plan_a") and metrics.get("plan_b"):
            return f"Plan A: {metrics['plan_a']}. Plan B: {metrics['plan_b']}."
        return ""
    return f"Plan: {metrics['plan']}." if metrics.get("plan") else ""


def difference_name(names: dict[str, str]) -> str:
    """The header of the paired difference: ``difference (B − A)``, or the two plans' own
    names when they are not lettered (``difference (direct − 3PL)``)."""
    first, second = names.get("a_", "A"), names.get("b_", "B")
    if first.startswith("A · ") and second.startswith("B · "):
        return "difference (B − A)"
    return f"difference ({second} − {first})"


def fan_of(outcome: Outcome, prefix: str) -> pd.DataFrame | None:
    """The run's fan table (cash and stock bands), if it has one."""
    return outcome.tables.get(f"{prefix}fan")


def headline_table(outcome: Outcome) -> pd.DataFrame:
    """Measures as rows: mean [95 % CI] and P5-P95 per plan; the paired difference for two."""
    names, currency = plan_names(outcome), outcome.currency
    rows = []
    for measure, label, kind in HEADLINE_MEASURES:
        row: dict[str, str] = {"measure": label}
        present = False
        for prefix, plan in names.items():
            summary = outcome.tables.get(f"{prefix}summary", pd.DataFrame())
            found = summary[summary["measure"] == measure] if not summary.empty else summary
            if found.empty:
                continue
            present = True
            item = found.iloc[0]
            row[plan] = (
                f"{fmt(item['mean'], kind, currency)} "
                f"[{fmt(item['ci_low'], kind, currency)}, {fmt(item['ci_high'], kind, currency)}]"
            )
            row[f"{plan}: P5 – P95"] = (
                f"{fmt(item['p5'], kind, currency)} – {fmt(item['p95'], kind, currency)}"
            )
        difference = outcome.tables.get("difference")
        if difference is not None and len(names) == 2 and not difference.empty:
            found = difference[difference["measure"] == measure]
            if not found.empty:
                item = found.iloc[0]
                text = fmt(item["mean_difference"], kind, currency)
                if "ci_low" in item and number(item["ci_low"]) is not None:
                    text += (
                        f" [{fmt(item['ci_low'], kind, currency)}, "
                        f"{fmt(item['ci_high'], kind, currency)}]"
                    )
                row[difference_name(names)] = text
        if present:
            rows.append(row)
    return pd.DataFrame(rows)


def show_stress(outcome: Outcome, key: str) -> None:
    """Headline measures, fan charts of cash and stock, distributions, per-SKU service."""
    names, currency = plan_names(outcome), outcome.currency
    tables = outcome.tables
    reps = number(outcome.metrics.get("replications"))
    if plan_labels(outcome):
        st.markdown(plan_labels(outcome))
    st.caption(
        f"{reps:.0f} replications; mean [95 % confidence interval] and P5 – P95."
        if reps
        else "Mean [95 % confidence interval] and P5 – P95."
    )
    headline = headline_table(outcome)
    if not headline.empty:  # a plain table: it wraps to the page's width, every column shown
        st.table(headline.set_index("measure"))
    fans = {plan: fan for p, plan in names.items() if (fan := fan_of(outcome, p)) is not None}
    if fans:
        left, right = st.columns(2)
        with left:
            st.markdown("**Cash (P5 – P95 band, median line)**")
            st.altair_chart(charts.fan(fans, "cash", f"cash ({currency})"), width="stretch")
        if any("on_hand_p50" in fan.columns for fan in fans.values()):
            with right:
                st.markdown("**Stock on hand (P5 – P95 band, median line)**")
                st.altair_chart(
                    charts.fan(fans, "on_hand", "stock on hand (units)"), width="stretch"
                )
    reps_tables = {
        plan: tables[f"{p}replications"]
        for p, plan in names.items()
        if f"{p}replications" in tables
    }
    if reps_tables:
        st.markdown("**Distributions over the replications**")
        cols = st.columns(3)
        specs = (
            ("fill_rate", "fill rate", "%"),
            ("lost_revenue", f"lost revenue ({currency})", ",.0f"),
            ("realized_landed_cost_per_unit", f"landed cost per unit ({currency})", ",.2f"),
        )
        for col, (measure, title, form) in zip(cols, specs, strict=True):
            with col:
                st.altair_chart(
                    charts.distribution(reps_tables, measure, title, form), width="stretch"
                )
    for prefix, plan in names.items():
        skus = tables.get(f"{prefix}skus")
        if skus is not None and not skus.empty:
            with st.expander(f"Service per SKU: {plan} (means over the replications)"):
                table(skus, currency)
    main = "difference" if len(names) == 2 else "summary"
    downloads(tables, f"stress-{outcome.run_id or 'latest'}", f"{key}.download", main, outcome)
    saved_note(outcome)


def show_outcome(kind: str, outcome: Outcome, key: str) -> None:
    """Render any stored run by its kind."""
    if kind == "optimize":
        show_plan(outcome, key)
    elif kind == "frontier":
        show_frontier(outcome, key)
    else:
        show_stress(outcome, key)
