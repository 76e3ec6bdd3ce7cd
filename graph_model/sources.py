"""What a load hands a store about its sources, and what it may ask the store; records only, no I/O.

A store writes a load's graph with a :class:`SourceInfo` per source (so it can skip a source it holds
unchanged) and answers the loaders' questions through a :class:`Known` (the kinds of ids, the places and
organizations it holds). Both are declared here, below the loaders and the stores, so that neither
imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Callable, Collection, Iterable, Mapping

from graph_model.records import KindOf, Node, Origin, Problem, SourceRef


@dataclass(frozen=True)
class SourceInfo:
    """One source of a load: how it is named in provenance, and a digest of everything it was read from."""

    ref: SourceRef
    path: Path
    digest: str
    kind: str
    folder: str = ""
    """The folder the file was read from (resolved): two towns' ``结对帮扶.csv`` have one name (the source's key)
    and two folders. Empty where no folder says which file it is (an upload of ``serve``, a packaged roster)."""


@dataclass(frozen=True)
class Arriving:
    """A source a load names, as a store's registry is asked about it before anything is read: its key (file
    name), its digest and the folder of its file (empty for an upload: no folder of its own)."""

    key: str
    digest: str
    folder: str


def folder_clashes(arriving: Iterable[Arriving], registry: Mapping[str, Mapping[str, object]], *,
                   new_version: bool = False) -> tuple[list[Problem], list[str]]:
    """The problems and notes of sources whose name the store holds from another file.

    A source loaded again from the folder it was loaded from (edited in place) is its new version, as is one
    the store holds unchanged. One of a name the store holds from another folder, with other content, is
    another town's file of the same name (``通镇/结对帮扶.csv``, then ``坑镇/结对帮扶.csv``): loading it would
    replace, and so delete, all that only the first stated. It is a problem, unless ``new_version`` says it is
    the new version of that table (a note). Where the store records no folder (a store of an older linkgraph,
    an upload) or the load has none (an upload), the name alone says which source it is, as before: a note
    where the store's has none."""
    problems: list[Problem] = []
    notes: list[str] = []
    for source in arriving:
        held = registry.get(source.key)
        if held is None or held.get("digest") == source.digest or not source.folder:
            continue
        before = str(held.get("folder") or "")
        if not before:
            notes.append(f"库中的 {source.key} 没有记录来自哪个文件夹（较早版本的 linkgraph 载入或网页上传），按同一来源的新版本替换，"
                         f"此后记录为 {source.folder}；若它原是另一个乡镇的表，请把那张表另起文件名再载入 / the store does not record which "
                         f"folder {source.key} came from (an older linkgraph, or an upload): loaded as its new version, "
                         f"from {source.folder} on; if it was another town's table, load that one again under a name of its own")
        elif before == source.folder:
            continue
        elif new_version:
            notes.append(f"{source.key} 作为 {before} 中同名来源的新版本载入（--new-version），替换它的内容 / loaded as the "
                         f"new version of {source.key} from {before} (--new-version): it replaces what that one stated")
        else:
            problems.append(_clash(source, before))
    return problems, notes


def _clash(source: Arriving, before: str) -> Problem:
    """The problem of a source whose name the store holds from the folder ``before``, with other content."""
    renamed = f"{PurePath(source.folder).name}{source.key}"
    return Problem(Origin(str(PurePath(source.folder, source.key))),
                   f"库中已有另一个文件夹的同名来源 {source.key}（载入自 {before}），内容不同；照此载入会删除它记载而本文件未记载的内容 / "
                   f"the store holds another {source.key}, loaded from {before}, with other content: loading this one "
                   "would delete what only that one states",
                   f"若是另一个乡镇的表，请另起文件名（如 {renamed}）；若确是同一张表的新版本，加 --new-version 再载入 / if it is "
                   f"another town's table, give it its own name (e.g. {renamed}); if it is the new version of that "
                   "table, load it with --new-version")


@dataclass
class Known:
    """What the store holds, as the loaders ask for it (see ``Store.known``); empty for a new store."""

    kind_of: KindOf = lambda node_id: None
    places: Callable[[], Iterable[Node]] = lambda: ()
    organizations: Callable[[], Iterable[Node]] = lambda: ()
    units: Callable[[Collection[str]], Iterable[Node]] | None = None
    """The units among some ids, as :attr:`places` gives them (a load asks for those a part of a table names by
    code rather than for all: nationally 665,276); None where only :attr:`places` answers."""
    unit_kinds: Callable[[Collection[str]], Mapping[str, str]] | None = None
    """The kind of each unit among some ids, found as :attr:`units` finds them, their ids alone read (the ends of
    a national table's ties name 600,000 units, of which a load keeps the kinds only); None where :attr:`units`
    answers for them."""
    tied_from: Callable[[str, str, str, Collection[str]], Mapping[str, list[str]]] = lambda *_: {}
    """``tied_from(type, source kind, target kind, ids)``: the ids of the nodes of the source kind tied by ``type``
    to each of ``ids`` (of the target kind) that has any (the party organizations of a village a 村企联建 row
    names)."""
