"""The README stays in step with the code: the format reference and the two first commands."""

from __future__ import annotations

from engine.scenario.reference import END_MARK, START_MARK, format_reference_markdown
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_format_reference_matches_schema() -> None:
    start = README.index(START_MARK) + len(START_MARK)
    end = README.index(END_MARK)
    assert README[start:end].strip() == format_reference_markdown().strip(), (
        "README format reference is stale: paste `python -m engine.scenario.reference` "
        "between the format-reference markers"
    )


def test_first_screen_has_the_two_commands() -> None:
    first_screen = "\n".join(README.splitlines()[:30])
    blocks = first_screen.split("```bash")[1:]
    commands = [block.split("```")[0].strip() for block in blocks]
    assert len(commands) == 2
    assert "sourcing stress scenarios/dtc-brand" in commands[0]
    assert "--compare split-70-30" in commands[0]
    assert commands[1].endswith("pytest")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci
    assert commands[0] in ci
