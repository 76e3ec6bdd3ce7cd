"""``linkgraph serve`` over real HTTP: a uvicorn server on 127.0.0.1 in a thread, requests with urllib."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import html
import http.client
import io
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from benchmarks.serve_load import HOSTILE as HOSTILE_REQUESTS
from graph_model.records import make_node
from linkgraph import pipeline
from linkgraph.cli import main
from linkgraph.serve import SERVER_CHECK_SECONDS, bind, create_app, page_policy
from stores import open_store
from tests.conftest import EXAMPLE
from tests.visualizations.helpers import HOSTILE, hostile_graph

TRADITIONAL_COMMITTEE = "核桃樹墕聯村黨委"


@contextlib.contextmanager
def running(store: str | Path, cache: Path, title: str = "佳县 Jia County", scope: pipeline.Scope = pipeline.EVERYTHING,
            users: Path | None = None):
    """The app over ``store`` (with the user database ``users``: None, no accounts) served on a free port of
    127.0.0.1, with uvicorn's defaults (proxy headers trusted from 127.0.0.1); yields its address and the app."""
    import uvicorn

    app = create_app(str(store), cache, title=title, scope=scope, users=users)
    sock = bind(0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", app
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def jia_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("serve") / "jia.lbug"
    pipeline.load([EXAMPLE / "case.yaml"], str(path), replace=True)
    return path


@pytest.fixture(scope="module")
def site(jia_store, tmp_path_factory):
    with running(jia_store, tmp_path_factory.mktemp("cache")) as (url, app):
        yield url


@pytest.fixture(scope="module")
def hostile_site(schema, tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "hostile.lbug"
    with open_store(str(path), schema, create=True) as store:
        store.write(hostile_graph(schema))
    with running(path, tmp_path_factory.mktemp("cache"), title=HOSTILE) as (url, app):
        yield url


def get(url: str, *, method: str = "GET", headers: dict[str, str] | None = None):
    """``(status, headers, body bytes)``, also for 4xx and 5xx answers."""
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def path(url: str, route: str, **params: str) -> str:
    return url + route + ("?" + urllib.parse.urlencode(params) if params else "")


def table_rows(page: str, table_id: str) -> list[list[str]]:
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', page, re.S).group(1)
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<t[dh]>(.*?)</t[dh]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]


PAGES = ["/", "/map", "/queries", "/queries/kind_counts", "/nodes?q=%E8%A5%BF%E5%B1%B1", "/nodes/610828105236",
         "/report/"]


@pytest.mark.parametrize("route", PAGES)
def test_every_page_answers_under_a_policy_that_forbids_framing(site, route):
    status, headers, body = get(site + route)
    assert status == 200, body[:300]
    text = body.decode("utf-8")
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
    policy = headers["Content-Security-Policy"]
    assert policy == page_policy(text)
    assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy
    script_src = re.search(r"script-src ([^;]+)", policy).group(1)
    assert "unsafe" not in script_src
    assert script_src == ("'none'" if route != "/map" else script_src)
    assert "Traceback" not in text


def test_the_map_is_the_same_page_with_data_from_the_store(site, jia):
    status, headers, body = get(site + "/map")
    text = body.decode("utf-8")
    data = re.search(r'id="linkgraph-data">(.*?)</script>', text, re.S).group(1)
    import json

    data = json.loads(data)
    assert (len(data["nodes"]["id"]), len(data["edges"]["from"])) == (368, 386)  # 349 roster ties and 37 of the case
    assert data["links"]["node"] == "/nodes/{id}"
    assert len(re.findall(r"'sha256-", headers["Content-Security-Policy"])) == 2


def test_a_query_form_returns_the_right_rows_and_downloads_them(site):
    status, _, body = get(path(site, "/queries/joint_org_members", org=TRADITIONAL_COMMITTEE))
    assert status == 200
    page = body.decode("utf-8")
    rows = table_rows(page, "answer")
    assert rows[0][:4] == ["联合党组织 organization", "成员类型 member_kind", "成员标识 member_id", "成员 member"]
    assert sorted(r[3] for r in rows[1:]) == ["尚家沟村", "核桃树墕村"]
    assert all(r[0] == "核桃树墕联村党委" and r[5] == "2021" for r in rows[1:])
    assert 'href="/nodes/610828103224"' in page  # ids link to the node's page
    assert "/map#highlight=610828103221,610828103224" in page  # the nodes the answer names by id
    _, headers, data = get(path(site, "/queries/joint_org_members", org=TRADITIONAL_COMMITTEE, format="csv"))
    assert headers["Content-Disposition"] == 'attachment; filename="joint_org_members.csv"'
    assert data.startswith(b"\xef\xbb\xbf")
    csv_rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert csv_rows == rows
    _, headers, data = get(path(site, "/queries/joint_org_members", org=TRADITIONAL_COMMITTEE, format="xlsx"))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data)).active
    assert [[("" if c is None else str(c)) for c in row] for row in sheet.iter_rows(values_only=True)] == rows
    assert sheet.freeze_panes == "A2"


def test_a_query_with_a_wrong_value_says_why(site):
    status, _, body = get(path(site, "/queries/ego_network", org="西山村", hops="1"))
    page = body.decode("utf-8")
    assert status == 400
    assert "names 2 nodes" in html.unescape(page) and "610828102209" in page and "610828105236" in page
    assert 'value="西山村"' in page  # the form keeps what was typed


def test_a_node_page_lists_its_ties_evidence_sources_and_measures(site):
    status, _, body = get(site + "/nodes/jia:county_committee_office")
    page = html.unescape(body.decode("utf-8"))
    assert status == 200
    assert "佳县县委办公室" in page and "帮扶单位 Assistance unit" in page
    assert "依据 Evidence: 佳縣縣委辦公室是通鎮西山村的幫扶單位" in page
    assert "机制 Mechanism: 八联八帮" in page
    assert re.search(r"来源 Source: 佳县“党建综合体”新闻报道 [^(]+\(case\.yaml, 行 row \d+, 载入 loaded \d{4}-\d\d-\d\d", page)
    assert "中介中心性 Betweenness" in page
    assert '/map#focus=jia%3Acounty_committee_office' in page


def test_a_download_always_runs_the_query_and_a_missing_parameter_is_refused(site):
    status, _, body = get(path(site, "/queries/joint_org_members", format="csv"))  # no org: was an empty 200
    assert status == 400
    assert "joint_org_members needs parameter org" in html.unescape(body.decode("utf-8"))
    status, _, data = get(path(site, "/queries/kind_counts", format="csv"))  # no parameters: runs at once
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert status == 200 and ["村/社区 Village", "334"] in rows and len(rows) == 12


def test_the_report_is_written_into_the_cache_and_served(site):
    status, headers, body = get(site + "/report")
    assert status == 200 and "中心性" in body.decode("utf-8")  # /report redirects to /report/
    status, headers, data = get(site + "/report/centrality.csv")
    assert status == 200 and data.startswith(b"\xef\xbb\xbf") and headers["Content-Disposition"].startswith("attachment")


def test_a_town_served_alone(jia_store, tmp_path):
    with running(jia_store, tmp_path / "cache", scope=pipeline.Scope(within="刘国具镇")) as (url, app):
        status, _, body = get(url + "/nodes/jia:hezhai_liquor")
        assert status == 200 and "陕西贺寨酒业有限公司" in body.decode("utf-8")
        assert get(url + "/nodes/jia:hetaoshuyan_joint_committee")[0] == 404  # 乌镇's
        status, _, body = get(url + "/report/")
        page = body.decode("utf-8")
        assert status == 200 and "610828111" in page and "核桃树墕联村党委" not in page
        status, _, body = get(path(url, "/queries/joint_org_members", org="核桃树墕联村党委"))
        assert status == 200 and "尚家沟村" in body.decode("utf-8")  # the saved queries answer over the whole store


@pytest.mark.parametrize("probe", HOSTILE_REQUESTS, ids=lambda p: f"{p.method} {p.target[:60]} {dict(p.headers)}")
def test_hostile_paths_and_parameters_get_4xx_and_no_trace(site, probe):
    """The hostile requests of the load benchmark, one at a time (tests/benchmarks sends them under load)."""
    status, answer_headers, body = get(site + probe.target, method=probe.method, headers=dict(probe.headers))
    text = body.decode("utf-8", "replace")
    assert 400 <= status < 500 and status == probe.expected, text[:300]
    assert "Traceback" not in text and 'File "' not in text and "/work/" not in text
    assert answer_headers["X-Frame-Options"] == "DENY"


def test_hostile_names_stay_text_on_every_page(hostile_site):
    for route in ["/", "/map", "/nodes/v1", "/nodes/a1", "/nodes?q=%E5%8E%BF%E5%A7%94%E5%8A%9E",
                  "/queries/find_by_name?text=%E5%8E%BF%E5%A7%94%E5%8A%9E", "/report/",
                  "/queries/ego_network?hops=1&org=" + urllib.parse.quote(HOSTILE)]:
        status, headers, body = get(hostile_site + route)
        text = body.decode("utf-8")
        assert status in (200, 400), route
        assert HOSTILE not in text and "<img src=x" not in text, route
        scripts = re.findall(r"<script>(.*?)</script>", text, re.S)  # the page's own (vis-network, map.js)
        assert len(scripts) == (2 if route == "/map" else 0) or route == "/report/", route


def test_the_store_is_only_read_and_pages_follow_a_new_load(schema, tmp_path):
    store = tmp_path / "g.lbug"
    with open_store(str(store), schema, create=True) as target:
        target.write(hostile_graph(schema))

    def digest() -> str:
        return hashlib.sha256(store.read_bytes()).hexdigest() if store.is_file() else \
            hashlib.sha256(b"".join(p.read_bytes() for p in sorted(store.rglob("*")) if p.is_file())).hexdigest()

    before = digest()
    with running(store, tmp_path / "cache") as (url, app):
        for route in PAGES[:4] + ["/nodes/v1", "/queries/find_by_name?text=%E9%80%9A"]:
            get(url + route)
        assert digest() == before
        assert "新加的合作社" not in get(url + "/nodes?q=%E6%96%B0%E5%8A%A0")[2].decode("utf-8")
        time.sleep(0.01)
        with open_store(str(store), schema) as target:  # a load beside the running app
            from graph_model.records import GraphData

            extra = GraphData()
            extra.add_node(make_node(schema, "Cooperative", {"id": "c9", "name": "新加的合作社", "source": "s"}))
            target.write(extra)
        assert "新加的合作社" in get(url + "/nodes/c9")[2].decode("utf-8")


def test_serve_refuses_a_missing_store_and_a_taken_port(tmp_path, capsys, jia_store):
    assert main(["serve", "--store", str(tmp_path / "none.lbug")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误 error: 该路径没有数据库 / no embedded store at") and "Traceback" not in err
    sock = bind(0)
    try:
        assert main(["serve", "--store", str(jia_store), "--port", str(sock.getsockname()[1])]) == 2
        err = capsys.readouterr().err
        assert "Address already in use" in err and "--port" in err
    finally:
        sock.close()


def test_answers_on_a_kept_alive_connection_do_not_wait_for_delayed_acks(site):
    """Browsers keep connections open; with Nagle's algorithm left on (a socket made with protocol 0, which
    asyncio does not recognise as TCP) every answer after the first waited 40 ms or more."""
    sock = bind(0)
    sock.close()
    assert sock.proto == socket.IPPROTO_TCP
    # asyncio turns Nagle's algorithm off (TCP_NODELAY) only on sockets whose protocol is IPPROTO_TCP: the
    # cause is checked, not the clock (a busy machine answers slowly for other reasons). 40 ms or more an answer
    # after the first was measured before; benchmarks/serve_load.py reports the latencies.
    connection = http.client.HTTPConnection("127.0.0.1", urllib.parse.urlsplit(site).port, timeout=60)
    for _ in range(12):
        connection.request("GET", "/nodes/610828105236")
        answer = connection.getresponse()
        assert answer.status == 200 and b"</html>" in answer.read()
    connection.close()


def test_pages_made_already_do_not_wait_for_the_report_or_a_query(jia_store, tmp_path):
    """Under load every node page used to wait for whatever query ran or page was being made (one lock)."""
    from linkgraph.serve import Site

    site = Site(str(jia_store), tmp_path)
    graph = site.graph
    started, release = threading.Event(), threading.Event()

    def slow_report() -> str:
        started.set()
        release.wait(30)
        return "report"

    making = threading.Thread(target=site.cached, args=("report", slow_report))
    making.start()
    started.wait(30)
    answered = threading.Event()

    def read_page_data() -> None:
        assert site.graph is graph and len(site.ties_of["610828105236"]) == 3
        answered.set()

    with site._query_lock:  # as while a query runs
        reader = threading.Thread(target=read_page_data)
        reader.start()
        # while the report is still being made and the query still runs, the page's data is read: waiting for
        # either would never end before release (a generous bound, not a speed: it only keeps a regression from
        # hanging the suite)
        assert answered.wait(120)
        reader.join(120)
    release.set()
    making.join(30)
    assert site.cached("report", lambda: "made again") == "report"  # made once, kept


def test_spreadsheet_cells_never_run_as_formulas():
    from openpyxl import load_workbook

    from linkgraph.serve import answer_workbook

    data = answer_workbook("t", ["名称 name"], [['=HYPERLINK("http://x")'], ["610828105236"], [3], ["@x"]])
    sheet = load_workbook(io.BytesIO(data)).active
    # the report's writer and its one rule (visualizations.tables.neutralized): formula-like text gets an apostrophe
    assert [c.value for c in sheet["A"]] == ["名称 name", '\'=HYPERLINK("http://x")', "610828105236", 3, "'@x"]
    assert [c.data_type for c in sheet["A"]] == ["s", "s", "s", "n", "s"]
    assert sheet.freeze_panes == "A2" and sheet.title == "t"


def test_a_page_policy_allows_exactly_its_own_scripts():
    page = '<script>a()</script><script type="application/json">{"x": 1}</script><script src="x.js"></script>'
    assert page_policy(page).startswith("default-src 'none'; script-src 'sha256-")
    assert page_policy(page).count("'sha256-") == 1
    assert "script-src 'none'" in page_policy("<p>no scripts</p>")


@pytest.mark.neo4j
def test_serve_answers_from_neo4j(neo4j_store, neo4j_uri, jia, tmp_path):
    neo4j_store.write(jia.graph)
    with running(neo4j_uri, tmp_path / "cache") as (url, app):
        status, _, body = get(path(url, "/queries/joint_org_members", org=TRADITIONAL_COMMITTEE))
        assert status == 200
        assert sorted(r[3] for r in table_rows(body.decode("utf-8"), "answer")[1:]) == ["尚家沟村", "核桃树墕村"]
        status, _, body = get(url + "/nodes/610828105236")
        assert status == 200 and "依据 Evidence: 佳縣縣委辦公室是通鎮西山村的幫扶單位" in html.unescape(body.decode("utf-8"))
        status, _, body = get(url + "/map")
        assert status == 200 and '"links": {"home": "/"' in body.decode("utf-8")
        assert get(url + "/nodes/c9")[0] == 404
        from graph_model.records import GraphData

        extra = GraphData()
        extra.add_node(make_node(neo4j_store.schema, "Cooperative", {"id": "c9", "name": "新加的合作社", "source": "s"}))
        neo4j_store.write(extra)  # a load beside the running app: the pages follow within SERVER_CHECK_SECONDS
        time.sleep(SERVER_CHECK_SECONDS)
        assert "新加的合作社" in get(url + "/nodes/c9")[2].decode("utf-8")


# ---------------------------------------------------------------- a real `linkgraph serve` process

@contextlib.contextmanager
def serve_process(store: Path, *extra: str):
    """``linkgraph serve`` as a user starts it (its own process, a free port); yields its address."""
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-m", "linkgraph", "serve", "--store", str(store), "--port", "0", *extra],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        line = process.stdout.readline()
        address = re.search(r"http://127\.0\.0\.1:\d+", line)
        assert address, (line, process.stderr.read() if process.poll() is not None else "")
        yield address[0]
    finally:
        process.terminate()
        process.wait(20)


MALFORMED_REQUESTS = {
    "not HTTP": b"GARBAGE\r\n\r\n",
    "HTTP/0.9": b"GET /\r\n\r\n",
    "bad request line": b"GET / / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    "header without colon": b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n",
    "headers too long": b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Long: " + b"a" * 200_000 + b"\r\n\r\n",
    "no Host": b"GET / HTTP/1.1\r\n\r\n",
    "foreign Host": b"GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n",
    "two Hosts": b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n",
    "bad Content-Length": b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: x\r\n\r\n",
    "TLS hello": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(64),
    "NUL in the path": b"GET /\x00 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
}


def raw_answer(address: str, request: bytes) -> tuple[int, dict[str, str]]:
    """The status and headers a raw request over a socket gets (read until the headers end)."""
    host, port = address.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=20) as sock:
        with contextlib.suppress(OSError):  # the server may close before it has read all of a long request
            sock.sendall(request)
        data = b""
        with contextlib.suppress(ConnectionResetError):
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
    head = data.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in head[1:] if ": " in line)
    return int(head[0].split()[1]), headers


def test_requests_refused_below_the_app_carry_the_security_headers(jia_store):
    with serve_process(jia_store) as address:
        for name, request in MALFORMED_REQUESTS.items():
            status, headers = raw_answer(address, request)
            assert status == 400, name
            assert headers.get("x-frame-options") == "deny", name
            assert headers.get("x-content-type-options") == "nosniff", name
            assert "frame-ancestors 'none'" in headers.get("content-security-policy", ""), name
        assert raw_answer(address, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")[0] == 200  # and it still answers


ODD_IDS = ["a/b", "a%2Fb", "../x", "..", ".", "x?y=1", "x#y", "a b", "佳县/通镇", "%", "a/../b", "/lead", "trail/",
           "100%", "?", "#", "a\\b", "&amp;"]


def test_every_listed_node_opens_whatever_its_id(schema, tmp_path):
    from graph_model.records import GraphData

    graph = GraphData(schema=schema)
    for number, node_id in enumerate(ODD_IDS):
        graph.add_node(make_node(schema, "Cooperative", {"id": node_id, "name": f"奇特合作社{number}", "source": "s"}))
    path = tmp_path / "odd.lbug"
    with open_store(str(path), schema, create=True) as store:
        store.write(graph)
    with serve_process(path) as address:
        status, _, body = get(address + "/nodes?q=" + urllib.parse.quote("奇特合作社"))
        assert status == 200
        links = re.findall(r'<a href="(/nodes[/?][^"]*)">(奇特合作社\d+)</a>', body.decode("utf-8"))
        assert len(links) == len(ODD_IDS)
        for href, name in links:
            status, _, page = get(address + html.unescape(href))
            node_id = ODD_IDS[int(name.removeprefix("奇特合作社"))]
            assert status == 200, (node_id, href)
            assert html.escape(node_id) in page.decode("utf-8") and name in page.decode("utf-8"), node_id


def test_the_centralities_are_computed_once_for_the_map_the_node_pages_and_the_report(jia_store, tmp_path,
                                                                                      monkeypatch):
    """The map, a node page and the report of one version of the store share one analysis: the centralities
    are worked out once (they were worked out three times: for the node pages, the map and the report)."""
    from analysis import centrality
    from visualizations import map as map_module

    calls = []
    real = centrality.centrality_rows

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(centrality, "centrality_rows", counted)
    monkeypatch.setattr(map_module, "centrality_rows", counted)
    with running(jia_store, tmp_path / "cache") as (url, app):
        statuses = [get(url + route)[0] for route in ("/map", "/nodes/610828103224", "/report/", "/map")]
    assert statuses == [200, 200, 200, 200]
    assert len(calls) == 1


def example_link(url: str, name: str) -> tuple[str, dict[str, list[str]]]:
    """The query page's "run with the example" address, and its parameters."""
    page = get(url + f"/queries/{name}")[2].decode("utf-8")
    link = html.unescape(re.search(rf'<a href="(/queries/{name}\?run=1[^"]*)">用示例运行', page).group(1))
    return link, urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)


def test_the_query_form_offers_examples_from_the_store_it_serves(site, tmp_path):
    """A 大化县 office's store holds no 佳县县委办公室: the form's examples and "run with the example" name its own
    most tied unit and its county's code (451229), and the examples run to an answer; the Jia store keeps the
    catalog's examples (the article's names)."""
    assert example_link(site, "ego_network")[1]["org"] == ["佳县县委办公室"]
    store = str(tmp_path / "dahua.lbug")
    ties = tmp_path / "结对帮扶.csv"
    ties.write_text("帮扶单位,帮扶村,所属乡镇\n大化县财政局,弄合村,七百弄乡\n大化县财政局,弄冠村,板升乡\n"
                    "大化县教育局,弄冠村,北景镇\n", encoding="utf-8")
    assert main(["roster", "--county", "大化县", "--store", store]) == 0
    assert main(["load", str(ties), "--store", store]) == 0
    with running(store, tmp_path / "cache", title="大化县") as (url, app):
        link, params = example_link(url, "ego_network")
        assert params["org"] == ["大化县财政局"]
        assert 'placeholder="例 e.g. 大化县财政局"' in get(url + "/queries/ego_network")[2].decode("utf-8")
        answer = get(url + link)[2].decode("utf-8")
        assert "弄合村" in answer and "弄冠村" in answer
        assert example_link(url, "assistance_units_ranked")[1]["within"] == ["451229"]
        link, params = example_link(url, "shortest_paths")
        assert params["from"] == ["大化县财政局"] and params["to"] != params["from"]
        assert len(table_rows(get(url + link)[2].decode("utf-8"), "answer")) > 1


def test_the_find_page_tells_same_named_villages_apart_by_their_town(schema, tmp_path):
    """花垣县 has a 白岩村 in 吉卫镇 (433124105220) and one in 边城镇 (433124108210): the find page listed two rows
    that differ only by their codes; each now shows its town (and an office placed in the county, the county)."""
    from graph_model.records import GraphData, make_tie

    graph = GraphData(schema=schema)
    for kind, node_id, name in [("County", "433124", "花垣县"), ("Town", "433124105", "吉卫镇"),
                                ("Town", "433124108", "边城镇"), ("Village", "433124105220", "白岩村"),
                                ("Village", "433124108210", "白岩村"), ("AssistanceUnit", "u1", "花垣县白岩帮扶办")]:
        graph.add_node(make_node(schema, kind, {"id": node_id, "name": name, "source": "s"}))
    for type_, a, b in [("PART_OF", "433124105", "433124"), ("PART_OF", "433124108", "433124"),
                        ("PART_OF", "433124105220", "433124105"), ("PART_OF", "433124108210", "433124108"),
                        ("LOCATED_IN", "u1", "433124")]:
        graph.add_tie(make_tie(schema, type_, a, b, {"source": "s", "evidence": "e"}))
    path = tmp_path / "hy.lbug"
    with open_store(str(path), schema, create=True) as store:
        store.write(graph)
    with serve_process(path) as address:
        status, _, body = get(address + "/nodes?q=" + urllib.parse.quote("白岩"))
    cells = [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body.decode("utf-8"), re.S)[1:]]
    assert status == 200
    assert sorted((row[2], row[3]) for row in cells) == [
        ("吉卫镇", "433124105220"), ("花垣县", "u1"), ("边城镇", "433124108210")]
