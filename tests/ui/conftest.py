"""Fixtures of the app tests: a private run store, a small scenario that solves in about a
second (with the 70/30 and 30-day-shutdown what-ifs of the example), and AppTest helpers."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from engine.api import Scenario, generate_scenario, write_scenario
from engine.runs.jobs import job_registry
from tests.conftest import ROOT

APP = ROOT / "ui" / "app.py"
PAGES = {
    "scenario": "app_pages/scenario.py",
    "landed_cost": "app_pages/landed_cost.py",
    "optimize": "app_pages/optimize.py",
    "stress": "app_pages/stress.py",
    "finance": "app_pages/finance.py",
    "runs": "app_pages/runs.py",
}


def small_scenario() -> Scenario:
    """Two SKUs from a Chinese primary and a Vietnamese backup, 16 weeks (long enough for POs
    placed before Chinese New Year and Tet to arrive), with the what-ifs ``split-70-30``
    (SKU-0001 fixed at 70/30) and ``primary-shutdown-30d`` (a certain 30-day shutdown of the
    primary)."""
    base = generate_scenario(skus=2, suppliers=2, modes=2, periods=16, period_length_days=7, seed=1)
    primary = base.suppliers[0].supplier
    backup = base.suppliers[1].supplier
    shutdown = {
        "kind": "supplier_shutdown",
        "supplier": primary,
        "start_day": 14,
        "length_days": 30,
        "probability": 1.0,
    }
    overrides = {
        **base.overrides,
        "split-70-30": {"risk_policy.fixed_splits.SKU-0001": {primary: 0.7, backup: 0.3}},
        "shutdown-30d": {"disruptions": [shutdown]},
    }
    scenarios = {"primary-shutdown-30d": ("shutdown-30d",)}
    return base.model_copy(update={"name": "small", "overrides": overrides, "scenarios": scenarios})


@pytest.fixture(autouse=True)
def run_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every app test keeps its runs in its own store."""
    path = tmp_path / "runs.sqlite"
    monkeypatch.setenv("SOURCING_RUN_STORE", str(path))
    return path


@pytest.fixture(scope="session")
def small_xlsx(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("small") / "small.xlsx"
    return write_scenario(small_scenario(), path).read_bytes()


@pytest.fixture(scope="session")
def small_zip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    folder = tmp_path_factory.mktemp("small-folder")
    write_scenario(small_scenario(), folder)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, f"small/{path.name}")
    return buffer.getvalue()


def new_app() -> AppTest:
    """The app, run once (the Scenario page)."""
    return AppTest.from_file(str(APP), default_timeout=60).run()


def open_example(at: AppTest, name: str = "dtc-brand") -> AppTest:
    at.selectbox(key="scenario.example").set_value(name)
    return at.button(key="scenario.open_example").click().run()


def upload(at: AppTest, files: list[tuple[str, bytes, str]]) -> AppTest:
    at.file_uploader(key="scenario.upload").set_value(files).run()
    return at.button(key="scenario.open_upload").click().run()


def open_small(at: AppTest, small_xlsx: bytes) -> AppTest:
    return upload(at, [("small.xlsx", small_xlsx, "application/octet-stream")])


def go(at: AppTest, page: str) -> AppTest:
    return at.switch_page(PAGES[page]).run()


def wait_for_jobs(at: AppTest, timeout: float = 180.0) -> AppTest:
    """Rerun the app once every server job of the session has finished."""
    registry = job_registry()
    for job_id in list(at.session_state["jobs"].values()):
        registry.wait(job_id, timeout)
    return at.run()


def texts(at: AppTest) -> str:
    """Every message, markdown, caption and title on the page, as one text."""
    parts = []
    for kind in (
        "title",
        "subheader",
        "markdown",
        "caption",
        "error",
        "warning",
        "success",
        "info",
    ):
        parts.extend(str(e.value) for e in getattr(at, kind))
    return "\n".join(parts)


def frame_with(at: AppTest, *columns: str) -> pd.DataFrame:
    """The first table on the page that has all these columns (a plain table's index is its
    first column)."""
    for element in [*at.dataframe, *at.table]:
        value = element.value
        if value.index.name is not None:
            value = value.reset_index()
        if all(c in value.columns for c in columns):
            return value
    raise AssertionError(f"no table with the columns {columns}")
