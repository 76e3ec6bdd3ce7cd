"""The draft workbook a planner reviews: linkgraph's own table format with review columns.

One sheet per node kind (the template's columns, plus 原始名称 and 报道称) and
a ``关系`` sheet of ties, one row per proposed node and tie, each with:

- ``采纳`` (accept): 是 loads the row, 否 or empty leaves it out
  (``linkgraph load`` honours it in every sheet that has the column);
- ``置信度`` (confidence, 0–1), ``依据`` (the quote: the sentence of the report,
  verbatim, pinyin glosses removed), ``名册匹配/候选`` (the roster unit a place
  resolved to, or the candidates to choose from), ``规则`` (the rule that
  proposed it) and ``文章`` (the report): read past by the loader.

The ``说明`` sheet's ``来源`` row names the report (title and date), which
becomes the source of every accepted row; it also lists the mojibake repaired.
Places are rows of the ``村``, ``乡镇`` and ``县`` sheets under their roster
name and code, with the report's spelling as an alias; a village the roster
lacks keeps the report's spelling and its candidates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph_model.schema import LEVEL, ROLE, Schema
from loaders.extract import Extraction
from loaders.extract.calibration import Calibration, read_calibration
from loaders.extract.mentions import ADMIN_LEVELS, Entity
from loaders.extract.ties import Proposal
from loaders.template import YES_NO, Column, PlannerWorkbook, node_columns, tie_columns

# Sheet names of the node kinds (a sheet name cannot hold "/": 村 for 村/社区).
SHEETS = {LEVEL[key]: sheet for key, sheet in
          {"province": "省", "city": "市", "county": "县", "town": "乡镇", "village": "村"}.items()}
TOWN, VILLAGE = LEVEL["town"], LEVEL["village"]
REVIEW = (Column("accept", "采纳", "Accept: 是 loads the row, 否 or empty leaves it out", YES_NO),
          Column("confidence", "置信度", "Confidence 0–1 (read past)"),
          Column("quote", "依据", "Evidence: the sentence of the report (verbatim)"),
          Column("match", "名册匹配/候选", "Roster match or candidates (read past)"),
          Column("rule", "规则", "The rule that proposed the row (read past)"),
          Column("article", "文章", "The report (read past)"))
REVIEW_FILL = "FFF2CC"  # the review columns' header fill (a light yellow), the data's being the template's
ROLE_WORDS = {"lead": "牵头", "member": "成员"}  # as the template's drop-down writes them
# town_named: a village name several towns of the scope share, taken in the one town of them the report names
# town_unknown: a village named after a town the scope's roster lacks, taken by its name alone in the scope
PLACE_CONFIDENCE = {"exact": 0.95, "normalized": 0.9, "town_named": 0.85, "candidate": 0.5, "town_unknown": 0.5,
                    "unresolved": 0.2}


@dataclass
class Row:
    values: dict[str, Any]
    confidence: float


def _place_columns(kind: str) -> list[Column]:
    columns = [Column("name", "名称", "Name (the roster's)"), Column("aliases", "别名", "Aliases")]
    if kind == VILLAGE:
        columns.append(Column("town", "所属乡镇", "Town"))
    if kind in (VILLAGE, TOWN):
        columns.append(Column("county", "所属县", "County"))
    return [*columns, Column("id", "标识", "NBS code"), Column("claims", "报道称", "Claims (JSON)"),
            Column("note", "备注", "Note")]


def _organization_columns(schema: Schema, kind: str) -> list[Column]:
    columns = node_columns(schema, kind)
    extra = [Column("name_raw", "原始名称", "Raw name (the report's spelling)"),
             Column("claims", "报道称", "Claims (JSON)")]
    return [*columns[:2], *extra, *columns[2:]]


def _json(value: Any) -> str | None:
    return json.dumps(value, ensure_ascii=False) if value else None


def _county_of(entity: Entity, extraction: Extraction) -> str | None:
    if entity.place is None:
        return None
    code = entity.place.id[:6]
    county = next((e for e in extraction.entities if e.place is not None and e.place.id == code), None)
    return county.name if county is not None else None


def _match_text(entity: Entity) -> str:
    if entity.place is not None:
        found = f"{entity.town or ''}{entity.name} ({entity.place.id})"
        if entity.status == "candidate":
            return f"候选 candidate: {found}; 名册无“{next(iter(entity.spellings))}” / not in the roster there; " \
                   f"其他 others: {'; '.join(entity.candidates[1:]) or '—'}"
        return f"名册 roster: {found}"
    if entity.candidates:
        return "候选 candidates: " + "; ".join(entity.candidates)
    return "名册中无 not in the roster" if entity.is_place else "新组织 new organization"


def _place_note(entity: Entity) -> str | None:
    """Why a place's roster unit is only proposed, to be confirmed: a village of the same town whose name holds the
    report's (candidate), or the scope's village of the name, after a town the scope lacks (town_unknown)."""
    if entity.status == "candidate":
        return (f"文中称“{entity.town or ''}{next(iter(entity.spellings))}”，名册该镇无此名，取同镇 {entity.name} "
                f"({entity.place.id})，待核实 / the report's name is not in the roster of the town; the same town's "
                f"{entity.name} is proposed, to be confirmed")
    if entity.status == "town_unknown":
        return (f"文中此村前的乡镇不在名册范围内，取范围内同名的 {entity.town or ''}{entity.name} ({entity.place.id})，待核实 / "
                f"the town the report names before it is not in the roster of the scope; the scope's village of that "
                f"name is proposed, to be confirmed")
    return None


def _entity_row(entity: Entity, extraction: Extraction, article: str, surest_tie: float | None = None) -> Row:
    """The row of a node; a new organization's confidence is at most ``surest_tie``, that of the surest tie it is
    an end of (下设村党支部 of one doubtful tie is doubtful too, and ``--accept-above`` leaves it out)."""
    spellings = [s for s in entity.spellings if s != entity.name]
    values: dict[str, Any] = {"name": entity.name, "aliases": "；".join(dict.fromkeys(spellings)) or None,
                              "claims": _json(entity.claims), "quote": entity.quote.strip(),
                              "match": _match_text(entity), "article": article}
    if entity.is_place:
        confidence = PLACE_CONFIDENCE.get(entity.status, 0.5)
        values["id"] = entity.place.id if entity.place is not None else None
        values["town"] = entity.town if entity.kind == VILLAGE else None
        values["county"] = _county_of(entity, extraction) if entity.kind in (VILLAGE, TOWN) else None
        values["note"] = _place_note(entity)
        values["rule"] = f"名册 roster: {entity.status}"
        return Row(values, confidence)
    values["name_raw"] = entity.name_raw
    values["aliases"] = "；".join(s for s in dict.fromkeys([*spellings, *sorted(entity.surfaces)])
                                 if s not in (entity.name, entity.name_raw)) or None
    for prop in ("form", "joint", "aggregate_count", "mechanism", "brand", "note"):
        value = entity.props.get(prop)
        if isinstance(value, list):
            value = "；".join(dict.fromkeys(value))
        values[prop] = {True: "是", False: "否"}.get(value, value) if isinstance(value, bool) else value
    if entity.kind != ROLE["industry"]:
        values["rule"] = f"后缀 suffix: {entity.suffix}" if entity.suffix else "名称 name"
        if entity.props.get("named_by"):
            values["rule"] = f"linkgraph 命名 named by linkgraph: {values['rule']}"
    return Row(values, _organization_confidence(entity, surest_tie))


def _organization_confidence(entity: Entity, surest_tie: float | None) -> float:
    """0.8 for an organization found by its suffix, 0.7 for a counted group, at most ``surest_tie``."""
    found = 0.7 if entity.props.get("aggregate_count") else 0.8
    return found if surest_tie is None else min(found, surest_tie)


def _end(entity: Entity, extraction: Extraction, schema: Schema) -> dict[str, Any]:
    """A tie row's end: a resolved place by its NBS code (its name is in 名册匹配), anything else by name."""
    values = {"": entity.place.id if entity.place is not None else entity.name, "_kind": schema.node_kind(entity.kind).zh}
    if entity.kind == VILLAGE:
        values["_town"] = entity.town
    if entity.kind in (VILLAGE, TOWN):
        values["_county"] = _county_of(entity, extraction)
    return values


def _tie_row(proposal: Proposal, extraction: Extraction, schema: Schema, article: str,
             calibration: Calibration) -> Row:
    values: dict[str, Any] = {"type": schema.tie_kind(proposal.type).zh, "evidence": proposal.quote,
                              "rule": proposal.rule, "article": article}
    for side, entity in (("from", proposal.source), ("to", proposal.target)):
        for suffix, value in _end(entity, extraction, schema).items():
            values[side + suffix] = value
    matches = [f"{side}: {_match_text(e)}" for side, e in (("起点", proposal.source), ("终点", proposal.target))
               if e.is_place]
    values["match"] = "；".join(matches) or None
    for name, value in proposal.props.items():
        values[name] = _json(value) if isinstance(value, dict) else ROLE_WORDS.get(value, value) if name == "role" else value
    return Row(values, calibration.confidence(proposal))


def _tie_sheet_columns(schema: Schema) -> list[Column]:
    columns = tie_columns(schema)
    at = next(i for i, c in enumerate(columns) if c.field == "to_town") + 1
    columns.insert(next(i for i, c in enumerate(columns) if c.field == "from_town") + 1,
                   Column("from_county", "起点县", "From county"))
    columns.insert(at + 1, Column("to_county", "终点县", "To county"))
    metrics = schema.tie_kind("PAIRED_ASSISTANCE").property("metrics")
    return [*columns, Column("metrics", metrics.zh, "Metrics (JSON)")]


def draft_sheets(extraction: Extraction, schema: Schema, calibration: Calibration | None = None
                 ) -> list[tuple[str, list[Column], list[Row]]]:
    """``(sheet name, columns, rows)`` of every data sheet of the draft; pure.

    Only the entities that a proposed tie joins, or that carry claims, get a row. A tie's confidence is its
    group's in ``calibration`` (:mod:`loaders.extract.calibration`; the hand-set one without it or when the
    table lacks the group); a node's is set by how it was found, a new organization's at most its surest tie's.
    Each sheet's rows go from the most confident to the least (in the order found among equals), so a planner
    reviews the surest first.
    """
    calibration = calibration or Calibration()
    used = {id(p.source) for p in extraction.proposals} | {id(p.target) for p in extraction.proposals}
    articles = [Path(d.file).name for d in extraction.documents]
    first_article = {id(e): articles[e.document] if articles else "" for e in extraction.entities}
    ties = [_tie_row(p, extraction, schema, articles[p.document], calibration) for p in extraction.proposals]
    surest = _surest_ties(extraction.proposals, ties)
    sheets = []
    kinds = [*ADMIN_LEVELS[ADMIN_LEVELS.index(LEVEL["county"]):], *schema.entered_kinds]  # the county's units, then the rest
    for kind in kinds:
        entities = [e for e in extraction.entities if e.kind == kind and (id(e) in used or e.claims)]
        if not entities:
            continue
        columns = _place_columns(kind) if kind in ADMIN_LEVELS else _organization_columns(schema, kind)
        name = SHEETS.get(kind, schema.node_kind(kind).zh)
        rows = [_entity_row(e, extraction, first_article[id(e)], surest.get(id(e))) for e in entities]
        sheets.append((name, [*columns, *REVIEW], _most_confident_first(rows)))
    review = [c for c in REVIEW if c.field != "quote"]
    sheets.append(("关系", [*_tie_sheet_columns(schema), *review], _most_confident_first(ties)))
    return sheets


def _surest_ties(proposals: list[Proposal], ties: list[Row]) -> dict[int, float]:
    """The confidence of the surest tie (``ties``: the rows of ``proposals``) of each entity, by its id()."""
    surest: dict[int, float] = {}
    for proposal, tie in zip(proposals, ties):
        for entity in (proposal.source, proposal.target):
            surest[id(entity)] = max(surest.get(id(entity), 0.0), tie.confidence)
    return surest


def _most_confident_first(rows: list[Row]) -> list[Row]:
    return sorted(rows, key=lambda row: -row.confidence)  # stable: equals keep their order


INSTRUCTIONS = (
    "审核说明 How to review this draft",
    "本表由 linkgraph extract 从报道中自动提取，每行是一个建议的节点或关系。逐行核对“依据”（报道原句），"
    "在“采纳”列填“是”载入该行，填“否”或留空则不载入。"
    " linkgraph extract drafted this workbook from reports: each row proposes a node or a tie. Check each row "
    "against 依据 (the report's sentence) and write 是 in 采纳 to load it; 否 or empty leaves it out.",
    "“置信度”越低越需核对；“名册匹配/候选”给出地名在区划名册中的对应或候选，可改“名称”“所属乡镇”“标识”。"
    " Low 置信度 needs more care; 名册匹配/候选 shows the roster unit of a place or the candidates: "
    "correct 名称, 所属乡镇 or 标识 where needed.",
    "可改任何单元格；“置信度”“名册匹配/候选”“规则”“文章”只供参考，载入时忽略。"
    " Any cell may be corrected; 置信度, 名册匹配/候选, 规则 and 文章 are for reference and are not loaded.",
    "载入：linkgraph load 本文件.xlsx --store …（名册须已在库中或一同给出）。"
    " Load with linkgraph load THIS.xlsx --store … (with the roster in the store or given too).",
)


def write_draft(extraction: Extraction, schema: Schema, path: str | Path, *, title: str | None = None,
                accept_above: float | None = None, calibration: Calibration | None = None) -> Path:
    """Write the draft workbook to ``path``; rows whose confidence is at least ``accept_above`` get 采纳 = 是.

    Ties get the confidence of ``calibration``, by default the shipped one (``calibration.yaml``). Laid out as
    the template (:class:`loaders.template.PlannerWorkbook`, XlsxWriter: a 1 MB report's draft of 16,000 rows
    took openpyxl 8 s of CPU, XlsxWriter under 4 s): the 说明 sheet naming the reports, then a data sheet per
    kind whose header's review columns have a fill of their own, every column text, the quote's wide for a
    sentence, a drop-down over the rows where a column has choices, the header and the first two columns
    frozen."""
    calibration = calibration if calibration is not None else read_calibration()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = PlannerWorkbook(path)
    source = title or "；".join(d.source_title for d in extraction.documents)
    workbook.guide(["来源 Source", source], INSTRUCTIONS, [[], *_report_lines(extraction)], width=80)
    review = {c.field: REVIEW_FILL for c in REVIEW}
    for name, columns, rows in draft_sheets(extraction, schema, calibration):
        sheet = workbook.data_sheet(name, columns, fills=review, wide=("quote", "evidence"), frozen_columns=2)
        for number, row in enumerate(rows, start=1):
            accepted = accept_above is not None and row.confidence >= accept_above
            values = dict(row.values, confidence=row.confidence, accept="是" if accepted else None)
            workbook.write_row(sheet, number, [values.get(column.field) for column in columns])
        for index, column in enumerate(columns):
            if column.choices:
                workbook.drop_down(sheet, index, max(1, len(rows)), list(column.choices))
    workbook.close()
    return path


def _report_lines(extraction: Extraction) -> list[list[str]]:
    """The 说明 sheet's rows of each report: its file, title and date, and the mojibake repaired in it."""
    lines = []
    for document, repairs in zip(extraction.documents, extraction.repairs):
        lines.append([f"文章 report: {Path(document.file).name}", f"{document.title or ''} {document.date or ''}".strip()])
        lines += [["乱码修复 mojibake repaired", f"{repair.before} → {repair.after}"] for repair in repairs]
    return lines
