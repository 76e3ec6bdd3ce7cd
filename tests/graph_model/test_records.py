import json

import pytest

from graph_model.records import (GraphData, InputError, Origin, SourceRef, coerce_value, make_node, make_tie, node_row,
                                 replace_statements, tie_row)


def town(schema, **extra):
    return make_node(schema, "Town", {"id": "610828105", "name": "通镇", "source": "NBS", **extra})


def village(schema, code="610828105236", name="崔家西山村"):
    return make_node(schema, "Village", {"id": code, "name": name, "source": "NBS"})


def test_values_are_coerced_to_declared_types(schema):
    org = make_node(schema, "PartyOrganization", {
        "id": "p1", "name": "上高寨酒业联合党支部", "source": "case", "joint": "是", "form": "党支部",
        "aliases": "联合党支部；上高寨联合党支部", "claims": {"member_cooperatives": 38},
    })
    assert org.props["joint"] is True
    assert org.props["aliases"] == ["联合党支部", "上高寨联合党支部"]
    assert org.props["claims"] == {"member_cooperatives": 38}
    tie = make_tie(schema, "MEMBER_OF", "a", "p1", {"source": "s", "evidence": "e", "start_date": 2022, "role": "lead"})
    assert tie.props["start_date"] == "2022" and tie.props["start_year"] == 2022


def test_every_problem_is_reported_with_its_place(schema):
    origin = Origin("orgs.xlsx", sheet="组织", row=7)
    with pytest.raises(InputError) as caught:
        make_node(schema, "PartyOrganization", {"id": "p1", "name": "", "source": "s", "form": "小组",
                                                 "colour": "red"}, origin)
    messages = [str(p) for p in caught.value.problems]
    assert len(messages) == 3
    assert any(m.startswith("orgs.xlsx, 工作表 sheet 组织, 行 row 7, 列 column colour: 未定义的属性 / PartyOrganization (党组织) has no property") for m in messages)
    assert any("column name: 必填项为空 / 名称 Name is required" in m for m in messages)
    assert any("column form: 取值不在允许范围内 / expected one of 党委, 党总支, 党支部, got '小组'" in m for m in messages)
    assert "(另有 2 处问题 / and 2 more problems)" in str(caught.value)


@pytest.mark.parametrize("value, message", [
    ("2022-13", "2022-13 is not a day of the calendar"), ("2021-02-30", "2021-02-30 is not a day of the calendar"),
    ("22", "expected a date"), ("二〇二二", "expected a date"), ("1066", "out of range"), (True, "expected a date"),
])
def test_bad_dates_are_refused(schema, value, message):
    with pytest.raises(InputError, match=message):
        make_tie(schema, "GUIDES", "a", "b", {"source": "s", "evidence": "e", "start_date": value})


@pytest.mark.parametrize("value, expected", [
    ("2021", "2021"), ("2021-5", "2021-05"), ("2021年5月", "2021-05"), ("2021年5月1日", "2021-05-01"),
    ("2021.5", "2021-05"), ("2022/1/3", "2022-01-03"), (2021, "2021"), (2021.0, "2021"),
])
def test_dates_planners_write_are_read(schema, value, expected):
    tie = make_tie(schema, "GUIDES", "a", "b", {"source": "s", "evidence": "e", "start_date": value})
    assert tie.props["start_date"] == expected and tie.props["start_year"] == int(expected[:4])


def test_an_end_before_the_start_is_refused(schema):
    with pytest.raises(InputError, match=r"ends \(2020\) before it starts \(2021-05\)"):
        make_tie(schema, "GUIDES", "a", "b", {"source": "s", "evidence": "e", "start_date": "2021-05", "end_date": 2020})
    same_year = make_tie(schema, "GUIDES", "a", "b", {"source": "s", "evidence": "e", "start_date": "2021-05",
                                                     "end_date": "2021"})
    assert same_year.props["end_year"] == 2021


@pytest.mark.parametrize("prop, value, message", [
    ("name", True, "expected text"), ("name", 10, "expected text"), ("aliases", 5, "expected a list of texts"),
    ("claims", "[1", "expected JSON"), ("claims", 5, "expected a mapping or a list"),
])
def test_values_of_the_wrong_type_are_refused(schema, prop, value, message):
    values = {"id": "p1", "name": "上高寨酒业联合党支部", "source": "s", prop: value}
    with pytest.raises(InputError, match=message):
        make_node(schema, "PartyOrganization", values)


def test_aggregate_counts_must_be_in_range(schema):
    for count in (1, 100_001):
        with pytest.raises(InputError, match="out of range 2-100000"):
            make_node(schema, "Cooperative", {"id": "c", "name": "合作社", "source": "s", "aggregate_count": count})


def test_coerce_int_refuses_fractions_and_booleans(schema):
    prop = schema.node_kind("Cooperative").property("aggregate_count")
    assert coerce_value(prop, "38") == 38 and coerce_value(prop, 38.0) == 38
    for bad in (38.5, True, "三十八"):
        with pytest.raises(ValueError):
            coerce_value(prop, bad)


def test_unknown_kind_is_an_input_error(schema):
    with pytest.raises(InputError, match="未知的节点类型 / unknown node kind 'Villag'; 已有类型 known: .*Village"):
        make_node(schema, "Villag", {"id": "1", "name": "x", "source": "s"}, Origin("a.csv", row=2))


def test_graph_checks_tie_endpoints(schema):
    g = GraphData()
    g.add_node(town(schema))
    g.add_node(village(schema))
    g.add_tie(make_tie(schema, "PART_OF", "610828105", "610828105236", {"source": "s", "evidence": "e"}, Origin("r.csv", row=3)))
    g.add_tie(make_tie(schema, "PART_OF", "610828105236", "999", {"source": "s", "evidence": "e"}, Origin("r.csv", row=4)))
    problems = [str(p) for p in g.problems(schema)]
    assert problems[0].startswith("r.csv, 行 row 3: 该关系不允许连接这两类节点 / PART_OF cannot join Town 通镇 to Village 崔家西山村")
    assert problems[1] == "r.csv, 行 row 4: 引用了不存在的节点 / PART_OF refers to unknown node 999"
    assert len(problems) == 2


def test_graph_checks_each_tie_when_others_of_its_type_and_kinds_were_allowed_before(schema):
    """Kinds found allowed are not checked again, but every tie of a pair not allowed, and every tie to an
    unknown node, is still reported."""
    g = GraphData()
    g.add_node(town(schema))
    for code, name in (("610828105236", "崔家西山村"), ("610828105237", "核桃树墕村")):
        g.add_node(village(schema, code, name))
    for row, (source, target) in enumerate([("610828105236", "610828105"), ("610828105237", "610828105"),
                                            ("610828105", "610828105236"), ("610828105", "610828105237"),
                                            ("610828105237", "999")], start=2):
        g.add_tie(make_tie(schema, "PART_OF", source, target, {"source": "s", "evidence": "e"}, Origin("r.csv", row=row)))
    problems = [str(p) for p in g.problems(schema)]
    assert [p.split(": ")[0] for p in problems] == ["r.csv, 行 row 4", "r.csv, 行 row 5", "r.csv, 行 row 6"]
    assert problems[1].startswith("r.csv, 行 row 5: 该关系不允许连接这两类节点 / PART_OF cannot join Town 通镇 to Village 核桃树墕村")
    assert problems[2] == "r.csv, 行 row 6: 引用了不存在的节点 / PART_OF refers to unknown node 999"


def test_a_column_as_stored_is_each_value_as_stored(schema):
    """storage_column gives what storage_value gives value by value: provenance stamped with the load's time and
    loader where it has none (a stored statement keeps its own), JSON as text, None kept, other columns as they are."""
    from graph_model.records import storage_column, storage_value

    stored = {"source": "NBS", "key": "nbs", "file": "r.csv", "at": "行 row 2", "loaded": "2026-01-02 10:00",
              "values": {"name": "通镇"}, "loaded_by": "王"}
    new = town(schema).props["provenance"][0]
    values = [[new], [stored, new], None]
    properties = {p.name: p for p in schema.node_kind("Town").properties}
    for loaded, loaded_by in (("2026-12-07 09:30", "李"), ("2026-12-07 09:30", ""), (None, "")):
        column = storage_column(properties["provenance"], values, loaded, loaded_by)
        assert column == [storage_value(properties["provenance"], v, loaded, loaded_by) for v in values]
    column = storage_column(properties["provenance"], values, "2026-12-07 09:30", "李")
    assert json.loads(column[1])[0] == stored and column[2] is None
    assert json.loads(column[0])[0]["loaded"] == "2026-12-07 09:30" and json.loads(column[0])[0]["loaded_by"] == "李"
    assert storage_column(properties["name"], ["通镇", None], "2026-12-07 09:30") == ["通镇", None]


def test_statements_of_two_sources_combine_and_disagreements_stay_visible(schema):
    g = GraphData(schema=schema)
    roster, case, sheet = (SourceRef(k, t, k) for k, t in [("r.csv", "NBS"), ("case.yaml", "article"), ("x.xlsx", "sheet")])
    g.add_node(make_node(schema, "Cooperative", {"id": "c", "name": "联村合作社", "aggregate_count": 9}, source=roster))
    g.add_node(make_node(schema, "Cooperative", {"id": "c", "name": "聯村合作社", "aliases": ["合作社"],
                                                 "aggregate_count": 12, "note": "文章"}, source=case))
    g.add_node(make_node(schema, "Cooperative", {"id": "c", "name": "联村合作社", "note": "表格"}, source=sheet))
    props = g.nodes["c"].props
    assert props["name"] == "联村合作社"                      # the first source's spelling stays
    assert props["aliases"] == ["合作社", "聯村合作社"]         # every other spelling is kept
    assert props["aggregate_count"] == 12                     # the newest statement wins ...
    assert [(c["value"], c["source"]) for c in props["conflicts"]["aggregate_count"]] == [(9, "NBS"), (12, "article")]
    assert props["note"] == "文章 | 表格"
    assert props["source"] == "NBS; article; sheet" and props["source_keys"] == ["r.csv", "case.yaml", "x.xlsx"]
    assert [s["values"].get("aggregate_count") for s in props["provenance"]] == [9, 12, None]


def test_a_source_stated_again_replaces_only_its_own_statement():
    old = [{"key": "a", "source": "A", "at": "行 row 2", "values": {"note": "x"}, "loaded": "1"},
           {"key": "b", "source": "B", "at": "行 row 3", "values": {"note": "y"}, "loaded": "1"}]
    same = [{"key": "a", "source": "A", "at": "行 row 2", "values": {"note": "x"}, "loaded": None}]
    assert replace_statements(old, same, {"a"}) == old
    edited = [{"key": "a", "source": "A", "at": "行 row 2", "values": {"note": "z"}, "loaded": None}]
    assert replace_statements(old, edited, {"a"}) == [edited[0], old[1]]  # in its place, but newest: not stamped yet
    assert replace_statements(old, [], {"a"}) == [old[1]]


def test_repeated_mentions_merge_and_conflicts_are_kept(schema):
    g = GraphData()
    g.add_node(village(schema))
    g.add_node(make_node(schema, "Village", {"id": "610828105236", "name": "崔家西山村", "source": "article",
                                              "aliases": ["西山村"]}))
    merged = g.nodes["610828105236"]
    assert merged.props["aliases"] == ["西山村"]
    assert merged.props["source"] == "NBS; article"
    g.add_node(village(schema, name="西山村"))
    assert "contradicts" in str(g.problems(schema)[0])
    g.add_node(make_node(schema, "Town", {"id": "610828105236", "name": "x", "source": "s"}))
    assert "is a Village" in str(g.problems(schema)[1])


def test_rows_carry_every_column(schema):
    row = node_row(schema, village(schema))
    assert set(row) == {p.name for p in schema.node_kind("Village").properties}
    assert row["aliases"] is None
    assert json.loads(row["provenance"])[0]["source"] == "NBS"
    tie = make_tie(schema, "PART_OF", "v", "t", {"source": "s", "evidence": "e"})
    assert tie_row(schema, tie)["src"] == "v" and tie_row(schema, tie)["dst"] == "t"


@pytest.mark.parametrize("value, message", [
    ({1: 2}, "metrics: 键须为文字 the key 1 must be a text"),
    ({"households": 10**23}, "metrics.households: 数值过大 100000000000000000000000，请加引号写作文字 / 100000000000000000000000 is beyond"),
    ({"a": [1, {"b": float("nan")}]}, "metrics.a[1].b: 数值无效 nan"),
    ({"a": float("inf")}, "metrics.a: 数值无效 inf"),
    ("[" * 5000, "nested more than 32 levels"),
    ({"a": __import__("datetime").date(2021, 5, 1)}, "metrics.a: 含无法保存的值"),
])
def test_json_values_a_store_cannot_keep_are_refused_with_where(value, message):
    from graph_model.schema import Property

    with pytest.raises(ValueError) as raised:
        coerce_value(Property("metrics", "json", "成效", "Metrics"), value)
    assert message in str(raised.value)


def test_json_values_at_the_limits_are_kept():
    from graph_model.records import JSON_INT
    from graph_model.schema import Property

    value = {"households": JSON_INT, "debt": -JSON_INT, "share": 0.5, "note": "文字", "ok": True, "none": None}
    assert coerce_value(Property("metrics", "json", "成效", "Metrics"), value) == value
