"""The text printed for Neo4j Browser: exact form, and the same rows as the store when replayed on the server."""

import re

import pytest

from graph_model.schema import default_schema
from queries.browser import browser_script, cypher_literal, example_values, network_statement
from queries.catalog import QueryError, default_catalog, get_query

HOSTILE = "a'b\\c\n;d\"e // f\r\t\x1b => :param x"


def test_literals_are_typed_and_escaped():
    assert cypher_literal(None) == "null"
    assert cypher_literal(True) == "true"
    assert cypher_literal(2022) == "2022"
    assert cypher_literal(-3) == "-3"
    assert cypher_literal("通镇") == "'通镇'"
    assert cypher_literal(HOSTILE) == "'a\\'b\\\\c\\n;d\"e // f\\r\\t\\u001b => :param x'"
    with pytest.raises(TypeError, match="no Cypher literal for float"):
        cypher_literal(1.5)


def test_script_is_param_lines_then_the_neo4j_text():
    query = get_query("joint_org_members")
    assert browser_script(query, {"org": "核桃树墕联村党委"}) == (
        ":param org => '核桃树墕联村党委';\n"
        "// joint_org_members: 联合党组织成员 / Members of a joint party organization\n"
        + query.cypher("neo4j") + ";"
    )


def test_values_are_checked_and_typed_by_the_catalog():
    assert browser_script(get_query("ties_started_in"), {"year": "2022"}).startswith(":param year => 2022;\n//")
    assert browser_script(get_query("villages_without_recorded_assistance"), {}).startswith(":param town => null;\n//")
    assert browser_script(get_query("kind_counts"), {}).startswith("// kind_counts: 各类节点数量")
    with pytest.raises(QueryError, match="must be a whole number"):
        browser_script(get_query("ties_started_in"), {"year": "二〇二二"})
    for typed in ("2_022", "0x7e6", "02022"):  # Python's int() would read 2_022 as 2022
        with pytest.raises(QueryError, match="must be a whole number"):
            browser_script(get_query("ties_started_in"), {"year": typed})
    with pytest.raises(QueryError, match="needs parameter org"):
        browser_script(get_query("ego_network"), {})


def test_no_macro_is_left_for_neo4j():
    for query in default_catalog().values():
        text = browser_script(query, example_values(query))
        assert not re.search(r"\b(KIND|TYPE|WITHIN)\(", text), query.name


def test_network_statement_draws_every_tie_that_is_not_administrative():
    assert network_statement(default_schema()) == (
        "MATCH p = ()-[:MEMBER_OF|GUIDES|SERVES|PAIRED_ASSISTANCE|CO_BUILDS|SUPPLIES|PRODUCES_FOR"
        "|OPERATES|ENGAGED_IN]->()\nRETURN p"
    )


def replay(store, text: str) -> list[dict]:
    """Run ``text`` as Neo4j Browser runs a pasted script: each ``:param name => value`` is
    evaluated with ``RETURN value`` on the server, then the Cypher runs with those parameters."""
    params, cypher = {}, []
    for line in text.splitlines():
        param = re.fullmatch(r":param (\w+) => (.*);", line)
        if param:
            params[param[1]] = store.run(f"RETURN {param[2]} AS value")[0]["value"]
        else:
            cypher.append(line)
    return store.run("\n".join(cypher).rstrip(";"), params)


@pytest.mark.neo4j
def test_pasted_text_gives_the_rows_of_run_named(neo4j_store, jia):
    neo4j_store.write(jia.graph)
    for query in default_catalog().values():
        values = example_values(query)
        # a unit's organizations placed nowhere (the joint committee) as linkgraph finds them; pasted without
        # them, within takes codes and places alone
        unplaced = neo4j_store.unplaced_within(values["within"]) if query.places_unplaced else ()
        rows = query.finish(replay(neo4j_store, browser_script(query, values, unplaced)), query.bind(values))
        assert rows == neo4j_store.run_named(query.name, values), query.name
        assert rows, query.name  # every example has an answer
        if unplaced:
            alone = query.finish(replay(neo4j_store, browser_script(query, values)), query.bind(values))
            assert all(r in rows for r in alone), query.name
            if query.name == "network_as_of":  # each tie of the joint committee has its other end placed in
                assert len(rows) == len(alone)  # 乌镇 (the case file places the cooperative and the farm there)
    members = replay(neo4j_store, browser_script(get_query("joint_org_members"), {"org": "核桃树墕联村党委"}))
    assert sorted(r["member"] for r in members) == ["尚家沟村", "核桃树墕村"]


@pytest.mark.neo4j
def test_hostile_text_stays_one_value_on_the_server(neo4j_store):
    query = get_query("ego_network")
    text = browser_script(query, {"org": HOSTILE})
    assert text.count("\n") == browser_script(query, {"org": "西山"}).count("\n")  # the value kept to its line
    assert replay(neo4j_store, text.split("\n")[0] + "\nRETURN $org AS text") == [{"text": HOSTILE}]
