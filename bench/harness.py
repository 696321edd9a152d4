"""The section registry and running the sections asked for."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import ModuleType

from bench.rows import BenchRow

__all__ = ["SECTIONS", "Run", "load_section", "run_sections"]

SECTIONS: tuple[str, ...] = ("optimizer", "simulation", "reliability", "stress")
"""Every section, in the order they run: module ``bench.<name>`` with ``run(sizes, quick)``."""


@dataclass(frozen=True)
class Run:
    """What a benchmark run produced.

    Attributes:
        rows: Every figure, section by section.
        skipped: Section -> why it did not run.
    """

    rows: tuple[BenchRow, ...]
    skipped: dict[str, str] = field(default_factory=dict)


def load_section(name: str) -> ModuleType | None:
    """The module of a section, or None when it does not exist (yet).

    Raises:
        ValueError: For a name not in ``SECTIONS``.
    """
    if name not in SECTIONS:
        raise ValueError(f"sections must be some of {', '.join(SECTIONS)}, got {name!r}")
    try:
        return importlib.import_module(f"bench.{name}")
    except ModuleNotFoundError as error:
        if error.name == f"bench.{name}":
            return None
        raise


def run_sections(names: Sequence[str], sizes: Sequence[str], quick: bool) -> Run:
    """Run the sections asked for, in ``SECTIONS`` order, skipping those not present.

    Args:
        names: Section names.
        sizes: Size names (``S``, ``M``, ``L``) for the sections that use them.
        quick: Smaller replication counts and limits, for a fast look.

    Returns:
        The rows and the skipped sections.
    """
    rows: list[BenchRow] = []
    skipped: dict[str, str] = {}
    for name in [s for s in SECTIONS if s in names]:
        module = load_section(name)
        if module is None:
            skipped[name] = f"bench/{name}.py is not there yet"
            continue
        rows.extend(module.run(tuple(sizes), quick))
    return Run(tuple(rows), skipped)
