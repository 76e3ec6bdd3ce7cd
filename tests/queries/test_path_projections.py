"""The LadybugDB paths of ego_network and shortest_paths carry only the properties the query reads
(``(r, n | {…}, {…})``, queries/catalog.yaml): every column they return is the one the full path gives, for
every node of the example with a synthetic county (nodes of every kind, ties of every type), and Neo4j agrees."""

import dataclasses
import itertools
import re
from pathlib import Path

import pytest

from linkgraph.pipeline import load
from queries import catalog
from stores import open_store
from tests.benchmarks.test_scale import CASE, synthetic

PROJECTION = re.compile(r" \(r, n \| \{[^}]*\}, \{[^}]*\}\)")


def full_path(name: str) -> catalog.NamedQuery:
    """The query as it was before its path named the properties it reads."""
    query = catalog.get_query(name)
    assert PROJECTION.search(query.texts["ladybug"]), name  # the catalog's query projects
    return dataclasses.replace(query, texts={**query.texts, "ladybug": PROJECTION.sub("", query.texts["ladybug"])})


def answers(store, name: str, params: list[dict], monkeypatch, *, projected: bool) -> list:
    import stores.naming

    with monkeypatch.context() as patch:
        if not projected:
            patch.setattr(stores.naming, "get_query", full_path)
        return [store.run_named(name, p) for p in params]


@pytest.fixture(scope="module")
def county_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("projections")
    spec = str(folder / "county.lbug")
    load([CASE, *synthetic(folder / "synth", "--county", "610828")], spec)
    return spec


@pytest.fixture(scope="module")
def projected(county_store) -> tuple[list, list, list, list]:
    """The embedded store's answers, checked once for the module (both tests read them: asking them all twice,
    projected and full, was most of the Neo4j test's time)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        return projected_answers(county_store, monkeypatch)


def projected_answers(county_store, monkeypatch) -> tuple[list, list, list, list]:
    """ego_network (3 steps) from every organization and a fifth of the units, shortest_paths between
    ties' ends, as the catalog asks them, each checked against the full path's answer; (questions, answers) of
    each."""
    with open_store(county_store, read_only=True) as store:
        graph = store.export()
        kinds = {node.kind for node in graph.nodes.values()}
        organizations = sorted(i for i, n in graph.nodes.items() if n.kind not in store.schema.administrative_kinds)
        units = sorted(i for i, n in graph.nodes.items() if n.kind in store.schema.administrative_kinds)
        ego = [{"org": i, "hops": 3} for i in organizations] + [{"org": i, "hops": 3} for i in units[::5]]
        projected = answers(store, "ego_network", ego, monkeypatch, projected=True)
        assert projected == answers(store, "ego_network", ego, monkeypatch, projected=False)
        tied = {t[1] for t in graph.ties if t[0] in store.schema.ties_of("working")}
        pairs = [{"from": a, "to": b} for a, b in itertools.combinations(sorted(tied)[::7], 2)]
        paths = answers(store, "shortest_paths", pairs, monkeypatch, projected=True)
        assert paths == answers(store, "shortest_paths", pairs, monkeypatch, projected=False)
    seen_ties = {row["tie"] for rows in projected for row in rows}
    seen_kinds = {row[end] for rows in projected for row in rows for end in ("from_kind", "to_kind")}
    assert seen_ties == {t[0] for t in graph.ties} and seen_kinds == kinds  # every type and kind answered
    assert sum(map(len, paths)) > 100 and all(r["evidence"] and r["from"] and r["to"] for rs in paths for r in rs)
    assert any(row["start"] is not None for rows in projected for row in rows)
    walks = [[(tuple(r["path"]), tuple(r["via"]), r["step"]) for r in rows] for rows in paths]
    for walk in walks:  # each path's steps together and in order
        for (path, _), steps in itertools.groupby(walk, key=lambda w: w[:2]):
            assert [step for _, _, step in steps] == list(range(1, len(path)))
    assert any(len({w[:2] for w in walk}) > len({w[0] for w in walk}) for walk in walks)  # parallel ties met
    return ego, projected, pairs, paths


def test_projected_paths_give_what_full_paths_give_for_every_node(projected):
    ego, answered, pairs, paths = projected  # (projected_answers checks them against the full paths' answers)
    assert len(answered) == len(ego) > 100 and len(paths) == len(pairs) > 100


@pytest.mark.neo4j
def test_neo4j_answers_as_the_projected_paths_do(county_store, projected, neo4j_store, neo4j_uri):
    ego, projected, pairs, paths = projected
    tables = [Path(county_store).parent / "synth" / name for name in ("organizations.csv", "ties.csv")]
    load([CASE, *tables], neo4j_uri)
    assert [neo4j_store.run_named("ego_network", p) for p in ego] == projected
    # (in the same order: two paths through the same nodes by parallel ties differ in `via`, a key of the sort)
    assert [neo4j_store.run_named("shortest_paths", p) for p in pairs] == paths
