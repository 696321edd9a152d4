"""The main flow in a real browser: `streamlit run ui/server.py` on a free local port, driven by
Playwright with Debian's chromium (headless; `.ci/run` installs it with apt, never a downloaded
browser).

Open the example; open a small scenario that solves in about a second (a solve of the bundled
example takes tens of seconds, too long for CI), set a 70/30 split, optimize and see the
allocation, the difference against the free optimum with the interval the gaps allow and the
exact marginal cost of the split; stress-test the plan against a
certain 30-day shutdown of the primary; find the runs on the Runs page, also after the server
restarts (the next day).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.api import write_scenario
from tests.conftest import ROOT
from tests.ui.conftest import small_scenario

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OPTIMIZE_RUN = re.compile(r"^\s*small · optimized plan")
"""The Runs page's option of the optimize run (stress runs name their plans too)."""
LONG = 180_000  # ms: solves and simulations on a shared 2-core machine

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium; "
    ".ci/run installs it)",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """`streamlit run ui/server.py` (as `sourcing ui`) on a free port, with its own run store."""

    def __init__(self, store: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://localhost:{self.port}"
        env = {**os.environ, "SOURCING_RUN_STORE": str(store)}
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(ROOT / "ui" / "server.py"),
                "--server.port",
                str(self.port),
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait()

    def _wait(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as answer:
                    if answer.read().strip() == b"ok":
                        return
            except OSError:
                time.sleep(0.5)
        raise TimeoutError("streamlit did not answer in time")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture
def browser() -> Iterator[object]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)  # not 5 s: a first page on a busy 2-core machine
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def go(page, name: str) -> None:
    """Open page ``name`` and wait for its run to end: while it runs, a number box may still
    show its default (the browser draws the box before the kept value arrives)."""
    page.locator('[data-testid="stSidebarNav"]').get_by_text(name, exact=True).click()
    page.get_by_role("heading", name=name, exact=True).wait_for(timeout=30_000)
    wait_idle(page)


def choose(page, label: str, option: str) -> None:
    """Pick an option of a selectbox or multiselect by its label."""
    page.get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option").filter(has_text=option).first.click()
    page.keyboard.press("Escape")


def type_number(page, label: str, value: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Enter")


def wait_idle(page) -> None:
    """Wait until the app has finished its rerun."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=LONG)


def test_planner_flow_in_a_real_browser(browser, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    store, log = tmp_path / "runs.sqlite", tmp_path / "streamlit.log"
    book = write_scenario(small_scenario(), tmp_path / "small.xlsx")
    server = Server(store, log)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        page.goto(server.url)
        # the example opens and is checked
        page.get_by_role("button", name="Open example").click()
        expect(page.get_by_text("Checked: no errors")).to_be_visible()
        expect(page.get_by_text("Hearthwell").first).to_be_visible()
        go(page, "Landed cost")
        expect(page.get_by_text("Cheapest option per SKU")).to_be_visible()
        # a small scenario that solves quickly, uploaded as a workbook
        go(page, "Scenario")
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(book)
        page.get_by_role("button", name="Open upload").click()
        expect(page.get_by_role("heading", name="small")).to_be_visible()
        expect(page.get_by_text("Checked: no errors")).to_be_visible()
        # optimize with SKU-0001 at 70/30
        go(page, "Optimize")
        type_number(page, "Safety time limit (s)", "30")
        choose(page, "SKUs to split", "SKU-0001")
        expect(page.get_by_text("70/30:")).to_be_visible()
        wait_idle(page)
        page.get_by_role("button", name="Optimize", exact=True).click()
        expect(page.get_by_text("Exact marginal cost of the splits").first).to_be_visible(
            timeout=LONG
        )
        expect(page.get_by_text("Difference of the two plans")).to_be_visible()
        expect(page.get_by_text("true difference in [").first).to_be_visible()
        expect(page.get_by_text("the rest of the plan held fixed").first).to_be_visible()
        expect(page.get_by_text("Optimal plan")).to_be_visible()
        expect(
            page.get_by_text("Allocation: share of each SKU's units per supplier")
        ).to_be_visible()
        expect(page.get_by_text("Free optimum", exact=True)).to_be_visible()
        # stress test the plan against the certain 30-day shutdown of the primary
        go(page, "Stress test")
        choose(
            page,
            "What happens: a what-if on top of the scenario for this test",
            "primary-shutdown-30d",
        )
        expect(page.get_by_text("shut down, days 14–43").first).to_be_visible()
        type_number(page, "Replications", "20")
        wait_idle(page)
        page.get_by_role("button", name="Run stress test").click()
        expect(page.get_by_text("Cash (P5 – P95 band, median line)")).to_be_visible(timeout=LONG)
        expect(page.get_by_text("Distributions over the replications")).to_be_visible()
        # both runs are kept; the plan reopens on the Runs page
        go(page, "Runs")
        expect(page.get_by_text("Open a run")).to_be_visible()
        choose(page, "Open a run", OPTIMIZE_RUN)
        expect(
            page.get_by_text("Allocation: share of each SKU's units per supplier")
        ).to_be_visible()
        page.close()
    finally:
        server.stop()
    # the next day: a new server on the same store still has the runs
    server = Server(store, log)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        page.goto(server.url)
        go(page, "Runs")
        expect(page.get_by_text("Open a run")).to_be_visible()
        choose(page, "Open a run", "stress")
        expect(page.get_by_text("Cash (P5 – P95 band, median line)")).to_be_visible(timeout=LONG)
        page.close()
    finally:
        server.stop()
