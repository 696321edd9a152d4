"""Tasks for the local processes of tests/test_parallel.py, in a module of their own: a spawned
worker imports it, so it imports little."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from engine import cancel
from engine.parallel import ProcessBackend


def wait_for_cancel(seconds: float) -> str:
    """A long task that stops when its job is cancelled, as a HiGHS run does at its checks."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        cancel.check()
        time.sleep(0.05)
    return "ran to its end"


def wait_for_cancel_in(folder: str) -> str:
    """``wait_for_cancel`` of minutes, its process's id written to ``folder`` first."""
    (Path(folder) / str(os.getpid())).write_text("")
    return wait_for_cancel(300.0)


def cancellable_job_on_processes(folder: str) -> None:
    """A cancellable job whose tasks run on two local processes (and is never cancelled)."""
    with cancel.cancellable(threading.Event()):
        ProcessBackend(2, start_method="spawn").map_ordered(wait_for_cancel_in, [folder] * 2)
