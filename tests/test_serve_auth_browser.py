"""``linkgraph serve`` for a team in headless Chromium: a viewer opens the map, signs in on the login page it
is sent to, lands on the map drawn, and logs out; an admin adds an editor on the accounts page, who then
signs in. Nothing is fetched from outside and no console errors."""

from __future__ import annotations

import pytest

from tests.test_serve_auth import NAMES, PASSWORD, jia_store, serve_process, users  # noqa: F401 (fixtures)
from tests.visualizations.test_map_browser import drawn, open_page, screenshot  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def log_in(page, name: str, password: str) -> None:
    """Fill in and send the login form the page shows."""
    page.fill("#login-name", name)
    page.fill("#login-password", password)
    page.click("#login-submit")


def test_a_viewer_logs_in_and_sees_the_map(jia_store, open_page, tmp_path, users):
    with serve_process("--store", str(jia_store), "--users", str(users)) as (address, process):
        opened = open_page(address + "/map", allowed=(address, "data:", "blob:"), wait="form.login")
        page = opened.page
        assert page.url == address + "/login?next=%2Fmap"
        log_in(page, NAMES["viewer"], "wrong password")
        assert "账户名或密码错误" in page.inner_text("#login-message")
        page.screenshot(path=str(tmp_path / "login-refused.png"))
        log_in(page, NAMES["viewer"], PASSWORD["viewer"])
        page.wait_for_selector("body[data-drawn=true]")
        assert page.url == address + "/map"
        assert len(drawn(page)) == 16  # the working network, as serve without accounts shows it
        page.screenshot(path=str(tmp_path / "team-map.png"))
        assert (tmp_path / "team-map.png").stat().st_size > 10_000
        cookies = page.context.cookies()
        assert [(c["name"], c["httpOnly"], c["sameSite"]) for c in cookies] == [("linkgraph_session", True, "Strict")]
        assert page.evaluate("document.cookie") == ""  # out of reach of scripts
        page.goto(address + "/")
        assert page.inner_text("#signed-in") == f"{NAMES['viewer']} · 查看 viewer"
        page.click("#logout")
        page.wait_for_selector("form.login")
        page.goto(address + "/map")
        assert page.url == address + "/login?next=%2Fmap"
        # the error pages (the refused login) are themselves the failed load Chromium reports
        errors = [e for e in opened.errors if not e.startswith("Failed to load resource: the server responded with a "
                                                               "status of 4")]
        assert (opened.outside, errors, opened.dialogs) == ([], [], [])


def test_an_admin_adds_an_editor_who_then_signs_in(jia_store, open_page, tmp_path, users):
    with serve_process("--store", str(jia_store), "--users", str(users)) as (address, process):
        opened = open_page(address + "/admin/users", allowed=(address, "data:", "blob:"), wait="form.login")
        page = opened.page
        log_in(page, NAMES["admin"], PASSWORD["admin"])
        page.wait_for_selector("#add-account")
        assert page.url == address + "/admin/users"
        page.fill("#new-name", "编辑甲")
        page.select_option("#new-role", "editor")
        page.fill("#new-password", "editor-jia-password")
        page.click("#add-submit")
        page.wait_for_selector("#admin-message")
        assert page.inner_text("#admin-message") == "已新增账户 / added the account 编辑甲"
        row = page.locator('#accounts tr[data-name="编辑甲"] td').all_inner_texts()
        assert row[:3] == ["编辑甲", "编辑 editor", "启用 enabled"]
        assert page.locator("#audit tr").nth(1).inner_text().split("\t")[1:] == [NAMES["admin"], "user.add",
                                                                                 "编辑甲 (editor)"]
        page.screenshot(path=str(tmp_path / "team-accounts.png"))
        screenshot(page, "serve-team-accounts.png", docs=True)
        editor = open_page(address + "/", allowed=(address, "data:", "blob:"), wait="form.login")
        log_in(editor.page, "编辑甲", "editor-jia-password")
        editor.page.wait_for_selector("#signed-in")
        assert editor.page.inner_text("#signed-in") == "编辑甲 · 编辑 editor"
        assert editor.page.locator("a[href='/admin/users']").count() == 0  # an editor has no accounts page
        assert opened.clean() and editor.clean(), (opened.errors, editor.errors)
