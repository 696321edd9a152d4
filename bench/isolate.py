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
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["CaseFailed", "CaseResult", "run_case"]

ROOT = Path(__file__).resolve().parents[1]


class CaseFailed(RuntimeError):
    """A case's process failed; the message ends with its error output."""


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


def run_case(function: str, kwargs: dict[str, Any], timeout: float | None = None) -> CaseResult:
    """Run ``module:function(**kwargs)`` in its own process.

    Args:
        function: ``"package.module:function"``; it returns a JSON-serialisable dict.
        kwargs: Its keyword arguments (JSON-serialisable).
        timeout: Seconds before the process is stopped.

    Returns:
        The result and memory figures.

    Raises:
        CaseFailed: If the process fails or times out.
    """
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "result.json"
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        command = [sys.executable, "-m", "bench.isolate", function, json.dumps(kwargs), str(out)]
        try:
            done = subprocess.run(
                command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired as error:
            raise CaseFailed(f"{function} took longer than {timeout} s") from error
        if done.returncode != 0 or not out.exists():
            raise CaseFailed(f"{function} failed:\n{done.stderr[-3000:]}")
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
