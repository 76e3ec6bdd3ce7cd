"""Store arguments as they may be shown: no password, token or other secret, in whatever encoding it came.

:func:`redact` is the one function every message, title, page and log line
uses to show a store argument. A Neo4j URI is shown as its scheme, its host
and its port; everything else is a secret until proven otherwise and becomes
``***``: the user and password before an ``@``, a path, the query
(``?password=…``, ``?token=…``) and the fragment (``#…``). The URI is read
the way a person, a shell or a browser might have written it: percent-encoded,
even twice (``neo4j%253APW%2540host``), with backslash escapes (``\\u0040``),
HTML character references (``&#64;``) or full-width forms (``＠``), so that
an ``@`` hidden in any of these still hides what comes before it. A host is
shown only when it is plainly a host name or an address; anything else in
its place is masked too. A path that is no URI is shown as it is, unless it
reads ``user:password@host:port``.

>>> redact("bolt://neo4j:se/cr@t@db.example:7687")
'bolt://***'
>>> redact("bolt://neo4j:pw@db.example:7687")
'bolt://***@db.example:7687'
>>> redact("bolt://neo4j%3APW%40127.0.0.1:7687")
'bolt://***@127.0.0.1:7687'
>>> redact("neo4j://127.0.0.1:7687?password=PW#PW")
'neo4j://127.0.0.1:7687?***#***'
>>> redact("output/jia.lbug")
'output/jia.lbug'
"""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import unquote

MASK = "***"
DECODING_ROUNDS = 8
"""Percent-encoding inside percent-encoding is undone this many times at most (a real URI needs one or two)."""

# A scheme and its slashes: any scheme followed by "://", or a Neo4j or HTTP scheme followed by ":" and
# up to any number of slashes (the mistyped forms parse_store_spec refuses with a hint).
_URI_PREFIX = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*://+|(?:bolt|neo4j)(?:\+ssc|\+s)?:/*|https?:/*)", re.I)
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# A host name, an IPv4 address or a bracketed IPv6 address, with an optional numeric port.
PLAIN_AUTHORITY = re.compile(rf"(?P<host>{_LABEL}(?:\.{_LABEL})*|\[[0-9A-Fa-f:.]+\])?(?::(?P<port>[0-9]{{1,5}}))?")
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|x([0-9A-Fa-f]{2}))")
# In free text: a word runs to the next space (a URI may hold quotes); brackets and quotes around it and
# punctuation after it are not part of it; a URI may start inside it (--param 'x=bolt://…'). Only the URIs a
# store argument may be (Neo4j's and HTTP's) are looked for: others in a message (a query's file:// URL) stay.
_WORD = re.compile(r"(?P<before>[(\[<'\"]*)(?P<word>\S*?)(?P<after>[:;,.?!)\]>'\"]*)(?=\s|$)")
_URI_START = re.compile(r"(?<![A-Za-z0-9+.-])(?:bolt|neo4j)(?:\+ssc|\+s)?:|https?:", re.I)


def _unescape(text: str) -> str:
    """``\\u0040``, ``\\U00000040`` and ``\\x40`` as the characters they name (others left as they are)."""
    def char(match: re.Match[str]) -> str:
        code = int(next(group for group in match.groups() if group), 16)
        return chr(code) if code <= 0x10FFFF else match[0]
    return _ESCAPE.sub(char, text)


def decoded(text: str) -> str:
    """``text`` with every encoding a URI may carry undone, again and again until nothing changes:
    percent-encoding, backslash escapes, HTML character references and Unicode compatibility forms
    (full-width ``＠：／`` become ``@:/``).

    >>> decoded("neo4j%253APW%2540host")
    'neo4j:PW@host'
    >>> decoded("neo4j\\\\u003aPW&#64;host")
    'neo4j:PW@host'
    """
    for _ in range(DECODING_ROUNDS):
        plain = unicodedata.normalize("NFKC", html.unescape(_unescape(unquote(text))))
        if plain == text:
            break
        text = plain
    return text


def _masked_tail(tail: str) -> str:
    """What follows a URI's authority, masked part by part: ``/***``, ``?***``, ``#***`` (a bare ``/`` kept)."""
    path, query, fragment = re.match(r"([^?#]*)(\?[^#]*)?(#.*)?", tail, re.S).groups()
    shown = "" if not path else path if path == "/" else "/" + MASK
    return shown + ("?" + MASK if query else "") + ("#" + MASK if fragment else "")


def _authority(text: str) -> str:
    """``text`` (what follows the scheme, decoded) shown as ``***@host:port`` + masked tail, or ``***``."""
    if "@" in text:
        before, after = text.rsplit("@", 1)
        if re.search(r"[/?#]", before):  # '@' in a path, query or fragment, or a password holding them: no host is sure
            return MASK
        prefix = MASK + "@"
    else:
        prefix, after = "", text
    authority, tail = re.match(r"([^/?#]*)(.*)", after, re.S).groups()
    if not PLAIN_AUTHORITY.fullmatch(authority):
        return prefix + MASK + _masked_tail(tail)
    return prefix + authority + _masked_tail(tail)


def redact(spec: str) -> str:
    """``spec`` (a store argument: a URI or a path) as it may be printed; see the module's text.

    >>> redact("bolt://neo4j%253APW%2540host:7687")
    'bolt://***@host:7687'
    >>> redact("bolt://host:7687/PW")
    'bolt://host:7687/***'
    >>> redact("neo4j:PW@127.0.0.1:7687")
    'neo4j:***@127.0.0.1:7687'
    """
    text = spec.strip()
    plain = decoded(text)
    scheme = _URI_PREFIX.match(plain)
    if scheme:
        return plain[: scheme.end()] + _authority(plain[scheme.end():])
    user_at_host = re.fullmatch(r"[^/?#]*@([^/?#@]*)/?", plain, re.S)
    if user_at_host and PLAIN_AUTHORITY.fullmatch(user_at_host[1]) and ":" in user_at_host[1]:
        return f"{MASK}@{user_at_host[1]}"
    return spec


def redact_text(text: str) -> str:
    """Free text (a message, a log line) with every word of it shown through :func:`redact`: URIs and
    ``user:password@host:port`` masked, the rest as it is.

    >>> redact_text("cannot reach bolt://u:PW@127.0.0.1:7687: refused (see neo4j:PW@h:1)")
    'cannot reach bolt://***@127.0.0.1:7687: refused (see neo4j:***@h:1)'
    """
    def word(match: re.Match[str]) -> str:
        text = match["word"]
        start = _URI_START.search(text)
        if start:
            shown = text[: start.start()] + redact(text[start.start():])
        else:  # user:password@host:port or an encoded store URI are masked; a file:// URL of a query is not
            plain = decoded(text)
            shown = redact(text) if _URI_START.match(plain) or not _URI_PREFIX.match(plain) else text
        return match["before"] + shown + match["after"]
    return _WORD.sub(word, text)
