"""Tables and JSON values as bytes the store can hold, and back, without pickle.

A table is stored column by column with its dtype, as zlib-compressed JSON:

- numbers and booleans (numpy or nullable) as JSON numbers, missing values as null or NaN;
- text (``str``/``string``) as JSON strings;
- dates and times as ISO 8601 text, timedeltas as their text form;
- categoricals as their categories plus integer codes;
- ``object`` columns value by value, with dates, times and numpy scalars tagged so they
  come back as the same Python type.

Column names and a non-default index (saved as columns first) are kept. Other dtypes
(periods, intervals, sparse) come back as ``object`` columns of text.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import math
import zlib
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype, is_string_dtype

FORMAT = 1
"""Version of the table encoding below."""

_DATETIME = "$datetime"
_DATE = "$date"
_TIME = "$time"
_TIMEDELTA = "$timedelta"


# --------------------------------------------------------------------------- JSON values


def plain(value: Any) -> Any:
    """``value`` as plain JSON data: enums to their values, paths and unknown objects to text,
    tuples to lists, numpy scalars to Python numbers, dates to ISO text."""
    if value is None or isinstance(value, bool | str | int | float):
        return value.value if isinstance(value, enum.Enum) else value
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(item) for item in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def metric_value(value: Any) -> float | str | None:
    """A headline figure as a float, a text or None (missing numbers become None)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return float(bool(value))
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        return None if math.isnan(number) else number
    return str(value)


def dumps(value: Any) -> str:
    """Plain JSON text (``plain`` applied first); NaN and infinities are kept."""
    return json.dumps(plain(value), ensure_ascii=False, allow_nan=True)


def loads(text: str) -> Any:
    return json.loads(text)


# --------------------------------------------------------------------------- tables


def encode_table(frame: pd.DataFrame) -> bytes:
    """``frame`` as compressed JSON bytes (see the module docstring)."""
    index_names: list[Any] | None = None
    if not _default_index(frame.index):
        index_names = [_name(n) for n in frame.index.names]
        width = frame.index.nlevels
        frame = frame.reset_index(allow_duplicates=True)
        index_columns = [_name(c) for c in frame.columns[:width]]
    else:
        index_columns = []
    columns = [_encode_column(frame.iloc[:, i], frame.columns[i]) for i in range(frame.shape[1])]
    payload = {
        "format": FORMAT,
        "rows": len(frame),
        "columns": columns,
        "index_columns": index_columns,
        "index_names": index_names,
    }
    text = json.dumps(payload, ensure_ascii=False, allow_nan=True, separators=(",", ":"))
    return zlib.compress(text.encode("utf-8"), 6)


def decode_table(data: bytes) -> pd.DataFrame:
    """The table ``encode_table`` wrote."""
    payload = json.loads(zlib.decompress(data).decode("utf-8"))
    if payload.get("format") != FORMAT:
        raise ValueError(f"unknown table format {payload.get('format')!r}")
    rows = int(payload["rows"])
    series = [_decode_column(column, rows) for column in payload["columns"]]
    if series:
        frame = pd.concat(series, axis=1)
        frame.columns = pd.Index([column["name"] for column in payload["columns"]])
    else:
        frame = pd.DataFrame(index=pd.RangeIndex(rows))
    if payload["index_names"] is not None:
        width = len(payload["index_names"])
        index = pd.MultiIndex.from_arrays(
            [frame.iloc[:, i] for i in range(width)], names=payload["index_names"]
        )
        frame = frame.iloc[:, width:]
        frame.index = index if width > 1 else index.get_level_values(0)
    return frame


def _default_index(index: pd.Index) -> bool:
    return (
        isinstance(index, pd.RangeIndex)
        and index.start == 0
        and index.step == 1
        and index.name is None
    )


def _name(name: Any) -> Any:
    """A column or index name as JSON: text and numbers stay, anything else becomes text."""
    if name is None or isinstance(name, str | bool | int | float):
        return name
    if isinstance(name, np.generic):
        return name.item()
    return str(name)


def _encode_column(column: pd.Series, name: Any) -> dict[str, Any]:
    dtype = column.dtype
    encoded: dict[str, Any] = {"name": _name(name), "dtype": str(dtype)}
    if isinstance(dtype, pd.CategoricalDtype):
        encoded["kind"] = "category"
        encoded["categories"] = [_encode_value(c) for c in dtype.categories]
        encoded["categories_dtype"] = str(dtype.categories.dtype)
        encoded["ordered"] = bool(dtype.ordered)
        encoded["values"] = column.cat.codes.astype("int64").tolist()
    elif isinstance(dtype, pd.DatetimeTZDtype) or dtype.kind == "M":
        encoded["kind"] = "datetime"
        encoded["values"] = [None if pd.isna(v) else v.isoformat() for v in column]
    elif dtype.kind == "m":
        encoded["kind"] = "timedelta"
        encoded["values"] = [None if pd.isna(v) else str(v) for v in column]
    elif is_bool_dtype(dtype) or is_numeric_dtype(dtype):
        encoded["kind"] = "number"
        if isinstance(dtype, np.dtype):
            encoded["values"] = column.tolist()
        else:  # nullable extension dtype: pd.NA -> null
            encoded["values"] = [None if v is pd.NA else _number(v) for v in column]
    elif is_string_dtype(dtype) and not _is_object(dtype):
        encoded["kind"] = "text"
        encoded["values"] = [None if pd.isna(v) else str(v) for v in column]
    elif _is_object(dtype):
        encoded["kind"] = "object"
        encoded["values"] = [_encode_value(v) for v in column]
    else:  # periods, intervals, sparse, ...: kept as text
        encoded["kind"] = "object"
        encoded["dtype"] = "object"
        encoded["values"] = [None if _missing(v) else str(v) for v in column]
    return encoded


def _is_object(dtype: Any) -> bool:
    return isinstance(dtype, np.dtype) and dtype.kind == "O"


def _number(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _decode_column(column: dict[str, Any], rows: int) -> pd.Series:
    kind, dtype, values = column["kind"], column["dtype"], column["values"]
    if kind == "category":
        categories = pd.Index(
            [_decode_value(c) for c in column["categories"]], dtype=column["categories_dtype"]
        )
        data: Any = pd.Categorical.from_codes(
            values, dtype=pd.CategoricalDtype(categories, ordered=column["ordered"])
        )
        return pd.Series(data, index=pd.RangeIndex(rows))
    if kind == "datetime":
        target = pd.api.types.pandas_dtype(dtype)
        if isinstance(target, pd.DatetimeTZDtype):
            parsed = pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601")
            return parsed.dt.tz_convert(target.tz).astype(target)
        parsed = pd.to_datetime(pd.Series(values, dtype=object), format="ISO8601")
        return parsed.astype(target)
    if kind == "timedelta":
        return pd.to_timedelta(pd.Series(values, dtype=object)).astype(dtype)
    if kind == "object":
        return pd.Series([_decode_value(v) for v in values], dtype=object)
    return pd.Series(values, dtype=dtype)


def _encode_value(value: Any) -> Any:
    """One cell of an ``object`` column as JSON, tagged when JSON has no such type."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime):
        return {_DATETIME: value.isoformat()}
    if isinstance(value, dt.date):
        return {_DATE: value.isoformat()}
    if isinstance(value, dt.time):
        return {_TIME: value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {_TIMEDELTA: str(pd.Timedelta(value))}
    if isinstance(value, list | tuple):
        return [_encode_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _encode_value(item) for key, item in value.items()}
    return str(value)


def _decode_value(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode_value(item) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        tag, text = next(iter(value.items()))
        if tag == _DATETIME:
            return pd.Timestamp(text)
        if tag == _DATE:
            return dt.date.fromisoformat(text)
        if tag == _TIME:
            return dt.time.fromisoformat(text)
        if tag == _TIMEDELTA:
            return pd.Timedelta(text)
    return {key: _decode_value(item) for key, item in value.items()}
