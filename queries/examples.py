"""Example values of a saved query's parameters taken from the graph a planner has, not from Jia County.

The catalog's examples name the Jia County example (佳县县委办公室, 通镇, 610828). On a store of another county
"run with the example" would answer that no such organization exists, so the query page offers, for each
parameter that names a node, the catalog's example where this graph holds it and otherwise the node of the
kind asked with the most working ties (a second node of one query, e.g. a path's end, in the first one's
piece of the network, so that the example has an answer). Pure: it reads a graph already in memory.

>>> from graph_model.records import GraphData, Node, Tie
>>> from graph_model.schema import default_schema
>>> from queries.catalog import get_query
>>> graph = GraphData()
>>> for kind, node_id, name in [("County", "451229", "大化瑶族自治县"), ("Village", "451229100201", "弄合村"),
...                             ("AssistanceUnit", "u1", "大化县财政局")]:
...     graph.add_node(Node(kind, node_id, {"name": name}))
>>> graph.add_tie(Tie("PAIRED_ASSISTANCE", "u1", "451229100201", {}))
>>> examples_in(get_query("ego_network"), graph, default_schema())["org"]
'大化县财政局'
>>> examples_in(get_query("assistance_units_ranked"), graph, default_schema())["within"]
'451229'
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from graph_model.names import match_key
from graph_model.records import GraphData
from graph_model.schema import Schema
from queries.catalog import NamedQuery, Param

PLACE = "place"   # refers_to of a parameter naming an administrative unit (its code or name)
ANY = "any"       # refers_to of a parameter naming any node


def examples_in(query: NamedQuery, graph: GraphData, schema: Schema) -> dict[str, Any]:
    """Each parameter's example (``None`` where it has none), fitted to ``graph`` as the module says."""
    network = _Network(graph, schema)
    chosen: list[str] = []
    examples: dict[str, Any] = {}
    for param in query.params:
        examples[param.name] = _example(param, network, chosen)
    return examples


def _example(param: Param, network: "_Network", chosen: list[str]) -> Any:
    if param.match:
        return param.example if network.has_text(str(param.example)) else network.name_fragment()
    if param.refers_to is None:
        return param.example
    if param.refers_to == PLACE:
        return param.example if str(param.example) in network.graph.nodes else network.main_place()
    held = network.names(str(param.example), param.refers_to)
    if held:
        chosen.append(held[0])
        return param.example
    node_id = network.most_tied(param.refers_to, near=chosen[0] if chosen else None, besides=chosen)
    if node_id is None:
        return None
    chosen.append(node_id)
    name = network.graph.nodes[node_id].name
    return name if len(network.names(name, ANY)) == 1 else node_id  # a name two nodes share: the id


class _Network:
    """The graph's working ties as counts and pieces, worked out once for one query's examples."""

    def __init__(self, graph: GraphData, schema: Schema) -> None:
        self.graph, self.schema = graph, schema
        self.degree: Counter[str] = Counter()
        parent: dict[str, str] = {}

        def root(node_id: str) -> str:
            while parent.get(node_id, node_id) != node_id:
                node_id = parent[node_id]
            return node_id
        for tie in graph.ties.values():
            if tie.type in schema.administrative_ties:
                continue
            self.degree.update((tie.source_id, tie.target_id))
            a, b = root(tie.source_id), root(tie.target_id)
            if a != b:
                parent[a] = b
        self.piece = {node_id: root(node_id) for node_id in self.degree}

    def names(self, text: str, kind: str) -> list[str]:
        """The ids of nodes of ``kind`` (any for ``any``) whose id, name or alias is ``text``."""
        key = match_key(text)
        return [n.id for n in self.graph.nodes.values()
                if (kind == ANY or n.kind == kind)
                and (n.id == text or key in {match_key(s) for s in [n.name, *(n.props.get("aliases") or [])]})]

    def most_tied(self, kind: str, near: str | None, besides: list[str]) -> str | None:
        """The node of ``kind`` with the most working ties (in ``near``'s piece when given), by name on a draw;
        for ``any``, an organization before a place."""
        piece = self.piece.get(near) if near else None
        nodes = [self.graph.nodes[i] for i in self.degree if i in self.graph.nodes and i not in besides
                 and (piece is None or self.piece[i] == piece) and (kind == ANY or self.graph.nodes[i].kind == kind)]
        best = min(nodes, key=lambda n: (n.kind not in self.schema.organization_kinds, -self.degree[n.id], n.name),
                   default=None)
        return best.id if best else None

    def main_place(self) -> str | None:
        """The code of the county (else the city, the province) holding the most units of the graph."""
        for kind in (self.schema.level_kind(key) for key in ("county", "city", "province")):
            codes = [n.id for n in self.graph.nodes.values() if n.kind == kind]
            if codes:
                held = Counter(c for node_id in self.graph.nodes for c in codes if node_id.startswith(c))
                return min(codes, key=lambda c: (-held[c], c))
        return None

    def has_text(self, text: str) -> bool:
        key = match_key(text)
        return any(key in match_key(n.name) for n in self.graph.nodes.values())

    def name_fragment(self) -> str | None:
        """The first two characters of the most tied village's (else organization's) name: a text to search."""
        node_id = self.most_tied(self.schema.level_kind("village"), None, []) or self.most_tied(ANY, None, [])
        return self.graph.nodes[node_id].name[:2] if node_id else None
