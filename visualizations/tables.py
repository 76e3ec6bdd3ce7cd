"""Query results and reports as tables people read: bilingual headers, readable values, CSV for Excel.

>>> from graph_model.schema import default_schema
>>> from queries.catalog import get_query
>>> headers, rows = readable_rows(get_query("kind_counts"), [{"kind": "Village", "count": 334}], default_schema())
>>> headers, rows
(['类型 kind', '数量 count'], [['村/社区 Village', 334]])
>>> csv_text(headers, rows)
'类型 kind,数量 count\\r\\n村/社区 Village,334\\r\\n'
>>> csv_text(["名称"], [["=SUM(A1)"], [-1.5]])
"名称\\r\\n'=SUM(A1)\\r\\n-1.500000\\r\\n"
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, Iterable, Mapping, Protocol, Sequence

from graph_model.schema import Schema, SchemaError


class Labelled(Protocol):
    """A returned column as the catalog declares it (:class:`queries.catalog.Column`)."""

    name: str
    zh: str
    shows: Any


class Answered(Protocol):
    """What a table needs of a query (:class:`queries.catalog.NamedQuery`): its declared columns. Typed by
    shape, so that the pictures do not import the queries."""

    @property
    def columns(self) -> Sequence[Labelled]: ...


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


def readable_rows(query: Answered, rows: list[dict[str, Any]], schema: Schema) -> tuple[list[str], list[list[Any]]]:
    """Headers ``乡镇 town`` and values with kinds and tie types named in Chinese, JSON spelt out."""
    columns = {c.name: c for c in query.columns}
    names = list(rows[0]) if rows else list(columns)
    headers = [f"{columns[n].zh} {n}" if n in columns else n for n in names]
    shows = [columns[n].shows if n in columns else None for n in names]
    return headers, [[_readable(row[n], s, schema) for n, s in zip(names, shows)] for row in rows]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralized(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return) with a leading apostrophe, so Excel and LibreOffice show it as text; numbers and
    other values unchanged. Every CSV and workbook cell linkgraph writes goes through it (CSV injection).

    >>> neutralized("=1+2"), neutralized("-西山村"), neutralized(-3), neutralized("西山村")
    ("'=1+2", "'-西山村", -3, '西山村')
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_value(value: Any) -> Any:
    """A value as a CSV cell holds it: floats with 6 decimals, formula-like text :func:`neutralized`."""
    kind = type(value)  # the common cases first, as plain types: a national report writes 25 M values
    if kind is float:
        return f"{value:.6f}"
    if kind is int:
        return value
    return f"{value:.6f}" if isinstance(value, float) else neutralized(value)


def _write_csv(out: Any, headers: Sequence[str], rows: Iterable[Sequence[Any]], *, as_cells: bool = False) -> None:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralized(h) for h in headers])
    writer.writerows(rows if as_cells else ([csv_value(v) for v in row] for row in rows))


def csv_text(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text (CRLF, as Excel writes it); each value :func:`csv_value`."""
    out = io.StringIO()
    _write_csv(out, headers, rows)
    return out.getvalue()


def write_excel_csv(path: str | Path, text: str) -> Path:
    """Write CSV text as UTF-8 with BOM (what Excel needs for Chinese)."""
    path = Path(path)
    path.write_text(text, encoding="utf-8-sig", newline="")
    return path


def write_excel_csv_rows(path: str | Path, headers: Sequence[str], rows: Iterable[Sequence[Any]], *,
                         as_cells: bool = False) -> Path:
    """The same file as ``write_excel_csv(path, csv_text(headers, rows))``, written row by row: a table of a
    million rows never stands in memory as one text. ``as_cells``: the rows' values are CSV cells already
    (each :func:`csv_value` of itself), written as they are."""
    path = Path(path)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        _write_csv(out, headers, rows, as_cells=as_cells)
    return path
