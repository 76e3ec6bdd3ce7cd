"""Resolving place names from articles and spreadsheets against the roster; pure.

Real rosters disagree with articles: the 2023 roster has 西山村 in 店镇 and
崔家西山村 in 通镇, while the article puts 西山村 in 通镇. Resolution never
guesses silently. An exact match (after normalization) in the stated town is
taken, and same-named villages elsewhere are recorded beside it; anything else
fails with the candidates listed, unless the source states a curated decision
(``resolve_to`` with a ``resolution`` note), which is then recorded with every
competing candidate.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph_model.names import match_key, same_name, similar_names
from graph_model.records import GraphData, InputError, Node, Origin, Problem


@dataclass(frozen=True)
class PlaceRef:
    """A place as a source names it: kind, name, and for a village its town."""

    kind: str
    name: str
    town: str | None = None
    resolve_to: str | None = None
    resolution: str | None = None


@dataclass(frozen=True)
class Match:
    """How a :class:`PlaceRef` was resolved.

    ``status`` is ``exact`` (same name), ``normalized`` (same after
    normalization: variants, Traditional forms) or ``curated`` (a decision the
    source states). ``others`` describe roster units that could also be meant (``店镇西山村 (610828102209)``).
    """

    ref: PlaceRef
    node: Node
    status: str
    others: tuple[str, ...] = ()

    @property
    def note(self) -> str:
        """A bilingual one-paragraph account, stored on the node as ``reconciliation``."""
        where = self.ref.town or ""
        parts = [f"来源称“{where}{self.ref.name}” / source says {where}{self.ref.name}: "
                 f"{self.status} → {self.node.name} ({self.node.id})"]
        if self.ref.resolution:
            parts.append(self.ref.resolution)
        if self.others:
            parts.append(f"其他候选 / other candidates: {'、'.join(self.others)}")
        return "; ".join(parts)

    @property
    def is_conflict(self) -> bool:
        return self.status == "curated" or bool(self.others)


class RosterIndex:
    """Roster units by kind and normalized name, and villages by town."""

    def __init__(self, roster: GraphData):
        self.units: dict[str, list[Node]] = {}
        for node in roster.nodes.values():
            self.units.setdefault(node.kind, []).append(node)
        self.town_of: dict[str, str] = {}
        for tie in roster.ties.values():
            if tie.type == "PART_OF" and roster.nodes[tie.source_id].kind == "Village":
                self.town_of[tie.source_id] = tie.target_id
        self.nodes = roster.nodes

    def named(self, kind: str, name: str) -> list[Node]:
        return [n for n in self.units.get(kind, []) if same_name(name, [n.name, n.props.get("name_raw")])]

    def villages_in(self, town_id: str) -> list[Node]:
        return [n for n in self.units.get("Village", []) if self.town_of.get(n.id) == town_id]

    def describe(self, node: Node) -> str:
        town = self.nodes.get(self.town_of.get(node.id, ""))
        return f"{town.name if town else ''}{node.name} ({node.id})"


def _status(ref: PlaceRef, node: Node) -> str:
    return "exact" if ref.name in (node.name, node.props.get("name_raw")) else "normalized"


def resolve_place(index: RosterIndex, ref: PlaceRef, origin: Origin | None = None) -> Match:
    """The roster unit ``ref`` means, or :class:`InputError` naming the candidates."""

    def fail(message: str, candidates: list[Node], hint: str) -> InputError:
        listed = "; ".join(index.describe(n) for n in candidates) or "none / 无"
        return InputError([Problem(origin, f"{message}; candidates 候选: {listed}", hint)])

    if ref.kind == "Village":
        if not ref.town:
            raise fail(f"village {ref.name} needs its town / 村须注明所属乡镇", index.named("Village", ref.name),
                       "add town: <乡镇名>")
        town = resolve_place(index, PlaceRef("Town", ref.town), origin).node
        pool = index.villages_in(town.id)
        same = index.named("Village", ref.name)
        exact = [n for n in same if n in pool]
        elsewhere = tuple(n for n in same if n not in pool)
        key = match_key(ref.name)
        similar = [n for n in pool if n not in exact and (key in match_key(n.name) or match_key(n.name) in key)]
    else:
        pool = index.units.get(ref.kind, [])
        exact = index.named(ref.kind, ref.name)
        elsewhere = ()
        similar = []
    if ref.resolve_to:
        chosen = index.nodes.get(ref.resolve_to)
        if chosen is None or chosen.kind != ref.kind:
            raise fail(f"resolve_to {ref.resolve_to} is not a {ref.kind} of the roster / 指定代码不在名册中",
                       exact + similar + list(elsewhere), "use a code listed as a candidate")
        if exact and chosen not in exact:
            raise fail(f"{ref.name} matches the roster exactly, but resolve_to names {index.describe(chosen)} "
                       f"/ 名称已精确匹配，与指定代码不一致", exact, "remove resolve_to, or correct it")
        if not ref.resolution:
            raise fail(f"resolve_to {ref.resolve_to} needs a resolution note saying why / 须说明核对依据",
                       [chosen], "add resolution: <why this unit>")
        others = tuple(index.describe(n) for n in [*exact, *similar, *elsewhere] if n.id != chosen.id)
        return Match(ref, chosen, "curated" if not exact else _status(ref, chosen), others)
    if len(exact) == 1:
        return Match(ref, exact[0], _status(ref, exact[0]), tuple(index.describe(n) for n in elsewhere))
    where = f" in {ref.town}" if ref.town else ""
    if len(exact) > 1:
        raise fail(f"{ref.name}{where} matches {len(exact)} roster units / 名册中有多个同名单位", exact,
                   "add resolve_to: <code> and resolution: <why>")
    by_name = {n.name: n for n in pool}
    close = [by_name[name] for name in similar_names(ref.name, by_name, n=3, cutoff=0.6)]
    candidates = list({n.id: n for n in [*similar, *elsewhere, *close]}.values())
    raise fail(f"{ref.kind} {ref.name}{where} is not in the roster / 名册中无此名称", candidates,
               "correct the name, or add resolve_to: <code> and resolution: <why> to the source")
