"""Rows in batches, and the shapes the stores' write paths share (no store logic here).

>>> [list(b) for b in batches([1, 2, 3], 2)]
[[1, 2], [3]]
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, Sequence

BATCH_SIZE = 2000

Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` while a long write runs."""

Statement = tuple[str, Mapping[str, Any]]


def batches(rows: Sequence[Any], size: int = BATCH_SIZE) -> Iterable[Sequence[Any]]:
    """``rows`` in slices of at most ``size`` (statements take their parameters a batch at a time)."""
    return (rows[i : i + size] for i in range(0, len(rows), size))
