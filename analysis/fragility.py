"""What breaks if one partner leaves: articulation points and bridges, each with what it cuts off.

An *articulation point* is an organization whose withdrawal splits its
connected piece of the (undirected) network; a *bridge* is a tie whose end
does. What each *cuts off* is every node that loses touch with the largest part
that remains: for a bridge the smaller side, for an articulation point every
part but the largest.

One depth-first search finds them all in linear time (Hopcroft–Tarjan
low-points). The nodes of a search subtree are consecutive in the search's
visiting order, so each cut-off set is a few ranges of that order: counting its
villages or organizations is a subtraction of prefix sums, and no set is copied
(:meth:`Fragility.members`, :meth:`Fragility.total`).

>>> import networkx as nx
>>> found = fragility(nx.Graph([("unit", "v1"), ("unit", "v2"), ("v1", "v2"), ("unit", "branch")]))
>>> [(c.kind, c.at, found.members(c)) for c in found.cuts]
[('node', ('unit',), ['branch']), ('tie', ('unit', 'branch'), ['branch'])]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import accumulate
from typing import Callable, Hashable, Literal

import networkx as nx

Range = tuple[int, int]


@dataclass(frozen=True)
class Cut:
    """An articulation point (``kind="node"``, ``at=(node,)``) or a bridge (``kind="tie"``, ``at=(u, v)``).

    ``piece`` is the size of the connected piece it lies in; ``ranges`` the
    cut-off nodes as ranges of :attr:`Fragility.order`; ``size`` how many.
    """

    kind: Literal["node", "tie"]
    at: tuple[Hashable, ...]
    piece: int
    ranges: tuple[Range, ...]

    @property
    def size(self) -> int:
        return sum(hi - lo for lo, hi in self.ranges)


@dataclass
class Fragility:
    """Every cut of a network, largest cut-off first, and the visiting order their ranges index."""

    order: list[Hashable]
    cuts: list[Cut] = field(default_factory=list)

    def members(self, cut: Cut, limit: int | None = None) -> list[Hashable]:
        """The nodes ``cut`` cuts off, in visiting order (the first ``limit``)."""
        found: list[Hashable] = []
        for lo, hi in cut.ranges:
            found.extend(self.order[lo:hi])
            if limit is not None and len(found) >= limit:
                return found[:limit]
        return found

    def total(self, value: Callable[[Hashable], int]) -> Callable[[Cut], int]:
        """A function giving, for any cut, the sum of ``value`` over the nodes it cuts off (prefix sums)."""
        prefix = [0, *accumulate(value(n) for n in self.order)]
        return lambda cut: sum(prefix[hi] - prefix[lo] for lo, hi in cut.ranges)


def _complement(lo: int, hi: int, taken: list[Range]) -> list[Range]:
    """``[lo, hi)`` less the sorted, disjoint ``taken`` ranges."""
    rest, at = [], lo
    for a, b in taken:
        if a > at:
            rest.append((at, a))
        at = max(at, b)
    if at < hi:
        rest.append((at, hi))
    return rest


def fragility(g: nx.Graph) -> Fragility:
    """Articulation points and bridges of the undirected ``g`` with what each cuts off (see the module),
    sorted by the number of nodes cut off (most first), then articulation points before bridges."""
    order: list[Hashable] = []
    disc: dict[Hashable, int] = {}
    low: dict[Hashable, int] = {}
    size: dict[Hashable, int] = {}
    parent: dict[Hashable, Hashable | None] = {}
    cuts: list[Cut] = []
    for root in g:
        if root in disc:
            continue
        first = len(order)
        parent[root] = None
        disc[root] = low[root] = first
        order.append(root)
        stack = [(root, iter(g[root]))]
        while stack:
            v, neighbours = stack[-1]
            for w in neighbours:
                if w not in disc:
                    parent[w] = v
                    disc[w] = low[w] = len(order)
                    order.append(w)
                    stack.append((w, iter(g[w])))
                    break
                if w != parent[v]:
                    low[v] = min(low[v], disc[w])
            else:
                stack.pop()
                size[v] = len(order) - disc[v]
                if stack:
                    p = stack[-1][0]
                    low[p] = min(low[p], low[v])
        cuts.extend(_cuts_of_piece(order, first, len(order), disc, low, size, parent))
    cuts.sort(key=lambda c: (-c.size, c.kind, disc[c.at[0]], disc[c.at[-1]]))
    return Fragility(order, cuts)


def _cuts_of_piece(order, first, last, disc, low, size, parent) -> list[Cut]:
    piece = last - first
    cuts = []
    separated: dict[Hashable, list[Range]] = {}  # articulation point -> subtrees that hang on it alone
    for v in order[first + 1:last]:
        p = parent[v]
        subtree = (disc[v], disc[v] + size[v])
        if low[v] > disc[p]:
            outside = _complement(first, last, [subtree])
            cut_off = [subtree] if size[v] <= piece - size[v] else outside
            cuts.append(Cut("tie", (p, v), piece, tuple(cut_off)))
        if low[v] >= disc[p]:
            separated.setdefault(p, []).append(subtree)
    for p, subtrees in separated.items():
        if parent[p] is None and len(subtrees) < 2:
            continue  # the root of the search cuts only when it joins two subtrees
        at = (disc[p], disc[p] + 1)
        rest = _complement(first, last, sorted([at, *subtrees]))
        parts = ([rest] if rest else []) + [[s] for s in subtrees]
        largest = max(range(len(parts)), key=lambda i: (sum(b - a for a, b in parts[i]), -i))
        cut_off = sorted(r for i, part in enumerate(parts) if i != largest for r in part)
        cuts.append(Cut("node", (p,), piece, tuple(cut_off)))
    return cuts
