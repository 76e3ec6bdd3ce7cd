"""The measured steps of the benchmark suite, each run in a process of its own by ``benchmarks/run.py``.

``python -m benchmarks.steps STEP 'JSON arguments'`` runs one step and prints
one JSON line: its figures (seconds, rows, …) and the process's peak memory
(``peak_mb``, the resident set's high-water mark), so each step's memory is
its own and each starts cold, as a command would.
"""

from __future__ import annotations

import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parents[1]
STEPS: dict[str, Callable[..., dict[str, Any]]] = {}


def step(function: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    STEPS[function.__name__] = function
    return function


def _timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


class _Phases:
    """A progress callback that notes when reading ended: the rest of a load is comparing and writing."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.read_done = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage == "read":
            self.read_done = time.perf_counter() - self.started


def _load_figures(work: Callable[[Any], Any]) -> dict[str, Any]:
    phases = _Phases()
    cpu = time.process_time()
    seconds, loaded = _timed(lambda: work(phases))
    cpu = time.process_time() - cpu
    plan = loaded.report.plan
    return {"seconds": seconds, "cpu_seconds": cpu, "read_seconds": phases.read_done,
            "store_seconds": seconds - phases.read_done,
            "rows_written": plan.rows, "unchanged_sources": len(loaded.report.unchanged_sources),
            "nodes": len(loaded.result.graph.nodes), "ties": len(loaded.result.graph.ties)}


@step
def load_roster(store: str, level: str, value: str | None) -> dict[str, Any]:
    """``linkgraph roster`` through the pipeline."""
    from linkgraph.pipeline import load_roster as run

    return _load_figures(lambda progress: run(level, value, store, progress=progress))


@step
def load(store: str, sources: list[str]) -> dict[str, Any]:
    """``linkgraph load`` through the pipeline."""
    from linkgraph.pipeline import load as run

    return _load_figures(lambda progress: run(sources, store, progress=progress))


QUERY_PARAMS = {"shortest_paths": {"to": "jia:xishan_party_branch"}}
"""Parameters that replace a catalog example: 西山村党支部 is one node in the example's county, but the
synthetic data names a branch after its village, so nationally the name means six nodes (and the query
rightly refuses it); the example's id means the same node at every scale."""


@step
def queries(store: str, repeat: int, whole: bool = False) -> dict[str, Any]:
    """Every named query of the catalog (read now) with its example parameters: median of ``repeat`` runs
    after a first one (whose time is kept too), and the rows it returned. With ``whole``, a query whose example
    names a place (``within``) is timed over the whole store too, as ``NAME, whole store``."""
    from queries.catalog import default_catalog
    from stores import open_store

    figures = {}
    with open_store(store, read_only=True) as source:
        for query in default_catalog().values():
            params = {**{p.name: p.example for p in query.params}, **QUERY_PARAMS.get(query.name, {})}
            runs = [(query.name, params)]
            if whole and params.get("within"):
                runs.append((f"{query.name}, whole store", {**params, "within": None}))
            for label, given in runs:
                try:
                    first, rows = _timed(lambda: source.run_named(query.name, given))
                    times = [_timed(lambda: source.run_named(query.name, given))[0] for _ in range(repeat)]
                    figures[label] = {"first": first, "median": statistics.median(times), "rows": len(rows),
                                      "params": given}
                except Exception as err:  # a query whose example names nothing at this scale
                    figures[label] = {"error": str(err).splitlines()[0][:200], "params": given}
    return {"queries": figures}


@step
def report(store: str, out: str) -> dict[str, Any]:
    from linkgraph.pipeline import report as run

    seconds, _ = _timed(lambda: run(store, out))
    return {"seconds": seconds}


@step
def make_map(store: str, out: str) -> dict[str, Any]:
    from linkgraph.pipeline import make_map as run

    seconds, path = _timed(lambda: run(store, out))
    return {"seconds": seconds, "bytes": Path(path).stat().st_size}


def _export(store: str):
    from stores import open_store

    with open_store(store, read_only=True) as source:
        return source.export(), source.loaded_sources()


@step
def anchors_embedded(store: str, folder: str, pyvis_max_nodes: int, admin_folder: str | None) -> dict[str, Any]:
    """The embedded store's records through LadybugDB ``COPY``, plain NetworkX and plain pyvis (if
    small enough); and the neo4j-admin import files of the same records (when ``admin_folder``)."""
    from benchmarks import anchors
    from graph_model.schema import default_schema
    from stores.neo4j_admin import write_import

    schema = default_schema()
    seconds, (graph, sources) = _timed(lambda: _export(store))
    result: dict[str, Any] = {"export_seconds": seconds, "nodes": len(graph.nodes), "ties": len(graph.ties)}
    result["copy_seconds"] = anchors.ladybug_copy(graph, schema, folder)
    result["networkx_seconds"] = anchors.networkx_degree(graph)
    if len(graph.nodes) <= pyvis_max_nodes:
        result["pyvis_seconds"] = anchors.pyvis_map(graph, folder)
    if admin_folder:
        seconds, files = _timed(lambda: write_import(admin_folder, graph.nodes.values(), graph.ties.values(),
                                                     schema=schema, sources=sources))
        result["admin_files_seconds"] = seconds
        result["admin_command"] = files.command()
        result["admin_counts"] = files.counts
    return result


def server_cpu(pid: int | None) -> float:
    """User + system CPU seconds so far of the local process ``pid`` (a Neo4j server's JVM; 0 when unknown)."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@step
def anchor_unwind(embedded: str, neo4j: str, server_pid: int | None = None) -> dict[str, Any]:
    """The embedded store's records into Neo4j by a plain batched ``UNWIND … CREATE`` (replaces its data); with
    the CPU time of this process and (``server_pid``: a local server's JVM) of the server in the timed part."""
    from benchmarks import anchors
    from stores import open_store

    graph, _ = _export(embedded)
    spent: dict[str, float] = {}
    with open_store(neo4j) as target:
        seconds = anchors.neo4j_unwind(target, graph, spent=spent, meter=lambda: {
            "cpu_seconds": time.process_time(), "server_cpu": server_cpu(server_pid)})
        counts = target.counts()
    return {"seconds": seconds, **spent, "rows": sum(counts.values())}


def _roster(level: str, value: str | None, schema):
    """The roster's records, built as ``linkgraph roster`` builds them."""
    from graph_model.records import SourceRef
    from loaders import nbs
    from loaders.roster import roster_graph

    roster = nbs.national_roster()
    units = nbs.scope_units(roster, nbs.parse_scope(roster, level, value))
    return roster_graph(((n, *row) for n, row in enumerate(nbs.unit_rows(units), start=2)), "roster.csv", schema,
                        SourceRef("roster", "roster", "roster.csv"))


@step
def anchors_roster(level: str, value: str | None, folder: str, neo4j: str | None, neo4j_home: str | None) -> dict[str, Any]:
    """The anchors on the roster's records alone, built as ``linkgraph roster`` builds them (no export of
    a store: at national scale that takes about 10 GB): LadybugDB ``COPY``, Neo4j ``UNWIND`` and the
    neo4j-admin import (server stopped and started; its database is replaced)."""
    from benchmarks import anchors
    from graph_model.schema import default_schema
    from stores import open_store
    from stores.neo4j_admin import write_import

    schema = default_schema()
    graph = _roster(level, value, schema)
    result: dict[str, Any] = {"rows": len(graph.nodes) + len(graph.ties),
                              "copy_seconds": anchors.ladybug_copy(graph, schema, folder)}
    if neo4j:
        with open_store(neo4j) as target:
            result["unwind_seconds"] = anchors.neo4j_unwind(target, graph)
        if neo4j_home:
            seconds, files = _timed(lambda: write_import(Path(folder) / "neo4j-admin-roster", graph.nodes.values(),
                                                         graph.ties.values(), schema=schema))
            del graph
            result["admin_files_seconds"] = seconds
            result["admin"] = anchor_admin(neo4j, files.command(), neo4j_home)
    return result


@step
def anchors_whole(level: str, value: str | None, sources: list[str], folder: str, neo4j: str | None) -> dict[str, Any]:
    """The anchors on every record of a first load, the roster's and the sources', built as the load builds
    them rather than exported from the store (nationally an export takes about 10 GB): LadybugDB ``COPY``,
    plain NetworkX and, with ``neo4j``, Neo4j ``UNWIND`` (its data replaced)."""
    from benchmarks import anchors
    from graph_model.schema import default_schema
    from loaders import load_sources
    from loaders.context import Known
    from loaders.reconcile import ADMIN_KINDS
    from stores import open_store

    schema = default_schema()
    graph = _roster(level, value, schema)
    places = [node for node in graph.nodes.values() if node.kind in ADMIN_KINDS]
    known = Known(kind_of=lambda i: graph.nodes[i].kind if i in graph.nodes else None, places=lambda: places)
    stated = load_sources(sources, schema, known=known).graph
    for node in stated.nodes.values():
        graph.add_node(node)
    for tie in stated.ties.values():
        graph.add_tie(tie)
    del stated, places
    result: dict[str, Any] = {"rows": len(graph.nodes) + len(graph.ties),
                              "copy_seconds": anchors.ladybug_copy(graph, schema, folder),
                              "networkx_seconds": anchors.networkx_degree(graph)}
    if neo4j:
        with open_store(neo4j) as target:
            result["unwind_seconds"] = anchors.neo4j_unwind(target, graph)
    return result


@step
def anchor_admin(neo4j: str, command: list[str], neo4j_home: str) -> dict[str, Any]:
    """neo4j-admin's offline import of files written before: stop the server, import, start it, create
    the constraints and indexes (linkgraph's first open), count."""
    from stores import open_store

    script = [str(REPO / "scripts" / "neo4j")]
    env = {**os.environ, "NEO4J_HOME": neo4j_home}
    subprocess.run([*script, "stop"], env=env, check=True, capture_output=True)
    java = ["java", "-cp", f"{neo4j_home}/lib/*", "org.neo4j.server.startup.Neo4jAdminCommand"]
    admin = [*java, *command[1:]]
    try:
        seconds, done = _timed(lambda: subprocess.run(admin, env={**env, "NEO4J_CONF": f"{neo4j_home}/conf"},
                                                      capture_output=True, text=True))
        if done.returncode:
            return {"error": (done.stderr or done.stdout).strip().splitlines()[-1][:300]}
    finally:
        start_seconds, _ = _timed(lambda: subprocess.run([*script, "start"], env=env, check=True, capture_output=True))
    with open_store(neo4j) as target:
        schema_seconds, _ = _timed(target.ensure_schema)
        counts = target.counts()
    return {"seconds": seconds, "start_seconds": start_seconds, "schema_seconds": schema_seconds,
            "rows": sum(counts.values())}


@step
def clear(store: str) -> dict[str, Any]:
    """Empty a Neo4j database before a run (in batches, as a replacing load does)."""
    from graph_model.records import GraphData
    from stores import open_store

    with open_store(store) as target:
        seconds, _ = _timed(lambda: target.write(GraphData(), replace=True))
    return {"seconds": seconds}


@step
def resolve_places(level: str, value: str | None, count: int) -> dict[str, Any]:
    """Places per second through ``loaders.reconcile``: villages of the scope named with their town and
    county (as a table row names them), resolved against an index of the scope's roster built once."""
    from graph_model.records import InputError, SourceRef
    from graph_model.schema import default_schema
    from loaders import nbs
    from loaders.reconcile import PlaceRef, RosterIndex, resolve_place
    from loaders.roster import roster_graph

    roster = nbs.national_roster()
    units = nbs.scope_units(roster, nbs.parse_scope(roster, level, value))
    graph = roster_graph(((n, *row) for n, row in enumerate(nbs.unit_rows(units), start=2)), "roster.csv",
                         default_schema(), SourceRef("roster", "roster", "roster.csv"))
    build_seconds, index = _timed(lambda: RosterIndex(graph))
    villages = [n for n in graph.nodes.values() if n.kind == "Village"]
    chosen = random.Random(1).choices(villages, k=count)
    refs = [PlaceRef("Village", v.props["name_raw"], town=graph.nodes[v.id[:9]].props["name_raw"],
                     county=graph.nodes[v.id[:6]].props["name_raw"]) for v in chosen]
    resolved = right = 0
    started = time.perf_counter()
    for ref, village in zip(refs, chosen):
        try:
            match = resolve_place(index, ref)
        except InputError:
            continue
        resolved += 1
        right += match.node.id == village.id
    seconds = time.perf_counter() - started
    return {"places": count, "seconds": seconds, "per_second": count / seconds, "resolved": resolved,
            "right": right, "index_seconds": build_seconds, "units": len(index)}


@step
def cli_start(store: str, repeat: int) -> dict[str, Any]:
    """``linkgraph --help`` and ``linkgraph query kind_counts`` as a user starts them (median of ``repeat``),
    and the modules that take longest to import for ``--help`` (``python -X importtime``).

    linkgraph's modules are compiled first, as an install holds them (and ``scripts/setup-venv`` writes
    them): where ``PYTHONDONTWRITEBYTECODE`` is set, Python would otherwise compile them anew on every
    start, 45 ms of a query's start that no user pays."""
    import compileall

    compileall.compile_dir(REPO, quiet=1, rx=re.compile(r"(^|/)\.(venv|git)/"))
    linkgraph = str(Path(sys.executable).with_name("linkgraph"))

    def median(args: list[str]) -> float:
        times = []
        for _ in range(repeat):
            seconds, done = _timed(lambda: subprocess.run(args, capture_output=True))
            assert done.returncode == 0, done.stderr
            times.append(seconds)
        return statistics.median(times)

    help_seconds = median([linkgraph, "--help"])
    query_seconds = median([linkgraph, "query", "kind_counts", "--store", store])
    imports = subprocess.run([sys.executable, "-X", "importtime", "-c", "from linkgraph.cli import main; "
                              "import sys; sys.argv=['linkgraph','--help']; main()"],
                             capture_output=True, text=True).stderr
    return {"help_seconds": help_seconds, "query_seconds": query_seconds, "help_imports": _top_imports(imports),
            "query_imports": _query_imports(store)}


def _top_imports(importtime: str, n: int = 8) -> list[tuple[str, float]]:
    """The top-level packages that took longest to import, cumulative milliseconds."""
    totals: dict[str, float] = {}
    for line in importtime.splitlines():
        if not line.startswith("import time:") or "|" not in line or "cumulative" in line:
            continue
        _, cumulative, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
        if not name.startswith(" ") and "." not in name.strip():
            totals[name.strip()] = max(totals.get(name.strip(), 0), int(cumulative) / 1000)
    return sorted(totals.items(), key=lambda item: -item[1])[:n]


def _query_imports(store: str) -> list[tuple[str, float]]:
    code = ("from linkgraph.cli import main; import sys; "
            f"sys.argv=['linkgraph','query','kind_counts','--store',{store!r}]; main()")
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True)
    return _top_imports(done.stderr)


def main(argv: list[str]) -> int:
    name, arguments = argv[0], json.loads(argv[1]) if len(argv) > 1 else {}
    result = STEPS[name](**arguments)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
