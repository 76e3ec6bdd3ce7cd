"""Two towns' tables of one name loaded on different days (``linkgraph.pipeline.load``, on both stores): the store
records the folder each source came from, refuses a same-named file from another folder with other content
(nothing written), and still takes an edit in place, a new version named with ``new_version``, and a store of an
older linkgraph (no folder recorded) as before, with a note."""

from pathlib import Path

import ladybug
import pytest

from graph_model.records import GraphData, InputError
from linkgraph import pipeline
from queries import statements
from stores import open_store

HEADER = "帮扶单位,结对村,所属乡镇,结对时间\n"
TONG = HEADER + "佳县民政局,高家塄村,通镇,2021\n佳县教育局,杨道渠村,通镇,2023\n"
KENG = HEADER + "佳县林业局,马连塌村,坑镇,2021\n佳县水利局,官道峁村,坑镇,2022\n"


def table(folder: Path, text: str, name: str = "结对帮扶.csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def target(request, tmp_path, schema) -> str:
    """A store holding the roster of 佳县, on each backend."""
    spec = str(tmp_path / "g.lbug") if request.param == "embedded" else request.getfixturevalue("neo4j_uri")
    if request.param == "neo4j":
        with open_store(spec, schema) as store:
            store.write(GraphData(), replace=True)
    pipeline.load_roster("county", "610828", spec)
    return spec


def held(spec: str, schema) -> tuple[list[str], dict[str, str]]:
    """The assistance units the store holds, and the folder of each table source."""
    with open_store(spec, schema, read_only=True) as store:
        units = sorted(n.props["name"] for n in store.export().nodes.values() if n.kind == "AssistanceUnit")
        return units, {r["key"]: r["folder"] for r in store.loaded_sources() if r["kind"] == "table"}


def test_another_towns_file_of_one_name_is_refused_and_nothing_is_written(target, tmp_path, schema):
    tong = table(tmp_path / "通镇", TONG)
    pipeline.load([tong], target)
    before = held(target, schema)
    assert before == (["佳县教育局", "佳县民政局"], {"结对帮扶.csv": str((tmp_path / "通镇").resolve())})
    keng = table(tmp_path / "坑镇", KENG)
    for dry_run in (True, False):
        with pytest.raises(InputError) as refused:
            pipeline.load([keng], target, dry_run=dry_run)
        [problem] = refused.value.problems
        assert str(problem.origin) == str(keng.resolve())
        assert problem.message.split(" / ")[0] == (f"库中已有另一个文件夹的同名来源 结对帮扶.csv（载入自 {(tmp_path / '通镇').resolve()}），"
                                                   "内容不同；照此载入会删除它记载而本文件未记载的内容")
        assert "另起文件名（如 坑镇结对帮扶.csv）" in problem.hint and "--new-version" in problem.hint
    assert held(target, schema) == before
    renamed = table(tmp_path / "坑镇", KENG, "坑镇结对帮扶.csv")
    pipeline.load([renamed], target)
    assert held(target, schema) == (["佳县教育局", "佳县林业局", "佳县民政局", "佳县水利局"],
                                    {"结对帮扶.csv": str((tmp_path / "通镇").resolve()),
                                     "坑镇结对帮扶.csv": str((tmp_path / "坑镇").resolve())})


def test_an_edit_in_place_replaces_the_source_and_a_copy_elsewhere_needs_new_version(target, tmp_path, schema):
    tong = table(tmp_path / "通镇", TONG)
    pipeline.load([tong], target)
    table(tmp_path / "通镇", HEADER + "佳县民政局,高家塄村,通镇,2021\n")  # 佳县教育局's row taken out, in place
    edited = pipeline.load([tong], target)
    assert edited.report.plan.summary()["delete_nodes"] == 1 and edited.result.notes == []
    assert held(target, schema) == (["佳县民政局"], {"结对帮扶.csv": str((tmp_path / "通镇").resolve())})
    unchanged = table(tmp_path / "备份", HEADER + "佳县民政局,高家塄村,通镇,2021\n")  # a copy: same content
    assert pipeline.load([unchanged], target).report.unchanged_sources == ["结对帮扶.csv"]
    newer = table(tmp_path / "2024", HEADER + "佳县民政局,高家塄村,通镇,2021\n佳县审计局,杨道渠村,通镇,2024\n")
    with pytest.raises(InputError):
        pipeline.load([newer], target)
    loaded = pipeline.load([newer], target, new_version=True)
    assert loaded.result.notes[0].split(" / ")[0] == (f"结对帮扶.csv 作为 {(tmp_path / '通镇').resolve()} 中同名来源的新版本载入"
                                                      "（--new-version），替换它的内容")
    assert held(target, schema) == (["佳县审计局", "佳县民政局"], {"结对帮扶.csv": str((tmp_path / "2024").resolve())})
    table(tmp_path / "2024", HEADER + "佳县审计局,杨道渠村,通镇,2024\n")  # the new folder's file, edited in place
    pipeline.load([newer], target)
    assert held(target, schema)[0] == ["佳县审计局"]


def older_registry(spec: str) -> None:
    """Make the store's registry as an older linkgraph wrote it: no folder (LadybugDB: no such column)."""
    if spec.endswith(".lbug"):
        database = ladybug.Database(spec)
        connection = ladybug.Connection(database)
        connection.execute(f"ALTER TABLE {statements.REGISTRY} DROP folder")
        connection.close()
        database.close()
    else:
        pipeline.cypher(spec, f"MATCH (s:{statements.REGISTRY}) REMOVE s.folder", write=True)


def test_a_store_without_folders_takes_a_same_named_file_as_before_and_says_so(target, tmp_path, schema):
    pipeline.load([table(tmp_path / "通镇", TONG)], target)
    older_registry(target)
    assert held(target, schema)[1] == {"结对帮扶.csv": ""}
    loaded = pipeline.load([table(tmp_path / "坑镇", KENG)], target)
    folder = str((tmp_path / "坑镇").resolve())
    assert loaded.result.notes[0].split(" / ")[0] == (
        f"库中的 结对帮扶.csv 没有记录来自哪个文件夹（较早版本的 linkgraph 载入或网页上传），按同一来源的新版本替换，此后记录为 {folder}；"
        "若它原是另一个乡镇的表，请把那张表另起文件名再载入")
    assert held(target, schema) == (["佳县林业局", "佳县水利局"], {"结对帮扶.csv": folder})
    with pytest.raises(InputError):  # from now on the folder is known
        pipeline.load([table(tmp_path / "通镇", TONG)], target)
