"""Drafting ties from published reports: ``linkgraph extract FILES… --out draft.xlsx``.

County organization departments and local media publish many reports of who
formed which joint party committee with which villages, which enterprise was
brought in, which office is paired with which village. This package turns
such texts into a *draft* for a planner to review, never into graph data
directly:

1. :mod:`~loaders.extract.document` reads ``.txt``, ``.html`` (saved from a
   browser: text, title and publication date from the page) and ``.docx``;
2. :mod:`~loaders.extract.clean` repairs GBK mojibake, removes pinyin glosses
   and keeps a Simplified twin of the text for matching, the original for
   quotes; splits sentences;
3. :mod:`~loaders.extract.mentions` finds places (through the roster and the
   shared name matcher), organizations (suffix rules), aliases, groups,
   industries and figures;
4. :mod:`~loaders.extract.ties` proposes ties from cue words;
5. :mod:`~loaders.extract.draft` writes the draft workbook in linkgraph's own
   table format with review columns (采纳, 置信度, 候选), which
   ``linkgraph load`` reads, loading the accepted rows only.

The rules are data: ``mentions.yaml`` and ``cues.yaml`` beside this file
(:mod:`~loaders.extract.lexicon`). Everything here is pure apart from
:func:`~loaders.extract.document.read_document` and
:func:`~loaders.extract.draft.write_draft`.

>>> from graph_model.schema import default_schema
>>> from loaders.roster import load_roster
>>> from loaders.extract.document import parse_text
>>> roster = load_roster("examples/jia_county/nbs_roster_610828.csv", default_schema()).nodes.values()
>>> found = extract([parse_text("佳县县委办公室是通镇高家塄村的帮扶单位。", "a.txt")], roster)
>>> [(p.type, p.source.name, p.target.name) for p in found.proposals]
[('PAIRED_ASSISTANCE', '佳县县委办公室', '高家塄村'), ('LOCATED_IN', '佳县县委办公室', '佳县')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from graph_model.records import Node
from graph_model.schema import Schema, default_schema
from loaders.extract.clean import CleanText, Repair, repair_mojibake, sentence_spans
from loaders.extract.document import Document
from loaders.extract.lexicon import Lexicon, default_lexicon
from loaders.extract.mentions import Entity, MentionFinder, PlaceFinder, Registry, Sentence, towns_named
from loaders.extract.ties import Proposal, TieFinder
from loaders.reconcile import RosterIndex

MAX_HEADING = 30
LOOKBACK = 8
"""How many earlier sentences of a paragraph a tie may take an end or a year from (the nearest that has one):
bounded, so that a paragraph of thousands of sentences costs its length, not its square."""
_NUMBERED_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）])")
_LIST_ITEM = re.compile(r"^(?:\d+[、.．)）]|[（(]\d+[)）])|——|：")


@dataclass
class Extraction:
    """What the reports name and the ties proposed, with each report's sentences and mojibake repairs."""

    documents: list[Document]
    entities: list[Entity]
    proposals: list[Proposal]
    sentences: list[list[Sentence]] = field(default_factory=list)
    repairs: list[list[Repair]] = field(default_factory=list)


def is_heading(paragraph: str) -> bool:
    """A short line without a full stop (``“四聯”發展 實現村村聯合``) or a numbered title (``一、…``) is a
    heading; an item of a list (``1. 佳县交通运输局——坑镇官道峁村``) is not."""
    text = paragraph.strip()
    if _LIST_ITEM.search(text):
        return False
    if len(text) <= MAX_HEADING and not re.search(r"[。！？!?；;]", text):
        return True
    return bool(_NUMBERED_HEADING.match(text)) and len(text) <= MAX_HEADING


def report_keys(documents: Iterable[Document]) -> list[str]:
    """The key form (Simplified, folded: :class:`~loaders.extract.clean.CleanText`) of every paragraph of the
    reports, for finding which counties they are about (:mod:`loaders.extract.scope`)."""
    return [CleanText.of(paragraph).key for document in documents for paragraph in document.paragraphs]


def extract(documents: Iterable[Document], roster: Iterable[Node], schema: Schema | None = None,
            lexicon: Lexicon | None = None, *, rosters: Sequence[Iterable[Node]] | None = None,
            pairs: list | None = None) -> Extraction:
    """Read every document in order and propose the ties they state; pure.

    ``roster`` gives the administrative units places are resolved against
    (a county's roster, or a scope of the national one); ``rosters``, one per
    document, gives each report its own (reports of different counties: a
    phrase of one, 破解村级, must not resolve to a village 解村 of another's county). ``pairs``, when a list,
    collects every candidate pair of names of a sentence with its features instead of the trained tie model's
    ties (``scripts/train_extract_models.py``).
    """
    schema = schema or default_schema()
    lexicon = lexicon or default_lexicon()
    registry = Registry(lexicon)
    documents = list(documents)
    finders: dict[int, PlaceFinder] = {}  # by the roster's identity: reports of one county share its index
    ties = TieFinder(lexicon, schema, registry)
    ties.pair_log = pairs
    result = Extraction(documents, registry.entities, [])
    for number, document in enumerate(documents):
        units = roster if rosters is None else rosters[number]
        places = finders.get(id(units)) or finders.setdefault(id(units), PlaceFinder(RosterIndex(units)))
        finder = MentionFinder(lexicon, registry, places, schema)
        ties.document = registry.document = number
        ties.section = 0
        sentences: list[Sentence] = []
        repairs: list[Repair] = []
        section = 0
        repaired = [repair_mojibake(paragraph) for paragraph in document.paragraphs]
        texts = [CleanText.of(paragraph) for paragraph, _ in repaired]
        finder.report_towns = towns_named(places, (text.key for text in texts))  # before any sentence is read
        for index, ((_, fixed), text) in enumerate(zip(repaired, texts)):
            repairs += fixed
            heading = is_heading(text.quote)
            if heading:
                section += 1
                finder.new_section()
                ties.section = section
            finder.new_paragraph()
            in_paragraph: list[Sentence] = []
            for start, end in sentence_spans(text.quote):
                sentence = finder.read(Sentence(text[start:end], index, section, heading))
                ties.read(sentence, in_paragraph[-LOOKBACK:])
                in_paragraph.append(sentence)
            sentences += in_paragraph
        result.sentences.append(sentences)
        result.repairs.append(repairs)
    ties.from_names(registry.entities)
    result.proposals = list(ties.proposals.values())
    return result
