#!/usr/bin/env python3
"""The benchmark suite: linkgraph at county, province and national scale, each figure beside its anchor.

    python benchmarks/run.py [--scales county,province,national] [--stores embedded,neo4j] [--repeat N]

For each scale (佳县: the example's case file and roster plus synthetic ties
for the county; 陕西省: ``roster --province 61`` plus ``synth.py --province
61``; the country: ``roster --all`` plus ``synth.py --all --density 2``) and
each store, it loads into an empty store, loads the same again (unchanged),
runs every named query of the catalog with its example parameters, writes
the report and the map through the pipeline; then the anchors on the same
records: LadybugDB ``COPY``, Neo4j's plain batched ``UNWIND … MERGE`` (and ``… CREATE``) and
its offline ``neo4j-admin database import``, plain NetworkX and plain pyvis;
and the place resolution rate and the CLI's start. Every step runs in a
process of its own (``benchmarks/steps.py``) that reports its time and peak
memory. The table is printed, the figures are written as JSON to
``benchmarks/results/`` (``latest-SCALE.json`` is kept per scale) and into
BENCHMARKS.md, between this suite's markers (other sections stay as they are).

Neo4j: ``--neo4j`` (default ``$LINKGRAPH_BENCH_NEO4J_URI`` or
bolt://127.0.0.1:7687) with ``NEO4J_PASSWORD``; THE DATABASE IS EMPTIED.
With ``NEO4J_HOME`` set to that server's home (``scripts/neo4j``), the
offline import is measured too (the server is stopped and started again).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
MARKDOWN = REPO / "BENCHMARKS.md"
BEGIN, END = "<!-- benchmarks/run.py: begin -->", "<!-- benchmarks/run.py: end -->"
EXAMPLE_CASE = REPO / "examples" / "jia_county" / "case.yaml"
SCALES: dict[str, dict[str, Any]] = {
    "county": {"title": "佳县 Jia County", "roster": None, "sources": [str(EXAMPLE_CASE)],
               "synth": ["--county", "610828"], "scope": ("county", "610828")},
    "province": {"title": "陕西省 Shaanxi", "roster": ("province", "61"), "sources": [str(EXAMPLE_CASE)],
                 "synth": ["--province", "61"], "scope": ("province", "61")},
    "national": {"title": "全国 national", "roster": ("all", None), "sources": [str(EXAMPLE_CASE)],
                 "synth": ["--all", "--density", "2"], "scope": ("all", None)},
}
TIMEOUT = {"county": 600, "province": 1200, "national": 2400}
"""Seconds a step may take before it is stopped and reported as over the limit."""
DRAW_TIMEOUT = {"county": 300, "province": 300, "national": 180}
"""The same for the report and the map (other work reshapes them; past this they are reported as over)."""
PYVIS_MAX_NODES = 30_000
"""Plain pyvis is quadratic in nodes (10k: 83 s): larger graphs are not drawn as its anchor."""
MEMORY_TARGET_MB = 4096


ANCHOR_ENV = {"LINKGRAPH_BUFFER_POOL_MB": "3072"}
"""The anchors read the whole embedded store at once (a national one does not fit the default 1 GB page cache)."""


def run_step(name: str, timeout: float, env: dict[str, str] | None = None, **arguments: Any) -> dict[str, Any]:
    """Run one step of benchmarks/steps.py in its own process; its figures, or why there are none."""
    started, load = time.perf_counter(), os.getloadavg()[0]
    try:
        done = subprocess.run([sys.executable, "-m", "benchmarks.steps", name, json.dumps(arguments)], cwd=REPO,
                              capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    if done.returncode:
        lines = (done.stderr or done.stdout).strip().splitlines() or ["no output"]
        return {"error": lines[-1][:300], "seconds_until_error": time.perf_counter() - started}
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "load_average": [load, os.getloadavg()[0]]}


def synthetic(scale: str, work: Path) -> list[str]:
    """The scale's synthetic tables (written once, then reused: the seed fixes them)."""
    folder = work / "synth" / scale
    files = [folder / "organizations.csv", folder / "ties.csv"]
    if not all(f.exists() for f in files):
        subprocess.run([sys.executable, str(REPO / "benchmarks" / "synth.py"), *SCALES[scale]["synth"],
                        "--out", str(folder)], cwd=REPO, check=True, capture_output=True)
    return [str(f) for f in files]


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


WARM_UP_SCALE = {"national": "province"}
"""The untimed load that warms Neo4j before a scale's timed ones: the scale's own, nationally 陕西省's."""


def warm_neo4j(scale: str, spec: str, work: Path) -> None:
    """One untimed load of ``scale`` into Neo4j, then the database emptied. A server compiles a statement,
    and its JVM the code under it, the first times they run: measured on a fresh server, 陕西省's roster took
    18.7 s of server CPU and its tables 19.5 s, each 2.0–3.3 s once the server had run them. The anchors run
    after the loads, on a warm server; warmed first, the timed loads meet the same server as their anchors."""
    config, limit = SCALES[scale], TIMEOUT[scale]
    say(f"  {scale} neo4j: warm-up load (not timed)")
    run_step("clear", limit, store=spec)
    if config["roster"]:
        run_step("load_roster", limit, store=spec, level=config["roster"][0], value=config["roster"][1])
    run_step("load", limit, store=spec, sources=[*config["sources"], *synthetic(scale, work)])
    run_step("clear", limit, store=spec)


def measure_store(scale: str, store: str, spec: str, work: Path, repeat: int) -> dict[str, Any]:
    """First load, reload unchanged, queries, report and map of one scale in one store."""
    config, limit = SCALES[scale], TIMEOUT[scale]
    sources = [*config["sources"], *synthetic(scale, work)]
    out: dict[str, Any] = {}
    if store == "neo4j":
        warm_neo4j(WARM_UP_SCALE.get(scale, scale), spec, work)
    else:
        for leftover in Path(spec).parent.glob(Path(spec).name + "*"):
            leftover.unlink()
    for phase in ("load", "reload"):
        figures: dict[str, Any] = {}
        if config["roster"]:
            say(f"  {scale} {store}: {phase} roster")
            figures["roster"] = run_step("load_roster", limit, store=spec, level=config["roster"][0],
                                         value=config["roster"][1])
        say(f"  {scale} {store}: {phase} {len(sources)} sources")
        figures["sources"] = run_step("load", limit, store=spec, sources=sources)
        out[phase] = figures
    say(f"  {scale} {store}: queries")
    out["queries"] = run_step("queries", limit, store=spec, repeat=repeat, whole=scale == "national")
    say(f"  {scale} {store}: report and map")
    out["report"] = run_step("report", DRAW_TIMEOUT[scale], store=spec, out=str(work / scale / store / "report"))
    out["map"] = run_step("make_map", DRAW_TIMEOUT[scale], store=spec, out=str(work / scale / store / "map.html"))
    if store == "embedded":
        say(f"  {scale} {store}: queries as commands")
        out["commands"] = run_step("query_commands", limit, store=spec, repeat=max(repeat, 5))
    return out


def measure_scale(scale: str, stores: list[str], work: Path, neo4j: str, repeat: int) -> dict[str, Any]:
    embedded = str(work / scale / "embedded.lbug")
    specs = {"embedded": embedded, "neo4j": neo4j}
    (work / scale).mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"scale": scale, "title": SCALES[scale]["title"], "stores": {}}
    for store in stores:
        result["stores"][store] = measure_store(scale, store, specs[store], work, repeat)
    limit = TIMEOUT[scale]
    source = embedded if "embedded" in stores else neo4j
    admin_folder = str(work / scale / "neo4j-admin") if "neo4j" in stores else None
    anchors: dict[str, Any] = {}
    # Exporting the national store at once takes about 10 GB (killed here by the kernel on a shared
    # machine): nationally, the anchors are built from the roster and the sources instead.
    stores_for_export = [] if scale == "national" else stores
    if scale == "national":
        say(f"  {scale}: anchors on every record, built (COPY, NetworkX{', UNWIND' if 'neo4j' in stores else ''})")
        level, value = SCALES[scale]["roster"]
        whole = run_step("anchors_whole", limit, env=ANCHOR_ENV, level=level, value=value, folder=str(work / scale),
                         sources=[*SCALES[scale]["sources"], *synthetic(scale, work)],
                         neo4j=neo4j if "neo4j" in stores else None)
        anchors["embedded"] = whole
        if "unwind" in whole:
            anchors["unwind"] = {**whole["unwind"], "rows": whole["rows"]}
            run_step("clear", limit, store=neo4j)
    if stores_for_export:
        say(f"  {scale}: anchors (COPY, NetworkX, pyvis{', neo4j-admin files' if admin_folder else ''})")
        anchors["embedded"] = run_step("anchors_embedded", limit, env=ANCHOR_ENV, store=source,
                                       folder=str(work / scale), pyvis_max_nodes=PYVIS_MAX_NODES,
                                       admin_folder=admin_folder)
    if "neo4j" in stores_for_export:
        say(f"  {scale}: anchor Neo4j UNWIND")
        anchors["unwind"] = run_step("anchor_unwind", limit, env=ANCHOR_ENV, embedded=source, neo4j=neo4j)
        home = os.environ.get("NEO4J_HOME")
        if home and "admin_command" in anchors.get("embedded", {}):
            say(f"  {scale}: anchor neo4j-admin import (server stopped and started)")
            anchors["admin"] = run_step("anchor_admin", limit, neo4j=neo4j, neo4j_home=home,
                                        command=anchors["embedded"]["admin_command"])
        run_step("clear", limit, store=neo4j)
    result["anchors"] = anchors
    if SCALES[scale]["roster"]:
        say(f"  {scale}: anchors on the roster alone (COPY, UNWIND, neo4j-admin)")
        level, value = SCALES[scale]["roster"]
        anchors["roster"] = run_step("anchors_roster", limit, level=level, value=value, folder=str(work / scale),
                                     neo4j=neo4j if "neo4j" in stores else None,
                                     neo4j_home=os.environ.get("NEO4J_HOME") if "neo4j" in stores else None)
        if "neo4j" in stores:
            run_step("clear", limit, store=neo4j)
    say(f"  {scale}: place resolution")
    level, value = SCALES[scale]["scope"]
    result["resolve"] = run_step("resolve_places", limit, level=level, value=value, count=20_000)
    shutil.rmtree(work / scale / "neo4j-admin", ignore_errors=True)
    return result


# ------------------------------------------------------------------ figures, targets and the table


def _within(params: dict[str, Any]) -> str:
    return f", within {params['within']}" if params.get("within") else ""


def seconds(figures: dict[str, Any] | None, key: str = "seconds") -> float | None:
    return None if not figures or key not in figures else float(figures[key])


def cpu(figures: dict[str, Any] | None) -> float | None:
    """CPU seconds of a measured piece: its processes', plus the Neo4j server's when that was measured."""
    if not figures or "cpu_seconds" not in figures:
        return None
    return float(figures["cpu_seconds"]) + float(figures.get("server_cpu_seconds", 0.0))


def combined(parts: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Steps run one after another as one (the roster, then the sources): their times added, the highest
    peak, the load average from before the first to after the last; None if one of them has no figures."""
    if not parts or any(seconds(p) is None for p in parts):
        return None
    out = {"seconds": sum(seconds(p) for p in parts), "peak_mb": peak(*parts),
           "load_average": [parts[0].get("load_average", [None])[0], parts[-1].get("load_average", [None, None])[-1]]}
    if all(cpu(p) is not None for p in parts):
        out["cpu_seconds"] = sum(cpu(p) for p in parts)
    return out


def rows_written(figures: dict[str, Any]) -> int:
    return sum(int(f.get("rows_written", 0)) for f in figures.values())


def peak(*figures: dict[str, Any] | None) -> float:
    return max((float(f.get("peak_mb", 0)) for f in figures if f), default=0.0)


class _Lines:
    """The table lines of one scale, added one by one (:func:`lines_of`).

    A line shows what a step cost (``spent``: wall, CPU, peak memory, the load average around it) and, with
    an anchor, what the anchor cost in the same run and the ratio of their CPU times (wall times where a CPU
    time is missing)."""

    def __init__(self, scale: str):
        self.scale, self.national, self.rows = scale, scale == "national", []

    def __call__(self, store: str, what: str, spent: dict[str, Any] | None, *, unit: str = "s", value: float | None = None,
                 anchor: str = "", anchor_spent: dict[str, Any] | None = None, target: str = "",
                 met: bool | None = None, note: str = "") -> None:
        mine, theirs = (cpu(spent), cpu(anchor_spent)) if cpu(spent) and cpu(anchor_spent) else \
            (seconds(spent), seconds(anchor_spent))
        self.rows.append({"scale": self.scale, "store": store, "what": what, "unit": unit,
                          "value": value if value is not None else seconds(spent), "cpu": cpu(spent),
                          "peak_mb": (spent or {}).get("peak_mb"), "load": (spent or {}).get("load_average"),
                          "anchor": anchor, "anchor_cpu": cpu(anchor_spent) or seconds(anchor_spent),
                          "ratio": mine / theirs if mine and theirs else None, "target": target, "met": met,
                          "note": note})


def lines_of(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The scale's figures as table lines: what, store, wall, CPU, memory, anchor, ratio, target and verdict."""
    line = _Lines(result["scale"])
    anchors = result.get("anchors", {})
    for store, figures in result["stores"].items():
        _load_lines(line, store, figures, anchors)
        _query_lines(line, store, figures)
        _output_lines(line, store, figures, anchors)
        _command_lines(line, store, figures.get("commands"))
    _admin_lines(line, anchors)
    _cli_lines(line, result.get("cli"))
    _resolve_line(line, result.get("resolve", {}))
    return line.rows


LOAD_MEMORY_MB = {"county": 1024, "province": 1024, "national": 2560}
"""Peak memory of a load (issue 22): 陕西 anything ≤ 1 GB, the national roster plus 1 M ties ≤ 2.5 GB."""
OTHER_MEMORY_MB = {"county": 1024, "province": 1024, "national": 4096}
"""Peak memory of the report, the map and the queries: ≤ 1 GB in 陕西, the national report ≤ 4 GB."""


def _load_lines(line: _Lines, store: str, figures: dict[str, Any], anchors: dict[str, Any]) -> None:
    """The roster load, the whole load against its anchor, and the reload of unchanged sources."""
    first, again, national = figures["load"], figures["reload"], line.national
    whole, reload = combined(list(first.values())), combined(list(again.values()))
    if store == "embedded":
        anchor, anchor_spent, roster_anchor = "LadybugDB COPY", (anchors.get("embedded") or {}).get("copy"), "copy"
    else:
        anchor, anchor_spent, roster_anchor = "Neo4j UNWIND MERGE", anchors.get("unwind"), "unwind"
    if "roster" in first:
        limit = 60 if store == "embedded" else 180
        roster = cpu(first["roster"])
        line(store, "load roster", first["roster"], anchor=f"{anchor} (roster)",
             anchor_spent=(anchors.get("roster") or {}).get(roster_anchor), target=f"CPU ≤ {limit} s" if national else "",
             met=(roster is not None and roster <= limit) if national else None,
             note=_problem(first["roster"]) or _split({"roster": first["roster"]}))
    target, met = _load_target(line, store, whole, anchor_spent)
    line(store, f"load all ({rows_written(first):,} rows)", whole, anchor=anchor, anchor_spent=anchor_spent,
         target=target, met=met, note=" ".join(filter(None, (_problem(f) for f in first.values()))) or _split(first))
    if store == "neo4j" and (anchor_spent or {}).get("create"):
        line(store, "load all, against the stricter anchor", whole, anchor="Neo4j UNWIND CREATE",
             anchor_spent=anchor_spent["create"], note="no target: shown so that nothing is hidden")
    reload_ratio = cpu(reload) / cpu(whole) if cpu(reload) and cpu(whole) else None
    line(store, "reload unchanged", reload, anchor="first load", anchor_spent=whole, target="≤ 25%",
         met=reload_ratio is not None and reload_ratio <= 0.25)
    memory = peak(*first.values(), *again.values())
    line(store, "peak memory of a load", {"peak_mb": memory}, unit="MB", value=memory,
         target=f"≤ {LOAD_MEMORY_MB[line.scale]:,} MB", met=memory <= LOAD_MEMORY_MB[line.scale])


def _load_target(line: _Lines, store: str, whole: dict[str, Any] | None,
                 anchor_spent: dict[str, Any] | None) -> tuple[str, bool]:
    """The load's target and whether it is met: the CPU time against the anchor's (≤ 2× LadybugDB's COPY in
    a county or province, ≤ 2.5× nationally and ≤ 120 s of CPU; ≤ 1.5× Neo4j's plain UNWIND … MERGE, client and
    server, and nationally ≤ 300 s)."""
    mine, theirs = cpu(whole), cpu(anchor_spent)
    if store == "embedded":
        factor, limit = (2.5, 120) if line.national else (2.0, None)
        target = f"CPU ≤ {limit} s, ≤ {factor:g}× anchor" if limit else f"≤ {factor:g}× anchor"
        within = limit is None or (mine is not None and mine <= limit)
    else:
        factor, limit = 1.5, 300 if line.national else None
        target = f"≤ {limit} s, ≤ {factor:g}× anchor" if limit else f"≤ {factor:g}× anchor"
        within = limit is None or (whole is not None and seconds(whole) <= limit)
    return target, bool(mine and theirs and mine <= factor * theirs and within)


def _query_lines(line: _Lines, store: str, figures: dict[str, Any]) -> None:
    """One line per saved query: its median time (the targets are the embedded store's, at national scale)."""
    aimed = line.national and store == "embedded"
    step = figures["queries"]
    for name, q in sorted(step.get("queries", {}).items()):
        limit = 0.2 if "ego" in name or "path" in name else 1.0
        value = q.get("median")
        spent = {"seconds": value, "cpu_seconds": q.get("cpu_median"), "load_average": step.get("load_average")} \
            if value is not None else None
        line(store, f"query {name}", spent, target=f"≤ {limit:g} s" if aimed else "",
             met=(value is not None and value <= limit) if aimed else None,
             note=q["error"][:90] if "error" in q else f"{q.get('rows', 0):,} rows, first run {q.get('first', 0):.3f} s"
                                                       + _within(q.get("params", {})))


def _output_lines(line: _Lines, store: str, figures: dict[str, Any], anchors: dict[str, Any]) -> None:
    """The report and the map against plain NetworkX and pyvis, and the peak memory of these and the queries."""
    embedded, aimed = anchors.get("embedded") or {}, line.national and store == "embedded"
    report = figures["report"]
    line(store, "report (pipeline)", report, anchor="plain NetworkX", anchor_spent=embedded.get("networkx"),
         target="CPU ≤ 120 s" if aimed else "", met=(cpu(report) is not None and cpu(report) <= 120) if aimed else None,
         note=_problem(report))
    line(store, "map (pipeline)", figures["map"], anchor="plain pyvis", anchor_spent=embedded.get("pyvis"),
         note=_problem(figures["map"]) or ("" if embedded.get("pyvis") else f"pyvis anchor not drawn past {PYVIS_MAX_NODES:,} nodes"))
    for what, steps in (("the report", {"report": report}),
                        ("the map and the queries", {"map": figures["map"], "queries": figures["queries"]})):
        unmeasured = "; ".join(f"{name}: {_problem(step)}" for name, step in steps.items() if _problem(step))
        memory = peak(*steps.values())
        line(store, f"peak memory of {what}", {"peak_mb": memory}, unit="MB", value=memory if memory else None,
             target=f"≤ {OTHER_MEMORY_MB[line.scale]:,} MB", met=None if not memory else memory <= OTHER_MEMORY_MB[line.scale],
             note=f"not measured for {unmeasured}" if unmeasured else "")


def _command_lines(line: _Lines, store: str, step: dict[str, Any] | None) -> None:
    """A question asked as one command (issue 22 item 3): CPU ≤ 0.3 s on the national store."""
    if not step:
        return
    for label, spent in step.get("commands", {}).items():
        line(store, f"a query as a command: {label}", {**spent, "peak_mb": step.get("peak_mb"),
                                                       "load_average": step.get("load_average")},
             target="CPU ≤ 0.3 s" if line.national else "",
             met=cpu(spent) <= 0.3 if line.national else None, note=_problem(step))


def _admin_lines(line: _Lines, anchors: dict[str, Any]) -> None:
    """The offline imports (neo4j-admin) of the roster and of everything, against Neo4j's UNWIND."""
    national = line.national
    roster_admin = (anchors.get("roster") or {}).get("admin")
    if roster_admin:
        line("neo4j", "offline import of the roster (neo4j-admin)", roster_admin,
             anchor="Neo4j UNWIND MERGE of the roster", anchor_spent=anchors["roster"].get("unwind"),
             target="≤ 60 s" if national else "", met=(seconds(roster_admin) or 1e9) <= 60 if national else None,
             note=_problem(roster_admin) or _admin_note(anchors["roster"].get("admin_files"), roster_admin))
    admin = anchors.get("admin")
    if admin:
        line("neo4j", "offline import (neo4j-admin)", admin, anchor="Neo4j UNWIND MERGE", anchor_spent=anchors.get("unwind"),
             target="≤ 60 s" if national else "", met=(seconds(admin) or 1e9) <= 60 if national else None,
             note=_problem(admin) or _admin_note((anchors.get("embedded") or {}).get("admin_files"), admin))


def _admin_note(files: dict[str, Any] | None, admin: dict[str, Any]) -> str:
    return (f"+ files {seconds(files) or 0:.1f} s, start {admin['start_seconds']:.1f} s, "
            f"constraints {admin['schema_seconds']:.1f} s")


def _cli_lines(line: _Lines, cli: dict[str, Any] | None) -> None:
    """How long the command line takes to start, in CPU time: for --help and for a query."""
    if not cli:
        return
    for what, key, imports in (("CLI start: --help", "help", "help_imports"),
                               ("CLI start: a query", "query", "query_imports")):
        spent = {"seconds": cli.get(f"{key}_seconds"), "cpu_seconds": cli.get(f"{key}_cpu_seconds"),
                 "load_average": cli.get("load_average")}
        line("-", what, spent if spent["seconds"] is not None else None, target="CPU ≤ 0.2 s",
             met=cpu(spent) is not None and cpu(spent) <= 0.2,
             note=_problem(cli) or "slowest imports: " + ", ".join(f"{name} {ms:.0f} ms"
                                                                   for name, ms in cli.get(imports, [])[:5]))


def _resolve_line(line: _Lines, resolve: dict[str, Any]) -> None:
    """Place names resolved per second."""
    line("-", "place resolution", resolve or None, unit="places/s", value=resolve.get("per_second"),
         target="≥ 10,000/s", met=(resolve.get("per_second") or 0) >= 10_000,
         note=_problem(resolve) or (f"{resolve.get('right', 0):,} of {resolve.get('places', 0):,} right, "
                                    f"index of {resolve.get('units', 0):,} units built in {resolve.get('index_seconds', 0):.1f} s"))


def _split(figures: dict[str, Any]) -> str:
    """How a load's time divides: reading the sources, then comparing with the store and writing (CPU)."""
    read = sum(f.get("read_cpu_seconds", f.get("read_seconds", 0)) for f in figures.values())
    store = sum(f.get("store_cpu_seconds", f.get("store_seconds", 0)) for f in figures.values())
    return f"CPU of the process: reading {read:.1f} s, comparing and writing {store:.1f} s"


def _problem(figures: dict[str, Any] | None) -> str:
    if not figures:
        return "not run"
    if "timeout" in figures:
        return f"stopped after {figures['timeout']:g} s"
    if "error" in figures:
        return f"error: {figures['error']}"
    return ""


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value:.3f} s" if value < 1 else f"{value:.1f} s"
    return f"{value:,.0f} {unit}"


def verdict(line: dict[str, Any]) -> str:
    if line["met"] is None:
        return ""
    if line["met"]:
        return "met"
    return "MISSED" + _by_how_much(line)


def _by_how_much(line: dict[str, Any]) -> str:
    """How far a missed target is: the CPU time and the ratio for a load, else the figure over the bound."""
    target, ratio = line["target"], line["ratio"]
    measured = line["cpu"] if target.startswith("CPU") else line["value"]
    if measured is None:
        return ""
    if "anchor" in target and ratio:
        return f" ({line['cpu']:.0f} s CPU, {ratio:.2f}× anchor)" if line["cpu"] else f" ({ratio:.2f}× anchor)"
    if target.endswith("%"):
        return f" ({ratio:.0%} of it)" if ratio else ""
    bound = float(re.search(r"\d+(\.\d+)?", target.replace(",", "")).group())
    return f" ({measured / bound:.2f}× the target)" if "≤" in target else f" ({measured / bound:.0%} of it)"


def _load_text(load: list[float | None] | None) -> str:
    if not load or None in load:
        return ""
    return f"{load[0]:.1f} → {load[1]:.1f}"


def table_rows(lines: list[dict[str, Any]]) -> list[list[str]]:
    return [[l["scale"], l["store"], l["what"], format_value(l["value"], l["unit"]),
             format_value(l["cpu"], "s") if l["cpu"] is not None else "",
             format_value(l["peak_mb"], "MB") if l["peak_mb"] and l["unit"] != "MB" else "", _load_text(l["load"]),
             l["anchor"], format_value(l["anchor_cpu"], "s") if l["anchor"] else "",
             f"{l['ratio']:.2f}×" if l["ratio"] else "", l["target"], verdict(l), l["note"]] for l in lines]


HEADER = ["scale", "store", "step", "wall", "CPU", "peak memory", "load average", "anchor", "anchor CPU",
          "ratio (CPU)", "target", "verdict", "note"]


def print_table(lines: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(*HEADER, title="linkgraph benchmarks")
    for row in table_rows(lines):
        table.add_row(*row)
    Console(width=200).print(table)


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), platform.processor())
    return (f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def linearity(results: dict[str, dict[str, Any]]) -> list[str]:
    """CPU microseconds per written row of each load at province and national scale, and their ratio."""
    if not {"province", "national"} <= results.keys():
        return ["(needs both the province and the national run)"]
    out = []
    for store in ("embedded", "neo4j"):
        per_row = {}
        for scale in ("province", "national"):
            figures = results[scale]["stores"].get(store, {}).get("load", {})
            for part, f in figures.items():
                if f.get("rows_written") and cpu(f):
                    per_row.setdefault(part, {})[scale] = cpu(f) / f["rows_written"] * 1e6
        for part, both in per_row.items():
            if len(both) == 2:
                out.append(f"- {store}, {part}: {both['province']:.0f} µs of CPU per row in 陕西省, {both['national']:.0f} "
                           f"µs nationally ({both['national'] / both['province']:.2f}×)")
    return out or ["(no load was measured at both sizes)"]


def markdown(results: dict[str, dict[str, Any]]) -> str:
    rows = [row for scale in SCALES if scale in results for row in table_rows(lines_of(results[scale]))]
    text = [BEGIN, "## Scale benchmarks", "",
            "Written by `benchmarks/run.py` (edit the script, not this section). Each scale's figures are from its "
            "latest run; every figure is beside its anchor measured in the same run, on the same records. "
            "`load all` is the roster and the sources together, into an empty store; `reload unchanged` is the "
            "same loads again. A step runs in a process of its own; its peak memory is that process's or that of a "
            "child it forked (the report's writer). CPU is user + system time of the step's processes "
            "(`benchmarks/clock.py`), with Neo4j's the server's added, for the step and for its anchor alike; the "
            "ratio is of CPU times, the targets of issue 22 are CPU times, and the load average is the machine's "
            "before and after the step. Neo4j's server memory is apart (its heap and page cache are set in the "
            "run's command).", ""]
    for scale in SCALES:
        if scale in results:
            r = results[scale]
            text.append(f"- {r['title']}: {r['date']}, `{r['command']}`, on {r['machine']}")
    text += ["", "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    text += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
    text += ["", "### Linear in the size of the data", "",
             "CPU time per written row of each load at two sizes (陕西省 and the country, about 30× more rows):", "",
             *linearity(results), "", END]
    return "\n".join(text)


def write_markdown(section: str) -> None:
    """Put the suite's section into BENCHMARKS.md, leaving every other section as it is."""
    old = MARKDOWN.read_text(encoding="utf-8") if MARKDOWN.exists() else "# Benchmarks\n"
    if BEGIN in old and END in old:
        new = old[: old.index(BEGIN)] + section + old[old.index(END) + len(END):]
    else:
        new = old.rstrip("\n") + "\n\n" + section + "\n"
    MARKDOWN.write_text(new, encoding="utf-8")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="county,province", help="county, province, national (default: county,province)")
    parser.add_argument("--stores", default="embedded,neo4j", help="embedded, neo4j (default: both)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each query and CLI start (median; default 3)")
    parser.add_argument("--neo4j", default=os.environ.get("LINKGRAPH_BENCH_NEO4J_URI", "bolt://127.0.0.1:7687"),
                        help="the Neo4j to measure; its database is emptied")
    parser.add_argument("--work", type=Path, default=REPO / "benchmarks" / "work", help="stores and files of the run")
    parser.add_argument("--no-markdown", action="store_true", help="do not update BENCHMARKS.md")
    args = parser.parse_args(argv)
    args.scales = [s for s in args.scales.split(",") if s]
    args.stores = [s for s in args.stores.split(",") if s]
    unknown = [s for s in args.scales if s not in SCALES] + [s for s in args.stores if s not in ("embedded", "neo4j")]
    if unknown:
        parser.error(f"unknown scale or store: {', '.join(unknown)}")
    return args


def compile_modules() -> None:
    """Compile linkgraph's modules first, as an install holds them (``scripts/setup-venv`` writes them): where
    ``PYTHONDONTWRITEBYTECODE`` is set, every step's process would otherwise compile them anew (about 0.5 s of
    CPU on a county reload), a cost no user pays."""
    import compileall

    compileall.compile_dir(REPO, quiet=1, rx=re.compile(r"(^|/)\.(venv|git)/|(^|/)benchmarks/work/"))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    compile_modules()
    command = "python benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    results = {}
    for path in RESULTS.glob("latest-*.json"):
        kept = json.loads(path.read_text(encoding="utf-8"))
        results[kept["scale"]] = kept
    for scale in args.scales:
        say(f"{scale}:")
        result = measure_scale(scale, args.stores, args.work, args.neo4j, args.repeat)
        result.update(date=stamp, command=command.strip(), machine=machine(),
                      neo4j_memory={k: os.environ.get(k, "") for k in ("NEO4J_HEAP_SIZE", "NEO4J_PAGECACHE_SIZE")})
        if scale == args.scales[0]:
            say("  CLI start")
            store = str(args.work / scale / "embedded.lbug") if "embedded" in args.stores else args.neo4j
            result["cli"] = run_step("cli_start", 300, store=store, repeat=max(args.repeat, 5))
        results[scale] = result
        text = json.dumps(result, ensure_ascii=False, indent=1, default=str)
        (RESULTS / f"latest-{scale}.json").write_text(text, encoding="utf-8")
        (RESULTS / f"{stamp.replace(' ', 'T').replace(':', '')}-{scale}.json").write_text(text, encoding="utf-8")
    lines = [line for scale in args.scales for line in lines_of(results[scale])]
    print_table(lines)
    if not args.no_markdown:
        write_markdown(markdown(results))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
