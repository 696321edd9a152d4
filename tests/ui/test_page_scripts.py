"""Streamlit shows a page script's bare module-level strings on the page ("magic"): only the
docstring may stand alone (a constant's explanation in a docstring after it once showed on
the Runs page)."""

from __future__ import annotations

import ast

import pytest

from tests.conftest import ROOT

SCRIPTS = [*sorted((ROOT / "ui" / "app_pages").glob("*.py")), ROOT / "ui" / "app.py"]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_a_page_script_has_no_bare_string_but_its_docstring(script) -> None:
    tree = ast.parse(script.read_text(encoding="utf-8"))
    bare = [
        node.lineno
        for node in tree.body[1:]
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    ]
    assert not bare, f"{script.name}: bare strings at lines {bare} would show on the page"
