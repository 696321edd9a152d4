"""The Suppliers page under AppTest: the example history gives scorecards, the rules replay
and a calibration; a bad upload gives located problems; the side-by-side stress test runs."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import DTC_BRAND
from tests.history.small import HEADER, SMALL_ROWS
from tests.ui.conftest import frame_with, new_app, open_example, texts, wait_for_jobs
from ui import state

PAGE = "app_pages/suppliers.py"


def suppliers_page() -> AppTest:
    at = open_example(new_app())
    return at.switch_page(PAGE).run()


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def table_with(at: AppTest, *columns: str) -> pd.DataFrame:
    for element in at.dataframe:
        if all(c in element.value.columns for c in columns):
            return element.value
    raise AssertionError(f"no table with {columns}")


@pytest.mark.slow
def test_example_history_gives_scorecards_and_replay() -> None:
    at = suppliers_page()
    no_exception(at)
    assert "Upload your PO history" in texts(at)
    at.button(key=state.W_SU_EXAMPLE).click().run()
    no_exception(at)
    assert "po_history.csv: 204 PO lines of 3 suppliers" in texts(at)
    overall = frame_with(at, "supplier", "OTIF", "defects PPM", "score")
    assert set(overall["supplier"]) == {"GZ-01", "HCM-01", "YW-TC"}
    assert overall["POs"].sum() == 204
    firings = frame_with(at, "rule", "event", "po")
    assert {"shift on", "pause"} <= set(firings["event"])
    # a stricter defect rule fires more often
    before = len(firings[firings["event"] == "pause"])
    at.slider(key=state.W_SU_DEFECT_RATE).set_value(2).run()
    after = frame_with(at, "rule", "event", "po")
    assert len(after[after["event"] == "pause"]) > before


@pytest.mark.slow
def test_calibration_and_side_by_side_stress_test() -> None:
    at = suppliers_page()
    at.button(key=state.W_SU_EXAMPLE).click().run()
    at.button(key=state.W_SU_FIT).click().run()
    no_exception(at)
    changes = frame_with(at, "field", "current", "fitted", "applied")
    gz = changes[(changes["supplier"] == "GZ-01") & (changes["field"] == "defect_rate")]
    assert gz["current"].iloc[0] == 0.015 and abs(gz["fitted"].iloc[0] - 0.0215) < 0.001
    options = at.selectbox(key=state.W_SU_PLAN).options
    policy = next(o for o in options if "base" in o.lower())
    at.selectbox(key=state.W_SU_PLAN).set_value(policy)
    at.number_input(key=state.W_SU_REPS).set_value(4)
    at.button(key=state.W_SU_RUN).click().run()
    wait_for_jobs(at)
    no_exception(at)
    # the tables and charts name the two runs by what differs: the suppliers
    headline = frame_with(at, "measure", "A · typed-in suppliers", "B · calibrated suppliers")
    assert "supplier on-time rate" in set(headline["measure"])
    assert "typed-in suppliers" in texts(at) and "calibrated on the PO history" in texts(at)
    at.button(key=state.W_SU_APPLY).click().run()
    no_exception(at)
    assert "calibrated on po_history.csv" in at.session_state["workspace"].source


@pytest.mark.slow
def test_bad_upload_lists_located_problems() -> None:
    at = suppliers_page()
    bad = "\n".join((HEADER, SMALL_ROWS[0].replace("1000,7.80", "-3,7.80", 1))) + "\n"
    at.file_uploader(key=state.W_SU_UPLOAD).set_value([("bad.csv", bad.encode(), "text/csv")]).run()
    no_exception(at)
    assert "bad.csv cannot be used" in texts(at)
    problems = frame_with(at, "row", "field")
    assert problems[["row", "field"]].astype(str).values.tolist() == [["2", "quantity_ordered"]]
    assert DTC_BRAND.is_dir()
