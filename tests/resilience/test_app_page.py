"""The Resilience page under AppTest: inputs, a run on a small scenario, the sentence, the
chart and the table."""

from __future__ import annotations

from pathlib import Path

from engine.scenario import write_scenario
from tests.resilience.test_frontier import often_down
from tests.ui.conftest import new_app, upload, wait_for_jobs

PAGE = "app_pages/resilience.py"


def test_the_page_recommends_a_split(tmp_path: Path) -> None:
    path = write_scenario(often_down(), tmp_path / "often-down.xlsx")
    at = upload(new_app(), [("often-down.xlsx", path.read_bytes(), "application/octet-stream")])
    at = at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.multiselect(key="resilience.skus").value == ["A"]
    at.number_input(key="resilience.reps").set_value(40)
    at.select_slider(key="resilience.work").set_value(0.2)
    at.checkbox(key="resilience.stochastic").check()
    at.button(key="resilience.run").click().run()
    at = wait_for_jobs(at)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    sentence = " ".join(s.value for s in at.success)
    assert "run backup" in sentence, sentence
    tables = [d.value for d in at.dataframe if "candidate" in d.value.columns]
    assert tables and tables[0]["candidate"].iloc[0] == "free optimum"
    assert tables[0]["candidate"].iloc[-1] == "stochastic (SAA)"
    assert len(at.get("vega_lite_chart")) == 1 or len(at.get("arrow_vega_lite_chart")) == 1
