"""Cancelling long work: a job's worker thread carries a cancel flag that the engine checks at
safe points (between solves and stages through the progress callbacks, and in HiGHS's MIP
interrupt callback, which ends the current HiGHS run at its next limit check).

    with cancel.cancellable(event):   # in the worker thread
        optimize(...)                 # HiGHS stops soon after event.set()

The flag belongs to the thread, so several jobs can run side by side in one process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Cancelled(Exception):
    """The user cancelled the work."""


_local = threading.local()


@contextmanager
def cancellable(event: threading.Event) -> Iterator[None]:
    """Work in this block stops when ``event`` is set (at the engine's next check)."""
    previous = getattr(_local, "event", None)
    _local.event = event
    try:
        yield
    finally:
        _local.event = previous


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
