"""The Neo4j ad hoc policy as a pure function of a plan (shaped as the driver's ``ResultSummary.plan``,
as measured on Neo4j 5.26) and a query type; no server."""

import pytest

from queries.neo4j_policy import default_policy, nested_procedures, operators, refusal, unplannable

POLICY = default_policy()


def op(kind, details="", *children, database="neo4j"):
    return {"operatorType": f"{kind}@{database}", "args": {"Details": details}, "identifiers": [],
            "children": list(children)}


def judge(plan, query_type="r", *, write=False, functions=()):
    return refusal(plan, query_type, write=write, database="neo4j", policy=POLICY, user_functions=functions)


def test_a_plain_read_passes_and_every_operator_is_visited():
    plan = op("ProduceResults", "n", op("Apply", "", op("AllNodesScan", "n"), op("Argument", "n")))
    assert judge(plan) is None
    assert [o["operatorType"].split("@")[0] for o in operators(plan)] == [
        "ProduceResults", "Apply", "Argument", "AllNodesScan"]


def test_load_csv_deep_in_a_union_is_refused_even_with_write():
    plan = op("ProduceResults", "n", op("Distinct", "n", op("Union", "", op("Projection", "n"),
                                                            op("Projection", "n", op("LoadCSV", "n")))))
    assert "may not read files or URLs (LOAD CSV)" in judge(plan, write=True)


@pytest.mark.parametrize("details, allowed", [
    ("db.labels() :: (label :: STRING)", True),
    ("db.schema.visualization() :: (nodes :: LIST<NODE>, relationships :: LIST<RELATIONSHIP>)", True),
    ("db.stats.collect($autostring_0) :: (section :: STRING, success :: BOOLEAN, message :: STRING)", False),
    ("db.resampleOutdatedIndexes() :: ()", False),
    ("dbms.components() :: (name :: STRING, versions :: LIST<STRING>, edition :: STRING)", False),
    ("apoc.load.json($autostring_0) :: (value :: MAP)", False),
    ("", False),
])
def test_procedures_only_from_the_allowlist(details, allowed):
    plan = op("ProduceResults", "x", op("ProcedureCall", details))
    found = judge(plan, write=True)
    assert (found is None) == allowed
    if not allowed:
        assert found.startswith("临时查询不能调用过程") and "db.labels" in found  # the hint lists the allowed ones


@pytest.mark.parametrize("kind", ["ShowTransactions", "TerminateTransactions", "ShowSettings", "ShowProcedures",
                                  "ShowFunctions", "ShowIndexes", "ShowConstraints"])
def test_server_commands_are_refused(kind):
    assert f"may not run server commands ({kind})" in judge(op("ProduceResults", "", op(kind)), write=True)


def test_administration_and_other_databases_are_refused():
    assert "server commands (AdministrationCommand)" in judge(op("AdministrationCommand", database="system"), "s")
    assert "only use the store's database neo4j" in judge(op("AllNodesScan", "n", database="other"))
    assert judge(op("AllNodesScan", "n", database="NEO4J")) is None  # database names ignore case


def test_transactions_of_their_own_are_refused():
    plan = op("EmptyResult", "", op("TransactionForeach", "IN TRANSACTIONS OF 1000 ROWS", op("EmptyRow")))
    assert "CALL { … } IN TRANSACTIONS" in judge(plan, "w", write=True)


@pytest.mark.parametrize("query_type, write, refused", [
    ("r", False, None), ("rw", False, "read-only"), ("w", False, "read-only"), ("rw", True, None),
    ("w", True, None), ("s", False, "not even with --write"), ("s", True, "not even with --write"),
    (None, True, "did not say"), ("x", False, "did not say"),
])
def test_query_types(query_type, write, refused):
    found = judge(op("ProduceResults", "n"), query_type, write=write)
    assert (found is None) if refused is None else (refused in found)


def test_no_plan_is_no_answer():
    assert "did not say" in judge(None, "r")
    assert "did not say" in judge({}, "r")


def test_subquery_expressions_inside_an_expression_are_read_from_the_details():
    nested_call = ("reduce(a = $autoint_1, x IN $autolist_2 | a + COUNT { ResolvedCall(db.stats.retrieve(section :: "
                   "STRING, config  =  Map{} :: MAP) :: section :: STRING, data :: MAP,ArraySeq()) RETURN data }) AS c")
    assert "may not call db.stats.retrieve" in judge(op("ProduceResults", "c", op("Projection", nested_call)))
    nested_load = '[x IN $autolist_0 | COUNT { LOAD CSV FROM "file:///x" AS l RETURN l AS l }] AS c'
    assert "LOAD CSV" in judge(op("Projection", nested_load))
    allowed = "[x IN $autolist_0 | COUNT { ResolvedCall(db.labels() :: label :: STRING,ArraySeq()) RETURN label }]"
    assert judge(op("Projection", allowed)) is None
    assert nested_procedures("ResolvedCall(db.labels() :: x) resolvedCALL(db.ping() :: y)", "resolvedcall(") == [
        "db.labels", "db.ping"]


def test_plugin_functions_are_refused_whatever_their_case():
    assert judge(op("Projection", "apoc.text.join($autolist_0, $autostring_1) AS x")) is None  # none installed
    found = judge(op("Projection", "APOC.load.jsonParams($u) AS x"), functions=["apoc.load.jsonParams"])
    assert "may not call the plugin function apoc.load.jsonParams" in found


def test_messages_for_what_the_server_will_not_plan():
    assert unplannable("Expected exactly one statement per query but got: 2").startswith("临时查询只能是一条语句 / ")
    assert unplannable("Invalid input 'ＬＯＡＤ'") == "服务器不接受该查询 / the server does not accept this query: Invalid input 'ＬＯＡＤ'"


def test_every_refusal_and_its_hint_say_it_in_chinese_first():
    """A refusal on Neo4j reads as on LadybugDB: the hint in Chinese, then English (several were English only),
    and no raw code of the server (``query type s``) in place of words."""
    import re

    from queries.neo4j_policy import MESSAGES

    for name, text in MESSAGES.items():
        assert re.match(r"[\u4e00-\u9fff]", text), name
        if "提示 hint:" in text:
            hint = text.split("提示 hint:", 1)[1]
            assert re.search(r"[\u4e00-\u9fff]", hint.split("/")[0]), (name, hint)
    assert "query type s" not in judge(op("ProduceResults", "n"), "s", write=True)
