"""What a load knows while it reads its sources: the roster, the organizations, the decisions.

One :class:`LoadContext` lives for one load. Sources are read in order, and
each sees what the earlier ones stated (so a workbook's tie can name an
organization a case file introduced) and what the store already holds (read
lazily, only when a source needs it). Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from graph_model.records import GraphData, Node
from graph_model.schema import Schema
from graph_model.sources import Known
from loaders.reconcile import ADMIN_KINDS, EntityIndex, Identity, Match, RosterIndex


@dataclass
class LoadContext:
    schema: Schema
    known: Known = field(default_factory=Known)
    decisions: Mapping[tuple[str, str, str], Mapping[str, Any]] = field(default_factory=dict)
    graph: GraphData = field(default_factory=GraphData)
    matches: list[Match] = field(default_factory=list)
    identities: list[tuple[str, Identity]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What the load read past or inferred (a title row, notes under a table, a hidden sheet, a kind taken from
    a file name), one line each, Chinese first."""
    _places: RosterIndex = field(default_factory=RosterIndex)
    _store_places_read: bool = False
    _entities: EntityIndex | None = None

    def add_places(self, nodes: Iterable[Node]) -> None:
        """Roster units read from a source of this load."""
        self._places.add(nodes)

    def places(self) -> RosterIndex:
        """Every administrative unit known: this load's rosters and, read once, the store's."""
        if not self._store_places_read:
            self._places.add(self.known.places())
            self._store_places_read = True
        return self._places

    @property
    def entities(self) -> EntityIndex:
        """The organizations known: the store's (read once) and those this load has stated so far."""
        if self._entities is None:
            from loaders.reconcile import entities_of

            self._entities = EntityIndex(entities_of(self.known.organizations()))
        return self._entities

    def kind_of(self, node_id: str) -> str | None:
        """The kind of a node id stated by this load or held by the store."""
        kind = self.graph.kind_of(node_id)
        if kind is None and (node_id in self._places.nodes or self.schema.kind_of_code(node_id) is not None):
            place = self.places().nodes.get(node_id)  # an NBS code: from the places, read once, not id by id
            kind = place.kind if place is not None else None
        return kind if kind is not None else self.known.kind_of(node_id)



__all__ = ["ADMIN_KINDS", "Known", "LoadContext"]
