"""Apply one mutation of the bad-input corpus to a copy of a scenario folder.

A mutation is ``op arg ...`` (split like a shell line; ``\\n`` and ``\\t`` in text arguments
are a newline and a tab). It changes the copy and returns the extra command-line arguments the
case adds. ``@outside`` is a file beside (not inside) the scenario folder that holds
``OUTSIDE_MARKER``: no command may ever print it.
"""

from __future__ import annotations

import csv
import os
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from engine.scenario import load_scenario, write_scenario
from engine.scenario.yaml_input import load_yaml

OUTSIDE_MARKER = "OUTSIDE-MARKER-7f3a"


def outside_file(case_dir: Path) -> Path:
    path = case_dir / "outside.csv"
    if not path.exists():
        path.write_text(f"{OUTSIDE_MARKER},name\nA,b\n", encoding="utf-8")
    return path


def apply(mutation: str, folder: Path) -> tuple[Path, list[str]]:
    """Mutate the scenario copy in ``folder``; the path to run the command on and extra args."""
    lexer = shlex.shlex(mutation, posix=True)
    lexer.whitespace_split, lexer.escape = True, ""  # keep \n and \t for _text
    op, *args = list(lexer) or [""]
    if op.startswith("xlsx"):
        return _workbook(op, args, folder)
    return folder, OPERATIONS[op](folder, *args) or []


def _text(value: str) -> str:
    return value.replace("\\n", "\n").replace("\\t", "\t")


def _target(folder: Path, value: str) -> str:
    if value == "@outside":
        return str(outside_file(folder.parent))
    if value == "@outside-absolute":
        return str(outside_file(folder.parent).resolve())
    return value


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.reader(handle))


def _write_rows(path: Path, rows: list[list[str]], delimiter: str = ",") -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)


def _set_cell(folder: Path, table: str, row: str, column: str, value: str = "") -> None:
    path = folder / f"{table}.csv"
    rows = _rows(path)
    if column not in rows[0]:
        rows[0].append(column)
        for cells in rows[1:]:
            cells.append("")
    rows[int(row) - 1][rows[0].index(column)] = value
    _write_rows(path, rows)


def _settings(folder: Path) -> dict[str, Any]:
    return yaml.safe_load((folder / "scenario.yaml").read_text(encoding="utf-8"))


def _yaml(folder: Path, key: str, value: str) -> None:
    settings = _settings(folder)
    parts = key.split(".")
    target: Any = settings
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target.setdefault(part, {})
    parsed = load_yaml(value)
    if isinstance(target, list):
        target[int(parts[-1])] = parsed
    else:
        target[parts[-1]] = parsed
    (folder / "scenario.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")


def _yaml_append(folder: Path, *words: str) -> None:
    text = " ".join(words)
    with (folder / "scenario.yaml").open("a", encoding="utf-8") as handle:
        handle.write("\n" + _text(text))


def _yaml_replace(folder: Path, *words: str) -> None:
    (folder / "scenario.yaml").write_text(_text(" ".join(words)), encoding="utf-8")


def _yaml_deep(folder: Path, depth: str) -> None:
    _yaml_append(folder, "deep: " + "[" * int(depth) + "]" * int(depth) + "\n")


def _yaml_big(folder: Path, size: str) -> None:
    _yaml_append(folder, "# " + "x" * int(size) + "\n")


def _tables(folder: Path, table: str, path: str) -> None:
    settings = _settings(folder)
    settings.setdefault("tables", {})[table] = yaml.safe_load(_target(folder, path))
    (folder / "scenario.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        path.rmdir()
    elif os.path.lexists(path):
        path.unlink()


def _symlink(folder: Path, name: str, target: str) -> None:
    _remove(folder / name)
    (folder / name).symlink_to(_target(folder, target))


def _fifo(folder: Path, name: str) -> None:
    _remove(folder / name)
    os.mkfifo(folder / name)


def _mkdir(folder: Path, name: str) -> None:
    _remove(folder / name)
    (folder / name).mkdir()


def _delete(folder: Path, name: str) -> None:
    _remove(folder / name)


def _file(folder: Path, name: str, *words: str) -> None:
    (folder / name).write_text(_text(" ".join(words)), encoding="utf-8")


def _unclosed_quote(folder: Path, table: str) -> None:
    path = folder / f"{table}.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace(",", ',"', 1)
    path.write_text("".join(lines), encoding="utf-8")


def _header_only(folder: Path, table: str) -> None:
    path = folder / f"{table}.csv"
    _write_rows(path, _rows(path)[:1])


def _separated(delimiter: str) -> Callable[[Path, str], None]:
    def change(folder: Path, table: str) -> None:
        path = folder / f"{table}.csv"
        _write_rows(path, _rows(path), delimiter)

    return change


def _blank_first_row(folder: Path, table: str) -> None:
    path = folder / f"{table}.csv"
    path.write_text("\n" + path.read_text(encoding="utf-8"), encoding="utf-8")


def _duplicate_column(folder: Path, table: str, column: str, value: str) -> None:
    path = folder / f"{table}.csv"
    rows = _rows(path)
    rows[0].append(column)
    for cells in rows[1:]:
        cells.append(value)
    _write_rows(path, rows)


def _extra_cells(folder: Path, table: str) -> None:
    path = folder / f"{table}.csv"
    rows = _rows(path)
    rows[2] += ["surplus", "cells"]
    _write_rows(path, rows)


def _rename_column(folder: Path, table: str, old: str, new: str) -> None:
    path = folder / f"{table}.csv"
    rows = _rows(path)
    rows[0][rows[0].index(old)] = new
    _write_rows(path, rows)


def _latin1(folder: Path, table: str) -> None:
    path = folder / f"{table}.csv"
    path.write_bytes(path.read_bytes().replace(b"skillet", "sk\xeellet".encode("latin-1")))


def _many_rows(folder: Path, table: str) -> None:
    path = folder / f"{table}.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0]
    from engine.scenario.limits import MAX_TABLE_ROWS

    path.write_text(header + "\n" + "BTL-750,1,1,1\n" * (MAX_TABLE_ROWS + 1), encoding="utf-8")


def _big_file(folder: Path, table: str, size: str) -> None:
    path = folder / f"{table}.csv"
    with path.open("ab") as handle:
        handle.write(b"\n" * int(size))


def _set(folder: Path, key: str, *words: str) -> list[str]:
    return ["--set", f"{key}={' '.join(words)}"]


def _set_raw(folder: Path, text: str) -> list[str]:
    return ["--set", text]


def _plan_file(folder: Path, *words: str) -> list[str]:
    """A PO table for ``stress --plan``, written to the case's output folder."""
    path = folder.parent / "out" / "plan.csv"
    path.parent.mkdir(exist_ok=True)
    path.write_text(_text(" ".join(words)), encoding="utf-8")
    return ["--plan", str(path)]


def _args(folder: Path, *args: str) -> list[str]:
    return [str(folder.parent / a[len("@") :]) if a.startswith("@out/") else a for a in args]


OPERATIONS: dict[str, Callable[..., list[str] | None]] = {
    "": lambda folder: None,
    "cell": _set_cell,
    "yaml": _yaml,
    "yaml-append": _yaml_append,
    "yaml-replace": _yaml_replace,
    "yaml-deep": _yaml_deep,
    "yaml-big": _yaml_big,
    "tables": _tables,
    "symlink": _symlink,
    "fifo": _fifo,
    "mkdir": _mkdir,
    "delete": _delete,
    "file": _file,
    "unclosed-quote": _unclosed_quote,
    "header-only": _header_only,
    "semicolons": _separated(";"),
    "tabs": _separated("\t"),
    "blank-first-row": _blank_first_row,
    "duplicate-column": _duplicate_column,
    "extra-cells": _extra_cells,
    "rename-column": _rename_column,
    "latin1": _latin1,
    "many-rows": _many_rows,
    "big-file": _big_file,
    "set": _set,
    "set-raw": _set_raw,
    "args": _args,
    "plan-file": _plan_file,
}


# --------------------------------------------------------------------------- workbooks


def _typed(value: str) -> Any:
    kind, _, text = value.partition(":")
    return {"bool": lambda t: t == "true", "int": int, "str": str}[kind](text)


def _workbook(op: str, args: list[str], folder: Path) -> tuple[Path, list[str]]:
    import openpyxl

    book_path = folder / "scenario.xlsx"
    write_scenario(load_scenario(folder), book_path)
    if op == "xlsx-garbage":
        book_path.write_bytes(b"PK\x03\x04 not really a workbook" * 50)
        return book_path, []
    book = openpyxl.load_workbook(book_path)
    if op == "xlsx-setting":
        key, value = args
        sheet = book["settings"]
        for row in sheet.iter_rows():
            if row[0].value == key:
                row[1].value = _typed(value)
    elif op == "xlsx-append-setting":
        book["settings"].append([args[0], _typed(args[1])])
    elif op == "xlsx-delete-sheet":
        del book[args[0]]
    elif op == "xlsx-add-sheet":
        book.create_sheet(args[0])
    else:
        sheet = book[args[0]]
        header = [c.value for c in sheet[1]]
        if op == "xlsx-cell":
            _, row_number, column, value = args
            sheet.cell(int(row_number), header.index(column) + 1).value = _typed(value)
        elif op == "xlsx-blank-first-row":
            sheet.insert_rows(1)
        elif op == "xlsx-duplicate-column":
            source = header.index(args[1]) + 1
            for row in range(1, sheet.max_row + 1):
                sheet.cell(row, len(header) + 1).value = sheet.cell(row, source).value
        elif op == "xlsx-header-only":
            sheet.delete_rows(2, sheet.max_row)
    book.save(book_path)
    return book_path, []
