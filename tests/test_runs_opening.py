"""Which files the run store opens: only SQLite stores of this engine, or new paths.

Anything else (an empty file, a text file, another SQLite database, a device, a FIFO, a link
loop) is refused with a reason that names it, and left byte for byte as it was; a read-only
folder is named as such (not "moved or deleted").
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.runs import RunStore, RunStoreError
from tests.conftest import ROOT

runner = CliRunner()


def _refused(path: Path | str, *words: str) -> None:
    with pytest.raises(RunStoreError) as raised:
        RunStore(path)
    for word in words:
        assert word in str(raised.value)
    assert "--store" in str(raised.value)


def test_a_zero_byte_file_is_not_turned_into_a_store(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    path.touch()
    _refused(path, "empty file (0 bytes)", "left untouched")
    assert path.read_bytes() == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs.sqlite"]


def test_the_cli_refuses_a_zero_byte_store_and_leaves_it(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    path.touch()
    result = runner.invoke(app, ["runs", "list", "--store", str(path)])
    assert result.exit_code == 1
    assert "empty file" in result.output and "Traceback" not in result.output
    assert path.read_bytes() == b""


def test_an_empty_database_of_another_tool_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    sqlite3.connect(path).execute("PRAGMA user_version = 3").connection.close()
    before = path.read_bytes()
    assert before.startswith(b"SQLite format 3\x00")
    _refused(path, "not a sourcing run store")
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda p: os.mkfifo(p), "named pipe (FIFO)"),
        (lambda p: p.symlink_to(p), "symbolic link loop"),
        (lambda p: p.symlink_to("/dev/zero"), "a device"),
    ],
    ids=["fifo", "link-loop", "device"],
)
def test_what_is_not_a_file_is_named(tmp_path: Path, make: object, words: str) -> None:
    path = tmp_path / "runs.sqlite"
    make(path)  # type: ignore[operator]
    _refused(path, words)


def test_a_new_store_in_a_folder_that_cannot_take_files() -> None:
    # /sys refuses new files even to root: a real read-only folder on any Linux machine
    if not Path("/sys").is_dir():
        pytest.skip("needs Linux /sys")
    _refused("/sys/runs.sqlite", "read-only", "/sys")
    assert not Path("/sys/runs.sqlite").exists()


@pytest.mark.slow
def test_a_folder_on_the_way_that_cannot_be_entered(tmp_path: Path) -> None:
    result = _as_nobody(tmp_path / "runs.sqlite")  # pytest's tmp folders are private (0700)
    assert "cannot be reached (Permission denied)" in result


def _as_nobody(target: Path) -> str:
    """What opening and listing the store at ``target`` says, run as a user without root's
    rights (root may write anywhere): user 'nobody' when this runs as root."""
    script = (
        "import sys; from engine.runs import RunStore, RunStoreError\n"
        "try:\n    RunStore(sys.argv[1]).list_runs()\n"
        "except RunStoreError as e:\n    print(e)\n"
    )
    command = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    done = subprocess.run(
        [*(command if os.geteuid() == 0 else []), sys.executable, "-c", script, str(target)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return done.stdout


@pytest.mark.slow
def test_a_store_in_a_read_only_folder_gets_that_reason() -> None:
    """A store, and a new path, in a folder its user may not write to."""
    top = Path(tempfile.mkdtemp(prefix="sourcing-read-only-"))
    try:
        folder = top / "locked"
        folder.mkdir()
        RunStore(folder / "runs.sqlite")
        os.chmod(top, 0o755)
        os.chmod(folder, 0o555)
        for target in (folder / "runs.sqlite", folder / "new.sqlite"):
            said = _as_nobody(target)
            assert "read-only" in said, said
            assert "no longer exists" not in said
        assert sorted(p.name for p in folder.iterdir()) == ["runs.sqlite"]
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(top)
