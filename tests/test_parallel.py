"""Backends: results in task order, the same frames in one process, local processes and a
Dask cluster (a LocalCluster here), the scheduler from an option or the environment, and a
clear error when it cannot be reached."""

from __future__ import annotations

import dataclasses
import multiprocessing
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pandas as pd
import psutil
import pytest
from typer.testing import CliRunner

from engine import cancel, parallel
from engine.cli import app
from engine.comparisons.frontier import backup_share_points, resilience_frontier
from engine.models.build import build_model
from engine.models.data import build_model_data
from engine.models.solve import solve_model
from engine.models.starts import decisions_of
from engine.models.strategy import DEFAULT_STRATEGY, RunWork
from engine.parallel import (
    SCHEDULER_ENV,
    After,
    Backend,
    DaskBackend,
    ProcessBackend,
    SchedulerError,
    SerialBackend,
    backend_from,
)
from engine.plan_types import SolveOptions, TierChoice
from engine.scenario import write_scenario
from engine.scenario.generate import generate_scenario
from engine.scenario.schema import Scenario
from engine.simulation import BaseStock, compare, stress_test
from tests.conftest import tiny_scenario
from tests.parallel_tasks import cancellable_job_on_processes, wait_for_cancel
from tests.simulation.test_runner import DRIVER, noisy_scenario


@pytest.fixture
def backends(dask_client: Any) -> dict[str, parallel.Backend]:
    return {
        "serial": SerialBackend(),
        "2 processes": ProcessBackend(2),
        "dask": DaskBackend(client=dask_client),
    }


def tiny_weeks(periods: int = 12) -> Scenario:
    """The tiny scenario over enough weeks for orders to arrive."""
    data = tiny_scenario().model_dump()
    data["horizon"]["periods"] = periods
    return Scenario.model_validate(data)


def unreachable_address() -> str:
    """A local port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"tcp://127.0.0.1:{port}"


def slow_square(x: int, delay: float = 0.0) -> int:
    """Later items finish first, so completion order differs from task order."""
    time.sleep(delay * (5 - x))
    return x * x


# --- the backends themselves ------------------------------------------------------------


@pytest.mark.slow
def test_results_come_back_in_task_order_with_progress(backends) -> None:
    for name, backend in backends.items():
        calls: list[tuple[int, int]] = []
        results = backend.map_ordered(
            slow_square,
            [0, 1, 2, 3, 4],
            progress=lambda d, n, calls=calls: calls.append((d, n)),
            shared={"delay": 0.05},
        )
        assert results == [0, 1, 4, 9, 16], name
        assert calls == [(i, 5) for i in range(1, 6)], name
        assert backend.map_ordered(slow_square, []) == [], name


def sleep_for(seconds: float) -> tuple[float, float, float]:
    """Sleep; how long it was asked to, and when it started and ended (wall clock, comparable
    across processes)."""
    started = time.time()
    time.sleep(seconds)
    return seconds, started, time.time()


@pytest.mark.slow
def test_a_task_made_from_earlier_results_starts_while_others_run(backends) -> None:
    """Task 2 is made from task 0's result (its seconds) and, with two slots, runs while task 1
    (slow) still does: it ends before task 1 ends. Results stay in task order."""
    items = [0.1, 3.0, After((0,), lambda done: done[0][0] * 2)]
    for name, backend in backends.items():
        calls: list[tuple[int, int]] = []
        results = backend.map_ordered(
            sleep_for, items, progress=lambda d, n, calls=calls: calls.append((d, n))
        )
        assert calls == [(i, 3) for i in range(1, 4)], name
        assert [seconds for seconds, _, _ in results] == [0.1, 3.0, 0.2], name
        if backend.slots() > 1:
            assert results[2][2] < results[1][2], name
        else:
            assert results[2][1] >= results[1][2], name
        with pytest.raises(ValueError, match="earlier tasks"):
            backend.map_ordered(sleep_for, [0.0, After((2,), lambda done: 0.0), 0.0])


@pytest.mark.slow
def test_a_failing_task_raises_in_the_caller(backends) -> None:
    for name, backend in backends.items():
        with pytest.raises(TypeError):
            backend.map_ordered(slow_square, [1, "two"])
        assert backend.map_ordered(slow_square, [3]) == [9], name


@pytest.mark.slow
def test_a_cancelled_job_stops_the_tasks_on_its_local_processes() -> None:
    """The app's jobs are cancellable (``engine.cancel``): the workers share the job's flag,
    so tasks of minutes stop within seconds of a cancel and the call raises ``Cancelled``."""
    event = threading.Event()
    timer = threading.Timer(2.0, event.set)
    timer.start()
    started = time.monotonic()
    with cancel.cancellable(event), pytest.raises(cancel.Cancelled):
        ProcessBackend(2, start_method="spawn").map_ordered(wait_for_cancel, [300.0] * 3)
    took = time.monotonic() - started
    assert took < 60, f"the tasks took {took:.0f} s to stop"
    # outside a cancellable job the workers have no flag: tasks run to their end
    done = ProcessBackend(2).map_ordered(wait_for_cancel, [0.2, 0.2])
    assert done == ["ran to its end"] * 2


@pytest.mark.slow
def test_a_cancelled_job_stops_its_tasks_on_a_dask_cluster(dask_client: Any) -> None:
    """On a Dask cluster too: tasks of minutes stop within seconds of a cancel (they watch an
    event of the cluster), the call raises ``Cancelled``, and the cluster's two slots take new
    work at once (a task Dask only marked cancelled would hold its slot for 300 s)."""
    backend = DaskBackend(client=dask_client)
    event = threading.Event()
    timer = threading.Timer(2.0, event.set)
    timer.start()
    started = time.monotonic()
    with cancel.cancellable(event), pytest.raises(cancel.Cancelled):
        backend.map_ordered(wait_for_cancel, [300.0] * 3)
    took = time.monotonic() - started
    assert took < 30, f"the call took {took:.0f} s to stop"
    started = time.monotonic()
    assert backend.map_ordered(wait_for_cancel, [0.2, 0.2]) == ["ran to its end"] * 2
    took = time.monotonic() - started
    assert took < 30, f"the slots were free only after {took:.0f} s"


@pytest.mark.slow
def test_the_workers_of_a_job_stopped_hard_stop_too(tmp_path: Path) -> None:
    """A job the app ends hard (its process killed: it did not stop by itself in time)
    leaves no worker solving on: each worker ends once its parent is gone."""
    job = multiprocessing.get_context("spawn").Process(
        target=cancellable_job_on_processes, args=(str(tmp_path),)
    )
    job.start()
    deadline = time.monotonic() + 120
    while len(list(tmp_path.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    workers = [int(path.name) for path in tmp_path.iterdir()]
    assert len(workers) == 2, "the job's workers did not start"
    job.kill()
    job.join()
    deadline = time.monotonic() + 30
    while any(running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in workers if running(pid)]
    assert not left, f"workers {left} still running after their job was killed"


def running(pid: int) -> bool:
    """Whether process ``pid`` runs (an ended one not yet reaped does not)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_slots_and_descriptions(dask_client: Any) -> None:
    assert SerialBackend().slots() == 1
    assert ProcessBackend(3).slots() == 3
    dask = DaskBackend(client=dask_client)
    assert dask.slots() == 2
    assert dask.description.startswith("on the Dask cluster at tcp://")
    dask.close()  # a client passed in stays open
    assert dask.map_ordered(slow_square, [2]) == [4]
    with pytest.raises(ValueError, match="at least 1"):
        ProcessBackend(0)


def test_backend_from_options() -> None:
    assert isinstance(backend_from(1), SerialBackend)
    assert backend_from(3) == ProcessBackend(3)
    assert backend_from(None) in (SerialBackend(), ProcessBackend(parallel.default_workers()))
    with pytest.raises(ValueError, match="at least 1"):
        backend_from(0)
    dask = backend_from(2, "tcp://10.1.2.3:8786")
    assert isinstance(dask, DaskBackend)
    assert dask.address == "tcp://10.1.2.3:8786"
    assert dask.source == "--scheduler"


def test_scheduler_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SCHEDULER_ENV, "tcp://10.9.8.7:8786")
    from_env = backend_from(4)
    assert isinstance(from_env, DaskBackend)
    assert (from_env.address, from_env.source) == ("tcp://10.9.8.7:8786", SCHEDULER_ENV)
    assert DaskBackend().address == "tcp://10.9.8.7:8786"
    given = backend_from(4, "tcp://10.0.0.1:8786")
    assert isinstance(given, DaskBackend)
    assert given.address == "tcp://10.0.0.1:8786"  # the option wins over the environment
    monkeypatch.setenv(SCHEDULER_ENV, "  ")
    assert backend_from(1) == SerialBackend()


def test_no_scheduler_anywhere_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=f"--scheduler tcp://host:port or set {SCHEDULER_ENV}"):
        DaskBackend()


@pytest.mark.slow
def test_unreachable_scheduler_says_what_to_check() -> None:
    address = unreachable_address()
    backend = DaskBackend(address, source="--scheduler", timeout_seconds=1)
    with pytest.raises(SchedulerError) as caught:
        backend.slots()
    message = str(caught.value)
    assert f"cannot reach the Dask scheduler at {address} (from --scheduler)" in message
    assert "`dask scheduler` is running" in message
    assert isinstance(caught.value, OSError)


# --- the same frames on every backend ---------------------------------------------------


def stress_frames(result: Any) -> dict[str, pd.DataFrame]:
    return {
        "measures": result.measures,
        "summary": result.summary,
        "daily": result.daily,
        "skus": result.skus,
        "suppliers": result.suppliers,
    }


@pytest.mark.slow
def test_stress_test_is_identical_on_every_backend(backends) -> None:
    results = {
        name: stress_test(noisy_scenario(), DRIVER, replications=7, seed=42, backend=backend)
        for name, backend in backends.items()
    }
    serial = results.pop("serial")
    assert serial.replications == 7
    for name, other in results.items():
        for table, frame in stress_frames(serial).items():
            pd.testing.assert_frame_equal(frame, stress_frames(other)[table], obj=f"{name} {table}")


@pytest.mark.slow
def test_workers_still_choose_local_processes() -> None:
    by_workers = stress_test(noisy_scenario(), DRIVER, replications=5, seed=3, workers=2)
    by_backend = stress_test(
        noisy_scenario(), DRIVER, replications=5, seed=3, backend=ProcessBackend(2)
    )
    pd.testing.assert_frame_equal(by_workers.measures, by_backend.measures)


@pytest.mark.slow
def test_compare_is_identical_on_every_backend(backends) -> None:
    less = BaseStock({"A": 500.0, "B": 250.0}, review_days=7)
    calls: dict[str, list[tuple[int, int]]] = {}
    results = {}
    for name, backend in backends.items():
        calls[name] = []
        results[name] = compare(
            noisy_scenario(),
            less,
            DRIVER,
            replications=6,
            seed=7,
            progress=lambda d, n, name=name: calls[name].append((d, n)),
            backend=backend,
        )
    serial = results.pop("serial")
    for name, other in results.items():
        pd.testing.assert_frame_equal(serial.summary, other.summary, obj=f"{name} summary")
        pd.testing.assert_frame_equal(serial.differences, other.differences, obj=name)
        pd.testing.assert_frame_equal(serial.a.measures, other.a.measures, obj=f"{name} a")
        pd.testing.assert_frame_equal(serial.b.measures, other.b.measures, obj=f"{name} b")
    for name, seen in calls.items():
        assert seen[-1] == (12, 12), name
        assert [d for d, _ in seen] == sorted(d for d, _ in seen), name


@pytest.mark.slow
def test_frontier_is_identical_serial_and_on_dask(dask_client: Any) -> None:
    scenario = tiny_weeks()
    points = backup_share_points(scenario, ["A"], (0.0, 0.3, 0.5))
    options = SolveOptions(time_limit_seconds=20)
    serial = resilience_frontier(scenario, points, ["A"], options)
    seen: list[tuple[int, int]] = []
    labels: list[str] = []
    on_dask = resilience_frontier(
        scenario,
        points,
        ["A"],
        options,
        on_progress=labels.append,
        backend=DaskBackend(client=dask_client),
        progress=lambda d, n: seen.append((d, n)),
    )
    pd.testing.assert_frame_equal(serial, on_dask)
    assert list(serial["case"]) == ["free optimum", "backup 0%", "backup 30%", "backup 50%"]
    assert (serial["status"] == "optimal").all()
    assert serial["extra_cost_vs_free"].iloc[-1] > 0
    assert seen == [(i, 4) for i in range(1, 5)]
    # the free optimum, then the cases side by side (backup 0 % is the free optimum itself)
    assert labels == ["free optimum", "1 of 3 cases", "2 of 3 cases", "3 of 3 cases"]


@pytest.mark.slow
def test_a_solve_gives_the_same_plan_on_local_processes_and_on_dask(dask_client: Any) -> None:
    """A solve's SKU subproblems (the first plans SKU by SKU, the neighbourhoods' submodels,
    the decomposition's blocks: the LP given no bound, the model treated as catalogue-size)
    in this process, on 2 local processes and on a Dask LocalCluster of 2 workers: the same
    plan, the same bound."""
    scenario = generate_scenario(
        skus=8, suppliers=3, modes=2, periods=6, offers_per_sku=(2, 3), tiers=2, seed=5
    )
    data = build_model_data(scenario)
    strategy = dataclasses.replace(
        DEFAULT_STRATEGY,
        first_look_max_columns=0,
        whole_search_max_columns=0,
        lp_bound=RunWork(lp_iterations=1),
    )

    def solve(backend: Backend | None, threads: int) -> tuple[Any, dict[Any, float], list[str]]:
        model = build_model(data, TierChoice.PER_PO)
        steps: list[str] = []
        options = SolveOptions(threads=threads, work_scale=0.3)
        outcome = solve_model(
            model, options, data, steps.append, strategy=strategy, backend=backend
        )
        return outcome, decisions_of(model), steps

    serial, serial_plan, _ = solve(None, 1)
    local, local_plan, local_steps = solve(None, 2)
    dask, dask_plan, dask_steps = solve(DaskBackend(client=dask_client), 2)
    assert any("first plans on 2 local processes" in s for s in local_steps), local_steps
    assert any("neighbourhoods on 2 local processes" in s for s in local_steps), local_steps
    assert any("first plans on the Dask cluster" in s for s in dask_steps), dask_steps
    assert any("neighbourhoods on the Dask cluster" in s for s in dask_steps), dask_steps
    assert any("decomposition" in s for s in dask_steps), dask_steps
    assert local.objective is not None and local_plan
    assert (local.objective, local.best_bound) == (serial.objective, serial.best_bound)
    assert (dask.objective, dask.best_bound) == (local.objective, local.best_bound)
    assert serial_plan == local_plan == dask_plan


# --- the command line -------------------------------------------------------------------

runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=env)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_scenario(tiny_weeks(), tmp_path_factory.mktemp("tiny") / "tiny")


@pytest.mark.slow
def test_stress_command_on_a_dask_cluster_matches_one_process(
    dask_client: Any, tiny_folder: Path, tmp_path: Path
) -> None:
    common = ["stress", str(tiny_folder), "--policy", "base_stock", "--replications", "6"]
    code, out = run(*common, "--workers", "1", "--out", str(tmp_path / "one"))
    assert code == 0, out
    assert "running in this process" in out
    address = dask_client.scheduler.address
    code, out = run(*common, "--scheduler", address, "--out", str(tmp_path / "dask"))
    assert code == 0, out
    assert f"running on the Dask cluster at {address}" in out
    for table in ("summary", "replications", "skus"):
        pd.testing.assert_frame_equal(
            pd.read_csv(tmp_path / "one" / f"{table}.csv"),
            pd.read_csv(tmp_path / "dask" / f"{table}.csv"),
            obj=table,
        )


@pytest.mark.slow
def test_frontier_command_takes_workers(tiny_folder: Path, tmp_path: Path) -> None:
    code, out = run(
        "frontier",
        str(tiny_folder),
        "--shares",
        "0,0.3",
        "--time-limit",
        "20",
        "--workers",
        "2",
        "--out",
        str(tmp_path / "f"),
    )
    assert code == 0, out
    assert "running on 2 local processes" in out
    table = pd.read_csv(tmp_path / "f" / "frontier.csv")
    assert list(table["case"]) == ["free optimum", "backup 0%", "backup 30%"]


@pytest.mark.slow
def test_unreachable_scheduler_is_a_message_not_a_traceback(
    tiny_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "CONNECT_TIMEOUT_SECONDS", 1.0)
    address = unreachable_address()
    args = ["stress", str(tiny_folder), "--policy", "base_stock", "--replications", "2"]
    code, out = run(*args, "--scheduler", address, "--out", str(tmp_path / "a"))
    assert code == 1
    assert f"cannot reach the Dask scheduler at {address} (from --scheduler)" in out
    code, out = run(*args, "--out", str(tmp_path / "b"), env={SCHEDULER_ENV: address})
    assert code == 1
    assert f"cannot reach the Dask scheduler at {address} (from {SCHEDULER_ENV})" in out
    assert not (tmp_path / "b").exists()


def test_optimize_on_an_unreachable_scheduler_is_a_message_before_any_work(
    tiny_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "CONNECT_TIMEOUT_SECONDS", 1.0)
    address = unreachable_address()
    out_folder = tmp_path / "a"
    code, out = run("optimize", str(tiny_folder), "--scheduler", address, "--out", str(out_folder))
    assert code == 1
    assert f"cannot reach the Dask scheduler at {address} (from --scheduler)" in out
    assert not out_folder.exists()
