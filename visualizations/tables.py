"""Query results and reports as tables people read: bilingual headers, readable values, CSV for Excel.

>>> from graph_model.schema import default_schema
>>> from queries.catalog import get_query
>>> headers, rows = readable_rows(get_query("kind_counts"), [{"kind": "Village", "count": 334}], default_schema())
>>> headers, rows
(['类型 kind', '数量 count'], [['村/社区 Village', 334]])
>>> csv_text(headers, rows)
'类型 kind,数量 count\\r\\n村/社区 Village,334\\r\\n'
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from graph_model.schema import Schema, SchemaError
from queries.catalog import NamedQuery


def compact_json(value: Any) -> str:
    """``{"成员村数": 9, "依据": "…"}`` as ``成员村数: 9; 依据: …`` (JSON text is parsed first)."""
    if isinstance(value, str):
        value = json.loads(value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _readable(value: Any, shows: Any, schema: Schema) -> Any:
    if value is None or shows is None:
        return value
    if isinstance(shows, Mapping):
        return shows.get(str(value).lower() if isinstance(value, bool) else value, value)
    try:
        if shows == "kind":
            return f"{schema.node_kind(value).zh} {value}"
        if shows == "tie":
            return f"{schema.tie_kind(value).zh} {value}"
    except SchemaError:
        return value
    if shows == "list":
        return "、".join(str(v) for v in value)
    if shows == "path":
        return " → ".join(str(v) for v in value)
    return compact_json(value)


def readable_rows(query: NamedQuery, rows: list[dict[str, Any]], schema: Schema) -> tuple[list[str], list[list[Any]]]:
    """Headers ``乡镇 town`` and values with kinds and tie types named in Chinese, JSON spelt out."""
    columns = {c.name: c for c in query.columns}
    names = list(rows[0]) if rows else list(columns)
    headers = [f"{columns[n].zh} {n}" if n in columns else n for n in names]
    shows = [columns[n].shows if n in columns else None for n in names]
    return headers, [[_readable(row[n], s, schema) for n, s in zip(names, shows)] for row in rows]


def csv_text(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text (CRLF, as Excel writes it); floats with 6 decimals."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([f"{v:.6f}" if isinstance(v, float) else v for v in row])
    return out.getvalue()


def write_excel_csv(path: str | Path, text: str) -> Path:
    """Write CSV text as UTF-8 with BOM (what Excel needs for Chinese)."""
    path = Path(path)
    path.write_text(text, encoding="utf-8-sig", newline="")
    return path
