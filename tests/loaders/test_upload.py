"""Uploaded bytes become source files only within bounds: size, files, unpacked size (counted as it unpacks),
kinds of file, base names only."""

import io
import zipfile

import pytest

from graph_model.records import InputError
from loaders.upload import UploadLimits, unpack_upload, upload_name
from tests.conftest import EXAMPLE

SMALL = UploadLimits(max_bytes=2**20, max_unpacked=2**20, max_members=5, max_cells=10_000, max_seconds=30)


class LocalCodePage(zipfile.ZipInfo):
    """A member named as Windows' own zip names it: GBK bytes, without the UTF-8 flag."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("gbk"), self.flag_bits


def zipped(members, utf8=True) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name) if utf8 else LocalCodePage(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return out.getvalue()


def refusal(name, data, tmp_path, limits=SMALL) -> str:
    with pytest.raises(InputError) as refused:
        unpack_upload(name, data, tmp_path, limits)
    assert len(refused.value.problems) == 1 and list(tmp_path.iterdir()) == []
    return str(refused.value)


def test_a_workbook_a_table_and_a_case_file_are_kept_under_their_base_names(tmp_path):
    workbook = (EXAMPLE / "planner" / "刘国具镇填报.xlsx").read_bytes()
    assert unpack_upload("C:\\Users\\李\\刘国具镇填报.xlsx", workbook, tmp_path) == [tmp_path / "刘国具镇填报.xlsx"]
    assert (tmp_path / "刘国具镇填报.xlsx").read_bytes() == workbook
    assert unpack_upload("../../case.yaml", b"x: 1", tmp_path) == [tmp_path / "case.yaml"]


def test_a_zip_of_a_csv_folder_gives_its_tables_by_name(tmp_path):
    data = zipped({"填报/结对帮扶.csv": "a,b\n1,2\n".encode("gbk"), "填报/名单.csv": b"x\n", "__MACOSX/._x.csv": b"",
                   "填报/.DS_Store": b"", "填报/": b""}, utf8=False)
    paths = unpack_upload("填报.zip", data, tmp_path)
    assert [p.name for p in paths] == ["名单.csv", "结对帮扶.csv"]
    assert (tmp_path / "结对帮扶.csv").read_bytes() == "a,b\n1,2\n".encode("gbk")


def test_an_upload_over_the_size_bound_is_refused(tmp_path):
    assert "more than the limit of 1 MB" in refusal("big.csv", b"x" * (2**20 + 1), tmp_path)


def test_a_zip_bomb_is_refused_as_it_unpacks(tmp_path):
    bomb = zipped({"a.csv": b"0" * (8 * 2**20)})
    assert len(bomb) < 2**20 / 10
    assert "zip bomb" in refusal("bomb.zip", bomb, tmp_path)


def test_a_workbook_that_unpacks_too_large_is_refused(tmp_path):
    workbook = (EXAMPLE / "planner" / "刘国具镇填报.xlsx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        parts = {i.filename: archive.read(i) for i in archive.infolist()}
    parts["xl/media/padding.bin"] = b"\0" * (4 * 2**20)
    assert "zip bomb" in refusal("刘国具镇填报.xlsx", zipped(parts), tmp_path)


def test_too_many_files_and_files_of_other_kinds_are_refused(tmp_path):
    assert "more than the limit of 5" in refusal("many.zip", zipped({f"{i}.csv": b"x" for i in range(6)}), tmp_path)
    assert "run.sh is not a file" in refusal("mixed.zip", zipped({"a.csv": b"x", "run.sh": b"rm -rf /"}), tmp_path)
    assert "holds no table" in refusal("empty.zip", zipped({"__MACOSX/._a.csv": b""}), tmp_path)
    assert "two files of the archive are named a.csv" in refusal("twice.zip", zipped({"x/a.csv": b"1", "y/a.csv": b"2"}),
                                                                 tmp_path)


def test_a_damaged_zip_and_an_unknown_kind_are_refused(tmp_path):
    assert "not a readable zip" in refusal("cut.zip", zipped({"a.csv": b"x" * 1000})[:40], tmp_path)
    with pytest.raises(InputError, match="is not a file linkgraph loads"):
        upload_name("virus.exe")
    with pytest.raises(InputError, match="no suffix"):
        upload_name("..")


def test_a_name_too_long_for_a_file_is_refused_as_such_not_a_crash(tmp_path):
    long_name = "佳县" * 45 + ".csv"  # 90 characters, 274 bytes in UTF-8: more than a file name may hold
    assert "the file name is longer than 255 bytes" in refusal(long_name, b"a,b\n1,2\n", tmp_path)
    member = "子/" + "村" * 100 + ".csv"
    assert "the file name is longer than 255 bytes" in refusal("x.zip", zipped({member: b"a\n1\n"}), tmp_path)
    fits = "村" * 80 + ".csv"  # 244 bytes: kept
    assert unpack_upload(fits, b"a\n1\n", tmp_path) == [tmp_path / fits]


def test_an_old_xls_upload_is_taken_and_a_wps_file_in_a_zip_says_how_to_save_it(tmp_path):
    """An uploaded .xls was "not a file linkgraph loads": it is now read (loaders.xls); a WPS .et in a zip of a
    town's folder says to save it as .xlsx, in Chinese first."""
    assert upload_name("结对帮扶2023.xls") == "结对帮扶2023.xls"
    assert "WPS 表格文件（.et）" in refusal("通镇.zip", zipped({"通镇/企业.et": b"x"}), tmp_path)
