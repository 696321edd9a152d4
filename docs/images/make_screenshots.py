"""Screenshots of every page of the app, taken in a real browser: ``python
docs/images/make_screenshots.py`` (rerun it when a page changes).

Starts ``streamlit run ui/server.py`` on a free port with a fresh run store, drives Debian's
chromium (``/usr/bin/chromium``; never a downloaded browser) through the pages as a planner
would (the bundled example for the Scenario, Landed cost and Suppliers pages; a small scenario
that solves in seconds for Optimize, Stress test, Resilience, Finance and Runs) and writes
``docs/images/<page>.png`` at 1400 px wide.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from engine.api import write_scenario  # noqa: E402
from tests.ui.conftest import small_scenario  # noqa: E402
from tests.ui.test_browser_e2e import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    LONG,
    OPTIMIZE_RUN,
    Server,
    choose,
    go,
    type_number,
    wait_idle,
)

IMAGES = Path(__file__).resolve().parent
WIDTH = 1400
SHOT_HEIGHT = 2400


def shoot(page, name: str) -> Path:
    """The page at 1400 px wide, tall enough for its results (Streamlit scrolls an inner
    element, so a full-page screenshot would stop at the window's height)."""
    wait_idle(page)
    page.set_viewport_size({"width": WIDTH, "height": SHOT_HEIGHT})
    page.wait_for_timeout(2000)  # charts draw after the run ends
    path = IMAGES / f"{name}.png"
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": WIDTH, "height": 900})
    print(f"wrote {path.relative_to(ROOT)}")
    return path


def main() -> None:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=LONG)  # solves and simulations on a busy machine
    work = Path(tempfile.mkdtemp(prefix="screenshots-"))
    book = write_scenario(small_scenario(), work / "small.xlsx")
    server = Server(work / "runs.sqlite", work / "streamlit.log")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": WIDTH, "height": 900})
            page.set_default_timeout(LONG)
            page.goto(server.url)
            page.get_by_role("button", name="Open example").click()
            expect(page.get_by_text("Checked: no errors")).to_be_visible()
            what_if = page.get_by_role("combobox", name="What-if to apply", exact=True)
            what_if.click()
            page.keyboard.type("tariff-up")
            page.get_by_role("option").filter(has_text="tariff-up").first.click()
            expect(page.get_by_text("What the what-if changes")).to_be_visible()
            shoot(page, "scenario")
            go(page, "Landed cost")
            shoot(page, "landed_cost")
            go(page, "Suppliers")
            page.get_by_role("button", name="Use the example history").click()
            expect(page.get_by_text("Scorecards").first).to_be_visible()
            shoot(page, "suppliers")
            # a small scenario for the pages that solve and simulate
            go(page, "Scenario")
            page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(book)
            page.get_by_role("button", name="Open upload").click()
            expect(page.get_by_role("heading", name="small")).to_be_visible()
            go(page, "Optimize")
            choose(page, "SKUs to split", "SKU-0001")
            wait_idle(page)
            page.get_by_role("button", name="Optimize", exact=True).click()
            expect(page.get_by_text("Optimal plan")).to_be_visible()
            shoot(page, "optimize")
            go(page, "Stress test")
            choose(page, "Plan B (optional: compare on the same random numbers)", "free optimum")
            wait_idle(page)
            type_number(page, "Replications", "20")
            wait_idle(page)
            page.get_by_role("button", name="Run stress test").click()
            expect(page.get_by_text("difference (B − A)").first).to_be_visible()
            shoot(page, "stress")
            go(page, "Resilience")
            choose(page, "SKUs to protect", "SKU-0001")
            type_number(page, "Most replications", "40")
            wait_idle(page)
            page.get_by_role("button", name="Find the split to run").click()
            expect(page.get_by_role("button", name="Download results (.xlsx)")).to_be_visible()
            shoot(page, "resilience")
            go(page, "Finance")
            shoot(page, "finance")
            go(page, "Runs")
            choose(page, "Open a run", OPTIMIZE_RUN)
            expect(page.get_by_text("Allocation: share of each SKU's units")).to_be_visible()
            shoot(page, "runs")
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
