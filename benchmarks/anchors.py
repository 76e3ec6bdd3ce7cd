"""The engines' own bulk paths on the same rows as a linkgraph load: what each figure is measured against.

- LadybugDB ``COPY`` from Parquet files of the rows the embedded store writes;
- Neo4j: a plain batched ``UNWIND $rows … CREATE`` of the rows the Neo4j store
  writes (nodes, then ties with both endpoints matched by label and id: the
  store's own create statements), one managed transaction per batch, nothing
  compared, nothing recorded;
- Neo4j's offline ``neo4j-admin database import full`` of the same records;
- plain NetworkX (a ``DiGraph`` of the same nodes and ties, degree centrality)
  and plain pyvis (a ``Network`` of the same nodes and ties, written to HTML).

Each function takes the records (a :class:`~graph_model.records.GraphData`)
and returns the seconds its engine took, so a benchmark can print both
figures side by side.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from graph_model.records import GraphData
from graph_model.schema import Schema

UNWIND_ROWS = 10_000
"""Rows per ``UNWIND`` statement, and per transaction, of the plain Neo4j anchor."""


def _groups(graph: GraphData) -> tuple[dict[str, list], dict[tuple[str, str, str], list]]:
    nodes: dict[str, list] = {}
    for node in graph.nodes.values():
        nodes.setdefault(node.kind, []).append(node)
    ties: dict[tuple[str, str, str], list] = {}
    for tie in graph.ties.values():
        group = (tie.type, graph.nodes[tie.source_id].kind, graph.nodes[tie.target_id].kind)
        ties.setdefault(group, []).append(tie)
    return nodes, ties


def ladybug_copy(graph: GraphData, schema: Schema, folder: str | Path, loaded: str = "2024-01-01 00:00") -> float:
    """Seconds for LadybugDB to ``COPY`` the rows into a new store in ``folder`` (Parquet files written first, not timed)."""
    import ladybug

    from queries import statements
    from stores.embedded import BUFFER_POOL_MB, copy_columns, write_parquet

    nodes, ties = _groups(graph)
    work = []
    files = Path(tempfile.mkdtemp(prefix="anchor-", dir=folder))
    for label, records in nodes.items():
        columns = copy_columns(schema.node_kind(label).properties, records, loaded)
        path = str(files / f"{label}.parquet")
        write_parquet(path, columns)
        work.append(statements.copy_nodes(label, path))
    for (type_, source, target), records in ties.items():
        columns = copy_columns(schema.tie_kind(type_).properties, records, loaded, (source, target))
        path = str(files / f"{type_}-{source}-{target}.parquet")
        write_parquet(path, columns)
        work.append(statements.copy_ties(type_, source, target, path))
    database = ladybug.Database(str(files / "anchor.lbug"), buffer_pool_size=BUFFER_POOL_MB * 2**20)
    connection = ladybug.Connection(database)
    try:
        for statement in statements.ddl(schema, "ladybug"):
            connection.execute(statement)
        started = time.perf_counter()
        for statement in work:
            connection.execute(statement)
        return time.perf_counter() - started
    finally:
        connection.close()
        database.close()


def neo4j_unwind(store, graph: GraphData, loaded: str = "2024-01-01 00:00", rows_per_batch: int = UNWIND_ROWS,
                 spent: dict[str, float] | None = None, meter: Callable[[], dict[str, float]] | None = None) -> float:
    """Seconds for a plain batched ``UNWIND … CREATE`` of the rows the Neo4j ``store`` would write.

    The store is emptied first (not timed); its constraints and indexes stay,
    so ties find their endpoints through the id index as the store's own load does.
    ``spent`` (when given) receives how much each counter of ``meter`` (default: this process's CPU time,
    ``cpu_seconds``) grew over the timed part.
    """
    import neo4j

    from queries import statements

    store.write(GraphData(), replace=True)
    store.ensure_schema()
    nodes, ties = _groups(graph)
    work: list[tuple[str, list[dict[str, Any]]]] = []
    for label, records in nodes.items():
        work.append((statements.create_nodes(store.schema, label, "neo4j"), store.node_rows(records, loaded)))
    for (type_, source, target), records in ties.items():
        work.append((statements.create_ties(store.schema, type_, source, target, "neo4j"),
                     store.tie_rows(records, loaded)))

    def run(tx, cypher: str, rows: list) -> None:
        tx.run(cypher, rows=rows).consume()

    meter = meter or (lambda: {"cpu_seconds": time.process_time()})
    started, before = time.perf_counter(), meter()
    with store._session(neo4j.WRITE_ACCESS) as session:
        for cypher, rows in work:
            for start in range(0, len(rows), rows_per_batch):
                session.execute_write(run, cypher, rows[start : start + rows_per_batch])
    seconds, after = time.perf_counter() - started, meter()
    if spent is not None:
        spent.update({name: after[name] - before[name] for name in after})
    return seconds


def networkx_degree(graph: GraphData) -> float:
    """Seconds to build a plain NetworkX ``DiGraph`` of the records and compute degree centrality."""
    import networkx as nx

    started = time.perf_counter()
    digraph = nx.DiGraph()
    digraph.add_nodes_from((n.id, {"kind": n.kind, "name": n.props.get("name")}) for n in graph.nodes.values())
    digraph.add_edges_from((t.source_id, t.target_id, {"type": t.type}) for t in graph.ties.values())
    nx.degree_centrality(digraph)
    return time.perf_counter() - started


def pyvis_map(graph: GraphData, folder: str | Path) -> float:
    """Seconds for a plain pyvis ``Network`` of the records written to an HTML file in ``folder``."""
    from pyvis.network import Network

    here = os.getcwd()
    os.chdir(folder)  # pyvis copies its JavaScript into a lib/ folder where it runs
    try:
        started = time.perf_counter()
        network = Network(directed=True)
        for node in graph.nodes.values():
            network.add_node(node.id, label=node.props.get("name") or node.id)
        for tie in graph.ties.values():
            network.add_edge(tie.source_id, tie.target_id, title=tie.type)
        network.write_html("anchor-map.html", notebook=False)
        return time.perf_counter() - started
    finally:
        os.chdir(here)
