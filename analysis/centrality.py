"""Who holds the network together: ties by kind and direction, and the centralities of each organization.

Measures (all on the working ties, see :mod:`analysis.network`):

- ``partners``: how many different organizations a node has working ties with;
  ``ties``, ``ties_out``, ``ties_in``: its ties as recorded, parallel ties of
  different kinds counted apart, by direction (out: it guides, serves, assists,
  supplies, joins …); ``weighted_ties``: the organization-to-organization ties
  they stand for, aggregates counted by their members;
- ``betweenness``: the share of shortest paths between other pairs that pass
  through it (NetworkX's normalization);
- ``harmonic``: harmonic closeness, the sum of 1/distance to every other node,
  meaningful when the network is in separate pieces;
- ``eigenvector``: how well tied its partners are, 1 for the best-connected node
  of its piece (weighted);
- ``pagerank``: the weight of the directed ties pointing to it, from nodes that are
  themselves pointed to (weighted, damping 0.85);
- ``core``: the k-core it belongs to.

>>> import networkx as nx
>>> rows = {r["node"]: r for r in centrality_rows(nx.krackhardt_kite_graph())}
>>> round(rows[7]["betweenness"], 3), rows[3]["partners"], rows[3]["core"]
(0.389, 6, 3)
"""

from __future__ import annotations

from typing import Any, Hashable, Iterator

import networkx as nx

from analysis.engine import Engine, EngineName
from analysis.network import CollaborationNetwork, tie_weight

MEASURES = ("betweenness", "harmonic", "eigenvector", "pagerank", "core")


def centrality_rows(g: nx.Graph, dg: nx.DiGraph | None = None, *, engine: Engine | None = None,
                    use: EngineName | None = None) -> list[dict[str, Any]]:
    """``node``, ``partners`` and the :data:`MEASURES` of every node of the undirected ``g``.

    PageRank runs on ``dg`` (default: ``g`` with each tie both ways). Sorted by
    betweenness, then partners, then node. ``engine`` reuses an :class:`Engine`
    (and its igraph form of the graphs); ``use`` forces a library.
    """
    if g.number_of_nodes() == 0:
        return []
    engine = engine or Engine(g, dg if dg is not None else g.to_directed(), use=use)
    values = {"betweenness": engine.betweenness(), "harmonic": engine.harmonic(),
              "eigenvector": engine.eigenvector(), "pagerank": engine.pagerank(), "core": engine.core_number()}
    degree = dict(g.degree())
    betweenness, harmonic, eigenvector, pagerank, core = (values[m] for m in MEASURES)
    rows = [{"node": n, "partners": degree[n], "betweenness": betweenness[n], "harmonic": harmonic[n],
             "eigenvector": eigenvector[n], "pagerank": pagerank[n], "core": core[n]} for n in g.nodes]
    return sorted(rows, key=lambda r: (-r["betweenness"], -r["partners"], str(r["node"])))


def tie_counts(network: CollaborationNetwork) -> dict[Hashable, dict[str, int]]:
    """``ties``, ``ties_out``, ``ties_in`` and ``weighted_ties`` of every node of the network."""
    counts = {n: {"ties": 0, "ties_out": 0, "ties_in": 0, "weighted_ties": 0} for n in network.undirected}
    nodes = network.graph.nodes
    for tie in network.ties:
        weight = tie_weight(nodes, tie)
        source, target = counts[tie.source_id], counts[tie.target_id]
        source["ties"] += 1
        source["ties_out"] += 1
        source["weighted_ties"] += weight
        target["ties"] += 1
        target["ties_in"] += 1
        target["weighted_ties"] += weight
    return counts


def ties_by_kind(network: CollaborationNetwork) -> Iterator[dict[str, Any]]:
    """One row per node and tie kind: ``node``, ``tie_kind``, ``out``, ``in`` (ties as recorded); nodes in
    the network's order, kinds in the order their ties were recorded. One row at a time: nationally 1.5
    million rows, which the report turns into its own rows."""
    found: dict[Hashable, dict[str, list[int]]] = {n: {} for n in network.undirected}
    for tie in network.ties:
        found[tie.source_id].setdefault(tie.type, [0, 0])[0] += 1
        found[tie.target_id].setdefault(tie.type, [0, 0])[1] += 1
    return ({"node": n, "tie_kind": t, "out": out, "in": in_} for n, kinds in found.items()
            for t, (out, in_) in kinds.items())
