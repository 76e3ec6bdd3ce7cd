"""Cleaning report texts for extraction: mojibake repaired, glosses removed, a Simplified twin, sentences; pure.

Web reports reach planners mangled in known ways. The example article has
all of them: pinyin ruby glosses (``風(fēng)``), Traditional and variant
characters, full-width punctuation folded to ASCII, and GBK mojibake where one
byte of a GBK stream was lost: every later byte pairs with the wrong
neighbour until an ASCII byte re-aligns the stream, so ``。“企業`` (``A1A3
A1B0 C6F3 9849``) became ``?!捌髽I``: the lost ``A1`` shows as ``?`` and the
rest decodes off by one. :func:`repair_mojibake` finds such runs and decodes
them again, trying every lost lead byte, and keeps a new reading only where
it is far more plausible (common characters instead of rare ones). It also
undoes the other common GBK accident, UTF-8 bytes read as GBK (``浣犲ソ``).

>>> repair_mojibake("收集解決發展難題?!捌髽I最近經營怎么樣?有沒有困難?")[0]
'收集解決發展難題。“企業最近經營怎么樣?有沒有困難?'

:class:`CleanText` keeps the text in two aligned forms of equal length: the
quote form (the source's characters, glosses removed, mojibake repaired) and
the key form (Simplified, full-width folded), so that what is found in the key
form is quoted from the quote form by the same offsets.

>>> text = CleanText.of("寒風(fēng)凜冽,陜西省")
>>> text.quote, text.key
('寒風凜冽,陜西省', '寒风凛冽,陕西省')
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass

from graph_model.names import strip_pinyin_glosses, to_simplified

LOST = "?\ufffd"  # what a lost byte shows as
MAX_RUN = 40  # characters of one mojibake run
MIN_GAIN = 3.0  # how much more plausible a repair must be
_GLOSS_AFTER_LOST = re.compile(r"(?<=[?\ufffd])\(?[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüê]+\)")
_CJK = re.compile(r"[\u3400-\u9fff]")


PUNCTUATION = "。，、；：？！“”‘’（）《》…—"


def _in_range(char: str, codec: str, low: int, high: int) -> bool:
    try:
        code = char.encode(codec)
    except UnicodeEncodeError:
        return False
    return len(code) == 2 and low <= int.from_bytes(code, "big") <= high


@functools.cache
def _gbk_class(char: str) -> int:
    """How usual a character is in Chinese text: 3 common punctuation, 2 common character, 1 ASCII
    letter, digit or punctuation, -1 rare, -2 unknown to GBK.

    The common characters are those of the two national standards' first
    levels: GB2312 level 1 (3,755 Simplified) and Big5 level 1 (5,401 Traditional).
    """
    if char.isascii():
        return 1 if char.isalnum() or char in " ,.;:!?()%" else 0
    if char in PUNCTUATION:
        return 3
    if _in_range(char, "gb2312", 0xB0A1, 0xD7FE) or _in_range(char, "big5", 0xA440, 0xC67E):
        return 2
    return -1 if _in_range(char, "gbk", 0x8140, 0xFEFE) else -2


def plausibility(text: str) -> float:
    """A score of how much ``text`` reads like Chinese prose: common characters add, rare ones subtract."""
    score = 0.0
    for char in text:
        if char in LOST:
            score -= 2
        else:
            score += _gbk_class(char)
    return score


def _gbk_options(char: str) -> list[bytes]:
    """The GBK bytes a character may have come from: itself, or (for ASCII) its full-width form,
    since pages fold ``！`` to ``!`` after the damage."""
    options = []
    for form in (char, chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else None):
        if form is None:
            continue
        try:
            options.append(form.encode("gbk"))
        except UnicodeEncodeError:
            pass
    return options


def _realign(run: str, dangling: bool = False) -> tuple[str, float] | None:
    """The best reading, with its score, of ``run`` (its first character a lost byte) as a GBK stream
    shifted by one byte; ``dangling``: the stream ends on a lead byte whose partner was lost too.

    Only the first character of a reading depends on the lost lead byte tried: the rest of the stream is
    decoded and scored once per way of reading its bytes, and the first character looked up among the
    characters of its trail byte (:func:`_with_trail`), not the whole stream decoded for each lead byte."""
    best: tuple[str, float] | None = None
    choices = [_gbk_options(c) for c in run[1:]]
    if not all(choices) or sum(len(c) > 1 for c in choices) > 4:
        return None
    suffix = "?" if dangling else ""
    for combo in itertools.product(*choices):
        data = b"".join(combo)
        body = data[:-1] if dangling else data  # the lead byte before it; a dangling last byte is lost
        if not body or dangling and data[-1] < 0x81:
            continue
        try:
            rest = body[1:].decode("gbk")
        except UnicodeDecodeError:
            continue
        rest_score = plausibility(rest + suffix)
        for first, first_score in _with_trail(body[0]):
            score = first_score + rest_score
            if best is None or score > best[1]:
                best = (first + rest + suffix, score)
    return best


@functools.cache
def _with_trail(trail: int) -> tuple[tuple[str, float], ...]:
    """The characters a GBK lead byte (0x81–0xFE, in order) makes with the byte ``trail``, each with its
    :func:`plausibility`."""
    found = []
    for lead in range(0x81, 0xFF):
        try:
            char = bytes([lead, trail]).decode("gbk")
        except UnicodeDecodeError:
            continue
        found.append((char, plausibility(char)))
    return tuple(found)


def _utf8_as_gbk(run: str) -> tuple[str | None, bool]:
    """``run`` read back as UTF-8, if it is UTF-8 bytes that were decoded as GBK (``浣犲ソ`` → ``你好``), and
    whether a longer run starting where it starts may still read so (False once a character is not GBK or
    the bytes break UTF-8 before their last character: no run beyond it is worth trying)."""
    try:
        data = run.encode("gbk")
    except UnicodeEncodeError:
        return None, False
    try:
        return data.decode("utf-8"), True
    except UnicodeDecodeError as err:
        return None, err.start >= len(data) - 3 and err.reason == "unexpected end of data"


@dataclass(frozen=True)
class Repair:
    """One mojibake repair: where (in the repaired text), what it was and what it reads now."""

    start: int
    before: str
    after: str


def repair_mojibake(text: str) -> tuple[str, list[Repair]]:
    """``text`` with GBK mojibake decoded again where that is clearly more plausible, and each repair.

    First, runs of rare characters that are UTF-8 bytes read as GBK; then runs
    that start at a lost byte (``?`` or U+FFFD), re-aligned (:func:`_realign`).
    Text that reads well is never touched: a real question mark stays.
    """
    text, first = _repair_utf8_runs(text)
    out: list[str] = []
    repairs: list[Repair] = []
    i = 0
    while i < len(text):
        fixed = None
        if text[i] in LOST and i + 1 < len(text) and not text[i + 1].isspace():
            fixed = _best_realignment(text, i)
        if fixed is None:
            out.append(text[i])
            i += 1
            continue
        length, replacement = fixed
        repairs.append(Repair(sum(map(len, out)), text[i:i + length], replacement))
        out.append(replacement)
        i += length
    repaired = "".join(out)
    return repaired, sorted([*first, *repairs], key=lambda r: r.start) if first else repairs


def _repair_utf8_runs(text: str) -> tuple[str, list[Repair]]:
    """``text`` with each stretch around a rare character that reads far better as UTF-8 read again."""
    repairs: list[Repair] = []
    out: list[str] = []
    done = 0
    for rare in (i for i, c in enumerate(text) if _CJK.match(c) and _gbk_class(c) < 0):
        if rare < done:
            continue
        best: tuple[int, float, int, int, str] | None = None  # the longest stretch that decodes wins
        for start in range(max(done, rare - 8), rare + 1):
            for stop in range(rare + 1, min(len(text), start + MAX_RUN) + 1):
                if text[stop - 1].isascii():
                    break
                reading, may_grow = _utf8_as_gbk(text[start:stop])
                if not may_grow:
                    break
                if reading:
                    gain = plausibility(reading) - plausibility(text[start:stop])
                    if gain >= MIN_GAIN and (best is None or (stop - start, gain) > best[:2]):
                        best = (stop - start, gain, start, stop, reading)
        if best is not None:
            _, _, start, stop, reading = best
            out.append(text[done:start])
            repairs.append(Repair(sum(map(len, out)), text[start:stop], reading))
            out.append(reading)
            done = stop
    out.append(text[done:])
    return "".join(out), repairs


def _best_realignment(text: str, start: int) -> tuple[int, str] | None:
    """``(length, reading)`` of the mojibake run starting at the lost byte ``text[start]``, if any.

    A run ends where the stream re-aligns: after an ASCII letter or digit (a
    trail byte read alone), or at a second lost byte (a lead byte whose
    partner was lost, included in the run).
    """
    best: tuple[int, str, float] | None = None
    for end in range(start + 2, min(len(text), start + MAX_RUN) + 1):
        last = text[end - 1]
        if last.isspace() or last in LOST:
            break
        realigns = last.isascii() and last.isalnum()
        next_lost = end < len(text) and text[end] in LOST
        if realigns or next_lost:
            length = end - start + (1 if next_lost and not realigns else 0)
            found = _realign(text[start:end], dangling=length > end - start)
            if found is not None:
                gain = found[1] - plausibility(text[start:start + length])
                if gain >= MIN_GAIN and (best is None or gain > best[2]):
                    best = (length, found[0], gain)
        if realigns:
            break
    return (best[0], best[1]) if best else None


def _key_char(char: str) -> str:
    """One character of the key form: Simplified, full-width forms folded (one character for one)."""
    folded = unicodedata.normalize("NFKC", char)
    char = folded if len(folded) == 1 else char
    return to_simplified(char)


class _KeyTable(dict):
    """:func:`_key_char` of each character for :meth:`str.translate`, worked out when the character is first
    met: a report's million characters are a few thousand distinct ones, each normalized once."""

    def __missing__(self, code: int) -> str:
        self[code] = _key_char(chr(code))
        return self[code]


_KEY_TABLE = _KeyTable()


@dataclass(frozen=True)
class CleanText:
    """A text in its quote form and its key form (Simplified), of equal length."""

    quote: str
    key: str

    @classmethod
    def of(cls, text: str) -> "CleanText":
        """Glosses removed (also after a lost character), then the key form beside it."""
        quote = _GLOSS_AFTER_LOST.sub("", strip_pinyin_glosses(text))
        return cls(quote, quote.translate(_KEY_TABLE))

    def __getitem__(self, span: slice) -> "CleanText":
        return CleanText(self.quote[span], self.key[span])

    def __len__(self) -> int:
        return len(self.quote)


SENTENCE_END = "。！？!?；;"
CLOSING = "”’」』)）"
MAX_SENTENCE = 400
"""The longest sentence read as one (the longest of the test reports is 199 characters): a longer run without a
full stop (a list run on with commas, a page of punctuation) is cut at its last comma before this length, so
that the work per sentence stays bounded and a text's time grows with its length, not its square."""
CLAUSE_ENDS = "，,、：:"


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence: up to and including 。！？ or ；, with a closing quote that follows.

    >>> t = "他说:“好了。”然后走了。再见"
    >>> [t[a:b] for a, b in sentence_spans(t)]
    ['他说:“好了。”', '然后走了。', '再见']
    """
    spans = []
    start = 0
    i = 0
    while i < len(text):
        if text[i] in SENTENCE_END:
            end = i + 1
            while end < len(text) and (text[end] in CLOSING or text[end] in SENTENCE_END):
                end += 1
            if text[start:end].strip():
                spans.append((start, end))
            start = i = end
            continue
        i += 1
    if text[start:].strip():
        spans.append((start, len(text)))
    bounded = [part for a, b in spans for part in _bounded(text, a, b)]
    return [(a + len(text[a:b]) - len(text[a:b].lstrip()), b) for a, b in bounded]


def _bounded(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The span ``start:end`` cut into pieces of at most :data:`MAX_SENTENCE` characters, each ending at its last
    comma (or enumeration comma, colon) when it has one, else at the limit; blank pieces left out."""
    pieces = []
    while end - start > MAX_SENTENCE:
        limit = start + MAX_SENTENCE
        cut = max(text.rfind(mark, start, limit) for mark in CLAUSE_ENDS) + 1
        cut = cut if cut > start else limit
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return [(a, b) for a, b in pieces if text[a:b].strip()]
