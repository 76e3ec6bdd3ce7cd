"""Write the files of this folder: one pairing table (结对帮扶) in the encodings planners' files arrive in.

Run from the repository root: ``python examples/hostile_encodings/make_examples.py``. The files are kept in
the repository (tests/loaders/test_text.py reads them); this script says how they were made.
"""

from __future__ import annotations

import codecs
import io
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIMPLIFIED = "帮扶单位,结对村,所属乡镇,结对时间\r\n佳县县委办公室,崔家西山村,通镇,2022年5月\r\n"
TRADITIONAL = "幫扶單位,結對村,所屬鄉鎮,結對時間\r\n佳縣縣委辦公室,崔家西山村,通鎮,2022年5月\r\n"
REPORT = "佳縣縣委辦公室是通鎮崔家西山村的幫扶單位。\r\n2022年以來，雙方支部聯合共建。\r\n"


def workbook_bytes() -> bytes:
    """A minimal zip with an xlsx's first entry, as a workbook renamed to .csv starts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        entry = zipfile.ZipInfo("[Content_Types].xml", date_time=(2024, 1, 1, 0, 0, 0))  # the same bytes each run
        archive.writestr(entry, '<?xml version="1.0" encoding="UTF-8"?><Types/>')
    return buffer.getvalue()


FILES = {
    "pairings_big5.csv": TRADITIONAL.encode("big5"),            # Excel on Traditional Chinese Windows
    "report_big5.txt": REPORT.encode("big5"),                   # a page of a Taiwan or Hong Kong site saved as text
    "pairings_utf16le_nobom.csv": SIMPLIFIED.encode("utf-16-le"),
    "pairings_utf16be_nobom.csv": SIMPLIFIED.encode("utf-16-be"),
    "pairings_utf16_bom.csv": codecs.BOM_UTF16_LE + SIMPLIFIED.encode("utf-16-le"),  # read: the BOM says it
    "pairings_utf32.csv": SIMPLIFIED.encode("utf-32"),
    "pairings_gbk_traditional.csv": TRADITIONAL.encode("gbk"),  # read: GBK holds Traditional characters too
    "empty.csv": b"",
    "bom_only.csv": codecs.BOM_UTF8,
    "workbook_renamed.csv": workbook_bytes(),
}

if __name__ == "__main__":
    for name, data in FILES.items():
        (HERE / name).write_bytes(data)
        print(f"{name}: {len(data)} bytes")
