"""The journeys of issue 14 in a real browser (Playwright with Debian's chromium, as
``test_browser_e2e``): a reload during an optimize finds the job and then its result; Cancel
stops the cost-of-resilience curve within seconds; two tabs optimize at once without a crash;
settings survive navigation; no page shows a raw float; the stress table keeps every column
visible at 1400 and 800 px."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.api import write_scenario
from tests.ui.conftest import small_scenario
from tests.ui.test_browser_e2e import (  # noqa: F401 (browser is a fixture)
    LONG,
    OPTIMIZE_RUN,
    Server,
    browser,
    choose,
    go,
    type_number,
    wait_idle,
)
from tests.ui.test_browser_e2e import (
    pytestmark as needs_chromium,
)

pytestmark = [needs_chromium, pytest.mark.browser]

RAW_FLOAT = re.compile(r"\d\.\d{4,}")
"""A number with four or more decimals: never shown to a user."""
PLAN_B = "Plan B (optional: compare on the same random numbers)"
CANCEL_SECONDS = 10.0
"""Cancel to 'cancelled' on the page: the job stops within 5 s, the page polls every second."""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path / "runs.sqlite", tmp_path / "streamlit.log")
    try:
        yield running
    finally:
        running.stop()


def new_page(browser, server: Server, width: int = 1400):  # noqa: F811
    page = browser.new_page(viewport={"width": width, "height": 1000})
    page.set_default_timeout(60_000)
    page.goto(server.url)
    return page


def open_example(page) -> None:
    from playwright.sync_api import expect

    page.get_by_role("button", name="Open example").click()
    expect(page.get_by_text("Checked: no errors")).to_be_visible()


def open_small(page, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    book = tmp_path / "small.xlsx"
    if not book.exists():
        write_scenario(small_scenario(), book)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(book)
    page.get_by_role("button", name="Open upload").click()
    expect(page.get_by_role("heading", name="small")).to_be_visible()


def sidebar(page):
    return page.locator('[data-testid="stSidebar"]')


def test_a_reload_during_an_optimize_finds_the_job_and_its_result(
    browser,  # noqa: F811
    server: Server,
) -> None:
    from playwright.sync_api import expect

    page = new_page(browser, server)
    open_example(page)
    go(page, "Optimize")
    type_number(page, "Work budget (x)", "0.05")  # tens of seconds on the bundled example
    wait_idle(page)
    page.get_by_role("button", name="Optimize", exact=True).click()
    expect(page.get_by_text("Optimizing dtc-brand").first).to_be_visible()
    page.reload()
    # the new session has no scenario, but the server's job is there, with its progress
    expect(sidebar(page).get_by_text("Jobs on this server")).to_be_visible()
    expect(sidebar(page).get_by_text("Optimizing dtc-brand").first).to_be_visible()
    expect(sidebar(page).get_by_role("button", name="Cancel")).to_be_visible()
    # ... and then its result, which opens the job's scenario and its plan
    show = sidebar(page).get_by_role("button", name="Show the result")
    expect(show).to_be_visible(timeout=3 * LONG)
    show.click()
    expect(page.get_by_role("heading", name="Optimize", exact=True)).to_be_visible()
    expect(page.get_by_text("total landed cost").first).to_be_visible()
    expect(page.get_by_text("Allocation: share of each SKU's units per supplier")).to_be_visible()
    expect(sidebar(page).get_by_text("Scenario:")).to_be_visible()
    page.close()


def test_cancel_stops_the_curve_within_seconds(browser, server: Server) -> None:  # noqa: F811
    from playwright.sync_api import expect

    page = new_page(browser, server)
    open_example(page)
    go(page, "Optimize")
    wait_idle(page)
    page.get_by_role("button", name="Draw the curve").click()
    main = page.locator("[data-testid='stMain']")
    cancel = main.get_by_role("button", name="Cancel")
    expect(cancel).to_be_visible()
    page.wait_for_timeout(3000)  # inside the first solve
    # the progress moves on (the elapsed seconds count), it is not frozen
    progress = main.get_by_text(re.compile(r"Cost of resilience on dtc-brand: .*\(\d+ s"))
    first = progress.first.inner_text()
    page.wait_for_timeout(2500)
    assert progress.first.inner_text() != first
    asked = time.monotonic()
    cancel.click()
    expect(page.get_by_text("cancelled after").first).to_be_visible(timeout=30_000)
    took = time.monotonic() - asked
    assert took < CANCEL_SECONDS, f"the curve took {took:.1f} s to stop"
    # the solver is free again: an optimize starts at once, not "waits for the solver"
    page.close()


def test_two_tabs_optimize_at_once_without_a_crash(
    browser,  # noqa: F811
    server: Server,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    # two windows (a tab of one window stopped updating on the loaded machine in 3 of 5 runs,
    # a window of its own in none of 6: the server is what is tested here, not the browser)
    contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(2)]
    problems: list[str] = []
    tabs = [context.new_page() for context in contexts]
    for tab in tabs:
        tab.set_default_timeout(60_000)
        tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        tab.on("pageerror", lambda e: problems.append(str(e)))
        tab.goto(server.url)
        open_small(tab, tmp_path)
        go(tab, "Optimize")
        choose(tab, "SKUs to split", "SKU-0001")
        wait_idle(tab)
    for tab in tabs:
        tab.get_by_role("button", name="Optimize", exact=True).click()
    for tab in tabs:
        expect(tab.get_by_text("Exact marginal cost of the splits").first).to_be_visible(
            timeout=LONG
        )
        expect(tab.get_by_text("Optimal plan")).to_be_visible()
    crashes = [p for p in problems if "Bad delta path" in p or "backMessage" in p]
    assert not crashes, crashes
    for context in contexts:
        context.close()


def test_settings_survive_navigation(browser, server: Server, tmp_path: Path) -> None:  # noqa: F811
    from playwright.sync_api import expect

    page = new_page(browser, server)
    open_small(page, tmp_path)
    go(page, "Optimize")
    choose(page, "SKUs to split", "SKU-0001")
    expect(page.get_by_text("70/30:")).to_be_visible()
    type_number(page, "Gap (%)", "1.5")
    wait_idle(page)
    go(page, "Landed cost")
    go(page, "Stress test")
    type_number(page, "Replications", "30")
    wait_idle(page)
    go(page, "Optimize")
    expect(page.get_by_role("combobox", name="SKU-0001: primary", exact=True)).to_be_visible()
    expect(page.get_by_text("70/30:")).to_be_visible()
    assert page.get_by_label("Gap (%)", exact=True).input_value() == "1.50"
    go(page, "Stress test")
    assert page.get_by_label("Replications", exact=True).input_value() == "30"
    page.close()


def _stress_two_plans(page, tmp_path: Path) -> None:
    """Optimize the small scenario at 70/30, then stress the plan against its free optimum."""
    from playwright.sync_api import expect

    open_small(page, tmp_path)
    go(page, "Optimize")
    choose(page, "SKUs to split", "SKU-0001")
    wait_idle(page)
    page.get_by_role("button", name="Optimize", exact=True).click()
    expect(page.get_by_text("Optimal plan")).to_be_visible(timeout=LONG)
    go(page, "Stress test")
    choose(page, PLAN_B, "free optimum")
    wait_idle(page)
    type_number(page, "Replications", "10")
    wait_idle(page)
    page.get_by_role("button", name="Run stress test").click()
    expect(page.get_by_text("difference (B − A)").first).to_be_visible(timeout=LONG)
    wait_idle(page)


def test_settings_survive_navigation_after_a_run(
    browser,  # noqa: F811
    server: Server,
    tmp_path: Path,
) -> None:
    """A page whose job has ended still polls (a timed fragment); a poll that fires after the
    switch to another page dropped that page's settings, until the session kept a copy."""
    page = new_page(browser, server)
    _stress_two_plans(page, tmp_path)
    assert page.get_by_text("10 replications;").count() == 1
    assert page.get_by_label("Replications", exact=True).input_value() == "10"
    for name in ("Scenario", "Landed cost", "Optimize"):
        go(page, name)
        wait_idle(page)
        page.wait_for_timeout(1500)  # the stress page's poll would fire here
        go(page, "Stress test")
        wait_idle(page)
        assert page.get_by_label("Replications", exact=True).input_value() == "10", name
        plan_b = page.get_by_role("combobox", name=PLAN_B, exact=True).input_value()
        assert "free optimum" in plan_b, (name, plan_b)
    page.close()


def test_the_stress_table_keeps_every_column_visible_at_1400_and_800_px(
    browser,  # noqa: F811
    server: Server,
    tmp_path: Path,
) -> None:
    page = new_page(browser, server)
    _stress_two_plans(page, tmp_path)
    for width in (1400, 800):
        page.set_viewport_size({"width": width, "height": 1000})
        page.wait_for_timeout(800)
        table = page.locator('[data-testid="stTable"]').first
        headers = table.locator("th")
        assert headers.count() >= 4
        for i in range(headers.count()):
            header = headers.nth(i)
            header.scroll_into_view_if_needed()
            box = header.bounding_box()
            text = header.inner_text().strip()
            assert box is not None, text
            assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (width, text, box)
            clipped = header.evaluate("e => e.scrollWidth > e.clientWidth + 1")
            assert not clipped, (width, text)
        assert "difference (B − A)" in table.inner_text()
    page.close()


def test_no_page_shows_a_raw_float(browser, server: Server, tmp_path: Path) -> None:  # noqa: F811
    from playwright.sync_api import expect

    page = new_page(browser, server)
    _stress_two_plans(page, tmp_path)
    seen = {}
    for name in ("Stress test", "Scenario", "Landed cost", "Optimize", "Finance", "Runs"):
        go(page, name)
        wait_idle(page)
        if name == "Runs":
            choose(page, "Open a run", OPTIMIZE_RUN)
            allocation = page.get_by_text("Allocation: share of each SKU's units")
            expect(allocation).to_be_visible(timeout=LONG)
            wait_idle(page)
        seen[name] = RAW_FLOAT.findall(page.locator("body").inner_text())
    assert not any(seen.values()), seen
    page.close()


def test_an_unknown_address_or_run_is_a_message_not_a_blank_page(
    browser,  # noqa: F811
    server: Server,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    from engine import api

    scenario = small_scenario()
    policy = api.suggested_policy_for(scenario, "base_stock")
    run = api.run_stress(scenario, policy, 3, 1, label="base_stock")
    store = api.RunStore(tmp_path / "runs.sqlite")  # the server's store
    run_id = store.save(run.kind, scenario, "small", dict(run.tables), dict(run.metrics))
    page = new_page(browser, server)
    # a page that does not exist: Streamlit says so and shows the first page
    page.goto(f"{server.url}/no-such-page")
    expect(page.get_by_text("Page not found")).to_be_visible()
    expect(page.get_by_role("heading", name="Scenario", exact=True)).to_be_visible()
    # a link to a run opens it
    page.goto(f"{server.url}/runs?run={run_id}")
    expect(page.get_by_text("Cash (P5 – P95 band, median line)")).to_be_visible(timeout=LONG)
    # a run that is not (or no longer) in the store: a message, and the runs that are
    page.goto(f"{server.url}/runs?run=20261203-000000-dead")
    expect(page.get_by_text("Run 20261203-000000-dead is not in this run store")).to_be_visible()
    expect(page.get_by_text("Open a run")).to_be_visible()
    store.delete(run_id)
    page.goto(f"{server.url}/runs?run={run_id}")
    expect(page.get_by_text(f"Run {run_id} is not in this run store")).to_be_visible()
    expect(page.get_by_text("No runs yet")).to_be_visible()
    page.close()


def test_a_page_opened_by_its_address_asks_nothing_it_cannot_have(
    browser,  # noqa: F811
    server: Server,
) -> None:
    """Reloaded (or opened by its address), a page other than the first used to ask
    ``<page>/_stcore/health`` and ``host-config`` first: two 404s in the console."""
    from playwright.sync_api import expect

    page = new_page(browser, server)
    failures: list[str] = []
    page.on("response", lambda r: r.status < 400 or failures.append(f"{r.status} {r.url}"))
    page.on("console", lambda m: m.type != "error" or failures.append(m.text))
    for name, path in (("Optimize", "optimize"), ("Stress test", "stress")):
        page.goto(f"{server.url}/{path}")
        heading = page.get_by_role("heading", name=name, exact=True)
        expect(heading).to_be_visible(timeout=60_000)
        wait_idle(page)
        page.reload()
        expect(heading).to_be_visible(timeout=60_000)
        wait_idle(page)
    go(page, "Runs")  # the pages' own links still work from there
    assert page.url == f"{server.url}/runs"
    assert not failures, failures
    page.close()


def test_finance_peak_is_the_stress_tests_on_a_deterministic_case(
    browser,  # noqa: F811
    server: Server,
    tmp_path: Path,
) -> None:
    """docs/finance.md's worked example (no randomness) and its one PO, stored as a plan: the
    Finance page's peak working capital and the stress test's read the same, 1,220 USD."""
    from playwright.sync_api import expect

    from engine import api
    from tests.test_finance_working_capital import worked_example

    scenario, orders = worked_example()
    book = api.write_scenario(scenario, tmp_path / "worked.xlsx")
    api.RunStore(tmp_path / "runs.sqlite").save(
        api.RunKind.OPTIMIZE,
        scenario,
        scenario.name,
        {"purchase_orders": orders},
        metrics={"status": "optimal", "total_cost": 1_000.0, "gap": 0.0},
    )
    page = new_page(browser, server)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(book)
    page.get_by_role("button", name="Open upload").click()
    expect(page.get_by_role("heading", name=scenario.name)).to_be_visible()
    go(page, "Finance")
    peak = page.locator('[data-testid="stMetric"]').filter(has_text="Peak working capital")
    finance_peak = peak.locator('[data-testid="stMetricValue"]').inner_text().strip()
    assert finance_peak == "1,220 USD"
    go(page, "Stress test")
    choose(page, "Plan A", f"{scenario.name} · optimized plan")
    wait_idle(page)
    type_number(page, "Replications", "3")
    wait_idle(page)
    page.get_by_role("button", name="Run stress test").click()
    row = page.locator('[data-testid="stTable"] tr').filter(has_text="peak working capital")
    expect(row).to_be_visible(timeout=LONG)
    cells = row.locator("td").all_inner_texts()
    assert cells[0].startswith(f"{finance_peak} [{finance_peak}, {finance_peak}]"), cells
    page.close()
