"""The run store: every run with its scenario snapshot and results, in one SQLite file.

Shared by the CLI and the UI. A run is saved in one ``BEGIN IMMEDIATE ... COMMIT``
transaction, so it is stored whole or not at all, even if the process is killed half way;
two processes saving at once take turns (each waits up to the timeout for the other).
Every operation opens its own short connection, so a store can be used from several threads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import sqlite3
import tempfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import pydantic

from engine.runs import codec, errors, schema
from engine.runs.errors import RunStoreError
from engine.runs.model import Run, RunKind, run_title
from engine.runs.paths import default_store_path
from engine.scenario.schema import Scenario

DEFAULT_TIMEOUT_SECONDS = 30.0
"""How long an operation waits for another process's write before giving up."""

LIST_COLUMNS: tuple[str, ...] = ("run_id", "created_at", "kind", "scenario_name", "label")
"""The first columns of ``RunStore.list_runs``; the metric columns follow."""

TABLE_ENCODING = f"json-columns-v{codec.FORMAT}+zlib"

_RUN_COLUMNS = (
    "run_id, created_at, kind, scenario_name, label, parameters, metrics, scenario_digest"
)


def _after_table_written(run_id: str, name: str) -> None:
    """Called inside the save transaction after each table is written; does nothing.

    A hook for tests that kill a writer half way through a save.
    """


class RunStore:
    """Runs saved by ``sourcing optimize/frontier/stress`` and the app, in one SQLite file.

    Args:
        path: The store file; None uses ``default_store_path()``. The file and its folder are
            created if missing.
        timeout_seconds: How long to wait for another process's write before giving up.
        create: False to open only a store that exists (``RunStoreError`` otherwise), for
            commands that only read or remove runs.

    Raises:
        RunStoreError: if the path is a folder, cannot be created, or holds something other
            than a run store this version can read (the file is then left untouched).
    """

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        create: bool = True,
    ) -> None:
        target = Path(path).expanduser() if path is not None else default_store_path()
        self.path: Path = target.absolute()
        self.timeout_seconds = timeout_seconds
        try:
            is_folder, exists = self.path.is_dir(), os.path.lexists(self.path)
        except OSError as error:  # a folder on the way that this user may not enter
            raise errors.unusable_location(
                self.path, f"it cannot be reached ({error.strerror or error})"
            ) from error
        if is_folder:
            raise errors.unusable_location(
                self.path,
                f"it is a folder, not a file; name a file in it, e.g. {self.path / 'runs.sqlite'}",
            )
        if not exists:
            if not create:
                raise errors.not_found(self.path)
            self._create()
        schema.check_file(self.path)  # only a run store of this engine is ever opened
        with self._connection() as connection:
            schema.initialize(connection, self.path)

    def _create(self) -> None:
        """Make a new, empty store at ``self.path``: built under a temporary name in the same
        folder and linked into place whole, so no process ever sees a half-made store (and an
        existing file is never replaced)."""
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise errors.unusable_location(
                self.path, f"its folder cannot be created ({error.strerror or error})"
            ) from error
        building = folder / f".{self.path.name}.{secrets.token_hex(4)}.new"
        try:
            connection = schema.connect(building, self.timeout_seconds, create=True)
            try:
                schema.initialize(connection, building)
            finally:
                connection.close()
            try:
                os.link(building, self.path)
            except FileExistsError:
                pass  # another process made the store first: use it
            except OSError:  # no hard links on this file system: move it there if still free
                if not os.path.lexists(self.path):
                    os.replace(building, self.path)
        except (OSError, sqlite3.Error) as error:
            if schema.read_only_folder(folder):
                raise errors.read_only(self.path) from error
            raise errors.failed(
                self.path, getattr(error, "strerror", None) or str(error)
            ) from error
        finally:
            for leftover in (building, *(Path(f"{building}{x}") for x in ("-wal", "-shm"))):
                leftover.unlink(missing_ok=True)

    def __repr__(self) -> str:
        return f"RunStore({str(self.path)!r})"

    # ------------------------------------------------------------------ writing

    def save(
        self,
        kind: RunKind,
        scenario: Scenario,
        scenario_name: str,
        tables: Mapping[str, pd.DataFrame],
        metrics: Mapping[str, Any] | None = None,
        parameters: Mapping[str, Any] | None = None,
        label: str = "",
    ) -> str:
        """Save a run in one transaction (all of it or nothing) and return its id.

        Args:
            kind: What produced the run.
            scenario: The scenario the run used (a snapshot is kept).
            scenario_name: The scenario's name and the what-if applied, e.g.
                ``dtc-brand / split-70-30``.
            tables: The result tables by name.
            metrics: Headline figures; numbers become floats, NaN becomes None.
            parameters: The options used, as JSON-able values (paths and enums become text).
            label: A label for the user.
        """
        kind = RunKind(kind)
        encoded = []
        for name, frame in tables.items():
            if not isinstance(name, str) or not name:
                raise ValueError(f"table names must be non-empty text, not {name!r}")
            if not isinstance(frame, pd.DataFrame):
                raise TypeError(f"table {name!r} is a {type(frame).__name__}, not a DataFrame")
            encoded.append((name, len(frame), codec.encode_table(frame)))
        snapshot = scenario.model_dump_json()
        digest = hashlib.sha256(snapshot.encode("utf-8")).hexdigest()
        metric_values = {str(k): codec.metric_value(v) for k, v in (metrics or {}).items()}
        with self._transaction() as connection:
            created = dt.datetime.now(dt.UTC)  # under the write lock: ids follow commit order
            run_id = self._new_id(connection, created)
            connection.execute(
                "INSERT OR IGNORE INTO scenarios (digest, name, snapshot) VALUES (?, ?, ?)",
                (digest, scenario.name, snapshot),
            )
            connection.execute(
                "INSERT INTO runs (run_id, created_at, kind, scenario_name, label, parameters, "
                "metrics, scenario_digest, engine_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    created.isoformat(timespec="microseconds"),
                    kind.value,
                    scenario_name,
                    label,
                    codec.dumps(parameters or {}),
                    codec.dumps(metric_values),
                    digest,
                    _engine_version(),
                ),
            )
            for position, (name, rows, data) in enumerate(encoded):
                connection.execute(
                    "INSERT INTO run_tables (run_id, position, name, row_count, encoding, data) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (run_id, position, name, rows, TABLE_ENCODING, data),
                )
                _after_table_written(run_id, name)
        return run_id

    def delete(self, run_id: str) -> None:
        """Delete a run (a unique beginning of its id is enough) and its tables."""
        full_id = self.resolve(run_id)
        with self._transaction() as connection:
            row = connection.execute(
                "SELECT scenario_digest FROM runs WHERE run_id = ?", (full_id,)
            ).fetchone()
            if row is None:
                raise self._unknown(run_id, connection)
            connection.execute("DELETE FROM run_tables WHERE run_id = ?", (full_id,))
            connection.execute("DELETE FROM runs WHERE run_id = ?", (full_id,))
            connection.execute(
                "DELETE FROM scenarios WHERE digest = ? AND NOT EXISTS "
                "(SELECT 1 FROM runs WHERE scenario_digest = ?)",
                (row[0], row[0]),
            )

    def relabel(self, run_id: str, label: str) -> None:
        """Give a run a new label ("" removes it)."""
        full_id = self.resolve(run_id)
        with self._transaction() as connection:
            done = connection.execute(
                "UPDATE runs SET label = ? WHERE run_id = ?", (label, full_id)
            ).rowcount
            if not done:
                raise self._unknown(run_id, connection)

    # ------------------------------------------------------------------ reading

    def list_runs(self, kind: RunKind | None = None) -> pd.DataFrame:
        """One row per run, newest first: run_id, created_at, kind, scenario_name, label, then
        one column per metric (missing where a run has no such metric)."""
        query = f"SELECT {_RUN_COLUMNS} FROM runs"
        arguments: tuple[Any, ...] = ()
        if kind is not None:
            query += " WHERE kind = ?"
            arguments = (RunKind(kind).value,)
        query += " ORDER BY created_at DESC, run_id DESC"
        with self._connection() as connection:
            rows = connection.execute(query, arguments).fetchall()
        records = []
        for row in rows:
            record: dict[str, Any] = dict(zip(LIST_COLUMNS, row[:5], strict=True))
            for name, value in self._json(row[6], row[0], "metrics").items():
                record.setdefault(name, value)
            records.append(record)
        frame = pd.DataFrame.from_records(records, columns=_union_columns(records))
        frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True, format="ISO8601")
        return frame

    def get(self, run_id: str) -> Run:
        """The run with this id, or the one run whose id begins with it."""
        full_id = self.resolve(run_id)
        with self._connection() as connection:
            row = connection.execute(
                f"SELECT {_RUN_COLUMNS} FROM runs WHERE run_id = ?", (full_id,)
            ).fetchone()
            if row is None:
                raise self._unknown(run_id, connection)
            snapshot = self._snapshot(connection, row[7])
            stored = connection.execute(
                "SELECT name, encoding, data FROM run_tables WHERE run_id = ? ORDER BY position",
                (full_id,),
            ).fetchall()
        tables = {name: self._table(full_id, name, code, data) for name, code, data in stored}
        return Run(
            run_id=row[0],
            created_at=dt.datetime.fromisoformat(row[1]),
            kind=RunKind(row[2]),
            scenario_name=row[3],
            label=row[4],
            parameters=self._json(row[5], row[0], "parameters"),
            metrics=self._json(row[6], row[0], "metrics"),
            tables=tables,
            scenario=self._scenario(full_id, snapshot),
        )

    def table_sizes(self, run_id: str) -> dict[str, int]:
        """Row count of each of a run's tables, in the order saved, without reading them."""
        full_id = self.resolve(run_id)
        with self._connection() as connection:
            rows = connection.execute(
                "SELECT name, row_count FROM run_tables WHERE run_id = ? ORDER BY position",
                (full_id,),
            ).fetchall()
        return {name: int(count) for name, count in rows}

    def compare(self, run_ids: Sequence[str]) -> pd.DataFrame:
        """Runs side by side: one column per run (named by id and label), one row per metric
        (in the order first seen), then ``parameters.<name>`` rows for every parameter whose
        value differs between the runs (every parameter when there is one run). The first rows
        are ``kind`` and ``scenario_name``."""
        if isinstance(run_ids, str):
            run_ids = [run_ids]
        full_ids = list(dict.fromkeys(self.resolve(r) for r in run_ids))
        if not full_ids:
            raise RunStoreError(
                f"Name at least one run to compare; `sourcing runs list --store {self.path}` "
                "shows the ids.",
                self.path,
            )
        headers = []
        with self._connection() as connection:
            for full_id in full_ids:
                row = connection.execute(
                    f"SELECT {_RUN_COLUMNS} FROM runs WHERE run_id = ?", (full_id,)
                ).fetchone()
                if row is None:
                    raise self._unknown(full_id, connection)
                headers.append(row)
        columns = [run_title(row[0], row[4]) for row in headers]
        metrics = [self._json(row[6], row[0], "metrics") for row in headers]
        parameters = [self._json(row[5], row[0], "parameters") for row in headers]
        rows: dict[str, list[Any]] = {
            "kind": [row[2] for row in headers],
            "scenario_name": [row[3] for row in headers],
        }
        for name in _ordered_keys(metrics):
            rows.setdefault(name, [m.get(name) for m in metrics])
        for name in _ordered_keys(parameters):
            values = [p.get(name) for p in parameters]
            if len(values) == 1 or len({codec.dumps(v) for v in values}) > 1:
                rows[f"parameters.{name}"] = values
        frame = pd.DataFrame.from_dict(rows, orient="index", columns=columns, dtype=object)
        frame.index.name = "item"
        return frame

    def scenario_bytes(self, run_id: str) -> bytes:
        """A run's scenario snapshot as an ``.xlsx`` workbook (``write_scenario`` format)."""
        from engine.scenario.write import write_scenario

        full_id = self.resolve(run_id)
        with self._connection() as connection:
            row = connection.execute(
                "SELECT scenario_digest FROM runs WHERE run_id = ?", (full_id,)
            ).fetchone()
            if row is None:
                raise self._unknown(run_id, connection)
            snapshot = self._snapshot(connection, row[0])
        scenario = self._scenario(full_id, snapshot)
        with tempfile.TemporaryDirectory() as folder:
            target = write_scenario(scenario, Path(folder) / "scenario.xlsx")
            return target.read_bytes()

    def resolve(self, run_id: str) -> str:
        """The full id of the run whose id is ``run_id`` or begins with it."""
        run_id = run_id.strip()
        with self._connection() as connection:
            matches = (
                [
                    row[0]
                    for row in connection.execute(
                        "SELECT run_id FROM runs WHERE substr(run_id, 1, ?) = ? "
                        "ORDER BY run_id = ? DESC, run_id LIMIT 6",
                        (len(run_id), run_id, run_id),
                    )
                ]
                if run_id
                else []
            )
            if matches and (matches[0] == run_id or len(matches) == 1):
                return matches[0]
            if not matches:
                raise self._unknown(run_id, connection)
        shown = ", ".join(matches[:5]) + (", ..." if len(matches) > 5 else "")
        raise RunStoreError(
            f"'{run_id}' is the beginning of several run ids in {self.path} ({shown}); "
            "give more of the id.",
            self.path,
        )

    # ------------------------------------------------------------------ internals

    @contextmanager
    def _connection(self, create: bool = False) -> Iterator[sqlite3.Connection]:
        if not create and not self.path.exists():
            raise errors.missing(self.path)
        with schema.sqlite_errors(self.path, self.timeout_seconds):
            connection = schema.connect(self.path, self.timeout_seconds, create=create)
            try:
                yield connection
            finally:
                connection.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: it waits for other writers, and commits only if the block
        finishes; an error (or the process dying) leaves the store as it was."""
        with self._connection() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                _rollback(connection)
                raise
            connection.execute("COMMIT")

    @staticmethod
    def _new_id(connection: sqlite3.Connection, created: dt.datetime) -> str:
        """``YYYYMMDD-HHMMSS-xxxx`` (UTC), unused in the store (checked under the write lock)."""
        stamp = created.strftime("%Y%m%d-%H%M%S")
        while True:
            run_id = f"{stamp}-{secrets.token_hex(2)}"
            if not connection.execute("SELECT 1 FROM runs WHERE run_id = ?", (run_id,)).fetchone():
                return run_id

    def _unknown(self, run_id: str, connection: sqlite3.Connection) -> RunStoreError:
        count = connection.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
        held = f"it holds {count} run(s)" if count else "it holds no runs yet"
        return RunStoreError(
            f"No run '{run_id}' in the run store {self.path} ({held}). "
            f"`sourcing runs list --store {self.path}` shows the ids; the first few characters "
            "of an id are enough when no other id begins with them.",
            self.path,
        )

    def _snapshot(self, connection: sqlite3.Connection, digest: str) -> str:
        row = connection.execute(
            "SELECT snapshot FROM scenarios WHERE digest = ?", (digest,)
        ).fetchone()
        if row is None:
            raise errors.corrupt(self.path, f"the scenario snapshot {digest[:12]} is missing")
        return str(row[0])

    def _scenario(self, run_id: str, snapshot: str) -> Scenario:
        try:
            return Scenario.model_validate_json(snapshot)
        except pydantic.ValidationError as error:
            raise RunStoreError(
                f"The scenario snapshot of run {run_id} in {self.path} no longer fits this "
                f"version's scenario format ({error.error_count()} problem(s), first: "
                f"{error.errors()[0]['msg']}). The run's metrics and tables are still there "
                "(`sourcing runs show` and `export`); the store was left untouched.",
                self.path,
            ) from error

    def _table(self, run_id: str, name: str, encoding: str, data: bytes) -> pd.DataFrame:
        if encoding != TABLE_ENCODING:
            raise errors.corrupt(
                self.path, f"table '{name}' of run {run_id} has an unknown encoding {encoding!r}"
            )
        try:
            return codec.decode_table(data)
        except (ValueError, KeyError, TypeError, zlib.error) as error:
            raise errors.corrupt(
                self.path, f"table '{name}' of run {run_id} cannot be read: {error}"
            ) from error

    def _json(self, text: str, run_id: str, what: str) -> dict[str, Any]:
        try:
            value = codec.loads(text)
        except ValueError as error:
            raise errors.corrupt(self.path, f"the {what} of run {run_id} cannot be read") from error
        if not isinstance(value, dict):
            raise errors.corrupt(self.path, f"the {what} of run {run_id} are not a mapping")
        return value


def _rollback(connection: sqlite3.Connection) -> None:
    """Undo the open transaction, if any; a failure here must not hide the first error."""
    try:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
    except sqlite3.Error:
        pass  # closing the connection undoes it anyway


def _ordered_keys(mappings: Sequence[Mapping[str, Any]]) -> list[str]:
    return list(dict.fromkeys(key for mapping in mappings for key in mapping))


def _union_columns(records: Sequence[Mapping[str, Any]]) -> list[str]:
    return list(LIST_COLUMNS) + [k for k in _ordered_keys(records) if k not in LIST_COLUMNS]


def _engine_version() -> str:
    try:
        return metadata.version("sourcing-engine")
    except metadata.PackageNotFoundError:
        return "unknown"
