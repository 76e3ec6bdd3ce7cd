"""A load's memory limit (``--memory-limit``, ``$LINKGRAPH_MEMORY_LIMIT``): smaller chunks, never a failure."""

import os

import pytest

import stores.embedded as embedded
from graph_model.records import SourceRef
from linkgraph.cli import main
from loaders.roster import roster_graph
from stores import open_store
from stores.base import StoreError
from stores.memory import ENV, limited, memory_limit, page_cache_mb, parse_memory
from tests.stores.test_embedded_bulk import _roster

WRITE_PARQUET = embedded.write_parquet
COPY_SPOOLED = embedded.copy_spooled


def test_sizes_are_read_with_their_units():
    assert parse_memory("1G") == parse_memory("1gb") == parse_memory("1024M") == parse_memory("1024") == 2**30
    assert parse_memory("2.5G") == int(2.5 * 2**30) and parse_memory("800MiB") == 800 * 2**20
    for wrong in ("", "0", "-1G", "1X", "G", "1 G B"):
        with pytest.raises(ValueError, match="内存上限"):
            parse_memory(wrong)


def test_the_page_cache_is_a_quarter_of_the_limit_within_bounds():
    assert page_cache_mb(1024, None) == 1024
    assert page_cache_mb(1024, 2**30) == 256
    assert page_cache_mb(1024, 64 * 2**30) == 1024  # never more than without a limit
    assert page_cache_mb(1024, 10 * 2**20) == 64  # never less than LadybugDB needs for a COPY


def test_the_limit_is_set_only_while_the_block_runs(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    with limited("1G"):
        assert memory_limit() == 2**30 and embedded.write_pool_mb() == 256
    assert ENV not in os.environ and embedded.write_pool_mb() == embedded.BUFFER_POOL_MB
    monkeypatch.setenv(ENV, "2G")
    with limited(None):
        assert memory_limit() == 2 * 2**30
    with limited("800M"):
        assert memory_limit() == 800 * 2**20
    assert os.environ[ENV] == "2G"


def test_a_memory_limit_makes_every_copy_smaller(schema, monkeypatch):
    graph = roster_graph(_roster(9000), "roster.csv", schema, SourceRef("r", "名册", "roster.csv"))
    ties = [t for t in graph.ties.values() if len(t.source_id) == 12]
    villages = [n for n in graph.nodes.values() if n.kind == "Village"]
    tie_properties, node_properties = schema.tie_kind("PART_OF").properties, schema.node_kind("Village").properties
    monkeypatch.setattr(embedded, "COPY_NODE_ROWS", 4000)
    monkeypatch.setattr(embedded, "COPY_SHARE", 0.002)
    monkeypatch.delenv(ENV, raising=False)
    free = (embedded.copy_rows(tie_properties, ties, "", ("Village", "Town")),
            embedded.copy_rows(node_properties, villages, "", None))
    monkeypatch.setenv(ENV, "1G")  # a page cache of 256 MB instead of 1 GB
    limited_ = (embedded.copy_rows(tie_properties, ties, "", ("Village", "Town")),
                embedded.copy_rows(node_properties, villages, "", None))
    assert free == (9000, 3000)  # the ties in one COPY, the villages in 3
    assert limited_[0] < 9000 and 9000 % limited_[0] in (0, 9000 % limited_[0])  # the ties in equal parts
    assert limited_[1] == 1000  # 9 parts of villages: 4,000 rows a COPY scaled by 256/1024
    monkeypatch.setenv(ENV, "a lot")
    with pytest.raises(StoreError, match="LINKGRAPH_MEMORY_LIMIT"):
        embedded.copy_rows(node_properties, villages, "", None)


def _load_counting_copies(tmp_path, monkeypatch, name: str, *options: str) -> tuple[list[int], dict]:
    """``linkgraph load`` of a roster of 1,200 villages into a new store with ``options``: the rows of every
    Parquet file a ``COPY`` of villages read (of the load's records held, or of those it handed on to its ``COPY``
    files as it read them), and the store's export."""
    roster = tmp_path / "roster.csv"
    roster.write_text("code,name,level,parent_code\n" + "".join(f"{code},{raw},{level},{parent}\n"
                                                                  for _, code, raw, level, parent in _roster(1200)),
                      encoding="utf-8")
    written: list[int] = []

    def counting(path, columns):
        if os.path.basename(path).startswith("Village-"):
            written.append(len(next(iter(columns.values()))[1]))
        WRITE_PARQUET(path, columns)

    def spooled(execute, files, step):
        written.extend(rows for (name, ends), _, rows in files if (name, ends) == ("Village", None))
        COPY_SPOOLED(execute, files, step)

    monkeypatch.setattr(embedded, "write_parquet", counting)
    monkeypatch.setattr(embedded, "copy_spooled", spooled)
    store = tmp_path / f"{name}.lbug"
    assert main(["load", str(roster), "--store", str(store), *options]) == 0
    with open_store(store, read_only=True) as source:
        graph = source.export()
    return written, {"nodes": {i: _unstamped(n.props) for i, n in graph.nodes.items()},
                     "ties": {k: _unstamped(t.props) for k, t in graph.ties.items()}}


def _unstamped(props) -> dict:
    """A record's values with its statements but not when they were loaded (two loads, two times)."""
    statements = [{k: v for k, v in s.items() if k != "loaded"} for s in props["provenance"]]
    return {**props, "provenance": statements}


def test_a_load_under_a_memory_limit_writes_the_same_store_in_smaller_copies(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.setattr(embedded, "COPY_NODE_ROWS", 2500)
    free, store = _load_counting_copies(tmp_path, monkeypatch, "free")
    limited_, same = _load_counting_copies(tmp_path, monkeypatch, "limited", "--memory-limit", "256M")
    assert free == [1200] and limited_ == [156] * 7 + [108]  # in one COPY; in 8 of at most 2,500 × 64 / 1,024 = 156
    assert same == store and len(store["nodes"]) == 1200 + 2 + 3  # villages, towns, province, city, county
    assert ENV not in os.environ
    with pytest.raises(SystemExit):
        main(["load", str(tmp_path / "roster.csv"), "--memory-limit", "lots", "--store", str(tmp_path / "x.lbug")])
    assert "内存上限应写成" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["roster", "--county", "610828"], ["sources", "withdraw", "nbs_roster_610828.csv"],
                                     ["cypher", "--write", "MATCH (n:County) SET n.note = 'x' RETURN count(n)"]])
def test_a_bad_limit_is_one_line_about_the_limit_for_a_store_that_exists(tmp_path, monkeypatch, capsys, command):
    """Every command that opens an existing store for writing says what is wrong with the limit, in one line, and
    not that the store file is wrong (it said: give a .lbug file written by linkgraph, or a new path)."""
    store = str(tmp_path / "jia.lbug")
    monkeypatch.delenv(ENV, raising=False)
    assert main(["roster", "--county", "610828", "--store", store]) == 0
    capsys.readouterr()
    monkeypatch.setenv(ENV, "-1")
    assert main([*command, "--store", store]) == 2
    err = capsys.readouterr().err.strip()
    assert err.splitlines() == [err] and err.startswith("错误 error: 内存上限应写成 1G、800M 或 2048")
    assert "not '-1' (LINKGRAPH_MEMORY_LIMIT)" in err and ".lbug" not in err
