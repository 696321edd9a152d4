"""Which files a scenario may read: regular files only, tables inside the scenario's folder.

A table path in ``scenario.yaml`` is relative to the scenario's folder and must stay inside
it: an absolute path, a ``..`` that climbs out, or a symbolic link that leads out is refused
(in the app an uploaded scenario must never make the server read another file). Only regular
files are read: a folder, a named pipe (FIFO), a device or a symbolic link loop gets a message
that says what the path is, never "not found" and never a hang.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path, PurePath

from engine.scenario.errors import Problem


class FileRefused(Exception):
    """The path names something that is not a readable regular file; ``str()`` says what."""


def regular_file(path: Path) -> Path | None:
    """``path`` if it is (a link to) a regular file, None if nothing is there.

    Raises:
        FileRefused: for a folder, FIFO, device, socket or a symbolic link loop.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    except ValueError:  # a NUL character in the name
        raise FileRefused("not a valid file name") from None
    except (OSError, RuntimeError) as error:  # a link loop, a name too long, no permission
        if getattr(error, "errno", None) == errno.ELOOP or "loop" in str(error).lower():
            raise FileRefused("a symbolic link loop") from None
        if isinstance(error, PermissionError):
            raise FileRefused("not readable (permission denied)") from None
        raise FileRefused(f"unreadable ({getattr(error, 'strerror', None) or error})") from None
    if stat.S_ISREG(info.st_mode):
        return path
    raise FileRefused(_kind(info.st_mode))


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO), not a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a file"
    return "not a regular file"


def table_file(folder: Path, written: object, source: str, field: str) -> Path | Problem | None:
    """The table file a scenario names, checked: the path, a problem, or None if missing.

    Args:
        folder: The scenario's folder (where its YAML file is).
        written: The path as written in the YAML (``tables.<name>``, or the default name).
        source: The YAML file's name, for the problem.
        field: The YAML key, e.g. ``tables.skus``.
    """
    allowed = "a CSV file inside the scenario's folder, as a relative path, e.g. skus.csv"
    if not isinstance(written, str) or not written.strip():
        return Problem(source, None, field, f"{written!r}", allowed)
    relative = PurePath(written.strip())
    if relative.is_absolute() or relative.drive:
        return Problem(source, None, field, f"the absolute path '{written}'", allowed)
    if os.path.normpath(relative).split(os.sep)[0] == "..":
        return Problem(source, None, field, f"'{written}' leads out of the folder", allowed)
    candidate = folder / relative
    try:
        inside = candidate.resolve().is_relative_to(folder.resolve())
    except ValueError:
        return Problem(source, None, field, f"{written!r} is not a valid file name", allowed)
    except (OSError, RuntimeError):
        return Problem(source, None, field, f"'{written}' is a symbolic link loop", allowed)
    if not inside:
        return Problem(
            source,
            None,
            field,
            f"'{written}' is a symbolic link leading out of the folder",
            allowed,
        )
    try:
        return regular_file(candidate)
    except FileRefused as refused:
        return Problem(source, None, field, f"'{written}' is {refused}", allowed)
