"""``linkgraph``: the command line, a thin layer over :mod:`linkgraph.pipeline`."""

from __future__ import annotations

import argparse
import json
import os
import sys
import unicodedata
from typing import Any, Sequence

from graph_model.records import InputError
from graph_model.schema import SchemaError, default_schema
from linkgraph import pipeline
from queries.catalog import QueryError, default_catalog, get_query
from stores import DEFAULT_STORE, StoreError
from visualizations.tables import csv_text, readable_rows

MAX_PROBLEMS = 20
CELL_WIDTH = 48


def _store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        default=os.environ.get("LINKGRAPH_STORE", DEFAULT_STORE),
        help="embedded store file (default: $LINKGRAPH_STORE or %(default)s) or a Neo4j URI such as "
        "bolt://127.0.0.1:7687 (credentials from NEO4J_USER / NEO4J_PASSWORD / NEO4J_DATABASE)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="linkgraph",
        description="Graph of ties between rural organizations (villages, enterprises, cooperatives, "
        "party organizations, assistance units): load, query, report, map.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    load = commands.add_parser("load", help="load roster CSVs and case files into the store",
                               description="Read and check every source, then write them in one transaction: "
                               "on any problem nothing is written.")
    load.add_argument("sources", nargs="+", help="NBS roster .csv or curated case .yaml files")
    load.add_argument("--replace", action="store_true", help="delete what the store holds first (same transaction)")
    _store_option(load)

    query = commands.add_parser("query", help="run a named query, or list them",
                                description="Run a named, parameterized query. Without a name, list the queries.")
    query.add_argument("name", nargs="?", help="query name (omit to list)")
    query.add_argument("params", nargs="*", metavar="PARAM=VALUE", help="parameters, e.g. org=核桃树墕联村党委")
    query.add_argument("--format", choices=("table", "csv", "json"), default="table",
                       help="table (default), csv (UTF-8 with BOM, for Excel) or json (raw values)")
    _store_option(query)

    report = commands.add_parser("report", help="write the centrality report (HTML and CSV)")
    report.add_argument("--out", default="report", help="output folder (default: %(default)s)")
    report.add_argument("--title", default="linkgraph", help="page title")
    _store_option(report)

    map_ = commands.add_parser("map", help="write the interactive offline map (HTML)")
    map_.add_argument("--out", default="map.html", help="output file (default: %(default)s)")
    map_.add_argument("--title", default="linkgraph", help="page title")
    map_.add_argument("--no-admin", action="store_true", help="leave out the administrative hierarchy")
    _store_option(map_)

    demo = commands.add_parser("demo", help="the Jia County example end to end: load, query, report, map")
    demo.add_argument("--out", default="output/jia_county", help="output folder (default: %(default)s)")

    commands.add_parser("schema", help="list the node and tie kinds of the model")
    return parser


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(value: Any) -> str:
    text = "" if value is None else str(value).replace("\n", " ")
    if _width(text) <= CELL_WIDTH:
        return text
    cut = ""
    for ch in text:
        if _width(cut + ch) >= CELL_WIDTH:
            break
        cut += ch
    return cut + "…"


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Rows as aligned columns (CJK characters count double); long cells cut with …."""
    if not rows:
        return "(无结果 no rows)"
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(_width(h), *(_width(row[i]) for row in cells)) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(row) for row in cells)])


def _parse_params(pairs: Sequence[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise QueryError(f"parameter {pair!r} is not PARAM=VALUE / 参数格式应为 名称=值")
        params[key] = value
    return params


def _progress(stage: str, done: int, total: int) -> None:
    if sys.stderr.isatty():
        end = "\n" if done >= total else "\r"
        print(f"写入 writing {done}/{total} rows", end=end, file=sys.stderr, flush=True)


def _print_load(loaded: "pipeline.Loaded", store: str) -> None:
    result, report = loaded.result, loaded.report
    print(f"已读取 read {len(result.graph.nodes)} nodes, {len(result.graph.ties)} ties "
          f"from {', '.join(result.files)} → {store}")
    summary = report.plan.summary()
    verb = "将 would" if report.dry_run else "已 did"
    print(f"{verb} create 新增 {summary['create_nodes']} nodes, {summary['create_ties']} ties; "
          f"update 更新 {summary['update_nodes']} nodes, {summary['update_ties']} ties; "
          f"delete 删除 {summary['delete_nodes']} nodes, {summary['delete_ties']} ties; "
          f"unchanged 未变 {summary['unchanged']}")
    if report.unchanged_sources:
        print("未改动的来源（跳过）unchanged sources, skipped: " + ", ".join(report.unchanged_sources))
    print("库中现有 now in the store: " + ", ".join(f"{k} {v}" for k, v in loaded.counts.items() if v))
    for match in result.conflicts:
        print(f"名称核对 reconciliation: {match.note}")


def _list_queries() -> None:
    for query in default_catalog().values():
        params = " ".join(f"{p.name}=<{p.en}>" if p.required else f"[{p.name}=…]" for p in query.params)
        print(f"{query.name:28} {query.zh} / {query.en}")
        if params:
            example = " ".join(f"{p.name}={p.example}" for p in query.params)
            print(f"{'':28}   params: {params}   e.g. linkgraph query {query.name} {example}")


def _print_schema() -> None:
    schema = default_schema()

    def common(kinds) -> list[str]:
        return [p.name for p in kinds[0].properties if p.stated and all(k.property(p.name) for k in kinds)]

    def own(properties, shared) -> str:
        extra = ", ".join(f"{p.name} ({p.zh})" for p in properties if p.name not in shared and p.stated)
        return f"; also: {extra}" if extra else ""

    node_common, tie_common = common(schema.node_kinds), common(schema.tie_kinds)
    print(f"节点类型 node kinds (every node: {', '.join(node_common)}):")
    for k in schema.node_kinds:
        print(f"  {k.label:18} {k.zh} / {k.en}{own(k.properties, node_common)}")
    print(f"关系类型 tie kinds (every tie: {', '.join(tie_common)}):")
    print("  (linkgraph adds to every node and tie: source, provenance (each source's statement), conflicts "
          "/ 每个节点和关系另有来源、出处和不一致记录)")
    for t in schema.tie_kinds:
        ends = ", ".join(f"{s}->{d}" for s, d in t.endpoints)
        print(f"  {t.type:18} {t.zh} / {t.en}: {ends}{own(t.properties, tie_common)}")


def run(args: argparse.Namespace) -> int:
    if args.command == "load":
        loaded = pipeline.load(args.sources, args.store, replace=args.replace, progress=_progress)
        _print_load(loaded, args.store)
    elif args.command == "query":
        if not args.name:
            _list_queries()
            return 0
        rows = pipeline.run_query(args.store, args.name, _parse_params(args.params))
        if args.format == "json":
            print(json.dumps(rows, ensure_ascii=False, indent=2))
            return 0
        headers, values = readable_rows(get_query(args.name), rows, default_schema())
        if args.format == "csv":
            sys.stdout.buffer.write(csv_text(headers, values).encode("utf-8-sig"))
        else:
            print(format_table(headers, values))
    elif args.command == "report":
        _, files = pipeline.report(args.store, args.out, title=args.title)
        for name, path in files.items():
            print(f"{name}: {path}")
    elif args.command == "map":
        print(f"map: {pipeline.make_map(args.store, args.out, title=args.title, administrative=not args.no_admin)}")
    elif args.command == "demo":
        result = pipeline.demo(args.out, progress=_progress)
        _print_load(result.load, str(result.store))
        print("查询 queries:")
        for name, path in result.queries.items():
            print(f"  {name}: {result.query_rows[name]} rows → {path}")
        top = ", ".join(f"{r['name']} ({r['betweenness']:.3f})" for r in result.report.rows[:3])
        print(f"中介中心性最高 highest betweenness: {top}")
        print(f"无联结的村 villages without ties: {result.report.summary['untied_villages']} "
              f"of {result.report.summary['villages']}")
        print("报告 report: " + ", ".join(str(p) for p in result.report_files.values()))
        print(f"地图 map: {result.map}")
    elif args.command == "schema":
        _print_schema()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except InputError as err:
        print(f"错误 error: {len(err.problems)} problem(s) in the input, nothing was written / 输入有误，未写入任何数据",
              file=sys.stderr)
        for problem in err.problems[:MAX_PROBLEMS]:
            print(f"  {problem}", file=sys.stderr)
        if len(err.problems) > MAX_PROBLEMS:
            print(f"  … {len(err.problems) - MAX_PROBLEMS} more", file=sys.stderr)
        return 2
    except (StoreError, QueryError, SchemaError) as err:
        print(f"错误 error: {err}", file=sys.stderr)
        if isinstance(err, QueryError):
            print("提示 hint: `linkgraph query` lists the queries and their parameters", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as err:
        print(f"错误 error: {err.strerror or err}: {err.filename or ''}", file=sys.stderr)
        print("提示 hint: check the path and that it may be written / 请检查路径及写入权限", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
