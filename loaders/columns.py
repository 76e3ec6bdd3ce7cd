"""The column vocabulary of planners' tables: which field each header names, and what a sheet holds.

Headers are the schema's Chinese or English names or the words planners use
for them (``columns.yaml`` and the ``words`` of ``schema.yaml``), or a mapping
the user gives (``--columns``); a sheet's role (a node kind or the ties) comes
from its name, its ``--kind`` or its headers.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Iterable, Mapping

import yaml

from graph_model.names import similar_names
from graph_model.records import InputError, Origin, Problem
from graph_model.schema import Schema, packaged_yaml
from loaders.sheets import Sheet, cell_text, header_key

ACCEPT = "accept"  # the field of a draft's 采纳 column (linkgraph extract)


@functools.cache
def columns_data() -> dict[str, Any]:
    return packaged_yaml(resources.files("loaders").joinpath("columns.yaml"))


def _spellings(name: str, zh: str, en: str, words: Iterable[str]) -> set[str]:
    return {header_key(w) for w in (name, zh, en, *zh.split("/"), *words) if w}


@dataclass(frozen=True)
class Vocabulary:
    """The fields a table may have, and every header that names each of them; ``titles`` says each field as a
    planner reads it, Chinese first (``终点 To``: the ``zh`` and ``en`` of ``columns.yaml`` or ``schema.yaml``)."""

    fields: dict[str, set[str]]
    titles: dict[str, str] = field(default_factory=dict)

    def field_of(self, header: str) -> str | None:
        key = header_key(header)
        for name, spellings in self.fields.items():
            if key in spellings:
                return name
        for part in re.split(r"[\s/]+", str(header).strip()):  # "名称 Name", "起点/From"
            for name, spellings in self.fields.items():
                if header_key(part) in spellings:
                    return name
        return None

    def labels(self) -> list[str]:
        return list(self.fields)

    def choices(self) -> tuple[tuple[str, str], ...]:
        """Every field with its title, in the table's order: what a page offers for a header it does not know."""
        return tuple((name, self.titles.get(name, name)) for name in self.fields)


@dataclass(frozen=True)
class UnknownColumn(Problem):
    """A header that names no field (and that ``--columns`` does not map), with what a front end needs to let
    the planner say which field it is: the header as written, the fields of its table (:meth:`Vocabulary.choices`)
    and the field of the "did you mean" spelling, if there is one."""

    header: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    suggested: str | None = None


def _title(zh: str, en: str) -> str:
    return f"{zh} {en}" if en and en != zh else zh


@functools.cache
def node_vocabulary(schema: Schema, kind: str | None) -> Vocabulary:
    """Fields of a node table: one kind's properties, or (``kind=None``) every organization kind's."""
    kinds = [schema.node_kind(kind)] if kind else [k for k in schema.node_kinds if not k.administrative]
    fields: dict[str, set[str]] = {}
    titles: dict[str, str] = {}
    for name, spec in columns_data()["node_table"].items():
        if kind is None or name != "kind":
            fields[name] = _spellings(name, spec["zh"], spec["en"], spec.get("words", ()))
            titles[name] = _title(spec["zh"], spec["en"])
    for node_kind in kinds:
        for prop in node_kind.properties:
            if prop.stated:
                fields.setdefault(prop.name, set()).update(_spellings(prop.name, prop.zh, prop.en, prop.words))
                titles.setdefault(prop.name, _title(prop.zh, prop.en))
        # the name column headed by the kind it names: 企业名称 on 企业, 合作社名称 on 合作社
        fields["name"].update(header_key(word + "名称") for word in (*node_kind.zh.split("/"), *node_kind.words)
                              if not word.isascii())
    return Vocabulary(fields, titles)


@functools.cache
def tie_vocabulary(schema: Schema) -> Vocabulary:
    """Fields of a ties table: the endpoint columns and every tie kind's properties."""
    table = columns_data()["tie_table"]
    fields = {name: _spellings(name, spec["zh"], spec["en"], [*spec.get("words", ()), *_end_kind_words(name)])
              for name, spec in table.items()}
    titles = {name: _title(spec["zh"], spec["en"]) for name, spec in table.items()}
    for tie_kind in schema.tie_kinds:
        for prop in tie_kind.properties:
            if prop.stated:
                fields.setdefault(prop.name, set()).update(_spellings(prop.name, prop.zh, prop.en, prop.words))
                titles.setdefault(prop.name, _title(prop.zh, prop.en))
    return Vocabulary(fields, titles)


@functools.cache
def _end_kind_words(field: str) -> dict[str, str]:
    """The headers of a tie table's end ``field`` (from, to) that also say its kind, to that kind (``columns.yaml``
    ``kinds``: 村 → Village, 企业 → Enterprise)."""
    kinds = columns_data()["tie_table"][field].get("kinds") or {}
    return {word: kind for kind, words in kinds.items() for word in words}


@functools.cache
def end_kind(field: str, header: str | None) -> str | None:
    """The kind of unit a tie table's end column says it holds by its header (村 → ``Village``), or ``None``;
    at either end (企业名称 ends a 村企联建 tie and starts a 万企帮万村 pairing: :func:`tie_end_mapping`).

    >>> end_kind("from", "联建村"), end_kind("to", "企业名称（全称）"), end_kind("from", "企业名称"), end_kind("to", "终点")
    ('Village', 'Enterprise', 'Enterprise', None)
    """
    if field not in ("from", "to") or not header:
        return None
    key = header_key(header)
    words = {**_end_kind_words("from"), **_end_kind_words("to")}
    return next((kind for word, kind in words.items() if header_key(word) == key), None)


def tie_end_mapping(schema: Schema, header: Iterable[str], mapping: Mapping[str, str]) -> Mapping[str, str]:
    """``mapping`` (``--columns``, or the fields picked on ``serve``'s upload page), and, where two headers of a
    tie table name one end and none the other, the one that names a kind of unit (``kinds``: 企业名称) at the other
    end: a 万企帮万村 table headed 企业名称 | 结对村 states the companies' pairings (企业名称 would end a 村企联建 tie,
    结对村 ends a pairing). A header the mapping gives a field keeps it.

    >>> from graph_model.schema import default_schema
    >>> tie_end_mapping(default_schema(), ["序号", "企业名称", "结对村", "所属乡镇"], {})
    {'企业名称': 'from'}
    >>> tie_end_mapping(default_schema(), ["村", "企业名称"], {})
    {}
    """
    vocabulary = tie_vocabulary(schema)
    fields = {h: mapped_field(vocabulary, h, mapping) for h in header if h and h.strip()}
    for end, other in (("from", "to"), ("to", "from")):
        at_end = [h for h, f in fields.items() if f == end]
        kinded = [h for h in at_end if end_kind(end, h) and not (mapping.get(h) or mapping.get(h.strip()))]
        if len(at_end) == 2 and len(kinded) == 1 and other not in fields.values():
            return {**mapping, kinded[0]: other}
    return mapping


def kind_named(schema: Schema, text: str) -> str | None:
    """The node kind a word names: ``企业``, ``Enterprise``, ``companies`` → ``Enterprise``."""
    return _kind_words(schema)[0].get(word_key(text))


def tie_named(schema: Schema, text: str) -> str | None:
    """The tie kind a word names: ``结对帮扶``, ``PAIRED_ASSISTANCE``, ``帮扶`` → ``PAIRED_ASSISTANCE``."""
    return _kind_words(schema)[1].get(word_key(text))


@functools.lru_cache(maxsize=4096)
def word_key(text: str) -> str:
    """:func:`loaders.sheets.header_key` of a kind's word in a cell, worked out once per spelling: the kind
    and type columns of a table repeat a few words on every row.

    >>> word_key("结对帮扶（可选）"), word_key("Paired_Assistance")
    ('结对帮扶', 'pairedassistance')
    """
    return header_key(text)


@functools.cache
def _kind_words(schema: Schema) -> tuple[dict[str, str], dict[str, str]]:
    """Every spelling of every node kind to its label, and of every tie kind to its type (the first kind
    in the schema's order wins), built once per schema: :func:`kind_named` and :func:`tie_named` run for
    every row of a table."""
    nodes: dict[str, str] = {}
    for kind in schema.node_kinds:
        for key in _spellings(kind.label, kind.zh, kind.en, kind.words) | {header_key(kind.en + "s")}:
            nodes.setdefault(key, kind.label)
    ties: dict[str, str] = {}
    for tie in schema.tie_kinds:
        for key in _spellings(tie.type, tie.zh, tie.en, tie.words):
            ties.setdefault(key, tie.type)
    return nodes, ties


def exact_role(schema: Schema, name: str) -> str | None:
    """The role a sheet's whole name says: a sheet word of ``columns.yaml``, a node kind, or a tie kind."""
    key = header_key(name)
    for role, words in columns_data()["sheets"].items():
        if key in {header_key(w) for w in words}:
            return role
    kind = kind_named(schema, name)
    if kind:
        return kind
    tie = tie_named(schema, name)
    return f"ties:{tie}" if tie else None


def _contained_kind(schema: Schema, name: str, ties_only: bool = False) -> tuple[str, str] | None:
    """``(role, word)`` of the longest kind word a name contains (结对帮扶名单2023 → ``ties:PAIRED_ASSISTANCE``,
    结对帮扶): Chinese words of two characters or more anywhere in it, English words as whole words (one or
    several: ``paired_assistance_2023``)."""
    key = header_key(name)
    words = re.findall(r"[a-z]+", unicodedata.normalize("NFKC", name).lower())
    tokens = {"".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)}  # paired_assistance
    nodes, ties = _kind_words(schema)
    found = [(f"ties:{t}", w) for w, t in ties.items()]
    if not ties_only:
        found += [(k, w) for w, k in nodes.items() if not schema.node_kind(k).administrative]

    def contained(word: str) -> bool:
        return word in tokens if word.isascii() else len(word) > 1 and word in key

    matches = sorted((m for m in found if contained(m[1])), key=lambda m: len(m[1]), reverse=True)
    return matches[0] if matches else None


def _kind_role(schema: Schema, kind: str | None) -> str | None:
    """The role ``--kind`` gives: a tie kind's ``ties:TYPE`` or a node kind's label."""
    if not kind:
        return None
    tie = tie_named(schema, kind)
    return f"ties:{tie}" if tie else kind_named(schema, kind)


def kind_option_problem(schema: Schema, kind: str | None) -> Problem | None:
    """Why ``--kind`` names no kind, if it does not."""
    if not kind or _kind_role(schema, kind):
        return None
    kinds = "、".join([*(t.zh for t in schema.tie_kinds), *(k.zh for k in schema.node_kinds if not k.administrative)])
    return Problem(None, f"--kind“{kind}”不是关系或节点类型 / --kind {kind!r} names no tie or node kind",
                   f"可选 / one of: {kinds}")


def table_role(schema: Schema, sheet: Sheet, kind: str | None = None,
               mapping: Mapping[str, str] | None = None) -> tuple[str | None, str]:
    """What a sheet holds (as :func:`sheet_role`), and how that was told: ``""`` (its name is a kind or its
    headers tell, as ``mapping`` (``--columns``) maps them too), ``name`` (its name contains a kind's word:
    结对帮扶名单2023.csv), ``header`` (its end headers name one tie kind only: 成员村 and 联合党组织 on a sheet named
    联村党委) or ``option`` (``--kind``, for a table whose name is not a kind)."""
    exact = exact_role(schema, sheet.name)
    if exact:
        return exact, ""
    if kind:
        return _kind_role(schema, kind), "option"
    ends = tie_end_mapping(schema, sheet.header, mapping or {})
    fields = {mapped_field(tie_vocabulary(schema), h, ends) for h in sheet.header}
    if {"from", "to"} <= fields:
        if "type" in fields:
            return "ties", ""
        contained = _contained_kind(schema, sheet.name, ties_only=True) or _node_table(schema, sheet)
        if contained:
            return contained[0], "name"
        implied = _header_kind(sheet.header)
        return (f"ties:{implied}", "header") if implied else ("ties", "")
    if "kind" in {mapped_field(node_vocabulary(schema, None), h, mapping or {}) for h in sheet.header}:
        return "organizations", ""
    contained = _contained_kind(schema, sheet.name)
    return (contained[0], "name") if contained else (None, "")


def _header_kind(header: Iterable[Any]) -> str | None:
    """The one tie kind a table's end headers name (``columns.yaml`` ``kind_headers``: 成员村 and 联合党组织 a
    member list's), or ``None`` when they name none or several."""
    keys = {header_key(h) for h in header}
    kinds = {kind for kind, words in columns_data()["kind_headers"].items() if keys & {header_key(w) for w in words}}
    return kinds.pop() if len(kinds) == 1 else None


def _node_table(schema: Schema, sheet: Sheet) -> tuple[str, str] | None:
    """``(kind, word)`` of a sheet whose name contains a node kind's word and whose every header is a column of
    that kind's table (企业信息.csv with 企业名称, 村, 乡镇: where each enterprise lies, though 企业名称 and 村 also head
    the ends of a 村企联建 table), else ``None``."""
    contained = _contained_kind(schema, sheet.name)
    if contained is None or contained[0].startswith("ties"):
        return None
    vocabulary = node_vocabulary(schema, contained[0])
    return contained if all(vocabulary.field_of(h) for h in sheet.header if h.strip()) else None


def sheet_role(schema: Schema, sheet: Sheet) -> str | None:
    """What a sheet holds: ``ties``, ``organizations`` (a kind column), a node kind, ``ties:TYPE`` (ties of
    one kind, named by the sheet or a word of its name), ``skip``, or ``None`` (unknown)."""
    return table_role(schema, sheet)[0]


def role_note(schema: Schema, role: str, how: str, file: str, sheet: Sheet) -> str:
    """The line saying which kind a table's name or ``--kind`` gave it."""
    tie = role.partition(":")[2]
    zh, label = (schema.tie_kind(tie).zh, tie) if tie else (schema.node_kind(role).zh, role)
    what = ("关系类型", "tie kind") if tie else ("节点类型", "node kind")
    if how == "option":
        return f"{what[0]}取自 --kind：{zh} {label} / {what[1]} from --kind: {file}, sheet {sheet.name}"
    if how == "header":
        return f"{what[0]}取自表头：{zh} {label} / {what[1]} taken from the headers: {file}, sheet {sheet.name}"
    return f"{what[0]}取自名称“{sheet.name}”：{zh} {label} / {what[1]} taken from the name: {file}, sheet {sheet.name}"


def parse_column_mapping(text: str) -> dict[str, str]:
    """``--columns``: ``单位=name,隶属乡镇=town`` (or the same as YAML, one ``header: field`` per line)."""
    text = text.strip()
    if not text:
        return {}
    if "\n" in text or ":" in text and "=" not in text:
        data = yaml.safe_load(text)
        if not isinstance(data, Mapping):
            raise InputError([Problem(None, "列映射格式应为“表头: 字段” / a column mapping is header: field lines")])
        return {str(k): str(v) for k, v in data.items()}
    pairs = {}
    for part in re.split(r"[,，;；]", text):
        header, sep, target = part.partition("=")
        if not sep or not header.strip() or not target.strip():
            raise InputError([Problem(None, f"列映射格式应为 表头=字段 / {part!r} is not HEADER=field")])
        pairs[header.strip()] = target.strip()
    return pairs


def review_words() -> tuple[set[str], set[str]]:
    """Header keys of the accept column and of the review columns read past (``columns.yaml`` ``review``)."""
    review = columns_data()["review"]
    accept = review["accept"]
    return (_spellings(ACCEPT, accept["zh"], accept["en"], accept.get("words", ())),
            {header_key(w) for w in review["ignored"]})


@functools.cache
def personal_headers() -> frozenset[str]:
    """Header keys of the columns about a person (``columns.yaml`` ``personal``: 姓名, 性别, 职务 …)."""
    return frozenset(header_key(w) for w in columns_data()["personal"])


def map_columns(sheet: Sheet, vocabulary: Vocabulary, file: str, mapping: Mapping[str, str], *,
                personal: frozenset[str] = frozenset()) -> tuple[dict[int, str], list[Problem]]:
    """Which field each column holds; unknown columns are problems that list the known fields.

    A sheet with an accept column (采纳, a draft's review sheet) maps it to
    ``accept`` and reads past the other review columns (置信度, 候选 …); a header of
    ``personal`` that no field claims is read past (the caller says so: :func:`personal_read_past`).
    """
    columns: dict[int, str] = {}
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    accept_words, read_past = review_words()
    review = any(header_key(h) in accept_words for h in sheet.header)
    ignored = {header_key(w) for w in columns_data()["ignored"]}
    for index, header in enumerate(sheet.header):
        at = Origin(file, sheet=sheet.name, row=sheet.header_row, column=header or _letter(index))
        if not header.strip():
            if any(index < len(row) and cell_text(row[index]) is not None for _, row in sheet.rows):
                problems.append(Problem(at, "有数据的列缺少表头 / a column with data has no header"))
            continue
        if header_key(header) in ignored:
            continue
        if review and header_key(header) in accept_words:
            columns[index] = ACCEPT
            continue
        target = mapping.get(header) or mapping.get(header.strip())
        name = mapped_field(vocabulary, header, mapping)
        if name is None and not target and (review and header_key(header) in read_past
                                            or header_key(header) in personal):
            continue
        problem = _column_problem(header, target, name, seen, vocabulary, at)
        if problem is not None:
            problems.append(problem)
            continue
        seen[name] = header
        columns[index] = name
    return columns, problems


def personal_read_past(sheet: Sheet, columns: Mapping[int, str], personal: frozenset[str]) -> list[str]:
    """The headers about a person that :func:`map_columns` read past, as the planner wrote them."""
    return [h for i, h in enumerate(sheet.header) if i not in columns and h.strip() and header_key(h) in personal]


def mapped_field(vocabulary: Vocabulary, header: str, mapping: Mapping[str, str]) -> str | None:
    """The field a header names: the one ``mapping`` (``--columns``, or the fields picked on ``serve``'s upload
    page) gives it, if that is a field of the table, else the one its spelling names, if any."""
    target = mapping.get(header) or mapping.get(header.strip())
    return target if target in vocabulary.fields else vocabulary.field_of(header)


def _column_problem(header: str, target: str | None, name: str | None, seen: Mapping[str, str],
                    vocabulary: Vocabulary, at: Origin) -> Problem | None:
    """What is wrong with a header: mapped to no field, unknown, or a second column of a field."""
    if target and target not in vocabulary.fields:
        return Problem(at, f"--columns 把“{header}”映射到不存在的字段 {target!r} / --columns maps {header!r} to {target!r}, "
                       "which is not a field", f"可用字段 / fields: {', '.join(vocabulary.labels())}")
    if name is None:
        near = similar_names(header, [w for spellings in vocabulary.fields.values() for w in spellings], n=1)
        return UnknownColumn(at, f"未知的列“{header}” / unknown column {header!r}" + (f"; did you mean {near[0]}?" if near else ""),
                             f"请把表头改成已知的列名，或在命令行用 --columns '{header}=FIELD' 对应 / rename the header to a "
                             f"known one, or map it with --columns '{header}=FIELD' on the command line; 可用字段 / known: "
                             f"{', '.join(vocabulary.labels())}",
                             header=header, choices=vocabulary.choices(),
                             suggested=vocabulary.field_of(near[0]) if near else None)
    if name in seen:
        return Problem(at, f"“{header}”与“{seen[name]}”两列对应同一字段 {name} / {header!r} and {seen[name]!r} both give {name}")
    return None


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
