"""Deterministic IRI minting: the same input always gives the same IRI.

Resources live under ``https://w3id.org/filmgraph/id/{kind}/{slug}``. Slugs are lowercase
ASCII; text in other scripts is transliterated first, so "Шахтёры" and "Shakhtery" mint alike.
"""

from __future__ import annotations

import hashlib
import re

from anyascii import anyascii
from rdflib import URIRef

from filmgraph.namespaces import ID, PREFIXED_KINDS

__all__ = ["KINDS", "film_iri", "fold", "hashed_iri", "mint", "slug"]

#: The kinds of resource we mint, i.e. the first path segment after ``/id/``.
KINDS = frozenset({*PREFIXED_KINDS, "recognition", "life-event", "activity", "agent"})

_NON_SLUG = re.compile(r"[^a-z0-9]+")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def fold(text: str) -> str:
    """Text transliterated to ASCII and lowercased, apostrophes dropped: the common ground of
    slugs and of names compared across sources and scripts.

    >>> fold("Ivan's Шахтёры")
    'ivans shakhtery'
    """
    return anyascii(text).casefold().replace("'", "").replace("\u2019", "")


def slug(text: str) -> str:
    """Turn any label into a slug: transliterated, lowercase, hyphen-separated.

    >>> slug("Man with a Movie Camera")
    'man-with-a-movie-camera'
    >>> slug("Шахтёры")
    'shakhtery'
    """
    result = _NON_SLUG.sub("-", fold(text)).strip("-")
    if not result:
        raise ValueError(f"cannot make a slug from {text!r}")
    return result


def is_slug(text: str) -> bool:
    """True when ``text`` is already a valid slug (as curated ids must be)."""
    return bool(_SLUG.match(text))


def mint(kind: str, identifier: str) -> URIRef:
    """The IRI of a resource of ``kind`` whose id (a slug) is ``identifier``."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of resource {kind!r}")
    if not is_slug(identifier):
        raise ValueError(f"{identifier!r} is not a slug")
    return ID[f"{kind}/{identifier}"]


def film_iri(title: str, year: int | str) -> URIRef:
    """A film's IRI from its English title and first-release year.

    >>> str(film_iri("The Miners", 1937))
    'https://w3id.org/filmgraph/id/film/the-miners-1937'
    """
    return mint("film", f"{slug(title)}-{year}")


def hashed_iri(kind: str, *parts: str) -> URIRef:
    """An IRI for a node defined only by what it relates (a claim, a credit).

    The slug is a hash of the parts, so the same statement from the same source always gets
    the same node, and a different source gets a different one.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind of resource {kind!r}")
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]
    return ID[f"{kind}/{digest}"]  # a hex digest is a slug: no need to check it
