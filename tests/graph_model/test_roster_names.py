"""Place names of the whole shipped NBS roster: the rules of roster_names.yaml, counted and checked unit by unit.

The national roster (665,276 units) is read once per session (about 2 s with the names); the counts of
every rule are printed (``pytest -s`` or ``-rA`` shows them) and must equal the ``count`` each rule
declares.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from graph_model.names import clean_name, name_rules, place_name_rule, short_admin_name
from loaders.nbs import national_roster

# Committee words a place name must not end with (the test's own list, not the rules'): 委员会, 委会 and
# their slips (委员, 委会会 …), 村委, 居委, 居民会, 村会, and 社区居 (a 居委会 cut short).
COMMITTEE_END = re.compile(r"(委员会|委会|委员|委|会会|员会|员委会|村委|居委|居民会|居会|村会|季会|委员民|社区居)$")
NOTE = re.compile(r"\(.*\)$")
# Roster units whose whole name is a committee word: there is no place name to give them.
NOTHING_BUT_A_COMMITTEE = {"居委会", "渔委会", "牧委会"}


@pytest.fixture(scope="module")
def units() -> list[tuple[str, str, str, str, object]]:
    """Every unit of the shipped roster as (code, level, roster name, place name, rule)."""
    roster = national_roster()
    rows = zip(roster["code"].to_pylist(), roster["level"].to_pylist(), roster["name"].to_pylist())
    return [(code, level, raw, *place_name_rule(clean_name(raw))) for code, level, raw in rows]


def test_every_rule_names_as_many_units_as_it_declares(units):
    counts = Counter(rule.ending if rule else None for *_, rule in units)
    print(f"\n{len(units):,} units of the shipped roster; units per rule of roster_names.yaml:")
    for ending, count in counts.most_common():
        print(f"  {ending or '(no committee ending: name kept)'}: {count:,}")
    declared = {rule.ending: rule.count for _, by_ending in name_rules().by_length for rule in by_ending.values()}
    assert {ending: counts.get(ending, 0) for ending in declared} == declared
    assert sum(counts.values()) == len(units) == 665_276
    assert counts[None] == len(units) - sum(declared.values())


def test_each_rule_example_is_a_roster_unit_named_as_it_says(units):
    by_code = {code: (raw, name) for code, _, raw, name, _ in units}
    for _, by_ending in name_rules().by_length:
        for rule in by_ending.values():
            code, raw, _, place = rule.example.split(" ")
            assert by_code[code] == (raw, place), rule


def test_no_place_name_keeps_a_committee_ending(units):
    left = [(code, raw, name) for code, _, raw, name, _ in units if COMMITTEE_END.search(NOTE.sub("", name))]
    assert {name for _, _, name in left} == NOTHING_BUT_A_COMMITTEE, left[:20]
    assert all(raw == name for _, raw, name in left)


def test_a_doubled_village_word_is_only_one_the_roster_itself_writes(units):
    """鞍山村村委会 is 鞍山村; 护驾村村村委会 keeps the 村村 the roster writes before its committee words."""
    doubled = [(raw, name) for _, _, raw, name, _ in units if "村村" in NOTE.sub("", name)]
    for raw, name in doubled:
        place = NOTE.sub("", name)
        assert clean_name(raw).startswith(place), (raw, name)  # nothing appended made the 村村
    committee_double = Counter()
    for _, _, raw, name, _ in units:
        cleaned = clean_name(raw)
        for ending in ("村村委会", "村村民委员会"):
            if cleaned.endswith(ending) and not cleaned.endswith("村" + ending):
                committee_double[ending] += 1
                assert name == cleaned[: -len(ending) + 1], (raw, name)  # 鞍山村村委会 → 鞍山村
    print(f"\n{committee_double['村村委会']:,} units end 村村委会 and {committee_double['村村民委员会']:,} end 村村民委员会 "
          f"(one 村 kept); {len(doubled):,} place names keep a 村村 the roster writes (e.g. 护驾村村村委会)")
    assert committee_double["村村委会"] == 28_595
    assert committee_double["村村民委员会"] == 92_957


@pytest.mark.parametrize(
    "code, raw, place",
    [
        ("510131103209", "鞍山村村委会", "鞍山村"),  # 蒲江县朝阳湖镇
        ("110101001001", "多福巷社区居委会", "多福巷社区"),
        ("110105021200", "楼梓庄村委会", "楼梓庄村"),
        ("150526202210", "巴彦芒哈嘎查委员会", "巴彦芒哈嘎查"),
        ("130530100227", "护驾村村村委会", "护驾村村"),
        ("130104015001", "彭村居委会", "彭村"),
        ("610828001001", "香炉寺社区居委会", "香炉寺社区"),  # Jia County: unchanged
    ],
)
def test_named_units(units, code, raw, place):
    assert next((r, n) for c, _, r, n, _ in units if c == code) == (raw, place)
    assert short_admin_name(raw) == place


def test_rules_digest_is_the_same_in_every_process():
    """A roster loaded unchanged is skipped by its digest, which a later process computes again: it must not
    depend on the process's string hashing (a set's order does)."""
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    code = "from graph_model.names import name_rules_digest; print(name_rules_digest())"
    digests = {subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout.strip() for seed in ("1", "2", "3")}
    assert len(digests) == 1 and len(digests.pop()) == 64
