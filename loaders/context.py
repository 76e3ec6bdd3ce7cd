"""What a load knows while it reads its sources: the roster, the organizations, the decisions.

One :class:`LoadContext` lives for one load. Sources are read in order, and
each sees what the earlier ones stated (so a workbook's tie can name an
organization a case file introduced) and what the store already holds (read
lazily, only when a source needs it). Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from graph_model.records import GraphData, Node, Problem, Tie
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
    handoff: Callable[[GraphData, Mapping[str, Node], Mapping[str, str | None]], None] | None = None
    """In a load in parts, takes the ties read so far, :attr:`part_ties` at a time, with the nodes of the load
    and the kinds of the store's units it found (None: not in the store) (:meth:`add_tie`); None otherwise."""
    part_ties: int = 0
    handed_problems: list[Problem] = field(default_factory=list)
    """The problems of ties found when they were handed on (the load then fails, as for any problem)."""
    whole_needed: bool = False
    """Whether a tie was stated again after its part was handed on: the load must be read again whole."""
    _handed: set[int] = field(default_factory=set)
    _pending: GraphData = field(default_factory=GraphData)  # ties held apart to hand on (with the schema: below)
    _places: RosterIndex = field(default_factory=RosterIndex)
    _store_places_read: bool = False
    _units: dict[str, Node | None] = field(default_factory=dict)  # the store's units tables place rows in, by code
    _unit_kinds: dict[str, str | None] = field(default_factory=dict)  # the kind of every unit they name (or None)
    _entities: EntityIndex | None = None
    named_parties: list[str] = field(default_factory=list)
    """The units whose party organization this load named after them (``through`` in ``schema.yaml``: a 村企联建
    row's village that has none), each once, as a planner reads them; said in one note per table."""
    _tied: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)  # the store's answers to tied_from
    valid_ties: dict[tuple[Any, ...], dict[str, Any]] = field(default_factory=dict)
    """The tie values a table's rows stated and :func:`graph_model.records.make_tie` found valid, by tie kind and
    texts (its memo: a national table repeats them on a million rows); emptied as each part is handed on."""

    def __post_init__(self) -> None:
        self._pending = GraphData(schema=self.schema)

    def add_places(self, nodes: Iterable[Node]) -> None:
        """Roster units read from a source of this load."""
        self._places.add(nodes)

    def places(self) -> RosterIndex:
        """Every administrative unit known: this load's rosters and, read once, the store's."""
        if not self._store_places_read:
            self._places.add(self.known.places())
            self._store_places_read = True
        return self._places

    def unit(self, code: str) -> Node | None:
        """The unit of ``code`` among those :meth:`places` holds, without reading all of the store's: this load's
        rosters, else the store's unit of that code (asked for by :meth:`ask_units`, else alone)."""
        node = self._places.nodes.get(code)
        if node is not None or self._store_places_read:
            return node
        if self.known.units is None:
            return self.places().nodes.get(code)
        if code not in self._units:
            self._keep([code], self.known.units([code]), nodes=True)
        return self._units[code]

    def _unit_kind(self, code: str) -> str | None:
        """The kind of the unit of ``code`` (:meth:`unit`), remembered for the whole load: a part's ties are
        checked when it is handed on, long after its rows were read."""
        if code in self._unit_kinds and code not in self._places.nodes and not self._store_places_read:
            return self._unit_kinds[code]
        place = self.unit(code)
        return place.kind if place is not None else None

    def ask_units(self, places: Iterable[str], ends: Iterable[str] = ()) -> None:
        """Ask the store at once for its units of the NBS codes a part of a table names: ``places`` (the town
        or county of a row: their units kept, for :meth:`unit`) and ``ends`` (of ties: only their kinds kept,
        for :meth:`kind_of`; a national table names 600,000 units). Each is asked for once as a place and once as an
        end at most (a code met as an end and later as a place is asked again, for its unit)."""
        if self._store_places_read or self.known.units is None:
            return
        for codes, held, nodes in ((places, self._units, True), (ends, self._unit_kinds, False)):
            wanted = {c for c in codes if c not in held and c not in self._places.nodes
                      and self.schema.kind_of_code(c) is not None}
            if not wanted:
                continue
            if nodes or self.known.unit_kinds is None:
                self._keep(wanted, self.known.units(wanted), nodes=nodes)
            else:  # the kinds alone (their ids read, not their names)
                kinds = self.known.unit_kinds(wanted)
                self._unit_kinds.update((code, kinds.get(code)) for code in wanted)

    def _keep(self, codes: Iterable[str], units: Iterable[Node], *, nodes: bool) -> None:
        """The kinds of the store's units of ``codes`` (None: the store lacks it), and with ``nodes`` the units."""
        found: dict[str, Node | None] = dict.fromkeys(codes)
        found.update((node.id, node) for node in units if node.id in found)
        if nodes:
            self._units.update(found)
        self._unit_kinds.update((code, node.kind if node is not None else None) for code, node in found.items())

    @property
    def entities(self) -> EntityIndex:
        """The organizations known: the store's (read once) and those this load has stated so far."""
        if self._entities is None:
            from loaders.reconcile import entities_of

            self._entities = EntityIndex(entities_of(self.known.organizations()))
        return self._entities

    def add_tie(self, tie: Tie) -> None:
        """Add a tie a table states. In a load in parts, a tie no earlier source stated is held apart and handed
        on (:attr:`handoff`), checked, with the others so held once there are :attr:`part_ties`; a tie stated
        again after its part went stops it (:attr:`whole_needed`)."""
        if self.handoff is None or tie.key in self.graph.ties:
            self.graph.add_tie(tie)
            return
        if hash(tie.key) in self._handed:
            self.handoff, self.whole_needed = None, True
            self.graph.add_tie(tie)
            return
        self._pending.add_tie(tie)
        if len(self._pending.ties) >= self.part_ties:
            part, self._pending = self._pending, GraphData(schema=self.schema)
            self.valid_ties.clear()  # (kept a part at a time, not scattered through the load's memory)
            self._handed.update(hash(key) for key in part.ties)
            # checked beside the load's nodes, so that a problem names them as a load in one part does
            problems = GraphData(self.graph.nodes, part.ties, part.merge_problems, schema=self.schema).problems(
                self.schema, self.kind_of)
            if problems:
                self.handed_problems += problems
                self.handoff = None  # the load fails: nothing more to hand on
                return
            self.handoff(part, self.graph.nodes, self._unit_kinds)  # (the store's units it found: not asked again)

    def ties_read(self) -> None:
        """At the end of reading: the ties held apart and not handed on go back into the graph. When a tie was
        stated again after its part went, or a later source stated one of them too (their statements would
        combine in another order), :attr:`whole_needed` says so. Contradictions among the held ties (one tie
        stated twice with different values) go with them."""
        held, self._pending = self._pending, GraphData(schema=self.schema)
        restated = any(key in self.graph.ties for key in held.ties)
        handed = bool(self._handed) and any(hash(key) in self._handed for key in self.graph.ties)
        self.whole_needed = self.whole_needed or restated or handed
        self.graph.merge_problems.extend(held.merge_problems)
        self.graph.ties.update(held.ties)

    def tied_from(self, type_: str, source: str, node_id: str) -> list[str]:
        """The nodes of kind ``source`` tied by ``type_`` to the node ``node_id``, in the store or this load (a
        unit's party organizations, by PARTY_ORG_OF), each once; the store asked once per node."""
        key = (type_, source, node_id)
        if key not in self._tied:
            target = self.kind_of(node_id)
            held = self.known.tied_from(type_, source, target, [node_id]) if target else {}
            self._tied[key] = list(held.get(node_id, ()))
        stated = [t.source_id for ties in (self.graph.ties, self._pending.ties) for t in ties.values()
                  if t.type == type_ and t.target_id == node_id and self.kind_of(t.source_id) == source]
        return list(dict.fromkeys([*self._tied[key], *stated]))

    def kind_of(self, node_id: str) -> str | None:
        """The kind of a node id stated by this load or held by the store."""
        kind = self.graph.kind_of(node_id)
        if kind is None and (node_id in self._places.nodes or self.schema.kind_of_code(node_id) is not None):
            kind = self._unit_kind(node_id)  # an NBS code: among the units asked for with its part, not id by id
        return kind if kind is not None else self.known.kind_of(node_id)



__all__ = ["ADMIN_KINDS", "Known", "LoadContext"]
