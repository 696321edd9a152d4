"""The command line, `sourcing` (``main``): the commands (``engine.cli.commands``), their shared
options (``options``), error messages (``errors``), exit codes (``exit_codes``), and the
command groups of the run store (``runs``), finance (``finance``) and resilience
(``resilience``). Front ends only: the work is done in ``engine.workflows`` and below."""

from engine.cli.commands import app, main

__all__ = ["app", "main"]
