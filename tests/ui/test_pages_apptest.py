"""Every page of the app under Streamlit's AppTest: no exception, and the key widgets give the
expected results on the bundled example (or, where the optimizer is needed, on a small
scenario that solves in about a second); bad uploads give messages, not tracebacks."""

from __future__ import annotations

import io
import itertools
import json
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from engine.api import (
    RunKind,
    RunStore,
    plan_working_capital,
    run_cost_differences,
    write_scenario,
)
from engine.scenario.generate import generate_scenario
from tests.ui.conftest import (
    APP,
    PAGES,
    frame_with,
    go,
    new_app,
    open_example,
    open_small,
    texts,
    upload,
    wait_for_jobs,
)
from ui import loading, state, views

EXAMPLE_SKUS = {"SKL-10IN", "KNF-8IN", "MUG-12OZ", "BTL-750", "BRD-BAMBOO"}


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def optimize_small_with_split(at: AppTest) -> None:
    """Optimize the small scenario with SKU-0001 at 70/30 (primary = cheapest supplier)."""
    go(at, "optimize")
    at.number_input(key=state.W_OPT_TIME).set_value(30.0)
    at.multiselect(key=state.W_OPT_SPLIT_SKUS).set_value(["SKU-0001"]).run()
    assert at.slider(key=state.split_key("SKU-0001", "share")).value == 70
    at.button(key=state.W_OPT_RUN).click().run()
    wait_for_jobs(at)
    no_exception(at)


# ---------------------------------------------------------------- scenario


@pytest.mark.slow
def test_app_starts_on_the_scenario_page() -> None:
    at = new_app()
    no_exception(at)
    assert "Scenario" in [t.value for t in at.title]
    assert "dtc-brand" in at.selectbox(key=state.W_EXAMPLE).options


@pytest.mark.slow
def test_example_opens_checked_with_every_table_editable() -> None:
    at = open_example(new_app())
    no_exception(at)
    assert any("no errors" in s.value for s in at.success)
    assert len(at.data_editor) == 9
    skus = at.data_editor[0].value
    assert set(skus["sku"]) == EXAMPLE_SKUS
    options = at.selectbox(key=state.W_WHATIF).options
    assert any(o.startswith("primary-shutdown-30d") for o in options)
    assert any(o.startswith("split-70-30") for o in options)
    assert "dtc-brand" in texts(at)  # the sidebar names the scenario


@pytest.mark.slow
def test_what_if_applies_and_lists_its_changes() -> None:
    at = open_example(new_app())
    at.selectbox(key=state.W_WHATIF).set_value("split-70-30").run()
    no_exception(at)
    space = at.session_state["workspace"]
    assert space.whatif == "split-70-30"
    assert space.loaded.scenario.risk_policy.fixed_splits["SKL-10IN"] == {
        "GZ-01": 0.7,
        "HCM-01": 0.3,
    }
    assert "fixed splits: SKL-10IN: (unset) → GZ-01 70.0 %, HCM-01 30.0 %" in texts(at)
    assert "dtc-brand / split-70-30" in texts(at)


def test_a_what_if_is_highlighted_in_the_table_it_changes() -> None:
    at = open_example(new_app())
    at.selectbox(key=state.W_WHATIF).set_value("tariff-up").run()
    no_exception(at)
    words = texts(at)
    assert "duties SKL-10IN from CN: extra tariff rate: 25.0 % → 50.0 %" in words
    assert "**With the what-if** (5 cell(s) changed, highlighted)" in words
    duties = [d.value for d in at.dataframe if "extra_tariff_rate" in d.value.columns]
    assert sorted((d["extra_tariff_rate"] == 0.5).sum() for d in duties) == [0, 5]


@pytest.mark.slow
def test_an_edit_is_checked_and_its_problem_shown_beside_its_table() -> None:
    at = open_example(new_app())
    version = at.session_state["workspace"].version
    at.session_state[state.editor_key("suppliers", version)] = {
        "edited_rows": {0: {"capacity_units_per_week": -5}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert any("not checked yet" in w.value for w in at.warning)
    at.button(key=state.W_APPLY).click().run()
    no_exception(at)
    assert any("1 error(s)" in e.value for e in at.error)
    problems = frame_with(at, "severity", "file", "row", "field")
    assert problems.iloc[0]["file"] == "suppliers.csv"
    assert problems.iloc[0]["row"] == 2
    assert problems.iloc[0]["field"] == "capacity_units_per_week"
    # the suppliers tab is flagged, and the other pages say the scenario needs fixing
    assert "suppliers ⚠ 1" in [t.label for t in at.tabs]
    go(at, "landed_cost")
    assert any("has errors" in e.value for e in at.error)


@pytest.mark.slow
def test_user_set_values_apply_last() -> None:
    at = open_example(new_app())
    version = at.session_state["workspace"].version
    at.text_area(key=state.set_values_key(version)).input("finance.annual_cost_of_capital = 0.2")
    at.button(key=state.W_APPLY).click().run()
    no_exception(at)
    assert at.session_state["workspace"].loaded.scenario.finance.annual_cost_of_capital == 0.2


@pytest.mark.slow
def test_workbook_and_zip_uploads_open(small_xlsx: bytes, small_zip: bytes) -> None:
    at = open_small(new_app(), small_xlsx)
    no_exception(at)
    assert at.session_state["workspace"].loaded.scenario.name == "small"
    at = upload(new_app(), [("small.zip", small_zip, "application/zip")])
    no_exception(at)
    assert at.session_state["workspace"].loaded.scenario.name == "small"


@pytest.mark.slow
def test_yaml_and_csv_files_upload_together(tmp_path) -> None:
    files = [
        (p.name, p.read_bytes(), "text/plain")
        for p in sorted(loading.EXAMPLES_DIR.joinpath("dtc-brand").iterdir())
    ]
    at = upload(new_app(), files)
    no_exception(at)
    assert at.session_state["workspace"].loaded.scenario.name == "dtc-brand"


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _example_with(name: str, text: str) -> bytes:
    folder = loading.EXAMPLES_DIR / "dtc-brand"
    files = {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir()}
    files[name] = text
    return _zip(files)


BAD_UPLOADS = {
    "not a workbook": [("book.xlsx", b"this is not a workbook", "application/octet-stream")],
    "not a zip": [("scenario.zip", b"PK-not-really", "application/zip")],
    "only CSV": [("skus.csv", b"sku,selling_price\nA,10\n", "text/csv")],
    "a text file": [("notes.txt", b"hello", "text/plain")],
    "bad YAML": [("scenario.zip", _zip({"scenario.yaml": "name: [unclosed"}), "application/zip")],
    "bad cell": [
        (
            "scenario.zip",
            _example_with(
                "suppliers.csv",
                (loading.EXAMPLES_DIR / "dtc-brand" / "suppliers.csv")
                .read_text(encoding="utf-8")
                .replace("GZ-01,", "GZ 01,", 1),
            ),
            "application/zip",
        )
    ],
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(BAD_UPLOADS))
def test_bad_uploads_give_messages_not_tracebacks(case: str) -> None:
    at = upload(new_app(), BAD_UPLOADS[case])
    no_exception(at)
    assert "workspace" not in at.session_state  # nothing half-opened
    assert any("could not be opened" in e.value for e in at.error)
    problems = frame_with(at, "severity", "file", "row", "field", "found", "allowed")
    assert len(problems) >= 1
    assert problems["file"].str.len().min() > 0


def test_bad_cell_points_at_file_row_and_field() -> None:
    at = upload(new_app(), BAD_UPLOADS["bad cell"])
    problems = frame_with(at, "severity", "file", "row", "field")
    located = problems[(problems["file"] == "suppliers.csv") & (problems["field"] == "supplier")]
    assert list(located["row"]) == [2]


@pytest.mark.slow
def test_scenario_downloads_read_back(tmp_path) -> None:
    space = loading.open_example("dtc-brand")
    book = loading.scenario_xlsx(space.base)
    again = loading.read_upload([("dtc-brand.xlsx", book)])
    assert again.scenario == space.base
    archive = loading.folder_zip(space.folder)
    assert loading.read_upload([("dtc-brand.zip", archive)]).scenario == space.base
    at = open_example(new_app())
    labels = [b.label for b in at.get("download_button")]
    assert "Download scenario (.xlsx)" in labels
    assert "Download as YAML + CSV (.zip)" in labels


# ---------------------------------------------------------------- landed cost


@pytest.mark.slow
def test_landed_cost_page_shows_every_sku_and_the_options_of_one() -> None:
    at = go(open_example(new_app()), "landed_cost")
    no_exception(at)
    cheapest = frame_with(at, "sku", "cheapest supplier", "landed cost per unit")
    assert set(cheapest["sku"]) == EXAMPLE_SKUS
    assert (cheapest["landed cost per unit"] > 0).all()
    at.selectbox(key=state.W_LC_SKU).set_value("KNF-8IN").run()
    no_exception(at)
    detail = frame_with(at, "lane", "factory_price", "landed_cost_per_unit")
    assert set(detail["supplier"]) == {"GZ-01", "HCM-01", "YW-TC"}
    parts = detail[
        [
            "factory_price",
            "freight",
            "insurance",
            "duty",
            "shipment_fees",
            "pipeline_carrying",
            "payment_terms_capital",
        ]
    ].sum(axis=1)
    assert (abs(parts - detail["landed_cost_per_unit"]) < 1e-6).all()
    grid = frame_with(at, "supplier", "tier", "PO units")
    assert {"sea_fcl", "air"} <= set(grid.columns)
    assert len(at.get("vega_lite_chart")) >= 1


# ---------------------------------------------------------------- optimize


@pytest.mark.slow
def test_optimize_with_a_70_30_split_shows_its_cost_against_the_free_optimum(
    small_xlsx: bytes,
) -> None:
    at = open_small(new_app(), small_xlsx)
    optimize_small_with_split(at)
    assert any(s.value.startswith("Optimal plan") for s in at.success)
    metrics = {m.label: m.value for m in at.metric}
    assert "Free optimum" in metrics
    # the cost chart's legend names the two plans as the figures above do
    breakdown = [spec for spec in chart_specs(at).splitlines() if "cost component" in spec]
    assert len(breakdown) == 1
    assert "plan with your splits" in breakdown[0] and "free optimum" in breakdown[0]
    assert "Difference of the two plans" in metrics
    assert "Exact marginal cost of the splits" in metrics
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Difference ") and "true difference in [" in c for c in captions)
    assert any("the rest of the plan held fixed" in c for c in captions)
    assert any("Independent checker: the plan meets every constraint" in c for c in captions)
    shares = frame_with(at, "sku", "supplier", "share", "target share")
    targets = shares[shares["sku"] == "SKU-0001"]["target share"]
    assert sorted(targets) == ["30 %", "70 %"]
    pos = frame_with(at, "supplier", "sku", "lane", "period_placed", "quantity_units")
    assert len(pos) > 0
    assert any(c.value.startswith("Replayed without randomness") for c in at.caption)
    runs = RunStore().list_runs(RunKind.OPTIMIZE)
    assert len(runs) == 1
    run = runs.iloc[0]
    assert run["extra_cost_vs_free"] == pytest.approx(run["total_cost"] - run["free_total_cost"])
    # never worse with fewer constraints, and the interval holds the difference
    assert run["free_total_cost"] <= run["total_cost"] * (1 + 1e-9)
    assert run["extra_cost_low"] <= run["extra_cost_vs_free"] <= run["extra_cost_high"]
    assert run["exact_marginal_cost"] >= 0
    stored = RunStore().get(run["run_id"]).tables
    assert stored["plan_costs"].iloc[0]["difference"] == pytest.approx(run["extra_cost_vs_free"])
    assert stored["checker"].empty
    assert run["replay"] == "agrees"
    # lots that arrive mid-week are on hand a few days before the week they count from
    assert run["replay_fill_rate"] >= run["planned_fill_rate"] - 1e-9


@pytest.mark.slow
def test_a_time_limited_solve_tells_its_status_honestly(tmp_path: Path) -> None:
    """A 1 s safety limit on a generated 60 SKUs x 8 suppliers x 12 months: the translation
    and the LP relaxation outlast it on any machine (4 s idle, as in
    tests/test_optimizer_families.py), so there is no plan, and the page says so and names the
    stages the safety limit cut (not repeatable)."""
    book = write_scenario(
        generate_scenario(skus=60, suppliers=8, periods=12, seed=1), tmp_path / "large.xlsx"
    )
    at = upload(new_app(), [("large.xlsx", book.read_bytes(), "application/octet-stream")])
    at = go(at, "optimize")
    at.number_input(key=state.W_OPT_TIME).set_value(1.0)
    at.button(key=state.W_OPT_RUN).click().run()
    wait_for_jobs(at)
    no_exception(at)
    errors = [e.value for e in at.error]
    told = [
        t
        for t in errors
        if t.startswith("No plan found within the budget") and "The safety time limit cut" in t
    ]
    assert len(told) == 1, errors
    assert "first plans by SKU" in told[0]
    assert not at.success


@pytest.mark.slow
def test_cost_of_resilience_curve(small_xlsx: bytes) -> None:
    at = go(open_small(new_app(), small_xlsx), "optimize")
    at.multiselect(key=state.W_FR_SKUS).set_value(["SKU-0001"])
    at.number_input(key=state.W_OPT_GAP).set_value(2.0)  # seven solves: keep them quick
    at.number_input(key=state.W_OPT_TIME).set_value(30.0).run()
    at.button(key=state.W_FR_RUN).click().run()
    wait_for_jobs(at)
    no_exception(at)
    curve = frame_with(at, "case", "total_cost", "extra_cost_vs_free", "exact_marginal_cost")
    assert list(curve["case"])[:2] == ["free optimum", "backup 0%"]
    assert len(curve) == 7
    assert all(str(c).endswith(" USD") for c in curve["total_cost"])  # shown as money
    curve = at.session_state["results"]["frontier"].tables["frontier"]
    costs = list(curve["total_cost"])  # ever tighter backup shares: never cheaper
    assert all(a <= b * (1 + 1e-9) for a, b in itertools.pairwise(costs))
    assert (curve["exact_marginal_cost"] >= -1e-6).all()
    assert {"extra_cost_low", "extra_cost_high", "within_solver_gap"} <= set(curve.columns)
    assert len(RunStore().list_runs(RunKind.FRONTIER)) == 1


# ---------------------------------------------------------------- stress test


@pytest.mark.slow
def test_stress_test_of_the_plan_against_a_shutdown_compared_with_a_policy(
    small_xlsx: bytes,
) -> None:
    at = open_small(new_app(), small_xlsx)
    optimize_small_with_split(at)
    go(at, "stress")
    no_exception(at)
    assert at.selectbox(key=state.W_ST_PLAN_A).value.startswith("plan:")
    at.selectbox(key=state.W_ST_WHATIF).set_value("primary-shutdown-30d").run()
    chosen = at.multiselect(key=state.disruptions_key("primary-shutdown-30d"))
    assert chosen.value == [0]
    assert "shut down" in chosen.options[0]
    at.number_input(key=state.W_ST_REPS).set_value(20)
    at.selectbox(key=state.W_ST_PLAN_B).set_value("policy:base_stock")
    at.checkbox(key=state.W_ST_EXPEDITE).check()
    at.button(key=state.W_ST_RUN).click().run()
    wait_for_jobs(at)
    no_exception(at)
    headline = frame_with(at, "measure", "difference (B − A)")
    assert {"fill rate", "lost revenue", "peak working capital"} <= set(headline["measure"])
    assert len(at.get("vega_lite_chart")) >= 5  # 2 fans + 3 distributions
    stored = RunStore().list_runs(RunKind.COMPARE)
    assert len(stored) == 1
    assert stored.iloc[0]["scenario_name"] == "small / primary-shutdown-30d"


@pytest.mark.slow
def test_stress_test_of_a_policy_on_the_example() -> None:
    at = go(open_example(new_app()), "stress")
    no_exception(at)
    assert at.selectbox(key=state.W_ST_PLAN_A).value == "policy:base_stock"
    at.number_input(key=state.W_ST_REPS).set_value(20)
    at.button(key=state.W_ST_RUN).click().run()
    wait_for_jobs(at)
    no_exception(at)
    headline = frame_with(at, "measure")
    assert "cash-conversion cycle" in set(headline["measure"])
    run = RunStore().list_runs(RunKind.STRESS).iloc[0]
    assert run["replications"] == 20


def chart_specs(at: AppTest) -> str:
    """Every chart's Vega-Lite spec on the page, as one text."""
    return "\n".join(
        json.dumps(json.loads(chart.proto.spec), ensure_ascii=False)
        for chart in at.get("vega_lite_chart")
    )


def test_stress_charts_name_the_plans_as_the_pickers_do() -> None:
    at = go(open_example(new_app()), "stress")
    at.selectbox(key=state.W_ST_PLAN_B).set_value("policy:s_S")
    at.number_input(key=state.W_ST_REPS).set_value(4)
    at.button(key=state.W_ST_RUN).click().run()
    wait_for_jobs(at)
    no_exception(at)
    specs = chart_specs(at)
    assert len(at.get("vega_lite_chart")) == 5  # 2 fans + 3 distributions
    # the legends name each plan by what it is, lettered as the pickers Plan A and Plan B
    assert specs.count("A · base-stock policy") >= 5
    assert specs.count("B · (s, S) policy") >= 5
    assert "plan A" not in specs and "plan B" not in specs
    headline = frame_with(at, "measure", "difference (B − A)")
    assert {"A · base-stock policy", "B · (s, S) policy"} <= set(headline.columns)


# ---------------------------------------------------------------- finance


@pytest.mark.slow
def test_finance_page(small_xlsx: bytes) -> None:
    at = open_small(new_app(), small_xlsx)
    optimize_small_with_split(at)
    go(at, "finance")
    no_exception(at)
    metrics = {m.label: m.value for m in at.metric}
    assert {"Peak working capital", "Average working capital", "Lowest cash position"} <= set(
        metrics
    )
    # the figure is the plan's deterministic replay, measured by engine.finance
    run = RunStore().list_runs(RunKind.OPTIMIZE).iloc[0]
    stored = RunStore().get(str(run["run_id"]))
    plan = plan_working_capital(stored.scenario, stored.tables["purchase_orders"])
    assert plan.measures.peak > 0
    assert metrics["Peak working capital"] == views.money(plan.measures.peak, "USD")
    # today's balance sheet gives the company's cycle beside the plan's
    for name, value in (("inventory", 200_000.0), ("receivables", 50_000.0)):
        at.number_input(key=f"{state.W_FI_SHEET}.{name}").set_value(value)
    for name, value in (("payables", 80_000.0), ("cogs", 1_200_000.0)):
        at.number_input(key=f"{state.W_FI_SHEET}.{name}").set_value(value)
    at.number_input(key=f"{state.W_FI_SHEET}.revenue").set_value(2_000_000.0).run()
    no_exception(at)
    sheet = frame_with(at, "measure", "your company today", "the plan").set_index("measure")
    assert sheet.loc["CCC", "your company today"] == "45.6 d"
    terms = frame_with(at, "supplier", "deposit", "capital per unit (avg over SKUs)")
    assert len(terms) == 2
    at.number_input(key=state.W_FI_DIRECT_COST).set_value(9.0).run()
    assert any("parcel cost per unit" in c.value and "→ 9.00" in c.value for c in at.caption)
    at.number_input(key=state.W_FI_DIRECT_DSO).set_value(10.0)
    at.number_input(key=state.W_FI_REPS).set_value(10)
    at.button(key=state.W_FI_RUN).click().run()
    wait_for_jobs(at)
    no_exception(at)
    cycle = frame_with(at, "measure", "3PL", "direct").set_index("measure")
    assert cycle.loc["DSO (receivable days)", "direct"] != cycle.loc["DSO (receivable days)", "3PL"]
    # other deposit terms for a supplier redraw the comparison without a traceback
    supplier = at.selectbox(key=state.W_FI_SUPPLIER).value
    at.number_input(key=f"{state.W_FI_DEPOSIT}.{supplier}").set_value(0.0).run()
    no_exception(at)


# ---------------------------------------------------------------- runs


@pytest.mark.slow
def test_runs_are_listed_reopened_compared_relabelled_and_deleted(small_xlsx: bytes) -> None:
    at = open_small(new_app(), small_xlsx)
    optimize_small_with_split(at)
    at.multiselect(key=state.W_OPT_SPLIT_SKUS).set_value([]).run()  # a plan without splits
    at.button(key=state.W_OPT_RUN).click().run()
    wait_for_jobs(at)
    go(at, "runs")
    no_exception(at)
    listed = frame_with(at, "run_id", "kind", "scenario_name")
    assert len(listed) >= 2
    ids = list(listed["run_id"])
    # reopen: the plan's allocation is shown again
    at.selectbox(key=state.W_RUNS_OPEN).set_value(ids[-1]).run()
    no_exception(at)
    assert frame_with(at, "sku", "supplier", "share", "target share") is not None
    # compare side by side
    at.multiselect(key=state.W_RUNS_COMPARE).set_value(ids[:2]).run()
    no_exception(at)
    compared = [
        d.value
        for d in at.dataframe
        if any(str(c).startswith(ids[0]) for c in d.value.columns)
        and any(str(c).startswith(ids[1]) for c in d.value.columns)
    ]
    assert compared, "no side-by-side table of the two runs"
    costs = frame_with(at, "run", "difference", "low", "high", "verdict")
    assert len(costs) == 2 and costs.iloc[0]["verdict"] == "the first run"
    assert all(str(costs.iloc[1][c]).endswith(" USD") for c in ("difference", "low", "high"))
    numbers = run_cost_differences(RunStore().compare(ids[:2]))
    assert numbers.iloc[1]["low"] <= numbers.iloc[1]["difference"] <= numbers.iloc[1]["high"]
    assert not any(re.search(r"\d\.\d{4,}", str(v)) for v in compared[0].to_numpy().ravel())
    # relabel
    at.text_input(key=f"{state.W_RUNS_LABEL}.{ids[-1]}").input("70/30 for the board")
    at.button(key=state.W_RUNS_RELABEL).click().run()
    assert RunStore().get(ids[-1]).label == "70/30 for the board"
    # delete, with confirmation
    at.button(key=state.W_RUNS_DELETE).click().run()
    assert any("for good" in w.value for w in at.warning)
    at.button(key=state.W_RUNS_CANCEL).click().run()
    assert len(RunStore().list_runs()) == len(ids)
    at.button(key=state.W_RUNS_DELETE).click().run()
    at.button(key=state.W_RUNS_CONFIRM).click().run()
    no_exception(at)
    assert len(RunStore().list_runs()) == len(ids) - 1


@pytest.mark.slow
def test_runs_page_reopens_a_stress_run_and_its_scenario(small_xlsx: bytes) -> None:
    at = go(open_small(new_app(), small_xlsx), "stress")
    at.number_input(key=state.W_ST_REPS).set_value(10)
    at.button(key=state.W_ST_RUN).click().run()
    wait_for_jobs(at)
    go(at, "runs")
    no_exception(at)
    assert frame_with(at, "measure")["measure"].str.contains("fill rate").any()
    at.button(key=state.W_RUNS_USE).click().run()
    no_exception(at)
    assert at.session_state["workspace"].source.startswith("run ")


def stored_stress_run() -> str:
    """A stress run of a policy on the small scenario, saved as the command line saves it."""
    from engine import api
    from tests.ui.conftest import small_scenario

    scenario = small_scenario()
    policy = api.suggested_policy_for(scenario, "base_stock")
    run = api.run_stress(scenario, policy, 3, 1, label="base_stock")
    return RunStore().save(run.kind, scenario, "small", dict(run.tables), dict(run.metrics))


def test_a_link_to_a_run_opens_it_and_a_missing_run_is_a_message() -> None:
    run_id = stored_stress_run()
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["run"] = run_id
    at.switch_page(PAGES["runs"]).run()
    no_exception(at)
    assert at.selectbox(key=state.W_RUNS_OPEN).value == run_id
    assert "fill rate" in set(frame_with(at, "measure")["measure"])
    # a run that is not (or no longer) in the store: a message, the runs still listed
    gone = AppTest.from_file(str(APP), default_timeout=60)
    gone.query_params["run"] = "20261203-000000-dead"
    gone.switch_page(PAGES["runs"]).run()
    no_exception(gone)
    assert any("Run 20261203-000000-dead is not in this run store" in e.value for e in gone.error)
    assert gone.selectbox(key=state.W_RUNS_OPEN).value == run_id
    # deleted in another tab while this one shows it: a message, not a traceback
    RunStore().delete(run_id)
    at.run()
    no_exception(at)
    assert any(f"Run {run_id}" in e.value for e in at.error), [e.value for e in at.error]


@pytest.mark.slow
def test_an_unusable_run_store_is_a_message(tmp_path, monkeypatch) -> None:
    bad = tmp_path / "not-a-store.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("SOURCING_RUN_STORE", str(bad))
    at = go(new_app(), "runs")
    no_exception(at)
    assert any("run store" in e.value for e in at.error)


@pytest.mark.slow
def test_runs_saved_by_the_command_line_reopen() -> None:
    """Runs saved as `sourcing stress` saves them (the workflow layer's tables and metrics)
    show too."""
    from engine import api
    from tests.ui.conftest import small_scenario

    scenario = small_scenario()
    policy = api.suggested_policy_for(scenario, "base_stock")
    single = api.run_stress(scenario, policy, 5, 1, label="base_stock")
    both = api.run_compare(
        scenario,
        (policy, api.suggested_policy_for(scenario, "r_Q")),
        5,
        1,
        labels=("base_stock", "r_Q"),
    )
    store = RunStore()
    for run, name in ((single, "small"), (both, "small vs r_Q")):
        store.save(run.kind, scenario, name, dict(run.tables), dict(run.metrics))
    at = go(new_app(), "runs")
    for run_id in RunStore().list_runs()["run_id"]:
        at.selectbox(key=state.W_RUNS_OPEN).set_value(run_id).run()
        no_exception(at)
        assert "fill rate" in set(frame_with(at, "measure")["measure"])
        assert len(at.get("vega_lite_chart")) >= 4  # the cash fan and 3 distributions


@pytest.mark.slow
def test_a_checker_disagreement_lists_each_difference() -> None:
    """A stored plan the checker disagrees with (a PO of 500 units priced at the tier below its
    break, what time-limited solves once returned): the app lists the broken constraint with
    its PO and the cost component that differs, not a pointer to a missing table."""
    from engine import api
    from tests.checker.builders import monthly

    scenario = monthly()
    result = api.optimize(scenario, api.SolveOptions(time_limit_seconds=20, threads=1))
    forged = pd.DataFrame(
        [
            {
                "supplier": "CN-1",
                "sku": "A",
                "lane": "CN-SEA",
                "mode": "sea_lcl",
                "period_placed": 1,
                "period_arriving": 4,
                "quantity_units": 500.0,
                "tier": 1,
                "unit_price": 5.0,
                "unit_landed_cost": 6.0,
            }
        ]
    )
    plan = result.__class__(**{**result.__dict__, "purchase_orders": forged})
    verdict = api.compare_with_checker(plan, api.check_plan(scenario, forged))
    metrics = {**api.optimize_metrics(plan), "checker": "disagrees"}
    tables = {**plan.tables(), "checker": verdict.differences}
    run_id = RunStore().save(RunKind.OPTIMIZE, scenario, "forged", tables, metrics)
    at = go(new_app(), "runs")
    at.selectbox(key=state.W_RUNS_OPEN).set_value(run_id).run()
    no_exception(at)
    assert any("DISAGREES" in e.value and "listed here" in e.value for e in at.error)
    assert "see the diagnosis table" not in texts(at)
    differences = frame_with(at, "kind", "item", "where", "solver", "checker", "difference")
    broken = differences[differences["item"] == "tier_choice"].iloc[0]
    assert "CN-1" in broken["where"] and broken["difference"] == "0.5"
    assert (differences["kind"] == "cost").any()
