"""The report planners read: one offline HTML page, an Excel workbook, CSVs, and the network for Gephi.

The page (``report.html``) opens with the findings in words, then explains
the measures, then gives per measure the top organizations with a one-line
plain reading, coverage (recorded against claimed), the fragility list, the
brokerage roles, communities against towns, changes between two dates, a
section per town, and the full lists collapsed with their counts. It is
Chinese with English beside it, self-contained (the map's content security
policy: nothing is fetched) and every name is escaped. The tables behind it
(:func:`report_tables`) go to ``report.xlsx`` and one CSV each
(:mod:`visualizations.exports`), with the same columns.
"""

from __future__ import annotations

import datetime as dt
import heapq
from pathlib import Path
from typing import Any

from analysis.findings import MEASURES, ROLE_READINGS, ROLES, community_basis, findings
from analysis.report import Analysis
from graph_model.schema import default_schema
from graph_model.tie_rows import tie_labels
from analysis.collector import collector_paused
from visualizations.assets import ENVIRONMENT
from visualizations.charts import column_chart, partner_bins, stacked_bar_chart
from visualizations.exports import Column, Table, write_csv_tables, write_graphml, write_workbook

TOP = 10
"""Organizations listed per measure."""
HTML_ROWS = 200
"""Rows a collapsed list shows on the page (every row is in the workbook and the CSV)."""
HTML_TOWNS = 60
"""Town sections on the page: the towns with the most nodes in the network."""

C = Column
ID = C("id", "标识", "ID", code=True)
NAME, KIND, TOWN = C("name", "名称", "Name"), C("kind_zh", "类型", "Kind"), C("town", "乡镇", "Town")
MEASURE_COLUMNS = [C(m.key, m.zh, m.en) for m in MEASURES.values()]
ROLE_COLUMNS = [C(k, t.zh, t.en.capitalize()) for k, t in ROLES.items()]
NODE_COLUMNS = [NAME, KIND, TOWN, C("partners", "联结伙伴数", "Partners"), C("ties", "联结数", "Ties"),
                C("ties_out", "发出", "Out"), C("ties_in", "接受", "In"), C("weighted_ties", "加权联结数", "Weighted ties"),
                C("aggregate", "代表组织数", "Stands for"),
                *(c for c in MEASURE_COLUMNS if c.key not in ("partners", "weighted_ties", "brokerage")),
                C("brokerage", "中间人次数", "Brokerage"), *ROLE_COLUMNS, C("community", "社群", "Community"), ID]
COVERAGE_COLUMNS = [C("level_zh", "层级", "Level"), NAME, C("villages", "村数", "Villages"),
                    C("villages_with_ties", "有记录联结的村", "Villages with recorded ties"),
                    C("recorded_villages", "记录有帮扶的村", "Villages with recorded assistance"),
                    C("claimed_villages", "来源称结对村数", "Paired villages claimed"),
                    C("not_recorded", "未记录帮扶的村", "Villages not recorded"),
                    C("recorded_units", "记录的帮扶单位（含企业）", "Assistance units recorded (enterprises included)"),
                    C("recorded_enterprises", "其中结对企业", "Of which enterprises"),
                    C("claimed_units", "来源称帮扶单位数", "Assistance units claimed"),
                    C("network_nodes", "网络中的组织和村", "Nodes in the network"), ID]
TIE_LABELS = tie_labels(default_schema())
START, END, EVIDENCE, BASIS, INFERENCE = (C(key, *TIE_LABELS[key].split(" ", 1)) for key in (
    "start_date", "end_date", "evidence", "basis", "inference"))
TIE_COLUMNS = [C("kind_zh", "关系", "Tie"), C("source", "起点", "From"), C("target", "终点", "To"),
               START, END, EVIDENCE, BASIS, INFERENCE,
               C("source_id", "起点标识", "From ID", code=True), C("target_id", "终点标识", "To ID", code=True)]
"""The columns of a tie (:func:`graph_model.tie_rows.tie_row`); its fields' labels are the schema's."""


def report_tables(a: Analysis, texts: list | None = None) -> list[Table]:
    """Every table of the report, in the order of the workbook's sheets."""
    texts = texts if texts is not None else findings(a)
    tables = [
        Table("findings", "要点", "Findings", [C("zh", "要点", "Finding (Chinese)"), C("en", "Finding", "Finding")],
              [{"zh": t.zh, "en": t.en} for t in texts]),
        Table("summary", "概况", "Summary", [C("zh", "项目", "Item"), C("en", "Item", "Item (English)"),
                                           C("value", "数值", "Value")], _summary_rows(a)),
        Table("centrality", "组织指标", "Measures per organization", NODE_COLUMNS, a.nodes),
        Table("ties_by_kind", "按类型联结数", "Ties by kind", [NAME, C("tie_kind_zh", "关系", "Tie kind"),
              C("out", "发出", "Out"), C("in", "接受", "In"), ID], a.ties_by_kind),
        Table("coverage", "帮扶覆盖", "Assistance coverage", COVERAGE_COLUMNS,
              [{**r, "level_zh": "县" if r["level"] == "county" else "乡镇"} for r in a.coverage]),
        Table("claims", "报道称与记录", "Claimed and recorded", [NAME, KIND, C("claim", "称", "Claim"),
              C("claimed", "来源称", "Claimed"), C("recorded", "数据记录", "Recorded"), EVIDENCE,
              ID], a.claims),
        Table("fragility", "脆弱点", "Cut points and bridges", [C("kind_zh", "类型", "Kind"), NAME, TOWN,
              C("cut_off", "断开的节点", "Cut off"), C("villages_cut_off", "其中村", "Villages cut off"),
              C("organizations_cut_off", "其中组织", "Organizations cut off"),
              C("represented_cut_off", "代表组织数", "Organizations represented"),
              C("piece", "所在片区节点数", "Piece size"), C("cut_off_names", "断开的是", "What is cut off"),
              C("ids", "标识", "ID", code=True)],
              a.cuts),
        Table("communities", "社群", "Communities", [C("number", "社群", "Community"), C("size", "节点数", "Nodes"),
              C("villages", "村数", "Villages"), C("town_count", "涉及乡镇数", "Towns"),
              C("towns", "乡镇（节点数）", "Towns (nodes)"), C("members", "成员", "Members")], a.communities),
        Table("town_communities", "跨社群的乡镇", "Towns split across communities",
              [C("town", "乡镇", "Town"), C("communities", "社群数", "Communities"), ID], a.split_towns),
        Table("industries", "产业", "Industries (two-mode)", [NAME, C("kind_zh", "类型", "Kind"),
              C("count", "单位数", "Units"), C("units", "从事的单位", "Units engaged"), ID], a.industries),
        Table("untied_villages", "无记录联结的村", "Villages without recorded ties", [TOWN, NAME, ID],
              a.untied_villages),
        Table("reconciliations", "名称核对", "Name reconciliation", [NAME, C("note", "核对", "How it was resolved"), ID],
              a.reconciliations),
    ]
    if a.changes is not None:
        c = a.changes
        tables += [
            Table("new_ties", "新增联结", "New ties", TIE_COLUMNS, c.new_ties),
            Table("ended_ties", "结束的联结", "Ended ties", TIE_COLUMNS, c.ended_ties),
            Table("rank_changes", "排名变化", "Rank changes", [NAME, *(
                C(f"{m}_{when}", f"{MEASURES[m].zh if m in MEASURES else '联结伙伴数'}{zh}", f"{m} {en}")
                for m in ("betweenness", "pagerank", "partners")
                for when, zh, en in (("before", f"排名 {c.before.year}", f"rank {c.before}"),
                                     ("after", f"排名 {c.after.year}", f"rank {c.after}"),
                                     ("change", "名次变化", "change"))), ID], c.rank_changes),
        ]
    return tables


def _summary_rows(a: Analysis) -> list[dict[str, Any]]:
    s = a.summary
    rows = [
        ("截至日期", "As of", a.as_of.isoformat() if a.as_of else "全部 all ties"),
        ("全部节点", "All nodes", s["nodes"]),
        ("网络中的组织和村", "Nodes in the network", s["network_nodes"]),
        ("工作联结", "Working ties", s["network_ties"]),
        ("有联结的组织对", "Tied pairs", s["network_pairs"]),
        ("有多种联结的组织对", "Pairs tied in more than one way", s["parallel_pairs"]),
        ("互不相连的片区", "Separate pieces", s["components"]),
        ("最大片区的节点数", "Nodes of the largest piece", s["largest_component"]),
        ("村", "Villages", s["villages"]),
        ("无记录联结的村", "Villages without recorded ties", s["untied_villages"]),
        ("无开始日期的联结", "Ties without a start date", s["undated_ties"]),
        ("计算引擎", "Computed with", "igraph" if a.engine == "igraph" else "NetworkX"),
        ("社群", "Communities", f"{community_basis(a).zh} {community_basis(a).en}"),
    ]
    for sampling in a.samplings:
        rows.append(("抽样估计的片区", "Piece estimated by sampling",
                     f"{sampling.nodes} nodes, {sampling.sources} sources, ±{sampling.error:.0%} at {sampling.confidence:.0%}"))
    return [{"zh": zh, "en": en, "value": value} for zh, en, value in rows]


def _top(a: Analysis, key: str, highest_first: bool) -> list[dict[str, Any]]:
    """The :data:`TOP` nodes by a measure: highest first (leaving out zeros), or for constraint lowest first
    among nodes with more than one partner (one partner is constraint 1 by definition)."""
    if highest_first:
        rows = [r for r in a.nodes if r[key] > 0]
        return _first(TOP, rows, [-r[key] for r in rows])
    rows = [r for r in a.nodes if r["partners"] > 1]
    return _first(TOP, rows, [r[key] for r in rows])


def _first(count: int, rows: list[dict[str, Any]], values: list[float]) -> list[dict[str, Any]]:
    """``heapq.nsmallest(count, rows)`` by (value, id), ``values[i]`` being the value of ``rows[i]`` (numbers,
    not NaN): the rows past the ``count``-th smallest value are left out first, by comparing plain numbers,
    so that the tuples are made only for the few left (nationally 600,000 rows for each of nine measures)."""
    if len(rows) > count:
        cut = heapq.nsmallest(count, values)[-1]
        rows = [r for r, v in zip(rows, values) if v <= cut]
        values = [v for v in values if v <= cut]
    ranked = heapq.nsmallest(count, zip(values, (r["id"] for r in rows), range(len(rows))))
    return [rows[i] for _, _, i in ranked]


def _brokers(a: Analysis) -> list[dict[str, Any]]:
    """The page's brokers: the nodes of most brokerage, then by id."""
    brokers = [r for r in a.nodes if r["brokerage"]]
    return _first(HTML_ROWS, brokers, [-r["brokerage"] for r in brokers])


def _town_sections(a: Analysis) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Town sections for the towns with nodes in the network (most first, at most :data:`HTML_TOWNS`),
    and the towns without any."""
    by_town: dict[str, list[dict[str, Any]]] = {}
    for row in a.nodes:
        town = a.network.places.town.get(row["id"])
        if town:
            by_town.setdefault(town, []).append(row)
    towns = {r["id"]: r for r in a.coverage if r["level"] == "town"}
    sections = [{**towns[t], "nodes": rows} for t, rows in by_town.items() if t in towns]
    sections.sort(key=lambda s: (-len(s["nodes"]), s["id"]))
    without = [r for t, r in towns.items() if t not in by_town]
    return sections, without


CUT_COLUMNS = [NAME, TOWN, C("cut_off", "断开的节点", "Cut off"), C("villages_cut_off", "其中村", "Villages"),
               C("represented_cut_off", "代表组织数", "Organizations represented"),
               C("cut_off_names", "断开的是", "What is cut off")]
RANK_COLUMNS = [NAME, *(C(f"{m}_ranks", f"{zh}排名", f"{en} rank") for m, zh, en in (
    ("betweenness", "中介中心性", "Betweenness"), ("pagerank", "PageRank ", "PageRank"), ("partners", "联结伙伴数", "Partners")))]
BROKER_COLUMNS = [NAME, KIND, TOWN, C("brokerage", "中间人次数", "Brokerage"), *ROLE_COLUMNS]
TOWN_NODE_COLUMNS = [NAME, KIND, C("partners", "联结伙伴数", "Partners"), C("ties", "联结数", "Ties"),
                     C("betweenness", "中介中心性", "Betweenness"), C("pagerank", "PageRank", "PageRank"),
                     C("brokerage", "中间人次数", "Brokerage"), *ROLE_COLUMNS, C("community", "社群", "Community")]


def _rank_rows(a: Analysis) -> list[dict[str, Any]]:
    """Rank changes for the page: ``4 → 10`` per measure (— where not in the network then)."""
    if a.changes is None:
        return []

    def arrow(row: dict[str, Any], m: str) -> str:
        before, after = row[f"{m}_before"], row[f"{m}_after"]
        return f"{'—' if before is None else before} → {'—' if after is None else after}"

    return [{"name": r["name"], **{f"{m}_ranks": arrow(r, m) for m in ("betweenness", "pagerank", "partners")}}
            for r in a.changes.rank_changes]


def render_report(a: Analysis, *, title: str, store: str, generated: str | None = None,
                  files: list[str] | None = None, texts: list | None = None, tables: list[Table] | None = None) -> str:
    """The report page as one HTML string (see the module); ``texts`` and ``tables`` if already made."""
    texts = texts if texts is not None else findings(a)
    tables = tables if tables is not None else report_tables(a, texts)
    rows = {t.key: t.rows for t in tables}
    sections, quiet_towns = _town_sections(a)
    counties = [r for r in rows["coverage"] if r["level"] == "county"]
    coverage_chart, claims_chart, partners_chart = _coverage_chart(a), _claims_chart(counties), _partners_chart(a)
    return ENVIRONMENT.get_template("report.html.j2").render(
        title=title, store=store, generated=generated or dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        a=a, s=a.summary, findings=texts,
        measures=[(m, _top(a, m.key, m.highest_first)) for m in MEASURES.values() if m.key != "brokerage"],
        roles=[(k, ROLES[k], ROLE_READINGS[k]) for k in ROLES], brokers=_brokers(a),
        points=[c for c in a.cuts if c["kind"] == "node"], bridges=[c for c in a.cuts if c["kind"] == "tie"],
        counties=counties, rank_rows=_rank_rows(a),
        town_rows=[r for r in rows["coverage"] if r["level"] == "town"], sections=sections[:HTML_TOWNS], more_towns=len(sections) - HTML_TOWNS,
        quiet_towns=quiet_towns, coverage_chart=coverage_chart, claims_chart=claims_chart,
        partners_chart=partners_chart, node_columns=NODE_COLUMNS, rows_limit=HTML_ROWS, files=files or [],
        report_columns={**{t.key: t.columns for t in tables}, "town_nodes": TOWN_NODE_COLUMNS, "cuts": CUT_COLUMNS,
                        "ranks": RANK_COLUMNS, "brokers": BROKER_COLUMNS},
        measures_by_key=MEASURES, community_basis=community_basis(a), tie_categories=_tie_categories(a),
    )


def _coverage_chart(a: Analysis) -> str | None:
    """The 30 towns with most villages tied: their villages with recorded assistance, other ties only, none."""
    chart_towns = sorted((r for r in a.coverage if r["level"] == "town"),
                         key=lambda r: (-r["villages_with_ties"], -r["network_nodes"], r["id"]))[:30]
    return stacked_bar_chart(
        [(r["name"], (r["recorded_villages"], r["villages_with_ties"] - r["recorded_villages"],
                      r["villages"] - r["villages_with_ties"])) for r in chart_towns],
        [("记录有帮扶 assistance recorded", "#2e7d32"), ("有其他联结 other ties only", "#9ccc65"),
         ("无记录联结 no recorded tie", "#d0d0d0")],
        title="各乡镇的村：记录与未记录 Villages per town: recorded and not recorded",
        marks=[r["claimed_villages"] for r in chart_towns]) if chart_towns else None


def _claims_chart(counties: list[dict]) -> str | None:
    """What the sources claim of the first 10 counties (paired villages, units) against what is recorded."""
    return stacked_bar_chart(
        [(f"{c['name']} {label}", (recorded, max(claimed - recorded, 0)))
         for c in counties[:10] for label, recorded, claimed in (
             ("结对村 villages", c["recorded_villages"], c["claimed_villages"]),
             ("帮扶单位 units", c["recorded_units"], c["claimed_units"])) if claimed is not None],
        [("数据记录 recorded", "#2e7d32"), ("来源称但未记录 claimed, not recorded", "#f2b134")],
        title="来源称与数据记录 Claimed and recorded") if any(
            c["claimed_villages"] is not None or c["claimed_units"] is not None for c in counties[:10]) else None


def _partners_chart(a: Analysis) -> str | None:
    """How many partners the network's organizations and places have."""
    return column_chart(partner_bins(r["partners"] for r in a.nodes),
                        title="联结伙伴数的分布 How many partners organizations have",
                        y_label="组织和村数 organizations and places") if a.nodes else None


def _tie_categories(a: Analysis) -> dict[str, list]:
    """The tie kinds the reading guide names, as ``schema.yaml`` sorts them: those of the network (``working``),
    those of them that flow one way (``directed``), and those that only group and describe (``other``)."""
    from analysis.network import TWO_WAY_TIE_KINDS

    kinds = a.network.places.schema.tie_kinds
    working = [k for k in kinds if k.category == "working"]
    return {"working": working, "directed": [k for k in working if k.type not in TWO_WAY_TIE_KINDS],
            "two_way": [k for k in working if k.type in TWO_WAY_TIE_KINDS],
            "other": [k for k in kinds if k.category != "working"]}


@collector_paused()
def write_report(a: Analysis, out_dir: str | Path, *, title: str, store: str) -> dict[str, Path]:
    """Write ``report.html``, ``report.xlsx``, one CSV per table and ``network.graphml`` (for Gephi; ``linkgraph
    export`` writes GEXF and Gephi's CSV too); returns name → path.

    All in this process, each file written row by row from the analysis's rows. (A forked child used to
    write the workbook and CSVs beside the rest, for wall time; nationally it held 3 GB more, pages of the
    rows it copied as it read them, for no less CPU.)
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    texts = findings(a)
    tables = report_tables(a, texts)
    workbook = write_workbook(tables, out / "report.xlsx")
    files: dict[str, Path] = {"workbook": workbook, **write_csv_tables(tables, out)}
    files["graphml"] = write_graphml(a.network, a.nodes, NODE_COLUMNS, out / "network.graphml")
    html = out / "report.html"
    page = render_report(a, title=title, store=store, files=[p.name for p in files.values()], texts=texts,
                         tables=tables)
    html.write_text(page, encoding="utf-8")
    return {"html": html, **files}
