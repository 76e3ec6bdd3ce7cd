"""The same data and the same named queries give the same rows on LadybugDB and Neo4j."""

import pytest

from queries.catalog import default_catalog

pytestmark = pytest.mark.neo4j

QUERIES = [(q.name, {p.name: p.example for p in q.params}) for q in default_catalog().values()] + [
    ("villages_without_assistance", {}),
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


def test_counts_and_exports_agree(both):
    embedded, neo4j = both
    assert embedded.counts() == neo4j.counts()
    a, b = embedded.export(), neo4j.export()
    assert {k: n.props for k, n in a.nodes.items()} == {k: n.props for k, n in b.nodes.items()}
    assert {k: t.props for k, t in a.ties.items()} == {k: t.props for k, t in b.ties.items()}
