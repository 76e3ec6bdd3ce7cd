"""The engines' own bulk paths on the same rows as a linkgraph load: what each figure is measured against.

- LadybugDB ``COPY`` from Parquet files of the rows the embedded store writes;
- Neo4j: a plain batched ``UNWIND $rows … MERGE`` of the rows the Neo4j store
  writes (nodes merged by label and id, ``SET n += r``; then ties with both
  endpoints matched by label and id, the tie merged, ``SET e += r.props``), one
  managed transaction per batch, nothing compared, nothing recorded. Issue 22
  states its target against this anchor ("≤ 1.5× a plain ``UNWIND … MERGE``"),
  and so does the suite. The stricter ``UNWIND … CREATE`` of the same rows (the
  store's own create statements, which skip the lookup a ``MERGE`` makes) is
  measured beside it and shown as a second anchor, so that neither figure is hidden;
- Neo4j's offline ``neo4j-admin database import full`` of the same records;
- plain NetworkX (a ``DiGraph`` of the same nodes and ties, degree centrality)
  and plain pyvis (a ``Network`` of the same nodes and ties, written to HTML).

Each function takes the records (a :class:`~graph_model.records.GraphData`)
and returns what its engine cost (wall and CPU time, :mod:`benchmarks.clock`), so a benchmark can print both
figures side by side.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.clock import measured
from graph_model.records import GraphData
from graph_model.schema import Schema

UNWIND_ROWS = 10_000
"""Rows per ``UNWIND`` statement, and per transaction, of the plain Neo4j anchor."""
WARM_ROWS = 1_000
"""Rows of each statement the Neo4j anchor writes once, untimed, before it is timed (the server plans it)."""


def _groups(graph: GraphData) -> tuple[dict[str, list], dict[tuple[str, str, str], list]]:
    nodes: dict[str, list] = {}
    for node in graph.nodes.values():
        nodes.setdefault(node.kind, []).append(node)
    ties: dict[tuple[str, str, str], list] = {}
    for tie in graph.ties.values():
        group = (tie.type, graph.nodes[tie.source_id].kind, graph.nodes[tie.target_id].kind)
        ties.setdefault(group, []).append(tie)
    return nodes, ties


def ladybug_copy(graph: GraphData, schema: Schema, folder: str | Path, loaded: str = "2024-01-01 00:00") -> dict[str, float]:
    """What LadybugDB's ``COPY`` of the rows into a new store in ``folder`` costs (:func:`benchmarks.clock.measured`;
    the Parquet files are written first, not measured)."""
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
        spent, _ = measured(lambda: [connection.execute(statement) for statement in work])
        return spent
    finally:
        connection.close()
        database.close()


def neo4j_unwinds(store, graph: GraphData, loaded: str = "2024-01-01 00:00") -> dict[str, Any]:
    """Both Neo4j anchors, one after the other on the same rows: the ``UNWIND … MERGE`` figures (issue 22's
    anchor), with the ``UNWIND … CREATE`` figures under ``create``."""
    merged = neo4j_unwind(store, graph, loaded, verb="merge")
    return {**merged, "create": neo4j_unwind(store, graph, loaded, verb="create")}


def neo4j_unwind(store, graph: GraphData, loaded: str = "2024-01-01 00:00",
                 rows_per_batch: int = UNWIND_ROWS, verb: str = "merge") -> dict[str, float]:
    """What a plain batched ``UNWIND … MERGE`` (``verb`` "merge") or ``UNWIND … CREATE`` ("create") of the rows
    the Neo4j ``store`` would write costs, client and server.

    The store is emptied first (not timed); its constraints and indexes stay,
    so a ``MERGE`` finds its node, and ties their endpoints, through the id index as the store's own load does.
    Before the timed part each statement runs once on the first :data:`WARM_ROWS` rows of its batch, and the
    store is emptied again (not timed): the server plans a statement the first time it sees it, and the
    suite's loads meet a server warmed by a load of their own (``benchmarks/run.py``), so the anchor does too.
    """
    import neo4j

    from queries import statements

    nodes, ties = _groups(graph)
    work: list[tuple[str, list[dict[str, Any]]]] = []
    merge = verb == "merge"
    for label, records in nodes.items():
        cypher = statements.merge_nodes(label) if merge else statements.create_nodes(store.schema, label, "neo4j")
        work.append((cypher, store.node_rows(records, loaded)))
    for (type_, source, target), records in ties.items():
        cypher = (statements.merge_ties(type_, source, target) if merge
                  else statements.create_ties(store.schema, type_, source, target, "neo4j"))
        work.append((cypher, store.tie_rows(records, loaded)))

    def run(tx, cypher: str, rows: list) -> None:
        tx.run(cypher, rows=rows).consume()

    def write_all(statements_and_rows: list[tuple[str, list[dict[str, Any]]]]) -> None:
        with store._session(neo4j.WRITE_ACCESS) as session:
            for cypher, rows in statements_and_rows:
                for start in range(0, len(rows), rows_per_batch):
                    session.execute_write(run, cypher, rows[start : start + rows_per_batch])

    store.write(GraphData(), replace=True)
    store.ensure_schema()
    write_all([(cypher, rows[:WARM_ROWS]) for cypher, rows in work])
    store.write(GraphData(), replace=True)
    spent, _ = measured(lambda: write_all(work))
    return spent


def networkx_degree(graph: GraphData) -> dict[str, float]:
    """What building a plain NetworkX ``DiGraph`` of the records and computing degree centrality costs."""
    import networkx as nx

    def degrees() -> None:
        digraph = nx.DiGraph()
        digraph.add_nodes_from((n.id, {"kind": n.kind, "name": n.props.get("name")}) for n in graph.nodes.values())
        digraph.add_edges_from((t.source_id, t.target_id, {"type": t.type}) for t in graph.ties.values())
        nx.degree_centrality(digraph)

    spent, _ = measured(degrees)
    return spent


def pyvis_map(graph: GraphData, folder: str | Path) -> dict[str, float]:
    """What a plain pyvis ``Network`` of the records written to an HTML file in ``folder`` costs."""
    from pyvis.network import Network

    here = os.getcwd()
    os.chdir(folder)  # pyvis copies its JavaScript into a lib/ folder where it runs
    try:
        def draw() -> None:
            network = Network(directed=True)
            for node in graph.nodes.values():
                network.add_node(node.id, label=node.props.get("name") or node.id)
            for tie in graph.ties.values():
                network.add_edge(tie.source_id, tie.target_id, title=tie.type)
            network.write_html("anchor-map.html", notebook=False)

        spent, _ = measured(draw)
        return spent
    finally:
        os.chdir(here)
