"""`sourcing ui` starts Streamlit on the app with the same interpreter, or says why not."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from engine.cli import commands as cli
from tests.conftest import ROOT

runner = CliRunner()


def test_ui_runs_streamlit_on_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[list[str]] = []

    def execv(path: str, args: list[str]) -> None:  # POSIX: the command becomes the server
        assert path == sys.executable
        started.append(list(args))
        raise SystemExit(0)

    monkeypatch.setattr(os, "execv", execv)
    monkeypatch.setattr(subprocess, "call", lambda args: started.append(list(args)) or 0)
    result = runner.invoke(cli.app, ["ui", "--port", "8600", "--headless"])
    assert result.exit_code == 0, result.output
    command = started[0]
    assert command[:4] == [sys.executable, "-m", "streamlit", "run"]
    assert command[4] == str(ROOT / "ui" / "server.py")
    assert command[command.index("--server.port") + 1] == "8600"
    assert command[command.index("--server.headless") + 1] == "true"
    assert "http://localhost:8600" in result.output


def test_ui_says_where_the_app_should_be(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(cli, "UI_APP", tmp_path / "ui" / "app.py")
    result = runner.invoke(cli.app, ["ui"])
    assert result.exit_code == 1
    assert "the app is not at" in result.output


def test_ui_is_in_the_help() -> None:
    result = runner.invoke(cli.app, ["ui", "--help"])
    assert result.exit_code == 0
    assert "--port" in result.output
