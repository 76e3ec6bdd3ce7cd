"""Communities of the network (Leiden), compared with town boundaries.

Communities are groups of nodes more densely tied to each other than to the
rest (Leiden algorithm on modularity, unweighted unless asked,
:meth:`analysis.engine.Engine.communities`).
Set beside the towns, they answer which towns' villages and organizations work
together across the line: a community whose members lie in several towns, and
a town whose members fall into several communities. The agreement of the two
partitions over the nodes with a known town (``placed`` of them) is given as
normalized mutual information (1: communities are exactly the towns; 0:
unrelated). A community lies within one town only if every member has that
town: a member with no town (a county office) takes it across the line.

>>> town = {"a1": "A", "a2": "A", "a3": "B", "b1": "B"}.get
>>> found = compare_with_towns([{"a1", "a2", "a3"}, {"b1", "b2", "b3"}], town)
>>> [c["towns"] for c in found.communities], found.split_towns
([{'A': 2, 'B': 1}, {'B': 1}], {'B': 2})
>>> [c["unplaced"] for c in found.communities], [c["number"] for c in found.within_one_town], found.placed
([0, 2], [], 4)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Hashable, Iterable


@dataclass
class TownComparison:
    """Communities with the towns of their members, and how the two partitions agree.

    ``communities``: one dict per community (largest first): ``number`` (from
    1), ``members`` (node ids), ``towns`` (town → members in it, most first)
    and ``unplaced`` (members with no town).
    ``community_of``: node → number. ``split_towns``: town → number of
    communities its members fall into, for towns split across several.
    ``agreement``: normalized mutual information over the ``placed`` nodes,
    those with a town (None when fewer than two such nodes).
    """

    communities: list[dict[str, Any]]
    community_of: dict[Hashable, int]
    split_towns: dict[Hashable, int]
    agreement: float | None
    placed: int = 0

    @property
    def across_towns(self) -> list[dict[str, Any]]:
        """The communities whose members lie in more than one town."""
        return [c for c in self.communities if len(c["towns"]) > 1]

    @property
    def within_one_town(self) -> list[dict[str, Any]]:
        """The communities whose members all lie in one and the same town (none without a town)."""
        return [c for c in self.communities if len(c["towns"]) == 1 and not c["unplaced"]]


def compare_with_towns(communities: Iterable[set[Hashable]], town: Callable[[Hashable], Hashable | None]
                       ) -> TownComparison:
    """Set ``communities`` (largest first) beside the towns ``town`` gives their members (None: unknown)."""
    rows, community_of = [], {}
    town_communities: dict[Hashable, set[int]] = {}
    for number, members in enumerate(communities, start=1):
        ordered = sorted(members, key=str)
        towns = Counter(t for t in map(town, ordered) if t is not None)
        rows.append({"number": number, "members": ordered, "towns": dict(towns.most_common()),
                     "unplaced": len(ordered) - sum(towns.values())})
        for node in ordered:
            community_of[node] = number
            if town(node) is not None:
                town_communities.setdefault(town(node), set()).add(number)
    split = {t: len(c) for t, c in town_communities.items() if len(c) > 1}
    placed = [n for n in community_of if town(n) is not None]
    agreement = _nmi([community_of[n] for n in placed], [town(n) for n in placed]) if len(placed) > 1 else None
    return TownComparison(rows, community_of, dict(sorted(split.items(), key=lambda kv: (-kv[1], str(kv[0])))),
                          agreement, len(placed))


def _nmi(a: list[Hashable], b: list[Hashable]) -> float:
    """Normalized mutual information of two labelings (igraph's ``compare_communities``, Danon et al. 2005)."""
    import igraph as ig

    codes_a = {x: i for i, x in enumerate(dict.fromkeys(a))}
    codes_b = {x: i for i, x in enumerate(dict.fromkeys(b))}
    if len(codes_a) == 1 and len(codes_b) == 1:
        return 1.0
    return ig.compare_communities([codes_a[x] for x in a], [codes_b[x] for x in b], method="nmi")
