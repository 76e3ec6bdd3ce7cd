"""Functions small enough to read: cyclomatic complexity at most 20, as radon measures it (McCabe's count of
decisions, each ``and``/``or`` a decision too: the measure issue 18 gives its figures in).

Every function of linkgraph's packages is kept at most at the limit; the functions listed were split because
they were far above it (issue 18), and are named so that a rename of one is noticed.
"""

from pathlib import Path

import pytest
from radon.complexity import cc_visit

REPO = Path(__file__).resolve().parents[1]
LIMIT = 20
PACKAGES = ("graph_model", "loaders", "queries", "stores", "analysis", "visualizations", "linkgraph")
SPLIT = {
    "benchmarks/run.py": ["lines_of", "_load_lines", "_query_lines", "_output_lines", "_admin_lines", "_cli_lines"],
    "graph_model/places.py": ["_resolve_code"],
    "graph_model/records.py": ["combine", "coerce_value"],
    "graph_model/schema.py": ["parse_schema"],
    "linkgraph/serve.py": ["query_page"],
    "loaders/__init__.py": ["load_sources"],
    "loaders/case_file.py": ["parse_case"],
    "loaders/extract/document.py": ["parse_docx"],
    "loaders/extract/mentions.py": ["MentionFinder._organization", "MentionFinder._named", "MentionFinder._reference",
                                    "MentionFinder._place_entity", "MentionFinder._references"],
    "loaders/extract/ties.py": ["TieFinder._formation", "TieFinder._support", "TieFinder._members",
                                "TieFinder._apply_cue", "TieFinder._pick"],
    "stores/writing.py": ["Writing.write"],
    "stores/neo4j_admin.py": ["write_import"],
    "stores/plan.py": ["plan_write"],
    "visualizations/map.py": ["map_data", "layout", "_cell_layout"],
    "visualizations/report.py": ["render_report"],
}


def complexities(path: Path) -> dict[str, int]:
    """Every function and method of a file (``Class.method``) and its cyclomatic complexity."""
    # radon gives each class and, apart, each of its functions (methods named by fullname, Class.method)
    return {b.fullname: b.complexity for b in cc_visit(path.read_text(encoding="utf-8")) if not hasattr(b, "methods")}


def test_the_measure_counts_branches(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("def f(a, b):\n    if a and b:\n        return 1\n    for x in a:\n        pass\n    return 2\n\n"
                      "class C:\n    def m(self):\n        return 1 if self else 2\n")
    assert complexities(source) == {"f": 4, "C.m": 2}


@pytest.mark.parametrize("file", sorted(SPLIT))
def test_split_functions_stay_small(file):
    found = complexities(REPO / file)
    assert {name: found[name] for name in SPLIT[file] if found[name] > LIMIT} == {}


def test_every_function_of_the_packages_is_small():
    files = sorted(path for package in PACKAGES for path in (REPO / package).rglob("*.py"))
    assert len(files) > 50  # the packages are there (a wrong REPO would find nothing and pass)
    too_complex = {f"{path.relative_to(REPO)}:{name}": value for path in files
                   for name, value in complexities(path).items() if value > LIMIT}
    assert too_complex == {}
