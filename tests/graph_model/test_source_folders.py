"""``graph_model.sources.folder_clashes``: which sources of a load the store holds, by name, from another file."""

from graph_model.sources import Arriving, folder_clashes

REGISTRY = {"结对帮扶.csv": {"digest": "d1", "folder": "/data/通镇"}, "企业.csv": {"digest": "e1", "folder": ""}}


def test_the_same_folder_an_unchanged_file_a_new_name_and_an_upload_are_no_clash():
    arriving = [Arriving("结对帮扶.csv", "d2", "/data/通镇"),   # edited in place
                Arriving("结对帮扶.csv", "d1", "/data/坑镇"),   # the same content elsewhere: unchanged
                Arriving("坑镇结对帮扶.csv", "k1", "/data/坑镇"),  # a name of its own
                Arriving("结对帮扶.csv", "k1", "")]             # an upload: known by its name alone
    assert folder_clashes(arriving, REGISTRY) == ([], [])


def test_another_folder_with_other_content_is_a_problem_naming_both_folders_unless_a_new_version():
    problems, notes = folder_clashes([Arriving("结对帮扶.csv", "k1", "/data/坑镇")], REGISTRY)
    assert notes == [] and [str(p.origin) for p in problems] == ["/data/坑镇/结对帮扶.csv"]
    assert problems[0].message == ("库中已有另一个文件夹的同名来源 结对帮扶.csv（载入自 /data/通镇），内容不同；照此载入会删除它记载而本文件未记载的"
                                   "内容 / the store holds another 结对帮扶.csv, loaded from /data/通镇, with other content: "
                                   "loading this one would delete what only that one states")
    assert problems[0].hint.startswith("若是另一个乡镇的表，请另起文件名（如 坑镇结对帮扶.csv）；若确是同一张表的新版本，加 --new-version")
    problems, notes = folder_clashes([Arriving("结对帮扶.csv", "k1", "/data/2024")], REGISTRY, new_version=True)
    assert problems == [] and notes[0].startswith("结对帮扶.csv 作为 /data/通镇 中同名来源的新版本载入（--new-version）")


def test_a_source_the_store_holds_without_a_folder_is_replaced_with_a_note():
    problems, notes = folder_clashes([Arriving("企业.csv", "e2", "/data/坑镇")], REGISTRY)
    assert problems == [] and len(notes) == 1
    assert notes[0].startswith("库中的 企业.csv 没有记录来自哪个文件夹（较早版本的 linkgraph 载入或网页上传），按同一来源的新版本替换，"
                               "此后记录为 /data/坑镇")
