"""The 2023 NBS roster of the whole country, shipped with linkgraph, and scopes of it.

``loaders/data/nbs_roster_2023.csv.xz`` holds every unit of the National Bureau
of Statistics 2023 division codes (31 provinces, 342 cities, 2,978 counties,
41,352 towns, 620,573 villages) as ``code,name,level,parent_code``, sorted by
level then code; ``scripts/extract_roster.py --all`` writes it and
``loaders/data/SOURCE.md`` names its source and licence. Nothing is fetched at
run time: :func:`national_roster` reads the packaged file (xz, standard library)
into a pyarrow Table, the columnar form that bulk writers take as it is.

A scope is the country, or one province, city or county given by code or by a
unique name (``61``, ``陕西省``, ``陕西``, ``6108``, ``榆林市``, ``610828``, ``佳縣``).
:func:`parse_scope` checks it and says what was meant when it is wrong;
:func:`scope_units` selects the scope's units with their ancestors, so that a
county's load has its province, city and county, in roster order (parents
before children).

>>> roster = national_roster()
>>> scope = parse_scope(roster, "county", "佳县")
>>> scope.code, scope.name
('610828', '佳县')
>>> level_counts(scope_units(roster, scope))
{'province': 1, 'city': 1, 'county': 1, 'town': 13, 'village': 334}
"""

from __future__ import annotations

import functools
import lzma
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import BinaryIO, Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from graph_model.names import match_key, place_key, similar_names
from graph_model.records import InputError, Problem
from graph_model.schema import LEVEL, default_schema
from loaders.roster import COLUMNS, LEVEL_KINDS

ROSTER_FILE = "data/nbs_roster_2023.csv.xz"
LEVELS = tuple(LEVEL_KINDS)  # province, city, county, town, village
CODE_LENGTHS = {level.key: level.code_length for level in default_schema().levels}  # as schema.yaml declares
SCOPE_LEVELS = ("province", "city", "county")
LEVEL_PLURAL = {"province": "provinces", "city": "cities", "county": "counties"}
# Endings a planner may leave off a scope's name: 陕西 for 陕西省, 榆林 for 榆林市.
NAME_ENDINGS = ("省", "市", "县", "区", "旗", "盟", "地区", "自治州", "自治县", "自治区", "自治旗",
                "壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区")
MAX_SUGGESTIONS = 5


class ScopeError(InputError):
    """A scope that names no unit, or more than one; one problem with a hint."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__([Problem(None, message, hint)])


@dataclass(frozen=True)
class Scope:
    """What to take from the roster: ``level`` is ``all`` or one of :data:`SCOPE_LEVELS`."""

    level: str
    code: str = ""
    name: str = "全国"

    def __str__(self) -> str:
        if self.level == "all":
            return "全国 the whole country"
        return f"{self.name} {self.code} ({_zh(self.level)} {self.level})"


def _zh(level: str) -> str:
    """The Chinese name of a level, from the schema's node kind: 县 for county."""
    return default_schema().node_kind(LEVEL_KINDS[level]).zh


@functools.cache
def national_roster() -> pa.Table:
    """The packaged national roster as a Table of string columns ``code, name, level, parent_code``.

    Read once per process (about 0.3 s); the Table is immutable, so callers share it.
    """
    with resources.files("loaders").joinpath(ROSTER_FILE).open("rb") as packed, lzma.open(packed) as stream:
        return read_roster_csv(stream)


@functools.cache
def packaged_digest() -> str:
    """The SHA-256 of the packaged roster file (so that a load of an unchanged scope can be skipped)."""
    import hashlib

    return hashlib.sha256(resources.files("loaders").joinpath(ROSTER_FILE).read_bytes()).hexdigest()


def read_roster_csv(stream: BinaryIO) -> pa.Table:
    """A roster CSV (UTF-8) read from a binary stream as a Table of string columns; codes stay text.

    Streaming the decompressed bytes into the parser is faster than decompressing
    first, and never holds the 34 MB of text at once.
    """
    return pcsv.read_csv(
        stream,
        convert_options=pcsv.ConvertOptions(column_types={c: pa.string() for c in COLUMNS},
                                            include_columns=list(COLUMNS), strings_can_be_null=False),
    )


def scope_units(roster: pa.Table, scope: Scope) -> pa.Table:
    """The units of ``scope`` and their ancestors, in roster order."""
    if scope.level == "all":
        return roster
    ancestors = [scope.code[:n] for n in CODE_LENGTHS.values() if n < len(scope.code)]
    codes = roster["code"]
    return roster.filter(pc.or_(pc.starts_with(codes, scope.code), pc.is_in(codes, pa.array(ancestors, pa.string()))))


def unit_rows(table: pa.Table) -> Iterator[tuple[str, str, str, str]]:
    """The rows of a roster Table as ``(code, name, level, parent_code)`` tuples."""
    return zip(*(table[c].to_pylist() for c in COLUMNS))


def level_counts(table: pa.Table) -> dict[str, int]:
    """Units per level, in :data:`LEVELS` order (levels without units count 0)."""
    counts = {row["values"]: row["counts"] for row in pc.value_counts(table["level"]).to_pylist()}
    return {level: counts.get(level, 0) for level in LEVELS}


def parse_scope(roster: pa.Table, level: str, value: str | None = None) -> Scope:
    """The scope ``--LEVEL VALUE`` names: ``level`` is ``all``, ``province``, ``city`` or ``county``.

    ``value`` is a code of the level's length (a 12-digit code padded with zeros
    is accepted too) or a name that only one unit of the level has, in any
    spelling :func:`graph_model.names.match_key` equates, with or without its
    ending (省, 市, 县 …). Anything else raises :class:`ScopeError` naming the
    close codes or names.
    """
    if level == "all":
        return Scope("all")
    if level not in SCOPE_LEVELS:
        raise ValueError(f"层级应为 all 或 {'、'.join(SCOPE_LEVELS)} / level must be 'all' or one of "
                         f"{', '.join(SCOPE_LEVELS)}, not {level!r}")
    text = unicodedata.normalize("NFKC", value or "").strip()
    if not text:
        raise ScopeError(f"--{level} 需要给出{_zh(level)}的代码或名称 / --{level} needs a code or a name",
                         "例如 --county 610828 或 --county 佳县，全国用 --all / e.g. --county 610828 or "
                         "--county 佳县; --all for the whole country")
    index = _ScopeIndex.of(roster)
    return index.by_code(level, text) if text.isdigit() else index.by_name(level, text)


@dataclass(frozen=True)
class _ScopeIndex:
    """Province, city and county codes and names of a roster, for resolving scopes."""

    names: dict[str, str]                       # code -> name
    levels: dict[str, str]                      # code -> level
    by_key: dict[str, tuple[str, ...]]          # match key of a name -> codes, in roster order

    @staticmethod
    def of(roster: pa.Table) -> "_ScopeIndex":
        upper = roster.filter(pc.is_in(roster["level"], pa.array(SCOPE_LEVELS)))
        names: dict[str, str] = {}
        levels: dict[str, str] = {}
        by_key: dict[str, list[str]] = {}
        for code, name, level, _ in unit_rows(upper):
            names[code], levels[code] = name, level
            by_key.setdefault(match_key(name), []).append(code)
        return _ScopeIndex(names, levels, {k: tuple(v) for k, v in by_key.items()})

    def label(self, code: str) -> str:
        return f"{code} {self.names[code]}"

    def where(self, code: str) -> str:
        """The unit with its province and city: ``320106 鼓楼区 (江苏省 南京市)``."""
        parents = [self.names[code[:n]] for n in (2, 4) if n < len(code) and code[:n] in self.names]
        return self.label(code) + (f" ({' '.join(parents)})" if parents else "")

    def codes_of(self, level: str) -> list[str]:
        return [c for c, lv in self.levels.items() if lv == level]

    def by_code(self, level: str, text: str) -> Scope:
        length = CODE_LENGTHS[level]
        if len(text) > length and not text[length:].strip("0"):
            text = text[:length]  # 610828000000, the 12-digit form of 610828
        if self.levels.get(text) == level:
            return Scope(level, text, self.names[text])
        zh = _zh(level)
        if len(text) != length:
            other = self.levels.get(text)
            hint = (f"{self.label(text)} is a {other} ({_zh(other)}): use --{other} {text}" if other
                    else f"e.g. --{level} {self.codes_of(level)[0]}, or give the {level}'s name")
            raise ScopeError(f"--{level} {text}：{zh}级代码应为 {length} 位 / a {level} code has {length} digits",
                             hint)
        near = sorted(self.codes_of(level), key=lambda c: (-_shared_prefix(c, text), abs(int(c) - int(text)), c))
        raise ScopeError(f"--{level} {text}：没有此代码的{zh} / no {level} has this code",
                         "close codes 相近代码: " + ", ".join(self.label(c) for c in near[:MAX_SUGGESTIONS]))

    def by_name(self, level: str, text: str) -> Scope:
        key = match_key(text)
        matches = [c for c in self.by_key.get(key, ()) if self.levels[c] == level]
        if not matches:  # 陕西 for 陕西省
            matches = [c for ending in NAME_ENDINGS for c in self.by_key.get(key + ending, ())
                       if self.levels[c] == level]
        if not matches:  # 大化县 for 大化瑶族自治县, 红河州 for 红河哈尼族彝族自治州
            place = place_key(text, LEVEL[level])
            matches = [c for c in self.codes_of(level) if place_key(self.names[c], LEVEL[level]) == place]
        zh = _zh(level)
        if len(matches) == 1:
            return Scope(level, matches[0], self.names[matches[0]])
        if matches:
            raise ScopeError(f"--{level} {text}：有 {len(matches)} 个{zh}同名 / {len(matches)} {LEVEL_PLURAL[level]} have "
                             "this name: " + "; ".join(self.where(c) for c in matches),
                             f"请改用代码 / give the code, e.g. --{level} {matches[0]}")
        elsewhere = self.by_key.get(key, ())
        if elsewhere:
            other = self.levels[elsewhere[0]]
            raise ScopeError(f"--{level} {text}：{self.where(elsewhere[0])} 是{_zh(other)}，不是{zh} / "
                             f"{self.where(elsewhere[0])} is a {other}, not a {level}",
                             f"请改用 / use --{other} {elsewhere[0]}")
        codes = self.codes_of(level)
        similar = similar_names(text, (self.names[c] for c in codes), n=MAX_SUGGESTIONS)
        suggestions = [self.where(c) for name in similar for c in self.by_key[match_key(name)]
                       if self.levels[c] == level][:MAX_SUGGESTIONS]
        raise ScopeError(f"--{level} {text}：没有此名称的{zh} / no {level} has this name",
                         ("相近名称 similar: " + ", ".join(suggestions)) if suggestions
                         else f"give the {level}'s code or its name as in the NBS roster")


def _shared_prefix(a: str, b: str) -> int:
    """How many leading characters ``a`` and ``b`` share (the same province, city …)."""
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
