"""The README and docs stay in step with the code: the format reference, the two first
commands, the README's size, every relative link, and no machine's absolute path anywhere."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from engine.scenario.reference import END_MARK, START_MARK, format_reference_markdown
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = sorted((ROOT / "docs").glob("*.md"))
MAX_README_BYTES = 10_000


def test_format_reference_matches_schema() -> None:
    page = (ROOT / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    start = page.index(START_MARK) + len(START_MARK)
    end = page.index(END_MARK)
    assert page[start:end].strip() == format_reference_markdown().strip(), (
        "docs/scenario-format.md's format reference is stale: paste "
        "`python -m engine.scenario.reference` between the format-reference markers"
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


def test_readme_stays_short() -> None:
    size = len(README.encode("utf-8"))
    assert size <= MAX_README_BYTES, f"README.md is {size:,} bytes: move detail to docs/"


LINK = re.compile(r"\]\(([^)\s]+)\)")


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, spaces to -."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    in_code = False
    found = set()
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and line.startswith("#"):
            found.add(github_anchor(line.lstrip("#")))
    return found


def test_github_anchor() -> None:
    assert github_anchor(" Disruptions (`disruptions:` in scenario.yaml)") == (
        "disruptions-disruptions-in-scenarioyaml"
    )
    assert github_anchor("When a PO is ready and arrives (one rule: optimizer, checker)") == (
        "when-a-po-is-ready-and-arrives-one-rule-optimizer-checker"
    )


@pytest.mark.parametrize(
    "page", [ROOT / "README.md", ROOT / "CHANGELOG.md", *DOCS], ids=lambda p: p.name
)
def test_every_relative_link_resolves(page: Path) -> None:
    broken = []
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{target}: no heading with that anchor")
    assert not broken, f"{page.relative_to(ROOT)}: " + "; ".join(broken)


# Pieced together so that this file does not match itself.
MACHINE_ROOTS = ["home", "work", "tmp", "Users", "root"]
MACHINE_PATH = re.compile(r"(?<![\w.~-])/(" + "|".join(MACHINE_ROOTS) + r")/")
NOT_THE_PROJECT = {".git", ".venv", "results", "__pycache__", ".hypothesis"}


def project_text_files() -> list[Path]:
    """The tracked files (git), or every file outside caches and virtualenvs (no git)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, text=True
        ).stdout
        files = [ROOT / name for name in listed.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        files = [
            path
            for path in ROOT.rglob("*")
            if not any(
                part in NOT_THE_PROJECT or part.endswith(("_cache", ".egg-info"))
                for part in path.relative_to(ROOT).parts
            )
        ]
    return [path for path in files if path.is_file() and b"\0" not in path.read_bytes()[:8192]]


def test_no_absolute_machine_path_in_the_repository() -> None:
    found = []
    for path in project_text_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            if MACHINE_PATH.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert not found, "absolute machine paths (use relative ones):\n" + "\n".join(found)
