"""Loader for tables laid out differently from ours, described by CSVW metadata.

Our own column template is the curated-tables loader (``docs/data-model.md``). A table from
elsewhere (CSV or TSV, any columns) comes with a W3C *CSV on the Web* metadata file beside
it (``NAME.csv-metadata.json`` or ``NAME.tsv-metadata.json``) that says, in that standard
mapping language, what each column means: ``aboutUrl`` (the row's subject), ``propertyUrl``
(the column's property), ``valueUrl`` (an IRI template for the value), ``datatype``,
``separator``, ``null``, ``virtual`` columns for ``rdf:type``. The ``csvw`` library (cldf)
reads the metadata, the dialect (delimiter, header), the typed cells and expands the URI
templates; this module turns what it yields into our terms:

- properties and classes of other vocabularies (schema.org, Wikidata ``wdt:``) are mapped
  through the ontology's alignments (:mod:`filmgraph.alignment`), the preferred term first:
  a cell becomes the first of them whose range holds it (a date a release date, a bare year
  a year); ``schema:name`` and ``rdfs:label`` give labels; ``schema:sameAs`` a Wikidata link;
- a plain name in a column whose property points at a resource ("Sergei Yutkevich" under
  ``schema:director``) is resolved against the graph's gazetteer, or becomes a node marked
  ``fg:unresolved true``;
- subjects keep the IRIs the metadata mints; entity resolution (:mod:`filmgraph.linking`)
  later merges them with ours by authority id, title and year;
- a cell of CSVW's ``json`` datatype (``{"/m/09c7w0": "United States of America"}``, as
  Freebase-derived tables write lists of named things) gives the values of its JSON object,
  or the items of its JSON array, as the column's values; an object's keys are ids of
  another authority that the ontology has no link for, so they are counted in a note;
- a ``decimal`` cell under a property that holds whole numbers (``fg:runtime``) is mapped
  when it is whole (``98.0``); a date known to the month under ``schema:datePublished``
  gives the film's year (``fg:releaseDate`` holds days only).

What the ontology cannot hold is reported, never dropped in silence: a column the metadata
suppresses (``suppressOutput``) or gives no property, an object's keys, a fractional number
where whole ones are expected, a month that only its year could keep — each becomes one
note per column and reason in the build's notes, with how many cells and the first lines.

Nothing is fetched: metadata or tables named by ``http(s)`` URLs are refused. Every bad cell
is reported with file, line and column.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from csvw import Table, TableGroup
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from filmgraph.alignment import Alignments, Kind, alignments
from filmgraph.errors import SourceError
from filmgraph.iri import hashed_iri, mint, slug
from filmgraph.loaders import LoadContext, SourceGraph, Triples
from filmgraph.loaders.pagegazetteer import KIND_OF_CLASS, Gazetteer, resolve_or_mark
from filmgraph.namespaces import FG, PREFIXES, SCHEMA, WD
from filmgraph.provenance import graph_iri
from filmgraph.temporal import EdtfValue, parse_date, parse_year, release_year, year_literal

__all__ = ["EDGE_CLAIMS", "TableLoader", "map_term"]

_METADATA = re.compile(r"\.(csv|tsv)-metadata\.json$")
_LABELS = frozenset({RDFS.label, SKOS.prefLabel, SCHEMA.name, URIRef("http://schema.org/name")})
_SAME = frozenset(
    {
        SCHEMA.sameAs,
        URIRef("http://schema.org/sameAs"),
        URIRef("http://www.w3.org/2002/07/owl#sameAs"),
    }
)
_CSVW_PREFIXES = {**PREFIXES, "schema": "https://schema.org/"}
_TEMPLATE_VARIABLE = re.compile(r"\{[+#./;?&]?([^}]+)\}")
#: Direct edges that a row states as a claim: edge -> (claim class, default aspect).
EDGE_CLAIMS: dict[URIRef, tuple[URIRef, str | None]] = {
    FG.remakeOf: (FG.AdaptationClaim, "remake"),
    FG.basedOn: (FG.AdaptationClaim, "adaptation"),
    FG.inspiredBy: (FG.InspirationClaim, None),
    FG.influencedBy: (FG.PersonInfluenceClaim, None),
}
#: Columns that qualify the row's claims rather than describe its subject.
_CLAIM_QUALIFIERS = frozenset({FG.aspect, FG.evidence, FG.confidence})
_CONFIDENCE = {"high": FG.HighConfidence, "medium": FG.MediumConfidence, "low": FG.LowConfidence}
#: How many lines a note on unmapped cells quotes.
_EXAMPLES = 3


def map_term(term: URIRef, kind: Kind) -> tuple[URIRef, ...]:
    """Our terms for ``term``: itself when it is ours, else its aligned ``fg:`` terms of
    ``kind``, the preferred one first."""
    if str(term).startswith(str(FG._NS)):
        return (term,)
    return alignments().imports(term, kind)


def _expand(curie: str) -> URIRef:
    prefix, colon, rest = curie.partition(":")
    if colon and prefix in _CSVW_PREFIXES and not rest.startswith("//"):
        return URIRef(_CSVW_PREFIXES[prefix] + rest)
    return URIRef(curie)


class TableLoader:
    """Reads a CSV/TSV table through its CSVW metadata into one named graph."""

    name = "table"

    def accepts(self, path: Path) -> bool:
        if path.is_file():
            return bool(_METADATA.search(path.name)) or (
                path.suffix in (".csv", ".tsv") and _metadata_for(path).is_file()
            )
        return False

    def load(self, path: Path, context: LoadContext, root: Path) -> Iterator[SourceGraph]:
        metadata = path if _METADATA.search(path.name) else _metadata_for(path)
        tables = _read_metadata(metadata)
        gazetteer = None
        for table in tables:
            data = Path(str(table.url.resolve(table.base)))
            # What a table says depends on its metadata as much as on its cells; a table of
            # a group may name rows of the tables before it (hence chained).
            if context.reuse(data, chained=True, read_with=(metadata,)):
                continue
            if gazetteer is None:
                gazetteer = context.gazetteer()
            source = context.source(graph_iri(data, root), data, self.name, read_with=(metadata,))
            _TableReader(table, data, source, gazetteer, context).read()
            yield source


def _metadata_for(table: Path) -> Path:
    return table.with_name(table.name + "-metadata.json")


def _read_metadata(path: Path) -> list[Table]:
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourceError(path, f"cannot be read: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise SourceError(path, f"is not valid JSON: {exc.msg}", line=exc.lineno) from exc
    if not isinstance(data, dict):
        raise SourceError(path, "must hold a CSVW table or table group description")
    described = data.get("tables", [data])
    if not isinstance(described, list) or not described:
        raise SourceError(path, "lists no tables", field="tables")
    for entry in described:
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
            raise SourceError(path, "every table needs a 'url' naming its file", field="url")
        for key in ("url", "tableSchema"):
            value = entry.get(key)
            if isinstance(value, str) and re.match(r"^[a-z][a-z0-9+.-]*://", value, re.I):
                raise SourceError(
                    path, f"{value!r} is remote: loaders read local files only", field=key
                )
        local = (path.parent / entry["url"]).resolve()
        if not local.is_relative_to(path.parent.resolve()) or not local.is_file():
            raise SourceError(
                path, f"table {entry['url']!r} is not a file beside the metadata", field="url"
            )
    try:
        if "tables" in data:
            group = TableGroup.from_file(path, data=data)
            return list(group.tables)
        return [Table.from_file(path, data=data)]
    except (ValueError, TypeError, KeyError) as exc:
        raise SourceError(path, f"is not valid CSVW metadata: {exc}") from exc


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@dataclass
class _Unmapped:
    """Cells of one column left out for one reason: how many, and the first few."""

    count: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, line: int, value: Any) -> None:
        self.count += 1
        if len(self.examples) < _EXAMPLES:
            text = (
                json.dumps(value, ensure_ascii=False)
                if isinstance(value, (Mapping, list))
                else str(value)
            )
            shown = text if len(text) <= 60 else text[:57] + "..."
            self.examples.append(f"line {line}: {shown!r}")


class _TableReader:
    def __init__(
        self,
        table: Table,
        data: Path,
        source: SourceGraph,
        gazetteer: Gazetteer,
        context: LoadContext,
    ) -> None:
        self.table, self.data, self.source = table, data, source
        self.gaz, self.context = gazetteer, context
        self.align: Alignments = alignments()
        #: The table as a source document: what every claim a row states cites.
        self.cited = mint("source", f"table-{slug(data.name)}")
        #: Subjects the loaded rows of this table typed (a skipped row does not undo them).
        self.described: set[URIRef] = set()
        #: Cells the ontology cannot hold, by (column, reason): reported as notes at the end.
        self.unmapped: dict[tuple[str, str], _Unmapped] = {}
        #: Columns whose values only build identifiers (``{wikipedia_id}`` in aboutUrl).
        self.in_templates: set[str] = set()

    def leave_out(self, column: str, reason: str, line: int, value: Any) -> None:
        """Count a cell the ontology cannot hold (see :meth:`report_unmapped`)."""
        self.unmapped.setdefault((column, reason), _Unmapped()).add(line, value)

    def report_unmapped(self) -> None:
        """One note per column and reason: what was left out, how often, where first."""
        for (column, reason), tally in self.unmapped.items():
            first = "; ".join(tally.examples)
            more = (
                f" and {tally.count - len(tally.examples):,} more"
                if tally.count > len(tally.examples)
                else ""
            )
            self.context.notes.append(
                f"{self.data.name}: column {column!r}: {tally.count:,} cell(s) not mapped: "
                f"{reason} ({first}{more})"
            )

    def read(self) -> None:
        table = self.table
        columns = {c.name: c for c in table.tableSchema.columns}
        about = table.tableSchema.inherit("aboutUrl")
        if about is None:
            raise SourceError(
                self.data, "the metadata gives no aboutUrl: rows need a subject", field="aboutUrl"
            )
        self.in_templates = _template_columns(table, about)
        handler = _Collect()
        log = logging.getLogger(f"filmgraph.table.{id(self)}")
        log.addHandler(handler)
        log.propagate = False
        try:
            rows = table.iterdicts(with_metadata=True, strict=True, log=log)
            for number, (_, line, row) in enumerate(rows, start=1):
                for message in handler.messages:
                    self.context.reject(_cell_error(self.data, message, line))
                handler.messages.clear()
                scratch = Triples()
                try:
                    self._row(scratch, columns, about, dict(row), number, line)
                    self._check_not_left_dangling(scratch, line)
                    for described in scratch.subjects(RDF.type):
                        if isinstance(described, URIRef):
                            self.described.add(described)
                            self.context.known.described_iri(described)
                except SourceError as error:
                    self.context.reject(error)
                    self._forget(about, dict(row), number, line)
                    continue
                self.source.graph += scratch
                self.source.records += 1
        except (ValueError, UnicodeDecodeError) as exc:
            raise SourceError(self.data, f"cannot be read as described: {exc}") from exc
        finally:
            log.removeHandler(handler)
        for message in handler.messages:
            self.context.reject(SourceError(self.data, message))
        self.report_unmapped()

    def _row(
        self,
        g: Triples,
        columns: dict[str, Any],
        about: Any,
        row: dict[str, Any],
        number: int,
        line: int,
    ) -> None:
        subject = self._template(about, row, number, line, "aboutUrl")
        subjects = {subject}
        typed: list[tuple[URIRef, URIRef]] = []
        pending: list[tuple[str, URIRef, URIRef, Any]] = []
        qualifiers: list[tuple[str, URIRef, Any]] = []
        for name, column in columns.items():
            value = row.get(name)
            if value is None or value == "" or value == [] or value == {}:
                continue
            if column.suppressOutput:
                if name not in self.in_templates:
                    self.leave_out(name, _suppressed(column), line, value)
                continue
            prop_template = column.propertyUrl or self.table.inherit("propertyUrl")
            if prop_template is None:
                if name not in self.in_templates:
                    self.leave_out(name, "the metadata gives it no propertyUrl", line, value)
                continue
            # a column may describe another resource of the row (the original of a remake)
            own_about = column.aboutUrl
            node = (
                self._template(own_about, row, number, line, name)
                if own_about is not None
                else subject
            )
            subjects.add(node)
            prop = self._template(prop_template, row, number, line, name)
            values = self._values(name, value, line)
            if column.valueUrl is not None:
                values = [str(self._template(column.valueUrl, row, number, line, name))]
                if prop == RDF.type:
                    classes = map_term(_expand(values[0]), Kind.CLASS)
                    if not classes:
                        raise SourceError(
                            self.data,
                            f"class {values[0]} has no counterpart in the ontology",
                            line=line,
                            field=name,
                        )
                    typed.extend((node, cls) for cls in classes)
                    continue
                values = [_expand(v) for v in values]
            if prop in _CLAIM_QUALIFIERS:
                qualifiers.extend((name, prop, v) for v in values)
                continue
            for v in values:
                pending.append((name, node, prop, v))
        for node, cls in typed:
            g.add((node, RDF.type, cls))
        for name, node, prop, value in pending:
            self._cell(g, node, name, prop, value, line)
        for node in sorted(subjects):
            if g.value(node, FG.year) is None:  # one year, from the earliest release date
                year = release_year(g.objects(node, FG.releaseDate))
                if year is not None:
                    g.add((node, FG.year, year))
        self._claims(g, row, qualifiers, line)

    def _values(self, column: str, value: Any, line: int) -> list[Any]:
        """The values of a cell: a list (``separator``) or a JSON array gives its items, a JSON
        object its values (its keys are counted as left out); anything else is one value."""
        if isinstance(value, Mapping):
            self.leave_out(
                column,
                "the keys of its JSON objects (ids of another authority, which the ontology "
                "has no link for) are not kept, only their values",
                line,
                ", ".join(str(k) for k in value),
            )
            items = list(value.values())
        elif isinstance(value, list):
            items = value
        else:
            return [value]
        for item in items:
            if isinstance(item, (Mapping, list)) or item is None:
                raise SourceError(
                    self.data,
                    f"holds a nested JSON value ({json.dumps(item)[:60]}): a cell's JSON object "
                    "or array must hold plain names or numbers",
                    line=line,
                    field=column,
                )
        return [item for item in items if str(item).strip()]

    def _forget(self, about: Any, row: dict[str, Any], number: int, line: int) -> None:
        """Remember the subject of a skipped row, so rows linking to it are skipped too."""
        try:
            subject = self._template(about, row, number, line, "aboutUrl")
        except (SourceError, ValueError, KeyError):
            return  # no subject could be made: nothing can link to it
        if subject in self.described:
            return  # another row describes it
        self.context.known.forget_iri(subject, f"{self.data.name}:{line}")

    def _check_not_left_dangling(self, g: Triples, line: int) -> None:
        """A row linking to a resource whose row was skipped (lenient mode) is skipped too,
        naming that row, rather than loaded to dangle."""
        typed = set(g.subjects(RDF.type))
        for subject, predicate, target in g:
            if predicate == RDF.type:
                continue
            for node in (subject, target):
                if not isinstance(node, URIRef) or node in typed:
                    continue
                where = self.context.known.skipped_row_of(node)
                if where is None:
                    continue
                raise SourceError(
                    self.data,
                    f"links to {node}, whose row ({where}) was skipped: left dangling, "
                    "so skipped too",
                    line=line,
                    field=str(predicate).rsplit("#", 1)[-1],
                )

    def _claims(
        self, g: Triples, row: dict[str, Any], qualifiers: list[tuple[str, URIRef, Any]], line: int
    ) -> None:
        """Every direct influence edge the row states becomes a qualified claim, as the
        curated loader makes them: the row is its evidence, the table its source."""
        edges = [
            (s, p, o) for p in EDGE_CLAIMS for s, o in g.subject_objects(p) if isinstance(o, URIRef)
        ]
        if not edges and qualifiers:
            raise SourceError(
                self.data,
                "qualifies a claim, but the row states no influence, remake or adaptation edge",
                line=line,
                field=qualifiers[0][0],
            )
        cells = "; ".join(
            f"{k}={v}"
            for k, v in row.items()
            if v not in (None, "", []) and not str(k).startswith("_")
        )
        for later, edge, earlier in edges:
            cls, default_aspect = EDGE_CLAIMS[edge]
            aspects = [str(v) for _, p, v in qualifiers if p == FG.aspect] or (
                [default_aspect] if default_aspect else []
            )
            claim = hashed_iri(
                "claim", str(self.cited), str(edge), str(later), str(earlier), "|".join(aspects)
            )
            g.add((claim, RDF.type, cls))
            g.add((claim, FG.influencee, later))
            g.add((claim, FG.influencer, earlier))
            g.add((claim, FG.source, self.cited))
            for aspect in aspects:
                g.add((claim, FG.aspect, Literal(aspect, lang="en")))
            confidence = FG.MediumConfidence
            evidence = f"{self.data.name}, line {line}: {cells}"
            for name, prop, value in qualifiers:
                if prop == FG.confidence:
                    level = _CONFIDENCE.get(str(value).strip().lower())
                    if level is None:
                        raise SourceError(
                            self.data,
                            f"{value!r} is not one of: {', '.join(_CONFIDENCE)}",
                            line=line,
                            field=name,
                        )
                    confidence = level
                elif prop == FG.evidence:
                    evidence = str(value)
            g.add((claim, FG.confidence, confidence))
            g.add((claim, FG.evidence, Literal(evidence, lang="en")))
        if edges:
            self._describe_source(g)

    def _describe_source(self, g: Triples) -> None:
        """The table as an ``fg:SourceDocument``, titled by the metadata's ``dc:title``."""
        title = self.table.common_props.get("dc:title") or self.data.name
        if isinstance(title, dict):
            title = title.get("@value", self.data.name)
        g.add((self.cited, RDF.type, FG.SourceDocument))
        g.add((self.cited, RDFS.label, Literal(str(title), lang="en")))
        g.add((self.cited, FG.sourceKind, Literal("dataset")))

    def _template(
        self, template: Any, row: dict[str, Any], number: int, line: int, field: str
    ) -> URIRef:
        """A URI template expanded for ``row``; a CURIE (``schema:name``) expanded by prefix.

        A template that needs a cell the row leaves empty would mint an id for nothing
        (``…/entity/``): that is an error naming the empty column, which lenient mode skips.
        """
        raw = str(template)
        if "{" not in raw:
            return _expand(raw)
        for names in _TEMPLATE_VARIABLE.findall(raw):
            for name in names.split(","):
                name = name.strip().rstrip("*").split(":")[0]
                if name.startswith("_"):
                    continue
                if row.get(name) in (None, "", []):
                    raise SourceError(
                        self.data,
                        f"is empty, so the identifier {raw} of "
                        f"{field} cannot be made (an empty identifier)",
                        line=line,
                        field=name,
                    )
        return _expand(str(self.table.expand(template, row, _row=number)))

    def _cell(
        self, g: Triples, subject: URIRef, column: str, prop: URIRef, value: Any, line: int
    ) -> None:
        def error(reason: str) -> SourceError:
            return SourceError(self.data, reason, line=line, field=column)

        if prop in _LABELS or prop == _expand("schema:name"):
            g.add((subject, RDFS.label, Literal(str(value), lang="en")))
            return
        if prop in _SAME:
            if isinstance(value, URIRef) and str(value).startswith(str(WD)):
                g.add((subject, FG.wikidata, value))
            return
        targets = map_term(prop, Kind.PROPERTY)
        if not targets:
            raise error(f"property {prop} has no counterpart in the ontology")
        accepted = 0
        for target in targets:
            if target in self.align.object_properties:
                if isinstance(value, URIRef):
                    if target == FG.wikidata and not str(value).startswith(str(WD)):
                        continue
                    g.add((subject, target, value))
                    accepted += 1
                    continue
                kind, cls = self._range_kind(target)
                if kind is None or cls is None:
                    raise error(f"a name cannot stand for a resource of {target}")
                try:
                    node = resolve_or_mark(self.gaz, g, kind, str(value), (cls,))
                except ValueError:
                    raise error(
                        f"{value!r} gives an empty identifier (no letter or digit in it)"
                    ) from None
                g.add((subject, target, node))
                accepted += 1
            else:
                parsed = _literal(self.align.ranges.get(target), value)
                if parsed is not None:
                    literal, when = parsed
                    if _month_only(target, when):
                        self.leave_out(
                            column,
                            "known to the month, which no term of the ontology holds "
                            "(fg:releaseDate needs a day): only its year is kept",
                            line,
                            value,
                        )
                    g.add((subject, target, literal))
                    if (
                        target == FG.year
                        and when is not None
                        and (when.uncertain or when.earliest.year != when.latest.year)
                    ):
                        g.add((subject, FG.yearCertainty, Literal("uncertain")))
                    accepted += 1
                    break  # the preferred term that holds the value; the others fill in
        if not accepted:
            names = ", ".join(t.split("#")[-1] for t in targets)
            if _fractional(value) and any(self.align.ranges.get(t) == XSD.integer for t in targets):
                self.leave_out(
                    column, f"not a whole number, and {names} holds whole numbers only", line, value
                )
                return
            raise error(f"{value!r} is not a valid value for {prop} (read as {names})")

    def _range_kind(self, prop: URIRef) -> tuple[str | None, URIRef | None]:
        cls = self.align.ranges.get(prop)
        if cls is None and prop == FG.hasCountry:
            cls = FG.Country
        if cls is None:
            return None, None
        return KIND_OF_CLASS.get(cls), cls


def _literal(datatype: URIRef | None, value: Any) -> tuple[Literal, EdtfValue | None] | None:
    """``value`` as a literal of ``datatype``, or None when it cannot hold it.

    Years and dates go through :mod:`filmgraph.temporal`, the one parser of every loader: a
    malformed year ("19428", "1969x") holds nowhere and so becomes an error naming the cell,
    never a truncation; a span or an uncertain year keeps its earliest year.
    """
    text = str(value).strip()
    if datatype == XSD.gYear:
        try:
            when = parse_year(text)
        except ValueError:
            # a date known to the month lies within one year, which is certain
            try:
                when = parse_date(text)
            except ValueError:
                return None
            if when.precise or when.uncertain or when.earliest.year != when.latest.year:
                return None
        return year_literal(when), when
    if datatype == XSD.date:
        try:
            day = parse_date(text)
        except ValueError:
            return None
        return (Literal(day.earliest.isoformat(), datatype=XSD.date), day) if day.precise else None
    if datatype == XSD.integer:
        if isinstance(value, (Decimal, float)) and not isinstance(value, bool):
            whole = Decimal(value) == Decimal(value).to_integral_value()
            return (Literal(int(value), datatype=XSD.integer), None) if whole else None
        if re.fullmatch(r"-?[0-9]+", text):
            return Literal(int(text), datatype=XSD.integer), None
        return None
    if datatype == RDF.langString:
        return Literal(text, lang="en"), None
    return Literal(text), None


#: How the csvw library words a cell it cannot read: "FILE:LINE:COLUMN-NUMBER NAME: REASON".
_CSVW_CELL_ERROR = re.compile(
    r"^.*?:(?P<line>[0-9]+):[0-9]+ (?P<field>[^:]+): (?P<reason>.*)$", re.S
)


def _cell_error(data: Path, message: str, line: int) -> SourceError:
    """The csvw library's complaint about a cell, as an error naming its line and column
    (the library logs it as it reads ahead, so the line of the message is the one to trust)."""
    found = _CSVW_CELL_ERROR.match(message)
    if found is None:
        return SourceError(data, message, line=line)
    return SourceError(data, found["reason"], line=int(found["line"]), field=found["field"])


def _template_columns(table: Table, about: Any) -> set[str]:
    """Names of the columns that the table's URI templates read (aboutUrl, propertyUrl,
    valueUrl): their cells make identifiers, so they are not left out when suppressed."""
    templates = [about, table.inherit("propertyUrl"), table.inherit("valueUrl")]
    for column in table.tableSchema.columns:
        templates += [column.aboutUrl, column.propertyUrl, column.valueUrl]
    names: set[str] = set()
    for template in templates:
        if template is None:
            continue
        for found in _TEMPLATE_VARIABLE.findall(str(template)):
            names.update(n.strip().rstrip("*").split(":")[0] for n in found.split(","))
    return names


def _suppressed(column: Any) -> str:
    """Why a suppressed column is left out: the metadata's own words when it gives them."""
    why = column.common_props.get("dc:description") or column.common_props.get("rdfs:comment")
    if isinstance(why, dict):
        why = why.get("@value")
    return f"suppressOutput in the metadata{f' ({why})' if why else ''}"


def _fractional(value: Any) -> bool:
    """True for a number with a fractional part (``2.25``), whatever its cell type."""
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        return False
    return number.is_finite() and number != number.to_integral_value()


def _month_only(target: URIRef, when: EdtfValue | None) -> bool:
    """True when a year was taken from a date known to the month (``1988-05``)."""
    return (
        target == FG.year
        and when is not None
        and not when.uncertain
        and len(when.text) == 7
        and when.text[4] == "-"
    )
