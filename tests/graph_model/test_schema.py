import copy
import datetime as dt

import pytest
import yaml

from graph_model.schema import SchemaError, default_schema, packaged_yaml, parse_schema
from tests.conftest import REPO

DESIGN_NODE_KINDS = ["Province", "City", "County", "Town", "Village", "PartyOrganization", "Enterprise",
                     "Cooperative", "AssistanceUnit", "Project", "Industry", "Person"]
DESIGN_TIE_KINDS = ["PART_OF", "LOCATED_IN", "PARTY_ORG_OF", "MEMBER_OF", "GUIDES", "SERVES", "PAIRED_ASSISTANCE",
                    "CO_BUILDS", "SUPPLIES", "PRODUCES_FOR", "OPERATES", "ENGAGED_IN"]


@pytest.fixture
def declaration():
    return yaml.safe_load((REPO / "graph_model" / "schema.yaml").read_text(encoding="utf-8"))


def test_schema_declares_the_kinds_of_the_design(schema):
    assert list(schema.node_labels) == DESIGN_NODE_KINDS
    assert list(schema.tie_types) == DESIGN_TIE_KINDS
    assert schema.node_kind("AssistanceUnit").zh == "帮扶单位"
    assert schema.tie_kind("PAIRED_ASSISTANCE").zh == "结对帮扶"


def test_every_kind_has_the_common_properties(schema):
    for kind in schema.node_kinds:
        names = [p.name for p in kind.properties]
        assert names[:4] == ["id", "name", "name_raw", "aliases"]
        assert {"source", "provenance", "conflicts"} <= set(names)
        assert kind.property("id").required and kind.property("name").required
        assert not kind.property("provenance").stated and kind.property("name").stated
    for tie in schema.tie_kinds:
        names = {p.name for p in tie.properties}
        assert {"start_date", "end_date", "source", "evidence", "provenance", "start_year", "end_year"} <= names
        assert tie.property("evidence").required


def test_combine_policies_and_categories_are_declared(schema):
    village = schema.node_kind("Village")
    assert (village.property("name").combine, village.property("aliases").combine) == ("first", "union")
    assert village.property("claims").combine == "latest"
    assert schema.tie_kind("PAIRED_ASSISTANCE").property("evidence").combine == "join"
    assert {t.type for t in schema.tie_kinds if t.category == "attribute"} == {"ENGAGED_IN"}
    assert {t.type for t in schema.tie_kinds if t.administrative} == {"PART_OF", "LOCATED_IN", "PARTY_ORG_OF"}
    assert schema.placing_ties == schema.administrative_ties
    assert "PARTY_ORG_OF" not in schema.working_ties  # a party organization of a place is not its partner
    assert "结对单位" in schema.node_kind("AssistanceUnit").words


def test_endpoints_expand_lists(schema):
    located = schema.tie_kind("LOCATED_IN")
    assert len(located.endpoints) == 5 * 3
    assert located.allows("Enterprise", "Village")
    assert not located.allows("Village", "Enterprise")
    assert ("PART_OF", "Village", "Town") in schema.endpoint_pairs()


def test_derived_year_columns(schema):
    year = schema.tie_kind("GUIDES").property("start_year")
    assert year.type == "int" and year.derived_from == "start_date"


def test_unknown_names_are_errors(schema):
    with pytest.raises(SchemaError, match="^未知的节点类型 / unknown node kind 'Villages'"):
        schema.node_kind("Villages")
    with pytest.raises(SchemaError, match="^未知的关系类型 / unknown tie kind 'rel2'; 已有类型 known: .*PART_OF"):
        schema.tie_kind("rel2")


def test_default_schema_is_read_once():
    assert default_schema() is default_schema()


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["node_kinds"].__setitem__("Bad-Label", d["node_kinds"]["Town"]), "not an identifier"),
        (lambda d: d["node_kinds"]["Town"].__setitem__("color", "red; background:url(x)"), "color must be"),
        (lambda d: d["tie_properties"].__setitem__("end", {"type": "date", "zh": "结束", "en": "End"}), "Cypher keyword"),
        (lambda d: d["tie_properties"]["source"].__setitem__("type", "blob"), "type 'blob'"),
        (lambda d: d["tie_kinds"]["PART_OF"].__setitem__("endpoints", [["Village", "Nowhere"]]), "unknown node kind"),
        (lambda d: d["node_properties"]["id"].__setitem__("required", False), "required 'id'"),
        (lambda d: d["node_properties"]["note"].__setitem__("combine", "loudest"), "combine 'loudest'"),
        (lambda d: d["node_properties"]["note"].__setitem__("combine", "union"), "union needs a string_list"),
        (lambda d: d["tie_kinds"]["GUIDES"].__setitem__("category", "friendly"), "category must be one of"),
        (lambda d: d["node_kinds"]["Enterprise"].__setitem__("role", "party"), r"a role is declared on two .*'party'"),
        (lambda d: d["tie_kinds"]["CO_BUILDS"]["through"].__setitem__("tie", "LOVES"), "unknown tie kind 'LOVES'"),
        (lambda d: d["tie_kinds"]["CO_BUILDS"]["through"].__setitem__("kinds", ["Project"]), "must join one kind"),
        (lambda d: d["tie_kinds"]["CO_BUILDS"]["through"].__setitem__("form", "支部"), "form '支部' is not a form"),
        (lambda d: d["tie_kinds"]["CO_BUILDS"].__setitem__("through", {"tie": "PARTY_ORG_OF"}), "needs tie, kinds"),
    ],
)
def test_invalid_declarations_are_rejected(declaration, mutate, message):
    bad = copy.deepcopy(declaration)
    mutate(bad)
    with pytest.raises(SchemaError, match=message):
        parse_schema(bad)


def test_packaged_yaml_is_kept_parsed_while_the_file_is_unchanged(tmp_path, declaration):
    (tmp_path / "schema.yaml").write_bytes((REPO / "graph_model" / "schema.yaml").read_bytes())
    assert packaged_yaml(tmp_path / "schema.yaml") == declaration
    assert (tmp_path / "__pycache__" / "schema.yaml.pickle").exists()
    assert packaged_yaml(tmp_path / "schema.yaml") == declaration  # from the kept form
    dated = tmp_path / "dated.yaml"
    dated.write_text("example: 2021-12-31\n", encoding="utf-8")
    assert packaged_yaml(dated) == {"example": dt.date(2021, 12, 31)}
    dated.write_text("example: 2022-06-30 # edited\n", encoding="utf-8")
    assert packaged_yaml(dated) == {"example": dt.date(2022, 6, 30)}


def test_packaged_yaml_reads_a_folder_it_cannot_write(tmp_path):
    (tmp_path / "a.yaml").write_text("k: [1, 2]\n", encoding="utf-8")
    (tmp_path / "__pycache__").write_text("a file where the folder would be", encoding="utf-8")
    assert packaged_yaml(tmp_path / "a.yaml") == {"k": [1, 2]}
