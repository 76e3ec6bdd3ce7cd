import json

import pytest

from graph_model.records import GraphData, InputError, Origin, coerce_value, make_node, make_tie, node_row, tie_row


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
    assert json.loads(org.props["claims"]) == {"member_cooperatives": 38}
    tie = make_tie(schema, "MEMBER_OF", "a", "p1", {"source": "s", "evidence": "e", "start_date": 2022, "role": "lead"})
    assert tie.props["start_date"] == "2022" and tie.props["start_year"] == 2022


def test_every_problem_is_reported_with_its_place(schema):
    origin = Origin("orgs.xlsx", sheet="组织", row=7)
    with pytest.raises(InputError) as caught:
        make_node(schema, "PartyOrganization", {"id": "p1", "name": "", "source": "s", "form": "小组",
                                                 "colour": "red"}, origin)
    messages = [str(p) for p in caught.value.problems]
    assert len(messages) == 3
    assert any(m.startswith("orgs.xlsx, sheet 组织, row 7, column colour: PartyOrganization (党组织) has no property") for m in messages)
    assert any("column name: 名称 Name is required" in m for m in messages)
    assert any("column form: expected one of 党委, 党总支, 党支部, got '小组'" in m for m in messages)
    assert "and 2 more problems" in str(caught.value)


@pytest.mark.parametrize("value", ["2022-13", "22", "二〇二二", "2022/01/01"])
def test_bad_dates_are_refused(schema, value):
    with pytest.raises(InputError, match="expected a date"):
        make_tie(schema, "GUIDES", "a", "b", {"source": "s", "evidence": "e", "start_date": value})


def test_coerce_int_refuses_fractions_and_booleans(schema):
    prop = schema.node_kind("Cooperative").property("aggregate_count")
    assert coerce_value(prop, "38") == 38 and coerce_value(prop, 38.0) == 38
    for bad in (38.5, True, "三十八"):
        with pytest.raises(ValueError):
            coerce_value(prop, bad)


def test_unknown_kind_is_an_input_error(schema):
    with pytest.raises(InputError, match="unknown node kind 'Villag'"):
        make_node(schema, "Villag", {"id": "1", "name": "x", "source": "s"}, Origin("a.csv", row=2))


def test_graph_checks_tie_endpoints(schema):
    g = GraphData()
    g.add_node(town(schema))
    g.add_node(village(schema))
    g.add_tie(make_tie(schema, "PART_OF", "610828105", "610828105236", {"source": "s", "evidence": "e"}, Origin("r.csv", row=3)))
    g.add_tie(make_tie(schema, "PART_OF", "610828105236", "999", {"source": "s", "evidence": "e"}, Origin("r.csv", row=4)))
    problems = [str(p) for p in g.problems(schema)]
    assert problems[0].startswith("r.csv, row 3: PART_OF cannot join Town 通镇 to Village 崔家西山村")
    assert problems[1] == "r.csv, row 4: PART_OF refers to unknown node 999 / 引用了不存在的节点"
    assert len(problems) == 2


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
    tie = make_tie(schema, "PART_OF", "v", "t", {"source": "s", "evidence": "e"})
    assert tie_row(schema, tie)["src"] == "v" and tie_row(schema, tie)["dst"] == "t"
