"""The network over time: ties that started and ended between two dates, and rank changes."""

import datetime as dt

from analysis.timeline import rank_changes, ranks, tie_changes
from graph_model.records import GraphData, make_node, make_tie

Y2021, Y2023 = dt.date(2021, 12, 31), dt.date(2023, 12, 31)


def test_jia_between_2021_and_2023(jia, schema):
    new, ended = tie_changes(jia.graph, schema, Y2021, Y2023)
    assert ended == []
    assert sorted((t.type, t.source_id, t.target_id) for t in new) == [
        ("CO_BUILDS", "jia:county_office_party_branch", "jia:xishan_party_branch"),
        ("GUIDES", "610828111", "jia:hezhai_liquor"),
        ("GUIDES", "610828111", "jia:shanggaozhai_joint_branch"),  # the town set up the branch in 2022
        ("MEMBER_OF", "jia:brewing_cooperatives", "jia:shanggaozhai_joint_branch"),
        ("MEMBER_OF", "jia:hezhai_liquor", "jia:shanggaozhai_joint_branch"),
        ("MEMBER_OF", "jia:village_collectives", "jia:shanggaozhai_joint_branch"),
        ("SERVES", "jia:hezhai_liquor", "jia:brewing_cooperatives"),
        ("SERVES", "jia:shanggaozhai_joint_branch", "jia:brewing_cooperatives"),
    ]
    assert all(t.props["start_date"] == "2022" for t in new)


def test_ended_ties(schema):
    g = GraphData()
    for node_id in ("u", "v"):
        g.add_node(make_node(schema, "AssistanceUnit" if node_id == "u" else "Village",
                             {"id": node_id, "name": node_id, "source": "s"}))
    g.add_tie(make_tie(schema, "PAIRED_ASSISTANCE", "u", "v", {"source": "s", "evidence": "e", "start_date": "2016",
                                                             "end_date": "2022-06"}))
    new, ended = tie_changes(g, schema, Y2021, Y2023)
    assert (new, [t.key for t in ended]) == ([], [("PAIRED_ASSISTANCE", "u", "v")])


def test_ranks_share_the_best_place():
    assert ranks({"a": 3.0, "b": 1.0, "c": 3.0}) == {"a": 1, "b": 3, "c": 1}


def test_rank_changes():
    before = [{"id": "a", "betweenness": 0.5, "pagerank": 0.6, "partners": 2},
              {"id": "b", "betweenness": 0.1, "pagerank": 0.4, "partners": 1}]
    after = [{"id": "a", "betweenness": 0.2, "pagerank": 0.3, "partners": 2},
             {"id": "b", "betweenness": 0.6, "pagerank": 0.4, "partners": 3},
             {"id": "c", "betweenness": 0.0, "pagerank": 0.3, "partners": 1}]
    rows = {r["id"]: r for r in rank_changes(before, after)}
    assert (rows["b"]["betweenness_before"], rows["b"]["betweenness_after"], rows["b"]["betweenness_change"]) == (2, 1, 1)
    assert (rows["a"]["betweenness_change"], rows["a"]["partners_before"], rows["a"]["partners_after"]) == (-1, 1, 2)
    assert (rows["c"]["betweenness_before"], rows["c"]["betweenness_after"], rows["c"]["betweenness_change"]) == (None, 3, None)
    assert [r["id"] for r in rank_changes(before, after)] == ["b", "a", "c"]  # largest move first, newcomers last
    assert rank_changes(before, before) == []
