"""The editors' and admins' pages of ``linkgraph serve`` over real HTTP, on both stores: an editor uploads a
planner's file, sees the dry run, picks the candidate of an ambiguous village and loads it (the source records
the editor); reviews a draft and loads the accepted rows; an admin sees the sources and withdraws one after a
dry run; viewers may do none of it; names with markup stay text; and 20 viewers and 2 editors at once."""

from __future__ import annotations

import html
import io
import json
import re
import threading
import uuid
import zipfile

import pytest

from linkgraph import pipeline
from linkgraph.accounts import Role
from linkgraph.audit import audit_for
from linkgraph.uploads import draft_rows
from linkgraph.userdb import UserDB
from stores import open_store
from tests.conftest import EXAMPLE, quick_password_hashes
from tests.test_serve import jia_store  # noqa: F401 (a fixture)
from tests.test_serve_auth import NAMES, PASSWORD, Client, running, signed_in, team_db
from tests.test_uploads import spec  # noqa: F401 (a fixture: the store, on each backend)

PAIRS = EXAMPLE / "planner" / "结对帮扶.csv"
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>合作社"


def multipart(fields: dict[str, str], name: str, data: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body with ``fields`` and one file, and its content type."""
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                 "Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def jia_folder() -> bytes:
    """The Jia County case file and its roster, as a zip of their folder."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as folder:
        for name in ("case.yaml", "nbs_roster_610828.csv"):
            folder.write(EXAMPLE / name, f"佳县/{name}")
    return archive.getvalue()


def upload(client: Client, target: str, name: str, data: bytes):
    body, kind = multipart({"csrf_token": client.token(target)}, name, data)
    return client.request("POST", target, body=body, headers={"Content-Type": kind})


def form_of(page: str, form_id: str) -> tuple[str, dict[str, str]]:
    """The action and the fields (hidden and checked) of the form ``form_id`` on ``page``."""
    block = re.search(rf'<form[^>]*action="([^"]*)"[^>]*id="{form_id}"(.*?)</form>', page, re.S)
    assert block, form_id
    fields = {html.unescape(n): html.unescape(v) for n, v in
              re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)"', block[2])}
    fields.update({html.unescape(n): html.unescape(v) for n, v in
                   re.findall(r'<input type="radio" name="([^"]*)" value="([^"]*)" checked', block[2])})
    return html.unescape(block[1]), fields


@pytest.fixture
def team(spec, tmp_path):
    """A served store holding Jia County's roster (``spec``), with a team: viewer, editor, admin (accounts made at
    argon2's lowest cost: these tests are about uploads and loads, not the hashing)."""
    with quick_password_hashes():
        team_db(tmp_path / "users.db")
    with running(spec, tmp_path / "cache", tmp_path / "users.db") as (url, app):
        yield url, spec, tmp_path


def test_an_editor_uploads_picks_the_village_and_loads_as_themself(team):
    url, spec, _ = team
    editor = signed_in(url, Role.editor)
    checked = upload(editor, "/uploads", "结对帮扶.csv", PAIRS.read_bytes())
    assert checked.status == 200 and "西山村" in checked.body and "通镇崔家西山村 (610828105236)" in checked.body
    action, fields = form_of(checked.body, "load-form")
    assert json.loads(fields["key-0"]) == ["Village", "通镇", "西山村"]
    loaded = editor.request("POST", action, form={**fields, "pick-0": "610828105236"})
    assert loaded.status == 200 and 'id="loaded"' in loaded.body, loaded.body[-600:]
    assert "新增 created 1 nodes, 1 ties" in loaded.body
    row = {r["key"]: r for r in pipeline.sources(spec)}["结对帮扶.csv"]
    assert row["loaded_by"] == NAMES["editor"]
    viewer = signed_in(url, Role.viewer)
    page = viewer.get("/nodes/610828105236")  # the pages follow the new data, with who loaded it
    assert page.status == 200 and f"载入者 by {NAMES['editor']}" in page.body
    assert editor.request("POST", action, form=fields).status == 404  # loaded once; the upload is gone
    db = UserDB(team[2] / "users.db")
    assert any(e["action"] == "source.load" and e["actor"] == NAMES["editor"] and "结对帮扶.csv" in e["detail"]
               for e in db.audit(20))


def test_viewers_may_not_upload_or_withdraw_and_editors_may_not_withdraw(team):
    url, _, _ = team
    viewer, editor = signed_in(url, Role.viewer), signed_in(url, Role.editor)
    assert viewer.get("/uploads").status == 403 and viewer.get("/drafts").status == 403
    assert editor.get("/sources").status == 403
    token = editor.token("/uploads")
    assert editor.request("POST", "/sources/withdraw", form={"csrf_token": token, "source": "x"}).status == 403
    body, kind = multipart({}, "结对帮扶.csv", PAIRS.read_bytes())  # no CSRF token
    assert editor.request("POST", "/uploads", body=body, headers={"Content-Type": kind}).status == 403


def test_names_with_markup_stay_text_on_the_pages(team):
    url, spec, _ = team
    editor = signed_in(url, Role.editor)
    table = ("名称,所属乡镇,合计个数\n" + f'"{HOSTILE}",刘国具镇,3\n').encode("utf-8-sig")
    checked = upload(editor, "/uploads", f"{HOSTILE}合作社.csv", table)
    assert HOSTILE not in checked.body and "<img src=x" not in checked.body
    action, fields = form_of(checked.body, "load-form")
    loaded = editor.request("POST", action, form=fields)
    assert loaded.status == 200 and HOSTILE not in loaded.body
    admin = signed_in(url, Role.admin)
    for page in (admin.get("/sources"), admin.get("/"), admin.get("/nodes?q=%E5%90%88%E4%BD%9C%E7%A4%BE")):
        assert page.status == 200 and HOSTILE not in page.body and "<img src=x" not in page.body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in admin.get("/nodes?q=%E5%90%88%E4%BD%9C%E7%A4%BE").body


def test_an_admin_withdraws_a_source_after_a_dry_run(team):
    url, spec, _ = team
    pipeline.load([EXAMPLE / "case.yaml"], spec, loaded_by="王科长")
    admin = signed_in(url, Role.admin)
    sources = admin.get("/sources")
    assert sources.status == 200 and 'data-key="case.yaml"' in sources.body and "王科长" in sources.body
    token = admin.token("/sources")
    dry = admin.request("POST", "/sources/withdraw", form={"csrf_token": token, "source": "case.yaml"})
    assert dry.status == 200 and "would delete 18 nodes, 37 ties" in dry.body
    assert "Enterprise jia:hezhai_liquor 陕西贺寨酒业有限公司" in dry.body
    assert "case.yaml" in {r["key"] for r in pipeline.sources(spec)}
    action, fields = form_of(dry.body, "withdraw-confirm")
    done = admin.request("POST", action, form=fields)
    assert done.status == 200 and "deleted 18 nodes, 37 ties" in done.body
    assert "case.yaml" not in {r["key"] for r in pipeline.sources(spec)}
    assert admin.get("/nodes/jia:hezhai_liquor").status == 404


def test_an_editor_reviews_a_draft_and_loads_the_accepted_rows(team):
    url, spec, folder = team
    draft = pipeline.extract_draft([EXAMPLE / "article_2024-01-18.txt"], folder / "draft.xlsx", county="610828")
    editor = signed_in(url, Role.editor)
    review = upload(editor, "/drafts", "draft.xlsx", draft.path.read_bytes())
    assert review.status == 200 and review.body.count('<tr data-sheet="') == 58
    assert "<mark>縣委辦黨支部</mark>與<mark>西山村黨支部</mark>" in review.body  # the names marked in the report's words
    action, fields = form_of(review.body, "review-form")
    rows = re.findall(r'<tr data-sheet="([^"]*)" data-row="(\d+)">(.*?)</tr>', review.body, re.S)
    for number, (sheet, _, cells) in enumerate(rows):
        located = 'value="位于"' in cells and 'value="陕西贺寨酒业有限公司"' in cells.split("终点 <input")[0]
        fields[f"v-{number}"] = "reject" if located else "accept"
        if sheet == "企业":
            column = re.findall(r'<label class="cell">([^<]*) <input name="(c-\d+-\d+)"', cells)
            fields[dict((h.strip(), n) for h, n in column)["备注"]] = "核实 checked <b>by</b> the editor"
    assert list(fields.values()).count("reject") == 1
    loaded = editor.request("POST", action, form=fields)
    assert loaded.status == 200 and 'id="loaded"' in loaded.body, loaded.body[-800:]
    assert "新增 created 18 nodes, 33 ties" in loaded.body
    row = {r["key"]: r for r in pipeline.sources(spec)}["draft.xlsx"]
    assert row["loaded_by"] == NAMES["editor"] and row["ties_stated"] == 33
    with open_store(spec, read_only=True) as store:
        graph = store.export()
    [company] = list(graph.nodes_of("Enterprise"))
    assert company.props["note"] == "核实 checked <b>by</b> the editor"
    assert not [t for t in graph.ties.values() if t.type == "LOCATED_IN" and t.source_id == company.id]


def test_an_editor_uploads_a_report_text_and_reviews_its_draft(team):
    url, spec, folder = team
    article = EXAMPLE / "article_2024-01-18.txt"
    expected = draft_rows(pipeline.extract_draft([article], folder / "draft.xlsx").path.read_bytes())
    editor = signed_in(url, Role.editor)
    review = upload(editor, "/drafts", article.name, article.read_bytes())
    assert review.status == 200 and review.body.count('<tr data-sheet="') == len(expected) > 0
    assert "<mark>縣委辦黨支部</mark>與<mark>西山村黨支部</mark>" in review.body
    action, fields = form_of(review.body, "review-form")
    loaded = editor.request("POST", action, form={**fields, "v-0": "accept"})
    assert loaded.status == 200 and 'id="loaded"' in loaded.body, loaded.body[-800:]
    row = {r["key"]: r for r in pipeline.sources(spec)}["article_2024-01-18.xlsx"]
    assert row["loaded_by"] == NAMES["editor"]
    refused = upload(editor, "/drafts", "<b>notes</b>.txt", b"no report here")
    assert refused.status == 422 and "报道中没有中文 / the file holds no Chinese text" in refused.body
    assert "<b>notes" not in refused.body


def test_twenty_viewers_and_two_editors_at_once(team):
    url, spec, folder = team
    db = UserDB(folder / "users.db")
    with quick_password_hashes():
        for number in range(20):
            db.add("test", f"viewer{number}", Role.viewer, PASSWORD["viewer"])
        db.add("test", "editor2", Role.editor, PASSWORD["editor"])
    errors, done = [], threading.Event()
    pages = ["/", "/map", "/nodes/610828105236", "/queries/kind_counts", "/nodes?q=%E9%80%9A%E9%95%87"]

    def viewer(number: int) -> None:
        client = Client(url)
        if client.login(f"viewer{number}", PASSWORD["viewer"]).status != 303:
            errors.append(f"viewer{number}: login")
            return
        while not done.is_set():
            for page in pages:
                answer = client.get(page)
                if answer.status != 200:
                    errors.append(f"viewer{number} {page}: {answer.status}")

    def editor(name: str, file: str, data: bytes, picks: dict[str, str]) -> None:
        client = Client(url)
        client.login(name, PASSWORD["editor"])
        checked = upload(client, "/uploads", file, data)
        action, fields = form_of(checked.body, "load-form")
        answer = client.request("POST", action, form={**fields, **picks})
        if answer.status != 200 or 'id="loaded"' not in answer.body:
            errors.append(f"{name}: {answer.status} {answer.body[-300:]}")

    viewers = [threading.Thread(target=viewer, args=(n,)) for n in range(20)]
    editors = [threading.Thread(target=editor, args=(NAMES["editor"], "结对帮扶.csv", PAIRS.read_bytes(),
                                                     {"pick-0": "610828105236"})),
               threading.Thread(target=editor, args=("editor2", "佳县.zip", jia_folder(), {}))]
    for thread in viewers + editors:
        thread.start()
    for thread in editors:
        thread.join(300)
    done.set()
    for thread in viewers:
        thread.join(60)
    assert errors == []
    rows = {r["key"]: r for r in pipeline.sources(spec)}
    assert (rows["结对帮扶.csv"]["loaded_by"], rows["case.yaml"]["loaded_by"]) == (NAMES["editor"], "editor2")
    loads = [e for e in db.audit(100) if e["action"] == "source.load"]
    assert sorted(json.loads(e["detail"])["upload"] for e in loads) == ["佳县.zip", "结对帮扶.csv"]  # each once
    written = [e["detail"]["sources"] for e in audit_for(spec).entries() if e["action"] == "load" and e["actor"] != "管理员"]
    assert sorted(map(sorted, written)) == [["case.yaml", "nbs_roster_610828.csv"], ["结对帮扶.csv"]]
    with open_store(spec, read_only=True) as store:
        counts = store.counts()
    assert (counts["Enterprise"], counts["Village"]) == (1, 334) and counts["PAIRED_ASSISTANCE"] >= 1


def test_uploads_wait_for_their_load_within_bounds_and_only_for_their_owner(monkeypatch):
    from starlette.exceptions import HTTPException

    from linkgraph import load_pages
    from linkgraph.load_pages import Pending, PendingUploads

    monkeypatch.setattr(load_pages, "PENDING_BYTES", 10)
    pending = PendingUploads()
    first = pending.add(Pending("upload", "a.csv", b"123456", "小李"))
    assert pending.get(first, "upload", "小李").data == b"123456"
    for who, kind in (("小王", "upload"), ("小李", "draft")):
        with pytest.raises(HTTPException) as refused:
            pending.get(first, kind, who)
        assert refused.value.status_code == 404
    second = pending.add(Pending("upload", "b.csv", b"123456", "小李"))  # 12 bytes together: the oldest goes
    assert pending.get(second, "upload", "小李").name == "b.csv"
    with pytest.raises(HTTPException):
        pending.get(first, "upload", "小李")


def test_a_file_name_too_long_for_the_disk_is_said_on_the_page(team):
    url, _, _ = team
    editor = signed_in(url, Role.editor)
    stem = "佳县结对帮扶" * 15  # 90 characters, 270 bytes in UTF-8: more than a file name may hold
    for target, suffix in (("/uploads", ".csv"), ("/drafts", ".xlsx")):
        answer = upload(editor, target, stem + suffix, PAIRS.read_bytes())
        assert answer.status == 422 and "the file name is longer than 255 bytes" in answer.body, (target, answer.status)


def test_a_draft_too_long_to_review_on_one_page_is_refused_before_the_page_is_made(team):
    from loaders.upload import UploadLimits

    url, _, _ = team
    editor = signed_in(url, Role.editor)
    most = UploadLimits().max_draft_rows
    rows = "".join(f"是,村{n}\n" for n in range(most + 1))
    answer = upload(editor, "/drafts", "大草稿.csv", f"采纳,名称\n{rows}".encode("utf-8-sig"))
    assert answer.status == 422 and f"the draft proposes {most + 1:,} rows, more than {most:,}" in answer.body
    assert answer.body.count('name="v-') == 0
    fits = "".join(f"是,村{n}\n" for n in range(3))
    answer = upload(editor, "/drafts", "小草稿.csv", f"采纳,名称\n{fits}".encode("utf-8-sig"))
    assert answer.status == 200 and answer.body.count('value="accept"') == 3


def test_a_draft_is_read_within_the_uploads_bounds_in_a_process_of_its_own(jia_store, tmp_path, monkeypatch):
    """A draft's cells count against the upload's cell bound (``LINKGRAPH_MAX_UPLOAD_CELLS``, set here to 10), as a
    load's dry run does: the draft is read by the upload's worker, not in the server's own process."""
    from openpyxl import Workbook

    from tests.test_serve_auth import serve_process

    monkeypatch.setenv("LINKGRAPH_MAX_UPLOAD_CELLS", "10")
    book = Workbook()
    for row in [("采纳", "名称"), *[("是", f"村{n}") for n in range(20)]]:
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    team_db(tmp_path / "users.db")
    with serve_process("--store", str(jia_store), "--users", str(tmp_path / "users.db"),
                       "--cache", str(tmp_path / "cache")) as (address, _):
        editor = Client(address)
        assert editor.login(NAMES["editor"], PASSWORD["editor"]).status == 303
        answer = upload(editor, "/drafts", "草稿.xlsx", data.getvalue())
        assert answer.status == 422 and "more cells than the limit" in answer.body, answer.status
        small = ("采纳,名称\n" + "是,村1\n").encode("utf-8-sig")
        assert upload(editor, "/drafts", "草稿.csv", small).status == 200


def test_an_upload_replacing_another_towns_file_of_the_same_name_asks_before_it_deletes(team):
    url, spec, _ = team
    editor = signed_in(url, Role.editor)
    first = "帮扶单位,结对村,所属乡镇,结对时间\n县农业农村局,610828105236,通镇,2022\n".encode("gbk")
    action, fields = form_of(upload(editor, "/uploads", "结对帮扶.csv", first).body, "load-form")
    assert 'id="loaded"' in editor.request("POST", action, form=fields).body
    second = "帮扶单位,结对村,所属乡镇,结对时间\n县财政局,610828102209,店镇,2022\n".encode("gbk")
    checked = upload(editor, "/uploads", "结对帮扶.csv", second)
    assert checked.status == 200 and 'id="replacing"' in checked.body and 'id="replace-confirm"' in checked.body
    assert f"载入将替换已有的来源“结对帮扶.csv”（{NAMES['editor']} " in checked.body
    action, fields = form_of(checked.body, "load-form")
    held = editor.request("POST", action, form=fields)  # the box not ticked: nothing is deleted
    assert held.status == 422 and 'id="not-loaded"' in held.body and "载入将替换已有的来源" in held.body

    def paired() -> set[str]:
        with open_store(spec, read_only=True) as store:
            return {t.target_id for t in store.export().ties.values() if t.type == "PAIRED_ASSISTANCE"}

    assert paired() == {"610828105236"}
    loaded = editor.request("POST", action, form={**fields, "replace": "yes"})
    assert loaded.status == 200 and "删除 deleted 1 nodes, 1 ties" in loaded.body  # the first file's unit and pairing
    assert paired() == {"610828102209"}


UNKNOWN_HEADERS = ("单位", "帮扶的村", "镇")
"""Headers of a planner's pairing table that name no field (``linkgraph load`` refuses them as unknown columns)."""
MAPPED_PAIRS = ("单位,帮扶的村,镇\n佳县县委办公室,崔家西山村,通镇\n佳县水利局,高家集村,通镇\n").encode("utf-8-sig")


def column_choices(page: str) -> tuple[str, dict[str, str], dict[str, tuple[str, list[str]]]]:
    """The action and hidden fields of the unknown columns' form, and for each of its selects (by name) the header
    as the page shows it (unescaped), its preselected field and every field it offers."""
    action, fields = form_of(page, "columns-form")
    rows = re.findall(r'<tr data-column="(\d+)"><td class="header">(.*?)</td>.*?<select name="(field-\d+)"[^>]*>(.*?)</select>',
                      page, re.S)
    choices = {}
    for _, header, name, options in rows:
        offered = re.findall(r'<option value="([^"]*)"( selected)?>', options)
        chosen = next((value for value, selected in offered if selected), "")
        choices[name] = (html.unescape(header), chosen, [value for value, _ in offered if value])
    return action, fields, choices


def tie_ends(spec: str, tie_type: str) -> set[tuple[str, str]]:
    with open_store(spec, read_only=True) as store:
        graph = store.export()
    return {(graph.nodes[t.source_id].name, t.target_id) for t in graph.ties.values() if t.type == tie_type}


def test_an_upload_refused_for_unknown_columns_is_mapped_on_the_page_and_loads(team):
    """A pairing table with headers linkgraph does not know: the dry run lists each header as written with the
    fields of a tie table (the "did you mean" field preselected), the editor picks the fields, the kept upload is
    checked again with that mapping (not sent again) and loads its two pairings; the source is the one
    ``linkgraph load --columns`` would record (same digest), and the audit log names the mapping."""
    from loaders import source_identities

    url, spec, folder = team
    editor = signed_in(url, Role.editor)
    refused = upload(editor, "/uploads", "结对帮扶.csv", MAPPED_PAIRS)
    assert refused.status == 200 and 'id="unknown-columns"' in refused.body  # a question, as names to pick
    assert 'id="load-form"' not in refused.body and 'id="map-first"' in refused.body
    action, fields, choices = column_choices(refused.body)
    assert sorted(header for header, _, _ in choices.values()) == sorted(UNKNOWN_HEADERS)
    by_header = {header: (name, chosen, offered) for name, (header, chosen, offered) in choices.items()}
    assert by_header["帮扶的村"][1] == "to"  # "did you mean 帮扶村": 帮扶村 is a word of to (columns.yaml)
    assert {"from", "to", "to_town", "start_date"} <= set(by_header["单位"][2])  # a tie table's fields
    assert ">起点 From</option>" in refused.body and ">终点乡镇 To town</option>" in refused.body
    assert action.endswith("/columns") and action.startswith("/uploads/")
    mapping = {"单位": "from", "帮扶的村": "to", "镇": "to_town"}
    checked = editor.request("POST", action, form={**fields, **{by_header[h][0]: f for h, f in mapping.items()}})
    assert checked.status == 200 and 'id="unknown-columns"' not in checked.body, checked.body[-1500:]
    assert "“帮扶的村” → 终点 To" in checked.body
    counts = re.search(r'<table id="counts">.*?</table>', checked.body, re.S)[0]
    assert "<td>新增 created</td><td>2</td><td>2</td>" in counts  # the assistance unit of each row, and its pairing
    load_action, load_fields = form_of(checked.body, "load-form")
    assert load_action.split("/")[2] == action.split("/")[2]  # the same kept upload
    loaded = editor.request("POST", load_action, form=load_fields)
    assert loaded.status == 200 and 'id="loaded"' in loaded.body, loaded.body[-800:]
    assert tie_ends(spec, "PAIRED_ASSISTANCE") == {("佳县县委办公室", "610828105236"), ("佳县水利局", "610828105211")}
    row = {r["key"]: r for r in pipeline.sources(spec)}["结对帮扶.csv"]
    assert row["loaded_by"] == NAMES["editor"] and row["ties_stated"] == 2
    (folder / "结对帮扶.csv").write_bytes(MAPPED_PAIRS)
    [cli] = source_identities([folder / "结对帮扶.csv"], columns=mapping)
    assert row["digest"] == cli.digest != source_identities([folder / "结对帮扶.csv"])[0].digest
    db = UserDB(folder / "users.db")
    [entry] = [e for e in db.audit(20) if e["action"] == "source.load"]
    assert json.loads(entry["detail"])["columns"] == mapping


def test_a_mapping_is_only_the_uploaders_and_only_to_the_fields_offered(team):
    url, _, _ = team
    editor = signed_in(url, Role.editor)
    refused = upload(editor, "/uploads", "结对帮扶.csv", MAPPED_PAIRS)
    action, fields, choices = column_choices(refused.body)
    wrong = editor.request("POST", action, form={**fields, "field-0": "name_raw"})  # a node table's field
    assert wrong.status == 400 and "is not a field of column" in wrong.body
    admin = signed_in(url, Role.admin)  # another account: no one learns another's upload
    assert admin.request("POST", action, form={"csrf_token": admin.token("/uploads"), "field-0": "from"}).status == 404
    viewer = signed_in(url, Role.viewer)
    assert viewer.request("POST", action, form={"csrf_token": viewer.token("/"), "field-0": "from"}).status == 403


def test_unknown_headers_with_markup_stay_text_on_the_mapping_page(team):
    """Headers are the planner's text: one holding markup is shown escaped in the table, the select's label and
    the mapping line, and maps and loads like any other."""
    url, spec, _ = team
    editor = signed_in(url, Role.editor)
    hostile = "<script>alert(1)</script>"
    table = (f'帮扶单位,结对村,所属乡镇,"{hostile}","{HOSTILE}"\n佳县水利局,高家集村,通镇,说明一,说明二\n').encode("utf-8-sig")
    refused = upload(editor, "/uploads", "结对帮扶.csv", table)
    assert refused.status == 200 and hostile not in refused.body and "<img src=x" not in refused.body
    assert refused.body.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 2  # the header cell and the select's label
    action, fields, choices = column_choices(refused.body)
    assert sorted(header for header, _, _ in choices.values()) == sorted([hostile, HOSTILE])
    picks = {name: ("note" if header == hostile else "evidence") for name, (header, _, _) in choices.items()}
    checked = editor.request("POST", action, form={**fields, **picks})
    assert checked.status == 200 and hostile not in checked.body and "<img src=x" not in checked.body
    assert "“&lt;script&gt;alert(1)&lt;/script&gt;” → 备注 Note" in checked.body
    load_action, load_fields = form_of(checked.body, "load-form")
    loaded = editor.request("POST", load_action, form=load_fields)
    assert loaded.status == 200 and 'id="loaded"' in loaded.body
    with open_store(spec, read_only=True) as store:
        [tie] = [t for t in store.export().ties.values() if t.type == "PAIRED_ASSISTANCE"]
    assert (tie.props["note"], tie.props["evidence"]) == ("说明一", "说明二")


def test_an_editor_uploads_a_village_company_table_and_sees_the_branches_linkgraph_named(team):
    """A 村企联建 table (村, 企业, 乡镇) names a village and a company: the check page says which party branches
    linkgraph names; loaded, the tie joins them and each branch is its unit's (PARTY_ORG_OF), stated by the row."""
    url, spec, _ = team
    editor = signed_in(url, Role.editor)
    data = "村,企业,乡镇\n高家集村,佳县红枣有限公司,通镇\n".encode("gbk")
    checked = upload(editor, "/uploads", "村企联建.csv", data)
    assert checked.status == 200 and "说明 note: 2 个单位没有党组织，已按“名称+党支部”由 linkgraph 命名" in checked.body
    assert "通镇高家集村、佳县红枣有限公司 / linkgraph named" in html.unescape(checked.body)
    action, fields = form_of(checked.body, "load-form")
    loaded = editor.request("POST", action, form=fields)
    assert loaded.status == 200 and 'id="loaded"' in loaded.body, loaded.body[-600:]
    with open_store(spec, read_only=True) as store:
        graph = store.export()
    names = {t.type: (graph.nodes[t.source_id].name, graph.nodes[t.target_id].name) for t in graph.ties.values()
             if t.type in ("CO_BUILDS", "PARTY_ORG_OF") and t.target_id != "610828105211"}
    assert names == {"CO_BUILDS": ("高家集村党支部", "佳县红枣有限公司党支部"),
                     "PARTY_ORG_OF": ("佳县红枣有限公司党支部", "佳县红枣有限公司")}
    [village_branch] = [t for t in graph.ties.values() if t.type == "PARTY_ORG_OF" and t.target_id == "610828105211"]
    assert graph.nodes[village_branch.source_id].name == "高家集村党支部"
    assert [(s["file"], s["at"], s["loaded_by"]) for s in village_branch.provenance] == [
        ("村企联建.csv", "工作表 sheet 村企联建, 行 row 2", NAMES["editor"])]
