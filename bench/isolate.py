"""Run one benchmark case in a fresh Python process, so its time and peak memory are its own.

``run_case("bench.simcases:stress_simpy", {...})`` starts ``python -m bench.isolate``, which
imports the function, calls it with the keyword arguments and writes what it returned (plain
JSON values; timings are taken inside the function with ``time.perf_counter`` around the work
itself) together with the process's peak resident memory (``getrusage(RUSAGE_SELF)``), the
peak of its largest child process (``RUSAGE_CHILDREN``: worker pools) and the peak right after
the imports, before the work.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["CaseFailed", "CaseResult", "run_case"]

ROOT = Path(__file__).resolve().parents[1]


POLL_SECONDS = 0.2
"""How often the parent looks at a running case's memory and time."""


class CaseFailed(RuntimeError):
    """A case's process failed or was stopped; the message ends with its error output.

    Attributes:
        reason: ``"time"`` (past its timeout), ``"memory"`` (above its memory limit) or
            ``"error"`` (it failed by itself, including being killed by the system).
        seconds: How long it ran, s.
        peak_rss_mb: Highest resident memory the parent saw, MB (sampled, so a lower bound;
            NaN where the platform does not tell).
    """

    def __init__(
        self,
        message: str,
        reason: str = "error",
        seconds: float = math.nan,
        peak_rss_mb: float = math.nan,
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.seconds = seconds
        self.peak_rss_mb = peak_rss_mb


@dataclass(frozen=True)
class CaseResult:
    """What a case returned, and its process's memory.

    Attributes:
        values: The case function's result.
        peak_rss_mb: Peak resident memory of the case's process, MB (NaN where unknown).
        children_peak_rss_mb: Peak of its largest child process (worker pools), MB.
        start_rss_mb: Peak after the imports, before the case ran, MB.
    """

    values: dict[str, Any]
    peak_rss_mb: float
    children_peak_rss_mb: float
    start_rss_mb: float


def _peak_mb(children: bool = False) -> float:
    """Peak resident memory of this process (or of its largest finished child), MB."""
    try:
        import resource
    except ImportError:  # Windows
        return float("nan")
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    peak = resource.getrusage(who).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes / KiB


def _rss_mb(pid: int) -> float:
    """Resident memory of a running process, MB (NaN where ``/proc`` does not tell)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return math.nan
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 2**10  # KiB
    return math.nan


def _stop(process: subprocess.Popen) -> None:
    """Kill the case's process and whatever it started (its own process group)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (AttributeError, ProcessLookupError, PermissionError):
        process.kill()
    process.wait()


def run_case(
    function: str,
    kwargs: dict[str, Any],
    timeout: float | None = None,
    memory_limit_mb: float | None = None,
) -> CaseResult:
    """Run ``module:function(**kwargs)`` in its own process.

    Args:
        function: ``"package.module:function"``; it returns a JSON-serialisable dict.
        kwargs: Its keyword arguments (JSON-serialisable).
        timeout: Seconds before the process is stopped.
        memory_limit_mb: Resident memory of the case's process above which it is stopped, MB
            (watched every ``POLL_SECONDS``; Linux only).

    Returns:
        The result and memory figures.

    Raises:
        CaseFailed: If the process fails, or is stopped at a limit (``reason`` says which).
    """
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "result.json"
        errors = Path(folder) / "stderr.txt"
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        command = [sys.executable, "-m", "bench.isolate", function, json.dumps(kwargs), str(out)]
        seen = math.nan
        with errors.open("w", encoding="utf-8") as stderr:
            started = time.perf_counter()
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,  # its own process group, so a stop takes its workers
            )
            while True:
                try:
                    process.wait(timeout=POLL_SECONDS)
                    break
                except subprocess.TimeoutExpired:
                    pass
                elapsed = time.perf_counter() - started
                rss = _rss_mb(process.pid)
                seen = rss if math.isnan(seen) else max(seen, rss)
                if timeout is not None and elapsed > timeout:
                    _stop(process)
                    raise CaseFailed(
                        f"{function} took longer than {timeout:g} s", "time", elapsed, seen
                    )
                if memory_limit_mb is not None and rss > memory_limit_mb:
                    _stop(process)
                    raise CaseFailed(
                        f"{function} used more than {memory_limit_mb:,.0f} MB "
                        f"({rss:,.0f} MB after {elapsed:.0f} s)",
                        "memory",
                        elapsed,
                        seen,
                    )
        seconds = time.perf_counter() - started
        if process.returncode != 0 or not out.exists():
            tail = errors.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise CaseFailed(
                f"{function} failed (exit code {process.returncode}):\n{tail}",
                "error",
                seconds,
                seen,
            )
        data = json.loads(out.read_text(encoding="utf-8"))
    return CaseResult(
        values=data["values"],
        peak_rss_mb=data["peak_rss_mb"],
        children_peak_rss_mb=data["children_peak_rss_mb"],
        start_rss_mb=data["start_rss_mb"],
    )


def _main(argv: list[str]) -> int:
    function, kwargs, out = argv
    module, name = function.split(":")
    target = getattr(importlib.import_module(module), name)
    start = _peak_mb()
    values = target(**json.loads(kwargs))
    record = {
        "values": values,
        "peak_rss_mb": _peak_mb(),
        "children_peak_rss_mb": _peak_mb(children=True),
        "start_rss_mb": start,
    }
    Path(out).write_text(json.dumps(record), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
