"""Finance: the plan's cash curve, peak working capital, the cash-conversion cycle under 3PL
and direct fulfilment, and what supplier deposit terms cost."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine.api import (
    BalanceSheet,
    CycleDays,
    PlanWorkingCapital,
    RunStore,
    RunStoreError,
    Scenario,
    ScenarioError,
    balance_sheet_cycle,
    landed_cost_table,
)
from engine.api import plan_working_capital as api_plan_working_capital
from ui import charts, jobs, loading, plans, state, tasks, views, widgets

JOB_FINANCE = "finance"
CYCLE = (
    ("dio_days", "DIO"),
    ("dso_days", "DSO"),
    ("dpo_days", "DPO"),
    ("ccc_days", "CCC"),
)


def plan_cash(scenario: Scenario) -> None:
    st.subheader("Cash of a plan")
    choices, problem = plans.plan_choices(scenario)
    planned = {k: c for k, c in choices.items() if c.kind == "plan"}
    if problem:
        st.warning(f"The run store could not be read: {problem}")
    if not planned:
        st.info("Optimize a plan first (Optimize page); its cash curve appears here.")
        return
    key = widgets.plan_picker("Plan", planned, state.W_FI_PLAN)
    choice = planned[key]
    try:
        run = RunStore().get(str(choice.run_id))
    except RunStoreError as error:
        st.error(str(error))
        return
    orders = run.tables.get(choice.table, pd.DataFrame())
    if orders.empty:
        st.info("This plan has no purchase orders.")
        return
    plan = plan_working_capital(str(choice.run_id), choice.table, run.scenario, orders)
    currency = run.scenario.finance.currency
    cycle = plan.measures.cycle
    cols = st.columns(4)
    cols[0].metric(
        "Peak working capital",
        views.money(plan.measures.peak, currency),
        help=WORKING_CAPITAL_HELP,
    )
    cols[1].metric("Average working capital", views.money(plan.measures.average, currency))
    cols[2].metric("Lowest cash position", views.money(plan.min_cash, currency))
    cols[3].metric(
        "Cash-conversion cycle",
        views.fmt(cycle.ccc_days, "days"),
        help=f"DIO {views.fmt(cycle.dio_days, 'days')} + DSO {views.fmt(cycle.dso_days, 'days')}"
        f" − DPO {views.fmt(cycle.dpo_days, 'days')} (DPO on cost of goods sold).",
    )
    st.caption(
        "The plan played day by day without randomness (its deterministic replay), measured "
        "as the stress test measures it: on a scenario without randomness the two agree."
    )
    st.altair_chart(charts.working_capital_curve(plan.timeline, currency), width="stretch")
    balance_sheet(cycle, currency)


WORKING_CAPITAL_HELP = (
    "Inventory (on hand at landed cost and in transit) + money owed by customers + deposits "
    "and balances paid ahead − money owed to suppliers, at the end of each day "
    "(docs/finance.md)."
)


@st.cache_data(show_spinner="Playing the plan day by day...", max_entries=16)
def plan_working_capital(
    run_id: str, table: str, _scenario: Scenario, _orders: pd.DataFrame
) -> PlanWorkingCapital:
    """The plan's working capital (cached per stored plan: a run never changes)."""
    return api_plan_working_capital(_scenario, _orders)


def balance_sheet(plan: CycleDays, currency: str) -> None:
    """Today's balance sheet in, the company's current CCC beside the plan's."""
    with st.expander("Your company's cycle today, beside the plan's"):
        st.caption(
            "Enter today's balances and the cost of goods sold and revenue of the last "
            "period: DIO = inventory / COGS per day, DSO = receivables / revenue per day, "
            "DPO = payables / COGS per day."
        )
        cols = st.columns(6)
        fields = (
            ("inventory", f"Inventory ({currency})"),
            ("receivables", f"Receivables ({currency})"),
            ("payables", f"Payables ({currency})"),
            ("cogs", f"COGS over the period ({currency})"),
            ("revenue", f"Revenue over the period ({currency})"),
        )
        values = {
            name: cols[i].number_input(
                label, min_value=0.0, value=0.0, key=f"{state.W_FI_SHEET}.{name}"
            )
            for i, (name, label) in enumerate(fields)
        }
        days = cols[5].number_input(
            "Period (days)", min_value=1.0, value=365.0, key=f"{state.W_FI_SHEET}.days"
        )
        try:
            today = balance_sheet_cycle(BalanceSheet(**values, period_days=days))
        except ValueError as error:
            st.info(f"Enter the figures to compare: {error}.")
            return
        rows = [
            {
                "measure": label,
                "your company today": views.fmt(getattr(today, name), "days"),
                "the plan": views.fmt(getattr(plan, name), "days"),
            }
            for name, label in CYCLE
        ]
        st.dataframe(pd.DataFrame(rows), hide_index=True, key="finance.balance_sheet")


def cycle_section(scenario: Scenario) -> None:
    st.subheader("Cash-conversion cycle: 3PL versus direct fulfilment")
    st.caption(
        "The same plan simulated twice on the same random numbers: with the 3PL as in the "
        "scenario, and with direct fulfilment from a centre near the factory. Direct holds the "
        "stock near the factory (no sea freight, transit or customs fee: each order crosses "
        "as a parcel), pays the duty as units are sold instead of on arrival, pays the parcel "
        "cost per unit and waits for the marketplace's payout. Enter the direct centre's "
        "parcel cost, delivery time and payout delay below (taken from the scenario's "
        "direct-fulfilment what-if when it has one). DIO counts goods in transit; DPO is on "
        "cost of goods sold and negative when deposits are paid before the goods ship."
    )
    space = state.workspace()
    if space is None:
        return
    choices, _ = plans.plan_choices(scenario)
    driver = widgets.plan_picker("Plan or policy", choices, state.W_FI_DRIVER)
    direct = loading.direct_fulfilment(scenario)
    cols = st.columns(4)
    days = cols[0].number_input(
        "Direct: days to customer",
        min_value=0.0,
        value=float(direct["days_to_customer"]),
        key=state.W_FI_DIRECT_DAYS,
    )
    cost = cols[1].number_input(
        f"Direct: cost per unit ({scenario.finance.currency})",
        min_value=0.0,
        value=float(direct["cost_per_unit"]),
        key=state.W_FI_DIRECT_COST,
    )
    dso = cols[2].number_input(
        "Direct: DSO (days)",
        min_value=0.0,
        value=float(direct["dso_days"]),
        key=state.W_FI_DIRECT_DSO,
    )
    reps = cols[3].number_input(
        "Replications", min_value=2, max_value=2000, value=50, step=10, key=state.W_FI_REPS
    )
    st.caption(fulfilment_differences(scenario, days, cost, dso))
    st.caption(jobs.estimate_note(JOB_FINANCE, state.scenario_label(), 2 * int(reps), scenario))
    busy = jobs.running(JOB_FINANCE) is not None
    if st.button("Compare 3PL and direct", key=state.W_FI_RUN, type="primary", disabled=busy):
        try:
            scenario_direct = loading.with_whatif(
                space,
                None,
                {
                    "fulfilment.model": "direct",
                    "fulfilment.days_to_customer": days,
                    "fulfilment.cost_per_unit": cost,
                    "fulfilment.dso_days": dso,
                },
            ).scenario
        except ScenarioError as error:
            widgets.problems_table(error.problems, key="finance.problems")
        else:
            threepl = scenario
            if scenario.fulfilment.model.value != "domestic_3pl":
                threepl = loading.with_whatif(
                    space, None, {"fulfilment.model": "domestic_3pl"}
                ).scenario
            request = tasks.FulfilmentRequest(
                scenario_3pl=threepl,
                scenario_direct=scenario_direct,
                scenario_name=state.scenario_label(),
                plan=choices[driver],
                replications=int(reps),
            )
            jobs.submit(
                JOB_FINANCE,
                f"3PL versus direct on {scenario.name}",
                tasks.run_fulfilment,
                request,
                work_units=2 * int(reps),
                unit="replications (3PL and direct counted)",
                scenario=scenario,
            )
            st.rerun()
    jobs.watch(JOB_FINANCE)
    widgets.job_error(JOB_FINANCE)
    outcome = state.result(JOB_FINANCE)
    if outcome is not None:
        show_cycle(outcome)


def fulfilment_differences(scenario: Scenario, days: float, cost: float, dso: float) -> str:
    """What the two runs differ in, in words (so equal results say why)."""
    now = scenario.fulfilment
    currency = scenario.finance.currency
    fields = (
        ("days to customer", now.days_to_customer, days, "d"),
        ("parcel cost per unit", now.cost_per_unit, cost, currency),
        ("DSO (payout delay)", now.dso_days, dso, "d"),
    )
    changed = [f"{name} {a:,.2f} → {b:,.2f} {unit}" for name, a, b, unit in fields if a != b]
    same = [f"{name} {a:,.2f} {unit}" for name, a, b, unit in fields if a == b]
    words = "Direct holds the stock near the factory and pays duty as units sell"
    if changed:
        words += "; it also changes " + ", ".join(changed)
    if same:
        words += "; the same under both: " + ", ".join(same)
    return words + " (without freight, insurance, customs fees or duty on the plan's lanes, these "
    "two change nothing)."


def show_cycle(outcome: tasks.Outcome) -> None:
    currency = outcome.currency
    rows = []
    for measure, label in CYCLE:
        for prefix, plan in (("a", "3PL"), ("b", "direct")):
            value = views.number(outcome.metrics.get(f"{measure}_mean_{prefix}"))
            if value is not None:
                rows.append({"measure": label, "fulfilment": plan, "days": value})
    if rows:
        st.altair_chart(
            charts.grouped_bars(pd.DataFrame(rows), "measure", "days", "fulfilment", "days"),
            width="stretch",
        )
    table = []
    for measure, label, kind in tasks.HEADLINE_MEASURES:
        a = outcome.metrics.get(f"{measure}_mean_a")
        b = outcome.metrics.get(f"{measure}_mean_b")
        if a is None and b is None:
            continue
        first, second = views.number(a), views.number(b)
        difference = None if first is None or second is None else second - first
        table.append(
            {
                "measure": label,
                "3PL": views.fmt(a, kind, currency),
                "direct": views.fmt(b, kind, currency),
                "direct − 3PL": views.fmt(difference, kind, currency),
            }
        )
    st.dataframe(pd.DataFrame(table), hide_index=True, key="finance.cycle")
    found = {"3PL": outcome.tables.get("a_fan"), "direct": outcome.tables.get("b_fan")}
    fans = {k: v for k, v in found.items() if v is not None}
    if fans:
        st.markdown("**Cash (P5 – P95 band, median line)**")
        st.altair_chart(charts.fan(fans, "cash", f"cash ({currency})"), width="stretch")
    views.saved_note(outcome)


def deposit_terms(scenario: Scenario) -> None:
    st.subheader("Deposit terms compared")
    st.caption(
        "What each supplier's payment terms cost in capital per unit (deposits paid during "
        "production, cash paid while the goods are at sea), at each SKU's cheapest option."
    )
    currency = scenario.finance.currency
    st.dataframe(
        terms_table(scenario),
        hide_index=True,
        column_config={
            "deposit": views.PERCENT,
            "share of landed cost": views.PERCENT,
            "capital per unit (avg over SKUs)": st.column_config.NumberColumn(
                format=f"%.3f {currency}"
            ),
        },
    )
    space = state.workspace()
    suppliers = [s.supplier for s in scenario.suppliers]
    state.keep_valid(state.W_FI_SUPPLIER, suppliers)
    cols = st.columns(3)
    code = cols[0].selectbox("Try other terms for", suppliers, key=state.W_FI_SUPPLIER)
    supplier = scenario.supplier(code)
    deposit = cols[1].number_input(
        "deposit at PO (%)",
        min_value=0.0,
        max_value=100.0,
        value=round(supplier.deposit_share * 100, 1),
        step=5.0,
        key=f"{state.W_FI_DEPOSIT}.{code}",
    )
    balance = cols[2].number_input(
        "balance due, days after shipment (negative = before)",
        value=int(supplier.balance_days_after_shipment),
        step=15,
        key=f"{state.W_FI_BALANCE}.{code}",
    )
    if space is None:
        return
    try:
        other = loading.with_whatif(
            space,
            None,
            {
                f"suppliers.{code}.deposit_share": deposit / 100,
                f"suppliers.{code}.balance_days_after_shipment": int(balance),
            },
        ).scenario
    except ScenarioError as error:
        widgets.problems_table(error.problems, key="finance.terms.problems")
        return
    now = capital_per_sku(scenario, code).assign(terms="current terms")
    then = capital_per_sku(other, code).assign(
        terms=f"{deposit:.0f} % deposit, balance {int(balance):+d} d"
    )
    both = pd.concat([now, then], ignore_index=True)
    if both.empty:
        st.info(f"{code} offers no SKU.")
        return
    st.altair_chart(
        charts.grouped_bars(
            both, "sku", "capital per unit", "terms", f"capital cost per unit ({currency})", ",.3f"
        ),
        width="stretch",
    )


def terms_table(scenario: Scenario) -> pd.DataFrame:
    table = landed_cost_table(scenario)
    best = table.groupby(["sku", "supplier"], sort=False).head(1)
    rows = []
    for s in scenario.suppliers:
        mine = best[best["supplier"] == s.supplier]
        capital = mine["payment_terms_capital"] + mine["pipeline_carrying"]
        rows.append(
            {
                "supplier": s.supplier,
                "deposit": s.deposit_share,
                "balance (days after shipment)": s.balance_days_after_shipment,
                "capital per unit (avg over SKUs)": round(float(capital.mean()), 3)
                if len(mine)
                else None,
                "share of landed cost": round(
                    float((capital / mine["landed_cost_per_unit"]).mean()), 4
                )
                if len(mine)
                else None,
            }
        )
    return pd.DataFrame(rows)


def capital_per_sku(scenario: Scenario, supplier: str) -> pd.DataFrame:
    table = landed_cost_table(scenario)
    mine = table[table["supplier"] == supplier].groupby("sku", sort=True).head(1)
    return pd.DataFrame(
        {
            "sku": mine["sku"],
            "capital per unit": mine["payment_terms_capital"] + mine["pipeline_carrying"],
        }
    )


st.title("Finance")
st.caption(
    "When the cash goes out and comes back: the plan's cash curve, peak working capital, the "
    "cash-conversion cycle (DIO + DSO − DPO) and what payment terms cost."
)
current = widgets.need_scenario()
if current is None:
    st.stop()
plan_cash(current)
st.divider()
cycle_section(current)
st.divider()
deposit_terms(current)
