"""docs/input-limits.md lists every limit of ``engine/scenario/limits.py`` and every exit code."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.cli.exit_codes import ExitCode
from engine.scenario import limits
from tests.conftest import ROOT

DOC = (ROOT / "docs" / "input-limits.md").read_text(encoding="utf-8")
LIMITS = {
    name: value
    for name, value in vars(limits).items()
    if name.isupper() and isinstance(value, int | float | dt.date)
}


def _written(value: float | dt.date) -> list[str]:
    """The ways the doc may write a value: 3,650 or 3650, 1e9, a date."""
    if isinstance(value, dt.date):
        return [value.isoformat()]
    forms = [f"{value:,.0f}", f"{value:.0f}"] if float(value).is_integer() else [f"{value:g}"]
    return [*forms, f"{value:.0e}".replace("e+0", "e").replace("e+", "e")]


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_every_limit_is_in_the_doc(name: str) -> None:
    assert any(form in DOC for form in _written(LIMITS[name])), name


@pytest.mark.parametrize("code", list(ExitCode))
def test_every_exit_code_is_in_the_doc(code: ExitCode) -> None:
    assert f"| {code.value} |" in DOC
