"""Embedded on-disk store on pyoxigraph: the default for builds and every command after.

Parsing and serialising stay inside pyoxigraph (it is 10 to 50 times faster than rdflib's own, see
``shared/notes/engines.md``); only query results cross over into rdflib terms.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from itertools import islice
from pathlib import Path

import pyoxigraph as ox
from pygments.lexers import SparqlLexer
from pygments.token import Keyword, Punctuation
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.plugins.serializers.nt import _quoteLiteral
from rdflib.term import Identifier, Node

from filmgraph.errors import QueryError
from filmgraph.store.base import QueryResult, SelectResult, Store
from filmgraph.store.binding import bind_values
from filmgraph.store.graphblocks import (
    as_nquads,
    copy_range,
    line_blocks,
    write_all,
    write_graph_blocks,
)

__all__ = [
    "OxigraphStore",
    "add_ntriples",
    "bulk_extend_in_batches",
    "bulk_load_in_blocks",
    "dataset_quads",
    "dump_for_loading",
    "dump_with_merge",
    "extend_in_batches",
    "from_oxigraph",
    "graph_size",
    "has_dataset_clause",
    "holds_merge",
    "load_dumped",
    "ntriples",
    "release_memory",
    "to_oxigraph",
    "write_merge",
]

_FROM = re.compile(r"(?i)\bfrom\b")


@lru_cache(maxsize=256)
def has_dataset_clause(sparql: str) -> bool:
    """True when a query names its own dataset (``FROM`` / ``FROM NAMED``).

    Such a query is run over the graphs it names; any other over the union of every graph.
    FROM is a keyword of the dataset clause alone, so the clause is there when Pygments'
    SPARQL lexer (as :mod:`filmgraph.store.binding` reads queries) finds it as a keyword,
    not inside an IRI, a string, a comment or a name; kept per text.

    Why not rdflib's parser: its pyparsing grammar leaves reference cycles of exceptions and
    frames behind, and those frames keep the frames of every caller up the stack, with their
    variables once they return. An engine result a caller held was then freed by the cyclic
    collector, on whichever thread ran it, and pyo3 refuses to free a result (a pyoxigraph
    ``QuerySolutions``) on another thread than its own: it leaked, with a warning.
    """
    if not _FROM.search(sparql):
        return False
    tokens = [(kind, text) for _, kind, text in SparqlLexer().get_tokens_unprocessed(sparql)]
    return any(
        kind in Keyword
        and text.split()[0].upper() == "FROM"
        and tokens[i + 1 : i + 2] != [(Punctuation, ":")]  # a prefix named "from"
        for i, (kind, text) in enumerate(tokens)
    )


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_FORMATS = {"trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term for an rdflib term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot convert {term!r} to a pyoxigraph term")


def ntriples(triples: Iterable[tuple[Node, Node, Node]]) -> bytes:
    """rdflib-term triples as N-Triples, for the engine's parser to read.

    How a loader's triples reach the store: written as rdflib's own N-Triples writer writes
    them and parsed by the engine, they take a third of the time that making a pyoxigraph
    term of each rdflib term took (7.4 s against 19.0 s for the 1.4 million triples of the
    credits table at 30,000 films, loaded into a store in memory). Each IRI and blank node
    is written once a call and its text reused: rdflib checks an IRI every time it writes
    one, and a hand-over names the same films, people and predicates over and over.
    """
    written: dict[Node, str] = {}

    def text(node: Node) -> str:
        found = written.get(node)
        if found is None:
            found = written[node] = node.n3()
        return found

    return "".join(
        f"{text(s)} {text(p)} {_quoteLiteral(o) if isinstance(o, Literal) else text(o)} .\n"
        for s, p, o in triples
    ).encode("utf-8")


def add_ntriples(store: ox.Store, data: bytes, graph: ox.NamedNode, *, bulk: bool) -> None:
    """Adds the N-Triples ``data`` to ``graph`` of ``store``, each blank node under its label.

    For a document handed over in parts: the engine's loaders name the blank nodes of every
    call afresh, so a node that spans two parts would become two. Data without blank nodes
    goes to the loader (``bulk``: the bulk loader, for a store on disk; otherwise one
    transaction, the faster in memory: 4.8 s against 8.5 s for 1.4 million triples); data
    with them is parsed here and written quad by quad, keeping the labels.
    """
    if b"_:" not in data:
        load = store.bulk_load if bulk else store.load
        load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        return
    quads = (
        ox.Quad(t.subject, t.predicate, t.object, graph)
        for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
    )
    (bulk_extend_in_batches if bulk else extend_in_batches)(store, quads)


def dataset_quads(dataset: Dataset) -> Iterator[ox.Quad]:
    """The quads of an rdflib ``Dataset`` as pyoxigraph quads, each in its named graph."""
    for s, p, o, g in dataset.quads((None, None, None, None)):
        yield ox.Quad(
            to_oxigraph(s),  # type: ignore[arg-type]
            to_oxigraph(p),  # type: ignore[arg-type]
            to_oxigraph(o),
            ox.NamedNode(str(getattr(g, "identifier", g))),
        )


def from_oxigraph(term: object) -> Identifier:
    """The rdflib term for a pyoxigraph term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            # A simple literal, as rdflib parses it: "x" and "x"^^xsd:string are one term in
            # RDF 1.1 but two in rdflib, and SHACL's sh:in compares rdflib terms.
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"cannot convert {term!r} to an rdflib term")


#: Quads written per transaction by :func:`extend_in_batches`.
WRITE_BATCH = 25_000
#: Quads written per call of the bulk writer by :func:`bulk_extend_in_batches`.
BULK_BATCH = 200_000


def extend_in_batches(store: ox.Store, quads: Iterable[ox.Quad]) -> None:
    """Add ``quads`` to ``store``, :data:`WRITE_BATCH` per transaction, each flushed.

    An on-disk store holds a transaction's writes in memory until it commits: the 940,000
    quads reasoning infers at 30,000 films took 0.9 GB in one. Committed, they still stay
    in RocksDB's write buffers (memtables) until those fill, about 0.9 KB a quad: 800,000
    quads written in 100,000-quad transactions held 0.72 GB, and reasoning's writes were
    most of its stage's memory at 30,000 films. So each transaction is flushed to disk
    once committed (the same 800,000 quads then held 0.1-0.2 GB), and transactions are
    small: reasoning at 30,000 films on disk peaked at 0.70 GB with 100,000 quads a
    transaction, 0.50 GB with 25,000, at the same CPU time
    (``bench/results/reasoning-memory.md``). The build needs no larger transaction
    (nobody reads its store before it is published); in memory the batches cost nothing
    more and a flush does nothing.

    Reasoning, which reads the store between its writes, uses this route: with the bulk
    writer instead, a test writing one conclusion at a time found a derivation missing.
    """
    remaining = iter(quads)
    while batch := list(islice(remaining, WRITE_BATCH)):
        store.extend(batch)
        store.flush()


def bulk_extend_in_batches(store: ox.Store, quads: Iterable[ox.Quad]) -> None:
    """Add ``quads`` to ``store`` by the engine's bulk writer, :data:`BULK_BATCH` at a time.

    For writes that nothing reads until they are done (the merge at the end of a build).
    The bulk writer gathers its whole input before writing it, then writes its own files,
    past RocksDB's write buffers. Three million quads written to disk took 1.40 GB in one
    bulk write, 1.16 GB and three times as long in transactions of 100,000, and 0.31 GB in
    bulk writes of 200,000, as fast as the one (``bench/results/scale-disk.md``).
    """
    remaining = iter(quads)
    while batch := list(islice(remaining, BULK_BATCH)):
        store.bulk_extend(batch)


def graph_size(store: ox.Store, graph: str) -> int:
    """How many triples the named graph ``graph`` of ``store`` holds, counted by the engine.

    Twenty times faster than iterating its quads through Python (1.0 s against 20 s for
    1.4 million at 30,000 films).
    """
    rows = store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=ox.NamedNode(graph)
    )
    if not isinstance(rows, ox.QuerySolutions):
        raise QueryError("a COUNT query gave no rows")
    return int(next(iter(rows))[0].value)


def write_merge(store: ox.Store, source: ox.Store | None = None) -> None:
    """Write the RDF merge of every named graph of ``source`` into the default graph of ``store``.

    pyoxigraph's union default graph repeats a triple once per named graph stating it, so
    a count over it is wrong (two sources naming one film count it twice). A store holding
    the merge is queried over its default graph instead (:class:`OxigraphStore` does so
    when the default graph is not empty): each triple once, while ``GRAPH ?g`` still shows
    what each source says. ``source`` (default: ``store`` itself) is where the named graphs
    are read: the build reads its in-memory working store, twice as fast as reading back
    the on-disk one. Bulk-written in batches (:func:`bulk_extend_in_batches`).
    """
    default = ox.DefaultGraph()
    bulk_extend_in_batches(
        store,
        (
            ox.Quad(q.subject, q.predicate, q.object, default)
            for q in (store if source is None else source)
            if not isinstance(q.graph_name, ox.DefaultGraph)
        ),
    )


#: Bytes of N-Triples handed to the engine's bulk loader per call by :func:`dump_with_merge`.
MERGE_BLOCK = 32 * 1024 * 1024


def dump_with_merge(engine: ox.Store, trig: Path) -> None:
    """Write every named graph of the on-disk ``engine`` to ``trig``, and their RDF merge
    into its default graph (see :func:`write_merge`), reading the store once.

    On disk, reading a quad back costs about 10 µs (every term is looked up by its id), and
    :func:`write_merge` also makes a Python object of each: 117 s at 30,000 films. Here the
    engine writes each named graph as N-Triples inside a TriG block of its own (N-Triples
    lines are TriG statements) and its bulk loader reads those lines back into the default
    graph, :data:`MERGE_BLOCK` bytes a call. At 30,000 films the stage took 79 s instead of
    208 s, for the same merge, at 0.60 GB instead of 0.71 (one bulk-load call for the whole
    file held 1.75 GB; ``bench/results/scale-disk.md``).

    The bulk loader gives blank nodes fresh names, which would part the merge's blank
    nodes from their graph's: a graph whose text may hold a blank node label is written to
    the default graph through Python instead (the ontology's, usually alone).
    """
    spans = []
    for graph, start, end, blank in write_graph_blocks(engine, trig):
        if blank:
            _merge_graph(engine, graph)
        else:
            spans.append((start, end))
    with trig.open("rb") as text:
        for start, end in spans:
            text.seek(start)
            for block in line_blocks(text, end - start, MERGE_BLOCK):
                engine.bulk_load(
                    block, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph(), lenient=True
                )


def _merge_graph(engine: ox.Store, graph: ox.NamedNode | ox.BlankNode) -> None:
    """The triples of one named graph written into the default graph through Python."""
    default = ox.DefaultGraph()
    bulk_extend_in_batches(
        engine,
        (
            ox.Quad(q.subject, q.predicate, q.object, default)
            for q in engine.quads_for_pattern(None, None, None, graph)
        ),
    )


def dump_for_loading(engine: ox.Store, trig: Path, load: Path) -> None:
    """Write every named graph of ``engine`` to ``trig`` (for exports and other tools; see
    :func:`~filmgraph.store.graphblocks.write_graph_blocks`), and to ``load`` the file
    :func:`load_dumped` builds the on-disk store from.

    ``load`` is N-Quads: every quad of the named graphs, then the triples of each named
    graph in turn as default-graph lines (N-Triples, a triple stated by two graphs twice:
    loaded, the repeats fall together into the RDF merge, see :func:`write_merge`). One
    file, because the bulk loader gives each blank node of a file a fresh name: loaded
    from one file, a blank node of the merge stays the one of its named graph. The engine
    writes each graph once, into ``trig``; ``load`` is made from that text (each line
    given its graph's name, then the blocks copied by the kernel), which at 100,000 films
    took 13 s where the engine's two more dumps took about 50 s
    (``bench/results/scale-100k.md``).
    """
    blocks = write_graph_blocks(engine, trig)
    with trig.open("rb") as text, load.open("wb", buffering=0) as out:
        for graph, start, end, _ in blocks:
            name = str(graph).encode()
            text.seek(start)
            for lines in line_blocks(text, end - start, MERGE_BLOCK):
                write_all(out, as_nquads(lines, name))
        for _, start, end, _ in blocks:
            copy_range(text, out, start, end - start)


#: Bytes handed to the bulk loader per call by :func:`bulk_load_in_blocks`.
LOAD_BLOCK = 16 * 1024 * 1024


def bulk_load_in_blocks(
    store: ox.Store,
    path: Path,
    format: ox.RdfFormat,
    to_graph: ox.NamedNode | None = None,
) -> None:
    """The N-Triples or N-Quads file ``path`` added to ``store`` by the bulk loader,
    :data:`LOAD_BLOCK` bytes a call, each blank node under one name.

    The loader holds what one call gives it before writing: a 2.3 million-line file took
    1.84 GB in one call at 10,000 films, 0.17-0.26 GB in blocks, in the same time
    (``bench/results/scale-100k.md``). Each call names the blank nodes it reads afresh, so
    every line that may hold one (its text has ``_:``) waits for one last call of its own.
    """
    blank: list[bytes] = []
    with path.open("rb") as text:
        for block in line_blocks(text, None, LOAD_BLOCK):
            if b"_:" in block:
                lines = block.split(b"\n")
                blank += [line + b"\n" for line in lines if b"_:" in line]
                block = b"\n".join(line for line in lines if b"_:" not in line)
            store.bulk_load(block, format=format, to_graph=to_graph)
    if blank:
        store.bulk_load(b"".join(blank), format=format, to_graph=to_graph)


def load_dumped(path: Path, load: Path) -> None:
    """A new on-disk store at ``path`` holding what :func:`dump_for_loading` wrote to ``load``.

    Read by the engine's bulk loader (parsing on its own threads, no transaction, in blocks:
    :func:`bulk_load_in_blocks`) and compacted: a lookup in a compacted store is nine times
    cheaper at 100,000 films (``bench/results/queries-100k.md``).
    """
    store = ox.Store(str(path))
    try:
        bulk_load_in_blocks(store, load, ox.RdfFormat.N_QUADS)
        store.flush()
        store.optimize()
    finally:
        del store  # pyoxigraph closes the database when the object goes


def release_memory() -> None:
    """Hand the memory the process freed back to the system, where the C library allows.

    glibc keeps what a dropped in-memory store freed in the arena that held it; the bulk
    loader's threads allocate from arenas of their own, so without this the freed
    gigabytes stay resident beside the loader's (at 30,000 films 1.2 GB stayed after the
    store was dropped, 0.03 GB after the trim). A no-op on other C libraries.
    """
    name = ctypes.util.find_library("c")
    if name is None:
        return
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)


def holds_merge(store: ox.Store) -> bool:
    """True when the default graph of ``store`` holds anything (see :func:`write_merge`)."""
    return (
        next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None
    )


class OxigraphStore(Store):
    """A pyoxigraph store, on disk at ``path`` or in memory when ``path`` is ``None``.

    ``read_only`` opens an existing on-disk store without taking the writer's lock, so
    several readers (a server, the command line) can share one built graph.

    Queries see the RDF merge of the named graphs, each triple once: a store written by the
    build or through this class keeps that merge in its default graph
    (:func:`write_merge`) and is queried over it; only a store without it (written by an
    older build) falls back to the engine's union default graph.
    """

    name = "oxigraph"

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        self.path = path
        if path is None:
            self._store = ox.Store()
        elif read_only:
            self._store = ox.Store.read_only(str(path))
        else:
            self._store = ox.Store(str(path))
        self._merged = holds_merge(self._store)

    @classmethod
    def of(cls, engine: ox.Store) -> OxigraphStore:
        """A store around an engine that is already open (a build's), sharing it.

        A RocksDB directory is opened once per process: a second handle on a store a
        writer holds could read files the writer is compacting away.
        """
        store = cls.__new__(cls)
        store.path = None
        store._store = engine
        store._merged = holds_merge(engine)
        return store

    @property
    def engine(self) -> ox.Store:
        """The pyoxigraph store underneath, for the build's bulk work (loading, rules)."""
        return self._store

    @property
    def merged(self) -> bool:
        """Whether the default graph holds the merge of the named graphs (queries read it
        alone); before the merge, queries read the union of the graphs."""
        return self._merged

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Node] | None = None,
        *,
        constants: bool = False,
    ) -> QueryResult:
        try:
            return self.collect(self.query_native(sparql, bindings, constants=constants))
        except SyntaxError as exc:
            raise QueryError(f"query syntax error: {exc}") from exc
        except RuntimeError as exc:  # evaluation refused, e.g. an unknown function
            raise QueryError(f"query refused: {exc}") from exc

    def query_native(
        self,
        sparql: str,
        bindings: Mapping[str, Node] | None = None,
        *,
        constants: bool = False,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """The engine's own, lazy result (for writers that need no rdflib terms).

        :class:`QueryError` for a syntax error or a refused evaluation; an error found only
        while the result is read comes as ``RuntimeError`` from the reader.
        """
        # Bound both ways: the VALUES block lets the planner start property paths from the
        # constants, the substitutions carry them into subqueries (see store.binding). Some
        # queries are planned better still with the values written in (``constants``);
        # others worse (film-influences: 1 ms -> 0.2 s), so the query says which it is.
        text = bind_values(sparql, bindings, constants=constants) if bindings else sparql
        union = not self._merged and not has_dataset_clause(sparql)
        substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(k): to_oxigraph(v) for k, v in (bindings or {}).items()
        }
        try:
            try:
                return self._store.query(
                    text, use_default_graph_as_union=union, substitutions=substitutions
                )
            except RuntimeError as exc:
                if not substitutions or "SELECT projection" not in str(exc):
                    raise
                # a parameter the query does not project can only be bound by VALUES
                return self._store.query(text, use_default_graph_as_union=union)
        except SyntaxError as exc:
            raise QueryError(f"query syntax error: {exc}") from exc
        except RuntimeError as exc:  # evaluation refused, e.g. an unknown function
            raise QueryError(f"query refused: {exc}") from exc

    @staticmethod
    def collect(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> QueryResult:
        """An engine result as rdflib terms (what :meth:`query` returns)."""
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        if isinstance(result, ox.QueryTriples):
            graph = Graph()
            for t in result:
                graph.add(
                    (from_oxigraph(t.subject), from_oxigraph(t.predicate), from_oxigraph(t.object))
                )
            return graph
        # Each distinct term is converted once per answer: rdflib parses a typed literal's
        # value on construction (a year, a number), and an answer repeats its parameters,
        # years and depths on every row. 6x faster on 5,000 rows of film-descendants.
        converted: dict[object, Identifier] = {}

        def term(value: object) -> Identifier | None:
            if value is None:
                return None
            found = converted.get(value)
            if found is None:
                found = converted[value] = from_oxigraph(value)
            return found

        variables = [v.value for v in result.variables]
        # A solution iterates over its values in the order of the answer's variables.
        rows = [tuple(map(term, row)) for row in result]
        return SelectResult(variables, rows)

    def add_dataset(self, dataset: Dataset) -> None:
        buffer = io.BytesIO()
        dataset.serialize(destination=buffer, format="nquads")
        self.load_nquads(buffer.getvalue())

    def load_nquads(self, data: bytes | Path) -> None:
        """Bulk-load N-Quads (bytes, or a file path) without one big transaction."""
        if isinstance(data, Path):
            self._store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
        else:
            self._store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
        write_merge(self._store)
        self._merged = True
        self._store.flush()

    def dump(self, path: Path, fmt: str = "trig") -> None:
        """Every quad of the named graphs (the merge in the default graph is derived)."""
        if not self._merged:
            self._store.dump(str(path), format=_FORMATS[fmt])
            return
        ox.serialize(
            (q for q in self._store if not isinstance(q.graph_name, ox.DefaultGraph)),
            output=str(path),
            format=_FORMATS[fmt],
        )

    def quad_count(self) -> int:
        """Quads of the named graphs (the merge in the default graph is not counted)."""
        if not self._merged:
            return len(self._store)
        merged = sum(1 for _ in self._store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        return len(self._store) - merged

    def close(self) -> None:
        # pyoxigraph closes the database when the object is released.
        del self._store
