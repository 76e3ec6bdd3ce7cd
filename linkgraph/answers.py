"""How the command line and the shell read a query's parameters and print its answer: aligned tables (CJK
characters count double), CSV for Excel and JSON, and any error in one line, Chinese first.

>>> print(format_table(["名称", "n"], [["乌镇", 1]]))
名称  n
----  -
乌镇  1
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from typing import TYPE_CHECKING, Any, Mapping, Sequence, TextIO

from stores.masking import redact_text

if TYPE_CHECKING:
    from queries.catalog import Param

CELL_WIDTH = 48
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def printable(text: Any) -> str:
    r"""Text safe for a terminal: control characters (escape sequences, bidi overrides) shown as ``\x1b``,
    never obeyed.

    >>> print(printable("红\x1b[2J旗"))
    红\x1b[2J旗
    """
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode(), str(text))


def _cell(value: Any) -> str:
    text = "" if value is None else printable(str(value).replace("\n", " ").replace("\t", " "))
    if _width(text) <= CELL_WIDTH:
        return text
    cut = ""
    for ch in text:
        if _width(cut + ch) >= CELL_WIDTH:
            break
        cut += ch
    return cut + "…"


def tail_cell(text: str) -> str:
    """``text`` as a cell keeps its end (a folder: the end says which town's), cut at its start with … when long.

    >>> tail_cell("/srv/" + "x" * 60 + "/通镇")[-6:]
    'xxx/通镇'
    """
    if _width(text) <= CELL_WIDTH:
        return text
    kept = ""
    for ch in reversed(text):
        if _width(ch + kept) >= CELL_WIDTH:
            break
        kept = ch + kept
    return "…" + kept


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Rows as aligned columns (CJK characters count double); long cells cut with …."""
    if not rows:
        return "(无结果 no rows)"
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(_width(h), *(_width(row[i]) for row in cells)) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(row) for row in cells)])


def parse_params(pairs: Sequence[str], query: str | None = None) -> dict[str, str]:
    """``PARAM=VALUE`` pairs as a mapping; with ``query`` the saved query is looked up first, so that a line
    naming no query (``帮扶 通镇``) says so rather than that its second word is not a parameter."""
    from queries.catalog import QueryError, get_query

    if query is not None:
        get_query(query)
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise QueryError(f"参数格式应为 名称=值 / parameter {pair!r} is not PARAM=VALUE")
        params[key] = value
    return params


def list_queries(out: TextIO | None = None, program: str = "linkgraph query ",
                 examples: Mapping[str, Mapping[str, Any]] | None = None) -> None:
    """The named queries with their parameters and an example call (``program`` before it: the shell's is
    empty). ``examples``: the values fitted to the store asked (:func:`linkgraph.pipeline.query_examples`);
    a parameter naming a node or a place that has none there (or with no store) shows a generic placeholder
    (``org=<党组织>``), never the names of the Jia County example, which a planner of another county would
    look for in vain."""
    from queries.catalog import default_catalog

    for query in default_catalog().values():
        params = " ".join(f"{p.name}=<{p.en}>" if p.required else f"[{p.name}=…]" for p in query.params)
        print(f"{query.name:28} {query.zh} / {query.en}", file=out)
        if params:
            fitted = (examples or {}).get(query.name, {})
            example = " ".join(f"{p.name}={example_value(p, fitted.get(p.name))}" for p in query.params)
            print(f"{'':28}   params: {params}   e.g. {program}{query.name} {example}", file=out)


def example_value(param: "Param", fitted: Any) -> str:
    """How a parameter's example is written: the value fitted to the store, else the catalog's own for a
    parameter that names nothing (a date, a number of steps), else a placeholder saying what to write.

    >>> from queries.catalog import get_query
    >>> org, hops = get_query("ego_network").params
    >>> example_value(org, None), example_value(org, "大化县财政局"), example_value(hops, None)
    ('<组织或地名>', '大化县财政局', '2')
    """
    if fitted is not None:
        return str(fitted)
    if param.refers_to is None and not param.match:
        return str(param.example)
    return f"<{param.zh.partition('（')[0]}>"


def typed_params(pairs: Sequence[str]) -> dict[str, Any]:
    """``--param`` values: text, or typed with ``NAME:int=``, ``NAME:float=``, ``NAME:json=``."""
    from queries.catalog import QueryError

    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        name, _, kind = key.partition(":")
        if not sep or not name:
            raise QueryError(f"参数格式应为 名称=值 / --param {pair!r} is not NAME=VALUE")
        try:
            params[name] = {"": str, "int": int, "float": float, "json": json.loads}[kind](value)
        except KeyError:
            raise QueryError(f"参数类型应为 int、float 或 json / --param {pair!r}: the type must be int, float or json, "
                             f"not {kind!r}") from None
        except ValueError as err:
            raise QueryError(f"参数值不是有效的 {kind} / --param {pair!r} is not a valid {kind}: {err}") from None
    return params


def _write_csv(text: str, out: TextIO | None) -> None:
    """CSV for Excel (UTF-8 with BOM) as bytes on standard output, or as text on another stream (the shell's)."""
    if out is None:
        sys.stdout.buffer.write(text.encode("utf-8-sig"))
    else:
        out.write(text)


def print_rows(name: str, rows: list[dict[str, Any]], fmt: str, out: TextIO | None = None) -> None:
    """The rows of the named query ``name`` as ``linkgraph query`` prints them: a table with the catalog's
    Chinese headers, CSV or JSON, on ``out`` (default: standard output)."""
    from queries.catalog import get_query
    from visualizations.tables import csv_text, readable_rows

    if fmt == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2), file=out)
        return
    from graph_model.schema import default_schema

    headers, values = readable_rows(get_query(name), rows, default_schema())
    if fmt == "csv":
        _write_csv(csv_text(headers, values), out)
    else:
        print(format_table(headers, values), file=out)


def print_answer(answer, fmt: str, out: TextIO | None = None) -> None:
    """An ad hoc query's answer (:class:`stores.base.Answer`) as ``linkgraph cypher`` prints it."""
    if fmt == "json":
        print(json.dumps(answer.rows, ensure_ascii=False, indent=2, default=str), file=out)
        return
    if fmt == "jsonl":
        for row in answer.rows:
            print(json.dumps(row, ensure_ascii=False, default=str), file=out)
        return
    values = [[r[c] for c in answer.columns] for r in answer.rows]
    if fmt == "csv":
        from visualizations.tables import csv_text

        _write_csv(csv_text(answer.columns, values), out)
    else:
        print(format_table(answer.columns, values), file=out)


def shown(message: Any) -> str:
    """An error message as it is printed: URIs masked (:func:`stores.masking.redact_text`), control characters shown."""
    return printable(redact_text(str(message)))


def error_line(err: BaseException) -> str:
    """Any error in one line, Chinese first, as the shell says it before its next prompt (``main`` says the
    same errors with their hints and every problem of an input)."""
    from graph_model.records import InputError

    if isinstance(err, InputError):
        first = f": {shown(err.problems[0])}" if err.problems else ""
        return f"错误 error: 输入有误 {len(err.problems)} problem(s){first}"
    if type(err).__module__.startswith("neo4j"):
        return f"错误 error: Neo4j 服务中断 the Neo4j server stopped answering ({type(err).__name__}: {shown(err)})"
    if isinstance(err, OSError):
        return f"错误 error: {shown(err.strerror or err)}: {shown(err.filename or '')}"
    from stores.base import StoreError

    if isinstance(err, (StoreError, ValueError)):  # QueryError, SchemaError and the shell's own are ValueErrors
        return f"错误 error: {shown(err)}"
    return (f"错误 error: 内部错误 / unexpected {type(err).__name__}: {shown(err)} (提示 hint: LINKGRAPH_DEBUG=1 "
            "显示详细信息 / LINKGRAPH_DEBUG=1 shows the traceback)")
