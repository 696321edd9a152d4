"""The exit codes of every ``sourcing`` command, in one place (listed in docs/input-limits.md).

A command ends with one of these and, for every code but 0, a message on stderr that says
where the problem is and what to do; never with a traceback.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    """Done."""
    INPUT = 1
    """A problem with the input: the scenario, a file, an option's value or the run store."""
    USAGE = 2
    """A mistyped command: an unknown option, a missing argument, a value of the wrong type."""
    NO_PLAN = 3
    """The optimizer found no plan (infeasible, or stopped before finding one)."""
    CHECK_FAILED = 4
    """A plan was found but the independent checker disagrees with it: do not use it."""


class NoPlanError(Exception):
    """The optimizer found no plan; ``str()`` says what was tried and what to try."""


class CheckFailedError(Exception):
    """The independent checker disagrees with the plan; ``str()`` says where it was written."""
