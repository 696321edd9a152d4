"""``python -m engine.cli``: the `sourcing` command."""

from engine.cli.main import main

main()
