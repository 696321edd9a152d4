"""The sourcing app: ``sourcing ui`` (or ``streamlit run ui/app.py``).

The entry script: page setup, the navigation between the pages under ``ui/app_pages``, a sidebar
with the scenario in use and the jobs on the server, the settings kept across pages, and the
hand-over of finished jobs to the session before the chosen page runs.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `streamlit run` puts ui/ on the path, not the repository
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from ui import jobs, state  # noqa: E402

PAGES = Path(__file__).resolve().parent / "app_pages"
STYLE = """<style>
/* a button that deletes for good looks like it */
.st-key-runs-confirm_delete button {
  background-color: #b3261e; border-color: #b3261e; color: #fff;
}
/* buttons keep their words on narrow screens (wrap, never "Sav...") */
.stButton button p, .stDownloadButton button p { white-space: normal; }
</style>"""

# an emoji icon: a Material icon as the favicon is fetched from fonts.gstatic.com, which an
# offline machine cannot reach
st.set_page_config(page_title="Sourcing engine", page_icon="🚢", layout="wide")
st.html(STYLE)

pages = {
    "Plan": [
        st.Page(
            PAGES / "scenario.py", title="Scenario", icon=":material/folder_open:", default=True
        ),
        st.Page(PAGES / "landed_cost.py", title="Landed cost", icon=":material/sell:"),
        st.Page(PAGES / "optimize.py", title="Optimize", icon=":material/calculate:"),
    ],
    "Risk and money": [
        st.Page(PAGES / "stress.py", title="Stress test", icon=":material/storm:"),
        st.Page(PAGES / "resilience.py", title="Resilience", icon=":material/shield:"),
        st.Page(PAGES / "finance.py", title="Finance", icon=":material/payments:"),
        st.Page(PAGES / "suppliers.py", title="Suppliers", icon=":material/factory:"),
    ],
    "History": [st.Page(PAGES / "runs.py", title="Runs", icon=":material/history:")],
}
page = st.navigation(pages)

state.keep_settings()
jobs.collect()

with st.sidebar:
    current = state.scenario()
    if current is not None:
        st.markdown(f"**Scenario:** {state.scenario_label()}")
        st.caption(
            f"{len(current.skus)} SKUs · {len(current.suppliers)} suppliers · "
            f"{current.horizon.periods} periods of {current.horizon.period_length_days} days "
            f"from {current.horizon.start_date} · money in {current.finance.currency}"
        )
    elif state.workspace() is not None:
        st.error("The scenario has errors (see the Scenario page).")
    else:
        st.caption("No scenario open yet.")
    jobs.sidebar()

page.run()
