"""Answers kept per generation: a repeated request is answered without a worker, and a
client that already holds the answer gets ``304 Not Modified``.

Why it is sound: a generation of the store never changes once built (a build writes a new
one), so the answer to one request (its query or page, parameters, ``Accept`` and
``format``) is the same for as long as the server answers from that generation. Each answer
carries a weak ``ETag`` naming its generation and request; ``Cache-Control: no-cache`` makes
a client ask again each time, and ``If-None-Match`` with the current tag is answered 304.
When the server moves to a new generation, the tags change and the old answers are dropped.

Only 200 answers from a build directory are kept (a remote store can change under us), at
most ``max_bytes`` in all and ``max_entry`` each, least recently used first out.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

from filmgraph.server.answers import Job
from filmgraph.server.formats import Reply

__all__ = ["AnswerCache", "etag_matches", "request_key"]


def request_key(job: Job) -> str:
    """What identifies an answer within a generation: the whole request, as a short digest."""
    parts = [
        job.kind,
        job.text,
        job.name,
        repr(sorted(job.params.items())),
        job.accept,
        job.fmt,
        repr(job.default_graphs),
        repr(job.named_graphs),
    ]
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:32]


def etag_matches(header: str, tag: str) -> bool:
    """True when an ``If-None-Match`` header names ``tag`` (weak comparison, RFC 9110)."""
    wanted = tag.removeprefix("W/")
    return any(
        candidate.strip() == "*" or candidate.strip().removeprefix("W/") == wanted
        for candidate in header.split(",")
    )


class AnswerCache:
    """The answers of the current generation, by request key, least recently used first out."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024, max_entry: int = 2 * 1024 * 1024):
        self.max_bytes = max_bytes
        self.max_entry = min(max_entry, max_bytes)
        self.generation = ""
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._answers: OrderedDict[str, Reply] = OrderedDict()

    @staticmethod
    def tag(generation: str, key: str) -> str:
        """The weak ``ETag`` of the answer to ``key`` in ``generation``."""
        return f'W/"{generation}.{key}"'

    def get(self, generation: str, key: str) -> Reply | None:
        """The kept answer to ``key`` in ``generation``, or ``None``."""
        if generation != self.generation:
            self.misses += 1
            return None
        reply = self._answers.get(key)
        if reply is None:
            self.misses += 1
            return None
        self._answers.move_to_end(key)
        self.hits += 1
        return reply

    def put(self, generation: str, key: str, reply: Reply) -> None:
        """Keep a 200 answer of ``generation`` (a newer generation drops every older one)."""
        if (
            not generation
            or reply.status != 200
            or self.max_bytes <= 0
            or len(reply.body) > self.max_entry
        ):
            return
        if generation != self.generation:
            self._answers.clear()
            self.size = 0
            self.generation = generation
        old = self._answers.pop(key, None)
        if old is not None:
            self.size -= len(old.body)
        self._answers[key] = reply
        self.size += len(reply.body)
        while self.size > self.max_bytes and self._answers:
            _, dropped = self._answers.popitem(last=False)
            self.size -= len(dropped.body)

    def status(self) -> dict[str, int]:
        """Counts for ``/health``."""
        return {
            "cached_answers": len(self._answers),
            "cache_hits": self.hits,
            "cache_misses": self.misses,
        }
