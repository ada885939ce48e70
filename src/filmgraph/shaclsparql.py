"""SHACL Core shapes compiled to SPARQL SELECT queries, so validation runs inside the store.

The shapes file is read as data. Every node shape becomes a few queries: one for its focus
nodes, one per *match* (a pattern that finds the nodes breaking a constraint by itself: a
value of the wrong kind, too many values), run once even when several node shapes share the
property shape, and one for its *absences* (too few values, a node-level ``sh:or``), which
only looking at each focus node can find. A check is one property shape of the node shape
(or the node shape's own constraints); a finding names the focus node, the property shape,
its path, its severity and its message, so which value broke which constraint of the check
need not be known (a finding of pySHACL carries no value either).

Data is read from the union of the store's named graphs except those the caller leaves out
(the ontology and the inferred triples): every triple pattern is ``GRAPH ?gN { … }`` with
``FILTER(?gN NOT IN (…))``, never the store's union default graph, which would repeat a
triple once per graph stating it, and never the ``named_graphs`` option of a query, which
measured five times slower. Counts count distinct values (``sameTerm`` between the values),
never rows.

What is compiled (SHACL Core, section numbers of the W3C recommendation):

- targets (2.1.3): ``sh:targetClass`` (with ``rdfs:subClassOf*``), ``sh:targetNode``,
  ``sh:targetSubjectsOf``, ``sh:targetObjectsOf``;
- property shapes whose ``sh:path`` is one IRI (2.3.1);
- value type (4.1): ``sh:class``, ``sh:datatype`` (ill-formed literals fail), ``sh:nodeKind``;
- cardinality (4.2): ``sh:minCount``, ``sh:maxCount``;
- string based (4.4): ``sh:pattern`` (without ``sh:flags``), ``sh:uniqueLang``;
- property pair (4.5): ``sh:disjoint``, ``sh:lessThanOrEquals``;
- logical (4.6): ``sh:or``, of value shapes inside a property shape and of property shapes
  on a node shape;
- other (4.8): ``sh:in``; ``sh:severity``, ``sh:message``, ``sh:deactivated``.

Anything else in a shape raises :class:`ShapeCompileError` naming the shape and the feature:
nothing is skipped silently.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection as RdfList
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from filmgraph.errors import FilmgraphError

__all__ = [
    "CompiledCheck",
    "CompiledShape",
    "Match",
    "ShapeCompileError",
    "compile_shapes",
    "subclass_closure",
]

#: Predicates that describe a shape for people and never change what it validates.
_ANNOTATIONS = frozenset(
    {
        RDF.type,
        RDFS.label,
        RDFS.comment,
        RDFS.seeAlso,
        SH.name,
        SH.description,
        SH.order,
        SH.group,
        SH.defaultValue,
        SH.message,
        SH.severity,
        SH.deactivated,
    }
)
_NODE_TARGETS = frozenset({SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf})
_VALUE_CONSTRAINTS = frozenset(
    {SH["class"], SH.datatype, SH.nodeKind, SH["in"], SH.pattern, SH["or"]}
)
_PROPERTY_CONSTRAINTS = _VALUE_CONSTRAINTS | {
    SH.minCount,
    SH.maxCount,
    SH.uniqueLang,
    SH.disjoint,
    SH.lessThanOrEquals,
}
#: XSD datatypes whose lexical forms the store checks (a cast of an ill-formed one fails).
_CHECKED_DATATYPES = frozenset(
    {
        XSD.boolean,
        XSD.date,
        XSD.dateTime,
        XSD.time,
        XSD.decimal,
        XSD.integer,
        XSD.double,
        XSD.float,
        XSD.gYear,
        XSD.gYearMonth,
        XSD.gMonthDay,
        XSD.gMonth,
        XSD.gDay,
        XSD.duration,
    }
)
_NODE_KINDS = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}


_GRAPH_FILTER = re.compile(r" FILTER\(\?g[0-9]+ NOT IN \(#EXCLUDE#\)\)")


class ShapeCompileError(FilmgraphError):
    """A shape uses a SHACL feature the compiler does not translate, or uses one wrongly."""

    def __init__(self, shape: str, feature: str, reason: str) -> None:
        self.shape = shape
        self.feature = feature
        super().__init__(f"shape {shape}: {feature}: {reason}")


@dataclass(frozen=True)
class CompiledCheck:
    """One source of findings: a property shape (or a node shape's own constraints)."""

    #: The shape the findings name as ``sh:sourceShape``, as an rdflib term.
    shape: Node
    #: The ``sh:resultPath`` of its findings, or ``None`` for a node shape's own constraints.
    path: URIRef | None
    #: ``Violation``, ``Warning`` or ``Info``.
    severity: str
    #: Its ``sh:message`` (empty when it has none).
    message: str


@dataclass(frozen=True)
class _Violation:
    """How a focus node breaks a constraint: a graph pattern that matches from ``?focus``,
    or a filter expression over a bound ``?focus`` (for absences: a missing value)."""

    pattern: str | None
    condition: str | None = None


@dataclass(frozen=True)
class Match:
    """A way to break a check that a graph pattern finds on its own: a value of the wrong
    kind, too many values, two values in one language …

    The pattern binds ``?focus`` to every node of the graph that breaks the constraint,
    targeted or not, so it runs once for all the node shapes that share the property shape
    (``key``); the caller keeps the nodes each node shape targets.
    """

    #: The property shape and the number of the constraint within it.
    key: tuple[Node, int]
    #: The index of the check (in :attr:`CompiledShape.checks`) it breaks.
    check: int
    pattern: str = field(repr=False)

    def query(self, *, exclude: Collection[str] = (), focus: Collection[str] | None = None) -> str:
        """``SELECT DISTINCT ?focus``: the nodes that break it (among ``focus`` if given)."""
        return _finish(
            f"SELECT DISTINCT ?focus WHERE {{ {_values(focus)} {self.pattern} }}", exclude
        )


@dataclass(frozen=True)
class CompiledShape:
    """A node shape compiled: the query of its targets, its matches and its absences."""

    shape: Node
    checks: tuple[CompiledCheck, ...]
    #: A pattern binding ``?focus`` to each target.
    targets: str = field(repr=False)
    matches: tuple[Match, ...] = field(repr=False)
    #: (check index, filter expression over a target ``?focus``): breaks found only by
    #: looking at each target (a missing value, a node-level ``sh:or``).
    absences: tuple[tuple[int, str], ...] = field(repr=False)

    def targets_query(
        self, *, exclude: Collection[str] = (), focus: Collection[str] | None = None
    ) -> str:
        """``SELECT DISTINCT ?focus``: the focus nodes of the shape (among ``focus``)."""
        return _finish(self._targets(focus), exclude)

    def absences_query(
        self, *, exclude: Collection[str] = (), focus: Collection[str] | None = None
    ) -> str | None:
        """``SELECT DISTINCT ?focus ?check`` for the absences, or ``None`` if it has none."""
        if not self.absences:
            return None
        targets = "{ " + self._targets(focus) + " }"
        branches = [
            f"{{ {targets} FILTER({condition}) BIND({check} AS ?check) }}"
            for check, condition in self.absences
        ]
        return _finish(
            "SELECT DISTINCT ?focus ?check WHERE {\n  " + "\n  UNION\n  ".join(branches) + "\n}",
            exclude,
        )

    def _targets(self, focus: Collection[str] | None) -> str:
        return f"SELECT DISTINCT ?focus WHERE {{ {_values(focus)} {self.targets} }}"


def _values(focus: Collection[str] | None) -> str:
    if focus is None:
        return ""
    return "VALUES ?focus { " + " ".join(f"<{iri}>" for iri in sorted(focus)) + " }"


def _finish(text: str, exclude: Collection[str]) -> str:
    """The query over every named graph but ``exclude``."""
    if exclude:
        return text.replace("#EXCLUDE#", ", ".join(f"<{g}>" for g in sorted(exclude)))
    return _GRAPH_FILTER.sub("", text)


def subclass_closure(pairs: Iterable[tuple[Node, Node]]) -> dict[Node, frozenset[Node]]:
    """Each class mapped to itself and all its subclasses, from (sub, super) pairs."""
    children: dict[Node, set[Node]] = {}
    for sub, sup in pairs:
        children.setdefault(sup, set()).add(sub)
    closure: dict[Node, frozenset[Node]] = {}
    for cls in children:
        seen = {cls}
        todo = [cls]
        while todo:
            for child in children.get(todo.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        closure[cls] = frozenset(seen)
    return closure


def compile_shapes(
    shapes: Graph, subclasses: Mapping[Node, frozenset[Node]]
) -> list[CompiledShape]:
    """Every active node shape of ``shapes`` as a query, in a stable order.

    ``subclasses`` maps a class to itself and its subclasses (see :func:`subclass_closure`);
    ``sh:targetClass`` and ``sh:class`` accept instances of any of them.
    """
    compiled = []
    node_shapes = {s for s in shapes.subjects(RDF.type, SH.NodeShape)}
    node_shapes |= {s for p in _NODE_TARGETS for s in shapes.subjects(p, None)}
    for shape in sorted(node_shapes, key=str):
        if _deactivated(shapes, shape):
            continue
        compiled.append(_Compiler(shapes, subclasses, shape).node_shape())
    return compiled


def _deactivated(shapes: Graph, shape: Node) -> bool:
    return any(
        isinstance(v, Literal) and v.value is True for v in shapes.objects(shape, SH.deactivated)
    )


def _name(shapes: Graph, node: Node) -> str:
    if isinstance(node, BNode):
        label = shapes.value(node, SH.name)
        return f"[] (sh:name {str(label)!r})" if label is not None else "[]"
    return shapes.namespace_manager.normalizeUri(node) if isinstance(node, URIRef) else str(node)


def _term(node: Node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3()
    raise ValueError(f"not a constant term: {node!r}")


def _sparql_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


class _Compiler:
    """Translates one node shape; fresh variable names come from one counter."""

    def __init__(
        self, shapes: Graph, subclasses: Mapping[Node, frozenset[Node]], shape: Node
    ) -> None:
        self.g = shapes
        self.subclasses = subclasses
        self.root = shape
        self.counter = itertools.count()

    # -- helpers ---------------------------------------------------------------------------

    def fresh(self, stem: str = "x") -> str:
        return f"?{stem}{next(self.counter)}"

    def quad(self, s: str, p: str, o: str) -> str:
        graph = self.fresh("g")
        return f"GRAPH {graph} {{ {s} {p} {o} }} FILTER({graph} NOT IN (#EXCLUDE#))"

    def fail(self, shape: Node, feature: str, reason: str) -> ShapeCompileError:
        return ShapeCompileError(_name(self.g, shape), feature, reason)

    def one(self, shape: Node, predicate: URIRef) -> Node:
        values = list(self.g.objects(shape, predicate))
        if len(values) != 1:
            raise self.fail(
                shape, _name(self.g, predicate), f"expected exactly one value, found {len(values)}"
            )
        return values[0]

    def integer(self, shape: Node, predicate: URIRef) -> int:
        value = self.one(shape, predicate)
        if not (isinstance(value, Literal) and isinstance(value.value, int)) or value.value < 0:
            raise self.fail(shape, _name(self.g, predicate), "must be a non-negative integer")
        return value.value

    def members(self, shape: Node, predicate: URIRef) -> list[Node]:
        head = self.one(shape, predicate)
        if head != RDF.nil and self.g.value(head, RDF.first) is None:
            raise self.fail(shape, _name(self.g, predicate), "must be an RDF list")
        return list(RdfList(self.g, head))

    def check_known(self, shape: Node, allowed: frozenset[URIRef]) -> None:
        for predicate in sorted(set(self.g.predicates(shape, None)), key=str):
            if predicate in allowed or predicate in _ANNOTATIONS:
                continue
            if str(predicate).startswith(str(SH)):
                raise self.fail(
                    shape, _name(self.g, predicate), "this SHACL feature is not compiled to SPARQL"
                )
        if (shape, RDF.type, RDFS.Class) in self.g or (shape, RDF.type, OWL.Class) in self.g:
            raise self.fail(
                shape,
                "implicit class target",
                "a shape that is also a class is not compiled to SPARQL",
            )

    def severity(self, shape: Node) -> str:
        values = list(self.g.objects(shape, SH.severity))
        if not values:
            return "Violation"
        if len(values) > 1 or values[0] not in (SH.Violation, SH.Warning, SH.Info):
            raise self.fail(
                shape, "sh:severity", "must be one of sh:Violation, sh:Warning, sh:Info"
            )
        return str(values[0]).rsplit("#", 1)[-1]

    def message(self, shape: Node) -> str:
        values = sorted(str(m) for m in self.g.objects(shape, SH.message))
        return values[0] if values else ""

    def path(self, shape: Node) -> URIRef:
        path = self.one(shape, SH.path)
        if not isinstance(path, URIRef):
            raise self.fail(
                shape, "sh:path", "only a single IRI is compiled (no property path expressions)"
            )
        return path

    # -- the node shape --------------------------------------------------------------------

    def node_shape(self) -> CompiledShape:
        shape = self.root
        self.check_known(shape, _NODE_TARGETS | {SH.property, SH["or"]})
        targets = self.targets(shape)
        checks: list[CompiledCheck] = []
        matches: list[Match] = []
        absences: list[tuple[int, str]] = []
        own = [self.node_or(shape, head) for head in self.g.objects(shape, SH["or"])]
        if own:
            absences += [(len(checks), v.condition) for v in own if v.condition is not None]
            checks.append(CompiledCheck(shape, None, self.severity(shape), self.message(shape)))
        for prop in sorted(self.g.objects(shape, SH.property), key=self.property_key):
            if _deactivated(self.g, prop):
                continue
            self.check_known(prop, frozenset({SH.path}) | _PROPERTY_CONSTRAINTS)
            path = self.path(prop)
            found = list(self.property_violations(prop, path))
            if not found:
                continue
            index = len(checks)
            checks.append(CompiledCheck(prop, path, self.severity(prop), self.message(prop)))
            for number, violation in enumerate(found):
                if violation.pattern is not None:
                    matches.append(Match((prop, number), index, violation.pattern))
                elif violation.condition is not None:
                    absences.append((index, violation.condition))
        return CompiledShape(shape, tuple(checks), targets, tuple(matches), tuple(absences))

    def property_key(self, prop: Node) -> tuple[str, str]:
        # Blank property shapes have no stable name: order them by what they say.
        path = self.g.value(prop, SH.path)
        return (str(path), str(self.g.value(prop, SH.message)))

    def targets(self, shape: Node) -> str:
        parts = []
        classes = {c for cls in self.g.objects(shape, SH.targetClass) for c in self.classes(cls)}
        if classes:
            types = " ".join(_term(c) for c in sorted(classes, key=str))
            parts.append(f"VALUES ?t {{ {types} }} {self.quad('?focus', _term(RDF.type), '?t')}")
        for node in sorted(self.g.objects(shape, SH.targetNode), key=str):
            parts.append(f"VALUES ?focus {{ {_term(node)} }}")
        for pred in sorted(self.g.objects(shape, SH.targetSubjectsOf), key=str):
            parts.append(self.quad("?focus", _term(pred), self.fresh()))
        for pred in sorted(self.g.objects(shape, SH.targetObjectsOf), key=str):
            parts.append(self.quad(self.fresh(), _term(pred), "?focus"))
        if not parts:
            raise self.fail(
                shape,
                "targets",
                "a node shape without a target validates "
                "nothing; the compiler runs only targeted shapes",
            )
        return " UNION ".join(f"{{ {p} }}" for p in parts)

    def classes(self, cls: Node) -> frozenset[Node]:
        return self.subclasses.get(cls, frozenset({cls}))

    def node_or(self, shape: Node, head: Node) -> _Violation:
        """The violation of the node shape's own sh:or of property shapes."""
        members = self.list_items(shape, SH["or"], head)
        conditions = [self.property_conforms(member) for member in members]
        return _Violation(None, f"!({' || '.join(conditions) or 'false'})")

    def list_items(self, shape: Node, predicate: URIRef, head: Node) -> list[Node]:
        if head != RDF.nil and self.g.value(head, RDF.first) is None:
            raise self.fail(shape, _name(self.g, predicate), "must be an RDF list")
        return list(RdfList(self.g, head))

    def property_conforms(self, prop: Node) -> str:
        """A boolean expression: the focus node conforms to the property shape ``prop``."""
        self.check_known(prop, frozenset({SH.path, SH.minCount, SH.maxCount}) | _VALUE_CONSTRAINTS)
        path = _term(self.path(prop))
        conditions = []
        if (prop, SH.minCount, None) in self.g:
            values = self.distinct_values(path, self.integer(prop, SH.minCount))
            conditions.append(f"EXISTS {{ {values} }}" if values else "true")
        if (prop, SH.maxCount, None) in self.g:
            values = self.distinct_values(path, self.integer(prop, SH.maxCount) + 1)
            conditions.append(f"NOT EXISTS {{ {values} }}")
        var = self.fresh("v")
        value = self.value_conforms(prop, var)
        if value is not None:
            conditions.append(f"NOT EXISTS {{ {self.quad('?focus', path, var)} FILTER(!{value}) }}")
        return "(" + " && ".join(conditions or ["true"]) + ")"

    # -- property shapes -------------------------------------------------------------------

    def distinct_values(self, path: str, count: int) -> str:
        """A pattern that matches when the focus node has at least ``count`` distinct values."""
        if count == 0:
            return ""
        names = [self.fresh("v") for _ in range(count)]
        patterns = [self.quad("?focus", path, name) for name in names]
        distinct = [f"!sameTerm({a}, {b})" for a, b in itertools.combinations(names, 2)]
        if distinct:
            patterns.append(f"FILTER({' && '.join(distinct)})")
        return " ".join(patterns)

    def property_violations(self, prop: Node, path_iri: URIRef) -> Iterator[_Violation]:
        path = _term(path_iri)
        if (prop, SH.minCount, None) in self.g:
            minimum = self.integer(prop, SH.minCount)
            if minimum > 0:
                yield _Violation(None, f"NOT EXISTS {{ {self.distinct_values(path, minimum)} }}")
        if (prop, SH.maxCount, None) in self.g:
            yield _Violation(self.distinct_values(path, self.integer(prop, SH.maxCount) + 1))
        var = self.fresh("v")
        value = self.value_conforms(prop, var)
        if value is not None:
            yield _Violation(f"{self.quad('?focus', path, var)} FILTER(!{value})")
        for unique in self.g.objects(prop, SH.uniqueLang):
            if not (isinstance(unique, Literal) and isinstance(unique.value, bool)):
                raise self.fail(prop, "sh:uniqueLang", "must be a boolean")
            if unique.value:
                a, b = self.fresh("v"), self.fresh("v")
                yield _Violation(
                    f"{self.quad('?focus', path, a)} {self.quad('?focus', path, b)} "
                    f"FILTER(isLiteral({a}) && isLiteral({b}) && !sameTerm({a}, {b}) "
                    f'&& LANG({a}) != "" && LCASE(LANG({a})) = LCASE(LANG({b})))'
                )
        for other in sorted(self.g.objects(prop, SH.disjoint), key=str):
            var = self.fresh("v")
            yield _Violation(
                f"{self.quad('?focus', path, var)} {self.quad('?focus', _term(other), var)}"
            )
        for other in sorted(self.g.objects(prop, SH.lessThanOrEquals), key=str):
            a, b = self.fresh("v"), self.fresh("v")
            yield _Violation(
                f"{self.quad('?focus', path, a)} {self.quad('?focus', _term(other), b)} "
                f"FILTER(!COALESCE({a} <= {b}, false))"
            )

    # -- value constraints -----------------------------------------------------------------

    def value_conforms(self, shape: Node, v: str) -> str | None:
        """A boolean expression: the value ``v`` meets the value constraints of ``shape``.

        ``None`` when ``shape`` has no value constraint.
        """
        conditions = []
        for cls in sorted(self.g.objects(shape, SH["class"]), key=str):
            types = ", ".join(_term(c) for c in sorted(self.classes(cls), key=str))
            t = self.fresh("t")
            conditions.append(
                f"EXISTS {{ {self.quad(v, _term(RDF.type), t)} FILTER({t} IN ({types})) }}"
            )
        for datatype in sorted(self.g.objects(shape, SH.datatype), key=str):
            conditions.append(self.datatype_conforms(shape, datatype, v))
        for kind in self.g.objects(shape, SH.nodeKind):
            if not isinstance(kind, URIRef) or kind not in _NODE_KINDS:
                raise self.fail(shape, "sh:nodeKind", f"unknown node kind {kind}")
            conditions.append(_NODE_KINDS[kind].format(v=v))
        for head in self.g.objects(shape, SH["in"]):
            allowed = self.list_items(shape, SH["in"], head)
            if any(isinstance(a, BNode) for a in allowed):
                raise self.fail(shape, "sh:in", "blank nodes cannot be listed")
            same = [f"sameTerm({v}, {_term(a)})" for a in allowed]
            conditions.append("(" + (" || ".join(same) or "false") + ")")
        for pattern in self.g.objects(shape, SH.pattern):
            if (shape, SH.flags, None) in self.g:
                raise self.fail(shape, "sh:flags", "regular expression flags are not compiled")
            conditions.append(f"(!isBlank({v}) && REGEX(STR({v}), {_sparql_string(str(pattern))}))")
        for head in self.g.objects(shape, SH["or"]):
            alternatives = []
            for member in self.list_items(shape, SH["or"], head):
                self.check_known(member, _VALUE_CONSTRAINTS)
                condition = self.value_conforms(member, v)
                alternatives.append(condition if condition is not None else "true")
            conditions.append("(" + (" || ".join(alternatives) or "false") + ")")
        if not conditions:
            return None
        return "(" + " && ".join(conditions) + ")"

    def datatype_conforms(self, shape: Node, datatype: Node, v: str) -> str:
        if not isinstance(datatype, URIRef):
            raise self.fail(shape, "sh:datatype", "must be an IRI")
        if datatype == RDF.langString:
            return f'(isLiteral({v}) && LANG({v}) != "")'
        if datatype == RDFS.Literal:
            return f"isLiteral({v})"
        check = f"(isLiteral({v}) && sameTerm(DATATYPE({v}), {_term(datatype)})"
        if datatype in _CHECKED_DATATYPES:
            # A literal whose lexical form is not of its datatype is ill-formed (SHACL 4.1.2).
            check += f" && COALESCE(isLiteral({_term(datatype)}({v})), false)"
        return check + ")"
