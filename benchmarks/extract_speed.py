#!/usr/bin/env python3
"""How fast ``linkgraph extract`` is on long reports and on many reports: time linear in the text.

Two cases, each run in a process of its own (so that its peak memory is its own), as ``linkgraph extract``
runs them (:func:`linkgraph.pipeline.extract_draft`, the draft written), without ``--county``: the county is
found from the text and the national roster (:mod:`loaders.extract.scope`), as a new user runs it.

- ``long``: one report of ``--mb`` MB (UTF-8; default 1);
- ``many``: ``--reports`` reports (default 100) of ``--kb`` KB each (default 5), in one call.

The texts are synthetic (合成文本, written by :func:`report_text`): sentences of the kinds the reports hold
(村企联建, 结对帮扶, 联村党委, 订单收购, lists, figures), over the real towns and villages of 佳县 in the NBS
2023 roster, with invented organizations, and a paragraph of punctuation now and then (the input that was
quadratic). Each case prints its CPU time, wall time, peak memory (ru_maxrss) and the 1-minute load average
before and after; targets: ``long`` 1 MB in at most 10 s, ``many`` 100 × 5 KB in at most 60 s.

    python benchmarks/extract_speed.py                      # both cases, a table to paste into BENCHMARKS.md
    python benchmarks/extract_speed.py --case long --mb 0.25

Never part of the test suite (no test times anything).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

COUNTY = "610828"  # 佳县
CORE = "东西南北山河石王李张刘高贺兴盛丰源泰安康福华荣昌"
INDUSTRIES = ("红枣", "小杂粮", "肉牛养殖", "饲草种植", "酿酒", "中药材", "苹果", "乡村旅游")
UNITS = ("县委办公室", "县财政局", "县交通运输局", "县农业农村局", "县供电公司", "县人民医院")
TEMPLATES = (
    "{year}年以来，{town}{village}党支部与{company}签订村企联建协议，共同发展{industry}产业。",
    "佳县{unit}是{town}{village}的帮扶单位，{year}年以来累计投入帮扶资金{n}万元，办实事{m}件。",
    "在{town}党委的指导下，{village}、{village2}和{village3}成立联村党委，推行“四联”工作机制。",
    "{coop}与{village}等{m}个村签订订单收购协议，带动{n}户群众增收。",
    "{company}党支部与{village}党支部开展结对共建，组织党员{m}人次参与志愿服务。",
    "该镇把{village}、{village2}、{village3}、{village4}的闲置资金整合起来，入股{coop}。",
)
PUNCTUATION = "，。、；：！？“”（）《》…—·,.;:!?()-=+@"


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(CORE) for _ in range(rng.randint(2, 3)))


def report_text(size: int, seed: int) -> str:
    """A synthetic report of about ``size`` bytes of UTF-8 about 佳县: a title naming the county, then
    paragraphs of 3–8 sentences from :data:`TEMPLATES`, and now and then a paragraph of punctuation."""
    from loaders import nbs

    rng = random.Random(seed)
    table = nbs.national_roster()
    units = list(nbs.unit_rows(nbs.scope_units(table, nbs.parse_scope(table, "county", COUNTY))))
    towns = {code: name for code, name, level, _ in units if level == "town"}
    villages = [(towns[parent], name.removesuffix("村委会").removesuffix("村民委员会") + "村")
                for code, name, level, parent in units if level == "village" and name.endswith(("村委会", "村民委员会"))]
    parts = ["佳县党建引领村企联合发展情况（合成文本 synthetic）"]
    total = len(parts[0].encode())
    while total < size:
        if rng.random() < 0.05:
            paragraph = "".join(rng.choice(PUNCTUATION) for _ in range(rng.randint(200, 2000)))
        else:
            sentences = []
            for _ in range(rng.randint(3, 8)):
                town, village = rng.choice(villages)
                others = [v for _, v in rng.sample(villages, 3)]
                sentences.append(rng.choice(TEMPLATES).format(
                    year=rng.randint(2015, 2024), town=town, village=village, village2=others[0], village3=others[1],
                    village4=others[2], company=f"陕西{_name(rng)}{rng.choice(('农业', '酒业', '食品'))}有限公司",
                    coop=f"佳县{_name(rng)}{rng.choice(INDUSTRIES)}专业合作社", unit=rng.choice(UNITS),
                    industry=rng.choice(INDUSTRIES), n=rng.randint(10, 900), m=rng.randint(2, 60)))
            paragraph = "".join(sentences)
        parts.append(paragraph)
        total += len(paragraph.encode()) + 1
    return "\n".join(parts) + "\n"


def run_case(case: str, folder: Path, args: argparse.Namespace) -> dict:
    """Write the case's reports into ``folder``, draft them in this process, and measure it."""
    from linkgraph.pipeline import extract_draft

    if case == "long":
        files = [folder / "long.txt"]
        files[0].write_text(report_text(int(args.mb * 2**20), args.seed), encoding="utf-8")
    else:
        files = [folder / f"report_{i:03d}.txt" for i in range(args.reports)]
        for i, file in enumerate(files):
            file.write_text(report_text(args.kb * 1024, args.seed + i), encoding="utf-8")
    size = sum(f.stat().st_size for f in files)
    load_before = os.getloadavg()[0]
    cpu, wall = time.process_time(), time.perf_counter()
    drafted = extract_draft(files, folder / f"{case}.xlsx")
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    found = drafted.extraction
    return {"case": case, "reports": len(files), "bytes": size, "cpu_s": round(cpu, 2), "wall_s": round(wall, 2),
            "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "load_before": round(load_before, 2), "load_after": round(os.getloadavg()[0], 2),
            "ties": len(found.proposals), "entities": len(found.entities), "scope": drafted.scope}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", choices=("long", "many", "both"), default="both")
    parser.add_argument("--mb", type=float, default=1.0, help="size of the long report in MB (default 1)")
    parser.add_argument("--reports", type=int, default=100, help="how many reports in the many case (default 100)")
    parser.add_argument("--kb", type=int, default=5, help="size of each of the many reports in KB (default 5)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # one case, in a child process
    args = parser.parse_args(argv)
    if args.json:
        with tempfile.TemporaryDirectory() as folder:
            print(json.dumps(run_case(args.case, Path(folder), args), ensure_ascii=False))
        return 0
    cases = ("long", "many") if args.case == "both" else (args.case,)
    print("| case | reports | size | CPU | wall | peak memory | load average (before → after) | ties drafted |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |")
    for case in cases:
        command = [sys.executable, __file__, "--json", "--case", case, "--mb", str(args.mb), "--reports",
                   str(args.reports), "--kb", str(args.kb), "--seed", str(args.seed)]
        result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        print(f"| {case} | {result['reports']} | {result['bytes'] / 2**20:.2f} MB | {result['cpu_s']} s | "
              f"{result['wall_s']} s | {result['peak_mb']} MB | {result['load_before']} → {result['load_after']} | "
              f"{result['ties']:,} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
