"""Everything a report shows about one network, computed once: :func:`analyse`.

Each family has its module (centrality, brokerage, fragility, communities,
coverage, timeline); this one runs them on the collaboration network as of a
day, names every node, and puts the results into plain rows (dicts) that the
HTML page, the workbook, the CSVs and Gephi files all take from
(:mod:`visualizations.report`, :mod:`visualizations.exports`). The findings in
words are :mod:`analysis.findings`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from analysis import brokerage, centrality, communities, coverage, fragility, timeline
from analysis.engine import Engine, EngineName, Sampling
from analysis.network import CollaborationNetwork, aggregate_count, collaboration_network, two_mode_rows
from analysis.collector import collector_paused
from graph_model.records import GraphData
from graph_model.schema import Schema
from graph_model.tie_rows import tie_row

CUT_OFF_NAMES = 50
"""How many cut-off nodes a fragility row names (all are counted)."""
NODE_READS = ("name", "place", "aggregate_count", "claims", "reconciliation")
"""The node properties :func:`analyse` and the report read (besides id and kind); not the provenance, aliases
or match keys, which are most of a stored record (nationally 5.5 GB read, 1.5 GB without them)."""
TIE_READS = ("start_date", "end_date")
"""The tie properties :func:`analyse` reads; with ``compare`` also :data:`CHANGED_TIE_READS`."""
CHANGED_TIE_READS = ("evidence", "basis", "inference")
"""What the lists of new and ended ties show of each (:func:`graph_model.tie_rows.tie_row`)."""


def report_reads(*, compare: bool = False) -> dict[str, tuple[str, ...]]:
    """The properties a report needs from the store, as :meth:`stores.base.Store.export` takes them."""
    return {"node_properties": NODE_READS, "tie_properties": TIE_READS + (CHANGED_TIE_READS if compare else ())}


@dataclass
class Changes:
    """What changed between two days: ties that started and ended, and rank changes."""

    before: dt.date
    after: dt.date
    new_ties: list[dict[str, Any]]
    ended_ties: list[dict[str, Any]]
    rank_changes: list[dict[str, Any]]


@dataclass
class Analysis:
    """The results of :func:`analyse`, as rows; see each family's module for what the values mean."""

    network: CollaborationNetwork
    engine: EngineName
    summary: dict[str, Any]
    nodes: list[dict[str, Any]]
    ties_by_kind: list[dict[str, Any]]
    coverage: list[dict[str, Any]]
    claims: list[dict[str, Any]]
    cuts: list[dict[str, Any]]
    communities: list[dict[str, Any]]
    split_towns: list[dict[str, Any]]
    community_agreement: float | None
    untied_villages: list[dict[str, Any]]
    reconciliations: list[dict[str, Any]]
    industries: list[dict[str, Any]]
    samplings: list[Sampling] = field(default_factory=list)
    changes: Changes | None = None
    communities_weighted: bool = False
    """Whether communities were computed with ties weighted by the organizations they stand for."""
    community_placed: int = 0
    """The nodes with a town, over which ``community_agreement`` is computed."""
    texts: list | None = field(default=None, init=False, repr=False, compare=False)
    """The findings in words, once :func:`analysis.findings.findings` has worked them out: the page, the
    workbook and the command's summary all show them (nationally some 2 s of CPU each time)."""

    @property
    def as_of(self) -> dt.date | None:
        return self.network.as_of

    @property
    def synthetic(self) -> bool:
        """Whether the graph holds synthetic organizations (``benchmarks/synth.py``: ids ``syn:``)."""
        return any(node_id.startswith("syn:") for node_id in self.network.graph.nodes)


@collector_paused()
def analyse(graph: GraphData, schema: Schema, *, as_of: dt.date | None = None,
            compare: tuple[dt.date, dt.date] | None = None, use: EngineName | None = None,
            weighted_communities: bool = False) -> Analysis:
    """Every measure of the collaboration network of ``graph`` as of ``as_of`` (every tie if None).

    ``compare=(before, after)`` also works out what changed between the two
    days, and the measures are those of ``after``. ``use`` forces NetworkX or
    igraph (default: chosen by size, :func:`analysis.engine.choose_engine`). Communities are unweighted
    unless ``weighted_communities`` (:meth:`analysis.engine.Engine.communities`). The cycle collector is
    paused meanwhile (:mod:`analysis.collector`).
    """
    if compare is not None:
        as_of = compare[1]
    network = collaboration_network(graph, schema, as_of=as_of)
    engine = Engine(network.undirected, network.directed, use=use)
    nodes, compared = node_measures(network, schema, engine, weighted_communities=weighted_communities)
    engine.release_directed()  # PageRank and the brokerage roles are done: the rows made next reuse its memory
    network.release_directed()
    named = _Namer(network, schema)
    cover = coverage.assistance_coverage(graph, as_of=as_of, places=network.places)
    _add_network_counts(cover, network)
    found = fragility.fragility(network.undirected)
    changes = _changes(graph, schema, compare, nodes, use) if compare else None
    villages = list(graph.nodes_of(schema.level_kind("village")))
    untied = sorted(({"town": named.town(v.id), "id": v.id, "name": v.name} for v in villages
                     if v.id not in network.undirected), key=lambda r: r["id"])
    pieces = engine.pieces
    summary = {
        "nodes": len(graph.nodes),
        "network_nodes": network.undirected.number_of_nodes(),
        "network_ties": len(network.ties),
        "network_pairs": network.undirected.number_of_edges(),
        "parallel_pairs": sum(1 for _, _, n in network.undirected.edges(data="ties") if n > 1),
        "components": len(pieces),
        "largest_component": len(pieces[0]) if pieces else 0,
        "villages": len(villages),
        "untied_villages": len(untied),
        "undated_ties": network.undated,
        "aggregates": [{"id": n, "name": named.name(n), "count": aggregate_count(network.node(n))}
                       for n in network.undirected if aggregate_count(network.node(n)) > 1],
    }
    return Analysis(
        network=network,
        engine=engine.name,
        summary=summary,
        nodes=nodes,
        ties_by_kind=_kind_rows(network, schema, named),
        coverage=cover,
        claims=[{**r, "kind_zh": schema.node_kind(r["kind"]).zh} for r in coverage.claim_rows(graph, cover, as_of=as_of)],
        cuts=_cut_rows(found, network, schema, named),
        communities=[_community_row(c, named, network) for c in compared.communities],
        split_towns=[{"town": named.name(t), "id": t, "communities": k} for t, k in compared.split_towns.items()],
        community_agreement=compared.agreement,
        communities_weighted=weighted_communities,
        community_placed=compared.placed,
        untied_villages=untied,
        reconciliations=[{"id": n.id, "kind": n.kind, "name": n.name, "note": n.props["reconciliation"]}
                         for n in graph.nodes.values() if n.props.get("reconciliation")],
        industries=[{**r, "kind_zh": schema.node_kind(r["kind"]).zh, "count": len(r["units"]),
                     "units": "、".join(r["units"])} for r in two_mode_rows(graph, schema, as_of)],
        samplings=engine.samplings,
        changes=changes,
    )


class _Namer:
    """Names, kinds and towns of nodes, as the rows show them (looked up once per node)."""

    def __init__(self, network: CollaborationNetwork, schema: Schema):
        self.network, self.schema = network, schema
        self._names: dict[str, str] = {}

    def name(self, node_id: str) -> str:
        found = self._names.get(node_id)
        if found is None:
            found = self._names[node_id] = self.network.name(node_id)
        return found

    def town(self, node_id: str) -> str:
        town = self.network.places.town.get(node_id)
        return self.name(town) if town else ""

    def node(self, node_id: str) -> dict[str, Any]:
        node = self.network.node(node_id)
        kind = self.schema.node_kind(node.kind)
        return {"id": node_id, "name": self.name(node_id), "kind": node.kind, "kind_zh": kind.zh, "kind_en": kind.en,
                "town": self.town(node_id)}


def node_measures(network: CollaborationNetwork, schema: Schema, engine: Engine | None = None, *,
                  weighted_communities: bool = False) -> tuple[list[dict[str, Any]], communities.TownComparison]:
    """One row per node of the network (who it is, its ties, centralities, structural holes, brokerage roles,
    community), highest betweenness first, and the communities set beside the towns."""
    engine = engine or Engine(network.undirected, network.directed)
    rows = _node_rows(network, schema, engine)
    compared = communities.compare_with_towns(engine.communities(weighted=weighted_communities),
                                              network.places.town.get)
    for row in rows:
        row["community"] = compared.community_of[row["id"]]
    return rows, compared


def _node_rows(network: CollaborationNetwork, schema: Schema, engine: Engine) -> list[dict[str, Any]]:
    named = _Namer(network, schema)
    g = network.undirected
    if g.number_of_nodes() == 0:
        return []
    counts = centrality.tie_counts(network)
    constraint, effective = engine.constraint(), engine.effective_size()
    roles = brokerage.brokerage_roles(network.directed, network.places.group)
    measured = centrality.centrality_rows(g, network.directed, engine=engine)
    measured.reverse()  # taken from the end, so that each row and part is freed as soon as it is merged
    rows = []
    while measured:
        row = measured.pop()
        node_id = row.pop("node")
        node_roles = roles.pop(node_id)
        rows.append({**named.node(node_id), **row, **counts.pop(node_id),
                     "aggregate": aggregate_count(network.node(node_id)),
                     "constraint": constraint[node_id], "effective_size": effective[node_id],
                     **node_roles, "brokerage": sum(node_roles.values())})
    return rows


def _kind_rows(network: CollaborationNetwork, schema: Schema, named: _Namer) -> list[dict[str, Any]]:
    """The ties of each node by kind and direction, named."""
    kinds = {k.type: k.zh for k in schema.tie_kinds}
    return [{"id": r["node"], "name": named.name(r["node"]), "tie_kind": r["tie_kind"], "tie_kind_zh": kinds[r["tie_kind"]],
             "out": r["out"], "in": r["in"]} for r in centrality.ties_by_kind(network)]


def _add_network_counts(rows: list[dict[str, Any]], network: CollaborationNetwork) -> None:
    """Add to each coverage row its villages with any working tie and its nodes in the network."""
    places = network.places
    village = places.schema.level_kind("village")
    villages: dict[str, int] = {}
    members: dict[str, int] = {}
    for node_id in network.undirected:
        for unit in {places.town.get(node_id), places.county.get(node_id)} - {None}:
            members[unit] = members.get(unit, 0) + 1
            if network.node(node_id).kind == village:
                villages[unit] = villages.get(unit, 0) + 1
    for row in rows:
        row["villages_with_ties"] = villages.get(row["id"], 0)
        row["network_nodes"] = members.get(row["id"], 0)


def _cut_rows(found: fragility.Fragility, network: CollaborationNetwork, schema: Schema,
              named: _Namer) -> list[dict[str, Any]]:
    """One row per articulation point or bridge: where, and what it cuts off (counted in full, named up to
    :data:`CUT_OFF_NAMES`): nodes, villages, organizations and the organizations they stand for."""
    administrative = {k.label for k in schema.node_kinds if k.administrative}
    kinds = {n: network.node(n).kind for n in found.order}
    village = schema.level_kind("village")
    villages = found.total(lambda n: kinds[n] == village)
    organizations = found.total(lambda n: kinds[n] not in administrative)
    represented = found.total(lambda n: 0 if kinds[n] in administrative else aggregate_count(network.node(n)))
    rows = []
    for cut in found.cuts:
        members = found.members(cut, CUT_OFF_NAMES)
        rows.append({
            "kind": cut.kind,
            "kind_zh": "组织 organization" if cut.kind == "node" else "联结 tie",
            "ids": " — ".join(cut.at),
            "name": " — ".join(named.name(n) for n in cut.at),
            "town": " — ".join(dict.fromkeys(t for t in map(named.town, cut.at) if t)),
            "piece": cut.piece,
            "cut_off": cut.size,
            "villages_cut_off": villages(cut),
            "organizations_cut_off": organizations(cut),
            "represented_cut_off": represented(cut),
            "cut_off_names": "、".join(map(named.name, members)) + ("…" if cut.size > len(members) else ""),
        })
    return rows


def _community_row(community: dict[str, Any], named: _Namer, network: CollaborationNetwork) -> dict[str, Any]:
    members = community["members"]
    kinds = [network.node(m).kind for m in members]
    return {
        "number": community["number"],
        "size": len(members),
        "villages": kinds.count(network.places.schema.level_kind("village")),
        "towns": "、".join([f"{named.name(t)} {k}" for t, k in community["towns"].items()]
                          + ([f"无乡镇 no town {community['unplaced']}"] if community["unplaced"] else [])),
        "town_count": len(community["towns"]),
        "unplaced": community["unplaced"],
        "within_town": len(community["towns"]) == 1 and not community["unplaced"],
        "member_ids": members,
        "members": "、".join(named.name(m) for m in members[:CUT_OFF_NAMES]) + ("…" if len(members) > CUT_OFF_NAMES else ""),
    }


def _changes(graph: GraphData, schema: Schema, compare: tuple[dt.date, dt.date], nodes: list[dict[str, Any]],
             use: EngineName | None) -> Changes:
    before, after = compare
    earlier = collaboration_network(graph, schema, as_of=before)
    earlier_rows = [{"id": r.pop("node"), **r} for r in centrality.centrality_rows(
        earlier.undirected, earlier.directed, use=use)]
    new, ended = timeline.tie_changes(graph, schema, before, after)

    def name(node_id: str) -> str:
        return graph.nodes[node_id].name

    changes = [{"name": name(r["id"]), **r} for r in timeline.rank_changes(earlier_rows, nodes)]
    return Changes(before, after, [tie_row(t, graph, schema) for t in new], [tie_row(t, graph, schema) for t in ended],
                   changes)
