"""Human documentation of the ontology, generated from ``ontology/filmgraph.ttl`` by pyLODE.

pyLODE (3.3, the last release that imports cleanly) renders every class and property with
its label, comment, alignments and the terms around it, as one self-contained HTML page
that needs no network. It leaves out named individuals and datatypes; a short section for
the terms it left out is appended from the ontology graph. The JSON-LD context is
published beside it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from html import escape
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from filmgraph.export.jsonld import write_context
from filmgraph.namespaces import FG
from filmgraph.resources import ontology_path
from filmgraph.results import shorten

__all__ = ["OntologyDocs", "write_ontology_docs"]


@dataclass(frozen=True)
class OntologyDocs:
    """The files the documentation consists of."""

    html: Path
    context: Path


def write_ontology_docs(out: Path, ontology: Path | None = None) -> OntologyDocs:
    """Write ``index.html`` (pyLODE) and ``context.jsonld`` into the folder ``out``."""
    from pylode import OntPub  # type: ignore[import-untyped]  # imported here: pyLODE loads its background ontologies on import

    logging.getLogger("root").setLevel(logging.WARNING)
    out.mkdir(parents=True, exist_ok=True)
    source = ontology if ontology is not None else ontology_path()
    html = _with_left_out_terms(OntPub(ontology=str(source)).make_html(), source)
    index = out / "index.html"
    index.write_text(html if html.endswith("\n") else html + "\n", encoding="utf-8")
    return OntologyDocs(index, write_context(out / "context.jsonld"))


def _with_left_out_terms(html: str, source: Path) -> str:
    """``html`` with a section for the fg: terms pyLODE did not render (individuals …)."""
    graph = Graph()
    graph.parse(source, format="turtle")
    namespace = str(FG._NS)
    rows = []
    for term in sorted({s for s in graph.subjects() if isinstance(s, URIRef)}):
        if not str(term).startswith(namespace) or str(term) in html:
            continue
        kinds = ", ".join(
            sorted(shorten(t) for t in graph.objects(term, RDF.type) if isinstance(t, URIRef))
        )
        label = graph.value(term, RDFS.label) or ""
        comment = graph.value(term, RDFS.comment) or ""
        rows.append(
            f'<tr id="{escape(str(term)[len(namespace) :])}"><td><code>'
            f"{escape(str(term))}</code></td><td>{escape(kinds)}</td>"
            f"<td>{escape(str(label))}</td><td>{escape(str(comment))}</td></tr>"
        )
    if not rows:
        return html
    section = (
        '<div class="section" id="individuals"><h2>Named individuals and datatypes</h2>'
        "<table><tr><th>IRI</th><th>type</th><th>label</th><th>description</th></tr>"
        + "".join(rows)
        + "</table></div>\n"
    )
    return html.replace("</body>", section + "</body>", 1)
