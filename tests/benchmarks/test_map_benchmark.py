"""The map benchmark's own logic (the runs themselves are not part of the test suite)."""

from benchmarks.map import section, write_section


def result(name, **values):
    return {"name": name, "title": name, "nodes": 368, "ties": 383, "organizations": 19, "export_s": 0.1,
            "build_s": 0.5, "page_mb": 0.9, "drawn": 17, "groups": 0, "frame_s": 0.4, "pyvis_build_s": 0.2,
            "pyvis_frame_s": None, "measures": ["degree"], **values}


def test_the_map_section_replaces_only_itself(tmp_path):
    path = tmp_path / "BENCHMARKS.md"
    path.write_text("# Benchmarks\n\n## Analysis\n\nkept\n\n## Map\n\nold figures\n\n## Scale\n\nkept too\n",
                    encoding="utf-8")
    text = section([result("county"), result("country", drawn=331, groups=331, frame_s=6.8)], 600, "python benchmarks/map.py")
    write_section(path, text)
    new = path.read_text(encoding="utf-8")
    assert "old figures" not in new and new.count("## Map") == 1
    assert "## Analysis\n\nkept\n\n## Map\n" in new and new.endswith("## Scale\n\nkept too\n")
    assert "| county | 368 | 383 | 19 | 0.10 s | 0.50 s | 0.9 MB | 17 nodes | 0.40 s | 0.20 s | > 600 s (stopped) |" in new
    assert "| 331 groups | 6.80 s |" in new


def test_the_map_section_is_added_to_a_new_file(tmp_path):
    path = tmp_path / "BENCHMARKS.md"
    write_section(path, section([result("county")], 600, "python benchmarks/map.py"))
    assert path.read_text(encoding="utf-8").startswith("# Benchmarks\n\n## Map\n")
