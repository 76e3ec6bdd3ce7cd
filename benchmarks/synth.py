#!/usr/bin/env python3
"""Synthetic ties over the real 2023 NBS roster, for measuring linkgraph at county, province and national scale.

The places are real (the roster that ships with linkgraph, :mod:`loaders.nbs`);
the organizations and ties are invented, with a fixed seed, in the patterns the
Jia County article describes:

- 村村联合: joint village party committees (联村党委, ``joint=true``) of 2–9
  villages of one town, one village the lead, guided by the town's party
  committee; two in five run a joint cooperative (联村合作社) in the lead village;
- 村企联合: enterprises with a joint party branch (联合党支部) that the
  enterprise leads and about a dozen villages join; the villages supply the
  enterprise by order, and it produces for some of them; half of the branches
  also take in an aggregate node of the town's workshops (``aggregate_count``);
- 机关联村: county assistance units (帮扶单位) paired with 1–5 villages each
  (佳县's article: 48 units for 92 villages; generated: 48 for 97); some unit party branches co-build
  with their village's party branch (联建共建);
- cooperatives (专业合作社) located in villages, most supplying an enterprise
  of their county;
- start years 2015–2024 (pairings cluster in 2015–16 and 2021–23, joint
  organizations in 2020–23), and some end dates.

Only rural villages (村委会) take part; urban communities (居委会) and the
counties that have none get no ties. Everything is generated county by county
from a random generator seeded with ``SEED:COUNTY``, so a county's data is the
same alone, in its province and in the country, and the same seed gives
byte-identical files. Every organization's ``note`` and every tie's
``evidence`` says ``合成数据 synthetic (benchmarks/synth.py, seed N)`` and every
organization id starts with ``syn:``.

At density 1, 佳县 gets about 100 organizations and 400 ties, 陕西省 about
5,000 and 20,000, the country about 140,000 and 550,000; ``--density`` scales
every count (``--all --density 2`` gives about 240,000 and a million).

Output, linkgraph table CSV files (UTF-8 with BOM):

- ``organizations.csv``: ``id,kind,name,town,county,note,form,joint,aggregate_count``
  (town and county are NBS codes; form and joint for party organizations,
  aggregate_count for aggregate cooperatives);
- ``ties.csv``: ``type,from,to,start_date,end_date,role,mechanism,evidence``
  (from and to are NBS codes or organization ids).

Usage:
    python benchmarks/synth.py (--county 610828 | --city 6108 | --province 61 | --all)
                               [--seed 1] [--density 1.0] --out DIR
"""

from __future__ import annotations

import argparse
import csv
import functools
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

import pyarrow as pa
import pyarrow.compute as pc

from graph_model.names import short_admin_name
from loaders.nbs import (SCOPE_LEVELS, Scope, ScopeError, level_counts, national_roster, parse_scope, scope_units,
                         unit_rows)

ORG_COLUMNS = ("id", "kind", "name", "town", "county", "note", "form", "joint", "aggregate_count")
TIE_COLUMNS = ("type", "from", "to", "start_date", "end_date", "role", "mechanism", "evidence")
MARK = "合成数据 synthetic (benchmarks/synth.py, seed {seed})"
ID_PREFIX = "syn:"
RURAL_ENDINGS = ("村委会", "村民委员会")
LAST_START, LAST_END = 2024, 2025

# Expected counts per rural village at density 1, calibrated on 陕西省 (16,446 rural villages: about 5,000
# organizations and 20,000 ties) and on 佳县 (324 rural villages: 48 assistance units).
UNITS_PER_VILLAGE = 48 / 324
JOINT_COMMITTEES_PER_VILLAGE = 0.0325
ENTERPRISES_PER_VILLAGE = 0.014
COOPERATIVES_PER_VILLAGE = 0.008
PAIRED_VILLAGES_WEIGHTS = (45, 30, 13, 7, 5)  # 1–5 villages per unit, mean 1.97 (the article: 92/48 = 1.92)
CO_BUILD_SHARE = 0.08                          # pairings whose party branches co-build
JOINT_COOPERATIVE_SHARE = 0.4                  # joint committees that run a joint cooperative
ENTERPRISE_VILLAGES = (8, 16)                  # "about a dozen" villages per joint branch
WORKSHOPS = (5, 40)                            # the article: 38 brewing workshops

PAIRING_YEARS = {2015: 3, 2016: 2, 2017: 1, 2018: 1, 2019: 1, 2020: 1, 2021: 3, 2022: 2, 2023: 2, 2024: 1}
JOINT_YEARS = {2018: 1, 2019: 1, 2020: 2, 2021: 3, 2022: 3, 2023: 2, 2024: 1}
ANY_YEAR = {year: 1 for year in range(2015, LAST_START + 1)}

# Assistance units of a county ({c}: the county's name), as such units are named.
UNIT_NAMES = tuple(
    [f"中共{{c}}委员会{d}" for d in ("办公室", "组织部", "宣传部", "统战部", "政法委员会", "党校", "政策研究室",
                                   "机构编制委员会办公室")]
    + [f"{{c}}{d}" for d in (
        "纪律检查委员会", "人民政府办公室", "发展和改革局", "教育局", "科学技术局", "工业和信息化局", "公安局",
        "民政局", "司法局", "财政局", "人力资源和社会保障局", "自然资源局", "住房和城乡建设局", "交通运输局",
        "水利局", "农业农村局", "商务局", "文化和旅游局", "卫生健康局", "退役军人事务局", "应急管理局", "审计局",
        "市场监督管理局", "统计局", "医疗保障局", "林业局", "乡村振兴局", "信访局", "行政审批服务局", "城市管理局",
        "气象局", "税务局", "烟草专卖局", "人民法院", "人民检察院", "总工会", "妇女联合会", "科学技术协会",
        "残疾人联合会", "供销合作社联合社", "工商业联合会", "人民医院", "中医医院", "疾病预防控制中心",
        "职业教育中心", "融媒体中心", "农业技术推广中心", "畜牧兽医中心", "农村信用合作联社")]
    + ["共青团{c}委员会", "国网{c}供电公司", "中国农业银行{c}支行", "中国工商银行{c}支行", "中国建设银行{c}支行",
       "中国银行{c}支行", "中国邮政储蓄银行{c}支行", "中国移动{c}分公司", "中国电信{c}分公司", "中国联通{c}分公司",
       "中国邮政集团有限公司{c}分公司", "中国人寿保险{c}支公司", "中国人民财产保险{c}支公司"]
)
TRADE_NAMES = ("鑫源", "丰泽", "恒达", "绿源", "金谷", "惠农", "宏达", "兴农", "瑞丰", "润泽", "康盛", "福源",
               "裕丰", "众鑫", "华晟", "天瑞", "嘉禾", "德丰", "盛世", "永丰")


class Industry(NamedTuple):
    business: str     # in an enterprise's name: 佳县鑫源红枣食品有限公司
    work: str         # in a cooperative's name: …村红枣加工专业合作社


INDUSTRIES = tuple(Industry(*pair) for pair in (
    ("红枣食品", "红枣加工"), ("酒业", "酿酒"), ("杂粮食品", "杂粮加工"), ("畜牧", "肉牛养殖"), ("果业", "苹果种植"),
    ("食用菌", "香菇种植"), ("中药材", "中药材种植"), ("肉食品", "生猪养殖"), ("蔬菜", "蔬菜种植"), ("茶业", "制茶"),
    ("林果", "核桃种植"), ("薯业", "马铃薯种植"), ("乳业", "奶山羊养殖"), ("调味品", "花椒种植"), ("米业", "水稻种植"),
    ("粮油", "油菜种植"),
))
PAIRING_MECHANISMS = ("八联八帮", "支部联建", "产业共推", "规划共谋", "治理共抓", "驻村帮扶", "消费帮扶", "")
CO_BUILD_MECHANISMS = ("联合共建", "支部联建", "党员联户", "组织联建、活动联办", "")
JOINT_MECHANISMS = ("四联", "组织联建、治理联抓、产业联兴、资源联享", "支持成立联村党委", "")
TOWN_ENTERPRISE_MECHANISMS = ("招商引进", "上门问需", "")
COOPERATIVE_MECHANISMS = ("整合村集体闲置资金成立合作社", "")


@dataclass(frozen=True, slots=True)
class Village:
    code: str
    name_raw: str

    @property
    def name(self) -> str:
        return short_admin_name(self.name_raw)

    @property
    def town(self) -> str:
        return self.code[:9]


@dataclass(frozen=True, slots=True)
class Town:
    code: str
    name: str
    villages: tuple[Village, ...]  # rural villages (村委会) only


@dataclass(frozen=True)
class County:
    code: str
    name: str          # qualified by its city where the name is not unique in the country: 南京市鼓楼区
    province: str
    towns: tuple[Town, ...]

    @functools.cached_property
    def villages(self) -> list[Village]:
        return [v for t in self.towns for v in t.villages]


@dataclass
class Tables:
    """Rows of ``organizations.csv`` and ``ties.csv`` (tuples in :data:`ORG_COLUMNS` / :data:`TIE_COLUMNS` order)."""

    organizations: list[tuple[str, ...]] = field(default_factory=list)
    ties: list[tuple[str, ...]] = field(default_factory=list)


def counties_in(roster: pa.Table, scope: Scope) -> Iterator[County]:
    """The counties of ``scope`` with their towns and rural villages, in code order; pure.

    Made one province at a time, so that the country never is in memory as
    Python objects. ``roster`` is the national roster: county names shared by
    several counties are qualified by the city (or, under a 市辖区, the
    province) from it.
    """
    upper = {code: name for code, name, _, _ in unit_rows(roster.filter(
        pc.is_in(roster["level"], pa.array(["province", "city"]))))}
    shared = {name for name, n in Counter(_level(roster, "county")["name"].to_pylist()).items() if n > 1}
    provinces = [scope] if scope.level != "all" else [
        Scope("province", code, name) for code, name in upper.items() if len(code) == 2]
    for part in provinces:
        yield from _counties(scope_units(roster, part), upper, shared)


def _level(table: pa.Table, level: str) -> pa.Table:
    return table.filter(pc.equal(table["level"], level))


def _counties(units: pa.Table, upper: dict[str, str], shared: set[str]) -> Iterator[County]:
    """The counties among ``units``; ``upper`` names provinces and cities, ``shared`` are ambiguous county names."""
    villages = _level(units, "village")
    villages = villages.filter(functools.reduce(pc.or_, (pc.ends_with(villages["name"], e) for e in RURAL_ENDINGS)))
    by_town: dict[str, list[Village]] = {}
    for code, name, town in zip(*(villages[c].to_pylist() for c in ("code", "name", "parent_code"))):
        by_town.setdefault(town, []).append(Village(code, name))
    by_county: dict[str, list[Town]] = {}
    for code, name, _, county in unit_rows(_level(units, "town")):
        by_county.setdefault(county, []).append(Town(code, name, tuple(by_town.get(code, ()))))
    for code, name, _, city in unit_rows(_level(units, "county")):
        if name in shared:
            qualifier = upper[city] if "辖" not in upper[city] else upper[city[:2]]
            name = qualifier + name
        yield County(code, name, upper[code[:2]], tuple(by_county.get(code, ())))


def generate(counties: Iterable[County], seed: int, density: float = 1.0) -> Iterator[tuple[County, Tables]]:
    """Each county with its synthetic organizations and ties; pure and deterministic."""
    for county in counties:
        yield county, generate_county(county, seed, density)


def generate_county(county: County, seed: int, density: float = 1.0) -> Tables:
    """One county's synthetic organizations and ties, from a generator seeded with ``SEED:COUNTY``."""
    builder = _CountyBuilder(county, seed, density)
    if county.villages:
        builder.assistance_units()
        builder.joint_committees()
        enterprises = builder.enterprises()
        builder.cooperatives(enterprises)
    return builder.tables


@dataclass(frozen=True)
class _Enterprise:
    id: str
    town: str
    start: int
    industry: Industry


class _CountyBuilder:
    """Makes one county's rows; every random choice comes from one generator, in a fixed order."""

    def __init__(self, county: County, seed: int, density: float):
        self.county = county
        self.rng = random.Random(f"{seed}:{county.code}")
        self.density = density
        self.mark = MARK.format(seed=seed)
        self.tables = Tables()
        self.towns = [t for t in county.towns if t.villages]
        self.party_organizations: dict[str, str] = {}
        self.workshops: set[str] = set()

    # ---- rows

    def org(self, id_: str, kind: str, name: str, town: str = "", *, form: str = "", joint: str = "",
            aggregate_count: int | None = None) -> str:
        self.tables.organizations.append((id_, kind, name, town, self.county.code, self.mark, form, joint,
                                          "" if aggregate_count is None else str(aggregate_count)))
        return id_

    def tie(self, type_: str, source: str, target: str, start: str = "", end: str = "", *, role: str = "",
            mechanism: str = "") -> None:
        self.tables.ties.append((type_, source, target, start, end, role, mechanism, self.mark))

    # ---- random values

    def count(self, expected: float) -> int:
        """``expected × density`` rounded up or down at random, so that the mean is right."""
        x = expected * self.density
        return int(x) + (self.rng.random() < x - int(x))

    def year(self, weights: dict[int, int]) -> int:
        return self.rng.choices(tuple(weights), weights=tuple(weights.values()))[0]

    def date(self, year: int) -> str:
        """A year (``2021``) or, half of the time, a month (``2021-05``)."""
        return str(year) if self.rng.random() < 0.5 else f"{year}-{self.rng.randint(1, 12):02d}"

    def end(self, start: int, probability: float) -> str:
        """An end date in a later year than ``start``, with the given probability, never after 2025."""
        if self.rng.random() >= probability:
            return ""
        year = start + self.rng.randint(1, 5)
        return self.date(year) if year <= LAST_END else ""

    def later(self, start: int) -> int:
        return min(LAST_START, start + self.rng.randint(0, 2))

    # ---- shared organizations, made on first use

    def party_organization(self, of: str, name: str, form: str, town: str = "") -> str:
        """The party organization of a town, village or unit (``of``: its code or id), with its PARTY_ORG_OF tie."""
        if of not in self.party_organizations:
            id_ = f"{of if of.startswith(ID_PREFIX) else ID_PREFIX + of}:party"
            self.org(id_, "PartyOrganization", name, town, form=form, joint="false")
            self.tie("PARTY_ORG_OF", id_, of)
            self.party_organizations[of] = id_
        return self.party_organizations[of]

    def town_committee(self, town: Town) -> str:
        return self.party_organization(town.code, f"{town.name}党委", "党委", town.code)

    def village_branch(self, village: Village) -> str:
        return self.party_organization(village.code, f"{village.name}党支部", "党支部", village.town)

    # ---- the patterns

    def assistance_units(self) -> None:
        """机关联村: units paired with 1–5 villages of one town, mostly villages no other unit helps."""
        unpaired = {t.code: self.rng.sample(t.villages, len(t.villages)) for t in self.towns}
        n = min(len(UNIT_NAMES), self.count(UNITS_PER_VILLAGE * len(self.county.villages)))
        for i, template in enumerate(self.rng.sample(UNIT_NAMES, n), start=1):
            name = template.format(c=self.county.name)
            unit = self.org(f"{ID_PREFIX}{self.county.code}:unit{i:02d}", "AssistanceUnit", name)
            self.tie("LOCATED_IN", unit, self.county.code)
            k = self.rng.choices(range(1, len(PAIRED_VILLAGES_WEIGHTS) + 1), weights=PAIRED_VILLAGES_WEIGHTS)[0]
            for village in self.paired_villages(unpaired, k):
                start = self.year(PAIRING_YEARS)
                self.tie("PAIRED_ASSISTANCE", unit, village.code, self.date(start), self.end(start, 0.2),
                         mechanism=self.rng.choice(PAIRING_MECHANISMS))
                if self.rng.random() < CO_BUILD_SHARE:
                    branch = self.party_organization(unit, f"{name}党支部", "党支部")
                    self.tie("CO_BUILDS", branch, self.village_branch(village), self.date(self.later(max(start, 2018))),
                             mechanism=self.rng.choice(CO_BUILD_MECHANISMS))

    def paired_villages(self, unpaired: dict[str, list[Village]], k: int) -> list[Village]:
        """Up to ``k`` villages of one town, taken from those not yet paired (any village once all are)."""
        open_towns = [t for t in self.towns if unpaired[t.code]]
        if not open_towns:
            town = self.rng.choice(self.towns)
            return self.rng.sample(town.villages, min(k, len(town.villages)))
        town = self.rng.choices(open_towns, weights=[len(unpaired[t.code]) for t in open_towns])[0]
        taken, unpaired[town.code] = unpaired[town.code][:k], unpaired[town.code][k:]
        return taken

    def joint_committees(self) -> None:
        """村村联合: joint committees of 2–9 villages of one town, guided by the town's party committee."""
        for town in self.towns:
            free = self.rng.sample(town.villages, len(town.villages))
            for j in range(1, self.count(JOINT_COMMITTEES_PER_VILLAGE * len(town.villages)) + 1):
                if len(free) < 2:
                    break
                k = self.rng.randint(2, min(9, len(free)))
                members, free = free[:k], free[k:]
                base = members[0].name.removesuffix("村") or members[0].name
                start = self.year(JOINT_YEARS)
                since = self.date(start)
                committee = self.org(f"{ID_PREFIX}{town.code}:joint{j}", "PartyOrganization", f"{base}联村党委",
                                     town.code, form=self.rng.choice(("党委", "党委", "党总支")), joint="true")
                self.tie("GUIDES", self.town_committee(town), committee, since,
                         mechanism=self.rng.choice(JOINT_MECHANISMS))
                for village in members:
                    self.tie("MEMBER_OF", village.code, committee, since, self.end(start, 0.05),
                             role="lead" if village is members[0] else "member")
                if self.rng.random() < JOINT_COOPERATIVE_SHARE:
                    cooperative = self.org(f"{committee}:cooperative", "Cooperative", f"{base}联村合作社", town.code)
                    founded = self.date(self.later(start))
                    self.tie("LOCATED_IN", cooperative, members[0].code, founded)
                    self.tie("GUIDES", committee, cooperative, founded,
                             mechanism=self.rng.choice(COOPERATIVE_MECHANISMS))

    def enterprises(self) -> list[_Enterprise]:
        """村企联合: enterprises leading a joint branch that about a dozen nearby villages join."""
        made: list[_Enterprise] = []
        combinations = len(TRADE_NAMES) * len(INDUSTRIES)
        n = min(combinations, self.count(ENTERPRISES_PER_VILLAGE * len(self.county.villages)))
        for i, combination in enumerate(self.rng.sample(range(combinations), n), start=1):
            trade = TRADE_NAMES[combination // len(INDUSTRIES)]
            industry = INDUSTRIES[combination % len(INDUSTRIES)]
            town = self.rng.choices(self.towns, weights=[len(t.villages) for t in self.towns])[0]
            start = self.year(JOINT_YEARS)
            since = self.date(start)
            enterprise = self.org(f"{ID_PREFIX}{self.county.code}:enterprise{i}", "Enterprise",
                                  f"{self.county.name}{trade}{industry.business}有限公司", town.code)
            self.tie("LOCATED_IN", enterprise, town.code)
            if self.rng.random() < 0.5:
                self.tie("GUIDES", town.code, enterprise, since, mechanism=self.rng.choice(TOWN_ENTERPRISE_MECHANISMS))
            branch = self.org(f"{enterprise}:branch", "PartyOrganization", f"{trade}{industry.business}联合党支部",
                              town.code, form="党支部", joint="true")
            self.tie("MEMBER_OF", enterprise, branch, since, role="lead")
            for village in self.nearby_villages(town, self.rng.randint(*ENTERPRISE_VILLAGES)):
                self.tie("MEMBER_OF", village.code, branch, since, self.end(start, 0.05), role="member")
                self.tie("SUPPLIES", village.code, enterprise, since, self.end(start, 0.1))
                if self.rng.random() < 0.3:
                    self.tie("PRODUCES_FOR", enterprise, village.code, self.date(self.later(start)))
            count = self.rng.randint(*WORKSHOPS)
            workshops_name = f"{town.name}{count}家{industry.work}合作社"
            if self.rng.random() < 0.5 and workshops_name not in self.workshops:  # one such node per name
                self.workshops.add(workshops_name)
                workshops = self.org(f"{enterprise}:workshops", "Cooperative", workshops_name, town.code,
                                     aggregate_count=count)
                self.tie("LOCATED_IN", workshops, town.code)
                self.tie("MEMBER_OF", workshops, branch, since, role="member")
                self.tie("SUPPLIES", workshops, enterprise, since)
            made.append(_Enterprise(enterprise, town.code, start, industry))
        return made

    def nearby_villages(self, town: Town, k: int) -> list[Village]:
        """``k`` villages: the town's first, then those of the towns with the nearest codes."""
        towns = sorted(self.towns, key=lambda t: (abs(int(t.code) - int(town.code)), t.code))
        villages = [v for t in towns for v in self.rng.sample(t.villages, len(t.villages))]
        return villages[:k]

    def cooperatives(self, enterprises: list[_Enterprise]) -> None:
        """Cooperatives in villages; most supply an enterprise of the county, of their town where there is one."""
        villages = self.county.villages
        n = min(len(villages), self.count(COOPERATIVES_PER_VILLAGE * len(villages)))
        for village in self.rng.sample(villages, n):
            buyer = None
            if enterprises and self.rng.random() < 0.7:
                buyer = self.rng.choice([e for e in enterprises if e.town == village.town] or enterprises)
            industry = buyer.industry if buyer else self.rng.choice(INDUSTRIES)
            founded = self.year(ANY_YEAR)
            cooperative = self.org(f"{ID_PREFIX}{village.code}:cooperative", "Cooperative",
                                   f"{village.name}{industry.work}专业合作社", village.town)
            self.tie("LOCATED_IN", cooperative, village.code, self.date(founded))
            if buyer:
                self.tie("SUPPLIES", cooperative, buyer.id, self.date(self.later(max(founded, buyer.start))))


# --------------------------------------------------------------------------
# Files and command line
# --------------------------------------------------------------------------


@dataclass
class Summary:
    counties: int = 0
    kinds: Counter = field(default_factory=Counter)
    types: Counter = field(default_factory=Counter)

    @property
    def organizations(self) -> int:
        return sum(self.kinds.values())

    @property
    def ties(self) -> int:
        return sum(self.types.values())


def write_tables(results: Iterable[tuple[County, Tables]], out: Path) -> Summary:
    """Write ``organizations.csv`` and ``ties.csv`` (UTF-8 with BOM) into ``out``, county by county."""
    out.mkdir(parents=True, exist_ok=True)
    summary = Summary()
    with open(out / "organizations.csv", "w", encoding="utf-8-sig", newline="") as org_file, \
            open(out / "ties.csv", "w", encoding="utf-8-sig", newline="") as tie_file:
        organizations, ties = csv.writer(org_file, lineterminator="\r\n"), csv.writer(tie_file, lineterminator="\r\n")
        organizations.writerow(ORG_COLUMNS)
        ties.writerow(TIE_COLUMNS)
        for _, tables in results:
            organizations.writerows(tables.organizations)
            ties.writerows(tables.ties)
            summary.counties += 1
            summary.kinds.update(row[1] for row in tables.organizations)
            summary.types.update(row[0] for row in tables.ties)
    return summary


def _with_progress(results: Iterable[tuple[County, Tables]], started: float) -> Iterator[tuple[County, Tables]]:
    """Pass the results on, printing one line per province to stderr."""
    province, orgs, ties = None, 0, 0

    def report() -> None:
        print(f"  {province}: {orgs:,} organizations 组织, {ties:,} ties 关系 ({time.perf_counter() - started:.1f} s)",
              file=sys.stderr)

    for county, tables in results:
        if province is not None and county.province != province:
            report()
            orgs = ties = 0
        province = county.province
        orgs, ties = orgs + len(tables.organizations), ties + len(tables.ties)
        yield county, tables
    if province is not None:
        report()


def _counties_text(n: int) -> str:
    return f"{n:,} {'county' if n == 1 else 'counties'} 县"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Synthetic organizations and ties over the real 2023 NBS roster (marked 合成数据 synthetic), "
        "as linkgraph table CSV files.")
    scope = parser.add_mutually_exclusive_group(required=True)
    for level in SCOPE_LEVELS[::-1]:
        scope.add_argument(f"--{level}", metavar="CODE|NAME", help=f"one {level}: its NBS code or unique name")
    scope.add_argument("--all", action="store_true", help="the whole country")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default %(default)s); same seed, same files")
    parser.add_argument("--density", type=float, default=1.0,
                        help="scale every count (default %(default)s: 陕西省 about 20,000 ties, the country 550,000; "
                        "2 gives a million)")
    parser.add_argument("--out", type=Path, required=True, help="output folder for organizations.csv and ties.csv")
    args = parser.parse_args(argv)
    if args.density <= 0:
        parser.error("--density must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    roster = national_roster()
    level = next((lv for lv in SCOPE_LEVELS if getattr(args, lv) is not None), "all")
    try:
        scope = parse_scope(roster, level, getattr(args, level, None))
    except ScopeError as err:
        print(f"错误 error: {err}", file=sys.stderr)
        return 2
    counties = level_counts(scope_units(roster, scope))["county"]
    print(f"合成数据 synthetic data for {scope}: {_counties_text(counties)}, seed {args.seed}, density {args.density}",
          file=sys.stderr)
    try:
        results = generate(counties_in(roster, scope), args.seed, args.density)
        summary = write_tables(_with_progress(results, started), args.out)
    except OSError as err:
        print(f"错误 error: {err.strerror or err}: {err.filename or ''}", file=sys.stderr)
        print("提示 hint: check that the output folder may be written / 请检查输出目录的写入权限", file=sys.stderr)
        return 2
    print(f"wrote {summary.organizations:,} organizations 组织 and {summary.ties:,} ties 关系 for "
          f"{_counties_text(summary.counties)} → {args.out} ({time.perf_counter() - started:.1f} s)")
    for label, counts in (("organizations", summary.kinds), ("ties", summary.types)):
        print(f"  {label}: " + ", ".join(f"{name} {n:,}" for name, n in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
