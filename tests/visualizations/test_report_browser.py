"""The report page in a real browser (headless Chromium): offline, readable, collapsed lists that open."""

import datetime as dt
from pathlib import Path

import pytest

from analysis.report import analyse
from tests.conftest import REPO
from tests.visualizations.helpers import HOSTILE, hostile_graph
from visualizations.report import HTML_ROWS, write_report

pytestmark = pytest.mark.browser
ARTIFACTS = REPO / "output" / "test-artifacts"


def open_page(browser, path: Path):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    requests, dialogs, errors = [], [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(path.as_uri())
    return page, requests, dialogs, errors


def test_report_reads_in_a_browser(browser, jia, schema, tmp_path):
    analysis = analyse(jia.graph, schema, compare=(dt.date(2021, 12, 31), dt.date(2023, 12, 31)))
    files = write_report(analysis, tmp_path, title="佳县党建综合体 Jia County", store="embedded")
    page, requests, dialogs, errors = open_page(browser, files["html"])
    try:
        assert [u for u in requests if not u.startswith("file:")] == [] and errors == [] and dialogs == []
        findings = page.locator("ol.findings > li")
        assert findings.count() == 10
        assert findings.nth(2).inner_text() == ("核桃树墕联村党委：来源称有 9 个成员村，数据中记录了 2 个。\n"
                                                "核桃树墕联村党委 links 2 recorded villages of the 9 it claims.")
        headings = page.locator("h2").all_inner_texts()
        assert headings[:3] == ["要点 Findings", "阅读说明 How to read this report", "概况 Summary"]
        assert "脆弱点：一方退出会断开什么 Fragility: what breaks if one partner leaves" in headings
        # the charts are drawn: three SVGs with real size, bars inside
        boxes = [page.locator("svg").nth(i).bounding_box() for i in range(page.locator("svg").count())]
        assert len(boxes) == 3 and all(b["width"] > 250 and b["height"] > 60 for b in boxes)
        assert page.locator("svg rect").count() > 20
        # the top brokers by betweenness, with the reading above them
        between = page.locator("h3", has_text="中介中心性 Betweenness").locator("xpath=following-sibling::table[1]")
        assert between.locator("tr").nth(1).inner_text().split("\t")[:3] == ["1", "核桃树墕联村党委", "党组织"]
        # the 331 villages without ties are collapsed, and open on a click
        villages = page.locator("details", has_text="无记录联结的村 Villages without recorded ties (331)")
        assert villages.locator("table").is_hidden()
        villages.locator("summary").click()
        assert villages.locator("table").is_visible()
        assert villages.locator("tr").count() == 1 + HTML_ROWS
        assert "First 200 of 331 rows" in villages.inner_text()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = false); window.scrollTo(0, 0)")
        page.screenshot(path=str(ARTIFACTS / "report.png"))
        page.locator("#coverage").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "report-coverage.png"))
    finally:
        page.close()


def test_hostile_names_stay_text_in_a_browser(browser, schema, tmp_path):
    files = write_report(analyse(hostile_graph(schema), schema), tmp_path, title=HOSTILE, store=HOSTILE)
    page, requests, dialogs, errors = open_page(browser, files["html"])
    try:
        page.wait_for_timeout(300)
        assert dialogs == [] and errors == [] and [u for u in requests if not u.startswith("file:")] == []
        assert page.title().startswith(HOSTILE)
        assert page.locator("img").count() == 0
    finally:
        page.close()
