"""The measured steps of the benchmark suite, each run in a process of its own by ``benchmarks/run.py``.

``python -m benchmarks.steps STEP 'JSON arguments'`` runs one step and prints
one JSON line: its figures (``seconds`` wall and ``cpu_seconds`` of each
measured piece, rows, …, see :mod:`benchmarks.clock`) and the peak memory
(``peak_mb``, the resident set's high-water mark of the process or of any
child it forked), so each step's memory is its own and each starts cold, as a
command would.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

from benchmarks.clock import measured, peak_mb, process_cpu

REPO = Path(__file__).resolve().parents[1]
STEPS: dict[str, Callable[..., dict[str, Any]]] = {}


def step(function: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    STEPS[function.__name__] = function
    return function


class _Phases:
    """A progress callback that notes when reading ended: the rest of a load is comparing and writing."""

    def __init__(self) -> None:
        self.started, self.cpu_started = time.perf_counter(), process_cpu()
        self.read_done = self.read_cpu = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage == "read":
            self.read_done, self.read_cpu = time.perf_counter() - self.started, process_cpu() - self.cpu_started


def _load_figures(work: Callable[[Any], Any]) -> dict[str, Any]:
    phases = _Phases()
    spent, loaded = measured(lambda: work(phases))
    plan = loaded.report.plan
    return {**spent, "read_seconds": phases.read_done, "store_seconds": spent["seconds"] - phases.read_done,
            "read_cpu_seconds": phases.read_cpu, "store_cpu_seconds": spent["cpu_seconds"] - phases.read_cpu,
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
    """Every named query of the catalog (read now) with its example parameters: the median wall and CPU time
    of ``repeat`` runs after a first one (whose time is kept too), and the rows it returned. With ``whole``, a query whose example
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
                    first, rows = measured(lambda: source.run_named(query.name, given))
                    runs = [measured(lambda: source.run_named(query.name, given))[0] for _ in range(repeat)]
                    figures[label] = {"first": first["seconds"], "rows": len(rows), "params": given,
                                      "median": statistics.median(r["seconds"] for r in runs),
                                      "cpu_median": statistics.median(r["cpu_seconds"] for r in runs)}
                except Exception as err:  # a query whose example names nothing at this scale
                    figures[label] = {"error": str(err).splitlines()[0][:200], "params": given}
    return {"queries": figures}


@step
def report(store: str, out: str) -> dict[str, Any]:
    from linkgraph.pipeline import report as run

    spent, _ = measured(lambda: run(store, out))
    return spent


@step
def make_map(store: str, out: str) -> dict[str, Any]:
    from linkgraph.pipeline import make_map as run

    spent, path = measured(lambda: run(store, out))
    return {**spent, "bytes": Path(path).stat().st_size}


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
    spent, (graph, sources) = measured(lambda: _export(store))
    result: dict[str, Any] = {"export": spent, "nodes": len(graph.nodes), "ties": len(graph.ties)}
    result["copy"] = anchors.ladybug_copy(graph, schema, folder)
    result["networkx"] = anchors.networkx_degree(graph)
    if len(graph.nodes) <= pyvis_max_nodes:
        result["pyvis"] = anchors.pyvis_map(graph, folder)
    if admin_folder:
        spent, files = measured(lambda: write_import(admin_folder, graph.nodes.values(), graph.ties.values(),
                                                     schema=schema, sources=sources))
        result["admin_files"] = spent
        result["admin_command"] = files.command()
        result["admin_counts"] = files.counts
    return result


@step
def anchor_unwind(embedded: str, neo4j: str) -> dict[str, Any]:
    """The embedded store's records into Neo4j by a plain batched ``UNWIND … MERGE``, then ``UNWIND … CREATE``
    (under ``create``; replaces its data)."""
    from benchmarks import anchors
    from stores import open_store

    graph, _ = _export(embedded)
    with open_store(neo4j) as target:
        spent = anchors.neo4j_unwinds(target, graph)
        counts = target.counts()
    return {**spent, "rows": sum(counts.values())}


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
                              "copy": anchors.ladybug_copy(graph, schema, folder)}
    if neo4j:
        with open_store(neo4j) as target:
            result["unwind"] = anchors.neo4j_unwinds(target, graph)
        if neo4j_home:
            spent, files = measured(lambda: write_import(Path(folder) / "neo4j-admin-roster", graph.nodes.values(),
                                                         graph.ties.values(), schema=schema))
            del graph
            result["admin_files"] = spent
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
                              "copy": anchors.ladybug_copy(graph, schema, folder),
                              "networkx": anchors.networkx_degree(graph)}
    if neo4j:
        with open_store(neo4j) as target:
            result["unwind"] = anchors.neo4j_unwinds(target, graph)
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
        spent, done = measured(lambda: subprocess.run(admin, env={**env, "NEO4J_CONF": f"{neo4j_home}/conf"},
                                                      capture_output=True, text=True))
        if done.returncode:
            return {"error": (done.stderr or done.stdout).strip().splitlines()[-1][:300]}
    finally:
        started, _ = measured(lambda: subprocess.run([*script, "start"], env=env, check=True, capture_output=True))
    with open_store(neo4j) as target:
        schema, _ = measured(target.ensure_schema)
        counts = target.counts()
    return {**spent, "start_seconds": started["seconds"], "schema_seconds": schema["seconds"],
            "rows": sum(counts.values())}


@step
def clear(store: str) -> dict[str, Any]:
    """Empty a Neo4j database before a run (in batches, as a replacing load does)."""
    from graph_model.records import GraphData
    from stores import open_store

    with open_store(store) as target:
        spent, _ = measured(lambda: target.write(GraphData(), replace=True))
    return spent


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
    built, index = measured(lambda: RosterIndex(graph))
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
            "right": right, "index_seconds": built["seconds"], "units": len(index)}


def _commands(args_list: dict[str, list[str]], repeat: int) -> dict[str, dict[str, float]]:
    """Each command run ``repeat`` times, interleaved: its median wall and CPU time (the child's, from
    ``getrusage``), so that a busy moment of the machine falls on every command alike."""
    runs: dict[str, list[dict[str, float]]] = {label: [] for label in args_list}
    for _ in range(repeat):
        for label, args in args_list.items():
            spent, done = measured(lambda: subprocess.run(args, capture_output=True))
            assert done.returncode == 0, done.stderr
            runs[label].append(spent)
    return {label: {"seconds": statistics.median(r["seconds"] for r in spent),
                    "cpu_seconds": statistics.median(r["cpu_seconds"] for r in spent)} for label, spent in runs.items()}


def _compiled_linkgraph() -> str:
    """The ``linkgraph`` command, its modules compiled (as :func:`benchmarks.run.compile_modules` does before a
    run; again here for a step run alone)."""
    from benchmarks.run import compile_modules

    compile_modules()
    return str(Path(sys.executable).with_name("linkgraph"))


@step
def cli_start(store: str, repeat: int) -> dict[str, Any]:
    """``linkgraph --help`` and ``linkgraph query kind_counts`` as a user starts them (median of ``repeat``),
    and the modules that take longest to import for ``--help`` (``python -X importtime``)."""
    linkgraph = _compiled_linkgraph()
    figures = _commands({"help": [linkgraph, "--help"],
                         "query": [linkgraph, "query", "kind_counts", "--store", store]}, repeat)
    imports = subprocess.run([sys.executable, "-X", "importtime", "-c", "from linkgraph.cli import main; "
                              "import sys; sys.argv=['linkgraph','--help']; main()"],
                             capture_output=True, text=True).stderr
    return {"help_seconds": figures["help"]["seconds"], "help_cpu_seconds": figures["help"]["cpu_seconds"],
            "query_seconds": figures["query"]["seconds"], "query_cpu_seconds": figures["query"]["cpu_seconds"],
            "help_imports": _top_imports(imports), "query_imports": _query_imports(store)}


QUERY_COMMANDS = {
    "ego_network by name": ["ego_network", "org=佳县县委办公室", "hops=2"],
    "shortest_paths by name": ["shortest_paths", "from=核桃树墕村", "to=联村合作社养牛场"],
    "ego_network by id": ["ego_network", "org=jia:county_committee_office", "hops=2"],
    "shortest_paths by id": ["shortest_paths", "from=610828103224", "to=jia:cattle_farm"],
}
"""Questions a planner asks as single commands (issue 22 item 3), about the example's nodes, which every
scale holds: by name (a name is looked up first) and by id."""


@step
def query_commands(store: str, repeat: int) -> dict[str, Any]:
    """``linkgraph query …`` of :data:`QUERY_COMMANDS` as separate commands: median wall and CPU time."""
    linkgraph = _compiled_linkgraph()
    commands = {label: [linkgraph, "query", *args, "--store", store] for label, args in QUERY_COMMANDS.items()}
    return {"commands": _commands(commands, repeat)}


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
    result["peak_mb"] = peak_mb()
    print(json.dumps(result, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
