"""``python -m engine.cli``: the `sourcing` command."""

from engine.cli.commands import main

main()
