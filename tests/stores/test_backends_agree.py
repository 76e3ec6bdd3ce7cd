"""The same data and the same named queries give the same rows on LadybugDB and Neo4j."""

import pytest

from queries.catalog import default_catalog

pytestmark = pytest.mark.neo4j

QUERIES = [(q.name, {p.name: p.example for p in q.params}) for q in default_catalog().values()] + [
    ("villages_without_recorded_assistance", {}),
    ("assistance_coverage", {}),
    ("ego_network", {"org": "核桃树墕村", "hops": 3}),
    ("network_as_of", {"date": "2022"}),
    ("villages_sharing_partner", {}),
    ("ties_started_in", {"year": 2021}),
    ("ego_network", {"org": "核桃树墕联村党委"}),
]


@pytest.fixture
def both(embedded_store, neo4j_store, jia):
    embedded_store.write(jia.graph)
    neo4j_store.write(jia.graph)
    return embedded_store, neo4j_store


def test_named_queries_agree(both):
    embedded, neo4j = both
    for name, params in QUERIES:
        assert embedded.run_named(name, params) == neo4j.run_named(name, params), name


def unstamped(records):
    """Every record's properties with the load times left out: two loads are not in the same minute on a busy
    machine, and what is compared is what the stores hold, not when."""
    return {k: {**r.props, "provenance": [{**s, "loaded": None} for s in r.props["provenance"]]}
            for k, r in records.items()}


def test_counts_and_exports_agree(both):
    embedded, neo4j = both
    assert embedded.counts() == neo4j.counts()
    a, b = embedded.export(), neo4j.export()
    assert unstamped(a.nodes) == unstamped(b.nodes)
    assert unstamped(a.ties) == unstamped(b.ties)
    stamps = {s["loaded"] for graph in (a, b) for records in (graph.nodes, graph.ties)
              for r in records.values() for s in r.props["provenance"]}
    assert None not in stamps  # every statement says when it was loaded


def test_planners_tables_load_alike_into_both_stores(embedded_store, neo4j_store):
    """The GBK pairing table (with the planner's decision) and the template workbook, after the case file."""
    from linkgraph.pipeline import read_decisions_file
    from loaders import load_sources
    from tests.conftest import EXAMPLE

    planner = EXAMPLE / "planner"
    exports = []
    for store in (embedded_store, neo4j_store):
        decided, _ = read_decisions_file(planner / "decisions.csv", store.schema)
        for paths in ([EXAMPLE / "case.yaml"], [planner / "刘国具镇填报.xlsx", planner / "结对帮扶.csv"]):
            result = load_sources(paths, known=store.known(), decisions=decided)
            store.write(result.graph, sources=result.sources)
        exports.append(store.export())
    a, b = exports
    assert unstamped(a.nodes) == unstamped(b.nodes)
    assert unstamped(a.ties) == unstamped(b.ties)
    assert embedded_store.counts() == neo4j_store.counts()
    pairing = a.ties[("PAIRED_ASSISTANCE", "jia:county_committee_office", "610828105236")].props
    assert [s["key"] for s in pairing["provenance"]] == ["case.yaml", "结对帮扶.csv"]
    assert "Enterprise" in a.nodes["jia:hezhai_liquor"].kind and len(a.nodes["jia:hezhai_liquor"].provenance) == 2
