"""The Suppliers page in a real browser (Playwright with Debian's chromium, as
``test_browser_e2e``): open the example, upload its PO history, see the scorecards and the rules
replayed, fit the suppliers and stress-test a policy under the typed-in and the calibrated
suppliers side by side."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import DTC_BRAND
from tests.ui.test_browser_e2e import (  # noqa: F401 (browser is a fixture)
    LONG,
    Server,
    browser,
    go,
    pytestmark,
    type_number,
    wait_idle,
)


def test_suppliers_flow_in_a_real_browser(browser, tmp_path: Path) -> None:  # noqa: F811
    from playwright.sync_api import expect

    server = Server(tmp_path / "runs.sqlite", tmp_path / "streamlit.log")
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        page.goto(server.url)
        page.get_by_role("button", name="Open example").click()
        expect(page.get_by_text("Checked: no errors")).to_be_visible(timeout=LONG)
        go(page, "Suppliers")
        expect(page.get_by_text("Upload your PO history")).to_be_visible(timeout=LONG)
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
            DTC_BRAND / "po_history.csv"
        )
        expect(page.get_by_text("po_history.csv: 204 PO lines of 3 suppliers")).to_be_visible(
            timeout=LONG
        )
        expect(page.get_by_text("On time per quarter (95 % interval)")).to_be_visible(timeout=LONG)
        expect(page.get_by_text("GZ-01: PO to ship")).to_be_visible(timeout=LONG)
        page.get_by_role("tab", name="Rules replayed").click()
        expect(page.get_by_text("POs would have moved")).to_be_visible(timeout=LONG)
        page.get_by_role("tab", name="Calibration and stress test").click()
        page.get_by_role("button", name="Fit the suppliers to the history").click()
        expect(
            page.get_by_text("Stress test: typed-in against calibrated suppliers")
        ).to_be_visible(timeout=LONG)
        # the base-stock policy is the first choice (no plan stored yet in this store)
        expect(page.get_by_role("combobox", name="Plan or policy", exact=True)).to_be_visible()
        type_number(page, "Replications", "4")
        wait_idle(page)
        page.get_by_role("button", name="Run both stress tests").click()
        expect(page.get_by_text("Cash (P5 – P95 band, median line)")).to_be_visible(timeout=LONG)
        expect(page.get_by_text("suppliers calibrated on the PO history").first).to_be_visible(
            timeout=LONG
        )
        page.close()
    finally:
        server.stop()
