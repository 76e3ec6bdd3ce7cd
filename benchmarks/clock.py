"""What a piece of work costs: wall time, CPU time and, when one is measured, the Neo4j server's CPU time.

CPU time is the figure the targets are set in (issue 22): on a shared machine wall time grows with the
load average, CPU time much less. A process's CPU is ``getrusage``'s user + system time of the process
(every thread: LadybugDB's ``COPY`` and igraph run several) plus that of the children it has waited
for (the report's forked writer), so a step's CPU counts all of its processes. Neo4j's work happens in
its server: with ``NEO4J_HOME`` set, :func:`server_cpu` adds up the CPU of that home's Java processes
from ``/proc``, so a Neo4j load and its plain ``UNWIND`` anchor are compared client plus server.

    >>> spent, value = measured(lambda: sum(range(1000)))
    >>> value, spent["seconds"] >= 0, spent["cpu_seconds"] >= 0
    (499500, True, True)
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path
from typing import Any, Callable

TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu() -> float:
    """User + system seconds of this process and of the children it has waited for."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peak_mb() -> float:
    """The highest resident set of this process or of any child it has waited for, in MB."""
    return max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024


def server_cpu(home: str | None = None) -> float | None:
    """CPU seconds the Neo4j server of ``home`` (default ``$NEO4J_HOME``) has used so far, or None when no home
    is given or no process of it runs: its Java processes are those whose command line names that home."""
    home = home or os.environ.get("NEO4J_HOME")
    if not home:
        return None
    marker, total, found = str(Path(home).resolve()).encode(), 0, False
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            stat = (entry / "stat").read_text()
        except OSError:  # the process ended while we looked
            continue
        if b"org.neo4j" in command and marker in command:
            fields = stat.rsplit(")", 1)[1].split()
            total, found = total + (int(fields[11]) + int(fields[12])) / TICKS, True
    return total if found else None


def measured(work: Callable[[], Any]) -> tuple[dict[str, float], Any]:
    """Run ``work``; what it cost (``seconds`` wall, ``cpu_seconds`` of this process and its children, and
    ``server_cpu_seconds`` when a Neo4j server is measured) and its result."""
    server_before, cpu_before, started = server_cpu(), process_cpu(), time.perf_counter()
    result = work()
    spent = {"seconds": time.perf_counter() - started, "cpu_seconds": process_cpu() - cpu_before}
    server_after = server_cpu()
    if server_before is not None and server_after is not None:
        spent["server_cpu_seconds"] = server_after - server_before
    return spent, result
