"""Cancelling long work: a job's worker thread carries a cancel flag that the engine checks at
safe points (between solves and stages through the progress callbacks, and in HiGHS's MIP
interrupt callback, which ends the current HiGHS run at its next limit check).

    with cancel.cancellable(event):   # in the worker thread
        optimize(...)                 # HiGHS stops soon after event.set()

The flag belongs to the thread, so several jobs can run side by side in one process. A
worker process of a cancellable job adopts the job's flag (``adopt``, a multiprocessing event),
so its HiGHS runs stop too (``engine.parallel.ProcessBackend``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol


class Cancelled(Exception):
    """The user cancelled the work."""


class Flag(Protocol):
    """A cancel flag: a ``threading.Event``, or a multiprocessing one shared with workers."""

    def is_set(self) -> bool: ...

    def set(self) -> None: ...


_local = threading.local()


@contextmanager
def cancellable(event: Flag) -> Iterator[None]:
    """Work in this block stops when ``event`` is set (at the engine's next check)."""
    previous = getattr(_local, "event", None)
    _local.event = event
    try:
        yield
    finally:
        _local.event = previous


def adopt(event: Flag) -> None:
    """Make ``event`` this thread's cancel flag from now on: a worker process's tasks stop
    when the job that started it is cancelled (``engine.parallel.ProcessBackend``)."""
    _local.event = event


def active() -> bool:
    """Whether this thread's work can be cancelled (HiGHS then needs its interrupt callback)."""
    return getattr(_local, "event", None) is not None


def requested() -> bool:
    """Whether this thread's work has been cancelled."""
    event = getattr(_local, "event", None)
    return event is not None and event.is_set()


def flag() -> Callable[[], bool]:
    """This thread's cancel flag, to be read from another thread (e.g. a solver's callback)."""
    event = getattr(_local, "event", None)
    return event.is_set if event is not None else _never


def _never() -> bool:
    return False


def check() -> None:
    """Raise ``Cancelled`` if this thread's work has been cancelled."""
    if requested():
        raise Cancelled("cancelled")
