"""Session state: the one module that owns every key the app keeps between reruns.

Pages read and write the session only through the functions here, and name their widgets
with the ``W_*`` keys below, so a key is spelled once and tests can find each widget.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from engine.api import LoadedScenario, Problem, Scenario
from ui.job_types import Outcome, TaskResult

# ---------------------------------------------------------------- state keys (not widgets)

_WORKSPACE = "workspace"
_RESULTS = "results"
_ERRORS = "errors"
_JOBS = "jobs"
_UPLOAD_PROBLEMS = "upload_problems"
_CONFIRM_DELETE = "confirm_delete"
_SEEN_JOBS = "seen_jobs"
_SETTINGS = "settings"

# ---------------------------------------------------------------- widget keys

W_EXAMPLE = "scenario.example"
W_OPEN_EXAMPLE = "scenario.open_example"
W_UPLOAD = "scenario.upload"
W_OPEN_UPLOAD = "scenario.open_upload"
W_WHATIF = "scenario.whatif"
W_APPLY = "scenario.apply"
W_RESET = "scenario.reset"

W_LC_SKU = "landed.sku"
W_LC_QTY = "landed.qty"

W_OPT_TIME = "optimize.time_limit"
W_OPT_WORK = "optimize.work_scale"
W_OPT_TIME_BUDGET = "optimize.time_budget"
W_OPT_GAP = "optimize.gap_pct"
W_OPT_TIERS = "optimize.tier_choice"
W_OPT_SPLIT_SKUS = "optimize.split_skus"
W_OPT_RUN = "optimize.run"
W_FR_SKUS = "frontier.skus"
W_FR_KIND = "frontier.kind"
W_FR_RUN = "frontier.run"

W_ST_WHATIF = "stress.whatif"
W_ST_CERTAIN = "stress.certain"
W_ST_PLAN_A = "stress.plan_a"
W_ST_PLAN_B = "stress.plan_b"
W_ST_REPS = "stress.replications"
W_ST_SEED = "stress.seed"
W_ST_LATE = "stress.rule_late"
W_ST_LATE_N = "stress.rule_late_n"
W_ST_LATE_SHARE = "stress.rule_late_share"
W_ST_DEFECT = "stress.rule_defect"
W_ST_DEFECT_RATE = "stress.rule_defect_rate"
W_ST_EXPEDITE = "stress.rule_expedite"
W_ST_EXPEDITE_DAYS = "stress.rule_expedite_days"
W_ST_RUN = "stress.run"

W_FI_PLAN = "finance.plan"
W_FI_DRIVER = "finance.driver"
W_FI_REPS = "finance.replications"
W_FI_DIRECT_DAYS = "finance.direct_days"
W_FI_DIRECT_COST = "finance.direct_cost"
W_FI_DIRECT_DSO = "finance.direct_dso"
W_FI_RUN = "finance.run"
W_FI_SUPPLIER = "finance.supplier"
W_FI_DEPOSIT = "finance.deposit_pct"
W_FI_BALANCE = "finance.balance_days"
W_FI_SHEET = "finance.balance_sheet"

# the Suppliers page (PO history)
W_SU_UPLOAD = "suppliers.upload"
W_SU_EXAMPLE = "suppliers.example"
W_SU_WEIGHTS = "suppliers.weights"
W_SU_LATE_N = "suppliers.late_n"
W_SU_LATE_SHARE = "suppliers.late_share"
W_SU_DEFECT_RATE = "suppliers.defect_rate"
W_SU_DEFECT_WINDOW = "suppliers.defect_window"
W_SU_PAUSE_DAYS = "suppliers.pause_days"
W_SU_SUPPLIER = "suppliers.supplier"
W_SU_MIN_POS = "suppliers.min_pos"
W_SU_FIT = "suppliers.fit"
W_SU_APPLY = "suppliers.apply"
W_SU_PLAN = "suppliers.plan"
W_SU_REPS = "suppliers.replications"
W_SU_SEED = "suppliers.seed"
W_SU_RUN = "suppliers.run"

W_RE_SKUS = "resilience.skus"
W_RE_RUN = "resilience.run"

W_RUNS_KIND = "runs.kind"
W_RUNS_OPEN = "runs.open"
W_RUNS_COMPARE = "runs.compare"
W_RUNS_LABEL = "runs.label"
W_RUNS_RELABEL = "runs.relabel"
W_RUNS_DELETE = "runs.delete"
W_RUNS_CONFIRM = "runs.confirm_delete"
W_RUNS_CANCEL = "runs.cancel_delete"
W_RUNS_USE = "runs.use_scenario"


def disruptions_key(whatif: str) -> str:
    """Widget key of the disruption picker; one per what-if, so each starts with all chosen."""
    return f"stress.disruptions.{whatif or 'none'}"


def split_key(sku: str, part: str) -> str:
    """Widget key of one SKU's fixed-split control: ``part`` is primary, backup or share."""
    return f"optimize.split.{sku}.{part}"


def set_values_key(version: int) -> str:
    """Widget key of the box of the user's own ``key = value`` changes."""
    return f"scenario.set_values.{version}"


def settings_key(version: int) -> str:
    """Widget key of the settings YAML box."""
    return f"scenario.settings.{version}"


def editor_key(table: str, version: int) -> str:
    """Widget key of a table's editor; a new version starts the editor from its table again."""
    return f"scenario.edit.{table}.{version}"


# ---------------------------------------------------------------- the workspace


@dataclass
class Workspace:
    """The scenario being worked on.

    Attributes:
        source: Where it came from, e.g. ``example dtc-brand`` or ``upload book.xlsx``.
        folder: The session's working folder, holding the edited scenario as YAML + CSV.
        tables: The editable tables (the base scenario, before any what-if).
        settings_yaml: The settings as YAML text.
        whatif: The named scenario or override applied (None = the base).
        set_values: ``key = value`` lines applied last.
        base: The validated base scenario (None while it has errors).
        loaded: The validated scenario with the what-if and set values applied.
        problems: Every problem of the last check (errors and warnings).
        version: Bumped when the tables are replaced, so editors start afresh.
    """

    source: str
    folder: Path
    tables: dict[str, pd.DataFrame]
    settings_yaml: str
    whatif: str | None = None
    set_values: str = ""
    base: Scenario | None = None
    loaded: LoadedScenario | None = None
    problems: list[Problem] = field(default_factory=list)
    version: int = 0


def workspace() -> Workspace | None:
    return st.session_state.get(_WORKSPACE)


def set_workspace(value: Workspace) -> None:
    """Replace the workspace; its version continues the old one's, so that no widget state
    of the old scenario's editors is applied to the new one."""
    old = workspace()
    if old is not None:
        value.version = old.version + 1
    st.session_state[_WORKSPACE] = value


def scenario() -> Scenario | None:
    """The scenario every page works on (what-if applied), or None."""
    space = workspace()
    return space.loaded.scenario if space is not None and space.loaded is not None else None


def scenario_label() -> str:
    """The scenario's name and the what-if applied, as runs are named."""
    space = workspace()
    current = scenario()
    if space is None or current is None:
        return ""
    extras = [space.whatif] if space.whatif else []
    if space.set_values.strip():
        extras.append("edited")
    return " / ".join([current.name, *extras])


def upload_problems() -> list[Problem]:
    return st.session_state.get(_UPLOAD_PROBLEMS, [])


def set_upload_problems(problems: list[Problem]) -> None:
    st.session_state[_UPLOAD_PROBLEMS] = problems


# ---------------------------------------------------------------- results of background work


def result(name: str) -> Outcome | None:
    """The ``Outcome`` (a stored run) of the session's job ``name``, if it has one."""
    value = task_result(name)
    return value if isinstance(value, Outcome) else None


def task_result(name: str) -> TaskResult | None:
    """Whatever the session's job ``name`` handed back (e.g. a ``ResilienceResult``)."""
    return st.session_state.setdefault(_RESULTS, {}).get(name)


def set_result(name: str, value: TaskResult) -> None:
    st.session_state.setdefault(_RESULTS, {})[name] = value


def error(name: str) -> str | None:
    return st.session_state.setdefault(_ERRORS, {}).get(name)


def set_error(name: str, message: str | None) -> None:
    errors = st.session_state.setdefault(_ERRORS, {})
    if message is None:
        errors.pop(name, None)
    else:
        errors[name] = message


def jobs() -> dict[str, str]:
    """This session's server jobs: page job name (e.g. ``optimize``) -> job id (``ui.jobs``).
    The jobs themselves live in the server's registry, never in the session."""
    return st.session_state.setdefault(_JOBS, {})


def clear_result(name: str) -> None:
    """Forget a result (a new run of the same kind is on its way)."""
    st.session_state.setdefault(_RESULTS, {}).pop(name, None)
    set_error(name, None)


def seen_jobs() -> set[str]:
    """Server jobs this session has taken the result of, or dismissed."""
    return st.session_state.setdefault(_SEEN_JOBS, set())


def confirm_delete() -> str | None:
    return st.session_state.get(_CONFIRM_DELETE)


def set_confirm_delete(run_id: str | None) -> None:
    st.session_state[_CONFIRM_DELETE] = run_id


def default_unless_set(key: str, default: Any) -> Any:
    """A widget's default, or None once the session remembers a value for it (Streamlit warns
    when both are given)."""
    return None if key in st.session_state else default


def keep_valid(key: str, options: list[Any]) -> None:
    """Drop a widget's remembered choice(s) that are no longer among its options (after
    another scenario was opened), before the widget is drawn."""
    if key not in st.session_state:
        return
    value = st.session_state[key]
    if isinstance(value, list):
        kept = [v for v in value if v in options]
        if kept != value:
            st.session_state[key] = kept
    elif value not in options:
        del st.session_state[key]
        _kept().pop(key, None)


# ---------------------------------------------------------------- settings kept across pages

SETTINGS_PREFIXES = (
    "landed.",
    "optimize.",
    "frontier.",
    "stress.",
    "finance.",
    "suppliers.",
    "resilience.",
    "runs.",
)
"""Widgets whose values the session keeps while another page is open."""
ACTIONS = frozenset(
    {
        W_OPT_RUN,
        W_FR_RUN,
        W_ST_RUN,
        W_FI_RUN,
        W_SU_UPLOAD,
        W_SU_EXAMPLE,
        W_SU_FIT,
        W_SU_APPLY,
        W_SU_RUN,
        W_RE_RUN,
        W_RUNS_RELABEL,
        W_RUNS_DELETE,
        W_RUNS_CONFIRM,
        W_RUNS_CANCEL,
        W_RUNS_USE,
    }
)
"""Buttons and uploaders among them: Streamlit does not let a session set those."""


def keep_settings() -> None:
    """Keep every settings widget's value when its page is not shown.

    Streamlit drops a widget's value at the end of a run that does not draw it, so a page's
    choices (e.g. the SKUs to split) were lost after a visit to another page. Writing the value
    back as the session's own makes Streamlit keep it (its documented way); run at the start of
    every run of the app, before any page draws its widgets. A copy of every setting is kept
    too, and a setting Streamlit dropped anyway is written back from it (a page's timed
    fragment that fires once more after a page switch drops that page's widgets).
    """
    kept = _kept()
    for key in list(st.session_state.keys()):
        if not (isinstance(key, str) and key.startswith(SETTINGS_PREFIXES) and key not in ACTIONS):
            continue
        value = st.session_state[key]
        if _settable(value) and not key.endswith((".csv", ".xlsx")):
            st.session_state[key] = value
            kept[key] = value
    for key, value in kept.items():
        if key not in st.session_state:
            st.session_state[key] = value


def _kept() -> dict[str, Any]:
    """The copy of the settings (``keep_settings``)."""
    return st.session_state.setdefault(_SETTINGS, {})


def _settable(value: Any) -> bool:
    """A plain choice (not a button's click, a table's selection or an uploaded file)."""
    if isinstance(value, (list, tuple)):
        return all(_settable(v) for v in value)
    return value is None or isinstance(value, (str, int, float, dt.date))
