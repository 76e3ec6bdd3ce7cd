"""Name normalization for Chinese organization and place names; pure functions.

Sources spell the same place differently: the NBS roster appends the name of
the committee (``核桃树墕村委会``), web articles carry pinyin ruby glosses
(``風(fēng)``), Traditional or variant characters (``陜`` for ``陕``) and stray
spaces. Matching compares :func:`match_key` values; display uses
:func:`short_admin_name`.

>>> short_admin_name("核桃树墕村委会")
'核桃树墕村'
>>> short_admin_name("金沙湾社区居民委员会")
'金沙湾社区'
>>> short_admin_name("乌镇居委会")
'乌镇社区'
>>> strip_pinyin_glosses("寒風(fēng)凜冽")
'寒風凜冽'
>>> match_key(" 陜西 贺寨酒业 ") == match_key("陕西贺寨酒业")
True
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from typing import Iterable

# Committee suffixes of the NBS roster, longest first, and what they shorten to.
ADMIN_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
    ("村民委员会", "村"),
    ("居民委员会", "社区"),
    ("村委会", "村"),
    ("居委会", "社区"),
)

# Variant and Traditional forms seen in sources, mapped to the form rosters use.
# Matching only: names keep the spelling of their source in ``name_raw``.
VARIANTS: dict[str, str] = {
    "陜": "陕", "賀": "贺", "縣": "县", "鎮": "镇", "鄉": "乡", "溝": "沟",
    "樹": "树", "聯": "联", "黨": "党", "會": "会", "團": "团", "辦": "办",
    "機": "机", "關": "关", "業": "业", "釀": "酿", "場": "场", "養": "养",
    "車": "车", "劉": "刘", "國": "国", "華": "华", "莊": "庄", "灣": "湾",
    "園": "园", "區": "区", "烏": "乌", "來": "来", "農": "农",
    "產": "产", "興": "兴", "員": "员", "嶺": "岭", "峯": "峰",
}

_GLOSS = re.compile(r"(?<=[\u3400-\u9fff\U00020000-\U0002ffff])\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüêḿńňǹ]+\)")
_SPACE = re.compile(r"\s+")


def strip_pinyin_glosses(text: str) -> str:
    """Remove pinyin glosses that web pages add after characters: ``鎮(zhèn)`` → ``鎮``."""
    return _GLOSS.sub("", text)


def clean_name(text: str) -> str:
    """A name as it should be displayed: NFKC, no glosses, single spaces, trimmed."""
    text = strip_pinyin_glosses(unicodedata.normalize("NFKC", text))
    return _SPACE.sub(" ", text).strip()


def match_key(text: str) -> str:
    """A key under which spellings of one name compare equal (for matching only)."""
    text = _SPACE.sub("", clean_name(text))
    return "".join(VARIANTS.get(ch, ch) for ch in text)


def same_name(name: str, spellings: Iterable[str | None]) -> bool:
    """Whether ``name`` is one of ``spellings`` after normalization.

    >>> same_name("尚家溝村", ["尚家沟村委会", "尚家沟村"])
    True
    """
    key = match_key(name)
    return any(s and match_key(s) == key for s in spellings)


def similar_names(name: str, names: Iterable[str], *, n: int = 5, cutoff: float = 0.5) -> list[str]:
    """The ``names`` most like ``name`` after normalization, best first (for "did you mean" hints).

    >>> similar_names("尚家勾村", ["尚家沟村", "核桃树墕村"])
    ['尚家沟村']
    """
    by_key: dict[str, str] = {}
    for candidate in names:
        by_key.setdefault(match_key(candidate), candidate)
    return [by_key[k] for k in difflib.get_close_matches(match_key(name), by_key, n=n, cutoff=cutoff)]


def short_admin_name(raw: str) -> str:
    """The everyday name of a roster unit: its committee suffix shortened.

    Town names (``通镇``) and names without a known suffix come back cleaned but
    otherwise unchanged.
    """
    name = clean_name(raw)
    for suffix, short in ADMIN_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + short
    return name
