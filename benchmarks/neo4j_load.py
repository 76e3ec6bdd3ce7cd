#!/usr/bin/env python3
"""陕西 into Neo4j beside its plain ``UNWIND`` anchor, in one run, with CPU time on both sides.

    NEO4J_PASSWORD=… python benchmarks/neo4j_load.py --neo4j bolt://127.0.0.1:7687 [--repeat 2]

Each round empties the database, loads the roster (``linkgraph roster --province 61``) and then the sources
(the example's case file and the synthetic tables of ``synth.py --province 61``) as ``benchmarks/run.py`` does,
then writes the same records by the plain batched ``UNWIND … CREATE`` of ``benchmarks/anchors.py`` (exported
from the store just loaded; the export is not timed). Every step runs in a process of its own
(``benchmarks.steps``). For each it prints wall time, the client's CPU time (user + system of the timed part)
and, when ``NEO4J_HOME`` names the local server's home (``scripts/neo4j``), the server's CPU time over the
step, with the load average before and after: on a shared machine wall time follows the load, CPU time less.
THE DATABASE IS EMPTIED.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.run import EXAMPLE_CASE, cpu, run_step, synthetic  # noqa: E402


def one_round(neo4j: str, sources: list[str]) -> dict[str, dict[str, Any]]:
    run_step("clear", 600, store=neo4j)
    steps = {"roster": run_step("load_roster", 1200, store=neo4j, level="province", value="61"),
             "sources": run_step("load", 1200, store=neo4j, sources=sources)}
    steps["anchor"] = run_step("anchor_unwind", 1200, embedded=neo4j, neo4j=neo4j)
    run_step("clear", 600, store=neo4j)
    return steps


def line(name: str, f: dict[str, Any]) -> str:
    if "seconds" not in f:
        return f"{name:8s} {f}"
    return (f"{name:8s} wall {f['seconds']:6.2f} s  client CPU {f.get('cpu_seconds', 0):5.2f} s  server CPU "
            f"{f.get('server_cpu_seconds', 0):5.2f} s  rows {f.get('rows_written', f.get('rows', 0)):,}  load average "
            f"{f['load_average'][0]:.1f} → {f['load_average'][1]:.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--neo4j", default=os.environ.get("LINKGRAPH_BENCH_NEO4J_URI", "bolt://127.0.0.1:7687"))
    parser.add_argument("--repeat", type=int, default=1, help="rounds (default 1)")
    parser.add_argument("--work", type=Path, default=REPO / "benchmarks" / "work", help="the synthetic tables")
    args = parser.parse_args(argv)
    sources = [str(EXAMPLE_CASE), *synthetic("province", args.work)]
    for number in range(args.repeat):
        steps = one_round(args.neo4j, sources)
        print(json.dumps(steps, ensure_ascii=False), file=sys.stderr)
        for name, figures in steps.items():
            print(line(name, figures))
        load = [steps[k] for k in ("roster", "sources")]
        if all("seconds" in f for f in (*load, steps["anchor"])):
            anchor = steps["anchor"]
            wall = sum(f["seconds"] for f in load) / anchor["seconds"]
            ratio = sum(cpu(f) for f in load) / cpu(anchor)
            print(f"round {number + 1}: load all / anchor: wall {wall:.2f}×, CPU (client + server) {ratio:.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
