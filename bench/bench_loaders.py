"""Load throughput of the loaders, and entity-resolution figures on the bundled data.

Run by ``make bench``; writes ``bench/results/loaders.md``. Each loader is compared with the
naive route in the same run, so the ratio says what the extra work (extraction, mapping
through the alignments, checks) costs:

- film pages: the loader (parse + extraction + resolution) against parsing the page only;
- tables: the CSVW table loader against ``csv`` + plain rdflib triples, no mapping or checks;
- RDF: the RDF loader (mapping onto our terms) against plain ``rdflib.Graph().parse``.

Entity resolution: the bundled sources are loaded as a build loads them (without the SHACL
validation, which does not change the figures) and :func:`resolve_entities` is run on them.
"""

from __future__ import annotations

import csv
import json
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from filmgraph.linking import resolve_entities
from filmgraph.loaders import LoadContext, get_loader
from filmgraph.loaders.pageformat import read_page
from filmgraph.manifest import read_manifest
from filmgraph.namespaces import SCHEMA
from filmgraph.resources import manifest_path, sources_dir

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results" / "loaders.md"
SHARED_PAGE = ROOT.parent.parent / "shared" / "pages" / "the-miners-1937.txt"
ROWS = 5000
REPEAT = 5


def best_of(work: Callable[[], object], repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def curated_context() -> LoadContext:
    context = LoadContext()
    curated = sources_dir() / "curated"
    for source in get_loader("curated-tables").load(curated, context, curated.parent):
        context.loaded.append(source.graph)
    return context


def bench_pages(folder: Path) -> dict[str, float]:
    base = curated_context()
    pages = sorted(folder.glob("*.txt"))

    def loader() -> None:
        context = LoadContext(loaded=list(base.loaded), known=base.known)
        for _ in get_loader("film-page").load(folder, context, folder.parent):
            pass

    def naive() -> None:
        for page in pages:
            read_page(page)

    ours, plain = best_of(loader), best_of(naive)
    return {
        "pages": len(pages),
        "loader_s": ours,
        "naive_s": plain,
        "pages_per_s": len(pages) / ours,
        "naive_pages_per_s": len(pages) / plain,
    }


def write_table(folder: Path) -> Path:
    metadata = json.loads(
        (
            ROOT.parent / "tests" / "fixtures" / "tables" / "archive-films.tsv-metadata.json"
        ).read_text(encoding="utf-8")
    )
    table = folder / "archive-films.tsv"
    with table.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t")
        writer.writerow(["film_id", "name", "released", "made_in", "directed_by", "qid"])
        for i in range(ROWS):
            writer.writerow(
                [
                    f"b-{i}",
                    f"Film number {i}",
                    1920 + i % 80,
                    "Soviet Union",
                    f"Director {i % 300}",
                    f"Q{1000 + i}",
                ]
            )
    (folder / "archive-films.tsv-metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    return table


def bench_table(folder: Path) -> dict[str, float]:
    table = write_table(folder)
    metadata = folder / "archive-films.tsv-metadata.json"
    base = curated_context()

    def loader() -> None:
        context = LoadContext(loaded=list(base.loaded), known=base.known)
        for _ in get_loader("table").load(metadata, context, folder):
            pass

    def naive() -> None:
        graph = Graph()
        with table.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                node = URIRef(f"https://archive.example.org/film/{row['film_id']}")
                graph.add((node, RDF.type, SCHEMA.Movie))
                graph.add((node, RDFS.label, Literal(row["name"])))
                graph.add((node, SCHEMA.datePublished, Literal(row["released"])))
                graph.add((node, SCHEMA.director, Literal(row["directed_by"])))

    ours, plain = best_of(loader, 3), best_of(naive, 3)
    return {
        "rows": ROWS,
        "loader_s": ours,
        "naive_s": plain,
        "rows_per_s": ROWS / ours,
        "naive_rows_per_s": ROWS / plain,
    }


def bench_rdf(folder: Path) -> dict[str, float]:
    path = folder / "archive.ttl"
    lines = [
        "@prefix schema: <https://schema.org/> .",
        "@prefix ex: <https://archive.example.org/> .",
    ]
    for i in range(ROWS):
        lines.append(
            f'ex:f{i} a schema:Movie ; schema:name "Film {i}" ; '
            f'schema:datePublished "{1920 + i % 80}-01-01" ; '
            f"schema:director ex:p{i % 300} ."
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def loader() -> None:
        for _ in get_loader("rdf").load(path, LoadContext(), folder):
            pass

    def naive() -> None:
        Graph().parse(path, format="turtle")

    ours, plain = best_of(loader, 3), best_of(naive, 3)
    return {
        "records": ROWS,
        "loader_s": ours,
        "naive_s": plain,
        "records_per_s": ROWS / ours,
        "naive_records_per_s": ROWS / plain,
    }


def bench_resolution() -> dict[str, object]:
    dataset = Dataset()
    context = LoadContext()
    order: list[URIRef] = []
    start = time.perf_counter()
    for spec in read_manifest(manifest_path()):
        for source in spec.loader.load(spec.path, context, spec.root):
            dataset.graph(source.iri).__iadd__(source.graph)
            order.append(source.iri)
            context.loaded.append(source.graph)
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    report = resolve_entities(dataset, order)
    return {
        "load_s": loaded,
        "resolve_s": time.perf_counter() - start,
        "counts": report.counts(),
        "unresolved": report.unresolved,
    }


def facts_of_example() -> dict[str, int]:
    if not SHARED_PAGE.is_file():
        return {}
    base = curated_context()
    context = LoadContext(loaded=list(base.loaded), known=base.known)
    (source,) = get_loader("film-page").load(SHARED_PAGE, context, SHARED_PAGE.parent)
    g = source.graph
    fg = "https://w3id.org/filmgraph/ontology#"
    count = {}
    for name in (
        "InspirationClaim",
        "SimilarityClaim",
        "ContextClaim",
        "Credit",
        "AwardRecognition",
        "Release",
        "Withdrawal",
        "Restoration",
        "ArchivalHolding",
        "PageSection",
        "TriviaItem",
        "MemorableScene",
        "Quotation",
    ):
        count[name] = len(set(g.subjects(RDF.type, URIRef(fg + name))))
    for name in (
        "theme",
        "keyTheme",
        "productionCompany",
        "filmingLocation",
        "tagline",
        "runtime",
        "releaseDate",
        "country",
        "heldBy",
    ):
        count[name] = len(set(g.objects(None, URIRef(fg + name))))
    return count


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pages_dir = folder / "pages"
        shutil.copytree(sources_dir() / "pages", pages_dir)
        if SHARED_PAGE.is_file():
            shutil.copy(SHARED_PAGE, pages_dir)
        pages = bench_pages(pages_dir)
        table = bench_table(folder)
        rdf = bench_rdf(folder)
    resolution = bench_resolution()
    facts = facts_of_example()
    counts = resolution["counts"]
    assert isinstance(counts, dict)
    out = [
        "# Loader throughput and entity resolution",
        "",
        "Written by `bench/bench_loaders.py` (`make bench`). Medians; one core.",
        "",
        "| loader | input | ours | naive route | ratio (ours / naive time) |",
        "|---|---|---|---|---|",
        f"| film pages | {pages['pages']} pages | {pages['pages_per_s']:.1f} pages/s | "
        f"{pages['naive_pages_per_s']:.1f} pages/s (parse only) | "
        f"{pages['loader_s'] / pages['naive_s']:.1f} |",
        f"| CSVW table | {ROWS} rows | {table['rows_per_s']:,.0f} rows/s | "
        f"{table['naive_rows_per_s']:,.0f} rows/s (csv + rdflib, unmapped) | "
        f"{table['loader_s'] / table['naive_s']:.1f} |",
        f"| RDF (Turtle) | {ROWS} films | {rdf['records_per_s']:,.0f} films/s | "
        f"{rdf['naive_records_per_s']:,.0f} films/s (rdflib parse) | "
        f"{rdf['loader_s'] / rdf['naive_s']:.1f} |",
        "",
        "## Entity resolution on the bundled sources",
        "",
        f"Loading the bundled sources took {resolution['load_s']:.1f} s; resolution "
        f"{resolution['resolve_s']:.1f} s.",
        "",
        "| figure | count |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in sorted(counts.items())],
        "",
        "Unresolved (named by a source, described by none):",
        "",
        *[f"- {kind}: {label}" for _, kind, label in resolution["unresolved"]],  # type: ignore[attr-defined]
        "",
        "## Facts extracted from the example page, by kind",
        "",
    ]
    if facts:
        out += ["| kind | count |", "|---|---|", *[f"| {k} | {v} |" for k, v in facts.items()]]
    else:
        out.append("(the example page is not here: ../shared is absent)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(out) + "\n", encoding="utf-8")
    print("\n".join(out))


if __name__ == "__main__":
    main()
