import pytest

from graph_model.names import strip_pinyin_glosses
from graph_model.records import InputError
from loaders import load_sources
from loaders.case_file import parse_case, parse_yaml
from loaders.reconcile import RosterIndex
from loaders.roster import load_roster
from tests.conftest import EXAMPLE

ARTICLE = strip_pinyin_glosses((EXAMPLE / "article_2024-01-18.txt").read_text(encoding="utf-8"))


def test_jia_case_counts(jia):
    counts = jia.graph.counts()
    assert counts["PartyOrganization"] == 6
    assert (counts["Enterprise"], counts["Cooperative"], counts["AssistanceUnit"]) == (1, 3, 1)
    assert (counts["Project"], counts["Industry"]) == (1, 6)
    assert counts["Village"] == 334  # the case names roster villages; it adds none
    # 349 roster ties; 37 of the case: the article's 34, the town's GUIDES to the joint branch it set up, and
    # where the joint cooperative and the cattle farm lie (乌镇)
    assert len(jia.graph.ties) == 349 + 37
    assert [m.ref.name for m in jia.conflicts] == ["西山村"]


def test_every_evidence_quote_is_in_the_article(jia):
    quotes = [t.props["evidence"] for t in jia.graph.ties.values() if not t.props["evidence"].startswith("nbs_roster")]
    for node in jia.graph.nodes.values():
        if node.props.get("claims"):
            quotes.append(node.props["claims"]["依据"])
    for tie in jia.graph.ties.values():
        if tie.props.get("metrics"):
            quotes.extend(tie.props["metrics"]["依据"].split(" … "))
    assert len(quotes) == 37 + 5 + 2  # ties, claims (the town's profit redistribution the fifth), two metrics sentences
    missing = [q for q in quotes if q not in ARTICLE]
    assert missing == []


def test_named_organizations_and_aliases(jia):
    by_name = {n.name: n for n in jia.graph.nodes.values()}
    for name in ["乌镇党委", "刘国具镇党委", "核桃树墕联村党委", "核桃树墕联村合作社", "联村合作社养牛场",
                 "陕西贺寨酒业有限公司", "刘国具镇38家酿酒合作社（作坊）", "上高寨酒业联合党支部", "佳县县委办公室",
                 "县委办党支部", "西山村党支部"]:
        assert name in by_name, name
    hezhai = by_name["陕西贺寨酒业有限公司"]
    assert {"陕西贺寨酒业公司", "贺寨酒业"} <= set(hezhai.props["aliases"])
    assert "brand" not in hezhai.props  # 桃花液 is the joint branch's regional brand
    assert by_name["上高寨酒业联合党支部"].props["brand"] == ["桃花液"]
    assert "通镇党委" not in by_name  # the article never names it
    assert by_name["刘国具镇38家酿酒合作社（作坊）"].props["aggregate_count"] == 38
    assert by_name["核桃树墕联村党委"].props["claims"]["成员村数"] == 9
    assert by_name["佳县"].props["claims"]["帮扶单位数"] == 48


def test_inferred_ties_say_so_and_why(jia):
    inferred = {(t.type, jia.graph.nodes[t.source_id].name, jia.graph.nodes[t.target_id].name): t.props["inference"]
                for t in jia.graph.ties.values() if t.props.get("basis") == "inferred"}
    assert set(inferred) == {
        ("OPERATES", "核桃树墕联村合作社", "联村合作社养牛场"),  # the article: the committee builds the farm
        ("ENGAGED_IN", "联村合作社养牛场", "饲草种植"), ("ENGAGED_IN", "联村合作社养牛场", "小杂粮种植"),
        ("LOCATED_IN", "核桃树墕联村合作社", "乌镇"), ("LOCATED_IN", "联村合作社养牛场", "乌镇"),
        ("LOCATED_IN", "陕西贺寨酒业有限公司", "刘国具镇"), ("LOCATED_IN", "上高寨酒业联合党支部", "刘国具镇"),
        ("LOCATED_IN", "佳县县委办公室", "佳县"),
    }
    assert all(reason.strip() for reason in inferred.values())
    # stated ties carry no basis: the town set up the joint branch, as the article says
    guides = jia.graph.ties[("GUIDES", "610828111", "jia:shanggaozhai_joint_branch")]
    assert "basis" not in guides.props and "成立了上高寨酒業聯合黨支部" in guides.props["evidence"]


def test_the_codes_the_case_file_cites_are_the_rosters():
    import csv
    import re

    import yaml

    roster = {r["code"]: r for r in csv.DictReader((EXAMPLE / "nbs_roster_610828.csv").open(encoding="utf-8"))}
    case = yaml.safe_load((EXAMPLE / "case.yaml").read_text(encoding="utf-8"))
    xishan = case["places"]["xishan_village"]
    assert xishan["resolve_to"] == "610828105236" and "（610828105236）" in xishan["resolution"]
    # the code is 崔家西山村 of 通镇 (610828105); the 2023 roster's 西山村 lies in 店镇 (610828102)
    assert (roster["610828105236"]["name"], roster["610828105236"]["parent_code"]) == ("崔家西山村委会", "610828105")
    assert roster["610828105"]["name"] == "通镇"
    named = {r["name"]: r["parent_code"] for r in roster.values() if r["level"] == "village"}
    assert named["西山村委会"] == "610828102" and roster["610828102"]["name"] == "店镇"
    # every 12-digit code the case file cites is a village of the roster, and the name beside it is that village's
    text = (EXAMPLE / "case.yaml").read_text(encoding="utf-8")
    cited = set(re.findall(r"(?<!\d)\d{12}(?!\d)", text))
    assert cited == {"610828105236", "610828111233"}
    assert roster["610828111233"]["name"] == "上高寨村委会" and roster["610828111"]["name"] == "刘国具镇"


def test_the_article_village_is_the_curated_roster_village(jia):
    xishan = jia.graph.nodes["610828105236"]
    assert xishan.name == "崔家西山村"
    assert "西山村" in xishan.props["aliases"]
    assert "店镇西山村 (610828102209)" in xishan.props["reconciliation"]
    assert "news report" in xishan.props["source"] and "NBS" in xishan.props["source"]
    tie = jia.graph.ties[("PAIRED_ASSISTANCE", "jia:county_committee_office", "610828105236")]
    metrics = tie.props["metrics"]
    assert (metrics["联系人次"], metrics["帮扶户数"], metrics["带动收益_元"]) == (653, 57, 290000)
    assert tie.props["mechanism"] == "八联八帮"


def test_ties_carry_years(jia):
    years = {t.type: t.props.get("start_year") for t in jia.graph.ties.values() if t.source_id == "610828103224"}
    assert years == {"MEMBER_OF": 2021, "PART_OF": None}


@pytest.fixture(scope="module")
def roster():
    from graph_model.schema import default_schema

    return RosterIndex(load_roster(EXAMPLE / "nbs_roster_610828.csv", default_schema()))


CASE = """source: test
organizations:
  office:
    kind: AssistanceUnit
    name: 县委办
places:
  tong:
    kind: Town
    name: 通镇
ties:
  - type: GUIDES
    from: office
    to: tong
    evidence: x
"""


@pytest.mark.parametrize(
    "text, expected",
    [
        (CASE.replace("to: tong", "to: nowhere"), "case.yaml, 行 row 11: 引用了未定义的键 / tie refers to unknown key(s) nowhere"),
        (CASE.replace("    evidence: x\n", ""), "case.yaml, 行 row 11, 列 column evidence: 必填项为空 / 依据 Evidence is required"),
        (CASE.replace("kind: AssistanceUnit", "kind: Agency"), "case.yaml, 行 row 4, 键 key office, 列 column kind: 未知的节点类型 / unknown node kind 'Agency'"),
        (CASE.replace("name: 通镇", "name: 通县"), "case.yaml, 行 row 8, 键 key tong: 名册中无此名称 / Town 通县 is not in the roster"),
        (CASE.replace("kind: AssistanceUnit", "kind: Village"), "case.yaml, 行 row 4, 键 key office, 列 column kind: 行政单位应列在 places / office is a Village"),
        ("source: [unclosed\n", "case.yaml, 行 row 2: YAML 格式错误 / not valid YAML"),
        # strictness: what YAML would silently get wrong
        (CASE.replace("    name: 县委办\n", "    name: 县委办\n    name: 县委办公室\n"),
         "case.yaml, 行 row 6, 列 column name: 键重复 / duplicate key 'name' (first at row 5)"),
        (CASE.replace("ties:", "tie:"), "case.yaml, 行 row 10, 列 column tie: 未知的部分 / unknown section 'tie' (提示 hint: did you mean ties?"),
        (CASE.replace("name: 县委办", "name: yes"), "case.yaml, 行 row 5, 键 key office, 列 column name: 应为文字，请加引号 / expected text, got True"),
        (CASE.replace("name: 县委办", "name: 10"), "case.yaml, 行 row 5, 键 key office, 列 column name: 应为文字，请加引号 / expected text, got 10"),
        (CASE.replace("    evidence: x", "    evidence: x\n    start_date: 2021-02-30"),
         "case.yaml, 行 row 15, 列 column start_date: 日期不存在 / 2021-02-30 is not a day of the calendar"),
        (CASE.replace("    evidence: x", "    evidence: x\n    start_date: 2022\n    end_date: 2021"),
         "case.yaml, 行 row 16, 列 column end_date: 结束（2021）早于开始（2022）/ ends (2021) before it starts (2022)"),
        (CASE.replace("from: office", "from: [office]"), "case.yaml, 行 row 12, 列 column from: 应为文字 / from must be text"),
        (CASE.replace("ties:\n", "ties: 5\n").split("  - type")[0], "case.yaml, 行 row 10, 列 column ties: 格式有误 / ties must be a list of ties"),
        (CASE.replace("name: 县委办", "name: 县委办\n    aliases: 5"), "case.yaml, 行 row 6, 键 key office, 列 column aliases: 应为文字列表 / expected a list of texts"),
        (CASE.replace("name: 通镇", "name: 2021"), "case.yaml, 行 row 9, 键 key tong, 列 column name: 应为文字 / name must be text, got 2021"),
        ("source: s\nplaces: {a: &x {kind: Town, name: 通镇}, b: *x}\n", "case.yaml, 行 row 2: YAML 格式错误 / not valid YAML: 不支持锚点和别名 / anchors and aliases"),
        ("source: s\nnote: " + "[" * 60 + "]" * 60 + "\n", "case.yaml, 行 row 2: YAML 格式错误 / not valid YAML: 嵌套过深 / nested more than 40 levels"),
    ],
)
def test_case_errors_name_file_line_and_key(schema, roster, text, expected):
    with pytest.raises(InputError) as caught:
        parse_case(parse_yaml(text, "case.yaml"), "case.yaml", schema, roster)
    assert str(caught.value.problems[0]).startswith(expected)


def test_guides_to_a_town_is_refused_by_the_schema(schema, roster, tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text(CASE, encoding="gbk")
    (tmp_path / "roster.csv").write_bytes((EXAMPLE / "nbs_roster_610828.csv").read_bytes())
    with pytest.raises(InputError) as caught:
        load_sources([tmp_path / "roster.csv", path], schema)
    assert "GUIDES cannot join AssistanceUnit 县委办 to Town 通镇" in str(caught.value)


def copy_example(tmp_path, edit=lambda text: text, roster=True):
    case = tmp_path / "case.yaml"
    case.write_text(edit((EXAMPLE / "case.yaml").read_text(encoding="utf-8")), encoding="utf-8")
    if roster:
        (tmp_path / "nbs_roster_610828.csv").write_bytes((EXAMPLE / "nbs_roster_610828.csv").read_bytes())
    return case


def test_a_misspelt_village_suggests_the_near_name_and_says_nothing_more(tmp_path):
    case = copy_example(tmp_path, lambda t: t.replace("name: 尚家沟村", "name: 尚家勾村"))
    with pytest.raises(InputError) as caught:
        load_sources([case])
    assert len(caught.value.problems) == 1
    assert "Village 尚家勾村 in 乌镇 is not in the roster" in str(caught.value)
    assert "乌镇尚家沟村 (610828103221)" in str(caught.value)


def test_a_field_error_points_at_the_field_line(tmp_path):
    case = copy_example(tmp_path, lambda t: t.replace("role: lead", "role: boss"))
    line = next(i for i, text in enumerate(case.read_text(encoding="utf-8").splitlines(), 1) if "role: boss" in text)
    with pytest.raises(InputError) as caught:
        load_sources([case])
    assert str(caught.value.problems[0]).startswith(f"{case}, 行 row {line}, 列 column role")
    assert str(caught.value.problems[0]).endswith("column role: 取值不在允许范围内 / expected one of lead, member, got 'boss'")


def test_a_case_file_without_its_roster_says_where_it_looked(tmp_path):
    case = copy_example(tmp_path, roster=False)
    with pytest.raises(InputError) as caught:
        load_sources([case])
    assert str(caught.value).startswith(f"{case}, 列 column roster: 找不到案例文件指定的名册 / the roster it names is not at {tmp_path / 'nbs_roster_610828.csv'}")


def test_the_roster_given_again_under_another_name_adds_evidence_not_conflicts(tmp_path, jia):
    case = copy_example(tmp_path)
    copy = tmp_path / "roster_gbk.csv"
    copy.write_bytes((EXAMPLE / "nbs_roster_610828.csv").read_text(encoding="utf-8").encode("gbk"))
    result = load_sources([copy, case])
    assert result.graph.counts() == jia.graph.counts()
    tie = result.graph.ties[("PART_OF", "610828105236", "610828105")]
    assert tie.props["evidence"] == "roster_gbk.csv 行 row 191 | nbs_roster_610828.csv 行 row 191"
    assert [s["key"] for s in tie.props["provenance"]] == ["roster_gbk.csv", "nbs_roster_610828.csv"]


def test_entries_that_are_not_mappings(schema, roster):
    text = "source: s\nplaces:\n  tong: 通镇\nties:\n  - just text\n"
    with pytest.raises(InputError) as caught:
        parse_case(parse_yaml(text, "c.yaml"), "c.yaml", schema, roster)
    assert [str(p).split(":")[0] for p in caught.value.problems] == ["c.yaml, 键 key tong", "c.yaml, 键 key ties #1"]


def test_a_billion_laughs_is_refused_at_once(schema, roster):
    lines = ["source: s", "a: &a [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]" for i in range(8)]
    with pytest.raises(InputError, match="anchors and aliases"):
        parse_yaml("\n".join(lines) + "\n", "laughs.yaml")


def test_the_roster_must_lie_beside_the_case_file(tmp_path):
    case = copy_example(tmp_path, lambda t: t.replace("file: nbs_roster_610828.csv", "file: ../../etc/passwd"))
    with pytest.raises(InputError, match="column roster: 名册须与案例文件在同一文件夹 / the roster ../../etc/passwd is outside the case file's folder"):
        load_sources([case])


# Every figure of the case file, and the words of the article that state it (Traditional, as printed).
FIGURES = [
    (("place", "jia_county", "claims", "帮扶单位数"), r"全縣已有(\d+)個幫扶單位"),
    (("place", "jia_county", "claims", "结对帮扶村数"), r"與(\d+)個結對幫扶村"),
    (("org", "hetaoshuyan_joint_committee", "claims", "成员村数"), r"尚家溝村等(\d+)個村"),
    (("org", "brewing_cooperatives", "aggregate_count"), r"與(\d+)家釀酒合作社"),
    (("org", "village_collectives", "aggregate_count"), r"和(\d+)個村集體"),
    (("org", "shanggaozhai_joint_branch", "claims", "成员合作社数"), r"與(\d+)家釀酒合作社"),
    (("org", "shanggaozhai_joint_branch", "claims", "成员村集体数"), r"和(\d+)個村集體"),
    (("tie", "PAIRED_ASSISTANCE", "metrics", "党员骨干"), r"抽調縣委辦(\d+)名黨員骨干"),
    (("tie", "PAIRED_ASSISTANCE", "metrics", "帮扶户数"), r"幫扶(\d+)戶脫貧戶"),
    (("tie", "PAIRED_ASSISTANCE", "metrics", "联系人次"), r"累計聯系(\d+)人次"),
    (("tie", "PAIRED_ASSISTANCE", "metrics", "代办便民事项"), r"代辦便民事項(\d+)件"),
    (("tie", "PAIRED_ASSISTANCE", "metrics", "人居环境整治次数"), r"人居環境整治(\d+)次"),
    (("tie", "PAIRED_ASSISTANCE", "metrics", "带动收益_元"), r"帶動收益(\d+)萬元", 10_000),
]


def _case_value(case, path):
    section, key, *rest = path
    if section == "tie":
        entry = next(t for t in case["ties"] if t["type"] == key)
    else:
        entry = case["places" if section == "place" else "organizations"][key]
    for part in rest:
        entry = entry[part]
    return entry


@pytest.mark.parametrize("figure", FIGURES, ids=lambda f: "/".join(f[0][1:]))
def test_every_figure_of_the_case_file_is_the_article_s(figure):
    import re

    import yaml

    path, pattern, *scale = figure
    case = yaml.safe_load((EXAMPLE / "case.yaml").read_text(encoding="utf-8"))
    found = re.findall(pattern, ARTICLE)
    assert len(found) == 1, pattern
    assert _case_value(case, path) == int(found[0]) * (scale[0] if scale else 1)


def test_every_figure_of_the_case_file_is_checked():
    import yaml

    case = yaml.safe_load((EXAMPLE / "case.yaml").read_text(encoding="utf-8"))
    numbers = []

    def walk(value, path):
        if isinstance(value, bool):
            return
        if isinstance(value, int) and path[-1] not in ("start_date", "end_date"):
            numbers.append(path)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, (*path, k))
        elif isinstance(value, list):
            for item in value:
                walk(item, (*path, item.get("type") if isinstance(item, dict) else "?"))

    walk(case, ())
    checked = {("places" if p[0] == "place" else "organizations" if p[0] == "org" else "ties", *p[1:]) for p, *_ in FIGURES}
    assert sorted(numbers) == sorted(checked)


@pytest.mark.parametrize("text, row", [("? [a, b]\n: c\n", 1), ("source: x\nties:\n  - ? {a: 1}\n    : c\n", 3)])
def test_a_complex_yaml_key_is_refused_at_its_row(text, row):
    with pytest.raises(InputError) as raised:
        parse_yaml(text, "case.yaml")
    problem = raised.value.problems[0]
    assert problem.origin.row == row and "a key must be a plain name" in problem.message


def test_a_nul_in_the_roster_file_name_is_refused(tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text('source: x\nroster: {file: "a\\0b.csv", source: y}\n', encoding="utf-8")
    with pytest.raises(InputError, match="holds a NUL character"):
        load_sources([case])
