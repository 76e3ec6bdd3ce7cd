"""Loading in the browser, in headless Chromium against a real ``linkgraph serve`` process: an editor uploads a
planner's table with an ambiguous village, picks the right candidate from the dry run and loads it; a name
with markup uploaded stays text on every page; an admin withdraws a source after its dry run. Nothing is
fetched from outside, no dialog opens, no console errors; each step saves a screenshot."""

from __future__ import annotations

import pytest

from linkgraph import pipeline
from stores import open_store
from tests.conftest import EXAMPLE
from tests.test_serve_auth import NAMES, PASSWORD, serve_process, team_db
from tests.visualizations.test_map_browser import open_page, screenshot  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script>合作社"


def sign_in(open_page, address: str, target: str, role: str):
    opened = open_page(address + target, allowed=(address, "data:", "blob:"), wait="form.login")
    opened.page.fill("#login-name", NAMES[role])
    opened.page.fill("#login-password", PASSWORD[role])
    opened.page.click("#login-submit")
    return opened


def test_an_editor_uploads_picks_the_village_and_loads_then_an_admin_withdraws(open_page, tmp_path):
    store = str(tmp_path / "jia.lbug")
    pipeline.load_roster("county", "610828", store)
    team_db(tmp_path / "users.sqlite")
    hostile = tmp_path / "合作社.csv"
    hostile.write_text(f'名称,所属乡镇,合计个数\n"{HOSTILE}",刘国具镇,3\n', encoding="utf-8-sig")
    with serve_process("--store", store, "--users", str(tmp_path / "users.sqlite")) as (address, process):
        editor = sign_in(open_page, address, "/uploads", "editor")
        page = editor.page
        page.wait_for_selector("#upload-form")
        page.set_input_files("#upload-file", str(EXAMPLE / "planner" / "结对帮扶.csv"))
        page.click("#upload-submit")
        page.wait_for_selector("#reconcile")
        assert page.locator("#reconcile tr").nth(1).inner_text().split("\t")[:3] == ["西山村", "村/社区 Village", "通镇"]
        page.check("input[name=pick-0][value='610828105236']")
        page.screenshot(path=str(tmp_path / "upload-dry-run.png"))
        screenshot(page, "serve-upload-dry-run.png", docs=True)
        page.click("#load-submit")
        page.wait_for_selector("#loaded")
        assert "新增 created 1 nodes, 1 ties" in page.inner_text("#loaded")
        page.goto(address + "/nodes/610828105236")
        assert f"载入者 by {NAMES['editor']}" in page.inner_text("main")
        page.goto(address + "/uploads")
        page.set_input_files("#upload-file", str(hostile))
        page.click("#upload-submit")
        page.wait_for_selector("#load-form")
        page.click("#load-submit")
        page.wait_for_selector("#loaded")
        page.goto(address + "/nodes?q=" + "合作社")
        assert HOSTILE in page.inner_text("#matches")  # shown as the text it is
        assert page.locator("#matches img, #matches script").count() == 0
        page.screenshot(path=str(tmp_path / "hostile-name.png"))
        assert editor.clean(), (editor.errors, editor.dialogs, editor.outside)

        admin = sign_in(open_page, address, "/sources", "admin")
        page = admin.page
        page.wait_for_selector("#sources")
        page.locator('#sources tr[data-key="结对帮扶.csv"] button.withdraw').click()
        page.wait_for_selector("#withdraw-summary")
        assert "would delete" in page.inner_text("#withdraw-summary")
        page.screenshot(path=str(tmp_path / "withdraw-dry-run.png"))
        page.click("#withdraw-submit")
        page.wait_for_selector("#withdraw-summary.done")
        assert "deleted" in page.inner_text("#withdraw-summary")
        page.goto(address + "/sources")
        assert page.locator('#sources tr[data-key="结对帮扶.csv"]').count() == 0
        assert admin.clean(), (admin.errors, admin.dialogs, admin.outside)


def test_an_editor_maps_unknown_columns_in_the_form_and_loads(open_page, tmp_path):
    """A pairing table whose headers linkgraph does not know (one of them markup): the dry run shows a select
    of the tie table's fields for each header, as written; the editor picks them, checks again and loads."""
    store = str(tmp_path / "jia.lbug")
    pipeline.load_roster("county", "610828", store)
    team_db(tmp_path / "users.sqlite")
    table = tmp_path / "结对帮扶.csv"
    table.write_text(f'单位,帮扶的村,镇,"{HOSTILE}"\n佳县县委办公室,崔家西山村,通镇,八联八帮\n佳县水利局,高家集村,通镇,\n',
                     encoding="utf-8-sig")
    with serve_process("--store", store, "--users", str(tmp_path / "users.sqlite")) as (address, _):
        editor = sign_in(open_page, address, "/uploads", "editor")
        page = editor.page
        page.wait_for_selector("#upload-form")
        page.set_input_files("#upload-file", str(table))
        page.click("#upload-submit")
        page.wait_for_selector("#unknown-columns")
        assert page.locator("#load-form").count() == 0
        headers = page.locator("#unknown-columns td.header").all_inner_texts()
        assert headers == ["单位", "帮扶的村", "镇", HOSTILE]  # the markup shown as the text it is
        assert page.locator("#unknown-columns img, #unknown-columns script").count() == 0
        assert page.input_value("#field-1") == "to"  # did you mean 帮扶村 (a word of 终点 To)
        for number, field in enumerate(("from", "to", "to_town", "mechanism")):
            page.select_option(f"#field-{number}", field)
        assert page.locator("#field-0 option:checked").inner_text() == "起点 From"
        page.screenshot(path=str(tmp_path / "unknown-columns.png"))
        page.click("#columns-submit")
        page.wait_for_selector("#load-form")
        assert "“帮扶的村” → 终点 To" in page.inner_text("#mapping")
        page.click("#load-submit")
        page.wait_for_selector("#loaded")
        assert "新增 created 2 nodes, 2 ties" in page.inner_text("#loaded")
        assert editor.clean(), (editor.errors, editor.dialogs, editor.outside)
    with open_store(store, read_only=True) as opened:
        graph = opened.export()
    assert {(graph.nodes[t.source_id].name, t.target_id, t.props.get("mechanism")) for t in graph.ties.values()
            if t.type == "PAIRED_ASSISTANCE"} == {("佳县县委办公室", "610828105236", "八联八帮"),
                                                  ("佳县水利局", "610828105211", None)}
