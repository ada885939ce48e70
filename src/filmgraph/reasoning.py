"""Reasoning: what the ontology entails, and historical context derived from dates.

Two routes give the same entailments on the predicates the ontology needs:

* :func:`owl_rl_closure` — the full OWL 2 RL closure computed by ``owlrl`` on an rdflib graph.
  Complete, but slow: minutes at ten thousand films (``shared/notes/engines.md``).
* :func:`materialise_store` — the targeted materialisation the build uses: the rules in
  ``ontology/rules/*.rq`` (sub-class, sub-property, inverse, symmetric, transitive, domain,
  range, and two date rules for historical context), each a SPARQL ``CONSTRUCT``, run to a
  fixpoint inside the build's own pyoxigraph store. Seconds at that size.
  :func:`materialise` does the same for data held in rdflib (tests, notebooks).

Everything inferred goes into one named graph, :data:`INFERRED_GRAPH`, so an export can
include or leave it out, and a scholar can always tell stated from derived. Derived
historical context (``fg:derivedContext``) also gets a qualified ``fg:ContextDerivation``
node naming the rule that made it. Influence ancestry is not materialised: queries follow
``fg:drewOn+`` at query time.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF

from filmgraph.errors import SourceError
from filmgraph.namespaces import FG, ID
from filmgraph.resources import project_root
from filmgraph.store.oxigraph import from_oxigraph

__all__ = [
    "CONTEXT_RULES",
    "INFERRED_GRAPH",
    "Rule",
    "comparable",
    "load_rules",
    "materialise",
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

#: The order rules run in (others after them, by name): property hierarchy and inverses
#: first, then the typing they feed, the date rules last (they read the types).
_ORDER = ("sub-property-of", "inverse-of", "symmetric", "transitive", "domain", "range",
          "sub-class-of", "context-release-within-event", "context-year-within-event")
_HEADER = re.compile(r"^#\s*(rule|summary)\s*:\s*(.*)$")
_DATA = str(ID)


@dataclass(frozen=True)
class Rule:
    """One inference rule: a SPARQL ``CONSTRUCT`` whose template is its conclusion."""

    name: str
    summary: str
    text: str
    path: Path


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
            raise SourceError(path, "needs '# rule: NAME' (the file name) and '# summary: …'",
                              line=1, field="rule")
        found.append(Rule(path.stem, fields["summary"], text, path))
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


def materialise_store(store: ox.Store, rules: Sequence[Rule] | None = None) -> int:
    """Run the rules inside ``store`` until they settle, writing :data:`INFERRED_GRAPH`.

    The rules read the union of every named graph of ``store`` (the ontology included, as
    the named graph ``graph:ontology``) and what earlier rounds inferred; each conclusion
    that is not yet in :data:`INFERRED_GRAPH` is added there. Nothing leaves the engine.
    Returns how many triples were inferred.
    """
    chosen = sorted(list(rules) if rules is not None else load_rules(), key=_rule_rank)
    inferred = ox.NamedNode(str(INFERRED_GRAPH))
    total = 0
    #: the total when each rule last finished: a rule run again on an unchanged store
    #: adds nothing (its earlier conclusions are all in it), so it is skipped
    settled: dict[str, int] = {}
    for _ in range(MAX_ROUNDS):
        added = 0
        for rule in chosen:
            if settled.get(rule.name) == total:
                continue
            triples = store.query(rule.text, use_default_graph_as_union=True)
            if not isinstance(triples, ox.QueryTriples):
                raise SourceError(rule.path, "a rule must be a CONSTRUCT query", field="rule")
            new = {ox.Quad(t.subject, t.predicate, t.object, inferred) for t in triples}
            fresh = [q for q in new if q not in store]
            if fresh:
                store.extend(fresh)
                added += len(fresh)
                total += len(fresh)
            settled[rule.name] = total
        if not added:
            return total
    raise RuntimeError(f"the rules did not settle after {MAX_ROUNDS} rounds")


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
        scratch.bulk_load(buffer.getvalue(), format=ox.RdfFormat.N_TRIPLES,
                          to_graph=ox.DefaultGraph())
    materialise_store(scratch, rules)
    result = Graph()
    _to_rdflib(result, scratch.quads_for_pattern(None, None, None,
                                                 ox.NamedNode(str(INFERRED_GRAPH))))
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
