"""The run store: round trips, lookups, and what happens when things go wrong.

Writers killed half way, writers at the same time, locked, corrupt, foreign and misplaced
store files: the store stays readable and complete, and the user reads what to do.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import engine.runs.store as store_module
from engine.landed_cost import landed_cost_table
from engine.runs import Run, RunKind, RunStore, RunStoreError, default_store_path
from engine.runs.codec import decode_table, encode_table
from engine.runs.schema import SCHEMA_VERSION
from engine.scenario import load_scenario
from engine.scenario.schema import Scenario
from tests.conftest import DTC_BRAND, ROOT, tiny_scenario

RUN_ID = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{4}$")


def mixed_table() -> pd.DataFrame:
    """A table with every kind of column results hold, and missing values in each."""
    return pd.DataFrame(
        {
            "period": np.array([1, 2, 3], dtype="int64"),
            "units": [10.5, np.nan, np.inf],
            "flag": [True, False, True],
            "sku": pd.Series(["A", None, "B"], dtype="str"),
            "value": pd.Series(["optimal", 1.25, None], dtype=object),
            "when": pd.Series([dt.date(2027, 1, 4), 3, "x"], dtype=object),
            "day": pd.to_datetime(["2027-01-04", None, "2027-01-06T12:00:00"], format="ISO8601"),
            "mode": pd.Categorical(["air", "sea", None], categories=["sea", "air"]),
            "count": pd.array([1, None, 3], dtype="Int64"),
        }
    )


def save_simple(
    store: RunStore,
    kind: RunKind = RunKind.OPTIMIZE,
    metrics: dict[str, float | str | None] | None = None,
    parameters: dict[str, object] | None = None,
    label: str = "",
    scenario: Scenario | None = None,
) -> str:
    return store.save(
        kind,
        scenario or tiny_scenario(),
        "tiny",
        {"costs": pd.DataFrame({"component": ["purchase", "total"], "cost": [1.0, 1.0]})},
        metrics or {"status": "optimal", "total_cost": 1.0},
        parameters or {"time_limit_seconds": 5.0},
        label,
    )


@pytest.fixture
def store(tmp_path: Path) -> RunStore:
    return RunStore(tmp_path / "runs.sqlite")


# --------------------------------------------------------------------------- round trips


def test_save_and_get_round_trip_every_field(store: RunStore, tiny: Scenario) -> None:
    tables = {"summary": mixed_table(), "empty": pd.DataFrame(), "by_sku": mixed_table()[:0]}
    parameters = {"time_limit_seconds": 30.0, "skus": ["A", "B"], "policy": None, "nested": {}}
    before = dt.datetime.now(dt.UTC)
    run_id = store.save(
        RunKind.STRESS,
        tiny,
        "tiny / cn-down",
        tables,
        metrics={"status": "optimal", "fill_rate_mean": np.float64(0.95), "pos": 3, "gap": None},
        parameters=parameters,
        label="first try",
    )
    assert RUN_ID.match(run_id)
    run = store.get(run_id)
    assert isinstance(run, Run)
    assert run.run_id == run_id
    assert run.created_at.tzinfo is not None and run.created_at.utcoffset() == dt.timedelta(0)
    assert before <= run.created_at <= dt.datetime.now(dt.UTC)
    assert run.kind is RunKind.STRESS
    assert run.scenario_name == "tiny / cn-down"
    assert run.label == "first try"
    assert run.parameters == parameters
    assert run.metrics == {"status": "optimal", "fill_rate_mean": 0.95, "pos": 3.0, "gap": None}
    assert run.scenario == tiny
    assert list(run.tables) == ["summary", "empty", "by_sku"]
    for name, frame in tables.items():
        pd.testing.assert_frame_equal(run.tables[name], frame)
    assert run.title == f"{run_id} first try"


def test_example_scenario_and_landed_cost_round_trip(store: RunStore) -> None:
    scenario = load_scenario(DTC_BRAND)
    table = landed_cost_table(scenario)
    run_id = store.save(RunKind.OPTIMIZE, scenario, "dtc-brand", {"landed_cost": table})
    run = store.get(run_id)
    assert run.scenario == scenario
    pd.testing.assert_frame_equal(run.tables["landed_cost"], table)
    assert run.metrics == {}
    assert run.parameters == {}


def test_scenario_bytes_is_a_workbook_of_the_snapshot(store: RunStore, tmp_path: Path) -> None:
    run_id = save_simple(store)
    book = tmp_path / "snapshot.xlsx"
    book.write_bytes(store.scenario_bytes(run_id))
    assert load_scenario(book) == tiny_scenario()


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({"x": [1, 2]}, index=pd.Index(["a", "b"], name="key")),
        pd.DataFrame({"x": [1, 2], "k": ["a", "b"], "j": [3, 4]}).set_index(["k", "j"]),
        pd.DataFrame({1: [1.0], "b": [2.0]}),
        pd.DataFrame(
            {"t": pd.to_datetime(["2027-01-04T10:00:00"]).tz_localize("UTC")},
        ),
        pd.DataFrame({"d": pd.to_timedelta([1.5], unit="D"), "f": pd.array([0.5], "Float64")}),
    ],
)
def test_tables_keep_index_names_and_dtypes(frame: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(decode_table(encode_table(frame)), frame)


# --------------------------------------------------------------------------- reading


def test_list_runs_newest_first_with_metric_columns(store: RunStore) -> None:
    empty = store.list_runs()
    assert list(empty.columns) == ["run_id", "created_at", "kind", "scenario_name", "label"]
    assert empty.empty
    first = save_simple(store, metrics={"status": "optimal", "total_cost": 10.0})
    second = save_simple(store, RunKind.STRESS, metrics={"fill_rate_mean": 0.9}, label="s")
    frame = store.list_runs()
    assert list(frame["run_id"]) == [second, first]
    assert list(frame.columns[:5]) == ["run_id", "created_at", "kind", "scenario_name", "label"]
    assert {"status", "total_cost", "fill_rate_mean"} <= set(frame.columns)
    assert str(frame["created_at"].dt.tz) == "UTC"
    assert frame.set_index("run_id").loc[first, "total_cost"] == 10.0
    assert pd.isna(frame.set_index("run_id").loc[second, "total_cost"])
    assert list(store.list_runs(RunKind.STRESS)["run_id"]) == [second]
    assert store.list_runs(RunKind.FRONTIER).empty


def test_compare_puts_metrics_side_by_side_with_parameters_that_differ(store: RunStore) -> None:
    a = save_simple(store, metrics={"status": "optimal", "total_cost": 10.0}, label="base")
    b = save_simple(
        store,
        metrics={"status": "feasible", "total_cost": 12.0, "gap": 0.01},
        parameters={"time_limit_seconds": 5.0, "what_if": "split-70-30"},
    )
    frame = store.compare([a, b[:-2]])
    assert list(frame.columns) == [f"{a} base", b]
    assert frame.loc["status"].tolist() == ["optimal", "feasible"]
    assert frame.loc["total_cost"].tolist() == [10.0, 12.0]
    assert frame.loc["gap"].tolist() == [None, 0.01]
    assert frame.loc["kind"].tolist() == ["optimize", "optimize"]
    assert frame.loc["parameters.what_if"].tolist() == [None, "split-70-30"]
    assert "parameters.time_limit_seconds" not in frame.index  # the same in both


def test_prefix_lookup_and_unknown_ids(store: RunStore) -> None:
    with pytest.raises(RunStoreError, match="holds no runs yet"):
        store.get("20261123")
    ids = [save_simple(store) for _ in range(3)]
    assert len(set(ids)) == 3
    prefix = next(
        ids[0][:n] for n in range(1, 21) if sum(i.startswith(ids[0][:n]) for i in ids) == 1
    )
    assert store.get(prefix).run_id == ids[0]
    assert store.resolve(f" {ids[1]} ") == ids[1]
    with pytest.raises(RunStoreError) as unknown:
        store.get("nope")
    message = str(unknown.value)
    assert "No run 'nope'" in message
    assert str(store.path) in message
    assert "sourcing runs list" in message
    with pytest.raises(RunStoreError, match="beginning of several run ids"):
        store.get(ids[0][:2])  # "20": the century every id starts with


def test_relabel_and_delete(store: RunStore) -> None:
    keep = save_simple(store)
    gone = save_simple(store)
    store.relabel(keep, "the good one")
    assert store.get(keep).label == "the good one"
    store.delete(gone)
    assert list(store.list_runs()["run_id"]) == [keep]
    with pytest.raises(RunStoreError, match="No run"):
        store.get(gone)
    with pytest.raises(RunStoreError, match="No run"):
        store.delete(gone)
    with pytest.raises(RunStoreError, match="No run"):
        store.relabel(gone, "x")
    assert store.get(keep).scenario == tiny_scenario()  # the shared snapshot stays
    store.delete(keep)
    with sqlite3.connect(store.path) as connection:
        counts = [
            connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("runs", "run_tables", "scenarios")
        ]
    assert counts == [0, 0, 0]


def test_default_store_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SOURCING_RUN_STORE", str(tmp_path / "mine.sqlite"))
    assert default_store_path() == tmp_path / "mine.sqlite"
    assert RunStore().path == tmp_path / "mine.sqlite"
    monkeypatch.delenv("SOURCING_RUN_STORE")
    default = default_store_path()
    assert default.name == "runs.sqlite"
    assert "sourcing-engine" in str(default)


# --------------------------------------------------------------------------- atomicity


def test_an_error_inside_the_save_leaves_nothing(
    store: RunStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = save_simple(store)

    def fail(run_id: str, name: str) -> None:
        if name == "second":
            raise RuntimeError("disk gone")

    monkeypatch.setattr(store_module, "_after_table_written", fail)
    tables = {"first": mixed_table(), "second": mixed_table(), "third": mixed_table()}
    with pytest.raises(RuntimeError):
        store.save(RunKind.STRESS, tiny_scenario(), "tiny", tables)
    assert list(store.list_runs()["run_id"]) == [kept]
    assert _orphans(store.path) == 0


def _child(tmp_path: Path, name: str, code: str) -> Path:
    script = tmp_path / name
    script.write_text(textwrap.dedent(code), encoding="utf-8")
    return script


def _spawn(script: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, str(script), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait_for(condition: object, processes: list[subprocess.Popen[bytes]], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        for process in processes:
            if process.poll() is not None and process.returncode != 0:
                _, err = process.communicate()
                pytest.fail(f"child failed: {err.decode()}")
        if time.monotonic() > deadline:
            for process in processes:
                process.kill()
            pytest.fail("children did not get there in time")
        time.sleep(0.02)


def _orphans(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute(
            "SELECT COUNT(*) FROM run_tables WHERE run_id NOT IN (SELECT run_id FROM runs)"
        ).fetchone()[0]


KILLED_WRITER = """
    import sys
    import time
    from pathlib import Path

    import numpy as np
    import pandas as pd

    import engine.runs.store as store_module
    from engine.runs import RunKind, RunStore
    from tests.conftest import tiny_scenario

    path, marker = sys.argv[1], Path(sys.argv[2])

    def hang(run_id, name):
        if name == "t3":  # three large tables written, inside the transaction
            marker.write_text(run_id)
            time.sleep(600)

    store_module._after_table_written = hang
    rng = np.random.default_rng(0)
    tables = {f"t{i}": pd.DataFrame({"x": rng.random(150_000)}) for i in range(6)}
    RunStore(path).save(RunKind.STRESS, tiny_scenario(), "half", tables, {"m": 1.0})
"""


@pytest.mark.slow
def test_a_writer_killed_mid_save_leaves_the_store_readable_and_complete(
    tmp_path: Path,
) -> None:
    path = tmp_path / "runs.sqlite"
    store = RunStore(path)
    committed = [save_simple(store, label=f"run {i}") for i in range(3)]
    marker = tmp_path / "inside"
    child = _spawn(
        _child(tmp_path, "store_writer_killed.py", KILLED_WRITER), str(path), str(marker)
    )
    _wait_for(marker.exists, [child], 120)
    half = marker.read_text()
    wal = path.with_name(path.name + "-wal")
    assert wal.stat().st_size > 1_000_000  # the half-saved run is partly on disk already
    child.kill()  # SIGKILL on POSIX: no cleanup, no rollback
    child.communicate()
    assert child.returncode != 0

    reopened = RunStore(path)
    assert sorted(reopened.list_runs()["run_id"]) == sorted(committed)
    with pytest.raises(RunStoreError, match="No run"):
        reopened.get(half)
    assert _orphans(path) == 0
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for run_id in committed:
        assert reopened.get(run_id).scenario == tiny_scenario()
    after = save_simple(reopened)
    assert len(reopened.list_runs()) == 4
    assert reopened.get(after).tables["costs"].shape == (2, 2)


CONCURRENT_WRITER = """
    import sys
    import time
    from pathlib import Path

    import pandas as pd

    from engine.runs import RunKind, RunStore
    from tests.conftest import tiny_scenario

    path, worker, count, folder = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    store = RunStore(path)  # every worker creates or opens the store at the same time
    (Path(folder) / f"ready-{worker}").write_text("")
    while not (Path(folder) / "go").exists():
        time.sleep(0.005)
    table = pd.DataFrame({"x": range(2_000), "worker": worker})
    for i in range(count):
        store.save(
            RunKind.OPTIMIZE,
            tiny_scenario(),
            f"worker {worker}",
            {"t": table},
            {"worker": float(worker), "i": float(i)},
        )
"""


@pytest.mark.slow
def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "shared" / "runs.sqlite"  # not created yet: the writers race to create it
    workers, count = 3, 12
    script = _child(tmp_path, "store_writer_many.py", CONCURRENT_WRITER)
    children = [
        _spawn(script, str(path), str(k), str(count), str(tmp_path)) for k in range(workers)
    ]
    ready = [tmp_path / f"ready-{k}" for k in range(workers)]
    _wait_for(lambda: all(r.exists() for r in ready), children, 120)
    (tmp_path / "go").write_text("")
    for child in children:
        _, err = child.communicate(timeout=180)
        assert child.returncode == 0, err.decode()
    frame = RunStore(path).list_runs()
    assert len(frame) == workers * count
    assert frame["run_id"].is_unique
    pairs = set(zip(frame["worker"], frame["i"], strict=True))
    assert pairs == {(float(w), float(i)) for w in range(workers) for i in range(count)}
    assert _orphans(path) == 0
    some = RunStore(path).get(frame["run_id"].iloc[0])
    assert len(some.tables["t"]) == 2_000


# --------------------------------------------------------------------------- bad stores


def test_a_corrupt_file_gets_a_clear_message_and_is_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    junk = np.random.default_rng(1).bytes(8192)
    path.write_bytes(junk)
    with pytest.raises(RunStoreError) as raised:
        RunStore(path)
    message = str(raised.value)
    assert str(path) in message
    assert "left untouched" in message
    assert "--store" in message and "SOURCING_RUN_STORE" in message
    assert path.read_bytes() == junk
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs.sqlite"]


def test_a_text_file_is_not_a_store(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("my notes\n" * 100)
    with pytest.raises(RunStoreError, match="not a SQLite database"):
        RunStore(path)
    assert path.read_text() == "my notes\n" * 100


def test_another_database_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE customers (name TEXT)")
    before = path.read_bytes()
    with pytest.raises(RunStoreError, match="not a sourcing run store"):
        RunStore(path)
    assert path.read_bytes() == before


def test_a_store_from_a_newer_version_is_not_touched(store: RunStore) -> None:
    with sqlite3.connect(store.path) as connection:
        connection.execute(
            "INSERT INTO schema_version VALUES (?, ?)", (SCHEMA_VERSION + 1, "2030-01-01")
        )
    connection.close()
    before = store.path.read_bytes()
    with pytest.raises(RunStoreError, match="newer sourcing-engine"):
        RunStore(store.path)
    assert store.path.read_bytes() == before


def test_a_missing_folder_is_created(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "runs.sqlite"
    with pytest.raises(RunStoreError, match="no run store at"):
        RunStore(path, create=False)
    assert not (tmp_path / "a").exists()
    store = RunStore(path)
    assert path.is_file()
    assert store.list_runs().empty
    assert RunStore(path, create=False).list_runs().empty


def test_a_folder_is_not_a_store_file(tmp_path: Path) -> None:
    with pytest.raises(RunStoreError) as raised:
        RunStore(tmp_path)
    assert "is a folder" in str(raised.value)
    assert str(tmp_path / "runs.sqlite") in str(raised.value)


def test_a_folder_that_cannot_be_made(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(RunStoreError, match="folder cannot be created"):
        RunStore(tmp_path / "file" / "runs.sqlite")


def test_a_store_deleted_while_in_use(store: RunStore) -> None:
    save_simple(store)
    store.path.unlink()
    with pytest.raises(RunStoreError, match="no longer exists"):
        store.list_runs()
    assert not store.path.exists()


def test_a_store_locked_beyond_the_timeout(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    store = RunStore(path, timeout_seconds=0.2)
    kept = save_simple(store)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writing, and taking its time
    try:
        with pytest.raises(RunStoreError) as raised:
            save_simple(store)
        assert "locked" in str(raised.value)
        assert str(path) in str(raised.value)
        assert list(store.list_runs()["run_id"]) == [kept]  # reading still works meanwhile
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    save_simple(store)
    assert len(store.list_runs()) == 2
