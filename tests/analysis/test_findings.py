"""Each finding is true of the graph it describes: small graphs where a sentence must and must not appear.

The claims are checked against the graphs as built here (towns, ties), not
against the analysis's own rows: which town each node lies in is known from
the construction, and the brokerage chains are counted by hand.
"""

import itertools

import pytest

from analysis.findings import findings
from analysis.report import analyse
from graph_model.records import GraphData, make_node, make_tie

WITHIN = "communities lie within town lines"
WITHIN_ZH = "个社群都在乡镇边界之内"


class Built:
    """A graph built from towns, the nodes placed in them, and working ties, with the town of every node kept
    on the side (what the claims are checked against)."""

    def __init__(self, schema):
        self.schema = schema
        self.graph = GraphData(schema=schema)
        self.town: dict[str, str | None] = {}
        self.working: list[tuple[str, str, str]] = []
        self._node("County", "C", "县")

    def _node(self, kind, node_id, name=None, **values):
        self.graph.add_node(make_node(self.schema, kind, {"id": node_id, "name": name or node_id, "source": "s",
                                                          **values}))

    def _tie(self, type_, a, b):
        self.graph.add_tie(make_tie(self.schema, type_, a, b, {"source": "s", "evidence": "e"}))

    def towns(self, *names):
        for name in names:
            self._node("Town", name)
            self._tie("PART_OF", name, "C")
        return self

    def village(self, node_id, town):
        self._node("Village", node_id)
        self._tie("PART_OF", node_id, town)
        self.town[node_id] = town
        return node_id

    def org(self, kind, node_id, town=None, **values):
        """An organization located in ``town`` (None: in the county, no town)."""
        self._node(kind, node_id, **values)
        self._tie("LOCATED_IN", node_id, town or "C")
        self.town[node_id] = town
        return node_id

    def tie(self, type_, a, b):
        self._tie(type_, a, b)
        self.working.append((type_, a, b))

    def network_nodes(self):
        return {n for _, a, b in self.working for n in (a, b)}


def _texts(a):
    found = findings(a)
    return "\n".join(t.en for t in found), "\n".join(t.zh for t in found)


def _town_group(b: Built, town: str, size: int):
    """A joint committee of ``size`` villages of ``town``, all tied to each other through it and a cooperative."""
    villages = [b.village(f"{town}v{i}", town) for i in range(size)]
    committee = b.org("PartyOrganization", f"{town}p", town)
    coop = b.org("Cooperative", f"{town}c", town)
    for v in villages:
        b.tie("MEMBER_OF", v, committee)
        b.tie("SUPPLIES", v, coop)
    b.tie("GUIDES", committee, coop)
    return villages


def _communities_in_one_town(a, b: Built) -> list[bool]:
    """Per community: whether every member lies in one and the same town, by the graph as built."""
    return [len({b.town[m] for m in c["member_ids"]}) == 1 and None not in {b.town[m] for m in c["member_ids"]}
            for c in a.communities]


def test_communities_within_town_lines_only_when_every_member_is_of_one_town(schema):
    b = Built(schema).towns("A", "B")
    _town_group(b, "A", 4)
    _town_group(b, "B", 4)
    a = analyse(b.graph, schema)
    en, zh = _texts(a)
    assert all(_communities_in_one_town(a, b)) and len(a.communities) == 2
    assert f"All 2 {WITHIN}" in en and f"2 {WITHIN_ZH}" in zh
    # the agreement is computed over the nodes with a town: here all 12 of 12
    assert len(b.network_nodes()) == 12 and all(b.town[n] for n in b.network_nodes())
    assert "over the 12 of 12 nodes with a town" in en and "按有乡镇的 12 个节点计算，共 12 个" in zh
    assert "communities computed unweighted" in en and "社群按联结数计算（不加权）" in zh


def test_a_county_unit_in_a_community_takes_it_across_town_lines(schema):
    b = Built(schema).towns("A", "B")
    _town_group(b, "A", 4)
    b_villages = _town_group(b, "B", 4)
    unit = b.org("AssistanceUnit", "office", None)  # the county's own office: no town
    branch = b.org("PartyOrganization", "branch", None)
    b.tie("PARTY_ORG_OF", branch, unit)
    b.tie("PAIRED_ASSISTANCE", unit, b_villages[0])
    b.tie("CO_BUILDS", branch, "Bp")
    a = analyse(b.graph, schema)
    en, zh = _texts(a)
    in_one = _communities_in_one_town(a, b)
    assert not all(in_one)  # by the construction: the office's community holds a node of no town
    assert WITHIN not in en and WITHIN_ZH not in zh
    assert f"{in_one.count(False)} of {len(in_one)} communities cross town lines" in en
    placed = sum(1 for n in b.network_nodes() if b.town[n])
    assert (placed, len(b.network_nodes())) == (12, 14)
    assert f"over the {placed} of {len(b.network_nodes())} nodes with a town" in en


def test_a_community_of_two_towns_is_named_as_crossing(schema):
    b = Built(schema).towns("A", "B")
    # one cooperative of A that every village of A and of B supplies, and nothing else
    coop = b.org("Cooperative", "coop", "A")
    for village in [b.village(f"{t}{i}", t) for t in "AB" for i in range(3)]:
        b.tie("SUPPLIES", village, coop)
    a = analyse(b.graph, schema)
    en, zh = _texts(a)
    assert _communities_in_one_town(a, b) == [False]
    assert "1 of 1 communities cross town lines" in en and WITHIN not in en and WITHIN_ZH not in zh


def _cross_town_chains(b: Built) -> dict[str, int]:
    """Chains a → x → c with no a → c whose three towns are not all one, counted per broker x, by hand.
    (All ties built in these tests flow one way: supply and production for.)"""
    arcs = {(a, c) for _, a, c in b.working}
    counts = {n: 0 for n in b.network_nodes()}
    for (a, x), (x2, c) in itertools.product(arcs, arcs):
        if x == x2 and a != c and (a, c) not in arcs and len({b.town[a], b.town[x], b.town[c]}) > 1:
            counts[x] += 1
    return counts


def _brokers(schema, extra_supplier: bool) -> Built:
    """Three enterprises of A, each between a village of B that supplies it and a village of A it produces for;
    with ``extra_supplier`` the first also has a supplier of C."""
    b = Built(schema).towns("A", "B", "C")
    for i in range(3):
        firm = b.org("Enterprise", f"firm{i}", "A")
        b.tie("SUPPLIES", b.village(f"B{i}", "B"), firm)
        b.tie("PRODUCES_FOR", firm, b.village(f"A{i}", "A"))
    if extra_supplier:
        b.tie("SUPPLIES", b.village("C0", "C"), "firm0")
    return b


def test_brokers_sharing_the_top_count_are_named_as_tied(schema):
    b = _brokers(schema, extra_supplier=False)
    counts = _cross_town_chains(b)
    top = max(counts.values())
    tied = sorted(n for n, k in counts.items() if k == top)
    assert (tied, top) == (["firm0", "firm1", "firm2"], 1)
    en, zh = _texts(analyse(b.graph, schema))
    assert "tied for most: firm0, firm1, firm2 (1 each)" in en and "并列最多：firm0、firm1、firm2（各 1 次）" in zh
    assert "most of all" not in en


def test_a_single_top_broker_is_named_alone(schema):
    b = _brokers(schema, extra_supplier=True)
    counts = _cross_town_chains(b)
    assert [n for n, k in counts.items() if k == max(counts.values())] == ["firm0"] and counts["firm0"] == 2
    en, zh = _texts(analyse(b.graph, schema))
    assert "most of all firm0: gatekeeper 2" in en and "最多的是 firm0：守门人 2 次" in zh
    assert "tied for most" not in en and "并列" not in zh


def test_bridges_of_equal_betweenness_are_named_as_tied(schema):
    # two separate chains v1 — firm — v2 (one per town): each firm lies between one pair, as many as the other
    b = Built(schema).towns("A", "B")
    for t in "AB":
        firm = b.org("Enterprise", f"firm{t}", t)
        b.tie("SUPPLIES", b.village(f"{t}1", t), firm)
        b.tie("PRODUCES_FOR", firm, b.village(f"{t}2", t))
    import networkx as nx

    between = nx.betweenness_centrality(nx.Graph([(a, c) for _, a, c in b.working]), normalized=False)
    assert between["firmA"] == between["firmB"] == max(between.values()) == 1  # by the graph as built
    en, zh = _texts(analyse(b.graph, schema))
    assert "Tied as the main bridge: firmA, firmB, each with 1 pair of" in en and "并列最重要的桥梁：firmA、firmB" in zh
    assert "is the main bridge" not in en


@pytest.mark.parametrize("weighted", [False, True])
def test_the_report_says_whether_communities_are_weighted(schema, weighted):
    b = Built(schema).towns("A")
    _town_group(b, "A", 3)
    b.org("Cooperative", "workshops", "A", aggregate_count=38)
    b.tie("MEMBER_OF", "workshops", "Ap")
    a = analyse(b.graph, schema, weighted_communities=weighted)
    en, zh = _texts(a)
    assert a.communities_weighted is weighted
    if weighted:
        assert "communities weighted by the organizations ties stand for" in en and "社群按所代表的组织数加权计算" in zh
        assert "unweighted" not in en
    else:
        assert "communities computed unweighted" in en and "加权计算" not in zh


@pytest.mark.parametrize("claims, zh, en", [
    ({"帮扶单位数": 48, "结对帮扶村数": 92}, "县：来源称有 48 个帮扶单位与 92 个村结对，数据中记录了",
     "县: sources claim 48 assistance units paired with 92 villages; the data records"),
    ({"帮扶单位数": 36}, "县：来源称有 36 个帮扶单位，数据中记录了", "县: sources claim 36 assistance units; the data records"),
    ({"结对帮扶村数": 58}, "县：来源称有 58 个村结对，数据中记录了", "县: sources claim 58 paired villages; the data records"),
])
def test_a_county_claims_what_its_sources_claim_and_no_question_mark_for_the_rest(schema, claims, zh, en):
    """A report text that gives only the units (全县共有36个帮扶单位…) is said as such, not as '与 ? 个村结对'."""
    from dataclasses import replace

    b = Built(schema).towns("A")
    b.tie("PAIRED_ASSISTANCE", b.org("AssistanceUnit", "unit", None), b.village("v", "A"))
    county = b.graph.nodes["C"]
    b.graph.nodes["C"] = replace(county, props={**county.props, "claims": claims})
    found_en, found_zh = _texts(analyse(b.graph, schema))
    assert zh in found_zh and en in found_en and "?" not in found_zh + found_en


@pytest.mark.parametrize("parallel", [False, True])
def test_the_summary_counts_pairs_tied_in_more_than_one_way_only_when_there_are_some(schema, parallel):
    """Two villages each supplying a cooperative: 2 pairs, none tied in two ways, says '（2 对）', not
    '其中 0 对有不止一种联结'; a second kind of tie between one pair is counted."""
    b = Built(schema).towns("A")
    coop = b.org("Cooperative", "coop", "A")
    for village in (b.village("v1", "A"), b.village("v2", "A")):
        b.tie("SUPPLIES", village, coop)
    if parallel:
        b.tie("MEMBER_OF", "v1", coop)
    en, zh = _texts(analyse(b.graph, schema))
    summary_zh, summary_en = zh.splitlines()[0], en.splitlines()[0]
    if parallel:
        assert "（2 对，其中 1 对有不止一种联结）" in summary_zh and "(2 pairs, 1 of them tied in more than one way)" in summary_en
    else:
        assert "（2 对）" in summary_zh and "(2 pairs)" in summary_en
        assert "不止一种" not in zh and "more than one way" not in en
