"""Centrality of organizations in the network of ties, and the villages left out.

The *network* is the undirected simple graph of every non-administrative tie
(membership, guidance, assistance, co-building, supply …): PART_OF and
LOCATED_IN say where a unit is, not whom it works with, so they would make
every town a false hub. Each node of the network gets degree, betweenness,
closeness and PageRank; villages with no tie at all are listed by town.

>>> import networkx as nx
>>> rows = centrality_rows(nx.krackhardt_kite_graph())
>>> max(rows, key=lambda r: r["betweenness"])["node"], round(max(r["betweenness"] for r in rows), 3)
(7, 0.389)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph_model.records import GraphData
from graph_model.schema import Schema

MEASURES = ("degree", "degree_centrality", "betweenness", "closeness", "pagerank")


def network_graph(graph: GraphData, schema: Schema) -> nx.Graph:
    """Undirected simple graph of the non-administrative ties.

    Nodes carry ``kind`` and ``name``; an edge carries ``types``, the tie kinds
    joining the pair (two organizations may be tied in more than one way).
    """
    g = nx.Graph()
    for tie in graph.ties.values():
        if schema.tie_kind(tie.type).administrative:
            continue
        for node_id in (tie.source_id, tie.target_id):
            node = graph.nodes[node_id]
            g.add_node(node_id, kind=node.kind, name=node.name)
        if g.has_edge(tie.source_id, tie.target_id):
            g.edges[tie.source_id, tie.target_id]["types"].append(tie.type)
        else:
            g.add_edge(tie.source_id, tie.target_id, types=[tie.type])
    return g


def centrality_rows(g: nx.Graph) -> list[dict[str, Any]]:
    """Degree, normalized degree, betweenness, closeness and PageRank of every node.

    Betweenness and closeness are NetworkX's normalized values; PageRank uses
    damping 0.85. Sorted by betweenness, then degree, then node.
    """
    if g.number_of_nodes() == 0:
        return []
    degree_centrality = nx.degree_centrality(g)
    betweenness = nx.betweenness_centrality(g)
    closeness = nx.closeness_centrality(g)
    pagerank = nx.pagerank(g, alpha=0.85)
    rows = [
        {
            "node": n,
            "degree": g.degree(n),
            "degree_centrality": degree_centrality[n],
            "betweenness": betweenness[n],
            "closeness": closeness[n],
            "pagerank": pagerank[n],
        }
        for n in g.nodes
    ]
    return sorted(rows, key=lambda r: (-r["betweenness"], -r["degree"], str(r["node"])))


def towns_of(graph: GraphData) -> dict[str, str]:
    """Town id of every village, of every unit located in a town or village, of their party
    organizations, and of every joint party organization whose members all lie in one town."""
    town: dict[str, str] = {}
    for tie in graph.ties.values():
        if tie.type == "PART_OF" and graph.nodes[tie.source_id].kind == "Village":
            town[tie.source_id] = tie.target_id
    for node in graph.nodes.values():
        if node.kind == "Town":
            town[node.id] = node.id
    for tie in graph.ties.values():
        if tie.type in ("LOCATED_IN", "PARTY_ORG_OF") and tie.target_id in town:
            town.setdefault(tie.source_id, town[tie.target_id])
    member_towns: dict[str, set[str | None]] = {}
    for tie in graph.ties.values():
        if tie.type == "MEMBER_OF":
            member_towns.setdefault(tie.target_id, set()).add(town.get(tie.source_id))
    for org, towns in member_towns.items():
        if len(towns) == 1 and None not in towns:
            town.setdefault(org, towns.pop())
    return town


@dataclass
class CentralityReport:
    """What the report pages and CSVs show; built by :func:`centrality_report`."""

    rows: list[dict[str, Any]]
    untied_villages: list[dict[str, Any]]
    towns: list[dict[str, Any]]
    summary: dict[str, Any]
    reconciliations: list[dict[str, Any]] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)


def centrality_report(graph: GraphData, schema: Schema) -> CentralityReport:
    """Centralities of the tie network, villages without ties, and a summary per town."""
    g = network_graph(graph, schema)
    town = towns_of(graph)

    def town_name(node_id: str) -> str:
        return graph.nodes[town[node_id]].name if node_id in town else ""

    rows = []
    for row in centrality_rows(g):
        node = graph.nodes[row["node"]]
        rows.append({"id": node.id, "name": node.name, "kind": node.kind,
                     "kind_zh": schema.node_kind(node.kind).zh, "town": town_name(node.id),
                     **{m: row[m] for m in MEASURES}})
    villages = list(graph.nodes_of("Village"))
    untied = [{"town": town_name(v.id), "id": v.id, "name": v.name} for v in villages if v.id not in g]
    untied.sort(key=lambda r: r["id"])  # NBS codes: by town, in roster order
    towns = []
    for t in graph.nodes_of("Town"):
        in_town = [v for v in villages if town.get(v.id) == t.id]
        tied = [v for v in in_town if v.id in g]
        towns.append({"id": t.id, "name": t.name, "villages": len(in_town), "tied_villages": len(tied),
                      "untied_villages": len(in_town) - len(tied)})
    components = sorted((len(c) for c in nx.connected_components(g)), reverse=True)
    summary = {
        "nodes": len(graph.nodes),
        "network_nodes": g.number_of_nodes(),
        "network_ties": g.number_of_edges(),
        "components": len(components),
        "largest_component": components[0] if components else 0,
        "density": nx.density(g) if g.number_of_nodes() > 1 else 0.0,
        "villages": len(villages),
        "untied_villages": len(untied),
    }
    reconciliations = [{"id": n.id, "kind": n.kind, "name": n.name, "note": n.props["reconciliation"]}
                       for n in graph.nodes.values() if n.props.get("reconciliation")]
    claims = [{"id": n.id, "kind": n.kind, "name": n.name, "claims": n.props["claims"]}
              for n in graph.nodes.values() if n.props.get("claims")]
    return CentralityReport(rows, untied, towns, summary, reconciliations, claims)
