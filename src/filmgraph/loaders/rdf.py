"""Loader for RDF that other archives publish: Turtle, N-Triples, JSON-LD and RDF/XML.

Each file becomes one named graph. Terms of other vocabularies are mapped onto ours through
the ontology's alignments (:mod:`filmgraph.alignment`, the same rules the exporters follow):
``schema:Movie`` becomes ``fg:Film``, ``schema:director`` and ``wdt:P57`` become
``fg:director``. A value becomes the first of its aligned properties, the preferred one first,
whose range holds it at its precision: ``schema:datePublished`` known to the day becomes
``fg:releaseDate``, known to the year ``fg:year``; a film with release dates and no year gets
the year of its earliest. ``schema:name`` gives ``rdfs:label``; a Wikidata item used as a
subject keeps its IRI and links to itself with ``fg:wikidata``, so linking merges it with our
node for the item. Triples whose predicate has no counterpart are kept as they are and
counted in a note.

Nothing a loader reads reaches the network: a JSON-LD document that names a remote
``@context`` (or ``@import``s one) and an RDF/XML document that declares an external entity
or DTD are refused before any parser sees them.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.sax import SAXParseException

from rdflib import Graph, Literal, URIRef
from rdflib.exceptions import ParserError
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from filmgraph.alignment import Kind, alignments
from filmgraph.errors import SourceError
from filmgraph.loaders import LoadContext, SourceGraph, Triples
from filmgraph.namespaces import FG, WD
from filmgraph.provenance import graph_iri
from filmgraph.temporal import parse_year, release_year, year_literal
from filmgraph.wikibase import time_of

__all__ = ["FORMATS", "RdfLoader", "check_local_only"]

FORMATS = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
    ".jsonld": "json-ld",
    ".json-ld": "json-ld",
}
_LABELS = frozenset(
    {
        RDFS.label,
        SKOS.prefLabel,
        URIRef("https://schema.org/name"),
        URIRef("http://schema.org/name"),
    }
)
_SAME = frozenset(
    {OWL.sameAs, URIRef("https://schema.org/sameAs"), URIRef("http://schema.org/sameAs")}
)
_EXTERNAL_ENTITY = re.compile(rb"<!ENTITY\s+%?\s*[\w.-]+\s+(SYSTEM|PUBLIC)\b", re.IGNORECASE)
_EXTERNAL_DTD = re.compile(rb"<!DOCTYPE\s+[\w:.-]+\s+(SYSTEM|PUBLIC)\b", re.IGNORECASE)


def _remote_contexts(node: Any) -> Iterator[str]:
    """Every context reference in a JSON-LD document that is not an inline object."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("@context", "@import"):
                refs = value if isinstance(value, list) else [value]
                for ref in refs:
                    if isinstance(ref, str):
                        yield ref
                    elif isinstance(ref, dict):
                        yield from _remote_contexts(ref)
            else:
                yield from _remote_contexts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _remote_contexts(item)


def check_local_only(path: Path, data: bytes, fmt: str) -> None:
    """Refuse a document that would make a parser reach beyond the file."""
    if fmt == "json-ld":
        try:
            document = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            line = exc.lineno if isinstance(exc, json.JSONDecodeError) else None
            raise SourceError(path, f"is not valid JSON-LD: {exc}", line=line) from exc
        for ref in _remote_contexts(document):
            raise SourceError(
                path,
                f"names the context {ref!r}, which would be fetched; inline "
                "the context instead (loaders never reach the network)",
                field="@context",
            )
    elif fmt == "xml":
        for pattern, what in (
            (_EXTERNAL_ENTITY, "an external entity"),
            (_EXTERNAL_DTD, "an external DTD"),
        ):
            match = pattern.search(data)
            if match:
                line = data[: match.start()].count(b"\n") + 1
                raise SourceError(
                    path,
                    f"declares {what}, which would be fetched or read "
                    "from outside the file; refused",
                    line=line,
                    field="DOCTYPE",
                )


class RdfLoader:
    """Reads an RDF file, or every RDF file of a folder, each into its own named graph,
    mapped onto our terms."""

    name = "rdf"

    def accepts(self, path: Path) -> bool:
        if path.is_dir():
            return bool(_rdf_files(path))
        return path.is_file() and path.suffix in FORMATS

    def load(self, path: Path, context: LoadContext, root: Path) -> Iterator[SourceGraph]:
        for file in _rdf_files(path) if path.is_dir() else [path]:
            yield from self._load_file(file, context, root)

    def _load_file(self, path: Path, context: LoadContext, root: Path) -> Iterator[SourceGraph]:
        if context.reuse(path):
            return
        fmt = FORMATS[path.suffix]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SourceError(path, f"cannot be read: {exc.strerror}") from exc
        check_local_only(path, data, fmt)
        parsed = Graph()
        try:
            parsed.parse(data=data, format=fmt, publicID=path.resolve().as_uri())
        except (
            ParserError,
            SyntaxError,
            ValueError,
            TypeError,
            KeyError,
            SAXParseException,
        ) as exc:
            # rdflib's messages carry the line ("at line 12 of <>"): pass them on whole.
            raise SourceError(path, f"is not valid {fmt}: {exc}") from exc
        source = SourceGraph(graph_iri(path, root), path, self.name)
        bad: list[tuple[Any, Any, Any]] = []
        kept = map_graph(parsed, source.graph, bad)
        for subject, predicate, value in sorted(bad):
            context.reject(
                SourceError(
                    path,
                    f"{str(value)!r} of {subject} is not a value its property can hold"
                    f"{_why(value)}; the statement is left out",
                    field=str(predicate),
                )
            )
        for predicate, count in sorted(kept.items()):
            context.notes.append(
                f"{path.name}: {count} triple(s) with {predicate} have no "
                "counterpart in the ontology; kept unchanged"
            )
        source.records = len(parsed)
        yield source


def _rdf_files(folder: Path) -> list[Path]:
    """The RDF files directly in ``folder``, in name order."""
    return sorted(f for f in folder.iterdir() if f.is_file() and f.suffix in FORMATS)


def map_graph(
    parsed: Graph, out: Graph | Triples, bad: list[tuple[Any, Any, Any]] | None = None
) -> Counter[str]:
    """Add ``parsed`` to ``out`` with other vocabularies' terms mapped onto ours.

    Returns how many triples of each unmapped predicate were kept unchanged. A value none of
    its aligned properties can hold (a year "19428") is left out and, when ``bad`` is given,
    listed there as (subject, predicate, value), so the loader can report it.
    """
    align = alignments()
    unmapped: Counter[str] = Counter()
    fg = str(FG._NS)
    for s, p, o in parsed:
        if isinstance(s, URIRef) and str(s).startswith(str(WD)):
            out.add((s, FG.wikidata, s))
        if p == RDF.type and isinstance(o, URIRef):
            classes = align.imports(o, Kind.CLASS) if not str(o).startswith(fg) else (o,)
            for cls in classes or (o,):
                out.add((s, RDF.type, cls))
            continue
        if p in _LABELS:
            out.add((s, RDFS.label, o))
            continue
        if p in _SAME:
            if isinstance(o, URIRef) and str(o).startswith(str(WD)):
                out.add((s, FG.wikidata, o))
            continue
        if str(p).startswith(fg):
            out.add((s, p, o))
            continue
        targets = align.imports(p, Kind.PROPERTY) if isinstance(p, URIRef) else ()
        if not targets:
            out.add((s, p, o))
            # a general term we use (rdfs:comment …) is kept without a note
            if not isinstance(p, URIRef) or align.kind(p) is None:
                unmapped[str(p)] += 1
            continue
        for target in targets:
            value = _convert(o, align.ranges.get(target), target in align.object_properties)
            if value is not None:
                out.add((s, target, value))
                break  # the preferred property that holds the value; the others fill in
        else:
            if bad is not None:
                bad.append((s, p, o))
    for film in set(out.subjects(RDF.type, FG.Film)):
        if out.value(film, FG.year) is None:
            year = release_year(out.objects(film, FG.releaseDate))
            if year is not None:
                out.add((film, FG.year, year))
    return unmapped


def _convert(value: Any, datatype: URIRef | None, is_object: bool) -> Any:
    if is_object:
        return value if isinstance(value, URIRef) else None
    if not isinstance(value, Literal):
        return None
    text = str(value)
    if datatype in (XSD.gYear, XSD.gYearMonth, XSD.date, FG.EDTF):
        # a date-time or an untyped date is read as the date it names, at its precision
        plain = text[:10] if value.datatype == XSD.dateTime else text
        typed = (
            value
            if value.datatype not in (None, XSD.string, XSD.dateTime)
            else Literal(plain, datatype=FG.EDTF)
        )
        time = time_of(typed)
        if time is not None:
            return time.literal(datatype)
        if datatype == XSD.gYear and value.datatype in (None, XSD.string, XSD.gYear):
            try:  # the one year parser: "c. 1934", "1961-1964"; never a truncation
                return year_literal(parse_year(text))
            except ValueError:
                return None
        return None
    if datatype == XSD.integer:
        return Literal(int(text), datatype=XSD.integer) if text.lstrip("+-").isdigit() else None
    return value


def _why(value: Any) -> str:
    """What the year parser says of a value, when it looks like a year."""
    text = str(value).strip()
    if not text[:1].isdigit():
        return ""
    try:
        parse_year(text)
    except ValueError as exc:
        return f" ({exc})"
    return ""
