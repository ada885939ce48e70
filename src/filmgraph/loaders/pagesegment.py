"""Splitting runs of words that lost their separators when a page was scraped.

Three kinds of run occur on film pages:

- title runs, "The Height (1957)The Communist (1957)", split on the "(Year)" boundaries;
- the header's key themes, sentence-case phrases run together ("…the proletariatVigilance
  against…"), split where a lowercase letter meets an uppercase one;
- topic runs ("coal miningSoviet propagandaindustrialization…"), where one topic may end in
  lowercase and the next begin in lowercase, so they are segmented against the graph's SKOS
  vocabulary of themes: the segmentation that covers most of the run with the fewest pieces
  (longest match), with what no label covers kept and reported as leftovers.

>>> split_titles("The Height (1957)The Communist (1957)")
([('The Height', 1957), ('The Communist', 1957)], '')
>>> split_case_run("Love tested by warGuilt and hope")
['Love tested by war', 'Guilt and hope']
>>> segment_run("coal miningsabotage", {"coal mining": "c", "sabotage": "s"})
Segmentation(matches=[('coal mining', 'c'), ('sabotage', 's')], leftovers=[])
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

__all__ = ["Segmentation", "segment_run", "split_case_run", "split_titles"]

T = TypeVar("T")

_TITLE = re.compile(r"\s*(?P<title>[^()]*?(?:\([^()]*\)[^()]*?)*?)\s*\((?P<year>[0-9]{4})\)")
#: Characters of a leftover next to a match at a point that is not a natural boundary cost
#: this much, so that a short label inside a longer unknown word ("war" in "warfare") loses.
_CUT_PENALTY = 5


def split_titles(run: str) -> tuple[list[tuple[str, int]], str]:
    """Titles with their years from a run, and whatever text after the last year is left."""
    titles: list[tuple[str, int]] = []
    end = 0
    for match in _TITLE.finditer(run):
        if match.start() != end:
            break
        title = match.group("title").strip()
        if title:
            titles.append((title, int(match.group("year"))))
        end = match.end()
    return titles, run[end:].strip()


def _junction(run: str, j: int) -> int | None:
    """What it costs to cut ``run`` at ``j`` between two pieces; ``None`` when it cannot be cut.

    Items of a run lost their separators but never their spaces or hyphens, so a cut never
    falls next to one. A case change or a digit next to a letter is a trace of a lost
    separator and costs nothing; two letters of the same case cost :data:`_CUT_PENALTY`.
    """
    if j <= 0 or j >= len(run):
        return 0
    a, b = run[j - 1], run[j]
    if a.isspace() or b.isspace() or "-" in (a, b):
        return None
    if (a.islower() and b.isupper()) or (a.isdigit() != b.isdigit()):
        return 0
    if not a.isalnum() and b.isupper():
        return 0
    return _CUT_PENALTY


def split_case_run(run: str) -> list[str]:
    """Split a run of phrases at every lowercase-to-uppercase (or digit-to-letter) boundary."""
    pieces, start = [], 0
    for j in range(1, len(run)):
        a, b = run[j - 1], run[j]
        if (a.islower() or a in ".!?)" or a.isdigit()) and b.isupper():
            pieces.append(run[start:j].strip())
            start = j
    pieces.append(run[start:].strip())
    return [p for p in pieces if p]


@dataclass
class Segmentation(Generic[T]):
    """The pieces of a run found in the vocabulary, and the pieces left over."""

    matches: list[tuple[str, T]] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)


def segment_run(run: str, vocabulary: Mapping[str, T]) -> Segmentation[T]:
    """Segment ``run`` against ``vocabulary`` (lowercase label -> concept), longest match.

    Dynamic programming over positions: each piece is either a label (compared without
    case) or a leftover stretch; the best segmentation covers the most characters with
    labels, then uses the fewest pieces. A leftover may only meet a label at a point where
    the scrape left a trace (a case change, a space, a digit) unless it pays a small
    penalty, so labels are not carved out of unknown words.
    """
    text = run.lower()
    n = len(text)
    by_first: dict[str, list[str]] = {}
    for label in vocabulary:
        if label:
            by_first.setdefault(label[0], []).append(label)
    # state (position, after_leftover) -> (score, -pieces, back pointer)
    best: dict[tuple[int, bool], tuple[int, int, tuple[int, bool, str | None] | None]] = {
        (0, False): (0, 0, None)
    }
    for i in range(n + 1):
        for flag in (False, True):
            here = best.get((i, flag))
            if here is None or i == n:
                continue
            score, pieces, _ = here
            cut = _junction(run, i)
            if cut is None:
                continue
            for label in by_first.get(text[i], ()):
                if text.startswith(label, i):
                    cost = cut if flag else 0
                    _relax(
                        best,
                        (i + len(label), False),
                        (score + len(label) - cost, pieces - 1, (i, flag, label)),
                    )
            if not flag:
                for j in range(i + 1, n + 1):
                    _relax(best, (j, True), (score - cut, pieces - 1, (i, flag, None)))
    end = max((best[k] for k in ((n, False), (n, True)) if k in best), key=lambda v: v[:2])
    state: tuple[int, bool] = (n, False) if best.get((n, False)) is end else (n, True)
    pieces_found: list[tuple[int, int, str | None]] = []
    back = end[2]
    while back is not None:
        prev_i, prev_flag, found = back
        pieces_found.append((prev_i, state[0], found))
        state = (prev_i, prev_flag)
        back = best[state][2]
    pieces_found.reverse()
    result: Segmentation[T] = Segmentation()
    for start, stop, found in pieces_found:
        if found is None:
            result.leftovers.extend(split_case_run(run[start:stop]))
        else:
            result.matches.append((run[start:stop], vocabulary[found]))
    return result


def _relax(
    best: dict[tuple[int, bool], tuple[int, int, tuple[int, bool, str | None] | None]],
    key: tuple[int, bool],
    value: tuple[int, int, tuple[int, bool, str | None] | None],
) -> None:
    old = best.get(key)
    if old is None or value[:2] > old[:2]:
        best[key] = value
