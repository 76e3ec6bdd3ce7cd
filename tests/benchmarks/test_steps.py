"""benchmarks/steps.py: the anchors built from the roster and the sources hold the rows a load writes."""

import pytest

from benchmarks import steps
from benchmarks.synth import counties_in, generate_county, write_tables
from linkgraph.pipeline import load, load_roster
from loaders.nbs import national_roster, parse_scope
from stores import open_store
from tests.conftest import EXAMPLE


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    roster = national_roster()
    [county] = counties_in(roster, parse_scope(roster, "county", "610828"))
    out = tmp_path_factory.mktemp("synth")
    write_tables([(county, generate_county(county, 1))], out)
    return [str(EXAMPLE / "case.yaml"), str(out / "organizations.csv"), str(out / "ties.csv")]


def test_anchors_whole_copies_the_rows_of_a_first_load(tmp_path, sources):
    store = str(tmp_path / "loaded.lbug")
    load_roster("county", "610828", store)
    load(sources, store)
    with open_store(store, read_only=True) as loaded:
        written = sum(loaded.counts().values())

    anchors = steps.anchors_whole("county", "610828", sources, str(tmp_path), None)

    assert anchors["rows"] == written == 1304  # the case file's 3 new ties (the town's GUIDES, two places in 乌镇)
    assert anchors["copy"]["cpu_seconds"] > 0 and anchors["networkx"]["seconds"] > 0
    assert "unwind" not in anchors


@pytest.mark.neo4j
def test_anchor_unwind_writes_the_loaded_rows_and_says_its_cpu_time(tmp_path, sources, neo4j_store):
    """The plain UNWIND anchors (MERGE, then CREATE) write every row of the store they export, with the CPU time
    of their timed parts."""
    store = str(tmp_path / "loaded.lbug")
    load_roster("county", "610828", store)
    load(sources, store)
    with open_store(store, read_only=True) as loaded:
        written = sum(loaded.counts().values())

    anchor = steps.anchor_unwind(store, neo4j_store.uri)

    assert anchor["rows"] == written == 1304
    assert anchor["cpu_seconds"] > 0 and anchor["seconds"] > 0
    assert anchor["create"]["cpu_seconds"] > 0 and anchor["create"]["seconds"] > 0
    assert sum(neo4j_store.counts().values()) == written


@pytest.mark.neo4j
def test_merge_anchor_stores_what_the_load_stores(tmp_path, sources, neo4j_store):
    """The UNWIND … MERGE anchor (issue 22's) writes the same nodes and ties, kind by kind, as the embedded load."""
    from benchmarks.anchors import neo4j_unwind

    store = str(tmp_path / "loaded.lbug")
    load_roster("county", "610828", store)
    load(sources, store)
    with open_store(store, read_only=True) as loaded:
        expected, graph = loaded.counts(), loaded.export()

    spent = neo4j_unwind(neo4j_store, graph, verb="merge")

    assert neo4j_store.counts() == expected and spent["cpu_seconds"] > 0
