import re
from dataclasses import replace
from pathlib import Path

import pytest

from queries.catalog import QueryError, default_catalog, get_query, parse_catalog

REQUIRED = {"joint_org_members", "assistance_coverage", "villages_without_recorded_assistance", "ego_network",
            "shortest_paths", "network_as_of", "changes_between", "assistance_units_ranked", "joint_orgs_spanning",
            "villages_of_enterprise", "villages_sharing_partner", "single_partner_organizations", "enterprise_ties",
            "ties_started_in", "find_by_name"}


def test_catalog_has_the_planners_questions():
    catalog = default_catalog()
    assert REQUIRED <= set(catalog)
    for query in catalog.values():
        assert query.zh and query.en
        for param in query.params:
            assert param.example is not None, (query.name, param.name)


def test_values_never_reach_the_text():
    """Literals in the Cypher are codes and kind names (ASCII words), never values such as names or numbers."""
    for query in default_catalog().values():
        for backend in ("neo4j", "ladybug"):
            text = query.cypher(backend)
            literals = re.findall(r"'((?:[^'\\]|\\.)*)'", text)
            assert all(re.fullmatch(r"[A-Za-z_ /]*", literal) for literal in literals), (query.name, literals)
            assert not any(f"{macro}(" in text for macro in ("KIND", "TYPE", "TIES", "ROLE", "WITHIN", "NULL_AS"))


def test_dialects():
    q = get_query("ties_started_in")
    assert "type(e) AS tie" in q.cypher("neo4j") and "labels(a)[0]" in q.cypher("neo4j")
    assert "label(e) AS tie" in q.cypher("ladybug") and "CAST($year AS INT64)" in q.cypher("ladybug")
    assert "$year" in q.cypher("neo4j") and "CAST" not in q.cypher("neo4j")
    with pytest.raises(QueryError):
        q.cypher("sqlite")


def test_bind_converts_and_checks():
    assert get_query("villages_without_recorded_assistance").bind({}) == {"town": None}
    assert get_query("villages_without_recorded_assistance").bind({"town": ""}) == {"town": None}
    assert get_query("ego_network").bind({"org": "x"}) == {"org": "x", "hops": 1}
    assert get_query("network_as_of").bind({"date": "2022年6月"}) == {"date": "2022-06-30", "within": None}  # its last day
    assert get_query("find_by_name").bind({"text": "尚家溝"}) == {"text": "尚家沟"}
    assert get_query("ties_started_in").bind({"year": " 2021 "}) == {"year": 2021}


def test_order_sorts_union_rows_with_nulls_last_and_descending_where_asked():
    q = get_query("ego_network")
    rows = [{"hop": 1, "tie": "X", "from_id": "b", "to_id": None},
            {"hop": 1, "tie": "X", "from_id": "b", "to_id": "2"},
            {"hop": 1, "tie": "X", "from_id": "a", "to_id": "1"}]
    assert [r["to_id"] for r in q.order(rows)] == ["1", "2", None]
    ranked = get_query("assistance_units_ranked").order([{"villages": 1, "unit_id": "b"}, {"villages": 3, "unit_id": "c"},
                                                          {"villages": 1, "unit_id": "a"}])
    assert [r["unit_id"] for r in ranked] == ["c", "a", "b"]
    texts = replace(q, sort=("-tie", "from_id"))  # all text: sorted by the values themselves, as before
    assert [(r["tie"], r["from_id"]) for r in texts.order([{"tie": "B", "from_id": "九"}, {"tie": "A", "from_id": "b"},
                                                           {"tie": "B", "from_id": "10"}])] == [
        ("B", "10"), ("B", "九"), ("A", "b")]


@pytest.mark.parametrize("entry, message", [
    ({"name": "q", "zh": "q", "en": "q", "params": [{"name": "x", "type": "datetime", "zh": "x", "en": "x"}],
      "cypher": "RETURN $x"}, "unknown type 'datetime'"),
    ({"name": "q", "zh": "q", "en": "q", "params": [], "cypher": {"ladybug": "RETURN 1"}}, "one per backend"),
    ({"name": "q", "zh": "q", "en": "q", "params": [{"name": "x", "type": "int", "zh": "x", "en": "x"}],
      "cypher": "RETURN 1"}, "declared but not used"),
])
def test_bad_catalog_entries(entry, message):
    with pytest.raises(QueryError, match=message):
        parse_catalog([entry])


def test_all_cypher_lives_in_queries():
    """Outside queries/ (and tests) no Python file spells a Cypher clause."""
    repo = Path(__file__).resolve().parents[2]
    clause = re.compile(r"[\"'][^\"'\n]*\b(MATCH \(|MERGE \(|DETACH DELETE|CREATE \(|UNWIND \$)")
    offenders = []
    for path in repo.glob("*/**/*.py"):
        top = path.relative_to(repo).parts[0]
        if top in ("queries", "tests", ".venv") or top.startswith("."):
            continue
        if clause.search(path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(repo)))
    assert offenders == []


def test_parameters_refer_to_kinds_of_the_schema(schema):
    refers = {p.refers_to for q in default_catalog().values() for p in q.params if p.refers_to}
    assert refers == {"PartyOrganization", "Town", "Enterprise", "any", "place"}  # place: an administrative unit's code
    assert refers - {"any", "place"} <= set(schema.node_labels)


def test_the_query_docs_are_current():
    from queries.docs import DOCS, render

    assert DOCS.read_text(encoding="utf-8") == render(default_catalog().values()), "run: python -m queries.docs"
    for name in default_catalog():
        assert f"## `{name}`" in DOCS.read_text(encoding="utf-8")


def test_a_role_names_the_kind_that_plays_it_in_the_schema():
    """ROLE(enterprise) is the label schema.yaml gives the role (the enterprises among the units that pair with
    villages: 万企帮万村), not a label written in the catalog."""
    query = get_query("assistance_coverage")
    assert "KIND(u) = ROLE(enterprise)" in query.text
    assert "labels(u)[0] = 'Enterprise'" in query.cypher("neo4j")
    assert "label(u) = 'Enterprise'" in query.cypher("ladybug")
