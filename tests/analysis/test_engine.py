"""The NetworkX/igraph choice: both libraries give the same answers, and sampling keeps its stated bound."""

import random

import networkx as nx
import pytest

from analysis import engine as engine_module
from analysis.engine import Engine, choose_engine, sample_size

EXACT = ("betweenness", "harmonic", "eigenvector", "core_number", "constraint", "effective_size")


def random_network(seed: int, nodes: int = 200, ties: int = 190):
    """A random network in several pieces (isolates dropped, as the network has none), weighted like
    aggregates (1, 5 or 38), with a directed version where some ties flow both ways."""
    rng = random.Random(seed)
    g = nx.gnm_random_graph(nodes, ties, seed=seed)
    g.remove_nodes_from([n for n in list(g) if g.degree(n) == 0])
    dg = nx.DiGraph()
    dg.add_nodes_from(g)
    for a, b in g.edges:
        weight = rng.choice([1, 1, 1, 5, 38])
        g.edges[a, b]["weight"] = weight
        dg.add_edge(a, b, weight=weight)
        if rng.random() < 0.3:
            dg.add_edge(b, a, weight=weight)
    return g, dg


@pytest.mark.parametrize("seed", range(6))
def test_networkx_and_igraph_agree(seed):
    g, dg = random_network(seed)
    assert nx.number_connected_components(g) > 1
    by_networkx, by_igraph = Engine(g, dg, use="networkx"), Engine(g, dg, use="igraph")
    for measure in EXACT:
        expected, found = getattr(by_networkx, measure)(), getattr(by_igraph, measure)()
        assert set(found) == set(expected)
        assert max(abs(found[n] - expected[n]) for n in expected) < 1e-9, measure
    expected, found = by_networkx.pagerank(), by_igraph.pagerank()
    # NetworkX stops when a step changes less than n·tol in total; the fixed point is then within
    # that times alpha / (1 − alpha).
    bound = len(expected) * engine_module.PAGERANK_TOLERANCE * 0.85 / 0.15
    assert sum(abs(found[n] - expected[n]) for n in expected) < bound
    assert sum(found.values()) == pytest.approx(1.0, abs=1e-12)


def test_choice_by_size():
    assert choose_engine(nx.path_graph(engine_module.IGRAPH_FROM_NODES - 1)) == "networkx"
    assert choose_engine(nx.path_graph(engine_module.IGRAPH_FROM_NODES)) == "igraph"
    assert Engine(nx.path_graph(10)).name == "networkx"


def test_sample_size_follows_hoeffding():
    # ln(2n / (1 − confidence)) / (2 ε²), rounded up, at most n
    assert sample_size(1_000_000) == 3501
    assert sample_size(4000) == 2397
    assert sample_size(500) == 500
    assert sample_size(1_000_000, error=0.1, confidence=0.99) == 956


def test_sampled_betweenness_and_closeness_keep_their_bound():
    g = nx.gnm_random_graph(4000, 9000, seed=7)
    g = g.subgraph(max(nx.connected_components(g), key=len)).copy()
    n = g.number_of_nodes()
    exact = Engine(g, use="igraph")
    sampled = Engine(g, use="igraph", limit=1e5)
    assert exact.samplings == []
    [sampling] = sampled.samplings
    assert (sampling.nodes, sampling.ties, sampling.sources) == (n, g.number_of_edges(), sample_size(n))
    assert sampling.sources < n
    # Bounds of engine.Sampling: error × the largest value possible in the piece (normalized betweenness: 1;
    # harmonic closeness: n − 1), here met with room to spare.
    between, estimate = exact.betweenness(), sampled.betweenness()
    assert max(abs(estimate[v] - between[v]) for v in g) < sampling.error
    assert max(abs(estimate[v] - between[v]) for v in g) < 0.002
    closeness, estimate = exact.harmonic(), sampled.harmonic()
    assert max(abs(estimate[v] - closeness[v]) for v in g) < sampling.error * (n - 1)


def test_sampling_only_large_pieces():
    g = nx.disjoint_union(nx.gnm_random_graph(3000, 6000, seed=3), nx.path_graph(20))
    g.remove_nodes_from([n for n in list(g) if g.degree(n) == 0])
    engine = Engine(g, use="igraph", limit=1e5)
    assert [s.nodes for s in engine.samplings] == [len(max(nx.connected_components(g), key=len))]
    path = [n for n in g if n >= 3000]
    exact = Engine(g, use="igraph").betweenness()
    estimate = engine.betweenness()
    assert all(estimate[v] == pytest.approx(exact[v], abs=1e-15) for v in path)  # small pieces stay exact


def test_eigenvector_per_piece():
    g = nx.disjoint_union(nx.star_graph(3), nx.complete_graph(4))
    for name in ("networkx", "igraph"):
        values = Engine(g, use=name).eigenvector()
        assert values[0] == pytest.approx(1.0) and values[1] == pytest.approx(1 / 3 ** 0.5)  # star: centre, leaf
        assert all(values[v] == pytest.approx(1.0) for v in range(4, 8))  # each piece has its own 1


def test_communities_of_two_groups():
    g = nx.barbell_graph(5, 0)
    found = Engine(g).communities()
    assert sorted(map(sorted, found)) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]


def test_eigenvector_of_large_pieces_by_sparse_solver(monkeypatch):
    monkeypatch.setattr(engine_module, "DENSE_PIECE", 3)  # every piece above 3 nodes through scipy's eigsh
    g, dg = random_network(2)
    expected, found = Engine(g, dg, use="networkx").eigenvector(), Engine(g, dg, use="igraph").eigenvector()
    assert max(abs(found[n] - expected[n]) for n in expected) < 1e-9


def test_eigenvector_of_pieces_alike_in_batches(monkeypatch):
    """Pieces of one size go through one batched eigh call, split into batches of at most DENSE_BATCH entries:
    the values are the same whatever the split, and NetworkX's."""
    g, dg = random_network(3, nodes=400, ties=200)
    sizes = [len(p) for p in nx.connected_components(g)]
    assert sizes.count(3) > 5 and sizes.count(4) > 2  # several pieces of one size
    whole = Engine(g, dg, use="igraph").eigenvector()
    monkeypatch.setattr(engine_module, "DENSE_BATCH", 16)  # one matrix of 3 or 4 nodes per batch
    assert Engine(g, dg, use="igraph").eigenvector() == whole
    expected = Engine(g, dg, use="networkx").eigenvector()
    assert max(abs(whole[n] - expected[n]) for n in expected) < 1e-9


def test_an_engine_without_its_directed_network_keeps_the_undirected_measures():
    g = nx.krackhardt_kite_graph()
    engine = Engine(g, g.to_directed(), use="igraph")
    assert round(engine.pagerank()[3], 4) == round(nx.pagerank(g)[3], 4)
    engine.release_directed()
    with pytest.raises(ValueError):
        engine.pagerank()
    assert round(engine.betweenness()[7], 4) == 0.3889 and engine.core_number()[3] == 3


def test_eigenvectors_are_worked_out_on_one_blas_thread():
    import numpy  # noqa: F401  (loads OpenBLAS, which threadpoolctl then finds)
    from threadpoolctl import threadpool_info

    from analysis.engine import one_blas_thread

    with one_blas_thread():
        threads = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]  # NumPy's, SciPy's
        assert threads and set(threads) == {1}
    outer, inner = one_blas_thread(), one_blas_thread()  # two reports in serve's threads, overlapping
    before = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    outer.__enter__()
    inner.__enter__()
    outer.__exit__(None, None, None)  # the first one out: the other is still inside
    assert {p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"} == {1}
    inner.__exit__(None, None, None)
    assert [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"] == before
    # two triangles joined by one tie (leading eigenvalue 1 + √2): the outer nodes have 1/√2 of the joined ones
    g = nx.Graph([(0, 1), (1, 2), (0, 2), (2, 3), (3, 4), (4, 5), (3, 5)])
    values = Engine(g, use="igraph").eigenvector()
    assert [values[n] for n in range(6)] == pytest.approx([2 ** -0.5, 2 ** -0.5, 1, 1, 2 ** -0.5, 2 ** -0.5])
