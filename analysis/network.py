"""The collaboration network: the working ties between organizations, as the schema declares them.

Every tie kind has a ``category`` in ``graph_model/schema.yaml``. *Working*
ties (membership, guidance, service, assistance, co-building, supply,
production, operation) are ties between organizations that work together:
they make the network every measure is computed on. *Attribute* ties (an
organization's industry) and *administrative* ties (where a unit is, which
town a village belongs to, whose party organization a party organization is)
say what and where an organization is; they feed two-mode views
(:func:`two_mode_rows`) and the grouping by town (:class:`graph_model.places.Places`),
never the measures, or every town would look like a hub, every industry like
a partner and every town's party committee like the town's only partner.

Three views of the same ties, built once (:class:`CollaborationNetwork`):

- ``ties``: every working tie, parallel ties of different kinds between one
  pair kept apart (a village that supplies a company which produces for it
  has two ties), so they stay countable;
- ``undirected``: one edge per pair, with ``types`` (the tie kinds joining
  them), ``ties`` (how many) and ``weight`` (see below): the graph of
  betweenness, closeness, k-core, constraint, communities and fragility,
  where what matters is who is connected to whom;
- ``directed``: the direction of each tie as it flows (who guides, serves,
  assists, supplies, produces for, operates, leads as party organization),
  with the kinds in :data:`TWO_WAY_TIE_KINDS` in both directions: the graph of
  PageRank and of brokerage roles.

Aggregate nodes (``aggregate_count``: one node for the 38 brewing workshops of
a town) stand for many organizations. A tie's ``weight`` is the number of
organization-to-organization ties it stands for: the product of its two ends'
counts (1 for an ordinary node), so a tie to the 38 workshops weighs 38. Weights
enter the weighted tie count, eigenvector centrality and PageRank; measures of
shortest paths and of structure (betweenness, closeness, k-core, constraint,
fragility) count the aggregate as one node, because its members' ties to each
other are not recorded.

>>> from loaders import load_sources
>>> from graph_model.schema import default_schema
>>> jia = load_sources(["examples/jia_county/case.yaml"]).graph
>>> net = collaboration_network(jia, default_schema())
>>> len(net.ties), net.undirected.number_of_nodes(), net.undirected.number_of_edges()
(17, 16, 15)
>>> net.undirected.edges["jia:hezhai_liquor", "jia:village_collectives"]["types"]
['SUPPLIES', 'PRODUCES_FOR']
>>> net.undirected.edges["jia:shanggaozhai_joint_branch", "jia:brewing_cooperatives"]["weight"]
76
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping

import networkx as nx

from graph_model.places import Places, places_of
from graph_model.records import GraphData, Node, Tie, period_end
from graph_model.schema import Schema

TWO_WAY_TIE_KINDS = frozenset({"MEMBER_OF", "CO_BUILDS"})
"""Working tie kinds that flow both ways: a joint organization and its members relay to each other (the
joint committee connects its member villages), and co-building is between equals. Every other working tie
flows from its source to its target. (To be declared in the schema; asked of the maintainers.)"""


def aggregate_count(node: Node) -> int:
    """How many organizations a node stands for: its ``aggregate_count``, else 1."""
    return int(node.props.get("aggregate_count") or 1)


def tie_weight(nodes: Mapping[str, Node], tie: Tie) -> int:
    """The number of organization-to-organization ties ``tie`` stands for: the product of its ends'
    :func:`aggregate_count` (see the module)."""
    return aggregate_count(nodes[tie.source_id]) * aggregate_count(nodes[tie.target_id])


def period_start(value: str) -> dt.date:
    """The first day of a date given as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

    >>> period_start("2022"), period_start("2022-05")
    (datetime.date(2022, 1, 1), datetime.date(2022, 5, 1))
    """
    parts = [int(p) for p in str(value).split("-")]
    return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def as_of_day(value: Any) -> dt.date:
    """The day a network is taken on: the last day of the period given (``2022`` is 2022-12-31,
    ``2022-06`` is 2022-06-30); any form :func:`graph_model.records.parse_date` reads (``2022年6月``).
    The rule is :func:`graph_model.records.period_end`, which the saved queries' dates use too.

    >>> as_of_day("2022"), as_of_day("2022年2月"), as_of_day("2021-05-01")
    (datetime.date(2022, 12, 31), datetime.date(2022, 2, 28), datetime.date(2021, 5, 1))
    """
    return period_end(value)


def active_on(tie: Tie, day: dt.date | None) -> bool:
    """Whether a tie holds on ``day``: started on or before it and not ended by it.

    A start or end given as a year or month counts from the first day of that
    period (a tie that ended in 2023 has ended by 2023-12-31, one that started in
    2022 holds on 2022-06-30). A tie without a start date holds at every date up
    to its end: the source does not say when it began. ``day=None``: every tie.
    """
    if day is None:
        return True
    start, end = tie.props.get("start_date"), tie.props.get("end_date")
    return (start is None or period_start(start) <= day) and (end is None or period_start(end) > day)


@dataclass
class CollaborationNetwork:
    """The working ties of a graph (as of a day), in the three views the measures need; see the module.

    The directed view is built from the ties when first asked for and kept until :meth:`release_directed`
    (the report lets it go once PageRank and the brokerage roles are done: nationally it is some 0.5 GB
    that the report's rows can use instead)."""

    graph: GraphData
    ties: list[Tie]
    undirected: nx.Graph
    places: Places
    as_of: dt.date | None = None
    undated: int = 0
    _directed: nx.DiGraph | None = field(default=None, repr=False, compare=False)

    @property
    def directed(self) -> nx.DiGraph:
        """The direction of each tie as it flows, weighted (see the module); the same nodes in the same order
        as :attr:`undirected`."""
        if self._directed is None:
            self._directed = directed_view(self.graph.nodes, self.ties, self.undirected)
        return self._directed

    def release_directed(self) -> None:
        """Let the directed view go (it is built again if asked for)."""
        self._directed = None

    def node(self, node_id: str) -> Node:
        return self.graph.nodes[node_id]

    def name(self, node_id: str) -> str:
        return self.graph.nodes[node_id].name

    def town_name(self, node_id: str) -> str:
        town = self.places.town.get(node_id)
        return self.graph.nodes[town].name if town else ""


def working_kinds(schema: Schema) -> frozenset[str]:
    return schema.working_ties


def collaboration_network(graph: GraphData, schema: Schema, *, as_of: dt.date | None = None,
                          places: Places | None = None) -> CollaborationNetwork:
    """The working ties of ``graph`` that hold on ``as_of`` (every one if None), in three views."""
    working = working_kinds(schema)
    ties = [t for t in graph.ties.values() if t.type in working and (as_of is None or active_on(t, as_of))]
    nodes = graph.nodes
    counts = _aggregate_counts(nodes, ties)
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    for tie in ties:
        s, t = tie.source_id, tie.target_id
        weight = counts.get(s, 1) * counts.get(t, 1)  # tie_weight, without a lookup per end
        pair = pairs.get((s, t)) or pairs.get((t, s))
        if pair is None:
            pairs[s, t] = {"types": [tie.type], "ties": 1, "weight": weight}
        else:
            pair["types"].append(tie.type)
            pair["ties"] += 1
            pair["weight"] += weight
    order = dict.fromkeys(n for tie in ties for n in (tie.source_id, tie.target_id))
    undirected = nx.Graph()
    undirected.add_nodes_from((n, {"kind": nodes[n].kind, "name": nodes[n].name}) for n in order)
    undirected.add_edges_from((s, t, data) for (s, t), data in pairs.items())
    undated = sum(1 for t in ties if t.props.get("start_date") is None)
    return CollaborationNetwork(graph, ties, undirected, places or places_of(graph, schema), as_of, undated)


def _aggregate_counts(nodes: Mapping[str, Node], ties: list[Tie]) -> dict[str, int]:
    """The :func:`aggregate_count` of the ties' ends that stand for more than one organization."""
    return {n: aggregate_count(nodes[n]) for t in ties for n in (t.source_id, t.target_id)
            if "aggregate_count" in nodes[n].props}


def directed_view(nodes: Mapping[str, Node], ties: list[Tie], undirected: nx.Graph) -> nx.DiGraph:
    """The ties as they flow (:attr:`CollaborationNetwork.directed`): one arc per direction a tie flows, its
    weight summed over the ties that flow that way; the nodes of ``undirected``, in its order."""
    counts = _aggregate_counts(nodes, ties)
    arcs: dict[tuple[str, str], int] = {}
    for tie in ties:
        s, t = tie.source_id, tie.target_id
        weight = counts.get(s, 1) * counts.get(t, 1)  # tie_weight, without a lookup per end
        arcs[s, t] = arcs.get((s, t), 0) + weight
        if tie.type in TWO_WAY_TIE_KINDS:
            arcs[t, s] = arcs.get((t, s), 0) + weight
    directed = nx.DiGraph()
    directed.add_nodes_from(undirected)
    directed.add_weighted_edges_from((s, t, w) for (s, t), w in arcs.items())
    return directed


def two_mode_rows(graph: GraphData, schema: Schema, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """The attribute ties as a two-mode view: each attribute (an industry) with the units tied to it.

    One row per attribute node, most units first: ``id``, ``name``, ``kind``, ``tie_kind`` and
    ``units`` (the names, in the order the ties were recorded).
    """
    attribute = schema.attribute_ties
    held: dict[tuple[str, str], list[str]] = {}
    for tie in graph.ties.values():
        if tie.type in attribute and active_on(tie, as_of):
            held.setdefault((tie.target_id, tie.type), []).append(graph.nodes[tie.source_id].name)
    rows = [{"id": target, "name": graph.nodes[target].name, "kind": graph.nodes[target].kind, "tie_kind": type_,
             "units": names} for (target, type_), names in held.items()]
    return sorted(rows, key=lambda r: (-len(r["units"]), r["id"]))
