"""The extraction rules as data: ``mentions.yaml`` (names) and ``cues.yaml`` (ties), read and checked once.

Nothing here matches text; :mod:`loaders.extract.mentions` and
:mod:`loaders.extract.ties` apply the rules. The files are checked against the
schema when read (kinds and tie kinds must exist, words must be Simplified),
so a wrong edit is one clear error, not a silent miss.

>>> lexicon = default_lexicon()
>>> lexicon.suffix_rules[0].suffix, lexicon.suffix_rules[0].kind
('人力资源和社会保障局', 'AssistanceUnit')
>>> [c.tie for c in lexicon.cues if "引进" in c.words]
['GUIDES']
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Iterable

from graph_model.names import to_simplified
from graph_model.schema import Schema, default_schema, packaged_yaml


class LexiconError(ValueError):
    """A rule file that does not fit the schema or its own format."""


@dataclass(frozen=True)
class SuffixRule:
    suffix: str
    kind: str
    form: str | None = None
    joint: bool = False
    anchored: bool = False
    whole: bool = False


@dataclass(frozen=True)
class EndSpec:
    """Where one end of a cue's tie is looked for (see ``cues.yaml``)."""

    side: str = "before"
    all: bool = False
    prefer: tuple[str, ...] = ()
    next: bool = False  # only the first name right after the cue (种植|丝瓜), never one further on
    within: str = ""  # clause: only in the cue's clause (某单位投资…在某村修建); sentence: never an earlier sentence
    owner: bool = False  # a party organization stands for its village or town (永义村党支部…花椒产业 → 永义村)
    list: bool = False  # the name picked with the names listed with it (帮扶川珠、出食、何吕三村: each of them)
    only: tuple[str, ...] = ()  # the kinds the end may be, of those the schema allows (驻村: an assistance unit)


@dataclass(frozen=True)
class Cue:
    tie: str
    words: tuple[str, ...]
    source: EndSpec = EndSpec()
    target: EndSpec = EndSpec("after")
    shape: str = "ends"
    confidence: float = 0.7
    mechanism: str | None = None
    product: str | None = None
    implies: tuple[dict[str, Any], ...] = ()
    needs: tuple[str, ...] = ()  # words one of which must follow the cue in its clause (帮助…建设)
    unless: tuple[str, ...] = ()  # words none of which may follow the cue in its clause (联合…成立: a formation)


@dataclass(frozen=True)
class Formation:
    words: tuple[str, ...]
    support: re.Pattern[str]
    lead_words: tuple[str, ...]
    claim: str
    confidence: float
    lead_after: re.Pattern[str] = re.compile(r"(?!)")
    guide_owners: tuple[str, ...] = ()
    formed_kinds: tuple[str, ...] = ()
    unnamed_note: str = ""
    unnamed_forms: dict[str, str] = field(default_factory=dict)
    venue_words: tuple[str, ...] = ()  # 在: the place after it is where the organization is formed
    venue_gap: re.Pattern[str] = re.compile(r"(?!)")  # what may stand between that place and the cue (挂牌)
    jointly: tuple[str, ...] = ()  # 联合: right before the cue, the founders named before are its members


@dataclass(frozen=True)
class Words:
    """Words looked up at a place in a text: the longest that begins (or ends) there, as a scan of the words
    sorted longest first finds it, by looking up the text's span of each length the words have (a handful)
    instead of testing each word (industries: 271 products, tested at every place a product may begin).

    >>> products = Words.of(["玉米", "鲜食玉米", "羊"])
    >>> products.starting("种植鲜食玉米", 2), products.ending("种植鲜食玉米", 6), products.starting("养羊", 0)
    ('鲜食玉米', '鲜食玉米', None)
    """

    words: frozenset[str]
    lengths: tuple[int, ...]  # longest first

    @classmethod
    def of(cls, words: Iterable[str]) -> "Words":
        found = frozenset(words)
        return cls(found, tuple(sorted({len(w) for w in found}, reverse=True)))

    def starting(self, text: str, start: int) -> str | None:
        """The longest of the words that ``text`` has at ``start``, or None."""
        return next((text[start:start + n] for n in self.lengths if text[start:start + n] in self.words), None)

    def ending(self, text: str, end: int) -> str | None:
        """The longest of the words that ``text`` has right before ``end``, or None."""
        return next((text[end - n:end] for n in self.lengths if n <= end and text[end - n:end] in self.words), None)


@dataclass(frozen=True)
class Lexicon:
    suffix_rules: tuple[SuffixRule, ...]
    max_core: int
    boundaries: tuple[str, ...]
    generic_cores: frozenset[str]
    place_bound: tuple[str, ...]
    parent_kinds: tuple[str, ...]
    counted_villages: re.Pattern[str]
    bare_village_list: re.Pattern[str]
    type_list: re.Pattern[str]
    trade_words: tuple[str, ...]
    unnamed_cores: tuple[str, ...]
    village_branch_count: re.Pattern[str]
    not_names: tuple[str, ...]
    longer_words: tuple[str, ...]
    determiners: tuple[str, ...]
    anaphora: dict[str, str]
    collective: tuple[str, ...]
    measures: tuple[str, ...]
    multipliers: dict[str, int]
    figure_noun_stops: tuple[str, ...]
    alias_patterns: tuple[re.Pattern[str], ...]
    legal_forms: tuple[str, ...]
    contractions: dict[str, str]
    min_alias: int
    industry_words: dict[str, str]
    industry_endings: tuple[str, ...]
    industry_max_core: int
    industry_core_stops: tuple[str, ...]
    industry_bare_endings: tuple[str, ...]
    industry_products: tuple[str, ...]
    industry_activities: dict[str, str]  # product -> the ending its industry is also called by (柑橘 -> 种植)
    industry_raised: tuple[str, ...]
    industry_list_verbs: dict[str, str]
    industry_modifiers: tuple[str, ...]
    industry_patterns: tuple[tuple[re.Pattern[str], str], ...]
    industry_from_names: bool
    industry_from_names_min_rest: int
    cues: tuple[Cue, ...]
    formation: Formation
    from_names: dict[str, dict[str, Any]]
    mechanism: re.Pattern[str]
    brand: re.Pattern[str]
    terms: re.Pattern[str]
    year: re.Pattern[str]
    cue_words: dict[str, Cue] = field(default_factory=dict)
    pair_kinds: tuple[str, ...] = ()
    not_cues: tuple[str, ...] = ()
    pair_not_after: re.Pattern[str] = re.compile(r"(?!)")
    symmetric_ties: tuple[str, ...] = ()
    built_items: dict[str, Any] = field(default_factory=dict)  # 建成了甲村农家酱坊、乙村米酒: a unit of each village
    product_joiners: tuple[str, ...] = ()  # 及 between two products inside a name (大棚蔬菜及食用菌基地) is no boundary
    pair_visit: re.Pattern[str] = re.compile(r"(?!)")
    pair_joiners: tuple[str, ...] = ()
    pair_unnamed_branch: dict[str, str] = field(default_factory=dict)  # a village's branch the text never names
    asides: re.Pattern[str] = re.compile(r"(?!)")
    place_gap: re.Pattern[str] = re.compile(r"(?:里)?的")  # 某村的|某公司, 某村的村企|某公司: the place says where
    built_at: re.Pattern[str] = re.compile(r"(?!)")  # 在某镇…建设|某基地: the project is there
    negations: tuple[str, ...] = ()
    benefactive: tuple[str, ...] = ()
    branch_suffixes: tuple[str, ...] = ()  # 分行, 支行: a branch named by its parent before its place
    branch_parent: re.Pattern[str] = re.compile(r"(?!)")  # the parent's name before that place (工行|四川省分行)
    village_dropped: tuple[str, ...] = ()  # 家: 常坊村 written for the roster's 常家坊村
    learned_min_probability: float = 0.5  # a tie of the trained tie model is proposed from this probability
    learned_ties: frozenset[str] = frozenset()  # the tie kinds the trained tie model may propose

    @functools.cached_property
    def products_holding(self) -> dict[str, tuple[str, ...]]:
        """Each boundary word that stands inside the name of a product or modifier (有|机 of 有机, 对 of 南美白对虾),
        with those names: worked out once per lexicon, not for each report read (the lexicon is frozen)."""
        named = (*self.industry_products, *self.industry_modifiers)
        return {w: tuple(p for p in named if w in p and p != w) for w in self.boundaries
                if any(w in p and p != w for p in named)}


def _words(values: Any, where: str) -> tuple[str, ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise LexiconError(f"应为词语列表 / {where}: expected a list of words")
    for word in values:
        if to_simplified(word) != word:
            raise LexiconError(f"请用简体 / {where}: {word!r} is not Simplified (the text is matched in Simplified)")
    if len(set(values)) != len(values):
        twice = sorted({v for v in values if values.count(v) > 1})
        raise LexiconError(f"重复 / {where}: listed twice: {', '.join(twice)}")
    return tuple(values)


def _end(data: Any, where: str, schema: Schema) -> EndSpec:
    data = data or {}
    side = data.get("side", "before")
    if side not in ("before", "after", "any"):
        raise LexiconError(f"{where}: side must be before, after or any, not {side!r}")
    if data.get("within", "") not in ("", "clause", "sentence"):
        raise LexiconError(f"{where}: within must be clause or sentence, not {data['within']!r}")
    prefer, only = tuple(data.get("prefer", ())), tuple(data.get("only", ()))
    for kind in (*prefer, *only):
        schema.node_kind(kind)
    return EndSpec(side, bool(data.get("all", False)), prefer, bool(data.get("next", False)),
                   str(data.get("within", "")), bool(data.get("owner", False)), bool(data.get("list", False)), only)


def _industry_patterns(industries: dict[str, Any]) -> tuple[tuple[re.Pattern[str], str], ...]:
    """The industry patterns, with ``{products}`` and ``{modifiers}`` standing for the lists of those words."""
    products = [word for group in industries["product_groups"] for word in group["words"]]
    alternatives = {name: "|".join(map(re.escape, sorted(_words(words, f"mentions.yaml industries {name}"),
                                                         key=len, reverse=True)))
                    for name, words in (("products", products), ("modifiers", industries["modifiers"]))}
    return tuple((re.compile(p["pattern"].replace("{products}", alternatives["products"])
                             .replace("{modifiers}", alternatives["modifiers"])), p["name"])
                 for p in industries["patterns"])


def _by_word(entries: list[dict[str, Any]], words: str, value: str, where: str) -> dict[str, str]:
    """``{word: entry[value]}`` for every word of every entry (anaphora by kind, industry words by name)."""
    return {word: entry[value] for entry in entries for word in _words(entry[words], f"{where} {entry[value]}")}


def _built_items(data: dict[str, Any] | None, schema: Schema) -> dict[str, Any]:
    """mentions.yaml built_items, checked: the words before the list, the kind of the units, the longest rest of an
    item after its village and the fewest items of a list."""
    if not data:
        return {}
    return {"after": tuple(sorted(_words(data["after"], "mentions.yaml built_items"), key=len, reverse=True)),
            "kind": schema.node_kind(data["kind"]).label, "max_rest": int(data["max_rest"]),
            "min_items": int(data["min_items"])}


def _cue(entry: dict[str, Any], number: int, schema: Schema) -> Cue:
    """One entry of ``cues.yaml`` cues, checked against ``schema``."""
    where = f"cues.yaml cue {number} ({entry.get('tie')})"
    tie = schema.tie_kind(entry["tie"])
    for implied in entry.get("implies", ()):
        schema.tie_kind(implied["tie"])
    return Cue(tie.type, _words(entry["words"], where), _end(entry.get("from"), where, schema),
               _end(entry.get("to", {"side": "after"}), where, schema), entry.get("shape", "ends"),
               float(entry.get("confidence", 0.7)), entry.get("mechanism"), entry.get("product"),
               tuple(entry.get("implies", ())), _words(entry["needs"], where) if "needs" in entry else (),
               _words(entry["unless"], where) if "unless" in entry else ())


def build_lexicon(mentions: dict[str, Any], cues: dict[str, Any], schema: Schema) -> Lexicon:
    """The rules of the two files, checked against ``schema``; pure."""
    kinds = {k.label for k in schema.node_kinds}
    rules = []
    for rule in mentions["organizations"]:
        if rule["kind"] not in kinds:
            raise LexiconError(f"未知类型 / mentions.yaml organizations: unknown kind {rule['kind']!r}")
        rules.append(SuffixRule(rule["suffix"], rule["kind"], rule.get("form"), bool(rule.get("joint")),
                                bool(rule.get("anchored", rule["kind"] == schema.role_kind("assistance"))), bool(rule.get("whole"))))
    _words([r.suffix for r in rules], "mentions.yaml organizations")
    rules.sort(key=lambda r: -len(r.suffix))
    anaphora = _by_word(mentions["anaphora"], "words", "kind", "mentions.yaml anaphora")
    for kind in set(anaphora.values()):
        schema.node_kind(kind)
    industries = mentions["industries"]
    industry_words = _by_word(industries["names"], "words", "name", "mentions.yaml industries")
    activities = _by_word(industries["product_groups"], "words", "activity", "mentions.yaml industries product_groups")
    abbreviations = mentions["abbreviations"]
    parsed_cues = [_cue(entry, number, schema) for number, entry in enumerate(cues["cues"], start=1)]
    cue_words: dict[str, Cue] = {}
    for cue in parsed_cues:
        for word in cue.words:
            if word in cue_words:
                raise LexiconError(f"提示词重复 / cues.yaml: {word!r} is a cue of {cue_words[word].tie} and {cue.tie}")
            cue_words[word] = cue
    formation = cues["formation"]
    for spec in cues["from_names"].values():
        schema.tie_kind(spec["tie"])
    return Lexicon(
        suffix_rules=tuple(rules),
        max_core=int(mentions["max_core"]),
        boundaries=tuple(sorted(set(_words(mentions["boundaries"], "mentions.yaml boundaries")), key=len, reverse=True)),
        generic_cores=frozenset(_words(mentions["generic_cores"], "mentions.yaml generic_cores")),
        place_bound=_words(mentions["place_bound"], "mentions.yaml place_bound"),
        parent_kinds=tuple(schema.node_kind(k).label for k in mentions["parent_kinds"]),
        counted_villages=re.compile(mentions["counted_villages"]),
        bare_village_list=re.compile(mentions["bare_village_list"]),
        type_list=re.compile(mentions["type_list"]),
        trade_words=_words(abbreviations["trade_words"], "mentions.yaml abbreviations trade_words"),
        unnamed_cores=_words(mentions["unnamed_cores"], "mentions.yaml unnamed_cores"),
        village_branch_count=re.compile(f"(?:{mentions['village_branch_count']})$"),  # ends at the suffix
        not_names=_words(mentions["not_names"], "mentions.yaml not_names"),
        longer_words=_words(mentions["longer_words"], "mentions.yaml longer_words"),
        determiners=_words(mentions["determiners"], "mentions.yaml determiners"),
        anaphora=anaphora,
        collective=_words(mentions["collective"], "mentions.yaml collective"),
        measures=tuple(sorted(_words(mentions["measures"], "mentions.yaml measures"), key=len, reverse=True)),
        multipliers={str(k): int(v) for k, v in mentions["multipliers"].items()},
        figure_noun_stops=tuple(sorted(_words(mentions["figure_noun_stops"], "mentions.yaml figure_noun_stops"),
                                       key=len, reverse=True)),
        alias_patterns=tuple(re.compile(p) for p in mentions["alias_patterns"]),
        legal_forms=_words(abbreviations["legal_forms"], "mentions.yaml abbreviations legal_forms"),
        contractions=dict(abbreviations["contractions"]),
        min_alias=int(abbreviations["min_length"]),
        industry_words=industry_words,
        industry_endings=_words(industries["endings"], "mentions.yaml industries endings"),
        industry_max_core=int(industries["max_core"]),
        industry_core_stops=_words(industries["core_stops"], "mentions.yaml industries core_stops"),
        industry_bare_endings=_words(industries["bare_endings"], "mentions.yaml industries bare_endings"),
        industry_products=tuple(sorted(activities, key=len, reverse=True)),
        industry_activities=activities,
        industry_raised=_words(industries["raised"], "mentions.yaml industries raised"),
        industry_list_verbs={str(k): str(v) for k, v in industries["list_verbs"].items()},
        industry_modifiers=tuple(sorted(_words(industries["modifiers"], "mentions.yaml industries modifiers"),
                                        key=len, reverse=True)),
        industry_patterns=_industry_patterns(industries),
        industry_from_names=bool(industries.get("from_names")),
        industry_from_names_min_rest=int(industries.get("from_names_min_rest", 0)),
        built_items=_built_items(mentions.get("built_items"), schema),
        product_joiners=_words(industries.get("product_joiners") or [], "mentions.yaml industries product_joiners"),
        cues=tuple(parsed_cues),
        formation=Formation(_words(formation["words"], "cues.yaml formation"), re.compile(formation["support"]),
                            _words(formation["lead_words"], "cues.yaml formation lead_words"), formation["claim"],
                            float(formation["confidence"]), re.compile(formation["lead_after"]),
                            tuple(schema.node_kind(k).label for k in formation["guide_owners"]),
                            tuple(schema.node_kind(k).label for k in formation["formed_kinds"]),
                            formation["unnamed_note"], dict(formation["unnamed_forms"]),
                            _words(formation["venue"]["words"], "cues.yaml formation venue"),
                            re.compile(formation["venue"]["gap"]),
                            _words(formation.get("jointly", []), "cues.yaml formation jointly")),
        from_names=dict(cues["from_names"]),
        mechanism=re.compile(cues["mechanism"]),
        brand=re.compile(cues["brand"]),
        terms=re.compile(cues["terms"]),
        year=re.compile(cues["year"]),
        cue_words=cue_words,
        not_cues=_words(cues["not_cues"], "cues.yaml not_cues"),
        pair_kinds=tuple(schema.node_kind(k).label for k in cues["pairs"]["kinds"]),
        pair_joiners=_words(cues["pairs"]["joiners"], "cues.yaml pairs joiners"),
        pair_not_after=re.compile(cues["pairs"]["not_after"]),
        pair_visit=re.compile(cues["pairs"]["visit"]),
        pair_unnamed_branch=dict(cues["pairs"].get("unnamed_branch", {})),
        symmetric_ties=tuple(schema.tie_kind(t).type for t in cues["pairs"]["symmetric"]),
        asides=re.compile(cues["asides"]),
        place_gap=re.compile(cues.get("place_gap", "(?:里)?的")),
        built_at=re.compile(cues.get("built_at", "(?!)")),
        negations=_words(cues["negations"], "cues.yaml negations"),
        benefactive=_words(cues["benefactive"], "cues.yaml benefactive"),
        branch_suffixes=_words(mentions.get("branches", {}).get("suffixes", []), "mentions.yaml branches suffixes"),
        branch_parent=re.compile(mentions.get("branches", {}).get("parent", "(?!)")),
        village_dropped=_words(mentions.get("village_dropped", []), "mentions.yaml village_dropped"),
        **_learned(cues, schema),
    )


def _learned(cues: dict[str, Any], schema: Schema) -> dict[str, Any]:
    """The trained tie model's settings of ``cues.yaml`` (``learned``), its tie kinds checked against ``schema``."""
    learned = cues.get("learned") or {}
    return {"learned_min_probability": float(learned.get("min_probability", 0.5)),
            "learned_ties": frozenset(schema.tie_kind(t).type for t in learned.get("ties", ()))}


def _read(name: str) -> dict[str, Any]:
    return packaged_yaml(resources.files(__package__).joinpath(name))


@functools.cache
def default_lexicon() -> Lexicon:
    """The rules shipped with linkgraph (``loaders/extract/mentions.yaml`` and ``cues.yaml``)."""
    return build_lexicon(_read("mentions.yaml"), _read("cues.yaml"), default_schema())
