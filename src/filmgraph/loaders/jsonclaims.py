"""Loader for influence claims kept as JSON by another project: ``NAME.claims.json``.

The shape (documented in ``docs/recipes/foreign-tables.md``)::

    {
      "source": {"id": "film-society-notes", "title": "Notes of a film society",
                 "kind": "dataset", "url": "https://example.org/notes"},
      "claims": [
        {"type": "inspiration", "influenced": "https://archive.example.org/film/a-101",
         "influencer": "film:earth-1930", "aspect": "landscape", "confidence": "low",
         "evidence": "…"}
      ]
    }

``type`` is one of the curated loader's claim types (inspiration, person-influence,
adaptation, remake); ``influenced`` and ``influencer`` are IRIs, or CURIEs of filmgraph's
prefixes (``film:…``, ``person:…``); ``confidence`` is high, medium or low (medium when
absent). Each claim becomes the qualified claim node the curated loader makes, with the
direct edge beside it, citing the file's source; a bad claim is an error naming the file,
its line and the field (``claims[3].influencer``), skipped in lenient mode.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS

from filmgraph.errors import SourceError
from filmgraph.iri import hashed_iri, is_slug, mint
from filmgraph.loaders import LoadContext, SourceGraph, Triples
from filmgraph.loaders.curated import CLAIM_TYPES
from filmgraph.namespaces import FG, PREFIXES
from filmgraph.provenance import graph_iri

__all__ = ["JsonClaimsLoader"]

_SUFFIX = ".claims.json"
_CONFIDENCE = {"high": FG.HighConfidence, "medium": FG.MediumConfidence, "low": FG.LowConfidence}
_SOURCE_KINDS = ("book", "article", "essay", "web-page", "film-page", "editorial", "dataset")
_FIELDS = frozenset({"type", "influenced", "influencer", "aspect", "confidence", "evidence"})
_IRI = re.compile(r"^https?://\S+$")


class JsonClaimsLoader:
    """Reads a ``*.claims.json`` file of influence claims into one named graph."""

    name = "json-claims"

    def accepts(self, path: Path) -> bool:
        return path.is_file() and path.name.endswith(_SUFFIX)

    def load(self, path: Path, context: LoadContext, root: Path) -> Iterator[SourceGraph]:
        if context.reuse(path):
            return
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise SourceError(path, f"cannot be read as UTF-8: {exc}") from exc
        try:
            data: Any = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SourceError(path, f"is not valid JSON: {exc.msg}", line=exc.lineno) from exc
        if not isinstance(data, dict) or not isinstance(data.get("claims"), list):
            raise SourceError(path, "must be an object with a 'claims' list", field="claims")
        source = SourceGraph(graph_iri(path, root), path, self.name)
        cited = _source(path, data.get("source"), source.graph)
        lines = _claim_lines(text)
        for index, item in enumerate(data["claims"]):
            line = lines[index] if index < len(lines) else None
            scratch = Triples()
            try:
                _claim(path, line, f"claims[{index}]", item, cited, scratch)
            except SourceError as error:
                context.reject(error)
                continue
            source.graph += scratch
            source.records += 1
        yield source


def _claim_lines(text: str) -> list[int]:
    """The line each claim object starts on, in order (for error messages)."""
    start = text.find('"claims"')
    lines: list[int] = []
    depth = 0
    in_string = escaped = False
    for offset in range(max(start, 0), len(text)):
        char = text[offset]
        if in_string:
            escaped = not escaped and char == "\\"
            if char == '"' and not escaped:
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if char == "{" and depth == 2:
                lines.append(text.count("\n", 0, offset) + 1)
        elif char in "]}":
            depth -= 1
            if depth == 0:
                break
    return lines


def _source(path: Path, value: Any, g: Triples) -> URIRef:
    if not isinstance(value, dict):
        raise SourceError(
            path, "must name the source of the claims: {'id', 'title', …}", field="source"
        )
    identifier, title = value.get("id"), value.get("title")
    if not isinstance(identifier, str) or not is_slug(identifier):
        raise SourceError(
            path,
            f"{identifier!r} is not an id (lowercase letters, digits, hyphens)",
            field="source.id",
        )
    if not isinstance(title, str) or not title.strip():
        raise SourceError(path, "is empty but required", field="source.title")
    kind = value.get("kind", "dataset")
    if kind not in _SOURCE_KINDS:
        raise SourceError(
            path, f"{kind!r} is not one of: {', '.join(_SOURCE_KINDS)}", field="source.kind"
        )
    cited = mint("source", identifier)
    g.add((cited, RDF.type, FG.SourceDocument))
    g.add((cited, RDFS.label, Literal(title.strip())))
    g.add((cited, FG.sourceKind, Literal(kind)))
    url = value.get("url")
    if isinstance(url, str) and _IRI.match(url):
        g.add((cited, FG.url, URIRef(url)))
    return cited


def _claim(path: Path, line: int | None, where: str, item: Any, cited: URIRef, g: Triples) -> None:
    def error(field: str, reason: str) -> SourceError:
        return SourceError(path, reason, line=line, field=f"{where}.{field}")

    if not isinstance(item, dict):
        raise SourceError(path, "a claim must be an object", line=line, field=where)
    unknown = sorted(set(item) - _FIELDS)
    if unknown:
        raise error(unknown[0], f"is not a claim field (known: {', '.join(sorted(_FIELDS))})")
    kind = item.get("type")
    if kind not in CLAIM_TYPES:
        raise error("type", f"{kind!r} is not one of: {', '.join(CLAIM_TYPES)}")
    cls, direct, _ = CLAIM_TYPES[kind]
    later = _node(item.get("influenced"), lambda r: error("influenced", r))
    earlier = _node(item.get("influencer"), lambda r: error("influencer", r))
    aspect = item.get("aspect") or ""
    if not isinstance(aspect, str):
        raise error("aspect", "must be text")
    confidence = _CONFIDENCE.get(item.get("confidence") or "medium")
    if confidence is None:
        raise error(
            "confidence", f"{item.get('confidence')!r} is not one of: {', '.join(_CONFIDENCE)}"
        )
    claim = hashed_iri("claim", str(cited), kind, str(later), str(earlier), aspect)
    g.add((claim, RDF.type, cls))
    g.add((claim, FG.influencee, later))
    g.add((claim, FG.influencer, earlier))
    g.add((claim, FG.source, cited))
    g.add((claim, FG.confidence, confidence))
    if aspect:
        g.add((claim, FG.aspect, Literal(aspect, lang="en")))
    evidence = item.get("evidence")
    if isinstance(evidence, str) and evidence.strip():
        g.add((claim, FG.evidence, Literal(evidence.strip(), lang="en")))
    g.add((later, direct, earlier))


def _node(value: Any, error: Any) -> URIRef:
    """An IRI, or a CURIE of filmgraph's prefixes (``film:the-miners-1937``)."""
    if not isinstance(value, str) or not value.strip():
        raise error("is empty but required (an IRI or a CURIE such as film:ID)")
    value = value.strip()
    if _IRI.match(value):
        return URIRef(value)
    prefix, colon, rest = value.partition(":")
    if colon and prefix in PREFIXES and is_slug(rest):
        return URIRef(PREFIXES[prefix] + rest)
    raise error(f"{value!r} is neither an IRI nor a CURIE of a known prefix (film:, person: …)")
