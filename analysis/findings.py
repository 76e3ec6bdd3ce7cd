"""The analysis in words: what each measure means, and the findings a report opens with (Chinese and English).

:data:`MEASURES` gives each measure its name and a one-line plain reading;
:func:`findings` turns an :class:`analysis.report.Analysis` into short
statements, most telling first: coverage against what sources claim, who
holds the network together, what breaks if one partner leaves, who brokers
between towns, whether communities follow town lines, what changed.

Each kind of statement is made by one function of :data:`RULES`, which works
its claim out from the network the analysis describes and says nothing it has
not checked there: a community lies "within town lines" only if every one of
its members lies in the same town; where several share the top rank they are
named together as tied; a figure computed over part of the network says over
how many nodes (``tests/analysis/test_findings.py`` builds networks where each
statement must and must not appear).
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from typing import Any, Callable

from analysis.report import Analysis
from graph_model.schema import CLAIM

LIST_NAMES = 3


@dataclass(frozen=True)
class Text:
    """One statement in Chinese and English."""

    zh: str
    en: str


@dataclass(frozen=True)
class Measure:
    """A measure as the report shows it: names, a plain reading, and which end is notable."""

    key: str
    zh: str
    en: str
    reading: Text
    highest_first: bool = True


MEASURES = {m.key: m for m in (
    Measure("partners", "联结伙伴数", "Partners", Text(
        "与多少个不同的组织或村有记录的工作联结。",
        "How many different organizations or villages it has recorded working ties with.")),
    Measure("weighted_ties", "加权联结数", "Weighted ties", Text(
        "联结按所代表的组织数计：与“38家酿酒合作社”这样的合计节点的一条联结算 38 条。",
        "Ties counted by the organizations they stand for: one tie to an aggregate of 38 workshops counts 38.")),
    Measure("betweenness", "中介中心性", "Betweenness", Text(
        "其他组织两两之间的最短路径有多大比例经过它：高者是“桥梁”，它不在时别人要绕远或断开。",
        "The share of shortest paths between other pairs that pass through it: high means others depend on "
        "it to reach each other.")),
    Measure("harmonic", "调和接近中心性", "Harmonic closeness", Text(
        "离其他组织有多近：每个组织按 1/距离 计，直接伙伴算 1，隔一个算 1/2，不相连的算 0；"
        "因此不同片区的组织可以相互比较。",
        "How close it is to all others: each counts 1/distance (a partner 1, a partner's partner 1/2, "
        "unreachable 0), so organizations of separate pieces compare fairly.")),
    Measure("eigenvector", "特征向量中心性", "Eigenvector", Text(
        "伙伴本身是否联结广泛（按所代表的组织数加权）；1 为其所在片区中联结最好的组织，只在片区内比较。",
        "Whether its partners are themselves well tied (weighted by the organizations they stand for); 1 is "
        "the best-connected of its piece, compared within the piece.")),
    Measure("pagerank", "PageRank", "PageRank", Text(
        "按联结方向（指导、帮扶、服务、供应……）被指向的分量，来自本身也被指向的组织时分量更大；反映受支持、受依赖的程度。",
        "The weight of directed ties (guidance, assistance, service, supply …) pointing to it, more when they "
        "come from organizations that are pointed to themselves: how much support and reliance it draws.")),
    Measure("core", "k-核", "k-core", Text(
        "所在最紧密核心的层级：k 表示它属于一个每个成员在组内至少有 k 个伙伴的群体。",
        "The densest core it belongs to: k means a group in which every member has at least k partners.")),
    Measure("constraint", "约束度", "Constraint", Text(
        "伙伴之间彼此相连的程度（Burt）：越低，越能在互不相识的伙伴之间起桥梁作用；只有一个伙伴时为 1。",
        "How much its partners are tied to each other (Burt): the lower, the more it bridges partners who do "
        "not know one another; 1 with a single partner."), highest_first=False),
    Measure("effective_size", "有效规模", "Effective size", Text(
        "不重复的伙伴数：伙伴数减去伙伴之间相互联结造成的重复（Burt，Borgatti 算法）。",
        "Partners less the redundancy among them: the number of non-overlapping contacts (Burt, as Borgatti "
        "computes it).")),
    Measure("brokerage", "中间人次数", "Brokerage", Text(
        "作为中间人的次数：A→它→C 而 A 与 C 之间没有直接联结；按三者所在乡镇分为五种角色。",
        "Chains A → it → C with no tie from A to C; by the towns of the three, five roles (Gould–Fernandez).")),
)}

ROLES = {
    "coordinator": Text("协调者", "coordinator"),
    "gatekeeper": Text("守门人", "gatekeeper"),
    "representative": Text("代表", "representative"),
    "itinerant": Text("巡回者", "itinerant"),
    "liaison": Text("联络人", "liaison"),
}
ROLE_READINGS = {
    "coordinator": Text("三者同在一个乡镇：在本乡镇内部牵线", "all three in one town: brokers inside its town"),
    "gatekeeper": Text("外乡镇的组织经它联到本乡镇", "lets an outsider into its own town"),
    "representative": Text("代表本乡镇联到外乡镇", "carries its own town's ties out to another town"),
    "itinerant": Text("外来者，连接同一乡镇的两方", "an outsider linking two of another town"),
    "liaison": Text("三者分属三个乡镇：跨乡镇联络", "all three in different towns: links towns"),
}
CROSS_TOWN_ROLES = ("gatekeeper", "representative", "itinerant", "liaison")


def _names(names: list[str], more: int = 0) -> tuple[str, str]:
    """Names joined for Chinese and English, with "and N more"."""
    shown = names[:LIST_NAMES]
    rest = len(names) - len(shown) + more
    return ("、".join(shown) + (f"等 {len(shown) + rest} 个" if rest else ""),
            ", ".join(shown) + (f" and {rest} more" if rest else ""))


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def _plural(count: int, word: str) -> str:
    """``1 village``, ``2 villages``."""
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _leaders(rows: list[dict[str, Any]], value: Callable[[dict[str, Any]], float]) -> list[dict[str, Any]]:
    """The rows that share the top ``value`` (in their order): one, or several tied (equal to rounding: the
    betweenness of two nodes alike may differ in its last bits)."""
    if not rows:
        return []
    top = max(map(value, rows))
    return [r for r in rows if math.isclose(value(r), top, rel_tol=1e-9)]


def findings(a: Analysis) -> list[Text]:
    """The report's opening statements; each says what the data records and where it is silent. Worked out
    once per analysis (kept in ``a.texts``): the report's files and the command's summary show the same."""
    if a.texts is None:
        a.texts = _worked_out(a)
    return list(a.texts)


def _worked_out(a: Analysis) -> list[Text]:
    if not a.summary["network_nodes"]:
        when_zh = f"截至 {a.as_of.isoformat()}，" if a.as_of else ""
        return [Text(f"{when_zh}数据中没有记录任何工作联结。",
                     f"As of {a.as_of.isoformat()}, no working ties are recorded." if a.as_of
                     else "No working ties are recorded.")]
    return [text for rule in RULES for text in rule(a)]


def _summary_findings(a: Analysis) -> list[Text]:
    s = a.summary
    when_zh = f"截至 {a.as_of.isoformat()}，" if a.as_of else ""
    when_en = f"As of {a.as_of.isoformat()}, " if a.as_of else ""
    parallel = s["parallel_pairs"]  # said only when some pair is tied in more than one way
    parallel_zh, parallel_en = (f"，其中 {parallel} 对有不止一种联结", f", {parallel} of them tied in more than one way") \
        if parallel else ("", "")
    return [Text(
        f"{when_zh}{s['network_nodes']} 个组织和村（含乡镇）之间记录了 {s['network_ties']} 条工作联结"
        f"（{s['network_pairs']} 对{parallel_zh}），分成 {s['components']} 个互不相连的片区，"
        f"最大的有 {s['largest_component']} 个。",
        f"{when_en}{s['network_ties']} working ties are recorded among {s['network_nodes']} organizations and "
        f"places ({s['network_pairs']} pairs{parallel_en}), in "
        f"{s['components']} separate pieces; the largest has {s['largest_component']}.")]


def _aggregate_findings(a: Analysis) -> list[Text]:
    if not a.summary["aggregates"]:
        return []
    zh, en = _names([f"{g['name']}（{g['count']}）" for g in a.summary["aggregates"]])
    return [Text(
        f"合计节点 {zh} 各代表多个组织：它们的联结在加权联结数、特征向量中心性和 PageRank 中按成员数计；"
        "最短路径类指标（中介、接近、k-核、约束度、脆弱点）把它们当作一个节点，因为成员之间的联结没有记录。",
        f"Aggregate nodes ({en}) each stand for several organizations: their ties count by members in the "
        "weighted ties, eigenvector centrality and PageRank; path and structure measures (betweenness, "
        "closeness, k-core, constraint, fragility) count each as one node, as its members' ties to each "
        "other are not recorded.")]


def _undated_findings(a: Analysis) -> list[Text]:
    undated = a.summary["undated_ties"]
    if not undated:
        return []
    return [Text(f"{undated} 条工作联结没有开始日期，在任何日期都计入（来源未说明何时开始）。",
                 f"{undated} working ties have no start date and count at every date (the source does "
                 "not say when they began).")]


def _sampling_findings(a: Analysis) -> list[Text]:
    return [Text(
        f"一个有 {sampling.nodes:,} 个节点的片区过大，其中介中心性和接近中心性由随机抽取的 {sampling.sources:,} 个起点估计："
        f"每个值与精确值之差不超过该片区最大可能值的 {sampling.error:.0%}（置信度 {sampling.confidence:.0%}）。",
        f"A piece of {sampling.nodes:,} nodes is too large for exact betweenness and closeness: they are "
        f"estimated from {sampling.sources:,} random sources, each within {sampling.error:.0%} of the "
        f"largest value possible in the piece of the exact value, with {sampling.confidence:.0%} confidence.")
        for sampling in a.samplings]


def _coverage_findings(a: Analysis) -> list[Text]:
    counties = [r for r in a.coverage if r["level"] == "county"]
    found = []
    schema = a.network.places.schema
    firm = schema.node_kind(schema.role_kind("enterprise"))  # the kind recorded_enterprises counts: its label, not 企业
    if len(counties) == 1 or len(counties) <= LIST_NAMES:
        for c in counties:
            firms = c.get("recorded_enterprises") or 0  # pairing enterprises (万企帮万村) counted among the units
            recorded_zh = (f"数据中记录了 {c['recorded_units']} 个帮扶单位" + (f"（其中 {firms} 个{firm.zh}）" if firms else "")
                           + f"与 {c['recorded_villages']} 个村结对")
            recorded_en = (f"the data records {_plural(c['recorded_units'], 'assistance unit')}"
                           + (f" ({_plural(firms, firm.en.lower())} among them)" if firms else "")
                           + f" paired with {_plural(c['recorded_villages'], 'village')}")
            claimed_zh, claimed_en = _claimed(c["claimed_units"], c["claimed_villages"])
            found.append(Text(
                f"{c['name']}：{claimed_zh}{recorded_zh}；其余 {c['not_recorded']} 个村（共 {c['villages']} 个）未记录，"
                "这不等于没有帮扶。",
                f"{c['name']}: {claimed_en}{recorded_en}; the other {c['not_recorded']} of {c['villages']} "
                "villages are not recorded, which does not mean they have none."))
    elif counties:
        villages = sum(c["villages"] for c in counties)
        recorded = sum(c["recorded_villages"] for c in counties)
        claiming = [c for c in counties if c["claimed_villages"] is not None or c["claimed_units"] is not None]
        found.append(Text(
            f"{len(counties)} 个县共 {villages:,} 个村，其中 {recorded:,} 个记录了结对帮扶单位，{villages - recorded:,} 个未记录"
            f"（不等于没有帮扶）；{len(claiming)} 个县有来源称的帮扶数字。",
            f"{len(counties)} counties with {villages:,} villages: {recorded:,} have a recorded assistance unit, "
            f"{villages - recorded:,} are not recorded (which does not mean they have none); "
            f"{len(claiming)} counties have counts claimed by sources."))
    return found


def _claimed(units: Any, villages: Any) -> tuple[str, str]:
    """What sources claim of a county's assistance, as far as they claim it (a text may give the units only)."""
    if units is not None and villages is not None:
        return (f"来源称有 {units} 个帮扶单位与 {villages} 个村结对，",
                f"sources claim {units} assistance units paired with {villages} villages; ")
    if units is not None:
        return f"来源称有 {units} 个帮扶单位，", f"sources claim {units} assistance units; "
    if villages is not None:
        return f"来源称有 {villages} 个村结对，", f"sources claim {villages} paired villages; "
    return "", ""


def _claim_findings(a: Analysis) -> list[Text]:
    members = [c for c in a.claims if c["claim"] == CLAIM["member_villages"] and c["recorded"] is not None]
    members.sort(key=lambda c: -((c["claimed"] if isinstance(c["claimed"], int) else 0) - c["recorded"]))
    return [Text(f"{c['name']}：来源称有 {c['claimed']} 个成员村，数据中记录了 {c['recorded']} 个。",
                 f"{c['name']} links {c['recorded']} recorded villages of the {c['claimed']} it claims.")
            for c in members[:LIST_NAMES]]


def _bridge_findings(a: Analysis) -> list[Text]:
    top = _leaders([r for r in a.nodes if r["betweenness"] > 0], lambda r: r["betweenness"])
    if not top:
        return [Text("没有组织处在其他组织之间的最短路径上：每个片区都是直接相连的。",
                     "No organization lies between others: every piece is tied directly.")]
    n = a.summary["network_nodes"]
    pairs = top[0]["betweenness"] * (n - 1) * (n - 2) / 2
    if len(top) > 1:
        zh, en = _names([r["name"] for r in top])
        return [Text(
            f"并列最重要的桥梁：{zh}，其他组织和村中各有 {pairs:,.0f} 对经它们相连（占全部组合的 "
            f"{_percent(top[0]['betweenness'])}）。",
            f"Tied as the main bridge: {en}, each with {pairs:,.0f} pair{'' if round(pairs) == 1 else 's'} of "
            f"other organizations and places connected through it ({_percent(top[0]['betweenness'])} of all pairs).")]
    top = top[0]
    where = f"（{top['kind_zh']}，{top['town']}）" if top["town"] else f"（{top['kind_zh']}）"
    where_en = f" ({top['kind_en']}, {top['town']})" if top["town"] else f" ({top['kind_en']})"
    return [Text(
        f"{top['name']}{where}是最重要的桥梁：其他组织和村中有 {pairs:,.0f} 对经它相连"
        f"（占全部组合的 {_percent(top['betweenness'])}），它有 {top['partners']} 个伙伴。",
        f"{top['name']}{where_en} is the main bridge: {pairs:,.0f} pairs of other organizations and places "
        f"are connected through it ({_percent(top['betweenness'])} of all pairs); it has "
        f"{_plural(top['partners'], 'partner')}.")]


def _fragility_findings(a: Analysis) -> list[Text]:
    points = [c for c in a.cuts if c["kind"] == "node"]
    if not points:
        return [Text("没有单点脆弱：任何一个组织退出都不会使其他组织断开。",
                     "No single point of failure: no one organization's withdrawal cuts others off.")]
    leaders = _leaders(points, lambda r: r["cut_off"])
    top = leaders[0]
    villages_zh = f"，其中 {top['villages_cut_off']} 个村" if top["villages_cut_off"] else ""
    villages_en = f", {_plural(top['villages_cut_off'], 'village')} among them" if top["villages_cut_off"] else ""
    count_en = "1 organization or place is a single point" if len(points) == 1 else \
        f"{len(points):,} organizations or places are single points"
    tied_zh = tied_en = ""
    if len(leaders) > 1:
        zh, en = _names([r["name"] for r in leaders[1:]])
        tied_zh = f"并列最多的还有 {zh}（各断开 {top['cut_off']:,} 个）。"
        tied_en = f" Tied with it: {en} ({top['cut_off']:,} each)."
    return [Text(
        f"{len(points):,} 个组织或地方是单点脆弱点。若{top['name']}退出，{top['cut_off']:,} 个组织和村"
        f"（{top['cut_off_names']}）将与其余部分断开{villages_zh}。{tied_zh}",
        f"{count_en} of failure. If {top['name']} withdrew, {top['cut_off']:,} organizations and places "
        f"({top['cut_off_names']}) would be cut off from the rest{villages_en}.{tied_en}")]


def _brokerage_findings(a: Analysis) -> list[Text]:
    across = operator.itemgetter(*CROSS_TOWN_ROLES)  # the roles' counts of a row in one call (600,000 rows)
    crossing = sorted((r for r in a.nodes if any(across(r))), key=lambda r: (-sum(across(r)), r["id"]))
    if not crossing:
        return [Text("没有组织在乡镇之间起中间人作用：没有一条经由某个组织的两段联结连起两个不同的乡镇（或县级单位与乡镇）。",
                     "No organization brokers between towns: no recorded chain of two ties runs through one "
                     "organization from one town (or county-level unit) to another.")]
    leaders = _leaders(crossing, lambda r: sum(across(r)))
    zh, en = _names([r["name"] for r in crossing])
    opening_zh = f"{len(crossing)} 个组织在乡镇（或县级单位与乡镇）之间牵线（{zh}）"
    opening_en = f"{len(crossing)} organizations broker between towns (or between county-level units and towns): {en}"
    if len(leaders) > 1:
        times = sum(leaders[0][k] for k in CROSS_TOWN_ROLES)
        names = [r["name"] for r in leaders]
        return [Text(f"{opening_zh}；并列最多：{'、'.join(names)}（各 {times} 次）。",
                     f"{opening_en}; tied for most: {', '.join(names)} ({times} each).")]
    top = leaders[0]
    roles = [k for k in CROSS_TOWN_ROLES if top[k]]
    zh_roles = "、".join(f"{ROLES[k].zh} {top[k]} 次" for k in roles)
    en_roles = ", ".join(f"{ROLES[k].en} {top[k]}" for k in roles)
    return [Text(f"{opening_zh}；最多的是 {top['name']}：{zh_roles}。",
                 f"{opening_en}; most of all {top['name']}: {en_roles}.")]


def community_basis(a: Analysis) -> Text:
    """How the communities were computed: unweighted (the default) or weighted by aggregate counts."""
    if a.communities_weighted:
        return Text("社群按所代表的组织数加权计算", "communities weighted by the organizations ties stand for")
    return Text("社群按联结数计算（不加权）", "communities computed unweighted")


def _community_findings(a: Analysis) -> list[Text]:
    """Whether each community lies within one town, worked out from the members' towns: a member of no town
    (a county office) takes its community across the line; the agreement says over how many nodes."""
    if not a.communities:
        return []
    town = a.network.places.town
    across = [c for c in a.communities if len({town.get(m) for m in c["member_ids"]} - {None}) != 1
              or any(town.get(m) is None for m in c["member_ids"])]
    basis = community_basis(a)
    agreement_zh = agreement_en = ""
    if a.community_agreement is not None:
        agreement_zh = (f"；社群与乡镇划分的一致度（NMI）为 {a.community_agreement:.2f}"
                        f"（按有乡镇的 {a.community_placed} 个节点计算，共 {a.summary['network_nodes']} 个）")
        agreement_en = (f"; agreement of communities with towns (NMI) {a.community_agreement:.2f}, over the "
                        f"{a.community_placed} of {a.summary['network_nodes']} nodes with a town")
    if across:
        shown = [c["towns"] for c in across[:LIST_NAMES]]  # each community's towns, one community after another
        more = "…" if len(across) > LIST_NAMES else ""
        zh, en = "；".join(shown) + more, "; ".join(shown) + more
        return [Text(f"{len(a.communities)} 个社群中有 {len(across)} 个跨越乡镇边界（{zh}）{agreement_zh}；{basis.zh}。",
                     f"{len(across)} of {len(a.communities)} communities cross town lines ({en}){agreement_en}; "
                     f"{basis.en}.")]
    return [Text(f"{len(a.communities)} 个社群都在乡镇边界之内：每个社群的成员都在同一个乡镇{agreement_zh}；{basis.zh}。",
                 f"All {len(a.communities)} communities lie within town lines: the members of each are all of "
                 f"one town{agreement_en}; {basis.en}.")]


def _change_findings(a: Analysis) -> list[Text]:
    c = a.changes
    if c is None:
        return []
    risers = [r for r in c.rank_changes if (r["betweenness_change"] or 0) > 0]
    new_nodes = [r for r in c.rank_changes if r["betweenness_before"] is None]
    period = f"{c.before.isoformat()} → {c.after.isoformat()}"
    zh = f"{period}：新增 {len(c.new_ties)} 条联结，结束 {len(c.ended_ties)} 条；{len(new_nodes)} 个组织新加入网络"
    en = f"{period}: {len(c.new_ties)} ties started, {len(c.ended_ties)} ended; {len(new_nodes)} organizations joined"
    if risers:
        top = max(risers, key=lambda r: r["betweenness_change"])
        zh += f"；中介中心性排名上升最多的是 {top['name']}（{top['betweenness_before']} → {top['betweenness_after']}）"
        en += f"; the largest rise in betweenness rank: {top['name']} ({top['betweenness_before']} → {top['betweenness_after']})"
    return [Text(zh + "。", en + ".")]


RULES: tuple[Callable[[Analysis], list[Text]], ...] = (
    _summary_findings, _coverage_findings, _claim_findings, _bridge_findings, _fragility_findings,
    _brokerage_findings, _community_findings, _change_findings, _aggregate_findings, _undated_findings,
    _sampling_findings)
"""The findings' rules, in the order the report gives them; each works its statements out from the analysis."""
