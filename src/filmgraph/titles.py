"""Film titles reduced to keys, so that spellings of one title compare equal.

Sources spell one film's title many ways: with or without a leading article in its own
language ("The Intouchables", "Intouchables", "L'Atalante"), with a translation or a year in
brackets ("The Secret in Their Eyes (El secreto de sus ojos)", "Frankenweenie (1984)"), with
"aka" ("Suspect X aka Yôgisha X no kenshin"), numerals as words or digits ("Five-Year Plan",
"5-Year Plan"), other punctuation, letter case and diacritics. :func:`title_keys` gives every
key a title can be known by; two titles are the same when their keys meet, or when one's
:func:`partial_keys` (the part before a subtitle, after a series name or a possessive
credit) is a key of the other ("Ben-Hur" and "Ben-Hur: A Tale of the Christ"). The words
are data: ``title-articles.csv``, ``title-numbers.csv`` and ``title-suffixes.csv`` beside
this module.

Keys decide nothing about years: linking compares keys only among films of a year within
one of each other (see :mod:`filmgraph.linking`).
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

from filmgraph.iri import fold

__all__ = ["alternative_titles", "partial_keys", "same_title", "title_key", "title_keys"]

_HERE = Path(__file__).parent
_BRACKETED = re.compile(r"\s*[\(\[]([^()\[\]]*)[\)\]]\s*")
_YEAR_ONLY = re.compile(r"^\s*(c\.\s*)?\d{4}\??\s*$")
_AKA = re.compile(r"\s+(?:aka|a\.k\.a\.|also known as)\s+", re.IGNORECASE)
_SUBTITLE = re.compile(r"\s*(?::|\s[-\u2013\u2014]\s)\s*")
_APOSTROPHES = "'\u2019\u02bc`"
_WORD = re.compile(r"[^\W_]+")
#: "John Carpenter's The Fog": a possessive credit before a title that starts with an article
_CREDIT = re.compile(r"^[\w. ]+['\u2019]s\s+(?=(?:the|a|an)\s)", re.IGNORECASE)


def _rows(name: str) -> list[dict[str, str]]:
    with (_HERE / name).open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines))


@cache
def _articles() -> tuple[frozenset[str], tuple[str, ...]]:
    """Whole-word articles, and elided ones (``l'``) that stick to the next word."""
    words = {row["article"].casefold() for row in _rows("title-articles.csv")}
    elided = tuple(
        sorted((w for w in words if w.endswith("'") or w.startswith("'")), key=len, reverse=True)
    )
    return frozenset(w for w in words if w not in elided), elided


@cache
def _suffixes() -> tuple[tuple[str, ...], ...]:
    """Suffixes as word tuples, longest first ("U.S." is the two words ``u s``)."""
    found = {tuple(_WORD.findall(fold(row["word"]))) for row in _rows("title-suffixes.csv")}
    return tuple(sorted((s for s in found if s), key=len, reverse=True))


@cache
def _numbers() -> dict[str, str]:
    return {fold(row["word"]): row["value"] for row in _rows("title-numbers.csv")}


def _strip_elided(text: str) -> str:
    _, elided = _articles()
    lowered = text.casefold()
    for apostrophe in _APOSTROPHES[1:]:
        lowered = lowered.replace(apostrophe, "'")
    for article in elided:
        if lowered.startswith(article) and len(lowered) > len(article):
            return text[len(article) :]
    return text


def title_key(title: str) -> str:
    """One spelling reduced: no leading article, numerals as digits, folded, unpunctuated.

    >>> title_key("The Five-Year Plan!")
    '5 year plan'
    >>> title_key("L'Atalante") == title_key("Atalante")
    True
    >>> title_key("Броненосец «Потёмкин»")
    'bronenosets potemkin'
    >>> title_key("Funny Games U.S.")
    'funny games'
    """
    text = _strip_elided(title.strip().replace("&", " and "))
    words = _WORD.findall(fold(text))
    whole, _ = _articles()
    if len(words) > 1 and words[0] in whole:
        words = words[1:]
    for suffix in _suffixes():
        if len(words) > len(suffix) and tuple(words[-len(suffix) :]) == suffix:
            words = words[: -len(suffix)]
            break
    numbers = _numbers()
    return " ".join(numbers.get(w, w) for w in words)


def title_keys(title: str) -> frozenset[str]:
    """Every key ``title`` is known by: the whole, without brackets, each bracket, each aka.

    >>> sorted(title_keys("The Secret in Their Eyes (El secreto de sus ojos)"))
    ['secret in their eyes', 'secret in their eyes el secreto de sus ojos', 'secreto de sus ojos']
    >>> sorted(title_keys("Frankenweenie (1984)"))
    ['frankenweenie']
    """
    keys: set[str] = set()
    for part in [title, *_AKA.split(title)]:
        keys.add(title_key(_drop_year_brackets(part)))
        keys.add(title_key(_BRACKETED.sub(" ", part)))
        keys.update(
            title_key(inside) for inside in _BRACKETED.findall(part) if not _YEAR_ONLY.match(inside)
        )
    keys.discard("")
    return frozenset(keys)


def alternative_titles(title: str) -> list[str]:
    """The other titles one spelling gives, as written: each "aka" part, the title without
    its bracketed translation, and the translation (a bracketed year is not a title).

    >>> alternative_titles("The Secret in Their Eyes (El secreto de sus ojos)")
    ['El secreto de sus ojos', 'The Secret in Their Eyes']
    >>> alternative_titles("Frankenweenie (1984)")
    []
    """
    found: list[str] = []
    parts = _AKA.split(title)
    for part in parts:
        inside = [m.strip() for m in _BRACKETED.findall(part) if not _YEAR_ONLY.match(m)]
        outside = " ".join(_BRACKETED.sub(" ", part).split())
        found += [*inside, outside] if inside or len(parts) > 1 else []
    return sorted({t for t in found if t and t != title.strip()})


def _drop_year_brackets(title: str) -> str:
    return _BRACKETED.sub(lambda m: " " if _YEAR_ONLY.match(m.group(1)) else m.group(0), title)


def partial_keys(title: str) -> frozenset[str]:
    """Keys of a part of ``title`` that may stand for the whole: the title before a subtitle
    ("Ben-Hur" of "Ben-Hur: A Tale of the Christ"; a short one only when it is the
    subtitle's initials, "LOL: Laughing Out Loud"), the subtitle after a series name
    ("Doraemon: Nobita's Great Adventure …"), the title after a possessive credit ("John
    Carpenter's The Fog"). A part only ever matches another title's :func:`title_keys`,
    never another part, so two films of one series do not meet by their series name.
    """
    bare = _BRACKETED.sub(" ", title)
    found: set[str] = set()
    parts = _SUBTITLE.split(bare, maxsplit=1)
    if len(parts) == 2:
        head, tail = title_key(parts[0]), title_key(parts[1])
        if len(head) >= 4 or _initialism_of(head, tail):
            found.add(head)
        if len(tail.split()) >= 3:
            found.add(tail)
    credit = _CREDIT.match(bare)
    if credit:
        found.add(title_key(bare[credit.end() :]))
    found.discard("")
    return frozenset(found)


def _initialism_of(head: str, tail: str) -> bool:
    """Whether ``head`` is the initials of ``tail`` ("LOL: Laughing Out Loud"): then the
    short head is the title itself, not a word that opens many titles.

    >>> _initialism_of("lol", "laughing out loud")
    True
    >>> _initialism_of("up", "a tale")
    False
    """
    letters = head.replace(" ", "")
    words = tail.split()
    return len(letters) >= 2 and letters == "".join(w[0] for w in words)


def same_title(a: str, b: str) -> bool:
    """Whether two spellings name the same title (years aside).

    >>> same_title("The Thief of Bagdad", "Thief of Bagdad")
    True
    >>> same_title("Down", "Down to Earth")
    False
    """
    keys_a, keys_b = title_keys(a), title_keys(b)
    return bool(keys_a & keys_b or partial_keys(a) & keys_b or partial_keys(b) & keys_a)
