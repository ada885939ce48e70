"""Facts that film pages state only in prose: who did what, and what became of the film.

Patterns find a role next to a name ("Director Sergei Yutkevich", "photographed by
cinematographer Eduard Tisse", "Boris Babochkin plays Vasily Chapaev") and the life of a
film after release (withdrawn in a year, restored, held by an archive). Each finding keeps
the sentence that says so, as evidence. Names are resolved by the caller, against the
gazetteer; the patterns only say where a name stands.

>>> [(f.role, f.name) for f in find_credits("The score by Gavriil Popov is sparse.")]
[('composer', 'Gavriil Popov')]
>>> [(f.name, f.character) for f in find_credits("Boris Blinov plays Furmanov and more.")]
[('Boris Blinov', 'Furmanov')]
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "CreditFinding",
    "LifeFinding",
    "find_archive_names",
    "find_credits",
    "find_life_events",
    "find_weak_signals",
    "place_cues",
    "role_words",
    "sentences",
]

_UPPER = "A-Z\u00c0-\u00de\u0100-\u017f\u0400-\u042f"
_LOWER = "a-z\u00df-\u00ff\u0100-\u017f\u0430-\u045f"
_NAME_WORD = rf"(?:[{_UPPER}][{_LOWER}'\u2019-]+|[A-Z]\.)"
_NAME = rf"{_NAME_WORD}(?:\s+(?:de\s+|von\s+|van\s+|da\s+|di\s+)?{_NAME_WORD}){{1,3}}"
#: Several names: "X and Y", "X, Y and Z".
_NAMES = rf"(?P<name>{_NAME})(?P<more>(?:\s*,\s*{_NAME})*(?:,?\s+and\s+{_NAME})?)"
_CHAR = rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}}"
#: Role words as they stand before names, singular or plural, in any case at a sentence start.
_ROLE_WORDS = {
    "director": r"[Dd]irectors?|[Cc]o-directors?",
    "cinematographer": r"[Cc]inematographers?|[Cc]amera(?:man|men)|[Dd]irectors? of photography",
    "composer": r"[Cc]omposers?",
    "screenwriter": r"[Ss]creenwriters?|[Ss]cenarists?|[Ss]criptwriters?",
    "editor": r"[Ee]ditors?",
    "producer": r"[Pp]roducers?",
}
_ROLE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    [
        (role, re.compile(rf"\b(?:{words})\s+(?:were\s+|was\s+|are\s+|is\s+)?{_NAMES}"))
        for role, words in _ROLE_WORDS.items()
    ]
    + [
        (role, re.compile(pattern))
        for role, pattern in (
            ("director", rf"\b(?:[Dd]irected|[Cc]o-directed)\s+by\s+{_NAMES}"),
            ("director", rf"{_NAMES}\s+(?:wrote\s+and\s+)?(?:co-)?directed\b"),
            ("cinematographer", rf"{_NAMES}\s+photographed\b"),
            (
                "cinematographer",
                rf"\b(?:[Pp]hotographed|[Ss]hot|[Ff]ilmed|[Ll]ensed)\s+by\s+"
                rf"(?:(?:the\s+)?cinematographers?\s+)?{_NAMES}",
            ),
            (
                "cinematographer",
                rf"\b[Cc]inematography\b[^.]*?\b(?:handled|shot|done|is|was)\s+"
                rf"(?:by\s+)?{_NAMES}",
            ),
            (
                "cinematographer",
                rf"\b[Cc]amera(?:work)?\s+(?:was\s+)?(?:operated\s+)?by\s+{_NAMES}",
            ),
            ("composer", rf"\b[Cc]omposed\s+by\s+{_NAMES}"),
            (
                "composer",
                rf"\b(?:[Ss]core|[Mm]usic)\s+(?:was\s+)?(?:composed\s+|written\s+)?by\s+"
                rf"{_NAMES}",
            ),
            (
                "screenwriter",
                rf"\b(?:[Ss]creenplay|[Ss]cript|[Ss]cenario)\s+(?:was\s+)?"
                rf"(?:written\s+)?by\s+{_NAMES}",
            ),
            ("editor", rf"\b[Ee]dited\s+by\s+{_NAMES}"),
            (
                "actor",
                rf"(?P<name>{_NAME}),?\s+who\s+(?:also\s+)?play(?:s|ed)\s+(?:the\s+[a-z]+\s+)?"
                rf"(?P<character>{_CHAR})",
            ),
            (
                "actor",
                rf"(?P<name>{_NAME})\s+(?:play(?:s|ed)|stars?\s+as|starred\s+as|appears\s+as)"
                rf"\s+(?:the\s+[a-z]+\s+)?(?P<character>{_CHAR})",
            ),
            ("actor", rf"\bwith\s+(?P<name>{_NAME})\s+as\s+(?P<character>{_CHAR})"),
        )
    ]
)
_SPLIT_NAMES = re.compile(r"\s*,\s*|,?\s+and\s+")
#: Words that say two people met, not what one did on the film: reported, never asserted.
_WEAK = re.compile(
    rf"\b(?:worked|collaborated|teamed up|studied|trained)\s+(?:again\s+)?"
    rf"(?:closely\s+)?with\s+(?P<name>{_NAME})"
)
#: Words that start a sentence but never a name ("Then Boris Babochkin plays …").
_LEADING = frozenset(
    {
        "The",
        "Then",
        "In",
        "On",
        "At",
        "After",
        "Before",
        "When",
        "While",
        "And",
        "But",
        "With",
        "Director",
        "Actor",
        "Composer",
        "Cinematographer",
        "Notably",
        "Later",
        "Soviet",
        "Directors",
        "Composers",
        "Cinematographers",
        "Editor",
        "Editors",
        "Screenwriter",
        "Screenwriters",
        "Producer",
        "Producers",
        "Cameraman",
    }
)
_SENTENCE = re.compile(r"(?<=[.!?])[\"'\u2019\u201d)]?\s+(?=[A-Z\"'\u201c(])")
_YEAR = re.compile(r"\b(1[89][0-9]{2}|20[0-9]{2})\b")
_WITHDRAWN = re.compile(
    r"\b(withdrawn|withdrew|pulled from (?:circulation|distribution)|banned|shelved|"
    r"taken out of circulation|removed from circulation)\b",
    re.IGNORECASE,
)
_NEGATED = re.compile(r"\b(never|not|no)\b", re.IGNORECASE)
_RESTORED = re.compile(r"\brestored\b|\brestoration\b", re.IGNORECASE)
_HELD = re.compile(r"\b(preserved|held|kept|holds|survives)\b", re.IGNORECASE)
_ARCHIVE_NAME = re.compile(
    rf"\b(?:preserved|held|kept)\s+(?:in|by|at)\s+(?:the\s+)?(?P<org>{_NAME_WORD}"
    rf"(?:\s+(?:of\s+|for\s+)?{_NAME_WORD}){{0,4}})"
)


@dataclass(frozen=True)
class CreditFinding:
    """A person named with a role in a sentence (and the character, for actors)."""

    role: str
    name: str
    character: str | None
    sentence: str


@dataclass(frozen=True)
class LifeFinding:
    """Something that happened to the film after release, stated in a sentence."""

    kind: str  # "withdrawal" or "restoration"
    year: int | None
    sentence: str


def sentences(text: str) -> Iterator[str]:
    """The sentences of a paragraph (a split on sentence-ending punctuation)."""
    for sentence in _SENTENCE.split(text.strip()):
        if sentence.strip():
            yield sentence.strip()


def _clean_name(name: str) -> str:
    words = name.split()
    while len(words) > 2 and words[0] in _LEADING:
        words = words[1:]
    return " ".join(words)


def find_credits(sentence: str) -> list[CreditFinding]:
    """Every person the sentence names with a role, in order, without repeats."""
    found: list[CreditFinding] = []
    for role, pattern in _ROLE_PATTERNS:
        for match in pattern.finditer(sentence):
            groups = match.groupdict()
            character = (groups.get("character") or "").strip() or None
            names = [groups["name"]] + [
                n for n in _SPLIT_NAMES.split(groups.get("more") or "") if n.strip()
            ]
            for name in names:
                finding = CreditFinding(role, _clean_name(name.strip()), character, sentence)
                if all((f.role, f.name) != (finding.role, finding.name) for f in found):
                    found.append(finding)
    return found


_ROLE_WORD = re.compile(
    "|".join(rf"(?P<{role}>\b(?:{words})\b)" for role, words in _ROLE_WORDS.items())
    + r"|(?P<director_by>\b(?:directed|co-directed)\s+by\b)"
    + r"|(?P<cinematographer_by>\b(?:photographed|shot|filmed)\s+by\b)"
    + r"|(?P<composer_by>\b(?:composed|score|music)\s+(?:was\s+)?(?:composed\s+)?by\b)"
    + r"|(?P<screenwriter_by>\b(?:screenplay|script|scenario)\s+(?:was\s+)?(?:written\s+)?by\b)",
    re.IGNORECASE,
)
_PLACE_CUE = re.compile(
    r"\b(?:filmed|shot|photographed)\s+(?:on\s+location\s+)?(?:in|at|near)\s+(?:the\s+)?",
    re.IGNORECASE,
)


def role_words(sentence: str) -> list[tuple[str, int]]:
    """Each role word of the sentence ("director", "composed by" …), whatever its case, with
    the offset where a name would follow it; for finding known names written in any case."""
    found: list[tuple[str, int]] = []
    for match in _ROLE_WORD.finditer(sentence):
        role = next(k for k, v in match.groupdict().items() if v is not None)
        found.append((role.removesuffix("_by"), match.end()))
    return found


def place_cues(sentence: str) -> list[int]:
    """Offsets after "filmed in", "shot on location at" …, where a filming place follows."""
    return [m.end() for m in _PLACE_CUE.finditer(sentence)]


def find_weak_signals(sentence: str) -> list[str]:
    """Phrases that tie a person to the film only loosely ("worked with X"): to report."""
    return [m.group(0) for m in _WEAK.finditer(sentence)]


def find_life_events(sentence: str, *, restoration: bool, withdrawal: bool) -> list[LifeFinding]:
    """Withdrawals (with a year) and restorations (restored, or a restoration with a year)."""
    found: list[LifeFinding] = []
    years = [int(y) for y in _YEAR.findall(sentence)]
    if withdrawal and _WITHDRAWN.search(sentence) and years and not _NEGATED.search(sentence):
        found.append(LifeFinding("withdrawal", years[0], sentence))
    if restoration and _RESTORED.search(sentence) and not _NEGATED.search(sentence):
        verb = re.search(r"\brestored\b", sentence, re.IGNORECASE)
        if verb or years:
            found.append(LifeFinding("restoration", years[-1] if years else None, sentence))
    return found


def find_archive_names(sentence: str) -> list[str]:
    """Names of keepers the sentence says hold or preserve the film ("preserved in the X")."""
    if not _HELD.search(sentence):
        return []
    # "held in Russian state archives": a capitalised adjective before a common noun is
    # not a name.
    return [
        m.group("org")
        for m in _ARCHIVE_NAME.finditer(sentence)
        if not re.match(r"\s+[a-z]", sentence[m.end() :])
    ]
