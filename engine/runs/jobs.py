"""Jobs belong to the server: long work (optimize, curves, stress tests) runs in worker
processes owned by one registry per run store in the server process, not by a browser session.
A job in its own process keeps the server answering (the pages' progress moves while a model is
built) and can always be stopped: a cancelled job stops at its next check, and a process that
has not stopped by itself within ``HARD_CANCEL_SECONDS`` is ended.

A reloaded page or another tab finds every job in the registry: its kind, scenario, status,
progress message, start, estimate and, when done, the run it saved. The registry also writes
each job to a SQLite file beside the run store (``runs.jobs.sqlite``), so the next server knows
the jobs the last one left unfinished, and an estimate comes from how long past jobs of the same
kind and scenario took (or, for a scenario's first job, past jobs on other scenarios scaled by
model size: SKUs x suppliers x periods).

    registry = job_registry()                      # one per run store, per process
    job_id = registry.submit("optimize", "Optimizing", "dtc-brand", task)
    registry.record(job_id).status                 # queued, running, done, failed, cancelled
    registry.cancel(job_id)                        # the task stops at its next check

A task is a picklable ``task(progress) -> result`` (e.g. ``functools.partial`` of a module's
function): it reports through ``Progress`` (``update(done, total)`` and ``say(message)`` raise
``Cancelled`` once the job is cancelled, and ``engine.cancel`` stops HiGHS runs). A job
submitted with ``solver=True`` waits its turn for the solver (one solve at a time: two solves
side by side on a small machine only slow each other), and says which job it waits for.
Nothing here knows Streamlit.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import pickle
import secrets
import sqlite3
import statistics
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from engine import cancel
from engine.cancel import Cancelled
from engine.runs.errors import STORE_ENV
from engine.runs.paths import default_store_path

WORKERS = 4
"""Worker threads per registry (solves take turns at the solver; simulations run beside)."""
KEEP_RESULTS = 50
"""Finished jobs whose result object is kept in memory (older ones reopen from the store)."""
STORE_EVERY_SECONDS = 1.0
"""How often a running job's progress is written to the job file."""
WAIT_POLL_SECONDS = 0.2
HARD_CANCEL_SECONDS = 3.0
"""A cancelled job's process that has not stopped by itself after this long is ended."""
PRELOAD = ("engine.api",)
"""Imported once by the fork server, so a job's process starts in a fraction of a second."""

__all__ = [
    "Cancelled",
    "JobRecord",
    "JobRegistry",
    "JobStatus",
    "Progress",
    "job_registry",
    "jobs_path",
    "model_size",
    "solver_turn",
]


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"
    """The server stopped while the job ran."""


FINISHED = frozenset({JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.INTERRUPTED})


@dataclass(frozen=True)
class JobRecord:
    """One job as the pages show it.

    Attributes:
        job_id: ``job-xxxxxxxx``.
        kind: What it does: ``optimize``, ``frontier``, ``stress``, ...
        label: What the user started, in words.
        scenario_name: The scenario (and what-if) it works on.
        status: Queued, running or how it ended.
        message: What it is doing (or waits for) now; why it failed.
        done: Steps done (replications, solves), with ``total``; 0 of 0 when it cannot count.
        total: Steps in all.
        unit: What a step is, e.g. ``replications``.
        submitted_at: When it was started (UTC).
        finished_at: When it ended (UTC), or None.
        estimate_seconds: How long it should take, from past jobs (None: no past job).
        estimate_basis: Where the estimate comes from, in words.
        run_id: The run it saved, once done.
    """

    job_id: str
    kind: str
    label: str
    scenario_name: str
    status: JobStatus
    message: str
    done: int
    total: int
    unit: str
    submitted_at: dt.datetime
    finished_at: dt.datetime | None
    estimate_seconds: float | None
    estimate_basis: str
    run_id: str | None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def elapsed_seconds(self) -> float:
        end = self.finished_at or dt.datetime.now(dt.UTC)
        return max(0.0, (end - self.submitted_at).total_seconds())


class Progress:
    """What a running job has done so far: written by its task, read by the pages.

    ``update`` and ``say`` raise ``Cancelled`` once the job is cancelled, so a task stops at its
    next report; ``cancelled`` tells without raising.
    """

    def __init__(
        self,
        label: str = "",
        on_change: Callable[[], None] | None = None,
        cancel_event: threading.Event | None = None,
    ) -> None:
        self.label = label
        self.done, self.total, self.message = 0, 0, ""
        self.cancel_event = cancel_event or threading.Event()
        self._lock = threading.Lock()
        self._on_change = on_change

    def update(self, done: int, total: int) -> None:
        """The ``progress(done, total)`` callback of ``stress_test``, ``compare`` and curves."""
        with self._lock:
            self.done, self.total = int(done), int(total)
        self._changed()

    def say(self, message: str) -> None:
        with self._lock:
            self.message = message
        self._changed()

    def snapshot(self) -> tuple[int, int, str]:
        with self._lock:
            return self.done, self.total, self.message

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change()
        if self.cancelled:
            raise Cancelled("cancelled")


# ---------------------------------------------------------------- the job file

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    job_id TEXT PRIMARY KEY,
    server_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    scenario_name TEXT NOT NULL,
    status TEXT NOT NULL,
    message TEXT NOT NULL,
    done INTEGER NOT NULL,
    total INTEGER NOT NULL,
    unit TEXT NOT NULL,
    work_units REAL NOT NULL,
    submitted_at TEXT NOT NULL,
    finished_at TEXT,
    estimate_seconds REAL,
    estimate_basis TEXT NOT NULL,
    run_id TEXT,
    model_size REAL
)
"""
_ADDED_COLUMNS = {"model_size": "REAL"}
"""Columns added since the first job files (an older file gains them when opened)."""
_FIELDS = (
    "job_id",
    "kind",
    "label",
    "scenario_name",
    "status",
    "message",
    "done",
    "total",
    "unit",
    "submitted_at",
    "finished_at",
    "estimate_seconds",
    "estimate_basis",
    "run_id",
)


def jobs_path(store_path: Path | None = None) -> Path:
    """The job file beside the run store: ``runs.sqlite`` -> ``runs.jobs.sqlite``."""
    store = store_path or default_store_path()
    return store.with_name(f"{store.stem}.jobs.sqlite")


class JobFile:
    """Jobs as rows of a SQLite file; every call opens its own short connection."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            connection.execute(_SCHEMA)
            columns = {row[1] for row in connection.execute("PRAGMA table_info(jobs)")}
            for name, kind in _ADDED_COLUMNS.items():
                if name not in columns:
                    connection.execute(f"ALTER TABLE jobs ADD COLUMN {name} {kind}")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(self.path, timeout=30.0)
        try:
            with connection:
                yield connection
        finally:
            connection.close()

    def write(
        self,
        record: JobRecord,
        server_id: str,
        work_units: float,
        model_size: float | None = None,
    ) -> None:
        values = _row(record)
        with self._connect() as connection:
            connection.execute(
                "INSERT OR REPLACE INTO jobs (server_id, work_units, model_size, "
                f"{', '.join(_FIELDS)}) VALUES (?, ?, ?, {', '.join('?' for _ in _FIELDS)})",
                (server_id, work_units, model_size, *values),
            )

    def records(self, since: dt.datetime) -> list[JobRecord]:
        """Jobs submitted since ``since`` or still unfinished, newest first."""
        with self._connect() as connection:
            rows = connection.execute(
                f"SELECT {', '.join(_FIELDS)} FROM jobs WHERE submitted_at >= ? "
                "OR status IN ('queued', 'running') ORDER BY submitted_at DESC",
                (since.isoformat(),),
            ).fetchall()
        return [_record(row) for row in rows]

    def durations(self, kind: str, scenario_name: str) -> list[tuple[float, float]]:
        """(seconds, work units) of the finished jobs of ``kind`` on ``scenario_name``."""
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT submitted_at, finished_at, work_units FROM jobs WHERE kind = ? AND "
                "scenario_name = ? AND status = 'done' ORDER BY submitted_at DESC LIMIT 20",
                (kind, scenario_name),
            ).fetchall()
        return [(_between(start, end), float(units)) for start, end, units in rows]

    def sized_durations(self, kind: str, scenario_name: str) -> list[tuple[float, float, float]]:
        """(seconds, work units, model size) of the finished jobs of ``kind`` on other
        scenarios than ``scenario_name`` that know their model's size."""
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT submitted_at, finished_at, work_units, model_size FROM jobs WHERE "
                "kind = ? AND scenario_name != ? AND status = 'done' AND model_size > 0 "
                "ORDER BY submitted_at DESC LIMIT 20",
                (kind, scenario_name),
            ).fetchall()
        return [
            (_between(start, end), float(units), float(size)) for start, end, units, size in rows
        ]

    def interrupt_others(self, server_id: str) -> None:
        """Jobs another (stopped) server left queued or running end as interrupted."""
        with self._connect() as connection:
            connection.execute(
                "UPDATE jobs SET status = 'interrupted', finished_at = submitted_at, "
                "message = 'the server stopped while it ran' "
                "WHERE status IN ('queued', 'running') AND server_id != ?",
                (server_id,),
            )


def _between(start: str, end: str) -> float:
    return (dt.datetime.fromisoformat(end) - dt.datetime.fromisoformat(start)).total_seconds()


def _row(record: JobRecord) -> tuple[Any, ...]:
    values = []
    for name in _FIELDS:
        value = getattr(record, name)
        if isinstance(value, dt.datetime):
            value = value.isoformat()
        elif isinstance(value, JobStatus):
            value = value.value
        values.append(value)
    return tuple(values)


def _record(row: tuple[Any, ...]) -> JobRecord:
    fields = dict(zip(_FIELDS, row, strict=True))
    fields["status"] = JobStatus(fields["status"])
    fields["submitted_at"] = dt.datetime.fromisoformat(fields["submitted_at"])
    if fields["finished_at"]:
        fields["finished_at"] = dt.datetime.fromisoformat(fields["finished_at"])
    return JobRecord(**fields)


# ---------------------------------------------------------------- turns at a shared resource


class _Turn:
    """A lock that knows its holder, so a waiting job can say what it waits for."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.Lock()
        self.holder = ""

    @contextmanager
    def take(self, progress: Progress) -> Iterator[None]:
        said = False
        while not self._lock.acquire(timeout=WAIT_POLL_SECONDS):
            if not said or progress.message != self._waiting(self.holder):
                progress.say(self._waiting(self.holder))  # raises once cancelled
                said = True
            if progress.cancelled:
                raise Cancelled("cancelled")
        self.holder = progress.label or "another job"
        try:
            yield
        finally:
            self.holder = ""
            self._lock.release()

    def _waiting(self, holder: str) -> str:
        return f"queued: waits for the {self.name} ({holder or 'another job'} is using it)"


_SOLVER = _Turn("solver")
"""One solve at a time in the process (Pyomo keeps some global state)."""


def solver_turn(progress: Progress) -> Any:
    """``with solver_turn(progress):`` wait for the solver, saying which job holds it."""
    return _SOLVER.take(progress)


# ---------------------------------------------------------------- the registry


@dataclass
class _Live:
    record: JobRecord
    progress: Progress
    future: Future[Any]
    work_units: float
    model_size: float | None = None
    result: Any = None
    details: str = ""
    written: float = 0.0


class JobRegistry:
    """The jobs of one run store in this process: submit, watch, cancel, collect."""

    def __init__(self, path: Path, workers: int = WORKERS) -> None:
        self.file = JobFile(path)
        self.server_id = secrets.token_hex(6)
        self.file.interrupt_others(self.server_id)
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="sourcing-job")
        self._workers = workers
        self._live: dict[str, _Live] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------ submitting

    def estimate(
        self,
        kind: str,
        scenario_name: str,
        work_units: float = 1.0,
        model_size: float | None = None,
    ) -> tuple[float | None, str]:
        """(seconds, basis): the median of past jobs of ``kind`` on ``scenario_name`` per unit
        of work (replications, points) times ``work_units``. Without any, and given the
        ``model_size`` (``model_size(scenario)``: SKUs x suppliers x periods), the median of past
        jobs of ``kind`` on other scenarios per unit of work and of model size, times both.
        (None, why) without either."""
        past = [s / u for s, u in self.file.durations(kind, scenario_name) if u > 0]
        if past:
            per_unit = statistics.median(past)
            low, high = min(past) * work_units, max(past) * work_units
            basis = f"from {_jobs(len(past))} on this scenario: {_seconds(low)} – {_seconds(high)}"
            return per_unit * work_units, basis
        if model_size is None or model_size <= 0:
            return None, "no estimate yet: the first such job on this scenario"
        sized = [(s / u / z, z) for s, u, z in self.file.sized_durations(kind, scenario_name) if u]
        if not sized:
            return None, "no estimate yet: the first such job on this server"
        per_size = [rate for rate, _ in sized]
        sizes = [size for _, size in sized]
        scale = work_units * model_size
        basis = (
            f"a rough guess from {_jobs(len(sized))} on other scenarios, scaled by model size "
            f"(SKUs × suppliers × periods: {model_size:,.0f} here, {min(sizes):,.0f} – "
            f"{max(sizes):,.0f} there): {_seconds(min(per_size) * scale)} – "
            f"{_seconds(max(per_size) * scale)}"
        )
        return statistics.median(per_size) * scale, basis

    def submit(
        self,
        kind: str,
        label: str,
        scenario_name: str,
        task: Callable[[Progress], Any],
        *,
        work_units: float = 1.0,
        unit: str = "",
        solver: bool = False,
        model_size: float | None = None,
    ) -> str:
        """Queue ``task(progress)`` (run in a process of its own; with ``solver``, after the
        solver's other jobs); returns the job id. ``model_size`` (SKUs x suppliers x periods)
        lets the estimates of other scenarios' jobs use this one's time."""
        job_id = f"job-{secrets.token_hex(4)}"
        estimate, basis = self.estimate(kind, scenario_name, work_units, model_size)
        event = threading.Event()
        progress = Progress(label, lambda: self._progressed(job_id), event)
        record = JobRecord(
            job_id=job_id,
            kind=kind,
            label=label,
            scenario_name=scenario_name,
            status=JobStatus.QUEUED,
            message=self._queue_message(),
            done=0,
            total=0,
            unit=unit,
            submitted_at=dt.datetime.now(dt.UTC),
            finished_at=None,
            estimate_seconds=estimate,
            estimate_basis=basis,
            run_id=None,
        )
        with self._lock:
            live = _Live(record, progress, Future(), work_units, model_size)
            self._live[job_id] = live
        self.file.write(record, self.server_id, work_units, model_size)
        live.future = self._executor.submit(self._run, job_id, task, solver)
        return job_id

    def _queue_message(self) -> str:
        running = [j.record.label for j in self._live.values() if j.record.status == "running"]
        if len(running) >= self._workers:
            return f"queued: waits for a free worker (busy: {', '.join(running)})"
        return "starting"

    def _run(self, job_id: str, task: Callable[[Progress], Any], solver: bool) -> None:
        live = self._live[job_id]
        try:
            if live.progress.cancelled:
                raise Cancelled("cancelled before it started")
            if solver:
                with _SOLVER.take(live.progress):
                    result = self._in_process(job_id, task)
            else:
                result = self._in_process(job_id, task)
        except Cancelled:
            self._end(job_id, JobStatus.CANCELLED, "cancelled")
        except Exception as error:  # the page shows it; the details go with it
            live.result = error
            self._end(job_id, JobStatus.FAILED, str(error) or repr(error))
        else:
            live.result = result
            run_id = getattr(result, "run_id", None)
            self._end(job_id, JobStatus.DONE, "done", run_id=run_id)

    def _in_process(self, job_id: str, task: Callable[[Progress], Any]) -> Any:
        """Run the task in a process of its own; pass on its progress; end it if it does not
        stop by itself soon after a cancel."""
        live = self._live[job_id]
        self._set(job_id, status=JobStatus.RUNNING, message="starting")
        context = _context()
        receiver, sender = context.Pipe(duplex=False)
        stop = context.Event()
        env = {STORE_ENV: os.environ.get(STORE_ENV, "")}
        # not a daemon: a solve starts processes of its own (the first plans by SKU, the
        # decomposition), which a daemonic process may not
        process = context.Process(
            target=_child, args=(task, live.record.label, sender, stop, env), daemon=False
        )
        process.start()
        sender.close()
        ending: tuple[Any, ...] | None = None
        asked = None
        try:
            while ending is None:
                if live.progress.cancelled and asked is None:
                    stop.set()
                    asked = time.monotonic()
                if asked is not None and time.monotonic() - asked > HARD_CANCEL_SECONDS:
                    process.terminate()
                    raise Cancelled("cancelled")
                alive = process.is_alive()  # before reading: what it sent is then in the pipe
                if receiver.poll(WAIT_POLL_SECONDS):
                    try:
                        message = receiver.recv()
                    except EOFError:
                        break
                    if message[0] == "progress":
                        self._reported(job_id, *message[1:])
                    else:
                        ending = message
                elif not alive:
                    break
        finally:
            receiver.close()
            process.join(timeout=HARD_CANCEL_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()
        if ending is None:
            if live.progress.cancelled:
                raise Cancelled("cancelled")
            raise RuntimeError(
                f"the job's process ended without a result (exit {process.exitcode})"
            )
        if ending[0] == "cancelled":
            raise Cancelled("cancelled")
        if ending[0] == "failed":
            live.details = ending[2]
            raise ending[1]
        return ending[1]

    def _reported(self, job_id: str, done: int, total: int, message: str) -> None:
        """A job's progress into its record (and, at most every second, its file)."""
        live = self._live[job_id]
        if live.progress.cancelled:
            message = "cancelling: stops at the next check"
        self._set(job_id, done=done, total=total, message=message, write=False)
        now = time.monotonic()
        if now - live.written >= STORE_EVERY_SECONDS:
            live.written = now
            self.file.write(live.record, self.server_id, live.work_units, live.model_size)

    def _progressed(self, job_id: str) -> None:
        """The parent's own progress (a job waiting for the solver says so)."""
        live = self._live.get(job_id)
        if live is not None:
            self._reported(job_id, *live.progress.snapshot())

    def _set(self, job_id: str, write: bool = True, **changes: Any) -> None:
        with self._lock:
            live = self._live[job_id]
            live.record = replace(live.record, **changes)
        if write:
            self.file.write(live.record, self.server_id, live.work_units, live.model_size)

    def _end(self, job_id: str, status: JobStatus, message: str, run_id: str | None = None) -> None:
        self._set(
            job_id,
            status=status,
            message=message,
            run_id=run_id,
            finished_at=dt.datetime.now(dt.UTC),
        )
        self._forget_old_results()

    def _forget_old_results(self) -> None:
        with self._lock:
            ended = [j for j in self._live.values() if j.record.finished]
            for old in sorted(ended, key=lambda j: j.record.submitted_at)[:-KEEP_RESULTS]:
                del self._live[old.record.job_id]

    # ------------------------------------------------------------ watching

    def record(self, job_id: str) -> JobRecord | None:
        """The job as it is now (also one of an earlier server, from the job file)."""
        live = self._live.get(job_id)
        if live is not None:
            return live.record
        found = [r for r in self.file.records(dt.datetime.min) if r.job_id == job_id]
        return found[0] if found else None

    def records(self, since_hours: float = 12.0) -> list[JobRecord]:
        """Unfinished jobs and those of the last ``since_hours``, newest first."""
        since = dt.datetime.now(dt.UTC) - dt.timedelta(hours=since_hours)
        stored = {r.job_id: r for r in self.file.records(since)}
        with self._lock:
            stored.update({k: v.record for k, v in self._live.items()})
        return sorted(stored.values(), key=lambda r: r.submitted_at, reverse=True)

    def result(self, job_id: str) -> Any:
        """The finished job's result (or the exception it raised); None when it is not kept
        in memory (reopen its run from the run store)."""
        live = self._live.get(job_id)
        return None if live is None else live.result

    def details(self, job_id: str) -> str:
        """The traceback of a job that failed in its process ("" if none is kept)."""
        live = self._live.get(job_id)
        return "" if live is None else live.details

    def cancel(self, job_id: str) -> None:
        """Ask the job to stop; it does at its next check (a few seconds at most)."""
        live = self._live.get(job_id)
        if live is None or live.record.finished:
            return
        live.progress.cancel_event.set()
        if live.future.cancel():  # never started
            self._end(job_id, JobStatus.CANCELLED, "cancelled before it started")
        else:
            self._set(job_id, message="cancelling: stops at the next check")

    def wait(self, job_id: str, timeout: float | None = None) -> JobRecord | None:
        """Block until the job has finished (tests and scripts)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            record = self.record(job_id)
            if record is None or record.finished:
                return record
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} did not finish in {timeout} s")
            time.sleep(0.05)


def _context() -> Any:
    """Job processes come from a fork server that has imported the engine once (fast to
    start, and never a fork of the server's threads)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOAD))
    return context


def _child(
    task: Callable[[Progress], Any],
    label: str,
    sender: Any,
    stop: Any,
    env: dict[str, str],
) -> None:
    """A job's process: run the task, send its progress and then its ending."""
    os.environ.update({k: v for k, v in env.items() if v})
    progress = Progress(label, cancel_event=stop)
    progress._on_change = lambda: sender.send(("progress", *progress.snapshot()))
    try:
        with cancel.cancellable(stop):
            result = task(progress)
    except Cancelled:
        sender.send(("cancelled",))
    except Exception as error:  # sent whole when it can be, else in words
        details = "".join(traceback.format_exception(error))
        try:
            pickle.dumps(error)
        except Exception:
            error = RuntimeError(repr(error))
        sender.send(("failed", error, details))
    else:
        sender.send(("done", result))
    finally:
        sender.close()


def model_size(skus: int, suppliers: int, periods: int) -> float:
    """The size a time estimate scales with: SKUs x suppliers x periods (the optimizer's
    order variables and a simulation's work both grow about so)."""
    return float(skus * suppliers * periods)


def _jobs(count: int) -> str:
    return f"{count} past job{'s' if count > 1 else ''}"


def _seconds(value: float) -> str:
    return f"{value:.0f} s" if value < 120 else f"{value / 60:.0f} min"


_REGISTRIES: dict[Path, JobRegistry] = {}
_REGISTRIES_LOCK = threading.Lock()


def job_registry(store_path: Path | None = None) -> JobRegistry:
    """The registry of the run store at ``store_path`` (default: the run store in use), one per
    process."""
    path = jobs_path(store_path).resolve()
    with _REGISTRIES_LOCK:
        if path not in _REGISTRIES:
            _REGISTRIES[path] = JobRegistry(path)
        return _REGISTRIES[path]
