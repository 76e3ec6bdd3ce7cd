import pytest

from queries import statements


def test_ladybug_ddl_creates_typed_tables(schema):
    ddl = statements.ddl(schema, "ladybug")
    assert len(ddl) == len(schema.node_kinds) + len(schema.tie_kinds)
    village = ddl[schema.node_labels.index("Village")]
    assert village.startswith("CREATE NODE TABLE IF NOT EXISTS Village(id STRING PRIMARY KEY, name STRING")
    assert "aliases STRING[]" in village
    part_of = [s for s in ddl if "TABLE IF NOT EXISTS PART_OF(" in s][0]
    assert "FROM Village TO Town" in part_of and "start_year INT64" in part_of


def test_neo4j_ddl_has_a_uniqueness_constraint_per_kind(schema):
    ddl = statements.ddl(schema, "neo4j")
    constraints = [s for s in ddl if "REQUIRE n.id IS UNIQUE" in s]
    assert len(constraints) == len(schema.node_kinds)
    assert "CREATE CONSTRAINT village_id IF NOT EXISTS FOR (n:Village) REQUIRE n.id IS UNIQUE" in ddl


def test_upserts_label_both_endpoints_and_use_parameters(schema):
    for backend in statements.BACKENDS:
        text = statements.upsert_ties(schema, "MEMBER_OF", "Enterprise", "PartyOrganization", backend)
        assert text.startswith("UNWIND $rows AS r\nMATCH (a:Enterprise {id: r.src}) MATCH (b:PartyOrganization {id: r.dst})")
        assert "MERGE (a)-[e:MEMBER_OF]->(b)" in text
        node = statements.upsert_nodes(schema, "Village", backend)
        assert node.startswith("UNWIND $rows AS r\nMERGE (n:Village {id: r.id})")
    assert "e.role = coalesce(r.role, e.role)" in statements.upsert_ties(schema, "MEMBER_OF", "Village", "PartyOrganization", "neo4j")


def test_upserts_refuse_what_the_schema_does_not_allow(schema):
    with pytest.raises(ValueError, match="does not join Village to Enterprise"):
        statements.upsert_ties(schema, "MEMBER_OF", "Village", "Enterprise", "neo4j")
    with pytest.raises(ValueError, match="unknown backend"):
        statements.upsert_nodes(schema, "Village", "sqlite")
