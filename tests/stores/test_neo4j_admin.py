"""stores/neo4j_admin.py: files for ``neo4j-admin database import full``, and an import into a real server.

The end-to-end test assembles a second Neo4j home from the test server's jars
(``$NEO4J_HOME/lib``, which ``scripts/test`` sets up) on two free ports,
imports the Jia County example as exported from the embedded store into it
before its first start (as a new installation is seeded), starts it (password,
system database) and compares everything with the embedded store.
"""

from __future__ import annotations

import csv
import os
import socket
import subprocess
from pathlib import Path

import pytest

from linkgraph.pipeline import load
from stores import open_store
from stores.neo4j_admin import ARRAY_DELIMITER, write_import
from tests.conftest import EXAMPLE, REPO, unavailable


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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.neo4j
def test_an_import_into_a_real_server_equals_the_embedded_store(tmp_path, exported, embedded_store, schema,
                                                                neo4j_uri):
    lib = Path(os.environ.get("NEO4J_HOME", REPO / ".neo4j" / "test")) / "lib"
    if not (lib / ".assembled-from").exists():
        unavailable(f"no Neo4j jars in {lib} (scripts/test assembles them)")
    home = tmp_path / "neo4j-home"
    home.mkdir()
    (home / "lib").symlink_to(lib)
    bolt = free_port()
    env = {**os.environ, "NEO4J_HOME": str(home), "NEO4J_BOLT_PORT": str(bolt), "NEO4J_HTTP_PORT": str(free_port())}
    server = [str(REPO / "scripts" / "neo4j")]

    def run(*args: str) -> None:
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr

    graph, sources = exported
    files = write_import(tmp_path / "import", graph.nodes.values(), graph.ties.values(), schema=schema,
                         sources=sources)
    admin = ["java", "-Xmx512m", "-cp", f"{home / 'lib'}/*", "org.neo4j.server.startup.Neo4jAdminCommand"]
    try:
        run(*files.command(admin))
        run(*server, "start")
        uri = f"bolt://127.0.0.1:{bolt}"
        with open_store(uri, schema) as imported:
            assert imported.counts() == embedded_store.counts()
            assert imported.loaded_sources() == embedded_store.loaded_sources()
            again = imported.export()
            assert {i: n.props for i, n in again.nodes.items()} == {i: n.props for i, n in graph.nodes.items()}
            assert {k: t.props for k, t in again.ties.items()} == {k: t.props for k, t in graph.ties.items()}
            assert imported.run_named("joint_org_members", {"org": "核桃树墕联村党委"}) == embedded_store.run_named(
                "joint_org_members", {"org": "核桃树墕联村党委"})
            constraints = imported.run("SHOW CONSTRAINTS YIELD name RETURN name ORDER BY name")
            assert {"village_id", "loadedsource_key"} <= {row["name"] for row in constraints}
        # the imported registry lets a later load skip the example as unchanged
        reloaded = load([EXAMPLE / "case.yaml"], uri)
        assert reloaded.report.plan.rows == 0 and len(reloaded.report.unchanged_sources) == 2
    finally:
        subprocess.run([*server, "stop"], env=env, capture_output=True, timeout=120)
