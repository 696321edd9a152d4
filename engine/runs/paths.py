"""Where the run store lives unless told otherwise."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

from engine.runs.errors import STORE_ENV

APP_NAME = "sourcing-engine"
STORE_FILE_NAME = "runs.sqlite"


def default_store_path() -> Path:
    """``$SOURCING_RUN_STORE`` if set, else ``runs.sqlite`` in the per-user data folder
    (e.g. ``~/.local/share/sourcing-engine`` on Linux)."""
    configured = os.environ.get(STORE_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    return Path(user_data_dir(APP_NAME, appauthor=False)) / STORE_FILE_NAME
