"""Where the structural measures are computed: NetworkX for small networks, igraph for large ones.

This is the one place that chooses. :class:`Engine` takes NetworkX graphs and
returns ``{node: value}`` for each measure; the answers are the same whichever
library computes them (``tests/analysis/test_engine.py`` checks the two
against each other on random graphs: exact measures to 1e-9, PageRank to its
convergence tolerance). NetworkX is plain Python and quick enough for a county;
igraph is C, which a province or the whole country needs (``benchmarks/analysis_speed.py``
measures both). :func:`choose_engine` takes igraph from :data:`IGRAPH_FROM_NODES`
nodes on, where its speed repays converting the graph.

Exact betweenness and closeness take a breadth-first search from every node
of a connected piece of the network: about ``n × m`` steps for a piece of ``n``
nodes and ``m`` ties (igraph does about 10 million a second here). County
networks are small pieces (the largest piece of the synthetic national network
has 155 nodes), but a piece where ``n × m`` exceeds :data:`EXACT_WORK_LIMIT`
(some 20 s of exact work) is estimated from searches out of a random sample of
its nodes (:class:`Sampling`, a few thousand searches), with a stated error bound.

>>> import networkx as nx
>>> kite = nx.krackhardt_kite_graph()
>>> round(Engine(kite, use="networkx").betweenness()[7], 4), round(Engine(kite, use="igraph").betweenness()[7], 4)
(0.3889, 0.3889)
"""

from __future__ import annotations

import math
import random
import threading
from dataclasses import dataclass
from functools import cached_property
from typing import Hashable, Literal

import networkx as nx

EngineName = Literal["networkx", "igraph"]
IGRAPH_FROM_NODES = 300
EXACT_WORK_LIMIT = 2e8
ERROR = 0.05
CONFIDENCE = 0.95
SEED = 1
PAGERANK_TOLERANCE = 1e-10
DENSE_PIECE = 400
DENSE_BATCH = 1 << 22
"""Matrix entries per batched ``eigh`` call (32 MB of floats) in :meth:`Engine.eigenvector`."""


class _OneBlasThread:
    """A block in which NumPy's and SciPy's linear algebra (OpenBLAS) runs on one thread.

    The pieces' matrices are small (at most :data:`DENSE_PIECE` nodes dense): split among threads they
    gain nothing, and the threads spin while they wait for each other, so that on a busy machine the
    eigenvectors of a province took 0.75 s of CPU instead of 0.15 s (batches of 60 × 60 matrices 20 times
    as much), with the same values. The limit is the process's: blocks that overlap (two reports in
    ``serve``'s threads) share it, set by the first to enter and given back by the last to leave."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inside = 0
        self._limits = None

    def __enter__(self) -> None:
        from threadpoolctl import threadpool_limits

        with self._lock:
            if not self._inside:
                self._limits = threadpool_limits(limits=1, user_api="blas")
            self._inside += 1

    def __exit__(self, *exc) -> None:
        with self._lock:
            self._inside -= 1
            if not self._inside:
                self._limits.restore_original_limits()


_ONE_BLAS_THREAD = _OneBlasThread()


def one_blas_thread() -> _OneBlasThread:
    """:class:`_OneBlasThread`, one for the process."""
    return _ONE_BLAS_THREAD


def choose_engine(g: nx.Graph) -> EngineName:
    """``igraph`` from :data:`IGRAPH_FROM_NODES` nodes on, else ``networkx``."""
    return "igraph" if g.number_of_nodes() >= IGRAPH_FROM_NODES else "networkx"


@dataclass(frozen=True)
class Sampling:
    """How the betweenness and closeness of one large connected piece were estimated.

    ``sources`` of the piece's ``nodes`` were drawn at random. The search from
    each source gives every node a term in [0, 1] (its share of the paths from
    that source through it, scaled by the piece's size; or 1/distance), so by
    Hoeffding's inequality and a union bound over the piece's nodes,
    ``sources ≥ ln(2·nodes / (1 − confidence)) / (2·error²)`` puts every
    estimate within ``error`` × the largest value a node of the piece can reach
    (its ``(nodes − 1)(nodes − 2)/2`` pairs for betweenness, ``nodes − 1`` for
    closeness), with probability ``confidence``.
    """

    nodes: int
    ties: int
    sources: int
    error: float = ERROR
    confidence: float = CONFIDENCE


def sample_size(nodes: int, error: float = ERROR, confidence: float = CONFIDENCE) -> int:
    """Sources needed for the bound of :class:`Sampling` (never more than the piece's nodes).

    >>> sample_size(1_000_000), sample_size(500)
    (3501, 500)
    """
    return min(nodes, math.ceil(math.log(2 * nodes / (1 - confidence)) / (2 * error * error)))


class _Indexed:
    """A NetworkX graph as an igraph graph: node ``nodes[i]`` is vertex ``i``; ``weights`` per edge (the
    ``weight`` attribute, default 1)."""

    def __init__(self, g: nx.Graph):
        import igraph as ig

        self.nodes = list(g.nodes)
        index = {n: i for i, n in enumerate(self.nodes)}
        directed = g.is_directed()
        ends: list[tuple[int, int]] = []
        self.weights: list = []
        # g.edges(data="weight", default=1) in its order, without a tuple of ids per edge: each node's
        # neighbours in turn, an undirected edge from the end that comes first (nationally 1.9 M edges)
        for i, (_, neighbours) in enumerate(g.adjacency()):
            for neighbour, data in neighbours.items():
                j = index[neighbour]
                if directed or j >= i:
                    ends.append((i, j))
                    self.weights.append(data.get("weight", 1))
        self.graph = ig.Graph(n=len(self.nodes), edges=ends, directed=directed)

    def values(self, values) -> dict[Hashable, float]:
        return dict(zip(self.nodes, values))


class Engine:
    """The structural measures of one network, by NetworkX or igraph (chosen by size unless ``use`` says).

    ``g`` is the undirected network; ``dg`` the directed one (for PageRank).
    Edge attribute ``weight`` (default 1) weighs eigenvector centrality,
    PageRank and, if asked, communities; the path and structure measures are unweighted.
    ``limit`` is the work above which a piece is sampled (see the module).
    """

    def __init__(self, g: nx.Graph, dg: nx.DiGraph | None = None, *, use: EngineName | None = None,
                 limit: float = EXACT_WORK_LIMIT, seed: int = SEED):
        self.g, self.dg = g, dg
        self.name: EngineName = use or choose_engine(g)
        self.limit, self.seed = limit, seed
        self._igraph: dict[bool, _Indexed] = {}

    def release_directed(self) -> None:
        """Let the directed network and its igraph form go (PageRank is then no longer available)."""
        self.dg = None
        self._igraph.pop(True, None)

    def _ig(self, *, directed: bool = False) -> _Indexed:
        if directed not in self._igraph:
            self._igraph[directed] = _Indexed(self.dg if directed else self.g)
        return self._igraph[directed]

    @cached_property
    def pieces(self) -> list[set[Hashable]]:
        """The connected pieces of the undirected network, largest first."""
        if self.name == "networkx":
            found = list(nx.connected_components(self.g))
        else:
            ig_ = self._ig()
            found = [{ig_.nodes[i] for i in members} for members in ig_.graph.connected_components()]
        return sorted(found, key=len, reverse=True)

    @cached_property
    def samplings(self) -> list[Sampling]:
        """The pieces whose exact betweenness and closeness would take more than ``limit`` steps, as sampled."""
        found = []
        for piece in self.pieces:
            n = len(piece)
            if n * n * n / 2 <= self.limit:  # even a complete piece is within the limit; pieces are sorted
                break
            m = sum(self.g.degree(v) for v in piece) // 2
            if n * m > self.limit:
                found.append(Sampling(n, m, sample_size(n)))
        return found

    @cached_property
    def _sources(self) -> tuple[list[int], dict[Hashable, float]]:
        """Source vertices (every node of the exact pieces, a random sample of each sampled one) and the
        factor that scales a sampled piece's sums up to all of its nodes."""
        rng = random.Random(self.seed)
        factor: dict[Hashable, float] = {}
        chosen: set[Hashable] = set()
        for piece, sampling in zip(self.pieces, self.samplings):
            chosen.update(rng.sample(sorted(piece, key=str), sampling.sources))
            factor.update(dict.fromkeys(piece, sampling.nodes / sampling.sources))
        ig_ = self._ig()
        return [i for i, v in enumerate(ig_.nodes) if v not in factor or v in chosen], factor

    def betweenness(self) -> dict[Hashable, float]:
        """Normalized betweenness (NetworkX's ``2 / ((n − 1)(n − 2))`` for ``n`` nodes of the network);
        estimated in the pieces of :attr:`samplings`."""
        if self.name == "networkx" and not self.samplings:
            return nx.betweenness_centrality(self.g, normalized=True)
        n = self.g.number_of_nodes()
        scale = 2 / ((n - 1) * (n - 2)) if n > 2 else 1.0
        ig_ = self._ig()
        if not self.samplings:
            return ig_.values(b * scale for b in ig_.graph.betweenness(directed=False))
        sources, factor = self._sources
        raw = ig_.graph.betweenness(directed=False, sources=sources)
        return {v: raw[i] * scale * factor.get(v, 1.0) for i, v in enumerate(ig_.nodes)}

    def harmonic(self) -> dict[Hashable, float]:
        """Harmonic closeness: the sum of 1/distance to every other node (0 for those out of reach), so
        nodes of separate pieces compare fairly; estimated in the pieces of :attr:`samplings`."""
        if self.name == "networkx" and not self.samplings:
            return nx.harmonic_centrality(self.g)
        ig_ = self._ig()
        if not self.samplings:
            return ig_.values(ig_.graph.harmonic_centrality(normalized=False))
        import numpy as np

        sources, factor = self._sources
        total = np.zeros(len(ig_.nodes))
        for start in range(0, len(sources), 64):
            block = np.asarray(ig_.graph.distances(source=sources[start:start + 64]), dtype=float)
            with np.errstate(divide="ignore"):
                inverse = 1.0 / block
            inverse[~np.isfinite(inverse)] = 0.0  # the source itself (1/0) and nodes out of reach (1/inf)
            total += inverse.sum(axis=0)
        return {v: total[i] * factor.get(v, 1.0) for i, v in enumerate(ig_.nodes)}

    def eigenvector(self) -> dict[Hashable, float]:
        """Eigenvector centrality (weighted) within each connected piece, 1 for the piece's best-connected node.

        The leading eigenvector of a network in separate pieces lives in one
        piece and is zero elsewhere, so each piece is computed on its own (as
        igraph's documentation advises) and scaled to a maximum of 1: a value
        compares a node with the others of its piece.
        """
        if self.name == "igraph":
            with one_blas_thread():
                return self._eigenvector_by_piece()
        result: dict[Hashable, float] = {}
        for piece in self.pieces:
            if len(piece) <= 2:  # one tie: both ends alike
                result.update(dict.fromkeys(piece, 1.0))
                continue
            values = nx.eigenvector_centrality_numpy(self.g.subgraph(piece), weight="weight")
            top = max(values.values())
            result.update({v: x / top for v, x in values.items()})
        return result

    def _eigenvector_by_piece(self) -> dict[Hashable, float]:
        """:meth:`eigenvector` for many pieces at once: the pieces' edges grouped with numpy, each piece's
        leading eigenvector from its symmetric weighted adjacency matrix (dense up to :data:`DENSE_PIECE`
        nodes, else sparse)."""
        import numpy as np
        from scipy.sparse import coo_matrix
        from scipy.sparse.linalg import eigsh

        ig_ = self._ig()
        n = len(ig_.nodes)
        piece_of = np.asarray(ig_.graph.connected_components().membership)
        sizes = np.bincount(piece_of)
        by_piece = np.argsort(piece_of, kind="stable")
        starts = np.concatenate(([0], np.cumsum(sizes)))
        local = np.empty(n, dtype=np.int64)
        local[by_piece] = np.arange(n) - starts[piece_of[by_piece]]
        edges = np.asarray(ig_.graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
        weights = np.asarray(ig_.weights, dtype=float)
        edge_piece = piece_of[edges[:, 0]]
        edges_by_piece = np.argsort(edge_piece, kind="stable")
        edge_starts = np.concatenate(([0], np.cumsum(np.bincount(edge_piece, minlength=len(sizes)))))
        values = np.ones(n)  # pieces of one tie: both ends alike
        for k in np.unique(sizes[(sizes > 2) & (sizes <= DENSE_PIECE)]):
            # every piece of k nodes at once: one stack of k × k matrices, one batched eigh call
            same = np.flatnonzero(sizes == k)
            for batch in np.array_split(same, -(-len(same) * k * k // DENSE_BATCH)):
                slot = np.full(len(sizes), -1)
                slot[batch] = np.arange(len(batch))
                chosen = np.flatnonzero(slot[edge_piece] >= 0)
                at, a, b = slot[edge_piece[chosen]], local[edges[chosen, 0]], local[edges[chosen, 1]]
                matrices = np.zeros((len(batch), k, k))
                matrices[at, a, b] = weights[chosen]
                matrices[at, b, a] = weights[chosen]
                vectors = np.abs(np.linalg.eigh(matrices)[1][:, :, -1])  # Perron vectors, whatever their sign
                values[by_piece[starts[batch][:, None] + np.arange(k)]] = vectors / vectors.max(axis=1, keepdims=True)
        for p in np.flatnonzero(sizes > DENSE_PIECE):
            members = by_piece[starts[p]:starts[p + 1]]
            chosen = edges_by_piece[edge_starts[p]:edge_starts[p + 1]]
            a, b, w, k = local[edges[chosen, 0]], local[edges[chosen, 1]], weights[chosen], sizes[p]
            matrix = coo_matrix((np.r_[w, w], (np.r_[a, b], np.r_[b, a])), shape=(k, k)).tocsr()
            vector = np.abs(eigsh(matrix, k=1, which="LA")[1][:, 0])  # the Perron vector, whatever its sign
            values[members] = vector / vector.max()
        return dict(zip(ig_.nodes, values.tolist()))

    def pagerank(self, alpha: float = 0.85) -> dict[Hashable, float]:
        """Weighted PageRank of the directed network (damping ``alpha``; a node without outgoing ties passes
        its rank to every node alike). igraph solves it exactly (PRPACK); NetworkX iterates until a step
        changes the ranks by less than :data:`PAGERANK_TOLERANCE` per node, which puts them within
        ``n · tolerance · alpha / (1 − alpha)`` (summed over the ``n`` nodes) of the exact ones."""
        if self.dg is None:
            raise ValueError("PageRank needs the directed network")
        if self.name == "networkx":
            return nx.pagerank(self.dg, alpha=alpha, weight="weight", tol=PAGERANK_TOLERANCE, max_iter=1000)
        ig_ = self._ig(directed=True)
        return ig_.values(ig_.graph.pagerank(directed=True, damping=alpha, weights=ig_.weights))

    def core_number(self) -> dict[Hashable, int]:
        """k-core: the largest k such that the node belongs to a group whose members each have at least
        k partners inside the group."""
        if self.name == "networkx":
            return nx.core_number(self.g)
        ig_ = self._ig()
        return ig_.values(ig_.graph.coreness())

    def constraint(self) -> dict[Hashable, float]:
        """Burt's constraint (unweighted): how much a node's partners are tied to each other; 1 with one
        partner, low when its partners do not know one another."""
        if self.name == "networkx":
            return nx.constraint(self.g)
        ig_ = self._ig()
        return ig_.values(ig_.graph.constraint())

    def effective_size(self) -> dict[Hashable, float]:
        """Burt's effective size (unweighted; Borgatti's ``k − 2t/k`` for ``k`` partners with ``t`` ties
        among them): the partners less the redundancy among them."""
        if self.name == "networkx":
            return nx.effective_size(self.g)
        ig_ = self._ig()
        degree = ig_.graph.degree()
        clustering = ig_.graph.transitivity_local_undirected(mode="zero")
        # t = clustering · k(k − 1)/2, so k − 2t/k = k − clustering · (k − 1)
        return ig_.values(k - c * (k - 1) for k, c in zip(degree, clustering))

    def communities(self, *, weighted: bool = False) -> list[set[Hashable]]:
        """Communities by the Leiden algorithm (igraph's, on modularity, seeded), largest first.

        Unweighted by default: each pair of partners counts once, however many
        organizations its ends stand for. ``weighted=True`` counts a tie by the
        edge attribute ``weight`` (the organizations an aggregate node stands
        for), which lets one tie to 38 workshops outweigh the rest of a town.
        igraph computes them whichever engine computes the rest."""
        import igraph as ig

        if self.g.number_of_edges() == 0:
            return [{v} for v in self.g]
        ig_ = self._ig()
        ig.set_random_number_generator(random.Random(self.seed))
        try:
            partition = ig_.graph.community_leiden(objective_function="modularity",
                                                   weights=ig_.weights if weighted else None, n_iterations=-1)
        finally:
            ig.set_random_number_generator(random)  # igraph's default: Python's own generator
        found = [{ig_.nodes[i] for i in members} for members in partition]
        return sorted(found, key=lambda c: (-len(c), min(str(v) for v in c)))
