"""Where a report is: the counties (or the city, or the province) whose roster its places are resolved in.

``linkgraph extract`` needs no ``--county``: the shipped national roster
(:mod:`loaders.nbs`) tells which counties a report is about from the places it
names, read with the same place finder as extraction
(:class:`loaders.extract.mentions.PlaceFinder`, over the resolver's
:class:`graph_model.places.RosterIndex` of the country's provinces, cities,
counties and towns):

- every county the report names in full (成华区, 蒲江县) is taken; a name that
  several counties share (鼓楼区) is taken where the report's city or province,
  or one of its towns, says which;
- a report that names no county is placed by its towns (党武镇 → 花溪区): the
  counties holding the most of its towns that are unique in the search (and,
  where towns point to several, of the villages it names);
- ``--city`` or ``--province`` narrow the search, and are the scope themselves
  when the report names no county or town in them;
- counties given (``--county``, repeatable) are the scope; where it holds none
  of the counties and towns the report names while they are elsewhere,
  :func:`wrong_scope` says where they are (``linkgraph.pipeline`` refuses the
  scope when it holds none of the report's villages either, and notes it
  otherwise).

What could not be decided is one line, Chinese first (:class:`ScopeError`),
never a silent draft without places.

>>> from loaders.nbs import national_roster
>>> found = choose_scope(["成都市成华区保和街道与蒲江县朝阳湖镇鞍山村结对共建。"], national_roster())
>>> found.codes, found.how.split(" / ")[0]
(('510108', '510131'), '报道所提区县：成华区 510108、蒲江县 510131')
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from graph_model.names import autonomous_short_name, short_admin_name
from graph_model.places import RosterIndex
from graph_model.records import InputError, Node, Origin, Problem
from graph_model.schema import LEVEL
from loaders import nbs
from loaders.extract.mentions import PLACE_UNITS, PlaceFinder
from loaders.roster import LEVEL_KINDS

COUNTY, CITY, PROVINCE, TOWN, VILLAGE = LEVEL["county"], LEVEL["city"], LEVEL["province"], LEVEL["town"], LEVEL["village"]
COUNTY_LENGTH = nbs.CODE_LENGTHS["county"]
MAX_LISTED = 5


class ScopeError(nbs.ScopeError):
    """The scope of a report could not be decided, or the one given holds none of its places."""


@dataclass(frozen=True)
class ReportScope:
    """The units (county, city or province codes) whose roster the report's places are resolved in, and
    one line saying how they were chosen (Chinese, then English)."""

    codes: tuple[str, ...]
    how: str
    each: tuple[tuple[str, ...], ...] = ()  # several reports: each one's own codes, in order (empty: all in codes)


@dataclass(frozen=True)
class _Named:
    """A place the reports name: the text, its kind and the units of the search it may be."""

    text: str
    kind: str
    units: tuple[Node, ...]


def upper_nodes(roster: pa.Table, within: str = "") -> list[Node]:
    """The provinces, cities, counties and towns of ``roster`` (inside the unit ``within``) as nodes with
    their place name and roster name: what finding a report's county needs, without the 620,000 villages
    and without the provenance a load records (which makes them 20 times as quick to build)."""
    upper = roster.filter(pc.not_equal(roster["level"], "village"))
    if within:
        upper = upper.filter(pc.starts_with(upper["code"], within))
    return _nodes(upper)


def _nodes(units: pa.Table) -> list[Node]:
    """Roster rows as nodes with only their names (:func:`upper_nodes`); a district or county-level city also by
    the county name it had (:func:`former_county_names`), an autonomous county without its peoples
    (:func:`autonomous_short_names`)."""
    rows = list(nbs.unit_rows(units))
    counties = [(code, raw) for code, raw, level, _ in rows if level == "county"]
    aliases: dict[str, list[str]] = {code: [name] for code, name in former_county_names(counties).items()}
    for code, names in autonomous_short_names(counties).items():
        aliases.setdefault(code, []).extend(names)
    return [Node(LEVEL_KINDS[level], code, {"name": short_admin_name(raw), "name_raw": raw,
                                            **({"aliases": aliases[code]} if code in aliases else {})})
            for code, raw, level, _ in rows]


def former_county_names(counties: Iterable[tuple[str, str]]) -> dict[str, str]:
    """``code → X县`` of each district or county-level city ``X区``/``X市`` whose name as a county (before 撤县设区
    or 撤县设市) no county of the country has now: reports keep writing 湟中县 for 湟中区 and 密云县 for 密云区
    (where, unknown, 密云县 would be read as 云县). Only names of at least two characters before the ending.

    >>> former_county_names([("630106", "湟中区"), ("110118", "密云区"), ("530922", "云县"), ("110101", "东城区")])
    {'630106': '湟中县', '110118': '密云县', '110101': '东城县'}
    >>> former_county_names([("1", "龙泉市"), ("2", "龙泉县")])
    {}
    """
    counties = list(counties)
    names = {name for _, name in counties}
    former = {code: name[:-1] + "县" for code, name in counties if name.endswith(("区", "市")) and len(name) >= 3}
    return {code: name for code, name in former.items() if name not in names}


def autonomous_short_names(counties: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """``code → [X县]`` of each autonomous county or banner without its peoples, as reports write them (新晃县 for
    新晃侗族自治县, 木垒县 for 木垒哈萨克自治县; :func:`graph_model.names.autonomous_short_name`). Names some county
    has are left out.

    >>> autonomous_short_names([("431227", "新晃侗族自治县"), ("622927", "积石山保安族东乡族撒拉族自治县"),
    ...                         ("652328", "木垒哈萨克自治县"), ("150723", "鄂伦春自治旗")])
    {'431227': ['新晃县'], '622927': ['积石山县'], '652328': ['木垒县']}
    """
    counties = list(counties)
    names = {name for _, name in counties}
    found: dict[str, list[str]] = {}
    for code, name in counties:
        short = autonomous_short_name(name)
        if short != name and short not in names:
            found[code] = [short]
    return found


_FINDERS: dict[tuple[int, str], tuple[pa.Table, PlaceFinder]] = {}
MAX_FINDERS = 4


def _finder(roster: pa.Table, within: str) -> PlaceFinder:
    """The place finder over the upper units of the search, built once per process, roster and search
    (about a second for the country); counties by their full names only (成华区, not 成华 in 成华大道)."""
    kept = _FINDERS.get((id(roster), within))
    if kept is None or kept[0] is not roster:
        if len(_FINDERS) >= MAX_FINDERS:
            _FINDERS.pop(next(iter(_FINDERS)))
        kept = _FINDERS[(id(roster), within)] = (roster, PlaceFinder(RosterIndex(upper_nodes(roster, within)),
                                                                     short_names=(CITY, PROVINCE),
                                                                     unit_words={TOWN: PLACE_UNITS[TOWN]}))
    return kept[1]


def named_places(keys: Iterable[str], roster: pa.Table, within: str = "") -> list[_Named]:
    """Every county, city, province and town the texts (key forms) name, once each, in order, with the
    units of the search (``within``) they may be."""
    finder = _finder(roster, within)
    found: dict[tuple[str, str], _Named] = {}
    for key in keys:
        for start, end, _, units in finder.find(key, None):
            text = key[start:end]
            for kind in dict.fromkeys(u.kind for u in units):  # a name of units of two levels is named twice
                found.setdefault((kind, text), _Named(text, kind, tuple(u for u in units if u.kind == kind)))
    return list(found.values())


def _county_of(code: str) -> str:
    return code[:COUNTY_LENGTH]


def _label(index: RosterIndex, code: str) -> str:
    node = index.nodes.get(code)
    return f"{node.name} {code}" if node is not None else code


def _named_counties(named: list[_Named], context: set[str]) -> tuple[list[str], list[str]]:
    """The counties the reports name (a shared name decided by the report's cities, provinces and towns,
    ``context``), and the names still shared by several."""
    chosen: list[str] = []
    shared: list[str] = []
    for place in named:
        if place.kind != COUNTY:
            continue
        codes = [u.id for u in place.units]
        if len(codes) > 1:
            codes = [c for c in codes if any(c.startswith(p) or p.startswith(c) for p in context)]
        if len(codes) == 1:
            chosen.append(codes[0])
        else:
            shared.append(place.text)
    return list(dict.fromkeys(chosen)), shared


def _counties_of_towns(keys: Sequence[str], roster: pa.Table, named: list[_Named],
                       context: set[str]) -> tuple[list[str], list[_Named], list[str]]:
    """The counties holding the most places the reports name, of those holding a town they name that is
    unique in the search (or in the report's cities and provinces); the towns that several counties have;
    the towns taken. Where towns point to several counties, the villages the reports name there count too
    (a real town comes with its villages, a phrase that reads like a town, 千年古镇, does not)."""
    counts: Counter[str] = Counter()
    shared: list[_Named] = []
    taken: list[tuple[str, str]] = []
    for place in named:
        if place.kind != TOWN:
            continue
        units = [u for u in place.units if not context or any(u.id.startswith(c) for c in context)] or place.units
        if len({_county_of(u.id) for u in units}) == 1:
            counts[_county_of(units[0].id)] += 1
            taken.append((place.text, _county_of(units[0].id)))
        else:
            shared.append(place)
    if len(counts) > 1:
        counts.update(_villages_named(keys, roster, list(counts)))
    if not counts:
        return [], shared, taken
    most = max(counts.values())
    chosen = [c for c, n in counts.items() if n == most]
    return chosen, shared, [text for text, county in taken if county in chosen]


def _villages_named(keys: Sequence[str], roster: pa.Table, counties: list[str]) -> Counter[str]:
    """How many of the villages the texts name each of ``counties`` has (each name once)."""
    codes = roster["code"]
    villages = roster.filter(pc.and_(pc.equal(roster["level"], "village"),
                                     pc.is_in(pc.utf8_slice_codeunits(codes, 0, COUNTY_LENGTH), pa.array(counties))))
    finder = PlaceFinder(RosterIndex(_nodes(villages)), unit_words={VILLAGE: PLACE_UNITS[VILLAGE]})
    seen: dict[tuple[str, str], None] = {}
    for key in keys:
        for start, end, _, units in finder.find(key, None):
            for unit in units:
                seen.setdefault((key[start:end], _county_of(unit.id)))
    return Counter(county for _, county in seen)


def _undecided(index: RosterIndex, shared_towns: list[_Named], shared_counties: list[str], within: str) -> ScopeError:
    """The error of reports whose county cannot be told: the towns or counties they name that several
    counties have, listed, else that they name none."""
    where = f"{_label(index, within)} 内" if within else ""
    if shared_towns or shared_counties:
        towns = [f"{t.text}（{'、'.join(index.describe(u) for u in t.units[:MAX_LISTED])}"
                 f"{' …' if len(t.units) > MAX_LISTED else ''}）" for t in shared_towns[:MAX_LISTED]]
        listed = "；".join([*towns, *shared_counties])
        return ScopeError(f"报道所提地名在{where}多个区县都有，无法判断所在县：{listed} / the places the report names "
                          f"are in several counties{' of ' + _label(index, within) if within else ''}: {listed}",
                          "请用 --county 指定县，或用 --city/--province 缩小范围 / give --county, or narrow the search "
                          "with --city or --province")
    return ScopeError(f"报道中没有{where}名册里的县或乡镇，无法判断所在县 / the report names no county or town of the roster"
                      f"{' in ' + _label(index, within) if within else ''}, so its county is unknown",
                      "请用 --county 指定县（可多次），或 --city/--province / give --county (repeatable), --city or "
                      "--province")


def choose_scope(keys: Sequence[str], roster: pa.Table, *, within: str = "") -> ReportScope:
    """The counties the texts (key forms, :class:`loaders.extract.clean.CleanText`) are about, found in
    ``roster`` inside the unit ``within`` (a city or province code, or the country); see the module.
    :class:`ScopeError` when they cannot be told."""
    found = decide_scope(keys, roster, within=within)
    if isinstance(found, ScopeError):
        raise found
    return found


def decide_scope(keys: Sequence[str], roster: pa.Table, *, within: str = "") -> ReportScope | ScopeError:
    """:func:`choose_scope` as a value: the scope, or the error saying why there is none."""
    finder = _finder(roster, within)
    named = named_places(keys, roster, within)
    context = {u.id for p in named if p.kind in (CITY, PROVINCE) and len(p.units) == 1 for u in p.units}
    context |= {within} if within else set()
    towns = {u.id for p in named if p.kind == TOWN and len(p.units) == 1 for u in p.units}
    counties, shared_counties = _named_counties(named, context | towns)
    if counties:
        listed = "、".join(_label(finder.roster, c) for c in counties)
        return ReportScope(tuple(counties), f"报道所提区县：{listed} / counties the report names: {listed}")
    by_towns, shared_towns, taken = _counties_of_towns(keys, roster, named, context)
    if by_towns:
        listed = "、".join(_label(finder.roster, c) for c in by_towns)
        towns = "、".join(taken[:MAX_LISTED])
        return ReportScope(tuple(by_towns), f"由报道所提乡镇（{towns}）判断所在县：{listed} / the county of the towns the "
                                            f"report names ({towns}): {listed}")
    if within:
        label = _label(finder.roster, within)
        return ReportScope((within,), f"报道未提到可确定的县或乡镇，在{label}全境查找 / the report names no county or town "
                                      f"that tells its county: places are looked up in all of {label}")
    return _undecided(finder.roster, shared_towns, shared_counties, within)


def reports_scope(reports: Sequence[tuple[str, Sequence[str]]], roster: pa.Table, *,
                  within: str = "") -> ReportScope | InputError:
    """The counties of several reports (``(file, key forms)`` each): each report's (:func:`decide_scope`),
    united. A report whose county cannot be told is read in the counties of the others when it names no
    county or town elsewhere; else, or when no report's county can be told, an error of one line per
    report so named."""
    decided = [(file, keys, decide_scope(keys, roster, within=within)) for file, keys in reports]
    codes = tuple(dict.fromkeys(c for _, _, found in decided if isinstance(found, ReportScope) for c in found.codes))
    failed = [(file, keys, found) for file, keys, found in decided if isinstance(found, ScopeError)]
    if len(decided) == 1 and not failed:
        return decided[0][2]
    refused = [(file, found) for file, keys, found in failed if not codes or wrong_scope(keys, roster, codes)]
    if refused:
        return InputError([Problem(Origin(file), p.message, p.hint) for file, found in refused for p in found.problems])
    index = _finder(roster, "").roster
    listed = "、".join(_label(index, c) for c in codes)
    how = f"{len(reports)} 篇报道所提区县：{listed} / counties of the {len(reports)} reports: {listed}"
    if failed:
        names = "、".join(file for file, _, _ in failed)
        how += f"（{names} 未提到可确定的县，在此范围内查找 / {names} name no county of their own: looked up in these）"
    each = tuple(found.codes if isinstance(found, ReportScope) else codes for _, _, found in decided)
    return ReportScope(codes, how, each)


def wrong_scope(keys: Sequence[str], roster: pa.Table, given: Sequence[str]) -> ScopeError | None:
    """The error of a scope given (``given`` codes) that holds none of the counties and towns the reports
    name, while the country has some of them: where those are; else None. (Villages do not count: a
    neighbouring county has a 龙井村 too. The caller refuses the scope when it holds none of the reports'
    villages either, and says it otherwise: a phrase read as a town, 千年古镇, must not refuse a right one.)"""
    named = [p for p in named_places(keys, roster) if p.kind in (COUNTY, TOWN)]
    elsewhere = [p for p in named if not any(u.id.startswith(g) for u in p.units for g in given)]
    if not elsewhere or len(elsewhere) < len(named):
        return None
    index = _finder(roster, "").roster
    scope = "、".join(_label(index, g) for g in given)
    places = "；".join(f"{p.text}: {'、'.join(index.describe(u) for u in p.units[:MAX_LISTED])}"
                      for p in elsewhere[:MAX_LISTED])
    suggestion = decide_scope(keys, roster)
    hint = ("--county " + " --county ".join(suggestion.codes) if isinstance(suggestion, ReportScope)
            else "--county CODE")
    return ScopeError(f"报道提到的县和乡镇都不在所给范围 {scope} 中，而在别处（{places}）/ the counties and towns the "
                      f"report names are not in {scope} but elsewhere ({places})", f"请改用 {hint}，或不给 --county 由报道"
                      f"判断 / use {hint}, or leave --county out to find it from the report")


def scope_description(codes: Iterable[str], roster: pa.Table) -> str:
    """``成华区 510108、蒲江县 510131``: the units of a scope by name and code."""
    index = _finder(roster, "").roster
    return "、".join(_label(index, c) for c in codes)

