#!/usr/bin/env python3
"""Precision and recall of ``linkgraph extract`` per text, at the level of (kind, from, to) after reconciliation.

Each ``tests/data/extract/*.expected.yaml`` names a text and its hand-checked
ties. The text is drafted (``linkgraph.pipeline.extract_draft``) with every
row accepted, the draft is loaded with the Jia County roster as a planner
would load it, and its ties are compared with the expected ones
(:mod:`loaders.extract.evaluate`). Every miss and every extra tie is listed.

    python scripts/evaluate_extraction.py            # all texts
    python scripts/evaluate_extraction.py --quiet    # the figures only
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from linkgraph.pipeline import extract_draft  # noqa: E402
from loaders import load_sources  # noqa: E402
from loaders.extract.evaluate import Score, describe, read_expected, score  # noqa: E402

DATA = REPO / "tests" / "data" / "extract"
ROSTER = REPO / "examples" / "jia_county" / "nbs_roster_610828.csv"


def evaluate(expected_file: Path, workdir: Path) -> tuple[str, Score, object]:
    """Draft the text an expected file names, load it with every row accepted, and score it."""
    data = yaml.safe_load(expected_file.read_text(encoding="utf-8"))
    text = (expected_file.parent / data["text"]).resolve()
    draft = workdir / f"{expected_file.name.removesuffix('.expected.yaml')}.xlsx"
    extract_draft([text], draft, roster=ROSTER, accept_above=0)
    loaded = load_sources([ROSTER, draft])
    return text.name, score(loaded.graph, read_expected(data), draft.name), loaded.graph


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="print the figures only")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'text':34} {'expected':>8} {'found':>6} {'matched':>7} {'precision':>9} {'recall':>6}")
        details = []
        for expected_file in sorted(DATA.glob("*.expected.yaml")):
            name, result, graph = evaluate(expected_file, Path(tmp))
            found = len(result.matched) + len(result.extra)
            expected = len(result.matched) + len(result.missed)
            print(f"{name:34} {expected:8} {found:6} {len(result.matched):7} {result.precision:9.2f} {result.recall:6.2f}")
            details.append((name, result, graph))
        if not args.quiet:
            for name, result, graph in details:
                for tie in result.missed:
                    print(f"  {name}: missed 漏提 {tie.label}")
                for tie in result.extra:
                    print(f"  {name}: extra 多提 {describe(tie, graph)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
