"""The HTML the endpoint serves: resource pages and the query page (no CDN, no network).

Templates and scripts are files in ``static/`` beside this module; only the table of a
resource's statements is built here.
"""

from __future__ import annotations

from html import escape
from importlib.resources import files

from rdflib import Literal, URIRef
from rdflib.term import Identifier

from filmgraph.namespaces import ID
from filmgraph.results import shorten
from filmgraph.store.base import SelectResult

__all__ = ["STATIC_FILES", "local_path", "resource_page", "static_file"]

#: The files ``/static/NAME`` serves, with their media types.
STATIC_FILES = {
    "query.html": "text/html; charset=utf-8",
    "query.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
}


def static_file(name: str) -> bytes:
    """The bytes of one of :data:`STATIC_FILES`."""
    if name not in STATIC_FILES:
        raise KeyError(name)
    return files("filmgraph.server").joinpath("static", name).read_bytes()


def local_path(iri: str) -> str | None:
    """The path under which this server shows one of our resources, or ``None``."""
    return "/id/" + iri[len(str(ID)):] if iri.startswith(str(ID)) else None


def _link(term: Identifier, label: str | None = None) -> str:
    if isinstance(term, Literal):
        lang = f' <span class="lang">@{escape(term.language)}</span>' if term.language else ""
        return escape(str(term)) + lang
    text = escape(label or shorten(term))
    href = local_path(str(term)) or str(term)
    return f'<a href="{escape(href)}">{text}</a>'


def resource_page(iri: URIRef, result: SelectResult) -> str:
    """An HTML page listing what the graph says about ``iri`` and what points at it."""
    labels: dict[str, str] = {}
    outgoing: dict[tuple[str, str, str], tuple[Identifier, Identifier, str]] = {}
    incoming: dict[tuple[str, str], tuple[Identifier, Identifier, str]] = {}
    title = shorten(iri)
    for row in result.dicts():
        prop, value, graph = row["property"], row["value"], shorten(row.get("graph"))
        label = row.get("valueLabel")
        if label is not None:
            labels.setdefault(str(value), str(label))
        if str(row["direction"]) == "out":
            outgoing.setdefault((str(prop), str(value), graph), (prop, value, graph))
            if str(prop).endswith("#label") and isinstance(value, Literal):
                title = str(value)
        else:
            incoming.setdefault((str(prop), str(value)), (prop, value, graph))

    def rows(items: list[tuple[Identifier, Identifier, str]]) -> str:
        return "\n".join(
            f"<tr><td>{_link(p)}</td><td>{_link(v, labels.get(str(v)))}</td>"
            f'<td class="graph">{escape(g)}</td></tr>'
            for p, v, g in items
        )

    template = static_file("query.html").decode("utf-8").split("<!--page-->")[0]
    head = template.replace("<title>filmgraph SPARQL</title>", f"<title>{escape(title)}</title>")
    return f"""{head}
<main>
<h1>{escape(title)}</h1>
<p class="iri"><code>{escape(str(iri))}</code> ·
 <a href="?format=turtle">Turtle</a> · <a href="?format=jsonld">JSON-LD</a> ·
 <a href="/">query page</a></p>
<table><thead><tr><th>property</th><th>value</th><th>named graph</th></tr></thead>
<tbody>
{rows(list(outgoing.values()))}
</tbody></table>
<h2>Pointing here</h2>
<table><thead><tr><th>resource</th><th>property</th><th>named graph</th></tr></thead>
<tbody>
{"".join(f"<tr><td>{_link(v, labels.get(str(v)))}</td><td>{_link(p)}</td>"
         f'<td class="graph">{escape(g)}</td></tr>' for p, v, g in incoming.values())}
</tbody></table>
</main>
</body>
</html>
"""
