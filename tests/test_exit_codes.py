"""Each ending of a command has its documented exit code (``engine.cli.exit_codes``)."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from engine.cli import app
from engine.cli.errors import friendly_errors
from engine.cli.exit_codes import CheckFailedError, ExitCode, NoPlanError
from engine.scenario import write_scenario
from engine.scenario.schema import RiskPolicy
from tests.reference_cases import build, offer, sku, supplier, tiers

runner = CliRunner()


def test_no_plan_has_its_own_exit_code_and_says_what_to_try(tmp_path: Path) -> None:
    """S1 makes at most 70 a week and S2's MOQ is 500, so no plan gives S1 its 30 % backup
    share of the critical SKU: the scenario is valid but infeasible."""
    scenario = build(
        "backup-impossible",
        skus=[sku("CRIT-1", demand_mean_units_per_period=100.0, critical=True)],
        suppliers=[supplier("S1", capacity_units_per_week=70.0), supplier("S2")],
        offers=[offer("S1", "CRIT-1"), offer("S2", "CRIT-1", moq_units=500.0)],
        price_breaks=[*tiers("S1", "CRIT-1", [(0, 1.0)]), *tiers("S2", "CRIT-1", [(0, 1.0)])],
        risk_policy=RiskPolicy(min_backup_share_critical=0.3),
    )
    folder = write_scenario(scenario, tmp_path / "scenario").parent
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["optimize", str(folder), "--time-limit", "10", "--no-store", "--out", str(out)]
    )
    assert result.exit_code == ExitCode.NO_PLAN == 3, result.output
    assert "no plan" in result.output and "tried 'backup-impossible'" in result.output
    assert "Try:" in result.output and "CRIT-1" in result.output
    assert not out.exists() or not any(out.iterdir())


def _ending(error: Exception) -> tuple[int, str]:
    command = typer.Typer()

    @command.command()
    @friendly_errors
    def fail() -> None:
        raise error

    result = runner.invoke(command, [])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


def test_each_error_maps_to_its_exit_code() -> None:
    assert _ending(NoPlanError("nothing found")) == (3, "no plan: nothing found\n")
    assert _ending(CheckFailedError("mismatch")) == (4, "not checked: mismatch\n")
    assert _ending(ValueError("bad --qty")) == (1, "error: bad --qty\n")
    assert _ending(OSError("disk full")) == (1, "error: disk full\n")


@pytest.mark.slow
def test_flags_are_shown_as_flags() -> None:
    """Typer shows ``<bool>`` after a flag unless told otherwise (its own --help too: left)."""
    commands = ["optimize", "stress", "frontier", "sweep", "landed-cost", "generate", "ui"]
    for command in [[c] for c in commands] + [["runs", "export"], ["runs", "delete"]]:
        text = runner.invoke(app, [*command, "--help"], terminal_width=200).output
        assert "--" in text
        for line in text.splitlines():
            if "--help" not in line:
                assert "<bool>" not in line, (command, line)
