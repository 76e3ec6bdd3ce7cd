"""The confidence of a drafted tie, calibrated on the development half of the real-report corpus.

A tie's hand-set confidence (``cues.yaml``, lowered for an end found in an
earlier sentence or not resolved in the roster) says how sure a rule's author
was; the calibrated one says how often the rule's ties were right. Each tie
belongs to a *group*: its rule's family (the tie kind of a cue rule,
``MEMBER_OF``; the name rule, ``PARTY_ORG_OF:name``) and its *stratum*
(``earlier``: an end taken from an earlier sentence; ``unresolved``: an end
is a place the roster did not resolve or only a candidate; else whether the
trained tie model of :mod:`loaders.extract.learned` agrees with the tie,
``agreed`` or ``doubted``, or ``same`` where it did not weigh it). :func:`fit` turns, for each group, the count of
drafted ties and of those that matched a gold tie into the posterior of
a Beta prior centred on the group's mean hand-set confidence, worth
:data:`PRIOR_STRENGTH` ties: a group of few ties stays near its hand-set value,
a group of many gets its share right. The value kept is a low quantile of that
posterior (:data:`QUANTILE`, :func:`beta_lower`), not its mean: the rules were
written on the same reports, and a group's ties are right less often on new ones
(issue 20: 0.90 of the development half's ties of confidence ≥ 0.8 were right, 0.61
held out, with the mean). The table is data
(``calibration.yaml``, written by ``scripts/evaluate_extraction.py
--calibrate``); :meth:`Calibration.confidence` gives a proposal its group's
value, or its hand-set confidence when the table has no such group (a rule
added after the fit).

>>> fit([("GUIDES", "same", 0.7, True), ("GUIDES", "same", 0.7, False)], strength=2, quantile=None)["GUIDES"]["same"]
{'drafted': 2, 'right': 1, 'hand_set': 0.7, 'confidence': 0.6}
>>> fit([("GUIDES", "same", 0.7, True), ("GUIDES", "same", 0.7, False)], strength=2)["GUIDES"]["same"]["confidence"]
0.4
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

from loaders.extract.ties import Proposal

PRIOR_STRENGTH = 4.0
"""How many ties the hand-set confidence counts for in a group's calibrated value."""
QUANTILE = 0.2
"""Which quantile of a group's posterior share right is its calibrated value (:func:`beta_lower`)."""
DEFAULT_FILE = Path(__file__).with_name("calibration.yaml")
STRATA = ("same", "agreed", "doubted", "earlier", "unresolved")
AGREED = 0.5
"""From this probability the trained tie model agrees with a rule's tie (the likelier of yes and no)."""


def family(rule: str) -> str:
    """The family of a rule: the tie kind of a cue rule (``MEMBER_OF:组建`` → ``MEMBER_OF``), a name rule and a
    tie of the trained model whole (``PARTY_ORG_OF:name``, ``SERVES:learned``): cue words are too many, and each
    too rare, to be measured alone."""
    kind, _, how = rule.partition(":")
    return rule if how in ("name", "learned") else kind


def stratum(proposal: Proposal) -> str:
    """``unresolved`` when an end is a place the roster did not resolve (or only a candidate), ``earlier`` when
    an end came from an earlier sentence; else, by the trained tie model's probability of the tie in a
    sentence naming both ends (:attr:`~loaders.extract.ties.Proposal.model`), ``agreed`` (at least
    :data:`AGREED`) or ``doubted``, and ``same`` when the model did not weigh it (no model, or the two names
    too far apart)."""
    if any(end.status in ("candidate", "unresolved") for end in (proposal.source, proposal.target)):
        return "unresolved"
    if proposal.earlier:
        return "earlier"
    if proposal.model is None:
        return "same"
    return "agreed" if proposal.model >= AGREED else "doubted"


def beta_mean(right: int, drafted: int, prior: float, strength: float = PRIOR_STRENGTH) -> float:
    """The posterior mean share right of ``drafted`` ties of which ``right`` were right, under a Beta prior of
    mean ``prior`` worth ``strength`` ties: ``(right + strength·prior) / (drafted + strength)``."""
    return (right + strength * prior) / (drafted + strength)


def beta_lower(right: int, drafted: int, prior: float, strength: float = PRIOR_STRENGTH,
               quantile: float = QUANTILE) -> float:
    """The ``quantile`` of the posterior share right (the Beta distribution whose mean is :func:`beta_mean`): the
    share a group's ties are right at least, with probability ``1 - quantile``. A group's ties on new reports
    are right less often than on the reports its rules were written from; a lower quantile than the mean puts
    a group at 0.8 only when its figures leave little doubt (16 of 18 right: 0.78, not the mean 0.84)."""
    from scipy import stats  # imported when fitting (a second of CPU), not by every draft that reads the table

    wrong = drafted - right
    return float(stats.beta.ppf(quantile, right + strength * prior, wrong + strength * (1 - prior)))


def fit(rows: Iterable[tuple[str, str, float, bool]], strength: float = PRIOR_STRENGTH,
        quantile: float = QUANTILE) -> dict[str, dict[str, dict]]:
    """The calibration table of labelled ties ``(family, stratum, hand-set confidence, right)``; pure.

    ``{family: {stratum: {drafted, right, hand_set, confidence}}}``, ``hand_set`` the group's mean hand-set
    confidence, ``confidence`` :func:`beta_lower` of the group (:func:`beta_mean` with ``quantile`` 0.5 or
    None), both to two decimals."""
    groups: dict[tuple[str, str], list[tuple[float, bool]]] = {}
    for rule_family, group_stratum, hand_set, right in rows:
        groups.setdefault((rule_family, group_stratum), []).append((hand_set, right))
    table: dict[str, dict[str, dict]] = {}
    for (rule_family, group_stratum), labelled in sorted(groups.items()):
        drafted, right = len(labelled), sum(r for _, r in labelled)
        prior = sum(h for h, _ in labelled) / drafted
        table.setdefault(rule_family, {})[group_stratum] = {
            "drafted": drafted, "right": right, "hand_set": round(prior, 2),
            "confidence": round(beta_mean(right, drafted, prior, strength) if quantile is None
                                else beta_lower(right, drafted, prior, strength, quantile), 2)}
    return table


@dataclass
class Calibration:
    """A calibration table (:func:`fit`) and how it was made (command, date, commit, split)."""

    groups: dict[str, dict[str, dict]] = field(default_factory=dict)
    fitted: dict[str, Any] = field(default_factory=dict)

    def confidence(self, proposal: Proposal) -> float:
        """The calibrated confidence of a proposal's group, else its hand-set confidence."""
        return self.value(family(proposal.rule), stratum(proposal), proposal.confidence)

    def value(self, rule_family: str, group_stratum: str, hand_set: float) -> float:
        """The calibrated confidence of a group, else ``hand_set``."""
        group = self.groups.get(rule_family, {}).get(group_stratum)
        return float(group["confidence"]) if group else hand_set

    @classmethod
    def of(cls, data: dict[str, Any] | None) -> "Calibration":
        """The calibration of a ``calibration.yaml`` document (empty for none)."""
        data = data or {}
        return cls(dict(data.get("groups") or {}), dict(data.get("fitted") or {}))

    def document(self) -> dict[str, Any]:
        return {"fitted": self.fitted, "groups": self.groups}


def read_calibration(path: str | Path = DEFAULT_FILE) -> Calibration:
    """The calibration in ``path``; an empty one (hand-set confidences kept) when there is no such file."""
    path = Path(path)
    if not path.is_file():
        return Calibration()
    return Calibration.of(yaml.safe_load(path.read_text(encoding="utf-8")))


HEADER = ("# The calibrated confidence of drafted ties (loaders/extract/calibration.py), fitted on real reports\n"
          "# (`fitted: split`); regenerate it, never edit it by hand:\n#   {command}\n")


def write_calibration(calibration: Calibration, path: str | Path = DEFAULT_FILE) -> Path:
    """Write ``calibration`` as YAML to ``path`` (the command that made it in a comment at the top)."""
    path = Path(path)
    text = yaml.safe_dump(calibration.document(), allow_unicode=True, sort_keys=False, width=200)
    path.write_text(HEADER.format(command=calibration.fitted.get("command", "")) + text, encoding="utf-8")
    return path
