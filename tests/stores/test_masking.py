"""stores.masking: a secret anywhere in a store argument, in any encoding, is never shown in any decoding.

Hand-written forms (the ones an attacker's run found printed back, and their
relatives) and Hypothesis: a random secret put in each part of a URI (user,
password, the whole ``user:password@``, a query key or value, the fragment,
the path), written in each encoding (as is, percent-encoded once or twice,
backslash escapes, HTML references, full-width forms). The shown text, and
every decoding of it, must not hold the secret; parsing the argument must
refuse it (or accept it) without repeating the secret either.
"""

from __future__ import annotations

import html
import string
from urllib.parse import quote, unquote

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from stores.connection import StoreSpecError, parse_store_spec
from stores.masking import decoded, redact, redact_text

SECRET = "PW9xq7"


def decodings(text: str) -> list[str]:
    """``text`` and what it reads as after each decoding a reader might apply (and all of them)."""
    return [text, unquote(text), unquote(unquote(text)), html.unescape(text), decoded(text),
            text.encode().decode("unicode_escape", errors="ignore") if text.isascii() else text]


def never_shown(secret: str, shown: str) -> None:
    for form in decodings(shown):
        assert secret not in form, (secret, shown)
        assert secret.lower() not in form.lower() or secret.lower() in SKELETON, (secret, shown)


def percent(text: str) -> str:
    return quote(text, safe="")


def escapes(text: str) -> str:
    return "".join(f"\\u{ord(c):04x}" for c in text)


def entities(text: str) -> str:
    return "".join(f"&#{ord(c)};" for c in text)


def full_width(text: str) -> str:
    return text.replace("@", "＠").replace(":", "：").replace("/", "／")


ENCODINGS = {"raw": lambda t: t, "percent": percent, "percent twice": lambda t: percent(percent(t)),
             "escapes": escapes, "entities": entities, "full width": full_width}


@pytest.mark.parametrize("spec, shown", [
    (f"bolt://neo4j%3A{SECRET}%40db.example:7687", "bolt://***@db.example:7687"),
    (f"bolt://neo4j%253A{SECRET}%2540db.example:7687", "bolt://***@db.example:7687"),
    (f"bolt://neo4j:{SECRET}\\u0040db.example:7687", "bolt://***@db.example:7687"),
    (f"bolt://neo4j:{SECRET}&#64;db.example:7687", "bolt://***@db.example:7687"),
    (f"bolt://neo4j：{SECRET}＠db.example:7687", "bolt://***@db.example:7687"),
    (f"bolt://neo4j:{SECRET}@127.0.0.1:7687", "bolt://***@127.0.0.1:7687"),
    (f"neo4j://127.0.0.1:7687?password={SECRET}", "neo4j://127.0.0.1:7687?***"),
    (f"neo4j://127.0.0.1:7687?token={SECRET}&policy=eu", "neo4j://127.0.0.1:7687?***"),
    (f"bolt://127.0.0.1:7687#{SECRET}", "bolt://127.0.0.1:7687#***"),
    (f"bolt://127.0.0.1:7687%23{SECRET}", "bolt://127.0.0.1:7687#***"),
    (f"bolt://127.0.0.1:7687/{SECRET}", "bolt://127.0.0.1:7687/***"),
    (f"bolt://127.0.0.1:7687#x@{SECRET}", "bolt://***"),  # an '@' in the fragment: no host is sure
    (f"bolt://neo4j:{SECRET}", "bolt://***"),  # user:password without a host
    (f"bolt:/neo4j:{SECRET}@127.0.0.1:7687", "bolt:/***@127.0.0.1:7687"),
    (f"neo4j:{SECRET}@127.0.0.1:7687", "neo4j:***@127.0.0.1:7687"),
    (f"neo4j%3A{SECRET}%40127.0.0.1:7687", "neo4j:***@127.0.0.1:7687"),
    (f"bolt%3A%2F%2Fneo4j%3A{SECRET}%40127.0.0.1%3A7687", "bolt://***@127.0.0.1:7687"),
    (f"http://neo4j:{SECRET}@127.0.0.1:7474/browser/", "http://***@127.0.0.1:7474/***"),
])
def test_every_form_of_a_secret_is_masked(spec, shown):
    assert redact(spec) == shown
    never_shown(SECRET, redact(spec))
    never_shown(SECRET, redact_text(f"cannot reach {spec}: refused"))


@pytest.mark.parametrize("spec", [
    "bolt://127.0.0.1:7687", "neo4j+s://abc.databases.neo4j.io", "bolt://[::1]:7687", "output/jia.lbug",
    "/tmp/佳县.lbug", "data/a@b.lbug", "C:/data/g.lbug", "bolt://localhost:7687/",
])
def test_what_holds_no_secret_is_shown_as_it_is(spec):
    assert redact(spec) == spec


def test_masking_twice_changes_nothing():
    for spec in (f"bolt://u:{SECRET}@h:1", f"neo4j://h:1?x={SECRET}#y", "bolt://***@h:1/***?***#***"):
        assert redact(redact(spec)) == redact(spec)
        assert redact_text(redact_text(f"at {spec}.")) == redact_text(f"at {spec}.")


def test_free_text_keeps_its_punctuation():
    assert redact_text(f"did you mean bolt://u:{SECRET}@127.0.0.1:7687?") == "did you mean bolt://***@127.0.0.1:7687?"
    assert redact_text("(at bolt://127.0.0.1:7687), then") == "(at bolt://127.0.0.1:7687), then"
    assert redact_text(f"--param 'x=neo4j://u:{SECRET}@h:1'") == "--param 'x=neo4j://***@h:1'"
    # URLs that no store argument can be (a query's file URL in a refusal) are left as they are
    assert redact_text("LOAD CSV FROM 'file:///etc/passwd' is refused") == "LOAD CSV FROM 'file:///etc/passwd' is refused"


SKELETON = "bolt+ssc://neo4j+s://127.0.0.1:7687 db.example.org localhost neo4j admin password token"
SECRETS = st.text(alphabet=string.ascii_letters + string.digits + "!$%&'()*+,;=-._~:/?#@[]", min_size=6, max_size=16)
PARTS = ("user", "password", "userinfo", "query value", "query key", "fragment", "path")


def _uri(scheme: str, host: str, part: str, secret: str, encode) -> str:
    user, password = ("admin", "neo4j")
    userinfo = ""
    if part == "user":
        userinfo = f"{encode(secret)}:{password}@"
    elif part == "password":
        userinfo = f"{user}:{encode(secret)}@"
    elif part == "userinfo":  # the separators encoded too, as in neo4j%3APW%40host
        userinfo = encode(f"{user}:{secret}@")
    tail = {"query value": f"?password={encode(secret)}", "query key": f"?{encode(secret)}=1",
            "fragment": f"#{encode(secret)}", "path": f"/{encode(secret)}"}.get(part, "")
    return f"{scheme}://{userinfo}{host}{tail}"


@given(secret=SECRETS, part=st.sampled_from(PARTS), encoding=st.sampled_from(sorted(ENCODINGS)),
       scheme=st.sampled_from(["bolt", "neo4j", "bolt+s", "neo4j+ssc", "http"]),
       host=st.sampled_from(["127.0.0.1:7687", "db.example.org", "localhost:7687", "[::1]:7687"]))
@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
def test_a_random_secret_in_any_part_in_any_encoding_is_never_shown(secret, part, encoding, scheme, host):
    assume(any(c.isalpha() for c in secret) and "***" not in secret)
    assume(secret.lower() not in SKELETON and not any(secret in form for form in decodings(SKELETON)))
    spec = _uri(scheme, host, part, secret, ENCODINGS[encoding])
    never_shown(secret, redact(spec))
    never_shown(secret, redact_text(f"错误 error: {spec} is not valid"))
    try:
        parse_store_spec(spec)
    except StoreSpecError as err:
        never_shown(secret, str(err))
