"""Generate a realistic synthetic film graph of any size, for the scale benchmark.

The output is what filmgraph's loaders read, so a generated graph goes through the real
build (``filmgraph build --no-bundled --source OUT/curated --source OUT/pages``):

* ``OUT/curated/*.csv``: the curated tables (``docs/data-model.md``), every table the
  curated-tables loader reads, with ids that only refer to rows defined in the tables
  read before them;
* ``OUT/pages/*.txt``: film pages in the encyclopedia format for a handful of films of the
  graph, and ``OUT/extra-page/*.txt``: one more page, kept apart so that the benchmark can
  add it to ``OUT/pages`` and time an incremental build;
* ``OUT/manifest.json``: counts, the seed, and ids picked from the data (a hub film, a
  film with a long lineage, a person, a movement …) for query parameters.

What makes it realistic: influence is heavy-tailed (linear preferential attachment: a
film is cited in proportion to how often it was cited before, plus one), and every
influence points to a film of a strictly earlier year; more films are made in later
years; people work on several films in several roles over a career of some decades, the
prolific ones more often (preferential attachment among the recently active); movements
and historical events have start and end dates in EDTF (exact, month, uncertain);
themes form a two-level hierarchy with heavy-tailed use; some films are remakes of an
earlier film of the same title; some people and awards have aliases.

Deterministic: the same ``--films`` and ``--seed`` give byte-identical files. Rows are
streamed to the files with the ``csv`` module as they are made; what is kept in memory
is a handful of small pools (sizes grow as N/50 at most), one integer array for the
attachment urn (about 3 integers per film) and a bounded window of active people, so
memory is flat in N up to those integers (≈ 30 MB at 1,000,000 films).

Historical events grow with the films up to :data:`MOST_EVENTS`, reached at 100,000 films,
and no further: an archive's list of events does not grow with its films (Wikidata's
historic events, ``../shared/data/wikidata-historic-events``, are 9,125 over all of
history). Past it, each film's derived context would otherwise grow with N and the
inferred triples as N² (22.3 M at 300,000 films against 4.2 M at 100,000,
``bench/results/scale-300k.md``). Graphs of up to 100,000 films are the same as before.

Usage: ``python bench/generate_graph.py --films 100000 --seed 1 --out /tmp/g100k``.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import json
import math
import random
import sys
import tomllib
from array import array
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from filmgraph.iri import slug

__all__ = ["Generated", "generate", "main"]

_WORDS = Path(__file__).with_name("data") / "generator-words.toml"
_FIRST_YEAR = 1895
_LAST_YEAR = 2024
#: the most historical events a graph has, whatever its films (the module's docstring)
MOST_EVENTS = 2_020
_ROLES_ALWAYS = ("director", "screenwriter", "cinematographer")
_ROLES_SOMETIMES = (("composer", 0.6), ("editor", 0.5), ("producer", 0.3))
_CONFIDENCE = (("high", 0.3), ("medium", 0.45), ("low", 0.25))
#: Columns of every curated table, in the loader's order (src/filmgraph/loaders/curated.py).
COLUMNS: dict[str, tuple[str, ...]] = {
    "sources.csv": ("id", "title", "kind", "author", "year", "url", "note"),
    "countries.csv": ("code", "name", "wikidata"),
    "places.csv": ("id", "name", "country", "wikidata"),
    "organisations.csv": (
        "id",
        "name",
        "native_name",
        "native_lang",
        "kind",
        "country",
        "wikidata",
    ),
    "movements.csv": ("id", "name", "start", "end", "countries", "wikidata", "description"),
    "events.csv": ("id", "name", "kind", "start", "end", "countries", "wikidata", "description"),
    "themes.csv": ("id", "label", "alt_labels", "broader"),
    "people.csv": (
        "id",
        "name",
        "native_name",
        "native_lang",
        "aliases",
        "birth",
        "death",
        "countries",
        "wikidata",
    ),
    "films.csv": (
        "id",
        "title",
        "original_title",
        "original_lang",
        "year",
        "year_certainty",
        "countries",
        "studios",
        "movements",
        "themes",
        "wikidata",
    ),
    "credits.csv": ("film", "person", "role", "character"),
    "influences.csv": (
        "influenced",
        "influencer",
        "type",
        "aspect",
        "source",
        "confidence",
        "evidence",
    ),
    "context.csv": ("film", "event", "source", "evidence"),
    "awards.csv": ("id", "name", "alt_labels", "wikidata"),
    "recognitions.csv": ("award", "recipient", "film", "year", "outcome", "source"),
    "life-events.csv": ("film", "kind", "date", "agent", "place", "source", "note"),
}
# Wikidata ids of generated things: disjoint ranges per kind, far above real film items.
_QID_FILM = 900_000_000
_QID_PERSON = 910_000_000
_QID_OTHER = 920_000_000


@dataclass
class _Words:
    countries: list[tuple[str, str, str]]
    first: list[str]
    syllables: list[str]
    adjectives: list[str]
    nouns: list[str]
    places: list[str]
    aspects: list[str]
    source_kinds: list[str]
    movement_words: list[str]
    event_words: list[str]
    theme_roots: list[str]
    theme_leaves: list[str]

    @classmethod
    def load(cls) -> _Words:
        data = tomllib.loads(_WORDS.read_text(encoding="utf-8"))
        return cls(
            [(c[0], c[1], c[2]) for c in data["countries"]],
            data["first_names"],
            data["surname_syllables"],
            data["title_adjectives"],
            data["title_nouns"],
            data["title_places"],
            data["aspects"],
            data["source_kinds"],
            data["movement_words"],
            data["event_words"],
            data["theme_roots"],
            data["theme_leaves"],
        )


@dataclass
class _Pool:
    """A small table generated up front: its ids and, for dated things, their years."""

    ids: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)


@dataclass
class Generated:
    """What :func:`generate` wrote: row counts per table and ids picked for queries."""

    out: Path
    films: int
    seed: int
    rows: dict[str, int]
    picks: dict[str, Any]

    def manifest(self) -> dict[str, Any]:
        return {"films": self.films, "seed": self.seed, "rows": self.rows, "picks": self.picks}


class _Writers:
    """One streaming ``csv.writer`` per table, counting rows."""

    def __init__(self, stack: ExitStack, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._writers: dict[str, Any] = {}
        self.rows: dict[str, int] = {}
        for name, columns in COLUMNS.items():
            handle: TextIO = stack.enter_context(
                (folder / name).open("w", encoding="utf-8", newline="")
            )
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            self._writers[name] = writer
            self.rows[name] = 0

    def row(self, table: str, *cells: object) -> None:
        self._writers[table].writerow(["" if c is None else c for c in cells])
        self.rows[table] += 1


def _year_of(index: int, films: int) -> int:
    """Year of the film at ``index``: non-decreasing, with density growing linearly in time."""
    span = _LAST_YEAR - _FIRST_YEAR
    return _FIRST_YEAR + min(span, int(span * math.sqrt((index + 0.5) / films)))


def _bijection(index: int, size: int, salt: int) -> int:
    """A permutation of ``range(size)`` (``size`` must not be divisible by the multiplier)."""
    multiplier = 2_654_435_761
    if math.gcd(multiplier, size) != 1:
        multiplier += 2 * size + 1
        while math.gcd(multiplier, size) != 1:
            multiplier += 2
    return (index * multiplier + salt) % size


class _Names:
    """Distinct film titles and person names, computed from an index (no set kept)."""

    def __init__(self, words: _Words, seed: int) -> None:
        self.w = words
        self.salt = seed * 7919
        self.title_space = len(words.adjectives) * len(words.nouns) * len(words.places) * 3
        syl = words.syllables
        surnames = {(a + b + c).capitalize() for a in syl for b in syl for c in ["", *syl]}
        self.surnames = sorted(surnames)
        self.person_space = len(words.first) * len(self.surnames)

    def title(self, index: int) -> str:
        """Title ``index``: distinct for every index (sequels, "Part 2", once words run out)."""
        part, base = divmod(index, self.title_space)
        p = _bijection(base, self.title_space, self.salt)
        p, pattern = divmod(p, 3)
        p, a = divmod(p, len(self.w.adjectives))
        c, n = divmod(p, len(self.w.nouns))
        adj, noun, place = self.w.adjectives[a], self.w.nouns[n], self.w.places[c]
        title = (
            f"The {adj} {noun} of {place}",
            f"{adj} {noun} in {place}",
            f"{noun} and {place}: {adj}",
        )[pattern]
        return f"{title}, Part {part + 1}" if part else title

    def surname(self, index: int) -> str:
        """Surname ``index`` (modulo the number of distinct surnames)."""
        size = len(self.surnames)
        return self.surnames[_bijection(index % size, size, self.salt + 2)]

    def character(self, index: int) -> str:
        """A name for a character or an author: any index, repeats allowed."""
        first = self.w.first[(index * 31 + 7) % len(self.w.first)]
        return f"{first} {self.surname(index + 17)}"

    def person(self, index: int) -> tuple[str, str]:
        """Name and an alias form ("A. Surname") of person ``index``."""
        if index >= self.person_space:
            raise ValueError(f"more than {self.person_space} distinct names requested")
        p = _bijection(index, self.person_space, self.salt + 1)
        s, f = divmod(p, len(self.w.first))
        first, last = self.w.first[f], self.surnames[s]
        return f"{first} {last}", f"{first[0]}. {last}"


def _zipf_pick(rng: random.Random, size: int, exponent: float = 1.1) -> int:
    """An index in ``range(size)`` with probability falling as a power of its rank."""
    u = rng.random()
    # Inverse of the continuous power law on [1, size + 1).
    if abs(exponent - 1.0) < 1e-9:
        x = math.exp(u * math.log(size + 1))
    else:
        one = 1.0 - exponent
        x = (1.0 + u * ((size + 1) ** one - 1.0)) ** (1.0 / one)
    return min(size - 1, int(x) - 1)


def _dated_pick(rng: random.Random, pool: _Pool, year: int) -> str | None:
    """An id in ``pool`` whose interval contains ``year``, or None (a few random tries).

    Pools are sorted by start year, so candidates are a prefix; trying a few keeps the
    cost per film constant whatever the size of the pool.
    """
    upto = bisect.bisect_right(pool.starts, year)
    for _ in range(6 if upto else 0):
        i = rng.randrange(upto)
        if pool.ends[i] >= year:
            return pool.ids[i]
    return None


def _edtf(rng: random.Random, year: int, *, end: bool = False) -> str:
    """A date in one of the forms sources use: a year, a month, a day, or an uncertain year."""
    roll = rng.random()
    if roll < 0.35:
        return str(year)
    if roll < 0.6:
        return f"{year}-{rng.randint(1, 12):02d}"
    if roll < 0.85:
        return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return f"{year}~" if not end or roll < 0.95 else f"{year}?"


class _Generator:
    def __init__(self, films: int, seed: int, out: Path, pages: int) -> None:
        if films < 10:
            raise ValueError("--films must be at least 10")
        self.n = films
        self.seed = seed
        self.out = out
        self.page_count = max(2, pages)
        self.rng = random.Random(seed)
        self.w = _Words.load()
        self.names = _Names(self.w, seed)
        self.country_codes = [c[0] for c in self.w.countries]
        self.lang = {c[0]: c[2] for c in self.w.countries}
        self.sources: list[str] = []
        self.places: list[str] = []
        self.studios: list[str] = []
        self.archives: list[str] = []
        self.movements = _Pool()
        self.events = _Pool()
        self.themes: list[str] = []
        self.awards: list[str] = []
        self.labels: dict[str, str] = {}
        self.person_count = 0
        self.person_born: array[int] = array("i")
        self.person_died: array[int] = array("i")
        #: preferential-attachment urn of film indices; ``urn[:cut]`` holds earlier years only
        self.urn: array[int] = array("i")
        #: ring buffer of the people credited lately: a person is picked again in
        #: proportion to their recent credits (preferential attachment among the active)
        self.person_urn: array[int] = array("i", bytes(4 * max(2000, min(50_000, films // 20))))
        self.person_urn_filled = 0
        self.person_urn_at = 0
        self.picks: dict[str, Any] = {}
        self.remade: set[tuple[str, int]] = set()
        #: remake -> the film it remakes (about one film in a hundred)
        self.remake_of: dict[int, int] = {}
        step = max(1, films // (self.page_count + 1))
        self.page_films: dict[int, dict[str, Any]] = {
            films // 2 + (i * step) // 2: {} for i in range(self.page_count)
        }

    # ---- small tables, generated up front -------------------------------------------
    def _qid(self, base: int, index: int, share: float) -> str:
        return f"Q{base + index}" if self.rng.random() < share else ""

    def small_tables(self, w: _Writers) -> None:
        rng, n = self.rng, self.n
        for i in range(5 + n // 100):
            kind = self.w.source_kinds[i % len(self.w.source_kinds)]
            sid = f"source-{i + 1:06d}"
            author = self.names.character(1_000_003 * (i + 1))
            w.row(
                "sources.csv",
                sid,
                f"{kind.capitalize()} number {i + 1} on film history",
                kind,
                author,
                rng.randint(1920, 2024),
                f"https://example.org/sources/{sid}",
                "Synthetic source of the scale benchmark.",
            )
            self.sources.append(sid)
        country_slugs = set()
        for code, name, _lang in self.w.countries:
            w.row("countries.csv", code, name, "")
            country_slugs.add(slug(name))
        for i in range(10 + n // 100):
            name = f"{self.names.surname(i * 37 + 11)}grad"
            pid = slug(name)
            if pid in country_slugs or pid in self.labels:
                continue
            w.row(
                "places.csv",
                pid,
                name,
                rng.choice(self.country_codes),
                self._qid(_QID_OTHER, len(self.labels), 0.3),
            )
            self.labels[pid] = name
            self.places.append(pid)
        for i in range(10 + n // 50):
            archive = i % 10 == 0
            name = (
                f"{self.names.surname(i * 53 + 5)} {'Film Archive' if archive else 'Film Studio'}"
            )
            oid = slug(name)
            if oid in self.labels:
                continue
            code = rng.choice(self.country_codes)
            w.row(
                "organisations.csv",
                oid,
                name,
                name.upper(),
                self.lang[code],
                "archive" if archive else "studio",
                code,
                self._qid(_QID_OTHER, 100_000 + i, 0.3),
            )
            self.labels[oid] = name
            (self.archives if archive else self.studios).append(oid)
        self._dated("movements.csv", self.movements, 10 + n // 200, self.w.movement_words, w)
        events = min(20 + n // 50, MOST_EVENTS)
        self._dated("events.csv", self.events, events, self.w.event_words, w)
        for root in self.w.theme_roots:
            w.row("themes.csv", slug(root), root, "", "")
            self.themes.append(slug(root))
        leaves = len(self.w.theme_leaves)
        for i in range(100 + n // 1000):
            base = self.w.theme_leaves[i % leaves]
            label = base if i < leaves else f"{base} ({self.names.surname(i)})"
            tid = slug(label)
            broader = slug(self.w.theme_roots[(i * 7) % len(self.w.theme_roots)])
            alt = f"{label} in film" if i % 9 == 0 else ""
            w.row("themes.csv", tid, label, alt, broader)
            self.themes.append(tid)
        for i in range(10 + n // 5000):
            name = f"{self.names.surname(i * 71 + 3)} Prize"
            aid = slug(name)
            if aid in self.labels:
                continue
            self.labels[aid] = name
            w.row(
                "awards.csv",
                aid,
                name,
                f"{name}, first degree" if i % 3 == 0 else "",
                self._qid(_QID_OTHER, 200_000 + i, 0.5),
            )
            self.awards.append(aid)

    def _dated(self, table: str, pool: _Pool, count: int, words: list[str], w: _Writers) -> None:
        rng = self.rng
        rows = []
        for i in range(count):
            start = rng.randint(_FIRST_YEAR - 40, _LAST_YEAR - 1)
            end = min(_LAST_YEAR, start + int(rng.expovariate(1 / 6)))
            code = rng.choice(self.country_codes)
            name = f"{self.names.surname(i * 13 + 7)} {words[i % len(words)]}"
            rows.append((start, end, code, name, i))
        rows.sort()
        for start, end, code, name, i in rows:
            ident = f"{slug(name)}-{start}"
            if ident in self.labels:
                continue
            self.labels[ident] = name
            start_text, end_text = _edtf(rng, start), _edtf(rng, end, end=True)
            if end == start and start_text != end_text:
                end_text = start_text
            description = f"Synthetic {words[i % len(words)].lower()} from {start} to {end}."
            qid = self._qid(_QID_OTHER, 300_000 + (len(self.labels)), 0.3)
            if table == "events.csv":
                kind = "event" if end - start < 2 else "period"
                w.row(table, ident, name, kind, start_text, end_text, code, qid, description)
            else:
                w.row(table, ident, name, start_text, end_text, code, qid, description)
            pool.ids.append(ident)
            pool.starts.append(start)
            pool.ends.append(end)

    # ---- people ---------------------------------------------------------------------
    def _new_person(self, w: _Writers, year: int, country: str) -> int:
        rng = self.rng
        index = self.person_count
        self.person_count += 1
        name, alias = self.names.person(index)
        born = year - rng.randint(20, 45)
        died = born + rng.randint(45, 95)
        birth = _edtf(rng, born)
        death = _edtf(rng, died) if died < _LAST_YEAR else ""
        aliases = alias if rng.random() < 0.05 else ""
        native = name.upper() if rng.random() < 0.2 else ""
        w.row(
            "people.csv",
            slug(name),
            name,
            native,
            self.lang[country] if native else "",
            aliases,
            birth,
            death,
            country,
            self._qid(_QID_PERSON, index, 0.3),
        )
        self.person_born.append(born)
        self.person_died.append(died)
        return index

    def _person_for(self, w: _Writers, year: int, country: str) -> int:
        """An active person (prolific ones more often) or, now and then, a newcomer."""
        rng = self.rng
        if self.person_urn_filled > 50 and rng.random() < 0.7:
            for _ in range(4):
                index = self.person_urn[rng.randrange(self.person_urn_filled)]
                if 18 <= year - self.person_born[index] <= 80 and year <= self.person_died[index]:
                    return index
        return self._new_person(w, year, country)

    def _person_id(self, index: int) -> str:
        return slug(self.names.person(index)[0])

    # ---- films ----------------------------------------------------------------------
    def film_id(self, index: int) -> str:
        return f"{slug(self.title(index))}-{_year_of(index, self.n)}"

    def title(self, index: int) -> str:
        """The title of film ``index``: its own, or the remade film's title for a remake."""
        while index in self.remake_of:
            index = self.remake_of[index]
        return self.names.title(index)

    def films(self, w: _Writers) -> None:
        rng, n = self.rng, self.n
        cut, current_year = 0, _FIRST_YEAR - 1
        remake_of = self.remake_of
        in_degree_best = (0, 0)
        cited = array("i", bytes(0))
        #: the first film each film drew on (-1: none), to pick a pair joined by a chain
        first_target = array("i", [-1]) * n
        for i in range(n):
            year = _year_of(i, n)
            if year != current_year:
                cut, current_year = len(self.urn), year
            fid = self._film(w, i, year)
            # Influences: most films cite a few earlier ones, chosen by preferential attachment.
            k = 0 if rng.random() < 0.3 else min(12, 1 + int(rng.expovariate(1 / 1.6)))
            targets: set[int] = set()
            aspects: dict[int, str] = {}
            if cut:
                for _ in range(k):
                    targets.add(self.urn[rng.randrange(cut)])
            if i in remake_of:
                targets.discard(remake_of[i])
            for j in sorted(targets):
                aspect = rng.choice(self.w.aspects)
                aspects[j] = aspect
                confidence = _weighted(rng, _CONFIDENCE)
                w.row(
                    "influences.csv",
                    fid,
                    self.film_id(j),
                    "inspiration",
                    aspect,
                    rng.choice(self.sources),
                    confidence,
                    f"Source {rng.randrange(1000)} says the film took {aspect} from the "
                    f"earlier one.",
                )
                self.urn.append(j)
                if j in self.page_films:
                    self.page_films[j].setdefault("influenced", []).append((i, aspect))
                while len(cited) <= j:
                    cited.append(0)
                cited[j] += 1
                if cited[j] > in_degree_best[0]:
                    in_degree_best = (cited[j], j)
            if i in remake_of:
                j = remake_of[i]
                w.row(
                    "influences.csv",
                    fid,
                    self.film_id(j),
                    "remake",
                    "",
                    rng.choice(self.sources),
                    "high",
                    "A remake under the same title.",
                )
            if targets:
                first_target[i] = min(targets)
            if i in self.page_films:
                self.page_films[i]["influences"] = [(j, aspects[j]) for j in sorted(targets)]
            self.urn.append(i)
            if i == n // 3:
                self.picks["early_film"] = fid
            if i == n - 1:
                self.picks["latest_film"] = fid
            if len(targets) >= 3 and "film_with_influences" not in self.picks and i > n // 2:
                self.picks["film_with_influences"] = fid
        self.picks["hub_film"] = self.film_id(in_degree_best[1])
        self._pick_chain(first_target)
        self.picks["hub_in_degree"] = in_degree_best[0]
        self._person_influences(w)

    def _pick_chain(self, first_target: array[int]) -> None:
        """A late film and the film three steps up its chain of first influences."""
        for later in range(self.n - 1, -1, -1):
            earlier, steps = later, 0
            while steps < 3 and first_target[earlier] >= 0:
                earlier, steps = first_target[earlier], steps + 1
            if steps == 3 or later == 0:
                break
        self.picks["path_from"] = self.film_id(earlier)
        self.picks["path_to"] = self.film_id(later)
        self.picks["path_steps"] = steps

    def _film(self, w: _Writers, i: int, year: int) -> str:
        rng = self.rng
        title = self.title(i)
        # About one film in a hundred remakes an earlier film under the same title.
        if i > 100 and rng.random() < 0.01:
            j = rng.randrange(i // 2)
            original = self.title(j)
            if _year_of(j, self.n) < year and (original, year) not in self.remade:
                self.remade.add((original, year))
                self.remake_of[i] = j
                title = self.title(i)
        fid = f"{slug(title)}-{year}"
        countries = [rng.choice(self.country_codes)]
        if rng.random() < 0.15:
            other = rng.choice(self.country_codes)
            if other != countries[0]:
                countries.append(other)
        lang = self.lang[countries[0]]
        original = title.upper() if lang != "en" and rng.random() < 0.4 else ""
        studios = sorted({rng.choice(self.studios) for _ in range(rng.choice((0, 1, 1, 1, 2)))})
        movement = _dated_pick(rng, self.movements, year) if rng.random() < 0.3 else None
        movements = [movement] if movement else []
        if movement and i >= self.n // 2:
            self.picks.setdefault("movement", movement)
        themes = sorted(
            {self.themes[_zipf_pick(rng, len(self.themes))] for _ in range(rng.randint(1, 4))}
        )
        w.row(
            "films.csv",
            fid,
            title,
            original,
            lang if original else "",
            year,
            "uncertain" if rng.random() < 0.05 else "exact",
            "|".join(countries),
            "|".join(studios),
            "|".join(movements),
            "|".join(themes),
            self._qid(_QID_FILM, i, 0.4),
        )
        self._credits(w, i, fid, year, countries[0])
        self._film_facts(w, i, fid, year)
        if i in self.page_films:
            self.page_films[i].update(
                title=title, year=year, studios=studios, country=countries[0], themes=themes
            )
        return fid

    def _credits(self, w: _Writers, i: int, fid: str, year: int, country: str) -> None:
        rng = self.rng
        roles = list(_ROLES_ALWAYS)
        roles += [role for role, share in _ROLES_SOMETIMES if rng.random() < share]
        if rng.random() < 0.1:
            roles.append("director")
        credited: list[tuple[str, int, str]] = []
        seen: set[tuple[int, str]] = set()
        for role in roles:
            person = self._person_for(w, year, country)
            if (person, role) not in seen:
                seen.add((person, role))
                credited.append((role, person, ""))
        for c in range(rng.randint(2, 6)):
            person = self._person_for(w, year, country)
            if (person, "actor") not in seen:
                seen.add((person, "actor"))
                credited.append(("actor", person, self.names.character(i * 7 + c)))
        for role, person, character in credited:
            w.row("credits.csv", fid, self._person_id(person), role, character)
            self.person_urn[self.person_urn_at] = person
            self.person_urn_at = (self.person_urn_at + 1) % len(self.person_urn)
            self.person_urn_filled = min(len(self.person_urn), self.person_urn_filled + 1)
        if i in self.page_films:
            self.page_films[i]["credits"] = [
                (r, self.names.person(p)[0], ch) for r, p, ch in credited
            ]
        if i == self.n // 2:
            self.picks["person"] = self._person_id(credited[0][1])

    def _film_facts(self, w: _Writers, i: int, fid: str, year: int) -> None:
        rng = self.rng
        event = _dated_pick(rng, self.events, year) if rng.random() < 0.2 else None
        if event:
            w.row(
                "context.csv",
                fid,
                event,
                rng.choice(self.sources),
                "The source places the film against this event.",
            )
            self.picks.setdefault("film_with_context", fid)
            self.picks.setdefault("event", event)
        if rng.random() < 0.3:
            w.row(
                "life-events.csv",
                fid,
                "release",
                _edtf(rng, year),
                "",
                "",
                rng.choice(self.sources),
                "",
            )
        if rng.random() < 0.02:
            w.row(
                "life-events.csv",
                fid,
                "withdrawal",
                str(min(_LAST_YEAR, year + 1)),
                "",
                "",
                rng.choice(self.sources),
                "Withdrawn from circulation.",
            )
        if rng.random() < 0.03:
            archive = rng.choice(self.archives)
            w.row("life-events.csv", fid, "archived", "", archive, "", rng.choice(self.sources), "")
            restored = min(_LAST_YEAR, year + rng.randint(10, 60))
            w.row(
                "life-events.csv",
                fid,
                "restoration",
                str(restored),
                archive,
                rng.choice(self.places),
                rng.choice(self.sources),
                "",
            )
        if rng.random() < 0.05:
            if i >= self.n // 2:
                self.picks.setdefault("film_with_afterlife", fid)
            award = rng.choice(self.awards)
            outcome = "won" if rng.random() < 0.4 else "nominated"
            w.row(
                "recognitions.csv",
                award,
                f"film:{fid}",
                fid,
                min(_LAST_YEAR, year + 1),
                outcome,
                rng.choice(self.sources),
            )

    def _person_influences(self, w: _Writers) -> None:
        """Person-to-person influence: a younger person drew on an older one."""
        rng = self.rng
        count = self.person_count
        for _ in range(count // 20):
            a, b = rng.randrange(count), rng.randrange(count)
            if self.person_born[a] == self.person_born[b]:
                continue
            later, earlier = (a, b) if self.person_born[a] > self.person_born[b] else (b, a)
            w.row(
                "influences.csv",
                self._person_id(later),
                self._person_id(earlier),
                "person-influence",
                rng.choice(self.w.aspects),
                rng.choice(self.sources),
                _weighted(rng, _CONFIDENCE),
                "",
            )

    # ---- pages ----------------------------------------------------------------------
    def pages(self) -> None:
        chosen = sorted(self.page_films)
        for number, i in enumerate(chosen):
            facts = self.page_films[i]
            folder = self.out / ("extra-page" if number == len(chosen) - 1 else "pages")
            folder.mkdir(parents=True, exist_ok=True)
            fid = self.film_id(i)
            (folder / f"{fid}.txt").write_text(self._page(i, facts), encoding="utf-8")
        self.picks["pages"] = [self.film_id(i) for i in chosen[:-1]]
        self.picks["extra_page"] = self.film_id(chosen[-1])

    def _page(self, i: int, facts: dict[str, Any]) -> str:
        title, year = facts["title"], facts["year"]
        country = next(c[1] for c in self.w.countries if c[0] == facts["country"])
        credits = facts.get("credits", [])
        director = next((name for role, name, _ in credits if role == "director"), None)
        camera = next((name for role, name, _ in credits if role == "cinematographer"), None)
        composer = next((name for role, name, _ in credits if role == "composer"), None)
        actors = [(name, ch) for role, name, ch in credits if role == "actor"]
        studios = [self.labels[s] for s in facts.get("studios", [])]
        themes = "".join(t.replace("-", " ") for t in facts.get("themes", []))
        lines = [
            title,
            "",
            title,
            "",
            f"{year} {90 + i % 60} minutes {country}",
            "",
            f'"{title}"',
            "",
            "Plot",
            "",
            f"A synthetic story written for the scale benchmark about {title.lower()}.",
            "",
            "About the Production",
            "",
            f"Release Date {year}",
            "Box Office Unknown",
            f"Production {', '.join(studios) if studios else 'Unknown'}",
            "Filmed In Unknown",
            "",
        ]
        prose = []
        if director:
            prose.append(f"{title} was directed by {director}.")
        for name, character in actors[:3]:
            prose.append(f"{name} plays {character}.")
        if camera:
            prose.append(f"The film was photographed by cinematographer {camera}.")
        if composer:
            prose.append(f"The score was composed by {composer}.")
        lines += [" ".join(prose) or "Nothing is recorded about the production.", ""]
        lines += ["Film Connections", ""]
        influences = facts.get("influences", [])
        if influences:
            lines += ["Influenced By", ""]
            for j, aspect in influences:
                lines.append(f"  • {self.title(j)} ({_year_of(j, self.n)}) - {aspect}")
            lines.append("")
        influenced = facts.get("influenced", [])[:8]
        if influenced:
            lines += ["This Film Influenced", ""]
            for j, aspect in influenced:
                lines.append(f"  • {self.title(j)} ({_year_of(j, self.n)}) - {aspect}")
            lines.append("")
        lines += ["Themes & Topics", "", themes or "cinema", ""]
        return "\n".join(lines)

    def run(self) -> Generated:
        curated = self.out / "curated"
        with ExitStack() as stack:
            w = _Writers(stack, curated)
            self.small_tables(w)
            self.films(w)
            rows = dict(w.rows)
        self.pages()
        self.picks.setdefault("movement", self.movements.ids[len(self.movements.ids) // 2])
        self.picks.setdefault("event", self.events.ids[len(self.events.ids) // 2])
        self.picks["theme"] = self.themes[0]
        self.picks["source"] = self.sources[0]
        self.picks["country"] = self.country_codes[0]
        self.picks["decade"] = (_year_of(self.n // 2, self.n) // 10) * 10
        self.picks["people"] = self.person_count
        generated = Generated(self.out, self.n, self.seed, rows, self.picks)
        (self.out / "manifest.json").write_text(
            json.dumps(generated.manifest(), indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        return generated


def _weighted(rng: random.Random, choices: tuple[tuple[str, float], ...]) -> str:
    roll = rng.random()
    for value, share in choices:
        roll -= share
        if roll < 0:
            return value
    return choices[-1][0]


def generate(films: int, seed: int, out: Path, pages: int = 6) -> Generated:
    """Write a synthetic graph of ``films`` films to ``out`` (see the module docstring)."""
    return _Generator(films, seed, out, pages).run()


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Write a deterministic synthetic film graph in the curated-table format "
        "(OUT/curated), film pages (OUT/pages, OUT/extra-page) and "
        "OUT/manifest.json."
    )
    parser.add_argument("--films", type=int, required=True, help="number of films (>= 10)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument(
        "--pages",
        type=int,
        default=6,
        help="film pages to write, the last one in OUT/extra-page (default: 6)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    try:
        generated = generate(args.films, args.seed, args.out, args.pages)
    except ValueError as exc:
        print(f"generate_graph: {exc}", file=sys.stderr)
        return 2
    total = sum(generated.rows.values())
    print(
        f"wrote {args.films} films, {generated.picks['people']} people, {total} rows to {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
