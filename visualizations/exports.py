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

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Literal, Mapping, Sequence

import networkx as nx

from analysis.network import TWO_WAY_TIE_KINDS, CollaborationNetwork, tie_weight
from visualizations.tables import csv_text, neutralized, write_excel_csv

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
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        return "、".join(map(str, value))
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return value


def write_csv_tables(tables: Iterable[Table], out_dir: Path) -> dict[str, Path]:
    """One ``KEY.csv`` per table (UTF-8 with BOM, bilingual headers); returns key → path."""
    written = {}
    for table in tables:
        text = csv_text([c.header for c in table.columns], (table.values(r) for r in table.rows))
        written[table.key] = write_excel_csv(out_dir / f"{table.key}.csv", text)
    return written


def write_workbook(tables: Iterable[Table], path: Path) -> Path:
    """One sheet per table, in order (see the module); at most :data:`WORKBOOK_ROWS` rows per sheet."""
    import xlsxwriter

    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
               "strings_to_urls": False, "nan_inf_to_errors": False}
    book = xlsxwriter.Workbook(str(path), options)
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
        keys = [(j, c.key, text if c.code else None) for j, c in enumerate(table.columns)]
        for i, row in enumerate(table.rows[:WORKBOOK_ROWS], start=1):
            for j, key, code in keys:
                value = _cell(row.get(key))
                if code is not None:
                    sheet.write_string(i, j, str(value), code)
                elif isinstance(value, (int, float)):
                    sheet.write_number(i, j, value)
                elif value != "":
                    sheet.write_string(i, j, neutralized(str(value)))
        if len(table.rows) > WORKBOOK_ROWS:
            sheet.write_string(WORKBOOK_ROWS + 1, 0, f"仅列出前 {WORKBOOK_ROWS:,} 行，共 {len(table.rows):,} 行：全部见 "
                               f"{table.key}.csv / first {WORKBOOK_ROWS:,} of {len(table.rows):,} rows; all of them "
                               f"in {table.key}.csv", note)
    book.close()
    return path


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
    """The network as Gephi gets it: one attribute dict per node (``id``, ``label``, ``kind`` and the
    measures) and per tie (``source``, ``target``, ``kind``, ``weight``, ``two_way``, dates)."""

    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]


def network_records(network: CollaborationNetwork, rows: Sequence[Mapping[str, Any]],
                    columns: Sequence[Column]) -> NetworkRecords:
    """Every node of ``rows`` with the ``columns`` of its row (empty values left out), every working tie as a
    directed edge (parallel ties of different kinds apart; ``two_way`` on the kinds that flow both ways)."""
    keys = [c.key for c in columns if c.key not in ("id", "name")]
    nodes = [{"id": row["id"], "label": row["name"], "kind": row["kind"],
              **{k: row[k] for k in keys if row.get(k) is not None and row.get(k) != ""}} for row in rows]
    edges = [{"source": tie.source_id, "target": tie.target_id, "kind": tie.type,
              "weight": tie_weight(network.graph.nodes, tie), "two_way": tie.type in TWO_WAY_TIE_KINDS,
              **{k: str(tie.props[k]) for k in ("start_date", "end_date") if tie.props.get(k)}}
             for tie in network.ties]
    return NetworkRecords(nodes, edges)


def write_network(records: NetworkRecords, path: Path, fmt: NetworkFormat) -> list[Path]:
    """Write the network as GEXF (NetworkX's writer), GraphML (igraph's, in C: fast at any size), or Gephi's
    CSV pair (``path`` is then a folder)."""
    if fmt == "gexf":
        g = nx.MultiDiGraph()
        g.add_nodes_from((n["id"], {k: v for k, v in n.items() if k != "id"}) for n in records.nodes)
        g.add_edges_from((e["source"], e["target"], e["kind"], {k: v for k, v in e.items() if k not in ("source", "target")})
                         for e in records.edges)
        nx.write_gexf(g, path)
        return [path]
    if fmt == "graphml":
        _igraph_of(records).write_graphml(str(path))
        return [path]
    path.mkdir(parents=True, exist_ok=True)
    node_keys = [k for k in dict.fromkeys(k for n in records.nodes for k in n) if k not in ("id", "label")]
    edge_keys = ["kind", "weight", "two_way", "start_date", "end_date"]
    node_rows = ([n["id"], n["label"], *(_cell(n.get(k)) for k in node_keys)] for n in records.nodes)
    edge_rows = ([e["source"], e["target"], "Directed", *(str(v).lower() if isinstance(v := e.get(k), bool) else _cell(v)
                                                          for k in edge_keys)] for e in records.edges)
    return [write_excel_csv(path / "nodes.csv", csv_text(["Id", "Label", *node_keys], node_rows)),
            write_excel_csv(path / "edges.csv", csv_text(["Source", "Target", "Type", *edge_keys], edge_rows))]


def _igraph_of(records: NetworkRecords):
    """The records as an igraph graph: the node id becomes the attribute ``node_id`` (GraphML numbers its
    nodes ``n0``, ``n1`` …), a missing value an empty text or NaN as igraph writes them."""
    import igraph as ig

    index = {n["id"]: i for i, n in enumerate(records.nodes)}
    g = ig.Graph(n=len(index), edges=[(index[e["source"]], index[e["target"]]) for e in records.edges], directed=True)
    for items, sequence in ((records.nodes, g.vs), (records.edges, g.es)):
        for key in dict.fromkeys(k for item in items for k in item):
            if key in ("source", "target"):
                continue
            values = [item.get(key) for item in items]
            numeric = all(isinstance(v, (int, float)) or v is None for v in values) and \
                not any(isinstance(v, bool) for v in values)
            sequence["node_id" if key == "id" else key] = (
                [math.nan if v is None else v for v in values] if numeric else
                values if all(isinstance(v, bool) for v in values) else ["" if v is None else str(v) for v in values])
    return g
