"""The embedded store's bulk path: large groups of new records through LadybugDB's ``COPY``."""

import pytest

import stores.embedded as embedded
from graph_model.records import SourceRef
from loaders.roster import roster_graph
from stores import open_store
from stores.base import StoreError


def _roster(villages: int, name_padding: int = 0):
    """A county of ``villages`` villages in towns of up to 1,000, as roster rows."""
    rows = [(2, "61", "陕西省", "province", ""), (3, "6108", "榆林市", "city", "61"),
            (4, "610828", "佳县", "county", "6108")]
    made = 0
    for town in range(100, 100 + villages // 1000 + 1):
        code = f"610828{town:03d}"
        rows.append((len(rows) + 2, code, f"镇{town}", "town", "610828"))
        for village in range(min(1000, villages - made)):
            rows.append((len(rows) + 2, f"{code}{village:03d}", f"村{town}-{village}{'长' * name_padding}村委会",
                         "village", code))
            made += 1
    return rows


@pytest.fixture
def bulk(monkeypatch):
    """Every load written through the bulk path, in small ``COPY`` chunks."""
    monkeypatch.setattr(embedded, "SWAP_ROWS", 0)
    monkeypatch.setattr(embedded, "COPY_NODE_ROWS", 2500)


def test_copy_rows_takes_equal_parts_that_fit_the_page_cache(schema, monkeypatch):
    graph = roster_graph(_roster(9000), "roster.csv", schema, SourceRef("r", "名册", "roster.csv"))
    ties = [t for t in graph.ties.values() if len(t.source_id) == 12]
    properties, ends = schema.tie_kind("PART_OF").properties, ("Village", "Town")
    assert embedded.copy_rows(properties, ties, "2026-01-01 00:00", ends) == 9000  # 1 GB: one COPY
    monkeypatch.setattr(embedded, "BUFFER_POOL_MB", 8)
    per_copy = embedded.copy_rows(properties, ties, "2026-01-01 00:00", ends)
    parts = -(-9000 // per_copy)
    assert parts > 1 and per_copy == -(-9000 // parts)
    columns = embedded.copy_columns(properties, ties[:per_copy], "2026-01-01 00:00", ends)
    size = sum(len(v.encode()) if isinstance(v, str) else 8 for _, column in columns.values() for v in column if v)
    assert size <= 8 * 2**20 * embedded.COPY_SHARE * 1.05  # the first 1,000 rows stand for the rest, nearly
    villages = [n for n in graph.nodes.values() if n.kind == "Village"]
    assert embedded.copy_rows(schema.node_kind("Village").properties, villages, "", None) == 9000
    monkeypatch.setattr(embedded, "COPY_NODE_ROWS", 2500)
    assert embedded.copy_rows(schema.node_kind("Village").properties, villages, "", None) == 2250  # 4 equal parts


def test_copy_columns_keep_every_value_in_the_tables_order(schema):
    graph = roster_graph(_roster(3), "roster.csv", schema, SourceRef("r", "名册", "roster.csv"))
    tie = graph.ties[("PART_OF", "610828100000", "610828100")]
    columns = embedded.copy_columns(schema.tie_kind("PART_OF").properties, [tie], "2026-01-01 00:00",
                                    ("Village", "Town"))
    assert list(columns)[:2] == ["src", "dst"]
    assert list(columns)[2:] == [p.name for p in schema.tie_kind("PART_OF").properties]
    assert columns["src"] == ("STRING", ["610828100000"]) and columns["dst"] == ("STRING", ["610828100"])
    assert columns["evidence"] == ("STRING", ["roster.csv 行 row 6"])
    assert '"loaded":"2026-01-01 00:00"' in columns["provenance"][1][0]


def test_a_load_in_many_copies_reads_back_exactly_and_reloads_as_unchanged(schema, tmp_path, monkeypatch, bulk):
    graph = roster_graph(_roster(12_000), "roster.csv", schema, SourceRef("r", "名册", "roster.csv"))
    monkeypatch.setattr(embedded, "COPY_SHARE", 0.0005)  # ties too: several COPYs into one table
    per_copy = embedded.copy_rows(schema.tie_kind("PART_OF").properties,
                                  [t for t in graph.ties.values() if len(t.source_id) == 12], "", ("Village", "Town"))
    assert 12_000 // per_copy >= 3
    with open_store(tmp_path / "bulk.lbug", schema, create=True) as store:
        store.write(graph)
        assert store.counts()["Village"] == 12_000 and store.counts()["Town"] == 13
        assert store.counts()["PART_OF"] == 12_000 + 13 + 2
        back = store.export()
        village = back.nodes["610828111999"]
        assert (village.name, village.props["name_raw"]) == ("村111-999村", "村111-999村委会")
        assert back.ties[("PART_OF", "610828111999", "610828111")].props["evidence"] == "roster.csv 行 row 12016"
        assert store.write(graph).plan.rows == 0
        assert store.counts()["Village"] == 12_000


def test_a_copy_the_page_cache_cannot_hold_fails_whole_with_a_hint(schema, tmp_path, monkeypatch, bulk):
    small = roster_graph(_roster(10), "small.csv", schema, SourceRef("small", "名册", "small.csv"))
    large = roster_graph(_roster(20_000, name_padding=30), "large.csv", schema, SourceRef("large", "名册", "large.csv"))
    with open_store(tmp_path / "bulk.lbug", schema, create=True) as store:
        store.write(small)
        before = store.counts()
        monkeypatch.setattr(embedded, "BUFFER_POOL_MB", 64)
        monkeypatch.setattr(embedded, "copy_rows", lambda properties, records, loaded, ends: len(records))
        with pytest.raises(StoreError, match="LINKGRAPH_BUFFER_POOL_MB=128; 未写入任何数据 / nothing was written"):
            store.write(large)
        assert store.counts() == before


def test_a_load_that_fails_after_a_copy_leaves_the_store_as_it_was_and_usable(schema, tmp_path, monkeypatch):
    from graph_model.records import GraphData, make_node
    from queries import statements

    first = roster_graph(_roster(10), "first.csv", schema, SourceRef("first", "名册", "first.csv"))
    more = roster_graph(_roster(600), "more.csv", schema, SourceRef("more", "名册", "more.csv"))
    more.add_node(make_node(schema, "Industry", {"id": "industry:new", "name": "新产业", "source": "s"}))
    real = statements.create_nodes
    monkeypatch.setattr(statements, "create_nodes", lambda schema_, label, backend: real(schema_, label, backend)
                        + (" RETURN no_such_variable" if label == "Industry" else ""))
    with open_store(tmp_path / "bulk.lbug", schema, create=True) as store:
        store.write(first)
        before = store.counts()
        with pytest.raises(StoreError):
            store.write(more)  # 600 villages by COPY in the transaction, then the failing CREATE
        assert store.counts() == before
        monkeypatch.undo()
        store.write(more)
        assert store.counts()["Village"] == 600 and store.counts()["Industry"] == 1
        assert store.export().nodes["610828100599"].name == "村100-599村"


def test_a_query_the_page_cache_cannot_hold_says_how_to_give_it_more():
    full = RuntimeError("Buffer manager exception: Unable to allocate memory! The buffer pool is full and no "
                        "memory could be freed!\nmore")
    refusal = embedded._refusal(full, "embedded LadybugDB at g.lbug", None)
    assert isinstance(refusal, StoreError)
    assert str(refusal) == ("数据库拒绝执行语句 / embedded LadybugDB at g.lbug refused a statement: Buffer manager "
                            "exception: Unable to allocate memory! The buffer pool is full and no memory could be freed! "
                            f"(提示 hint: 调高内存 / give LadybugDB more memory, e.g. LINKGRAPH_BUFFER_POOL_MB={2 * embedded.BUFFER_POOL_MB})")
