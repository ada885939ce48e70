"""Reasoning: what the ontology entails, and historical context derived from dates.

Two routes give the same entailments on the predicates the ontology needs:

* :func:`owl_rl_closure` — the full OWL 2 RL closure computed by ``owlrl`` on an rdflib graph.
  Complete, but slow: minutes at ten thousand films (``shared/notes/engines.md``).
* :func:`materialise_store` — the targeted materialisation the build uses: the rules in
  ``ontology/rules/*.rq`` (sub-class, sub-property, inverse, symmetric, transitive, domain,
  range, and two date rules for historical context), each defined as a SPARQL
  ``CONSTRUCT``, brought to a fixpoint inside the build's own pyoxigraph store. Seconds at
  that size. The build evaluates them by a route whose cost follows what they conclude
  (the single-premise rules fused into one pass, the transitive rule semi-naive, the date
  rules as sorted joins); ``naive=True`` runs the rule files themselves, round after round,
  and the tests check both routes infer the same quads.
  :func:`materialise` does the same for data held in rdflib (tests, notebooks).

Everything inferred goes into one named graph, :data:`INFERRED_GRAPH`, so an export can
include or leave it out, and a scholar can always tell stated from derived. Derived
historical context (``fg:derivedContext``) also gets a qualified ``fg:ContextDerivation``
node naming the rule that made it. Influence ancestry is not materialised: queries follow
``fg:drewOn+`` at query time.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import io
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from filmgraph.errors import FastPathRefused, SourceError
from filmgraph.namespaces import FG, ID
from filmgraph.resources import project_root
from filmgraph.store.oxigraph import extend_in_batches, from_oxigraph

__all__ = [
    "CONTEXT_RULES",
    "GAVE_WAY",
    "INFERRED_GRAPH",
    "Rule",
    "Step",
    "comparable",
    "load_rules",
    "materialise",
    "materialise_delta",
    "materialise_store",
    "owl_rl_closure",
    "rules_dir",
]

#: The named graph that holds every inferred triple.
INFERRED_GRAPH = ID["graph/inferred"]
#: The rules that derive historical context from dates (owlrl knows nothing of them).
CONTEXT_RULES = ("context-year-within-event", "context-release-within-event")
#: A guard against a rule set that never settles (each round must add something).
MAX_ROUNDS = 50
#: The :class:`Step` that marks where the build's route gave way to the rule files.
GAVE_WAY = "rule files from here: a statement entails too much"

#: The order rules run in (others after them, by name): property hierarchy and inverses
#: first, then the typing they feed, the date rules last (they read the types).
_ORDER = (
    "sub-property-of",
    "inverse-of",
    "symmetric",
    "transitive",
    "domain",
    "range",
    "sub-class-of",
    "context-release-within-event",
    "context-year-within-event",
)
_HEADER = re.compile(r"^#\s*(rule|summary|delta)\s*:\s*(.*)$")
_DATA = str(ID)


@dataclass(frozen=True)
class Rule:
    """One inference rule: a SPARQL ``CONSTRUCT`` whose template is its conclusion."""

    name: str
    summary: str
    text: str
    path: Path
    #: ``# delta: yes``: one pattern reads the data, the others only the ontology's axioms,
    #: so a later round may run it on what was inferred since it last ran
    delta: bool = False


def rules_dir() -> Path:
    """Where the rule files live (``ontology/rules``)."""
    return project_root() / "ontology" / "rules"


def load_rules(directory: Path | None = None, names: Iterable[str] | None = None) -> list[Rule]:
    """The rules in ``directory`` (default :func:`rules_dir`), optionally only ``names``."""
    folder = directory if directory is not None else rules_dir()
    found = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        fields = {}
        for line in text.splitlines():
            match = _HEADER.match(line)
            if match:
                fields[match[1]] = match[2].strip()
        if fields.get("rule") != path.stem or not fields.get("summary"):
            raise SourceError(
                path,
                "needs '# rule: NAME' (the file name) and '# summary: …'",
                line=1,
                field="rule",
            )
        found.append(
            Rule(path.stem, fields["summary"], text, path, delta=fields.get("delta") == "yes")
        )
    if names is not None:
        wanted = set(names)
        unknown = wanted - {r.name for r in found}
        if unknown:
            raise ValueError(f"no such rules: {', '.join(sorted(unknown))}")
        found = [r for r in found if r.name in wanted]
    return found


def _to_rdflib(graph: Graph, triples: Iterable[ox.Triple | ox.Quad]) -> None:
    for t in triples:
        graph.add((from_oxigraph(t.subject), from_oxigraph(t.predicate), from_oxigraph(t.object)))


@dataclass(frozen=True)
class Step:
    """One step of :func:`materialise_store`, as the benchmark reports it.

    ``rules`` names the rules the step ran (the single-premise rules run fused, as one
    pass); ``derived`` counts their conclusions before the check against the store,
    ``added`` the quads the step added to :data:`INFERRED_GRAPH`; ``seconds`` is wall
    time, ``cpu`` the process's CPU time (the steadier figure on a shared machine).
    """

    rules: str
    round: int
    seconds: float
    cpu: float
    derived: int
    added: int


def materialise_store(
    store: ox.Store,
    rules: Sequence[Rule] | None = None,
    *,
    naive: bool = False,
    steps: list[Step] | None = None,
) -> int:
    """Run the rules inside ``store`` until they settle, writing :data:`INFERRED_GRAPH`.

    The rules read the union of every graph of ``store`` (the ontology included, as the
    named graph ``graph:ontology``) and what earlier steps inferred; each conclusion no
    graph states yet is added to :data:`INFERRED_GRAPH`. Returns how many quads were added.
    ``steps``, when given, receives one :class:`Step` per step run (for the benchmark).

    The rules are stratified: the ones without negation (every rule but the date rules)
    settle first, then the date rules run on the settled graph (they read countries
    negatively), and the first stratum runs again on what they added. Within the first
    stratum, the single-premise rules (sub-property, inverse, symmetric, domain, range,
    sub-class) are fused: what one statement entails through all of them depends only on
    its predicate (and, for a type, its class), so the entailments of each predicate are
    worked out once from the ontology's axioms and applied in one pass over the
    statements that use it (see :class:`_Entailment`). The transitive rule joins only
    what is new since its last run; the date rules are sorted joins (see :data:`_JOINS`).
    A rule file of another name runs as its SPARQL text over the whole store. A vocabulary
    that reasons about itself can make one statement entail hundreds of conclusions, each
    statement restating the vocabulary's closure; the route then gives way to the rule
    files from where it stands (a :class:`Step` named :data:`GAVE_WAY` marks it).

    ``naive`` runs every rule as SPARQL over the whole store, round after round, in the
    same strata: the reference route the benchmark and the tests compare with.
    """
    chosen = sorted(list(rules) if rules is not None else load_rules(), key=_rule_rank)
    log = steps if steps is not None else []
    if naive:
        return _materialise_naive(store, chosen, log)
    return _Materialiser(store, chosen, log).run()


def _materialise_naive(store: ox.Store, chosen: Sequence[Rule], steps: list[Step]) -> int:
    """Every rule as SPARQL over the whole store, round after round, the date rules in the
    rounds where the others add nothing: the plain formulation of :func:`materialise_store`."""
    inferred = ox.NamedNode(str(INFERRED_GRAPH))
    first = [r for r in chosen if r.name not in CONTEXT_RULES]
    last = [r for r in chosen if r.name in CONTEXT_RULES]
    total = 0
    for number in range(MAX_ROUNDS):
        added = sum(_naive_step(store, rule, inferred, number, steps) for rule in first)
        if not added:
            added = sum(_naive_step(store, rule, inferred, number, steps) for rule in last)
            if not added:
                return total
        total += added
    raise RuntimeError(f"the rules did not settle after {MAX_ROUNDS} rounds")


def _naive_step(
    store: ox.Store, rule: Rule, inferred: ox.NamedNode, number: int, steps: list[Step]
) -> int:
    """One rule as SPARQL over the whole store; what it concludes joins the inferred graph."""
    clock = _Clock()
    candidates = list(_run_full(store, rule, naive=True))
    fresh = {t for t in candidates if ox.Quad(*t, inferred) not in store}
    extend_in_batches(store, (ox.Quad(*t, inferred) for t in fresh))
    steps.append(clock.step(rule.name, number, len(candidates), len(fresh)))
    return len(fresh)


class _Clock:
    """Wall and CPU time since it was made, for :class:`Step`."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def step(self, rules: str, number: int, derived: int, added: int) -> Step:
        return Step(
            rules,
            number,
            time.perf_counter() - self.wall,
            time.process_time() - self.cpu,
            derived,
            added,
        )


# -- the build's route: the single-premise rules fused, semi-naive rounds ------------------

#: The rules with one premise on the data (the others on the ontology's axioms only): what a
#: statement entails through them is worked out per predicate (see :class:`_Entailment`).
_FUSED = ("sub-property-of", "inverse-of", "symmetric", "domain", "range", "sub-class-of")
#: The rules :class:`_Materialiser` evaluates itself; a rule of another name runs as SPARQL.
_BUILT_IN = frozenset((*_FUSED, "transitive", *CONTEXT_RULES))
#: The slots of an entailment template: the statement's subject and its object.
_S, _O = 0, 1
#: How many statements (or a rule's conclusions) are read before what they conclude is
#: written: bounds the memory of each step. At 30,000 films 50,000 held 0.05 GB less than
#: 200,000 on disk but cost the fused pass 12 % more CPU in memory
#: (``bench/results/reasoning-memory.md``).
_CHUNK = 200_000

_Term = Any
_Template = tuple[_Term, ox.NamedNode, _Term]
#: How the fused pass checks a predicate's conclusions (see :meth:`_Materialiser._compiled`).
_Plan = tuple[list[_Template], list[_Template], list[tuple[int, set[_Term], _Term]]]


#: The most conclusions one statement may reach through the single-premise rules before the
#: build's route gives way to the rule files (see :class:`_TooWide`). The project's ontology
#: reaches at most 8; a vocabulary that reasons about itself (``rdf:type`` a sub-property
#: of ``rdfs:subClassOf``, ``rdfs:subPropertyOf`` the inverse of ``rdf:type``) reached 4,304,
#: and took the fused pass 131 s where the rule files took 0.8 s.
_WIDEST = 512


class _TooWide(Exception):
    """A statement entails more than :data:`_WIDEST` conclusions through the fused rules.

    Its templates then restate most of the vocabulary's own closure, once per statement,
    where the rule files' rounds conclude each triple once: the rule files are faster.
    """


class _NeedsValue(Exception):
    """What a statement entails depends on the value in one of its slots (a class)."""

    def __init__(self, slot: int) -> None:
        super().__init__(slot)
        self.slot = slot


class _Entailment:
    """What one statement entails through the single-premise rules, worked out per predicate.

    Those rules (sub-property, inverse, symmetric, domain, range, sub-class) each read one
    statement and the ontology's axioms. So everything a statement ``s p o`` entails through
    any chain of them is a fixed set of templates over ``s`` and ``o`` — ``s q o``, ``o q s``,
    ``s a C``, ``o a C`` — that depends only on ``p`` and whether ``o`` is a literal (the
    inverse, symmetric and range rules skip literals). It is worked out once per predicate
    from the axioms and applied to every statement with that predicate: one pass over the
    data gives the closure under all six rules, with no rounds. A type's templates depend on
    its class (the sub-class rule reads it), so ``rdf:type`` statements are keyed by class.
    """

    def __init__(self, axioms: frozenset[ox.Triple], names: set[str]) -> None:
        self.axioms = axioms
        by: dict[ox.NamedNode, list[ox.Triple]] = {}
        for t in axioms:
            by.setdefault(t.predicate, []).append(t)

        def pairs(predicate: ox.NamedNode) -> list[tuple[_Term, _Term]]:
            return [(t.subject, t.object) for t in by.get(predicate, [])]

        classes = {s for s, o in pairs(_TYPE) if o == _OWL_CLASS}
        kinds = {o: {s for s, k in pairs(_TYPE) if k == o} for o in _AXIOM_CLASSES}
        self.super_props: dict[_Term, set[ox.NamedNode]] = {}
        self.inverses: dict[_Term, set[ox.NamedNode]] = {}
        self.domains: dict[_Term, set[_Term]] = {}
        self.ranges: dict[_Term, set[_Term]] = {}
        self.super_classes: dict[_Term, set[ox.NamedNode]] = {}
        self.symmetric: set[_Term] = set()
        #: the transitive properties (read by :class:`_Materialiser`, not fused)
        self.transitive: set[_Term] = set()
        if "sub-property-of" in names:
            self.super_props = _ancestors(pairs(_SUB_PROPERTY), exclude_self=True)
        if "sub-class-of" in names:
            self.super_classes = _ancestors(pairs(_SUB_CLASS), exclude_self=False)
        if "inverse-of" in names:
            for a, b in pairs(_INVERSE):
                if isinstance(a, ox.NamedNode) and isinstance(b, ox.NamedNode):
                    self.inverses.setdefault(a, set()).add(b)
                    self.inverses.setdefault(b, set()).add(a)
        for name, axiom, target in (
            ("domain", _DOMAIN, self.domains),
            ("range", _RANGE, self.ranges),
        ):
            if name in names:
                for p, c in pairs(axiom):
                    if isinstance(p, ox.NamedNode) and c in classes:
                        target.setdefault(p, set()).add(c)
        if "symmetric" in names:
            self.symmetric = {p for p in kinds[_AXIOM_CLASSES[1]] if isinstance(p, ox.NamedNode)}
        if "transitive" in names:
            self.transitive = {p for p in kinds[_AXIOM_CLASSES[2]] if isinstance(p, ox.NamedNode)}
        self._cache: dict[tuple[_Term, ...], tuple[_Template, ...]] = {}
        #: predicates whose templates depend on a slot's value: 1 the object's, 2 both
        self._needs: dict[_Term, int] = {}

    def patterns(self) -> list[tuple[ox.NamedNode, _Term]]:
        """The (predicate, object or None) patterns of every statement that entails something."""
        predicates = (
            (set(self.super_props) | set(self.inverses) | self.symmetric)
            | set(self.domains)
            | set(self.ranges)
        )
        found: list[tuple[ox.NamedNode, _Term]] = [
            (p, None)
            for p in sorted(predicates, key=str)
            if isinstance(p, ox.NamedNode) and p != _TYPE
        ]
        if _TYPE in predicates:
            found.append((_TYPE, None))
        else:
            found += [
                (_TYPE, c) for c in sorted(self.super_classes, key=str) if self.super_classes[c]
            ]
        return found

    def templates(self, s: _Term, p: _Term, o: _Term) -> tuple[_Template, ...]:
        """The templates of what ``s p o`` entails (see the class docstring)."""
        literal = isinstance(o, ox.Literal)
        # A slot's value matters only as a class with super-classes: every other value
        # gives the same templates, so the key names the value only then.
        classes = self.super_classes
        while True:
            level = self._needs.get(p, 0)
            key = (
                (p, literal)
                if level == 0
                else (p, literal, o if o in classes else None)
                if level == 1
                else (p, literal, s if s in classes else None, o if o in classes else None)
            )
            found = self._cache.get(key)
            if found is not None:
                return found
            try:
                found = self._close(p, literal, s if level == 2 else None, o if level else None)
            except _NeedsValue as need:
                self._needs[p] = 2 if need.slot == _S else 1
                continue
            self._cache[key] = found
            return found

    def fixed(self, p: _Term, literal: bool, o: _Term) -> tuple[_Template, ...] | None:
        """The templates of every statement with ``p`` (and object ``o``, if not None) and an
        object of that kind, or None when they depend on the subject or the object."""
        try:
            return self._close(p, literal, None, o)
        except _NeedsValue:
            return None

    def _close(self, p: _Term, literal: bool, s: _Term, o: _Term) -> tuple[_Template, ...]:
        """Every state a statement ``S p O`` reaches through the six rules, itself aside."""
        start: _Template = (_S, p, _O)
        seen = {start}
        todo = [start]
        while todo:
            a, q, b = todo.pop()
            reached: list[_Template] = [(a, sup, b) for sup in self.super_props.get(q, ())]
            reached += [(a, _TYPE, c) for c in self.domains.get(q, ())]
            if not (b == _O and literal and isinstance(b, int)):
                reached += [(b, inv, a) for inv in self.inverses.get(q, ())]
                if q in self.symmetric:
                    reached.append((b, q, a))
                reached += [(b, _TYPE, c) for c in self.ranges.get(q, ())]
            if q == _TYPE and self.super_classes:
                cls = _value(b, s, o)
                reached += [(a, _TYPE, sup) for sup in self.super_classes.get(cls, ())]
            for state in reached:
                if state not in seen:
                    seen.add(state)
                    todo.append(state)
            if len(seen) > _WIDEST:
                raise _TooWide(p)
        seen.discard(start)
        return tuple(seen)


def _value(slot: _Term, s: _Term, o: _Term) -> _Term:
    """The term in ``slot`` (a term stands for itself); :class:`_NeedsValue` when unknown."""
    if not isinstance(slot, int):
        return slot
    value = s if slot == _S else o
    if value is None:
        raise _NeedsValue(slot)
    return value


def _ancestors(
    edges: Iterable[tuple[_Term, _Term]], *, exclude_self: bool
) -> dict[_Term, set[ox.NamedNode]]:
    """For each node, the IRIs one or more edges up (``rdfs:subPropertyOf+`` with ``isIRI``)."""
    up: dict[_Term, set[_Term]] = {}
    for a, b in edges:
        up.setdefault(a, set()).add(b)
    found: dict[_Term, set[ox.NamedNode]] = {}
    for node in up:
        reached: set[_Term] = set()
        todo = list(up[node])
        while todo:
            nxt = todo.pop()
            if nxt not in reached:
                reached.add(nxt)
                todo += up.get(nxt, ())
        found[node] = {
            r for r in reached if isinstance(r, ox.NamedNode) and not (exclude_self and r == node)
        }
    return found


class _Materialiser:
    """The build's route of :func:`materialise_store` (see its docstring)."""

    def __init__(self, store: ox.Store, chosen: Sequence[Rule], steps: list[Step]) -> None:
        self.store, self.steps, self.chosen = store, steps, chosen
        self.names = {r.name for r in chosen}
        self.context = [r for r in chosen if r.name in CONTEXT_RULES]
        self.others = [r for r in chosen if r.name not in _BUILT_IN]
        self.inferred = ox.NamedNode(str(INFERRED_GRAPH))
        self.entailment = _Entailment(frozenset(_vocabulary(store)), self.names)
        self.round = 0
        #: how many quads were written (one written twice counts twice): progress, not a count
        self.writes = 0
        #: new statements of a transitive property, not yet joined
        self.pending: list[tuple[_Term, _Term, _Term]] = []
        self.context_due = bool(self.context)
        self.vocabulary_due = False
        #: while the date rules run, what their conclusions entail that a date rule reads
        #: (a country, a type it joins on): held back until every date rule has run, so
        #: that each reads the graph the rule files would, whatever order the axioms allow
        self.held: list[tuple[_Term, _Term, _Term]] | None = None
        #: during the fused pass, the members of each class a conclusion typed with
        self.members: dict[_Term, set[_Term]] = {}

    def run(self) -> int:
        start = self._count()
        try:
            self._settle()
        except _TooWide:
            # What the fused route wrote is entailed; the rule files go on from there.
            self.steps.append(_Clock().step(GAVE_WAY, self.round, 0, 0))
            _materialise_naive(self.store, self.chosen, self.steps)
        return self._count() - start

    def _settle(self) -> None:
        fused = "+".join(r for r in _FUSED if r in self.names)
        full = True
        transitive_full = "transitive" in self.names
        while True:
            if self.round >= MAX_ROUNDS:
                raise RuntimeError(f"the rules did not settle after {MAX_ROUNDS} rounds")
            if self.vocabulary_due:
                self.vocabulary_due = False
                axioms = frozenset(_vocabulary(self.store))
                if axioms != self.entailment.axioms:
                    self.entailment = _Entailment(axioms, self.names)
                    full, transitive_full = True, "transitive" in self.names
                    self.context_due = bool(self.context)
            before = self.writes
            if full and fused:
                self._fused_pass(fused)
            full = False
            if transitive_full:
                self.pending = []
                self._transitive(self._closures())
                transitive_full = False
            while self.pending:
                batch, self.pending = self.pending, []
                self._transitive(_transitive_delta(self.store, batch, self.entailment.transitive))
            for rule in self.others:
                self._by_rule(rule, naive=True)
            if self.writes == before and not self.vocabulary_due:
                if not self.context_due:
                    return
                self.context_due = False
                self.held = []
                for rule in self.context:
                    self._by_rule(rule, naive=False)
                held, self.held = self.held, None
                self._add(held)
            self.round += 1

    # -- the steps ----------------------------------------------------------------------

    def _fused_pass(self, label: str) -> None:
        """The six single-premise rules over every statement, in one pass.

        A statement is read once, with the templates of its predicate. A conclusion that
        types a node with a class is checked against the class's members, read once from
        the store (most are stated: every film is typed, and many properties have films
        as their domain). A conclusion with a property no graph used when the pass began
        (``fg:contributor``, ``fg:hasCredit``: only the rules conclude them) needs no check:
        at worst this pass concluded it already, and adding a quad twice changes nothing.
        Any other conclusion is checked against the store.
        """
        clock = _Clock()
        before = self._count()
        derived = 0
        self.members = {}
        patterns = self.entailment.patterns()
        plans = {
            (p, v, literal): self._compiled(p, literal, v)
            for p, v in patterns
            for literal in (False, True)
        }
        concluded = {q for plan in plans.values() if plan for _, q, _ in plan[0] + plan[1]}
        unused = {
            q
            for q in concluded
            if next(iter(self.store.quads_for_pattern(None, q, None, None)), None) is None
        }
        for p, v in patterns:
            derived += self._statements(p, v, (plans[p, v, False], plans[p, v, True]), unused)
        self.members = {}
        self.steps.append(clock.step(label, self.round, derived, self._count() - before))

    def _statements(
        self,
        predicate: _Term,
        value: _Term,
        plans: tuple[_Plan | None, _Plan | None],
        unused: set[_Term],
    ) -> int:
        """The fused rules over every statement with ``predicate`` (and value ``value``);
        returns how many conclusions they drew."""
        rows = self.store.query(
            f"SELECT ?s ?o WHERE {{ ?s {predicate} ?o }}",
            use_default_graph_as_union=True,
            substitutions=None if value is None else {ox.Variable("o"): value},
        )
        if not isinstance(rows, ox.QuerySolutions):
            raise TypeError("expected a SELECT")
        checked: list[tuple[_Term, _Term, _Term]] = []
        unchecked: list[tuple[_Term, _Term, _Term]] = []
        typed: list[tuple[_Term, _Term, _Term]] = []
        derived = 0
        for row in rows:
            s, o = row[0], row[1]
            plan = plans[isinstance(o, ox.Literal)]
            if plan is None:  # the templates depend on the statement's values
                checked += self._entailed([(s, predicate, o)])
                continue
            pair = (s, o)
            for a, q, b in plan[0]:
                (unchecked if q in unused else checked).append((pair[a], q, pair[b]))
            for a, q, b in plan[1]:
                checked.append(
                    (pair[a] if isinstance(a, int) else a, q, pair[b] if isinstance(b, int) else b)
                )
            for slot, members, cls in plan[2]:
                x = pair[slot]
                derived += 1
                if x not in members:
                    members.add(x)
                    typed.append((x, _TYPE, cls))
            if len(checked) + len(unchecked) >= _CHUNK:
                derived += len(checked) + len(unchecked)
                self._add(checked)
                self._insert(list(set(unchecked)))
                checked, unchecked = [], []
        derived += len(checked) + len(unchecked)
        self._add(checked)
        self._insert(list(set(unchecked)))
        self._insert(typed)
        return derived

    def _count(self) -> int:
        """How many quads the inferred graph holds."""
        rows = self.store.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {self.inferred} {{ ?s ?p ?o }} }}"
        )
        if not isinstance(rows, ox.QuerySolutions):
            raise TypeError("expected a SELECT")
        return int(next(iter(rows))[0].value)

    def _compiled(self, predicate: _Term, literal: bool, value: _Term) -> _Plan | None:
        """The templates of ``predicate`` split by how each conclusion is checked.

        Three lists: templates over the two slots, other templates (a constant in them),
        and types (slot, members of the class, class). None when the templates depend on
        the statement's values (an axiom makes some property a kind of ``rdf:type``).
        """
        templates = self.entailment.fixed(predicate, literal, value)
        if templates is None:
            return None
        plain: list[_Template] = []
        other: list[_Template] = []
        types: list[tuple[int, set[_Term], _Term]] = []
        for a, q, b in templates:
            if q == _TYPE and isinstance(a, int) and not isinstance(b, int):
                types.append((a, self._members(b), b))
            elif isinstance(a, int) and isinstance(b, int):
                plain.append((a, q, b))
            else:
                other.append((a, q, b))
        return plain, other, types

    def _members(self, cls: _Term) -> set[_Term]:
        """Every node some graph types with ``cls`` (read once per pass, then kept up)."""
        found = self.members.get(cls)
        if found is None:
            rows = self.store.query(
                "SELECT ?x ?c WHERE { ?x a ?c }",
                use_default_graph_as_union=True,
                substitutions={ox.Variable("c"): cls},
            )
            if not isinstance(rows, ox.QuerySolutions):
                raise TypeError("expected a SELECT")
            found = self.members[cls] = {row[0] for row in rows}
        return found

    def _closures(self) -> list[tuple[_Term, _Term, _Term]]:
        """Every chain of every transitive property (``a p c`` for a path ``a p … p c``)."""
        found: list[tuple[_Term, _Term, _Term]] = []
        for p in sorted(self.entailment.transitive, key=str):
            edges: dict[_Term, set[_Term]] = {}
            for quad in self.store.quads_for_pattern(None, p, None, None):
                edges.setdefault(quad.subject, set()).add(quad.object)
            for a, first in edges.items():
                reached: set[_Term] = set()
                todo = list(first)
                while todo:
                    node = todo.pop()
                    if node not in reached:
                        reached.add(node)
                        todo += edges.get(node, ())
                found += [(a, p, c) for c in reached - first if c != a]
        return found

    def _transitive(self, candidates: Iterable[ox.Triple | tuple[_Term, _Term, _Term]]) -> None:
        clock = _Clock()
        batch = [_spo(t) if isinstance(t, ox.Triple) else t for t in candidates]
        fresh = self._add(batch)
        added = len(fresh) + len(self._add(self._entailed(fresh)))
        self.steps.append(clock.step("transitive", self.round, len(batch), added))

    def _by_rule(self, rule: Rule, naive: bool) -> None:
        """A rule's conclusions added as the naive route adds them, then what they entail.

        As in the naive route, a conclusion joins the inferred graph unless it is there
        already, even when another graph states it (only the date rules and rule files of
        other names can conclude a stated triple: the others' text leaves those out). A
        subject no graph mentions (a new derivation node) answers for all its triples at
        once. The conclusions are taken ``_CHUNK`` at a time (the date rules' joins yield
        them as they go): a chunk's are written before the next is read, so what a later
        chunk repeats is found in the store, as a repeat within one chunk is found in it.
        """
        clock = _Clock()
        derived = added = 0
        found = iter(_run_full(self.store, rule, naive))
        while chunk := list(islice(found, _CHUNK)):
            derived += len(chunk)
            added += self._conclude(chunk)
        self.steps.append(clock.step(rule.name, self.round, derived, added))

    def _conclude(self, candidates: list[tuple[_Term, _Term, _Term]]) -> int:
        """Adds what :meth:`_by_rule` adds of ``candidates`` and what they entail; returns
        how many quads that wrote."""
        new: list[tuple[_Term, _Term, _Term]] = []
        kept: list[tuple[_Term, _Term, _Term]] = []
        unknown: dict[_Term, bool] = {}
        store = self.store
        for t in dict.fromkeys(candidates):
            s = t[0]
            absent = unknown.get(s)
            if absent is None:
                absent = unknown[s] = (
                    next(iter(store.quads_for_pattern(s, None, None, None)), None) is None
                )
            if absent:
                new.append(t)
                continue
            graphs = [q.graph_name for q in store.quads_for_pattern(*t, None)]
            if not graphs:
                new.append(t)
            elif self.inferred not in graphs:
                kept.append(t)
        extend_in_batches(store, (ox.Quad(*t, self.inferred) for t in kept))
        self.writes += len(kept)
        self._insert(new)
        entailed = self._entailed(new)
        if self.held is not None:
            now: list[tuple[_Term, _Term, _Term]] = []
            for t in entailed:
                (self.held if _read_by_date_rules(t) else now).append(t)
            entailed = now
        return len(new) + len(kept) + len(self._add(entailed))

    # -- writing ------------------------------------------------------------------------

    def _entailed(
        self, triples: Iterable[tuple[_Term, _Term, _Term]]
    ) -> list[tuple[_Term, _Term, _Term]]:
        """What the single-premise rules conclude from ``triples`` (new conclusions of others)."""
        out: list[tuple[_Term, _Term, _Term]] = []
        templates = self.entailment.templates
        for s, p, o in triples:
            pair = (s, o)
            for a, q, b in templates(s, p, o):
                out.append(
                    (pair[a] if isinstance(a, int) else a, q, pair[b] if isinstance(b, int) else b)
                )
        return out

    def _add(self, batch: list[tuple[_Term, _Term, _Term]]) -> list[tuple[_Term, _Term, _Term]]:
        """Adds the triples of ``batch`` no graph states yet; returns them."""
        store = self.store
        fresh = [
            t for t in set(batch) if next(iter(store.quads_for_pattern(*t, None)), None) is None
        ]
        self._insert(fresh)
        return fresh

    def _insert(self, fresh: list[tuple[_Term, _Term, _Term]]) -> None:
        """Writes new triples to the inferred graph and notes what they call for next."""
        if not fresh:
            return
        inferred = self.inferred
        extend_in_batches(self.store, (ox.Quad(s, p, o, inferred) for s, p, o in fresh))
        self.writes += len(fresh)
        transitive, members = self.entailment.transitive, self.members
        for t in fresh:
            p = t[1]
            if p == _TYPE and t[2] in members:
                members[t[2]].add(t[0])
            if p in transitive:
                self.pending.append(t)
            if _read_by_date_rules(t):
                self.context_due = bool(self.context)
            if p in _AXIOMS or (p == _TYPE and t[2] in _AXIOM_CLASSES):
                self.vocabulary_due = True


def _run_full(store: ox.Store, rule: Rule, naive: bool) -> Iterable[tuple[Any, Any, Any]]:
    """What ``rule`` concludes from the whole store, as (subject, predicate, object).

    A Python join reads what it needs from the store at once and yields its conclusions
    as it finds them (they may be written while it yields); a rule run as SPARQL is read
    to the end first.
    """
    join = None if naive else _JOINS.get(rule.name)
    if join is not None:
        try:
            return join(store)
        except _Unreadable:
            pass  # a value the join does not read: the SPARQL text decides
    triples = store.query(rule.text, use_default_graph_as_union=True)
    if not isinstance(triples, ox.QueryTriples):
        raise SourceError(rule.path, "a rule must be a CONSTRUCT query", field="rule")
    return [_spo(t) for t in triples]


def _run_on(rule: Rule, triples: list[ox.Triple]) -> list[ox.Triple]:
    """What ``rule`` concludes from ``triples`` alone (the vocabulary and a delta)."""
    scratch = ox.Store()
    scratch.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    result = scratch.query(rule.text)
    if not isinstance(result, ox.QueryTriples):
        raise SourceError(rule.path, "a rule must be a CONSTRUCT query", field="rule")
    return list(result)


#: What the ``# delta`` rules read besides their one data pattern: the ontology's axioms.
_AXIOMS = tuple(
    ox.NamedNode(str(p))
    for p in (RDFS.subClassOf, RDFS.subPropertyOf, OWL.inverseOf, RDFS.domain, RDFS.range)
)
_AXIOM_CLASSES = tuple(
    ox.NamedNode(str(c)) for c in (OWL.Class, OWL.SymmetricProperty, OWL.TransitiveProperty)
)
_TYPE = ox.NamedNode(str(RDF.type))
_SUB_CLASS, _SUB_PROPERTY, _INVERSE, _DOMAIN, _RANGE = _AXIOMS
_OWL_CLASS = _AXIOM_CLASSES[0]


def _vocabulary(store: ox.Store) -> list[ox.Triple]:
    """Every axiom the ``# delta`` rules join their data pattern with, from every graph."""
    found = {
        ox.Triple(q.subject, q.predicate, q.object)
        for p in _AXIOMS
        for q in store.quads_for_pattern(None, p, None, None)
    }
    found.update(
        ox.Triple(q.subject, q.predicate, q.object)
        for c in _AXIOM_CLASSES
        for q in store.quads_for_pattern(None, _TYPE, c, None)
    )
    return list(found)


def _touches_vocabulary(triples: Iterable[ox.Triple]) -> bool:
    """True when an inferred triple is an axiom: the delta rules must then read everything."""
    return any(
        t.predicate in _AXIOMS or (t.predicate == _TYPE and t.object in _AXIOM_CLASSES)
        for t in triples
    )


def materialise_delta(
    store: ox.Store,
    novel: Sequence[ox.Triple],
    stated: Sequence[ox.Triple],
    removed: Sequence[ox.Triple],
    rules: Sequence[Rule] | None = None,
) -> tuple[list[ox.Triple], list[ox.Triple]]:
    """Bring :data:`INFERRED_GRAPH` of ``store`` up to date after triples were added.

    ``store`` holds what :func:`materialise_store` inferred from the previous data, and the
    new data already: ``novel`` are the added triples no graph held before, ``stated`` every
    triple now stated (an inferred triple that a source now states leaves the inferred
    graph: a full build infers only what is not stated), ``removed`` the triples no graph
    states any more. The rules are forward rules, so what the new triples entail is found
    from them alone, semi-naively: each rule marked ``# delta: yes`` reads the vocabulary and
    the triples new since the last round, the transitive rule joins them with the store,
    and the date rules run again when a film, release or event changed.

    Returns (triples inferred, triples that left the inferred graph). Raises
    :class:`~filmgraph.errors.FastPathRefused` where the delta would not give the full
    closure: the vocabulary changed, a removed triple entailed something, or a country was
    added to a film or event with derived context (the date rules read countries
    negatively).
    """
    chosen = sorted(list(rules) if rules is not None else load_rules(), key=_rule_rank)
    inferred = ox.NamedNode(str(INFERRED_GRAPH))
    vocabulary = _vocabulary(store)
    if _touches_vocabulary([*novel, *removed]):
        raise FastPathRefused("the change states or removes ontology axioms")
    transitive = {q.subject for q in store.quads_for_pattern(None, _TYPE, _AXIOM_CLASSES[2], None)}
    delta_rules = [r for r in chosen if r.delta]
    others = {r.name for r in chosen if not r.delta} - {"transitive", *CONTEXT_RULES}
    if others:
        raise FastPathRefused(f"rules without a delta form: {', '.join(sorted(others))}")
    if removed:
        if any(t.predicate in transitive or t.predicate in _CONTEXT_PREDICATES for t in removed):
            raise FastPathRefused("a removed triple may have entailed derived context or a chain")
        for rule in delta_rules:
            for t in _run_on(rule, vocabulary + list(removed)):
                if ox.Quad(t.subject, t.predicate, t.object, inferred) in store:
                    raise FastPathRefused(f"a removed triple entailed {t} ({rule.name})")
    left = [t for t in dict.fromkeys(stated) if ox.Quad(*_spo(t), inferred) in store]
    for t in left:
        store.remove(ox.Quad(*_spo(t), inferred))
    added: list[ox.Triple] = []
    frontier = list(dict.fromkeys(novel))
    for _ in range(MAX_ROUNDS):
        if not frontier:
            return added, left
        for t in frontier:
            if t.predicate == _COUNTRY and _has_derivations(store, t.subject):
                raise FastPathRefused(
                    f"a country was added to {t.subject}, which has derived context"
                )
        candidates: list[ox.Triple] = []
        for rule in delta_rules:
            candidates += _run_on(rule, vocabulary + frontier)
        candidates += _transitive_delta(store, frontier, transitive)
        candidates += _context_delta(store, frontier, chosen)
        fresh = [t for t in dict.fromkeys(candidates) if not _stated_named(store, t)]
        store.extend(ox.Quad(*_spo(t), inferred) for t in fresh)
        added += fresh
        frontier = fresh
    raise RuntimeError(f"the rules did not settle after {MAX_ROUNDS} rounds")


def _spo(t: ox.Triple) -> tuple[Any, Any, Any]:
    return t.subject, t.predicate, t.object


def _stated_named(store: ox.Store, triple: ox.Triple) -> bool:
    """True when a named graph of ``store`` holds ``triple`` (the merged default aside)."""
    return any(
        not isinstance(q.graph_name, ox.DefaultGraph)
        for q in store.quads_for_pattern(triple.subject, triple.predicate, triple.object, None)
    )


def _has_derivations(store: ox.Store, node: Any) -> bool:
    for p in ("derivedFilm", "derivedEvent"):
        if next(iter(store.quads_for_pattern(None, ox.NamedNode(_FG + p), node, None)), None):
            return True
    return False


def _transitive_delta(
    store: ox.Store,
    frontier: Sequence[ox.Triple | tuple[Any, Any, Any]],
    transitive: set[Any],
) -> list[ox.Triple]:
    """What the transitive rule concludes with at least one premise in ``frontier``.

    ``frontier`` is already in ``store``, so a chain of two new statements is found too. A
    statement whose value is a literal ends a chain: it is joined with what leads to it.
    """
    out: list[ox.Triple] = []
    for t in frontier:
        s, p, o = _spo(t) if isinstance(t, ox.Triple) else t
        if p not in transitive:
            continue
        if not isinstance(o, ox.Literal):
            for q in store.quads_for_pattern(o, p, None, None):
                if q.object != s:
                    out.append(ox.Triple(s, p, q.object))
        for q in store.quads_for_pattern(None, p, s, None):
            if q.subject != o:
                out.append(ox.Triple(q.subject, p, o))
    return out


# -- the date rules, joined in Python -----------------------------------------------------
#
# The two context rules compare every event with every film (or release): the engine runs
# them as a nested loop (20 s a run at 10,000 films). The same conclusions come from two
# sorted lists read from the store, events by interval and films by year (releases by day),
# joined by bisection, each grouped by country so that an event reads only the films of its
# own countries and of none (testing every film of its interval would cost 25 times the
# derivations at 100,000 films, and grow with the events). The ``.rq`` files stay the
# definition: when a value is of a form the join does not read (a bound that is not a plain
# ``xsd:date``, a year of other than four digits), the rule runs as SPARQL instead, so the
# conclusions are the same either way.

_FG = "https://w3id.org/filmgraph/ontology#"
_XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
_PLAIN_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_PLAIN_YEAR = re.compile(r"^[0-9]{4}$")
_DERIVED = "https://w3id.org/filmgraph/id/claim/derived-"
#: What the date rules read: a change to one of these runs them again.
_CONTEXT_PREDICATES = frozenset(
    ox.NamedNode(_FG + p)
    for p in ("year", "hasCountry", "ofFilm", "date", "startDate", "endDate", "start", "end")
)
_CONTEXT_CLASSES = frozenset(ox.NamedNode(_FG + c) for c in ("Film", "Release", "HistoricalEvent"))
_COUNTRY = ox.NamedNode(_FG + "hasCountry")
_EVENT = ox.NamedNode(_FG + "HistoricalEvent")
_RELEASE = ox.NamedNode(_FG + "Release")
_FILM_CLASS = ox.NamedNode(_FG + "Film")
_OF_FILM = ox.NamedNode(_FG + "ofFilm")
_YEAR_P = ox.NamedNode(_FG + "year")
_DATE = ox.NamedNode(_FG + "date")
_START_DATE = ox.NamedNode(_FG + "startDate")


def _read_by_date_rules(t: tuple[_Term, _Term, _Term]) -> bool:
    """Whether the date rules read statements such as ``t``."""
    return t[1] in _CONTEXT_PREDICATES or (t[1] == _TYPE and t[2] in _CONTEXT_CLASSES)


class _Unreadable(Exception):
    """A value the Python join does not read: the rule runs as SPARQL instead."""


def _rows(store: ox.Store, sparql: str, union: bool = True) -> list[list[Any]]:
    result = store.query(f"PREFIX fg: <{_FG}>\n" + sparql, use_default_graph_as_union=union)
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError("expected a SELECT")
    return [list(row) for row in result]


def _day(term: Any) -> str:
    """An ``xsd:date`` literal as its ISO text, comparable as a string (years 0000 to 9999)."""
    if (
        not isinstance(term, ox.Literal)
        or term.datatype.value != _XSD_DATE
        or not _PLAIN_DATE.match(term.value)
    ):
        raise _Unreadable
    try:
        dt.date.fromisoformat(term.value)
    except ValueError:
        raise _Unreadable from None
    return term.value


def _events(store: ox.Store, union: bool = True) -> list[tuple[ox.NamedNode, str, str]]:
    """Every event lasting from one day to another, with its widest bounds (each pair).

    Without ``union`` they are read from the default graph alone: a built store keeps the
    merge of its named graphs there (reading the union would repeat each match once per
    combination of graphs stating its parts).
    """
    rows = _rows(
        store,
        """SELECT DISTINCT ?event ?from ?to WHERE {
        ?event fg:start ?start ; fg:end ?end ; fg:startDate ?from ; fg:endDate ?to .
        FILTER (STR(?start) != STR(?end))
        ?event a fg:HistoricalEvent . }""",
        union,
    )
    return [(event, _day(start), _day(end)) for event, start, end in rows]


def _countries(store: ox.Store) -> dict[Any, set[Any]]:
    found: dict[Any, set[Any]] = {}
    for thing, country in _rows(store, "SELECT ?s ?c WHERE { ?s fg:hasCountry ?c }"):
        found.setdefault(thing, set()).add(country)
    return found


def _shares_country(countries: dict[Any, set[Any]], event: Any, film: Any) -> bool:
    ours, theirs = countries.get(event), countries.get(film)
    return not ours or not theirs or not ours.isdisjoint(theirs)


_DERIVED_CONTEXT = ox.NamedNode(_FG + "derivedContext")
_CONTEXT_DERIVATION = ox.NamedNode(_FG + "ContextDerivation")
_DERIVED_FILM = ox.NamedNode(_FG + "derivedFilm")
_DERIVED_EVENT = ox.NamedNode(_FG + "derivedEvent")
_RULE = ox.NamedNode(_FG + "rule")


def _context(film: Any, event: Any, rule: str, tag: str) -> list[tuple[Any, Any, Any]]:
    """The five triples of one derivation: the link and its qualified node."""
    digest = hashlib.md5(f"{film.value} {event.value} {tag}".encode()).hexdigest()
    node = ox.NamedNode(_DERIVED + digest)
    return [
        (film, _DERIVED_CONTEXT, event),
        (node, _TYPE, _CONTEXT_DERIVATION),
        (node, _DERIVED_FILM, film),
        (node, _DERIVED_EVENT, event),
        (node, _RULE, ox.NamedNode(_FG + rule)),
    ]


def _node(triples: list[tuple[Any, Any, Any]]) -> str:
    """The IRI of the derivation node among a derivation's triples (see :func:`_context`)."""
    return str(triples[1][0].value)


def _derived_already(store: ox.Store, rule: str) -> set[str]:
    return {
        q.subject.value
        for q in store.quads_for_pattern(None, ox.NamedNode(_FG + "rule"), ox.NamedNode(_FG + rule))
        if isinstance(q.subject, ox.NamedNode)
    }


def _by_country(
    countries: dict[Any, set[Any]], items: Iterable[tuple[Any, Any]]
) -> dict[Any, list[Any]]:
    """``(key, film)`` pairs grouped under ``(key, country)`` for each country of the film,
    or ``(key, None)`` for a film of no country: an event then finds the films it may
    match under its own countries and None, not by testing every film of its interval."""
    groups: dict[Any, list[Any]] = {}
    for key, film in items:
        for country in countries.get(film) or (None,):
            groups.setdefault((key, country), []).append(film)
    return groups


def _candidates(
    countries: dict[Any, set[Any]],
    event: Any,
    groups: dict[Any, list[Any]],
    everything: dict[Any, list[Any]],
    key: Any,
) -> Iterable[Any]:
    """The films under ``key`` that ``event`` may take as context: all of them if the event
    names no country, else those of no country or of one of the event's."""
    ours = countries.get(event)
    if not ours:
        return everything.get(key, ())
    found: dict[Any, None] = {}
    for country in (None, *ours):
        found.update(dict.fromkeys(groups.get((key, country), ())))
    return found


def _year_within_event(store: ox.Store) -> Iterable[tuple[Any, Any, Any]]:
    """``context-year-within-event``: films whose whole year lies inside an event.

    Films are grouped by year and country, so each event reads only the films it matches
    (and those of no country): the work follows the derivations, not films times events.
    Everything is read (and :class:`_Unreadable` raised) before the first conclusion.
    """
    events = _events(store)
    by_year: dict[int, list[Any]] = {}
    for film, year in _rows(store, "SELECT ?f ?y WHERE { ?f a fg:Film ; fg:year ?y }"):
        text = year.value if isinstance(year, ox.Literal) else ""
        if not _PLAIN_YEAR.match(text):
            raise _Unreadable
        by_year.setdefault(int(text), []).append(film)
    if not events or not by_year:
        return ()
    countries = _countries(store)
    groups = _by_country(countries, ((y, f) for y, films in by_year.items() for f in films))
    done = _derived_already(store, "FilmYearWithinEvent")

    def derivations() -> Iterator[tuple[Any, Any, Any]]:
        for event, start, end in events:
            first = int(start[:4]) + (start[5:] != "01-01")  # the first year wholly inside
            last = int(end[:4]) - (end[5:] != "12-31")
            for year in range(max(first, min(by_year)), min(last, max(by_year)) + 1):
                for film in _candidates(countries, event, groups, by_year, year):
                    triples = _context(film, event, "FilmYearWithinEvent", "film-year-within-event")
                    if _node(triples) not in done:
                        yield from triples

    return derivations()


def _release_within_event(store: ox.Store) -> Iterable[tuple[Any, Any, Any]]:
    """``context-release-within-event``: releases known to the day inside an event.

    Releases are sorted by day within each country of their film (and the film-less of
    country), so an event bisects only the lists of its countries. Everything is read (and
    :class:`_Unreadable` raised) before the first conclusion.
    """
    events = _events(store)
    releases: list[tuple[str, Any]] = []
    for film, date, day in _rows(
        store,
        """SELECT ?film ?date ?day WHERE {
            ?release a fg:Release ; fg:ofFilm ?film ; fg:date ?date ; fg:startDate ?day . }""",
    ):
        if isinstance(date, ox.Literal) and _PLAIN_DATE.match(date.value):
            releases.append((_day(day), film))
    if not events or not releases:
        return ()
    releases.sort(key=lambda r: r[0])
    countries = _countries(store)
    by_country: dict[Any, list[tuple[str, Any]]] = {}
    for day, film in releases:
        for country in countries.get(film) or (None,):
            by_country.setdefault(country, []).append((day, film))
    every = ([day for day, _ in releases], [film for _, film in releases])
    lists = {c: ([d for d, _ in g], [f for _, f in g]) for c, g in by_country.items()}
    done = _derived_already(store, "ReleaseWithinEvent")

    def derivations() -> Iterator[tuple[Any, Any, Any]]:
        for event, start, end in events:
            ours = countries.get(event)
            chosen = [every] if not ours else [lists[c] for c in (None, *ours) if c in lists]
            films: dict[Any, None] = {}
            for days, found in chosen:
                low, high = bisect.bisect_left(days, start), bisect.bisect_right(days, end)
                films.update(dict.fromkeys(found[low:high]))
            for film in films:
                triples = _context(film, event, "ReleaseWithinEvent", "release-within-event")
                if _node(triples) not in done:
                    yield from triples

    return derivations()


def _context_delta(
    store: ox.Store, frontier: Sequence[ox.Triple], rules: Sequence[Rule]
) -> list[ox.Triple]:
    """What the date rules conclude that ``frontier`` may have made true.

    A change to a film (its type, year or countries) or to a release is joined with every
    event, by the same Python joins restricted to the films touched; a change to an event
    runs the rules over everything.
    """
    touched = [
        t
        for t in frontier
        if t.predicate in _CONTEXT_PREDICATES
        or (t.predicate == _TYPE and t.object in _CONTEXT_CLASSES)
    ]
    if not touched:
        return []
    films: set[Any] = set()
    for t in touched:
        classes = {q.object for q in store.quads_for_pattern(t.subject, _TYPE, None, None)}
        if _EVENT in classes:
            out: list[tuple[Any, Any, Any]] = []
            for name in CONTEXT_RULES:
                out += _run_full(store, next(r for r in rules if r.name == name), naive=False)
            return [ox.Triple(*t) for t in out]
        if _RELEASE in classes:
            films |= {q.object for q in store.quads_for_pattern(t.subject, _OF_FILM, None, None)}
        if t.predicate == _OF_FILM:
            films.add(t.object)
        if _FILM_CLASS in classes:
            films.add(t.subject)
    if not films:
        return []
    try:
        return [ox.Triple(*t) for t in _films_within_events(store, films)]
    except _Unreadable:
        raise FastPathRefused(
            "a film or release has a date the date rules read as SPARQL"
        ) from None


def _films_within_events(store: ox.Store, films: set[Any]) -> list[tuple[Any, Any, Any]]:
    """Both date rules for ``films`` only (see :func:`_year_within_event`)."""
    merged = next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None)
    events = _events(store, union=merged is None)
    if not events:
        return []
    countries: dict[Any, set[Any]] = {}
    for node in {e for e, _, _ in events} | films:
        found = {q.object for q in store.quads_for_pattern(node, _COUNTRY, None, None)}
        if found:
            countries[node] = found
    out: list[tuple[Any, Any, Any]] = []
    for film in sorted(films, key=str):
        if not any(True for _ in store.quads_for_pattern(film, _TYPE, _FILM_CLASS, None)):
            continue
        for year in {q.object for q in store.quads_for_pattern(film, _YEAR_P, None, None)}:
            text = year.value if isinstance(year, ox.Literal) else ""
            if not _PLAIN_YEAR.match(text):
                raise _Unreadable
            for event, start, end in events:
                first = int(start[:4]) + (start[5:] != "01-01")
                last = int(end[:4]) - (end[5:] != "12-31")
                if first <= int(text) <= last and _shares_country(countries, event, film):
                    triples = _context(film, event, "FilmYearWithinEvent", "film-year-within-event")
                    if not _derived_by(store, triples):
                        out.extend(triples)
        for q in store.quads_for_pattern(None, _OF_FILM, film, None):
            release = q.subject
            if not any(True for _ in store.quads_for_pattern(release, _TYPE, _RELEASE, None)):
                continue
            dates = [r.object for r in store.quads_for_pattern(release, _DATE, None, None)]
            if not any(isinstance(d, ox.Literal) and _PLAIN_DATE.match(d.value) for d in dates):
                continue
            for r in store.quads_for_pattern(release, _START_DATE, None, None):
                day = _day(r.object)
                for event, start, end in events:
                    if start <= day <= end and _shares_country(countries, event, film):
                        triples = _context(
                            film, event, "ReleaseWithinEvent", "release-within-event"
                        )
                        if not _derived_by(store, triples):
                            out.extend(triples)
    return list(dict.fromkeys(out))


def _derived_by(store: ox.Store, triples: list[tuple[Any, Any, Any]]) -> bool:
    """True when the derivation node of ``triples`` (see :func:`_context`) has its rule."""
    found = store.quads_for_pattern(*triples[4], None)
    return next(iter(found), None) is not None


#: Rules with a Python join giving the same conclusions as their SPARQL text.
_JOINS = {
    "context-year-within-event": _year_within_event,
    "context-release-within-event": _release_within_event,
}


def _rule_rank(rule: Rule) -> tuple[int, str]:
    """Rules whose conclusions others read run first, so one round does most of the work."""
    return (_ORDER.index(rule.name) if rule.name in _ORDER else len(_ORDER), rule.name)


def materialise(
    data: Dataset | Graph,
    rules: Sequence[Rule] | None = None,
) -> Graph:
    """The triples the rules infer from ``data``, none of which ``data`` already states.

    Parameters
    ----------
    data : rdflib.Dataset or rdflib.Graph
        Everything stated, the ontology included (as a build holds it: the ontology is the
        named graph ``graph:ontology``). Named graphs are read as their union.
    rules : sequence of Rule, optional
        The rules to run (default: every rule of :func:`load_rules`).

    Returns
    -------
    rdflib.Graph
        The inferred triples, ready to be added as :data:`INFERRED_GRAPH`.

    Notes
    -----
    For data held in rdflib: it is copied once into an in-memory pyoxigraph store and
    :func:`materialise_store` runs there. The build calls :func:`materialise_store` on its
    own store directly.
    """
    scratch = ox.Store()
    buffer = io.BytesIO()
    if isinstance(data, Dataset):
        data.serialize(destination=buffer, format="nquads")
        scratch.bulk_load(buffer.getvalue(), format=ox.RdfFormat.N_QUADS)
    else:
        data.serialize(destination=buffer, format="nt", encoding="utf-8")
        scratch.bulk_load(
            buffer.getvalue(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph()
        )
    materialise_store(scratch, rules)
    result = Graph()
    _to_rdflib(
        result, scratch.quads_for_pattern(None, None, None, ox.NamedNode(str(INFERRED_GRAPH)))
    )
    return result


def owl_rl_closure(data: Graph) -> Graph:
    """The triples the OWL 2 RL closure (``owlrl``) adds to ``data``.

    ``data`` is left as it was. The closure includes much that the targeted rules leave out
    on purpose (axiomatic triples, ``owl:sameAs`` reflexivity, typing of the vocabulary
    itself); :func:`comparable` picks the part both routes are meant to agree on.
    """
    import owlrl  # deferred: owlrl is slow to import and only this route needs it

    closure = Graph()
    for triple in data:
        closure.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closure)
    inferred = Graph()
    for triple in closure:
        if triple not in data:
            inferred.add(triple)
    return inferred


def comparable(triples: Iterable[tuple[object, object, object]]) -> set[tuple[object, ...]]:
    """The triples about the data that both reasoning routes must agree on.

    Kept: statements whose subject is one of our resources (``https://w3id.org/filmgraph/id/``)
    and whose predicate is ``rdf:type`` with one of our classes as value, or one of our object
    properties with a resource as value. Everything else (axioms, literals, blank nodes,
    ``owl:sameAs``, types from other vocabularies) is left out.
    """
    fg = str(FG._NS)
    kept: set[tuple[object, ...]] = set()
    for s, p, o in triples:
        if not (isinstance(s, URIRef) and str(s).startswith(_DATA)):
            continue
        if isinstance(o, (Literal, BNode)) or p == OWL.sameAs:
            continue
        if p == RDF.type:
            if str(o).startswith(fg):
                kept.add((s, p, o))
        elif str(p).startswith(fg):
            kept.add((s, p, o))
    return kept
