"""Resolving the names sources use to the nodes they mean; pure.

Two kinds of reference are resolved here:

- **places**, against the administrative roster (the resolver lives in
  :mod:`graph_model.places`, beside the hierarchy, and is used by the stores too): by NBS code, or by
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

from graph_model.names import match_key
from graph_model.places import (KEEP_AS_TEXT, Match, PlaceRef, RosterIndex, Unresolved, digits_lost, parent_code,
                                 resolve_place, try_resolve_place, within)
from graph_model.records import Node
from graph_model.schema import default_schema

ADMIN_KINDS = default_schema().administrative_kinds
"""The administrative kinds, as ``schema.yaml`` declares its levels (the loaders' shorthand)."""
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:\.\d+)?[eE][+-]?\d+$")


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


NEW = "新增 / new"
"""The reason of an identity that is a new organization (no other has its name and place)."""


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
            return Identity(entity.id, f"名称与所在地一致，视为同一组织 / {how} as {entity.name} ({entity.id}){where}")
        duplicates = tuple(f"{e.name} ({e.id}, {e.place or '?'})" for e in candidates)
        if duplicates:
            return Identity(new_id, "可能重复：名称相同而所在地不同或不唯一，未合并 / possible duplicate of "
                            + "; ".join(duplicates), duplicates)
        return Identity(new_id, NEW)


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


__all__ = ["ADMIN_KINDS", "Entity", "EntityIndex", "Identity", "Match", "PlaceRef", "RosterIndex",
           "Unresolved", "decision_for", "entities_of", "parent_code", "reference_key", "resolve_place", "within"]
