"""The machine block of a benchmark run: what ran it, so figures from two runs can be read."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["PACKAGES", "machine_info", "usable_cores"]

PACKAGES: tuple[str, ...] = (
    "sourcing-engine",
    "numpy",
    "pandas",
    "simpy",
    "pyomo",
    "highspy",
    "stockpyl",
    "scipy",
    "rich",
)
"""Packages whose versions are reported (missing ones as blank)."""

ROOT = Path(__file__).resolve().parents[1]


def usable_cores() -> int:
    """Cores this process may run on (the affinity mask where the platform has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _ram_gb() -> float | None:
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (AttributeError, ValueError, OSError):
        return None


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return ""


def _git_commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    return f"{head}{'+changes' if dirty else ''}"


def machine_info() -> dict[str, Any]:
    """CPU, memory, platform, Python and package versions, load and time of the run."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (None, None, None)
    return {
        "run_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "usable_cores": usable_cores(),
        "ram_gb": _ram_gb(),
        "platform": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "load_average_1min": load[0],
        "git_commit": _git_commit(),
        "versions": {package: _version(package) for package in PACKAGES},
    }
