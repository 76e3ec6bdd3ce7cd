"""Resolving the names sources use to the nodes they mean; pure.

Two kinds of reference are resolved here:

- **places**, against the administrative roster: by NBS code, or by
  (county, town, normalized name). Real rosters disagree with articles: the
  2023 roster has 西山村 in 店镇 and 崔家西山村 in 通镇, while the article puts
  西山村 in 通镇. Nothing is guessed: a reference is *matched* (one unit),
  *ambiguous* (several, listed with their towns) or *missing* (the closest
  names listed), and only a decision stated by the source (``resolve_to``
  with a ``resolution`` note) or by the planner in a decisions file
  (:mod:`loaders.decisions`) settles the last two;
- **organizations**, across sources (:class:`EntityIndex`): a name stated by
  a second source is the same node when its normalized name (or an alias)
  and its place agree; same name in another place is reported as a possible
  duplicate, never merged.

>>> from graph_model.records import GraphData, make_node
>>> from graph_model.schema import default_schema
>>> s, g = default_schema(), GraphData()
>>> for code, kind, name in [("610828103", "Town", "乌镇"), ("610828103224", "Village", "核桃树墕村")]:
...     g.add_node(make_node(s, kind, {"id": code, "name": name, "source": "NBS"}))
>>> resolve_place(RosterIndex(g), PlaceRef("Village", "核桃樹墕", town="烏鎮")).node.id
'610828103224'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from graph_model.names import NameIndex, match_key
from graph_model.records import GraphData, InputError, Node, Origin, Problem

ADMIN_KINDS = ("Province", "City", "County", "Town", "Village")
CODE_LENGTHS = {"Province": 2, "City": 4, "County": 6, "Town": 9, "Village": 12}


def parent_code(code: str) -> str | None:
    """The NBS code of the unit a unit belongs to (village → town → county → city → province)."""
    for length in (9, 6, 4, 2):
        if len(code) > length and code.isdigit():
            return code[:length]
    return None


def within(code: str | None, scope: str | None) -> bool:
    """Whether the unit ``code`` lies in (or is) the unit ``scope``; NBS codes nest by prefix."""
    return scope is None or (code is not None and code.startswith(scope))


@dataclass(frozen=True)
class PlaceRef:
    """A place as a source names it: kind and name, with the town or county it is in, or its code.

    ``resolve_to`` and ``resolution`` are a decision the source states: which
    roster unit it means, and why.
    """

    kind: str
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
    within their town and county; built once per load."""

    def __init__(self, units: Iterable[Node] | GraphData = ()):
        self.nodes: dict[str, Node] = {}
        self._names = NameIndex()
        self._scopes: dict[tuple[str, str, str | None], str] = {}
        self._described: dict[str, str] = {}
        self._everywhere: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
        self.add(units.nodes.values() if isinstance(units, GraphData) else units)

    def add(self, units: Iterable[Node]) -> None:
        for node in units:
            if node.kind not in ADMIN_KINDS or node.id in self.nodes:
                continue
            if self._scopes or self._described or self._everywhere:  # what was worked out may change
                self._scopes.clear()
                self._described.clear()
                self._everywhere.clear()
            self.nodes[node.id] = node
            code = node.id
            scope = (code[:6] if len(code) > 6 else None, code[:9] if len(code) > 9 else None)
            self._names.add(code, node.kind, [node.name, node.props.get("name_raw"), *node.props.get("aliases", [])],
                            scope=scope)

    def __len__(self) -> int:
        return len(self.nodes)

    @staticmethod
    def _scope(scope: str | None) -> dict[str, str | None]:
        if scope is None or len(scope) not in (6, 9):
            return {"town": None, "county": None}
        return {"town": scope, "county": None} if len(scope) == 9 else {"town": None, "county": scope}

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
            parent = self.nodes.get(parent_code(node.id) or "") if node.kind in ("Village", "Town") else None
            prefix = parent.props["name"] if parent is not None else ""
            found = self._described[node.id] = f"{'' if name.startswith(prefix) else prefix}{name} ({node.id})"
        return found


_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:\.\d+)?[eE][+-]?\d+$")
KEEP_AS_TEXT = ("把编码列设为文本（设置单元格格式 → 文本）再重新填入编码 / format the code column as text (Format Cells → "
                "Text) and type the codes again")


def excel_mangled(text: str) -> tuple[str, str] | None:
    """``(message, hint)`` when a code reads as Excel's scientific notation (``6.10828E+11``): Excel made the
    12-digit code a number, showed it so, and a CSV saved then keeps only what was shown.

    >>> excel_mangled("6.10828E+11")[0].split(" / ")[0]
    '编码被 Excel 改成了科学计数法 6.10828E+11，后几位已丢失'
    >>> excel_mangled("610828105236") is None
    True
    """
    if not _SCIENTIFIC.match(text.strip()):
        return None
    return (f"编码被 Excel 改成了科学计数法 {text}，后几位已丢失 / Excel turned the code into scientific notation "
            f"({text}); its last digits are lost", KEEP_AS_TEXT)


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


def _status(ref: PlaceRef, node: Node) -> str:
    return "exact" if ref.name in (node.name, node.props.get("name_raw")) else "normalized"


def resolve_place(index: RosterIndex, ref: PlaceRef, origin: Origin | None = None) -> Match:
    """The roster unit ``ref`` means, or :class:`InputError` with an :class:`Unresolved` problem."""

    def fail(message: str, status: str, candidates: Iterable[Node], hint: str) -> InputError:
        listed = tuple(dict.fromkeys(index.describe(n) for n in candidates))
        return InputError([Unresolved(origin, f"{message}; candidates 候选: {'; '.join(listed) or 'none / 无'}", hint,
                                      ref=ref, status=status, candidates=listed)])

    if not ref.code and ref.name.isdigit() and len(ref.name) == CODE_LENGTHS.get(ref.kind):
        ref = PlaceRef(ref.kind, "", ref.town, ref.county, ref.name, ref.resolve_to, ref.resolution)
    code = ref.code or ref.resolve_to
    if code:
        chosen = index.nodes.get(code)
        if chosen is None or chosen.kind != ref.kind:
            lost = digits_lost(code)
            if lost:  # no decision can mend it: the planner types the code again (not a reconciliation question)
                raise InputError([Problem(origin, lost, KEEP_AS_TEXT)])
            raise fail(f"代码不在名册中 / {code} is not a {ref.kind} of the roster", "missing",
                       index.named(ref.kind, ref.name) if ref.name else (),
                       "请填写候选中的编码 / use a code listed as a candidate")
    scope = None
    if ref.county:
        scope = index.scope("County", ref.county, None, origin)
    if ref.town and ref.kind == "Village":
        scope = index.scope("Town", ref.town, ref.county, origin)
    elif ref.kind == "Village" and not code and not ref.county:
        named = index.named("Village", ref.name)
        if len(named) == 1:
            return Match(ref, named[0], "unique")
        if named:
            raise fail(f"名册中有 {len(named)} 个“{ref.name}”，须注明所属乡镇 / {len(named)} villages of the roster are named "
                       f"{ref.name}; give its town", "ambiguous", named,
                       "请填写所属乡镇或村的编码 / add the town (乡镇), or the village's code")
    same = index.named(ref.kind, ref.name, scope) if ref.name else []
    inside = {n.id for n in same}

    def elsewhere() -> list[Node]:
        return [n for n in index.named(ref.kind, ref.name) if n.id not in inside] if ref.name else []

    if code:
        outside = elsewhere()
        others = tuple(index.describe(n) for n in [*same, *outside] if n.id != code)
        if ref.code and not ref.resolve_to:
            if ref.name and chosen not in same and chosen not in outside:
                raise fail(f"code {code} is {index.describe(chosen)}, not {ref.context}{ref.name} / 代码与名称不符",
                           "missing", [chosen, *same], "请改正编码或名称 / correct the code or the name")
            return Match(ref, chosen, "code", others)
        if same and chosen not in same:
            raise fail(f"名称已匹配，与指定代码不一致 / {ref.name} matches the roster, but resolve_to names "
                       f"{index.describe(chosen)}", "ambiguous", same,
                       "请删除或改正 resolve_to / remove resolve_to, or correct it")
        needs_reason = not within(chosen.id, scope) or chosen not in same
        if needs_reason and not (ref.resolution or "").strip():
            raise fail(f"resolve_to {code} 是{index.describe(chosen)}，不是{ref.context}{ref.name}，须说明核对依据 / "
                       f"resolve_to {code} is {index.describe(chosen)}, not {ref.context}{ref.name}: say why in "
                       "resolution (说明)", "ambiguous", [chosen], "请在说明中写明依据 / add resolution: <why this unit>")
        return Match(ref, chosen, "curated" if chosen not in same else _status(ref, chosen), others)
    where = f" in {ref.context}" if ref.context else ""
    if len(same) == 1:
        return Match(ref, same[0], _status(ref, same[0]), index.elsewhere(ref.kind, ref.name, inside))
    if len(same) > 1:
        raise fail(f"名册中有 {len(same)} 个同名单位 / {ref.name}{where} matches {len(same)} roster units", "ambiguous",
                   same, "请填写所属乡镇或县、编码，或 resolve_to 加说明 / give the town or county, the code, or resolve_to: <code> "
                   "with resolution: <why>")
    raise fail(f"名册中无此名称 / {ref.kind} {ref.name}{where} is not in the roster", "missing",
               [*index.close(ref.kind, ref.name, scope), *elsewhere()],
               "请改正名称，或填写 resolve_to 和说明 / correct the name, or add resolve_to: <code> and resolution: <why> "
               "to the source")


def try_resolve_place(index: RosterIndex, ref: PlaceRef,
                      origin: Origin | None = None) -> tuple[Match | None, list[Problem]]:
    """:func:`resolve_place` as a value: the match, or ``None`` and the problems (for a caller that weighs
    several readings of one name)."""
    try:
        return resolve_place(index, ref, origin), []
    except InputError as err:
        return None, err.problems


@dataclass
class Entity:
    """An organization known to the load: its id, kind, names and place (an NBS code)."""

    id: str
    kind: str
    name: str
    place: str | None
    keys: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Identity:
    """Which node an organization statement is about, and why (for ``--explain``)."""

    id: str
    reason: str
    duplicates: tuple[str, ...] = ()


class EntityIndex:
    """Organizations already known (in the store, or stated by an earlier source of this load).

    :meth:`identify` decides whether a newly stated organization is one of
    them: the same kind, the same normalized name or alias, and places that
    agree (one lies in the other, or one is unknown).
    """

    def __init__(self, entities: Iterable[Entity] = ()):
        self.by_id: dict[str, Entity] = {}
        self._by_key: dict[tuple[str, str], list[Entity]] = {}
        for entity in entities:
            self.add(entity)

    def add(self, entity: Entity) -> None:
        known = self.by_id.get(entity.id)
        if known is None:
            self.by_id[entity.id] = known = Entity(entity.id, entity.kind, entity.name, entity.place)
        known.place = known.place or entity.place
        for key in entity.keys | {match_key(entity.name)}:
            if key not in known.keys:
                known.keys.add(key)
                self._by_key.setdefault((entity.kind, key), []).append(known)

    def find(self, kind: str, name: str, place: str | None = None) -> list[Entity]:
        """Organizations of ``kind`` known by ``name`` (normalized) whose place agrees with ``place``."""
        return [e for e in self._by_key.get((kind, match_key(name)), []) if _places_agree(e.place, place)]

    def names(self, kinds: Iterable[str]) -> list[str]:
        """Every name of the organizations of ``kinds`` (for "similar names" hints)."""
        wanted = set(kinds)
        return [e.name for e in self.by_id.values() if e.kind in wanted]

    def identify(self, kind: str, name: str, aliases: Iterable[str], place: str | None,
                 new_id: str, explicit: bool = False) -> Identity:
        """The id this statement is about: ``new_id`` when given explicitly or nothing agrees."""
        if explicit:
            known = self.by_id.get(new_id)
            return Identity(new_id, f"id {new_id} given by the source" + (" (already known)" if known else ""))
        keys = [match_key(n) for n in (name, *aliases) if n]
        candidates = list({e.id: e for k in keys for e in self._by_key.get((kind, k), [])}.values())
        agree = [e for e in candidates if _places_agree(e.place, place)]
        if len(agree) == 1:
            entity = agree[0]
            how = "same name" if match_key(name) in entity.keys else "a name it is also known by"
            where = f", place {entity.place or place}" if entity.place or place else ""
            return Identity(entity.id, f"{how} as {entity.name} ({entity.id}){where} / 名称与所在地一致，视为同一组织")
        duplicates = tuple(f"{e.name} ({e.id}, {e.place or '?'})" for e in candidates)
        if duplicates:
            return Identity(new_id, "possible duplicate of " + "; ".join(duplicates) +
                            " / 可能重复：名称相同而所在地不同或不唯一，未合并", duplicates)
        return Identity(new_id, "new / 新增")


def _places_agree(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a.startswith(b) or b.startswith(a)


def entities_of(nodes: Iterable[Node]) -> list[Entity]:
    """The organizations among ``nodes`` as :class:`Entity` records (administrative units left out)."""
    return [Entity(n.id, n.kind, n.name, n.props.get("place"),
                   {match_key(s) for s in (n.name, n.props.get("name_raw"), *n.props.get("aliases", [])) if s})
            for n in nodes if n.kind not in ADMIN_KINDS]


def decision_for(decisions: Mapping[tuple[str, str, str], Mapping[str, Any]], ref: PlaceRef) -> PlaceRef:
    """``ref`` with the planner's decision applied, if the decisions file has one for it."""
    if not decisions:  # no decisions file: spare normalizing the names of every reference
        return ref
    decided = decisions.get(reference_key(ref))
    if not decided or not decided.get("resolve_to"):
        return ref
    return PlaceRef(ref.kind, ref.name, ref.town, ref.county, ref.code, str(decided["resolve_to"]),
                    decided.get("resolution") or ref.resolution)


def reference_key(ref: PlaceRef) -> tuple[str, str, str]:
    """How a decisions file names a reference: kind, context (county + town) and name, normalized."""
    return (ref.kind, match_key(ref.context), match_key(ref.name))
