"""Store arguments and connection failures: paths, Neo4j URIs, and what is refused with which hint."""

import logging
import os
import re
import uuid
import socket
import traceback
from pathlib import Path

import neo4j
import pytest

from stores import open_store
from stores.connection import (
    DatabaseMissing, LoginRefused, ServerUnreachable, StoreSpec, StoreSpecError, parse_store_spec, redact,
)

SECRET = "s3cr/et@pw"


@pytest.mark.parametrize("spec, expected", [
    ("bolt://127.0.0.1:7687", StoreSpec("neo4j", "bolt://127.0.0.1:7687")),
    ("bolt+s://db.example.org:7687", StoreSpec("neo4j", "bolt+s://db.example.org:7687")),
    ("neo4j://db.example.org", StoreSpec("neo4j", "neo4j://db.example.org")),
    ("neo4j+s://abc.databases.neo4j.io", StoreSpec("neo4j", "neo4j+s://abc.databases.neo4j.io")),
    (" BOLT://127.0.0.1:7687/ ", StoreSpec("neo4j", "bolt://127.0.0.1:7687/")),
    ("output/jia.lbug", StoreSpec("embedded", "output/jia.lbug")),
    ("neo4j/graph.lbug", StoreSpec("embedded", "neo4j/graph.lbug")),
    ("/tmp/佳县.lbug", StoreSpec("embedded", "/tmp/佳县.lbug")),
    (Path("http://x"), StoreSpec("embedded", "http:/x")),  # a Path object is always a path
])
def test_a_store_is_a_path_or_a_neo4j_uri(spec, expected):
    assert parse_store_spec(spec) == expected


@pytest.mark.parametrize("spec, chinese, message, hint", [
    ("http://127.0.0.1:7474", "不是 Bolt 地址，7474 是 Neo4j 浏览器（HTTP）的端口", "7474 is the port of Neo4j Browser (HTTP)",
     "请改用 / use bolt://127.0.0.1:7687"),
    ("https://db.example.org:7473/browser/", "不是 Bolt 地址，7473 是", "7473 is the port of Neo4j Browser",
     "use bolt://db.example.org:7687"),
    ("http://db.example.org:8080", "不是 Bolt 地址，linkgraph 通过 Bolt 连接 Neo4j", "linkgraph talks to Neo4j over Bolt",
     "use bolt://db.example.org:8080"),
    ("http:/127.0.0.1:7474", "不是 Bolt 地址", "7474 is the port of Neo4j Browser", "use bolt://127.0.0.1:7687"),
    ("bolt:/127.0.0.1:7687", "地址格式不对", "is not a valid URI", "是否应为 / did you mean bolt://127.0.0.1:7687?"),
    ("bolt:127.0.0.1:7687", "地址格式不对", "is not a valid URI", "did you mean bolt://127.0.0.1:7687?"),
    ("neo4j:127.0.0.1", "地址格式不对", "is not a valid URI", "did you mean neo4j://127.0.0.1?"),
    ("bolt//127.0.0.1:7687", "地址格式不对", "is not a valid URI", "did you mean bolt://127.0.0.1:7687?"),
    ("bolt+s:///db.example.org", "地址格式不对", "is not a valid URI", "did you mean bolt+s://db.example.org?"),
    ("127.0.0.1:7687", "这像是服务器地址，不是文件", "looks like a server address", "use bolt://127.0.0.1:7687"),
    ("localhost:7474", "这像是服务器地址，不是文件", "looks like a server address", "use bolt://localhost:7687"),
    ("redis://127.0.0.1", "不支持的地址", "unknown scheme redis://", "bolt://, bolt+s://"),
    ("file:///tmp/g.lbug", "不支持的地址", "unknown scheme file://", "a file path"),
    ("bolt://127.0.0.1:99999", "地址格式不对：主机须为名称或地址，端口须为数字", "is not a valid URI", "bolt://127.0.0.1:7687"),
    ("bolt://127.0.0.1:7687/mydb", "地址不应含路径", "a Neo4j URI has no path", "用 NEO4J_DATABASE 选择数据库"),
    ("  ", "未指定数据库", "no store given", "linkgraph.lbug"),
])
def test_what_looks_like_an_address_but_is_none_is_refused_with_a_hint(spec, chinese, message, hint, tmp_path,
                                                                       monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreSpecError) as raised:
        open_store(spec)
    text = str(raised.value)
    said, _, hinted = text.partition(" (提示 hint: ")
    assert said.startswith(chinese) and said.index(" / ") < said.index(message) and hint in hinted
    assert raised.value.exit_code == 2
    assert list(tmp_path.iterdir()) == []  # no file store was created in its place


@pytest.mark.parametrize("spec", [
    f"bolt://neo4j:{SECRET}@127.0.0.1:7687", f"neo4j+s://admin:{SECRET}@db.example.org",
    f"bolt:/neo4j:{SECRET}@127.0.0.1:7687", f"http://neo4j:{SECRET}@127.0.0.1:7474",
])
def test_credentials_in_a_uri_are_refused_and_never_shown(spec):
    with pytest.raises(StoreSpecError) as raised:
        open_store(spec)
    shown = "".join(traceback.format_exception(raised.value))
    assert SECRET not in shown and "s3cr" not in shown
    # the password holds a "/": where the host begins is not sure, so all between scheme and port is masked
    assert re.search(r" / [a-z0-9+]+:/+\*\*\*[ :]", str(raised.value))


def test_credentials_in_a_uri_point_to_the_variables():
    with pytest.raises(StoreSpecError) as raised:
        open_store("bolt://neo4j:s3cr@t@127.0.0.1:7687")
    assert str(raised.value) == ("地址中不能含用户名和密码 / bolt://***@127.0.0.1:7687: credentials in the store URI are "
                                 "refused (提示 hint: 用户名和密码放在 NEO4J_USER 和 NEO4J_PASSWORD / give the user and "
                                 "password in NEO4J_USER and NEO4J_PASSWORD)")


def test_redact_keeps_scheme_and_host():
    assert redact("bolt://neo4j:pw@127.0.0.1:7687") == "bolt://***@127.0.0.1:7687"
    assert redact("bolt://127.0.0.1:7687") == "bolt://127.0.0.1:7687"
    assert redact("bolt+s://[::1]:7687/") == "bolt+s://[::1]:7687/"


def test_only_create_makes_a_new_embedded_store(tmp_path):
    path = tmp_path / "new.lbug"
    for kwargs in ({"create": False}, {"read_only": True}):
        with pytest.raises(StoreSpecError, match=r"^该路径没有数据库 / no embedded store at .*new\.lbug .*load data first: linkgraph load"):
            open_store(str(path), **kwargs)
        assert not path.exists()
    with open_store(str(path), create=True) as store:
        assert store.counts()["Village"] == 0
    with open_store(str(path), create=False) as store:  # now it exists
        assert store.backend == "ladybug"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_server_that_is_down_is_an_environment_error(monkeypatch):
    monkeypatch.setenv("NEO4J_PASSWORD", SECRET)
    port = _free_port()
    with pytest.raises(ServerUnreachable) as raised:
        open_store(f"bolt://127.0.0.1:{port}")
    assert str(raised.value).startswith(f"无法连接 Neo4j / cannot reach Neo4j at bolt://127.0.0.1:{port}: "
                                        "[Errno 111] Connection refused")
    assert "scripts/neo4j start" in str(raised.value)
    assert raised.value.exit_code == 1
    assert SECRET not in "".join(traceback.format_exception(raised.value))


def test_no_password_says_which_variable(monkeypatch):
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    with pytest.raises(LoginRefused, match="^请设置环境变量 NEO4J_PASSWORD / no password for Neo4j at "
                                           "bolt://127.0.0.1:7687 .*NEO4J_PASSWORD"):
        open_store("bolt://127.0.0.1:7687")


@pytest.mark.neo4j
def test_a_wrong_password_is_refused_with_the_hint(neo4j_uri, monkeypatch):
    monkeypatch.setenv("NEO4J_PASSWORD", SECRET)
    with pytest.raises(LoginRefused) as raised:
        open_store(neo4j_uri)
    text = str(raised.value)
    assert text.startswith(f"用户名或密码不对 / Neo4j at {neo4j_uri} refused the login of user 'neo4j': "
                           "The client is unauthorized due to authentication failure.")
    assert "NEO4J_PASSWORD" in text and "scripts/neo4j reset" in text
    assert raised.value.exit_code == 1
    assert SECRET not in "".join(traceback.format_exception(raised.value))


@pytest.mark.neo4j
def test_a_missing_database_names_the_variable(neo4j_uri, monkeypatch):
    monkeypatch.setenv("NEO4J_DATABASE", "no_such_db")
    with pytest.raises(DatabaseMissing) as raised:
        open_store(neo4j_uri)
    assert str(raised.value) == (f"数据库不存在 / Neo4j at {neo4j_uri} has no database 'no_such_db' (提示 hint: 将 "
                                 "NEO4J_DATABASE 设为已有的数据库，默认 neo4j / set NEO4J_DATABASE to an existing "
                                 "database, default neo4j; SHOW DATABASES lists them)")
    assert raised.value.exit_code == 1


@pytest.mark.neo4j
def test_driver_notifications_are_off(neo4j_store, jia, neo4j_uri, schema, caplog, capsys):
    """Asking for a property no tie has ever had makes the server warn (an unknown property
    key); a plain driver logs that, the store's connection asks the server for none."""
    neo4j_store.write(jia.graph)
    capsys.readouterr()
    unknown = f"never_written_{uuid.uuid4().hex}"
    with caplog.at_level(logging.INFO, logger="neo4j.notifications"):
        with neo4j.GraphDatabase.driver(neo4j_uri, auth=("neo4j", os.environ["NEO4J_PASSWORD"])) as plain:
            plain.execute_query(f"MATCH ()-[e:PART_OF]->() RETURN e.{unknown} LIMIT 1", database_="neo4j")
        assert any(unknown in record.getMessage() for record in caplog.records)
        caplog.clear()
        assert len(neo4j_store.export().ties) == 386  # 349 roster ties and 37 of the case
        assert caplog.records == []
    assert capsys.readouterr().err == ""
