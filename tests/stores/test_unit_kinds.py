"""``Known.unit_kinds`` (the kinds of the units a table's tie ends name, their ids alone read) gives, on both
stores, the kinds ``Known.units`` gives of the same ids; a table's ties to them are checked alike."""

from graph_model.records import SourceRef, make_node
from loaders.roster import roster_graph
from tests.stores.test_embedded_bulk import _roster

ROSTER = SourceRef("r", "名册", "roster.csv")


def test_the_kinds_of_units_by_id_alone_are_those_of_the_units(store, schema):
    graph = roster_graph(_roster(30), "roster.csv", schema, ROSTER)
    graph.add_node(make_node(schema, "Enterprise", {"id": "610828100001x", "name": "编码似的企业"}, source=ROSTER))
    graph.add_node(make_node(schema, "Cooperative", {"id": "610828100099", "name": "占了村编码的合作社"}, source=ROSTER))
    store.write(graph)
    ids = ["61", "6108", "610828", "610828100", "610828100000", "610828100029", "610828100030", "610828999",
           "610828100001x", "610828100099", "6108281000", "", "６１０８２８１００００１"]
    known = store.known()
    kinds = known.unit_kinds(ids)
    assert kinds == {node.id: node.kind for node in known.units(ids)}
    assert kinds == {"61": "Province", "6108": "City", "610828": "County", "610828100": "Town",
                     "610828100000": "Village", "610828100029": "Village"}
    assert known.unit_kinds([]) == {}
