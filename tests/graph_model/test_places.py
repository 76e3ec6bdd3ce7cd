"""Places: the levels the schema declares, where nodes lie, nodes_within, and the one resolver of names."""

import pytest

from graph_model.places import PlaceRef, RosterIndex, nodes_within, parent_code, places_of, resolve_place
from graph_model.records import GraphData, InputError, make_node, make_tie
from graph_model.schema import SchemaError, parse_schema


def test_levels_come_from_the_schema(schema):
    assert [(level.kind, level.key, level.code_length) for level in schema.levels] == [
        ("Province", "province", 2), ("City", "city", 4), ("County", "county", 6), ("Town", "town", 9),
        ("Village", "village", 12)]
    assert schema.administrative_kinds == tuple(k.label for k in schema.node_kinds if k.administrative)
    assert (schema.kind_of_code("6108"), schema.kind_of_code("610828105236"), schema.kind_of_code("6108281"),
            schema.kind_of_code("jia:x")) == ("City", "Village", None, None)
    assert schema.code_length("Enterprise") is None
    with pytest.raises(SchemaError, match="^未知层级 / unknown level 'hamlet'; 已有层级 known: .*village"):
        schema.level_kind("hamlet")
    assert parent_code("610828105236", schema) == "610828105" and parent_code("6108", schema) == "61"


def test_a_level_must_be_an_administrative_kind_with_a_longer_code():
    node = {"zh": "甲", "en": "A", "color": "#000000"}
    data = {"node_properties": {"id": {"type": "string", "required": True, "zh": "标识", "en": "ID"}},
            "node_kinds": {"County": {**node, "administrative": True}, "Town": {**node, "administrative": True},
                           "Enterprise": node},
            "tie_kinds": {"PART_OF": {"zh": "隶属", "en": "part of", "category": "administrative",
                                      "endpoints": [["Town", "County"]]}}}
    ok = parse_schema({**data, "levels": [{"kind": "County", "code_length": 6}, {"kind": "Town", "code_length": 9}]})
    assert ok.level_kind("town") == "Town"
    with pytest.raises(SchemaError, match="longer"):
        parse_schema({**data, "levels": [{"kind": "County", "code_length": 6}, {"kind": "Town", "code_length": 6}]})
    with pytest.raises(SchemaError, match="not an administrative"):
        parse_schema({**data, "levels": [{"kind": "Enterprise", "code_length": 6}]})
    with pytest.raises(SchemaError, match="without a level: Town"):
        parse_schema({**data, "levels": [{"kind": "County", "code_length": 6}]})


def small(schema) -> GraphData:
    """A county with two towns: a company in town 1 with its party branch; a joint committee placed nowhere
    with one member village in each town; a cooperative placed nowhere that only town 1's village works with."""
    g = GraphData(schema=schema)
    for kind, node_id, name in [("County", "610828", "佳县"), ("Town", "610828103", "乌镇"), ("Town", "610828111", "刘国具镇"),
                                ("Village", "610828103224", "核桃树墕村"), ("Village", "610828111233", "上高寨村"),
                                ("Village", "610828103200", "乌镇村"),
                                ("Enterprise", "e", "公司"), ("PartyOrganization", "b", "公司党支部"),
                                ("PartyOrganization", "j", "联村党委"), ("Cooperative", "c", "合作社"),
                                ("Industry", "i", "酿酒")]:
        g.add_node(make_node(schema, kind, {"id": node_id, "name": name, "source": "s"}))
    for type_, a, b in [("PART_OF", "610828103", "610828"), ("PART_OF", "610828111", "610828"),
                        ("PART_OF", "610828103224", "610828103"), ("PART_OF", "610828111233", "610828111"),
                        ("PART_OF", "610828103200", "610828103"),
                        ("LOCATED_IN", "e", "610828111"), ("PARTY_ORG_OF", "b", "e"), ("ENGAGED_IN", "e", "i"),
                        ("MEMBER_OF", "610828103224", "j"), ("MEMBER_OF", "610828111233", "j"),
                        ("SUPPLIES", "610828103224", "c")]:
        g.add_tie(make_tie(schema, type_, a, b, {"source": "s", "evidence": "e"}))
    return g


def test_where_nodes_lie(schema):
    places = places_of(small(schema), schema)
    assert places.town["b"] == "610828111"  # the party branch lies where its company lies
    assert places.at["j"] == ("610828103224", "610828111233")  # placed nowhere: where its members lie
    assert "j" not in places.town and places.county["j"] == "610828"  # two towns, one county
    assert places.town["c"] == "610828103"  # works with 乌镇's village only
    assert places.lies_in("j", "610828111") and places.lies_in("j", "610828103") and not places.lies_in("e", "610828103")
    assert places.finest(schema.administrative_kinds[:-1])["j"] == "610828"


def test_nodes_within_follows_working_ties_from_inside_and_stops_at_the_border(schema):
    g = small(schema)
    wu = nodes_within(g, schema, "610828103")
    # 乌镇's units, the joint committee and the cooperative (placed nowhere, reached), the other town's member
    # village (across the border: included, not followed; its town is not)
    assert wu == {"610828103", "610828103224", "610828103200", "j", "c", "610828111233"}
    assert nodes_within(g, schema, "610828111") == {"610828111", "610828111233", "e", "b", "i", "j", "610828103224"}


def test_one_resolver_for_a_unit_of_any_level(schema):
    index = RosterIndex(small(schema), schema)
    assert resolve_place(index, PlaceRef(None, "烏鎮")).node.id == "610828103"  # the town, not 乌镇村
    assert resolve_place(index, PlaceRef(None, "乌镇村")).node.id == "610828103200"
    assert resolve_place(index, PlaceRef(None, "610828111")).node.id == "610828111"
    with pytest.raises(InputError, match="no administrative unit named '通镇'"):
        resolve_place(index, PlaceRef(None, "通镇"))
    assert resolve_place(index, PlaceRef("Village", "核桃樹墕", town="乌镇")).node.id == "610828103224"


def test_a_unit_the_roster_lacks_says_to_load_its_roster(schema):
    """An extract draft's accepted row of a county the report only mentions: not a candidate to pick, a roster to
    load (or the row to leave out)."""
    index = RosterIndex(small(schema), schema)
    with pytest.raises(InputError) as caught:
        resolve_place(index, PlaceRef("County", "大化瑶族自治县", code="451229"))
    assert str(caught.value.problems[0]).startswith(
        "451229 大化瑶族自治县 不在库的名册中 / 451229 大化瑶族自治县 is not in the store's roster")
    assert caught.value.problems[0].hint == ("请先载入它的名册（linkgraph roster --county 451229），或不采纳该行 / load its "
                                             "roster (linkgraph roster --county 451229), or do not accept the row")
    with pytest.raises(InputError, match="use a code listed as a candidate"):  # a code of the name's other unit
        resolve_place(index, PlaceRef("Village", "乌镇村", code="610828103299"))
