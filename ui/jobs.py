"""Long work off the page: optimize, frontier and stress runs go to worker threads.

A page submits a task and keeps rendering; a small fragment polls the job every second,
shows its progress (a status box, or a progress bar when the task reports ``done / total``)
and reruns the page when it ends. Tasks never touch Streamlit: they report through a
``Progress`` box and hand back a ``Outcome`` (or raise), which ``collect`` moves into
the session on the next rerun. Jobs keep running when the user switches pages.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from engine.api import RunStoreError, ScenarioError
from ui import state
from ui.tasks import Outcome

_EXECUTOR = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sourcing-ui-job")
POLL_SECONDS = 1.0


@dataclass
class Progress:
    """What a running task has done so far; written by the task, read by the page."""

    done: int = 0
    total: int = 0
    message: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def update(self, done: int, total: int) -> None:
        """The ``progress(done, total)`` callback of ``stress_test`` and ``compare``."""
        with self._lock:
            self.done, self.total = done, total

    def say(self, message: str) -> None:
        with self._lock:
            self.message = message

    def snapshot(self) -> tuple[int, int, str]:
        with self._lock:
            return self.done, self.total, self.message


@dataclass
class Job:
    """A submitted task."""

    name: str
    label: str
    future: Future[Outcome]
    progress: Progress
    started: float = field(default_factory=time.monotonic)

    @property
    def running(self) -> bool:
        return not self.future.done()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started


def submit(name: str, label: str, task: Callable[..., Outcome], *args: Any) -> Job:
    """Start ``task(*args, progress)`` in a worker thread as the session's job ``name``."""
    progress = Progress(message="waiting for a free worker")
    job = Job(name, label, _EXECUTOR.submit(task, *args, progress), progress)
    state.jobs()[name] = job
    state.set_error(name, None)
    return job


def running(name: str) -> Job | None:
    """The session's job ``name`` while it runs."""
    job = state.jobs().get(name)
    return job if job is not None and job.running else None


def collect() -> None:
    """Move every finished job's outcome (or error message) into the session."""
    jobs = state.jobs()
    for name, job in list(jobs.items()):
        if job.running:
            continue
        del jobs[name]
        try:
            state.set_result(name, job.future.result())
        except (ScenarioError, RunStoreError, ValueError, KeyError) as error:
            state.set_error(name, f"{job.label} failed: {error}")
        except Exception as error:  # a bug: say so plainly, keep the details for a report
            details = "".join(traceback.format_exception(error))
            state.set_error(name, f"{job.label} failed unexpectedly: {error!r}\n\n{details}")


@st.fragment(run_every=POLL_SECONDS)
def watch(name: str) -> None:
    """Show job ``name``'s progress while it runs; rerun the page when it has finished."""
    job = state.jobs().get(name)
    if job is None:
        return
    if not job.running:
        st.rerun()
    done, total, message = job.progress.snapshot()
    text = f"{job.label}: {message or 'working'} ({job.elapsed:.0f} s)"
    if total > 0:
        st.progress(min(1.0, done / total), text=f"{text}: {done} of {total}")
    else:  # not as a context manager: leaving one would mark the status complete
        box = st.status(text, state="running")
        box.caption("You can keep working on other pages; the result is kept in Runs.")


@st.fragment(run_every=2 * POLL_SECONDS)
def watch_all() -> None:
    """The sidebar's list of running jobs; reruns the app when one has finished, whatever
    page is open (the page's own ``watch`` shows the details)."""
    jobs = state.jobs()
    if any(not job.running for job in jobs.values()):
        st.rerun()
    for job in jobs.values():
        st.caption(f":material/hourglass_top: {job.label}: running ({job.elapsed:.0f} s)")
