#!/usr/bin/env python3
"""Write the planner's example files of the Jia County example from linkgraph's own template.

- 刘国具镇填报.xlsx: the workbook of `linkgraph template`, filled in as 刘国具镇 would
  report the liquor joint branch: the same facts as the 2024-01-18 article, spelt
  the way a township writes them (Traditional 陝西賀寨酒業公司, short names), each
  tie with its quote. Loaded with the case file, its organizations are the case
  file's nodes, each with both sources.
- 结对帮扶.csv: a GBK-encoded table of pairings, as Excel on Chinese Windows saves
  it, with the one pairing the article names (县委办 and 通镇西山村). The roster has
  no 西山村 in 通镇, so `linkgraph reconcile` lists it for a decision.

Run from the repository root: python examples/jia_county/planner/make_examples.py
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from graph_model.schema import default_schema  # noqa: E402
from loaders.template import sheets, write_template  # noqa: E402

TITLE = "刘国具镇填报（示例：据2024-01-18报道整理）Liuguoju town's return (example restating the 2024-01-18 report)"
ROWS = {
    "企业": [{"name": "陝西賀寨酒業公司", "aliases": "贺寨酒业", "town": "刘国具镇", "note": "该镇引进 brought in by the town"}],
    "党组织": [{"name": "上高寨酒业联合党支部", "town": "刘国具镇", "form": "党支部", "joint": "是", "brand": "桃花液"}],
    "合作社": [{"name": "刘国具镇38家酿酒合作社（作坊）", "town": "刘国具镇", "aggregate_count": "38"}],
    "关系": [
        {"type": "加入联合党组织", "from": "贺寨酒业", "to": "上高寨酒业联合党支部", "start_date": "2022", "role": "牵头",
         "evidence": "聯合黨支部成立后,充分利用賀寨酒業的龍頭帶動作用"},
        {"type": "加入联合党组织", "from": "刘国具镇38家酿酒合作社（作坊）", "to": "上高寨酒业联合党支部", "start_date": "2022",
         "role": "成员", "evidence": "該鎮引進陜西賀寨酒業公司,與38家釀酒合作社(作坊)和14個村集體成立了上高寨酒業聯合黨支部"},
        {"type": "服务帮带", "from": "上高寨酒业联合党支部", "to": "刘国具镇38家酿酒合作社（作坊）", "start_date": "2022",
         "mechanism": "技术培训、设备改造、品质调试", "evidence": "組織各酒坊進行技術培訓、設備改造、品質調試"},
    ],
}
PAIRINGS = [["序号", "帮扶单位", "结对村", "所属乡镇", "结对时间", "帮扶机制", "依据"],
            ["1", "佳县县委办公室", "西山村", "通镇", "2022", "八联八帮", "佳縣縣委辦公室是通鎮西山村的幫扶單位"]]


def write_workbook(path: Path) -> Path:
    from openpyxl import load_workbook

    schema = default_schema()
    write_template(path, schema)
    workbook = load_workbook(path)
    workbook["说明"]["B1"] = TITLE
    for name, _, columns in sheets(schema):
        fields = [c.field for c in columns]
        for row in ROWS.get(name, []):
            workbook[name].append([row.get(f) for f in fields])
    workbook.save(path)
    return path


def write_pairings(path: Path) -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(PAIRINGS)
    path.write_bytes(out.getvalue().encode("gbk"))
    return path


if __name__ == "__main__":
    print(write_workbook(HERE / "刘国具镇填报.xlsx"))
    print(write_pairings(HERE / "结对帮扶.csv"))
