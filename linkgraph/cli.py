"""``linkgraph``: the command line, a thin layer over :mod:`linkgraph.pipeline`.

Heavy libraries (NetworkX, PyVis, the stores' drivers) are imported by the
command that needs them, so that ``linkgraph --help`` answers at once.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, NoReturn, Sequence

if TYPE_CHECKING:
    from graph_model.records import InputError, Problem

from stores import DEFAULT_STORE
from linkgraph.answers import (format_table, list_queries, parse_params, print_answer, print_rows, printable, shown,
                               tail_cell, typed_params)
from stores.masking import redact

MAX_PROBLEMS = 20
MAX_TIMEOUT = 86_400
"""The longest ``cypher --timeout``, in seconds (a day): a query is stopped by then, whatever was asked."""


def _bounded(kind: type, low: float, high: float, what: str, zh: str, *, above_low: bool = False):
    """An argparse type: a finite ``kind`` (int or float) from ``low`` (exclusive when ``above_low``) to
    ``high``; anything else (``inf``, ``nan``, ``-1``, ``1e300``, words) is refused with one line."""
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            value = None
        low_ok = value is not None and (value > low if above_low else value >= low)
        if not low_ok or not value <= high:  # (nan compares false both ways: refused)
            bound = f"above {low:g}" if above_low else f"at least {low:g}"
            raise argparse.ArgumentTypeError(f"{zh} / a number {bound} and at most {high:g} is needed, not {text!r}")
        return value
    parse.__name__ = what  # argparse names the type in its message
    return parse


class _Parser(argparse.ArgumentParser):
    """An argument parser whose ``-h`` is described in Chinese and English, like every other option."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self.add_argument("-h", "--help", action="help", help="显示帮助后退出 / show this help and exit")


class _Unbuilt:
    """A command the command line does not name, registered by its name and help alone: its options are not
    built. argparse formats every option as it is added, so building all the commands' options (about 130)
    cost 5-7 ms of CPU at every start, a command's own a tenth of that."""

    def __init__(self, **kwargs: Any) -> None:
        pass

    def _ignore(self, *args: Any, **kwargs: Any) -> "_Unbuilt":
        return self

    add_argument = add_argument_group = add_mutually_exclusive_group = add_subparsers = add_parser = _ignore
    set_defaults = _ignore


class _Commands(argparse._SubParsersAction):
    """The commands; when the command line names one (``wanted``), every other is :class:`_Unbuilt`. Its name
    and help are registered all the same, so that ``linkgraph --help`` and a mistyped command's message list
    every command."""

    wanted: str | None = None

    def add_parser(self, name: str, **kwargs: Any):
        if self.wanted is None or name == self.wanted:
            return super().add_parser(name, **kwargs)
        built, self._parser_class = self._parser_class, _Unbuilt
        try:
            return super().add_parser(name, **kwargs)
        finally:
            self._parser_class = built


def _store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        default=os.environ.get("LINKGRAPH_STORE", DEFAULT_STORE),
        help="数据库：嵌入式文件或 Neo4j 地址 / embedded store file (default: $LINKGRAPH_STORE or %(default)s) or a Neo4j URI "
             "such as bolt://127.0.0.1:7687 (credentials from NEO4J_USER / NEO4J_PASSWORD / NEO4J_DATABASE)",
    )


def _memory_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--memory-limit", metavar="SIZE", type=_memory_size,
                        help="内存上限，超出则分小块写入而不报错 / memory the load may use, e.g. 2G or 800M: it writes in "
                             "smaller chunks with a smaller page cache instead of failing (default: "
                             "$LINKGRAPH_MEMORY_LIMIT, else no limit)")


def _memory_size(text: str) -> str:
    from stores.memory import parse_memory

    try:
        parse_memory(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return text


def _scope_options(parser: argparse.ArgumentParser) -> None:
    part = parser.add_mutually_exclusive_group()
    part.add_argument("--within", metavar="CODE|NAME", help="只看某区划 / only an administrative unit and what is placed "
                                                            "in or tied to it: an NBS code (61, 6108, 610828, "
                                                            "610828111) or a unit's name (佳县, 通镇)")
    part.add_argument("--around", metavar="NAME", help="只看某组织周边 / only an organization and what lies within --hops "
                                                       "ties of it")
    parser.add_argument("--hops", type=int, help="距 --around 的关系步数 / ties from --around (1-3, default 2)")


def _scope(args: argparse.Namespace):
    from linkgraph.pipeline import Scope
    from queries.catalog import QueryError

    if args.hops is not None and not args.around:
        raise QueryError("--hops 须与 --around 同用 / --hops goes with --around NAME")
    return Scope(within=args.within, around=args.around, hops=args.hops or 2)


def _source_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sources", nargs="+", help="名册、案例文件、工作簿和表格 / rosters (.csv), case files (.yaml), workbooks "
                                                   "(.xlsx) and tables (.csv, .tsv)")
    parser.add_argument("--columns", metavar="MAPPING",
                        help="表头与字段的对应 / map table headers to fields: 'HEADER=field,…' or a YAML file of header: "
                             "field lines (keep it beside the data and give it on every load)")
    parser.add_argument("--decisions", metavar="FILE", help="待定名称的决定文件 / answers to unresolved names (from "
                                                            "linkgraph reconcile)")
    parser.add_argument("--title", help="表格来源的标题 / the source title of tables (default: the workbook's 说明 sheet, or "
                                        "the file name)")
    parser.add_argument("--kind", metavar="KIND", help="表格的关系或节点类型（文件名未写明时）/ the tie or node kind of a table whose "
                                                       "name does not say it, e.g. --kind 结对帮扶 (a file name "
                                                       "containing it works too: 结对帮扶名单2023.csv)")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser: of every command, or with ``command`` (the command line's first word) of that
    command alone, the others named but not built (:class:`_Commands`); both parse that command's line alike."""
    parser = _Parser(
        prog="linkgraph",
        description="农村组织联结图谱：载入、查询、报告、地图 / Graph of ties between rural organizations (villages, enterprises, "
                    "cooperatives, party organizations, assistance units): load, query, report, map.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser,
                                     action=_Commands)
    commands.wanted = command

    load = commands.add_parser("load", help="载入名册、案例文件和表格 / load rosters, case files and planners' tables into the "
                                            "store",
                               description="读取并检查所有来源，有任何问题则不写入 / Read and check every source, compare with what "
                                           "the store holds, then write the changes in one transaction: on any "
                                           "problem nothing is written.")
    _source_options(load)
    load.add_argument("--replace", action="store_true", help="先清空数据库（同一事务）/ delete what the store holds first (same "
                                                             "transaction)")
    load.add_argument("--dry-run", action="store_true", help="只检查和比较，不写入 / check and compare, write nothing")
    load.add_argument("--new-version", action="store_true",
                      help="库中的同名来源来自另一文件夹时，把这些文件作为它的新版本载入（替换其内容）/ a source whose name the "
                           "store holds from another folder is the new version of it (replaces what it stated)")
    load.add_argument("--keep-valid", action="store_true", help="载入有效的行，列出未载入的 / load the valid rows and list what "
                                                                "was left out")
    load.add_argument("--problems", metavar="FILE.csv", help="把所有问题另存为 CSV / also write every problem to a CSV file "
                                                             "(UTF-8 with BOM)")
    _as_option(load, "载入者 / who loads, recorded with every statement and source (default: the operating system's "
                     "user)")
    load.add_argument("--explain", metavar="NAME", action="append", default=[],
                      help="说明同名组织为何合并或新增 / say why the organizations named NAME are the nodes they are (merged or "
                           "new)")
    _memory_option(load)
    _store_option(load)

    roster = commands.add_parser("roster", help="载入国家统计局 2023 区划名册 / load the NBS 2023 roster of a county, city, "
                                                "province or the country",
                                 description="载入区划单位（随 linkgraph 提供，不联网）/ Load administrative units (2023 NBS "
                                             "division codes, shipped with linkgraph: nothing is fetched) with "
                                             "their province, city and county.")
    scope = roster.add_mutually_exclusive_group(required=True)
    for level in ("county", "city", "province"):
        zh = {"county": "县", "city": "市", "province": "省"}[level]
        scope.add_argument(f"--{level}", metavar="CODE|NAME", action="append" if level == "county" else "store",
                           help=f"{zh}：代码或名称 / a {level} by NBS code or name, e.g. "
                           + {"county": "610828 or 佳县 (repeat it for several: 成华区、蒲江县)", "city": "6108 or 榆林",
                              "province": "61 or 陕西"}[level])
    scope.add_argument("--all", action="store_true", help="全国（665,276 个单位）/ the whole country (665,276 units)")
    roster.add_argument("--replace", action="store_true", help="先清空数据库（同一事务）/ delete what the store holds first "
                                                               "(same transaction)")
    roster.add_argument("--dry-run", action="store_true", help="只比较，不写入 / compare, write nothing")
    _memory_option(roster)
    _store_option(roster)

    reconcile = commands.add_parser("reconcile", help="列出待定名称供核对 / list names that match no unit or several, for a "
                                                      "planner to decide",
                                    description="写出所有未能确定的名称及候选（另有各列为文本的 .xlsx）/ Write every unresolved place or "
                                                "name of the sources, with its candidates and an empty resolve_to "
                                                "column; load again with --decisions FILE.")
    _source_options(reconcile)
    reconcile.add_argument("--out", default="decisions.csv", help="决定文件（另写同名 .xlsx）/ decisions file to write, and a "
                                                                  "workbook of the same name (default: %(default)s)")
    _store_option(reconcile)

    template = commands.add_parser("template", help="生成填报模板 / write the workbook (or CSV folder) a planner fills in")
    template.add_argument("path", help="模板文件或文件夹 / FILE.xlsx, or a folder with --csv")
    template_roster = template.add_mutually_exclusive_group()
    template_roster.add_argument("--roster", help="名册（乡镇下拉列表）/ a roster CSV whose towns become the town drop-down "
                                 "list")
    template_roster.add_argument("--county", metavar="CODE|NAME", help="县：随软件提供的名册中的县，其乡镇为下拉列表 / a county "
                                 "of the shipped roster whose towns become the drop-down list, e.g. 451229 or 大化县")
    template.add_argument("--csv", action="store_true", help="改为写 CSV 文件 / write CSV files into the folder PATH "
                                                             "instead")

    query = commands.add_parser("query", help="运行或列出保存的查询 / run a named query, or list them",
                                description="运行保存的查询；不给名称则列出 / Run a named, parameterized query. Without a name, "
                                            "list the queries.")
    query.add_argument("name", nargs="?", help="查询名称 / query name (omit to list)")
    query.add_argument("params", nargs="*", metavar="PARAM=VALUE", help="参数 / parameters, e.g. org=名称 (NAME); the list shows examples from your store")
    query.add_argument("--format", choices=("table", "csv", "json"), default="table",
                       help="输出格式 / table (default), csv (UTF-8 with BOM, for Excel) or json (raw values)")
    query.add_argument("--cypher", action="store_true",
                       help="输出可粘贴到 Neo4j Browser 的文字 / print the query as Neo4j Browser runs it (:param lines, "
                            "then the Cypher) instead of running it")
    _store_option(query)

    cypher = commands.add_parser("cypher", help="运行自己的 Cypher 查询（默认只读）/ run your own Cypher query (read-only unless "
                                                "--write)",
                                 description="运行 Cypher 查询，默认只读 / Run an ad hoc Cypher query. It is read-only "
                                             "unless --write is given (the store enforces it); files are out of "
                                             "reach; at most --limit rows are shown.")
    cypher.add_argument("text", nargs="?", help="查询文字 / the query (Cypher text; the README has examples)")
    cypher.add_argument("--file", help="从文件读取查询 / read the query from a file instead")
    cypher.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="参数 / a parameter: NAME=text, NAME:int=2022, NAME:float=0.5 or NAME:json=[1,2] "
                             "(repeatable)")
    cypher.add_argument("--write", action="store_true", help="允许修改数据（无来源记录）/ allow the query to change the store "
                                                             "(no source records it)")
    cypher.add_argument("--limit", type=_bounded(int, 0, 10**9, "--limit", "行数须为 0 或正整数"), default=1000,
                        help="最多显示行数 / most rows to show (default %(default)s; 0 for all)")
    cypher.add_argument("--timeout", type=_bounded(float, 0, MAX_TIMEOUT, "--timeout", "超时秒数须为正数且有限", above_low=True),
                        default=30.0, help=f"超时秒数 / seconds before the query is stopped (default %(default)s, at most "
                                           f"{MAX_TIMEOUT})")
    cypher.add_argument("--format", choices=("table", "csv", "json", "jsonl"), default="table",
                        help="输出格式 / table (default), csv (UTF-8 with BOM), json or jsonl (one JSON object per line)")
    _store_option(cypher)

    shell = commands.add_parser("shell", help="交互式查询，数据库只打开一次 / a prompt for many questions: named queries and "
                                              "read-only Cypher, the store opened once",
                                description="打开数据库（只读）后逐行回答：保存的查询、只读 Cypher、list、help；exit 或 Ctrl-D 退出 / "
                                            "Open the store once (read-only) and answer line by line: NAME "
                                            "key=value runs a named query, cypher TEXT an ad hoc read-only query, "
                                            "list and help say what there is; exit or Ctrl-D leaves. An error is "
                                            "said in one line and the prompt goes on.")
    _store_option(shell)

    _sources_parser(commands)

    report = commands.add_parser("report", help="生成网络报告 / write the network report (HTML, workbook, CSVs, Gephi "
                                                "files)",
                                 description="谁把网络连在一起、谁在乡镇间牵线、某伙伴退出会断开什么 / Who holds the network together, who "
                                             "brokers between towns, what breaks if one partner leaves, coverage "
                                             "recorded against claimed: report.html, report.xlsx, one CSV per "
                                             "table, and network.graphml (Gephi; linkgraph export writes GEXF).")
    report.add_argument("--out", default="report", help="输出文件夹 / output folder (default: %(default)s)")
    report.add_argument("--title", default="linkgraph", help="页面标题 / page title")
    when = report.add_mutually_exclusive_group()
    when.add_argument("--as-of", metavar="DATE", type=_date, help="截至某日 / only ties that hold on DATE (2022, "
                                                                  "2022-06 or 2022-12-31: the end of the year or "
                                                                  "month)")
    when.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"), type=_date,
                      help="比较两个日期 / new and ended ties and rank changes between two dates, e.g. --compare 2021 2023")
    report.add_argument("--weighted-communities", action="store_true",
                        help="社群按所代表的组织数加权 / communities with ties weighted by the organizations an aggregate "
                             "node stands for (default: unweighted, each tied pair counts once)")
    _scope_options(report)
    _store_option(report)

    export = commands.add_parser("export", help="导出网络（Gephi 等）/ write the network with its measures for Gephi "
                                                "(GEXF, GraphML, CSV), or the graph as neo4j-admin import files")
    export.add_argument("--format", choices=("gexf", "graphml", "csv", "neo4j-admin"), default="gexf",
                        help="导出格式 / gexf (default), graphml, csv (nodes.csv and edges.csv in the folder --out), or "
                             "neo4j-admin: the whole graph as files for Neo4j's offline import, and the command to "
                             "run")
    export.add_argument("--out", help="输出文件或文件夹 / output file or folder (default: network.gexf, network.graphml, "
                                      "network/, neo4j-import/)")
    export.add_argument("--as-of", metavar="DATE", type=_date, help="截至某日 / only ties that hold on DATE (not "
                                                                    "neo4j-admin)")
    _scope_options(export)
    _store_option(export)

    map_ = commands.add_parser("map", help="生成离线交互地图 / write the interactive offline map (HTML)")
    map_.add_argument("--out", default="map.html", help="输出文件 / output file (default: %(default)s)")
    map_.add_argument("--title", default="linkgraph", help="页面标题 / page title")
    map_.add_argument("--no-admin", action="store_true", help="不画区划层级 / leave out the administrative hierarchy")
    _scope_options(map_)
    _store_option(map_)

    serve = commands.add_parser("serve", help="在浏览器中查看地图、查询和报告 / explore in a browser: the map, the saved queries, "
                                              "the report (local web app)",
                                description="本机网页应用，只读 / A local web app on http://127.0.0.1:PORT/ (this machine "
                                            "only): the map, the saved queries as forms (tables, CSV and Excel, "
                                            "shown on the map), the report and a page per node. It only reads the "
                                            "store. Ctrl+C stops it.")
    serve.add_argument("--port", type=_bounded(int, 0, 65535, "--port", "端口须为 0–65535"), default=8765,
                       help="端口 / port on 127.0.0.1 (default: %(default)s)")
    serve.add_argument("--title", default="linkgraph", help="页面标题 / title of the pages")
    serve.add_argument("--cache", metavar="DIR", help="报告缓存文件夹 / folder for the report it writes (default: a "
                                                      "temporary folder)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="监听地址，非本机须先建立账户 / address to listen on (default: %(default)s, this machine only; "
                            "another, such as 0.0.0.0, only when accounts exist)")
    serve.add_argument("--certfile", help="证书（TLS）/ TLS certificate (PEM) to serve https")
    serve.add_argument("--keyfile", help="私钥（TLS）/ TLS private key (PEM) of --certfile")
    serve.add_argument("--server-name", action="append", default=[], metavar="NAME",
                       help="网站的域名 / a host name the site is reached by (repeatable; default with --host 0.0.0.0: "
                            "any)")
    _users_option(serve)
    _scope_options(serve)
    _store_option(serve)

    demo = commands.add_parser("demo", help="佳县示例：载入、查询、报告、地图 / the Jia County example end to end: load, query, "
                                            "report, map")
    demo.add_argument("--out", default="output/jia_county", help="输出文件夹 / output folder (default: %(default)s)")

    commands.add_parser("schema", help="列出节点和关系类型 / list the node and tie kinds of the model")
    _users_parser(commands)
    _extract_parser(commands)
    return parser


def _as_option(parser: argparse.ArgumentParser, text: str) -> None:
    parser.add_argument("--as", dest="actor", metavar="NAME", help=text)


def _sources_parser(commands) -> None:
    sources = commands.add_parser("sources", help="列出或撤回库中的来源 / list the sources the store holds (who loaded "
                                                  "each, when, what it states), or withdraw one",
                                  description="不带子命令即列出 / Without a subcommand, list the sources.")
    _store_option(sources)
    actions = sources.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser,
                                     help="子命令：list（默认）或 withdraw / list (the default) or withdraw")
    listing = actions.add_parser("list", help="列出来源 / list the sources: who, when, nodes and ties each states, and how "
                                              "many only it states")
    _store_option(listing)
    withdraw = actions.add_parser("withdraw", help="撤回来源 / withdraw a source: what only it states goes, what others "
                                                   "state too stays",
                                  description="撤回来源：删除只有它记载的节点和关系，其他来源也记载的保留 / Remove what only "
                                              "the source states and keep what others also state (without its "
                                              "statement), in one transaction.")
    withdraw.add_argument("source", help="来源的文件名或标题 / the source's key (file name) or title")
    withdraw.add_argument("--dry-run", action="store_true", help="只列出将删除和保留的内容 / say exactly what would go "
                                                                 "and what stays, write nothing")
    _as_option(withdraw, "撤回者 / who withdraws, for the audit log (default: the operating system's user)")
    _store_option(withdraw)


def _users_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--users", metavar="FILE", help="用户数据库 / the user database (default: STORE.users.sqlite "
                                                        "beside an embedded store; needed with Neo4j)")


def _users_parser(commands) -> None:
    users = commands.add_parser("users", help="团队账户：新增、列出、停用、重设密码 / accounts of a team using serve: add, list, "
                                              "disable, reset",
                                description="账户存放在数据库旁的用户数据库中 / Accounts live in the user database beside the "
                                            "store (or --users FILE). Passwords are asked for (never an argument).")
    actions = users.add_subparsers(dest="action", required=True, metavar="ACTION", parser_class=_Parser,
                                   help="操作 / what to do")
    add = actions.add_parser("add", help="新增账户 / add an account")
    add.add_argument("name", help="账户名 / account name")
    add.add_argument("--role", required=True, choices=("viewer", "editor", "admin"),
                     help="角色 / viewer (reads), editor (also loads and reviews), admin (also manages accounts)")
    reset = actions.add_parser("reset", help="重设密码（并重新启用）/ give an account a new password (and enable it)")
    reset.add_argument("name", help="账户名 / account name")
    disable = actions.add_parser("disable", help="停用账户 / disable an account (its sessions end)")
    disable.add_argument("name", help="账户名 / account name")
    listing = actions.add_parser("list", help="列出账户 / list the accounts")
    for action in (add, reset):
        action.add_argument("--password-stdin", action="store_true",
                            help="从标准输入读取密码（一行）/ read the password from standard input (one line), for scripts")
    for action in (add, reset, disable, listing):
        _users_option(action)
        _store_option(action)


def _extract_parser(commands) -> None:
    extract = commands.add_parser(
        "extract", help="从报道中提取关系，生成待审核的表格 / draft ties from report texts into a workbook a planner reviews",
        description="从报道中提取组织和关系，生成待审核的表格 / Read reports (.txt, .html saved from a browser, .docx; UTF-8, GBK, "
                    "Big5 or UTF-16), "
                    "find the organizations, places and ties they state, and write a draft workbook: one row per "
                    "proposed node and tie with the quote, a confidence, the roster match or candidates and an "
                    "accept column (采纳). Places are resolved in the counties the reports name (or those of the "
                    "towns they name) unless --county, --city or --province says where. Load the accepted rows with "
                    "linkgraph load DRAFT.xlsx.")
    extract.add_argument("files", nargs="+", help="报道文件或文件夹 / report files (.txt, .html, .docx) or folders of them")
    extract.add_argument("--out", default="draft.xlsx", help="草稿工作簿 / the draft workbook to write (default: "
                                                             "%(default)s)")
    extract.add_argument("--roster", metavar="FILE.csv", help="名册 / the roster places are resolved against (default: "
                                                              "the shipped NBS 2023 roster, scoped as below)")
    extract.add_argument("--county", metavar="CODE|NAME", action="append",
                         help="县（随附名册，可多次）/ a county of the shipped roster, e.g. 610828 or 佳县; repeat it for a "
                              "report about several counties; default: the counties the reports name, or those of the "
                              "towns they name")
    extract.add_argument("--city", metavar="CODE|NAME", help="市 / search the reports' counties in this city only "
                                                             "(all of it when they name none), e.g. 成都市 or 5101")
    extract.add_argument("--province", metavar="CODE|NAME", help="省 / search the reports' counties in this province "
                                                                 "only, e.g. 四川 or 51")
    extract.add_argument("--title", help="来源标题 / the source title (default: each report's title and date)")
    extract.add_argument("--accept-above", type=_bounded(float, 0, 1, "--accept-above", "置信度须在 0 到 1 之间"),
                         metavar="CONFIDENCE",
                         help="置信度不低于此值的行预先采纳 / mark rows of at least this confidence (0-1) as accepted (采纳 = 是); "
                              "default: none")


def _extract(args: argparse.Namespace) -> int:
    from graph_model.records import InputError, Problem
    from linkgraph import pipeline

    if args.roster and (args.county or args.city or args.province):
        raise InputError([Problem(None, "--roster 与 --county/--city/--province 只能选一 / --roster and "
                                  "--county/--city/--province exclude each other", "只给其中一个 / give one of them")])
    drafted = pipeline.extract_draft(args.files, args.out, roster=args.roster, county=args.county, city=args.city,
                                     province=args.province, title=args.title, accept_above=args.accept_above)
    if drafted.scope:
        print(f"名册范围 roster scope: {drafted.scope}")
    found = drafted.extraction
    nodes = len({id(p.source) for p in found.proposals} | {id(p.target) for p in found.proposals})
    repairs = sum(len(r) for r in found.repairs)
    print(f"草稿 draft: {len(found.proposals)} ties, {nodes} nodes from {len(found.documents)} report(s), "
          f"{repairs} mojibake repair(s) → {drafted.path}")
    print(f"审核后载入 review (采纳 = 是), then: linkgraph load {drafted.path} --store …")
    return 0


def _date(text: str) -> str:
    """A date argument (2022, 2022-06, 2022-12-31, 2022年6月), checked when parsed."""
    from analysis.network import as_of_day

    try:
        as_of_day(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return text




class _Progress:
    """Progress bars on a terminal (rich), nothing when output goes to a file or pipe."""

    STAGES = {"read": "读取来源 reading sources", "compare": "对比库中数据 comparing with the store",
              "write": "写入 writing"}

    def __init__(self) -> None:
        self._bar = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> "_Progress":
        if sys.stderr.isatty():
            from rich.progress import Progress

            self._bar = Progress(transient=True)
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self._bar is None:
            return
        if stage not in self._tasks:
            self._tasks[stage] = self._bar.add_task(self.STAGES.get(stage, stage), total=max(total, 1))
        self._bar.update(self._tasks[stage], completed=done, total=max(total, 1))


def _columns(value: str | None) -> dict[str, str] | None:
    if not value:
        return None
    from loaders.columns import parse_column_mapping
    from loaders.text import read_text

    import yaml

    from graph_model.records import InputError, Origin, Problem

    is_file = Path(value).is_file()
    text = read_text(value)[0] if is_file else value
    try:
        return parse_column_mapping(text)
    except yaml.YAMLError as err:  # (a mapping written as YAML that is none)
        where = getattr(err, "problem_mark", None)
        raise InputError([Problem(Origin(value if is_file else "--columns", row=where.line + 1 if where else None),
                                  f"列映射不是有效的 YAML / the column mapping is not valid YAML: "
                                  f"{getattr(err, 'problem', None) or err}", "header: field lines, or HEADER=field,…")]) from None


def kind_counts(counts: Mapping[str, int]) -> str:
    """``村/社区 Village 334, 隶属 PART_OF 349 …``: the counts that are not 0, each kind named in Chinese too."""
    from graph_model.schema import default_schema

    schema = default_schema()
    zh = {k.label: k.zh for k in schema.node_kinds} | {t.type: t.zh for t in schema.tie_kinds}
    return ", ".join(f"{zh[k]} {k} {v}" if k in zh else f"{k} {v}" for k, v in counts.items() if v) or "空 empty"


def _print_load(loaded, store: str) -> None:
    result, report = loaded.result, loaded.report
    nodes, ties = result.read_counts()
    print(f"已读取 read {nodes} nodes, {ties} ties "
          f"from {', '.join(result.files)} → {redact(store)}")
    summary = report.plan.summary()
    verb = "将 would" if report.dry_run else "已 did"
    print(f"{verb} create 新增 {summary['create_nodes']} nodes, {summary['create_ties']} ties; "
          f"update 更新 {summary['update_nodes']} nodes, {summary['update_ties']} ties; "
          f"delete 删除 {summary['delete_nodes']} nodes, {summary['delete_ties']} ties; "
          f"unchanged 未变 {summary['unchanged']}")
    if report.unchanged_sources:
        print("未改动的来源（跳过）unchanged sources, skipped: " + ", ".join(report.unchanged_sources))
    if summary["delete_nodes"] or summary["delete_ties"]:
        for row in report.replaced:
            print(f"注意 note: 替换已有的来源“{printable(row['key'])}”（{printable(row.get('loaded_by') or '?')} "
                  f"{row.get('loaded_at') or row.get('loaded') or ''} 载入）：它不再有的内容被删除；若是另一个同名文件，请改名 / "
                  f"replaces the source {printable(row['key'])} already in the store: what it no longer states is "
                  "deleted; if this is another file of the same name, rename it")
    if report.dry_run:
        print("试运行，未写入 dry run: nothing was written")
    print(f"库中现有 now in the store: {kind_counts(loaded.counts)}")
    for note in result.notes:
        print(f"说明 note: {printable(note)}")
    if result.unique_names:
        print(f"说明 note: {len(result.unique_names)} 个村未注明乡镇，按名册中唯一的同名村确定（见各村的 reconciliation）/ "
              f"{len(result.unique_names)} village name(s) without a town resolved as the only village of that name")
    for match in result.conflicts:
        print(f"名称核对 reconciliation: {match.note}")
    for name, identity in result.possible_duplicates:
        print(f"可能重复 possible duplicate: {name}: {identity.reason}")
    if result.left_out:
        print(f"未载入 left out ({len(result.left_out)} problems, --keep-valid):")
        for problem in result.left_out[:MAX_PROBLEMS]:
            print(f"  {printable(problem)}")


def _write_problems(path: str, problems: Sequence["Problem"]) -> None:
    from visualizations.tables import csv_text, write_excel_csv

    headers = ["文件 file", "工作表 sheet", "行 row", "列 column", "问题 problem", "提示 hint"]
    rows = [[p.origin.file if p.origin else "", p.origin.sheet or "" if p.origin else "",
             p.origin.row if p.origin and p.origin.row is not None else "",
             (getattr(p.origin, "label", None) or p.origin.column or p.origin.key or "") if p.origin else "", p.message,
             p.hint] for p in problems]
    write_excel_csv(path, csv_text(headers, rows))


def _print_schema() -> None:
    from graph_model.schema import default_schema

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


def _load(args: argparse.Namespace) -> int:
    from graph_model.records import InputError
    from linkgraph import pipeline

    from stores.memory import limited

    options = dict(columns=_columns(args.columns), decisions=args.decisions, title=args.title, kind=args.kind)
    try:
        with _Progress() as progress, limited(args.memory_limit):
            loaded = pipeline.load(args.sources, args.store, replace=args.replace, progress=progress,
                                   keep_valid=args.keep_valid, dry_run=args.dry_run, loaded_by=args.actor,
                                   waiting=_waiting, new_version=args.new_version, **options)
    except InputError as err:
        if args.problems:
            _write_problems(args.problems, err.problems)
        raise
    _print_load(loaded, args.store)
    for name in args.explain:
        found = loaded.result.explain(name)
        print(f"说明 explain {name}: " + ("" if found else "无此名称 / no organization of these sources has that name"))
        for found_name, identity in found:
            print(f"  {found_name} → {identity.id}: {identity.reason}")
    if args.problems:
        _write_problems(args.problems, loaded.result.left_out)
    return 0


def _cypher(args: argparse.Namespace) -> int:
    from linkgraph import pipeline
    from queries.catalog import QueryError

    if bool(args.text) == bool(args.file):
        raise QueryError("请给出查询文字或 --file（二者选一）/ give the query as text or with --file, not both or neither")
    text = args.text
    if args.file:
        from loaders.text import read_text

        text = read_text(args.file)[0]
    answer = pipeline.cypher(args.store, text, typed_params(args.param), write=args.write,
                             limit=args.limit or None, timeout=args.timeout or None)
    print_answer(answer, args.format)
    if answer.truncated:
        print(f"只显示前 {args.limit} 行 only the first {args.limit} rows are shown (--limit)", file=sys.stderr)
    return 0


def _roster(args: argparse.Namespace) -> int:
    from linkgraph import pipeline

    level, value = next(((lvl, getattr(args, lvl)) for lvl in ("county", "city", "province") if getattr(args, lvl)),
                        ("all", None))
    from stores.memory import limited

    values = value if isinstance(value, list) else [value]  # --county may be repeated: each county in turn
    for number, one in enumerate(values):
        with _Progress() as progress, limited(args.memory_limit):
            loaded = pipeline.load_roster(level, one, args.store, replace=args.replace and number == 0,
                                          progress=progress, dry_run=args.dry_run, waiting=_waiting)
        _print_load(loaded, args.store)
    return 0


def _reconcile(args: argparse.Namespace) -> int:
    from linkgraph import pipeline
    from loaders.decisions import headers, write_decisions_workbook
    from visualizations.tables import csv_text, write_excel_csv

    rows, checked = pipeline.reconcile(args.sources, args.store, columns=_columns(args.columns),
                                       decisions=args.decisions, title=args.title, kind=args.kind)
    if not checked:  # an extract draft none of whose rows is accepted: no decisions file, which would say all is well
        print("草稿中没有已采纳的行，未检查任何名称 / no accepted row in the draft (nor any other row to load): nothing "
              "was checked (提示 hint: 在草稿的“采纳”列对要载入的行填“是”，再运行 reconcile / mark the rows to load 是 in "
              "the draft's 采纳 column, then run reconcile again)")
        return 0
    out = Path(args.out)
    workbook = write_decisions_workbook(out.with_suffix(".xlsx"), headers(), rows)
    if out.suffix.lower() != ".xlsx":
        write_excel_csv(out, csv_text(headers(), rows))
    print(f"在 Excel 中请打开 {workbook}（各列为文本，编码不会变成 6.10828E+11）/ in Excel, open {workbook}: its columns "
          "are text, so typed codes stay codes")
    if rows:
        print(f"{len(rows)} 个待定名称 unresolved references → {args.out}; fill in resolve_to (and 说明 resolution "
              f"where the unit is elsewhere or named otherwise), then: linkgraph load … --decisions {workbook}")
    else:
        print(f"全部名称已确定 every name resolves; {args.out} lists none")
    return 0


def _template(args: argparse.Namespace) -> int:
    from graph_model.records import InputError, Problem
    from graph_model.schema import default_schema

    from loaders.template import roster_towns, template_place, write_csv_template, write_template

    schema = default_schema()
    if args.csv:
        for path in write_csv_template(args.path, schema):
            print(path)
        return 0
    towns: list[str] = []
    place = None
    if args.roster and not os.path.exists(args.roster) and args.roster.isdigit():
        raise InputError([Problem(None, f"--roster {args.roster}：没有此名册文件 / no roster file of that name",
                                  f"县代码请用 / for a county of the shipped roster use --county {args.roster}")])
    if args.roster or args.county:
        from linkgraph.pipeline import roster_units

        town = schema.level_kind("town")
        units = roster_units(schema, roster=args.roster, county=args.county)
        towns = roster_towns(n.name for n in units if n.kind == town)
        place = template_place(units, schema)
    print(f"模板 template: {write_template(args.path, schema, towns, place)}")
    return 0


def _waiting(message: str) -> None:
    """Say on stderr that a write waits for another writer of the store."""
    print(f"等待 waiting: {printable(message)}", file=sys.stderr, flush=True)


def _shell(args: argparse.Namespace) -> int:
    from linkgraph.pipeline import Session
    from linkgraph.shell import run_shell

    with Session(args.store) as session:
        return run_shell(session)


def _sources(args: argparse.Namespace) -> int:
    from linkgraph import pipeline

    if args.action == "withdraw":
        return _withdraw(args)
    rows = pipeline.sources(args.store)
    headers = ["来源 title", "文件 key", "文件夹 folder", "类型 kind", "载入者 by", "载入 loaded", "节点 nodes",
               "仅此来源 only it", "关系 ties", "仅此来源 only it", "完整 complete"]
    print(format_table(headers, [[r["title"], r["key"], tail_cell(r["folder"] or ""), r["kind"], r["loaded_by"] or "",
                                  r["loaded_at"] or r["loaded"],
                                  r["nodes_stated"], r["nodes_sole"], r["ties_stated"], r["ties_sole"],
                                  "是 yes" if r["complete"] else "否 no (run the load again)"] for r in rows]))
    return 0


WITHDRAWN_SHOWN = 200
"""Nodes and ties a withdrawal lists one by one (the counts are always whole)."""


def _withdraw(args: argparse.Namespace) -> int:
    from linkgraph import pipeline

    with _Progress() as progress:
        withdrawal = pipeline.withdraw(args.store, args.source, dry_run=args.dry_run, by=args.actor, waiting=_waiting,
                                       progress=progress)
    for line in withdrawal_lines(withdrawal):
        print(line)
    return 0


def withdrawal_lines(withdrawal) -> list[str]:
    """What a withdrawal did (or would do), as lines: the counts, then every node and tie that goes and stays."""
    summary, verb = withdrawal.summary(), "将 would" if withdrawal.dry_run else "已 did"
    lines = [f"来源 source {printable(withdrawal.source.get('title'))} ({printable(withdrawal.key)}), "
             f"载入者 loaded by {printable(withdrawal.source.get('loaded_by') or '?')}",
             f"{verb} delete 删除 {summary['delete_nodes']} nodes, {summary['delete_ties']} ties (only it states them); "
             f"keep 保留 {summary['keep_nodes']} nodes, {summary['keep_ties']} ties (others state them too)"]
    names = {node_id: name for _, node_id, name in withdrawal.gone_nodes() + withdrawal.kept_nodes()}
    sections = [("删除 delete node", [f"{kind} {node_id} {name}" for kind, node_id, name in withdrawal.gone_nodes()]),
                ("删除 delete tie", [_tie_text(t, names) for t in withdrawal.gone_ties()]),
                ("保留 keep node", [f"{kind} {node_id} {name}" for kind, node_id, name in withdrawal.kept_nodes()]),
                ("保留 keep tie", [_tie_text(t, names) for t in withdrawal.kept_ties()])]
    for label, items in sections:
        lines += [f"  {label}: {printable(item)}" for item in items[:WITHDRAWN_SHOWN]]
        if len(items) > WITHDRAWN_SHOWN:
            lines.append(f"  … {len(items) - WITHDRAWN_SHOWN} more {label}")
    for (type_, src, dst), keys in withdrawal.blocked:
        lines.append(f"  不能撤回 blocked: {type_} {printable(src)}→{printable(dst)} is stated by "
                     f"{printable(', '.join(keys))} and ends at a node only this source states")
    if withdrawal.dry_run:
        lines.append("试运行，未写入 dry run: nothing was written")
    return lines


def _tie_text(tie: tuple[str, str, str], names: Mapping[str, str]) -> str:
    type_, src, dst = tie
    return f"{type_} {src} {names.get(src, '')} → {dst} {names.get(dst, '')}".replace("  ", " ")


def _serve(args: argparse.Namespace) -> int:
    import tempfile

    from linkgraph.accounts import AccountError
    from linkgraph.serve import Listening, plain_http_warning, serve
    from linkgraph.userdb import UserDB, default_path

    if bool(args.certfile) != bool(args.keyfile):
        print("错误 error: --certfile 与 --keyfile 须同时给出 / --certfile and --keyfile go together", file=sys.stderr)
        return 2
    users = default_path(args.store, args.users)
    listening = Listening(args.host, args.port, args.certfile, args.keyfile, users, tuple(args.server_name))

    def ready(url: str) -> None:
        team = bool(users and UserDB(users).has_accounts())
        mode = (f"编辑可载入 editors load into: {redact(args.store)}; 须登录 sign-in: {users}" if team
                else f"只读 read-only: {redact(args.store)}")  # (with accounts, editors and admins write)
        warning = plain_http_warning(args.host, bool(args.certfile))
        if warning:
            print(warning, file=sys.stderr, flush=True)
        print(f"浏览 open {url} （{mode}; Ctrl+C 停止 to stop）", flush=True)

    with tempfile.TemporaryDirectory(prefix="linkgraph-serve-") as temporary:
        try:
            serve(args.store, cache=args.cache or temporary, title=args.title, scope=_scope(args), ready=ready,
                  listening=listening)
        except AccountError as err:
            print(f"错误 error: {err}", file=sys.stderr)
            return 2
        except OSError as err:
            if err.filename:
                raise
            print(f"错误 error: 端口 {args.port} 不可用 / port {args.port}: {err.strerror or err}", file=sys.stderr)
            print("提示 hint: another program uses it; give another with --port 8766", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            pass
    return 0


def _new_password(from_stdin: bool) -> str:
    """A password read from standard input (one line) or asked for twice at the terminal; never echoed."""
    import getpass

    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("新密码 new password: ")
    if getpass.getpass("再输入一次 again: ") != first:
        from linkgraph.accounts import AccountError

        raise AccountError("两次输入的密码不一致 / the two passwords differ")
    return first


def _cli_actor() -> str:
    """Who changed an account from the command line, for the audit log: ``cli:`` and the login name."""
    import getpass

    try:
        return "cli:" + getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return "cli"


def _users(args: argparse.Namespace) -> int:
    from linkgraph.accounts import AccountError, check_name, check_role
    from linkgraph.userdb import UserDB, default_path

    path = default_path(args.store, args.users)
    if path is None:
        print("错误 error: Neo4j 数据库须用 --users FILE 指定用户数据库 / with a Neo4j store, name the user database: "
              "--users FILE", file=sys.stderr)
        return 2
    db = UserDB(path)
    try:
        if args.action != "list" and db.has(check_name(args.name)) != (args.action != "add"):
            said = "账户已存在 / the account {!r} exists already" if args.action == "add" else "没有该账户 / no account named {!r}"
            raise AccountError(said.format(args.name))  # said before a password is asked for
        if args.action == "list":
            rows = [[a["name"], a["role"].label, "停用 disabled" if a["disabled"] else "启用 enabled", a["created"],
                     a["changed"]] for a in db.accounts()]
            print(format_table(["账户 name", "角色 role", "状态 state", "建立 created", "修改 changed"], rows))
            return 0
        if args.action == "disable":
            db.disable(_cli_actor(), args.name)
        elif args.action == "add":
            db.add(_cli_actor(), args.name, check_role(args.role), _new_password(args.password_stdin))
        else:
            db.reset(_cli_actor(), args.name, _new_password(args.password_stdin))
    except AccountError as err:
        print(f"错误 error: {err}", file=sys.stderr)
        return 2
    done = {"add": "已新增 added", "disable": "已停用 disabled", "reset": "已重设密码 new password for"}[args.action]
    print(f"{done}: {args.name} ({db.path})")
    return 0


def _query(args: argparse.Namespace) -> int:
    from linkgraph import pipeline

    if not args.name:
        list_queries(examples=pipeline.stored_query_examples(args.store))
        return 0
    if args.cypher:
        from queries.browser import browser_script
        from queries.catalog import get_query

        print(browser_script(get_query(args.name), parse_params(args.params, args.name)))
        return 0
    params = parse_params(args.params, args.name)
    if not args.ends_process:
        print_rows(args.name, pipeline.run_query(args.store, args.name, params), args.format)
        return 0
    print_rows(args.name, pipeline.run_query(args.store, args.name, params, close=False), args.format)
    _end_process(0)


def _end_process(code: int) -> NoReturn:
    """End the ``linkgraph`` program now, its answer printed and flushed, without closing what it read or
    tearing Python down: for ``linkgraph query``, whose store was opened read-only and left open
    (:func:`linkgraph.pipeline.run_query` with ``close=False``), so the operating system takes back its page
    cache; for ``linkgraph report``, whose analysis is not freed object by object. Ending this way saves 4-9 ms
    of CPU of a national question's 0.3 s, measured on the whole command
    (median of 11 at a load average of 4; closing the store alone costs 10-16 ms, but Python's usual end
    after :func:`gc.freeze` is cheap). Only the console script ends this way (:func:`program`); :func:`main` called in a process
    that goes on (tests, other programs) returns as usual. A failed flush (output piped into ``head``) raises
    here and is handled as before, by :func:`main`. A stream the process was started without (``>&-``) is
    None in Python, and there is nothing to flush."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()
    os._exit(code)


def _print_findings(analysis, files: dict[str, Path], folder: str | Path) -> None:
    from analysis.findings import findings

    for text in findings(analysis)[:3]:
        print(f"{printable(text.zh)}\n  {printable(text.en)}")
    print(f"报告 report: {files['html']}; 工作簿 workbook: {files['workbook']}; "
          f"{len(files) - 2} CSV/Gephi files in {folder}")


def _report(args: argparse.Namespace) -> int:
    from linkgraph import pipeline

    analysis, files = pipeline.report(args.store, args.out, title=args.title, as_of=args.as_of,
                                      compare=tuple(args.compare) if args.compare else None, scope=_scope(args),
                                      weighted_communities=args.weighted_communities)
    _print_findings(analysis, files, args.out)
    if args.ends_process:  # every file is written and closed: the analysis is not taken apart object by object
        _end_process(0)  # (nationally millions of rows, 2 s of CPU), the operating system takes its memory back
    return 0


def _export(args: argparse.Namespace) -> int:
    from linkgraph import pipeline

    out = args.out or {"gexf": "network.gexf", "graphml": "network.graphml", "csv": "network",
                       "neo4j-admin": "neo4j-import"}[args.format]
    if args.format == "neo4j-admin":
        files = pipeline.export_neo4j_admin(args.store, out, scope=_scope(args))
        written = kind_counts(files.counts)
        print(f"neo4j-admin 导入文件 import files in {files.folder}: {written}")
        print(f"导入：停止服务器后导入空的 Neo4j（替换数据库 {files.database}）/ import them into an EMPTY Neo4j with "
              f"the server stopped (this replaces the database {files.database}):\n  {files.command_text()}")
        return 0
    for path in pipeline.export(args.store, out, fmt=args.format, as_of=args.as_of, scope=_scope(args)):
        print(path)
    return 0


def _map(args: argparse.Namespace) -> int:
    from linkgraph import pipeline

    path = pipeline.make_map(args.store, args.out, title=args.title, administrative=not args.no_admin,
                             scope=_scope(args))
    print(f"地图 map: {path}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from linkgraph import pipeline

    with _Progress() as progress:
        result = pipeline.demo(args.out, progress=progress)
    _print_load(result.load, str(result.store))
    print("查询 queries:")
    for name, path in result.queries.items():
        print(f"  {name}: {result.query_rows[name]} rows → {path}")
    _print_findings(result.report, result.report_files, Path(args.out) / "report")
    print(f"地图 map: {result.map}")
    print(f"浏览 explore (map, queries, report in a browser): {_program()} serve --store {result.store}, "
          "then open http://127.0.0.1:8765/")
    return 0


def _program() -> str:
    """How to call linkgraph again as it was called now: ``.venv/bin/linkgraph`` when run by its path (as
    ``make demo`` does, without an activated environment), else ``linkgraph``."""
    called = sys.argv[0]
    if os.sep not in called or Path(called).name != "linkgraph":
        return "linkgraph"
    relative = os.path.relpath(called)
    return called if relative.startswith("..") else relative


def _schema(args: argparse.Namespace) -> int:
    _print_schema()
    return 0


COMMANDS = {"load": _load, "roster": _roster, "reconcile": _reconcile, "template": _template, "extract": _extract,
            "sources": _sources, "schema": _schema, "query": _query, "cypher": _cypher, "shell": _shell,
            "report": _report, "export": _export, "map": _map, "serve": _serve, "demo": _demo, "users": _users}


def run(args: argparse.Namespace) -> int:
    return COMMANDS[args.command](args)


def _say_input_problems(err: InputError, command: str) -> None:
    """The problems of the input on stderr, one line each (at most ``MAX_PROBLEMS``), and the notes of what the
    load read past before it stopped (a title, notes)."""
    written = ("，未写入任何数据", ", nothing was written") if command in ("load", "sources") else ("", "")
    print(f"错误 error: 输入中有 {len(err.problems)} 处问题{written[0]} / {len(err.problems)} problem(s) in the input"
          f"{written[1]}", file=sys.stderr)
    for problem in err.problems[:MAX_PROBLEMS]:
        print(f"  {shown(problem)}", file=sys.stderr)
    if len(err.problems) > MAX_PROBLEMS:
        print(f"  … 另有 {len(err.problems) - MAX_PROBLEMS} 处 / {len(err.problems) - MAX_PROBLEMS} more (all of them "
              "全部: --problems FILE.csv)", file=sys.stderr)
    for note in getattr(err, "notes", ()):
        print(f"说明 note: {printable(note)}", file=sys.stderr)


def main(argv: Sequence[str] | None = None, *, ends_process: bool = False) -> int:
    """Run the command ``argv`` (else the process's arguments); its exit code. ``ends_process``: the process
    ends with this command (the console script, :func:`program`), so a question may end it at once
    (:func:`_end_process`)."""
    words = sys.argv[1:] if argv is None else list(argv)
    named = words[0] if words and not words[0].startswith("-") else None
    args = build_parser(named).parse_args(words)
    args.ends_process = ends_process
    if ends_process and args.command == "query":
        gc.disable()  # a question's process ends with its answer (_end_process): Python's collector of cycles
        # is left off for it, 3-4 ms of CPU of a national question (measured); its rows hold no cycles
    from graph_model.records import InputError
    from graph_model.schema import SchemaError
    from queries.catalog import QueryError
    from stores.base import StoreError

    # The driver logs what it then raises (e.g. "Unable to retrieve routing information"): the raised error
    # is said once below, in words a user can act on, and nothing the driver writes reaches the terminal.
    logging.getLogger("neo4j").addHandler(logging.NullHandler())
    try:
        return run(args)
    except InputError as err:
        _say_input_problems(err, args.command)
        return 2
    except (StoreError, QueryError, SchemaError) as err:
        print(f"错误 error: {shown(err)}", file=sys.stderr)
        if isinstance(err, QueryError) and args.command == "query":
            print("提示 hint: 不带名称运行 `linkgraph query` 列出查询及其参数 / `linkgraph query` lists the queries and "
                  "their parameters", file=sys.stderr)
        return getattr(err, "exit_code", 2)
    except KeyboardInterrupt:  # Ctrl-C: a load writes into a copy (or marks its sources incomplete), never half
        print("已中断 interrupted (Ctrl-C)：命令未完成，未完成的载入不算数，重新运行同一命令即可 / the command did not "
              "finish and an unfinished load does not count: run the same command again", file=sys.stderr)
        if args.ends_process:  # not torn down: a native thread the interrupted read left may abort Python's end
            _end_process(130)  # ("terminate called without an active exception", seen once in CI); as safe as a kill
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as err:
        print(f"错误 error: {shown(err.strerror or err)}: {shown(err.filename or '')}", file=sys.stderr)
        print("提示 hint: 请检查路径及写入权限 / check the path and that it may be written", file=sys.stderr)
        return 2
    except Exception as err:  # noqa: BLE001 - the last line of defence: one line, never a traceback
        if os.environ.get("LINKGRAPH_DEBUG"):
            raise
        if type(err).__module__.startswith("neo4j"):
            print(f"错误 error: Neo4j 服务中断，载入是一个事务，数据库保持原样 / the Neo4j server stopped answering "
                  f"({type(err).__name__}: {shown(err)}); a load is one transaction, so the store is as it was",
                  file=sys.stderr)
            print("提示 hint: scripts/neo4j status; run the command again when the server is back", file=sys.stderr)
            return 1
        print(f"错误 error: 内部错误 / unexpected {type(err).__name__}: {shown(err)}", file=sys.stderr)
        print("提示 hint: LINKGRAPH_DEBUG=1 shows the traceback; please report it with the command you ran",
              file=sys.stderr)
        return 1


def program() -> int:
    """The ``linkgraph`` program (its console script and ``python -m linkgraph``): :func:`main`, then the
    objects made so far are frozen (:func:`gc.freeze`) because the process ends next: Python's collections
    as it exits then skip them, 15-18 ms of CPU of a 0.2 s query (measured). Python does not promise to
    finalize what still exists at exit anyway, and linkgraph closes every file it writes before ``main``
    returns. Tests and other callers in a process that goes on use :func:`main`, which leaves the
    collector alone. A question (``linkgraph query``) ends the process itself once its answer is printed
    (:func:`_end_process`)."""
    code = main(ends_process=True)
    gc.freeze()
    return code


if __name__ == "__main__":
    sys.exit(program())
