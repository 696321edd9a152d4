"""Long work as server jobs: optimize, curves and stress tests run in the server's job registry
(``engine.runs.jobs``), not in a browser session, so a reloaded page or another tab finds them.

A page submits a task and keeps rendering; the session keeps only the job's id. A small
fragment polls the registry every second, shows the job's progress (with the estimate and what
a queued job waits for) and a Cancel button, and reruns the page when the job ends; ``collect``
then moves the result (or the error) into the session. The sidebar lists the server's other
jobs, e.g. the one a reloaded page started: running ones with their progress and Cancel,
finished ones with a button that opens their result. Tasks never touch Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import streamlit as st

from engine.api import (
    ResilienceResult,
    RunStore,
    RunStoreError,
    Scenario,
    ScenarioError,
    default_store_path,
)
from engine.runs.jobs import JobRecord, JobRegistry, JobStatus, job_registry, model_size
from ui import formats, loading, state
from ui.job_types import Outcome, Progress, TaskResult, outcome_of_run

POLL_SECONDS = 1.0
SHOW_FINISHED_HOURS = 2.0
"""The sidebar offers the results of other tabs' and reloaded pages' jobs this long."""
EXPECTED_ERRORS = (ScenarioError, RunStoreError, ValueError, KeyError)

PAGE_OF_JOB = {
    "optimize": "app_pages/optimize.py",
    "frontier": "app_pages/optimize.py",
    "stress": "app_pages/stress.py",
    "finance": "app_pages/finance.py",
    "suppliers.stress": "app_pages/suppliers.py",
}
"""The page that shows a job's result, by the job's name."""


def registry() -> JobRegistry:
    """The registry of the run store in use (one per server process)."""
    return job_registry(default_store_path())


def submit(
    name: str,
    label: str,
    task: Callable[[Any, Progress], TaskResult],
    request: Any,
    *,
    work_units: float = 1.0,
    unit: str = "",
    solver: bool = False,
    scenario: Scenario | None = None,
) -> str:
    """Start ``task(request, progress)`` as a server job, the session's job ``name`` (with
    ``solver``, after the server's other solves; ``scenario``: the one it works on, for the
    estimates of other scenarios' first jobs); the result of the session's last job of that
    name is cleared (a new one is on its way)."""
    scenario_name = str(getattr(request, "scenario_name", ""))
    job_id = registry().submit(
        name,
        label,
        scenario_name,
        partial(task, request),
        work_units=work_units,
        unit=unit,
        solver=solver,
        model_size=size_of(scenario),
    )
    state.jobs()[name] = job_id
    state.clear_result(name)
    return job_id


def size_of(scenario: Scenario | None) -> float | None:
    """The scenario's size for time estimates: SKUs x suppliers x periods."""
    if scenario is None:
        return None
    return model_size(len(scenario.skus), len(scenario.suppliers), scenario.horizon.periods)


def estimate_note(
    name: str, scenario_name: str, work_units: float = 1.0, scenario: Scenario | None = None
) -> str:
    """How long a job would take, before it starts, and what that rests on: past jobs of the
    scenario; else past jobs of other scenarios scaled by model size."""
    seconds, basis = registry().estimate(name, scenario_name, work_units, size_of(scenario))
    if seconds is None:
        return f"Time: {basis}."
    return f"Takes about {formats.duration(seconds)} ({basis})."


def running(name: str) -> JobRecord | None:
    """The session's job ``name`` while it is queued or runs."""
    job_id = state.jobs().get(name)
    record = registry().record(job_id) if job_id else None
    return record if record is not None and not record.finished else None


def collect() -> None:
    """Move every finished job's outcome (or error message) into the session."""
    jobs = state.jobs()
    for name, job_id in list(jobs.items()):
        record = registry().record(job_id)
        if record is not None and not record.finished:
            continue
        del jobs[name]
        if record is not None:
            take(name, record)


def take(name: str, record: JobRecord) -> None:
    """A finished job's result, error or cancellation, into the session as job ``name``."""
    state.seen_jobs().add(record.job_id)
    if record.status is JobStatus.CANCELLED:
        after = formats.duration(record.elapsed_seconds)
        state.set_error(name, f"{record.label}: cancelled after {after}.")
        return
    if record.status is JobStatus.INTERRUPTED:
        state.set_error(name, f"{record.label}: {record.message}; start it again.")
        return
    result = registry().result(record.job_id)
    if record.status is JobStatus.FAILED:
        state.set_error(name, _failure(record, result))
        return
    if not isinstance(result, Outcome) and record.run_id:
        try:
            result = outcome_of_run(RunStore().get(record.run_id))
        except RunStoreError as error:
            state.set_error(name, f"{record.label}: its run cannot be read: {error}")
            return
    if isinstance(result, Outcome | ResilienceResult):
        state.set_result(name, result)


def _failure(record: JobRecord, error: Any) -> str:
    if error is None or isinstance(error, EXPECTED_ERRORS):
        return f"{record.label} failed: {record.message}"
    details = registry().details(record.job_id)  # a bug: say so plainly, keep the details
    return f"{record.label} failed unexpectedly: {error!r}\n\n{details}"


def progress_text(record: JobRecord) -> str:
    """``Optimizing: plan: solving (12 s of about 40 s)``."""
    elapsed = formats.duration(record.elapsed_seconds)
    timing = (
        f"{elapsed} of about {formats.duration(record.estimate_seconds)}"
        if record.estimate_seconds is not None
        else elapsed
    )
    text = f"{record.label}: {record.message or 'working'} ({timing})"
    if record.total > 0:
        text += f": {record.done} of {record.total} {record.unit}".rstrip()
    return text


def _show_progress(record: JobRecord, key: str) -> None:
    text = progress_text(record)
    cols = st.columns([5, 1], vertical_alignment="center")
    if record.total > 0:
        cols[0].progress(min(1.0, record.done / record.total), text=text)
    else:
        cols[0].info(text, icon=":material/hourglass_top:")
    cols[1].button(
        "Cancel",
        key=f"jobs.cancel.{key}.{record.job_id}",
        on_click=registry().cancel,
        args=(record.job_id,),
        disabled=record.message.startswith("cancelling"),
        help="Stops the job within a few seconds; nothing is saved.",
    )


def watch(name: str) -> None:
    """Show the session's job ``name`` while it runs; rerun the page when it has ended.

    The timed fragment runs only while there is a job to watch: two timers in one browser
    session (this one and the sidebar's, or an idle one) raced a full rerun of the page, and
    the browser dropped the page ("Bad delta path index") when two tabs optimized at once.
    """
    job_id = state.jobs().get(name)
    if job_id is not None:
        _watch_job(job_id)


@st.fragment(run_every=POLL_SECONDS)
def _watch_job(job_id: str) -> None:
    record = registry().record(job_id)
    if record is None or record.finished:
        st.rerun()
    _show_progress(record, "page")
    st.caption("You can keep working on other pages or reload; the job runs on the server.")


def others() -> list[JobRecord]:
    """The server's jobs this session did not start (or has not taken the result of)."""
    own = set(state.jobs().values()) | state.seen_jobs()
    return [r for r in registry().records(SHOW_FINISHED_HOURS) if r.job_id not in own]


@st.fragment(run_every=2 * POLL_SECONDS)
def _watch_others(unfinished: tuple[str, ...]) -> None:
    """The server's other running jobs with their progress; reruns the app when one ends."""
    records = {r.job_id: r for r in others()}
    if any(records.get(j) is None or records[j].finished for j in unfinished):
        st.rerun()
    for job_id in unfinished:
        _show_progress(records[job_id], "sidebar")


def sidebar() -> None:
    """Jobs on the server: the session's own (a line each), others' running ones with
    progress and Cancel, and others' finished ones with a button to open the result."""
    for job_id in state.jobs().values():
        record = registry().record(job_id)
        if record is not None:  # its progress is on its page (this line is not redrawn)
            st.caption(f":material/hourglass_top: {record.label}: running (progress on its page)")
    records = others()
    unfinished = tuple(r.job_id for r in records if not r.finished)
    finished = [r for r in records if r.finished and r.status is JobStatus.DONE and r.run_id]
    if unfinished or finished:
        st.markdown("**Jobs on this server**")
    if unfinished and not state.jobs():
        _watch_others(unfinished)
    elif unfinished:  # one timer per session: the page's own job is watched, these are not
        for record in records:
            if not record.finished:
                st.caption(f":material/hourglass_top: {progress_text(record)}")
    for record in finished:
        when = record.finished_at.strftime("%H:%M UTC") if record.finished_at else ""
        st.caption(f"{record.label} on {record.scenario_name}: done at {when}")
        if st.button(
            "Show the result",
            key=f"jobs.open.{record.job_id}",
            help="Open this job's result on its page (and its scenario, if none is open).",
        ):
            open_result(record)


def open_result(record: JobRecord) -> None:
    """Take another tab's (or a reloaded page's) finished job as this session's, then show
    its page. Without an open scenario, the job's scenario is opened too."""
    name = record.kind
    if state.workspace() is None and record.run_id:
        try:
            run = RunStore().get(record.run_id)
        except RunStoreError as error:
            state.set_error(name, str(error))
        else:
            state.set_workspace(loading.open_scenario(run.scenario, record.scenario_name))
    take(name, record)
    st.switch_page(PAGE_OF_JOB.get(name, "app_pages/runs.py"))
