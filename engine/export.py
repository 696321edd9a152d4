"""Write result tables where users want them: CSV, Excel or HTML, never over a saved file."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from engine.scenario.write import TargetExistsError

TABLE_SUFFIXES = (".csv", ".xlsx", ".html")


def write_tables(
    tables: Mapping[str, pd.DataFrame], path: Path | str, overwrite: bool = False
) -> Path:
    """Write one or more named tables to ``path``.

    ``.xlsx`` holds one sheet per table; ``.csv`` and ``.html`` hold the first table (the
    others go beside it as ``<stem>_<name><suffix>``).

    Raises:
        TargetExistsError: if a target exists and ``overwrite`` is false.
        ValueError: for a suffix other than .csv, .xlsx or .html.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise ValueError(f"cannot write '{path.name}': use one of {', '.join(TABLE_SUFFIXES)}")
    names = list(tables)
    targets = (
        {names[0]: path}
        if suffix == ".xlsx"
        else {
            name: path if i == 0 else path.with_name(f"{path.stem}_{name}{suffix}")
            for i, name in enumerate(names)
        }
    )
    existing = [str(t) for t in targets.values() if t.exists()]
    if existing and not overwrite:
        raise TargetExistsError(f"{', '.join(existing)} exists; use --force to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".xlsx":
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".xlsx", delete=False) as tmp:
            temporary = Path(tmp.name)
        with pd.ExcelWriter(temporary, engine="openpyxl") as writer:
            for name, frame in tables.items():
                frame.to_excel(writer, sheet_name=name[:31], index=False)
        temporary.replace(path)
        return path
    for name, target in targets.items():
        frame = tables[name]
        text = frame.to_csv(index=False) if suffix == ".csv" else frame.to_html(index=False)
        with tempfile.NamedTemporaryFile(
            "w", dir=target.parent, suffix=suffix, delete=False, encoding="utf-8", newline=""
        ) as text_file:
            text_file.write(text)
        Path(text_file.name).replace(target)
    return path
