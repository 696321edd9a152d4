"""Hypothesis-generated scenario tables through ``sourcing validate``: never a traceback.

Each example replaces one table of a copy of ``scenarios/dtc-brand`` with generated rows
(cells of any text, numbers including inf/nan/huge, dates real and impossible, quotes, commas,
line breaks; columns known, unknown, repeated or missing), or with arbitrary bytes. Validate
must end with exit 0 (a valid scenario) or 1 (a located problem), never with an exception.
Derandomized and bounded, so it is fast and the same on every run.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from engine.cli import app
from engine.scenario.schema import ROW_MODELS
from tests.conftest import DTC_BRAND

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("typer_command_built_once")

CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["inf", "-inf", "nan", "1e999", "1e308", "-0", "TRUE", "", " ", '"', "\n"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["2027-01-04", "2027-02-30", "9999-12-31", "0001-01-01", "GZ-01", "CN"]),
)


@st.composite
def tables(draw: st.DrawFn) -> tuple[str, list[list[str]]]:
    name = draw(st.sampled_from(sorted(ROW_MODELS)))
    known = list(ROW_MODELS[name].model_fields)
    header = draw(
        st.lists(st.one_of(st.sampled_from(known), st.text(max_size=6)), max_size=len(known) + 2)
    )
    rows = draw(st.lists(st.lists(CELLS, max_size=len(header) + 1), max_size=6))
    return name, [header, *rows]


def _validate(folder: Path) -> None:
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
@settings(
    max_examples=80,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(tables())
def test_generated_tables_never_give_a_traceback(table: tuple[str, list[list[str]]]) -> None:
    name, rows = table
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "scenario"
        shutil.copytree(DTC_BRAND, folder)
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
        _validate(folder)


@pytest.mark.slow
@settings(max_examples=25, derandomize=True, deadline=None)
@given(st.sampled_from(sorted(ROW_MODELS)), st.binary(max_size=200))
def test_arbitrary_bytes_as_a_table_never_give_a_traceback(name: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "scenario"
        shutil.copytree(DTC_BRAND, folder)
        (folder / f"{name}.csv").write_bytes(data)
        _validate(folder)


@pytest.mark.slow
@settings(max_examples=25, derandomize=True, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_as_the_settings_never_gives_a_traceback(text: str) -> None:
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "scenario"
        shutil.copytree(DTC_BRAND, folder)
        (folder / "scenario.yaml").write_text(text, encoding="utf-8")
        _validate(folder)
