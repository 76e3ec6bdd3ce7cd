"""The centrality report: one HTML page to read and hand on, CSVs for Excel.

The CSVs are UTF-8 with a BOM, which Excel needs to show Chinese; headers are
bilingual (:data:`COLUMNS`) and kinds are named as the schema names them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Iterable, Sequence

from analysis.centrality import CentralityReport
from visualizations.assets import ENVIRONMENT
from visualizations.tables import csv_text, write_excel_csv

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


def table_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    """CSV text of report rows with bilingual headers."""
    return csv_text([header(c) for c in columns], ([row[c] for c in columns] for row in rows))


def render_report(report: CentralityReport, *, title: str, store: str, generated: str | None = None) -> str:
    claims = report.claims
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
        "centrality": write_excel_csv(out / "centrality.csv", table_csv(report.rows, CENTRALITY_COLUMNS)),
        "untied_villages": write_excel_csv(out / "untied_villages.csv", table_csv(report.untied_villages, UNTIED_COLUMNS)),
        "towns": write_excel_csv(out / "towns.csv", table_csv(report.towns, TOWN_COLUMNS)),
    }
