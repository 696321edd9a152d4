"""The store's SQLite file: its tables, its format version, and opening it safely.

Every connection runs in autocommit mode with a busy timeout, so a writer waits for another
process's transaction instead of failing; the file is in WAL mode, so readers never block the
writer. Errors from SQLite are turned into ``RunStoreError`` messages here, once.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from engine.runs import errors

SCHEMA_VERSION = 1
"""Format of the store this version writes (a later version upgrades older formats)."""

APPLICATION_ID = 0x53524E53  # "SRNS": marks the file as a sourcing run store

TABLES: tuple[str, ...] = ("schema_version", "scenarios", "runs", "run_tables")

DDL: tuple[str, ...] = (
    """CREATE TABLE schema_version (
        version INTEGER NOT NULL,
        applied_at TEXT NOT NULL
    )""",
    """CREATE TABLE scenarios (
        digest TEXT PRIMARY KEY,   -- sha256 of the snapshot: runs on one scenario share it
        name TEXT NOT NULL,
        snapshot TEXT NOT NULL     -- Scenario.model_dump_json()
    )""",
    """CREATE TABLE runs (
        run_id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,  -- ISO 8601, UTC, microseconds
        kind TEXT NOT NULL,
        scenario_name TEXT NOT NULL,
        label TEXT NOT NULL DEFAULT '',
        parameters TEXT NOT NULL,  -- JSON object
        metrics TEXT NOT NULL,     -- JSON object
        scenario_digest TEXT NOT NULL REFERENCES scenarios (digest),
        engine_version TEXT NOT NULL
    )""",
    "CREATE INDEX runs_by_time ON runs (created_at)",
    """CREATE TABLE run_tables (
        run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        row_count INTEGER NOT NULL,
        encoding TEXT NOT NULL,    -- see engine.runs.codec
        data BLOB NOT NULL,
        PRIMARY KEY (run_id, name)
    )""",
)


@contextmanager
def sqlite_errors(path: Path, timeout_seconds: float) -> Iterator[None]:
    """Turn SQLite's errors inside the block into ``RunStoreError`` messages."""
    try:
        yield
    except sqlite3.OperationalError as error:
        text = str(error).lower()
        if "locked" in text or "busy" in text:
            raise errors.locked(path, timeout_seconds) from error
        if "unable to open" in text:
            if not path.parent.exists() or not path.exists():
                raise errors.missing(path) from error
            raise errors.unusable_location(path, f"SQLite cannot open it ({error})") from error
        if "readonly" in text or "read-only" in text:
            raise errors.unusable_location(path, "the file or its folder is read-only") from error
        if "no such table" in text or "no such column" in text:
            raise errors.corrupt(path, f"its tables are incomplete: {error}") from error
        raise errors.failed(path, str(error)) from error
    except sqlite3.DatabaseError as error:  # "file is not a database", "malformed"
        raise errors.corrupt(path, str(error)) from error


def connect(path: Path, timeout_seconds: float, create: bool = False) -> sqlite3.Connection:
    """An autocommit connection; ``create`` allows making a new file, else it must exist."""
    mode = "rwc" if create else "rw"
    connection = sqlite3.connect(
        f"{path.as_uri()}?mode={mode}",
        uri=True,
        timeout=timeout_seconds,
        isolation_level=None,
    )
    connection.execute(f"PRAGMA busy_timeout = {int(timeout_seconds * 1000)}")
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


def initialize(connection: sqlite3.Connection, path: Path) -> None:
    """Check the file is a run store this version can read, or make an empty one a store.

    Nothing is written to a file that holds anything else (another database, a newer store).
    """
    version = _check(connection, path)
    if version is None:
        connection.execute("BEGIN IMMEDIATE")
        try:
            if _check(connection, path) is None:  # another process may have just created it
                for statement in DDL:
                    connection.execute(statement)
                connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                connection.execute(
                    "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                    (SCHEMA_VERSION, dt.datetime.now(dt.UTC).isoformat()),
                )
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
    mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
    if str(mode).lower() != "wal":
        connection.execute("PRAGMA journal_mode = WAL")


def _check(connection: sqlite3.Connection, path: Path) -> int | None:
    """The store's format version, None for an empty database; raises for anything else."""
    names = {
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    if not names:
        return None
    if "schema_version" not in names:
        raise errors.foreign(path)
    if not set(TABLES) <= names:
        missing = ", ".join(sorted(set(TABLES) - names))
        raise errors.corrupt(path, f"table(s) {missing} are missing")
    row = connection.execute("SELECT MAX(version) FROM schema_version").fetchone()
    if row is None or row[0] is None:
        raise errors.corrupt(path, "its format version is missing")
    version = int(row[0])
    if version > SCHEMA_VERSION:
        raise errors.too_new(path, version, SCHEMA_VERSION)
    return version
