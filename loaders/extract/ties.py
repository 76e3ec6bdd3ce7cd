"""Proposing ties from the cue words of a sentence (``cues.yaml``), from names, and figures as claims or metrics.

For each cue word (the longest at its place, not inside a name) the two ends
are looked for where the rule says (before, after, any), among the names of
the kinds the schema allows for that end, nearest first or in the rule's
preferred order; the subject may come from an earlier sentence of the same
paragraph (the topic carried over), at a lower confidence. Forming a joint
party organization has its own rule (members, lead, support, claims). Every
proposal keeps its quote (the sentence, verbatim, glosses removed), a
confidence, the rule that made it and the year of its sentence or the one
before.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from graph_model.names import match_key
from graph_model.schema import CLAIM, LEVEL, ROLE, Schema
from loaders.extract.learned import MAX_GAP, NONE, pair_features, pair_label, pair_probabilities, ties_tagger
from loaders.extract.lexicon import Cue, EndSpec, Lexicon
from loaders.extract.mentions import Entity, Figure, Mention, Registry, Sentence, occurrences

PARTY, INDUSTRY = ROLE["party"], ROLE["industry"]
EVIDENCE = CLAIM["evidence"]  # the claim that holds the quote stating a node's other claims

CLAUSE_MARKS = ",，;；:："
_VILLAGE_TOKEN = re.compile(r"[\u3400-\u9fff]{1,6}?(?:村|社区|嘎查)")
FALLBACK_PENALTY = 0.15
UNRESOLVED_PENALTY = 0.2
PICK_ORDER = {"before": ("clause before", "before"), "after": ("clause after", "after"),
              "any": ("clause before", "clause after", "before", "after")}  # where an end is looked for, in turn
LIST_JOINERS = ("、", "和", "与", "及", "以及", ",", "，")  # what stands between two names of one list
NEXT_GAP = 10
PLACES_OF_ORGANIZATIONS = (LEVEL["village"], LEVEL["town"])  # where a place before an organization says it is
LOCATED_ORGANIZATIONS = ("Enterprise", "Cooperative", "Project")  # (村里的某公司); not a party organization  # how far after a cue the name of a ``next`` end may begin (种植“小媳妇”辣椒)
INFERRED = "推断"  # how the note of an inferred row begins (cues.yaml)


@dataclass
class Proposal:
    """A proposed tie: kind, ends, the quote it rests on, a confidence (0–1), the rule, its properties."""

    type: str
    source: Entity
    target: Entity
    quote: str
    confidence: float
    rule: str
    props: dict = field(default_factory=dict)
    document: int = 0
    section: int = 0
    earlier: bool = False  # an end was taken from an earlier sentence (the calibration's stratum)
    model: float | None = None  # the trained tie model's probability of this tie in a sentence naming both ends

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.type, self.source.id, self.target.id)

    @property
    def inferred(self) -> bool:
        """Whether the row is a guess the text does not state (its note begins with 推断: a LOCATED_IN from a
        unit's name, from the town that formed or brought in an organization)."""
        return str(self.props.get("note", "")).startswith(INFERRED)


class TieFinder:
    """Applies ``cues.yaml`` to the sentences of the reports, in order; collects :class:`Proposal` records."""

    def __init__(self, lexicon: Lexicon, schema: Schema, registry: Registry):
        self.lex = lexicon
        self.schema = schema
        self.registry = registry
        # who may serve a village when a 共建 names no party branch: the SERVES sources the schema allows that
        # are organizations of their own (not a party organization: its 共建 is CO_BUILDS)
        serves = schema.tie_kind("SERVES")
        self._serving_units = frozenset(source for source, target in serves.endpoints
                                        if target == LEVEL["village"] and source in schema.organization_kinds
                                        and source != PARTY)
        self.proposals: dict[tuple[str, str, str], Proposal] = {}
        self.document = 0
        self.section = 0
        self._metrics_tie: Proposal | None = None
        self._pending_pairs: list[tuple[Entity, Entity, str, float, int]] = []  # 共建 of a company whose branch comes later
        self._words = sorted({*lexicon.cue_words, *lexicon.formation.words, *lexicon.not_cues}, key=len, reverse=True)
        self._words_by_first: dict[str, list[str]] = {}  # looked up at every position of every sentence
        for word in self._words:
            self._words_by_first.setdefault(word[:1], []).append(word)
        # the latest tie that takes metrics, per (document, section), by its source's id and (None) of any source:
        # the tie a sentence of figures is about is found without reading every tie proposed before it
        self._metric_ties: dict[tuple[int, int], dict[str | None, Proposal]] = {}
        self._pair_kinds: dict[tuple[str, str], bool] = {}
        self._by_quote: dict[str, list[Proposal]] = {}  # the proposals by their quote (:meth:`_quoting`)
        self.pair_log: list | None = None  # when a list: every candidate pair's ends and features (training)

    # ------------------------------------------------------------------ bookkeeping

    def _allowed(self, tie: str, end: int) -> set[str]:
        return {pair[end] for pair in self.schema.tie_kind(tie).endpoints}

    def _cue_allowed(self, cue: Cue, end: int) -> set[str]:
        """The kinds a cue's end may be: those the schema allows, narrowed to the end's ``only`` where it gives
        one (驻村 sends a government body's work team: an assistance unit, not a company named nearby)."""
        allowed, only = self._allowed(cue.tie, end), (cue.source, cue.target)[end].only
        return allowed & set(only) if only else allowed

    def propose(self, tie: str, source: Entity, target: Entity, quote: str, confidence: float, rule: str,
                *, earlier: bool = False, **props) -> Proposal | None:
        if source is target or not self.schema.tie_kind(tie).allows(source.kind, target.kind):
            return None
        for end in (source, target):
            if end.status in ("candidate", "unresolved"):
                confidence -= UNRESOLVED_PENALTY
        props = {k: v for k, v in props.items() if v not in (None, "", {})}
        key = (tie, source.id, target.id)
        known = self.proposals.get(key) or (self.proposals.get((tie, target.id, source.id))
                                            if tie in self.lex.symmetric_ties else None)
        if known is not None:
            known.confidence = max(known.confidence, round(max(confidence, 0.1), 2))
            known.earlier = known.earlier and earlier
            for name, value in props.items():
                if name == "role" and value == "lead" or name not in known.props and name != "start_date":
                    known.props[name] = value
            return known
        proposal = Proposal(tie, source, target, quote.strip(), round(max(confidence, 0.1), 2), rule,
                            props, self.document, self.section, earlier)
        self.proposals[key] = proposal
        self._by_quote.setdefault(proposal.quote, []).append(proposal)
        if self.schema.tie_kind(tie).property("metrics") is not None:
            latest = self._metric_ties.setdefault((self.document, self.section), {})
            latest[source.id] = latest[None] = proposal
        return proposal

    def _year(self, sentence: Sentence, previous: list[Sentence], before: int | None = None) -> str | None:
        years = [y for p, y in sentence.years if before is None or p < before] or [y for _, y in sentence.years]
        if years:
            return years[-1]
        if previous and previous[-1].years:
            return previous[-1].years[-1][1]
        for mention in sentence.mentions:
            after = sentence.text.key[mention.end:mention.end + 4]
            if after.startswith(("成立后", "成立以来", "组建后", "建立后")) and mention.entity.props.get("_formed"):
                return mention.entity.props["_formed"]
        return None

    # ------------------------------------------------------------------ cue words

    def _cues(self, sentence: Sentence) -> list[tuple[int, int, str]]:
        key = sentence.text.key
        found = []
        position = 0
        while position < len(key):
            word = next((w for w in self._words_by_first.get(key[position], ()) if key.startswith(w, position)), None)
            if word is None or any(m.start <= position < m.end and m.entity.kind != INDUSTRY
                                   for m in sentence.mentions if m.how == "name"):
                position += 1
                continue
            titled = _in_title(key, position) and not _agreement(key, position + len(word))
            if word not in self.lex.not_cues and not titled and not _defined(key, position, word):  # 有关领导 is no 领导
                found.append((position, position + len(word), word))
            position += len(word)
        return found

    @staticmethod
    def _clause(key: str, start: int, end: int) -> tuple[int, int]:
        low = max(key.rfind(c, 0, start) for c in CLAUSE_MARKS) + 1
        highs = [key.find(c, end) for c in CLAUSE_MARKS]
        high = min([h for h in highs if h >= 0], default=len(key))
        return low, high

    def _pick(self, spec: EndSpec, allowed: set[str], cue: tuple[int, int], sentence: Sentence,
              previous: list[Sentence], exclude: tuple[Entity, ...] = ()) -> tuple[list[Entity], float]:
        """The entities for one end, and the confidence lost by looking in earlier sentences."""
        low, high = self._clause(sentence.text.key, cue[0], cue[1])
        if spec.next:
            return self._pick_next(allowed, cue[1], high, sentence, exclude), 0.0
        usable = [m for m in _ends(sentence) if m.entity.kind in allowed and m.entity not in exclude]
        pools = _pools(usable, cue, low, high)
        if spec.within == "clause" and not pools["clause after"] and high == cue[1] < len(sentence.text.key):
            # a cue that ends its clause (由坑镇党委牵头，甲村与乙村…) takes its ends after it from the next clause
            following = self._clause(sentence.text.key, high + 1, high + 1)
            pools["clause after"] = [m for m in usable if following[0] <= m.start and m.end <= following[1]]
        for name in PICK_ORDER[spec.side]:
            if pools[name] and (name.startswith("clause") or spec.within != "clause"):  # clause: its clause only
                chosen = self._choose(spec, pools[name], name.rsplit(" ", 1)[-1])
                return (_listed_with(chosen, pools[name], sentence.text.key) if spec.list else chosen), 0.0
        if spec.side != "after" and not spec.within:
            return self._pick_earlier(spec, allowed, previous, exclude)
        return [], 0.0

    @staticmethod
    def _pick_next(allowed: set[str], end: int, high: int, sentence: Sentence, exclude: tuple[Entity, ...]
                   ) -> list[Entity]:
        """The name right after a cue ending at ``end`` in its clause (种植|丝瓜183亩), if of an allowed kind, with
        the names listed right after it (种植|玉米、葫芦: both); else none."""
        after = [m for m in _ends(sentence) if end <= m.start < high]
        if not after or after[0].start - end > NEXT_GAP or after[0].entity.kind not in allowed or after[0].entity in exclude:
            return []
        chosen = [after[0]]
        for mention in after[1:]:
            joined = mention.start == chosen[-1].end + 1 and sentence.text.key[chosen[-1].end] in "、和及与"
            if not joined or mention.entity.kind != chosen[0].entity.kind or mention.entity in exclude:
                break
            chosen.append(mention)
        return list(dict.fromkeys(m.entity for m in chosen))

    def _pick_earlier(self, spec: EndSpec, allowed: set[str], previous: list[Sentence],
                      exclude: tuple[Entity, ...]) -> tuple[list[Entity], float]:
        """An end from the latest earlier sentence that has one, at a cost in confidence; else none."""
        for earlier in reversed(previous):
            pool = [m for m in _ends(earlier) if m.entity.kind in allowed and m.entity not in exclude]
            if pool:
                return self._choose(EndSpec("before", False, spec.prefer), pool, "before"), FALLBACK_PENALTY
        return [], 0.0

    @staticmethod
    def _choose(spec: EndSpec, pool: list[Mention], side: str) -> list[Entity]:
        ordered = pool[::-1] if side == "before" else pool
        if spec.all:
            return list(dict.fromkeys(m.entity for m in pool))
        chosen = next((m for kind in spec.prefer for m in ordered if m.entity.kind == kind), ordered[0])
        # 三村 stands for three villages, one mention each at one span: all of them
        return list(dict.fromkeys(m.entity for m in pool if (m.start, m.end) == (chosen.start, chosen.end)
                                  and m.entity.kind == chosen.entity.kind))

    def _apply_cue(self, cue: Cue, span: tuple[int, int, str], sentence: Sentence, previous: list[Sentence]) -> None:
        """Propose the ties cue ``span`` of ``cue`` makes in ``sentence`` (and the ties they imply)."""
        start, end, word = span
        low, high = self._clause(sentence.text.key, start, end)
        rest = sentence.text.key[end:high]  # the clause after the cue
        if cue.needs and not any(w in rest for w in cue.needs) or any(w in rest for w in cue.unless):
            return
        if any(w in sentence.text.key[low:start] for w in self.lex.negations):  # 至今还没有任何形式的帮扶
            return
        if cue.shape == "serves":
            pairs = self._serving_pairs(cue, start, end, sentence)
        elif cue.shape == "pair":
            pairs = self._paired(cue, start, sentence, previous)
        elif cue.shape == "members":
            pairs = self._listed_members(cue, start, end, sentence, previous)
        else:
            pairs = self._picked_pairs(cue, start, end, sentence, previous)
        props = self._cue_props(cue, start, sentence, previous, end)
        rule = f"{cue.tie}:{word}"
        for source, target, lost in pairs:
            if cue.product == "after":
                product = next((m.entity.name.removesuffix("种植").removesuffix("养殖") for m in sentence.mentions
                                if m.start >= end and m.entity.kind == INDUSTRY), None)
                props["product"] = product
            made = self.propose(cue.tie, source, target, sentence.text.quote, cue.confidence - lost, rule,
                                 earlier=lost > 0, **props)
            if made is not None:
                self._propose_implied(cue, source, target, sentence, word)

    def _serving_pairs(self, cue: Cue, start: int, end: int, sentence: Sentence) -> list[tuple[Entity, Entity, float]]:
        """A ``serves`` cue: every actor before it serves the last target of its clause."""
        sources_allowed, targets_allowed = self._allowed(cue.tie, 0), self._allowed(cue.tie, 1)
        before = [m for m in _ends(sentence) if m.end <= start]
        low, _ = self._clause(sentence.text.key, start, end)
        objects = [m for m in before if m.entity.kind in targets_allowed and m.start >= low]
        if not objects:
            return []
        target = objects[-1].entity
        actors = [m.entity for m in before if m.entity.kind in sources_allowed and m.entity is not target]
        return [(a, target, 0.0) for a in dict.fromkeys(actors)]

    def _paired(self, cue: Cue, start: int, sentence: Sentence,
                previous: list[Sentence]) -> list[tuple[Entity, Entity, float]]:
        """A ``pair`` cue: one side with each of a list (甲村党支部与A党支部、B党支部等签有联建协议), the list
        after the last 与/同/跟 before the cue and the one side before it (or the topic of the sentences
        before); else the last two organizations before the cue. A village, company or unit stands for its
        party organization (the text may name it later: resolved in :meth:`from_names`)."""
        sides = self._pair_sides(start, sentence, previous)
        if sides is None:
            return []
        left, listed, lost = sides
        pairs = []
        for other in dict.fromkeys(listed):
            source, target = self._party_of(left[-1]), self._party_of(other)
            if source is not None and target is not None:
                pairs.append((source, target, lost))
            else:
                self._pending_pairs.append((left[-1], other, sentence.text.quote, cue.confidence - lost - 0.1,
                                            self.document))
        return pairs

    def _pair_sides(self, start: int, sentence: Sentence, previous: list[Sentence]
                    ) -> tuple[list[Entity], list[Entity], float] | None:
        """The one side, the listed others and the confidence lost, of a pair cue at ``start``; None if none."""
        key = sentence.text.key
        ends = [m for m in _ends(sentence) if m.end <= start and m.entity.kind in self.lex.pair_kinds
                and not self.lex.pair_not_after.match(key, m.end)  # 经镇党委研究, 领导参加: not a side
                and not self._visiting(key, m)]
        joiner = self._joiner(start, sentence)
        listed = [m.entity for m in ends if m.start > joiner] if joiner >= 0 else []
        left = [m.entity for m in ends if m.end <= joiner]
        lost = 0.0
        if listed and not left:
            earlier, lost = self._pick_earlier(EndSpec("before", False, (PARTY, LEVEL["village"])),
                                               set(self.lex.pair_kinds), previous, tuple(listed))
            left = earlier
        if not listed or not left:  # no joiner: the last two organizations of the cue's clause (甲党支部、乙党支部共建)
            low, _ = self._clause(key, start, start)
            orgs = list(dict.fromkeys(m.entity for m in ends if m.start >= low))
            if len(orgs) < 2 or self._guides(orgs[-2], orgs[-1]):  # 联村党委坚持镇党委统筹领导…共建: no pair
                return None
            left, listed, lost = [orgs[-2]], [orgs[-1]], 0.0
        return left, listed, lost

    def _joiner(self, start: int, sentence: Sentence) -> int:
        """Where the last joiner (与/同/跟) before ``start`` is that has a name right after it (…与甲村党支部), not
        one inside a word (负责同志先后, 共同); -1 if none."""
        key, begun = sentence.text.key, {m.start for m in sentence.mentions}
        return max((p for w in self.lex.pair_joiners for p in _positions(key, w, start) if p + len(w) in begun),
                   default=-1)

    def _guides(self, one: Entity, other: Entity) -> bool:
        """Whether either of two organizations was proposed to guide the other."""
        return ("GUIDES", one.id, other.id) in self.proposals or ("GUIDES", other.id, one.id) in self.proposals

    def _visiting(self, key: str, mention: Mention) -> bool:
        """Whether a name is among the visitors of its clause (甲党委、乙公司党支部赴某村，开展村企共建)."""
        _, high = self._clause(key, mention.start, mention.end)
        return bool(self.lex.pair_visit.search(key, mention.end, high))

    def _party_of(self, entity: Entity) -> Entity | None:
        """The party organization an end of 共建 stands for: itself, or the one the text names for it."""
        if entity.kind == PARTY:
            return entity
        return next((e for e in self.registry.owned_by(entity) if e.kind == PARTY), None)

    def _listed_members(self, cue: Cue, start: int, end: int, sentence: Sentence,
                        previous: list[Sentence]) -> list[tuple[Entity, Entity, float]]:
        """A ``members`` cue (联村党委下辖甲村、乙村): the joint organization named last before it (in the
        sentence, else in the paragraph) has every allowed name after it in the sentence as a member."""
        def joint(mentions: list[Mention]) -> Entity | None:
            found = [m.entity for m in mentions if m.entity.kind == PARTY and m.entity.props.get("joint")]
            return found[-1] if found else None

        organization, lost = joint([m for m in _ends(sentence) if m.end <= start]), 0.0
        if organization is None:  # 坑镇下辖关甲村、背沟村: a town's villages (PART_OF)
            self._town_lists(start, end, sentence)
        for earlier in reversed(previous):
            if organization is not None:
                break
            organization, lost = joint(_ends(earlier)), FALLBACK_PENALTY
        if organization is None:
            return []
        allowed = self._allowed(cue.tie, 0)
        members = dict.fromkeys(m.entity for m in _ends(sentence) if m.start >= end and m.entity.kind in allowed
                                and m.entity is not organization)
        owners = {m.owner for m in members if m.kind == PARTY}  # 下设甲村、乙村两个党支部: the branches, not the villages
        return [(member, organization, lost) for member in members if member not in owners]

    def _town_lists(self, start: int, end: int, sentence: Sentence) -> None:
        """A town right before a members cue (坑镇下辖关甲村、背沟村) has the villages after it (PART_OF)."""
        town = [m.entity for m in _ends(sentence) if m.end <= start and m.entity.kind == LEVEL["town"]]
        if not town:
            return
        for mention in _ends(sentence):
            if mention.start >= end and mention.entity.kind == LEVEL["village"]:
                self.propose("PART_OF", mention.entity, town[-1], sentence.text.quote, 0.6, "PART_OF:下辖")

    def _picked_pairs(self, cue: Cue, start: int, end: int, sentence: Sentence,
                      previous: list[Sentence]) -> list[tuple[Entity, Entity, float]]:
        """Any other cue: its source and target ends picked as its ends' specs say, with the confidence lost."""
        sources_allowed, targets_allowed = self._cue_allowed(cue, 0), self._cue_allowed(cue, 1)
        pairs: list[tuple[Entity, Entity, float]] = []
        beneficiary = self._beneficiary(cue, start, sentence, targets_allowed)
        if beneficiary is not None:  # 甲合作社为乙公司供应原料: 乙 is the target, the source is named before 为
            sources, lost = self._pick(cue.source, sources_allowed, (beneficiary.start - 1, start), sentence, previous,
                                       (beneficiary.entity,))
            return [(source, beneficiary.entity, lost) for source in sources]
        party = {PARTY} if cue.source.owner else set()  # 永义村党支部 for 永义村
        sources, lost = self._pick(cue.source, sources_allowed | party, (start, end), sentence, previous)
        if cue.source.list:  # 甲村党支部联合乙、丙两个村党支部…发展辣椒: 甲 with the ones it united
            sources += self._uniting(sources, sentence)
        sources = [s.owner if s.kind == PARTY and s.kind not in sources_allowed else s for s in sources]
        sources = [s for s in dict.fromkeys(sources) if s is not None and s.kind in sources_allowed]
        for source in sources:
            targets, lost_too = self._owned_targets(cue, targets_allowed, (start, end), sentence, previous, source)
            if lost and lost_too:
                continue  # both ends only in earlier sentences: not this sentence's tie
            if cue.target.owner:  # a village's party branch stands for the village (cues.yaml owner)
                targets = [_village_of(t) for t in targets]
            pairs += [(source, t, lost + lost_too) for t in targets]
        return pairs

    def _owned_targets(self, cue: Cue, allowed: set[str], span: tuple[int, int], sentence: Sentence,
                       previous: list[Sentence], source: Entity) -> tuple[list[Entity], float]:
        """The cue's targets; with ``owner`` a party organization picked stands for its village or town
        (南沟村党总支抓住辖区内某公司: the company is in 南沟村)."""
        party = {PARTY} if cue.target.owner else set()
        targets, lost = self._pick(cue.target, allowed | party, span, sentence, previous, (source,))
        targets = [t.owner if t.kind == PARTY and t.kind not in allowed else t for t in targets]
        return [t for t in dict.fromkeys(targets) if t is not None and t.kind in allowed and t is not source], lost

    def _uniting(self, united: list[Entity], sentence: Sentence) -> list[Entity]:
        """Who united with ``united`` earlier in this sentence (CO_BUILDS proposed from a cue of this sentence, whose
        target is one of them or their party organization): an actor of what they do together."""
        quote = sentence.text.quote.strip()
        ends = set(united) | {e.owner for e in united if e.kind == PARTY} | {
            e for one in united for e in self.registry.owned_by(one) if e.kind == PARTY}
        return [p.source for p in self._quoting(quote)
                if p.type == "CO_BUILDS" and p.target in ends and p.source not in united]

    def _quoting(self, quote: str) -> list[Proposal]:
        """The proposals (still proposed) whose quote is ``quote``, in the order proposed: looked up, not found by
        reading every proposal of a long report at each sentence."""
        return [p for p in self._by_quote.get(quote, ()) if self.proposals.get(p.key) is p]

    def _beneficiary(self, cue: Cue, start: int, sentence: Sentence, allowed: set[str]) -> Mention | None:
        """The name a cue whose target comes after it is done for, written before it after 为/向/给 in its clause with
        at most a few words between (为乙公司供应, 向乙公司统一供货), if any."""
        if cue.target.side != "after":
            return None
        key = sentence.text.key
        low, _ = self._clause(key, start, start)
        for mention in reversed([m for m in _ends(sentence) if low <= m.start and m.end <= start]):
            if key[max(low, mention.start - 1):mention.start] in self.lex.benefactive:
                gap = start - mention.end
                return mention if gap <= NEXT_GAP // 2 and mention.entity.kind in allowed else None
        return None

    def _cue_props(self, cue: Cue, start: int, sentence: Sentence, previous: list[Sentence], end: int) -> dict:
        """The properties of a cue's ties: the year, the mechanism and, for a product cue, product and terms."""
        props = {"start_date": self._year(sentence, previous, end), "mechanism": cue.mechanism}
        if cue.product == "word":
            props["product"] = re.match(r"[\u3400-\u9fff]{0,3}", sentence.text.key[start:]).group()
            terms = self.lex.terms.search(sentence.text.key)
            props["terms"] = terms.group(1) if terms else None
        return props

    def _propose_implied(self, cue: Cue, source: Entity, target: Entity, sentence: Sentence, word: str) -> None:
        """The ties a proposed tie implies (``implies`` of the cue), where its ends are of the kinds wanted."""
        for implied in cue.implies:
            ends = {"from": source, "to": target}
            wanted = implied.get("when_kind", {})
            if all(ends[end].kind == kind for end, kind in wanted.items()):
                self.propose(implied["tie"], ends[implied["from"]], ends[implied["to"]], sentence.text.quote, 0.5,
                             f"{implied['tie']}:{word}", note=implied.get("note"))

    # ------------------------------------------------------------------ forming a joint organization

    def _formation(self, span: tuple[int, int, str], sentence: Sentence, previous: list[Sentence]) -> set[int]:
        """Members, lead, support and claims of an organization formed at cue ``span``; the figures it used."""
        start, end, word = span
        key = sentence.text.key
        formed, members_from = self._formed_here(sentence, start, end)
        if formed is None:
            return set()
        organization = formed.entity
        year = self._year(sentence, previous, start)
        if year:
            organization.props.setdefault("_formed", year)
        in_support = self._support(sentence, organization, word, year)
        in_support += self._venue(sentence, organization, start, year)
        before = [m for m in _ends(sentence) if members_from <= m.start and m.end <= start and m not in in_support]
        # 由泥河沟村党支部牵头: a lead named after the organization, in the same sentence
        before += [m for m in _ends(sentence) if m.start >= formed.end and self._beside_lead(key, m)]
        if not organization.props.get("joint") and not self._jointly(key, start, organization):
            if not in_support:
                self._guide_of_formed(sentence, organization, before, span, year)
            return set()
        if not self._jointly(key, start, organization):  # 甲镇党委与乙公司党委联合成立: both found it, neither guides it
            before = self._guided_by(sentence, organization, before, word, year)
        members, claims = self._members(sentence, organization, before, word, year)
        if organization.props.get("unnamed"):  # stays unnamed until a formation names its villages
            self._name_unnamed(sentence, organization, members)
        used = self._counted_members(sentence, start, claims)
        if claims:
            organization.claims.update(claims)
            organization.claims.setdefault(EVIDENCE, sentence.text.quote.strip())
        subject = sentence.mentions[0] if sentence.mentions else None
        if subject is not None and subject.entity.kind == LEVEL["town"]:
            self._formed_by_town(sentence, subject, organization, members, word)
        return used

    def _jointly(self, key: str, start: int, organization: Entity) -> bool:
        """Whether a party organization is formed jointly (联合成立: cues.yaml formation jointly) by those named before."""
        return organization.kind == PARTY and bool(self.lex.formation.jointly) and key[:start].endswith(
            self.lex.formation.jointly)

    def _guide_of_formed(self, sentence: Sentence, organization: Entity, before: list[Mention],
                         span: tuple[int, int, str], year: str | None) -> None:
        """An organization that is not joint is guided by the last name before the cue that may guide; a place only
        in the cue's clause (某乡成立合作社), not as a modifier of another (开启了某乡…的新模式，成立某公司)."""
        start, end, word = span
        low = self._clause(sentence.text.key, start, end)[0]
        guides = [m.entity for m in before if m.entity.kind in self._allowed("GUIDES", 0)
                  and (m.start >= low or not m.entity.is_place)]
        if guides:
            self.propose("GUIDES", guides[-1], organization, sentence.text.quote, self.lex.formation.confidence - 0.1,
                         f"GUIDES:{word}", start_date=year)

    def _formed(self, sentence: Sentence, start: int, end: int) -> Mention | None:
        """The organization named after the formation cue, within its clause."""
        low, high = self._clause(sentence.text.key, start, end)
        return next((m for m in sentence.mentions if end <= m.start < high and m.how in ("name", "short")
                     and m.entity.kind in self.lex.formation.formed_kinds), None)

    def _formed_here(self, sentence: Sentence, start: int, end: int) -> tuple[Mention | None, int]:
        """The organization a formation cue forms, and where its members may begin: named after the cue (its
        members anywhere before), else before it with 由 (枣坪联合党委由甲村党支部、乙村党支部组成: between)."""
        formed = self._formed(sentence, start, end)
        if formed is not None:
            return formed, 0
        formed = self._formed_before(sentence, start)
        return formed, (formed.end if formed is not None else 0)

    def _formed_before(self, sentence: Sentence, start: int) -> Mention | None:
        """A joint organization named before the cue with 由 between (X联合党委由…组成), or None."""
        key = sentence.text.key
        joint = [m for m in sentence.mentions if m.end <= start and m.entity.kind == PARTY
                 and m.entity.props.get("joint") and "由" in key[m.end:start]]
        return joint[-1] if joint else None

    def _support(self, sentence: Sentence, organization: Entity, word: str, year: str | None) -> list[Mention]:
        """The mentions inside a support phrase (在乌镇党委的大力支持下); each that may guide guides the new one."""
        spec = self.lex.formation
        support = [(m.start(1), m.end(1)) for m in spec.support.finditer(sentence.text.key)]
        in_support = [m for m in sentence.mentions if any(a <= m.start and m.end <= b for a, b in support)]
        guide_kinds = self._allowed("GUIDES", 0)
        for mention in in_support:
            if mention.entity.kind in guide_kinds:
                self.propose("GUIDES", mention.entity, organization, sentence.text.quote, spec.confidence, f"GUIDES:{word}",
                             start_date=year, mechanism=f"支持成立{organization.name}")
        return in_support

    def _venue(self, sentence: Sentence, organization: Entity, start: int, year: str | None) -> list[Mention]:
        """The place a formation is held in (在马连塌村挂牌成立联合党委, 在坑镇马连塌村成立): no member; the
        organization is there (LOCATED_IN, stated in words). The place right after 在 (a town that only locates
        it may stand between), with only the words of ``venue_gap`` (挂牌, 正式) before the cue."""
        key, spec = sentence.text.key, self.lex.formation
        places = [m for m in sentence.mentions if m.end <= start and m.entity.kind in PLACES_OF_ORGANIZATIONS]
        for mention in reversed(places):
            if mention.how == "locator" or not spec.venue_gap.fullmatch(key, mention.end, start):
                continue
            at = next((m.start for m in places if m.how == "locator" and m.end == mention.start), mention.start)
            if key[max(0, at - 1):at] in spec.venue_words:
                self.propose("LOCATED_IN", organization, mention.entity, sentence.text.quote, spec.confidence - 0.1,
                             "LOCATED_IN:在…成立", start_date=year)
                return [mention]
            break
        return []

    def _guided_by(self, sentence: Sentence, organization: Entity, before: list[Mention], word: str,
                   year: str | None) -> list[Mention]:
        """The party organizations of a town or county (乡党委, 县委) named before a formation guide the new
        organization (万寨乡党委决定…组建联村党委; 由镇党委牵头成立…) rather than join it; the rest, returned,
        may be members."""
        owners = self.lex.formation.guide_owners
        guides = [m for m in before if m.entity.kind == PARTY and not m.entity.props.get("joint")
                  and m.entity.owner is not None and m.entity.owner.kind in owners]
        for mention in guides:
            self.propose("GUIDES", mention.entity, organization, sentence.text.quote, self.lex.formation.confidence - 0.1,
                         f"GUIDES:{word}", start_date=year)
        return [m for m in before if m not in guides]

    def _name_unnamed(self, sentence: Sentence, organization: Entity, members: list[Mention]) -> None:
        """Name a joint organization the text forms without a name: its lead village (or the lead member's
        village, or the first village named) and the words the text calls it by (黄花村 + 联村党委)."""
        villages = [(m.entity.owner if m.entity.kind == PARTY else m.entity, self._beside_lead(
            sentence.text.key, m)) for m in members]
        villages = [(v, lead) for v, lead in villages if v is not None and v.kind == LEVEL["village"]]
        if not villages:
            return
        lead = next((v for v, is_lead in villages if is_lead), villages[0][0])
        said = lead.name + organization.name  # as the text calls it: 河连湾村 + 联合党委
        organization.name = lead.name + self.lex.formation.unnamed_forms.get(organization.props.get("form"),
                                                                             organization.name)
        self.registry.index(organization, said)
        organization.props["note"] = f"{self.lex.formation.unnamed_note}：{sentence.text.quote.strip()}"
        organization.props["named_by"] = "linkgraph"
        organization.props.pop("unnamed", None)
        self.registry.index(organization, organization.name)

    def _members(self, sentence: Sentence, organization: Entity, before: list[Mention], word: str,
                 year: str | None) -> tuple[list[Mention], dict[str, int | float]]:
        """The members of a joint organization (named before the cue, or beside a lead word), proposed, and the
        counts its counted members give (38家酿酒合作社 → 成员合作社数 38)."""
        spec = self.lex.formation
        member_kinds = self._allowed("MEMBER_OF", 0)
        members = [m for m in before if m.entity.kind in member_kinds and m.entity is not organization]
        claims: dict[str, int | float] = {}
        for mention in members:
            lead = self._beside_lead(sentence.text.key, mention)
            self.propose("MEMBER_OF", mention.entity, organization, sentence.text.quote, spec.confidence,
                         f"MEMBER_OF:{word}", role="lead" if lead else "member", start_date=year)
            count = mention.entity.props.get("aggregate_count")
            if count:
                claims[spec.claim.format(noun=mention.entity.suffix or "")] = count
        return members, claims

    def _counted_members(self, sentence: Sentence, start: int, claims: dict[str, int | float]) -> set[int]:
        """Counts after 等 before the cue (核桃树墕村、尚家沟村等9个村) added to ``claims``; the figures used."""
        key, used = sentence.text.key, set()
        for figure in sentence.figures:
            if figure.end <= start and key[max(0, figure.start - 1):figure.start] == "等" and figure.noun:
                claims[self.lex.formation.claim.format(noun=figure.noun)] = figure.number
                used.add(figure.start)
        return used

    def _formed_by_town(self, sentence: Sentence, subject: Mention, organization: Entity, members: list[Mention],
                        word: str) -> None:
        """A joint organization a town forms lies in the town, and so do its counted members (inferred); a town
        named as the subject (洪德镇…组建联村党委, not 该镇) also guides it."""
        town, quote, rule = subject.entity, sentence.text.quote, f"LOCATED_IN:{word}"
        if subject.how == "name":
            self.propose("GUIDES", town, organization, quote, 0.6, f"GUIDES:{word}")
        self.propose("LOCATED_IN", organization, town, quote, 0.5, rule, note="推断：由该镇组建 / inferred: formed by the town")
        for mention in members:
            if mention.entity.props.get("aggregate_count"):
                self.propose("LOCATED_IN", mention.entity, town, quote, 0.5, rule,
                             note="推断：该镇的组织 / inferred: counted among the town's organizations")

    def _beside_lead(self, key: str, mention: Mention) -> bool:
        after = key[mention.end:mention.end + 3]
        return bool(self.lex.formation.lead_after.match(key, mention.end)) or any(
            after.startswith(w) or key[max(0, mention.start - 3):mention.start].endswith(w)
            for w in self.lex.formation.lead_words)

    def _leads(self, sentence: Sentence) -> None:
        """A lead word beside a member named later (贺寨酒业的龙头带动作用) makes its membership the lead."""
        key = sentence.text.key
        for mention in sentence.mentions:
            after = key[mention.end:mention.end + 4]
            if any(w in after for w in self.lex.formation.lead_words):
                for proposal in self.proposals.values():
                    if (proposal.type == "MEMBER_OF" and proposal.source is mention.entity
                            and proposal.section == self.section and proposal.document == self.document):
                        proposal.props["role"] = "lead"
                        proposal.props["note"] = f"牵头/龙头 lead: {sentence.text.quote.strip()}"

    # ------------------------------------------------------------------ figures, mechanisms, brands

    def _figures(self, sentence: Sentence, used: set[int], made: list[Proposal]) -> None:
        figures = [f for f in sentence.figures if f.start not in used and f.start not in sentence.consumed]
        if not figures:
            return
        subject = sentence.mentions[0].entity if sentence.mentions and sentence.mentions[0].start < figures[0].start else None
        if subject is not None and subject.is_place:
            for figure in figures:
                subject.claims[self.schema.claim_key(figure.noun or self._label(figure))] = figure.number
            subject.claims.setdefault(EVIDENCE, sentence.text.quote.strip())
            return
        if subject is not None or made:
            tie = self._current_tie(subject, made)
        else:  # a sentence of figures only (先后累计联系653人次…): the tie the figures before were about
            tie = self._metrics_tie or self._current_tie(None, [])
        if tie is None or tie.section != self.section or tie.document != self.document:
            return
        self._metrics_tie = tie
        metrics = tie.props.setdefault("metrics", {})
        for figure in figures:
            metrics[self._label(figure)] = figure.number
        quotes = metrics.get(EVIDENCE, "")
        metrics[EVIDENCE] = f"{quotes} … {sentence.text.quote.strip()}" if quotes else sentence.text.quote.strip()

    def _label(self, figure: Figure) -> str:
        if figure.noun:
            return figure.noun
        before = figure.before
        stripped = True
        while stripped:
            stripped = False
            for word in self.lex.boundaries:
                if before.startswith(word) and len(before) > len(word):
                    before, stripped = before[len(word):], True
                    break
        if figure.measure in ("元", "万元"):
            return f"{before}_元"
        return before + (figure.measure if figure.measure in ("人次", "次") else "")

    def _current_tie(self, subject: Entity | None, made: list[Proposal]) -> Proposal | None:
        """The tie that takes metrics the figures of a sentence are about: of this section, the first such tie
        the sentence made, else the latest one before; one whose source is ``subject`` first."""
        fresh = [p for p in made if p.section == self.section and p.document == self.document
                 and self.schema.tie_kind(p.type).property("metrics") is not None]
        latest = self._metric_ties.get((self.document, self.section), {})
        if subject is not None:
            found = next((p for p in fresh if p.source is subject), None) or latest.get(subject.id)
            if found is not None:
                return found
        return fresh[0] if fresh else latest.get(None)

    def _mechanisms_and_brands(self, sentence: Sentence, made: list[Proposal]) -> None:
        key = sentence.text.key
        for match in self.lex.mechanism.finditer(key):
            name = sentence.text.quote[match.start(1):match.end(1)]
            target = next((p for p in made if self.schema.tie_kind(p.type).property("mechanism")), None)
            if target is None:
                subject = sentence.mentions[0].entity if sentence.mentions else None
                target = self._current_tie(subject, [])
            if target is not None and target.type in ("PAIRED_ASSISTANCE", "CO_BUILDS"):
                target.props["mechanism"] = name
            else:
                org = next((m.entity for m in sentence.mentions if m.entity.kind == PARTY
                            and m.entity.props.get("joint")), None)
                if org is not None:
                    org.props["mechanism"] = "；".join(filter(None, [org.props.get("mechanism"), name]))
        for match in self.lex.brand.finditer(key):
            owner = next((m.entity for m in sentence.mentions
                          if self.schema.node_kind(m.entity.kind).property("brand") is not None), None)
            if owner is not None:
                owner.props.setdefault("brand", [])
                owner.props["brand"].append(sentence.text.quote[match.start(1):match.end(1)])

    # ------------------------------------------------------------------ a sentence, names

    def read(self, sentence: Sentence, previous: list[Sentence]) -> None:
        """Propose the ties of ``sentence``; ``previous``: the sentences before it in its paragraph."""
        if sentence.heading:
            return
        before = len(self.proposals)
        used: set[int] = set()
        sentence.asides = [next(m.span(g) for g in range(1, m.re.groups + 1) if m.group(g) is not None)
                           for m in self.lex.asides.finditer(sentence.text.key)]
        cues = self._cues(sentence)
        cued = bool(cues)  # a cue word stands here, even one a formation's support clause takes
        formations = [c for c in cues if c[2] in self.lex.formation.words]
        if formations:  # the words of a support clause (在镇党委的指导下) belong to the formation
            support = [m.span() for m in self.lex.formation.support.finditer(sentence.text.key)]
            lead_spans = [(m.end, m.end + 3) for m in sentence.mentions if self._beside_lead(sentence.text.key, m)]
            cues = [c for c in cues if c in formations or not any(a <= c[0] < b for a, b in support + lead_spans)]
        for span in cues:
            if span[2] in self.lex.formation.words:
                used |= self._formation(span, sentence, previous)
            else:
                self._apply_cue(self.lex.cue_words[span[2]], span, sentence, previous)
        self._leads(sentence)
        self._adjacent_industries(sentence)
        self._adjacent_places(sentence)
        self._built_at(sentence)
        made = list(itertools.islice(reversed(self.proposals.values()), len(self.proposals) - before))[::-1]
        self._mechanisms_and_brands(sentence, made)
        self._figures(sentence, used, made)
        self.learned(sentence, cued=cued)

    # ------------------------------------------------------------------ the trained tie model

    def learned(self, sentence: Sentence, *, cued: bool) -> None:
        """Weigh each pair of names of ``sentence`` at most ``MAX_GAP`` apart whose kinds some tie kind allows with
        the trained tie model (:mod:`loaders.extract.learned`): the rules' ties between them get its probability,
        and its own tie may be proposed where the sentence holds no cue word (``cued``: :meth:`_weigh_pair`). With
        :attr:`pair_log` set (training), every pair's ends and features are collected instead. Called by
        :meth:`read` once its rules are done. A pair of a sentence with a cue word that no rule tied is not
        weighed: the model would neither give a rule's tie its probability nor propose its own there."""
        if self.pair_log is None and ties_tagger() is None:
            return
        mentions = [m for m in sentence.mentions if m.how != "locator"]
        for i, left in enumerate(mentions):
            for j, right in enumerate(mentions[i + 1:], start=i + 1):
                if right.start - left.end > MAX_GAP:
                    break
                if left.entity is right.entity or right.start < left.end or not self._may_tie(left.entity, right.entity):
                    continue
                between = self._between(left.entity, right.entity)
                if cued and not between and self.pair_log is None:
                    continue
                rules = [pair_label(tie, source is left.entity) for (tie, source, _), proposal in between
                         if not proposal.rule.endswith(":learned")]
                features = pair_features(sentence.text.key, (left.start, left.end, left.entity.kind),
                                         (right.start, right.end, right.entity.kind), j - i - 1, rules)
                if self.pair_log is not None:
                    self.pair_log.append((left.entity, right.entity, features))
                    continue
                self._weigh_pair(pair_probabilities(features), left.entity, right.entity, between, sentence, cued)

    def _weigh_pair(self, probabilities: dict[str, float], left: Entity, right: Entity,
                    between: list[tuple[tuple[str, Entity, Entity], Proposal]], sentence: Sentence, cued: bool) -> None:
        """Give the rules' ties between the two the model's probability, and propose the model's likeliest tie
        where the sentence holds no cue word: where one does, its rule has decided (在…的具体帮扶下 names no
        helper; 指导…开展服务 is guidance, not a pairing), and the model is not asked to overrule it."""
        for (tie, source, target), proposal in between:
            label = pair_label(tie, source is left)
            proposal.model = max(proposal.model or 0.0, probabilities.get(label, 0.0))
        label = max(probabilities, key=probabilities.__getitem__)
        kind, source, target = label[:-1], *((left, right) if label.endswith(">") else (right, left))
        if (label != NONE and not cued and kind in self.lex.learned_ties
                and probabilities[label] >= self.lex.learned_min_probability and (kind, source.id, target.id) not in self.proposals):
            proposal = self.propose(kind, source, target, sentence.text.quote, probabilities[label], f"{kind}:learned")
            if proposal is not None:
                proposal.model = probabilities[label]

    def _between(self, left: Entity, right: Entity) -> list[tuple[tuple[str, Entity, Entity], Proposal]]:
        """The ties proposed so far between the two, either way, with their (kind, source, target)."""
        found = []
        for tie in self.schema.tie_kinds:
            for source, target in ((left, right), (right, left)):
                proposal = self.proposals.get((tie.type, source.id, target.id))
                if proposal is not None:
                    found.append(((tie.type, source, target), proposal))
        return found

    def _may_tie(self, one: Entity, other: Entity) -> bool:
        pair = (one.kind, other.kind)
        if pair not in self._pair_kinds:
            self._pair_kinds[pair] = any(t.allows(*pair) or t.allows(other.kind, one.kind) for t in self.schema.tie_kinds)
        return self._pair_kinds[pair]

    def from_names(self, entities: list[Entity]) -> None:
        """Ties a name implies: 乌镇党委 → 乌镇 (PARTY_ORG_OF), 佳县县委办公室 → 佳县 (LOCATED_IN),
        38家酿酒合作社 → 酿酒 (ENGAGED_IN), each with the quote that first names it and of the report that
        does (its 文章 in the draft)."""
        specs = self.lex.from_names
        for one, other, quote, confidence, document in self._pending_pairs:
            self.document = document
            source, target = self._party_of(one), self._party_of(other)
            source = source or self._unnamed_branch(one, target, quote)
            target = target or self._unnamed_branch(other, source, quote)
            if source is not None and target is not None:
                self.propose("CO_BUILDS", source, target, quote, confidence, "CO_BUILDS:党组织 party branch named later")
            else:  # 某公司与某村结成共建对子, no party branch named: the company serves the village
                self._serves_instead(one, other, quote, confidence)
        for entity in list(entities):
            self.document = self.registry.document = entity.document  # an industry in its name: of its report
            self._members_in_name(entity)
            if entity.owner is not None:
                spec = specs["party_org_of"]
                self.propose(spec["tie"], entity, entity.owner, entity.quote, spec["confidence"], "PARTY_ORG_OF:name")
            elif entity.region is not None and self._operated_by_region(entity):
                spec = specs["operated_by"]
                self.propose(spec["tie"], entity.region, entity, entity.quote, spec["confidence"], "OPERATES:name",
                             note=spec.get("note"))
            elif entity.region is not None:
                spec = specs["located_in"]
                self.propose(spec["tie"], entity, entity.region, entity.quote, spec["confidence"], "LOCATED_IN:name",
                             note=spec.get("note"))
            engaged = self._engaged_by_name(entity)
            if engaged is not None:
                spec = specs["engaged_in"]
                for industry in self._industries_in_name(entity.name):
                    target = self.registry.find(INDUSTRY, industry) or self.registry.add(
                        Entity(f"industry:{match_key(industry)}", INDUSTRY, industry, {industry: None},
                               quote=entity.quote))
                    self.propose(spec["tie"], engaged, target, entity.quote, spec["confidence"], "ENGAGED_IN:name",
                                 note=spec.get("note"))
        self._guides_by_its_committee()

    def _guides_by_its_committee(self) -> None:
        """A place that guides what its own party committee guides is one guide, the committee (万寨乡…组建联村党委;
        万寨乡党委决定…组建: 万寨乡党委 guides it): the place's GUIDES row is dropped."""
        guides = [p for p in self.proposals.values() if p.type == "GUIDES"]
        by_committee = {(p.source.owner.id, p.target.id) for p in guides
                        if p.source.kind == PARTY and p.source.owner is not None}
        for proposal in guides:
            if proposal.source.is_place and (proposal.source.id, proposal.target.id) in by_committee:
                del self.proposals[proposal.key]

    def _engaged_by_name(self, entity: Entity) -> Entity | None:
        """Who is engaged in the industries ``entity``'s name holds (mentions.yaml industries.from_names): an
        organization itself (38家酿酒合作社 → 酿酒); a project is no actor, so its industry is that of the village
        that runs it when its name begins with that village (某村对虾养殖基地 → 某村 in 对虾养殖), else no one's
        (a base named by its trade only, 某某养殖基地, tells who farms there no more than its name)."""
        if (not self.lex.industry_from_names or entity.is_place or entity.kind == INDUSTRY
                or self._generic_name(entity)):
            return None
        if entity.kind not in (self.lex.from_names.get("operated_by") or {}).get("kinds", ()):
            return entity
        if entity.region is None or not self._run_by(entity, entity.region):
            return None
        others = [p for p in self.proposals.values() if p.type == "OPERATES" and p.target is entity
                  and p.source is not entity.region]
        return None if others else entity.region

    def _operated_by_region(self, entity: Entity) -> bool:
        """Is ``entity`` a unit its name's place runs (cues.yaml from_names operated_by: 某村加工车间), the text
        saying no one else runs it (某公司运营某村光伏项目: the company does)?"""
        if entity.region is None or not self._run_by(entity, entity.region):
            return False
        return not any(p.type == "OPERATES" and p.target is entity for p in self.proposals.values())

    def _run_by(self, unit: Entity, place: Entity) -> bool:
        """Is ``unit`` of a kind that ``place``'s kind runs when named with it (cues.yaml from_names operated_by)?"""
        spec = self.lex.from_names.get("operated_by")
        return spec is not None and unit.kind in spec["kinds"] and place.kind in spec["regions"]

    def _unnamed_branch(self, village: Entity, other: Entity | None, quote: str) -> Entity | None:
        """The party branch of ``village`` the text never names, when it pairs with a party organization ``other``
        (某村与甲党支部签有联建协议): named by linkgraph (cues.yaml pairs unnamed_branch); else None."""
        spec = self.lex.pair_unnamed_branch
        if not spec or other is None or village.kind != LEVEL["village"]:
            return None
        name = village.name + spec["suffix"]
        branch = self.registry.find(PARTY, name) or self.registry.add(Entity(
            self.registry.new_id(), PARTY, name, {name: None}, quote=quote, owner=village, suffix=spec["suffix"],
            props={"form": spec["form"], "named_by": "linkgraph", "note": spec["note"]}))
        return branch

    def _serves_instead(self, one: Entity, other: Entity, quote: str, confidence: float) -> None:
        """共建 of a unit or company with a village whose party branches the text never names: the unit serves
        the village (SERVES), as the schema allows."""
        village = LEVEL["village"]
        pairs = [(a, b) for a, b in ((one, other), (other, one)) if b.kind == village and a.kind in self._serving_units]
        for source, target in pairs:
            self.propose("SERVES", source, target, quote, confidence - 0.1, "SERVES:共建 no party branch named")

    def _members_in_name(self, entity: Entity) -> None:
        """A joint organization named by two villages or more (长冲垄村马溪冲村联合支部) has them as members."""
        if not entity.props.get("joint") or not entity.suffix or entity.props.get("named_by"):
            return
        core = entity.name[: len(entity.name) - len(entity.suffix)]
        tokens = _VILLAGE_TOKEN.findall(core)
        if len(tokens) < 2 or "".join(tokens) != core:
            return
        village_kind = LEVEL["village"]
        for token in tokens:
            village = self.registry.find(village_kind, token) or self.registry.add(
                Entity(self.registry.new_id(), village_kind, token, {token: None}, status="unresolved", quote=entity.quote))
            self.propose("MEMBER_OF", village, entity, entity.quote, 0.6, "MEMBER_OF:name",
                         note="推断：据联合党组织名称 / inferred from the joint organization's name")

    def _generic_name(self, entity: Entity) -> bool:
        """Whether an organization's name is only its trade (手套加工厂, 制茶加工厂: "the glove factory", a phrase
        rather than a name): less than ``from_names_min_rest`` characters are left of it once its suffix and its
        products and industry words are taken out. A counted group (38家酿酒合作社) is never generic: its count names it."""
        if entity.props.get("aggregate_count") or not entity.suffix:
            return False
        rest = entity.name[: len(entity.name) - len(entity.suffix)]
        words = sorted({*self.lex.industry_products, *self.lex.industry_words, *self.lex.industry_modifiers},
                       key=len, reverse=True)
        for word in words:
            rest = rest.replace(word, "")
        return len(rest) < self.lex.industry_from_names_min_rest

    def _industries_in_name(self, name: str) -> list[str]:
        """The industries a name holds: an industry word (38家酿酒合作社 → 酿酒) or a known product with an
        ending (杨塌村谷子种植专业合作社 → 谷子种植, 二臣手套加工厂 → 手套加工)."""
        found = [industry for word, industry in self.lex.industry_words.items() if word in name]
        for ending in self.lex.industry_endings:
            at = name.find(ending)
            product = next((p for p in self.lex.industry_products if name.endswith(p, 0, at)), None) if at > 0 else None
            if product is not None and ending not in self.lex.industry_bare_endings:
                found.append(product + ending)
        return list(dict.fromkeys(found))

    def _adjacent_places(self, sentence: Sentence) -> None:
        """A place written right before an organization with 的 between (吴沙洼村的手套加工厂; 村里的某公司) says where
        it is (LOCATED_IN); a village's party organization is its own (PARTY_ORG_OF), not located there."""
        key = sentence.text.key
        for before, after in zip(sentence.mentions, sentence.mentions[1:]):
            if not _in_place(before, after, key[before.end:after.start], self.lex.place_gap):
                continue
            if self._run_by(after.entity, before.entity):  # 某村的加工车间 is the village's (cues.yaml operated_by)
                self.propose("OPERATES", before.entity, after.entity, sentence.text.quote, 0.6, "OPERATES:相邻 adjacent")
            else:
                self.propose("LOCATED_IN", after.entity, before.entity, sentence.text.quote, 0.6,
                             "LOCATED_IN:相邻 adjacent")

    def _built_at(self, sentence: Sentence) -> None:
        """A project built in the place written after 在 in its clause (在甲镇某移民区实施苹果示范基地项目): the
        project is there (LOCATED_IN, stated); the village, where a town only locates it (在甲镇乙村建成…)."""
        key, venue = sentence.text.key, self.lex.formation.venue_words
        for project in (m for m in sentence.mentions if m.entity.kind == "Project" and m.how == "name"):
            low = self._clause(key, project.start, project.end)[0]
            places = [m for m in sentence.mentions if low <= m.start and m.end <= project.start and m.how != "locator"
                      and m.entity.kind in PLACES_OF_ORGANIZATIONS]
            place = next((m for m in reversed(places) if self._after_venue(sentence, m, venue)), None)
            if place is not None and self.lex.built_at.search(key, place.end, project.start):
                self.propose("LOCATED_IN", project.entity, place.entity, sentence.text.quote, 0.6, "LOCATED_IN:在…建设")

    @staticmethod
    def _after_venue(sentence: Sentence, place: Mention, venue: tuple[str, ...]) -> bool:
        """Whether ``place`` is written right after 在 (or after 在 and a town that only locates it)."""
        at = next((m.start for m in sentence.mentions if m.how == "locator" and m.end == place.start), place.start)
        return sentence.text.key[max(0, at - 1):at] in venue

    def _adjacent_industries(self, sentence: Sentence) -> None:
        """A place or organization written right before an industry (谭封庄村乐器加工, 吴沙洼村的手套加工车间,
        戈段村大棚西瓜) is engaged in it."""
        key, allowed = sentence.text.key, self._allowed("ENGAGED_IN", 0)
        for before, industry in zip(sentence.mentions, sentence.mentions[1:]):
            gap = key[before.end:industry.start]
            if (industry.entity.kind == INDUSTRY and before.entity.kind in allowed and gap in ("", "的")
                    and before.how == "name"):
                self.propose("ENGAGED_IN", before.entity, industry.entity, sentence.text.quote, 0.6,
                             "ENGAGED_IN:相邻 adjacent")


def _pools(usable: list[Mention], cue: tuple[int, int], low: int, high: int) -> dict[str, list[Mention]]:
    """The mentions an end may be picked from, by where they are: in the cue's clause (``low``–``high``) or
    sentence, before or after the cue."""
    return {"clause before": [m for m in usable if low <= m.start and m.end <= cue[0]],
            "clause after": [m for m in usable if cue[1] <= m.start and m.end <= high],
            "before": [m for m in usable if m.end <= cue[0]],
            "after": [m for m in usable if m.start >= cue[1]]}


def _listed_with(chosen: list[Entity], pool: list[Mention], key: str) -> list[Entity]:
    """The entities chosen and those listed with them, of the same kind, one after another with only a joiner
    between (川珠、出食、何吕、新庄四村; 甲村和乙村)."""
    ordered = sorted(pool, key=lambda m: m.start)
    runs: list[list[Mention]] = []
    for mention in ordered:
        last = runs[-1][-1] if runs else None
        joined = last is not None and last.entity.kind == mention.entity.kind and (
            key[last.end:mention.start] in LIST_JOINERS)
        runs[-1:] = [[*runs[-1], mention]] if joined else [*runs[-1:], [mention]]
    listed = [m.entity for run in runs if any(m.entity in chosen for m in run) for m in run]
    return list(dict.fromkeys([*chosen, *listed]))


def _in_place(before: Mention, after: Mention, gap: str, said: re.Pattern[str]) -> bool:
    """Whether ``before`` is a place that says where the organization ``after`` is: 吴沙洼村的手套加工厂, 村里的某公司,
    村里某公司 (a reference to the village, with or without 的), 甲村的村企某公司 (``said``: cues.yaml place_gap); a
    named place right before a name is part of it."""
    return before.entity.kind in PLACES_OF_ORGANIZATIONS and after.entity.kind in LOCATED_ORGANIZATIONS and (
        bool(said.fullmatch(gap)) or gap == "" and before.how == "anaphor") and after.how == "name"


def _positions(key: str, word: str, before: int) -> list[int]:
    """Where ``word`` begins in ``key`` before position ``before``."""
    return [start for start, _ in occurrences(key[:before], word)]


def _village_of(entity: Entity) -> Entity:
    """The village a village's party organization stands for (西湖村党支部 → 西湖村); any other entity itself."""
    owner = entity.owner if entity.kind == PARTY else None
    return owner if owner is not None and owner.kind == LEVEL["village"] else entity


def _defined(key: str, position: int, word: str) -> bool:
    """Whether the cue ``word`` at ``position`` is a term being defined: quoted alone, a bracket after it
    (明确了“领办”(统筹利用集体资产…) names the way, no tie)."""
    end = position + len(word)
    return key[position - 1:position] in "“\"「" and key[end:end + 2] in ("”(", '"(', "」(", "”（")


def _agreement(key: str, end: int) -> bool:
    """Whether a cue word ending at ``end`` names the kind of an agreement in a title (签订《结对共建协议》,
    《村企联建协议书》): the agreement states the tie, unlike a title where the word governs an object
    (《共建某产业联盟合作协议》)."""
    return key.startswith(("协议》", "协议书》"), end)


def _in_title(key: str, position: int) -> bool:
    """Whether ``position`` is inside a title in 《》 (签订《共建某党建联盟合作协议》 states no 共建 by itself)."""
    opening = key.rfind("《", 0, position)
    return opening >= 0 and key.find("》", opening) >= position


def _ends(sentence: Sentence) -> list[Mention]:
    """The mentions that may end a tie: not a town that only locates a village (通镇|西山村), not a name in an
    aside (根据某部的安排: who arranged it is not a party to it)."""
    return [m for m in sentence.mentions if m.how != "locator"
            and not any(a <= m.start and m.end <= b for a, b in sentence.asides)]
