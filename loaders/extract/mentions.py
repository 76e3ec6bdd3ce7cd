"""Finding who a report names: places (through the roster), organizations (by suffix), industries, figures.

Each sentence is read in its Simplified key form (:class:`loaders.extract.clean.CleanText`)
with the rules of ``mentions.yaml``:

- **places**: spans ending in a unit word (村, 社区, 镇, 乡, 街道) that the roster
  knows (:class:`loaders.reconcile.RosterIndex`, which folds Traditional, variant
  and folk spellings), and the names of provinces, cities and counties with or
  without their unit word (陕西, 榆林, 佳县). A village is resolved in the town
  written before it (通镇西山村), else a town named in the same paragraph, else
  the county the report named last, else anywhere in the roster (which holds
  the counties of the report: :mod:`loaders.extract.scope`), a name several
  units have getting them all as candidates; a village the roster does not have there gets the roster's
  candidates, and the same-town one whose name contains it is proposed
  (通镇西山村 → 崔家西山村, for the planner to confirm);
- **organizations**: a suffix (党支部, 有限公司, 合作社, 局 …) and a core found
  leftwards from it: from a roster place where one anchors the name
  (来到|陕西贺寨酒业有限公司), else up to a boundary word (成立了|上高寨酒业联合党支部);
  leading places that only locate the name are dropped (陕西省佳县|刘国具镇党委)
  and kept as its context. A count before it makes a group (38家酿酒合作社);
- **references**: aliases of names already read (贺寨酒业, 县委办: abbreviation
  rules and ``（以下简称“…”）``), a bare suffix for the last name with that suffix
  (联合党支部), anaphora for the section's place (该镇, 全县), 各 + noun for a
  group counted before (各酒坊);
- **industries**, **figures** (a number with a measure word) and **years**.

Entities are kept per extraction run in a :class:`Registry`, so that every
spelling of one organization is one entity with all its spellings.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from ahocorasick_rs import AhoCorasick, MatchKind

from graph_model.names import match_key, place_key
from graph_model.records import Node
from graph_model.schema import LEVEL, REGION_KINDS, ROLE, Schema, default_schema
from loaders.extract.clean import CleanText
from loaders.extract.lexicon import Lexicon, SuffixRule, Words
from loaders.reconcile import RosterIndex

_CJK = re.compile(r"[\u3400-\u9fff\U00020000-\U0002ffff]")
_CJK_TAIL = re.compile(r"[\u3400-\u9fff\U00020000-\U0002ffff]*\Z")  # where the Chinese characters before an end begin
_NUMBER = r"(\d+(?:\.\d+)?|[一二三四五六七八九十两百]+)"
_CHINESE_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
TOWN, VILLAGE, COUNTY = LEVEL["town"], LEVEL["village"], LEVEL["county"]
TOWN_CODE = default_schema().code_length(TOWN)  # a village's code begins with its town's
PARTY, INDUSTRY = ROLE["party"], ROLE["industry"]
PLACE_UNITS = {TOWN: ("街道办事处", "街道", "镇", "乡", "苏木"), VILLAGE: ("社区", "村", "嘎查", "居委会")}  # 道布龙居委会: a community by its committee
MAX_PLACE = 10
RECENT_VILLAGES = 8  # the villages named last whose names, written without 村, keep a boundary word inside a name
ADMINISTRATIVE_VILLAGE = "行政村"
_VILLAGES = re.compile(r"[\u3400-\u9fff]{1,6}?(?:村|社区|嘎查)")  # a core made of villages (甲村乙村联合支部)
REGISTERED = ("有限公司", "有限责任公司")  # a company's registered name ends so
SHORT_CORE = (2, 4)
CLOSE_SPELLING = (4, 2)  # a joint organization's core of at least 4 characters, misspelt in at most 2  # the length of a company's short core (龙裕|公司)
TOWN_WORDS = ("镇", "乡")  # 镇党委: the committee of the town the section speaks of
LEVEL_WORDS = ("省", "市", "县", "区", "镇", "乡")  # a whole unit name after one of these is that level's (市人防办)
# A place name by its unit word, for names the roster in scope lacks (洛带镇, 宝胜村, 龙泉驿区).
# A region in brackets inside a company's name (某某置地(北京)股份有限公司), between two characters of the name.
_REGION_NOTE = re.compile(r"(?<=[\u4e00-\u9fff])[(（][\u4e00-\u9fff]{2,3}[)）](?=[\u4e00-\u9fff]{0,12}(?:有限公司|公司))")
_NOTE_AFTER = re.compile(r"[(（][\u3400-\u9fff]{1,6}[)）]$")  # 酿酒合作社(作坊), 某党委(管委会)
_PLACE_TOKEN = re.compile(r"[\u3400-\u9fff]{1,7}?(?:自治区|自治州|自治县|街道|社区|嘎查|苏木|省|市|州|区|县|旗|镇|乡|村)")
ADMIN_LEVELS = default_schema().administrative_kinds


def chinese_number(text: str) -> float | None:
    """``38`` → 38, ``十四`` → 14, ``二十`` → 20, ``3.5`` → 3.5; ``None`` for anything else.

    >>> chinese_number("十四"), chinese_number("二十三"), chinese_number("5")
    (14, 23, 5)
    """
    if re.fullmatch(r"\d+", text):
        return int(text)
    if re.fullmatch(r"\d+\.\d+", text):
        return float(text)
    if not text or any(c not in "一二三四五六七八九十两百" for c in text):
        return None
    total, current = 0, 0
    for char in text:
        if char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
        else:
            current = _CHINESE_DIGITS[char]
    return total + current


@dataclass(eq=False)
class Entity:
    """Something a report names: a roster place, an organization, a group or an industry."""

    id: str
    kind: str
    name: str
    spellings: dict[str, None] = field(default_factory=dict)  # the text's spellings (quote form), first first
    surfaces: set[str] = field(default_factory=set)  # Simplified forms that name it in running text
    place: Node | None = None  # the roster unit a place resolved to
    town: str | None = None  # the town a village is in, as the text or the roster says
    status: str = "new"  # exact, normalized, candidate, unresolved, new
    candidates: tuple[str, ...] = ()
    props: dict = field(default_factory=dict)  # form, joint, aggregate_count, brand, mechanism
    claims: dict = field(default_factory=dict)
    quote: str = ""  # the first sentence that names it
    owner: "Entity | None" = None  # whose party organization it is (乌镇党委 → 乌镇)
    region: "Entity | None" = None  # the place its name begins with (佳县县委办公室 → 佳县)
    suffix: str | None = None
    document: int = 0  # the report (its number in the run) that first names it
    owned: list["Entity"] = field(default_factory=list, repr=False)  # those whose owner it is, kept by __setattr__

    def __setattr__(self, name: str, value) -> None:
        """Setting :attr:`owner` keeps the owners' :attr:`owned` lists (whose party organizations a village or a
        company has, asked for each 共建: :meth:`Registry.owned_by`, which a long report's thousands of
        entities make too slow to find by reading them all)."""
        if name == "owner":
            former = self.__dict__.get("owner")
            if former is not None:
                former.owned.remove(self)
            if value is not None:
                value.owned.append(self)
        object.__setattr__(self, name, value)

    @property
    def name_raw(self) -> str | None:
        first = next(iter(self.spellings), None)
        return first if first and first != self.name else None

    @property
    def is_place(self) -> bool:
        return self.kind in ADMIN_LEVELS


@dataclass
class Mention:
    """A span of one sentence that names an entity; ``how``: name, alias, short, anaphor, collective."""

    start: int
    end: int
    entity: Entity
    how: str = "name"


@dataclass
class Figure:
    """A number with its measure word: ``653人次``, ``29万元`` (value 290000, unit 元), with the noun after it."""

    start: int
    end: int
    value: float
    measure: str
    noun: str
    before: str

    @property
    def number(self) -> int | float:
        return int(self.value) if float(self.value).is_integer() else self.value


@dataclass
class Sentence:
    """One sentence of a report with what was found in it; positions are offsets in ``text``."""

    text: CleanText
    paragraph: int
    section: int
    heading: bool
    mentions: list[Mention] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    years: list[tuple[int, str]] = field(default_factory=list)
    consumed: set[int] = field(default_factory=set)  # figures used as groups or claims
    asides: list[tuple[int, int]] = field(default_factory=list)  # spans whose names end no tie (根据某部的安排)

    def covered(self, start: int, end: int) -> bool:
        return any(m.start < end and start < m.end for m in self.mentions)


class Registry:
    """Every entity of one extraction run, found by any of its names (match keys)."""

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        self.entities: list[Entity] = []
        self._by_key: dict[tuple[str, str], Entity] = {}
        self._kinds: dict[str, None] = {}
        self._by_place: dict[str, Entity] = {}
        self._position: dict[Entity, int] = {}  # where each entity stands in ``entities`` (the first time added)
        # surfaces of organizations by text, and their lengths: a sentence is searched for the names read so far
        # by looking up its substrings, so each sentence costs its length, not the number of names (linear time)
        self.by_surface: dict[str, list[Entity]] = {}
        self.surface_lengths: dict[str, set[int]] = {}  # by first character
        self._counter = 0
        self.document = 0  # the report being read: stamped on the entities it names first

    def new_id(self) -> str:
        self._counter += 1
        return f"e{self._counter}"

    def find(self, kind: str | None, *names: str) -> Entity | None:
        for name in names:
            key = match_key(name)
            for k in ([kind] if kind else sorted(self._kinds)):
                found = self._by_key.get((k, key))
                if found is not None:
                    return found
        return None

    def add(self, entity: Entity) -> Entity:
        entity.document = self.document
        self._position.setdefault(entity, len(self.entities))
        self.entities.append(entity)
        self._kinds.setdefault(entity.kind)
        if entity.place is not None:
            self._by_place.setdefault(entity.place.id, entity)
        self.index(entity, entity.name)
        return entity

    def owned_by(self, owner: Entity) -> list[Entity]:
        """The entities of this run whose owner is ``owner`` (its party organizations), in the order they were
        added: those of ``entities`` that name it as owner, found from the owner (:attr:`Entity.owned`)."""
        return sorted((e for e in owner.owned if e in self._position), key=self._position.__getitem__)

    def of_place(self, code: str) -> Entity | None:
        """The entity of the roster unit ``code``, when one was found."""
        return self._by_place.get(code)

    def index(self, entity: Entity, *names: str) -> None:
        for name in names:
            if name:
                self._by_key.setdefault((entity.kind, match_key(name)), entity)
                if len(name) >= self.lexicon.min_alias and name not in self.lexicon.generic_cores:
                    self.add_surface(entity, name)

    def add_surface(self, entity: Entity, surface: str) -> None:
        """``surface`` names ``entity`` in running text (found again by :attr:`by_surface`)."""
        entity.surfaces.add(surface)
        named = self.by_surface.setdefault(surface, [])
        if entity not in named:
            named.append(entity)
            self.surface_lengths.setdefault(surface[:1], set()).add(len(surface))

    def abbreviations(self, name: str, regions: Iterable[str]) -> list[str]:
        """Shorter names a report may use for ``name``: without its leading region, its legal form, contracted.

        >>> from loaders.extract.lexicon import default_lexicon
        >>> Registry(default_lexicon()).abbreviations("陕西贺寨酒业有限公司", ["陕西"])
        ['贺寨酒业有限公司', '陕西贺寨酒业', '贺寨酒业']
        >>> Registry(default_lexicon()).abbreviations("佳县县委办公室", ["佳县"])
        ['县委办公室', '佳县县委办', '县委办']
        """
        lex = self.lexicon
        found: list[str] = []

        def keep(text: str) -> None:
            if text != name and len(text) >= lex.min_alias and text not in lex.generic_cores and text not in found:
                found.append(text)

        shorter = [name]
        for region in sorted(set(regions), key=len, reverse=True):
            if name.startswith(region) and len(name) > len(region):
                rest = name[len(region):]
                unit = region[-1] in "省市县区州旗" and not rest.startswith(region[-1])
                if not (unit and rest.startswith("委")):  # 雷山县委组织部 is 县委组织部, never 委组织部
                    shorter.append(rest)
                if unit and not rest.endswith(lex.legal_forms):  # 四川省民政厅 is also 省民政厅; no 县…公司
                    shorter.append(region[-1] + rest)
                break
        for text in list(shorter):
            keep(text)
        for text in list(shorter):
            for form in lex.legal_forms:
                if text.endswith(form) and len(text) > len(form):
                    keep(text[: -len(form)])
                    trade = next((d for d in lex.trade_words if text.endswith(d, 0, len(text) - len(form))), None)
                    if trade is not None:  # 依利安达电子有限公司 is also 依利安达公司 and 依利安达
                        keep(text[: -len(form) - len(trade)] + "公司")
                        keep(text[: -len(form) - len(trade)])
                    break
            for long, short in lex.contractions.items():
                if text.endswith(long):
                    keep(text[: -len(long)] + short)
        return found


class PlaceFinder:
    """Roster places in text: spans ending in a unit word that the roster knows, and region names."""

    def __init__(self, roster: RosterIndex, short_names: Iterable[str] = REGION_KINDS,
                 unit_words: dict[str, tuple[str, ...]] | None = None):
        """``short_names``: the kinds of region also found without their unit word (榆林 for 榆林市);
        ``unit_words``: the words that end a town's or village's name, by kind (default :data:`PLACE_UNITS`)."""
        self.roster = roster
        self.unit_words = PLACE_UNITS if unit_words is None else unit_words
        self._known: dict[tuple[str, str, str | None], list[Node]] = {}
        self.regions: dict[str, list[Node]] = {}
        for node in roster.nodes.values():
            if node.kind in REGION_KINDS:
                short = place_key(node.name, node.kind) if node.kind in short_names else node.name
                for surface in {node.name, short, *node.props.get("aliases", ())}:
                    if len(surface) >= 2:
                        self.regions.setdefault(surface, []).append(node)
        # the region names found in one pass, leftmost-longest, as an alternation of them longest first would find
        # them (Aho-Corasick: the country's 5,196 names over a 1 MB report in 0.01 s, against 1.3 s with re)
        self._regions_matcher = (AhoCorasick(list(self.regions), matchkind=MatchKind.LeftmostLongest)
                                 if self.regions else None)

    def _named(self, kind: str, span: str, county: str | None) -> list[Node]:
        """:meth:`RosterIndex.named`, kept per span: a long report names the same places again and again."""
        key = (kind, span, county)
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = self.roster.named(kind, span, county)
            if not found and kind == VILLAGE and span.endswith(ADMINISTRATIVE_VILLAGE) and len(span) > 4:
                # 朱屯行政村 is 朱屯村 (an administrative village, as reports tell it from a natural one)
                found = self._known[key] = self.roster.named(kind, span.removesuffix(ADMINISTRATIVE_VILLAGE) + "村", county)
        return found

    def counties(self) -> list[Node]:
        return [n for n in self.roster.nodes.values() if n.kind == COUNTY]

    def find(self, key: str, county: str | None) -> list[tuple[int, int, str, list[Node]]]:
        """``(start, end, kind, units)`` of every place in ``key``, longest first, not overlapping."""
        found: list[tuple[int, int, str, list[Node]]] = []
        short: list[tuple[int, int]] = []  # regions named without their unit word (朝阳 of 朝阳市)
        if self._regions_matcher is not None:
            for _, start, end in self._regions_matcher.find_matches_as_indexes(key):
                nodes = self.regions[key[start:end]]
                found.append((start, end, nodes[0].kind, nodes))
                if all(key[start:end] != n.name for n in nodes):
                    short.append((start, end))
        taken = [(a, b) for a, b, _, _ in found]
        for kind, units in self.unit_words.items():
            for unit in (u for u in units if u in key):  # most sentences hold none: no pattern looked up
                for unit_start, end in occurrences(key, unit):
                    low = max(0, end - MAX_PLACE)
                    low += _CJK_TAIL.search(key, low, end).start() - low  # a name is Chinese characters only
                    for start in range(low, unit_start):
                        span = key[start:end]
                        if not _clear_of(start, end, taken, short):
                            continue
                        units = self._named(kind, span, county)
                        if units:
                            found.append((start, end, kind, units))
                            taken.append((start, end))
                            break
        found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
        result: list[tuple[int, int, str, list[Node]]] = []
        for item in found:
            if not result or item[0] >= result[-1][1]:
                result.append(item)
        return result


_TOWN_WORDS = "|".join(map(re.escape, PLACE_UNITS[TOWN]))
_TOWN_BEFORE = re.compile(rf"([\u4e00-\u9fff]{{2,4}}?)(?:{_TOWN_WORDS})$")
_TOWN_HEAD = re.compile(rf"([\u4e00-\u9fff]{{2,4}}?)(?:{_TOWN_WORDS})(?=[\u4e00-\u9fff]{{2}})")


def occurrences(text: str, word: str) -> Iterator[tuple[int, int]]:
    """The spans of ``word`` in ``text``, left to right, not overlapping (those ``re.finditer(re.escape(word))``
    gives), found with :meth:`str.find`: no pattern escaped and looked up for each word of a lexicon at each
    sentence.

    >>> list(occurrences("甲村乙村村", "村村")), list(occurrences("甲村", "乡"))
    ([(3, 5)], [])
    """
    at = text.find(word) if word else -1
    while at >= 0:
        yield at, at + len(word)
        at = text.find(word, at + len(word))


def towns_named(places: PlaceFinder, keys: Iterable[str]) -> frozenset[str]:
    """The codes of the towns a report names (key forms of its paragraphs), each a name only one town of the
    scope has; read before its sentences, so that a village name several towns of the scope share is taken in
    the town the report names, wherever it names it (下党村 in the first line, 下党乡 in the third)."""
    return frozenset(units[0].id for key in keys for _, _, kind, units in places.find(key, None)
                     if kind == TOWN and len(units) == 1)


def _as_candidate(entity: Entity) -> None:
    """常坊村 taken as the roster's 常家坊村: to be confirmed; where the close spelling lies in another town than
    the one the text names (范沟村 for a 范家沟村 elsewhere), the village has no unit and stays unresolved."""
    if entity.place is not None:
        entity.status = "candidate"


def _clear_of(start: int, end: int, taken: list[tuple[int, int]], short: list[tuple[int, int]]) -> bool:
    """Whether the span ``start``–``end`` overlaps no place found, but for a region's short name it begins with
    (a town may: 朝阳湖镇 is no 朝阳 and 湖镇)."""
    return not any(a < end and start < b and not (start == a and (a, b) in short) for a, b in taken)


def _quoted_head(key: str, start: int) -> int:
    """A name that begins with a quoted word keeps it (“穆纳之福”牧家游农牧专业合作社): where the quote opens."""
    if start == 0 or key[start - 1] not in "”\"」":
        return start
    opening = max(key.rfind(q, max(0, start - 12), start - 1) for q in "“\"「")
    return opening if opening >= 0 and all(_is_cjk(c) for c in key[opening + 1:start - 1]) else start


def _only_places(text: str) -> bool:
    """Whether ``text`` is place names only (淄博市高青县木李镇), each ending in its unit word."""
    tokens = _PLACE_TOKEN.findall(text)
    return bool(tokens) and "".join(tokens) == text


def _differs_little(one: str, other: str) -> bool:
    """Two cores of the same length, the same first two characters, differing in at most a few characters; or
    the same villages in another order (马溪冲村长冲垄村, 长冲垄村马溪冲村)."""
    villages = _VILLAGES.findall(one)
    if len(villages) >= 2 and "".join(villages) == one:
        return sorted(villages) == sorted(_VILLAGES.findall(other))
    return (len(one) == len(other) and one[:2] == other[:2]
            and sum(a != b for a, b in zip(one, other)) <= CLOSE_SPELLING[1])


def _region_notes(key: str) -> tuple[list[tuple[int, int]], set[int]]:
    """The bracketed regions inside company names (某某置地(北京)股份有限公司), and the positions they take."""
    notes = [m.span() for m in _REGION_NOTE.finditer(key)]
    return notes, {i for a, b in notes for i in range(a, b)}


def _is_cjk(char: str) -> bool:
    return bool(_CJK.match(char))


@dataclass(frozen=True)
class _Referred:
    """What a reference word (各, 该, 本) before a suffix points to: a mention, or None when nothing fits."""

    mention: Mention | None


class MentionFinder:
    """Applies ``mentions.yaml`` to the sentences of one report, in order, keeping the context they need."""

    def __init__(self, lexicon: Lexicon, registry: Registry, places: PlaceFinder, schema: Schema):
        self.lex = lexicon
        self.schema = schema
        self.registry = registry
        self.places = places
        self.county: Node | None = None
        self.section_latest: dict[str, Entity] = {}
        self.joint_latest: dict[str, Entity] = {}  # the document's last joint organization of each suffix
        # the villages named so far, the latest last (三村 = the last three): ordered keys, so that naming one again
        # moves it to the end at once, however many villages a long report names
        self.recent_villages: dict[Entity, None] = {}
        self.paragraph_towns: list[Entity] = []
        self.report_towns: frozenset[str] = frozenset()  # codes of the towns the whole report names (towns_named)
        self.section_groups: list[Entity] = []
        # the few names a misspelling or a short name may stand for (looked through, not the whole registry)
        self._joints: list[Entity] = []  # joint organizations (得益农牧小镇联村党委)
        self._registered: list[Entity] = []  # companies named by a registered name (…有限公司)
        self._industry = re.compile("|".join(sorted(map(re.escape, lexicon.industry_words), key=len, reverse=True)))
        self._figure = re.compile(_NUMBER + r"\s*(" + "|".join(map(re.escape, lexicon.multipliers)) + r")?("
                                  + "|".join(map(re.escape, lexicon.measures)) + ")")
        self._noun_stops = "|".join(map(re.escape, sorted({*lexicon.figure_noun_stops, *lexicon.formation.words},
                                                          key=len, reverse=True)))
        self._cue_words = tuple(lexicon.cue_words)  # a product never begins inside a cue (发展|小杂粮种植)
        self._products, self._modifiers = Words.of(lexicon.industry_products), Words.of(lexicon.industry_modifiers)
        counties = places.counties()
        self.only_county = counties[0] if len(counties) == 1 else None
        # looked up at every position of every sentence: by first character, and by length, once
        self._rules_by_first: dict[str, tuple[SuffixRule, ...]] = {}
        for rule in lexicon.suffix_rules:
            self._rules_by_first[rule.suffix[:1]] = (*self._rules_by_first.get(rule.suffix[:1], ()), rule)
        self._boundary_words = frozenset(lexicon.boundaries)
        # a trade word inside a company's name is no boundary there (重庆龙裕城乡建设开发有限公司)
        self._company_boundaries = self._boundary_words - frozenset(lexicon.trade_words)
        self._boundary_lengths = sorted({len(w) for w in lexicon.boundaries}, reverse=True)
        self._products_holding = lexicon.products_holding

    # ------------------------------------------------------------------ context

    def new_section(self) -> None:
        self.section_latest = {}
        self.section_groups = []

    def new_paragraph(self) -> None:
        self.paragraph_towns = []

    def _note(self, entity: Entity) -> None:
        if entity.kind == VILLAGE:
            self.recent_villages.pop(entity, None)
            self.recent_villages[entity] = None
        self.section_latest[entity.kind] = entity
        if entity.suffix:
            self.section_latest["suffix:" + entity.suffix] = entity
            if entity.props.get("joint"):
                self.joint_latest[entity.suffix] = entity
        if entity.kind == TOWN:
            self.paragraph_towns.append(entity)
        if entity.kind == COUNTY and entity.place is not None:  # the county the report speaks of now
            self.county = entity.place
        if entity.props.get("aggregate_count") and entity not in self.section_groups:
            self.section_groups.append(entity)

    def _last_villages(self, count: int) -> list[Entity]:
        """The ``count`` villages named last, the latest last."""
        return list(itertools.islice(reversed(self.recent_villages), count))[::-1]

    # ------------------------------------------------------------------ places

    def _place_entity(self, kind: str, units: list[Node], spelling: str, surface: str,
                      town: Entity | None, sentence: Sentence, unlisted_town: bool = False) -> Entity:
        """The entity of a place the text names: the roster unit it is, if one is found, else a new entity.
        ``unlisted_town``: the text names the village's town, and the scope's roster has no town of that name."""
        if kind == VILLAGE and town is None:
            known = self.registry.find(VILLAGE, surface)
            if known is not None:
                return known
        if kind == VILLAGE and town is not None and town.place is not None:
            status, chosen, candidates = self._village_in_town(units, surface, town.place.id)
        else:
            status, chosen, candidates = self._unit_in_county(kind, units)
            if kind == VILLAGE and (town is not None or unlisted_town) and chosen is not None:
                status = "town_unknown"  # 双龙镇新民村, 双龙镇 not in the scope: the scope's 新民村 is in another town
        if chosen is not None:
            return self._roster_entity(kind, chosen, status, candidates, spelling, surface, sentence)
        town_name = town.name if town is not None else None
        entity = Entity(self.registry.new_id(), kind, surface, {spelling: None}, town=town_name, status=status,
                        candidates=candidates, quote=sentence.text.quote)
        return self.registry.add(entity)

    def _village_in_town(self, units: list[Node], surface: str,
                         town_code: str) -> tuple[str, Node | None, tuple[str, ...]]:
        """``(status, unit, candidates)`` of a village named in a known town: the town's village of that name,
        else a close one of the same town whose name holds it (a candidate), else none."""
        roster = self.places.roster
        here = roster.named(VILLAGE, surface, town_code)
        if len(here) == 1:
            return "exact", here[0], ()
        close = roster.close(VILLAGE, surface, town_code, n=3)
        candidates = tuple(dict.fromkeys(roster.describe(n) for n in [*close, *units] if n not in here))
        key = place_key(surface, VILLAGE)
        same_town = [n for n in close if n.id.startswith(town_code) and key in place_key(n.name, VILLAGE)]
        chosen = same_town[0] if same_town else None
        return ("candidate" if chosen is not None else "unresolved"), chosen, candidates

    def _unit_in_county(self, kind: str, units: list[Node]) -> tuple[str, Node | None, tuple[str, ...]]:
        """``(status, unit, candidates)`` of a place the roster knows by name: the one unit of that name (in the
        county the report last named, for a town or village; else in the whole roster, which may hold the
        several counties a report names), else none and the units it may be, with their towns."""
        county_code = self.county.id if self.county is not None else None
        in_county_only = county_code is not None and kind in (TOWN, VILLAGE)
        inside = [u for u in units if not in_county_only or u.id.startswith(county_code)] or units
        if len(inside) == 1:
            return "exact", inside[0], ()
        in_named_town = [u for u in inside if kind == VILLAGE and u.id[:TOWN_CODE] in self.report_towns]
        if len(in_named_town) == 1:  # 下党村 of 下党乡, which the report names, not 凤阳镇's
            return "town_named", in_named_town[0], tuple(self.places.roster.describe(n) for n in inside
                                                         if n is not in_named_town[0])
        return "unresolved", None, tuple(self.places.roster.describe(n) for n in inside)

    def _roster_entity(self, kind: str, chosen: Node, status: str, candidates: tuple[str, ...], spelling: str,
                       surface: str, sentence: Sentence) -> Entity:
        """The entity of roster unit ``chosen``: the one already found, with this spelling, else a new one."""
        roster = self.places.roster
        if status == "exact" and spelling not in (chosen.name, chosen.props.get("name_raw")):
            status = "normalized"
        existing = self.registry.of_place(chosen.id)
        if existing is not None:
            existing.spellings.setdefault(spelling)
            self.registry.index(existing, surface)
            return existing
        parent = roster.nodes.get(chosen.id[:9]) if kind == VILLAGE else None
        entity = Entity(chosen.id, kind, chosen.name, {spelling: None}, place=chosen,
                        town=parent.name if parent is not None else None, status=status,
                        candidates=candidates, quote=sentence.text.quote)
        self.registry.add(entity)
        self.registry.index(entity, surface, chosen.props.get("name_raw") or "")
        return entity

    def _find_places(self, sentence: Sentence) -> list[Mention]:
        text = sentence.text
        mentions: list[Mention] = []
        previous: Mention | None = None
        spans = self.places.find(text.key, None)  # anywhere in the scope (the report's counties)
        spans = sorted([*spans, *self._bare_villages(text.key, None, spans)])
        close = self._close_villages(text.key, spans)
        spans = sorted([*spans, *close])
        for start, end, kind, units in spans:
            town = None
            if kind == VILLAGE:
                if previous is not None and previous.end == start and previous.entity.kind == TOWN:
                    town = previous.entity
                    previous.how = "locator"
                    self._locators_before(mentions, previous.start)  # 衡东县|新塘镇|潭泊村: the county too
                elif self.paragraph_towns and self.registry.find(VILLAGE, text.key[start:end]) is None:
                    town = self.paragraph_towns[-1]
                    here = self.places.roster.named(VILLAGE, text.key[start:end], town.place.id) if town.place else []
                    if not here:
                        town = None  # the paragraph's town is not where this village is; try the county
            surface = text.key[start:end]
            if kind == VILLAGE and not surface.endswith(PLACE_UNITS[VILLAGE]):  # 川珠(、出食四村) is 川珠村
                surface += "村"
            surface = surface.removesuffix(ADMINISTRATIVE_VILLAGE) + "村" if kind == VILLAGE and surface.endswith(
                ADMINISTRATIVE_VILLAGE) and len(surface) > 4 else surface  # 朱屯行政村 is 朱屯村
            unlisted = kind == VILLAGE and town is None and self._unlisted_town_before(text.key, start, end)
            known = (start, end, kind, units) in close and self.registry.of_place(units[0].id) is not None
            entity = self._place_entity(kind, units, text.quote[start:end], surface, town, sentence, unlisted)
            if (start, end, kind, units) in close and not known:
                _as_candidate(entity)
            mention = Mention(start, end, entity)
            mentions.append(mention)
            self._note(entity)
            previous = mention
        return mentions

    @staticmethod
    def _locators_before(mentions: list[Mention], start: int) -> None:
        """The regions written right before a town that locates a village (衡东县|新塘镇潭泊村) only locate it too:
        none is an end of the village's ties."""
        for mention in reversed([m for m in mentions if m.end <= start]):
            if mention.end != start or mention.entity.kind not in REGION_KINDS:
                return
            mention.how, start = "locator", mention.start

    def _unlisted_town_before(self, key: str, start: int, end: int) -> bool:
        """Whether the village ``key[start:end]`` comes after a town name the scope's roster lacks, right before it
        or at its head (双龙镇新民村, found as 新民村 without its town): two to four characters and a town word,
        not a determiner or a word for all towns (该镇, 全镇, 各乡镇)."""
        found = _TOWN_BEFORE.search(key, max(0, start - 8), start) or _TOWN_HEAD.match(key, start, end)
        if found is None or found.group(1).startswith((*self.lex.determiners, "全", "各", "乡", "城", "村")):
            return False
        return not self.places.roster.named(TOWN, found.group(0))

    def _close_villages(self, key: str, taken: list[tuple[int, int, str, list[Node]]]
                        ) -> list[tuple[int, int, str, list[Node]]]:
        """Villages of two characters and 村 that the roster in scope knows only with a character after the first
        (常坊村 for 常家坊村, ``village_dropped``): the one village so called, where no place was found there."""
        found = []
        for match in re.finditer(r"(?=([\u4e00-\u9fff])([\u4e00-\u9fff])村)", key) if self.lex.village_dropped else ():
            start, end = match.start(), match.start() + 3
            if any(a < end and start < b for a, b, _, _ in taken) or self.places.roster.named(VILLAGE, key[start:end]):
                continue
            units = [u for c in self.lex.village_dropped
                     for u in self.places.roster.named(VILLAGE, match.group(1) + c + match.group(2) + "村")]
            if len(units) == 1:
                found.append((start, end, VILLAGE, units))
        return found

    def _bare_villages(self, key: str, county: str | None,
                       taken: list[tuple[int, int, str, list[Node]]]) -> list[tuple[int, int, str, list[Node]]]:
        """Villages listed without their unit word before a count of villages (川珠、出食、何吕、新庄四村;
        高家塄、赵家沟三个村): each item the roster knows as a village in scope; the first item may have words
        before it (来到千户乡川珠、…), so its shortest known ending is taken."""
        found = []
        for match in self.lex.bare_village_list.finditer(key):
            items, position = [], match.start(1)
            for item in re.split(r"[、和与及]", match.group(1)):
                items.append((position, position + len(item)))
                position += len(item) + 1
            first_start, first_end = items[0]
            items[0] = next(((first_end - n, first_end) for n in range(2, 5) if first_end - n >= first_start
                             and self.places.roster.named(VILLAGE, key[first_end - n:first_end], county)), items[0])
            for start, end in items:
                units = self.places.roster.named(VILLAGE, key[start:end], county)
                if units and not any(a < end and start < b for a, b, _, _ in taken):
                    found.append((start, end, VILLAGE, units))
        return found

    # ------------------------------------------------------------------ organizations

    def _rule_at(self, key: str, position: int) -> SuffixRule | None:
        """The first suffix rule (in ``mentions.yaml`` order) whose suffix starts at ``position``."""
        for rule in self._rules_by_first.get(key[position:position + 1], ()):
            if key.startswith(rule.suffix, position):
                return rule
        return None

    def _boundary_before(self, key: str, position: int, words: frozenset[str] | None = None) -> bool:
        words = self._boundary_words if words is None else words
        return any(key[position - n:position] in words and not self._in_product(key, position - n, position)
                   and not self._joins_products(key, position - n, position)
                   and not self._in_village_core(key, position - n, position)
                   for n in self._boundary_lengths if n <= position)

    def _joins_products(self, key: str, start: int, end: int) -> bool:
        """Whether the joiner at ``start:end`` stands between two known products inside a name (大棚蔬菜|及|食用菌基地:
        mentions.yaml industries product_joiners), so the name reaches across it."""
        if key[start:end] not in self.lex.product_joiners:
            return False
        after = key[end:]
        for modifier in self.lex.industry_modifiers:  # 及设施蔬菜: a modifier may stand before the product
            if after.startswith(modifier):
                after = after[len(modifier):]
                break
        return key.endswith(self.lex.industry_products, 0, start) and after.startswith(self.lex.industry_products)

    def _in_village_core(self, key: str, start: int, end: int) -> bool:
        """Whether the word at ``start:end`` is inside the name of a village named before, written without its unit
        word (周都|红企业经营管理有限公司 after 周都村: 都 ends no phrase there, the name goes on to its region)."""
        for village in self._last_villages(RECENT_VILLAGES):
            core = village.name.removesuffix(PLACE_UNITS[VILLAGE][1])
            if len(core) < 2 or core == village.name:
                continue
            at = key.find(core, max(0, end - len(core)), start + len(core))
            if at != -1 and at <= start and end <= at + len(core) and not key.startswith(village.name, at):
                return True
        return False

    def _in_product(self, key: str, start: int, end: int) -> bool:
        """Whether the word at ``start:end`` is part of a product's name written there (南美白|对|虾养殖基地, 有|机:
        no boundary inside a product, so the name reaches back to its village)."""
        word = key[start:end]
        return any(key.startswith(product, start - product.index(word)) for product in self._products_holding.get(word, ())
                   if start >= product.index(word))

    def _core_start(self, key: str, suffix_start: int, floor: int, places: list[Mention],
                    words: frozenset[str] | None = None) -> int:
        """Where a name's core begins, leftwards from its suffix: at a place that anchors it, else after the
        nearest boundary word of ``words`` (default all of them)."""
        words = self._boundary_words if words is None else words
        anchors = sorted((m for m in places if m.start >= floor and m.end <= suffix_start), key=lambda m: m.start)
        for anchor in anchors:
            inner = [m for m in places if m.start >= anchor.start and m.end <= suffix_start]
            if not self._boundary_in(key, anchor.end, suffix_start, inner, words):
                return anchor.start
        position = suffix_start
        while position > floor and not self._boundary_before(key, position, words):
            position -= 1
        return position

    def _boundary_in(self, key: str, start: int, end: int, places: list[Mention], words: frozenset[str]) -> bool:
        for position in range(start + 1, end + 1):
            if any(m.start < position <= m.end for m in places):
                continue
            if self._boundary_before(key, position, words) and position > start:
                word = next(w for w in words if key.endswith(w, 0, position))
                if position - len(word) >= start:
                    return True
        return False

    def _find_organizations(self, sentence: Sentence, places: list[Mention]) -> list[Mention]:
        key = sentence.text.key
        mentions: list[Mention] = []
        floor = 0
        position = 0
        notes, inside = _region_notes(key)
        while position < len(key):
            rule = self._rule_at(key, position)
            if rule is None or any(m.start <= position < m.end for m in places):
                if not _is_cjk(key[position]) and position not in inside:  # 华润置地(北京)股份有限公司: one name
                    floor = position + 1
                position += 1
                continue
            end = position + len(rule.suffix)
            low = self._core_floor(floor, position, places)
            if (self.lex.type_list.match(key, end) or key.endswith(self.lex.not_names, 0, end)
                    or key.startswith(self.lex.longer_words, position)):
                # 村村联合党委、产业联盟党委等方式: kinds, not names; 产业布局 is no 局; 闲置厂房 no 厂
                position = end
                continue
            branches = self._village_branches(sentence, rule, position, places)
            if branches:  # 石牛、卷洞、中乐三个村党支部: one party branch for each village listed
                mentions += branches
                floor = position = end
                continue
            start = self._name_start(key, rule, position, low, places, notes)
            parent = self._parent_before(mentions, start, rule)
            if parent is not None:  # 四川财经职业学院|财务处党支部: a unit of the one just named
                mentions.pop()
                owner = parent.entity if rule.kind == PARTY else None
                mention = self._organization(sentence, rule, parent.start, position, end, places, owner=owner)
            else:
                mention = self._organization(sentence, rule, start, position, end, places)
            party = self._rule_at(key, mention.end) if mention is not None and mention.how == "name" else None
            if party is not None and party.kind == PARTY and rule.kind != PARTY:
                # 佳县供电公司|党支部: the party organization of the organization just named
                mention = self._organization(sentence, party, mention.start, mention.end,
                                             mention.end + len(party.suffix), places, owner=mention.entity)
            if mention is not None:
                mentions.append(mention)
                self._note(mention.entity)  # 豪源减速机公司…，公司扩产后: the short name refers to it at once
                floor = mention.end
                position = mention.end
            else:
                position = end
        return mentions

    def _core_floor(self, floor: int, position: int, places: list[Mention]) -> int:
        """How far left of its suffix at ``position`` a name's core may reach: ``max_core`` characters, and the whole of
        a place the limit cuts (重庆市开州区某某企业经营管理有限公司: 重庆市 whole, not 庆市)."""
        low = max(floor, position - self.lex.max_core)
        return next((m.start for m in places if m.start < low < m.end and m.start >= floor), low)

    def _name_start(self, key: str, rule: SuffixRule, position: int, low: int, places: list[Mention],
                    notes: list[tuple[int, int]]) -> int:
        """Where the name whose suffix begins at ``position`` begins (its core found leftwards, past 该镇 …)."""
        words = self._company_boundaries if rule.suffix in self.lex.legal_forms else None
        start = _quoted_head(key, self._past_anaphor(key, self._core_start(key, position, low, places, words), position))
        note = next((a for a, b in notes if a < start <= b), None)
        if note is not None:  # 华润置地(|北京)股份有限公司: the name goes on before its bracketed region
            start = self._core_start(key, note, low, places, words)
        if rule.joint:  # 新成立的|马溪冲村长冲垄村联合支部: a village the roster lacks still names it
            start = self._villages_before(key, start, low)
        if rule.suffix in self.lex.branch_suffixes and any(m.start == start for m in places):
            start = self._branch_parent(key, start, low)
        return start

    def _branch_parent(self, key: str, start: int, low: int) -> int:
        """Where a branch's name begins when its parent is written before the place it begins with (工行|四川省分行,
        中国农业银行|佳县支行): at the parent's name, back to the boundary before it; else at the place."""
        position = start
        while position > low and not self._boundary_before(key, position):
            position -= 1
        return position if self.lex.branch_parent.fullmatch(key, position, start) else start

    def _villages_before(self, key: str, start: int, low: int) -> int:
        """Where a joint organization's name begins when villages the roster lacks stand before the one it has
        (马溪冲村|长冲垄村联合支部): back to the boundary word, if only village names stand between."""
        position = start
        while position > low and not self._boundary_before(key, position):
            position -= 1
        head = key[position:start]
        return position if head and "".join(_VILLAGES.findall(head)) == head else start

    def _past_anaphor(self, key: str, start: int, suffix_start: int) -> int:
        """A name's core without a leading 该镇, 该村 … (该镇|马连塌村红枣专业合作社): the word refers, the name
        is what follows; a core that is the word alone (该镇党委) is left to the reference rules."""
        word = next((w for w in sorted(self.lex.anaphora, key=len, reverse=True) if key.startswith(w, start)), None)
        return start + len(word) if word is not None and start + len(word) < suffix_start else start

    def _village_branches(self, sentence: Sentence, rule: SuffixRule, suffix_start: int,
                          places: list[Mention]) -> list[Mention]:
        """A count of village party organizations right after villages listed (石牛、卷洞、中乐三个村党支部): the
        party organization of each, named 石牛村党支部 …, one mention each over the count."""
        key = sentence.text.key
        match = self.lex.village_branch_count.search(key, 0, suffix_start)
        if rule.kind != PARTY or rule.joint or match is None or match.end() != suffix_start:
            return []
        if match.group().startswith("等") and not key[:match.start()].endswith(PLACE_UNITS[VILLAGE]):
            return []  # 甲、乙等8个村党支部: an open list of villages named bare; the villages listed are the ends
        villages, position = [], match.start()
        for mention in sorted((m for m in places if m.entity.kind == VILLAGE), key=lambda m: -m.end):
            if mention.end == position or (mention.end == position - 1 and key[position - 1] in "、和与及"):
                villages.insert(0, mention.entity)
                position = mention.start
        end = suffix_start + len(rule.suffix)
        found = []
        for village in villages:
            name = village.name + rule.suffix
            branch = self.registry.find(rule.kind, name) or self._new_organization(
                rule, name, name, sentence.text.quote, [])
            branch.owner = branch.owner or village
            found.append(Mention(match.start(), end, branch))
        return found

    def _parent_before(self, mentions: list[Mention], start: int, rule: SuffixRule) -> Mention | None:
        """The unit or company named right before a name that goes on it (某学院|财务处, 某公安局|某分局|某派出所),
        if any: the two are one name, of a part of it."""
        if not mentions or mentions[-1].end != start or mentions[-1].how != "name":
            return None
        parent = mentions[-1]
        if parent.entity.kind in self.lex.parent_kinds and rule.kind in (*self.lex.parent_kinds, PARTY):
            return parent
        return None

    def _organization(self, sentence: Sentence, rule: SuffixRule, start: int, suffix_start: int, end: int,
                      places: list[Mention], owner: Entity | None = None) -> Mention | None:
        key = sentence.text.key
        count, begin, start = self._count_before(key, start, suffix_start)
        if count is None:
            start = self._past_measure(key, start, suffix_start)
        core = key[start:suffix_start]
        inner = [m for m in places if m.start >= start and m.end <= suffix_start]
        if count is None and not self._anchored(rule, core, inner, start):  # 14个村集体 is anchored by its count
            return None
        referred = self._reference(sentence, rule, core, start, end)
        if referred is not None:
            return referred.mention
        end = self._with_note(key, end)
        if count is not None:
            return self._group(sentence, rule, begin, end, count) if self._has_count_property(rule.kind) else None
        level_only = rule.whole and core in LEVEL_WORDS  # 市|人防办 names the city's office
        if (not core and not rule.whole) or (core in self.lex.generic_cores and not level_only):
            return self._short(sentence, rule, core, start, end)  # whole: 新建养牛场 names one
        if rule.whole and not core:
            bare = self._village_unit(sentence, rule, start, end, places)
            if bare is not None:
                return bare
        return self._named(sentence, rule, start, suffix_start, end, inner, owner)

    def _village_unit(self, sentence: Sentence, rule: SuffixRule, start: int, end: int,
                      places: list[Mention]) -> Mention | None:
        """A unit the text names by its generic word alone after a village of the sentence (关甲村新建冷冻库一座):
        that village's, named by linkgraph from the two (关甲村冷冻库, marked so), so that the units two villages
        build are two, not one unit both run. None without a village before it (新建冷冻库 names one)."""
        village = next((m.entity for m in reversed(places) if m.end <= start and m.entity.kind == VILLAGE), None)
        if village is None:
            return None
        name = village.name + rule.suffix
        entity = self.registry.find(rule.kind, name)
        if entity is None:
            entity = self._new_organization(rule, name, sentence.text.quote[start:end], sentence.text.quote, [])
            entity.props["named_by"] = "linkgraph"
        return Mention(start, end, entity)

    def _short(self, sentence: Sentence, rule: SuffixRule, core: str, start: int, end: int) -> Mention | None:
        """A suffix without a name of its own (联合党支部, 村党支部): the last one with that suffix in the
        section (for a joint organization, in the report); a joint organization formed right here and never
        named before (成立联村党委) is a new one, to be named from its lead member (:mod:`ties`)."""
        latest = self.section_latest.get("suffix:" + rule.suffix)
        if latest is None and rule.joint:
            # 甲村乙村联合村支部…成立联合支部: the last of the same form when none has this suffix
            latest = self.joint_latest.get(rule.suffix) or next(
                (e for e in reversed(self.joint_latest.values()) if rule.form and e.props.get("form") == rule.form), None)
            before = sentence.text.key[:start]
            if latest is None and before.endswith(self.lex.formation.words) and core in ("", *self.lex.unnamed_cores):
                # 洪德镇…组建联村党委。…以河连湾村为中心村…成立村级联合党委: one body, named when its villages are
                latest = next((e for e in self.joint_latest.values() if e.props.get("unnamed")), None) or \
                    self._new_organization(rule, rule.suffix, sentence.text.quote[start:end], sentence.text.quote, [])
                latest.props["unnamed"] = True
        if latest is None and rule.kind == PARTY and not rule.joint:
            latest = self._committee_of_town(sentence, rule, core)
        return Mention(start, end, latest, "short") if latest is not None else None

    def _committee_of_town(self, sentence: Sentence, rule: SuffixRule, core: str) -> Entity | None:
        """镇党委, 乡党委 named before any other 党委 of the section: the party committee of the section's town
        (木李镇…镇党委 → 木李镇党委), named so, with the town as its owner."""
        town = self.section_latest.get(TOWN) if core in TOWN_WORDS else None
        if town is None:
            return None
        name = town.name + rule.suffix
        committee = self.registry.find(PARTY, name) or self._new_organization(rule, name, name, sentence.text.quote, [])
        committee.owner = committee.owner or town
        return committee

    def _count_before(self, key: str, start: int, suffix_start: int) -> tuple[float | None, int, int]:
        """A count just before a name (38家|酿酒合作社): the count, where the counted name begins, and where
        its core begins (after the count); no count: None, ``start``, ``start``."""
        count, begin = None, start
        window = max(0, start - 8)
        for match in re.finditer(_NUMBER + r"(个|家|所|座|名)", key[window:suffix_start]):
            if window + match.start() <= start <= window + match.end():
                count, begin, start = chinese_number(match.group(1)), window + match.start(), window + match.end()
        return count, begin, start

    def _past_measure(self, key: str, start: int, suffix_start: int) -> int:
        """A name's core without the measure of a figure before it (6000亩|苹果产业示范基地): the figure is no name."""
        if start == 0 or not key[start - 1].isdigit():
            return start
        measure = next((m for m in self.lex.measures if key.startswith(m, start)), "")
        return start + len(measure) if start + len(measure) < suffix_start else start

    def _anchored(self, rule: SuffixRule, core: str, inner: list[Mention], start: int) -> bool:
        """Whether a suffix that needs an anchor has one: a place at the start of the name, a county, town …
        word at its start, or the whole name already known."""
        if not rule.anchored or (inner and inner[0].start == start) or (core[:1] in "县市镇乡区省" and core):
            return True
        if inner and rule.suffix in self.lex.branch_suffixes and self.lex.branch_parent.fullmatch(
                core, 0, inner[0].start - start):  # 中国农业银行|佳县|支行: the bank before the place anchors it
            return True
        return bool(core and self.registry.find(rule.kind, core + rule.suffix))

    def _reference(self, sentence: Sentence, rule: SuffixRule, core: str, start: int, end: int
                   ) -> _Referred | None:
        """各 + suffix: a group counted before; 该/本 + suffix: the last one of its kind (None in the result
        when there is none); otherwise no reference (None)."""
        if core.startswith(self.lex.collective):
            return _Referred(self._group_reference(sentence, start, end, rule.suffix))
        for word in self.lex.determiners:
            if core.startswith(word) and core[len(word):] in ("", *self.lex.generic_cores):
                latest = self.section_latest.get(rule.kind)
                return _Referred(Mention(start, end, latest, "anaphor") if latest is not None else None)
        return None

    def _named(self, sentence: Sentence, rule: SuffixRule, start: int, suffix_start: int, end: int,
               inner: list[Mention], owner: Entity | None) -> Mention:
        """A named organization: the one known by the name (or its abbreviation), else a new one."""
        text, key = sentence.text, sentence.text.key
        leading = self._leading_places(rule, inner, start)
        name_start = leading[-1].start if len(leading) >= 2 else start
        surface = re.sub("[“”\"「」]", "", key[name_start:end])  # “穆纳之福”牧家游…合作社 is named without quotes
        spelling = text.quote[name_start:end]
        # a region (province, city, county) may be left out of a name; a town or village may not:
        # 张家圪崂村|股份经济合作社 without its village names every village's cooperative
        regions_text = [key[m.start:m.end] for m in inner[:1] if m.entity.kind in REGION_KINDS]
        entity = self._known(rule, surface, regions_text, key[leading[-1].end:end] if leading else "", owner)
        if entity is None:
            entity = self._new_organization(rule, surface, spelling, text.quote, regions_text)
            self._aliases_without_places(entity, surface, rule)
            self.registry.index(entity, _NOTE_AFTER.sub("", surface))  # 某小镇党委(管委会) is also 某小镇党委
            if rule.kind == PARTY and not rule.joint:  # 乌镇|党委, 县委办|党支部
                owner = owner or next((m.entity for m in inner if m.start == name_start and m.end == suffix_start), None)
                entity.owner = owner or self._owner_by_name(entity, key[name_start:suffix_start], rule, sentence)
            entity.region = leading[-1].entity if leading else None
            if leading and leading[-1].entity.kind in (TOWN, VILLAGE):
                self._alias_without_place(entity, key[leading[-1].end:end], rule)
        else:
            entity.spellings.setdefault(spelling)
            self.registry.index(entity, surface)
        if name_start > start:  # 重庆市开州区某公司 is named from its county on, and keeps the whole as written
            entity.spellings.setdefault(text.quote[start:end])
            self.registry.index(entity, re.sub("[“”\"「」]", "", key[start:end]))
        self._aliases_after(sentence, end, entity)
        return Mention(start, end, entity)

    def _owner_by_name(self, entity: Entity, core: str, rule: SuffixRule, sentence: Sentence) -> Entity | None:
        """Whose party organization a name is, by its core: a known entity, else a place the roster lacks."""
        return self.registry.find(None, core) or self._unlisted_place(entity, core, rule, sentence)

    def _unlisted_place(self, entity: Entity, core: str, rule: SuffixRule, sentence: Sentence) -> Entity | None:
        """The village or town a party organization is named for when the roster in scope lacks it
        (成都市龙泉驿区洛带镇|宝胜村|党委 → 宝胜村, unresolved, in 洛带镇): the core must be place names only,
        the last a village or town; the organization is then named without the places before it."""
        tokens = _PLACE_TOKEN.findall(core)
        if not tokens or "".join(tokens) != core or tokens[-1].endswith(("市", "区", "县", "省", "州", "旗")):
            return None
        name = tokens[-1]
        if name in self.lex.generic_cores or len(name) < 2:
            return None
        kind = VILLAGE if name.endswith(PLACE_UNITS[VILLAGE]) else TOWN
        town = tokens[-2] if kind == VILLAGE and len(tokens) > 1 and tokens[-2].endswith(PLACE_UNITS[TOWN]) else None
        place = self.registry.find(kind, name)
        if place is None:
            place = self.registry.add(Entity(self.registry.new_id(), kind, name, {name: None}, town=town,
                                             status="unresolved", quote=sentence.text.quote))
        if len(tokens) > 1:
            entity.name = name + rule.suffix
            self.registry.index(entity, entity.name)
        return place

    @staticmethod
    def _leading_places(rule: SuffixRule, inner: list[Mention], start: int) -> list[Mention]:
        """The places a name begins with, which only locate it (陕西省佳县|刘国具镇党委); none for a joint
        organization named by its villages (关甲村刘家坬村联合支部: the places are its name)."""
        leading = []
        position = start
        for m in (m for m in inner if m.entity.kind in ADMIN_LEVELS):
            if m.start == position:
                leading.append(m)
                position = m.end
        return [] if rule.joint and len(leading) >= 2 else leading

    def _known(self, rule: SuffixRule, surface: str, regions: list[str], rest: str, owner: Entity | None
               ) -> Entity | None:
        """The organization ``surface`` names if it was named before: by this name, an abbreviation, the name
        without its town, or as the party branch of the same owner."""
        return (self.registry.find(rule.kind, surface) or self._by_abbreviation(rule.kind, surface, regions)
                or self._known_without_place(rule, rest) or self._branch_of(owner, rule)
                or self._by_short_name(rule, surface) or self._by_close_spelling(rule, rest or surface))

    def _by_close_spelling(self, rule: SuffixRule, surface: str) -> Entity | None:
        """A joint organization the report named before under a spelling that differs in a character or two
        (得益农牧小镇联村党委, then 得益牧业小镇联村党委): the one such, same suffix, same length, same first two
        characters; reports misspell a long name, they rarely name two bodies so alike."""
        core = surface[: len(surface) - len(rule.suffix)]
        if not rule.joint or len(core) < CLOSE_SPELLING[0]:
            return None
        close = [e for e in self._joints if e.kind == rule.kind and e.props.get("form") == rule.form
                 and any(_differs_little(core, s[: len(s) - len(e.suffix)]) for s in (e.name, *e.surfaces)
                         if s.endswith(e.suffix))]
        return close[0] if len(close) == 1 else None

    def _by_short_name(self, rule: SuffixRule, surface: str) -> Entity | None:
        """A company called by the first words of its name and its legal form (龙裕公司 for 重庆龙裕城乡建设开发有限公司,
        named before): the one company of the report registered under a name (有限公司) one of whose names begins
        with them, if only one is (成华城投公司 is not 成华城投园林公司: neither is a registered name)."""
        core = surface[: len(surface) - len(rule.suffix)]
        if rule.suffix not in self.lex.legal_forms or not SHORT_CORE[0] <= len(core) <= SHORT_CORE[1]:
            return None
        known = [e for e in self._registered if e.kind == rule.kind
                 and any(s.startswith(core) and len(s) > len(surface) for s in (e.name, *e.surfaces))]
        return known[0] if len(known) == 1 else None

    def _branch_of(self, owner: Entity | None, rule: SuffixRule) -> Entity | None:
        """The party organization of ``owner`` with this suffix named before under another spelling of the owner
        (开平依利安达电子有限公司党支部, then 依利安达公司党支部)."""
        if owner is None or rule.kind != PARTY:
            return None
        return next((e for e in self.registry.owned_by(owner) if e.suffix == rule.suffix), None)

    def _known_without_place(self, rule: SuffixRule, rest: str) -> Entity | None:
        """An organization named before without the town its name now begins with (四杨禅联合党委, then
        小市镇四杨禅联合党委), where what is left names one organization."""
        return self.registry.find(rule.kind, rest) if rest and self._names_one(rest, rule) else None

    def _names_one(self, rest: str, rule: SuffixRule) -> bool:
        core = rest[: len(rest) - len(rule.suffix)]
        return (len(core) >= 2 and core not in self.lex.generic_cores and not core.startswith(self.lex.place_bound)
                and not core.startswith(self.lex.collective))

    def _alias_without_place(self, entity: Entity, rest: str, rule: SuffixRule) -> None:
        """木李镇|得益农牧小镇联村党委 is also 得益农牧小镇联村党委, where what is left names one organization;
        张家圪崂村|股份经济合作社 is not (every village has one: ``place_bound`` cores)."""
        if self._names_one(rest, rule):
            self.registry.index(entity, rest)

    def _aliases_without_places(self, entity: Entity, surface: str, rule: SuffixRule) -> None:
        """A name that begins with place names (高青县木李镇得益农牧小镇联村党委, the roster in scope knowing them
        or not) is also each shorter name left after them (木李镇得益…, 得益农牧小镇联村党委), where it names one."""
        position = 0
        while (token := _PLACE_TOKEN.match(surface, position)) is not None and token.end() < len(surface):
            position = token.end()
            self._alias_without_place(entity, surface[position:], rule)

    def _new_organization(self, rule: SuffixRule, surface: str, spelling: str, quote: str,
                          regions_text: list[str]) -> Entity:
        """A new organization of ``rule``'s kind (form and joint flag from the suffix), registered and indexed."""
        entity = Entity(self.registry.new_id(), rule.kind, surface, {spelling: None}, quote=quote, suffix=rule.suffix)
        if rule.form:
            entity.props["form"] = rule.form
        if rule.joint:
            entity.props["joint"] = True
            self._joints.append(entity)
        elif rule.suffix in self.lex.legal_forms and surface.endswith(REGISTERED):
            self._registered.append(entity)
        self.registry.add(entity)
        self.registry.index(entity, *self.registry.abbreviations(surface, regions_text))
        return entity

    def _by_abbreviation(self, kind: str, surface: str, regions: list[str]) -> Entity | None:
        for short in self.registry.abbreviations(surface, regions):
            found = self.registry.find(kind, short)
            if found is not None:
                return found
        return None

    def _has_count_property(self, kind: str) -> bool:
        return self.schema.node_kind(kind).property("aggregate_count") is not None

    @staticmethod
    def _with_note(key: str, end: int) -> int:
        """A short note in brackets right after a name belongs to it: 酿酒合作社(作坊)."""
        note = re.match(r"[(（][\u3400-\u9fff]{1,6}[)）]", key[end:])
        return end + note.end() if note else end

    def _group(self, sentence: Sentence, rule: SuffixRule, begin: int, end: int, count: float) -> Mention:
        """A counted group (38家酿酒合作社): one node with ``aggregate_count``; the same count in the section is the same group."""
        text = sentence.text
        entity = next((g for g in self.section_groups if g.props.get("aggregate_count") == count
                       and g.kind == rule.kind), None)
        if entity is None:
            entity = Entity(self.registry.new_id(), rule.kind, text.key[begin:end], {text.quote[begin:end]: None},
                            quote=text.quote, suffix=rule.suffix, props={"aggregate_count": int(count)})
            self.registry.add(entity)
        sentence.consumed.add(begin)
        return Mention(begin, end, entity, "name")

    def _group_reference(self, sentence: Sentence, start: int, end: int, noun: str) -> Mention | None:
        for group in reversed(self.section_groups):
            if noun[-1] in group.name or noun in group.name:
                return Mention(start, end, group, "collective")
        return None

    def _aliases_after(self, sentence: Sentence, end: int, entity: Entity) -> None:
        for pattern in self.lex.alias_patterns:
            match = pattern.match(sentence.text.key, end)
            if match:
                alias = match.group(1)
                self.registry.index(entity, alias)
                self.registry.add_surface(entity, alias)  # defined by the text: kept even when short (以下简称“枣香”)
                entity.spellings.setdefault(sentence.text.quote[match.start(1):match.end(1)])

    # ------------------------------------------------------------------ references, industries, figures

    def _references(self, sentence: Sentence) -> list[Mention]:
        """Mentions of entities already found: their other names, anaphors (该县) and collective nouns (各村)."""
        found: list[Mention] = []
        self._aliases(sentence, found)
        self._anaphors(sentence, found)
        self._collectives(sentence, found)
        self._counted_villages(sentence, found)
        return found

    def _counted_villages(self, sentence: Sentence, found: list[Mention]) -> None:
        """两村, 三村 (a count right before 村, no 个): the last villages named, one mention each (三村抱团发展)."""
        for match in self.lex.counted_villages.finditer(sentence.text.key):
            count = chinese_number(match.group(1))
            if count and 2 <= count <= len(self.recent_villages) and self._free(sentence, found, *match.span()):
                for village in self._last_villages(int(count)):
                    found.append(Mention(match.start(), match.end(), village, "anaphor"))

    @staticmethod
    def _free(sentence: Sentence, found: list[Mention], a: int, b: int) -> bool:
        """Whether the span ``a:b`` is neither covered by the sentence's mentions nor by those ``found``."""
        return not sentence.covered(a, b) and not any(m.start < b and a < m.end for m in found)

    def _aliases(self, sentence: Sentence, found: list[Mention]) -> None:
        """Organizations read before, named again by any of their surfaces: longest first, left to right.

        At each position of the sentence, the substrings as long as the surfaces beginning with its character
        are looked up (:attr:`Registry.by_surface`), so a sentence costs its length times the few lengths names
        have, however many names were read before it.
        """
        key = sentence.text.key
        by_surface, lengths = self.registry.by_surface, self.registry.surface_lengths
        occurrences = []  # (length, start, entity): looked up only where a surface begins with the character
        for start, char in enumerate(key):
            for length in lengths.get(char, ()):
                named = by_surface.get(key[start:start + length])
                entity = next((e for e in named if not e.is_place and e.kind != INDUSTRY), None) if named else None
                if entity is not None:
                    occurrences.append((-length, start, entity))
        for length, start, entity in sorted(occurrences, key=lambda o: o[:2]):
            if self._free(sentence, found, start, start - length):
                found.append(Mention(start, start - length, entity, "alias"))

    def _anaphors(self, sentence: Sentence, found: list[Mention]) -> None:
        key = sentence.text.key
        for word, kind in sorted(self.lex.anaphora.items(), key=lambda item: -len(item[0])):
            for start, end in occurrences(key, word):
                if not self._free(sentence, found, start, end):
                    continue
                target = self.section_latest.get(kind)
                if kind == COUNTY and target is None and (self.county or self.only_county) is not None:
                    node = self.county or self.only_county
                    target = self.registry.find(COUNTY, node.name) or self._place_entity(
                        COUNTY, [node], node.name, node.name, None, sentence)
                if target is not None:
                    found.append(Mention(start, end, target, "anaphor"))

    def _collectives(self, sentence: Sentence, found: list[Mention]) -> None:
        key = sentence.text.key
        for word in self.lex.collective:
            for start, after in occurrences(key, word):
                for length in (3, 2, 1):
                    noun = key[after:after + length]
                    if (len(noun) < length or not all(_is_cjk(c) for c in noun)
                            or not self._free(sentence, found, start, after + length)):
                        continue
                    mention = self._group_reference(sentence, start, after + length, noun)
                    if mention is not None:
                        found.append(mention)
                        break

    def _industries(self, sentence: Sentence) -> list[Mention]:
        """Industries: the patterns, the industry words, a product before an ending (乐器加工; before 产业 only a
        known product: 油茶产业, not 谋划产业) and a product right after a place (戈段村|大棚西瓜)."""
        key = sentence.text.key
        found: list[Mention] = []

        def add(start: int, end: int, name: str, *aliases: str) -> None:
            if sentence.covered(start, end) or any(m.start < end and start < m.end for m in found):
                return
            same = self._industry_aliases(name)
            entity = self.registry.find(INDUSTRY, name, *same)
            if entity is None:
                entity = self.registry.add(Entity(f"industry:{match_key(name)}", INDUSTRY, name,
                                                  {sentence.text.quote[start:end]: None}, quote=sentence.text.quote))
            for alias in same:  # 养羊 and 羊养殖 are one industry, whichever the text writes first
                entity.spellings.setdefault(alias, None)
            self.registry.index(entity, name, *same, *aliases)
            found.append(Mention(start, end, entity))

        for pattern, template in self.lex.industry_patterns:
            for match in pattern.finditer(key):
                add(match.start(1), match.end(1), template.format(match.group(1)))
        for match in self._industry.finditer(key):
            add(match.start(), match.end(), self.lex.industry_words[match.group()])
        for ending in self.lex.industry_endings:
            for at, end in occurrences(key, ending):
                if ending in self.lex.industry_bare_endings:  # 鲜食玉米产业 is also 鲜食玉米
                    start = self._product_before(key, at)
                    if start is not None:
                        add(start, end, key[start:end], key[start:at])
                    continue
                start = self._product_before(key, at)  # 提供|茶叶加工: a known product, else up to a stop
                start = self._industry_core_start(sentence, at) if start is None else start
                if start < at:
                    add(start, end, key[start:end])
        for start, end, ending in self._product_lists(key):
            add(start, end, key[start:end] + ending)
        for mention in [m for m in sentence.mentions if m.entity.kind in (VILLAGE, TOWN)]:
            after = mention.end + (1 if key.startswith("的", mention.end) else 0)
            end = self._product_after(key, after)
            if end is not None and not key.startswith(self.lex.industry_endings, end):
                add(after, end, key[after:end])
        return found

    def _industry_aliases(self, name: str) -> tuple[str, ...]:
        """The other names of an industry: a product's planting or raising is also called by the product alone
        and by the verb before it (玉米种植: 玉米, 种植玉米, 种玉米; 羊养殖: 养羊), and a product's industry by its
        planting or raising (柑橘: 柑橘种植, as the product's group says)."""
        verbs = {"种植": ("种植", "种"), "养殖": ("养殖", "养")}
        for ending, before in verbs.items():
            core = name[:-len(ending)] if name.endswith(ending) else ""
            if core and (core in self.lex.industry_activities or core in self.lex.industry_raised):
                return (*((core,) if len(core) > 1 else ()), *(verb + core for verb in before))
        activity = self.lex.industry_activities.get(name, "")
        return (name + activity, *(verb + name for verb in verbs[activity])) if activity else ()

    def _product_lists(self, key: str) -> list[tuple[int, int, str]]:
        """``(start, end, ending)`` of each product listed after a verb of ``list_verbs`` (种植玉米、葫芦等 →
        玉米 and 葫芦, each a planting), and of an animal raised (养羊, 养殖羊). After a verb whose ending is empty
        (发展) a list of two or more products only: one product alone is left to the patterns."""
        spans = []
        for verb, ending in self.lex.industry_list_verbs.items():
            for _, end in occurrences(key, verb):
                run = self._product_run(key, end, ending == "养殖")
                if ending or len(run) > 1:
                    spans += [(start, end, ending) for start, end in run]
        for match in re.finditer(r"(?<![培营保扶疗休抚供赡收教滋涵修颐喂饲])养(?!殖)", key):
            run = self._product_run(key, match.end(), True)
            spans += [(start, end, "养殖") for start, end in run]
        return spans

    def _product_run(self, key: str, start: int, raised: bool) -> list[tuple[int, int]]:
        """The products written one after another from ``start`` (玉米、葫芦和甜瓜), joined by 、, 和, 及 or 与;
        ``raised``: an animal written with one character (羊, 牛) counts as a product."""
        run: list[tuple[int, int]] = []
        at = start
        while True:
            end = self._product_after(key, at)
            if end is None and raised and key[at:at + 1] in self.lex.industry_raised:
                end = at + 1
            if end is None:
                return run
            run.append((at, end))
            if key[end:end + 1] not in ("、", "和", "及", "与"):
                return run
            at = end + 1

    def _product_before(self, key: str, end: int) -> int | None:
        """Where a known product (with a modifier: 大棚西瓜) ending at ``end`` begins, or None."""
        product = self._products.ending(key, end)
        if product is None:
            return None
        start = end - len(product)
        modifier = self._modifiers.ending(key, start) or ""
        return start - len(modifier)

    def _product_after(self, key: str, start: int) -> int | None:
        """Where a known product (with a modifier) starting at ``start`` ends, or None."""
        modifier = self._modifiers.starting(key, start) or ""
        product = self._products.starting(key, start + len(modifier))
        return start + len(modifier) + len(product) if product is not None else None

    def _industry_core_start(self, sentence: Sentence, end: int) -> int:
        """Where the product before an industry ending begins (谭封庄村|乐器加工, 填补全区|稻米加工空白): at most
        ``max_core`` characters back, never across a name, a boundary word or a word such as 全区 or 特色."""
        key, start = sentence.text.key, end
        while (start > end - self.lex.industry_max_core and start > 0 and _is_cjk(key[start - 1])
               and not self._boundary_before(key, start) and key[start - 1] not in "集各"
               and not sentence.covered(start - 1, start)
               and not key.endswith(self.lex.industry_core_stops, 0, start)
               and not key.endswith(self._cue_words, 0, start)):
            start -= 1
        return start

    def _built_items(self, sentence: Sentence) -> None:
        """A list after a verb of building whose items are each a village and what it makes (建成了甲村农家酱坊、
        乙村米酒): each item is a unit of its village (mentions.yaml built_items), in place of the industries in it."""
        spec, key = self.lex.built_items, sentence.text.key
        if not spec:
            return
        for word in spec["after"]:
            for _, end in occurrences(key, word):
                items = self._item_spans(sentence, end, spec["max_rest"])
                if len(items) >= spec["min_items"]:
                    self._add_items(sentence, items, spec["kind"])

    def _item_spans(self, sentence: Sentence, position: int, max_rest: int) -> list[tuple[Mention, int]]:
        """The items of the list starting at ``position`` that are each a village mention and what follows it (up to
        ``max_rest`` characters), with the end of each; other items of the list (粮食烘干塔, 乙村保鲜库: a name of
        its own) are passed over."""
        key, items = sentence.text.key, []
        clause = re.match(r"[^，,。；;：:]*", key[position:]).group()
        for part in re.finditer(r"[^、]+", clause):
            start, end = position + part.start(), position + part.end()
            village = next((m for m in sentence.mentions if m.start == start and m.how == "name"
                            and m.entity.kind == LEVEL["village"]), None)
            rest = re.match(r"[\u4e00-\u9fff]+", key[village.end:end]) if village is not None else None
            if rest is None:
                continue
            stop = village.end + len(rest.group().split("等")[0])
            if 1 <= stop - village.end <= max_rest and not any(
                    m.start < stop and m.end > village.end and m.entity.kind != INDUSTRY for m in sentence.mentions):
                items.append((village, stop))
        return items

    def _add_items(self, sentence: Sentence, items: list[tuple[Mention, int]], kind: str) -> None:
        text, key = sentence.text, sentence.text.key
        for village, end in items:
            surface = key[village.start:end]
            entity = self.registry.find(kind, surface)
            if entity is None:
                entity = self.registry.add(Entity(self.registry.new_id(), kind, surface,
                                                  {text.quote[village.start:end]: None}, quote=text.quote,
                                                  region=village.entity))
                self.registry.index(entity, surface)
            sentence.mentions = sorted([*(m for m in sentence.mentions if not (village.end <= m.start < end)),
                                        Mention(village.start, end, entity)], key=lambda m: m.start)
            sentence.mentions.remove(village)

    def _figures(self, sentence: Sentence) -> list[Figure]:
        key = sentence.text.key
        figures = []
        for match in self._figure.finditer(key):
            if match.start() in sentence.consumed:
                continue
            value = chinese_number(match.group(1))
            if value is None or match.group(1) in ("一", "两") and not match.group(2):
                continue
            measure = match.group(3)
            if match.group(2):
                value *= self.lex.multipliers[match.group(2)]
            noun = re.match(r"[\u3400-\u9fff]{0,8}", key[match.end():]).group()
            noun = re.split(self._noun_stops, noun)[0][:6]
            clause_start = max(key.rfind(c, 0, match.start()) for c in ",，;；:：、(（") + 1
            figures.append(Figure(match.start(), match.end(), value, measure, noun, key[clause_start:match.start()]))
        return figures

    # ------------------------------------------------------------------ a sentence

    def read(self, sentence: Sentence) -> Sentence:
        """Find every mention, figure and year of ``sentence`` (in place), updating the context."""
        places = self._find_places(sentence)
        organizations = self._find_organizations(sentence, places)
        kept = [p for p in places if not any(o.start <= p.start and p.end <= o.end for o in organizations)]
        sentence.mentions = sorted([*kept, *organizations], key=lambda m: m.start)
        for mention in organizations:
            self._note(mention.entity)
        sentence.mentions = sorted([*sentence.mentions, *self._references(sentence)], key=lambda m: m.start)
        sentence.mentions = sorted([*sentence.mentions, *self._industries(sentence)], key=lambda m: m.start)
        self._built_items(sentence)
        for mention in sentence.mentions:
            if mention.how != "anaphor":
                self._note(mention.entity)
        sentence.figures = self._figures(sentence)
        sentence.years = [(m.start(), m.group(1) + (f"-{int(m.group(2)):02d}" if m.group(2) else ""))
                          for m in self.lex.year.finditer(sentence.text.key)]
        return sentence
