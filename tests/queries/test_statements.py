import pytest

from queries import statements


def test_ladybug_ddl_creates_typed_tables(schema):
    ddl = statements.ddl(schema, "ladybug")
    # the registry, its columns added since (a store made before them gets them on opening), the index of names
    assert len(ddl) == len(schema.node_kinds) + len(schema.tie_kinds) + 5
    village = ddl[schema.node_labels.index("Village")]
    assert village.startswith("CREATE NODE TABLE IF NOT EXISTS Village(id STRING PRIMARY KEY, name STRING")
    assert "aliases STRING[]" in village and "provenance STRING" in village
    part_of = [s for s in ddl if "TABLE IF NOT EXISTS PART_OF(" in s][0]
    assert "FROM Village TO Town" in part_of and "start_year INT64" in part_of
    assert ddl[-5].startswith("CREATE NODE TABLE IF NOT EXISTS LoadedSource(key STRING PRIMARY KEY")
    assert ddl[-4:] == ["ALTER TABLE LoadedSource ADD IF NOT EXISTS loaded_by STRING DEFAULT ''",
                        "ALTER TABLE LoadedSource ADD IF NOT EXISTS loaded_at STRING DEFAULT ''",
                        "ALTER TABLE LoadedSource ADD IF NOT EXISTS folder STRING DEFAULT ''",
                        "CREATE NODE TABLE IF NOT EXISTS NameKey(key STRING PRIMARY KEY, nodes STRING[])"]


def test_neo4j_ddl_has_a_uniqueness_constraint_per_kind(schema):
    ddl = statements.ddl(schema, "neo4j")
    constraints = [s for s in ddl if "REQUIRE n.id IS UNIQUE" in s]
    assert len(constraints) == len(schema.node_kinds)
    assert "CREATE CONSTRAINT village_id IF NOT EXISTS FOR (n:Village) REQUIRE n.id IS UNIQUE" in ddl


def test_writes_label_both_endpoints_and_use_parameters(schema):
    for backend in statements.BACKENDS:
        text = statements.create_ties(schema, "MEMBER_OF", "Enterprise", "PartyOrganization", backend)
        assert text.startswith("UNWIND $rows AS r\nMATCH (a:Enterprise {id: r.src}) MATCH (b:PartyOrganization {id: r.dst})")
        update = statements.update_nodes(schema, "Village", backend)
        assert update.startswith("UNWIND $rows AS r\nMATCH (n:Village {id: r.id})")
        assert "$" not in statements.delete_ties("PART_OF", "Village", "Town").replace("$rows", "")
    assert "e.role = r.role" in statements.update_ties(schema, "MEMBER_OF", "Village", "PartyOrganization", "ladybug")
    assert "aliases: CAST(r.aliases AS STRING[])" in statements.create_nodes(schema, "Village", "ladybug")


def test_writes_refuse_what_the_schema_does_not_allow(schema):
    with pytest.raises(ValueError, match="does not join Village to Enterprise"):
        statements.create_ties(schema, "MEMBER_OF", "Village", "Enterprise", "neo4j")
    with pytest.raises(ValueError, match="unknown backend"):
        statements.create_nodes(schema, "Village", "sqlite")
    with pytest.raises(ValueError, match="unsafe path"):
        statements.copy_nodes("Village", "/tmp/x'; DROP")


def test_collected_returns_the_rows_of_a_statement_as_one_list():
    cypher = statements.collected(statements.ids_present("Town"), statements.ID_COLUMNS)
    assert cypher.startswith("CALL {\nUNWIND $ids AS i\nMATCH (n:Town {id: i})\n")
    assert cypher.endswith("}\nRETURN collect([id]) AS rows")


def test_count_every_kind_names_each_kind_of_the_schema_once(schema):
    cypher = statements.count_every_kind(schema)
    kinds = len(schema.node_kinds) + len(schema.tie_kinds)
    assert cypher.count("CALL {") == kinds
    assert "CALL { MATCH (n:Village) RETURN count(n) AS c" in cypher and "MATCH ()-[e:PART_OF]->()" in cypher
    assert cypher.splitlines()[-1] == "RETURN " + ", ".join(f"c{i}" for i in range(kinds))
