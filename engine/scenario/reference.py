"""The file-format reference of docs/scenario-format.md, generated from the schema.

``python -m engine.scenario.reference`` prints it; a test checks docs/scenario-format.md holds
exactly this text between its ``format-reference`` markers, so the docs cannot drift from the
code.
"""

from __future__ import annotations

import types
import typing
from enum import Enum

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from engine.scenario.schema import (
    REQUIRED_TABLES,
    ROW_MODELS,
    TABLE_KEYS,
    TABLE_NAMES,
    Finance,
    Fulfilment,
    Horizon,
    RiskPolicy,
)

START_MARK = "<!-- format-reference:start -->"
END_MARK = "<!-- format-reference:end -->"
SETTINGS_SECTIONS: dict[str, type[BaseModel]] = {
    "horizon": Horizon,
    "finance": Finance,
    "fulfilment": Fulfilment,
    "risk_policy": RiskPolicy,
}


def _type_name(annotation: object) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _type_name(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        names = [_type_name(a) for a in typing.get_args(annotation) if a is not type(None)]
        return " or ".join(names)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return " / ".join(f"`{m.value}`" for m in annotation)
    if origin is dict:
        return "mapping"
    plain_names = {
        "str": "text",
        "float": "number",
        "int": "integer",
        "bool": "true/false",
        "date": "date YYYY-MM-DD",
    }
    return plain_names.get(getattr(annotation, "__name__", ""), str(annotation))


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "**required**"
    if info.default_factory is not None:
        return "empty"
    value = info.default
    if value is None or value == "":
        return "blank"
    if isinstance(value, Enum):
        return f"`{value.value}`"
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"`{value}`"


def _field_table(model: type[BaseModel]) -> list[str]:
    lines = ["| field | type | default | meaning |", "|---|---|---|---|"]
    for name, info in model.model_fields.items():
        meaning = (info.description or "").replace("|", "/")
        lines.append(f"| `{name}` | {_type_name(info.annotation)} | {_default(info)} | {meaning} |")
    return lines


def format_reference_markdown() -> str:
    """The file-format reference (docs/scenario-format.md): every table and settings section,
    field by field."""
    lines: list[str] = []
    for name in TABLE_NAMES:
        need = "required" if name in REQUIRED_TABLES else "optional"
        keys = ":".join(TABLE_KEYS[name])
        lines += ["", f"### `{name}.csv` ({need}; row key `{keys}`)", ""]
        lines += _field_table(ROW_MODELS[name])
    for section, model in SETTINGS_SECTIONS.items():
        lines += ["", f"### `{section}:` (scenario.yaml)", ""]
        lines += _field_table(model)
    return "\n".join(lines).strip() + "\n"


if __name__ == "__main__":
    print(format_reference_markdown(), end="")
