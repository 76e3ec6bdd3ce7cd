"""One answer to "what lies in 佳县, 乌镇, 刘国具镇?" everywhere (issue 18): the stores' ``ids_within`` (both
stores), :func:`graph_model.places.nodes_within` over the exported graph, the named queries' ``within``,
coverage and the findings, the map's place filter and ``serve``'s part of a store.

The joint committee of 乌镇's villages, its cooperative and their cattle farm are placed by no source; they lie
in 乌镇 (and so in 佳县) through their working ties, everywhere alike.
"""

import pytest

from analysis.network import collaboration_network
from analysis.report import analyse
from graph_model.places import nodes_within, places_of
from linkgraph.pipeline import Scope
from visualizations.map import map_data

UNITS = {"佳县": "610828", "乌镇": "610828103", "刘国具镇": "610828111"}
UNPLACED = {"jia:hetaoshuyan_joint_committee", "jia:joint_village_cooperative", "jia:cattle_farm"}


@pytest.fixture
def jia_store(jia_read_store):
    """The example on each backend, written once for the module: its tests only read it."""
    return jia_read_store


def tied_nodes(graph, schema) -> set[str]:
    """Nodes with a working or attribute tie."""
    counted = schema.working_ties | schema.attribute_ties
    return {n for t in graph.ties.values() if t.type in counted for n in (t.source_id, t.target_id)}


@pytest.mark.parametrize("name", list(UNITS))
def test_the_stores_and_the_graph_find_the_same_nodes(jia_store, jia, schema, name):
    code = jia_store.place_code(name)
    assert code == UNITS[name]
    within = jia_store.ids_within(code)
    assert within == nodes_within(jia.graph, schema, code)
    assert UNPLACED <= within if name != "刘国具镇" else not UNPLACED & within
    # the named query's within: the ends of the ties that hold (none of the example's has ended) are the
    # unit's nodes that have working or attribute ties
    rows = jia_store.run_named("network_as_of", {"date": "2099", "within": name})
    ends = {r[k] for r in rows for k in ("from_id", "to_id")}
    assert ends == within & tied_nodes(jia.graph, schema)
    single = {r["org_id"] for r in jia_store.run_named("single_partner_organizations", {"within": name})}
    everywhere = {r["org_id"] for r in jia_store.run_named("single_partner_organizations", {})}
    assert single == everywhere & within
    assert ("jia:cattle_farm" in single) == (name != "刘国具镇")


def test_coverage_findings_and_the_map_count_the_same_nodes(jia, schema):
    graph = jia.graph
    places = places_of(graph, schema)
    network = collaboration_network(graph, schema)
    full = analyse(graph, schema)
    coverage = {row["id"]: row for row in full.coverage}
    data = map_data(graph, schema)
    place_of = {node_id: data["places"]["id"][p] for node_id, p in zip(data["nodes"]["id"], data["nodes"]["place"])
                if p >= 0}
    for name, code in UNITS.items():
        inside = {n for n in nodes_within(graph, schema, code, places) if places.lies_in(n, code)}
        in_network = inside & set(network.undirected)
        assert coverage[code]["network_nodes"] == len(in_network), name
        # the map files a node under the unit when the unit is (or holds) its place
        on_map = {n for n, p in place_of.items() if places.lies_in(p, code)}
        assert on_map == inside & set(place_of), name
        assert in_network <= on_map, name
    assert coverage[UNITS["佳县"]]["network_nodes"] == full.summary["network_nodes"] == 16


def test_the_report_of_a_part_counts_in_findings_what_coverage_counts(jia_store, schema):
    """``report --within 佳县``: the findings count the county's network nodes as coverage does (16; issue 18
    found 15 beside 17 when the cooperative and the farm lay nowhere)."""
    county = analyse(Scope(within="佳县").read(jia_store), schema)
    assert county.summary["network_nodes"] == county.coverage[0]["network_nodes"] == 16
    assert UNPLACED <= set(county.network.undirected)


def test_serve_shows_the_part_the_store_gives(jia_store, jia, schema, tmp_path):
    """``serve`` reads its part through :class:`linkgraph.pipeline.Scope`, as ``report`` and ``map`` do."""
    for name, code in UNITS.items():
        part = Scope(within=name).read(jia_store)
        assert set(part.nodes) == jia_store.ids_within(code) == nodes_within(jia.graph, schema, code)
        assert UNPLACED <= set(part.nodes) if name != "刘国具镇" else not UNPLACED & set(part.nodes)
