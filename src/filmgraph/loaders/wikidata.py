"""Loader for Wikidata-shaped statements: ``QID  PID  value`` rows, tab-separated.

This is the shape Wikidata dumps and benchmarks such as CoDEx share (``Q1  P57  Q2``). A
header row ``subject  property  value`` is optional; the file may be gzip-compressed. Besides
``P…`` properties two pseudo-properties carry names: ``label`` and ``alias``.

Every ``P…`` is mapped through the ontology's alignments (``fg:director skos:closeMatch
wdt:P57``), never a second table: a property with no ``fg:`` counterpart is left out and
reported with how many rows used it. ``P31`` (instance of) values map to our classes the same
way (``fg:Film skos:closeMatch wd:Q11424``). Each item gets our IRI (from its label and, for
films, year) and keeps its QID as an ``fg:wikidata`` link, so linking merges it with the
same item from other sources; an item with no name is labelled with its QID and marked
``fg:unresolved true``. A credit property (P57, P161 …) also gives a qualified
:class:`fg:Credit` with the role the alignments name.
"""

from __future__ import annotations

import gzip
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from filmgraph.errors import SourceError
from filmgraph.iri import film_iri, hashed_iri, mint, slug
from filmgraph.loaders import LoadContext, SourceGraph, Triples
from filmgraph.loaders.alignment import alignment
from filmgraph.loaders.pagegazetteer import KIND_OF_CLASS
from filmgraph.namespaces import FG, WD, WDT
from filmgraph.provenance import graph_iri

__all__ = ["WikidataLoader"]

_QID = re.compile(r"^Q[1-9][0-9]*$")
_PID = re.compile(r"^P[1-9][0-9]*$")
_TIME = re.compile(r"^\+?(?P<y>-?[0-9]{4})(?:-(?P<m>[0-9]{2})-(?P<d>[0-9]{2}))?")
_INSTANCE_OF = "P31"


def _open(path: Path) -> list[str]:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                return handle.read().splitlines()
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise SourceError(path, f"cannot be read: {exc}") from exc


class WikidataLoader:
    """Reads ``*.wikidata.tsv`` (or ``.tsv.gz``) statements into one named graph."""

    name = "wikidata"

    def accepts(self, path: Path) -> bool:
        return path.is_file() and path.name.endswith((".wikidata.tsv", ".wikidata.tsv.gz"))

    def load(self, path: Path, context: LoadContext, root: Path) -> Iterator[SourceGraph]:
        if context.reuse(path):
            return
        statements: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
        for number, text in enumerate(_open(path), start=1):
            if not text.strip() or text.startswith("#"):
                continue
            cells = [c.strip() for c in text.split("\t")]
            if number == 1 and cells[:3] == ["subject", "property", "value"]:
                continue
            try:
                subject, prop, value = self._check(path, number, cells)
            except SourceError as error:
                context.reject(error)
                continue
            statements[subject].append((number, prop, value))
        source = SourceGraph(graph_iri(path, root), path, self.name)
        _Items(path, statements, source, context).emit()
        yield source

    def _check(self, path: Path, line: int, cells: list[str]) -> tuple[str, str, str]:
        if len(cells) != 3:
            raise SourceError(path, f"has {len(cells)} cells; subject, property and value "
                              "are expected", line=line)
        subject, prop, value = cells
        if not _QID.match(subject):
            raise SourceError(path, f"{subject!r} is not a Wikidata item id", line=line,
                              field="subject")
        if not (_PID.match(prop) or prop in ("label", "alias")):
            raise SourceError(path, f"{prop!r} is not a Wikidata property id (P…), 'label' "
                              "or 'alias'", line=line, field="property")
        if not value:
            raise SourceError(path, "is empty", line=line, field="value")
        return subject, prop, value


class _Items:
    """Mints, types and describes the items of one file."""

    def __init__(self, path: Path, statements: dict[str, list[tuple[int, str, str]]],
                 source: SourceGraph, context: LoadContext) -> None:
        self.path, self.statements, self.source, self.context = path, statements, source, context
        self.align = alignment()
        self.kinds: dict[str, tuple[str, URIRef]] = {}
        self.iris: dict[str, URIRef] = {}
        self.unmapped: Counter[str] = Counter()

    def emit(self) -> None:
        self._kinds()
        g = self.source.graph
        for qid in sorted(self.statements):
            node = self._iri(qid)
            if node is None:
                continue
            for line, prop, value in self.statements[qid]:
                try:
                    self._statement(g, qid, node, line, prop, value)
                except SourceError as error:
                    self.context.reject(error)
                    continue
                self.source.records += 1
        for prop, count in sorted(self.unmapped.items()):
            self.context.notes.append(f"{self.path.name}: {prop} ({count} rows) has no "
                                      "counterpart in the ontology; left out")

    def _kinds(self) -> None:
        """The kind of every item: from P31 first, else from the domain or range of its uses."""
        for qid, rows in self.statements.items():
            for _, prop, value in rows:
                if prop == _INSTANCE_OF:
                    for cls in self.align.classes.get(WD[value], ()):
                        if cls in KIND_OF_CLASS:
                            self.kinds.setdefault(qid, (KIND_OF_CLASS[cls], cls))
        ontology_domain = self._domains()
        for qid, rows in self.statements.items():
            for _, prop, value in rows:
                for target in self.align.properties.get(WDT[prop], ()) if _PID.match(prop) else ():
                    domain = ontology_domain.get(target)
                    if domain in KIND_OF_CLASS:
                        self.kinds.setdefault(qid, (KIND_OF_CLASS[domain], domain))
                    rng = self.align.ranges.get(target)
                    if _QID.match(value) and rng in KIND_OF_CLASS:
                        self.kinds.setdefault(value, (KIND_OF_CLASS[rng], rng))

    def _domains(self) -> dict[URIRef, URIRef]:
        from filmgraph.loaders.alignment import ontology

        return {p: d for p, d in ontology().subject_objects(RDFS.domain)
                if isinstance(p, URIRef) and isinstance(d, URIRef)}

    def _iri(self, qid: str) -> URIRef | None:
        if qid in self.iris:
            return self.iris[qid]
        if qid not in self.kinds:
            return None
        kind, cls = self.kinds[qid]
        rows = self.statements.get(qid, [])
        label = next((v for _, p, v in rows if p == "label"), None)
        year = next((m.group("y") for _, p, v in rows if p == "P577"
                     for m in [_TIME.match(v)] if m), None)
        if kind == "film" and label and year:
            node = film_iri(label, year)
        elif label:
            node = mint("place" if kind == "country" else kind, f"{slug(label)}-{qid.lower()}")
        else:
            node = mint("place" if kind == "country" else kind, qid.lower())
        g = self.source.graph
        g.add((node, RDF.type, cls))
        g.add((node, FG.wikidata, WD[qid]))
        if label is None:
            g.add((node, RDFS.label, Literal(qid)))
            g.add((node, FG.unresolved, Literal(True)))
        self.iris[qid] = node
        return node

    def _statement(self, g: Triples, qid: str, node: URIRef, line: int, prop: str,
                   value: str) -> None:
        if prop == "label":
            g.add((node, RDFS.label, Literal(value, lang="en")))
            return
        if prop == "alias":
            g.add((node, SKOS.altLabel, Literal(value)))
            return
        if prop == _INSTANCE_OF:
            return
        targets = self.align.properties.get(WDT[prop], ())
        if not targets:
            self.unmapped[prop] += 1
            return
        for target in targets:
            if target in self.align.object_properties:
                if not _QID.match(value):
                    raise SourceError(self.path, f"{value!r} should be an item id for {prop}",
                                      line=line, field="value")
                other = self._iri(value)
                if other is None:
                    self.unmapped[f"{prop} to an item of unknown kind"] += 1
                    continue
                g.add((node, target, other))
                role = next((r for r in self.align.individuals.get(WDT[prop], ())
                             if r in self.align.direct), None)
                if role is not None:
                    credit = hashed_iri("credit", str(node), str(other),
                                        str(role).rsplit("#", 1)[-1][:-4].lower(), "")
                    g.add((credit, RDF.type, FG.Credit))
                    g.add((credit, FG.creditFilm, node))
                    g.add((credit, FG.creditAgent, other))
                    g.add((credit, FG.role, role))
            else:
                literal = _literal(self.align.ranges.get(target), value)
                if literal is not None:
                    g.add((node, target, literal))


def _literal(datatype: URIRef | None, value: str) -> Literal | None:
    match = _TIME.match(value)
    if datatype == XSD.gYear:
        return Literal(match.group("y"), datatype=XSD.gYear) if match else None
    if datatype == XSD.date:
        if match and match.group("d") and match.group("d") != "00":
            return Literal(f"{match.group('y')}-{match.group('m')}-{match.group('d')}",
                           datatype=XSD.date)
        return None
    if datatype == XSD.integer:
        return Literal(int(value), datatype=XSD.integer) if re.fullmatch(r"[+-]?[0-9]+", value) \
            else None
    return Literal(value)
