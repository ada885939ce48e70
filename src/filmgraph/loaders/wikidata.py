"""Loader for Wikidata-shaped statements: ``QID  PID  value`` rows, tab-separated.

This is the shape Wikidata dumps and benchmarks such as CoDEx share (``Q1  P57  Q2``). A
header row ``subject  property  value`` is optional; the file may be gzip-compressed. Besides
``P…`` properties two pseudo-properties carry names: ``label`` and ``alias``. A row may go on
with qualifier pairs as QuickStatements writes them (``P1480  Q5727902``: circa); the filmgraph
Wikidata export writes such rows.

A value is read as its property's datatype says (:mod:`filmgraph.wikibase`): an item id, a
time with its precision (``+1941-00-00T00:00:00Z/9`` is a year, never 1 January), a quantity
with its unit, text with its language. Every ``P…`` is mapped through the ontology's
alignments (:mod:`filmgraph.alignment`, the rules the exporters follow too), never a second
table: the value becomes the first aligned property, the preferred one first, whose range
holds it at its precision (P577 known to the day is an ``fg:releaseDate``, known to the year
an ``fg:year``; P580 is an ``fg:start`` in EDTF at the precision given). A film gets one year,
the earliest. A property with no ``fg:`` counterpart is left out and reported with how many
rows used it. ``P31`` (instance of) values map to our classes the same
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
from typing import NamedTuple

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from filmgraph.alignment import Kind, alignments
from filmgraph.errors import SourceError
from filmgraph.iri import film_iri, hashed_iri, mint, slug
from filmgraph.loaders import LoadContext, SourceGraph, Triples
from filmgraph.loaders.pagegazetteer import KIND_OF_CLASS
from filmgraph.namespaces import FG, WD, WDT
from filmgraph.provenance import graph_iri
from filmgraph.temporal import parse_year, release_year
from filmgraph.wikibase import BadValue, TimeValue, parse_quantity, parse_text, parse_time

__all__ = ["WikidataLoader"]

_QID = re.compile(r"^Q[1-9][0-9]*$")
_PID = re.compile(r"^P[1-9][0-9]*$")
_INSTANCE_OF = "P31"


class _Row(NamedTuple):
    line: int
    prop: str
    value: str
    qualifiers: list[tuple[str, str]]


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
        statements: dict[str, list[_Row]] = defaultdict(list)
        for number, text in enumerate(_open(path), start=1):
            if not text.strip() or text.startswith("#"):
                continue
            cells = [c.strip() for c in text.split("\t")]
            if number == 1 and cells[:3] == ["subject", "property", "value"]:
                continue
            try:
                subject, prop, value, qualifiers = self._check(path, number, cells)
            except SourceError as error:
                context.reject(error)
                continue
            statements[subject].append(_Row(number, prop, value, qualifiers))
        source = SourceGraph(graph_iri(path, root), path, self.name)
        _Items(path, statements, source, context).emit()
        yield source

    def _check(
        self, path: Path, line: int, cells: list[str]
    ) -> tuple[str, str, str, list[tuple[str, str]]]:
        if len(cells) < 3 or len(cells) % 2 == 0:
            raise SourceError(
                path,
                f"has {len(cells)} cells; subject, property and value "
                "are expected, then qualifier pairs",
                line=line,
            )
        subject, prop, value = cells[:3]
        qualifiers = list(zip(cells[3::2], cells[4::2], strict=True))
        if not _QID.match(subject):
            raise SourceError(
                path, f"{subject!r} is not a Wikidata item id", line=line, field="subject"
            )
        if not (_PID.match(prop) or prop in ("label", "alias")):
            raise SourceError(
                path,
                f"{prop!r} is not a Wikidata property id (P…), 'label' or 'alias'",
                line=line,
                field="property",
            )
        if not value:
            raise SourceError(path, "is empty", line=line, field="value")
        return subject, prop, value, qualifiers


class _Items:
    """Mints, types and describes the items of one file."""

    def __init__(
        self,
        path: Path,
        statements: dict[str, list[_Row]],
        source: SourceGraph,
        context: LoadContext,
    ) -> None:
        self.path, self.statements, self.source, self.context = path, statements, source, context
        self.align = alignments()
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
            for row in self.statements[qid]:
                try:
                    self._statement(g, node, row)
                except SourceError as error:
                    self.context.reject(error)
                    continue
                self.source.records += 1
            if (node, RDF.type, FG.Film) in g and g.value(node, FG.year) is None:
                year = release_year(g.objects(node, FG.releaseDate))
                if year is not None:
                    g.add((node, FG.year, year))
        for prop, count in sorted(self.unmapped.items()):
            self.context.notes.append(
                f"{self.path.name}: {prop} ({count} rows) has no "
                "counterpart in the ontology; left out"
            )

    def _targets(self, prop: str) -> tuple[URIRef, ...]:
        return self.align.imports(WDT[prop], Kind.PROPERTY) if _PID.match(prop) else ()

    def _kinds(self) -> None:
        """The kind of every item: from P31 first, else from the domain or range of its uses."""
        for qid, rows in self.statements.items():
            for row in rows:
                if row.prop == _INSTANCE_OF:
                    for cls in self.align.imports(WD[row.value], Kind.CLASS):
                        if cls in KIND_OF_CLASS:
                            self.kinds.setdefault(qid, (KIND_OF_CLASS[cls], cls))
        for qid, rows in self.statements.items():
            for row in rows:
                for target in self._targets(row.prop)[:1]:
                    domain = self.align.domains.get(target)
                    if domain in KIND_OF_CLASS:
                        self.kinds.setdefault(qid, (KIND_OF_CLASS[domain], domain))
                    rng = self.align.ranges.get(target)
                    if _QID.match(row.value) and rng in KIND_OF_CLASS:
                        self.kinds.setdefault(row.value, (KIND_OF_CLASS[rng], rng))

    def _iri(self, qid: str) -> URIRef | None:
        if qid in self.iris:
            return self.iris[qid]
        if qid not in self.kinds:
            return None
        kind, cls = self.kinds[qid]
        rows = self.statements.get(qid, [])
        label = next((parse_text(r.value, False).text for r in rows if r.prop == "label"), None)
        years = sorted(
            t.year
            for r in rows
            if r.prop == "P577"
            for t in [_time_or_none(r.value)]
            if t is not None
        )
        if kind == "film" and label and years:
            node = film_iri(label, years[0])
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

    def _statement(self, g: Triples, node: URIRef, row: _Row) -> None:
        if row.prop == "label":
            text = parse_text(row.value, False)
            g.add((node, RDFS.label, Literal(text.text, lang=text.language or "en")))
            return
        if row.prop == "alias":
            text = parse_text(row.value, False)
            g.add((node, SKOS.altLabel, Literal(text.text, lang=text.language)))
            return
        if row.prop == _INSTANCE_OF:
            return
        targets = self._targets(row.prop)
        if not targets:
            self.unmapped[row.prop] += 1
            return
        if targets[0] in self.align.object_properties:
            self._edge(g, node, row, targets[0])
            return
        try:
            held = [
                (t, v)
                for t in targets
                if t not in self.align.object_properties
                for v in [self._literal(t, row)]
                if v is not None
            ]
        except BadValue as exc:
            raise SourceError(
                self.path, f"{exc} for {row.prop}", line=row.line, field="value"
            ) from exc
        if not held:
            names = ", ".join(str(t).rsplit("#", 1)[-1] for t in targets)
            raise SourceError(
                self.path,
                f"{row.value!r} cannot be held by {names} at the precision it is given with",
                line=row.line,
                field="value",
            )
        target, literal = held[0]
        if target == FG.year:  # one year per film: the earliest
            earlier = [y for y in g.objects(node, FG.year) if str(y) <= str(literal)]
            if earlier:
                return
            g.remove((node, FG.year, None))
        g.add((node, target, literal))

    def _edge(self, g: Triples, node: URIRef, row: _Row, target: URIRef) -> None:
        if not _QID.match(row.value):
            raise SourceError(
                self.path,
                f"{row.value!r} should be an item id for {row.prop}",
                line=row.line,
                field="value",
            )
        other = self._iri(row.value)
        if other is None:
            self.unmapped[f"{row.prop} to an item of unknown kind"] += 1
            return
        g.add((node, target, other))
        role = next(
            (
                r
                for r in self.align.imports(WDT[row.prop], Kind.INDIVIDUAL)
                if r in self.align.direct
            ),
            None,
        )
        if role is not None:
            credit = hashed_iri(
                "credit", str(node), str(other), str(role).rsplit("#", 1)[-1][:-4].lower(), ""
            )
            g.add((credit, RDF.type, FG.Credit))
            g.add((credit, FG.creditFilm, node))
            g.add((credit, FG.creditAgent, other))
            g.add((credit, FG.role, role))

    def _literal(self, target: URIRef, row: _Row) -> Literal | None:
        """``row``'s value as a literal of ``target``'s range, or None if it cannot hold it."""
        prop = self.align.wikidata.get(row.prop)
        datatype = prop.datatype if prop is not None else "String"
        rng = self.align.ranges.get(target)
        if datatype == "Time":
            literal = parse_time(row.value, row.qualifiers).literal(rng)
            if literal is not None and rng == XSD.gYear:
                try:  # the one year parser every loader shares: a year, never five digits
                    parse_year(str(literal))
                except ValueError as exc:
                    raise BadValue(str(exc)) from None
            return literal
        if datatype == "Quantity":
            quantity = parse_quantity(row.value)
            unit = self.align.units.get(target)
            expected = str(unit)[len(str(WD)) :] if unit is not None else None
            if quantity.unit is not None and quantity.unit != expected:
                raise BadValue(
                    f"{row.value!r} is in units of {quantity.unit}, not {expected or 'none'}"
                )
            if rng == XSD.integer:
                if quantity.amount != quantity.amount.to_integral_value():
                    return None
                return Literal(int(quantity.amount), datatype=XSD.integer)
            return Literal(quantity.amount, datatype=XSD.decimal)
        text = parse_text(row.value, datatype == "Monolingualtext")
        if text.language:
            return Literal(text.text, lang=text.language)
        return Literal(text.text, datatype=rng if rng == XSD.string else None)


def _time_or_none(value: str) -> TimeValue | None:
    try:
        return parse_time(value)
    except BadValue:
        return None
