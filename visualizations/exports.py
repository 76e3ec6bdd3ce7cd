"""Tables and networks as files for other tools: an Excel workbook, CSVs for Excel, GEXF/GraphML/CSV for Gephi.

A :class:`Table` is rows with typed columns; the report's tables
(:mod:`visualizations.report`) go to the workbook (one sheet per table,
Chinese headers with the English in each header's note, the header row frozen,
codes as text, numbers as numbers) and to CSV files (UTF-8 with BOM, headers
``名称 Name``) with the same columns. Text a spreadsheet would run as a formula
is neutralized in both (:func:`visualizations.tables.neutralized`).

The network goes to Gephi (:func:`write_network`) with every measure as a node
attribute: GEXF and GraphML keep each working tie as its own directed edge
(parallel ties of different kinds apart, ``two_way`` on the kinds that flow
both ways); ``csv`` writes Gephi's spreadsheet import pair ``nodes.csv``
(``Id``, ``Label``, …) and ``edges.csv`` (``Source``, ``Target``, ``Type``, …).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path
from itertools import islice
from typing import Any, Iterable, Iterator, Literal, Mapping, Sequence

import networkx as nx

from analysis.network import TWO_WAY_TIE_KINDS, CollaborationNetwork, tie_weight
from visualizations.tables import csv_value, neutralized, write_excel_csv_rows

WORKBOOK_ROWS = 100_000
"""Rows a workbook sheet holds at most; a longer table is cut there (its CSV holds every row) and says so."""
NetworkFormat = Literal["gexf", "graphml", "csv"]


@dataclass(frozen=True)
class Column:
    """A column: ``key`` in the rows, Chinese and English header; ``code`` keeps it as text in the workbook
    (NBS codes and ids must never become numbers)."""

    key: str
    zh: str
    en: str
    code: bool = False

    @property
    def header(self) -> str:
        """The CSV header, ``名称 Name`` (one word when both are the same)."""
        return self.zh if self.zh == self.en else f"{self.zh} {self.en}"


@dataclass
class Table:
    """Rows to show and write: ``key`` names the CSV file, ``zh``/``en`` the sheet and the section."""

    key: str
    zh: str
    en: str
    columns: Sequence[Column]
    rows: Sequence[Mapping[str, Any]]

    def values(self, row: Mapping[str, Any]) -> list[Any]:
        return [_cell(row.get(c.key)) for c in self.columns]


def _cell(value: Any) -> Any:
    """A value as a cell holds it: None and NaN empty, lists joined, True/False as 是/否."""
    kind = type(value)
    if kind is str or kind is int:  # the common cases first: reports write millions of cells
        return value
    if kind is float:
        return "" if math.isnan(value) else value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        return "、".join(map(str, value))
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return value


def csv_cell(value: Any) -> Any:
    """A row's value as its CSV cell: :func:`visualizations.tables.csv_value` of :func:`_cell` of it, in one
    call for the plain types (a national report writes 25 million cells).

    >>> csv_cell(0.5), csv_cell(float("nan")), csv_cell("=1"), csv_cell(3), csv_cell(None), csv_cell(True)
    ('0.500000', '', "'=1", 3, '', '是')
    """
    kind = type(value)
    if kind is str:
        return neutralized(value)
    if kind is int:
        return value
    if kind is float:
        return f"{value:.6f}" if value == value else ""  # value != value: NaN, an empty cell
    return csv_value(_cell(value))


def _csv_rows(table: Table) -> Iterator[list[Any]]:
    """The rows of ``table`` as CSV cells, one list at a time."""
    keys = [c.key for c in table.columns]
    for row in table.rows:
        get = row.get
        yield [csv_cell(get(key)) for key in keys]


def write_csv_tables(tables: Iterable[Table], out_dir: Path) -> dict[str, Path]:
    """One ``KEY.csv`` per table (UTF-8 with BOM, bilingual headers); returns key → path."""
    return {table.key: write_excel_csv_rows(out_dir / f"{table.key}.csv", [c.header for c in table.columns],
                                            _csv_rows(table), as_cells=True) for table in tables}


def workbook_bytes(tables: Iterable[Table]) -> bytes:
    """:func:`write_workbook` into memory: the file's bytes (a download of ``linkgraph serve``)."""
    out = io.BytesIO()
    write_workbook(tables, out)
    return out.getvalue()


def write_workbook(tables: Iterable[Table], path: Path | io.BytesIO) -> Path | io.BytesIO:
    """One sheet per table, in order (see the module); at most :data:`WORKBOOK_ROWS` rows per sheet.
    ``path`` may be a file in memory."""
    import xlsxwriter

    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
               "strings_to_urls": False, "nan_inf_to_errors": False}
    book = xlsxwriter.Workbook(path if isinstance(path, io.BytesIO) else str(path), options)
    bold = book.add_format({"bold": True, "bg_color": "#EEEEEE", "text_wrap": True, "valign": "top"})
    text = book.add_format({"num_format": "@"})
    note = book.add_format({"italic": True, "font_color": "#666666"})
    for table in tables:
        sheet = book.add_worksheet(_sheet_name(table.zh))
        sheet.freeze_panes(1, 0)
        for j, column in enumerate(table.columns):
            sheet.write_string(0, j, column.zh, bold)
            sheet.write_comment(0, j, f"{column.en} ({column.key})")
            sheet.set_column(j, j, _width(column), text if column.code else None)
        _write_rows(sheet, table, text)
        if len(table.rows) > WORKBOOK_ROWS:
            sheet.write_string(WORKBOOK_ROWS + 1, 0, f"仅列出前 {WORKBOOK_ROWS:,} 行，共 {len(table.rows):,} 行：全部见 "
                               f"{table.key}.csv / first {WORKBOOK_ROWS:,} of {len(table.rows):,} rows; all of them "
                               f"in {table.key}.csv", note)
    book.close()
    return path


def _write_rows(sheet: Any, table: Table, text: Any) -> None:
    """The first :data:`WORKBOOK_ROWS` rows of ``table`` under its header: codes as text (format ``text``),
    numbers as numbers, other values as neutralized text, empty cells left out.

    Through xlsxwriter's undecorated ``_write_string``/``_write_number`` (what ``write_string`` and
    ``write_number`` call after turning "A1" notation into row and column, which these cells never use):
    a national report writes 5 million cells and the wrapper was a sixth of the workbook's time. They are private:
    an xlsxwriter without them gets the public ones, which take the same arguments."""
    string = getattr(sheet, "_write_string", sheet.write_string)
    number = getattr(sheet, "_write_number", sheet.write_number)
    keys = [(j, c.key, text if c.code else None) for j, c in enumerate(table.columns)]
    for i, row in enumerate(islice(table.rows, WORKBOOK_ROWS), start=1):
        get = row.get
        for j, key, code in keys:
            value = get(key)
            kind = type(value)
            if code is not None:
                string(i, j, str(_cell(value)), code)
            elif kind is int or (kind is float and value == value):  # value == value: not NaN (an empty cell)
                number(i, j, value)
            elif kind is str:
                if value:
                    string(i, j, neutralized(value))
            elif value is not None:
                value = _cell(value)
                if isinstance(value, (int, float)):
                    number(i, j, value)
                elif value != "":
                    string(i, j, neutralized(str(value)))


def _sheet_name(name: str) -> str:
    """A legal sheet name: at most 31 characters, none of ``[]:*?/\\``."""
    for ch in "[]:*?/\\":
        name = name.replace(ch, " ")
    return name[:31]


def _width(column: Column) -> int:
    return 28 if column.key in ("name", "cut_off_names", "members", "towns", "units", "evidence", "note") else \
        max(10, min(20, 2 * len(column.zh) + 4))


@dataclass
class NetworkRecords:
    """The network as Gephi gets it, column by column: ``nodes`` maps each node attribute (``id``, ``label``,
    ``kind`` and the measures) and ``edges`` each tie attribute (``source``, ``target``, ``kind``, ``weight``,
    ``two_way``, dates) to one value per node or tie, None where it has none. Columns, not a dict per node:
    the national network's 600,000 nodes would take some 700 MB more as dicts."""

    nodes: dict[str, list[Any]]
    edges: dict[str, list[Any]]

    def node_count(self) -> int:
        return len(self.nodes.get("id", ()))

    def edge_count(self) -> int:
        return len(self.edges.get("source", ()))


def network_records(network: CollaborationNetwork, rows: Sequence[Mapping[str, Any]],
                    columns: Sequence[Column]) -> NetworkRecords:
    """Every node of ``rows`` with the ``columns`` of its row (empty values as None; a column without any
    value left out), every working tie as a directed edge (parallel ties of different kinds apart;
    ``two_way`` on the kinds that flow both ways), its ends, kind and dates from its tie row
    (:func:`graph_model.tie_rows.tie_row`)."""
    return NetworkRecords(_node_columns(rows, columns), _edge_columns(network))


def _node_columns(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column]) -> dict[str, list[Any]]:
    """The nodes' attributes, one list each: id, label, kind, then every column with a value."""
    nodes: dict[str, list[Any]] = {"id": [r["id"] for r in rows], "label": [r["name"] for r in rows],
                                   "kind": [r["kind"] for r in rows]} if rows else {}
    for key in (c.key for c in columns if c.key not in ("id", "name")):
        values = [row.get(key) for row in rows]
        if "" in values:  # (a text column; the measures' columns hold numbers, compared with "" in C)
            values = [None if v == "" else v for v in values]
        if values.count(None) < len(values):
            nodes[key] = values
    return nodes


def _edge_columns(network: CollaborationNetwork) -> dict[str, list[Any]]:
    """The working ties' attributes, one list each, from their tie rows; dates only where some tie has one."""
    ties, graph_nodes = network.ties, network.graph.nodes
    edges: dict[str, list[Any]] = {
        "source": [t.source_id for t in ties], "target": [t.target_id for t in ties],
        "kind": [t.type for t in ties], "weight": [tie_weight(graph_nodes, t) for t in ties],
        "two_way": [t.type in TWO_WAY_TIE_KINDS for t in ties],
    } if ties else {}
    for key in ("start_date", "end_date"):  # as a tie row has them (graph_model.tie_rows), without making one
        values = [str(v) if (v := t.props.get(key)) else None for t in ties]
        if any(v is not None for v in values):
            edges[key] = values
    return edges


def _items(columns: Mapping[str, list[Any]], count: int) -> Iterator[dict[str, Any]]:
    """One dict per node or tie, its attributes with a value, in the columns' order."""
    for i in range(count):
        yield {k: v for k, values in columns.items() if (v := values[i]) is not None}


def _first_seen(columns: Mapping[str, list[Any]]) -> list[str]:
    """The attributes in the order a reader meets them going through the nodes (or ties) one by one: by the
    first node that has a value, then in the columns' order (the order of GraphML's keys and CSV's columns)."""
    first = {k: next(i for i, v in enumerate(values) if v is not None) for k, values in columns.items()}
    return sorted(columns, key=lambda k: first[k])  # stable: the columns' order among equals


def write_network(records: NetworkRecords, path: Path, fmt: NetworkFormat) -> list[Path]:
    """Write the network as GEXF (NetworkX's writer), GraphML (igraph's, in C: fast at any size), or Gephi's
    CSV pair (``path`` is then a folder)."""
    if fmt == "gexf":
        g = nx.MultiDiGraph()
        g.add_nodes_from((n.pop("id"), n) for n in _items(records.nodes, records.node_count()))
        g.add_edges_from((e.pop("source"), e.pop("target"), e["kind"], e)
                         for e in _items(records.edges, records.edge_count()))
        nx.write_gexf(g, path)
        return [path]
    if fmt == "graphml":
        _igraph_of(records).write_graphml(str(path))
        return [path]
    path.mkdir(parents=True, exist_ok=True)
    nodes, edges = records.nodes, records.edges
    node_keys = [k for k in _first_seen(nodes) if k not in ("id", "label")]
    edge_keys = ["kind", "weight", "two_way", "start_date", "end_date"]
    missing = [None] * records.edge_count()
    node_rows = ([nodes["id"][i], nodes["label"][i], *(_cell(nodes[k][i]) for k in node_keys)]
                 for i in range(records.node_count()))
    edge_columns = [edges.get(k, missing) for k in edge_keys]
    edge_rows = ([edges["source"][i], edges["target"][i], "Directed",
                  *(str(v).lower() if isinstance(v := values[i], bool) else _cell(v) for values in edge_columns)]
                 for i in range(records.edge_count()))
    return [write_excel_csv_rows(path / "nodes.csv", ["Id", "Label", *node_keys], node_rows),
            write_excel_csv_rows(path / "edges.csv", ["Source", "Target", "Type", *edge_keys], edge_rows)]


def write_graphml(network: CollaborationNetwork, rows: Sequence[Mapping[str, Any]], columns: Sequence[Column],
                  path: Path) -> Path:
    """``write_network(network_records(network, rows, columns), path, "graphml")``, each column handed over to
    igraph (which keeps a copy of its own) and dropped at once: nationally the 18 million values would
    otherwise stand twice in memory while the file is written (igraph's copies, the records' lists)."""
    _igraph_of(network_records(network, rows, columns), move=True).write_graphml(str(path))
    return path


def _igraph_of(records: NetworkRecords, *, move: bool = False):
    """The records as an igraph graph: the node id becomes the attribute ``node_id`` (GraphML numbers its
    nodes ``n0``, ``n1`` …), a missing value an empty text or NaN as igraph writes them. ``move``: each of
    the records' columns is taken out of them once igraph has it (the records are then empty)."""
    import igraph as ig

    index = {n: i for i, n in enumerate(records.nodes.get("id", ()))}
    ends = zip(map(index.__getitem__, records.edges.get("source", ())), map(index.__getitem__, records.edges.get("target", ())))
    g = ig.Graph(n=len(index), edges=list(ends), directed=True)
    del index, ends
    for columns, sequence in ((records.nodes, g.vs), (records.edges, g.es)):
        for key in _first_seen(columns):
            if key not in ("source", "target"):
                sequence["node_id" if key == "id" else key] = _attribute_values(columns[key])
            if move:
                del columns[key]
    return g


def _attribute_values(values: list[Any]) -> list[Any]:
    """One attribute's values as igraph should write them: numbers (None as NaN) if all are numbers, as they
    are if all are True/False, else text (None as empty). Decided on the set of the values' types, so a
    national network's 18 million values are each looked at only once."""
    types = set(map(type, values))
    missing = type(None) in types
    types.discard(type(None))
    if all(issubclass(t, (int, float)) and not issubclass(t, bool) for t in types):
        return [math.nan if v is None else v for v in values] if missing else values
    if not missing and all(issubclass(t, bool) for t in types):
        return values
    if types == {str}:
        return ["" if v is None else v for v in values] if missing else values
    return ["" if v is None else str(v) for v in values]
