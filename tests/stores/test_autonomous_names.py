"""An autonomous county goes by its short name (大化县 for 大化瑶族自治县, as its planners, its news and its own
offices write it): ``within``, ``--within`` and the named queries find it on both stores, and a store whose names
were keyed by older rules gets the new keys when the roster is loaded again."""

import dataclasses

import pytest

from graph_model.records import GraphData
from loaders import load_sources
from queries.catalog import QueryError

ROSTER = ("code,name,level,parent_code\r\n45,广西壮族自治区,province,\r\n4512,河池市,city,45\r\n"
          "451229,大化瑶族自治县,county,4512\r\n451229100,大化镇,town,451229\r\n451229211,七百弄乡,town,451229\r\n"
          "451229211201,弄合村委会,village,451229211\r\n")
OLD_KEYS = "|大化瑶族自治县|大化瑶族|"  # the county's keys before the peoples were dropped from place keys


def roster_graph(tmp_path) -> GraphData:
    path = tmp_path / "roster_451229.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return load_sources([path]).graph


def county_keys(store) -> list[str]:
    return [row["keys"] for row in store.query("MATCH (c:County) RETURN c.match_text AS keys").rows]


@pytest.mark.parametrize("name", ["大化县", "大化瑶族自治县", "大化瑶族自治縣"])
def test_an_autonomous_county_is_found_by_its_short_name(store, tmp_path, name):
    store.write(roster_graph(tmp_path))
    assert store.place_code(name) == "451229"
    assert store.place_code("大化镇") == "451229100"  # the town of the county's name stays the town
    with pytest.raises(QueryError, match=r"'大化' names 2 units.*大化瑶族自治县 \(451229\).*大化镇 \(451229100\)"):
        store.place_code("大化")  # the county and its town: which one is not said
    assert {r["unit_id"] for r in store.run_named("assistance_coverage", {"town": "七百弄"})} == {"451229211"}


def test_names_keyed_by_older_rules_are_keyed_anew_when_loaded_again(store, tmp_path):
    """The stored keys are worked out from the names: the same statements loaded again under new rules left the
    old keys (\"unchanged\"), so 大化县 stayed unknown in a store built before; the keys are written anew."""
    graph = roster_graph(tmp_path)
    county = graph.nodes["451229"]
    old = GraphData(nodes={**graph.nodes, "451229": dataclasses.replace(county, props={**county.props,
                                                                                       "match_text": OLD_KEYS})},
                    ties=graph.ties)
    store.write(old)
    assert county_keys(store) == [OLD_KEYS]
    report = store.write(graph)
    assert (report.plan.summary()["update_nodes"], report.plan.summary()["unchanged"]) == (1, 10)  # the county; 5 nodes and 5 ties as they were
    assert county_keys(store) == [county.props["match_text"]] != [OLD_KEYS]
    assert store.place_code("大化县") == "451229"
