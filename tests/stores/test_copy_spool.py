"""A load in parts whose records fail as they are made into a group's first file (a value the files cannot
hold, or Ctrl-C just then): the load raises what happened, not the spool's own error, on both stores, and
leaves the store and the folder of its files as they were."""

from pathlib import Path

import pytest

from graph_model.records import GraphData, SourceRef, make_node
from graph_model.sources import SourceInfo

SOURCE = SourceRef("odd", "案例", "case.yaml")


def _part(schema, name: str) -> GraphData:
    part = GraphData(schema=schema)
    part.add_node(make_node(schema, "Enterprise", {"id": "e1", "name": name}, source=SOURCE))
    return part


def _left(tmp_path: Path, spool_folder: Path) -> list[str]:
    """The files the load left: in the temporary folder (Neo4j's), beside the store (the embedded store's
    ``graph.lbug.building-PID.parquet``)."""
    return sorted(p.name for p in (*spool_folder.iterdir(), *tmp_path.glob("*building*")))


@pytest.fixture
def spool_folder(tmp_path, monkeypatch):
    import tempfile

    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_a_value_the_files_cannot_hold_is_the_error_raised(store, schema, tmp_path, spool_folder):
    info = SourceInfo(SOURCE, Path("case.yaml"), "d1", "case")
    with pytest.raises(Exception) as whole:  # a lone surrogate (no UTF-8): refused by a write too
        store.write(_part(schema, "坏\ud800字"), sources=[info])
    with pytest.raises(type(whole.value)) as parts:
        store.write_parts(iter([_part(schema, "坏\ud800字")]), sources=[info])
    assert "surrogates not allowed" in str(parts.value)  # (it raised AttributeError: 'NoneType' … 'close')
    assert store.counts()["Enterprise"] == 0
    assert _left(tmp_path, spool_folder) == []


def test_ctrl_c_as_a_groups_first_rows_are_made_into_a_file_is_a_keyboard_interrupt(store, schema, tmp_path,
                                                                                  spool_folder, monkeypatch):
    import stores.embedded
    import stores.neo4j_store

    def interrupted(columns):  # Ctrl-C while the first table of the group is made
        raise KeyboardInterrupt

    for module in (stores.embedded, stores.neo4j_store):
        monkeypatch.setattr(module, "arrow_table", interrupted)
    with pytest.raises(KeyboardInterrupt):
        store.write_parts(iter([_part(schema, "佳县企业")]), sources=[SourceInfo(SOURCE, Path("c"), "d1", "case")])
    assert store.counts()["Enterprise"] == 0
    assert _left(tmp_path, spool_folder) == []
