"""benchmarks/synth.py: synthetic ties over the real roster; 佳县 in full, 陕西省 by a 25% sample of its counties."""

import subprocess
import sys
from collections import Counter, defaultdict

import pytest

from benchmarks.synth import (MARK, ORG_COLUMNS, TIE_COLUMNS, UNIT_NAMES, counties_in, generate, generate_county,
                              write_tables)
from graph_model.records import Origin, make_node, make_tie
from loaders.nbs import national_roster, parse_scope
from loaders.roster import load_roster
from tests.conftest import EXAMPLE, REPO

SCRIPT = REPO / "benchmarks" / "synth.py"
SEED = 1
SYNTHETIC = "合成数据 synthetic (benchmarks/synth.py, seed 1)"
SHAANXI_RURAL_VILLAGES = 16_446  # 村委会 among the 20,356 villages of 陕西省


@pytest.fixture(scope="module")
def roster():
    return national_roster()


@pytest.fixture(scope="module")
def jia_county(roster):
    [county] = counties_in(roster, parse_scope(roster, "county", "610828"))
    return county


@pytest.fixture(scope="module")
def jia(jia_county):
    return generate_county(jia_county, SEED)


@pytest.fixture(scope="module")
def shaanxi_counties(roster):
    return list(counties_in(roster, parse_scope(roster, "province", "61")))


@pytest.fixture(scope="module")
def shaanxi_sample(shaanxi_counties):
    """Every fourth county of 陕西省, merged into one set of rows."""
    sample = shaanxi_counties[::4]
    organizations, ties = [], []
    for _, tables in generate(sample, SEED):
        organizations += tables.organizations
        ties += tables.ties
    return sample, organizations, ties


def as_dicts(rows, columns):
    return [dict(zip(columns, row)) for row in rows]


def test_jia_counts(jia_county, jia):
    assert len(jia_county.towns) == 13 and len(jia_county.villages) == 324  # rural villages (村委会)
    assert Counter(row[1] for row in jia.organizations) == {
        "AssistanceUnit": 48, "PartyOrganization": 42, "Cooperative": 9, "Enterprise": 4}
    assert Counter(row[0] for row in jia.ties) == {
        "MEMBER_OF": 115, "PAIRED_ASSISTANCE": 97, "LOCATED_IN": 61, "SUPPLIES": 53, "PARTY_ORG_OF": 26,
        "GUIDES": 19, "PRODUCES_FOR": 19, "CO_BUILDS": 7}


def test_jia_assistance_matches_the_article(jia):
    """The article: 48 assistance units paired with 92 villages; here 48 units, 1-5 villages each."""
    pairs = [t for t in as_dicts(jia.ties, TIE_COLUMNS) if t["type"] == "PAIRED_ASSISTANCE"]
    per_unit = Counter(t["from"] for t in pairs)
    assert len(per_unit) == 48
    assert set(per_unit.values()) <= {1, 2, 3, 4, 5}
    assert len({t["to"] for t in pairs}) == 97


def test_jia_validates_against_the_schema_with_the_real_roster(schema, jia):
    """Every row makes a valid node or tie, every tie joins existing nodes of kinds its kind allows."""
    graph = load_roster(EXAMPLE / "nbs_roster_610828.csv", schema)
    for row in as_dicts(jia.organizations, ORG_COLUMNS):
        values = {k: v for k, v in row.items() if v and k not in ("kind", "town", "county")}
        graph.add_node(make_node(schema, row["kind"], {**values, "source": SYNTHETIC}, Origin("organizations.csv")))
    for row in as_dicts(jia.ties, TIE_COLUMNS):
        values = {k: v for k, v in row.items() if v and k not in ("type", "from", "to")}
        graph.add_tie(make_tie(schema, row["type"], row["from"], row["to"], {**values, "source": SYNTHETIC},
                               Origin("ties.csv")))
    assert graph.problems(schema) == []
    assert len(graph.ties) == 349 + len(jia.ties)  # the roster's PART_OF ties, and no synthetic tie repeated
    assert graph.counts()["Village"] == 334


def check_rows(schema, roster_kinds, organizations, ties):
    """The rules every generated set keeps; returns the organizations by id."""
    orgs = {o["id"]: o for o in as_dicts(organizations, ORG_COLUMNS)}
    assert len(orgs) == len(organizations)
    for org in orgs.values():
        assert org["id"].startswith("syn:") and org["note"] == SYNTHETIC
        assert org["county"] in roster_kinds and roster_kinds[org["county"]] == "County"
        assert org["town"] == "" or org["town"].startswith(org["county"])
    kind = {**roster_kinds, **{i: o["kind"] for i, o in orgs.items()}}
    keys = set()
    for tie in as_dicts(ties, TIE_COLUMNS):
        assert tie["evidence"] == SYNTHETIC
        assert schema.tie_kind(tie["type"]).allows(kind[tie["from"]], kind[tie["to"]]), tie
        assert (tie["role"] != "") == (tie["type"] == "MEMBER_OF")
        if tie["start_date"]:
            assert 2015 <= int(tie["start_date"][:4]) <= 2024
        if tie["end_date"]:
            assert int(tie["end_date"][:4]) > int(tie["start_date"][:4]) and int(tie["end_date"][:4]) <= 2025
        keys.add((tie["type"], tie["from"], tie["to"]))
    assert len(keys) == len(ties)
    return orgs


def roster_kinds_of(roster, counties):
    kinds = {}
    for county in counties:
        kinds[county.code] = "County"
        for town in county.towns:
            kinds[town.code] = "Town"
            kinds.update((v.code, "Village") for v in town.villages)
    return kinds


def test_jia_rows_keep_the_rules(schema, roster, jia_county, jia):
    check_rows(schema, roster_kinds_of(roster, [jia_county]), jia.organizations, jia.ties)


def test_shaanxi_sample_keeps_the_rules_and_patterns(schema, roster, shaanxi_sample):
    counties, organizations, ties = shaanxi_sample
    orgs = check_rows(schema, roster_kinds_of(roster, counties), organizations, ties)
    ties = as_dicts(ties, TIE_COLUMNS)
    members = defaultdict(list)
    guides = defaultdict(list)
    party_of = {}
    for t in ties:
        if t["type"] == "MEMBER_OF":
            members[t["to"]].append(t)
        elif t["type"] == "GUIDES":
            guides[t["to"]].append(t["from"])
        elif t["type"] == "PARTY_ORG_OF":
            party_of[t["from"]] = t["to"]
    joint = [o for o in orgs.values() if o["joint"] == "true"]
    assert joint and all(o["kind"] == "PartyOrganization" for o in joint)
    for org in joint:
        tied = members[org["id"]]
        assert [t["role"] for t in tied].count("lead") == 1
        villages = [t["from"] for t in tied if t["from"].isdigit()]
        if org["name"].endswith("联村党委"):  # villages of one town, guided by that town's committee
            assert 2 <= len(villages) == len(tied) <= 9
            assert {v[:9] for v in villages} == {org["town"]}
            [committee] = guides[org["id"]]
            assert party_of[committee] == org["town"]
        else:  # an enterprise's joint branch: the enterprise leads, about a dozen villages
            [lead] = [t["from"] for t in tied if t["role"] == "lead"]
            assert orgs[lead]["kind"] == "Enterprise"
            assert 8 <= len(villages) <= 16
            supplies = {t["from"] for t in ties if t["type"] == "SUPPLIES" and t["to"] == lead}
            assert set(villages) <= supplies
    pairs = {(t["from"], t["to"]) for t in ties if t["type"] == "PAIRED_ASSISTANCE"}
    for t in ties:
        if t["type"] == "CO_BUILDS":  # a unit's branch with the branch of a village the unit is paired with
            assert (party_of[t["from"]], party_of[t["to"]]) in pairs
    aggregates = [o for o in orgs.values() if o["aggregate_count"]]
    assert aggregates and all(o["kind"] == "Cooperative" and 5 <= int(o["aggregate_count"]) <= 40 for o in aggregates)


def test_shaanxi_sample_scales_to_5000_organizations_and_20000_ties(shaanxi_sample):
    counties, organizations, ties = shaanxi_sample
    assert len(counties) == 27
    share = sum(len(c.villages) for c in counties) / SHAANXI_RURAL_VILLAGES
    assert 4_500 <= len(organizations) / share <= 5_500
    assert 18_000 <= len(ties) / share <= 22_000
    kinds = Counter(row[1] for row in organizations)
    assert 0.4 <= kinds["AssistanceUnit"] / len(organizations) <= 0.55
    pairs = Counter(row[0] for row in ties)["PAIRED_ASSISTANCE"]
    assert 1.8 <= pairs / kinds["AssistanceUnit"] <= 2.1  # the article: 92 / 48 = 1.92
    years = Counter(int(row[3][:4]) for row in ties if row[3])
    assert set(years) == set(range(2015, 2025))
    assert 0.02 <= sum(1 for row in ties if row[4]) / len(ties) <= 0.15  # some ties have ended


def test_a_county_is_the_same_alone_and_in_its_province(jia, shaanxi_counties):
    [in_province] = [c for c in shaanxi_counties if c.code == "610828"]
    assert generate_county(in_province, SEED) == jia


def test_ambiguous_county_names_are_qualified(roster):
    names = [c.name for c in counties_in(roster, parse_scope(roster, "city", "3201"))]
    assert "南京市鼓楼区" in names and "玄武区" in names


def test_counties_without_rural_villages_get_nothing(roster):
    [dongcheng] = counties_in(roster, parse_scope(roster, "county", "110101"))  # 北京市东城区: communities only
    assert dongcheng.villages == []
    tables = generate_county(dongcheng, SEED)
    assert tables.organizations == [] and tables.ties == []


def test_density_scales_the_counts(jia_county, jia):
    double = generate_county(jia_county, SEED, density=2.0)
    assert 1.6 <= len(double.ties) / len(jia.ties) <= 2.3
    # 96 units expected; a county has only as many units as there are unit names
    assert Counter(row[1] for row in double.organizations)["AssistanceUnit"] == len(UNIT_NAMES) == 70


def run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True)


def test_the_same_seed_gives_byte_identical_files(tmp_path, jia_county):
    files = {}
    for name, seed in (("a", SEED), ("b", SEED), ("c", 2)):
        write_tables(generate([jia_county], seed), tmp_path / name)
        files[name] = [(tmp_path / name / f).read_bytes() for f in ("organizations.csv", "ties.csv")]
    assert files["a"] == files["b"]
    assert files["a"][1] != files["c"][1]
    assert MARK.format(seed=2).encode("utf-8") in files["c"][1]


def test_cli_writes_the_tables_with_bom_and_a_summary(tmp_path):
    result = run("--county", "佳县", "--seed", SEED, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "wrote 103 organizations 组织 and 397 ties 关系 for 1 county 县" in result.stdout
    assert "AssistanceUnit 48" in result.stdout and "PAIRED_ASSISTANCE 97" in result.stdout
    assert "陕西省: 103 organizations 组织, 397 ties 关系" in result.stderr  # progress, one line per province
    organizations, ties = ((tmp_path / f).read_bytes().decode("utf-8") for f in ("organizations.csv", "ties.csv"))
    assert organizations.startswith("\ufeff" + ",".join(ORG_COLUMNS) + "\r\n")
    assert ties.startswith("\ufeff" + ",".join(TIE_COLUMNS) + "\r\n")
    assert organizations.count("\r\n") == 104 and ties.count("\r\n") == 398


def test_cli_scope_error_is_one_line(tmp_path):
    result = run("--county", "6108", "--out", tmp_path / "x")
    assert result.returncode == 2
    assert result.stderr.startswith("错误 error: --county 6108：县级代码应为 6 位 / a county code has 6 digits")
    assert "use --city 6108" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x").exists()
