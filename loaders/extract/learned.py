"""A trained model of ties between two names of a sentence (issue 20): what the rules of ``cues.yaml`` miss, and
how far a rule's tie is to be trusted, learned from reports no rule was written from.

The cue rules tie two names by the words between them; a report from another province tells a tie in words
no rule holds, and a rule's tie that reads well on the reports its rules came from is often wrong on new
ones. This module scores every pair of names of one sentence at most :data:`MAX_GAP` apart whose kinds some
tie kind allows: its class is a tie kind and direction (``SERVES>``: the earlier name serves the later) or
``NONE``. The model is a maximum-entropy classifier (CRFsuite's L-BFGS on one-item sequences, through
python-crfsuite: maintained, wheel-packaged, its model a file of this package, ``ties.crfsuite``, so nothing
is downloaded), trained by ``scripts/train_extract_models.py`` on the third collection of real reports
(``evaluation/train``: ties written by hand, the texts outside the repository). Its features are the two
names' kinds, the characters between and around them, their distance, the names between and the ties the
rules proposed between the two; nothing of a report's names is written here.

:class:`~loaders.extract.ties.TieFinder` uses it twice: a pair the model gives a tie kind of the categories
``cues.yaml`` names (``learned``) that no rule proposed becomes a proposal of rule ``KIND:learned``; and each
rule's proposal keeps the model's probability for it (:attr:`~loaders.extract.ties.Proposal.model`), which the
calibration reads (:func:`~loaders.extract.calibration.stratum`): on reports no rule was written from, a rule's
tie the model agrees with was right far more often than one it doubts.

>>> pair_label("SERVES", True)
'SERVES>'
"""

from __future__ import annotations

import functools
import os
from importlib import resources
from pathlib import Path
from typing import Iterable

from graph_model.records import InputError, Problem


def open_tagger(path: str):
    """A CRFsuite tagger of the model file ``path``."""
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(path)
    return tagger


TIES_MODEL = "ties.crfsuite"
TIES_MODEL_ENV = "LINKGRAPH_TIES_MODEL"
NONE = "NONE"
MAX_GAP = 60
"""Two names further apart in a sentence than this are never a candidate pair (a tie is told close by)."""
_GAP_EDGE = 12  # a long gap is read by its two edges, each this long: the words next to the names carry the tie
_DISTANCES = (0, 1, 3, 8, 16, 32)


def pair_label(kind: str, left_is_source: bool) -> str:
    """The class of a pair: its tie kind and direction (``>``: the earlier name is the source), or ``NONE``.

    >>> pair_label("PAIRED_ASSISTANCE", True), pair_label("ENGAGED_IN", False)
    ('PAIRED_ASSISTANCE>', 'ENGAGED_IN<')
    """
    return f"{kind}{'>' if left_is_source else '<'}"


def pair_features(key: str, left: tuple[int, int, str], right: tuple[int, int, str], between: int,
                  rules: Iterable[str]) -> list[str]:
    """The features of two names of one sentence's key form (``(start, end, kind)``, ``left`` first): their kinds,
    the characters between them (both edges of a long gap), two before and after, the distance, how many names
    stand between, and the ties the rules proposed between the two (``rules``: their classes).

    >>> f = pair_features("甲局帮扶乙村", (0, 2, "AssistanceUnit"), (4, 6, "Village"), 0, [])
    >>> [x for x in f if x.startswith(("pair=", "g2=", "d<="))]
    ['pair=AssistanceUnit|Village', 'd<=3', 'g2=帮扶']
    """
    lk, rk = left[2], right[2]
    gap = key[left[1]:right[0]]
    if len(gap) > 2 * _GAP_EDGE:
        gap = gap[:_GAP_EDGE] + "…" + gap[-_GAP_EDGE:]
    distance = right[0] - left[1]
    features = [f"lk={lk}", f"rk={rk}", f"pair={lk}|{rk}",
                f"d<={next((d for d in _DISTANCES if distance <= d), 'far')}",
                f"between={min(between, 3)}"]
    features += sorted({f"g1={c}" for c in gap})
    grams = {gap[i:i + 2] for i in range(len(gap) - 1) if "…" not in gap[i:i + 2]}
    features += sorted(f"g2={g}" for g in grams)
    features += [f"pg2={lk}|{rk}|{g}" for g in sorted(grams)]
    if gap:
        features += [f"first={gap[:2]}", f"last={gap[-2:]}"]
    features += [f"before={key[max(left[0] - 2, 0):left[0]]}", f"after={key[right[1]:right[1] + 2]}"]
    features += [f"rule={r}" for r in sorted(set(rules))] or ["rule=none"]
    return features


@functools.lru_cache(maxsize=1)
def ties_tagger():
    """The tie model this package ships (``$LINKGRAPH_TIES_MODEL``: another file, or ``none``), opened once."""
    chosen = os.environ.get(TIES_MODEL_ENV, "")
    if chosen == "none":
        return None
    if chosen and not Path(chosen).is_file():
        raise InputError([Problem(None, f"{TIES_MODEL_ENV}: 无此模型文件 / no such model file: {chosen}",
                                  "none 只用规则 / none for the rules alone")])
    model = Path(chosen) if chosen else resources.files("loaders.extract").joinpath(TIES_MODEL)
    return open_tagger(str(model)) if model.is_file() else None


def pair_probabilities(features: list[str]) -> dict[str, float]:
    """The probability of each class of a pair under the tie model (``{NONE: 1.0}`` without a model)."""
    tagger = ties_tagger()
    if tagger is None:
        return {NONE: 1.0}
    tagger.set([features])
    return {label: tagger.marginal(label, 0) for label in tagger.labels()}
