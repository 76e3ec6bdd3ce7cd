"""The team walkthrough of ``linkgraph serve`` on the Jia County example, in headless Chromium against a real
``linkgraph serve`` process over an embedded store (the NBS roster of 佳县 and the case file), whose one admin
was made with ``linkgraph users add --password-stdin``. The steps run in order over one server and store:

1. the admin signs in and adds an editor and a viewer on the accounts page;
2. the editor uploads a planner's workbook naming 西山村 without its town (店镇西山村 or 通镇崔家西山村), picks
   the 通镇 village and loads it;
3. the viewer's map draws the new ties, and their node page says the editor loaded them;
4. the editor uploads a short report to 审核草稿, accepts some rows, rejects one, and loads the accepted: the
   viewer sees the accepted ties and not the rejected one;
5. the admin withdraws the workbook's source after its dry run: what remains is the store as it was before
   step 2 plus what the draft states.

Each step saves a screenshot in its test's folder and checks the page against the store's own export. A last
test runs the README's team setup (its five commands) as written on a fresh store."""

from __future__ import annotations

import re
import shlex
import ssl
import subprocess
import sys
from pathlib import Path

import pytest

from graph_model.schema import default_schema
from linkgraph import pipeline
from loaders.template import sheets, write_template
from tests.conftest import EXAMPLE, REPO
from tests.test_serve_auth import Client, self_signed, serve_process
from tests.visualizations.test_map_browser import (click_node, drawn, drawn_ties, node_index,  # noqa: F401
                                                  open_page)

pytestmark = pytest.mark.browser
ADMIN, EDITOR, VIEWER = ("老张", "admin-佳县-0001"), ("小李", "editor-佳县-0002"), ("小王", "viewer-佳县-0003")
WORKBOOK = "通镇填报.xlsx"
UNIT, COOPERATIVE, AMBIGUOUS = "佳县农业农村局", "通镇红枣专业合作社", "西山村"
ROWS = {  # the planner writes 西山村 without its town, as a county bureau would
    "合作社": [{"name": COOPERATIVE, "town": "通镇"}],
    "帮扶单位": [{"name": UNIT, "county": "佳县"}],
    "关系": [{"type": "结对帮扶", "from": UNIT, "to": AMBIGUOUS, "start_date": "2023", "evidence": "农业农村局包联西山村"},
             {"type": "位于", "from": COOPERATIVE, "to": AMBIGUOUS, "evidence": "合作社设在西山村"}],
}
REPORT = ("佳县通镇推进村企联建（2024-03-02）\n"
          "今年以来，通镇崔家西山村与佳县红枣产业有限公司签订红枣订单收购协议，公司按保护价收购该村红枣。\n"
          "佳县农业农村局党支部与店镇西山村党支部开展联建共建。\n")
ENTERPRISE = "佳县红枣产业有限公司"
ACCEPTED = {("企业", ENTERPRISE), ("帮扶单位", UNIT), ("党组织", "佳县农业农村局党支部"), ("党组织", "西山村党支部"), ("关系", "订单供应")}
REJECTED = ("关系", "联建共建")


def planner_workbook(path: Path) -> Path:
    """The template of ``linkgraph template`` filled in with :data:`ROWS`."""
    from openpyxl import load_workbook

    schema = default_schema()
    write_template(path, schema)
    book = load_workbook(path)
    for name, _, columns in sheets(schema):
        for row in ROWS.get(name, []):
            book[name].append([row.get(c.field) for c in columns])
    book.save(path)
    return path


def snapshot(store: str) -> tuple[dict, dict]:
    """The store's nodes by id and ties by (type, start, end), as ``export`` reads them."""
    graph, _ = pipeline.read_graph(store)
    return {n.id: n for n in graph.nodes.values()}, {t.key: t for t in graph.ties.values()}


def named(nodes: dict, name: str) -> list[str]:
    return sorted(i for i, n in nodes.items() if n.name == name)


def stated_by(records: dict, key: str) -> set:
    return {k for k, r in records.items() if any(s.get("key") == key for s in r.provenance)}


def loaded_and_counted(page, button: str, store: str, nodes: dict, ties: dict):
    """Press the load ``button``; the store after it and what is new, once the page says it created as much."""
    page.click(button)
    page.wait_for_selector("#loaded")
    after_nodes, after_ties = snapshot(store)
    new_nodes, new_ties = set(after_nodes) - set(nodes), set(after_ties) - set(ties)
    assert f"新增 created {len(new_nodes)} nodes, {len(new_ties)} ties" in page.inner_text("#loaded")
    return after_nodes, after_ties, new_nodes, new_ties


@pytest.fixture(scope="module")
def walk(tmp_path_factory):
    """The served store, the state the steps pass on, and the server (the admin made on the command line)."""
    folder = tmp_path_factory.mktemp("walk")
    store = str(folder / "jia.lbug")
    pipeline.load([EXAMPLE / "nbs_roster_610828.csv", EXAMPLE / "case.yaml"], store, replace=True)
    made = subprocess.run([sys.executable, "-m", "linkgraph", "users", "add", ADMIN[0], "--role", "admin",
                           "--store", store, "--password-stdin"], input=ADMIN[1] + "\n", capture_output=True,
                          text=True, check=False)
    assert made.returncode == 0, made.stderr
    assert ADMIN[1] not in made.stdout + made.stderr
    state = {"store": store, "folder": folder, "before": snapshot(store)}
    with serve_process("--store", store) as (address, process):
        assert "编辑可载入 editors load into" in process.ready and "只读" not in process.ready  # a team writes
        state["address"] = address
        yield state


def sign_in(open_page, walk, who: tuple[str, str], target: str, wait: str):
    opened = open_page(walk["address"] + target, allowed=(walk["address"], "data:", "blob:"), wait="form.login")
    opened.page.fill("#login-name", who[0])
    opened.page.fill("#login-password", who[1])
    opened.page.click("#login-submit")
    opened.page.wait_for_selector(wait)
    return opened


def test_1_the_admin_adds_an_editor_and_a_viewer(walk, open_page, tmp_path):
    admin = sign_in(open_page, walk, ADMIN, "/admin/users", "#add-account")
    page = admin.page
    for (name, password), role in ((EDITOR, "editor"), (VIEWER, "viewer")):
        page.fill("#new-name", name)
        page.select_option("#new-role", role)
        page.fill("#new-password", password)
        page.click("#add-submit")
        page.wait_for_selector(f'#accounts tr[data-name="{name}"]')
        assert page.locator(f'#accounts tr[data-name="{name}"] td').all_inner_texts()[1].endswith(role)
    shown = page.locator("#accounts tr[data-name]").evaluate_all("rows => rows.map(r => r.dataset.name)")
    assert sorted(shown) == sorted([ADMIN[0], EDITOR[0], VIEWER[0]])
    audit = [row.split("\t")[1:] for row in page.locator("#audit tr").all_inner_texts()[1:3]]
    assert audit == [[ADMIN[0], "user.add", f"{VIEWER[0]} (viewer)"], [ADMIN[0], "user.add", f"{EDITOR[0]} (editor)"]]
    site, logout = page.locator("header .site").bounding_box(), page.locator("#logout").bounding_box()
    assert logout["y"] < site["y"] + site["height"]  # an admin's menu fits on one line of a 1400 px window
    page.screenshot(path=str(tmp_path / "1-accounts.png"))
    assert admin.clean(), (admin.errors, admin.dialogs, admin.outside)


def test_2_the_editor_uploads_a_workbook_picks_the_village_and_loads_it(walk, open_page, tmp_path):
    nodes, ties = walk["before"]
    candidates = sorted(i for i, n in nodes.items()  # the villages of 佳县 called 西山村, by name or alias
                        if n.kind == "Village" and AMBIGUOUS in [n.name, *n.props.get("aliases", [])])
    tong = named(nodes, "通镇")
    right = [c for c in candidates if ("PART_OF", c, tong[0]) in ties]
    assert len(candidates) == 2 and len(right) == 1, (candidates, right)
    editor = sign_in(open_page, walk, EDITOR, "/uploads", "#upload-form")
    page = editor.page
    page.set_input_files("#upload-file", str(planner_workbook(walk["folder"] / WORKBOOK)))
    page.click("#upload-submit")
    page.wait_for_selector("#reconcile")
    assert page.locator("#reconcile tr").nth(1).inner_text().split("\t")[0] == AMBIGUOUS
    offered = page.locator("input[name=pick-0]").evaluate_all("inputs => inputs.map(i => i.value)")
    assert sorted(offered) == sorted(candidates)
    page.check(f"input[name=pick-0][value='{right[0]}']")
    page.screenshot(path=str(tmp_path / "2-dry-run.png"))
    after_nodes, after_ties, new_nodes, new_ties = loaded_and_counted(page, "#load-submit", walk["store"], nodes, ties)
    unit = named(after_nodes, UNIT)
    assert ("PAIRED_ASSISTANCE", unit[0], right[0]) in new_ties  # the village picked, not its namesake
    assert not any(right[0] != c and c in (s, t) for _, s, t in new_ties for c in candidates)
    page.screenshot(path=str(tmp_path / "2-loaded.png"))
    walk["workbook"] = {"nodes": new_nodes, "ties": new_ties, "unit": unit[0], "village": right[0],
                        "statements": after_ties[("PAIRED_ASSISTANCE", unit[0], right[0])].provenance}
    assert editor.clean(), (editor.errors, editor.dialogs, editor.outside)


def test_3_the_viewer_sees_the_new_ties_with_the_editor_as_their_source(walk, open_page, tmp_path):
    loaded = walk["workbook"]
    viewer = sign_in(open_page, walk, VIEWER, "/map", "body[data-drawn=true]")
    page = viewer.page
    shown_ties = {tuple(t) for t in drawn_ties(page)}
    assert ("PAIRED_ASSISTANCE", loaded["unit"], loaded["village"]) in shown_ties
    assert loaded["unit"] in drawn(page)
    click_node(page, node_index(page, loaded["unit"]))  # the map's panel: the unit, its ties and who says so
    assert page.inner_text("#focus-title") == UNIT
    paired = page.locator("#focus-ties > li[data-tie=PAIRED_ASSISTANCE]")
    assert paired.count() == 1
    said, = loaded["statements"]  # the tie's one statement in the store, the editor's
    assert said["loaded_by"] == EDITOR[0]
    assert paired.locator(".says li").all_inner_texts() == [
        f"来源 Source: {said['source']} ({said['file']}, {said['at']}, 载入 loaded {said['loaded']}, "
        f"载入者 by {EDITOR[0]})"]
    page.screenshot(path=str(tmp_path / "3-map.png"))
    page.goto(walk["address"] + "/nodes/" + loaded["unit"])
    text = page.inner_text("main")
    assert f"载入者 by {EDITOR[0]}" in text and WORKBOOK in text
    page.screenshot(path=str(tmp_path / "3-node.png"))
    assert viewer.clean(), (viewer.errors, viewer.dialogs, viewer.outside)


def draft_rows_shown(page) -> list[dict]:
    """Each row of the review page: its sheet, row and the values of its cells to edit."""
    return page.locator("#draft-rows tr[data-sheet]").evaluate_all(
        """rows => rows.map((r, i) => ({i, sheet: r.dataset.sheet, row: r.dataset.row,
                                         values: [...r.querySelectorAll('input:not([type=radio])')].map(x => x.value)}))""")


def test_4_the_editor_reviews_a_reports_draft_and_the_viewer_sees_the_accepted_ties(walk, open_page, tmp_path):
    before_nodes, before_ties = snapshot(walk["store"])
    report = walk["folder"] / "通镇报道.txt"
    report.write_text(REPORT, encoding="utf-8")
    editor = sign_in(open_page, walk, EDITOR, "/drafts", "#draft-form")
    page = editor.page
    page.set_input_files("#draft-file", str(report))
    page.click("#draft-submit")
    page.wait_for_selector("#draft-rows")
    rows = draft_rows_shown(page)
    decided = {}
    for row in rows:
        for sheet, first in (*ACCEPTED, REJECTED):
            if row["sheet"] == sheet and row["values"][:1] == [first]:
                decided[(sheet, first)] = row["i"]
    assert set(decided) == {*ACCEPTED, REJECTED}, rows
    marked = page.locator(f"#draft-rows tr:nth-child({decided[('企业', ENTERPRISE)] + 2}) mark").all_inner_texts()
    assert ENTERPRISE in marked
    for key, number in decided.items():
        page.check(f"input[name=v-{number}][value={'reject' if key == REJECTED else 'accept'}]")
    page.screenshot(path=str(tmp_path / "4-review.png"))
    after_nodes, after_ties, new_nodes, new_ties = loaded_and_counted(page, "#review-submit", walk["store"],
                                                                      before_nodes, before_ties)
    enterprise, = named(after_nodes, ENTERPRISE)
    branches = [named(after_nodes, "佳县农业农村局党支部")[0], named(after_nodes, "西山村党支部")[0]]
    supplies = ("SUPPLIES", walk["workbook"]["village"], enterprise)
    assert supplies in new_ties
    assert not any(t[0] == "CO_BUILDS" and {t[1], t[2]} == set(branches) for t in after_ties)  # rejected
    key, = {s["key"] for s in pipeline.sources(walk["store"]) if s.get("loaded_by") == EDITOR[0]} - {WORKBOOK}
    walk["draft"] = {"key": key, "nodes": stated_by(after_nodes, key), "ties": stated_by(after_ties, key)}
    assert supplies in walk["draft"]["ties"] and enterprise in walk["draft"]["nodes"]
    assert named(after_nodes, UNIT) == [walk["workbook"]["unit"]]  # the draft's row joins the workbook's unit
    assert walk["workbook"]["unit"] in walk["draft"]["nodes"]
    page.screenshot(path=str(tmp_path / "4-loaded.png"))
    assert editor.clean(), (editor.errors, editor.dialogs, editor.outside)

    viewer = sign_in(open_page, walk, VIEWER, "/map", "body[data-drawn=true]")
    shown = {tuple(t) for t in drawn_ties(viewer.page)}
    assert supplies in shown
    assert not any(t[0] == "CO_BUILDS" and {t[1], t[2]} == set(branches) for t in shown)
    viewer.page.screenshot(path=str(tmp_path / "4-viewer-map.png"))
    viewer.page.goto(walk["address"] + "/nodes/" + enterprise)
    assert f"载入者 by {EDITOR[0]}" in viewer.page.inner_text("main")
    assert viewer.clean(), (viewer.errors, viewer.dialogs, viewer.outside)


def test_5_the_admin_withdraws_the_workbook_and_exactly_what_only_it_stated_goes(walk, open_page, tmp_path):
    nodes, ties = snapshot(walk["store"])
    only_nodes = stated_by(nodes, WORKBOOK) - {i for i, n in nodes.items() if len(n.provenance) > 1}
    only_ties = stated_by(ties, WORKBOOK) - {k for k, t in ties.items() if len(t.provenance) > 1}
    assert only_nodes and only_ties
    admin = sign_in(open_page, walk, ADMIN, "/sources", "#sources")
    page = admin.page
    page.locator(f'#sources tr[data-key="{WORKBOOK}"] button.withdraw').click()
    page.wait_for_selector("#withdraw-summary")
    assert f"would delete {len(only_nodes)} nodes, {len(only_ties)} ties" in page.inner_text("#withdraw-summary")
    assert snapshot(walk["store"])[1].keys() == ties.keys()  # a dry run
    page.screenshot(path=str(tmp_path / "5-withdraw-dry-run.png"))
    page.click("#withdraw-submit")
    page.wait_for_selector("#withdraw-summary.done")
    assert f"deleted {len(only_nodes)} nodes, {len(only_ties)} ties" in page.inner_text("#withdraw-summary")
    page.screenshot(path=str(tmp_path / "5-withdrawn.png"))
    after_nodes, after_ties = snapshot(walk["store"])
    before_nodes, before_ties = walk["before"]
    assert set(after_nodes) == set(before_nodes) | walk["draft"]["nodes"]
    assert set(after_ties) == set(before_ties) | walk["draft"]["ties"]
    assert set(nodes) - set(after_nodes) == only_nodes and set(ties) - set(after_ties) == only_ties
    unit = walk["workbook"]["unit"]  # stated by the draft too: it stays, without the workbook's pairing
    assert unit in after_nodes and ("PAIRED_ASSISTANCE", unit, walk["workbook"]["village"]) not in after_ties
    assert [s["key"] for s in after_nodes[unit].provenance] == [walk["draft"]["key"]]
    page.goto(walk["address"] + "/sources")
    assert page.locator(f'#sources tr[data-key="{WORKBOOK}"]').count() == 0
    assert page.locator(f'#sources tr[data-key="{walk["draft"]["key"]}"]').count() == 1
    assert admin.clean(), (admin.errors, admin.dialogs, admin.outside)


def readme_team_setup() -> list[list[str]]:
    """The commands of the README's team section, as written (comments dropped)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### A team: accounts, roles, serving beyond this machine", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)[1]
    return [shlex.split(line, comments=True) for line in block.splitlines() if line.strip()]


def test_the_readmes_team_setup_runs_as_written_on_a_fresh_store(tmp_path, monkeypatch):
    commands = readme_team_setup()
    assert len(commands) == 5 and all(c[0] == "linkgraph" for c in commands)
    (tmp_path / "examples").symlink_to(REPO / "examples")
    self_signed(tmp_path)  # the cert.pem and key.pem the serve line names
    passwords = {}
    for command in commands[:-1]:
        stdin = None
        if command[1:3] == ["users", "add"]:  # (a script gives the password on standard input)
            stdin = passwords.setdefault(command[3], f"{command[3]}-password-0001") + "\n"
            command = [*command, "--password-stdin"]
        done = subprocess.run([sys.executable, "-m", "linkgraph", *command[1:]], cwd=tmp_path, input=stdin,
                              capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, (command, done.stderr)
    serve = commands[-1][2:]
    assert serve[serve.index("--certfile") + 1] == "cert.pem" and "--host" in serve
    monkeypatch.chdir(tmp_path)  # (serve's files are named from the folder the commands run in)
    with serve_process(*serve) as (address, process):
        assert address.startswith("https://")
        context = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))
        client = Client("https://127.0.0.1:" + address.rsplit(":", 1)[1], context=context)
        assert client.get("/map").location == "/login?next=%2Fmap"
        for name, password in passwords.items():
            assert Client(client.base, context=context).login(name, password).status == 303, name
