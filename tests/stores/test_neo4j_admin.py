"""stores/neo4j_admin.py: files for ``neo4j-admin database import full``, and an import into a real server.

The end-to-end test reads a second Neo4j server (tests/private_neo4j.py, on the test server's jars and two free
ports, shared with the tests of scripts/neo4j): the Jia County example as exported from the embedded store was
imported into its home before its first start (as a new installation is seeded), that start set its password
and system database, and everything in it is compared with the embedded store.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from linkgraph.pipeline import load
from stores import open_store
from stores.neo4j_admin import ARRAY_DELIMITER, write_import
from tests.conftest import EXAMPLE
from tests.private_neo4j import run_script


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


@pytest.fixture
def exported(embedded_store, jia):
    embedded_store.write(jia.graph, sources=jia.sources)
    return embedded_store.export(), embedded_store.loaded_sources()


def test_files_follow_the_schema(tmp_path, exported, schema):
    graph, sources = exported
    files = write_import(tmp_path / "import", graph.nodes.values(), graph.ties.values(), schema=schema,
                         sources=sources)
    assert read_csv(files.nodes["PartyOrganization"][0]) == [[
        "id:ID(PartyOrganization)", "name:string", "name_raw:string", "aliases:string[]", "note:string",
        "claims:string", "place:string", "reconciliation:string", "source:string", "source_keys:string[]",
        "provenance:string", "conflicts:string", "match_text:string", "form:string", "joint:boolean",
        "mechanism:string", "brand:string[]"]]
    assert read_csv(files.relationships[("PART_OF", "Village", "Town")][0])[0][:3] == [
        ":START_ID(Village)", ":END_ID(Town)", "start_date:string"]
    assert read_csv(files.nodes["LoadedSource"][0]) == [[
        "key:ID(LoadedSource)", "title:string", "file:string", "kind:string", "digest:string", "loaded:string",
        "nodes:long", "ties:long", "complete:boolean", "loaded_by:string", "loaded_at:string", "folder:string"]]
    assert {row[0]: row[-1] for row in read_csv(files.nodes["LoadedSource"][1])} == {
        "case.yaml": str(EXAMPLE.resolve()), "nbs_roster_610828.csv": str(EXAMPLE.resolve())}
    committees = {row[0]: row for row in read_csv(files.nodes["PartyOrganization"][1])}
    joint = committees["jia:hetaoshuyan_joint_committee"]
    assert joint[1] == "核桃树墕联村党委" and joint[3] == "联村党委" and joint[14] == "true"
    assert joint[5] == '{"成员村数":9,"依据":"核桃樹墕村、尚家溝村等9個村突破以行政村為基本單元設置黨組織的方式"}'
    village = {row[0]: row for row in read_csv(files.nodes["Village"][1])}["610828105236"]
    assert village[3] == "西山村" and village[9] == f"nbs_roster_610828.csv{ARRAY_DELIMITER}case.yaml"
    assert village[4] == ""  # no note: left empty, which neo4j-admin reads as no property
    assert files.counts["Village"] == 334 and files.counts["PART_OF"] == 349
    assert sum(files.counts[t] for t in schema.tie_types) == len(graph.ties)
    command = files.command()
    assert command[:6] == ["neo4j-admin", "database", "import", "full", "neo4j", "--overwrite-destination=true"]
    assert "--array-delimiter=U+001F" in command
    assert f"--nodes=Village={files.nodes['Village'][0]},{files.nodes['Village'][1]}" in command
    assert files.command_text().startswith("neo4j-admin database import full neo4j --overwrite-destination=true ")


def test_streamed_records_need_their_endpoints(tmp_path, jia, schema):
    nodes = (n for n in jia.graph.nodes.values() if n.kind != "Village")
    with pytest.raises(ValueError, match="^端点不在节点中 / PART_OF 610828001001 → 610828001: no node '610828001001' among the nodes written"):
        write_import(tmp_path, nodes, iter(jia.graph.ties.values()), schema=schema)


@pytest.mark.neo4j
def test_an_import_into_a_real_server_equals_the_embedded_store(private_neo4j, schema, monkeypatch):
    """The private server (tests/private_neo4j.py) had the example imported into its home before its first start;
    tests/scripts/test_neo4j_script.py checks that start, and may have stopped and restarted the server since."""
    server = private_neo4j
    started = run_script(server.env, "start")  # (already running: it only checks that it is, and ready)
    assert started.returncode == 0, started.stdout + started.stderr
    monkeypatch.setenv("NEO4J_PASSWORD", server.env["NEO4J_PASSWORD"])
    graph = server.graph
    with open_store(server.uri, schema) as imported:
        assert imported.counts() == server.counts
        assert imported.loaded_sources() == server.sources
        again = imported.export()
        assert {i: n.props for i, n in again.nodes.items()} == {i: n.props for i, n in graph.nodes.items()}
        assert {k: t.props for k, t in again.ties.items()} == {k: t.props for k, t in graph.ties.items()}
        with open_store(str(server.home.parent / "graph.lbug"), schema, read_only=True) as embedded:
            assert imported.run_named("joint_org_members", {"org": "核桃树墕联村党委"}) == embedded.run_named(
                "joint_org_members", {"org": "核桃树墕联村党委"})
        constraints = imported.run("SHOW CONSTRAINTS YIELD name RETURN name ORDER BY name")
        assert {"village_id", "loadedsource_key"} <= {row["name"] for row in constraints}
    # the imported registry lets a later load skip the example as unchanged
    reloaded = load([EXAMPLE / "case.yaml"], server.uri)
    assert reloaded.report.plan.rows == 0 and len(reloaded.report.unchanged_sources) == 2
