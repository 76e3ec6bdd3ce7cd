#!/usr/bin/env python3
"""How fast the analysis and the report are, against plain NetworkX measured in the same run.

The graph is the real NBS roster of a scope plus synthetic organizations and ties
(``benchmarks/synth.py``), read from Python with linkgraph's loaders (no store),
or the Jia County example (``--example``). Then, ``--runs`` times each:

- ``analyse``: every measure of :func:`analysis.report.analyse` with the library
  linkgraph chooses (igraph above a size, :mod:`analysis.engine`);
- ``report``: ``analyse`` and writing everything ``linkgraph report`` writes
  (HTML, workbook, CSVs, GraphML), as ``linkgraph report`` does it (:func:`linkgraph.pipeline.report_of`);
- ``networkx``: the same ``analyse`` with every measure computed by NetworkX
  (``use="networkx"``): the plain-NetworkX baseline, same answers.

It prints the median of each (with the fastest and slowest run) and the ratio
NetworkX / linkgraph. ``--baseline-runs`` sets how often the baseline runs.
NetworkX's betweenness costs ``n²`` whatever the network's pieces (each search
starts by setting up every node), so the national baseline would take days:
``--baseline-sources K`` instead times NetworkX's betweenness alone from ``K``
random sources and scales it to all ``n`` (one measure of many, so a lower bound).
Loading the graph is timed once and is not part of the figures.

Usage:
    python benchmarks/synth.py --province 61 --seed 1 --out synth/shaanxi
    python benchmarks/analysis_speed.py --province 61 --synth synth/shaanxi --runs 3
    python benchmarks/analysis_speed.py --example --runs 5
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from graph_model.records import GraphData, SourceRef
from graph_model.schema import default_schema


def synthetic_graph(level: str, value: str | None, folder: Path) -> GraphData:
    """The roster of the scope and the synthetic ``organizations.csv`` and ``ties.csv`` in ``folder``."""
    from loaders import load_sources, nbs
    from loaders.context import Known
    from loaders.roster import NBS_SOURCE, roster_graph

    schema = default_schema()
    roster = nbs.national_roster()
    units = nbs.scope_units(roster, nbs.parse_scope(roster, level, value))
    rows = ((number, *row) for number, row in enumerate(nbs.unit_rows(units), start=2))
    graph = roster_graph(rows, nbs.ROSTER_FILE, schema, SourceRef("nbs2023", NBS_SOURCE, nbs.ROSTER_FILE))
    known = Known(kind_of=graph.kind_of, places=lambda: graph.nodes.values())
    graph.extend(load_sources([folder / "organizations.csv", folder / "ties.csv"], schema, known=known).graph)
    return graph


def example_graph() -> GraphData:
    from linkgraph.pipeline import EXAMPLE_CASE
    from loaders import load_sources

    return load_sources([EXAMPLE_CASE]).graph


def timed(job: Callable[[], object], runs: int) -> list[tuple[float, float]]:
    """Wall-clock and CPU seconds of each run (CPU time shows the work itself on a machine shared with others)."""
    times = []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        job()
        times.append((time.perf_counter() - wall, time.process_time() - cpu))
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    scope = parser.add_mutually_exclusive_group(required=True)
    scope.add_argument("--county")
    scope.add_argument("--city")
    scope.add_argument("--province")
    scope.add_argument("--all", action="store_true")
    scope.add_argument("--example", action="store_true", help="the Jia County example (no --synth)")
    parser.add_argument("--synth", type=Path, help="folder of benchmarks/synth.py output for the scope")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline-runs", type=int, help="runs of the NetworkX baseline (default: --runs; 0: none)")
    parser.add_argument("--baseline-sources", type=int, metavar="K",
                        help="instead of the full baseline, NetworkX's betweenness from K sources, scaled to all")
    args = parser.parse_args(argv)

    from analysis.report import analyse
    from linkgraph.pipeline import report_of

    schema = default_schema()
    started = time.perf_counter()
    if args.example:
        graph, what = example_graph(), "Jia County example"
    else:
        if args.synth is None:
            parser.error("--synth DIR is needed with a scope")
        level = next(lv for lv in ("county", "city", "province", "all") if getattr(args, lv))
        value = None if level == "all" else getattr(args, level)
        graph, what = synthetic_graph(level, value, args.synth), f"{level} {value or ''} + {args.synth}"
    load_time = time.perf_counter() - started
    first = analyse(graph, schema)
    s = first.summary
    print(f"{what}: {len(graph.nodes):,} nodes, {len(graph.ties):,} ties; network {s['network_nodes']:,} nodes, "
          f"{s['network_ties']:,} working ties, {s['components']:,} pieces (largest {s['largest_component']:,}); "
          f"engine {first.engine}; sampled pieces {len(first.samplings)}; loaded in {load_time:.1f} s", flush=True)
    baseline_graph = first.network.undirected if args.baseline_sources else None
    del first  # not held through the timed runs: the peak memory is one analysis's
    with tempfile.TemporaryDirectory() as out:
        results = {
            "analyse": timed(lambda: analyse(graph, schema), args.runs),
            "report": timed(lambda: report_of(graph, schema, what, out, "benchmark"), args.runs),
        }
    baseline_runs = args.runs if args.baseline_runs is None else args.baseline_runs
    if args.baseline_sources:
        results["networkx"] = [_sampled_networkx_betweenness(baseline_graph, args.baseline_sources)]
    elif baseline_runs:
        results["networkx"] = timed(lambda: analyse(graph, schema, use="networkx"), baseline_runs)
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for name, times in results.items():
        walls, cpus = [w for w, _ in times], [c for _, c in times]
        print(f"  {name:9} median {statistics.median(walls):8.2f} s wall, {statistics.median(cpus):8.2f} s CPU "
              f"(wall min {min(walls):.2f}, max {max(walls):.2f}; {len(times)} runs)")
    if "networkx" in results:
        ratio = statistics.median(w for w, _ in results["networkx"]) / statistics.median(w for w, _ in results["analyse"])
        bound = "at least " if args.baseline_sources else ""
        print(f"  NetworkX / linkgraph (analyse, wall): {bound}{ratio:,.1f}×")
    print(f"  peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    return 0


def _sampled_networkx_betweenness(g, sources: int) -> tuple[float, float]:
    """NetworkX's betweenness from ``sources`` random sources, its wall and CPU time scaled to every node."""
    import networkx as nx

    wall, cpu = time.perf_counter(), time.process_time()
    nx.betweenness_centrality(g, k=sources, seed=1)
    scale = g.number_of_nodes() / sources
    print(f"  (NetworkX betweenness alone: {sources:,} of {g.number_of_nodes():,} sources, scaled to all)")
    return (time.perf_counter() - wall) * scale, (time.process_time() - cpu) * scale


if __name__ == "__main__":
    sys.exit(main())
