"""Scoring drafted ties against an expected set, at the level of (kind, from, to) after reconciliation; pure.

The draft is loaded as a planner would after accepting every row (so that
places are resolved through the roster and organizations merged as the
loaders do); each tie is then compared by its kind and the names of its
ends: an expected end matches a node whose name, raw name, aliases or id
match it (:func:`graph_model.names.match_key`), and ``town/name`` also asks
that a village lies in that town. Each expected tie matches at most one
found tie. A tie of the curated case file is an expected tie whose ends are
all the names of its nodes (:func:`expected_from_graph`).

>>> e = ExpectedTie("GUIDES", ("乌镇党委",), ("核桃树墕联村党委",))
>>> e.label
'GUIDES 乌镇党委 → 核桃树墕联村党委'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from graph_model.names import match_key
from graph_model.records import GraphData, Node, Tie


@dataclass(frozen=True)
class ExpectedTie:
    """A tie a text states: its kind and each end as one or more names (``town/name`` for a village)."""

    type: str
    source: tuple[str, ...]
    target: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.type} {self.source[0]} → {self.target[0]}"


@dataclass
class Score:
    """Precision and recall of the found ties, with the ties matched, missed (expected, not found) and extra."""

    matched: list[tuple[ExpectedTie, Tie]] = field(default_factory=list)
    missed: list[ExpectedTie] = field(default_factory=list)
    extra: list[Tie] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = len(self.matched) + len(self.extra)
        return len(self.matched) / found if found else 0.0

    @property
    def recall(self) -> float:
        expected = len(self.matched) + len(self.missed)
        return len(self.matched) / expected if expected else 0.0


def read_expected(data: dict[str, Any]) -> list[ExpectedTie]:
    """The ``ties`` of an expected-set YAML document: ``[KIND, from, to]`` rows."""
    ties = []
    for row in data["ties"]:
        type_, source, target = row
        ties.append(ExpectedTie(str(type_), (str(source),), (str(target),)))
    return ties


def _names(node: Node) -> set[str]:
    names = {node.name, node.props.get("name_raw"), *node.props.get("aliases", ()), node.id}
    return {match_key(n) for n in names if n}


def _matches(node: Node, wanted: tuple[str, ...], graph: GraphData) -> bool:
    keys = _names(node)
    for name in wanted:
        town, _, short = name.rpartition("/")
        if match_key(short) not in keys:
            continue
        if town:
            parent = graph.nodes.get(node.id[:9]) if node.id.isdigit() and len(node.id) == 12 else None
            if parent is None or match_key(town) not in _names(parent):
                continue
        return True
    return False


def score(graph: GraphData, expected: Iterable[ExpectedTie], source_key: str) -> Score:
    """How the ties of ``graph`` stated by the source ``source_key`` compare with ``expected``."""
    found = [t for t in graph.ties.values() if source_key in t.props.get("source_keys", ())]
    result = Score()
    left = list(found)
    for tie in expected:
        match = next((t for t in left if t.type == tie.type and _matches(graph.nodes[t.source_id], tie.source, graph)
                      and _matches(graph.nodes[t.target_id], tie.target, graph)), None)
        if match is None:
            result.missed.append(tie)
        else:
            result.matched.append((tie, match))
            left.remove(match)
    result.extra = left
    return result


def expected_from_graph(graph: GraphData, source_key: str) -> list[ExpectedTie]:
    """The ties a source (a curated case file) states, each end as every name of its node."""
    ties = []
    for tie in graph.ties.values():
        if source_key not in tie.props.get("source_keys", ()):
            continue
        ends = []
        for node in (graph.nodes[tie.source_id], graph.nodes[tie.target_id]):
            names = [node.name, node.props.get("name_raw"), *node.props.get("aliases", ()), node.id]
            ends.append(tuple(n for n in dict.fromkeys(names) if n))
        ties.append(ExpectedTie(tie.type, ends[0], ends[1]))
    return ties


def describe(tie: Tie, graph: GraphData) -> str:
    """``GUIDES 乌镇党委 → 核桃树墕联村党委``: a found tie with the names of its ends."""
    return f"{tie.type} {graph.nodes[tie.source_id].name} → {graph.nodes[tie.target_id].name}"
