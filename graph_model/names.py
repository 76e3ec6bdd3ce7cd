"""The one name matcher of linkgraph: loaders, query parameters, map search and text extraction; pure.

Sources spell one name many ways: the NBS roster appends the committee
(``核桃树墕村委会``) and sometimes the town (``佳州街道办事处城关村委会``); web
articles carry pinyin ruby glosses (``風(fēng)``), Traditional characters
(``陝西賀寨酒業``) and variant ones (``陜``); planners drop suffixes, type a
folk character's GB2312 homophone (``洼`` for ``坬``, ``堰`` for ``墕``) and make
typos. Nodes keep every spelling (``name_raw``, ``aliases``); matching compares
keys, in layers:

- :func:`clean_name`: the display form: NFKC, glosses removed, single spaces.
- :func:`to_simplified`: Traditional → Simplified with OpenCC ``t2s``, then the
  ``variants`` of ``name_variants.yaml`` (characters OpenCC leaves: ``陜``).
- :func:`match_key`: cleaned, simplified, folk variants folded
  (:func:`fold_folk`, the ``folk`` groups of ``name_variants.yaml``), spaces and
  punctuation removed.
- :func:`short_admin_name`: a roster unit's place name, its committee words
  removed by the rules of ``roster_names.yaml`` (鞍山村村委会 → 鞍山村).
- :func:`place_key`: :func:`match_key` without the unit suffix (村委会, 村,
  社区; 镇, 乡, 街道 for towns).
- :class:`NameIndex`: place names indexed once by kind and scope (county,
  town); exact lookups and ranked candidates (rapidfuzz), same town first.

>>> clean_name("寒風(fēng)凜冽 ")
'寒風凜冽'
>>> to_simplified("陜西賀寨酒業有限公司")
'陕西贺寨酒业有限公司'
>>> match_key("核桃樹 墕村") == match_key("核桃树墕村")
True
>>> place_key("核桃树墕村委会") == place_key("核桃樹墕村") == place_key("核桃树墕")
True
>>> short_admin_name("核桃树墕村委会")
'核桃树墕村'

OpenCC is applied character by character, and characters of GB2312 (the
Simplified character set) are kept: its phrase rules would rewrite official
names (乾县 → 干县, 沈落鸦村 → 沉落鸦村), and a name is not running text.

>>> to_simplified("乾县 張家溝村")
'乾县 张家沟村'

Why a hand table at all: OpenCC knows Traditional characters and most variant
ones, but no maintained package knows the folk characters of place names (坬, 墕, 垴, 圪崂 …) nor which homophones stand in
for them, because that is dialect usage, not character standards. So
``name_variants.yaml`` lists them, each entry with a real roster example (many
are spellings the NBS roster itself changed between 2019 and 2023).

To add an entry: for a variant character OpenCC does not convert, add
``{variant, standard, example}`` under ``variants`` (check first that
``to_simplified`` leaves it unchanged); for a folk group, add ``forms`` (the
canonical form first), ``meaning`` and ``examples`` with an NBS code and name
under ``folk``. A form may appear in one group only; a multi-character form
must use the canonical forms of single-character groups (``圪劳``, not ``疙劳``).
``tests/graph_model/test_names.py`` checks these rules and the Jia County
examples against the roster.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from pathlib import Path
from typing import Iterable, NamedTuple

from graph_model.schema import LEVEL, packaged_yaml

# Unit words that end a place name, by the level's key in schema.yaml, longest first; place_key drops them.
_LEVEL_UNIT_WORDS: dict[str, tuple[str, ...]] = {
    "village": ("社区", "嘎查", "村"),
    "town": ("街道办事处", "街道办", "办事处", "街道", "苏木", "镇", "乡"),
    "county": ("自治县", "自治旗", "县", "区", "市", "旗"),
    "city": ("自治州", "地区", "市", "盟", "州"),
    "province": ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市"),
}
# The same by node kind (a name's kind is what callers know).
UNIT_WORDS: dict[str, tuple[str, ...]] = {LEVEL[key]: words for key, words in _LEVEL_UNIT_WORDS.items()}
# The kinds whose names may hold the peoples of an autonomous unit or an ethnic township (roster_names.yaml).
_ETHNIC_KINDS = frozenset(LEVEL[key] for key in ("town", "county", "city"))
# A place of unknown kind: village and town words.
_ANY_PLACE_UNITS = _LEVEL_UNIT_WORDS["village"] + _LEVEL_UNIT_WORDS["town"]

# The shortest key place_key leaves: 通镇 stays 通镇, 新村 stays 新村.
MIN_PLACE_KEY = 2

_GLOSS = re.compile(r"(?<=[\u3400-\u9fff\U00020000-\U0002ffff])\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüêḿńňǹ]+\)")
_SPACE = re.compile(r"\s+")
_NOT_KEY = re.compile(r"[\W_]+")  # spaces and punctuation, ASCII and full-width (after NFKC)
# A leading town (and county…) in a village name: 佳州街道办事处|城关村.
_TOWN_PREFIX = re.compile(r"^.+?(?:街道办事处|办事处|街道|苏木|镇|乡)(?=.)")
# Chinese characters OpenCC may convert: CJK blocks, including extensions.
_CJK_BLOCKS = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0x20000, 0x2A6DF), (0x2A700, 0x2EBEF))


def strip_pinyin_glosses(text: str) -> str:
    """Remove pinyin glosses that web pages add after characters: ``鎮(zhèn)`` → ``鎮``."""
    return _GLOSS.sub("", text)


def clean_name(text: str) -> str:
    """A name as it should be displayed: NFKC, no glosses, single spaces, trimmed.

    >>> clean_name("  佳县\\u3000县委办公室 ")
    '佳县 县委办公室'
    """
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    if "(" in text:
        text = strip_pinyin_glosses(text)
    if not text.isprintable() or " " in text:
        text = _SPACE.sub(" ", text)
    return text.strip()


@functools.cache
def _variant_data() -> dict:
    """``name_variants.yaml``, read once."""
    return packaged_yaml(Path(__file__).with_name("name_variants.yaml"))


def _in_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


class _SimplifiedTable(dict):
    """Each character's Simplified form for :meth:`str.translate`, worked out when the character is first met:
    a ``variants`` entry, else OpenCC ``t2s`` of the character alone, except for characters of GB2312 and
    characters outside the CJK blocks, which stay. A name typed in Simplified characters (a query's
    parameter, a search) is matched without importing or starting OpenCC (the whole table of 87,952
    characters cost 40-50 ms of a national query's CPU, measured); a load converts each character it meets
    once."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        standard = _variants().get(char)
        if standard is None:
            standard = _t2s(char) if _in_cjk_blocks(code) and not _in_gb2312(char) else char
        self[code] = standard
        return standard


def _in_cjk_blocks(code: int) -> bool:
    return any(low <= code <= high for low, high in _CJK_BLOCKS)


@functools.cache
def _variants() -> dict[str, str]:
    """The ``variants`` of ``name_variants.yaml``: variant character → standard one."""
    return {v["variant"]: v["standard"] for v in _variant_data()["variants"]}


@functools.cache
def _opencc_t2s():
    import opencc  # imported when a character outside GB2312 is first met

    return opencc.OpenCC("t2s")


def _t2s(char: str) -> str:
    """OpenCC ``t2s`` of one character (alone, so that no phrase rule applies)."""
    return _opencc_t2s().convert(char)


_SIMPLIFIED = _SimplifiedTable()


def to_simplified(text: str) -> str:
    """``text`` in Simplified characters: OpenCC t2s per character, then the ``variants`` table.

    Characters of GB2312 stay as they are (乾县 is not 干县). For display and
    search keys; ``name_raw`` keeps the source's spelling.

    >>> to_simplified("張家溝村 觀光旅遊 閑置 陜西")
    '张家沟村 观光旅游 闲置 陕西'
    """
    return text.translate(_SIMPLIFIED)


@functools.cache
def _folk_folding() -> tuple[dict[int, str], re.Pattern[str] | None, dict[str, str]]:
    """The ``folk`` groups as a character table and a pattern for multi-character forms."""
    chars: dict[int, str] = {}
    words: dict[str, str] = {}
    for group in _variant_data()["folk"]:
        canonical, *others = group["forms"]
        for form in others:
            if len(form) == 1 and len(canonical) == 1:
                chars[ord(form)] = canonical
            else:
                words[form] = canonical
    pattern = re.compile("|".join(sorted(map(re.escape, words), key=len, reverse=True))) if words else None
    return chars, pattern, words


def folk_words() -> dict[str, str]:
    """The multi-character folk forms and their canonical form (圪劳 → 圪崂), for matchers outside Python
    (the map's search) that fold character by character and need these too."""
    return dict(_folk_folding()[2])


@functools.cache
def _folk_touched() -> frozenset[str]:
    """Every character that folding may change or match: the folk characters and those of the multi-character
    forms. A text with none of them folds to itself (most names: a national load folds millions)."""
    chars, _, words = _folk_folding()
    return frozenset(map(chr, chars)) | frozenset("".join(words))


def fold_folk(text: str) -> str:
    """``text`` with folk place-name characters replaced by their group's canonical form.

    >>> fold_folk("大李家洼 杜家圪劳 核桃树堰")
    '大李家坬 杜家圪崂 核桃树墕'
    """
    if _folk_touched().isdisjoint(text):
        return text
    chars, pattern, words = _folk_folding()
    text = text.translate(chars)
    return pattern.sub(lambda m: words[m.group()], text) if pattern else text


def _simple(text: str) -> str:
    return to_simplified(clean_name(text))


def _key(simple: str, folk: bool) -> str:
    # isalnum() is re's \w without "_" character by character: a name with nothing else has nothing to remove
    key = simple if simple.isalnum() else _NOT_KEY.sub("", simple)
    if "自治" in key:  # 大化瑶族自治县财政局 is 大化县财政局 (its short name, which its own offices use)
        key = _autonomous().sub(r"\1", key)
    return fold_folk(key) if folk else key


@functools.cache
def _autonomous() -> re.Pattern[str]:
    """An autonomous county's, prefecture's or banner's peoples and 自治 (瑶族自治 of 大化瑶族自治县), its unit word kept.
    Xinjiang's and Inner Mongolia's write one people without 族 (伊犁哈萨克自治州, 木垒哈萨克自治县, 博尔塔拉蒙古自治州:
    10 units of the 2023 roster), and are written 伊犁州, 木垒县 as well: a people of two characters or more is taken
    bare there too (a one-character people, 回 or 水, only with 族), after at least one character of the place's
    own name (鄂伦春自治旗 keeps its name)."""
    bare = sorted((g for g in name_rules().ethnic_groups if len(g) >= 2), key=len, reverse=True)
    return re.compile("(?<=[\u3400-\u9fff])(?:" + _peoples() + "|(?:" + "|".join(map(re.escape, bare)) + "))自治(县|州|旗)")


def autonomous_short_name(name: str) -> str:
    """An autonomous county's, prefecture's or banner's name as everyone writes it, its peoples and 自治 dropped
    (the name itself for any other).

    >>> autonomous_short_name("湘西土家族苗族自治州"), autonomous_short_name("木垒哈萨克自治县")
    ('湘西州', '木垒县')
    >>> autonomous_short_name("鄂伦春自治旗"), autonomous_short_name("花垣县")
    ('鄂伦春自治旗', '花垣县')
    """
    return _autonomous().sub(r"\1", name) if "自治" in name else name


@functools.cache
def _peoples() -> str:
    """A pattern of one or more peoples of ``roster_names.yaml``, each followed by 族 (哈尼族彝族), longest first."""
    groups = sorted(name_rules().ethnic_groups, key=len, reverse=True)
    return "(?:(?:" + "|".join(map(re.escape, groups)) + ")族)+"


def match_key(text: str, *, folk: bool = True) -> str:
    """The key under which spellings of one name compare equal (for matching only).

    ``folk=False`` keeps folk characters apart (a stricter key).

    >>> match_key(" 陜西 賀寨酒業（有限）公司 ") == match_key("陕西贺寨酒业有限公司")
    True
    >>> match_key("大李家洼村"), match_key("大李家洼村", folk=False)
    ('大李家坬村', '大李家洼村')
    """
    return _key(_simple(text), folk)


class NameRule(NamedTuple):
    """A rule of ``roster_names.yaml``: a committee ending, the unit word it implies, and where it applies."""

    ending: str
    unit: str
    only_after: tuple[str, ...]
    example: str
    count: int


class _NameRules(NamedTuple):
    place_units: tuple[str, ...]
    by_length: tuple[tuple[int, dict[str, NameRule]], ...]  # longest endings first
    last_chars: frozenset[str]  # the last characters of the endings: other names end no committee
    ethnic_groups: tuple[str, ...]  # the peoples an autonomous unit's name holds (大化瑶族自治县: 瑶)


# A trailing note in parentheses (after clean_name's NFKC): 兴垦村委会(新).
_NOTE = re.compile(r"^([^(]+)(\(.*\))$")


@functools.cache
def name_rules() -> _NameRules:
    """The rules of ``roster_names.yaml`` (read once), indexed by the length of their ending."""
    data = packaged_yaml(Path(__file__).with_name("roster_names.yaml"))
    rules = [NameRule(r["ending"], r["unit"], tuple(r.get("only_after", ())), r["example"], r["count"])
             for r in data["rules"]]
    lengths = sorted({len(r.ending) for r in rules}, reverse=True)
    return _NameRules(tuple(data["place_units"]),
                      tuple((n, {r.ending: r for r in rules if len(r.ending) == n}) for n in lengths),
                      frozenset(r.ending[-1] for r in rules), tuple(data["ethnic_groups"]))


@functools.cache
def name_rules_digest() -> str:
    """A digest of the rules of ``roster_names.yaml`` and of the autonomous units' short names they make: a roster
    loaded under other rules is loaded again (its stored name keys written anew)."""
    import hashlib

    rules = name_rules()  # (last_chars is derived from the endings, and a frozenset's repr varies by process)
    return hashlib.sha256(repr((rules.place_units, rules.by_length, rules.ethnic_groups,
                                _autonomous().pattern)).encode()).hexdigest()


@functools.cache
def _ethnic_ending() -> re.Pattern[str]:
    """The peoples ending a name once its unit word is dropped (大化瑶族 of 大化瑶族自治县, 红河哈尼族彝族)."""
    return re.compile(_peoples() + "$")


def without_peoples(core: str) -> str:
    """``core`` without the peoples that end it, keeping at least :data:`MIN_PLACE_KEY` characters: the short name
    of an autonomous unit once its unit word is dropped.

    >>> without_peoples("积石山保安族东乡族撒拉族"), without_peoples("大化瑶族"), without_peoples("回族")
    ('积石山', '大化', '回族')
    """
    peoples = _ethnic_ending().search(core)
    return core[: peoples.start()] if peoples and peoples.start() >= MIN_PLACE_KEY else core


def place_name_rule(name: str) -> tuple[str, NameRule | None]:
    """A cleaned name as its place name, and the rule of ``roster_names.yaml`` that decided it (None: kept).

    The longest committee ending that fits is removed; the rule's unit word is
    appended unless what is left already ends with a place unit (村, 社区, 嘎查),
    so 鞍山村村委会 and 鞍山村委会 both name 鞍山村. A trailing note in
    parentheses is kept after the place name.

    >>> place_name_rule("鞍山村村委会")[0], place_name_rule("楼梓庄村委会")[0], place_name_rule("兴垦村委会(新)")[0]
    ('鞍山村', '楼梓庄村', '兴垦村(新)')
    """
    note = ""
    if name.endswith(")"):
        parts = _NOTE.match(name)
        if parts:
            name, note = parts.groups()
    rules = name_rules()
    if not name or name[-1] not in rules.last_chars:
        return name + note, None
    for length, by_ending in rules.by_length:  # a dictionary per length: 1.6 M calls nationally
        rule = by_ending.get(name[-length:]) if len(name) > length else None
        if rule is None:
            continue
        rest = name[:-length]
        if rule.only_after and not rest.endswith(rule.only_after):
            continue
        return (rest if rest.endswith(rules.place_units) else rest + rule.unit) + note, rule
    return name + note, None


def _shortened(simple: str) -> str:
    """A cleaned name as its place name (鞍山村村委会 → 鞍山村); see :func:`place_name_rule`."""
    return place_name_rule(simple)[0]


def _strict_key(simple: str) -> str:
    """The key of a simplified name with its committee suffix shortened, folk characters kept."""
    return _key(_shortened(simple), folk=False)


def _unit_words(kind: str | None) -> tuple[str, ...]:
    return _ANY_PLACE_UNITS if kind is None else UNIT_WORDS.get(kind, ())


def _place(strict: str, kind: str | None) -> str:
    """A strict key without trailing unit words (never below two characters), folk characters folded; a town's,
    county's or city's without the peoples an autonomous unit names (大化瑶族自治县 and 大化县: 大化)."""
    words = _unit_words(kind)
    stripped = True
    while stripped:
        stripped = False
        for word in words:
            if strict.endswith(word) and len(strict) - len(word) >= MIN_PLACE_KEY:
                strict, stripped = strict[: -len(word)], True
                break
    if kind in _ETHNIC_KINDS:
        strict = without_peoples(strict)
    return fold_folk(strict)


def place_key(text: str, kind: str | None = None) -> str:
    """:func:`match_key` of a place name without its committee or unit suffix.

    ``kind`` is a schema node kind (``Village``, ``Town``, ``County`` …); without
    it, village and town suffixes are dropped. A name is never cut below two
    characters, so names that are mostly a unit word stay whole.

    >>> place_key("核桃树墕村委会"), place_key("金沙湾社区居民委员会"), place_key("新村村委会")
    ('核桃树墕', '金沙坬', '新村')
    >>> place_key("佳州街道办事处", "Town"), place_key("劉國具鎮", "Town"), place_key("通镇", "Town")
    ('佳州', '刘国具', '通镇')
    """
    return _place(_strict_key(_simple(text)), kind)


def match_text(names: Iterable[str | None], kind: str | None = None) -> str:
    """Every match and place key of a node's names in one text, ``|key|key|``.

    Stores keep it on each node, so that a query finds a spelling with
    ``CONTAINS`` (``|key|`` for the whole name, ``key`` for part of it) on
    both backends, without reading every node into Python.

    >>> match_text(["核桃树墕村", "核桃樹墕村委會"], "Village")
    '|核桃树墕村|核桃树墕|核桃树墕村委会|'
    """
    keys: dict[str, None] = {}
    for name in dict.fromkeys(names):
        if name:
            keys.update(dict.fromkeys(_text_keys(name, kind)))
    keys.pop("", None)
    return "|" + "|".join(keys) + "|"


@functools.lru_cache(maxsize=1 << 18)
def _text_keys(name: str, kind: str | None) -> tuple[str, str]:
    """The match key and place key of one name (cached: rosters repeat names such as 王家庄村委会)."""
    simple = _simple(name)
    return _key(simple, True), _place(_strict_key(simple), kind)


def same_name(name: str, spellings: Iterable[str | None]) -> bool:
    """Whether ``name`` is one of ``spellings`` after normalization.

    >>> same_name("尚家溝村", ["尚家沟村委会", "尚家沟村"])
    True
    """
    key = match_key(name)
    return any(s and match_key(s) == key for s in spellings)


def similar_names(name: str, names: Iterable[str], *, n: int = 5, cutoff: float = 0.5) -> list[str]:
    """The ``names`` most like ``name`` after normalization, best first (for "did you mean" hints).

    ``cutoff`` is the least similarity, 0–1 (rapidfuzz's normalized Indel
    ratio of the match keys). Among equally similar names, one that sounds the
    same comes first (pypinyin, tones ignored): a pinyin input method's wrong
    pick of a homophone, 同镇 for 通镇, is the commonest misspelling.

    >>> similar_names("尚家勾村", ["尚家沟村", "核桃树墕村", "尚家沟村委会"])
    ['尚家沟村', '尚家沟村委会']
    >>> similar_names("同镇", ["坑镇", "店镇", "乌镇", "通镇"], n=2)
    ['通镇', '坑镇']
    """
    by_key: dict[str, str] = {}
    for candidate in names:
        by_key.setdefault(match_key(candidate), candidate)
    from pypinyin import lazy_pinyin
    from rapidfuzz import fuzz, process

    key = match_key(name)
    found = process.extract(key, list(by_key), scorer=fuzz.ratio, limit=max(n * 4, 20), score_cutoff=cutoff * 100)
    sound = " ".join(lazy_pinyin(key))
    ranked = sorted(found, key=lambda f: (-round(f[1], 6), -fuzz.ratio(sound, " ".join(lazy_pinyin(f[0]))), f[2]))
    return [by_key[k] for k, _score, _i in ranked[:n]]


def short_admin_name(raw: str) -> str:
    """The place name of a roster unit (its ``name``; the roster's committee name is its ``name_raw``).

    The committee endings of ``roster_names.yaml`` are removed (see
    :func:`place_name_rule`); town names (``通镇``) and names without a
    committee ending come back cleaned but otherwise unchanged.

    >>> short_admin_name("金沙湾社区居民委员会"), short_admin_name("乌镇居委会"), short_admin_name("通镇")
    ('金沙湾社区', '乌镇社区', '通镇')
    >>> short_admin_name("鞍山村村委会"), short_admin_name("护驾村村村委会"), short_admin_name("巴彦芒哈嘎查委员会")
    ('鞍山村', '护驾村村', '巴彦芒哈嘎查')
    """
    return _shortened(clean_name(raw))


class Candidate(NamedTuple):
    """A unit a name may mean: its id, a score (100 for the same name) and why, in Chinese and English."""

    id: str
    score: float
    why: str


# Exact tiers of NameIndex, strictest first.
_TIERS = ("全称相同 same full name", "同名 same name", "同名（异写）same name, other spelling",
          "去掉前缀 without prefix")
_SAME_TOWN, _SAME_COUNTY, _ELSEWHERE = "同乡镇 same town", "同县 same county", "别处 elsewhere"
# Units under one key from which a lookup in a town or county reads them grouped by place.
GROUPED_FROM = 16
# Least rapidfuzz ratio for a similar name to be a candidate.
CANDIDATE_CUTOFF = 40.0


class _Keys(NamedTuple):
    full: str  # same characters after simplification
    strict: str  # the same, committee suffix shortened (村委会 → 村)
    place: str  # place_key
    unprefixed: str | None  # place_key without a leading town


@functools.lru_cache(maxsize=1 << 16)  # a load looks the same names up again and again
def _keys(name: str, kind: str | None) -> _Keys:
    simple = _simple(name)
    shortened = _shortened(simple)
    strict = _key(shortened, folk=False)
    unprefixed = None
    prefix = _TOWN_PREFIX.match(shortened) if kind in (LEVEL["village"], None) else None
    if prefix:
        rest = _place(_strict_key(shortened[prefix.end():]), kind)
        if len(rest) >= MIN_PLACE_KEY and rest not in _unit_words(kind):
            unprefixed = rest
    return _Keys(_key(simple, folk=False), strict, _place(strict, kind), unprefixed)


class NameIndex:
    """Place (or organization) names indexed once, for fast exact lookups and ranked candidates.

    Each unit is added with its id, kind, names (name, name_raw, aliases) and
    scope ``(county code, town code)``. A name is indexed under four keys,
    tried in order: the same characters after simplification, the same with
    the committee suffix shortened (``乌镇村`` ≠ ``乌镇社区``), its
    :func:`place_key` (suffix dropped, folk variants folded), and, for
    villages, its place key without a leading town
    (``佳州街道办事处城关村委会`` is found as ``城关村``).

    >>> index = NameIndex()
    >>> index.add("610828103", "Town", ["乌镇"], scope=("610828", None))
    >>> index.add("610828103001", "Village", ["乌镇居委会"], scope=("610828", "610828103"))
    >>> index.add("610828103200", "Village", ["乌镇村委会"], scope=("610828", "610828103"))
    >>> index.add("610828103224", "Village", ["核桃树墕村委会"], scope=("610828", "610828103"))
    >>> index.exact("核桃樹堰", "Village", town="610828103")
    ['610828103224']
    >>> index.exact("乌镇村", "Village"), index.exact("乌镇", "Village")
    (['610828103200'], ['610828103001', '610828103200'])
    >>> index.candidates("核桃墕", "Village", town="610828103", limit=1)
    [Candidate(id='610828103224', score=85.7, why='同乡镇 same town; 相近 similar')]
    """

    def __init__(self) -> None:
        self._ids: list[str] = []
        self._slot: dict[str, int] = {}
        self._kind: list[str] = []
        self._county: list[str | None] = []
        self._town: list[str | None] = []
        self._kinds: set[str] = set()
        self._place_keys: list[tuple[str, ...]] = []
        # key -> slot, or a list of slots when several units share the key; one dict per tier
        self._tiers: tuple[dict[str, int | list[int]], ...] = ({}, {}, {}, {})
        self._members: dict[tuple[str, str, str], list[int]] = {}  # ("town"|"county", kind, code) -> slots
        # (tier, key, "town"|"county") -> code -> slots: the units of a common key grouped by place, made when
        # first asked (nationally 新村 is the name of hundreds of villages, and a load looks for it in one town)
        self._grouped: dict[tuple[int, str, str], dict[str | None, list[int]]] = {}

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, id: str, kind: str, names: Iterable[str | None],
            scope: tuple[str | None, str | None] = (None, None)) -> None:
        """Index unit ``id`` of ``kind`` under each of ``names`` (``None`` and empty names are skipped).

        Adding an id again adds names to it (its kind and scope stay).
        """
        slot = self._slot.get(id)
        fresh = slot is None
        if fresh:
            slot = self._slot[id] = len(self._ids)
            county, town = _intern(scope[0]), _intern(scope[1])
            kind = sys.intern(kind)
            self._ids.append(id)
            self._kind.append(kind)
            self._kinds.add(kind)
            self._county.append(county)
            self._town.append(town)
            self._place_keys.append(())
            for level, code in (("town", town), ("county", county)):
                if code is not None:
                    self._members.setdefault((level, kind, code), []).append(slot)
        kind = self._kind[slot]
        if self._grouped:
            self._grouped.clear()
        for name in names:
            if not name:
                continue
            keys = _keys(name, kind)
            for tier, key in zip(self._tiers, keys):
                if key is None:
                    continue
                held = tier.setdefault(key, slot)
                if held == slot:
                    continue
                if isinstance(held, int):
                    tier[key] = [held, slot]
                elif held[-1] != slot and (fresh or slot not in held):  # a new unit can only be last: no scan
                    held.append(slot)
            if keys.place not in self._place_keys[slot]:
                self._place_keys[slot] += (keys.place,)

    def _exact_tier(self, keys: _Keys, kind: str | None, town: str | None, county: str | None):
        """``(tier, slots)`` of the first tier that has units of ``kind`` in scope, or ``(None, [])``."""
        full, strict, place, unprefixed = range(4)
        lookups = (((full, keys.full),), ((strict, keys.strict),), ((place, keys.place),),
                   ((unprefixed, keys.place), (place, keys.unprefixed), (unprefixed, keys.unprefixed)))
        kinds, towns, counties = self._kind, self._town, self._county  # the test inline: a load's hot loop
        scoped = town is not None or county is not None
        for tier, pairs in enumerate(lookups):
            slots: set[int] = set()
            for table, key in pairs:
                held = self._tiers[table].get(key) if key else None
                if scoped and isinstance(held, list) and len(held) >= GROUPED_FROM:
                    held = self._group(table, key, held, town, county)
                for slot in (held,) if isinstance(held, int) else held or ():
                    if ((kind is None or kinds[slot] == kind) and (town is None or towns[slot] == town)
                            and (county is None or counties[slot] == county)):
                        slots.add(slot)
            if slots:
                return tier, sorted(slots)
        return None, []

    def _group(self, tier: int, key: str, held: list[int], town: str | None, county: str | None) -> list[int]:
        """The slots of ``held`` (the units under ``key`` in ``tier``) in ``town``, or else in ``county``."""
        level, code, codes = ("town", town, self._town) if town is not None else ("county", county, self._county)
        groups = self._grouped.get((tier, key, level))
        if groups is None:
            groups = self._grouped[(tier, key, level)] = {}
            for slot in held:
                groups.setdefault(codes[slot], []).append(slot)
        return groups.get(code, [])

    def exact(self, name: str, kind: str | None = None, *, town: str | None = None,
              county: str | None = None) -> list[str]:
        """Ids of the units of ``kind`` in scope that ``name`` names (exactly, after normalization).

        One id is a match; several are ambiguous; none means missing (see :meth:`candidates`).
        """
        return [self._ids[s] for s in self._exact_tier(_keys(name, kind), kind, town, county)[1]]

    def candidates(self, name: str, kind: str | None = None, *, town: str | None = None,
                   county: str | None = None, limit: int = 3) -> list[Candidate]:
        """Up to ``limit`` units ``name`` may mean, ranked: same town first, then same county, then elsewhere.

        Within each, exact matches (score 100) come first, then units whose
        place keys are similar (rapidfuzz ratio, at least
        :data:`CANDIDATE_CUTOFF`). Elsewhere only exact matches are listed,
        unless neither ``town`` nor ``county`` is given: then the whole kind
        is searched (slow on a national roster: about 0.1 s).
        """
        keys = _keys(name, kind)
        scoped = town is not None or county is not None
        # (why, town, county, rank similar names too)
        scopes = [(_SAME_TOWN, town, None, True)] if town is not None else []
        scopes += [(_SAME_COUNTY, None, county, True)] if county is not None else []
        scopes.append((_ELSEWHERE, None, None, not scoped))
        found: dict[int, Candidate] = {}
        for where, in_town, in_county, similar in scopes:
            tier, slots = self._exact_tier(keys, kind, in_town, in_county)
            for slot in slots:
                found.setdefault(slot, Candidate(self._ids[slot], 100.0, f"{where}; {_TIERS[tier]}"))
            if similar and len(found) < limit:
                for slot, score in self._similar(keys.place, kind, in_town, in_county, limit + len(found)):
                    found.setdefault(slot, Candidate(self._ids[slot], round(score, 1), f"{where}; 相近 similar"))
            if len(found) >= limit:
                break
        return list(found.values())[:limit]

    def _similar(self, key: str, kind: str | None, town: str | None, county: str | None, limit: int):
        """``(slot, score)`` of the units in scope whose place keys are most like ``key``, best first."""
        kinds = [kind] if kind is not None else sorted(self._kinds)
        if town is not None or county is not None:
            level, code = ("town", town) if town is not None else ("county", county)
            slots = [s for k in kinds for s in self._members.get((level, k, code), ())]
        else:
            slots = [s for s in range(len(self._ids)) if kind is None or self._kind[s] == kind]
        choices = [(k, s) for s in slots for k in self._place_keys[s]]
        best: dict[int, float] = {}
        from rapidfuzz import fuzz, process

        for _key, score, i in process.extract(key, [k for k, _ in choices], scorer=fuzz.ratio,
                                              score_cutoff=CANDIDATE_CUTOFF, limit=4 * limit):
            slot = choices[i][1]
            best[slot] = max(best.get(slot, 0.0), score)
        return sorted(best.items(), key=lambda item: -item[1])[:limit]


def _intern(value: str | None) -> str | None:
    """The interned string: codes repeat across hundreds of thousands of units."""
    return sys.intern(value) if value is not None else None
