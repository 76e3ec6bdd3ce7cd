"""Places: the administrative hierarchy, where any node lies, and the one resolver of place names; pure.

The levels (province … village), their NBS code lengths and the ties that
place a node are declared in ``schema.yaml`` (:attr:`graph_model.schema.Schema.levels`,
:attr:`~graph_model.schema.Schema.placing_ties`). Everything that asks where a node
lies asks here: the loads (a roster unit a source names, :func:`resolve_place`),
the stores' ``within`` (:meth:`stores.base.Store.ids_within` gives the same
nodes as :func:`nodes_within`), the named queries, coverage, the report's
groups, the map's place filter and ``serve``.

Where a node lies (:func:`places_of`):

- an administrative unit lies at itself, inside the unit above it (PART_OF,
  else its code's prefix);
- an organization lies where its ``place`` says, else where its placing ties
  (LOCATED_IN, PARTY_ORG_OF) lead: the unit, or the organization whose place it
  takes (the party branch of a company lies where the company lies);
- an organization that nothing places (a joint committee) lies where the placed
  nodes lie that it reaches through working ties, through other organizations
  placed nowhere: the joint committee of two villages of 乌镇 lies in 乌镇.

>>> from graph_model.schema import default_schema
>>> from loaders import load_sources
>>> jia = load_sources(["examples/jia_county/case.yaml"]).graph
>>> places = places_of(jia, default_schema())
>>> [jia.nodes[places.town[n]].name for n in ("jia:hetaoshuyan_joint_committee", "jia:cattle_farm")]
['乌镇', '乌镇']
>>> "jia:cattle_farm" in nodes_within(jia, default_schema(), "610828", places)
True
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Sequence

from graph_model.names import NameIndex, match_key
from graph_model.records import GraphData, InputError, Node, Origin, Problem
from graph_model.schema import Schema, default_schema


@functools.cache
def _levels(schema: Schema) -> tuple[tuple[str, int], ...]:
    return tuple((level.kind, level.code_length) for level in schema.levels)


def parent_code(code: str, schema: Schema | None = None) -> str | None:
    """The NBS code of the unit a unit belongs to (village → town → county → city → province).

    >>> parent_code("610828103224"), parent_code("61")
    ('610828103', None)
    """
    lengths = [n for _, n in _levels(schema or default_schema())]
    return next((code[:n] for n in reversed(lengths) if len(code) > n and code.isdigit()), None)


def within(code: str | None, scope: str | None) -> bool:
    """Whether the unit ``code`` lies in (or is) the unit ``scope``; NBS codes nest by prefix."""
    return scope is None or (code is not None and code.startswith(scope))


# ---------------------------------------------------------------- where nodes lie

@dataclass
class Places:
    """Where each node of a graph lies (see the module): ``at`` the units each lies at (one for a placed
    node, those reached for one placed nowhere), ``parent`` the unit above each unit, ``kinds`` the kind
    of each unit; ``town`` and ``county`` the town and county of each node that lies in one only."""

    schema: Schema
    kinds: dict[str, str] = field(default_factory=dict)
    parent: dict[str, str] = field(default_factory=dict)
    at: dict[str, tuple[str, ...]] = field(default_factory=dict)
    town: dict[str, str] = field(default_factory=dict)
    county: dict[str, str] = field(default_factory=dict)

    def group(self, node_id: str) -> str | None:
        """The node's town, else its county (county-level units form a group of their own), else None."""
        return self.town.get(node_id) or self.county.get(node_id)

    def ancestors(self, unit: str) -> list[str]:
        """``unit`` and the units above it, bottom up."""
        chain = [unit]
        while chain[-1] in self.parent and len(chain) <= len(self.schema.levels):
            chain.append(self.parent[chain[-1]])
        return chain

    def units_of_kind(self, kind: str) -> dict[str, str]:
        """The unit of ``kind`` each unit lies in (or is), worked out once per unit (nationally, 660,000)."""
        found: dict[str, str] = {}
        for unit in sorted(self.kinds, key=len):  # codes: a unit after the unit above it
            up = self.parent.get(unit)
            at = unit if self.kinds[unit] == kind else found.get(up) if up is not None else None
            if at is None and up is not None and up not in found:
                at = next((u for u in self.ancestors(unit) if self.kinds.get(u) == kind), None)
            if at is not None:
                found[unit] = at
        return found

    def of_kind(self, node_id: str, kind: str) -> str | None:
        """The unit of ``kind`` the node lies in, when all the units it lies at share one."""
        return self._shared([self.ancestors(unit) for unit in self.at.get(node_id, ())], kind)

    def _shared(self, chains: list[list[str]], kind: str) -> str | None:
        """The one unit of ``kind`` on every chain of units (bottom up), or None."""
        found = {next((u for u in chain if self.kinds.get(u) == kind), None) for chain in chains}
        return found.pop() if len(found) == 1 and None not in found else None

    def finest(self, kinds: Iterable[str]) -> dict[str, str]:
        """Each node's unit of the lowest of ``kinds`` (listed top down) that it lies in, when there is one:
        the place the map files it under (its town, else its county …). Worked out once per set of units."""
        levels = tuple(reversed(tuple(kinds)))
        by_units: dict[tuple[str, ...], str | None] = {}
        found = {}
        for node_id, units in self.at.items():
            if units not in by_units:
                chains = [self.ancestors(u) for u in units]
                by_units[units] = next(filter(None, (self._shared(chains, kind) for kind in levels)), None)
            if by_units[units] is not None:
                found[node_id] = by_units[units]
        return found

    def lies_in(self, node_id: str, unit: str) -> bool:
        """Whether the node lies in ``unit`` (or is it): one of the units it lies at is in it."""
        return any(unit in self.ancestors(at) or within(at, unit) for at in self.at.get(node_id, ()))


def places_of(graph: GraphData, schema: Schema | None = None) -> Places:
    """Where every node of ``graph`` lies (see the module)."""
    schema = schema or graph.schema or default_schema()
    levels = set(schema.administrative_kinds)
    nodes = graph.nodes
    places = Places(schema, kinds={n.id: n.kind for kind in levels for n in graph.nodes_of(kind)})
    placing: dict[str, list[str]] = {}
    working: dict[str, set[str]] = {}
    for tie in graph.ties.values():
        if tie.type in schema.placing_ties:
            placing.setdefault(tie.source_id, []).append(tie.target_id)
        elif tie.type in schema.working_ties:
            working.setdefault(tie.source_id, set()).add(tie.target_id)
            working.setdefault(tie.target_id, set()).add(tie.source_id)
    for unit in places.kinds:
        above = next((t for t in placing.get(unit, ()) if t in places.kinds), None) or parent_code(unit, schema)
        if above in places.kinds:
            places.parent[unit] = above
    placed = _placed(nodes, places.kinds, placing)
    alone: dict[str, tuple[str]] = {}  # one tuple per unit, shared by the nodes placed at it (nationally 900,000)
    places.at = {n: alone.get(p) or alone.setdefault(p, (p,)) for n, p in placed.items()}
    places.at.update(_reached(nodes, placed, working, places.kinds))
    for kind, found in ((schema.level_kind("town"), places.town), (schema.level_kind("county"), places.county)):
        of_unit = places.units_of_kind(kind)
        for node_id, units in places.at.items():
            unit = of_unit.get(units[0]) if len(units) == 1 else places.of_kind(node_id, kind)
            if unit is not None:
                found[node_id] = unit
    return places


def _placed(nodes: Mapping[str, Node], units: Mapping[str, str], placing: Mapping[str, list[str]]) -> dict[str, str]:
    """The unit each placed node lies at: a unit itself; an organization its ``place``, else the unit or the
    placed organization its placing ties lead to (followed as far as they go)."""
    placed = {unit: unit for unit in units}
    for node in nodes.values():
        if node.id not in units and node.props.get("place"):
            placed[node.id] = node.props["place"]
    pending = [n for n in placing if n not in placed]
    while pending:
        before = len(pending)
        for node_id in pending:
            target = next((placed[t] for t in placing[node_id] if t in placed), None)
            if target is not None:
                placed[node_id] = target
        pending = [n for n in pending if n not in placed]
        if len(pending) == before:
            break
    return placed


def _reached(nodes: Mapping[str, Node], placed: Mapping[str, str], working: Mapping[str, set[str]],
             units: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """For each organization placed nowhere that works with a placed node (directly, or through others placed
    nowhere): the units of the placed nodes its group of unplaced organizations works with."""
    found: dict[str, tuple[str, ...]] = {}
    for start in working:
        if start in placed or start in found or start in units or start not in nodes:
            continue
        group, anchors, frontier = {start}, set(), [start]
        while frontier:
            node_id = frontier.pop()
            for other in working.get(node_id, ()):
                if other in placed:
                    anchors.add(placed[other])
                elif other not in group:
                    group.add(other)
                    frontier.append(other)
        for node_id in group:
            found[node_id] = tuple(sorted(anchors))
    return {n: a for n, a in found.items() if a}


def nodes_within(graph: GraphData, schema: Schema, code: str, places: Places | None = None) -> set[str]:
    """The nodes of the unit ``code``, as :meth:`stores.base.Store.ids_within` finds them in a store: the
    nodes that lie in it, the nodes they work with (a node placed elsewhere is included, not followed), and
    the attributes (industries) of all those."""
    places = places or places_of(graph, schema)
    inside = {n for n in graph.nodes if places.lies_in(n, code)}
    found = set(inside)
    attribute: set[str] = set()
    for tie in graph.ties.values():
        ends = (tie.source_id, tie.target_id)
        if tie.type in schema.working_ties:
            found.update(ends if inside & set(ends) else ())
    for tie in graph.ties.values():
        if tie.type in schema.attribute_ties and {tie.source_id, tie.target_id} & found:
            attribute.update((tie.source_id, tie.target_id))
    return found | attribute


# ---------------------------------------------------------------- the one resolver of place names

@dataclass(frozen=True)
class PlaceRef:
    """A place as a source names it: kind and name, with the town or county it is in, or its code.

    ``kind`` None: a unit of any level (a query's ``within``: 佳县, 乌镇). ``resolve_to`` and
    ``resolution`` are a decision the source states: which roster unit it means, and why.
    """

    kind: str | None
    name: str
    town: str | None = None
    county: str | None = None
    code: str | None = None
    resolve_to: str | None = None
    resolution: str | None = None

    @property
    def context(self) -> str:
        return "".join(filter(None, (self.county, self.town)))


@dataclass(frozen=True)
class Match:
    """How a :class:`PlaceRef` was resolved.

    ``status`` is ``code`` (the source gave the code), ``exact`` (same name),
    ``normalized`` (same after normalization: Traditional or variant
    characters, suffixes), ``curated`` (a decision of the source or the
    planner) or ``unique`` (a village named without its town, the only one of
    that name in the roster). ``others`` describe units that could also be meant.
    """

    ref: PlaceRef
    node: Node
    status: str
    others: tuple[str, ...] = ()

    @property
    def note(self) -> str:
        """A bilingual one-paragraph account, stored on the node as ``reconciliation``."""
        where = self.ref.context
        parts = [f"来源称“{where}{self.ref.name}” / source says {where}{self.ref.name}: "
                 f"{self.status} → {self.node.name} ({self.node.id})"]
        if self.status == "unique":
            parts.append("未注明乡镇，名册中仅此一个同名村 / no town given; the only village of that name in the roster")
        if self.ref.resolution:
            parts.append(self.ref.resolution)
        if self.others:
            parts.append(f"其他候选 / other candidates: {'、'.join(self.others)}")
        return "; ".join(parts)

    @property
    def is_conflict(self) -> bool:
        return self.status == "curated" or bool(self.others)


@dataclass(frozen=True)
class Unresolved(Problem):
    """A reference that matched no unit, or several: the problem plus what a reviewer needs to decide."""

    ref: PlaceRef | None = None
    status: str = "missing"
    candidates: tuple[str, ...] = ()


class RosterIndex:
    """Administrative units by id and, through one :class:`graph_model.names.NameIndex`, by name
    within their town and county; built once per load (or of the units a query's name may mean)."""

    def __init__(self, units: Iterable[Node] | GraphData = (), schema: Schema | None = None):
        self.schema = schema or default_schema()
        self._levels = set(self.schema.administrative_kinds)
        self._town, self._county = self.schema.level_kind("town"), self.schema.level_kind("county")
        # worked out once: a load asks for every reference it resolves
        self._scope_levels = {self.schema.code_length(self._town): "town", self.schema.code_length(self._county): "county"}
        kinds = self.schema.administrative_kinds
        self._below_county = frozenset(kinds[kinds.index(self._town):])
        self.nodes: dict[str, Node] = {}
        self._names = NameIndex()
        self._scopes: dict[tuple[str, str, str | None], str] = {}
        self._described: dict[str, str] = {}
        self._everywhere: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
        self.add(units.nodes.values() if isinstance(units, GraphData) else units)

    def add(self, units: Iterable[Node]) -> None:
        county, town = self.schema.code_length(self._county), self.schema.code_length(self._town)
        for node in units:
            if node.kind not in self._levels or node.id in self.nodes:
                continue
            if self._scopes or self._described or self._everywhere:  # what was worked out may change
                self._scopes.clear()
                self._described.clear()
                self._everywhere.clear()
            self.nodes[node.id] = node
            code = node.id
            scope = (code[:county] if len(code) > county else None, code[:town] if len(code) > town else None)
            self._names.add(code, node.kind, [node.name, node.props.get("name_raw"), *node.props.get("aliases", [])],
                            scope=scope)

    def __len__(self) -> int:
        return len(self.nodes)

    def _scope(self, scope: str | None) -> dict[str, str | None]:
        level = self._scope_levels.get(len(scope)) if scope is not None else None
        return {"town": scope if level == "town" else None, "county": scope if level == "county" else None}

    def named(self, kind: str, name: str, scope: str | None = None) -> list[Node]:
        """Units of ``kind`` called ``name`` (after normalization) inside the unit ``scope``."""
        ids = self._names.exact(name, kind, **self._scope(scope))
        return [self.nodes[i] for i in ids if within(i, scope)] if scope else [self.nodes[i] for i in ids]

    def elsewhere(self, kind: str, name: str, inside: set[str]) -> tuple[str, ...]:
        """:meth:`describe` of each unit of ``kind`` in the country called ``name``, except those of
        ``inside``. Kept per name: nationally a common name (新村) means hundreds of units, and a load
        asks again for each place so named."""
        described = self._everywhere.get((kind, name))
        if described is None:
            nodes = self.nodes
            described = self._everywhere[(kind, name)] = tuple((i, self.describe(nodes[i]))
                                                               for i in self._names.exact(name, kind))
        return tuple(text for node_id, text in described if node_id not in inside)

    def close(self, kind: str, name: str, scope: str | None = None, n: int = 3) -> list[Node]:
        """The units ``name`` may mean, best first: same town or county first, then elsewhere."""
        found = self._names.candidates(name, kind, **self._scope(scope), limit=n)
        return [self.nodes[c.id] for c in found]

    def scope(self, kind: str, name: str, county: str | None, origin: Origin | None) -> str:
        """The code of the county or town a reference names as its context, resolved once per load (a table
        names the same town on thousands of rows)."""
        key = (kind, name, county)
        found = self._scopes.get(key)
        if found is None:
            found = self._scopes[key] = resolve_place(self, PlaceRef(kind, name, county=county), origin).node.id
        return found

    def describe(self, node: Node) -> str:
        """``店镇西山村 (610828102209)``: a unit with the town (or county) it belongs to."""
        found = self._described.get(node.id)
        if found is None:  # names read from props, not through Node.name: this runs for every unit described
            name = node.props["name"]
            parent = self.nodes.get(parent_code(node.id, self.schema) or "") if node.kind in self._below_county else None
            prefix = parent.props["name"] if parent is not None else ""
            found = self._described[node.id] = f"{'' if name.startswith(prefix) else prefix}{name} ({node.id})"
        return found


def told_apart(places: Iterable[Sequence[str | None]]) -> list[str]:
    """The names a list shows of ``places``, each ``(id, name, town)``: a name two places of the list share is
    shown with its town, as :meth:`RosterIndex.describe` writes a unit (北景镇弄冠村, 板升乡弄冠村), so that a
    planner tells two villages apart where the name alone would show one; the others by their name. Pure.

    >>> told_apart([("451229104210", "弄冠村", "北景镇"), ("451229203205", "弄冠村", "板升乡"), ("1", "弄合村", "北景镇")])
    ['北景镇弄冠村', '板升乡弄冠村', '弄合村']
    """
    rows = [tuple(place) for place in places]
    ids_by_name: dict[str | None, set] = {}
    for node_id, name, _ in rows:
        ids_by_name.setdefault(name, set()).add(node_id)
    return list(dict.fromkeys(f"{'' if not town or str(name).startswith(town) else town}{name}"
                              if len(ids_by_name[name]) > 1 else str(name) for _, name, town in rows))


def _status(ref: PlaceRef, node: Node) -> str:
    return "exact" if ref.name in (node.name, node.props.get("name_raw")) else "normalized"


def _any_level(index: RosterIndex, ref: PlaceRef) -> PlaceRef:
    """``ref`` (of no kind) with the kind of the unit it names: a code's level, else the level of the unit
    whose whole name it is, which wins over units of other levels it matches otherwise (乌镇 the town, not
    乌镇村), not over another of its own level (西山村, and 崔家西山村 whose alias it is)."""
    schema = index.schema
    if ref.name.isdigit():
        return PlaceRef(schema.kind_of_code(ref.name) or "", "", code=ref.name)
    key = match_key(ref.name)
    found = [node for kind in schema.administrative_kinds for node in index.named(kind, ref.name)]
    whole = {n.kind for n in found if match_key(n.name) == key}
    others = {n.kind for n in found if match_key(n.name) != key}
    kinds = whole if whole and not others & whole else {n.kind for n in found}
    units = [n.id for n in found if n.kind in kinds]
    if len(units) != 1:
        return PlaceRef("", ref.name, ref.town, ref.county)
    return PlaceRef(kinds.pop(), ref.name, ref.town, ref.county, code=units[0])


def resolve_place(index: RosterIndex, ref: PlaceRef, origin: Origin | None = None) -> Match:
    """The roster unit ``ref`` means, or :class:`InputError` with an :class:`Unresolved` problem.

    The one resolver of place names: loads, the queries' ``within`` and place parameters, the map and
    extraction all call it. A reference of no kind may mean a unit of any level (:func:`_any_level`).
    """
    if ref.kind is not None:
        return _resolve_of_kind(index, ref, origin)
    chosen = _any_level(index, ref)
    if chosen.kind:
        return _resolve_of_kind(index, chosen, origin)
    found = [n for kind in index.schema.administrative_kinds for n in index.named(kind, ref.name)]
    listed = tuple(dict.fromkeys(f"{index.schema.node_kind(n.kind).zh} {index.describe(n)}" for n in found))
    what = (f"“{ref.name}”对应 {len(found)} 个区划，请改用区划代码 / {ref.name!r} names {len(found)} units, give the "
            f"code: {'; '.join(listed)}" if found else f"找不到该区划 / no administrative unit named {ref.name!r}")
    raise InputError([Unresolved(origin, what, "请改用区划代码 / give the code", ref=ref,
                                 status="ambiguous" if found else "missing", candidates=listed)])


def by_codes(ref: PlaceRef, unit: Callable[[str], Node | None], schema: Schema) -> Node | None:
    """The unit :func:`resolve_place` gives ``ref`` when the reference and the county (and, for a village, the
    town) it names are codes alone, each of a unit of its level that ``unit`` finds (this load's rosters, else the
    store): the unit of its code. None when it cannot be told that way; :func:`resolve_place` then decides, with
    every unit known. (A code alone is its unit, whatever else the roster holds; the county or town beside it
    must be one too.)

    >>> from graph_model.records import make_node
    >>> s = default_schema()
    >>> units = {n.id: n for n in [make_node(s, "County", {"id": "610828", "name": "佳县", "source": "NBS"}),
    ...                            make_node(s, "Town", {"id": "610828103", "name": "乌镇", "source": "NBS"})]}
    >>> by_codes(PlaceRef("Town", "610828103", county="610828"), units.get, s).name
    '乌镇'
    >>> by_codes(PlaceRef("Town", "610828103", county="佳县"), units.get, s) is None  # a name: resolve_place
    True
    """
    village = schema.level_kind("village")
    if not ref.kind or ref.code or ref.resolve_to:
        return None
    given = [(ref.kind, ref.name), (schema.level_kind("county"), ref.county),
             (schema.level_kind("town"), ref.town if ref.kind == village else None)]
    for kind, code in given:
        if code is None:
            continue
        found = unit(code) if code.isdigit() and len(code) == schema.code_length(kind) else None
        if found is None or found.kind != kind:
            return None
    return unit(ref.name)


KEEP_AS_TEXT = ("把编码列设为文本（设置单元格格式 → 文本）再重新填入编码 / format the code column as text (Format Cells → "
                "Text) and type the codes again")


def digits_lost(code: str) -> str | None:
    """A note for a town or village code that ends in zeros no unit's code ends in (``610828100000``): what is left
    of a code Excel stored as a number and shortened; ``None`` for anything else.

    >>> digits_lost("610828100000").split(" / ")[0]
    '编码 610828100000 末尾是 0，可能是 Excel 把编码存成数字后丢了末几位'
    >>> digits_lost("610828105236"), digits_lost("贺寨酒业")
    (None, None)
    """
    if not (code.isdigit() and len(code) in (9, 12) and code.endswith("000")):
        return None
    return (f"编码 {code} 末尾是 0，可能是 Excel 把编码存成数字后丢了末几位 / the code {code} ends in zeros: Excel may have "
            "stored it as a number and lost its last digits")


def _failure(index: RosterIndex, ref: PlaceRef, origin: Origin | None, message: str, status: str,
             candidates: Iterable[Node], hint: str) -> InputError:
    """The error of a reference that matched no unit (``missing``) or several (``ambiguous``), its candidates
    described with their towns."""
    listed = tuple(dict.fromkeys(index.describe(n) for n in candidates))
    return InputError([Unresolved(origin, f"{message}; 候选 candidates: {'; '.join(listed) or '无 / none'}", hint,
                                  ref=ref, status=status, candidates=listed)])


def _resolve_of_kind(index: RosterIndex, ref: PlaceRef, origin: Origin | None) -> Match:
    """:func:`resolve_place` for a reference of a known kind: by its code or decision, else by its name
    within the town or county it gives."""
    village = index.schema.level_kind("village")
    if not ref.code and ref.name.isdigit() and len(ref.name) == index.schema.code_length(ref.kind):
        ref = PlaceRef(ref.kind, "", ref.town, ref.county, ref.name, ref.resolve_to, ref.resolution)
    code = ref.code or ref.resolve_to
    scope = None
    if ref.county:
        scope = index.scope(index.schema.level_kind("county"), ref.county, None, origin)
    if ref.town and ref.kind == village:
        scope = index.scope(index.schema.level_kind("town"), ref.town, ref.county, origin)
    elif ref.kind == village and not code and not ref.county:
        return _village_without_town(index, ref, origin)
    if code:
        return _resolve_code(index, ref, code, scope, origin)
    return _resolve_name(index, ref, scope, origin)


def _village_without_town(index: RosterIndex, ref: PlaceRef, origin: Origin | None) -> Match:
    """A village named without its town: the only one of that name in the roster, else an error listing
    those of that name with their towns."""
    named = index.named(ref.kind, ref.name)
    if len(named) == 1:
        return Match(ref, named[0], "unique")
    if named:
        raise _failure(index, ref, origin, f"名册中有 {len(named)} 个“{ref.name}”，须注明所属乡镇 / {len(named)} villages "
                       f"of the roster are named {ref.name}; give its town", "ambiguous", named,
                       "请填写所属乡镇或村的编码 / add the town (乡镇), or the village's code")
    return _resolve_name(index, ref, None, origin)


def _resolve_code(index: RosterIndex, ref: PlaceRef, code: str, scope: str | None, origin: Origin | None) -> Match:
    """A reference with a code (``ref.code``) or a decision (``resolve_to``): the unit must exist, be of the
    kind, and agree with the name, or the decision must say why it does not."""
    chosen = _unit_of_code(index, ref, code, origin)
    same = index.named(ref.kind, ref.name, scope) if ref.name else []
    outside = [n for n in index.named(ref.kind, ref.name) if n not in same] if ref.name else []
    others = tuple(index.describe(n) for n in [*same, *outside] if n.id != code)
    if ref.code and not ref.resolve_to:
        if ref.name and chosen not in same and chosen not in outside:
            raise _failure(index, ref, origin, f"代码与名称不符 / code {code} is {index.describe(chosen)}, not "
                           f"{ref.context}{ref.name}", "missing", [chosen, *same],
                           "请改正编码或名称 / correct the code or the name")
        return Match(ref, chosen, "code", others)
    _check_decision(index, ref, chosen, scope, same, origin)
    return Match(ref, chosen, "curated" if chosen not in same else _status(ref, chosen), others)


def _unit_of_code(index: RosterIndex, ref: PlaceRef, code: str, origin: Origin | None) -> Node:
    """The roster unit of ``code``, of the reference's kind, else an error (digits lost, or not in the roster)."""
    chosen = index.nodes.get(code)
    if chosen is not None and chosen.kind == ref.kind:
        return chosen
    lost = digits_lost(code)
    if lost:  # no decision can mend it: the planner types the code again (not a reconciliation question)
        raise InputError([Problem(origin, lost, KEEP_AS_TEXT)])
    candidates = index.named(ref.kind, ref.name) if ref.name else []
    if chosen is None and not candidates:
        unit = f"{code} {ref.name}" if ref.name else code
        raise _failure(index, ref, origin, f"{unit} 不在库的名册中 / {unit} is not in the store's roster", "missing", (),
                       _roster_hint(index, code))
    raise _failure(index, ref, origin, f"代码不在名册中 / {code} is not a {ref.kind} of the roster", "missing",
                   candidates, "请填写候选中的编码 / use a code listed as a candidate")


def _roster_hint(index: RosterIndex, code: str) -> str:
    """What to do about a unit the store's roster lacks (a county an article only mentions): load the
    roster of its county (of its city or province, for a code of those), or leave the row out."""
    lengths = {level: index.schema.code_length(index.schema.level_kind(level)) for level in ("county", "city", "province")}
    level = next((level for level, length in lengths.items() if len(code) >= length), "province")
    option = f"linkgraph roster --{level} {code[:lengths[level]]}"
    return f"请先载入它的名册（{option}），或不采纳该行 / load its roster ({option}), or do not accept the row"


def _check_decision(index: RosterIndex, ref: PlaceRef, chosen: Node, scope: str | None, same: list[Node],
                    origin: Origin | None) -> None:
    """A ``resolve_to`` decision must not contradict a name that matches (``same``), and must give its reason
    where it names a unit outside the scope or of another name."""
    code = chosen.id
    if same and chosen not in same:
        raise _failure(index, ref, origin, f"名称已匹配，与指定代码不一致 / {ref.name} matches the roster, but resolve_to "
                       f"names {index.describe(chosen)}", "ambiguous", same,
                       "请删除或改正 resolve_to / remove resolve_to, or correct it")
    needs_reason = not within(chosen.id, scope) or chosen not in same
    if needs_reason and not (ref.resolution or "").strip():
        raise _failure(index, ref, origin, f"resolve_to {code} 是{index.describe(chosen)}，不是{ref.context}{ref.name}，"
                       f"须说明核对依据 / resolve_to {code} is {index.describe(chosen)}, not {ref.context}{ref.name}: say "
                       "why in resolution (说明)", "ambiguous", [chosen],
                       "请在说明中写明依据 / add resolution: <why this unit>")


def _resolve_name(index: RosterIndex, ref: PlaceRef, scope: str | None, origin: Origin | None) -> Match:
    """A reference by name within ``scope``: the one unit so named there, else an error with the candidates
    (the closest names there, then units of that name elsewhere)."""
    same = index.named(ref.kind, ref.name, scope) if ref.name else []
    inside = {n.id for n in same}
    where = f" in {ref.context}" if ref.context else ""
    if len(same) == 1:
        return Match(ref, same[0], _status(ref, same[0]), index.elsewhere(ref.kind, ref.name, inside))
    if len(same) > 1:
        raise _failure(index, ref, origin, f"名册中有 {len(same)} 个同名单位 / {ref.name}{where} matches {len(same)} "
                       "roster units", "ambiguous", same, "请填写所属乡镇或县、编码，或 resolve_to 加说明 / give the town or "
                       "county, the code, or resolve_to: <code> with resolution: <why>")
    elsewhere = [n for n in index.named(ref.kind, ref.name) if n.id not in inside] if ref.name else []
    raise _failure(index, ref, origin, f"名册中无此名称 / {ref.kind} {ref.name}{where} is not in the roster", "missing",
                   [*index.close(ref.kind, ref.name, scope), *elsewhere],
                   "请改正名称，或填写 resolve_to 和说明 / correct the name, or add resolve_to: <code> and resolution: "
                   "<why> to the source")


def try_resolve_place(index: RosterIndex, ref: PlaceRef,
                      origin: Origin | None = None) -> tuple[Match | None, list[Problem]]:
    """:func:`resolve_place` as a value: the match, or ``None`` and the problems (for a caller that weighs
    several readings of one name)."""
    try:
        return resolve_place(index, ref, origin), []
    except InputError as err:
        return None, err.problems
