"""The store's SQLite file: its tables, its format version, and opening it safely.

Every connection runs in autocommit mode with a busy timeout, so a writer waits for another
process's transaction instead of failing; the file is in WAL mode, so readers never block the
writer. Errors from SQLite are turned into ``RunStoreError`` messages here, once.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import tempfile
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
        if "unable to open" in text or "readonly" in text or "read-only" in text:
            if not path.parent.exists() or not path.exists():
                raise errors.missing(path) from error
            if read_only_folder(path.parent):
                raise errors.read_only(path) from error
            if "unable to open" in text:
                raise errors.unusable_location(path, f"SQLite cannot open it ({error})") from error
            raise errors.unusable_location(path, "the file is read-only") from error
        if "no such table" in text or "no such column" in text:
            raise errors.corrupt(path, f"its tables are incomplete: {error}") from error
        raise errors.failed(path, str(error)) from error
    except sqlite3.DatabaseError as error:  # "file is not a database", "malformed"
        raise errors.corrupt(path, str(error)) from error


def read_only_folder(folder: Path) -> bool:
    """True if no file can be added to ``folder`` (no permission, or a read-only disk; also
    for root, whom ``os.access`` would let through): SQLite needs to add its -wal and -shm
    files beside a store."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            return False
    except OSError:
        return True


SQLITE_HEADER = b"SQLite format 3\x00"
"""The first 16 bytes of every SQLite database file."""


def check_file(path: Path) -> None:
    """Refuse, before SQLite touches it, a file that is not a run store of this engine: not a
    regular file, empty, not SQLite, or SQLite without this engine's application id.

    Raises:
        RunStoreError: saying what the file is; it is left untouched.
    """
    from engine.scenario.files import FileRefused, regular_file

    try:
        if regular_file(path) is None:
            raise errors.missing(path)
        with path.open("rb") as handle:
            head = handle.read(100)
    except FileRefused as refused:
        raise errors.unusable_location(path, str(refused)) from None
    except OSError as error:
        raise errors.unusable_location(
            path, f"it cannot be read ({error.strerror or error})"
        ) from error
    if not head:
        raise errors.empty_file(path)
    if not head.startswith(SQLITE_HEADER) or len(head) < 100:
        raise errors.corrupt(path, "it does not begin like a SQLite database")
    if int.from_bytes(head[68:72], "big") != APPLICATION_ID:
        raise errors.foreign(path)


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
