"""The bad-input corpus (``tests/bad_input/cases.csv``) through every command, in-process.

Each case copies ``scenarios/dtc-brand``, applies one mutation and runs one command. It must
end with the case's exit code and a message holding the case's words, with no traceback, no
nonsense accepted (a bad input never exits 0) and no file outside the scenario opened: an
audit hook records every file the command opens.
"""

from __future__ import annotations

import csv
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from engine.cli import app
from tests.bad_input.generate import CASES, all_cases
from tests.bad_input.mutate import OUTSIDE_MARKER, apply
from tests.conftest import DTC_BRAND, ROOT

with CASES.open(newline="", encoding="utf-8") as handle:
    ROWS: list[dict[str, str]] = list(csv.DictReader(handle))

runner = CliRunner()


pytestmark = pytest.mark.usefixtures("typer_command_built_once")

_opened: list[str] | None = None


def _record_opens(event: str, args: tuple[Any, ...]) -> None:
    if event == "open" and _opened is not None and isinstance(args[0], str | bytes | Path):
        _opened.append(os.fsdecode(args[0]))


sys.addaudithook(_record_opens)

TRUSTED = tuple(
    str(Path(p).resolve()) for p in {sys.prefix, sys.base_prefix, ROOT / "engine", "/dev/null"}
)
"""Where a command may open files besides the scenario: Python, its packages, the engine."""


def _command_args(command: str, out: Path) -> list[str]:
    solve = ["--time-limit", "5", "--no-store", "--out", str(out), "--force"]
    return {
        "validate": [],
        "landed-cost": [],
        "optimize": solve,
        "stress": [*solve, "--replications", "2", "--workers", "1"],
        "frontier": [*solve, "--workers", "1"],
    }[command]


def test_the_corpus_file_is_generated_from_the_example() -> None:
    assert [{k: str(v) for k, v in row.items()} for row in all_cases()] == ROWS
    assert len(ROWS) >= 300
    assert {"validate", "landed-cost", "optimize", "stress"} <= {row["command"] for row in ROWS}


@pytest.mark.slow
@pytest.mark.parametrize("case", ROWS, ids=[f"{r['case']}-{r['command']}" for r in ROWS])
def test_bad_input_case(case: dict[str, str], tmp_path: Path) -> None:
    global _opened
    folder = tmp_path / "scenario"
    shutil.copytree(DTC_BRAND, folder)
    target, extra = apply(case["mutation"], folder)
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    args = [case["command"], str(target), *_command_args(case["command"], out), *extra]
    _opened = []
    try:
        result = runner.invoke(app, args)
    finally:
        opened, _opened = _opened, None
    output = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), output
    assert "Traceback" not in output
    assert result.exit_code == int(case["exit_code"]), output
    for word in case["message"].split("|"):
        assert word.lower() in output.lower(), f"{word!r} not in:\n{output}"
    assert OUTSIDE_MARKER not in output and "root:x:0" not in output
    allowed = (str(folder.resolve()), str(out.resolve()), *TRUSTED)
    outside = {p for p in opened if not str(Path(p).resolve()).startswith(allowed)}
    assert not outside, f"opened outside the scenario: {sorted(outside)}"
