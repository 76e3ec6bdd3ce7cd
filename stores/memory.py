"""The memory a load may take (``linkgraph --memory-limit`` or ``$LINKGRAPH_MEMORY_LIMIT``) and the sizes of its
chunks that follow from it.

A limit does not make a load fail: it makes the store's page cache smaller while it writes (a quarter of the
limit, never more than without one) and so every bulk ``COPY`` smaller, in more and smaller chunks
(:mod:`stores.embedded`). Without a limit the sizes are as they were.

>>> parse_memory("1G"), parse_memory("1.5 GB"), parse_memory("800M"), parse_memory("2048")
(1073741824, 1610612736, 838860800, 2147483648)
>>> page_cache_mb(1024, 2**30), page_cache_mb(1024, None), page_cache_mb(1024, 100 * 2**20)
(256, 1024, 64)
>>> part_records(None), part_records(2**30), part_records(100 * 2**20)
(100000, 71582, 10000)
"""

from __future__ import annotations

import contextlib
import os
import re
from typing import Iterator

ENV = "LINKGRAPH_MEMORY_LIMIT"
PAGE_CACHE_SHARE = 0.25
"""The share of the limit LadybugDB's page cache takes while a load writes (the rest: the records read, the
columns of one ``COPY``, Python and LadybugDB themselves; 陕西省 under 1 GB, measured)."""
MIN_PAGE_CACHE_MB = 64
"""The smallest page cache a load writes with, whatever the limit (LadybugDB refuses a ``COPY`` it cannot hold)."""
PART_RECORDS = 100_000
"""Records a load reads, checks and turns into ``COPY`` columns at a time where it works in parts (the national
roster: 665,276 units and their ties in 14 parts), without a memory limit."""
PART_SHARE = 0.1
"""The share of the limit the records of one part may take (the rest: the page cache, the store's keys, Python)."""
RECORD_BYTES = 1_500
"""Memory one record (a node or a tie with its statement) takes while it is read, measured nationally: the roster's
1,330,521 records took 2.06 GB."""
MIN_PART_RECORDS = 10_000
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)
_UNITS = {"k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}


def parse_memory(text: str) -> int:
    """Bytes from ``1G``, ``1.5GB``, ``800M``, ``800MiB``; a bare number is megabytes (``2048``).

    >>> parse_memory("lots")
    Traceback (most recent call last):
    ValueError: 内存上限应写成 1G、800M 或 2048（单位 MB）/ a memory limit is written 1G, 800M or 2048 (megabytes), not 'lots'
    """
    match = _SIZE.match(str(text))
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"内存上限应写成 1G、800M 或 2048（单位 MB）/ a memory limit is written 1G, 800M or 2048 "
                         f"(megabytes), not {str(text)[:40]!r}")
    number, unit = match.groups()
    return int(float(number) * _UNITS.get(unit.lower(), 2**20))


def memory_limit() -> int | None:
    """The limit in bytes from ``$LINKGRAPH_MEMORY_LIMIT`` (set by ``--memory-limit``), or None without one.
    An unreadable value raises :class:`ValueError` (a limit that is ignored would surprise more)."""
    text = os.environ.get(ENV, "").strip()
    return parse_memory(text) if text else None


def page_cache_mb(default_mb: int, limit: int | None) -> int:
    """The page cache a load writes with, in MB: ``default_mb``, or under ``limit`` bytes a quarter of it
    (at least :data:`MIN_PAGE_CACHE_MB`, at most ``default_mb``)."""
    if limit is None:
        return default_mb
    return max(MIN_PAGE_CACHE_MB, min(default_mb, int(limit * PAGE_CACHE_SHARE) // 2**20))


def part_records(limit: int | None) -> int:
    """How many records a load in parts reads at a time: :data:`PART_RECORDS`, or under ``limit`` bytes as many as
    :data:`PART_SHARE` of it holds (at least :data:`MIN_PART_RECORDS`, at most :data:`PART_RECORDS`)."""
    if limit is None:
        return PART_RECORDS
    return max(MIN_PART_RECORDS, min(PART_RECORDS, int(limit * PART_SHARE) // RECORD_BYTES))


@contextlib.contextmanager
def limited(text: str | None) -> Iterator[None]:
    """``$LINKGRAPH_MEMORY_LIMIT`` set to ``text`` (checked first) while the block runs, as it was after; nothing
    changes for None (``--memory-limit`` not given: the variable, if set, holds)."""
    if text is None:
        yield
        return
    parse_memory(text)
    before = os.environ.get(ENV)
    os.environ[ENV] = text
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = before


def give_back() -> None:
    """Return the memory freed so far to the operating system (glibc's ``malloc_trim``; nothing elsewhere).

    A load frees what it needed only for reading (the store's units and their name index: about 0.8 GB
    nationally) before it writes; without this much of it stays with the process, and the page cache the
    write takes comes on top of it."""
    import ctypes  # here, not at the top: a query's start does not need it

    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)
    if trim is not None:
        trim(0)
