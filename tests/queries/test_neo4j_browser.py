"""Neo4j Browser as a linkgraph client: the style and guide, the archive the server serves, and
the real Browser in headless Chromium against the local server."""

import html
import os
import re
import urllib.request
import zipfile
from pathlib import Path

import pytest

from queries.browser import browser_cypher, browser_parameters, browser_script, example_values, network_statement
from queries.catalog import default_catalog, get_query, parse_catalog
from tests.conftest import REPO, unavailable
from queries.neo4j_browser import browser_assets, grass_style, guide_html, write_browser_archive

ARTIFACTS = REPO / "output" / "test-artifacts"
LOCAL = ("http://127.0.0.1:", "ws://127.0.0.1:", "data:")


def grass_rules(text: str) -> dict[str, dict[str, str]]:
    """The grass text parsed the way Neo4j Browser 5 parses it (selector { name: value; … })."""
    rules = {}
    for selector, body in re.findall(r"([\w.]+) \{(.*?)\n\}", text, re.S):
        rules[selector] = dict(
            (name.strip(), value.strip().strip('"')) for name, value in
            (declaration.split(":") for declaration in body.split(";") if declaration.strip())
        )
    return rules


def test_style_gives_every_kind_its_schema_colour_and_name_caption(schema):
    rules = grass_rules(grass_style(schema))
    assert len(rules) == 2 + len(schema.node_kinds) + len(schema.tie_kinds)
    for kind in schema.node_kinds:
        rule = rules[f"node.{kind.label}"]
        assert rule["color"] == kind.color and rule["caption"] == "{name}"
        assert rule["diameter"] == ("60px" if kind.administrative else "84px")
    assert rules["node.Village"] == {"color": "#8dc26f", "border-color": "#719b59", "text-color-internal": "#000000",
                                     "diameter": "60px", "caption": "{name}"}
    assert rules["node.PartyOrganization"]["text-color-internal"] == "#ffffff"  # white on red
    for tie in schema.tie_kinds:
        assert rules[f"relationship.{tie.type}"] == {"caption": tie.zh}
    assert rules["relationship.PRODUCES_FOR"] == {"caption": "代工/专供"}


def test_style_refuses_what_the_browser_would_misread(schema):
    from dataclasses import replace

    broken = replace(schema, tie_kinds=(replace(schema.tie_kinds[0], zh="隶属; color: red"),))
    with pytest.raises(ValueError, match="cannot be written in a grass style"):
        grass_style(broken)


def blocks(guide: str, attribute: str) -> dict[str, str]:
    return {name: html.unescape(text) for name, text in re.findall(rf'<pre [^>]*{attribute}="(\w+)">(.*?)</pre>', guide, re.S)}


def test_guide_has_every_catalog_query_runnable(schema):
    catalog = default_catalog()
    guide = guide_html(catalog.values(), schema)
    assert guide.count("<slide") == 1 + len(catalog)
    assert html.unescape(guide).count(network_statement(schema)) == 1
    queries, parameters = blocks(guide, "data-query"), blocks(guide, "data-parameters")
    assert list(queries) == list(catalog)
    assert list(parameters) == [name for name, query in catalog.items() if query.params]
    for name, query in catalog.items():
        assert f"<h3>{query.zh} · {query.en}</h3>" in guide
        assert queries[name] == browser_cypher(query)
        if query.params:
            assert parameters[name] == browser_parameters(query, example_values(query))
    assert parameters["joint_org_members"] == ":param org => '核桃树墕联村党委';"
    assert parameters["ties_started_in"] == ":param year => 2022;"


def test_guide_escapes_what_the_catalog_says(schema):
    hostile = parse_catalog([{
        "name": "hostile", "zh": "<img src=x onerror=alert(1)>", "en": "</pre><script>x</script>",
        "params": [{"name": "t", "type": "string", "zh": "<b>", "en": "e", "example": "</pre><i>"}],
        "cypher": "MATCH (n) WHERE n.name = $t RETURN n.name AS name",
    }])
    guide = guide_html(hostile.values(), schema)
    assert "<img" not in guide and "<script>" not in guide and "<i>" not in guide
    assert blocks(guide, "data-parameters")["hostile"] == ":param t => '</pre><i>';"


def fake_browser_jar(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as jar:
        jar.writestr("META-INF/", b"")
        jar.writestr("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n")
        jar.writestr("browser/", b"")
        jar.writestr("browser/index.html", b"<html></html>")
        jar.writestr("browser/assets/", b"")
        jar.writestr("browser/assets/fonts/", b"")
        jar.writestr("browser/assets/fonts/a.woff", b"font")
    return path


def test_archive_is_the_browser_plus_our_assets_in_the_order_the_server_unpacks(schema, tmp_path):
    jar = fake_browser_jar(tmp_path / "neo4j-browser-5.24.0.jar")
    assets = browser_assets(schema, default_catalog().values())
    archive = write_browser_archive(jar, tmp_path / "web", assets)
    assert archive == tmp_path / "web" / "neo4j-browser.zip"
    with zipfile.ZipFile(archive) as written:
        names = written.namelist()
        assert names == ["browser/", "browser/assets/", "browser/assets/fonts/", "browser/linkgraph/",
                         "browser/index.html", "browser/assets/fonts/a.woff",
                         "browser/linkgraph/style.grass", "browser/linkgraph/guide.html"]
        assert written.read("browser/linkgraph/style.grass").decode("utf-8") == grass_style(schema)
        assert written.read("browser/assets/fonts/a.woff") == b"font"
    stamp = archive.stat().st_mtime_ns
    assert write_browser_archive(jar, tmp_path / "web", assets).stat().st_mtime_ns == stamp  # unchanged: kept
    changed = {**assets, "style.grass": assets["style.grass"] + "\n"}
    write_browser_archive(jar, tmp_path / "web", changed)
    with zipfile.ZipFile(archive) as written:
        assert written.read("browser/linkgraph/style.grass").decode("utf-8").endswith("}\n\n")


@pytest.fixture(scope="module")
def browser_url(neo4j_uri):
    port = os.environ.get("NEO4J_HTTP_PORT")
    if not port:
        unavailable("no NEO4J_HTTP_PORT of the test Neo4j (scripts/test sets it)")
    return f"http://127.0.0.1:{port}/browser/"


@pytest.mark.neo4j
def test_the_server_serves_style_and_guide_under_a_local_only_policy(browser_url, schema):
    with urllib.request.urlopen(browser_url + "linkgraph/style.grass") as response:
        assert response.read().decode("utf-8") == grass_style(schema)
    with urllib.request.urlopen(browser_url + "linkgraph/guide.html") as response:
        assert response.read().decode("utf-8") == guide_html(default_catalog().values(), schema)
    with urllib.request.urlopen(browser_url) as response:
        policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert policy.endswith("connect-src 'self' http://127.0.0.1:* ws://127.0.0.1:*")


def run_in_editor(page, text: str) -> None:
    """Paste ``text`` into the Browser's editor as-is and run it."""
    page.click("[data-testid=activeEditor] .monaco-editor")
    page.keyboard.insert_text(text)
    page.click("[data-testid=editor-Run]")


@pytest.mark.neo4j
@pytest.mark.browser
def test_neo4j_browser_runs_a_printed_query_and_shows_the_style(browser, browser_url, neo4j_store, jia, schema,
                                                                   tmp_path, request):
    neo4j_store.write(jia.graph)
    query = get_query("joint_org_members")
    expected = neo4j_store.run_named(query.name, {"org": "核桃树墕联村党委"})
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    request.addfinalizer(context.close)  # (the browser serves the rest of the run: its connection to the server ends here)
    page = context.new_page()
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(browser_url)

    page.fill("[data-testid=username]", "neo4j")
    page.fill("[data-testid=password]", os.environ["NEO4J_PASSWORD"])
    page.click("[data-testid=connect]")
    # on connect the server's post_connect_cmd applies the style and opens the guide
    page.wait_for_selector("text=linkgraph 常用查询 · Saved queries", timeout=60_000)
    page.wait_for_function("() => (localStorage.getItem('neo4j.grass') || '').includes('node.Village')")
    stored_style = page.evaluate("localStorage.getItem('neo4j.grass')")
    for kind in schema.node_kinds:
        assert kind.color in stored_style, kind.label

    # the printed text, pasted as-is: the parameter is set and the query runs
    run_in_editor(page, browser_script(query, {"org": "核桃树墕联村党委"}))
    statuses = page.locator("[data-testid=frame]").first.locator("[data-testid=multi-statement-list-icon]")
    statuses.nth(1).wait_for(timeout=30_000)
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid=frame]')[0]
        .querySelectorAll('[data-testid=multi-statement-list-icon]')].every(i => i.title === 'Status: success')""")
    assert statuses.count() == 2

    # the guide's slide of the same query: ① sets the parameter, ② shows the rows
    guide = page.locator("[data-testid=frame]", has_text=":play " + browser_url + "linkgraph/guide.html")
    guide.locator("[data-testid=nextSlide]").click()
    guide.locator("pre[data-parameters=joint_org_members] i").click()  # the ▶ icon before the block
    page.locator("[data-testid=frame]").first.get_by_text("Successfully set your parameters.").wait_for()
    guide.locator("pre[data-query=joint_org_members] i").click()
    table = page.locator("[data-testid=frame]").first.locator("table")
    table.wait_for(timeout=30_000)
    cells = table.locator("tbody tr").evaluate_all("rows => rows.map(r => [...r.cells].map(c => c.innerText))")
    assert len(cells) == len(expected) == 2
    shown = "\n".join("\t".join(row) for row in cells)
    for row in expected:
        assert f'"{row["member"]}"' in shown and f'"{row["evidence"]}"' in shown

    # a graph: each node in its kind's colour, captioned with its Chinese name
    run_in_editor(page, network_statement(schema))
    page.wait_for_selector("svg g.node", timeout=30_000)
    page.wait_for_timeout(1500)  # let the layout settle for the screenshot
    nodes = page.evaluate("""() => [...document.querySelectorAll('svg g.node')].map(
        g => [g.querySelector('circle.b-outline').getAttribute('fill'), g.textContent.trim()])""")
    colours = {text: fill for fill, text in nodes}
    assert colours["县委办党支部"] == schema.node_kind("PartyOrganization").color
    assert colours["佳县县委办公室"] == schema.node_kind("AssistanceUnit").color
    assert colours["尚家沟村"] == schema.node_kind("Village").color
    # the 16 organizations and places of the network and the 6 industries (乌镇 is tied by PARTY_ORG_OF alone,
    # an administrative tie, as on the map)
    assert len(nodes) == 22
    captions = page.evaluate("[...document.querySelectorAll('svg g.relationship text')].map(t => t.textContent)")

    def captioned(zh: str) -> bool:  # the Browser shortens a caption that is longer than its tie is drawn ("加入联合…")
        return any(c == zh or (c.endswith("…") and len(c) > 1 and zh.startswith(c[:-1])) for c in captions)

    assert captioned("结对帮扶") and captioned("加入联合党组织")

    page.locator("[data-testid=frame]").first.locator("[title=Fullscreen]").click()
    page.click("[title='Collapse the node properties display']")
    page.click("[aria-label=zoom-to-fit]")
    page.wait_for_timeout(1500)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for path in (tmp_path / "neo4j-browser.png", ARTIFACTS / "neo4j-browser.png"):
        page.screenshot(path=str(path))
    if os.environ.get("LINKGRAPH_UPDATE_DOCS") == "1":
        page.screenshot(path=str(REPO / "docs" / "neo4j-browser.png"))

    assert errors == []
    # nothing left 127.0.0.1: the Browser's own calls to third parties (web fonts, error
    # reports, usage analytics) are blocked by the server's Content-Security-Policy
    outside = [(r.url, r.failure) for r in requests if not r.url.startswith(LOCAL)]
    assert [(url, failure) for url, failure in outside if failure != "csp"] == []
