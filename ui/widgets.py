"""Small shared pieces of the pages: the scenario guard, problem tables, job errors."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import streamlit as st

from engine.api import Problem, Scenario
from ui import loading, plans, state
from ui.tasks import PlanChoice

PAGES_DIR = Path(__file__).resolve().parent / "app_pages"


def need_scenario() -> Scenario | None:
    """The scenario to work on, or None after telling the user how to get one."""
    current = state.scenario()
    if current is not None:
        return current
    space = state.workspace()
    if space is None:
        st.info("Open a scenario first: the bundled example or your own files.")
    else:
        st.error("The scenario has errors; fix them on the Scenario page first.")
    st.page_link(
        str(PAGES_DIR / "scenario.py"),
        label="Go to the Scenario page",
        icon=":material/folder_open:",
    )
    return None


def problems_table(problems: Iterable[Problem], key: str | None = None) -> None:
    """Every problem as a row: severity, file, row, field, what was found, what is allowed."""
    frame = loading.problems_frame(problems)
    st.dataframe(frame, hide_index=True, key=key)


def job_error(name: str) -> None:
    """The message of a failed job, with details (if any) folded away."""
    message = state.error(name)
    if not message:
        return
    head, _, details = message.partition("\n\n")
    st.error(head)
    if details:
        with st.expander("Details for a bug report"):
            st.code(details)


def currency() -> str:
    current = state.scenario()
    return current.finance.currency if current is not None else ""


def plan_picker(label: str, choices: dict[str, PlanChoice], key: str, where: Any = st) -> str:
    """A picker of plans (and policies) that starts on the plan made in this session, and says
    so when it starts on anything else (``plans.default_plan``)."""
    keys = list(choices)
    state.keep_valid(key, keys)
    own = state.result("optimize")
    default, note = plans.default_plan(choices, own.run_id if own is not None else None)
    start = {} if key in st.session_state or default is None else {"index": keys.index(default)}
    chosen = where.selectbox(label, keys, format_func=lambda k: choices[k].label, key=key, **start)
    if note and chosen == default:
        where.caption(note)
    return str(chosen)
