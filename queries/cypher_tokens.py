"""Cypher text cut into tokens as LadybugDB 0.22 cuts it, for the guard of ad hoc queries (:mod:`queries.guard`).

Why written here: the guard must see every word the engine sees, and no maintained package lexes LadybugDB's
dialect as its engine does. pygments' ``CypherLexer`` (2.21, a highlighter; checked) has no ``/* … */``
comments (it reads ``/``, ``*`` and the words inside), ends a ``//`` comment at a lone ``\\r`` (the engine
then has no comment at all) and does not know LadybugDB's keywords (``LOAD`` is a name to it). The PyPI
package of grammars-v4's openCypher grammar (not installed, not checked here) is Neo4j's dialect (``0x``
numbers, ``''`` inside strings, its own keywords), not LadybugDB's. Each rule below was checked against
LadybugDB 0.22 itself (``tests/queries/test_cypher_tokens.py`` keeps the probes and checks generated texts
against the engine); where the engine could not settle a case the tokenizer sees more words, never fewer:
the guard then refuses too much, never too little.

The rules, each with the engine behaviour it mirrors (the longest token wins at each position, as in the
engine's lexer):

- spaces: :data:`SPACES`, the characters the engine skips between ``RETURN`` and ``1`` (``\\u00a0``,
  ``\\u3000``, ``\\u2003``, ``\\t``, ``\\v``, ``\\f``, ``\\u001c``-``\\u001f``, ``\\u2028``, …; not ``\\u0085``
  nor ``\\u200b``, which the engine refuses as unknown characters).
- ``//`` comments run to the first ``\\r`` or ``\\n`` and end there if it is ``\\n``, ``\\r\\n``, or a ``\\r``
  that ends the text; at any other ``\\r`` there is no comment at all: the engine reads ``/`` twice and the
  text after it as code (``RETURN 1 // c\\rLOAD`` is ``/``, ``/``, ``c``, ``LOAD``). A ``\\u2028`` does not
  end them.
- ``/* … */`` comments end at the first ``*/`` whose ``*`` is the odd one of its run of stars (the engine
  reads ``*x`` as a pair inside a comment: ``/* a **/`` does not end, ``/* a ***/`` does; ``/***/`` is no
  comment); they do not nest; unterminated, there is no comment: ``/`` and ``*`` are tokens and the text
  after them is code.
- strings ``'…'`` and ``"…"`` end at the first quote of their kind not escaped; a backslash escapes
  ``\\``, ``'``, ``"``, ``b f n r t`` (either case), ``u``/``U`` with 4 hex digits and ``x``/``X`` with 2
  (the engine keeps ``\\x41`` as it is, but reads it as an escape). Any other escape, or
  no closing quote, and there is no string: the quote is an error token (the engine refuses the query) and
  the text after it is read as code, so that its words are seen. There is no ``''`` escape: ``'it''s'`` is
  two strings.
- `backtick names` end at the first backtick not doubled (````` `a``b` `````); unterminated, the backtick is
  an error token.
- numbers: ``0`` or digits not starting with ``0``, ``digits.digits``, ``.digits``, and any of these (with
  leading zeros) followed by ``e``/``E``, an optional ``-`` and digits. A word glued to a number is a word of
  its own (``1LOAD`` is ``1`` and ``LOAD``; ``0x1F`` is ``0`` and ``x1F``: the engine has no hex numbers;
  ``1eLOAD`` is ``1`` and ``eLOAD``).
- words (keywords and names alike): a letter, a letter-like number (Nl), a connector such as ``_`` or
  ``‿``, or one of the few other identifier starts of Unicode, then any of these, digits, combining marks
  and currency signs (``a$b`` is one name for the engine, ``$a`` is ``$`` and ``a``). A fullwidth ``ＬＯＡＤ``
  is a name, as for the engine.
- punctuation: :data:`OPERATORS` as one token, any other ASCII punctuation as itself; a backslash outside
  a string with an escape after it (``\\n``, ``\\u0041``) as one error token, so that ``\\bLOAD`` is seen as
  ``\\b`` and ``LOAD``; any other character is an error token of its own (the engine refuses a query with
  any error token).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Callable

SPACE = "space"
"""Kind of a run of spaces or a comment."""
STRING = "string"
BACKTICK = "backtick"
"""Kind of a `backtick name`."""
WORD = "word"
"""Kind of a bare word: a keyword or a name (the engine takes most keywords as names too)."""
NUMBER = "number"
ERROR = "error"
"""Kind of a character the engine's lexer cannot read (the engine then refuses the query)."""

SPACES = frozenset("\t\n\v\f\r\u001c\u001d\u001e\u001f \u00a0\u1680\u180e\u2000\u2001\u2002\u2003\u2004\u2005"
                   "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
"""The characters LadybugDB skips between tokens (each probed with ``RETURN<c>1<c>AS<c>x``)."""

OPERATORS = ("<>", "<=", ">=", "=~", "!=", "<<", ">>", "..")
"""Punctuation of two characters that the engine reads as one token (``1 < > 2`` is a syntax error,
``1 <> 2`` is not; ``1 != 2`` is one, ``1 ! = 2`` is not: ``!=`` is a token the engine's parser does not
take); ``<-``, ``->``, ``--``, ``+=``, ``::`` and ``==`` are two tokens each for it (``RETURN 1<-2`` is
``1 < -2``)."""

_ASCII_PUNCTUATION = frozenset("!#$%&()*+,-./:;<=>?@[]^{|}~")
"""ASCII characters that are a token of their own: all punctuation but the quotes and the backslash."""
_ESCAPES = frozenset("\\'\"bfnrtBFNRT")
_HEX = frozenset("0123456789abcdefABCDEF")
_DIGITS = frozenset("0123456789")
_WORD_START_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Nl", "Pc"})
_WORD_PART_CATEGORIES = _WORD_START_CATEGORIES | {"Mn", "Mc", "Nd", "Sc"}
_OTHER_WORD_STARTS = frozenset("\u1885\u1886\u2118\u212e\u309b\u309c")
_OTHER_WORD_PARTS = _OTHER_WORD_STARTS | frozenset("\u00b7\u0387\u1369\u136a\u136b\u136c\u136d\u136e\u136f"
                                                   "\u1370\u1371\u19da")
"""Unicode's Other_ID_Start and Other_ID_Continue: identifier characters outside the categories above."""
_NOT_WORD = frozenset("\u2e2f")
"""VERTICAL TILDE: a modifier letter (Lm) that is pattern syntax, so no identifier character (nor the engine's)."""


@dataclass(frozen=True)
class Token:
    """One token of a query: its kind (:data:`SPACE`, :data:`STRING`, :data:`BACKTICK`, :data:`WORD`,
    :data:`NUMBER`, :data:`ERROR`, or for punctuation the text itself, as ``(`` or ``<>``), its text and
    where it starts in the query."""

    kind: str
    text: str
    start: int

    @property
    def word(self) -> str | None:
        """The word, in capitals, of a keyword or bare name (words are compared whatever they stand for:
        the engine takes most keywords as names too, and its keyword list grows between versions), or None
        for a `backtick name`, strings, numbers, punctuation and spaces."""
        return self.text.upper() if self.kind == WORD else None

    @property
    def name(self) -> str | None:
        """The name this token stands for, in capitals (a backtick name unquoted; a keyword is its own
        name, as ``count(…)``), or None for strings, numbers, punctuation and spaces."""
        if self.kind == BACKTICK:
            return self.text[1:-1].replace("``", "`").upper()
        return self.word


def is_word_start(char: str) -> bool:
    """Whether a word may start with ``char``: Unicode's ID_Start, and connectors such as ``_`` (the engine
    agrees on every character of the BMP and a sample of the other planes)."""
    return (unicodedata.category(char) in _WORD_START_CATEGORIES or char in _OTHER_WORD_STARTS) and char not in _NOT_WORD


def is_word_part(char: str) -> bool:
    """Whether ``char`` may continue a word: Unicode's ID_Continue, and currency signs (the engine agrees on
    every character of the BMP but U+0CF3 and U+0ECE, letters of Unicode 15 that this Python's Unicode 14
    does not know: a word is then cut in two, which can only refuse more)."""
    return (unicodedata.category(char) in _WORD_PART_CATEGORIES or char in _OTHER_WORD_PARTS) and char not in _NOT_WORD


def tokens(cypher: str) -> list[Token]:
    """All tokens of ``cypher``, spaces and comments included, as LadybugDB's lexer cuts it; every
    character of ``cypher`` is in exactly one token."""
    found, start = [], 0
    while start < len(cypher):
        kind, end = token_at(cypher, start)
        found.append(Token(kind, cypher[start:end], start))
        start = end
    return found


def token_at(cypher: str, start: int) -> tuple[str, int]:
    """The kind and the end of the token that starts at ``start`` (not past the end of ``cypher``)."""
    char = cypher[start]
    for applies, read in _READERS:
        if applies(cypher, start, char):
            kind, end = read(cypher, start)
            if end is not None:
                return kind, end
    return _single(char), start + 1


def _single(char: str) -> str:
    """The kind of ``char`` as a token of one character: punctuation is its own kind."""
    return char if char in _ASCII_PUNCTUATION else ERROR


def _run(cypher: str, start: int, keep: Callable[[str], bool]) -> int:
    """The end of the run of characters from ``start`` that ``keep`` accepts."""
    end = start
    while end < len(cypher) and keep(cypher[end]):
        end += 1
    return end


def _digits_end(cypher: str, start: int) -> int:
    return _run(cypher, start, _DIGITS.__contains__)


def _spaces(cypher: str, start: int) -> tuple[str, int | None]:
    return SPACE, _run(cypher, start, SPACES.__contains__)


def _line_comment(cypher: str, start: int) -> tuple[str, int | None]:
    """``//`` to a line end: ``\\n``, ``\\r\\n``, the end, or a ``\\r`` at the end; no comment (None) when
    the first ``\\r`` is followed by anything else (the engine then reads ``/``, ``/`` and what follows)."""
    end = _run(cypher, start + 2, lambda c: c not in "\r\n")
    after = cypher[end:end + 2]
    if after in ("", "\n", "\r") or after.startswith("\n"):
        return SPACE, end + len(after[:1])
    return SPACE, end + 2 if after == "\r\n" else None


def _block_comment(cypher: str, start: int) -> tuple[str, int | None]:
    """``/*`` to the first ``/`` after an odd run of stars; None when there is none."""
    stars = 0
    for index in range(start + 2, len(cypher)):
        if cypher[index] == "/" and stars % 2 == 1:
            return SPACE, index + 1
        stars = stars + 1 if cypher[index] == "*" else 0
    return SPACE, None


def _escape_end(cypher: str, backslash: int) -> int | None:
    """The end of the escape that starts at ``backslash`` in a string, or None if the engine has no such
    escape (``\\a``, ``\\0``, ``\\x4``, ``\\u12``, a backslash at the end)."""
    code = cypher[backslash + 1:backslash + 2]
    if code and code in _ESCAPES:
        return backslash + 2
    width = {"u": 4, "U": 4, "x": 2, "X": 2}.get(code, 0)
    hex_digits = cypher[backslash + 2:backslash + 2 + width]
    if width and len(hex_digits) == width and set(hex_digits) <= _HEX:
        return backslash + 2 + width
    return None


def _string(cypher: str, start: int) -> tuple[str, int | None]:
    """A string to its closing quote, escapes read; None on an escape the engine has not or no closing
    quote (the quote is then an error token, and the rest is read as code)."""
    quote, index = cypher[start], start + 1
    while index < len(cypher) and cypher[index] != quote:
        index = _escape_end(cypher, index) if cypher[index] == "\\" else index + 1
        if index is None:
            return STRING, None
    return STRING, index + 1 if index < len(cypher) else None


def _backtick_name(cypher: str, start: int) -> tuple[str, int | None]:
    """A `backtick name`, a doubled backtick inside it kept; None if it does not end."""
    end = start
    while cypher.startswith("`", end):
        close = cypher.find("`", end + 1)
        if close < 0:
            return BACKTICK, None if end == start else end
        end = close + 1
    return BACKTICK, end


def _number(cypher: str, start: int) -> tuple[str, int | None]:
    """The longest number at ``start``: an integer (``0`` alone, or not starting with ``0``), a decimal
    ``digits.digits`` or ``.digits``, either with an exponent ``e``/``E``, ``-``?, digits."""
    digits_end = _digits_end(cypher, start)
    integer_end = start + 1 if cypher[start] == "0" else digits_end
    mantissa_end = digits_end
    if cypher[digits_end:digits_end + 1] == "." and _digits_end(cypher, digits_end + 1) > digits_end + 1:
        mantissa_end = _digits_end(cypher, digits_end + 1)
    exponent = mantissa_end + 1 + (cypher[mantissa_end + 1:mantissa_end + 2] == "-")
    if cypher[mantissa_end:mantissa_end + 1] in ("e", "E") and _digits_end(cypher, exponent) > exponent:
        return NUMBER, _digits_end(cypher, exponent)
    return NUMBER, mantissa_end if mantissa_end > digits_end else integer_end


def _word(cypher: str, start: int) -> tuple[str, int | None]:
    return WORD, _run(cypher, start + 1, is_word_part)


def _loose_escape(cypher: str, start: int) -> tuple[str, int | None]:
    """An escape outside a string: an error token (the engine refuses it) that ends where the escape does."""
    return ERROR, _escape_end(cypher, start)


def _operator(cypher: str, start: int) -> tuple[str, int | None]:
    for operator in OPERATORS:
        if cypher.startswith(operator, start):
            return operator, start + len(operator)
    return "", None


_READERS: tuple[tuple[Callable[[str, int, str], bool], Callable[[str, int], tuple[str, int | None]]], ...] = (
    (lambda cypher, start, char: char in SPACES, _spaces),
    (lambda cypher, start, char: cypher.startswith("//", start), _line_comment),
    (lambda cypher, start, char: cypher.startswith("/*", start), _block_comment),
    (lambda cypher, start, char: char in "'\"", _string),
    (lambda cypher, start, char: char == "`", _backtick_name),
    (lambda cypher, start, char: char in _DIGITS or (char == "." and cypher[start + 1:start + 2] in _DIGITS),
     _number),
    (lambda cypher, start, char: is_word_start(char), _word),
    (lambda cypher, start, char: char == "\\", _loose_escape),
    (lambda cypher, start, char: char in _ASCII_PUNCTUATION, _operator),
)
"""At each position, the first reader that applies and reads a token gives it; a reader that finds no
token of its kind there (an unterminated comment, string or name) leaves the character to the next one,
and at last to a token of one character."""
