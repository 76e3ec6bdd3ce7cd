#!/usr/bin/env python3
"""Precision and recall of ``linkgraph extract`` per text, at the level of (kind, from, to) after reconciliation.

Each ``tests/data/extract/*.expected.yaml`` names a text and its hand-checked
ties. The text is drafted (``linkgraph.pipeline.extract_draft``) with every
row accepted, the draft is loaded with the Jia County roster as a planner
would load it, and its ties are compared with the expected ones
(:mod:`loaders.extract.evaluate`). Every miss and every extra tie is listed.

    python scripts/evaluate_extraction.py            # all texts
    python scripts/evaluate_extraction.py --quiet    # the figures only

With ``--real GOLD_DIR --reports TEXT_DIR`` it measures the real published
reports of the corpus instead (CORPUS.md of issue 20): each gold file
``GOLD_DIR/<id>.yaml`` of the split whose text ``TEXT_DIR/<split>/<id>.txt``
exists (first line the title, second the URL, then the text; the texts stay
outside the repository) is drafted with the shipped national roster narrowed
to the gold's ``scope`` (its most specific county, else its city, and every
other county that holds a village or town end of the gold, as a planner gives
``--county`` once per county), every row accepted and loaded with that roster, and scored per kind, per report and
overall, with and without the ties only a name implies, with the place
resolution of the gold's village and town ends. The LOCATED_IN rows the draft
only infers (its note begins with 推断: from a unit's name, from the town that
formed an organization) are set apart and counted, not scored: the gold lists
LOCATED_IN only where the text says where something is.

    python scripts/evaluate_extraction.py --real evaluation/real --reports /work/reports --split dev
    python scripts/evaluate_extraction.py --real evaluation/real --reports /work/reports --markdown

``--calibrate`` (development half only) labels each drafted tie right (it loaded as a tie that matched a gold
tie) or not, fits the confidence of each rule family and stratum (:mod:`loaders.extract.calibration`) and
writes ``loaders/extract/calibration.yaml`` with the command, date and commit; ``--reliability`` prints, per
confidence band (≥ 0.8, 0.5–0.8, < 0.5), how many drafted ties it holds and the share right, at the
calibrated and at the hand-set confidence:

    python scripts/evaluate_extraction.py --real evaluation/real --reports /work/reports --split dev --calibrate
    python scripts/evaluate_extraction.py --real evaluation/real --reports /work/reports --split heldout --reliability
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pyarrow as pa
import pyarrow.compute as pc
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from linkgraph.pipeline import extract_draft  # noqa: E402
from loaders import load_sources  # noqa: E402
from graph_model.records import InputError  # noqa: E402
from graph_model.names import match_key  # noqa: E402
from loaders import nbs  # noqa: E402
from loaders.extract.calibration import (DEFAULT_FILE, PRIOR_STRENGTH, QUANTILE, Calibration, family, fit, read_calibration,  # noqa: E402
                                         stratum, write_calibration)
from loaders.extract import learned  # noqa: E402
from loaders.extract.draft import PLACE_CONFIDENCE  # noqa: E402
from loaders.extract.lexicon import default_lexicon  # noqa: E402
from loaders.extract.evaluate import (Resolution, Score, by_kind, combine, describe, drafted_right,  # noqa: E402
                                      place_resolution, read_expected, read_gold, score, set_apart,
                                      words_only)
from loaders.roster import COLUMNS  # noqa: E402

DATA = REPO / "tests" / "data" / "extract"
ROSTER = REPO / "examples" / "jia_county" / "nbs_roster_610828.csv"


def evaluate(expected_file: Path, workdir: Path) -> tuple[str, Score, object]:
    """Draft the text an expected file names, load it with every row accepted, and score it."""
    data = yaml.safe_load(expected_file.read_text(encoding="utf-8"))
    text = (expected_file.parent / data["text"]).resolve()
    draft = workdir / f"{expected_file.name.removesuffix('.expected.yaml')}.xlsx"
    extract_draft([text], draft, roster=ROSTER, accept_above=0)
    loaded = load_sources([ROSTER, draft])
    return text.name, score(loaded.graph, read_expected(data), draft.name), loaded.graph


@dataclass
class ReportResult:
    """One real report scored: all ties, the ties stated in words, and the place resolution."""

    id: str
    scope: str
    result: Score
    words: Score
    places: Resolution
    graph: object = field(repr=False, default=None)
    left_out: list[str] = field(default_factory=list)  # draft rows the load refused (e.g. an ambiguous village)
    rows: list[TieRow] = field(default_factory=list)  # each drafted tie, labelled right or not
    inferred: int = 0  # inferred LOCATED_IN rows set apart, not scored
    groups: tuple[str, ...] = ()  # the gold's script and forms (simplified, 村村联合 …), for the table by group


@dataclass(frozen=True)
class TieRow:
    """A drafted tie row: its calibration group, its hand-set and its drafted (calibrated) confidence, and
    whether it loaded as a tie that matched a gold tie."""

    family: str
    stratum: str
    hand_set: float
    confidence: float
    right: bool


def scope_of(table: pa.Table, province: str, scope: list[str]) -> nbs.Scope | None:
    """The most specific county (else city) the gold's ``scope`` names, each name looked for inside the
    province and the units named before it (a name without its ending, as 新晃县 for 新晃侗族自治县, when
    only one unit begins with it). A scope that names only a town gives the town's county when the town
    is the only one of its name in the province, as a planner would look it up. ``None`` when none is found."""
    rows = list(nbs.unit_rows(table.filter(pc.is_in(table["level"], pa.array(list(nbs.SCOPE_LEVELS))))))
    wanted = match_key(province)
    prefix = next((code for code, name, level, _ in rows if level == "province" and match_key(name) == wanted), "")
    found = None
    for place in scope:
        hit = _unit_named(rows, place, prefix)
        if hit is not None and (found is None or found.level != "county" or hit.level == "county"):
            prefix, found = hit.code, hit
    return found or _county_of_town(table, rows, scope, prefix)


def _unit_named(rows: list[tuple[str, str, str, str]], place: str, prefix: str) -> nbs.Scope | None:
    """The one city or county under ``prefix`` called ``place`` (儋州市 is a city and its only county: the county)."""
    key, stem = match_key(place), match_key(place.rstrip("县区市旗"))
    units = [(code, name, level) for code, name, level, _ in rows if level in ("city", "county") and code.startswith(prefix)]
    hits = [unit for unit in units if match_key(unit[1]) == key]
    if not hits and len(stem) >= 2:  # 新晃县 for 新晃侗族自治县
        hits = [unit for unit in units if match_key(unit[1]).startswith(stem)]
    counties = [unit for unit in hits if unit[2] == "county"]
    if len(counties) == 1 and all(counties[0][0].startswith(unit[0]) for unit in hits):
        hits = counties
    return nbs.Scope(hits[0][2], hits[0][0], hits[0][1]) if len(hits) == 1 else None


def _county_of_town(table: pa.Table, rows: list[tuple[str, str, str, str]], scope: list[str],
                    prefix: str) -> nbs.Scope | None:
    """The county of the first town of ``scope`` that is the only town of its name under ``prefix``."""
    towns = table.filter(pc.and_(pc.equal(table["level"], "town"), pc.starts_with(table["code"], prefix)))
    names = dict(zip(towns["code"].to_pylist(), towns["name"].to_pylist()))
    counties = {code: name for code, name, level, _ in rows if level == "county"}
    length = nbs.CODE_LENGTHS["county"]
    for place in scope:
        codes = [code for code, name in names.items() if match_key(name) == match_key(place)]
        if not codes:  # 党武镇, now 党武街道
            codes = [code for code, name in names.items() if _town_stem(name) == _town_stem(place)]
        if len(codes) == 1 and codes[0][:length] in counties:
            county = codes[0][:length]
            return nbs.Scope("county", county, f"{counties[county]} (由{place} from the town)")
    return None


def _town_stem(name: str) -> str:
    """A town's name without its ending (党武 for 党武镇 and 党武街道), for a town renamed since the report."""
    return match_key(re.sub("(街道|镇|乡)$", "", name))


def gold_counties(table: pa.Table, scope: nbs.Scope, ties: list) -> list[nbs.Scope]:
    """The counties outside ``scope`` that hold a village or town end of the gold ties (a report about places
    in several counties: 成华区's company and 蒲江县's village, a joint branch across a provincial border), as
    a planner who knows the report gives ``--county`` once per county."""
    length = nbs.CODE_LENGTHS["county"]
    codes = {str(t.get(k)) for t in ties for k in ("from_code", "to_code") if t.get(k)}
    counties = sorted({c[:length] for c in codes if len(c) > length and not c.startswith(scope.code)})
    named = dict(zip(table["code"].to_pylist(), table["name"].to_pylist())) if counties else {}
    return [nbs.Scope("county", c, named.get(c, c)) for c in counties]


def report_scopes(table: pa.Table, data: dict) -> list[nbs.Scope]:
    """The units a gold file's report is drafted in: its scope's county (:func:`scope_of`) and every other county
    that holds one of its gold village or town ends, as a planner gives ``--county`` once per county (none when
    the scope names no unit of the roster)."""
    scope = scope_of(table, str(data.get("province", "")), [str(s) for s in data.get("scope") or ()])
    return [] if scope is None else [scope, *gold_counties(table, scope, list(data.get("ties") or ()))]


def write_scope_roster(table: pa.Table, scopes: list[nbs.Scope], path: Path) -> Path:
    """The units of ``scopes`` (with their ancestors, each once) as a roster CSV a draft is resolved and
    loaded with."""
    units = pa.concat_tables([nbs.scope_units(table, scope) for scope in scopes])
    seen: set[str] = set()
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for row in nbs.unit_rows(units):
            if row[0] not in seen:
                seen.add(row[0])
                writer.writerow(row)
    return path


def report_text(path: Path, workdir: Path) -> Path:
    """The report's text without its URL line (first line the title, second the URL)."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    text = workdir / path.name
    text.write_text("\n".join(lines[:1] + lines[2:]) + "\n", encoding="utf-8")
    return text


def evaluate_real(gold_file: Path, text_file: Path, workdir: Path, calibration: Calibration | None = None,
                  *, told_scope: bool = True) -> ReportResult | str:
    """Draft a real report with the roster of its gold's scope, load every row, and score it (or say why not);
    each drafted tie is labelled right or not, with its confidence under ``calibration`` (the shipped one by
    default). ``told_scope=False`` drafts it as ``linkgraph extract`` does without ``--county``: the places
    found from the text in the national roster; rows placed outside the gold's scope are then left out."""
    data = yaml.safe_load(gold_file.read_text(encoding="utf-8"))
    table = nbs.national_roster()
    scopes = report_scopes(table, data)
    if not scopes:
        return f"{gold_file.stem}: 范围中无可识别的县或市 / no county or city of the scope is in the roster"
    roster = write_scope_roster(table, scopes, workdir / f"{gold_file.stem}.roster.csv")
    draft = workdir / f"{gold_file.stem}.xlsx"
    try:
        extraction, refused = extract_draft([report_text(text_file, workdir)], draft, roster=roster if told_scope
                                            else None, accept_above=0).extraction, []
    except InputError as refusal:  # extract refuses the text (its places lie in several counties): nothing drafted
        extraction, refused = SimpleNamespace(proposals=[], entities=[]), [str(refusal).splitlines()[0]]
    # rows a planner would have to fix are left out
    loaded = load_sources([roster, draft] if not refused else [roster], keep_valid=True)
    graph = loaded.graph
    # LOCATED_IN rows the draft infers (推断: from a name, from the forming town) are not scored: the gold lists
    # LOCATED_IN only where the text says where something is (CORPUS.md)
    guessed = [(p.type, _end_key(p.source), _end_key(p.target)) for p in extraction.proposals
               if p.type == "LOCATED_IN" and p.inferred]
    result, inferred = set_apart(score(graph, read_gold(data), draft.name), guessed, graph)
    implied = [(p.type, _end_key(p.source), _end_key(p.target)) for p in extraction.proposals if p.rule.endswith(":name")]
    confidence = {e.place.id: PLACE_CONFIDENCE.get(e.status, 0.5) for e in extraction.entities if e.place is not None}
    return ReportResult(gold_file.stem, "、".join(f"{s.name} {s.code}" for s in scopes), result, words_only(result, implied, graph),
                        place_resolution(result, graph, confidence), graph, refused + [p.message for p in loaded.left_out],
                        tie_rows(extraction.proposals, result, graph, calibration or read_calibration()), inferred,
                        (str(data.get("script", "")), *(str(f) for f in data.get("form") or ())))


def tie_rows(proposals, result: Score, graph, calibration: Calibration) -> list[TieRow]:
    """Each drafted tie with its group, hand-set and calibrated confidence, and whether it was right."""
    keys = [(p.type, _end_key(p.source), _end_key(p.target)) for p in proposals]
    right = drafted_right(result, keys, graph, default_lexicon().symmetric_ties)
    return [TieRow(family(p.rule), stratum(p), p.confidence, calibration.confidence(p), ok)
            for p, ok in zip(proposals, right)]


def _end_key(entity) -> str:
    return entity.place.id if entity.place is not None else entity.name


def real_reports(gold_dir: Path, reports: Path, split: str) -> list[tuple[Path, Path]]:
    """The gold files of the split with the path of their text (which may not exist)."""
    pairs = []
    for gold_file in sorted(gold_dir.glob("*.yaml")):
        gold_split = str(yaml.safe_load(gold_file.read_text(encoding="utf-8")).get("split", ""))
        if split in ("all", gold_split):
            pairs.append((gold_file, reports / gold_split / f"{gold_file.stem}.txt"))
    return pairs


def _figures(result: Score) -> list[str]:
    gold, found, matched = result.counts
    return [str(gold), str(found), str(matched), f"{result.precision:.2f}", f"{result.recall:.2f}"]


def real_tables(results: list[ReportResult]) -> list[tuple[str, list[str], list[list[str]]]]:
    """``(title, header, rows)`` of the per-report, overall and per-kind tables."""
    head = ["gold", "found", "matched", "precision", "recall"]
    reports = [[r.id, r.scope, *_figures(r.result), *_figures(r.words), f"{r.places.right}/{r.places.ends}",
                str(r.places.other_town), str(len(r.left_out))] for r in results]
    everything, words = combine(r.result for r in results), combine(r.words for r in results)
    places = sum((r.places for r in results), Resolution())
    overall = [["all ties 全部", *_figures(everything)], ["stated in words 文字明述", *_figures(words)]]
    kinds = by_kind(everything)
    words_by_kind = by_kind(words)
    per_kind = [[kind, *_figures(kinds[kind]), *_figures(words_by_kind.get(kind, Score()))] for kind in kinds]
    groups = sorted({g for r in results for g in r.groups if g})
    per_group = [[group, str(sum(group in r.groups for r in results)),
                  *_figures(combine(r.result for r in results if group in r.groups)),
                  *_figures(combine(r.words for r in results if group in r.groups))] for group in groups]
    return [
        ("per report 按报道", ["report", "scope", *head, *(f"{h} (words)" for h in head), "places right",
                              "other town ≥0.8", "rows left out"], reports),
        ("overall 总计", ["ties", *head], overall),
        ("place resolution 地名解析", ["village/town ends", "right", "share", "other town ≥0.8"],
         [[str(places.ends), str(places.right), f"{places.share:.2f}", str(places.other_town)]]),
        ("per kind 按关系类型", ["kind", *head, *(f"{h} (words)" for h in head)], per_kind),
        ("per script and form 按文字与形式", ["script or form", "reports", *head, *(f"{h} (words)" for h in head)],
         per_group),
    ]


def print_tables(tables, markdown: bool) -> None:
    for title, header, rows in tables:
        print(f"\n### {title}\n" if markdown else f"\n{title}")
        if markdown:
            print("| " + " | ".join(header) + " |")
            print("|" + "|".join("---" for _ in header) + "|")
            for row in rows:
                print("| " + " | ".join(row) + " |")
            continue
        widths = [max(_width(c) for c in column) for column in zip(header, *rows)]
        for row in [header, *rows]:
            print("  ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths)).rstrip())


def _width(text: str) -> int:
    """Columns a text takes in a terminal (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


BANDS = (("≥ 0.8", 0.8, 1.01), ("0.5–0.8", 0.5, 0.8), ("< 0.5", 0.0, 0.5))


def reliability(rows: list[TieRow]) -> list[list[str]]:
    """Per confidence band, the drafted ties at the calibrated confidence and at the hand-set one, and the
    share of them right."""
    table = []
    for label, low, high in BANDS:
        cells = [label]
        for value in (lambda r: r.confidence, lambda r: r.hand_set):
            band = [r for r in rows if low <= value(r) < high]
            right = sum(r.right for r in band)
            cells += [str(len(band)), str(right), f"{right / len(band):.2f}" if band else "—"]
        table.append(cells)
    return table


def calibration_rows(calibration: Calibration) -> list[list[str]]:
    return [[name, group, str(g["drafted"]), str(g["right"]), f"{g['hand_set']:.2f}", f"{g['confidence']:.2f}"]
            for name, groups in calibration.groups.items() for group, g in groups.items()]


def _commit() -> str:
    """The commit the repository is at, ``+uncommitted`` when its files differ from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout.strip()
    return git("rev-parse", "HEAD") + ("+uncommitted" if git("status", "--porcelain", "--untracked-files=no") else "")


def calibrate(results: list[ReportResult], argv: list[str], path: Path, split: str) -> Calibration:
    """Fit the calibration on the drafted ties of ``results`` and write it to ``path``."""
    fitted = {"command": "python scripts/evaluate_extraction.py " + " ".join(argv),
              "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"), "commit": _commit(), "split": split,
              "reports": len(results), "prior_strength": PRIOR_STRENGTH, "quantile": QUANTILE}
    rows = [(r.family, r.stratum, r.hand_set, r.right) for result in results for r in result.rows]
    calibration = Calibration(fit(rows), fitted)
    print(f"calibration 置信度校准 written to {write_calibration(calibration, path)}")
    return calibration


def fold_of(report_id: str, folds: int) -> int:
    """The fold of a report of the third collection: ``int(sha1(id)[:8], 16) % folds``."""
    return int(hashlib.sha1(report_id.encode()).hexdigest()[:8], 16) % folds


def use_fold_model(models: Path, report_id: str) -> None:
    """Score the report with the tie model of its fold (``models/ties<k>.crfsuite``), which was trained
    without it (``scripts/train_extract_models.py --folds K``)."""
    folds = len(list(models.glob("ties[0-9]*.crfsuite")))
    os.environ[learned.TIES_MODEL_ENV] = str(models / f"ties{fold_of(report_id, folds)}.crfsuite")
    learned.ties_tagger.cache_clear()


def main_real(args) -> int:
    """The real-report mode: every gold file of the split whose text is at hand."""
    results, skipped = [], []
    shipped = read_calibration(args.calibration)
    with tempfile.TemporaryDirectory() as tmp:
        pairs = [pair for gold_dir in args.real for pair in real_reports(Path(gold_dir), Path(args.reports), args.split)]
        for gold_file, text_file in pairs:
            if not text_file.is_file():
                skipped.append(f"{gold_file.stem}: 无文本 / no text at {text_file}")
                continue
            if args.fold_models:
                use_fold_model(Path(args.fold_models), gold_file.stem)
            outcome = evaluate_real(gold_file, text_file, Path(tmp), shipped, told_scope=not args.no_scope)
            (skipped if isinstance(outcome, str) else results).append(outcome)
    print(f"split {args.split}: {len(results)} reports scored, {len(skipped)} skipped")
    print_tables(real_tables(results), args.markdown)
    print(f"\ninferred LOCATED_IN rows set apart, not scored 推断的所在地关系（不计分）: {sum(r.inferred for r in results)}")
    if args.calibrate:
        calibration = calibrate(results, args.argv, Path(args.calibration), args.split)
        for result in results:  # the figures below at the confidence just fitted
            result.rows = [replace(r, confidence=calibration.value(r.family, r.stratum, r.hand_set)) for r in result.rows]
        print_tables([(f"calibration 校准 (groups of the {args.split} reports)",
                       ["family", "stratum", "drafted", "right", "hand-set", "calibrated"], calibration_rows(calibration))],
                     args.markdown)
    if args.reliability:
        head = ["rows", "right", "share"]
        print_tables([("reliability 置信度可靠性 (drafted ties)", ["band", *(f"{h} (calibrated)" for h in head),
                                                              *(f"{h} (hand-set)" for h in head)],
                       reliability([row for r in results for row in r.rows]))], args.markdown)
    for line in skipped:
        print(f"  skipped 跳过 {line}")
    if not args.quiet:
        for r in results:
            for tie in r.result.missed:
                print(f"  {r.id}: missed 漏提 {tie.label} ({tie.stated})")
            for tie in r.result.extra:
                print(f"  {r.id}: extra 多提 {describe(tie, r.graph)}")
            for message in r.left_out:
                print(f"  {r.id}: left out 未载入 {message}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="print the figures only")
    parser.add_argument("--real", metavar="GOLD_DIR", nargs="+", help="score the real reports of the gold files in these folders")
    parser.add_argument("--reports", metavar="TEXT_DIR", help="where the real reports' texts are (<split>/<id>.txt)")
    parser.add_argument("--split", choices=("dev", "heldout", "train", "all"), default="dev",
                        help="which half (default dev), or train: the third collection (evaluation/train)")
    parser.add_argument("--fold-models", metavar="DIR",
                        help="score each report with the tie model of its fold, trained without it "
                             "(scripts/train_extract_models.py --folds K --out-dir DIR)")
    parser.add_argument("--no-scope", action="store_true",
                        help="draft without telling the report's county: found from its text (linkgraph extract without "
                             "--county), scored against the gold's scope")
    parser.add_argument("--markdown", action="store_true", help="print the tables as Markdown (for EVALUATION.md)")
    parser.add_argument("--calibrate", action="store_true",
                        help="fit the confidence of drafted ties and write loaders/extract/calibration.yaml (with "
                             "--real and --split train: reports no rule was written from, each scored out of fold)")
    parser.add_argument("--reliability", action="store_true",
                        help="print how many drafted ties each confidence band holds and the share right")
    parser.add_argument("--calibration", metavar="FILE", default=str(DEFAULT_FILE),
                        help="the calibration --calibrate writes and --reliability reads (default the shipped one)")
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    if args.calibrate and args.split not in ("dev", "train"):
        parser.error("--calibrate 不用留出集 / --calibrate never fits on the held-out half (--split train or dev)")
    if args.real:
        if not args.reports:
            parser.error("--real needs --reports / --real 需要 --reports")
        return main_real(args)
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'text':34} {'expected':>8} {'found':>6} {'matched':>7} {'precision':>9} {'recall':>6}")
        details = []
        for expected_file in sorted(DATA.glob("*.expected.yaml")):
            name, result, graph = evaluate(expected_file, Path(tmp))
            found = len(result.matched) + len(result.extra)
            expected = len(result.matched) + len(result.missed)
            print(f"{name:34} {expected:8} {found:6} {len(result.matched):7} {result.precision:9.2f} {result.recall:6.2f}")
            details.append((name, result, graph))
        if not args.quiet:
            for name, result, graph in details:
                for tie in result.missed:
                    print(f"  {name}: missed 漏提 {tie.label}")
                for tie in result.extra:
                    print(f"  {name}: extra 多提 {describe(tie, graph)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
