#!/usr/bin/env python3
"""Train the tie model of ``linkgraph extract`` (:mod:`loaders.extract.learned`) on the third collection.

Each annotation ``GOLD/<id>.yaml`` (``evaluation/train``: written by hand, facts only) lists the ties its report
states (as the gold of ``evaluation/real``) and the names it states (``entities``: the text as written and its
type); the report's text is ``REPORTS/train/<id>.txt`` outside the repository (first line the title, second
the URL). Each report is extracted with the roster of its scope, as ``scripts/evaluate_extraction.py``
drafts it, and every candidate pair of names of a sentence (:meth:`loaders.extract.ties.TieFinder.learned`)
is labelled with the gold tie between the two, in its direction, or ``NONE``; a maximum-entropy classifier
(CRFsuite on one-item sequences) is trained on them and written to ``loaders/extract/ties.crfsuite``:

    .venv/bin/python scripts/train_extract_models.py --reports /work/reports
    .venv/bin/python scripts/train_extract_models.py --reports /work/reports --folds 4 --out-dir /tmp/folds

``--folds K`` instead trains K models, each without one fold of the reports (``sha1(id)``), for measuring
and calibrating out of fold (``evaluate_extraction.py --split train --fold-models DIR``). Only the third
collection is read: the development and held-out halves of ``evaluation/real`` measure the model and are
never trained on.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from evaluate_extraction import fold_of, report_scopes, report_text, write_scope_roster  # noqa: E402
from graph_model.names import match_key  # noqa: E402
from graph_model.schema import default_schema  # noqa: E402
from linkgraph.pipeline import roster_units  # noqa: E402
from loaders import nbs  # noqa: E402
from loaders.extract import extract  # noqa: E402
from loaders.extract import learned  # noqa: E402
from loaders.extract.document import read_document  # noqa: E402

PARAMS = {"c1": 0.1, "c2": 0.01, "max_iterations": 200}  # L1 keeps few features, L2 keeps weights small


def reports(gold: Path, texts: Path) -> list[tuple[Path, Path, dict]]:
    """The annotated reports that have a text."""
    found = []
    for gold_file in sorted(gold.glob("*.yaml")):
        text_file = texts / "train" / f"{gold_file.stem}.txt"
        if text_file.exists():
            found.append((gold_file, text_file, yaml.safe_load(gold_file.read_text(encoding="utf-8"))))
    return found


def _keys(entity) -> set[str]:
    names = {entity.name, *entity.spellings, *entity.surfaces}
    if entity.place is not None:
        names.add(entity.place.name)
    return {match_key(n) for n in names if n}


def gold_classes(data: dict) -> dict[tuple[str, str], str]:
    """The gold ties of a report by the keys of their two ends: ``(from, to)`` → kind."""
    found = {}
    for tie in data.get("ties") or ():
        ends = [match_key(str(tie[side]).rpartition("/")[2]) for side in ("from", "to")]
        found[tuple(ends)] = str(tie["kind"])
    return found


def pair_class(left, right, gold: dict[tuple[str, str], str]) -> str:
    """The class of a candidate pair under the gold: the kind of a gold tie between the two and its direction."""
    for one in _keys(left):
        for other in _keys(right):
            if (one, other) in gold:
                return learned.pair_label(gold[(one, other)], True)
            if (other, one) in gold:
                return learned.pair_label(gold[(other, one)], False)
    return learned.NONE


def tie_rows(annotated, workdir: Path) -> list[tuple[list[str], str]]:
    """``(features, class)`` of every candidate pair of the reports, extracted with their scope's roster."""
    table, schema, rows = nbs.national_roster(), default_schema(), []
    for gold_file, text_file, data in annotated:
        scopes = report_scopes(table, data)
        if not scopes:
            continue
        roster = write_scope_roster(table, scopes, workdir / f"{gold_file.stem}.roster.csv")
        pairs: list = []
        extract([read_document(report_text(text_file, workdir))], roster_units(schema, roster=roster), pairs=pairs)
        gold = gold_classes(data)
        rows += [(features, pair_class(left, right, gold)) for left, right, features in pairs]
    return rows


def train(rows: list[tuple[list[str], str]], model: Path) -> None:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for features, label in rows:
        trainer.append([features], [label])
    trainer.set_params(PARAMS)
    trainer.train(str(model))


def train_model(annotated, model: Path, workdir: Path) -> str:
    """Train the tie model on ``annotated`` (the rules' ties as they are, no tie model) and say what it read."""
    os.environ[learned.TIES_MODEL_ENV] = "none"
    learned.ties_tagger.cache_clear()
    pairs = tie_rows(annotated, workdir)
    train(pairs, model)
    return f"{len(annotated)} reports: {len(pairs)} pairs of names, {sum(label != learned.NONE for _, label in pairs)} of them ties"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=REPO / "evaluation" / "train")
    parser.add_argument("--reports", type=Path, required=True)
    parser.add_argument("--out-dir", type=Path, default=REPO / "loaders" / "extract")
    parser.add_argument("--folds", type=int, default=0, help="train K models out of fold instead (measuring)")
    args = parser.parse_args(argv)
    started = time.process_time()
    annotated = reports(args.gold, args.reports)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        if not args.folds:
            line = train_model(annotated, args.out_dir / learned.TIES_MODEL, Path(tmp))
            print(f"训练 trained: {line}", file=sys.stderr)
        for fold in range(args.folds):
            seen = [a for a in annotated if fold_of(a[0].stem, args.folds) != fold]
            line = train_model(seen, args.out_dir / f"ties{fold}.crfsuite", Path(tmp))
            print(f"fold {fold} 训练 trained: {line}", file=sys.stderr)
        if args.folds:
            print(f"python scripts/evaluate_extraction.py --real {args.gold} --reports {args.reports} --split train "
                  f"--fold-models {args.out_dir} --quiet", file=sys.stderr)
    print(f"CPU {time.process_time() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
