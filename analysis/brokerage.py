"""Who brokers: Gould–Fernandez brokerage roles with towns as groups, and Burt's structural holes.

**Brokerage roles** (Gould & Fernandez 1989, "Structures of mediation"). A node
``b`` brokers in a chain ``a → b → c`` of the directed network when there is no
tie ``a → c``: ``b`` is the way from ``a`` to ``c``. The towns of the three
(their county for county-level units; see :meth:`analysis.network.Places.group`)
give the role:

=================  ==========================================  ===================================
role               groups                                      reading
=================  ==========================================  ===================================
coordinator        a, b, c in one town                          brokers inside its own town
gatekeeper         b and c in one town, a elsewhere             lets an outsider into its town
representative     a and b in one town, c elsewhere             speaks for its town to outsiders
itinerant          a and c in one town, b elsewhere             an outsider who links two of a town
liaison            a, b, c in three different towns             links towns it does not belong to
=================  ==========================================  ===================================

Chains with a node of unknown town are not counted. Direction is the flow of
:attr:`analysis.network.CollaborationNetwork.directed` (members and joint
organizations both ways), so a joint committee brokers between its member
villages.

**Structural holes** (Burt 1992): ``constraint`` (low: its partners do not
know one another, so it spans holes) and ``effective_size`` (its partners less
their redundancy), on the undirected network; see :class:`analysis.engine.Engine`.

>>> import networkx as nx
>>> chain = nx.DiGraph([("a", "b"), ("b", "c")])
>>> brokerage_roles(chain, {"a": "T1", "b": "T2", "c": "T1"}.get)["b"]
{'coordinator': 0, 'gatekeeper': 0, 'representative': 0, 'itinerant': 1, 'liaison': 0}
"""

from __future__ import annotations

from typing import Callable, Hashable

import networkx as nx

ROLES = ("coordinator", "gatekeeper", "representative", "itinerant", "liaison")


def role_of(a: Hashable, b: Hashable, c: Hashable) -> str:
    """The role of broker ``b`` in ``a → b → c`` given the three groups (``a``, ``b``, ``c`` are groups)."""
    if a == b == c:
        return "coordinator"
    if b == c:
        return "gatekeeper"
    if a == b:
        return "representative"
    if a == c:
        return "itinerant"
    return "liaison"


def brokerage_roles(dg: nx.DiGraph, group: Callable[[Hashable], Hashable | None]) -> dict[Hashable, dict[str, int]]:
    """How many chains ``a → b → c`` (no ``a → c``) each node ``b`` brokers in each role of :data:`ROLES`.

    ``group`` gives a node's group (its town), or None when unknown: chains
    through a node of unknown group are left out.
    """
    groups = {n: group(n) for n in dg}
    # plain dicts (node -> {neighbour: data}): their keys() intersect in C, NetworkX's views in Python
    successors, predecessors = dict(dg.adjacency()), dict(dg.reverse(copy=False).adjacency())
    result = {}
    for b in dg:
        counts = dict.fromkeys(ROLES, 0)
        result[b] = counts
        gb = groups[b]
        if gb is None:
            continue
        out = successors[b]
        reached: dict[Hashable, int] = {}  # how many successors of b lie in each group
        for c in out:
            if groups[c] is not None:
                reached[groups[c]] = reached.get(groups[c], 0) + 1
        for a in predecessors[b]:
            ga = groups[a]
            if ga is None:
                continue
            # every c of b's successors but a itself and those a reaches directly
            skipped: dict[Hashable, int] = {}
            for c in (successors[a].keys() & out.keys()) | ({a} & out.keys()):
                if groups[c] is not None:
                    skipped[groups[c]] = skipped.get(groups[c], 0) + 1
            for gc, n in reached.items():
                counts[role_of(ga, gb, gc)] += n - skipped.get(gc, 0)
    return result
