"""A table with thousands of bad rows prints a few lines; ``--problems-out`` keeps them all."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from engine.cli import app
from engine.scenario.limits import PROBLEMS_SHOWN_PER_KIND
from tests.conftest import DTC_BRAND

runner = CliRunner()


def test_thousands_of_bad_rows_print_a_few_lines_and_the_file_has_all(tmp_path: Path) -> None:
    folder = tmp_path / "scenario"
    shutil.copytree(DTC_BRAND, folder)
    with (folder / "demand.csv").open("a", encoding="utf-8") as handle:
        handle.writelines(f"BTL-750,{1000 + i},1,1\n" for i in range(3_000))  # past period 520
    listed = tmp_path / "problems.csv"
    result = runner.invoke(app, ["validate", str(folder), "--problems-out", str(listed)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) <= 2 * PROBLEMS_SHOWN_PER_KIND + 5, result.output
    assert f"... and {3_000 - PROBLEMS_SHOWN_PER_KIND:,} more like these" in result.output
    assert "--problems-out" in result.output
    problems = pd.read_csv(listed)
    assert len(problems) == 3_000
    assert set(problems["field"]) == {"period"}
    assert problems["row"].tolist() == list(range(28, 28 + 3_000))
