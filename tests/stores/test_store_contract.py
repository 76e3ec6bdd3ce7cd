"""One contract, both stores: every test here runs on LadybugDB and on Neo4j."""

import pytest

from graph_model.records import GraphData, InputError, make_node, make_tie
from queries.catalog import QueryError, default_catalog
from stores.base import StoreError

EXPECTED = {
    "Province": 1, "City": 1, "County": 1, "Town": 13, "Village": 334, "PartyOrganization": 6, "Enterprise": 1,
    "Cooperative": 3, "AssistanceUnit": 1, "Project": 1, "Industry": 6, "Person": 0,
    # LOCATED_IN: the company, the joint branch, the workshops, the collectives, the county office, and (乌镇) the joint
    # cooperative and the cattle farm;
    # GUIDES: 乌镇党委 → the joint committee, the committee → its cooperative, the town → the company and the branch
    "PART_OF": 349, "LOCATED_IN": 7, "PARTY_ORG_OF": 4, "MEMBER_OF": 5, "GUIDES": 4, "SERVES": 3, "PAIRED_ASSISTANCE": 1,
    "CO_BUILDS": 1, "SUPPLIES": 1, "PRODUCES_FOR": 1, "OPERATES": 1, "ENGAGED_IN": 9,
}


@pytest.fixture
def jia_store(jia_read_store):
    """The example on each backend, for tests that only read it (written once for the module)."""
    return jia_read_store


def test_load_gives_exact_counts_and_is_idempotent(store, jia):
    progress = []
    store.write(jia.graph, progress=lambda stage, done, total: progress.append((done, total)))
    assert store.counts() == EXPECTED
    assert progress[-1] == (len(jia.graph.nodes) + len(jia.graph.ties),) * 2
    store.write(jia.graph)
    assert store.counts() == EXPECTED


def _unstamped(props):
    """Props with the load time taken out of each statement (the store stamps it)."""
    return {**props, "provenance": [{**s, "loaded": None} for s in props["provenance"]]}


def test_export_round_trips_every_value(store, jia):
    store.write(jia.graph)
    exported = store.export()
    assert exported.nodes.keys() == jia.graph.nodes.keys()
    for node_id, node in jia.graph.nodes.items():
        assert _unstamped(exported.nodes[node_id].props) == node.props, node_id
    assert exported.ties.keys() == jia.graph.ties.keys()
    for key, tie in jia.graph.ties.items():
        assert _unstamped(exported.ties[key].props) == tie.props, key
    stamps = {s["loaded"] for n in exported.nodes.values() for s in n.props["provenance"]}
    assert len(stamps) == 1 and None not in stamps


def test_export_reads_only_the_properties_asked(store, jia):
    store.write(jia.graph)
    whole = store.export()
    part = store.export(node_properties=("name", "claims"), tie_properties=("start_date",))
    assert part.nodes.keys() == whole.nodes.keys() and part.ties.keys() == whole.ties.keys()
    for node_id, node in whole.nodes.items():
        assert part.nodes[node_id].props == {k: v for k, v in node.props.items() if k in ("id", "name", "claims")}
    for key, tie in whole.ties.items():
        assert part.ties[key].props == {k: v for k, v in tie.props.items() if k == "start_date"}
    assert part.nodes["610828"].props["claims"]["结对帮扶村数"] == 92  # 48 units paired with 92 villages
    assert sum(1 for t in part.ties.values() if t.props) == 11  # the ties of the example with a start date
    assert store.export(["610828105236"], node_properties=()).nodes["610828105236"].props == {"id": "610828105236"}


def test_a_failed_load_leaves_the_store_as_it_was(store, jia, schema):
    store.write(jia.graph)
    bad = GraphData()
    bad.add_node(make_node(schema, "Enterprise", {"id": "new-co", "name": "新公司", "source": "s"}))
    bad.add_tie(make_tie(schema, "MEMBER_OF", "new-co", "no-such-org", {"source": "s", "evidence": "e"}))
    with pytest.raises(InputError, match="unknown node no-such-org"):
        store.write(bad)
    assert store.counts() == EXPECTED


def test_a_statement_failing_midway_rolls_everything_back(store, jia, schema, monkeypatch):
    store.write(jia.graph)
    extra = GraphData()
    extra.add_node(make_node(schema, "Enterprise", {"id": "new-co", "name": "新公司", "source": "s"}))
    extra.add_node(make_node(schema, "Industry", {"id": "industry:new", "name": "新产业", "source": "s"}))
    from queries import statements

    real = statements.create_nodes

    def broken(schema_, label, backend):
        text = real(schema_, label, backend)
        return text + " RETURN no_such_variable" if label == "Industry" else text

    monkeypatch.setattr(statements, "create_nodes", broken)
    with pytest.raises(StoreError):
        store.write(extra, replace=True)
    monkeypatch.undo()
    assert store.counts() == EXPECTED
    assert store.run_named("find_by_name", {"text": "新公司"}) == []


def test_replace_removes_what_the_sources_no_longer_have(store, jia, schema):
    store.write(jia.graph)
    small = GraphData()
    small.add_node(make_node(schema, "Town", {"id": "610828105", "name": "通镇", "source": "s"}))
    store.write(small, replace=True)
    counts = store.counts()
    assert counts["Town"] == 1 and sum(counts.values()) == 1


def test_queries_cannot_write(store):
    with pytest.raises(QueryError, match="read-only"):
        store.run("CREATE (:Town {id: 'x', name: 'x', source: 's'})")
    assert store.counts()["Town"] == 0


def test_chinese_text_and_markup_round_trip(store, schema):
    g = GraphData()
    name = "𡋗墕村<script>alert('x')</script> \"引号\""
    g.add_node(make_node(schema, "Project", {"id": "p", "name": name, "source": "s", "aliases": ["甲", "乙"]}))
    store.write(g)
    rows = store.run_named("find_by_name", {"text": "𡋗墕"})
    assert [r["name"] for r in rows] == [name]


@pytest.mark.parametrize("name, params, rows", [
    ("joint_org_members", {"org": "核桃树墕联村党委"}, 2),
    ("joint_org_members", {"org": "联合党支部"}, 3),
    ("villages_without_recorded_assistance", {"town": "通镇"}, 31),
    ("villages_without_recorded_assistance", {"town": "通鎮"}, 31),
    ("villages_without_recorded_assistance", {"town": "610828105"}, 31),
    ("villages_without_recorded_assistance", {}, 333),
    ("ego_network", {"org": "佳县县委办公室"}, 3),
    ("enterprise_ties", {"enterprise": "贺寨酒业"}, 10),
    ("enterprise_ties", {"enterprise": "陜西賀寨酒業公司"}, 10),
    ("ties_started_in", {"year": "2021"}, 3),
    ("ties_started_in", {"year": 2022}, 8),  # the case's 8 ties dated 2022 (the town set up the joint branch then)
    ("ties_started_in", {"year": 1999}, 0),
    ("kind_counts", {}, 11),
    ("find_by_name", {"text": "西山"}, 3),
    ("find_by_name", {"text": "尚家溝"}, 1),      # Traditional spelling
    ("find_by_name", {"text": "核桃樹堰"}, 3),    # Traditional, and 堰 for the folk 墕
    ("ego_network", {"org": "賀寨酒業"}, 8),
])
def test_named_queries(jia_store, name, params, rows):
    assert len(jia_store.run_named(name, params)) == rows


def test_named_query_values(jia_store):
    members = jia_store.run_named("joint_org_members", {"org": "上高寨酒业联合党支部"})
    assert [(m["member"], m["role"], m["since"]) for m in members] == [
        ("陕西贺寨酒业有限公司", "lead", 2022),
        ("刘国具镇38家酿酒合作社（作坊）", "member", 2022),
        ("刘国具镇14个村集体", "member", 2022),
    ]
    assert members[0]["member_kind"] == "Enterprise"
    ego = jia_store.run_named("ego_network", {"org": "610828105236"})
    assert [(r["from"], r["tie"], r["to"]) for r in ego] == [
        ("佳县县委办公室", "PAIRED_ASSISTANCE", "崔家西山村"),
        ("西山村党支部", "PARTY_ORG_OF", "崔家西山村"),
        ("崔家西山村", "PART_OF", "通镇"),
    ]
    via = {(r["via"], r["from"]) for r in jia_store.run_named("enterprise_ties", {"enterprise": "陕西贺寨酒业公司"})}
    assert ("上高寨酒业联合党支部", "刘国具镇14个村集体") in via
    assert ("direct", "刘国具镇") in via


def test_names_that_are_unknown_or_ambiguous_are_errors_not_empty_answers(jia_store):
    with pytest.raises(QueryError) as caught:
        jia_store.run_named("ego_network", {"org": "西山村"})
    assert "names 2 nodes" in str(caught.value)
    # each with the town it lies in (the roster's 店镇 and 通镇), as a planner tells them apart
    assert "店镇 西山村 (610828102209)" in str(caught.value) and "通镇 崔家西山村 (610828105236)" in str(caught.value)
    with pytest.raises(QueryError, match="找不到名为“同镇”的乡镇/街道 / no 乡镇/街道 named '同镇'; 相近 similar: 通镇 \\(610828105\\)"):
        jia_store.run_named("villages_without_recorded_assistance", {"town": "同镇"})
    with pytest.raises(QueryError, match="no 党组织 named"):
        jia_store.run_named("joint_org_members", {"org": "佳县县委办公室"})


def test_a_short_name_typed_for_a_long_one_lists_the_long_one_as_similar(jia_store):
    """``ego_network org=38家`` (a planner's short name for 刘国具镇38家酿酒合作社（作坊）): the name that holds it is
    listed first among the similar names; a similarity of the whole names rated it too low to list at all."""
    with pytest.raises(QueryError) as caught:
        jia_store.run_named("ego_network", {"org": "38家"})
    assert "相近 similar: 刘国具镇38家酿酒合作社（作坊） (" in str(caught.value)


def test_an_id_names_its_node_alone_whatever_its_characters(store, schema):
    # an id in Chinese characters that is also another node's name: the id's node, as for any id; the
    # name alone finds the other node, and a name both share with an alias is ambiguous
    graph = GraphData()
    graph.add_node(make_node(schema, "Enterprise", {"id": "贺寨酒业", "name": "陕西贺寨酒业有限公司", "source": "s"}))
    graph.add_node(make_node(schema, "Cooperative", {"id": "coop-1", "name": "贺寨酒业", "source": "s"}))
    graph.add_node(make_node(schema, "Cooperative", {"id": "coop-2", "name": "高寨合作社", "aliases": ["高寨社"],
                                                     "source": "s"}))
    graph.add_node(make_node(schema, "Enterprise", {"id": "co-2", "name": "高寨社", "source": "s"}))
    store.write(graph)
    assert store.resolve("any", "贺寨酒业") == "贺寨酒业"
    assert store.resolve("Cooperative", "贺寨酒业") == "coop-1"
    assert store.resolve("any", "coop-1") == "coop-1" and store.resolve("any", "陕西贺寨酒业有限公司") == "贺寨酒业"
    with pytest.raises(QueryError, match="names 2 nodes"):
        store.resolve("any", "高寨社")


def test_reloading_one_source_keeps_what_another_gave(store, jia, schema):
    from loaders.roster import load_roster
    from tests.conftest import EXAMPLE

    store.write(jia.graph)
    store.write(load_roster(EXAMPLE / "nbs_roster_610828.csv", schema))
    assert store.counts() == EXPECTED
    xishan = store.export().nodes["610828105236"]
    assert xishan.props["aliases"] == ["西山村"] and "店镇西山村" in xishan.props["reconciliation"]
    assert len(store.run_named("ego_network", {"org": "610828105236"})) == 3


def test_bad_parameters_are_refused(store):
    with pytest.raises(QueryError, match="needs parameter year"):
        store.run_named("ties_started_in", {})
    with pytest.raises(QueryError, match="must be a whole number"):
        store.run_named("ties_started_in", {"year": "二〇二二"})
    with pytest.raises(QueryError, match="no parameter colour"):
        store.run_named("kind_counts", {"colour": "red"})
    with pytest.raises(QueryError, match="no query named"):
        store.run_named("drop_everything", {})


def test_every_catalog_query_runs_and_labels_its_columns(jia_store):
    for query in default_catalog().values():
        rows = jia_store.run_named(query.name, {p.name: p.example for p in query.params})
        assert rows, query.name
        assert list(rows[0]) == [c.name for c in query.columns], query.name


def test_a_part_of_the_graph_is_read_by_query(jia_store):
    town = jia_store.export(jia_store.ids_within("610828111"))
    assert town.counts()["Village"] == 34 and {n.name for n in town.nodes_of("Enterprise")} == {"陕西贺寨酒业有限公司"}
    assert ("SUPPLIES", "jia:village_collectives", "jia:hezhai_liquor") in town.ties
    assert "610828103224" not in town.nodes  # 乌镇's villages stay out
    around = jia_store.export(jia_store.ids_around("jia:county_committee_office", 2))
    # its unit (佳县) and its party branch (PARTY_ORG_OF, administrative) beside it, 崔家西山村 one working tie
    # away; the village's party branch is the village's, not a partner: not walked to (issue 18)
    assert sorted(n.name for n in around.nodes.values()) == ["佳县", "佳县县委办公室", "县委办党支部", "崔家西山村"]
    assert len(around.ties) == 3 and jia_store.export(set()).nodes == {}


def test_a_county_is_the_whole_graph_but_the_units_above_it(jia_store, jia):
    county = jia_store.export(jia_store.ids_within("610828"))
    assert set(jia.graph.nodes) - set(county.nodes) == {"61", "6108"}
    # the joint committee is placed nowhere: its cooperative and the cattle farm come through it
    assert {"jia:joint_village_cooperative", "jia:cattle_farm", "industry:beef_cattle"} <= set(county.nodes)
    assert set(jia.graph.ties) - set(county.ties) == {("PART_OF", "6108", "61"), ("PART_OF", "610828", "6108")}


@pytest.mark.parametrize(("name", "code"), [("乌镇", "610828103"), ("烏鎮", "610828103"), ("佳縣", "610828"),
                                            ("610828111", "610828111")])
def test_a_place_by_name_or_code(jia_store, name, code):
    assert jia_store.place_code(name) == code  # 乌镇 the town, though 乌镇村 and 乌镇社区 match it too


@pytest.mark.parametrize(("name", "message"), [
    # each with its town, as the README says: the same name in three towns must be told apart
    ("西山村", "“西山村”对应 2 个区划，请改用区划代码 / '西山村' names 2 units, give the code: 村/社区 店镇西山村 (610828102209); 村/社区 通镇崔家西山村 (610828105236)"),
    ("王家墕村", "“王家墕村”对应 3 个区划，请改用区划代码 / '王家墕村' names 3 units, give the code: "
     "村/社区 佳州街道王家墕村 (610828001216); "
     "村/社区 金明寺镇王家墕村 (610828104250); 村/社区 螅镇王家墕村 (610828109245)"),
    ("佳县县委办公室", "no administrative unit named '佳县县委办公室'")])
def test_a_place_that_names_none_or_several(jia_store, name, message):
    with pytest.raises(QueryError) as err:
        jia_store.place_code(name)
    assert message in str(err.value)


def test_the_coverage_query_agrees_with_the_reports_coverage(jia_store, jia):
    """The catalog's ``assistance_coverage`` (Cypher, either store) and :mod:`analysis.coverage` (Python, the
    report) count recorded, claimed and not recorded the same way."""
    from analysis.coverage import assistance_coverage

    queried = {r["unit_id"]: (r["level"], r["villages"], r["recorded_villages"], r["recorded_units"],
                              r["not_recorded"], (r["claims"] or {}).get("结对帮扶村数"), (r["claims"] or {}).get("帮扶单位数"))
               for r in jia_store.run_named("assistance_coverage", {})}
    reported = {r["id"]: (r["level"], r["villages"], r["recorded_villages"], r["recorded_units"], r["not_recorded"],
                          r["claimed_villages"], r["claimed_units"]) for r in assistance_coverage(jia.graph)}
    assert queried == reported
    assert reported["610828"] == ("county", 334, 1, 1, 333, 92, 48)  # the article: 48 units, 92 villages


def test_the_units_of_some_codes_are_those_places_gives(jia_read_store):
    """``Known.units`` (what a load asks for the codes a part of a table names) gives the units ``Known.places``
    gives for those codes, with the same names; an organization's id and a code the store lacks give nothing."""
    known = jia_read_store.known()
    codes = ["610828105236", "610828103", "610828", "610828999999", "jia:county_committee_office"]
    asked = {node.id: node for node in known.units(codes)}
    every = {node.id: node for node in known.places()}
    assert sorted(asked) == ["610828", "610828103", "610828105236"]
    assert [(n.kind, n.props) for n in asked.values()] == [(every[i].kind, every[i].props) for i in asked]
    assert asked["610828105236"].props["name"] == "崔家西山村"
