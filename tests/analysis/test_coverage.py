"""Coverage: recorded, claimed and not recorded, per county and town; exact on the Jia County example.

These rows are the reference for the catalog query ``assistance_coverage``."""

import datetime as dt

from analysis.coverage import assistance_coverage, claim_rows
from graph_model.records import GraphData, make_node, make_tie

JIA_TOWNS = {  # villages per town in the NBS 2023 roster of 佳县
    "佳州街道": 36, "坑镇": 25, "店镇": 18, "乌镇": 41, "金明寺镇": 32, "通镇": 32, "王家砭镇": 14, "方塌镇": 17,
    "朱家坬镇": 15, "螅镇": 28, "朱官寨镇": 25, "刘国具镇": 34, "木头峪镇": 17}


def test_jia_county(jia):
    county, *towns = assistance_coverage(jia.graph)
    assert county == {"level": "county", "id": "610828", "name": "佳县", "county": "610828", "villages": 334,
                      "recorded_villages": 1, "recorded_units": 1, "recorded_enterprises": 0, "claimed_villages": 92,
                      "claimed_units": 48, "not_recorded": 333}
    assert {t["name"]: t["villages"] for t in towns} == JIA_TOWNS
    assert [t["id"] for t in towns] == sorted(t["id"] for t in towns)
    assert all(t["level"] == "town" and t["county"] == "610828" for t in towns)
    tong = next(t for t in towns if t["name"] == "通镇")
    assert tong == {"level": "town", "id": "610828105", "name": "通镇", "county": "610828", "villages": 32,
                    "recorded_villages": 1, "recorded_units": 1, "recorded_enterprises": 0, "claimed_villages": None,
                    "claimed_units": None, "not_recorded": 31}
    others = [t for t in towns if t["name"] != "通镇"]
    assert all(t["recorded_villages"] == t["recorded_units"] == 0 and t["not_recorded"] == t["villages"] for t in others)


def test_jia_claims(jia):
    rows = claim_rows(jia.graph, assistance_coverage(jia.graph))
    found = {(r["name"], r["claim"]): (r["claimed"], r["recorded"]) for r in rows}
    assert found == {
        ("佳县", "帮扶单位数"): (48, 1),
        ("佳县", "结对帮扶村数"): (92, 1),
        ("核桃树墕联村党委", "成员村数"): (9, 2),
        ("核桃树墕联村合作社", "资金来源"): ("9个村的集体闲置资金", None),
        ("上高寨酒业联合党支部", "成员合作社数"): (38, None),
        ("上高寨酒业联合党支部", "成员村集体数"): (14, None),
        # "鎮政府銷售利潤統籌分配給集體經濟薄弱村": which villages the article does not say; a claim, counted by no rule
        ("刘国具镇", "利润分配"): ("镇政府销售利润统筹分配给集体经济薄弱村（文中未列出是哪些村） / the town government "
                                "redistributes its sales profit to villages with weak collective economies "
                                "(the article names none)", None),
    }
    assert next(r for r in rows if r["claim"] == "成员村数")["evidence"].startswith("核桃樹墕村、尚家溝村等9個村")


def small_county(schema) -> GraphData:
    """County K (claims 3 units, 5 villages) with towns T1 (villages v1, v2, v3) and T2 (v4, v5); unit U1 is
    paired with v1 and v4, U2 with v1 (ended in 2020) and v2 (from 2023); a company supplies v3 (not assistance)."""
    g = GraphData()

    def node(kind, node_id, **values):
        g.add_node(make_node(schema, kind, {"id": node_id, "name": node_id, "source": "s", **values}))

    def tie(type_, a, b, **values):
        g.add_tie(make_tie(schema, type_, a, b, {"source": "s", "evidence": "e", **values}))

    node("County", "K", claims={"帮扶单位数": 3, "结对帮扶村数": 5, "依据": "引文"})
    for town, villages in (("T1", ("v1", "v2", "v3")), ("T2", ("v4", "v5"))):
        node("Town", town)
        tie("PART_OF", town, "K")
        for v in villages:
            node("Village", v)
            tie("PART_OF", v, town)
    for unit in ("U1", "U2"):
        node("AssistanceUnit", unit)
    node("Enterprise", "E")
    tie("PAIRED_ASSISTANCE", "U1", "v1")
    tie("PAIRED_ASSISTANCE", "U1", "v4")
    tie("PAIRED_ASSISTANCE", "U2", "v1", start_date="2015", end_date="2020")
    tie("PAIRED_ASSISTANCE", "U2", "v2", start_date="2023")
    tie("SUPPLIES", "v3", "E")
    return g


def pick(rows, *keys):
    return [tuple(r[k] for k in keys) for r in rows]


def test_units_count_in_every_town_they_serve_and_dates_count(schema):
    g = small_county(schema)
    keys = ("id", "villages", "recorded_villages", "recorded_units", "claimed_villages", "claimed_units", "not_recorded")
    assert pick(assistance_coverage(g), *keys) == [("K", 5, 3, 2, 5, 3, 2), ("T1", 3, 2, 2, None, None, 1),
                                                   ("T2", 2, 1, 1, None, None, 1)]
    # in 2021 U2's first pairing had ended and its second had not begun
    assert pick(assistance_coverage(g, as_of=dt.date(2021, 12, 31)), *keys) == [
        ("K", 5, 2, 1, 5, 3, 3), ("T1", 3, 1, 1, None, None, 2), ("T2", 2, 1, 1, None, None, 1)]
    claims = claim_rows(g, assistance_coverage(g, as_of=dt.date(2021, 12, 31)))
    assert pick(claims, "claim", "claimed", "recorded", "evidence") == [("帮扶单位数", 3, 1, "引文"),
                                                                        ("结对帮扶村数", 5, 2, "引文")]


def test_a_town_without_county_comes_last(schema):
    g = small_county(schema)
    g.add_node(make_node(schema, "Town", {"id": "T0", "name": "T0", "source": "s"}))
    assert [r["id"] for r in assistance_coverage(g)] == ["K", "T1", "T2", "T0"]
    assert assistance_coverage(g)[-1]["county"] is None


def test_an_enterprise_pairing_counts_as_recorded_and_is_told_apart(schema):
    """万企帮万村: the company E, which supplies v3, also pairs with v5 (schema.yaml lets PAIRED_ASSISTANCE start at
    an Enterprise): v5 is recorded, E counts among T2's and K's units and as their one enterprise; the supply
    tie to v3 still counts for nothing."""
    g = small_county(schema)
    g.add_tie(make_tie(schema, "PAIRED_ASSISTANCE", "E", "v5", {"source": "s", "evidence": "E与v5结对帮扶"}))
    keys = ("id", "recorded_villages", "recorded_units", "recorded_enterprises", "not_recorded")
    assert pick(assistance_coverage(g), *keys) == [("K", 4, 3, 1, 1), ("T1", 2, 2, 0, 1), ("T2", 2, 2, 1, 0)]
