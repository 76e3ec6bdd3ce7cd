"""The map in a real browser: headless Chromium (Debian's /usr/bin/chromium) via Playwright.

Every request that leaves the page is blocked and recorded, and a test fails on any console error
(a script error or a Content Security Policy violation). Screenshots go to output/test-artifacts/;
with LINKGRAPH_UPDATE_DOCS=1 the README's go to docs/.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from graph_model.names import match_key
from tests.conftest import REPO
from tests.visualizations.helpers import HOSTILE, hostile_graph
from visualizations import map as map_module
from visualizations.map import write_map

pytestmark = pytest.mark.browser

ARTIFACTS = REPO / "output" / "test-artifacts"
PAGE_SCHEMES = ("file:", "data:", "blob:")


@dataclass
class Opened:
    """A page and what it did: requests that would have left it, console errors, dialogs."""

    page: object
    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def clean(self) -> bool:
        return self.outside == [] and self.errors == [] and self.dialogs == []


@pytest.fixture
def open_page(browser):
    """``open_page(url, allowed=…)``: a page whose requests outside ``allowed`` are blocked and recorded."""
    contexts = []

    def open_(url: str, allowed: tuple[str, ...] = PAGE_SCHEMES, wait: str | None = "body[data-drawn=true]") -> Opened:
        context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        opened = Opened(page)

        def route(route):
            if route.request.url.startswith(allowed):
                route.continue_()
            else:
                opened.outside.append(route.request.url)
                route.abort()

        page.route("**/*", route)
        page.on("request", lambda r: r.url.startswith(allowed) or opened.outside.append(r.url))
        page.on("console", lambda m: m.type == "error" and opened.errors.append(m.text))
        page.on("pageerror", lambda e: opened.errors.append(str(e)))
        page.on("dialog", lambda d: (opened.dialogs.append(d.message), d.dismiss()))
        page.goto(url)
        if wait:
            page.wait_for_selector(wait, timeout=60_000)
        return opened

    yield open_
    for context in contexts:
        context.close()


def screenshot(page, name: str, docs: bool = False) -> Path:
    """Save a screenshot as a test artifact (and for the README with LINKGRAPH_UPDATE_DOCS=1)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path))
    if docs and os.environ.get("LINKGRAPH_UPDATE_DOCS") == "1":
        page.screenshot(path=str(REPO / "docs" / name))
    return path


def click_node(page, vis_id) -> None:
    """Click a drawn node where it is on the canvas (a real mouse click)."""
    box = page.locator("#map").bounding_box()
    point = page.evaluate("""id => { const n = window.linkgraph.network;
        return n.canvasToDOM(n.getPositions([id])[id]); }""", vis_id)
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def node_index(page, node_id: str) -> int:
    return page.evaluate("id => JSON.parse(document.getElementById('linkgraph-data').textContent).nodes.id.indexOf(id)",
                         node_id)


def drawn(page) -> list[str]:
    return page.evaluate("window.linkgraph.drawnNodes()")


def drawn_ties(page) -> list[list[str]]:
    return page.evaluate("window.linkgraph.drawnTies()")


def legend(page, what: str) -> dict[str, str]:
    return dict(page.evaluate(f"""[...document.querySelectorAll('#legend li[data-{what}]')]
        .map(li => [li.dataset.{what}, li.textContent])"""))


@pytest.fixture(scope="module")
def jia_map(jia, schema, tmp_path_factory) -> Path:
    return write_map(jia.graph, schema, tmp_path_factory.mktemp("map") / "map.html", title="佳县党建综合体 Jia County")


WORKING_VIEW = {  # 乌镇 has only its party committee's PARTY_ORG_OF, an administrative tie: not drawn
    "jia:wu_town_party_committee", "jia:hetaoshuyan_joint_committee", "610828103224", "610828103221",
    "jia:joint_village_cooperative", "jia:cattle_farm", "610828111", "jia:liuguoju_town_party_committee",
    "jia:hezhai_liquor", "jia:shanggaozhai_joint_branch", "jia:brewing_cooperatives", "jia:village_collectives",
    "jia:county_committee_office", "610828105236", "jia:county_office_party_branch", "jia:xishan_party_branch",
}


def test_map_opens_on_the_working_network_with_readable_labels(jia_map, open_page):
    opened = open_page(jia_map.as_uri())
    page = opened.page
    assert set(drawn(page)) == WORKING_VIEW  # no roster villages, no industries (attribute ties are off)
    # the 17 working ties: the article's 20 less the 4 PARTY_ORG_OF (administrative), and the town's GUIDES to
    # the joint branch it set up
    assert len(drawn_ties(page)) == 17
    kinds = legend(page, "kind")
    assert list(kinds) == ["Town", "Village", "PartyOrganization", "Enterprise", "Cooperative", "AssistanceUnit", "Project"]
    assert kinds["PartyOrganization"] == "党组织 Party organization (6)"
    assert "ENGAGED_IN" not in legend(page, "tie") and "PART_OF" not in legend(page, "tie")
    label_px = page.evaluate("""(() => { const n = window.linkgraph.network;
        return n.body.nodes[n.body.nodeIndices[0]].options.font.size * n.getScale(); })()""")
    assert 13.5 <= label_px <= 15
    assert page.evaluate("window.linkgraph.network.physics.options.enabled") is False
    assert "未记录联结的村 villages with no recorded tie: 331" in page.inner_text("#counts")
    assert page.locator("canvas").count() == 1
    screenshot(page, "map-opening.png")
    assert opened.clean(), (opened.outside, opened.errors, opened.dialogs)


def test_search_as_you_type_with_a_traditional_spelling_finds_and_focuses(jia_map, open_page):
    opened = open_page(jia_map.as_uri())
    page = opened.page
    page.locator("#search").press_sequentially("核桃樹墕聯村")  # as typed: each key runs the search
    picks = page.locator("#search-picks li[data-id]")
    assert picks.evaluate_all("items => items.map(li => li.dataset.id)") == [
        "jia:hetaoshuyan_joint_committee", "jia:joint_village_cooperative"]
    assert page.inner_text("#search-result").startswith("2 个匹配 matches")
    page.keyboard.press("Enter")
    assert page.inner_text("#focus-title") == "核桃树墕联村党委"
    assert page.evaluate("window.linkgraph.network.getSelectedNodes()") == [node_index(page, "jia:hetaoshuyan_joint_committee")]
    assert page.evaluate("window.linkgraph.litNodes()") == sorted([
        "jia:hetaoshuyan_joint_committee", "610828103224", "610828103221", "jia:wu_town_party_committee",
        "jia:joint_village_cooperative"])
    page.fill("#search", "610828105236")  # a code
    assert page.locator("#search-picks li[data-id]").evaluate_all("items => items.map(li => li.dataset.id)") == ["610828105236"]
    assert opened.clean(), (opened.outside, opened.errors)


def test_the_pick_list_shows_both_xishan_villages_with_their_towns(jia_map, open_page):
    opened = open_page(jia_map.as_uri())
    page = opened.page
    page.fill("#search", "西山村")
    items = page.locator("#search-picks li[data-id]").evaluate_all(
        "items => items.map(li => [li.dataset.id, li.textContent])")
    assert [i for i, _ in items] == ["610828102209", "610828105236", "jia:xishan_party_branch"]
    texts = dict(items)
    assert texts["610828102209"] == "西山村村/社区 · 店镇 · 610828102209"
    assert texts["610828105236"] == "崔家西山村村/社区 · 通镇 · 610828105236（别名或原名相同 same alias or raw name）"
    assert texts["jia:xishan_party_branch"].startswith("西山村党支部党组织 · 通镇")
    screenshot(page, "map-pick-list.png")
    page.click("#search-picks li[data-id='610828102209']")  # a roster village without ties: drawn once asked for
    assert "610828102209" in drawn(page)
    assert page.inner_text("#focus-title") == "西山村"
    assert opened.clean(), (opened.outside, opened.errors)


def test_filters_hide_what_they_should_and_the_legend_follows(jia_map, open_page):
    opened = open_page(jia_map.as_uri())
    page = opened.page
    page.uncheck("input[data-kind=PartyOrganization]")
    # the party organizations go, and the units whose only ties were with them (乌镇, 核桃树墕村, 尚家沟村)
    assert set(drawn(page)) == {"610828111", "610828105236", "jia:joint_village_cooperative", "jia:cattle_farm",
                                "jia:hezhai_liquor", "jia:brewing_cooperatives", "jia:village_collectives",
                                "jia:county_committee_office"}
    assert "PartyOrganization" not in legend(page, "kind")
    assert "PARTY_ORG_OF" not in legend(page, "tie") and "CO_BUILDS" not in legend(page, "tie")
    assert page.inner_text("#counts").startswith("显示 shown: 8 个节点 nodes")
    page.check("input[data-kind=PartyOrganization]")
    page.check("#admin")
    assert legend(page, "kind")["Town"] == "乡镇/街道 Town (13)"
    assert legend(page, "tie")["PART_OF"] == "隶属 part of (18)"  # towns to the county, tied villages to towns
    assert "610828102209" not in drawn(page)  # villages without ties: counted on their town
    page.check("#untied")
    assert "610828102209" in drawn(page) and legend(page, "kind")["Village"] == "村/社区 Village (334)"
    page.select_option("#town", label="通镇")
    in_tong = set(drawn(page))  # the town, its 32 villages, its organizations, and units of no town tied to them
    assert in_tong == {n for n in in_tong if n.startswith("610828105")} | {
        "jia:xishan_party_branch", "jia:county_committee_office", "jia:county_office_party_branch", "610828"}
    assert len(in_tong) == 1 + 32 + 4
    screenshot(page, "map-filter-town.png")
    assert opened.clean(), (opened.outside, opened.errors)


def test_the_year_slider_removes_ties_started_later(jia_map, open_page, jia):
    opened = open_page(jia_map.as_uri())
    page = opened.page

    def starts():
        return sorted(jia.graph.ties[tuple(t)].props.get("start_date") or "" for t in drawn_ties(page))

    # 8 of the 17 start in 2022: the town's 2 GUIDES (the company, the joint branch it set up), the branch's 3
    # MEMBER_OF, the 2 SERVES to the workshops and the CO_BUILDS; 3 in 2021, 6 undated
    assert starts().count("2022") == 8 and len(starts()) == 17
    page.locator("#year").fill("2021")
    assert page.inner_text("#year-label") == "2021"
    assert "2022" not in starts() and len(starts()) == 9
    page.uncheck("#undated")
    assert starts() == ["2021", "2021", "2021"]
    page.locator("#year").fill("2023")  # the right end: every year
    assert page.inner_text("#year-label") == "全部 all"
    assert opened.clean(), (opened.outside, opened.errors)


def test_focus_lists_a_nodes_ties_with_direction_evidence_and_sources(jia_map, open_page):
    opened = open_page(jia_map.as_uri())
    page = opened.page
    click_node(page, node_index(page, "jia:hetaoshuyan_joint_committee"))
    assert page.inner_text("#focus-title") == "核桃树墕联村党委"
    ties = page.locator("#focus-ties > li")
    assert ties.count() == 4
    heads = ties.locator(".tie-head").all_inner_texts()
    assert heads[0].startswith("← 核桃树墕村 —加入联合党组织 member of joint party organization→ 核桃树墕联村党委 · 2021–")
    assert any(h.startswith("→ 核桃树墕联村党委 —指导 guides→ 核桃树墕联村合作社") for h in heads)
    evidence = ties.locator(".evidence").all_inner_texts()
    assert "依据 Evidence: 2021年,在烏鎮黨委的大力支持下,核桃樹墕村、尚家溝村等9個村突破以行政村為基本單元設置黨組織的方式" in evidence
    says = ties.locator(".says li").all_inner_texts()
    assert len(says) == 4 and all(s.startswith("来源 Source: 佳县“党建综合体”新闻报道") and "case.yaml, 行 row " in s for s in says)
    assert "成员村数: 9" in page.inner_text("#focus-body")  # what the source claims beside what it names
    page.select_option("#hops", "2")
    assert "jia:cattle_farm" in page.evaluate("window.linkgraph.litNodes()")
    screenshot(page, "map-focus.png", docs=True)
    page.click("#focus-clear")
    assert page.evaluate("window.linkgraph.litNodes()") == []
    assert opened.clean(), (opened.outside, opened.errors)


def test_a_path_between_two_organizations_highlights_the_right_nodes(jia_map, open_page):
    opened = open_page(jia_map.as_uri())
    page = opened.page
    page.click("summary:has-text('路径 Path')")
    page.fill("#path-from", "刘国具镇14个村集体")
    page.keyboard.press("Enter")
    page.fill("#path-to", "刘国具镇38家酿酒合作社（作坊）")
    page.keyboard.press("Enter")
    assert page.evaluate("window.linkgraph.litNodes()") == sorted([
        "jia:village_collectives", "jia:hezhai_liquor", "jia:shanggaozhai_joint_branch", "jia:brewing_cooperatives"])
    paths = page.locator("#path-result .path").all_inner_texts()
    assert len(paths) == 2
    # PARTY_ORG_OF is administrative, so the county office's 2 paths to 西山村党支部 (through its branch and
    # through 崔家西山村) are gone; the collectives reach the workshops through the company or the joint branch
    assert any(p.startswith("刘国具镇14个村集体 → 陕西贺寨酒业有限公司 → 刘国具镇38家酿酒合作社（作坊）")
               and "订单供应 supplies by order" in p and "依据 Evidence: 通過訂單收購各村種植的高粱" in p for p in paths)
    assert any(p.startswith("刘国具镇14个村集体 → 上高寨酒业联合党支部 → 刘国具镇38家酿酒合作社（作坊）")
               and "加入联合党组织 member of joint party organization" in p for p in paths)
    screenshot(page, "map-path.png")
    page.fill("#path-to", "乌镇党委")  # another part of the network
    page.keyboard.press("Enter")
    assert page.inner_text("#path-result").startswith("没有路径")
    assert opened.clean(), (opened.outside, opened.errors)


def test_export_the_view_as_png_and_the_visible_nodes_and_ties_as_csv(jia_map, open_page, tmp_path):
    opened = open_page(jia_map.as_uri())
    page = opened.page
    page.click("summary:has-text('导出 Export')")
    with page.expect_download() as png:
        page.click("#export-png")
    png_path = tmp_path / "map.png"
    png.value.save_as(png_path)
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png_path.stat().st_size > 20_000
    page.uncheck("input[data-kind=Project]")
    with page.expect_download() as nodes:
        page.click("#export-nodes")
    nodes.value.save_as(tmp_path / "nodes.csv")
    data = (tmp_path / "nodes.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    assert rows[0][:4] == ["标识 id", "名称 name", "类型 kind", "乡镇 town"] and len(rows) == 1 + 15
    assert ["610828105236", "崔家西山村", "村/社区 Village", "通镇", "佳县"] == rows[[r[0] for r in rows].index("610828105236")][:5]
    with page.expect_download() as ties:
        page.click("#export-ties")
    ties.value.save_as(tmp_path / "ties.csv")
    tie_rows = list(csv.reader((tmp_path / "ties.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert len(tie_rows) == 1 + 16 and tie_rows[0][0] == "关系 tie"  # the 17 working ties less the farm's OPERATES
    assert ["结对帮扶 PAIRED_ASSISTANCE", "jia:county_committee_office", "佳县县委办公室", "610828105236", "崔家西山村", "", "",
            "佳縣縣委辦公室是通鎮西山村的幫扶單位"] == next(r for r in tie_rows if r[0].startswith("结对帮扶"))[:8]
    assert opened.clean(), (opened.outside, opened.errors)


def test_the_page_folds_spellings_as_the_name_matcher_does(jia_map, open_page, jia):
    """Every spelling of the independently written village list finds in the page what it finds in Python."""
    with open(REPO / "tests" / "data" / "jia_villages_independent.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    spellings = sorted({r["name"] for r in rows} | {r["town"] for r in rows} | {"陜西賀寨酒業公司", "縣委辦", "核桃樹 墕"})
    keys = {n.id: n.props["match_text"] for n in jia.graph.nodes.values()}
    expected = {s: sorted(i for i, k in keys.items() if match_key(s) in k) for s in spellings}
    opened = open_page(jia_map.as_uri())
    found = opened.page.evaluate("texts => texts.map(t => window.linkgraph.search(t).sort())", spellings)
    assert dict(zip(spellings, found)) == expected
    assert sum(1 for ids in expected.values() if ids) >= 330
    page_keys = opened.page.evaluate("texts => texts.map(t => window.linkgraph.matchKey(t))", spellings)
    alphabet = set("".join(keys.values()))
    for spelling, key in zip(spellings, page_keys):
        if set(match_key(spelling)) <= alphabet:
            assert key == match_key(spelling), spelling


def test_above_the_limit_the_map_opens_aggregated_and_drills_down(jia, schema, tmp_path, open_page, monkeypatch):
    monkeypatch.setattr(map_module, "AGGREGATE_ABOVE", 10)
    path = write_map(jia.graph, schema, tmp_path / "map.html")
    opened = open_page(path.as_uri())
    page = opened.page
    groups = [n for n in drawn(page) if n.startswith("g")]
    assert len(groups) == 3 and page.is_checked("#aggregate")  # 乌镇, 刘国具镇, 通镇
    assert "jia:hetaoshuyan_joint_committee" not in drawn(page)
    places = page.evaluate("JSON.parse(document.getElementById('linkgraph-data').textContent).places.id")
    wu = f"g{places.index('610828103')}"
    assert wu in groups
    assert page.inner_text("#notice").startswith("按乡镇 town聚合")
    click_node(page, wu)
    now = drawn(page)
    assert wu not in now and {"jia:wu_town_party_committee", "jia:hetaoshuyan_joint_committee",
                              "610828103224", "610828103221"} <= set(now)
    page.click("#collapse")
    assert wu in drawn(page)
    assert opened.clean(), (opened.outside, opened.errors)


def test_a_query_answer_is_highlighted_from_the_address(jia_map, open_page):
    opened = open_page(jia_map.as_uri() + "#highlight=jia:hezhai_liquor,610828111,nothing")
    page = opened.page
    page.wait_for_selector("#highlighted li")
    assert page.evaluate("window.linkgraph.litNodes()") == ["610828111", "jia:hezhai_liquor"]
    assert page.locator("#highlighted li").all_inner_texts() == ["陕西贺寨酒业有限公司 · 企业", "刘国具镇 · 乡镇/街道"]
    assert opened.clean(), (opened.outside, opened.errors)


def test_hostile_names_do_not_run_in_a_browser(schema, tmp_path, open_page):
    path = write_map(hostile_graph(schema), schema, tmp_path / "map.html", title=HOSTILE)
    opened = open_page(path.as_uri())
    page = opened.page
    assert page.title() == HOSTILE
    page.fill("#search", "县委办")
    assert page.locator("#search-picks li .name").all_inner_texts() == ["县委办" + HOSTILE]
    page.keyboard.press("Enter")
    assert page.inner_text("#focus-title") == "县委办" + HOSTILE
    assert HOSTILE in page.inner_text("#focus-ties")
    assert page.locator("#panel img, #panel script:not([type])").count() == 0
    page.wait_for_timeout(300)
    assert opened.clean(), (opened.outside, opened.errors, opened.dialogs)
