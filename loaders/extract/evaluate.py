"""Scoring drafted ties against an expected set, at the level of (kind, from, to) after reconciliation; pure.

The draft is loaded as a planner would after accepting every row (so that
places are resolved through the roster and organizations merged as the
loaders do); each tie is then compared by its kind and the names of its
ends: an expected end matches a node whose name, raw name, aliases or id
match it (:func:`graph_model.names.match_key`), and ``town/name`` also asks
that a village lies in that town. Each expected tie matches at most one
found tie. A tie of the curated case file is an expected tie whose ends are
all the names of its nodes (:func:`expected_from_graph`).

A gold tie of the real-report corpus (``evaluation/real/*.yaml``, read by
:func:`read_gold`) also says whether the text states it in words or only
implies it by a name (``X村党支部`` → ``X村``), and may give the roster code
of a place end: a node resolved to a roster unit then matches that end only by
that code, whatever its name. The figures are told per kind
(:func:`by_kind`), per report and overall (:func:`combine`), with or without
the name-implied ties (:func:`words_only`), and the place resolution of the
gold's place ends (:func:`place_resolution`).

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
    """A tie a text states: its kind and each end as one or more names (``town/name`` for a village).

    ``stated`` is ``words`` or ``name`` (implied by a name only); ``source_code`` and
    ``target_code`` are the roster codes of place ends, when the gold gives them.
    """

    type: str
    source: tuple[str, ...]
    target: tuple[str, ...]
    stated: str = "words"
    source_code: str | None = None
    target_code: str | None = None

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

    @property
    def counts(self) -> tuple[int, int, int]:
        """``(gold, found, matched)``: the ties expected, the ties drafted and those in both."""
        return len(self.matched) + len(self.missed), len(self.matched) + len(self.extra), len(self.matched)


@dataclass(frozen=True)
class Resolution:
    """How the gold's village and town ends were resolved: ``right`` of ``ends`` got the gold's code;
    ``other_town`` went to a unit in another town at a confidence of at least :data:`CONFIDENT`."""

    ends: int = 0
    right: int = 0
    other_town: int = 0

    @property
    def share(self) -> float:
        return self.right / self.ends if self.ends else 0.0

    def __add__(self, other: "Resolution") -> "Resolution":
        return Resolution(self.ends + other.ends, self.right + other.right, self.other_town + other.other_town)


CONFIDENT = 0.8
TOWN_CODE = 9  # a village's code begins with its town's
PLACE_CODES = (9, 12)  # town and village codes


def read_expected(data: dict[str, Any]) -> list[ExpectedTie]:
    """The ``ties`` of an expected-set YAML document: ``[KIND, from, to]`` rows."""
    ties = []
    for row in data["ties"]:
        type_, source, target = row
        ties.append(ExpectedTie(str(type_), (str(source),), (str(target),)))
    return ties


def read_gold(data: dict[str, Any]) -> list[ExpectedTie]:
    """The ``ties`` of a real-report gold file: mappings with ``kind``, ``from``, ``to``, ``stated``,
    ``from_code`` and ``to_code`` (CORPUS.md)."""
    ties = []
    for row in data.get("ties") or ():
        codes = [str(row[k]) if row.get(k) not in (None, "") else None for k in ("from_code", "to_code")]
        ties.append(ExpectedTie(str(row["kind"]), (str(row["from"]),), (str(row["to"]),),
                                str(row.get("stated", "words")), *codes))
    return ties


def _is_place_code(node_id: str) -> bool:
    return node_id.isdigit() and len(node_id) in PLACE_CODES


def _names(node: Node) -> set[str]:
    names = {node.name, node.props.get("name_raw"), *node.props.get("aliases", ()), node.id}
    return {match_key(n) for n in names if n}


def _matches(node: Node, wanted: tuple[str, ...], graph: GraphData, code: str | None = None) -> bool:
    """Does ``node`` stand for an expected end: by its code when the end has one and the node is a
    roster unit, else by a name (and by the town of a ``town/name``)."""
    if code and _is_place_code(node.id):
        return node.id == code
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
        match = next((t for t in left if t.type == tie.type
                      and _matches(graph.nodes[t.source_id], tie.source, graph, tie.source_code)
                      and _matches(graph.nodes[t.target_id], tie.target, graph, tie.target_code)), None)
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


def combine(scores: Iterable[Score]) -> Score:
    """One score of several (the overall figures of many reports)."""
    total = Score()
    for part in scores:
        total.matched += part.matched
        total.missed += part.missed
        total.extra += part.extra
    return total


def by_kind(result: Score) -> dict[str, Score]:
    """The score of each tie kind (a missed tie counts for its expected kind, an extra one for its own)."""
    kinds: dict[str, Score] = {}
    for expected, found in result.matched:
        kinds.setdefault(expected.type, Score()).matched.append((expected, found))
    for expected in result.missed:
        kinds.setdefault(expected.type, Score()).missed.append(expected)
    for found in result.extra:
        kinds.setdefault(found.type, Score()).extra.append(found)
    return dict(sorted(kinds.items()))


def _among(ties: Iterable[tuple[str, str, str]], graph: GraphData):
    """A test of whether a found tie is one of ``ties``: ``(kind, from, to)``, each end by its code or its name."""
    wanted = set(ties)

    def among(tie: Tie) -> bool:
        return any(_stands_for(tie, row, graph) for row in wanted)

    return among


def words_only(result: Score, name_implied: Iterable[tuple[str, str, str]], graph: GraphData) -> Score:
    """The score without name-implied ties: gold ties stated by a name only are left out, and so are
    the extra ties the draft implied from a name. ``name_implied`` holds ``(kind, from, to)`` of the
    draft's name-implied proposals, each end by its roster code or its name."""
    from_name = _among(name_implied, graph)
    return Score([(e, f) for e, f in result.matched if e.stated != "name"],
                 [e for e in result.missed if e.stated != "name"],
                 [f for f in result.extra if not from_name(f)])


def set_apart(result: Score, inferred: Iterable[tuple[str, str, str]], graph: GraphData) -> tuple[Score, int]:
    """The score without the draft's inferred rows (a LOCATED_IN guessed from a unit's name or from the town
    that formed it: the gold lists LOCATED_IN only where the text says where something is, so such a row is
    neither right nor wrong by it), and how many found ties were set apart. A gold tie only an inferred row
    matched counts as missed. ``inferred`` holds ``(kind, from, to)`` as in :func:`words_only`."""
    guessed = _among(inferred, graph)
    kept = Score([(e, f) for e, f in result.matched if not guessed(f)],
                 [*result.missed, *(e for e, f in result.matched if guessed(f))],
                 [f for f in result.extra if not guessed(f)])
    return kept, len(result.matched) + len(result.extra) - len(kept.matched) - len(kept.extra)


def _stands_for(tie: Tie, row: tuple[str, str, str], graph: GraphData) -> bool:
    """Is ``tie`` the loaded form of a drafted row ``(kind, from, to)``, each end by its roster code or name?"""
    kind, source, target = row
    return (kind == tie.type and source in {tie.source_id, graph.nodes[tie.source_id].name}
            and target in {tie.target_id, graph.nodes[tie.target_id].name})


def drafted_right(result: Score, rows: list[tuple[str, str, str]], graph: GraphData,
                  symmetric: Iterable[str] = ()) -> list[bool]:
    """Whether each drafted tie row ``(kind, from, to)`` (ends by roster code or name) was right: it loaded as a
    tie that matched a gold tie. A row that loaded as an extra tie, or did not load (left out, as a planner
    would have to fix it), was not. A tie of a ``symmetric`` kind stands for the row either way round."""
    matched = [tie for _, tie in result.matched]
    symmetric = set(symmetric)
    labels = []
    for kind, source, target in rows:
        forms = [(kind, source, target), (kind, target, source)] if kind in symmetric else [(kind, source, target)]
        labels.append(any(_stands_for(tie, form, graph) for tie in matched for form in forms))
    return labels


def _drafted_ends(result: Score, graph: GraphData) -> list[Node]:
    ids = [i for _, tie in result.matched for i in (tie.source_id, tie.target_id)]
    ids += [i for tie in result.extra for i in (tie.source_id, tie.target_id)]
    return [graph.nodes[i] for i in dict.fromkeys(ids)]


def _end_resolution(code: str, node: Node | None, confidence: dict[str, float]) -> Resolution:
    if node is None or not _is_place_code(node.id):
        return Resolution(1, 0, 0)
    if node.id == code:
        return Resolution(1, 1, 0)
    elsewhere = node.id[:TOWN_CODE] != code[:TOWN_CODE] and confidence.get(node.id, 0.0) >= CONFIDENT
    return Resolution(1, 0, int(elsewhere))


def place_resolution(result: Score, graph: GraphData, confidence: dict[str, float]) -> Resolution:
    """How the village and town ends of the gold ties (matched and missed) that have a roster code were
    resolved. A matched tie's end is its found node; a missed tie's end is the draft's node of the same
    name, if any (the same code if one has it). ``confidence`` gives the draft's confidence of each
    place it resolved, by code; a wrong unit counts as in another town when its town code differs."""
    ends = _drafted_ends(result, graph)
    total = Resolution()
    for expected, found in result.matched:
        for code, node_id in ((expected.source_code, found.source_id), (expected.target_code, found.target_id)):
            if code and len(code) in PLACE_CODES:
                total += _end_resolution(code, graph.nodes[node_id], confidence)
    for expected in result.missed:
        for code, names in ((expected.source_code, expected.source), (expected.target_code, expected.target)):
            if code and len(code) in PLACE_CODES:
                same = [n for n in ends if _matches(n, tuple(x.rpartition("/")[2] for x in names), graph)]
                node = next((n for n in same if n.id == code), same[0] if same else None)
                total += _end_resolution(code, node, confidence)
    return total
