#!/usr/bin/env python3
"""Write the files planners really have, as the towns of 佳县 might send them (made up, with real villages).

- 通镇填报2023.xlsx: a workbook made by hand, not from linkgraph's template: a merged title row
  (佳县通镇2023年结对帮扶关系统计表), a line of who reports above the header, notes under the data
  (填表人, 审核人, 填表日期), a hidden sheet of last year's table, and two village codes Excel mangled
  (6.10828E+11 pasted from a CSV Excel had saved, and 610828105000: a code whose last digits were lost).
  Its sheet 结对帮扶情况 names its tie kind. It fails with one line per mangled code; with --keep-valid the
  other two pairings load.
- 通镇填报2023.xls: the same workbook saved as an old Excel 97–2003 .xls, as county offices still send them,
  but with 结对时间 of its first row a date cell (2022-05-01) as Excel or WPS makes one when a date is typed.
  Written with xlwt, which linkgraph does not need (``pip install xlwt`` to remake it); it loads as the
  .xlsx does, with the same lines for the mangled codes.
- 乌镇结对帮扶.csv: tab-separated UTF-8 saved as .csv (what "Unicode text" becomes in other tools).
- 结对帮扶名单2023.csv: GBK, as Excel on Chinese Windows saves it, with a title row above the header and a
  填表日期 line under it; its name is not a tie kind but contains one (结对帮扶).
- 结对帮扶村名单.csv: pairings without a town column: the villages whose names are unique in the county
  resolve (the load says how many), 王家墕村 (three towns have one) is listed with its towns.

Run from the repository root: python examples/jia_county/planner_real/make_examples.py
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

HERE = Path(__file__).resolve().parent
TITLE = "佳县通镇2023年结对帮扶关系统计表"
HEADER = ["序号", "帮扶单位", "结对村", "所属乡镇", "结对时间", "帮扶机制"]
TONG = [
    [1, "佳县县委办公室", "崔家西山村", "通镇", "2022年5月", "八联八帮"],
    [2, "佳县农业农村局", "高家集村", "通镇", "2021", "产业帮扶"],
    [3, "佳县教育局", "6.10828E+11", "通镇", "2021", "教育帮扶"],
    [4, "佳县卫生健康局", 610828105000, "通镇", "2021", "健康帮扶"],
]
NOTES = "填表人：张明    审核人：李华    填表日期：2023年12月28日"


def write_workbook(path: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "结对帮扶情况"
    sheet.append([TITLE])
    sheet.merge_cells("A1:F1")
    sheet.append(["填报单位：通镇人民政府"])
    sheet.append(HEADER)
    for row in TONG:
        sheet.append(row)
    sheet.append([])
    sheet.append([NOTES])
    old = book.create_sheet("2022年旧表")
    old.append(HEADER)
    old.append([1, "佳县县委办公室", "#REF!", "通镇", "2021", "已调整"])
    old.sheet_state = "hidden"
    book.save(path)
    return path


def write_old_workbook(path: Path) -> Path:
    import datetime as dt

    import xlwt  # only to remake this example: linkgraph reads .xls with xlrd

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("结对帮扶情况")
    sheet.write_merge(0, 0, 0, 5, TITLE)
    sheet.write(1, 0, "填报单位：通镇人民政府")
    rows = [HEADER, [*TONG[0][:4], dt.datetime(2022, 5, 1), TONG[0][5]], *TONG[1:], [], [NOTES]]
    dates = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row):
            sheet.write(number, column, value, dates) if isinstance(value, dt.datetime) else sheet.write(number, column, value)
    old = book.add_sheet("2022年旧表")
    for column, value in enumerate(HEADER):
        old.write(0, column, value)
    for column, value in enumerate([1, "佳县县委办公室", "#REF!", "通镇", "2021", "已调整"]):
        old.write(1, column, value)
    old.visibility = 1
    book.save(str(path))
    return path


def write_csv(path: Path, rows: list[list[str]], encoding: str, delimiter: str = ",") -> Path:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def main() -> None:
    print(write_workbook(HERE / "通镇填报2023.xlsx"))
    print(write_old_workbook(HERE / "通镇填报2023.xls"))
    print(write_csv(HERE / "乌镇结对帮扶.csv", [["帮扶单位", "结对村", "所属乡镇", "结对时间"],
                                             ["佳县林业局", "榆坬村", "乌镇", "2021"],
                                             ["佳县水利局", "李家山村", "乌镇", "2022年3月"]], "utf-8", "\t"))
    print(write_csv(HERE / "结对帮扶名单2023.csv", [["佳县店镇2023年结对帮扶名单"],
                                                ["帮扶单位", "结对村", "所属乡镇", "结对时间", "帮扶机制"],
                                                ["佳县交通运输局", "宋家山村", "店镇", "2021", "道路硬化"],
                                                ["佳县民政局", "马家条村", "店镇", "2022", "兜底保障"],
                                                ["填表日期：2023年12月"]], "gbk"))
    print(write_csv(HERE / "结对帮扶村名单.csv", [["帮扶单位", "结对村", "结对时间"],
                                              ["佳县县委办公室", "崔家西山村", "2022"],
                                              ["佳县统计局", "核桃树墕村", "2021"],
                                              ["佳县审计局", "高家集村", "2021"],
                                              ["佳县财政局", "王家墕村", "2021"]], "utf-8-sig"))


if __name__ == "__main__":
    main()
