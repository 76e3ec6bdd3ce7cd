"""Loads in parts (``linkgraph.pipeline.load`` and ``load_roster``): the ties of tables and the roster's units
handed to the store a part at a time give the store one part gives, on real LadybugDB stores."""

import subprocess
import sys
from pathlib import Path

import pytest

import stores.embedded
import stores.memory
from graph_model.records import GraphData, InputError
from linkgraph import pipeline
from tests.stores.test_write_parts import content

REPO = Path(__file__).resolve().parents[1]
CASE = REPO / "examples" / "jia_county" / "case.yaml"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> list[str]:
    """佳县's synthetic organizations and ties (``benchmarks/synth.py --county 610828``)."""
    out = tmp_path_factory.mktemp("synth")
    subprocess.run([sys.executable, "benchmarks/synth.py", "--county", "610828", "--out", str(out)], cwd=REPO,
                   check=True, capture_output=True, timeout=300)
    return [str(CASE), str(out / "organizations.csv"), str(out / "ties.csv")]


def loaded(store: Path, sources: list[str], monkeypatch, part: int | None) -> tuple:
    """The roster of 佳县 and ``sources`` loaded into a new ``store`` in parts of ``part`` records (None: the
    default, one part here), and what the load said."""
    if part is not None:
        monkeypatch.setattr(stores.memory, "PART_RECORDS", part)
    pipeline.load_roster("county", "610828", str(store))
    return pipeline.load(sources, str(store))


def test_a_load_in_many_parts_writes_the_store_one_part_writes(tmp_path, monkeypatch, schema, synthetic):
    monkeypatch.setattr(stores.embedded, "COPY_THRESHOLD", 1)  # the last part's groups too through COPY files
    whole = loaded(tmp_path / "whole.lbug", synthetic, monkeypatch, None)
    parts = loaded(tmp_path / "parts.lbug", synthetic, monkeypatch, 100)
    ties = whole.result.read_counts()[1]
    assert ties > 5 * 100  # the ties table went in several parts, the roster's 349 units in seven
    assert parts.result.read_counts() == whole.result.read_counts()
    assert (len(parts.result.graph.nodes), len(parts.result.graph.ties)) == (0, 0)  # let go before the write
    assert parts.report.plan.summary() == whole.report.plan.summary()
    assert content(tmp_path / "parts.lbug", schema) == content(tmp_path / "whole.lbug", schema)
    again = pipeline.load(synthetic, str(tmp_path / "parts.lbug"))
    assert sorted(again.report.unchanged_sources) == ["case.yaml", "nbs_roster_610828.csv", "organizations.csv",
                                                      "ties.csv"] and again.report.plan.rows == 0


def test_a_changed_table_reloaded_in_parts_changes_what_one_part_changes(tmp_path, monkeypatch, schema, synthetic):
    edited = tmp_path / "ties.csv"
    rows = Path(synthetic[2]).read_text(encoding="utf-8-sig").splitlines()
    edited.write_text("\n".join(rows[:-200]) + "\n", encoding="utf-8")  # the last 200 ties no longer stated
    sources = [*synthetic[:2], str(edited)]
    loaded(tmp_path / "whole.lbug", synthetic, monkeypatch, None)
    whole_again = pipeline.load(sources, str(tmp_path / "whole.lbug"), new_version=True)  # (from another folder)
    loaded(tmp_path / "parts.lbug", synthetic, monkeypatch, 100)
    parts_again = pipeline.load(sources, str(tmp_path / "parts.lbug"), new_version=True)
    assert parts_again.report.plan.summary() == whole_again.report.plan.summary()
    assert parts_again.report.plan.summary()["delete_ties"] >= 190  # (a few are stated twice in the table)
    assert content(tmp_path / "parts.lbug", schema) == content(tmp_path / "whole.lbug", schema)


def test_a_tie_stated_again_after_its_part_went_is_read_again_whole(tmp_path, monkeypatch, schema, synthetic):
    lines = Path(synthetic[2]).read_text(encoding="utf-8-sig").splitlines()
    twice = tmp_path / "ties.csv"
    twice.write_text("\n".join([*lines, lines[2]]) + "\n", encoding="utf-8")  # its first own tie again, last
    sources = [*synthetic[:2], str(twice)]
    whole = loaded(tmp_path / "whole.lbug", sources, monkeypatch, None)
    parts = loaded(tmp_path / "parts.lbug", sources, monkeypatch, 100)
    assert len(parts.result.graph.ties) == whole.result.read_counts()[1] == 833  # read again whole
    assert content(tmp_path / "parts.lbug", schema) == content(tmp_path / "whole.lbug", schema)
    kind, source, target = lines[2].split(",")[:3]
    tie = content(tmp_path / "parts.lbug", schema)[0][1][(kind, source, target)]
    assert [s["key"] for s in tie["provenance"]] == ["ties.csv"]  # both rows, one statement


def test_a_problem_in_a_late_part_fails_the_load_with_every_problem_and_writes_nothing(tmp_path, monkeypatch, schema,
                                                                                       synthetic):
    lines = Path(synthetic[2]).read_text(encoding="utf-8-sig").splitlines()
    bad = tmp_path / "ties.csv"
    wrong = lines[1].split(",", 2)
    bad.write_text("\n".join([*lines, f"{wrong[0]},不存在的单位,{wrong[2]}", f"{wrong[0]},{wrong[1]},不存在的村"]) + "\n",
                   encoding="utf-8")
    monkeypatch.setattr(stores.memory, "PART_RECORDS", 100)
    store = tmp_path / "g.lbug"
    pipeline.load_roster("county", "610828", str(store))
    before = content(store, schema)
    with pytest.raises(InputError) as err:
        pipeline.load([*synthetic[:2], str(bad)], str(store))
    assert len(err.value.problems) == 2 and all("不存在的" in str(p) for p in err.value.problems)
    assert content(store, schema) == before
    assert sorted(p.name for p in tmp_path.glob("g.lbug*")) == ["g.lbug", "g.lbug.audit.jsonl", "g.lbug.lock"]


@pytest.mark.parametrize("part", [None, 100])
def test_a_tie_stated_twice_with_different_values_fails_the_load_in_parts_as_in_one(tmp_path, monkeypatch, schema,
                                                                                    synthetic, part):
    """Two rows of one tie that say different things are a contradiction however the ties go (it was dropped
    with the ties held apart at the end of reading, and the store kept the first row's value)."""
    lines = Path(synthetic[2]).read_text(encoding="utf-8-sig").splitlines()
    row = next(line for line in lines[1:] if line.split(",")[6])  # a tie with a mechanism
    cells = row.split(",")
    cells[6] = "另一种机制" if cells[6] != "另一种机制" else "又一种机制"
    twice = tmp_path / "ties.csv"
    twice.write_text("\n".join([*lines, ",".join(cells)]) + "\n", encoding="utf-8")
    if part is not None:
        monkeypatch.setattr(stores.memory, "PART_RECORDS", part)
    store = tmp_path / "g.lbug"
    pipeline.load_roster("county", "610828", str(store))
    before = content(store, schema)
    with pytest.raises(InputError) as err:
        pipeline.load([*synthetic[:2], str(twice)], str(store))
    assert any("contradicts" in str(p) and cells[6] in str(p) for p in err.value.problems)
    assert content(store, schema) == before


def test_a_problem_in_a_part_handed_on_names_the_organizations_as_one_part_does(tmp_path, monkeypatch, synthetic):
    """A tie between kinds the schema does not allow, in the first part of a table: the same message, with the
    organizations' names (it named their ids when the part was checked without the load's nodes)."""
    rows = [line.split(",") for line in Path(synthetic[1]).read_text(encoding="utf-8-sig").splitlines()[1:]]
    (first, first_name), (second, second_name) = [(r[0], r[2]) for r in rows if r[1] == "Enterprise"][:2]
    lines = Path(synthetic[2]).read_text(encoding="utf-8-sig").splitlines()
    bad = tmp_path / "ties.csv"
    bad.write_text("\n".join([lines[0], f"PAIRED_ASSISTANCE,{first},{second},2023,,,,", *lines[1:]]) + "\n",
                   encoding="utf-8")
    messages = []
    for part in (None, 100):
        store = tmp_path / f"g{part}.lbug"
        with pytest.raises(InputError) as err:
            loaded(store, [*synthetic[:2], str(bad)], monkeypatch, part)
        messages.append([str(p) for p in err.value.problems])
    assert messages[0] == messages[1]
    assert len(messages[0]) == 1 and f"{first_name} to Enterprise {second_name}" in messages[0][0]


def test_sources_after_the_one_that_needs_a_whole_read_are_read_once_not_twice(tmp_path, monkeypatch, synthetic):
    """A tie stated again after its part went: reading stops after that table (the load reads everything
    again whole), so a source after it is read once, by the whole read."""
    from loaders import load_sources
    from stores import open_store

    lines = Path(synthetic[2]).read_text(encoding="utf-8-sig").splitlines()
    twice = tmp_path / "ties.csv"
    twice.write_text("\n".join([*lines, lines[2]]) + "\n", encoding="utf-8")
    later = tmp_path / "later.csv"
    later.write_text(Path(synthetic[1]).read_text(encoding="utf-8-sig"), encoding="utf-8")
    store = tmp_path / "g.lbug"
    pipeline.load_roster("county", "610828", str(store))
    with open_store(str(store), read_only=True) as source:  # the store's units are read as the load needs them
        result = load_sources([*synthetic[:2], str(twice), str(later)], known=source.known(),
                              handoff=lambda part, nodes, stored: None, part_ties=100)
    assert result.whole_needed
    read = [info.ref.key for info in result.sources]
    assert "ties.csv" in read and "later.csv" not in read
    whole = loaded(tmp_path / "whole.lbug", [*synthetic[:2], str(twice), str(later)], monkeypatch, 100)
    assert "later.csv" in [info.ref.key for info in whole.result.sources]


@pytest.mark.neo4j
def test_a_load_in_many_parts_into_neo4j_holds_what_one_part_writes_embedded(tmp_path, monkeypatch, schema, synthetic,
                                                                             neo4j_store, neo4j_uri):
    """Neo4j receives a load in parts (the parts' changes in one write): the same records and registry as the
    embedded store written in one part, and a reload of the same sources changes nothing."""
    from stores import open_store
    from tests.stores.test_write_parts import plain

    loaded(tmp_path / "whole.lbug", synthetic, monkeypatch, None)
    monkeypatch.setattr(stores.memory, "PART_RECORDS", 100)
    pipeline.load_roster("county", "610828", neo4j_uri)
    pipeline.load(synthetic, neo4j_uri)

    def held(spec):
        with open_store(spec, schema, read_only=True) as store:
            registry = sorted((r["key"], r["digest"], r["nodes"], r["ties"]) for r in store.loaded_sources())
            return plain(store.export()), registry

    assert held(neo4j_uri) == held(str(tmp_path / "whole.lbug"))
    again = pipeline.load(synthetic, neo4j_uri)
    assert again.report.plan.rows == 0


def test_units_named_by_code_are_asked_of_the_store_a_chunk_at_a_time_with_the_store_all_of_them_give(
        tmp_path, monkeypatch, schema, synthetic):
    """The synthetic tables name their places by NBS code: without the case file (whose roster would hold them),
    the load asks the store for those units (for the ends of ties, their kinds alone), 50 rows' worth at a time, and
    never reads all of them; the store is the one a load reading all of them writes."""
    import dataclasses

    import loaders.tables
    import stores.base

    known = stores.base.Store.known
    monkeypatch.setattr(stores.base.Store, "known", lambda self: dataclasses.replace(known(self), units=None))
    tables = synthetic[1:]
    loaded(tmp_path / "all.lbug", tables, monkeypatch, None)  # every unit read, as before
    asked, asked_kinds, read_all = [], [], []  # units asked for (the places of rows), kinds (the ends of ties)

    def counted(self):
        found = known(self)
        return dataclasses.replace(found, places=lambda: read_all.append(1) or found.places(),
                                   units=lambda ids: asked.append(len(ids)) or found.units(ids),
                                   unit_kinds=lambda ids: asked_kinds.append(len(ids)) or found.unit_kinds(ids))

    monkeypatch.setattr(stores.base.Store, "known", counted)
    monkeypatch.setattr(loaders.tables, "ASKED_ROWS", 50)
    by_code = loaded(tmp_path / "by_code.lbug", tables, monkeypatch, 100)
    assert read_all == [] and len(asked + asked_kinds) > 5 and max(asked + asked_kinds) <= 2 * 50
    assert asked and asked_kinds
    assert by_code.report.plan.summary()["create_ties"] == 447
    assert content(tmp_path / "by_code.lbug", schema) == content(tmp_path / "all.lbug", schema)


@pytest.mark.parametrize("kind", ["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def test_a_reload_whose_new_tie_ends_at_a_node_it_deletes_is_refused_in_parts_and_dry_run_alike(
        tmp_path, monkeypatch, schema, kind, request):
    """企业.csv edited without a company and 供应.csv edited to a new tie to it, loaded together: the new tie goes
    to the ``COPY`` files (embedded) or is set aside (a dry run) before the check. It is refused all the same, with
    the one line a load in one write gives, and nothing written: the embedded store failed in its ``COPY`` (a
    'primary key' error), and a dry run on either store said the load would go."""
    from stores import open_store

    monkeypatch.setattr(stores.embedded, "COPY_THRESHOLD", 1)
    target = str(tmp_path / "g.lbug") if kind == "embedded" else request.getfixturevalue("neo4j_uri")
    if kind == "neo4j":
        with open_store(target, schema) as store:
            store.write(GraphData(), replace=True)
    companies, supplies = tmp_path / "企业.csv", tmp_path / "供应.csv"
    companies.write_text("名称,所属乡镇\n佳县红枣食品有限公司,通镇\n佳县小米加工厂,通镇\n", encoding="utf-8")
    supplies.write_text("起点,终点,依据\n高家集村,佳县红枣食品有限公司,村供应红枣\n", encoding="utf-8")
    pipeline.load([str(REPO / "examples" / "jia_county" / "nbs_roster_610828.csv"), companies, supplies], target)
    with open_store(target, schema) as store:
        before = sorted(store.export().ties)
    companies.write_text("名称,所属乡镇\n佳县小米加工厂,通镇\n", encoding="utf-8")
    supplies.write_text("起点,终点,依据\n崔家西山村,佳县红枣食品有限公司,村供应红枣\n", encoding="utf-8")
    company = "Enterprise:610828105:佳县红枣食品有限公司"
    for dry_run in (True, False):
        with pytest.raises(InputError) as refused:
            pipeline.load([companies, supplies], target, dry_run=dry_run)
        assert [p.message.split(" / ")[0] for p in refused.value.problems] == [
            f"来源 供应.csv 的关系 SUPPLIES 610828105236→{company} 需要节点 {company}，本次载入的 企业.csv, 供应.csv "
            "已不再记载它"]
        assert refused.value.problems[0].hint.endswith("or take the tie out of 供应.csv")  # (not 'load 供应.csv too')
    with open_store(target, schema) as store:
        assert sorted(store.export().ties) == before and company in store.export().nodes


@pytest.mark.neo4j
def test_a_load_in_parts_into_neo4j_in_batches_writes_the_database_a_whole_load_writes(
        tmp_path, monkeypatch, synthetic, neo4j_store, neo4j_uri):
    """The same sources loaded whole (``keep_valid``: read and written as one graph) and in parts of 100 records
    written in batches of transactions (each part's new records in files until written): the same records and
    registry, and a problem in a late part leaves the database as the whole load left it."""
    import tempfile

    import stores.neo4j_store as neo4j_store_module
    from graph_model.records import GraphData
    from tests.stores.test_write_parts import neo4j_content

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    pipeline.load_roster("county", "610828", neo4j_uri)
    whole = pipeline.load(synthetic, neo4j_uri, keep_valid=True)
    held = neo4j_content(neo4j_store)
    neo4j_store.write(GraphData(), replace=True)
    for name, value in {"SINGLE_TRANSACTION_ROWS": 100, "TRANSACTION_ROWS": 100, "STATEMENT_ROWS": 40}.items():
        monkeypatch.setattr(neo4j_store_module, name, value)
    parts = loaded(neo4j_uri, synthetic, monkeypatch, 100)
    assert parts.report.plan.summary() == whole.report.plan.summary()
    assert parts.report.plan.create_ties == {} and parts.report.plan.summary()["create_ties"] > 4 * 100
    assert neo4j_content(neo4j_store) == held
    lines = Path(synthetic[2]).read_text(encoding="utf-8-sig").splitlines()
    bad = tmp_path / "ties.csv"
    bad.write_text("\n".join([*lines[:-1], lines[-1].replace(lines[-1].split(",")[2], "不存在的村")]) + "\n",
                   encoding="utf-8")
    with pytest.raises(InputError) as err:
        pipeline.load([*synthetic[:2], str(bad)], neo4j_uri, new_version=True)  # (an edited copy, another folder)
    assert "不存在的村" in str(err.value)
    assert neo4j_content(neo4j_store) == held
    assert list(tmp_path.iterdir()) == [bad]
