"""The server's job registry (engine.runs.jobs) with the app's real tasks: a cancelled curve or
optimize stops within seconds, a queued solve says which job it waits for, the estimate comes
from past jobs, and a new server marks the jobs the last one left as interrupted."""

from __future__ import annotations

import datetime as dt
import time
from functools import partial
from pathlib import Path

import psutil
import pytest

from engine import api
from engine.runs.jobs import (
    Cancelled,
    JobFile,
    JobRegistry,
    JobStatus,
    Progress,
    jobs_path,
    model_size,
)
from tests.conftest import DTC_BRAND
from tests.ui.conftest import small_scenario
from ui import tasks

CANCEL_WITHIN_SECONDS = 5.0


@pytest.fixture
def registry(run_store: Path) -> JobRegistry:
    return JobRegistry(jobs_path(run_store))


def wait_until(condition, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(0.05)


def cancel_stops_it(registry: JobRegistry, job_id: str, what: str) -> None:
    """Cancel the job: it ends cancelled within ``CANCEL_WITHIN_SECONDS``."""
    asked = time.monotonic()
    registry.cancel(job_id)
    record = registry.wait(job_id, timeout=60)
    took = time.monotonic() - asked
    assert record is not None and record.status is JobStatus.CANCELLED
    assert took < CANCEL_WITHIN_SECONDS, f"the {what} took {took:.1f} s to stop"


def hold_until(signal: Path, progress: Progress) -> None:
    """A job that waits (cancellably) until ``signal`` exists."""
    while not signal.exists():
        progress.say("holding")
        time.sleep(0.1)


def sleep_until(signal: Path, progress: Progress) -> None:
    """A job that waits until ``signal`` exists without reporting (so the first registry
    writes nothing more, as a stopped server would not)."""
    while not signal.exists():
        time.sleep(0.1)


def fails(progress: Progress) -> None:
    raise ValueError("choose at least one SKU to protect")


def dtc_brand() -> api.Scenario:
    return api.load_scenario(DTC_BRAND)


def test_progress_raises_once_cancelled() -> None:
    progress = Progress("job")
    progress.update(1, 3)
    progress.cancel_event.set()
    with pytest.raises(Cancelled):
        progress.say("next")
    assert progress.snapshot() == (1, 3, "next")


def test_a_curve_is_cancelled_within_seconds(registry: JobRegistry) -> None:
    """The cost-of-resilience curve of the bundled example (minutes of solving) stops within a
    few seconds of Cancel, also in the middle of a HiGHS run, and saves nothing."""
    scenario = dtc_brand()
    request = tasks.FrontierRequest(
        scenario=scenario,
        scenario_name="dtc-brand",
        options=api.SolveOptions(time_limit_seconds=600),
        skus=tuple(s.sku for s in scenario.skus if s.critical)[:1],
    )
    job_id = registry.submit(
        "frontier", "curve", "dtc-brand", partial(tasks.run_frontier, request), solver=True
    )
    wait_until(lambda: registry.record(job_id).status is JobStatus.RUNNING)
    time.sleep(4.0)  # well inside the first solve
    cancel_stops_it(registry, job_id, "curve")
    assert api.RunStore().list_runs().empty


def test_a_curve_on_two_processes_is_cancelled_with_every_process_it_started(
    registry: JobRegistry,
) -> None:
    """Once the free optimum is solved, the curve's points run side by side on two processes
    of the job's own: Cancel stops them too, within seconds, and leaves no process running."""
    scenario = dtc_brand()
    request = tasks.FrontierRequest(
        scenario=scenario,
        scenario_name="dtc-brand",
        options=api.SolveOptions(time_limit_seconds=600, threads=2),
        skus=tuple(s.sku for s in scenario.skus if s.critical)[:1],
    )
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    job_id = registry.submit(
        "frontier", "curve", "dtc-brand", partial(tasks.run_frontier, request), solver=True
    )
    wait_until(lambda: registry.record(job_id).done >= 1, timeout=600)  # the free optimum
    time.sleep(3.0)  # the points are solving on the two processes
    cancel_stops_it(registry, job_id, "curve")

    def started_by_the_job() -> list[int]:
        return [p.pid for p in psutil.Process().children(recursive=True) if p.pid not in before]

    wait_until(lambda: not started_by_the_job(), timeout=10)


def test_an_optimize_is_cancelled_within_seconds(registry: JobRegistry) -> None:
    request = tasks.OptimizeRequest(
        scenario=dtc_brand(),
        scenario_name="dtc-brand",
        options=api.SolveOptions(time_limit_seconds=600),
    )
    job_id = registry.submit(
        "optimize", "optimize", "dtc-brand", partial(tasks.run_optimize, request), solver=True
    )
    # running, then 3 s into its solve (of about 30 s); its first message ("plan: solving")
    # lasts only until the solver's first step, too short to wait for
    wait_until(lambda: registry.record(job_id).status is JobStatus.RUNNING)
    time.sleep(3.0)
    assert registry.record(job_id).status is JobStatus.RUNNING
    cancel_stops_it(registry, job_id, "optimize")


def test_a_queued_solve_says_what_it_waits_for_and_estimates_come_from_past_jobs(
    registry: JobRegistry, tmp_path: Path
) -> None:
    release = tmp_path / "release"
    first = registry.submit(
        "optimize", "Optimizing small", "small", partial(hold_until, release), solver=True
    )
    wait_until(lambda: registry.record(first).message == "holding")
    request = tasks.OptimizeRequest(
        scenario=small_scenario(),
        scenario_name="small",
        options=api.SolveOptions(time_limit_seconds=30),
    )
    assert registry.estimate("optimize", "small")[0] is None
    second = registry.submit(
        "optimize", "second", "small", partial(tasks.run_optimize, request), solver=True
    )
    wait_until(lambda: "waits for the solver" in registry.record(second).message)
    assert "Optimizing small is using it" in registry.record(second).message
    assert registry.record(second).status is JobStatus.QUEUED
    release.touch()
    done = registry.wait(second, timeout=120)
    assert done is not None and done.status is JobStatus.DONE and done.run_id
    assert registry.result(second).run_id == done.run_id
    assert api.RunStore().get(done.run_id).scenario_name == "small"
    seconds, basis = registry.estimate("optimize", "small")
    assert seconds is not None and seconds > 0
    assert "from 2 past jobs" in basis


def test_a_new_server_marks_the_jobs_left_running_as_interrupted(
    registry: JobRegistry, run_store: Path, tmp_path: Path
) -> None:
    release = tmp_path / "release"
    job_id = registry.submit("stress", "stress", "small", partial(sleep_until, release))
    wait_until(lambda: registry.record(job_id).status is JobStatus.RUNNING)
    file = JobFile(jobs_path(run_store))
    since = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    # the old server's "running" row is on file (its thread writes it after the record changes)
    wait_until(lambda: [r.status for r in file.records(since)] == [JobStatus.RUNNING])
    restarted = JobRegistry(jobs_path(run_store))
    record = restarted.record(job_id)
    release.touch()
    assert record is not None and record.status is JobStatus.INTERRUPTED
    assert [r.job_id for r in restarted.records()] == [job_id]


def test_a_failed_job_keeps_its_error(registry: JobRegistry) -> None:
    record = registry.wait(registry.submit("frontier", "curve", "small", fails), timeout=60)
    assert record is not None and record.status is JobStatus.FAILED
    assert record.message == "choose at least one SKU to protect"
    assert isinstance(registry.result(record.job_id), ValueError)
    assert "fails" in registry.details(record.job_id)


def squares_on_processes(progress: Progress) -> list[int]:
    """As a solve does (the first plans by SKU, the decomposition): processes of its own."""
    from engine.parallel import ProcessBackend

    with ProcessBackend(2, start_method="spawn") as backend:
        return backend.map_ordered(abs, [-1, -4, 9])


def test_a_job_may_start_processes_of_its_own(registry: JobRegistry) -> None:
    job_id = registry.submit("optimize", "processes", "small", squares_on_processes)
    record = registry.wait(job_id, timeout=120)
    assert record is not None and record.status is JobStatus.DONE, record
    assert registry.result(job_id) == [1, 4, 9]


def quick(progress: Progress) -> str:
    time.sleep(0.3)
    return "done"


def test_a_scenarios_first_job_is_estimated_from_other_scenarios_scaled_by_model_size(
    registry: JobRegistry,
) -> None:
    assert registry.estimate("stress", "big", 10, model_size(4, 2, 20))[0] is None
    for name, size in (("small", model_size(2, 2, 16)), ("medium", model_size(4, 2, 16))):
        job = registry.submit("stress", name, name, quick, work_units=10, model_size=size)
        assert registry.wait(job, timeout=60).status is JobStatus.DONE
    took = {
        r.scenario_name: r.elapsed_seconds / 10 / size
        for r, size in zip(
            sorted(registry.records(), key=lambda r: r.scenario_name),
            (model_size(4, 2, 16), model_size(2, 2, 16)),
            strict=True,
        )
    }
    seconds, basis = registry.estimate("stress", "big", 20, model_size(4, 2, 20))
    # the median of the two past jobs' seconds per replication and per size, times both
    expected = (took["small"] + took["medium"]) / 2 * 20 * model_size(4, 2, 20)
    assert seconds == pytest.approx(expected, rel=0.05)
    assert "from 2 past jobs on other scenarios, scaled by model size" in basis
    assert "160 here, 64 – 128 there" in basis
    # a job of the same scenario is the better basis once there is one
    assert "on this scenario" in registry.estimate("stress", "small", 10, 64)[1]
    # without the model's size there is no guess
    assert registry.estimate("stress", "big", 20)[0] is None


def test_an_older_job_file_gains_the_model_size_column(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.jobs.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute(
            "CREATE TABLE jobs (job_id TEXT PRIMARY KEY, server_id TEXT NOT NULL, kind TEXT "
            "NOT NULL, label TEXT NOT NULL, scenario_name TEXT NOT NULL, status TEXT NOT NULL, "
            "message TEXT NOT NULL, done INTEGER NOT NULL, total INTEGER NOT NULL, unit TEXT "
            "NOT NULL, work_units REAL NOT NULL, submitted_at TEXT NOT NULL, finished_at TEXT, "
            "estimate_seconds REAL, estimate_basis TEXT NOT NULL, run_id TEXT)"
        )
    connection.close()
    registry = JobRegistry(path)
    job = registry.submit("stress", "s", "small", quick, model_size=64)
    assert registry.wait(job, timeout=60).status is JobStatus.DONE
    assert JobFile(path).sized_durations("stress", "other")[0][2] == 64


def test_the_resilience_task_values_the_stochastic_allocation_in_the_stress_test() -> None:
    """The Resilience page's task with the stochastic candidate: its VSS and EVPI against the
    free optimum, from the same stress test as the table, in one sentence the page shows."""
    from tests.resilience.test_frontier import often_down

    request = tasks.ResilienceRequest(
        scenario=often_down(),
        skus=("A",),
        splits=False,
        shares=(0.0,),
        risk_weight=0.0,
        level=0.9,
        replications=20,
        seed=0,
        work=0.2,
        stochastic=60,
    )
    result = tasks.run_resilience(request, Progress("resilience"))
    assert "stochastic (SAA)" in result.table["candidate"].tolist()
    assert result.stochastic_value is not None and result.stochastic_value.replications == 20
    assert result.stochastic_sentence.startswith("Value of the stochastic solution")
