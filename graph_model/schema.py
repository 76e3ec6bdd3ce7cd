"""The linkgraph schema: node kinds, tie kinds and their properties, as data.

The model is declared once, in ``schema.yaml`` beside this module. This module
turns that declaration into immutable objects that validation, the loaders, the
store DDL, the queries, the map legend and the report labels all read, so that
a new kind or property is added in one place.

>>> schema = default_schema()
>>> schema.node_kind("Village").zh
'村/社区'
>>> schema.tie_kind("PAIRED_ASSISTANCE").allows("AssistanceUnit", "Village")
True
>>> schema.tie_kind("PAIRED_ASSISTANCE").allows("Village", "AssistanceUnit")
False
>>> schema.level_kind("town"), schema.code_length("Town"), schema.kind_of_code("610828103")
('Town', 9, 'Town')
>>> sorted(schema.placing_ties), "PARTY_ORG_OF" in schema.working_ties
(['LOCATED_IN', 'PARTY_ORG_OF', 'PART_OF'], False)
"""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

PROPERTY_TYPES = ("string", "int", "float", "bool", "string_list", "date", "json")
COMBINE_POLICIES = ("latest", "first", "union", "join")
TIE_CATEGORIES = ("working", "attribute", "administrative")
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
# Words that LadybugDB or Neo4j parse as keywords where a name is expected.
_RESERVED = {"end", "case", "when", "then", "else", "order", "limit", "skip", "match", "return", "where",
             "with", "union", "unwind", "merge", "create", "delete", "set", "remove", "call", "yield",
             "not", "and", "or", "xor", "in", "is", "null", "true", "false", "as", "by", "distinct"}


class SchemaError(ValueError):
    """The schema declaration, or a name looked up in it, is not valid."""


@dataclass(frozen=True)
class Property:
    """One property of a node or tie kind.

    ``combine`` says how the statements of several sources make one value
    (see ``schema.yaml``). ``internal`` properties (provenance, the combined
    ``source``) and ``derived_from`` ones (``start_year`` from ``start_date``)
    are computed by linkgraph, never read from a source. ``words`` are other
    column headers planners use for it.
    """

    name: str
    type: str
    zh: str
    en: str
    required: bool = False
    enum: tuple[str, ...] = ()
    derived_from: str | None = None
    combine: str = "latest"
    internal: bool = False
    words: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    enum_words: tuple[tuple[str, str], ...] = ()
    max_length: int = 20_000

    @property
    def label(self) -> str:
        """Bilingual column label, e.g. ``名称 Name``."""
        return f"{self.zh} {self.en}"

    @property
    def stated(self) -> bool:
        """Whether a source may state this property (not computed by linkgraph)."""
        return not self.internal and self.derived_from is None


@dataclass(frozen=True)
class NodeKind:
    """A kind of node (a label in the graph), e.g. ``Village`` (村/社区)."""

    label: str
    zh: str
    en: str
    color: str
    administrative: bool
    properties: tuple[Property, ...]
    words: tuple[str, ...] = ()
    role: str | None = None
    example: tuple[tuple[str, str], ...] = ()
    name_endings: tuple[str, ...] = ()  # the legal forms its names end with (有限公司): see schema.yaml

    def property(self, name: str) -> Property | None:
        return next((p for p in self.properties if p.name == name), None)

    def named_so(self, name: str) -> bool:
        """Whether ``name`` ends with one of the kind's ``name_endings`` (an enterprise's legal form).

        >>> enterprise = default_schema().node_kind("Enterprise")
        >>> enterprise.named_so("佳县红枣食品有限公司"), enterprise.named_so("佳县县委办公室")
        (True, False)
        """
        return any(name.endswith(ending) for ending in self.name_endings)


@dataclass(frozen=True)
class Through:
    """How a tie kind between party organizations takes an end named by a unit (``through`` in ``schema.yaml``):
    the unit's party organization by the tie ``tie``, or, where it has none, a new one of the form ``form``
    named after the unit (高家集村 → 高家集村党支部)."""

    tie: str
    kinds: tuple[str, ...]
    form: str
    organization: str = ""
    """The kind of the party organization (the kind ``tie`` starts at that the tie kind joins), set when the
    schema is checked."""

    def branch_name(self, unit_name: str) -> str:
        """The name of the party organization the load gives a unit that has none.

        >>> default_schema().tie_kind("CO_BUILDS").through.branch_name("高家集村")
        '高家集村党支部'
        """
        return f"{unit_name}{self.form}"


@dataclass(frozen=True)
class TieKind:
    """A kind of tie (a relationship type), with the endpoint kinds it may join.

    ``category`` says how it counts in analysis: ``working`` ties make the
    collaboration network, ``attribute`` ties say what an organization does,
    ``administrative`` ties where a unit is.
    """

    type: str
    zh: str
    en: str
    category: str
    endpoints: tuple[tuple[str, str], ...]
    properties: tuple[Property, ...]
    words: tuple[str, ...] = ()
    placing: bool = False
    through: Through | None = None
    """Which kinds of unit an end may be named by, taken through their party organization (None: no such rule)."""

    @property
    def administrative(self) -> bool:
        return self.category == "administrative"

    def allows(self, source_kind: str, target_kind: str) -> bool:
        return (source_kind, target_kind) in self.endpoints

    def end_kinds(self, position: int) -> tuple[str, ...]:
        """The kinds the tie may start at (``position`` 0) or end at (1), in the schema's order: the one home
        of, say, who may start a pairing (结对帮扶: an assistance unit or an enterprise, 万企帮万村).

        >>> default_schema().tie_kind("PAIRED_ASSISTANCE").end_kinds(0)
        ('AssistanceUnit', 'Enterprise')
        """
        return tuple(dict.fromkeys(pair[position] for pair in self.endpoints))

    def property(self, name: str) -> Property | None:
        return next((p for p in self.properties if p.name == name), None)


@dataclass(frozen=True)
class Level:
    """One level of the administrative hierarchy: its node kind, its key (``town``) and NBS code length."""

    kind: str
    key: str
    code_length: int


@dataclass(frozen=True)
class Claim:
    """A claim key with a counting rule (``claims`` of a node: what sources say of it): its role (what the
    rules call it), the key, and the nouns a report counts it by (58个村结对 and 58个结对帮扶村 are one claim)."""

    role: str
    key: str
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Schema:
    """All node and tie kinds, in declaration order, and the administrative levels, top down."""

    version: int
    node_kinds: tuple[NodeKind, ...]
    tie_kinds: tuple[TieKind, ...]
    levels: tuple[Level, ...] = ()
    claims: Mapping[str, Claim] = field(default_factory=lambda: MappingProxyType({}))
    """The claim keys with a counting rule, by role."""

    def __hash__(self) -> int:
        """Hashed once (caches keyed by the schema look it up for every row of a load)."""
        cached = self.__dict__.get("_hash")
        if cached is None:
            cached = hash((self.version, self.node_kinds, self.tie_kinds, self.levels))
            object.__setattr__(self, "_hash", cached)
        return cached

    def node_kind(self, label: str) -> NodeKind:
        kind = self._node_kinds_by_label.get(label)
        if kind is None:
            raise SchemaError(f"未知的节点类型 / unknown node kind {label!r}; 已有类型 known: {', '.join(self.node_labels)}")
        return kind

    def tie_kind(self, type_: str) -> TieKind:
        kind = self._tie_kinds_by_type.get(type_)
        if kind is None:
            raise SchemaError(f"未知的关系类型 / unknown tie kind {type_!r}; 已有类型 known: {', '.join(self.tie_types)}")
        return kind

    @functools.cached_property
    def _node_kinds_by_label(self) -> dict[str, NodeKind]:
        """Looked up for every record a load, the analysis or a report handles."""
        return {k.label: k for k in self.node_kinds}

    @functools.cached_property
    def _tie_kinds_by_type(self) -> dict[str, TieKind]:
        return {k.type: k for k in self.tie_kinds}

    @property
    def node_labels(self) -> tuple[str, ...]:
        return tuple(k.label for k in self.node_kinds)

    @property
    def tie_types(self) -> tuple[str, ...]:
        return tuple(k.type for k in self.tie_kinds)

    @functools.cached_property
    def administrative_kinds(self) -> tuple[str, ...]:
        """The kinds of administrative units (the levels' kinds), top down."""
        return tuple(level.kind for level in self.levels)

    @functools.cached_property
    def organization_kinds(self) -> tuple[str, ...]:
        """Every other kind (organizations, projects, industries, people), in declaration order."""
        return tuple(k.label for k in self.node_kinds if not k.administrative)

    def role_kind(self, role: str) -> str:
        """The node kind that plays ``role`` in rules that need a kind by what it is (``party``: the kind of
        党委/党支部; ``industry``: what ENGAGED_IN points to; ``assistance``: a unit paired with villages).

        >>> default_schema().role_kind("party")
        'PartyOrganization'
        """
        found = next((k.label for k in self.node_kinds if k.role == role), None)
        if found is None:
            raise SchemaError(f"没有节点类型承担该角色 / no node kind plays the role {role!r}")
        return found

    def claim_key(self, noun: str) -> str:
        """The claim key of a count of ``noun`` (村结对 and 结对帮扶村: 结对帮扶村数); ``noun`` + 数 when no
        declared claim is counted by that noun."""
        return next((c.key for c in self.claims.values() if noun in c.words), f"{noun}数")

    @functools.cached_property
    def entered_kinds(self) -> tuple[str, ...]:
        """The kinds planners enter in a sheet of their own (those with a template ``example``), in order."""
        return tuple(k.label for k in self.node_kinds if k.example)

    def level_kind(self, key: str) -> str:
        """The node kind of the level ``key`` (``village`` → ``Village``)."""
        found = next((level.kind for level in self.levels if level.key == key), None)
        if found is None:
            raise SchemaError(f"未知层级 / unknown level {key!r}; 已有层级 known: "
                              f"{', '.join(level.key for level in self.levels)}")
        return found

    def code_length(self, kind: str) -> int | None:
        """The length of the NBS codes of ``kind``'s units; None for a kind that is not a level."""
        return next((level.code_length for level in self.levels if level.kind == kind), None)

    def kind_of_code(self, code: str) -> str | None:
        """The level kind an NBS code's length implies (``610828105`` is a Town), or None."""
        return self._kinds_by_code_length.get(len(code)) if code.isdigit() else None

    @functools.cached_property
    def _kinds_by_code_length(self) -> dict[int, str]:
        """The level kind of each length of code (asked millions of times by a national load: one lookup)."""
        found: dict[int, str] = {}
        for level in self.levels:
            found.setdefault(level.code_length, level.kind)  # the first level of a length, as ``next`` found it
        return found

    def ties_of(self, *categories: str) -> frozenset[str]:
        """The tie kinds of ``categories`` (working, attribute, administrative)."""
        return frozenset(k.type for k in self.tie_kinds if k.category in categories)

    @functools.cached_property
    def working_ties(self) -> frozenset[str]:
        """The tie kinds of the collaboration network."""
        return self.ties_of("working")

    @functools.cached_property
    def attribute_ties(self) -> frozenset[str]:
        return self.ties_of("attribute")

    @functools.cached_property
    def administrative_ties(self) -> frozenset[str]:
        return self.ties_of("administrative")

    @functools.cached_property
    def placing_ties(self) -> frozenset[str]:
        """The tie kinds that say where their source lies (``placing: true``)."""
        return frozenset(k.type for k in self.tie_kinds if k.placing)

    def endpoint_pairs(self) -> tuple[tuple[str, str, str], ...]:
        """Every allowed (tie type, source kind, target kind), in declaration order."""
        return tuple((t.type, s, d) for t in self.tie_kinds for s, d in t.endpoints)


def _property(name: str, spec: Mapping[str, Any], where: str) -> Property:
    if not _IDENTIFIER.match(name) or name.lower() in _RESERVED:
        raise SchemaError(f"{where}: property name {name!r} is not an identifier or is a Cypher keyword")
    type_ = spec.get("type")
    if type_ not in PROPERTY_TYPES:
        raise SchemaError(f"{where}.{name}: type {type_!r} is not one of {PROPERTY_TYPES}")
    for key in ("zh", "en"):
        if not spec.get(key):
            raise SchemaError(f"{where}.{name}: missing {key} label")
    combine = spec.get("combine", "latest")
    if combine not in COMBINE_POLICIES:
        raise SchemaError(f"{where}.{name}: combine {combine!r} is not one of {COMBINE_POLICIES}")
    if combine == "union" and type_ != "string_list":
        raise SchemaError(f"{where}.{name}: combine union needs a string_list")
    enum = spec.get("enum") or ()
    enum_words = tuple((word, value) for value, words in enum.items() for word in words) if isinstance(enum, Mapping) else ()
    return Property(
        name=name,
        type=type_,
        zh=spec["zh"],
        en=spec["en"],
        required=bool(spec.get("required", False)),
        enum=tuple(enum),
        enum_words=enum_words,
        combine=combine,
        internal=bool(spec.get("internal", False)),
        words=tuple(spec.get("words") or ()),
        min=spec.get("min"),
        max=spec.get("max"),
        max_length=int(spec.get("max_length", 20_000)),
    )


def _properties(common: Mapping[str, Any], own: Mapping[str, Any] | None, where: str) -> tuple[Property, ...]:
    declared = [_property(n, s, where) for n, s in {**common, **(own or {})}.items()]
    derived = [
        Property(p.name.removesuffix("_date") + "_year", "int", p.zh + "年份", p.en + " year", derived_from=p.name)
        for p in declared
        if p.type == "date"
    ]
    names = [p.name for p in declared + derived]
    if len(set(names)) != len(names):
        raise SchemaError(f"{where}: a property is declared twice: {names}")
    return tuple(declared + derived)


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def parse_schema(data: Mapping[str, Any]) -> Schema:
    """Build a :class:`Schema` from the parsed YAML declaration; pure."""
    node_common = data.get("node_properties") or {}
    tie_common = data.get("tie_properties") or {}
    if "id" not in node_common or not node_common["id"].get("required"):
        raise SchemaError("node_properties must declare a required 'id'")
    nodes = [_node_kind(label, spec, node_common) for label, spec in (data.get("node_kinds") or {}).items()]
    ties = _tie_kinds(data.get("tie_kinds") or {}, tie_common, nodes)
    roles = [k.role for k in nodes if k.role]
    if len(roles) != len(set(roles)):
        raise SchemaError(f"a role is declared on two node kinds: {sorted(r for r in set(roles) if roles.count(r) > 1)}")
    return Schema(version=int(data.get("version", 1)), node_kinds=tuple(nodes), tie_kinds=tuple(ties),
                  levels=_levels(data.get("levels") or (), {k.label: k for k in nodes}),
                  claims=_claims(data.get("claims") or {}))


def _tie_kinds(specs: Mapping[str, Any], tie_common: Mapping[str, Any], nodes: list[NodeKind]) -> list[TieKind]:
    """The declared tie kinds, checked: each on its own, none named as a node kind, their ``through`` rules."""
    labels = {k.label for k in nodes}
    ties = [_tie_kind(type_, spec, tie_common, labels) for type_, spec in specs.items()]
    if labels & {t.type for t in ties}:
        raise SchemaError("a node kind and a tie kind share a name")
    return [_checked_through(tie, {t.type: t for t in ties}, {k.label: k for k in nodes}) for tie in ties]


def _claims(specs: Mapping[str, Any]) -> Mapping[str, Claim]:
    """The declared claim keys with a counting rule, by role."""
    return MappingProxyType({role: Claim(role, str(spec["key"]), tuple(_as_list(spec.get("words") or [])))
                             for role, spec in specs.items()})


def _node_kind(label: str, spec: Mapping[str, Any], node_common: Mapping[str, Any]) -> NodeKind:
    """One declared node kind, checked."""
    if not _IDENTIFIER.match(label):
        raise SchemaError(f"node kind {label!r} is not an identifier")
    if not _COLOR.match(str(spec.get("color", ""))):
        raise SchemaError(f"{label}: color must be #rrggbb, got {spec.get('color')!r}")
    return NodeKind(
        label=label,
        zh=spec["zh"],
        en=spec["en"],
        color=spec["color"],
        administrative=bool(spec.get("administrative", False)),
        properties=_properties(node_common, spec.get("properties"), label),
        words=tuple(spec.get("words") or ()),
        role=spec.get("role"),
        example=tuple((str(k), str(v)) for k, v in (spec.get("example") or {}).items()),
        name_endings=tuple(str(e) for e in spec.get("name_endings") or ()),
    )


def _tie_kind(type_: str, spec: Mapping[str, Any], tie_common: Mapping[str, Any], labels: set[str]) -> TieKind:
    """One declared tie kind, checked: its endpoints name declared node kinds, its category is known."""
    if not _IDENTIFIER.match(type_):
        raise SchemaError(f"tie kind {type_!r} is not an identifier")
    pairs = _endpoints(type_, spec.get("endpoints") or (), labels)
    if not pairs:
        raise SchemaError(f"{type_}: no endpoints declared")
    if spec.get("category") not in TIE_CATEGORIES:
        raise SchemaError(f"{type_}: category must be one of {TIE_CATEGORIES}, got {spec.get('category')!r}")
    return TieKind(
        type=type_,
        zh=spec["zh"],
        en=spec["en"],
        category=spec["category"],
        endpoints=tuple(pairs),
        properties=_properties(tie_common, spec.get("properties"), type_),
        words=tuple(spec.get("words") or ()),
        placing=bool(spec.get("placing", False)),
        through=_through(type_, spec.get("through")),
    )


def _through(type_: str, spec: Mapping[str, Any] | None) -> Through | None:
    """A tie kind's ``through`` rule as declared (checked against the other kinds by :func:`_check_through`)."""
    if not spec:
        return None
    if not isinstance(spec, Mapping) or not spec.get("tie") or not spec.get("kinds") or not spec.get("form"):
        raise SchemaError(f"{type_}: through needs tie, kinds and form")
    return Through(str(spec["tie"]), tuple(_as_list(spec["kinds"])), str(spec["form"]))


def _checked_through(tie: TieKind, ties: Mapping[str, TieKind], nodes: Mapping[str, NodeKind]) -> TieKind:
    """A tie kind with its ``through`` rule checked: the rule's tie kind joins one kind of the tie kind's ends
    (its ``organization``) to each of the rule's kinds, and that kind has the rule's form."""
    rule = tie.through
    if rule is None:
        return tie
    by = ties.get(rule.tie)
    if by is None:
        raise SchemaError(f"{tie.type}: through names the unknown tie kind {rule.tie!r}")
    ends = list(dict.fromkeys(kind for pair in tie.endpoints for kind in pair))
    found = [org for org in ends if all(by.allows(org, kind) for kind in rule.kinds)]
    if len(found) != 1:
        raise SchemaError(f"{tie.type}: through: {rule.tie} must join one kind of its ends to each of {rule.kinds}")
    form = nodes[found[0]].property("form")
    if form is None or rule.form not in form.enum:
        raise SchemaError(f"{tie.type}: through: form {rule.form!r} is not a form of {found[0]}")
    return replace(tie, through=replace(rule, organization=found[0]))


def _endpoints(type_: str, specs: Any, labels: set[str]) -> list[tuple[str, str]]:
    """A tie kind's ``(source kind, target kind)`` pairs, each once, from ``[sources, targets]`` declarations."""
    pairs: list[tuple[str, str]] = []
    for sources, targets in specs:
        for s in _as_list(sources):
            for d in _as_list(targets):
                if s not in labels or d not in labels:
                    raise SchemaError(f"{type_}: endpoint ({s}, {d}) names an unknown node kind")
                if (s, d) not in pairs:
                    pairs.append((s, d))
    return pairs


def _levels(specs: Any, kinds: Mapping[str, NodeKind]) -> tuple[Level, ...]:
    """The declared levels, checked: administrative kinds, each once, with codes that grow down the levels."""
    levels = []
    for spec in specs:
        kind = kinds.get(spec.get("kind"))
        if kind is None or not kind.administrative:
            raise SchemaError(f"level {spec.get('kind')!r} is not an administrative node kind")
        length = spec.get("code_length")
        if not isinstance(length, int) or (levels and length <= levels[-1].code_length):
            raise SchemaError(f"level {kind.label}: code_length must be a whole number longer than the level above's")
        levels.append(Level(kind.label, str(spec.get("key") or kind.label.lower()), length))
    undeclared = {k.label for k in kinds.values() if k.administrative} - {level.kind for level in levels}
    if levels and undeclared:
        raise SchemaError(f"administrative kinds without a level: {', '.join(sorted(undeclared))}")
    return tuple(levels)


def _parse_yaml(text: str) -> Any:
    """YAML text as data (safe: plain values only), parsed by libyaml when PyYAML has it (5× faster than
    its Python parser, the same data)."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def packaged_yaml(resource: Traversable) -> Any:
    """A YAML file shipped with linkgraph, as data, kept parsed in ``__pycache__`` beside it.

    Every command reads the schema and the query catalog; importing and running a YAML parser for them
    took 25 ms of each start (measured), reading the kept form (a pickle, trusted as Python trusts the
    compiled modules in the same folder) 0.2 ms. As for compiled modules, the kept form records the file's
    size and modification time and is used only while they match; where it cannot be written (a read-only
    install), the file is parsed each time. What every command reads is found beside its module
    (``Path(__file__)``), as linkgraph is installed as files: ``importlib.resources`` would import
    ``tempfile`` and ``zipfile`` first, 5 ms of each start (measured).
    """
    if not isinstance(resource, Path):
        return _parse_yaml(resource.read_text(encoding="utf-8"))
    stat = resource.stat()
    stamp = (stat.st_size, stat.st_mtime_ns)
    kept = resource.parent / "__pycache__" / f"{resource.name}.pickle"
    with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError):
        kept_stamp, data = pickle.loads(kept.read_bytes())
        if kept_stamp == stamp:
            return data
    data = _parse_yaml(resource.read_text(encoding="utf-8"))
    with contextlib.suppress(OSError):
        kept.parent.mkdir(exist_ok=True)
        partial = kept.with_name(f"{kept.name}.{os.getpid()}")
        partial.write_bytes(pickle.dumps((stamp, data)))
        os.replace(partial, kept)
    return data


@functools.cache
def default_schema() -> Schema:
    """The schema shipped in ``graph_model/schema.yaml`` (read once)."""
    return parse_schema(packaged_yaml(Path(__file__).with_name("schema.yaml")))


LEVEL: Mapping[str, str] = MappingProxyType({level.key: level.kind for level in default_schema().levels})
"""The node kind of each level of the shipped schema, by the level's key (``LEVEL["village"]`` is the
village kind), for modules that need the kinds as constants when they are imported."""
ROLE: Mapping[str, str] = MappingProxyType({k.role: k.label for k in default_schema().node_kinds if k.role})
"""The node kind of each role of the shipped schema (``ROLE["party"]`` is the kind of 党委/党支部), for modules
that need the kinds as constants when they are imported."""
CLAIM: Mapping[str, str] = MappingProxyType({role: c.key for role, c in default_schema().claims.items()})
"""The key of each claim with a counting rule of the shipped schema, by role (``CLAIM["paired_villages"]``
is 结对帮扶村数)."""
REGION_KINDS: tuple[str, ...] = default_schema().administrative_kinds[
    :default_schema().administrative_kinds.index(LEVEL["town"])]
"""The levels above the town (province, city, county): regions a name may leave out, not places in one."""
