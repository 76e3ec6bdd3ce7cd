import pytest

from graph_model.records import InputError
from loaders.reconcile import PlaceRef, RosterIndex, resolve_place
from loaders.roster import load_roster
from tests.conftest import EXAMPLE


@pytest.fixture(scope="module")
def index():
    from graph_model.schema import default_schema

    return RosterIndex(load_roster(EXAMPLE / "nbs_roster_610828.csv", default_schema()))


def test_exact_village_in_its_town(index):
    match = resolve_place(index, PlaceRef("Village", "核桃树墕村", town="乌镇"))
    assert (match.node.id, match.status, match.others) == ("610828103224", "exact", ())
    assert not match.is_conflict


def test_traditional_spelling_matches_after_normalization(index):
    match = resolve_place(index, PlaceRef("Village", "尚家溝村", town="烏鎮"))
    assert (match.node.id, match.status) == ("610828103221", "normalized")


def test_same_name_elsewhere_is_recorded(index):
    match = resolve_place(index, PlaceRef("Village", "西山村", town="店镇"))
    assert match.node.id == "610828102209"
    assert match.others == ()
    dup = resolve_place(index, PlaceRef("Village", "王家墕村", town="金明寺镇"))
    assert dup.node.id == "610828104250" and dup.status == "exact" and dup.is_conflict
    assert dup.others == ("佳州街道王家墕村 (610828001216)", "螅镇王家墕村 (610828109245)")


def test_article_xishan_in_tong_town_is_not_guessed(index):
    with pytest.raises(InputError) as caught:
        resolve_place(index, PlaceRef("Village", "西山村", town="通镇"))
    message = str(caught.value)
    assert "Village 西山村 in 通镇 is not in the roster" in message
    assert "通镇崔家西山村 (610828105236)" in message and "店镇西山村 (610828102209)" in message
    assert "resolve_to" in message


def test_curated_resolution_is_recorded_with_the_competing_candidate(index):
    ref = PlaceRef("Village", "西山村", town="通镇", resolve_to="610828105236", resolution="按乡镇对应")
    match = resolve_place(index, ref)
    assert (match.node.name, match.status) == ("崔家西山村", "curated")
    assert match.others == ("店镇西山村 (610828102209)",)
    assert "按乡镇对应" in match.note and "610828105236" in match.note


@pytest.mark.parametrize(
    "ref, message",
    [
        (PlaceRef("Village", "西山村", town="通镇", resolve_to="610828105236"), "须说明核对依据 / resolve_to 610828105236 "
         "is 通镇崔家西山村 \\(610828105236\\), not 通镇西山村: say why"),
        (PlaceRef("Village", "西山村", town="通镇", resolve_to="610828105236", resolution="  "), "say why in resolution"),
        (PlaceRef("Village", "西山村", town="通镇", resolve_to="610828105", resolution="x"), "is not a Village"),
        (PlaceRef("Village", "核桃树墕村", town="乌镇", resolve_to="610828105236", resolution="x"), "matches the roster, but resolve_to"),
        (PlaceRef("Village", "西山村", code="610828105236"), "代码与名称不符 / code 610828105236 is 通镇崔家西山村 \\(610828105236\\), not 西山村"),
        (PlaceRef("Village", "王家墕村"), "名册中有 3 个“王家墕村”，须注明所属乡镇 / 3 villages of the roster are named "
         "王家墕村; give its town; 候选 candidates: 佳州街道王家墕村 \\(610828001216\\); 金明寺镇王家墕村"),
        (PlaceRef("Village", "610828100000"), "the code 610828100000 ends in zeros: Excel may have stored it as a number"),
        (PlaceRef("Town", "佳芦镇"), "Town 佳芦镇 is not in the roster"),
    ],
)
def test_refusals(index, ref, message):
    with pytest.raises(InputError, match=message):
        resolve_place(index, ref)


def test_a_village_named_without_its_town_resolves_when_its_name_is_unique(index):
    match = resolve_place(index, PlaceRef("Village", "核桃树墕村"))
    assert (match.node.id, match.status, match.is_conflict) == ("610828103224", "unique", False)
    assert "未注明乡镇，名册中仅此一个同名村 / no town given; the only village of that name in the roster" in match.note


def test_codes_suffixes_and_dropped_town_prefixes_resolve(index):
    assert resolve_place(index, PlaceRef("Village", "", code="610828105236")).status == "code"
    assert resolve_place(index, PlaceRef("Village", "崔家西山村委会", town="通镇")).node.id == "610828105236"
    assert resolve_place(index, PlaceRef("Village", "城关村", town="佳州街道")).node.name == "佳州街道办事处城关村"
    assert resolve_place(index, PlaceRef("Town", "刘国具", county="佳县")).node.id == "610828111"


def test_unresolved_references_carry_what_a_reviewer_needs(index):
    from loaders.reconcile import Unresolved

    with pytest.raises(InputError) as caught:
        resolve_place(index, PlaceRef("Village", "王家墕村", county="佳县"))
    problem = caught.value.problems[0]
    assert isinstance(problem, Unresolved) and problem.status == "ambiguous"
    assert problem.candidates == ("佳州街道王家墕村 (610828001216)", "金明寺镇王家墕村 (610828104250)",
                                  "螅镇王家墕村 (610828109245)")


def test_an_independently_spelled_village_list_resolves_through_the_loader_path(index):
    """The loaders' resolve_place on tests/data/jia_villages_independent.csv: 97% unique and right, 0 wrong."""
    import csv

    from loaders.reconcile import Unresolved
    from tests.conftest import REPO

    rows = list(csv.DictReader((REPO / "tests" / "data" / "jia_villages_independent.csv").open(encoding="utf-8")))
    right = wrong = 0
    unresolved = []
    for row in rows:
        try:
            match = resolve_place(index, PlaceRef("Village", row["name"], town=row["town"]))
        except InputError as err:
            problem = err.problems[0]
            assert isinstance(problem, Unresolved)
            unresolved.append((row["name"], problem.status, any(row["expected_code"] in c for c in problem.candidates[:3])))
            continue
        right += match.node.id == row["expected_code"]
        wrong += match.node.id != row["expected_code"]
    assert (len(rows), right, wrong) == (334, 325, 0)
    assert right / len(rows) >= 0.97
    assert [(name, status) for name, status, _ in unresolved] == [
        ("脖牛沟村", "missing"), ("尚家勾村", "missing"), ("袁岔村", "missing"), ("西山村", "missing"),
        ("刘家沟村", "missing"), ("兴庄村", "missing"), ("前吕岩村", "missing"), ("郭家沟村", "missing"),
        ("薛家畔村", "missing")]
    assert all(in_top_three for _, _, in_top_three in unresolved)
