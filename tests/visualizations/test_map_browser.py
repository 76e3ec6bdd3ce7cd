"""The map in a real browser: headless Chromium (Debian's /usr/bin/chromium) via Playwright."""

import os
from pathlib import Path

import pytest

from tests.conftest import unavailable
from tests.visualizations.helpers import HOSTILE, hostile_graph
from visualizations.map import write_map

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("LINKGRAPH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -e '.[test]')")
    if not Path(CHROMIUM).exists():
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_map(browser):
    pages = []

    def open_(path: Path):
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        requests, dialogs, errors = [], [], []
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri())
        page.wait_for_function("window.linkgraphNetwork !== undefined")
        pages.append(page)
        return page, requests, dialogs, errors

    yield open_
    for page in pages:
        page.close()


def test_map_renders_offline_in_a_browser(jia, schema, tmp_path, open_map):
    path = write_map(jia.graph, schema, tmp_path / "map.html", title="佳县")
    page, requests, dialogs, errors = open_map(path)
    page.wait_for_selector("body[data-stabilized=true]", timeout=60_000)
    assert errors == []
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    counts = page.evaluate("[window.linkgraphNetwork.body.data.nodes.length, window.linkgraphNetwork.body.data.edges.length]")
    assert counts == [368, 383]
    assert page.locator("canvas").count() == 1
    assert "无联结的村 villages without ties (331)" in page.inner_text("#panel")
    page.screenshot(path=str(tmp_path / "map.png"))

    page.fill("#search", "贺寨")
    page.dispatch_event("#search", "change")
    assert page.evaluate("window.linkgraphNetwork.getSelectedNodes()") == ["jia:hezhai_liquor"]
    assert page.inner_text("#search-result") == "1 个匹配 matches"
    assert page.inner_text("#details").startswith("陕西贺寨酒业有限公司\n企业 Enterprise · jia:hezhai_liquor")


def test_hostile_names_do_not_run_in_a_browser(schema, tmp_path, open_map):
    path = write_map(hostile_graph(schema), schema, tmp_path / "map.html", title=HOSTILE)
    page, requests, dialogs, errors = open_map(path)
    page.wait_for_timeout(500)
    assert dialogs == [] and errors == []
    assert page.title() == HOSTILE
    assert page.evaluate("window.linkgraphNetwork.body.data.nodes.get('v1').label") == HOSTILE
    page.fill("#search", "县委办")
    page.dispatch_event("#search", "change")
    assert page.inner_text("#details").startswith("县委办" + HOSTILE)
    assert page.locator("#details img").count() == 0
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
