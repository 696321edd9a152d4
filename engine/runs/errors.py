"""The one error the run store raises, worded for the person at the keyboard."""

from __future__ import annotations

from pathlib import Path

STORE_ENV = "SOURCING_RUN_STORE"
"""Environment variable naming the store file (overrides the per-user default)."""

NEW_STORE_HINT = (
    f"To use another store, pass --store PATH (or set {STORE_ENV}=PATH) to a new file name."
)


class RunStoreError(Exception):
    """The run store cannot do what was asked; ``str()`` says which file, what is wrong and
    what to do. The store file is never changed by the failed operation."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


def corrupt(path: Path, detail: str) -> RunStoreError:
    return RunStoreError(
        f"The run store {path} cannot be read: it is not a SQLite database or it is damaged "
        f"({detail}). The file was left untouched (nothing in it was changed or deleted): keep "
        f"it if it may hold runs you need, or move it aside. {NEW_STORE_HINT}",
        path,
    )


def foreign(path: Path) -> RunStoreError:
    return RunStoreError(
        f"{path} is a SQLite database but not a sourcing run store (it is not marked as one). "
        f"It was left untouched. {NEW_STORE_HINT}",
        path,
    )


def empty_file(path: Path) -> RunStoreError:
    return RunStoreError(
        f"{path} is an empty file (0 bytes), not a sourcing run store. It was left untouched: "
        f"delete it to start a new store there. {NEW_STORE_HINT}",
        path,
    )


def too_new(path: Path, version: int, supported: int) -> RunStoreError:
    return RunStoreError(
        f"The run store {path} was written by a newer sourcing-engine (store format {version}; "
        f"this version reads up to {supported}). It was left untouched: upgrade sourcing-engine "
        f"to read it. {NEW_STORE_HINT}",
        path,
    )


def locked(path: Path, seconds: float) -> RunStoreError:
    return RunStoreError(
        f"The run store {path} stayed locked by another process (a running sourcing command or "
        f"the app) for more than {seconds:g} s, so nothing was changed. Try again when it has "
        f"finished. {NEW_STORE_HINT}",
        path,
    )


def unusable_location(path: Path, detail: str) -> RunStoreError:
    return RunStoreError(
        f"Cannot use {path} as the run store: {detail}. {NEW_STORE_HINT}",
        path,
    )


def read_only(path: Path) -> RunStoreError:
    return RunStoreError(
        f"Cannot use {path} as the run store: its folder {path.parent} is read-only (no "
        "permission to add files there; SQLite needs to add its -wal and -shm files beside the "
        f"store). Nothing was written. {NEW_STORE_HINT}",
        path,
    )


def missing(path: Path) -> RunStoreError:
    return RunStoreError(
        f"The run store {path} no longer exists: it was moved or deleted while in use. "
        "Nothing was written. Open the store again to start a new, empty one there, or point "
        f"--store (or {STORE_ENV}) at where it was moved.",
        path,
    )


def not_found(path: Path) -> RunStoreError:
    return RunStoreError(
        f"There is no run store at {path} yet: runs are saved there by `sourcing optimize`, "
        f"`frontier` and `stress` (and the app). If your runs are in another store, pass "
        f"--store PATH or set {STORE_ENV}=PATH.",
        path,
    )


def failed(path: Path, detail: str) -> RunStoreError:
    return RunStoreError(
        f"The run store {path} could not be used ({detail}); nothing was changed. "
        f"Check that the disk is not full and the file is writable. {NEW_STORE_HINT}",
        path,
    )
