"""The centrality report: one HTML page to read and hand on, CSVs for Excel.

The CSVs are UTF-8 with a BOM, which Excel needs to show Chinese; headers are
bilingual and come from the schema and :data:`COLUMNS`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any, Iterable

from analysis.centrality import CentralityReport
from visualizations.assets import ENVIRONMENT

COLUMNS: dict[str, tuple[str, str]] = {
    "id": ("标识", "ID"),
    "name": ("名称", "Name"),
    "kind_zh": ("类型", "Kind"),
    "town": ("乡镇", "Town"),
    "degree": ("关系数", "Degree"),
    "degree_centrality": ("度中心性", "Degree centrality"),
    "betweenness": ("中介中心性", "Betweenness"),
    "closeness": ("接近中心性", "Closeness"),
    "pagerank": ("PageRank", "PageRank"),
    "villages": ("村数", "Villages"),
    "tied_villages": ("有联结的村", "Tied villages"),
    "untied_villages": ("无联结的村", "Villages without ties"),
}
CENTRALITY_COLUMNS = ("name", "kind_zh", "town", "degree", "degree_centrality", "betweenness", "closeness", "pagerank", "id")
UNTIED_COLUMNS = ("town", "name", "id")
TOWN_COLUMNS = ("name", "villages", "tied_villages", "untied_villages", "id")


def header(column: str) -> str:
    zh, en = COLUMNS[column]
    return zh if zh == en else f"{zh} {en}"


def csv_text(rows: Iterable[dict[str, Any]], columns: Iterable[str]) -> str:
    """CSV text with bilingual headers; floats with 6 decimals."""
    columns = list(columns)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([header(c) for c in columns])
    for row in rows:
        writer.writerow([f"{row[c]:.6f}" if isinstance(row[c], float) else row[c] for c in columns])
    return out.getvalue()


def rows_csv(rows: list[dict[str, Any]]) -> str:
    """CSV text of query rows, with the columns the query names."""
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue()


def write_excel_csv(path: Path, text: str) -> Path:
    """Write CSV text as UTF-8 with BOM (what Excel needs for Chinese)."""
    path.write_text(text, encoding="utf-8-sig", newline="")
    return path


def render_report(report: CentralityReport, *, title: str, store: str, generated: str | None = None) -> str:
    claims = [{**c, "claims": json.loads(c["claims"])} for c in report.claims]
    return ENVIRONMENT.get_template("report.html.j2").render(
        title=title,
        store=store,
        generated=generated or dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        report=report,
        claims=claims,
        headers={c: header(c) for c in COLUMNS},
        centrality_columns=CENTRALITY_COLUMNS,
        town_columns=TOWN_COLUMNS,
    )


def write_report(report: CentralityReport, out_dir: str | Path, *, title: str, store: str) -> dict[str, Path]:
    """Write ``report.html``, ``centrality.csv``, ``untied_villages.csv`` and ``towns.csv``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    html = out / "report.html"
    html.write_text(render_report(report, title=title, store=store), encoding="utf-8")
    return {
        "html": html,
        "centrality": write_excel_csv(out / "centrality.csv", csv_text(report.rows, CENTRALITY_COLUMNS)),
        "untied_villages": write_excel_csv(out / "untied_villages.csv", csv_text(report.untied_villages, UNTIED_COLUMNS)),
        "towns": write_excel_csv(out / "towns.csv", csv_text(report.towns, TOWN_COLUMNS)),
    }
