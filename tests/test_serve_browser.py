"""``linkgraph serve`` in headless Chromium: every request outside the served site is blocked, no console
errors, hostile names render as text on every page, a query form answers, and the map lights up its rows."""

from __future__ import annotations

import urllib.parse

import pytest

from tests.test_serve import TRADITIONAL_COMMITTEE, hostile_site, jia_store, site  # noqa: F401 (fixtures)
from tests.visualizations.helpers import HOSTILE
from tests.visualizations.test_map_browser import (click_node, drawn, node_index,  # noqa: F401 (fixtures)
                                                   open_page, screenshot)

pytestmark = pytest.mark.browser


def test_a_query_form_answers_and_its_rows_light_up_on_the_map(site, open_page):
    opened = open_page(site + "/queries/joint_org_members", allowed=(site, "data:", "blob:"), wait="form.query")
    page = opened.page
    page.fill("#param-org", TRADITIONAL_COMMITTEE)
    page.click("button[type=submit]")
    page.wait_for_selector("#answer")
    rows = page.locator("#answer tr").evaluate_all("rows => rows.map(r => [...r.cells].map(c => c.innerText))")
    assert len(rows) == 3 and sorted(r[3] for r in rows[1:]) == ["尚家沟村", "核桃树墕村"]
    assert page.input_value("#param-org") == TRADITIONAL_COMMITTEE
    screenshot(page, "serve-query.png", docs=True)
    page.click("#show-on-map")
    page.wait_for_selector("body[data-drawn=true]")
    page.wait_for_selector("#highlighted li")
    assert page.evaluate("window.linkgraph.litNodes()") == ["610828103221", "610828103224"]
    screenshot(page, "serve-map-highlight.png")
    assert opened.clean(), (opened.outside, opened.errors, opened.dialogs)


def test_the_served_map_links_each_node_to_its_page(site, open_page):
    opened = open_page(site + "/map", allowed=(site, "data:", "blob:"))
    page = opened.page
    assert len(drawn(page)) == 16  # the working network (乌镇 has only an administrative PARTY_ORG_OF)
    click_node(page, node_index(page, "jia:county_committee_office"))
    page.click("#node-page")
    page.wait_for_selector("#ties")
    assert page.title() == "佳县县委办公室 · 佳县 Jia County"
    assert page.locator("#ties > li").count() == 3
    page.click("text=在地图上查看 show on the map")
    page.wait_for_selector("body[data-drawn=true]")
    page.locator("#focus-title", has_text="佳县县委办公室").wait_for()
    screenshot(page, "serve-map.png")
    assert opened.clean(), (opened.outside, opened.errors, opened.dialogs)


def test_hostile_names_render_as_text_on_every_page_of_serve(hostile_site, open_page):
    quoted = urllib.parse.quote(HOSTILE)
    for route, wait in [("/", "main"), ("/map", "body[data-drawn=true]"), ("/queries", "main"),
                        ("/queries/find_by_name?text=%E5%8E%BF%E5%A7%94%E5%8A%9E", "#answer"),
                        ("/nodes?q=%E5%8E%BF%E5%A7%94%E5%8A%9E", "#matches"), ("/nodes/v1", "#ties"),
                        ("/nodes/a1", "#ties"), ("/report/", "body"), (f"/queries/ego_network?hops=1&org={quoted}", "main"),
                        (f"/nodes/{quoted}", "main")]:
        opened = open_page(hostile_site + route, allowed=(hostile_site, "data:", "blob:"), wait=wait)
        page = opened.page
        page.wait_for_timeout(200)
        assert page.title().startswith(HOSTILE) or page.title().endswith(HOSTILE) or route == "/report/", route
        body = page.inner_text("body")
        assert HOSTILE in body or route in ("/map", "/queries"), route
        assert page.locator("img").count() == 0, route
        # the error pages (400, 404) are themselves the failed load Chromium reports
        errors = [e for e in opened.errors if not e.startswith("Failed to load resource: the server responded with a "
                                                               "status of 4")]
        assert (opened.outside, errors, opened.dialogs) == ([], [], []), route
    screenshot(page, "serve-hostile.png")
