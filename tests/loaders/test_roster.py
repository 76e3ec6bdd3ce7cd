import pytest

from graph_model.records import InputError
from loaders.roster import load_roster, parse_roster
from tests.conftest import EXAMPLE

HEADER = "code,name,level,parent_code\n"
SMALL = HEADER + "61,陕西省,province,\n6108,榆林市,city,61\n610828,佳县,county,6108\n" \
    "610828105,通镇,town,610828\n610828105236,崔家西山村委会,village,610828105\n"


def test_jia_county_roster_has_the_real_counts(schema):
    graph = load_roster(EXAMPLE / "nbs_roster_610828.csv", schema)
    counts = graph.counts()
    assert (counts["Province"], counts["City"], counts["County"], counts["Town"], counts["Village"]) == (1, 1, 1, 13, 334)
    assert counts["PART_OF"] == 349
    xishan = graph.nodes["610828105236"]
    assert (xishan.name, xishan.props["name_raw"]) == ("崔家西山村", "崔家西山村委会")
    tie = graph.ties[("PART_OF", "610828105236", "610828105")]
    assert tie.props["evidence"] == "nbs_roster_610828.csv 行 row 191"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_roster_reads_in_every_encoding(tmp_path, schema, encoding):
    path = tmp_path / "roster.csv"
    path.write_text(SMALL, encoding=encoding)
    graph = load_roster(path, schema)
    assert graph.nodes["610828105236"].name == "崔家西山村"
    assert len(graph.ties) == 4


@pytest.mark.parametrize(
    "text, expected",
    [
        ("code,name,level\n61,陕西省,province\n", "roster.csv, 行 row 1: 缺少列 / missing column(s) parent_code"),
        (HEADER + "61,陕西省,state,\n", "roster.csv, 行 row 2, 列 column level: 未知层级 / unknown level 'state'"),
        (HEADER + "6l,陕西省,province,\n", "roster.csv, 行 row 2, 列 column code: 区划代码应为数字 / code '6l' is not an NBS code"),
        (HEADER + "61,陕西省,province,\n61,陕西,province,\n", "roster.csv, 行 row 3, 列 column code: 代码重复 / code 61 appears twice"),
        (HEADER + "61,陕西省,province,\n6108,榆林市,city,62\n", "roster.csv, 行 row 3, 列 column parent_code: 上级代码不存在 / parent 62 is not in the roster"),
        (HEADER + "61,,province,\n", "roster.csv, 行 row 2, 列 column name: 名称 Name is required"),
        (HEADER + "61,陕西省,province,\n610828105,通镇,town,61\n", "roster.csv, 行 row 3: 该关系不允许连接这两类节点 / PART_OF cannot join Town 通镇 to Province"),
    ],
)
def test_bad_rows_name_file_row_and_column(schema, text, expected):
    with pytest.raises(InputError) as caught:
        parse_roster(text, "roster.csv", schema)
    assert str(caught.value.problems[0]).startswith(expected)


# --- place names of the national roster (graph_model/roster_names.yaml) ------------------------------

def _units_with_ancestors(codes):
    """The shipped roster's units of ``codes`` with their ancestors, parents first, as roster_graph rows."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from loaders.nbs import CODE_LENGTHS, national_roster, unit_rows

    roster = national_roster()
    wanted = {code[:n] for code in codes for n in CODE_LENGTHS.values() if n <= len(code)}
    sample = roster.filter(pc.is_in(roster["code"], pa.array(sorted(wanted), pa.string())))
    return [(number, *row) for number, row in enumerate(unit_rows(sample), start=2)]


def test_every_naming_rule_names_its_example_through_the_roster_loader(schema):
    """One unit per rule of roster_names.yaml, loaded as a roster: ``name`` is the place, ``name_raw`` the roster's."""
    from graph_model.names import name_rules
    from graph_model.records import SourceRef
    from loaders.roster import roster_graph

    examples = {rule.example.split(" ")[0]: rule.example.split(" ") for _, by_ending in name_rules().by_length
                for rule in by_ending.values()}
    graph = roster_graph(_units_with_ancestors(examples), "nbs.csv", schema, SourceRef("nbs", "NBS", "nbs.csv"))
    assert len(examples) == sum(len(by_ending) for _, by_ending in name_rules().by_length)  # one unit each
    for code, (_, raw, _, place) in examples.items():
        node = graph.nodes[code]
        assert (node.name, node.props["name_raw"]) == (place, raw)


def test_a_village_of_the_national_roster_is_found_by_its_place_name(store, schema):
    """蒲江县 (510131): the roster's 鞍山村村委会 is stored as 鞍山村 and found under that name, on both stores."""
    from graph_model.records import SourceRef
    from linkgraph.pipeline import roster_units
    from loaders.roster import roster_graph

    store.write(roster_graph(_units_with_ancestors(["510131103209"]), "nbs.csv", schema, SourceRef("nbs", "NBS", "nbs.csv")))
    found = store.run_named("find_by_name", {"text": "鞍山村"})
    assert [(r["id"], r["name"], r["name_raw"]) for r in found] == [("510131103209", "鞍山村", "鞍山村村委会")]
    county = {node.id: node for node in roster_units(schema, county="蒲江县")}
    assert county["510131103209"].name == "鞍山村"
    assert not [n.name for n in county.values() if n.name.endswith(("村村", "委会", "委员会"))]


def test_a_roster_loaded_under_older_naming_rules_is_renamed_by_loading_it_again(tmp_path, monkeypatch):
    """A store loaded before the rules of roster_names.yaml (鞍山村村委会 stored as 鞍山村村): the same scope
    loaded again is not skipped as unchanged, and the load's diff updates the name."""
    import graph_model.names
    import loaders.roster
    from linkgraph.pipeline import load_roster as load_scope
    from stores import open_store

    store = str(tmp_path / "graph.lbug")
    monkeypatch.setattr(loaders.roster, "short_admin_name", lambda raw: raw.removesuffix("村委会") + "村")
    monkeypatch.setattr(graph_model.names, "name_rules_digest", lambda: "before the rules")
    load_scope("county", "510131", store)
    monkeypatch.undo()
    again = load_scope("county", "510131", store)
    assert again.report.plan.summary()["update_nodes"] > 0
    with open_store(store, read_only=True) as held:
        [village] = held.run_named("find_by_name", {"text": "鞍山村村委会"})
    assert (village["id"], village["name"]) == ("510131103209", "鞍山村")
    assert load_scope("county", "510131", store).report.unchanged_sources == ["nbs2023:510131"]


def test_a_roster_the_csv_module_refuses_is_one_line_chinese_first(schema):
    """A cell longer than the csv module reads (a pasted blob): 'CSV 格式错误' first, as every loader's message."""
    from loaders.roster import COLUMNS

    with pytest.raises(InputError) as caught:
        parse_roster(",".join(COLUMNS) + '\n610828,"佳县' + "x" * 200_000 + '",610800\n', "r.csv", schema)
    assert str(caught.value) == "r.csv, 行 row 1: CSV 格式错误 / not a readable CSV: field larger than field limit (131072)"
